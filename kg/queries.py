"""The named SPARQL queries of `queries/`: loaded once, parsed once, run with bindings.

A query's name is its path below `queries/` without `.rq` (`list-conditions`, `rules/site-subsumption`,
`checks/missing-label`). Files are read at construction and parsed on first use. Parameters are bound
with rdflib's `initBindings`, never by formatting text into the query. Each file starts with a
header comment; its `# Parameters:` and `# Columns:` lines are read here so the CLI can list them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import rdflib.plugins.sparql
from rdflib import Graph, Literal, URIRef
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.sparql import Query
from rdflib.query import Result

from kg.namespaces import PREFIXES, from_curie


class UnknownQueryError(KeyError):
    """No query file of that name."""


class ClosedWorldError(ValueError):
    """A query that would reach outside the process (SERVICE)."""


def close_the_world() -> None:
    """Stop rdflib's SPARQL engine from dereferencing FROM / FROM NAMED IRIs (local files included).
    Called before any query runs; SERVICE is refused per query by `assert_closed`."""
    rdflib.plugins.sparql.SPARQL_LOAD_GRAPHS = False


def assert_closed(query: Query) -> None:
    """Refuse a parsed query that uses SERVICE, which rdflib would send over HTTP."""
    stack: list[object] = [query.algebra]
    while stack:
        node = stack.pop()
        if getattr(node, "name", None) == "ServiceGraphPattern":
            raise ClosedWorldError("SERVICE is not allowed: queries never leave this process")
        if isinstance(node, dict):
            stack.extend(node.values())
        elif isinstance(node, list | tuple):
            stack.extend(node)


@dataclass(frozen=True)
class NamedQuery:
    """One query file and its documentation header; parsed on first use (parsing all of them up front
    would add seconds to every start) and then kept."""

    name: str
    path: Path
    text: str
    summary: str
    parameters: tuple[str, ...]
    columns: tuple[str, ...]

    @cached_property
    def prepared(self) -> Query:
        """The parsed query (rdflib's algebra), with the project's prefixes."""
        return prepareQuery(self.text, initNs={prefix: str(ns) for prefix, ns in PREFIXES.items()})

    @property
    def kind(self) -> str:
        """SELECT, ASK, CONSTRUCT or DESCRIBE."""
        return str(self.prepared.algebra.name).replace("Query", "").upper()


def _header(text: str) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    comments = [line[1:].strip() for line in text.splitlines() if line.startswith("#")]
    summary = next((c for c in comments if c and ":" not in c[:12]), comments[0] if comments else "")
    params: tuple[str, ...] = ()
    columns: tuple[str, ...] = ()
    for c in comments:
        if c.lower().startswith("parameters:"):
            params = tuple(re.findall(r"\?(\w+)", c))
        elif c.lower().startswith("columns:"):
            columns = tuple(re.findall(r"\?(\w+)", c))
    return summary, params, columns


class QueryLibrary:
    """All queries below a directory, parsed once at construction."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._queries: dict[str, NamedQuery] = {}
        for path in sorted(directory.rglob("*.rq")):
            name = path.relative_to(directory).with_suffix("").as_posix()
            text = path.read_text(encoding="utf-8")
            summary, params, columns = _header(text)
            self._queries[name] = NamedQuery(name, path, text, summary, params, columns)

    def __contains__(self, name: str) -> bool:
        return name in self._queries

    def __iter__(self) -> Iterator[NamedQuery]:
        return iter(self._queries.values())

    def get(self, name: str) -> NamedQuery:
        """The query of that name, or `UnknownQueryError` listing the known names."""
        try:
            return self._queries[name]
        except KeyError:
            known = ", ".join(sorted(self._queries))
            raise UnknownQueryError(f"no query named {name!r}; known queries: {known}") from None

    def under(self, folder: str) -> list[NamedQuery]:
        """The queries in a sub-folder, such as `rules` or `checks`."""
        return [q for n, q in self._queries.items() if n.startswith(folder + "/")]

    def run(self, name: str, graph: Graph, bindings: Mapping[str, Any] | None = None) -> Result:
        """Run a named query against a graph with parameters bound through `initBindings`."""
        query = self.get(name)
        close_the_world()
        assert_closed(query.prepared)
        return graph.query(query.prepared, initBindings=to_bindings(bindings or {}))


def to_bindings(values: Mapping[str, Any]) -> dict[str, Any]:
    """Turn CLI or API parameter values into RDF terms: CURIEs and IRIs become IRIs, the rest literals."""
    out: dict[str, Any] = {}
    for key, value in values.items():
        if isinstance(value, (URIRef, Literal)):
            out[key] = value
        elif isinstance(value, str) and (value.startswith(("http://", "https://", "urn:"))
                                         or re.fullmatch(r"[A-Za-z][\w.-]*:[\w./-]+", value)):
            out[key] = URIRef(from_curie(value))
        else:
            out[key] = Literal(value)
    return out
