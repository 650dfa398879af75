"""The assessment grid: the analyst's rated rows by impact x likelihood, or themes by mean relevancy x
emergence score, cut into four named zones. Pure pandas; the page (signals/app/pages/assessment.py)
and the chart (signals.charts.assessment_grid) draw what these functions return.

Rated rows. A row is placed when it has both an impact and a likelihood (its own, or its
document's where it has none: the inheritance every annotation facet uses). Rows at the same
(impact, likelihood) with the same colour value (status or horizon) are one point, sized by the
documents behind it, with its row count; points sharing a cell are set side by side around the
cell's centre in a fixed order (the colour values' order), so none hides another and a point's
place never depends on the data's order.

Themes. One point per theme: x its emergence score (signals.analysis.emerging, the Emerging page's
numbers: recent window against the one before), y the mean relevancy of the rated rows of the
documents carrying it, size its documents. Only themes with at least the Emerging page's support
minimum (documents in the two windows) are placed; the others are counted as left out.

Zones. Each axis is cut once; a point strictly above a cut is high on that axis:

    act now   high on both          prepare   high y, low x
    monitor   low y, high x         park      low on both

Rated rows: both cuts at 3.5 (4 and 5 are high). Themes: emergence score above 0 (gaining share
faster than the corpus) and mean relevancy above the mean of every rated row in view.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from signals import schema
from signals.analysis import emerging as emergence
from signals.corpus_type import Corpus
from signals.workspace.annotations import HORIZONS, STATUSES

#: Zone keys, in reading order (top right, top left, bottom right, bottom left), and their default names.
ZONES = ("act_now", "prepare", "monitor", "park")
DEFAULT_ZONE_NAMES = {"act_now": "Act now", "prepare": "Prepare", "monitor": "Monitor", "park": "Park"}
#: What each zone means, for help texts.
ZONE_MEANING = {
    "act_now": "high on both axes",
    "prepare": "high impact (or relevancy), low likelihood (or emergence)",
    "monitor": "low impact (or relevancy), high likelihood (or emergence)",
    "park": "low on both axes",
}
#: Settings key of a zone's name in the workspace (signals.workspace.settings).
ZONE_SETTING_PREFIX = "assessment.zone."
#: The cut of both rating axes: 4 and 5 are high.
RATING_CUT = 3.5
#: The emergence score's cut: above 0, a theme gains share faster than the corpus.
SCORE_CUT = 0.0
#: What rated points can be coloured by, and the values each takes in order (the legend's).
COLOUR_BY = ("horizon", "status")
NO_HORIZON = "no horizon"
COLOUR_VALUES = {"horizon": (*HORIZONS, NO_HORIZON), "status": STATUSES}
#: How far (in rating units) points sharing a cell sit from its centre.
DODGE_RADIUS = 0.22

#: Columns of `rated_rows`.
RATED_COLUMNS = ("doc_id", "section", "row", "name", "description", "relevancy", "impact", "likelihood",
                 "status", "horizon", "zone")
#: Columns of `rated_points` and `theme_points` (the chart's and the table's): `point` identifies it
#: (what a selection hands back), `x` / `y` are where it is drawn (dodged for rated rows).
POINT_COLUMNS = ("point", "name", "x", "y", "x_value", "y_value", "colour", "rows", "documents",
                 "sections", "status", "horizon", "zone")


def zone_names(stored: dict[str, str] | None = None) -> dict[str, str]:
    """Zone key -> its name: the workspace's (settings keys ZONE_SETTING_PREFIX + key) over the defaults."""
    stored = stored or {}
    return {key: stored.get(ZONE_SETTING_PREFIX + key, DEFAULT_ZONE_NAMES[key]) for key in ZONES}


def zone_of(y_high: np.ndarray | pd.Series, x_high: np.ndarray | pd.Series) -> np.ndarray:
    """Whether each point is high on y (impact, relevancy) and on x (likelihood, emergence) -> its zone key."""
    y_high, x_high = np.asarray(y_high, dtype=bool), np.asarray(x_high, dtype=bool)
    return np.select([y_high & x_high, y_high, x_high], ["act_now", "prepare", "monitor"], "park").astype(object)


