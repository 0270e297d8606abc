"""The inferred closure, cached by a hash of the inputs so a normal start runs no Java.

Two places are looked in, in order: the committed closure of the shipped ontology
(`ontology/inferred/closure.ttl` with `closure.json` holding its input hash), then the user cache
(`Settings.cache_dir/closure-<hash>.nt`) for other inputs (for example with extension modules). On a
miss the reasoner runs (HermiT when Java is there, else OWL RL, which says so) and the result is
cached. Neither is trusted blindly: a cache entry is read only when its bytes match the size and hash
recorded beside it (`kg.core.cache`), and the committed closure only when it holds the number of triples
its metadata records; otherwise the closure is recomputed and the reason logged, never served short.
"""

from __future__ import annotations

import json
import logging
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path

from rdflib import Graph

from kg.core.cache import read_entry, write_entry
from kg.core.namespaces import bind_prefixes
from kg.loading.inputs import canonical_turtle
from kg.reasoning.reasoners import Reasoner, make_reasoner, materialize, resolve_reasoner
from kg.sparql.library import QueryLibrary

log = logging.getLogger(__name__)


class ClosureOrigin(StrEnum):
    """Where an inferred closure came from."""

    #: `ontology/inferred/`, written by `legpain reason` (HermiT) and committed
    COMMITTED = "committed"
    #: the cache directory, computed by an earlier run for the same inputs
    CACHE = "cache"
    #: computed by this run
    COMPUTED = "computed"
    #: part of a prepared dataset (`LEGPAIN_DATASET`), not reasoned again
    PREPARED = "prepared"
    #: what `legpain load` wrote into a persistent store
    STORE = "store"


@dataclass(frozen=True)
class ClosureInfo:
    """Where the inferred triples came from, for /health, `legpain reason` and the logs."""

    input_hash: str
    reasoner: str
    origin: ClosureOrigin
    message: str


def committed_paths(ontology_dir: Path) -> tuple[Path, Path]:
    """The committed closure and its metadata file."""
    folder = ontology_dir / "inferred"
    return folder / "closure.ttl", folder / "closure.json"


def read_committed_meta(ontology_dir: Path) -> dict[str, object]:
    """The committed closure's metadata (input hash, triple count ...); empty when there is none."""
    _, meta = committed_paths(ontology_dir)
    try:
        data = json.loads(meta.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def read_committed_hash(ontology_dir: Path) -> str | None:
    """The input hash the committed closure was computed from, if there is one."""
    value = read_committed_meta(ontology_dir).get("input_hash")
    return None if value is None else str(value)


def write_committed(ontology_dir: Path, inferred: Graph, input_hash: str, reasoner: str) -> Path:
    """Write the closure of the shipped ontology, canonical Turtle plus its metadata."""
    ttl, meta = committed_paths(ontology_dir)
    ttl.parent.mkdir(parents=True, exist_ok=True)
    ttl.write_text(canonical_turtle(inferred), encoding="utf-8")
    meta.write_text(
        json.dumps(
            {
                "generated_by": "legpain reason",
                "note": "Generated file: do not edit. Regenerate with `legpain reason` after changing the ontology.",
                "input_hash": input_hash,
                "reasoner": reasoner,
                "generated_at": datetime.now(UTC).replace(microsecond=0).isoformat(),
                "triples": len(inferred),
            },
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    return ttl


def _graph(data: bytes, fmt: str) -> Graph:
    graph = Graph()
    bind_prefixes(graph)
    graph.parse(data=data, format=fmt)
    return graph


def cache_file(cache_dir: Path, input_hash: str) -> Path:
    return cache_dir / f"closure-{input_hash}.nt"


def store_in_cache(cache_dir: Path, input_hash: str, inferred: Graph) -> None:
    """Cache a closure for these inputs (verified on reading, see `kg.core.cache`)."""
    try:
        data = inferred.serialize(format="nt", encoding="utf-8")
        write_entry(cache_file(cache_dir, input_hash), data, {"triples": len(inferred)})
    except OSError as exc:  # a read-only home must not stop the server
        log.warning("could not cache the inferred closure in %s: %s", cache_dir, exc)


def _committed(ontology_dir: Path, input_hash: str) -> Graph | None:
    """The committed closure when it was computed from these inputs and holds all its triples."""
    meta = read_committed_meta(ontology_dir)
    ttl, _ = committed_paths(ontology_dir)
    if meta.get("input_hash") != input_hash or not ttl.exists():
        return None
    try:
        graph = _graph(ttl.read_bytes(), "turtle")
    except (OSError, SyntaxError, ValueError) as exc:
        log.error("the committed closure %s cannot be read (%s): recomputing it", ttl.name, exc)
        return None
    if meta.get("triples") is not None and meta["triples"] != len(graph):
        log.error(
            "the committed closure %s holds %d triples where its metadata records %s: recomputing it "
            "(run `legpain reason` to write it again)",
            ttl.name,
            len(graph),
            meta["triples"],
        )
        return None
    return graph


def _cached(cache_dir: Path, input_hash: str) -> Graph | None:
    """The cached closure for these inputs, when its entry verifies and parses to what was recorded."""
    path = cache_file(cache_dir, input_hash)
    entry = read_entry(path)
    if entry is None:
        return None
    data, meta = entry
    try:
        graph = _graph(data, "nt")
    except (SyntaxError, ValueError) as exc:
        log.warning("discarding the unreadable cached closure %s (%s)", path, exc)
        return None
    if meta.get("triples") != len(graph):
        log.warning("discarding the cached closure %s: %d triples, %s recorded", path, len(graph), meta.get("triples"))
        return None
    return graph


def obtain_closure(
    asserted: Graph,
    input_hash: str,
    ontology_dir: Path,
    cache_dir: Path,
    queries: QueryLibrary,
    reasoner_name: str = "auto",
    force: bool = False,
) -> tuple[Graph, ClosureInfo]:
    """The inferred triples for these inputs: from the committed closure or the cache when they fit,
    else (or when `force`) computed now with `reasoner_name` and cached. `auto` means HermiT when Java
    is installed, else OWL RL."""
    if not force:
        committed = _committed(ontology_dir, input_hash)
        if committed is not None:
            note = "" if shutil.which("java") else " (Java not found: only `legpain reason` with HermiT is unavailable)"
            return committed, ClosureInfo(
                input_hash,
                "committed",
                ClosureOrigin.COMMITTED,
                "inferred closure loaded from the committed file" + note,
            )
        cached = _cached(cache_dir, input_hash)
        if cached is not None:
            log.info("inferred closure read from %s", cache_file(cache_dir, input_hash))
            return cached, ClosureInfo(
                input_hash, "cache", ClosureOrigin.CACHE, "inferred closure loaded from the cache"
            )
    if reasoner_name == "auto":
        reasoner_name = resolve_reasoner(reasoner_name)
        if reasoner_name == "owlrl":
            log.warning(
                "Java not found and no cached closure fits the inputs: reasoning with OWL RL "
                "(no DL consistency check); run `legpain reason` where Java is installed."
            )
    reasoner: Reasoner = make_reasoner(reasoner_name)
    inferred = materialize(asserted, reasoner, queries)
    store_in_cache(cache_dir, input_hash, inferred)
    return inferred, ClosureInfo(
        input_hash, reasoner.name, ClosureOrigin.COMPUTED, f"inferred closure computed with {reasoner.name}"
    )
