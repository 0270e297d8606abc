"""The `legpain` command line: assess, search, reason, validate, export, query, format and serve."""

from __future__ import annotations

import argparse
import csv
import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from kg.settings import Settings

EXAMPLES = {
    "assess": """examples:
  legpain assess "cramping calves on walks" "relieved by rest"
  legpain assess lp:CalfCrampingOnWalking lp:ReliefWithinMinutesOfRest --absent "leg swelling"
  legpain assess "pins and needles" "burning feet" --json""",
    "search": """examples:
  legpain search "pins and needles"
  legpain search "shin splints" --limit 3 --json
  legpain search "pulled muscle" --conditions""",
    "reason": """examples:
  legpain reason                 # HermiT (needs Java); writes ontology/inferred/ for the shipped ontology
  legpain reason --reasoner owlrl
  legpain reason --check         # exit 1 if the committed closure is out of date""",
    "validate": """examples:
  legpain validate
  legpain validate --format json > report.json
  LEGPAIN_EXTENSION_DIRS=my-modules legpain validate""",
    "export": """examples:
  legpain export --format turtle -o legpain.ttl
  legpain export --format json-ld --graph inferred
  legpain export --format xml --graph asserted -o legpain.owl
  legpain export --format owlxml -o legpain.owx     # needs Java""",
    "docs": """examples:
  legpain docs                       # docs/reference/index.md and one page per term
  legpain docs -o site/reference""",
    "release": """examples:
  legpain release 0.2.0              # release/0.2.0/legpain-base.ttl|owl|owx, legpain-full.*""",
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
    "load": """examples:
  LEGPAIN_STORE=oxigraph:/var/lib/legpain legpain load
  LEGPAIN_STORE="sparql:http://127.0.0.1:7878/query;http://127.0.0.1:7878/update" legpain load
  LEGPAIN_STORE=oxigraph:data/hpo legpain load --dataset hpo.nq.gz""",
    "serve": """examples:
  legpain serve                          # http://127.0.0.1:8000/graphql
  legpain serve --host 0.0.0.0 --port 8080 --workers 2
  LEGPAIN_STORE="sparql:http://127.0.0.1:7878/query" legpain serve --workers 2""",
    "diagram": """examples:
  legpain diagram -o docs/ontology.svg
  legpain diagram --format png -o docs/ontology.png
  legpain diagram --format dot | less""",
    "format": """examples:
  legpain format           # rewrite ontology/**/*.ttl in canonical Turtle
  legpain format --check   # exit 1 if a file is not canonical""",
}


class CliError(Exception):
    """A user error: printed as one line on stderr, exit code 2."""


def _settings() -> Settings:
    return Settings.from_env()


def _service() -> Any:
    from kg.service import load_service

    return load_service(_settings())


def _files_graph() -> Any:
    """The graph read from the ontology files (authoring commands: export, docs, release, diagram work
    on the files, whichever store the API uses)."""
    from kg.graph import load_knowledge_graph

    return load_knowledge_graph(_settings())


def _resolve_terms(service: Any, items: Sequence[str]) -> tuple[list[str], list[str]]:
    """Phrases and IDs -> finding IRIs (first search hit for a phrase); also returns what did not match."""
    from kg.namespaces import from_curie

    resolved, unmatched = [], []
    for item in items:
        iri = from_curie(item)
        if service.knowledge.findings([iri]):
            resolved.append(iri)
            continue
        hits = service.search_findings(item, 1)
        if hits:
            resolved.append(hits[0].iri)
        else:
            unmatched.append(item)
    return resolved, unmatched


