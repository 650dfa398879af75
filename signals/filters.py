"""A Filters value -> the filtered Corpus. Pure pandas; the app and the CLI share it.

Semantics (what users get):
- Document filters pick documents: themes (any or all of them), category, type, keyword, source
  domain, date range. Values match case-insensitively; themes match on their canonical key.
- Row filters pick table rows: section, relevancy range. Rows of dropped documents go too.
- Free text (case-insensitive substring; accents count: `energie` does not find `énergie`) is
  searched where `text_scope` says:
  - "rows" (the default): in each row's own text columns (name, description, change, ten-year
    horizon, driving force and any other text column but `label` and `src`). A row stays only if
    it mentions the text itself; the documents are those with at least one such row, so every
    page counts the same documents as the rows it lists.
  - "documents": in each document's title, summary, keywords and themes. A matching document
    keeps all its rows (within the other row filters); a row's own text is not read.
- When a row filter (section, relevancy, text in rows) is set, a document stays only if at least
  one of its rows does.
- `problems` is not filtered: it is the data-health record of the whole load.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields, replace

import numpy as np
import pandas as pd

from signals import schema
from signals.corpus_type import Corpus

THEME_MODES = ("any", "all")
#: Where free text is searched: the table rows themselves, or their documents (see module docstring).
TEXT_SCOPES = ("rows", "documents")
#: The document fields free text is searched in, scope "documents" (also what "matched in" names).
DOCUMENT_TEXT_FIELDS = ("title", "summary", "keywords", "themes")
#: Row columns free text never reads: keys and numbers, `label` (a copy of name or description) and
#: `src` (a reference to a document, not something the row says).
_ROW_COLUMNS_NOT_TEXT = (*schema.ITEM_KEY_COLUMNS, schema.RELEVANCY, "label", "src")


@dataclass(frozen=True)
class Filters:
    """What the user asked to see. Empty tuples / None mean "no restriction"."""

    themes: tuple[str, ...] = ()
    theme_mode: str = "any"
    categories: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    domains: tuple[str, ...] = ()
    sections: tuple[str, ...] = ()
    since: dt.date | None = None
    until: dt.date | None = None
    min_relevancy: int | None = None
    max_relevancy: int | None = None
    text: str = ""
    text_scope: str = "rows"

    def __post_init__(self) -> None:
        if self.theme_mode not in THEME_MODES:
            raise ValueError(f"theme_mode must be one of {THEME_MODES}, not {self.theme_mode!r}")
        if self.text_scope not in TEXT_SCOPES:
            raise ValueError(f"text_scope must be one of {TEXT_SCOPES}, not {self.text_scope!r}")
        for name in ("min_relevancy", "max_relevancy"):
            value = getattr(self, name)
            if value is not None and not schema.RELEVANCY_MIN <= value <= schema.RELEVANCY_MAX:
                raise ValueError(f"{name} must be within {schema.RELEVANCY_MIN}-{schema.RELEVANCY_MAX}")

    @property
    def is_empty(self) -> bool:
        """True when nothing is restricted (a theme mode or text scope alone restricts nothing)."""
        return self == Filters(theme_mode=self.theme_mode, text_scope=self.text_scope)

    @property
    def restricts_rows(self) -> bool:
        """True when a row-level filter (section, relevancy, text searched in rows) is set."""
        return bool(self.sections or self.min_relevancy is not None or self.max_relevancy is not None
                    or (self.text and self.text_scope == "rows"))

    def describe(self) -> dict[str, str]:
        """The filters that are set, in words: label -> value, each pair read as "label value".

        For an export's "filters" sheet and the pages' captions (`summary()` joins them):
        `{"relevancy": "≥ 5", "text": "“privacy” in rows"}`. Labels are singular or plural as the
        values are; values are shown as typed.
        """
        described: dict[str, str] = {}
        listed = (("themes", "theme", "themes"), ("categories", "category", "categories"),
                  ("types", "type", "types"), ("keywords", "keyword", "keywords"),
                  ("domains", "source domain", "source domains"), ("sections", "section", "sections"))
        for field_name, singular, plural in listed:
            values = getattr(self, field_name)
            if not values:
                continue
            text = ", ".join(values)
            if field_name == "themes" and len(values) > 1:
                text = f"{self.theme_mode} of {text}"
            described[singular if len(values) == 1 else plural] = text
        if self.since and self.until:
            described["dates"] = f"{self.since.isoformat()} to {self.until.isoformat()}"
        elif self.since:
            described["dates"] = f"from {self.since.isoformat()}"
        elif self.until:
            described["dates"] = f"until {self.until.isoformat()}"
        low, high = self.min_relevancy, self.max_relevancy
        if low is not None and high is not None:
            described["relevancy"] = f"= {low}" if low == high else f"{low} to {high}"
        elif low is not None:
            described["relevancy"] = f"≥ {low}"
        elif high is not None:
            described["relevancy"] = f"≤ {high}"
        if self.text:
            described["text"] = f"“{self.text}” in {self.text_scope}"
        return described

    def summary(self) -> str:
        """The filters in one line, for a caption: `relevancy ≥ 5; text “privacy” in rows` ("" if none)."""
        return "; ".join(f"{label} {value}" for label, value in self.describe().items())

    def to_params(self) -> dict[str, list[str]]:
        """URL query parameters (keys from schema.QUERY_KEYS); only what is set."""
        params: dict[str, list[str]] = {}
        for field_ in fields(self):
            value = getattr(self, field_.name)
            key = schema.QUERY_KEYS[field_.name]
            if field_.name in ("theme_mode", "text_scope"):
                if value != field_.default:
                    params[key] = [value]
            elif isinstance(value, tuple):
                if value:
                    params[key] = list(value)
            elif value not in (None, ""):
                params[key] = [value.isoformat() if isinstance(value, dt.date) else str(value)]
        return params

    @classmethod
    def from_params(cls, params: dict[str, list[str]]) -> Filters:
        """Inverse of to_params; ignores unknown keys and values it cannot read (a hand-edited URL)."""
        values: dict = {}
        for field_ in fields(cls):
            raw = [v for v in params.get(schema.QUERY_KEYS[field_.name], []) if v is not None and v != ""]
            if not raw:
                continue
            name = field_.name
            if name in ("since", "until"):
                try:
                    values[name] = dt.date.fromisoformat(raw[0])
                except ValueError:
                    continue
            elif name in ("min_relevancy", "max_relevancy"):
                try:
                    number = int(raw[0])
                except ValueError:
                    continue
                if schema.RELEVANCY_MIN <= number <= schema.RELEVANCY_MAX:
                    values[name] = number
            elif name == "theme_mode":
                if raw[0] in THEME_MODES:
                    values[name] = raw[0]
            elif name == "text_scope":
                if raw[0] in TEXT_SCOPES:
                    values[name] = raw[0]
            elif name == "text":
                values[name] = raw[0]
            else:
                values[name] = tuple(dict.fromkeys(raw))
        return cls(**values)

    def with_(self, **changes: object) -> Filters:
        """A copy with some fields changed."""
        return replace(self, **changes)


def _casefold_isin(series: pd.Series, wanted: tuple[str, ...]) -> pd.Series:
    keys = {schema.theme_key(w) for w in wanted}
    if isinstance(series.dtype, pd.CategoricalDtype):
        categories = pd.Series(series.cat.categories)
        hit = categories[categories.map(lambda c: schema.theme_key(str(c)) in keys)]
        return series.isin(hit)
    return series.astype("str").map(schema.theme_key).isin(keys)


def _doc_space(corpus: Corpus) -> pd.Index:
    """The doc_id categories the row frames share (built from documents when they are plain text)."""
    dtype = corpus.items["doc_id"].dtype
    if isinstance(dtype, pd.CategoricalDtype):
        return dtype.categories
    return pd.Index(corpus.documents["doc_id"].astype("str").unique())


def _codes(frame: pd.DataFrame, space: pd.Index) -> np.ndarray:
    """A frame's doc_id as integer positions in `space` (-1 where absent)."""
    column = frame["doc_id"]
    if isinstance(column.dtype, pd.CategoricalDtype) and column.dtype.categories.equals(space):
        return column.cat.codes.to_numpy()
    return space.get_indexer(column.astype("str"))


