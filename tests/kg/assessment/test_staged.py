"""Ranking through a `StagedReader` (what a remote store is): the bound read from an outline, then
whole records only for the conditions the ranking gets to. It must give exactly the ranking that
scoring every touched condition gives, and read fewer conditions whole; checked on the shipped graph
for every pair of its findings (and a pair with one absent), through a reader over the in-memory
index that records what it was asked for."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from itertools import combinations

import pytest

from kg.assessment.scoring import Scorer
from kg.assessment.service import LegPainService
from kg.core.records import Condition
from kg.knowledge.index import TermIndex, assemble_index
from kg.knowledge.protocols import StagedReader


class _Staged:
    """A `StagedReader` over a whole in-memory index: the outline holds each condition's links to the
    reported findings' reach only, as `StoreKnowledge.outline_for` reads them."""

    def __init__(self, ix: TermIndex) -> None:
        self.ix = ix
        self.completed: set[str] = set()

    def index_for(self, present: Sequence[str], absent: Sequence[str]) -> TermIndex:
        return self.ix

    def outline_for(self, present: Sequence[str], absent: Sequence[str]) -> TermIndex:
        ix = self.ix
        reach: set[str] = set()
        narrower: set[str] = set()
        for f in [*present, *absent]:
            below = set(ix.narrower.get(f, frozenset()))
            narrower |= below
            reach |= {f} | below | (ix.findings[f].kinds if f in present else set())
        outline = {
            c.iri: Condition(c.iri, "", (), None, "", (), (), links, (), ())
            for c in ix.conditions.values()
            if (links := tuple(link for link in c.links if link.finding in reach))
        }
        findings = {f: ix.findings[f] for f in {*present, *absent, *narrower}}
        return assemble_index(
            ix.body_systems, ix.urgency_levels, outline, findings, ix.rules, {}, ix.condition_count,
            ix.typical_counts, ix.version, risk_factors=ix.risk_factors,
        )  # fmt: skip

    def complete_for(self, present: Sequence[str], absent: Sequence[str], conditions: Collection[str]) -> TermIndex:
        self.completed |= set(conditions)
        ix = self.ix
        held = {iri: ix.conditions[iri] for iri in conditions}
        return assemble_index(
            ix.body_systems, ix.urgency_levels, held, ix.findings, ix.rules, ix.sources, ix.condition_count,
            ix.typical_counts, ix.version, risk_factors=ix.risk_factors,
        )  # fmt: skip


@pytest.fixture(scope="module")
def whole(service: LegPainService) -> TermIndex:
    return service.knowledge.index_for([], [])


def test_the_fake_is_a_staged_reader(whole: TermIndex) -> None:
    assert isinstance(_Staged(whole), StagedReader)


def test_staged_ranking_is_the_ranking_of_every_touched_condition(whole: TermIndex, service: LegPainService) -> None:
    findings = sorted(whole.findings)
    reference = Scorer(service.knowledge)
    staged_reader = _Staged(whole)
    staged = Scorer(staged_reader)
    checked = 0
    for a, b in combinations(findings, 2):
        for present, absent in (([a, b], []), ([a], [b])):
            for limit in (1, 3):
                expected = reference.ranking(present, absent, limit=limit)
                assert staged.ranking(present, absent, limit=limit) == expected, (present, absent, limit)
                checked += 1
    assert checked > 1000


def test_staged_assessments_write_up_the_same_candidates(whole: TermIndex, service: LegPainService) -> None:
    present = [f for f in whole.findings if f.endswith(("CalfCrampingOnWalking", "ReliefWithinMinutesOfRest"))]
    reference = Scorer(service.knowledge).assess(present, limit=3)
    staged = Scorer(_Staged(whole)).assess(present, limit=3)
    assert staged.candidates == reference.candidates
    assert (staged.urgency, staged.reasons, staged.advice) == (reference.urgency, reference.reasons, reference.advice)


def test_a_staged_ranking_reads_fewer_conditions_whole(whole: TermIndex, service: LegPainService) -> None:
    """The point of staging: with a top of 1, the conditions read whole are fewer than those touched."""
    reader = _Staged(whole)
    present = [f for f in whole.findings if f.endswith("CalfPain")]
    Scorer(reader).ranking(present, limit=1)
    touched = whole.touched(present)
    assert 0 < len(reader.completed) < len(touched)


def test_staged_ranking_with_risk_factors_is_the_same(whole: TermIndex, service: LegPainService) -> None:
    """The outline holds no risk-factor links: the bound adds the most they could give instead."""
    reference, staged = Scorer(service.knowledge), Scorer(_Staged(whole))
    risks = list(whole.risk_factors)[:4]
    for finding in sorted(whole.findings):
        for chosen in ([r] for r in risks):
            expected = reference.ranking([finding], risk_factors=chosen, limit=2)
            assert staged.ranking([finding], risk_factors=chosen, limit=2) == expected, (finding, chosen)
