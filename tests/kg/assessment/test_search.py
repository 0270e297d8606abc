"""Symptom search: lay words, paraphrases, negation, robustness, and silence on nonsense."""

from __future__ import annotations

import pytest

from kg.assessment.search import Sites, TermMatcher, is_negation, normalize, words
from kg.assessment.service import LegPainService
from kg.core.namespaces import BASE
from kg.core.records import Site


def first(service, phrase: str) -> str | None:  # noqa: ANN001
    hits = service.search_findings(phrase, 1)
    return hits[0].iri.removeprefix(BASE) if hits else None


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("pins and needles", "PinsAndNeedles"),
        ("Pins & Needles!!", "PinsAndNeedles"),
        ("needles and pins", "PinsAndNeedles"),
        ("shin splints", "ShinSplintPain"),
        ("can't put weight on it", "InabilityToBearWeight"),
        ("I cannot stand on my leg", "InabilityToBearWeight"),
        ("pain eases when I stand still", "ReliefWithinMinutesOfRest"),
        ("pain goes away when I stop", "ReliefWithinMinutesOfRest"),
        ("rest doesn't help the pain", "PainNotRelievedByRest"),
        ("my calves cramp up on walks", "CalfCrampingOnWalking"),
        ("hurts even when resting", "PainAtRest"),
        ("numb toes and feet", "Numbness"),
        ("running a temperature", "Fever"),
        ("shivering", "Chills"),
        ("slipped a muscle, pulled muscle", "MuscleOverstretch"),
        ("puffy swollen calf", "UnilateralLegSwelling"),
        ("back of my heel is sore", "PosteriorHeelPain"),
        ("sole of the foot hurts", "SoleOfFootPain"),
        ("electric shock feeling down the leg", "SharpShootingPain"),
        ("legs tire quickly", "MuscleFatigue"),
        ("claudication", "IntermittentClaudication"),
        ("paresthesia", "Tingling"),
        ("walking distance dropping fast", "RapidShrinkingWalkingDistance"),
    ],
)
def test_lay_phrase_finds_the_right_finding(service, phrase: str, expected: str) -> None:  # noqa: ANN001
    assert first(service, phrase) == expected


def test_negation_separates_relieved_from_not_relieved(service) -> None:  # noqa: ANN001
    assert first(service, "pain relieved by rest") == "ReliefWithinMinutesOfRest"
    assert first(service, "pain not relieved by rest") == "PainNotRelievedByRest"


@pytest.mark.parametrize("phrase", ["purple elephant", "headache", "", "   ", "!!!", "the and of"])
def test_nonsense_and_out_of_scope_phrases_return_nothing(service, phrase: str) -> None:  # noqa: ANN001
    assert service.search_findings(phrase, 5) == []


def test_a_typo_is_forgiven(service) -> None:  # noqa: ANN001
    assert first(service, "numbnes") == "Numbness"
    assert first(service, "tinglingg") == "Tingling"


def test_results_are_ranked_scored_and_limited(service) -> None:  # noqa: ANN001
    hits = service.search_findings("calf pain", 5)
    assert 1 < len(hits) <= 5
    assert hits[0].iri == BASE + "CalfPain"
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert all(0 < h.score <= 1 for h in hits)
    assert service.search_findings("calf pain", 0) == []


def test_conditions_can_be_searched_by_lay_name(service) -> None:  # noqa: ANN001
    assert service.search_conditions("slipped disc", 1)[0].iri == BASE + "HerniatedDisc"
    assert service.search_conditions("shin splints", 1)[0].iri == BASE + "MedialTibialStressSyndrome"


def test_normalize_folds_case_contractions_plurals_and_stop_words() -> None:
    assert normalize("My FEET can't feel anything") == normalize("foot can not feel anything")
    assert "not" in normalize("doesn't ease")
    assert normalize("the of and") == ()


def test_very_long_input_is_cut_not_crashing() -> None:
    matcher = TermMatcher({"x": ["calf pain"]})
    assert matcher.search("calf pain " * 10_000, 3)[0].iri == "x"


@pytest.mark.parametrize(
    ("phrase", "finding"),
    [
        ("chest pain", "ChestPain"),
        ("short of breath", "Breathlessness"),
        ("coughing up blood", "CoughingUpBlood"),
        ("passing out", "Fainting"),
    ],
)
def test_the_signs_of_a_clot_in_the_lungs_are_emergency_warning_signs(
    service: LegPainService, phrase: str, finding: str
) -> None:
    """Outside the article, from a named standard source: found by their usual names, emergency level."""
    [hit] = service.search_findings(phrase, 1)
    assert hit.iri == BASE + finding
    record = service.knowledge.findings([hit.iri])[hit.iri]
    assert record.is_warning and record.warrants == BASE + "Emergency"