def _in(codes: np.ndarray, keep: np.ndarray) -> np.ndarray:
    """Row mask: whose doc code is kept (rows with an unknown doc are not)."""
    return np.where(codes >= 0, keep[codes], False)


def matching_documents(corpus: Corpus, filters: Filters) -> np.ndarray:
    """Document-level filters (text too, in scope "documents") -> a boolean mask over the doc_id space
    (see _doc_space)."""
    space = _doc_space(corpus)
    documents = corpus.documents
    mask = pd.Series(True, index=documents.index)
    if filters.categories:
        mask &= _casefold_isin(documents["category"], filters.categories)
    if filters.types:
        mask &= _casefold_isin(documents["type"], filters.types)
    if filters.domains:
        mask &= _casefold_isin(documents["domain"], filters.domains)
    if filters.since is not None:
        mask &= documents["date"] >= pd.Timestamp(filters.since)
    if filters.until is not None:
        mask &= documents["date"] < pd.Timestamp(filters.until) + pd.Timedelta(days=1)
    keep = np.zeros(len(space), dtype=bool)
    document_codes = _codes(documents, space)
    keep[document_codes[mask.to_numpy() & (document_codes >= 0)]] = True
    if filters.themes:
        themes = corpus.themes
        keys = {schema.theme_key(t) for t in filters.themes}
        hit = themes["theme_key"].isin(keys).to_numpy()
        pairs = pd.DataFrame({"doc": _codes(themes, space)[hit], "key": themes["theme_key"].to_numpy()[hit]})
        pairs = pairs[pairs["doc"] >= 0].drop_duplicates()
        per_doc = np.bincount(pairs["doc"].to_numpy(), minlength=len(space))
        keep &= per_doc >= (len(keys) if filters.theme_mode == "all" else 1)
    if filters.keywords:
        keywords = corpus.keywords
        codes = _codes(keywords, space)[_casefold_isin(keywords["keyword"], filters.keywords).to_numpy()]
        with_keyword = np.zeros(len(space), dtype=bool)
        with_keyword[codes[codes >= 0]] = True
        keep &= with_keyword
    if filters.text and filters.text_scope == "documents":
        keep &= documents_matching_text(corpus, filters.text)
    return keep


