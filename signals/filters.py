"""A Filters value -> the filtered Corpus. Pure pandas; the app and the CLI share it.

What can be filtered is declared once, in signals.facets: `Filters` holds one field per facet
field, and its URL form, words, flags, matching and option counts all walk that list. Here is the
matching, one function per kind of facet.

Semantics (what users get):
- Document facets pick documents: themes (any or all of them), category, type, keyword, source
  domain, date range. Values match case-insensitively; themes match on their canonical key.
- Row facets pick table rows: section, relevancy range, and the analyst's annotations (starred,
  status, tags, note, impact, likelihood, horizon, rated: one annotations.Criteria tested on the
  annotations joined to the items, handed in `tables`). Rows of dropped documents go too.
- Free text (case-insensitive substring; accents count: `energie` does not find `énergie`) is
  searched where `text_scope` says:
  - "rows" (the default): in each row's own text columns (name, description, change, ten-year
    horizon, driving force and any other text column but `label` and `src`). A row stays only if
    it mentions the text itself; the documents are those with at least one such row, so every
    page counts the same documents as the rows it lists.
  - "documents": in each document's title, summary, keywords and themes. A matching document
    keeps all its rows (within the other row filters); a row's own text is not read.
- A ranked search (`search`) keeps the documents its query finds by words and meaning together
  (signals.semantic.search: the best 100 of the whole corpus), then the other facets narrow them.
- When a row filter (section, relevancy, text in rows) is set, a document stays only if at least
  one of its rows does.
- `problems` is not filtered: it is the data-health record of the whole load.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from signals import facets, schema
from signals.corpus_type import Corpus, PendingRows
from signals.facets import AnnotationFacet, ChoiceFacet, DateFacet, Facet, RangeFacet, SearchFacet, TextFacet

#: The document fields free text is searched in, scope "documents" (also what "matched in" names).
DOCUMENT_TEXT_FIELDS = ("title", "summary", "keywords", "themes")
#: Row columns free text never reads: keys and numbers, `label` (a copy of name or description) and
#: `src` (a reference to a document, not something the row says).
_ROW_COLUMNS_NOT_TEXT = (*schema.ITEM_KEY_COLUMNS, schema.RELEVANCY, "label", "src")


class Filters:
    """What the user asked to see: one value per field of the facets (signals.facets.FACETS).

    Made with keyword arguments, one per field: `Filters(themes=("AI",), min_relevancy=4)`; a field
    left out holds its facet's default, which restricts nothing (empty tuples, None, "").
    Fields read as attributes (`filters.themes`). Immutable, hashable, equal when every field is;
    its repr lists the fields that are set, in facet order (a cache key).
    """

    __slots__ = ("_values",)

    def __init__(self, **values: Any) -> None:
        defaults = facets.field_defaults()
        unknown = sorted(set(values) - set(defaults))
        if unknown:
            raise TypeError(f"Filters has no field {', '.join(unknown)}; fields: {', '.join(defaults)}")
        for facet in facets.FACETS:
            facet.check(values)
        set_values = {name: values[name] for name in defaults if name in values and values[name] != defaults[name]}
        object.__setattr__(self, "_values", set_values)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):  # _values itself, during copy and unpickling
            raise AttributeError(name)
        defaults = facets.field_defaults()
        if name not in defaults:
            raise AttributeError(f"Filters has no field {name!r}")
        return self._values.get(name, defaults[name])

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("Filters is immutable: use with_()")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Filters) and self._values == other._values

    def __hash__(self) -> int:
        return hash(frozenset(self._values.items()))

    def __repr__(self) -> str:
        return f"Filters({', '.join(f'{name}={value!r}' for name, value in self._values.items())})"

    def __reduce__(self) -> tuple:
        return _filters_of, (dict(self._values),)

    def fields(self) -> dict[str, Any]:
        """Every field -> its value (defaults too), in facet order."""
        return {name: getattr(self, name) for name in facets.field_defaults()}

    @property
    def is_empty(self) -> bool:
        """True when nothing is restricted (a theme mode or text scope alone restricts nothing)."""
        return not any(facet.is_set(self) for facet in facets.FACETS)

    @property
    def restricts_rows(self) -> bool:
        """True when a row-level filter (section, relevancy, text searched in rows) is set."""
        return any(facet.restricts_rows(self) for facet in facets.FACETS)

    def describe(self) -> dict[str, str]:
        """The filters that are set, in words: label -> value, each pair read as "label value".

        For an export's "filters" sheet and the pages' captions (`summary()` joins them):
        `{"relevancy": "≥ 5", "text": "“privacy” in rows"}`. Labels are singular or plural as the
        values are; values are shown as typed.
        """
        described: dict[str, str] = {}
        for facet in facets.FACETS:
            described |= facet.describe(self)
        return described

    def summary(self) -> str:
        """The filters in one line, for a caption: `relevancy ≥ 5; text “privacy” in rows` ("" if none)."""
        return "; ".join(f"{label} {value}" for label, value in self.describe().items())

    def to_params(self) -> dict[str, list[str]]:
        """URL query parameters (each facet's, signals.facets); only what is set."""
        params: dict[str, list[str]] = {}
        for facet in facets.FACETS:
            params |= facet.to_params(self)
        return params

    @classmethod
    def from_params(cls, params: Mapping[str, list[str]]) -> Filters:
        """Inverse of to_params; ignores unknown keys and values it cannot read (a hand-edited URL)."""
        values: dict[str, Any] = {}
        for facet in facets.FACETS:
            values |= facet.from_params(params)
        return cls(**values)

    def with_(self, **changes: object) -> Filters:
        """A copy with some fields changed."""
        return Filters(**(self._values | changes))


def _filters_of(values: dict[str, Any]) -> Filters:
    """Filters(**values), for pickle and copy (Filters has no __dict__ to restore)."""
    return Filters(**values)


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


def _table(corpus: Corpus, name: str, tables: Mapping[str, Any] | None) -> Any:
    """A facet's source table: one handed in `tables`, else the corpus frame of that name."""
    if tables and name in tables:
        return tables[name]
    if name in schema.FRAME_NAMES:
        return getattr(corpus, name)
    raise ValueError(f"a facet reads the table {name!r}, which is neither a corpus frame nor in tables=")


def _match_keys(values: pd.Series, match_key) -> np.ndarray:
    """Each cell's match key (a categorical column: each category's, spread by its codes)."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        keys = np.asarray([match_key(str(c)) for c in values.cat.categories] + [None], dtype=object)
        return keys[values.cat.codes.to_numpy()]  # code -1 (missing) takes the None at the end
    return values.astype("str").map(match_key).to_numpy(dtype=object)


def _choice_hits(facet: ChoiceFacet, frame: pd.DataFrame, filters: Filters) -> np.ndarray:
    """Rows of the facet's source table holding one of the chosen values (by match key)."""
    wanted = {facet.match_key(value) for value in facet.chosen(filters)}
    source = facet.source
    if source.key_column:
        return frame[source.key_column].isin(wanted).to_numpy(dtype=bool)
    values = frame[source.column]
    if isinstance(values.dtype, pd.CategoricalDtype):
        categories = pd.Series(values.cat.categories)
        hit = categories[categories.map(lambda c: facet.match_key(str(c)) in wanted)]
        return values.isin(hit).to_numpy(dtype=bool)
    return values.astype("str").map(facet.match_key).isin(wanted).to_numpy(dtype=bool)


def _range_hits(facet: RangeFacet, frame: pd.DataFrame, filters: Filters) -> np.ndarray:
    """Rows whose value lies within the range (a missing value never does)."""
    values = frame[facet.source.column]
    low, high = facet.limits(filters)
    hits = np.ones(len(frame), dtype=bool)
    if low is not None:
        hits &= values.ge(low).fillna(False).to_numpy(dtype=bool)
    if high is not None:
        hits &= values.le(high).fillna(False).to_numpy(dtype=bool)
    return hits


def _date_hits(facet: DateFacet, frame: pd.DataFrame, filters: Filters) -> np.ndarray:
    """Rows dated from the first day to the last, both included (no date: not kept)."""
    dates = frame[facet.source.column]
    since, until = facet.days(filters)
    hits = np.ones(len(frame), dtype=bool)
    if since is not None:
        hits &= (dates >= pd.Timestamp(since)).to_numpy(dtype=bool)
    if until is not None:
        hits &= (dates < pd.Timestamp(until) + pd.Timedelta(days=1)).to_numpy(dtype=bool)
    return hits


#: Facet kind -> which rows of its source table match (text has its own rules, below).
def _search_hits(facet: SearchFacet, frame: pd.DataFrame, filters: Filters) -> np.ndarray:
    """Every row of the found documents' table names a document the query found."""
    return np.ones(len(frame), dtype=bool)


def found_by_search(corpus: Corpus, facet: SearchFacet, filters: Filters) -> pd.DataFrame:
    """The documents (doc_id, rank) a search facet's query finds in the whole corpus: its search
    index opened (built and its documents embedded the first time; cached after)."""
    from signals.semantic import search  # SQLite, the model: only when a query is set

    found = search.search(search.open_index(corpus), facet.query(filters), top=facet.top)
    return found[["doc_id", "rank"]]


_HITS = {ChoiceFacet: _choice_hits, RangeFacet: _range_hits, DateFacet: _date_hits, SearchFacet: _search_hits}


def _source_hits(facet: Facet, frame: pd.DataFrame, filters: Filters) -> np.ndarray:
    return _HITS[type(facet)](facet, frame, filters)


def _documents_with(facet: Facet, corpus: Corpus, space: pd.Index, filters: Filters,
                    tables: Mapping[str, pd.DataFrame] | None) -> np.ndarray:
    """Mask over the doc_id space: documents with a row of the facet's source table that matches
    (with a match mode "all": rows matching every chosen value)."""
    frame = _table(corpus, facet.source.table, tables)
    codes = _codes(frame, space)
    hits = _source_hits(facet, frame, filters) & (codes >= 0)
    if isinstance(facet, ChoiceFacet) and facet.needs_all(filters):
        wanted = {facet.match_key(value) for value in facet.chosen(filters)}
        keys = frame[facet.source.key_column].to_numpy()[hits] if facet.source.key_column else \
            _match_keys(frame[facet.source.column], facet.match_key)[hits]
        pairs = pd.DataFrame({"doc": codes[hits], "key": keys}).drop_duplicates()
        return np.bincount(pairs["doc"].to_numpy(), minlength=len(space)) >= len(wanted)
    found = np.zeros(len(space), dtype=bool)
    found[codes[hits]] = True
    return found


def matching_documents(corpus: Corpus, filters: Filters,
                       tables: Mapping[str, pd.DataFrame] | None = None) -> np.ndarray:
    """Document-level facets (text too, in scope "documents") -> a boolean mask over the doc_id
    space (see _doc_space). `tables`: source tables beyond the corpus frames (see facets.Source)."""
    space = _doc_space(corpus)
    keep = np.zeros(len(space), dtype=bool)
    document_codes = _codes(corpus.documents, space)
    keep[document_codes[document_codes >= 0]] = True
    for facet in facets.FACETS:
        if not facet.is_set(filters):
            continue
        if isinstance(facet, TextFacet):
            if facet.scope(filters) == "documents":
                keep &= documents_matching_text(corpus, facet.text(filters))
        elif isinstance(facet, SearchFacet) and not (tables and facet.source.table in tables):
            tables = {**(tables or {}), facet.source.table: found_by_search(corpus, facet, filters)}
            keep &= _documents_with(facet, corpus, space, filters, tables)
        elif facet.level == "documents":
            keep &= _documents_with(facet, corpus, space, filters, tables)
    return keep


def matching_doc_ids(corpus: Corpus, filters: Filters, tables: Mapping[str, pd.DataFrame] | None = None) -> pd.Index:
    """The doc_ids that pass the document-level filters."""
    return _doc_space(corpus)[matching_documents(corpus, filters, tables)]


def facet_counts(corpus: Corpus, tables: Mapping[str, Any] | None = None) -> dict[str, pd.Series]:
    """Each choice facet's key -> its options with the documents having each (table rows, for a
    facet of level "rows") in the whole corpus, most frequent first. `tables`: see facets.Source;
    with the joined annotations there, the annotation facets' counts too (`annotation_counts`)."""
    counts = {}
    for facet in facets.choice_facets():
        frame = _table(corpus, facet.source.table, tables)
        if tables and facet.source.table in tables:  # a side table may name documents no longer loaded
            frame = frame[_codes(frame, _doc_space(corpus)) >= 0]
        if facet.level == "documents":  # a document counts once per value, however many rows say it
            frame = frame.drop_duplicates(["doc_id", facet.source.key_column or facet.source.column])
        counts[facet.key] = frame[facet.source.column].astype("str").value_counts(dropna=True)
    if tables and facets.ANNOTATIONS in tables:
        counts |= annotation_counts(tables[facets.ANNOTATIONS])
    return counts


def annotation_counts(joined: Any, keep: np.ndarray | None = None) -> dict[str, pd.Series]:
    """The annotation facets' option counts: facet key -> rows per value (statuses and horizons in
    their order, tags most used first, yes/no facets as {True: rows, False: rows}), among the rows
    `keep` marks (all by default). `joined`: signals.workspace.annotations.Joined over the items."""
    return joined.option_counts(keep)


def annotation_rows(corpus: Corpus, filters: Filters, tables: Mapping[str, Any] | None) -> np.ndarray:
    """Row mask over `corpus.items`: the rows whose annotation (or their document's) meets every
    annotation facet set in `filters`, as one annotations.Criteria tested on the Joined handed in
    `tables[facets.ANNOTATIONS]` (built on these very items)."""
    from signals.workspace.annotations import Criteria

    chosen: dict[str, Any] = {}
    for facet in facets.annotation_facets():
        chosen |= facet.criteria(filters)
    joined = _table(corpus, facets.ANNOTATIONS, tables)
    if joined.length != len(corpus.items):
        raise ValueError(f"the annotations were joined to {joined.length:,} rows, not this corpus's "
                         f"{len(corpus.items):,}: join them to the corpus being filtered")
    return joined.mask(Criteria(**chosen))


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


def apply(corpus: Corpus, filters: Filters, tables: Mapping[str, Any] | None = None) -> Corpus:
    """The corpus narrowed to what the filters select (see module docstring). Never raises on no match.

    `tables`: source tables of facets beyond the corpus frames (see facets.Source); the annotation
    facets read `tables[facets.ANNOTATIONS]`, the annotations joined to `corpus.items`. Works on
    integer doc codes and numpy masks (the string frames are filtered once, at the end).
    """
    if filters.is_empty:
        return corpus
    space = _doc_space(corpus)
    keep_docs = matching_documents(corpus, filters, tables)
    items = corpus.items
    item_codes = _codes(items, space)
    keep_items = _in(item_codes, keep_docs)
    row_facets = [f for f in facets.FACETS if f.level == "rows" and f.is_set(filters)]
    for facet in row_facets:
        if not isinstance(facet, TextFacet | AnnotationFacet):
            keep_items &= _source_hits(facet, items, filters)
    if any(isinstance(facet, AnnotationFacet) for facet in row_facets):  # all of them at once: one Criteria
        keep_items &= annotation_rows(corpus, filters, tables)
    for facet in row_facets:  # last: text is searched only in the rows the others left
        if isinstance(facet, TextFacet) and facet.restricts_rows(filters):
            keep_items &= rows_matching_text(items, facet.text(filters), candidates=keep_items)
    if filters.restricts_rows:
        with_rows = np.zeros(len(space), dtype=bool)
        with_rows[item_codes[keep_items & (item_codes >= 0)]] = True
        keep_docs &= with_rows
        keep_items &= _in(item_codes, keep_docs)
    documents = corpus.documents
    document_codes = _codes(documents, space)
    return corpus.with_frames(
        # Both taken when a page reads their text: a rerun drawing counts and charts copies none of it.
        documents=PendingRows.of_documents(documents, _in(document_codes, keep_docs)),
        keywords=_rows_of(corpus.keywords, space, keep_docs),
        themes=_rows_of(corpus.themes, space, keep_docs),
        items=PendingRows.of_items(items, keep_items),
        links=_rows_of(corpus.links, space, keep_docs),
    )


def _rows_of(frame: pd.DataFrame, space: pd.Index, keep_docs: np.ndarray) -> pd.DataFrame:
    return frame[_in(_codes(frame, space), keep_docs)].reset_index(drop=True)
