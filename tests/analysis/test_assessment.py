"""The assessment grid's logic (signals.analysis.assessment): zones, rated rows aggregated into points
that never hide one another, the rows behind a point, and themes placed by mean relevancy x
emergence with the Emerging page's support minimum. Expected values are worked out by hand or with
plain pandas here, not with the functions under test."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from signals import load_corpus, schema
from signals.analysis import assessment
from signals.analysis import emerging as emergence
from signals.corpus_type import Corpus
from signals.synth import write_corpus
from signals.workspace.annotations import FIELDS


def _items(rows: list[tuple]) -> pd.DataFrame:
    """(doc_id, section, row, name, relevancy) -> an items frame with the loader's main columns."""
    items = pd.DataFrame(rows, columns=["doc_id", "section", "row", "name", "relevancy"])
    items["description"] = "about " + items["name"]
    items["label"] = items["name"]
    items["relevancy"] = items["relevancy"].astype("Int8")
    return items


def _values(rows: list[tuple], index: pd.Index) -> pd.DataFrame:
    """(impact, likelihood, status, horizon) per row -> annotation values as annotations.for_rows gives them."""
    frame = pd.DataFrame(rows, columns=["impact", "likelihood", "status", "horizon"], index=index)
    return pd.DataFrame({
        "starred": False,
        "status": frame["status"],
        "impact": frame["impact"].astype("Int8"),
        "likelihood": frame["likelihood"].astype("Int8"),
        "horizon": frame["horizon"],
        "tags": None,
        "note": None,
    }, index=index)[list(FIELDS)]


ITEMS = _items([
    ("d1", "signals", 0, "Robot tutors", 5),
    ("d2", "signals", 0, "Heat pumps", 4),
    ("d2", "concerns", 0, "Job loss", 3),
    ("d3", "signals", 0, "Solar glass", 2),
    ("d3", "issues", 0, "Grid limits", 4),
    ("d4", "signals", 0, "Storage", 1),
])
VALUES = _values([
    (4, 4, "watch", "<1y"),
    (4, 4, "new", "<1y"),
    (4, 4, "new", "1-3y"),
    (2, 5, "escalate", None),
    (3, None, "new", None),      # one axis only: not placed
    (None, None, "new", None),
], ITEMS.index)


@pytest.mark.parametrize(("y_high", "x_high", "zone"), [
    (True, True, "act_now"), (True, False, "prepare"), (False, True, "monitor"), (False, False, "park")])
def test_zone_of(y_high, x_high, zone):
    assert assessment.zone_of(np.array([y_high]), np.array([x_high])).tolist() == [zone]


def test_zone_names_take_the_workspace_names_over_the_defaults():
    names = assessment.zone_names({"assessment.zone.park": "Ignore for now", "other.key": "x"})
    assert names == {"act_now": "Act now", "prepare": "Prepare", "monitor": "Monitor", "park": "Ignore for now"}


def test_rated_rows_are_those_with_both_ratings_in_their_zones():
    rated = assessment.rated_rows(ITEMS, VALUES)
    # Highest impact first, then by document, section (alphabetical) and row.
    assert rated.index.tolist() == [0, 2, 1, 3]
    assert rated["zone"].tolist() == ["act_now", "act_now", "act_now", "monitor"]
    assert rated["row"].tolist() == [1, 1, 1, 1], "rows numbered from 1, as the Document page shows them"
    assert assessment.half_rated(VALUES) == 1


def test_points_aggregate_identical_positions_and_colours():
    rated = assessment.rated_rows(ITEMS, VALUES)
    points = assessment.rated_points(rated, "horizon").set_index("point")
    assert points.loc["4|4|<1y", ["rows", "documents"]].tolist() == [2, 2]
    assert points.loc["4|4|<1y", "name"] == "2 rows: Robot tutors; Heat pumps"
    assert points.loc["4|4|1-3y", ["rows", "documents", "name"]].tolist() == [1, 1, "Job loss"]
    assert points.loc["2|5|no horizon", ["zone", "status"]].tolist() == ["monitor", "escalate"]
    # By status: the two "new" rows at (4, 4) from d2 are one point of one document, two rows.
    by_status = assessment.rated_points(rated, "status").set_index("point")
    assert by_status.loc["4|4|new", ["rows", "documents"]].tolist() == [2, 1]
    assert by_status.loc["4|4|new", "horizon"] == "<1y; 1-3y"


