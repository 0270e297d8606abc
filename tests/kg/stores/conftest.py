"""Fixtures for the store-contract suite: every backend, loaded with the shipped graph.

The remote backend runs against a real Oxigraph server (`oxigraph serve`, from the `oxigraph` package
of the test extra) on a free loopback port, started here and stopped after the session. OpenLink
Virtuoso (Debian's `virtuoso-opensource`, which `.ci/run` installs) is started the same way for
`test_virtuoso.py`; it is not one of the contract suite's backends, because its 7.2 engine answers
legpain's property paths wrongly and the service refuses it (README, Stores).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from kg.assessment.service import LegPainService, load_service
from kg.core.settings import Settings
from tests.support.oxigraph import OxigraphServer, load_store, oxigraph_server
from tests.support.virtuoso import VirtuosoServer, virtuoso_server


@pytest.fixture(scope="session")
def oxigraph_session_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OxigraphServer]:
    with oxigraph_server(tmp_path_factory.mktemp("oxigraph-server")) as server:
        yield server


@pytest.fixture(scope="session")
def virtuoso_session_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VirtuosoServer]:
    with virtuoso_server(tmp_path_factory.mktemp("virtuoso")) as server:
        yield server


BACKENDS = ["memory", "oxigraph", "oxigraph-disk", "sparql"]


@pytest.fixture(scope="session", params=BACKENDS)
def backend_settings(
    request: pytest.FixtureRequest, settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Settings:
    """Settings for each backend, its store loaded where it keeps data."""
    name = request.param
    if name == "memory":
        return settings.with_changes(store="memory")
    if name == "oxigraph":
        return settings.with_changes(store="oxigraph")
    if name == "oxigraph-disk":
        chosen = settings.with_changes(store=f"oxigraph:{tmp_path_factory.mktemp('oxigraph-disk') / 'store'}")
    else:
        server: OxigraphServer = request.getfixturevalue("oxigraph_session_server")
        chosen = settings.with_changes(store=server.store)
    assert load_store(chosen) == 0
    return chosen


@pytest.fixture(scope="session")
def backend_service(backend_settings: Settings) -> LegPainService:
    return load_service(backend_settings)


@pytest.fixture(scope="session")
def reference(settings: Settings) -> LegPainService:
    """The shipped graph in rdflib's own store: what every backend must answer alike."""
    return load_service(settings.with_changes(store="memory"))
