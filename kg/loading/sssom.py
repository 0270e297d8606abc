"""SSSOM mapping files (`ontology/mappings/*.sssom.tsv`) turned into RDF.

Each row becomes `subject <predicate> object`, the object's label and scheme, and an `owl:Axiom` on the
mapping that carries its `mapping_justification` and comment (how the code was checked). SSSOM is the
format HPO, Mondo and OBO tools exchange mappings in; keeping the TSV as the edit source lets those
tools read and write it.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from kg.core.namespaces import LP, from_curie

#: Scheme names, as the API reports them, by CURIE prefix of the mapped code.
SCHEMES = {"ICD10CM": "ICD-10-CM", "HP": "HPO", "SNOMEDCT": "SNOMED CT", "UBERON": "UBERON"}
REQUIRED_COLUMNS = ("subject_id", "predicate_id", "object_id", "mapping_justification")
ALLOWED_PREDICATES = {"skos:exactMatch", "skos:closeMatch", "skos:broadMatch", "skos:narrowMatch", "skos:relatedMatch"}


class MappingFileError(ValueError):
    """A mapping file that cannot be read; names the file and row."""


@dataclass(frozen=True)
class MappingRow:
    """One SSSOM row, as written in the file."""

    subject_id: str
    predicate_id: str
    object_id: str
    object_label: str
    mapping_justification: str
    comment: str
    line: int


def read_sssom(path: Path) -> list[MappingRow]:
    """Read an SSSOM TSV file (its `#` YAML header is skipped), checking the columns it needs."""
    lines = path.read_text(encoding="utf-8").splitlines()
    body_start = next((i for i, line in enumerate(lines) if not line.startswith("#")), len(lines))
    reader = csv.DictReader(io.StringIO("\n".join(lines[body_start:])), delimiter="\t")
    missing = [c for c in REQUIRED_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise MappingFileError(f"{path}: missing SSSOM column(s) {', '.join(missing)}")
    rows = []
    for offset, record in enumerate(reader, start=body_start + 2):
        row = MappingRow(
            subject_id=(record.get("subject_id") or "").strip(),
            predicate_id=(record.get("predicate_id") or "").strip(),
            object_id=(record.get("object_id") or "").strip(),
            object_label=(record.get("object_label") or "").strip(),
            mapping_justification=(record.get("mapping_justification") or "").strip(),
            comment=(record.get("comment") or "").strip(),
            line=offset,
        )
        if row.predicate_id not in ALLOWED_PREDICATES:
            raise MappingFileError(
                f"{path}:{row.line}: predicate {row.predicate_id!r} is not a SKOS "
                f"mapping predicate ({', '.join(sorted(ALLOWED_PREDICATES))})"
            )
        if not row.subject_id.startswith("lp:") or ":" not in row.object_id:
            raise MappingFileError(f"{path}:{row.line}: subject must be an lp: CURIE and object a CURIE")
        rows.append(row)
    return rows


def mappings_to_graph(rows: list[MappingRow], graph: Graph | None = None) -> Graph:
    """Add the triples for the given SSSOM rows to `graph` (a new graph when omitted)."""
    g = graph if graph is not None else Graph()
    for row in rows:
        subject = URIRef(from_curie(row.subject_id))
        predicate = URIRef(from_curie(row.predicate_id))
        obj = URIRef(from_curie(row.object_id))
        g.add((subject, predicate, obj))
        prefix = row.object_id.split(":", 1)[0]
        g.add((obj, LP.scheme, Literal(SCHEMES.get(prefix, prefix))))
        if row.object_label:
            g.add((obj, RDFS.label, Literal(row.object_label)))
        axiom = BNode()
        g.add((axiom, RDF.type, OWL.Axiom))
        g.add((axiom, OWL.annotatedSource, subject))
        g.add((axiom, OWL.annotatedProperty, predicate))
        g.add((axiom, OWL.annotatedTarget, obj))
        g.add((axiom, LP.mappingJustification, URIRef(from_curie(row.mapping_justification))))
        if row.comment:
            g.add((axiom, RDFS.comment, Literal(row.comment)))
    return g
