"""Heatmap aggregates: mean relevancy by theme or category and section, themes over time, and the
item rows behind any one cell (so a click on the chart can list them).

Long-form results are complete grids: every (row label, column label) pair is present, in display
order (themes by document count, sections in the documents' order, periods in time order), with
rows = 0 / documents = 0 and mean_relevancy = NaN where nothing falls in the cell.

How a cell is counted (theme x section): a document carrying the theme contributes all its item rows
of that section; mean_relevancy averages the rows that have a relevancy, `rows` counts them, and
`documents` counts the documents that contributed at least one of them.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from scipy import sparse

from signals import schema
from signals.analysis.incidence import EncodedCorpus, encode, facet_codes, indicator, period_alias
from signals.corpus_type import Corpus

MEASURES = ("documents", "mean_relevancy")


def _empty_grid(label: str) -> pd.DataFrame:
    """The empty result of a (label x section) relevancy grid."""
    columns = {
        label: "str",
        "section": "str",
        "mean_relevancy": "float64",
        "rows": "int64",
        "documents": "int64",
    }
    return pd.DataFrame({name: pd.Series(dtype=dtype) for name, dtype in columns.items()})


def _empty_periods() -> pd.DataFrame:
    """The empty result of themes_by_period."""
    columns = {
        "theme": "str",
        "period": "datetime64[ns]",
        "value": "float64",
        "documents": "int64",
        "mean_relevancy": "float64",
    }
    return pd.DataFrame({name: pd.Series(dtype=dtype) for name, dtype in columns.items()})


def _grid(
    labels: list[str],
    sections: list[str],
    rows: np.ndarray,
    sums: np.ndarray,
    documents: np.ndarray,
    label: str,
) -> pd.DataFrame:
    """Matrices (labels x sections) -> the long, complete grid frame."""
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(rows > 0, sums / np.where(rows > 0, rows, 1), np.nan)
    return pd.DataFrame(
        {
            label: pd.Series(np.repeat(labels, len(sections)), dtype="str"),
            "section": pd.Series(np.tile(sections, len(labels)), dtype="str"),
            "mean_relevancy": mean.ravel().astype("float64"),
            "rows": rows.ravel().astype("int64"),
            "documents": documents.ravel().astype("int64"),
        }
    )


def _by_group_and_section(
    group_by_doc: sparse.csr_matrix, labels: list[str], encoded: EncodedCorpus, label: str
) -> pd.DataFrame:
    """A groups x documents 0/1 matrix -> the long grid of relevancy per group and section."""
    sections, rated_rows, relevancy_sums = encoded.rated_by_doc_section
    if not sections or not labels:
        return _empty_grid(label)
    rows = np.asarray(group_by_doc @ rated_rows)
    sums = np.asarray(group_by_doc @ relevancy_sums)
    documents = np.asarray(group_by_doc @ (rated_rows > 0).astype(np.int64))
    return _grid(labels, sections, rows, sums, documents, label)


def relevancy_by_theme_section(corpus: Corpus, top_n: int = 20) -> pd.DataFrame:
    """Corpus -> DataFrame[theme, section, mean_relevancy, rows, documents] for the top_n themes.

    Themes are the top_n by document count (as top_themes ranks them), sections those with a rated
    row; see the module docstring for how a cell is counted.
    """
    encoded = encode(corpus)
    ranking, incidence = encoded.top_theme_incidence(top_n)
    return _by_group_and_section(incidence, ranking["theme"].tolist(), encoded, "theme")


def _category_codes(documents: pd.DataFrame) -> tuple[np.ndarray, list[str]]:
    """Documents -> (each document's category code; category labels, most documents first, ties
    alphabetical; a missing category is "(none)")."""
    if "category" not in documents.columns:
        return np.full(len(documents), -1, dtype=np.int64), []
    codes, labels, _ = facet_codes(documents["category"])
    return codes, labels


def relevancy_by_category_section(corpus: Corpus) -> pd.DataFrame:
    """Corpus -> DataFrame[category, section, mean_relevancy, rows, documents], categories with most
    documents first (a missing category is "(none)"); cells counted as for themes."""
    encoded = encode(corpus)
    codes, labels = _category_codes(encoded.documents)
    category_by_doc = indicator(codes, len(labels)).T.tocsr()
    return _by_group_and_section(category_by_doc, labels, encoded, "category")


def themes_by_period(
    corpus: Corpus, top_n: int = 20, measure: str = "documents", period: str = "M"
) -> pd.DataFrame:
    """Corpus -> DataFrame[theme, period, value, documents, mean_relevancy] for the top_n themes.

    documents = dated documents carrying the theme in that period; mean_relevancy = mean over all
    rated item rows of those documents (NaN when none); value = the chosen measure ("documents" or
    "mean_relevancy"). Every period from the first to the last dated document is present, for every
    theme, themes by document count and periods in time order.
    """
    if measure not in MEASURES:
        raise ValueError(f"measure must be one of {MEASURES}, not {measure!r}")
    encoded = encode(corpus)
    starts, period_of_document = encoded.periods(period)
    ranking, incidence = encoded.top_theme_incidence(top_n)
    if not len(ranking) or not len(starts):
        return _empty_periods()
    by_period = indicator(period_of_document, len(starts))
    _, rated_rows, relevancy_sums = encoded.rated_by_doc_section
    # by_period has one 1 per dated document: weighting its rows by a per-document number and
    # multiplying by the incidence sums that number per (theme, period).
    documents = (incidence @ by_period).toarray()
    rows = (incidence @ (sparse.diags(rated_rows.sum(axis=1).astype("float64")) @ by_period)).toarray()
    sums = (incidence @ (sparse.diags(relevancy_sums.sum(axis=1)) @ by_period)).toarray()
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(rows > 0, sums / np.where(rows > 0, rows, 1), np.nan)
    themes = ranking["theme"].tolist()
    frame = pd.DataFrame(
        {
            "theme": pd.Series(np.repeat(themes, len(starts)), dtype="str"),
            "period": np.tile(starts.to_numpy(), len(themes)),
            "documents": documents.ravel().astype("int64"),
            "mean_relevancy": mean.ravel().astype("float64"),
        }
    )
    frame.insert(2, "value", frame[measure].astype("float64"))
    return frame


#: A run of dated documents ends at an empty stretch longer than this (a year).
STRAY_GAP_YEARS = 1
#: The densest run is shown alone when it holds at least this share of the dated documents.
DENSE_SHARE = 0.9


def dense_span(corpus: Corpus, period: str = "M") -> tuple[pd.Timestamp, pd.Timestamp, int] | None:
    """The run of periods where the corpus's dated documents lie -> (first period start, last period
    start, documents dated outside it), or None without dated documents.

    Real corpora carry stray dates: on the 160 real documents one page is dated 2004 and six 2029,
    around 152 from 2022 to 2025, and every month between them made a 300-column heatmap of empty
    cells. Documents are cut into runs wherever more than STRAY_GAP_YEARS passes without one; the
    run holding the most documents is the span when it holds at least DENSE_SHARE of them, else
    the whole range is (no single run dominates: nothing is stray)."""
    if "date" not in corpus.document_facts:
        return None
    dates = pd.to_datetime(corpus.document_facts["date"], errors="coerce").dropna()
    if dates.empty:
        return None
    alias = period_alias(period)
    periods = dates.dt.to_period(alias)
    counts = periods.value_counts().sort_index()
    ordinals = np.array([p.ordinal for p in counts.index])
    per_year = 12 if alias.startswith("M") else 4
    breaks = np.flatnonzero(np.diff(ordinals) > STRAY_GAP_YEARS * per_year)
    starts = np.r_[0, breaks + 1]
    ends = np.r_[breaks, len(ordinals) - 1]
    documents = np.array([counts.iloc[a:b + 1].sum() for a, b in zip(starts, ends)])
    best = int(np.argmax(documents))
    if documents[best] < DENSE_SHARE * len(dates):
        best_start, best_end = 0, len(ordinals) - 1
    else:
        best_start, best_end = starts[best], ends[best]
    first, last = counts.index[best_start], counts.index[best_end]
    outside = int(((periods < first) | (periods > last)).sum())
    return first.start_time, last.start_time, outside


def rows_behind_cell(
    corpus: Corpus,
    *,
    theme: str | None = None,
    category: str | None = None,
    section: str | None = None,
    period: str | dt.date | pd.Timestamp | None = None,
    period_freq: str = "M",
) -> pd.DataFrame:
    """Corpus + a heatmap cell's coordinates -> the item rows behind it, with title and date joined.

    theme matches case-insensitively on the canonical key; category "(none)" means no category;
    section is a slug or heading ("Signals"); period is any date inside the period (its start, as the
    charts give it) of length period_freq. Coordinates left None do not restrict. Columns: doc_id,
    title, date, then the items' other columns; most relevant first, then newest, then by document,
    section and row. Unrated rows are included (a cell's `rows` counts only the rated ones).
    """
    encoded = encode(corpus)
    documents = encoded.documents
    keep_document = np.ones(len(documents), dtype=bool)
    if theme is not None:
        key_codes, keys = encoded.theme_keys
        wanted_code = keys.get_indexer([schema.theme_key(str(theme))])[0] if len(keys) else -1
        carries = np.zeros(len(documents), dtype=bool)
        theme_docs = encoded.theme_docs[(key_codes == wanted_code) & (wanted_code >= 0)]
        carries[theme_docs[theme_docs >= 0]] = True
        keep_document &= carries
    if category is not None:
        codes, labels = _category_codes(documents)
        keep_document &= codes == (labels.index(str(category)) if str(category) in labels else -2)
    if period is not None:
        starts, period_of_document = encoded.periods(period_freq)
        wanted = pd.Period(pd.Timestamp(period), freq=period_alias(period_freq)).start_time
        position = starts.get_indexer([wanted])[0] if len(starts) else -1
        keep_document &= (period_of_document == position) & (position >= 0)

    items = corpus.items
    item_docs = encoded.item_docs
    keep_item = item_docs >= 0
    keep_item[keep_item] = keep_document[item_docs[keep_item]]
    section_codes, sections = encoded.item_sections
    if section is not None:
        slug = schema.section_slug(str(section))
        keep_item &= section_codes == (sections.index(slug) if slug in sections else -2)
    chosen = np.flatnonzero(keep_item)
    positions = item_docs[chosen]
    has_date = "date" in documents.columns
    dates = (
        pd.to_datetime(documents["date"].iloc[positions], errors="coerce").to_numpy(dtype="datetime64[ns]")
        if has_date
        else np.full(len(chosen), np.datetime64("NaT"), dtype="datetime64[ns]")
    )
    newest_first = -np.where(np.isnat(dates), np.iinfo(np.int64).min + 1, dates.astype("int64"))
    row_numbers = (
        pd.to_numeric(items["row"], errors="coerce").to_numpy(dtype="float64")[chosen]
        if "row" in items.columns
        else chosen
    )
    # np.lexsort: the last key sorts first. Unrated rows and undated documents go last.
    order = np.lexsort(
        (
            row_numbers,
            section_codes[chosen],
            positions,  # the documents' order: by doc_id when loaded
            newest_first,
            -np.nan_to_num(encoded.item_relevancy[chosen], nan=-1.0),
        )
    )
    chosen, positions = chosen[order], positions[order]
    rows = items.iloc[chosen].drop(columns="doc_id").reset_index(drop=True)
    rows.insert(0, "doc_id", pd.Series(encoded.document_ids[positions], dtype="str"))
    # Titles of the cell's documents only (encoded.documents holds what counts need, no text); the
    # first row of a doc_id, as encoded.documents keeps.
    shown_ids = encoded.document_ids[positions]
    titled = corpus.documents_of(shown_ids).drop_duplicates("doc_id")
    titles = (pd.Series(titled["title"].to_numpy(), index=titled["doc_id"].astype("str")).reindex(shown_ids).to_numpy()
              if "title" in titled.columns else pd.NA)
    rows.insert(1, "title", pd.Series(titles, index=rows.index, dtype="str"))
    rows.insert(2, "date", documents["date"].iloc[positions].to_numpy() if has_date else dates)
    return rows
