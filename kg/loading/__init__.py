"""Reading the inputs: file discovery, Turtle parsing and canonical form, SSSOM mappings.

Imports `kg.core`.
"""
