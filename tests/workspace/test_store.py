"""signals.workspace.store: where the file goes, what it is, one transaction per change with its
history, undo, concurrent writers, and files that are not ours left byte for byte as they were."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from signals.workspace import merges, open_store
from signals.workspace.store import (
    APPLICATION_ID,
    SCHEMA_VERSION,
    Store,
    WorkspaceError,
    WorkspaceLocationError,
    default_workspace_path,
    workspace_path,
)

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture()
def data_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "My corpus"
    folder.mkdir()
    (folder / "a.md").write_text("# A\n", encoding="utf-8")
    return folder


def test_default_path_is_under_the_data_home_one_file_per_folder(tmp_path, monkeypatch, data_folder):
    monkeypatch.delenv("SIGNALS_WORKSPACE_DIR")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "share"))
    path = default_workspace_path(data_folder)
    assert path.parent == tmp_path / "share" / "signals-explorer" / "workspaces"
    assert path.name.startswith("my_corpus-") and path.suffix == ".sqlite"
    other = tmp_path / "elsewhere" / "My corpus"
    other.mkdir(parents=True)
    assert default_workspace_path(other) != path, "two folders of the same name get two files"
    assert default_workspace_path(data_folder / ".." / "My corpus") == path, "the resolved path names the folder"


def test_explicit_and_environment_paths(tmp_path, monkeypatch, data_folder):
    monkeypatch.setenv("SIGNALS_WORKSPACE", str(tmp_path / "env.sqlite"))
    assert workspace_path(data_folder) == tmp_path / "env.sqlite"
    assert workspace_path(data_folder, tmp_path / "flag.sqlite") == tmp_path / "flag.sqlite"


@pytest.mark.parametrize("inside", ["ws.sqlite", "sub/ws.sqlite", "."])
def test_a_workspace_inside_the_data_folder_is_refused(data_folder, monkeypatch, inside):
    with pytest.raises(WorkspaceLocationError, match="inside the data folder"):
        workspace_path(data_folder, data_folder / inside)
    monkeypatch.setenv("SIGNALS_WORKSPACE", str(data_folder / inside))
    with pytest.raises(WorkspaceLocationError):
        open_store(data_folder)
    # A file of the folder: its folder is the data folder.
    with pytest.raises(WorkspaceLocationError):
        workspace_path(data_folder / "a.md", data_folder / inside)
    assert not (data_folder / "ws.sqlite").exists()


def test_a_link_into_the_data_folder_is_refused(tmp_path, data_folder):
    link = tmp_path / "link"
    link.symlink_to(data_folder)
    with pytest.raises(WorkspaceLocationError):
        workspace_path(data_folder, link / "ws.sqlite")


def test_reading_creates_nothing_the_first_change_creates_a_wal_file(tmp_path):
    path = tmp_path / "new" / "ws.sqlite"
    store = Store.open(path)
    assert store.rows("theme_merges") == {} and store.changes() == [] and store.last_undoable() is None
    assert not path.parent.exists()
    merges.merge_themes(store, ["AI"], "artificial intelligence", by="ana")
    with sqlite3.connect(path) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert connection.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert connection.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
        assert connection.execute("SELECT alias_key, theme, created_by FROM theme_merges").fetchall() == [
            ("ai", "artificial intelligence", "ana")]
        history = connection.execute("SELECT tbl, row_key, before, after FROM history").fetchall()
    assert history[0][:3] == ("theme_merges", "ai", None)
    assert '"theme": "artificial intelligence"' in history[0][3]


def test_a_change_that_fails_leaves_nothing(tmp_path):
    store = Store.open(tmp_path / "ws.sqlite")
    merges.merge_themes(store, ["AI"], "artificial intelligence", by="ana")
    with pytest.raises(RuntimeError), store.change("merge", by="ana") as transaction:
        transaction.put("theme_merges", "ml", {"alias": "ML", "theme": "machine learning",
                                               "created_by": "ana", "created_at": "2025-01-01"})
        raise RuntimeError("interrupted")
    assert list(store.rows("theme_merges")) == ["ai"]
    assert len(store.changes()) == 1


def test_undo_walks_back_through_history_and_is_recorded(tmp_path):
    store = Store.open(tmp_path / "ws.sqlite")
    merges.merge_themes(store, ["AI"], "artificial intelligence", by="ana")
    merges.merge_themes(store, ["artificial intelligence", "ML"], "AI & ML", by="ben")
    assert merges.mapping(store) == {"ai": "AI & ML", "artificial intelligence": "AI & ML", "ml": "AI & ML"}
    merges.unmerge(store, ["ml"], by="ana")
    assert store.undo_last(by="cy").action == "unmerge"
    assert merges.mapping(store) == {"ai": "AI & ML", "artificial intelligence": "AI & ML", "ml": "AI & ML"}
    assert store.undo_last(by="cy").by == "ben"
    assert merges.mapping(store) == {"ai": "artificial intelligence"}
    store.undo_last(by="cy")
    assert merges.mapping(store) == {}
    assert store.undo_last(by="cy") is None
    changes = store.changes()
    assert [(c.action, c.by) for c in changes] == [
        ("undo", "cy"), ("undo", "cy"), ("undo", "cy"), ("unmerge", "ana"), ("merge", "ben"), ("merge", "ana")]
    assert changes[0].summary == "undid: merged “AI” into “artificial intelligence”"
    assert [c.undone_by for c in changes[3:]] == [changes[2].id, changes[1].id, changes[0].id]


def test_an_undo_after_a_new_change_reverts_that_change(tmp_path):
    store = Store.open(tmp_path / "ws.sqlite")
    merges.merge_themes(store, ["AI"], "artificial intelligence", by="ana")
    merges.merge_themes(store, ["ML"], "machine learning", by="ana")
    store.undo_last()
    merges.merge_themes(store, ["heat pumps"], "heat pump", by="ana")
    store.undo_last()
    assert merges.mapping(store) == {"ai": "artificial intelligence"}


_WRITER = textwrap.dedent("""
    import sys
    import time
    from signals.workspace import merges
    from signals.workspace.store import Store

    path, writer, start = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
    store = Store.open(path)
    time.sleep(max(0.0, start - time.time()))  # all four begin together, whatever their start-up took
    for n in range(25):
        merges.merge_themes(store, [f"alias {writer}-{n}"], f"theme {writer}-{n}", by=f"writer {writer}")
