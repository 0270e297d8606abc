"""The SPARQL guard (`kg.sparql.guard`) and its use at `/sparql`: a corpus of bypass attempts, each
refused; legitimate queries, each accepted; and the text an engine runs is the text that was checked.

The corpus is what a text scanner got wrong (escapes in prefixed names and IRIs, comments and
literals holding quotes) and what a parser alone would get wrong against Oxigraph (`\\u` escapes
inside literals, a lone carriage return ending a comment), with SERVICE placed in every construct
that can hold a group, and updates disguised the same ways.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from starlette.testclient import TestClient

import kg.sparql.guard as guard
from kg.core.namespaces import INFERRED_GRAPH, ONTOLOGY_GRAPH
from kg.core.settings import PROJECT_ROOT
from kg.sparql.guard import MAX_NESTING, CheckedQuery, QueryRefusedError, check_query
from kg.sparql.library import INIT_NS, QueryLibrary

ISSUE = r"""SELECT ?x WHERE { OPTIONAL { ?s ?p <http://e/\u0041'> } SERVICE <http://127.0.0.1:9999/x> { ?x ?y ?z } }"""
EP = "<http://127.0.0.1:9999/x>"
EX = "PREFIX ex: <http://example.org/>\n"


def _refusal(text: str) -> QueryRefusedError:
    with pytest.raises(QueryRefusedError) as caught:
        check_query(text)
    return caught.value


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    guard.clear_cache()
    yield
    guard.clear_cache()


# ---------------------------------------------------------------------------------- SERVICE
SERVICE_ATTEMPTS = [
    pytest.param(ISSUE, id="issue-example"),
    pytest.param(EX + r"SELECT * WHERE { ex:a\'b ?p ?o . SERVICE " + EP + " { ?x ?y ?z } }", id="pname-escaped-quote"),
    pytest.param(EX + r"SELECT * WHERE { ex:a\#b ?p ?o . SERVICE " + EP + " { ?x ?y ?z } }", id="pname-escaped-hash"),
    pytest.param(EX + r"SELECT * WHERE { ex:a\"b ?p ?o . SERVICE " + EP + " { ?x ?y ?z } }", id="pname-escaped-dquote"),
    pytest.param(r"SELECT * WHERE { ?s ?p <http://e/\U00000041'> . SERVICE " + EP + " { } }", id="iri-U-escape"),
    pytest.param(r"SELECT * WHERE { ?s ?p <http://e/\u0023> . SERVICE " + EP + " { } }", id="iri-escaped-hash"),
    pytest.param(r"SELECT * WHERE { SERV\u0049CE " + EP + " { ?a ?b ?c } }", id="keyword-u-escape"),
    pytest.param(r"SELECT * WHERE { \u0053ERVICE " + EP + " { ?a ?b ?c } }", id="keyword-u-escape-first"),
    pytest.param(r"SELECT * WHERE { S\U00000045RVICE " + EP + " { ?a ?b ?c } }", id="keyword-U-escape"),
    pytest.param("SELECT * WHERE { ?s ?p ?o # it's a comment\n SERVICE " + EP + " { } }", id="comment-with-quote"),
    pytest.param('SELECT * WHERE { ?s ?p ?o # say "hi\n SERVICE ' + EP + " { } }", id="comment-with-dquote"),
    pytest.param('SELECT * WHERE { ?s ?p "it\'s # not a comment" . SERVICE ' + EP + " { } }", id="literal-hash-quote"),
    pytest.param("SELECT * WHERE { ?s ?p 'say \"#' . SERVICE " + EP + " { } }", id="literal-dquote-hash"),
    pytest.param(
        "SELECT * WHERE { ?s ?p '''a ' '' \"b\"\"\" # ''' . SERVICE " + EP + " { } }", id="long-literal-quotes"
    ),
    pytest.param('SELECT * WHERE { ?s ?p """x "" y \'#\'""" . SERVICE ' + EP + " { } }", id="long-dliteral-quotes"),
    pytest.param('SELECT * WHERE { ?s ?p "a\\"#b" . SERVICE ' + EP + " { } }", id="literal-escaped-quote"),
    pytest.param("SELECT * WHERE { OPTIONAL { SERVICE " + EP + " { ?a ?b ?c } } }", id="in-optional"),
    pytest.param("SELECT * WHERE { { ?s ?p ?o } UNION { SERVICE " + EP + " { ?a ?b ?c } } }", id="in-union"),
    pytest.param("SELECT * WHERE { ?s ?p ?o MINUS { SERVICE " + EP + " { ?s ?b ?c } } }", id="in-minus"),
    pytest.param("SELECT * WHERE { ?s ?p ?o FILTER EXISTS { SERVICE " + EP + " { } } }", id="in-filter-exists"),
    pytest.param("SELECT * WHERE { ?s ?p ?o FILTER(NOT EXISTS { SERVICE " + EP + " { } }) }", id="in-not-exists"),
    pytest.param("SELECT * WHERE { BIND(EXISTS { SERVICE " + EP + " { } } AS ?x) }", id="in-bind-exists"),
    pytest.param("SELECT * WHERE { { SELECT ?a WHERE { SERVICE " + EP + " { ?a ?b ?c } } } }", id="in-subquery"),
    pytest.param("SELECT * WHERE { GRAPH ?g { SERVICE " + EP + " { ?a ?b ?c } } }", id="in-graph"),
    pytest.param("SELECT * WHERE { { { { SERVICE " + EP + " { } } } } }", id="in-nested-groups"),
    pytest.param("ASK { SERVICE " + EP + " { ?a ?b ?c } }", id="in-ask"),
    pytest.param("CONSTRUCT { ?a ?b ?c } WHERE { SERVICE " + EP + " { ?a ?b ?c } }", id="in-construct"),
    pytest.param("DESCRIBE ?a WHERE { SERVICE " + EP + " { ?a ?b ?c } }", id="in-describe"),
    pytest.param("SELECT * WHERE { SERVICE SILENT " + EP + " { ?a ?b ?c } }", id="silent"),
    pytest.param("SELECT * WHERE { SERVICE ?endpoint { ?a ?b ?c } }", id="variable"),
    pytest.param("SELECT * WHERE { SERVICE $endpoint { ?a ?b ?c } }", id="dollar-variable"),
    pytest.param(EX + "SELECT * WHERE { SERVICE ex:endpoint { ?a ?b ?c } }", id="prefixed-name"),
    pytest.param("select * where { service " + EP + " { ?a ?b ?c } }", id="lower-case"),
    pytest.param("SELECT * WHERE { SeRvIcE " + EP + " { ?a ?b ?c } }", id="mixed-case"),
    pytest.param("SELECT * WHERE { \u017fERVICE " + EP + " { ?a ?b ?c } }", id="long-s-case-folds"),
    pytest.param("SELECT * WHERE {\tSERVICE#c\n" + EP + "#c\n{ ?a ?b ?c } }", id="comments-between-tokens"),
    pytest.param("SELECT * WHERE {\r\nSERVICE\r\n" + EP + "\r\n{ ?a ?b ?c }\r\n}", id="crlf"),
    pytest.param("SELECT * WHERE { ?s ?p ?o.SERVICE<http://127.0.0.1:9999/x>{?a ?b ?c} }", id="no-spaces"),
]


@pytest.mark.parametrize("text", SERVICE_ATTEMPTS)
def test_service_is_refused_however_it_is_written(text: str) -> None:
    refusal = _refusal(text)
    assert refusal.reason == "service", refusal.message
    assert refusal.message.startswith("SERVICE (federated query) is disabled")


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("SELECT * WHERE { ?s ?p ?o # x\r SERVICE " + EP + " { ?a ?b ?c } \n}", id="lone-cr-ends-comment"),
        pytest.param(r"SELECT * WHERE { ?s ?p ?o # x\u000D SERVICE " + EP + " { ?a ?b ?c } \n}", id="escaped-lone-cr"),
        pytest.param(r"SELECT * WHERE { ?s ?p '\u005Cu0027' . SERVICE " + EP + " { } }", id="escape-of-an-escape"),
        pytest.param(r"SELECT * WHERE { ?s ?p <http://e/\u003E SERVICE " + EP + " { } }", id="iri-escaped-closing"),
        pytest.param(r"SELECT * WHERE { ?s ?p '\uD800' }", id="surrogate-escape"),
        pytest.param(r"SELECT * WHERE { ?s ?p '\U00110000' }", id="code-point-out-of-range"),
        pytest.param("SELECT * WHERE { ?s ?p ?o SERVICE }", id="service-without-endpoint"),
    ],
)
def test_texts_engines_could_read_differently_are_refused(text: str) -> None:
    refusal = _refusal(text)
    assert refusal.reason in ("syntax", "service"), refusal.message
    assert refusal.message.startswith(("Malformed query:", "SERVICE"))


