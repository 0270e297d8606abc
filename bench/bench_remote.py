"""A new presentation through a remote store: what `assess` costs when the store is a SPARQL server and
the presentation's terms are new to the reader's caches.

Not a test (machines are shared and noisy): run it against a loaded store, then paste the figures into
the README.

    H=http://127.0.0.1:7878
    LEGPAIN_STORE="sparql:$H/query;$H/update;$H/store?no_transaction" \\
        python bench/bench_remote.py /tmp/x1000.meta.json [--presentations 20]

The presentations are the seeded ones `bench/scale_data.py` wrote beside the data set (`*.meta.json`:
3-5 typical findings of one condition, some with a more general finding), so any store loaded from that
file is asked the same questions. The service is loaded once (the engine check and the term lists are
read then, as a server does at its first request; that time is reported apart as `first_s`); before each
presentation every per-term cache of `kg.knowledge.remote.StoreKnowledge` is emptied, so each one reads
its findings, links and conditions from the store as a request with new terms would. Each presentation's
queries are tallied by name (calls and seconds, summed over the threads that ran them). The last line is
JSON: `{"presentations": N, "median_ms": ..., "min_ms": ..., "max_ms": ..., "first_s": ...,
"queries_per_presentation": ...}`.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import threading
import time
from collections import Counter
from collections.abc import Collection, Sequence
from pathlib import Path

from kg.assessment.service import load_service
from kg.core.namespaces import from_curie
from kg.core.settings import Settings
from kg.knowledge.index import IndexRow
from kg.knowledge.remote import StoreKnowledge


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("meta", type=Path, help="a data set's *.meta.json (bench/scale_data.py)")
    parser.add_argument("--presentations", type=int, default=20, help="how many seeded presentations (default 20)")
    args = parser.parse_args()
    presentations = json.loads(args.meta.read_text(encoding="utf-8"))["presentations"][: args.presentations]

    started = time.perf_counter()
    service = load_service(Settings.from_env())
    knowledge = service.knowledge
    if not isinstance(knowledge, StoreKnowledge):
        sys.exit("LEGPAIN_STORE names no remote store: this benchmark is for a SPARQL server")
    service.scorer.assess([from_curie(presentations[0][0])])  # the term lists, as a first request reads them
    first_s = time.perf_counter() - started

    calls: Counter[str] = Counter()
    seconds: dict[str, float] = {}
    lock = threading.Lock()
    rows = knowledge._rows

    def timed(
        name: str, variable: str | None = None, iris: Collection[str] | None = None, inline: bool = True
    ) -> Sequence[IndexRow]:
        t = time.perf_counter()
        try:
            return rows(name, variable, iris, inline)
        finally:
            with lock:
                calls[name] += 1
                seconds[name] = seconds.get(name, 0.0) + time.perf_counter() - t

    knowledge._rows = timed  # type: ignore[method-assign]
    times: list[float] = []
    for ids in presentations:
        for kind, table in knowledge._cache.items():
            if kind != "lists":  # the term lists and whole-store answers a server keeps
                table.clear()
        t = time.perf_counter()
        service.scorer.assess([from_curie(i) for i in ids])
        times.append(time.perf_counter() - t)
    n = len(times)
    for name, count in calls.most_common():
        print(f"{name:48s} {count / n:6.1f} calls {1000 * seconds[name] / n:8.1f} ms per presentation")
    print(
        json.dumps(
            {
                "presentations": n,
                "median_ms": round(1000 * statistics.median(times), 1),
                "min_ms": round(1000 * min(times), 1),
                "max_ms": round(1000 * max(times), 1),
                "first_s": round(first_s, 2),
                "queries_per_presentation": round(sum(calls.values()) / n, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
