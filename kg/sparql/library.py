"""The named SPARQL queries of `queries/`: loaded once, checked and parsed once, run with bindings.

A query's name is its path below `queries/` without `.rq` (`index/list-conditions`,
`rules/site-subsumption`, `checks/missing-label`); a file name that only one query has names it too
(`legpain query list-conditions-by-body-system`). The folders say who reads a query: `index/` the
code (the records of `kg.knowledge.index`: a contract, edit with care), `store/` the store layer, `rules/` the reasoner,
`checks/` the validator, and `library/` people (examples). Files are read at construction and checked
and parsed on first use. Every text, a named query or a user's `.rq` file, passes the same guard as the
SPARQL endpoint (`kg.sparql.guard`: no update, no SERVICE, nothing the parser cannot read) and what runs
is the text the guard checked. Parameters are bound with rdflib's `initBindings`, never by formatting
text into the query. Each file starts with a header comment; its first paragraph is the query's
description, and its `# Parameters:` and `# Columns:` lines are read here so the CLI can list them.

FROM and FROM NAMED never read a file or a URL: before rdflib's engine evaluates a query with such a
clause, every graph the clause names must be one the dataset holds (a refusal otherwise), and rdflib
only dereferences a FROM IRI when the dataset has no graph of that name. rdflib's process-wide
`SPARQL_LOAD_GRAPHS` switch is also turned off, once, when a library is created, for any other caller of
rdflib's engine in the process.
"""

from __future__ import annotations

import multiprocessing
import re
import threading
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, TypeVar, cast

import rdflib.plugins.sparql
from rdflib import Graph, Literal, URIRef
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.sparql import Query
from rdflib.query import Result, ResultRow
from rdflib.term import Identifier, Node

from kg.core.namespaces import PREFIXES, from_curie
from kg.sparql.guard import CheckedQuery, QueryRefusedError, check_query

#: The project's prefixes, which named queries and `.rq` files may use without declaring them.
INIT_NS: dict[str, str] = {prefix: str(ns) for prefix, ns in PREFIXES.items()}

R = TypeVar("R")

#: One solution of a SELECT query: its bound variables (an unbound one is absent) and their terms.
Row = dict[str, Identifier]


class UnknownQueryError(KeyError):
    """No query file of that name."""


class QueryTimeoutError(TimeoutError):
    """A query that did not finish within its time limit (its process was stopped)."""


class QueryProcessError(RuntimeError):
    """The process running a query ended without an answer (killed by the system, out of memory ...)."""


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
    def checked(self) -> CheckedQuery:
        """The guard's decision on the text (`QueryRefusedError` if it may not run), with the
        project's prefixes declared; kept, so a named query is checked once per process."""
        return check_query(self.text, INIT_NS)

    @cached_property
    def prepared(self) -> Query:
        """The parsed query (rdflib's algebra) of the checked text, with the project's prefixes."""
        return prepareQuery(self.checked.text, initNs=INIT_NS)

    @property
    def kind(self) -> str:
        """SELECT, ASK, CONSTRUCT or DESCRIBE."""
        return self.checked.form

    @cached_property
    def order(self) -> tuple[tuple[str, bool], ...] | None:
        """`final_order` of the checked text, read once per process (a remote reader asks per query)."""
        return final_order(self.checked.text)

    @cached_property
    def unordered_text(self) -> str:
        """`unordered` of the checked text, made once per process."""
        return unordered(self.checked.text)

    @classmethod
    def from_file(cls, path: Path, name: str | None = None) -> NamedQuery:
        """A query file outside the library (a user's `.rq`), documented by its header like the others."""
        text = path.read_text(encoding="utf-8")
        summary, params, columns = _header(text)
        return cls(name or path.name, path, text, summary, params, columns)


#: Header lines that are fields, not part of the description.
_FIELD = re.compile(r"(Parameters|Columns|Level):", re.IGNORECASE)
#: Where a sentence ends: a full stop (not in "e.g.", "kg/inference.py" or "1 ... 4") before white space.
_SENTENCE_END = re.compile(r"(?<!\be\.g)(?<!\bi\.e)(?<!\betc)(?<!\bcf)(?<!\bvs)(?<!\.\.)\.(?=\s|$)")


def _first_sentence(paragraph: str) -> str:
    """The first sentence of a description, outside parentheses; a paragraph that introduces a list
    (ends with a colon) is its own sentence."""
    depth = 0
    for index, char in enumerate(paragraph):
        if char == "(":
            depth += 1
        elif char == ")":
            depth = max(depth - 1, 0)
        elif char == "." and depth == 0 and _SENTENCE_END.match(paragraph, index):
            return paragraph[: index + 1]
    return paragraph.rstrip(":").rstrip() + ("." if paragraph.endswith(":") else "")


