"""The assessment engine: ranking, explanations, urgency rules, and errors."""

from __future__ import annotations

import re

import pytest

from kg.assessment.scoring import UnknownTermError
from kg.core.namespaces import BASE


def ids(*names: str) -> list[str]:
    return [BASE + n for n in names]


def rank_of(service, level: str) -> int:  # noqa: ANN001
    return service.knowledge.urgency_levels()[level].rank


def label(service, iri: str) -> str:  # noqa: ANN001
    return service.knowledge.conditions([iri])[iri].label


def test_every_vignette_passes_in_process(service, vignettes) -> None:  # noqa: ANN001
    """Exactly as DESIGN.md says: first search hit per phrase, then assess."""
    failures = []
    for v in vignettes:
        present = [service.search_findings(p, 1)[0].iri for p in v["present"]]
        absent = [service.search_findings(p, 1)[0].iri for p in v.get("absent", [])]
        result = service.scorer.assess(present, absent)
        labels = [label(service, c.condition) for c in result.candidates]
        rank = rank_of(service, result.urgency)
        exp = v["expect"]
        ok = exp["urgency_min"] <= rank <= exp["urgency_max"]
        if "top1" in exp:
            ok &= bool(labels) and re.search(exp["top1"], labels[0], re.I) is not None
        if "top3" in exp:
            ok &= any(re.search(exp["top3"], lab, re.I) for lab in labels[:3])
        if "not_top1" in exp and labels:
            ok &= re.search(exp["not_top1"], labels[0], re.I) is None
        if not ok:
            failures.append((v["id"], labels[:3], rank))
    assert failures == []


def test_claudication_ranks_peripheral_artery_disease_first_with_a_quote(service) -> None:  # noqa: ANN001
    result = service.scorer.assess(ids("CalfCrampingOnWalking", "ReliefWithinMinutesOfRest"))
    best = result.candidates[0]
    assert best.condition == BASE + "PeripheralArteryDisease" and best.rank == 1
    assert set(best.supporting) == set(ids("CalfCrampingOnWalking", "ReliefWithinMinutesOfRest"))
    assert BASE + "PainAfterPredictableDistance" in best.missing
    assert "calf cramping on walking" in best.explanation
    assert any("relieved within a few minutes of stopping and resting" in s.quote for s in best.sources)
    assert rank_of(service, result.urgency) == 2


def test_relief_with_rest_argues_against_deep_vein_thrombosis(service) -> None:  # noqa: ANN001
    engine = service.scorer
    dvt = BASE + "DeepVeinThrombosis"
    without = {c.condition: c for c in engine.candidates(ids("CalfPain", "ThrobbingPain"))}
    with_relief = {
        c.condition: c for c in engine.candidates(ids("CalfPain", "ThrobbingPain", "ReliefWithinMinutesOfRest"))
    }
    assert BASE + "ReliefWithinMinutesOfRest" in with_relief[dvt].conflicting
    assert with_relief[dvt].score < without[dvt].score


def test_symmetric_feet_first_onset_argues_against_sciatica(service) -> None:  # noqa: ANN001
    ranked = service.scorer.candidates(ids("Tingling", "BurningPain", "SymmetricOnsetInFeet"))
    assert ranked[0].condition == BASE + "PeripheralNeuropathy"
    sciatica = next(c for c in ranked if c.condition == BASE + "Sciatica")
    assert BASE + "SymmetricOnsetInFeet" in sciatica.conflicting


def test_a_finding_reported_absent_counts_against(service) -> None:  # noqa: ANN001
    present = ids("CalfPain", "ThrobbingPainNotRelievedByRest")
    dvt = BASE + "DeepVeinThrombosis"
    before = {c.condition: c.score for c in service.scorer.candidates(present)}
    after = {c.condition: c for c in service.scorer.candidates(present, ids("UnilateralLegSwelling"))}
    assert after[dvt].score < before[dvt]
    assert BASE + "UnilateralLegSwelling" in after[dvt].conflicting


def test_a_specific_report_matches_a_general_typical_finding(service) -> None:  # noqa: ANN001
    """Calf pain on walking is a kind of exertional leg pain, typical of shin splints."""
    ranked = {c.condition: c for c in service.scorer.candidates(ids("CalfPainOnWalking"))}
    assert BASE + "CalfPainOnWalking" in ranked[BASE + "MedialTibialStressSyndrome"].supporting


