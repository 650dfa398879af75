"""Settings kept in the workspace (signals.workspace.settings): the Assessment page's zone names.
One change per write (history, undo), defaults not stored, values checked, and a file written
before the settings table existed (schema 2) read as holding none and brought up to date on write."""

from __future__ import annotations

import sqlite3
from contextlib import closing

import pytest

from signals.workspace import annotations, settings
from signals.workspace.store import SCHEMA_VERSION, TABLES, Store

DEFAULTS = {"assessment.zone.park": "Park", "assessment.zone.act_now": "Act now"}


def test_write_read_and_undo(tmp_path):
    store = Store.open(tmp_path / "w.sqlite")
    assert settings.read(store) == {}
    assert settings.write(store, {"assessment.zone.park": "  Ignore   for now ", "assessment.zone.act_now": "Act now"},
                          DEFAULTS, by="ana") == 1
    assert settings.read(store, "assessment.zone.") == {"assessment.zone.park": "Ignore for now"}
    changes = store.changes()
    assert len(changes) == 1 and changes[0].by == "ana"
    assert settings.write(store, {"assessment.zone.park": "Ignore for now"}, DEFAULTS) == 0
    assert len(store.changes()) == 1, "nothing changed: nothing recorded"
    settings.write(store, {"assessment.zone.park": "Park"}, DEFAULTS)
    assert settings.read(store) == {}, "set back to the default: not kept"
    store.undo_last()
    assert settings.read(store) == {"assessment.zone.park": "Ignore for now"}


@pytest.mark.parametrize("bad", ["", "   ", "x" * 81])
def test_bad_values_are_refused_before_writing(tmp_path, bad):
    store = Store.open(tmp_path / "w.sqlite")
    with pytest.raises(settings.SettingError):
        settings.write(store, {"assessment.zone.act_now": "Now", "assessment.zone.park": bad}, DEFAULTS)
    assert settings.read(store) == {} and store.changes() == []


def test_a_schema_2_file_reads_no_settings_and_migrates_on_write(tmp_path):
    path = tmp_path / "old.sqlite"
    store = Store.open(path)
    annotations.annotate(store, annotations.document_target("d1"), {"impact": 4}, by="ana")
    with closing(sqlite3.connect(path)) as connection:  # as a schema-2 version left it
        for spec in TABLES.values():  # every table a later migration made, whatever its number
            if spec.since > 2:
                connection.execute(f"DROP TABLE {spec.name}")
        connection.execute("PRAGMA user_version = 2")
        connection.commit()
    old = Store.open(path)
    assert old.version == 2 and settings.read(old) == {}
    settings.write(old, {"assessment.zone.park": "Later"}, DEFAULTS)
    assert Store.open(path).version == SCHEMA_VERSION
    assert settings.read(old) == {"assessment.zone.park": "Later"}
    assert annotations.read(old)["impact"].tolist() == [4], "the annotations are kept"
