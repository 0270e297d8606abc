"""HTTP benchmark of the GraphQL API, with a bare starlette JSON route as the baseline.

What it measures, in one run on loopback:
- `lookup`: `urgencyLevels { id label rank description }` over GraphQL (POST),
- `search`: `symptoms(search: "calf cramps when walking", limit: 5)`,
- `assess`: `assess(...)` of a three-finding presentation with candidates, sources and urgency,
- `bare-lookup`: the same lookup data from a bare starlette JSON route under uvicorn (a tiny app this
  script starts on another free port), the ceiling a Python ASGI server reaches on this machine.

Each scenario: a warm-up, then a fixed number of requests by N concurrent httpx (async) clients;
req/s and latency percentiles. Targets: GraphQL lookup throughput >= 1/3 of the bare route's, and
assess p50 < 10 ms at 8 concurrent clients. The clients share the machine with the server, so on a
2-core machine both figures include the client's own CPU use.

    python bench/bench_http.py                      # starts `legpain serve` on a free port
    python bench/bench_http.py --url http://127.0.0.1:8000 --requests 5000 --concurrency 8
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
LOOKUP = "{ urgencyLevels { id label rank description } }"
SEARCH = '{ symptoms(search: "calf cramps when walking", limit: 5) { id label } }'
ASSESS = """{ assess(symptoms: ["lp:CalfCrampingOnWalking", "lp:PainAfterPredictableDistance",
                                "lp:ReliefWithinMinutesOfRest"]) {
  urgency { rank label } advice warningSigns { id }
  candidates { rank score explanation condition { id label } supporting { id } missing { id } sources { quote } }
} }"""


@dataclass(frozen=True)
class Result:
    scenario: str
    requests: int
    concurrency: int
    errors: int
    seconds: float
    rps: float
    p50_ms: float
    p90_ms: float
    p99_ms: float


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_ready(url: str, timeout: float = 120.0) -> None:
    """Poll `url` until it answers 200 (bounded by `timeout`)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not become ready in {timeout:.0f} s")


@contextmanager
def process(command: list[str], ready_url: str, log: Path,
            env: dict[str, str] | None = None) -> Iterator[subprocess.Popen[bytes]]:
    """Start a server process, wait until it is ready, and always stop it (this process only)."""
    with log.open("wb") as out:
        proc = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT,
                                env={**os.environ, **(env or {})})
        try:
            wait_ready(ready_url)
            yield proc
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)


