"""Body temperatures read from text: units, Fahrenheit, cue words, and numbers that are not temperatures."""

from __future__ import annotations

import pytest

from kg.assessment.quantities import periods, temperatures, walking_amounts


@pytest.mark.parametrize(
    ("text", "celsius"),
    [
        ("the thermometer read 38.5C", 38.5),
        ("a fever of 39 degrees", 39.0),
        ("thermometer says 102\u00b0F", 38.9),
        ("temp of 101F and the knee aches", 38.3),
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


@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [
        ("I manage 250 metres", "distance", 250.0),
        ("around 300m", "distance", 300.0),
        ("half a mile", "distance", 804.6),
        ("a couple of blocks", "distance", 200.0),
        ("two hundred yards", "distance", 182.9),
        ("1.5 km", "distance", 1500.0),
        ("three or four blocks", "distance", 350.0),
        ("ten minutes on my feet", "duration", 10.0),
        ("an hour", "duration", 60.0),
    ],
)
def test_walking_amounts_are_read_in_metres_or_minutes(text: str, kind: str, value: float) -> None:
    [found] = walking_amounts(text)
    assert (found.kind, round(found.value, 1)) == (kind, value)


def test_a_bare_number_takes_the_unit_of_the_amount_before_it() -> None:
    found = walking_amounts("down from 40 minutes to 10.")
    assert [(a.kind, a.value, a.inherited) for a in found] == [("duration", 40.0, False), ("duration", 10.0, True)]


@pytest.mark.parametrize(
    "text", ["I am 67", "since 2019", "in 3 weeks", "a temperature of 38.2", "it hurts 90% of the time", "I'm fine"]
)
def test_other_numbers_are_not_walking_amounts(text: str) -> None:
    assert walking_amounts(text) == []


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("two weeks ago", 14),
        ("a fortnight ago", 14),
        ("last month", 30),
        ("over the past 10 days", 10),
        ("within days", 3),
        ("in just a week", 7),
        ("since the start of the year", 365),
        ("a few months ago", 90),
    ],
)
def test_periods_are_read_in_days(text: str, days: float) -> None:
    [found] = periods(text)
    assert found.days == days
