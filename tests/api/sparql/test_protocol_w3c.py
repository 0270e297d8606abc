"""The W3C SPARQL 1.1 Protocol tests, translated to this dataset and run against `legpain serve`.

Source: the W3C test suite, repository https://github.com/w3c/rdf-tests, file
`sparql/sparql11/protocol/manifest.ttl` (with `data1.nt`, `data2.nt`, `data3.nt` beside it), read at
commit ad541a5f0479f0798608c4801369d97b8e08b36f (the repository's HEAD when translated; the last commit
touching the protocol directory is a12e4741726056aab3637ad5096776907a1285b5, "Update SPARQL Protocol
test :update_base_uri to allow simple verification"). Every one of the manifest's 34 entries is one test
function here, named after it and kept in the manifest's order.

How they were translated:

- Each `ht:Request` becomes the same HTTP request (method, content type, body, parameters) sent with
  httpx to a real server process (`live_server`); `/sparql/` becomes this endpoint's `/sparql`. Bodies
  and query strings are taken verbatim where they do not name the W3C's data, URL-encoded the same way
  (`%20`, `%3A` ...), and sent as raw bytes (the UTF-16 bodies of the `*_non_utf8` tests included).
- The W3C graphs `http://kasei.us/2009/09/sparql/data/dataN.rdf` are external documents; this endpoint
  never fetches, so each becomes one of its own named graphs: data0 (never queried, only named) ->
  `graph/inferred`, data1 -> `graph/knowledge-base`, data2 -> `graph/ontology`, data3 -> `graph/mappings`.
- The W3C data is one triple per graph, `<dataN.rdf> a foaf:Document`, and the queries join them on a
  shared `?type`. Here each graph is represented by a triple pattern about sciatica that matches in
  that graph only (`MARKERS`; checked against the loaded graph by `markers_are_graph_specific`), and
  the patterns join on a shared `?c`, so a query is true only when the chosen dataset really puts
  each graph where the protocol request asks (default graph or named graph). Each dataset test also
  sends a control request whose answer must differ (a graph left out, or the query's own dataset),
  and, for named graphs, a SELECT of `?g1 ?g2` showing which graph each pattern was matched in.
- `mf:expectedStatus 2xx/3xx` is asserted as 200 (redirects are followed); `mf:expectedFormat` as the
  response's media type (boolean: SPARQL results JSON or XML; tabular: JSON, XML, CSV or TSV; RDF:
  Turtle, RDF/XML or N-Triples) and a parse of the body with rdflib; `mf:expectedBoolean` as the
  parsed answer.
- The endpoint is read-only, so every update test expects refusal instead of success: 403 for an
  update (`application/sparql-update`, an `update=` field), 415 where the media type is wrong or
  missing. Where the W3C test then sends an ASK to check the update's effect, that ASK is sent verbatim
  and must now be false, and the dataset must be unchanged (same quad count, every marker in place).
  The `using-graph-uri` / `using-named-graph-uri` parameters name this dataset's graphs.

What each checks, by section of the SPARQL 1.1 Protocol Recommendation (2013-03-21):

- query_get, query_post_form, query_post_direct: 2.1.1 / 2.1.2 / 2.1.3, the three ways to send a query.
- query_dataset_*: 2.1.4, the RDF dataset from `default-graph-uri` (the default graph is their merge)
  and `named-graph-uri`; query_multiple_dataset: "If an RDF Dataset is specified in both the protocol
  request and the SPARQL query string, then the SPARQL service must execute the query using the RDF
  Dataset given in the protocol request."
- query_content_type_*: 2.1.5/2.1.6, SELECT and ASK answer as a SPARQL results document, DESCRIBE and
  CONSTRUCT as an RDF graph; CONSTRUCT with relative IRIs needs the service's base IRI (SPARQL 1.1
  Query 4.1.1.3, RFC 3986 5.1), the same base the W3C's update_base_uri calls "service-defined".
- update_*: 2.2.1 / 2.2.2 / 2.2.3 (update via form POST, direct POST, with a protocol dataset); here
  2.2.5 (failure responses) and this endpoint's read-only policy.
- bad_*: 2.1.7 / 2.2.5, a request that is not a valid protocol operation gets a 4xx: a method other
  than GET or POST, more than one query or update string, a media type that is not the operation's,
  a body without a media type, a non-UTF-8 body ("UTF-8 is the only valid charset here", 2.1.3 and
  2.2.2), a syntax error, an update by GET, a protocol dataset conflicting with USING/WITH.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from urllib.parse import quote, urlencode, urljoin, urlsplit

import httpx
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS, XSD
from rdflib.query import Result

from kg.assessment.service import LegPainService

pytestmark = pytest.mark.server

LP = "https://w3id.org/legpain/"
ONTOLOGY = LP + "graph/ontology"
KNOWLEDGE_BASE = LP + "graph/knowledge-base"
MAPPINGS = LP + "graph/mappings"
INFERRED = LP + "graph/inferred"
GRAPHS = (ONTOLOGY, KNOWLEDGE_BASE, MAPPINGS, INFERRED)

#: The W3C graphs and the graph of this dataset each one is translated to.
DATA0 = INFERRED
DATA1 = KNOWLEDGE_BASE
DATA2 = ONTOLOGY
DATA3 = MAPPINGS

PREFIXES = (
    "PREFIX lp: <https://w3id.org/legpain/>\n"
    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
    "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
    "PREFIX obo: <http://purl.obolibrary.org/obo/>\n"
)
#: For each graph, a pattern that matches there and in no other graph; all four match with ?c = lp:Sciatica
#: (and only then together: the label pins ?c).
MARKERS = {
    ONTOLOGY: '?c rdfs:label "sciatica"@en',
    KNOWLEDGE_BASE: "?c lp:hasCause lp:HerniatedDisc",
    MAPPINGS: "?c skos:exactMatch obo:HP_0011868",
    INFERRED: "?c a lp:NeurologicalCondition",
}
SCIATICA = URIRef(LP + "Sciatica")

SPARQL_QUERY = "application/sparql-query"
SPARQL_UPDATE = "application/sparql-update"
FORM = "application/x-www-form-urlencoded"
#: `mf:expectedFormat` -> the media types the W3C test accepts -> rdflib's parser for each.
BOOLEAN_TYPES = {"application/sparql-results+json": "json", "application/sparql-results+xml": "xml"}
TABULAR_TYPES = {**BOOLEAN_TYPES, "text/csv": "csv", "text/tab-separated-values": "tsv"}
RDF_TYPES = {"text/turtle": "turtle", "application/rdf+xml": "xml", "application/n-triples": "nt"}
#: Base given to rdflib when parsing graphs: an IRI starting with it was relative in the response.
UNRESOLVED = "http://unresolved.invalid/"


# ---------------------------------------------------------------------------------- helpers
def dataset(default: Sequence[str] = (), named: Sequence[str] = ()) -> list[tuple[str, str]]:
    """Protocol dataset parameters, in the W3C tests' order (default graphs first)."""
    return [*(("default-graph-uri", g) for g in default), *(("named-graph-uri", g) for g in named)]


