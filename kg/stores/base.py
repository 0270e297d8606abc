"""What every store backend shares: the `StoreBackend` base, the errors, loading and the data version.

The backends, one module each, are chosen in one place by `Settings.store` (`kg.stores.registry`):

| `LEGPAIN_STORE`                      | rdflib store plugin                         | holds data between runs |
|--------------------------------------|---------------------------------------------|-------------------------|
| `oxigraph` (the default)             | oxrdflib `OxigraphStore`, in memory         | no                      |
| `memory`                             | rdflib `Memory`                             | no                      |
| `oxigraph:PATH`                      | oxrdflib `OxigraphStore` on disk (RocksDB)  | yes                     |
| `sparql:QUERY_URL[;UPDATE_URL[;GSP]]`| rdflib `SPARQLUpdateStore` (any SPARQL 1.1) | yes (on the server)     |
| `virtuoso:BASE_URL`                  | the same, with Virtuoso's quirks handled    | yes (on the server)     |

Every backend is a `StoreBackend` registered in `BACKENDS`; the rest of the code asks a backend what it
can do (`persistent`, `remote`) instead of testing its kind. The dataset's default graph is the union
of its named graphs in every backend (a remote server must be configured that way; see the README).

A load writes named graphs whole (each replaced, so loading twice changes nothing) and marks the
dataset with its data version last, in the graph `lp:graph/load`: readers that see no version know the
store holds no complete load, and readers that see a new one drop their caches.
"""

from __future__ import annotations

import logging
import time
import urllib.error
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.client import HTTPException
from typing import ClassVar, TypeVar

from rdflib import BNode, Dataset, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, VOID, XSD
from rdflib.term import Node

from kg.core.namespaces import DATASET_IRI, GRAPH_BASE, LOAD_GRAPH, LP, bind_prefixes
from kg.sparql.library import QueryLibrary
from kg.stores.errors import StoreError, StoreNotLoadedError, StoreUnavailableError, describe_error
from kg.stores.http import SparqlHttpClient

log = logging.getLogger(__name__)

T = TypeVar("T")
Quad = tuple[Node, Node, Node, URIRef]
#: Called after each batch a load writes: (graph IRI, triples of it written so far, its total).
Progress = Callable[[str, int, int], None]


@dataclass
class LoadReport:
    """What a load wrote: triples per graph, in order. On failure `failed` names the graph being written."""

    store: str
    data_version: str
    graphs: dict[str, int] = field(default_factory=dict)
    removed: list[str] = field(default_factory=list)
    seconds: float = 0.0
    failed: str | None = None
    #: whether the old data version was removed (before that, a failed load changed nothing)
    started: bool = False

    @property
    def triples(self) -> int:
        return sum(self.graphs.values())


