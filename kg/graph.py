"""The loaded knowledge graph: asserted and inferred triples in named graphs, plus the index.

`load_knowledge_graph(settings)` reads the ontology files into an embedded store; `open_knowledge_graph`
reads what `legpain load` wrote into a persistent one. `kg.service.load_service` picks between them.
"""

from __future__ import annotations

import dataclasses
import gzip
import hashlib
import logging
import time
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import Dataset, Graph

from kg.cache import discard, read_entry, write_entry
from kg.closure import ClosureInfo, obtain_closure
from kg.index import KnowledgeIndex, build_index
from kg.loading import InputFile, OntologyLoadError, discover_inputs, input_hash, load_asserted, merged_graph
from kg.namespaces import INFERRED_GRAPH, ONTOLOGY_IRI
from kg.queries import QueryLibrary
from kg.settings import Settings
from kg.store import (
    DEFAULT_STORE,
    OxigraphBackend,
    StoreNotLoadedError,
    backend_for,
    native_store,
    oxigraph_dataset,
    quads_by_graph,
)

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
    #: the data version: the input hash (or the prepared dump's hash); what a store load is marked with
    data_version: str = ""
    #: the store it lives in (`kg.store`), e.g. `oxigraph` or `oxigraph:/var/lib/legpain`
    store: str = "oxigraph"
    #: triples per named graph, by graph IRI, as counted when the graph was loaded
    counts: dict[str, int] = dataclasses.field(default_factory=dict)

    def triple_counts(self) -> dict[str, int]:
        """Triples per named graph, by graph IRI: known since the load, so this costs nothing."""
        return dict(self.counts)

    @property
    def triples(self) -> int:
        return sum(self.counts.values())

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


def closed_dataset(settings: Settings, force_reasoner: str | None = None
                   ) -> tuple[Dataset, str, ClosureInfo, tuple[InputFile, ...]]:
    """The asserted and inferred triples in their named graphs (an rdflib in-memory dataset), their
    data version and where the closure came from: from `settings.dataset` when set (a prepared dump,
    not reasoned again), else from the ontology files and the closure that fits them (`kg.closure`)."""
    if settings.dataset is not None:
        dataset, digest = read_prepared(settings.dataset)
        return dataset, digest, ClosureInfo(digest, "prepared", "prepared",
                                            f"prepared dataset {settings.dataset} (not reasoned again)"), ()
    queries = QueryLibrary(settings.queries_dir)
    inputs = discover_inputs(settings)
    dataset = load_asserted(inputs)
    digest = input_hash(inputs, settings.ontology_dir)
    asserted = merged_graph(dataset)
    inferred, info = obtain_closure(asserted, digest, settings.ontology_dir, settings.cache_dir, queries,
                                    force_reasoner or settings.reasoner, force=force_reasoner is not None)
    target = dataset.graph(INFERRED_GRAPH)
    for triple in inferred:
        target.add(triple)
    return dataset, digest, info, tuple(inputs)


def read_prepared(path: Path) -> tuple[Dataset, str]:
    """A prepared N-Quads dump (`.nq`, `.nq.gz`) and its data version (a hash of its bytes), read by
    Oxigraph's parser into an in-memory Oxigraph dataset (ten times rdflib's parsing speed, a third of
    its memory: what makes an HPO-sized dump practical)."""
    if not path.is_file():
        raise OntologyLoadError(path, "prepared dataset not found (LEGPAIN_DATASET)")
    raw = path.read_bytes()
    try:
        data = gzip.decompress(raw) if path.suffix == ".gz" else raw
        native = ox.Store()
        native.bulk_load(data, ox.RdfFormat.N_QUADS)
    except (OSError, EOFError, SyntaxError, ValueError) as exc:
        raise OntologyLoadError(path, f"not valid N-Quads: {exc}") from exc
    return oxigraph_dataset(native), "prepared-" + hashlib.sha256(raw).hexdigest()


def load_knowledge_graph(settings: Settings, force_reasoner: str | None = None) -> KnowledgeGraph:
    """Load the inputs, obtain the inferred closure (cached, see `kg.closure`), put both into the
    embedded store `settings.store` names (in memory) and build the index there.

    `force_reasoner` (`hermit` or `owlrl`) recomputes the closure even when a cached one fits. For a
    store that keeps data between runs, see `kg.service.load_service`: it reads what `legpain load`
    wrote instead."""
    started = time.perf_counter()
    backend = backend_for(settings.store)
    if backend.persistent:
        backend = backend_for(DEFAULT_STORE)  # the files are read into memory; the store is not touched
    queries = QueryLibrary(settings.queries_dir)
    snapshot = None
    if isinstance(backend, OxigraphBackend) and force_reasoner is None and settings.dataset is None:
        snapshot = _snapshot(settings)
    if snapshot is not None:
        dataset, digest, info, inputs, counts = snapshot
    else:
        closed, digest, info, inputs = closed_dataset(settings, force_reasoner)
        if backend.holds(closed):  # already in the chosen kind of store
            dataset = closed
            counts = count_graphs(dataset, queries)
        else:
            dataset = backend.open()
            counts = backend.write(dataset, quads_by_graph(closed), digest, mark=False).graphs
            if isinstance(backend, OxigraphBackend) and settings.dataset is None:
                _store_snapshot(settings, dataset, digest, info, counts)
    index = build_index(dataset, queries)
    elapsed = time.perf_counter() - started
    log.info("%s; %d triples loaded into %s in %.2f s", info.message, sum(counts.values()), backend, elapsed)
    return KnowledgeGraph(settings, dataset, queries, index, info, tuple(inputs),
                          ontology_version(dataset), elapsed, digest, str(backend), counts)


