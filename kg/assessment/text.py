"""Reading free text: the findings and conditions a person's sentences state, each with its polarity.

How a text is read, so its behaviour can be predicted:

1. **Clauses.** spaCy's tokenizer (a blank English pipeline: no model, nothing downloaded) splits the
   text into words; sentences end at `.`, `!`, `?`, and a sentence is cut into clauses at `;`, `:`,
   dashes and brackets and at the words that turn a sentence (`but`, `although`, `though`, `however`,
   `except`, `whereas`, `yet`, `otherwise`). Commas do not cut: they join lists ("no numbness,
   tingling or swelling" negates all three). A mention never spans two clauses.
2. **Mentions.** Every window of up to `MAX_WINDOW` words inside a clause is matched against the labels
   and synonyms of the findings and conditions, with the same normalisation as phrase search
   (`kg.assessment.search`: lay word forms, stems, typos). A window must start and end on a word that
   carries meaning, hold at least `MIN_LABEL_COVER` of a label's information and be explained by it
   for at least `MIN_WINDOW_COVER` of its own; sites go up the part-of hierarchy and never to another
   place (`kg.assessment.search.Sites`); a comma-separated part that names only a situation borrows
   the clause's pain (`SHARED_WORDS`). The readings that explain the most of a label (the most
   specific) are kept first, then the tighter ones, none overlapping another; each then stretches
   over the words right after it that only repeat it, and back over the words right before it that only
   name a side ("my left calf cramps"). A finding that is a more general kind of
   another one found in the same clause is dropped (the specific one says more). In a clause that
   names a part of the body outside the leg, a reading needs a leg site in its words unless it is a
   site-less warning sign; a reading inside a run of words that names one of HPO's phenotypes of
   other parts of the body ("hay fever") is dropped, a warning sign only when the run is that
   phenotype nearly word for word.
3. **Measurements and comparisons.** A body temperature the text states ("38.5C", "temp of 101") is a
   mention of each finding with a temperature threshold in the graph (`lp:minimumBodyTemperature`: a
   fever from 38.0 degrees Celsius): present at or above it, absent below
   (`kg.assessment.quantities`). A sentence that compares walking distances over time is the
   shrinking walking distance, the rapid kind within `lp:maximumPeriodDays`
   (`kg.assessment.comparisons`), read as the patient's present.
4. **Context.** medspaCy's ConText decides, per mention, whether it is negated ("no swelling"),
   possible ("might be", "worried it's"), historical ("years ago"), hypothetical or about someone else
   ("my mother had"). Its rules are medspaCy's defaults plus terminations at the clause boundaries
   above, so "no numbness or swelling; calf cramps when I walk" negates the first two findings only
   (by default ConText lets a negation run across `;`), at a spaced dash and at "and" with a new
   subject. A negation word inside the words a finding itself was matched on ("pain that doesn't ease
   with rest") is part of that finding, not a negation of it; the negation of a set phrase ("can't
   feel") and a negated verb with "without" ("can't walk far without my calf cramping") are
   pseudo-negations.
5. **What was not understood.** Every run of words outside the mentions that holds a word carrying
   meaning is returned as unrecognised, word for word; nothing is dropped silently.

A finding mention counts as reported present when it is affirmed, about the patient, current and not
hypothetical; reported absent when it is negated the same way; possible and historical mentions are
returned but count as neither.
"""

from __future__ import annotations

import dataclasses
import re
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from itertools import accumulate
from typing import Any

from kg.assessment.comparisons import Shrinking, shrinkings
from kg.assessment.lexicon import LIGHT_WORDS, PHRASES, STOP_WORDS
from kg.assessment.patient import Sex, stated_age_and_sex
from kg.assessment.quantities import is_count_word, temperatures
from kg.assessment.search import (
    ELSEWHERE_LABEL_COVER,
    ELSEWHERE_MIN_READING,
    ELSEWHERE_OVER_WARNING,
    TermMatcher,
    TermSearch,
    fold,
    inflections,
    is_negation,
    normalize,
    raw_words,
)
from kg.core.records import Finding, RiskFactor

#: Longest window of words a mention is matched in.
MAX_WINDOW = 8
#: Least share of a label's information (IDF-weighted words) a window must hold to be a mention of it.
MIN_LABEL_COVER = 0.75
#: Least share of a window's information its label must explain (the rest is other words of the clause).
MIN_WINDOW_COVER = 0.5
#: Longest text read (characters); a longer one is refused, not cut.
MAX_TEXT_CHARS = 4_000

#: Words that end a clause (and so a negation's scope) inside a sentence.
CLAUSE_WORDS = frozenset("but although though however except whereas yet otherwise".split())
#: Words that turn a text to the present: they end a modifier's scope (ConText `TERMINATE`) without
#: ending the clause ("history of a swollen leg, now acute breathlessness").
PRESENT_WORDS = ("now", "currently", "today", "this morning", "tonight", "since yesterday")
#: Words after a finding that put it in the past (ConText `HISTORICAL`, looking back).
PAST_AFTER = ("ago", "in the past", "as a child", "last year", "years back")
_CLAUSE_PUNCT = frozenset(";:()\u2013\u2014")
_SENTENCE_END = re.compile(r"^[.!?]+$")