def path(params: Sequence[tuple[str, str]] = ()) -> str:
    """The endpoint's path with a query string encoded as the W3C manifest writes it (`%20`, `%3A`)."""
    return "/sparql" + ("?" + urlencode(list(params), quote_via=quote) if params else "")


def prefixed(query: str) -> str:
    return PREFIXES + query


def get(http: httpx.Client, query: str, params: Sequence[tuple[str, str]] = ()) -> httpx.Response:
    """A query via GET (2.1.1): `query` first, then the dataset parameters, as in the manifest."""
    return http.get(path([("query", query), *params]))


def post_direct(
    http: httpx.Client,
    body: str | bytes,
    params: Sequence[tuple[str, str]] = (),
    content_type: str | None = SPARQL_QUERY,
) -> httpx.Response:
    """A POST whose body is the operation itself (2.1.3, 2.2.2); no Content-Type when None."""
    content = body.encode("utf-8") if isinstance(body, str) else body
    headers = {"content-type": content_type} if content_type is not None else {}
    response = http.post(path(params), content=content, headers=headers)
    if content_type is None:
        assert "content-type" not in response.request.headers
    return response


def media_type(response: httpx.Response) -> str:
    return response.headers.get("content-type", "").split(";")[0].strip().lower()


def success(response: httpx.Response, accepted: dict[str, str]) -> str:
    """`mf:expectedStatus 2xx/3xx` and `mf:expectedFormat`: the parser for the response's media type."""
    assert response.status_code == 200, f"{response.status_code}: {response.text}"
    kind = media_type(response)
    assert kind in accepted, f"media type {kind!r} is not one of {sorted(accepted)}"
    return accepted[kind]


