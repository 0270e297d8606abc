"""Reading a SPARQL 1.1 Protocol request: which query, over which graphs, in which format.

The three query forms of the protocol (GET `?query=`, POST `application/sparql-query`, POST
`application/x-www-form-urlencoded`) are read here; every update form (`update=`, the
`application/sparql-update` content type, an update keyword in the query text) is refused with 403
before anything runs. URL-encoded bodies are parsed with the standard library, so the endpoint does
not depend on python-multipart.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qsl

import anyio.to_thread
from starlette.requests import Request

from kg.sparql_text import scan

#: Deepest bracket nesting accepted. Real queries stay under 20; Oxigraph's parser recurses per level
#: and a few thousand levels overflow a worker's stack, so deeper texts get a clear 400 instead.
MAX_NESTING = 128
#: Texts longer than this are scanned off the event loop (the scan is linear, about 2 ms per 1 KB).
_SCAN_INLINE_BYTES = 8192

READ_ONLY = ("This SPARQL endpoint is read-only: SPARQL Update ({what}) is not accepted. "
             "Send a query (SELECT, ASK, CONSTRUCT or DESCRIBE) instead.")


class ProtocolError(Exception):
    """A request the endpoint refuses; `status` and the message go to the client as they are."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class Operation:
    """A query request as the protocol defines it; `query` is None for a bare GET."""

    query: str | None
    default_graphs: tuple[str, ...] | None
    named_graphs: tuple[str, ...] | None
    format: str | None
    has_dataset_clause: bool = False


def _media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


def _decode(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ProtocolError(400, f"The request body is not valid UTF-8 ({exc}).") from None


def _values(pairs: list[tuple[str, str]], key: str) -> list[str]:
    return [v for k, v in pairs if k == key]


async def read_operation(request: Request, max_query_bytes: int) -> Operation:
    """The operation a GET or POST carries, or `ProtocolError` (403 update, 413, 415, 400)."""
    url_pairs = list(request.query_params.multi_items())
    if request.method in ("GET", "HEAD"):
        pairs = url_pairs
    else:
        media_type = _media_type(request)
        if media_type == "application/sparql-update":
            raise ProtocolError(403, READ_ONLY.format(what="application/sparql-update"))
        body = await request.body()
        if media_type == "application/sparql-query":
            pairs = [*url_pairs, ("query", _decode(body))]
        elif media_type == "application/x-www-form-urlencoded":
            try:
                form = parse_qsl(_decode(body), keep_blank_values=True, strict_parsing=False)
            except ValueError as exc:
                raise ProtocolError(400, f"Malformed form body: {exc}") from None
            pairs = [*url_pairs, *form]
        else:
            raise ProtocolError(415, "Unsupported content type "
                                     f"{media_type or '(none)'!r}: send the query as application/sparql-query "
                                     "or as the `query` field of application/x-www-form-urlencoded "
                                     "(SPARQL 1.1 Protocol).")
    if _values(pairs, "update"):
        raise ProtocolError(403, READ_ONLY.format(what="the `update` parameter"))
    queries = _values(pairs, "query")
    if len(queries) > 1:
        raise ProtocolError(400, "Give exactly one `query`; this request has several.")
    query = queries[0] if queries else None
    if query is None and request.method == "POST":
        raise ProtocolError(400, "No query: send one as application/sparql-query or as the `query` field.")
    defaults = tuple(_values(pairs, "default-graph-uri")) or None
    named = tuple(_values(pairs, "named-graph-uri")) or None
    formats = _values(pairs, "format") or _values(pairs, "output")
    has_dataset = False
    if query is not None:
        if len(query.encode("utf-8")) > max_query_bytes:
            raise ProtocolError(413, f"The query is larger than the {max_query_bytes}-byte limit.")
        if not query.strip():
            raise ProtocolError(400, "The query is empty.")
        traits = scan(query) if len(query) <= _SCAN_INLINE_BYTES else await anyio.to_thread.run_sync(scan, query)
        if traits.update_keyword:
            raise ProtocolError(403, READ_ONLY.format(what=traits.update_keyword))
        if traits.uses_service:
            raise ProtocolError(400, "SERVICE (federated query) is disabled: this endpoint never reaches "
                                     "outside its own dataset.")
        if traits.depth > MAX_NESTING:
            raise ProtocolError(400, f"The query nests brackets {traits.depth} levels deep; "
                                     f"the limit is {MAX_NESTING}.")
        has_dataset = traits.has_dataset_clause
    return Operation(query, defaults, named, formats[0] if formats else None, has_dataset)


def check_graphs(operation: Operation, known: frozenset[str]) -> None:
    """`default-graph-uri` and `named-graph-uri` may only name this dataset's own graphs."""
    for name in (*(operation.default_graphs or ()), *(operation.named_graphs or ())):
        if name not in known:
            listed = ", ".join(f"<{g}>" for g in sorted(known))
            raise ProtocolError(400, f"Unknown graph <{name}>: this endpoint holds only its own graphs "
                                     f"({listed}); it never loads a graph from elsewhere.")
