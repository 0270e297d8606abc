"""A remote store that is unreachable, goes away mid-run, or was loaded only in part: clear errors,
no partial silent state, and the API recovers when the store comes back."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

import api.app
from api.app import create_app
from kg.assessment.service import load_service
from kg.cli.main import main as legpain
from kg.core.settings import Settings
from kg.stores.errors import StoreNotLoadedError, StoreUnavailableError
from kg.stores.http import SparqlHttpClient
from kg.stores.sparql import SparqlBackend
from tests.support.oxigraph import OxigraphServer, load_store, oxigraph_server
from tests.support.servers import free_port

#: slow: stores are started, stopped and loaded
pytestmark = pytest.mark.slow

ASSESS = '{ assess(symptoms: ["lp:CalfCrampingOnWalking"]) { urgency { rank } candidates { condition { id } } } }'


@pytest.fixture()
def server(tmp_path: Path) -> Iterator[OxigraphServer]:
    with oxigraph_server(tmp_path / "oxigraph") as running:
        yield running


def _wait_for(check: Callable[[], bool], timeout: float = 20) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.1)
    return False


def test_loading_an_unreachable_store_says_so_and_changes_nothing(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("LEGPAIN_STORE", f"sparql:http://127.0.0.1:{free_port()}/query")
    assert legpain(["load", "--quiet"]) == 3
    err = capsys.readouterr().err
    assert "cannot connect" in err and "The store is unchanged" in err
    assert "Traceback" not in err


def test_a_second_load_of_the_same_data_writes_nothing_unless_forced(
    server: OxigraphServer, settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    chosen = settings.with_changes(store=server.store)
    assert load_store(chosen, monkeypatch) == 0
    capsys.readouterr()
    writes: list[str] = []
    original = SparqlHttpClient.put_graph

    def counted(self: SparqlHttpClient, graph_iri: str, ntriples: bytes, **kw: Any) -> None:
        writes.append(graph_iri)
        original(self, graph_iri, ntriples, **kw)

    monkeypatch.setattr(SparqlHttpClient, "put_graph", counted)
    assert load_store(chosen, monkeypatch) == 0
    assert "already holds this data" in capsys.readouterr().err and writes == []
    assert legpain(["load", "--quiet", "--force"]) == 0  # the environment load_store set is still there
    assert "graph/ontology" in " ".join(writes)


def test_serving_an_unreachable_store_is_a_clear_error(settings: Settings) -> None:
    with pytest.raises(StoreUnavailableError, match="cannot connect"):
        load_service(settings.with_changes(store=f"sparql:http://127.0.0.1:{free_port()}/query"))


def test_an_interrupted_load_names_what_was_written_and_leaves_no_data_version(
    server: OxigraphServer, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    chosen = settings.with_changes(store=server.store)
    assert load_store(chosen) == 0
    calls = {"n": 0}
    original = SparqlBackend._insert

    def failing(self: SparqlBackend, dataset: Any, quads: Any) -> None:
        calls["n"] += 1
        if calls["n"] == 2:
            server.stop()  # the store goes away in the middle of the load
        original(self, dataset, quads)

    monkeypatch.setattr(SparqlBackend, "_insert", failing)
    with pytest.raises(StoreUnavailableError) as caught:
        from kg.reasoning.closed import closed_dataset
        from kg.stores.base import quads_by_graph
        from kg.stores.registry import backend_for

        closed, version, _, _ = closed_dataset(chosen)
        backend = backend_for(chosen.store)
        backend.write(backend.open(), quads_by_graph(closed), version, batch=500)
    message = str(caught.value)
    assert "Graphs written completely:" in message and "graph being written: https://w3id.org/legpain/graph/" in message
    server.start()
    with pytest.raises(StoreNotLoadedError, match="legpain load"):
        load_service(chosen)
    monkeypatch.undo()
    assert load_store(chosen) == 0  # a complete load makes it usable again
    assert load_service(chosen).scorer.assess(["lp:CalfCrampingOnWalking"]).candidates


def test_the_api_reports_a_store_that_goes_away_and_recovers(server: OxigraphServer, settings: Settings) -> None:
    chosen = settings.with_changes(store=server.store, store_cache_ttl_s=0.0, store_timeout_s=5.0)
    assert load_store(chosen) == 0
    with TestClient(create_app(chosen)) as client:
        ok = client.post("/graphql", json={"query": ASSESS}).json()
        assert ok["data"]["assess"]["candidates"]
        server.stop()
        down = client.post("/graphql", json={"query": ASSESS})
        assert down.status_code == 200
        body = down.json()
        assert body["errors"][0]["extensions"]["code"] == "STORE_UNAVAILABLE"
        assert "cannot connect" in body["errors"][0]["message"]
        health = client.get("/health")
        assert health.status_code == 503 and health.json()["status"] == "store-unavailable"
        sparql = client.post("/sparql", data={"query": "ASK {}"}, headers={"Accept": "application/sparql-results+json"})
        assert sparql.status_code == 503 and "unavailable" in sparql.text
        server.start()
        assert client.get("/health").status_code == 200
        assert client.post("/graphql", json={"query": ASSESS}).json() == ok


def test_the_api_waits_for_a_store_that_is_down_at_start(
    tmp_path: Path, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(api.app, "STORE_RETRY_S", 0.2)
    server = OxigraphServer(tmp_path / "late", free_port())
    chosen = settings.with_changes(store=server.store)
    with TestClient(create_app(chosen)) as client:
        health = client.get("/health")
        assert health.status_code == 503 and "cannot connect" in health.json()["detail"]
        server.start()
        try:
            assert load_store(chosen) == 0
            assert _wait_for(lambda: client.get("/health").status_code == 200)
            assert client.post("/graphql", json={"query": ASSESS}).json()["data"]["assess"]["candidates"]
        finally:
            server.stop()


def test_a_half_loaded_store_is_refused_by_every_route_without_naming_its_address(
    server: OxigraphServer, settings: Settings
) -> None:
    """After an interrupted load the store holds no data version: GraphQL, /health and /sparql all
    refuse it (SPARQL served the half-loaded graph), and none of them says where the store is."""
    from kg.core.namespaces import KNOWLEDGE_BASE_GRAPH
    from kg.stores.registry import backend_for

    chosen = settings.with_changes(store=server.store, store_cache_ttl_s=0.0, store_timeout_s=5.0)
    assert load_store(chosen) == 0
    with TestClient(create_app(chosen)) as client:
        query = {"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"}
        assert client.post("/sparql", data=query).status_code == 200
        backend = backend_for(chosen.store)
        dataset = backend.open()
        backend._clear_version(dataset)  # what an interrupted load leaves: no data version ...
        backend._drop(dataset, str(KNOWLEDGE_BASE_GRAPH))  # ... and graphs missing
        sparql = client.post("/sparql", data=query)
        graphql = client.post("/graphql", json={"query": ASSESS}).json()
        health = client.get("/health")
        assert sparql.status_code == 503 and "legpain load" in sparql.text
        assert graphql["errors"][0]["extensions"]["code"] == "STORE_UNAVAILABLE"
        assert health.status_code == 503 and "legpain load" in health.json()["detail"]
        address = server.store.split("//", 1)[1].split("/", 1)[0]
        for text in (sparql.text, json.dumps(graphql), health.text):
            assert address not in text
    assert load_store(chosen) == 0