class StoreBackend:
    """One kind of store. Subclasses set the class attributes and implement `_open`."""

    #: The scheme in `LEGPAIN_STORE` (`memory`, `oxigraph`, `sparql`).
    scheme: ClassVar[str]
    #: Data outlives the process, so `legpain load` fills it and `legpain serve` reads it (a backend may
    #: decide per instance, as Oxigraph does by its location).
    persistent: bool = False
    #: Queries cross a network: the service keeps no full copy and asks the store per request.
    remote: ClassVar[bool] = False
    #: Several processes may read it at once (API workers share it); per instance too.
    shared: bool = False
    #: Quads a load writes per request (`write`'s default batch).
    write_batch: ClassVar[int] = 10_000

    def __init__(self, location: str | None = None, timeout_s: float = 30.0) -> None:
        self.location = location
        #: seconds a request to the store may take (remote stores; embedded ones answer in-process)
        self.timeout_s = timeout_s
        #: seconds each request of a client opened for writing (`legpain load`) may take
        self.write_timeout_s = timeout_s

    def __str__(self) -> str:
        return self.scheme + (f":{self.location}" if self.location else "")

    # ------------------------------------------------------------------ opening
    def open(self, *, read_only: bool = False) -> Dataset:
        """An rdflib `Dataset` over this store, its default graph the union of the named graphs."""
        dataset = self._open(read_only)
        bind_prefixes(dataset)
        return dataset

    def _open(self, read_only: bool) -> Dataset:
        raise NotImplementedError

    def client(self, *, read_only: bool = True) -> SparqlHttpClient:
        """The SPARQL HTTP client of a remote store (`remote`); an embedded store has none."""
        raise StoreError(f"the store {self} is embedded: it has no SPARQL endpoint of its own")

    def holds(self, dataset: Dataset) -> bool:
        """Whether a dataset already lives in this kind of store (then it need not be copied)."""
        return False

    # ------------------------------------------------------------------ writing
    def load(
        self,
        source: Dataset,
        data_version: str,
        progress: Progress | None = None,
        statistics: Sequence[Quad] = (),
    ) -> LoadReport:
        """`legpain load`: replace this store's graphs with `source`'s (ours, the load marker excepted)
        and mark the data version, with the counts of `statistics` (`load_statistics`). This default
        sends `source`'s triples through `write`; a backend with a bulk path of its own (the Graph Store
        Protocol, `kg.stores.sparql`) overrides it."""
        dataset = self.open()
        try:
            return self.write(dataset, quads_by_graph(source), data_version, progress, statistics=statistics)
        finally:
            dataset.close()  # an on-disk store is released for the readers that open it next

    def holds_load(
        self, graphs: Iterable[str], triples: int, data_version: str, queries: QueryLibrary
    ) -> LoadReport | None:
        """The store's complete load of exactly this data (its marker's data version, graphs and total
        size are those of the source: `graphs`, `triples`), as a report of nothing written; None when
        anything differs or the store holds no complete load. `legpain load` then has nothing to do
        (rewriting HPO's graphs on Oxigraph server takes minutes, most of them deleting the same
        triples). The data version is a hash of the inputs, so the sizes only catch a store changed
        behind the marker's back."""
        try:
            dataset = self.open(read_only=True)
        except StoreNotLoadedError:
            return None  # nothing there yet (an Oxigraph directory not made)
        try:
            try:
                version = loaded_version(self, dataset, queries)
            except StoreNotLoadedError:
                return None
            if version != data_version:
                return None
            rows = queries.rows("store/graph-sizes", dataset)
            sizes = {str(row["graph"]): int(row["triples"]) for row in rows if row.get("triples") is not None}
            if set(sizes) != set(graphs) or sum(sizes.values()) != triples:
                return None
            if not queries.rows("store/condition-count", dataset):
                return None  # loaded by a version that recorded no counts: load again to record them
            return LoadReport(str(self), data_version, graphs=sizes)
        finally:
            dataset.close()

    def write(
        self,
        dataset: Dataset,
        quads_by_graph: dict[str, list[Quad]],
        data_version: str,
        progress: Progress | None = None,
        batch: int | None = None,
        mark: bool = True,
        statistics: Sequence[Quad] = (),
    ) -> LoadReport:
        """Replace each graph with its quads, drop our other graphs, then mark the data version (unless
        `mark` is false: a store filled for this process only needs no marker) with `statistics`.

        On a store error the report says which graphs were written and which one failed, and the store
        holds no data version (readers refuse it) until a load completes."""

        def put(graph_iri: str) -> int:
            quads = quads_by_graph[graph_iri]
            self._drop(dataset, graph_iri)
            written = 0
            for chunk in _chunks_keeping_blank_nodes(quads, batch or self.write_batch):
                self._insert(dataset, chunk)
                written += len(chunk)
                if progress:
                    progress(graph_iri, written, len(quads))
            return written

        return self._replace(dataset, list(quads_by_graph), put, data_version, mark, statistics)

    def _replace(
        self,
        dataset: Dataset,
        graphs: list[str],
        put: Callable[[str], int],
        data_version: str,
        mark: bool,
        statistics: Sequence[Quad] = (),
    ) -> LoadReport:
        """The steps of every load, whoever writes the triples: clear the data version, drop our graphs
        that are not in `graphs`, replace each of `graphs` (`put` writes one whole and says how many
        triples it wrote), then mark the version with those counts and the `statistics`."""
        report = LoadReport(str(self), data_version)
        started = time.perf_counter()
        try:
            self._clear_version(dataset)
            report.started = True
            ours = {str(g.identifier) for g in dataset.graphs() if str(g.identifier).startswith(GRAPH_BASE)}
            for stale in sorted(ours - set(graphs) - {str(LOAD_GRAPH)}):
                self._drop(dataset, stale)
                report.removed.append(stale)
            for graph_iri in graphs:
                report.failed = graph_iri
                report.graphs[graph_iri] = put(graph_iri)
                report.failed = None
            if mark:
                self._insert(dataset, [*version_quads(data_version, report.graphs), *statistics])
            self._flush(dataset)
        except StoreError:
            raise
        except Exception as exc:  # noqa: BLE001 - every store failure is reported with what was written
            raise StoreUnavailableError(self._failure(exc, report)) from exc
        report.seconds = time.perf_counter() - started
        return report

    def _failure(self, exc: BaseException, report: LoadReport) -> str:
        if not report.started:
            return (
                f"the load into {self} failed before writing anything: {describe_error(exc)}. The store is unchanged."
            )
        done = ", ".join(f"{g} ({n} triples)" for g, n in report.graphs.items()) or "none"
        return (
            f"the load into {self} stopped: {describe_error(exc)}. Graphs written completely: {done}; "
            f"graph being written: {report.failed or 'none'}. The store holds no data version now, so "
            "the API refuses it until `legpain load` completes."
        )

    def _flush(self, dataset: Dataset) -> None:
        """Make a completed load durable (a store on disk); nothing to do by default."""

    def _clear_version(self, dataset: Dataset) -> None:
        self._drop(dataset, str(LOAD_GRAPH))

    def _drop(self, dataset: Dataset, graph_iri: str) -> None:
        dataset.remove_graph(URIRef(graph_iri))

    def _insert(self, dataset: Dataset, quads: list[Quad]) -> None:
        dataset.addN((s, p, o, dataset.graph(g)) for s, p, o, g in quads)


