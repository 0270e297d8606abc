"""`/sparql` over a remote store (`LEGPAIN_STORE=sparql:...`): queries go to the store's endpoint.

The endpoint's own checks run first, as for the embedded store (`api.sparql_request`: read-only,
SERVICE refused, size limit); then the query is sent to the store that the API reads, which is the one
server this process is configured to reach. Its answer (SPARQL JSON results or N-Triples) is parsed
with pyoxigraph and written by the same code as the local workers' (`api.sparql_worker.render`), so
formats, content negotiation and the row cap behave the same whichever store answers. A store that
is down or slow gives a 503 that says so.
"""

from __future__ import annotations

import logging
import urllib.error
from urllib.parse import urlencode
from urllib.request import Request, urlopen

import anyio
import pyoxigraph as ox

from api.sparql_jobs import QueryJob, Reply
from api.sparql_pool import PoolError, QueryTimeoutError
from api.sparql_worker import error, render
from kg.store import SparqlBackend, describe_error

log = logging.getLogger("legpain.sparql")

_ACCEPT = "application/sparql-results+json, application/n-triples;q=0.9"


class StoreUnavailableError(PoolError):
    """The remote store could not answer (down, refusing, or too slow)."""


class RemoteRunner:
    """Runs endpoint queries on a remote SPARQL store; the same `run`/`close` as `WorkerPool`."""

    def __init__(self, backend: SparqlBackend, prefixes: dict[str, str]) -> None:
        self.backend = backend
        self.prefixes = prefixes

    def execute(self, job: QueryJob, timeout: float) -> Reply:
        """Send one query and render the answer; raises `PoolError` subclasses like the pool does."""
        params: list[tuple[str, str]] = []
        if job.default_graphs is not None or job.named_graphs is not None:
            params += [("default-graph-uri", g) for g in job.default_graphs or ()]
            params += [("named-graph-uri", g) for g in job.named_graphs or ()]
        url = self.backend.query_url + ("?" + urlencode(params) if params else "")
        request = Request(url, data=job.query.encode("utf-8"),
                          headers={"Accept": _ACCEPT, "Content-Type": "application/sparql-query; charset=UTF-8"})
        try:
            with urlopen(request, timeout=timeout) as response:  # noqa: S310 - the configured store only
                content_type = response.headers.get("Content-Type", "").split(";")[0].strip()
                body = response.read()
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode("utf-8", "replace").strip()[:500]
            if 400 <= exc.code < 500:  # the store found the query wrong: the client's error
                return error(400, f"The query could not be evaluated: {detail or exc.reason}")
            raise StoreUnavailableError(f"the store answered HTTP {exc.code} ({detail or exc.reason})") from exc
        except TimeoutError as exc:
            raise QueryTimeoutError(f"the query took longer than {timeout:g} s") from exc
        except (urllib.error.URLError, OSError) as exc:
            if "timed out" in str(exc):
                raise QueryTimeoutError(f"the query took longer than {timeout:g} s") from exc
            raise StoreUnavailableError(f"the store {self.backend} is unavailable: {describe_error(exc)}") from exc
        try:
            if content_type == "application/n-triples":
                triples = (quad.triple for quad in ox.parse(body, ox.RdfFormat.N_TRIPLES))
                return render(triples, job, self.prefixes)
            return render(ox.parse_query_results(body, ox.QueryResultsFormat.JSON), job, self.prefixes)
        except (SyntaxError, ValueError) as exc:
            raise StoreUnavailableError(f"the store sent an answer that is not {_ACCEPT} ({exc})") from exc

    async def run(self, job: QueryJob, timeout: float) -> Reply:
        return await anyio.to_thread.run_sync(self.execute, job, timeout)

    def close(self) -> None:
        """Nothing to stop: each query is one HTTP request."""
