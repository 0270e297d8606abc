"""GraphQL errors: unknown IDs, malformed requests, not-ready, and masked unexpected failures."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from api.app import create_app
from kg.assessment.service import LegPainService
from kg.core.settings import Settings


def errors_of(response: Any, status: int = 200) -> list[dict[str, Any]]:
    """Assert the standard error shape (JSON, codes, version, no trace); return the errors."""
    assert response.status_code == status, response.text
    assert "Traceback" not in response.text and ".py" not in response.text
    body = response.json()
    assert body["errors"], body
    assert all(e["message"] and e["extensions"]["code"] for e in body["errors"])
    assert "ontologyVersion" in body["extensions"]
    return body["errors"]


def post(client: TestClient, query: str, variables: dict[str, Any] | None = None) -> Any:
    return client.post("/graphql", json={"query": query, "variables": variables or {}})


# ------------------------------------------------------------------------------ unknown IDs


def test_assess_lists_every_unknown_id(client: TestClient) -> None:
    response = post(
        client,
        'query($a: [ID!]) { assess(symptoms: ["lp:PinsAndNeedles", "lp:Nope"], absentSymptoms: $a) { advice } }',
        {"a": ["banana"]},
    )
    [error] = errors_of(response)
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "unknown": ["lp:Nope", "banana"]}
    assert "lp:Nope" in error["message"] and "banana" in error["message"]
    assert error["path"] == ["assess"] and response.json()["data"] is None


def test_candidate_conditions_lists_unknown_ids(client: TestClient) -> None:
    [error] = errors_of(post(client, '{ candidateConditions(symptoms: ["lp:Sciatica"]) { rank } }'))
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "unknown": ["lp:Sciatica"]}


def test_unknown_id_in_one_field_leaves_the_others(client: TestClient) -> None:
    response = post(client, '{ urgencyLevels { rank } candidateConditions(symptoms: ["x"]) { rank } }')
    [error] = errors_of(response)
    assert error["path"] == ["candidateConditions"]
    assert response.json()["data"] is None  # a non-null root field failed, so data is null per the spec


def test_conditions_filter_with_unknown_id_is_bad_input(client: TestClient) -> None:
    [error] = errors_of(post(client, '{ conditions(bodySystem: "lp:Skin", symptom: "lp:CalfPain") { id } }'))
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "unknown": ["lp:Skin"]}
    assert "body system" in error["message"]


# --------------------------------------------------------------------------- malformed queries


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("{ urgencyLevels { rank }", "GRAPHQL_PARSE_FAILED"),
        ("query {", "GRAPHQL_PARSE_FAILED"),
        ("{ urgencyLevels { nope } }", "GRAPHQL_VALIDATION_FAILED"),
        ("{ assess(text: 5) { advice } }", "GRAPHQL_VALIDATION_FAILED"),
        ("{ assess(symptoms: [null]) { advice } }", "GRAPHQL_VALIDATION_FAILED"),
        ('{ condition(id: "lp:Sciatica") }', "GRAPHQL_VALIDATION_FAILED"),
        ("{ symptoms(limit: 99999999999) { id } }", "GRAPHQL_VALIDATION_FAILED"),
        ("mutation { x }", "GRAPHQL_VALIDATION_FAILED"),
        ("fragment F on Query { ...F } { ...F }", "GRAPHQL_VALIDATION_FAILED"),
    ],
)
def test_malformed_queries_get_standard_errors(client: TestClient, query: str, code: str) -> None:
    errors = errors_of(post(client, query))
    assert errors[0]["extensions"]["code"] == code
    assert "locations" in errors[0]


def test_bad_variable_values_are_bad_input(client: TestClient) -> None:
    response = post(client, "query($s: [ID!]!) { assess(symptoms: $s) { advice } }", {"s": [{"a": 1}]})
    [error] = errors_of(response)
    assert error["extensions"]["code"] == "BAD_USER_INPUT" and "$s" in error["message"]


def test_missing_variable_is_bad_input(client: TestClient) -> None:
    [error] = errors_of(post(client, "query($s: [ID!]!) { assess(symptoms: $s) { advice } }"))
    assert error["extensions"]["code"] == "BAD_USER_INPUT"


# ----------------------------------------------------------------------------- HTTP level


@pytest.mark.parametrize(
    ("kwargs", "status", "code"),
    [
        ({"content": b"{not json", "headers": {"Content-Type": "application/json"}}, 400, "BAD_REQUEST"),
        ({"json": "just a string"}, 400, "BAD_REQUEST"),
        ({"json": 42}, 400, "BAD_REQUEST"),
        ({"json": [{"query": "{ __typename }"}]}, 400, "BAD_REQUEST"),
        ({"json": {"variables": {}}}, 400, "BAD_REQUEST"),
        ({"json": {"query": 42}}, 400, "BAD_REQUEST"),
        ({"json": {"query": "{ __typename }", "variables": "x"}}, 400, "BAD_REQUEST"),
        ({"json": {"query": "{ __typename }", "operationName": "C"}}, 400, "BAD_REQUEST"),
        ({"content": b"{ __typename }", "headers": {"Content-Type": "text/plain"}}, 400, "BAD_REQUEST"),
        ({"content": b"x" * 200_000, "headers": {"Content-Type": "application/json"}}, 413, "PAYLOAD_TOO_LARGE"),
    ],
)
def test_malformed_requests_get_json_errors(client: TestClient, kwargs: dict[str, Any], status: int, code: str) -> None:
    response = client.post("/graphql", **kwargs)
    assert response.status_code == status, response.text
    assert response.json()["errors"][0]["extensions"]["code"] == code
    assert "Traceback" not in response.text


def test_wrong_method_is_405(client: TestClient) -> None:
    errors = errors_of(client.put("/graphql", json={"query": "{ __typename }"}), status=405)
    assert errors[0]["extensions"]["code"] == "METHOD_NOT_ALLOWED"


def test_get_without_query_is_400(client: TestClient) -> None:
    errors = errors_of(client.get("/graphql", headers={"Accept": "application/json"}), status=400)
    assert "query" in errors[0]["message"].lower()


def test_get_with_bad_variables_json_is_400(client: TestClient) -> None:
    response = client.get("/graphql", params={"query": "{ __typename }", "variables": "{nope"})
    errors_of(response, status=400)


# ------------------------------------------------------------------------------- masking


def test_unexpected_errors_are_masked_and_logged(
    client: TestClient, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def explode(self: LegPainService, phrase: str, limit: int = 20) -> list[object]:
        raise RuntimeError("disk on fire at /srv/secret/path.py")

    monkeypatch.setattr(LegPainService, "search_findings", explode)
    with caplog.at_level(logging.ERROR, logger="legpain.api.graphql"):
        response = post(client, '{ urgencyLevels { rank } s: symptoms(search: "calf") { id } }')
    [error] = errors_of(response)
    assert error == {
        "message": "Internal server error",
        "locations": [{"line": 1, "column": 26}],
        "path": ["s"],
        "extensions": {"code": "INTERNAL_SERVER_ERROR", "requestId": response.headers["x-request-id"]},
    }
    assert "secret" not in response.text
    [record] = [r for r in caplog.records if r.name == "legpain.api.graphql"]
    assert record.exc_info and "disk on fire" in str(record.exc_info[1])


# ------------------------------------------------------------------------------- not ready


@pytest.fixture()
def loading_client(app_settings: Settings) -> Iterator[TestClient]:
    """An app whose lifespan has not run: the graph is 'still loading'."""
    yield TestClient(create_app(app_settings))


def test_not_ready_is_a_clear_503(loading_client: TestClient) -> None:
    response = post(loading_client, "{ urgencyLevels { rank } }")
    [error] = errors_of(response, status=503)
    assert error["extensions"]["code"] == "NOT_READY" and "loading" in error["message"]
    assert response.json()["extensions"]["ontologyVersion"] is None


def test_failed_load_is_reported_as_not_ready(tmp_path: Path, app_settings: Settings) -> None:
    (tmp_path / "broken.ttl").write_text("this is not Turtle", encoding="utf-8")
    broken = app_settings.with_changes(extension_dirs=(tmp_path,))
    with TestClient(create_app(broken)) as client:
        [error] = errors_of(post(client, '{ condition(id: "lp:Sciatica") { id } }'), status=503)
    assert error["extensions"]["code"] == "NOT_READY" and "failed to load" in error["message"]


def test_importing_the_app_module_builds_nothing() -> None:
    """`api.app:app` is built when first asked for: a bad setting fails there, clearly, not at import."""
    import subprocess
    import sys

    code = "import api.app\ntry:\n    api.app.app\nexcept ValueError as exc:\n    print('refused:', exc)\n"
    done = subprocess.run(
        [sys.executable, "-c", code],
        env={**__import__("os").environ, "LEGPAIN_MAX_LIMIT": "lots"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "refused: LEGPAIN_MAX_LIMIT='lots' is not a valid int"
