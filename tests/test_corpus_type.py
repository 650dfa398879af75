"""signals.corpus_type: a filtered corpus's rows, taken when first read, are the rows the filters keep."""

from __future__ import annotations

import threading
from pathlib import Path

import pandas as pd

from signals.corpus_type import ITEM_FACT_COLUMNS
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
