"""The records the knowledge layer reads out of the graph, and the closed vocabularies they use.

Frozen dataclasses keyed by IRI (strings, so that every layer above can hold them without rdflib),
built by `kg.knowledge.index` from the `queries/index` files. The enums are `StrEnum`s whose values
are the words the queries return, so a record compares equal to what the graph says and JSON output
does not change.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property


class LinkRelation(StrEnum):
    """How a condition is linked to a finding (`lp:hasTypicalFinding`, `lp:hasDiscriminatingFinding`,
    `lp:hasFindingAgainst`): the `?relation` column of `index/list-condition-links.rq`."""

    TYPICAL = "typical"
    #: typical and characteristic of the condition: weighs more in scoring
    DISCRIMINATING = "discriminating"
    AGAINST = "against"


class RuleKind(StrEnum):
    """What fires an urgency rule (`lp:UrgencyRule`): the `?kind` column of `list-urgency-rules.rq`."""

    #: enough of the rule's trigger findings are reported
    FINDINGS = "findings"
    #: the best candidate is supported by enough findings: its own urgency applies
    SUSPECTED_CONDITION = "suspected-condition"


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
class Site:
    """An anatomical site, by its names, and every site it is part of (directly or through others)."""

    iri: str
    label: str
    synonyms: tuple[str, ...]
    wider: frozenset[str]


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
    relation: LinkRelation
    sources: tuple[str, ...]
    inferred: bool
    #: the fraction of people with the condition who show the finding (`lp:frequency` on the link's
    #: axiom, as HPO's annotations give it); None when the source does not say
    frequency: float | None = None


@dataclass(frozen=True)
class SourcedLink:
    """A condition's link to a risk factor (`lp:hasRiskFactor`) or to a complication's warning sign
    (`lp:hasComplicationSign`), with the passages it cites; inherited from a more general condition
    when `inferred`."""

    target: str
    sources: tuple[str, ...]
    inferred: bool = False


@dataclass(frozen=True)
class RiskFactor:
    """Something about the person (smoking, an age, a previous clot) that makes conditions more likely."""

    iri: str
    label: str
    synonyms: tuple[str, ...]
    definition: str | None
    #: the interview's question, phrased for the person
    question: str | None
    sources: tuple[str, ...]
    mappings: tuple[MappingRef, ...] = ()
    #: the age range (completed years) of an age risk factor
    minimum_age: int | None = None
    maximum_age: int | None = None
    #: the sex it can apply to ("female" for pregnancy), None for anyone
    sex: str | None = None
    #: the condition a history risk factor is having had before
    history_of: str | None = None

    @property
    def is_age(self) -> bool:
        """An age risk factor: stated by the patient's age, not asked or read as words."""
        return self.minimum_age is not None or self.maximum_age is not None

    def holds_at(self, age: int) -> bool:
        """Whether a person of this age has this age risk factor."""
        return (
            self.is_age
            and (self.minimum_age is None or age >= self.minimum_age)
            and (self.maximum_age is None or age <= self.maximum_age)
        )


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
    #: the risk factors that make it more likely, each link with its sources
    risk_factors: tuple[SourcedLink, ...] = ()
    #: warning signs of its complications (asked by an interview, never support)
    complication_signs: tuple[SourcedLink, ...] = ()
    #: every more general condition it is a kind of (closure): critical limb ischemia is a kind of
    #: peripheral artery disease
    kinds: frozenset[str] = frozenset()

    @cached_property
    def typical(self) -> tuple[FindingLink, ...]:
        """Typical findings, discriminating ones included (each finding once, strongest relation);
        computed once per record (scoring reads it for every condition it ranks)."""
        best: dict[str, FindingLink] = {}
        for link in self.links:
            if link.relation is LinkRelation.AGAINST:
                continue
            if link.finding not in best or link.relation is LinkRelation.DISCRIMINATING:
                best[link.finding] = link
        return tuple(best.values())

    @cached_property
    def against(self) -> tuple[FindingLink, ...]:
        return tuple(link for link in self.links if link.relation is LinkRelation.AGAINST)


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
    #: the body temperature (degrees Celsius) from which a measured temperature is this finding
    minimum_temperature: float | None = None
    #: the longest period (days) over which a stated shrinking of the walking distance is this finding
    maximum_period_days: int | None = None
    #: the interview's question, phrased for the person
    question: str | None = None


@dataclass(frozen=True)
class UrgencyRule:
    iri: str
    kind: RuleKind
    label: str
    definition: str | None
    triggers: tuple[str, ...]
    minimum: int
    urgency: str | None
    sources: tuple[str, ...]
