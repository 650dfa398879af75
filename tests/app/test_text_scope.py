"""AppTest: the search text's scope (rows / documents) in the URL and the sidebar, the filter caption
in words, and the Tables page's "matched in" column, on the synthetic corpus (runs on a fresh clone)
and on the shared real documents (synthetic ones where they are absent)."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from signals import load_corpus
from signals.filters import Filters, apply
from signals.synth import write_corpus

ROOT = Path(__file__).resolve().parents[2]
DASHBOARD = str(ROOT / "dashboard.py")
TABLES = "signals/app/pages/tables.py"


def _app(monkeypatch: pytest.MonkeyPatch, folder: Path, params: dict) -> AppTest:
    monkeypatch.setenv("SIGNALS_DATA", str(folder))
    app = AppTest.from_file(DASHBOARD, default_timeout=60)
    for key, value in params.items():
        app.query_params[key] = value
    return app.run()


def _metric(app: AppTest, label: str) -> str:
    return next(m.value for m in app.metric if m.label == label)


@pytest.fixture(scope="module")
def synth_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("synth-text-scope")
    write_corpus(folder, 40, seed=3)
    return folder


def _signals_table(app: AppTest):
    app.switch_page(TABLES).run()
    app.segmented_control(key="table_choice").set_value("signals").run()
    assert not app.exception, [e.value for e in app.exception]
    return app.dataframe[0].value


def test_rows_scope_lists_only_rows_that_say_the_text(monkeypatch, synth_dir):
    app = _app(monkeypatch, synth_dir, {"q": "privacy", "rmin": "4"})
    assert app.segmented_control(key="q_in").value == "rows"
    assert any("relevancy ≥ 4; text “privacy” in rows" in c.value for c in app.caption)
    expected = apply(load_corpus(synth_dir), Filters(text="privacy", min_relevancy=4))
    assert _metric(app, "Documents") == f"{len(expected.documents):,}"
    table = _signals_table(app)
    assert len(table) == len(expected.tables["signals"]) > 0
    # Every row listed says "privacy" in the column(s) "matched in" names, and only there.
    text_columns = ["name", "description", "change", "ten_year", "driving_force"]
    for _, row in table.iterrows():
        said_in = [c for c in text_columns if isinstance(row[c], str) and "privacy" in row[c].casefold()]
        assert row["matched in"] == ", ".join(said_in), row


def test_documents_scope_from_the_url_keeps_whole_documents(monkeypatch, synth_dir):
    app = _app(monkeypatch, synth_dir, {"q": "privacy", "q_in": "documents"})
    assert app.segmented_control(key="q_in").value == "documents"
    assert any("text “privacy” in documents" in c.value for c in app.caption)
    corpus = load_corpus(synth_dir)
    expected = apply(corpus, Filters(text="privacy", text_scope="documents"))
    assert _metric(app, "Table rows") == f"{len(expected.items):,}"
    table = _signals_table(app)
    summaries = dict(zip(corpus.documents["doc_id"], corpus.documents["summary"].str.casefold(), strict=True))
    for _, row in table.iterrows():
        assert row["matched in"], row
        assert ("summary" in row["matched in"]) == ("privacy" in summaries[row["doc_id"]])
    # Back to rows in the sidebar: fewer rows, and the URL forgets the default scope.
    app.segmented_control(key="q_in").set_value("rows").run()
    assert "q_in" not in app.query_params
    assert _metric_after_overview(app) == f"{len(apply(corpus, Filters(text='privacy')).items):,}"


def _metric_after_overview(app: AppTest) -> str:
    app.switch_page("signals/app/pages/overview.py").run()
    return _metric(app, "Table rows")


def test_privacy_on_a_realistic_corpus(monkeypatch, realistic_dir):
    """The issue's case: `?q=privacy&rmin=5` lists only signals that mention privacy."""
    app = _app(monkeypatch, realistic_dir, {"q": "privacy", "rmin": "5"})
    table = _signals_table(app)
    assert len(table) > 0
    for _, row in table.iterrows():
        assert "privacy" in " ".join(str(row[c]) for c in row["matched in"].split(", ")).casefold(), row