@pytest.mark.parametrize(
    ("phrase", "folded"),
    [
        ("it went away", ["relieve"]),
        ("wears off after a bit", ["relieve", "after"]),
        ("once I put my feet up", ["rest"]),
        ("standing still", ["rest"]),
        ("the ache dies down", ["pain", "relieve"]),
        ("away we go", ["away", "go"]),  # a phrase only in its own order
        ("my ankle gives way", ["ankle", "weakness"]),
        ("sore on foot, fine on the bike", ["pain", "walking", "fine", "bike"]),  # "on foot" word for word
        ("foot on the pedal", ["foot", "pedal"]),
        ("right calf and left foot", ["one", "calf", "one", "foot"]),
        ("the numbness crept up past my ankles", ["numbness", "spreading", "upward", "past", "ankle"]),
        ("then it comes back", ["returns"]),
        ("it goes when I stop", ["relieve", "rest"]),  # a pain that goes goes away
        ("it still goes off after a sit", ["still", "relieve", "after", "rest"]),
        ("it goes down my leg", ["goes", "down", "leg"]),  # "goes" alone is not relief
        ("sitting still", ["rest"]),
        ("after a sit it's okay again", ["after", "rest", "relieve"]),  # well again after it
        ("we carry on to the park", ["continue", "park"]),  # going on, not carrying a load
        ("resolving after I sit", ["relieve", "after", "rest"]),
        ("eases when I sit", ["relieve", "rest"]),  # every form of sitting is rest, "sit" too
        ("a 20 minute walk", ["20", "walking", "walking"]),  # the time walked says walking
        ("once I have walked for 40 minutes", ["walking", "40", "walking"]),
        ("walked ten minutes", ["walking", "ten", "walking"]),
        ("I rest for 2 minutes", ["rest", "2", "minutes"]),  # any other time stays a time
    ],
)
def test_phrasal_verbs_fold_to_one_word(phrase: str, folded: list[str]) -> None:
    from kg.assessment.search import words

    assert words(phrase) == folded


def test_a_phrase_folds_across_token_groups_into_its_first_group() -> None:
    from kg.assessment.search import fold

    assert fold([["it"], ["calms"], ["down"], ["later"]]) == [[], ["relieve"], [], ["later"]]


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("the pain wakes me at night", "PainAtRest"),
        ("aches when I'm lying on the sofa", "PainAtRest"),
        ("it wears off within a few minutes of stopping to rest", "ReliefWithinMinutesOfRest"),
        ("calf pain that doesn't go when I sit down", "PainNotRelievedByRest"),
    ],
)
def test_rest_is_said_by_situation(service, phrase: str, expected: str) -> None:  # noqa: ANN001
    assert first(service, phrase) == expected


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("eight weeks ago I could do 3 miles, now I stop after half a mile", "WalkingDistanceShrinking"),
        ("over ten days it went from 800 yards to 100", "RapidShrinkingWalkingDistance"),
    ],
)
def test_a_comparison_comes_first_in_a_phrase_search(service, phrase: str, expected: str) -> None:  # noqa: ANN001
    """Eight weeks is past the graph's 42 days for the rapid kind; ten days is within it."""
    assert first(service, phrase) == expected


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("the ache dissappears when I sit down", "ReliefWithinMinutesOfRest"),  # a typo of a lay word
        ("I've been walking with a limp", "ShorterSlowerStride"),  # HPO's synonym of its close match
        ("a zinging feeling in my calf", "SharpShootingPain"),
        ("legs heavy and knackered after a hike", "MuscleFatigue"),
        ("my knee keeps giving way", "MuscleWeakness"),
        ("carrying my grandson makes my knee worse", "PainWorseWithLoad"),
        ("I overdid it on a hike and now my shin aches", "RepetitiveOveruse"),
    ],
)
def test_lay_word_families_and_their_typos(service, phrase: str, expected: str) -> None:  # noqa: ANN001
    assert first(service, phrase) == expected


_T = "http://example.org/s/"
_SITES = Sites(
    {
        _T + "Leg": Site(_T + "Leg", "leg", ("lower limb",), frozenset()),
        _T + "Calf": Site(_T + "Calf", "calf", ("back of the lower leg",), frozenset({_T + "LowerLeg", _T + "Leg"})),
        _T + "LowerLeg": Site(_T + "LowerLeg", "lower leg", (), frozenset({_T + "Leg"})),
        _T + "Foot": Site(_T + "Foot", "foot", (), frozenset({_T + "Leg"})),
        _T + "Sole": Site(_T + "Sole", "sole of the foot", ("arch of the foot",), frozenset({_T + "Foot", _T + "Leg"})),
        _T + "LowerBack": Site(_T + "LowerBack", "lower back", (), frozenset()),
    }
)
_TERMS = {
    "CalfCramp": ("calf cramps when walking",),
    "LegCramp": ("leg cramps when walking",),
    "OneLegSwelling": ("swelling of one leg",),
    "SolePain": ("pain in the sole of the foot",),
    "BackPain": ("lower back pain",),
    "CalfPain": ("calf pain",),
}


