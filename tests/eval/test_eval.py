"""The evaluation sets' figures, held to floors (the README reports them; `python -m
tests.support.evaluation` prints them). A floor is where the engine stands, so a change that makes
understanding worse fails here; the targets of the free-text work are higher (README, "Evaluation")."""

from __future__ import annotations

from dataclasses import dataclass

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


@dataclass(frozen=True)
class Floors:
    """Where a later set's figures stand (a little below): its size, then shares of it."""

    phrases: int
    presentations: int
    accuracy: float
    top3: float
    urgency: float
    recall: float
    #: out-of-scope phrases with no hit, presentations without candidates (None: not held)
    phrases_out: float | None = None
    presentations_out: float | None = None


#: The later sets' floors: `second` (2026-12-02) and `third` (2026-12-03), each held out for a day and
#: then read like the main ones; `heldout` (2026-12-04), never read to decide what to build except
#: its one under-triaged presentation the README names. Lower floors than the main sets', which the
#: engine's mechanisms were built against: the gap is the honest measure of how far those generalise.
FLOORS = {
    "second": Floors(100, 40, accuracy=0.78, top3=0.80, urgency=0.82, recall=0.75),
    "third": Floors(150, 60, 0.77, 0.90, 0.82, 0.62, phrases_out=0.5, presentations_out=0.9),
    "heldout": Floors(150, 60, 0.78, 0.86, 0.88, 0.57, phrases_out=0.7, presentations_out=0.8),
}


@pytest.mark.parametrize("which", sorted(FLOORS))
def test_the_later_sets_hold_their_floors(later_sets: dict[str, tuple[PhraseFigures, TextFigures]], which: str) -> None:
    phrases, texts = later_sets[which]
    floors = FLOORS[which]
    assert phrases.total >= floors.phrases and texts.presentations >= floors.presentations
    assert phrases.accuracy >= floors.accuracy
    assert texts.top3 / texts.in_scope >= floors.top3
    assert texts.urgency_in_range / texts.in_scope >= floors.urgency
    assert texts.recall >= floors.recall
    if floors.phrases_out is not None:
        assert phrases.out_of_scope_empty / phrases.out_of_scope >= floors.phrases_out
    if floors.presentations_out is not None:
        assert texts.out_of_scope_clean / texts.out_of_scope >= floors.presentations_out


def test_no_held_out_presentation_with_a_warning_sign_is_under_triaged(
    later_sets: dict[str, tuple[PhraseFigures, TextFigures]],
) -> None:
    for which, (_, texts) in later_sets.items():
        assert texts.under_triaged == [], which
