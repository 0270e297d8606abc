"""A SPARQL worker: a process holding the dataset in an in-memory Oxigraph store.

Why a process: a query cannot be interrupted inside Oxigraph (no cancellation in the Python API,
and a thread cannot be killed), so the server runs each query in a worker it can kill when the
time limit passes (`api.sparql.runners.pool`). Why Oxigraph: on this data it answers the lookups and the
candidate ranking 8-64 times faster than rdflib's engine (DESIGN.md), and it never dereferences
FROM / FROM NAMED IRIs: they only select graphs of the store.

The worker imports nothing of rdflib or starlette. Once loaded it confines itself
(`api.sparql.runners.sandbox`): no sockets, no file opening, no programs; then it answers `QueryJob`s with
`Reply`s over its pipe until the pipe closes or its parent process goes away.
"""

from __future__ import annotations

import os
import resource
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from multiprocessing.connection import Connection
from typing import TypedDict, TypeVar

import pyoxigraph as ox

from api.sparql import results as sparql_results
from api.sparql.formats import Format, Kind, describe, from_short_name, negotiate
from api.sparql.runners.jobs import QueryJob, Reply, WorkerConfig
from api.sparql.runners.sandbox import confine
from kg.core.formats import rdf_format

_PLAIN = "text/plain; charset=utf-8"
#: Stack of the thread that parses and evaluates queries. Oxigraph's parser and evaluator recurse
#: per nesting level and per operand of a long operator chain (`1+1+...`, `{..} UNION {..} ...`);
#: with the default 8 MiB a 40 KB query can overflow it and kill the worker. 256 MiB of address
#: space (touched only as deep as a query goes) puts every query under the size limit out of reach.
QUERY_STACK_BYTES = 256 * 1024 * 1024
T = TypeVar("T")
#: Bytes counted per term and per row for the markup the formats write around values (the byte cap is
#: an estimate made while rows are read, before the answer is written).
_TERM_MARKUP = 48
_ROW_MARKUP = 16


def load_store(nquads: bytes) -> ox.Store:
    """An in-memory store holding every quad (no directory: nothing is written to disk)."""
    store = ox.Store()
    store.bulk_load(nquads, ox.RdfFormat.N_QUADS)
    return store


def error(status: int, message: str) -> Reply:
    return Reply(status, _PLAIN, (message.rstrip() + "\n").encode())


class _DatasetOptions(TypedDict, total=False):
    """The keyword arguments of `pyoxigraph.Store.query` that choose the dataset."""

    default_graph: list[ox.NamedNode | ox.BlankNode | ox.DefaultGraph]
    named_graphs: list[ox.NamedNode | ox.BlankNode]
    use_default_graph_as_union: bool


def _dataset_options(job: QueryJob) -> _DatasetOptions:
    """How the dataset is chosen: protocol graphs, else the query's FROM clauses, else the union."""
    if job.default_graphs is not None or job.named_graphs is not None:
        return {
            "default_graph": [ox.NamedNode(g) for g in job.default_graphs or ()],
            "named_graphs": [ox.NamedNode(g) for g in job.named_graphs or ()],
        }
    if job.query_dataset:
        return {}
    return {"use_default_graph_as_union": True}


def _pick(job: QueryJob, kind: Kind) -> Format | None:
    if job.format:
        chosen = from_short_name(job.format, kind)
        if chosen is not None:
            return chosen
    return negotiate(job.accept, kind)


def _not_acceptable(kind: Kind) -> Reply:
    what = "solutions or a boolean" if kind == "results" else "a graph"
    return error(406, f"Not acceptable: this query returns {what}, available as {describe(kind)}.")


def execute(store: ox.Store, job: QueryJob, prefixes: dict[str, str] | None = None) -> Reply:
    """Evaluate one query and write its answer; every failure becomes a 4xx reply, never a raise."""
    try:
        result = store.query(job.query, base_iri=job.base_iri, **_dataset_options(job))
    except Exception as exc:  # noqa: BLE001 - every failure is the query's answer, never a raise
        return failed(exc)
    return render(result, job, prefixes)


def _size(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | None) -> int:
    """About how many bytes a term takes in any result format: its text plus the markup around it
    (a datatype IRI, JSON keys or XML tags)."""
    if term is None:
        return 0
    if isinstance(term, ox.Triple):
        return len(str(term)) + 3 * _TERM_MARKUP
    return len(term.value) + _TERM_MARKUP


def _within_caps(items: Iterator[T], job: QueryJob, size: Callable[[T], int]) -> tuple[list[T], str | None]:
    """The items that fit both caps, and which cap cut them: "rows", "bytes", "first" (the first item
    alone is over the byte cap) or None (nothing was cut)."""
    budget = job.max_bytes or sys.maxsize
    kept: list[T] = []
    used = 0
    for item in items:
        if len(kept) == job.max_rows:
            return kept, "rows"
        used += size(item)
        if used > budget:
            return kept, "bytes" if kept else "first"
        kept.append(item)
    return kept, None