class TextTooLongError(ValueError):
    """A text longer than `MAX_TEXT_CHARS`."""


class Certainty(StrEnum):
    """How sure the text is of a mention (the contract's `Certainty`)."""

    AFFIRMED = "affirmed"
    NEGATED = "negated"
    POSSIBLE = "possible"


class MentionKind(StrEnum):
    FINDING = "finding"
    CONDITION = "condition"
    RISK_FACTOR = "risk factor"


@dataclass(frozen=True)
class Mention:
    """One thing a text states: which term, where, and how."""

    iri: str
    kind: MentionKind
    certainty: Certainty
    #: the text says it happened in the past ("had a knee operation in 2019")
    historical: bool
    #: about someone else ("my mother had a clot") or hypothetical ("if it swells")
    not_the_patient: bool
    text: str
    start: int
    end: int
    score: float

    @property
    def present(self) -> bool:
        """False when negated (the contract's `Mention.present`)."""
        return self.certainty is not Certainty.NEGATED

    @property
    def counts(self) -> bool:
        """Whether the mention is evidence about the patient now: affirmed or negated, current, theirs."""
        return self.certainty is not Certainty.POSSIBLE and not self.historical and not self.not_the_patient


@dataclass(frozen=True)
class Interpretation:
    """What a text states: its mentions in text order, and the parts that named nothing known."""

    mentions: tuple[Mention, ...]
    unrecognized: tuple[str, ...]
    #: the writer's age and sex, where the text states them (`kg.assessment.patient`)
    age: int | None = None
    sex: Sex | None = None

    def risk_factors(self, present: bool) -> list[str]:
        """The IRIs of the risk factors the text says the person has (or has not), once each: an age
        gives its age risk factors, a past condition its history risk factor ("had a clot in 2019")."""
        return list(
            dict.fromkeys(
                m.iri for m in self.mentions if m.kind is MentionKind.RISK_FACTOR and m.counts and m.present is present
            )
        )

    def findings(self, present: bool) -> list[str]:
        """The IRIs of the findings that count as reported present (or absent), in text order, once each."""
        return list(
            dict.fromkeys(
                m.iri for m in self.mentions if m.kind is MentionKind.FINDING and m.counts and m.present is present
            )
        )


@dataclass(frozen=True)
class _Candidate:
    kind: MentionKind
    iri: str
    score: float
    information: float
    first: int  # token indices, inclusive / exclusive
    last: int
    #: the label read holds a negation of its own (a "not" inside a finding's meaning, lp:PainNotRelievedByRest)
    inner_negation: bool
    #: read as absent whatever the context says (a measured temperature below the finding's threshold)
    absent: bool = False
    #: a comparison over time: its words about the past are part of it, not a past finding
    over_time: bool = False
    #: other token ranges the reading rests on (a comparison's amounts and period): understood, not
    #: left over
    parts: tuple[tuple[int, int], ...] = ()
    #: the tokens of the label read
    said: frozenset[str] = frozenset()


@dataclass(frozen=True)
class _Measures:
    """What the graph says measurements and comparisons are, for one data version."""

    version: str
    #: finding IRI -> the body temperature (Celsius) from which a measured one is the finding
    temperatures: dict[str, float]
    #: finding IRI -> (the longest period in days a shrinking of the walking distance is it over, the
    #: general findings it is a kind of)
    periods: dict[str, tuple[float, tuple[str, ...]]]


#: Looks up finding records by IRI (`kg.knowledge.protocols.TermReader.findings`).
FindingLookup = Callable[[Iterable[str]], Mapping[str, Finding]]
#: Every risk factor by IRI (`kg.knowledge.protocols.TermReader.risk_factors` of all of them).
RiskFactorTable = Callable[[], Mapping[str, RiskFactor]]

#: Words before a condition in its clause, or after it, that say the person had it in the past ("had
#: a clot in my leg", "previous DVT", "a DVT in 2019"): it is then the condition's history risk
#: factor, and the condition itself is not current.
HISTORY_BEFORE = frozenset("had previous previously prior history hx past old former".split())
HISTORY_AFTER = frozenset("ago before previously".split())
_YEAR = re.compile(r"^(?:19|20)\d\d$")


