"""GraphQL types that mirror the ontology's classes.

The catalogue types (`BodySystem`, `UrgencyLevel`, `Condition`, `Symptom`, `Source`, `Mapping`) are
strawberry types built on demand, per request, from the `kg.knowledge.access.Knowledge` of the loaded graph
by the request's `api.graphql.resolvers.Catalog`: their scalar fields are copied from the `kg.knowledge.index` record
(kept on the object as a private field), and their relations (`Condition.symptoms`,
`Symptom.conditions`, ...) are resolvers that ask the catalogue, which memoises objects by IRI for the
request and reads what a list of sibling objects needs in one batch. Nothing is built for a field a
query does not select, and no copy of the whole graph is kept, which is what a remote store requires.
The answer types (`Candidate`, `Assessment`, ...) are built per request from the engine's results.

Descriptions are the ontology's own `skos:definition` of the class or property a type or field
mirrors (`ONTOLOGY_TERMS` says which; a test keeps the two equal), followed where useful by a note
on how the API presents it.
"""

from __future__ import annotations

from enum import Enum
from typing import Protocol

import strawberry

from kg.core import records as rec
from kg.core.namespaces import to_curie

#: GraphQL type or `Type.field` -> the ontology term whose `skos:definition` its description starts with.
ONTOLOGY_TERMS: dict[str, str] = {
    "BodySystem": "lp:BodySystem",
    "UrgencyLevel": "lp:UrgencyLevel",
    "UrgencyLevel.rank": "lp:rank",
    "UrgencyLevel.advice": "lp:advice",
    "Condition": "lp:Condition",
    "Condition.bodySystems": "lp:hasBodySystem",
    "Condition.symptoms": "lp:hasTypicalFinding",
    "Condition.urgency": "lp:hasUrgency",
    "Condition.causes": "lp:hasCause",
    "Condition.symptomsAgainst": "lp:hasFindingAgainst",
    "Symptom": "lp:Finding",
    "Symptom.urgency": "lp:warrantsUrgency",
    "Symptom.broader": "lp:isKindOf",
    "Symptom.conditions": "lp:suggests",
    "Source": "lp:SourcePassage",
    "Source.quote": "lp:quote",
    "Mapping.scheme": "lp:scheme",
    "UrgencyReason": "lp:UrgencyRule",
}

ID = strawberry.ID


class Catalog(Protocol):
    """What the relation fields below ask of the request's catalogue: the seam between the types and
    `api.graphql.resolvers.Catalog`, which implements it (so the types need not import the resolvers,
    which build them)."""

    def conditions_with_urgency(self, level: str) -> list[Condition]: ...
    def warning_signs(self, level: str) -> list[Symptom]: ...
    def conditions_in_system(self, system: str) -> list[Condition]: ...
    def link_sources(self, link: SymptomLink) -> list[Source]: ...
    def body_system_links(self, condition: Condition) -> list[BodySystemLink]: ...
    def typical_symptoms(self, condition: Condition) -> list[Symptom]: ...
    def symptoms_against(self, condition: Condition) -> list[Symptom]: ...
    def symptom_links(self, condition: Condition) -> list[SymptomLink]: ...
    def condition_urgency(self, condition: Condition) -> UrgencyLevel: ...
    def causes(self, condition: Condition) -> list[Condition]: ...
    def conditions_caused_by(self, cause: str) -> list[Condition]: ...
    def condition_sources(self, condition: Condition) -> list[Source]: ...
    def symptom_urgency(self, symptom: Symptom) -> UrgencyLevel | None: ...
    def urgency_sources(self, symptom: Symptom) -> list[Source]: ...
    def conditions_with_finding(self, finding: str) -> list[Condition]: ...
    def conditions_against(self, finding: str) -> list[Condition]: ...
    def broader(self, symptom: Symptom) -> list[Symptom]: ...
    def narrower(self, finding: str) -> list[Symptom]: ...
    def symptom_sources(self, symptom: Symptom) -> list[Source]: ...


def _catalog(info: strawberry.Info) -> Catalog:
    """The request's catalogue (`api.graphql.resolvers.Context.catalog`)."""
    catalog: Catalog = info.context.catalog
    return catalog


