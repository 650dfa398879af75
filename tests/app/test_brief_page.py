"""AppTest: the Brief page on a corpus worked out by hand (tests/brief/brief_corpus.py): the preview
lists what the content model chose, the analyst's starred rows are the default once there are some,
the filters narrow it, and a view with nothing in it gets the empty state."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from signals.workspace import annotations, open_store
from tests.brief.brief_corpus import write_brief_corpus

ROOT = Path(__file__).resolve().parents[2]
PAGE = "signals/app/pages/brief.py"


def _brief_page(monkeypatch: pytest.MonkeyPatch, folder: Path, params: dict | None = None) -> AppTest:
    monkeypatch.setenv("SIGNALS_DATA", str(folder))
    app = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=90)
    for key, value in (params or {}).items():
        app.query_params[key] = value
    app.run()
    app.switch_page(PAGE).run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def _preview(app: AppTest) -> str:
    return "\n".join(block.value for block in app.markdown)


def test_the_preview_lists_the_top_signals_and_their_sources(monkeypatch, tmp_path):
    app = _brief_page(monkeypatch, write_brief_corpus(tmp_path / "docs"))
    assert app.selectbox(key="brief_select").options == ["Top: highest relevancy × documents",
                                                         "Every row of the view, most relevant first"]
    preview = _preview(app)
    assert "Home batteries" in preview and "Telecare" in preview
    assert "<https://a.test/grid>" in preview
    assert any("6 signals of 6" in caption.value for caption in app.caption)
    assert app.button(key="brief_make")  # the files are made on demand


def test_starred_rows_are_the_default_once_the_analyst_starred_some(monkeypatch, tmp_path):
    folder = write_brief_corpus(tmp_path / "docs")
    store = open_store(folder)
    annotations.annotate(store, annotations.row_target("grid", "signals", "Heat pumps"),
                         {"starred": True, "note": "Call the installer"})
    app = _brief_page(monkeypatch, folder)
    assert app.selectbox(key="brief_select").value == "starred"
    preview = _preview(app)
    assert "Heat pumps" in preview and "Call the installer" in preview and "Telecare" not in preview


def test_filters_narrow_the_brief_and_an_empty_view_says_so(monkeypatch, tmp_path):
    folder = write_brief_corpus(tmp_path / "docs")
    app = _brief_page(monkeypatch, folder, {"rmin": "5"})
    preview = _preview(app)
    assert "Telecare" in preview and "Solar roofs" not in preview and "relevancy ≥ 5" in preview
    empty = _brief_page(monkeypatch, folder, {"q": "zzzz-no-such-text"})
    assert any("Nothing matches" in info.value for info in empty.info)
