"""Settings: one frozen object built at the edges (CLI, app factory) and passed down.

Every field can be set from a `LEGPAIN_*` environment variable; tests construct `Settings` directly.
"""

from __future__ import annotations

import inspect
import os
import re
from dataclasses import MISSING, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from kg.core.resources import CHECKOUT, shipped_dir

#: The checkout's root when running from one (tests and development commands use it); the data the
#: server reads is found through `kg.core.resources`, so an installed wheel needs no checkout.
PROJECT_ROOT = CHECKOUT


def _default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "legpain"


@dataclass(frozen=True)
class Settings:
    """Where the ontology lives, how to reason, and the limits of the HTTP interfaces."""

    #: The shipped ontology: header, term files, `kb/`, `mappings/`, `extensions/`, `inferred/`.
    ontology_dir: Path = field(default_factory=lambda: shipped_dir("ontology"))
    #: The named SPARQL queries (`*.rq`), including `rules/` and `checks/`.
    queries_dir: Path = field(default_factory=lambda: shipped_dir("queries"))
    #: Extra directories of extension modules (`*.ttl`), loaded after `ontology/extensions/`.
    extension_dirs: tuple[Path, ...] = ()
    #: Where inferred closures for inputs other than the shipped ones, the dataset snapshot, the built
    #: index of each data version (`index-*.pickle`) and the on-disk copy of a prepared dump
    #: (`store-prepared-*/`) are kept. It must be as trusted as the code: the index snapshot is a
    #: pickle. Delete it at any time; it is rebuilt.
    cache_dir: Path = field(default_factory=_default_cache_dir)
    #: The reasoner that runs when no committed or cached closure fits the inputs: `auto` (HermiT if
    #: Java is installed, else OWL RL), `hermit` or `owlrl`.
    reasoner: str = "auto"
    #: Where the triples live (`kg.stores`): `oxigraph` (in memory, the default: fastest by measurement,
    #: see the README), `memory` (rdflib's pure-Python store), `oxigraph:PATH` (on disk, filled by
    #: `legpain load`), `sparql:QUERY_URL[;UPDATE_URL[;GRAPH_STORE_URL]]` (a SPARQL 1.1 server, filled
    #: by `legpain load`, by the Graph Store Protocol when its URL is given) or `virtuoso:BASE_URL`
    #: (OpenLink Virtuoso, see the README).
    store: str = "oxigraph"
    #: A prepared, already reasoned dataset (N-Quads, `.nq` or `.nq.gz`, with the named graphs of
    #: `legpain export --format nquads`) to serve or load instead of the ontology files.
    dataset: Path | None = None
    #: Seconds a request to a remote store may take before it counts as unavailable.
    store_timeout_s: float = 30.0
    #: Seconds one write request of `legpain load` may take (a graph of hundreds of MB, or dropping
    #: one that holds millions of triples: Oxigraph server takes about ten minutes for 6.4 million).
    store_load_timeout_s: float = 3600.0
    #: How often (seconds) a store-backed service checks the store's data version to drop its caches.
    store_cache_ttl_s: float = 2.0

    # HTTP: GraphQL limits
    #: How deeply one GraphQL operation may nest its selections (introspection not counted)
    max_query_depth: int = 10
    #: Tokens one GraphQL document may hold (refused while parsing)
    max_query_tokens: int = 2000
    #: Aliases one GraphQL operation may use
    max_aliases: int = 30
    #: Field selections one GraphQL operation may make, fragments counted where spread (bounds the
    #: CPU that validating and executing one document can take)
    max_fields: int = 100
    #: The estimated number of fields one GraphQL operation may resolve, each list counted as ten
    #: items (`api.graphql.limits.QueryShape.cost`); what bounds wide fan-out within the depth limit
    max_cost: int = 20_000
    #: Items a list argument may hold (`symptoms`, `absentSymptoms` ...)
    max_list_input: int = 50
    #: The largest `limit` a paged field accepts
    max_limit: int = 100
    #: Bytes a request body may have (larger: 413)
    max_body_bytes: int = 100_000
    #: Bytes of whole GraphQL responses kept for repeated requests (`api.graphql.cache`: only answers
    #: without errors, dropped when the data version changes); 0 turns the cache off
    graphql_cache_bytes: int = 32 * 1024 * 1024
    #: Origins allowed to call the API from a browser (comma-separated); empty: CORS off
    cors_origins: tuple[str, ...] = ()
    #: Seconds a client has to send a request's line and headers before its connection is closed
    header_timeout_s: float = 10.0
    #: Token for `POST /admin/reload`; empty (the default) turns the admin endpoint off.
    admin_token: str = ""
    # HTTP: SPARQL limits
    #: Seconds a SPARQL query may run (its worker is then stopped: 503); also `legpain query`'s default
    sparql_timeout_s: float = 10.0
    #: Rows (or triples) one SPARQL answer may hold; the rest are cut (`X-Legpain-Truncated`)
    sparql_max_rows: int = 10_000
    #: About how many bytes one SPARQL answer may take; rows past it are cut (`X-Legpain-Truncated`)
    sparql_max_result_bytes: int = 16_000_000
    #: Bytes a SPARQL query text may have (larger: 413)
    sparql_max_query_bytes: int = 50_000
    #: SPARQL worker processes per server process (each holds the dataset; a timed-out query's worker
    #: is replaced)
    sparql_workers: int = 3
    #: Workers that queries running past `sparql_long_query_s` may never take, so short queries are
    #: answered while long ones run (a long query that would take one is stopped: 503, retry later)
    sparql_reserved_workers: int = 1
    #: Seconds after which a running SPARQL query counts as long (see `sparql_reserved_workers`)
    sparql_long_query_s: float = 0.5
    #: Address space a SPARQL worker may add for one query before it is stopped (503)
    sparql_worker_memory_mb: int = 1024

    @classmethod
    def variables(cls) -> list[tuple[str, str, str]]:
        """(environment variable, default, meaning) for every setting, from this class's own source:
        the `#:` comment above each field is its documentation (what the README's table shows)."""
        source = inspect.getsource(cls)
        docs: dict[str, str] = {}
        pending: list[str] = []
        for line in source.splitlines():
            stripped = line.strip()
            if stripped.startswith("#:"):
                pending.append(stripped[2:].strip())
                continue
            match = re.match(r"(\w+): [^=]+=", stripped)
            if match and pending:
                docs[match.group(1)] = " ".join(pending)
            pending = []
        rows = []
        for f in fields(cls):
            if f.default is not MISSING:
                default = _shown(f.default)
            else:
                default = _FACTORY_DEFAULTS[f.name]
            rows.append((f"LEGPAIN_{f.name.upper()}", default, docs[f.name]))
        return rows

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides: Any) -> Settings:
        """Build settings from `LEGPAIN_<FIELD>` variables; keyword overrides win."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = env.get("LEGPAIN_" + f.name.upper())
            if raw is None or raw == "":
                continue
            values[f.name] = _convert(f.name, f.type, raw)
        types = {f.name: f.type for f in fields(cls)}
        for key, value in overrides.items():
            if value is None:
                continue
            # a string override reads as the environment's would ("dataset='dump.nq.gz'" is a path)
            values[key] = _convert(key, types[key], value) if isinstance(value, str) and key in types else value
        return cls(**values)

    def with_changes(self, **changes: Any) -> Settings:
        """A copy with some fields changed."""
        return replace(self, **changes)


#: How the defaults computed at run time read in the documentation.
_FACTORY_DEFAULTS = {
    "ontology_dir": "the ontology the package ships",
    "queries_dir": "the queries the package ships",
    "cache_dir": "`$XDG_CACHE_HOME/legpain`, else `~/.cache/legpain`",
}


def _shown(value: object) -> str:
    if value is None or value == "" or value == ():
        return "(none)"
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f"{value:,}" if isinstance(value, int) else f"{value:g}"
    return f"`{value}`"


def settings_table() -> str:
    """The Markdown table of every `LEGPAIN_*` variable, as the README shows it (a test keeps them equal)."""
    lines = ["| variable | default | meaning |", "|---|---|---|"]
    lines += [f"| `{name}` | {default} | {doc} |" for name, default, doc in Settings.variables()]
    return "\n".join(lines) + "\n"


def _convert(name: str, type_name: Any, raw: str) -> Any:
    """Turn an environment string into the field's type, with a clear error when it does not fit."""
    text = str(type_name)
    try:
        if text in ("Path", "Path | None"):
            return Path(raw)
        if "tuple[Path" in text:
            return tuple(Path(p) for p in raw.split(os.pathsep) if p)
        if "tuple[str" in text:
            return tuple(p.strip() for p in raw.split(",") if p.strip())
        if text == "int":
            return int(raw)
        if text == "float":
            return float(raw)
    except ValueError as exc:
        raise ValueError(f"LEGPAIN_{name.upper()}={raw!r} is not a valid {text}") from exc
    return raw
