"""`LEGPAIN_STORE=oxigraph[:PATH]`: Oxigraph in memory or on disk (RocksDB), through oxrdflib.

The native `pyoxigraph.Store` is built here and kept (`NativeOxigraphStore`), so bulk loads, dumps and
the SPARQL workers use it directly without reaching into oxrdflib's private attributes.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox
from oxrdflib import OxigraphStore
from rdflib import BNode, Dataset, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from kg.core.namespaces import bind_prefixes
from kg.stores.base import Quad, StoreBackend
from kg.stores.errors import StoreError, StoreNotLoadedError, StoreUnavailableError


class NativeOxigraphStore(OxigraphStore):
    """oxrdflib's store over a `pyoxigraph.Store` this code made, kept as `native`: the dump, the bulk
    writes and the workers' copy use pyoxigraph directly, and the plugin's private attributes are
    never read."""

    def __init__(self, native: ox.Store) -> None:
        super().__init__(store=native)
        self.native: ox.Store | None = native

    def close(self, commit_pending_transaction: bool = False) -> None:
        """Let the store go, as the plugin's own close does: an on-disk store is closed once nothing
        refers to it, so the next process can open its files."""
        super().close(commit_pending_transaction)
        self.native = None


def native_store(dataset: Dataset) -> ox.Store | None:
    """The pyoxigraph store under a dataset built here (None for any other store, or once closed)."""
    store = dataset.store
    return store.native if isinstance(store, NativeOxigraphStore) else None


def native_rows(native: ox.Store, text: str) -> list[dict[str, str | bool]]:
    """A SELECT's solutions straight from pyoxigraph, over the union of the named graphs, each term as
    a plain value: an IRI or a literal as its string (a literal's lexical form), an `xsd:boolean` as a
    `bool`; an unbound variable is absent. For readers that only take `str()` of what they read (the
    index), this skips making an rdflib term of every value: on the HPO graph, 3.7M terms and more
    than half of building its index."""
    solutions = native.query(text, use_default_graph_as_union=True)
    if not isinstance(solutions, ox.QuerySolutions):
        raise TypeError("native_rows runs SELECT queries")
    names = [v.value for v in solutions.variables]
    out: list[dict[str, str | bool]] = []
    for solution in solutions:
        row: dict[str, str | bool] = {}
        for i, name in enumerate(names):
            term = solution[i]
            if term is None:
                continue
            if isinstance(term, ox.Literal) and term.datatype.value == str(XSD.boolean):
                row[name] = term.value in ("true", "1")
            elif isinstance(term, ox.NamedNode | ox.BlankNode | ox.Literal):
                row[name] = term.value
            else:
                raise TypeError(f"native_rows reads no quoted triples ({name})")
        out.append(row)
    return out


def oxigraph_dataset(native: ox.Store) -> Dataset:
    """An rdflib `Dataset` over a pyoxigraph store, its default graph the union of the named graphs."""
    dataset = Dataset(store=NativeOxigraphStore(native), default_union=True)
    bind_prefixes(dataset)
    return dataset


def graph_ntriples(dataset: Dataset, graph_iri: str) -> bytes:
    """One named graph of a dataset as N-Triples, written by Oxigraph's serialiser: straight from the
    native store under a dataset built here (no rdflib term is made), else from rdflib's triples."""
    name = ox.NamedNode(graph_iri)
    native = native_store(dataset)
    if native is not None:
        return native.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=name) or b""
    return ntriples(dataset.graph(URIRef(graph_iri)))


def ntriples(triples: Iterable[tuple[Node, Node, Node]]) -> bytes:
    """rdflib triples as N-Triples, written by Oxigraph's serialiser (escapes and all)."""
    return ox.serialize((_oxigraph_triple(t) for t in triples), format=ox.RdfFormat.N_TRIPLES) or b""


