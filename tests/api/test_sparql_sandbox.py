"""Kernel confinement of the query workers: once confined, no connection and no file leave the process.

Confinement is irreversible, so each probe runs in a fresh interpreter; a socket listener in this
process records every connection attempt.
"""

from __future__ import annotations

import json
import platform
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

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


class Listener:
    """A TCP listener on a loopback port that records every connection it accepts."""

    def __init__(self) -> None:
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(16)
        self.socket.settimeout(0.2)
        self.port = int(self.socket.getsockname()[1])
        self.connections: list[bytes] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.socket.accept()
            except TimeoutError:
                continue
            with conn:
                conn.settimeout(1)
                try:
                    self.connections.append(conn.recv(4096) or b"(connected)")
                except OSError:
                    self.connections.append(b"(connected)")

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self.socket.close()


@pytest.fixture()
def listener() -> Iterator[Listener]:
    probe = Listener()
    yield probe
    probe.close()


def test_confined_process_cannot_connect_read_files_or_call_service(listener: Listener, tmp_path: Path) -> None:
    secret = tmp_path / "secret.ttl"
    secret.write_text("<urn:secret> <urn:p> 'leaked' .\n", encoding="utf-8")
    done = subprocess.run([sys.executable, "-c", PROBE, str(listener.port), str(secret)],
                          capture_output=True, text=True, timeout=60, check=True)
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
