"""Analyses over a (filtered) Corpus: pure functions, Corpus in, small DataFrames / values out.

overview      headline numbers, top themes and keywords, documents per period, facets
heatmaps      mean relevancy by theme or category x section, themes over time, rows behind a cell
cooccurrence  theme co-occurrence matrix (count, jaccard, lift), pairs, theme graph
related       documents sharing the most themes with a given one
incidence     the shared engine: integer codes and sparse incidence matrices
emerging      what is emerging now, per theme or keyword
clusters      the same signal seen across articles
network       the typed network of themes, signals and documents
parameters    the choices and defaults users set (light: the CLI's parser reads them)

No Streamlit here: the app layer caches and draws what these return (see signals.charts).

The functions below are imported on first use (`from signals.analysis import top_themes`), not with
the package: importing one analysis module (the CLI's `signals emerging`) does not pay for the
others' libraries (networkx for co-occurrence, scikit-learn for clusters).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

#: Function -> the module defining it.
_FUNCTIONS = {
    "counts_by": "overview",
    "documents_per_period": "overview",
    "documents_sharing_themes": "related",
    "headline_counts": "overview",
    "relevancy_by_category_section": "heatmaps",
    "relevancy_by_theme_section": "heatmaps",
    "relevancy_distribution": "overview",
    "rows_behind_cell": "heatmaps",
    "theme_cooccurrence": "cooccurrence",
    "theme_graph": "cooccurrence",
    "theme_pairs": "cooccurrence",
    "themes_by_period": "heatmaps",
    "top_keywords": "overview",
    "top_themes": "overview",
}
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

if TYPE_CHECKING:  # pragma: no cover
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


def __getattr__(name: str) -> Any:
    if name in _FUNCTIONS:
        return getattr(importlib.import_module(f"signals.analysis.{_FUNCTIONS[name]}"), name)
    raise AttributeError(f"module 'signals.analysis' has no attribute {name!r}")
