"""signals.workspace.exchange: notes files round-trip exactly, open safely in a spreadsheet, and
merge with the newest change winning and every conflict reported."""

from __future__ import annotations

import csv
import io
import json
import sqlite3

import pytest

from signals.workspace import annotations, exchange
from signals.workspace.store import Store

HOSTILE_NOTES = [
    "=HYPERLINK(\"http://evil\", \"click\")",
    "- a bullet\n- another",
    "'already quoted",
    "'=both",
    "+33 6 12 34 56 78",
    "@import",
    "\ttabbed",
    "<script>alert(1)</script> **not markup**",
    "Énergie, 日本語, 🙂 \"quoted\", comma; semicolon",
]


@pytest.fixture()
def filled(tmp_path) -> Store:
    store = Store.open(tmp_path / "mine.sqlite")
    for n, note in enumerate(HOSTILE_NOTES):
        target = annotations.row_target("docs/a", "signals", f"Signal {n}", row=n + 1)
        annotations.annotate(store, target, {"note": note, "impact": n % 5 + 1, "add_tags": [f"t{n}", "=tag"],
                                             "starred": n % 2 == 0, "horizon": annotations.HORIZONS[n % 4]},
                             by="=ana")
    annotations.annotate(store, annotations.row_target("docs/a", "technologies", None, "Nameless tech", 2),
                         {"status": "escalate"}, by="ana")
    annotations.annotate(store, annotations.document_target("docs/a"), {"status": "watch", "likelihood": 3},
                         by="ana")
    return store


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_a_notes_file_round_trips_exactly(filled, tmp_path, fmt):
    data = exchange.export_notes(filled, fmt, {"docs/a": "=A title"})
    incoming = exchange.read_notes(data, fmt)
    assert {entry.key: entry for entry in incoming} == annotations.stored(filled)
    other = Store.open(tmp_path / "theirs.sqlite")
    report = exchange.merge(other, incoming, by="ben", source=f"notes.{fmt}")
    assert (report.added, report.updated, report.unchanged, report.conflicts) == (len(HOSTILE_NOTES) + 2, 0, 0, [])
    assert annotations.stored(other) == annotations.stored(filled)
    assert [c.by for c in other.changes()] == ["ben"]


def test_the_csv_opens_safely_in_a_spreadsheet(filled):
    rows = list(csv.DictReader(io.StringIO(exchange.to_csv(filled, {"docs/a": "=A title"}).decode("utf-8"))))
    risky = ("=", "+", "-", "@", "\t", "\r")
    for row in rows:
        for column, cell in row.items():
            assert not cell.startswith(risky), (column, cell)
    notes_written = [row["note"] for row in rows if row["section"] == "signals"]
    assert notes_written[0] == "'=HYPERLINK(\"http://evil\", \"click\")"
    assert notes_written[2] == "''already quoted", "a leading quote is doubled, so reading it back is exact"
    assert rows[0]["document_title"] == "'=A title" and rows[0]["target"] == "document"
    assert list(rows[0]) == list(exchange.COLUMNS)


def test_the_json_says_what_it_is(filled):
    document = json.loads(exchange.to_json(filled))
    assert (document["format"], document["version"]) == ("signals-explorer-notes", 1)
    first_row = document["annotations"][1]
    assert first_row["tags"] == ["t0", "'=tag"] and first_row["impact"] == 1 and first_row["starred"] is True


def _edited_copy(store: Store, tmp_path, name: str) -> Store:
    copy = Store.open(tmp_path / f"{name}.sqlite")
    exchange.merge(copy, exchange.read_notes(exchange.to_json(store), "json"), by=name)
    return copy


def _stamp(store: Store, key: str, at: str) -> None:
    """Set when an annotation was last changed (tests cannot wait for the clock)."""
    with sqlite3.connect(store.path) as connection:
        connection.execute("UPDATE annotations SET updated_at = ? WHERE target_key = ?", (at, key))