class TextReader:
    """Reads texts with the matchers of a `TermSearch` (so phrase search and text reading share one
    vocabulary, per data version) and drops general findings in favour of specific ones."""

    def __init__(
        self,
        search: TermSearch,
        findings: FindingLookup,
        every_finding: Callable[[], list[str]],
        risk_factors: RiskFactorTable | None = None,
    ) -> None:
        self.search = search
        self.findings = findings
        self.every_finding = every_finding
        self.risk_factors = risk_factors or dict
        self._measured = _Measures("", {}, {})
        self._nlp: Any = None  # built on the first read: a process that reads no text never imports spaCy
        self._lock = threading.Lock()  # a spaCy pipeline is not documented as thread-safe

    def read(self, text: str) -> Interpretation:
        """The mentions and unrecognised parts of a text (see the module docstring)."""
        if len(text) > MAX_TEXT_CHARS:
            raise TextTooLongError(f"the text is {len(text)} characters long; at most {MAX_TEXT_CHARS} are read")
        matchers = {
            MentionKind.FINDING: self.search.matcher("finding"),
            MentionKind.CONDITION: self.search.matcher("condition"),
            MentionKind.RISK_FACTOR: self.search.matcher("risk factor"),
        }
        # the pipeline's own steps (tokenizing, ConText) run one text at a time; matching the windows,
        # most of the work, reads only this text's Doc and runs beside other requests
        with self._lock:
            if self._nlp is None:
                self._nlp = _pipeline()
            doc = self._nlp.make_doc(text)
        clauses = _clauses(doc)
        measured = self._measurements(doc, text)
        # each clause's raw words per token, and the same folded with the lexicon
        # (`kg.assessment.search.fold`): read once, used by every step below
        raws = [[raw_words(token.norm_) for token in doc[first:last]] for first, last in clauses]
        folds = [fold(raw) for raw in raws]
        chosen: list[_Candidate] = []
        for (first, last), raw, folded in zip(clauses, raws, folds, strict=True):
            found = self._clause_mentions(doc, first, raw, folded, matchers)
            chosen += found + [m for m in measured if first <= m.first < last and not _overlaps(m, found)]
        chosen = self._with_comparisons(doc, text, chosen)
        person = stated_age_and_sex(text)
        spans = [doc.char_span(a, b, alignment_mode="expand") for a, b in person.spans]
        said = [(span.start, span.end) for span in spans if span is not None]
        chosen = [c for c in chosen if not any(a < c.last and c.first < b for a, b in said)]
        unrecognized = [
            u
            for (first, last), folded in zip(clauses, folds, strict=True)
            for u in _left_over(doc, first, last, chosen, folded, said)
        ]
        with self._lock:
            mentions = self._context(doc, chosen)
        mentions = self._histories(doc, clauses, mentions) + self._ages(doc, said, person.age)
        return Interpretation(
            tuple(sorted(mentions, key=lambda m: (m.start, m.kind is MentionKind.RISK_FACTOR))),
            tuple(u for u in unrecognized if u),
            person.age,
            person.sex,
        )

    def _ages(self, doc: Any, said: Sequence[tuple[int, int]], age: int | None) -> tuple[Mention, ...]:
        """A mention of each age risk factor the stated age gives, on the words that state it."""
        if age is None or not said:
            return ()
        span = doc[said[0][0] : said[0][1]]
        return tuple(
            Mention(
                iri,
                MentionKind.RISK_FACTOR,
                Certainty.AFFIRMED,
                False,
                False,
                span.text,
                span.start_char,
                span.end_char,
                1.0,
            )
            for iri, record in self.risk_factors().items()
            if record.holds_at(age)
        )

    def _histories(
        self, doc: Any, clauses: Sequence[tuple[int, int]], mentions: tuple[Mention, ...]
    ) -> tuple[Mention, ...]:
        """Each condition said as the person's past ("had a clot in my leg in 2019": ConText's
        historical, or `HISTORY_BEFORE` / `HISTORY_AFTER` / a year in its clause) that a risk factor
        is the history of (`lp:isHistoryOf`): the condition mention becomes historical, and the risk
        factor is stated with the condition's polarity ("never had a DVT": not a risk factor)."""
        history = {r.history_of: iri for iri, r in self.risk_factors().items() if r.history_of}
        out: list[Mention] = []
        for m in mentions:
            out.append(m)
            if m.kind is MentionKind.CONDITION and m.iri in history and not m.not_the_patient:
                if _said_as_past(doc, clauses, m):
                    out[-1] = dataclasses.replace(m, historical=True)
                    out.append(
                        dataclasses.replace(m, iri=history[m.iri], kind=MentionKind.RISK_FACTOR, historical=False)
                    )
        return tuple(out)

    def _clause_mentions(
        self,
        doc: Any,
        first: int,
        raw: Sequence[Sequence[str]],
        folded: Sequence[Sequence[str]],
        matchers: Mapping[MentionKind, TermMatcher],
    ) -> list[_Candidate]:
        last = first + len(folded)
        candidates: list[_Candidate] = []
        unsited: list[_Candidate] = []  # readings in a clause about elsewhere that name no site of the leg
        # a "not" the lexicon put there ("afebrile" is "not fever"): the reading is of an absent finding
        lexical_not = [
            "not" in folded[i] and not any(is_negation(w) or w == "not" for w in raw[i]) for i in range(len(folded))
        ]
        # "can't walk 150 yards without my calf cramping": a negation, an amount, then "without" says
        # what happens at that amount (ConText's PSEUDO rule of the same shape), so it is no label's
        # own negation either ("cannot walk on it" is not read there); without an amount it may be
        # one ("can't put weight on it without screaming" is still a warning sign)
        lowered = [[w.lower() for w in ws] for ws in raw]
        negation_cancelled = [False] * len(raw)
        for i, ws in enumerate(lowered):
            if not any(w in _VERB_NEGATIONS or is_negation(w) for w in ws):
                continue
            ahead = lowered[i + 1 : i + 8]
            without = next((j for j, later in enumerate(ahead) if "without" in later), None)
            between = [w for later in ahead[: without or 0] for w in later]
            if without is not None and any(is_count_word(w) or _GLUED_AMOUNT.fullmatch(w) for w in between):
                negation_cancelled[i] = True
        for kind, matcher in matchers.items():
            tokens = [frozenset(t for w in ws for t in matcher.tokens(w)) for ws in folded]
            # a window starts and ends on a word some label holds, or on a negation (which only a label
            # with a negation of its own can use: "can't put weight on it"), never on filler
            content = [any(t == "not" or matcher.known(t) for t in ts) for ts in tokens]
            # a window may start on a negation, never end on one: a negation speaks of what follows it
            # ("painful on walking, no swelling" is not "pain without walking")
            ends = [any(t != "not" and matcher.known(t) for t in ts) for ts in tokens]
            # the words one comma-separated part of the clause says for another part that is only an
            # elliptical addition ("my toes throb, even on the sofa": pain at rest)
            part = list(accumulate((token.text == "," for token in doc[first:last]), initial=0))[1:]
            said = [
                matcher.clause_context(t for i, ts in enumerate(tokens) if part[i] == p for t in ts)
                for p in range(part[-1] + 1 if part else 0)
            ]
            spoken = [[i for i, ts in enumerate(tokens) if ts and part[i] == p] for p in range(len(said))]
            # a clause about another part of the body ("tingling in my thumb") reads only where a window
            # names a site of the leg, and the warning signs that have no site (a fever, chest pain)
            elsewhere = matcher.elsewhere(t for ts in tokens for t in ts)
            for start in range(len(folded)):
                if not content[start]:
                    continue
                query: set[str] = set()
                ordered: list[str] = []
                for end in range(start, min(len(folded), start + MAX_WINDOW)):
                    query |= tokens[end]
                    ordered += [t for w in folded[end] for t in matcher.tokens(w)]
                    if not ends[end]:
                        continue
                    whole_part = (
                        part[start] == part[end]
                        and spoken[part[start]]
                        and (spoken[part[start]][0] >= start and spoken[part[start]][-1] <= end)
                    )
                    context = (
                        frozenset().union(*(s for p, s in enumerate(said) if p != part[start]))
                        if whole_part
                        else frozenset()
                    )
                    covers = matcher.covers(
                        frozenset(query), MIN_LABEL_COVER, MIN_WINDOW_COVER, context, tuple(ordered)
                    )
                    for cover in covers:
                        if cover.negated and not _negation_inside(ordered, _label_tokens(cover.label)):
                            continue
                        if cover.negated and any(negation_cancelled[start : end + 1]):
                            continue
                        candidate = _Candidate(
                            kind,
                            cover.iri,
                            cover.label_cover * cover.query_cover,
                            cover.information,
                            first + start,
                            first + end + 1,
                            cover.negated,
                            absent=not cover.negated and any(lexical_not[start : end + 1]),
                            said=_label_tokens(cover.label),
                        )
                        # a risk factor is often about elsewhere ("heart attack"): never read as a leg site
                        if elsewhere and not cover.site_said and kind is not MentionKind.RISK_FACTOR:
                            if not cover.sited:  # a leg finding must say its site here
                                unsited.append(candidate)
                        else:
                            candidates.append(candidate)
        if unsited:  # of the site-less readings about elsewhere, warning signs stay (a fever, chest pain)
            warnings = self.findings({c.iri for c in unsited if c.kind is MentionKind.FINDING})
            candidates += [c for c in unsited if c.iri in warnings and warnings[c.iri].is_warning]
        # best first: the reading that explains the most of a label (the most specific finding), then
        # the tighter window, then findings before conditions
        candidates.sort(
            key=lambda c: (
                -round(c.information, 2),
                -round(c.score, 2),
                c.last - c.first,
                c.kind is not MentionKind.FINDING,
            )
        )
        # a finding is evidence (and may be a warning sign): a risk factor is never read over the words
        # a finding is read in ("lying in bed at night" is pain at rest, not being bedridden)
        findings = [c for c in candidates if c.kind is MentionKind.FINDING]
        candidates = [
            c
            for c in candidates
            if c.kind is not MentionKind.RISK_FACTOR or not any(c.first < f.last and f.first < c.last for f in findings)
        ]
        # a reading that holds, inside its words and unexplained by its label, the whole name of another
        # finding (calf pain on walking read over words that also name claudication outright would
        # swallow the claudication) over-reaches: the narrower readings say more
        full = [
            (c, frozenset(matchers[c.kind].token(w) for ws in folded[c.first - first : c.last - first] for w in ws))
            for c in candidates
            if c.score >= 1.0
        ]
        candidates = [c for c in candidates if not _over_reaches(c, full)]
        taken: list[_Candidate] = []
        for c in candidates:
            if any(c.first < t.last and t.first < c.last for t in taken) or any(t.iri == c.iri for t in taken):
                continue
            taken.append(c)
        taken = _through_repeats(first, raw, folded, taken, matchers)
        taken = _with_side_before(first, folded, taken)
        taken = self._without_elsewhere(first, folded, taken, matchers[MentionKind.FINDING])
        records = self.findings([t.iri for t in taken if t.kind is MentionKind.FINDING])
        general = {g for record in records.values() for g in record.kinds}
        return [t for t in taken if not (t.kind is MentionKind.FINDING and t.iri in general)]

    def _without_elsewhere(
        self, first: int, folded: Sequence[Sequence[str]], taken: list[_Candidate], findings: TermMatcher
    ) -> list[_Candidate]:
        """The readings of a clause less those inside a longer run of its words that names one of HPO's
        phenotypes of other parts of the body ("hay fever" is not a fever); a warning sign stays
        unless the run is, nearly word for word, that phenotype (`ELSEWHERE_OVER_WARNING`). Only runs
        that hold a word of those names that no finding label holds are looked at (the graph's own
        words are never elsewhere)."""
        if not taken:
            return taken
        elsewhere = self.search.elsewhere()
        tokens = [tuple(elsewhere.token(w) for w in ws) for ws in folded]
        # a word HPO's names elsewhere hold and no finding label does ("hay", "throat")
        theirs = [
            any(elsewhere.known(e) and not findings.known(findings.token(w)) for w, e in zip(ws, es, strict=True))
            for ws, es in zip(folded, tokens, strict=True)
        ]
        if not any(theirs):
            return taken
        runs: list[tuple[int, int, float]] = []
        for start in range(len(tokens)):
            if not tokens[start] or not elsewhere.known(tokens[start][0]):
                continue
            for end in range(start + 1, min(len(tokens), start + MAX_WINDOW)):
                if not any(theirs[start : end + 1]) or not tokens[end]:
                    continue
                ordered = tuple(t for ts in tokens[start : end + 1] for t in ts)
                covers = elsewhere.covers(
                    frozenset(ordered), ELSEWHERE_LABEL_COVER, ELSEWHERE_MIN_READING, ordered=ordered
                )
                # the run is the phenotype's own words: it starts and ends on words of its name
                named = [
                    c.query_cover
                    for c in covers
                    if _label_tokens(c.label).intersection(tokens[start])
                    and _label_tokens(c.label).intersection(tokens[end])
                ]
                if named:
                    runs.append((first + start, first + end + 1, max(named)))
        if not runs:
            return taken
        warnings = self.findings({t.iri for t in taken if t.kind is MentionKind.FINDING})

        def inside(t: _Candidate) -> bool:
            if t.kind is MentionKind.RISK_FACTOR:  # risk factors name other parts of the body by nature
                return False
            warning = t.iri in warnings and warnings[t.iri].is_warning
            return any(
                a <= t.first
                and t.last <= b
                and b - a > t.last - t.first
                and (not warning or s >= ELSEWHERE_OVER_WARNING)
                for a, b, s in runs
            )

        return [t for t in taken if not inside(t)]

    def measured(self, text: str) -> list[str]:
        """The findings a text's measurements and comparisons state present, without reading the rest
        of it: each body temperature at or above a finding's threshold, each shrinking of the walking
        distance. What a phrase search puts first: these are read exactly, not by the words."""
        measures = self._measures()
        out = [
            iri
            for temperature in temperatures(text[:MAX_TEXT_CHARS])
            for iri, threshold in measures.temperatures.items()
            if temperature.celsius >= threshold
        ]
        out += [said for _, _, _, said, _ in self._shrinkings(text[:MAX_TEXT_CHARS])]
        return list(dict.fromkeys(out))

    def _shrinkings(self, text: str) -> list[tuple[int, int, Shrinking, str, frozenset[str]]]:
        """Each sentence's shrinking of the walking distance (`kg.assessment.comparisons`), with the
        finding it is: the rapid kind within its `lp:maximumPeriodDays`, else the general one it is a
        kind of; and that family of findings (what the words' own readings of it would be)."""
        out = []
        for start, end, stated in shrinkings(text):
            for iri, (maximum_days, general) in self._measures().periods.items():
                said = iri if stated.rapid(maximum_days) else (general[0] if general else None)
                if said is not None:
                    out.append((start, end, stated, said, frozenset({iri, *general})))
        return out

    def _measures(self) -> _Measures:
        """The findings a measurement or a comparison can be, for the current data version."""
        version = self.search.names.data_version()
        if self._measured.version != version:
            records = self.findings(self.every_finding())
            rapid = {iri: f for iri, f in records.items() if f.maximum_period_days is not None}
            self._measured = _Measures(
                version,
                {iri: f.minimum_temperature for iri, f in records.items() if f.minimum_temperature is not None},
                {
                    iri: (
                        float(f.maximum_period_days or 0),
                        # the general finding: what it is a kind of in the same category
                        tuple(k for k in sorted(f.kinds) if k in records and records[k].category == f.category),
                    )
                    for iri, f in rapid.items()
                },
            )
        return self._measured

    def _with_comparisons(self, doc: Any, text: str, chosen: list[_Candidate]) -> list[_Candidate]:
        """The mentions with each sentence's shrinking of the walking distance (`kg.assessment.comparisons`)
        read as the rapid finding or its general kind; it replaces what the words alone read of the same
        family in that sentence, and takes the first of its spans that overlaps no other mention."""
        for start, end, stated, said, family in self._shrinkings(text):
            inside = [c for c in chosen if c.iri in family and start <= doc[c.first].idx < end]
            chosen = [c for c in chosen if c not in inside]
            spans = [doc.char_span(start + a, start + b, alignment_mode="expand") for a, b in stated.spans]
            fits = [s for s in spans if s is not None and not any(s.start < c.last and c.first < s.end for c in chosen)]
            if not fits:  # the comparison says more than the readings it overlaps
                span = min((s for s in spans if s is not None), key=len)
                chosen = [c for c in chosen if not (span.start < c.last and c.first < span.end)]
                fits = [span]
            parts = tuple((s.start, s.end) for s in spans if s is not None)
            chosen.append(
                _Candidate(
                    MentionKind.FINDING,
                    said,
                    1.0,
                    0.0,
                    fits[0].start,
                    fits[0].end,
                    True,
                    over_time=True,
                    parts=parts,
                )
            )
        return chosen

    def _measurements(self, doc: Any, text: str) -> list[_Candidate]:
        """A mention per stated body temperature and finding with a temperature threshold: present at or
        above it, absent below (`kg.assessment.quantities`)."""
        stated = temperatures(text)
        if not stated:
            return []
        thresholds = self._measures().temperatures
        out = []
        for temperature in stated:
            span = doc.char_span(temperature.start, temperature.end, alignment_mode="expand")
            if span is None:
                continue
            for iri, threshold in thresholds.items():
                out.append(
                    _Candidate(
                        MentionKind.FINDING,
                        iri,
                        1.0,
                        0.0,
                        span.start,
                        span.end,
                        False,
                        absent=temperature.celsius < threshold,
                    )
                )
        return out

    def _context(self, doc: Any, chosen: Sequence[_Candidate]) -> tuple[Mention, ...]:
        from spacy.tokens import Span

        ordered = sorted(chosen, key=lambda c: c.first)
        for _, component in self._nlp.pipeline[:-1]:  # the sentencizer
            doc = component(doc)
        doc.ents = [Span(doc, c.first, c.last, label=c.kind.name) for c in ordered]
        doc = self._nlp.pipeline[-1][1](doc)  # ConText, over the mentions
        mentions = []
        for c, ent in zip(ordered, doc.ents, strict=True):
            negated = c.absent or (bool(ent._.is_negated) and not (c.inner_negation and _negates_itself(ent)))
            said = _modified_by(ent)
            certainty = (
                Certainty.POSSIBLE
                if "POSSIBLE_EXISTENCE" in said
                else Certainty.NEGATED
                if negated
                else Certainty.AFFIRMED
            )
            mentions.append(
                Mention(
                    c.iri,
                    c.kind,
                    certainty,
                    "HISTORICAL" in said and not c.over_time,
                    bool(said & {"FAMILY", "HYPOTHETICAL"}),
                    ent.text,
                    ent.start_char,
                    ent.end_char,
                    round(c.score, 4),
                )
            )
        return tuple(mentions)


