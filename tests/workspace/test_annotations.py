"""signals.workspace.annotations: values checked, one change per edit with its history and undo,
rows followed through a pipeline re-run, orphans kept, concurrent writers, joins and filters."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from signals import load_corpus
from signals.workspace import annotations, keys, merges
from signals.workspace.store import SCHEMA_VERSION, Store, WorkspaceError
from tests.workspace.notes_corpus import (
    CONCERNS_BEFORE,
    SIGNALS_BEFORE,
    TECHNOLOGIES_BEFORE,
    write_document,
)

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture()
def folder(tmp_path: Path) -> Path:
    corpus = tmp_path / "corpus"
    write_document(corpus, "energy/a", "Energy A", SIGNALS_BEFORE, CONCERNS_BEFORE, TECHNOLOGIES_BEFORE)
    write_document(corpus, "energy/b", "Energy B", [("Heat pumps in flats", "Same name, other document.", 3)])
    return corpus


@pytest.fixture()
def store(tmp_path: Path) -> Store:
    return Store.open(tmp_path / "ws.sqlite")


def _target(corpus, doc_id: str, section: str, name: str, occurrence: int = 1) -> annotations.Target:
    """The target of the `occurrence`-th row of `section` in `doc_id` whose name is `name`."""
    items = corpus.items
    rows = items[(items["doc_id"].astype(str) == doc_id) & (items["section"].astype(str) == section)
                 & (items["name"].fillna("") == name)]
    return annotations.row_targets(items, [rows.index[occurrence - 1]])[0]


# ---------------------------------------------------------------------------------------------
# Values
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("edits", "message"), [
    ({"status": "urgent"}, "status must be one of new, watch, escalate, dismissed, not 'urgent'"),
    ({"impact": 6}, "impact must be a whole number 1-5, not 6"),
    ({"likelihood": "2.5"}, "likelihood must be a whole number 1-5, not '2.5'"),
    ({"impact": True}, "impact must be a whole number 1-5"),
    ({"horizon": "5y"}, "horizon must be one of <1y, 1-3y, 3-10y, >10y, not '5y'"),
    ({"add_tags": ["a;b"]}, "a tag cannot contain ';'"),
    ({"add_tags": ["  "]}, "a tag cannot be empty"),
    ({"starred": "perhaps"}, "starred must be true or false"),
    ({"colour": "red"}, "unknown annotation field(s): colour"),
    ({}, "nothing to change"),
])
def test_values_that_are_not_allowed_are_refused_before_anything_is_written(store, edits, message):
    with pytest.raises(annotations.AnnotationError) as raised:
        annotations.annotate(store, annotations.document_target("d"), edits, by="ana")
    assert message in str(raised.value)
    assert store.changes() == [] and not store.exists


def test_spellings_people_type_are_accepted():
    values = annotations.checked({"status": " Watch ", "impact": "4", "likelihood": 3.0, "horizon": "1–3 years",
                                  "tags": ["AI", "ai", " grid   storage "], "note": "line 1\r\nline 2",
                                  "starred": "yes"})
    assert values == annotations.Annotation(True, "watch", 4, 3, "1-3y", ("AI", "grid storage"), "line 1\nline 2")
    assert annotations.check_horizon(">10 yrs") == ">10y" and annotations.check_horizon("<1Y") == "<1y"


def test_a_row_without_name_or_description_cannot_be_annotated():
    with pytest.raises(annotations.AnnotationError, match="neither name nor description"):
        annotations.row_target("d", "signals", " -- ", None)


# ---------------------------------------------------------------------------------------------
# Writing, history, undo
# ---------------------------------------------------------------------------------------------
def test_edits_merge_field_by_field_and_every_change_is_in_the_history(folder, store):
    corpus = load_corpus(folder)
    target = _target(corpus, "energy/a", "signals", "Grid-scale batteries")
    annotations.annotate(store, target, {"starred": True, "status": "watch", "add_tags": ["storage"]}, by="ana")
    annotations.annotate(store, target, {"impact": 4, "add_tags": ["grid", "Storage"], "note": "ask Ben"}, by="ben")
    kept = annotations.get(store, target)
    assert kept.annotation == annotations.Annotation(True, "watch", 4, None, None, ("storage", "grid"), "ask Ben")
    assert kept.updated_by == "ben"
    assert kept.target.row == 2 and kept.target.anchor == "Grid-scale batteries"
    entries = annotations.history(store, target)
    assert [(e.by, e.before is None) for e in entries] == [("ben", False), ("ana", True)]
    assert entries[0].before == annotations.Annotation(True, "watch", tags=("storage",))
    assert entries[0].after == kept.annotation
    assert entries[1].summary == ("starred, status watch, tags +storage on signals row 2 “Grid-scale batteries” "
                                  "of document energy/a")


def test_setting_everything_back_removes_the_annotation_and_keeps_its_history(folder, store):
    target = annotations.document_target("energy/a")
    annotations.annotate(store, target, {"starred": True, "add_tags": ["x"]}, by="ana")
    annotations.annotate(store, target, {"starred": False, "remove_tags": ["X"]}, by="ana")
    assert annotations.get(store, target) is None
    assert annotations.read(store).empty
    assert [e.after for e in annotations.history(store, target)] == [None, annotations.Annotation(True, tags=("x",))]


def test_undo_reverts_the_last_annotation_change_not_a_merge_made_since(folder, store):
    corpus = load_corpus(folder)
    target = _target(corpus, "energy/a", "concerns", "Grid congestion")
    annotations.annotate(store, target, {"status": "watch"}, by="ana")
    annotations.annotate(store, target, {"status": "escalate", "impact": 5}, by="ana")
    merges.merge_themes(store, ["AI"], "artificial intelligence", by="ana")
    undone = annotations.undo_last(store, by="cy")
    assert undone.summary.startswith("status escalate, impact 5 on concerns row 1")
    assert annotations.get(store, target).annotation == annotations.Annotation(status="watch")
    assert merges.mapping(store) == {"ai": "artificial intelligence"}, "the merge is left alone"
    annotations.undo_last(store, by="cy")
    assert annotations.get(store, target) is None
    assert annotations.undo_last(store, by="cy") is None


def test_a_bulk_edit_is_one_change(folder, store):
    corpus = load_corpus(folder)
    selected = corpus.items.index[corpus.items["section"].astype(str) == "signals"][:3]
    targets = annotations.row_targets(corpus.items, selected)
    annotations.annotate(store, targets, {"status": "dismissed", "add_tags": ["batch"]}, by="ana")
    assert len(store.changes()) == 1
    assert sorted(annotations.read(store)["anchor"]) == sorted(corpus.items.loc[selected, "name"])
    annotations.undo_last(store)
    assert annotations.read(store).empty


def test_an_older_workspace_of_theme_merges_reads_as_no_annotations_then_upgrades(tmp_path):
    path = tmp_path / "ws.sqlite"
    store = Store.open(path)
    merges.merge_themes(store, ["AI"], "artificial intelligence", by="ana")
    with sqlite3.connect(path) as connection:  # as schema 1 left it
        connection.execute("DROP TABLE annotations")
        connection.execute("PRAGMA user_version = 1")
    old = Store.open(path)
    assert annotations.read(old).empty and annotations.stored(old) == {}
    annotations.annotate(old, annotations.document_target("d"), {"starred": True}, by="ana")
    assert Store.open(path).version == SCHEMA_VERSION
    assert list(annotations.read(old)["doc_id"]) == ["d"]
    assert merges.mapping(old) == {"ai": "artificial intelligence"}


# ---------------------------------------------------------------------------------------------
# Stability: a pipeline re-run
# ---------------------------------------------------------------------------------------------
def test_annotations_follow_their_rows_through_a_pipeline_rerun_and_one_orphan_is_reported(folder, store):
    before = load_corpus(folder)
    ratings = {
        ("signals", "Heat pumps in flats", 1): {"status": "watch", "impact": 3},
        ("signals", "Heat pumps in flats", 2): {"status": "dismissed"},
        ("signals", "Grid-scale batteries", 1): {"starred": True, "impact": 5},
        ("signals", "Hydrogen boilers", 1): {"note": "trials ended; keep an eye on it"},
        ("concerns", "Grid congestion", 1): {"status": "escalate"},
    }
    for (section, name, occurrence), edits in ratings.items():
        annotations.annotate(store, _target(before, "energy/a", section, name, occurrence), edits, by="ana")
    technology_row = before.items[before.items["section"].astype(str) == "technologies"].index
    annotations.annotate(store, annotations.row_targets(before.items, technology_row), {"likelihood": 4}, by="ana")

    # The re-run: rows reordered and re-spaced, one added, "Hydrogen boilers" removed.
    write_document(folder, "energy/a", "Energy A", [
        ("Community solar", "Neighbourhood co-ops share panels.", 3),
        ("Tidal kites", "A new row.", 2),
        ("GRID-SCALE  batteries", "Storage bids undercut gas peakers.", 5),
        ("Heat pumps in flats", "Retrofits reach apartment blocks.", 4),
        ("Heat pumps in flats", "A second source reports the same retrofit wave.", 2),
    ], CONCERNS_BEFORE, TECHNOLOGIES_BEFORE)
    after = load_corpus(folder)
    stored = annotations.read(store)
    values = annotations.for_rows(after.items, stored)
    shown = pd.concat([after.items[["doc_id", "section", "name"]].astype(str), values], axis=1)
    signals_a = shown[(shown["doc_id"] == "energy/a") & (shown["section"] == "signals")]
    assert list(signals_a["name"]) == ["Community solar", "Tidal kites", "GRID-SCALE  batteries",
                                       "Heat pumps in flats", "Heat pumps in flats"]
    assert list(signals_a["status"]) == ["new", "new", "new", "watch", "dismissed"]
    assert list(signals_a["starred"]) == [False, False, True, False, False]
    assert list(signals_a["impact"].astype("Float64").fillna(0)) == [0, 0, 5, 3, 0]
    assert shown.loc[shown["section"] == "concerns", "status"].tolist() == ["escalate"]
    assert shown.loc[shown["section"] == "technologies", "likelihood"].tolist() == [4]
    assert shown.loc[shown["doc_id"] == "energy/b", "status"].tolist() == ["new"], "same name, other document"

    orphaned = annotations.orphans(after.items, after.documents, stored)
    assert len(orphaned) == 1
    orphan = orphaned.iloc[0]
    assert (orphan["doc_id"], orphan["section"], orphan["anchor"], orphan["row"]) == (
        "energy/a", "signals", "Hydrogen boilers", 5)
    assert orphan["note"] == "trials ended; keep an eye on it" and bool(orphan["document_present"])
    assert annotations.orphan_reason(orphan) == "no row of signals has this name any more"
    assert len(annotations.read(store)) == 6, "the orphan is kept"

    # The row comes back with the next run: its annotation is found again.
    write_document(folder, "energy/a", "Energy A", SIGNALS_BEFORE, CONCERNS_BEFORE, TECHNOLOGIES_BEFORE)
    again = load_corpus(folder)
    assert annotations.orphans(again.items, again.documents, stored).empty


def test_a_removed_document_orphans_its_annotations(folder, store):
    corpus = load_corpus(folder)
    annotations.annotate(store, annotations.document_target("energy/b"), {"status": "watch"}, by="ana")
    annotations.annotate(store, _target(corpus, "energy/b", "signals", "Heat pumps in flats"), {"impact": 2})
    (folder / "energy" / "b.md").unlink()
    after = load_corpus(folder)
    orphaned = annotations.orphans(after.items, after.documents, annotations.read(store))
    assert list(orphaned["target"]) == ["document", "row"]
    assert not orphaned["document_present"].any()
    assert {annotations.orphan_reason(row) for row in orphaned.to_dict("records")} == {"document gone"}


# ---------------------------------------------------------------------------------------------
# Joining and selecting
# ---------------------------------------------------------------------------------------------
@pytest.fixture()
def rated(folder, store):
    corpus = load_corpus(folder)
    plan = {
        ("energy/a", "signals", "Heat pumps in flats"): {"starred": True, "status": "watch", "impact": 4,
                                                         "likelihood": 2, "horizon": "1-3y", "tags": ["heat"]},
        ("energy/a", "signals", "Grid-scale batteries"): {"impact": 5, "tags": ["Storage", "grid"],
                                                          "note": "see annex"},
        ("energy/a", "signals", "Community solar"): {"status": "dismissed", "likelihood": 5, "horizon": "<1y"},
        ("energy/b", "signals", "Heat pumps in flats"): {"impact": 2, "tags": ["heat"]},
    }
    for (doc_id, section, name), edits in plan.items():
        annotations.annotate(store, _target(corpus, doc_id, section, name), edits, by="ana")
    annotations.annotate(store, annotations.document_target("energy/b"), {"starred": True, "status": "escalate",
                                                                          "add_tags": ["client"]}, by="ana")
    return corpus, annotations.read(store)


def _names(items: pd.DataFrame) -> list[tuple[str, str]]:
    return [(str(d), n) for d, n in zip(items["doc_id"], items["name"].fillna(items["description"]))]


def test_for_rows_and_for_documents_put_each_annotation_beside_its_row(rated):
    corpus, stored = rated
    values = annotations.for_rows(corpus.items, stored)
    assert len(values) == len(corpus.items) and values.index.equals(corpus.items.index)
    assert int(values["starred"].sum()) == 1 and values["status"].astype(str).value_counts().to_dict() == {
        "new": len(corpus.items) - 2, "watch": 1, "dismissed": 1}
    assert sorted(values["impact"].dropna().astype(int)) == [2, 4, 5]
    assert values["tags"].dropna().tolist() == ["heat", "Storage; grid", "heat"]
    documents = annotations.for_documents(corpus.documents, stored)
    assert documents["status"].tolist() == ["new", "escalate"] and documents["starred"].tolist() == [False, True]


def test_filters_keep_the_rows_a_user_asked_for(rated):
    corpus, stored = rated
    items = corpus.items
    own = {"inherit": False}
    assert _names(annotations.filter_rows(items, stored, starred=True, **own)) == [("energy/a", "Heat pumps in flats")]
    assert _names(annotations.filter_rows(items, stored, min_impact=4, **own)) == [
        ("energy/a", "Heat pumps in flats"), ("energy/a", "Grid-scale batteries")]
    assert _names(annotations.filter_rows(items, stored, tag="HEAT", **own)) == [
        ("energy/a", "Heat pumps in flats"), ("energy/b", "Heat pumps in flats")]
    assert _names(annotations.filter_rows(items, stored, horizon=["<1y", "1-3y"], **own)) == [
        ("energy/a", "Heat pumps in flats"), ("energy/a", "Community solar")]
    assert _names(annotations.filter_rows(items, stored, has_note=True, **own)) == [
        ("energy/a", "Grid-scale batteries")]
    unrated = annotations.filter_rows(items, stored, rated=False, **own)
    assert len(unrated) == len(items) - 4
    # status new: every row nobody triaged (two were: watch and dismissed).
    assert len(annotations.filter_rows(items, stored, status="new", **own)) == len(items) - 2
    assert _names(annotations.filter_rows(items, stored, status="watch", max_likelihood=2, **own)) == [
        ("energy/a", "Heat pumps in flats")]


def test_a_documents_annotation_fills_in_what_its_rows_do_not_say(rated):
    corpus, stored = rated
    items = corpus.items
    # energy/b is starred and escalated: its one row counts as both, and adds its tag to the row's.
    assert _names(annotations.filter_rows(items, stored, starred=True)) == [
        ("energy/a", "Heat pumps in flats"), ("energy/b", "Heat pumps in flats")]
    assert _names(annotations.filter_rows(items, stored, status="escalate")) == [("energy/b", "Heat pumps in flats")]
    assert _names(annotations.filter_rows(items, stored, tag="client", min_impact=2)) == [
        ("energy/b", "Heat pumps in flats")]
    starred_documents = annotations.filter_documents(corpus.documents, stored, starred=True)
    assert starred_documents["title"].tolist() == ["Energy B"]


def test_the_mask_matches_a_row_by_row_evaluation(rated):
    corpus, stored = rated
    chosen = annotations.criteria(status=["new", "watch"], min_impact=2, tag=["heat", "grid"])
    fast = annotations.row_mask(corpus.items, stored, chosen, inherit=True)
    full = annotations.for_rows(corpus.items, stored, inherit=True)
    slow = [
        row["status"] in ("new", "watch") and pd.notna(row["impact"]) and row["impact"] >= 2
        and bool({"heat", "grid"} & {t.casefold() for t in str(row["tags"]).split("; ")} if pd.notna(row["tags"]) else False)
        for row in full.to_dict("records")
    ]
    assert fast.tolist() == slow and sum(slow) == 2


def test_a_filtered_view_finds_the_second_of_two_duplicates(folder, store):
    corpus = load_corpus(folder)
    second = _target(corpus, "energy/a", "signals", "Heat pumps in flats", occurrence=2)
    annotations.annotate(store, second, {"status": "dismissed"}, by="ana")
    view = corpus.items[corpus.items["description"].str.contains("second source")].reset_index(drop=True)
    assert annotations.for_rows(view, annotations.read(store), whole=corpus.items)["status"].tolist() == ["dismissed"]
    with_keys = keys.with_row_keys(corpus.items)
    view_with_keys = with_keys[with_keys["description"].str.contains("second source")]
    assert annotations.for_rows(view_with_keys, annotations.read(store))["status"].tolist() == ["dismissed"]


# ---------------------------------------------------------------------------------------------
# Concurrency and damaged files
# ---------------------------------------------------------------------------------------------
_WRITER = textwrap.dedent("""
    import sys
    import time
    from signals.workspace import annotations
    from signals.workspace.store import Store

    path, writer, start, same_row = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), sys.argv[4] == "same"
    store = Store.open(path)
    name = "Shared row" if same_row else f"Row {writer}"
    target = annotations.row_target("doc", "signals", name, row=writer + 1)
    time.sleep(max(0.0, start - time.time()))  # all begin together, whatever their start-up took
    annotations.annotate(store, target, {"status": ("watch", "escalate")[writer % 2], "impact": writer % 5 + 1},
                         by=f"writer {writer}")
