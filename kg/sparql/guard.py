"""The one guard every SPARQL query text passes before anything runs it (the `/sparql` endpoint, for
the embedded workers and for a remote store alike, and `legpain query` / `kg.sparql.library`).

What it decides, and what each decision protects against:

- SPARQL Update (INSERT, DELETE, LOAD, CLEAR, CREATE, DROP, COPY, MOVE, ADD, WITH ...) is refused
  with a read-only message (`reason="update"`, the endpoint's 403): the endpoint and the CLI are
  read-only, and LOAD would make the store fetch a URL. An update parses with rdflib's update grammar;
  a text that parses as neither a query nor an update is still called an update when a bare update
  keyword occurs in it (so `SELECT ... ; DROP ALL` is told it is read-only, not just "syntax error").
- `SERVICE` anywhere in the parse tree (inside OPTIONAL, UNION, MINUS, EXISTS, a sub-query, GRAPH,
  SILENT or with a variable) is refused (`reason="service"`): federated query would make the engine,
  or the remote store `/sparql` forwards to, send requests wherever the query says (server-side
  request forgery).
- A function called by IRI (`<urn:f>(?x)`, `bif:http_get(...)`) is refused unless it is an XSD
  cast (`reason="function"`): SPARQL 1.1's own functions are keywords, and an engine's extension
  functions are its own API, not the standard's. Virtuoso's `bif:http_get` fetches any URL for the
  anonymous SPARQL user (server-side request forgery through a remote store); Virtuoso refuses only
  some of its functions (`bif:file_to_string`, `bif:system`) in query text.
- A text the parser cannot read is refused with the parser's message (`reason="syntax"`): whatever
  the guard could not read, it cannot vouch for.
- FROM / FROM NAMED clauses are reported, with the graph IRIs they name (`from_graphs`,
  `from_named_graphs`), so callers can refuse a graph the dataset does not hold before an engine
  tries to read it (rdflib's engine would fetch the IRI, files included).
- Brackets nested more than `MAX_NESTING` deep are refused (`reason="nesting"`): the parser recurses
  per level (rdflib's at about 40 Python frames a level), and so do the engines behind it.
- A text that takes longer than its budget to check is refused (`reason="budget"`): rdflib's parser
  is pure Python and slow on some shapes (a 10 KB `IN (1, 1, ...)` list takes seconds), and the
  check runs inside the server.

Why a real parser decides, not a regular expression: the previous text scan skipped what it took for
literals and comments, and a backslash escape it did not model (`ex:a\\'b`, `ex:a\\#b`, `\\u0041'`
inside an IRI) made it skip the rest of a line that the engine did read, `SERVICE` included. A parser
has no such blind spots: it reads the whole text or refuses it.

A parser is only as good as its agreement with the engine that runs the query, so the guard also
closes the two places where rdflib and Oxigraph read the same text differently:

- `\\uXXXX` / `\\UXXXXXXXX` escapes. SPARQL expands them before parsing, everywhere (rdflib does);
  Oxigraph reads `"a\\u0022b"` as a literal holding a quote, where rdflib reads the literal `"a"` and
  then code. The guard therefore decides on the expanded text and returns it as `CheckedQuery.text`:
  callers run and forward *that* text, which holds no escape any engine could read differently (an
  escape that expands to another escape is refused).
- A carriage return not followed by a line feed. It ends a comment for Oxigraph, but rdflib's
  comment runs to the next line feed, so `# x\\r SERVICE <...> {...}` hid a SERVICE from rdflib. Such
  a text is refused (no editor writes lone CRs any more).

How the parse is run: rdflib's own grammar, copied once (`copy.deepcopy`) so that two of its rules
that recurse once per item (a group's `.`-separated triple patterns, a CONSTRUCT template) can be
rewritten as loops (rdflib's recursed past Python's limit at about 80 triple patterns in one
group), and so that its SERVICE rule skips rdflib's re-scan of the whole text for the pattern's
original wording (that scan takes a `#` inside an earlier literal for a comment and fails, so such a
SERVICE did not parse: refused, but as a syntax error). Every parse runs in a fresh thread, so its
stack depth does not depend on the caller's (an event loop, a test runner), and a RecursionError
there is a refusal, never a crash. The copy carries a cheap deadline check on terms it matches,
which is how the budget stops a runaway parse (a thread cannot be killed from outside). Decisions
are kept in a bounded LRU cache keyed by the exact text: a small query costs about 3 ms to parse, a
cache hit about a microsecond.
"""

