"""The evaluation vignettes through GraphQL, exactly as DESIGN.md describes a client doing it.

`tests.support.vignettes.evaluate` is shared with the live-server test, which runs the same steps over
real HTTP.
"""

from __future__ import annotations

from typing import Any

from starlette.testclient import TestClient

from tests.support.vignettes import evaluate


def test_every_vignette_passes_over_graphql_in_process(client: TestClient, vignettes: list[dict[str, Any]]) -> None:
    def execute(query: str, variables: dict[str, Any]) -> dict[str, Any]:
        body = client.post("/graphql", json={"query": query, "variables": variables}).json()
        assert "errors" not in body, body
        return body["data"]

    assert vignettes
    assert [problem for v in vignettes if (problem := evaluate(v, execute))] == []
