"""Verified cache entries: a data file and a JSON sidecar that records its size and SHA-256.

Why: the caches (the inferred closure, the dataset snapshot) sit in a user directory that other
processes, full disks and crashes can leave with an empty or half-written file. Read back unchecked,
an empty closure file is an empty (and valid) graph, and the server answers wrongly without a word;
a half-written one fails to parse on every start. So every entry is written whole and renamed into
place, data first and sidecar last, and read back only when the bytes match the sidecar. A bad entry
is logged, removed and reported as a miss, so the caller recomputes it (and writes it again).
"""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)


def sidecar(path: Path) -> Path:
    """Where an entry's metadata lives: beside it, `.json` added to its name."""
    return path.with_name(path.name + ".json")


def write_entry(path: Path, data: bytes, meta: dict[str, Any]) -> None:
    """Write `data` and its metadata (plus its size and hash); raises `OSError` when it cannot."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.write_bytes(data)
    partial.replace(path)
    record = {**meta, "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
    side = sidecar(path)
    side_partial = side.with_name(side.name + ".partial")
    side_partial.write_text(json.dumps(record, indent=1), encoding="utf-8")
    side_partial.replace(side)


def read_entry(path: Path) -> tuple[bytes, dict[str, Any]] | None:
    """The entry's data and metadata when both are there and agree; None for a miss. An entry that
    does not verify (empty, truncated, changed, sidecar missing or unreadable) is logged and removed."""
    side = sidecar(path)
    if not path.exists() and not side.exists():
        return None
    try:
        meta = json.loads(side.read_text(encoding="utf-8"))
        data = path.read_bytes()
        if not isinstance(meta, dict):
            raise ValueError("the sidecar is not a JSON object")
        if meta.get("bytes") != len(data) or meta.get("sha256") != hashlib.sha256(data).hexdigest():
            raise ValueError(f"{len(data)} bytes that do not match the {meta.get('bytes')} recorded")
    except (OSError, ValueError) as exc:
        log.warning("discarding the damaged cache entry %s (%s); it will be recomputed", path, exc)
        discard(path)
        return None
    return data, meta


def discard(path: Path) -> None:
    """Remove an entry and its sidecar, if they are there."""
    for file in (path, sidecar(path)):
        try:
            file.unlink(missing_ok=True)
        except OSError as exc:
            log.warning("could not remove the cache file %s: %s", file, exc)
