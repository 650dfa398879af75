"""Analyses over a (filtered) Corpus: pure functions, Corpus in, small DataFrames / values out.

overview      headline numbers, top themes and keywords, documents per period, facets
heatmaps      mean relevancy by theme or category x section, themes over time, rows behind a cell
cooccurrence  theme co-occurrence matrix (count, jaccard, lift) with a minimum support, pairs, theme graph
related       documents sharing the most themes with a given one
emerging      themes (or keywords, any grouping) ranked by how much they are emerging now
clusters      the same signal reported by several articles: near-duplicate rows of one section
network       the typed network: themes and table rows as nodes, linked within documents
short_labels  short labels for rows that have only a description
incidence     the shared engine: integer codes and sparse incidence matrices

The functions of the first four are re-exported here; import the others from their modules
(clusters needs scikit-learn, network networkx: only their callers should pay for them). Every
module names the Corpus type from signals.corpus_type, never the loader. No Streamlit here: the
app layer caches and draws what these return (see signals.charts).
"""

from __future__ import annotations

from signals.analysis.cooccurrence import theme_cooccurrence, theme_graph, theme_pairs
from signals.analysis.heatmaps import (
    relevancy_by_category_section,
    relevancy_by_theme_section,
    rows_behind_cell,
    themes_by_period,
)
from signals.analysis.overview import (
    counts_by,
    documents_per_period,
    headline_counts,
    relevancy_distribution,
    top_keywords,
    top_themes,
)
from signals.analysis.related import documents_sharing_themes

__all__ = [
    "counts_by",
    "documents_per_period",
    "documents_sharing_themes",
    "headline_counts",
    "relevancy_by_category_section",
    "relevancy_by_theme_section",
    "relevancy_distribution",
    "rows_behind_cell",
    "theme_cooccurrence",
    "theme_graph",
    "theme_pairs",
    "themes_by_period",
    "top_keywords",
    "top_themes",
]
