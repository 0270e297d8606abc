"""The person behind the findings: age, sex and risk factors, as given and as read from a text.

A request may carry a `PatientInput` (age, sex, risk factor IDs, and the risk factors the person said
they do not have or could not answer); a free text may state the same ("I'm 67", "a 54-year-old
woman", "diabetic": `stated_age_and_sex` here, the risk factor words in `kg.assessment.text`).
`resolve_patient` merges them into the `Patient` an assessment used and echoes:

- an age gives every age risk factor of the graph whose range holds it (`lp:minimumAge`,
  `lp:maximumAge`: 67 is "age 65 or over" for peripheral artery disease, "age over 60" for deep vein
  thrombosis, "age 45 or over" for osteoarthritis); an age changes scores only through those, each
  link citing its source;
- sex changes no score (no source in this graph gives a reason); it keeps an interview from asking a
  question that cannot apply (`lp:appliesToSex`: pregnancy);
- an age given in the request wins over one read from the text, and so does a sex.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from kg.assessment.quantities import starts_with_unit
from kg.core.namespaces import from_curie
from kg.core.records import RiskFactor

#: The oldest age accepted (years); an age outside 0..MAX_AGE is refused with a clear error.
MAX_AGE = 130


class Sex(StrEnum):
    """The contract's `Sex`; the values are what `lp:appliesToSex` holds."""

    FEMALE = "female"
    MALE = "male"


class PatientError(ValueError):
    """A patient context that cannot be right (an age out of range, a sex not known)."""


@dataclass(frozen=True)
class PatientInput:
    """What a client says about the person (the contract's `PatientInput`, plus the risk factors a
    person said they do not have or could not answer, which an interview never asks again)."""

    age: int | None = None
    sex: Sex | None = None
    risk_factors: Sequence[str] = ()
    absent_risk_factors: Sequence[str] = ()
    unknown_risk_factors: Sequence[str] = ()


@dataclass(frozen=True)
class Patient:
    """The patient context an assessment used: what was given, what the text said, and the age risk
    factors the age gives (risk factors as IRIs)."""

    age: int | None = None
    sex: Sex | None = None
    #: risk factors given by ID
    stated: tuple[str, ...] = ()
    #: risk factors read from the text
    read: tuple[str, ...] = ()
    #: age risk factors the age gives
    by_age: tuple[str, ...] = ()
    #: risk factors the person does not have (given, or negated in the text)
    absent: tuple[str, ...] = ()
    #: risk factors the person could not answer
    unknown: tuple[str, ...] = ()
    #: where the age and sex came from: "request", "text" or None
    age_from: str | None = None
    sex_from: str | None = None

    @property
    def risk_factors(self) -> tuple[str, ...]:
        """Every risk factor the person has, each once: stated, read, then by age."""
        return tuple(dict.fromkeys((*self.stated, *self.read, *self.by_age)))

    @property
    def known(self) -> frozenset[str]:
        """Every risk factor whose answer is known or was asked: present, absent or not known."""
        return frozenset((*self.risk_factors, *self.absent, *self.unknown))


def unknown_risk_factors(ids: Sequence[str], known: Mapping[str, object]) -> list[str]:
    """The IDs (CURIEs or IRIs, as given) that name no risk factor of `known` (keyed by IRI)."""
    return [raw for raw in ids if from_curie(raw.strip()) not in known]


def check_input(patient: PatientInput) -> None:
    """`PatientError` for an age outside 0..`MAX_AGE`."""
    if patient.age is not None and not 0 <= patient.age <= MAX_AGE:
        raise PatientError(f"age must be between 0 and {MAX_AGE} years, got {patient.age}")


