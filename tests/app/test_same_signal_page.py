"""The Same signal page: a cluster's rows show name and description first, then the document's title,
date and source domain (AppTest); the radar preview is as tall as its rows (Chromium)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from browser_support import chromium, running_app
from streamlit.testing.v1 import AppTest

from signals import load_corpus
from signals.analysis.clusters import DEFAULT_THRESHOLD, find_clusters
from signals.synth import write_corpus

ROOT = Path(__file__).resolve().parents[2]
DASHBOARD = str(ROOT / "dashboard.py")
CLUSTERS = "signals/app/pages/same_signal.py"
MEMBER_COLUMNS = ["★", "name", "description", "status", "impact", "likelihood", "horizon", "tags", "note",
                  "title", "date", "domain", "relevancy", "similarity"]


@pytest.fixture(scope="module")
def planted_dir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("planted-same-signal")
    write_corpus(folder, 200, seed=2, planted=True)
    return folder


def _cluster_rows(monkeypatch, folder: Path, section: str = "signals"):
    """The app on the Same signal page with its first cluster selected -> the members table.

    The section's rows are embedded first (the page would otherwise show its progress bar and fill in
    when the background job ends: test_embedding_progress_then_clusters)."""
    find_clusters(load_corpus(folder), (section,))
    monkeypatch.setenv("SIGNALS_DATA", str(folder))
    app = AppTest.from_file(DASHBOARD, default_timeout=90)
    app.run()
    app.switch_page(CLUSTERS).run()
    if section != "signals":
        app.selectbox(key="clusters_section").set_value(section).run()
    app.session_state[f"clusters-table-{section}"] = {"selection": {"rows": [0], "columns": []}}
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app.dataframe[1].value


def _expected_rows(folder: Path, section: str):
    """Cluster 1's rows, read from the corpus frames by (document, row): name, description, title,
    date and domain, in the order find_clusters lists its members."""
    corpus = load_corpus(folder)
    found = find_clusters(corpus, (section,), DEFAULT_THRESHOLD)
    members = found.members[found.members["cluster_id"] == 1]
    items = corpus.items[corpus.items["section"].astype("str") == section].astype({"doc_id": "str"})
    items = items.set_index(["doc_id", "row"])
    documents = corpus.documents.astype({"doc_id": "str"}).set_index("doc_id")
    keys = list(zip(members["doc_id"].astype("str"), members["row"]))
    return {
        "name": [items.loc[k, "name"] for k in keys],
        # A row without a description shows an empty cell (the page fills it with "").
        "description": ["" if pd.isna(items.loc[k, "description"]) else items.loc[k, "description"] for k in keys],
        "title": [documents.loc[d, "title"] for d, _ in keys],
        "domain": [documents.loc[d, "domain"] for d, _ in keys],
    }


def test_cluster_rows_show_name_and_description_first(monkeypatch, planted_dir):
    rows = _cluster_rows(monkeypatch, planted_dir)
    assert list(rows.columns) == MEMBER_COLUMNS
    expected = _expected_rows(planted_dir, "signals")
    assert len(rows) >= 2
    for column in ("name", "description", "title", "domain"):
        assert rows[column].tolist() == expected[column], column


def test_rows_without_a_name_on_the_real_corpus(monkeypatch, futures_dir):
    """Real Technologies rows have no name: the name column is empty, not the description again."""
    rows = _cluster_rows(monkeypatch, futures_dir, "technologies")
    assert list(rows.columns[:3]) == ["★", "name", "description"]
    expected = _expected_rows(futures_dir, "technologies")
    assert rows["description"].tolist() == expected["description"]
    assert rows["name"].isna().all() and all(d for d in rows["description"])
    assert rows["domain"].tolist() == expected["domain"]


@pytest.mark.browser
def test_radar_preview_is_as_tall_as_its_rows(planted_dir, tmp_path):
    """Four blips: header and four rows, no empty rows under them (a fixed 240 px left two)."""
    with running_app(planted_dir, tmp_path / "cache") as url, chromium() as browser:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(f"{url}/clusters")
        page.wait_for_selector("[data-testid='stMetric']", timeout=60_000)
        blips = page.get_by_label("Blips, at most")
        blips.fill("4")
        blips.press("Enter")
        page.get_by_role("button", name="Radar CSV (4 blips)").wait_for(timeout=30_000)
        preview = page.locator("[data-testid='stDataFrame']").last
        preview.scroll_into_view_if_needed()
        page.wait_for_timeout(500)
        height = preview.bounding_box()["height"]
        # Streamlit's rows are 35 px, header included, plus a border.
        assert 5 * 35 <= height <= 5 * 35 + 4, height
        page.close()


def test_a_view_with_too_many_rows_asks_for_narrower_filters(monkeypatch, planted_dir, tmp_path):
    """Above CLUSTER_MAX_ROWS_IN_APP rows of the section the page groups nothing and says why; narrowed by a
    theme below it, it groups the view's rows. The limit is lowered to this small corpus's size."""
    loaded = load_corpus(planted_dir, cache_root=tmp_path)
    signals = loaded.items[loaded.items["section"].astype("str") == "signals"]
    theme = loaded.themes["theme"].astype("str").value_counts().index[-1]  # the rarest: fewest rows
    theme_docs = set(loaded.themes.loc[loaded.themes["theme"].astype("str") == theme, "doc_id"].astype("str"))
    in_theme = int(signals["doc_id"].astype("str").isin(theme_docs).sum())
    assert 0 < in_theme < len(signals)
    monkeypatch.setenv("SIGNALS_DATA", str(planted_dir))
    monkeypatch.setenv("SIGNALS_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr("signals.analysis.parameters.CLUSTER_MAX_ROWS_IN_APP", in_theme)
    app = AppTest.from_file(DASHBOARD, default_timeout=90)
    app.run()
    app.switch_page(CLUSTERS).run()
    assert not app.exception, [e.value for e in app.exception]
    assert any(f"{len(signals):,} signals rows" in info.value and "more than this page groups" in info.value
               for info in app.info)
    assert not app.metric  # nothing grouped
    app.multiselect(key="theme").set_value([theme]).run()
    assert not any("more than this page groups" in info.value for info in app.info)
    from signals.semantic import jobs  # the section's embeddings are made in the background first

    for job in list(jobs._jobs.values()):
        job.finished.wait(120)
    app.run()
    compared = {metric.label: metric.value for metric in app.metric}
    assert compared["Signals compared"] == f"{in_theme:,}"


def test_embedding_progress_then_clusters(monkeypatch, tmp_path):
    """A corpus never embedded: the page shows a progress bar (the work runs in the background), then,
    once the job has ended, the clusters. The job is held until the first run has drawn."""
    import threading

    from signals.semantic import jobs

    folder = tmp_path / "fresh"
    write_corpus(folder, 40, seed=5)
    monkeypatch.setenv("SIGNALS_CACHE_DIR", str(tmp_path / "cache"))
    release = threading.Event()
    real_run = jobs._run

    def held_run(*args):
        release.wait(60)
        real_run(*args)

    monkeypatch.setattr(jobs, "_run", held_run)
    monkeypatch.setenv("SIGNALS_DATA", str(folder))
    app = AppTest.from_file(DASHBOARD, default_timeout=90)
    app.run()
    app.switch_page(CLUSTERS).run()
    rows = int((load_corpus(folder).items["section"].astype("str") == "signals").sum())
    assert not app.metric  # no clusters yet
    texts = [element.proto.text for element in app.get("progress")]
    assert texts and f"{rows:,} signals rows" in texts[0] and "0 done" in texts[0]
    release.set()
    for job in list(jobs._jobs.values()):
        job.finished.wait(60)
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    assert not app.get("progress")
    found = find_clusters(load_corpus(folder), ("signals",))
    assert app.metric[0].value == f"{len(found.summary):,}"


def test_above_the_limit_the_page_reads_what_signals_clusters_stored_for_those_rows(monkeypatch, planted_dir,
                                                                                    tmp_path):
    """Above CLUSTER_MAX_ROWS_IN_APP the page groups nothing itself, but once the whole section was grouped
    (as `signals clusters` does) it shows that answer, says where it comes from, and a threshold it was not
    computed for asks for filters again."""
    monkeypatch.setenv("SIGNALS_DATA", str(planted_dir))
    monkeypatch.setenv("SIGNALS_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr("signals.analysis.parameters.CLUSTER_MAX_ROWS_IN_APP", 10)
    app = AppTest.from_file(DASHBOARD, default_timeout=90)
    app.run()
    app.switch_page(CLUSTERS).run()
    assert any("signals clusters" in info.value for info in app.info), "the page says how to compute them"
    assert not app.metric

    computed = find_clusters(load_corpus(planted_dir), ("signals",))  # what the CLI runs, same cache folder
    assert len(computed.summary)
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    assert not any("signals clusters" in info.value for info in app.info)
    shown = {metric.label: metric.value for metric in app.metric}
    assert shown["Clusters"] == f"{len(computed.summary):,}"
    assert shown["Rows in clusters"] == f"{len(computed.members):,}"
    assert "Read back in" in shown
    assert any("computed earlier" in caption.value for caption in app.caption)
    table = app.dataframe[0].value
    assert table["label"].tolist()[:5] == computed.summary["label"].tolist()[:5]

    app.slider(key="clusters_threshold").set_value(DEFAULT_THRESHOLD + 0.1).run()
    assert any("signals clusters" in info.value for info in app.info)
    assert not app.metric


def test_above_the_limit_a_button_groups_the_view_in_the_background(monkeypatch, tmp_path):
    """Above the limit, "Group these N rows now" starts the grouping in the background: the page shows
    its progress, then, once it is done, the clusters (read back from where the job stored them)."""
    import threading

    from signals.analysis import cluster_jobs

    folder = tmp_path / "corpus"
    write_corpus(folder, 40, seed=5)
    rows = int((load_corpus(folder).items["section"].astype("str") == "signals").sum())
    monkeypatch.setenv("SIGNALS_DATA", str(folder))
    monkeypatch.setenv("SIGNALS_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr("signals.analysis.parameters.CLUSTER_MAX_ROWS_IN_APP", 10)
    monkeypatch.setattr(cluster_jobs, "_latest", None)
    release, real = threading.Event(), cluster_jobs.find_clusters

    def held(*args, **kwargs):  # the grouping waits until the page has shown its progress
        release.wait(60)
        return real(*args, **kwargs)

    monkeypatch.setattr(cluster_jobs, "find_clusters", held)
    app = AppTest.from_file(DASHBOARD, default_timeout=90)
    app.run()
    app.switch_page(CLUSTERS).run()
    assert not app.metric
    button = app.button(key="clusters-start")
    assert button.label == f"Group these {rows:,} signals rows now"
    button.click().run()
    assert not app.exception, [e.value for e in app.exception]
    job = cluster_jobs.running()
    assert job is not None and job.rows == rows
    assert any(f"Grouping {rows:,} signals rows in the background" in info.value for info in app.info)
    assert "clusters-start" not in [b.key for b in app.button]  # no second start while it runs
    release.set()
    assert job.finished.wait(120) and job.error is None
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    monkeypatch.setenv("SIGNALS_CACHE_DIR", str(tmp_path / "own-cache"))  # computed afresh, not read back
    computed = find_clusters(load_corpus(folder), ("signals",))
    shown = {metric.label: metric.value for metric in app.metric}
    assert shown["Clusters"] == f"{len(computed.summary):,}"
    assert "Read back in" in shown
    assert any("in the background" in caption.value for caption in app.caption)


@pytest.mark.browser
def test_the_start_button_groups_a_large_view_in_chromium(tmp_path, monkeypatch):
    """In Chromium, on a view above the page's limit (lowered for this small corpus): clicking "Group
    these N signals rows now" shows the work going on, then the clusters, as many as find_clusters
    finds for the same rows (computed here in a cache folder of its own)."""
    from browser_support import ARTIFACTS

    folder = tmp_path / "corpus"
    write_corpus(folder, 40, seed=5)
    monkeypatch.setenv("SIGNALS_CACHE_DIR", str(tmp_path / "own-cache"))
    corpus = load_corpus(folder)
    rows = int((corpus.items["section"].astype("str") == "signals").sum())
    expected = find_clusters(corpus, ("signals",))
    with (running_app(folder, tmp_path / "cache", env={"SIGNALS_CLUSTER_ROWS_IN_APP": "20"}) as url,
          chromium() as browser):
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(f"{url}/clusters")
        start = page.get_by_role("button", name=f"Group these {rows:,} signals rows now")
        start.wait_for(timeout=60_000)
        assert page.locator("[data-testid='stMetric']").count() == 0
        start.click()
        clusters = page.locator("[data-testid='stMetric']").first  # "Clusters", then "Rows in clusters"
        clusters.wait_for(timeout=120_000)
        assert clusters.locator("[data-testid='stMetricLabel']").inner_text().strip() == "Clusters"
        assert clusters.locator("[data-testid='stMetricValue']").inner_text().strip() == f"{len(expected.summary):,}"
        assert page.get_by_text("in the background, or by").count() == 1
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "same-signal-grouped-in-background.png"), full_page=True)
        page.close()


def test_a_selected_cluster_shows_its_nearest_other_cluster(monkeypatch, planted_dir):
    """Selecting a cluster that has a nearest other cluster shows it in an expander, with that
    cluster's rows (read from the corpus by document and row) and the mean cosine between the two."""
    corpus = load_corpus(planted_dir)
    found = find_clusters(corpus, ("signals",))
    summary = found.summary.reset_index(drop=True)
    shown = summary.head(200)
    position = int(shown.index[shown["close_to"].notna()][0])
    cluster = shown.iloc[position]
    other_id = int(cluster["close_to"])
    monkeypatch.setenv("SIGNALS_DATA", str(planted_dir))
    app = AppTest.from_file(DASHBOARD, default_timeout=90)
    app.run()
    app.switch_page(CLUSTERS).run()
    assert app.dataframe[0].value["close_to"].iloc[position] == str(other_id)
    without = shown.index[shown["close_to"].isna()]
    assert len(without)  # the planted corpus has clusters with no near one: a dash, not "None"
    assert app.dataframe[0].value["close_to"].iloc[int(without[0])] == "—"
    # beside the counts, not past the dates at the table's right edge
    assert list(app.dataframe[0].value.columns).index("close_to") < 6
    app.session_state["clusters-table-signals"] = {"selection": {"rows": [position], "columns": []}}
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    nearest = [e for e in app.expander if e.label.startswith("Nearest other cluster")]
    assert len(nearest) == 1
    assert f"{other_id}," in nearest[0].label
    assert f"mean cosine {cluster['close_similarity']:.2f}" in nearest[0].label
    other = found.members[found.members["cluster_id"] == other_id]
    items = corpus.items[corpus.items["section"].astype("str") == "signals"].astype({"doc_id": "str"})
    items = items.set_index(["doc_id", "row"])
    expected = [items.loc[(str(d), r), "description"] for d, r in zip(other["doc_id"], other["row"])]
    table = nearest[0].dataframe[0].value
    assert table["description"].tolist() == expected


