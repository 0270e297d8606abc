"""Fixtures for the store-contract suite: every backend, loaded with the shipped graph.

The remote backend runs against a real Oxigraph server (`oxigraph serve`, from the `oxigraph` package
of the test extra) on a free loopback port, started here and stopped after the session.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from kg.assessment.service import LegPainService, load_service
from kg.cli.main import main as legpain
from kg.core.settings import Settings
from tests.conftest import free_port


def oxigraph_binary() -> str:
    """The `oxigraph` server command installed with the test extra (beside this Python, or on PATH)."""
    beside = Path(sys.executable).with_name("oxigraph")
    found = str(beside) if beside.exists() else shutil.which("oxigraph")
    if found is None:
        pytest.fail("the `oxigraph` server command is missing: install the test extra (pip install -e '.[test]')")
    return found


@dataclass
class OxigraphServer:
    """A running `oxigraph serve` process and its SPARQL URLs."""

    location: Path
    port: int
    process: subprocess.Popen[bytes] | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def store(self) -> str:
        """The `LEGPAIN_STORE` value for this server."""
        return f"sparql:{self.base}/query;{self.base}/update"

    def start(self, timeout: float = 30) -> None:
        self.process = subprocess.Popen(
            [oxigraph_binary(), "serve", "--location", str(self.location), "--bind", f"127.0.0.1:{self.port}",
             "--union-default-graph"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{self.base}/query?query=ASK%7B%7D", timeout=1):
                    return
            except OSError:
                if self.process.poll() is not None:
                    raise RuntimeError(f"oxigraph serve exited with {self.process.returncode}") from None
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("oxigraph serve did not answer within 30 s")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None


@contextmanager
def oxigraph_server(location: Path) -> Iterator[OxigraphServer]:
    server = OxigraphServer(location, free_port())
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def oxigraph_session_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OxigraphServer]:
    with oxigraph_server(tmp_path_factory.mktemp("oxigraph-server")) as server:
        yield server


def load_store(settings: Settings, monkeypatch: pytest.MonkeyPatch | None = None) -> int:
    """`legpain load` into the settings' store, as a user runs it; returns the exit code."""
    env = {"LEGPAIN_STORE": settings.store, "LEGPAIN_CACHE_DIR": str(settings.cache_dir),
           "LEGPAIN_EXTENSION_DIRS": os.pathsep.join(str(d) for d in settings.extension_dirs)}
    patch = monkeypatch or pytest.MonkeyPatch()
    try:
        for key, value in env.items():
            patch.setenv(key, value)
        return legpain(["load", "--quiet"])
    finally:
        if monkeypatch is None:
            patch.undo()


BACKENDS = ["memory", "oxigraph", "oxigraph-disk", "sparql"]


@pytest.fixture(scope="session", params=BACKENDS)
def backend_settings(request: pytest.FixtureRequest, settings: Settings,
                     tmp_path_factory: pytest.TempPathFactory) -> Settings:
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
