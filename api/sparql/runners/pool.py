"""A pool of SPARQL worker processes with a hard per-query time limit.

Why processes: the only way to really stop a runaway query (a cross join, an unbounded property
path) is to stop the process evaluating it. `execute()` hands a job to an idle worker and waits for
the reply up to the time limit; past it, the worker is killed (SIGKILL), the caller gets
`QueryTimeoutError`, and a fresh worker is started in the background, so the other workers keep
serving meanwhile. Workers are started with the `spawn` method: forking a server that already runs
threads (uvicorn, anyio) is unsafe.

`run()` is what the HTTP side awaits: under asyncio it waits for the reply on the event loop itself
(`loop.add_reader` on the worker's pipe), which measured about 0.3 ms less per query than handing
the wait to a thread; elsewhere it falls back to a thread. `execute()` is the blocking form (`run`
on an event loop of its own). The
loop is only asked when the pipe is readable; the reply is then read with `Connection.recv`, which
assumes a blocking descriptor. uvloop's `add_reader` switches the descriptor to non-blocking mode
and leaves it so, and a reply larger than one pipe buffer then failed half-read with
`BlockingIOError` (taken for a dead worker); so the pool puts the descriptor back into blocking mode
before every send and receive, whatever the loop did to it. The worker writes each reply whole and
replies are bounded by the byte cap, so the read ends promptly.

Long queries cannot take every worker. A query still running after `long_query_s` counts as long;
at most `size - reserved` long queries run at once, and one that would take a reserved worker is
stopped there (`PoolBusyError`, its worker replaced), so `reserved` workers always come free within
`long_query_s` for the short lookups most clients send, however many heavy queries arrive.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import queue
import threading
import time
import weakref
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess

import anyio.to_thread

from api.sparql.runners.jobs import QueryJob, Reply, WorkerConfig
from api.sparql.runners.worker import serve

log = logging.getLogger("legpain.sparql")

_START_TIMEOUT_S = 60.0
_RESTART_ATTEMPTS = 3


class PoolError(RuntimeError):
    """A query could not be run to completion; the message is safe to show to the client."""


class QueryTimeoutError(PoolError):
    """The query ran past the time limit and its worker was stopped."""


class PoolBusyError(PoolError):
    """Every worker stayed busy for the whole time limit."""


class WorkerLostError(PoolError):
    """The worker stopped while evaluating (out of memory, or killed from outside)."""


class _Worker:
    """One worker process and the parent's end of its pipe."""

    conn: Connection

    def __init__(self, config: WorkerConfig) -> None:
        ctx = multiprocessing.get_context("spawn")
        self.conn, child = ctx.Pipe(duplex=True)
        self.process: BaseProcess = ctx.Process(
            target=serve, args=(child, config), daemon=True, name="legpain-sparql-worker"
        )
        self.process.start()
        child.close()
        self.confined = False
        # a worker may be stopped by the thread that replaces it and by `terminate` at once: closing
        # its pipe twice at the same moment closes a file descriptor twice (EBADF)
        self._stopping = threading.Lock()
        self._stopped = False

    def send(self, job: QueryJob) -> None:
        os.set_blocking(self.conn.fileno(), True)  # an event loop may have left it non-blocking
        self.conn.send(job)

    def receive(self) -> Reply:
        os.set_blocking(self.conn.fileno(), True)
        reply: Reply = self.conn.recv()
        return reply

    def wait_ready(self, timeout: float) -> None:
        if not self.conn.poll(timeout):
            self.stop()
            raise PoolError(f"a SPARQL worker did not start within {timeout:.0f} s")
        try:
            status, detail = self.conn.recv()
        except (EOFError, OSError) as exc:
            self.stop()
            raise PoolError("a SPARQL worker stopped while starting") from exc
        if status != "ready":
            self.stop()
            raise PoolError(str(detail))
        self.confined = bool(detail)

    def stop(self) -> None:
        """Kill the process at once and reap it (a worker holds no state worth a graceful exit); once,
        whichever threads ask."""
        with self._stopping:
            if self._stopped:
                return
            self._stopped = True
            if self.process.is_alive():
                self.process.kill()
            self.process.join(timeout=5)
            self.conn.close()


def _stop_all(workers: set[_Worker]) -> None:
    for worker in list(workers):
        worker.stop()
    workers.clear()


async def _readable(conn: Connection, timeout: float) -> bool:
    """Whether the pipe has something to read within `timeout`, waiting on the running event loop."""
    if conn.poll(0):
        return True
    if timeout <= 0:
        return False
    loop = asyncio.get_running_loop()
    fd = conn.fileno()
    ready: asyncio.Future[None] = loop.create_future()

    def wake() -> None:
        if not ready.done():
            ready.set_result(None)

    loop.add_reader(fd, wake)
    try:
        await asyncio.wait_for(ready, timeout)
        return True
    except TimeoutError:
        return False
    finally:
        loop.remove_reader(fd)


