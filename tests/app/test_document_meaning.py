"""The Document page by meaning, in Chromium: "Closest in meaning" lists the documents nearest in
meaning (as signals.semantic.related computes them) and opens one; "Rows like this one" shows a
table of rows from other documents once a row is chosen."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from browser_support import chromium, running_app

from signals import load_corpus
from signals.semantic import store
from signals.semantic.related import rows_like, similar_documents
from signals.synth import write_corpus


@pytest.fixture(scope="module")
def corpus_dir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("document-meaning")
    write_corpus(folder, 40, seed=8)
    return folder


@pytest.mark.browser
def test_closest_in_meaning_and_rows_like_this_one(corpus_dir, tmp_path):
    corpus = load_corpus(corpus_dir)
    signals = corpus.items[corpus.items["section"].astype("str") == "signals"]
    row_vectors = store.embeddings(store.row_texts(signals).tolist(), None, "rows.signals")
    # The first signals row with a row of another document close in meaning, and its document.
    position = next(p for p in range(len(signals)) if not rows_like(signals, row_vectors, p).empty)
    doc_id = str(signals["doc_id"].iloc[position])
    number = int((signals["doc_id"].astype("str").to_numpy()[:position] == doc_id).sum()) + 1
    alike = rows_like(signals, row_vectors, position)
    vectors = store.embeddings(store.document_texts(corpus.documents).tolist(), None, "documents")
    expected = similar_documents(corpus.documents, vectors, doc_id, n=8)
    assert not expected.empty
    with running_app(corpus_dir, tmp_path / "cache") as url, chromium() as browser:
        page = browser.new_page(viewport={"width": 1400, "height": 1400})
        page.goto(f"{url}/document?doc={doc_id}")
        # The third column of Related documents: a button per document, its cosine under it.
        first = page.get_by_role("button", name=expected["title"].iloc[0], exact=True).last
        first.wait_for(timeout=60_000)
        cosines = page.get_by_text(re.compile(r"^cosine \d\.\d\d$"))
        cosines.first.wait_for(timeout=60_000)
        assert cosines.count() >= len(expected)
        assert cosines.first.inner_text() == f"cosine {expected['similarity'].iloc[0]:.2f}"
        tables_before = page.locator("[data-testid='stDataFrame']").count()
        choose = page.get_by_role("combobox", name="Row of this document")
        choose.click()
        choose.press_sequentially(f"signals #{number}:")
        choose.press("Enter")
        page.wait_for_function(
            f"document.querySelectorAll(\"[data-testid='stDataFrame']\").length > {tables_before}", timeout=60_000)
        page.get_by_text("No row of another document").wait_for(state="detached", timeout=5_000)
        assert len(alike) >= 1
        first.click()
        page.get_by_role("heading", name=expected["title"].iloc[0]).wait_for(timeout=30_000)
        page.screenshot(path=str(tmp_path / "document.png"), full_page=True)
        page.close()
