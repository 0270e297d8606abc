"""Walking distance compared over time: "six weeks back two miles were easy, these days 300 metres".

The article names two findings here: a walking distance that shortens over time (arterial disease
progressing) and one that shrinks significantly over a short period (a warning sign). People state
them as comparisons, so a sentence is read for one in two ways:

1. **Two amounts** of the same kind (distances, or walking times: `kg.assessment.quantities`), one
   said as the past and one as the present. Which is which comes from the words between them (the
   last cue before the second amount: "now", "only", "to" after a "from" make it the present; "was",
   "used to", "instead of", "compared with" make it the past), else from a cue before the first or
   after the second. The distance shrank when the past amount is larger.
2. **Words** that say the distance fell: "the distance has dropped", "can't walk as far as a few
   weeks ago", "can barely get to the end of the road now compared with last week". Saying "not as
   far" or "only" needs a reference to the past ("ago", "used to", "compared with", a period); a
   distance that "dropped" or "shrank" says the comparison itself.

The shrinking is rapid when the sentence says it happened over a period no longer than the graph's
`lp:maximumPeriodDays` for the rapid finding, or says it was sudden or fast; otherwise it is the
general finding. A comparison in which the distance grew, or whose direction cannot be told, is not
read.

3. **Worsening said to be fast**: the article's warning sign is "a rapid progression of symptoms",
   with the shrinking walking distance as its example, so "my legs are deteriorating quickly",
   "swiftly getting worse", "worse by the week" read as the rapid finding when the text is about walking or a part
   of the leg (the speed must qualify the worsening itself: "feels worse when I hike fast" is not it). Said
   within two sentences after a comparison, it makes that comparison the rapid kind ("Twelve weeks ago
   I managed two miles. These days it is about 200 metres ... it keeps deteriorating really quickly").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from kg.assessment.quantities import Amount, periods, walking_amounts

#: words that put an amount in the present or the past, strong (time words) and weak (hedges): the
#: strong ones decide first ("these days 3 miles, last year only 1 mile": the 1 mile is the past)
_NOW = (
    r"now|nowadays|these\s+days|today|currently|at\s+the\s+moment|anymore|any\s+more|"
    r"this\s+(?:week|month|fortnight|year)"
)
_NOW_WEAK = r"only|barely|hardly|scarcely|just"
_PAST = (
    r"ago|used\s+to|use\s+to|was|were|had\s+been|last|previously|back\s+then|at\s+first|originally|"
    r"instead\s+of|rather\s+than|compared\s+(?:to|with)|versus|vs|down\s+from|from"
)
_PAST_WEAK = r"could|than"
_CUE = re.compile(
    rf"\b(?:(?P<now>{_NOW})|(?P<past>{_PAST})|(?P<to>to|down\s+to)|(?P<now_weak>{_NOW_WEAK})|(?P<past_weak>{_PAST_WEAK}))\b",
    re.IGNORECASE,
)
_FROM = re.compile(r"\bfrom\b[^.;!?]{0,20}$", re.IGNORECASE)
_NEGATED = r"\b(?:not|cannot|never|nowhere\s+near|(?:ca|could|would|do|does|did|is|was|wo)n'?t)\b"
_DISTANCE_FELL = (
    r"\b(?:drop\w*|shr[iu]nk\w*|shorten\w*|reduc\w*|decreas\w*|halved|fall\w*|fell|declin\w*|gone\s+down|"
    r"come\s+down|down)\b"
)
_SAID_FELL = re.compile(
    rf"\b(?:distance|distances|how\s+far)\b[^.;!?]{{0,50}}{_DISTANCE_FELL}|"
    rf"\b(?:drop\w*|shr[iu]nk\w*|shorten\w*|reduc\w*|decreas\w*|halved|declin\w*)\b[^.;!?]{{0,30}}\b(?:distance|how\s+far)\b",
    re.IGNORECASE,
)
_SAID_LESS = re.compile(
    rf"{_NEGATED}[^.;!?]{{0,30}}\b(?:as|so)\s+far\b|"
    r"\b(?:half|a\s+third|a\s+quarter)\s+(?:as\s+far|the\s+distance)\b|"
    r"\b(?:less|shorter|smaller)\s+(?:and\s+(?:less|shorter)\s+)?(?:far|distances?|way)\b|"
    r"\b(?:can|could)(?:\s*not|n'?t)?\s+(?:only|barely|hardly|just|scarcely)\s+(?:\w+\s+){0,2}?"
    r"(?:walk|manage|get|go|reach|make)\w*",
    re.IGNORECASE,
)
_PAST_REFERENCE = re.compile(
    r"\b(?:ago|used\s+to|use\s+to|compared\s+(?:to|with)|than\s+(?:before|i\s+used|it\s+used|last)|as\s+before|"
    r"previously|anymore|any\s+more|last\s+\w+|as\s+(?:i|we)\s+(?:could|did|used))\b",
    re.IGNORECASE,
)
_SUDDEN = re.compile(r"\b(?:sudden\w*|rapid\w*|quick\w*|fast|overnight|abrupt\w*)\b", re.IGNORECASE)
_WORSE = r"(?:worse|worsening|worsen(?:s|ed)?|deteriorat\w*|progressing|going\s+downhill)"
_FAST = (
    r"(?:fast|quick(?:ly)?|rapid(?:ly)?|swiftly|by\s+the\s+(?:day|week)|day\s+by\s+day|week\s+by\s+week|"
    r"every\s+(?:day|week))"
)
_INTENSIFIER = r"(?:so|very|really|too|pretty|quite|much|alarmingly|scarily)"
_WORSENING_FAST = re.compile(
    rf"\b{_WORSE}\s+(?:{_INTENSIFIER}\s+){{0,2}}{_FAST}\b|"
    rf"\b(?:fast|quickly|rapidly|swiftly)\s+(?:(?:getting|got|gotten|becoming|grown|growing|been|gone)\s+){{0,2}}"
    rf"{_WORSE}\b",
    re.IGNORECASE,
)
#: what makes a text's worsening the walking pain's: walking, a distance, a part of the leg, a cramp
_ABOUT_WALKING = re.compile(
    r"\b(?:walk\w*|distance|far|yards?|metres?|meters?|miles?|blocks?|legs?|calf|calves|calfs|thighs?|shins?|"
    r"foot|feet|knees?|hips?|ankles?|buttocks?|heels?|claudication|cramp\w*)\b",
    re.IGNORECASE,
)
#: how much larger the past amount must be for a shrinking (a rounding is not a change)
_SHRANK = 1.1


@dataclass(frozen=True)
class Shrinking:
    """A sentence's statement that the walking distance shrank, with where it is said."""

    #: character spans that say it, the whole comparison first, then each part on its own (a reader
    #: that must not overlap another mention takes the first that fits)
    spans: tuple[tuple[int, int], ...]
    #: the shortest period the sentence states it over, in days, when it states one
    days: float | None
    #: said to be sudden or fast
    sudden: bool

    def rapid(self, maximum_days: float) -> bool:
        """Whether it is the rapid kind: sudden, or over at most `maximum_days`."""
        return self.sudden or (self.days is not None and self.days <= maximum_days)