from __future__ import annotations

import copy
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urljoin

#: Deepest bracket nesting accepted (`(`, `[` and `{` together). The deepest shipped query nests 13;
#: rdflib's parser needs up to about 45 Python frames a level (nested function calls: 22 levels fit in
#: Python's default limit of 1000), and every parse runs in a fresh thread, so the count does not
#: depend on the caller. tests/api/sparql/test_guard.py parses every construct at this depth.
MAX_NESTING = 20
#: Seconds a check may take by default before the text is refused as too complex to check.
PARSE_BUDGET_S = 5.0
#: The decision cache holds at most this many texts, and at most this many characters in all.
CACHE_ENTRIES = 1024
CACHE_CHARS = 8_000_000

UPDATE_KEYWORDS = frozenset({"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"})

#: Why a text is refused: an update, SERVICE, unreadable, nested too deeply, too complex to check in
#: time, or (raised by callers that know the dataset, `kg.sparql.library.require_graphs`) a FROM graph that
#: is not there.
Reason = Literal["update", "service", "function", "syntax", "nesting", "budget", "graph"]

#: The name of the SERVICE rule in the guard's grammar, and of its nodes in the parse tree.
SERVICE_PATTERN = "ServicePattern"
SERVICE_MESSAGE = "SERVICE (federated query) is disabled: queries never reach outside this dataset."

#: Casts to XSD datatypes are the only functions called by IRI that SPARQL 1.1 itself defines.
XSD_NS = "http://www.w3.org/2001/XMLSchema#"
FUNCTION_MESSAGE = (
    "The function <{iri}> is not available: only SPARQL 1.1's own functions and XSD casts are "
    "evaluated (an engine's extension functions can reach the network or the file system)."
)


@dataclass(frozen=True)
class CheckedQuery:
    """A query the guard accepts.

    `text` is what to run or forward: the input with its `\\u` escapes expanded (the same object as
    the input when it has none). `form` is SELECT, CONSTRUCT, ASK or DESCRIBE. `from_graphs` and
    `from_named_graphs` are the IRIs of the FROM and FROM NAMED clauses, in order, resolved against
    the query's PREFIX and BASE declarations (and the `prefixes` the caller supplied); an IRI that
    stays relative is returned as written, for the caller to resolve against its own base."""

    text: str
    form: str
    from_graphs: tuple[str, ...] = ()
    from_named_graphs: tuple[str, ...] = ()

    @property
    def has_dataset_clause(self) -> bool:
        """Whether FROM / FROM NAMED define the dataset (instead of the caller's default one)."""
        return bool(self.from_graphs or self.from_named_graphs)


class QueryRefusedError(ValueError):
    """A text the guard refuses. `reason` says why (see the module docstring), `message` is one line
    for the user, `update_form` names the update operation (`INSERT DATA`, `LOAD` ...) when
    `reason == "update"`."""

    def __init__(self, reason: Reason, message: str, update_form: str | None = None) -> None:
        super().__init__(message)
        self.reason: Reason = reason
        self.message = message
        self.update_form = update_form


@dataclass(frozen=True)
class _Refusal:
    reason: Reason
    message: str
    update_form: str | None = None
    budget_s: float = 0.0


class _OutOfTime(Exception):  # noqa: N818 - internal signal, never leaves this module
    """Raised by the deadline check inside a parse; not a pyparsing exception, so nothing backtracks."""


# ----------------------------------------------------------------------------------- the grammar
_state = threading.local()


def _tick(_text: str, _loc: int, _tokens: Any) -> None:
    """The deadline check the grammar copy calls on the terms it matches (tens of nanoseconds)."""
    deadline = getattr(_state, "deadline", None)
    if deadline is not None and time.monotonic() > deadline:
        raise _OutOfTime