def _modified_by(ent: Any) -> set[str]:
    """The ConText categories of a mention's modifiers, without a conditional inside its own words.

    A pattern finding is conditional by nature: "eases off if I sit a while", "throbs whenever I hike" state a
    relief and a trigger, not a hypothetical. medspaCy 1.3.1 means to skip a cue that overlaps its
    target (`ConTextModifier.modifies`) but its overlap test sees only a target that starts or ends
    inside the cue, not a cue strictly inside the target. Other cues inside a mention still count: in
    "shin may well be puffy" the mention spans the hedge. Negation has its own rule
    (`_negates_itself`)."""
    return {
        m.category
        for m in ent._.modifiers
        if m.category != "HYPOTHETICAL" or not (ent.start <= m.modifier_span[0] and m.modifier_span[1] <= ent.end)
    }


def _said_as_past(doc: Any, clauses: Sequence[tuple[int, int]], m: Mention) -> bool:
    """Whether a mention is said as the past: ConText's historical, or `HISTORY_BEFORE` before it in
    its clause, or `HISTORY_AFTER` or a year after it."""
    span = doc.char_span(m.start, m.end, alignment_mode="expand")
    if m.historical or span is None:
        return m.historical
    first, last = next(((a, b) for a, b in clauses if a <= span.start < b), (0, len(doc)))
    before = {t.lower_ for t in doc[first : span.start]}
    after = [t.lower_ for t in doc[span.end : last]]
    return (
        bool(before & HISTORY_BEFORE) or bool(HISTORY_AFTER.intersection(after)) or any(_YEAR.match(t) for t in after)
    )


