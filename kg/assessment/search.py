"""Ranked matching of a phrase against the labels and synonyms of terms.

How it works, so its behaviour can be predicted:
1. Normalise: lower case, unify apostrophes, expand contractions ("can't" -> "can not"), drop
   punctuation, fold set phrases and phrasal verbs in any inflection onto a word ("goes away" ->
   "relieve", "put my feet up" -> "rest": `PHRASES`), fold negations onto "not" (also as typed
   without an apostrophe or with one slip: "doesnt", "dosent"; `is_negation`), a unit of walking
   distance after a count onto "walking" ("three blocks", "300m": the amount a person walks), fold lay
   word forms with the lexicon ("sore" -> "pain", "swollen" -> "swelling"), drop stop words, correct a
   likely typo in a word no label contains (closest word of any label or of the lexicon's lay words
   by rapidfuzz's normalised Indel similarity >= 0.85; never to or from a word for another part of
   the body), read a word no label holds that ends a label's compound as that
   compound ("neuropathy" for "polyneuropathy"), stem (Snowball English).
2. Read the anatomical sites the phrase and each label name (`Sites`, from the graph's part-of
   hierarchy): a label that names another place than the phrase does not match it; the same site in
   other words counts as shared; a narrower site says a wider one at `GENERALISED_SITE` of its weight.
   The domain's own site ("leg") needs saying on neither side. A phrase that names another part of
   the body matches only where it also names a site of the leg.
3. Score each label or synonym of a term: the share of the phrase's information it covers (words
   weighted by inverse document frequency over all terms, so "pain" counts little and "claudication"
   a lot; a word no label holds weighs a quarter of the commonest word, `UNKNOWN_WORD_WEIGHT`; a named
   side weighs the commonest word's) times the square root of the share of the label covered. A
   label and a phrase that disagree on negation ("relieved by rest" vs "not relieved by rest") are
   heavily penalised. A term's score is its best label's.
4. Keep terms that cover at least half of the phrase's information and score at least 0.3, best
   first; when the phrase also holds words no label knows ("sore throat"), a label must moreover be
   covered for at least `MIN_LABEL_COVER` of its information. A phrase that matches nothing returns
   nothing. (`TermSearch.elsewhere_reading` says how well a phrase reads as one of HPO's phenotypes of
   other parts of the body instead; the service uses it to return nothing for "hay fever".)
"""

from __future__ import annotations

import gc
import math
import re
import threading
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import islice
from pathlib import Path

import snowballstemmer
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from kg.assessment.lexicon import (
    CONTRACTIONS,
    ELSEWHERE_WORDS,
    IMPLIED_WORDS,
    IRREGULAR_VERBS,
    LIGHT_WORDS,
    NEGATIONS,
    PHRASES,
    SHARED_WORDS,
    STOP_WORDS,
    SYNONYM_WORDS,
)
from kg.assessment.quantities import WALKING_UNITS, is_count_word
from kg.core.records import Site
from kg.core.resources import shipped_dir
from kg.knowledge.protocols import TermNames

MIN_QUERY_COVERAGE = 0.5
MIN_SCORE = 0.3
#: Least share of a label's information a phrase must hold for the label to match it.
MIN_LABEL_COVER = 0.4
#: The weight of a word no label holds, as a share of the commonest label word's: such words are the
#: phrase's other details ("every time I go for a walk"), which must not drown the words that name a
#: finding (measured on tests/eval/phrases.json: 0.25 resolves the most phrases; see the README).
UNKNOWN_WORD_WEIGHT = 0.25
NEGATION_PENALTY = 0.35
#: What a site word counts for when it matches a label's site only through the part-of hierarchy
#: ("calf" for the "leg" of "swelling of one leg"), as a share of its weight.
GENERALISED_SITE = 0.25
MAX_PHRASE_CHARS = 500
#: How close a word must be to a label's word to be read as a typo of it (0..1, rapidfuzz `fuzz.ratio` / 100).
TYPO_SIMILARITY = 0.85
#: Shortest word read as the head of a label's compound word ("arthritis" of "osteoarthritis").
MIN_COMPOUND_HEAD = 6
#: HPO's phenotypes of other parts of the body, under the shipped ontology folder (`legpain lexicon`).
ELSEWHERE_LEXICON = Path("lexicon") / "hpo-elsewhere.tsv"
#: Least share of such a phenotype's name a phrase must say to be read as it.
ELSEWHERE_LABEL_COVER = 0.9
#: Least share of a phrase's words a phenotype elsewhere must explain for the phrase to be read there.
ELSEWHERE_MIN_READING = 0.6
#: How nearly a phrase must be a phenotype elsewhere for it to outweigh a warning sign it also matches.
ELSEWHERE_OVER_WARNING = 0.95
#: Words and window token sets a matcher memoises, each (then it forgets the older half: a bound on
#: memory).
COVER_CACHE = 50_000
_NOT = frozenset({"not"})
#: the units of `WALKING_UNITS` that measure a distance (a step is a word of its own: "first steps")
DISTANCE_UNITS = frozenset(u for u, (kind, _) in WALKING_UNITS.items() if kind == "distance") - {"step", "pace"}
_GLUED_DISTANCE = re.compile(r"\d+(?:[.,]\d+)?(?:m|km|mi|yd|yds|ft)")
DURATION_UNITS = frozenset(u for u, (kind, _) in WALKING_UNITS.items() if kind == "duration")
#: what makes a time the walking's: "an 8 minute walk", "twelve minutes of walking", "walked for 40 minutes"
_WALK_WORDS = frozenset({"walk", "walks", "walking", "walked", "stroll", "hike"})

