"""The server's HTML pages in a real browser, cut off from every network but the server's own.

GraphiQL (`GET /graphql`), the SPARQL query page (`GET /sparql`) and an `/ontology` reference page are opened
in Debian's headless chromium against `legpain serve` on a loopback port; each must render and work (a
query typed and run, its result shown) with no request leaving the server's origin and no
Content-Security-Policy violation. Before GraphiQL was vendored, its page stayed at "Loading..." here.

How chromium is driven: the Chrome DevTools Protocol over `--remote-debugging-port`, with the `websockets`
package. Playwright cannot be used (it installs a browser build of its own from outside the registries),
and selenium with chromedriver would add a Debian package and a driver process yet still need the
DevTools protocol to see every network request; the protocol itself gives the Network events (every
request the page made), `Input` events (real clicks and typing), screenshots, and a
`securitypolicyviolation` listener installed before any page script runs.

How the network is cut: `--proxy-server=127.0.0.1:9` sends every request to a closed loopback port except
loopback ones (which chromium never proxies), and `--host-resolver-rules` resolves no host name but
127.0.0.1; `--disable-background-networking` and friends keep chromium's own services quiet. The
Network events then show that every request went to the server (or was a `data:` URL).

The plain HTTP tests at the end need no browser: the security headers on the HTML pages, a GraphiQL page
that names no absolute URL, and its assets served from `/static`.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import signal
import subprocess
import time
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.testclient import TestClient
from websockets.sync.client import ClientConnection, connect

from kg.core.settings import PROJECT_ROOT

CHROMIUM = Path("/usr/bin/chromium")
STATIC = PROJECT_ROOT / "api" / "static"
HTML = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}

needs_chromium = pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} not found (apt-get install chromium)")

#: Installed before any script of a page runs (DevTools scripts are exempt from the page's CSP).
WATCH_CSP = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(`${e.violatedDirective} blocked ${e.blockedURI || "inline"} at ${e.sourceFile}:${e.lineNumber}`);
});
"""


