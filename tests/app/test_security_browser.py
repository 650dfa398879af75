"""A hostile corpus in the real app, in Debian's Chromium (Playwright; no browser download).

tests/hostile_corpus.py writes documents whose titles, keywords, themes, categories, summaries,
table cells, section names, Closest links and page/article URLs carry `<script>`, `onerror=` and
`onload=` attributes, `javascript:` / `data:` / `vbscript:` / `mailto:` links, iframes, markdown
links and images. The app is started on it with the README's command; every page registered in
signals/app/main.py is visited (tables switched, every document opened, a chart hovered). The test
fails on:

* any dialog (`alert`), or any script of the payloads running -- they all set `window.__pwned`,
  which an init script turns into a call the test records, in every frame;
* any `<a href>` whose scheme is not http(s) (relative links to the app are fine);
* any element the payloads would create: an `on*=` attribute, a `<script>` or `<iframe>` of theirs,
  an `<img>`/`<svg>` from their markup;
* any request leaving 127.0.0.1 (a tracking pixel is an attack too).

Screenshots of every page go to artifacts/security/.
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from urllib.parse import parse_qs, quote, urlencode, urlsplit

import hostile_corpus
import pytest
from browser_support import CHROMIUM, chromium, running_app

from signals.filters import Filters, apply
from signals.ingest.load import load_corpus

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts" / "security"
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium at /usr/bin/chromium"),
]

# Every `window.__pwned = ...` of the payloads lands in the exposed function, in every frame.
TRAP = """
(() => {
  const report = (how, value) => { try { window.__signalsPwned(how + ': ' + String(value)); } catch (e) {} };
  Object.defineProperty(window, '__pwned', { set(value) { report('__pwned', value); }, get() { return undefined; } });
  for (const name of ['alert', 'confirm', 'prompt']) {
    const original = window[name];
    window[name] = function (message) { report(name, message); return original ? original.call(window, message) : undefined; };
  }
})();
"""

# What a payload would leave in the DOM if any of its markup were taken as HTML.
DOM_CHECK = """
() => {
  const found = [];
  for (const el of document.querySelectorAll('*')) {
    for (const attr of el.attributes) {
      const value = attr.value || '';
      if (attr.name.startsWith('on') && /pwned|alert/.test(value)) found.push(`${el.tagName} ${attr.name}=${value}`);
      // Links: only the corpus's https://ok.test URL fields may become links; evil.test is only ever
      // in document *text*, so a link to it is text turned into markup. (Heading anchors, #slug, are fine.)
      // The app's own favicon: Streamlit draws its emoji icon as an inline SVG (nothing fetched).
      const appIcon = el.tagName === 'LINK' && /\\bicon\\b/.test(el.getAttribute('rel') || '') &&
        value.startsWith('data:image/svg+xml,') && value.includes('📡');
      if (!appIcon && /^(href|xlink:href)$/.test(attr.name) && /evil\\.test|javascript:|vbscript:|mailto:|^data:(?!image\\/png;)/i.test(value))
        found.push(`${el.tagName} ${attr.name}=${value}`);
      if (/^(src|action|formaction|srcdoc|poster|data)$/.test(attr.name) && /pwned|evil\\.test|javascript:|vbscript:|^data:text/i.test(value))
        found.push(`${el.tagName} ${attr.name}=${value}`);
    }
    if (el.tagName === 'SCRIPT' && /pwned/.test(el.textContent)) found.push('SCRIPT ' + el.textContent.slice(0, 80));
    if (el.tagName === 'IFRAME') found.push('IFRAME ' + (el.getAttribute('src') || el.getAttribute('srcdoc') || ''));
    if (el.tagName === 'B' && el.textContent === 'bold tag') found.push('B from markup');
  }
  // HTML anchors and SVG ones (plotly draws `<a xlink:href>` in charts).
  const links = [...document.querySelectorAll('a[href], a[*|href]')].map(a => {
    const raw = a.getAttribute('href') || a.getAttributeNS('http://www.w3.org/1999/xlink', 'href') || '';
    let resolved = raw;
    try { resolved = new URL(raw, location.href).href; } catch (e) {}
    return [raw, resolved];
  });
  return { found, links };
}
"""


def _page_paths() -> list[str]:
    """Every page signals/app/main.py registers (its build_pages), by url_path."""
    source = (ROOT / "signals" / "app" / "main.py").read_text(encoding="utf-8")
    block = source[source.index("def build_pages"):]
    block = block[:block.index("\n    }\n")]
    paths = re.findall(r'url_path="([^"]+)"', block)
    assert len(paths) == block.count("st.Page(") >= 6, "every page has a url_path"
    return paths




@pytest.fixture(scope="module")
def hostile_dir(tmp_path_factory) -> Path:
    folder = hostile_corpus.write_hostile_corpus(tmp_path_factory.mktemp("hostile") / "corpus")
    # A broken one, so Data health lists problems whose messages quote hostile cells.
    (folder / "<img src=x onerror=alert(1)>.md").write_text(
        "# <script>window.__pwned='health'</script>, (from page [20240101](javascript:alert(1)).)\n\n"
        "## Signals\n\n| name | relevancy |\n|---|---|\n| <img src=x onerror=\"window.__pwned='cell'\"> | high |\n"
        "| <svg onload=alert(1)> | 4 | <script>alert(1)</script> |\n", encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def app_url(hostile_dir, tmp_path_factory):
    """The app, started with the README's command on hostile_dir."""
    with running_app(hostile_dir, tmp_path_factory.mktemp("security-cache")) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    with chromium() as browser_:
        yield browser_