_stemmer = snowballstemmer.stemmer("english")
_WORD = re.compile(r"[a-z0-9]+")


@lru_cache(maxsize=4096)
def _stem(word: str) -> str:
    return str(_stemmer.stemWord(word))


def raw_words(text: str) -> list[str]:
    """A text's words, lower case, contractions expanded, punctuation dropped, nothing folded."""
    text = text.lower().replace("\u2019", "'").replace("\u2018", "'").replace("&", " and ")
    for contraction, expansion in CONTRACTIONS.items():
        text = text.replace(contraction, expansion)
    return _WORD.findall(text.replace("'", ""))


@lru_cache(maxsize=4096)
def is_negation(word: str) -> bool:
    """Whether a (lower-case, raw) word negates: one of `NEGATIONS`, or a negated auxiliary typed
    without its apostrophe and with one slip ("dosent", "doesent", "dosnt", "didint"): a word of five
    letters or more ending in "nt", with the first letter of a negation of `NEGATIONS` and one letter
    more, one fewer or two swapped (rapidfuzz's optimal string alignment distance 1; a changed letter
    does not count, so "agent" is not "arent")."""
    if word in NEGATIONS:
        return True
    if len(word) < 5 or not word.endswith("nt"):
        return False
    return any(
        negation[0] == word[0]
        and (len(negation) != len(word) or sorted(negation) == sorted(word))
        and OSA.distance(word, negation, score_cutoff=1) <= 1
        for negation in _TYPED_NEGATIONS
    )


#: the negations `is_negation` reads slips of: the auxiliaries written without an apostrophe
_TYPED_NEGATIONS = tuple(sorted(n for n in NEGATIONS if len(n) >= 5 and n.endswith("nt")))


def distance_unit_at(every: Sequence[tuple[int, str]], k: int) -> bool:
    """Whether the raw word at `k` is a unit of walking distance after a count ("three blocks", "250
    m", "250m", "half a mile"): the amount a person walks, so it says walking
    (`kg.assessment.quantities.WALKING_UNITS`)."""
    word = every[k][1]
    if _GLUED_DISTANCE.fullmatch(word):
        return True
    unit = word[:-1] if word.endswith("s") and word[:-1] in DISTANCE_UNITS else word
    if unit not in DISTANCE_UNITS or k == 0:
        return False
    before = every[k - 1][1]
    if before in ("a", "an") and k > 1 and every[k - 2][1] == "half":
        return True
    return before.isdigit() or (is_count_word(before) and unit != "m")


def walking_time_at(every: Sequence[tuple[int, str]], k: int) -> bool:
    """Whether the raw word at `k` is a unit of time after a count that says how long the person
    walked: followed by a walk ("an 8 minute walk", "twelve minutes of walking"), or after "walking" or
    "walking for" ("walked 35 minutes", "once I have walked for 40 minutes"). Such a time is the amount
    walked, so it says walking, as a distance does (`distance_unit_at`); any other time ("rest for 2
    minutes") stays a time."""
    word = every[k][1]
    unit = word[:-1] if word.endswith("s") and word[:-1] in DURATION_UNITS else word
    if unit not in DURATION_UNITS or k == 0:
        return False
    if not is_count_word(every[k - 1][1]):
        return False
    after = [w for _, w in every[k + 1 : k + 3]]
    if (after[:1] and after[0] in _WALK_WORDS) or after[:2] == ["of", "walking"]:
        return True
    if k >= 2 and every[k - 2][1] in _WALK_WORDS:  # "walked 35 minutes", "walking 45 mins"
        return True
    return any(w in _WALK_WORDS for _, w in every[max(0, k - 4) : k - 1]) and any(
        w == "for" for _, w in every[max(0, k - 3) : k - 1]
    )


