"""signals.analysis.related: documents sharing themes, by hand on the tiny corpus (see conftest)."""

from __future__ import annotations

import pandas as pd

from signals.analysis import documents_sharing_themes

COLUMNS = ["doc_id", "title", "date", "shared", "shared_themes"]


def test_documents_sharing_themes_by_hand(tiny):
    related = documents_sharing_themes(tiny, "d1")
    assert list(related.columns) == COLUMNS
    # d1 has AI and Climate: d3 has both, d2 has AI, d4 neither.
    assert related[["doc_id", "shared", "shared_themes"]].values.tolist() == [
        ["d3", 2, "AI; Climate"],
        ["d2", 1, "AI"],
    ]
    assert related["title"].tolist() == ["Three", "Two"]
    assert related["date"].tolist() == [pd.Timestamp("2024-03-05"), pd.Timestamp("2024-01-20")]


def test_ties_newest_first_and_undated_last(tiny):
    # d2 has AI and Energy: d3 shares both; d1 (AI, 2024-01-10) and d4 (Energy, no date) one each.
    related = documents_sharing_themes(tiny, "d2")
    assert related["doc_id"].tolist() == ["d3", "d1", "d4"]
    assert related["shared_themes"].tolist() == ["AI; Energy", "AI", "Energy"]
    assert documents_sharing_themes(tiny, "d2", n=2)["doc_id"].tolist() == ["d3", "d1"]


def test_unknown_or_themeless_documents_give_an_empty_frame(tiny, empty):
    for corpus, doc_id in ((tiny, "nope"), (empty, "d1")):
        related = documents_sharing_themes(corpus, doc_id)
        assert related.empty and list(related.columns) == COLUMNS
    lonely = tiny.with_frames(themes=tiny.themes[tiny.themes["doc_id"].astype("str") != "d1"])
    assert documents_sharing_themes(lonely, "d1").empty


def test_a_realistic_corpus_against_sets(realistic):
    themes = realistic.themes.astype({"doc_id": "str", "theme_key": "str"})
    keys_of = themes.groupby("doc_id")["theme_key"].agg(set)
    doc_id = themes["doc_id"].value_counts().index[0]  # the document with most themes
    related = documents_sharing_themes(realistic, doc_id, n=5)
    assert 0 < len(related) <= 5 and doc_id not in related["doc_id"].tolist()
    for other, shared in zip(related["doc_id"], related["shared"]):
        assert shared == len(keys_of[doc_id] & keys_of[other])
    best_possible = max(len(keys_of[doc_id] & keys) for other, keys in keys_of.items() if other != doc_id)
    assert related["shared"].iloc[0] == best_possible
