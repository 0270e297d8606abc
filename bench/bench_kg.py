"""In-process benchmark of the knowledge graph: load, reasoning, search, assess and interview.

Not a test (machines are shared and noisy): run it and copy the table into the README.

    python bench/bench_kg.py [--repeat 5] [--calls 2000] [--json bench/results/kg.json]

Reports medians over repeats for load and reasoning, and median / p99 per call for search, assess and
interview (the next question for the first two findings of each presentation, and, as `interview_choosing`,
once every warning sign was answered no, where each possible answer is rescored).
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from rdflib import Graph

from kg.assessment.service import AssessmentRequest, LegPainService, load_service
from kg.core.settings import Settings
from kg.loading.inputs import discover_inputs, load_asserted
from kg.reasoning.reasoners import HermitReasoner, OwlRlReasoner, java_available, materialize
from kg.sparql.library import QueryLibrary

PHRASES = [
    "calf cramps on walks",
    "pins and needles",
    "pain eases when I stand still",
    "swollen leg",
    "heel pain in the morning",
    "can't put weight on it",
    "shin splints",
    "burning feet",
]
PRESENTATIONS = [
    ["lp:CalfCrampingOnWalking", "lp:PainAfterPredictableDistance", "lp:ReliefWithinMinutesOfRest"],
    ["lp:UnilateralLegSwelling", "lp:LegWarmth", "lp:LegRedness", "lp:ThrobbingPainNotRelievedByRest"],
    ["lp:PinsAndNeedles", "lp:BurningFeet", "lp:SymptomsSpreadingUpward"],
    ["lp:RadiatingPainDownBackOfLeg", "lp:ButtockPain", "lp:Tingling"],
    ["lp:FirstStepsHeelPain", "lp:SoleOfFootPain"],
]


def timed(fn: Callable[[], object]) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def _past_warnings(service: LegPainService, present: list[str]) -> AssessmentRequest:
    """The request of a person who answered no to every warning-sign question for these findings."""
    from kg.assessment.interview import QuestionKind

    absent: list[str] = []
    while True:
        question = service.interview(AssessmentRequest(present, absent)).question
        if question is None or question.kind is not QuestionKind.WARNING_SIGN:
            return AssessmentRequest(present, absent)
        absent += question.asks


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--json", type=Path, default=Path("bench/results/kg.json"))
    args = parser.parse_args(argv)
    results: dict[str, object] = {"python": platform.python_version(), "machine": platform.machine()}

    with tempfile.TemporaryDirectory() as cache:
        settings = Settings(cache_dir=Path(cache))
        # warm start: committed closure, no reasoner
        warm = [timed(lambda: load_service(settings)) for _ in range(args.repeat)]
        results["start_warm_s"] = statistics.median(warm)
        service = load_service(settings)
        results["triples"] = len(service.graph.dataset)
        results["rss_after_load_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

        asserted = Graph()
        for triple in load_asserted(discover_inputs(settings)).triples((None, None, None)):
            asserted.add(triple)
        queries = QueryLibrary(settings.queries_dir)
        results["reason_owlrl_s"] = statistics.median(
            timed(lambda: materialize(asserted, OwlRlReasoner(), queries)) for _ in range(max(1, args.repeat // 2))
        )
        if java_available():
            results["reason_hermit_s"] = statistics.median(
                timed(lambda: materialize(asserted, HermitReasoner(), queries)) for _ in range(max(1, args.repeat // 2))
            )
            # cold start: no committed closure fits (reasoner="hermit" forces it), JVM included
            results["start_cold_hermit_s"] = timed(lambda: load_service(settings, "hermit"))

    search = [
        timed(lambda p=p: service.search_findings(p, 20)) for _ in range(args.calls // len(PHRASES)) for p in PHRASES
    ]
    assess = [
        timed(lambda ids=ids: service.scorer.assess(ids))
        for _ in range(args.calls // len(PRESENTATIONS))
        for ids in PRESENTATIONS
    ]
    interview = [
        timed(lambda ids=ids: service.interview(AssessmentRequest(ids[:2])))
        for _ in range(args.calls // len(PRESENTATIONS))
        for ids in PRESENTATIONS
    ]
    # past the warning signs (each answered no), where every possible answer is rescored
    past_warnings = [_past_warnings(service, ids[:2]) for ids in PRESENTATIONS]
    choosing = [
        timed(lambda request=request: service.interview(request))
        for _ in range(args.calls // len(PRESENTATIONS) // 10)
        for request in past_warnings
    ]
    for name, values in (
        ("search", search),
        ("assess", assess),
        ("interview", interview),
        ("interview_choosing", choosing),
    ):
        results[f"{name}_p50_ms"] = statistics.median(values) * 1000
        results[f"{name}_p99_ms"] = percentile(values, 99) * 1000

    print("| measure | value |\n|---|---|")
    for key, value in results.items():
        shown = f"{value:.3f}" if isinstance(value, float) else str(value)
        print(f"| {key} | {shown} |")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
