"""The workspace file: the analyst's own layer over a corpus, kept in SQLite. The only module that
opens the database.

One file per corpus folder (see `workspace_path`), never inside the data folder: the data folder
may be read-only, shared, or rewritten by the pipeline, and what the analyst decides is not data.

What the file holds (schema version in `PRAGMA user_version`, our mark in `PRAGMA application_id`):

    meta(key, value)                         what the file was made for (the corpus folder)
    changes(id, at, by, action, summary, undoes)
                                             one row per change the analyst made, who and when;
                                             `undoes` names the change an undo reverted
    history(change_id, seq, tbl, row_key, before, after)
                                             every row a change touched, as JSON before and after
                                             (NULL: the row did not exist), so any change can be reverted
    theme_merges(alias_key, alias, theme, created_by, created_at)
                                             theme spellings counted as another theme (signals.workspace.merges)
    annotations(target_key, target, doc_id, section, anchor_kind, anchor, occurrence, row, starred,
                status, impact, likelihood, horizon, tags, note, updated_by, updated_at)
                                             the analyst's triage, ratings, tags and note on a document or
                                             a table row, keyed by content (signals.workspace.annotations)

Every write is one transaction (`BEGIN IMMEDIATE`, so concurrent writers queue instead of failing
half-way) that records its own history: callers edit rows through `Store.change()` and cannot
forget the record. The file is in WAL mode, so readers never block the writer.

A file that is not ours is never written: one that is not SQLite, fails SQLite's integrity check,
or is another program's database raises WorkspaceError (file and what is wrong); one made by a newer
version opens read-only. Nothing is created until the first write, so reading a corpus never
leaves a file behind.
"""

from __future__ import annotations

import datetime as dt
import getpass
import hashlib
import json
import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

from signals import schema

WORKSPACE_ENV = "SIGNALS_WORKSPACE"
"""A workspace file to use instead of the default one (the CLI's --workspace wins over it)."""
WORKSPACE_DIR_ENV = "SIGNALS_WORKSPACE_DIR"
"""The folder of the per-corpus workspace files (default: under the user's data directory)."""
#: "SgnX": marks the file as ours, so another program's SQLite file is recognised and left alone.
APPLICATION_ID = 0x53676E58
_SQLITE_HEADER = b"SQLite format 3\x00"
#: Seconds a writer waits for another one to finish before giving up (they queue, not fail).
BUSY_TIMEOUT = 30.0


def _ensure_wal(connection: sqlite3.Connection) -> None:
    """Put the file in WAL mode (persistent: a no-op once set), waiting for other writers.

    Switching the journal mode needs the file to itself, and SQLite answers "database is locked"
    at once rather than through the busy timeout while another process is creating or writing the
    file (seen with four writers racing to create a new workspace): so it is retried until
    BUSY_TIMEOUT has passed."""
    deadline = time.monotonic() + BUSY_TIMEOUT
    while True:
        try:
            if connection.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                connection.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)

