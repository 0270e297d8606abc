"""The whole-response cache (`api.graphql.cache`): repeated requests answered from it, never an error,
never across data versions or services, bounded in bytes; and streamed bodies over the limit refused."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import orjson
import pytest
from starlette.routing import Route
from starlette.testclient import TestClient

from api.app import create_app
from api.graphql.cache import ResponseCache
from api.graphql.view import LegPainGraphQL
from kg.core.settings import Settings

LOOKUP = {"query": "{ urgencyLevels { id rank } }"}
ASSESS = {
    "query": "query($s: [ID!]!) { assess(symptoms: $s) { urgency { rank } candidates { condition { id } } } }",
    "variables": {"s": ["lp:CalfCrampingOnWalking", "lp:ReliefWithinMinutesOfRest"]},
}


def _view(client: TestClient) -> LegPainGraphQL:
    app = client.app
    routes = app.routes  # type: ignore[attr-defined]
    view = next(r.app for r in routes if isinstance(r, Route) and r.path == "/graphql")
    assert isinstance(view, LegPainGraphQL)
    return view


@pytest.fixture
def fresh(settings: Settings) -> Iterator[TestClient]:
    """A client of its own: these tests count the cache's hits from zero."""
    with TestClient(create_app(settings)) as client:
        yield client


def test_a_repeated_request_is_answered_from_the_cache_with_the_same_body(fresh: TestClient) -> None:
    cache = _view(fresh).responses
    first = fresh.post("/graphql", json=ASSESS)
    second = fresh.post("/graphql", json=ASSESS)
    assert first.status_code == second.status_code == 200
    assert first.content == second.content
    assert first.json()["data"]["assess"]["candidates"]
    assert (cache.hits, len(cache)) == (1, 1)
    # the layers around the view still run: a cached answer has its own request ID and security headers
    assert first.headers["x-request-id"] != second.headers["x-request-id"]
    headers = [{k: v for k, v in r.headers.items() if k != "x-request-id"} for r in (first, second)]
    assert headers[0] == headers[1] and headers[1]["x-content-type-options"] == "nosniff"


def test_other_variables_or_a_get_are_other_requests(fresh: TestClient) -> None:
    cache = _view(fresh).responses
    fresh.post("/graphql", json=ASSESS)
    other = fresh.post("/graphql", json={**ASSESS, "variables": {"s": ["lp:CalfCrampingOnWalking"]}})
    assert other.status_code == 200 and cache.hits == 0
    got = fresh.get("/graphql", params={"query": LOOKUP["query"]})
    again = fresh.get("/graphql", params={"query": LOOKUP["query"]})
    assert got.json() == again.json() == fresh.post("/graphql", json=LOOKUP).json()
    assert cache.hits == 1  # the second GET; the POST of the same query is another request


def test_errors_are_never_cached(fresh: TestClient) -> None:
    cache = _view(fresh).responses
    bad = {**ASSESS, "variables": {"s": ["lp:NoSuchFinding"]}}
    for _ in range(2):
        body = fresh.post("/graphql", json=bad).json()
        assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    invalid = fresh.post("/graphql", json={"query": "{ nope }"})
    assert invalid.json()["errors"]
    assert (cache.hits, len(cache)) == (0, 0)


def test_the_wrong_content_type_is_not_answered_from_a_cached_json_request(fresh: TestClient) -> None:
    fresh.post("/graphql", json=LOOKUP)
    refused = fresh.post("/graphql", content=orjson.dumps(LOOKUP), headers={"content-type": "text/plain"})
    assert refused.status_code == 400


def test_a_reload_drops_what_the_old_service_answered(fresh: TestClient) -> None:
    cache = _view(fresh).responses
    fresh.post("/graphql", json=LOOKUP)
    state = fresh.app.state.legpain  # type: ignore[attr-defined]
    old = state.service
    state.service = dataclasses.replace(old)  # what a reload installs: a new service
    try:
        fresh.post("/graphql", json=LOOKUP)
        assert cache.hits == 0 and len(cache) == 1
    finally:
        state.service = old


def test_the_cache_can_be_turned_off(settings: Settings) -> None:
    with TestClient(create_app(settings.with_changes(graphql_cache_bytes=0))) as client:
        cache = _view(client).responses
        assert not cache.enabled
        client.post("/graphql", json=LOOKUP)
        client.post("/graphql", json=LOOKUP)
        assert (cache.hits, len(cache)) == (0, 0)


def test_the_cache_keeps_to_its_byte_budget_dropping_the_least_recently_used() -> None:
    cache = ResponseCache(max_bytes=100, max_entry_bytes=60)
    service = object()
    for n in range(5):
        cache.put(service, "v1", ("POST", b"", str(n).encode()), b"x" * 40)
    assert len(cache) == 2 and cache.size == 80
    assert cache.get(service, "v1", ("POST", b"", b"4")) == b"x" * 40
    assert cache.get(service, "v1", ("POST", b"", b"0")) is None
    cache.put(service, "v1", ("POST", b"", b"big"), b"x" * 61)  # over the entry limit: not kept
    assert cache.get(service, "v1", ("POST", b"", b"big")) is None
    # another data version of the same service: everything answered before is dropped
    assert cache.get(service, "v2", ("POST", b"", b"4")) is None
    assert len(cache) == 0


def test_a_streamed_body_over_the_limit_is_refused_with_413_not_500(settings: Settings) -> None:
    limit = settings.max_body_bytes

    def chunks() -> Iterator[bytes]:  # no Content-Length: the limit is found while reading
        yield b'{"query": "'
        for _ in range(limit // 1000 + 2):
            yield b"x" * 1000
        yield b'"}'

    with TestClient(create_app(settings)) as client:
        for path, kind in (("/graphql", "application/json"), ("/sparql", "application/sparql-query")):
            response = client.post(path, content=chunks(), headers={"content-type": kind})
            assert response.status_code == 413, path
            assert response.json()["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"
