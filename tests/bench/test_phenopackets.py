"""The pieces of the phenopacket benchmark that decide its figures, on small files: how HPO annotation
frequencies are read (`bench/scale_data.py`) and how a cases file is read (`bench/bench_phenopackets.py`).
The whole benchmark needs the 8M-triple HPO graph and is run by hand (README, "Real cases")."""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"
sys.path.insert(0, str(BENCH))

import bench_phenopackets  # noqa: E402
import scale_data  # noqa: E402

OBO = """format-version: 1.2

[Term]
id: HP:0040279
name: Frequency

[Term]
id: HP:0040280
name: Obligate
def: "Always present, i.e. in 100% of the cases." []
is_a: HP:0040279 ! Frequency

[Term]
id: HP:0040282
name: Frequent
def: "Present in 30% to 79% of the cases." []
is_a: HP:0040279 ! Frequency

[Term]
id: HP:0000118
name: Phenotypic abnormality
"""

COLUMNS = "database_id disease_name qualifier hpo_id reference evidence onset frequency sex modifier aspect"
HEADER = "\t".join([*COLUMNS.split(), "biocuration"])


def _row(disease: str, term: str, frequency: str, qualifier: str = "", aspect: str = "P") -> str:
    return "\t".join([disease, "name", qualifier, term, "PMID:1", "PCS", "", frequency, "", "", aspect, "HPO:x"])


def test_frequency_terms_are_the_middle_of_the_range_their_definitions_state(tmp_path: Path) -> None:
    obo = tmp_path / "hp.obo"
    obo.write_text(OBO, encoding="utf-8")
    assert scale_data.frequency_terms(obo) == {"HP:0040280": 1.0, "HP:0040282": pytest.approx(0.545)}


def test_annotation_frequencies_pool_counts_and_average_mixed_rows(tmp_path: Path) -> None:
    obo, hpoa = tmp_path / "hp.obo", tmp_path / "phenotype.hpoa"
    obo.write_text(OBO, encoding="utf-8")
    rows = [
        _row("OMIM:100", "HP:0000001", "1/4"),
        _row("OMIM:100", "HP:0000001", "3/4"),  # the same annotation from another reference: 4/8
        _row("OMIM:100", "HP:0000002", "HP:0040282"),
        _row("OMIM:100", "HP:0000002", "20%"),  # mixed kinds: the mean of 0.545 and 0.2
        _row("OMIM:100", "HP:0000003", ""),  # no frequency: no entry (the link has none)
        _row("OMIM:100", "HP:0000004", "1/2", qualifier="NOT"),  # an excluded finding, not a frequency
        _row("OMIM:100", "HP:0000005", "1/2", aspect="I"),  # inheritance, not a phenotype
        _row("ORPHA:7", "HP:0000001", "HP:0040280"),
    ]
    hpoa.write_text("#description: test\n" + HEADER + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    assert scale_data.hpo_frequencies(hpoa, obo) == {
        ("omim", 100, 1): 0.5,
        ("omim", 100, 2): pytest.approx((0.545 + 0.2) / 2),
        ("orpha", 7, 1): 1.0,
    }


def test_cases_are_read_from_gzip_or_plain_json_lines_without_the_about_line(tmp_path: Path) -> None:
    cases = [
        {"id": "a", "diseases": ["OMIM:100"], "observed": ["HP:0000001"], "excluded": []},
        {"id": "b", "diseases": ["OMIM:200"], "observed": ["HP:0000002"], "excluded": ["HP:0000003"]},
    ]
    lines = [json.dumps({"about": "test", "cases": 2}), *map(json.dumps, cases), ""]
    plain, packed = tmp_path / "cases.jsonl", tmp_path / "cases.jsonl.gz"
    plain.write_text("\n".join(lines), encoding="utf-8")
    with gzip.open(packed, "wt", encoding="utf-8") as out:
        out.write("\n".join(lines))
    assert list(bench_phenopackets.read_cases(plain)) == cases
    assert list(bench_phenopackets.read_cases(packed)) == cases


def test_a_case_without_its_lists_is_refused_with_its_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"id": "x", "diseases": "OMIM:1"}) + "\n", encoding="utf-8")
    with pytest.raises(SystemExit, match=r"bad.jsonl:1"):
        list(bench_phenopackets.read_cases(bad))
