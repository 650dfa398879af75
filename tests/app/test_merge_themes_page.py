"""AppTest of the Merge themes page: a merge changes the sidebar's theme options and counts (as
computed from the raw frame), follows into the theme filter, is kept in the folder's workspace,
can be undone; a suggestion merges in one click; a damaged workspace turns merging off, visibly."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from signals import schema
from signals.ingest.load import load_corpus
from signals.synth import write_corpus
from signals.workspace import merges, open_store

ROOT = Path(__file__).resolve().parents[2]
DASHBOARD = str(ROOT / "dashboard.py")
PAGE = "signals/app/pages/themes.py"


@pytest.fixture()
def folder(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("merge-page")  # a new folder: a new, empty workspace
    write_corpus(path, 60, seed=3)
    return path


def _app(monkeypatch, folder: Path) -> AppTest:
    monkeypatch.setenv("SIGNALS_DATA", str(folder))
    app = AppTest.from_file(DASHBOARD, default_timeout=60).run()
    return app.switch_page(PAGE).run()


def _theme_options(app: AppTest) -> list[str]:
    return list(app.sidebar.multiselect(key="theme").options)


def _documents_with(folder: Path, spellings: list[str]) -> int:
    raw = load_corpus(folder).themes
    keys = {schema.theme_key(s) for s in spellings}
    return len({d for d, k in zip(raw["doc_id"], raw["theme_key"].astype(str)) if k in keys})


def _no_exceptions(app: AppTest) -> None:
    assert not app.exception, [e.value for e in app.exception]


def test_merging_two_themes_changes_the_theme_filter(monkeypatch, folder):
    app = _app(monkeypatch, folder)
    _no_exceptions(app)
    ai, spelled_out = _documents_with(folder, ["AI"]), _documents_with(folder, ["artificial intelligence"])
    options = _theme_options(app)
    assert f"AI ({ai})" in options and f"artificial intelligence ({spelled_out})" in options

    app.sidebar.multiselect(key="theme").set_value(["AI"]).run()
    app.multiselect(key="merge_pick").set_value(["AI", "artificial intelligence"]).run()
    app.button(key="merge_button").click().run()
    _no_exceptions(app)
    assert [s.value for s in app.success] == ["Merged “AI” into “artificial intelligence”"]

    merged = _documents_with(folder, ["AI", "artificial intelligence"])
    options = _theme_options(app)
    assert f"artificial intelligence ({merged})" in options
    assert not any(o.startswith("AI (") for o in options)
    # The filter that named "AI" now names the theme it was merged into.
    assert app.sidebar.multiselect(key="theme").value == ["artificial intelligence"]
    # Kept in the folder's workspace, with who did it.
    stored = merges.theme_merges(open_store(folder))
    assert [(m.alias, m.theme) for m in stored] == [("AI", "artificial intelligence")]

    app.button(key="undo_last").click().run()
    _no_exceptions(app)
    assert f"AI ({ai})" in _theme_options(app)
    assert merges.mapping(open_store(folder)) == {}


def test_a_suggestion_merges_in_one_click_and_a_merge_splits(monkeypatch, folder):
    app = _app(monkeypatch, folder)
    first = next(m.value for m in app.markdown if "→" in m.value)
    assert first.startswith("“AI”") and "→ “artificial intelligence”" in first
    assert ":gray[one is the initials of the other]" in first  # why it is offered
    app.button(key="suggestion-0").click().run()
    _no_exceptions(app)
    assert merges.mapping(open_store(folder)) == {"ai": "artificial intelligence"}
    assert not any(o.startswith("AI (") for o in _theme_options(app))

    app.button(key="split-artificial intelligence").click().run()
    assert merges.mapping(open_store(folder)) == {}
    assert [c.action for c in open_store(folder).changes()] == ["split", "merge"]


def test_a_new_name_and_the_author_are_recorded(monkeypatch, folder):
    app = _app(monkeypatch, folder)
    app.text_input(key="analyst_name").set_value("Ana").run()
    app.multiselect(key="merge_pick").set_value(["AI", "machine learning"]).run()
    app.text_input(key="merge_name").set_value("AI *and* [ML](javascript:x)").run()
    app.button(key="merge_button").click().run()
    _no_exceptions(app)
    expected = _documents_with(folder, ["AI", "machine learning"])
    assert f"AI *and* [ML](javascript:x) ({expected})" in _theme_options(app)
    change = open_store(folder).changes()[0]
    assert change.by == "Ana"
    assert change.summary == "merged “AI”, “machine learning” into “AI *and* [ML](javascript:x)”"
    # The name is the analyst's text, shown as typed: every markup character escaped.
    assert [s.value for s in app.success] == [
        r"Merged “AI”, “machine learning” into “AI \*and\* \[ML\]\(javascript\:x\)”"]


def test_a_damaged_workspace_disables_merging_with_a_warning(monkeypatch, folder):
    path = open_store(folder).path
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"garbage, not a workspace")
    app = _app(monkeypatch, folder)
    _no_exceptions(app)
    assert [w.value for w in app.sidebar.warning] == [
        "Theme merges are off: the workspace file cannot be used (see Merge themes)."]
    # The page says which file and what is wrong.
    file_hash = path.stem.rsplit("-", 1)[1]
    assert any("is not a SQLite database" in w.value and file_hash in w.value for w in app.main.warning)
    assert app.button(key="merge_button").disabled
    assert all(b.disabled for b in app.button if b.key and b.key.startswith("suggestion-"))
    assert path.read_bytes() == b"garbage, not a workspace"


def test_a_link_saved_before_a_merge_opens_on_the_merged_theme(monkeypatch, folder):
    merges.merge_themes(open_store(folder), ["AI", "artificial intelligence"], "artificial intelligence", by="test")
    monkeypatch.setenv("SIGNALS_DATA", str(folder))
    app = AppTest.from_file(DASHBOARD, default_timeout=60)
    app.query_params["theme"] = "AI"
    app.run()
    _no_exceptions(app)
    assert app.sidebar.multiselect(key="theme").value == ["artificial intelligence"]
    merged = _documents_with(folder, ["AI", "artificial intelligence"])
    assert {m.label: m.value for m in app.metric}["Documents"] == f"{merged:,}"