#: Schema migrations, in order: the file's user_version says how many have been applied.
_MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE changes (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        by TEXT NOT NULL,
        action TEXT NOT NULL,
        summary TEXT NOT NULL,
        undoes INTEGER REFERENCES changes(id)
    );
    CREATE UNIQUE INDEX changes_undoes ON changes(undoes) WHERE undoes IS NOT NULL;
    CREATE TABLE history (
        change_id INTEGER NOT NULL REFERENCES changes(id),
        seq INTEGER NOT NULL,
        tbl TEXT NOT NULL,
        row_key TEXT NOT NULL,
        before TEXT,
        after TEXT,
        PRIMARY KEY (change_id, seq)
    );
    CREATE INDEX history_row ON history(tbl, row_key);
    CREATE TABLE theme_merges (
        alias_key TEXT PRIMARY KEY,
        alias TEXT NOT NULL,
        theme TEXT NOT NULL,
        created_by TEXT NOT NULL,
        created_at TEXT NOT NULL
    );
    """,
    # 2: annotations. Every value is text (the store's rows are str -> str): "" for no value, tags
    # a JSON list; signals.workspace.annotations types them. `anchor` is the name or description as
    # the row showed it when annotated, `row` its 1-based place then: what an orphan tells.
    """
    CREATE TABLE annotations (
        target_key TEXT PRIMARY KEY,
        target TEXT NOT NULL,
        doc_id TEXT NOT NULL,
        section TEXT NOT NULL,
        anchor_kind TEXT NOT NULL,
        anchor TEXT NOT NULL,
        occurrence TEXT NOT NULL,
        row TEXT NOT NULL,
        starred TEXT NOT NULL,
        status TEXT NOT NULL,
        impact TEXT NOT NULL,
        likelihood TEXT NOT NULL,
        horizon TEXT NOT NULL,
        tags TEXT NOT NULL,
        note TEXT NOT NULL,
        updated_by TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE INDEX annotations_doc ON annotations(doc_id);
    """,
)
SCHEMA_VERSION = len(_MIGRATIONS)


@dataclass(frozen=True)
class TableSpec:
    """A table whose rows the store edits (with history): its key column and value columns."""

    name: str
    key: str
    columns: tuple[str, ...]
    #: The schema version that created the table: an older file reads as having no rows of it.
    since: int = 1


#: The tables analysts' changes go to. A new kind of annotation is a migration plus an entry here.
TABLES = {
    "theme_merges": TableSpec("theme_merges", "alias_key", ("alias", "theme", "created_by", "created_at")),
    "annotations": TableSpec("annotations", "target_key", (
        "target", "doc_id", "section", "anchor_kind", "anchor", "occurrence", "row", "starred", "status",
        "impact", "likelihood", "horizon", "tags", "note", "updated_by", "updated_at"), since=2),
}


class WorkspaceError(Exception):
    """A workspace file that cannot be used (or may not be written): which file and what is wrong."""

    def __init__(self, path: Path, problem: str) -> None:
        super().__init__(f"workspace {path}: {problem}")
        self.path = path
        self.problem = problem


class WorkspaceLocationError(WorkspaceError):
    """A workspace path that is refused (inside the data folder): a setting to fix, not a damaged file."""


@dataclass(frozen=True)
class Change:
    """One change an analyst made: who, when, what (in words); `undoes` / `undone_by` link undos."""

    id: int
    at: str
    by: str
    action: str
    summary: str
    undoes: int | None = None
    undone_by: int | None = None


Row = dict[str, str]


@dataclass(frozen=True)
class Edit:
    """One row one change touched: the change (who, when, what), the row's key, its value before and
    after (None: the row did not exist), and the undo that reverted the change, if any."""

    change_id: int
    at: str
    by: str
    action: str
    summary: str
    key: str
    before: Row | None
    after: Row | None
    undone_by: int | None = None


def default_author() -> str:
    """The OS user's name (what `--by` and the app's name field default to)."""
    try:
        return getpass.getuser() or "unknown"
    except (KeyError, OSError):  # no login name (some containers)
        return "unknown"


def now_text() -> str:
    """Now, in UTC, as ISO 8601 to the second (what `at` and `created_at` hold)."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def data_home() -> Path:
    """$XDG_DATA_HOME, else ~/.local/share."""
    return Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")


def default_workspace_dir() -> Path:
    """$SIGNALS_WORKSPACE_DIR, else <data home>/signals-explorer/workspaces."""
    configured = os.environ.get(WORKSPACE_DIR_ENV)
    return Path(configured).expanduser() if configured else data_home() / "signals-explorer" / "workspaces"


def data_folder_of(corpus_path: str | os.PathLike) -> Path:
    """The folder a corpus is read from: the path itself, or a file's folder."""
    resolved = Path(corpus_path).expanduser().resolve()
    return resolved if resolved.is_dir() or not resolved.exists() else resolved.parent


def default_workspace_path(corpus_path: str | os.PathLike) -> Path:
    """<workspace dir>/<slug of the folder's name>-<hash of its resolved path>.sqlite.

    The slug lets a person find the file; the hash keeps two folders of the same name apart.
    """
    resolved = Path(corpus_path).expanduser().resolve()
    digest = hashlib.sha256(str(resolved).encode()).hexdigest()[:12]
    name = schema.slug(resolved.name)[:40] or "corpus"
    return default_workspace_dir() / f"{name}-{digest}.sqlite"


def workspace_path(corpus_path: str | os.PathLike, explicit: str | os.PathLike | None = None) -> Path:
    """The workspace file of a corpus: `explicit` (--workspace), else $SIGNALS_WORKSPACE, else the default.

    Raises WorkspaceLocationError when that file would be inside the data folder.
    """
    chosen = explicit or os.environ.get(WORKSPACE_ENV)
    path = Path(chosen).expanduser() if chosen else default_workspace_path(corpus_path)
    path = path.resolve()
    folder = data_folder_of(corpus_path)
    if path == folder or folder in path.parents:
        raise WorkspaceLocationError(path, f"is inside the data folder {folder}; keep the workspace elsewhere "
                                   f"(the default is under {default_workspace_dir()})")
    return path


