"""The Compare page in Chromium: clicking a mover on the chart lists its documents in each period
(counts from the planted plan, tests/planted.py), and selecting one opens it on the Document page."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

import planted
import pytest
from browser_support import BROWSER_MARKS, chromium, running_app, scan_tooltips, shot, wait_idle

pytestmark = BROWSER_MARKS


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    folder = planted.write(tmp_path_factory.mktemp("compare-browser"), planted.period_docs())
    with running_app(folder, tmp_path_factory.mktemp("compare-cache")) as url:
        yield url


@pytest.fixture
def page():
    with chromium() as browser:
        context = browser.new_context(viewport={"width": 1500, "height": 1100})
        page_ = context.new_page()
        errors: list[str] = []
        page_.on("pageerror", lambda error: errors.append(str(error)))
        yield page_
        context.close()
        assert not errors, errors


def _planted_ids(theme: str, side: int) -> set[str]:
    return {d.doc_id for d in planted.period_docs() if theme in d.themes and d.doc_id.startswith(f"p{side}_")}


def test_clicking_a_mover_lists_its_documents_and_opens_one(app_url, page):
    page.goto(f"{app_url}/compare")
    wait_idle(page)
    chart = page.locator('[data-testid="stVegaLiteChart"]').first
    # The far right of each row is its pale track: hovering down it meets every mover.
    rows = [r for r in scan_tooltips(page, chart, 0.97) if "Theme" in r[2]]
    themes = [tip["Theme"] for _, _, tip in rows]
    assert themes[:3] == ["gone theme", "new theme", "rising theme"], "most certain change first"
    x, y, tip = rows[themes.index("rising theme")]
    before, after = planted.PERIOD_THEMES["rising theme"]
    assert (tip["Documents, before"], tip["Documents, after"], tip["Label"]) == (str(before), str(after), "rising")
    page.mouse.click(x, y)
    wait_idle(page)
    page.get_by_role("heading", name="Documents with the theme rising theme").wait_for(timeout=30_000)
    main = page.locator('[data-testid="stMainBlockContainer"]').inner_text()
    assert f"Before — {before} documents" in main and f"After — {after} documents" in main, main.split("Documents with the theme")[-1][:1500]
    shot(page, "compare-mover-clicked")

    grid = page.locator('[data-testid="stDataFrame"]').nth(2)  # the table, then before, then after
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 15, box["y"] + 35 + 18)  # the first row's selection box
    page.wait_for_url(re.compile(r"/document\?"), timeout=30_000)
    wait_idle(page)
    doc = parse_qs(urlparse(page.url).query)["doc"][0]
    assert doc in _planted_ids("rising theme", 1), "a document of the later period with the theme"
    shot(page, "compare-document-opened")
