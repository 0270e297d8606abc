"""Request IDs: every request gets one, echoed in the response and carried by every log line.

A client may send its own `X-Request-ID` (a proxy or a tracing system usually does): it is kept when
it is a plausible ID (1-128 characters of letters, digits and `-_.:`), and replaced by a new random
one otherwise, so a log line can never be forged or flooded through the header. The ID lives in a
context variable for the duration of the request, which reaches the threads a request hands work
to (anyio copies the context), so every record logged for the request names it
(`api.server.RequestIdFilter`). The response carries it in `X-Request-ID`, and one access line per
request is logged with method, path, status and duration: at warning level for a 5xx, so the ID a
user quotes from a failed response leads straight to the log lines of that request.
"""

from __future__ import annotations

import logging
import os
import re
import time
from contextvars import ContextVar

from starlette.types import ASGIApp, Message, Receive, Scope, Send

HEADER = "X-Request-ID"
_VALID = re.compile(r"[A-Za-z0-9._:\-]{1,128}")
_current: ContextVar[str | None] = ContextVar("legpain_request_id", default=None)
access_log = logging.getLogger("legpain.access")


def current_request_id() -> str | None:
    """The ID of the request being served in this context, if any."""
    return _current.get()


def _given(scope: Scope) -> str | None:
    for name, value in scope.get("headers") or ():
        if name == b"x-request-id":
            text = value.decode("latin-1").strip()
            return text if _VALID.fullmatch(text) else None
    return None


class RequestIdMiddleware:
    """Outermost middleware: assigns the ID, echoes it, and logs the access line."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _given(scope) or os.urandom(16).hex()
        token = _current.set(request_id)
        started = time.perf_counter()
        status = 500  # what the client gets if the app fails before it starts a response

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"x-request-id"]
                message = {**message, "headers": [*headers, (b"x-request-id", request_id.encode())]}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            elapsed = (time.perf_counter() - started) * 1000
            client = scope.get("client")
            access_log.log(
                logging.WARNING if status >= 500 else logging.INFO,
                "%s %s %d %.1f ms",
                scope.get("method"),
                scope.get("path"),
                status,
                elapsed,
                extra={
                    "method": scope.get("method"),
                    "path": scope.get("path"),
                    "status": status,
                    "duration_ms": round(elapsed, 2),
                    "client": client[0] if client else None,
                },
            )
            _current.reset(token)
