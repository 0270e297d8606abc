"""`/sparql` over a remote store (`LEGPAIN_STORE=sparql:...`): queries go to the store's endpoint.

The endpoint's own checks run first, as for the embedded store (`api.sparql.request`: read-only,
SERVICE refused, size limit); then the query is sent to the store that the API reads, which is the one
server this process is configured to reach. Its answer (SPARQL JSON results or N-Triples) is parsed
with pyoxigraph and written by the same code as the local workers' (`api.sparql.runners.worker.render`), so
formats, content negotiation and the row cap behave the same whichever store answers. A store that
is down or slow gives a 503 that says so.
"""

from __future__ import annotations

import logging
import urllib.error
from collections.abc import Callable

import anyio
import pyoxigraph as ox

from api.sparql.runners.jobs import QueryJob, Reply
from api.sparql.runners.pool import QueryTimeoutError
from api.sparql.runners.worker import error, render
from kg.stores.base import StoreBackend
from kg.stores.errors import StoreUnavailableError, describe_error
from kg.stores.http import ACCEPT

log = logging.getLogger("legpain.sparql")


class RemoteRunner:
    """Runs endpoint queries on a remote SPARQL store; the same `run`/`close` as `WorkerPool`."""

    def __init__(
        self, backend: StoreBackend, prefixes: dict[str, str], ready: Callable[[], object] | None = None
    ) -> None:
        self.backend = backend
        self.client = backend.client(read_only=True)
        self.prefixes = prefixes
        #: Raises `kg.stores.errors.StoreError` when the store may not be served (no complete load); run
        #: before each query, on the same worker thread
        self.ready = ready

    def execute(self, job: QueryJob, timeout: float) -> Reply:
        """Send one query and render the answer; raises `PoolError` subclasses like the pool does."""
        if self.ready is not None:
            self.ready()
        # relative IRIs resolve against this endpoint, as they do in the embedded workers (a BASE
        # before the query's own prologue: a BASE the query declares still wins)
        text = f"BASE <{job.base_iri}>\n{job.query}" if job.base_iri else job.query
        try:
            # twice the answer's cap: what the store sends is more verbose than what is written back
            answer = self.client.query(
                text,
                default_graphs=job.default_graphs,
                named_graphs=job.named_graphs,
                dataset_in_query=job.query_dataset,
                timeout_s=timeout,
                max_bytes=2 * job.max_bytes if job.max_bytes else None,
            )
            if not answer.complete:
                return error(
                    400,
                    f"The answer is larger than the {job.max_bytes}-byte limit of an answer; "
                    "select fewer rows (LIMIT) or shorter values.",
                )
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode("utf-8", "replace").strip()[:500]
            if 400 <= exc.code < 500:  # the store found the query wrong: the client's error
                return error(400, f"The query could not be evaluated: {detail or exc.reason}")
            reason = detail or exc.reason
            raise StoreUnavailableError.about(self.backend, f"answered HTTP {exc.code} ({reason})") from exc
        except TimeoutError as exc:
            raise QueryTimeoutError(f"the query took longer than {timeout:g} s") from exc
        except (urllib.error.URLError, OSError) as exc:
            if "timed out" in str(exc):
                raise QueryTimeoutError(f"the query took longer than {timeout:g} s") from exc
            raise StoreUnavailableError.about(self.backend, f"is unavailable: {describe_error(exc)}") from exc
        try:
            if answer.content_type == "application/n-triples":
                triples = (quad.triple for quad in ox.parse(answer.body, ox.RdfFormat.N_TRIPLES))
                return render(triples, job, self.prefixes)
            return render(ox.parse_query_results(answer.body, ox.QueryResultsFormat.JSON), job, self.prefixes)
        except (SyntaxError, ValueError) as exc:
            raise StoreUnavailableError.about(self.backend, f"sent an answer that is not {ACCEPT} ({exc})") from exc

    async def run(self, job: QueryJob, timeout: float) -> Reply:
        return await anyio.to_thread.run_sync(self.execute, job, timeout)

    def close(self) -> None:
        """Nothing to stop: each query is one HTTP request."""