def _connect(path: Path, *, read_only: bool) -> sqlite3.Connection:
    if read_only:
        connection = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, timeout=BUSY_TIMEOUT,
                                     isolation_level=None)
    else:
        connection = sqlite3.connect(path, timeout=BUSY_TIMEOUT, isolation_level=None)
    connection.execute("PRAGMA foreign_keys = ON")
    return connection


def _inspect(path: Path) -> tuple[int, bool]:
    """A workspace file -> (its schema version, whether it is empty), without writing to it.

    Raises WorkspaceError for a folder, a file that is not SQLite, a damaged one or another
    program's database.
    """
    if not path.exists():
        return 0, True
    if path.is_dir():
        raise WorkspaceError(path, "is a folder, not a workspace file")
    size = path.stat().st_size
    if size == 0:
        return 0, True
    with path.open("rb") as handle:
        head = handle.read(100)
    if not head.startswith(_SQLITE_HEADER):
        raise WorkspaceError(path, f"is not a SQLite database (it starts with {head[:16]!r}); left as it is")
    if len(head) < 100:
        raise WorkspaceError(path, f"is a truncated SQLite database ({size} bytes); left as it is")
    # Reading a WAL-mode file makes SQLite create its -wal and -shm companions; when the file
    # turns out unusable, the ones this look created are removed again, so nothing is left changed.
    companions = [path.with_name(path.name + suffix) for suffix in ("-wal", "-shm")]
    created = [c for c in companions if not c.exists()]
    try:
        return _inspect_database(path)
    except WorkspaceError:
        for companion in created:
            companion.unlink(missing_ok=True)
        raise


