"""The Emerging, Same signal and Network pages: the numbers they show equal the analysis functions'
outputs on the filtered corpus (AppTest); they follow the sidebar filters and show the empty state.

What AppTest cannot do (click a chart, upload a file, read a download) is checked in Chromium at the
end: clicking a theme node filters by that theme, clicking a signal node fills the search text, the
aliases upload merges themes, and the radar download is the CSV the function writes.
"""

from __future__ import annotations

import csv
import io
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pandas as pd
import pytest
from browser_support import chromium, click_plotly_point, running_app, scan_tooltips, wait_until
from streamlit.testing.v1 import AppTest

from signals import load_corpus, radar
from signals.aliases import apply_aliases, parse_aliases
from signals.analysis import network as typed
from signals.analysis import overview as numbers
from signals.analysis.clusters import DEFAULT_THRESHOLD, find_clusters
from signals.analysis.emerging import emerging
from signals.filters import Filters, apply
from signals.synth import write_corpus

ROOT = Path(__file__).resolve().parents[2]
DASHBOARD = str(ROOT / "dashboard.py")
TIMELINE = "signals/app/pages/emerging.py"
CLUSTERS = "signals/app/pages/same_signal.py"
NETWORK = "signals/app/pages/network.py"
PAGES = [TIMELINE, CLUSTERS, NETWORK]


@pytest.fixture(scope="module")
def planted_dir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("planted-pages")
    write_corpus(folder, 300, seed=1, planted=True)
    return folder


@pytest.fixture(scope="module")
def planted(planted_dir):
    return load_corpus(planted_dir)


def _app(monkeypatch, folder: Path, page: str, params: dict | None = None) -> AppTest:
    monkeypatch.setenv("SIGNALS_DATA", str(folder))
    app = AppTest.from_file(DASHBOARD, default_timeout=90)
    for key, value in (params or {}).items():
        app.query_params[key] = value
    app.run()
    app.switch_page(page).run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def _metrics(app: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in app.metric}


@pytest.mark.parametrize("page", PAGES)
def test_pages_render_on_a_realistic_corpus(monkeypatch, realistic_dir, page):
    _app(monkeypatch, realistic_dir, page)


def test_timeline_numbers_match_emerging(monkeypatch, planted_dir, planted):
    app = _app(monkeypatch, planted_dir, TIMELINE)
    expected = emerging(planted)
    counts = expected["label"].value_counts()
    assert _metrics(app) == {label.capitalize(): f"{int(counts.get(label, 0)):,}" for label in
                             ("new", "returning", "growing", "steady", "fading")}
    shown = app.dataframe[0].value
    assert shown["theme"].tolist() == expected["theme"].head(200).tolist()
    pd.testing.assert_series_equal(shown["score"].reset_index(drop=True),
                                   expected["score"].head(200).reset_index(drop=True), check_names=False)
    # The chart's default lines: the five most emerging themes.
    assert app.multiselect(key="timeline_lines_theme").value == expected["theme"].head(5).tolist()
    # Keywords and quarters.
    app.segmented_control(key="timeline_by").set_value("keyword").run()
    app.segmented_control(key="timeline_period").set_value("Q").run()
    by_keyword = emerging(planted, "keyword", period="Q")
    assert app.dataframe[0].value["keyword"].tolist() == by_keyword["keyword"].head(200).tolist()


def test_timeline_follows_filters(monkeypatch, planted_dir, planted):
    app = _app(monkeypatch, planted_dir, TIMELINE, {"category": "technology"})
    expected = emerging(apply(planted, Filters(categories=("technology",))))
    assert app.dataframe[0].value["theme"].tolist() == expected["theme"].head(200).tolist()
    assert _metrics(app)["New"] == f"{int((expected['label'] == 'new').sum()):,}"


def test_clusters_numbers_match_find_clusters(monkeypatch, planted_dir, planted):
    # Embedded first (else the page shows its progress bar: tests/app/test_same_signal_page.py).
    found = find_clusters(planted, ("signals",), DEFAULT_THRESHOLD)
    find_clusters(planted, ("behaviors",))
    app = _app(monkeypatch, planted_dir, CLUSTERS)
    metrics = _metrics(app)
    assert metrics["Clusters"] == f"{len(found.summary):,}"
    assert metrics["Rows in clusters"] == f"{len(found.members):,}"
    assert metrics["Signals compared"] == f"{found.rows:,}"
    table = app.dataframe[0].value
    assert table["label"].tolist() == found.summary["label"].tolist()
    assert table["documents"].tolist() == found.summary["documents"].tolist()
    assert table["strength"].tolist() == pytest.approx(found.summary["strength"].tolist())
    preview = app.dataframe[1].value
    expected_radar = radar.build_radar(planted, "clusters", clusters=found, top=radar.DEFAULT_TOP)
    assert preview["name"].tolist() == expected_radar["name"].tolist()
    assert preview["ring"].tolist() == expected_radar["ring"].tolist()
    # Another threshold and another section.
    app.slider(key="clusters_threshold").set_value(0.7).run()
    assert _metrics(app)["Clusters"] == f"{len(find_clusters(planted, ('signals',), 0.7).summary):,}"
    app.selectbox(key="clusters_section").set_value("behaviors").run()
    assert _metrics(app)["Clusters"] == f"{len(find_clusters(planted, ('behaviors',), 0.7).summary):,}"


