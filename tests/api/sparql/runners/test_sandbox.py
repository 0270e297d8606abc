"""Kernel confinement of the query workers: once confined, no connection and no file leave the process.

Confinement is irreversible, so each probe runs in a fresh interpreter; a socket listener in this
process records every connection attempt.
"""

from __future__ import annotations

import json
import platform
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.listener import Listener

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux") or platform.machine() not in ("x86_64", "aarch64"),
    reason="seccomp confinement is implemented for Linux on x86-64 and AArch64",
)

PROBE = """
import json, socket, sys
import pyoxigraph as ox
from api.sparql.runners.sandbox import confine
port, path = int(sys.argv[1]), sys.argv[2]
store = ox.Store()
out = {"confined": confine()}
try:
    socket.create_connection(("127.0.0.1", port), timeout=2).close()
    out["socket"] = "connected"
except OSError as exc:
    out["socket"] = type(exc).__name__
try:
    open(path, encoding="utf-8").read()
    out["file"] = "read"
except OSError as exc:
    out["file"] = type(exc).__name__
try:
    list(store.query("SELECT * { SERVICE <http://127.0.0.1:%d/> { ?s ?p ?o } }" % port))
    out["service"] = "answered"
except OSError as exc:
    out["service"] = str(exc)
try:
    out["load"] = len(list(store.query("SELECT * FROM <file://%s> { ?s ?p ?o }" % path)))
except OSError as exc:
    out["load"] = str(exc)
print(json.dumps(out))
"""


@pytest.fixture()
def listener() -> Iterator[Listener]:
    probe = Listener()
    yield probe
    probe.close()


def test_confined_process_cannot_connect_read_files_or_call_service(listener: Listener, tmp_path: Path) -> None:
    secret = tmp_path / "secret.ttl"
    secret.write_text("<urn:secret> <urn:p> 'leaked' .\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(listener.port), str(secret)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["confined"] is True
    assert out["socket"] == "PermissionError"
    assert out["file"] == "PermissionError"
    assert "not permitted" in out["service"]
    assert out["load"] == 0
    assert listener.connections == []


def test_unconfined_oxigraph_would_call_service(listener: Listener) -> None:
    """The reason for the sandbox: the installed pyoxigraph really sends SERVICE queries over HTTP."""
    import pyoxigraph as ox

    with pytest.raises(OSError):
        list(ox.Store().query(f"SELECT * {{ SERVICE <http://127.0.0.1:{listener.port}/> {{ ?s ?p ?o }} }}"))
    assert any(b"POST" in c or c == b"(connected)" for c in listener.connections)
