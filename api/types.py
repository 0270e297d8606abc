"""GraphQL types that mirror the ontology's classes.

The catalogue types (`BodySystem`, `UrgencyLevel`, `Condition`, `Symptom`, `Source`, `Mapping`) are
plain strawberry dataclasses whose fields, relations included, are filled once per loaded graph by
`api.resolvers.build_catalog`. Every field then resolves by attribute access, so a query costs no
lookups per object (no N+1) and no per-field resolver overhead. The answer types (`Candidate`,
`Assessment`, ...) are built per request from the engine's results and point into that catalogue.

Descriptions are the ontology's own `skos:definition` of the class or property a type or field
mirrors (`ONTOLOGY_TERMS` says which; a test keeps the two equal), followed where useful by a note
on how the API presents it.
"""

from __future__ import annotations

from enum import Enum

import strawberry

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


@strawberry.type(description="A quoted passage of a source that one or more facts rest on.")
class Source:
    id: ID = strawberry.field(description="The passage's ID (a CURIE).")
    iri: str
    title: str = strawberry.field(description="The work the passage is quoted from, with its section.")
    quote: str = strawberry.field(
        description="The verbatim passage of a source that a fact rests on; for a standard reference, "
                    "the statement taken from it.")


@strawberry.type(description="A mapping of a term to a code of an external terminology.")
class Mapping:
    scheme: str = strawberry.field(
        description="The name of the terminology an external code belongs to, such as ICD-10-CM or HPO.")
    code: str = strawberry.field(description='The code in that terminology, e.g. "I73.9" or "HP:0004950".')
    label: str | None = strawberry.field(description="The terminology's label for the code.")
    relation: str = strawberry.field(description='The SKOS mapping relation, e.g. "skos:exactMatch".')
    iri: str = strawberry.field(description="The code's IRI.")
    justification: str | None = strawberry.field(
        description="How the mapping was checked (a SEMAPV mapping-justification CURIE).")


@strawberry.type(description=(
    "How soon a person with the presentation should be seen, on a fixed scale of four ranked levels. "
    "The class is closed: it has exactly these four members."))
class UrgencyLevel:
    id: ID
    iri: str
    label: str
    rank: int = strawberry.field(description=(
        "The position of an urgency level on the scale: 1 self-care, 2 routine medical evaluation, "
        "3 prompt assessment, 4 emergency. Higher is more urgent."))
    description: str = strawberry.field(description="What the level means (its definition in the ontology).")
    advice: str = strawberry.field(
        description="Advice text shown to a person whose presentation has this urgency level.")
    conditions: list[Condition] = strawberry.field(
        description="Conditions that have this urgency when suspected, by label.")
    warning_signs: list[Symptom] = strawberry.field(
        description="Findings that on their own warrant this level, by label.")


@strawberry.type(description="A major system of the body within which the problem behind walking leg pain lies.")
class BodySystem:
    id: ID
    iri: str
    label: str
    definition: str | None
    synonyms: list[str]
    conditions: list[Condition] = strawberry.field(
        description="Conditions classified under this system, asserted or inferred by the reasoner, by label.")


@strawberry.type(description="A condition's place in a body system, and whether the reasoner inferred it.")
class BodySystemLink:
    body_system: BodySystem
    inferred: bool = strawberry.field(
        description="True when the reasoner classified the condition here (from the structures it affects).")


@strawberry.enum(description="How a finding relates to a condition.")
class SymptomRelation(Enum):
    TYPICAL = "typical"
    DISCRIMINATING = "discriminating"
    AGAINST = "against"


