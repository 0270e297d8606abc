"""The evaluation sets' figures, held to floors (the README reports them; `python -m
tests.support.evaluation` prints them). A floor is where the engine stands, so a change that makes
understanding worse fails here; the targets of the free-text work are higher (README, "Evaluation")."""

from __future__ import annotations

import pytest

from kg.assessment.service import LegPainService
from tests.support.evaluation import PhraseFigures, TextFigures, phrase_figures, text_figures


@pytest.fixture(scope="module")
def phrases(service: LegPainService) -> PhraseFigures:
    return phrase_figures(service)


@pytest.fixture(scope="module")
def texts(service: LegPainService) -> TextFigures:
    return text_figures(service)


def test_the_sets_are_large_enough(phrases: PhraseFigures, texts: TextFigures) -> None:
    """At least 300 phrases and 100 presentations, as the free-text issue asks."""
    assert phrases.total + phrases.out_of_scope >= 300
    assert texts.presentations >= 100


def test_phrases_resolve_to_the_intended_finding(phrases: PhraseFigures) -> None:
    """First search hit per lay phrase, as DESIGN.md's clients do it."""
    assert phrases.accuracy >= 0.82, phrases.misses[:20]


def test_out_of_scope_phrases_mostly_match_nothing(phrases: PhraseFigures) -> None:
    assert phrases.out_of_scope_empty / phrases.out_of_scope >= 0.9


def test_presentations_rank_and_triage(texts: TextFigures) -> None:
    """The expected condition in the top 3 and the urgency in the expected range, from free text alone."""
    assert texts.top3 / texts.in_scope >= 0.88
    assert texts.urgency_in_range / texts.in_scope >= 0.93
    assert texts.out_of_scope_clean == texts.out_of_scope


def test_mentions_and_their_polarity(texts: TextFigures) -> None:
    assert texts.recall >= 0.80
    assert texts.precision >= 0.68
    assert texts.negated_correct / texts.negated_expected >= 0.9


def test_no_presentation_with_a_warning_sign_is_under_triaged(texts: TextFigures) -> None:
    """The safety bar: never an urgency below a stated warning sign's."""
    assert texts.under_triaged == []


@pytest.fixture(scope="module")
def later_sets(service: LegPainService) -> dict[str, tuple[PhraseFigures, TextFigures]]:
    """The figures of the sets written after the main ones (`tests.support.evaluation.SETS`)."""
    return {
        which: (phrase_figures(service, which), text_figures(service, which))
        for which in ("second", "third", "heldout")
    }


def test_the_second_sets_hold_their_floors(later_sets: dict[str, tuple[PhraseFigures, TextFigures]]) -> None:
    """The second sets (`tests/eval/second/`), held out for a day and then read like the main ones."""
    second_phrases, second_texts = later_sets["second"]
    assert second_phrases.total >= 100 and second_texts.presentations >= 40
    assert second_phrases.accuracy >= 0.78
    assert second_texts.top3 / second_texts.in_scope >= 0.80
    assert second_texts.urgency_in_range / second_texts.in_scope >= 0.82
    assert second_texts.recall >= 0.75
    assert second_texts.under_triaged == []


def test_the_third_sets_hold_their_floors(later_sets: dict[str, tuple[PhraseFigures, TextFigures]]) -> None:
    """The third sets (`tests/eval/third/`), written 2026-12-03, held out for a day, then read."""
    third_phrases, third_texts = later_sets["third"]
    assert third_phrases.total >= 150 and third_texts.presentations >= 60
    assert third_phrases.accuracy >= 0.77
    assert third_phrases.out_of_scope_empty / third_phrases.out_of_scope >= 0.5
    assert third_texts.top3 / third_texts.in_scope >= 0.90
    assert third_texts.urgency_in_range / third_texts.in_scope >= 0.82
    assert third_texts.out_of_scope_clean / third_texts.out_of_scope >= 0.9
    assert third_texts.recall >= 0.62


def test_the_held_out_sets_hold_their_floors(later_sets: dict[str, tuple[PhraseFigures, TextFigures]]) -> None:
    """The held-out sets (`tests/eval/heldout/`, written 2026-12-04 and never read to decide what to
    build, except the one under-triaged presentation the README names): lower floors than the main
    sets', which the engine's mechanisms were built against; the gap is the honest measure of how far
    those generalise."""
    heldout_phrases, heldout_texts = later_sets["heldout"]
    assert heldout_phrases.total >= 150 and heldout_texts.presentations >= 60
    assert heldout_phrases.accuracy >= 0.78
    assert heldout_phrases.out_of_scope_empty / heldout_phrases.out_of_scope >= 0.7
    assert heldout_texts.top3 / heldout_texts.in_scope >= 0.86
    assert heldout_texts.urgency_in_range / heldout_texts.in_scope >= 0.88
    assert heldout_texts.out_of_scope_clean / heldout_texts.out_of_scope >= 0.8
    assert heldout_texts.recall >= 0.57


def test_no_held_out_presentation_with_a_warning_sign_is_under_triaged(
    later_sets: dict[str, tuple[PhraseFigures, TextFigures]],
) -> None:
    for which, (_, texts) in later_sets.items():
        assert texts.under_triaged == [], which