class DevTools:
    """A minimal Chrome DevTools Protocol client for one page: commands wait for their reply, and every
    event that arrives meanwhile is kept in `events`."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.events: list[dict[str, Any]] = []
        self._id = 0

    def call(self, method: str, timeout: float = 30, **params: Any) -> dict[str, Any]:
        self._id += 1
        ident = self._id
        self.ws.send(json.dumps({"id": ident, "method": method, "params": params}))
        deadline = time.monotonic() + timeout
        while True:
            message = json.loads(self.ws.recv(timeout=max(0.01, deadline - time.monotonic())))
            if message.get("id") == ident:
                if "error" in message:
                    raise AssertionError(f"{method} failed: {message['error']}")
                return message.get("result", {})
            if "method" in message:
                self.events.append(message)

    def evaluate(self, expression: str) -> Any:
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            raise AssertionError(f"{expression!r} threw: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_for(self, expression: str, what: str, timeout: float = 30) -> Any:
        """The first truthy value of `expression`, polled; fails saying `what` did not happen."""
        deadline = time.monotonic() + timeout
        while True:
            value = self.evaluate(expression)
            if value:
                return value
            if time.monotonic() > deadline:
                body = self.evaluate("document.body ? document.body.innerText.slice(0, 500) : ''")
                raise AssertionError(f"{what}: not within {timeout:.0f} s; the page shows {body!r}")
            time.sleep(0.1)

    def open(self, url: str) -> None:
        self.call("Page.navigate", url=url)
        where = "location.origin + location.pathname"  # a page may keep its state in the query string
        self.wait_for(f"{where} === {json.dumps(url)} && document.readyState === 'complete'", f"{url} loaded")

    def click(self, selector: str) -> None:
        """A real mouse click at the middle of the element."""
        box = self.wait_for(
            f"(() => {{ const e = document.querySelector({json.dumps(selector)}); if (!e) return null;"
            " const r = e.getBoundingClientRect(); return r.width && r.height ? [r.x + r.width / 2, r.y + r.height / 2]"
            " : null; })()",
            f"{selector} shown",
        )
        x, y = box
        self.call("Input.dispatchMouseEvent", type="mouseMoved", x=x, y=y)
        for kind in ("mousePressed", "mouseReleased"):
            self.call("Input.dispatchMouseEvent", type=kind, x=x, y=y, button="left", clickCount=1)

    def press(self, key: str, code: str, key_code: int, modifiers: int = 0) -> None:
        """One keystroke to the focused element (`modifiers`: 2 is Ctrl)."""
        event = {"key": key, "code": code, "windowsVirtualKeyCode": key_code, "modifiers": modifiers}
        self.call("Input.dispatchKeyEvent", type="rawKeyDown", **event)
        self.call("Input.dispatchKeyEvent", type="keyUp", **event)

    def type(self, text: str) -> None:
        self.call("Input.insertText", text=text)

    def screenshot(self, path: Path) -> None:
        path.write_bytes(base64.b64decode(self.call("Page.captureScreenshot", format="png")["data"]))

    def requests(self) -> list[dict[str, Any]]:
        return [e["params"]["request"] for e in self.events if e["method"] == "Network.requestWillBeSent"]

    def assert_stayed_home(self, origin: str) -> None:
        """Every request went to `origin` (or was a `data:` URL), none failed, and no CSP was violated."""
        urls = [r["url"] for r in self.requests()]
        assert urls, "no request seen"
        assert [u for u in urls if not (u.startswith(origin + "/") or u.startswith("data:"))] == []
        failed = [e["params"] for e in self.events if e["method"] == "Network.loadingFailed"]
        assert failed == []
        statuses = {
            e["params"]["response"]["url"]: e["params"]["response"]["status"]
            for e in self.events
            if e["method"] == "Network.responseReceived"
        }
        assert {u: s for u, s in statuses.items() if s >= 400 and not u.endswith("/favicon.ico")} == {}
        assert self.evaluate("window.__csp") == []
        logged = [e["params"]["entry"] for e in self.events if e["method"] == "Log.entryAdded"]
        assert [e for e in logged if "Content Security Policy" in e.get("text", "")] == []
        thrown = [e["params"]["exceptionDetails"] for e in self.events if e["method"] == "Runtime.exceptionThrown"]
        assert thrown == []


@pytest.fixture()
def browser(tmp_path: Path) -> Iterator[DevTools]:
    """Headless chromium with a fresh profile and the network cut off, connected to its one page."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} not found (apt-get install chromium)")
    profile = tmp_path / "profile"
    command = [
        str(CHROMIUM),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--no-default-browser-check",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-extensions",
        f"--user-data-dir={profile}",
        "--proxy-server=127.0.0.1:9",
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
        "--remote-debugging-port=0",
        "--window-size=1280,860",
        "about:blank",
    ]
    log = (tmp_path / "chromium.log").open("wb")
    proc = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        active = profile / "DevToolsActivePort"
        deadline = time.monotonic() + 60
        while not (active.exists() and len(active.read_text().split()) == 2):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(
                    "chromium did not start:\n" + (tmp_path / "chromium.log").read_text(errors="replace")
                )
            time.sleep(0.1)
        port = active.read_text().split()[0]
        targets = httpx.get(f"http://127.0.0.1:{port}/json/list", timeout=10, trust_env=False).json()
        page = next(t for t in targets if t["type"] == "page")
        with connect(page["webSocketDebuggerUrl"], max_size=64 * 2**20, proxy=None, open_timeout=15) as ws:
            tools = DevTools(ws)
            for domain in ("Page", "Runtime", "Network", "Log"):
                tools.call(f"{domain}.enable")
            tools.call("Page.addScriptToEvaluateOnNewDocument", source=WATCH_CSP)
            yield tools
    finally:
        try:
            os.killpg(proc.pid, signal.SIGTERM)  # the browser and the helpers it started, nothing else
        except ProcessLookupError:
            pass
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=15)
        log.close()


def _editor(container: str) -> str:
    """JS for the CodeMirror instance of the visible GraphiQL editor inside `container`."""
    return (
        f"[...document.querySelectorAll({json.dumps(container + ' .CodeMirror')})]"
        ".find((e) => e.offsetParent !== null).CodeMirror"
    )


GRAPHQL = '{ condition(id: "lp:Sciatica") { label causes { id } } }'