# ---------------------------------------------------------------------------------------------
# Rated rows
# ---------------------------------------------------------------------------------------------
def rated_rows(items: pd.DataFrame, values: pd.DataFrame) -> pd.DataFrame:
    """Items and their annotation values (annotations.for_rows, same index; with `inherit` for the
    document's values) -> the rows with both an impact and a likelihood: RATED_COLUMNS, the items'
    index kept, highest impact then likelihood first, then by document, section and row."""
    impact = pd.to_numeric(values["impact"], errors="coerce")
    likelihood = pd.to_numeric(values["likelihood"], errors="coerce")
    placed = (impact.notna() & likelihood.notna()).to_numpy()
    chosen = items[placed]
    label = "label" if "label" in chosen.columns else schema.NAME
    horizon = values["horizon"][placed].astype("object")
    frame = pd.DataFrame({
        "doc_id": chosen["doc_id"].astype("str"),
        "section": chosen["section"].astype("str"),
        "row": pd.to_numeric(chosen["row"], errors="coerce").add(1).astype("Int64") if "row" in chosen else pd.NA,
        "name": chosen[label].astype("str") if label in chosen else "",
        "description": chosen[schema.DESCRIPTION].astype("str") if schema.DESCRIPTION in chosen else "",
        "relevancy": chosen.get(schema.RELEVANCY, pd.NA),
        "impact": impact[placed].astype("int64"),
        "likelihood": likelihood[placed].astype("int64"),
        "status": values["status"][placed].astype("str"),
        "horizon": horizon.where(horizon.notna(), None),
    }, index=chosen.index)
    frame["zone"] = zone_of(frame["impact"] > RATING_CUT, frame["likelihood"] > RATING_CUT)
    frame = frame.sort_values(["impact", "likelihood", "doc_id", "section", "row"],
                              ascending=[False, False, True, True, True], kind="stable")
    return frame[list(RATED_COLUMNS)]


def half_rated(values: pd.DataFrame) -> int:
    """Rows with an impact or a likelihood but not both: rated, yet not placed on the grid."""
    impact = values["impact"].notna().to_numpy()
    likelihood = values["likelihood"].notna().to_numpy()
    return int((impact ^ likelihood).sum())


def colour_value(rated: pd.DataFrame, colour_by: str) -> pd.Series:
    """Each rated row's value of `colour_by` ("horizon": NO_HORIZON where unset; "status")."""
    if colour_by not in COLOUR_BY:
        raise ValueError(f"colour_by must be one of {COLOUR_BY}, not {colour_by!r}")
    values = rated[colour_by].astype("object")
    return values.where(values.notna(), NO_HORIZON).astype("str")


def point_id(impact: object, likelihood: object, colour: object) -> str:
    """The id of a rated point: `impact|likelihood|colour value` (what a selection hands back)."""
    return f"{int(impact)}|{int(likelihood)}|{colour}"


def _listed_per_group(codes: np.ndarray, groups: int, values: pd.Series, order: tuple[str, ...] | None = None,
                      most: int | None = None) -> list[str]:
    """Each group's distinct values as text, `a; b; c; +2 more`: in `order` when given (the legend's),
    else in order of first appearance, at most `most` of them.

    One pass over the rows in Python: pandas' per-group aggregation with a Python function cost
    about a millisecond a group and column (0.2 s for 6,000 rows in 51 points, measured)."""
    seen: list[dict[str, None]] = [{} for _ in range(groups)]
    for code, value in zip(codes.tolist(), values.astype("str").tolist()):
        seen[code].setdefault(value, None)
    texts = []
    for distinct in seen:
        listed = [value for value in order if value in distinct] if order is not None else list(distinct)
        extra = f"; +{len(listed) - most} more" if most is not None and len(listed) > most else ""
        texts.append("; ".join(listed[:most] if most is not None else listed) + extra)
    return texts


