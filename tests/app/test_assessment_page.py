"""AppTest of the Assessment page: the empty state and its one-click switch to themes, rated rows
(written into the folder's workspace through the annotations API) shown as points whose rows add up,
the colour switch, listing a zone's rows, renaming a zone (kept in the workspace), and the theme
mode saying how many themes the support minimum left out. Expected numbers come from plain pandas."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from signals import load_corpus
from signals.synth import write_corpus
from signals.workspace import annotations, open_store, settings

ROOT = Path(__file__).resolve().parents[2]
DASHBOARD = str(ROOT / "dashboard.py")
PAGE = "signals/app/pages/assessment.py"
#: (position among the items, impact, likelihood, horizon): two rows share (5, 4, <1y).
RATINGS = [(3, 5, 4, "<1y"), (40, 5, 4, "<1y"), (41, 5, 4, "1-3y"), (90, 2, 5, None), (120, 4, 2, ">10y"),
           (200, 1, 1, "3-10y")]


@pytest.fixture()
def folder(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("assessment-page")  # a new folder: a new, empty workspace
    write_corpus(path, 120, seed=4, planted=True)
    return path


def _rate(folder: Path) -> pd.DataFrame:
    """Rate the RATINGS rows; returns them as (doc_id, impact, likelihood, horizon) by item index."""
    items = load_corpus(folder).items
    store = open_store(folder)
    for position, impact, likelihood, horizon in RATINGS:
        target = annotations.row_targets(items, [items.index[position]])[0]
        annotations.annotate(store, target, {"impact": impact, "likelihood": likelihood, "horizon": horizon}, by="t")
    return pd.DataFrame([(items["doc_id"].iloc[p], i, li, h) for p, i, li, h in RATINGS],
                        columns=["doc_id", "impact", "likelihood", "horizon"])


def _app(monkeypatch, folder: Path) -> AppTest:
    monkeypatch.setenv("SIGNALS_DATA", str(folder))
    app = AppTest.from_file(DASHBOARD, default_timeout=90).run()
    app.switch_page(PAGE).run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def test_empty_state_offers_the_theme_mode(monkeypatch, folder):
    app = _app(monkeypatch, folder)
    assert any("No rated rows yet: rate rows on Tables or Document, or switch to themes." in i.value for i in app.info)
    app.button(key="assessment-to-themes").click().run()
    assert not app.exception, [e.value for e in app.exception]
    assert app.segmented_control(key="assessment_mode").value == "themes"
    ranked = load_corpus(folder)
    caption = next(c.value for c in app.caption if "the Emerging page's minimum" in c.value)
    table = app.dataframe[0].value
    assert f"{len(table):,} themes with at least 2 documents" in caption
    all_themes = ranked.themes["theme_key"].nunique()
    assert f"{all_themes - len(table):,} themes with fewer left out" in caption
    assert set(table["zone"]) <= {"Act now", "Prepare", "Monitor", "Park"}


def test_rated_rows_become_points_and_a_zone_lists_its_rows(monkeypatch, folder):
    rated = _rate(folder)
    app = _app(monkeypatch, folder)
    caption = next(c.value for c in app.caption if "rated rows from" in c.value)
    assert caption.startswith(f"{len(rated)} rated rows from {rated['doc_id'].nunique()} documents, as 5 points")
    table = app.dataframe[0].value
    assert table["rows"].sum() == len(rated)
    shared = table[(table["impact"] == 5) & (table["likelihood"] == 4) & (table["time to impact"] == "<1y")]
    assert shared["rows"].tolist() == [2] and shared["zone"].tolist() == ["Act now"]

    app.segmented_control(key="assessment_colour").set_value("status").run()
    table = app.dataframe[0].value
    assert "status" in table.columns and len(table) == 4, "all new: one point per cell"

    app.segmented_control(key="assessment_zone").set_value("act_now").run()
    listed = app.dataframe[1].value
    in_zone = rated[(rated["impact"] >= 4) & (rated["likelihood"] >= 4)]
    assert len(listed) == len(in_zone) == 3
    assert set(listed["zone"]) == {"Act now"}


def test_zone_names_are_kept_in_the_workspace(monkeypatch, folder):
    _rate(folder)
    app = _app(monkeypatch, folder)
    app.text_input(key="assessment_zone_name_act_now").set_value("Escalate *this* week")
    app.text_input(key="assessment_zone_name_park").set_value("  ")  # emptied: keeps its name
    app.button[[b.label for b in app.button].index("Save names")].click().run()
    assert not app.exception, [e.value for e in app.exception]
    assert settings.read(open_store(folder)) == {"assessment.zone.act_now": "Escalate *this* week"}
    assert "Escalate *this* week" in set(app.dataframe[0].value["zone"])
    assert r"Escalate \*this\* week" in app.segmented_control(key="assessment_zone").options, "shown as typed"
