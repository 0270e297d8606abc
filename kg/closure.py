"""The inferred closure, cached by a hash of the inputs so a normal start runs no Java.

Two places are looked in, in order: the committed closure of the shipped ontology
(`ontology/inferred/closure.ttl` with `closure.json` holding its input hash), then the user cache
(`Settings.cache_dir/<hash>.nt`) for other inputs (for example with extension modules). On a miss the
reasoner runs (HermiT when Java is there, else OWL RL, which says so) and the result is cached.
"""

from __future__ import annotations

import json
import logging
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from rdflib import Graph

from kg.loading import canonical_turtle
from kg.namespaces import bind_prefixes
from kg.queries import QueryLibrary
from kg.reasoning import Reasoner, java_available, make_reasoner, materialize

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ClosureInfo:
    """Where the inferred triples came from, for /health, `legpain reason` and the logs."""

    input_hash: str
    reasoner: str
    origin: str  # "committed", "cache" or "computed"
    message: str


def committed_paths(ontology_dir: Path) -> tuple[Path, Path]:
    """The committed closure and its metadata file."""
    folder = ontology_dir / "inferred"
    return folder / "closure.ttl", folder / "closure.json"


def read_committed_hash(ontology_dir: Path) -> str | None:
    """The input hash the committed closure was computed from, if there is one."""
    _, meta = committed_paths(ontology_dir)
    try:
        return str(json.loads(meta.read_text(encoding="utf-8"))["input_hash"])
    except (OSError, ValueError, KeyError):
        return None


def write_committed(ontology_dir: Path, inferred: Graph, input_hash: str, reasoner: str) -> Path:
    """Write the closure of the shipped ontology, canonical Turtle plus its metadata."""
    ttl, meta = committed_paths(ontology_dir)
    ttl.parent.mkdir(parents=True, exist_ok=True)
    ttl.write_text(canonical_turtle(inferred), encoding="utf-8")
    meta.write_text(json.dumps({
        "generated_by": "legpain reason",
        "note": "Generated file: do not edit. Regenerate with `legpain reason` after changing the ontology.",
        "input_hash": input_hash,
        "reasoner": reasoner,
        "generated_at": datetime.now(UTC).replace(microsecond=0).isoformat(),
        "triples": len(inferred),
    }, indent=2) + "\n", encoding="utf-8")
    return ttl


def _read(path: Path, fmt: str) -> Graph:
    graph = Graph()
    bind_prefixes(graph)
    graph.parse(path, format=fmt)
    return graph


def _cache_file(cache_dir: Path, input_hash: str) -> Path:
    return cache_dir / f"closure-{input_hash}.nt"


def store_in_cache(cache_dir: Path, input_hash: str, inferred: Graph) -> None:
    """Cache a closure for these inputs (written whole, then renamed, so readers never see half)."""
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        target = _cache_file(cache_dir, input_hash)
        partial = target.with_suffix(".partial")
        inferred.serialize(partial, format="nt", encoding="utf-8")
        partial.replace(target)
    except OSError as exc:  # a read-only home must not stop the server
        log.warning("could not cache the inferred closure in %s: %s", cache_dir, exc)


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
        ttl, _ = committed_paths(ontology_dir)
        if read_committed_hash(ontology_dir) == input_hash and ttl.exists():
            note = "" if shutil.which("java") else " (Java not found: only `legpain reason` with HermiT is unavailable)"
            return _read(ttl, "turtle"), ClosureInfo(
                input_hash, "committed", "committed", "inferred closure loaded from the committed file" + note
            )
        cached = _cache_file(cache_dir, input_hash)
        if cached.exists():
            return _read(cached, "nt"), ClosureInfo(
                input_hash, "cache", "cache", f"inferred closure loaded from the cache {cached}"
            )
    if reasoner_name == "auto":
        reasoner_name = "hermit" if java_available() else "owlrl"
        if reasoner_name == "owlrl":
            log.warning("Java not found and no cached closure fits the inputs: reasoning with OWL RL "
                        "(no DL consistency check); run `legpain reason` where Java is installed.")
    reasoner: Reasoner = make_reasoner(reasoner_name)
    inferred = materialize(asserted, reasoner, queries)
    store_in_cache(cache_dir, input_hash, inferred)
    return inferred, ClosureInfo(input_hash, reasoner.name, "computed",
                                 f"inferred closure computed with {reasoner.name}")