def _header(text: str) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    """The description's first sentence, the parameters and the columns of a query file's header: the
    description is the first paragraph of the leading comment, up to a blank comment line, a field
    (`Parameters:`, `Columns:`, `Level:`) or a list item."""
    comments: list[str] = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        comments.append(line[1:].strip())
    paragraph: list[str] = []
    for c in comments:
        if not c or _FIELD.match(c) or c.startswith("- "):
            if paragraph:
                break
            continue
        paragraph.append(c)
    summary = _first_sentence(" ".join(paragraph)) if paragraph else ""
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
        # Defence in depth: `execute` never lets rdflib reach a FROM graph the dataset lacks, the one
        # case in which rdflib dereferences it; this stops any other use of rdflib's engine doing so.
        rdflib.plugins.sparql.SPARQL_LOAD_GRAPHS = False
        self.directory = directory
        self._queries: dict[str, NamedQuery] = {}
        for path in sorted(directory.rglob("*.rq")):
            name = path.relative_to(directory).with_suffix("").as_posix()
            text = path.read_text(encoding="utf-8")
            summary, params, columns = _header(text)
            self._queries[name] = NamedQuery(name, path, text, summary, params, columns)

    def __contains__(self, name: str) -> bool:
        try:
            self.get(name)
        except UnknownQueryError:
            return False
        return True

    def __iter__(self) -> Iterator[NamedQuery]:
        return iter(self._queries.values())

    def get(self, name: str) -> NamedQuery:
        """The query of that name (its path below the library without `.rq`, e.g. `index/list-findings`),
        or of that file name alone when one query has it (`list-conditions-by-body-system`);
        `UnknownQueryError` listing the known names otherwise."""
        found = self._queries.get(name)
        if found is None:
            by_stem = [q for n, q in self._queries.items() if n.rsplit("/", 1)[-1] == name]
            if len(by_stem) == 1:
                return by_stem[0]
            known = ", ".join(sorted(self._queries))
            raise UnknownQueryError(f"no query named {name!r}; known queries: {known}") from None
        return found

    def standalone(
        self,
        name: str,
        variable: str | None = None,
        iris: Collection[str] | None = None,
        batch: int = 400,
        inline: bool = True,
        ordered: bool = True,
    ) -> list[str]:
        """The texts `rows` would run for a named query, each with the project's prefixes declared
        before it, for an engine that is handed the text alone (the rdflib stores add `INIT_NS`
        themselves): one text, or with `variable` and `iris` one per `VALUES` batch (none for no IRI).

        `ordered=False` leaves out the query's final `ORDER BY` (`unordered`), for a reader that sorts
        the rows itself (`sort_rows` with `NamedQuery.order`): Oxigraph 0.5 takes more than twice as long
        over a query that sorts its rows (the links of 2,042 findings of the HPO graph: 1.3 s, and
        0.53 s unsorted), and rows of several `VALUES` batches are sorted only within each batch."""
        named = self.get(name)
        if named.checked.has_dataset_clause:
            raise ValueError(f"{name}: a query with FROM clauses runs through `execute`, not alone")
        prologue = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in INIT_NS.items())
        text = named.checked.text if ordered else named.unordered_text
        if variable is None or iris is None:
            return [prologue + text]
        return [prologue + part for part in _batched(text, variable, iris, batch, inline)]

    def under(self, folder: str) -> list[NamedQuery]:
        """The queries in a sub-folder, such as `rules` or `checks`."""
        return [q for n, q in self._queries.items() if n.startswith(folder + "/")]

    def run(self, name: str, graph: Graph, bindings: Mapping[str, Any] | None = None) -> Result:
        """Run a named query against a graph with parameters bound through `initBindings`."""
        return self.execute(self.get(name), graph, bindings)

    def execute(self, query: NamedQuery, graph: Graph, bindings: Mapping[str, Any] | None = None) -> Result:
        """Run a query (of this library or a user's file) once the guard accepts it
        (`QueryRefusedError` otherwise, and for a FROM graph the dataset does not hold).

        On an rdflib-evaluated store (Memory) the parsed query runs; a store with its own SPARQL engine
        (Oxigraph, a remote server) is sent the checked text, which it parses itself."""
        checked = query.checked
        if checked.has_dataset_clause:
            require_graphs(checked, graph)
        bound = to_bindings(bindings or {})
        if evaluates_sparql(graph) and not bound:
            return graph.query(checked.text)
        if is_remote(graph):
            # what rdflib's SPARQLStore does with initBindings too; a parameter used only inside a
            # sub-select is not seen there (SPARQL scoping), see README "Stores"
            return graph.query(with_values(checked.text, bound))
        # rdflib's engine, also over Oxigraph's store (it declines parsed queries and rdflib evaluates
        # them itself): the one way to pre-bind a parameter everywhere, sub-selects included
        return graph.query(query.prepared, initBindings=bound)

    def rows(
        self,
        name: str,
        graph: Graph,
        variable: str | None = None,
        iris: Collection[str] | None = None,
        batch: int = 400,
        inline: bool = True,
    ) -> list[Row]:
        """A named query's rows as dicts; with `variable` and `iris`, only rows whose variable is one of
        those IRIs, by a `VALUES` block, sent in batches. IRIs that could not be written into a query
        (spaces, angle brackets) name no term and are dropped.

        The block opens the top-level WHERE group (`inline`), where engines evaluate it first: as a
        trailing clause (SPARQL 1.1 section 10.2.2) Oxigraph joins it after evaluating the whole pattern,
        which made a lookup on a 300k-triple store take seconds. Inline means the same only when the
        variable is bound by a required pattern; for one bound only inside OPTIONAL pass
        `inline=False`."""
        if variable is None or iris is None:
            return [row.asdict() for row in select_rows(self.run(name, graph))]
        checked = self.get(name).checked
        if checked.has_dataset_clause:
            require_graphs(checked, graph)
        out: list[Row] = []
        for text in _batched(checked.text, variable, iris, batch, inline):
            result = graph.query(text) if evaluates_sparql(graph) else graph.query(prepareQuery(text, initNs=INIT_NS))
            out.extend(row.asdict() for row in select_rows(result))
        return out


