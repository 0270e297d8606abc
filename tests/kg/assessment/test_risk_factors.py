"""Risk factors and patient context: how they change ranking, urgency and what a text is read as.

Hand-made cases whose expected behaviour follows from the cited sources (Wells' score in NICE NG158,
the Department of Health's travel and VTE risk advice, the 2016 AHA/ACC PAD guideline)."""

from __future__ import annotations

import pytest

from kg.assessment.patient import PatientError, PatientInput, Sex, stated_age_and_sex
from kg.assessment.scoring import UnknownTermError
from kg.assessment.service import AssessmentRequest, LegPainService
from kg.assessment.text import Certainty, MentionKind
from kg.core.namespaces import from_curie


def lp(name: str) -> str:
    return from_curie(f"lp:{name}")


DVT, PAD = lp("DeepVeinThrombosis"), lp("PeripheralArteryDisease")


def _score(service: LegPainService, condition: str, **request: object) -> float:
    assessment = service.assess(AssessmentRequest(**request))  # type: ignore[arg-type]
    return next(c.score for c in assessment.candidates if c.condition == condition)


def test_a_recent_long_journey_makes_a_swollen_calf_more_likely_a_clot(service: LegPainService) -> None:
    alone = _score(service, DVT, present=["lp:UnilateralLegSwelling", "lp:CalfPain"])
    travelled = service.assess(
        AssessmentRequest(
            present=["lp:UnilateralLegSwelling", "lp:CalfPain"],
            patient=PatientInput(risk_factors=["lp:LongDistanceTravel"]),
        )
    )
    best = travelled.candidates[0]
    assert best.condition == DVT and best.score > alone
    assert best.risk_factors == (lp("LongDistanceTravel"),)
    assert "More likely because: long-distance travel" in best.explanation
    assert any("journey of 4 hours or more" in s.quote for s in best.sources)


def test_a_risk_factor_alone_makes_no_candidate(service: LegPainService) -> None:
    assessment = service.assess(AssessmentRequest(patient=PatientInput(risk_factors=["lp:Smoking", "lp:Diabetes"])))
    assert assessment.candidates == () and not assessment.in_scope


def test_at_most_two_risk_factors_count_for_a_condition(service: LegPainService) -> None:
    findings = ["lp:CalfCrampingOnWalking", "lp:ReliefWithinMinutesOfRest"]
    two = _score(service, PAD, present=findings, patient=PatientInput(risk_factors=["lp:Smoking", "lp:Diabetes"]))
    four = _score(
        service,
        PAD,
        present=findings,
        patient=PatientInput(risk_factors=["lp:Smoking", "lp:Diabetes", "lp:HighBloodPressure", "lp:HighCholesterol"]),
    )
    none = _score(service, PAD, present=findings)
    assert two == four == pytest.approx(none + 1.0)


def test_a_wells_risk_factor_beside_a_swollen_leg_is_an_emergency(service: LegPainService) -> None:
    swollen = service.assess(AssessmentRequest(present=["lp:UnilateralLegSwelling"]))
    assert swollen.urgency == lp("PromptAssessment")
    wells = service.assess(
        AssessmentRequest(present=["lp:UnilateralLegSwelling"], patient=PatientInput(risk_factors=["lp:ActiveCancer"]))
    )
    assert wells.urgency == lp("Emergency")
    [reason] = [r for r in wells.reasons if r.rule == lp("WellsDvtLikelyRule")]
    assert reason.risk_factors == (lp("ActiveCancer"),)
    # risk factors count only beside a trigger finding: two of them with calf pain are not "DVT likely"
    calf = service.assess(
        AssessmentRequest(
            present=["lp:CalfPain"], patient=PatientInput(risk_factors=["lp:ActiveCancer", "lp:PreviousDvt"])
        )
    )
    assert all(r.rule != lp("WellsDvtLikelyRule") for r in calf.reasons)


