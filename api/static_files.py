"""`/static/...`: the files the server's own HTML pages load (scripts, styles, the vendored GraphiQL).

The pages (GraphiQL at `GET /graphql`, the SPARQL query page at `GET /sparql`) load nothing from another
origin, so they work offline and under the `'self'`-only Content-Security-Policy of
`api.middleware.security_headers`; their scripts and styles are files here rather than inline. The pages refer to
them with relative URLs (`static/...`), so the server also works behind a path prefix.

Files come from `api/static/` inside the package (they ship in the wheel; see `[tool.setuptools.package-data]`).
The HTML pages themselves are not served here: they are templates or pages of their own routes.
"""

from __future__ import annotations

from pathlib import Path

from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

STATIC_DIR = Path(__file__).with_name("static")


class AssetFiles(StaticFiles):
    """Starlette's static files (ETag and Last-Modified, so browsers revalidate instead of downloading
    again), without the HTML pages: `graphiql.html` is a template (`api.graphql.graphiql`) and `sparql.html` is
    `GET /sparql`'s page; served raw here they would be half-filled copies at a second address."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        if path.lower().endswith((".html", ".htm")):
            raise HTTPException(status_code=404)
        return await super().get_response(path, scope)


def static_routes() -> list[BaseRoute]:
    """The `/static` mount (GET and HEAD only, as StaticFiles answers)."""
    return [Mount("/static", app=AssetFiles(directory=STATIC_DIR), name="static")]


__all__ = ["STATIC_DIR", "AssetFiles", "static_routes"]
