"""`legpain serve` as a real process, queried with a real GraphQL client (gql over requests)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from gql import Client, GraphQLRequest, gql
from gql.transport.exceptions import TransportQueryError
from gql.transport.requests import RequestsHTTPTransport

from tests.support.vignettes import evaluate

pytestmark = pytest.mark.server


@pytest.fixture(scope="module")
def gql_client(live_server: str) -> Iterator[Client]:
    """A gql client that fetched the served schema, so it also validates every query client-side."""
    transport = RequestsHTTPTransport(url=live_server + "/graphql", timeout=30, retries=0)
    client = Client(transport=transport, fetch_schema_from_transport=True)
    with client as session:
        yield session  # type: ignore[misc]


def execute(session: Any, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    return session.execute(GraphQLRequest(gql(query), variable_values=variables or {}))


def test_every_vignette_passes_over_http(gql_client: Any, vignettes: list[dict[str, Any]]) -> None:
    assert vignettes
    problems = [p for v in vignettes if (p := evaluate(v, lambda q, variables: execute(gql_client, q, variables)))]
    assert problems == []


def test_lookup_and_schema_over_http(gql_client: Any) -> None:
    data = execute(gql_client, '{ urgencyLevels { id rank } condition(id: "lp:Sciatica") { label causes { id } } }')
    assert [u["rank"] for u in data["urgencyLevels"]] == [1, 2, 3, 4]
    assert data["condition"]["label"] == "sciatica"
    assert {c["id"] for c in data["condition"]["causes"]} == {"lp:HerniatedDisc", "lp:SpinalStenosis"}


def test_unknown_ids_are_a_clear_error_over_http(gql_client: Any) -> None:
    with pytest.raises(TransportQueryError) as caught:
        execute(gql_client, "query($s: [ID!]!) { assess(symptoms: $s) { advice } }", {"s": ["lp:Nope"]})
    [error] = caught.value.errors or []
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "unknown": ["lp:Nope"]}


def test_raw_http_forms(live_server: str) -> None:
    """The version extension, GET queries, GraphiQL and malformed bodies, as any HTTP client sees them."""
    url = live_server + "/graphql"
    with httpx.Client(timeout=30) as http:
        body = http.post(url, json={"query": "{ __typename }"}).json()
        assert body["data"] == {"__typename": "Query"} and body["extensions"]["ontologyVersion"]
        assert http.get(url, params={"query": "{ urgencyLevels { rank } }"}).json()["data"]["urgencyLevels"]
        page = http.get(url, headers={"Accept": "text/html"})
        assert page.status_code == 200 and "graphiql" in page.text.lower()
        bad = http.post(url, content=b"{oops", headers={"Content-Type": "application/json"})
        assert bad.status_code == 400 and bad.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
        syntax = http.post(url, json={"query": "{ urgencyLevels { rank }"})
        assert syntax.status_code == 200 and "Traceback" not in syntax.text
        assert syntax.json()["errors"][0]["extensions"]["code"] == "GRAPHQL_PARSE_FAILED"


INTERVIEW = """query Interview($s: [ID!], $a: [ID!], $u: [ID!], $text: String, $patient: PatientInput) {
  interview(symptoms: $s, absentSymptoms: $a, unknownSymptoms: $u, text: $text, patient: $patient) {
    shouldStop stopReason
    question { id text kind rationale expectedGain asks { id question } riskFactors { id question } }
    assessment { urgency { rank } candidates { rank condition { id } } reportedSymptoms { id } }
  }
}"""


def test_a_whole_interview_over_http(gql_client: Any) -> None:
    """A client re-sends everything known each time, as the contract says, until `shouldStop`: a person
    with a swollen calf whose leg is warm and red and who is short of breath, answering no to everything else."""
    has = {"lp:Breathlessness", "lp:LegWarmth", "lp:LegRedness"}
    answers: dict[str, list[str]] = {"s": [], "a": [], "u": []}
    risks: dict[str, list[str]] = {"riskFactors": [], "absentRiskFactors": [], "unknownRiskFactors": []}
    kinds: list[str] = []
    for _ in range(12):
        variables = {**answers, "text": "my left calf has swollen up", "patient": risks}
        result = execute(gql_client, INTERVIEW, variables)["interview"]
        if result["shouldStop"] or result["question"] is None:
            break
        question = result["question"]
        kinds.append(question["kind"])
        assert question["text"] and question["rationale"]
        for symptom in question["asks"]:
            assert symptom["question"] and symptom["id"] not in answers["s"] + answers["a"] + answers["u"]
            answers["s" if symptom["id"] in has else "a"].append(symptom["id"])
        for risk in question["riskFactors"]:
            risks["unknownRiskFactors"].append(risk["id"])
    else:
        pytest.fail("the interview did not stop within 12 questions")
    assert kinds[0] == "WARNING_SIGN"
    assert "lp:Breathlessness" in {s["id"] for s in result["assessment"]["reportedSymptoms"]}
    assert result["assessment"]["urgency"]["rank"] == 4
    assert result["assessment"]["candidates"][0]["condition"]["id"] == "lp:DeepVeinThrombosis"
