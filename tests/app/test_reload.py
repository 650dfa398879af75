"""The folder changes while the app runs: Reload and the next session see it; nothing is mixed (AppTest).

Sessions share one store of loaded corpora (signals/app/data.py). A session takes the folder's
fingerprint once, so its reruns are free and stable; **Reload from disk** takes it again; a new
session takes its own. The test adds, changes and deletes files under running sessions, and checks
what each session shows: the sidebar's document count, the Overview's numbers and the filter
options, which must all describe the same corpus.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
DASHBOARD = str(ROOT / "dashboard.py")
SEED_FILE = ROOT / "seeds" / "000_19f67a480975dbd3.txt"
SEED = SEED_FILE.read_text(encoding="utf-8")
SEED_ROWS = 27


def _document(title: str, category: str = "politics", relevancy: str = "4") -> str:
    return (SEED.replace("South Korea Considers Arms Supply", title)
            .replace("Category: politics", f"Category: {category}")
            .replace("|           4 |", f"|           {relevancy} |"))


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    data.mkdir()
    (data / "one.md").write_text(_document("One"), encoding="utf-8")
    (data / "two.md").write_text(_document("Two"), encoding="utf-8")
    return data


def _session(monkeypatch: pytest.MonkeyPatch, folder: Path) -> AppTest:
    monkeypatch.setenv("SIGNALS_DATA", str(folder))
    app = AppTest.from_file(DASHBOARD, default_timeout=60).run()
    _ok(app)
    return app


def _ok(app: AppTest) -> None:
    assert not app.exception, [e.value for e in app.exception]


def _shown(app: AppTest) -> dict:
    """What the session shows about its corpus, from three places that must agree."""
    metrics = {m.label: m.value for m in app.metric}
    summary = next(m.value for m in app.sidebar.markdown if re.search(r"documents?\*\*", m.value))
    return {
        "sidebar": int(re.search(r"\*\*([\d,]+) documents?\*\*", summary).group(1).replace(",", "")),
        "overview": int(metrics["Documents"].replace(",", "")),
        "rows": int(metrics["Table rows"].replace(",", "")),
        "categories": sorted(app.multiselect(key="category").options),
    }


def _assert_consistent(app: AppTest, documents: int, categories: list[str]) -> None:
    shown = _shown(app)
    assert shown["sidebar"] == shown["overview"] == documents, shown
    assert shown["rows"] == documents * SEED_ROWS, shown
    assert [c.split(" (")[0] for c in shown["categories"]] == categories, shown


def _reload(app: AppTest) -> AppTest:
    app.button(key="reload").click().run()
    _ok(app)
    return app


def test_an_added_file_shows_after_reload_and_in_a_new_session(monkeypatch, folder: Path) -> None:
    first = _session(monkeypatch, folder)
    other = _session(monkeypatch, folder)
    _assert_consistent(first, 2, ["politics"])
    (folder / "three.md").write_text(_document("Three", category="science"), encoding="utf-8")

    # A rerun keeps the session's view stable until it asks for the change...
    first.run()
    _assert_consistent(first, 2, ["politics"])
    # ...Reload picks it up...
    _assert_consistent(_reload(first), 3, ["politics", "science"])
    # ...and so does a new session, without Reload.
    _assert_consistent(_session(monkeypatch, folder), 3, ["politics", "science"])
    # The other session, whose corpus the Reload replaced, shows one corpus, not a mix of two:
    # its sidebar, its Overview and its filter options all describe the folder as it is now.
    other.run()
    _ok(other)
    _assert_consistent(other, 3, ["politics", "science"])


def test_a_changed_file_shows_its_new_content_after_reload(monkeypatch, folder: Path) -> None:
    app = _session(monkeypatch, folder)
    before = {m.label: m.value for m in app.metric}["Mean relevancy"]
    target = folder / "two.md"
    stat = target.stat()
    target.write_text(_document("Two", relevancy="1"), encoding="utf-8")  # same size
    os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    _reload(app)
    after = {m.label: m.value for m in app.metric}["Mean relevancy"]
    assert float(after) < float(before)
    app.switch_page("signals/app/pages/document.py")
    app.query_params["doc"] = "two"
    app.run()
    _ok(app)


def test_a_deleted_file_goes_after_reload(monkeypatch, folder: Path) -> None:
    app = _session(monkeypatch, folder)
    (folder / "one.md").unlink()
    _assert_consistent(_reload(app), 1, ["politics"])
    app.switch_page("signals/app/pages/tables.py").run()
    _ok(app)
    app.switch_page("signals/app/pages/data_health.py").run()
    _ok(app)


def test_a_folder_emptied_and_refilled(monkeypatch, folder: Path) -> None:
    app = _session(monkeypatch, folder)
    for path in folder.glob("*.md"):
        path.unlink()
    _reload(app)
    assert any("Nothing matches" in i.value for i in app.info)
    shutil.copy(SEED_FILE, folder / "back.md")
    _assert_consistent(_reload(app), 1, ["politics"])
