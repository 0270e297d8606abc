"""Every backend by scheme, and the one function that picks one for a `LEGPAIN_STORE` value."""

from __future__ import annotations

from kg.stores.base import StoreBackend
from kg.stores.errors import StoreSpecError
from kg.stores.memory import MemoryBackend
from kg.stores.oxigraph import OxigraphBackend
from kg.stores.sparql import SparqlBackend
from kg.stores.virtuoso import VirtuosoBackend

#: Every backend, by scheme: the one place a store kind is chosen.
BACKENDS: dict[str, type[StoreBackend]] = {
    backend.scheme: backend for backend in (OxigraphBackend, MemoryBackend, SparqlBackend, VirtuosoBackend)
}


DEFAULT_STORE = "oxigraph"


def backend_for(spec: str, timeout_s: float = 30.0, write_timeout_s: float | None = None) -> StoreBackend:
    """The backend a `LEGPAIN_STORE` value names, e.g. `oxigraph:/var/lib/legpain`; requests to a remote
    store may take `timeout_s`, the write requests of a load `write_timeout_s` (default the same)."""
    scheme, _, location = spec.strip().partition(":")
    cls = BACKENDS.get(scheme.lower())
    if cls is None:
        known = ", ".join(f"{s}" for s in BACKENDS)
        raise StoreSpecError(
            f"LEGPAIN_STORE={spec!r} names no store; known: {known} "
            "(memory, oxigraph, oxigraph:PATH, sparql:QUERY_URL[;UPDATE_URL[;GRAPH_STORE_URL]], virtuoso:BASE_URL)"
        )
    if cls is MemoryBackend and location:
        raise StoreSpecError(
            "LEGPAIN_STORE=memory takes no location (it keeps nothing on disk); use oxigraph:PATH for a store on disk"
        )
    backend = cls(location or None, timeout_s)
    backend.write_timeout_s = max(timeout_s, write_timeout_s or timeout_s)
    return backend
