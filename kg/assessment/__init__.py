"""The use case: text or phrases in, ranked and explained candidates plus an urgency out (search, scoring,
the service that offers it once).

Imports `kg.knowledge` and the layers below.
"""
