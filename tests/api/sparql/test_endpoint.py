"""`/sparql` in process: the SPARQL 1.1 Protocol forms, formats, read-only, limits, description, page.

The `client` fixture serves the app as `legpain serve` builds it. Apps with other limits are built
with `create_app` and given the already loaded service (no second load); their pools start lazily.
"""

from __future__ import annotations

import dataclasses
import io
import json
from collections.abc import Iterator

import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDF
from rdflib.query import Result
from starlette.testclient import TestClient

from api.app import create_app
from kg.assessment.service import LegPainService
from kg.core.namespaces import INFERRED_GRAPH, KNOWLEDGE_BASE_GRAPH, MAPPINGS_GRAPH, ONTOLOGY_GRAPH
from kg.core.settings import Settings
from kg.sparql.guard import MAX_NESTING

LP = Namespace("https://w3id.org/legpain/")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
PREFIX = "PREFIX lp: <https://w3id.org/legpain/>\nPREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
CONDITIONS = PREFIX + "SELECT ?condition ?label WHERE { ?condition a lp:Condition ; rdfs:label ?label }"
BODY_SYSTEMS = PREFIX + "CONSTRUCT { ?s a lp:BodySystem ; rdfs:label ?l } WHERE { ?s a lp:BodySystem ; rdfs:label ?l }"
SPARQL_QUERY = {"content-type": "application/sparql-query"}

UPDATES = [
    "INSERT DATA { <urn:x> <urn:y> <urn:z> }",
    "DELETE DATA { <https://w3id.org/legpain/PeripheralArteryDisease> a <https://w3id.org/legpain/Condition> }",
    "DELETE WHERE { ?s ?p ?o }",
    "DELETE { ?s ?p ?o } INSERT { ?s ?p 1 } WHERE { ?s ?p ?o }",
    "LOAD <http://127.0.0.1:9/x.ttl>",
    "CLEAR ALL",
    "CREATE GRAPH <urn:g>",
    "DROP GRAPH <https://w3id.org/legpain/graph/ontology>",
    "COPY DEFAULT TO <urn:g>",
    "MOVE DEFAULT TO <urn:g>",
    "ADD DEFAULT TO <urn:g>",
]


def _count(response: object) -> int:
    return int(json.loads(response.content)["results"]["bindings"][0]["n"]["value"])  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def make_client(settings: Settings, service: LegPainService) -> Iterator[object]:
    """Build a client for an app with changed settings, serving the loaded service (no lifespan)."""
    clients: list[TestClient] = []

    def make(**changes: object) -> TestClient:
        app = create_app(settings.with_changes(**changes))
        app.state.legpain.service = service
        client = TestClient(app)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


# ----------------------------------------------------------------------------- protocol forms
def test_get_post_and_form_answer_the_same(client: TestClient, service: LegPainService) -> None:
    total = len(service.graph.dataset)
    get = client.get("/sparql", params={"query": COUNT})
    post = client.post("/sparql", content=COUNT, headers=SPARQL_QUERY)
    form = client.post("/sparql", data={"query": COUNT})
    for response in (get, post, form):
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/sparql-results+json; charset=utf-8"
        assert _count(response) == total


