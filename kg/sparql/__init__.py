"""The query library (`queries/*.rq`) and the one guard that decides what a query may do.

Imports `kg.core` only.
"""