@pytest.mark.server
@needs_chromium
def test_graphiql_renders_and_runs_a_query_offline(live_server: str, browser: DevTools, tmp_path: Path) -> None:
    browser.open(live_server + "/graphql")
    browser.wait_for("!!document.querySelector('.graphiql-container .graphiql-query-editor .CodeMirror')", "GraphiQL")
    assert "Loading" not in browser.evaluate("document.getElementById('graphiql').innerText")
    # type a query into the query editor, replacing the example
    browser.click(".graphiql-query-editor .CodeMirror-lines")
    browser.press("a", "KeyA", 65, modifiers=2)  # Ctrl+A
    browser.type(GRAPHQL)
    assert browser.evaluate(f"{_editor('.graphiql-query-editor')}.getValue()") == GRAPHQL
    # the query being edited is kept in the page's URL, to share it (`?q=`, not the API's `?query=`)
    browser.wait_for(
        f"new URLSearchParams(location.search).get('q') === {json.dumps(GRAPHQL)}", "the query in the URL (debounced)"
    )

    # a request header, typed into the headers editor
    browser.click(".graphiql-editor-tools button:nth-of-type(2)")
    assert browser.evaluate("document.querySelector('.graphiql-editor-tools button:nth-of-type(2)').innerText") == (
        "Headers"
    )
    browser.click(".graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror-lines")
    browser.type('{"X-Browser-Test": "graphiql"}')

    browser.click(".graphiql-execute-button")
    shown = browser.wait_for(
        f"(() => {{ const v = {_editor('.graphiql-response')}.getValue(); return v.includes('sciatica') && v; }})()",
        "the query's result in the response pane",
    )
    result = json.loads(shown)
    assert result["data"]["condition"]["label"] == "sciatica"
    assert {c["id"] for c in result["data"]["condition"]["causes"]} == {"lp:HerniatedDisc", "lp:SpinalStenosis"}
    assert result["extensions"]["ontologyVersion"]
    browser.screenshot(tmp_path / "graphiql.png")

    # the schema came through the page's fetcher: the explorer plugin (vendored too) lists the root fields
    browser.click('button[aria-label="Show GraphiQL Explorer"]')
    browser.wait_for(
        "(document.querySelector('.graphiql-plugin') || {innerText: ''}).innerText.includes('urgencyLevels')",
        "the schema's fields in the explorer",
    )
    # a dialog inserts a <style> element at run time: the page's nonce must let it through (no violation)
    browser.click('button[aria-label="Open settings dialog"]')
    browser.wait_for("document.querySelector('[role=dialog]')?.innerText.includes('Theme')", "the settings dialog")
    browser.wait_for("document.querySelectorAll('style').length > 0", "the dialog's scroll-lock <style>")
    browser.press("Escape", "Escape", 27)
    browser.wait_for("!document.querySelector('[role=dialog]')", "the settings dialog closed")

    sent = [
        r
        for r in browser.requests()
        if r["url"] == live_server + "/graphql" and r["method"] == "POST" and "Sciatica" in r.get("postData", "")
    ]
    assert sent, "the query was not POSTed to /graphql"
    assert json.loads(sent[-1]["postData"])["query"] == GRAPHQL
    assert {k.lower(): v for k, v in sent[-1]["headers"].items()}.get("x-browser-test") == "graphiql"
    browser.assert_stayed_home(live_server)


@pytest.mark.server
@needs_chromium
def test_sparql_page_runs_a_query_offline(live_server: str, browser: DevTools, tmp_path: Path) -> None:
    browser.open(live_server + "/sparql")
    browser.wait_for("document.querySelectorAll('#example option').length > 0", "the examples (static/sparql.js)")
    # the stylesheet (static/sparql.css) applied
    assert browser.evaluate("getComputedStyle(document.querySelector('th')).backgroundColor") == "rgb(243, 245, 247)"
    browser.click("#run")
    status = browser.wait_for(
        "(() => { const s = document.getElementById('status').innerText; return /rows in/.test(s) && s; })()",
        "the query's rows",
    )
    rows = int(status.split()[0])
    assert rows > 0
    assert browser.evaluate("document.querySelectorAll('#results tr').length") == rows + 1
    browser.screenshot(tmp_path / "sparql.png")
    posted = [r for r in browser.requests() if r["url"] == live_server + "/sparql" and r["method"] == "POST"]
    assert posted and {k.lower(): v for k, v in posted[-1]["headers"].items()}["content-type"] == (
        "application/sparql-query"
    )
    browser.assert_stayed_home(live_server)


@pytest.mark.server
@needs_chromium
def test_ontology_pages_render_offline(live_server: str, browser: DevTools, tmp_path: Path) -> None:
    browser.open(live_server + "/ontology")
    assert browser.evaluate("document.querySelector('h1').innerText")
    # the diagram loaded, and the page's inline style (allowed by its hash) applied
    browser.wait_for("[...document.images].every((i) => i.complete && i.naturalWidth > 0)", "the diagram")
    assert browser.evaluate("getComputedStyle(document.body).maxWidth") == "960px"
    page = browser.evaluate("document.querySelector('a[href^=\"/ontology/conditions/\"]').href")
    browser.open(page)
    assert browser.evaluate("document.querySelector('h1').innerText")
    assert browser.evaluate("getComputedStyle(document.body).maxWidth") == "960px"
    browser.screenshot(tmp_path / "ontology.png")
    browser.assert_stayed_home(live_server)


# ------------------------------------------------------------------------------------------ without a browser
def _policy(response: httpx.Response) -> dict[str, list[str]]:
    directives = (d.split() for d in response.headers["content-security-policy"].split(";") if d.strip())
    return {d[0]: d[1:] for d in directives}


