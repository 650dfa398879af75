"""In Chromium, the analyst's workspace: (a) filter, select a row on Tables, set its status and
impact (and likelihood) in the editor, reload: still there, the CSV download carries them and the
Assessment grid places the row; (b) a hostile note
is shown as the text it is on the Tables and Document pages (no markup, no script, no dialog);
(c) a saved view reopened from the sidebar brings its filters back. The workspace lives in a
private folder; what is stored is checked in it, not through the app."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from browser_support import BROWSER_MARKS, chromium, running_app, shot, wait_idle, wait_until

from signals.filters import Filters, apply
from signals.ingest.load import load_corpus
from signals.workspace import annotations, open_store
from tests.workspace.notes_corpus import write_document

pytestmark = BROWSER_MARKS

HOSTILE = '<img src=x onerror=alert(1)> =HYPERLINK("http://evil.test","x") **x** <script>alert(2)</script>'


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("workspace-browser")
    write_document(root, "2025/a", "Heat and grids", [("Heat pumps in flats", "Retrofits.", 4),
                                                       ("Grid-scale batteries", "Bids.", 5),
                                                       ("Community solar", "Co-ops.", 2)])
    write_document(root, "2025/b", "Wind", [("Wind leases", "Auctions.", 3)])
    write_document(root, "2025/c", "Hostile", [("Biochar", "Soil.", 4)])
    return root


@pytest.fixture(scope="module")
def workspaces(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("workspace-browser-ws")


@pytest.fixture(scope="module")
def app_url(folder, workspaces, tmp_path_factory):
    with running_app(folder, tmp_path_factory.mktemp("cache"), env={"SIGNALS_WORKSPACE_DIR": str(workspaces)}) as url:
        yield url


@pytest.fixture
def store(folder, workspaces, monkeypatch):
    monkeypatch.setenv("SIGNALS_WORKSPACE_DIR", str(workspaces))
    return open_store(folder)


@pytest.fixture(scope="module")
def browser():
    with chromium() as launched:
        yield launched


def _cells(page) -> list[str]:
    """The texts of the first table's cells (the data grid's accessible cells)."""
    return page.locator('[data-testid="stDataFrame"]').first.locator('[role="gridcell"]').all_inner_texts()


def _select_first_row(page) -> None:
    grid = page.locator('[data-testid="stDataFrame"]').first
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 15, box["y"] + 35 + 18)  # the first row's selection box
    wait_idle(page)


def _choose(form, label: str, option: str) -> None:
    """Press one option of the editor's segmented control named `label`."""
    group = form.locator('[data-testid="stButtonGroup"]').filter(has=form.page.get_by_text(label, exact=True))
    group.locator("button").filter(has_text=re.compile(rf"^{re.escape(option)}$")).click()


def test_walk_filter_select_assess_reload_download(app_url, browser, folder, store):
    first = apply(load_corpus(folder), Filters(min_relevancy=4)).tables["signals"].iloc[0]
    context = browser.new_context(viewport={"width": 1500, "height": 1300}, accept_downloads=True)
    page = context.new_page()
    page.goto(f"{app_url}/tables?table=signals&rmin=4")
    wait_idle(page)
    _select_first_row(page)
    form = page.locator('[data-testid="stForm"]')
    page.get_by_text(f"Assess: signals row {int(first['row']) + 1}").wait_for(timeout=30_000)
    _choose(form, "Status", "watch")
    _choose(form, "Impact", "4")
    _choose(form, "Likelihood", "3")
    shot(page, "workspace-editor-open")
    form.get_by_role("button", name="Save").click()
    page.get_by_text("Saved: status watch, impact 4").wait_for(timeout=30_000)

    [kept] = annotations.stored(store).values()  # what the workspace holds, read directly
    assert (kept.target.anchor, kept.annotation.status, kept.annotation.impact) == (first["name"], "watch", 4)

    page.reload()
    wait_idle(page)
    cells = wait_until(page, lambda: (found := _cells(page)) and found, "the table's cells")
    row = cells[:cells.index(first["name"]) + 10]
    assert "watch" in row and "4" in row, row

    filtered = apply(load_corpus(folder), Filters(min_relevancy=4)).tables["signals"]
    with page.expect_download() as download_info:
        page.get_by_role("button", name=f"CSV of signals ({len(filtered)} rows)").click()
    rows = list(csv.DictReader(io.StringIO(Path(download_info.value.path()).read_text(encoding="utf-8"))))
    assert {r["name"]: (r["status"], r["impact"]) for r in rows}[first["name"]] == ("watch", "4")
    assert all(r["status"] == "new" for r in rows if r["name"] != first["name"])

    # The Assessment grid places it: the table beside the chart lists it at impact 4, likelihood 3.
    page.goto(f"{app_url}/assessment")
    wait_idle(page)
    cells = wait_until(page, lambda: (found := _cells(page)) and first["name"] in found and found,
                       "the rated row in the table beside the grid")
    placed = cells[cells.index(first["name"]) - 6:cells.index(first["name"]) + 8]
    assert "4" in placed and "3" in placed, placed
    context.close()