def cmd_assess(args: argparse.Namespace) -> int:
    from kg.namespaces import to_curie

    service = _service()
    present, unmatched = _resolve_terms(service, args.findings)
    absent, unmatched_absent = _resolve_terms(service, args.absent or [])
    assessment = service.engine.assess(present, absent, limit=args.limit)
    ix = _Names(service.knowledge, [*assessment.present, *assessment.absent],
                [c.condition for c in assessment.candidates])
    level = ix.urgency_levels[assessment.urgency]
    if args.json:
        print(json.dumps({
            "present": [{"id": to_curie(p), "label": ix.findings[p].label} for p in assessment.present],
            "absent": [{"id": to_curie(a), "label": ix.findings[a].label} for a in assessment.absent],
            "unmatched": unmatched + unmatched_absent,
            "urgency": {"id": to_curie(level.iri), "label": level.label, "rank": level.rank},
            "warningSigns": [to_curie(w) for w in assessment.warning_signs],
            "advice": assessment.advice,
            "candidates": [{
                "rank": c.rank, "id": to_curie(c.condition), "label": ix.conditions[c.condition].label,
                "score": c.score, "supporting": [to_curie(s) for s in c.supporting],
                "missing": [to_curie(s) for s in c.missing],
                "conflicting": [to_curie(s) for s in c.conflicting], "explanation": c.explanation,
                "sources": [{"title": s.title, "quote": s.quote} for s in c.sources],
            } for c in assessment.candidates],
            "reasons": [{"rule": to_curie(r.rule), "label": r.label,
                         "urgency": ix.urgency_levels[r.urgency].label} for r in assessment.reasons],
        }, indent=2, ensure_ascii=False))
        return 0
    print("Understood as: " + ("; ".join(ix.findings[p].label for p in assessment.present) or "(nothing)"))
    if assessment.absent:
        print("Reported absent: " + "; ".join(ix.findings[a].label for a in assessment.absent))
    for item in unmatched + unmatched_absent:
        print(f"Not recognised: {item!r}")
    print(f"\nUrgency: {level.label} (rank {level.rank} of 4)")
    for reason in assessment.reasons:
        print(f"  because: {reason.label} -> {ix.urgency_levels[reason.urgency].label}")
    print(f"Advice: {assessment.advice}\n")
    if not assessment.candidates:
        print("No candidate conditions.")
    for c in assessment.candidates:
        print(f"{c.rank}. {ix.conditions[c.condition].label}  (score {c.score:.2f})")
        print(f"   {c.explanation}")
        for source in c.sources[:2]:
            print(f"   \u201c{source.quote}\u201d \u2014 {source.title}")
    return 0


class _Names:
    """The findings, conditions and urgency levels an answer names, read once from the service."""

    def __init__(self, knowledge: Any, findings: Sequence[str], conditions: Sequence[str]) -> None:
        self.findings = knowledge.findings(findings)
        self.conditions = knowledge.conditions(conditions)
        self.urgency_levels = knowledge.urgency_levels()


def cmd_search(args: argparse.Namespace) -> int:
    from kg.namespaces import to_curie

    service = _service()
    if args.conditions:
        hits = service.search_conditions(args.phrase, args.limit)
        terms = service.knowledge.conditions([h.iri for h in hits])
    else:
        hits = service.search_findings(args.phrase, args.limit)
        terms = service.knowledge.findings([h.iri for h in hits])
    if args.json:
        print(json.dumps([{"id": to_curie(h.iri), "label": terms[h.iri].label, "score": h.score,
                           "matched": h.matched} for h in hits], indent=2, ensure_ascii=False))
        return 0
    if not hits:
        print(f"No match for {args.phrase!r}.")
        return 1
    for h in hits:
        print(f"{h.score:5.2f}  {to_curie(h.iri):40} {terms[h.iri].label}   [matched: {h.matched}]")
    return 0


def cmd_reason(args: argparse.Namespace) -> int:
    from kg.closure import cache_file, read_committed_hash, store_in_cache, write_committed
    from kg.loading import discover_inputs, input_hash, load_asserted, merged_graph
    from kg.queries import QueryLibrary
    from kg.reasoning import make_reasoner, materialize

    settings = _settings()
    inputs = discover_inputs(settings)
    digest = input_hash(inputs, settings.ontology_dir)
    shipped = not settings.extension_dirs and not any(i.kind == "extension" for i in inputs)
    if args.check:
        if read_committed_hash(settings.ontology_dir) == digest:
            print("The committed inferred closure is up to date.")
            return 0
        print("The committed inferred closure is out of date: run `legpain reason` and commit ontology/inferred/.")
        return 1
    asserted = merged_graph(load_asserted(inputs))
    reasoner = make_reasoner(args.reasoner)
    inferred = materialize(asserted, reasoner, QueryLibrary(settings.queries_dir))
    if shipped and args.reasoner == "hermit":
        path = write_committed(settings.ontology_dir, inferred, digest, reasoner.name)
        print(f"{len(inferred)} inferred triples ({reasoner.name}) written to {path}")
    else:
        store_in_cache(settings.cache_dir, digest, inferred)
        print(f"{len(inferred)} inferred triples ({reasoner.name}) cached in {cache_file(settings.cache_dir, digest)}")
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    from kg.validation import validate

    report = validate(_settings(), reasoner=args.reasoner)
    print(report.to_json() if args.format == "json" else report.to_table())
    return 0 if report.ok else 1