def count_graphs(dataset: Dataset, queries: QueryLibrary) -> dict[str, int]:
    """Triples per non-empty named graph, counted in the store (one pass over it: done once, at load)."""
    rows = queries.rows("store/count-graphs", dataset)
    return {str(r["graph"]): int(str(r["triples"])) for r in rows}


def _snapshot_path(settings: Settings, digest: str) -> Path:
    return settings.cache_dir / f"dataset-{digest}.nq"


def _snapshot(settings: Settings) -> tuple[Dataset, str, ClosureInfo, tuple[InputFile, ...], dict[str, int]] | None:
    """The closed dataset for these inputs from the snapshot cache (N-Quads that Oxigraph reads in
    milliseconds, where parsing the Turtle files takes most of a second): the warm start. Read only
    when it verifies (`kg.cache`) and holds the triples recorded for it."""
    inputs = discover_inputs(settings)
    digest = input_hash(inputs, settings.ontology_dir)
    data = _snapshot_path(settings, digest)
    entry = read_entry(data)
    if entry is None:
        return None
    raw, meta = entry
    try:
        info = ClosureInfo(**meta["closure"])
        counts = {str(k): int(v) for k, v in meta["counts"].items()}
        native = ox.Store()
        native.bulk_load(raw, ox.RdfFormat.N_QUADS)
    except (KeyError, AttributeError, ValueError, TypeError, SyntaxError) as exc:
        log.warning("discarding the unreadable snapshot %s: %s", data, exc)
        discard(data)
        return None
    dataset = oxigraph_dataset(native)
    # the committed closure stays "committed" (the snapshot only saves parsing it); a closure that was
    # computed for these inputs is now a cache hit
    origin = "committed" if info.origin == "committed" else "cache"
    note = (info.message if origin == "committed" else f"inferred closure ({info.reasoner}) loaded from the cache"
            ) + " (graph read from the snapshot cache)"
    log.info("graph read from the snapshot %s", data)
    return dataset, digest, ClosureInfo(info.input_hash, info.reasoner, origin, note), tuple(inputs), counts


def _store_snapshot(settings: Settings, dataset: Dataset, digest: str, info: ClosureInfo,
                    counts: dict[str, int]) -> None:
    """Cache the closed dataset for the next start (verified when read back, see `kg.cache`)."""
    data = _snapshot_path(settings, digest)
    try:
        native = native_store(dataset)
        assert native is not None  # the Oxigraph backend opened it
        dump = native.dump(format=ox.RdfFormat.N_QUADS) or b""
        write_entry(data, dump, {"closure": dataclasses.asdict(info), "counts": counts})
    except OSError as exc:  # a read-only cache must not stop the server
        log.warning("could not cache the dataset snapshot in %s: %s", data.parent, exc)


def open_knowledge_graph(settings: Settings) -> KnowledgeGraph:
    """The graph a persistent embedded store (`oxigraph:PATH`) holds, as `legpain load` wrote it, with
    its index built there; `StoreNotLoadedError` when it holds no complete load."""
    started = time.perf_counter()
    backend = backend_for(settings.store)
    dataset = backend.open(read_only=True)
    queries = QueryLibrary(settings.queries_dir)
    rows = queries.rows("store/data-version", dataset)
    if not rows or rows[0].get("version") is None:
        raise StoreNotLoadedError.about(backend, "holds no complete load of the knowledge graph: run "
                                  "`legpain load` with the same LEGPAIN_STORE")
    digest = str(rows[0]["version"])
    index = build_index(dataset, queries)
    info = ClosureInfo(digest, "store", "store", "knowledge graph read from the store")
    counts = {str(r["graph"]): int(str(r["triples"])) for r in queries.rows("store/graph-sizes", dataset)}
    if not counts:  # loaded by a version that recorded no counts
        counts = count_graphs(dataset, queries)
    return KnowledgeGraph(settings, dataset, queries, index, info, (), ontology_version(dataset),
                          time.perf_counter() - started, digest, str(backend), counts)
