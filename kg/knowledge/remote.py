"""`StoreKnowledge`: the graph read from a remote store per request, nothing copied.

It asks the store with the same `queries/index` files that build the in-memory index, restricted to the
terms in hand by a `VALUES` clause. It caches the terms it has read, a few small lists and the term
names, all dropped when the store's data version changes (checked at most every
`Settings.store_cache_ttl_s` seconds), so several API workers can share one store that `legpain load`
rewrites.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import TypeVar, cast

from rdflib import Dataset

from kg.core.records import (
    BodySystem,
    Condition,
    Finding,
    FindingLink,
    LinkRelation,
    RiskFactor,
    Site,
    SourceRef,
    UrgencyLevel,
    UrgencyRule,
)
from kg.knowledge.index import (
    IndexRow,
    Rows,
    TermIndex,
    assemble_index,
    by_label,
    condition_links,
    link_annotations,
    read_body_systems,
    read_conditions,
    read_findings,
    read_risk_factors,
    read_rules,
    read_sites,
    read_sources,
    read_urgency_levels,
)
from kg.sparql.library import QueryLibrary, sort_rows
from kg.stores.base import StoreBackend, loaded_version, store_call
from kg.stores.errors import StoreEngineError
from kg.stores.sparql import plain_rows, sparql_client

log = logging.getLogger(__name__)

T = TypeVar("T")
#: A named query asked with its parameters, comparable: (name, variable, IRIs, inline).
_Asked = tuple[str, str | None, frozenset[str] | None, bool]
#: Queries of one read sent to the store at once (`StoreKnowledge._prefetched`): the store works on
#: them side by side instead of one round trip after another.
PARALLEL_QUERIES = 6
#: what the axioms of condition–finding links say, by (origin, property, finding): passages, frequency
_Annotations = dict[tuple[str, str, str], tuple[tuple[str, ...], float | None]]


class StoreKnowledge:
    """Reads the graph from its store per request (see the module docstring)."""

    #: Terms kept per kind before the cache starts over (a bound on memory, not a working-set policy).
    MAX_CACHED = 50_000

    def __init__(self, backend: StoreBackend, dataset: Dataset, queries: QueryLibrary, ttl_s: float = 2.0) -> None:
        self.backend = backend
        self.dataset = dataset
        self.queries = queries
        self.ttl_s = ttl_s
        self._client = sparql_client(dataset)
        self._lock = threading.RLock()
        self._version: str | None = None
        self._checked = 0.0
        #: kind -> key -> value; each kind holds values of one type, which `_cached` and `_many` know
        self._cache: dict[str, dict[str, object]] = defaultdict(dict)
        self._pool: ThreadPoolExecutor | None = None
        self.data_version()  # fail now, clearly, when the store is unreachable or not loaded
        self._check_engine()

    def _check_engine(self) -> None:
        """Refuse a store whose engine evaluates property paths against SPARQL 1.1: the pairs of
        `queries/store/engine-check.rq` must agree, and so must `engine-check-values.rq` run for a
        batch of findings and for each alone. Every lookup reads paths, and wrong rows would be wrong
        candidates and urgencies, so such a store is not served at all."""
        rows = self._rows("store/engine-check")
        row = rows[0] if rows else {}
        pairs = (("joined", "selectedFirst"), ("optionalPath", "optionalSteps"))
        counts = {name: int(str(row[name])) if row.get(name) is not None else None for pair in pairs for name in pair}
        sample = [str(r["finding"]) for r in self._rows("store/engine-check-sample")]
        batch = self._rows("store/engine-check-values", "finding", sample)
        alone = [r for iri in sample for r in self._rows("store/engine-check-values", "finding", [iri])]
        counts["batched"], counts["oneByOne"] = len(batch), len(alone)
        agree = sorted(map(_path_row, batch)) == sorted(map(_path_row, alone))
        if agree and all(counts[a] is not None and counts[a] == counts[b] for a, b in pairs):
            return
        told = ", ".join(f"{name} {'unbound' if n is None else n}" for name, n in counts.items())
        raise StoreEngineError.about(
            self.backend,
            f"evaluates SPARQL 1.1 property paths wrongly (two forms of the same question disagree: {told}), "
            "so legpain's lookups over it would be wrong and it is not served; `legpain load` still fills it "
            "for other SPARQL clients (see the README, Stores)",
        )

    # ------------------------------------------------------------------ store access
    def _rows(
        self, name: str, variable: str | None = None, iris: Collection[str] | None = None, inline: bool = True
    ) -> Sequence[IndexRow]:
        """A named query's rows; over a SPARQL server as plain values read from its JSON results
        (`kg.stores.sparql.plain_rows`: no rdflib term per value), else as rdflib terms."""
        # a query with FROM clauses (a replaced query folder may have one) keeps rdflib's checks
        client = None if self.queries.get(name).checked.has_dataset_clause else self._client

        def run() -> Sequence[IndexRow]:
            if client is None:
                return self.queries.rows(name, self.dataset, variable, iris, inline=inline)
            # sorted here, not by the server: sorting is most of some queries' time there, and the
            # rows of several VALUES batches come sorted only within each batch
            texts = self.queries.standalone(name, variable, iris, inline=inline, ordered=False)
            rows = [row for text in texts for row in plain_rows(client, text)]
            keys = self.queries.get(name).order
            return sort_rows(rows, keys) if keys else rows

        return store_call(self.backend, f"answer the query {name}", run)

    def _prefetched(self, read: Callable[[Rows, list[str]], Mapping[str, T]], iris: list[str]) -> Mapping[str, T]:
        """`read(rows, iris)` with the queries it asks first sent to the store side by side.

        A reader asks several queries that do not depend on each other (a finding's names, sources,
        mappings, kinds, warnings ...); one after another, each waits for the last one's round trip.
        A first pass runs `read` against a recorder that answers every query with no rows, which
        tells which queries it asks before it has seen any answer; those are sent at once (at most
        `PARALLEL_QUERIES`), and the real pass is served their answers, asking the store itself only
        for what depends on one (a mapping's axioms, for the terms that have mappings)."""
        asked: dict[_Asked, None] = {}

        def record(
            name: str, variable: str | None = None, found: Collection[str] | None = None, inline: bool = True
        ) -> Sequence[IndexRow]:
            asked[_key(name, variable, found, inline)] = None
            return []

        try:
            read(record, iris)
        except (LookupError, ValueError, TypeError):  # a reader that needs real rows to go on: ask as it goes
            asked.clear()
        answers: dict[_Asked, Sequence[IndexRow]] = {}
        if len(asked) > 1:
            keys = list(asked)
            if self._pool is None:
                with self._lock:
                    self._pool = self._pool or ThreadPoolExecutor(PARALLEL_QUERIES, thread_name_prefix="legpain-store")
            answers = dict(zip(keys, self._pool.map(lambda k: self._rows(*k), keys), strict=True))

        def served(
            name: str, variable: str | None = None, found: Collection[str] | None = None, inline: bool = True
        ) -> Sequence[IndexRow]:
            found = None if found is None else list(found)  # read twice below: never a one-shot iterator
            held = answers.get(_key(name, variable, found, inline))
            return held if held is not None else self._rows(name, variable, found, inline)

        return read(served, iris)

    def data_version(self) -> str:
        """The store's data version, read again at most every `ttl_s` seconds; a new one empties the
        caches. `StoreNotLoadedError` when the store holds no complete load."""
        now = time.monotonic()
        with self._lock:
            if self._version is not None and now - self._checked < self.ttl_s:
                return self._version
            version = store_call(
                self.backend, "tell its data version", lambda: loaded_version(self.backend, self.dataset, self.queries)
            )
            if version != self._version:
                if self._version is not None:
                    log.info("store data version changed (%s -> %s): caches dropped", self._version[:12], version[:12])
                self._cache.clear()
                self._version = version
            self._checked = now
            return version

    def _cached(self, kind: str, key: str, compute: Callable[[], T]) -> T:
        """The value under (kind, key), computed once per data version. Every caller of a kind and key
        passes the same `compute`, so what the cache holds there is a `T`."""
        self.data_version()
        table = self._cache[kind]
        if key not in table:
            value = compute()
            with self._lock:
                if len(table) >= self.MAX_CACHED:
                    table.clear()
                table[key] = value
        return cast(T, table[key])

    def _many(self, kind: str, iris: Iterable[str], read: Callable[[Rows, list[str]], Mapping[str, T]]) -> dict[str, T]:
        """Terms by IRI, reading the ones not cached in one batch (a missing term is cached as None).
        A kind is always read by the same `read`, so its non-None entries are `T`s."""
        self.data_version()
        wanted = list(dict.fromkeys(iris))
        table = self._cache[kind]
        missing = [iri for iri in wanted if iri not in table]
        if missing:
            found = self._prefetched(read, missing)
            with self._lock:
                if len(table) + len(missing) > self.MAX_CACHED:
                    table.clear()
                for iri in missing:
                    table[iri] = found.get(iri)
        return {iri: cast(T, table[iri]) for iri in wanted if table.get(iri) is not None}

    # ------------------------------------------------------------------ Knowledge
    def ontology_version(self) -> str:
        def read() -> str:
            rows = self._rows("store/ontology-version")
            return str(rows[0]["version"]) if rows else "unknown"

        return self._cached("lists", "ontology-version", read)

    def graph_sizes(self) -> dict[str, int]:
        """Triples per named graph, as the load recorded them (`queries/store/graph-sizes.rq`)."""
        return self._cached(
            "lists",
            "graph-sizes",
            lambda: {str(r["graph"]): int(str(r["triples"])) for r in self._rows("store/graph-sizes")},
        )

    def body_systems(self) -> dict[str, BodySystem]:
        return self._cached(
            "lists",
            "systems",
            lambda: dict(sorted(read_body_systems(self._rows).items(), key=lambda kv: (kv[1].label.casefold(), kv[0]))),
        )

    def urgency_levels(self) -> dict[str, UrgencyLevel]:
        return self._cached(
            "lists", "levels", lambda: dict(sorted(read_urgency_levels(self._rows).items(), key=lambda kv: kv[1].rank))
        )

    def rules(self) -> tuple[UrgencyRule, ...]:
        return self._cached("lists", "rules", lambda: read_rules(self._rows))

    def conditions(self, iris: Iterable[str]) -> dict[str, Condition]:
        return self._many("condition", iris, read_conditions)

    def findings(self, iris: Iterable[str]) -> dict[str, Finding]:
        return self._many("finding", iris, read_findings)

    def _scored_findings(self, iris: Iterable[str]) -> dict[str, Finding]:
        """Records of findings for scoring only (`read_findings(names=False)`: no synonyms, sources or
        mappings), cached apart from the whole ones, which are taken where already held: the findings
        an outline or a write-up reaches are thousands on HPO, and no answer shows those fields of
        them (an API client asks `findings` for a finding it wants whole)."""
        wanted = list(dict.fromkeys(iris))
        whole = self._cache["finding"]
        held = {iri: cast(Finding, whole[iri]) for iri in wanted if whole.get(iri) is not None}
        rest = [iri for iri in wanted if iri not in held]
        return {**held, **self._many("scored-finding", rest, partial(read_findings, names=False))} if rest else held

    def _all_risk_factors(self) -> dict[str, RiskFactor]:
        """Every risk factor, read in one query per data version (a short list)."""
        return self._cached(
            "lists",
            "risk-factors",
            lambda: dict(sorted(read_risk_factors(self._rows).items(), key=lambda kv: (kv[1].label.casefold(), kv[0]))),
        )

    def risk_factors(self, iris: Iterable[str]) -> dict[str, RiskFactor]:
        table = self._all_risk_factors()
        return {iri: table[iri] for iri in iris if iri in table}

    def risk_factor_iris(self) -> list[str]:
        return list(self._all_risk_factors())

    def conditions_with_risk_factor(self, risk_factor: str) -> list[str]:
        return self._cached(
            "with-risk-factor",
            risk_factor,
            lambda: self._condition_order(
                str(r["condition"])
                for r in self._rows("index/list-condition-risk-factors", "riskFactor", [risk_factor])
            ),
        )

    def risk_factor_names(self) -> dict[str, tuple[str, ...]]:
        return self._cached(
            "names",
            "risk factor",
            lambda: {iri: (r.label, *r.synonyms) for iri, r in self._all_risk_factors().items() if not r.is_age},
        )

    def sources(self, iris: Iterable[str]) -> tuple[SourceRef, ...]:
        ordered = list(dict.fromkeys(iris))
        found = self._many("source", ordered, read_sources)
        return tuple(found[iri] for iri in ordered if iri in found)

    def _condition_order(self, iris: Iterable[str]) -> list[str]:
        return by_label(self.conditions(iris).values())

    def condition_iris(self) -> list[str]:
        return self._cached(
            "lists",
            "conditions",
            lambda: list(dict.fromkeys(str(r["condition"]) for r in self._rows("index/list-conditions"))),
        )

    def finding_iris(self) -> list[str]:
        return self._cached(
            "lists",
            "findings",
            lambda: list(dict.fromkeys(str(r["finding"]) for r in self._rows("index/list-findings"))),
        )

    def _link_holders(self, findings: Collection[str], against: bool) -> set[str]:
        rows = self._rows("index/list-condition-links", "finding", findings)
        return {str(r["condition"]) for r in rows if (str(r["relation"]) == LinkRelation.AGAINST) == against}

    def conditions_with_finding(self, finding: str) -> list[str]:
        def compute() -> list[str]:
            f = self.findings([finding]).get(finding)
            return [] if f is None else self._condition_order(self._link_holders({finding} | f.kinds, False))

        return self._cached("with-finding", finding, compute)

    def conditions_against(self, finding: str) -> list[str]:
        return self._cached("against", finding, lambda: self._condition_order(self._link_holders({finding}, True)))

    def conditions_in_system(self, system: str) -> list[str]:
        return self._cached(
            "in-system",
            system,
            lambda: self._condition_order(
                str(r["condition"]) for r in self._rows("index/list-condition-body-systems", "system", [system])
            ),
        )

    def conditions_with_urgency(self, level: str) -> list[str]:
        return self._cached(
            "with-urgency",
            level,
            lambda: self._condition_order(
                str(r["condition"]) for r in self._rows("index/list-conditions", "urgency", [level], inline=False)
            ),
        )

    def conditions_caused_by(self, cause: str) -> list[str]:
        return self._cached(
            "caused-by",
            cause,
            lambda: self._condition_order(
                str(r["condition"]) for r in self._rows("index/list-condition-causes", "cause", [cause])
            ),
        )

    def narrower_findings(self, finding: str) -> list[str]:
        return self._cached(
            "narrower", finding, lambda: by_label(self.findings(self._narrower_of([finding])[finding]).values())
        )

    def _narrower_of(self, findings: Iterable[str]) -> dict[str, tuple[str, ...]]:
        """The findings more specific than each of these, read in one query for those not cached."""

        def read(rows: Rows, iris: list[str]) -> dict[str, tuple[str, ...]]:
            below: dict[str, list[str]] = {iri: [] for iri in iris}
            for r in rows("index/list-narrower-findings", "general", iris):
                below[str(r["general"])].append(str(r["finding"]))
            return {iri: tuple(dict.fromkeys(found)) for iri, found in below.items()}

        return self._many("narrower-iris", findings, read)

    def narrower_conditions(self, condition: str) -> list[str]:
        return self._cached(
            "narrower-conditions",
            condition,
            lambda: self._condition_order(
                str(r["condition"]) for r in self._rows("index/list-condition-kinds", "general", [condition])
            ),
        )

    def complication_signs(self) -> list[str]:
        return self._cached(
            "lists",
            "complication-signs",
            lambda: by_label(
                self.findings(
                    dict.fromkeys(str(r["finding"]) for r in self._rows("index/list-condition-complications"))
                ).values()
            ),
        )

    def warning_signs(self, level: str) -> list[str]:
        return self._cached(
            "warning-signs",
            level,
            lambda: by_label(
                self.findings(
                    str(r["finding"]) for r in self._rows("index/list-warning-signs", "urgency", [level])
                ).values()
            ),
        )

    def _names(self, kind: str) -> dict[str, tuple[str, ...]]:
        def compute() -> dict[str, tuple[str, ...]]:
            name, column = (
                ("index/list-findings", "finding") if kind == "finding" else ("index/list-conditions", "condition")
            )
            names: dict[str, list[str]] = {}
            for r in self._rows(name):
                names.setdefault(str(r[column]), [str(r["label"])])
            for r in self._rows("index/list-synonyms"):
                if str(r["term"]) in names:
                    names[str(r["term"])].append(str(r["synonym"]))
            return {iri: tuple(labels) for iri, labels in names.items()}

        return self._cached("names", kind, compute)

    def finding_names(self) -> dict[str, tuple[str, ...]]:
        return self._names("finding")

    def condition_names(self) -> dict[str, tuple[str, ...]]:
        return self._names("condition")

    def sites(self) -> dict[str, Site]:
        return self._cached("lists", "sites", lambda: read_sites(self._rows))

    def _typical_counts(self, findings: Collection[str]) -> dict[str, int]:
        """How many conditions have each finding as a typical one: looked up in what the load recorded
        (`kg.stores.base.load_statistics`), or counted over the store when it recorded nothing."""
        name = "store/typical-counts" if self._recorded_counts() else "index/count-typical-conditions"

        def read(rows: Rows, iris: list[str]) -> dict[str, int]:
            return {str(r["finding"]): int(str(r["conditions"])) for r in rows(name, "finding", iris)}

        found = self._many("typical-count", findings, read)
        return {iri: int(found.get(iri, 0)) for iri in findings}

    def _recorded_counts(self) -> int | None:
        """The number of conditions as the load recorded it; None for a store loaded without counts."""

        def read() -> int | None:
            rows = self._rows("store/condition-count")
            return int(str(rows[0]["conditions"])) if rows else None

        return self._cached("lists", "recorded-condition-count", read)

    def _condition_count(self) -> int:
        recorded = self._recorded_counts()
        if recorded is not None:
            return recorded
        return self._cached(
            "lists", "condition-count", lambda: int(str(self._rows("index/count-conditions")[0]["conditions"]))
        )

    def index_for(self, present: Sequence[str], absent: Sequence[str]) -> TermIndex:
        """The part of the index an assessment of these findings reads (see
        `kg.knowledge.protocols.AssessmentReader`): every condition they touch, whole, read in a few
        batched queries. The scorer reads `outline_for` and `complete_for` instead (`StagedReader`),
        which read whole only the conditions its ranking gets to."""
        outline = self.outline_for(present, absent)
        return self.complete_for(present, absent, outline.touched([p for p in present if p in outline.findings]))

    def outline_for(self, present: Sequence[str], absent: Sequence[str]) -> TermIndex:
        """The reported findings, the findings more specific than each, and every condition linked to
        one of them or to a more general kind of a present one, holding only those links (with their
        frequencies; no passages, names or other links): enough for an upper bound of each condition's
        score (see `kg.assessment.scoring`), read in a few batched queries per new finding (its
        narrower findings, its links, their axioms, their typical counts), however many conditions
        the findings touch."""
        version = self.data_version()
        reported = self.findings([*present, *absent])
        reach: set[str] = set()
        narrower: set[str] = set()
        below_each = self._narrower_of(f for f in dict.fromkeys([*present, *absent]) if f in reported)
        for f, found in below_each.items():
            below = set(found)
            narrower |= below
            reach |= {f} | below | (reported[f].kinds if f in present else set())
        rows, annotations = self._links_of(reach)
        links = condition_links(rows, annotations)
        outline = {iri: _outline(iri, held) for iri, held in links.items()}
        findings = {**self._scored_findings(narrower), **reported}
        typical = {link.finding for c in outline.values() for link in c.typical}
        return assemble_index(
            self.body_systems(),
            self.urgency_levels(),
            outline,
            findings,
            self.rules(),
            {},
            self._condition_count(),
            self._typical_counts(typical),
            version,
            risk_factors=self._all_risk_factors(),
        )

    def _links_of(self, findings: Collection[str]) -> tuple[list[IndexRow], _Annotations]:
        """The condition links to these findings (`index/list-condition-links`) and what their axioms
        say, read for the findings not cached yet and cached per finding."""
        self.data_version()
        table = self._cache["links-to"]
        missing = [f for f in findings if f not in table]
        if missing:
            rows = self._rows("index/list-condition-links", "finding", missing)
            said = link_annotations(self._rows, "finding", missing)
            by_finding: dict[str, tuple[list[IndexRow], _Annotations]] = {f: ([], {}) for f in missing}
            for row in rows:
                by_finding[str(row["finding"])][0].append(row)
            for key, value in said.items():
                if key[2] in by_finding:
                    by_finding[key[2]][1][key] = value
            with self._lock:
                if len(table) + len(missing) > self.MAX_CACHED:
                    table.clear()
                table.update(by_finding)
        held = [cast(tuple[list[IndexRow], _Annotations], table[f]) for f in findings]
        return [r for rows, _ in held for r in rows], {k: v for _, said in held for k, v in said.items()}

    def complete_for(self, present: Sequence[str], absent: Sequence[str], conditions: Collection[str]) -> TermIndex:
        """The reported findings and these conditions, whole (every link, passage and name), with every
        finding they link to and the whole graph's counts the weights need: what scoring them exactly
        and writing them up reads."""
        version = self.data_version()
        reported = self.findings([*present, *absent])
        held = self.conditions(conditions)
        linked = {link.finding for c in held.values() for link in c.links}
        findings = {**reported, **self._scored_findings(linked - set(reported))}
        typical = {link.finding for c in held.values() for link in c.typical}
        rules = self.rules()
        cited = [s for c in held.values() for link in c.links for s in link.sources]
        cited += [s for c in held.values() for s in c.sources]
        cited += [s for c in held.values() for link in c.risk_factors for s in link.sources]
        cited += [s for f in findings.values() for s in f.warrant_sources]
        cited += [s for rule in rules for s in rule.sources]
        sources = {ref.iri: ref for ref in self.sources(cited)}
        return assemble_index(
            self.body_systems(),
            self.urgency_levels(),
            held,
            findings,
            rules,
            sources,
            self._condition_count(),
            self._typical_counts(typical),
            version,
            risk_factors=self._all_risk_factors(),
        )


def _outline(iri: str, links: tuple[FindingLink, ...]) -> Condition:
    """A condition known only by some of its links (`StoreKnowledge.outline_for`)."""
    return Condition(iri, "", (), None, "", (), (), links, (), ())


def _key(name: str, variable: str | None, iris: Collection[str] | None, inline: bool) -> _Asked:
    """A query as `_prefetched` compares them: the order of a `VALUES` block's IRIs changes no answer."""
    return name, variable, None if iris is None else frozenset(iris), inline


def _path_row(row: IndexRow) -> tuple[str, str, str]:
    """A row of `queries/store/engine-check-values.rq`, comparable."""
    return str(row.get("finding")), str(row.get("category")), str(row.get("wider"))