def legpain_command(port: int) -> list[str]:
    script = Path(sys.executable).with_name("legpain")
    base = [str(script)] if script.exists() else [sys.executable, "-m", "kg.cli"]
    return [*base, "serve", "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]


# ------------------------------------------------------------------------- baseline server


def serve_baseline(port: int, data_file: Path) -> None:
    """The bare route: starlette + uvicorn with the same settings as `legpain serve`, one worker."""
    import uvicorn
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse, Response
    from starlette.routing import Route

    payload = json.loads(data_file.read_text(encoding="utf-8"))

    async def lookup(request: Request) -> Response:
        return JSONResponse(payload)

    async def health(request: Request) -> Response:
        return JSONResponse({"status": "ready"})

    app = Starlette(routes=[Route("/lookup", lookup, methods=["GET", "POST"]), Route("/health", health)])
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")


# ------------------------------------------------------------------------------- load driver


async def load(url: str, body: dict[str, Any] | None, requests: int, concurrency: int,
               warmup: int) -> tuple[list[float], int, float]:
    """`requests` POSTs (GET when `body` is None) from `concurrency` clients; latencies in seconds."""
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:
        async def one() -> tuple[float, bool]:
            started = time.perf_counter()
            if body is None:
                response = await client.get(url)
            else:
                response = await client.post(url, json=body)
            elapsed = time.perf_counter() - started
            ok = response.status_code == 200 and "errors" not in response.json()
            return elapsed, ok

        for _ in range(warmup):
            await one()
        remaining = requests
        latencies: list[float] = []
        errors = 0

        async def worker() -> None:
            nonlocal remaining, errors
            while remaining > 0:
                remaining -= 1
                elapsed, ok = await one()
                latencies.append(elapsed)
                errors += 0 if ok else 1

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return latencies, errors, time.perf_counter() - started


def summarize(scenario: str, latencies: list[float], errors: int, seconds: float, concurrency: int) -> Result:
    ordered = sorted(latencies)

    def pct(p: float) -> float:
        return round(1000 * ordered[min(len(ordered) - 1, int(p * len(ordered)))], 2)

    return Result(scenario, len(ordered), concurrency, errors, round(seconds, 3),
                  round(len(ordered) / seconds, 1), round(1000 * statistics.median(ordered), 2), pct(0.90),
                  pct(0.99))


def run_all(graphql: str, bare: str, requests: int, concurrency: int, warmup: int) -> list[Result]:
    scenarios: list[tuple[str, str, dict[str, Any] | None]] = [
        ("bare-lookup", bare, None),
        ("lookup", graphql, {"query": LOOKUP}),
        ("search", graphql, {"query": SEARCH}),
        ("assess", graphql, {"query": ASSESS}),
    ]
    results = []
    for name, url, body in scenarios:
        latencies, errors, seconds = asyncio.run(load(url, body, requests, concurrency, warmup))
        results.append(summarize(name, latencies, errors, seconds, concurrency))
        print(f"  {name}: {results[-1].rps} req/s, p50 {results[-1].p50_ms} ms", file=sys.stderr)
    return results


def report(results: list[Result]) -> tuple[str, dict[str, Any]]:
    by = {r.scenario: r for r in results}
    ratio = by["lookup"].rps / by["bare-lookup"].rps
    lines = ["| scenario | requests | clients | req/s | p50 ms | p90 ms | p99 ms | errors |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    lines += [f"| {r.scenario} | {r.requests} | {r.concurrency} | {r.rps:.0f} | {r.p50_ms:.2f} | {r.p90_ms:.2f} "
              f"| {r.p99_ms:.2f} | {r.errors} |" for r in results]
    assess_p50 = by["assess"].p50_ms
    lines += ["", f"GraphQL lookup / bare route throughput: {ratio:.2f} (target >= 0.33: "
                  f"{'met' if ratio >= 1 / 3 else 'NOT met'})",
              f"assess p50 at {by['assess'].concurrency} clients: {assess_p50:.2f} ms (target < 10 ms: "
              f"{'met' if assess_p50 < 10 else 'NOT met'})"]
    summary = {"lookup_to_bare_ratio": round(ratio, 3), "assess_p50_ms": assess_p50,
               "targets_met": ratio >= 1 / 3 and assess_p50 < 10}
    return "\n".join(lines), summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", help="base URL of a running server (default: start `legpain serve`)")
    parser.add_argument("--requests", type=int, default=3000, help="requests per scenario (default 3000)")
    parser.add_argument("--concurrency", type=int, default=8, help="concurrent clients (default 8)")
    parser.add_argument("--warmup", type=int, default=200, help="warm-up requests per scenario (default 200)")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "http.json"),
                        help="write the results as JSON here ('' to skip)")
    parser.add_argument("--serve-baseline", type=int, metavar="PORT", help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve_baseline:
        serve_baseline(args.serve_baseline, args.data)
        return 0
    if args.url and httpx.URL(args.url).host not in ("127.0.0.1", "localhost", "::1"):
        parser.error("--url must be a loopback address")

    with tempfile.TemporaryDirectory() as tmp, _graphql_server(args.url, Path(tmp)) as base:
        lookup = httpx.post(base + "/graphql", json={"query": LOOKUP}, timeout=30).json()
        data_file = Path(tmp) / "lookup.json"
        data_file.write_text(json.dumps(lookup), encoding="utf-8")
        port = free_port()
        command = [sys.executable, str(Path(__file__).resolve()), "--serve-baseline", str(port), "--data",
                   str(data_file)]
        with process(command, f"http://127.0.0.1:{port}/health", Path(tmp) / "baseline.log"):
            results = run_all(base + "/graphql", f"http://127.0.0.1:{port}/lookup", args.requests,
                              args.concurrency, args.warmup)
    table, summary = report(results)
    print(table)
    if args.out:
        out = Path(args.out)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps({
            "command": "python bench/bench_http.py " + " ".join(argv if argv is not None else sys.argv[1:]),
            "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()},
            "results": [asdict(r) for r in results], **summary}, indent=2) + "\n", encoding="utf-8")
    return 0


@contextmanager
def _graphql_server(url: str | None, tmp: Path) -> Iterator[str]:
    if url:
        wait_ready(url.rstrip("/") + "/health", timeout=10)
        yield url.rstrip("/")
        return
    port = free_port()
    env = {"LEGPAIN_CACHE_DIR": os.environ.get("LEGPAIN_CACHE_DIR") or str(tmp / "cache")}
    with process(legpain_command(port), f"http://127.0.0.1:{port}/health", tmp / "legpain.log", env):
        yield f"http://127.0.0.1:{port}"


if __name__ == "__main__":
    sys.exit(main())
