"""The per-request catalogue: objects built on demand, read through `Knowledge` in batches, memoised
for the request; and a store that cannot answer surfaces as STORE_UNAVAILABLE."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from starlette.testclient import TestClient

from api.app import create_app
from api.graphql.resolvers import Catalog
from kg.assessment.service import LegPainService
from kg.core.namespaces import BASE
from kg.core.settings import Settings
from kg.knowledge.indexed import IndexedKnowledge
from kg.knowledge.protocols import Knowledge
from kg.stores.errors import StoreNotLoadedError, StoreUnavailableError


class CountingKnowledge:
    """Delegates to a `Knowledge`, counting calls per method and the IRIs each batch call asked for."""

    def __init__(self, inner: Knowledge) -> None:
        self.inner = inner
        self.calls: Counter[str] = Counter()
        self.asked: dict[str, list[list[str]]] = {}

    def reset(self) -> None:
        self.calls.clear()
        self.asked.clear()

    def __getattr__(self, name: str) -> Any:
        method = getattr(self.inner, name)

        def call(*args: Any) -> Any:
            self.calls[name] += 1
            if args and not isinstance(args[0], str):
                args = (list(args[0]), *args[1:])
                self.asked.setdefault(name, []).append(args[0])
            return method(*args)

        return call


@pytest.fixture()
def counted(app_settings: Settings, service: LegPainService) -> tuple[TestClient, CountingKnowledge]:
    """A client over the session's graph whose knowledge counts its calls."""
    knowledge = CountingKnowledge(service.knowledge)
    app = create_app(app_settings)
    app.state.legpain.service = LegPainService(knowledge, service.backend, service.graph)  # type: ignore[arg-type]
    return TestClient(app), knowledge


def run(client: TestClient, query: str) -> dict[str, Any]:
    response = client.post("/graphql", json={"query": query})
    assert response.status_code == 200, response.text
    assert "errors" not in response.json(), response.json()
    return response.json()["data"]


def test_a_page_builds_only_its_objects(counted: tuple[TestClient, CountingKnowledge]) -> None:
    client, knowledge = counted
    data = run(client, "{ conditions(limit: 3, offset: 2) { label } }")
    assert len(data["conditions"]) == 3
    assert [len(iris) for iris in knowledge.asked["conditions"]] == [3]
    assert "findings" not in knowledge.calls and "sources" not in knowledge.calls


def test_unselected_relations_are_not_read(counted: tuple[TestClient, CountingKnowledge]) -> None:
    client, knowledge = counted
    run(client, "{ conditions { id label synonyms definition mappings { code } } }")
    assert knowledge.calls["conditions"] == 1
    assert not {"findings", "sources", "conditions_caused_by", "conditions_with_finding"} & set(knowledge.calls)


def test_relations_of_a_list_are_read_in_one_batch(
    counted: tuple[TestClient, CountingKnowledge], service: LegPainService
) -> None:
    """Asking every condition for its findings, links, causes and passages reads each kind of record
    in one call, not one call per condition."""
    client, knowledge = counted
    data = run(
        client,
        "{ conditions { symptoms { label } symptomsAgainst { id } "
        "symptomLinks { relation sources { id } } causes { label } sources { quote } } }",
    )
    assert len(data["conditions"]) == len(service.knowledge.condition_iris())
    assert knowledge.calls["findings"] == 1
    assert knowledge.calls["sources"] <= 2  # the links' passages, the conditions' own
    assert knowledge.calls["conditions"] <= 2  # the list, then the causes not in it (none here)
    knowledge.reset()
    run(client, "{ symptoms(limit: 100) { broader { id } urgencySources { id } sources { id } } }")
    assert knowledge.calls["findings"] <= 2 and knowledge.calls["sources"] <= 2


def test_objects_are_memoised_within_a_request(service: LegPainService) -> None:
    catalog = Catalog(service)
    pad = BASE + "PeripheralArteryDisease"
    first = catalog.condition(pad)
    assert first is not None and catalog.condition(pad) is first
    assert catalog.conditions_in_system(BASE + "VascularSystem")[0] in catalog.conditions(
        service.knowledge.conditions_in_system(BASE + "VascularSystem")
    )
    [calf] = catalog.symptoms([BASE + "CalfPain"])
    assert catalog.symptom(BASE + "CalfPain") is calf
    assert catalog.condition(BASE + "NoSuchThing") is None and catalog.symptom(pad) is None
    assert Catalog(service).condition(pad) is not first  # a new request builds its own


def test_store_errors_are_store_unavailable(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    """A store that cannot answer is a clear error with its message, not a masked internal one; fields
    that did not need the store still answer."""
    message = "the store sparql:http://127.0.0.1:9/sparql cannot be reached: connection refused"

    def unreachable(self: IndexedKnowledge, cause: str) -> list[str]:
        raise StoreUnavailableError(message)

    monkeypatch.setattr(IndexedKnowledge, "conditions_caused_by", unreachable)
    response = client.post(
        "/graphql",
        json={"query": '{ urgencyLevels { rank } condition(id: "lp:Atherosclerosis") { label causeOf { id } } }'},
    )
    assert response.status_code == 200
    assert "Traceback" not in response.text
    body = response.json()
    [error] = body["errors"]
    assert error["message"] == message and error["extensions"] == {"code": "STORE_UNAVAILABLE"}
    assert error["path"] == ["condition", "causeOf"]
    assert body["data"]["urgencyLevels"] and body["data"]["condition"] is None
    assert body["extensions"]["ontologyVersion"]


def test_store_error_in_the_version_leaves_it_out(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    def not_loaded(self: LegPainService) -> str:
        raise StoreNotLoadedError("the store holds no complete load of the knowledge graph")

    failing: Callable[[LegPainService], str] = not_loaded
    monkeypatch.setattr(LegPainService, "version", property(failing))
    response = client.post("/graphql", json={"query": "{ urgencyLevels { rank } }"})
    assert response.status_code == 200
    assert response.json()["extensions"] == {"ontologyVersion": None}
    assert response.json()["data"]["urgencyLevels"]
