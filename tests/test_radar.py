"""signals.radar: the Build Your Own Radar CSV (name, ring, quadrant, isNew, description)."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pandas as pd
import pytest

from signals import radar, schema
from signals.analysis.clusters import find_clusters
from signals.analysis.emerging import as_of_date, windows
from signals.corpus_type import Corpus
from signals.ingest.load import load_corpus
from signals.synth import write_corpus

TODAY = dt.date(2025, 1, 1)


def make_corpus() -> Corpus:
    """Six documents, one signal each (relevancy 5, 5, 4, 3, 2, none), categories a, a, b, c, d, e."""
    documents = pd.DataFrame({
        "doc_id": [f"d{i}" for i in range(6)],
        "title": [f"Title {i}" for i in range(6)],
        "date": pd.to_datetime(["2024-12-20", "2023-01-01", "2024-11-02", "2024-03-03", "2022-05-05", "2021-01-01"]),
        "category": pd.Categorical(["a", "a", "b", "c", "d", "e"]),
        "type": pd.Categorical(["news"] * 6),
    })
    items = pd.DataFrame({
        "doc_id": documents["doc_id"], "section": pd.Categorical(["signals"] * 6), "row": 0,
        "name": ["=cmd|' /C calc'!A0", "Beta", "Gamma", "Delta", "Epsilon", "Zeta"],
        "description": [f"Description {i}." for i in range(6)],
        "relevancy": pd.array([5, 5, 4, 3, 2, None], dtype="Int8"),
    })
    items["label"] = items["name"]
    themes = pd.DataFrame({"doc_id": ["d0", "d1", "d2"], "theme": ["AI", "AI", "energy"]})
    themes["theme_key"] = themes["theme"].map(schema.theme_key).astype("category")
    themes["theme"] = themes["theme"].astype("category")
    return Corpus(documents=documents, keywords=pd.DataFrame({"doc_id": [], "keyword": []}), themes=themes,
                  items=items, links=pd.DataFrame(columns=list(schema.LINK_COLUMNS)),
                  problems=pd.DataFrame(columns=["doc_id", *schema.PROBLEM_COLUMNS]))


def test_rows_by_relevancy():
    table = radar.radar_from_rows(make_corpus(), today=TODAY)
    assert list(table.columns) == list(radar.COLUMNS)
    rings = dict(zip(table["name"], table["ring"]))
    assert rings["Beta"] == "Act now" and rings["Gamma"] == "Prepare" and rings["Delta"] == "Watch"
    assert rings["Epsilon"] == "Scan" and rings["Zeta"] == "Scan"  # 2 and unrated
    # Listed ring by ring, innermost first (BYOR takes ring order from first appearance).
    order = [radar.RINGS.index(r) for r in table["ring"]]
    assert order == sorted(order)
    # New = the document is in the recent window (the last 6 months up to 2024-12-20).
    assert dict(zip(table["name"], table["isNew"])) == {
        "=cmd|' /C calc'!A0": "TRUE", "Beta": "FALSE", "Gamma": "TRUE", "Delta": "FALSE", "Epsilon": "FALSE",
        "Zeta": "FALSE"}
    assert table.set_index("name").loc["Beta", "description"] == "Description 1. (Title 1, 2023-01-01)"


def test_quadrants_collapse_to_four():
    table = radar.radar_from_rows(make_corpus(), today=TODAY)
    assert set(table["quadrant"]) == {"a", "b", "c", "Other"}  # a (2), then b, c alphabetically among 1s
    assert radar.quadrant_warning(table) is None
    by_theme = radar.radar_from_rows(make_corpus(), quadrant_by="theme", today=TODAY)
    assert dict(zip(by_theme["name"], by_theme["quadrant"]))["Gamma"] == "energy"
    assert "1 quadrant" in radar.quadrant_warning(radar.radar_from_rows(make_corpus(), quadrant_by="section"))


def test_top_and_strength_rings():
    table = radar.radar_from_rows(make_corpus(), ring_by="strength", top=4, today=TODAY)
    assert len(table) == 4
    assert table["ring"].tolist() == list(radar.RINGS)  # one per quarter of four blips
    with pytest.raises(ValueError):
        radar.radar_from_rows(make_corpus(), ring_by="mood")
    with pytest.raises(ValueError):
        radar.build_radar(make_corpus(), "everything")


def test_csv_is_what_byor_reads_and_is_escaped():
    data = radar.radar_csv(radar.radar_from_rows(make_corpus(), today=TODAY))
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8"))))
    assert list(rows[0]) == ["name", "ring", "quadrant", "isNew", "description"]
    assert {r["isNew"] for r in rows} <= {"TRUE", "FALSE"}
    assert len({r["ring"] for r in rows}) <= 4
    assert len({r["name"].casefold() for r in rows}) == len(rows)
    assert rows[0]["name"].startswith("'=")  # a formula-like name cannot run in a spreadsheet


@pytest.fixture(scope="module")
def planted(tmp_path_factory):
    folder = tmp_path_factory.mktemp("planted-radar")
    write_corpus(folder, 300, seed=4, planted=True)
    return load_corpus(folder, use_cache=False)


def test_clusters_radar(planted):
    found = find_clusters(planted)
    table = radar.build_radar(planted, "clusters", clusters=found, top=20)
    assert len(table) == min(20, len(found.summary))
    assert table["ring"].value_counts().to_dict() == {r: 5 for r in radar.RINGS}  # quarters by strength
    strongest = found.summary.iloc[0]
    assert table.iloc[0]["name"] == strongest["label"]
    assert f"Seen in {strongest['documents']} documents" in table.iloc[0]["description"]
    assert radar.quadrant_warning(table) is None
    # isNew: the emergence label of the cluster's documents, computed independently here.
    _, recent_start, _ = windows(as_of_date(planted.documents), "M", 6)
    members = found.members[["doc_id", "cluster_id"]].drop_duplicates().astype("str")
    labels = {}
    for cluster_id, doc_ids in members.groupby("cluster_id")["doc_id"]:
        dates = planted.documents.set_index("doc_id").loc[list(doc_ids), "date"]
        labels[cluster_id] = dates.min() >= recent_start
    expected = {label: labels[str(cid)] for label, cid in zip(found.summary["label"], found.summary["cluster_id"])}
    assert all((row.isNew == "TRUE") == expected[row.name] for row in table.itertuples())
