"""The real app in a real browser: Debian's Chromium driven by Playwright (no browser download).

Starts the app with the README's command on the shared corpus (a synthetic one where it is absent), applies a theme filter through the
sidebar, sees the heatmap and the table change, downloads the filtered CSV and checks its rows,
and opens a document. Screenshots go to artifacts/browser/ (kept by CI as test artifacts).
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from browser_support import BROWSER_MARKS, chromium, running_app, scan_tooltips, shot, wait_idle, wait_until

from signals import load_corpus
from signals.filters import Filters, apply

ROOT = Path(__file__).resolve().parents[2]

pytestmark = BROWSER_MARKS




@pytest.fixture(scope="module")
def app_url(realistic_dir, tmp_path_factory):
    """The app, started with the README's command on realistic_dir."""
    with running_app(realistic_dir, tmp_path_factory.mktemp("browser-cache")) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    with chromium() as browser_:
        yield browser_


def _metric(page, label: str) -> str:
    metric = page.locator('[data-testid="stMetric"]').filter(has_text=label).first
    metric.wait_for(timeout=30_000)
    return metric.locator('[data-testid="stMetricValue"]').inner_text().strip()


def _heatmap_rows(page) -> list[str]:
    """The themes of the theme x section heatmap, top to bottom, read from its cells' tooltips."""
    chart = page.locator('[data-testid="stVegaLiteChart"]').first
    chart.wait_for(timeout=30_000)
    return [tip["Theme"] for _, _, tip in scan_tooltips(page, chart, 0.45) if "Theme" in tip]


def test_filter_heatmap_table_download_document(app_url, browser, realistic_dir):
    corpus = load_corpus(realistic_dir)
    theme = "AI"
    filtered = apply(corpus, Filters(themes=(theme,)))
    context = browser.new_context(viewport={"width": 1500, "height": 1000}, accept_downloads=True)
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))

    page.goto(app_url)
    assert _metric(page, "Documents") == f"{len(corpus.documents):,}"
    shot(page, "1-overview")

    page.goto(f"{app_url}/heatmaps")
    wait_idle(page)
    rows_before = _heatmap_rows(page)
    assert rows_before, "the heatmap shows theme rows"

    # Apply a theme filter through the sidebar's Themes multiselect.
    themes_box = page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').filter(has_text="Themes")
    themes_box.locator("input").click()
    themes_box.locator("input").fill(theme)
    page.get_by_role("option", name=f"{theme} (").first.click()
    page.keyboard.press("Escape")
    page.wait_for_url(re.compile(f"theme={theme}"), timeout=60_000)
    wait_idle(page)
    # The heatmap follows the filter: read again until the redrawn chart is there (a busy machine
    # may draw it after the script run has ended); fails when its rows never change.
    wait_until(page, lambda: (rows := _heatmap_rows(page)) != rows_before and rows,
               "the heatmap's rows to follow the theme filter")
    shot(page, "2-heatmap-filtered")

    # The Tables page shows the filtered signals; download them as CSV and count the rows.
    page.get_by_role("link", name="Tables").click()
    wait_idle(page)
    page.get_by_text(f"signals ({len(filtered.tables['signals']):,})", exact=True).click()
    wait_idle(page)
    shot(page, "3-tables-filtered")
    with page.expect_download() as download_info:
        page.get_by_role("button", name=f"CSV of signals ({len(filtered.tables['signals']):,} rows)").click()
    download = download_info.value
    assert download.suggested_filename.startswith("signals-explorer_signals_")
    text = Path(download.path()).read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == len(filtered.tables["signals"])
    assert {r["doc_id"] for r in rows} == set(filtered.tables["signals"]["doc_id"].astype(str))
    assert not any(v[:1] in ("=", "+", "-", "@") for r in rows for v in r.values() if v), "formulas escaped"

    # Open a document: pick it on the Document page.
    doc_id = str(filtered.documents["doc_id"].iloc[0])
    title = str(filtered.documents["title"].iloc[0])
    page.goto(f"{app_url}/document?doc={doc_id}")
    wait_idle(page)
    page.get_by_text(title, exact=False).first.wait_for(timeout=30_000)
    shot(page, "4-document")
    assert not dialogs
    context.close()