class _Listener:
    """A local TCP port that counts the connections made to it (an engine calling SERVICE)."""

    def __init__(self) -> None:
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(8)
        self.port = self.socket.getsockname()[1]
        self.connections = 0
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.socket.accept()
            except OSError:
                return
            self.connections += 1
            conn.close()


@pytest.mark.parametrize(
    "template",
    [
        # Oxigraph reads \u0022 inside a literal as a quote character; SPARQL (and rdflib) expand it first
        'SELECT * WHERE {{ ?s ?p "a\\u0022 . ?s ?p " . SERVICE <http://127.0.0.1:{port}/x> {{ ?a ?b ?c }} # "\n}}',
        # Oxigraph ends a comment at a lone CR; rdflib's comment runs to the next LF
        "SELECT * WHERE {{ ?s ?p ?o # x\r SERVICE <http://127.0.0.1:{port}/x> {{ ?a ?b ?c }} \n}}",
    ],
)
def test_what_oxigraph_runs_is_what_the_guard_read(template: str) -> None:
    """Both texts make Oxigraph call the SERVICE when it is given the original text; the guard
    refuses one and turns the other into the text it checked, in which the SERVICE is a literal."""
    listener = _Listener()
    text = template.format(port=listener.port)
    store = ox.Store()
    subject, predicate = ox.NamedNode("urn:s"), ox.NamedNode("urn:p")
    for value in ('a" . ?s ?p ', "a"):
        store.add(ox.Quad(subject, predicate, ox.Literal(value)))
    with pytest.raises(OSError):  # the raw text reaches the listener (which hangs up)
        list(store.query(text))  # type: ignore[arg-type]
    assert listener.connections == 1
    try:
        checked = check_query(text)
    except QueryRefusedError as refused:
        assert refused.reason == "syntax"
        return
    assert checked.text != text and "\\u" not in checked.text
    list(store.query(checked.text))  # type: ignore[arg-type]
    assert listener.connections == 1