_FINAL_ORDER = re.compile(r"\}\s*ORDER\s+BY\s(?P<keys>[^{}]*)$", re.IGNORECASE)
_ORDER_KEY = re.compile(r"\s*(?:(?P<dir>ASC|DESC)\s*\(\s*\?(?P<wrapped>\w+)\s*\)|\?(?P<plain>\w+))", re.IGNORECASE)


def _final_order(text: str) -> tuple[int, tuple[tuple[str, bool], ...]] | None:
    """Where a query's final `ORDER BY` starts and its keys, when `final_order` reads it."""
    final = _FINAL_ORDER.search(text)
    if final is None:
        return None
    keys, rest = [], final.group("keys").strip()
    while rest:
        key = _ORDER_KEY.match(rest)
        if key is None:
            return None  # LIMIT, OFFSET, an expression: the sort is not the rows' order alone
        keys.append((key["wrapped"] or key["plain"], (key["dir"] or "").upper() == "DESC"))
        rest = rest[key.end() :].strip()
    return final.start(), tuple(keys)


def final_order(text: str) -> tuple[tuple[str, bool], ...] | None:
    """A query's final `ORDER BY` as (variable, descending) keys, when it is the last thing in the text
    and sorts by variables only (no `LIMIT` or `OFFSET` after it, no expression); None otherwise."""
    found = _final_order(text)
    return None if found is None else found[1]


def unordered(text: str) -> str:
    """A query's text without its final `ORDER BY` when `final_order` reads it: the same rows, in
    whatever order the engine finds them (`sort_rows` puts them back in order). Any other text is
    returned as it is."""
    found = _final_order(text)
    if found is None or not found[1]:
        return text
    return text[: found[0] + 1] + "\n"


def sort_rows(rows: list[dict[str, Any]], keys: tuple[tuple[str, bool], ...]) -> list[dict[str, Any]]:
    """Plain rows (`kg.stores.sparql.plain_rows`) in the order `ORDER BY` keys give: unbound first,
    then numbers by value, then text by code point, as SPARQL orders a column of one kind of term
    (IRIs by their string, literals by their value). Stable, so equal keys keep the engine's order."""

    def key(name: str) -> Callable[[dict[str, Any]], tuple[int, Any]]:
        def of(row: dict[str, Any]) -> tuple[int, Any]:
            value = row.get(name)
            if value is None:
                return 0, 0
            if isinstance(value, bool | int | float):
                return 1, value
            return 2, str(value)

        return of

    out = list(rows)
    for name, descending in reversed(keys):
        out.sort(key=key(name), reverse=descending)
    return out


def _batched(text: str, variable: str, iris: Collection[str], batch: int, inline: bool) -> Iterator[str]:
    """A query's text with a `VALUES ?variable` block per batch of IRIs (see `QueryLibrary.rows`);
    IRIs that could not be written into a query name no term and are dropped."""
    wanted = [iri for iri in dict.fromkeys(iris) if _IRI.fullmatch(iri)]
    opening = _WHERE.search(text) if inline else None
    for start in range(0, len(wanted), batch):
        values = " ".join(f"<{iri}>" for iri in wanted[start : start + batch])
        block = f"VALUES ?{variable} {{ {values} }}"
        if opening is not None:
            yield f"{text[: opening.end()]}\n  {block}\n{text[opening.end() :]}"
        else:
            yield f"{text}\n{block}\n"


