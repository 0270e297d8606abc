"""The closed dataset: the asserted triples and the inferred closure that fits them, in their named graphs.

Three ways to it: a prepared N-Quads dump (`LEGPAIN_DATASET`, not reasoned again); the ontology files
with the closure `kg.reasoning.closure` finds or computes; or the snapshot cache, the closed dataset
of earlier runs for the same input hash, which Oxigraph reads in milliseconds (the warm start).
"""

from __future__ import annotations

import dataclasses
import gzip
import hashlib
import logging
import os
import shutil
import threading
from pathlib import Path
from typing import IO, cast

import pyoxigraph as ox
from rdflib import Dataset

from kg.core.cache import discard, read_entry, write_entry
from kg.core.namespaces import INFERRED_GRAPH
from kg.core.settings import Settings
from kg.loading.inputs import InputFile, OntologyLoadError, discover_inputs, input_hash, load_asserted, merged_graph
from kg.reasoning.closure import ClosureInfo, ClosureOrigin, obtain_closure
from kg.sparql.library import QueryLibrary
from kg.stores.oxigraph import native_store, oxigraph_dataset

log = logging.getLogger(__name__)


def closed_dataset(
    settings: Settings, force_reasoner: str | None = None
) -> tuple[Dataset, str, ClosureInfo, tuple[InputFile, ...]]:
    """The asserted and inferred triples in their named graphs (an rdflib in-memory dataset), their
    data version and where the closure came from: from `settings.dataset` when set (a prepared dump,
    not reasoned again; opened from its kept copy in the cache directory when there is one), else
    from the ontology files and the closure that fits them (`kg.reasoning.closure`)."""
    if settings.dataset is not None:
        dataset, digest = read_prepared(settings.dataset, settings.cache_dir)
        return (
            dataset,
            digest,
            ClosureInfo(
                digest, "prepared", ClosureOrigin.PREPARED, f"prepared dataset {settings.dataset} (not reasoned again)"
            ),
            (),
        )
    queries = QueryLibrary(settings.queries_dir)
    inputs = discover_inputs(settings)
    dataset = load_asserted(inputs)
    digest = input_hash(inputs, settings.ontology_dir)
    asserted = merged_graph(dataset)
    inferred, info = obtain_closure(
        asserted,
        digest,
        settings.ontology_dir,
        settings.cache_dir,
        queries,
        force_reasoner or settings.reasoner,
        force=force_reasoner is not None,
    )
    target = dataset.graph(INFERRED_GRAPH)
    for triple in inferred:
        target.add(triple)
    return dataset, digest, info, tuple(inputs)


def read_prepared(path: Path, cache_dir: Path | None = None) -> tuple[Dataset, str]:
    """A prepared N-Quads dump (`.nq`, `.nq.gz`) and its data version (a hash of its bytes), read by
    Oxigraph's parser into memory (ten times rdflib's parsing speed, a third of its memory: what makes
    an HPO-sized dump practical). The file is streamed, never held whole: a gzip dump is decompressed
    as Oxigraph reads it (HPO's 1.3 GB of N-Quads were held in memory before).

    With a `cache_dir` holding a kept copy of the dump (an Oxigraph store on disk, keyed by the data
    version, written by `keep_in_background` after an earlier start), that store is opened read-only
    instead of parsing 8 million quads again (40 s on HPO): the warm start of a large graph."""
    if not path.is_file():
        raise OntologyLoadError(path, "prepared dataset not found (LEGPAIN_DATASET)")
    digest = hashlib.sha256()
    try:
        with path.open("rb") as raw:
            for chunk in iter(lambda: raw.read(1 << 20), b""):
                digest.update(chunk)
    except OSError as exc:
        raise OntologyLoadError(path, f"cannot be read: {exc}") from exc
    version = "prepared-" + digest.hexdigest()
    target = prepared_store_path(cache_dir, version) if cache_dir is not None else None
    if target is not None and (target / COMPLETE).is_file():
        try:
            return oxigraph_dataset(ox.Store.read_only(str(target))), version
        except (OSError, RuntimeError) as exc:
            log.warning("could not open the kept store %s (%s); the dump is read again", target, exc)
    native = ox.Store()
    _bulk_load(path, native)
    return oxigraph_dataset(native), version


def keep_in_background(path: Path, version: str, cache_dir: Path) -> threading.Thread | None:
    """Start keeping a prepared dump on disk (`_keep`) unless it is kept already: called once the
    service is ready, so that writing RocksDB (a minute for HPO) neither slows the first start nor
    adds to its peak memory."""
    target = prepared_store_path(cache_dir, version)
    if (target / COMPLETE).is_file() or (target in _keepers and _keepers[target].is_alive()):
        return None
    thread = threading.Thread(target=_keep, args=(path, target), name="keep-prepared-dataset", daemon=True)
    _keepers[target] = thread
    thread.start()
    return thread


