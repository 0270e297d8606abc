"""An in-memory index of the knowledge graph, built from the `queries/index/*.rq` files.

The scoring, the search and the API read this index instead of querying the graph per request: a
precomputed finding -> conditions index ranks many times faster than SPARQL, and the SPARQL files stay
the one definition of what each fact is.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from rdflib import Graph, Literal

from kg.core.records import (
    BodySystem,
    Condition,
    Finding,
    FindingLink,
    LinkRelation,
    MappingRef,
    RiskFactor,
    RuleKind,
    Site,
    SourcedLink,
    SourceRef,
    UrgencyLevel,
    UrgencyRule,
)
from kg.sparql.library import QueryLibrary, Row


@dataclass(frozen=True)
class TermIndex:
    """Everything the engine, search and API read, keyed by IRI."""

    body_systems: dict[str, BodySystem]
    urgency_levels: dict[str, UrgencyLevel]
    conditions: dict[str, Condition]
    findings: dict[str, Finding]
    rules: tuple[UrgencyRule, ...]
    sources: dict[str, SourceRef]
    #: finding IRI -> conditions that have exactly it as a typical finding
    conditions_with_typical: dict[str, frozenset[str]] = field(default_factory=dict)
    #: finding IRI -> every more specific finding (the inverse of `Finding.kinds`)
    narrower: dict[str, frozenset[str]] = field(default_factory=dict)
    #: conditions in the whole graph (a partial index holds fewer) and, per finding, how many of them
    #: have it as a typical finding: what the scoring's specificity is computed from
    condition_count: int = 0
    typical_counts: dict[str, int] = field(default_factory=dict)
    #: the data version the index was read at (what caches of derived values are keyed by)
    version: str = ""
    #: anatomical sites by IRI (what search reads site phrases and the part-of hierarchy from)
    sites: dict[str, Site] = field(default_factory=dict)
    #: every risk factor by IRI (a small list: a partial index holds them all too)
    risk_factors: dict[str, RiskFactor] = field(default_factory=dict)

    def touched(self, present: Iterable[str]) -> set[str]:
        """The conditions a set of reported findings can support: those with a typical finding that a
        reported one is, is a kind of, or is more general than. Scoring looks at these only, so the
        cost of an assessment grows with the conditions it touches, not with the graph."""
        out: set[str] = set()
        for p in present:
            out |= self.conditions_for(p)
            for specific in self.narrower.get(p, ()):
                out |= self.conditions_with_typical.get(specific, frozenset())
        return out

    def conditions_for(self, finding: str) -> set[str]:
        """Conditions that have the finding, or a more general kind of it, as a typical finding."""
        known = self.findings.get(finding)
        if known is None:
            return set()
        out = set(self.conditions_with_typical.get(finding, ()))
        for general in known.kinds:
            out |= self.conditions_with_typical.get(general, frozenset())
        return out

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


#: Runs a named `queries/` file and returns its rows as dicts; with `(variable, IRIs)` only the rows
#: whose variable is one of those IRIs (a `VALUES` clause), which is how a store-backed service reads
#: single terms without holding the whole graph.
#: A row's values are rdflib terms (`Row`), or plain strings and booleans where a store is read
#: natively (`kg.stores.oxigraph.native_rows`): the readers below only take `str()` of them, or `_bool`.
IndexRow = Mapping[str, object]
Rows = Callable[..., Sequence[IndexRow]]


def _graph_rows(queries: QueryLibrary, graph: Graph) -> Rows:
    def rows(name: str, variable: str | None = None, iris: Collection[str] | None = None) -> list[Row]:
        return queries.rows(name, graph, variable, iris)

    return rows


def _term_data(
    rows: Rows, iris: Collection[str] | None
) -> tuple[dict[str, list[str]], dict[str, list[str]], dict[str, list[MappingRef]]]:
    synonyms: dict[str, list[str]] = defaultdict(list)
    for row in rows("index/list-synonyms", "term", iris):
        synonyms[str(row["term"])].append(str(row["synonym"]))
    term_sources: dict[str, list[str]] = defaultdict(list)
    for row in rows("index/list-term-sources", "term", iris):
        term_sources[str(row["term"])].append(str(row["source"]))
    mapping_rows = rows("index/list-term-mappings", "term", iris)
    # how each mapping was checked, from its axiom: read for the terms that have mappings only
    justifications: dict[tuple[str, str, str], str] = {}
    if mapping_rows:
        mapped = None if iris is None else {str(r["term"]) for r in mapping_rows}
        for row in rows("index/list-mapping-annotations", "term", mapped):
            if row.get("justification") is not None:
                justifications.setdefault(
                    (str(row["term"]), str(row["relation"]), str(row["code"])), str(row["justification"])
                )
    mappings: dict[str, list[MappingRef]] = defaultdict(list)
    for row in mapping_rows:
        code_iri = str(row["code"])
        relation = "skos:" + str(row["relation"]).rsplit("#", 1)[-1]
        mappings[str(row["term"])].append(
            MappingRef(
                str(row["scheme"]),
                _code_from_iri(code_iri),
                code_iri,
                _s(row.get("codeLabel")),
                relation,
                justifications.get((str(row["term"]), str(row["relation"]), code_iri)),
            )
        )
    return synonyms, term_sources, mappings


def read_sources(rows: Rows, iris: Collection[str] | None = None) -> dict[str, SourceRef]:
    """Cited passages (all, or those IRIs)."""
    sources = {}
    for row in rows("index/list-sources", "passage", iris):
        title = str(row["title"]) + (f", section \u201c{row['section']}\u201d" if row.get("section") else "")
        sources[str(row["passage"])] = SourceRef(str(row["passage"]), title, str(row["quote"]))
    return sources


def read_body_systems(rows: Rows) -> dict[str, BodySystem]:
    found = rows("index/list-body-systems")
    synonyms: dict[str, list[str]] = defaultdict(list)
    for row in rows("index/list-synonyms", "term", [str(r["system"]) for r in found]):
        synonyms[str(row["term"])].append(str(row["synonym"]))
    return {
        str(r["system"]): BodySystem(
            str(r["system"]), str(r["label"]), _s(r.get("definition")), tuple(synonyms[str(r["system"])])
        )
        for r in found
    }


def read_sites(rows: Rows) -> dict[str, Site]:
    """Every anatomical site with its names and the sites it is part of (`index/list-sites`)."""
    labels: dict[str, str] = {}
    wider: dict[str, set[str]] = defaultdict(set)
    for row in rows("index/list-sites"):
        labels.setdefault(str(row["site"]), str(row["label"]))
        if row.get("wider") is not None:
            wider[str(row["site"])].add(str(row["wider"]))
    synonyms: dict[str, list[str]] = defaultdict(list)
    for row in rows("index/list-synonyms", "term", list(labels)):
        synonyms[str(row["term"])].append(str(row["synonym"]))
    return {iri: Site(iri, label, tuple(synonyms[iri]), frozenset(wider[iri]) - {iri}) for iri, label in labels.items()}


def read_urgency_levels(rows: Rows) -> dict[str, UrgencyLevel]:
    return {
        str(r["level"]): UrgencyLevel(
            str(r["level"]),
            str(r["label"]),
            int(str(r["rank"])),
            str(r.get("definition") or ""),
            str(r.get("advice") or ""),
        )
        for r in rows("index/list-urgency-levels")
    }


def read_findings(rows: Rows, iris: Collection[str] | None = None, names: bool = True) -> dict[str, Finding]:
    """Findings (all, or those IRIs), each with its whole subsumption closure and warning-sign urgency.

    `names=False` leaves out what only a reader of the term itself needs (synonyms, sources, mappings:
    three queries of as many rows as the rest), for records that scoring alone reads: the findings a
    remote store's outline or write-up reaches, thousands on the HPO graph (`kg.knowledge.remote`)."""
    if names:
        synonyms, term_sources, mappings = _term_data(rows, iris)
    else:
        synonyms, term_sources, mappings = defaultdict(list), defaultdict(list), defaultdict(list)
    kinds: dict[str, set[str]] = defaultdict(set)
    for row in rows("index/list-finding-kinds", "finding", iris):
        kinds[str(row["finding"])].add(str(row["general"]))
    warnings: dict[str, list[tuple[int, str, str | None]]] = defaultdict(list)
    warning_rows = rows("index/list-warning-signs", "finding", iris)
    warned = None if iris is None else {str(r["finding"]) for r in warning_rows}
    passages = _sources_by(
        rows("index/list-warning-sign-sources", "finding", warned) if warned != set() else [], "finding", "urgency"
    )
    for row in warning_rows:
        finding, urgency = str(row["finding"]), str(row["urgency"])
        for source in passages.get((finding, urgency), [None]):
            warnings[finding].append((int(str(row["rank"])), urgency, source))
    findings: dict[str, Finding] = {}
    for row in rows("index/list-findings", "finding", iris):
        iri = str(row["finding"])
        if iri in findings:
            continue
        warns = sorted(warnings.get(iri, []), reverse=True)
        top = warns[0][1] if warns else None
        findings[iri] = Finding(
            iri=iri,
            label=str(row["label"]),
            synonyms=tuple(synonyms[iri]),
            definition=_s(row.get("definition")),
            category=str(row["category"]),
            category_label=str(row["categoryLabel"]),
            kinds=frozenset(kinds[iri] - {iri}),
            warrants=top,
            warrant_sources=tuple(dict.fromkeys(s for r, u, s in warns if s and u == top)),
            is_warning=bool(warns),
            sources=tuple(term_sources[iri]),
            mappings=tuple(mappings[iri]),
            minimum_temperature=_float(row.get("minimumTemperature")),
            maximum_period_days=_int(row.get("maximumPeriodDays")),
            question=_s(row.get("question")),
        )
    return findings


