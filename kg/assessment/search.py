"""Ranked matching of a phrase against the labels and synonyms of terms.

How it works, so its behaviour can be predicted:
1. Normalise: lower case, unify apostrophes, expand contractions ("can't" -> "can not"), drop
   punctuation, fold negations onto "not", fold lay word forms with the lexicon ("sore" -> "pain",
   "swollen" -> "swelling"), drop stop words, correct a likely typo in a word no label contains
   (closest word of any label, similarity >= 0.85), stem (Snowball English).
2. Score each label or synonym of a term: the share of the phrase's information it covers (words
   weighted by inverse document frequency over all terms, so "pain" counts little and "claudication"
   a lot) times the square root of the share of the label covered. A label and a phrase that
   disagree on negation ("relieved by rest" vs "not relieved by rest") are heavily penalised. A
   term's score is its best label's.
3. Keep terms that cover at least half of the phrase's information and score at least 0.3, best
   first; a phrase that matches nothing returns nothing.
"""

from __future__ import annotations

import difflib
import math
import re
import threading
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer

from kg.assessment.lexicon import CONTRACTIONS, NEGATIONS, STOP_WORDS, SYNONYM_WORDS
from kg.knowledge.protocols import TermNames

MIN_QUERY_COVERAGE = 0.5
MIN_SCORE = 0.3
NEGATION_PENALTY = 0.35
MAX_PHRASE_CHARS = 500

_stemmer = snowballstemmer.stemmer("english")
_WORD = re.compile(r"[a-z0-9]+")


@lru_cache(maxsize=4096)
def _stem(word: str) -> str:
    return str(_stemmer.stemWord(word))


def words(text: str) -> list[str]:
    """The meaningful words of a phrase, lexicon-folded but not stemmed ("not" for any negation)."""
    text = text.lower().replace("\u2019", "'").replace("\u2018", "'").replace("&", " and ")
    for contraction, expansion in CONTRACTIONS.items():
        text = text.replace(contraction, expansion)
    out: list[str] = []
    for word in _WORD.findall(text.replace("'", "")):
        if word in NEGATIONS:
            out.append("not")
            continue
        word = SYNONYM_WORDS.get(word, word)
        if word not in STOP_WORDS:
            out.append(word)
    return out


def normalize(text: str) -> tuple[str, ...]:
    """The meaningful, stemmed tokens of a phrase, in order (see the module docstring)."""
    return tuple(_stem(w) for w in words(text))


@dataclass(frozen=True)
class Match:
    """A term that matched a phrase, with its score (0..1) and the label or synonym that matched."""

    iri: str
    score: float
    matched: str


class TermMatcher:
    """Search over terms, each known by a label and synonyms. Built once; `search` is read-only."""

    def __init__(self, terms: Mapping[str, Iterable[str]]) -> None:
        self._variants: list[tuple[str, str, frozenset[str]]] = []
        doc_freq: Counter[str] = Counter()
        for iri, labels in terms.items():
            seen: set[str] = set()
            for label in labels:
                tokens = frozenset(normalize(label))
                if tokens:
                    self._variants.append((iri, label, tokens))
                    seen |= tokens
            doc_freq.update(seen)
        self._raw_words = sorted({w for labels in terms.values() for label in labels for w in words(label)})
        n = max(len(terms), 1)
        self._idf = {t: math.log(1 + n / df) for t, df in doc_freq.items()}
        self._unknown_idf = math.log(1 + n / 0.5)
        self._vocabulary = sorted(self._idf)
        self._by_token: dict[str, list[int]] = {}
        for i, (_, _, tokens) in enumerate(self._variants):
            for token in tokens:
                self._by_token.setdefault(token, []).append(i)

    def _weight(self, tokens: Iterable[str]) -> float:
        return sum(self._idf.get(t, self._unknown_idf) for t in tokens)

    def _correct(self, word: str) -> str:
        """The stem of a word, or of the closest known word when it looks like a typo."""
        stem = _stem(word)
        if stem in self._idf or len(word) < 5 or word == "not":
            return stem
        close = difflib.get_close_matches(word, self._raw_words, n=1, cutoff=0.85)
        return _stem(close[0]) if close else stem

    def search(self, phrase: str, limit: int = 20) -> list[Match]:
        """Terms matching the phrase, best first; empty when nothing matches well enough."""
        query = frozenset(self._correct(w) for w in words(phrase[:MAX_PHRASE_CHARS]))
        if not query or limit <= 0:
            return []
        query_weight = self._weight(query)
        negated = "not" in query
        best: dict[str, Match] = {}
        candidates = {i for t in query for i in self._by_token.get(t, ())}
        for i in candidates:
            iri, label, tokens = self._variants[i]
            shared = query & tokens
            if shared == {"not"}:
                continue
            shared_weight = self._weight(shared)
            query_cover = shared_weight / query_weight
            if query_cover < MIN_QUERY_COVERAGE:
                continue
            score = query_cover * math.sqrt(shared_weight / self._weight(tokens))
            if negated != ("not" in tokens):
                score *= NEGATION_PENALTY
            if score >= MIN_SCORE and (iri not in best or score > best[iri].score):
                best[iri] = Match(iri, round(score, 4), label)
        return sorted(best.values(), key=lambda m: (-m.score, len(m.matched), m.iri))[:limit]


class TermSearch:
    """Phrase search over the findings and the conditions that a `TermNames` names: one `TermMatcher`
    per kind, built on first use and again when the data version changes (the matcher's word
    statistics are what a search costs to set up; the names come from the knowledge layer, which
    keeps its own copy per data version)."""

    def __init__(self, names: TermNames) -> None:
        self.names = names
        self._lock = threading.Lock()
        self._matchers: dict[str, tuple[str, TermMatcher]] = {}

    def _matcher(self, kind: str) -> TermMatcher:
        version = self.names.data_version()
        held = self._matchers.get(kind)
        if held is not None and held[0] == version:
            return held[1]
        with self._lock:
            held = self._matchers.get(kind)
            if held is None or held[0] != version:
                terms = self.names.finding_names() if kind == "finding" else self.names.condition_names()
                held = self._matchers[kind] = (version, TermMatcher(terms))
            return held[1]

    def findings(self, phrase: str, limit: int = 20) -> list[Match]:
        """Findings matching a lay phrase, best first."""
        return self._matcher("finding").search(phrase, limit)

    def conditions(self, phrase: str, limit: int = 20) -> list[Match]:
        """Conditions matching a phrase (label or synonym), best first."""
        return self._matcher("condition").search(phrase, limit)
