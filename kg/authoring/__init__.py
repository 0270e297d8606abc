"""What ontology editors use: validation, terminology checks, reference docs, the diagram, export and
release, and the one table of RDF formats.

Imports `kg.knowledge` and the layers below; never `kg.assessment`.
"""
