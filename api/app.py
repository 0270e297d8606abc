"""The ASGI application: `create_app(settings)` builds it; `api.app:app` is the default instance.

Routes: `/graphql` (GraphiQL in a browser, GET and POST for clients), `/sparql` (SPARQL 1.1 Protocol),
`/health` (readiness: ready once the graph is loaded and reasoned), `/health/live` (liveness),
`/ontology` (the ontology by content negotiation and its reference pages), `/static` (the pages'
scripts and styles), `/admin/reload` (off by default; see `api.reload`, which also reloads on
SIGHUP). The lifespan loads the graph once, off the event loop; every route reads the current
`LegPainService` from `app.state.legpain`. Middleware, outermost first: request IDs and the access
log (`api.middleware.request_id`), CORS when configured, security headers (`api.middleware.security_headers`), the body
size limit (`api.middleware.body_limit`).
"""

from __future__ import annotations

import asyncio
import functools
import logging
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from api.graphql.view import graphql_routes
from api.middleware.body_limit import BodySizeLimitMiddleware
from api.middleware.request_id import RequestIdMiddleware
from api.middleware.security_headers import SecurityHeadersMiddleware
from api.ontology_routes import ontology_routes
from api.reload import admin_reload, reload_graph
from api.sparql.endpoint import sparql_routes
from api.state import AppState, app_state, public_message
from api.static_files import static_routes
from kg.assessment.service import load_service
from kg.core.settings import Settings
from kg.stores.errors import StoreError

log = logging.getLogger("legpain.api")

#: Seconds between attempts to reach a store that was unavailable when the server started.
STORE_RETRY_S = 3.0


async def health(request: Request) -> Response:
    """Readiness: 200 with the ontology version and triple counts once ready; 503 while loading or
    while the store cannot answer. Everything it reports was recorded at load time, so it costs
    microseconds whatever the graph's size (a remote store's data version is cached for
    `LEGPAIN_STORE_CACHE_TTL_S`, and only that lookup leaves the event loop)."""
    state = app_state(request)
    if state.service is None:
        return JSONResponse(
            {"status": "error" if state.load_error else "loading", "detail": state.load_error}, status_code=503
        )
    try:
        if state.service.backend.remote:
            described = await anyio.to_thread.run_sync(state.service.describe)
        else:
            described = state.service.describe()
    except StoreError as exc:  # the store went away: not ready until it answers again
        log.warning("health: %s", exc)
        return JSONResponse({"status": "store-unavailable", "detail": exc.public}, status_code=503)
    graph = state.service.graph
    body: dict[str, object] = {"status": "ready", **described}
    if graph is not None:
        body["graphs"] = graph.triple_counts()
        body["loadSeconds"] = round(graph.load_seconds, 3)
    return JSONResponse(body)


async def live(request: Request) -> Response:
    """Liveness: the process answers HTTP (whether or not the graph is loaded yet)."""
    return JSONResponse({"status": "alive"})


async def root(request: Request) -> Response:
    return RedirectResponse(url="/graphql")


def _install_sighup(state: AppState) -> None:
    """Reload on SIGHUP (the Unix convention for "re-read your configuration"), where the loop allows
    it: not on Windows, and not outside the main thread (as under a test client)."""
    if not hasattr(signal, "SIGHUP"):
        return
    loop = asyncio.get_running_loop()
    tasks: set[asyncio.Task[object]] = set()

    def on_sighup() -> None:
        log.info("SIGHUP: reloading the knowledge graph")
        task = loop.create_task(reload_graph(state))
        tasks.add(task)
        task.add_done_callback(tasks.discard)

    try:
        loop.add_signal_handler(signal.SIGHUP, on_sighup)
    except (NotImplementedError, RuntimeError, ValueError):
        log.debug("SIGHUP reload not available in this process")


def create_app(settings: Settings | None = None) -> Starlette:
    """Build the app for these settings (from `LEGPAIN_*` variables when omitted)."""
    settings = settings or Settings.from_env()
    state = AppState(settings)

    async def connect_when_back(first_error: StoreError) -> None:
        """A store that is down at start is tried again every few seconds until it answers (or holds
        a load); meanwhile /health and every request say why the API is not ready."""
        error: Exception = first_error
        while isinstance(error, StoreError) and state.service is None:
            await anyio.sleep(STORE_RETRY_S)
            try:
                state.service = await anyio.to_thread.run_sync(load_service, settings)
                state.load_error = None
                log.info("store available again; knowledge graph ready: %s", state.service.describe())
            except Exception as exc:  # noqa: BLE001 - the reason is kept for /health
                error = exc
                state.load_error = f"the knowledge graph failed to load: {public_message(exc)}"

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        retry: asyncio.Task[None] | None = None
        try:
            state.service = await anyio.to_thread.run_sync(load_service, settings)
            log.info("knowledge graph ready: %s", state.service.describe())
        except StoreError as exc:
            state.load_error = f"the knowledge graph failed to load: {exc.public}"
            log.error("the knowledge graph failed to load: %s; trying again every %g s", exc, STORE_RETRY_S)
            retry = asyncio.get_running_loop().create_task(connect_when_back(exc))
        except Exception as exc:  # keep serving /health with the reason instead of crashing
            state.load_error = f"the knowledge graph failed to load: {public_message(exc)}"
            log.exception("the knowledge graph failed to load")
        _install_sighup(state)
        yield
        if retry is not None:
            retry.cancel()

    routes: list[BaseRoute] = [
        Route("/", root),
        Route("/health", health),
        Route("/health/live", live),
        Route("/admin/reload", admin_reload, methods=["POST"]),
        *graphql_routes(settings),
        *sparql_routes(settings),
        *ontology_routes(),
        *static_routes(),
    ]
    middleware = [
        Middleware(SecurityHeadersMiddleware),
        Middleware(BodySizeLimitMiddleware, max_bytes=settings.max_body_bytes),
    ]
    if settings.cors_origins:
        middleware.insert(
            0,
            Middleware(
                CORSMiddleware,
                allow_origins=list(settings.cors_origins),
                allow_methods=["GET", "POST", "OPTIONS"],
                allow_headers=["Content-Type", "Accept", "Authorization", "X-Request-ID"],
                expose_headers=[
                    "X-Legpain-Truncated",
                    "X-Legpain-Truncated-By",
                    "X-Legpain-Max-Rows",
                    "X-Legpain-Max-Bytes",
                    "X-Request-ID",
                ],
            ),
        )
    middleware.insert(0, Middleware(RequestIdMiddleware))  # outermost: every response and log line has it
    app = Starlette(routes=routes, middleware=middleware, lifespan=lifespan)
    app.state.legpain = state
    return app


@functools.cache
def _default_app() -> Starlette:
    return create_app()


def __getattr__(name: str) -> Starlette:
    """`api.app:app`, the app for the `LEGPAIN_*` environment, is built when first asked for (by
    uvicorn or an import), not when the module is imported: importing builds nothing and reads no
    settings, so a bad variable fails where the app is made, with its message."""
    if name == "app":
        return _default_app()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
