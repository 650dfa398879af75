"""The Assessment grid in Debian's Chromium: rows rated through the annotations API into a temporary
workspace; a click on a point lists exactly the rows rated there, a box around the "act now" zone and
a lasso around the "park" zone list theirs (read from the list's own download), and a listed row opens
its document with the view kept. The rows expected are picked here from the loaded items by position,
not by the app's functions."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pandas as pd
import pytest
from browser_support import (
    BROWSER_MARKS,
    chromium,
    click_plotly_point,
    running_app,
    shot,
    wait_idle,
    wait_until,
)

from signals import load_corpus
from signals.synth import write_corpus
from signals.workspace import annotations
from signals.workspace.store import Store

pytestmark = BROWSER_MARKS

#: (position among the items, impact, likelihood, horizon or None).
RATINGS = [(3, 5, 4, "<1y"), (40, 5, 4, "<1y"), (41, 5, 4, "1-3y"), (90, 4, 5, None), (120, 4, 2, ">10y"),
           (200, 1, 1, "3-10y"), (201, 1, 1, "3-10y"), (202, 2, 3, None), (300, 2, 5, "<1y")]

#: Every marker of the grid: its point id and its centre in page pixels (plotly's own axis mapping).
MARKERS_JS = """() => {
  const plot = [...document.querySelectorAll('.js-plotly-plot')].find(p => p._fullLayout && p.offsetParent !== null);
  if (!plot) return null;
  const box = plot.getBoundingClientRect(), layout = plot._fullLayout;
  const x = v => box.x + layout._size.l + layout.xaxis.l2p(v), y = v => box.y + layout._size.t + layout.yaxis.l2p(v);
  return plot._fullData.flatMap(trace => trace.x.map((v, i) => ({id: trace.customdata[i][0], x: x(v), y: y(trace.y[i])})))
    .concat([{id: '__origin', x: x(0.5), y: y(0.5)}, {id: '__far', x: x(5.5), y: y(5.5)}]);
}"""


@pytest.fixture(scope="module")
def corpus_dir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("assessment-corpus")
    write_corpus(folder, 200, seed=3)
    return folder


@pytest.fixture(scope="module")
def rated(corpus_dir, tmp_path_factory) -> tuple[Path, pd.DataFrame]:
    """The workspace file with RATINGS written, and the rated rows (doc_id, name, impact, likelihood, horizon)."""
    workspace = tmp_path_factory.mktemp("assessment-workspace") / "workspace.sqlite"
    items = load_corpus(corpus_dir, cache_root=tmp_path_factory.mktemp("assessment-expected")).items
    store = Store.open(workspace)
    for position, impact, likelihood, horizon in RATINGS:
        target = annotations.row_targets(items, [items.index[position]])[0]
        annotations.annotate(store, target, {"impact": impact, "likelihood": likelihood, "horizon": horizon},
                             by="browser test")
    expected = pd.DataFrame({
        "doc_id": [str(items["doc_id"].iloc[p]) for p, *_ in RATINGS],
        "name": [str(items["label"].iloc[p]) for p, *_ in RATINGS],
        "impact": [i for _, i, _, _ in RATINGS], "likelihood": [li for _, _, li, _ in RATINGS],
        "horizon": [h or "" for *_, h in RATINGS]})
    return workspace, expected


@pytest.fixture(scope="module")
def app_url(corpus_dir, rated, tmp_path_factory):
    with running_app(corpus_dir, tmp_path_factory.mktemp("assessment-cache"), env={"SIGNALS_WORKSPACE": str(rated[0])}) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    with chromium() as browser_:
        yield browser_


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1500, "height": 1100}, accept_downloads=True)
    page_ = context.new_page()
    errors: list[str] = []
    page_.on("pageerror", lambda error: errors.append(str(error)))
    yield page_
    context.close()
    assert not errors, errors


def _markers(page) -> dict[str, tuple[float, float]]:
    found = wait_until(page, lambda: page.evaluate(MARKERS_JS), "the grid's markers")
    return {marker["id"]: (marker["x"], marker["y"]) for marker in found}


def _listed(page) -> list[tuple[str, str]]:
    """The listed rows, from the list's own CSV download: [(doc_id, name)]."""
    button = page.get_by_role("button", name=re.compile(r"^CSV of these rows \(\d+\)"))
    button.wait_for(timeout=30_000)
    with page.expect_download(timeout=30_000) as download:
        button.click()
    rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8"))))
    return [(row["doc_id"], row["name"]) for row in rows]


def _pairs(frame: pd.DataFrame) -> list[tuple[str, str]]:
    return sorted(zip(frame["doc_id"], frame["name"]))


def _tool(page, title: str) -> None:
    """Pick a tool of the chart's toolbar (shown on hover)."""
    page.locator('[data-testid="stPlotlyChart"]').first.hover()
    page.locator(f'.modebar-btn[data-title="{title}"]').first.click()


def _open(page, url: str) -> dict[str, tuple[float, float]]:
    page.goto(url)
    wait_idle(page)
    return _markers(page)


def test_clicking_a_point_lists_exactly_the_rows_rated_there(app_url, page, rated):
    _, expected = rated
    markers = _open(page, f"{app_url}/assessment")
    assert len([m for m in markers if not m.startswith("__")]) == 7, "9 rated rows, two pairs sharing a point"
    there = expected[(expected["impact"] == 5) & (expected["likelihood"] == 4) & (expected["horizon"] == "<1y")]
    assert len(there) == 2
    # The tooltip says what the point is.
    page.mouse.move(*markers["5|4|<1y"])
    tip = wait_until(page, lambda: page.locator(".hoverlayer .hovertext").all_text_contents(), "the point's tooltip")[0]
    for words in ("2 rows: ", "impact 5 · likelihood 4", f"{there['doc_id'].nunique()} documents · 2 rows",
                  "status: new", "horizon: <1y", "zone: Act now", *there["name"].head(1)):
        # Spaces aside: a long line is wrapped, and the wrapped lines' text runs together here.
        assert "".join(words.split()) in "".join(tip.split()), (words, tip)
    click_plotly_point(page, markers["5|4|<1y"])
    wait_idle(page)
    page.get_by_role("heading", name="Rows at impact 5, likelihood 4 (<1y)").wait_for(timeout=30_000)
    assert sorted(_listed(page)) == _pairs(there)
    shot(page, "assessment-point-clicked")


