"""What the HTTP side sends a SPARQL worker process and what it gets back.

Plain frozen dataclasses, pickled over a pipe: the worker imports only pyoxigraph and these modules,
never rdflib or starlette, so it starts fast and can be confined (`api.sparql.runners.sandbox`).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class WorkerConfig:
    """How a worker loads and confines itself: fixed for the life of a pool."""

    #: The whole dataset as N-Quads (every named graph; the worker's only data).
    nquads: bytes
    #: Prefixes written into Turtle and RDF/XML results (`lp:`, `owl:` ...).
    prefixes: dict[str, str] = field(default_factory=dict)
    #: Extra address space a worker may take for one query, beyond what it uses once loaded; a
    #: query that needs more stops the worker (answered 503) instead of exhausting the machine.
    memory_budget_mb: int = 1024
    #: Refuse to serve when kernel confinement is unavailable (False: log and rely on the text guard).
    require_sandbox: bool = False


@dataclass(frozen=True)
class QueryJob:
    """One query to evaluate, with the negotiated output and the dataset to evaluate it over."""

    query: str
    #: The request's `Accept` header.
    accept: str
    max_rows: int
    #: `None`: the default graph is the union of all graphs, unless the query has FROM clauses.
    #: A tuple (possibly empty): the protocol's `default-graph-uri` values.
    default_graphs: tuple[str, ...] | None = None
    #: `None`: every named graph; a tuple: the protocol's `named-graph-uri` values.
    named_graphs: tuple[str, ...] | None = None
    #: True when the query text has its own FROM / FROM NAMED clauses (they then define the dataset).
    query_dataset: bool = False
    #: A `format=` parameter (`json`, `csv`, `ttl` ...): wins over `accept` when it names a format.
    format: str | None = None
    #: About how many bytes the written answer may take (0: no cap); rows past it are cut, as for `max_rows`.
    max_bytes: int = 0
    #: The IRI relative IRIs of the query resolve against: the endpoint's own (SPARQL 1.1 Protocol).
    base_iri: str | None = None


@dataclass(frozen=True)
class Reply:
    """A worker's answer: an HTTP status, a body ready to send, and whether rows were cut."""

    status: int
    content_type: str
    body: bytes
    #: Why rows were cut, if they were: "rows" (the row cap) or "bytes" (the byte cap).
    truncated: str | None = None
    rows: int = 0
