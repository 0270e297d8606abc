"""A real Oxigraph server (`oxigraph serve`, from the test extra) and loading a store with `legpain load`."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from kg.cli.main import main as legpain
from kg.core.settings import Settings
from tests.support.servers import free_port, stop_process, wait_until_answering


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
        """The `LEGPAIN_STORE` value for this server (loads by its Graph Store Protocol at `/store`)."""
        return f"sparql:{self.base}/query;{self.base}/update;{self.base}/store"

    def start(self, timeout: float = 30) -> None:
        self.process = subprocess.Popen(
            [
                oxigraph_binary(),
                "serve",
                "--location",
                str(self.location),
                "--bind",
                f"127.0.0.1:{self.port}",
                "--union-default-graph",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_until_answering(f"{self.base}/query?query=ASK%7B%7D", self.process, "oxigraph serve", timeout)
        except RuntimeError:
            self.stop()
            raise

    def stop(self) -> None:
        stop_process(self.process, 10)
        self.process = None


@contextmanager
def oxigraph_server(location: Path) -> Iterator[OxigraphServer]:
    server = OxigraphServer(location, free_port())
    server.start()
    try:
        yield server
    finally:
        server.stop()


def load_store(settings: Settings, monkeypatch: pytest.MonkeyPatch | None = None) -> int:
    """`legpain load` into the settings' store, as a user runs it; returns the exit code."""
    env = {
        "LEGPAIN_STORE": settings.store,
        "LEGPAIN_CACHE_DIR": str(settings.cache_dir),
        "LEGPAIN_EXTENSION_DIRS": os.pathsep.join(str(d) for d in settings.extension_dirs),
    }
    patch = monkeypatch or pytest.MonkeyPatch()
    try:
        for key, value in env.items():
            patch.setenv(key, value)
        return legpain(["load", "--quiet"])
    finally:
        if monkeypatch is None:
            patch.undo()
