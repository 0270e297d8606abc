"""`LEGPAIN_STORE=virtuoso:BASE_URL`: OpenLink Virtuoso (tested with Open Source 7.2, Debian's
`virtuoso-opensource`), a `SparqlBackend` whose quirks are all handled here.

- **Update permission.** Virtuoso's SPARQL endpoint runs as the SQL user `SPARQL`, which may only
  read: the server's administrator grants it updates once (`GRANT SPARQL_UPDATE TO "SPARQL";` in
  `isql-vt`), or `legpain load` is refused (the store's message says so).
- **The default graph** of a query that names none is the union of *every* graph on the server,
  Virtuoso's own system graphs (`virtrdf:`, 2,479 triples) and any other application's included, and
  `GRAPH ?g` ranges over all of them. legpain's own queries (`queries/`) match only its vocabulary,
  which the system graphs do not use, so they run over that union as they do over Oxigraph's union
  default graph (the store-contract suite compares every answer with rdflib's). A query from
  `/sparql` must see our graphs only, so the endpoint's client (`client()`) sends each query that
  names no dataset of its own with the protocol's `default-graph-uri` and `named-graph-uri` for our
  graphs (those under `lp:graph/`), listed once every `GRAPHS_TTL_S` seconds. Not for legpain's own
  queries: with several default graphs Virtuoso 7.2 fails to plan some of them ("SQ200: Stack
  Overflow in cost model", `queries/index/list-findings.rq` for one), and its `input:default-graph-
  exclude` pragma returned no rows for that query where the union returns 88. `GRAPH ?g {}`
  (rdflib's way to list graphs) answers one row with nothing bound; graphs are listed with a triple
  pattern instead.
- **Query requests.** A query POSTed as `application/sparql-query` hangs until the client gives up
  (7.2); queries are sent as the form-encoded POST, the protocol's other POST binding.
- **Results.** Virtuoso ignores `q` values and answers with the first media type in `Accept` that it
  can write (SELECT results as N-Triples, CONSTRUCT results as JSON bindings with numbers unquoted), so
  each query asks for exactly one type, chosen by its form. Its JSON answers ASK with a one-row
  SELECT of `__ASK_RETVAL` (1 or 0) and names blank nodes `nodeID://...`, which is not a blank-node
  label; both are rewritten to the standard form here. `"typed-literal"` (SPARQL JSON's 2005 draft)
  is left as is: rdflib and pyoxigraph read it.
- **Result size.** `ResultSetMaxRows` in `virtuoso.ini` cuts every answer to 10,000 rows by default,
  silently; a legpain store needs it raised (the README's settings for Virtuoso).
- **Blank nodes** may not appear in `INSERT DATA` ("SP031: blank node not allowed in a constant
  clause"); a batch with blank nodes is sent as `INSERT { ... } WHERE { }`, whose template makes one
  node per label. Loads go by the Graph Store Protocol (`/sparql-graph-crud`) anyway.
- **Bulk loading.** Virtuoso's own bulk loader (`ld_dir` and `rdf_loader_run()`) reads files on the
  server's disk through its SQL port, which a client on another machine has neither; the Graph Store
  Protocol is the bulk path a SPARQL client has.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator, Sequence
from typing import Any
from urllib.parse import urlencode
from urllib.request import Request

from rdflib import BNode, Dataset, URIRef
from rdflib.term import IdentifiedNode

from kg.core.namespaces import GRAPH_BASE, LOAD_GRAPH
from kg.stores.base import Quad
from kg.stores.errors import StoreSpecError
from kg.stores.http import Answer, SparqlHttpClient
from kg.stores.sparql import SparqlBackend, SparqlStore, graph_blocks

#: How long a list of our graphs is used before it is asked for again (a load by another process
#: shows within this time; this process's own writes drop the list at once).
GRAPHS_TTL_S = 2.0

JSON_RESULTS = "application/sparql-results+json"
N_TRIPLES = "application/n-triples"

#: A query's prologue (BASE and PREFIX declarations, comments, white space) and the keyword after it,
#: which names the form (SPARQL 1.1 grammar, rules 2-6: nothing else may come first).
_FORM = re.compile(
    r"(?:\s+|#[^\n]*(?:\n|$)|BASE\s*<[^>]*>|PREFIX\s+[^\s:]*:\s*<[^>]*>)*(SELECT|ASK|CONSTRUCT|DESCRIBE)\b",
    re.IGNORECASE,
)

_OUR_GRAPHS = f"""SELECT DISTINCT ?g WHERE {{
  GRAPH ?g {{ ?s ?p ?o }}
  FILTER(STRSTARTS(STR(?g), "{GRAPH_BASE}"))
}}"""


def query_form(text: str) -> str:
    """SELECT, ASK, CONSTRUCT or DESCRIBE, read past the prologue (SELECT when it cannot be told: the
    store then reports what is wrong with the text)."""
    match = _FORM.match(text)
    return match.group(1).upper() if match else "SELECT"


class VirtuosoClient(SparqlHttpClient):
    """The HTTP client with Virtuoso's quirks handled (see the module docstring)."""

    def __init__(
        self,
        query_url: str,
        update_url: str | None,
        timeout_s: float,
        graph_store_url: str | None = None,
        *,
        own_graphs_only: bool = False,
    ) -> None:
        super().__init__(query_url, update_url, timeout_s, graph_store_url)
        #: Restrict a query that names no dataset to our graphs (the endpoint's queries)
        self.own_graphs_only = own_graphs_only
        self._lock = threading.Lock()
        self._graphs: tuple[str, ...] | None = None
        self._listed = 0.0

    def _default_dataset(self) -> tuple[Sequence[str] | None, Sequence[str] | None]:
        if not self.own_graphs_only:
            return None, None
        ours = self.graphs() or (str(LOAD_GRAPH),)  # nothing loaded: an empty dataset, not Virtuoso's
        return ours, ours

    def _send(self, text: str, params: list[tuple[str, str]], timeout_s: float | None, max_bytes: int | None) -> Answer:
        """A form-encoded POST asking for the one media type the query's form is answered in, its JSON
        answer rewritten to the standard form."""
        form = query_form(text)
        request = Request(
            self.query_url,
            data=urlencode([("query", text), *params]).encode("ascii"),
            headers={
                "Accept": N_TRIPLES if form in ("CONSTRUCT", "DESCRIBE") else JSON_RESULTS,
                "Content-Type": "application/x-www-form-urlencoded",
            },
        )
        answer = self._answer(request, timeout_s, max_bytes)
        if answer.content_type == JSON_RESULTS and answer.complete:
            return Answer(answer.content_type, _standard_json(answer.body, ask=form == "ASK"))
        return answer

    def graphs(self) -> tuple[str, ...]:
        """Our graphs on the server (under `lp:graph/`), the load marker's included once it exists."""
        with self._lock:
            if self._graphs is not None and time.monotonic() - self._listed < GRAPHS_TTL_S:
                return self._graphs
        answer = self._send(_OUR_GRAPHS, [], None, None)
        rows = json.loads(answer.body)["results"]["bindings"]
        graphs = tuple(sorted(row["g"]["value"] for row in rows if "g" in row))
        with self._lock:
            self._graphs, self._listed = graphs, time.monotonic()
        return graphs

    def forget_graphs(self) -> None:
        """Drop the list of our graphs (after a write that may have changed it)."""
        with self._lock:
            self._graphs = None

    def update(self, text: str, *, timeout_s: float | None = None) -> None:
        try:
            super().update(text, timeout_s=timeout_s)
        finally:
            self.forget_graphs()

    def put_graph(self, graph_iri: str, ntriples: bytes, *, replace: bool) -> None:
        try:
            super().put_graph(graph_iri, ntriples, replace=replace)
        finally:
            self.forget_graphs()


