"""`legpain query`: a named query of the library or a `.rq` file, checked by the endpoint's guard and run
in a child process with a time limit.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path
from typing import Any

from kg.cli.common import AddCommand, CliError, files_graph, load_settings
from kg.core.settings import Settings


class _QueryFailedError(Exception):
    """`legpain query` could not give an answer: the message goes to stderr, `code` is the exit code."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


def cmd_query(args: argparse.Namespace) -> int:
    """Exit codes (also in `legpain query --help`): 0 answered, 1 refused / failed / timed out, 2 usage
    error, 3 store unavailable (`main`'s mapping for StoreError)."""
    from kg.sparql.guard import QueryRefusedError, check_query
    from kg.sparql.library import INIT_NS, QueryLibrary

    settings = load_settings()
    library = QueryLibrary(settings.queries_dir)
    if args.list:
        for q in library:
            names = ", ".join(q.parameters) or "none"
            print(f"{q.name:36} {q.summary}  [parameters: {names}]")
        return 0
    if not args.name:
        raise CliError("name a query (see `legpain query --list`) or a .rq file")
    timeout = settings.sparql_timeout_s if args.timeout is None else args.timeout
    if not 0 < timeout < float("inf"):
        raise CliError(f"the query time limit must be a number of seconds above 0, got {timeout:g}")
    params: dict[str, str] = {}
    for item in args.param or []:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise CliError(f"--param takes key=value, got {item!r}")
        params[key.lstrip("?")] = value
    query = _named_or_file(library, args.name)
    try:
        # the endpoint's guard, before any store is opened (a refusal costs milliseconds), with the
        # time limit as its budget; the decision is cached, so `query.checked` finds it
        check_query(query.text, INIT_NS, budget_s=timeout)
        dataset = _query_target(settings)
        output, note = _answer(library, query, dataset, params, args.format, timeout)
    except QueryRefusedError as exc:
        return _query_error(exc.message)
    except _QueryFailedError as exc:
        return _query_error(str(exc), exc.code)
    sys.stdout.write(output)
    if note:
        print(note, file=sys.stderr)
    return 0


def _query_error(message: str, code: int = 1) -> int:
    print(f"legpain query: error: {' '.join(message.split())}", file=sys.stderr)
    return code


def _named_or_file(library: Any, name: str) -> Any:
    """The query a `legpain query NAME` means: a `.rq` file when NAME ends so (errors name the file as
    the user gave it, never an absolute path), else a named query of the library."""
    from kg.sparql.library import NamedQuery

    path = Path(name)
    if path.suffix != ".rq":
        return library.get(name)
    if not path.is_file():
        raise CliError(f"no such query file: {name}")
    try:
        return NamedQuery.from_file(path, name)
    except UnicodeDecodeError:
        raise CliError(f"{name} is not UTF-8 text") from None
    except OSError as exc:
        raise CliError(f"cannot read {name}: {exc.strerror or exc}") from None


def _answer(
    library: Any, query: Any, dataset: Any, params: dict[str, str], fmt: str, timeout: float
) -> tuple[str, str]:
    """Run the query in a child process with a deadline and return its output and a note for stderr.
    Rendering happens in the child too: engines evaluate lazily, as the rows are read."""
    from kg.sparql.guard import QueryRefusedError
    from kg.sparql.library import QueryProcessError, QueryTimeoutError, run_with_deadline
    from kg.stores.errors import StoreError

    def work() -> tuple[int, str, str]:
        try:
            return (0, *_render(library.execute(query, dataset, params), fmt))
        except StoreError as exc:
            return 3, f"store error: {exc}", ""
        except QueryRefusedError as exc:
            return 1, exc.message, ""
        except RecursionError:
            return 1, "the query is nested too deeply for rdflib's engine", ""
        except Exception as exc:  # noqa: BLE001 - any engine error is the query's, reported in one line
            return 1, f"the query failed: {type(exc).__name__}: {exc}", ""

    try:
        code, output, note = run_with_deadline(work, timeout)
    except QueryTimeoutError as exc:
        raise _QueryFailedError(f"{exc} (set --timeout or LEGPAIN_SPARQL_TIMEOUT_S for a longer limit)") from None
    except QueryProcessError as exc:
        raise _QueryFailedError(str(exc)) from None
    if code:
        raise _QueryFailedError(output, code)
    return output, note


