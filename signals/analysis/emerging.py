"""What is emerging: per theme (or keyword, or any grouping of documents) over months or quarters.

Windows. `as_of` is the newest document date that is not in the future (documents dated later are
the loader's "date in the future" warnings and are left out of both windows). Its period is the last
one; the *recent* window is the last `window` periods up to it, the *before* window the `window`
periods just before that. Defaults: 6 months, or 2 quarters.

Per term:
  documents    documents carrying it (any date, dated or not)
  first_seen   date of its first dated document; last_seen: of its last one (future dates excluded)
  recent       documents in the recent window; before: in the window before
  growth       recent / before - 1 (0.5 = half as many again); missing (NaN, shown "—") when before = 0
  expected     before x (documents in the recent window / documents in the window before): what
               `before` would become if the term only kept pace with the corpus's own growth
  score        (recent - expected) / sqrt(expected + 1): how far above its expected count a term is,
               in Poisson standard deviations (a burst score). Corpus growth alone scores about 0.
  label        new       first seen in the recent window
               growing   score >= GROWING_SCORE
               fading    not seen in the recent window although seen before, or score <= -GROWING_SCORE
               steady    anything else

The ranking ("emerging now") is by score, then recent documents, then name.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from signals import schema
from signals.analysis.incidence import period_alias
from signals.corpus import Corpus

BY = ("theme", "keyword")
PERIODS = {"M": "month", "Q": "quarter"}
DEFAULT_WINDOW = {"M": 6, "Q": 2}
GROWING_SCORE = 2.0
LABELS = ("new", "growing", "steady", "fading")
COLUMNS = ("first_seen", "last_seen", "documents", "recent", "before", "growth", "expected", "score", "label")


def default_window(period: str) -> int:
    """The window (in periods) used when none is given: 6 months or 2 quarters."""
    return DEFAULT_WINDOW.get(period_alias(period), 6)


def as_of_date(documents: pd.DataFrame, today: dt.date | None = None) -> pd.Timestamp | None:
    """The newest document date not after today (None when no document has such a date)."""
    if "date" not in documents.columns:
        return None
    dates = pd.to_datetime(documents["date"], errors="coerce")
    dates = dates[dates < pd.Timestamp(today or dt.date.today()) + pd.Timedelta(days=1)]
    return None if dates.empty else dates.max()


def memberships(corpus: Corpus, by: str = "theme") -> pd.DataFrame:
    """Corpus -> DataFrame[doc_id, key, name]: one row per (document, theme or keyword), deduplicated.

    key is the case- and spacing-insensitive form (schema.theme_key); name its most used spelling.
    """
    if by not in BY:
        raise ValueError(f"by must be one of {BY}, not {by!r}")
    if by == "theme":
        frame = corpus.themes
        pairs = pd.DataFrame({
            "doc_id": frame["doc_id"].astype("str"),
            "key": frame["theme_key"].astype("str"),
            "spelling": frame["theme"].astype("str"),
        })
    else:
        frame = corpus.keywords
        spelling = frame["keyword"].astype("str")
        keys = spelling.drop_duplicates()
        key_of = pd.Series(keys.map(schema.theme_key).to_numpy(), index=keys.to_numpy())
        pairs = pd.DataFrame({"doc_id": frame["doc_id"].astype("str"), "key": spelling.map(key_of),
                              "spelling": spelling})
    pairs = pairs.dropna(subset=["key"])
    pairs = pairs[pairs["key"] != ""]
    # Most used spelling per key (ties: alphabetical first).
    names = (
        pairs.groupby(["key", "spelling"]).size().reset_index(name="uses")
        .sort_values(["key", "uses", "spelling"], ascending=[True, False, True])
        .drop_duplicates("key").set_index("key")["spelling"]
    )
    pairs = pairs.drop_duplicates(["doc_id", "key"])
    return pd.DataFrame({"doc_id": pairs["doc_id"].to_numpy(), "key": pairs["key"].to_numpy(),
                         "name": pairs["key"].map(names).to_numpy()}).astype("str")


def windows(as_of: pd.Timestamp, period: str, window: int) -> tuple[pd.Timestamp, pd.Timestamp, pd.Timestamp]:
    """(start of the before window, start of the recent window, end of the recent window = as_of)."""
    alias = period_alias(period)
    last = pd.Period(as_of, freq=alias)
    recent_start = (last - (window - 1)).start_time
    before_start = (last - (2 * window - 1)).start_time
    return before_start, recent_start, as_of


def emergence(
    pairs: pd.DataFrame,
    documents: pd.DataFrame,
    *,
    period: str = "M",
    window: int | None = None,
    as_of: pd.Timestamp | dt.date | None = None,
    today: dt.date | None = None,
) -> pd.DataFrame:
    """Generic engine: DataFrame[doc_id, key, name] (what carries what) + documents -> one row per key.

    Returns DataFrame[key, name, *COLUMNS], ranked (see module docstring). Used for themes and
    keywords here, and for clusters by the radar export. Keys with no document in `documents` are
    dropped.
    """
    alias = period_alias(period)
    window = int(window or default_window(alias))
    if window < 1:
        raise ValueError("window must be at least 1 period")
    dated = documents[["doc_id", "date"]].astype({"doc_id": "str"}).drop_duplicates("doc_id")
    dated["date"] = pd.to_datetime(dated["date"], errors="coerce")
    as_of = pd.Timestamp(as_of) if as_of is not None else as_of_date(documents, today)
    rows = pairs.merge(dated, on="doc_id", how="inner")
    if rows.empty:
        return _empty(pairs)
    if as_of is None:
        before_start = recent_start = None
        known = pd.Series(False, index=rows.index)
    else:
        before_start, recent_start, _ = windows(as_of, alias, window)
        end = as_of.normalize() + pd.Timedelta(days=1)
        known = rows["date"].notna() & (rows["date"] < end)
    grouped = rows.groupby("key", sort=False)
    result = pd.DataFrame({"name": grouped["name"].first(), "documents": grouped["doc_id"].nunique()})
    seen = rows[known].groupby("key", sort=False)["date"]
    result["first_seen"] = seen.min()
    result["last_seen"] = seen.max()
    if as_of is not None:
        recent_rows = rows[known & (rows["date"] >= recent_start)]
        before_rows = rows[known & (rows["date"] >= before_start) & (rows["date"] < recent_start)]
        result["recent"] = recent_rows.groupby("key")["doc_id"].nunique()
        result["before"] = before_rows.groupby("key")["doc_id"].nunique()
        docs_recent = int(((dated["date"] >= recent_start) & (dated["date"] < end)).sum())
        docs_before = int(((dated["date"] >= before_start) & (dated["date"] < recent_start)).sum())
    else:
        docs_recent = docs_before = 0
    result[["recent", "before"]] = result.reindex(columns=["recent", "before"]).fillna(0).astype("int64")
    pace = docs_recent / docs_before if docs_before else 1.0
    recent, before = result["recent"].astype("float64"), result["before"].astype("float64")
    result["growth"] = np.where(before > 0, recent / before.where(before > 0, 1.0) - 1.0, np.nan)
    result["expected"] = before * pace
    result["score"] = (recent - result["expected"]) / np.sqrt(result["expected"] + 1.0)
    result["label"] = _labels(result, recent_start)
    result = result.rename_axis("key").reset_index()
    result = result.sort_values(["score", "recent", "name"], ascending=[False, False, True],
                                kind="stable", ignore_index=True)
    result["first_seen"] = pd.to_datetime(result["first_seen"])
    result["last_seen"] = pd.to_datetime(result["last_seen"])
    return result[["key", "name", *COLUMNS]].astype({"key": "str", "name": "str", "label": "str"})


def _labels(result: pd.DataFrame, recent_start: pd.Timestamp | None) -> pd.Series:
    label = pd.Series("steady", index=result.index, dtype="str")
    if recent_start is None:
        return label
    label[result["score"] >= GROWING_SCORE] = "growing"
    label[(result["score"] <= -GROWING_SCORE) | ((result["recent"] == 0) & result["last_seen"].notna())] = "fading"
    label[(result["first_seen"] >= recent_start) & (result["recent"] > 0)] = "new"
    return label


def _empty(pairs: pd.DataFrame) -> pd.DataFrame:
    columns = {
        "key": "str", "name": "str", "first_seen": "datetime64[ns]", "last_seen": "datetime64[ns]",
        "documents": "int64", "recent": "int64", "before": "int64", "growth": "float64",
        "expected": "float64", "score": "float64", "label": "str",
    }
    return pd.DataFrame({name: pd.Series(dtype=dtype) for name, dtype in columns.items()})


def emerging(
    corpus: Corpus,
    by: str = "theme",
    *,
    period: str = "M",
    window: int | None = None,
    as_of: pd.Timestamp | dt.date | None = None,
    today: dt.date | None = None,
) -> pd.DataFrame:
    """Corpus -> DataFrame[<by>, key, *COLUMNS]: every theme (or keyword) ranked by how much it is
    emerging now (module docstring). The first column is named "theme" or "keyword" and holds the
    display spelling."""
    table = emergence(memberships(corpus, by), corpus.documents, period=period, window=window,
                      as_of=as_of, today=today)
    table = table.rename(columns={"name": by})
    return table[[by, "key", *COLUMNS]]


def timeline(
    corpus: Corpus, names: list[str] | tuple[str, ...], by: str = "theme", *, period: str = "M"
) -> pd.DataFrame:
    """Corpus + themes (or keywords, any spelling) -> DataFrame[period, <by>, documents]: documents per
    period for each, every period from the corpus's first to its last dated document (zeros kept),
    in the order the names were given. Unknown names are left out."""
    alias = period_alias(period)
    pairs = memberships(corpus, by)
    keys = [schema.theme_key(str(n)) for n in names]
    pairs = pairs[pairs["key"].isin(keys)]
    dates = pd.to_datetime(corpus.documents["date"], errors="coerce")
    empty = pd.DataFrame({"period": pd.Series(dtype="datetime64[ns]"), by: pd.Series(dtype="str"),
                          "documents": pd.Series(dtype="int64")})
    if pairs.empty or dates.notna().sum() == 0:
        return empty
    span = pd.period_range(dates.min().to_period(alias), dates.max().to_period(alias), freq=alias)
    dated = corpus.documents[["doc_id"]].astype("str").assign(date=dates)
    rows = pairs.merge(dated, on="doc_id").dropna(subset=["date"])
    rows["period"] = rows["date"].dt.to_period(alias)
    counts = rows.groupby(["key", "period"])["doc_id"].nunique()
    present = [k for k in dict.fromkeys(keys) if k in set(rows["key"])]
    full = pd.MultiIndex.from_product([present, span], names=["key", "period"])
    counts = counts.reindex(full, fill_value=0).reset_index(name="documents")
    names_of = pairs.drop_duplicates("key").set_index("key")["name"]
    return pd.DataFrame({
        "period": counts["period"].dt.start_time,
        by: counts["key"].map(names_of).astype("str"),
        "documents": counts["documents"].astype("int64"),
    })


def documents_with(corpus: Corpus, name: str, by: str = "theme") -> pd.DataFrame:
    """The documents carrying one theme (or keyword, any spelling): DataFrame[doc_id, title, date,
    category, type], newest first (undated last)."""
    pairs = memberships(corpus, by)
    doc_ids = pairs.loc[pairs["key"] == schema.theme_key(str(name)), "doc_id"]
    documents = corpus.documents
    columns = [c for c in ("doc_id", "title", "date", "category", "type") if c in documents.columns]
    chosen = documents.loc[documents["doc_id"].astype("str").isin(set(doc_ids)), columns]
    return chosen.sort_values(["date", "doc_id"], ascending=[False, True], na_position="last",
                              ignore_index=True)
