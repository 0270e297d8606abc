"""`legpain load`: write the closed dataset into the configured store, each named graph replaced whole."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kg.cli.common import AddCommand, CliError, load_settings


def cmd_load(args: argparse.Namespace) -> int:
    """Write the knowledge graph (asserted and inferred named graphs) into the configured store."""
    from kg.reasoning.closed import closed_dataset
    from kg.sparql.library import QueryLibrary
    from kg.stores.base import load_statistics, source_graphs, store_call
    from kg.stores.errors import StoreUnavailableError
    from kg.stores.oxigraph import source_size
    from kg.stores.registry import backend_for

    settings = load_settings()
    if args.dataset:
        settings = settings.with_changes(dataset=Path(args.dataset))
    backend = backend_for(settings.store, settings.store_timeout_s, settings.store_load_timeout_s)
    if not backend.persistent:
        raise CliError(
            f"LEGPAIN_STORE={backend} keeps nothing between runs, so there is nothing to load: "
            "`legpain serve` reads the files itself. Set LEGPAIN_STORE=oxigraph:PATH or "
            "sparql:QUERY_URL[;UPDATE_URL[;GRAPH_STORE_URL]] or virtuoso:BASE_URL to load a store."
        )
    closed, version, info, _ = closed_dataset(settings)
    graphs = source_graphs(closed)
    total = source_size(closed, graphs)
    queries = QueryLibrary(settings.queries_dir)
    if not args.force:
        try:
            held = store_call(
                backend, "tell what it holds", lambda: backend.holds_load(graphs, total, version, queries)
            )
        except StoreUnavailableError as exc:
            unchanged = "The store is unchanged."
            raise StoreUnavailableError(f"{exc}. {unchanged}", f"{exc.public}. {unchanged}") from exc
        if held is not None:
            print(
                f"{backend} already holds this data (version {version[:16]}, {held.triples} triples in "
                f"{len(held.graphs)} graphs): nothing to load (--force writes it again)",
                file=sys.stderr,
            )
            return 0
    print(f"loading {total} triples in {len(graphs)} graphs into {backend} ({info.message})", file=sys.stderr)
    bar = _ProgressBar(total, enabled=not args.quiet and sys.stderr.isatty() or args.progress)
    try:
        report = backend.load(closed, version, progress=bar.update, statistics=load_statistics(closed, queries))
    finally:
        bar.close()
    rate = report.triples / report.seconds if report.seconds else float("inf")
    for graph, count in report.graphs.items():
        print(f"  {graph}: {count} triples", file=sys.stderr)
    for graph in report.removed:
        print(f"  {graph}: removed (no longer in the inputs)", file=sys.stderr)
    print(
        f"loaded {report.triples} triples into {backend} in {report.seconds:.2f} s ({rate:,.0f} triples/s); "
        f"data version {version[:16]}",
        file=sys.stderr,
    )
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
            sys.stderr.write(
                f"\r[{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total} triples "
                f"{graph.rsplit('/', 1)[-1]:<16}"
            )
            sys.stderr.flush()

    def close(self) -> None:
        if self.enabled:
            sys.stderr.write("\n")


EXAMPLES = {
    "load": """examples:
  LEGPAIN_STORE=oxigraph:/var/lib/legpain legpain load
  LEGPAIN_STORE="sparql:http://127.0.0.1:7878/query;http://127.0.0.1:7878/update" legpain load
  LEGPAIN_STORE=oxigraph:data/hpo legpain load --dataset hpo.nq.gz""",
}


def register(add: AddCommand) -> None:
    """Add this group's commands to the `legpain` parser."""
    p = add(
        "load",
        EXAMPLES["load"],
        "Write the ontology, knowledge base and inferred triples into the configured store "
        "(LEGPAIN_STORE), each named graph replaced whole.",
    )
    p.add_argument(
        "--dataset", metavar="FILE", help="a prepared N-Quads dump (.nq, .nq.gz) instead of the ontology files"
    )
    p.add_argument("--progress", action="store_true", help="show the progress bar even when stderr is not a terminal")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument(
        "--force", action="store_true", help="write every graph even when the store already holds this data version"
    )
    p.set_defaults(func=cmd_load)