def boolean(response: httpx.Response) -> bool:
    """`mf:expectedFormat "boolean"`: a SPARQL results document with a boolean; its value."""
    result = Result.parse(io.BytesIO(response.content), format=success(response, BOOLEAN_TYPES))
    assert result.type == "ASK"
    assert isinstance(result.askAnswer, bool)
    return result.askAnswer


def table(response: httpx.Response) -> tuple[list[str], list[tuple[object, ...]]]:
    """`mf:expectedFormat "tabular"`: the variables and rows of a SPARQL results document."""
    result = Result.parse(io.BytesIO(response.content), format=success(response, TABULAR_TYPES))
    assert result.type == "SELECT"
    return [str(v) for v in result.vars or []], [tuple(row) for row in result]  # type: ignore[arg-type]


def rdf(response: httpx.Response) -> Graph:
    """`mf:expectedFormat "RDF"`: the graph in the body; every IRI in it must be absolute."""
    graph = Graph()
    graph.parse(data=response.content, format=success(response, RDF_TYPES), publicID=UNRESOLVED)
    relative = {str(t) for triple in graph for t in triple if str(t).startswith(UNRESOLVED)}
    assert not relative, f"the response has relative IRIs: {sorted(relative)}"
    return graph


def refused(response: httpx.Response, statuses: set[int], *fragments: str) -> None:
    """A 4xx failure response (2.1.7, 2.2.5) with one of `statuses`, explained in plain text."""
    assert response.status_code in statuses, f"{response.status_code} (wanted {sorted(statuses)}): {response.text}"
    assert media_type(response) == "text/plain"
    for fragment in fragments:
        assert fragment in response.text


def graph_pairs(http: httpx.Client, where: str, params: Sequence[tuple[str, str]]) -> set[tuple[str, ...]]:
    """Which named graphs `GRAPH ?g1 {..} GRAPH ?g2 {..}` were matched in, over the same dataset."""
    _, rows = table(post_direct(http, prefixed(f"SELECT ?g1 ?g2 WHERE {{ {where} }}"), params))
    return {tuple(str(term) for term in row) for row in rows}


