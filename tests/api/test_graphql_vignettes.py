"""The evaluation vignettes through GraphQL, exactly as DESIGN.md describes a client doing it.

`evaluate` is shared with the live-server test, which runs the same steps over real HTTP.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from starlette.testclient import TestClient

Execute = Callable[[str, dict[str, Any]], dict[str, Any]]

SEARCH = "query Search($phrase: String!) { symptoms(search: $phrase, limit: 1) { id label } }"
ASSESS = """query Assess($present: [ID!]!, $absent: [ID!]) {
  assess(symptoms: $present, absentSymptoms: $absent) {
    urgency { rank }
    candidates { rank condition { id label } }
  }
}"""


def evaluate(vignette: dict[str, Any], execute: Execute) -> str | None:
    """Run one vignette; None when it passes, else what went wrong."""
    def first_hit(phrase: str) -> str | None:
        hits = execute(SEARCH, {"phrase": phrase})["symptoms"]
        return hits[0]["id"] if hits else None

    present = [first_hit(p) for p in vignette["present"]]
    absent = [first_hit(p) for p in vignette.get("absent", [])]
    if None in present or None in absent:
        return f"{vignette['id']}: a phrase found no symptom ({present}, {absent})"
    result = execute(ASSESS, {"present": present, "absent": absent})["assess"]
    labels = [c["condition"]["label"] for c in result["candidates"]]
    rank = result["urgency"]["rank"]
    expect = vignette["expect"]
    problems = []
    if not expect["urgency_min"] <= rank <= expect["urgency_max"]:
        problems.append(f"urgency {rank} not in {expect['urgency_min']}..{expect['urgency_max']}")
    if "top1" in expect and not (labels and re.search(expect["top1"], labels[0], re.I)):
        problems.append(f"top1 {labels[:1]} !~ {expect['top1']}")
    if "top3" in expect and not any(re.search(expect["top3"], label, re.I) for label in labels[:3]):
        problems.append(f"top3 {labels[:3]} !~ {expect['top3']}")
    if "not_top1" in expect and labels and re.search(expect["not_top1"], labels[0], re.I):
        problems.append(f"top1 {labels[0]} ~ {expect['not_top1']}")
    return f"{vignette['id']}: {'; '.join(problems)}" if problems else None


def test_every_vignette_passes_over_graphql_in_process(client: TestClient, vignettes: list[dict[str, Any]]) -> None:
    def execute(query: str, variables: dict[str, Any]) -> dict[str, Any]:
        body = client.post("/graphql", json={"query": query, "variables": variables}).json()
        assert "errors" not in body, body
        return body["data"]

    assert vignettes
    assert [problem for v in vignettes if (problem := evaluate(v, execute))] == []
