"""Benchmark of the SPARQL endpoint against Oxigraph (and rdflib) in-process on the same data.

Two queries:
- `lookup`: a point lookup (label, definition and urgency of one condition),
- `candidates`: `queries/list-candidate-conditions.rq` (candidate ranking with GROUP BY) for
  calf cramping on walking + relief within minutes of rest.

Three ways to answer them:
- `endpoint`: `GET /sparql?query=` (the protocol's usual form) over loopback HTTP by N concurrent clients (keep-alive
  connections, one thread each), JSON results; the server is `legpain serve` started on a free port
  by this script (or `--url`). Server CPU per request covers the server and its worker processes.
- `pyoxigraph`: the reference, the same query text on an in-memory pyoxigraph Store in this
  process, results serialized to SPARQL JSON, by N threads (Oxigraph releases the GIL).
- `rdflib`: rdflib's own engine on the loaded Dataset, one thread, fewer iterations.

The clients share the machine with the server, so endpoint figures include the clients' own CPU.
Loopback only; every loop is bounded by --requests.

    python bench/bench_sparql.py                          # starts a server, prints a Markdown table
    python bench/bench_sparql.py --clients 8 --requests 4000 --json bench/results/sparql.json
    python bench/bench_sparql.py --url http://127.0.0.1:8000
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import Literal

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg.core.settings import Settings  # noqa: E402
from kg.knowledge.graph import load_graph  # noqa: E402

LOOKUP = """PREFIX lp: <https://w3id.org/legpain/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?label ?definition ?urgency WHERE {
  lp:PeripheralArteryDisease rdfs:label ?label ; lp:hasUrgency ?urgency .
  OPTIONAL { lp:PeripheralArteryDisease skos:definition ?definition }
}"""
FINDINGS = "lp:CalfCrampingOnWalking lp:ReliefWithinMinutesOfRest"


def candidate_query() -> str:
    """The library query with its ?findings parameter written in as a literal. Over HTTP a query is
    only text; the library binds parameters with initBindings, which a remote client cannot."""
    text = (ROOT / "queries" / "list-candidate-conditions.rq").read_text(encoding="utf-8")
    return text.replace("?findings", Literal(FINDINGS).n3())


@dataclass
class Row:
    engine: str
    query: str
    clients: int
    requests: int
    qps: float
    p50_ms: float
    p99_ms: float
    server_cpu_ms: float | None = None


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _run(clients: int, requests: int, make_worker: Callable[[], Callable[[], None]]) -> tuple[float, list[float]]:
    """`requests` calls shared by `clients` threads; returns (wall seconds, latencies in seconds)."""
    per_client = max(1, requests // clients)
    latencies: list[list[float]] = [[] for _ in range(clients)]
    barrier = threading.Barrier(clients + 1)

    def body(index: int) -> None:
        call = make_worker()
        call()  # warm this client's connection
        barrier.wait()
        for _ in range(per_client):
            started = time.perf_counter()
            call()
            latencies[index].append(time.perf_counter() - started)

    threads = [threading.Thread(target=body, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    barrier.wait()
    started = time.perf_counter()
    for t in threads:
        t.join()
    return time.perf_counter() - started, [x for xs in latencies for x in xs]


def _row(engine: str, query: str, clients: int, wall: float, lat: list[float], cpu: float | None = None) -> Row:
    return Row(
        engine,
        query,
        clients,
        len(lat),
        round(len(lat) / wall, 1),
        round(_percentile(lat, 0.5) * 1000, 3),
        round(_percentile(lat, 0.99) * 1000, 3),
        None if cpu is None else round(cpu * 1000 / len(lat), 3),
    )


# ------------------------------------------------------------------------------- the server
def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def server(url: str | None) -> Iterator[tuple[str, int | None]]:
    """A running server: the given URL, or `legpain serve` on a free loopback port."""
    if url:
        yield url.rstrip("/"), None
        return
    port = _free_port()
    legpain = Path(sys.executable).with_name("legpain")
    command = [str(legpain)] if legpain.exists() else [sys.executable, "-m", "kg.cli.main"]
    env = {**os.environ, "LEGPAIN_CACHE_DIR": tempfile.mkdtemp(prefix="legpain-bench-")}
    proc = subprocess.Popen([*command, "serve", "--port", str(port), "--log-level", "warning"], env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            if proc.poll() is not None:
                raise SystemExit("legpain serve exited")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                conn.request("GET", "/health")
                if conn.getresponse().status == 200:
                    break
            except OSError:
                pass
            time.sleep(0.2)
        else:
            raise SystemExit("legpain serve did not become ready")
        yield base, proc.pid
    finally:
        proc.terminate()
        proc.wait(timeout=15)


def _cpu_seconds(pid: int | None) -> float | None:
    """User + system CPU of a process and all its descendants (Linux /proc), None elsewhere."""
    if pid is None or not Path("/proc").exists():
        return None
    total, stack, tick = 0.0, [pid], os.sysconf("SC_CLK_TCK")
    while stack:
        current = stack.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
            for task in Path(f"/proc/{current}/task").iterdir():
                stack.extend(int(c) for c in (task / "children").read_text().split())
        except OSError:
            continue
    return total


def endpoint_rows(base: str, pid: int | None, clients: int, requests: int, queries: dict[str, str]) -> list[Row]:
    """The queries over HTTP, after `GET /health` (a small JSON route of the same server: the floor
    any route pays for HTTP, routing and the middleware)."""
    parsed = urllib.parse.urlsplit(base)
    rows = []
    paths = {"http floor: GET /health": "/health"}
    paths.update({name: "/sparql?" + urllib.parse.urlencode({"query": query}) for name, query in queries.items()})
    for name, path in paths.items():

        def make_worker(path: str = path) -> Callable[[], None]:
            conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=60)
            headers = {"Accept": "application/sparql-results+json"}

            def call() -> None:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                response.read()
                if response.status != 200:
                    raise RuntimeError(f"HTTP {response.status}: {response.reason}")

            return call

        for _ in range(2):  # the first queries start the worker pool and warm it
            make_worker()()
        before = _cpu_seconds(pid)
        wall, lat = _run(clients, requests, make_worker)
        after = _cpu_seconds(pid)
        cpu = None if before is None or after is None else after - before
        rows.append(_row("endpoint (HTTP)" if path.startswith("/sparql") else "server", name, clients, wall, lat, cpu))
    return rows


# --------------------------------------------------------------------------- in-process references
def reference_rows(clients: int, requests: int, queries: dict[str, str], rdflib_requests: int) -> list[Row]:
    # rdflib's own engine needs rdflib's own store: the default store is Oxigraph (through oxrdflib),
    # whose queries Oxigraph answers
    kg = load_graph(Settings(cache_dir=Path(tempfile.mkdtemp(prefix="legpain-bench-")), store="memory"))
    store = ox.Store()
    store.bulk_load(kg.dataset.serialize(format="nquads").encode("utf-8"), ox.RdfFormat.N_QUADS)
    rows = []
    for name, query in queries.items():

        def make_ox(query: str = query) -> Callable[[], None]:
            def call() -> None:
                store.query(query, use_default_graph_as_union=True).serialize(format=ox.QueryResultsFormat.JSON)

            return call

        for n in sorted({1, clients}):
            wall, lat = _run(n, requests, make_ox)
            rows.append(_row("pyoxigraph in-process", name, n, wall, lat))

        def make_rdflib(query: str = query) -> Callable[[], None]:
            def call() -> None:
                kg.dataset.query(query).serialize(format="json")

            return call

        count = rdflib_requests if name == "candidates" else rdflib_requests * 10
        wall, lat = _run(1, count, make_rdflib)
        rows.append(_row("rdflib in-process", name, 1, wall, lat))
    return rows


def table(rows: list[Row]) -> str:
    lines = [
        "| engine | query | clients | requests | queries/s | p50 ms | p99 ms | server CPU ms/query |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        cpu = "" if r.server_cpu_ms is None else f"{r.server_cpu_ms:.2f}"
        lines.append(
            f"| {r.engine} | {r.query} | {r.clients} | {r.requests} | {r.qps:,.0f} | {r.p50_ms:.2f} | "
            f"{r.p99_ms:.2f} | {cpu} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="benchmark a running server instead of starting one")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients (default 8)")
    parser.add_argument("--requests", type=int, default=4000, help="requests per query and engine (default 4000)")
    parser.add_argument("--rdflib-requests", type=int, default=20, help="rdflib candidate runs (lookup: 10x)")
    parser.add_argument(
        "--json",
        nargs="?",
        const=str(ROOT / "bench" / "results" / "sparql.json"),
        help="also write the figures as JSON (default path bench/results/sparql.json)",
    )
    args = parser.parse_args(argv)
    queries = {"lookup": LOOKUP, "candidates": candidate_query()}
    with server(args.url) as (base, pid):
        rows = endpoint_rows(base, pid, args.clients, args.requests, queries)
    rows += reference_rows(args.clients, args.requests, queries, args.rdflib_requests)
    print(table(rows))
    if args.json:
        out = Path(args.json)
        out.parent.mkdir(parents=True, exist_ok=True)
        meta = {
            "python": platform.python_version(),
            "pyoxigraph": ox.__version__ if hasattr(ox, "__version__") else "",
            "cpus": os.cpu_count(),
            "machine": platform.machine(),
            "clients": args.clients,
            "requests": args.requests,
            "command": " ".join([Path(sys.argv[0]).name, *sys.argv[1:]]),
        }
        out.write_text(json.dumps({"meta": meta, "rows": [asdict(r) for r in rows]}, indent=2) + "\n", encoding="utf-8")
        print(f"\nwritten to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
