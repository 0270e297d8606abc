"""The worker's engine: the dataset it answers over, limits, errors, and agreement with rdflib.

These run `execute()` in this process against an Oxigraph store loaded the way a worker loads it,
so they are fast and need no server. Every query of `queries/` is run on both engines and the
answers compared: the endpoint (Oxigraph) and the CLI and engine (rdflib) must agree.
"""

from __future__ import annotations

import io
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from rdflib import BNode, Literal, URIRef
from rdflib.query import Result

from api.sparql.runners.jobs import QueryJob, Reply
from api.sparql.runners.worker import execute, load_store
from kg.assessment.service import LegPainService
from kg.core.namespaces import INFERRED_GRAPH, ONTOLOGY_GRAPH, PREFIXES
from kg.core.settings import PROJECT_ROOT, Settings
from kg.knowledge.graph import LoadedGraph, load_graph
from kg.sparql.library import to_bindings

#: slow: every library query runs on rdflib's engine as the reference
pytestmark = pytest.mark.slow

LP = str(PREFIXES["lp"])
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
#: values for the parameters library queries require (optional ones stay unbound: every row)
REQUIRED = {
    "list-conditions-with-finding": {"finding": "lp:CalfPain"},
    "list-candidate-conditions": {"findings": "lp:CalfCrampingOnWalking lp:ReliefWithinMinutesOfRest"},
}


@pytest.fixture(scope="module")
def store(service: LegPainService) -> ox.Store:
    return load_store(service.graph.dataset.serialize(format="nquads").encode("utf-8"))


def run(store: ox.Store, query: str, accept: str = "", max_rows: int = 10_000, **options: Any) -> Reply:
    return execute(store, QueryJob(query, accept, max_rows, **options), {"lp": LP})


def count(reply: Reply) -> int:
    assert reply.status == 200, reply.body
    return int(json.loads(reply.body)["results"]["bindings"][0]["n"]["value"])


# ------------------------------------------------------------------------------------- dataset
def test_default_graph_is_the_union_of_asserted_and_inferred(store: ox.Store, service: LegPainService) -> None:
    assert count(run(store, COUNT)) == len(service.graph.dataset)


def test_from_selects_a_graph_of_the_dataset(store: ox.Store, service: LegPainService) -> None:
    query = f"SELECT (COUNT(*) AS ?n) FROM <{INFERRED_GRAPH}> WHERE {{ ?s ?p ?o }}"
    assert count(run(store, query, query_dataset=True)) == service.graph.triple_counts()[str(INFERRED_GRAPH)]


def test_from_never_reads_a_file(store: ox.Store, tmp_path: Path) -> None:
    secret = tmp_path / "secret.ttl"
    secret.write_text("<urn:secret> <urn:p> 'leaked' .\n", encoding="utf-8")
    for clause in (f"FROM <{secret.as_uri()}>", f"FROM NAMED <{secret.as_uri()}>"):
        reply = run(
            store,
            f"SELECT * {clause} WHERE {{ {{ ?s ?p ?o }} UNION {{ GRAPH ?g {{ ?s ?p ?o }} }} }}",
            query_dataset=True,
        )
        assert reply.status == 200 and b"leaked" not in reply.body and b"secret" not in reply.body


def test_protocol_graphs_replace_the_union(store: ox.Store, service: LegPainService) -> None:
    sizes = service.graph.triple_counts()
    assert count(run(store, COUNT, default_graphs=(str(ONTOLOGY_GRAPH),))) == sizes[str(ONTOLOGY_GRAPH)]
    named = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    inferred_only = run(store, named, default_graphs=(), named_graphs=(str(INFERRED_GRAPH),))
    assert count(inferred_only) == sizes[str(INFERRED_GRAPH)]
    assert count(run(store, named, default_graphs=(str(ONTOLOGY_GRAPH),))) == 0


# ------------------------------------------------------------------------------- limits, errors
def test_rows_are_cut_at_the_limit_and_flagged(store: ox.Store) -> None:
    reply = run(store, "SELECT * WHERE { ?s ?p ?o }", max_rows=7)
    assert reply.truncated and reply.rows == 7
    assert len(json.loads(reply.body)["results"]["bindings"]) == 7
    graph = run(store, "CONSTRUCT WHERE { ?s ?p ?o }", "application/n-triples", max_rows=7)
    assert graph.truncated and graph.body.count(b"\n") == 7
    whole = run(store, "SELECT * WHERE { ?s a <https://w3id.org/legpain/BodySystem> }", max_rows=3)
    assert not whole.truncated and whole.rows == 3


