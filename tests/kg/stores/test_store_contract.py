"""The store contract: every backend (rdflib Memory, Oxigraph in memory and on disk, a real Oxigraph
server over SPARQL) loads the same named graphs and answers lookups, candidate inference, SPARQL and
the vignettes through the API exactly alike."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient

from api.app import create_app
from kg.assessment.service import AssessmentRequest, LegPainService
from kg.core.namespaces import LOAD_GRAPH
from kg.core.settings import Settings
from kg.reasoning.closed import closed_dataset
from kg.sparql.library import QueryLibrary
from kg.stores.base import quads_by_graph
from kg.stores.registry import backend_for
from tests.support.vignettes import evaluate

#: slow: every backend is loaded, an Oxigraph server among them
pytestmark = pytest.mark.slow

PRESENTATIONS = [
    (["lp:CalfCrampingOnWalking", "lp:ReliefWithinMinutesOfRest"], []),
    (["lp:UnilateralLegSwelling", "lp:LegWarmth", "lp:LegRedness"], ["lp:ReliefWithinMinutesOfRest"]),
    (["lp:PinsAndNeedles", "lp:BurningFeet"], []),
    (["lp:FirstStepsHeelPain"], ["lp:PainAtRest"]),
    (["lp:LegPain"], []),  # a general finding: reaches the conditions of its more specific kinds
]


@pytest.fixture(scope="module")
def client(backend_settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(backend_settings)) as test_client:
        yield test_client


def graphql(client: TestClient, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    body = client.post("/graphql", json={"query": query, "variables": variables or {}}).json()
    assert "errors" not in body, body
    return body["data"]


def test_persistent_stores_hold_every_named_graph_and_a_data_version(backend_settings: Settings) -> None:
    backend = backend_for(backend_settings.store)
    if not backend.persistent:
        pytest.skip("an in-memory store is filled by the service itself")
    closed, version, _, _ = closed_dataset(backend_settings)
    expected = {graph: len(quads) for graph, quads in quads_by_graph(closed).items()}
    dataset = backend.open(read_only=True)
    stored = {str(g.identifier): len(g) for g in dataset.graphs() if str(g.identifier) in expected}
    assert stored == expected
    rows = list(dataset.query(f"SELECT ?v WHERE {{ GRAPH <{LOAD_GRAPH}> {{ ?d ?p ?v }} }}"))
    assert any(str(row[0]) == version for row in rows)
    # the load records each graph's size, so nobody counts the store again (/health, the description)
    recorded = {
        str(r["graph"]): int(str(r["triples"]))
        for r in QueryLibrary(backend_settings.queries_dir).rows("store/graph-sizes", dataset)
    }
    assert recorded == expected


def test_the_load_records_the_counts_scoring_needs(backend_settings: Settings) -> None:
    """What `legpain load` counted (`kg.stores.base.load_statistics`) is what counting the store gives,
    so a reader can look the counts up instead of counting the whole store on a request."""
    backend = backend_for(backend_settings.store)
    if not backend.persistent:
        pytest.skip("an in-memory store is filled by the service itself")
    queries = QueryLibrary(backend_settings.queries_dir)
    dataset = backend.open(read_only=True)
    (recorded,) = queries.rows("store/condition-count", dataset)
    (counted,) = queries.rows("index/count-conditions", dataset)
    assert int(str(recorded["conditions"])) == int(str(counted["conditions"])) > 0

    def table(name: str) -> dict[str, int]:
        return {str(r["finding"]): int(str(r["conditions"])) for r in queries.rows(name, dataset)}

    typical = table("store/typical-counts")
    assert typical and typical == table("index/count-typical-conditions")


def test_loading_twice_changes_nothing(backend_settings: Settings) -> None:
    from tests.support.oxigraph import load_store

    backend = backend_for(backend_settings.store)
    if not backend.persistent:
        pytest.skip("an in-memory store is filled by the service itself")
    before = {str(g.identifier): len(g) for g in backend.open(read_only=True).graphs()}
    assert load_store(backend_settings) == 0
    after = {str(g.identifier): len(g) for g in backend.open(read_only=True).graphs()}
    assert after == before


def test_lookups_agree_with_the_reference(backend_service: LegPainService, reference: LegPainService) -> None:
    mine, ref = backend_service.knowledge, reference.knowledge
    assert mine.data_version() == ref.data_version()
    assert list(mine.body_systems()) == list(ref.body_systems())
    assert mine.urgency_levels() == ref.urgency_levels()
    assert set(mine.rules()) == set(ref.rules())
    assert mine.condition_iris() == ref.condition_iris()
    assert mine.finding_iris() == ref.finding_iris()
    assert mine.conditions(ref.condition_iris()) == ref.conditions(ref.condition_iris())
    assert mine.findings(ref.finding_iris()) == ref.findings(ref.finding_iris())
    for finding in ref.finding_iris()[:25]:
        assert mine.conditions_with_finding(finding) == ref.conditions_with_finding(finding), finding
        assert mine.conditions_against(finding) == ref.conditions_against(finding), finding
        assert mine.narrower_findings(finding) == ref.narrower_findings(finding), finding
    for system in ref.body_systems():
        assert mine.conditions_in_system(system) == ref.conditions_in_system(system)
    for level in ref.urgency_levels():
        assert mine.conditions_with_urgency(level) == ref.conditions_with_urgency(level)
        assert mine.warning_signs(level) == ref.warning_signs(level)
    assert mine.conditions(["https://w3id.org/legpain/NoSuchCondition"]) == {}
    assert mine.sites() == ref.sites()
    assert mine.risk_factor_iris() == ref.risk_factor_iris()
    assert mine.risk_factors(ref.risk_factor_iris()) == ref.risk_factors(ref.risk_factor_iris())
    assert mine.risk_factor_names() == ref.risk_factor_names()
    for risk in ref.risk_factor_iris():
        assert mine.conditions_with_risk_factor(risk) == ref.conditions_with_risk_factor(risk), risk
    for condition in ref.condition_iris():
        assert mine.narrower_conditions(condition) == ref.narrower_conditions(condition), condition
    assert mine.complication_signs() == ref.complication_signs()
    assert ref.complication_signs() and any(ref.narrower_conditions(c) for c in ref.condition_iris())


def test_an_interview_asks_the_same_on_every_store(backend_service: LegPainService, reference: LegPainService) -> None:
    request = AssessmentRequest(["lp:UnilateralLegSwelling", "lp:CalfPain"], ["lp:Fever"])
    mine, ref = backend_service.interview(request), reference.interview(request)
    assert mine == ref
    assert mine.question is not None and mine.question.asks


def test_risk_factors_score_the_same_on_every_store(backend_service: LegPainService, reference: LegPainService) -> None:
    present, risks = ["lp:UnilateralLegSwelling", "lp:CalfPain"], ["lp:PreviousDvt", "lp:LongDistanceTravel"]
    mine = backend_service.scorer.assess(present, limit=5, risk_factors=risks)
    assert mine == reference.scorer.assess(present, limit=5, risk_factors=risks)
    assert mine.candidates[0].risk_factors and any(r.risk_factors for r in mine.reasons)


@pytest.mark.parametrize(("present", "absent"), PRESENTATIONS)
def test_candidate_inference_agrees_with_the_reference(
    backend_service: LegPainService, reference: LegPainService, present: list[str], absent: list[str]
) -> None:
    mine = backend_service.scorer.assess(present, absent, limit=20)
    ref = reference.scorer.assess(present, absent, limit=20)
    assert mine == ref
    assert mine.candidates, "every presentation here has candidates"


def test_search_agrees_with_the_reference(backend_service: LegPainService, reference: LegPainService) -> None:
    for phrase in ("pins and needles", "swollen calf", "heel pain in the morning", "right calf puffed up"):
        assert backend_service.search_findings(phrase, 5) == reference.search_findings(phrase, 5)
    assert backend_service.search_conditions("blood clot", 3) == reference.search_conditions("blood clot", 3)


def test_health_names_the_store_and_data_version(client: TestClient, backend_settings: Settings) -> None:
    body = client.get("/health").json()
    assert body["status"] == "ready"
    assert body["store"].startswith(backend_settings.store.split(":")[0])
    assert len(body["dataVersion"]) >= 32


def test_graphql_lookups_and_named_graphs_over_sparql(client: TestClient) -> None:
    data = graphql(
        client,
        """{ bodySystems { label conditions { label } }
                                condition(id: "lp:DeepVeinThrombosis") { label urgency { rank } symptoms { id } }
                                symptom(id: "lp:LegPain") { narrower { id } } }""",
    )
    assert [s["label"] for s in data["bodySystems"]] == ["musculoskeletal system", "nervous system", "vascular system"]
    assert all(s["conditions"] for s in data["bodySystems"])
    assert data["condition"]["urgency"]["rank"] == 4
    assert data["condition"]["symptoms"]
    assert data["symptom"]["narrower"]
    response = client.post(
        "/sparql",
        data={"query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g"},
        headers={"Accept": "text/csv"},
    )
    assert response.status_code == 200
    graphs = response.text.split()[1:]
    for name in ("ontology", "knowledge-base", "mappings", "inferred"):
        assert f"https://w3id.org/legpain/graph/{name}" in graphs


def test_every_vignette_passes_through_the_api(client: TestClient, vignettes: list[dict[str, Any]]) -> None:
    def execute(query: str, variables: dict[str, Any]) -> dict[str, Any]:
        return graphql(client, query, variables)

    assert [problem for v in vignettes if (problem := evaluate(v, execute))] == []


def test_relative_iris_resolve_against_the_endpoint_on_every_store(client: TestClient) -> None:
    """SPARQL 1.1 Protocol (W3C test `query_content_type_construct`): the service defines the base;
    here the endpoint's own IRI, whichever store answers. A Host that makes no valid IRI gives no
    base at all: it is never written into the query sent on to a remote store."""
    query = "CONSTRUCT { <s> <p> 1 } WHERE {}"
    response = client.post(
        "/sparql",
        content=query,
        headers={"Content-Type": "application/sparql-query", "Accept": "application/n-triples"},
    )
    assert response.status_code == 200, response.text
    integer = "<http://www.w3.org/2001/XMLSchema#integer>"
    assert response.text.strip() == f'<http://testserver/s> <http://testserver/p> "1"^^{integer} .'
    from starlette.requests import Request

    from api.sparql.request import base_iri

    def host(value: bytes) -> Request:
        return Request(
            {
                "type": "http",
                "method": "POST",
                "path": "/sparql",
                "query_string": b"",
                "scheme": "http",
                "server": ("127.0.0.1", 8000),
                "headers": [(b"host", value)],
            }
        )

    assert base_iri(host(b"example.org:8000")) == "http://example.org:8000/sparql"
    for forged in (b"x> } SERVICE <http://127.0.0.1:9", b"a b", b'h"x'):
        base = base_iri(host(forged)) or ""
        assert not any(c in base for c in '<>" }') and "SERVICE" not in base
