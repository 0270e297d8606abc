"""`LEGPAIN_STORE=sparql:QUERY_URL[;UPDATE_URL]`: any SPARQL 1.1 server, through rdflib's
`SPARQLUpdateStore` whose requests go through the one HTTP client (`kg.stores.http`).
"""

from __future__ import annotations

from io import BytesIO

from rdflib import BNode, Dataset, URIRef
from rdflib.plugins.stores.sparqlconnector import SPARQLConnector
from rdflib.plugins.stores.sparqlstore import SPARQLUpdateStore
from rdflib.query import Result
from rdflib.term import Node

from kg.core.namespaces import LOAD_GRAPH
from kg.stores.base import Quad, StoreBackend
from kg.stores.errors import StoreSpecError
from kg.stores.http import SparqlHttpClient


class SparqlBackend(StoreBackend):
    """Any SPARQL 1.1 server through rdflib's `SPARQLUpdateStore`: queries to QUERY_URL, updates to
    UPDATE_URL (by default QUERY_URL with its last path segment replaced by `update`).

    Writes are `DROP SILENT GRAPH` and `INSERT DATA` requests of whole blank-node components, so a
    blank node is never split across two requests (its label is scoped to one request)."""

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
                "sparql:http://127.0.0.1:7878/query;http://127.0.0.1:7878/update"
            )
        query_url, _, update_url = location.partition(";")
        for url in (query_url, update_url):
            if url and not url.startswith(("http://", "https://")):
                raise StoreSpecError(f"LEGPAIN_STORE=sparql:{location}: {url!r} is not an http(s) URL")
        self.query_url = query_url
        self.update_url = update_url or query_url.rsplit("/", 1)[0] + "/update"

    def client(self, *, read_only: bool = True) -> SparqlHttpClient:
        """The HTTP client for this store (without the update URL when read-only)."""
        return SparqlHttpClient(self.query_url, None if read_only else self.update_url, self.timeout_s)

    def _open(self, read_only: bool) -> Dataset:
        store = _SparqlStore(self.query_url, None if read_only else self.update_url, timeout_s=self.timeout_s)
        return Dataset(store=store, default_union=True)

    def _drop(self, dataset: Dataset, graph_iri: str) -> None:
        dataset.update(f"DROP SILENT GRAPH <{graph_iri}>")

    def _insert(self, dataset: Dataset, quads: list[Quad]) -> None:
        by_graph: dict[URIRef, list[str]] = {}
        for s, p, o, g in quads:
            by_graph.setdefault(g, []).append(f"{_node_to_sparql(s)} {p.n3()} {_node_to_sparql(o)} .")
        body = "\n".join(f"GRAPH <{g}> {{\n" + "\n".join(lines) + "\n}" for g, lines in by_graph.items())
        dataset.update("INSERT DATA {\n" + body + "\n}")

    def _clear_version(self, dataset: Dataset) -> None:
        self._drop(dataset, str(LOAD_GRAPH))


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


class _SparqlStore(SPARQLUpdateStore, _TimedConnector):
    """`SPARQLUpdateStore` whose requests go through `_TimedConnector` (it precedes rdflib's connector
    in the method resolution order, so the store's own logic is unchanged)."""

    def __init__(self, query_url: str, update_url: str | None, timeout_s: float) -> None:
        super().__init__(
            query_url,
            update_url,
            returnFormat="json",
            autocommit=True,
            context_aware=True,
            node_to_sparql=_node_to_sparql,
        )
        self.client = SparqlHttpClient(query_url, update_url, timeout_s)

    def _update(self, update: str) -> None:
        # rdflib calls `SPARQLConnector.update` by class name here, so override the caller
        self._updates += 1
        self.send_update(update)


def _node_to_sparql(node: Node) -> str:
    if isinstance(node, BNode):
        return f"_:b{node}"  # labels stay stable within one request
    return node.n3()
