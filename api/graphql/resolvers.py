"""Root resolvers, the per-request context, and the catalogue they read.

Resolvers stay thin. Every request gets its own `Catalog` over the `kg.knowledge.access.Knowledge` of the
service current when the request started (a reload swaps the service, never a running request's
view of it). The catalogue builds GraphQL objects on demand, memoises them by IRI for the request,
and reads through `Knowledge` in batches: a root list reads the records of its page at once, and a
relation field asked of one object of a list reads what all its siblings built so far need in the
same call (see `Catalog._batch`). With the graph in memory every read is a dictionary lookup; with a
remote store each batch is one round of SPARQL queries and nothing is kept beyond the request (the
store-backed `Knowledge` keeps its own bounded caches). Search and assessment call `kg`
(`LegPainService.search_findings`, `LegPainService.assess`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Annotated, Any, Generic, TypeVar

import strawberry
from graphql import GraphQLError
from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket

from api.graphql import types as t
from api.state import AppState, NotReadyError
from kg.assessment.interview import Interview as EngineInterview
from kg.assessment.patient import Patient, PatientInput, Sex
from kg.assessment.scoring import Assessment as EngineAssessment
from kg.assessment.scoring import Candidate as EngineCandidate
from kg.assessment.service import AssessmentRequest, LegPainService
from kg.assessment.text import Mention, MentionKind
from kg.core import records as rec
from kg.core.namespaces import from_curie, to_curie
from kg.core.settings import Settings

# ---------------------------------------------------------------------------------------- catalogue

T = TypeVar("T")

#: Findings read per store request when `symptoms(warningSignsOnly: true)` pages without a search.
FILTER_BATCH = 200

#: IRI -> CURIE, memoised across requests (objects are built per request; the prefix scan is their
#: largest cost). Bounded, so a graph with very many terms cannot grow it without limit.
_curie = lru_cache(maxsize=65_536)(to_curie)


class _Records(Generic[T]):
    """Records of one kind (`kg.knowledge.index.Condition`, `Finding`, `SourceRef`) read from `Knowledge` for one
    request, by IRI; an IRI the graph does not have is remembered as missing."""

    def __init__(self, read: Callable[[list[str]], Mapping[str, T]]) -> None:
        self._read = read
        self.known: dict[str, T | None] = {}

    def load(self, iris: Iterable[str]) -> None:
        """Read the IRIs not read yet, in one call."""
        known = self.known
        missing = [iri for iri in dict.fromkeys(iris) if iri not in known]
        if missing:
            found = self._read(missing)
            for iri in missing:
                known[iri] = found.get(iri)


Built = TypeVar("Built")


def _built(iris: list[str], records: _Records[T], memo: dict[str, Built], make: Callable[[T], Built]) -> list[Built]:
    """The objects of these IRIs, in order: those memoised, and the others built from their records,
    which are read in one call; an IRI the graph lacks is left out."""
    if any(iri not in memo for iri in iris):
        records.load(iris)
        for iri in iris:
            record = records.known.get(iri)
            if record is not None and iri not in memo:
                memo[iri] = make(record)
    return [memo[iri] for iri in iris if iri in memo]


def _label_key(item: t.Condition | t.Symptom | t.BodySystem) -> tuple[str, str]:
    return item.label.casefold(), item.iri


class Catalog:
    """The GraphQL objects one request reads, built on demand from `service.knowledge` and memoised by
    IRI; lists come back in the order the schema documents (terms by label, levels by rank)."""

    def __init__(self, service: LegPainService) -> None:
        self.service = service
        self.knowledge = knowledge = service.knowledge
        self._condition_records: _Records[rec.Condition] = _Records(knowledge.conditions)
        self._finding_records: _Records[rec.Finding] = _Records(knowledge.findings)
        self._risk_factor_records: _Records[rec.RiskFactor] = _Records(knowledge.risk_factors)
        self._source_records: _Records[rec.SourceRef] = _Records(
            lambda iris: {ref.iri: ref for ref in knowledge.sources(iris)}
        )
        self._conditions: dict[str, t.Condition] = {}
        self._symptoms: dict[str, t.Symptom] = {}
        self._risk_factors: dict[str, t.RiskFactor] = {}
        self._sources: dict[str, t.Source] = {}
        self._categories: dict[str, t.SymptomCategory] = {}
        self._levels: dict[str, t.UrgencyLevel] | None = None
        self._systems: dict[str, t.BodySystem] | None = None
        #: objects built so far, per kind, in build order; and per relation, how many of them its
        #: batches have covered (see `_batch`)
        self._built: dict[str, list[Any]] = {"condition": [], "symptom": []}
        self._covered: dict[str, int] = {}

    def _batch(self, kind: str, relation: str, records: _Records[Any], iris_of: Callable[[Any], Iterable[str]]) -> None:
        """Read, in one call, the records `relation` needs for every object of `kind` built so far whose
        `relation` no batch covered yet. A resolver calls this before answering for one object: graphql
        completes a list item by item, so when the first of 50 conditions asks for its symptoms, all 50
        exist, and their findings are read together instead of in 50 round trips."""
        built = self._built[kind]
        start = self._covered.get(relation, 0)
        if start < len(built):
            self._covered[relation] = len(built)
            records.load(iri for item in built[start:] for iri in iris_of(item))

    # ------------------------------------------------------------------ small lists
    def urgency_levels(self) -> dict[str, t.UrgencyLevel]:
        """Every urgency level, by rank."""
        if self._levels is None:
            self._levels = {
                u.iri: t.UrgencyLevel(
                    id=t.ID(_curie(u.iri)),
                    iri=u.iri,
                    label=u.label,
                    rank=u.rank,
                    description=u.definition,
                    advice=u.advice,
                )
                for u in sorted(self.knowledge.urgency_levels().values(), key=lambda u: u.rank)
            }
        return self._levels

    def body_systems(self) -> dict[str, t.BodySystem]:
        """Every body system, by label."""
        if self._systems is None:
            systems = [
                t.BodySystem(
                    id=t.ID(_curie(s.iri)), iri=s.iri, label=s.label, definition=s.definition, synonyms=list(s.synonyms)
                )
                for s in self.knowledge.body_systems().values()
            ]
            self._systems = {s.iri: s for s in sorted(systems, key=_label_key)}
        return self._systems

    # ------------------------------------------------------------------ terms by IRI
    def conditions(self, iris: Iterable[str]) -> list[t.Condition]:
        """The conditions of these IRIs that the graph has, in the given order."""
        iris = list(iris)
        memo = self._conditions
        if any(iri not in memo for iri in iris) and not self.urgency_levels():
            return []  # no urgency scale at all: the graph is unusable, not these conditions
        return _built(iris, self._condition_records, memo, self._new_condition)

    def condition(self, iri: str) -> t.Condition | None:
        found = self.conditions((iri,))
        return found[0] if found else None

    def _new_condition(self, c: rec.Condition) -> t.Condition:
        condition = t.Condition(
            id=t.ID(_curie(c.iri)), iri=c.iri, label=c.label, synonyms=list(c.synonyms), definition=c.definition, data=c
        )
        self._built["condition"].append(condition)
        return condition

    def finding_records(self, iris: Iterable[str]) -> dict[str, rec.Finding]:
        """The records of the findings of these IRIs that the graph has (read in one call)."""
        iris = list(iris)
        self._finding_records.load(iris)
        known = self._finding_records.known
        return {iri: f for iri in iris if (f := known.get(iri)) is not None}

    def symptoms(self, iris: Iterable[str]) -> list[t.Symptom]:
        """The findings of these IRIs that the graph has, in the given order."""
        return _built(list(iris), self._finding_records, self._symptoms, self._new_symptom)

    def symptom(self, iri: str) -> t.Symptom | None:
        found = self.symptoms((iri,))
        return found[0] if found else None

    def _new_symptom(self, f: rec.Finding) -> t.Symptom:
        category = self._categories.get(f.category)
        if category is None:
            category = self._categories[f.category] = t.SymptomCategory(
                id=t.ID(_curie(f.category)), iri=f.category, label=f.category_label
            )
        symptom = t.Symptom(
            id=t.ID(_curie(f.iri)),
            iri=f.iri,
            label=f.label,
            synonyms=list(f.synonyms),
            definition=f.definition,
            category=category,
            is_warning_sign=f.is_warning,
            question=f.question,
            data=f,
        )
        self._built["symptom"].append(symptom)
        return symptom

    def sources(self, iris: Iterable[str]) -> list[t.Source]:
        """The passages of these IRIs, once each, in the given order; unknown ones left out."""
        iris = list(dict.fromkeys(iris))
        memo = self._sources
        if any(iri not in memo for iri in iris):
            self._source_records.load(iris)
            records = self._source_records.known
            for iri in iris:
                ref = records.get(iri)
                if ref is not None and iri not in memo:
                    memo[iri] = t.Source(id=t.ID(_curie(iri)), iri=iri, title=ref.title, quote=ref.quote)
        return [memo[iri] for iri in iris if iri in memo]

    def risk_factors(self, iris: Iterable[str]) -> list[t.RiskFactor]:
        """The risk factors of these IRIs that the graph has, in the given order (each with its
        conditions and the passages it and its links cite), built once per request."""
        return _built(list(iris), self._risk_factor_records, self._risk_factors, self._new_risk_factor)

    def _new_risk_factor(self, r: rec.RiskFactor) -> t.RiskFactor:
        conditions = self.conditions(self.knowledge.conditions_with_risk_factor(r.iri))
        cited = [*r.sources]
        for c in conditions:
            cited += [s for link in c.data.risk_factors if link.target == r.iri for s in link.sources]
        return t.RiskFactor(
            id=t.ID(_curie(r.iri)),
            label=r.label,
            conditions=conditions,
            sources=self.sources(cited),
            synonyms=list(r.synonyms),
            definition=r.definition,
            question=r.question,
            minimum_age=r.minimum_age,
            maximum_age=r.maximum_age,
        )

    def cited(self, refs: Iterable[rec.SourceRef]) -> list[t.Source]:
        """Source objects for passages the engine already read, once each, in order."""
        memo = self._sources
        out: dict[str, t.Source] = {}
        for ref in refs:
            if ref.iri not in out:
                source = memo.get(ref.iri)
                if source is None:
                    source = memo[ref.iri] = t.Source(
                        id=t.ID(_curie(ref.iri)), iri=ref.iri, title=ref.title, quote=ref.quote
                    )
                out[ref.iri] = source
        return list(out.values())

    # ------------------------------------------------------------------ lists that Knowledge keeps
    def conditions_with_urgency(self, level: str) -> list[t.Condition]:
        return self.conditions(self.knowledge.conditions_with_urgency(level))

    def conditions_in_system(self, system: str) -> list[t.Condition]:
        return self.conditions(self.knowledge.conditions_in_system(system))

    def conditions_caused_by(self, cause: str) -> list[t.Condition]:
        return self.conditions(self.knowledge.conditions_caused_by(cause))

    def conditions_with_finding(self, finding: str) -> list[t.Condition]:
        return self.conditions(self.knowledge.conditions_with_finding(finding))

    def conditions_against(self, finding: str) -> list[t.Condition]:
        return self.conditions(self.knowledge.conditions_against(finding))

    def warning_signs(self, level: str) -> list[t.Symptom]:
        return self.symptoms(self.knowledge.warning_signs(level))

    def narrower(self, finding: str) -> list[t.Symptom]:
        return self.symptoms(self.knowledge.narrower_findings(finding))

    # ------------------------------------------------------------------ Condition relations
    def body_system_links(self, condition: t.Condition) -> list[t.BodySystemLink]:
        systems = self.body_systems()
        return [
            t.BodySystemLink(body_system=systems[s], inferred=inferred)
            for s, inferred in condition.data.body_systems
            if s in systems
        ]

    def _linked(self, condition: t.Condition, links: Iterable[rec.FindingLink]) -> dict[str, t.Symptom]:
        """The findings these links of the condition point to, by IRI; the first call reads the findings
        every condition built so far links to (typical, discriminating, against) in one batch."""
        self._batch("condition", "links", self._finding_records, lambda c: (link.finding for link in c.data.links))
        return {s.iri: s for s in self.symptoms(link.finding for link in links)}

    def typical_symptoms(self, condition: t.Condition) -> list[t.Symptom]:
        """Typical findings, discriminating ones first, then by label."""
        typical = condition.data.typical
        found = self._linked(condition, typical)
        ordered = sorted(
            (link for link in typical if link.finding in found),
            key=lambda link: (link.relation != "discriminating", found[link.finding].label.casefold()),
        )
        return [found[link.finding] for link in ordered]

    def symptoms_against(self, condition: t.Condition) -> list[t.Symptom]:
        found = self._linked(condition, condition.data.against)
        return [
            found[link.finding] for link in condition.data.links if link.relation == "against" and link.finding in found
        ]

    def symptom_links(self, condition: t.Condition) -> list[t.SymptomLink]:
        """Every link, by relation, then by the finding's label."""
        found = self._linked(condition, condition.data.links)
        known = sorted(
            (link for link in condition.data.links if link.finding in found),
            key=lambda link: (link.relation, found[link.finding].label.casefold()),
        )
        return [
            t.SymptomLink(
                symptom=found[link.finding],
                relation=t.SymptomRelation(link.relation),
                inferred=link.inferred,
                source_iris=link.sources,
            )
            for link in known
        ]

    def link_sources(self, link: t.SymptomLink) -> list[t.Source]:
        # the batch covers the links of every condition built so far: graphql completes one condition's
        # links (and their passages) before it builds the next condition's links
        self._batch(
            "condition",
            "link-sources",
            self._source_records,
            lambda c: (iri for link in c.data.links for iri in link.sources),
        )
        return self.sources(link.source_iris)

    def condition_urgency(self, condition: t.Condition) -> t.UrgencyLevel:
        levels = self.urgency_levels()
        return levels.get(condition.data.urgency) or next(iter(levels.values()))

    def causes(self, condition: t.Condition) -> list[t.Condition]:
        self._batch("condition", "causes", self._condition_records, lambda c: c.data.causes)
        return self.conditions(condition.data.causes)

    def condition_sources(self, condition: t.Condition) -> list[t.Source]:
        self._batch("condition", "condition-sources", self._source_records, lambda c: c.data.sources)
        return self.sources(condition.data.sources)

    # ------------------------------------------------------------------ Symptom relations
    def symptom_urgency(self, symptom: t.Symptom) -> t.UrgencyLevel | None:
        warrants = symptom.data.warrants
        return self.urgency_levels().get(warrants) if warrants else None

    def urgency_sources(self, symptom: t.Symptom) -> list[t.Source]:
        self._batch("symptom", "urgency-sources", self._source_records, lambda s: s.data.warrant_sources)
        return self.sources(symptom.data.warrant_sources)

    def broader(self, symptom: t.Symptom) -> list[t.Symptom]:
        """Every more general finding, by label."""
        self._batch("symptom", "broader", self._finding_records, lambda s: s.data.kinds)
        return sorted(self.symptoms(symptom.data.kinds), key=_label_key)

    def symptom_sources(self, symptom: t.Symptom) -> list[t.Source]:
        self._batch("symptom", "symptom-sources", self._source_records, lambda s: s.data.sources)
        return self.sources(symptom.data.sources)