def quad_count(http: httpx.Client) -> int:
    _, rows = table(get(http, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"))
    ((n,),) = rows
    assert isinstance(n, Literal)
    return int(n)


def intact(http: httpx.Client) -> bool:
    """Every graph still holds its marker (an update such as CLEAR ALL / DROP ALL did not run)."""
    patterns = " ".join(f"GRAPH <{g}> {{ {MARKERS[g]} }}" for g in GRAPHS)
    return boolean(get(http, prefixed(f"ASK {{ {patterns} }}")))


def read_only(response: httpx.Response) -> None:
    refused(response, {403}, "read-only")


# ---------------------------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def http(live_server: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live_server, timeout=60, follow_redirects=True) as client:
        yield client


@pytest.fixture(scope="module", autouse=True)
def markers_are_graph_specific(service: LegPainService) -> None:
    """The translation rests on each marker matching in its own graph only (checked with rdflib on the
    loaded graph, not through the endpoint under test)."""
    assert service.graph is not None
    for graph, pattern in MARKERS.items():
        found = {
            g
            for g in GRAPHS
            if service.graph.dataset.query(prefixed(f"ASK {{ GRAPH <{g}> {{ {pattern} }} }}")).askAnswer
        }
        assert found == {graph}, f"{pattern!r} matches in {sorted(found)}, not only in <{graph}>"
        rows = service.graph.dataset.query(prefixed(f"SELECT DISTINCT ?c WHERE {{ GRAPH <{graph}> {{ {pattern} }} }}"))
        assert SCIATICA in {row[0] for row in rows}  # type: ignore[index]


# ---------------------------------------------------------------------------------- queries
def test_query_post_form(http: httpx.Client) -> None:
    """query via URL-encoded POST; `default-graph-uri` in the URL, `query` in the form body."""
    response = post_direct(http, "query=ASK%20%7B%7D", dataset([DATA0]), FORM)
    assert boolean(response) is True


# The W3C `ASK { <data1.rdf> a ?type . <data2.rdf> a ?type . }`: true only over the merge of both graphs.
DEFAULT_GRAPHS_ASK = prefixed(f"ASK {{ {MARKERS[DATA1]} . {MARKERS[DATA2]} . }}")


def test_query_dataset_default_graphs_get(http: httpx.Client) -> None:
    """GET query with protocol-specified default graph(s): the default graph is their merge."""
    assert boolean(get(http, DEFAULT_GRAPHS_ASK, dataset([DATA1, DATA2]))) is True
    # controls: each graph alone lacks the other's half of the pattern
    assert boolean(get(http, DEFAULT_GRAPHS_ASK, dataset([DATA1]))) is False
    assert boolean(get(http, DEFAULT_GRAPHS_ASK, dataset([DATA2]))) is False


def test_query_dataset_default_graphs_post(http: httpx.Client) -> None:
    """POST (direct) query with protocol-specified default graphs in the URL."""
    assert boolean(post_direct(http, DEFAULT_GRAPHS_ASK, dataset([DATA1, DATA2]))) is True
    assert boolean(post_direct(http, DEFAULT_GRAPHS_ASK, dataset([DATA1]))) is False
    assert boolean(post_direct(http, DEFAULT_GRAPHS_ASK, dataset([DATA2]))) is False


# The W3C `ASK { GRAPH ?g1 { <data1.rdf> a ?type } GRAPH ?g2 { <data2.rdf> a ?type } }`.
NAMED_WHERE = f"GRAPH ?g1 {{ {MARKERS[DATA1]} }} GRAPH ?g2 {{ {MARKERS[DATA2]} }}"
NAMED_GRAPHS_ASK = prefixed(f"ASK {{ {NAMED_WHERE} }}")


def test_query_dataset_named_graphs_post(http: httpx.Client) -> None:
    """POST (direct) query with protocol-specified named graphs."""
    params = dataset(named=[DATA1, DATA2])
    assert boolean(post_direct(http, NAMED_GRAPHS_ASK, params)) is True
    assert graph_pairs(http, NAMED_WHERE, params) == {(DATA1, DATA2)}
    assert boolean(post_direct(http, NAMED_GRAPHS_ASK, dataset(named=[DATA1]))) is False


def test_query_dataset_named_graphs_get(http: httpx.Client) -> None:
    """GET query with protocol-specified named graphs."""
    params = dataset(named=[DATA1, DATA2])
    assert boolean(get(http, NAMED_GRAPHS_ASK, params)) is True
    assert graph_pairs(http, NAMED_WHERE, params) == {(DATA1, DATA2)}
    assert boolean(get(http, NAMED_GRAPHS_ASK, dataset(named=[DATA2]))) is False


def test_query_dataset_full(http: httpx.Client) -> None:
    """Query with a protocol-specified dataset: data3 as default graph, data1 and data2 as named graphs."""
    params = dataset([DATA3], [DATA1, DATA2])
    full_where = f"{MARKERS[DATA3]} {NAMED_WHERE}"
    assert boolean(post_direct(http, prefixed(f"ASK {{\n  {full_where}\n}}"), params)) is True
    assert graph_pairs(http, full_where, params) == {(DATA1, DATA2)}
    # controls: the named graphs are not part of the default graph, and the default graph is not named
    assert boolean(post_direct(http, prefixed(f"ASK {{ {MARKERS[DATA1]} }}"), params)) is False
    assert boolean(post_direct(http, prefixed(f"ASK {{ GRAPH ?g {{ {MARKERS[DATA3]} }} }}"), params)) is False


def test_query_multiple_dataset(http: httpx.Client) -> None:
    """Dataset in both the query (FROM data3) and the protocol (named data1, data2): the protocol's wins."""
    query = prefixed(f"ASK FROM <{DATA3}> {{ {NAMED_WHERE} }}")
    params = dataset(named=[DATA1, DATA2])
    assert boolean(post_direct(http, query, params)) is True
    select = prefixed(f"SELECT ?g1 ?g2 FROM <{DATA3}> WHERE {{ {NAMED_WHERE} }}")
    _, rows = table(post_direct(http, select, params))
    assert {tuple(str(t) for t in row) for row in rows} == {(DATA1, DATA2)}
    # control: the query's own dataset (FROM only, so no named graphs) answers false
    assert boolean(post_direct(http, query)) is False


def test_query_get(http: httpx.Client) -> None:
    """query via GET."""
    assert boolean(get(http, "ASK {}", dataset([DATA0]))) is True


def test_query_content_type_select(http: httpx.Client) -> None:
    """SELECT answers as a SPARQL results document (XML, JSON, CSV or TSV)."""
    variables, rows = table(post_direct(http, "SELECT (1 AS ?value) {}", dataset([DATA0])))
    assert variables == ["value"]
    assert [tuple(str(t) for t in row) for row in rows] == [("1",)]
    value = rows[0][0]
    assert isinstance(value, Literal)
    assert value.datatype in (XSD.integer, None)  # None only from CSV, which has no datatypes


def test_query_content_type_ask(http: httpx.Client) -> None:
    """ASK answers as a SPARQL results document (XML or JSON)."""
    assert boolean(post_direct(http, "ASK {}", dataset([DATA0]))) is True


def test_query_content_type_describe(http: httpx.Client) -> None:
    """DESCRIBE answers as RDF (RDF/XML, Turtle, N-Triples); described from the chosen default graph only."""
    graph = rdf(post_direct(http, f"DESCRIBE <{SCIATICA}>", dataset([DATA2])))
    assert (SCIATICA, RDFS.label, Literal("sciatica", lang="en")) in graph
    assert len(graph) > 1
    # facts about sciatica held by the other graphs are not in the description
    assert not list(graph.triples((SCIATICA, SKOS.exactMatch, None)))
    assert not list(graph.triples((SCIATICA, URIRef(LP + "hasCause"), None)))
    assert (SCIATICA, RDF.type, URIRef(LP + "NeurologicalCondition")) not in graph


def test_query_content_type_construct(http: httpx.Client) -> None:
    """CONSTRUCT answers as RDF; its relative IRIs `<s>` and `<p>` are resolved against the service's base."""
    graph = rdf(post_direct(http, "CONSTRUCT { <s> <p> 1 } WHERE {}", dataset([DATA0])))
    assert len(graph) == 1
    ((s, p, o),) = list(graph)
    assert isinstance(s, URIRef) and isinstance(p, URIRef)
    assert urlsplit(str(s)).scheme and urlsplit(str(p)).scheme
    assert str(s).endswith("s") and urljoin(str(s), "p") == str(p)  # one base for both
    assert o == Literal(1)


# ---------------------------------------------------------------------------------- updates (read-only)
UPDATE_DATASET_DEFAULT_GRAPH = """PREFIX dc: <http://purl.org/dc/terms/>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
CLEAR ALL ;
INSERT DATA {
    GRAPH <http://kasei.us/2009/09/sparql/data/data1.rdf> {
        <http://kasei.us/2009/09/sparql/data/data1.rdf> a foaf:Document
    }
} ;
INSERT {
    GRAPH <http://example.org/protocol-update-dataset-test/> {
        ?s a dc:BibliographicResource
    }
}
WHERE {
    ?s a foaf:Document
}"""
CHECK_DATASET_DEFAULT_GRAPH = """ASK {
    GRAPH <http://example.org/protocol-update-dataset-test/> {
        <http://kasei.us/2009/09/sparql/data/data1.rdf> a <http://purl.org/dc/terms/BibliographicResource>
    }
}"""
DROP_AND_INSERT_THREE = """PREFIX dc: <http://purl.org/dc/terms/>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
DROP ALL ;
INSERT DATA {
    GRAPH <http://kasei.us/2009/09/sparql/data/data1.rdf> { <http://kasei.us/2009/09/sparql/data/data1.rdf> a foaf:Document }
    GRAPH <http://kasei.us/2009/09/sparql/data/data2.rdf> { <http://kasei.us/2009/09/sparql/data/data2.rdf> a foaf:Document }
    GRAPH <http://kasei.us/2009/09/sparql/data/data3.rdf> { <http://kasei.us/2009/09/sparql/data/data3.rdf> a foaf:Document }
} ;
"""  # noqa: E501 - verbatim from the manifest
UPDATE_DATASET_DEFAULT_GRAPHS = (
    DROP_AND_INSERT_THREE
    + """INSERT {
    GRAPH <http://example.org/protocol-update-dataset-graphs-test/> {
        ?s a dc:BibliographicResource
    }
}
WHERE {
    ?s a foaf:Document
}"""
)
UPDATE_DATASET_NAMED_GRAPHS = (
    DROP_AND_INSERT_THREE
    + """INSERT {
    GRAPH <http://example.org/protocol-update-dataset-named-graphs-test/> {
        ?s a dc:BibliographicResource
    }
}
WHERE {
    GRAPH ?g {
        ?s a foaf:Document
    }
}"""
)
UPDATE_DATASET_FULL = (
    DROP_AND_INSERT_THREE
    + """INSERT {
    GRAPH <http://example.org/protocol-update-dataset-full-test/> {
        ?s <http://example.org/in> ?in
    }
}
WHERE {
    {
        GRAPH ?g { ?s a foaf:Document }
        BIND(?g AS ?in)
    }
    UNION
    {
        ?s a foaf:Document .
        BIND("default" AS ?in)
    }
}"""
)


def check_two_of_three(graph: str) -> str:
    """The W3C follow-up ASK of update_dataset_default_graphs / _named_graphs."""
    return f"""ASK {{
    GRAPH <{graph}> {{
        <http://kasei.us/2009/09/sparql/data/data1.rdf> a <http://purl.org/dc/terms/BibliographicResource> .
        <http://kasei.us/2009/09/sparql/data/data2.rdf> a <http://purl.org/dc/terms/BibliographicResource> .
    }}
    FILTER NOT EXISTS {{
        GRAPH <{graph}> {{
            <http://kasei.us/2009/09/sparql/data/data3.rdf> a <http://purl.org/dc/terms/BibliographicResource> .
        }}
    }}
}}"""


CHECK_DATASET_FULL = """ASK {
    GRAPH <http://example.org/protocol-update-dataset-full-test/> {
        <http://kasei.us/2009/09/sparql/data/data1.rdf> <http://example.org/in> "default" .
        <http://kasei.us/2009/09/sparql/data/data2.rdf> <http://example.org/in> <http://kasei.us/2009/09/sparql/data/data2.rdf> .
    }
    FILTER NOT EXISTS {
        GRAPH <http://example.org/protocol-update-dataset-full-test/> {
            <http://kasei.us/2009/09/sparql/data/data3.rdf> ?p ?o
        }
    }
}"""  # noqa: E501 - verbatim from the manifest


def refused_update(http: httpx.Client, response: httpx.Response, check: str | None, before: int) -> None:
    """An update was refused as read-only, the W3C's follow-up ASK is false, and nothing changed."""
    read_only(response)
    if check is not None:
        assert boolean(post_direct(http, check)) is False
    assert quad_count(http) == before
    assert intact(http) is True


def test_update_dataset_default_graph(http: httpx.Client) -> None:
    """Update with a protocol-specified default graph (`using-graph-uri`): refused, 403."""
    before = quad_count(http)
    response = post_direct(http, UPDATE_DATASET_DEFAULT_GRAPH, [("using-graph-uri", DATA1)], SPARQL_UPDATE)
    refused_update(http, response, CHECK_DATASET_DEFAULT_GRAPH, before)


def test_update_dataset_default_graphs(http: httpx.Client) -> None:
    """Update with protocol-specified default graphs: refused, 403."""
    before = quad_count(http)
    params = [("using-graph-uri", DATA1), ("using-graph-uri", DATA2)]
    response = post_direct(http, UPDATE_DATASET_DEFAULT_GRAPHS, params, SPARQL_UPDATE)
    refused_update(
        http, response, check_two_of_three("http://example.org/protocol-update-dataset-graphs-test/"), before
    )


def test_update_dataset_named_graphs(http: httpx.Client) -> None:
    """Update with protocol-specified named graphs (`using-named-graph-uri`): refused, 403."""
    before = quad_count(http)
    params = [("using-named-graph-uri", DATA1), ("using-named-graph-uri", DATA2)]
    response = post_direct(http, UPDATE_DATASET_NAMED_GRAPHS, params, SPARQL_UPDATE)
    refused_update(
        http, response, check_two_of_three("http://example.org/protocol-update-dataset-named-graphs-test/"), before
    )


def test_update_dataset_full(http: httpx.Client) -> None:
    """Update with a protocol-specified dataset (both named and default graphs): refused, 403."""
    before = quad_count(http)
    params = [("using-graph-uri", DATA1), ("using-named-graph-uri", DATA2)]
    response = post_direct(http, UPDATE_DATASET_FULL, params, SPARQL_UPDATE)
    refused_update(http, response, CHECK_DATASET_FULL, before)


def test_update_post_form(http: httpx.Client) -> None:
    """Update via URL-encoded POST (`update=CLEAR+ALL`): refused, 403; the graphs are not cleared."""
    before = quad_count(http)
    refused_update(http, post_direct(http, "update=CLEAR+ALL", content_type=FORM), None, before)


def test_update_post_direct(http: httpx.Client) -> None:
    """Update via POST directly (`CLEAR ALL` as application/sparql-update): refused, 403."""
    before = quad_count(http)
    refused_update(http, post_direct(http, "CLEAR ALL", content_type=SPARQL_UPDATE), None, before)


def test_update_base_uri(http: httpx.Client) -> None:
    """Service-defined base IRI for an update's relative IRI `<test>`: the update is refused, 403."""
    before = quad_count(http)
    update = """CLEAR SILENT GRAPH <http://example.org/protocol-base-test/> ;
INSERT DATA { GRAPH <http://example.org/protocol-base-test/> { <http://example.org/s> <http://example.org/p> <test> } }"""  # noqa: E501
    check = """ASK {
    GRAPH <http://example.org/protocol-base-test/> {
        <http://example.org/s> <http://example.org/p> ?o
        FILTER (isIRI(?o) && STR(?o) != "test")
    }
}"""
    refused_update(http, post_direct(http, update, content_type=SPARQL_UPDATE), check, before)


# ---------------------------------------------------------------------------------- query via POST directly
def test_query_post_direct(http: httpx.Client) -> None:
    """query via POST directly (application/sparql-query)."""
    assert boolean(post_direct(http, "ASK {}")) is True


# ---------------------------------------------------------------------------------- bad requests
def test_bad_query_method(http: httpx.Client) -> None:
    """A query by PUT (neither GET nor POST): 405, with the allowed methods."""
    response = http.put(path([("query", "ASK {}"), *dataset([DATA0])]), headers={"content-type": FORM})
    assert response.status_code == 405
    allowed = {m.strip() for m in response.headers.get("allow", "").split(",")}
    assert {"GET", "POST"} <= allowed
    assert "PUT" not in allowed


def test_bad_multiple_queries(http: httpx.Client) -> None:
    """Two `query` parameters: 400."""
    response = http.get(path([("query", "ASK {}"), ("query", "SELECT * {}")]))
    refused(response, {400}, "query")


def test_bad_query_wrong_media_type(http: httpx.Client) -> None:
    """A query POSTed as text/plain: 415."""
    refused(post_direct(http, "ASK {}", content_type="text/plain"), {415}, SPARQL_QUERY)


def test_bad_query_missing_form_type(http: httpx.Client) -> None:
    """A URL-encoded query body without the application/x-www-form-urlencoded media type: 415."""
    refused(post_direct(http, "query=ASK%20%7B%7D", content_type=None), {415}, FORM)


def test_bad_query_missing_direct_type(http: httpx.Client) -> None:
    """A SPARQL query body without the application/sparql-query media type: 415."""
    refused(post_direct(http, "ASK {}", content_type=None), {415}, SPARQL_QUERY)


def test_bad_query_non_utf8(http: httpx.Client) -> None:
    """A direct POST in UTF-16 (declared as such): refused (400 bad body or 415 unsupported charset)."""
    body = "ASK {}".encode("utf-16")
    refused(post_direct(http, body, content_type=SPARQL_QUERY + "; charset=UTF-16"), {400, 415})


def test_bad_query_syntax(http: httpx.Client) -> None:
    """A query with a syntax error (`ASK {`): 400."""
    refused(http.get(path([("query", "ASK {")])), {400})


def test_bad_update_get(http: httpx.Client) -> None:
    """An update by GET (`?update=CLEAR ALL`): 403 here, as every update."""
    before = quad_count(http)
    refused_update(http, http.get(path([("update", "CLEAR ALL")])), None, before)


def test_bad_multiple_updates(http: httpx.Client) -> None:
    """Two `update` fields in a form: 403 (an update)."""
    before = quad_count(http)
    response = post_direct(http, "update=CLEAR%20NAMED&update=CLEAR%20DEFAULT", content_type=FORM)
    refused_update(http, response, None, before)


def test_bad_update_wrong_media_type(http: httpx.Client) -> None:
    """An update POSTed as text/plain: 415."""
    refused(post_direct(http, "CLEAR NAMED", content_type="text/plain"), {415})
    assert intact(http) is True


def test_bad_update_missing_form_type(http: httpx.Client) -> None:
    """A URL-encoded update body without the application/x-www-form-urlencoded media type: 415."""
    refused(post_direct(http, "update=CLEAR%20NAMED", content_type=None), {415}, FORM)
    assert intact(http) is True


def test_bad_update_non_utf8(http: httpx.Client) -> None:
    """A direct update in UTF-16: refused (403 as an update, or 415 for the charset)."""
    body = "CLEAR NAMED".encode("utf-16")
    refused(post_direct(http, body, content_type=SPARQL_UPDATE + "; charset=UTF-16"), {403, 415})
    assert intact(http) is True


def test_bad_update_syntax(http: httpx.Client) -> None:
    """An update with a syntax error (`update=CLEAR XYZ`): 403 (refused as an update before parsing)."""
    before = quad_count(http)
    refused_update(http, post_direct(http, "update=CLEAR%20XYZ", content_type=FORM), None, before)


def test_bad_update_dataset_conflict(http: httpx.Client) -> None:
    """`using-named-graph-uri` together with a WITH clause: 403 (an update)."""
    before = quad_count(http)
    update = f"""PREFIX foaf:  <http://xmlns.com/foaf/0.1/>
WITH <{DATA3}>
DELETE {{ ?person foaf:givenName 'Bill' }}
INSERT {{ ?person foaf:givenName 'William' }}
WHERE {{
    ?person foaf:givenName 'Bill'
}}"""
    response = post_direct(http, update, [("using-named-graph-uri", DATA1)], SPARQL_UPDATE)
    refused_update(http, response, None, before)
