"""`LEGPAIN_STORE=sparql:QUERY_URL[;UPDATE_URL[;GRAPH_STORE_URL]]`: any SPARQL 1.1 server, through
rdflib's `SPARQLUpdateStore` whose requests go through the one HTTP client (`kg.stores.http`).

With a graph store URL, `legpain load` writes each graph by the SPARQL 1.1 Graph Store Protocol: the
source's own N-Triples serialiser (Oxigraph's, for a prepared dump) writes the bytes and the server
parses them in one request per graph or per slice of one, instead of `INSERT DATA` batches that rdflib
terms are written into and the server parses as SPARQL (about 10k triples/s on HPO).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from io import BytesIO

import orjson
from rdflib import BNode, Dataset, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.plugins.stores.sparqlconnector import SPARQLConnector
from rdflib.plugins.stores.sparqlstore import SPARQLUpdateStore
from rdflib.query import Result
from rdflib.term import Node

from kg.core.namespaces import LOAD_GRAPH
from kg.sparql.library import select_rows
from kg.stores.base import LoadReport, Progress, Quad, StoreBackend, source_graphs
from kg.stores.errors import StoreSpecError
from kg.stores.http import SparqlHttpClient
from kg.stores.oxigraph import graph_ntriples, ntriples

#: The largest request body a Graph Store Protocol load sends: a graph is cut into slices of whole
#: lines at about this size (a graph with blank nodes is sent whole, since a blank node's label is
#: scoped to one request).
GRAPH_STORE_SLICE_BYTES = 32 << 20


class SparqlBackend(StoreBackend):
    """Any SPARQL 1.1 server through rdflib's `SPARQLUpdateStore`: queries to QUERY_URL, updates to
    UPDATE_URL (by default QUERY_URL with its last path segment replaced by `update`), and, when
    GRAPH_STORE_URL is given, loads by the Graph Store Protocol.

    Otherwise writes are `DROP SILENT GRAPH` and `INSERT DATA` requests of whole blank-node components,
    so a blank node is never split across two requests (its label is scoped to one request)."""

    scheme = "sparql"
    persistent = True
    remote = True
    write_batch = 5_000
    shared = True

    def __init__(self, location: str | None = None, timeout_s: float = 30.0) -> None:
        super().__init__(location, timeout_s)
        if not location:
            raise StoreSpecError(
                "LEGPAIN_STORE=sparql: needs the query URL, e.g. "
                "sparql:http://127.0.0.1:7878/query;http://127.0.0.1:7878/update;http://127.0.0.1:7878/store"
            )
        query_url, _, rest = location.partition(";")
        update_url, _, graph_store_url = rest.partition(";")
        self._check_urls(location, query_url, update_url, graph_store_url)
        self.query_url = query_url
        self.update_url = update_url or query_url.rsplit("/", 1)[0] + "/update"
        self.graph_store_url = graph_store_url or None

    def _check_urls(self, location: str, *urls: str) -> None:
        for url in urls:
            if url and not url.startswith(("http://", "https://")):
                raise StoreSpecError(f"LEGPAIN_STORE={self.scheme}:{location}: {url!r} is not an http(s) URL")

    def client(self, *, read_only: bool = True) -> SparqlHttpClient:
        """The HTTP client for this store (without the update URL when read-only)."""
        if read_only:
            return SparqlHttpClient(self.query_url, None, self.timeout_s, self.graph_store_url)
        return SparqlHttpClient(self.query_url, self.update_url, self.write_timeout_s, self.graph_store_url)

    def _open(self, read_only: bool) -> Dataset:
        return Dataset(store=SparqlStore(self.client(read_only=read_only)), default_union=True)

    def load(
        self,
        source: Dataset,
        data_version: str,
        progress: Progress | None = None,
        statistics: Sequence[Quad] = (),
    ) -> LoadReport:
        """By the Graph Store Protocol when the store has a graph store URL (see the module docstring),
        else through `write`."""
        if self.graph_store_url is None:
            return super().load(source, data_version, progress, statistics)
        client = self.client(read_only=False)
        dataset = self.open()

        def put(graph_iri: str) -> int:
            data = graph_ntriples(source, graph_iri)
            total = data.count(b"\n") if progress else 0  # one line per triple
            written = 0
            for number, piece in enumerate(_slices(data)):
                client.put_graph(graph_iri, piece, replace=number == 0)
                written += piece.count(b"\n")
                if progress:
                    progress(graph_iri, written, total)
            return written

        try:
            return self._replace(dataset, source_graphs(source), put, data_version, True, statistics)
        finally:
            dataset.close()

    def _drop(self, dataset: Dataset, graph_iri: str) -> None:
        dataset.update(f"DROP SILENT GRAPH <{graph_iri}>")

    def _insert(self, dataset: Dataset, quads: list[Quad]) -> None:
        """Add quads: by the Graph Store Protocol (a `POST` of N-Triples per graph) when the store has a
        graph store URL, which the server parses at bulk speed (a load's counts are tens of thousands
        of triples at scale: seconds as `INSERT DATA`), else as one `INSERT DATA`."""
        if self.graph_store_url is None:
            dataset.update("INSERT DATA {\n" + graph_blocks(quads) + "\n}")
            return
        client = self.client(read_only=False)
        by_graph: dict[Node, list[tuple[Node, Node, Node]]] = {}
        for s, p, o, g in quads:
            by_graph.setdefault(g, []).append((s, p, o))
        for graph, triples in by_graph.items():  # one piece per graph: its blank nodes stay one
            client.put_graph(str(graph), ntriples(triples), replace=False)

    def _clear_version(self, dataset: Dataset) -> None:
        self._drop(dataset, str(LOAD_GRAPH))


def graph_blocks(quads: list[Quad]) -> str:
    """Quads as `GRAPH <g> { ... }` blocks of an update's data or template."""
    by_graph: dict[URIRef, list[str]] = {}
    for s, p, o, g in quads:
        by_graph.setdefault(g, []).append(f"{_node_to_sparql(s)} {p.n3()} {_node_to_sparql(o)} .")
    return "\n".join(f"GRAPH <{g}> {{\n" + "\n".join(lines) + "\n}" for g, lines in by_graph.items())