# ------------------------------------------------------------------------------------------ context


@dataclass
class Context:
    """Built per request by the GraphQL view: what resolvers may read."""

    #: what strawberry's view passes (a WebSocket only for subscriptions, which this schema has none of)
    request: Request | WebSocket
    response: Response | WebSocket
    settings: Settings
    state: AppState
    #: this request's catalogue, over the service current when the request started; None while loading
    current: Catalog | None

    @property
    def catalog(self) -> Catalog:
        """The request's catalogue; `NotReadyError` while the graph loads (or when it failed)."""
        if self.current is None:
            raise NotReadyError(self.state.load_error or "the knowledge graph is still loading")
        return self.current


def _context(info: strawberry.Info) -> Context:
    context: Context = info.context
    return context


def _iri(raw: str) -> str:
    return from_curie(raw.strip())


def _limit(info: strawberry.Info, limit: int | None, default: int | None) -> int:
    """An explicit limit (already checked against the cap by `InputLimits`), or the default for an
    omitted or null one, never above the server's cap."""
    if limit is None or limit is strawberry.UNSET:
        cap = _context(info).settings.max_limit
        return cap if default is None else min(default, cap)
    return limit


# ------------------------------------------------------------------------------------------ lookups

Limit = Annotated[
    int | None,
    strawberry.argument(
        description="At most this many items; omit or null for as many as the server allows (its cap, 100 by default)."
    ),
]
Offset = Annotated[int, strawberry.argument(description="Skip this many items first (pagination).")]


