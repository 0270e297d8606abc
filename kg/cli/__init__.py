"""The `legpain` command line: the parser (`main`) and one module per command group.

The top of `kg`: nothing in `kg` imports it.
"""
