"""What the CLI and the API call: the knowledge graph, wherever it is stored, with search and engine.

`LegPainService` bundles one `Knowledge` (see `kg.knowledge`) with the engine over it, so a reload
swaps one object and readers never mix two versions. `load_service` picks how the graph is read from
the configured store (`Settings.store`, `kg.store`):

- an embedded store in memory (`oxigraph`, `memory`): the ontology files (or a prepared dataset) are
  loaded into it at start and indexed there;
- an embedded store on disk (`oxigraph:PATH`): what `legpain load` wrote is indexed at start;
- a remote store (`sparql:...`): nothing is copied; every lookup and assessment asks the store.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kg.graph import KnowledgeGraph, load_knowledge_graph, open_knowledge_graph
from kg.inference import Engine
from kg.knowledge import IndexedKnowledge, Knowledge, StoreKnowledge
from kg.queries import QueryLibrary
from kg.search import Match
from kg.settings import Settings
from kg.store import StoreBackend, backend_for, store_call


@dataclass(frozen=True)
class LegPainService:
    knowledge: Knowledge
    backend: StoreBackend
    #: the graph held by this process (embedded stores); None when a remote store holds it
    graph: KnowledgeGraph | None = None
    engine: Engine = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "engine", Engine(self.knowledge))

    @property
    def version(self) -> str:
        """The ontology's version (`owl:versionInfo`)."""
        return self.graph.version if self.graph is not None else self.knowledge.ontology_version()

    def search_findings(self, phrase: str, limit: int = 20) -> list[Match]:
        """Findings matching a lay phrase, best first."""
        return self.knowledge.finding_matcher().search(phrase, limit)

    def search_conditions(self, phrase: str, limit: int = 20) -> list[Match]:
        """Conditions matching a phrase (label or synonym), best first."""
        return self.knowledge.condition_matcher().search(phrase, limit)

    def describe(self) -> dict[str, Any]:
        """What /health and `legpain serve` report about the loaded graph."""
        out: dict[str, Any] = {"ontologyVersion": self.version, "store": self.backend.scheme,
                               "dataVersion": self.knowledge.data_version()}
        if self.graph is not None:
            out["triples"] = self.graph.triples
            out["reasoning"] = {"origin": self.graph.closure.origin, "reasoner": self.graph.closure.reasoner,
                                "message": self.graph.closure.message}
        return out


def load_service(settings: Settings, force_reasoner: str | None = None) -> LegPainService:
    """The service over the configured store (see the module docstring); raises `kg.store.StoreError`
    with a clear message when the store is unreachable or not loaded."""
    backend = backend_for(settings.store, settings.store_timeout_s)
    if backend.remote:
        dataset = backend.open(read_only=True)
        knowledge = store_call(backend, "be read", lambda: StoreKnowledge(
            backend, dataset, QueryLibrary(settings.queries_dir), settings.store_cache_ttl_s))
        return LegPainService(knowledge, backend)
    graph = open_knowledge_graph(settings) if backend.persistent else load_knowledge_graph(settings, force_reasoner)
    return LegPainService(IndexedKnowledge(graph.index, graph.data_version, graph.version), backend, graph)