def test_a_hostile_note_is_shown_as_text(app_url, browser, folder, store):
    items = load_corpus(folder).items
    annotations.annotate(store, annotations.row_targets(items, items.index[items["name"] == "Biochar"]),
                         {"note": HOSTILE, "status": "escalate"}, by="mallory")
    annotations.annotate(store, annotations.document_target("2025/c"), {"note": HOSTILE}, by="mallory")
    page = browser.new_page(viewport={"width": 1500, "height": 1300})
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(f"{app_url}/tables?table=signals&status=escalate")
    wait_idle(page)
    assert HOSTILE in wait_until(page, lambda: _cells(page), "the table's cells")
    page.goto(f"{app_url}/document?doc=2025/c")
    wait_idle(page)
    assert page.locator("textarea").first.input_value() == HOSTILE  # the document's own note, as typed
    assert HOSTILE in page.locator('[data-testid="stDataFrame"]').first.locator('[role="gridcell"]').all_inner_texts()
    shot(page, "workspace-hostile-note-document")
    assert page.locator('img[src="x"]').count() == 0
    assert page.locator("script", has_text="alert(2)").count() == 0
    assert page.locator("strong", has_text=re.compile(r"^x$")).count() == 0
    assert page.get_by_role("link", name="x", exact=True).count() == 0
    assert not dialogs
    page.close()


def test_a_saved_view_reopened_from_the_sidebar_restores_its_filters(app_url, browser, folder, store):
    items = load_corpus(folder).items
    annotations.annotate(store, annotations.row_targets(items, items.index[items["name"] == "Wind leases"]),
                         {"status": "dismissed", "starred": True}, by="ana")
    page = browser.new_page(viewport={"width": 1500, "height": 1300})
    page.goto(f"{app_url}/tables?table=signals&status=dismissed")
    wait_idle(page)
    sidebar = page.locator('[data-testid="stSidebar"]')
    sidebar.get_by_text(re.compile(r"^Saved views \(\d+\)$")).click()
    sidebar.get_by_label("Name the current filters").fill("Dismissed")
    sidebar.get_by_label("Name the current filters").press("Enter")
    wait_idle(page)
    sidebar.get_by_role("button", name="Save view").click()
    sidebar.get_by_text("Saved “Dismissed” (1 document).").wait_for(timeout=30_000)
    wait_idle(page)
    sidebar.get_by_role("button", name="Reset filters").click()
    wait_until(page, lambda: "status=" not in page.url, "the filters gone from the URL")
    wait_idle(page)
    shot(page, "workspace-saved-views")
    sidebar.get_by_role("button", name="Dismissed", exact=True).click()
    wait_until(page, lambda: "status=dismissed" in page.url, "the view's filters back in the URL")
    wait_idle(page)
    assert "Wind leases" in _cells(page) and "Heat pumps in flats" not in _cells(page)
    assert sidebar.get_by_text("1 document now, none new since saved").count() == 1
    page.close()
