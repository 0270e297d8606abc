"""An in-memory index of the knowledge graph, built once from the `queries/list-*.rq` files.

The engine, the search and the API read this index instead of querying the graph per request: a
precomputed finding -> conditions index ranks many times faster than SPARQL, and the SPARQL files stay
the one definition of what each fact is.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from rdflib import Graph, Literal, URIRef

from kg.queries import QueryLibrary


@dataclass(frozen=True)
class SourceRef:
    """A cited passage: the work's title (and section) and the quote."""

    iri: str
    title: str
    quote: str


@dataclass(frozen=True)
class MappingRef:
    """A mapping of a term to a code of an external terminology."""

    scheme: str
    code: str
    iri: str
    label: str | None
    relation: str
    justification: str | None


@dataclass(frozen=True)
class BodySystem:
    iri: str
    label: str
    definition: str | None
    synonyms: tuple[str, ...]


@dataclass(frozen=True)
class UrgencyLevel:
    iri: str
    label: str
    rank: int
    definition: str
    advice: str


@dataclass(frozen=True)
class FindingLink:
    """A condition's link to a finding: typical, discriminating (typical, weighs more) or against."""

    finding: str
    relation: str
    sources: tuple[str, ...]
    inferred: bool


@dataclass(frozen=True)
class Condition:
    iri: str
    label: str
    synonyms: tuple[str, ...]
    definition: str | None
    urgency: str
    body_systems: tuple[tuple[str, bool], ...]  # (system IRI, inferred?)
    causes: tuple[str, ...]
    links: tuple[FindingLink, ...]
    sources: tuple[str, ...]
    mappings: tuple[MappingRef, ...]

    @property
    def typical(self) -> tuple[FindingLink, ...]:
        """Typical findings, discriminating ones included (each finding once, strongest relation)."""
        best: dict[str, FindingLink] = {}
        for link in self.links:
            if link.relation == "against":
                continue
            if link.finding not in best or link.relation == "discriminating":
                best[link.finding] = link
        return tuple(best.values())

    @property
    def against(self) -> tuple[FindingLink, ...]:
        return tuple(link for link in self.links if link.relation == "against")


@dataclass(frozen=True)
class Finding:
    iri: str
    label: str
    synonyms: tuple[str, ...]
    definition: str | None
    category: str
    category_label: str
    kinds: frozenset[str]  # every more general finding it is a kind of (closure)
    warrants: str | None  # the highest urgency level it warrants on its own, if any
    warrant_sources: tuple[str, ...]
    is_warning: bool
    sources: tuple[str, ...]
    mappings: tuple[MappingRef, ...]


@dataclass(frozen=True)
class UrgencyRule:
    iri: str
    kind: str  # "findings" or "suspected-condition"
    label: str
    definition: str | None
    triggers: tuple[str, ...]
    minimum: int
    urgency: str | None
    sources: tuple[str, ...]


@dataclass(frozen=True)
class KnowledgeIndex:
    """Everything the engine, search and API read, keyed by IRI."""

    body_systems: dict[str, BodySystem]
    urgency_levels: dict[str, UrgencyLevel]
    conditions: dict[str, Condition]
    findings: dict[str, Finding]
    rules: tuple[UrgencyRule, ...]
    sources: dict[str, SourceRef]
    #: finding IRI -> conditions that have it, or a more general kind of it, as a typical finding
    conditions_by_finding: dict[str, frozenset[str]] = field(default_factory=dict)

    def urgency_by_rank(self) -> list[UrgencyLevel]:
        return sorted(self.urgency_levels.values(), key=lambda u: u.rank)

    def source_refs(self, iris: Iterable[str]) -> tuple[SourceRef, ...]:
        """The passages for these IRIs, once each, in the given order."""
        seen: dict[str, SourceRef] = {}
        for iri in iris:
            if iri in self.sources and iri not in seen:
                seen[iri] = self.sources[iri]
        return tuple(seen.values())


def _s(value: object) -> str | None:
    return None if value is None else str(value)


def _rows(queries: QueryLibrary, name: str, graph: Graph) -> list[dict[str, object]]:
    result = queries.run(name, graph)
    return [row.asdict() for row in result]  # type: ignore[union-attr]


