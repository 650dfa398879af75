"""Radar export: the top signals (or clusters of them) as the CSV that Thoughtworks' Build Your Own
Radar reads: `name,ring,quadrant,isNew,description`.

Blips. From table rows of a section ("signals" by default: ringed by relevancy, an equal share per
ring, newest first) or from clusters of them (signals.analysis.clusters, strongest first); at most `top` of them, one per
name (case-insensitive).

Rings (BYOR draws at most four, innermost first in the order the rows first name them, so the CSV
lists blips ring by ring):
  by relevancy  a row's relevancy, a cluster's mean relevancy: >= 4.5 "Act now", >= 3.5 "Prepare",
                >= 2.5 "Watch", else (or unrated) "Scan"
  by strength   a cluster's strength (documents x mean relevancy; a row's is its relevancy): the
                strongest quarter of the blips "Act now", the next "Prepare", then "Watch", "Scan"
Quadrants (BYOR wants exactly four): the blip's document category (default), type, source domain,
main theme (the document's theme most frequent in the corpus) or section; for a cluster the most
common value among its documents. The three most common values keep their name, the rest become
"Other"; fewer than four values give fewer quadrants (`quadrant_warning` says so).
isNew: TRUE when the blip is labelled "new" by the emergence analysis over the same windows as the
Timeline page (first seen in the recent window), else FALSE.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from signals import export, schema
from signals.analysis.clusters import DEFAULT_THRESHOLD, Clusters, find_clusters
from signals.analysis.emerging import emergence
from signals.analysis.parameters import RADAR_QUADRANT_BY as QUADRANT_BY
from signals.analysis.parameters import RADAR_RING_BY as RING_BY
from signals.analysis.parameters import RADAR_SOURCES as SOURCES
from signals.analysis.parameters import RADAR_TOP as DEFAULT_TOP
from signals.corpus_type import Corpus

COLUMNS = ("name", "ring", "quadrant", "isNew", "description")
RINGS = ("Act now", "Prepare", "Watch", "Scan")
QUADRANTS = 4
OTHER = "Other"
NONE = "(none)"


def ring_of_relevancy(relevancy: pd.Series) -> pd.Series:
    """Relevancy (1-5, may be fractional or missing) -> ring name (module docstring)."""
    value = pd.to_numeric(relevancy, errors="coerce").astype("float64").fillna(0.0)
    index = np.select([value >= 4.5, value >= 3.5, value >= 2.5], [0, 1, 2], default=3)
    return pd.Series(np.asarray(RINGS, dtype=object)[index], index=relevancy.index, dtype="str")


def ring_of_strength(strength: pd.Series) -> pd.Series:
    """Strength -> ring name by quarter of the blips: strongest quarter "Act now" (ties: first listed)."""
    order = pd.to_numeric(strength, errors="coerce").fillna(0.0).rank(ascending=False, method="first")
    index = ((order - 1) * len(RINGS) // max(len(strength), 1)).astype("int64").clip(0, len(RINGS) - 1)
    return pd.Series(np.asarray(RINGS, dtype=object)[index.to_numpy()], index=strength.index, dtype="str")


def collapse_quadrants(values: pd.Series) -> pd.Series:
    """Group names -> at most four: the three most common keep their name, the rest are "Other"."""
    values = values.astype("str").fillna(NONE).replace({"": NONE, "nan": NONE})
    counts = values.value_counts()
    if len(counts) <= QUADRANTS:
        return values
    keep = set(counts.index[: QUADRANTS - 1])
    return values.where(values.isin(keep), OTHER)


def quadrant_warning(radar: pd.DataFrame) -> str | None:
    """A sentence when the radar does not have the four quadrants BYOR expects, else None."""
    count = radar["quadrant"].nunique() if len(radar) else 0
    if count == QUADRANTS:
        return None
    return (f"This radar has {count} quadrant{'s' if count != 1 else ''}; Build Your Own Radar expects "
            f"{QUADRANTS}. Choose another grouping for the quadrants.")


def _document_groups(corpus: Corpus, quadrant_by: str) -> pd.Series:
    """doc_id -> its group for quadrant_by (not "section")."""
    documents = corpus.documents.astype({"doc_id": "str"}).drop_duplicates("doc_id").set_index("doc_id")
    if quadrant_by == "theme":
        themes = corpus.themes.astype({"doc_id": "str"})
        popularity = themes.drop_duplicates(["doc_id", "theme_key"])["theme_key"].astype("str").value_counts()
        ranked = themes.assign(rank=themes["theme_key"].astype("str").map(popularity))
        main = (ranked.sort_values(["doc_id", "rank", "theme"], ascending=[True, False, True])
                .drop_duplicates("doc_id").set_index("doc_id")["theme"].astype("str"))
        return main.reindex(documents.index).fillna(NONE)
    if quadrant_by not in documents.columns:
        return pd.Series(NONE, index=documents.index, dtype="str")
    return documents[quadrant_by].astype("str").fillna(NONE)


def _new_keys(pairs: pd.DataFrame, corpus: Corpus, period: str, window: int | None, today: dt.date | None) -> set:
    table = emergence(pairs, corpus.documents, period=period, window=window, today=today)
    return set(table.loc[table["label"] == "new", "key"])


def _finish(blips: pd.DataFrame, top: int, ring_by: str) -> pd.DataFrame:
    """Ranked blips (with a ring_value column) -> the radar frame: one per name, at most `top`, ringed
    (strength quarters are taken among the blips kept), listed ring by ring."""
    blips = blips[blips["name"].str.strip() != ""]
    blips = blips.loc[~blips["name"].str.casefold().duplicated()].head(max(top, 0)).copy()
    ring = ring_of_strength if ring_by == "strength" else ring_of_relevancy
    blips["ring"] = ring(blips["ring_value"])
    blips["quadrant"] = collapse_quadrants(blips["quadrant"])
    blips["ring_order"] = blips["ring"].map({r: i for i, r in enumerate(RINGS)})
    blips = blips.sort_values("ring_order", kind="stable")
    blips["isNew"] = np.where(blips["isNew"], "TRUE", "FALSE")
    return blips[list(COLUMNS)].reset_index(drop=True).astype("str")


def radar_from_rows(
    corpus: Corpus,
    section: str = "signals",
    *,
    ring_by: str = "relevancy",
    quadrant_by: str = "category",
    top: int = DEFAULT_TOP,
    period: str = "M",
    window: int | None = None,
    today: dt.date | None = None,
) -> pd.DataFrame:
    """Corpus -> radar frame (COLUMNS) of `top` rows of a section. By relevancy: a quarter of the blips
    per ring, newest first within each (a radar of only relevancy-5 rows would leave three rings
    empty); by strength: the most relevant rows, newest first among equals. A row is new when its
    document falls in the recent window."""
    _check(ring_by, quadrant_by)
    items = corpus.items
    rows = items[items["section"].astype("str") == schema.section_slug(section)].copy()
    if rows.empty:
        return pd.DataFrame({c: pd.Series(dtype="str") for c in COLUMNS})
    rows["doc_id"] = rows["doc_id"].astype("str")
    documents = corpus.documents.astype({"doc_id": "str"}).drop_duplicates("doc_id").set_index("doc_id")
    rows["date"] = rows["doc_id"].map(documents["date"]) if "date" in documents.columns else pd.NaT
    rows["title"] = rows["doc_id"].map(documents["title"]).astype("str") if "title" in documents.columns else ""
    rows["rated"] = pd.to_numeric(rows[schema.RELEVANCY], errors="coerce").astype("float64")
    # Every ring gets its share of the blips (newest first within a ring): ranking by relevancy alone
    # would fill the radar with relevancy-5 rows and leave three rings empty.
    rows["ring_order"] = ring_of_relevancy(rows["rated"]).map({r: i for i, r in enumerate(RINGS)})
    if ring_by == "relevancy":
        share = -(-max(top, 0) // len(RINGS))
        rows = rows.sort_values(["ring_order", "date", "label"], ascending=[True, False, True],
                                na_position="last", kind="stable")
        rows = rows.groupby("ring_order", sort=False).head(share * 2)
        rows["slot"] = rows.groupby("ring_order").cumcount()
        rows = rows.sort_values(["slot", "ring_order"], kind="stable")
    else:
        rows = rows.sort_values(["rated", "date", "label"], ascending=[False, False, True], na_position="last",
                                kind="stable")
    rows = rows.head(max(top, 0) * 2)
    rows["key"] = rows["doc_id"] + "\0" + rows["row"].astype("str")
    new = _new_keys(pd.DataFrame({"doc_id": rows["doc_id"], "key": rows["key"], "name": rows["key"]}),
                    corpus, period, window, today)
    if quadrant_by == "section":
        quadrant = rows["section"].astype("str")
    else:
        quadrant = rows["doc_id"].map(_document_groups(corpus, quadrant_by))
    date_text = pd.to_datetime(rows["date"]).dt.strftime("%Y-%m-%d").fillna("undated")
    description = rows[schema.DESCRIPTION].astype("str").fillna("") if schema.DESCRIPTION in rows else ""
    blips = pd.DataFrame({
        "name": rows["label"].astype("str").fillna(""),
        "ring_value": rows["rated"],
        "quadrant": quadrant,
        "isNew": rows["key"].isin(new),
        "description": (description + " (" + rows["title"].fillna("") + ", " + date_text + ")").str.strip(),
    })
    return _finish(blips, top, ring_by)


def radar_from_clusters(
    corpus: Corpus,
    clusters: Clusters,
    *,
    ring_by: str = "strength",
    quadrant_by: str = "category",
    top: int = DEFAULT_TOP,
    period: str = "M",
    window: int | None = None,
    today: dt.date | None = None,
) -> pd.DataFrame:
    """Corpus + its Clusters -> radar frame (COLUMNS) of the `top` strongest clusters. A cluster is new
    when the emergence analysis of its documents labels it "new"."""
    _check(ring_by, quadrant_by)
    summary = clusters.summary.head(max(top, 0) * 2)
    if summary.empty:
        return pd.DataFrame({c: pd.Series(dtype="str") for c in COLUMNS})
    members = clusters.members[clusters.members["cluster_id"].isin(summary["cluster_id"])]
    pairs = members[["doc_id", "cluster_id"]].drop_duplicates().astype("str").rename(columns={"cluster_id": "key"})
    new = _new_keys(pairs.assign(name=pairs["key"]), corpus, period, window, today)
    if quadrant_by == "section":
        quadrant = summary["section"].astype("str")
    else:
        groups = pairs.assign(group=pairs["doc_id"].map(_document_groups(corpus, quadrant_by)))
        majority = (groups.groupby(["key", "group"]).size().reset_index(name="n")
                    .sort_values(["key", "n", "group"], ascending=[True, False, True])
                    .drop_duplicates("key").set_index("key")["group"])
        quadrant = summary["cluster_id"].astype("str").map(majority)
    first = pd.to_datetime(summary["first_seen"]).dt.strftime("%Y-%m-%d").fillna("undated")
    last = pd.to_datetime(summary["last_seen"]).dt.strftime("%Y-%m-%d").fillna("undated")
    seen = " Seen in " + summary["documents"].astype("str") + " documents, " + first + " to " + last + "."
    blips = pd.DataFrame({
        "name": summary["label"].astype("str"),
        "ring_value": summary["strength"] if ring_by == "strength" else summary["mean_relevancy"],
        "quadrant": quadrant,
        "isNew": summary["cluster_id"].astype("str").isin(new),
        "description": (summary["description"].astype("str").fillna("") + seen).str.strip(),
    })
    return _finish(blips, top, ring_by)


def build_radar(
    corpus: Corpus,
    source: str = "signals",
    *,
    section: str = "signals",
    ring_by: str | None = None,
    quadrant_by: str = "category",
    top: int = DEFAULT_TOP,
    threshold: float = DEFAULT_THRESHOLD,
    clusters: Clusters | None = None,
    period: str = "M",
    window: int | None = None,
    today: dt.date | None = None,
) -> pd.DataFrame:
    """One entry point for the CLI and the app: source "signals" (rows of `section`) or "clusters"
    (of `section`, found with `threshold` unless `clusters` is given). ring_by defaults to relevancy
    for rows and strength for clusters."""
    if source not in SOURCES:
        raise ValueError(f"source must be one of {SOURCES}, not {source!r}")
    if source == "signals":
        return radar_from_rows(corpus, section, ring_by=ring_by or "relevancy", quadrant_by=quadrant_by,
                               top=top, period=period, window=window, today=today)
    found = clusters if clusters is not None else find_clusters(corpus, (section,), threshold)
    return radar_from_clusters(corpus, found, ring_by=ring_by or "strength", quadrant_by=quadrant_by,
                               top=top, period=period, window=window, today=today)


def radar_csv(radar: pd.DataFrame) -> bytes:
    """The radar frame -> CSV bytes for BYOR (escaped against spreadsheet formulas like every export)."""
    return export.to_csv_bytes(radar[list(COLUMNS)])


def _check(ring_by: str, quadrant_by: str) -> None:
    if ring_by not in RING_BY:
        raise ValueError(f"ring_by must be one of {RING_BY}, not {ring_by!r}")
    if quadrant_by not in QUADRANT_BY:
        raise ValueError(f"quadrant_by must be one of {QUADRANT_BY}, not {quadrant_by!r}")
