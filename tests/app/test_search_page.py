"""The Search page in Chromium: a query typed in the box lands in the URL, the results show the
matched words in bold, and Open shows the document; a URL with ?search= opens with the results."""

from __future__ import annotations

import urllib.parse
from pathlib import Path

import pytest
from browser_support import chromium, running_app, shot, wait_idle

from signals import load_corpus
from signals.filters import Filters, apply
from signals.semantic import search
from signals.synth import write_corpus


@pytest.fixture(scope="module")
def corpus_dir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("search-page")
    write_corpus(folder, 60, seed=7)
    return folder


@pytest.mark.browser
def test_search_box_results_and_open(corpus_dir, tmp_path):
    query = "semiconductors translation"
    expected = search.search(search.open_index(load_corpus(corpus_dir)), query, top=20)
    first_title = expected["title"].iloc[0]
    with running_app(corpus_dir, tmp_path / "cache") as url, chromium() as browser:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(f"{url}/search")
        box = page.get_by_label("Words or a sentence")
        box.wait_for(timeout=60_000)
        box.fill(query)
        box.press("Enter")
        page.get_by_text(f"1. {first_title}").wait_for(timeout=60_000)
        assert urllib.parse.parse_qs(urllib.parse.urlparse(page.url).query)["search"] == [query]
        bold = page.locator("[data-testid='stMarkdownContainer'] strong").all_inner_texts()
        assert any(word.lower() in {"semiconductors", "translation"} for word in bold), bold
        page.get_by_test_id("stMainBlockContainer").get_by_role("button", name="Open").first.click()
        page.wait_for_url("**/document**", timeout=30_000, wait_until="commit")
        assert expected["doc_id"].iloc[0] in urllib.parse.unquote(page.url)
        # The query in a link opens the page with its results.
        page.goto(f"{url}/search?search={urllib.parse.quote(query)}")
        page.get_by_text(f"1. {first_title}").wait_for(timeout=60_000)
        page.screenshot(path=str(tmp_path / "search.png"))
        page.close()


@pytest.mark.browser
def test_a_search_narrows_the_other_pages(corpus_dir, tmp_path):
    """The search is a facet: typed on the Search page, it stays in the URL when the Overview is
    opened, whose document count is then the documents the query finds (computed here by
    signals.filters on the same corpus)."""
    query = "heat-tolerant crops for farmers"  # four words: a document found by words alone needs two
    corpus = load_corpus(corpus_dir)
    found = len(apply(corpus, Filters(search=query)).documents)
    assert 0 < found < len(corpus.documents)
    with running_app(corpus_dir, tmp_path / "cache") as url, chromium() as browser:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(f"{url}/search")
        box = page.get_by_label("Words or a sentence")
        box.wait_for(timeout=60_000)
        box.fill(query)
        box.press("Enter")
        page.get_by_text("Every page now shows the documents this search finds").wait_for(timeout=60_000)
        page.get_by_text("1. ", exact=False).first.wait_for(timeout=120_000)  # ranked once embedded
        wait_idle(page)
        # The page lists as many documents as every other page now counts.
        page.get_by_text(f"{found:,} document{'' if found == 1 else 's'} found, best first").wait_for(timeout=30_000)
        shot(page, "search-facet")
        page.get_by_role("link", name="Overview").click()
        page.get_by_role("heading", name="Overview").wait_for(timeout=60_000)
        wait_idle(page)
        assert urllib.parse.parse_qs(urllib.parse.urlparse(page.url).query)["search"] == [query]
        documents = page.get_by_test_id("stMetric").filter(has_text="Documents")
        documents.get_by_text(f"{found:,}", exact=True).wait_for(timeout=30_000)
        # The sidebar says a search narrows the page, and clears it in one click.
        sidebar = page.get_by_test_id("stSidebar")
        sidebar.get_by_text(f"Search “{query}”").wait_for(timeout=30_000)
        shot(page, "search-facet-overview")
        sidebar.get_by_role("button", name="Clear the search").click()
        wait_idle(page)
        documents.get_by_text(f"{len(corpus.documents):,}", exact=True).wait_for(timeout=30_000)
        assert "search" not in urllib.parse.parse_qs(urllib.parse.urlparse(page.url).query)
        assert sidebar.get_by_text("Clear the search").count() == 0
        page.close()
