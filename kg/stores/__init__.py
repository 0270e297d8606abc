"""Where the graph is kept: one module per kind of store, the registry that picks one by name, and the one
SPARQL-over-HTTP client.

Imports `kg.core` and `kg.sparql`.
"""
