"""The loaded knowledge graph: asserted and inferred triples in named graphs, plus the index.

`load_knowledge_graph(settings)` reads the ontology files into an embedded store; `open_knowledge_graph`
reads what `legpain load` wrote into a persistent one. `kg.service.load_service` picks between them.
"""

from __future__ import annotations

import dataclasses
import gzip
import hashlib
import json
import logging
import time
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from oxrdflib import OxigraphStore
from rdflib import Dataset, Graph

from kg.closure import ClosureInfo, obtain_closure
from kg.index import KnowledgeIndex, build_index
from kg.loading import InputFile, OntologyLoadError, discover_inputs, input_hash, load_asserted
from kg.namespaces import INFERRED_GRAPH, ONTOLOGY_IRI, bind_prefixes
from kg.queries import QueryLibrary
from kg.settings import Settings
from kg.store import (
    DEFAULT_STORE,
    OxigraphBackend,
    StoreNotLoadedError,
    backend_for,
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
    digest = input_hash(inputs, settings.ontology_dir.parent)
    asserted = Graph()
    for triple in dataset.triples((None, None, None)):
        asserted.add(triple)
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
    dataset = Dataset(store=OxigraphStore(store=native), default_union=True)
    bind_prefixes(dataset)
    return dataset, "prepared-" + hashlib.sha256(raw).hexdigest()


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
        dataset, digest, info, inputs = snapshot
    else:
        closed, digest, info, inputs = closed_dataset(settings, force_reasoner)
        if backend.holds(closed):  # already in the chosen kind of store
            dataset = closed
        else:
            dataset = backend.open()
            backend.write(dataset, quads_by_graph(closed), digest, mark=False)
            if isinstance(backend, OxigraphBackend) and settings.dataset is None:
                _store_snapshot(settings, dataset, digest, info)
    index = build_index(dataset, queries)
    elapsed = time.perf_counter() - started
    log.info("%s; %d triples loaded into %s in %.2f s", info.message, len(dataset), backend, elapsed)
    return KnowledgeGraph(settings, dataset, queries, index, info, tuple(inputs),
                          ontology_version(dataset), elapsed, digest, str(backend))


def _snapshot_paths(settings: Settings, digest: str) -> tuple[Path, Path]:
    folder = settings.cache_dir
    return folder / f"dataset-{digest}.nq", folder / f"dataset-{digest}.json"


def _snapshot(settings: Settings) -> tuple[Dataset, str, ClosureInfo, tuple[InputFile, ...]] | None:
    """The closed dataset for these inputs from the snapshot cache (N-Quads that Oxigraph reads in
    milliseconds, where parsing the Turtle files takes most of a second): the warm start."""
    inputs = discover_inputs(settings)
    digest = input_hash(inputs, settings.ontology_dir.parent)
    data, meta = _snapshot_paths(settings, digest)
    if not (data.exists() and meta.exists()):
        return None
    try:
        info = ClosureInfo(**json.loads(meta.read_text(encoding="utf-8")))
        native = ox.Store()
        native.bulk_load(data.read_bytes(), ox.RdfFormat.N_QUADS)
    except (OSError, ValueError, TypeError, SyntaxError) as exc:
        log.warning("ignoring the unreadable snapshot %s: %s", data, exc)
        return None
    dataset = Dataset(store=OxigraphStore(store=native), default_union=True)
    bind_prefixes(dataset)
    # the committed closure stays "committed" (the snapshot only saves parsing it); a closure that was
    # computed for these inputs is now a cache hit
    origin = "committed" if info.origin == "committed" else "cache"
    note = (info.message if origin == "committed" else f"inferred closure ({info.reasoner}) loaded from the cache"
            ) + f" (graph read from the snapshot {data})"
    return dataset, digest, ClosureInfo(info.input_hash, info.reasoner, origin, note), tuple(inputs)


def _store_snapshot(settings: Settings, dataset: Dataset, digest: str, info: ClosureInfo) -> None:
    """Cache the closed dataset for the next start (written whole, then renamed)."""
    data, meta = _snapshot_paths(settings, digest)
    try:
        data.parent.mkdir(parents=True, exist_ok=True)
        store = dataset.store
        assert isinstance(store, OxigraphStore)
        partial = data.with_suffix(".partial")
        partial.write_bytes(store._inner.dump(format=ox.RdfFormat.N_QUADS) or b"")  # noqa: SLF001
        partial.replace(data)
        meta.write_text(json.dumps(dataclasses.asdict(info)), encoding="utf-8")
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
        raise StoreNotLoadedError(f"the store {backend} holds no complete load of the knowledge graph: run "
                                  "`legpain load` with the same LEGPAIN_STORE")
    digest = str(rows[0]["version"])
    index = build_index(dataset, queries)
    info = ClosureInfo(digest, "store", "store", f"knowledge graph read from the store {backend}")
    return KnowledgeGraph(settings, dataset, queries, index, info, (), ontology_version(dataset),
                          time.perf_counter() - started, digest, str(backend))
