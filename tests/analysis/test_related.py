"""signals.analysis.related: documents sharing themes, by hand on the tiny corpus (see conftest)."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from signals import schema
from signals.analysis import documents_sharing_themes

COLUMNS = ["doc_id", "title", "date", "shared", "weight", "shared_themes"]


def test_documents_sharing_themes_by_hand(tiny):
    related = documents_sharing_themes(tiny, "d1")
    assert list(related.columns) == COLUMNS
    # d1 has AI and Climate: d3 has both, d2 has AI, d4 neither.
    assert related[["doc_id", "shared", "shared_themes"]].values.tolist() == [
        ["d3", 2, "AI; Climate"],
        ["d2", 1, "AI"],
    ]
    assert related["title"].tolist() == ["Three", "Two"]
    # AI on 3 of 4 documents, Climate on 2: weights log(4/3) + log(4/2), and log(4/3).
    assert related["weight"].tolist() == pytest.approx([math.log(4 / 3) + math.log(2), math.log(4 / 3)])
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


def test_a_rare_shared_theme_outweighs_common_ones(tiny):
    """The chicken-distress article of the real corpus: it shares common themes ("AI", on most
    documents) with some, and a rare one ("agriculture") with others; the rare one comes first, even
    against two common ones and an older date."""
    themes = [("d1", "AI"), ("d1", "technology"), ("d1", "agriculture"), ("d2", "AI"), ("d2", "technology"),
              ("d4", "agriculture"), *[(f"x{i}", theme) for i in range(6) for theme in ("AI", "technology")]]
    frame = pd.DataFrame(themes, columns=["doc_id", "theme"])
    frame["theme_key"] = frame["theme"].map(schema.theme_key)
    documents = pd.DataFrame({"doc_id": [f"x{i}" for i in range(6)], "title": "x",
                              "date": pd.Timestamp("2020-01-01")})
    corpus = tiny.with_frames(themes=frame, documents=pd.concat([tiny.documents.astype({"doc_id": "str"}),
                                                                   documents], ignore_index=True))
    related = documents_sharing_themes(corpus, "d1", n=3)
    # Ten documents: agriculture on 2, AI and technology on 8 each.
    assert related["doc_id"].tolist()[:2] == ["d4", "d2"]
    assert related["shared"].tolist()[:2] == [1, 2]
    assert related["weight"].tolist()[:2] == pytest.approx([math.log(10 / 2), 2 * math.log(10 / 8)])


def test_a_realistic_corpus_against_sets(realistic):
    themes = realistic.themes.astype({"doc_id": "str", "theme_key": "str"})
    keys_of = themes.groupby("doc_id")["theme_key"].agg(set)
    documents = len(realistic.documents)
    carrying = themes.drop_duplicates(["doc_id", "theme_key"])["theme_key"].value_counts()
    doc_id = themes["doc_id"].value_counts().index[0]  # the document with most themes

    def weight(keys: set[str]) -> float:
        return sum(math.log(documents / carrying[key]) for key in keys)

    related = documents_sharing_themes(realistic, doc_id, n=5)
    assert 0 < len(related) <= 5 and doc_id not in related["doc_id"].tolist()
    for other, shared, found in zip(related["doc_id"], related["shared"], related["weight"]):
        assert shared == len(keys_of[doc_id] & keys_of[other])
        assert found == pytest.approx(weight(keys_of[doc_id] & keys_of[other]))
    best_possible = max(weight(keys_of[doc_id] & keys) for other, keys in keys_of.items() if other != doc_id)
    assert related["weight"].iloc[0] == pytest.approx(best_possible)
    assert related["weight"].is_monotonic_decreasing


def test_a_theme_on_every_document_relates_nothing(tiny):
    documents = tiny.documents["doc_id"].astype("str").tolist()
    frame = pd.DataFrame({"doc_id": documents, "theme": "news"})
    frame["theme_key"] = frame["theme"].map(schema.theme_key)
    related = documents_sharing_themes(tiny.with_frames(themes=frame), documents[0])
    assert related.empty and list(related.columns) == COLUMNS
