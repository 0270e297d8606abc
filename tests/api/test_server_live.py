"""`legpain serve` as shipped (uvicorn with uvloop and httptools), tried as users and attackers do:
whole-graph SPARQL answers in every format, short queries beside heavy ones, request IDs and
structured logs, slow headers, and GraphQL documents that cost CPU beside `/health`."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import rdflib

from kg.assessment.service import LegPainService
from tests.support.servers import serving

pytestmark = pytest.mark.server

WHOLE_SELECT = "SELECT * WHERE { ?s ?p ?o }"
WHOLE_CONSTRUCT = "CONSTRUCT WHERE { ?s ?p ?o }"
VALUES_1000 = "SELECT * WHERE { VALUES ?x { " + " ".join(map(str, range(1000))) + " } }"
#: seconds of work on the shipped graph, little memory
HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . FILTER (?c = ?f) }"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """A server with JSON logs at info level and a short header timeout; yields its URL and log file."""
    log = tmp_path_factory.mktemp("live") / "serve.log"
    env = {
        "LEGPAIN_CACHE_DIR": str(tmp_path_factory.mktemp("cache")),
        "LEGPAIN_HEADER_TIMEOUT_S": "1",
        "LEGPAIN_SPARQL_TIMEOUT_S": "4",
    }
    with serving(env, log, args=("--log-format", "json", "--log-level", "info")) as (base, _):
        yield base, log


@pytest.mark.parametrize(
    "accept",
    ["application/sparql-results+json", "application/sparql-results+xml", "text/csv", "text/tab-separated-values"],
)
def test_whole_graph_select_in_every_result_format(
    server: tuple[str, Path], service: LegPainService, accept: str
) -> None:
    base, _ = server
    triples = service.graph.triples
    with httpx.Client(timeout=30) as client:
        for _ in range(8):
            response = client.get(base + "/sparql", params={"query": WHOLE_SELECT}, headers={"Accept": accept})
            assert response.status_code == 200, response.text[:300]
            assert len(response.content) > 100_000 and "x-legpain-truncated" not in response.headers
        if accept == "text/csv":
            assert response.text.count("\r\n") == triples + 1  # the header row and one row per triple
        big = client.post(
            base + "/sparql",
            content=VALUES_1000,
            headers={"Content-Type": "application/sparql-query", "Accept": accept},
        )
        assert big.status_code == 200


@pytest.mark.parametrize(
    ("accept", "fmt"),
    [
        ("text/turtle", "turtle"),
        ("application/n-triples", "nt"),
        ("application/ld+json", "json-ld"),
        ("application/rdf+xml", "xml"),
    ],
)
def test_whole_graph_construct_in_every_graph_format(
    server: tuple[str, Path], service: LegPainService, accept: str, fmt: str
) -> None:
    base, _ = server
    with httpx.Client(timeout=30) as client:
        for _ in range(4):
            response = client.get(base + "/sparql", params={"query": WHOLE_CONSTRUCT}, headers={"Accept": accept})
            assert response.status_code == 200, response.text[:300]
    graph = rdflib.Graph().parse(data=response.content, format=fmt)
    assert len(graph) > 0.9 * service.graph.triples  # the union (triples in two graphs appear once)


def test_a_short_query_is_answered_while_heavy_ones_run(server: tuple[str, Path]) -> None:
    base, _ = server
    heavy: list[tuple[int, float]] = []

    def run_heavy() -> None:
        status = httpx.get(base + "/sparql", params={"query": HEAVY}, timeout=30).status_code
        heavy.append((status, time.monotonic()))

    threads = [threading.Thread(target=run_heavy) for _ in range(2)]
    for thread in threads:
        thread.start()
    time.sleep(1.0)  # both are long-running by now
    started = time.monotonic()
    light = httpx.get(base + "/sparql", params={"query": "ASK { ?s ?p ?o }"}, timeout=30)
    answered = time.monotonic()
    for thread in threads:
        thread.join(timeout=30)
    assert light.status_code == 200 and answered - started < 1.0
    # the heavy ones were still running when it was answered (finished, or stopped at the 4 s limit)
    assert len(heavy) == 2 and all(status in (200, 503) and done > answered for status, done in heavy)


def test_request_ids_are_echoed_and_logged_as_json(server: tuple[str, Path]) -> None:
    base, log = server
    given = httpx.get(base + "/health", headers={"X-Request-ID": "trace-42.a:b"})
    assert given.headers["x-request-id"] == "trace-42.a:b"
    forged = httpx.get(base + "/health", headers={"X-Request-ID": "x\u00e9 with spaces".encode("latin-1")})
    made = httpx.get(base + "/health")
    assert forged.headers["x-request-id"] != "x\u00e9 with spaces" and len(made.headers["x-request-id"]) == 32
    time.sleep(0.3)
    records = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
    mine = [r for r in records if r.get("request_id") == "trace-42.a:b"]
    assert mine and mine[-1]["logger"] == "legpain.access" and mine[-1]["status"] == 200
    assert mine[-1]["path"] == "/health" and "time" in mine[-1] and "level" in mine[-1]


def test_connections_that_send_headers_slowly_are_closed(server: tuple[str, Path]) -> None:
    base, _ = server
    port = int(base.rsplit(":", 1)[1])
    sockets = []
    for _ in range(50):
        sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        sock.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n")  # headers never finished
        sockets.append(sock)
    time.sleep(2.0)
    closed = 0
    for sock in sockets:
        try:
            closed += sock.recv(1) == b""
        except OSError:
            closed += 1
        sock.close()
    assert closed == 50
    assert httpx.get(base + "/health").status_code == 200


def test_health_answers_while_costly_graphql_documents_run(server: tuple[str, Path]) -> None:
    """Documents near the cost limit execute off the event loop, so `/health` keeps answering."""
    base, _ = server
    costly = "{ conditions(limit: 100) { symptoms { conditions { symptoms { id label } } } } }"
    stop = time.monotonic() + 3.0

    def flood() -> None:
        with httpx.Client(timeout=30) as client:
            while time.monotonic() < stop:
                assert client.post(base + "/graphql", json={"query": costly}).status_code == 200

    threads = [threading.Thread(target=flood) for _ in range(2)]
    for thread in threads:
        thread.start()
    time.sleep(0.5)
    latencies = []
    with httpx.Client(timeout=30) as client:
        while time.monotonic() < stop:
            started = time.monotonic()
            assert client.get(base + "/health").status_code == 200
            latencies.append(time.monotonic() - started)
            time.sleep(0.05)
    for thread in threads:
        thread.join(timeout=30)
    latencies.sort()
    assert latencies[len(latencies) // 2] < 0.2  # was 3.8 s with two clients of a 380-field document