@pytest.mark.parametrize(
    "name",
    [
        "PainAtRest",
        "Fever",
        "Chills",
        "UnilateralLegSwelling",
        "LegWarmth",
        "LegRedness",
        "ThrobbingPainNotRelievedByRest",
        "SuddenSeverePain",
        "InabilityToBearWeight",
        "RapidShrinkingWalkingDistance",
        "SuddenSeverePainPreventingWeightBearing",
        "IschemicFootRestPain",
    ],
)
def test_urgency_is_never_lower_than_a_reported_warning_sign(service, name: str) -> None:  # noqa: ANN001
    finding = service.knowledge.findings([BASE + name])[BASE + name]
    for company in ([], ids("ReliefWithinMinutesOfRest"), ids("DullAche", "MuscleOverstretch")):
        result = service.scorer.assess([BASE + name, *company])
        assert rank_of(service, result.urgency) >= rank_of(service, finding.warrants)
        assert BASE + name in result.warning_signs


def test_a_worsening_said_to_be_fast_makes_a_slow_comparison_the_warning_sign(service) -> None:  # noqa: ANN001
    from kg.assessment.service import AssessmentRequest

    slow = "Half a year ago I managed two miles with the dog. These days I stop after 200 yards, my calves cramp."
    gradual = service.assess(AssessmentRequest(text=slow))
    fast = service.assess(AssessmentRequest(text=slow + " It keeps getting worse really quickly."))
    said = {m.iri.removeprefix(BASE) for m in fast.understood if m.counts}
    assert "RapidShrinkingWalkingDistance" in said and "WalkingDistanceShrinking" not in said
    assert rank_of(service, fast.urgency) == 3 > rank_of(service, gradual.urgency)
    assert fast.candidates[0].condition == BASE + "PeripheralArteryDisease"


def test_two_signs_of_deep_vein_thrombosis_make_an_emergency(service) -> None:  # noqa: ANN001
    one = service.scorer.assess(ids("LegWarmth"))
    two = service.scorer.assess(ids("LegWarmth", "LegRedness"))
    assert rank_of(service, one.urgency) == 3
    assert rank_of(service, two.urgency) == 4
    assert any(r.rule == BASE + "DvtSignClusterRule" for r in two.reasons)
    assert all(r.sources for r in two.reasons)


def test_sudden_severe_pain_with_no_weight_bearing_is_an_emergency(service) -> None:  # noqa: ANN001
    result = service.scorer.assess(ids("SuddenSeverePain", "InabilityToBearWeight"))
    assert rank_of(service, result.urgency) == 4


def test_self_care_for_a_mechanical_picture(service) -> None:  # noqa: ANN001
    result = service.scorer.assess(ids("ShinSplintPain", "PainEasesOnWarmUp"))
    assert result.candidates[0].condition == BASE + "MedialTibialStressSyndrome"
    assert rank_of(service, result.urgency) == 1


def test_unknown_ids_are_listed(service) -> None:  # noqa: ANN001
    with pytest.raises(UnknownTermError) as error:
        service.scorer.assess(["lp:CalfPain", "lp:NoSuchThing", "lp:PeripheralArteryDisease"], ["bogus"])
    assert error.value.unknown == ["lp:NoSuchThing", "lp:PeripheralArteryDisease", "bogus"]


def test_empty_presentation_says_so_and_has_no_candidates(service) -> None:  # noqa: ANN001
    result = service.scorer.assess([])
    assert result.candidates == ()
    assert "No findings" in result.advice


def test_out_of_scope_presentation_has_no_candidates(service) -> None:  # noqa: ANN001
    """Findings that no condition has (here only the generic complaint) give no noise candidates."""
    result = service.scorer.assess(ids("SuddenSeverePain"))
    assert result.candidates == ()
    assert "None of the conditions" in result.advice


def test_ids_may_be_curies_or_iris_and_repeats_count_once(service) -> None:  # noqa: ANN001
    a = service.scorer.candidates(["lp:CalfCrampingOnWalking", BASE + "CalfCrampingOnWalking"])
    b = service.scorer.candidates(ids("CalfCrampingOnWalking"))
    assert [(c.condition, c.score) for c in a] == [(c.condition, c.score) for c in b]


def test_ranks_are_consecutive_and_scores_descending(service) -> None:  # noqa: ANN001
    ranked = service.scorer.candidates(ids("Tingling", "Numbness", "MuscleWeakness", "ButtockPain"), limit=50)
    assert [c.rank for c in ranked] == list(range(1, len(ranked) + 1))
    assert [c.score for c in ranked] == sorted((c.score for c in ranked), reverse=True)
    assert len(service.scorer.candidates(ids("Tingling"), limit=1)) == 1