def _dodge(count: int, at: int) -> tuple[float, float]:
    """The offset of the `at`-th of `count` points sharing a cell: on a circle, the first on top."""
    if count <= 1:
        return 0.0, 0.0
    angle = math.pi / 2 - 2 * math.pi * at / count
    return DODGE_RADIUS * math.cos(angle), DODGE_RADIUS * math.sin(angle)


def rated_points(rated: pd.DataFrame, colour_by: str = "horizon") -> pd.DataFrame:
    """Rated rows (`rated_rows`) -> one point per (impact, likelihood, colour value): POINT_COLUMNS.

    `name` is the row's name for a point of one row, else "N rows: a; b; c"; `sections`, `status`
    and `horizon` list the distinct values of its rows. `x` / `y` are likelihood / impact moved
    off the cell's centre when other points share the cell (module docstring). Sorted by zone
    (ZONES order), then highest impact, likelihood, then colour value order.
    """
    if rated.empty:
        return pd.DataFrame({column: pd.Series(dtype="object") for column in POINT_COLUMNS})
    order = COLOUR_VALUES[colour_by]
    frame = rated.assign(colour=colour_value(rated, colour_by),
                         horizon_text=rated["horizon"].astype("object").where(rated["horizon"].notna(), NO_HORIZON))
    keys = ["impact", "likelihood", "colour"]
    codes = frame.groupby(keys, sort=False).ngroup().to_numpy()
    groups = int(codes.max()) + 1
    first = pd.Series(np.arange(len(frame))).groupby(codes).first().to_numpy()
    points = frame.iloc[first][keys].reset_index(drop=True)
    points["rows"] = np.bincount(codes, minlength=groups)
    distinct_documents = pd.DataFrame({"code": codes, "doc_id": frame["doc_id"].to_numpy()}).drop_duplicates()
    points["documents"] = np.bincount(distinct_documents["code"].to_numpy(), minlength=groups)
    names = _listed_per_group(codes, groups, frame["name"], most=3)
    points["sections"] = _listed_per_group(codes, groups, frame["section"], most=3)
    points["status"] = _listed_per_group(codes, groups, frame["status"], order=STATUSES)
    points["horizon"] = _listed_per_group(codes, groups, frame["horizon_text"], order=COLOUR_VALUES["horizon"])
    points["name"] = [str(frame["name"].iat[at]) if rows == 1 else f"{rows:,} rows: {listed}"
                      for at, rows, listed in zip(first, points["rows"], names)]
    points["colour_rank"] = points["colour"].map({value: rank for rank, value in enumerate(order)})
    points = points.sort_values(["impact", "likelihood", "colour_rank"], kind="stable", ignore_index=True)
    cell = points.groupby(["impact", "likelihood"], sort=False)
    count, at = cell["colour"].transform("size").to_numpy(), cell.cumcount().to_numpy()
    offsets = np.array([_dodge(n, i) for n, i in zip(count, at)]).reshape(-1, 2)
    points["x_value"], points["y_value"] = points["likelihood"], points["impact"]
    points["x"] = points["likelihood"] + offsets[:, 0]
    points["y"] = points["impact"] + offsets[:, 1]
    points["point"] = [point_id(i, li, c) for i, li, c in zip(points["impact"], points["likelihood"], points["colour"])]
    points["zone"] = zone_of(points["impact"] > RATING_CUT, points["likelihood"] > RATING_CUT)
    points["zone_rank"] = points["zone"].map({zone: rank for rank, zone in enumerate(ZONES)})
    points = points.sort_values(["zone_rank", "impact", "likelihood", "colour_rank"],
                                ascending=[True, False, False, True], kind="stable", ignore_index=True)
    return points[list(POINT_COLUMNS)]


def rows_of_points(rated: pd.DataFrame, points: list[str] | tuple[str, ...], colour_by: str = "horizon") -> pd.DataFrame:
    """Rated rows (`rated_rows`) behind the chosen rated points (their `point` ids), in `rated`'s order."""
    ids = pd.Series([point_id(i, li, c) for i, li, c in
                     zip(rated["impact"], rated["likelihood"], colour_value(rated, colour_by))], index=rated.index)
    return rated[ids.isin(list(points)).to_numpy()]


