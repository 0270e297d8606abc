"""Where the data the package ships lives: the ontology, the query library and the diagram.

Installed from a wheel, they are package data (`kg.ontology_data`, `kg.queries_data`,
`kg.docs_data`: the top-level `ontology/`, `queries/` and `docs/` folders, mapped in
pyproject.toml), found through the import system wherever the wheel was installed. From a checkout
(an editable install, or the source tree on `sys.path`) they are those folders themselves: what an
informatician edits is what the server reads. Either way the result is a real directory, since
rdflib, Oxigraph and the file globbing all read paths.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

#: The checkout's root, when the code runs from one (the folder above `kg/`, two levels up from this file).
CHECKOUT = Path(__file__).resolve().parents[2]
_FOLDERS = {"ontology": "ontology", "queries": "queries", "docs": "docs"}


def shipped_dir(name: str) -> Path:
    """The directory of one kind of shipped data (`ontology`, `queries` or `docs`)."""
    folder = _FOLDERS[name]
    try:
        spec = importlib.util.find_spec(f"kg.{name}_data")
    except ModuleNotFoundError:
        spec = None
    if spec is not None and spec.submodule_search_locations:
        return Path(next(iter(spec.submodule_search_locations)))
    return CHECKOUT / folder
