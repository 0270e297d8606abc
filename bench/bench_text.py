"""Free-text speed: `parse` per sentence in process, and what `assess(text:)` adds over HTTP.

    python bench/bench_text.py                 # in process: parse and assess(text) per sentence
    python bench/bench_text.py --wrk           # also over HTTP: wrk on assess(text:) vs assess(symptoms:)

The sentences are the free-text evaluation set's (tests/eval/presentations.json), split at sentence
ends. Figures are medians and 95th percentiles of repeated runs after a warm-up (the first read builds
the spaCy pipeline); JSON goes to bench/results/text.json.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.bench_http import free_port, legpain_command, process  # noqa: E402
from kg.assessment.service import AssessmentRequest, load_service  # noqa: E402
from kg.core.settings import Settings  # noqa: E402


def sentences() -> list[str]:
    items = json.loads((ROOT / "tests" / "eval" / "presentations.json").read_text(encoding="utf-8"))["items"]
    out = [s.strip() for item in items for s in re.split(r"(?<=[.!?])\s+", item["text"]) if s.strip()]
    return out


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def in_process(rounds: int) -> dict[str, Any]:
    service = load_service(Settings.from_env())
    texts = sentences()
    service.parse(texts[0])  # builds the pipeline
    parse_ms: list[float] = []
    assess_ms: list[float] = []
    first_pass: list[float] = []
    for round_no in range(rounds):
        for text in texts:
            started = time.perf_counter()
            service.parse(text)
            parse_ms.append((time.perf_counter() - started) * 1000)
            if round_no == 0:
                first_pass.append(parse_ms[-1])
            started = time.perf_counter()
            service.assess(AssessmentRequest(text=text))
            assess_ms.append((time.perf_counter() - started) * 1000)
    return {
        "sentences": len(texts),
        "rounds": rounds,
        "parse_p50_ms": round(statistics.median(parse_ms), 3),
        "parse_p95_ms": round(percentile(parse_ms, 95), 3),
        "parse_max_ms": round(max(parse_ms), 3),
        # the first pass reads every sentence for the first time (no window of it memoised yet)
        "parse_first_pass_p50_ms": round(statistics.median(first_pass), 3),
        "parse_first_pass_p95_ms": round(percentile(first_pass, 95), 3),
        "assess_text_p50_ms": round(statistics.median(assess_ms), 3),
        "assess_text_p95_ms": round(percentile(assess_ms, 95), 3),
    }


WRK_SCRIPT = """wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '%s'
"""


def over_http(seconds: int) -> dict[str, Any]:
    """wrk -t1 with 1 and 8 connections on the same presentation as IDs and as a sentence: the
    difference of the medians is what reading the text adds per request (with 8 connections, requests
    also wait for each other's reading: one server process)."""
    ids = (
        '{"query":"{ assess(symptoms: [\\\\"lp:CalfCrampingOnWalking\\\\", \\\\"lp:ReliefWithinMinutesOfRest\\\\"]) '
        '{ urgency { rank } candidates { rank score } } }"}'
    )
    text = (
        '{"query":"{ assess(text: \\\\"My calf tightens after a few hundred yards and eases when I stand still\\\\") '
        '{ urgency { rank } candidates { rank score } } }"}'
    )
    out: dict[str, Any] = {}
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "serve.log"
        with process(legpain_command(port), f"http://127.0.0.1:{port}/health", log):
            for connections, (name, body) in [(c, run) for c in (1, 8) for run in (("ids", ids), ("text", text))]:
                script = Path(tmp) / f"{name}.lua"
                script.write_text(WRK_SCRIPT % body)
                subprocess.run(
                    ["wrk", "-t1", "-c8", "-d2s", "-s", str(script), f"http://127.0.0.1:{port}/graphql"],
                    capture_output=True,
                    check=True,
                )  # warm-up
                done = subprocess.run(
                    [
                        "wrk",
                        "-t1",
                        f"-c{connections}",
                        f"-d{seconds}s",
                        "--latency",
                        "-s",
                        str(script),
                        f"http://127.0.0.1:{port}/graphql",
                    ],
                    capture_output=True,
                    text=True,
                    check=True,
                ).stdout
                name = f"{name}_c{connections}"
                rps = float(re.search(r"Requests/sec:\s+([\d.]+)", done)[1])  # type: ignore[index]
                p50 = re.search(r"50%\s+([\d.]+)(us|ms|s)", done)
                assert p50 is not None
                scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[p50[2]]
                out[f"{name}_requests_per_s"] = round(rps)
                out[f"{name}_p50_ms"] = round(float(p50[1]) * scale, 3)
    for connections in (1, 8):
        out[f"added_p50_ms_c{connections}"] = round(
            out[f"text_c{connections}_p50_ms"] - out[f"ids_c{connections}_p50_ms"], 3
        )
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5, help="passes over the sentences (default 5)")
    parser.add_argument("--wrk", action="store_true", help="also measure over HTTP with wrk")
    parser.add_argument("--seconds", type=int, default=8, help="wrk duration per run (default 8)")
    args = parser.parse_args()
    result: dict[str, Any] = {"date": time.strftime("%Y-%m-%d"), "in_process": in_process(args.rounds)}
    if args.wrk:
        result["http"] = over_http(args.seconds)
    print(json.dumps(result, indent=2))
    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    (results / "text.json").write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
