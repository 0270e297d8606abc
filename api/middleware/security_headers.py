"""Security headers on every response: a `'self'`-only Content-Security-Policy on the HTML pages.

The server's HTML pages (GraphiQL at `GET /graphql`, the SPARQL query page at `GET /sparql`, the `/ontology`
reference pages) load everything from the server itself, so a policy that allows only the own origin costs
them nothing, and an injected script, a page framed elsewhere or a request to another host cannot happen:

- `Content-Security-Policy` (`POLICY`) and `Referrer-Policy: no-referrer` on `text/html` responses;
- `X-Content-Type-Options: nosniff` on every response (a JSON or text answer is never run as a script).

A response that already sets one of these headers keeps its own: the GraphiQL page (`api.graphql.graphiql`) sends
`content_security_policy()` with a nonce of its own. Inline styles, the only inline content allowed:

- the ontology pages carry one inline `<style>` (`api.ontology_routes.STYLE`): allowed by its SHA-256;
- GraphiQL's dialogs (settings, shortcuts) lock page scrolling by inserting a `<style>` element at run time
  (react-remove-scroll, bundled in graphiql.min.js); it carries the nonce the bundle reads from the global
  `__webpack_nonce__`, which the page's bootstrap sets. Everything else in GraphiQL (React, CodeMirror)
  sets styles through the DOM, which CSP allows; so no page needs `'unsafe-inline'`.

Fonts and images may also be `data:` URLs: GraphiQL's stylesheet embeds its fonts and icons that way.
`tests/api/test_pages_browser.py` fails on any CSP violation the pages report in a real browser.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Sequence

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.ontology_routes import STYLE


def style_hash(css: str) -> str:
    """The CSP source (`'sha256-...'`) that allows one inline `<style>` element with exactly this text."""
    digest = hashlib.sha256(css.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


def content_security_policy(style_sources: Sequence[str] = ()) -> str:
    """A page's policy: this origin only, plus `style_sources` (hashes or a nonce) for its inline styles."""
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            " ".join(["style-src 'self'", *style_sources]),
            "img-src 'self' data:",
            "font-src 'self' data:",
            "connect-src 'self'",
            "object-src 'none'",
            "frame-ancestors 'none'",
            "base-uri 'none'",
            "form-action 'self'",
        ]
    )


#: The policy of the HTML pages that set none: nothing inline but the ontology pages' known style.
POLICY = content_security_policy([style_hash(STYLE)])

HTML_HEADERS = {"Content-Security-Policy": POLICY, "Referrer-Policy": "no-referrer"}
ALL_HEADERS = {"X-Content-Type-Options": "nosniff"}


class SecurityHeadersMiddleware:
    """Pure ASGI (not `BaseHTTPMiddleware`), so streamed responses stay streamed: it only edits the
    `http.response.start` message."""

    def __init__(self, app: ASGIApp, policy: str = POLICY) -> None:
        self.app = app
        self.html_headers = {**HTML_HEADERS, "Content-Security-Policy": policy}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in ALL_HEADERS.items():
                    headers.setdefault(name, value)
                if headers.get("content-type", "").lower().startswith("text/html"):
                    for name, value in self.html_headers.items():
                        headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)
