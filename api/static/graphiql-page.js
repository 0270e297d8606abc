// Starts GraphiQL on the page served by GET /graphql (api/static/graphiql.html). A file of its own, not an
// inline script, so that the page's Content-Security-Policy can forbid inline scripts. React, ReactDOM,
// GraphiQL and the explorer plugin are the vendored UMD builds of static/graphiql/, loaded before this file.
"use strict";
(() => {
  const DEFAULT_QUERY = `# GraphiQL for the leg-pain-while-walking knowledge graph.
#
# Run a query with Ctrl-Enter (or the play button); Ctrl-Space completes field names;
# the Docs button on the left shows the schema, the explorer builds queries by clicking.
# Request headers (JSON) go in the Headers tab below.

{
  urgencyLevels {
    id
    rank
    label
  }
  condition(id: "lp:Sciatica") {
    label
    causes { id label }
  }
}
`;
  const root = document.getElementById("graphiql");
  // The endpoint is the URL this page was served at, as the server wrote it into the page.
  const endpoint = root.dataset.endpoint || window.location.pathname;
  const parameters = new URLSearchParams(window.location.search);
  // GraphiQL's dialogs insert one <style> element (react-remove-scroll); the bundle gives it the nonce found
  // in this global, which the page's Content-Security-Policy allows (no 'unsafe-inline' needed).
  window.__webpack_nonce__ = root.dataset.styleNonce;

  // A query being edited is kept in the page's URL (`?q=`), so that the URL can be shared. The API's own
  // `?query=` would make GET /graphql run the query instead of serving this page, hence another name.
  function remember(name, value) {
    if (value) parameters.set(name, value);
    else parameters.delete(name);
    const search = parameters.toString();
    window.history.replaceState(null, "", search ? `?${search}` : window.location.pathname);
  }

  const fetcher = GraphiQL.createFetcher({ url: endpoint });
  const plugins = typeof GraphiQLPluginExplorer === "undefined" ? [] : [GraphiQLPluginExplorer.explorerPlugin()];
  const props = {
    fetcher,
    plugins,
    defaultQuery: DEFAULT_QUERY,
    defaultEditorToolsVisibility: true,
    isHeadersEditorEnabled: true,
    // headers may hold credentials: they are not written to the browser's storage
    shouldPersistHeaders: false,
    inputValueDeprecation: true,
    // (the example itself is not written into the URL, so a fresh page keeps a clean one)
    onEditQuery: (query) => remember("q", query === DEFAULT_QUERY ? "" : query),
    onEditVariables: (variables) => remember("variables", variables),
  };
  if (parameters.get("q")) props.query = parameters.get("q");
  if (parameters.get("variables")) props.variables = parameters.get("variables");

  ReactDOM.createRoot(root).render(React.createElement(GraphiQL, props));
})();
