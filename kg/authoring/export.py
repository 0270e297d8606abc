"""Writing the graph for other tools: Turtle, N-Triples, JSON-LD, RDF/XML, OWL/XML, TriG, N-Quads,
and versioned release artefacts.

OWL/XML (what Protégé and the OWL API read natively, besides RDF/XML) is written by the OWL API
converter that owlready2 ships with HermiT (`Save.class`), so it needs Java; every other format is
pure rdflib.
"""

from __future__ import annotations

import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL

from kg.core.formats import OWLXML, RDF_FORMATS, RdfFormat, rdf_format
from kg.core.namespaces import INFERRED_GRAPH, ONTOLOGY_IRI
from kg.knowledge.graph import LoadedGraph
from kg.loading.inputs import merged_graph
from kg.reasoning.reasoners import JavaUnavailableError, java_available


@dataclass(frozen=True)
class ExportError(Exception):
    message: str

    def __str__(self) -> str:
        return self.message


def select(kg: LoadedGraph, which: str) -> Graph:
    """A plain graph of `all`, `asserted` or `inferred` triples, with the project's prefixes."""
    if which == "all":
        return merged_graph(kg.dataset, lambda name: True)
    return merged_graph(kg.dataset, lambda name: (which == "inferred") == (name == INFERRED_GRAPH))


def serialize(kg: LoadedGraph, fmt: str, which: str = "all") -> bytes:
    """The graph in a format of `kg.core.formats` (quads formats keep the named graphs)."""
    chosen = _format(fmt)
    return _write(kg, Graph() if chosen.quads else select(kg, which), chosen)


def _format(name: str) -> RdfFormat:
    found = rdf_format(name)
    if found is None:
        raise ExportError(f"unknown format {name!r}; choose one of {', '.join(f.name for f in RDF_FORMATS)}")
    return found


def _write(kg: LoadedGraph, graph: Graph, fmt: RdfFormat) -> bytes:
    """`graph` in `fmt`; a quads format writes the whole dataset of `kg` instead."""
    if fmt.rdflib is None:  # OWL/XML
        return to_owlxml(graph)
    if fmt.quads:
        return kg.dataset.serialize(format=fmt.rdflib, encoding="utf-8")
    return graph.serialize(format=fmt.rdflib, encoding="utf-8")


def to_owlxml(graph: Graph) -> bytes:
    """OWL/XML through the OWL API converter shipped with owlready2 (needs Java)."""
    if not java_available():
        raise JavaUnavailableError(
            "OWL/XML export uses the OWL API and needs Java; export RDF/XML "
            "(--format xml), which Protégé also opens, or install Java"
        )
    import owlready2

    hermit = Path(owlready2.__file__).parent / "hermit"
    with tempfile.TemporaryDirectory(prefix="legpain-owlxml-") as tmp:
        source, target = Path(tmp) / "in.owl", Path(tmp) / "out.owx"
        graph.serialize(source, format="xml", encoding="utf-8")
        done = subprocess.run(
            [
                owlready2.JAVA_EXE,
                "-cp",
                f"{hermit / 'HermiT.jar'}:{hermit}",
                "Save",
                str(source),
                "owlxml",
                str(target),
            ],
            capture_output=True,
            timeout=300,
        )
        if done.returncode != 0 or not target.exists():
            raise ExportError("the OWL API converter failed: " + done.stderr.decode(errors="replace")[-2000:])
        return target.read_bytes()


def release(
    kg: LoadedGraph,
    version: str,
    out_dir: Path,
    formats: tuple[str, ...] = ("turtle", "xml", "owlxml"),
) -> list[Path]:
    """Write versioned artefacts: `legpain-base` (asserted) and `legpain-full` (asserted + inferred),
    each with `owl:versionIRI` and `owl:versionInfo` set to the release version."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for name, which in (("legpain-base", "asserted"), ("legpain-full", "all")):
        graph = select(kg, which)
        graph.set((ONTOLOGY_IRI, OWL.versionIRI, URIRef(f"{ONTOLOGY_IRI}/{version}")))
        graph.set((ONTOLOGY_IRI, OWL.versionInfo, Literal(version)))
        for chosen in map(_format, formats):
            if chosen is OWLXML and not java_available():
                continue
            data = _write(kg, graph, chosen)
            path = out_dir / f"{name}.{chosen.suffix}"
            path.write_bytes(data)
            written.append(path)
    return written
