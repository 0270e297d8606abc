"""The GraphiQL page that `GET /graphql` serves to browsers, with every file it loads served by this server.

Strawberry's own GraphiQL page loads React and GraphiQL from a CDN, so on a machine without internet it
stays at "Loading...", and it cannot run under a `'self'`-only Content-Security-Policy. This page loads
the vendored builds in `api/static/graphiql/` (versions, licences and how to regenerate them:
`api/static/graphiql/README.md`) and its own bootstrap `api/static/graphiql-page.js` through `/static`
(`api.static_files`), with no inline script or style. `LegPainGraphQL.render_graphql_ide` answers with it;
strawberry still decides when (a GET that accepts HTML and carries no `?query=`).
"""

from __future__ import annotations

import html
import secrets
from functools import cache
from string import Template

from starlette.requests import Request
from starlette.responses import HTMLResponse

from api.middleware.security_headers import content_security_policy
from api.static_files import STATIC_DIR

TEMPLATE = STATIC_DIR / "graphiql.html"


@cache
def _template() -> Template:
    return Template(TEMPLATE.read_text(encoding="utf-8"))


def graphiql_html(endpoint: str, style_nonce: str) -> str:
    """The page, with GraphiQL's fetcher pointed at `endpoint` (a path on this server, e.g. `/graphql`) and the
    nonce its run-time `<style>` element must carry."""
    return _template().substitute(endpoint=html.escape(endpoint, quote=True), style_nonce=style_nonce)


def graphiql_page(request: Request) -> HTMLResponse:
    """The page for this request, with its own Content-Security-Policy: the `'self'`-only one of
    `api.middleware.security_headers`, plus a fresh nonce for the one `<style>` element GraphiQL inserts at run time
    (when a dialog opens, to lock scrolling), so styles need no `'unsafe-inline'`. The endpoint is the path
    the page was asked for, which is where the GraphQL view answers (so it stays right behind a path prefix).
    `no-store`: each response has its own nonce."""
    nonce = secrets.token_urlsafe(18)
    headers = {
        "Content-Security-Policy": content_security_policy([f"'nonce-{nonce}'"]),
        "Cache-Control": "no-store",
    }
    return HTMLResponse(graphiql_html(request.url.path, nonce), headers=headers)