def fold(groups: Sequence[Sequence[str]]) -> list[list[str]]:
    """The meaningful words of each group of raw words (a phrase's words, or a text's tokens), folded
    with the lexicon: any negation to "not" (`is_negation`), a phrase to its word ("goes away" ->
    "relieve", matched across groups, the folded word kept in the phrase's first group; see
    `PHRASES`), a unit of walking distance after a count to "walking" (`distance_unit_at`), and so a
    time the person walked (`walking_time_at`), each other
    word by `SYNONYM_WORDS`; stop words dropped."""
    every = [(i, w) for i, ws in enumerate(groups) for w in ws]
    out: list[list[str]] = [[] for _ in groups]
    k = 0
    while k < len(every):
        group, word = every[k]
        said, used = _phrase_at(every, k)
        if said is not None:
            out[group].extend(said.split())
            k += used
            continue
        k += 1
        if is_negation(word):
            out[group].append("not")
        elif distance_unit_at(every, k - 1) or walking_time_at(every, k - 1):
            out[group].append("walking")
        elif word not in STOP_WORDS:
            word = SYNONYM_WORDS.get(word, word)
            if word not in STOP_WORDS:
                out[group].extend(word.split())  # "afebrile" -> "not fever"
    return out


def _phrase_at(every: Sequence[tuple[int, str]], k: int) -> tuple[str | None, int]:
    """The phrase that starts at word `k`, and how many words it takes: word for word first (a phrase
    of stop words, "on foot"), then over stop words ("put my feet up")."""
    if every[k][1] not in _PHRASE_STARTS:
        return None, 0
    for n in (5, 4, 3, 2):
        said = _PHRASES.get(tuple(w for _, w in every[k : k + n]))
        if said is not None:
            return said, n
    # over stop words after the first word ("put my feet up", "can not catch my breath")
    meaningful = [k] + [j for j in range(k + 1, min(len(every), k + 6)) if every[j][1] not in STOP_WORDS]
    for n in (5, 4, 3, 2):
        said = _PHRASES.get(tuple(every[j][1] for j in meaningful[:n])) if len(meaningful) >= n else None
        if said is not None:
            return said, meaningful[n - 1] - k + 1
    return None, 0


def words(text: str) -> list[str]:
    """The meaningful words of a phrase, lexicon-folded but not stemmed ("not" for any negation)."""
    return fold([raw_words(text)])[0]


def inflections(verb: str) -> set[str]:
    """A verb's forms: the regular ones by rule and the lexicon's irregular ones (`IRREGULAR_VERBS`)."""
    forms = {verb, verb + "s", verb + "es", verb + "ed", verb + "ing", *IRREGULAR_VERBS.get(verb, ())}
    if verb.endswith("e"):
        forms |= {verb + "d", verb[:-1] + "ing"}
    return forms


#: `PHRASES` by every inflection of its first word, as word tuples
_PHRASES: dict[tuple[str, ...], str] = {
    (form, *rest): said
    for phrase, said in PHRASES.items()
    for first, *rest in [phrase.split()]
    for form in inflections(first)
}
_PHRASE_STARTS = frozenset(words[0] for words in _PHRASES)


def normalize(text: str) -> tuple[str, ...]:
    """The meaningful, stemmed tokens of a phrase, in order (see the module docstring)."""
    return tuple(_stem(w) for w in words(text))


@dataclass(frozen=True)
class Match:
    """A term that matched a phrase, with its score (0..1) and the label or synonym that matched."""

    iri: str
    score: float
    matched: str


@dataclass(frozen=True)
class _SiteSaid:
    """An anatomical site some tokens name, with those tokens."""

    iri: str
    tokens: frozenset[str]