def _negation_inside(ordered: Sequence[str], label: frozenset[str]) -> bool:
    """Whether a window's negation comes before one of the label's own words, as in the label ("pain
    not relieved by rest"): a negation after them speaks of something else ("painful on walking, no
    swelling" is not "pain without walking")."""
    seen_not = False
    for token in ordered:
        if token == "not":
            seen_not = True
        elif seen_not and token in label:
            return True
    return False


@lru_cache(maxsize=8192)
def _label_tokens(label: str) -> frozenset[str]:
    return frozenset(normalize(label))


def _through_repeats(
    first: int,
    raw: Sequence[Sequence[str]],
    folded: Sequence[Sequence[str]],
    taken: list[_Candidate],
    matchers: Mapping[MentionKind, TermMatcher],
) -> list[_Candidate]:
    """Each reading stretched over the words right after it that only repeat what it read ("lying
    down at night" is all rest) or that a phrase it ends on took ("down"), so they are not reported
    as not understood; it stops at another reading and at a word that says something else."""
    out = []
    for t in taken:
        matcher = matchers[t.kind]
        last = t.last
        j = t.last
        while j - first < len(folded) and not any(o.first <= j < o.last for o in taken if o is not t):
            ws = folded[j - first]
            if ws and not {matcher.token(w) for w in ws} <= t.said:
                break
            j += 1
            if ws or any(w not in STOP_WORDS for w in raw[j - 1 - first]):
                last = j  # a word that repeats the reading or that a phrase took; trailing filler is not
        out.append(dataclasses.replace(t, last=last) if last != t.last else t)
    return out