""")


def _writers(path: Path, count: int, mode: str) -> None:
    start = time.time() + 3
    processes = [subprocess.Popen([sys.executable, "-c", _WRITER, str(path), str(w), str(start), mode], cwd=ROOT,
                                  stderr=subprocess.PIPE) for w in range(count)]
    errors = [p.communicate(timeout=120)[1].decode() for p in processes]
    assert [p.returncode for p in processes] == [0] * count, errors


def test_eight_processes_annotating_different_rows_at_once_lose_nothing(tmp_path):
    path = tmp_path / "ws.sqlite"  # not created yet: the writers also race to create it
    _writers(path, 8, "different")
    stored = annotations.read(Store.open(path)).sort_values("anchor")
    assert stored["anchor"].tolist() == [f"Row {w}" for w in range(8)]
    assert stored["impact"].tolist() == [w % 5 + 1 for w in range(8)]
    assert stored["updated_by"].tolist() == [f"writer {w}" for w in range(8)]
    assert len(Store.open(path).changes()) == 8


def test_two_writers_on_one_row_the_later_wins_and_both_are_in_the_history(tmp_path):
    path = tmp_path / "ws.sqlite"
    _writers(path, 2, "same")
    store = Store.open(path)
    target = annotations.row_target("doc", "signals", "Shared row")
    entries = annotations.history(store, target)
    assert sorted(e.by for e in entries) == ["writer 0", "writer 1"]
    later, earlier = entries  # newest first: the one that committed second
    assert earlier.before is None and later.before == earlier.after, "the later writer saw the earlier's values"
    kept = annotations.get(store, target)
    assert kept.updated_by == later.by and kept.annotation == later.after
    assert kept.annotation.status == ("watch", "escalate")[int(later.by[-1]) % 2]


def test_a_damaged_workspace_is_reported_and_never_written(tmp_path):
    path = tmp_path / "ws.sqlite"
    store = Store.open(path)
    for n in range(200):  # enough rows for several pages, so damage hits a b-tree page
        annotations.annotate(store, annotations.row_target("doc", "signals", f"Row {n} " + "x" * 60),
                             {"note": "y" * 200}, by="ana")
    damaged = bytearray(path.read_bytes())
    page_size = int.from_bytes(damaged[16:18], "big")
    damaged[2 * page_size:4 * page_size] = b"\xa5" * (2 * page_size)
    path.write_bytes(bytes(damaged))
    for leftover in tmp_path.glob("ws.sqlite-*"):
        leftover.unlink()
    before = path.read_bytes()
    with pytest.raises(WorkspaceError, match="damaged") as raised:
        Store.open(path)
    assert str(path) in str(raised.value)
    with pytest.raises(WorkspaceError):
        annotations.annotate(store, annotations.document_target("doc"), {"starred": True}, by="ana")
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ws.sqlite"]


def test_reading_is_one_query_and_types_the_columns(tmp_path):
    store = Store.open(tmp_path / "ws.sqlite")
    annotations.annotate(store, annotations.row_target("d", "signals", "A"), {"impact": 3, "horizon": ">10y"})
    frame = annotations.read(store)
    assert list(frame.columns) == list(annotations.FRAME_COLUMNS)
    assert str(frame["impact"].dtype) == "Int8" and frame["starred"].dtype == np.bool_
    assert frame["horizon"].cat.ordered and list(frame["horizon"].cat.categories) == list(annotations.HORIZONS)
    assert store.revision() == 1


def test_refresh_reads_only_what_changed_and_equals_a_full_read(tmp_path):
    store = Store.open(tmp_path / "ws.sqlite")
    rows = [annotations.row_target("d", "signals", f"Row {n}") for n in range(5)]
    annotations.annotate(store, rows, {"status": "watch"}, by="ana")
    before, revision = annotations.refresh(store, None, 0)
    assert revision == 1 and len(before) == 5
    assert annotations.refresh(store, before, revision)[0] is before, "nothing changed: the same frame"
    annotations.annotate(store, rows[1], {"impact": 4}, by="ana")
    annotations.clear(store, rows[2], by="ana")
    annotations.annotate(store, annotations.document_target("d"), {"starred": True}, by="ana")
    annotations.annotate(store, rows[3], {"note": "temporary"}, by="ana")
    annotations.undo_last(store)
    after, latest = annotations.refresh(store, before, revision)
    assert latest == store.revision() == 6
    expected = annotations.read(store).sort_values("key").reset_index(drop=True)
    pd.testing.assert_frame_equal(after.sort_values("key").reset_index(drop=True), expected)
    assert sorted(after["anchor"]) == ["", "Row 0", "Row 1", "Row 3", "Row 4"]


def test_a_selection_in_a_filtered_table_names_the_right_duplicate(folder):
    corpus = load_corpus(folder)
    view = corpus.items[corpus.items["description"].str.contains("second source")].reset_index(drop=True)
    (target,) = annotations.row_targets(view, [0], whole=corpus.items)
    assert (target.anchor, target.occurrence, target.row) == ("Heat pumps in flats", 2, 4)
    (alone,) = annotations.row_targets(view, [0])
    assert alone.occurrence == 1, "without the whole frame the filtered table cannot know the first one"


def test_option_counts_count_rows_as_the_filters_would_keep_them(rated):
    corpus, stored = rated
    joined = annotations.join_rows(corpus.items, stored)
    counts = joined.option_counts()
    for status in annotations.STATUSES:
        assert counts["status"][status] == int(joined.mask(annotations.criteria(status=status)).sum())
    for tag in ("heat", "storage", "client"):
        assert counts["tag"][tag] == int(joined.mask(annotations.criteria(tag=tag)).sum())
    assert counts["starred"][True] == int(joined.mask(annotations.criteria(starred=True)).sum()) == 2
    assert counts["rated"][False] == int(joined.mask(annotations.criteria(rated=False)).sum())
    assert counts["horizon"].to_dict() == {"<1y": 1, "1-3y": 1, "3-10y": 0, ">10y": 0}
    signals_only = (corpus.items["section"].astype(str) == "signals").to_numpy()
    within = joined.option_counts(signals_only)
    assert within["status"].sum() == signals_only.sum()