@strawberry.type(description="A condition's link to a finding, with the passages it rests on.")
class SymptomLink:
    symptom: Symptom
    relation: SymptomRelation = strawberry.field(description=(
        "TYPICAL, DISCRIMINATING (typical and sets the condition apart; weighs more in ranking) or "
        "AGAINST (argues against the condition when reported)."))
    inferred: bool = strawberry.field(description=(
        "True when the link is inherited by the reasoner from a more general condition this one is a "
        "kind of."))
    sources: list[Source]


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
    body_systems: list[BodySystem] = strawberry.field(description=(
        "The body system a condition belongs to. Inferred by the reasoner from the structures the "
        "condition affects (affects o belongsToSystem); may also be asserted."))
    body_system_links: list[BodySystemLink] = strawberry.field(
        description="The same body systems, each with whether the reasoner inferred it.")
    symptoms: list[Symptom] = strawberry.field(description=(
        "A finding that is typical of the condition. A more specific kind of a condition has the typical "
        "findings of the general one (isKindOf o hasTypicalFinding). Discriminating findings first."))
    symptoms_against: list[Symptom] = strawberry.field(description=(
        "A finding that, when reported, argues against the condition (pain relieved by rest argues "
        "against deep vein thrombosis)."))
    symptom_links: list[SymptomLink] = strawberry.field(
        description="Every link to a finding (typical, discriminating, against) with its sources.")
    urgency: UrgencyLevel = strawberry.field(
        description="How urgently a person should be seen when the condition is suspected.")
    causes: list[Condition] = strawberry.field(
        description="A condition that commonly causes this condition (sciatica has cause herniated disc).")
    cause_of: list[Condition] = strawberry.field(description="Conditions this one commonly causes.")
    mappings: list[Mapping]
    sources: list[Source]


@strawberry.type(description=(
    "Something a person reports or a clinician observes: a symptom, a sign, or a pattern of the pain "
    "(site, quality, trigger, timing, relief, laterality, progression, gait)."))
class Symptom:
    id: ID
    iri: str
    label: str
    synonyms: list[str]
    definition: str | None
    category: SymptomCategory
    is_warning_sign: bool = strawberry.field(
        description="True when the finding warrants prompt assessment or emergency care on its own.")
    urgency: UrgencyLevel | None = strawberry.field(description=(
        "The urgency level that reporting this finding warrants on its own; a more specific kind of a "
        "finding warrants at least the same (isKindOf o warrantsUrgency). Findings that warrant prompt assessment or "
        "emergency are warning signs. Null for findings that are not warning signs."))
    urgency_sources: list[Source] = strawberry.field(description="The passages the warning-sign urgency rests on.")
    conditions: list[Condition] = strawberry.field(description=(
        "A finding suggests every condition it is typical of, and so does every more specific kind of it "
        "(isKindOf o suggests). Inferred by the reasoner. By label."))
    argues_against: list[Condition] = strawberry.field(
        description="Conditions this finding argues against when reported, by label.")
    broader: list[Symptom] = strawberry.field(description=(
        "Subsumption between concrete findings, or between concrete conditions: the subject is a more "
        "specific kind of the object (calf cramping on walking is a kind of exertional leg pain). Transitive. "
        "A report of the specific finding matches a condition described with the general one. Here: every "
        "more general finding, by label."))
    narrower: list[Symptom] = strawberry.field(description="Every more specific kind of this finding, by label.")
    mappings: list[Mapping]
    sources: list[Source]


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
        description="Reported (or reported absent) findings that argue against it.")
    explanation: str = strawberry.field(description="One readable sentence or two.")
    sources: list[Source] = strawberry.field(description="The passages the candidate's links rest on.")


@strawberry.type(description=(
    "A rule, held as data, that raises the urgency of a presentation to a level when enough of its trigger "
    "findings are reported. Here: one reason the assessment has its urgency (a warning sign, a rule, or "
    "the urgency of a well-supported best candidate)."))
class UrgencyReason:
    id: ID = strawberry.field(description="The rule, or the warning sign, that fired.")
    label: str
    urgency: UrgencyLevel = strawberry.field(description="The level it raises the presentation to.")
    symptoms: list[Symptom] = strawberry.field(description="The reported findings that made it fire.")
    sources: list[Source]


@strawberry.type(description="Candidates plus the urgency of the whole presentation and the warning signs found.")
class Assessment:
    candidates: list[Candidate]
    urgency: UrgencyLevel = strawberry.field(
        description="Never lower than the urgency of any reported warning sign.")
    warning_signs: list[Symptom] = strawberry.field(description="Reported findings that are warning signs.")
    advice: str
    reasons: list[UrgencyReason] = strawberry.field(description="Why the urgency is what it is.")
    reported_symptoms: list[Symptom] = strawberry.field(description="The reported findings, resolved, in order.")
    absent_symptoms: list[Symptom] = strawberry.field(
        description="The findings reported absent, resolved, in order (those also reported present are dropped).")