def _with_side_before(first: int, folded: Sequence[Sequence[str]], taken: list[_Candidate]) -> list[_Candidate]:
    """Each reading stretched back over the words right before it that only name a side ("my left
    calf cramps": the side is part of the calf's reading, not left over as not understood), up to
    another reading; filler between them goes too."""
    side = frozenset(LIGHT_WORDS)
    out = []
    for t in taken:
        start = t.first
        j = t.first - 1
        while j >= first and not any(o.first <= j < o.last for o in taken if o is not t):
            ws = folded[j - first]
            if ws and not set(ws) <= side:
                break
            if ws:
                start = j
            j -= 1
        out.append(dataclasses.replace(t, first=start) if start != t.first else t)
    return out


def _over_reaches(candidate: _Candidate, full: Sequence[tuple[_Candidate, frozenset[str]]]) -> bool:
    """Whether a reading's words hold a whole reading of another term (a window its label explains
    entirely, given with the tokens of its words) none of whose words the reading's own label explains."""
    for other, words in full:
        if other.iri == candidate.iri or not (candidate.first <= other.first and other.last <= candidate.last):
            continue
        if (other.first, other.last) == (candidate.first, candidate.last):
            continue
        if words and words.isdisjoint(candidate.said):
            return True
    return False


def _overlaps(candidate: _Candidate, others: Sequence[_Candidate]) -> bool:
    return any(candidate.first < o.last and o.first < candidate.last for o in others)