def body_systems(info: strawberry.Info) -> list[t.BodySystem]:
    return list(_context(info).catalog.body_systems().values())


def body_system(info: strawberry.Info, id: t.ID) -> t.BodySystem | None:
    return _context(info).catalog.body_systems().get(_iri(id))


def urgency_levels(info: strawberry.Info) -> list[t.UrgencyLevel]:
    return list(_context(info).catalog.urgency_levels().values())


def urgency_level(info: strawberry.Info, id: t.ID) -> t.UrgencyLevel | None:
    return _context(info).catalog.urgency_levels().get(_iri(id))


def conditions(
    info: strawberry.Info,
    body_system: t.ID | None = strawberry.UNSET,
    urgency: t.ID | None = strawberry.UNSET,
    symptom: t.ID | None = strawberry.UNSET,
    search: Annotated[
        str | None,
        strawberry.argument(description="Only conditions whose label or a synonym matches, best match first."),
    ] = strawberry.UNSET,
    limit: Limit = strawberry.UNSET,
    offset: Offset = 0,
) -> list[t.Condition]:
    catalog = _context(info).catalog
    knowledge = catalog.knowledge
    unknown: list[tuple[str, str]] = []
    filters: list[Callable[[], list[str]]] = []
    if body_system is not None and body_system is not strawberry.UNSET:
        iri = _iri(body_system)
        if iri in catalog.body_systems():
            filters.append(lambda: knowledge.conditions_in_system(iri))
        else:
            unknown.append(("body system", body_system))
    if urgency is not None and urgency is not strawberry.UNSET:
        level = _iri(urgency)
        if level in catalog.urgency_levels():
            filters.append(lambda: knowledge.conditions_with_urgency(level))
        else:
            unknown.append(("urgency level", urgency))
    if symptom is not None and symptom is not strawberry.UNSET:
        finding = _iri(symptom)
        if catalog.finding_records((finding,)):
            filters.append(lambda: knowledge.conditions_with_finding(finding))
        else:
            unknown.append(("symptom", symptom))
    if unknown:
        raise GraphQLError(
            "; ".join(f"unknown {kind} ID: {raw}" for kind, raw in unknown),
            extensions={"code": "BAD_USER_INPUT", "unknown": [raw for _, raw in unknown]},
        )
    every = knowledge.condition_iris()
    if search and search.strip():
        ordered = [m.iri for m in catalog.service.search_conditions(search, len(every))]
    else:
        ordered = every
    for allowed in filters:
        keep = set(allowed())
        ordered = [iri for iri in ordered if iri in keep]
    limit = _limit(info, limit, None)
    return catalog.conditions(ordered[offset : offset + limit])