# ---------------------------------------------------------------------------------- data version


def load_statistics(source: Dataset, queries: QueryLibrary) -> list[Quad]:
    """The counts a reader of the loaded store needs for every request, counted once here: how many
    conditions the dataset holds (a VoID class partition of `lp:Condition`) and, for each finding, how
    many conditions have it as a typical finding (`lp:typicalConditionCount`), by the same queries a
    reader would otherwise run over the whole store (`index/count-conditions`,
    `index/count-typical-conditions`: 1.9 s and a fifth of a second per new finding on the HPO graph
    over a SPARQL server). Read back by `queries/store/condition-count.rq` and `typical-counts.rq`."""
    counted = queries.rows("index/count-conditions", source)
    conditions = int(str(counted[0]["conditions"])) if counted else 0
    partition = BNode()
    quads: list[Quad] = [
        (DATASET_IRI, VOID.classPartition, partition, LOAD_GRAPH),
        (partition, VOID["class"], LP.Condition, LOAD_GRAPH),
        (partition, VOID.entities, Literal(conditions), LOAD_GRAPH),
    ]
    for row in queries.rows("index/count-typical-conditions", source):
        count = Literal(int(str(row["conditions"])))
        quads.append((URIRef(str(row["finding"])), LP.typicalConditionCount, count, LOAD_GRAPH))
    return quads