def _negates_itself(ent: Any) -> bool:
    """Whether every negation modifier of a mention lies inside the mention's own words."""
    modifiers = [m for m in ent._.modifiers if m.category == "NEGATED_EXISTENCE"]
    return bool(modifiers) and all(ent.start <= m.modifier_span[0] and m.modifier_span[1] <= ent.end for m in modifiers)


def _left_over(
    doc: Any,
    first: int,
    last: int,
    found: Sequence[_Candidate],
    folded: Sequence[Sequence[str]],
    understood: Sequence[tuple[int, int]] = (),
) -> list[str]:
    """The runs of a clause's words outside every mention and every other `understood` token range
    (a stated age) that hold a word carrying meaning (a phrase's particle, the "down" of "lying down"
    when "lying" was read, carries none of its own)."""
    covered = {i for c in found for a, b in ((c.first, c.last), *c.parts) for i in range(a, b)}
    covered |= {i for a, b in understood for i in range(a, b)}
    runs: list[str] = []
    start: int | None = None
    for i in range(first, last + 1):
        if i < last and i not in covered:
            start = i if start is None else start
            continue
        if start is not None and any(w != "not" for ws in folded[start - first : i - first] for w in ws):
            runs.append(doc[start:i].text.strip(" ,;:"))
        start = None
    return [r for r in runs if r]


def _clauses(doc: Any) -> list[tuple[int, int]]:
    """Token ranges of the clauses (see the module docstring, step 1)."""
    out: list[tuple[int, int]] = []
    start = 0
    for token in doc:
        text = token.text.lower()
        spaced_dash = text == "-" and token.i > 0 and bool(doc[token.i - 1].whitespace_)  # not "weight-bear"
        if _SENTENCE_END.match(text) or text in _CLAUSE_PUNCT or text in CLAUSE_WORDS or spaced_dash:
            if token.i > start:
                out.append((start, token.i))
            start = token.i + 1
    if start < len(doc):
        out.append((start, len(doc)))
    return out


