"""Numbers with units in what people write: body temperatures, in Celsius or Fahrenheit.

A number is read as a temperature when it carries a temperature unit ("38.5C", "101 F", "39
degrees", "102°F") or follows a word about temperature ("temp of 38.9", "thermometer says 101"), and
lies in the range a body temperature can have (34 to 43 degrees Celsius, 93 to 110 Fahrenheit; a
number without a C or F is Celsius in the first range and Fahrenheit in the second). Anything else
("400 yards", "2-3 minutes") is left alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_CELSIUS = (34.0, 43.0)
_FAHRENHEIT = (93.0, 110.0)
_NUMBER = re.compile(
    r"(?<![\w.,])(?P<value>\d{2,3}(?:[.,]\d{1,2})?)\s*(?P<degrees>°|º|degrees?|deg\b)?\s*"
    r"(?P<unit>celsius|centigrade|fahrenheit|c|f)?(?![a-z])",
    re.IGNORECASE,
)
#: Words after which a bare number is a temperature.
_CUE = re.compile(
    r"\b(temp|temps|temperature|fever|thermometer|pyrexia|febrile|running)\b[^.;!?\d]{0,25}$", re.IGNORECASE
)


@dataclass(frozen=True)
class Temperature:
    """A body temperature stated in a text, in degrees Celsius, and where it stands."""

    celsius: float
    start: int
    end: int


def temperatures(text: str) -> list[Temperature]:
    """The body temperatures a text states, in order (see the module docstring)."""
    found: list[Temperature] = []
    for match in _NUMBER.finditer(text):
        value = float(match["value"].replace(",", "."))
        unit = (match["unit"] or "").lower()
        has_unit = bool(unit or match["degrees"])
        if not has_unit and not _CUE.search(text[: match.start()]):
            continue
        if unit.startswith("f") or (not unit.startswith("c") and _FAHRENHEIT[0] <= value <= _FAHRENHEIT[1]):
            if not _FAHRENHEIT[0] <= value <= _FAHRENHEIT[1]:
                continue
            value = (value - 32) * 5 / 9
        elif not _CELSIUS[0] <= value <= _CELSIUS[1]:
            continue
        end = match.end() if has_unit else match.end("value")
        found.append(Temperature(round(value, 1), match.start(), end))
    return found


# --- walking amounts and periods --------------------------------------------------------------------

#: Number words, and the vague counts people use ("a couple of blocks", "a few minutes").
NUMBER_WORDS: dict[str, float] = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20,
    "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "hundred": 100, "couple": 2, "few": 3,
    "several": 4, "dozen": 12, "half": 0.5, "quarter": 0.25,
}  # fmt: skip
#: What a unit of walking is worth: metres for a distance, minutes for a walking time. A block, a
#: street and a lamppost are rough lengths, good only for telling which of two amounts is larger.
WALKING_UNITS: dict[str, tuple[str, float]] = {
    "m": ("distance", 1.0), "metre": ("distance", 1.0), "meter": ("distance", 1.0),
    "km": ("distance", 1000.0), "kilometre": ("distance", 1000.0), "kilometer": ("distance", 1000.0),
    "yard": ("distance", 0.9144), "yd": ("distance", 0.9144), "ft": ("distance", 0.3048),
    "mile": ("distance", 1609.3), "mi": ("distance", 1609.3),
    "block": ("distance", 100.0), "street": ("distance", 100.0), "lamppost": ("distance", 30.0),
    "step": ("distance", 0.75), "pace": ("distance", 0.75),
    "minute": ("duration", 1.0), "min": ("duration", 1.0), "hour": ("duration", 60.0), "hr": ("duration", 60.0),
}  # fmt: skip
#: Days in a unit of time.
PERIOD_DAYS: dict[str, float] = {"day": 1, "week": 7, "fortnight": 14, "month": 30, "year": 365}

_COUNT = (
    r"(?:\d+(?:[.,]\d+)*(?:\s*/\s*\d+)?|"
    + "|".join(sorted((w for w in NUMBER_WORDS if w not in ("a", "an")), key=len, reverse=True))
    + r")"
)
_TOKEN = rf"(?:{_COUNT}|a|an|every)"
#: a run of counts: "300", "a couple of", "half a", "two hundred", "2-3", "ten or fifteen"
_QUANTITY = rf"{_TOKEN}(?:\s*(?:-|to|or|of|\s)\s*{_TOKEN})*(?:\s+of)?"
#: Units said without a plural "s" ("200 m", "10 ft", "2 mi"); every other unit may take one.
_NO_PLURAL = frozenset({"m", "ft", "mi"})
#: any unit of `WALKING_UNITS`, longest first, "lamppost" also as two words
_UNIT = (
    "(?:"
    + "|".join(
        (re.escape(unit) if unit in _NO_PLURAL else re.escape(unit) + "s?").replace("lamppost", r"lamp\s?post")
        for unit in sorted(WALKING_UNITS, key=len, reverse=True)
    )
    + ")"
)
_AMOUNT = re.compile(
    rf"(?<![\w.])(?P<quantity>{_QUANTITY})(?:(?<=\d)\s*|\s+)(?P<unit>{_UNIT})(?![a-z])",
    re.IGNORECASE,
)
_BARE = re.compile(r"(?<![\w.,/])(?P<quantity>\d+(?:[.,]\d+)?)(?![\w/%°]|[.,]\d|\s*(?:%|°|degrees?\b))", re.IGNORECASE)
_HALF = re.compile(r"\bhalf\b(?!\s+(?:an?|as|of|the|way|hour|mile|block)\b)", re.IGNORECASE)
_PERIOD_UNIT = r"(?:days?|weeks?|fortnights?|months?|years?)"
_PERIOD_COUNT = rf"(?:(?:{_COUNT}|a|an)\s+(?:of\s+)?)?"
_PERIOD = re.compile(
    rf"\b{_PERIOD_COUNT}{_PERIOD_UNIT}\s+ago\b"
    rf"|\b(?:last|past|previous)\s+{_PERIOD_COUNT}{_PERIOD_UNIT}\b"
    rf"|\b(?:over|in|within|during|across|inside)\s+(?:the\s+)?(?:last\s+|past\s+|space\s+of\s+|course\s+of\s+)?"
    rf"(?:just\s+|only\s+)?{_PERIOD_COUNT}{_PERIOD_UNIT}\b"
    rf"|\bsince\s+(?:the\s+)?(?:start|beginning)\s+of\s+(?:the\s+|this\s+)?{_PERIOD_UNIT}\b"
    rf"|\b(?:this|since\s+last)\s+{_PERIOD_UNIT}\b"
    # clinical shorthand: 4/7 is four days, 3/52 three weeks, 2/12 two months
    r"|(?<![\w/])(?P<short>\d{1,2})/(?P<per>7|52|12)(?![\w/])",
    re.IGNORECASE,
)
_PERIOD_WORD = re.compile(r"(day|week|fortnight|month|year)(s?)\b", re.IGNORECASE)
#: A unit at the start of a text: of walking, of time, or of a body measure.
_UNIT_FIRST = re.compile(
    rf"^\s*(?:{_UNIT}|{_PERIOD_UNIT}|seconds?|secs?|kg|stone|lbs?|pounds?|percent|%|°|cm|inch(?:es)?|feet)(?![a-z])",
    re.IGNORECASE,
)


def starts_with_unit(text: str) -> bool:
    """Whether a text begins with a unit, so a number just before it is an amount ("I'm 5 minutes
    in"), not an age."""
    return bool(_UNIT_FIRST.match(text))


@dataclass(frozen=True)
class Amount:
    """How far or how long a person says they walk: metres for a distance, minutes for a time."""

    kind: str  # "distance" or "duration"
    value: float
    start: int
    end: int
    #: a bare number that took its unit from the amount before it ("from 20 minutes to about 3")
    inherited: bool = False


@dataclass(frozen=True)
class Period:
    """A stretch of time a text refers back over ("three weeks ago", "in a fortnight"), in days."""

    days: float
    start: int
    end: int


def is_count_word(word: str) -> bool:
    """Whether one word is a count: digits, or a number word other than "a" and "an" ("two", "half",
    "a couple" counts by its "couple"): the word before a unit that makes it an amount."""
    return word.isdigit() or (word in NUMBER_WORDS and word not in ("a", "an"))


def count(text: str) -> float | None:
    """The number a count says ("2", "1/2", "1,000", "two", "a couple of", "half a", "2-3": the mean)."""
    words = re.findall(r"\d+(?:[.,]\d+)*(?:\s*/\s*\d+)?|[a-z]+", text.lower())
    values: list[float] = []
    for word in words:
        if word[0].isdigit():
            if "/" in word:
                top, bottom = (float(part) for part in word.split("/"))
                values.append(top / bottom if bottom else 0.0)
            else:
                values.append(
                    float(word.replace(",", ""))
                    if re.fullmatch(r"\d{1,3}(,\d{3})+", word)
                    else float(word.replace(",", "."))
                )
        elif word in NUMBER_WORDS and word not in ("a", "an"):
            values.append(NUMBER_WORDS[word])
    if "hundred" in words and len(values) > 1:  # "two hundred"
        return values[0] * 100
    if "half" in words and len(values) > 1 and "and" in words:  # "a mile and a half" is said before the unit
        return values[0] + 0.5
    if not values:
        return 1.0 if any(w in ("a", "an", "every") for w in words) else None
    if len(values) > 1 and re.search(r"\w\s*(?:-|\bto\b|\bor\b)\s*\w", text):  # "2-3", "ten or fifteen"
        return sum(values[:2]) / 2
    return values[0]


def _unit(word: str) -> tuple[str, float] | None:
    word = re.sub(r"\s+", "", word.lower())
    for form in (word, word[:-1] if word.endswith("s") else word):
        if form in WALKING_UNITS:
            return WALKING_UNITS[form]
    return None


def walking_amounts(text: str) -> list[Amount]:
    """The distances and walking times a text states, in order: a number or count with a unit of
    length or time ("300 metres", "a couple of blocks", "half a mile", "20 minutes"), and a bare number
    after one of them, which takes its unit ("from 20 minutes to about 3"). Temperatures, years and
    percentages are not amounts."""
    found: list[Amount] = []
    for match in _AMOUNT.finditer(text):
        unit = _unit(match["unit"])
        value = count(match["quantity"]) if match["quantity"].strip() else 1.0
        if unit is None or value is None:
            continue
        found.append(Amount(unit[0], value * unit[1], match.start(), match.end()))
    taken = [(a.start, a.end) for a in found]
    for match in _BARE.finditer(text):
        if any(s <= match.start() < e for s, e in taken):
            continue
        before = [a for a in found if a.end <= match.start() and not a.inherited]
        tail = text[match.end() : match.end() + 12].lower()
        if not before or re.match(r"\s*(?:days?|weeks?|months?|years?|c\b|f\b|am|pm|o'?clock)", tail):
            continue
        value = float(match["quantity"].replace(",", "."))
        if 1900 <= value <= 2100:  # a year
            continue
        last = before[-1]
        unit_value = _unit(text[last.start : last.end].split()[-1]) or (last.kind, 1.0)
        found.append(Amount(last.kind, value * unit_value[1], match.start(), match.end(), inherited=True))
    for match in _HALF.finditer(text):  # "two miles once, these days half"
        before = [a for a in found if a.end <= match.start()]
        if before and not any(a.start <= match.start() < a.end for a in found):
            found.append(Amount(before[-1].kind, before[-1].value / 2, match.start(), match.end(), inherited=True))
    return sorted(found, key=lambda a: a.start)


def periods(text: str) -> list[Period]:
    """The stretches of time a text refers back over, in days, in order: "three weeks ago", "last
    month", "in just two weeks", "within days", "since the start of the month"."""
    found: list[Period] = []
    for match in _PERIOD.finditer(text):
        if match["short"]:
            days = {"7": 1, "52": 7, "12": 30}[match["per"]]
            found.append(Period(float(match["short"]) * days, match.start(), match.end()))
            continue
        unit = list(_PERIOD_WORD.finditer(match.group()))[-1]
        n = count(match.group()[: unit.start()])
        if n is None:  # "last month" is one; "within days" a few
            n = NUMBER_WORDS["few"] if unit.group(2) and "ago" not in match.group().lower() else 1.0
        found.append(Period(n * PERIOD_DAYS[unit.group(1).lower()], match.start(), match.end()))
    return found