class Sites:
    """The anatomical sites phrases name, by their names' tokens, with the part-of hierarchy: what lets
    a phrase's site go up to a label's wider one ("calf swollen" is a swollen leg) and keeps a label
    that names another place from matching ("legs cramp" is not calf cramping)."""

    def __init__(self, sites: Mapping[str, Site]) -> None:
        named = {(normalize(n), s.iri) for s in sites.values() for n in (s.label, *s.synonyms)}
        owners = Counter(tokens for tokens, _ in named)
        # longest names first, so "bottom of the foot" is the sole, not a buttock ("bottom") and a
        # foot; a name two sites share tells neither
        names = sorted(((t, iri) for t, iri in named if t and owners[t] == 1), key=lambda n: (-len(n[0]), n))
        self._wider = {s.iri: s.wider for s in sites.values()}
        #: the names by their first token, longest first (what `said` tries at each token)
        self._by_first: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        for name, iri in names:
            self._by_first.setdefault(name[0], []).append((name, iri))
        self._fits: dict[tuple[tuple[_SiteSaid, ...], tuple[_SiteSaid, ...]], _SiteFit | None] = {}

    def said(self, tokens: Sequence[str]) -> tuple[_SiteSaid, ...]:
        """The sites a run of tokens names, each name's tokens in its own order and next to each other
        ("back of the lower leg" is the calf; "lower back ... leg" is not), longest names first, each
        token naming one site at most (the longest name that starts at a token wins)."""
        found: list[_SiteSaid] = []
        k = 0
        while k < len(tokens):
            for name, iri in self._by_first.get(tokens[k], ()):
                if tuple(tokens[k : k + len(name)]) == name:
                    found.append(_SiteSaid(iri, frozenset(name)))
                    k += len(name) - 1
                    break
            k += 1
        return tuple(found)

    def within(self, site: str, wider: str) -> bool:
        """Whether a site is, or is part of, another."""
        return site == wider or wider in self._wider.get(site, frozenset())

    def fit(self, query: tuple[_SiteSaid, ...], label: tuple[_SiteSaid, ...]) -> _SiteFit | None:
        """How a label's sites fit a phrase's: None when they name different places (a site of the
        phrase that no label site holds, and a site of the label the phrase does not say); else the
        site tokens of each side that the other says, the same site in other words ("arch of the
        foot" for "bottom of the foot") or a narrower one ("calf" says the "leg" of "leg pain")."""
        if not query or not label:
            return _NO_FIT
        key = (query, label)
        if key in self._fits:
            return self._fits[key]
        if len(self._fits) >= COVER_CACHE:
            self._fits.clear()
        fit = self._fits[key] = self._fit(query, label)
        return fit

    def _fit(self, query: tuple[_SiteSaid, ...], label: tuple[_SiteSaid, ...]) -> _SiteFit | None:
        unexplained = [q for q in query if not any(self.within(q.iri, s.iri) for s in label)]
        unsaid = [s for s in label if not any(self.within(q.iri, s.iri) for q in query)]
        if unexplained and unsaid:
            return None
        same: set[str] = set()
        narrower: set[str] = set()
        for s in label:
            for q in query:
                if self.within(q.iri, s.iri):
                    (same if q.iri == s.iri else narrower).update(s.tokens | q.tokens)
        return _SiteFit(frozenset(same), frozenset(narrower - same))


@dataclass(frozen=True)
class _SiteFit:
    """The site tokens a label and a phrase share through the sites they name: the same site in other
    words (counted in full) and a narrower site of a wider one (counted at `GENERALISED_SITE`)."""

    same: frozenset[str] = frozenset()
    narrower: frozenset[str] = frozenset()


_NO_FIT = _SiteFit()
_NO_SITES = Sites({})