def _random_rated(seed: int, rows: int = 300) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    items = _items([(f"d{rng.integers(40)}", rng.choice(list(schema.TABLE_SECTIONS)), n, f"row {n}",
                     int(rng.integers(1, 6))) for n in range(rows)])
    horizons = ["<1y", "1-3y", "3-10y", ">10y", None]
    values = _values([(int(rng.integers(1, 6)), int(rng.integers(1, 6)), str(rng.choice(["new", "watch", "escalate"])),
                       horizons[rng.integers(5)]) for _ in range(rows)], items.index)
    return items, values


@pytest.mark.parametrize("colour_by", ["horizon", "status"])
def test_points_match_a_plain_groupby_and_never_hide_one_another(colour_by):
    items, values = _random_rated(3)
    points = assessment.rated_points(assessment.rated_rows(items, values), colour_by)
    frame = pd.concat([items, values.drop(columns=["status"] if colour_by == "horizon" else ["horizon"])], axis=1)
    frame["colour"] = frame[colour_by].fillna("no horizon").astype(str) if colour_by == "horizon" else frame["status"]
    expected = frame.groupby(["impact", "likelihood", "colour"]).agg(rows=("name", "size"), documents=("doc_id", "nunique"))
    got = points.assign(impact=points["y_value"], likelihood=points["x_value"]).set_index(
        ["impact", "likelihood", "colour"])[["rows", "documents"]]
    pd.testing.assert_frame_equal(got.sort_index(), expected.sort_index(), check_dtype=False, check_index_type=False)
    # No two points drawn at the same place, each inside its own cell.
    assert not points.duplicated(["x", "y"]).any()
    assert ((points["x"] - points["x_value"]).abs() < 0.5).all() and ((points["y"] - points["y_value"]).abs() < 0.5).all()


def test_points_do_not_depend_on_the_rows_order():
    items, values = _random_rated(5)
    shuffled = np.random.default_rng(1).permutation(len(items))
    before = assessment.rated_points(assessment.rated_rows(items, values))
    after = assessment.rated_points(assessment.rated_rows(items.iloc[shuffled], values.iloc[shuffled]))
    columns = ["point", "x", "y", "rows", "documents", "zone"]
    pd.testing.assert_frame_equal(before[columns].sort_values("point", ignore_index=True),
                                  after[columns].sort_values("point", ignore_index=True))


def test_rows_of_points_are_exactly_the_rows_rated_there():
    items, values = _random_rated(7)
    rated = assessment.rated_rows(items, values)
    chosen = ["4|4|<1y", "5|2|no horizon"]
    got = assessment.rows_of_points(rated, chosen, "horizon")
    horizon = values["horizon"].fillna("no horizon")
    wanted = (((values["impact"] == 4) & (values["likelihood"] == 4) & (horizon == "<1y"))
              | ((values["impact"] == 5) & (values["likelihood"] == 2) & (horizon == "no horizon")))
    assert sorted(got.index) == sorted(items.index[wanted.fillna(False).to_numpy()])
    assert len(got) > 0


def test_nothing_rated_gives_no_points():
    values = _values([(None, None, "new", None)] * len(ITEMS), ITEMS.index)
    rated = assessment.rated_rows(ITEMS, values)
    assert rated.empty
    assert assessment.rated_points(rated).empty