class _Grammar:
    """rdflib's SPARQL query and update grammar, copied so that it can be changed without touching
    rdflib's (which `prepareQuery` keeps using): list rules as loops, deadline checks added."""

    def __init__(self) -> None:
        import rdflib.plugins.sparql.parser as rp
        from pyparsing import MatchFirst, Optional, Regex, Suppress, ZeroOrMore
        from rdflib.plugins.sparql.parserutils import ParamList

        memo: dict[int, Any] = {}
        self.query, self.update = copy.deepcopy((rp.Query, rp.UpdateUnit), memo)

        def mine(element: Any) -> Any:
            return memo[id(element)]

        # [55] TriplesBlock ::= TriplesSameSubjectPath ( '.' TriplesBlock? )?  ==  T ( '.' T )* '.'?
        triples = mine(rp.TriplesSameSubjectPath)
        block = mine(rp.TriplesBlock)
        block <<= (
            ParamList("triples", triples)
            + ZeroOrMore(Suppress(".") + ParamList("triples", triples))
            + Optional(Suppress("."))
        )
        # [75] ConstructTriples ::= TriplesSameSubject ( '.' ConstructTriples? )?  (the same shape)
        template = mine(rp.TriplesSameSubject)
        construct = mine(rp.ConstructTriples)
        construct <<= (
            ParamList("template", template)
            + ZeroOrMore(Suppress(".") + ParamList("template", template))
            + Optional(Suppress("."))
        )
        # rdflib's Comp re-scans the whole text for a SERVICE pattern to keep its original text (for
        # evaluation); that scan skips "comments" from a `#` inside an earlier literal or IRI and then
        # fails, so SERVICE after such a `#` did not parse. Renamed, the copy skips that step.
        mine(rp.ServiceGraphPattern).set_name(SERVICE_PATTERN)
        for name in (
            "Var",
            "String",
            "IRIREF",
            "NumericLiteral",
            "PrimaryExpression",
            "PathPrimary",
            "GroupGraphPattern",
            "VarOrTerm",
        ):
            mine(getattr(rp, name)).add_parse_action(_tick, call_during_try=True)

        # A lexer over the same terminals, used only to name the update keyword of a text that parses
        # as neither a query nor an update (so its literals, IRIs and names are never read as words).
        word = Regex(r"[A-Za-z_][A-Za-z0-9_]*")
        terms = [
            mine(getattr(rp, name))
            for name in ("String", "IRIREF", "PNAME_LN", "PNAME_NS", "VAR1", "VAR2", "BLANK_NODE_LABEL", "LANGTAG")
        ]
        self.token = MatchFirst([*terms, word, Regex(r"\S")])
        for comment in self.query.ignoreExprs:
            self.token.ignore(comment)


_grammar: _Grammar | None = None
_grammar_lock = threading.Lock()
#: One parse at a time (see `_decide_in_thread`).
_parse_lock = threading.Lock()


def _get_grammar() -> _Grammar:
    global _grammar  # noqa: PLW0603 - built once, on first use (about 0.1 s)
    if _grammar is None:
        with _grammar_lock:
            if _grammar is None:
                _grammar = _Grammar()
    return _grammar


# ------------------------------------------------------------------------------------ the decision
_ESCAPE = re.compile(r"\\[uU][0-9A-Fa-f]{4}")
_LONE_CR = re.compile(r"\r(?!\n)")
_SURROGATE = re.compile("[\ud800-\udfff]")
_BRACKET = re.compile(r"[()\[\]{}]")
_KEYWORD_SOMEWHERE = re.compile("|".join(sorted(UPDATE_KEYWORDS)), re.IGNORECASE)
_FORMS = {"SelectQuery": "SELECT", "ConstructQuery": "CONSTRUCT", "AskQuery": "ASK", "DescribeQuery": "DESCRIBE"}
_UPDATE_FORMS = {
    "Load": "LOAD",
    "Clear": "CLEAR",
    "Drop": "DROP",
    "Create": "CREATE",
    "Add": "ADD",
    "Move": "MOVE",
    "Copy": "COPY",
    "InsertData": "INSERT DATA",
    "DeleteData": "DELETE DATA",
    "DeleteWhere": "DELETE WHERE",
}


def _line_of(text: str, index: int) -> int:
    return text.count("\n", 0, index) + 1


