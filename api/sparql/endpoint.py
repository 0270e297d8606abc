"""`/sparql`: a read-only SPARQL 1.1 Protocol endpoint over the knowledge graph.

- Query forms: GET `?query=`, POST `application/sparql-query`, POST form `query=`; the dataset may be
  narrowed with `default-graph-uri` / `named-graph-uri` (this dataset's graphs only).
- Results by `Accept` (q-values honoured) or `format=`: SPARQL JSON (default), XML, CSV, TSV;
  graphs as Turtle, N-Triples, JSON-LD or RDF/XML; 406 when nothing acceptable exists.
- `GET /sparql` without a query: the Service Description for tools, the query page for browsers.
- Limits (from `Settings`): query size (413), rows (`X-Legpain-Truncated: true` when cut), time
  (503 after the worker running the query is killed; other workers keep serving).
- Read-only and closed: updates get 403; SERVICE gets 400; queries run in sandboxed worker
  processes holding an in-memory Oxigraph copy of the dataset (`api.sparql.runners.pool`).
"""

from __future__ import annotations

import logging
import threading

import anyio.to_thread
import pyoxigraph as ox
from rdflib import Dataset
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from api.sparql.description import describe_service, render
from api.sparql.formats import GRAPH_FORMATS, Format, negotiate, parse_accept, quality
from api.sparql.remote import RemoteRunner
from api.sparql.request import Operation, ProtocolError, check_graphs, read_operation
from api.sparql.runners.jobs import QueryJob, WorkerConfig
from api.sparql.runners.pool import PoolError, WorkerPool
from api.state import NotReadyError, app_state
from api.static_files import STATIC_DIR
from kg.assessment.service import LegPainService
from kg.core.namespaces import INFERRED_GRAPH, KNOWLEDGE_BASE_GRAPH, MAPPINGS_GRAPH, ONTOLOGY_GRAPH, PREFIXES
from kg.core.settings import Settings
from kg.stores.base import store_call
from kg.stores.errors import StoreError
from kg.stores.oxigraph import native_store

log = logging.getLogger("legpain.sparql")

PAGE = STATIC_DIR / "sparql.html"
TRUNCATED_HEADER = "X-Legpain-Truncated"
_PLAIN = "text/plain; charset=utf-8"
_ALLOW = "GET, HEAD, POST, OPTIONS"
_HTML = Format("html", "graph", "text/html", ("application/xhtml+xml",))


