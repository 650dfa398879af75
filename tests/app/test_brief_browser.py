"""The brief in Chromium: the HTML file opened from disk with the network off asks for nothing and
runs nothing; the Brief page's preview shows a hostile title as typed, and its three downloads are
clicked and the files opened back."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from browser_support import ARTIFACTS, BROWSER_MARKS, chromium, running_app, shot, wait_idle

from signals.brief.content import build_brief
from signals.brief.files import brief_bytes
from signals.brief.options import BriefOptions
from signals.filters import Filters
from signals.ingest.load import load_corpus
from tests.brief.brief_corpus import SOURCE_URLS, write_brief_corpus

pytestmark = BROWSER_MARKS

HOSTILE_TITLE = "<img src=x onerror=\"window.__pwned='title'\"> Weekly **brief**"


@pytest.fixture(scope="module")
def corpus_dir(tmp_path_factory) -> Path:
    return write_brief_corpus(tmp_path_factory.mktemp("brief-browser-corpus"))


@pytest.fixture(scope="module")
def browser():
    with chromium() as browser_:
        yield browser_


def test_the_html_brief_opened_offline_requests_nothing_and_prints_signals_whole(corpus_dir, browser, tmp_path):
    corpus = load_corpus(corpus_dir, use_cache=False)
    brief = build_brief(corpus, corpus, Filters(), None, BriefOptions(title=HOSTILE_TITLE), today=dt.date(2024, 7, 1))
    path = tmp_path / "brief.html"
    path.write_bytes(brief_bytes(brief, "html"))

    context = browser.new_context(offline=True, viewport={"width": 1100, "height": 1400})
    page = context.new_page()
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    assert requested == [path.as_uri()] + [u for u in requested[1:] if u.startswith("data:")]
    assert all(url.startswith(("file:", "data:")) for url in requested)
    assert page.evaluate("() => window.__pwned") is None
    assert page.locator("h1").inner_text() == HOSTILE_TITLE
    # Both charts decoded and drawn from their data: URIs.
    assert page.evaluate("() => [...document.images].map(i => i.naturalWidth > 0)") == [True, True]
    hrefs = page.evaluate("() => [...document.querySelectorAll('a[href]')].map(a => a.href)")
    assert set(hrefs) == set(SOURCE_URLS.values())
    shot(page, "brief-html")
    page.screenshot(path=str(ARTIFACTS / "brief-html-full.png"), full_page=True)
    page.emulate_media(media="print")
    assert page.evaluate("() => getComputedStyle(document.querySelector('.signal')).breakInside") == "avoid"
    context.close()


def test_the_brief_page_previews_and_downloads_all_three_formats(corpus_dir, browser, tmp_path_factory, tmp_path):
    from html.parser import HTMLParser

    from pptx import Presentation

    with running_app(corpus_dir, tmp_path_factory.mktemp("brief-cache")) as url:
        context = browser.new_context(viewport={"width": 1400, "height": 1100}, accept_downloads=True)
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(f"{url}/brief")
        wait_idle(page)
        title = page.get_by_label("Title")
        title.fill(HOSTILE_TITLE)
        title.press("Enter")
        wait_idle(page)
        preview = page.locator(".st-key-brief-preview")
        preview.get_by_text("Home batteries").first.wait_for(timeout=30_000)
        assert HOSTILE_TITLE in preview.inner_text()  # shown as typed: no image, no bold
        assert preview.locator("img").count() == 0 and page.evaluate("() => window.__pwned") is None

        page.get_by_role("button", name="Make the files").click()
        wait_idle(page)
        files = {}
        for name in ("Markdown", "HTML", "PowerPoint"):
            with page.expect_download(timeout=60_000) as download:
                page.get_by_role("button", name=name, exact=True).click()
            files[name] = tmp_path / download.value.suggested_filename
            download.value.save_as(files[name])
        shot(page, "brief-page")
        context.close()
    assert not errors, errors

    assert [path.suffix for path in files.values()] == [".md", ".html", ".pptx"]
    markdown = files["Markdown"].read_text(encoding="utf-8")
    assert "Home batteries" in markdown and "Telecare" in markdown

    class Links(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.hrefs: list[str] = []

        def handle_starttag(self, tag, attrs):
            if tag == "a":
                self.hrefs.append(dict(attrs)["href"])

    links = Links()
    links.feed(files["HTML"].read_text(encoding="utf-8"))
    assert set(links.hrefs) == set(SOURCE_URLS.values())
    deck = Presentation(io.BytesIO(files["PowerPoint"].read_bytes()))
    assert len(deck.slides) == 1 + 1 + 3 + 1  # title, summary, energy / health / (no theme), sources
