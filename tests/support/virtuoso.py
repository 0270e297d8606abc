"""A real OpenLink Virtuoso Open Source server (Debian's `virtuoso-opensource`, installed by `.ci/run`)
with a database of its own in a temporary directory, on free loopback ports.

The server is configured the way `docs`/README say a Virtuoso for legpain must be: the SPARQL user may
update (`GRANT SPARQL_UPDATE TO "SPARQL"`, given once through `isql-vt` as the database's `dba`), and
the result-row cap is raised above the default 10,000 rows, which Virtuoso applies silently.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.servers import free_port, stop_process, wait_until_answering

#: The smallest configuration that serves SPARQL from a database in `{root}`; every path it names is
#: inside `{root}`, so two servers (or a system-wide one) never share a file.
INI = """\
[Database]
DatabaseFile = {root}/virtuoso.db
ErrorLogFile = {root}/virtuoso.log
LockFile = {root}/virtuoso.lck
TransactionFile = {root}/virtuoso.trx
xa_persistent_file = {root}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000

[TempDatabase]
DatabaseFile = {root}/virtuoso-temp.db
TransactionFile = {root}/virtuoso-temp.trx

[Parameters]
ServerPort = {isql_port}
DirsAllowed = {root}
NumberOfBuffers = 20000
MaxDirtyBuffers = 15000
CheckpointInterval = 0
ServerThreads = 20

[HTTPServer]
ServerPort = {http_port}
ServerRoot = {root}
ServerThreads = 10
MaxKeepAlives = 10
KeepAliveTimeout = 10

[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = 120
MaxQueryCostEstimationTime = 0
DefaultQuery = ASK {{}}
"""


def virtuoso_binaries() -> tuple[str, str]:
    """`virtuoso-t` and `isql-vt` from Debian's `virtuoso-opensource` (`.ci/run` installs it)."""
    server, isql = shutil.which("virtuoso-t"), shutil.which("isql-vt")
    if server is None or isql is None:
        pytest.fail("Virtuoso is missing: `apt-get install virtuoso-opensource` (.ci/run installs it)")
    return server, isql


@dataclass
class VirtuosoServer:
    """A running `virtuoso-t` with its own database directory."""

    root: Path
    http_port: int
    isql_port: int
    process: subprocess.Popen[bytes] | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def store(self) -> str:
        """The `LEGPAIN_STORE` value for this server."""
        return f"virtuoso:{self.base}"

    def start(self, timeout: float = 60) -> None:
        server, isql = virtuoso_binaries()
        self.root.mkdir(parents=True, exist_ok=True)
        ini = self.root / "virtuoso.ini"
        ini.write_text(INI.format(root=self.root, isql_port=self.isql_port, http_port=self.http_port))
        self.process = subprocess.Popen(
            [server, "+configfile", str(ini), "+foreground"],
            cwd=self.root,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_until_answering(
                f"{self.base}/sparql?query=ASK%7B%7D", self.process, "virtuoso-t", timeout, self.root / "virtuoso.log"
            )
        except RuntimeError:
            self.stop()
            raise
        # the one grant legpain needs: the anonymous SPARQL user may run updates (loads)
        subprocess.run(
            [isql, str(self.isql_port), "dba", "dba", 'exec=GRANT SPARQL_UPDATE TO "SPARQL";'],
            check=True,
            capture_output=True,
            timeout=30,
        )

    def stop(self) -> None:
        stop_process(self.process, 30)
        self.process = None


@contextmanager
def virtuoso_server(root: Path) -> Iterator[VirtuosoServer]:
    server = VirtuosoServer(root, free_port(), free_port())
    server.start()
    try:
        yield server
    finally:
        server.stop()
