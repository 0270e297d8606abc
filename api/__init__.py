"""HTTP interfaces over the knowledge graph: GraphQL (`/graphql`), SPARQL (`/sparql`), `/health`."""
