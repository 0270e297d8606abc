"""`/sparql` over real HTTP with a real SPARQL client (SPARQLWrapper) against `legpain serve`.

Every answer is compared with rdflib's own answer on the same graph. A second server with a
2-second time limit shows that a runaway query is stopped while a light one is answered meanwhile.
Outside-access probes use a loopback listener that records every connection.
"""

from __future__ import annotations

import io
import json
import threading
import time
import urllib.error
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from rdflib import Graph
from rdflib.compare import isomorphic
from rdflib.query import Result
from SPARQLWrapper import CSV, JSON, JSONLD, POST, RDFXML, TSV, TURTLE, XML, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

from kg.assessment.service import LegPainService
from tests.support.listener import Listener
from tests.support.servers import serving

pytestmark = pytest.mark.server

PREFIX = "PREFIX lp: <https://w3id.org/legpain/>\nPREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
SELECTS = {
    "conditions": PREFIX + "SELECT ?condition ?label WHERE { ?condition a lp:Condition ; rdfs:label ?label }",
    "urgency": PREFIX + "SELECT ?level ?rank ?label WHERE { ?level lp:rank ?rank ; rdfs:label ?label }",
    "optional": PREFIX
    + ("SELECT ?finding ?kind WHERE { ?finding a lp:Finding . OPTIONAL { ?finding lp:isKindOf ?kind } }"),
}
CONSTRUCT = PREFIX + (
    "CONSTRUCT { ?c a lp:Condition ; rdfs:label ?l ; lp:hasUrgency ?u } "
    "WHERE { ?c a lp:Condition ; rdfs:label ?l ; lp:hasUrgency ?u }"
)
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . FILTER (?c = ?f) }"


def wrapper(base: str, query: str, fmt: str | None = None) -> SPARQLWrapper:
    sparql = SPARQLWrapper(base + "/sparql")
    sparql.setQuery(query)
    if fmt:
        sparql.setReturnFormat(fmt)
    return sparql


def rows(result: Result) -> set[tuple[str, ...]]:
    """Rows as strings: CSV keeps no types, so every format is compared on lexical values."""
    return {tuple("" if t is None else str(t) for t in row) for row in result}  # type: ignore[union-attr]


# ---------------------------------------------------------------------------------- formats
@pytest.mark.parametrize("name", sorted(SELECTS))
@pytest.mark.parametrize(("fmt", "parser"), [(JSON, "json"), (XML, "xml"), (CSV, "csv"), (TSV, "tsv")])
def test_select_in_every_format_matches_rdflib(
    live_server: str, service: LegPainService, name: str, fmt: str, parser: str
) -> None:
    with wrapper(live_server, SELECTS[name], fmt).query().response as response:
        body = response.read()
    ours = Result.parse(io.BytesIO(body), format=parser)
    theirs = service.graph.dataset.query(SELECTS[name])
    assert rows(ours) == rows(theirs)
    if parser != "csv":  # typed formats keep datatypes and language tags: compare the terms themselves
        assert {tuple(r) for r in ours} == {tuple(r) for r in theirs}  # type: ignore[arg-type]


def test_select_with_post_and_convert(live_server: str) -> None:
    sparql = wrapper(live_server, SELECTS["conditions"], JSON)
    sparql.setMethod(POST)
    converted = sparql.query().convert()
    assert isinstance(converted, dict)
    labels = {b["label"]["value"] for b in converted["results"]["bindings"]}
    assert "peripheral artery disease" in labels


@pytest.mark.parametrize(
    ("fmt", "accept", "parser"),
    [
        (TURTLE, None, "turtle"),
        (JSONLD, None, "json-ld"),
        (RDFXML, None, "xml"),
        (TURTLE, "application/n-triples", "nt"),
    ],
)
def test_construct_in_every_format_matches_rdflib(
    live_server: str, service: LegPainService, fmt: str, accept: str | None, parser: str
) -> None:
    sparql = wrapper(live_server, CONSTRUCT, fmt)
    if accept:  # no format= parameter (it would win), only the Accept header
        sparql.setOnlyConneg(True)
        sparql.addCustomHttpHeader("Accept", accept)
    with sparql.query().response as response:
        content_type, body = response.headers["Content-Type"], response.read()
    if accept:
        assert content_type.startswith(accept)
    ours = Graph().parse(data=body, format=parser)
    theirs = service.graph.dataset.query(CONSTRUCT).graph
    assert theirs is not None and len(ours) == len(theirs) > 30
    assert isomorphic(ours, theirs)


def test_ask(live_server: str) -> None:
    result = wrapper(live_server, PREFIX + "ASK { lp:PeripheralArteryDisease a lp:Condition }", JSON).query()
    assert result.convert()["boolean"] is True  # type: ignore[index]


# ----------------------------------------------------------------------------------- errors
def test_malformed_query_is_query_bad_formed(live_server: str) -> None:
    with pytest.raises(QueryBadFormed, match="Malformed query") as bad:
        wrapper(live_server, "SELECT * WHERE { ?s ?p", JSON).query()
    cause = bad.value.__context__
    if isinstance(cause, urllib.error.HTTPError):
        cause.close()


