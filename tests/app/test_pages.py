"""AppTest: every page renders on the seed and a realistic corpus (the shared real one where present,
else a synthetic one); filters change the numbers shown exactly as computing them from the DataFrames
does; the empty state; query parameters restore filters."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from signals import load_corpus
from signals.filters import Filters, apply

ROOT = Path(__file__).resolve().parents[2]
DASHBOARD = str(ROOT / "dashboard.py")
PAGES = [
    "signals/app/pages/overview.py",
    "signals/app/pages/heatmaps.py",
    "signals/app/pages/cooccurrence.py",
    "signals/app/pages/tables.py",
    "signals/app/pages/document.py",
    "signals/app/pages/data_health.py",
]


def _app(monkeypatch: pytest.MonkeyPatch, folder: Path, params: dict | None = None) -> AppTest:
    monkeypatch.setenv("SIGNALS_DATA", str(folder))
    app = AppTest.from_file(DASHBOARD, default_timeout=60)
    for key, value in (params or {}).items():
        app.query_params[key] = value
    return app.run()


def _metric(app: AppTest, label: str) -> str:
    for metric in app.metric:
        if metric.label == label:
            return metric.value
    raise AssertionError(f"no metric {label!r}: {[m.label for m in app.metric]}")


def _no_exceptions(app: AppTest) -> None:
    assert not app.exception, [e.value for e in app.exception]


@pytest.mark.parametrize("folder", ["seeds", "realistic"])
def test_every_page_renders(monkeypatch, folder, realistic_dir):
    corpus_dir = ROOT / "seeds" if folder == "seeds" else realistic_dir
    app = _app(monkeypatch, corpus_dir)
    _no_exceptions(app)
    for page in PAGES:
        app.switch_page(page).run()
        _no_exceptions(app)


def test_overview_counts_match_the_frames(monkeypatch, realistic_dir):
    corpus = load_corpus(realistic_dir)
    app = _app(monkeypatch, realistic_dir)
    assert _metric(app, "Documents") == f"{len(corpus.documents):,}"
    assert _metric(app, "Table rows") == f"{len(corpus.items):,}"
    assert _metric(app, "Themes") == f"{corpus.themes['theme_key'].nunique():,}"


@pytest.mark.parametrize(
    ("params", "filters"),
    [
        ({"category": ["technology"]}, Filters(categories=("technology",))),
        ({"type": ["news"]}, Filters(types=("news",))),
        ({"theme": ["AI"]}, Filters(themes=("AI",))),
        ({"theme": ["AI", "privacy"], "theme_mode": "all"}, Filters(themes=("AI", "privacy"), theme_mode="all")),
        ({"keyword": ["ChatGPT"]}, Filters(keywords=("ChatGPT",))),
        ({"section": ["issues"]}, Filters(sections=("issues",))),
        ({"rmin": "5"}, Filters(min_relevancy=5)),
        ({"rmin": "2", "rmax": "3"}, Filters(min_relevancy=2, max_relevancy=3)),
        ({"q": "climate"}, Filters(text="climate")),
        ({"since": "2024-01-01", "until": "2024-12-31"}, Filters(since=dt.date(2024, 1, 1), until=dt.date(2024, 12, 31))),
        ({"category": "TECHNOLOGY", "theme": "ai"}, Filters(categories=("technology",), themes=("AI",))),
    ],
)
def test_each_filter_changes_numbers_as_the_frames_do(monkeypatch, realistic_dir, params, filters):
    """A URL with the filter opens the view, and its headline counts equal filters.apply's frames."""
    expected = apply(load_corpus(realistic_dir), filters)
    app = _app(monkeypatch, realistic_dir, params)
    _no_exceptions(app)
    if expected.documents.empty:
        assert any("Nothing matches" in i.value for i in app.info)
        return
    assert _metric(app, "Documents") == f"{len(expected.documents):,}"
    assert _metric(app, "Table rows") == f"{len(expected.items):,}"


def test_query_parameters_restore_the_widgets(monkeypatch, realistic_dir):
    app = _app(monkeypatch, realistic_dir, {"category": ["science"], "q": "robot", "theme_mode": "all"})
    assert app.multiselect(key="category").value == ["science"]
    assert app.text_input(key="q").value == "robot"
    assert app.segmented_control(key="theme_mode").value == "all"


def test_widget_change_filters_and_reset_returns_to_everything(monkeypatch, realistic_dir):
    corpus = load_corpus(realistic_dir)
    app = _app(monkeypatch, realistic_dir)
    app.multiselect(key="category").select("science").run()
    expected = apply(corpus, Filters(categories=("science",)))
    assert _metric(app, "Documents") == f"{len(expected.documents):,}"
    app.button(key="reset").click().run()
    assert _metric(app, "Documents") == f"{len(corpus.documents):,}"
    assert app.multiselect(key="category").value == []


