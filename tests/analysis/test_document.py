"""signals.analysis.document: one document's view, checked against the raw frames with plain pandas."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from signals import load_corpus
from signals.analysis.document import as_read, document_view, rows_of

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


@pytest.fixture(scope="module")
def seed(tmp_path_factory):
    return load_corpus(SEEDS, cache_root=tmp_path_factory.mktemp("doc-cache"))


def test_the_seed_document_as_the_page_shows_it(seed):
    doc_id = str(seed.documents["doc_id"].iloc[0])
    view = document_view(seed, doc_id)
    assert view.record["title"] == seed.documents["title"].iloc[0]
    own = seed.keywords[seed.keywords["doc_id"].astype(str) == doc_id]
    assert view.keywords == own["keyword"].astype(str).tolist()
    assert set(view.tables) == {s for s, t in seed.tables.items() if len(t)}
    for section, rows in view.tables.items():
        raw = seed.tables[section]
        assert len(rows) == len(raw)
        assert rows["#"].tolist() == list(range(1, len(raw) + 1))  # numbered as a reader counts
        assert "doc_id" not in rows and "line" not in rows
    assert document_view(seed, "no such document") is None


def test_as_read_drops_a_src_that_repeats_the_document_and_keeps_others():
    rows = pd.DataFrame({"doc_id": ["d", "d"], "row": [0, 1], "line": [9, 10], "description": ["a", "b"],
                         "src": ["d", "d"]})
    assert list(as_read(rows, "d").columns) == ["#", "description"]
    other = rows.assign(src=["d", "elsewhere"])
    assert list(as_read(other, "d")["src"]) == ["d", "elsewhere"]


def test_rows_of_matches_on_categorical_and_plain_ids():
    frame = pd.DataFrame({"doc_id": pd.Categorical(["a", "b", "a"]), "v": [1, 2, 3]})
    assert rows_of(frame, "a")["v"].tolist() == [1, 3]
    assert rows_of(frame, "zzz").empty
    assert rows_of(frame.astype({"doc_id": "str"}), "b")["v"].tolist() == [2]
