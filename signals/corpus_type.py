"""The Corpus value: what a load gives, what filters narrow, what every analysis reads.

A small module of its own, so that `filters`, `analysis/`, `export` and the app can name the type
without importing the loader (`signals.ingest`, which makes one: `load_corpus`). pandas only.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field, fields
from functools import cached_property

import numpy as np
import pandas as pd

from signals import schema

#: The items' columns that counts, means and masks read (no text): what `Corpus.item_facts` holds.
ITEM_FACT_COLUMNS = (*schema.ITEM_KEY_COLUMNS, schema.RELEVANCY)
#: The documents' long texts, left out of `Corpus.document_facts`: in 100,000 synthetic documents
#: these hold 80 of the frame's 95 MB (the summary alone 54 MB).
DOCUMENT_TEXT_COLUMNS = ("title", "summary", "page_url", "article_url", "path")


class PendingRows:
    """Some rows of a whole frame, taken when first read: a filtered corpus's items or documents.

    Taking every text column of the rows a filter keeps was most of a rerun at 100,000 documents
    (1.0-1.3 s of a 1.4-1.9 s theme change, `pyarrow.take` of the items' text), and kept with the
    view it was most of the memory a session costs (the documents' summaries: 4-8 MB a view), while
    the pages most reruns draw (Overview, Heatmaps, Co-occurrence) read only codes, dates and numbers:
    `facts()`. The rows are kept as positions (int32 while the frame has fewer than 2**31 rows): a
    mask over the 2.1 million items of 100,000 documents was 2.1 MB a view, the positions of a
    theme's rows are 0.3-0.7 MB."""

    def __init__(self, whole: pd.DataFrame, keep: np.ndarray, fact_columns: list[str]) -> None:
        self.whole = whole
        self.positions = np.flatnonzero(keep).astype(np.int32 if len(whole) < 2**31 else np.int64)
        self.fact_columns = fact_columns
        self.lock = threading.Lock()

    def mask(self) -> np.ndarray:
        """The kept rows as a mask over the whole frame (made when asked, not kept)."""
        keep = np.zeros(len(self.whole), dtype=bool)
        keep[self.positions] = True
        return keep

    def facts(self) -> pd.DataFrame:
        """The kept rows' columns without text (fact_columns), numbered from 0."""
        return self.whole[self.fact_columns].take(self.positions).reset_index(drop=True)

    def take(self) -> pd.DataFrame:
        """The kept rows, every column, numbered from 0."""
        return self.whole.take(self.positions).reset_index(drop=True)

    @classmethod
    def of_items(cls, items: pd.DataFrame, keep: np.ndarray) -> PendingRows:
        return cls(items, keep, [c for c in ITEM_FACT_COLUMNS if c in items.columns])

    @classmethod
    def of_documents(cls, documents: pd.DataFrame, keep: np.ndarray) -> PendingRows:
        return cls(documents, keep, [c for c in documents.columns if c not in DOCUMENT_TEXT_COLUMNS])


class _Pending:
    """A frame field of a Corpus (`items`, `documents`): a frame, or PendingRows made into one on
    first read (once, whichever session's thread reads it first)."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name, self.slot = name, f"_{name}"

    def __get__(self, corpus: Corpus | None, owner: type) -> pd.DataFrame:
        if corpus is None:
            raise AttributeError(f"{self.name} has no default")  # dataclasses: a field without a default
        value = corpus.__dict__[self.slot]
        if isinstance(value, PendingRows):
            with value.lock:
                value = corpus.__dict__[self.slot]
                if isinstance(value, PendingRows):
                    corpus.__dict__[f"{self.slot}_origin"] = value  # see Corpus.item_origin
                    value = corpus.__dict__[self.slot] = value.take()
        return value

    def __set__(self, corpus: Corpus, value: pd.DataFrame | PendingRows) -> None:
        corpus.__dict__[self.slot] = value


#: The fields that filters.apply may leave pending.
PENDING_FIELDS = ("documents", "items")


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
    loaded_documents  documents when loaded (filtered views keep it: what depends on the corpus's
               size, like its embedding model, does not change with the filters); 0 when made by hand
    tables     section slug -> that section's rows with its own columns (a cached property)

    The row frames' doc_id is categorical over the documents' ids (filters match integer codes).
    """

    documents: pd.DataFrame = _Pending()  # type: ignore[assignment]  # a frame, or PendingRows (filters.apply)
    keywords: pd.DataFrame
    themes: pd.DataFrame
    items: pd.DataFrame = _Pending()  # type: ignore[assignment]  # a frame, or PendingRows (filters.apply)
    links: pd.DataFrame
    problems: pd.DataFrame
    section_columns: dict[str, list[str]] = field(default_factory=dict)
    root: str = ""
    loaded_documents: int = 0

    @cached_property
    def tables(self) -> dict[str, pd.DataFrame]:
        """Section slug -> that section's own DataFrame (doc_id, row, line, its columns, relevancy).

        The format's five table sections first, in their order, then the others by name.
        """
        return {section: self.section_table(section) for section in self._sections()}

    def section_table(self, section: str) -> pd.DataFrame:
        """One section's own DataFrame (see `tables`), made alone and kept: a page showing one
        table no longer builds every section's (5.9 s at 100,000 documents under load, issue 15)."""
        made = self.__dict__.setdefault("_section_tables", {})
        if section not in made:
            # From the whole items when this corpus's rows are still pending: the section's rows of
            # the view are taken once, not the view's every row and then the section's.
            source, mask = self._section_mask(section)
            made[section] = self.as_section_table(section, source[mask])
        return made[section]

    def _section_mask(self, section: str) -> tuple[pd.DataFrame, np.ndarray]:
        """(the frame this corpus's rows are taken from: its items, or the whole items while they
        are pending; which of its rows are this corpus's rows of `section`)."""
        pending = self.__dict__["_items"]
        source = pending.whole if isinstance(pending, PendingRows) else pending
        sections = source["section"]
        if isinstance(sections.dtype, pd.CategoricalDtype):  # compare codes, not 2 million strings
            categories = sections.cat.categories
            wanted = categories.get_loc(section) if section in categories else -2
            mask = sections.cat.codes.to_numpy() == wanted
        else:
            mask = (sections == section).to_numpy(dtype=bool, na_value=False)
        if isinstance(pending, PendingRows):
            mask &= pending.mask()
        return source, mask

    def table_rows(self, name: str, start: int, stop: int) -> pd.DataFrame:
        """Rows start:stop of `frame(name)` (indexed start..stop-1), taking only those rows' text
        when the table is not made yet: a page of a table shows 2,000 rows, while making a filtered
        view's whole signals table copies every row's text (tens of MB a view at 100,000 documents,
        kept with the view: memory per session, issue 15)."""
        made = self.__dict__.get("_section_tables", {})
        pending = self.__dict__["_items"]
        source = pending.whole if isinstance(pending, PendingRows) else pending
        frame_pending = self._pending(name)
        if name in schema.FRAME_NAMES and frame_pending is None:
            rows = getattr(self, name).iloc[start:stop]
        elif name in made:
            rows = made[name].iloc[start:stop]
        elif frame_pending is not None:
            rows = frame_pending.whole.iloc[frame_pending.positions[start:stop]]
        else:
            positions = self.__dict__.setdefault("_section_positions", {})
            if name not in positions:
                positions[name] = np.flatnonzero(self._section_mask(name)[1])
            rows = self.as_section_table(name, source.iloc[positions[name][start:stop]])
        return rows.set_axis(pd.RangeIndex(start, start + len(rows)))

    def table_length(self, name: str) -> int:
        """Rows of `frame(name)`, without making it."""
        if name == "items":
            return len(self.item_facts)
        if name == "documents":
            return self.document_count
        if name in schema.FRAME_NAMES:
            return len(getattr(self, name))
        return self.row_counts().get(name, 0)

    def _pending(self, name: str) -> PendingRows | None:
        """The frame `name`'s rows when still pending (not taken yet), else None."""
        value = self.__dict__.get(f"_{name}") if name in PENDING_FIELDS else None
        return value if isinstance(value, PendingRows) else None

    def as_section_table(self, section: str, rows: pd.DataFrame) -> pd.DataFrame:
        """Some item rows of one section -> with that section's columns, as `tables` has them
        (relevancy when any row of the section in this corpus has one)."""
        columns = list(self.section_columns.get(section, [schema.NAME, schema.DESCRIPTION]))
        has_relevancy = section in self._rated_sections or not len(rows)
        keep = ["doc_id", "row", "line", *columns] + ([schema.RELEVANCY] if has_relevancy else [])
        keep = [c for c in keep if c in rows.columns]
        return rows[keep].reset_index(drop=True)

    def is_rated(self, name: str) -> bool:
        """Whether table `name` (items or a section) has a relevancy column, without making it."""
        if name == "items":
            return schema.RELEVANCY in self.item_facts.columns
        return name in self._rated_sections or not self.row_counts().get(name, 0)

    @cached_property
    def _rated_sections(self) -> set[str]:
        facts = self.item_facts
        if not len(facts) or schema.RELEVANCY not in facts.columns:
            return set()
        # Distinct values first: 2 million categorical sections as strings took a second at 100k.
        return {str(section) for section in facts.loc[facts[schema.RELEVANCY].notna(), "section"].unique()}

    def section_names(self) -> list[str]:
        """The sections `tables` has, in its order, without making their tables (a filtered view's
        `tables` copies every row of the view with its text: 130 MB at 100,000 documents)."""
        return self._sections()

    def table_names(self) -> list[str]:
        """The names `frames()` gives, in its order, without making the section tables."""
        return [*schema.FRAME_NAMES, *(s for s in self._sections() if s not in schema.FRAME_NAMES)]

    def frame(self, name: str) -> pd.DataFrame:
        """One table of `frames()` by name, making only that one."""
        return getattr(self, name) if name in schema.FRAME_NAMES else self.section_table(name)

    def frames(self) -> dict[str, pd.DataFrame]:
        """Every table by name: the six frames, then each section's own table."""
        named = {name: getattr(self, name) for name in schema.FRAME_NAMES}
        for section, table in self.tables.items():
            named.setdefault(section, table)
        return named

    @cached_property
    def item_facts(self) -> pd.DataFrame:
        """The items without their text (ITEM_FACT_COLUMNS): what counts and means need. The items
        frame itself, unless filtering left the items to be taken when first read (PendingRows)."""
        value = self.__dict__["_items"]
        return value.facts() if isinstance(value, PendingRows) else value

    @cached_property
    def document_facts(self) -> pd.DataFrame:
        """The documents without their long texts (DOCUMENT_TEXT_COLUMNS): what counts, dates and
        facets need. The documents frame itself, unless filtering left the documents to be taken
        when first read (PendingRows)."""
        value = self.__dict__["_documents"]
        return value.facts() if isinstance(value, PendingRows) else value

    def documents_of(self, doc_ids) -> pd.DataFrame:
        """Every column of this corpus's documents with these ids (a page of rows' documents, say),
        taking only those documents' texts while a filtered view's documents are pending."""
        pending = self._pending("documents")
        wanted = pd.Index(pd.Series(doc_ids, dtype="object").astype("str").unique())
        if pending is None:
            return self.documents[self.documents["doc_id"].astype("str").isin(wanted).to_numpy()]
        ids = pending.whole["doc_id"].iloc[pending.positions].astype("str")
        return pending.whole.iloc[pending.positions[ids.isin(wanted).to_numpy()]]

    @property
    def document_count(self) -> int:
        """How many documents (rows of `documents`), without taking a filtered view's texts."""
        return len(self.document_facts)

    def item_origin(self) -> tuple[pd.DataFrame, np.ndarray | None]:
        """(the whole items frame this corpus's rows are rows of, the positions of its rows there,
        in order; None: all of them). A filtered view's rows are some rows of its corpus's frame
        (filters.apply), so what is computed once over that frame (frame_memo) serves every view."""
        value = self.__dict__["_items"]
        origin = self.__dict__.get("_items_origin", value)
        if isinstance(origin, PendingRows):
            return origin.whole, origin.positions
        return value, None

    def with_frames(self, **frames: pd.DataFrame | PendingRows) -> Corpus:
        """A copy with some frames replaced (the filtered corpus, say); `items` may be PendingRows.
        Rows still pending in this corpus stay pending in the copy."""
        values = {f.name: self.__dict__[f"_{f.name}"] if f.name in PENDING_FIELDS else getattr(self, f.name)
                  for f in fields(self)}
        return type(self)(**(values | frames))

    def _sections(self) -> list[str]:
        """The sections there are: the format's five first, in their order, then the others by name."""
        items = self.item_facts
        present = set(items["section"].unique()) if len(items) else set()
        sections = [s for s in schema.TABLE_SECTIONS if s in self.section_columns or s in present]
        return sections + sorted(s for s in (set(self.section_columns) | present) if s not in sections)

    def row_counts(self) -> dict[str, int]:
        """Rows per section, in section order: counted on the items, without building each section's
        table (that copy was about 0.3 s of `signals check` at 10,000 documents)."""
        return dict(self._row_counts)

    @cached_property
    def _row_counts(self) -> dict[str, int]:
        # Once per corpus: the sidebar shows them on every rerun (40 ms at 100,000 documents).
        items = self.item_facts
        counts = items["section"].value_counts() if len(items) else {}
        return {section: int(counts.get(section, 0)) for section in self._sections()}