def select_rows(result: Result) -> Iterator[ResultRow]:
    """The solutions of a SELECT query's result. rdflib types what a result yields as a row, a triple
    or a boolean, whichever form the query has; the callers' queries are SELECTs, which yield rows."""
    return cast(Iterator[ResultRow], iter(result))


def constructed_triples(result: Result) -> Iterator[tuple[Node, Node, Node]]:
    """The triples of a CONSTRUCT (or DESCRIBE) query's result (see `select_rows` for why the cast)."""
    return cast(Iterator[tuple[Node, Node, Node]], iter(result))


#: The opening of the top-level WHERE group (the first one in a query file).
_WHERE = re.compile(r"\bWHERE\s*\{")

#: What SPARQL's IRIREF allows (no spaces, angle brackets, quotes, braces, pipes, carets, backslashes).
_IRI = re.compile(r"[^\x00-\x20<>\"{}|^`\\]+")


def require_graphs(checked: CheckedQuery, graph: Graph) -> None:
    """Every graph a FROM / FROM NAMED clause names must be one the dataset holds (with triples):
    rdflib's engine reads an IRI it does not find in the dataset as a document to fetch, files
    included, and another store would answer over a graph that is not there."""
    get_context = getattr(graph, "get_context", None)
    if get_context is None:  # a plain graph: rdflib ignores the clauses, there is nothing to load
        return
    clauses = [(iri, "FROM") for iri in checked.from_graphs] + [
        (iri, "FROM NAMED") for iri in checked.from_named_graphs
    ]
    for iri, clause in clauses:
        if not len(get_context(URIRef(iri))):
            raise QueryRefusedError(
                "graph",
                f"Unknown graph <{iri}> in {clause}: the dataset holds no graph of that "
                "name, and a graph is never loaded from elsewhere "
                "(`legpain query store/count-graphs` lists the graphs).",
            )


def run_with_deadline(work: Callable[[], R], timeout_s: float) -> R:
    """`work()` run in a child process that is killed if it is not done within `timeout_s`
    (`QueryTimeoutError`); its result must pickle.

    Why a process: a thread cannot be stopped from outside, and most of a query's time is spent where
    nothing could stop it anyway (Oxigraph's evaluation is native code; rdflib's holds the GIL and
    would keep the CPU busy after a timeout). Killing a process stops either engine at once and frees
    its memory; the SPARQL endpoint does the same with its worker processes. The child is forked, so
    it starts at once with the dataset already in memory (copy-on-write), and nothing needs pickling
    on the way in. Where fork does not exist (Windows) the work runs in a daemon thread instead: the
    caller gets the timeout on time, and the query stops when the command's process ends."""
    if "fork" not in multiprocessing.get_all_start_methods():
        return _run_in_thread(work, timeout_s)
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)

    def child() -> None:
        receiver.close()
        try:
            outcome: tuple[bool, Any] = (True, work())
        except BaseException as exc:  # noqa: BLE001 - reported to the parent, which decides
            outcome = (False, f"{type(exc).__name__}: {exc}")
        sender.send(outcome)

    process = context.Process(target=child, name="legpain-query", daemon=True)
    process.start()
    sender.close()
    try:
        if not receiver.poll(timeout_s):
            raise QueryTimeoutError(f"the query did not finish within {timeout_s:g} s and was stopped")
        try:
            ok, value = receiver.recv()
        except EOFError:
            process.join(5)
            raise QueryProcessError(
                f"the query process ended without an answer (exit code {process.exitcode})"
            ) from None
        if not ok:
            raise QueryProcessError(value)
        return cast(R, value)  # what `work()` returned in the child
    finally:
        receiver.close()
        if process.is_alive():
            process.kill()
        process.join(5)


def _run_in_thread(work: Callable[[], R], timeout_s: float) -> R:
    box: list[tuple[bool, Any]] = []

    def target() -> None:
        try:
            box.append((True, work()))
        except BaseException as exc:  # noqa: BLE001 - reported to the caller
            box.append((False, f"{type(exc).__name__}: {exc}"))

    thread = threading.Thread(target=target, name="legpain-query", daemon=True)
    thread.start()
    thread.join(timeout_s)
    if not box:
        raise QueryTimeoutError(f"the query did not finish within {timeout_s:g} s")
    ok, value = box[0]
    if not ok:
        raise QueryProcessError(value)
    return cast(R, value)  # what `work()` returned


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
        elif isinstance(value, str) and (
            value.startswith(("http://", "https://", "urn:")) or re.fullmatch(r"[A-Za-z][\w.-]*:[\w./-]+", value)
        ):
            out[key] = URIRef(from_curie(value))
        else:
            out[key] = Literal(value)
    return out
