"""The `/graphql` route: strawberry's ASGI view with this API's context, limits and error policy.

- GraphiQL for a browser's GET; `GET ?query=` and `POST` (JSON) for clients.
- Parser and validation caches (strawberry's `ParserCache` and `ValidationCache`), so a repeated
  query is neither re-parsed nor re-validated; the limits of `api.graphql.limits`.
- A repeated request answered without errors from the same data is answered from
  `api.graphql.cache.ResponseCache` (why that is correct for this API, and what it saves, is said
  there); `Settings.graphql_cache_bytes` bounds it.
- Every GraphQL response, errors included, carries `extensions.ontologyVersion`.
- Objects are built per request: each request gets its own `api.graphql.resolvers.Catalog` over the service
  current when it starts, so a reload never mixes two graphs within one answer.
- Errors always have `extensions.code`. Expected ones (bad input, limits, not ready) pass through.
  A store that cannot answer (`kg.stores.errors.StoreError`: unreachable, timed out, not loaded) is
  `STORE_UNAVAILABLE` with the store's message and no trace; fields that did not need the store still
  answer, so the status stays 200 (`/health` reports the store). Anything else is a bug: it is
  logged here with its traceback and the client sees only "Internal server error" (code
  `INTERNAL_SERVER_ERROR`), never a trace or a file path. Malformed requests (bad JSON, no query,
  wrong method) get the same JSON error shape with a 4xx status.
"""

from __future__ import annotations

import functools
import logging
from typing import Any

import anyio.to_thread
import orjson
from graphql import GraphQLError
from graphql.error import GraphQLSyntaxError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import MissingQueryError
from strawberry.extensions import ParserCache
from strawberry.http import GraphQLHTTPResponse
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType
from strawberry.types.unset import UNSET

try:  # strawberry raises cross_web's HTTPException since it moved its HTTP layer there
    from cross_web import HTTPException
except ImportError:  # pragma: no cover - older strawberry
    from strawberry.http.exceptions import HTTPException  # type: ignore[attr-defined, no-redef]  # old strawberry only

from api.graphql.cache import Key, ResponseCache
from api.graphql.graphiql import graphiql_page
from api.graphql.limits import LimitedValidationCache, ShapeCache, ShapeLimits, query_limits, token_limit_error
from api.graphql.resolvers import Catalog, Context
from api.graphql.schema import LegPainSchema, build_schema
from api.middleware.body_limit import BodyTooLargeError
from api.middleware.request_id import current_request_id
from api.state import AppState, NotReadyError, app_state
from kg.assessment.patient import PatientError
from kg.assessment.scoring import UnknownTermError
from kg.assessment.text import TextTooLongError
from kg.core.settings import Settings
from kg.stores.errors import StoreError

log = logging.getLogger("legpain.api.graphql")