def test_network_tables_match_the_graph(monkeypatch, planted_dir, planted):
    app = _app(monkeypatch, planted_dir, NETWORK)
    graph = typed.typed_network(planted, ("themes", "signals", "technologies"), top_per_type=15, min_weight=1.0)
    assert any(f"{graph.number_of_nodes():,} nodes, {graph.number_of_edges():,} links" in c.value for c in app.caption)
    connected = app.dataframe[0].value
    expected = typed.most_connected(graph, 15)
    assert connected["label"].tolist() == expected["label"].tolist()
    assert connected["weight"].tolist() == pytest.approx(expected["weight"].tolist())
    bridges = app.dataframe[1].value
    assert bridges["label"].tolist() == typed.bridges(graph, 15)["label"].tolist()
    app.multiselect(key="network_types").set_value(["themes"]).run()
    themes_only = typed.typed_network(planted, ("themes",), top_per_type=15, min_weight=1.0)
    assert app.dataframe[0].value["label"].tolist() == typed.most_connected(themes_only, 15)["label"].tolist()


@pytest.mark.parametrize("page", PAGES)
def test_empty_state(monkeypatch, planted_dir, page):
    app = _app(monkeypatch, planted_dir, page, {"q": "zzzz-no-such-text-zzzz"})
    assert any("Nothing matches" in i.value or "Widen the filters" in i.value for i in app.info)


# ---------------------------------------------------------------------------------------------
# In Chromium: clicks, the aliases upload, the radar download
# ---------------------------------------------------------------------------------------------




@pytest.fixture(scope="module")
def app_url(planted_dir, tmp_path_factory):
    """The app, started with the README's command on planted_dir."""
    with running_app(planted_dir, tmp_path_factory.mktemp("insight-browser-cache")) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    with chromium() as browser_:
        yield browser_


def _open(browser, url: str):
    page = browser.new_page(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    page.goto(url)
    page.wait_for_selector("[data-testid='stMetric'], [data-testid='stPlotlyChart']", timeout=60_000)
    return page


def _wait_for_param(page, key: str, timeout: float = 60) -> list[str]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        values = parse_qs(urlsplit(page.url).query).get(key)
        if values:
            return values
        page.wait_for_timeout(250)
    raise AssertionError(f"no {key}= in {page.url}")


def _click_node(page, trace_name: str) -> None:
    """Click the first marker of the named trace (plotly draws one <g class="trace"> per trace)."""
    chart = page.locator("[data-testid='stPlotlyChart']").first
    chart.wait_for(timeout=30_000)
    legend = [t.strip() for t in chart.locator(".legendtext").evaluate_all("els => els.map(e => e.textContent)")]
    # Scatter traces: the edge traces come first (no legend entry), then one per node type in legend order.
    traces = chart.locator(".scatterlayer .trace")
    marker_traces = traces.count() - len(legend)
    point = traces.nth(marker_traces + legend.index(trace_name)).locator(".points path").first
    box = point.bounding_box()
    click_plotly_point(page, (box["x"] + box["width"] / 2, box["y"] + box["height"] / 2))


@pytest.mark.browser
def test_clicking_nodes_filters_the_dashboard(browser, app_url):
    page = _open(browser, f"{app_url}/network")
    _click_node(page, "Themes")
    theme = _wait_for_param(page, "theme")
    assert len(theme) == 1
    page.close()
    page = _open(browser, f"{app_url}/network")
    _click_node(page, "Signals")
    assert _wait_for_param(page, "q")[0]
    page.close()


@pytest.mark.browser
def test_clicking_a_top_theme_on_the_overview_filters_by_it(browser, app_url, planted):
    page = _open(browser, app_url)
    chart = page.locator("[data-testid='stVegaLiteChart']").first
    chart.locator("canvas, svg.marks").first.wait_for(timeout=30_000)
    top = numbers.top_themes(planted, n=15)["theme"].tolist()
    # Find the first bar (the most frequent theme) by its tooltip, hovering down the chart at 45% of
    # its width (right of the theme names at 1400 px), then click it once: clicking down
    # the chart until the URL changed could click a second bar before the first click's run ended.
    bars = wait_until(page, lambda: [(x, y) for x, y, tip in scan_tooltips(page, chart, 0.45, step=5)
                                     if tip.get("Theme") == top[0]], f"a bar with the tooltip {top[0]}")
    page.mouse.click(*bars[len(bars) // 2])
    picked = _wait_for_param(page, "theme")
    assert picked == [top[0]]
    page.close()


@pytest.mark.browser
def test_radar_download_and_aliases_upload(browser, app_url, planted, tmp_path):
    page = _open(browser, f"{app_url}/clusters")
    with page.expect_download(timeout=30_000) as download:
        page.get_by_role("button", name="Radar CSV").click()
    rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8"))))
    expected = radar.build_radar(planted, "clusters", top=radar.DEFAULT_TOP)
    assert [r["name"] for r in rows] == expected["name"].tolist()
    assert list(rows[0]) == list(radar.COLUMNS)

    page.close()

    # Upload an aliases file merging "AI" into "artificial intelligence": the Overview's theme count
    # drops by one, as apply_aliases says.
    aliases_file = tmp_path / "aliases.csv"
    aliases_file.write_text("alias,theme\nAI,artificial intelligence\n", encoding="utf-8")
    merged = apply_aliases(planted, parse_aliases(aliases_file.read_text(encoding="utf-8")))
    page = _open(browser, app_url)
    themes = page.locator("[data-testid='stMetric']").filter(has_text="Themes")
    assert themes.inner_text().split()[-1] == f"{planted.themes['theme_key'].nunique():,}"
    page.get_by_text("Data source").click()
    page.locator("[data-testid='stFileUploader']").filter(has_text="Theme aliases").locator(
        "input[type='file']").set_input_files(str(aliases_file))
    page.get_by_text("1 theme aliases in use.").wait_for(timeout=30_000)
    wanted = f"{merged.themes['theme_key'].nunique():,}"
    wait_until(page, lambda: themes.inner_text().split()[-1] == wanted, f"the Themes metric to read {wanted}")
    page.close()
