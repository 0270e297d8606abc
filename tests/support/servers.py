"""Helpers for tests that need the checkout's files or a real `legpain serve` process."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from kg.core.settings import PROJECT_ROOT

#: `../shared` beside the checkout: the article, the contract and the evaluation sets (read-only).
SHARED = PROJECT_ROOT.parent / "shared"


def copy_ontology(tmp_path: Path) -> Path:
    """A writable copy of ontology/ and queries/ for tests that break things on purpose."""
    shutil.copytree(PROJECT_ROOT / "ontology", tmp_path / "ontology")
    shutil.copytree(PROJECT_ROOT / "queries", tmp_path / "queries")
    return tmp_path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def stop_process(proc: subprocess.Popen[bytes] | None, wait_s: float) -> None:
    """Stop a server process: terminate it, and kill it if it has not exited within `wait_s` seconds."""
    if proc is None or proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(wait_s)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def wait_until_answering(
    url: str, proc: subprocess.Popen[bytes], what: str, timeout: float, log: Path | None = None
) -> None:
    """Wait until `url` answers (any 2xx); `RuntimeError` when the process exits first (with the end
    of its `log`, if it keeps one) or after `timeout` seconds (the caller stops the process)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            if proc.poll() is not None:
                tail = log.read_text(errors="replace")[-2000:] if log is not None and log.exists() else ""
                raise RuntimeError(f"{what} exited with {proc.returncode}" + (f":\n{tail}" if tail else "")) from None
            if time.monotonic() > deadline:
                raise RuntimeError(f"{what} did not answer within {timeout:g} s") from None
            time.sleep(0.1)


@contextmanager
def serving(
    env: dict[str, str], log: Path, timeout: float = 120, args: tuple[str, ...] = ()
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """`legpain serve` on a free loopback port as a real process, with `env` added to the environment;
    yields its base URL and process once /health says ready, and always stops it."""
    port = free_port()
    legpain = Path(sys.executable).with_name("legpain")
    command = [str(legpain)] if legpain.exists() else [sys.executable, "-m", "kg.cli.main"]
    base = f"http://127.0.0.1:{port}"
    with log.open("wb") as log_file:
        proc = subprocess.Popen(
            [*command, "serve", "--port", str(port), "--log-level", "warning", *args],
            env={**os.environ, **env},
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + timeout
            while True:
                if proc.poll() is not None:
                    raise RuntimeError(
                        f"legpain serve exited with {proc.returncode}:\n" + log.read_text(errors="replace")
                    )
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
            stop_process(proc, 15)
