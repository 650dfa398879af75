"""The Compare page (AppTest): on a planted two-period corpus, the default periods are the last two
half-years, the labels counted in the metrics and listed in the table are the planted ones, the
1-document theme is not labelled until asked for, and two folders list what changed between runs."""

from __future__ import annotations

from pathlib import Path

import planted
import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
DASHBOARD = str(ROOT / "dashboard.py")
PAGE = "signals/app/pages/compare.py"


@pytest.fixture(scope="module")
def periods_dir(tmp_path_factory) -> Path:
    return planted.write(tmp_path_factory.mktemp("compare-page"), planted.period_docs())


def _app(monkeypatch, folder: Path, **env: str) -> AppTest:
    monkeypatch.setenv("SIGNALS_DATA", str(folder))
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    app = AppTest.from_file(DASHBOARD, default_timeout=90)
    app.run()
    app.switch_page(PAGE).run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def test_default_periods_and_planted_labels(monkeypatch, periods_dir):
    app = _app(monkeypatch, periods_dir)
    text = " ".join(m.value for m in app.markdown)
    assert "2024-01-01 to 2024-06-30, 60 documents" in text and "2024-07-01 to 2024-12-31, 120 documents" in text
    metrics = {m.label: m.value for m in app.metric}
    assert {k: metrics[k] for k in ("New", "Rising", "Gone", "Few")} == {"New": "1", "Rising": "1", "Gone": "1",
                                                                          "Few": "1"}
    table = app.dataframe[0].value
    labels = dict(zip(table["theme"], table["label"]))
    assert labels == {"new theme": "new", "rising theme": "rising", "gone theme": "gone", "steady theme": "steady",
                      "filler": "steady"}
    app.toggle(key="compare_show_few").set_value(True).run()
    table = app.dataframe[0].value
    assert dict(zip(table["theme"], table["label"]))["one-off theme"] == "few"


def test_two_runs_list_the_documents_that_changed(monkeypatch, tmp_path):
    old = planted.write(tmp_path / "old", [planted.Doc("kept", planted.BEFORE_START, ["alpha"]),
                                           planted.Doc("removed", planted.BEFORE_START, ["alpha"])])
    new = planted.write(tmp_path / "new", [planted.Doc("kept", planted.BEFORE_START, ["alpha"]),
                                           planted.Doc("added", planted.AFTER_START, ["alpha"])])
    app = _app(monkeypatch, new, SIGNALS_ALLOWED_ROOTS=str(tmp_path))
    app.segmented_control(key="compare_mode").set_value("runs").run()
    app.text_input(key="compare_old_folder").input(str(old)).run()
    assert not app.exception, [e.value for e in app.exception]
    assert any("1 added, 1 removed, 0 changed" in c.value for c in app.caption)


def test_the_page_settings_survive_a_trip_to_another_page(monkeypatch, periods_dir):
    app = _app(monkeypatch, periods_dir)
    app.select_slider(key="compare_before").set_value(("2024-02", "2024-06")).run()
    app.segmented_control(key="compare_by").set_value("category").run()
    app.switch_page("signals/app/pages/overview.py").run()
    app.switch_page(PAGE).run()
    assert not app.exception, [e.value for e in app.exception]
    assert app.select_slider(key="compare_before").value == ("2024-02", "2024-06")
    assert app.segmented_control(key="compare_by").value == "category"
    assert not app.warning, [w.value for w in app.warning]
    assert "2024-02-01 to 2024-06-30" in " ".join(m.value for m in app.markdown)