def _emit(data: bytes, output: str | None) -> int:
    """Write a command's result to a file (saying so on stderr) or to standard output."""
    if output:
        Path(output).write_bytes(data)
        print(f"written to {output}", file=sys.stderr)
    else:
        sys.stdout.buffer.write(data)
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from kg.export import ExportError, serialize

    try:
        data = serialize(_files_graph(), args.format, args.graph)
    except ExportError as exc:
        raise CliError(str(exc)) from None
    return _emit(data, args.output)


def cmd_docs(args: argparse.Namespace) -> int:
    from kg.docs import write_reference

    written = write_reference(_files_graph(), Path(args.output))
    print(f"{len(written)} pages written to {args.output}")
    return 0


def cmd_release(args: argparse.Namespace) -> int:
    from kg.export import release

    out = Path(args.output or f"release/{args.version}")
    for path in release(_files_graph(), args.version, out):
        print(path)
    return 0


class _QueryFailedError(Exception):
    """`legpain query` could not give an answer: the message goes to stderr, `code` is the exit code."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


def cmd_query(args: argparse.Namespace) -> int:
    """Exit codes (also in `legpain query --help`): 0 answered, 1 refused / failed / timed out, 2 usage
    error, 3 store unavailable (`main`'s mapping for StoreError)."""
    from kg.queries import INIT_NS, QueryLibrary
    from kg.sparql_guard import QueryRefusedError, check_query

    settings = _settings()
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
    from kg.queries import NamedQuery

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
    from kg.queries import QueryProcessError, QueryTimeoutError, run_with_deadline
    from kg.sparql_guard import QueryRefusedError
    from kg.store import StoreError

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

    from kg.namespaces import to_curie

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
    from kg.store import backend_for

    backend = backend_for(settings.store, settings.store_timeout_s)
    if backend.persistent:
        return backend.open(read_only=True)
    return _files_graph().dataset


def cmd_load(args: argparse.Namespace) -> int:
    """Write the knowledge graph (asserted and inferred named graphs) into the configured store."""
    from kg.graph import closed_dataset
    from kg.store import backend_for, quads_by_graph

    settings = _settings()
    if args.dataset:
        settings = settings.with_changes(dataset=Path(args.dataset))
    backend = backend_for(settings.store, settings.store_timeout_s)
    if not backend.persistent:
        raise CliError(f"LEGPAIN_STORE={backend} keeps nothing between runs, so there is nothing to load: "
                       "`legpain serve` reads the files itself. Set LEGPAIN_STORE=oxigraph:PATH or "
                       "sparql:QUERY_URL[;UPDATE_URL] to load a store.")
    closed, version, info, _ = closed_dataset(settings)
    quads = quads_by_graph(closed)
    total = sum(len(q) for q in quads.values())
    print(f"loading {total} triples in {len(quads)} graphs into {backend} ({info.message})", file=sys.stderr)
    bar = _ProgressBar(total, enabled=not args.quiet and sys.stderr.isatty() or args.progress)
    dataset = backend.open()
    try:
        report = backend.write(dataset, quads, version, progress=bar.update)
    finally:
        bar.close()
        dataset.close()  # an on-disk store is released for the readers that open it next
    rate = report.triples / report.seconds if report.seconds else float("inf")
    for graph, count in report.graphs.items():
        print(f"  {graph}: {count} triples", file=sys.stderr)
    for graph in report.removed:
        print(f"  {graph}: removed (no longer in the inputs)", file=sys.stderr)
    print(f"loaded {report.triples} triples into {backend} in {report.seconds:.2f} s ({rate:,.0f} triples/s); "
          f"data version {version[:16]}", file=sys.stderr)
    return 0


class _ProgressBar:
    """A one-line progress bar on stderr (only on a terminal, or with --progress)."""

    def __init__(self, total: int, enabled: bool) -> None:
        self.total, self.enabled, self.done = max(total, 1), enabled, 0
        self._graphs: dict[str, int] = {}

    def update(self, graph: str, written: int, graph_total: int) -> None:
        self._graphs[graph] = written
        self.done = sum(self._graphs.values())
        if self.enabled:
            width = 30
            filled = int(width * self.done / self.total)
            sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total} triples "
                             f"{graph.rsplit('/', 1)[-1]:<16}")
            sys.stderr.flush()

    def close(self) -> None:
        if self.enabled:
            sys.stderr.write("\n")


