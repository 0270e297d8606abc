"""Reading a SPARQL 1.1 Protocol request: which query, over which graphs, in which format.

The three query forms of the protocol (GET `?query=`, POST `application/sparql-query`, POST
`application/x-www-form-urlencoded`) are read here; every update form (`update=`, the
`application/sparql-update` content type, an update in the query text) is refused with 403 before
anything runs. URL-encoded bodies are parsed with the standard library, so the endpoint does not
depend on python-multipart.

The query text is decided on by `kg.sparql.guard` (a real SPARQL parser): update 403, SERVICE 400,
unparseable, too deeply nested or too complex to check 400. `Operation.query` is the text the guard
checked (its `\\u` escapes expanded), and it is what the workers run and what is forwarded to a remote
store, so no engine reads a text other than the one that was checked. A decision the guard has cached
is taken on the event loop; any other is parsed in a worker thread (a few milliseconds for a small
query, up to the parse budget for a large one), at most `CHECK_THREADS` at a time, so the loop never
waits on the parser.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, urljoin

import anyio.to_thread
from anyio import CapacityLimiter
from anyio.lowlevel import RunVar
from starlette.requests import Request

from kg.sparql.guard import PARSE_BUDGET_S, CheckedQuery, QueryRefusedError, check_query, is_checked

READ_ONLY = (
    "This SPARQL endpoint is read-only: SPARQL Update ({what}) is not accepted. "
    "Send a query (SELECT, ASK, CONSTRUCT or DESCRIBE) instead."
)
SERVICE_DISABLED = "SERVICE (federated query) is disabled: this endpoint never reaches outside its own dataset."
_ABSOLUTE = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
#: Query checks that may run at once per event loop. Each holds a thread for its parse, and rdflib's
#: parser holds the GIL, so more would not finish sooner: a burst of new (or deliberately slow) texts
#: waits here instead of taking every worker thread the rest of the app uses.
CHECK_THREADS = 2
_check_limiter: RunVar[CapacityLimiter] = RunVar("sparql_check_limiter")


def _limiter() -> CapacityLimiter:
    try:
        return _check_limiter.get()
    except LookupError:
        limiter = CapacityLimiter(CHECK_THREADS)
        _check_limiter.set(limiter)
        return limiter


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
    #: The graphs the query's FROM and FROM NAMED clauses name (absolute IRIs, resolved against the
    #: query's BASE, else the endpoint's own IRI as the workers resolve them)
    from_graphs: tuple[str, ...] = ()
    from_named_graphs: tuple[str, ...] = ()
    #: The endpoint's own IRI, which relative IRIs resolve against (see `base_iri`)
    base_iri: str | None = None


#: An absolute http(s) IRI with none of the characters an IRIREF excludes (SPARQL 1.1, rule 139).
_IRI = re.compile(r'https?://[^\x00-\x20<>"{}|^`\\]+')


def base_iri(request: Request) -> str | None:
    """The endpoint's own IRI, which relative IRIs in a query resolve against (SPARQL 1.1 Protocol);
    None when the request's Host makes it no valid IRI (it is the client's text, and a remote store
    receives it inside the query)."""
    iri = str(request.url.replace(query="", fragment=""))
    return iri if _IRI.fullmatch(iri) else None


def _media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


def _charset(request: Request) -> str | None:
    """The `charset` parameter of the Content-Type, lower-cased, if it has one."""
    for parameter in request.headers.get("content-type", "").split(";")[1:]:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset":
            return value.strip().strip('"').lower()
    return None


def _decode(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ProtocolError(400, f"The request body is not valid UTF-8 ({exc}).") from None


def _values(pairs: list[tuple[str, str]], key: str) -> list[str]:
    return [v for k, v in pairs if k == key]


async def read_operation(request: Request, max_query_bytes: int, parse_budget_s: float = PARSE_BUDGET_S) -> Operation:
    """The operation a GET or POST carries, or `ProtocolError` (403 update, 413, 415, 400)."""
    url_pairs = list(request.query_params.multi_items())
    if request.method in ("GET", "HEAD"):
        pairs = url_pairs
    else:
        media_type = _media_type(request)
        if media_type == "application/sparql-update":
            raise ProtocolError(403, READ_ONLY.format(what="application/sparql-update"))
        charset = _charset(request)
        if charset not in (None, "utf-8", "utf8"):
            raise ProtocolError(
                415, f"Unsupported charset {charset!r}: a SPARQL query is sent as UTF-8 (SPARQL 1.1 Protocol, 2.1.3)."
            )
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
            raise ProtocolError(
                415,
                "Unsupported content type "
                f"{media_type or '(none)'!r}: send the query as application/sparql-query "
                "or as the `query` field of application/x-www-form-urlencoded "
                "(SPARQL 1.1 Protocol).",
            )
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
    if query is None:
        return Operation(None, defaults, named, formats[0] if formats else None)
    if len(query.encode("utf-8")) > max_query_bytes:
        raise ProtocolError(413, f"The query is larger than the {max_query_bytes}-byte limit.")
    if not query.strip():
        raise ProtocolError(400, "The query is empty.")
    checked = await _check(query, parse_budget_s)
    base = base_iri(request)
    return Operation(
        checked.text,
        defaults,
        named,
        formats[0] if formats else None,
        checked.has_dataset_clause,
        _absolute(checked.from_graphs, base),
        _absolute(checked.from_named_graphs, base),
        base,
    )


async def _check(query: str, budget_s: float) -> CheckedQuery:
    """The guard's decision as the endpoint reports it: a cached one at once, else from a worker thread."""
    try:
        if is_checked(query):
            return check_query(query, budget_s=budget_s)
        return await anyio.to_thread.run_sync(lambda: check_query(query, budget_s=budget_s), limiter=_limiter())
    except QueryRefusedError as exc:
        if exc.reason == "update":
            raise ProtocolError(403, READ_ONLY.format(what=exc.update_form or "an update")) from None
        if exc.reason == "service":
            raise ProtocolError(400, SERVICE_DISABLED) from None
        raise ProtocolError(400, exc.message) from None


def _absolute(iris: tuple[str, ...], base: str | None) -> tuple[str, ...]:
    """FROM IRIs that stayed relative, resolved against the endpoint's IRI (SPARQL 1.1 Protocol), as
    the workers resolve them."""
    return tuple(iri if base is None or _ABSOLUTE.match(iri) else urljoin(base, iri) for iri in iris)


def check_graphs(operation: Operation, known: frozenset[str]) -> None:
    """`default-graph-uri`, `named-graph-uri` and the query's FROM / FROM NAMED clauses may only name this
    dataset's own graphs: a graph from elsewhere is never loaded, and naming one is a client error rather
    than an empty answer."""
    named = [(name, "") for name in (*(operation.default_graphs or ()), *(operation.named_graphs or ()))]
    named += [(name, " in FROM") for name in operation.from_graphs]
    named += [(name, " in FROM NAMED") for name in operation.from_named_graphs]
    for name, where in named:
        if name not in known:
            listed = ", ".join(f"<{g}>" for g in sorted(known))
            raise ProtocolError(
                400,
                f"Unknown graph <{name}>{where}: this endpoint holds only its own graphs "
                f"({listed}); it never loads a graph from elsewhere.",
            )