def _render(result: Any, fmt: str) -> tuple[str, str]:
    """A query result as the text `legpain query` prints, and the note it writes to stderr."""
    import io

    from kg.core.namespaces import to_curie

    if result.type in ("CONSTRUCT", "DESCRIBE"):
        return result.serialize(format="turtle").decode("utf-8"), ""
    if result.type == "ASK":
        return ("true" if result.askAnswer else "false") + "\n", ""
    columns = [str(v) for v in result.vars or []]
    rows = [[("" if row[c] is None else str(row[c])) for c in columns] for row in result]
    out = io.StringIO()
    if fmt == "json":
        out.write(json.dumps([dict(zip(columns, r, strict=True)) for r in rows], indent=2, ensure_ascii=False) + "\n")
        return out.getvalue(), ""
    if fmt == "csv":
        writer = csv.writer(out)
        writer.writerow(columns)
        writer.writerows(rows)
        return out.getvalue(), ""
    shown = [[to_curie(v) for v in r] for r in rows]
    widths = [max([len(c), *(len(r[i]) for r in shown)]) for i, c in enumerate(columns)]
    out.write("  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)) + "\n")
    for r in shown:
        out.write("  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)) + "\n")
    return out.getvalue(), f"({len(rows)} row{'s' if len(rows) != 1 else ''})"


def _query_target(settings: Settings) -> Any:
    """What `legpain query` runs against: the configured store when it keeps data (`oxigraph:PATH`,
    `sparql:...`), else the graph read from the files into memory."""
    from kg.stores.registry import backend_for

    backend = backend_for(settings.store, settings.store_timeout_s)
    if backend.persistent:
        return backend.open(read_only=True)
    return files_graph().dataset


EXAMPLES = {
    "query": """examples:
  legpain query --list
  legpain query list-conditions-by-body-system --param system=lp:VascularSystem
  legpain query my-query.rq --format csv
  legpain query my-query.rq --timeout 60    # default LEGPAIN_SPARQL_TIMEOUT_S (10 s)

A query file passes the same checks as the SPARQL endpoint: SPARQL Update, SERVICE and text the
parser cannot read are refused, and FROM / FROM NAMED may only name graphs the dataset holds (a graph
is never read from a file or a URL). The query runs in a child process that is stopped at the time
limit. The project's prefixes (lp:, owl:, skos: ...) need no PREFIX line.

exit codes:
  0  the answer was printed
  1  the query was refused, failed or ran out of time (one line on stderr says which)
  2  usage error: no query named so, no such file, a bad --param or --timeout
  3  the store is unavailable""",
}


def register(add: AddCommand) -> None:
    """Add this group's commands to the `legpain` parser."""
    p = add("query", EXAMPLES["query"], "Run a named query of queries/ or a .rq file against the graph.")
    p.add_argument("name", nargs="?", help="query name (see --list) or path to a .rq file")
    p.add_argument("--param", action="append", metavar="KEY=VALUE", help="bind ?KEY to VALUE (CURIE, IRI or text)")
    p.add_argument(
        "--format", choices=["table", "json", "csv"], default="table", help="how rows are printed (default table)"
    )
    p.add_argument(
        "--timeout",
        type=float,
        metavar="SECONDS",
        help="stop the query after this long (default LEGPAIN_SPARQL_TIMEOUT_S, 10 s, as the endpoint)",
    )
    p.add_argument("--list", action="store_true", help="list the named queries with what each is for")
    p.set_defaults(func=cmd_query)