def cmd_format(args: argparse.Namespace) -> int:
    from kg.loading import format_turtle_file, is_canonical

    settings = _settings()
    files = sorted(settings.ontology_dir.rglob("*.ttl"))
    changed = []
    for path in files:
        if args.check:
            if not is_canonical(path):
                changed.append(path)
        elif format_turtle_file(path):
            changed.append(path)
    for path in changed:
        print(("not canonical: " if args.check else "reformatted: ") + str(path))
    return 1 if (args.check and changed) else 0


def cmd_diagram(args: argparse.Namespace) -> int:
    from kg.diagram import render, to_dot

    fmt = args.format or (Path(args.output).suffix.lstrip(".") if args.output else "dot")
    if fmt not in ("dot", "svg", "png"):
        raise CliError(f"unsupported diagram format {fmt!r}: choose dot, svg or png")
    source = to_dot(_files_graph())
    try:
        data = source.encode() if fmt == "dot" else render(source, fmt)
    except RuntimeError as exc:
        raise CliError(str(exc)) from None
    return _emit(data, args.output)


def cmd_serve(args: argparse.Namespace) -> int:
    import os

    import uvicorn

    if args.extension_dir:
        os.environ["LEGPAIN_EXTENSION_DIRS"] = os.pathsep.join(args.extension_dir)
    from api.server import PROTOCOL, log_config

    _settings()  # fail early on bad LEGPAIN_* values
    if args.header_timeout is not None:
        os.environ["LEGPAIN_HEADER_TIMEOUT_S"] = str(args.header_timeout)
    uvicorn.run("api.app:create_app", factory=True, host=args.host, port=args.port, workers=args.workers,
                log_level=args.log_level, log_config=log_config(args.log_level, args.log_format),
                access_log=False, http=PROTOCOL)
    return 0