@pytest.mark.browser
def test_clicking_a_cluster_row_then_its_nearest_cluster_in_chromium(planted_dir, tmp_path):
    """In Chromium: click the selection box of the first cluster that names a nearest other cluster,
    then the "Nearest other cluster" expander: it opens on that cluster's rows, with the caption that
    says why the two stayed apart."""
    from browser_support import ARTIFACTS

    found = find_clusters(load_corpus(planted_dir), ("signals",))
    position = int(found.summary.index[found.summary["close_to"].notna()][0])
    assert position < 8, "visible in the table without scrolling it"
    other_id = int(found.summary.iloc[position]["close_to"])
    with running_app(planted_dir, tmp_path / "cache") as url, chromium() as browser:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(f"{url}/clusters")
        page.wait_for_selector("[data-testid='stMetric']", timeout=60_000)
        grid = page.locator("[data-testid='stDataFrame']").first
        box = grid.bounding_box()
        page.mouse.click(box["x"] + 15, box["y"] + 35 * (position + 1) + 18)  # the row's selection box
        heading = page.get_by_text(f"Nearest other cluster: {other_id},")
        heading.wait_for(timeout=60_000)
        heading.click()
        page.get_by_text("The two stayed apart").wait_for(timeout=30_000)
        details = page.locator("[data-testid='stExpanderDetails']").filter(has_text="The two stayed apart")
        assert details.locator("[data-testid='stDataFrame']").count() == 1
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "same-signal-nearest-cluster.png"), full_page=True)
        page.close()
