"""Saved views in the workspace: kept with their filters and documents, renamed, deleted, undone,
counted "new since saved"; and older workspace files gain the table on their next change."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from signals.filters import Filters
from signals.workspace import views
from signals.workspace.store import SCHEMA_VERSION, TABLES, Store


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store.open(tmp_path / "workspace.sqlite")


def test_a_saved_view_keeps_its_filters_and_documents(store: Store) -> None:
    filters = Filters(themes=("energy transition",), statuses=("watch",), min_impact=3)
    views.save(store, "  Energy   to watch ", filters, ["2025/b", "2025/a", "2025/a"], by="ana")
    [kept] = views.saved(Store.open(store.path))
    assert kept.name == "Energy to watch"
    assert kept.filters == filters
    assert kept.query == "theme=energy+transition&status=watch&imin=3"
    assert kept.documents == 2 and kept.saved_by == "ana"
    assert kept.new_since(["2025/a", "2025/c", "2025/d"]) == 2  # c and d were not in it
    assert kept.new_since(["2025/a"]) == 0  # one gone: nothing new


def test_names_are_case_insensitive_and_a_second_save_replaces(store: Store) -> None:
    views.save(store, "Watch list", Filters(starred=True), ["d1"], by="ana")
    views.save(store, "watch LIST", Filters(rated=True), ["d1", "d2"], by="bo")
    [kept] = views.saved(store)
    assert (kept.name, kept.filters, kept.documents, kept.saved_by) == ("watch LIST", Filters(rated=True), 2, "bo")
    assert views.get(store, "WATCH list").name == "watch LIST"


def test_rename_delete_and_undo_are_changes_in_the_history(store: Store) -> None:
    views.save(store, "First", Filters(), ["d1"], by="ana")
    views.save(store, "Second", Filters(starred=True), [], by="ana")
    with pytest.raises(views.ViewError, match="exists already"):
        views.rename(store, "First", "second")
    views.rename(store, "First", "Renamed", by="bo")
    assert [v.name for v in views.saved(store)] == ["Renamed", "Second"]
    views.delete(store, "Second", by="bo")
    assert [v.name for v in views.saved(store)] == ["Renamed"]
    summaries = [change.summary for change in store.changes()]
    assert summaries[:2] == ["deleted view “Second”", "renamed view “First” to “Renamed”"]
    store.undo_last(by="bo")
    assert [v.name for v in views.saved(store)] == ["Renamed", "Second"]
    with pytest.raises(views.ViewError, match="no saved view"):
        views.delete(store, "Third")
    with pytest.raises(views.ViewError, match="needs a name"):
        views.save(store, "   ", Filters(), [])


def test_a_workspace_from_before_saved_views_gains_them(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    store = Store.open(path)
    with store.change("test", "ana") as transaction:  # any change creates the file at the current schema
        transaction.put("theme_merges", "ai", {"alias": "AI", "theme": "artificial intelligence",
                                               "created_by": "ana", "created_at": "2026-01-01T00:00:00"})
    with sqlite3.connect(path) as connection:  # as a version-2 file had it: no saved_views table (nor later ones)
        for spec in TABLES.values():
            if spec.since > 2:
                connection.execute(f"DROP TABLE {spec.name}")
        connection.execute("PRAGMA user_version = 2")
    old = Store.open(path)
    assert views.saved(old) == []
    views.save(old, "Kept", Filters(), ["d1"], by="ana")
    assert [v.name for v in views.saved(Store.open(path))] == ["Kept"]
    with sqlite3.connect(path) as connection:
        assert connection.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
