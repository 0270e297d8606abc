"""Reading free text, pinned on a tiny hand-built vocabulary (so editing the ontology cannot break it):
negation and its scope, a negation inside a finding's own meaning, someone else's findings, possible
and historical mentions, offsets, and what is not understood."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pytest

from kg.assessment.search import TermSearch
from kg.assessment.text import Certainty, MentionKind, TextReader, TextTooLongError
from kg.core.records import Finding, Site

E = "http://example.org/t/"
FINDINGS = {
    E + "Numbness": ("numbness",),
    E + "Swelling": ("leg swelling", "swollen leg"),
    E + "CalfCramp": ("calf cramps when walking",),
    E + "CalfPain": ("calf pain",),
    E + "NotRelieved": ("pain not relieved by rest",),
    E + "Clot": ("blood clot",),
}
CONDITIONS = {E + "SlippedDisc": ("slipped disc",)}


class _Names:
    def data_version(self) -> str:
        return "v1"

    def ontology_version(self) -> str:
        return "test"

    def graph_sizes(self) -> dict[str, int]:
        return {}

    def finding_names(self) -> Mapping[str, tuple[str, ...]]:
        return FINDINGS

    def condition_names(self) -> Mapping[str, tuple[str, ...]]:
        return CONDITIONS

    def risk_factor_names(self) -> Mapping[str, tuple[str, ...]]:
        return {}

    def sites(self) -> Mapping[str, Site]:
        return {}


def _finding(iri: str, kinds: frozenset[str] = frozenset()) -> Finding:
    return Finding(iri, FINDINGS.get(iri, ("",))[0], (), None, "c", "c", kinds, None, (), False, (), ())


def _lookup(iris: Iterable[str]) -> dict[str, Finding]:
    kinds = {E + "CalfCramp": frozenset({E + "CalfPain"})}
    return {i: _finding(i, kinds.get(i, frozenset())) for i in iris if i in FINDINGS}


@pytest.fixture(scope="module")
def reader() -> TextReader:
    return TextReader(TermSearch(_Names()), _lookup, lambda: list(FINDINGS))


def _read(reader: TextReader, text: str) -> dict[str, tuple[Certainty, bool, bool]]:
    return {m.iri.removeprefix(E): (m.certainty, m.historical, m.not_the_patient) for m in reader.read(text).mentions}


def test_negation_scope_ends_at_a_semicolon(reader: TextReader) -> None:
    """ "no numbness or swelling; calf cramps when I walk": two absent findings and one present one."""
    read = _read(reader, "no numbness or leg swelling; my calf cramps when I walk")
    assert read == {
        "Numbness": (Certainty.NEGATED, False, False),
        "Swelling": (Certainty.NEGATED, False, False),
        "CalfCramp": (Certainty.AFFIRMED, False, False),
    }


@pytest.mark.parametrize("turn", ["but", "although", "however"])
def test_negation_scope_ends_at_a_turning_word(reader: TextReader, turn: str) -> None:
    read = _read(reader, f"no numbness {turn} my calf cramps when walking")
    assert read["Numbness"][0] is Certainty.NEGATED and read["CalfCramp"][0] is Certainty.AFFIRMED


def test_a_comma_list_stays_negated(reader: TextReader) -> None:
    read = _read(reader, "no numbness, leg swelling or calf pain")
    assert {k: v[0] for k, v in read.items()} == dict.fromkeys(("Numbness", "Swelling", "CalfPain"), Certainty.NEGATED)


def test_a_negation_inside_a_findings_meaning_is_part_of_it(reader: TextReader) -> None:
    """ "pain that doesn't ease with rest" is a present finding whose label holds the negation."""
    assert _read(reader, "I have pain that is not relieved by rest") == {
        "NotRelieved": (Certainty.AFFIRMED, False, False)
    }


def test_a_negation_outside_a_findings_words_negates_it(reader: TextReader) -> None:
    assert _read(reader, "the leg isn't swollen")["Swelling"][0] is Certainty.NEGATED


def test_someone_elses_finding_is_not_the_patients(reader: TextReader) -> None:
    read = reader.read("my mother had a blood clot")
    assert [(m.iri, m.not_the_patient, m.counts) for m in read.mentions] == [(E + "Clot", True, False)]


def test_possible_and_historical_mentions_are_reported_but_do_not_count(reader: TextReader) -> None:
    possible = reader.read("my leg might be swollen").mentions
    assert [(m.certainty, m.counts) for m in possible] == [(Certainty.POSSIBLE, False)]
    past = reader.read("I had a blood clot years ago").mentions
    assert [(m.historical, m.counts) for m in past] == [(True, False)]


def test_a_conditional_inside_a_findings_words_is_part_of_it(reader: TextReader) -> None:
    # "if" states the finding's trigger; medspaCy would read it as a hypothetical of the mention
    read = reader.read("my calf cramps if I walk").mentions
    assert [(m.iri, m.not_the_patient, m.counts) for m in read] == [(E + "CalfCramp", False, True)]
    # ... while a conditional before the mention still makes it hypothetical
    (later,) = reader.read("if my leg is swollen tomorrow I will call").mentions
    assert later.iri == E + "Swelling" and later.not_the_patient and not later.counts


def test_the_specific_finding_wins_over_the_general_one(reader: TextReader) -> None:
    """Calf pain is a more general kind of calf cramps on walking: only the specific one is kept."""
    assert set(_read(reader, "calf pain, my calf cramps when walking")) == {"CalfCramp"}


def test_conditions_are_mentions_too(reader: TextReader) -> None:
    [mention] = reader.read("I think I have a slipped disc").mentions
    assert mention.kind is MentionKind.CONDITION and mention.iri == E + "SlippedDisc"


def test_offsets_point_at_the_words_read(reader: TextReader) -> None:
    text = "Since Monday: numbness."
    [mention] = reader.read(text).mentions
    assert text[mention.start : mention.end] == mention.text == "numbness"


def test_what_is_not_understood_is_returned_word_for_word(reader: TextReader) -> None:
    read = reader.read("my calf cramps when walking; the sky is green")
    assert read.unrecognized == ("the sky is green",)
    assert reader.read("").mentions == () and reader.read("").unrecognized == ()


def test_typos_are_read(reader: TextReader) -> None:
    assert set(_read(reader, "numbnes in my foot")) == {"Numbness"}


def test_a_text_over_the_limit_is_refused(reader: TextReader) -> None:
    with pytest.raises(TextTooLongError):
        reader.read("numbness " * 1000)


def test_a_measured_temperature_is_the_finding_with_that_threshold() -> None:
    """A finding with a temperature threshold is read from a number: present at or above, absent below."""
    fever = E + "Fever"
    names = {**FINDINGS, fever: ("fever",)}

    class Names(_Names):
        def finding_names(self) -> Mapping[str, tuple[str, ...]]:
            return names

    def lookup(iris: Iterable[str]) -> dict[str, Finding]:
        out = {i: _finding(i) for i in iris if i in FINDINGS}
        if fever in set(iris) | {fever}:
            out[fever] = Finding(fever, "fever", (), None, "c", "c", frozenset(), None, (), False, (), (), 38.0)
        return out

    reader = TextReader(TermSearch(Names()), lookup, lambda: list(names))
    [high] = reader.read("temp of 101F").mentions
    assert (high.iri, high.certainty, high.text) == (fever, Certainty.AFFIRMED, "101F")
    [low] = reader.read("it was 37.1 C").mentions
    assert (low.iri, low.certainty) == (fever, Certainty.NEGATED)


def _progression_reader() -> TextReader:
    shrinking, rapid = E + "Shrinking", E + "RapidShrinking"
    names = {**FINDINGS, shrinking: ("walking distance shrinking",), rapid: ("walking distance shrinking rapidly",)}

    class Names(_Names):
        def finding_names(self) -> Mapping[str, tuple[str, ...]]:
            return names

    def lookup(iris: Iterable[str]) -> dict[str, Finding]:
        out = {i: _finding(i) for i in iris if i in FINDINGS}
        out[shrinking] = Finding(
            shrinking, "walking distance shrinking", (), None, "p", "p", frozenset(), None, (), False, (), ()
        )
        out[rapid] = Finding(
            rapid, "rapid", (), None, "p", "p", frozenset({shrinking}), None, (), False, (), (), maximum_period_days=42
        )
        return out

    return TextReader(TermSearch(Names()), lookup, lambda: list(names))


@pytest.mark.parametrize(
    ("text", "finding"),
    [
        ("Ten days ago I could walk a mile; now 200 yards and my calf cramps when walking.", "RapidShrinking"),
        ("Three years ago I did 2 miles, these days half a mile.", "Shrinking"),
        ("My walking distance is shrinking: 400 m a fortnight ago, 100 m now.", "RapidShrinking"),
    ],
)
def test_a_walking_distance_compared_over_time_is_read_once_as_current(text: str, finding: str) -> None:
    """The comparison is the patient's now, although it speaks of the past; the words' own reading of
    the same family gives way to it; the period decides whether it is rapid."""
    read = _progression_reader().read(text)
    progressions = [m for m in read.mentions if "Shrinking" in m.iri]
    assert [m.iri.removeprefix(E) for m in progressions] == [finding]
    assert progressions[0].counts and progressions[0].present
    assert not any("ago" in u or "mile" in u for u in read.unrecognized)


def test_a_spaced_dash_ends_a_negation_but_a_hyphen_does_not(reader: TextReader) -> None:
    read = _read(reader, "no numbness - my calf pain is there though")
    assert read["Numbness"][0] is Certainty.NEGATED
    assert read["CalfPain"][0] is Certainty.AFFIRMED


def test_an_elliptical_part_of_a_clause_shares_its_pain() -> None:
    """ "my calf pain, worst at rest" is also pain at rest; a part that says more of its own does not
    borrow ("calf pain, and cramps after the rest" is not pain at rest)."""
    at_rest = E + "AtRest"
    names = {**FINDINGS, at_rest: ("pain at rest",)}

    class Names(_Names):
        def finding_names(self) -> Mapping[str, tuple[str, ...]]:
            return names

    reader = TextReader(TermSearch(Names()), lambda iris: {i: _finding(i) for i in iris if i in names}, lambda: [])
    ellipsis = {m.iri for m in reader.read("My calf pain is bad, even at rest").mentions}
    assert ellipsis == {E + "CalfPain", at_rest}
    more = {m.iri for m in reader.read("My calf pain is bad, then numbness after rest").mentions}
    assert at_rest not in more


def test_a_run_of_words_naming_a_complaint_elsewhere_is_not_read_as_a_finding() -> None:
    """ "hay fever" names a phenotype elsewhere (here a one-name stand-in for HPO's): the fever inside
    it is not read, the calf after it is."""
    fever = E + "Fever"
    names = {**FINDINGS, fever: ("fever",)}

    class Names(_Names):
        def finding_names(self) -> Mapping[str, tuple[str, ...]]:
            return names

    search = TermSearch(Names(), elsewhere={"HP:0003193": ("Hay fever",)})
    reader = TextReader(search, lambda iris: {i: _finding(i) for i in iris if i in names}, lambda: [])
    read = reader.read("I get hay fever in spring and calf cramps when walking")
    assert [m.iri for m in read.mentions] == [E + "CalfCramp"]
    assert any("hay fever" in u for u in read.unrecognized)


@pytest.mark.parametrize("text", ["my leg isnt swollen", "the leg doesnt look swollen", "leg wasnt swollen at all"])
def test_a_negation_typed_without_its_apostrophe_negates(reader: TextReader, text: str) -> None:
    assert _read(reader, text)["Swelling"][0] is Certainty.NEGATED


def test_a_negation_with_a_slip_in_it_negates(reader: TextReader) -> None:
    assert _read(reader, "my leg dosent seem swollen; my calf cramps when I walk") == {
        "Swelling": (Certainty.NEGATED, False, False),
        "CalfCramp": (Certainty.AFFIRMED, False, False),
    }
