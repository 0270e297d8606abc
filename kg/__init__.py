"""The walking leg-pain knowledge graph: loading, reasoning, search and the assessment engine.

`kg` never imports `api`, starlette or strawberry; the HTTP layer builds on what this package offers.
"""

from __future__ import annotations

__version__ = "0.1.0"