#: Distinct query texts kept parsed and validated (bounded, so unique queries cannot grow memory).
CACHE_SIZE = 512
#: Documents estimated to resolve more fields than this execute on a worker thread (see `_off_the_loop`).
OFF_LOOP_COST = 5_000
INTERNAL_MESSAGE = "Internal server error"
#: Set in the request's scope by `process_result`: whether every result of the request had no errors.
_CACHEABLE = "legpain.graphql.cacheable"
_HTTP_CODES = {400: "BAD_REQUEST", 404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED", 413: "PAYLOAD_TOO_LARGE"}


def present_error(error: GraphQLError, settings: Settings) -> GraphQLError:
    """The error as the client sees it: with an `extensions.code`, and masked when unexpected."""
    original = error.original_error
    if original is None or isinstance(original, GraphQLError):
        if error.extensions and "code" in error.extensions:
            return error
        if isinstance(error, GraphQLSyntaxError):
            return token_limit_error(error, settings.max_query_tokens) or _with_code(error, "GRAPHQL_PARSE_FAILED")
        if error.path is None:
            # before execution: variable coercion (bad input) or a validation rule
            code = "BAD_USER_INPUT" if error.message.startswith("Variable '$") else "GRAPHQL_VALIDATION_FAILED"
            return _with_code(error, code)
        return _with_code(error, "BAD_USER_INPUT")
    if isinstance(original, UnknownTermError):
        return _with_code(error, "BAD_USER_INPUT", unknown=list(original.unknown))
    if isinstance(original, TextTooLongError | PatientError):
        return _with_code(error, "BAD_USER_INPUT", message=str(original))
    if isinstance(original, NotReadyError):
        return _with_code(error, "NOT_READY", message=str(original))
    if isinstance(original, StoreError):
        log.warning("store error resolving %s: %s", ".".join(map(str, error.path or ())) or "the request", original)
        return _with_code(error, "STORE_UNAVAILABLE", message=original.public)
    log.error("unexpected error resolving %s", ".".join(map(str, error.path or ())) or "the request", exc_info=original)
    return GraphQLError(
        INTERNAL_MESSAGE,
        nodes=error.nodes,
        path=error.path,
        extensions={"code": "INTERNAL_SERVER_ERROR", "requestId": current_request_id()},
    )


def _with_code(error: GraphQLError, code: str, message: str | None = None, **extra: Any) -> GraphQLError:
    return GraphQLError(
        message or error.message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        extensions={**(error.extensions or {}), "code": code, **extra},
    )


class LegPainGraphQL(GraphQL[Context, None]):
    """Strawberry's ASGI view, with a typed per-request `Context` and this API's response policy."""

    schema: LegPainSchema

    def __init__(self, settings: Settings) -> None:
        self.shapes = ShapeCache(ShapeLimits.from_settings(settings), CACHE_SIZE)
        schema = build_schema(
            extensions=[
                query_limits(self.shapes),
                lambda: ParserCache(maxsize=CACHE_SIZE),
                lambda: LimitedValidationCache(maxsize=CACHE_SIZE),
            ]
        )
        super().__init__(schema, graphql_ide="graphiql", allow_queries_via_get=True)
        self.settings = settings
        self.responses = ResponseCache(settings.graphql_cache_bytes)

    async def render_graphql_ide(self, request: Request) -> Response:
        """GraphiQL with its files served by this server (`api.graphql.graphiql`); strawberry's page loads them from
        a CDN. Strawberry still decides when to serve it (a browser's GET without `?query=`)."""
        return graphiql_page(request)

    @staticmethod
    def catalog(state: AppState) -> Catalog | None:
        """A new catalogue over the current service (one per request; it reads nothing yet)."""
        service = state.service
        return None if service is None else Catalog(service)

    async def get_context(self, request: Request | WebSocket, response: Response | WebSocket) -> Context:
        state = app_state(request)
        return Context(request, response, self.settings, state, self.catalog(state))

    async def process_result(self, request: Request, result: ExecutionResult) -> GraphQLHTTPResponse:
        body: GraphQLHTTPResponse = {"data": result.data}
        request.scope[_CACHEABLE] = request.scope.get(_CACHEABLE, True) and not result.errors
        if result.errors:
            body["errors"] = [present_error(e, self.settings).formatted for e in result.errors]
        body["extensions"] = {**(result.extensions or {}), "ontologyVersion": _version(request)}
        return body

    def create_response(self, response_data: Any, sub_response: Response) -> Response:
        response = super().create_response(response_data, sub_response)
        if isinstance(response_data, dict) and any(
            (e.get("extensions") or {}).get("code") == "NOT_READY" for e in response_data.get("errors") or ()
        ):
            response.status_code = 503
        return response

    async def run(self, request: Request | WebSocket, context: Any = UNSET, root_value: Any = UNSET) -> Any:
        try:
            cached = await self._cached(request)
            if cached is None:
                return await super().run(request, context, root_value)
            service, version, key = cached
            body = self.responses.get(service, version, key)
            if body is not None:
                return Response(body, media_type="application/json")
            response = await super().run(request, context, root_value)
            if isinstance(response, Response) and response.status_code == 200 and request.scope.get(_CACHEABLE):
                self.responses.put(service, version, key, bytes(response.body))
            return response
        except HTTPException as exc:
            return _error_response(
                request, exc.status_code, exc.reason, _HTTP_CODES.get(exc.status_code, "BAD_REQUEST")
            )
        except BodyTooLargeError:
            raise  # a streamed body over the limit: `BodySizeLimitMiddleware` answers 413
        except Exception:  # a bug: log it, answer without a trace
            log.exception("unexpected error serving %s %s", request.scope.get("method"), request.url.path)
            return _error_response(request, 500, INTERNAL_MESSAGE, "INTERNAL_SERVER_ERROR")

    async def _cached(self, request: Request | WebSocket) -> tuple[Any, str, Key] | None:
        """(service, data version, key) under which this request's response is cached, or None when it is
        not (the cache is off, not a query over HTTP, no service yet, or a version the store cannot tell)."""
        if not self.responses.enabled or not isinstance(request, Request):
            return None
        method = request.method
        if method == "POST":
            exact = await request.body()  # starlette keeps it: strawberry reads it again for free
        elif method == "GET" and request.url.query:
            exact = request.url.query.encode()
        else:
            return None
        service = app_state(request).service
        if service is None:
            return None
        try:
            version = service.knowledge.data_version()
        except StoreError:
            return None
        return service, version, (method, request.headers.get("content-type", "").encode(), exact)

    def _off_the_loop(self, request: Any, query: str | None) -> bool:
        """Whether to execute on a worker thread: over a remote store (the resolvers wait on the
        network), and for a document estimated to resolve more than `OFF_LOOP_COST` fields (tens of
        milliseconds of CPU: on the loop, it would hold up every other request, `/health` included;
        on a thread, the interpreter hands the loop its turn every few milliseconds)."""
        service = app_state(request).service
        if service is None:
            return False
        if service.backend.remote:
            return True
        if not query:
            return False
        shapes = self.shapes.shapes(self.schema._schema, query)
        return shapes is not None and max((s.cost for s in shapes.values()), default=0) > OFF_LOOP_COST

    async def execute_single(
        self, request: Any, request_adapter: Any, sub_response: Any, context: Any, root_value: Any, request_data: Any
    ) -> ExecutionResult:
        """As strawberry does, except that costly documents and every document over a remote store
        run on a worker thread (see `_off_the_loop`; every resolver here is synchronous)."""
        if not self._off_the_loop(request, request_data.query):
            return await super().execute_single(
                request, request_adapter, sub_response, context, root_value, request_data
            )
        allowed = OperationType.from_http(request_adapter.method)
        run = functools.partial(
            self.schema.execute_sync,
            request_data.query,
            variable_values=request_data.variables,
            context_value=context,
            root_value=root_value,
            operation_name=request_data.operation_name,
            allowed_operation_types=allowed,
            operation_extensions=request_data.extensions,
        )
        try:
            return await anyio.to_thread.run_sync(run)
        except CannotGetOperationTypeError as exc:
            raise HTTPException(400, exc.as_http_error_reason()) from exc
        except InvalidOperationTypeError as exc:
            raise HTTPException(400, exc.as_http_error_reason(request_adapter.method)) from exc
        except MissingQueryError as exc:
            raise HTTPException(400, "No GraphQL query found in the request") from exc

    def decode_json(self, data: str | bytes) -> object:
        """orjson instead of the standard library: it refuses nesting deeper than 1,024 levels with a
        decode error (a 400 here) where `json.loads` recursed until `RecursionError` (a 500 from a
        40,000-level `[[[...]]]` body or `variables`), and it is several times faster."""
        return orjson.loads(data)

    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)

    async def parse_http_body(self, request: Any) -> Any:
        """Strawberry's parsing, with a clear 400 for JSON that is not an object (`[]`, `"x"`, `1`)."""
        try:
            return await super().parse_http_body(request)
        except HTTPException:
            raise
        except (AttributeError, TypeError, ValueError) as exc:
            raise HTTPException(400, "the request body must be a JSON object with a `query` string") from exc


def _version(request: Request | WebSocket) -> str | None:
    """The ontology version for `extensions.ontologyVersion`; None while loading, or when a remote store
    cannot tell it (the errors then say why)."""
    service = app_state(request).service
    if service is None:
        return None
    try:
        return service.version
    except StoreError as exc:
        log.warning("ontology version not available: %s", exc)
        return None


def _error_response(request: Request | WebSocket, status: int, message: str, code: str) -> Response:
    extensions: dict[str, Any] = {"code": code}
    if status >= 500:  # the ID a user can quote to find the logged failure
        extensions["requestId"] = current_request_id()
    body = {
        "data": None,
        "errors": [{"message": message, "extensions": extensions}],
        "extensions": {"ontologyVersion": _version(request)},
    }
    return JSONResponse(body, status_code=status)


def graphql_routes(settings: Settings) -> list[BaseRoute]:
    """The `/graphql` route for these settings (limits come from them)."""
    return [Route("/graphql", LegPainGraphQL(settings), name="graphql")]
