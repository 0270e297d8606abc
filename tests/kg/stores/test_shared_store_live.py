"""Several API workers share one remote store: `legpain serve --workers 2` against a real Oxigraph
server, and a new `legpain load` reaches every worker without a restart."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from kg.core.settings import PROJECT_ROOT, Settings
from tests.support.oxigraph import OxigraphServer, load_store
from tests.support.servers import serving

EXAMPLE_DIR = PROJECT_ROOT / "ontology" / "examples"
NEW_CONDITION = '{ condition(id: "lp:ChronicExertionalCompartmentSyndrome") { label } }'

pytestmark = pytest.mark.server


def _versions(base: str, n: int = 20) -> set[str]:
    return {httpx.get(base + "/health", timeout=10).json()["dataVersion"] for _ in range(n)}


def test_two_workers_serve_one_store_and_see_a_new_load(
    oxigraph_session_server: OxigraphServer, settings: Settings, tmp_path: Path
) -> None:
    store = oxigraph_session_server.store
    assert load_store(settings.with_changes(store=store)) == 0
    env = {"LEGPAIN_STORE": store, "LEGPAIN_CACHE_DIR": str(settings.cache_dir), "LEGPAIN_STORE_CACHE_TTL_S": "0.5"}
    try:
        with serving(env, tmp_path / "serve.log", args=("--workers", "2")) as (base, _):
            (before,) = _versions(base)
            assert httpx.post(base + "/graphql", json={"query": NEW_CONDITION}).json()["data"]["condition"] is None
            assert load_store(settings.with_changes(store=store, extension_dirs=(EXAMPLE_DIR,))) == 0
            deadline = time.monotonic() + 20
            while True:
                seen = _versions(base)
                if len(seen) == 1 and seen != {before}:
                    break
                assert time.monotonic() < deadline, f"workers still report {seen}"
                time.sleep(0.3)
            for _ in range(10):  # whichever worker answers
                data = httpx.post(base + "/graphql", json={"query": NEW_CONDITION}).json()["data"]
                assert data["condition"]["label"] == "chronic exertional compartment syndrome"
            rows = httpx.post(
                base + "/sparql",
                headers={"Accept": "text/csv"},
                data={
                    "query": "SELECT ?g WHERE { GRAPH ?g { <https://w3id.org/legpain/ChronicExertionalCompartmentSyndrome>"
                    " a ?t } }"
                },
            ).text.split()
            assert "https://w3id.org/legpain/graph/extension/chronic-exertional-compartment-syndrome" in rows
    finally:
        assert load_store(settings.with_changes(store=store)) == 0  # the session's other tests expect the shipped graph
