"""A light scan of SPARQL query text, before any engine sees it.

Three decisions are taken from the text: refuse SPARQL Update with a clear read-only message (the
engine would only say "syntax error"), refuse `SERVICE` (federated query would reach outside the
process; the worker's sandbox blocks it at the kernel too, this gives the clear message), and notice
FROM / FROM NAMED clauses (they then define the dataset instead of the union default graph).

The scan skips comments, string literals and IRIs, and looks at bare words only: in a SPARQL query a
bare word is a keyword or a built-in function name (prefixed names carry a colon, variables a `?` or
`$`), so `INSERT`, `DELETE`, `LOAD`, `CLEAR`, `CREATE`, `DROP`, `COPY`, `MOVE`, `ADD` and `WITH`
never occur in a valid query and `SERVICE` and `FROM` only as those keywords. Oxigraph does not
unescape `\\uXXXX` outside literals, so an escaped keyword is a syntax error there, not a bypass.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

UPDATE_KEYWORDS = frozenset({"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE",
                             "ADD", "WITH"})

# What the scan does not look into: comments, literals (short and long) and IRIs. An unterminated
# literal runs to the end of its line (or text), so no input makes the scan quadratic.
_OPAQUE_PARTS = r"""
      \#[^\n\r]*
    | '''(?:[^'\\]|\\.|'(?!''))*(?:'''|\Z) | \"\"\"(?:[^"\\]|\\.|"(?!""))*(?:\"\"\"|\Z)
    | '(?:[^'\\\n\r]|\\.)*'? | "(?:[^"\\\n\r]|\\.)*"?
    | <[^<>"{}|^`\\\x00-\x20]*>
"""
# (the look-ahead lets every other position fail at once: 7x faster)
_OPAQUE = re.compile("(?=[#'\"<])(?:" + _OPAQUE_PARTS + ")", re.VERBOSE | re.DOTALL)

# The full tokenizer. Alternatives are tried left to right at each position; `word` and the
# brackets (in `other`) matter to the callers, the rest exist so that what they cover (a prefixed
# name such as `ex:DROP`, a language tag such as `@service`) is never mistaken for a keyword.
_PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"
_TOKEN = re.compile(
    rf"""
      (?P<opaque>{_OPAQUE_PARTS.replace("{", "{{").replace("}", "}}")})
    | (?P<var>[?$]\w+)
    | (?P<pname>(?:[^\W\d_](?:[\w.\-\u00B7]*[\w\-\u00B7])?)?:
                (?:(?:[\w:]|{_PLX})(?:(?:[\w.:\-\u00B7]|{_PLX})*(?:[\w:\-\u00B7]|{_PLX}))?)?)
    | (?P<bnode>_:\w(?:[\w.\-]*[\w\-])?)
    | (?P<number>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)
    | (?P<langtag>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
    | (?P<word>[A-Za-z_]\w*)
    | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)

# The fast path: once the opaque parts are blanked (at C speed), most queries contain none of the
# words that matter, even as part of a name (an over-approximation: any hit takes the full path),
# and only their brackets need a Python loop.
_CANDIDATES = ("SERVICE", "FROM", *sorted(UPDATE_KEYWORDS))
_BRACKET = re.compile(r"[(){}\[\]]")
_OPEN = frozenset("({[")
_CLOSE = frozenset(")}]")


@dataclass(frozen=True)
class QueryTraits:
    """What the scan found: the first update keyword, SERVICE, FROM clauses and the deepest nesting
    of brackets (Oxigraph's parser recurses per level and overflows its stack on a few thousand)."""

    update_keyword: str | None
    uses_service: bool
    has_dataset_clause: bool
    depth: int = 0


def bare_words(text: str) -> list[str]:
    """The bare words of a query in order, upper-cased, outside comments, literals and IRIs."""
    return [m.group("word").upper() for m in _TOKEN.finditer(text) if m.group("word") is not None]


def _depth(brackets: list[str]) -> int:
    depth = deepest = 0
    for b in brackets:
        if b in _OPEN:
            depth += 1
            deepest = max(deepest, depth)
        elif b in _CLOSE:
            depth = max(depth - 1, 0)
    return deepest


def scan_tokens(text: str) -> QueryTraits:
    """The full scan, token by token (about 0.5 us a character)."""
    words: list[str] = []
    brackets: list[str] = []
    for match in _TOKEN.finditer(text):
        word, other = match.group("word"), match.group("other")
        if word is not None:
            words.append(word.upper())
        elif other is not None and other in "(){}[]":
            brackets.append(other)
    update = next((w for w in words if w in UPDATE_KEYWORDS), None)
    return QueryTraits(update, "SERVICE" in words, "FROM" in words, _depth(brackets))


def scan(text: str) -> QueryTraits:
    """Classify a query text (see the module docstring for why each trait matters): the fast path
    when no word that matters can be there, else `scan_tokens`; both give the same answer."""
    visible = _OPAQUE.sub(" ", text)
    upper = visible.upper()
    if not any(word in upper for word in _CANDIDATES):
        return QueryTraits(None, False, False, _depth(_BRACKET.findall(visible)))
    return scan_tokens(text)
