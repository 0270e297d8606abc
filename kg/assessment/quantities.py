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