class Watch:
    """Everything the page did that it must not: script runs, dialogs, bad links and elements, requests."""

    def __init__(self, context, page, app_url: str) -> None:
        self.app = urlsplit(app_url)
        self.executed: list[str] = []
        self.dialogs: list[str] = []
        self.requests: list[str] = []
        self.bad: list[str] = []
        context.expose_function("__signalsPwned", lambda value: self.executed.append(value))
        context.add_init_script(TRAP)
        context.route("**/*", self._route)
        page.on("dialog", lambda dialog: (self.dialogs.append(dialog.message), dialog.dismiss()))

    def _route(self, route) -> None:
        url = route.request.url
        parts = urlsplit(url)
        if parts.scheme in ("http", "https", "ws", "wss") and parts.hostname not in ("127.0.0.1", "localhost"):
            # Any host: the app's own icon was fetched from Google's font server until it became an emoji.
            self.requests.append(url)
            route.abort()
        else:
            route.continue_()

    def inspect(self, page, where: str) -> None:
        for frame in page.frames:
            try:
                result = frame.evaluate(DOM_CHECK)
            except Exception:  # noqa: BLE001, S112 - a frame navigating away; the next inspection sees it
                continue
            self.bad.extend(f"{where}: {item}" for item in result["found"])
            for raw, resolved in result["links"]:
                scheme = urlsplit(resolved).scheme
                if scheme not in ("http", "https"):
                    self.bad.append(f"{where}: link {raw!r} ({scheme}:)")

    def assert_clean(self) -> None:
        assert not self.executed, f"payload scripts ran: {self.executed}"
        assert not self.dialogs, f"dialogs opened: {self.dialogs}"
        assert not self.bad, "\n".join(self.bad[:30])
        assert not self.requests, f"requests left the machine: {self.requests}"


def _wait_idle(page) -> None:
    """Until the script run is over and the page has stopped changing (elements render lazily)."""
    deadline = time.monotonic() + 90  # a bound for a broken page, not a wait: two busy cores are slow
    sizes, stable = [-1, -2], False
    while time.monotonic() < deadline:
        page.wait_for_timeout(150)
        running = page.locator('[data-testid="stStatusWidget"]').count()
        sizes = [sizes[1], page.evaluate("() => document.body.innerHTML.length")]
        if not running and sizes[0] == sizes[1] and stable:
            return
        stable = not running and sizes[0] == sizes[1]
    raise AssertionError("the page kept changing for 90 s")


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


