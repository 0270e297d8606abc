"""`IndexedKnowledge`: the whole index in memory, for the embedded stores.

Built once from the store with the `queries/index` files (rdflib Memory, Oxigraph in memory or on
disk); every lookup is then a dictionary read, and an assessment reads the whole index.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from kg.core.records import BodySystem, Condition, Finding, RiskFactor, Site, SourceRef, UrgencyLevel, UrgencyRule
from kg.knowledge.index import TermIndex, by_label


class IndexedKnowledge:
    """The whole index in memory: every lookup is a dictionary read."""

    def __init__(
        self, index: TermIndex, version: str, ontology_version: str, sizes: dict[str, int] | None = None
    ) -> None:
        self.index = index
        self._sizes = dict(sizes or {})
        self._version = version
        self._ontology_version = ontology_version
        ix = index
        self._conditions_by_label = by_label(ix.conditions.values())
        self._findings_by_label = by_label(ix.findings.values())
        position = {iri: i for i, iri in enumerate(self._conditions_by_label)}
        finding_position = {iri: i for i, iri in enumerate(self._findings_by_label)}
        against: dict[str, set[str]] = defaultdict(set)
        system: dict[str, set[str]] = defaultdict(set)
        urgency: dict[str, set[str]] = defaultdict(set)
        caused: dict[str, set[str]] = defaultdict(set)
        risky: dict[str, set[str]] = defaultdict(set)
        narrower: dict[str, set[str]] = defaultdict(set)
        complications: set[str] = set()
        for condition in ix.conditions.values():
            for general in condition.kinds:
                narrower[general].add(condition.iri)
            complications.update(link.target for link in condition.complication_signs)
            for risk in condition.risk_factors:
                risky[risk.target].add(condition.iri)
            for link in condition.against:
                against[link.finding].add(condition.iri)
            for s, _ in condition.body_systems:
                system[s].add(condition.iri)
            urgency[condition.urgency].add(condition.iri)
            for cause in condition.causes:
                caused[cause].add(condition.iri)
        warnings: dict[str, set[str]] = defaultdict(set)
        for finding in ix.findings.values():
            if finding.warrants:
                warnings[finding.warrants].add(finding.iri)

        def ordered(groups: dict[str, set[str]], order: dict[str, int]) -> dict[str, list[str]]:
            return {k: sorted(v, key=lambda iri: order.get(iri, len(order))) for k, v in groups.items()}

        self._position = position
        self._against = ordered(against, position)
        self._system = ordered(system, position)
        self._urgency = ordered(urgency, position)
        self._caused = ordered(caused, position)
        self._risky = ordered(risky, position)
        self._narrower_conditions = ordered(narrower, position)
        self._complications = sorted(complications, key=lambda iri: finding_position.get(iri, 0))
        self._risk_factors_by_label = sorted(ix.risk_factors, key=lambda i: (ix.risk_factors[i].label.casefold(), i))
        self._risk_factor_names = {iri: (r.label, *r.synonyms) for iri, r in ix.risk_factors.items() if not r.is_age}
        self._warnings = ordered(warnings, finding_position)
        self._narrower = {k: sorted(v, key=lambda iri: finding_position.get(iri, 0)) for k, v in ix.narrower.items()}
        self._finding_names = {iri: (f.label, *f.synonyms) for iri, f in ix.findings.items()}
        self._condition_names = {iri: (c.label, *c.synonyms) for iri, c in ix.conditions.items()}
        self._levels = {u.iri: u for u in ix.urgency_by_rank()}
        self._systems = {
            iri: ix.body_systems[iri]
            for iri in sorted(ix.body_systems, key=lambda i: (ix.body_systems[i].label.casefold(), i))
        }

    def data_version(self) -> str:
        return self._version

    def ontology_version(self) -> str:
        return self._ontology_version

    def graph_sizes(self) -> dict[str, int]:
        return self._sizes

    def body_systems(self) -> dict[str, BodySystem]:
        return self._systems

    def urgency_levels(self) -> dict[str, UrgencyLevel]:
        return self._levels

    def rules(self) -> tuple[UrgencyRule, ...]:
        return self.index.rules

    def conditions(self, iris: Iterable[str]) -> dict[str, Condition]:
        table = self.index.conditions
        return {iri: table[iri] for iri in iris if iri in table}

    def findings(self, iris: Iterable[str]) -> dict[str, Finding]:
        table = self.index.findings
        return {iri: table[iri] for iri in iris if iri in table}

    def risk_factors(self, iris: Iterable[str]) -> dict[str, RiskFactor]:
        table = self.index.risk_factors
        return {iri: table[iri] for iri in iris if iri in table}

    def sources(self, iris: Iterable[str]) -> tuple[SourceRef, ...]:
        return self.index.source_refs(iris)

    def condition_iris(self) -> list[str]:
        return self._conditions_by_label

    def finding_iris(self) -> list[str]:
        return self._findings_by_label

    def risk_factor_iris(self) -> list[str]:
        return self._risk_factors_by_label

    def conditions_with_risk_factor(self, risk_factor: str) -> list[str]:
        return self._risky.get(risk_factor, [])

    def conditions_with_finding(self, finding: str) -> list[str]:
        return sorted(self.index.conditions_for(finding), key=lambda iri: self._position.get(iri, 0))

    def conditions_against(self, finding: str) -> list[str]:
        return self._against.get(finding, [])

    def conditions_in_system(self, system: str) -> list[str]:
        return self._system.get(system, [])

    def conditions_with_urgency(self, level: str) -> list[str]:
        return self._urgency.get(level, [])

    def conditions_caused_by(self, cause: str) -> list[str]:
        return self._caused.get(cause, [])

    def narrower_findings(self, finding: str) -> list[str]:
        return self._narrower.get(finding, [])

    def warning_signs(self, level: str) -> list[str]:
        return self._warnings.get(level, [])

    def narrower_conditions(self, condition: str) -> list[str]:
        return self._narrower_conditions.get(condition, [])

    def complication_signs(self) -> list[str]:
        return self._complications

    def finding_names(self) -> dict[str, tuple[str, ...]]:
        return self._finding_names

    def condition_names(self) -> dict[str, tuple[str, ...]]:
        return self._condition_names

    def risk_factor_names(self) -> dict[str, tuple[str, ...]]:
        return self._risk_factor_names

    def sites(self) -> dict[str, Site]:
        return self.index.sites

    def index_for(self, present: Sequence[str], absent: Sequence[str]) -> TermIndex:
        return self.index
