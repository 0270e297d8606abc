"""The one SPARQL-over-HTTP client: the SPARQL 1.1 protocol's POST of a query or an update, with a time
limit, to the store this process is configured to reach.

The rdflib store that `kg.stores.sparql.SparqlBackend` opens sends its requests through it, and so
does the endpoint's remote runner (`api.sparql.remote`); both see HTTP errors as
`urllib.error.HTTPError` (rdflib's own connector sends no timeout and hides a failed POST in a tuple).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlencode
from urllib.request import Request, urlopen

from kg.stores.errors import StoreError

#: What a query asks for: SPARQL JSON results for SELECT and ASK, N-Triples for CONSTRUCT and DESCRIBE.
ACCEPT = "application/sparql-results+json, application/n-triples;q=0.9"


@dataclass(frozen=True)
class Answer:
    """A store's answer: its media type (parameters dropped) and its bytes; `complete` is False when it
    was longer than the caller's limit and only the limit plus one byte was read."""

    content_type: str
    body: bytes
    complete: bool = True


class SparqlHttpClient:
    """POSTs queries to `query_url` and updates to `update_url` (None: a read-only client); writes whole
    graphs to `graph_store_url` (the SPARQL 1.1 Graph Store Protocol) when the store has one."""

    def __init__(
        self, query_url: str, update_url: str | None, timeout_s: float, graph_store_url: str | None = None
    ) -> None:
        self.query_url = query_url
        self.update_url = update_url
        self.timeout_s = timeout_s
        self.graph_store_url = graph_store_url

    def query(
        self,
        text: str,
        *,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        dataset_in_query: bool = False,
        timeout_s: float | None = None,
        max_bytes: int | None = None,
    ) -> Answer:
        """Send one query (`application/sparql-query`), with the protocol's dataset parameters when
        given (`dataset_in_query`: the text has FROM clauses of its own, which a store that chooses a
        default dataset must then leave alone). Raises `urllib.error.HTTPError` for an HTTP error
        status, `urllib.error.URLError`, `TimeoutError` or `OSError` when the store cannot be reached in
        time."""
        if default_graphs is None and named_graphs is None and not dataset_in_query:
            default_graphs, named_graphs = self._default_dataset()
        params = [("default-graph-uri", g) for g in default_graphs or ()]
        params += [("named-graph-uri", g) for g in named_graphs or ()]
        return self._send(text, params, timeout_s, max_bytes)

    def _default_dataset(self) -> tuple[Sequence[str] | None, Sequence[str] | None]:
        """The default and named graphs of a query that names none: here the store's own choice (no
        parameters); a store whose default dataset holds more than ours says which graphs are ours."""
        return None, None

    def _send(self, text: str, params: list[tuple[str, str]], timeout_s: float | None, max_bytes: int | None) -> Answer:
        """One query request: the text POSTed as is, the protocol's dataset parameters in the URL."""
        request = Request(
            self.query_url + ("?" + urlencode(params) if params else ""),
            data=text.encode("utf-8"),
            headers={"Accept": ACCEPT, "Content-Type": "application/sparql-query; charset=UTF-8"},
        )
        return self._answer(request, timeout_s, max_bytes)

    def _answer(self, request: Request, timeout_s: float | None, max_bytes: int | None) -> Answer:
        timeout = self.timeout_s if timeout_s is None else timeout_s
        with urlopen(request, timeout=timeout) as response:  # noqa: S310 - the configured store only
            content_type = response.headers.get("Content-Type", "").split(";")[0].strip()
            if max_bytes is None:
                return Answer(content_type, response.read())
            body = response.read(max_bytes + 1)
            return Answer(content_type, body, complete=len(body) <= max_bytes)

    def update(self, text: str, *, timeout_s: float | None = None) -> None:
        """Send one update (`application/sparql-update`); `StoreError` for a read-only client."""
        if not self.update_url:
            raise StoreError("this store was opened read-only (no update URL)")
        request = Request(
            self.update_url,
            data=text.encode("utf-8"),
            headers={"Content-Type": "application/sparql-update; charset=UTF-8"},
        )
        with urlopen(request, timeout=self.timeout_s if timeout_s is None else timeout_s) as response:  # noqa: S310
            response.read()

    def put_graph(self, graph_iri: str, ntriples: bytes, *, replace: bool) -> None:
        """Write N-Triples into one named graph by the Graph Store Protocol: `PUT` replaces the graph,
        `POST` adds to it (`StoreError` for a store without a graph store URL or a read-only client).
        The graph store URL may carry parameters of its own (Oxigraph's `?no_transaction`)."""
        if not self.graph_store_url or not self.update_url:
            raise StoreError("this store takes no Graph Store Protocol writes (no graph store URL, or read-only)")
        request = Request(
            self.graph_store_url + ("&" if "?" in self.graph_store_url else "?") + urlencode([("graph", graph_iri)]),
            data=ntriples,
            method="PUT" if replace else "POST",
            headers={"Content-Type": "application/n-triples"},
        )
        with urlopen(request, timeout=self.timeout_s) as response:  # noqa: S310 - the configured store only
            response.read()