# ----------------------------------------------------------------------------------- updates
UPDATE_ATTEMPTS = [
    ("INSERT DATA { <urn:a> <urn:b> <urn:c> }", "INSERT DATA"),
    ("DELETE DATA { <urn:a> <urn:b> <urn:c> }", "DELETE DATA"),
    ("DELETE WHERE { ?s ?p ?o }", "DELETE WHERE"),
    ("DELETE { ?s ?p ?o } INSERT { ?s ?p 1 } WHERE { ?s ?p ?o }", "DELETE/INSERT"),
    ("WITH <urn:g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", "WITH ... DELETE"),
    ("LOAD <http://127.0.0.1:9/data.ttl>", "LOAD"),
    ("LOAD SILENT <file:///etc/passwd> INTO GRAPH <urn:g>", "LOAD"),
    ("CLEAR ALL", "CLEAR"),
    ("CLEAR GRAPH <https://w3id.org/legpain/graph/ontology>", "CLEAR"),
    ("CREATE GRAPH <urn:g>", "CREATE"),
    ("DROP DEFAULT", "DROP"),
    ("COPY DEFAULT TO <urn:g>", "COPY"),
    ("MOVE <urn:a> TO <urn:b>", "MOVE"),
    ("ADD <urn:a> TO <urn:b>", "ADD"),
    ("PREFIX lp: <https://w3id.org/legpain/>\ninsert data { lp:a lp:b lp:c }", "INSERT DATA"),
    ("# a comment first\nDrop All", "DROP"),
    ("DROP#c\nALL", "DROP"),
    ("cLeAr\tGRAPH <urn:g>", "CLEAR"),
    (r"INS\u0045RT DATA { <urn:a> <urn:b> <urn:c> }", "INSERT DATA"),
    (r"\u004cOAD <http://127.0.0.1:9/x>", "LOAD"),
    ("LOAD <urn:a> ; DROP ALL", "LOAD"),
    ("INSERT DATA { <urn:a> <urn:b> 'it''s' }", "INSERT"),  # malformed, still an update
    ("SELECT * WHERE { ?s ?p ?o } ; DROP ALL", "DROP"),  # an update after a `;`
    (EX + r"SELECT * WHERE { ex:a\'b ?p ?o } ; LOAD <http://127.0.0.1:9/x>", "LOAD"),
]


