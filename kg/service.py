"""What the CLI and the API call: a loaded knowledge graph with its search and engine.

`LegPainService` bundles one immutable `KnowledgeGraph` with the matchers and the engine built from
its index, so a reload swaps one object and readers never mix two versions.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kg.graph import KnowledgeGraph, load_knowledge_graph
from kg.inference import Engine
from kg.search import Match, TermMatcher
from kg.settings import Settings


@dataclass(frozen=True)
class LegPainService:
    graph: KnowledgeGraph
    engine: Engine = field(init=False)
    findings: TermMatcher = field(init=False)
    conditions: TermMatcher = field(init=False)

    def __post_init__(self) -> None:
        index = self.graph.index
        object.__setattr__(self, "engine", Engine(index))
        object.__setattr__(self, "findings", TermMatcher(
            {iri: (f.label, *f.synonyms) for iri, f in index.findings.items()}))
        object.__setattr__(self, "conditions", TermMatcher(
            {iri: (c.label, *c.synonyms) for iri, c in index.conditions.items()}))

    def search_findings(self, phrase: str, limit: int = 20) -> list[Match]:
        """Findings matching a lay phrase, best first."""
        return self.findings.search(phrase, limit)

    def search_conditions(self, phrase: str, limit: int = 20) -> list[Match]:
        """Conditions matching a phrase (label or synonym), best first."""
        return self.conditions.search(phrase, limit)


def load_service(settings: Settings, force_reasoner: str | None = None) -> LegPainService:
    """Load and reason the graph (from the closure cache when it fits) and build search and engine."""
    return LegPainService(load_knowledge_graph(settings, force_reasoner))