def _standard_json(body: bytes, *, ask: bool) -> bytes:
    """Virtuoso's SPARQL JSON results in the standard form: an ASK's `__ASK_RETVAL` row as `boolean`,
    `nodeID://` blank-node names as labels. Parsed only when one of them occurs in the text."""
    if not (ask and b"__ASK_RETVAL" in body) and b"nodeID://" not in body:
        return body
    results: dict[str, Any] = json.loads(body)
    bindings = results.get("results", {}).get("bindings", [])
    if ask and results.get("head", {}).get("vars") == ["__ASK_RETVAL"]:
        value = bindings[0].get("__ASK_RETVAL", {}).get("value") if bindings else "0"
        return json.dumps({"head": {}, "boolean": str(value) not in ("0", "false")}).encode()
    for row in bindings:
        for term in row.values():
            if term.get("type") == "bnode" and str(term.get("value", "")).startswith("nodeID://"):
                term["value"] = term["value"][len("nodeID://") :]
    return json.dumps(results, ensure_ascii=False).encode()


class _VirtuosoStore(SparqlStore):
    """The rdflib store over a `VirtuosoClient`: graphs are listed by the client."""

    client: VirtuosoClient

    def contexts(self, triple: Any = None) -> Iterator[IdentifiedNode]:  # type: ignore[override]
        """The graph names (rdflib's dataset makes graphs of them, as it does of its own store's)."""
        if triple is not None:
            yield from super().contexts(triple)
            return
        for iri in self.client.graphs():
            yield URIRef(iri)


class VirtuosoBackend(SparqlBackend):
    """OpenLink Virtuoso at BASE_URL (`http://host:8890`): queries and updates at `/sparql`, loads by
    the Graph Store Protocol at `/sparql-graph-crud`; its quirks in the module docstring."""

    scheme = "virtuoso"

    def __init__(self, location: str | None = None, timeout_s: float = 30.0) -> None:
        if not location:
            raise StoreSpecError(
                "LEGPAIN_STORE=virtuoso: needs the server's base URL, e.g. virtuoso:http://127.0.0.1:8890"
            )
        base = location.rstrip("/").removesuffix("/sparql")
        self._check_urls(location, base)
        super().__init__(f"{base}/sparql;{base}/sparql;{base}/sparql-graph-crud", timeout_s)
        self.location = location

    def client(self, *, read_only: bool = True) -> VirtuosoClient:
        """The client `/sparql` forwards to: our graphs only (see the module docstring)."""
        return self._client(read_only, own_graphs_only=True)

    def _client(self, read_only: bool, *, own_graphs_only: bool) -> VirtuosoClient:
        update_url, timeout_s = (None, self.timeout_s) if read_only else (self.update_url, self.write_timeout_s)
        return VirtuosoClient(
            self.query_url, update_url, timeout_s, self.graph_store_url, own_graphs_only=own_graphs_only
        )

    def _open(self, read_only: bool) -> Dataset:
        return Dataset(store=_VirtuosoStore(self._client(read_only, own_graphs_only=False)), default_union=True)

    def _insert(self, dataset: Dataset, quads: list[Quad]) -> None:
        if any(isinstance(s, BNode) or isinstance(o, BNode) for s, _, o, _ in quads):
            dataset.update("INSERT {\n" + graph_blocks(quads) + "\n} WHERE { }")
        else:
            super()._insert(dataset, quads)