def _html_pages(client: TestClient) -> dict[str, httpx.Response]:
    index = client.get("/ontology", headers=HTML)
    page = re.search(r'href="(/ontology/conditions/[^"]+)"', index.text)
    assert page
    return {
        "/graphql": client.get("/graphql", headers=HTML),
        "/sparql": client.get("/sparql", headers=HTML),
        "/ontology": index,
        page.group(1): client.get(page.group(1), headers=HTML),
    }


def test_html_pages_allow_only_their_own_origin(client: TestClient) -> None:
    for path, response in _html_pages(client).items():
        assert response.status_code == 200 and response.headers["content-type"].startswith("text/html"), path
        policy = _policy(response)
        for directive in ("default-src", "script-src", "connect-src"):
            assert policy[directive] == ["'self'"], (path, directive)
        assert policy["style-src"][0] == "'self'" and "'unsafe-inline'" not in policy["style-src"], path
        assert policy["img-src"] == ["'self'", "data:"]
        assert policy["frame-ancestors"] == policy["base-uri"] == ["'none'"]
        assert policy["form-action"] == ["'self'"]
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "no-referrer"
        # no inline script anywhere; an inline style only where the policy names its hash
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", response.text), path
        assert not re.search(r"<[^>]*\son[a-z]+\s*=", response.text), path  # no inline event handler
        for css in re.findall(r"<style>(.*?)</style>", response.text, re.DOTALL):
            digest = base64.b64encode(hashlib.sha256(css.encode()).digest()).decode()
            assert f"'sha256-{digest}'" in policy["style-src"], path


def test_other_responses_are_not_sniffed_and_carry_no_page_policy(client: TestClient) -> None:
    answer = client.post("/graphql", json={"query": "{ __typename }"})
    assert answer.json()["data"] == {"__typename": "Query"}
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert "content-security-policy" not in answer.headers
    assert client.get("/graphql", params={"query": "{ __typename }"}).json()["data"] == {"__typename": "Query"}
    assert client.get("/health").headers["x-content-type-options"] == "nosniff"


def test_graphiql_page_allows_its_runtime_style_by_a_fresh_nonce(client: TestClient) -> None:
    nonces = []
    for _ in range(2):
        response = client.get("/graphql", headers=HTML)
        style = _policy(response)["style-src"]
        [nonce] = re.findall(r'data-style-nonce="([^"]+)"', response.text)
        assert style == ["'self'", f"'nonce-{nonce}'"] and len(nonce) >= 22
        assert response.headers["cache-control"] == "no-store"
        nonces.append(nonce)
    assert nonces[0] != nonces[1]


def test_graphiql_page_loads_only_files_of_this_server(client: TestClient) -> None:
    page = client.get("/graphql", headers=HTML).text
    assert 'id="graphiql"' in page and 'data-endpoint="/graphql"' in page
    assert re.findall(r"https?://", page) == []
    assert "unpkg" not in page and "jsdelivr" not in page
    assets = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert "static/graphiql/graphiql.min.js" in assets and "static/graphiql-page.js" in assets
    types = {".js": "javascript", ".css": "text/css"}
    for asset in (a for a in assets if not a.startswith("data:")):
        response = client.get("/" + asset)
        assert response.status_code == 200, asset
        assert types[Path(asset).suffix] in response.headers["content-type"], asset
        assert response.headers["x-content-type-options"] == "nosniff"
    # the SPARQL page's own script and style come from the same place
    sparql = client.get("/sparql", headers=HTML).text
    for asset in re.findall(r'(?:src|href)="(static/[^"]+)"', sparql):
        assert client.get("/" + asset).status_code == 200, asset
    # the HTML templates are pages of their routes, not files of /static
    assert client.get("/static/graphiql.html").status_code == 404
    assert client.get("/static/sparql.html").status_code == 404


def test_vendored_graphiql_is_complete_and_ships_in_the_wheel() -> None:
    vendored = STATIC / "graphiql"
    names = {p.name for p in vendored.iterdir()}
    assert {"graphiql.min.js", "graphiql.min.css", "react.production.min.js", "react-dom.production.min.js"} <= names
    assert {"LICENSE-graphiql", "LICENSE-react", "LICENSE-react-dom", "LICENSE-graphql", "README.md"} <= names
    for line in (vendored / "SHA256SUMS").read_text().splitlines():
        digest, name = line.split()
        assert hashlib.sha256((vendored / name).read_bytes()).hexdigest() == digest, name
    assert sum(p.stat().st_size for p in vendored.iterdir()) < 4 * 2**20
    # setuptools globs these patterns from the package directory, as Path.glob does
    patterns = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]["api"]
    shipped = {p for pattern in patterns for p in STATIC.parent.glob(pattern)}
    assert sorted(str(p) for p in STATIC.rglob("*") if p.is_file() and p not in shipped) == []