# ---------------------------------------------------------------------------------------------
# Themes
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ThemeGrid:
    """Themes placed by mean relevancy x emergence: the points, what the cuts are, what was left out."""

    points: pd.DataFrame
    #: The mean relevancy of every rated row in view: the y cut.
    relevancy_cut: float
    #: Themes with fewer documents in the two windows than the support minimum.
    below_support: int
    #: Themes with enough support but no rated row (no mean relevancy to place them by).
    unrated: int
    min_documents: int


def mean_relevancy_by_theme(corpus: Corpus) -> pd.DataFrame:
    """Corpus -> DataFrame[key, mean_relevancy, rated_rows]: per theme key, the mean relevancy of the
    rated rows (every section) of the documents carrying it."""
    pairs = emergence.memberships(corpus, "theme")
    items = corpus.items
    relevancy = pd.to_numeric(items[schema.RELEVANCY], errors="coerce") if schema.RELEVANCY in items else None
    if relevancy is None or pairs.empty:
        return pd.DataFrame({"key": pd.Series(dtype="str"), "mean_relevancy": pd.Series(dtype="float64"),
                             "rated_rows": pd.Series(dtype="int64")})
    by_document = (pd.DataFrame({"doc_id": items["doc_id"].astype("str"), "relevancy": relevancy.astype("float64")})
                   .groupby("doc_id")["relevancy"].agg(["sum", "count"]))
    joined = pairs.join(by_document, on="doc_id", how="inner")
    totals = joined.groupby("key")[["sum", "count"]].sum()
    totals = totals[totals["count"] > 0]
    return pd.DataFrame({"key": totals.index.astype("str"), "mean_relevancy": (totals["sum"] / totals["count"]).to_numpy(),
                         "rated_rows": totals["count"].to_numpy(dtype="int64")})


def theme_points(corpus: Corpus, ranked: pd.DataFrame,
                 min_documents: int = emergence.DEFAULT_MIN_DOCUMENTS) -> ThemeGrid:
    """The corpus in view and its emergence table (emerging.emerging(corpus, "theme",
    min_documents=0)) -> the themes to place (POINT_COLUMNS; `x_value` the score, `y_value` the mean
    relevancy, `colour` the Emerging page's label, `rows` the rated rows behind the mean), those left
    out, and the cuts. Sorted by zone, then score, highest first."""
    supported = emergence.supported(ranked, min_documents)
    relevancy = pd.to_numeric(corpus.items.get(schema.RELEVANCY), errors="coerce")
    cut = float(relevancy.mean()) if relevancy is not None and relevancy.notna().any() else float("nan")
    means = mean_relevancy_by_theme(corpus)
    placed = supported.merge(means, on="key", how="inner")
    unrated = len(supported) - len(placed)
    name = "theme" if "theme" in placed.columns else "name"
    points = pd.DataFrame({
        "point": placed["key"].astype("str"),
        "name": placed[name].astype("str"),
        "x": placed["score"].astype("float64"),
        "y": placed["mean_relevancy"].astype("float64"),
        "colour": placed["label"].astype("str"),
        "rows": placed["rated_rows"].astype("int64"),
        "documents": placed["documents"].astype("int64"),
        "recent": placed["recent"].astype("int64"),
        "before": placed["before"].astype("int64"),
    })
    points["x_value"], points["y_value"] = points["x"], points["y"]
    points["sections"] = ""
    points["status"] = points["horizon"] = ""
    points["zone"] = zone_of(points["y"] > cut, points["x"] > SCORE_CUT) if len(points) else np.array([], dtype=object)
    points["zone_rank"] = points["zone"].map({zone: rank for rank, zone in enumerate(ZONES)})
    points = points.sort_values(["zone_rank", "x", "name"], ascending=[True, False, True], kind="stable",
                                ignore_index=True)
    return ThemeGrid(points[[*POINT_COLUMNS, "recent", "before"]], cut, len(ranked) - len(supported), unrated,
                     min_documents)
