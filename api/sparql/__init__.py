"""The SPARQL 1.1 Protocol endpoint: the route (`endpoint`), request reading, formats, results, the service
description and the remote-store runner; `runners/` holds the sandboxed worker processes."""
