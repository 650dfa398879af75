"""A newcomer's first run (AppTest): started without data, the app shows the seed and offers the demo
corpus on the Overview and in Data source; one click writes it into the cache folder (never the
project) and opens it, labelled synthetic in the sidebar and above every page; a second session
reuses it; "Back to the seed document" closes it. Started on a data folder, nothing is offered.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from signals import demo, synth

ROOT = Path(__file__).resolve().parents[2]
DASHBOARD = str(ROOT / "dashboard.py")
PAGES = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "signals" / "app" / "pages").glob("*.py")
               if p.name != "__init__.py")
OFFER_KEYS = ("overview_open_demo", "source_open_demo")


def _first_run(monkeypatch: pytest.MonkeyPatch, cache: Path) -> AppTest:
    """`streamlit run dashboard.py` with nothing configured; its cache folder is `cache`."""
    for name in ("SIGNALS_DATA", "SIGNALS_ALLOWED_ROOTS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SIGNALS_CACHE_DIR", str(cache))
    monkeypatch.setattr(sys, "argv", ["dashboard.py"])  # no `-- --data DIR` (pytest's own arguments)
    app = AppTest.from_file(DASHBOARD, default_timeout=180).run()
    _no_exceptions(app)
    return app


def _no_exceptions(app: AppTest) -> None:
    assert not app.exception, [e.value for e in app.exception]


def _metric(app: AppTest, label: str) -> str:
    values = [m.value for m in app.metric if m.label == label]
    assert values, f"no metric {label!r}: {[m.label for m in app.metric]}"
    return values[0]


def _labelled(app: AppTest) -> tuple[bool, bool]:
    """(the main area shows the synthetic label, the sidebar does)."""
    in_main = any(demo.DEMO_LABEL in m.value for m in app.main.markdown)
    in_sidebar = any(demo.DEMO_LABEL in w.value for w in app.sidebar.warning)
    return in_main, in_sidebar


def _offers(app: AppTest) -> list[str]:
    keys = {b.key for b in app.button}
    return [key for key in OFFER_KEYS if key in keys]


def _rows_written(folder: Path) -> int:
    """Table rows of `signals synth --docs 3000 --seed 1 --planted`, as the generator counts what it
    writes (not the loader); the corpus is written again into `folder` for that."""
    summary = synth.write_corpus(folder, demo.DEMO_DOCUMENTS, seed=demo.DEMO_SEED, planted=True)
    return sum(sum(rows.values()) for rows in summary["rows"].values())


def test_a_first_run_offers_the_demo_and_opens_it_labelled_on_every_page(monkeypatch, tmp_path):
    cache = tmp_path / "cache"
    app = _first_run(monkeypatch, cache)
    assert _metric(app, "Documents") == "1"  # the seed
    assert _offers(app) == list(OFFER_KEYS)
    offer = app.button(key="overview_open_demo")
    assert offer.label == "Open the demo corpus (3,000 synthetic documents)"
    assert _labelled(app) == (False, False)

    offer.click().run()
    _no_exceptions(app)
    [folder] = [p for p in (cache / demo.DEMO_PARENT).iterdir()]
    assert folder.is_relative_to(cache) and not folder.is_relative_to(ROOT)
    assert len(list(folder.rglob("*.md"))) == demo.DEMO_DOCUMENTS == 3_000
    assert _metric(app, "Documents") == "3,000"
    assert _metric(app, "Table rows") == f"{_rows_written(tmp_path / 'expected'):,}"
    assert _offers(app) == []  # the demo is open: nothing left to offer
    for page in PAGES:
        app.switch_page(page).run()
        _no_exceptions(app)
        assert _labelled(app) == (True, True), page

    # Another session (a reload of the browser tab) opens the same files: written once, reused after.
    written = {path: path.stat().st_mtime_ns for path in folder.rglob("*.md")}
    again = _first_run(monkeypatch, cache)
    again.button(key="source_open_demo").click().run()
    _no_exceptions(again)
    assert _metric(again, "Documents") == "3,000" and _labelled(again) == (True, True)
    assert {path: path.stat().st_mtime_ns for path in folder.rglob("*.md")} == written

    # Back to the seed: one document, no label, the offer again.
    again.button(key="close_demo").click().run()
    _no_exceptions(again)
    assert _metric(again, "Documents") == "1"
    assert _labelled(again) == (False, False)
    assert _offers(again) == list(OFFER_KEYS)


def test_the_demo_opens_with_the_filters_at_their_defaults(monkeypatch, tmp_path):
    """The seed's one-day date range must not carry over: it would hide all but a few demo documents."""
    app = _first_run(monkeypatch, tmp_path / "cache")
    app.text_input(key="q").input("Korea").run()  # the seed's title: the seed still shows
    assert _metric(app, "Documents") == "1"
    app.button(key="source_open_demo").click().run()
    _no_exceptions(app)
    assert app.text_input(key="q").value == ""
    assert _metric(app, "Documents") == "3,000"


def test_nothing_is_offered_on_a_configured_folder(monkeypatch, tmp_path):
    monkeypatch.setenv("SIGNALS_DATA", str(ROOT / "seeds"))
    monkeypatch.setenv("SIGNALS_CACHE_DIR", str(tmp_path / "cache"))
    app = AppTest.from_file(DASHBOARD, default_timeout=60).run()
    _no_exceptions(app)
    assert _metric(app, "Documents") == "1"
    assert _offers(app) == []
    assert _labelled(app) == (False, False)