def version_quads(data_version: str, counts: dict[str, int] | None = None) -> list[Quad]:
    """The triples that mark a complete load, in the graph `lp:graph/load`: the data version, when,
    and how many triples each graph received (`void:triples`, so nobody counts the store again)."""
    now = Literal(datetime.now(UTC).replace(microsecond=0).isoformat(), datatype=XSD.dateTime)
    sizes: list[Quad] = [(URIRef(g), VOID.triples, Literal(n), LOAD_GRAPH) for g, n in (counts or {}).items()]
    return [
        (DATASET_IRI, OWL.versionInfo, Literal(data_version), LOAD_GRAPH),
        (DATASET_IRI, DCTERMS.modified, now, LOAD_GRAPH),
        *sizes,
    ]


def store_call(backend: StoreBackend, what: str, call: Callable[[], T]) -> T:
    """Run a store request, turning transport failures into `StoreUnavailableError` that says what
    was being done and where."""
    try:
        return call()
    except StoreError:
        raise
    except (urllib.error.URLError, HTTPException, OSError, TimeoutError) as exc:
        raise StoreUnavailableError.about(backend, f"could not {what}: {describe_error(exc)}") from exc
    except Exception as exc:
        # SPARQLStore wraps some failures in its own exceptions (`SPARQLConnectorException`, parse
        # errors of a half-read response); a remote store's answer is never trusted to be well formed
        if backend.remote:
            raise StoreUnavailableError.about(backend, f"could not {what}: {describe_error(exc)}") from exc
        raise


# ---------------------------------------------------------------------------------- batching


def _chunks_keeping_blank_nodes(quads: list[Quad], size: int) -> Iterator[list[Quad]]:
    """Batches of about `size` quads in which every blank node's triples travel together."""
    parent: dict[BNode, BNode] = {}

    def find(node: BNode) -> BNode:
        while parent.setdefault(node, node) is not node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for s, _, o, _ in quads:
        if isinstance(s, BNode) and isinstance(o, BNode):
            a, b = find(s), find(o)
            if a is not b:
                parent[a] = b
    groups: dict[BNode, list[Quad]] = {}
    chunk: list[Quad] = []
    for quad in quads:
        s, _, o, _ = quad
        anchor = s if isinstance(s, BNode) else o if isinstance(o, BNode) else None
        if anchor is None:
            chunk.append(quad)
            if len(chunk) >= size:
                yield chunk
                chunk = []
        else:
            groups.setdefault(find(anchor), []).append(quad)
    for group in groups.values():
        chunk.extend(group)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def source_graphs(dataset: Dataset) -> list[str]:
    """The IRIs of the named graphs a load writes from `dataset`: ours only, the load marker excepted,
    in a stable order."""
    iris = (str(graph.identifier) for graph in dataset.graphs())
    return sorted(iri for iri in iris if iri.startswith(GRAPH_BASE) and iri != str(LOAD_GRAPH))


def quads_by_graph(dataset: Dataset, graphs: Iterable[URIRef] | None = None) -> dict[str, list[Quad]]:
    """The dataset's named graphs (`source_graphs`, or those of them in `graphs`) as quads; empty graphs
    are left out."""
    wanted = None if graphs is None else {str(g) for g in graphs}
    out: dict[str, list[Quad]] = {}
    for iri in source_graphs(dataset):
        if wanted and iri not in wanted:
            continue
        quads = [(s, p, o, URIRef(iri)) for s, p, o in dataset.graph(URIRef(iri))]
        if quads:
            out[iri] = quads
    return out


def loaded_version(backend: StoreBackend, dataset: Dataset, queries: QueryLibrary) -> str:
    """The data version a complete `legpain load` marked the store with (`queries/store/data-version.rq`);
    `StoreNotLoadedError` when it holds none: nothing was loaded, or a load was interrupted (the mark is
    written last)."""
    rows = queries.rows("store/data-version", dataset)
    if not rows or rows[0].get("version") is None:
        raise StoreNotLoadedError.about(
            backend,
            "holds no complete load of the knowledge graph: run `legpain load` with the same "
            "LEGPAIN_STORE (a load that was interrupted leaves no data version)",
        )
    return str(rows[0]["version"])