def _text(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    return Response(message.rstrip() + "\n", status_code=status, media_type=_PLAIN, headers=headers)


class _Published:
    """A loaded service as the endpoint serves it: who runs the queries (sandboxed workers over a copy
    of the embedded store, or the remote store itself) and the description's inputs."""

    def __init__(self, service: LegPainService, settings: Settings) -> None:
        self.service = service
        prefixes = {prefix: str(ns) for prefix, ns in PREFIXES.items()}
        self.pool: WorkerPool | RemoteRunner
        if service.graph is None:
            # only a complete load is served: the data version is checked before each query
            self.pool = RemoteRunner(service.backend, prefixes, ready=service.knowledge.data_version)
            self.sizes = store_call(service.backend, "count its graphs", service.knowledge.graph_sizes)
        else:
            graph = service.graph
            self.sizes = graph.triple_counts()
            config = WorkerConfig(
                nquads=dump_nquads(graph.dataset), prefixes=prefixes, memory_budget_mb=settings.sparql_worker_memory_mb
            )
            self.pool = WorkerPool(
                config,
                size=settings.sparql_workers,
                reserved=settings.sparql_reserved_workers,
                long_query_s=settings.sparql_long_query_s,
            )
        self.names = frozenset(self.sizes) | {
            str(g) for g in (ONTOLOGY_GRAPH, KNOWLEDGE_BASE_GRAPH, MAPPINGS_GRAPH, INFERRED_GRAPH)
        }
        self.descriptions: dict[tuple[str, str], bytes] = {}


def dump_nquads(dataset: Dataset) -> bytes:
    """The dataset as N-Quads for the workers: Oxigraph's own writer when it holds the data (fast),
    else rdflib's."""
    native = native_store(dataset)
    if native is not None:
        return native.dump(format=ox.RdfFormat.N_QUADS) or b""
    return dataset.serialize(format="nquads").encode("utf-8")


class SparqlEndpoint:
    """The `/sparql` route of one app. The pool is started on the first query (loading is the
    lifespan's job; this keeps start-up and the tests that never query SPARQL fast) and rebuilt when
    the app swaps in a reloaded graph."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._published: _Published | None = None
        self._lock = threading.Lock()
        self._page_bytes: bytes | None = None

    # -------------------------------------------------------------------------- plumbing
    def _publish(self, service: LegPainService) -> _Published:
        with self._lock:
            current = self._published
            if current is None or current.service is not service:
                if current is not None:
                    current.pool.close()
                current = _Published(service, self.settings)
                self._published = current
            return current

    async def _published_for(self, request: Request) -> _Published:
        service = app_state(request).require()
        current = self._published
        if current is not None and current.service is service:
            return current
        return await anyio.to_thread.run_sync(self._publish, service)

    def _page(self) -> bytes:
        if self._page_bytes is None:
            self._page_bytes = PAGE.read_bytes()
        return self._page_bytes

    # -------------------------------------------------------------------------- requests
    async def handle(self, request: Request) -> Response:
        """The route's endpoint: every method and protocol error ends here as a response."""
        if request.method == "OPTIONS":
            return Response(status_code=204, headers={"Allow": _ALLOW})
        try:
            operation = await read_operation(
                request, self.settings.sparql_max_query_bytes, self.settings.sparql_timeout_s
            )
            if operation.query is None:
                return await self._no_query(request)
            published = await self._published_for(request)
            check_graphs(operation, published.names)
            return await self._query(request, published, operation)
        except ProtocolError as exc:
            return _text(exc.status, exc.message)
        except NotReadyError as exc:
            return _text(503, f"Not ready: {exc}", {"Retry-After": "5"})
        except PoolError as exc:  # the workers could not start: say so, keep serving the rest
            log.error("SPARQL workers unavailable: %s", exc)
            return _text(503, f"The SPARQL workers are unavailable: {exc}.", {"Retry-After": "5"})
        except StoreError as exc:  # the remote store is down or not loaded: say so; the next request tries again
            log.warning("SPARQL query not answered: %s", exc)
            return _text(503, f"The store is unavailable: {exc.public}.", {"Retry-After": "5"})

    async def _query(self, request: Request, published: _Published, operation: Operation) -> Response:
        assert operation.query is not None
        job = QueryJob(
            query=operation.query,
            accept=request.headers.get("accept", ""),
            max_rows=self.settings.sparql_max_rows,
            default_graphs=operation.default_graphs,
            named_graphs=operation.named_graphs,
            query_dataset=operation.has_dataset_clause,
            format=operation.format,
            max_bytes=self.settings.sparql_max_result_bytes,
            base_iri=operation.base_iri,
        )
        try:
            reply = await published.pool.run(job, self.settings.sparql_timeout_s)
        except PoolError as exc:
            log.warning("SPARQL query not completed (%s): %.200s", exc, operation.query)
            return _text(503, f"Query not completed: {exc}.", {"Retry-After": "5"})
        headers = {"Vary": "Accept"}
        if reply.truncated:
            headers[TRUNCATED_HEADER] = "true"
            headers[TRUNCATED_HEADER + "-By"] = reply.truncated
            headers["X-Legpain-Max-Rows"] = str(self.settings.sparql_max_rows)
            headers["X-Legpain-Max-Bytes"] = str(self.settings.sparql_max_result_bytes)
        return Response(reply.body, status_code=reply.status, media_type=reply.content_type, headers=headers)

    async def _no_query(self, request: Request) -> Response:
        """The query page for a browser, the Service Description for anything else."""
        accept = request.headers.get("accept", "")
        ranges = parse_accept(accept)
        html_q = quality(ranges, _HTML) if ranges else 0.0
        fmt = negotiate(accept, "graph")
        rdf_q = quality(ranges, fmt) if (fmt and ranges) else (1.0 if fmt else 0.0)
        if html_q > rdf_q:
            return Response(self._page(), media_type="text/html; charset=utf-8", headers={"Vary": "Accept"})
        if fmt is None:
            return _text(
                406,
                "Not acceptable: without a query this endpoint returns its service description as "
                + ", ".join(f.media_type for f in GRAPH_FORMATS)
                + ", or the query page as text/html.",
            )
        published = await self._published_for(request)
        endpoint = str(request.url.replace(query="", fragment=""))
        key = (endpoint, fmt.name)
        body = published.descriptions.get(key)
        if body is None:
            body = render(describe_service(endpoint, published.sizes), fmt)
            published.descriptions[key] = body
        return Response(body, media_type=fmt.content_type, headers={"Vary": "Accept"})


def sparql_routes(settings: Settings) -> list[BaseRoute]:
    """The `/sparql` route for an app built with these settings."""
    endpoint = SparqlEndpoint(settings)
    return [Route("/sparql", endpoint.handle, methods=["GET", "POST", "OPTIONS"], name="sparql")]
