"""Rank diseases for one patient with the HPO library's own similarity: pyhpo 4.0.0 or hpo3.

One script for both, because hpo3 (the Rust rewrite) installs a Python module also named `pyhpo`: the
two cannot share a virtual environment, so `bench_scale.py` runs this file once with the project's
interpreter (pyhpo) and once with a separate hpo3 venv. Takes a JSON request as its argument (or on
stdin), writes a JSON result on stdout:

    {"terms": ["HP:0000750", ...], "runs": 3, "sources": ["omim", "orpha"],
     "data_folder": "/path/to/pyhpo/data" (hpo3 only: rank the same data as pyhpo 4.0.0),
     "target": {"kind": "omim", "id": 617916}, "top": 5}

Both rank with their documented defaults: `HPOSet.similarity(other)` with kind `omim`, method `graphic`
(Deng et al.) and combine `funSimAvg`; hpo3 through its batch method `HPOSet.similarity_scores`, pyhpo
(which has none) one disease at a time. Only the ranking is timed: the ontology load and building each
disease's HPOSet happen once, before, as a service would do at start.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from importlib import metadata
from typing import Any


def implementation() -> tuple[str, str]:
    """("hpo3", version) or ("pyhpo", version): which distribution provides the `pyhpo` module here."""
    for name in ("hpo3", "pyhpo"):
        try:
            return name, metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    raise SystemExit("neither hpo3 nor pyhpo is installed in this interpreter")


def rank(request: dict[str, Any]) -> dict[str, Any]:
    from pyhpo import HPOSet, Ontology

    impl, version = implementation()
    started = time.perf_counter()
    if impl == "hpo3" and request.get("data_folder"):
        Ontology(request["data_folder"])
    else:
        Ontology()
    load_s = time.perf_counter() - started

    started = time.perf_counter()
    collections = {"omim": Ontology.omim_diseases, "orpha": Ontology.orpha_diseases}
    diseases = [
        (kind, d) for kind in request.get("sources", ["omim"]) for d in sorted(collections[kind], key=lambda d: d.id)
    ]
    sets = [d.hpo_set() for _, d in diseases]
    patient = HPOSet.from_queries(request["terms"])
    prepare_s = time.perf_counter() - started

    def once() -> list[tuple[float, int]]:
        if impl == "hpo3":
            scores = patient.similarity_scores(sets)
        else:
            scores = [patient.similarity(other) for other in sets]
        return sorted(((s, i) for i, s in enumerate(scores)), key=lambda x: (-x[0], x[1]))

    times: list[float] = []
    ranked: list[tuple[float, int]] = []
    for _ in range(max(1, int(request.get("runs", 3)))):
        started = time.perf_counter()
        ranked = once()
        times.append(time.perf_counter() - started)

    target = request.get("target") or {}
    position = next(
        (
            n
            for n, (_, i) in enumerate(ranked, start=1)
            if diseases[i][0] == target.get("kind") and int(diseases[i][1].id) == target.get("id")
        ),
        None,
    )
    top = [
        {
            "id": f"{diseases[i][0].upper()}:{diseases[i][1].id}",
            "name": diseases[i][1].name,
            "score": round(float(s), 4),
        }
        for s, i in ranked[: int(request.get("top", 5))]
    ]
    return {
        "impl": impl,
        "version": version,
        "method": "graphic / funSimAvg / omim IC (library defaults)",
        "candidates": len(sets),
        "load_s": round(load_s, 3),
        "prepare_s": round(prepare_s, 3),
        "rank_s": [round(t, 4) for t in times],
        "median_ms": round(statistics.median(times) * 1000, 2),
        "target_rank": position,
        "top": top,
    }


if __name__ == "__main__":
    json.dump(rank(json.loads(sys.argv[1]) if len(sys.argv) > 1 else json.load(sys.stdin)), sys.stdout)
    sys.stdout.write("\n")