def _slices(data: bytes) -> Iterator[bytes]:
    """N-Triples in pieces of whole lines of about `GRAPH_STORE_SLICE_BYTES` (one piece when the text
    may hold a blank node; an empty graph is one empty piece, so a `PUT` still replaces it)."""
    if len(data) <= GRAPH_STORE_SLICE_BYTES or b"_:" in data:
        yield data
        return
    start = 0
    while start < len(data):
        end = data.find(b"\n", start + GRAPH_STORE_SLICE_BYTES)
        end = len(data) if end < 0 else end + 1
        yield data[start:end]
        start = end


class _TimedConnector(SPARQLConnector):
    """rdflib's connector sends requests without a timeout and hides HTTP errors (a tuple comes back for
    a failed POST); this one sends them through `SparqlHttpClient`, which has a timeout and raises
    `urllib.error.HTTPError` as is."""

    client: SparqlHttpClient

    def query(self, query: str, default_graph: str | None = None, named_graph: str | None = None) -> Result:
        graphs = [default_graph] if default_graph is not None and not isinstance(default_graph, BNode) else None
        answer = self.client.query(query, default_graphs=graphs)
        return Result.parse(BytesIO(answer.body), content_type=answer.content_type)

    def send_update(self, query: str) -> None:
        self.client.update(query)


class SparqlStore(SPARQLUpdateStore, _TimedConnector):
    """`SPARQLUpdateStore` whose requests go through `_TimedConnector` (it precedes rdflib's connector
    in the method resolution order, so the store's own logic is unchanged)."""

    def __init__(self, client: SparqlHttpClient) -> None:
        super().__init__(
            client.query_url,
            client.update_url,
            returnFormat="json",
            autocommit=True,
            context_aware=True,
            node_to_sparql=_node_to_sparql,
        )
        self.client = client

    def _update(self, update: str) -> None:
        # rdflib calls `SPARQLConnector.update` by class name here, so override the caller
        self._updates += 1
        self.send_update(update)


#: The JSON results format's media type (SPARQL 1.1 Query Results JSON Format, section 4).
_JSON_RESULTS = "application/sparql-results+json"


def sparql_client(dataset: Dataset) -> SparqlHttpClient | None:
    """The HTTP client under a dataset opened by a `SparqlBackend` (None for any other store)."""
    store = dataset.store
    return store.client if isinstance(store, SparqlStore) else None


def plain_rows(client: SparqlHttpClient, text: str) -> list[dict[str, str | bool]]:
    """A SELECT's solutions from the server, each term as a plain value, as `kg.stores.oxigraph.native_rows`
    gives them (an IRI, a blank node or a literal as its string, an `xsd:boolean` as a `bool`, an
    unbound variable absent): the JSON results read by orjson, with no rdflib term made per value,
    which was about a third of the client's time on a remote HPO graph. An answer in another results
    format is read by rdflib's parsers and its terms turned into the same plain values."""
    answer = client.query(text)
    if answer.content_type == _JSON_RESULTS:
        bindings = orjson.loads(answer.body).get("results", {}).get("bindings", [])
        return [{name: _plain(term) for name, term in solution.items()} for solution in bindings]
    result = Result.parse(BytesIO(answer.body), content_type=answer.content_type)
    out: list[dict[str, str | bool]] = []
    for row in select_rows(result):
        values = row.asdict()
        out.append(
            {
                name: bool(value.toPython())
                if isinstance(value, Literal) and value.datatype == XSD.boolean
                else str(value)
                for name, value in values.items()
            }
        )
    return out


def _plain(term: dict[str, str]) -> str | bool:
    if term.get("datatype") == str(XSD.boolean):
        return term.get("value") in ("true", "1")
    return term.get("value", "")


def _node_to_sparql(node: Node) -> str:
    if isinstance(node, BNode):
        return f"_:b{node}"  # labels stay stable within one request
    return node.n3()