def shrinking(sentence: str) -> Shrinking | None:
    """The shrinking of the walking distance one sentence states, if it states one (see the module
    docstring); offsets are the sentence's own."""
    spans = _compared_amounts(sentence) or _said_less(sentence)
    return None if spans is None else _stated(sentence, spans)


def _stated(text: str, spans: tuple[tuple[int, int], ...]) -> Shrinking:
    """The shrinking read in `spans` of a text, with the periods the text states and its speed."""
    stated = periods(text)
    days = min((p.days for p in stated), default=None)
    all_spans = (*spans, *((p.start, p.end) for p in stated))
    return Shrinking(tuple(dict.fromkeys(all_spans)), days, bool(_SUDDEN.search(text)))


def _compared_amounts(sentence: str) -> tuple[tuple[int, int], ...] | None:
    amounts = walking_amounts(sentence)
    for a, b in zip(amounts, amounts[1:], strict=False):
        if a.kind != b.kind:
            continue
        order = _order(sentence, a, b)
        if order is None:
            continue
        past, now = (a, b) if order else (b, a)
        if past.value > now.value * _SHRANK:
            return ((a.start, b.end), (now.start, now.end), (past.start, past.end))
        return None  # the two are compared, and the distance did not shrink
    return None


def _order(sentence: str, a: Amount, b: Amount) -> bool | None:
    """True when `a` is the past and `b` the present, False for the reverse, None when the sentence
    does not tell."""
    between = list(_CUE.finditer(sentence[a.end : b.start]))
    from_before = bool(_FROM.search(sentence[max(0, a.start - 30) : a.start]))
    for strong in (True, False):
        now, past = ("now", "past") if strong else ("now_weak", "past_weak")
        for cue in reversed(between):
            if cue[now]:
                return True
            if cue[past]:
                return False
            if strong and cue["to"] and from_before:
                return True
    for strong in (True, False):
        now, past = ("now", "past") if strong else ("now_weak", "past_weak")
        before = [c for c in _CUE.finditer(sentence[: a.start]) if c[now] or c[past]]
        if before:
            return bool(before[-1][past])
        after = [c for c in _CUE.finditer(sentence[b.end :]) if c[now] or c[past]]
        if after:
            return bool(after[0][now])
    return None