#: Words that, after "and", start a clause with its own subject.
_CLAUSE_SUBJECTS = ("my", "i", "it", "its", "it's", "the", "there", "he", "she", "they", "this", "that", "now", "then")
#: Negated auxiliaries as spaCy's tokenizer leaves them ("can't" is "ca" + "n't").
_VERB_NEGATIONS = ("ca", "can", "cannot", "cant", "could", "couldnt", "wo", "not", "n't", "never")
#: a number, decimal or with its unit run on ("1.5", "150m"): a count too, beside `is_count_word`'s
_GLUED_AMOUNT = re.compile(r"\d+(?:[.,]\d+)?[a-z]{0,3}")


def _negated_phrase_patterns() -> list[tuple[str, list[dict[str, Any]]]]:
    """Token patterns for the lexicon's set phrases that begin with a negated "can" ("can not feel",
    "can not catch breath"), as spaCy's tokenizer splits them ("ca" + "n't", "can" + "not"), with
    up to two words between the phrase's words ("can't catch my breath")."""
    out: list[tuple[str, list[dict[str, Any]]]] = []
    for phrase in PHRASES:
        words = phrase.split()
        if words[:2] != ["can", "not"] or len(words) < 3:
            continue
        pattern: list[dict[str, Any]] = [
            {"LOWER": {"IN": ["ca", "can", "could"]}},
            {"LOWER": {"IN": ["n't", "not", "nt"]}},
        ]
        for word in words[2:]:
            pattern += [{"OP": "{0,2}", "IS_PUNCT": False}, {"LOWER": {"IN": sorted(inflections(word))}}]
        out.append((phrase, pattern))
    return out


#: The custom token attribute that marks a negation as people type it (`_pipeline`).
_TYPED_NEGATION = "legpain_typed_negation"
#: Negation words medspaCy's default ConText rules already handle in their own contexts (with their
#: pseudo-negations: "not only", "no increase"), which the typed-negation rule leaves to them.
_CONTEXT_NEGATIONS = frozenset(
    "not no never without cannot nothing none fail fails failed failing unable inability".split()
)


def _typed_negation(token: Any) -> bool:
    return token.lower_ not in _CONTEXT_NEGATIONS and is_negation(token.lower_)


def _pipeline() -> Any:
    """A blank English spaCy pipeline (no model: nothing is downloaded) with medspaCy's ConText, its
    default rules and terminations at the clause boundaries."""
    import spacy
    from medspacy.context import ConText, ConTextRule
    from spacy.tokens import Token

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    context: ConText = nlp.add_pipe("medspacy_context")
    # the negations medspaCy's rules do not know: auxiliaries typed without an apostrophe ("isnt",
    # "wasnt"), with a slip ("dosent"), and "zero" ("zero swelling"), as `is_negation` reads them
    if not Token.has_extension(_TYPED_NEGATION):
        Token.set_extension(_TYPED_NEGATION, getter=_typed_negation)
    context.add(
        [
            ConTextRule(
                "a negation as typed",
                "NEGATED_EXISTENCE",
                pattern=[{"_": {_TYPED_NEGATION: True}}],
                direction="FORWARD",
            )
        ]
    )
    ends = (*CLAUSE_WORDS, *sorted(_CLAUSE_PUNCT), *PRESENT_WORDS)
    context.add([ConTextRule(word, "TERMINATE", direction="TERMINATE") for word in ends])
    # a spaced dash ("my leg - it's"), not a hyphen inside a word ("weight-bearing")
    context.add([ConTextRule("-", "TERMINATE", pattern=[{"ORTH": "-", "SPACY": True}], direction="TERMINATE")])
    # the past said after the finding ("a calf tear two summers ago"), which medspaCy's rules leave out
    context.add([ConTextRule(cue, "HISTORICAL", direction="BACKWARD") for cue in PAST_AFTER])
    # "and" that starts a clause of its own ("I can't sleep and my chest hurts") ends a modifier's
    # scope; "and" inside a list ("no numbness and tingling") does not
    context.add(
        [
            ConTextRule(
                "and + a new subject",
                "TERMINATE",
                pattern=[{"LOWER": "and"}, {"LOWER": {"IN": list(_CLAUSE_SUBJECTS)}}],
                direction="TERMINATE",
            )
        ]
    )
    # a negation inside a set phrase is the phrase's meaning ("can't feel" is numbness), never a
    # negation of what follows it
    context.add(
        [
            ConTextRule(phrase, "PSEUDO", pattern=pattern, direction="PSEUDO")
            for phrase, pattern in _negated_phrase_patterns()
        ]
    )
    # "can't walk 150 yards without my calf cramping" says the cramp happens: a negated verb and a
    # "without" within a few words of it cancel
    context.add(
        [
            ConTextRule(
                "NEGATION ... without",
                "PSEUDO",
                pattern=[
                    {"LOWER": {"IN": list(_VERB_NEGATIONS)}},
                    {"OP": "{0,6}", "IS_PUNCT": False},
                    {"LOWER": "without"},
                ],
                direction="PSEUDO",
            )
        ]
    )
    return nlp