@pytest.mark.parametrize(
    ("accept", "content_type", "parser"),
    [
        ("application/sparql-results+json", "application/sparql-results+json", "json"),
        ("application/sparql-results+xml", "application/sparql-results+xml", "xml"),
        ("text/csv", "text/csv", "csv"),
        ("text/tab-separated-values", "text/tab-separated-values", "tsv"),
        ("text/csv;q=0.2, application/sparql-results+xml;q=0.8", "application/sparql-results+xml", "xml"),
    ],
)
def test_select_formats_match_rdflib(
    client: TestClient, service: LegPainService, accept: str, content_type: str, parser: str
) -> None:
    response = client.get("/sparql", params={"query": CONDITIONS}, headers={"accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(content_type)
    ours = Result.parse(io.BytesIO(response.content), format=parser)
    theirs = service.graph.dataset.query(CONDITIONS)

    def rows(result: Result) -> set[tuple[str, ...]]:
        return {tuple(str(t) for t in row) for row in result}  # type: ignore[union-attr]

    assert rows(ours) == rows(theirs) and len(rows(ours)) >= 15


@pytest.mark.parametrize(
    ("accept", "rdflib_format"),
    [
        ("text/turtle", "turtle"),
        ("application/n-triples", "nt"),
        ("application/ld+json", "json-ld"),
        ("application/rdf+xml", "xml"),
    ],
)
def test_construct_formats_match_rdflib(
    client: TestClient, service: LegPainService, accept: str, rdflib_format: str
) -> None:
    response = client.post("/sparql", content=BODY_SYSTEMS, headers={**SPARQL_QUERY, "accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(accept)
    ours = Graph().parse(data=response.content, format=rdflib_format)
    theirs = service.graph.dataset.query(BODY_SYSTEMS).graph
    assert theirs is not None and len(ours) == 6
    assert isomorphic(ours, theirs)


def test_describe_returns_the_resource(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": "DESCRIBE <https://w3id.org/legpain/PeripheralArteryDisease>"})
    graph = Graph().parse(data=response.content, format="turtle")
    assert (LP.PeripheralArteryDisease, RDF.type, LP.Condition) in graph


def test_ask_and_format_parameter(client: TestClient) -> None:
    ask = client.get("/sparql", params={"query": "ASK { ?s ?p ?o }", "format": "xml"})
    assert ask.headers["content-type"].startswith("application/sparql-results+xml")
    assert b"<boolean>true</boolean>" in ask.content
    csv = client.get("/sparql", params={"query": CONDITIONS, "format": "csv"}, headers={"accept": "image/png"})
    assert csv.status_code == 200 and csv.content.startswith(b"condition,label\r\n")


@pytest.mark.parametrize(
    ("query", "accept"), [(CONDITIONS, "text/turtle"), (BODY_SYSTEMS, "text/csv"), (CONDITIONS, "image/png")]
)
def test_nothing_acceptable_is_406(client: TestClient, query: str, accept: str) -> None:
    response = client.get("/sparql", params={"query": query}, headers={"accept": accept})
    assert response.status_code == 406
    assert "available as" in response.text


# ---------------------------------------------------------------------------------- read-only
@pytest.mark.parametrize("update", UPDATES)
def test_every_update_form_is_refused_on_every_route(client: TestClient, service: LegPainService, update: str) -> None:
    before = _count(client.get("/sparql", params={"query": COUNT}))
    attempts = [
        client.get("/sparql", params={"update": update}),
        client.get("/sparql", params={"query": update}),
        client.post("/sparql", data={"update": update}),
        client.post("/sparql", data={"query": update}),
        client.post("/sparql", content=update, headers={"content-type": "application/sparql-update"}),
        client.post("/sparql", content=update, headers=SPARQL_QUERY),
    ]
    for response in attempts:
        assert response.status_code == 403, response.text
        assert "read-only" in response.text
    assert _count(client.get("/sparql", params={"query": COUNT})) == before == len(service.graph.dataset)


def test_data_is_unchanged_after_update_attempts(client: TestClient, service: LegPainService) -> None:
    health = client.get("/health").json()
    assert health["triples"] == len(service.graph.dataset)
    ask = PREFIX + "ASK { lp:PeripheralArteryDisease a lp:Condition }"
    assert json.loads(client.get("/sparql", params={"query": ask}).content)["boolean"] is True


# -------------------------------------------------------------------------- dataset selection
def test_graph_parameters_select_own_graphs(client: TestClient, service: LegPainService) -> None:
    sizes = service.graph.triple_counts()
    response = client.get("/sparql", params={"query": COUNT, "default-graph-uri": str(INFERRED_GRAPH)})
    assert _count(response) == sizes[str(INFERRED_GRAPH)]
    both = client.get(
        "/sparql",
        params=[
            ("query", COUNT),
            ("default-graph-uri", str(ONTOLOGY_GRAPH)),
            ("default-graph-uri", str(MAPPINGS_GRAPH)),
        ],
    )
    assert _count(both) == sizes[str(ONTOLOGY_GRAPH)] + sizes[str(MAPPINGS_GRAPH)]
    named = client.post(
        "/sparql",
        data={
            "query": "SELECT (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } }",
            "named-graph-uri": str(KNOWLEDGE_BASE_GRAPH),
        },
    )
    assert _count(named) == sizes[str(KNOWLEDGE_BASE_GRAPH)]


@pytest.mark.parametrize("parameter", ["default-graph-uri", "named-graph-uri"])
@pytest.mark.parametrize("graph", ["http://127.0.0.1:9/data.ttl", "file:///etc/passwd", "urn:other"])
def test_other_graphs_are_refused(client: TestClient, parameter: str, graph: str) -> None:
    response = client.get("/sparql", params={"query": COUNT, parameter: graph})
    assert response.status_code == 400
    assert f"Unknown graph <{graph}>" in response.text and str(INFERRED_GRAPH) in response.text


def test_from_selects_own_graph_and_ignores_others(client: TestClient, service: LegPainService) -> None:
    own = client.get("/sparql", params={"query": f"SELECT (COUNT(*) AS ?n) FROM <{INFERRED_GRAPH}> {{ ?s ?p ?o }}"})
    assert _count(own) == service.graph.triple_counts()[str(INFERRED_GRAPH)]
    other = client.get("/sparql", params={"query": "SELECT (COUNT(*) AS ?n) FROM <urn:nowhere> { ?s ?p ?o }"})
    assert other.status_code == 400 and "Unknown graph <urn:nowhere> in FROM" in other.text


# ----------------------------------------------------------------------------- limits, errors
def test_rows_over_the_cap_are_cut_and_flagged(make_client: object) -> None:
    client = make_client(sparql_max_rows=5)  # type: ignore[operator]
    response = client.get("/sparql", params={"query": "SELECT * { ?s ?p ?o }"})
    assert response.status_code == 200
    assert response.headers["x-legpain-truncated"] == "true"
    assert response.headers["x-legpain-max-rows"] == "5"
    assert len(json.loads(response.content)["results"]["bindings"]) == 5
    small = client.get("/sparql", params={"query": "SELECT * { ?s a <https://w3id.org/legpain/BodySystem> }"})
    assert "x-legpain-truncated" not in small.headers


def test_oversized_query_is_413(client: TestClient, settings: Settings) -> None:
    big = "# " + "x" * settings.sparql_max_query_bytes + "\n" + COUNT
    assert client.post("/sparql", content=big, headers=SPARQL_QUERY).status_code == 413
    assert client.get("/sparql", params={"query": big}).status_code == 413


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * {",
        "SELEKT * {}",
        "SELECT ?x WHERE { ?x ?p }",
        "ASK { FILTER( }",
        "SELECT * { ?s ?p ?o } LIMIT -1",
        "PREFIX lp: <x SELECT * {}",
    ],
)
def test_malformed_query_is_400_with_the_parser_message(client: TestClient, query: str) -> None:
    response = client.get("/sparql", params={"query": query})
    assert response.status_code == 400
    assert response.text.startswith("Malformed query: error at")


@pytest.mark.parametrize(
    ("request_kwargs", "status", "message"),
    [
        ({"params": {"query": "   "}}, 400, "empty"),
        ({"params": [("query", COUNT), ("query", COUNT)]}, 400, "exactly one"),
        ({"method": "POST", "content": b"", "headers": SPARQL_QUERY | {"content-length": "0"}}, 400, "empty"),
        ({"method": "POST", "data": {"default-graph-uri": str(INFERRED_GRAPH)}}, 400, "No query"),
        (
            {"method": "POST", "content": COUNT, "headers": {"content-type": "text/plain"}},
            415,
            "Unsupported content type",
        ),
        ({"method": "POST", "content": b"\xff\xfe", "headers": SPARQL_QUERY}, 400, "UTF-8"),
        ({"params": {"query": "SELECT * { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"}}, 400, "SERVICE"),
        (
            {"params": {"query": "SELECT * WHERE " + "{" * (MAX_NESTING + 1) + "}" * (MAX_NESTING + 1)}},
            400,
            "levels deep",
        ),
    ],
)
def test_bad_requests_get_clear_errors(
    client: TestClient, request_kwargs: dict[str, object], status: int, message: str
) -> None:
    kwargs = dict(request_kwargs)
    method = str(kwargs.pop("method", "GET"))
    response = client.request(method, "/sparql", **kwargs)  # type: ignore[arg-type]
    assert response.status_code == status
    assert message in response.text
    assert response.headers["content-type"].startswith("text/plain")


@pytest.mark.parametrize(
    "text",
    [
        "\x00",
        "}",
        "'''",
        '"\\',
        "SELECT * { ?s ?p ?o } ORDER BY",
        "SELECT (1/0 AS ?x) {}",
        "SELECT * { FILTER(" + "!" * 5000 + "true) }",
        "SELECT * { FILTER(1" + "+1" * 5000 + " > 0) }",
        "SELECT * { " + " UNION ".join(["{ ?s <urn:x> ?o }"] * 1000) + " }",
        "𝔖𝔈𝔏𝔈ℭ𝔗 * {}",
        "SELECT ?\u00e9 { }",
    ],
)
def test_no_query_text_gives_a_server_error(client: TestClient, text: str) -> None:
    response = client.get("/sparql", params={"query": text})
    assert response.status_code < 500, response.text


def test_a_reloaded_graph_gets_a_fresh_pool(make_client: object, service: LegPainService) -> None:
    client = make_client()  # type: ignore[operator]
    assert _count(client.get("/sparql", params={"query": COUNT})) == len(service.graph.dataset)
    endpoint = next(r for r in client.app.routes if getattr(r, "path", "") == "/sparql").endpoint.__self__
    old = endpoint._published.pool
    # what a reload does: a new graph object swapped in whole
    client.app.state.legpain.service = dataclasses.replace(service)
    assert _count(client.get("/sparql", params={"query": COUNT})) == len(service.graph.dataset)
    assert endpoint._published.pool is not old and old._closed and not old._workers


def test_workers_that_cannot_start_give_503(make_client: object, monkeypatch: pytest.MonkeyPatch) -> None:
    import api.sparql.endpoint
    from api.sparql.runners.pool import PoolError

    def broken(*args: object, **kwargs: object) -> None:
        raise PoolError("kernel confinement (seccomp) is not available on this system")

    monkeypatch.setattr(api.sparql.endpoint, "WorkerPool", broken)
    response = make_client().get("/sparql", params={"query": COUNT})  # type: ignore[operator]
    assert response.status_code == 503 and "seccomp" in response.text


def test_not_ready_is_503(settings: Settings) -> None:
    app = create_app(settings)  # no `with`: the lifespan does not run, the graph is never loaded
    response = TestClient(app).get("/sparql", params={"query": COUNT})
    assert response.status_code == 503 and "Retry-After" in response.headers


# ------------------------------------------------------------------- description, page, CORS
@pytest.mark.parametrize(
    ("accept", "rdflib_format"),
    [
        ("text/turtle", "turtle"),
        ("application/n-triples", "nt"),
        ("application/ld+json", "json-ld"),
        ("application/rdf+xml", "xml"),
        ("*/*", "turtle"),
        (None, "turtle"),
    ],
)
def test_service_description(
    client: TestClient, service: LegPainService, accept: str | None, rdflib_format: str
) -> None:
    headers = {"accept": accept} if accept else {}
    response = client.get("/sparql", headers=headers)
    assert response.status_code == 200
    description = Graph().parse(data=response.content, format=rdflib_format)
    endpoint = URIRef("http://testserver/sparql")
    assert (endpoint, RDF.type, SD.Service) in description
    assert (endpoint, SD.feature, SD.UnionDefaultGraph) in description
    assert (endpoint, SD.supportedLanguage, SD.SPARQL11Query) in description
    names = set(description.objects(None, SD.name))
    assert {str(n) for n in names} == set(service.graph.triple_counts())
    prefixes = {str(p) for p in description.objects(None, URIRef("http://www.w3.org/ns/shacl#prefix"))}
    assert {"lp", "owl", "skos", "HP", "ICD10CM"} <= prefixes
    assert Literal(len(service.graph.dataset)) in set(
        description.objects(None, URIRef("http://rdfs.org/ns/void#triples"))
    )


def test_browser_gets_the_local_query_page(client: TestClient) -> None:
    accept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    response = client.get("/sparql", headers={"accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    assert "<textarea" in page and "application/sparql-query" in page
    # nothing is fetched from elsewhere at run time
    for marker in ('src="http', "src='http", 'href="http', "@import", "cdn"):
        assert marker not in page.lower()


def test_no_acceptable_description_is_406(client: TestClient) -> None:
    assert client.get("/sparql", headers={"accept": "image/png"}).status_code == 406


def test_head_answers_like_get_without_a_body(client: TestClient) -> None:
    response = client.head("/sparql", params={"query": COUNT})
    assert response.status_code == 200 and response.content == b""
    assert response.headers["content-type"].startswith("application/sparql-results+json")


def test_options_lists_methods(client: TestClient) -> None:
    response = client.options("/sparql")
    assert response.status_code == 204
    assert "POST" in response.headers["allow"]


def test_cors_preflight_and_response(make_client: object) -> None:
    client = make_client(cors_origins=("https://yasgui.example",))  # type: ignore[operator]
    preflight = client.options(
        "/sparql",
        headers={
            "origin": "https://yasgui.example",
            "access-control-request-method": "POST",
            "access-control-request-headers": "content-type, accept",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == "https://yasgui.example"
    assert "POST" in preflight.headers["access-control-allow-methods"]
    response = client.post("/sparql", content=COUNT, headers={**SPARQL_QUERY, "origin": "https://yasgui.example"})
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "https://yasgui.example"
    refused = client.options(
        "/sparql", headers={"origin": "https://evil.example", "access-control-request-method": "POST"}
    )
    assert "access-control-allow-origin" not in refused.headers


def test_a_charset_other_than_utf8_is_refused(client: TestClient) -> None:
    """SPARQL 1.1 Protocol 2.1.3: UTF-8 is the only charset a query body may have (an ASCII body
    declared UTF-16 was evaluated as if it were UTF-8)."""
    ascii_body = b"ASK {}"
    for content_type in (
        "application/sparql-query; charset=UTF-16",
        "application/x-www-form-urlencoded; charset=latin-1",
    ):
        body = ascii_body if "sparql" in content_type else b"query=ASK%20%7B%7D"
        assert client.post("/sparql", content=body, headers={"Content-Type": content_type}).status_code == 415
    ok = client.post("/sparql", content=ascii_body, headers={"Content-Type": "application/sparql-query; charset=utf-8"})
    assert ok.status_code == 200