# ------------------------------------------------------------------------- relation resolvers
# Each reads through the request's catalogue; the field declarations below give name, type and
# description (declared in place, so the schema keeps its field order).


def _level_conditions(root: UrgencyLevel, info: strawberry.Info) -> list[Condition]:
    return _catalog(info).conditions_with_urgency(root.iri)


def _level_warning_signs(root: UrgencyLevel, info: strawberry.Info) -> list[Symptom]:
    return _catalog(info).warning_signs(root.iri)


def _system_conditions(root: BodySystem, info: strawberry.Info) -> list[Condition]:
    return _catalog(info).conditions_in_system(root.iri)


def _link_sources(root: SymptomLink, info: strawberry.Info) -> list[Source]:
    return _catalog(info).link_sources(root)


def _condition_body_systems(root: Condition, info: strawberry.Info) -> list[BodySystem]:
    return [link.body_system for link in _catalog(info).body_system_links(root)]


def _condition_body_system_links(root: Condition, info: strawberry.Info) -> list[BodySystemLink]:
    return _catalog(info).body_system_links(root)


def _condition_symptoms(root: Condition, info: strawberry.Info) -> list[Symptom]:
    return _catalog(info).typical_symptoms(root)


def _condition_symptoms_against(root: Condition, info: strawberry.Info) -> list[Symptom]:
    return _catalog(info).symptoms_against(root)


def _condition_symptom_links(root: Condition, info: strawberry.Info) -> list[SymptomLink]:
    return _catalog(info).symptom_links(root)


def _condition_urgency(root: Condition, info: strawberry.Info) -> UrgencyLevel:
    return _catalog(info).condition_urgency(root)


def _condition_causes(root: Condition, info: strawberry.Info) -> list[Condition]:
    return _catalog(info).causes(root)


def _condition_cause_of(root: Condition, info: strawberry.Info) -> list[Condition]:
    return _catalog(info).conditions_caused_by(root.iri)


def _mappings(root: Condition | Symptom) -> list[Mapping]:
    return [Mapping.of(ref) for ref in root.data.mappings]


def _condition_sources(root: Condition, info: strawberry.Info) -> list[Source]:
    return _catalog(info).condition_sources(root)


def _symptom_urgency(root: Symptom, info: strawberry.Info) -> UrgencyLevel | None:
    return _catalog(info).symptom_urgency(root)


def _symptom_urgency_sources(root: Symptom, info: strawberry.Info) -> list[Source]:
    return _catalog(info).urgency_sources(root)


def _symptom_conditions(root: Symptom, info: strawberry.Info) -> list[Condition]:
    return _catalog(info).conditions_with_finding(root.iri)


def _symptom_argues_against(root: Symptom, info: strawberry.Info) -> list[Condition]:
    return _catalog(info).conditions_against(root.iri)


def _symptom_broader(root: Symptom, info: strawberry.Info) -> list[Symptom]:
    return _catalog(info).broader(root)


def _symptom_narrower(root: Symptom, info: strawberry.Info) -> list[Symptom]:
    return _catalog(info).narrower(root.iri)


def _symptom_sources(root: Symptom, info: strawberry.Info) -> list[Source]:
    return _catalog(info).symptom_sources(root)


# ------------------------------------------------------------------------------------- types


@strawberry.type(description="A quoted passage of a source that one or more facts rest on.")
class Source:
    id: ID = strawberry.field(description="The passage's ID (a CURIE).")
    iri: str
    title: str = strawberry.field(description="The work the passage is quoted from, with its section.")
    quote: str = strawberry.field(
        description="The verbatim passage of a source that a fact rests on; for a standard reference, "
        "the statement taken from it."
    )


@strawberry.type(description="A mapping of a term to a code of an external terminology.")
class Mapping:
    scheme: str = strawberry.field(
        description="The name of the terminology an external code belongs to, such as ICD-10-CM or HPO."
    )
    code: str = strawberry.field(description='The code in that terminology, e.g. "I73.9" or "HP:0004950".')
    label: str | None = strawberry.field(description="The terminology's label for the code.")
    relation: str = strawberry.field(description='The SKOS mapping relation, e.g. "skos:exactMatch".')
    iri: str = strawberry.field(description="The code's IRI.")
    justification: str | None = strawberry.field(
        description="How the mapping was checked (a SEMAPV mapping-justification CURIE)."
    )

    @classmethod
    def of(cls, ref: rec.MappingRef) -> Mapping:
        return cls(
            scheme=ref.scheme,
            code=ref.code,
            label=ref.label,
            relation=ref.relation,
            iri=ref.iri,
            justification=to_curie(ref.justification) if ref.justification else None,
        )