def condition(info: strawberry.Info, id: t.ID) -> t.Condition | None:
    return _context(info).catalog.condition(_iri(id))


def symptom(info: strawberry.Info, id: t.ID) -> t.Symptom | None:
    return _context(info).catalog.symptom(_iri(id))


def symptoms(
    info: strawberry.Info,
    search: Annotated[
        str | None,
        strawberry.argument(
            description='A label, synonym or lay phrase ("pins and needles"); omit to list every finding by label.'
        ),
    ] = strawberry.UNSET,
    limit: Annotated[int | None, strawberry.argument(description="At most this many (the server caps it).")] = 20,
    offset: Offset = 0,
    warning_signs_only: Annotated[
        bool, strawberry.argument(description="Only findings that are warning signs.")
    ] = False,
) -> list[t.Symptom]:
    return [m.symptom for m in symptom_matches(info, search, limit, offset, warning_signs_only)]


def _warning_signs_page(catalog: Catalog, iris: list[str], offset: int, limit: int) -> list[str]:
    """The page of warning signs among these findings (in their order), reading the findings' records
    in batches until the page is full."""
    wanted = offset + limit
    chosen: list[str] = []
    for start in range(0, len(iris), FILTER_BATCH):
        if len(chosen) >= wanted:
            break
        records = catalog.finding_records(iris[start : start + FILTER_BATCH])
        chosen.extend(iri for iri, f in records.items() if f.is_warning)
    return chosen[offset:wanted]