def source_size(dataset: Dataset, graphs: list[str]) -> int:
    """How many triples a load of `graphs` from `dataset` writes, without a SPARQL count over the
    union (oxrdflib's `len` runs `COUNT(DISTINCT ...)`: a minute on HPO): the native store's own quad
    count, else rdflib's per graph."""
    native = native_store(dataset)
    if native is not None:
        return len(native)
    return sum(len(dataset.graph(URIRef(g))) for g in graphs)


def to_oxigraph(term: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """An rdflib term as a pyoxigraph term (for bulk writes)."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)) if term.datatype else None)
    raise TypeError(f"not an RDF term that can be stored: {term!r}")


def _oxigraph_triple(triple: tuple[Node, Node, Node]) -> ox.Triple:
    s, p, o = triple
    subject, predicate = to_oxigraph(s), to_oxigraph(p)
    if isinstance(subject, ox.Literal) or not isinstance(predicate, ox.NamedNode):
        raise StoreError(f"not a storable triple: {s!r} {p!r} {o!r}")
    return ox.Triple(subject, predicate, to_oxigraph(o))


def _oxigraph_quad(quad: Quad) -> ox.Quad:
    s, p, o, g = quad
    triple = _oxigraph_triple((s, p, o))
    return ox.Quad(triple.subject, triple.predicate, triple.object, ox.NamedNode(str(g)))


class OxigraphBackend(StoreBackend):
    """Oxigraph through oxrdflib: in memory without a location, on disk (RocksDB) with one.

    Queries run in Oxigraph's native SPARQL engine. Writes go through pyoxigraph's bulk API, which the
    oxrdflib plugin wraps, because one call per triple through rdflib's store interface is ten times
    slower. On disk, readers open the store read-only, so API workers and a running load coexist."""

    scheme = "oxigraph"
    write_batch = 50_000

    def __init__(self, location: str | None = None, timeout_s: float = 30.0) -> None:
        super().__init__(location, timeout_s)
        self.persistent = bool(location)
        self.shared = bool(location)

    def _open(self, read_only: bool) -> Dataset:
        return oxigraph_dataset(self.native(read_only=read_only))

    def holds(self, dataset: Dataset) -> bool:
        return not self.location and native_store(dataset) is not None

    def native(self, *, read_only: bool = False) -> ox.Store:
        """The pyoxigraph store itself. Read-only, an on-disk store is copied into memory and the files
        are let go at once: RocksDB's read-only mode reads files that a later `legpain load` may
        compact away, so a long-lived reader would fail then; the copy keeps serving until a reload."""
        if not self.location:
            return ox.Store()
        path = Path(self.location)
        try:
            if read_only:
                if not path.is_dir():
                    raise StoreNotLoadedError(f"no Oxigraph store at {path}: run `legpain load` first")
                snapshot = ox.Store()
                snapshot.bulk_load(
                    ox.Store.read_only(str(path)).dump(format=ox.RdfFormat.N_QUADS) or b"", ox.RdfFormat.N_QUADS
                )
                return snapshot
            path.mkdir(parents=True, exist_ok=True)
            return ox.Store(str(path))
        except StoreError:
            raise
        except (OSError, RuntimeError) as exc:
            raise StoreUnavailableError(
                f"cannot open the Oxigraph store at {path}: {exc}. Another "
                "process may be writing it (only one writer at a time)."
            ) from exc

    @staticmethod
    def _native(dataset: Dataset) -> ox.Store:
        native = native_store(dataset)
        if native is None:
            raise StoreError("not a dataset over an Oxigraph store this backend opened")
        return native

    def _drop(self, dataset: Dataset, graph_iri: str) -> None:
        inner = self._native(dataset)
        name = ox.NamedNode(graph_iri)
        if inner.contains_named_graph(name):
            inner.remove_graph(name)

    def _insert(self, dataset: Dataset, quads: list[Quad]) -> None:
        self._native(dataset).extend([_oxigraph_quad(quad) for quad in quads])

    def _flush(self, dataset: Dataset) -> None:
        if self.location:
            self._native(dataset).flush()
