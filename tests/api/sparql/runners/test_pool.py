"""The worker pool: a hard time limit that really stops the query, a memory cap, and service meanwhile."""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import Iterator

import pytest

from api.sparql.runners.jobs import QueryJob, WorkerConfig
from api.sparql.runners.pool import PoolBusyError, PoolError, QueryTimeoutError, WorkerLostError, WorkerPool
from kg.assessment.service import LegPainService
from tests.support.listener import Listener

#: slow: worker processes start and queries run into their time limits
pytestmark = pytest.mark.slow

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
#: about 16 million joined rows compared one by one: seconds of work, little memory
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . FILTER (?c = ?f) }"
#: the same join comparing computed strings: several times slower still, as little memory
SLOWER = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . FILTER (LCASE(STR(?c)) = LCASE(STR(?f))) }"
#: the same join sorted: the solutions are materialized, gigabytes within a second
HUNGRY = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?a ?f"


@pytest.fixture(scope="module")
def pool(service: LegPainService) -> Iterator[WorkerPool]:
    nquads = service.graph.dataset.serialize(format="nquads").encode("utf-8")
    workers = WorkerPool(WorkerConfig(nquads=nquads, memory_budget_mb=256), size=2)
    yield workers
    workers.terminate()


def _count(reply_body: bytes) -> int:
    import json

    return int(json.loads(reply_body)["results"]["bindings"][0]["n"]["value"])


def test_workers_hold_the_whole_dataset_and_are_confined(pool: WorkerPool, service: LegPainService) -> None:
    reply = pool.execute(QueryJob(COUNT, "", 100), timeout=10)
    assert reply.status == 200
    assert _count(reply.body) == len(service.graph.dataset)
    assert pool.confined


def test_timeout_stops_the_query_and_others_are_served_meanwhile(pool: WorkerPool) -> None:
    outcome: dict[str, object] = {}

    def slow() -> None:
        started = time.monotonic()
        try:
            pool.execute(QueryJob(SLOW, "", 100), timeout=1.5)
            outcome["slow"] = "completed"
        except QueryTimeoutError as exc:
            outcome["slow"] = exc
        outcome["slow_seconds"] = time.monotonic() - started

    thread = threading.Thread(target=slow)
    thread.start()
    time.sleep(0.3)
    started = time.monotonic()
    reply = pool.execute(QueryJob(COUNT, "", 100), timeout=5)
    light_seconds = time.monotonic() - started
    thread.join(timeout=30)
    assert reply.status == 200 and light_seconds < 1.0
    assert isinstance(outcome["slow"], QueryTimeoutError)
    assert "1.5 s limit" in str(outcome["slow"])
    assert 1.4 < float(outcome["slow_seconds"]) < 4.0  # type: ignore[arg-type]
    # the killed worker is replaced: both workers serve again
    deadline = time.monotonic() + 30
    while pool._idle.qsize() < pool.size and time.monotonic() < deadline:
        time.sleep(0.1)
    assert pool._idle.qsize() == pool.size


def test_a_query_over_the_memory_cap_loses_only_its_worker(pool: WorkerPool) -> None:
    with pytest.raises(WorkerLostError, match="memory"):
        pool.execute(QueryJob(HUNGRY, "", 100), timeout=20)
    assert pool.execute(QueryJob(COUNT, "", 100), timeout=20).status == 200


def test_service_that_bypasses_the_text_guard_still_cannot_connect(pool: WorkerPool) -> None:
    """The HTTP side refuses SERVICE before a worker sees it; were that guard bypassed, the worker's
    kernel sandbox still stops the connection."""
    listener = Listener()
    try:
        query = f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{listener.port}/sparql> {{ ?s ?p ?o }} }}"
        reply = pool.execute(QueryJob(query, "", 100), timeout=10)
        time.sleep(0.3)
    finally:
        listener.close()
    assert reply.status == 400 and b"not permitted" in reply.body
    assert listener.connections == []


def test_busy_pool_says_so() -> None:
    config = WorkerConfig(nquads=b"<urn:a> <urn:b> <urn:c> .\n")
    pool = WorkerPool(config, size=1)
    try:
        worker = pool._idle.get()
        with pytest.raises(PoolBusyError):
            pool.execute(QueryJob(COUNT, "", 10), timeout=0.2)
        pool._idle.put(worker)
        assert pool.execute(QueryJob(COUNT, "", 10), timeout=5).status == 200
    finally:
        pool.close()
    with pytest.raises(PoolError):
        pool.execute(QueryJob(COUNT, "", 10), timeout=1)


def test_a_dataset_that_does_not_load_is_reported() -> None:
    with pytest.raises(PoolError, match="could not load"):
        WorkerPool(WorkerConfig(nquads=b"this is not n-quads"), size=1)


