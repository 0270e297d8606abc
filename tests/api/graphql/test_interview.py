"""`interview` through GraphQL in process: the contract's shapes, checklist answers, bad input."""

from __future__ import annotations

from typing import Any

from starlette.testclient import TestClient

QUERY = """query($s: [ID!], $a: [ID!], $u: [ID!], $text: String, $patient: PatientInput) {
  interview(symptoms: $s, absentSymptoms: $a, unknownSymptoms: $u, text: $text, patient: $patient) {
    shouldStop stopReason
    question { id text kind rationale expectedGain asks { id label question isWarningSign } riskFactors { id } }
    assessment { urgency { rank } candidates { condition { id } } understood { text symptom { id } } }
  }
}"""


def _interview(client: TestClient, **variables: Any) -> dict[str, Any]:
    body = client.post("/graphql", json={"query": QUERY, "variables": variables}).json()
    assert "errors" not in body, body
    result: dict[str, Any] = body["data"]["interview"]
    return result


def test_text_starts_an_interview_with_a_warning_sign_checklist(client: TestClient) -> None:
    result = _interview(client, text="my right calf is swollen")
    question = result["question"]
    assert result["shouldStop"] is False and result["stopReason"] == "CONTINUE"
    assert question["kind"] == "WARNING_SIGN" and question["expectedGain"] is None
    assert question["id"] == "lp:DeepVeinThrombosis#complications"
    assert all(s["isWarningSign"] and s["question"] in question["text"] for s in question["asks"])
    assert result["assessment"]["understood"][0]["symptom"]["id"] == "lp:UnilateralLegSwelling"


def test_a_discriminating_question_names_its_gain(client: TestClient) -> None:
    absent: list[str] = []
    for _ in range(6):
        result = _interview(client, s=["lp:HeelPain"], a=absent)
        question = result["question"]
        if question is None or question["kind"] != "WARNING_SIGN":
            break
        absent += [s["id"] for s in question["asks"]]
    assert question is not None and question["kind"] in {"DISCRIMINATING", "RISK_FACTOR"}
    assert question["expectedGain"] > 0 and "information gain" in question["rationale"]


def test_bad_interview_input_is_a_clear_error(client: TestClient) -> None:
    body = client.post("/graphql", json={"query": QUERY, "variables": {"s": ["lp:HeelPain"], "u": ["lp:Nope"]}}).json()
    assert body["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "unknown": ["lp:Nope"]}
    body = client.post(
        "/graphql", json={"query": QUERY, "variables": {"s": ["lp:HeelPain"], "patient": {"age": 400}}}
    ).json()
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "age" in body["errors"][0]["message"]
    body = client.post(
        "/graphql",
        json={"query": QUERY, "variables": {"s": ["lp:HeelPain"], "patient": {"unknownRiskFactors": ["lp:Nope"]}}},
    ).json()
    assert body["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "unknown": ["lp:Nope"]}