def symptom_matches(
    info: strawberry.Info,
    search: Annotated[
        str | None,
        strawberry.argument(description="A label, synonym or lay phrase; omit to list every finding by label."),
    ] = strawberry.UNSET,
    limit: Annotated[int | None, strawberry.argument(description="At most this many (the server caps it).")] = 20,
    offset: Offset = 0,
    warning_signs_only: Annotated[
        bool, strawberry.argument(description="Only findings that are warning signs.")
    ] = False,
) -> list[t.SymptomMatch]:
    catalog = _context(info).catalog
    limit = _limit(info, limit, 20)
    if limit <= 0:
        return []
    every = catalog.knowledge.finding_iris()
    if not search or not search.strip():
        page = (
            _warning_signs_page(catalog, every, offset, limit) if warning_signs_only else every[offset : offset + limit]
        )
        return [t.SymptomMatch(symptom=s, score=1.0, matched=s.label) for s in catalog.symptoms(page)]
    wanted = offset + limit
    # search everything when filtering, so the filter cannot starve the page
    matches = catalog.service.search_findings(search, len(every) if warning_signs_only else wanted)
    records = catalog.finding_records(m.iri for m in matches)
    matches = [m for m in matches if m.iri in records and (records[m.iri].is_warning or not warning_signs_only)]
    matches = matches[offset:wanted]
    found = {s.iri: s for s in catalog.symptoms(m.iri for m in matches)}
    return [t.SymptomMatch(symptom=found[m.iri], score=m.score, matched=m.matched) for m in matches]


