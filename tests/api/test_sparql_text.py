"""The query-text scan: update keywords, SERVICE and FROM, never fooled by literals, IRIs or names."""

from __future__ import annotations

import pytest

from kg.sparql_text import UPDATE_KEYWORDS, bare_words, scan, scan_tokens

UPDATES = [
    "INSERT DATA { <urn:a> <urn:b> <urn:c> }",
    "DELETE DATA { <urn:a> <urn:b> <urn:c> }",
    "DELETE WHERE { ?s ?p ?o }",
    "DELETE { ?s ?p ?o } INSERT { ?s ?p 1 } WHERE { ?s ?p ?o }",
    "WITH <urn:g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
    "LOAD <http://127.0.0.1:9/data.ttl>",
    "LOAD SILENT <file:///etc/passwd> INTO GRAPH <urn:g>",
    "CLEAR ALL",
    "CLEAR GRAPH <https://w3id.org/legpain/graph/ontology>",
    "CREATE GRAPH <urn:g>",
    "DROP DEFAULT",
    "COPY DEFAULT TO <urn:g>",
    "MOVE <urn:a> TO <urn:b>",
    "ADD <urn:a> TO <urn:b>",
    "PREFIX lp: <https://w3id.org/legpain/>\ninsert data { lp:a lp:b lp:c }",
    "# a comment first\nDrop All",
]


@pytest.mark.parametrize("text", UPDATES)
def test_every_update_form_is_recognised(text: str) -> None:
    assert scan(text).update_keyword in UPDATE_KEYWORDS


@pytest.mark.parametrize("text", [
    "SELECT * { ?s ?p 'INSERT DATA' }",
    'SELECT * { ?s ?p """DROP ALL\nCLEAR""" }',
    "SELECT * { ?s <urn:DELETE> ?o }",
    "PREFIX ex: <http://example.org/> SELECT * { ex:DROP ex:LOAD ex:add }",
    "SELECT * { ?s ?p ?o } # DELETE everything",
    "SELECT ?insert ?delete { ?insert ?delete ?load }",
    "SELECT * { ?s ?p \"x\"@service }",
])
def test_words_inside_literals_iris_names_and_comments_are_not_keywords(text: str) -> None:
    traits = scan(text)
    assert traits.update_keyword is None
    assert not traits.uses_service


@pytest.mark.parametrize("text", [
    "SELECT * { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
    "SELECT * { service silent <http://x/> { ?s ?p ?o } }",
    "SELECT * { ?s ?p ?o.SERVICE<http://x/>{ ?a ?b ?c } }",
    "SELECT * {?s ?p ?o}#\n;SeRvIcE ?endpoint { }",
])
def test_service_is_found_however_it_is_spaced(text: str) -> None:
    assert scan(text).uses_service


def test_from_clauses_are_found() -> None:
    assert scan("SELECT * FROM <urn:g> { ?s ?p ?o }").has_dataset_clause
    assert scan("select * from named <urn:g> { graph ?g { ?s ?p ?o } }").has_dataset_clause
    assert not scan("SELECT * { ?s ?p 'from' }").has_dataset_clause


def test_bare_words_skip_numbers_language_tags_and_blank_nodes() -> None:
    assert bare_words("ASK { _:b1 ?p 1.5e3 . ?s ?p 'x'@en-GB }") == ["ASK"]


@pytest.mark.parametrize("text", [
    *UPDATES,
    "PREFIX lp: <https://w3id.org/legpain/> SELECT ?x { ?x a lp:Condition FILTER(CONTAINS(STR(?x), '(')) }",
    "SELECT * { { { ?s ?p ?o } } UNION { ?s ?p [ ?q ( 1 2 ) ] } }",
    "SELECT * { ?s ?p ?o } # FROM ( ( ( a comment",
    "SELECT * { ?address ?p lp:withdrawn }",
    'ASK { ?s <urn:x(y)> """}}}""" }',
])
def test_fast_and_full_scans_agree(text: str) -> None:
    assert scan(text) == scan_tokens(text)