def _expanded(text: str) -> str:
    """The text with its `\\u` / `\\U` escapes expanded, as SPARQL reads it (rdflib's own expansion)."""
    if "\\" not in text:
        return text
    from rdflib.plugins.sparql.parser import expandUnicodeEscapes

    try:
        expanded = expandUnicodeEscapes(text)
    except ValueError as exc:
        raise _Refuse("syntax", f"Malformed query: {exc}.") from None
    if expanded == text:
        return text
    again = _ESCAPE.search(expanded)
    if again is not None:
        raise _Refuse(
            "syntax",
            f"Malformed query: an escape expands to another escape ({again.group()} at line "
            f"{_line_of(expanded, again.start())}); write the character itself.",
        )
    surrogate = _SURROGATE.search(expanded)
    if surrogate is not None:
        raise _Refuse(
            "syntax",
            f"Malformed query: an escape names U+{ord(surrogate.group()):04X}, a surrogate code "
            "point, which is not a character.",
        )
    return expanded


def _nesting(text: str) -> int:
    """How deep brackets nest, counted over the whole text (literals and comments included: an
    over-estimate, which only matters for a text that would be refused anyway). Stops counting past
    the limit, so a long text of brackets costs microseconds."""
    if text.count("(") + text.count("[") + text.count("{") <= MAX_NESTING:
        return 0
    depth = deepest = 0
    for match in _BRACKET.finditer(text):
        if match.group() in "([{":
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > MAX_NESTING:
                    break
        elif depth:
            depth -= 1
    return deepest


class _Refuse(Exception):  # noqa: N818 - internal signal carrying a refusal
    def __init__(self, reason: Reason, message: str, update_form: str | None = None) -> None:
        super().__init__(message)
        self.refusal = _Refusal(reason, message, update_form)


def _nesting_message(depth: int | None) -> str:
    how = f"more than {MAX_NESTING}" if depth is None or depth > MAX_NESTING else str(depth)
    return (
        f"The query is nested too deeply: it nests brackets {how} levels deep; the limit is {MAX_NESTING}. "
        "Flatten the groups or sub-expressions."
    )


def _syntax_message(exc: Any) -> str:
    """A pyparsing error as one line: where, and what the parser expected."""
    expected = " ".join(str(getattr(exc, "msg", exc)).split())
    if len(expected) > 200:
        expected = expected[:200] + " ..."
    found = getattr(exc, "found", "")
    found_text = f", found {found}" if found else ""
    return f"Malformed query: error at line {exc.lineno}, column {exc.col}: {expected}{found_text}."


def _walk(tree: Any) -> Any:
    """Every node of a parse tree, iteratively (trees of large queries are deep)."""
    from pyparsing import ParseResults
    from rdflib.plugins.sparql.parserutils import CompValue

    stack = [tree]
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, CompValue):
            stack.extend(node.values())
        elif isinstance(node, ParseResults | list | tuple):
            stack.extend(node)


def _update_form(tree: Any) -> str:
    from rdflib.plugins.sparql.parserutils import CompValue

    requests = [r for r in (tree.request or []) if isinstance(r, CompValue)]
    if not requests:
        return "an update"
    first = requests[0]
    if first.name in _UPDATE_FORMS:
        return _UPDATE_FORMS[first.name]
    parts = [word for word, clause in (("DELETE", first.delete), ("INSERT", first.insert)) if clause is not None]
    form = "/".join(parts) or "DELETE/INSERT"
    return f"WITH ... {form}" if first.withClause is not None else form


def _update_keyword(grammar: _Grammar, text: str) -> str | None:
    """The first bare word of the text that is an update keyword (literals, IRIs, prefixed names,
    variables and comments are read as the parser reads them, never as words). The lexer costs
    about 0.1 ms a token, so it runs only when one of the words occurs somewhere in the text."""
    if _KEYWORD_SOMEWHERE.search(text) is None:
        return None
    for _tokens, start, end in grammar.token.scan_string(text):
        _tick(text, start, None)
        word = text[start:end].upper()
        if word in UPDATE_KEYWORDS:
            return word
    return None