# ---------------------------------------------------------------------------------------- reasoning


class _Answer:
    """The objects an engine answer points to, read in one batch per kind."""

    def __init__(self, catalog: Catalog, conditions: Iterable[str], findings: Iterable[str]) -> None:
        self.conditions = {c.iri: c for c in catalog.conditions(dict.fromkeys(conditions))}
        self.symptoms = {s.iri: s for s in catalog.symptoms(dict.fromkeys(findings))}

    def symptom_list(self, iris: Iterable[str]) -> list[t.Symptom]:
        return [self.symptoms[iri] for iri in iris if iri in self.symptoms]


def _findings_of(candidates: Iterable[EngineCandidate]) -> list[str]:
    return [iri for c in candidates for iri in (*c.supporting, *c.missing, *c.conflicting)]


def _candidate(catalog: Catalog, answer: _Answer, c: EngineCandidate) -> t.Candidate | None:
    condition = answer.conditions.get(c.condition)
    if condition is None:
        return None
    return t.Candidate(
        condition=condition,
        rank=c.rank,
        score=c.score,
        supporting=answer.symptom_list(c.supporting),
        missing=answer.symptom_list(c.missing),
        conflicting=answer.symptom_list(c.conflicting),
        explanation=c.explanation,
        sources=catalog.cited(c.sources),
        risk_factors=catalog.risk_factors(c.risk_factors),
    )


def _candidates(catalog: Catalog, answer: _Answer, ranked: Iterable[EngineCandidate]) -> list[t.Candidate]:
    return [candidate for c in ranked if (candidate := _candidate(catalog, answer, c)) is not None]