def _site_search(phrase: str) -> str | None:
    hits = TermMatcher(_TERMS, _SITES).search(phrase, 1)
    return hits[0].iri if hits else None


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("my legs cramp when walking", "LegCramp"),  # not the calf: the label would name a place not said
        ("right calf swollen", "OneLegSwelling"),  # a calf is part of a leg; a named side is one side
        ("the arch of the foot hurts", "SolePain"),  # the same site in other words
        ("lower back ache and a sore leg", "BackPain"),  # names are read in order: not "back of the lower leg"
        ("pain at the back of the lower leg", "CalfPain"),
    ],
)
def test_a_site_goes_up_the_part_of_hierarchy_and_never_to_another_place(phrase: str, expected: str) -> None:
    assert _site_search(phrase) == expected


def test_a_specific_site_label_beats_its_generalisation() -> None:
    """ "calf cramps when walking" says the calf in full; "leg cramps" holds it only through the
    hierarchy, at a discount."""
    hits = TermMatcher(_TERMS, _SITES).search("calf cramps on my walks", 2)
    assert [h.iri for h in hits] == ["CalfCramp", "LegCramp"]


@pytest.mark.parametrize(
    "phrase", ["a puffy, stiff wrist", "tingling in my fingertips and thumb", "my jaw aches when I chew", "hay fever"]
)
def test_complaints_about_another_part_of_the_body_match_no_leg_finding(service, phrase: str) -> None:  # noqa: ANN001
    assert service.search_findings(phrase, 3) == []


def test_a_warning_sign_is_read_even_beside_another_part_of_the_body(service) -> None:  # noqa: ANN001
    """Elsewhere words never hide the signs of a clot in the lungs; a leg site said beside them counts."""
    hits = {h.iri.removeprefix(BASE) for h in service.search_findings("sore elbow and sudden chest pain", 5)}
    assert "ChestPain" in hits
    assert first(service, "my shoulder and my right calf are swollen") == "UnilateralLegSwelling"


@pytest.mark.parametrize("phrase", ["a sore throat", "pins and needles in my eyelid", "nausea and vomiting"])
def test_a_named_complaint_elsewhere_matches_nothing(service, phrase: str) -> None:  # noqa: ANN001
    assert service.search_findings(phrase, 3) == []
    assert service.search_conditions(phrase, 3) == []


def test_the_graphs_own_words_are_never_elsewhere(service) -> None:  # noqa: ANN001
    """A phrase in the graph's own words is never read elsewhere, and a warning sign outweighs a loose
    reading elsewhere."""
    assert first(service, "shortness of breath") == "Breathlessness"
    assert first(service, "calf cramps when walking") == "CalfCrampingOnWalking"


def test_a_negation_inside_a_set_phrase_negates_nothing_after_it(service) -> None:  # noqa: ANN001
    """ "can't feel" is numbness; the pain said after it in the same clause stays affirmed."""
    read = {
        m.iri.removeprefix(BASE): m.present for m in service.parse("I can't feel my big toe and my shin aches").mentions
    }
    assert read.get("Numbness") is True
    assert read.get("ShinPain") is True


def test_a_negated_verb_and_without_cancel(service) -> None:  # noqa: ANN001
    """ "can't get far without my calf cramping": the cramp happens; a plain "without" still negates."""
    read = {
        m.iri.removeprefix(BASE): m.present for m in service.parse("I can't get far without my calf cramping").mentions
    }
    assert read.get("CalfCrampingOnWalking", read.get("CalfPain")) is True
    plain = {m.iri.removeprefix(BASE): m.present for m in service.parse("walking without any calf pain").mentions}
    assert False in plain.values()


def test_a_negated_amount_before_without_is_no_inability_to_walk(service) -> None:  # noqa: ANN001
    """ "can't walk 200 m without ..." says what happens at 200 m: it is not "cannot walk on it", the
    warning sign; without an amount the negated label still reads."""

    def read(text: str) -> set[str]:
        return {m.iri.removeprefix(BASE) for m in service.parse(text).mentions if m.counts and m.present}

    assert "InabilityToBearWeight" not in read("I can't walk 200 m without my calves cramping")
    assert "InabilityToBearWeight" in read("I can't put weight on it without crying")
    assert "InabilityToBearWeight" in read("since the fall I can't walk on it")


