"""Safe reload: a module that fails validation is refused with the report and the server keeps
answering from the last good graph; a good module is picked up with no code change."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from api.app import create_app
from kg.core.settings import PROJECT_ROOT, Settings

#: slow: each reload validates and reasons (OWL RL) again
pytestmark = pytest.mark.slow

EXAMPLE = PROJECT_ROOT / "ontology" / "examples" / "chronic-exertional-compartment-syndrome.ttl"
COUNT = "{ conditions { id } }"
CECS = '{ condition(id: "lp:ChronicExertionalCompartmentSyndrome") { label bodySystems { label } } }'


@pytest.fixture()
def modules(tmp_path: Path) -> Path:
    folder = tmp_path / "modules"
    folder.mkdir()
    return folder


@pytest.fixture()
def admin(modules: Path, tmp_path: Path) -> Iterator[TestClient]:
    settings = Settings(extension_dirs=(modules,), cache_dir=tmp_path / "cache", reasoner="owlrl", admin_token="s3cret")
    with TestClient(create_app(settings)) as client:
        yield client


def gql(client: TestClient, query: str) -> dict:
    response = client.post("/graphql", json={"query": query})
    assert response.status_code == 200, response.text
    return response.json()["data"]


AUTH = {"Authorization": "Bearer s3cret"}


def test_admin_endpoint_is_off_by_default(client: TestClient) -> None:
    assert client.post("/admin/reload").status_code == 404


def test_admin_endpoint_needs_the_token(admin: TestClient) -> None:
    assert admin.post("/admin/reload").status_code == 401
    assert admin.post("/admin/reload", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert admin.get("/admin/reload").status_code == 405
    assert admin.post("/admin/reload", headers={"Authorization": "s3cret"}).status_code == 401


@pytest.mark.parametrize("scheme", ["bearer", "BEARER", "Bearer"])
def test_the_auth_scheme_is_case_insensitive(admin: TestClient, scheme: str) -> None:
    """RFC 9110 section 11.1: the scheme is a case-insensitive token (`bearer` was refused)."""
    assert admin.post("/admin/reload", headers={"Authorization": f"{scheme} s3cret"}).status_code == 200


def test_broken_module_is_refused_and_the_last_good_graph_keeps_serving(admin: TestClient, modules: Path) -> None:
    before = len(gql(admin, COUNT)["conditions"])
    (modules / "broken.ttl").write_text(
        "@prefix lp: <https://w3id.org/legpain/> .\nlp:X a lp:Finding ;\n", encoding="utf-8"
    )
    response = admin.post("/admin/reload", headers=AUTH)
    assert response.status_code == 422
    body = response.json()
    assert body["status"] == "refused"
    assert any(p["check"] == "syntax" and "broken.ttl" in p["location"] for p in body["report"]["problems"])
    assert len(gql(admin, COUNT)["conditions"]) == before
    assert admin.get("/health").json()["status"] == "ready"


def test_good_module_is_picked_up(admin: TestClient, modules: Path) -> None:
    assert gql(admin, CECS)["condition"] is None
    shutil.copy(EXAMPLE, modules)
    response = admin.post("/admin/reload", headers=AUTH)
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "reloaded"
    condition = gql(admin, CECS)["condition"]
    assert condition["label"] == "chronic exertional compartment syndrome"
    assert condition["bodySystems"] == [{"label": "musculoskeletal system"}]
    health = admin.get("/health").json()
    assert any("extension/chronic-exertional" in g for g in health["graphs"])
    cache = str(admin.app.state.legpain.settings.cache_dir)
    assert cache not in response.text and cache not in admin.get("/health").text  # what, not where


@pytest.mark.server
def test_sighup_reloads_a_running_server(tmp_path: Path, modules: Path) -> None:
    import signal
    import time

    import httpx

    from tests.support.servers import serving

    env = {
        "LEGPAIN_CACHE_DIR": str(tmp_path / "cache"),
        "LEGPAIN_EXTENSION_DIRS": str(modules),
        "LEGPAIN_REASONER": "owlrl",
    }
    with serving(env, tmp_path / "serve.log") as (url, proc):
        shutil.copy(EXAMPLE, modules)
        proc.send_signal(signal.SIGHUP)
        found = None
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and found is None:
            time.sleep(1)
            found = httpx.post(url + "/graphql", json={"query": CECS}, timeout=10).json()["data"]["condition"]
        assert found is not None and found["label"] == "chronic exertional compartment syndrome"
        assert proc.poll() is None, "the server must survive SIGHUP"


def test_health_reports_what_was_counted_at_load_without_counting(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """/health counted every triple on every call (60 s on the 8M-triple HPO graph): it now reports
    the counts taken when the graph was loaded, and touches no store."""
    service = client.app.state.legpain.service
    expected = {str(g.identifier): len(g) for g in service.graph.dataset.graphs() if len(g)}

    def no_counting(*args: object) -> int:
        raise AssertionError("/health counted the store")

    monkeypatch.setattr(type(service.graph.dataset), "__len__", no_counting)
    monkeypatch.setattr(type(service.graph.dataset.store), "__len__", no_counting)
    body = client.get("/health").json()
    assert body["graphs"] == expected and body["triples"] == sum(expected.values())
    assert client.get("/health/live").json() == {"status": "alive"}
