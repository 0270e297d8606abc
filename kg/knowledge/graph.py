"""The loaded knowledge graph: asserted and inferred triples in named graphs, plus the index.

`load_graph(settings)` reads the ontology files into an embedded store; `open_stored_graph`
reads what `legpain load` wrote into a persistent one. `kg.assessment.service.load_service` picks between them.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from rdflib import Dataset

from kg.core.namespaces import ONTOLOGY_IRI
from kg.core.settings import Settings
from kg.knowledge.index import IndexRow, Rows, TermIndex, build_index
from kg.knowledge.snapshot import read_index, write_index
from kg.loading.inputs import InputFile
from kg.reasoning.closed import closed_dataset, keep_in_background, read_snapshot, store_snapshot
from kg.reasoning.closure import ClosureInfo, ClosureOrigin
from kg.sparql.library import QueryLibrary
from kg.stores.base import loaded_version, quads_by_graph
from kg.stores.oxigraph import OxigraphBackend, native_rows, native_store
from kg.stores.registry import DEFAULT_STORE, backend_for

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LoadedGraph:
    """A loaded, reasoned graph and what is derived from it. Immutable once built: a reload builds a
    new one and swaps it in whole, so requests never see a half-loaded graph."""

    settings: Settings
    dataset: Dataset
    queries: QueryLibrary
    index: TermIndex
    closure: ClosureInfo
    inputs: tuple[InputFile, ...]
    version: str
    load_seconds: float
    #: the data version: the input hash (or the prepared dump's hash); what a store load is marked with
    data_version: str = ""
    #: the store it lives in (`kg.stores`), e.g. `oxigraph` or `oxigraph:/var/lib/legpain`
    store: str = "oxigraph"
    #: triples per named graph, by graph IRI, as counted when the graph was loaded
    counts: dict[str, int] = dataclasses.field(default_factory=dict)

    def triple_counts(self) -> dict[str, int]:
        """Triples per named graph, by graph IRI: known since the load, so this costs nothing."""
        return dict(self.counts)

    @property
    def triples(self) -> int:
        return sum(self.counts.values())


def ontology_version(dataset: Dataset) -> str:
    from rdflib.namespace import OWL

    for value in dataset.objects(ONTOLOGY_IRI, OWL.versionInfo):
        return str(value)
    return "unknown"


def load_graph(settings: Settings, force_reasoner: str | None = None) -> LoadedGraph:
    """Load the inputs, obtain the inferred closure (cached, see `kg.reasoning.closure`), put both into the
    embedded store `settings.store` names (in memory) and build the index there.

    `force_reasoner` (`hermit` or `owlrl`) recomputes the closure even when a cached one fits. For a
    store that keeps data between runs, see `kg.assessment.service.load_service`: it reads what `legpain load`
    wrote instead."""
    started = time.perf_counter()
    backend = backend_for(settings.store)
    if backend.persistent:
        backend = backend_for(DEFAULT_STORE)  # the files are read into memory; the store is not touched
    queries = QueryLibrary(settings.queries_dir)
    snapshot = None
    if isinstance(backend, OxigraphBackend) and force_reasoner is None and settings.dataset is None:
        snapshot = read_snapshot(settings)
    kept: tuple[TermIndex, dict[str, int]] | None = None
    if snapshot is not None:
        dataset, digest, info, inputs, counts = snapshot
    else:
        closed, digest, info, inputs = closed_dataset(settings, force_reasoner)
        if backend.holds(closed):  # already in the chosen kind of store (a prepared dump)
            dataset = closed
            kept = read_index(settings, digest)
            # counted once, at the first load of this dump; kept beside its index after that
            counts = kept[1] if kept is not None else count_graphs(dataset, queries)
        else:
            dataset = backend.open()
            counts = backend.write(dataset, quads_by_graph(closed), digest, mark=False).graphs
            if isinstance(backend, OxigraphBackend) and settings.dataset is None:
                store_snapshot(settings, dataset, digest, info, counts)
    index = _index(settings, dataset, queries, digest, counts, kept or read_index(settings, digest))
    if settings.dataset is not None and backend.holds(dataset):
        keep_in_background(settings.dataset, digest, settings.cache_dir)  # for the next start
    elapsed = time.perf_counter() - started
    log.info("%s; %d triples loaded into %s in %.2f s", info.message, sum(counts.values()), backend, elapsed)
    return LoadedGraph(
        settings,
        dataset,
        queries,
        index,
        info,
        tuple(inputs),
        ontology_version(dataset),
        elapsed,
        digest,
        str(backend),
        counts,
    )


def _index(
    settings: Settings,
    dataset: Dataset,
    queries: QueryLibrary,
    digest: str,
    counts: dict[str, int],
    kept: tuple[TermIndex, dict[str, int]] | None,
) -> TermIndex:
    """The index of this data version: read back from its snapshot (`kg.knowledge.snapshot`), or built
    in the store and kept for the next start."""
    if kept is not None:
        return kept[0]
    index = build_index(dataset, queries, digest, native_index_rows(dataset, queries))
    write_index(settings, digest, index, counts)
    return index


def native_index_rows(dataset: Dataset, queries: QueryLibrary) -> Rows | None:
    """The index queries run by pyoxigraph itself over a dataset built here (`native_rows`), or None
    for any other store. A read of particular terms (a `VALUES` batch) goes the usual way."""
    native = native_store(dataset)
    if native is None:
        return None

    def rows(name: str, variable: str | None = None, iris: Collection[str] | None = None) -> Sequence[IndexRow]:
        if (variable is not None and iris is not None) or queries.get(name).checked.has_dataset_clause:
            return queries.rows(name, dataset, variable, iris)
        [text] = queries.standalone(name)
        return native_rows(native, text)

    return rows


def count_graphs(dataset: Dataset, queries: QueryLibrary) -> dict[str, int]:
    """Triples per non-empty named graph, counted in the store (one pass over it: done once, at load)."""
    rows = queries.rows("store/count-graphs", dataset)
    return {str(r["graph"]): int(str(r["triples"])) for r in rows}


def open_stored_graph(settings: Settings) -> LoadedGraph:
    """The graph a persistent embedded store (`oxigraph:PATH`) holds, as `legpain load` wrote it, with
    its index built there; `StoreNotLoadedError` when it holds no complete load."""
    started = time.perf_counter()
    backend = backend_for(settings.store)
    dataset = backend.open(read_only=True)
    queries = QueryLibrary(settings.queries_dir)
    digest = loaded_version(backend, dataset, queries)
    info = ClosureInfo(digest, "store", ClosureOrigin.STORE, "knowledge graph read from the store")
    counts = {str(r["graph"]): int(str(r["triples"])) for r in queries.rows("store/graph-sizes", dataset)}
    if not counts:  # loaded by a version that recorded no counts
        counts = count_graphs(dataset, queries)
    index = _index(settings, dataset, queries, digest, counts, read_index(settings, digest))
    return LoadedGraph(
        settings,
        dataset,
        queries,
        index,
        info,
        (),
        ontology_version(dataset),
        time.perf_counter() - started,
        digest,
        str(backend),
        counts,
    )