def test_selecting_a_point_in_the_table_beside_the_chart_lists_its_rows(app_url, page, rated):
    _, expected = rated
    _open(page, f"{app_url}/assessment")
    table = page.locator('[data-testid="stDataFrame"]').first
    box = table.bounding_box()
    page.mouse.click(box["x"] + 15, box["y"] + 35 + 18)  # the first point's selection box: act now, 5 x 4, <1y
    wait_idle(page)
    page.get_by_role("heading", name="Rows at impact 5, likelihood 4 (<1y)").wait_for(timeout=30_000)
    there = expected[(expected["impact"] == 5) & (expected["likelihood"] == 4) & (expected["horizon"] == "<1y")]
    assert sorted(_listed(page)) == _pairs(there)


def test_a_box_around_act_now_and_a_lasso_around_park_list_their_rows(app_url, page, rated):
    _, expected = rated
    markers = _open(page, f"{app_url}/assessment")
    (left, bottom), (right, top) = markers["__origin"], markers["__far"]
    _tool(page, "Box Select")
    middle_x, middle_y = left + (right - left) * 0.6, bottom + (top - bottom) * 0.6  # just past the 3.5 cuts
    page.mouse.move(middle_x, middle_y)
    page.mouse.down()
    page.mouse.move((middle_x + right) / 2, (middle_y + top) / 2, steps=5)
    page.mouse.move(right - 3, top + 3, steps=5)
    page.mouse.up()
    wait_idle(page)
    page.get_by_role("heading", name=re.compile(r"^Rows of \d+ points in Act now$")).wait_for(timeout=30_000)
    act_now = expected[(expected["impact"] >= 4) & (expected["likelihood"] >= 4)]
    assert sorted(_listed(page)) == _pairs(act_now)
    shot(page, "assessment-box-act-now")

    # A lasso (the chart's toolbar) around the lower left: the park zone's points.
    markers = _open(page, f"{app_url}/assessment")
    (left, bottom), (right, top) = markers["__origin"], markers["__far"]
    _tool(page, "Lasso Select")
    cut_x, cut_y = left + (right - left) * 0.6 - 4, bottom + (top - bottom) * 0.6 + 4
    corners = [(left + 3, bottom - 3), (cut_x, bottom - 3), (cut_x, cut_y), (left + 3, cut_y), (left + 3, bottom - 6)]
    page.mouse.move(*corners[0])
    page.mouse.down()
    for corner in corners[1:]:
        page.mouse.move(*corner, steps=8)
    page.mouse.up()
    wait_idle(page)
    page.get_by_role("heading", name=re.compile(r"^Rows of \d+ points in Park$")).wait_for(timeout=30_000)
    park = expected[(expected["impact"] <= 3) & (expected["likelihood"] <= 3)]
    assert sorted(_listed(page)) == _pairs(park)
    shot(page, "assessment-lasso-park")


def test_a_listed_row_opens_its_document(app_url, page, rated):
    _, expected = rated
    markers = _open(page, f"{app_url}/assessment?rmin=1")
    click_plotly_point(page, markers["5|4|<1y"])
    wait_idle(page)
    page.get_by_role("heading", name="Rows at impact 5, likelihood 4 (<1y)").wait_for(timeout=30_000)
    grid = page.locator('[data-testid="stDataFrame"]').last
    grid.scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 15, box["y"] + 35 + 18)  # the first listed row's selection box
    page.wait_for_url(re.compile(r"/document\?"), timeout=30_000)
    wait_idle(page)
    there = expected[(expected["impact"] == 5) & (expected["likelihood"] == 4) & (expected["horizon"] == "<1y")]
    first = min(there["doc_id"])  # listed by document once the ratings tie
    params = parse_qs(urlparse(page.url).query)
    assert params.get("doc") == [first]
    page.get_by_role("button", name="Back to Assessment").wait_for(timeout=30_000)
    shot(page, "assessment-document-opened")


def test_in_theme_mode_a_click_lists_the_rows_of_the_themes_documents(app_url, page, corpus_dir):
    corpus = load_corpus(corpus_dir)
    _open(page, f"{app_url}/assessment")
    page.get_by_text("Themes: relevancy × emergence").click()
    wait_idle(page)
    markers = wait_until(page, lambda: (found := page.evaluate(MARKERS_JS)) and
                         [m for m in found if not m["id"].startswith("__") and "|" not in m["id"]], "the themes' markers")
    theme_key = markers[0]["id"]
    click_plotly_point(page, (markers[0]["x"], markers[0]["y"]))
    wait_idle(page)
    page.get_by_role("heading", name=re.compile(r"^Rows of the documents with ")).wait_for(timeout=30_000)
    themes = corpus.themes.astype({"doc_id": "str", "theme_key": "str"})
    documents = set(themes.loc[themes["theme_key"] == theme_key, "doc_id"])
    items = corpus.items[corpus.items["doc_id"].astype("str").isin(documents)]
    listed = _listed(page)
    assert {doc for doc, _ in listed} == documents
    assert sorted(listed) == sorted(zip(items["doc_id"].astype("str"), items["label"].astype("str")))
    shot(page, "assessment-theme-clicked")
