"""`legpain validate`: passes on the shipped ontology, names each problem of a broken copy."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kg.authoring.validation import ValidationReport, validate
from kg.core.settings import Settings

#: slow: each validation runs the reasoner and SHACL
pytestmark = pytest.mark.slow


def _settings(root: Path, tmp_path: Path) -> Settings:
    return Settings(ontology_dir=root / "ontology", queries_dir=root / "queries", cache_dir=tmp_path / "cache")


@pytest.fixture(scope="module")
def shipped_report(tmp_path_factory: pytest.TempPathFactory) -> ValidationReport:
    return validate(Settings(cache_dir=tmp_path_factory.mktemp("cache")), reasoner="owlrl")


def test_shipped_ontology_validates_without_errors_or_warnings(shipped_report: ValidationReport) -> None:
    assert shipped_report.ok, shipped_report.to_table()
    assert shipped_report.count("warning") == 0, shipped_report.to_table()
    for check in ("syntax", "shacl", "quotes-verbatim", "mapping-codes", "missing-label", "dangling-iri"):
        assert check in shipped_report.checks_run


def _problems(report: ValidationReport, check: str) -> list[str]:
    return [f"{p.level} {p.location} {p.message}" for p in report.problems if p.check == check]


def test_broken_copy_fails_and_names_each_problem(ontology_copy: Path, tmp_path: Path) -> None:
    onto = ontology_copy / "ontology"
    # 1. a syntax error in an extension module, with its line
    (onto / "extensions" / "broken-syntax.ttl").write_text(
        "@prefix lp: <https://w3id.org/legpain/> .\n\nlp:Thing a lp:Finding ;\n    lp:oops .\n", encoding="utf-8"
    )
    # 2. a term without a label, 3. a dangling IRI (a typo), 4. a quote that is not in the article
    findings = onto / "findings.ttl"
    text = findings.read_text(encoding="utf-8")
    text = text.replace('rdfs:label "chills"@en ;', "", 1)
    text = text.replace("lp:isKindOf lp:Tingling", "lp:isKindOf lp:Tinglng", 1)
    findings.write_text(text, encoding="utf-8")
    sources = onto / "sources.ttl"
    sources.write_text(
        sources.read_text(encoding="utf-8").replace(
            "quickly relieved within a few minutes", "slowly relieved after an hour", 1
        ),
        encoding="utf-8",
    )
    # 5. a mapping code that does not exist
    icd = onto / "mappings" / "legpain-icd10cm.sssom.tsv"
    icd.write_text(icd.read_text(encoding="utf-8").replace("ICD10CM:M54.3\t", "ICD10CM:M99.999\t", 1), encoding="utf-8")

    report = validate(_settings(ontology_copy, tmp_path), reasoner="owlrl")
    assert not report.ok
    syntax = _problems(report, "syntax")
    assert len(syntax) == 1 and re.search(r"^error broken-syntax\.ttl:4 ", syntax[0]), syntax
    assert any("lp:Chills" in p for p in _problems(report, "missing-label"))
    assert any("lp:Tinglng" in p for p in _problems(report, "dangling-iri"))
    assert any("lp:PassagePadRelief" in p for p in _problems(report, "quotes-verbatim"))
    assert any("M99.999" in p and p.startswith("error") for p in _problems(report, "mapping-codes"))
    assert _problems(report, "closure-up-to-date") == []  # not checked with extension modules present
    assert "FAILED" in report.to_table()
    assert '"ok": false' in report.to_json()


def test_inconsistent_module_is_an_error_naming_the_clash(ontology_copy: Path, tmp_path: Path) -> None:
    (ontology_copy / "ontology" / "extensions" / "clash.ttl").write_text(
        """
@prefix lp: <https://w3id.org/legpain/> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
lp:Muddle a owl:NamedIndividual, lp:Condition, lp:BodySystem ; rdfs:label "muddle"@en .
""",
        encoding="utf-8",
    )
    report = validate(_settings(ontology_copy, tmp_path), reasoner="owlrl")
    consistency = _problems(report, "consistency")
    assert any(p.startswith("error") and "Muddle" in p for p in consistency), consistency
    # one clash is one error: the checks that need the closure are not run over an unreasoned graph
    # (53 errors were listed, mostly `condition-incomplete` for every condition)
    assert report.count("error") == 1, report.to_table()
    assert _problems(report, "checks-skipped")


def test_condition_without_findings_fails_the_shapes(ontology_copy: Path, tmp_path: Path) -> None:
    (ontology_copy / "ontology" / "extensions" / "bare.ttl").write_text(
        """
@prefix lp: <https://w3id.org/legpain/> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
lp:BareCondition a owl:NamedIndividual, lp:Condition ; rdfs:label "bare condition"@en ;
    skos:definition "A condition with nothing known about it."@en ; dcterms:source lp:PassageBodySystems .
""",
        encoding="utf-8",
    )
    report = validate(_settings(ontology_copy, tmp_path), reasoner="owlrl")
    shacl = _problems(report, "shacl")
    assert any("lp:BareCondition" in p and "typical finding" in p for p in shacl), shacl
    assert any("lp:BareCondition" in p for p in _problems(report, "condition-incomplete"))


def test_owl_dl_profile_problems_are_errors(ontology_copy: Path, tmp_path: Path) -> None:
    (ontology_copy / "ontology" / "extensions" / "profile.ttl").write_text(
        """
@prefix lp: <https://w3id.org/legpain/> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
lp:rank a owl:ObjectProperty .
lp:Sciatica lp:undeclaredLink lp:Fever .
lp:CountedThing a owl:Class ; rdfs:label "counted"@en ;
    rdfs:subClassOf [ a owl:Restriction ; owl:onProperty lp:partOf ; owl:maxCardinality 1 ] .
""",
        encoding="utf-8",
    )
    report = validate(_settings(ontology_copy, tmp_path), reasoner="owlrl")
    profile = _problems(report, "owl-dl-profile")
    assert any("lp:rank" in p and "two kinds of property" in p for p in profile), profile
    assert any("lp:undeclaredLink" in p and "not declared" in p for p in profile), profile
    assert any("lp:partOf" in p and "non-simple" in p for p in profile), profile
    assert all(p.startswith("error") for p in profile)