def read_risk_factors(rows: Rows, iris: Collection[str] | None = None) -> dict[str, RiskFactor]:
    """Risk factors (all, or those IRIs) with their names, question, age range, sex and history. The
    names, sources and mappings are read for the risk factors found (a short list), never for every
    term of the graph (403,122 synonym rows at 1000x, a minute over a remote store)."""
    found = rows("index/list-risk-factors", "riskFactor", iris)
    synonyms, term_sources, mappings = _term_data(rows, {str(row["riskFactor"]) for row in found})
    out: dict[str, RiskFactor] = {}
    for row in found:
        iri = str(row["riskFactor"])
        out.setdefault(
            iri,
            RiskFactor(
                iri=iri,
                label=str(row["label"]),
                synonyms=tuple(synonyms[iri]),
                definition=_s(row.get("definition")),
                question=_s(row.get("question")),
                sources=tuple(term_sources[iri]),
                mappings=tuple(mappings[iri]),
                minimum_age=_int(row.get("minimumAge")),
                maximum_age=_int(row.get("maximumAge")),
                sex=_s(row.get("sex")),
                history_of=_s(row.get("historyOf")),
            ),
        )
    return out


def _sources_by(rows: Iterable[IndexRow], subject: str, target: str) -> dict[tuple[str, str], list[str]]:
    """The `?source` column of rows by their (subject, target) columns, each passage once, in order."""
    out: dict[tuple[str, str], list[str]] = defaultdict(list)
    for row in rows:
        key, source = (str(row[subject]), str(row[target])), str(row["source"])
        if source not in out[key]:
            out[key].append(source)
    return dict(out)