class TermMatcher:
    """Search over terms, each known by a label and synonyms (and the anatomical sites, whose part-of
    hierarchy a phrase's site goes up). Built once; `search` is read-only."""

    def __init__(
        self, terms: Mapping[str, Iterable[str]], sites: Sites = _NO_SITES, correct_typos: bool = True
    ) -> None:
        self._sites = sites
        self._correct_typos = correct_typos
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
        # a typo is corrected to a word of a label or to a lay word the lexicon folds ("dissapears")
        self._raw_words = sorted(
            {w for labels in terms.values() for label in labels for w in words(label)}
            | set(SYNONYM_WORDS)
            | ELSEWHERE_WORDS
        )
        n = max(len(terms), 1)
        self._idf = {t: math.log(1 + n / df) for t, df in doc_freq.items()}
        # a named side says which leg, not what is wrong with it: it weighs what the commonest word does
        for light in normalize(" ".join(LIGHT_WORDS)):
            if light in self._idf:
                self._idf[light] = min(self._idf.values())
        self._unknown_idf = UNKNOWN_WORD_WEIGHT * min(self._idf.values(), default=1.0)
        self._vocabulary = sorted(self._idf)
        self._tokens: dict[str, str] = {}
        self._splits: dict[str, tuple[str, ...]] = {}
        self._raw_word_set = frozenset(w for w in self._raw_words if w not in ELSEWHERE_WORDS)
        self._label_words = sorted({w for labels in terms.values() for label in labels for w in words(label)})
        self._covers: dict[tuple[frozenset[str] | tuple[str, ...], float, float, frozenset[str]], list[Cover]] = {}
        self._by_token: dict[str, list[int]] = {}
        for i, (_, _, tokens) in enumerate(self._variants):
            for token in tokens:
                self._by_token.setdefault(token, []).append(i)
        #: each variant's information (the IDF of its tokens), the denominator of its label cover
        self._information = [self._weight(tokens) for _, _, tokens in self._variants]
        self._variant_sites = [sites.said(normalize(label)) for _, label, _ in self._variants]
        #: the weight of each variant's site tokens: the most a site said in other words can add
        self._site_weight = [self._weight({t for s in ss for t in s.tokens}) for ss in self._variant_sites]
        self._implied = frozenset(normalize(" ".join(IMPLIED_WORDS)))
        self._elsewhere = frozenset(_stem(w) for w in ELSEWHERE_WORDS)
        self._shared_words = frozenset(normalize(" ".join(SHARED_WORDS)))

    def _weight(self, tokens: Iterable[str]) -> float:
        return sum(self._idf.get(t, self._unknown_idf) for t in tokens)

    def _shared(self, shared: frozenset[str], fit: _SiteFit, side: frozenset[str]) -> float:
        """The weight of the tokens of one side (the label's or the phrase's) that the other says: the
        tokens they share, the site tokens of the same site said in other words, and
        `GENERALISED_SITE` of those that match only through the part-of hierarchy (a knee is part of
        the leg, but "knee pain" says more of "my knee aches" than "leg pain" does)."""
        same = (fit.same & side) | shared
        return self._weight(same) + GENERALISED_SITE * self._weight((fit.narrower & side) - same)

    def token(self, word: str) -> str:
        """The stem of a (lexicon-folded) word, or of the closest word of any label when it looks like a
        typo: rapidfuzz's normalised Indel similarity of at least `TYPO_SIMILARITY`, for words of five
        letters or more that no label contains. Memoised per matcher (the vocabulary is fixed)."""
        known = self._tokens.get(word)
        if known is None:
            if len(self._tokens) >= COVER_CACHE:  # words come from requests: a bound on memory
                self._tokens.clear()
            known = self._tokens[word] = self._correct(word)
        return known

    def tokens(self, word: str) -> tuple[str, ...]:
        """`token`, or the two tokens of two label words run together ("restpain", "calfcramps"):
        a word no label holds and that is no typo of one, split where both halves (three letters or
        more) are words of the labels or of the lexicon, else where one is and the other (six letters
        or more: "heart" is no typo of "heat" in "heartburn") is a typo of one ("shinsplits").
        Memoised per matcher."""
        single = self.token(word)
        if single in self._idf or len(word) < 6 or not self._correct_typos:
            return (single,)
        split = self._splits.get(word)
        if split is None:
            if len(self._splits) >= COVER_CACHE:
                self._splits.clear()
            halves = [
                (word[:i], word[i:])
                for i in range(3, len(word) - 2)
                if word[:i] in self._raw_word_set and word[i:] in self._raw_word_set
            ]
            if not halves:  # one half a word, the other a typo of one ("shinsplits")
                halves = [
                    (word[:i], word[i:])
                    for i in range(3, len(word) - 2)
                    if (word[:i] in self._raw_word_set and len(word) - i >= 6 and self.token(word[i:]) in self._idf)
                    or (word[i:] in self._raw_word_set and i >= 6 and self.token(word[:i]) in self._idf)
                ]
            left, right = max(halves, key=lambda h: min(len(h[0]), len(h[1])), default=("", ""))
            split = self._splits[word] = (
                (self.token(SYNONYM_WORDS.get(left, left)), self.token(SYNONYM_WORDS.get(right, right)))
                if left
                else (single,)
            )
        return split

    def _correct(self, word: str) -> str:
        stem = _stem(word)
        if stem in self._idf or len(word) < 5 or word == "not" or not self._correct_typos:
            return stem
        close = process.extractOne(word, self._raw_words, scorer=fuzz.ratio, score_cutoff=100 * TYPO_SIMILARITY)
        if close is None:
            head = self._compound_of(word)
            return _stem(head) if head else stem
        if close[0] in ELSEWHERE_WORDS:  # a word elsewhere is known, never a correction
            return stem
        return _stem(SYNONYM_WORDS.get(close[0], close[0]))

    def _compound_of(self, word: str) -> str | None:
        """The label word that is this word with a combining form before it, when the word is the
        compound's head: "arthritis" says the "osteoarthritis" of the labels, "neuropathy" a
        "polyneuropathy" (a word of `MIN_COMPOUND_HEAD` letters or more, the form before it of three
        or more; the shortest such compound wins). A medical compound names a kind of its head, and a
        head no label holds on its own is best read as the graph's kind of it."""
        if len(word) < MIN_COMPOUND_HEAD:
            return None
        compounds = [w for w in self._label_words if len(w) >= len(word) + 3 and w.endswith(word)]
        return min(compounds, key=lambda w: (len(w), w), default=None)

    def search(self, phrase: str, limit: int = 20) -> list[Match]:
        """Terms matching the phrase, best first; empty when nothing matches well enough."""
        ordered = tuple(t for w in words(phrase[:MAX_PHRASE_CHARS]) for t in self.tokens(w))
        return self.match(frozenset(ordered), limit, ordered)

    def clause_context(self, tokens: Iterable[str]) -> frozenset[str]:
        """The tokens of a part of a clause that it says for the clause's other parts too
        (`SHARED_WORDS`: "my toes throb, even on the sofa" is pain at rest)."""
        return self._shared_words.intersection(tokens)

    def elsewhere(self, tokens: Iterable[str]) -> bool:
        """Whether tokens name a part of the body outside the leg (`ELSEWHERE_WORDS`)."""
        return not self._elsewhere.isdisjoint(tokens)

    def known(self, token: str) -> bool:
        """Whether some label holds this token."""
        return token in self._idf

    def covers(
        self,
        query: frozenset[str],
        min_label_cover: float,
        min_query_cover: float,
        implied: frozenset[str] = frozenset(),
        ordered: tuple[str, ...] = (),
    ) -> list[Cover]:
        """Each term's best label that the tokens of a window of text explain to at least
        `min_label_cover` and that explains at least `min_query_cover` of the window's tokens that some
        label holds. A negation in the window is the text's business (its context decides,
        `kg.assessment.text`), except for a label that holds a negation itself ("pain not relieved by
        rest"): that one needs the negation in the window. `implied` are tokens the window's context
        says for it (a clause's "pain" for each of its findings), which, like the domain's own site, go
        without saying. `ordered` are the window's tokens in order, which the sites it names are read
        from (in their absence, the tokens sorted). Memoised per window (a text's windows repeat them;
        the vocabulary is fixed)."""
        key = (ordered or query, min_label_cover, min_query_cover, implied)
        found = self._covers.get(key)
        if found is None:
            sites = self._sites.said(ordered or sorted(query))
            found = self._covers_of(query, min_label_cover, min_query_cover, self._implied | implied, sites)
            if len(self._covers) >= COVER_CACHE:  # the older half goes: what texts repeat stays
                for old in list(islice(self._covers, COVER_CACHE // 2)):
                    del self._covers[old]
            self._covers[key] = found
        return found

    def _covers_of(
        self,
        query: frozenset[str],
        min_label_cover: float,
        min_query_cover: float,
        implied: frozenset[str],
        query_sites: tuple[_SiteSaid, ...],
    ) -> list[Cover]:
        # words no label holds are the text's other content, not part of what a label explains
        known = self._weight(w for w in query if w in self._idf and w != "not")
        known_with_not = known + (self._idf.get("not", 0.0) if "not" in query else 0.0)
        said_known = {
            False: frozenset(w for w in query - _NOT if w in self._idf),
            True: frozenset(w for w in query if w in self._idf),
        }
        best: dict[str, Cover] = {}
        # what each label shares with the window, summed token by token: with the most its sites and
        # unsaid words could add, a bound that rules most labels out before any set is built
        shared_by: dict[int, float] = {}
        for token in query - _NOT:
            weight = self._idf.get(token, 0.0)
            for i in self._by_token.get(token, ()):
                shared_by[i] = shared_by.get(i, 0.0) + weight
        if "not" in query:
            for i in self._by_token.get("not", ()):
                shared_by.setdefault(i, 0.0)
        for i, shared_bound in shared_by.items():
            iri, label, tokens = self._variants[i]
            negated_label = "not" in tokens
            if negated_label and "not" not in query:
                continue
            if not negated_label:
                unsaid_most = self._weight(tokens & implied) if implied & tokens else 0.0
                room = self._information[i] - unsaid_most
                if room > 0 and (shared_bound + self._site_weight[i] + unsaid_most) / room < min_label_cover:
                    continue
            query_weight = known_with_not if negated_label else known
            shared = (query if negated_label else query - _NOT) & tokens
            if not query_weight or shared <= _NOT:
                continue
            fit = self._sites.fit(query_sites, self._variant_sites[i]) if query_sites else _NO_FIT
            if fit is None:  # the label names another place
                continue
            through_sites = bool(fit.same or fit.narrower)
            shared_weight = self._shared(shared, fit, tokens) if through_sites else self._weight(shared)
            # the domain's own site ("leg") goes without saying, "swelling" covers "leg swelling", when
            # what is said weighs at least as much as what is left unsaid ("pain" alone is not leg pain)
            unsaid_tokens = tokens & implied - shared
            unsaid = self._weight(unsaid_tokens - fit.same - fit.narrower) if unsaid_tokens else 0.0
            information = self._information[i] - (unsaid if shared_weight >= unsaid else 0.0)
            label_cover = shared_weight / information
            if label_cover < min_label_cover:
                continue
            query_shared = self._shared(shared, fit, said_known[negated_label]) if through_sites else shared_weight
            query_cover = min(1.0, query_shared / query_weight)
            if query_cover < min_query_cover:
                continue
            cover = Cover(
                iri,
                label,
                round(label_cover, 4),
                round(query_cover, 4),
                round(shared_weight, 4),
                negated_label,
                bool(query_sites),
                bool(self._variant_sites[i]),
            )
            held = best.get(iri)
            if held is None or (cover.information, cover.label_cover) > (held.information, held.label_cover):
                best[iri] = cover
        return list(best.values())

    def match(self, query: frozenset[str], limit: int = 20, ordered: Sequence[str] = ()) -> list[Match]:
        """Terms matching a set of tokens (`token` of each word), best first (see the module docstring);
        `ordered`, the same tokens in the phrase's order, is what the sites it names are read from."""
        if not query or limit <= 0:
            return []
        query_weight = self._weight(query)
        negated = "not" in query
        # a phrase that also says things no label knows ("sore throat") must name most of a label
        floor = MIN_LABEL_COVER if any(token not in self._idf for token in query) else 0.0
        best: dict[str, Match] = {}
        candidates = {i for t in query for i in self._by_token.get(t, ())}
        query_sites = self._sites.said(ordered or sorted(query))
        # a phrase about another part of the body matches only where it also names a site of the leg
        elsewhere = self.elsewhere(query)
        for i in candidates:
            iri, label, tokens = self._variants[i]
            shared = query & tokens
            if shared == {"not"}:
                continue
            fit = self._sites.fit(query_sites, self._variant_sites[i])
            if fit is None or (elsewhere and not query_sites):  # the label names another place
                continue
            # the domain's own site ("leg") said in the phrase needs no label to say it, as a label's
            # needs no phrase to (`covers`)
            spare = self._weight(query & self._implied - shared - fit.same - fit.narrower)
            query_cover = min(1.0, self._shared(shared, fit, query) / max(query_weight - spare, 1e-9))
            if query_cover < MIN_QUERY_COVERAGE:
                continue
            label_shared = self._shared(shared, fit, tokens)
            unsaid = self._weight(tokens & self._implied - shared - fit.same - fit.narrower)
            label_cover = label_shared / (self._information[i] - (unsaid if label_shared >= unsaid else 0.0))
            if label_cover < floor:
                continue
            score = query_cover * math.sqrt(label_cover)
            if negated != ("not" in tokens):
                score *= NEGATION_PENALTY
            if score >= MIN_SCORE and (iri not in best or score > best[iri].score):
                best[iri] = Match(iri, round(score, 4), label)
        return sorted(best.values(), key=lambda m: (-m.score, len(m.matched), m.iri))[:limit]


@dataclass(frozen=True)
class Cover:
    """How one label and a window of text explain each other: the share of the label's information
    the window holds, the share of the window's information the label holds, and the label's
    information itself (its words' IDF): what a text reader ranks readings by."""

    iri: str
    label: str
    label_cover: float
    query_cover: float
    information: float
    #: the label holds a negation of its own (a "not" inside a finding's meaning, lp:PainNotRelievedByRest)
    negated: bool = False
    #: the window names a site of the graph (one that fits the label's, if it names one)
    site_said: bool = False
    #: the label names a site
    sited: bool = False


def elsewhere_names(path: Path | None = None) -> dict[str, tuple[str, ...]]:
    """HPO's phenotypes of other parts of the body by id, each with its names (`ELSEWHERE_LEXICON`,
    generated by `legpain lexicon`); none when the file is missing."""
    path = path or shipped_dir("ontology") / ELSEWHERE_LEXICON
    names: dict[str, list[str]] = {}
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines()[1:]:
            term, sep, name = line.partition("\t")
            if sep and not term.startswith("#") and term != "hpo_id":
                names.setdefault(term, []).append(name)
    return {term: tuple(n) for term, n in names.items()}


class TermSearch:
    """Phrase search over the findings and the conditions that a `TermNames` names: one `TermMatcher`
    per kind, built on first use and again when the data version changes (the matcher's word
    statistics are what a search costs to set up; the names come from the knowledge layer, which
    keeps its own copy per data version). Beside them, a matcher of HPO's phenotypes of other parts of
    the body (`elsewhere`), which does not change with the data."""

    def __init__(self, names: TermNames, elsewhere: Mapping[str, Iterable[str]] | None = None) -> None:
        self.names = names
        self._lock = threading.Lock()
        self._matchers: dict[str, tuple[str, TermMatcher]] = {}
        self._elsewhere_names = elsewhere
        self._elsewhere: TermMatcher | None = None

    def elsewhere(self) -> TermMatcher:
        """The matcher of complaints elsewhere in the body (HPO's phenotypes outside the leg), built on
        first use, without typo correction (a typo is read as the graph's own word or not at all)."""
        if self._elsewhere is None:
            with self._lock:
                if self._elsewhere is None:
                    names = elsewhere_names() if self._elsewhere_names is None else self._elsewhere_names
                    self._elsewhere = TermMatcher(names, correct_typos=False)
                    # its tens of thousands of objects live as long as the process: out of the
                    # collector's reach, so a full collection does not walk them on a request
                    gc.freeze()
        return self._elsewhere

    def elsewhere_reading(self, phrase: str) -> float:
        """How well a phrase reads as a complaint elsewhere in the body (0 to 1): the share of its
        words that one of HPO's phenotypes outside the leg explains, among the phenotypes whose name it
        says nearly whole (at least `ELSEWHERE_LABEL_COVER`: "hay fever", "bad breath", not "eyelid
        spasm" for a cramp). 0 for a phrase in the graph's own words: a phrase that holds no word a
        finding label lacks is never elsewhere."""
        findings = self.matcher("finding")
        folded = words(phrase[:MAX_PHRASE_CHARS])
        if all(findings.known(findings.token(w)) or w == "not" for w in folded):
            return 0.0
        elsewhere = self.elsewhere()
        ordered = tuple(elsewhere.token(w) for w in folded)
        covers = elsewhere.covers(frozenset(ordered), ELSEWHERE_LABEL_COVER, 0.0, ordered=ordered)
        return max((c.query_cover for c in covers), default=0.0)

    def matcher(self, kind: str) -> TermMatcher:
        """The matcher of `finding`s, `condition`s or `risk factor`s for the current data version."""
        version = self.names.data_version()
        held = self._matchers.get(kind)
        if held is not None and held[0] == version:
            return held[1]
        with self._lock:
            held = self._matchers.get(kind)
            if held is None or held[0] != version:
                terms = {
                    "finding": self.names.finding_names,
                    "condition": self.names.condition_names,
                    "risk factor": self.names.risk_factor_names,
                }[kind]()
                held = self._matchers[kind] = (version, TermMatcher(terms, Sites(self.names.sites())))
                gc.freeze()
            return held[1]

    def findings(self, phrase: str, limit: int = 20) -> list[Match]:
        """Findings matching a lay phrase, best first."""
        return self.matcher("finding").search(phrase, limit)

    def conditions(self, phrase: str, limit: int = 20) -> list[Match]:
        """Conditions matching a phrase (label or synonym), best first."""
        return self.matcher("condition").search(phrase, limit)
