"""signals.corpus_type: a filtered corpus's rows, taken when first read, are the rows the filters keep."""

from __future__ import annotations

import threading
from pathlib import Path

import pandas as pd

from signals.corpus_type import DOCUMENT_TEXT_COLUMNS, ITEM_FACT_COLUMNS, PendingRows
from signals.filters import Filters, apply
from signals.ingest.load import load_corpus


def _loaded(synthetic_dir: Path, tmp_path: Path):
    return load_corpus(synthetic_dir, cache_root=tmp_path)


def test_filtered_rows_are_the_rows_of_the_kept_documents_with_their_text(synthetic_dir: Path, tmp_path: Path) -> None:
    corpus = _loaded(synthetic_dir, tmp_path)
    theme = corpus.themes["theme"].astype("str").value_counts().index[0]
    kept_ids = set(corpus.themes.loc[corpus.themes["theme"].astype("str") == theme, "doc_id"].astype("str"))
    filtered = apply(corpus, Filters(themes=(theme,)))
    facts = filtered.item_facts  # read before the rows: what counts and means see, without the text

    expected = corpus.items[corpus.items["doc_id"].astype("str").isin(kept_ids)].reset_index(drop=True)
    pd.testing.assert_frame_equal(filtered.items, expected)
    assert list(facts.columns) == [c for c in ITEM_FACT_COLUMNS if c in expected.columns]
    pd.testing.assert_frame_equal(facts, expected[list(facts.columns)])
    assert filtered.row_counts() == expected["section"].astype("str").value_counts().to_dict() | {
        section: 0 for section in filtered.row_counts() if section not in set(expected["section"].astype("str"))}


def test_filtered_documents_are_counted_without_their_texts_and_whole_when_read(synthetic_dir: Path,
                                                                                 tmp_path: Path) -> None:
    """A view's documents: counts, dates and facets read `document_facts` (no summary, title, urls,
    path) and leave the texts untaken; reading `documents` gives every column of the kept documents."""
    corpus = _loaded(synthetic_dir, tmp_path)
    theme = corpus.themes["theme"].astype("str").value_counts().index[2]
    kept_ids = set(corpus.themes.loc[corpus.themes["theme"].astype("str") == theme, "doc_id"].astype("str"))
    filtered = apply(corpus, Filters(themes=(theme,)))
    expected = corpus.documents[corpus.documents["doc_id"].astype("str").isin(kept_ids)].reset_index(drop=True)

    facts = filtered.document_facts
    assert filtered.document_count == len(expected) == len(kept_ids) > 0
    some = sorted(kept_ids)[:3] + ["not a document of the view"]
    chosen = filtered.documents_of(some)  # a page of rows' documents, texts included
    assert sorted(chosen["doc_id"].astype("str")) == sorted(kept_ids)[:3]
    assert chosen["summary"].notna().all()
    assert isinstance(filtered.__dict__["_documents"], PendingRows)  # nothing above took the texts
    assert not set(DOCUMENT_TEXT_COLUMNS) & set(facts.columns)
    assert {"doc_id", "date", "category", "domain"} <= set(facts.columns)
    pd.testing.assert_frame_equal(facts, expected[list(facts.columns)])
    pd.testing.assert_frame_equal(filtered.documents, expected)
    assert filtered.documents["summary"].notna().all()
    # the whole corpus's facts are its own frame (nothing is copied)
    assert corpus.document_facts is corpus.documents


def test_rows_read_by_many_threads_at_once_are_taken_once(synthetic_dir: Path, tmp_path: Path) -> None:
    corpus = _loaded(synthetic_dir, tmp_path)
    filtered = apply(corpus, Filters(min_relevancy=4))
    seen: list[pd.DataFrame] = []
    readers = [threading.Thread(target=lambda: seen.append(filtered.items)) for _ in range(8)]
    for reader in readers:
        reader.start()
    for reader in readers:
        reader.join()
    assert all(frame is seen[0] for frame in seen)  # sessions sharing a view share one frame
    assert (seen[0]["relevancy"] >= 4).all() and len(seen[0]) == int((corpus.items["relevancy"] >= 4).sum())


def test_replacing_another_frame_keeps_the_filtered_rows(synthetic_dir: Path, tmp_path: Path) -> None:
    corpus = _loaded(synthetic_dir, tmp_path)
    filtered = apply(corpus, Filters(min_relevancy=5))
    renamed = filtered.with_frames(themes=filtered.themes.iloc[0:0])
    assert renamed.themes.empty
    pd.testing.assert_frame_equal(renamed.items, filtered.items)
    assert (renamed.items["relevancy"] == 5).all()


def test_a_page_of_a_table_is_that_slice_of_the_whole_table(synthetic_dir: Path, tmp_path: Path) -> None:
    """`table_rows(name, start, stop)` (what the Tables page shows) is rows start:stop of the table,
    text included, for the whole corpus and a filtered view, made or not; `table_length` its size."""
    corpus = _loaded(synthetic_dir, tmp_path)
    theme = corpus.themes["theme"].astype("str").value_counts().index[1]
    views = {"whole": lambda: corpus.with_frames(), "one theme": lambda: apply(corpus, Filters(themes=(theme,)))}
    for described, make in views.items():
        for name in ("documents", "items", "signals", "issues", "keywords"):
            view = make()  # a fresh view: its tables not made yet
            length = view.table_length(name)
            starts = (0, 7, length - 3)
            pages = [view.table_rows(name, start, min(start + 7, length)) for start in starts]
            whole = view.frame(name)  # made after the pages were taken
            assert length == len(whole) > 10, (described, name)
            for page, start in zip(pages, starts):
                expected = whole.iloc[start:start + 7]
                pd.testing.assert_frame_equal(page.reset_index(drop=True), expected.reset_index(drop=True))
                assert list(page.index) == list(range(start, start + len(expected)))
            # once the table is made, its pages come from it, equal
            pd.testing.assert_frame_equal(view.table_rows(name, 3, 9).reset_index(drop=True),
                                          whole.iloc[3:9].reset_index(drop=True))
    assert corpus.table_length("no such section") == 0