def _inspect_database(path: Path) -> tuple[int, bool]:
    try:
        with closing(_connect(path, read_only=True)) as connection:
            problems = [row[0] for row in connection.execute("PRAGMA quick_check(5)")]
            if problems != ["ok"]:
                raise WorkspaceError(path, "is damaged (SQLite integrity check: " + "; ".join(problems)
                                     + "); left as it is")
            application_id = connection.execute("PRAGMA application_id").fetchone()[0]
            version = connection.execute("PRAGMA user_version").fetchone()[0]
            tables = [row[0] for row in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
    except sqlite3.DatabaseError as error:
        raise WorkspaceError(path, f"is damaged ({error}); left as it is") from error
    if application_id != APPLICATION_ID:
        if tables or version:
            listed = ", ".join(tables[:5]) + (", ..." if len(tables) > 5 else "")
            raise WorkspaceError(path, f"is another program's SQLite database (tables: {listed or 'none'}); "
                                       "left as it is")
        return 0, True
    return version, False


class Transaction:
    """The rows one change edits; every put and delete is recorded in history by Store.change()."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._connection = connection
        self.summary = ""
        #: The change this one reverts (set by Store.undo_last only).
        self.undoes: int | None = None
        #: (table, key) -> (row before the change, row after), in the order first touched.
        self.edits: dict[tuple[str, str], tuple[Row | None, Row | None]] = {}

    def get(self, table: str, key: str) -> Row | None:
        """The row of `table` under `key` as this transaction sees it, or None."""
        spec = TABLES[table]
        found = self._connection.execute(
            f"SELECT {', '.join(spec.columns)} FROM {spec.name} WHERE {spec.key} = ?", (key,)).fetchone()
        return None if found is None else dict(zip(spec.columns, found))

    def all(self, table: str) -> dict[str, Row]:
        """Every row of `table`: key -> row."""
        return _all_rows(self._connection, table)

    def put(self, table: str, key: str, row: Row) -> None:
        """Insert or replace a row (every value column given)."""
        self._set(table, key, {column: str(row[column]) for column in TABLES[table].columns})

    def delete(self, table: str, key: str) -> None:
        """Remove a row (nothing happens, nothing is recorded, when there is none)."""
        self._set(table, key, None)

    def _set(self, table: str, key: str, after: Row | None) -> None:
        spec = TABLES[table]
        before = self.get(table, key)
        if before == after:
            return
        if after is None:
            self._connection.execute(f"DELETE FROM {spec.name} WHERE {spec.key} = ?", (key,))
        else:
            columns = (spec.key, *spec.columns)
            self._connection.execute(
                f"INSERT OR REPLACE INTO {spec.name} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
                (key, *(after[c] for c in spec.columns)))
        first_before = self.edits[(table, key)][0] if (table, key) in self.edits else before
        if first_before == after:  # edited back to where it started: nothing to record
            self.edits.pop((table, key), None)
        else:
            self.edits[(table, key)] = (first_before, after)


def _all_rows(connection: sqlite3.Connection, table: str) -> dict[str, Row]:
    spec = TABLES[table]
    query = f"SELECT {spec.key}, {', '.join(spec.columns)} FROM {spec.name} ORDER BY {spec.key}"
    return {row[0]: dict(zip(spec.columns, row[1:])) for row in connection.execute(query)}


class Store:
    """One workspace file. Cheap to keep: every call opens its own short connection, so a Store is
    safe to share between threads (the app's sessions) and processes (CLI and app at once)."""

    def __init__(self, path: Path, version: int, *, read_only: bool = False, problem: str | None = None) -> None:
        self.path = path
        self.version = version
        self.read_only = read_only
        #: Why the store is read-only, in words for the user (None when it is writable).
        self.problem = problem

    @classmethod
    def open(cls, path: str | os.PathLike) -> Store:
        """A workspace file (which may not exist yet) -> Store. Writes nothing.

        Raises WorkspaceError for a file that is not a workspace of ours or is damaged. A file from
        a newer version opens read-only, with `problem` saying so.
        """
        path = Path(path)
        version, _ = _inspect(path)
        if version > SCHEMA_VERSION:
            return cls(path, version, read_only=True,
                       problem=f"was written by a newer Signals Explorer (schema {version}, this one reads "
                               f"up to {SCHEMA_VERSION}); opened read-only")
        return cls(path, version)

    @property
    def exists(self) -> bool:
        """Whether anything has been written yet."""
        return self.path.exists() and self.path.stat().st_size > 0

    @contextmanager
    def _reading(self) -> Iterator[sqlite3.Connection | None]:
        """A read-only connection, or None when there is nothing to read yet."""
        if not self.exists:
            yield None
            return
        try:
            with closing(_connect(self.path, read_only=True)) as connection:
                if connection.execute("PRAGMA user_version").fetchone()[0] == 0:
                    yield None  # created by a writer that has not finished its first change
                else:
                    yield connection
        except sqlite3.DatabaseError as error:
            raise WorkspaceError(self.path, f"cannot be read ({error})") from error

    @contextmanager
    def _reading_table(self, table: str) -> Iterator[sqlite3.Connection | None]:
        """A read-only connection to read `table` from, or None when the file has no such table yet
        (nothing written, or written before the migration that made it)."""
        with self._reading() as connection:
            if connection is None or connection.execute("PRAGMA user_version").fetchone()[0] < TABLES[table].since:
                yield None
            else:
                yield connection

    def rows(self, table: str) -> dict[str, Row]:
        """Every row of one of TABLES: key -> row ({} before the first write)."""
        with self._reading_table(table) as connection:
            return {} if connection is None else _all_rows(connection, table)

    def row(self, table: str, key: str) -> Row | None:
        """One row of one of TABLES, or None."""
        spec = TABLES[table]
        with self._reading_table(table) as connection:
            if connection is None:
                return None
            found = connection.execute(
                f"SELECT {', '.join(spec.columns)} FROM {spec.name} WHERE {spec.key} = ?", (key,)).fetchone()
            return None if found is None else dict(zip(spec.columns, found))

    def column(self, table: str, column: str) -> dict[str, str]:
        """One value column of one of TABLES: key -> value (what a run reads; cheaper than `rows`)."""
        spec = TABLES[table]
        if column not in spec.columns:
            raise KeyError(column)
        with self._reading_table(table) as connection:
            if connection is None:
                return {}
            return dict(connection.execute(f"SELECT {spec.key}, {column} FROM {spec.name}").fetchall())

    def records(self, table: str) -> tuple[int, tuple[str, ...], list[tuple[str, ...]]]:
        """Every row of one of TABLES as tuples, key first, read in one connection: (the newest
        change's id, column names, rows). What a frame is built from: 5,000 rows as dicts cost more
        than the query."""
        spec = TABLES[table]
        names = (spec.key, *spec.columns)
        with self._reading_table(table) as connection:
            if connection is None:
                return self.revision(), names, []
            revision = connection.execute("SELECT coalesce(max(id), 0) FROM changes").fetchone()[0]
            return revision, names, connection.execute(f"SELECT {', '.join(names)} FROM {spec.name}").fetchall()

    def changed_since(self, table: str, change_id: int
                      ) -> tuple[int, list[str], tuple[str, ...], list[tuple[str, ...]]]:
        """What changes after `change_id` did to `table`, read in one connection: (the newest
        change's id, the keys they touched (undos included), column names, those keys' rows now,
        key first). A touched key without a row was removed."""
        spec = TABLES[table]
        names = (spec.key, *spec.columns)
        with self._reading_table(table) as connection:
            if connection is None:
                return self.revision(), [], names, []
            revision = connection.execute("SELECT coalesce(max(id), 0) FROM changes").fetchone()[0]
            # `+tbl` keeps SQLite off the (tbl, row_key) index: the newest changes are a range of
            # the primary key, where the index would walk every row of the table's history.
            keys = [key for (key,) in connection.execute(
                "SELECT DISTINCT row_key FROM history WHERE change_id > ? AND change_id <= ? AND +tbl = ?",
                (change_id, revision, table))]
            rows: list[tuple[str, ...]] = []
            for first in range(0, len(keys), 500):  # SQLite caps the parameters of one statement
                chunk = keys[first:first + 500]
                rows += connection.execute(f"SELECT {', '.join(names)} FROM {spec.name} WHERE {spec.key} IN "
                                           f"({', '.join('?' * len(chunk))})", chunk).fetchall()
            return revision, keys, names, rows

    def revision(self) -> int:
        """The id of the newest change (0 before the first): a small cache key for what was read."""
        with self._reading() as connection:
            if connection is None:
                return 0
            return connection.execute("SELECT coalesce(max(id), 0) FROM changes").fetchone()[0]

    def history(self, table: str, key: str | None = None, limit: int | None = None) -> list[Edit]:
        """The edits of one of TABLES (of one row when `key` is given), newest first, at most `limit`."""
        query = ("SELECT c.id, c.at, c.by, c.action, c.summary, h.row_key, h.before, h.after, u.id "
                 "FROM history h JOIN changes c ON c.id = h.change_id LEFT JOIN changes u ON u.undoes = c.id "
                 "WHERE h.tbl = ?" + (" AND h.row_key = ?" if key is not None else "")
                 + " ORDER BY c.id DESC, h.seq" + (" LIMIT ?" if limit else ""))
        parameters = (table, *(() if key is None else (key,)), *((limit,) if limit else ()))
        with self._reading() as connection:
            if connection is None:
                return []
            return [Edit(i, at, by, action, summary, k, _row(b), _row(a), undone)
                    for i, at, by, action, summary, k, b, a, undone in connection.execute(query, parameters)]

    def changes(self, limit: int | None = None) -> list[Change]:
        """The changes made so far, newest first (at most `limit`), each with the undo that reverted it."""
        query = ("SELECT c.id, c.at, c.by, c.action, c.summary, c.undoes, u.id FROM changes c "
                 "LEFT JOIN changes u ON u.undoes = c.id ORDER BY c.id DESC")
        with self._reading() as connection:
            if connection is None:
                return []
            found = connection.execute(query + (" LIMIT ?" if limit else ""), (limit,) if limit else ())
            return [Change(*row) for row in found]

    def edits_of(self, change_id: int) -> list[tuple[str, str, Row | None, Row | None]]:
        """The rows one change touched: (table, key, before, after), in order."""
        with self._reading() as connection:
            if connection is None:
                return []
            found = connection.execute(
                "SELECT tbl, row_key, before, after FROM history WHERE change_id = ? ORDER BY seq", (change_id,))
            return [(t, k, _row(b), _row(a)) for t, k, b, a in found]

    def last_undoable(self, table: str | None = None) -> Change | None:
        """The change `undo_last` would revert: the newest one that is not an undo and not undone
        (and, with `table`, that edited that table)."""
        with self._reading() as connection:
            if connection is None:
                return None
            found = connection.execute(*_last_undoable(table)).fetchone()
            return None if found is None else Change(*found)

    @contextmanager
    def change(self, action: str, by: str | None = None) -> Iterator[Transaction]:
        """One change, as one transaction: edit rows through the Transaction and set its summary.

        On leaving the block the edits and their history commit together; an exception rolls back
        both. A change that edits nothing is not recorded. Waits (BUSY_TIMEOUT) for other writers.
        """
        if self.read_only:
            raise WorkspaceError(self.path, self.problem or "is read-only")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        _inspect(self.path)  # never write to a file that became foreign or damaged since opening
        try:
            with closing(_connect(self.path, read_only=False)) as connection:
                _ensure_wal(connection)
                connection.execute("BEGIN IMMEDIATE")
                try:
                    self._migrate(connection)
                    transaction = Transaction(connection)
                    yield transaction
                    # An undo is recorded even when its rows already are as they were, or the
                    # same change would stay "the last one" forever.
                    if transaction.edits or transaction.undoes is not None:
                        _record(connection, transaction, action, by or default_author())
                        connection.execute("COMMIT")
                    else:
                        connection.execute("ROLLBACK")
                except BaseException:
                    if connection.in_transaction:
                        connection.execute("ROLLBACK")
                    raise
        except sqlite3.DatabaseError as error:
            raise WorkspaceError(self.path, f"could not be written ({error})") from error

    def undo_last(self, by: str | None = None, table: str | None = None) -> Change | None:
        """Revert the newest change not yet undone (undos themselves are skipped, so repeated calls
        walk back through history). Recorded as a change of its own. None when nothing is left.

        With `table`, the newest change that edited that table (`signals notes undo` reverts the
        last annotation, not a theme merge made since). A change's rows belong to its tables
        only, so skipping changes of other tables never reverts a row past a later edit of it.
        """
        with self.change("undo", by) as transaction:
            found = transaction._connection.execute(*_last_undoable(table)).fetchone()
            if found is None:
                return None
            undone = Change(*found)
            edits = transaction._connection.execute(
                "SELECT tbl, row_key, before FROM history WHERE change_id = ? ORDER BY seq DESC", (undone.id,))
            for edited_table, key, before in edits.fetchall():
                transaction._set(edited_table, key, _row(before))
            transaction.summary = f"undid: {undone.summary}"
            transaction.undoes = undone.id
        return undone

    def _migrate(self, connection: sqlite3.Connection) -> None:
        """Bring a file up to SCHEMA_VERSION (inside the caller's transaction)."""
        version = connection.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise WorkspaceError(self.path, f"was written by a newer Signals Explorer (schema {version})")
        for script in _MIGRATIONS[version:]:
            for statement in (s.strip() for s in script.split(";")):
                if statement:
                    connection.execute(statement)
        if version < SCHEMA_VERSION:
            if version == 0:
                connection.execute(f"PRAGMA application_id = {APPLICATION_ID}")
                connection.execute("INSERT INTO meta (key, value) VALUES ('created_at', ?)", (now_text(),))
            connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            self.version = SCHEMA_VERSION


_LAST_UNDOABLE = (
    "SELECT c.id, c.at, c.by, c.action, c.summary, c.undoes, NULL FROM changes c "
    "WHERE c.undoes IS NULL AND NOT EXISTS (SELECT 1 FROM changes u WHERE u.undoes = c.id) "
    "{table}ORDER BY c.id DESC LIMIT 1"
)


def _last_undoable(table: str | None) -> tuple[str, tuple[str, ...]]:
    """The query (and its parameters) for the newest undoable change, of any table or of `table`."""
    if table is None:
        return _LAST_UNDOABLE.format(table=""), ()
    return (_LAST_UNDOABLE.format(table="AND EXISTS (SELECT 1 FROM history h WHERE h.change_id = c.id "
                                        "AND h.tbl = ?) "), (table,))


def _row(text: str | None) -> Row | None:
    return None if text is None else json.loads(text)


def _record(connection: sqlite3.Connection, transaction: Transaction, action: str, by: str) -> None:
    cursor = connection.execute(
        "INSERT INTO changes (at, by, action, summary, undoes) VALUES (?, ?, ?, ?, ?)",
        (now_text(), by, action, transaction.summary or action, transaction.undoes))
    change_id = cursor.lastrowid
    connection.executemany(
        "INSERT INTO history (change_id, seq, tbl, row_key, before, after) VALUES (?, ?, ?, ?, ?, ?)",
        [(change_id, seq, table, key, _json(before), _json(after))
         for seq, ((table, key), (before, after)) in enumerate(transaction.edits.items())])


def _json(row: Row | None) -> str | None:
    return None if row is None else json.dumps(row, ensure_ascii=False, sort_keys=True)