def matching_doc_ids(corpus: Corpus, filters: Filters) -> pd.Index:
    """The doc_ids that pass the document-level filters."""
    return _doc_space(corpus)[matching_documents(corpus, filters)]


def _contains(values: pd.Series, text: str) -> np.ndarray:
    """Which cells of a column hold `text`, case-insensitively (missing cells do not), as a bool array.

    A categorical column is searched in its categories only, then spread by its codes.
    """
    if isinstance(values.dtype, pd.CategoricalDtype):
        categories = pd.Series(values.cat.categories).astype("str")
        # One more slot, False, for code -1 (a missing value).
        hit = np.append(categories.str.contains(text, case=False, regex=False, na=False).to_numpy(dtype=bool), False)
        return hit[values.cat.codes.to_numpy()]
    return values.astype("str").str.contains(text, case=False, regex=False, na=False).to_numpy(dtype=bool)


def _is_text_column(values: pd.Series) -> bool:
    dtype = values.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        return pd.api.types.is_string_dtype(dtype.categories.dtype) or dtype.categories.dtype == object
    return pd.api.types.is_string_dtype(dtype) or dtype == object


def row_text_columns(frame: pd.DataFrame) -> list[str]:
    """The columns of a row frame (items, or one section's table) that free text is searched in,
    in the frame's order: every text column but keys, `label` and `src`."""
    return [c for c in frame.columns if c not in _ROW_COLUMNS_NOT_TEXT and _is_text_column(frame[c])]


def rows_matching_text(items: pd.DataFrame, text: str, candidates: np.ndarray | None = None) -> np.ndarray:
    """Row mask: which rows (among `candidates`, all if None) hold `text` in one of their text columns.

    Each column is searched only in the candidate rows that are not matched yet and have a value
    there: most rows leave change, horizon and driving force empty, and a relevancy filter set
    beside the text leaves fewer candidates.
    """
    matched = np.zeros(len(items), dtype=bool)
    remaining = np.arange(len(items)) if candidates is None else np.flatnonzero(candidates)
    for column in row_text_columns(items):
        values = items[column]
        searched = remaining[values.notna().to_numpy()[remaining]]
        if not searched.size:
            continue
        if searched.size * 2 < len(items):
            found = searched[_contains(values.iloc[searched], text)]
        else:  # taking most of a column costs more than searching the rows it would leave out
            found = searched[_contains(values, text)[searched]]
        matched[found] = True
        remaining = remaining[~matched[remaining]]
    return matched


def _document_text_hits(corpus: Corpus, space: pd.Index, text: str) -> dict[str, np.ndarray]:
    """DOCUMENT_TEXT_FIELDS -> a mask over the doc_id space: which documents hold `text` there."""
    searched = {
        "title": (corpus.documents, "title"),
        "summary": (corpus.documents, "summary"),
        "keywords": (corpus.keywords, "keyword"),
        "themes": (corpus.themes, "theme"),
    }
    hits = {}
    for field_name, (frame, column) in searched.items():
        hit = np.zeros(len(space), dtype=bool)
        if column in frame.columns:
            codes = _codes(frame, space)
            found = _contains(frame[column], text) & (codes >= 0)
            hit[codes[found]] = True
        hits[field_name] = hit
    return hits


def documents_matching_text(corpus: Corpus, text: str) -> np.ndarray:
    """Mask over the doc_id space (see _doc_space): documents holding `text` in a DOCUMENT_TEXT_FIELDS."""
    space = _doc_space(corpus)
    return np.logical_or.reduce(list(_document_text_hits(corpus, space, text).values()))