def _too_large(job: QueryJob) -> Reply:
    return error(
        400,
        f"The answer's first row alone is larger than the {job.max_bytes}-byte limit of an answer; "
        "select fewer or shorter values.",
    )


def render(
    result: ox.QueryBoolean | ox.QuerySolutions | Iterable[ox.Triple],
    job: QueryJob,
    prefixes: dict[str, str] | None = None,
) -> Reply:
    """Write a query's answer in the negotiated format, at most `job.max_rows` rows and about
    `job.max_bytes` bytes (the rest are cut and the reply says which cap cut them); also used for
    answers a remote store sent (`api.sparql.remote`)."""
    try:
        if isinstance(result, ox.QueryBoolean):
            fmt = _pick(job, "results")
            if fmt is None:
                return _not_acceptable("results")
            return Reply(200, fmt.content_type, sparql_results.write_boolean(fmt.name, bool(result)), rows=1)
        if isinstance(result, ox.QuerySolutions):
            fmt = _pick(job, "results")
            if fmt is None:
                return _not_acceptable("results")
            variables = [v.value for v in result.variables]
            rows, cut = _within_caps(
                (tuple(s) for s in result), job, lambda row: sum(_size(term) for term in row) + _ROW_MARKUP
            )
            if cut == "first":
                return _too_large(job)
            return Reply(
                200,
                fmt.content_type,
                sparql_results.write_select(fmt.name, variables, rows),
                truncated=cut,
                rows=len(rows),
            )
        fmt = _pick(job, "graph")
        if fmt is None:
            return _not_acceptable("graph")
        triples, cut = _within_caps(iter(result), job, _size)
        if cut == "first":
            return _too_large(job)
        try:
            body = ox.serialize(triples, format=_oxigraph_format(fmt.name), prefixes=prefixes or {})
        except (ValueError, OSError) as exc:
            return error(
                406,
                f"Not acceptable: the result cannot be written as {fmt.media_type} ({exc}); "
                "ask for text/turtle or application/n-triples.",
            )
        return Reply(200, fmt.content_type, body or b"", truncated=cut, rows=len(triples))
    except Exception as exc:  # noqa: BLE001 - every failure is the query's answer, never a raise
        return failed(exc)


def failed(exc: BaseException) -> Reply:
    """The reply for a query that failed while being parsed, evaluated or written (Oxigraph evaluates
    lazily, so errors also arise while the answer is written)."""
    if isinstance(exc, SyntaxError):
        return error(400, f"Malformed query: {exc}")
    if isinstance(exc, MemoryError):
        return error(503, "The query needed more memory than the endpoint allows.")
    return error(400, f"The query could not be evaluated: {exc}")  # the query's error, not the server's


def _limit_memory(budget_mb: int) -> None:
    """Cap the address space at what the loaded worker uses plus the budget."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            used_kb = next(int(line.split()[1]) for line in status if line.startswith("VmSize:"))
    except (OSError, StopIteration, ValueError):
        return
    limit = (used_kb * 1024) + budget_mb * 1024 * 1024
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _exit_with_parent(parent: int) -> None:
    """Stop when the server process is gone, even in the middle of a long query: Oxigraph releases
    the GIL while it evaluates, so this thread runs meanwhile."""
    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(0)


def _answer(conn: Connection, store: ox.Store, prefixes: dict[str, str], go: threading.Event) -> None:
    """The query loop, on the big-stack thread: answer jobs until the pipe closes."""
    go.wait()
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        conn.send(execute(store, job, prefixes))


def serve(conn: Connection, config: WorkerConfig) -> None:
    """The worker process's main function: load, confine, then answer jobs until the pipe closes."""
    parent = os.getppid()
    try:
        store = load_store(config.nquads)
    except Exception as exc:  # a bad dataset is reported to the pool, which gives up cleanly
        conn.send(("failed", f"the worker could not load the dataset: {exc}"))
        return
    threading.Thread(target=_exit_with_parent, args=(parent,), daemon=True).start()
    # the query thread exists before the memory cap is computed, so its stack counts as in use
    go = threading.Event()
    threading.stack_size(QUERY_STACK_BYTES)
    answering = threading.Thread(target=_answer, args=(conn, store, config.prefixes, go), name="sparql-query")
    answering.start()
    threading.stack_size(0)
    _limit_memory(config.memory_budget_mb)
    confined = confine()  # every thread, the query thread included
    if not confined and config.require_sandbox:
        conn.send(("failed", "kernel confinement (seccomp) is not available on this system"))
        os._exit(1)
    conn.send(("ready", confined))
    go.set()
    answering.join()


def _oxigraph_format(name: str) -> ox.RdfFormat:
    """Oxigraph's name for one of the endpoint's graph formats (all of which Oxigraph writes)."""
    chosen = rdf_format(name)
    if chosen is None or chosen.oxigraph is None:
        raise ValueError(f"no Oxigraph serializer for {name!r}")
    return chosen.oxigraph
