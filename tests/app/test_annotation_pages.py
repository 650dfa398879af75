"""AppTest of the analyst's workspace in the app: the Assessment facets read the URL and filter the
Tables page, whose rows show their annotation; a saved view is kept and reopened from the sidebar;
a damaged workspace file turns annotating off, says so, and is left as it was."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from signals.ingest.load import load_corpus
from signals.workspace import annotations, open_store, views
from signals.workspace.store import workspace_path
from tests.workspace.notes_corpus import write_document

ROOT = Path(__file__).resolve().parents[2]
DASHBOARD = str(ROOT / "dashboard.py")
TABLES = "signals/app/pages/tables.py"


@pytest.fixture()
def folder(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("annotated-app")  # a new folder: a new, empty workspace
    write_document(path, "2025/a", "A", [("Heat pumps in flats", "Retrofits.", 4), ("Grid-scale batteries", "Bids.", 5)])
    write_document(path, "2025/b", "B", [("Wind leases", "Auctions.", 3)])
    return path


def _annotate(folder: Path, name: str, edits: dict) -> None:
    items = load_corpus(folder, use_cache=False).items
    annotations.annotate(open_store(folder), annotations.row_targets(items, items.index[items["name"] == name]),
                         edits, by="ana")


def _app(monkeypatch, folder: Path, **query: str) -> AppTest:
    monkeypatch.setenv("SIGNALS_DATA", str(folder))
    app = AppTest.from_file(DASHBOARD, default_timeout=60)
    for key, value in query.items():
        app.query_params[key] = value
    app.run()
    return app


def _no_exceptions(app: AppTest) -> None:
    assert not app.exception, [e.value for e in app.exception]


@pytest.mark.parametrize("keyed_up_front", [True, False], ids=["keyed", "large-corpus-unkeyed"])
def test_a_status_in_the_url_filters_the_tables_and_rows_show_their_annotation(monkeypatch, folder, keyed_up_front):
    """Also as a corpus above annotation_state.KEYED_UP_TO_ROWS is run: without the row_key column,
    the joins key the annotated documents' rows themselves."""
    if not keyed_up_front:
        from signals.app import annotation_state

        monkeypatch.setattr(annotation_state, "KEYED_UP_TO_ROWS", 0)
    _annotate(folder, "Grid-scale batteries", {"status": "watch", "impact": 4, "note": "**ask** <b>them</b>"})
    app = _app(monkeypatch, folder, status="watch", table="signals")
    app.switch_page(TABLES).run()
    _no_exceptions(app)
    assert app.sidebar.multiselect(key="status").value == ["watch"]
    assert app.sidebar.multiselect(key="status").format_func("watch") == "watch (1)"
    shown = app.dataframe[0].value
    assert shown["name"].tolist() == ["Grid-scale batteries"]
    assert shown["status"].tolist() == ["watch"] and shown["impact"].tolist() == [4]
    assert shown["note"].tolist() == ["**ask** <b>them</b>"]  # the analyst's text, as typed
    assert list(shown.columns[:2]) == ["★", "name"]


def test_a_saved_view_is_kept_and_reopened_from_the_sidebar(monkeypatch, folder):
    _annotate(folder, "Wind leases", {"status": "escalate"})
    app = _app(monkeypatch, folder, status="escalate")
    _no_exceptions(app)
    app.sidebar.text_input(key="saved_view_name").input("Escalated").run()
    app.sidebar.button(key="save_view").click().run()
    _no_exceptions(app)
    [kept] = views.saved(open_store(folder))
    assert (kept.name, kept.query, sorted(kept.doc_ids)) == ("Escalated", "status=escalate", ["2025/b"])
    assert any("1 document now, none new since saved" in c.value for c in app.sidebar.caption)

    app.sidebar.button(key="reset").click().run()
    assert app.sidebar.multiselect(key="status").value == []
    app.sidebar.button(key="open_view_0").click().run()
    _no_exceptions(app)
    assert app.sidebar.multiselect(key="status").value == ["escalate"]


def test_a_damaged_workspace_turns_annotating_off_and_is_left_alone(monkeypatch, folder):
    path = workspace_path(folder)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"not a workspace, someone else's file")
    app = _app(monkeypatch, folder, table="signals")
    app.switch_page(TABLES).run()
    app.session_state["table-signals"] = {"selection": {"rows": [0], "columns": []}}
    app.run()
    _no_exceptions(app)
    warnings = " ".join(w.value for w in app.warning).replace("\\", "")  # shown as plain text: escaped
    assert "annotations are off" in warnings and str(path) in warnings
    assert app.button(key="edit-signals-undo").disabled
    assert path.read_bytes() == b"not a workspace, someone else's file"


def test_shown_rows_are_found_in_the_whole_items_by_document_section_and_row(folder):
    from signals.app.annotation_state import locate_rows

    corpus = load_corpus(folder, use_cache=False)
    signals = corpus.tables["signals"].iloc[[2, 0]]  # a section's table: no section column
    found = locate_rows(corpus.items, signals, "signals")
    assert corpus.items.loc[found, "name"].tolist() == signals["name"].tolist()
    stranger = signals.assign(row=99)
    assert locate_rows(corpus.items, stranger, "signals").tolist() == [-1, -1]