@pytest.mark.parametrize(
    ("query", "accept"),
    [
        ("SELECT * WHERE { ?s ?p ?o } LIMIT 1", "text/turtle"),
        ("ASK { ?s ?p ?o }", "application/ld+json"),
        ("CONSTRUCT WHERE { ?s ?p ?o }", "text/csv"),
        ("DESCRIBE <https://w3id.org/legpain/PeripheralArteryDisease>", "application/sparql-results+json"),
    ],
)
def test_no_acceptable_format_is_406(store: ox.Store, query: str, accept: str) -> None:
    reply = run(store, query, accept)
    assert reply.status == 406
    assert b"available as" in reply.body


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * {",
        "SELEKT ?x {}",
        "SELECT * { ?s ?p ?o } GROUP BY ?s",
        "ASK { FILTER(?x = ) }",
        "\x00",
        "PREFIX : <x> SELECT",
    ],
)
def test_malformed_query_is_400_with_the_parser_message(store: ox.Store, query: str) -> None:
    reply = run(store, query)
    assert reply.status == 400
    assert reply.body.startswith(b"Malformed query: error at")


# ----------------------------------------------------------------- the same answers as rdflib
def _normal(term: Any) -> Any:
    """A comparable form: numbers by value (engines write 6.0000 or 6), blank nodes as one token."""
    if term is None:
        return None
    if isinstance(term, BNode):
        return "_:"
    if isinstance(term, Literal) and isinstance(term.value, (int, float, Decimal)) and not isinstance(term.value, bool):
        return round(float(term.value), 6)
    return term


def _library() -> list[Path]:
    return sorted((PROJECT_ROOT / "queries").rglob("*.rq"))


@pytest.fixture(scope="module")
def rdflib_graph(settings: Settings) -> LoadedGraph:
    """The graph in rdflib's own store, so the expected answers come from rdflib's SPARQL engine."""
    return load_graph(settings.with_changes(store="memory"))


@pytest.mark.parametrize("path", _library(), ids=lambda p: p.relative_to(PROJECT_ROOT / "queries").as_posix())
def test_every_library_query_answers_as_with_rdflib(store: ox.Store, rdflib_graph: LoadedGraph, path: Path) -> None:
    kg = rdflib_graph
    name = path.relative_to(PROJECT_ROOT / "queries").with_suffix("").as_posix()
    named = kg.queries.get(name)
    values = REQUIRED.get(name, {})
    expected = kg.queries.run(name, kg.dataset, values)
    # Oxigraph binds only projected variables, so a required parameter is written into the text as
    # an RDF term here (test code only; the library itself binds with initBindings)
    text = named.text
    for key, term in to_bindings(values).items():
        text = text.replace("?" + key, term.n3())
    if expected.type in ("CONSTRUCT", "DESCRIBE"):
        reply = run(store, text, "application/n-triples")
        from rdflib import Graph

        ours = Graph().parse(data=reply.body.decode(), format="nt")
        assert {tuple(map(_normal, t)) for t in ours} == {tuple(map(_normal, t)) for t in expected}
        return
    reply = run(store, text, "application/sparql-results+json")
    assert reply.status == 200, reply.body
    parsed = Result.parse(io.BytesIO(reply.body), format="json")
    assert [str(v) for v in parsed.vars or []] == [str(v) for v in expected.vars or []]
    ours_rows = sorted(repr(tuple(map(_normal, row))) for row in parsed)  # type: ignore[arg-type]
    their_rows = sorted(repr(tuple(map(_normal, row))) for row in expected)  # type: ignore[arg-type]
    assert ours_rows == their_rows


def test_candidate_ranking_is_the_same_on_both_engines(store: ox.Store, service: LegPainService) -> None:
    kg = service.graph
    value = "lp:PinsAndNeedles, lp:BurningFeet"
    expected = [str(r[0]) for r in kg.queries.run("list-candidate-conditions", kg.dataset, {"findings": value})]
    text = kg.queries.get("list-candidate-conditions").text.replace("?findings", Literal(value).n3())
    reply = run(store, text)
    ours = [b["condition"]["value"] for b in json.loads(reply.body)["results"]["bindings"]]
    assert ours == expected and ours[0] == LP + "PeripheralNeuropathy"
    assert URIRef(ours[0]) == URIRef(LP + "PeripheralNeuropathy")


def test_the_byte_cap_cuts_rows_and_refuses_a_first_row_over_it(store: ox.Store) -> None:
    """The row cap does not bound an answer's size (one row can be megabytes of CONCAT): the byte
    cap does, cutting rows like the row cap, or refusing when even the first row is over it."""
    whole = execute(store, QueryJob("SELECT * WHERE { ?s ?p ?o }", "", 100_000, max_bytes=20_000), {})
    assert whole.status == 200 and whole.truncated == "bytes"
    assert 0 < whole.rows < 1000 and len(whole.body) < 40_000
    doubling = " ".join(f"BIND(CONCAT(?v{i}, ?v{i}) AS ?v{i + 1})" for i in range(20))
    huge = f'SELECT ?v20 WHERE {{ BIND("0123456789" AS ?v0) {doubling} }}'  # one row of 10 MB
    reply = execute(store, QueryJob(huge, "", 10, max_bytes=1_000_000), {})
    assert reply.status == 400 and b"larger than the 1000000-byte limit" in reply.body
