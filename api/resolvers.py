"""Root resolvers, the per-request context, and the catalogue they read.

Resolvers stay thin: lookups read a `Catalog` of GraphQL objects built once per loaded graph from the
precomputed `KnowledgeIndex`; search and assessment call `kg` (`LegPainService.search_findings`,
`Engine.assess`). Nothing here runs SPARQL per request.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Annotated

import strawberry
from graphql import GraphQLError
from starlette.requests import Request
from starlette.responses import Response

from api import types as t
from api.state import AppState, NotReadyError
from kg import index as kx
from kg.inference import Candidate as EngineCandidate
from kg.namespaces import from_curie, to_curie
from kg.service import LegPainService
from kg.settings import Settings

# ---------------------------------------------------------------------------------------- catalogue


@dataclass(frozen=True)
class Catalog:
    """The GraphQL objects of one loaded graph, keyed by IRI, each dict in display order."""

    service: LegPainService
    body_systems: dict[str, t.BodySystem]  # by label
    urgency_levels: dict[str, t.UrgencyLevel]  # by rank
    conditions: dict[str, t.Condition]  # by label
    symptoms: dict[str, t.Symptom]  # by label
    sources: dict[str, t.Source]

    @property
    def version(self) -> str:
        return self.service.graph.version

    def sources_for(self, refs: Iterable[kx.SourceRef]) -> list[t.Source]:
        return [self.sources[ref.iri] for ref in refs if ref.iri in self.sources]

    def symptom_list(self, iris: Iterable[str]) -> list[t.Symptom]:
        return [self.symptoms[iri] for iri in iris if iri in self.symptoms]


def _by_label(items: Iterable[kx.Condition | kx.Finding | kx.BodySystem]) -> list[str]:
    return [item.iri for item in sorted(items, key=lambda item: (item.label.casefold(), item.iri))]


def _mapping(ref: kx.MappingRef) -> t.Mapping:
    justification = to_curie(ref.justification) if ref.justification else None
    return t.Mapping(scheme=ref.scheme, code=ref.code, label=ref.label, relation=ref.relation, iri=ref.iri,
                     justification=justification)


def build_catalog(service: LegPainService) -> Catalog:
    """Turn the index into linked GraphQL objects, once per loaded graph (milliseconds)."""
    ix = service.graph.index
    sources = {iri: t.Source(id=t.ID(to_curie(iri)), iri=iri, title=ref.title, quote=ref.quote)
               for iri, ref in ix.sources.items()}

    def cite(iris: Iterable[str]) -> list[t.Source]:
        return [sources[ref.iri] for ref in ix.source_refs(iris)]

    levels = {u.iri: t.UrgencyLevel(id=t.ID(to_curie(u.iri)), iri=u.iri, label=u.label, rank=u.rank,
                                    description=u.definition, advice=u.advice, conditions=[], warning_signs=[])
              for u in ix.urgency_by_rank()}
    systems = {iri: t.BodySystem(id=t.ID(to_curie(iri)), iri=iri, label=ix.body_systems[iri].label,
                                 definition=ix.body_systems[iri].definition,
                                 synonyms=list(ix.body_systems[iri].synonyms), conditions=[])
               for iri in _by_label(ix.body_systems.values())}
    symptoms: dict[str, t.Symptom] = {}
    for iri in _by_label(ix.findings.values()):
        f = ix.findings[iri]
        category = t.SymptomCategory(id=t.ID(to_curie(f.category)), iri=f.category, label=f.category_label)
        symptoms[iri] = t.Symptom(
            id=t.ID(to_curie(iri)), iri=iri, label=f.label, synonyms=list(f.synonyms), definition=f.definition,
            category=category, is_warning_sign=f.is_warning,
            urgency=levels.get(f.warrants) if f.warrants else None, urgency_sources=cite(f.warrant_sources),
            conditions=[], argues_against=[], broader=[], narrower=[],
            mappings=[_mapping(m) for m in f.mappings], sources=cite(f.sources))
    conditions: dict[str, t.Condition] = {}
    for iri in _by_label(ix.conditions.values()):
        c = ix.conditions[iri]
        urgency = levels.get(c.urgency) or next(iter(levels.values()), None)
        if urgency is None:  # no urgency scale at all: the graph is unusable, not this condition
            continue
        known = [link for link in c.links if link.finding in symptoms]
        typical = sorted((link for link in c.typical if link.finding in symptoms),
                         key=lambda link: (link.relation != "discriminating", symptoms[link.finding].label.casefold()))
        links = [t.SymptomLink(symptom=symptoms[link.finding], relation=t.SymptomRelation(link.relation),
                               inferred=link.inferred, sources=cite(link.sources))
                 for link in sorted(known, key=lambda link: (link.relation, symptoms[link.finding].label.casefold()))]
        system_links = [t.BodySystemLink(body_system=systems[s], inferred=inferred)
                        for s, inferred in c.body_systems if s in systems]
        conditions[iri] = t.Condition(
            id=t.ID(to_curie(iri)), iri=iri, label=c.label, synonyms=list(c.synonyms), definition=c.definition,
            body_systems=[link.body_system for link in system_links], body_system_links=system_links,
            symptoms=[symptoms[link.finding] for link in typical],
            symptoms_against=[symptoms[link.finding] for link in known if link.relation == "against"],
            symptom_links=links, urgency=urgency, causes=[], cause_of=[],
            mappings=[_mapping(m) for m in c.mappings], sources=cite(c.sources))
    # back-links, filled in label order so every list is sorted
    for iri, condition in conditions.items():
        c = ix.conditions[iri]
        condition.causes.extend(conditions[cause] for cause in c.causes if cause in conditions)
        for cause in c.causes:
            if cause in conditions:
                conditions[cause].cause_of.append(condition)
        for system in condition.body_systems:
            system.conditions.append(condition)
        condition.urgency.conditions.append(condition)
        for against in condition.symptoms_against:
            against.argues_against.append(condition)
    for iri, symptom in symptoms.items():
        f = ix.findings[iri]
        symptom.conditions.extend(c for c_iri, c in conditions.items()
                                  if c_iri in ix.conditions_by_finding.get(iri, ()))
        symptom.broader.extend(symptoms[k] for k in symptoms if k in f.kinds)
        for general in f.kinds:
            if general in symptoms:
                symptoms[general].narrower.append(symptom)
        if symptom.urgency is not None:
            symptom.urgency.warning_signs.append(symptom)
    return Catalog(service, systems, levels, conditions, symptoms, sources)


# ------------------------------------------------------------------------------------------ context


@dataclass
class Context:
    """Built per request by the GraphQL view: what resolvers may read."""

    request: Request
    response: Response
    settings: Settings
    state: AppState
    current: Catalog | None

    @property
    def catalog(self) -> Catalog:
        """The catalogue of the loaded graph; `NotReadyError` while it loads (or when it failed)."""
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


def _page(items: list[t.Condition], limit: int, offset: int) -> list[t.Condition]:
    return items[offset:offset + limit]


# ------------------------------------------------------------------------------------------ lookups

Limit = Annotated[int | None, strawberry.argument(
    description="At most this many items; omit or null for as many as the server allows (its cap, 100 by default).")]
Offset = Annotated[int, strawberry.argument(description="Skip this many items first (pagination).")]


def body_systems(info: strawberry.Info) -> list[t.BodySystem]:
    return list(_context(info).catalog.body_systems.values())


def body_system(info: strawberry.Info, id: t.ID) -> t.BodySystem | None:
    return _context(info).catalog.body_systems.get(_iri(id))


def urgency_levels(info: strawberry.Info) -> list[t.UrgencyLevel]:
    return list(_context(info).catalog.urgency_levels.values())


def urgency_level(info: strawberry.Info, id: t.ID) -> t.UrgencyLevel | None:
    return _context(info).catalog.urgency_levels.get(_iri(id))


def conditions(
    info: strawberry.Info,
    body_system: t.ID | None = strawberry.UNSET,
    urgency: t.ID | None = strawberry.UNSET,
    symptom: t.ID | None = strawberry.UNSET,
    search: Annotated[str | None, strawberry.argument(
        description="Only conditions whose label or a synonym matches, best match first.")] = strawberry.UNSET,
    limit: Limit = strawberry.UNSET,
    offset: Offset = 0,
) -> list[t.Condition]:
    catalog = _context(info).catalog
    unknown: list[tuple[str, str]] = []
    filters: list[Iterable[t.Condition]] = []
    for kind, raw, table in (("body system", body_system, catalog.body_systems),
                             ("urgency level", urgency, catalog.urgency_levels),
                             ("symptom", symptom, catalog.symptoms)):
        if raw is None or raw is strawberry.UNSET:
            continue
        node = table.get(_iri(raw))
        if node is None:
            unknown.append((kind, raw))
        else:
            filters.append(node.conditions)  # type: ignore[union-attr]
    if unknown:
        raise GraphQLError("; ".join(f"unknown {kind} ID: {raw}" for kind, raw in unknown),
                           extensions={"code": "BAD_USER_INPUT", "unknown": [raw for _, raw in unknown]})
    if search and search.strip():
        ordered = [catalog.conditions[m.iri] for m in catalog.service.search_conditions(search, len(catalog.conditions))
                   if m.iri in catalog.conditions]
    else:
        ordered = list(catalog.conditions.values())
    for allowed in filters:
        keep = {id(c) for c in allowed}
        ordered = [c for c in ordered if id(c) in keep]
    return _page(ordered, _limit(info, limit, None), offset)


def condition(info: strawberry.Info, id: t.ID) -> t.Condition | None:
    return _context(info).catalog.conditions.get(_iri(id))


def symptom(info: strawberry.Info, id: t.ID) -> t.Symptom | None:
    return _context(info).catalog.symptoms.get(_iri(id))


def symptoms(
    info: strawberry.Info,
    search: Annotated[str | None, strawberry.argument(
        description="A label, synonym or lay phrase (\"pins and needles\"); omit to list every finding by label."
    )] = strawberry.UNSET,
    limit: Annotated[int | None, strawberry.argument(description="At most this many (the server caps it).")] = 20,
    offset: Offset = 0,
    warning_signs_only: Annotated[bool, strawberry.argument(
        description="Only findings that are warning signs.")] = False,
) -> list[t.Symptom]:
    return [m.symptom for m in symptom_matches(info, search, limit, offset, warning_signs_only)]


def symptom_matches(
    info: strawberry.Info,
    search: Annotated[str | None, strawberry.argument(
        description="A label, synonym or lay phrase; omit to list every finding by label.")] = strawberry.UNSET,
    limit: Annotated[int | None, strawberry.argument(description="At most this many (the server caps it).")] = 20,
    offset: Offset = 0,
    warning_signs_only: Annotated[bool, strawberry.argument(
        description="Only findings that are warning signs.")] = False,
) -> list[t.SymptomMatch]:
    catalog = _context(info).catalog
    limit = _limit(info, limit, 20)
    if not search or not search.strip():
        items = [t.SymptomMatch(symptom=s, score=1.0, matched=s.label) for s in catalog.symptoms.values()
                 if s.is_warning_sign or not warning_signs_only]
        return items[offset:offset + limit]
    wanted = offset + limit
    # search everything when filtering, so the filter cannot starve the page
    matches = catalog.service.search_findings(search, len(catalog.symptoms) if warning_signs_only else wanted)
    items = [t.SymptomMatch(symptom=catalog.symptoms[m.iri], score=m.score, matched=m.matched)
             for m in matches if m.iri in catalog.symptoms]
    if warning_signs_only:
        items = [m for m in items if m.symptom.is_warning_sign]
    return items[offset:wanted]


# ---------------------------------------------------------------------------------------- reasoning


def _candidate(catalog: Catalog, c: EngineCandidate) -> t.Candidate:
    return t.Candidate(
        condition=catalog.conditions[c.condition], rank=c.rank, score=c.score,
        supporting=catalog.symptom_list(c.supporting), missing=catalog.symptom_list(c.missing),
        conflicting=catalog.symptom_list(c.conflicting), explanation=c.explanation,
        sources=catalog.sources_for(c.sources))


SymptomIds = Annotated[list[t.ID], strawberry.argument(
    description="Reported findings: IDs from `symptoms(search:)` (CURIEs; full IRIs are accepted too).")]
AbsentIds = Annotated[list[t.ID] | None, strawberry.argument(
    description="Findings the person reports not having; they count against conditions they are typical of.")]


def candidate_conditions(
    info: strawberry.Info,
    symptoms: SymptomIds,
    absent_symptoms: AbsentIds = (),  # type: ignore[assignment]
    limit: Annotated[int | None, strawberry.argument(description="At most this many (the server caps it).")] = 10,
) -> list[t.Candidate]:
    catalog = _context(info).catalog
    # the engine raises `UnknownTermError` listing every unknown ID of both lists
    ranked = catalog.service.engine.candidates(symptoms, absent_symptoms or (), _limit(info, limit, 10))
    return [_candidate(catalog, c) for c in ranked]


def assess(
    info: strawberry.Info,
    symptoms: SymptomIds,
    absent_symptoms: AbsentIds = (),  # type: ignore[assignment]
    limit: Annotated[int | None, strawberry.argument(
        description="At most this many candidates (the server caps it).")] = 10,
) -> t.Assessment:
    catalog = _context(info).catalog
    result = catalog.service.engine.assess(symptoms, absent_symptoms or (), _limit(info, limit, 10))
    levels = catalog.urgency_levels
    reasons = [t.UrgencyReason(id=t.ID(to_curie(r.rule)), label=r.label, urgency=levels[r.urgency],
                               symptoms=catalog.symptom_list(r.findings), sources=catalog.sources_for(r.sources))
               for r in result.reasons]
    return t.Assessment(
        candidates=[_candidate(catalog, c) for c in result.candidates], urgency=levels[result.urgency],
        warning_signs=catalog.symptom_list(result.warning_signs), advice=result.advice, reasons=reasons,
        reported_symptoms=catalog.symptom_list(result.present), absent_symptoms=catalog.symptom_list(result.absent))

