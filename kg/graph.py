"""The loaded knowledge graph: asserted and inferred triples in named graphs, plus the index.

`load_knowledge_graph(settings)` is the one entry point the CLI and the API use.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from rdflib import Dataset, Graph

from kg.closure import ClosureInfo, obtain_closure
from kg.index import KnowledgeIndex, build_index
from kg.loading import InputFile, discover_inputs, input_hash, load_asserted
from kg.namespaces import INFERRED_GRAPH, ONTOLOGY_IRI
from kg.queries import QueryLibrary
from kg.settings import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class KnowledgeGraph:
    """A loaded, reasoned graph and what is derived from it. Immutable once built: a reload builds a
    new one and swaps it in whole, so requests never see a half-loaded graph."""

    settings: Settings
    dataset: Dataset
    queries: QueryLibrary
    index: KnowledgeIndex
    closure: ClosureInfo
    inputs: tuple[InputFile, ...]
    version: str
    load_seconds: float

    def triple_counts(self) -> dict[str, int]:
        """Triples per named graph, by graph IRI."""
        return {str(g.identifier): len(g) for g in self.dataset.graphs() if len(g)}

    def asserted_graph(self) -> Graph:
        """A plain graph of every asserted triple (all named graphs but the inferred one)."""
        graph = Graph()
        for g in self.dataset.graphs():
            if g.identifier != INFERRED_GRAPH:
                for triple in g:
                    graph.add(triple)
        return graph


def ontology_version(dataset: Dataset) -> str:
    from rdflib.namespace import OWL

    for value in dataset.objects(ONTOLOGY_IRI, OWL.versionInfo):
        return str(value)
    return "unknown"


def load_knowledge_graph(settings: Settings, force_reasoner: str | None = None) -> KnowledgeGraph:
    """Load the inputs, obtain the inferred closure (cached, see `kg.closure`) and build the index.

    `force_reasoner` (`hermit` or `owlrl`) recomputes the closure even when a cached one fits."""
    started = time.perf_counter()
    queries = QueryLibrary(settings.queries_dir)
    inputs = discover_inputs(settings)
    dataset = load_asserted(inputs)
    digest = input_hash(inputs, settings.ontology_dir.parent)
    asserted = Graph()
    for triple in dataset.triples((None, None, None)):
        asserted.add(triple)
    inferred, info = obtain_closure(asserted, digest, settings.ontology_dir, settings.cache_dir, queries,
                                    force_reasoner or settings.reasoner, force=force_reasoner is not None)
    target = dataset.graph(INFERRED_GRAPH)
    for triple in inferred:
        target.add(triple)
    index = build_index(dataset, queries)
    elapsed = time.perf_counter() - started
    log.info("%s; %d triples loaded in %.2f s", info.message, len(dataset), elapsed)
    return KnowledgeGraph(settings, dataset, queries, index, info, tuple(inputs),
                          ontology_version(dataset), elapsed)