@strawberry.type(
    description=(
        "How soon a person with the presentation should be seen, on a fixed scale of four ranked levels. "
        "The class is closed: it has exactly these four members."
    )
)
class UrgencyLevel:
    id: ID
    iri: str
    label: str
    rank: int = strawberry.field(
        description=(
            "The position of an urgency level on the scale: 1 self-care, 2 routine medical evaluation, "
            "3 prompt assessment, 4 emergency. Higher is more urgent."
        )
    )
    description: str = strawberry.field(description="What the level means (its definition in the ontology).")
    advice: str = strawberry.field(
        description="Advice text shown to a person whose presentation has this urgency level."
    )
    conditions: list[Condition] = strawberry.field(
        resolver=_level_conditions, description="Conditions that have this urgency when suspected, by label."
    )
    warning_signs: list[Symptom] = strawberry.field(
        resolver=_level_warning_signs, description="Findings that on their own warrant this level, by label."
    )


@strawberry.type(description="A major system of the body within which the problem behind walking leg pain lies.")
class BodySystem:
    id: ID
    iri: str
    label: str
    definition: str | None
    synonyms: list[str]
    conditions: list[Condition] = strawberry.field(
        resolver=_system_conditions,
        description="Conditions classified under this system, asserted or inferred by the reasoner, by label.",
    )


@strawberry.type(description="A condition's place in a body system, and whether the reasoner inferred it.")
class BodySystemLink:
    body_system: BodySystem
    inferred: bool = strawberry.field(
        description="True when the reasoner classified the condition here (from the structures it affects)."
    )


@strawberry.enum(description="How a finding relates to a condition.")
class SymptomRelation(Enum):
    TYPICAL = "typical"
    DISCRIMINATING = "discriminating"
    AGAINST = "against"


@strawberry.type(description="A condition's link to a finding, with the passages it rests on.")
class SymptomLink:
    symptom: Symptom
    relation: SymptomRelation = strawberry.field(
        description=(
            "TYPICAL, DISCRIMINATING (typical and sets the condition apart; weighs more in ranking) or "
            "AGAINST (argues against the condition when reported)."
        )
    )
    inferred: bool = strawberry.field(
        description=(
            "True when the link is inherited by the reasoner from a more general condition this one is a kind of."
        )
    )
    sources: list[Source] = strawberry.field(resolver=_link_sources)
    source_iris: strawberry.Private[tuple[str, ...]]


@strawberry.type(description="The most specific ontology class a finding belongs to, such as pain quality.")
class SymptomCategory:
    id: ID
    iri: str
    label: str


@strawberry.type(description="A disease, injury or disorder that can cause leg pain while walking.")
class Condition:
    id: ID
    iri: str
    label: str
    synonyms: list[str]
    definition: str | None
    body_systems: list[BodySystem] = strawberry.field(
        resolver=_condition_body_systems,
        description=(
            "The body system a condition belongs to. Inferred by the reasoner from the structures the "
            "condition affects (affects o belongsToSystem); may also be asserted."
        ),
    )
    body_system_links: list[BodySystemLink] = strawberry.field(
        resolver=_condition_body_system_links,
        description="The same body systems, each with whether the reasoner inferred it.",
    )
    symptoms: list[Symptom] = strawberry.field(
        resolver=_condition_symptoms,
        description=(
            "A finding that is typical of the condition. A more specific kind of a condition has the typical "
            "findings of the general one (isKindOf o hasTypicalFinding). Discriminating findings first."
        ),
    )
    symptoms_against: list[Symptom] = strawberry.field(
        resolver=_condition_symptoms_against,
        description=(
            "A finding that, when reported, argues against the condition (pain relieved by rest argues "
            "against deep vein thrombosis)."
        ),
    )
    symptom_links: list[SymptomLink] = strawberry.field(
        resolver=_condition_symptom_links,
        description="Every link to a finding (typical, discriminating, against) with its sources.",
    )
    urgency: UrgencyLevel = strawberry.field(
        resolver=_condition_urgency, description="How urgently a person should be seen when the condition is suspected."
    )
    causes: list[Condition] = strawberry.field(
        resolver=_condition_causes,
        description="A condition that commonly causes this condition (sciatica has cause herniated disc).",
    )
    cause_of: list[Condition] = strawberry.field(
        resolver=_condition_cause_of, description="Conditions this one commonly causes."
    )
    mappings: list[Mapping] = strawberry.field(resolver=_mappings)
    sources: list[Source] = strawberry.field(resolver=_condition_sources)
    #: the record the object was built from (`kg.knowledge.index.Condition`)
    data: strawberry.Private[rec.Condition]