def _sourced_links(
    rows: Sequence[IndexRow], column: str, passages: Mapping[tuple[str, str], list[str]] | None = None
) -> dict[str, tuple[SourcedLink, ...]]:
    """Per condition, its links to `column` with their sources (a `?source` column of the rows, or
    `passages` by (condition, target)), each target once (its own link wins over an inherited one,
    whatever order the rows come in)."""
    table: dict[str, dict[str, tuple[list[str], bool]]] = defaultdict(dict)
    for row in rows:
        links = table[str(row["condition"])]
        target = str(row[column])
        sources, inferred = links.get(target, ([], True))
        links[target] = (sources, inferred and _bool(row.get("inferred", False)))
        said = [str(row["source"])] if row.get("source") is not None else []
        for source in said + (passages or {}).get((str(row["condition"]), target), []):
            if source not in sources:
                sources.append(source)
    return {
        condition: tuple(SourcedLink(t, tuple(srcs), inf) for t, (srcs, inf) in sorted(links.items()))
        for condition, links in table.items()
    }


def link_annotations(
    rows: Rows, variable: str, iris: Collection[str] | None
) -> dict[tuple[str, str, str], tuple[tuple[str, ...], float | None]]:
    """What the axioms of condition–finding links say (`index/list-link-annotations`), by (origin,
    property, finding): the cited passages in order, and the frequency; for the links whose `origin`
    (the condition stating them) or `finding` is one of `iris`, or every link for None."""
    said: dict[tuple[str, str, str], tuple[list[str], list[float]]] = {}
    if iris is not None and not iris:
        return {}
    for row in rows("index/list-link-annotations", variable, iris):
        sources, values = said.setdefault((str(row["origin"]), str(row["property"]), str(row["finding"])), ([], []))
        if row.get("source") is not None and str(row["source"]) not in sources:
            sources.append(str(row["source"]))
        value = _fraction(row.get("frequency"))
        if value is not None and not values:
            values.append(value)
    return {key: (tuple(sources), values[0] if values else None) for key, (sources, values) in said.items()}