def build_index(graph: Graph, queries: QueryLibrary) -> KnowledgeIndex:
    """Run the `list-*` queries once and assemble the index."""
    synonyms: dict[str, list[str]] = defaultdict(list)
    for row in _rows(queries, "list-synonyms", graph):
        synonyms[str(row["term"])].append(str(row["synonym"]))
    term_sources: dict[str, list[str]] = defaultdict(list)
    for row in _rows(queries, "list-term-sources", graph):
        term_sources[str(row["term"])].append(str(row["source"]))
    sources = {}
    for row in _rows(queries, "list-sources", graph):
        title = str(row["title"]) + (f", section \u201c{row['section']}\u201d" if row.get("section") else "")
        sources[str(row["passage"])] = SourceRef(str(row["passage"]), title, str(row["quote"]))
    mappings: dict[str, list[MappingRef]] = defaultdict(list)
    for row in _rows(queries, "list-mappings", graph):
        code_iri = str(row["code"])
        relation = "skos:" + str(row["relation"]).rsplit("#", 1)[-1]
        code = _code_from_iri(code_iri)
        mappings[str(row["term"])].append(MappingRef(
            str(row["scheme"]), code, code_iri, _s(row.get("codeLabel")), relation,
            _s(row.get("justification"))))

    systems = {
        str(r["system"]): BodySystem(str(r["system"]), str(r["label"]), _s(r.get("definition")),
                                     tuple(synonyms[str(r["system"])]))
        for r in _rows(queries, "list-body-systems", graph)
    }
    levels = {
        str(r["level"]): UrgencyLevel(str(r["level"]), str(r["label"]), int(r["rank"]),  # type: ignore[call-overload]
                                      str(r.get("definition") or ""), str(r.get("advice") or ""))
        for r in _rows(queries, "list-urgency-levels", graph)
    }

    kinds: dict[str, set[str]] = defaultdict(set)
    for row in _rows(queries, "list-finding-kinds", graph):
        kinds[str(row["finding"])].add(str(row["general"]))
    warnings: dict[str, list[tuple[int, str, str | None]]] = defaultdict(list)
    for row in _rows(queries, "list-warning-signs", graph):
        warnings[str(row["finding"])].append((int(row["rank"]), str(row["urgency"]), _s(row.get("source"))))  # type: ignore[call-overload]
    findings: dict[str, Finding] = {}
    for row in _rows(queries, "list-findings", graph):
        iri = str(row["finding"])
        if iri in findings:
            continue
        warns = sorted(warnings.get(iri, []), reverse=True)
        top = warns[0][1] if warns else None
        findings[iri] = Finding(
            iri=iri, label=str(row["label"]), synonyms=tuple(synonyms[iri]),
            definition=_s(row.get("definition")), category=str(row["category"]),
            category_label=str(row["categoryLabel"]), kinds=frozenset(kinds[iri] - {iri}),
            warrants=top,
            warrant_sources=tuple(dict.fromkeys(s for r, u, s in warns if s and u == top)),
            is_warning=bool(warns), sources=tuple(term_sources[iri]), mappings=tuple(mappings[iri]),
        )

    links: dict[str, dict[tuple[str, str], tuple[list[str], bool]]] = defaultdict(dict)
    for row in _rows(queries, "list-condition-findings", graph):
        key = (str(row["finding"]), str(row["relation"]))
        entry = links[str(row["condition"])].setdefault(key, ([], bool(_bool(row.get("inferred")))))
        if row.get("source") is not None and str(row["source"]) not in entry[0]:
            entry[0].append(str(row["source"]))
    body: dict[str, list[tuple[str, bool]]] = defaultdict(list)
    for row in _rows(queries, "list-condition-body-systems", graph):
        body[str(row["condition"])].append((str(row["system"]), _bool(row.get("inferred"))))
    causes: dict[str, list[str]] = defaultdict(list)
    for row in _rows(queries, "list-condition-causes", graph):
        causes[str(row["condition"])].append(str(row["cause"]))
    conditions: dict[str, Condition] = {}
    for row in _rows(queries, "list-conditions", graph):
        iri = str(row["condition"])
        conditions[iri] = Condition(
            iri=iri, label=str(row["label"]), synonyms=tuple(synonyms[iri]),
            definition=_s(row.get("definition")), urgency=str(row.get("urgency") or ""),
            body_systems=tuple(body[iri]), causes=tuple(causes[iri]),
            links=tuple(FindingLink(f, rel, tuple(srcs), inf)
                        for (f, rel), (srcs, inf) in sorted(links[iri].items())),
            sources=tuple(term_sources[iri]), mappings=tuple(mappings[iri]),
        )

    rule_rows: dict[str, dict[str, object]] = {}
    for row in _rows(queries, "list-urgency-rules", graph):
        entry = rule_rows.setdefault(str(row["rule"]), {**row, "triggers": [], "sources": []})
        for key, column in (("triggers", "trigger"), ("sources", "source")):
            value = row.get(column)
            if value is not None and str(value) not in entry[key]:  # type: ignore[operator]
                entry[key].append(str(value))  # type: ignore[union-attr]
    rules = tuple(
        UrgencyRule(iri, str(r["kind"]), str(r["label"]), _s(r.get("definition")),
                    tuple(r["triggers"]), int(r["minimum"]), _s(r.get("urgency")),  # type: ignore[arg-type, call-overload]
                    tuple(r["sources"]))  # type: ignore[arg-type]
        for iri, r in rule_rows.items()
    )

    by_finding: dict[str, set[str]] = defaultdict(set)
    for condition in conditions.values():
        for link in condition.typical:
            by_finding[link.finding].add(condition.iri)
    conditions_by_finding = {
        iri: frozenset(set().union(*(by_finding.get(k, set()) for k in {iri} | finding.kinds)))
        for iri, finding in findings.items()
    }
    return KnowledgeIndex(systems, levels, conditions, findings, rules, sources, conditions_by_finding)


def _bool(value: object) -> bool:
    if isinstance(value, Literal):
        return bool(value.toPython())
    return bool(value)


def _code_from_iri(iri: str) -> str:
    """`http://purl.obolibrary.org/obo/HP_0004417` -> `HP:0004417`; ICD-10-CM IRIs -> the code."""
    from kg.namespaces import to_curie

    curie = to_curie(iri)
    prefix, _, local = curie.partition(":")
    return local if prefix == "ICD10CM" else curie


__all__ = ["URIRef", "KnowledgeIndex", "build_index"]
