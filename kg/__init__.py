"""The walking leg-pain knowledge graph, in layers (bottom to top): `core`, `sparql`, `stores`,
`loading`, `reasoning`, `knowledge`, then `assessment` and `authoring`, then `cli`. A module imports
its own package and the layers below it (`tests/test_layers.py`).

`kg` never imports `api`, starlette or strawberry; the HTTP layer builds on what this package offers.
"""

from __future__ import annotations

__version__ = "0.1.0"
