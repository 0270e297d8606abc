"""OpenLink Virtuoso (Debian's `virtuoso-opensource` 7.2, a real server started for the session): what
`kg.stores.virtuoso` handles, against the engine itself.

Virtuoso is not in the store-contract suite's backends: its 7.2 engine evaluates some of legpain's
property paths wrongly (`queries/store/engine-check.rq`), so a service over it is refused, which the
last test checks. Loading it (for other SPARQL clients) and the endpoint's client are tested here.
"""

from __future__ import annotations

import json

import pytest
from rdflib import BNode, Literal, URIRef

from kg.assessment.service import load_service
from kg.core.namespaces import GRAPH_BASE, LOAD_GRAPH
from kg.core.settings import Settings
from kg.reasoning.closed import closed_dataset
from kg.sparql.library import QueryLibrary
from kg.stores.base import StoreBackend, load_statistics, quads_by_graph
from kg.stores.errors import StoreEngineError
from kg.stores.registry import backend_for
from kg.stores.virtuoso import VirtuosoBackend, VirtuosoClient, query_form
from tests.support.oxigraph import load_store
from tests.support.virtuoso import VirtuosoServer

SCRATCH = GRAPH_BASE + "test-scratch"


@pytest.fixture(scope="module")
def loaded(virtuoso_session_server: VirtuosoServer, settings: Settings) -> Settings:
    chosen = settings.with_changes(store=virtuoso_session_server.store)
    assert load_store(chosen) == 0  # `legpain load`, by the Graph Store Protocol
    return chosen


@pytest.fixture(scope="module")
def backend(loaded: Settings) -> VirtuosoBackend:
    chosen = backend_for(loaded.store)
    assert isinstance(chosen, VirtuosoBackend)
    return chosen


def _select(client: VirtuosoClient, text: str) -> list[dict[str, dict[str, str]]]:
    answer = client.query(text)
    assert answer.content_type == "application/sparql-results+json"
    rows: list[dict[str, dict[str, str]]] = json.loads(answer.body)["results"]["bindings"]
    return rows


def test_a_load_writes_every_graph_whole_and_marks_it(backend: StoreBackend, settings: Settings) -> None:
    closed, version, _, _ = closed_dataset(settings)
    expected = {graph: len(quads) for graph, quads in quads_by_graph(closed).items()}
    dataset = backend.open(read_only=True)
    graphs = {str(g.identifier) for g in dataset.graphs()} - {"urn:x-rdflib:default"}
    assert graphs == set(expected) | {str(LOAD_GRAPH)}  # Virtuoso's system graphs are not ours
    client = backend.client()
    rows = _select(client, "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    counts = {row["g"]["value"]: int(row["n"]["value"]) for row in rows}
    assert {g: n for g, n in counts.items() if g != str(LOAD_GRAPH)} == expected
    statistics = load_statistics(closed, QueryLibrary(settings.queries_dir))
    again = backend.load(closed, version, statistics=statistics)  # loading twice changes nothing
    assert again.graphs == expected
    rows = _select(client, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert int(rows[0]["n"]["value"]) == sum(expected.values()) + counts[str(LOAD_GRAPH)]


def test_the_endpoint_client_sees_our_graphs_only(backend: StoreBackend) -> None:
    client = backend.client()
    named = {row["g"]["value"] for row in _select(client, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")}
    assert named and all(g.startswith(GRAPH_BASE) for g in named)
    virtrdf = "ASK { ?s ?p <http://www.openlinksw.com/schemas/virtrdf#QuadMap> }"
    assert json.loads(client.query(virtrdf).body) == {"head": {}, "boolean": False}
    # ... while a query with a dataset of its own is left alone
    own = client.query(f"SELECT * FROM <{SCRATCH}> WHERE {{ ?s ?p ?o }}", dataset_in_query=True)
    assert json.loads(own.body)["results"]["bindings"] == []


def test_answers_come_in_the_standard_form(backend: StoreBackend) -> None:
    client = backend.client()
    yes = client.query("PREFIX lp: <https://w3id.org/legpain/> ASK { ?c a lp:Condition }")
    assert json.loads(yes.body) == {"head": {}, "boolean": True}
    no = client.query("ASK { <urn:nothing> ?p ?o }")
    assert json.loads(no.body) == {"head": {}, "boolean": False}
    graph = client.query("# a comment\nPREFIX lp: <https://w3id.org/legpain/>\nCONSTRUCT WHERE { ?c a lp:Condition }")
    assert graph.content_type == "application/n-triples" and b"<https://w3id.org/legpain/Condition> ." in graph.body
    blank = _select(client, "SELECT ?o WHERE { ?s <http://www.w3.org/2002/07/owl#annotatedSource> ?o } LIMIT 1")
    assert blank  # axioms are blank nodes; their labels are standard ones, not `nodeID://`
    axioms = _select(client, "SELECT ?a WHERE { ?a <http://www.w3.org/2002/07/owl#annotatedSource> ?o } LIMIT 3")
    assert all(row["a"]["type"] == "bnode" and "://" not in row["a"]["value"] for row in axioms)


@pytest.mark.parametrize(
    ("text", "form"),
    [
        ("SELECT * WHERE { }", "SELECT"),
        ("# ASK\nPREFIX ex: <http://example.org/#> BASE <http://x/> construct WHERE { }", "CONSTRUCT"),
        ("PREFIX : <urn:describe#>\nDESCRIBE <urn:x>", "DESCRIBE"),
        ("ask {}", "ASK"),
        ("define input:grab-all 'yes' SELECT * { }", "SELECT"),
    ],
)
def test_the_query_form_is_read_past_the_prologue(text: str, form: str) -> None:
    assert query_form(text) == form


def test_a_batch_with_blank_nodes_is_written_by_an_insert_template(backend: StoreBackend) -> None:
    node = BNode()
    quads = [
        (URIRef("urn:legpain-test:a"), URIRef("urn:legpain-test:p"), node, URIRef(SCRATCH)),
        (node, URIRef("urn:legpain-test:q"), Literal("blank"), URIRef(SCRATCH)),
    ]
    dataset = backend.open()
    try:
        backend._insert(dataset, quads)
        client = backend.client()
        rows = _select(client, f"SELECT ?v WHERE {{ GRAPH <{SCRATCH}> {{ <urn:legpain-test:a> ?p ?b . ?b ?q ?v }} }}")
        assert [row["v"]["value"] for row in rows] == ["blank"]
    finally:
        backend._drop(dataset, SCRATCH)
        dataset.close()


def test_serving_from_virtuoso_72_is_refused_because_its_paths_are_wrong(loaded: Settings) -> None:
    with pytest.raises(StoreEngineError, match="evaluates SPARQL 1.1 property paths wrongly") as refused:
        load_service(loaded)
    assert "127.0.0.1" not in refused.value.public  # HTTP clients are not told where the store is
