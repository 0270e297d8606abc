"""The built index, kept beside the data it was built from, so that a warm start reads it back.

Building the index runs every `queries/index` file over the store and turns the rows into records: 35 s
on the HPO graph, where reading the records back takes about 2 s. The snapshot is a cache entry
(`kg.core.cache`: written whole, read back only when its bytes match their recorded SHA-256) in the
cache directory, keyed by the data version and by a fingerprint of what decides the index's shape (the
`queries/index` files and the modules that define and build the records), so a changed query or
record is never read from an old snapshot. Beside the index it keeps the triple counts per named graph
recorded at the load, so a warm start counts nothing.

The entry is a pickle: it is read only from the cache directory this process writes, which must be
as trusted as the code (the same holds for any Python cache). A snapshot that cannot be read is
logged, removed and rebuilt.
"""

from __future__ import annotations

import hashlib
import logging
import pickle
from pathlib import Path

from kg.core import records
from kg.core.cache import discard, read_entry, write_entry
from kg.core.settings import Settings
from kg.knowledge import index as index_module
from kg.knowledge.index import TermIndex

log = logging.getLogger(__name__)


def fingerprint(queries_dir: Path) -> str:
    """What decides the index's shape: the index queries and the record and index modules' source."""
    digest = hashlib.sha256()
    for file in sorted((queries_dir / "index").glob("*.rq")):
        digest.update(file.name.encode() + b"\0" + file.read_bytes())
    for module in (records, index_module):
        if module.__file__:
            digest.update(Path(module.__file__).read_bytes())
    return digest.hexdigest()[:16]


def snapshot_path(settings: Settings, data_version: str) -> Path:
    safe = "".join(ch for ch in data_version if ch.isalnum() or ch in "-_")[:80]
    return settings.cache_dir / f"index-{safe}-{fingerprint(settings.queries_dir)}.pickle"


def read_index(settings: Settings, data_version: str) -> tuple[TermIndex, dict[str, int]] | None:
    """The index built earlier for this data version and its triple counts, or None (a miss)."""
    path = snapshot_path(settings, data_version)
    entry = read_entry(path)
    if entry is None:
        return None
    data, meta = entry
    try:
        index = pickle.loads(data)
        counts = {str(k): int(v) for k, v in meta["counts"].items()}
        if not isinstance(index, TermIndex) or index.version != data_version:
            raise ValueError("not the index of this data version")
    except (pickle.UnpicklingError, AttributeError, ImportError, EOFError, KeyError, TypeError, ValueError) as exc:
        log.warning("discarding the unreadable index snapshot %s: %s", path, exc)
        discard(path)
        return None
    log.info("index read from the snapshot %s", path)
    return index, counts


def write_index(settings: Settings, data_version: str, index: TermIndex, counts: dict[str, int]) -> None:
    """Keep the index for the next start; a cache that cannot be written only logs a warning."""
    path = snapshot_path(settings, data_version)
    try:
        write_entry(path, pickle.dumps(index, protocol=pickle.HIGHEST_PROTOCOL), {"counts": counts})
    except OSError as exc:
        log.warning("could not keep the index snapshot in %s: %s", path.parent, exc)