@strawberry.type(
    description=(
        "Something a person reports or a clinician observes: a symptom, a sign, or a pattern of the pain "
        "(site, quality, trigger, timing, relief, laterality, progression, gait)."
    )
)
class Symptom:
    id: ID
    iri: str
    label: str
    synonyms: list[str]
    definition: str | None
    category: SymptomCategory
    is_warning_sign: bool = strawberry.field(
        description="True when the finding warrants prompt assessment or emergency care on its own."
    )
    urgency: UrgencyLevel | None = strawberry.field(
        resolver=_symptom_urgency,
        description=(
            "The urgency level that reporting this finding warrants on its own; a more specific kind of a "
            "finding warrants at least the same (isKindOf o warrantsUrgency). Findings that warrant prompt "
            "assessment or emergency are warning signs. Null for findings that are not warning signs."
        ),
    )
    urgency_sources: list[Source] = strawberry.field(
        resolver=_symptom_urgency_sources, description="The passages the warning-sign urgency rests on."
    )
    conditions: list[Condition] = strawberry.field(
        resolver=_symptom_conditions,
        description=(
            "A finding suggests every condition it is typical of, and so does every more specific kind of it "
            "(isKindOf o suggests). Inferred by the reasoner. By label."
        ),
    )
    argues_against: list[Condition] = strawberry.field(
        resolver=_symptom_argues_against, description="Conditions this finding argues against when reported, by label."
    )
    broader: list[Symptom] = strawberry.field(
        resolver=_symptom_broader,
        description=(
            "Subsumption between concrete findings, or between concrete conditions: the subject is a more "
            "specific kind of the object (calf cramping on walking is a kind of exertional leg pain). Transitive. "
            "A report of the specific finding matches a condition described with the general one. Here: every "
            "more general finding, by label."
        ),
    )
    narrower: list[Symptom] = strawberry.field(
        resolver=_symptom_narrower, description="Every more specific kind of this finding, by label."
    )
    mappings: list[Mapping] = strawberry.field(resolver=_mappings)
    sources: list[Source] = strawberry.field(resolver=_symptom_sources)
    question: str | None = strawberry.field(
        default=None, description="The interview's question about this finding, phrased for a person."
    )
    #: the record the object was built from (`kg.knowledge.index.Finding`)
    data: strawberry.Private[rec.Finding]


@strawberry.type(description="A finding that matched a search phrase.")
class SymptomMatch:
    symptom: Symptom
    score: float = strawberry.field(description="How well the phrase matched, 0..1; comparable within one answer.")
    matched: str = strawberry.field(description="The label or synonym that matched.")


@strawberry.type(description="A ranked candidate condition for the reported findings, and why.")
class Candidate:
    condition: Condition
    rank: int = strawberry.field(description="1 = best.")
    score: float = strawberry.field(description="Higher is better; comparable within one answer.")
    supporting: list[Symptom] = strawberry.field(description="Reported findings that support it.")
    missing: list[Symptom] = strawberry.field(description="Its typical findings not reported, most telling first.")
    conflicting: list[Symptom] = strawberry.field(
        description="Reported (or reported absent) findings that argue against it."
    )
    explanation: str = strawberry.field(description="One readable sentence or two.")
    sources: list[Source] = strawberry.field(description="The passages the candidate's links rest on.")
    risk_factors: list[RiskFactor] = strawberry.field(
        default_factory=list, description="Reported risk factors that made it more likely."
    )