def _visit(page, watch: Watch, url: str, name: str) -> None:
    page.goto(url)
    page.locator('[data-testid="stMain"] [data-testid="stHeading"]').first.wait_for(timeout=30_000)
    _wait_idle(page)
    exceptions = page.locator('[data-testid="stException"]')
    assert exceptions.count() == 0, f"{name}: " + exceptions.first.inner_text()[:500]
    # Hover the first chart, so plotly draws a hover label from document text.
    chart = page.locator('[data-testid="stPlotlyChart"], [data-testid="stVegaLiteChart"]').first
    if chart.count():
        box = chart.bounding_box()
        if box:
            page.mouse.move(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.55)
            page.wait_for_timeout(200)
    watch.inspect(page, name)


def test_a_hostile_corpus_renders_inert_on_every_page(app_url, browser, hostile_dir):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    watch = Watch(context, page, app_url)
    corpus = load_corpus(hostile_dir, use_cache=False)

    # Every page, filtered by every theme and category there is (which keeps every document): the
    # filter captions and headings quote those hostile names, and a shared link would carry them.
    themes = sorted(set(corpus.themes["theme"].astype("str")))
    categories = sorted(set(corpus.documents["category"].dropna().astype("str")))
    query = urlencode([("theme", t) for t in themes] + [("category", c) for c in categories])
    kept = len(apply(corpus, Filters(themes=tuple(themes), categories=tuple(categories))).documents)
    assert kept >= len(corpus.documents) - 1
    for path in _page_paths():
        _visit(page, watch, f"{app_url}/{path}?{query}", path)
        _shot(page, path)
        if path == "overview":
            shown = page.locator('[data-testid="stMetric"]').filter(has_text="Documents").first.inner_text()
            assert shown.split()[-1] == str(kept), shown

    # Tables: every table of the segmented control (documents, each section, ...), in one session.
    _visit(page, watch, f"{app_url}/tables", "tables")
    options = page.locator('[data-testid="stMain"] [data-testid="stButtonGroup"] button')
    options.first.wait_for(timeout=30_000)
    _wait_idle(page)
    count = options.count()
    assert count >= len(corpus.tables), count
    for k in range(count):
        options.nth(k).click()
        _wait_idle(page)
        watch.inspect(page, f"tables/{k}")

    # Every document, picked in the Document page's selectbox (one session): titles, summaries,
    # keywords, themes, metrics, links, link buttons, tables, Closest and related lists.
    doc_ids = sorted(corpus.documents["doc_id"].astype("str"))
    _visit(page, watch, f"{app_url}/document?doc={quote(doc_ids[0])}", f"document/{doc_ids[0]}")
    picker = page.locator('[data-testid="stMain"] [data-testid="stSelectbox"]').first
    for k, doc_id in enumerate(doc_ids[1:], start=1):
        picker.click()
        page.keyboard.type(doc_id)
        page.keyboard.press("Enter")
        _wait_idle(page)
        assert parse_qs(urlsplit(page.url).query)["doc"] == [doc_id], (doc_id, page.url)
        watch.inspect(page, f"document/{doc_id}")
        if k <= 3:
            _shot(page, f"document-{k}")
    picker.click()
    page.wait_for_timeout(300)
    watch.inspect(page, "document picker")
    _shot(page, "document-picker")
    page.keyboard.press("Escape")
    themes = page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').filter(has_text="Themes")
    themes.locator("input").click()
    page.wait_for_timeout(300)
    watch.inspect(page, "theme options")
    _shot(page, "theme-options")

    watch.assert_clean()
    context.close()


def test_the_checks_would_catch_a_payload(app_url, browser):
    """The trap and the DOM check work: a page that does run a payload is caught."""
    context = browser.new_context()
    page = context.new_page()
    watch = Watch(context, page, app_url)
    page.goto(f"{app_url}/_stcore/health")
    page.set_content("<a href=\"javascript:void(0)\">x</a><img src=x onerror=\"window.__pwned='test'\">"
                     "<script>alert('test')</script>")
    page.wait_for_timeout(300)
    watch.inspect(page, "planted")
    assert any("test" in e for e in watch.executed)
    assert watch.dialogs == ["test"]
    assert any("javascript:" in b for b in watch.bad) and any("onerror" in b for b in watch.bad)
    context.close()
