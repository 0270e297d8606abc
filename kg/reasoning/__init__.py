"""The `Reasoner` protocol (HermiT, OWL RL), the inferred closure and its caches, and the closed dataset
(asserted and inferred named graphs).

Imports `kg.core`, `kg.sparql`, `kg.stores` and `kg.loading`.
"""