def test_unacceptable_format_is_406(live_server: str) -> None:
    response = httpx.get(live_server + "/sparql", params={"query": COUNT}, headers={"accept": "text/turtle"})
    assert response.status_code == 406


def test_updates_are_refused_and_nothing_changes(live_server: str, service: LegPainService) -> None:
    for update in (
        "INSERT DATA { <urn:a> <urn:b> <urn:c> }",
        "CLEAR ALL",
        "DROP GRAPH <https://w3id.org/legpain/graph/inferred>",
        "LOAD <http://127.0.0.1:9/x>",
    ):
        sparql = wrapper(live_server, update)
        sparql.setMethod(POST)
        with pytest.raises(urllib.error.HTTPError) as refused:
            sparql.query()
        refused.value.close()
        assert refused.value.code == 403
    count = wrapper(live_server, COUNT, JSON).query().convert()
    assert int(count["results"]["bindings"][0]["n"]["value"]) == len(service.graph.dataset)  # type: ignore[index]


# -------------------------------------------------------------------------- outside access
@pytest.fixture()
def listener() -> Iterator[Listener]:
    probe = Listener()
    yield probe
    probe.close()


def test_service_and_from_never_leave_the_process(live_server: str, listener: Listener, tmp_path: Path) -> None:
    secret = tmp_path / "secret.ttl"
    secret.write_text("<urn:secret> <urn:leak> 'leaked' .\n", encoding="utf-8")
    remote = f"http://127.0.0.1:{listener.port}"
    probes = {
        "service": f"SELECT * WHERE {{ SERVICE <{remote}/sparql> {{ ?s ?p ?o }} }}",
        "service silent": f"SELECT * WHERE {{ SERVICE SILENT <{remote}/sparql> {{ ?s ?p ?o }} }}",
        "from http": f"SELECT * FROM <{remote}/x.ttl> WHERE {{ ?s ?p ?o }}",
        "from named http": f"SELECT * FROM NAMED <{remote}/x.ttl> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
        "from file": f"SELECT * FROM <{secret.as_uri()}> WHERE {{ ?s ?p ?o }}",
        "from named file": f"SELECT * FROM NAMED <{secret.as_uri()}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
        "graph file": f"SELECT * WHERE {{ GRAPH <{secret.as_uri()}> {{ ?s ?p ?o }} }}",
    }
    for name, query in probes.items():
        response = httpx.get(live_server + "/sparql", params={"query": query}, timeout=30)
        assert response.status_code in (200, 400), name
        assert b"leaked" not in response.content and b"urn:secret" not in response.content, name
        if name.startswith("service"):
            assert response.status_code == 400 and b"SERVICE" in response.content
        elif name.startswith("from"):  # FROM may only name this dataset's graphs
            assert response.status_code == 400 and b"Unknown graph" in response.content, name
        else:
            assert json.loads(response.content)["results"]["bindings"] == [], name
    for parameter in ("default-graph-uri", "named-graph-uri"):
        response = httpx.get(live_server + "/sparql", params={"query": COUNT, parameter: remote + "/x.ttl"})
        assert response.status_code == 400
    time.sleep(0.5)
    assert listener.connections == []


# ---------------------------------------------------------------------------------- timeout
@pytest.fixture(scope="module")
def strict_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A second `legpain serve` whose SPARQL time limit is 2 s."""
    env = {"LEGPAIN_CACHE_DIR": str(tmp_path_factory.mktemp("strict-cache")), "LEGPAIN_SPARQL_TIMEOUT_S": "2"}
    with serving(env, tmp_path_factory.mktemp("strict-log") / "serve.log") as (base, _):
        httpx.get(base + "/sparql", params={"query": COUNT}, timeout=60)  # start the workers
        yield base


def test_timeout_stops_the_query_while_others_are_served(strict_server: str) -> None:
    slow: dict[str, object] = {}

    def run_slow() -> None:
        started = time.monotonic()
        slow["response"] = httpx.get(strict_server + "/sparql", params={"query": SLOW}, timeout=60)
        slow["seconds"] = time.monotonic() - started

    thread = threading.Thread(target=run_slow)
    thread.start()
    time.sleep(0.5)
    started = time.monotonic()
    light = wrapper(strict_server, SELECTS["urgency"], JSON).query().convert()
    light_seconds = time.monotonic() - started
    thread.join(timeout=60)
    assert len(light["results"]["bindings"]) == 4  # type: ignore[index]
    assert light_seconds < 1.0
    response = slow["response"]
    assert isinstance(response, httpx.Response)
    assert response.status_code == 503 and "2 s limit" in response.text
    assert 1.9 < float(slow["seconds"]) < 5.0  # type: ignore[arg-type]
    # the server, and SPARQL, go on
    assert httpx.get(strict_server + "/health").status_code == 200
    again = httpx.get(strict_server + "/sparql", params={"query": COUNT}, timeout=30)
    assert again.status_code == 200