def test_no_match_is_a_friendly_empty_state_on_every_page(monkeypatch, realistic_dir):
    app = _app(monkeypatch, realistic_dir, {"q": "zzzz-no-such-text-zzzz"})
    _no_exceptions(app)
    assert any("Nothing matches" in i.value for i in app.info)
    for page in PAGES:
        app.switch_page(page).run()
        _no_exceptions(app)


def test_document_page_shows_the_seed(monkeypatch):
    app = _app(monkeypatch, ROOT / "seeds", {"doc": "000_19f67a480975dbd3"})
    app.switch_page("signals/app/pages/document.py").run()
    _no_exceptions(app)
    assert any("South Korea Considers Arms Supply" in s.value for s in app.subheader)
    assert _metric(app, "Date") == "2024-11-10"
    assert _metric(app, "Category") == "politics"


def test_data_health_lists_problems_with_file_and_line(monkeypatch, realistic_dir):
    corpus = load_corpus(realistic_dir)
    app = _app(monkeypatch, realistic_dir)
    app.switch_page("signals/app/pages/data_health.py").run()
    _no_exceptions(app)
    table = app.dataframe[0].value
    assert len(table) == len(corpus.problems)
    assert {"path", "line", "severity", "message"} <= set(table.columns)


def test_a_later_page_of_a_table_shows_those_rows(monkeypatch, realistic_dir):
    """Tables takes a page's rows only (issue 15): page 3 of the signals table, at 100 rows a page,
    shows rows 200-299 of the section in order; the download still counts every row."""
    from signals.app import components

    monkeypatch.setattr(components, "PAGE_ROWS", 100)
    signals = load_corpus(realistic_dir).tables["signals"]
    app = _app(monkeypatch, realistic_dir, {"table": "signals"})
    app.switch_page("signals/app/pages/tables.py").run()
    _no_exceptions(app)
    picker = next(n for n in app.number_input if n.label.startswith("Page (of"))
    assert picker.label.startswith(f"Page (of {(len(signals) - 1) // 100 + 1};")
    picker.set_value(3).run()
    _no_exceptions(app)
    shown = app.dataframe[0].value
    assert shown["description"].tolist() == signals["description"].iloc[200:300].tolist()
    assert any(f"CSV of signals ({len(signals):,} rows)" in b.label for b in app.get("download_button"))


def test_the_document_page_lists_documents_sharing_rare_themes_first(monkeypatch, realistic_dir):
    """"Sharing most themes": the buttons name the shared themes, in the order of their weight,
    a rare theme counting more (computed here from sets, not by the app's function)."""
    import math

    corpus = load_corpus(realistic_dir)
    themes = corpus.themes.astype({"doc_id": "str", "theme_key": "str", "theme": "str"})
    keys_of = themes.groupby("doc_id")["theme_key"].agg(set)
    carrying = themes.drop_duplicates(["doc_id", "theme_key"])["theme_key"].value_counts()
    doc_id = themes["doc_id"].value_counts().index[0]
    weights = {other: sum(math.log(len(corpus.documents) / carrying[k]) for k in keys_of[doc_id] & keys)
               for other, keys in keys_of.items() if other != doc_id and keys_of[doc_id] & keys}
    best = max(weights, key=weights.get)
    app = _app(monkeypatch, realistic_dir, {"doc": doc_id})
    app.switch_page("signals/app/pages/document.py").run()
    _no_exceptions(app)
    buttons = [b for b in app.button if str(b.key).startswith("related-")]
    assert buttons, "documents sharing a theme are listed"
    assert weights[buttons[0].key.removeprefix("related-")] == pytest.approx(weights[best])
    shared = sorted({t for t, k in zip(themes["theme"], themes["theme_key"])
                     if k in keys_of[doc_id] & keys_of[buttons[0].key.removeprefix("related-")]}, key=str.casefold)
    shares = [c.value.replace("\\", "") for c in app.caption if c.value.startswith("shares ")]
    assert shares[0].startswith(f"shares {'; '.join(shared[:3])}")  # under the first button


def test_the_document_page_does_not_open_on_a_document_dated_in_the_future(monkeypatch, tmp_path):
    """The newest document is dated 2099 (a wrong page id, flagged in Data health): the page opens
    on the newest one that is not, and the Overview's span of years ends there too."""
    seed = (ROOT / "seeds" / "000_19f67a480975dbd3.txt").read_text(encoding="utf-8")
    for name, page_id, title in (("past", "20241110", "Past Story"), ("future", "20990101", "Future Story")):
        (tmp_path / f"{name}.md").write_text(seed.replace("[20241110]", f"[{page_id}]").replace(
            "South Korea Considers", title).replace("south-korea-vows-action", name), encoding="utf-8")
    app = _app(monkeypatch, tmp_path)
    assert _metric(app, "Years") == "2024"
    assert any("2024-11-10 to 2024-11-10 (and 1 document dated in the future)" in m.value for m in app.sidebar.markdown)
    app.switch_page("signals/app/pages/document.py").run()
    _no_exceptions(app)
    assert app.selectbox(key="document_choice").value == "past"
    assert any("Past Story" in s.value for s in app.subheader)