def _resolve(term: Any, prefixes: Mapping[str, str], base: str | None) -> str:
    from rdflib.plugins.sparql.parserutils import CompValue

    if isinstance(term, CompValue) and term.name == "pname":
        prefix = term.prefix or ""
        if prefix not in prefixes:
            raise _Refuse("syntax", f"Malformed query: the prefix {prefix}: is not declared (PREFIX {prefix}: <...>).")
        return prefixes[prefix] + re.sub(r"\\(.)", r"\1", term.localname or "")
    iri = str(term)
    return urljoin(base, iri) if base and not re.match(r"[A-Za-z][A-Za-z0-9+.-]*:", iri) else iri


def _prologue(tree: Any, initial: Mapping[str, str]) -> tuple[dict[str, str], str | None]:
    """The prefixes and the base the query's prologue declares (over the caller's `initial` ones)."""
    prefixes = dict(initial)
    base: str | None = None
    for decl in tree[0]:
        if decl.name == "Base":
            base = _resolve(decl.iri, prefixes, base)
        elif decl.name == "PrefixDecl":
            prefixes[decl.prefix or ""] = _resolve(decl.iri, prefixes, base)
    return prefixes, base


def _service_and_function(tree: Any, prefixes: Mapping[str, str], base: str | None) -> tuple[bool, str | None]:
    """In one walk of the parse tree: whether a SERVICE pattern occurs anywhere, and (when none does)
    the first function called by an IRI outside XSD (a cast is a call of an XSD datatype IRI, SPARQL
    1.1 section 17.5), an engine's extension function; None when there is none."""
    calls = []
    for node in _walk(tree):
        name = getattr(node, "name", None)
        if name == SERVICE_PATTERN:
            return True, None
        if name == "Function":
            calls.append(node.iri)
    for term in calls:
        iri = _resolve(term, prefixes, base)
        if not iri.startswith(XSD_NS):
            return False, iri
    return False, None


def _dataset(tree: Any, prefixes: Mapping[str, str], base: str | None) -> tuple[tuple[str, ...], tuple[str, ...]]:
    defaults: list[str] = []
    named: list[str] = []
    for clause in tree[1].datasetClause or ():
        if clause.default is not None:
            defaults.append(_resolve(clause.default, prefixes, base))
        elif clause.named is not None:
            named.append(_resolve(clause.named, prefixes, base))
    return tuple(defaults), tuple(named)


def _decide(text: str, prefixes: Mapping[str, str]) -> CheckedQuery:
    """The decision on one text (raises `_Refuse`); see the module docstring for each step."""
    from pyparsing import ParseBaseException

    expanded = _expanded(text)
    cr = _LONE_CR.search(expanded)
    if cr is not None:
        raise _Refuse(
            "syntax",
            f"Malformed query: a carriage return not followed by a line feed (line "
            f"{_line_of(expanded, cr.start())}); end lines with LF or CR LF.",
        )
    depth = _nesting(expanded)
    if depth > MAX_NESTING:
        raise _Refuse("nesting", _nesting_message(depth))
    grammar = _get_grammar()
    try:
        tree = grammar.query.parse_string(expanded, parse_all=True)
    except ParseBaseException as exc:
        try:
            update = grammar.update.parse_string(expanded, parse_all=True)[0]
        except (ParseBaseException, RecursionError):
            keyword = _update_keyword(grammar, expanded)
            if keyword is not None:
                raise _Refuse("update", f"SPARQL Update ({keyword}) is not accepted.", keyword) from None
            raise _Refuse("syntax", _syntax_message(exc)) from None
        form = _update_form(update)
        raise _Refuse("update", f"SPARQL Update ({form}) is not accepted.", form) from None
    declared, base = _prologue(tree, prefixes)
    service, function = _service_and_function(tree, declared, base)
    if service:
        raise _Refuse("service", SERVICE_MESSAGE)
    if function is not None:
        raise _Refuse("function", FUNCTION_MESSAGE.format(iri=function))
    from_graphs, from_named = _dataset(tree, declared, base)
    return CheckedQuery(expanded, _FORMS.get(str(tree[1].name), str(tree[1].name)), from_graphs, from_named)


