"""The corpus at a glance: headline numbers, top themes and keywords, volume over time, facets.

Every function takes a Corpus (usually the filtered one) and returns plain Python values or a small
DataFrame with the columns its docstring names; an empty corpus gives zeros / empty frames.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from signals import schema
from signals.analysis.incidence import NONE_LABEL, encode, facet_codes, section_order
from signals.corpus_type import Corpus
from signals.dates import span


def _empty(columns: dict[str, str]) -> pd.DataFrame:
    return pd.DataFrame({name: pd.Series(dtype=dtype) for name, dtype in columns.items()})


def _timestamp_or_none(value: object) -> pd.Timestamp | None:
    return None if value is None or pd.isna(value) else pd.Timestamp(value)


def headline_counts(corpus: Corpus) -> dict:
    """Corpus -> the numbers for the overview's header.

    Keys: documents, rows (item rows), themes (distinct theme keys on documents), keywords (distinct,
    ignoring case), sources (distinct article domains), first_date / last_date (Timestamp, None when
    no document is dated; the last date is the newest not in the future, as Emerging's windows end),
    future_dated (documents dated after today: the loader's "in the future" warnings, most often a
    wrong page id; six of the real corpus's, on two days of 2029, made its span read 2004-29),
    mean_relevancy (float over rated rows, None when none is rated),
    rows_per_section ({section: rows}: the five table sections always, in order, then any others).
    """
    encoded = encode(corpus)
    documents = encoded.documents
    first_date, last_date, future_dated = span(
        documents["date"] if "date" in documents.columns else pd.Series(dtype="datetime64[ns]"))
    relevancy = encoded.item_relevancy
    section_codes, sections = encoded.item_sections
    rows_in_section = np.bincount(section_codes[section_codes >= 0], minlength=len(sections))
    rows_per_section = dict.fromkeys(section_order([*schema.TABLE_SECTIONS, *sections]), 0)
    rows_per_section.update({section: int(rows) for section, rows in zip(sections, rows_in_section)})
    domains = facet_codes(documents["domain"])[1] if "domain" in documents.columns else []
    sources = sum(domain != NONE_LABEL for domain in domains)
    rated = relevancy[~np.isnan(relevancy)]
    return {
        "documents": encoded.document_count,
        "rows": len(corpus.item_facts),
        "themes": len(encoded.theme_ranking),
        "keywords": len(encoded.keyword_counts),
        "sources": sources,
        "first_date": _timestamp_or_none(first_date),
        "last_date": _timestamp_or_none(last_date),
        "future_dated": future_dated,
        "mean_relevancy": float(rated.mean(dtype=np.float64)) if len(rated) else None,
        "rows_per_section": rows_per_section,
    }


def top_themes(corpus: Corpus, n: int = 15) -> pd.DataFrame:
    """Corpus -> DataFrame[theme, documents]: the n themes on most documents (ties alphabetical).

    Themes are counted by canonical key (case and spacing ignored) and shown in their display spelling.
    """
    return encode(corpus).theme_ranking.head(max(n, 0))[["theme", "documents"]].reset_index(drop=True)


def top_keywords(corpus: Corpus, n: int = 15) -> pd.DataFrame:
    """Corpus -> DataFrame[keyword, documents]: the n keywords on most documents (ties alphabetical).

    Keywords match case-insensitively ("AI" and "ai" are one keyword); each is shown in its most used
    spelling (ties: alphabetical first).
    """
    counts = encode(corpus).keyword_counts
    top = counts.sort_values(["documents", "key"], ascending=[False, True]).head(max(n, 0))
    return top[["keyword", "documents"]].reset_index(drop=True)


def documents_per_period(corpus: Corpus, period: str = "M") -> pd.DataFrame:
    """Corpus -> DataFrame[period, documents]: documents per month ("M"), quarter ("Q"), year ("Y")
    or week ("W"); period is the Timestamp at its start. Every period between the first and the last
    dated document is present (0 when none); undated documents are left out.
    """
    starts, period_of_document = encode(corpus).periods(period)
    if not len(starts):
        return _empty({"period": "datetime64[ns]", "documents": "int64"})
    dated = period_of_document[period_of_document >= 0]
    return pd.DataFrame(
        {"period": starts, "documents": np.bincount(dated, minlength=len(starts)).astype("int64")}
    )


def relevancy_distribution(corpus: Corpus) -> pd.DataFrame:
    """Corpus -> DataFrame[section, relevancy, rows]: rated item rows per section and relevancy level.

    Every section with item rows gets all five levels, in order (0 when none); rows without a
    relevancy are not counted here. Sections in the documents' order.
    """
    encoded = encode(corpus)
    section_codes, sections = encoded.item_sections
    if not sections:
        return _empty({"section": "str", "relevancy": "int64", "rows": "int64"})
    levels = np.arange(schema.RELEVANCY_MIN, schema.RELEVANCY_MAX + 1)
    relevancy = encoded.item_relevancy
    with np.errstate(invalid="ignore"):
        keep = (
            (section_codes >= 0)
            & (relevancy >= schema.RELEVANCY_MIN)
            & (relevancy <= schema.RELEVANCY_MAX)
            & (relevancy == np.floor(relevancy))
        )
    cell = section_codes[keep].astype(np.int64) * len(levels) + (relevancy[keep].astype(np.int64) - schema.RELEVANCY_MIN)
    rows = np.bincount(cell, minlength=len(sections) * len(levels))
    return pd.DataFrame(
        {
            "section": pd.Series(np.repeat(sections, len(levels)), dtype="str"),
            "relevancy": np.tile(levels, len(sections)).astype("int64"),
            "rows": rows.astype("int64"),
        }
    )


def counts_by(corpus: Corpus, column: str) -> pd.DataFrame:
    """Corpus + a documents column (category, type, domain, ...) -> DataFrame[value, documents].

    Documents per value, most first (ties alphabetical); a missing or blank value is counted as
    "(none)". A column the documents frame lacks gives an empty frame.
    """
    documents = encode(corpus).documents
    if column not in documents.columns or not len(documents):
        return _empty({"value": "str", "documents": "int64"})
    _, labels, documents_per_label = facet_codes(documents[column])
    return pd.DataFrame(
        {"value": pd.Series(labels, dtype="str"), "documents": documents_per_label.astype("int64")}
    )