SymptomIds = Annotated[
    list[t.ID],
    strawberry.argument(
        description="Reported findings: IDs from `symptoms(search:)` (CURIEs; full IRIs are accepted too)."
    ),
]
OptionalSymptomIds = Annotated[
    Sequence[t.ID] | None,
    strawberry.argument(
        description=(
            "Reported findings: IDs from `symptoms(search:)` (CURIEs; full IRIs are accepted too). Optional "
            "when `text` is given."
        )
    ),
]
AbsentIds = Annotated[
    Sequence[t.ID] | None,
    strawberry.argument(
        description="Findings the person reports not having; they count against conditions they are typical of."
    ),
]


def candidate_conditions(
    info: strawberry.Info,
    symptoms: SymptomIds,
    absent_symptoms: AbsentIds = (),
    limit: Annotated[int | None, strawberry.argument(description="At most this many (the server caps it).")] = 10,
) -> list[t.Candidate]:
    catalog = _context(info).catalog
    # the scorer raises `UnknownTermError` listing every unknown ID of both lists
    request = AssessmentRequest(symptoms, absent_symptoms or (), limit=_limit(info, limit, 10))
    ranked = catalog.service.candidates(request)
    answer = _Answer(catalog, (c.condition for c in ranked), _findings_of(ranked))
    return _candidates(catalog, answer, ranked)


TextArgument = Annotated[
    str | None,
    strawberry.argument(
        description=(
            "What the person wrote, in their own words; the findings it states (with their polarity) join "
            "those of the ID lists."
        )
    ),
]


def _mentions(catalog: Catalog, mentions: Sequence[Mention]) -> list[t.Mention]:
    """GraphQL mentions for `kg` mentions, their terms read in one batch per kind."""
    symptoms = {s.iri: s for s in catalog.symptoms(m.iri for m in mentions if m.kind is MentionKind.FINDING)}
    conditions = {c.iri: c for c in catalog.conditions(m.iri for m in mentions if m.kind is MentionKind.CONDITION)}
    risky = [m.iri for m in mentions if m.kind is MentionKind.RISK_FACTOR]
    built = {_iri(str(r.id)): r for r in catalog.risk_factors(risky)}
    return [
        t.Mention(
            symptom=symptoms.get(m.iri) if m.kind is MentionKind.FINDING else None,
            condition=conditions.get(m.iri) if m.kind is MentionKind.CONDITION else None,
            risk_factor=built.get(m.iri) if m.kind is MentionKind.RISK_FACTOR else None,
            present=m.present,
            certainty=t.Certainty(m.certainty.value),
            historical=m.historical,
            text=m.text,
            start=m.start,
            end=m.end,
        )
        for m in mentions
    ]


def parse(
    info: strawberry.Info,
    text: Annotated[str, strawberry.argument(description="What the person wrote, in their own words.")],
) -> t.TextInterpretation:
    catalog = _context(info).catalog
    read = catalog.service.parse(text)
    return t.TextInterpretation(
        mentions=_mentions(catalog, read.mentions),
        unrecognized=list(read.unrecognized),
        age=read.age,
        sex=t.Sex(read.sex.value) if read.sex else None,
    )


PatientArgument = Annotated[
    t.PatientInput | None,
    strawberry.argument(
        description=(
            "Who the person is: age, sex and risk factor IDs (from `riskFactors`); merged with what `text` says "
            "about them. Unknown risk factor IDs are an error that lists them."
        )
    ),
]


def _patient_input(patient: t.PatientInput | None) -> PatientInput | None:
    if patient is None:
        return None
    return PatientInput(
        patient.age,
        Sex(patient.sex.value) if patient.sex else None,
        list(patient.risk_factors),
        list(patient.absent_risk_factors),
        list(patient.unknown_risk_factors),
    )


def _patient_context(catalog: Catalog, patient: Patient | None) -> t.PatientContext | None:
    if patient is None:
        return None
    return t.PatientContext(
        age=patient.age,
        sex=t.Sex(patient.sex.value) if patient.sex else None,
        risk_factors=catalog.risk_factors(patient.risk_factors),
        absent_risk_factors=catalog.risk_factors(patient.absent),
        age_from=patient.age_from,
        sex_from=patient.sex_from,
    )