def _decide_in_thread(text: str, prefixes: Mapping[str, str], budget_s: float) -> CheckedQuery | _Refusal:
    """Run `_decide` in a fresh thread under the budget: a stack of known depth for the parser's
    recursion, and a deadline the grammar itself checks."""
    box: list[CheckedQuery | _Refusal] = []

    def work() -> None:
        # pyparsing is not thread-safe (its grammar elements and packrat cache are shared state): two
        # texts parsed at once corrupted each other and a valid query was refused as malformed. So
        # one parse at a time; the budget starts once this one's turn has come.
        if not _parse_lock.acquire(timeout=budget_s):
            box.append(_budget_refusal(budget_s))
            return
        _state.deadline = time.monotonic() + budget_s
        try:
            box.append(_decide(text, prefixes))
        except _Refuse as refused:
            box.append(refused.refusal)
        except RecursionError:
            box.append(_Refusal("nesting", _nesting_message(None)))
        except _OutOfTime:
            box.append(_budget_refusal(budget_s))
        except Exception as exc:  # noqa: BLE001 - a parse action's own error: the text is refused, never a 500
            box.append(_Refusal("syntax", "Malformed query: " + " ".join(str(exc).split())[:300]))
        finally:
            _state.deadline = None
            _parse_lock.release()

    thread = threading.Thread(target=work, name="sparql-guard", daemon=True)
    thread.start()
    thread.join(2 * budget_s + 5.0)  # the wait and the grammar's own deadline end it first; a backstop
    return box[0] if box else _budget_refusal(budget_s)


def _budget_refusal(budget_s: float) -> _Refusal:
    return _Refusal(
        "budget",
        f"The query could not be checked within {budget_s:g} s: it is too large or too "
        "complex for the query checker. Simplify it or split it.",
        budget_s=budget_s,
    )


# ----------------------------------------------------------------------------------------- cache
class _DecisionCache:
    """A thread-safe LRU of decisions, bounded by entries and by the characters of the texts it keeps."""

    def __init__(self, entries: int, chars: int) -> None:
        self.entries, self.chars = entries, chars
        self._items: OrderedDict[tuple[str, frozenset[tuple[str, str]]], CheckedQuery | _Refusal] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def get(self, key: tuple[str, frozenset[tuple[str, str]]]) -> CheckedQuery | _Refusal | None:
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: tuple[str, frozenset[tuple[str, str]]], value: CheckedQuery | _Refusal) -> None:
        size = len(key[0])
        if size > self.chars:
            return
        with self._lock:
            if key in self._items:
                self._size -= len(key[0])
            self._items[key] = value
            self._items.move_to_end(key)
            self._size += size
            while len(self._items) > self.entries or self._size > self.chars:
                old, _ = self._items.popitem(last=False)
                self._size -= len(old[0])

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._size = 0


_cache = _DecisionCache(CACHE_ENTRIES, CACHE_CHARS)


def _key(text: str, prefixes: Mapping[str, str] | None) -> tuple[str, frozenset[tuple[str, str]]]:
    return text, frozenset(prefixes.items()) if prefixes else frozenset()


def is_checked(text: str, prefixes: Mapping[str, str] | None = None) -> bool:
    """Whether a decision on this text is cached (then `check_query` answers at once, without a
    thread: what lets the endpoint call it on the event loop)."""
    return _cache.get(_key(text, prefixes)) is not None


def check_query(text: str, prefixes: Mapping[str, str] | None = None, budget_s: float = PARSE_BUDGET_S) -> CheckedQuery:
    """Decide whether a SPARQL query text may run: its `CheckedQuery` (run `.text`), or
    `QueryRefusedError` saying why not. `prefixes` are prefixes the caller declares for the query
    (rdflib's `initNs`), used to resolve FROM IRIs. Blocks for the parse on a cache miss (about 3 ms
    for a small query, up to `budget_s`)."""
    key = _key(text, prefixes)
    decision = _cache.get(key)
    if decision is None or (
        isinstance(decision, _Refusal) and decision.reason == "budget" and decision.budget_s < budget_s
    ):
        decision = _decide_in_thread(text, prefixes or {}, budget_s)
        _cache.put(key, decision)
    if isinstance(decision, _Refusal):
        raise QueryRefusedError(decision.reason, decision.message, decision.update_form)
    return decision


def clear_cache() -> None:
    """Forget every cached decision (tests measure uncached parses with it)."""
    _cache.clear()