# ---------------------------------------------------------------------------------------------
# Themes
# ---------------------------------------------------------------------------------------------
def _theme_corpus() -> Corpus:
    """24 documents, one a month of 2023 and 2024 (as of 2024-12-15: the recent window is Jul-Dec
    2024, the one before Jan-Jun 2024). "Rising" is in every recent document and one before, its
    rows rated 5; "fading" in the window before, rated 2; "steady" everywhere, rated 3; "once" in
    one document."""
    dates = pd.date_range("2023-01-01", periods=24, freq="MS") + pd.Timedelta(days=14)
    documents = pd.DataFrame({"doc_id": [f"d{n:02d}" for n in range(24)], "title": "t", "date": dates})
    themes, items = [], []
    for n, doc_id in enumerate(documents["doc_id"]):
        in_recent, in_before = n >= 18, 12 <= n < 18
        themes.append((doc_id, "steady"))
        items.append((doc_id, "signals", 0, f"steady {n}", 3))
        if in_recent or n == 12:
            themes.append((doc_id, "Rising"))
            items.append((doc_id, "signals", 1, f"rising {n}", 5))
        if in_before:
            themes.append((doc_id, "fading"))
            items.append((doc_id, "concerns", 0, f"fading {n}", 2))
        if n == 20:
            themes.append((doc_id, "once"))
    theme_frame = pd.DataFrame(themes, columns=["doc_id", "theme"])
    theme_frame["theme_key"] = theme_frame["theme"].map(schema.theme_key)
    return Corpus(documents=documents, themes=theme_frame, keywords=pd.DataFrame(columns=["doc_id", "keyword"]),
                  items=_items(items), links=pd.DataFrame(columns=list(schema.LINK_COLUMNS)),
                  problems=pd.DataFrame(columns=["doc_id", *schema.PROBLEM_COLUMNS]))


def test_themes_placed_by_mean_relevancy_and_emergence():
    corpus = _theme_corpus()
    ranked = emergence.emerging(corpus, "theme", min_documents=0, today=pd.Timestamp("2024-12-31").date())
    grid = assessment.theme_points(corpus, ranked, min_documents=2)
    points = grid.points.set_index("name")
    assert sorted(points.index) == ["Rising", "fading", "steady"]
    assert grid.below_support == 1, "'once' has one document in the two windows"
    # Mean relevancy by hand: the rated rows of the documents carrying each theme.
    assert points.loc["Rising", "y"] == pytest.approx((7 * 5 + 7 * 3 + 2) / 15)  # d12 carries fading too
    assert points.loc["fading", "y"] == pytest.approx((6 * 2 + 6 * 3 + 5) / 13)  # d12 carries rising too
    assert points.loc["steady", "y"] == pytest.approx(corpus.items["relevancy"].astype(float).mean())
    assert grid.relevancy_cut == pytest.approx(corpus.items["relevancy"].astype(float).mean())
    assert points.loc["Rising", "documents"] == 7 and points.loc["Rising", "recent"] == 6
    # The planted rising theme is in "act now"; the fading one, rated low, in "park".
    assert points.loc["Rising", "zone"] == "act_now" and points.loc["Rising", "x"] > 0
    assert points.loc["fading", "zone"] == "park" and points.loc["fading", "colour"] == "fading"
    assert grid.points["zone"].tolist() == sorted(grid.points["zone"], key=assessment.ZONES.index)


@pytest.fixture(scope="module")
def planted(tmp_path_factory):
    folder = tmp_path_factory.mktemp("planted-assessment")
    write_corpus(folder, 300, seed=2, planted=True)
    truth = json.loads((folder / "ground_truth.json").read_text())
    return load_corpus(folder, cache_root=tmp_path_factory.mktemp("planted-assessment-cache")), truth


def test_planted_emerging_themes_sit_right_of_the_emergence_cut(planted):
    corpus, truth = planted
    grid = assessment.theme_points(corpus, emergence.emerging(corpus, "theme", min_documents=0))
    placed = grid.points.assign(key=grid.points["point"]).set_index("key")
    for theme in truth["emerging_themes"]:
        key = schema.theme_key(theme)
        assert key in placed.index, f"{theme} placed"
        assert placed.loc[key, "x"] > assessment.SCORE_CUT
        assert placed.loc[key, "zone"] in ("act_now", "monitor")
    # Left out: exactly the themes with fewer than the minimum documents in the two windows.
    ranked = emergence.emerging(corpus, "theme", min_documents=0)
    assert grid.below_support == int(((ranked["recent"] + ranked["before"]) < grid.min_documents).sum()) > 0