def condition_links(
    link_rows: Iterable[IndexRow], annotations: Mapping[tuple[str, str, str], tuple[tuple[str, ...], float | None]]
) -> dict[str, tuple[FindingLink, ...]]:
    """Each condition's finding links from rows of `index/list-condition-links` and what their axioms
    say (`link_annotations`). A link the condition has itself and also from a more general condition
    counts as its own (not inferred), whatever order the rows come in; its frequency is its own when it
    has one, else the one it inherits (never both kept)."""
    links: dict[str, dict[tuple[str, str], tuple[list[str], bool]]] = defaultdict(dict)
    frequencies: dict[tuple[str, str, str], tuple[bool, float | None]] = {}
    for row in link_rows:
        key = (str(row["finding"]), str(row["relation"]))
        table = links[str(row["condition"])]
        sources, inferred = table.get(key, ([], True))
        row_inferred = _bool(row.get("inferred"))
        table[key] = (sources, inferred and row_inferred)
        said_sources, value = annotations.get((str(row["origin"]), str(row["property"]), key[0]), ((), None))
        sources.extend(s for s in said_sources if s not in sources)
        if value is not None:
            where = (str(row["condition"]), *key)
            known = frequencies.get(where)
            if known is None or (known[0] and not row_inferred):
                frequencies[where] = (row_inferred, value)
    return {
        iri: tuple(
            FindingLink(f, LinkRelation(rel), tuple(srcs), inf, frequencies.get((iri, f, rel), (True, None))[1])
            for (f, rel), (srcs, inf) in sorted(table.items())
        )
        for iri, table in links.items()
    }


def read_conditions(rows: Rows, iris: Collection[str] | None = None) -> dict[str, Condition]:
    """Conditions (all, or those IRIs) with their finding links, body systems, causes and mappings."""
    synonyms, term_sources, mappings = _term_data(rows, iris)
    link_rows = rows("index/list-condition-links", "condition", iris)
    origins = None if iris is None else {str(r["origin"]) for r in link_rows}
    links = condition_links(link_rows, link_annotations(rows, "origin", origins))
    body: dict[str, list[tuple[str, bool]]] = defaultdict(list)
    for row in rows("index/list-condition-body-systems", "condition", iris):
        body[str(row["condition"])].append((str(row["system"]), _bool(row.get("inferred"))))
    causes: dict[str, list[str]] = defaultdict(list)
    for row in rows("index/list-condition-causes", "condition", iris):
        causes[str(row["condition"])].append(str(row["cause"]))
    risks = _sourced_links(
        rows("index/list-condition-risk-factors", "condition", iris),
        "riskFactor",
        _sources_by(rows("index/list-risk-factor-sources", "condition", iris), "condition", "riskFactor"),
    )
    complications = _sourced_links(
        rows("index/list-condition-complications", "condition", iris),
        "finding",
        _sources_by(rows("index/list-complication-sources", "condition", iris), "condition", "finding"),
    )
    kinds: dict[str, set[str]] = defaultdict(set)
    for row in rows("index/list-condition-kinds", "condition", iris):
        kinds[str(row["condition"])].add(str(row["general"]))
    conditions: dict[str, Condition] = {}
    for row in rows("index/list-conditions", "condition", iris):
        iri = str(row["condition"])
        conditions[iri] = Condition(
            iri=iri,
            label=str(row["label"]),
            synonyms=tuple(synonyms[iri]),
            definition=_s(row.get("definition")),
            urgency=str(row.get("urgency") or ""),
            body_systems=tuple(body[iri]),
            causes=tuple(causes[iri]),
            links=links.get(iri, ()),
            sources=tuple(term_sources[iri]),
            mappings=tuple(mappings[iri]),
            risk_factors=risks.get(iri, ()),
            complication_signs=complications.get(iri, ()),
            kinds=frozenset(kinds[iri]),
        )
    return conditions


