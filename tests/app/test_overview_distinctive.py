"""The Overview's "What sets this view apart" (AppTest): nothing but a sentence without filters; with
a category filter on a planted corpus (tests/planted.py), the planted theme and word with their
counts in view and in the rest."""

from __future__ import annotations

from pathlib import Path

import planted
import pytest
from streamlit.testing.v1 import AppTest

from signals.app import state

ROOT = Path(__file__).resolve().parents[2]
DASHBOARD = str(ROOT / "dashboard.py")


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return planted.write(tmp_path_factory.mktemp("overview-distinctive"), planted.distinctive_docs())


def _app(monkeypatch, folder: Path) -> AppTest:
    monkeypatch.setenv("SIGNALS_DATA", str(folder))
    app = AppTest.from_file(DASHBOARD, default_timeout=90)
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def test_without_filters_the_section_says_there_is_nothing_to_compare(monkeypatch, folder):
    app = _app(monkeypatch, folder)
    assert "What sets this view apart" in [h.value for h in app.subheader]
    assert any("no filter is set" in c.value for c in app.caption)
    assert not [d for d in app.dataframe if "in_view" in d.value.columns]


def test_a_category_view_lists_the_planted_theme_and_word_with_counts(monkeypatch, folder):
    app = _app(monkeypatch, folder)
    app.multiselect(key=state.KEYS["categories"]).set_value(["energy"]).run()
    assert not app.exception, [e.value for e in app.exception]
    assert any("80 documents; 20 documents in view" in c.value for c in app.caption)
    # Themes, then words: no keyword stands out (the documents have none), which the column says.
    themes, words = [d.value for d in app.dataframe if "in_view" in d.value.columns]
    assert themes.iloc[0][["term", "in_view", "in_rest"]].tolist() == [planted.DISTINCT_THEME, 16, 4]
    assert any(c.value == "None stands out." for c in app.caption)
    assert planted.DISTINCT_WORD in set(words["term"])
    assert dict(zip(words["term"], words["in_view"]))[planted.DISTINCT_WORD] == 15


def test_over_the_size_limit_the_comparison_waits_for_the_switch(monkeypatch, folder):
    """A large corpus (the limit lowered below these 100 documents) does not compare on a filter change;
    the switch does, with the same figures."""
    monkeypatch.setattr("signals.analysis.parameters.DISTINCTIVE_ASKED_ABOVE", 50)
    app = _app(monkeypatch, folder)
    app.multiselect(key=state.KEYS["categories"]).set_value(["energy"]).run()
    assert not [d for d in app.dataframe if "in_view" in d.value.columns]
    app.toggle(key="overview_distinctive").set_value(True).run()
    assert not app.exception, [e.value for e in app.exception]
    themes = next(d.value for d in app.dataframe if "in_view" in d.value.columns)
    assert themes.iloc[0][["term", "in_view", "in_rest"]].tolist() == [planted.DISTINCT_THEME, 16, 4]
