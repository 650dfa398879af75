"""Filtered views are shared by sessions and kept only while shown or recent (signals/app/data.py).

A view nobody shows any more was most of what each browser session added to the server at 100,000
documents (issue 15): the store keeps a view while a session holds it and while it is one of the
few most recently asked for; a view asked for again after that is filtered again, with the same
numbers on screen.
"""

from __future__ import annotations

import gc
import threading
import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from signals.app.data import RECENT_VIEWS, _SharedViews
from signals.corpus_type import Corpus
from signals.filters import Filters, apply
from signals.ingest.load import load_corpus

ROOT = Path(__file__).resolve().parents[2]
DASHBOARD = str(ROOT / "dashboard.py")
SEEDS = ROOT / "seeds"


@pytest.fixture(scope="module")
def corpus() -> Corpus:
    return load_corpus(SEEDS, use_cache=False)


def _themes(corpus: Corpus, count: int) -> list[str]:
    return corpus.themes["theme"].astype("str").value_counts().index[:count].tolist()


class _Counting:
    """apply() over one corpus, counting how often it filtered."""

    def __init__(self, corpus: Corpus) -> None:
        self.corpus, self.calls = corpus, 0

    def view(self, store: _SharedViews, theme: str) -> Corpus:
        def compute() -> Corpus:
            self.calls += 1
            return apply(self.corpus, Filters(themes=(theme,)))

        return store.get("seeds|token", repr(Filters(themes=(theme,))), compute)


def test_a_shown_view_is_reused_however_many_views_come_after(corpus):
    store, counting = _SharedViews(), _Counting(corpus)
    themes = _themes(corpus, RECENT_VIEWS + 3)
    shown = counting.view(store, themes[0])  # a session keeps showing it
    for theme in themes[1:]:
        counting.view(store, theme)
    calls = counting.calls
    assert counting.view(store, themes[0]) is shown
    assert counting.calls == calls


def test_a_view_nobody_shows_goes_after_the_recent_ones_and_comes_back_the_same(corpus):
    store, counting = _SharedViews(), _Counting(corpus)
    themes = _themes(corpus, RECENT_VIEWS + 2)
    first = counting.view(store, themes[0])
    documents_before = first.document_facts["doc_id"].astype("str").tolist()
    rows_before = len(first.item_facts)
    del first
    gc.collect()
    counting.view(store, themes[1])
    assert counting.calls == 2
    assert len(counting.view(store, themes[0]).item_facts) == rows_before  # still recent: not filtered again
    assert counting.calls == 2
    for theme in themes[1:]:  # RECENT_VIEWS + 1 other views asked for since
        counting.view(store, theme)
    gc.collect()
    assert len(store) == RECENT_VIEWS  # the recent ones; the first went
    again = counting.view(store, themes[0])
    assert counting.calls == len(themes) + 1  # filtered again
    assert again.document_facts["doc_id"].astype("str").tolist() == documents_before
    assert len(again.item_facts) == rows_before


def test_sessions_asking_for_one_view_at_once_filter_it_once(corpus):
    store = _SharedViews()
    calls, got = [], []

    def compute() -> Corpus:
        calls.append(1)
        time.sleep(0.2)
        return apply(corpus, Filters(themes=(_themes(corpus, 1)[0],)))

    threads = [threading.Thread(target=lambda: got.append(store.get("k", "f", compute))) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(calls) == 1
    assert all(view is got[0] for view in got)


def test_a_theme_revisited_after_other_sessions_tried_many_shows_the_same_counts(monkeypatch):
    """What a user sees: the Overview's counts for a theme are the same before and after other
    sessions' views pushed it out of the store."""
    from signals.app import data

    filtered = []
    monkeypatch.setattr(data, "apply", lambda *args: filtered.append(args[1]) or apply(*args))
    monkeypatch.setenv("SIGNALS_DATA", str(SEEDS))
    app = AppTest.from_file(DASHBOARD, default_timeout=60).run()
    themes = app.sidebar.multiselect(key="theme").options
    app.sidebar.multiselect(key="theme").select(themes[0]).run()
    assert not app.exception
    before = {m.label: m.value for m in app.metric}
    app.sidebar.button(key="reset").click().run()
    others = AppTest.from_file(DASHBOARD, default_timeout=60).run()
    for theme in themes[1:RECENT_VIEWS + 3]:
        others.sidebar.multiselect(key="theme").set_value([theme]).run()
        assert not others.exception
    filtered.clear()
    app.sidebar.multiselect(key="theme").select(themes[0]).run()
    assert not app.exception
    # it had gone from the store: filtered again (the option reads "theme (documents)")
    assert [len(filters.themes) for filters in filtered] == [1] and themes[0].startswith(filtered[0].themes[0])
    assert {m.label: m.value for m in app.metric} == before
