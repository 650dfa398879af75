"""In Chromium: merge "AI" and "artificial intelligence" on the Merge themes page, then see the
Overview's Top themes chart draw one bar for them with the documents of both (counted here from
the raw frame), and no "AI" bar. The workspace goes to a private folder, never the user's."""

from __future__ import annotations

from pathlib import Path

import pytest
from browser_support import CHROMIUM, chromium, open_from_navigation, running_app

from signals import schema
from signals.ingest.load import load_corpus

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts" / "browser"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium at /usr/bin/chromium"),
]


def _wait_idle(page) -> None:
    """Until the script run ends (the running indicator disappears)."""
    page.wait_for_timeout(300)
    page.locator('[data-testid="stStatusWidget"]').wait_for(state="hidden", timeout=30_000)
    page.wait_for_timeout(300)


def _documents(corpus, spellings: list[str]) -> int:
    keys = {schema.theme_key(s) for s in spellings}
    themes = corpus.themes
    return len({d for d, k in zip(themes["doc_id"], themes["theme_key"].astype(str)) if k in keys})


def _pick(page, box_label: str, option: str) -> None:
    box = page.locator('[data-testid="stMultiSelect"]').filter(has_text=box_label)
    box.locator("input").click()
    box.locator("input").fill(option.split(" (")[0])
    page.get_by_role("option", name=option, exact=True).click()
    page.keyboard.press("Escape")
    _wait_idle(page)


def _top_theme_bars(page) -> list[str]:
    chart = page.locator('[data-testid="stVegaLiteChart"]').first
    chart.locator('[aria-roledescription="bar"]').first.wait_for(timeout=30_000)
    return chart.locator('[aria-roledescription="bar"]').evaluate_all(
        "bars => bars.map(bar => bar.getAttribute('aria-label'))")


def test_a_merge_in_the_app_shows_on_the_overview(realistic_dir, tmp_path):
    corpus = load_corpus(realistic_dir)
    ai, spelled_out = _documents(corpus, ["AI"]), _documents(corpus, ["artificial intelligence"])
    merged = _documents(corpus, ["AI", "artificial intelligence"])
    workspaces = tmp_path / "workspaces"
    with running_app(realistic_dir, tmp_path / "cache", env={"SIGNALS_WORKSPACE_DIR": str(workspaces)}) as url, \
            chromium() as browser:
        page = browser.new_page(viewport={"width": 1500, "height": 1200})
        page.goto(url)
        _wait_idle(page)
        bars = _top_theme_bars(page)
        assert f"Documents: {ai}; Theme: AI" in bars
        assert f"Documents: {spelled_out}; Theme: artificial intelligence" in bars

        open_from_navigation(page, "Themes")
        _wait_idle(page)
        _pick(page, "Themes to merge", f"AI ({ai})")
        _pick(page, "Themes to merge", f"artificial intelligence ({spelled_out})")
        page.get_by_role("button", name="Merge 2 themes").click()
        page.get_by_text("Merged “AI” into “artificial intelligence”").wait_for(timeout=30_000)
        _wait_idle(page)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "merge-themes.png"), full_page=True)

        page.get_by_role("link", name="Overview").click()
        _wait_idle(page)
        bars = _top_theme_bars(page)
        page.screenshot(path=str(ARTIFACTS / "merge-themes-overview.png"))
        assert f"Documents: {merged}; Theme: artificial intelligence" in bars
        assert not any(bar.endswith("; Theme: AI") for bar in bars)
    assert [p.suffix for p in workspaces.iterdir() if p.suffix == ".sqlite"] == [".sqlite"]