@strawberry.type(
    description=(
        "A rule, held as data, that raises the urgency of a presentation to a level when enough of its trigger "
        "findings are reported. Here: one reason the assessment has its urgency (a warning sign, a rule, or "
        "the urgency of a well-supported best candidate)."
    )
)
class UrgencyReason:
    id: ID = strawberry.field(description="The rule, or the warning sign, that fired.")
    label: str
    urgency: UrgencyLevel = strawberry.field(description="The level it raises the presentation to.")
    symptoms: list[Symptom] = strawberry.field(description="The reported findings that made it fire.")
    sources: list[Source]
    risk_factors: list[RiskFactor] = strawberry.field(
        default_factory=list, description="The reported risk factors that counted towards it."
    )


@strawberry.type(description="Something about the person that makes conditions more likely (smoking, a long flight).")
class RiskFactor:
    id: ID
    label: str
    conditions: list[Condition] = strawberry.field(
        description="Conditions it makes more likely (each link cites a source: see `linkSources`)."
    )
    sources: list[Source] = strawberry.field(description="The passages the risk factor and its links rest on.")
    synonyms: list[str] = strawberry.field(default_factory=list)
    definition: str | None = None
    question: str | None = strawberry.field(default=None, description="The interview's question, phrased for a person.")
    minimum_age: int | None = strawberry.field(default=None, description="For an age risk factor: the youngest age.")
    maximum_age: int | None = strawberry.field(default=None, description="For an age risk factor: the oldest age.")


@strawberry.enum(description="The person's sex.")
class Sex(Enum):
    FEMALE = "female"
    MALE = "male"


@strawberry.input(description="Who the person is: age, sex and risk factors (IDs from `riskFactors`).")
class PatientInput:
    age: int | None = strawberry.field(default=None, description="Age in completed years (0 to 130).")
    sex: Sex | None = None
    risk_factors: list[ID] = strawberry.field(default_factory=list, description="Risk factors the person has.")
    absent_risk_factors: list[ID] = strawberry.field(
        default_factory=list, description="Risk factors the person said they do not have (change no score)."
    )
    unknown_risk_factors: list[ID] = strawberry.field(
        default_factory=list, description="Risk factors the person could not answer (change no score)."
    )


@strawberry.type(description="The patient context an assessment used: given, read from the text, and by age.")
class PatientContext:
    age: int | None = strawberry.field(description="Age in completed years, given or read from the text.")
    sex: Sex | None = strawberry.field(description="Changes no score (no cited source gives a reason).")
    risk_factors: list[RiskFactor] = strawberry.field(
        description="Every risk factor the scoring used: given, read from the text, and those the age gives."
    )
    absent_risk_factors: list[RiskFactor] = strawberry.field(
        description="Risk factors the person does not have (given, or negated in the text)."
    )
    age_from: str | None = strawberry.field(description='Where the age came from: "request", "text" or null.')
    sex_from: str | None = strawberry.field(description='Where the sex came from: "request", "text" or null.')


@strawberry.enum(description="How sure a text is of what it mentions.")
class Certainty(Enum):
    AFFIRMED = "affirmed"
    NEGATED = "negated"
    POSSIBLE = "possible"


@strawberry.type(description="One thing a free text states: a finding or a condition, with its polarity and place.")
class Mention:
    symptom: Symptom | None = strawberry.field(
        description="The finding read, or null when the mention names a condition or risk factor."
    )
    condition: Condition | None = strawberry.field(description='The condition named, e.g. "I have a slipped disc".')
    risk_factor: RiskFactor | None = strawberry.field(
        default=None,
        description='A risk factor named ("long-haul flight last week"), or one a stated age gives.',
    )
    present: bool = strawberry.field(description="False when negated.")
    certainty: Certainty = strawberry.field(
        description='AFFIRMED or NEGATED counts as evidence; POSSIBLE ("might be swollen") is reported only.'
    )
    historical: bool = strawberry.field(description='Said of the past ("had a knee operation in 2019").')
    text: str = strawberry.field(description="The words read.")
    start: int = strawberry.field(description="Character offset of the words in the input.")
    end: int = strawberry.field(description="Character offset just after the words.")


