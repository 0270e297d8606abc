"""Free text over GraphQL: `parse`, and `assess(text:)` merged with the ID lists (the contract additions)."""

from __future__ import annotations

from typing import Any

from starlette.testclient import TestClient

MENTION = "{ symptom { id label } condition { id } riskFactor { id } present certainty historical text start end }"
SENTENCE = "My left calf starts cramping about 400 yards into my walk; the leg isn't swollen"


def run(client: TestClient, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    body = client.post("/graphql", json={"query": query, "variables": variables or {}}).json()
    assert "errors" not in body, body.get("errors")
    return dict(body["data"])


def test_parse_returns_each_mention_with_polarity_and_offsets(client: TestClient) -> None:
    data = run(
        client, f"query($t: String!) {{ parse(text: $t) {{ mentions {MENTION} unrecognized }} }}", {"t": SENTENCE}
    )
    mentions = data["parse"]["mentions"]
    by_id = {m["symptom"]["id"]: m for m in mentions if m["symptom"]}
    assert by_id["lp:CalfCrampingOnWalking"]["present"] is True
    swelling = by_id["lp:UnilateralLegSwelling"]
    assert swelling["present"] is False and swelling["certainty"] == "NEGATED"
    for m in mentions:
        assert SENTENCE[m["start"] : m["end"]] == m["text"]
        assert m["riskFactor"] is None


def test_assess_reads_text_and_merges_it_with_the_id_lists(client: TestClient) -> None:
    query = """query($t: String, $s: [ID!]) { assess(text: $t, symptoms: $s) {
      inScope unrecognized understood { symptom { id } present }
      reportedSymptoms { id } absentSymptoms { id } candidates { condition { id } } } }"""
    data = run(client, query, {"t": SENTENCE, "s": ["lp:ReliefWithinMinutesOfRest"]})["assess"]
    assert data["inScope"] is True
    reported = [s["id"] for s in data["reportedSymptoms"]]
    assert reported[0] == "lp:ReliefWithinMinutesOfRest" and "lp:CalfCrampingOnWalking" in reported
    assert [s["id"] for s in data["absentSymptoms"]] == ["lp:UnilateralLegSwelling"]
    assert data["candidates"][0]["condition"]["id"] == "lp:PeripheralArteryDisease"
    assert {m["symptom"]["id"] for m in data["understood"] if m["symptom"]} >= {"lp:UnilateralLegSwelling"}


def test_text_about_something_else_is_out_of_scope(client: TestClient) -> None:
    data = run(
        client,
        '{ assess(text: "my scalp itches and the sky is green") { inScope candidates { rank } advice unrecognized } }',
    )["assess"]
    assert data["inScope"] is False and data["candidates"] == []
    assert "leg pain" in data["advice"] and "Not understood" in data["advice"]
    assert data["unrecognized"]


def test_assess_needs_no_argument_and_says_nothing_was_reported(client: TestClient) -> None:
    data = run(client, "{ assess { inScope candidates { rank } advice } }")["assess"]
    assert data["inScope"] is False and data["candidates"] == [] and "No findings were reported" in data["advice"]


def test_a_text_over_the_limit_is_bad_user_input(client: TestClient) -> None:
    body = client.post(
        "/graphql",
        json={
            "query": "query($t: String!) { parse(text: $t) { unrecognized } }",
            "variables": {"t": "calf pain " * 600},
        },
    ).json()
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "characters" in body["errors"][0]["message"]


def test_assess_takes_the_patient_and_echoes_the_context_it_used(client: TestClient) -> None:
    query = """query($p: PatientInput) { assess(symptoms: ["lp:UnilateralLegSwelling", "lp:CalfPain"], patient: $p) {
      urgency { rank } patient { age ageFrom riskFactors { id } }
      candidates { condition { id } riskFactors { id label conditions { id } sources { quote } } explanation } } }"""
    data = run(client, query, {"p": {"age": 70, "riskFactors": ["lp:PreviousDvt"]}})["assess"]
    assert data["urgency"]["rank"] == 4  # Wells: one-sided swelling and a previous DVT
    ids = [r["id"] for r in data["patient"]["riskFactors"]]
    assert ids[0] == "lp:PreviousDvt" and "lp:AgeOver60" in ids and data["patient"]["ageFrom"] == "request"
    best = data["candidates"][0]
    assert best["condition"]["id"] == "lp:DeepVeinThrombosis"
    assert {r["id"] for r in best["riskFactors"]} == {"lp:PreviousDvt", "lp:AgeOver60"}
    assert all(r["sources"] and {"id": "lp:DeepVeinThrombosis"} in r["conditions"] for r in best["riskFactors"])


def test_parse_fills_risk_factor_mentions_and_the_stated_age(client: TestClient) -> None:
    text = "I'm 72, I smoke and my calf cramps when I walk"
    data = run(client, f"query($t: String!) {{ parse(text: $t) {{ age mentions {MENTION} }} }}", {"t": text})["parse"]
    assert data["age"] == 72
    risky = {m["riskFactor"]["id"] for m in data["mentions"] if m["riskFactor"]}
    assert {"lp:Smoking", "lp:Age65OrOver"} <= risky


def test_risk_factors_are_listed_with_their_question(client: TestClient) -> None:
    data = run(client, "{ riskFactors { id label question conditions { id } } }")["riskFactors"]
    assert len(data) >= 20 and all(r["question"] and r["question"].endswith("?") for r in data)


def test_bad_patient_input_is_bad_user_input(client: TestClient) -> None:
    for patient, needle in (({"age": 400}, "between 0 and 130"), ({"riskFactors": ["lp:Nope"]}, "lp:Nope")):
        body = client.post(
            "/graphql",
            json={
                "query": 'query($p: PatientInput) { assess(symptoms: ["lp:CalfPain"], patient: $p) { advice } }',
                "variables": {"p": patient},
            },
        ).json()
        [error] = body["errors"]
        assert error["extensions"]["code"] == "BAD_USER_INPUT" and needle in error["message"] + str(error["extensions"])
