"""Fixtures for the store-contract suite: every backend, loaded with the shipped graph.

The remote backends run against real servers on free loopback ports, started here and stopped after
the session: Oxigraph (`oxigraph serve`, from the `oxigraph` package of the test extra) and OpenLink
Virtuoso (Debian's `virtuoso-opensource`, which `.ci/run` installs), each with a database directory
of its own.
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
    elif name == "sparql":
        server: OxigraphServer = request.getfixturevalue("oxigraph_session_server")
        chosen = settings.with_changes(store=server.store)
    else:
        virtuoso: VirtuosoServer = request.getfixturevalue("virtuoso_session_server")
        chosen = settings.with_changes(store=virtuoso.store)
    assert load_store(chosen) == 0
    return chosen


@pytest.fixture(scope="session")
def backend_service(backend_settings: Settings) -> LegPainService:
    return load_service(backend_settings)


@pytest.fixture(scope="session")
def reference(settings: Settings) -> LegPainService:
    """The shipped graph in rdflib's own store: what every backend must answer alike."""
    return load_service(settings.with_changes(store="memory"))
