"""The index read natively from Oxigraph (`kg.stores.oxigraph.native_rows`) is the index rdflib's
terms give: the fast path of a cold start changes nothing that is read."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from kg.assessment.service import LegPainService
from kg.knowledge.graph import native_index_rows
from kg.knowledge.index import build_index
from kg.stores.oxigraph import native_rows, native_store


def test_the_native_index_equals_the_rdflib_one(service: LegPainService) -> None:
    loaded = service.graph
    assert loaded is not None
    rows = native_index_rows(loaded.dataset, loaded.queries)
    assert rows is not None  # the default store is Oxigraph, in this process
    native = build_index(loaded.dataset, loaded.queries, "v", rows)
    through_rdflib = build_index(loaded.dataset, loaded.queries, "v")
    assert native == through_rdflib
    assert native.conditions and native.findings and native.rules  # not two empty indexes


def test_native_rows_give_plain_values_and_leave_unbound_variables_out() -> None:
    store = ox.Store()
    g = ox.NamedNode("urn:g")
    s, p = ox.NamedNode("urn:s"), ox.NamedNode("urn:p")
    store.add(ox.Quad(s, p, ox.Literal("true", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#boolean")), g))
    store.add(ox.Quad(s, p, ox.Literal("3", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")), g))
    store.add(ox.Quad(s, p, ox.Literal("calf", language="en"), g))
    rows = native_rows(store, "SELECT ?s ?o ?none WHERE { ?s <urn:p> ?o OPTIONAL { ?s <urn:q> ?none } }")
    assert sorted(rows, key=str) == sorted(
        [{"s": "urn:s", "o": "3"}, {"s": "urn:s", "o": "calf"}, {"s": "urn:s", "o": True}], key=str
    )


def test_native_rows_refuse_what_is_not_a_select() -> None:
    with pytest.raises(TypeError):
        native_rows(ox.Store(), "ASK { ?s ?p ?o }")


def test_no_native_index_rows_for_a_store_that_is_not_oxigraph_here(service: LegPainService) -> None:
    from rdflib import Dataset

    assert service.graph is not None
    assert native_store(Dataset()) is None
    assert native_index_rows(Dataset(), service.graph.queries) is None
