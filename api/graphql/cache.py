"""A bounded cache of whole GraphQL responses, keyed by the request and the data it was answered from.

Why it is correct here: every field of this API is a pure function of the request (query text,
variables, operation name) and the data the service reads; nothing depends on the time, the caller
or earlier requests, and there are no mutations or subscriptions. So a response answered once, with
no errors, is the answer to the same request for as long as the data stays the same. The key holds
the method, the content type and the exact request (the POST body's bytes or the GET query string)
and, beside it, the cache remembers which service (a reload makes a new one) at which data version
(`Versioned.data_version`; a remote store's is re-read every `store_cache_ttl_s`) its entries were
answered from: when either changes, every entry is dropped.

Why it exists: measured with `wrk` at the server (`bench/bench_http.py --wrk`), the GraphQL stack
costs about 0.5 ms of CPU per request before a resolver does any work (strawberry's schema extensions
and per-field wrappers, graphql-core's executor, the view), against 0.05 ms for a bare starlette
route; a repeated request (the lookups an app asks on every screen, the same assessment asked again)
now costs a dictionary lookup. Only responses without errors are kept, each at most `max_entry_bytes`,
all of them together at most `max_bytes` (least recently used dropped first); `0` turns it off.
"""

from __future__ import annotations

from collections import OrderedDict
from threading import Lock
from typing import Any

#: The largest single response kept (bytes): larger ones are rare and cheap to recompute by comparison.
MAX_ENTRY_BYTES = 256 * 1024

Key = tuple[str, bytes, bytes]


class ResponseCache:
    """Encoded response bodies by request, for one service at one data version (see the module docstring)."""

    def __init__(self, max_bytes: int, max_entry_bytes: int = MAX_ENTRY_BYTES) -> None:
        self.max_bytes = max_bytes
        self.max_entry_bytes = min(max_entry_bytes, max_bytes)
        self._entries: OrderedDict[Key, bytes] = OrderedDict()
        self._size = 0
        self._owner: tuple[int, str] | None = None
        self._lock = Lock()
        self.hits = 0
        self.misses = 0

    @property
    def enabled(self) -> bool:
        return self.max_bytes > 0

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def size(self) -> int:
        """Bytes of the bodies held."""
        return self._size

    def _owned_by(self, owner: tuple[int, str]) -> None:
        """Drop every entry when the service or its data version is not the one they were answered from."""
        if owner != self._owner:
            self._entries.clear()
            self._size = 0
            self._owner = owner

    def get(self, service: Any, version: str, key: Key) -> bytes | None:
        """The body kept for `key` from this service at this version, or None."""
        with self._lock:
            self._owned_by((id(service), version))
            body = self._entries.get(key)
            if body is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return body

    def put(self, service: Any, version: str, key: Key, body: bytes) -> None:
        """Keep `body` for `key`, dropping the least recently used entries beyond the budget."""
        if len(body) > self.max_entry_bytes:
            return
        with self._lock:
            self._owned_by((id(service), version))
            old = self._entries.pop(key, None)
            if old is not None:
                self._size -= len(old)
            self._entries[key] = body
            self._size += len(body)
            while self._size > self.max_bytes:
                _, dropped = self._entries.popitem(last=False)
                self._size -= len(dropped)
