// The SPARQL query page (api/static/sparql.html): examples, running a query, showing the result.
// A file of its own (not an inline script) so that the page's Content-Security-Policy can forbid inline scripts.
"use strict";
const PREFIXES = `PREFIX lp: <https://w3id.org/legpain/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX dcterms: <http://purl.org/dc/terms/>
`;
const EXAMPLES = {
  "Conditions by body system": `${PREFIXES}
SELECT ?systemLabel ?condition ?label
WHERE {
  ?condition a lp:Condition ; rdfs:label ?label ; lp:hasBodySystem ?system .
  ?system rdfs:label ?systemLabel .
}
ORDER BY ?systemLabel ?label`,
  "Warning signs and their urgency": `${PREFIXES}
SELECT ?finding ?label ?urgencyLabel ?rank
WHERE {
  ?finding a lp:WarningSign ; rdfs:label ?label ; lp:warrantsUrgency ?urgency .
  ?urgency rdfs:label ?urgencyLabel ; lp:rank ?rank .
}
ORDER BY DESC(?rank) ?label`,
  "Source passage of each condition-finding link": `${PREFIXES}
SELECT ?condition ?property ?finding ?quote
WHERE {
  ?axiom owl:annotatedSource ?condition ; owl:annotatedProperty ?property ;
         owl:annotatedTarget ?finding ; dcterms:source ?passage .
  ?passage lp:quote ?quote .
}
LIMIT 50`,
  "Triples per named graph": `SELECT ?graph (COUNT(*) AS ?triples)
WHERE { GRAPH ?graph { ?s ?p ?o } }
GROUP BY ?graph`,
  "Describe a condition (graph)": `${PREFIXES}
DESCRIBE lp:PeripheralArteryDisease`,
};
const $ = (id) => document.getElementById(id);
for (const name of Object.keys(EXAMPLES)) {
  const option = document.createElement("option");
  option.textContent = name;
  $("example").appendChild(option);
}
$("example").addEventListener("change", () => { $("query").value = EXAMPLES[$("example").value]; });
$("query").value = EXAMPLES[Object.keys(EXAMPLES)[0]];

function cell(term) {
  const td = document.createElement("td");
  if (!term) return td;
  let text = term.value;
  if (term.type === "bnode") text = "_:" + text;
  if (term["xml:lang"]) text += " @" + term["xml:lang"];
  td.textContent = text;
  if (term.type === "uri") td.title = term.value;
  return td;
}

function showTable(data) {
  const table = document.createElement("table");
  const head = table.insertRow();
  for (const v of data.head.vars) {
    const th = document.createElement("th");
    th.textContent = v;
    head.appendChild(th);
  }
  for (const binding of data.results.bindings) {
    const row = table.insertRow();
    for (const v of data.head.vars) row.appendChild(cell(binding[v]));
  }
  $("results").replaceChildren(table);
}

function showText(text) {
  const pre = document.createElement("pre");
  pre.textContent = text;
  $("results").replaceChildren(pre);
}

async function run() {
  const status = $("status");
  status.className = "";
  status.textContent = "Running…";
  const started = performance.now();
  try {
    const response = await fetch(window.location.pathname, {
      method: "POST",
      headers: { "Content-Type": "application/sparql-query", "Accept": $("format").value },
      body: $("query").value,
    });
    const type = response.headers.get("Content-Type") || "";
    const text = await response.text();
    const ms = Math.round(performance.now() - started);
    if (!response.ok) {
      status.className = "error";
      status.textContent = `${response.status}: ${text}`;
      $("results").replaceChildren();
      return;
    }
    const cut = response.headers.get("X-Legpain-Truncated") === "true" ? " (truncated at the row limit)" : "";
    if (type.startsWith("application/sparql-results+json")) {
      const data = JSON.parse(text);
      if ("boolean" in data) {
        showText(String(data.boolean));
        status.textContent = `ASK in ${ms} ms`;
      } else {
        showTable(data);
        status.textContent = `${data.results.bindings.length} rows in ${ms} ms${cut}`;
      }
    } else {
      showText(text);
      status.textContent = `${type.split(";")[0]} in ${ms} ms${cut}`;
    }
  } catch (error) {
    status.className = "error";
    status.textContent = String(error);
  }
}
$("run").addEventListener("click", run);
$("query").addEventListener("keydown", (event) => {
  if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) run();
});