def prepared_store_path(cache_dir: Path, version: str) -> Path:
    """Where the on-disk Oxigraph copy of a prepared dump is kept: a directory per data version."""
    return cache_dir / f"store-{version}"


#: The file that marks a kept store complete: written into it before it is moved into place, so a
#: store under its final name is always whole.
COMPLETE = "LOADED"

#: The threads keeping prepared dumps on disk, by target (a test waits for them).
_keepers: dict[Path, threading.Thread] = {}


def keeper(target: Path) -> threading.Thread | None:
    """The thread keeping a dump at `target`, if this process started one."""
    return _keepers.get(target)


def _bulk_load(path: Path, native: ox.Store) -> None:
    try:
        with gzip.open(path, "rb") if path.suffix == ".gz" else path.open("rb") as stream:
            native.bulk_load(cast(IO[bytes], stream), ox.RdfFormat.N_QUADS)
    except (OSError, EOFError, SyntaxError, ValueError) as exc:
        raise OntologyLoadError(path, f"not valid N-Quads: {exc}") from exc


def _keep(path: Path, target: Path) -> None:
    """Write the dump into an on-disk store beside `target` (a name of this process's own, so two
    processes never write one directory) and move it into place; the first to finish wins. Any
    failure only logs: the next start reads the dump again."""
    partial = target.with_name(f"{target.name}.partial-{os.getpid()}")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        writer = ox.Store(str(partial))
        _bulk_load(path, writer)
        writer.flush()
        del writer  # closes the RocksDB files before they move
        (partial / COMPLETE).write_text(path.name + "\n", encoding="utf-8")
        partial.rename(target)
        log.info("prepared dataset %s kept in %s for the next start", path, target)
    except (OSError, RuntimeError, OntologyLoadError) as exc:
        if not (target / COMPLETE).is_file():
            log.warning("could not keep the prepared dataset in %s (%s); the next start reads it again", target, exc)
    finally:
        shutil.rmtree(partial, ignore_errors=True)


def snapshot_path(settings: Settings, digest: str) -> Path:
    return settings.cache_dir / f"dataset-{digest}.nq"


def read_snapshot(settings: Settings) -> tuple[Dataset, str, ClosureInfo, tuple[InputFile, ...], dict[str, int]] | None:
    """The closed dataset for these inputs from the snapshot cache (N-Quads that Oxigraph reads in
    milliseconds, where parsing the Turtle files takes most of a second): the warm start. Read only
    when it verifies (`kg.core.cache`) and holds the triples recorded for it."""
    inputs = discover_inputs(settings)
    digest = input_hash(inputs, settings.ontology_dir)
    data = snapshot_path(settings, digest)
    entry = read_entry(data)
    if entry is None:
        return None
    raw, meta = entry
    try:
        info = ClosureInfo(**meta["closure"])
        counts = {str(k): int(v) for k, v in meta["counts"].items()}
        native = ox.Store()
        native.bulk_load(raw, ox.RdfFormat.N_QUADS)
    except (KeyError, AttributeError, ValueError, TypeError, SyntaxError) as exc:
        log.warning("discarding the unreadable snapshot %s: %s", data, exc)
        discard(data)
        return None
    dataset = oxigraph_dataset(native)
    # the committed closure stays "committed" (the snapshot only saves parsing it); a closure that was
    # computed for these inputs is now a cache hit
    origin = ClosureOrigin.COMMITTED if info.origin is ClosureOrigin.COMMITTED else ClosureOrigin.CACHE
    note = (
        info.message
        if origin is ClosureOrigin.COMMITTED
        else f"inferred closure ({info.reasoner}) loaded from the cache"
    ) + " (graph read from the snapshot cache)"
    log.info("graph read from the snapshot %s", data)
    return dataset, digest, ClosureInfo(info.input_hash, info.reasoner, origin, note), tuple(inputs), counts


def store_snapshot(
    settings: Settings, dataset: Dataset, digest: str, info: ClosureInfo, counts: dict[str, int]
) -> None:
    """Cache the closed dataset for the next start (verified when read back, see `kg.core.cache`)."""
    data = snapshot_path(settings, digest)
    try:
        native = native_store(dataset)
        assert native is not None  # the Oxigraph backend opened it
        dump = native.dump(format=ox.RdfFormat.N_QUADS) or b""
        write_entry(data, dump, {"closure": dataclasses.asdict(info), "counts": counts})
    except OSError as exc:  # a read-only cache must not stop the server
        log.warning("could not cache the dataset snapshot in %s: %s", data.parent, exc)
