"""The `legpain` command line: assess, interview, search, reason, validate, export, query, format and serve."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from importlib.metadata import entry_points

from kg.cli import assessment, authoring, interview, query, stores
from kg.cli.common import CliError

#: The entry-point group through which other packages add command groups: each names a module with a
#: `register(add)` function like the ones of `kg.cli` (the HTTP layer adds `serve` so).
COMMANDS = "legpain.commands"


def _version() -> str:
    """The installed distribution's version (pyproject.toml's), or `unknown` from a bare source tree."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("legpain-kg")
    except PackageNotFoundError:
        return "unknown"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="legpain",
        description="Knowledge graph of leg pain that comes on while walking.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Settings come from LEGPAIN_* environment variables (see README). "
        "Run `legpain COMMAND --help` for examples.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress to stderr")
    parser.add_argument(
        "--version", action="version", version=f"legpain {_version()}", help="print the version of legpain-kg and exit"
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name: str, examples: str, help_text: str) -> argparse.ArgumentParser:
        return sub.add_parser(
            name,
            help=help_text,
            description=help_text,
            epilog=examples,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )

    for group in (assessment, interview, authoring, query, stores):
        group.register(add)
    for extra in sorted(entry_points(group=COMMANDS), key=lambda ep: ep.name):
        extra.load().register(add)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s"
    )
    from kg.assessment.scoring import UnknownTermError
    from kg.loading.inputs import OntologyLoadError
    from kg.reasoning.reasoners import ReasoningError
    from kg.sparql.library import UnknownQueryError
    from kg.stores.errors import StoreError

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