def test_merging_the_newest_change_wins_and_conflicts_are_reported(tmp_path):
    mine = Store.open(tmp_path / "mine.sqlite")
    a, b, c, d = (annotations.row_target("doc", "signals", name) for name in ("A", "B", "C", "D"))
    for target in (a, b, c, d):
        annotations.annotate(mine, target, {"status": "watch"}, by="ana")
    theirs = _edited_copy(mine, tmp_path, "ben")
    annotations.annotate(theirs, a, {"status": "escalate"}, by="ben")  # newer there
    annotations.annotate(mine, b, {"impact": 2}, by="ana")  # newer here
    annotations.annotate(theirs, b, {"impact": 5}, by="ben")
    annotations.annotate(theirs, annotations.row_target("doc", "signals", "E"), {"starred": True}, by="ben")
    annotations.clear(mine, d, by="ana")  # cleared here after the file's change
    _stamp(theirs, a.key, "2030-01-02T00:00:00+00:00")
    _stamp(mine, a.key, "2030-01-01T00:00:00+00:00")
    _stamp(theirs, b.key, "2030-01-01T00:00:00+00:00")
    _stamp(mine, b.key, "2030-01-03T00:00:00+00:00")
    _stamp(theirs, d.key, "2020-01-01T00:00:00+00:00")

    incoming = exchange.read_notes(exchange.to_csv(theirs), "csv")
    preview = exchange.merge(mine, incoming, by="ana", dry_run=True)
    assert not preview.written and annotations.get(mine, a).annotation.status == "watch"
    report = exchange.merge(mine, incoming, by="ana", source="ben.csv")
    assert (report.added, report.updated, report.unchanged, report.kept_local) == (1, 1, 1, 2)
    assert report.summary == "1 added, 1 updated, 1 unchanged, 2 kept (newer here); 3 conflicts"
    assert annotations.get(mine, a).annotation == annotations.Annotation(status="escalate")
    assert annotations.get(mine, a).updated_by == "ben"
    assert annotations.get(mine, b).annotation == annotations.Annotation(status="watch", impact=2)
    assert annotations.get(mine, d) is None
    assert annotations.get(mine, annotations.row_target("doc", "signals", "E")).annotation.starred
    table = report.conflicts_frame()
    assert table[["target", "kept", "reason"]].values.tolist() == [
        ["signals “A” of document doc", "incoming", "the file's change is newer"],
        ["signals “B” of document doc", "local", "changed here later"],
        ["signals “D” of document doc", "local", "cleared here after the file's change"],
    ]
    assert table.loc[1, "here"] == "watch, impact 2" and table.loc[1, "file"] == "watch, impact 5"
    assert mine.changes()[0].summary == f"imported ben.csv: {report.summary}"
    annotations.undo_last(mine)
    assert annotations.get(mine, a).annotation.status == "watch", "one undo reverts the whole import"


def test_a_tie_keeps_this_workspaces_values(tmp_path):
    mine = Store.open(tmp_path / "mine.sqlite")
    target = annotations.document_target("doc")
    annotations.annotate(mine, target, {"status": "watch"}, by="ana")
    at = annotations.get(mine, target).updated_at
    incoming = [annotations.StoredAnnotation(target, annotations.Annotation(status="dismissed"), "ben", at)]
    report = exchange.merge(mine, incoming)
    assert report.conflicts[0].reason == "changed here at the same time"
    assert annotations.get(mine, target).annotation.status == "watch"


def test_a_bad_file_is_refused_whole_with_every_problem_named(tmp_path):
    header = ",".join(c for c in exchange.COLUMNS if c != "document_title")
    records = [
        "row,doc,signals,2,name,Fine row,1,true,watch,3,,,,,ana,2025-01-01T00:00:00Z",
        "row,doc,signals,3,name,Bad impact,1,false,new,9,,,,,ana,2025-01-01T00:00:00Z",
        "row,doc,signals,4,name,No time,1,false,urgent,,,,,,ana,",
        "row,doc,,5,name,No section,1,false,new,,,,,,ana,2025-01-01T00:00:00Z",
    ]
    text = "\r\n".join([header, *records])
    with pytest.raises(annotations.AnnotationError) as raised:
        exchange.read_notes(text.encode(), "csv")
    message = str(raised.value)
    assert message.startswith("3 of 4 records cannot be imported; nothing was imported")
    assert "line 3: impact must be a whole number 1-5, not '9'" in message
    assert "line 4: status must be one of" in message
    assert "line 5: a row needs its section" in message
    with pytest.raises(annotations.AnnotationError, match="not a notes CSV: no updated_at column"):
        exchange.read_notes(b"doc_id,note\r\nx,y\r\n", "csv")
    with pytest.raises(annotations.AnnotationError, match='"format": "signals-explorer-notes"'):
        exchange.read_notes(b'{"annotations": []}', "json")