def test_close_lets_running_queries_finish(service: LegPainService) -> None:
    """A reload swaps the graph and closes the old pool: queries already running still get answers."""
    nquads = service.graph.dataset.serialize(format="nquads").encode("utf-8")
    pool = WorkerPool(WorkerConfig(nquads=nquads), size=1)
    medium = "SELECT (COUNT(*) AS ?n) { { SELECT ?c { ?a ?b ?c } LIMIT 500 } ?d ?e ?f . FILTER (?c = ?f) }"
    replies: list[object] = []
    thread = threading.Thread(target=lambda: replies.append(pool.execute(QueryJob(medium, "", 10), timeout=30)))
    thread.start()
    time.sleep(0.2)
    pool.close()
    thread.join(timeout=30)
    assert getattr(replies[0], "status", None) == 200
    with pytest.raises(PoolError, match="shutting down"):
        pool.execute(QueryJob(COUNT, "", 10), timeout=1)
    assert not pool._workers


def test_awaited_queries_time_out_and_a_cancelled_one_frees_its_worker(pool: WorkerPool) -> None:
    """`run()` waits on the event loop: the same time limit, and a request that goes away (its task
    cancelled) does not leave a worker busy with a reply nobody reads."""

    async def scenario() -> int:
        with pytest.raises(QueryTimeoutError):
            await pool.run(QueryJob(SLOW, "", 100), 1.0)
        abandoned = asyncio.create_task(pool.run(QueryJob(SLOW, "", 100), 30))
        await asyncio.sleep(0.3)
        abandoned.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await abandoned
        light = await asyncio.gather(*(pool.run(QueryJob(COUNT, "", 100), 20) for _ in range(4)))
        return sum(r.status for r in light)

    assert asyncio.run(scenario()) == 4 * 200
    deadline = time.monotonic() + 30
    while pool._idle.qsize() < pool.size and time.monotonic() < deadline:
        time.sleep(0.1)
    assert pool._idle.qsize() == pool.size


WHOLE = "SELECT * WHERE { ?s ?p ?o }"


def test_large_replies_are_read_whole_under_uvloop(pool: WorkerPool, service: LegPainService) -> None:
    """uvloop's `add_reader` leaves the pipe non-blocking; a reply larger than one pipe buffer must
    still be read whole (it was taken for a dead worker, and the client got 503)."""
    import uvloop

    async def scenario() -> list[tuple[int, int]]:
        replies = [await pool.run(QueryJob(WHOLE, "text/csv", 100_000), 30) for _ in range(12)]
        replies += await asyncio.gather(*(pool.run(QueryJob(WHOLE, "", 100_000), 30) for _ in range(6)))
        return [(r.status, r.rows) for r in replies]

    outcomes = uvloop.run(scenario())
    assert outcomes == [(200, len(service.graph.dataset))] * 18


def test_short_queries_are_answered_while_long_ones_run(service: LegPainService) -> None:
    """Long queries may take all workers but the reserved one: a short query is answered within a
    second meanwhile, and a long query that would take the reserved worker is stopped, not queued."""
    nquads = service.graph.dataset.serialize(format="nquads").encode("utf-8")
    pool = WorkerPool(WorkerConfig(nquads=nquads), size=3, reserved=1, long_query_s=0.3)

    async def scenario() -> tuple[list[object], float, int]:
        heavy = [asyncio.create_task(pool.run(QueryJob(SLOWER, "", 10), 3)) for _ in range(2)]
        await asyncio.sleep(0.6)  # both are long now
        started = time.monotonic()
        light = await pool.run(QueryJob(COUNT, "", 10), 4)
        light_seconds = time.monotonic() - started
        third: object
        try:
            third = await pool.run(QueryJob(SLOWER, "", 10), 3)
        except PoolBusyError as exc:
            third = exc
        outcomes = await asyncio.gather(*heavy, return_exceptions=True)
        return [*outcomes, third], light_seconds, light.status

    try:
        outcomes, light_seconds, status = asyncio.run(scenario())
    finally:
        pool.terminate()
    assert status == 200 and light_seconds < 1.0
    assert all(isinstance(o, QueryTimeoutError) for o in outcomes[:2])
    assert isinstance(outcomes[2], PoolBusyError) and "long-running" in str(outcomes[2])


def test_a_worker_stopped_from_two_threads_at_once_is_stopped_once(service: LegPainService) -> None:
    """The thread that replaces a worker and `terminate` may both stop it: its pipe is closed once."""
    from api.sparql.runners.pool import _Worker

    nquads = service.graph.dataset.serialize(format="nquads").encode("utf-8")
    worker = _Worker(WorkerConfig(nquads=nquads))
    errors: list[Exception] = []

    def stop() -> None:
        try:
            worker.stop()
        except Exception as exc:  # reported below: any failure of a concurrent stop
            errors.append(exc)

    threads = [threading.Thread(target=stop) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert not worker.process.is_alive() and worker.conn.closed
