"""`bench/bench_remote.py` runs against a real SPARQL server and prints what the README quotes: each
presentation new to the reader's caches, its queries tallied, the figures as JSON on the last line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from kg.core.settings import PROJECT_ROOT, Settings
from tests.support.oxigraph import OxigraphServer, load_store, oxigraph_server

pytestmark = pytest.mark.server


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory, settings: Settings) -> Iterator[OxigraphServer]:
    with oxigraph_server(tmp_path_factory.mktemp("bench-remote")) as server:
        assert load_store(settings.with_changes(store=server.store)) == 0
        yield server


def _run(store: str, meta: Path, settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "LEGPAIN_STORE": store, "LEGPAIN_CACHE_DIR": str(settings.cache_dir)}
    command = [sys.executable, str(PROJECT_ROOT / "bench" / "bench_remote.py"), str(meta), *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=300, cwd=PROJECT_ROOT)


def test_each_presentation_is_timed_with_its_queries(store: OxigraphServer, settings: Settings, tmp_path: Path) -> None:
    meta = tmp_path / "shipped.meta.json"
    presentations = [
        ["lp:CalfCrampingOnWalking", "lp:ReliefWithinMinutesOfRest"],
        ["lp:UnilateralLegSwelling", "lp:LegWarmth"],
        ["lp:FirstStepsHeelPain"],
    ]
    meta.write_text(json.dumps({"presentations": presentations}), encoding="utf-8")
    done = _run(store.store, meta, settings, "--presentations", "2")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    figures = json.loads(lines[-1])
    assert figures["presentations"] == 2
    assert figures["queries_per_presentation"] > 0
    assert 0 < figures["min_ms"] <= figures["median_ms"] <= figures["max_ms"]
    assert any(line.startswith("index/") for line in lines[:-1])  # the tally names the queries


def test_a_store_that_is_not_remote_is_refused(settings: Settings, tmp_path: Path) -> None:
    meta = tmp_path / "shipped.meta.json"
    meta.write_text(json.dumps({"presentations": [["lp:FirstStepsHeelPain"]]}), encoding="utf-8")
    done = _run("memory", meta, settings)
    assert done.returncode != 0
    assert "remote store" in done.stderr and "Traceback" not in done.stderr
