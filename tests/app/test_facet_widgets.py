"""AppTest: the sidebar is generated from signals.facets. A facet registered only here (documents
by the titles their Closest section lists: another frame than documents) gets its widget with
counts, is restored from its URL parameter, narrows every number, shows in the caption and is
cleared by Reset, with no line of app code written for it."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from signals import facets, load_corpus
from signals.app.components import plain
from signals.facets import ChoiceFacet, Source
from signals.synth import write_corpus

ROOT = Path(__file__).resolve().parents[2]
DASHBOARD = str(ROOT / "dashboard.py")
CLOSEST = ChoiceFacet(key="closest", field="closest_titles", label="Closest to", singular="closest to",
                      plural="closest to", source=Source("links", "title"), cli_flag="--closest",
                      help="Documents listing this title among their closest")


@pytest.fixture
def with_closest(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(facets, "FACETS", (*facets.FACETS, CLOSEST))


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("facet-widgets")
    write_corpus(folder, 60, seed=3)  # one document of these has a Closest section
    return folder


def _metric(app: AppTest, label: str) -> str:
    return next(m.value for m in app.metric if m.label == label)


def test_a_new_facet_gets_its_widget_url_caption_and_reset(monkeypatch, with_closest, folder):
    corpus = load_corpus(folder)
    links = corpus.links.astype({"doc_id": str, "title": str})
    title = links["title"].iloc[0]
    listing = links.loc[links["title"] == title, "doc_id"].nunique()
    monkeypatch.setenv("SIGNALS_DATA", str(folder))
    app = AppTest.from_file(DASHBOARD, default_timeout=60)
    app.query_params["closest"] = [title]
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    widget = app.multiselect(key="closest")
    assert widget.label == "Closest to"
    assert widget.value == [title]
    assert f"{title} ({listing})" in widget.options
    assert _metric(app, "Documents") == f"{listing:,}"
    # The caption shows filter values as typed (markup escaped).
    assert any(plain(f"closest to {title}") in caption.value for caption in app.caption)
    app.button(key="reset").click().run()
    assert app.multiselect(key="closest").value == []
    assert _metric(app, "Documents") == f"{len(corpus.documents):,}"
