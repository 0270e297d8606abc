"""What the graph says, as records: the index built with the `queries/index` files, the small capability
protocols its readers need, and their implementations (in memory, or asked of a remote store).

Imports the layers below (`kg.core` to `kg.reasoning`).
"""
