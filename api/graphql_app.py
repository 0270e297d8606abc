"""The `/graphql` route: strawberry's ASGI view with this API's context, limits and error policy.

- GraphiQL for a browser's GET; `GET ?query=` and `POST` (JSON) for clients.
- Parser and validation caches (strawberry's `ParserCache` and `ValidationCache`), so a repeated
  query is neither re-parsed nor re-validated; the limits of `api.graphql_limits`.
- Every GraphQL response, errors included, carries `extensions.ontologyVersion`.
- Errors always have `extensions.code`. Expected ones (bad input, limits, not ready) pass through;
  anything else is a bug: it is logged here with its traceback and the client sees only
  "Internal server error" (code `INTERNAL_SERVER_ERROR`), never a trace or a file path. Malformed
  requests (bad JSON, no query, wrong method) get the same JSON error shape with a 4xx status.
"""

from __future__ import annotations

import logging
from typing import Any

from graphql import GraphQLError
from graphql.error import GraphQLSyntaxError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.extensions import ParserCache, ValidationCache
from strawberry.http import GraphQLHTTPResponse
from strawberry.types import ExecutionResult
from strawberry.types.unset import UNSET

try:  # strawberry raises cross_web's HTTPException since it moved its HTTP layer there
    from cross_web import HTTPException
except ImportError:  # pragma: no cover - older strawberry
    from strawberry.http.exceptions import HTTPException  # type: ignore[attr-defined, no-redef]

from api.graphql_limits import query_limits, token_limit_error
from api.resolvers import Catalog, Context, build_catalog
from api.schema import build_schema
from api.state import AppState, NotReadyError, app_state
from kg.inference import UnknownTermError
from kg.settings import Settings

log = logging.getLogger("legpain.api.graphql")

#: Distinct query texts kept parsed and validated (bounded, so unique queries cannot grow memory).
CACHE_SIZE = 512
INTERNAL_MESSAGE = "Internal server error"
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
    if isinstance(original, NotReadyError):
        return _with_code(error, "NOT_READY", message=str(original))
    log.error("unexpected error resolving %s", ".".join(map(str, error.path or ())) or "the request",
              exc_info=original)
    return GraphQLError(INTERNAL_MESSAGE, nodes=error.nodes, path=error.path,
                        extensions={"code": "INTERNAL_SERVER_ERROR"})


def _with_code(error: GraphQLError, code: str, message: str | None = None, **extra: Any) -> GraphQLError:
    return GraphQLError(message or error.message, nodes=error.nodes, source=error.source,
                        positions=error.positions, path=error.path,
                        extensions={**(error.extensions or {}), "code": code, **extra})


class LegPainGraphQL(GraphQL):
    """Strawberry's ASGI view, with a typed per-request `Context` and this API's response policy."""

    def __init__(self, settings: Settings) -> None:
        schema = build_schema(extensions=[
            query_limits(settings),
            lambda: ParserCache(maxsize=CACHE_SIZE),
            lambda: ValidationCache(maxsize=CACHE_SIZE),
        ])
        super().__init__(schema, graphql_ide="graphiql", allow_queries_via_get=True)
        self.settings = settings
        self._catalog: Catalog | None = None

    def catalog(self, state: AppState) -> Catalog | None:
        """The catalogue of the current service, rebuilt only when the service object changes."""
        service = state.service
        if service is None:
            return None
        cached = self._catalog
        if cached is None or cached.service is not service:
            cached = self._catalog = build_catalog(service)
        return cached

    async def get_context(self, request: Request | WebSocket, response: Response | WebSocket) -> Context:
        state = app_state(request)
        return Context(request, response, self.settings, state, self.catalog(state))  # type: ignore[arg-type]

    async def process_result(self, request: Request, result: ExecutionResult) -> GraphQLHTTPResponse:
        body: GraphQLHTTPResponse = {"data": result.data}
        if result.errors:
            body["errors"] = [present_error(e, self.settings).formatted for e in result.errors]
        body["extensions"] = {**(result.extensions or {}), "ontologyVersion": _version(request)}
        return body

    def create_response(self, response_data: Any, sub_response: Response) -> Response:
        response = super().create_response(response_data, sub_response)
        if isinstance(response_data, dict) and any(
                (e.get("extensions") or {}).get("code") == "NOT_READY" for e in response_data.get("errors") or ()):
            response.status_code = 503
        return response

    async def run(self, request: Request | WebSocket, context: Any = UNSET, root_value: Any = UNSET) -> Any:
        try:
            return await super().run(request, context, root_value)
        except HTTPException as exc:
            return _error_response(request, exc.status_code, exc.reason,
                                   _HTTP_CODES.get(exc.status_code, "BAD_REQUEST"))
        except Exception:  # a bug: log it, answer without a trace
            log.exception("unexpected error serving %s %s", request.scope.get("method"), request.url.path)
            return _error_response(request, 500, INTERNAL_MESSAGE, "INTERNAL_SERVER_ERROR")

    async def parse_http_body(self, request: Any) -> Any:
        """Strawberry's parsing, with a clear 400 for JSON that is not an object (`[]`, `"x"`, `1`)."""
        try:
            return await super().parse_http_body(request)
        except HTTPException:
            raise
        except (AttributeError, TypeError, ValueError) as exc:
            raise HTTPException(400, "the request body must be a JSON object with a `query` string") from exc


def _version(request: Request | WebSocket) -> str | None:
    service = app_state(request).service
    return service.graph.version if service is not None else None


def _error_response(request: Request | WebSocket, status: int, message: str, code: str) -> Response:
    body = {"data": None, "errors": [{"message": message, "extensions": {"code": code}}],
            "extensions": {"ontologyVersion": _version(request)}}
    return JSONResponse(body, status_code=status)


def graphql_routes(settings: Settings) -> list[BaseRoute]:
    """The `/graphql` route for these settings (limits come from them)."""
    return [Route("/graphql", LegPainGraphQL(settings), name="graphql")]


__all__ = ["LegPainGraphQL", "graphql_routes", "present_error"]
