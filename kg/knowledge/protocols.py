"""What each reader of the graph needs, as small protocols, whichever store holds the graph.

Readers ask for the capability they use, not for the whole:

- `TermReader`: records by IRI and the small lists (body systems, urgency levels, rules): the CLI's
  output, the GraphQL catalogue.
- `TermLists`: every term, and the terms related to one (conditions with a finding, in a body system,
  warning signs of a level...): the GraphQL root lists and relation fields.
- `TermNames`: each term's label and synonyms: what `kg.assessment.search` matches phrases against.
- `AssessmentReader`: the part of the index one assessment reads: `kg.assessment.scoring`; a
  `StagedReader` (a remote store) reads it in two steps, an outline that bounds every condition's
  score and the whole records of the conditions the ranking gets to.

`Knowledge` is all of them: what `kg.knowledge.indexed.IndexedKnowledge` (the whole index in memory,
for embedded stores) and `kg.knowledge.remote.StoreKnowledge` (asked of a remote store per request)
implement, and what `kg.assessment.service.LegPainService` holds. Lists of IRIs come back in display
order (terms by label, urgency levels by rank).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Protocol, runtime_checkable

from kg.core.records import BodySystem, Condition, Finding, RiskFactor, Site, SourceRef, UrgencyLevel, UrgencyRule
from kg.knowledge.index import TermIndex


class Versioned(Protocol):
    """Which data is being read."""

    def data_version(self) -> str:
        """The loaded data's version (the input hash); changes when `legpain load` writes new data."""
        ...

    def ontology_version(self) -> str:
        """The ontology's `owl:versionInfo`."""
        ...

    def graph_sizes(self) -> dict[str, int]:
        """Triples per named graph (by graph IRI), as counted when the data was loaded."""
        ...


class TermReader(Versioned, Protocol):
    """Records by IRI (an IRI the graph lacks is left out) and the small lists."""

    def body_systems(self) -> dict[str, BodySystem]: ...
    def urgency_levels(self) -> dict[str, UrgencyLevel]: ...
    def rules(self) -> tuple[UrgencyRule, ...]: ...
    def conditions(self, iris: Iterable[str]) -> dict[str, Condition]: ...
    def findings(self, iris: Iterable[str]) -> dict[str, Finding]: ...
    def risk_factors(self, iris: Iterable[str]) -> dict[str, RiskFactor]: ...
    def sources(self, iris: Iterable[str]) -> tuple[SourceRef, ...]: ...


class TermLists(Protocol):
    """Every term of a kind, and the terms related to one, as IRIs in display order."""

    def condition_iris(self) -> list[str]: ...
    def finding_iris(self) -> list[str]: ...
    def risk_factor_iris(self) -> list[str]: ...

    def conditions_with_finding(self, finding: str) -> list[str]:
        """Conditions with the finding, or a more general kind of it, as a typical finding (the same
        rule `TermIndex.conditions_for` states)."""
        ...

    def conditions_against(self, finding: str) -> list[str]: ...

    def conditions_with_risk_factor(self, risk_factor: str) -> list[str]:
        """Conditions the risk factor makes more likely, those that inherit it included."""
        ...

    def conditions_in_system(self, system: str) -> list[str]: ...
    def conditions_with_urgency(self, level: str) -> list[str]: ...
    def conditions_caused_by(self, cause: str) -> list[str]: ...
    def narrower_findings(self, finding: str) -> list[str]: ...

    def narrower_conditions(self, condition: str) -> list[str]:
        """Every more specific kind of a condition (critical limb ischemia for peripheral artery disease)."""
        ...

    def complication_signs(self) -> list[str]:
        """Every finding that is a warning sign of some condition's complication (`lp:hasComplicationSign`)."""
        ...

    def warning_signs(self, level: str) -> list[str]: ...


class TermBrowser(TermReader, TermLists, Protocol):
    """Records and lists: what the GraphQL catalogue reads."""


class TermNames(Versioned, Protocol):
    """Per term, its label followed by its synonyms, and the anatomical sites; the same for one data
    version."""

    def finding_names(self) -> Mapping[str, tuple[str, ...]]: ...
    def condition_names(self) -> Mapping[str, tuple[str, ...]]: ...
    def risk_factor_names(self) -> Mapping[str, tuple[str, ...]]:
        """Risk factors said in words (age risk factors are stated by an age, not named)."""
        ...

    def sites(self) -> Mapping[str, Site]:
        """Anatomical sites by IRI, each with its names and the sites it is part of."""
        ...


class AssessmentReader(Protocol):
    """The index one assessment reads."""

    def index_for(self, present: Sequence[str], absent: Sequence[str]) -> TermIndex:
        """The reported findings (IRIs), the conditions they touch with every finding those link to,
        the urgency rules and levels, the passages cited, and the whole graph's counts that the
        weights need: the whole index when it is held in memory, that part of it otherwise. Its
        `version` is the data version it was read at."""
        ...


@runtime_checkable
class StagedReader(AssessmentReader, Protocol):
    """An `AssessmentReader` for which reading every touched condition whole costs too much per
    assessment (a remote store, on a graph where a presentation touches thousands of conditions): the
    scorer reads an outline first and the whole records of the conditions its ranking gets to after."""

    def outline_for(self, present: Sequence[str], absent: Sequence[str]) -> TermIndex:
        """The reported findings, every finding more specific than one, and every condition linked to
        one of them or to a more general kind of a present one, holding only those links: enough to
        bound each condition's score from above."""
        ...

    def complete_for(self, present: Sequence[str], absent: Sequence[str], conditions: Collection[str]) -> TermIndex:
        """`index_for` for these conditions instead of every touched one."""
        ...


class Knowledge(TermBrowser, TermNames, AssessmentReader, Protocol):
    """Every capability: what a store-specific implementation offers and the service holds."""