def test_and_with_a_new_subject_ends_a_negation(service) -> None:  # noqa: ANN001
    """ "I can't sleep and my chest hurts": the chest pain (a warning sign) is affirmed; a list after
    "no" stays negated."""
    read = {m.iri.removeprefix(BASE): m.present for m in service.parse("I can't sleep and my chest hurts").mentions}
    assert read.get("ChestPain") is True
    listed = {m.iri.removeprefix(BASE): m.present for m in service.parse("no redness and swelling").mentions}
    assert listed and not any(listed.values())


def test_breathlessness_said_as_a_negated_idiom(service) -> None:  # noqa: ANN001
    read = {
        m.iri.removeprefix(BASE): m.present for m in service.parse("walking uphill I can not catch my breath").mentions
    }
    assert read.get("Breathlessness") is True


@pytest.mark.parametrize(
    ("phrase", "expected"), [("kneepain going downhill", "KneePain"), ("bad shinpain", "ShinPain")]
)
def test_two_label_words_run_together_are_split(service, phrase: str, expected: str) -> None:  # noqa: ANN001
    assert first(service, phrase) == expected


def test_a_word_run_together_with_a_typo_of_another_is_split(service) -> None:  # noqa: ANN001
    assert [m.iri.removeprefix(BASE) for m in service.search_conditions("maybe shinsplits?", 1)] == [
        "MedialTibialStressSyndrome"
    ]
    assert service.search_findings("heartburn after a curry", 1) == []  # "heart" is no typo of "heat"


def test_clinical_shorthand(service) -> None:  # noqa: ANN001
    """Clinicians' words: afebrile is fever absent, pyrexial and SOB are present, 3/52 is three weeks."""
    read = {
        m.iri.removeprefix(BASE): m.present for m in service.parse("L calf tender, afebrile, SOB on exertion").mentions
    }
    assert read.get("Fever") is False
    assert read.get("Breathlessness") is True
    from kg.assessment.quantities import periods

    assert [p.days for p in periods("walking distance halved over 3/52")] == [21.0]
    assert first(service, "L calf aches when ambulating") == "CalfPainOnWalking"  # ambulation is walking


def test_a_negation_after_a_labels_words_is_not_its_own(service) -> None:  # noqa: ANN001
    """ "sore on walking, no redness": the "no" belongs to the redness, not to "pain without walking"."""
    read = {m.iri.removeprefix(BASE): m.present for m in service.parse("calf sore on walking, no redness").mentions}
    assert "PainAtRest" not in read
    assert read.get("LegRedness") is False


@pytest.mark.parametrize(
    ("word", "negates"),
    [
        ("doesnt", True),
        ("wasnt", True),
        ("couldnt", True),
        ("dosent", True),  # two letters swapped
        ("doesent", True),  # one letter more
        ("dosnt", True),  # one letter fewer
        ("zero", True),
        ("agent", False),  # one letter changed: a word of its own
        ("parent", False),
        ("present", False),
        ("doesn", False),
    ],
)
def test_negations_are_read_as_people_type_them(word: str, negates: bool) -> None:
    assert is_negation(word) is negates


@pytest.mark.parametrize(
    ("phrase", "said"),
    [
        ("cramps after two blocks", ["cramp", "after", "two", "walking"]),
        ("aches after 300m", ["pain", "after", "walking"]),
        ("half a mile in", ["half", "walking"]),
        ("hurts after 5 minutes", ["pain", "after", "5", "minutes"]),  # a time is not a distance
        ("my feet hurt", ["foot", "pain"]),  # "feet" after no count is the body part
    ],
)
def test_a_walking_distance_says_walking(phrase: str, said: list[str]) -> None:
    assert words(phrase) == said


def test_the_head_of_a_compound_reads_as_the_compound() -> None:
    """A word no label holds that ends a label's compound word names that compound's kind of it."""
    matcher = TermMatcher({BASE + "A": ("polyneuropathy",), BASE + "B": ("knee pain",)})
    assert [m.iri for m in matcher.search("neuropathy")] == [BASE + "A"]


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("the ache doesnt go away when I sit down", "PainNotRelievedByRest"),
        ("sitting down makes no difference to the pain", "PainNotRelievedByRest"),
        ("resting helps the calf pain", "ReliefWithinMinutesOfRest"),
    ],
)
def test_relief_and_its_negation_in_other_words(service, phrase: str, expected: str) -> None:  # noqa: ANN001
    assert first(service, phrase) == expected


def test_a_condition_named_beside_findings_is_found(service) -> None:  # noqa: ANN001
    """A phrase that names a condition among other words is read as a text, as findings are."""
    hits = service.search_conditions("my doctor says I have a slipped disc and my foot tingles", 3)
    assert hits and hits[0].iri == BASE + "HerniatedDisc"
