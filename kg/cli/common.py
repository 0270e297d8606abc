"""What every command module of the CLI shares: the user-error type, settings and service, the graph read
from the files, and writing a result to a file or standard output."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from kg.core.settings import Settings

if TYPE_CHECKING:
    from kg.assessment.service import LegPainService
    from kg.knowledge.graph import LoadedGraph


class CliError(Exception):
    """A user error: printed as one line on stderr, exit code 2."""


def load_settings() -> Settings:
    """The settings from the `LEGPAIN_*` environment variables (`ValueError` for a bad one)."""
    return Settings.from_env()


def open_service() -> LegPainService:
    """The service over the configured store (`LEGPAIN_STORE`)."""
    from kg.assessment.service import load_service

    return load_service(load_settings())


def files_graph() -> LoadedGraph:
    """The graph read from the ontology files (authoring commands: export, docs, release, diagram work
    on the files, whichever store the API uses)."""
    from kg.knowledge.graph import load_graph

    return load_graph(load_settings())


def emit(data: bytes, output: str | None) -> int:
    """Write a command's result to a file (saying so on stderr) or to standard output."""
    if output:
        Path(output).write_bytes(data)
        print(f"written to {output}", file=sys.stderr)
    else:
        sys.stdout.buffer.write(data)
    return 0


#: Adds one command to the parser: `add(name, examples, help)` returns its sub-parser.
AddCommand = Callable[[str, str, str], argparse.ArgumentParser]