def _matched_names(hits: dict[str, np.ndarray]) -> np.ndarray:
    """{name: bool mask} -> per position, the names whose mask is set, joined by ", " ("" if none).

    Vectorized: each position's set of names is a bit pattern; only distinct patterns are joined.
    """
    names = list(hits)
    length = len(next(iter(hits.values()))) if hits else 0
    patterns = np.zeros(length, dtype=np.int64)
    for bit, name in enumerate(names):
        patterns |= hits[name].astype(np.int64) << bit
    distinct, positions = np.unique(patterns, return_inverse=True)
    joined = [", ".join(n for bit, n in enumerate(names) if int(pattern) >> bit & 1) for pattern in distinct]
    return np.asarray(joined, dtype=object)[positions] if length else np.asarray([], dtype=object)


def matched_in(table: str, frame: pd.DataFrame, view: Corpus, filters: Filters) -> pd.Series | None:
    """Where the text filter matched each row of `frame` (a table of the filtered corpus `view`, or
    a slice of one, other columns beside it allowed), for a "matched in" column; None when there is
    nothing to say (no text, or a table the text is not searched for).

    Scope "rows": a row's columns holding the text (`name, description`); for documents, the
    sections of their matching rows with counts (`signals (2), concerns (1)`).
    Scope "documents": the document fields holding it (`title, themes`), beside each row of the
    document (any table with a doc_id).
    """
    text = filters.text
    if not text or "doc_id" not in frame.columns:
        return None
    doc_ids = frame["doc_id"].astype("str")
    if filters.text_scope == "documents":
        space = _doc_space(view)
        labels = pd.Series(_matched_names(_document_text_hits(view, space, text)), index=space.astype("str"))
        return pd.Series(labels.reindex(doc_ids.to_numpy()).fillna("").to_numpy(), index=frame.index)
    if table == "documents":
        items = view.items
        rows = items[items["doc_id"].astype("str").isin(doc_ids)]
        counts = rows.groupby(["doc_id", "section"], observed=True, sort=False).size()
        order = {section: rank for rank, section in enumerate(schema.TABLE_SECTIONS)}
        counts = counts.reset_index(name="rows")
        counts["rank"] = counts["section"].astype("str").map(order).fillna(len(order))
        counts = counts.sort_values(["doc_id", "rank"], kind="stable")
        counts["label"] = counts["section"].astype("str") + " (" + counts["rows"].astype("str") + ")"
        labels = counts.groupby(counts["doc_id"].astype("str"), sort=False)["label"].agg(", ".join)
        return pd.Series(labels.reindex(doc_ids.to_numpy()).fillna("").to_numpy(), index=frame.index)
    if table != "items" and table not in view.tables:
        return None
    # Only the row columns the items frame has: `frame` may carry its document's title beside it.
    columns = [c for c in row_text_columns(view.items) if c in frame.columns]
    hits = {column: _contains(frame[column], text) for column in columns}
    return pd.Series(_matched_names(hits) if hits else "", index=frame.index, dtype=object)


def apply(corpus: Corpus, filters: Filters) -> Corpus:
    """The corpus narrowed to what the filters select (see module docstring). Never raises on no match.

    Works on integer doc codes and numpy masks (the string frames are filtered once, at the end).
    """
    if filters.is_empty:
        return corpus
    space = _doc_space(corpus)
    keep_docs = matching_documents(corpus, filters)
    items = corpus.items
    item_codes = _codes(items, space)
    keep_items = _in(item_codes, keep_docs)
    if filters.sections:
        keep_items &= items["section"].isin([schema.section_slug(s) for s in filters.sections]).to_numpy()
    relevancy = items[schema.RELEVANCY]
    if filters.min_relevancy is not None:
        keep_items &= relevancy.ge(filters.min_relevancy).fillna(False).to_numpy(dtype=bool)
    if filters.max_relevancy is not None:
        keep_items &= relevancy.le(filters.max_relevancy).fillna(False).to_numpy(dtype=bool)
    if filters.text and filters.text_scope == "rows":
        keep_items &= rows_matching_text(items, filters.text, candidates=keep_items)
    if filters.restricts_rows:
        with_rows = np.zeros(len(space), dtype=bool)
        with_rows[item_codes[keep_items & (item_codes >= 0)]] = True
        keep_docs &= with_rows
        keep_items &= _in(item_codes, keep_docs)
    documents = corpus.documents
    document_codes = _codes(documents, space)
    return corpus.with_frames(
        documents=documents[_in(document_codes, keep_docs)].reset_index(drop=True),
        keywords=_rows_of(corpus.keywords, space, keep_docs),
        themes=_rows_of(corpus.themes, space, keep_docs),
        items=items[keep_items].reset_index(drop=True),
        links=_rows_of(corpus.links, space, keep_docs),
    )


def _rows_of(frame: pd.DataFrame, space: pd.Index, keep_docs: np.ndarray) -> pd.DataFrame:
    return frame[_in(_codes(frame, space), keep_docs)].reset_index(drop=True)
