"""`legpain serve`: the HTTP API (`api.app.create_app`) under uvicorn.

The command belongs to the HTTP layer it starts, so it lives here and joins the `legpain` parser
through the `legpain.commands` entry point (pyproject.toml): the command line (`kg.cli`) never
imports `api`, and another distribution can add commands the same way."""

from __future__ import annotations

import argparse
import os

from kg.cli.common import AddCommand, load_settings


def cmd_serve(args: argparse.Namespace) -> int:
    """Run the server until it is stopped; settings are checked first, so a bad one fails at once.
    The server's modules are imported here, not at the top: every `legpain` command builds the parser,
    and only this one needs uvicorn."""
    import uvicorn

    from api.server import PROTOCOL, log_config

    if args.extension_dir:
        os.environ["LEGPAIN_EXTENSION_DIRS"] = os.pathsep.join(args.extension_dir)

    load_settings()  # fail early on bad LEGPAIN_* values
    if args.header_timeout is not None:
        os.environ["LEGPAIN_HEADER_TIMEOUT_S"] = str(args.header_timeout)
    uvicorn.run(
        "api.app:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level=args.log_level,
        log_config=log_config(args.log_level, args.log_format),
        access_log=False,
        http=PROTOCOL,
    )
    return 0


EXAMPLES = {
    "serve": """examples:
  legpain serve                          # http://127.0.0.1:8000/graphql
  legpain serve --host 0.0.0.0 --port 8080 --workers 2
  LEGPAIN_STORE="sparql:http://127.0.0.1:7878/query" legpain serve --workers 2""",
}


def register(add: AddCommand) -> None:
    """Add this group's commands to the `legpain` parser."""
    p = add("serve", EXAMPLES["serve"], "Serve GraphQL (/graphql), SPARQL (/sparql) and /health over HTTP.")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")
    p.add_argument(
        "--workers",
        type=int,
        default=1,
        help="server processes (default 1); each loads the graph and has its SPARQL workers",
    )
    p.add_argument(
        "--extension-dir", action="append", metavar="DIR", help="extra directory of extension modules (*.ttl) to load"
    )
    p.add_argument(
        "--log-level",
        default="info",
        choices=["critical", "error", "warning", "info", "debug"],
        help="the least severe log records written (default info: one access line per request)",
    )
    p.add_argument(
        "--log-format",
        default="text",
        choices=["text", "json"],
        help="text lines (default), or one JSON object per line for log collectors; every line "
        "carries the request ID (X-Request-ID)",
    )
    p.add_argument(
        "--header-timeout",
        type=float,
        metavar="SECONDS",
        help="close a connection whose request headers take longer than this (default 10, or LEGPAIN_HEADER_TIMEOUT_S)",
    )
    p.set_defaults(func=cmd_serve)