@strawberry.type(description="The findings and conditions a free text mentions, and what it said that named nothing.")
class TextInterpretation:
    mentions: list[Mention] = strawberry.field(description="What the text states, in text order, each once.")
    unrecognized: list[str] = strawberry.field(
        description="Parts of the text that named nothing known and were not filler, word for word."
    )
    age: int | None = strawberry.field(
        default=None, description="The writer's age, where the text states it (\"I'm 67\")."
    )
    sex: Sex | None = strawberry.field(default=None, description="The writer's sex, where the text states it.")


@strawberry.type(description="Candidates plus the urgency of the whole presentation and the warning signs found.")
class Assessment:
    candidates: list[Candidate]
    urgency: UrgencyLevel = strawberry.field(description="Never lower than the urgency of any reported warning sign.")
    warning_signs: list[Symptom] = strawberry.field(description="Reported findings that are warning signs.")
    advice: str
    reasons: list[UrgencyReason] = strawberry.field(description="Why the urgency is what it is.")
    reported_symptoms: list[Symptom] = strawberry.field(description="The reported findings, resolved, in order.")
    absent_symptoms: list[Symptom] = strawberry.field(
        description="The findings reported absent, resolved, in order (those also reported present are dropped)."
    )
    understood: list[Mention] = strawberry.field(description="What was read from `text` (empty without text).")
    unrecognized: list[str] = strawberry.field(
        description="What was not understood, word for word; the urgency is never lowered because of it."
    )
    in_scope: bool = strawberry.field(
        description="False when nothing reported concerns leg pain on walking (then there are no candidates)."
    )
    patient: PatientContext | None = strawberry.field(
        default=None, description="The patient context used: age, sex and risk factors (given, read and by age)."
    )


@strawberry.enum(description="Why a question is asked.")
class QuestionKind(Enum):
    WARNING_SIGN = "warning-sign"
    DISCRIMINATING = "discriminating"
    RISK_FACTOR = "risk-factor"


@strawberry.type(
    description=(
        "One question of an interview: a finding or a risk factor, or a checklist of them (several `asks` or "
        "`riskFactors`), each item answered yes (send it in `symptoms` or `patient.riskFactors`), no "
        "(`absentSymptoms`, `patient.absentRiskFactors`) or don't know (`unknownSymptoms`, "
        "`patient.unknownRiskFactors`); nothing answered is asked again."
    )
)
class Question:
    id: ID = strawberry.field(description="The finding or risk factor asked, or the checklist's own ID.")
    text: str = strawberry.field(
        description="Phrased for a person; a checklist's text is its items' own questions (`Symptom.question`)."
    )
    kind: QuestionKind = strawberry.field(
        description="WARNING_SIGN (asked first), RISK_FACTOR, or DISCRIMINATING (tells the candidates apart)."
    )
    rationale: str = strawberry.field(description="Why this question now.")
    asks: list[Symptom] = strawberry.field(description="The findings asked.")
    risk_factors: list[RiskFactor] = strawberry.field(description="The risk factors asked.")
    expected_gain: float | None = strawberry.field(
        default=None,
        description=(
            "For a discriminating or risk-factor question: the expected information gain (nats) over the "
            "candidates' normalised scores that chose it."
        ),
    )


@strawberry.enum(description="Why an interview may stop, or CONTINUE.")
class StopReason(Enum):
    CONTINUE = "continue"
    NOTHING_REPORTED = "nothing-reported"
    TOP_CANDIDATE_CLEAR = "top-candidate-clear"
    TOP_3_SETTLED = "top-3-settled"
    NOTHING_WORTH_ASKING = "nothing-worth-asking"


@strawberry.type(description="The next question, whether to stop, and the assessment of what is known so far.")
class Interview:
    question: Question | None = strawberry.field(
        description=(
            "Null when there is nothing worth asking. After `shouldStop` it may still hold a question a client "
            "may go on with."
        )
    )
    should_stop: bool = strawberry.field(
        description=(
            "True once every relevant warning sign has been answered and the top candidate is clear, no answer "
            "could change the top 3, or no question is expected to gain enough."
        )
    )
    stop_reason: StopReason = strawberry.field(description="Why the interview may stop, or CONTINUE.")
    assessment: Assessment = strawberry.field(description="The assessment of everything known so far.")
