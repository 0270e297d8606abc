"""Vocabulary (namespaces), settings, the shipped data's location, records and enums, the verified cache.

The bottom layer: it imports nothing else of `kg`.
"""
