"""Body temperatures read from text: units, Fahrenheit, cue words, and numbers that are not temperatures."""

from __future__ import annotations

import pytest

from kg.assessment.quantities import temperatures


@pytest.mark.parametrize(
    ("text", "celsius"),
    [
        ("I've got a fever of 38.5C", 38.5),
        ("fever over 39 degrees", 39.0),
        ("thermometer says 102\u00b0F", 38.9),
        ("temp of 101F with my sore leg", 38.3),
        ("running a temperature of 38.9 since Monday", 38.9),
        ("it read 37,8 \u00b0C", 37.8),
        ("98.6 F this morning", 37.0),
    ],
)
def test_a_temperature_is_read_in_celsius(text: str, celsius: float) -> None:
    [found] = temperatures(text)
    assert found.celsius == celsius
    assert text[found.start : found.end].strip()[0].isdigit()


@pytest.mark.parametrize(
    "text", ["after 400 yards", "walked 2-3 minutes", "it was 38 years ago", "one calf is 3 cm bigger", "size 42 shoes"]
)
def test_other_numbers_are_not_temperatures(text: str) -> None:
    assert temperatures(text) == []