def risk_factors(info: strawberry.Info) -> list[t.RiskFactor]:
    catalog = _context(info).catalog
    return catalog.risk_factors(catalog.knowledge.risk_factor_iris())


def risk_factor(info: strawberry.Info, id: t.ID) -> t.RiskFactor | None:
    found = _context(info).catalog.risk_factors([_iri(id)])
    return found[0] if found else None


def assess(
    info: strawberry.Info,
    symptoms: OptionalSymptomIds = (),
    absent_symptoms: AbsentIds = (),
    limit: Annotated[
        int | None, strawberry.argument(description="At most this many candidates (the server caps it).")
    ] = 10,
    text: TextArgument = None,
    patient: PatientArgument = None,
) -> t.Assessment:
    catalog = _context(info).catalog
    return _assessment(catalog, catalog.service.assess(_request(info, symptoms, absent_symptoms, text, patient, limit)))


def _request(
    info: strawberry.Info,
    symptoms: Sequence[t.ID] | None,
    absent: Sequence[t.ID] | None,
    text: str | None,
    patient: t.PatientInput | None,
    limit: int | None,
) -> AssessmentRequest:
    """What `assess` and `interview` hand the service: the reported findings, the text and the person."""
    return AssessmentRequest(
        symptoms or (), absent or (), text=text, limit=_limit(info, limit, 10), patient=_patient_input(patient)
    )


def _assessment(catalog: Catalog, result: EngineAssessment) -> t.Assessment:
    """The GraphQL assessment for an engine one, every term it points to read in one batch per kind."""
    answer = _Answer(
        catalog,
        (c.condition for c in result.candidates),
        [
            *_findings_of(result.candidates),
            *result.warning_signs,
            *result.present,
            *result.absent,
            *(iri for r in result.reasons for iri in r.findings),
        ],
    )
    levels = catalog.urgency_levels()
    reasons = [
        t.UrgencyReason(
            id=t.ID(_curie(r.rule)),
            label=r.label,
            urgency=levels[r.urgency],
            symptoms=answer.symptom_list(r.findings),
            sources=catalog.cited(r.sources),
            risk_factors=catalog.risk_factors(r.risk_factors),
        )
        for r in result.reasons
    ]
    return t.Assessment(
        candidates=_candidates(catalog, answer, result.candidates),
        urgency=levels[result.urgency],
        warning_signs=answer.symptom_list(result.warning_signs),
        advice=result.advice,
        reasons=reasons,
        reported_symptoms=answer.symptom_list(result.present),
        absent_symptoms=answer.symptom_list(result.absent),
        understood=_mentions(catalog, result.understood),
        unrecognized=list(result.unrecognized),
        in_scope=result.in_scope,
        patient=_patient_context(catalog, result.patient),
    )


UnknownIds = Annotated[
    Sequence[t.ID] | None,
    strawberry.argument(
        description='Findings the person could not answer ("don\'t know"): never asked again, and they change no score.'
    ),
]


def interview(
    info: strawberry.Info,
    symptoms: OptionalSymptomIds = (),
    absent_symptoms: AbsentIds = (),
    unknown_symptoms: UnknownIds = (),
    text: TextArgument = None,
    patient: PatientArgument = None,
    limit: Annotated[
        int | None, strawberry.argument(description="At most this many candidates in the assessment.")
    ] = 10,
) -> t.Interview:
    catalog = _context(info).catalog
    request = _request(info, symptoms, absent_symptoms, text, patient, limit)
    result: EngineInterview = catalog.service.interview(request, list(unknown_symptoms or ()))
    asked = result.question
    question = None
    if asked is not None:
        question = t.Question(
            id=t.ID(_curie(asked.id)),
            text=asked.text,
            kind=t.QuestionKind(asked.kind.value),
            rationale=asked.rationale,
            asks=catalog.symptoms(asked.asks),
            risk_factors=catalog.risk_factors(asked.risk_factors),
            expected_gain=round(asked.gain, 4) if asked.gain is not None else None,
        )
    return t.Interview(
        question=question,
        should_stop=result.should_stop,
        stop_reason=t.StopReason(result.stop_reason.value),
        assessment=_assessment(catalog, result.assessment),
    )