def _said_less(sentence: str) -> tuple[tuple[int, int], ...] | None:
    fell = _SAID_FELL.search(sentence)
    if fell:
        return ((fell.start(), fell.end()),)
    less = _SAID_LESS.search(sentence)
    if less and (_PAST_REFERENCE.search(sentence) or periods(sentence)):
        return ((less.start(), less.end()),)
    return None


def shrinkings(text: str) -> list[tuple[int, int, Shrinking]]:
    """Each shrinking of the walking distance a text states, with the character span it is read in:
    a sentence's own (`shrinking`), or, for a sentence that states an amount as the past and no
    comparison of its own, that sentence and the next one read together when they compare two amounts
    ("Last month I did two miles with the dog. Lately it's 300 yards before I stop."). The offsets of
    each `Shrinking` are its span's own."""
    spans = sentences(text)
    found = [shrinking(text[start:end]) for start, end in spans]
    out: list[tuple[int, int, Shrinking]] = []
    for k, ((start, end), stated) in enumerate(zip(spans, found, strict=True)):
        if stated is not None:
            out.append((start, end, stated))
            continue
        if k + 1 >= len(spans) or found[k + 1] is not None:
            continue
        first = text[start:end]
        if not walking_amounts(first) or not (_PAST_REFERENCE.search(first) or periods(first)):
            continue
        pair_end = spans[k + 1][1]
        pair = text[start:pair_end]
        compared = _compared_amounts(pair)
        if compared is not None:
            out.append((start, pair_end, _stated(pair, compared)))
    return _with_fast_worsening(text, spans, out)


def _with_fast_worsening(
    text: str, spans: Sequence[tuple[int, int]], found: list[tuple[int, int, Shrinking]]
) -> list[tuple[int, int, Shrinking]]:
    """`found` with each sentence that says the worsening is fast (module docstring, 3): the comparison
    within the two sentences before it made rapid, else a rapid finding of its own when the text around
    it is about walking or the leg."""
    out = list(found)
    for k, (start, end) in enumerate(spans):
        said = _WORSENING_FAST.search(text, start, end)
        if said is None or any(a <= said.start() < b for a, b, _ in out):
            continue
        earlier = [i for i, (a, b, _) in enumerate(out) if b <= start and b >= spans[max(0, k - 2)][0]]
        if earlier:
            i = earlier[-1]
            a, _, stated = out[i]
            words = (said.start() - a, said.end() - a)
            out[i] = (a, end, Shrinking((*stated.spans, words), stated.days, True))
            continue
        around = text[spans[max(0, k - 2)][0] : end]
        if _ABOUT_WALKING.search(around) or walking_amounts(around):
            out.append((start, end, Shrinking(((said.start() - start, said.end() - start),), None, True)))
    return out


def sentences(text: str) -> Sequence[tuple[int, int]]:
    """Character spans of a text's sentences (ended by `.`, `!`, `?` or a line break)."""
    return [(m.start(), m.end()) for m in _SENTENCE.finditer(text)]


_SENTENCE = re.compile(r"(?:[^.!?\n]|(?<=\d)\.(?=\d))+(?:[.!?]+|$)")