def resolve_patient(
    given: PatientInput | None,
    risk_factors: Mapping[str, RiskFactor],
    read: Sequence[str] = (),
    read_absent: Sequence[str] = (),
    text_age: int | None = None,
    text_sex: Sex | None = None,
) -> Patient:
    """The patient context from the request's input and what its text said (see the module
    docstring); risk factor IDs must already be known to be risk factors (the scorer checks them)."""
    given = given or PatientInput()
    check_input(given)
    age, age_from = (given.age, "request") if given.age is not None else (text_age, "text" if text_age else None)
    sex, sex_from = (given.sex, "request") if given.sex is not None else (text_sex, "text" if text_sex else None)
    stated = tuple(dict.fromkeys(from_curie(r.strip()) for r in given.risk_factors))
    by_age = (
        tuple(iri for iri, record in risk_factors.items() if record.holds_at(age) and iri not in stated)
        if age is not None
        else ()
    )
    have = set(stated) | set(read) | set(by_age)
    absent = tuple(
        dict.fromkeys(
            r for r in (*(from_curie(a.strip()) for a in given.absent_risk_factors), *read_absent) if r not in have
        )
    )
    unknown = tuple(dict.fromkeys(from_curie(u.strip()) for u in given.unknown_risk_factors))
    return Patient(
        age,
        sex,
        stated,
        tuple(r for r in dict.fromkeys(read) if r not in stated),
        by_age,
        absent,
        unknown,
        age_from,
        sex_from,
    )


# --- age and sex in what people write -------------------------------------------------------------

_SEX_WORDS = {
    "woman": Sex.FEMALE,
    "female": Sex.FEMALE,
    "lady": Sex.FEMALE,
    "man": Sex.MALE,
    "male": Sex.MALE,
    "gentleman": Sex.MALE,
}
_SEX = r"(?P<sex>" + "|".join(_SEX_WORDS) + r")"
_YEARS_OLD = r"(?P<age>\d{1,3})\s*-?\s*(?:years?|yrs?|yr|y)\s*-?\s*old"
#: Ways a person states their age (and, beside it, their sex): "67 years old", "a 54-year-old woman",
#: "I'm 67", "aged 67", "67yo", "67 y/o", "woman aged 54", "I am a man".
_AGE_PATTERNS = (
    re.compile(_YEARS_OLD + r"(?:\s+" + _SEX + r")?\b", re.IGNORECASE),
    re.compile(r"\b(?P<age>\d{1,3})\s*(?:yo|y/o|y\.o\.)(?:\s+" + _SEX + r")?(?![\w/])", re.IGNORECASE),
    re.compile(r"\b(?:" + _SEX + r"\s+)?aged?\s+(?P<age>\d{1,3})\b(?!\s*(?:%|°|[.,]\d))", re.IGNORECASE),
    re.compile(r"\b(?:i'?m|i am)\s+(?P<age>\d{1,3})\b(?!\s*(?:%|°|[.,]\d))", re.IGNORECASE),
    re.compile(r"\b(?:i'?m|i am)\s+an?\s+" + _SEX + r"\b", re.IGNORECASE),
)

#: Words before an age that make it someone else's.
_SOMEONE_ELSE = re.compile(r"\b(?:my|his|her|their|our|your)\s+$", re.IGNORECASE)


@dataclass(frozen=True)
class StatedPerson:
    """The age and sex a text states about the person, and where (character spans)."""

    age: int | None
    sex: Sex | None
    spans: tuple[tuple[int, int], ...]


def stated_age_and_sex(text: str) -> StatedPerson:
    """The first age (0..`MAX_AGE`) and sex a text states about the writer (see `_AGE_PATTERNS`); a
    sex word only counts beside an age or after "I'm a" ("my wife" says nothing of the writer)."""
    age: int | None = None
    sex: Sex | None = None
    spans: list[tuple[int, int]] = []
    for pattern in _AGE_PATTERNS:
        for match in pattern.finditer(text):
            if _SOMEONE_ELSE.search(text[: match.start()]):
                continue  # "my 80-year-old mother"
            value = match.groupdict().get("age")
            if value is not None:
                # a number with a unit after it is an amount ("I'm 5 minutes in"), not an age
                if starts_with_unit(text[match.end() :]) or not 0 <= int(value) <= MAX_AGE:
                    continue
                age = int(value) if age is None else age
            said = match.groupdict().get("sex")
            if said:
                sex = _SEX_WORDS[said.lower()] if sex is None else sex
            spans.append(match.span())
    return StatedPerson(age, sex, tuple(sorted(set(spans))))
