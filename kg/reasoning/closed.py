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
import shutil
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
    settings: Settings, force_reasoner: str | None = None, keep_prepared: bool = True
) -> tuple[Dataset, str, ClosureInfo, tuple[InputFile, ...]]:
    """The asserted and inferred triples in their named graphs (an rdflib in-memory dataset), their
    data version and where the closure came from: from `settings.dataset` when set (a prepared dump,
    not reasoned again; kept on disk in the cache directory for the next start unless `keep_prepared` is
    false), else from the ontology files and the closure that fits them (`kg.reasoning.closure`)."""
    if settings.dataset is not None:
        dataset, digest = read_prepared(settings.dataset, settings.cache_dir if keep_prepared else None)
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
    Oxigraph's parser (ten times rdflib's parsing speed, a third of its memory: what makes an
    HPO-sized dump practical). The file is streamed, never held whole: a gzip dump is decompressed as
    Oxigraph reads it (HPO's 1.3 GB of N-Quads were held in memory before).

    With a `cache_dir`, the dump is loaded once into an Oxigraph store on disk there
    (`prepared_store_path`, keyed by the data version, never written again once complete) and every
    later start opens that store read-only instead of parsing 8 million quads again (40 s on HPO):
    the warm start of a large graph. Without one, or when the cache cannot be written, it is loaded
    into memory."""
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
    if cache_dir is not None:
        stored = _prepared_store(path, prepared_store_path(cache_dir, version))
        if stored is not None:
            return oxigraph_dataset(stored), version
    native = ox.Store()
    _bulk_load(path, native)
    return oxigraph_dataset(native), version


def prepared_store_path(cache_dir: Path, version: str) -> Path:
    """Where the on-disk Oxigraph copy of a prepared dump is kept: a directory per data version."""
    return cache_dir / f"store-{version}"


#: The file that marks a kept store complete (written last, after the load is flushed and closed).
COMPLETE = "LOADED"


def _bulk_load(path: Path, native: ox.Store) -> None:
    try:
        with gzip.open(path, "rb") if path.suffix == ".gz" else path.open("rb") as stream:
            native.bulk_load(cast(IO[bytes], stream), ox.RdfFormat.N_QUADS)
    except (OSError, EOFError, SyntaxError, ValueError) as exc:
        raise OntologyLoadError(path, f"not valid N-Quads: {exc}") from exc


def _prepared_store(path: Path, target: Path) -> ox.Store | None:
    """The kept on-disk store of a dump, read-only, loading it first when it is not there yet; None
    when the cache cannot hold it (the caller loads into memory)."""
    if not (target / COMPLETE).is_file():
        partial = target.with_name(target.name + ".partial")
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.rmtree(partial, ignore_errors=True)
            shutil.rmtree(target, ignore_errors=True)
            writer = ox.Store(str(partial))
            _bulk_load(path, writer)
            writer.flush()
            del writer  # closes the RocksDB files, so they can be moved and opened read-only
            partial.rename(target)
            (target / COMPLETE).write_text(path.name + "\n", encoding="utf-8")
        except OSError as exc:
            log.warning("could not keep the prepared dataset in %s (%s); it is loaded into memory", target, exc)
            shutil.rmtree(partial, ignore_errors=True)
            return None
        log.info("prepared dataset %s kept in %s for the next start", path, target)
    try:
        return ox.Store.read_only(str(target))
    except (OSError, RuntimeError) as exc:
        log.warning("could not open the kept store %s (%s); it is loaded into memory", target, exc)
        return None


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
