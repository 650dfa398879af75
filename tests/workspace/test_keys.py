"""signals.workspace.keys: a row's key is what it says, not where it is."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from signals import load_corpus
from signals.workspace import keys


@pytest.mark.parametrize(("text", "normalized"), [
    ("Heat pumps in flats", "heat pumps in flats"),
    ("  HEAT-PUMPS   in flats!! ", "heat pumps in flats"),
    ("heat_pumps/in (flats)", "heat pumps in flats"),
    ("Énergie solaire", "énergie solaire"),  # accents kept
    ("E\u0301nergie solaire", "énergie solaire"),  # combining accent: the same text
    ("Straße", "strasse"),  # case-folded, not only lowered
    ("ＡＩ　ｃｈｉｐｓ", "ai chips"),  # full-width letters and space (NFKC)
    ("--", ""),
    (None, ""),
    (float("nan"), ""),
])
def test_normalize(text, normalized):
    assert keys.normalize(text) == normalized


def test_energie_with_and_without_accent_are_two_rows():
    assert keys.normalize("Énergie") != keys.normalize("Energie")


def test_the_vectorized_normalization_agrees_with_normalize_on_awkward_text():
    texts = ["Heat pumps", "  A--B  ", "Café au lait", "ÀÉÎ", "Straße", "İstanbul", "ΣΊΣΥΦΟΣ", "tab\there",
             "emoji 🙂 here", "x_y", "", None, "ﬁnance", "1,000 km²", "日本語のテキスト", "'quoted' \"twice\""]
    series = pd.Series(texts, dtype="str")
    assert keys.normalize_many(series).to_pylist() == [keys.normalize(t) for t in texts]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text(alphabet=st.characters(max_codepoint=0x300)),
                          st.text(alphabet=" -'aZ9\t.,_"))))
def test_the_vectorized_normalization_agrees_with_normalize_on_any_text(texts):
    """Plain names (lower-case words, single spaces) skip the rewrite: the others must not."""
    assert keys.normalize_many(pd.Series(texts, dtype="str")).to_pylist() == \
        [keys.normalize(t if isinstance(t, str) else None) for t in texts]


def test_anchor_texts_are_the_anchors_of_anchor_columns():
    items = _items([("d1", "signals", "Heat  Pumps", "x", 1), ("d1", "signals", None, "Only a description", 2),
                    ("d2", "signals", "--", "Punctuation name", 3), ("d2", "issues", "heat pumps", None, 4)])
    assert keys.anchor_texts(items).tolist() == keys.anchor_columns(items)["anchor"].tolist() == [
        "heat pumps", "only a description", "punctuation name", "heat pumps"]


def _items(rows: list[tuple[str, str, str | None, str | None, int]]) -> pd.DataFrame:
    """(doc_id, section, name, description, line) rows -> an items-like frame."""
    frame = pd.DataFrame(rows, columns=["doc_id", "section", "name", "description", "line"])
    frame["row"] = frame.groupby(["doc_id", "section"]).cumcount()
    return frame.astype({"name": "str", "description": "str"})


def test_keys_name_then_description_and_number_duplicates_in_document_order():
    items = _items([
        ("d1", "signals", "Heat pumps", "first", 10),
        ("d1", "signals", "Batteries", "x", 11),
        ("d1", "signals", "heat  PUMPS!", "second, same name", 12),
        ("d1", "technologies", None, "Solid-state transformers", 20),
        ("d1", "technologies", "  ", "Smart meters", 21),
        ("d2", "signals", "Heat pumps", "other document", 5),
    ])
    got = list(keys.row_keys(items))
    sep = keys.SEPARATOR
    assert got == [
        f"d1{sep}signals{sep}name:heat pumps{sep}1",
        f"d1{sep}signals{sep}name:batteries{sep}1",
        f"d1{sep}signals{sep}name:heat pumps{sep}2",
        f"d1{sep}technologies{sep}description:solid state transformers{sep}1",
        f"d1{sep}technologies{sep}description:smart meters{sep}1",
        f"d2{sep}signals{sep}name:heat pumps{sep}1",
    ]
    assert [keys.split_row_key(k) for k in got[2:4]] == [
        keys.RowAnchor("d1", "signals", "name", "heat pumps", 2),
        keys.RowAnchor("d1", "technologies", "description", "solid state transformers", 1)]
    assert keys.row_key("d1", "signals", "name", "Heat Pumps", 2) == got[2]


def test_reordering_and_adding_rows_keeps_every_key():
    before = _items([("d", "signals", "A", "", 1), ("d", "signals", "B", "", 2), ("d", "signals", "A", "dup", 3)])
    after = _items([("d", "signals", "New", "", 1), ("d", "signals", "B", "", 2), ("d", "signals", "A", "", 3),
                    ("d", "signals", "A", "dup", 4)])
    assert set(keys.row_keys(before)) <= set(keys.row_keys(after))


def test_a_document_id_is_not_a_row_key_and_a_key_splits_back():
    assert not keys.is_row_key("2021/some-doc")
    key = keys.row_key("a\x1fb/c", "signals", "name", "X", 3)  # even an id holding the separator
    assert keys.split_row_key(key) == keys.RowAnchor("a\x1fb/c", "signals", "name", "x", 3)


def test_the_loaders_items_get_one_key_per_row(futures_dir):
    items = load_corpus(futures_dir).items
    with_keys = keys.with_row_keys(items)
    assert with_keys[keys.ROW_KEY].is_unique
    assert len(with_keys) == len(items)
    first = with_keys.iloc[0]
    label = first["name"] if keys.normalize(first["name"]) else first["description"]
    kind = "name" if keys.normalize(first["name"]) else "description"
    assert first[keys.ROW_KEY].startswith(f"{first['doc_id']}{keys.SEPARATOR}{first['section']}{keys.SEPARATOR}"
                                          f"{kind}:{keys.normalize(label)}")


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["Heat pumps", "HEAT-PUMPS", "heat pumps!", "Énergie", "énergie", "--",
                                           "Energie", None]),
                          st.sampled_from(["About it", "about  IT", None, ""])), max_size=40),
       st.sampled_from([1, 3, 1000]))
def test_anchor_codes_give_the_same_code_to_the_same_anchor_text_and_minus_one_to_none(rows, slice_rows):
    """Also when the rows are folded in slices on several threads (a slice of 1 and 3 rows here)."""
    items = _items([("d1", "signals", name, description, line) for line, (name, description) in enumerate(rows)])
    original = keys.PARALLEL_SLICE_ROWS
    keys.PARALLEL_SLICE_ROWS = slice_rows
    try:
        codes = keys.anchor_codes(items)
    finally:
        keys.PARALLEL_SLICE_ROWS = original
    texts = [keys.normalize(name) or keys.normalize(description) for name, description in rows]
    assert len(codes) == len(rows)
    for code, text in zip(codes, texts):
        assert (code == -1) == (text == "")
    for (a, text_a) in zip(codes, texts):
        for (b, text_b) in zip(codes, texts):
            assert (a == b) == (text_a == text_b) or a == b == -1
