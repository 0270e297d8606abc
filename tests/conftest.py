"""Shared fixtures: settings, the loaded service (once per session), the ASGI client, a live server."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from kg.assessment.service import LegPainService, load_service
from kg.core.settings import Settings
from kg.reasoning.reasoners import java_available
from tests.support.servers import SHARED, copy_ontology, serving

VIGNETTES = SHARED / "eval" / "vignettes.json"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests that start a server or a Java reasoner are slow by nature (`-m 'not slow'` leaves them
    out); without Java the `java` ones are skipped."""
    for item in items:
        if "server" in item.keywords or "java" in item.keywords:
            item.add_marker(pytest.mark.slow)
    if java_available():
        return
    skip = pytest.mark.skip(reason="needs Java for HermiT")
    for item in items:
        if "java" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The shipped ontology, with a private cache directory."""
    return Settings(cache_dir=tmp_path_factory.mktemp("cache"))


@pytest.fixture(scope="session")
def service(settings: Settings) -> LegPainService:
    return load_service(settings)


@pytest.fixture(scope="session")
def vignettes() -> list[dict]:
    if not VIGNETTES.exists():
        pytest.skip(f"{VIGNETTES} not found (shared/ sits beside the checkout in CI)")
    return json.loads(VIGNETTES.read_text(encoding="utf-8"))["vignettes"]


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`legpain serve` on a free loopback port, as a real process; yields its base URL."""
    env = {"LEGPAIN_CACHE_DIR": str(tmp_path_factory.mktemp("server-cache"))}
    with serving(env, tmp_path_factory.mktemp("server-log") / "serve.log") as (base, _):
        yield base


@pytest.fixture
def ontology_copy(tmp_path: Path) -> Path:
    """A writable copy of ontology/ and queries/ for tests that break things on purpose."""
    return copy_ontology(tmp_path)
