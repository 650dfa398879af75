"""The Corpus value: what a load gives, what filters narrow, what every analysis reads.

A small module of its own, so that `filters`, `analysis/`, `export` and the app can name the type
without importing the loader (`signals.ingest`, which makes one: `load_corpus`). pandas only.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property

import pandas as pd

from signals import schema


@dataclass(frozen=True, eq=False)
class Corpus:
    """The loaded corpus: one pandas DataFrame per table (docs/format.md, "What the loader makes of it").

    documents  one row per document, sorted by doc_id: schema.DOCUMENT_COLUMNS (doc_id, title, date,
               page_id, page_url, article_url, domain, category, type, summary, path, duplicate_of),
               then each other `Other` attribute as its own column (`Category` and `Type` fill
               category and type; a key that would clash with a column, `Date` say, is `other_date`)
    keywords   doc_id, keyword (categorical; one row per document and keyword)
    themes     doc_id, theme (the key's most common spelling), theme_key (NFKC, case-folded)
    items      every table row: doc_id, section, row, line, name, description, relevancy (Int8),
               label (name, else description), then change, ten_year, driving_force, src, and any
               other column a table has
    links      doc_id, target_id, title (from Closest lists)
    problems   doc_id, path, line, section, severity, message (sorted by path and line)
    section_columns  section slug -> the columns its tables have, in order of first appearance
    root       the resolved folder (or file) it was loaded from; "" when made by hand
    tables     section slug -> that section's rows with its own columns (a cached property)

    The row frames' doc_id is categorical over the documents' ids (filters match integer codes).
    """

    documents: pd.DataFrame
    keywords: pd.DataFrame
    themes: pd.DataFrame
    items: pd.DataFrame
    links: pd.DataFrame
    problems: pd.DataFrame
    section_columns: dict[str, list[str]] = field(default_factory=dict)
    root: str = ""

    @cached_property
    def tables(self) -> dict[str, pd.DataFrame]:
        """Section slug -> that section's own DataFrame (doc_id, row, line, its columns, relevancy).

        The format's five table sections first, in their order, then the others by name.
        """
        by_section = {}
        grouped = dict(tuple(self.items.groupby("section", observed=True, sort=False))) if len(self.items) else {}
        for section in self._sections():
            rows = grouped.get(section, self.items.iloc[0:0])
            columns = list(self.section_columns.get(section, [schema.NAME, schema.DESCRIPTION]))
            has_relevancy = rows[schema.RELEVANCY].notna().any() or not len(rows)
            keep = ["doc_id", "row", "line", *columns] + ([schema.RELEVANCY] if has_relevancy else [])
            keep = [c for c in keep if c in rows.columns]
            by_section[section] = rows[keep].reset_index(drop=True)
        return by_section

    def frames(self) -> dict[str, pd.DataFrame]:
        """Every table by name: the six frames, then each section's own table."""
        named = {name: getattr(self, name) for name in schema.FRAME_NAMES}
        for section, table in self.tables.items():
            named.setdefault(section, table)
        return named

    def with_frames(self, **frames: pd.DataFrame) -> Corpus:
        """A copy with some frames replaced (the filtered corpus, say)."""
        return replace(self, **frames)

    def _sections(self) -> list[str]:
        """The sections there are: the format's five first, in their order, then the others by name."""
        present = set(self.items["section"].unique()) if len(self.items) else set()
        sections = [s for s in schema.TABLE_SECTIONS if s in self.section_columns or s in present]
        return sections + sorted(s for s in (set(self.section_columns) | present) if s not in sections)

    def row_counts(self) -> dict[str, int]:
        """Rows per section, in section order: counted on the items, without building each section's
        table (that copy was about 0.3 s of `signals check` at 10,000 documents)."""
        counts = self.items["section"].value_counts() if len(self.items) else {}
        return {section: int(counts.get(section, 0)) for section in self._sections()}
