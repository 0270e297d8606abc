"""GraphQL over HTTP: the strawberry view (`view`), its limits, the schema (types and resolvers), GraphiQL."""
