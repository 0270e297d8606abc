"""The GraphQL API in-process: every contract field, the additions, and the HTTP forms of a request."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.routing import Route
from starlette.testclient import TestClient

from api.app import create_app
from api.graphql.view import LegPainGraphQL
from kg.assessment.service import LegPainService
from kg.core.namespaces import BASE, to_curie
from kg.core.settings import Settings


def run(client: TestClient, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    """POST a query; assert a clean 200 with data and the ontology version; return `data`."""
    response = client.post("/graphql", json={"query": query, "variables": variables or {}})
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body["errors"]
    assert body["extensions"]["ontologyVersion"]
    return body["data"]


SOURCE = "{ id iri title quote }"
MAPPING = "{ scheme code label relation iri justification }"
CONDITION = f"""{{ id iri label synonyms definition
  bodySystems {{ id label }} bodySystemLinks {{ inferred bodySystem {{ id }} }}
  symptoms {{ id label }} symptomsAgainst {{ id }}
  symptomLinks {{ relation inferred symptom {{ id }} sources {SOURCE} }}
  urgency {{ id rank }} causes {{ id label }} causeOf {{ id }} mappings {MAPPING} sources {SOURCE} }}"""
SYMPTOM = f"""{{ id iri label synonyms definition isWarningSign urgency {{ id rank }} urgencySources {SOURCE}
  category {{ id iri label }} conditions {{ id label }} arguesAgainst {{ id }} broader {{ id }} narrower {{ id }}
  mappings {MAPPING} sources {SOURCE} }}"""
CANDIDATE = f"""{{ rank score explanation condition {{ id label }} supporting {{ id label }}
  missing {{ id }} conflicting {{ id }} sources {SOURCE} }}"""


# ------------------------------------------------------------------------------------ lookups


def test_body_systems_list_the_three_systems_with_their_conditions(client: TestClient, service: LegPainService) -> None:
    data = run(client, "{ bodySystems { id iri label definition synonyms conditions { id iri } } }")
    systems = {s["id"]: s for s in data["bodySystems"]}
    assert set(systems) == {"lp:MusculoskeletalSystem", "lp:NervousSystem", "lp:VascularSystem"}
    assert [s["label"] for s in data["bodySystems"]] == sorted(s["label"] for s in data["bodySystems"])
    vascular = systems["lp:VascularSystem"]
    assert vascular["iri"] == BASE + "VascularSystem" and vascular["definition"]
    expected = {
        to_curie(c.iri)
        for c in service.knowledge.conditions(service.knowledge.condition_iris()).values()
        if any(s == BASE + "VascularSystem" for s, _ in c.body_systems)
    }
    assert {c["id"] for c in vascular["conditions"]} == expected
    assert "lp:PeripheralArteryDisease" in expected and "lp:DeepVeinThrombosis" in expected


def test_urgency_levels_are_the_four_ranks_in_order(client: TestClient) -> None:
    data = run(
        client,
        "{ urgencyLevels { id iri label rank description advice conditions { id } "
        "warningSigns { id isWarningSign } } }",
    )
    levels = data["urgencyLevels"]
    assert [u["rank"] for u in levels] == [1, 2, 3, 4]
    assert [u["id"] for u in levels] == ["lp:SelfCare", "lp:RoutineEvaluation", "lp:PromptAssessment", "lp:Emergency"]
    assert all(u["label"] and u["description"] and u["advice"] and u["iri"].startswith(BASE) for u in levels)
    emergency = levels[3]
    assert {"id": "lp:DeepVeinThrombosis"} in emergency["conditions"]
    assert emergency["warningSigns"] and all(s["isWarningSign"] for s in emergency["warningSigns"])
    assert levels[0]["warningSigns"] == []


def test_condition_by_id_has_every_contract_field(client: TestClient) -> None:
    pad = run(client, f'{{ condition(id: "lp:PeripheralArteryDisease") {CONDITION} }}')["condition"]
    assert pad["id"] == "lp:PeripheralArteryDisease" and pad["iri"] == BASE + "PeripheralArteryDisease"
    assert pad["label"] == "peripheral artery disease"
    assert "intermittent claudication" in pad["synonyms"] and "atherosclerosis" in pad["definition"]
    assert [s["id"] for s in pad["bodySystems"]] == ["lp:VascularSystem"]
    assert pad["bodySystemLinks"] == [{"inferred": True, "bodySystem": {"id": "lp:VascularSystem"}}]
    symptom_ids = [s["id"] for s in pad["symptoms"]]
    assert "lp:CalfCrampingOnWalking" in symptom_ids and "lp:ReliefWithinMinutesOfRest" in symptom_ids
    assert "lp:PainNotRelievedByRest" not in symptom_ids
    assert {"id": "lp:PainNotRelievedByRest"} in pad["symptomsAgainst"]
    relations = {(link["symptom"]["id"], link["relation"]) for link in pad["symptomLinks"]}
    assert ("lp:CalfCrampingOnWalking", "DISCRIMINATING") in relations
    assert ("lp:CalfPain", "TYPICAL") in relations and ("lp:PainNotRelievedByRest", "AGAINST") in relations
    assert all(link["sources"] for link in pad["symptomLinks"])
    assert pad["urgency"] == {"id": "lp:RoutineEvaluation", "rank": 2}
    assert pad["causes"] == [{"id": "lp:Atherosclerosis", "label": "atherosclerosis"}]
    icd = [m for m in pad["mappings"] if m["scheme"] == "ICD-10-CM"]
    assert icd and icd[0]["code"] == "I73.9" and icd[0]["relation"] == "skos:closeMatch"
    assert icd[0]["iri"].endswith("I73.9") and icd[0]["label"]
    assert pad["sources"] and all(s["title"] and s["quote"] for s in pad["sources"])


def test_discriminating_findings_come_first(client: TestClient) -> None:
    pad = run(
        client,
        '{ condition(id: "lp:PeripheralArteryDisease") { symptoms { id } symptomLinks { relation symptom { id } } } }',
    )["condition"]
    discriminating = {link["symptom"]["id"] for link in pad["symptomLinks"] if link["relation"] == "DISCRIMINATING"}
    first = [s["id"] for s in pad["symptoms"][: len(discriminating)]]
    assert set(first) == discriminating


def test_causes_and_cause_of_are_inverse(client: TestClient) -> None:
    data = run(client, '{ sciatica: condition(id: "lp:Sciatica") { causes { id causeOf { id } } } }')
    causes = data["sciatica"]["causes"]
    assert {c["id"] for c in causes} == {"lp:HerniatedDisc", "lp:SpinalStenosis"}
    assert all({"id": "lp:Sciatica"} in c["causeOf"] for c in causes)


def test_condition_accepts_a_full_iri_and_returns_null_when_unknown(client: TestClient) -> None:
    data = run(
        client,
        f'{{ a: condition(id: "{BASE}Sciatica") {{ id }} b: condition(id: "lp:NoSuchThing") {{ id }}'
        ' c: condition(id: "lp:PinsAndNeedles") { id } }',
    )
    assert data == {"a": {"id": "lp:Sciatica"}, "b": None, "c": None}


def test_symptom_by_id_has_every_contract_field(client: TestClient) -> None:
    data = run(client, f'{{ symptom(id: "lp:UnilateralLegSwelling") {SYMPTOM} }}')["symptom"]
    assert data["id"] == "lp:UnilateralLegSwelling" and data["label"] and data["synonyms"]
    assert data["isWarningSign"] is True and data["urgency"]["rank"] >= 3
    assert data["urgencySources"] and data["sources"]
    assert {"id": "lp:DeepVeinThrombosis", "label": "deep vein thrombosis"} in data["conditions"]
    assert data["category"]["id"].startswith("lp:") and data["category"]["label"]
    assert all(m["scheme"] and m["code"] and m["relation"].startswith("skos:") for m in data["mappings"])


def test_ordinary_finding_has_no_urgency(client: TestClient) -> None:
    data = run(client, '{ symptom(id: "lp:PinsAndNeedles") { isWarningSign urgency { id } urgencySources { id } } }')
    assert data["symptom"] == {"isWarningSign": False, "urgency": None, "urgencySources": []}


def test_symptom_unknown_id_is_null(client: TestClient) -> None:
    assert run(client, '{ symptom(id: "lp:Sciatica") { id } }') == {"symptom": None}


def test_broader_and_narrower_follow_subsumption(client: TestClient, service: LegPainService) -> None:
    finding = service.knowledge.findings([BASE + "CalfCrampingOnWalking"])[BASE + "CalfCrampingOnWalking"]
    data = run(client, '{ symptom(id: "lp:CalfCrampingOnWalking") { broader { id narrower { id } } } }')
    broader = data["symptom"]["broader"]
    assert {b["id"] for b in broader} == {to_curie(k) for k in finding.kinds}
    assert all({"id": "lp:CalfCrampingOnWalking"} in b["narrower"] for b in broader)


# ---------------------------------------------------------------------------- conditions filters


def test_conditions_lists_every_condition_by_label(client: TestClient, service: LegPainService) -> None:
    labels = [c["label"] for c in run(client, "{ conditions { label } }")["conditions"]]
    assert len(labels) == len(service.knowledge.condition_iris())
    assert labels == sorted(labels, key=str.casefold)


def test_conditions_filter_by_symptom_uses_subsumption(client: TestClient, service: LegPainService) -> None:
    """A specific finding selects a condition described only with a more general kind of it."""
    knowledge = service.knowledge
    findings = knowledge.findings(knowledge.finding_iris())
    conditions = knowledge.conditions(knowledge.condition_iris())
    pairs = [
        (f.iri, c.iri)
        for f in findings.values()
        for c in conditions.values()
        if f.iri not in {link.finding for link in c.typical} and f.kinds & {link.finding for link in c.typical}
    ]
    assert pairs, "the ontology has findings that are kinds of other findings"
    finding, condition = pairs[0]
    data = run(client, "query($s: ID) { conditions(symptom: $s) { id } }", {"s": to_curie(finding)})
    ids = {c["id"] for c in data["conditions"]}
    assert to_curie(condition) in ids
    assert ids == {to_curie(c) for c in knowledge.conditions_with_finding(finding)}


def test_conditions_filters_combine(client: TestClient) -> None:
    data = run(client, '{ conditions(bodySystem: "lp:VascularSystem", urgency: "lp:Emergency") { id } }')
    assert {c["id"] for c in data["conditions"]} == {"lp:CriticalLimbIschemia", "lp:DeepVeinThrombosis"}
    data = run(client, '{ conditions(bodySystem: "lp:NervousSystem", symptom: "lp:PinsAndNeedles") { id } }')
    assert {"id": "lp:PeripheralNeuropathy"} in data["conditions"]
    assert {"id": "lp:DeepVeinThrombosis"} not in data["conditions"]


def test_conditions_pagination(client: TestClient) -> None:
    every = [c["id"] for c in run(client, "{ conditions { id } }")["conditions"]]
    page = run(
        client,
        "{ a: conditions(limit: 5) { id } b: conditions(limit: 5, offset: 5) { id } z: conditions(limit: 0) { id } }",
    )
    assert [c["id"] for c in page["a"] + page["b"]] == every[:10]
    assert page["z"] == []


def test_conditions_search_by_synonym(client: TestClient) -> None:
    data = run(client, '{ conditions(search: "shin splints") { id } }')
    assert data["conditions"][0]["id"] == "lp:MedialTibialStressSyndrome"


# --------------------------------------------------------------------------------------- search


def test_symptoms_search_understands_lay_words(client: TestClient) -> None:
    data = run(
        client,
        '{ a: symptoms(search: "pins and needles", limit: 1) { id label } '
        'b: symptoms(search: "can\'t bear weight") { id } '
        'c: symptoms(search: "purple elephant") { id } }',
    )
    assert data["a"] == [{"id": "lp:PinsAndNeedles", "label": "pins and needles"}]
    assert data["b"] and data["c"] == []


def test_symptoms_default_limit_is_20_and_without_search_lists_by_label(
    client: TestClient, service: LegPainService
) -> None:
    data = run(
        client, "{ a: symptoms { label } b: symptoms(limit: 100) { label } c: symptoms(limit: 5, offset: 5) { label } }"
    )
    assert len(data["a"]) == 20
    labels = [s["label"] for s in data["b"]]
    assert len(labels) == len(service.knowledge.finding_iris()) and labels == sorted(labels, key=str.casefold)
    assert data["c"] == data["b"][5:10]


def test_symptom_matches_give_score_and_matched_label(client: TestClient) -> None:
    data = run(client, '{ symptomMatches(search: "shin splints", limit: 3) { score matched symptom { id } } }')
    best = data["symptomMatches"][0]
    assert 0 < best["score"] <= 1 and best["matched"]
    scores = [m["score"] for m in data["symptomMatches"]]
    assert scores == sorted(scores, reverse=True)


def test_warning_signs_only(client: TestClient) -> None:
    data = run(client, "{ symptoms(warningSignsOnly: true, limit: 100) { isWarningSign urgency { rank } } }")
    assert data["symptoms"] and all(s["isWarningSign"] and s["urgency"]["rank"] >= 3 for s in data["symptoms"])
    data = run(client, '{ symptoms(search: "swelling", warningSignsOnly: true) { id } }')
    assert {"id": "lp:UnilateralLegSwelling"} in data["symptoms"]


# ------------------------------------------------------------------------------------ reasoning


def test_candidate_conditions_rank_and_explain(client: TestClient) -> None:
    query = f"""query($s: [ID!]!, $a: [ID!]) {{ candidateConditions(symptoms: $s, absentSymptoms: $a, limit: 3)
                {CANDIDATE} }}"""
    data = run(
        client,
        query,
        {"s": ["lp:CalfCrampingOnWalking", "lp:ReliefWithinMinutesOfRest"], "a": ["lp:UnilateralLegSwelling"]},
    )
    candidates = data["candidateConditions"]
    assert 1 <= len(candidates) <= 3 and [c["rank"] for c in candidates] == list(range(1, len(candidates) + 1))
    best = candidates[0]
    assert best["condition"] == {"id": "lp:PeripheralArteryDisease", "label": "peripheral artery disease"}
    assert {s["id"] for s in best["supporting"]} == {"lp:CalfCrampingOnWalking", "lp:ReliefWithinMinutesOfRest"}
    assert {"id": "lp:PainAfterPredictableDistance"} in best["missing"]
    assert "calf cramping on walking" in best["explanation"]
    assert any("relieved within a few minutes" in s["quote"] for s in best["sources"])
    scores = [c["score"] for c in candidates]
    assert scores == sorted(scores, reverse=True)


def test_absent_findings_argue_against(client: TestClient) -> None:
    query = """query($a: [ID!]) { candidateConditions(symptoms: ["lp:CalfPain", "lp:ThrobbingPain"],
               absentSymptoms: $a, limit: 20) { condition { id } conflicting { id } score } }"""
    without = {c["condition"]["id"]: c for c in run(client, query, {"a": []})["candidateConditions"]}
    with_absent = {
        c["condition"]["id"]: c for c in run(client, query, {"a": ["lp:UnilateralLegSwelling"]})["candidateConditions"]
    }
    dvt = "lp:DeepVeinThrombosis"
    assert {"id": "lp:UnilateralLegSwelling"} in with_absent[dvt]["conflicting"]
    assert with_absent[dvt]["score"] < without[dvt]["score"]


def test_assess_has_every_contract_field_and_reasons(client: TestClient) -> None:
    query = f"""{{ assess(symptoms: ["lp:UnilateralLegSwelling", "lp:LegWarmth", "lp:CalfPain"],
                          absentSymptoms: ["lp:Fever"]) {{
        candidates {CANDIDATE} urgency {{ id rank label }} warningSigns {{ id isWarningSign }} advice
        reasons {{ id label urgency {{ rank }} symptoms {{ id }} sources {SOURCE} }}
        reportedSymptoms {{ id }} absentSymptoms {{ id }} }} }}"""
    result = run(client, query)["assess"]
    assert result["candidates"][0]["condition"]["id"] == "lp:DeepVeinThrombosis"
    assert result["urgency"]["rank"] == 4
    assert {s["id"] for s in result["warningSigns"]} == {"lp:UnilateralLegSwelling", "lp:LegWarmth"}
    assert "not a diagnosis" in result["advice"]
    assert result["reasons"] and max(r["urgency"]["rank"] for r in result["reasons"]) == 4
    assert all(r["label"] and r["id"] for r in result["reasons"])
    assert [s["id"] for s in result["reportedSymptoms"]] == ["lp:UnilateralLegSwelling", "lp:LegWarmth", "lp:CalfPain"]
    assert result["absentSymptoms"] == [{"id": "lp:Fever"}]


def test_assess_urgency_is_never_below_a_warning_sign(client: TestClient) -> None:
    result = run(
        client,
        '{ assess(symptoms: ["lp:PinsAndNeedles", "lp:Fever"]) '
        "{ urgency { rank } warningSigns { id urgency { rank } } } }",
    )["assess"]
    assert result["warningSigns"] == [
        {"id": "lp:Fever", "urgency": {"rank": result["warningSigns"][0]["urgency"]["rank"]}}
    ]
    assert result["urgency"]["rank"] >= result["warningSigns"][0]["urgency"]["rank"] >= 3


def test_assess_with_no_findings_is_self_care_with_advice(client: TestClient) -> None:
    result = run(client, "{ assess(symptoms: []) { candidates { rank } urgency { rank } advice } }")["assess"]
    assert result["candidates"] == [] and result["urgency"]["rank"] == 1 and "Describe the pain" in result["advice"]


def test_assess_limit_and_candidate_conditions_default_limit(client: TestClient) -> None:
    ids = '["lp:LegPain", "lp:CalfPain", "lp:Numbness", "lp:HeelPain", "lp:KneePain"]'
    data = run(
        client,
        f"{{ a: assess(symptoms: {ids}, limit: 2) {{ candidates {{ rank }} }} "
        f"b: candidateConditions(symptoms: {ids}) {{ rank }} }}",
    )
    assert len(data["a"]["candidates"]) == 2
    assert 2 < len(data["b"]) <= 10


# ---------------------------------------------------------------------------------- HTTP forms


def test_get_with_query_parameter(client: TestClient) -> None:
    response = client.get("/graphql", params={"query": "{ urgencyLevels { rank } }"})
    assert response.status_code == 200
    assert response.json()["data"]["urgencyLevels"][0] == {"rank": 1}
    assert response.json()["extensions"]["ontologyVersion"]


def test_get_with_variables(client: TestClient) -> None:
    response = client.get(
        "/graphql",
        params={"query": "query($id: ID!) { condition(id: $id) { label } }", "variables": '{"id": "lp:Sciatica"}'},
    )
    assert response.json()["data"] == {"condition": {"label": "sciatica"}}


def test_browser_get_serves_graphiql(client: TestClient) -> None:
    response = client.get("/graphql", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html") and "graphiql" in response.text.lower()


def test_ontology_version_is_the_graph_version(client: TestClient, service: LegPainService) -> None:
    response = client.post("/graphql", json={"query": "{ __typename }"})
    assert response.json() == {
        "data": {"__typename": "Query"},
        "extensions": {"ontologyVersion": service.graph.version},
    }


def test_operation_name_selects_the_operation(client: TestClient) -> None:
    response = client.post(
        "/graphql", json={"query": "query A { __typename } query B { urgencyLevels { rank } }", "operationName": "B"}
    )
    assert response.json()["data"] == {"urgencyLevels": [{"rank": r} for r in (1, 2, 3, 4)]}


@pytest.mark.parametrize("path", ["/graphql", "/graphql/"])
def test_route_paths(client: TestClient, path: str) -> None:
    response = client.post(path, json={"query": "{ __typename }"})
    assert response.status_code == 200 and response.json()["data"] == {"__typename": "Query"}


# ------------------------------------------------------------------------------ the catalogue


def test_each_request_reads_the_current_service(app_settings: Settings, service: LegPainService) -> None:
    """Objects are built per request, over the service current when it starts; a reload (a new service
    object) is what the next request reads."""
    app = create_app(app_settings)
    state = app.state.legpain
    state.service = service
    [view] = [route.app for route in app.routes if isinstance(route, Route) and route.path == "/graphql"]
    assert isinstance(view, LegPainGraphQL)
    client = TestClient(app)
    first = client.post("/graphql", json={"query": "{ urgencyLevels { rank } }"}).json()
    catalog = view.catalog(state)
    assert catalog is not None and catalog.service is service
    assert view.catalog(state) is not catalog
    state.service = LegPainService(service.knowledge, service.backend, service.graph)
    second = client.post("/graphql", json={"query": "{ urgencyLevels { rank } }"}).json()
    assert first == second
    rebuilt = view.catalog(state)
    assert rebuilt is not None and rebuilt.service is state.service
