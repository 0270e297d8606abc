"""`LEGPAIN_STORE=memory`: rdflib's own in-memory store (its SPARQL engine evaluates every query)."""

from __future__ import annotations

from rdflib import Dataset
from rdflib.plugins.stores.memory import Memory

from kg.stores.base import StoreBackend


class MemoryBackend(StoreBackend):
    """rdflib's own in-memory store: pure Python, no native code, lives and dies with the process."""

    scheme = "memory"

    def _open(self, read_only: bool) -> Dataset:
        return Dataset(store="Memory", default_union=True)

    def holds(self, dataset: Dataset) -> bool:
        return isinstance(dataset.store, Memory)
