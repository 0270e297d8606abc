"""Where SPARQL queries run: a pool of sandboxed worker processes (`pool`, `worker`, `sandbox`) and the
jobs and replies they exchange (`jobs`). Imports nothing of starlette or rdflib: workers start fast."""
