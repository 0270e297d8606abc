"""The use case, offered once: what a person reports (finding IDs or phrases) in, an assessment out.

`LegPainService` bundles one `Knowledge` (see `kg.knowledge.protocols`) with the search and the scorer
over it, so a reload swaps one object and readers never mix two versions. The CLI (`legpain assess`)
and GraphQL (`assess`, `candidateConditions`) both call `LegPainService.assess` /
`LegPainService.candidates` with an `AssessmentRequest`; the chain is

    AssessmentRequest -> understand (IDs looked up, phrases searched: `kg.assessment.search`)
                      -> Scorer.assess (`kg.assessment.scoring`) -> Assessment

`load_service` picks how the graph is read from the configured store (`Settings.store`,
`kg.stores`):

- an embedded store in memory (`oxigraph`, `memory`): the ontology files (or a prepared dataset) are
  loaded into it at start and indexed there;
- an embedded store on disk (`oxigraph:PATH`): what `legpain load` wrote is indexed at start;
- a remote store (`sparql:...`): nothing is copied; every lookup and assessment asks the store.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from kg.assessment.interview import Interview, Interviewer
from kg.assessment.patient import Patient, PatientInput, check_input, resolve_patient, unknown_risk_factors
from kg.assessment.scoring import Assessment, Candidate, Scorer, UnknownTermError
from kg.assessment.search import ELSEWHERE_MIN_READING, ELSEWHERE_OVER_WARNING, MAX_PHRASE_CHARS, Match, TermSearch
from kg.assessment.text import Certainty, Interpretation, Mention, MentionKind, TextReader, TextTooLongError
from kg.core.namespaces import from_curie
from kg.core.records import RiskFactor
from kg.core.settings import Settings
from kg.knowledge.graph import LoadedGraph, load_graph, open_stored_graph
from kg.knowledge.indexed import IndexedKnowledge
from kg.knowledge.protocols import Knowledge
from kg.knowledge.remote import StoreKnowledge
from kg.sparql.library import QueryLibrary
from kg.stores.base import StoreBackend, store_call
from kg.stores.registry import backend_for


@dataclass(frozen=True)
class AssessmentRequest:
    """What a person reports. Finding IDs (CURIEs or IRIs) must name findings of the graph
    (`UnknownTermError` otherwise); phrases are the person's words, each read as the finding it names
    best, and a phrase that names none is reported back as unrecognised, never dropped."""

    present: Sequence[str] = ()
    absent: Sequence[str] = ()
    phrases: Sequence[str] = ()
    absent_phrases: Sequence[str] = ()
    #: free text, read by `kg.assessment.text`: its findings join the others, with their polarity
    text: str | None = None
    limit: int = 10
    #: who the person is (`kg.assessment.patient`): merged with what the text says about them
    patient: PatientInput | None = None


@dataclass(frozen=True)
class Understood:
    """A request read into finding IDs, what was read from its text, and what named nothing."""

    present: list[str]
    absent: list[str]
    unrecognized: list[str]
    mentions: tuple[Mention, ...] = ()
    #: the patient context: given, read from the text, and by age
    patient: Patient = field(default_factory=Patient)


@dataclass(frozen=True)
class LegPainService:
    knowledge: Knowledge
    backend: StoreBackend
    #: the graph held by this process (embedded stores); None when a remote store holds it
    graph: LoadedGraph | None = None
    scorer: Scorer = field(init=False)
    search: TermSearch = field(init=False)
    reader: TextReader = field(init=False)
    interviewer: Interviewer = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "scorer", Scorer(self.knowledge))
        object.__setattr__(self, "search", TermSearch(self.knowledge))
        object.__setattr__(self, "interviewer", Interviewer(self.knowledge, self.scorer))
        object.__setattr__(
            self,
            "reader",
            TextReader(self.search, self.knowledge.findings, self.knowledge.finding_iris, self.every_risk_factor),
        )

    def every_risk_factor(self) -> dict[str, RiskFactor]:
        """Every risk factor of the graph by IRI (a short list)."""
        return self.knowledge.risk_factors(self.knowledge.risk_factor_iris())

    def parse(self, text: str) -> Interpretation:
        """The findings and conditions a free text states, each with its polarity and place."""
        return self.reader.read(text)

    @property
    def version(self) -> str:
        """The ontology's version (`owl:versionInfo`)."""
        return self.graph.version if self.graph is not None else self.knowledge.ontology_version()

    def search_findings(self, phrase: str, limit: int = 20) -> list[Match]:
        """Findings matching a lay phrase, best first. What the phrase measures or compares comes
        first (a temperature of 38.5, a walking distance that shrank: `TextReader.measured`), read
        exactly; then the matches of its words. A phrase the search cannot match is read as a text
        (`kg.assessment.text`: a finding said inside a longer sentence) and the findings it states
        present come back, best read first."""
        if limit <= 0 or not phrase.strip():
            return []
        measured = [Match(iri, 1.0, phrase) for iri in self.reader.measured(phrase[:MAX_PHRASE_CHARS])]
        hits = self.search.findings(phrase, limit)
        if measured:
            return [*measured, *(h for h in hits if h.iri not in {m.iri for m in measured})][:limit]
        if self._elsewhere(phrase, hits):
            return []
        return hits or self._read_as_text(
            phrase, limit, lambda m: m.kind is MentionKind.FINDING and m.counts and m.present
        )

    def search_conditions(self, phrase: str, limit: int = 20) -> list[Match]:
        """Conditions matching a phrase (label or synonym), best first; none for a complaint elsewhere
        in the body (`TermSearch.about_elsewhere`). A phrase the search cannot match is read as a text,
        as for findings ("my GP says sciatica, and my toes tingle" names sciatica among findings), and the
        conditions it names come back, negated ones ("not sciatica") left out: a person who asks "could
        it be a DVT" names the condition as much as one who says they have it."""
        if limit <= 0 or not phrase.strip():
            return []
        hits = self.search.conditions(phrase, limit)
        if self._elsewhere(phrase, hits):
            return []
        return hits or self._read_as_text(phrase, limit, _names_a_condition)

    def _read_as_text(self, phrase: str, limit: int, wanted: Callable[[Mention], bool]) -> list[Match]:
        """The mentions of a phrase read as a text (`kg.assessment.text`) that `wanted` keeps, as
        search matches, best read first; none for a phrase too long to read."""
        try:
            read = self.reader.read(phrase)
        except TextTooLongError:
            return []
        kept = [m for m in read.mentions if wanted(m)]
        return sorted((Match(m.iri, m.score, m.text) for m in kept), key=lambda m: -m.score)[:limit]

    def _elsewhere(self, phrase: str, hits: Sequence[Match]) -> bool:
        """Whether a phrase is a complaint elsewhere in the body (`TermSearch.elsewhere_reading`): read
        there for at least `ELSEWHERE_MIN_READING` of its words and better than its best hit here; a
        warning sign among the hits keeps it here unless the phrase is, nearly word for word, the
        name of a phenotype elsewhere (`ELSEWHERE_OVER_WARNING`: "bad breath" is not breathlessness)."""
        reading = self.search.elsewhere_reading(phrase)
        best = hits[0].score if hits else 0.0
        if reading < ELSEWHERE_MIN_READING or reading <= best:
            return False
        warnings = self.knowledge.findings([h.iri for h in hits]).values()
        return not any(record.is_warning for record in warnings) or reading >= ELSEWHERE_OVER_WARNING

    def understand(self, request: AssessmentRequest) -> Understood:
        """The request's findings as IDs: the IDs as given, then each phrase as an ID it spells or as
        the best search hit for it."""
        unrecognized: list[str] = []

        def read(phrases: Sequence[str]) -> list[str]:
            found = []
            for phrase in phrases:
                iri = from_curie(phrase.strip())
                if self.knowledge.findings([iri]):
                    found.append(iri)
                    continue
                hits = self.search.findings(phrase, 1)
                if hits:
                    found.append(hits[0].iri)
                else:
                    unrecognized.append(phrase)
            return found

        present = [*request.present, *read(request.phrases)]
        absent = [*request.absent, *read(request.absent_phrases)]
        given = request.patient or PatientInput()
        check_input(given)
        risk_factors = self.every_risk_factor()
        unknown = unknown_risk_factors(
            [*given.risk_factors, *given.absent_risk_factors, *given.unknown_risk_factors], risk_factors
        )
        if unknown:
            raise UnknownTermError(unknown, "risk factor")
        if not request.text:
            return Understood(present, absent, unrecognized, patient=resolve_patient(given, risk_factors))
        interpretation = self.reader.read(request.text)
        present += interpretation.findings(present=True)
        absent += interpretation.findings(present=False)
        unrecognized += interpretation.unrecognized
        patient = resolve_patient(
            given,
            risk_factors,
            [r for r in interpretation.risk_factors(present=True) if not risk_factors[r].is_age],
            interpretation.risk_factors(present=False),
            interpretation.age,
            interpretation.sex,
        )
        return Understood(present, absent, unrecognized, interpretation.mentions, patient)

    def assess(self, request: AssessmentRequest) -> Assessment:
        """Candidates, the urgency of the whole presentation, the warning signs, advice, and what was
        not understood."""
        return self._assess(request, self.understand(request))

    def interview(self, request: AssessmentRequest, unknown: Sequence[str] = ()) -> Interview:
        """The next question to ask, whether to stop, and the assessment so far (`kg.assessment.interview`),
        for what is known and the findings the person could not answer (IDs, never asked again);
        unknown IDs raise `UnknownTermError`."""
        understood = self.understand(request)
        iris = [from_curie(u.strip()) for u in unknown]
        known = self.knowledge.findings(iris)
        missing = [raw for raw, iri in zip(unknown, iris, strict=True) if iri not in known]
        try:
            assessment = self._assess(request, understood)
        except UnknownTermError as error:
            raise UnknownTermError([*error.unknown, *missing]) from None
        if missing:
            raise UnknownTermError(missing)
        return self.interviewer.next(assessment, understood.patient, iris)

    def _assess(self, request: AssessmentRequest, understood: Understood) -> Assessment:
        assessment = self.scorer.assess(
            understood.present, understood.absent, limit=request.limit, risk_factors=understood.patient.risk_factors
        )
        advice = assessment.advice
        if not assessment.in_scope and (request.text or request.phrases):
            advice = (
                "Nothing reported concerns leg pain that comes on while walking, which is what this knowledge "
                "graph covers, so no condition can be suggested. See a clinician about other complaints."
            )
        if understood.unrecognized:
            advice += (
                " Not understood, so not taken into account: "
                + "; ".join(f"\u201c{u}\u201d" for u in understood.unrecognized)
                + "."
            )
        return dataclasses.replace(
            assessment,
            advice=advice,
            unrecognized=tuple(understood.unrecognized),
            understood=understood.mentions,
            patient=understood.patient,
        )

    def candidates(self, request: AssessmentRequest) -> list[Candidate]:
        """The ranked candidates alone (no urgency), for the same request."""
        understood = self.understand(request)
        return self.scorer.candidates(
            understood.present, understood.absent, limit=request.limit, risk_factors=understood.patient.risk_factors
        )

    def describe(self) -> dict[str, Any]:
        """What /health and `legpain serve` report about the loaded graph."""
        out: dict[str, Any] = {
            "ontologyVersion": self.version,
            "store": self.backend.scheme,
            "dataVersion": self.knowledge.data_version(),
        }
        if self.graph is not None:
            out["triples"] = self.graph.triples
            out["reasoning"] = {
                "origin": self.graph.closure.origin,
                "reasoner": self.graph.closure.reasoner,
                "message": self.graph.closure.message,
            }
        return out


def _names_a_condition(mention: Mention) -> bool:
    """A condition mention that is not negated and about the patient (possible counts: "could it be")."""
    return (
        mention.kind is MentionKind.CONDITION
        and mention.certainty is not Certainty.NEGATED
        and not mention.not_the_patient
    )


def load_service(settings: Settings, force_reasoner: str | None = None) -> LegPainService:
    """The service over the configured store (see the module docstring); raises `kg.stores` `StoreError`
    with a clear message when the store is unreachable or not loaded."""
    backend = backend_for(settings.store, settings.store_timeout_s)
    if backend.remote:
        dataset = backend.open(read_only=True)
        remote = store_call(
            backend,
            "be read",
            lambda: StoreKnowledge(backend, dataset, QueryLibrary(settings.queries_dir), settings.store_cache_ttl_s),
        )
        return LegPainService(remote, backend)
    graph = open_stored_graph(settings) if backend.persistent else load_graph(settings, force_reasoner)
    knowledge = IndexedKnowledge(graph.index, graph.data_version, graph.version, graph.triple_counts())
    service = LegPainService(knowledge, backend, graph)
    service.scorer.prepare()  # ready to rank a large graph from the first request
    return service
