"""HTTP benchmark of the GraphQL API, with a bare starlette JSON route as the baseline.

What it measures, in one run on loopback:
- `bare-lookup`: the lookup's data from a bare starlette JSON route under uvicorn (a tiny app this
  script starts on another free port, same uvicorn settings): the ceiling of a Python ASGI server here,
- `lookup`: `urgencyLevels { id label rank description }` over GraphQL (POST), the same body each
  time (what an app asks on every screen: after the first, `api.graphql.cache` answers it),
- `lookup-distinct`: the same query with a different (unused) variable each time, so every request
  is new and runs the whole GraphQL stack: the per-request cost without the response cache,
- `search`: `symptoms(search: $q, limit: 5)`, cycling through the vignettes' phrases, each new,
- `assess`: what the evaluation client asks (ranks, labels, urgency), cycling through the vignettes'
  presentations resolved as that client does, each request new; `assess-repeated` asks the same
  presentations again and again (cached); `assess-full` adds explanations, findings, quotes.

Load: `wrk` (a C load generator, from Debian) when it is installed, one thread, N connections, for a
fixed time, driven by a Lua script this file writes (`--load httpx` uses N async httpx clients and a
fixed number of requests instead: Python clients cap near 1.5k req/s on this machine, so they
measure themselves more than the server). Reported per scenario: req/s, latency percentiles, and the
server's CPU time per request (from /proc, when this script started the server). Targets: GraphQL
lookup throughput >= 1/3 of the bare route's; assess p50 < 10 ms at 8 concurrent clients.

    python bench/bench_http.py                      # starts `legpain serve` on a free port
    python bench/bench_http.py --url http://127.0.0.1:8000 --seconds 10 --concurrency 8
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import re
import shutil
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

try:  # httpcore imports sniffio on every request; when it is absent each failed import scans sys.path
    import sniffio  # noqa: F401
except ImportError:
    sys.modules["sniffio"] = None  # type: ignore[assignment]  # makes the failed import instant

import httpx  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
VIGNETTES = ROOT.parent / "shared" / "eval" / "vignettes.json"
LOOKUP = "{ urgencyLevels { id label rank description } }"
SEARCH = "query($q: String!) { symptoms(search: $q, limit: 5) { id label } }"
#: what the evaluation client asks (DESIGN.md): ranks, labels and urgency
ASSESS = """query($s: [ID!]!, $a: [ID!]) { assess(symptoms: $s, absentSymptoms: $a) {
  urgency { rank } candidates { rank condition { id label } } } }"""
#: everything an explaining UI would show: explanations, supporting/missing findings, quotes, reasons
ASSESS_FULL = """query($s: [ID!]!, $a: [ID!]) { assess(symptoms: $s, absentSymptoms: $a) {
  urgency { rank label } advice warningSigns { id label } reasons { label }
  candidates { rank score explanation condition { id label } supporting { id label } missing { id label }
               conflicting { id label } sources { title quote } } } }"""
#: presentations used when shared/eval/vignettes.json is not beside the checkout
FALLBACK = [
    (["cramping calves on walks", "pain stops when I stop walking"], []),
    (["one leg swollen", "skin warm over the calf"], []),
    (["pins and needles", "burning feet"], []),
    (["morning heel pain"], []),
]


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
    #: server CPU per request (ms), read from /proc; None when the server is not our child or not on Linux
    server_cpu_ms: float | None


def cpu_seconds(pid: int | None) -> float | None:
    """User + system CPU time of a process so far (Linux /proc), or None."""
    if pid is None:
        return None
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


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
def process(
    command: list[str], ready_url: str, log: Path, env: dict[str, str] | None = None
) -> Iterator[subprocess.Popen[bytes]]:
    """Start a server process, wait until it is ready, and always stop it (this process only)."""
    with log.open("wb") as out:
        proc = subprocess.Popen(
            command, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT, env={**os.environ, **(env or {})}
        )
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
    base = [str(script)] if script.exists() else [sys.executable, "-m", "kg.cli.main"]
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


def _distinct(body: dict[str, Any], n: int) -> dict[str, Any]:
    """The body with an unused variable `_n` = n: a request no cache has seen, the same work."""
    return {**body, "variables": {**(body.get("variables") or {}), "_n": n}}


async def load(
    url: str, bodies: list[dict[str, Any]] | None, requests: int, concurrency: int, warmup: int, distinct: bool
) -> tuple[list[float], int, float]:
    """`requests` POSTs of `bodies`, round-robin (GETs when None), from `concurrency` clients;
    latencies in seconds."""
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    sent = 0
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:

        async def one() -> tuple[float, bool]:
            nonlocal sent
            sent += 1
            started = time.perf_counter()
            if bodies is None:
                response = await client.get(url)
            else:
                body = bodies[sent % len(bodies)]
                response = await client.post(url, json=_distinct(body, sent) if distinct else body)
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


#: The Lua script wrk runs: cycles through the bodies (each split where the distinct counter goes),
#: counts responses that are not 200 or carry GraphQL errors, and prints the count when done.
WRK_SCRIPT = """local bodies = {%s}
local distinct = %s
local i = 0
local bad = 0
wrk.method = "%s"
wrk.headers["Content-Type"] = "application/json"
request = function()
  i = i + 1
  local b = bodies[(i %% #bodies) + 1]
  if #bodies == 0 then return wrk.format() end
  if distinct then return wrk.format(nil, nil, nil, b[1] .. i .. b[2]) end
  return wrk.format(nil, nil, nil, b[1])
end
response = function(status, headers, body)
  if status ~= 200 or string.find(body, '"errors"', 1, true) then bad = bad + 1 end
end
done = function(summary, latency, requests)
  io.write(string.format("legpain-bad: %%d\\n", bad))
  for _, p in ipairs({50, 90, 99}) do
    io.write(string.format("legpain-p%%d: %%d\\n", p, latency:percentile(p)))
  end
end
"""
_MARK = 987654321


def wrk_script(bodies: list[dict[str, Any]] | None, distinct: bool) -> str:
    """The Lua script for these bodies (GETs when None); a distinct body is split at its counter."""
    parts = []
    for body in bodies or []:
        text = json.dumps(_distinct(body, _MARK) if distinct else body)
        pieces = text.split(str(_MARK)) if distinct else [text, ""]
        parts.append("{" + ", ".join(f"[==[{p}]==]" for p in pieces) + "}")
    return WRK_SCRIPT % (", ".join(parts), "true" if distinct else "false", "GET" if bodies is None else "POST")


def load_wrk(
    url: str, bodies: list[dict[str, Any]] | None, seconds: float, concurrency: int, distinct: bool, tmp: Path
) -> tuple[int, int, float, dict[int, float]]:
    """(requests, bad responses, seconds, latency percentiles in s) from one `wrk -t1` run."""
    script = tmp / "load.lua"
    script.write_text(wrk_script(bodies, distinct), encoding="utf-8")
    command = ["wrk", "-t1", f"-c{concurrency}", f"-d{max(1, round(seconds))}s", "-s", str(script), url]
    out = subprocess.run(command, capture_output=True, text=True, check=True, timeout=seconds + 60).stdout
    found = re.search(r"(\d+) requests in ([\d.]+)(m?s)", out)
    if not found:
        raise RuntimeError(f"could not read wrk's output:\n{out}")
    took = float(found.group(2)) / (1000 if found.group(3) == "ms" else 1)
    bad = int(re.search(r"legpain-bad: (\d+)", out).group(1))  # type: ignore[union-attr]
    pct = {int(p): int(us) / 1e6 for p, us in re.findall(r"legpain-p(\d+): (\d+)", out)}
    return int(found.group(1)), bad, took, pct


def summarize(
    scenario: str, latencies: list[float], errors: int, seconds: float, concurrency: int, cpu: float | None
) -> Result:
    ordered = sorted(latencies)

    def pct(p: float) -> float:
        return round(1000 * ordered[min(len(ordered) - 1, int(p * len(ordered)))], 2)

    return Result(
        scenario,
        len(ordered),
        concurrency,
        errors,
        round(seconds, 3),
        round(len(ordered) / seconds, 1),
        round(1000 * statistics.median(ordered), 2),
        pct(0.90),
        pct(0.99),
        None if cpu is None else round(1000 * cpu / len(ordered), 3),
    )


def presentations(graphql: str) -> tuple[list[str], list[dict[str, Any]]]:
    """The phrases to search and the assess variables: the vignettes' presentations, resolved as the
    evaluation client does (first `symptoms(search:)` hit per phrase)."""
    if VIGNETTES.exists():
        cases = [
            (v["present"], v.get("absent", [])) for v in json.loads(VIGNETTES.read_text(encoding="utf-8"))["vignettes"]
        ]
    else:
        cases = FALLBACK
    phrases = [p for present, absent in cases for p in present + absent]

    def first_hit(phrase: str) -> str | None:
        body = {"query": SEARCH, "variables": {"q": phrase}}
        hits = httpx.post(graphql, json=body, timeout=30).json()["data"]["symptoms"]
        return hits[0]["id"] if hits else None

    variables = []
    for present, absent in cases:
        s, a = [first_hit(p) for p in present], [first_hit(p) for p in absent]
        variables.append({"s": [i for i in s if i], "a": [i for i in a if i]})
    return phrases, variables


def run_all(
    graphql: tuple[str, int | None],
    bare: tuple[str, int | None],
    options: argparse.Namespace,
    tmp: Path,
) -> list[Result]:
    """Each scenario in turn; (url, server pid) pairs, the pid for reading the server's CPU time."""
    phrases, variables = presentations(graphql[0])
    assess = [{"query": ASSESS, "variables": v} for v in variables]
    scenarios: list[tuple[str, tuple[str, int | None], list[dict[str, Any]] | None, bool]] = [
        ("bare-lookup", bare, None, False),
        ("lookup", graphql, [{"query": LOOKUP}], False),
        ("lookup-distinct", graphql, [{"query": LOOKUP}], True),
        ("search", graphql, [{"query": SEARCH, "variables": {"q": p}} for p in phrases], True),
        ("assess", graphql, assess, True),
        ("assess-repeated", graphql, assess, False),
        ("assess-full", graphql, [{"query": ASSESS_FULL, "variables": v} for v in variables], True),
    ]
    results = []
    for name, (url, pid), bodies, distinct in scenarios:
        if options.load == "wrk":
            load_wrk(url, bodies, 1, options.concurrency, distinct, tmp)  # warm-up
            before = cpu_seconds(pid)
            count, errors, seconds, pct = load_wrk(url, bodies, options.seconds, options.concurrency, distinct, tmp)
            cpu = _cpu(before, cpu_seconds(pid))
            result = Result(  # wrk reports percentiles, not each latency
                name,
                count,
                options.concurrency,
                errors,
                round(seconds, 3),
                round(count / seconds, 1),
                *(round(1000 * pct[p], 2) for p in (50, 90, 99)),
                None if cpu is None else round(1000 * cpu / count, 3),
            )
        else:
            asyncio.run(load(url, bodies, 0, options.concurrency, options.warmup, distinct))
            before = cpu_seconds(pid)
            latencies, errors, seconds = asyncio.run(
                load(url, bodies, options.requests, options.concurrency, 0, distinct)
            )
            result = summarize(name, latencies, errors, seconds, options.concurrency, _cpu(before, cpu_seconds(pid)))
        results.append(result)
        print(f"  {name}: {result.rps} req/s, p50 {result.p50_ms} ms", file=sys.stderr)
    return results


def _cpu(before: float | None, after: float | None) -> float | None:
    return None if before is None or after is None else after - before


def report(results: list[Result], load: str) -> tuple[str, dict[str, Any]]:
    by = {r.scenario: r for r in results}
    ratio = by["lookup"].rps / by["bare-lookup"].rps
    distinct = by["lookup-distinct"].rps / by["bare-lookup"].rps
    lines = [
        "| scenario | requests | clients | req/s | p50 ms | p90 ms | p99 ms | server CPU ms/req | errors |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {r.scenario} | {r.requests} | {r.concurrency} | {r.rps:.0f} | {r.p50_ms:.2f} | {r.p90_ms:.2f} "
        f"| {r.p99_ms:.2f} | {'-' if r.server_cpu_ms is None else f'{r.server_cpu_ms:.3f}'} | {r.errors} |"
        for r in results
    ]
    assess_p50 = by["assess"].p50_ms
    lines += [
        "",
        "search and assess cycle through the vignettes' presentations, every request new (an unused "
        "variable counts up); assess asks what the evaluation client asks, assess-full adds explanations, "
        "findings, quotes and reasons; lookup and assess-repeated send the same bodies again (cached)",
        "",
        f"GraphQL lookup / bare route throughput: {ratio:.2f} (target >= 0.33: "
        f"{'met' if ratio >= 1 / 3 else 'NOT met'}); every request new: {distinct:.2f}",
    ]
    summary: dict[str, Any] = {
        "load": load,
        "lookup_to_bare_ratio": round(ratio, 3),
        "distinct_lookup_to_bare_ratio": round(distinct, 3),
        "assess_p50_ms": assess_p50,
    }
    bare_cpu, lookup_cpu = by["bare-lookup"].server_cpu_ms, by["lookup"].server_cpu_ms
    if bare_cpu and lookup_cpu:
        # independent of the client's own overhead: what each server could serve on one core
        cpu_ratio = bare_cpu / lookup_cpu
        summary["lookup_to_bare_server_cpu_ratio"] = round(cpu_ratio, 3)
        lines.append(
            f"by server CPU per request (client overhead excluded): {cpu_ratio:.2f} "
            f"({1000 / lookup_cpu:.0f} vs {1000 / bare_cpu:.0f} req/s per core)"
        )
    lines.append(
        f"assess p50 at {by['assess'].concurrency} clients: {assess_p50:.2f} ms (target < 10 ms: "
        f"{'met' if assess_p50 < 10 else 'NOT met'})"
    )
    summary["targets_met"] = ratio >= 1 / 3 and assess_p50 < 10
    return "\n".join(lines), summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--url", help="base URL of a running server (default: start `legpain serve`)")
    parser.add_argument(
        "--load",
        choices=("wrk", "httpx"),
        default="wrk" if shutil.which("wrk") else "httpx",
        help="load generator (default: wrk when installed, else httpx clients)",
    )
    parser.add_argument("--seconds", type=float, default=8, help="wrk: seconds per scenario (default 8)")
    parser.add_argument("--requests", type=int, default=3000, help="httpx: requests per scenario (default 3000)")
    parser.add_argument("--concurrency", type=int, default=8, help="concurrent clients (default 8)")
    parser.add_argument("--warmup", type=int, default=200, help="warm-up requests per scenario (default 200)")
    parser.add_argument(
        "--out",
        default=str(ROOT / "bench" / "results" / "http.json"),
        help="write the results as JSON here ('' to skip)",
    )
    parser.add_argument("--serve-baseline", type=int, metavar="PORT", help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve_baseline:
        serve_baseline(args.serve_baseline, args.data)
        return 0
    if args.url and httpx.URL(args.url).host not in ("127.0.0.1", "localhost", "::1"):
        parser.error("--url must be a loopback address")

    with tempfile.TemporaryDirectory() as tmp, _graphql_server(args.url, Path(tmp)) as (base, pid):
        lookup = httpx.post(base + "/graphql", json={"query": LOOKUP}, timeout=30).json()
        data_file = Path(tmp) / "lookup.json"
        data_file.write_text(json.dumps(lookup), encoding="utf-8")
        port = free_port()
        command = [
            sys.executable,
            str(Path(__file__).resolve()),
            "--serve-baseline",
            str(port),
            "--data",
            str(data_file),
        ]
        with process(command, f"http://127.0.0.1:{port}/health", Path(tmp) / "baseline.log") as bare:
            results = run_all((base + "/graphql", pid), (f"http://127.0.0.1:{port}/lookup", bare.pid), args, Path(tmp))
    table, summary = report(results, args.load)
    print(table)
    if args.out:
        out = Path(args.out)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(
            json.dumps(
                {
                    "command": " ".join(["python bench/bench_http.py", *(argv if argv is not None else sys.argv[1:])]),
                    "machine": {
                        "python": platform.python_version(),
                        "cpus": os.cpu_count(),
                        "platform": platform.platform(),
                    },
                    "results": [asdict(r) for r in results],
                    **summary,
                },
                indent=2,
            )
            + "\n",
            encoding="utf-8",
        )
    return 0


@contextmanager
def _graphql_server(url: str | None, tmp: Path) -> Iterator[tuple[str, int | None]]:
    """(base URL, pid): the given server (pid unknown) or `legpain serve` started here."""
    if url:
        wait_ready(url.rstrip("/") + "/health", timeout=10)
        yield url.rstrip("/"), None
        return
    port = free_port()
    env = {"LEGPAIN_CACHE_DIR": os.environ.get("LEGPAIN_CACHE_DIR") or str(tmp / "cache")}
    with process(legpain_command(port), f"http://127.0.0.1:{port}/health", tmp / "legpain.log", env) as proc:
        yield f"http://127.0.0.1:{port}", proc.pid


if __name__ == "__main__":
    sys.exit(main())
