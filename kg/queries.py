"""The named SPARQL queries of `queries/`: loaded once, parsed once, run with bindings.

A query's name is its path below `queries/` without `.rq` (`list-conditions`, `rules/site-subsumption`,
`checks/missing-label`). Files are read at construction and parsed on first use. Parameters are bound
with rdflib's `initBindings`, never by formatting text into the query. Each file starts with a
header comment; its `# Parameters:` and `# Columns:` lines are read here so the CLI can list them.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator, Mapping
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
from kg.sparql_text import bare_words


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
        """Run a named query against a graph with parameters bound through `initBindings`.

        On an rdflib-evaluated store (Memory) the parsed query runs; a store with its own SPARQL engine
        (Oxigraph, a remote server) is sent the text, which it parses itself."""
        query = self.get(name)
        close_the_world()
        bound = to_bindings(bindings or {})
        if evaluates_sparql(graph) and not bound:
            # the store parses the text itself; rdflib's parser (a tenth of a second per query) is
            # not needed to see SERVICE, a keyword the text scan finds
            if "SERVICE" in bare_words(query.text):
                raise ClosedWorldError("SERVICE is not allowed: queries never leave this process")
            return graph.query(query.text)
        assert_closed(query.prepared)
        if is_remote(graph):
            # what rdflib's SPARQLStore does with initBindings too; a parameter used only inside a
            # sub-select is not seen there (SPARQL scoping), see README "Stores"
            return graph.query(with_values(query.text, bound))
        # rdflib's engine, also over Oxigraph's store (it declines parsed queries and rdflib evaluates
        # them itself): the one way to pre-bind a parameter everywhere, sub-selects included
        return graph.query(query.prepared, initBindings=bound)

    def rows(self, name: str, graph: Graph, variable: str | None = None, iris: Collection[str] | None = None,
             batch: int = 400, inline: bool = True) -> list[dict[str, Any]]:
        """A named query's rows as dicts; with `variable` and `iris`, only rows whose variable is one of
        those IRIs, by a `VALUES` block, sent in batches. IRIs that could not be written into a query
        (spaces, angle brackets) name no term and are dropped.

        The block opens the top-level WHERE group (`inline`), where engines evaluate it first: as a
        trailing clause (SPARQL 1.1 section 10.2.2) Oxigraph joins it after evaluating the whole pattern,
        which made a lookup on a 300k-triple store take seconds. Inline means the same only when the
        variable is bound by a required pattern; for one bound only inside OPTIONAL pass
        `inline=False`."""
        if variable is None or iris is None:
            return [row.asdict() for row in self.run(name, graph)]  # type: ignore[union-attr]
        wanted = [iri for iri in dict.fromkeys(iris) if _IRI.fullmatch(iri)]
        query = self.get(name)
        if "SERVICE" in bare_words(query.text):
            raise ClosedWorldError("SERVICE is not allowed: queries never leave this process")
        out: list[dict[str, Any]] = []
        for start in range(0, len(wanted), batch):
            values = " ".join(f"<{iri}>" for iri in wanted[start:start + batch])
            block = f"VALUES ?{variable} {{ {values} }}"
            opening = _WHERE.search(query.text) if inline else None
            if opening is not None:
                text = f"{query.text[:opening.end()]}\n  {block}\n{query.text[opening.end():]}"
            else:
                text = f"{query.text}\n{block}\n"
            result = graph.query(text) if evaluates_sparql(graph) else graph.query(
                prepareQuery(text, initNs={prefix: str(ns) for prefix, ns in PREFIXES.items()}))
            out.extend(row.asdict() for row in result)  # type: ignore[union-attr]
        return out


#: The opening of the top-level WHERE group (the first one in a query file).
_WHERE = re.compile(r"\bWHERE\s*\{")

#: What SPARQL's IRIREF allows (no spaces, angle brackets, quotes, braces, pipes, carets, backslashes).
_IRI = re.compile(r"[^\x00-\x20<>\"{}|^`\\]+")


def with_values(text: str, bindings: Mapping[str, Any]) -> str:
    """The query with its parameters bound by a trailing `VALUES` clause, which SPARQL joins with the
    WHERE pattern before projection: what rdflib's `initBindings` means, in a form every SPARQL engine
    accepts (Oxigraph's own substitution insists on projected variables)."""
    if not bindings:
        return text
    names = " ".join(f"?{name}" for name in bindings)
    values = " ".join(term.n3() for term in bindings.values())
    return f"{text}\nVALUES ({names}) {{ ({values}) }}\n"


def is_remote(graph: Graph) -> bool:
    """Whether the graph lives on a SPARQL server (rdflib's SPARQLStore and its subclasses)."""
    from rdflib.plugins.stores.sparqlstore import SPARQLStore

    return isinstance(graph.store, SPARQLStore)


def evaluates_sparql(graph: Graph) -> bool:
    """Whether the graph's store runs SPARQL itself (Oxigraph, a remote server) rather than leaving it to
    rdflib's engine; such stores take query text, not rdflib's parsed algebra."""
    from rdflib.store import Store

    return type(graph.store).query is not Store.query


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