def test_an_age_gives_the_age_risk_factors_whose_range_holds_it(service: LegPainService) -> None:
    findings = ["lp:CalfCrampingOnWalking", "lp:ReliefWithinMinutesOfRest"]
    old = service.assess(AssessmentRequest(present=findings, patient=PatientInput(age=67)))
    assert old.patient is not None and old.patient.age_from == "request"
    assert set(old.patient.by_age) == {lp("Age65OrOver"), lp("AgeOver60"), lp("Age45OrOver")}
    pad = next(c for c in old.candidates if c.condition == PAD)
    assert pad.risk_factors == (lp("Age65OrOver"),)
    young = _score(service, PAD, present=findings, patient=PatientInput(age=40))
    assert pad.score > young


def test_sex_changes_no_score(service: LegPainService) -> None:
    findings = ["lp:UnilateralLegSwelling", "lp:CalfPain"]
    scores = {
        sex: [
            c.score
            for c in service.assess(AssessmentRequest(present=findings, patient=PatientInput(sex=sex))).candidates
        ]
        for sex in (Sex.FEMALE, Sex.MALE, None)
    }
    assert scores[Sex.FEMALE] == scores[Sex.MALE] == scores[None]


def test_bad_patient_input_is_a_clear_error(service: LegPainService) -> None:
    with pytest.raises(UnknownTermError) as unknown:
        service.assess(AssessmentRequest(present=["lp:CalfPain"], patient=PatientInput(risk_factors=["lp:CalfPain"])))
    assert unknown.value.unknown == ["lp:CalfPain"]
    with pytest.raises(PatientError, match="between 0 and 130"):
        service.assess(AssessmentRequest(present=["lp:CalfPain"], patient=PatientInput(age=200)))


def test_a_past_clot_is_the_history_risk_factor_not_a_current_clot(service: LegPainService) -> None:
    read = service.parse("I had a clot in my leg in 2019; now my right calf is swollen")
    [clot] = [m for m in read.mentions if m.kind is MentionKind.CONDITION]
    assert clot.iri == DVT and clot.historical and not clot.counts
    assert read.risk_factors(present=True) == [lp("PreviousDvt")]
    assessment = service.assess(AssessmentRequest(text="I had a clot in my leg in 2019; now my right calf is swollen"))
    assert assessment.urgency == lp("Emergency")  # Wells: swelling + previous DVT


def test_risk_factors_in_text_keep_their_polarity(service: LegPainService) -> None:
    read = service.parse("I don't smoke but I'm diabetic, and my feet burn")
    polarity = {m.iri: m.certainty for m in read.mentions if m.kind is MentionKind.RISK_FACTOR}
    assert polarity == {lp("Smoking"): Certainty.NEGATED, lp("Diabetes"): Certainty.AFFIRMED}
    assessment = service.assess(AssessmentRequest(text="I don't smoke but I'm diabetic, and my feet burn"))
    assert assessment.patient is not None
    assert assessment.patient.read == (lp("Diabetes"),) and assessment.patient.absent == (lp("Smoking"),)


def test_a_risk_factor_is_never_read_over_a_finding(service: LegPainService) -> None:
    """ "In bed at night" is pain at rest (a warning sign), not being bedridden."""
    read = service.parse("my foot aches even lying in bed at night")
    found = service.knowledge.findings(read.findings(present=True))
    assert any(lp("PainAtRest") in {f.iri, *f.kinds} for f in found.values())
    assert read.risk_factors(present=True) == []


def test_an_age_stated_in_text_is_understood_and_gives_risk_factors(service: LegPainService) -> None:
    assessment = service.assess(AssessmentRequest(text="I'm 68 and my calf cramps after 200 yards"))
    assert assessment.patient is not None and assessment.patient.age == 68 and assessment.patient.age_from == "text"
    assert lp("Age65OrOver") in assessment.patient.risk_factors
    assert not any("68" in u for u in assessment.unrecognized)


@pytest.mark.parametrize(
    ("text", "age", "sex"),
    [
        ("a 54-year-old woman with heel pain", 54, Sex.FEMALE),
        ("I am 5 minutes into a walk when it starts", None, None),
        ("my 80-year-old mother had a clot", None, None),
        ("67yo male, calf pain", 67, Sex.MALE),
        ("I'm a man of 70", None, Sex.MALE),
    ],
)
def test_age_and_sex_are_the_writers_own(text: str, age: int | None, sex: Sex | None) -> None:
    stated = stated_age_and_sex(text)
    assert (stated.age, stated.sex) == (age, sex)