""")


def test_four_processes_writing_at_once_lose_nothing(tmp_path):
    path = tmp_path / "ws.sqlite"  # not created yet: the writers also race to create it
    start = time.time() + 3
    writers = [subprocess.Popen([sys.executable, "-c", _WRITER, str(path), str(w), str(start)], cwd=ROOT,
                                stderr=subprocess.PIPE) for w in range(4)]
    errors = [w.communicate(timeout=120)[1].decode() for w in writers]
    assert [w.returncode for w in writers] == [0, 0, 0, 0], errors
    store = Store.open(path)
    expected = {f"alias {w}-{n}": f"theme {w}-{n}" for w in range(4) for n in range(25)}
    assert merges.mapping(store) == expected
    changes = store.changes()
    assert len(changes) == 100
    assert sorted({c.by for c in changes}) == [f"writer {w}" for w in range(4)]
    with sqlite3.connect(path) as connection:
        assert connection.execute("SELECT count(*) FROM history").fetchone()[0] == 100


def _bytes_of(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir()}


@pytest.mark.parametrize(("content", "problem"), [
    (b"alias,theme\nAI,artificial intelligence\n", "is not a SQLite database"),
    (b"SQLite format 3\x00" + b"\x10\x00" + b"\x01" * 30, "truncated"),
])
def test_a_file_that_is_not_a_workspace_is_reported_and_left_alone(tmp_path, content, problem):
    path = tmp_path / "ws.sqlite"
    path.write_bytes(content)
    with pytest.raises(WorkspaceError, match=problem) as raised:
        Store.open(path)
    assert raised.value.path == path and str(path) in str(raised.value)
    assert _bytes_of(tmp_path) == {"ws.sqlite": content}


def test_a_damaged_workspace_is_reported_and_left_byte_identical(tmp_path):
    path = tmp_path / "ws.sqlite"
    store = Store.open(path)
    for n in range(300):  # enough rows for several pages, so damage hits a b-tree page
        merges.merge_themes(store, [f"alias {n} " + "x" * 40], f"theme {n}", by="ana")
    damaged = bytearray(path.read_bytes())
    page_size = int.from_bytes(damaged[16:18], "big")
    damaged[2 * page_size:4 * page_size] = b"\xa5" * (2 * page_size)
    path.write_bytes(bytes(damaged))
    for leftover in tmp_path.glob("ws.sqlite-*"):
        leftover.unlink()
    before = _bytes_of(tmp_path)
    with pytest.raises(WorkspaceError, match="damaged") as raised:
        Store.open(path)
    assert str(path) in str(raised.value)
    with pytest.raises(WorkspaceError):
        merges.merge_themes(store, ["ML"], "machine learning")  # the store opened before the damage
    assert _bytes_of(tmp_path) == before


def test_another_programs_database_is_reported_and_left_alone(tmp_path):
    path = tmp_path / "notes.sqlite"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE recipes (name TEXT)")
    before = _bytes_of(tmp_path)
    with pytest.raises(WorkspaceError, match="another program's SQLite database.*recipes"):
        Store.open(path)
    assert _bytes_of(tmp_path) == before


def test_a_newer_workspace_opens_read_only(tmp_path):
    path = tmp_path / "ws.sqlite"
    store = Store.open(path)
    merges.merge_themes(store, ["AI"], "artificial intelligence", by="ana")
    with sqlite3.connect(path) as connection:
        connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    before = path.read_bytes()
    newer = Store.open(path)
    assert newer.read_only and "newer" in newer.problem
    assert merges.mapping(newer) == {"ai": "artificial intelligence"}, "still readable"
    with pytest.raises(WorkspaceError, match="newer"):
        merges.merge_themes(newer, ["ML"], "machine learning")
    assert path.read_bytes() == before  # (its -shm, SQLite's shared index for readers, may change)
