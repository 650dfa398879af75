"""A newcomer's first run in Debian's Chromium: `streamlit run dashboard.py` with nothing configured
opens on the seed, the Overview's button writes the demo corpus (a progress bar while it does) and
opens it, and the synthetic label is on screen, above the page and in the sidebar.

Its screenshot, artifacts/browser/first-run-demo.png, is the README's (docs/screenshot.png): retake
it with `python -m pytest tests/app/test_first_run_browser.py` and copy it over.
"""

from __future__ import annotations

from browser_support import (
    BROWSER_MARKS,
    chromium,
    open_from_navigation,
    running_app,
    shot,
    wait_idle,
    wait_until,
)

from signals import demo

pytestmark = BROWSER_MARKS


def _metric(page, label: str) -> str:
    metric = page.locator('[data-testid="stMetric"]').filter(has_text=label).first
    metric.wait_for(timeout=60_000)
    return metric.locator('[data-testid="stMetricValue"]').inner_text().strip()


def test_the_first_run_opens_the_demo_from_the_overview(tmp_path):
    cache = tmp_path / "cache"
    with running_app(None, cache) as url, chromium() as browser:
        page = browser.new_page(viewport={"width": 1440, "height": 1400})
        page.goto(url)
        wait_idle(page)
        assert _metric(page, "Documents") == "1"
        assert page.get_by_text(demo.DEMO_LABEL).count() == 0
        shot(page, "first-run-seed")

        page.get_by_role("button", name="Open the demo corpus (3,000 synthetic documents)").click()
        page.get_by_text("Writing the synthetic demo corpus").first.wait_for(timeout=60_000)
        wait_until(page, lambda: _metric(page, "Documents") == "3,000", "the Overview to count 3,000 documents",
                   timeout=180)
        wait_idle(page)
        main = page.locator('[data-testid="stMain"]').get_by_text(demo.DEMO_LABEL)
        sidebar = page.locator('[data-testid="stSidebar"]').get_by_text(demo.DEMO_LABEL)
        assert main.is_visible() and sidebar.is_visible()
        assert page.get_by_role("button", name="Open the demo corpus (3,000 synthetic documents)").count() == 0
        page.locator('[data-testid="stVegaLiteChart"]').last.locator("canvas, svg.marks").first.wait_for(
            timeout=60_000)
        shot(page, "first-run-demo")

        open_from_navigation(page, "Heatmaps")
        page.get_by_role("heading", name="Heatmaps").wait_for(timeout=60_000)
        assert page.locator('[data-testid="stMain"]').get_by_text(demo.DEMO_LABEL).is_visible()
    assert len(list((cache / demo.DEMO_PARENT).glob("*/*/*.md"))) == demo.DEMO_DOCUMENTS