class WorkerPool:
    """`size` workers, each holding the whole dataset; started eagerly by the constructor.

    `reserved` of them (fewer than `size`) are kept from queries running longer than `long_query_s`
    (see the module docstring)."""

    def __init__(self, config: WorkerConfig, size: int = 3, reserved: int = 1, long_query_s: float = 0.5) -> None:
        self.config = config
        self.size = max(1, size)
        self.max_long = max(1, self.size - max(0, reserved))
        self.long_query_s = long_query_s
        self._long = 0
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._workers: set[_Worker] = set()
        self._lock = threading.Lock()
        self._closed = False
        starting = [_Worker(config) for _ in range(self.size)]
        self._workers.update(starting)
        # stop the processes when the pool is dropped or the interpreter exits, whichever is first
        self._finalizer = weakref.finalize(self, _stop_all, self._workers)
        try:
            for worker in starting:
                worker.wait_ready(_START_TIMEOUT_S)
        except PoolError:
            self.terminate()
            raise
        self.confined = all(w.confined for w in starting)
        if not self.confined:
            log.warning(
                "SPARQL workers run without kernel confinement (seccomp unavailable); only the "
                "query-text guard keeps SERVICE out"
            )
        for worker in starting:
            self._idle.put(worker)

    def _take(self, timeout: float) -> _Worker:
        """An idle worker, waiting up to `timeout` for one."""
        if self._closed:
            raise PoolError("the SPARQL endpoint is shutting down")
        try:
            return self._idle.get(timeout=timeout)
        except queue.Empty:
            raise PoolBusyError(f"all {self.size} SPARQL workers stayed busy for {timeout:g} s; retry later") from None

    def _give_back(self, worker: _Worker, healthy: bool) -> None:
        if healthy and not self._closed:
            self._idle.put(worker)
        elif healthy:
            self._retire(worker)
        else:  # timed out, lost, or abandoned with a reply still due: never reuse it
            self._replace(worker)

    @staticmethod
    def _timed_out(timeout: float) -> QueryTimeoutError:
        return QueryTimeoutError(f"the query ran longer than the {timeout:g} s limit and was stopped")

    @staticmethod
    def _lost(exc: BaseException) -> WorkerLostError:
        error = WorkerLostError(
            "the query stopped the worker evaluating it (it most likely needed more memory than allowed)"
        )
        error.__cause__ = exc
        return error

    def _start_long(self) -> None:
        """Count a query that ran past `long_query_s`, or stop it when it would take a reserved worker."""
        with self._lock:
            if self._long >= self.max_long:
                raise PoolBusyError(
                    f"{self._long} long-running queries are already being answered and the "
                    f"other workers are kept for short ones: this query ran past "
                    f"{self.long_query_s:g} s and was stopped; retry later"
                )
            self._long += 1

    def _end_long(self) -> None:
        with self._lock:
            self._long -= 1

    def execute(self, job: QueryJob, timeout: float) -> Reply:
        """The blocking form of `run` (for threads and for event loops other than asyncio): the same
        steps, on an event loop of its own, so the time limits and the long-query rule live once."""
        return asyncio.run(self.run(job, timeout))

    async def run(self, job: QueryJob, timeout: float) -> Reply:
        """Run a job without holding a thread while the worker evaluates it (see the module docstring)."""
        try:
            asyncio.get_running_loop()
        except RuntimeError:  # not asyncio (trio): wait in a thread instead
            return await anyio.to_thread.run_sync(self.execute, job, timeout)
        try:
            worker = self._idle.get_nowait() if not self._closed else self._take(0)
        except queue.Empty:
            worker = await anyio.to_thread.run_sync(self._take, timeout)
        healthy = long = False
        try:
            worker.send(job)
            first = min(self.long_query_s, timeout)
            if not await _readable(worker.conn, first):
                self._start_long()
                long = True
                if not await _readable(worker.conn, timeout - first):
                    raise self._timed_out(timeout)
            reply = worker.receive()
            healthy = True
            return reply
        except (EOFError, OSError) as exc:
            raise self._lost(exc) from exc
        finally:
            if long:
                self._end_long()
            self._give_back(worker, healthy)

    def _replace(self, worker: _Worker) -> None:
        """Kill a worker and start its successor in the background (others keep serving)."""

        def run() -> None:
            started = time.perf_counter()
            worker.stop()
            with self._lock:
                self._workers.discard(worker)
                if self._closed:
                    return
            fresh = None
            for attempt in range(1, _RESTART_ATTEMPTS + 1):
                try:
                    fresh = _Worker(self.config)
                    with self._lock:
                        self._workers.add(fresh)
                    fresh.wait_ready(_START_TIMEOUT_S)
                    break
                except (PoolError, OSError):
                    log.exception("could not restart a SPARQL worker (attempt %d)", attempt)
                    fresh = None
                    time.sleep(attempt)
            if fresh is None:
                return
            with self._lock:
                if self._closed:
                    fresh.stop()
                    return
            self._idle.put(fresh)
            log.info("SPARQL worker restarted in %.2f s", time.perf_counter() - started)

        threading.Thread(target=run, name="legpain-sparql-respawn", daemon=True).start()

    def _retire(self, worker: _Worker) -> None:
        worker.stop()
        with self._lock:
            self._workers.discard(worker)

    def close(self) -> None:
        """Stop taking queries: idle workers stop now, busy ones when their query is answered (a graph
        swapped in by a reload does not cut the queries running on the old one). Later `execute()`
        calls fail with `PoolError`."""
        with self._lock:
            self._closed = True
        while True:
            try:
                worker = self._idle.get_nowait()
            except queue.Empty:
                break
            self._retire(worker)

    def terminate(self) -> None:
        """Stop every worker at once, busy or not."""
        with self._lock:
            self._closed = True
        self._finalizer()
