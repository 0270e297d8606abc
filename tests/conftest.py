"""Shared fixtures: settings, the loaded service (once per session), the ASGI client, a live server."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from kg.assessment.service import LegPainService, load_service
from kg.core.settings import PROJECT_ROOT, Settings
from kg.reasoning.reasoners import java_available

SHARED = PROJECT_ROOT.parent / "shared"
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


@pytest.fixture()
def ontology_copy(tmp_path: Path) -> Path:
    """A writable copy of ontology/ and queries/ for tests that break things on purpose."""
    shutil.copytree(PROJECT_ROOT / "ontology", tmp_path / "ontology")
    shutil.copytree(PROJECT_ROOT / "queries", tmp_path / "queries")
    return tmp_path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serving(env: dict[str, str], log: Path, timeout: float = 120,
            args: tuple[str, ...] = ()) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """`legpain serve` on a free loopback port as a real process, with `env` added to the environment;
    yields its base URL and process once /health says ready, and always stops it."""
    port = free_port()
    legpain = Path(sys.executable).with_name("legpain")
    command = [str(legpain)] if legpain.exists() else [sys.executable, "-m", "kg.cli.main"]
    base = f"http://127.0.0.1:{port}"
    with log.open("wb") as log_file:
        proc = subprocess.Popen([*command, "serve", "--port", str(port), "--log-level", "warning", *args],
                                env={**os.environ, **env}, stdout=log_file, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + timeout
            while True:
                if proc.poll() is not None:
                    raise RuntimeError(f"legpain serve exited with {proc.returncode}:\n"
                                       + log.read_text(errors="replace"))
                try:
                    if httpx.get(base + "/health", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(f"legpain serve did not become ready in {timeout:.0f} s")
                time.sleep(0.3)
            yield base, proc
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=15)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`legpain serve` on a free loopback port, as a real process; yields its base URL."""
    env = {"LEGPAIN_CACHE_DIR": str(tmp_path_factory.mktemp("server-cache"))}
    with serving(env, tmp_path_factory.mktemp("server-log") / "serve.log") as (base, _):
        yield base
