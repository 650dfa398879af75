"""A Filters value -> the filtered Corpus. Pure pandas; the app and the CLI share it.

Semantics (what users get):
- Document filters pick documents: themes (any or all of them), category, type, keyword, source
  domain, date range. Values match case-insensitively; themes match on their canonical key.
- Row filters pick table rows: section, relevancy range. Rows of dropped documents go too.
- Free text matches a row's name or description, or its document's title or summary.
- When any row filter or text is set, a document stays only if at least one of its rows does
  (or, for text, its title/summary matches).
- `problems` is not filtered: it is the data-health record of the whole load.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, fields, replace

import numpy as np
import pandas as pd

from signals import schema
from signals.corpus import Corpus

THEME_MODES = ("any", "all")


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

    def __post_init__(self) -> None:
        if self.theme_mode not in THEME_MODES:
            raise ValueError(f"theme_mode must be one of {THEME_MODES}, not {self.theme_mode!r}")
        for name in ("min_relevancy", "max_relevancy"):
            value = getattr(self, name)
            if value is not None and not schema.RELEVANCY_MIN <= value <= schema.RELEVANCY_MAX:
                raise ValueError(f"{name} must be within {schema.RELEVANCY_MIN}-{schema.RELEVANCY_MAX}")

    @property
    def is_empty(self) -> bool:
        """True when nothing is restricted."""
        return self == Filters(theme_mode=self.theme_mode)

    @property
    def restricts_rows(self) -> bool:
        """True when a row-level filter (section, relevancy, text) is set."""
        return bool(self.sections or self.min_relevancy is not None or self.max_relevancy is not None or self.text)

    def describe(self) -> dict[str, str]:
        """Human-readable non-empty filters, for an export's "filters" sheet or a caption."""
        described = {}
        for key, value in asdict(self).items():
            if key == "theme_mode":
                continue
            if value in ((), None, ""):
                continue
            text = ", ".join(map(str, value)) if isinstance(value, tuple) else str(value)
            if key == "themes" and len(self.themes) > 1:
                text += f" (match {self.theme_mode})"
            described[key] = text
        return described

    def to_params(self) -> dict[str, list[str]]:
        """URL query parameters (keys from schema.QUERY_KEYS); only what is set."""
        params: dict[str, list[str]] = {}
        for field_ in fields(self):
            value = getattr(self, field_.name)
            key = schema.QUERY_KEYS[field_.name]
            if field_.name == "theme_mode":
                if value != "any":
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
    """Document-level filters -> a boolean mask over the doc_id space (see _doc_space)."""
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
    return keep


def matching_doc_ids(corpus: Corpus, filters: Filters) -> pd.Index:
    """The doc_ids that pass the document-level filters."""
    return _doc_space(corpus)[matching_documents(corpus, filters)]


def _text_mask(frame: pd.DataFrame, columns: tuple[str, ...], text: str) -> np.ndarray:
    mask = np.zeros(len(frame), dtype=bool)
    for column in columns:
        if column in frame.columns:
            mask |= frame[column].astype("str").str.contains(text, case=False, regex=False, na=False).to_numpy()
    return mask


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
    documents = corpus.documents
    document_codes = _codes(documents, space)
    if filters.text:
        docs_by_text = np.zeros(len(space), dtype=bool)
        hit = _text_mask(documents, ("title", "summary"), filters.text) & (document_codes >= 0)
        docs_by_text[document_codes[hit]] = True
        keep_items &= _text_mask(items, (schema.NAME, schema.DESCRIPTION), filters.text) | _in(item_codes, docs_by_text)
    if filters.restricts_rows:
        with_rows = np.zeros(len(space), dtype=bool)
        with_rows[item_codes[keep_items & (item_codes >= 0)]] = True
        if filters.text and not (filters.sections or filters.min_relevancy or filters.max_relevancy):
            with_rows |= docs_by_text
        keep_docs &= with_rows
        keep_items &= _in(item_codes, keep_docs)
    return corpus.with_frames(
        documents=documents[_in(document_codes, keep_docs)].reset_index(drop=True),
        keywords=_rows_of(corpus.keywords, space, keep_docs),
        themes=_rows_of(corpus.themes, space, keep_docs),
        items=items[keep_items].reset_index(drop=True),
        links=_rows_of(corpus.links, space, keep_docs),
    )


def _rows_of(frame: pd.DataFrame, space: pd.Index, keep_docs: np.ndarray) -> pd.DataFrame:
    return frame[_in(_codes(frame, space), keep_docs)].reset_index(drop=True)