def test_the_endpoint_refuses_extension_functions_with_400(client: TestClient) -> None:
    status, body = _get(client, "SELECT (<bif:http_get>('http://127.0.0.1:9/') AS ?x) WHERE { }")
    assert status == 400 and "<bif:http_get> is not available" in body, body


@pytest.mark.parametrize(("text", "form"), UPDATE_ATTEMPTS)
def test_every_update_form_is_refused_as_an_update(text: str, form: str) -> None:
    refusal = _refusal(text)
    assert refusal.reason == "update", refusal.message
    assert refusal.update_form == form


# ----------------------------------------------------------------------------------- nesting
def _nested(kind: str, n: int) -> str:
    """A valid query with brackets nested exactly `n` deep, through one kind of construct."""
    where = "SELECT * WHERE "
    shapes = {
        "group": lambda: where + "{" * n + "}" * n,
        "optional": lambda: where + "{ " + "OPTIONAL { " * (n - 1) + "?s ?p ?o" + " }" * (n - 1) + " }",
        "exists": lambda: where + "{ " + "FILTER EXISTS { " * (n - 1) + " }" * (n - 1) + " }",
        "subquery": lambda: where + "{ SELECT * WHERE " * (n - 1) + "{}" + "}" * (n - 1),
        "parentheses": lambda: where + "{ FILTER(" + "(" * (n - 2) + "true" + ")" * (n - 2) + ") }",
        "function-calls": lambda: where + "{ FILTER(" + "STR(" * (n - 2) + "?x" + ")" * (n - 2) + ") }",
        "if-calls": lambda: where + "{ BIND(" + "IF(true, " * (n - 2) + "1" + ", 0)" * (n - 2) + " AS ?x) }",
        "blank-nodes": lambda: where + "{ ?s ?p " + "[ ?q " * (n - 1) + "1" + " ]" * (n - 1) + " }",
        "collections": lambda: where + "{ ?s ?p " + "( " * (n - 1) + "1" + " )" * (n - 1) + " }",
        "paths": lambda: where + "{ ?s " + "(" * (n - 1) + "<urn:p>" + ")" * (n - 1) + " ?o }",
        "template": lambda: "CONSTRUCT { ?s ?p " + "[ ?q " * (n - 1) + "1" + " ]" * (n - 1) + " } WHERE {}",
    }
    return shapes[kind]()


NESTING_KINDS = [
    "group",
    "optional",
    "exists",
    "subquery",
    "parentheses",
    "function-calls",
    "if-calls",
    "blank-nodes",
    "collections",
    "paths",
    "template",
]


