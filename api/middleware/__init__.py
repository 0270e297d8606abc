"""ASGI middleware of the app, outermost first: request IDs and the access log, security headers, the
body size limit."""
