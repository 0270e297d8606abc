"""Start benchmark: how long `load_service` takes, and its peak memory, cold and warm.

Cold is a fresh cache directory (the index is built in the store and kept; a prepared dump is kept
on disk by a background thread, which the cold process waits for after it is ready, as a server runs
on); warm is a second start with the same cache directory (the index read back from its snapshot,
`kg.knowledge.snapshot`, a prepared dump opened from its kept store). Each
start runs in its own process, so its peak RSS (`ru_maxrss`) is its own. Not a test: run it and copy
the printed table into the README.

    python bench/bench_start.py [--dataset /path/hpo.nq.gz] [--store oxigraph] [--warm 2]
                                [--json bench/results/start.json]

Without `--dataset` it starts the shipped graph; `bench/scale_data.py hpo -o FILE` writes the HPO one.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

WORKER = """
import json, resource, sys, time
started = time.perf_counter()
from kg.assessment.service import load_service
from kg.core.settings import Settings
service = load_service(Settings.from_env())
seconds = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
# a first start keeps a prepared dump on disk in the background: wait for it, as a server would run on
import threading
for thread in threading.enumerate():
    if thread.name == "keep-prepared-dataset":
        thread.join()
print(json.dumps({"start_s": seconds, "peak_rss_mb": peak, "kept_after_s": time.perf_counter() - started,
                  "triples": service.graph.triples if service.graph else None}))
"""


def start(env: dict[str, str]) -> dict[str, float]:
    """One start in a fresh process (imports included), as `legpain serve` would do it."""
    run = subprocess.run([sys.executable, "-c", WORKER], env=env, cwd=ROOT, capture_output=True, text=True, check=False)
    if run.returncode != 0:
        raise SystemExit(f"the start failed:\n{run.stderr[-2000:]}")
    result: dict[str, float] = json.loads(run.stdout.strip().splitlines()[-1])
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dataset", type=Path, help="a prepared N-Quads dump (LEGPAIN_DATASET)")
    parser.add_argument("--store", default="oxigraph", help="LEGPAIN_STORE (default: oxigraph, in memory)")
    parser.add_argument("--warm", type=int, default=2, help="warm starts after the cold one (median reported)")
    parser.add_argument("--json", type=Path, default=ROOT / "bench" / "results" / "start.json")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "LEGPAIN_CACHE_DIR": cache, "LEGPAIN_STORE": args.store, "PYTHONPATH": str(ROOT)}
        if args.dataset:
            env["LEGPAIN_DATASET"] = str(args.dataset.resolve())
        cold = start(env)
        warm = [start(env) for _ in range(args.warm)]
    results = {
        "python": platform.python_version(),
        "dataset": str(args.dataset) if args.dataset else "shipped",
        "store": args.store,
        "triples": cold.get("triples"),
        "cold_start_s": cold["start_s"],
        "cold_peak_rss_mb": cold["peak_rss_mb"],
        "cold_kept_on_disk_after_s": cold["kept_after_s"],
        "warm_start_s": statistics.median(w["start_s"] for w in warm) if warm else None,
        "warm_peak_rss_mb": max(w["peak_rss_mb"] for w in warm) if warm else None,
    }
    print("| measure | value |\n|---|---|")
    for key, value in results.items():
        print(f"| {key} | {f'{value:.2f}' if isinstance(value, float) else value} |")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