@pytest.mark.parametrize("kind", NESTING_KINDS)
def test_nesting_up_to_the_limit_passes_and_one_more_level_is_refused(kind: str) -> None:
    check_query(_nested(kind, MAX_NESTING))
    refusal = _refusal(_nested(kind, MAX_NESTING + 1))
    assert refusal.reason == "nesting"
    assert "levels deep" in refusal.message and str(MAX_NESTING) in refusal.message


@pytest.mark.parametrize("bracket", ["{", "(", "[", "({[", "{}{"])
def test_a_long_text_of_brackets_is_refused_before_the_parser(bracket: str, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_parser() -> None:
        raise AssertionError("the parser was reached")

    monkeypatch.setattr(guard, "_get_grammar", no_parser)
    text = "SELECT * WHERE " + bracket * (50_000 // len(bracket))
    assert _refusal(text).reason == "nesting"


def test_nesting_hidden_from_the_count_is_still_refused_not_a_crash() -> None:
    """Closing brackets inside literals fool the cheap count; the parser's own recursion limit, in its
    own thread, then refuses the text: never a RecursionError for the caller."""
    text = "SELECT * WHERE { " + '{ FILTER(")}") ' * 300 + "}" * 300 + " }"
    refusal = _refusal(text)
    assert refusal.reason == "nesting"
    assert not [t for t in threading.enumerate() if t.name == "sparql-guard"]


# ---------------------------------------------------------------------------- must pass
#: Extension functions: Virtuoso's `bif:http_get` fetches a URL for the anonymous SPARQL user.
FUNCTION_ATTEMPTS = [
    pytest.param("SELECT (<bif:http_get>('http://127.0.0.1:9999/') AS ?x) WHERE { }", id="iri-in-select"),
    pytest.param("PREFIX bif: <bif:> SELECT * WHERE { BIND(bif:http_get('http://x/') AS ?x) }", id="prefixed-in-bind"),
    pytest.param("SELECT * WHERE { ?s ?p ?o FILTER(<sql:RDF_SPONGE>(?o)) }", id="in-filter"),
    pytest.param("ASK { FILTER EXISTS { ?s ?p ?o FILTER(<urn:f>(?o)) } }", id="in-exists"),
    pytest.param("SELECT * WHERE { { SELECT (<urn:f>(1) AS ?x) { } } }", id="in-sub-select"),
    pytest.param("BASE <bif:> SELECT (<http_get>('http://x/') AS ?x) WHERE { }", id="relative-to-base"),
    pytest.param("SELECT * WHERE { ?s ?p ?o } ORDER BY <urn:f>(?o)", id="in-order-by"),
]


@pytest.mark.parametrize("text", FUNCTION_ATTEMPTS)
def test_extension_functions_are_refused_however_they_are_written(text: str) -> None:
    refusal = _refusal(text)
    assert refusal.reason == "function", refusal.message
    assert "only SPARQL 1.1's own functions and XSD casts" in refusal.message


def test_xsd_casts_and_builtins_are_not_extension_functions() -> None:
    check_query(
        "PREFIX xsd: <http://www.w3.org/2001/XMLSchema#> SELECT (xsd:integer('1') AS ?i) "
        "(<http://www.w3.org/2001/XMLSchema#string>(1) AS ?s) (STRLEN('ab') AS ?n) WHERE { }"
    )


LEGITIMATE = [
    "SELECT * WHERE { ?s ?p 'SERVICE <http://127.0.0.1:9999/x> { }' }",
    'SELECT * WHERE { ?s ?p "FROM <urn:g> INSERT DATA { } DROP ALL" }',
    "SELECT * WHERE { ?s ?p '''SERVICE\nINSERT DATA { } ; DROP ALL''' }",
    'SELECT * WHERE { ?s ?p "say \\"SERVICE <http://x/> {}\\"" }',
    "SELECT * WHERE { ?s ?p ?o } # SERVICE <http://127.0.0.1:9999/x> { } ; DROP ALL ; FROM <urn:g>",
    "SELECT * WHERE { ?s <http://example.org/SERVICE> <urn:from:insert> }",
    EX + "SELECT * WHERE { ex:SERVICE ex:from ex:insert . ex:drop ex:load ex:with }",
    EX + r"SELECT * WHERE { ex:a\'b ex:a\#b ex:a\~b }",
    "SELECT ?service ?from ?insert WHERE { ?service ?from ?insert . _:service ?p 'x'@en }",
    "SELECT * WHERE { ?s ?p 'caf\\u00e9' }",
    "SELECT * WHERE { ?s ?p ?o }\r\nLIMIT 1\r\n",
    "SELECT * WHERE { ?s ?p ?o FILTER(CONTAINS(STR(?o), ')}]')) }",
    "SELECT * WHERE { ?s ?p ?o } VALUES ?o { 1 2 3 }",
    "PREFIX lp: <https://w3id.org/legpain/> SELECT ?x { ?x a lp:Condition FILTER(CONTAINS(STR(?x), '(')) }",
    "CONSTRUCT WHERE { ?s ?p ?o }",
    "DESCRIBE <urn:x>",
    "ASK { }",
]


@pytest.mark.parametrize("text", LEGITIMATE)
def test_legitimate_queries_pass(text: str) -> None:
    checked = check_query(text)
    assert not checked.has_dataset_clause


@pytest.mark.parametrize(
    "path",
    sorted((PROJECT_ROOT / "queries").rglob("*.rq")),
    ids=lambda p: p.relative_to(PROJECT_ROOT / "queries").as_posix(),
)
def test_every_shipped_query_passes(path: Path) -> None:
    checked = check_query(path.read_text(encoding="utf-8"), INIT_NS)
    assert checked.form in ("SELECT", "CONSTRUCT", "ASK", "DESCRIBE")


def test_large_groups_and_templates_pass() -> None:
    """rdflib's grammar recursed once per triple pattern and failed at about 80 of them in one group."""
    triples = " . ".join(f"?s{i} <urn:p{i}> 'literal {i}'" for i in range(600))
    assert check_query(f"SELECT * WHERE {{ {triples} . }}").form == "SELECT"
    assert check_query(f"CONSTRUCT {{ {triples} }} WHERE {{ }}").form == "CONSTRUCT"


def test_escapes_are_expanded_in_the_text_that_runs() -> None:
    text = r"SELECT * WHERE { ?s ?p 'caf\u00e9' ; <http://e/\U0001F600> ?o }"
    assert check_query(text).text == "SELECT * WHERE { ?s ?p 'café' ; <http://e/\U0001f600> ?o }"
    plain = "SELECT * WHERE { ?s ?p 'x' }"
    assert check_query(plain).text is plain


# ------------------------------------------------------------------------------ dataset clauses
def test_from_clauses_are_reported_resolved() -> None:
    checked = check_query(
        "BASE <http://b.example/dir/>\nPREFIX g: <graphs/>\nPREFIX lp: <https://w3id.org/legpain/>\n"
        r"SELECT * FROM <https://w3id.org/legpain/graph/inferred> FROM g:a\~b FROM <rel> "
        "FROM NAMED lp:graph\\/ontology FROM NAMED <urn:n> WHERE { ?s ?p ?o }"
    )
    assert checked.from_graphs == (str(INFERRED_GRAPH), "http://b.example/dir/graphs/a~b", "http://b.example/dir/rel")
    assert checked.from_named_graphs == (str(ONTOLOGY_GRAPH), "urn:n")
    assert checked.has_dataset_clause
    assert check_query("ASK FROM <g> { }").from_graphs == ("g",)  # relative: the caller resolves it
    lp = check_query("SELECT * FROM lp:graph\\/inferred { }", INIT_NS)
    assert lp.from_graphs == (str(INFERRED_GRAPH),)
    assert _refusal("SELECT * FROM nowhere:g { }").reason == "syntax"
    assert not check_query("SELECT * { ?s ?p 'FROM <urn:g>' }").has_dataset_clause


# ---------------------------------------------------------------------- messages, cache, budget
@pytest.mark.parametrize(
    "text",
    [
        "SELECT * {",
        "SELEKT * {}",
        "SELECT ?x WHERE { ?x ?p }",
        "ASK { FILTER( }",
        "PREFIX lp: <x SELECT * {}",
        "\x00",
        "}",
        "'''",
        "𝔖𝔈𝔏𝔈ℭ𝔗 * {}",
    ],
)
def test_unparseable_text_is_refused_with_the_parsers_message(text: str) -> None:
    refusal = _refusal(text)
    assert refusal.reason == "syntax"
    assert refusal.message.startswith("Malformed query: error at line 1, column ")
    assert "\n" not in refusal.message and "Traceback" not in refusal.message and ".py" not in refusal.message


def test_decisions_are_cached_by_exact_text(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    decide = guard._decide_in_thread

    def counting(text: str, prefixes: dict[str, str], budget_s: float) -> CheckedQuery | object:
        calls.append(text)
        return decide(text, prefixes, budget_s)

    monkeypatch.setattr(guard, "_decide_in_thread", counting)
    query, refused = "SELECT * WHERE { ?s ?p ?o }", "SELECT * WHERE { SERVICE <urn:x> { } }"
    assert not guard.is_checked(query)
    for _ in range(3):
        check_query(query)
        with pytest.raises(QueryRefusedError):
            check_query(refused)
    assert guard.is_checked(query) and guard.is_checked(refused)
    check_query(query + " ")
    assert calls == [query, refused, query + " "]


def test_the_cache_is_bounded_by_entries_and_characters() -> None:
    cache = guard._DecisionCache(entries=3, chars=100)
    decision = CheckedQuery("x", "SELECT")
    for i in range(5):
        cache.put((f"q{i}", frozenset()), decision)
    assert [cache.get((f"q{i}", frozenset())) is not None for i in range(5)] == [False, False, True, True, True]
    cache.put(("y" * 90, frozenset()), decision)
    assert cache.get(("q2", frozenset())) is None and cache.get(("y" * 90, frozenset())) is not None
    cache.put(("z" * 101, frozenset()), decision)  # larger than the whole cache: not kept
    assert cache.get(("z" * 101, frozenset())) is None


def test_a_text_too_slow_to_check_is_refused_within_the_budget() -> None:
    """rdflib's parser takes about a millisecond per term of an IN list: the budget stops it."""
    text = "SELECT * WHERE { FILTER(?x IN (" + ", ".join(["1"] * 20_000) + ")) }"
    started = time.monotonic()
    refusal = _refusal_with_budget(text, 0.2)
    assert refusal.reason == "budget" and "0.2 s" in refusal.message
    assert time.monotonic() - started < 3.0
    time.sleep(0.05)
    assert not [t for t in threading.enumerate() if t.name == "sparql-guard"], "the parse was not stopped"
    # a larger budget tries again rather than repeating the cached refusal
    short = "SELECT * WHERE { FILTER(?x IN (1, 2)) }"
    assert check_query(short, budget_s=5.0).form == "SELECT"


def _refusal_with_budget(text: str, budget_s: float) -> QueryRefusedError:
    with pytest.raises(QueryRefusedError) as caught:
        check_query(text, budget_s=budget_s)
    return caught.value


def test_a_library_query_file_passes_the_same_guard(tmp_path: Path) -> None:
    (tmp_path / "reach-out.rq").write_text("# Reaches out.\nSELECT * WHERE { SERV\\u0049CE <http://x/> { } }\n")
    library = QueryLibrary(tmp_path)
    with pytest.raises(QueryRefusedError) as caught:
        library.get("reach-out").checked  # noqa: B018 - the property runs the guard
    assert caught.value.reason == "service"


# -------------------------------------------------------------------------------- at /sparql
def _get(client: TestClient, query: str) -> tuple[int, str]:
    response = client.get("/sparql", params={"query": query})
    return response.status_code, response.text


@pytest.mark.parametrize("text", SERVICE_ATTEMPTS[:16])
def test_the_endpoint_refuses_service_attempts(client: TestClient, text: str) -> None:
    status, body = _get(client, text)
    assert status == 400 and body.startswith("SERVICE (federated query) is disabled"), body


@pytest.mark.parametrize(("text", "form"), UPDATE_ATTEMPTS)
def test_the_endpoint_refuses_updates_with_403(client: TestClient, text: str, form: str) -> None:
    status, body = _get(client, text)
    assert status == 403 and "read-only" in body and f"({form})" in body, body


def test_the_endpoint_refuses_texts_read_differently_and_deep_nesting(client: TestClient) -> None:
    status, body = _get(client, "SELECT * WHERE { ?s ?p ?o # x\r SERVICE " + EP + " { ?a ?b ?c } \n}")
    assert status == 400 and "carriage return" in body
    deep = client.post(
        "/sparql",
        content="SELECT * WHERE " + "{" * 20_000 + "}" * 20_000,
        headers={"content-type": "application/sparql-query"},
    )
    assert deep.status_code == 400 and "levels deep" in deep.text
    status, body = _get(client, "SELECT * WHERE { ?s ?p }")
    assert status == 400 and body.startswith("Malformed query: error at line 1, column")


def test_the_endpoint_runs_the_text_it_checked(client: TestClient) -> None:
    """Read as SPARQL reads it, `"\\u0022 != \\u0022"` is `"" != ""` (false); Oxigraph given the raw
    text would read one literal holding ` != ` between quotes (true)."""
    response = client.get("/sparql", params={"query": r'ASK { FILTER("\u0022 != \u0022") }'})
    assert response.status_code == 200
    assert json.loads(response.content)["boolean"] is False


def test_from_an_unknown_graph_is_a_400_and_a_known_one_answers(client: TestClient) -> None:
    for clause in ("FROM", "FROM NAMED"):
        for graph in ("urn:nowhere", "file:///etc/passwd", "http://127.0.0.1:9/data.ttl"):
            status, body = _get(client, f"SELECT (COUNT(*) AS ?n) {clause} <{graph}> WHERE {{ ?s ?p ?o }}")
            assert status == 400, body
            assert body.startswith(f"Unknown graph <{graph}> in {clause}:") and str(INFERRED_GRAPH) in body
    status, body = _get(client, "ASK FROM <relative> { }")
    assert status == 400 and "Unknown graph <http://testserver/relative> in FROM" in body
    status, body = _get(client, f"SELECT (COUNT(*) AS ?n) FROM <{INFERRED_GRAPH}> WHERE {{ ?s ?p ?o }}")
    assert status == 200 and int(json.loads(body)["results"]["bindings"][0]["n"]["value"]) > 0


def test_texts_checked_at_the_same_time_do_not_disturb_each_other() -> None:
    """pyparsing shares its grammar's state between threads: two texts parsed at once made a valid
    query fail as malformed (a 400 for one of two heavy queries sent together)."""
    import threading

    from kg.sparql.guard import check_query, clear_cache

    clear_cache()
    texts = [
        f"SELECT (COUNT(*) AS ?n{i}) WHERE {{ ?a ?b ?c . ?d ?e ?f . FILTER (?c = ?f || ?a = <urn:x{i}>) }}"
        for i in range(12)
    ]
    failures: list[str] = []

    def check(text: str) -> None:
        try:
            check_query(text)
        except Exception as exc:  # noqa: BLE001 - collected for the assertion
            failures.append(f"{text}: {exc}")

    threads = [threading.Thread(target=check, args=(t,)) for t in texts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert failures == []
