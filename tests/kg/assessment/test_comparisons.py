"""Walking distance compared over time: which amount is the past, rapid or not, and what is not a
comparison (`kg.assessment.comparisons`)."""

from __future__ import annotations

import pytest

from kg.assessment.comparisons import sentences, shrinking, shrinkings


@pytest.mark.parametrize(
    "text",
    [
        "Two months back I walked two miles without bother, these days 300 metres is my limit",
        "I'm down to about 100 m from nearly a kilometre",
        "I get 2 blocks now, it used to be 8",
        "my walk to the shops went from 15 minutes to 5",
        "now I stop at every lamppost instead of every few streets",
        "I can't get anywhere near as far as I could last spring, not nearly as far",
        "the distance before the ache comes on has shortened",
    ],
)
def test_a_shrinking_walking_distance_is_read(text: str) -> None:
    assert shrinking(text) is not None


@pytest.mark.parametrize(
    "text",
    [
        "I walk 2 miles then rest for 5 minutes",
        "after 400 yards the calf tightens and it settles in 2 minutes",
        "these days I walk 3 miles, last year only 1 mile",  # it grew
        "I can't walk far",  # no comparison with the past
        "I walk 20 minutes to the park and 20 minutes back",
    ],
)
def test_other_amounts_are_not_a_shrinking(text: str) -> None:
    assert shrinking(text) is None


@pytest.mark.parametrize(
    ("text", "rapid"),
    [
        ("ten days ago I did a mile, now 200 yards", True),
        ("within a fortnight it dropped from 30 minutes to 10", True),
        ("in the last month the distance has dropped", True),
        ("I could walk a mile three years ago, now half a mile", False),
        ("it's gone from 1 km to 500 m since last year", False),
        ("the distance has come down all of a sudden", True),
        ("I get 2 blocks now, it used to be 8", False),  # no period said: the general finding
    ],
)
def test_rapid_is_a_short_period_or_said_sudden(text: str, rapid: bool) -> None:
    stated = shrinking(text)
    assert stated is not None
    assert stated.rapid(42) is rapid


def test_the_spans_cover_the_comparison_then_its_parts() -> None:
    text = "ten days ago I did a mile, now 200 yards"
    stated = shrinking(text)
    assert stated is not None
    assert [text[a:b] for a, b in stated.spans] == ["a mile, now 200 yards", "200 yards", "a mile", "ten days ago"]


def test_sentences_keep_decimals_whole() -> None:
    text = "It was 1.5 km. Now 0.5 km! Fine"
    assert [text[a:b] for a, b in sentences(text)] == ["It was 1.5 km.", " Now 0.5 km!", " Fine"]


def test_a_comparison_across_two_sentences_is_read() -> None:
    """A past amount in one sentence and the present one in the next: one shrinking over both."""
    text = "A month ago I managed a mile without stopping. These days I stop after about 100 yards."
    (found,) = shrinkings(text)
    assert (found[0], found[1]) == (0, len(text))
    assert found[2].days == 30


def test_two_sentences_that_compare_nothing_over_time_are_not_a_shrinking() -> None:
    assert shrinkings("I walk two miles every day. My calf hurts after 200 yards.") == []
    assert shrinkings("A year ago I walked 200 yards. Now I manage a mile.") == []


@pytest.mark.parametrize(
    "text",
    [
        "my calf trouble is deteriorating really quickly",
        "both legs swiftly getting worse",
        "the legs get worse by the day",
    ],
)
def test_a_worsening_said_to_be_fast_is_the_rapid_kind(text: str) -> None:
    (found,) = shrinkings(text)
    assert found[2].rapid(42)


@pytest.mark.parametrize(
    "text",
    [
        "my shin feels worse when I hike fast",  # the speed is the walking's
        "my sore throat is getting worse fast",  # not about walking or the leg
        "my calf is getting worse",  # no speed
    ],
)
def test_other_worsening_is_no_shrinking(text: str) -> None:
    assert shrinkings(text) == []


def test_a_fast_worsening_after_a_comparison_makes_it_rapid() -> None:
    without = "Twelve weeks ago I managed two miles easily. These days it is about 200 metres."
    text = without + " It keeps deteriorating really quickly."
    ((start, end, stated),) = shrinkings(text)
    assert stated.rapid(42) and stated.days == 84  # twelve weeks: past the 42 days, rapid by the words
    assert text[start:end] == text  # the comparison and the sentence that says how fast
    ((_, _, slower),) = shrinkings(without)
    assert not slower.rapid(42)