def _version() -> str:
    """The installed distribution's version (pyproject.toml's), or `unknown` from a bare source tree."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("legpain-kg")
    except PackageNotFoundError:
        return "unknown"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="legpain", description="Knowledge graph of leg pain that comes on while walking.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Settings come from LEGPAIN_* environment variables (see README). "
               "Run `legpain COMMAND --help` for examples.")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress to stderr")
    parser.add_argument("--version", action="version", version=f"legpain {_version()}",
                        help="print the version of legpain-kg and exit")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name: str, help_text: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, help=help_text, description=help_text, epilog=EXAMPLES[name],
                              formatter_class=argparse.RawDescriptionHelpFormatter)

    p = add("assess", "Rank candidate conditions and the urgency for reported findings (phrases or IDs).")
    p.add_argument("findings", nargs="+", help="lay phrases or finding IDs such as lp:CalfPain")
    p.add_argument("--absent", nargs="+", metavar="FINDING", help="findings reported absent")
    p.add_argument("--limit", type=int, default=5, help="how many candidates to show (default 5)")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_assess)

    p = add("search", "Find findings (or conditions) matching a lay phrase.")
    p.add_argument("phrase", help="what the person says, e.g. \"pins and needles\"")
    p.add_argument("--limit", type=int, default=10, help="how many matches to show (default 10)")
    p.add_argument("--conditions", action="store_true", help="search conditions instead of findings")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_search)

    p = add("reason", "Run the reasoner and write the inferred closure (committed file or cache).")
    p.add_argument("--reasoner", choices=["hermit", "owlrl"], default="hermit",
                   help="hermit (default; needs Java, writes the committed closure) or owlrl (cached only)")
    p.add_argument("--check", action="store_true", help="only check that the committed closure is up to date")
    p.set_defaults(func=cmd_reason)

    p = add("validate", "Check syntax, consistency, quality rules, SHACL shapes, quotes and mappings.")
    p.add_argument("--format", choices=["table", "json"], default="table",
                   help="a table for people (default) or JSON for CI")
    p.add_argument("--reasoner", choices=["auto", "hermit", "owlrl"], default="auto",
                   help="the consistency check's reasoner (default auto: HermiT with Java, else OWL RL)")
    p.set_defaults(func=cmd_validate)

    p = add("export", "Write the graph as Turtle, N-Triples, JSON-LD, RDF/XML, OWL/XML, TriG or N-Quads.")
    p.add_argument("--format", default="turtle",
                   choices=["turtle", "ttl", "nt", "json-ld", "xml", "owlxml", "trig", "nquads"],
                   help="owlxml needs Java (OWL API); xml is RDF/XML, which Protégé also opens")
    p.add_argument("--graph", choices=["all", "asserted", "inferred"], default="all",
                   help="which triples: all (default), the asserted ones, or what the reasoner inferred")
    p.add_argument("-o", "--output", help="file to write (default: standard output)")
    p.set_defaults(func=cmd_export)

    p = add("docs", "Generate the reference pages (Markdown): one per class, property and condition.")
    p.add_argument("-o", "--output", default="docs/reference", help="directory to write (default docs/reference)")
    p.set_defaults(func=cmd_docs)

    p = add("release", "Write versioned release artefacts: base (asserted) and full (with inferences).")
    p.add_argument("version", help="release version, e.g. 0.2.0 (becomes owl:versionIRI .../ontology/0.2.0)")
    p.add_argument("-o", "--output", help="directory (default release/VERSION)")
    p.set_defaults(func=cmd_release)

    p = add("query", "Run a named query of queries/ or a .rq file against the graph.")
    p.add_argument("name", nargs="?", help="query name (see --list) or path to a .rq file")
    p.add_argument("--param", action="append", metavar="KEY=VALUE", help="bind ?KEY to VALUE (CURIE, IRI or text)")
    p.add_argument("--format", choices=["table", "json", "csv"], default="table",
                   help="how rows are printed (default table)")
    p.add_argument(
        "--timeout",
        type=float,
        metavar="SECONDS",
        help="stop the query after this long (default LEGPAIN_SPARQL_TIMEOUT_S, 10 s, as the endpoint)",
    )
    p.add_argument("--list", action="store_true", help="list the named queries with what each is for")
    p.set_defaults(func=cmd_query)

    p = add("diagram", "Draw the class hierarchy and the condition / body-system links (Graphviz).")
    p.add_argument("--format", choices=["dot", "svg", "png"], help="default: from the output file's suffix")
    p.add_argument("-o", "--output", help="file to write (default: DOT on standard output)")
    p.set_defaults(func=cmd_diagram)

    p = add("format", "Rewrite the ontology's Turtle files in canonical form.")
    p.add_argument("--check", action="store_true", help="change nothing; exit 1 when a file is not canonical")
    p.set_defaults(func=cmd_format)

    p = add("load", "Write the ontology, knowledge base and inferred triples into the configured store "
                    "(LEGPAIN_STORE), each named graph replaced whole.")
    p.add_argument("--dataset", metavar="FILE",
                   help="a prepared N-Quads dump (.nq, .nq.gz) instead of the ontology files")
    p.add_argument("--progress", action="store_true", help="show the progress bar even when stderr is not a terminal")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_load)

    p = add("serve", "Serve GraphQL (/graphql), SPARQL (/sparql) and /health over HTTP.")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")
    p.add_argument("--workers", type=int, default=1,
                   help="server processes (default 1); each loads the graph and has its SPARQL workers")
    p.add_argument("--extension-dir", action="append", metavar="DIR",
                   help="extra directory of extension modules (*.ttl) to load")
    p.add_argument("--log-level", default="info", choices=["critical", "error", "warning", "info", "debug"],
                   help="the least severe log records written (default info: one access line per request)")
    p.add_argument("--log-format", default="text", choices=["text", "json"],
                   help="text lines (default), or one JSON object per line for log collectors; every line "
                        "carries the request ID (X-Request-ID)")
    p.add_argument("--header-timeout", type=float, metavar="SECONDS",
                   help="close a connection whose request headers take longer than this "
                        "(default 10, or LEGPAIN_HEADER_TIMEOUT_S)")
    p.set_defaults(func=cmd_serve)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    from kg.inference import UnknownTermError
    from kg.loading import OntologyLoadError
    from kg.queries import UnknownQueryError
    from kg.reasoning import ReasoningError
    from kg.store import StoreError

    try:
        return int(args.func(args))
    except StoreError as exc:
        print(f"legpain {args.command}: store error: {exc}", file=sys.stderr)
        return 3
    except (CliError, UnknownTermError, OntologyLoadError, ReasoningError, ValueError) as exc:
        print(f"legpain {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except UnknownQueryError as exc:
        print(f"legpain {args.command}: error: {exc.args[0]}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
