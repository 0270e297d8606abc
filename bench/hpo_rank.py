"""Rank diseases for one patient with the HPO library's own similarity: pyhpo 4.0.0 or hpo3.

One script for both, because hpo3 (the Rust rewrite) installs a Python module also named `pyhpo`: the
two cannot share a virtual environment, so `bench_scale.py` runs this file once with the project's
interpreter (pyhpo) and once with a separate hpo3 venv. Takes a JSON request as its argument (or on
stdin), writes a JSON result on stdout:

    {"terms": ["HP:0000750", ...], "runs": 3, "sources": ["omim", "orpha"],
     "data_folder": "/path/to/pyhpo/data" (hpo3 only: rank the same data as pyhpo 4.0.0),
     "target": {"kind": "omim", "id": 617916}, "top": 5}

or, to rank many patients with one ontology load (`bench_phenopackets.py`), `"cases"` instead of
`"terms"` and `"target"`: `[{"id": ..., "terms": [...], "target": {"kind": "omim", "id": 601718}}, ...]`;
the result then lists each case's `rank` of its target (null when the target is not among the
diseases) and `ms`, and terms the ontology does not know are left out of that case (counted).

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
    prepare_s = time.perf_counter() - started

    if "cases" in request:
        return {
            "impl": impl,
            "version": version,
            "load_s": round(load_s, 3),
            "prepare_s": round(prepare_s, 3),
            "candidates": len(sets),
            **_rank_cases(impl, request["cases"], diseases, sets),
        }
    patient = HPOSet.from_queries(request["terms"])

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


def _rank_cases(
    impl: str, cases: list[dict[str, Any]], diseases: list[tuple[str, Any]], sets: list[Any]
) -> dict[str, Any]:
    """Each case's rank of its target disease (1 = first; ties broken by disease ID, as `rank` does)."""
    from pyhpo import HPOSet, Ontology

    where = {(kind, int(d.id)): i for i, (kind, d) in enumerate(diseases)}
    out: list[dict[str, Any]] = []
    unknown = 0
    for case in cases:
        known = []
        for term in case["terms"]:
            try:
                Ontology.get_hpo_object(term)
                known.append(term)
            except (KeyError, RuntimeError, ValueError):
                unknown += 1
        target = where.get((case["target"]["kind"], int(case["target"]["id"])))
        if not known or target is None:
            out.append({"id": case["id"], "rank": None, "ms": None})
            continue
        started = time.perf_counter()
        patient = HPOSet.from_queries(known)
        scores = patient.similarity_scores(sets) if impl == "hpo3" else [patient.similarity(o) for o in sets]
        mine = scores[target]
        # ahead: a higher score, or the same score and a smaller index (the sort order of `rank`)
        rank = 1 + sum(1 for i, s in enumerate(scores) if s > mine or (s == mine and i < target))
        out.append({"id": case["id"], "rank": rank, "ms": round((time.perf_counter() - started) * 1000, 2)})
    return {"cases": out, "unknown_terms": unknown}


if __name__ == "__main__":
    json.dump(rank(json.loads(sys.argv[1]) if len(sys.argv) > 1 else json.load(sys.stdin)), sys.stdout)
    sys.stdout.write("\n")
