"""The Emerging page's support minimum (AppTest): only themes with enough documents in the two windows
are ranked, the slider changes that minimum, the caption says how many were left out, and each score
has its support (documents in the window, before) beside it. On the real corpus: no one-off themes."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from signals import load_corpus
from signals.synth import write_corpus

ROOT = Path(__file__).resolve().parents[2]
DASHBOARD = str(ROOT / "dashboard.py")
TIMELINE = "signals/app/pages/emerging.py"


@pytest.fixture(scope="module")
def planted_dir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("planted-emerging-page")
    write_corpus(folder, 300, seed=3, planted=True)
    return folder


def _app(monkeypatch, folder: Path) -> AppTest:
    monkeypatch.setenv("SIGNALS_DATA", str(folder))
    app = AppTest.from_file(DASHBOARD, default_timeout=90)
    app.run()
    app.switch_page(TIMELINE).run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def _support_by_hand(folder: Path) -> pd.Series:
    """theme_key -> documents in the default windows (the 12 months up to the newest date not in the
    future), from the loaded frames."""
    corpus = load_corpus(folder)
    dates = pd.to_datetime(corpus.documents.astype({"doc_id": "str"}).set_index("doc_id")["date"])
    as_of = dates[dates <= pd.Timestamp(dt.date.today())].max()
    start = (pd.Period(as_of, "M") - 11).start_time
    in_windows = set(dates[(dates >= start) & (dates <= as_of)].index)
    themes = corpus.themes.astype({"doc_id": "str", "theme_key": "str"}).drop_duplicates(["doc_id", "theme_key"])
    return themes[themes["doc_id"].isin(in_windows)].groupby("theme_key")["doc_id"].nunique()


def _ranking(app: AppTest) -> pd.DataFrame:
    return app.dataframe[0].value


def _caption_with(app: AppTest, words: str) -> str:
    return next(c.value for c in app.caption if words in c.value)


def test_support_slider_and_columns(monkeypatch, planted_dir):
    app = _app(monkeypatch, planted_dir)
    support = _support_by_hand(planted_dir)
    all_themes = load_corpus(planted_dir).themes["theme_key"].nunique()
    assert app.slider(key="timeline_min_docs").value == 2
    table = _ranking(app)
    # The support sits beside the score.
    assert list(table.columns[:4]) == ["theme", "score", "recent", "before"]
    assert (table["recent"] + table["before"]).min() >= 2
    ranked = int((support >= 2).sum())
    assert len(table) == min(ranked, 200)
    assert f"{ranked:,} themes with at least 2 documents" in _caption_with(app, "in the two windows, by score")
    assert f"{all_themes - ranked:,} with fewer not ranked" in _caption_with(app, "in the two windows, by score")
    # Ranked by score, ties by documents in the window then in all.
    keys = list(zip(-table["score"], -table["recent"], -table["documents"]))
    assert keys == sorted(keys)

    app.slider(key="timeline_min_docs").set_value(5).run()
    table = _ranking(app)
    assert len(table) == int((support >= 5).sum()) > 0
    assert (table["recent"] + table["before"]).min() >= 5
    metrics = {m.label: int(m.value.replace(",", "")) for m in app.metric}
    assert sum(metrics.values()) == len(table)


def test_real_corpus_ranks_no_one_off_themes(monkeypatch, futures_dir):
    app = _app(monkeypatch, futures_dir)
    table = _ranking(app)
    assert len(table) >= 5
    assert (table["recent"] + table["before"]).min() >= 2
    assert (table["recent"].head(5) >= 2).all()
    # 636 themes, most seen once: the caption says how many are left out.
    assert "with fewer not ranked" in _caption_with(app, "in the two windows, by score")
