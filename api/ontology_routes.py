"""`/ontology`: the ontology itself by content negotiation, and its reference pages.

- `GET /ontology`: Turtle, N-Triples, JSON-LD or RDF/XML (asserted and inferred triples) by `Accept`
  (q-values honoured, 406 otherwise), or the HTML reference index for a browser; `?format=ttl|nt|
  jsonld|rdfxml|html` overrides.
- `GET /ontology/{page}`: one reference page (`classes/Condition`, `conditions/Sciatica` ...) as HTML,
  or as Markdown with a `.md` suffix; generated from the graph being served, so extension modules
  appear too.
- `GET /ontology/diagram.svg`: the diagram (drawn live when Graphviz is installed, else the committed
  one).
"""

from __future__ import annotations

import html
from typing import TypeVar

import markdown
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from api.sparql.formats import Format, best_format, parse_accept
from api.state import app_state
from kg.authoring.diagram import render, to_dot
from kg.authoring.docs import reference_pages
from kg.authoring.export import serialize
from kg.core.formats import GRAPH_FORMATS, rdf_format
from kg.core.resources import shipped_dir
from kg.knowledge.graph import LoadedGraph

#: The HTML reference page, then the RDF formats of `kg.core.formats` (Turtle first: the default).
OFFERED = (
    Format("html", "graph", "text/html", ("application/xhtml+xml",)),
    *(Format(f.name, "graph", f.media_type, f.media_aliases) for f in GRAPH_FORMATS),
)
_T = TypeVar("_T")
STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;line-height:1.45}"
    "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.25rem .5rem;vertical-align:top}"
    "blockquote{color:#444;border-left:3px solid #ccc;margin-left:0;padding-left:1rem}img{max-width:100%}"
)


def _choose(request: Request) -> Format | None:
    wanted = request.query_params.get("format")
    if wanted:
        chosen = rdf_format(wanted)
        name = "html" if wanted.strip().lower() == "html" else chosen.name if chosen is not None else None
        return next((f for f in OFFERED if f.name == name), None)
    if not parse_accept(request.headers.get("accept")):
        return OFFERED[1]  # a tool that states no preference gets Turtle
    return best_format(request.headers.get("accept"), OFFERED)


def _pages(request: Request, graph: LoadedGraph) -> dict[str, str]:
    return app_state(request).rendered.get(graph, "pages", lambda: reference_pages(graph))


def _rdf(request: Request, graph: LoadedGraph, fmt: str) -> bytes:
    return app_state(request).rendered.get(graph, fmt, lambda: serialize(graph, fmt, "all"))


def _html_page(title: str, body_markdown: str) -> str:
    body = markdown.markdown(body_markdown, extensions=["tables"])
    body = body.replace('.md">', '">')  # links between pages drop the suffix
    return (
        f"<!doctype html><html lang=en><head><meta charset=utf-8><title>{html.escape(title)}</title>"
        f"<style>{STYLE}</style></head><body>{body}</body></html>"
    )


_REMOTE = (
    "The ontology documents are served by API processes that hold the graph (an embedded store). "
    "This one reads a remote store (LEGPAIN_STORE=sparql:...): get the graphs from /sparql, e.g. "
    "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH <https://w3id.org/legpain/graph/ontology> { ?s ?p ?o } }, "
    "or run `legpain export` / `legpain docs` on the ontology files.\n"
)


def _graph(request: Request) -> LoadedGraph | None:
    return app_state(request).require().graph


async def ontology(request: Request) -> Response:
    graph = _graph(request)
    if graph is None:
        return PlainTextResponse(_REMOTE, status_code=404)
    fmt = _choose(request)
    if fmt is None:
        offered = ", ".join(f.media_type for f in OFFERED)
        return PlainTextResponse(
            f"none of the requested media types is available; offered: {offered}\n", status_code=406
        )
    headers = {"Vary": "Accept"}
    if fmt.name == "html":
        page = (
            _pages(request, graph)["index.md"]
            .replace("](../ontology.svg)", "](diagram.svg)")
            .replace("](", "](/ontology/")
        )
        return Response(_html_page("Walking leg-pain ontology", page), media_type="text/html", headers=headers)
    return Response(_rdf(request, graph, fmt.name), media_type=fmt.content_type, headers=headers)


async def reference_page(request: Request) -> Response:
    graph = _graph(request)
    if graph is None:
        return PlainTextResponse(_REMOTE, status_code=404)
    path = request.path_params["page"].strip("/")
    if path == "diagram.svg":
        source = to_dot(graph)
        try:
            svg = render(source, "svg")
        except RuntimeError:
            svg = (shipped_dir("docs") / "ontology.svg").read_bytes()
        return Response(svg, media_type="image/svg+xml")
    raw = path.endswith(".md")
    key = path if raw else path + ".md"
    text = _pages(request, graph).get(key)
    if text is None:
        return PlainTextResponse(f"no reference page {path!r}; see /ontology\n", status_code=404)
    if raw:
        return PlainTextResponse(text, media_type="text/markdown; charset=utf-8")
    title = next((line[2:] for line in text.splitlines() if line.startswith("# ")), path)
    return Response(_html_page(title, text), media_type="text/html")


def ontology_routes() -> list[BaseRoute]:
    return [
        Route("/ontology", ontology, methods=["GET", "HEAD"]),
        Route("/ontology/{page:path}", reference_page, methods=["GET", "HEAD"]),
    ]
