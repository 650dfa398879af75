"""What changed: two periods of one corpus, or two runs of the pipeline (two folders), compared per
theme, keyword or category.

Per item (`by`):
  before, after        documents carrying it in each period (run)
  before_share, ...    those counts over all documents of that period: the corpus may have doubled
                       without any theme moving, so shares, not counts, are compared
  change               after_share - before_share (a difference of shares; 0.05 = 5 points)
  ratio                after_share / before_share (NaN when before is 0)
  z                    pooled two-proportion z-score of the two shares (positive: higher after)
  label                few      fewer than `min_documents` documents in the two together: too few to
                                say anything (one document is not a trend)
                       new      absent before, in at least `min_documents` after
                       gone     in at least `min_documents` before, absent after
                       rising   ratio >= `ratio` and z >= Z_SIGNIFICANT (1.96: a two-sided 5% test)
                       falling  ratio <= 1 / `ratio` and z <= -Z_SIGNIFICANT
                       steady   the rest
Order: items with a label other than "few" first, by |z| (the most certain movers first), then by
documents, then name.

Two runs: the same table with each folder as a "period", plus `run_changes`: the documents added,
removed and changed (matched by doc_id, compared by what the loader parsed: title, date, summary,
themes, keywords, every table row; not file times) and the rows whose relevancy moved (matched by
their content key, signals.workspace.keys). The two runs often share most articles, so their shares
are not independent samples: read the z-score as a yardstick, not a p-value.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import xxhash

from signals import schema
from signals.analysis.emerging import memberships
from signals.analysis.parameters import COMPARE_BY as BY
from signals.analysis.parameters import COMPARE_MIN_DOCUMENTS as DEFAULT_MIN_DOCUMENTS
from signals.analysis.parameters import COMPARE_RATIO as DEFAULT_RATIO
from signals.analysis.significance import Z_SIGNIFICANT, two_proportion_z
from signals.corpus_type import Corpus

LABELS = ("new", "rising", "steady", "falling", "gone", "few")
COLUMNS = ("before", "after", "before_share", "after_share", "change", "ratio", "z", "label")


@dataclass(frozen=True)
class Period:
    """A span of days, both ends included."""

    start: pd.Timestamp
    end: pd.Timestamp

    @classmethod
    def parse(cls, text: str) -> Period:
        """"2024-01-01..2024-06-30" -> Period. Raises ValueError for anything else."""
        parts = str(text).split("..")
        if len(parts) != 2:
            raise ValueError(f"a period is START..END (2024-01-01..2024-06-30), not {text!r}")
        try:
            start, end = (pd.Timestamp(part.strip()).normalize() for part in parts)
        except (TypeError, ValueError) as error:
            raise ValueError(f"not a period of dates: {text!r}") from error
        if end < start:
            raise ValueError(f"the period {text!r} ends before it starts")
        return cls(start, end)

    def __str__(self) -> str:
        return f"{self.start:%Y-%m-%d}..{self.end:%Y-%m-%d}"

    def contains(self, dates: pd.Series) -> np.ndarray:
        """Which dates fall inside (missing dates never do)."""
        dates = pd.to_datetime(dates, errors="coerce")
        return ((dates >= self.start) & (dates < self.end + pd.Timedelta(days=1))).to_numpy(dtype=bool)


@dataclass(frozen=True)
class Comparison:
    """The table per item and what it rests on: the documents in each period (run) and their names."""

    terms: pd.DataFrame
    before_documents: int
    after_documents: int
    before_name: str
    after_name: str
    by: str


def item_memberships(corpus: Corpus, by: str = "theme") -> pd.DataFrame:
    """Corpus -> DataFrame[doc_id, key, name]: one row per (document, theme / keyword / category)."""
    if by not in BY:
        raise ValueError(f"by must be one of {BY}, not {by!r}")
    if by != "category":
        return memberships(corpus, by)
    documents = corpus.documents
    if "category" not in documents.columns:
        return pd.DataFrame({"doc_id": [], "key": [], "name": []}, dtype="str")
    category = documents["category"].astype("str").str.strip()
    keep = documents["category"].notna().to_numpy() & (category != "").to_numpy()
    names = category[keep]
    return pd.DataFrame({"doc_id": documents["doc_id"].astype("str")[keep].to_numpy(),
                         "key": names.map(schema.theme_key).to_numpy(), "name": names.to_numpy()}, dtype="str")


def compare_counts(
    pairs_before: pd.DataFrame,
    documents_before: int,
    pairs_after: pd.DataFrame,
    documents_after: int,
    *,
    by: str = "theme",
    min_documents: int = DEFAULT_MIN_DOCUMENTS,
    ratio: float = DEFAULT_RATIO,
) -> pd.DataFrame:
    """The engine: memberships ([doc_id, key, name]) of each side and its document count ->
    DataFrame[<by>, key, *COLUMNS] (module docstring for the columns, labels and order)."""
    before = pairs_before.groupby("key")["doc_id"].nunique()
    after = pairs_after.groupby("key")["doc_id"].nunique()
    keys = before.index.union(after.index)
    names = pd.concat([pairs_after, pairs_before]).drop_duplicates("key").set_index("key")["name"]
    table = pd.DataFrame({
        by: names.reindex(keys).astype("str").to_numpy(),
        "key": keys.astype("str"),
        "before": before.reindex(keys, fill_value=0).to_numpy(dtype="int64"),
        "after": after.reindex(keys, fill_value=0).to_numpy(dtype="int64"),
    })
    before_count, after_count = table["before"].to_numpy(), table["after"].to_numpy()
    with np.errstate(invalid="ignore", divide="ignore"):
        table["before_share"] = before_count / documents_before if documents_before else np.nan
        table["after_share"] = after_count / documents_after if documents_after else np.nan
        table["change"] = table["after_share"] - table["before_share"]
        table["ratio"] = np.where(before_count > 0, table["after_share"] / table["before_share"], np.nan)
    table["z"] = two_proportion_z(before_count, documents_before, after_count, documents_after)
    table["label"] = _labels(table, min_documents, ratio)
    unlabelled = (table["label"] == "few").to_numpy()
    order = np.lexsort((table[by].str.casefold().to_numpy(), -(before_count + after_count),
                        -np.abs(table["z"].to_numpy()), unlabelled))
    return table.iloc[order].reset_index(drop=True)


def _labels(table: pd.DataFrame, min_documents: int, ratio: float) -> np.ndarray:
    before, after = table["before"].to_numpy(), table["after"].to_numpy()
    share_ratio, z = table["ratio"].to_numpy(), table["z"].to_numpy()
    label = np.full(len(table), "steady", dtype=object)
    with np.errstate(invalid="ignore"):
        label[(share_ratio >= ratio) & (z >= Z_SIGNIFICANT)] = "rising"
        label[(share_ratio <= 1.0 / ratio) & (z <= -Z_SIGNIFICANT)] = "falling"
    label[(before == 0) & (after > 0)] = "new"
    label[(after == 0) & (before > 0)] = "gone"
    label[(before + after) < min_documents] = "few"
    return label.astype("str")


def supported(terms: pd.DataFrame) -> pd.DataFrame:
    """The rows of a comparison with enough documents to carry a label (not "few")."""
    return terms[terms["label"] != "few"].reset_index(drop=True)


def compare_periods(
    corpus: Corpus,
    before: Period,
    after: Period,
    by: str = "theme",
    *,
    min_documents: int = DEFAULT_MIN_DOCUMENTS,
    ratio: float = DEFAULT_RATIO,
) -> Comparison:
    """One corpus, two periods -> Comparison (each period's documents are those dated inside it)."""
    pairs = item_memberships(corpus, by)
    documents = corpus.documents
    ids_before = set(documents["doc_id"].astype("str")[before.contains(documents["date"])])
    ids_after = set(documents["doc_id"].astype("str")[after.contains(documents["date"])])
    terms = compare_counts(pairs[pairs["doc_id"].isin(ids_before)], len(ids_before),
                           pairs[pairs["doc_id"].isin(ids_after)], len(ids_after),
                           by=by, min_documents=min_documents, ratio=ratio)
    return Comparison(terms, len(ids_before), len(ids_after), str(before), str(after), by)


def compare_runs(
    old: Corpus,
    new: Corpus,
    by: str = "theme",
    *,
    min_documents: int = DEFAULT_MIN_DOCUMENTS,
    ratio: float = DEFAULT_RATIO,
    old_name: str = "old run",
    new_name: str = "new run",
) -> Comparison:
    """Two corpora (two pipeline runs) -> Comparison, the old one as "before"."""
    terms = compare_counts(item_memberships(old, by), len(old.documents), item_memberships(new, by),
                           len(new.documents), by=by, min_documents=min_documents, ratio=ratio)
    return Comparison(terms, len(old.documents), len(new.documents), old_name, new_name, by)


def documents_in(corpus: Corpus, name: str, by: str, period: Period | None = None) -> pd.DataFrame:
    """The documents carrying one item (any spelling), inside `period` when given:
    DataFrame[doc_id, title, date, category], newest first (undated last)."""
    pairs = item_memberships(corpus, by)
    doc_ids = set(pairs.loc[pairs["key"] == schema.theme_key(str(name)), "doc_id"])
    documents = corpus.documents
    keep = documents["doc_id"].astype("str").isin(doc_ids).to_numpy()
    if period is not None:
        keep = keep & period.contains(documents["date"])
    columns = [c for c in ("doc_id", "title", "date", "category") if c in documents.columns]
    return documents.loc[keep, columns].sort_values(["date", "doc_id"], ascending=[False, True],
                                                    na_position="last", ignore_index=True)


# --- two runs: documents and rows --------------------------------------------------------------

#: What is compared to tell whether a document changed, in the order `what` lists them.
_DOCUMENT_FIELDS = ("title", "date", "category", "type", "summary", "article_url")
#: Item columns that say where a row is, not what it says: ignored (a reordered table is unchanged).
_POSITION_COLUMNS = {"doc_id", "row", "line", "label", schema.ROW_KEY}


@dataclass(frozen=True)
class RunChanges:
    """documents: DataFrame[doc_id, title, change (added / removed / changed), what (the parts that
    changed: "summary, rows")]; rows: DataFrame[doc_id, title, section, name, relevancy_before,
    relevancy_after, move]; rows_added / rows_removed: rows of documents in both runs whose key is in
    one run only."""

    documents: pd.DataFrame
    rows: pd.DataFrame
    rows_added: int
    rows_removed: int


def _multiset_digest(doc_ids: pd.Series, texts: pa.Array) -> pd.Series:
    """doc_id -> a fingerprint of the texts it holds, whatever their order: the wrapping sum of
    their 64-bit xxhashes, as text. Vectorized over documents: a Python digest per document (sorted
    texts joined and hashed) was 7 of run_changes' 12 s at 10,000 documents."""
    hashes = np.fromiter((xxhash.xxh64_intdigest(text.encode()) for text in texts.to_pylist()), dtype=np.uint64,
                         count=len(texts))
    with np.errstate(over="ignore"):
        sums = pd.Series(hashes).groupby(doc_ids.astype("str").to_numpy()).sum()
    return sums.astype("str")


def _text(values: pd.Series) -> pa.Array:
    """A column as Arrow strings, missing as ""."""
    array = pa.array(values.astype("str").to_numpy(dtype=object), pa.large_string(), from_pandas=True)
    return pc.fill_null(array, "")


def _content(corpus: Corpus) -> pd.DataFrame:
    """One row per document, a column per part compared (fields as text, lists and rows as fingerprints)."""
    documents = corpus.documents
    content = pd.DataFrame({"doc_id": documents["doc_id"].astype("str")})
    for field in _DOCUMENT_FIELDS:
        if field in documents.columns:
            values = documents[field]
            text = (pd.to_datetime(values, errors="coerce").dt.strftime("%Y-%m-%d") if field == "date"
                    else values.astype("str"))
            content[field] = text.fillna("").to_numpy()
    for name, frame, column in (("themes", corpus.themes, "theme_key"), ("keywords", corpus.keywords, "keyword")):
        digests = _multiset_digest(frame["doc_id"], pc.utf8_lower(_text(frame[column])))
        content[name] = content["doc_id"].map(digests).astype("object").fillna("").to_numpy()
    items = corpus.items
    compared = ["section"] + [c for c in items.columns if c not in _POSITION_COLUMNS and c != "section"]
    separator = pa.scalar("\x1f", pa.large_string())
    row_text = pc.binary_join_element_wise(*[_text(items[c]) for c in compared], separator)
    rows = _multiset_digest(items["doc_id"], row_text)
    content["rows"] = content["doc_id"].map(rows).astype("object").fillna("").to_numpy()
    return content


def _titles(*corpora: Corpus) -> pd.Series:
    """doc_id -> title, from the first corpus that has the document."""
    frames = [c.documents[["doc_id", "title"]].astype("str") for c in corpora if "title" in c.documents]
    return pd.concat(frames).drop_duplicates("doc_id").set_index("doc_id")["title"]


def run_changes(old: Corpus, new: Corpus) -> RunChanges:
    """Two runs -> the documents added, removed and changed, and the rows whose relevancy moved."""
    from signals.workspace.keys import row_keys

    old_content, new_content = _content(old), _content(new)
    merged = old_content.merge(new_content, on="doc_id", how="outer", suffixes=("_old", "_new"), indicator=True)
    parts = [c for c in old_content.columns if c != "doc_id" and c in new_content.columns]
    differs = pd.DataFrame({part: merged[f"{part}_old"].fillna("") != merged[f"{part}_new"].fillna("")
                            for part in parts})
    change = np.select([merged["_merge"] == "left_only", merged["_merge"] == "right_only", differs.any(axis=1)],
                       ["removed", "added", "changed"], default="")
    what = np.full(len(merged), "", dtype=object)
    changed = np.flatnonzero(change == "changed")
    what[changed] = [", ".join(p for p, f in zip(parts, flags) if f) for flags in differs.to_numpy()[changed]]
    titles = _titles(new, old)
    documents = pd.DataFrame({"doc_id": merged["doc_id"].astype("str"), "change": change,
                              "what": np.where(change == "changed", what, "")})
    documents = documents[documents["change"] != ""]
    documents.insert(1, "title", documents["doc_id"].map(titles).fillna("").astype("str"))
    documents = documents.sort_values(["change", "doc_id"], ignore_index=True)

    # Rows can only have moved in documents whose rows differ: keys are made for those alone.
    common = set(merged.loc[(merged["_merge"] == "both").to_numpy() & differs["rows"].to_numpy(), "doc_id"])
    old_items = old.items[old.items["doc_id"].astype("str").isin(common)]
    new_items = new.items[new.items["doc_id"].astype("str").isin(common)]
    old_rows = pd.DataFrame({"row_key": row_keys(old_items).to_numpy(),
                             "relevancy_before": old_items[schema.RELEVANCY].to_numpy()})
    new_rows = pd.DataFrame({"row_key": row_keys(new_items).to_numpy(),
                             "doc_id": new_items["doc_id"].astype("str").to_numpy(),
                             "section": new_items["section"].astype("str").to_numpy(),
                             "name": new_items["label" if "label" in new_items else schema.NAME].astype("str").to_numpy(),
                             "relevancy_after": new_items[schema.RELEVANCY].to_numpy()})
    paired = new_rows.merge(old_rows, on="row_key", how="inner")
    moved = paired[paired["relevancy_before"].notna() & paired["relevancy_after"].notna()
                   & (paired["relevancy_before"] != paired["relevancy_after"])]
    rows = moved.assign(
        title=moved["doc_id"].map(titles).fillna("").astype("str"),
        move=(moved["relevancy_after"].astype("int64") - moved["relevancy_before"].astype("int64")),
    )[["doc_id", "title", "section", "name", "relevancy_before", "relevancy_after", "move"]]
    rows = rows.astype({"relevancy_before": "int64", "relevancy_after": "int64"})
    rows = rows.iloc[np.lexsort((rows["name"].to_numpy(), rows["doc_id"].to_numpy(),
                                 -np.abs(rows["move"].to_numpy())))].reset_index(drop=True)
    keys_old, keys_new = pd.Index(old_rows["row_key"]), pd.Index(new_rows["row_key"])
    return RunChanges(documents, rows, len(keys_new.difference(keys_old)), len(keys_old.difference(keys_new)))


# --- the periods offered ------------------------------------------------------------------------

#: Months in each default period (the Emerging page's default window too).
DEFAULT_MONTHS = 6


def months_offered(corpus: Corpus, today: dt.date | None = None) -> list[pd.Timestamp]:
    """The month starts a period may be picked from: the corpus's dense span (heatmaps.dense_span:
    a few stray dates years away are left out) up to the newest month that is not in the future."""
    from signals.analysis.emerging import as_of_date
    from signals.analysis.heatmaps import dense_span

    span = dense_span(corpus, "M")
    as_of = as_of_date(corpus.documents, today)
    if span is None or as_of is None:
        return []
    last = min(span[1], pd.Period(as_of, freq="M").start_time)
    if last < span[0]:
        return []
    return list(pd.date_range(span[0], last, freq="MS"))


def default_periods(corpus: Corpus, months: int = DEFAULT_MONTHS,
                    today: dt.date | None = None) -> tuple[Period, Period] | None:
    """The last two equal windows of `months_offered` (at most `months` months each; fewer when the
    span is short) -> (before, after); None with fewer than two months to offer."""
    offered = months_offered(corpus, today)
    width = min(months, len(offered) // 2)
    if width < 1:
        return None
    return month_period(offered[-2 * width], offered[-width - 1]), month_period(offered[-width], offered[-1])


def month_period(first: pd.Timestamp, last: pd.Timestamp) -> Period:
    """From the first day of month `first` to the last day of month `last`."""
    return Period(pd.Timestamp(first).to_period("M").start_time,
                  pd.Timestamp(last).to_period("M").end_time.normalize())