def _fraction(value: object) -> float | None:
    """A literal's number kept to [0, 1] whatever the data says, or None for none or one that is not
    a number (the shapes refuse both)."""
    if value is None:
        return None
    try:
        number = float(str(value))
    except ValueError:
        return None
    return min(max(number, 0.0), 1.0) if math.isfinite(number) else None


@dataclass
class _RuleRows:
    """One urgency rule as read from its rows: the first row (kind, label, definition, minimum, urgency)
    and the triggers and sources of all of them, in order, each once."""

    row: IndexRow
    triggers: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)


def read_rules(rows: Rows) -> tuple[UrgencyRule, ...]:
    rule_rows: dict[str, _RuleRows] = {}
    for row in rows("index/list-urgency-rules"):
        entry = rule_rows.setdefault(str(row["rule"]), _RuleRows(row))
        for values, column in ((entry.triggers, "trigger"), (entry.sources, "source")):
            value = row.get(column)
            if value is not None and str(value) not in values:
                values.append(str(value))
    return tuple(
        UrgencyRule(
            iri,
            RuleKind(str(e.row["kind"])),
            str(e.row["label"]),
            _s(e.row.get("definition")),
            tuple(e.triggers),
            int(str(e.row["minimum"])),
            _s(e.row.get("urgency")),
            tuple(e.sources),
        )
        for iri, e in rule_rows.items()
    )


def assemble_index(
    systems: dict[str, BodySystem],
    levels: dict[str, UrgencyLevel],
    conditions: dict[str, Condition],
    findings: dict[str, Finding],
    rules: tuple[UrgencyRule, ...],
    sources: dict[str, SourceRef],
    condition_count: int | None = None,
    typical_counts: dict[str, int] | None = None,
    version: str = "",
    sites: dict[str, Site] | None = None,
    risk_factors: dict[str, RiskFactor] | None = None,
) -> TermIndex:
    """An index over these terms with its lookup maps. A partial index (a store-backed service's view
    for one assessment) passes the whole graph's `condition_count` and `typical_counts`, which the
    scoring needs and which its own few conditions cannot tell."""
    direct: dict[str, set[str]] = defaultdict(set)
    for condition in conditions.values():
        for link in condition.typical:
            direct[link.finding].add(condition.iri)
    narrower: dict[str, set[str]] = defaultdict(set)
    for iri, finding in findings.items():
        for general in finding.kinds:
            narrower[general].add(iri)
    if typical_counts is None:
        typical_counts = {finding: len(holders) for finding, holders in direct.items()}
    return TermIndex(
        systems,
        levels,
        conditions,
        findings,
        rules,
        sources,
        {k: frozenset(v) for k, v in direct.items()},
        {k: frozenset(v) for k, v in narrower.items()},
        len(conditions) if condition_count is None else condition_count,
        typical_counts,
        version,
        sites or {},
        risk_factors or {},
    )


def build_index(graph: Graph, queries: QueryLibrary, version: str = "", rows: Rows | None = None) -> TermIndex:
    """Run the index queries once over the whole graph and assemble the full index; `rows` runs them
    another way (natively in the store) where the caller has one."""
    rows = rows or _graph_rows(queries, graph)
    return assemble_index(
        read_body_systems(rows),
        read_urgency_levels(rows),
        read_conditions(rows),
        read_findings(rows),
        read_rules(rows),
        read_sources(rows),
        version=version,
        sites=read_sites(rows),
        risk_factors=read_risk_factors(rows),
    )


def by_label(items: Iterable[Condition | Finding]) -> list[str]:
    """The IRIs of these terms in display order: by label, ignoring case, then by IRI."""
    return [item.iri for item in sorted(items, key=lambda item: (item.label.casefold(), item.iri))]


def _bool(value: object) -> bool:
    """A boolean column: an rdflib literal, a plain `bool`, or a plain lexical form (an engine that
    writes booleans as 1 and 0 included)."""
    if isinstance(value, Literal):
        return bool(value.toPython())
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1")
    return bool(value)


def _code_from_iri(iri: str) -> str:
    """`http://purl.obolibrary.org/obo/HP_0004417` -> `HP:0004417`; ICD-10-CM IRIs -> the code."""
    from kg.core.namespaces import to_curie

    curie = to_curie(iri)
    prefix, _, local = curie.partition(":")
    return local if prefix == "ICD10CM" else curie


def _float(value: object) -> float | None:
    return None if value is None else float(str(value))


def _int(value: object) -> int | None:
    return None if value is None else int(str(value))
