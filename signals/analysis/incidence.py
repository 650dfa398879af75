"""Corpus frames -> integer codes and sparse incidence matrices: the shared engine of the analyses.

Every aggregate in this package is a count or a product of a few sparse matrices over document
positions: themes x documents, documents x sections, documents x periods. Encoding a corpus once to
integer codes keeps the work in numpy/scipy: no row loops, and no string hashing of the 250k item
rows on every call (that alone costs more than the arithmetic).

`encode(corpus)` returns the encoding of a Corpus, computed piece by piece on first use and kept
while the Corpus object lives (keyed weakly on the object, and checked against the identity of its
frames). A Corpus is immutable by contract: `with_frames` (what filters.apply uses) makes a new one,
which gets its own encoding. Frames mutated in place would not be noticed; nothing here does that.

Which documents count: the documents frame is the universe. Theme, keyword and item rows whose
doc_id is not a row of documents are ignored (a loaded or filtered corpus has none). doc_id may be
str or categorical in any frame; nothing here relies on its dtype.
"""

from __future__ import annotations

import threading
import weakref
from functools import cached_property

import numpy as np
import pandas as pd
from scipy import sparse

from signals import schema
from signals.corpus_type import Corpus

#: How a missing category / type / domain is shown.
NONE_LABEL = "(none)"

#: Period names accepted by the by-period analyses -> pandas Period alias.
PERIOD_ALIASES = {
    "M": "M",
    "ME": "M",
    "MS": "M",
    "Q": "Q",
    "QE": "Q",
    "QS": "Q",
    "Y": "Y",
    "YE": "Y",
    "YS": "Y",
    "A": "Y",
    "W": "W",
}


# ---------------------------------------------------------------------------------------------
# Small vectorized helpers
# ---------------------------------------------------------------------------------------------
def codes_and_values(values: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """A column -> (integer code per row, -1 where missing; the values the codes point into).

    Categoricals reuse their codes (their values may include unobserved categories); anything else
    is factorized, which for Arrow-backed strings is far cheaper than hashing into an index.
    """
    if isinstance(values.dtype, pd.CategoricalDtype):
        return np.asarray(values.cat.codes, dtype=np.int64), pd.Index(values.cat.categories)
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    return np.asarray(codes, dtype=np.int64), pd.Index(uniques)


def lookup(table: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """table[codes] with code -1 (missing) giving -1."""
    return np.append(np.asarray(table, dtype=np.int64), -1)[codes]


def distinct_sorted(values: np.ndarray) -> np.ndarray:
    """Integer array -> its distinct values, sorted.

    A sort and a neighbour comparison: several times faster than np.unique's hash path on the
    50k-500k codes these analyses deduplicate.
    """
    ordered = np.sort(values)
    if not len(ordered):
        return ordered
    keep = np.empty(len(ordered), dtype=bool)
    keep[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=keep[1:])
    return ordered[keep]


def section_order(sections: list[str] | pd.Index | np.ndarray) -> list[str]:
    """Section slugs in the documents' order (schema.TABLE_SECTIONS), then any others alphabetically."""
    present = {str(s) for s in sections}
    ordered = [s for s in schema.TABLE_SECTIONS if s in present]
    return ordered + sorted(present - set(ordered))


def normalized_text_key(values: pd.Index | pd.Series) -> pd.Series:
    """Strings -> their canonical key (NFKC, case-folded, inner whitespace collapsed), vectorized.

    The same rule as schema.theme_key, so counts agree with the filters' case-insensitive matching.
    """
    text = pd.Series(values, dtype="str")
    if not len(text):
        return text.str.strip()
    import pyarrow as pa
    import pyarrow.compute as pc

    # ASCII texts without a whitespace run (nearly all) in Arrow's kernels, where NFKC changes
    # nothing, case-folding is lower-casing and there is nothing to collapse; the others through
    # the pandas chain below (Python's casefold, NFKC and whitespace, which counts \x1c-\x1f).
    # That chain alone: 4.7 s for the 2.1 million row labels of 100,000 documents (the Network
    # page's), 0.5 s this way.
    array = pa.array(text.array, type=pa.large_string(), from_pandas=True)
    spaced = pc.fill_null(pc.match_substring_regex(array, "  |[\\t\\n\\r\\f\\v\\x1c-\\x1f]"), False)
    simple = pc.and_not(pc.fill_null(pc.string_is_ascii(array), True), spaced)
    out = pd.Series(pc.utf8_trim(pc.ascii_lower(array), " "), index=text.index, dtype="str")
    others = ~simple.to_numpy(zero_copy_only=False)
    if others.any():
        rest = text[others]
        out[others] = rest.str.normalize("NFKC").str.casefold().str.replace(r"\s+", " ", regex=True).str.strip()
    return out


def period_alias(period: str) -> str:
    """A period name ("M", "Q", "Y", "W", or pandas' "ME", "QS", ...) -> its Period alias."""
    alias = PERIOD_ALIASES.get(str(period).upper())
    if alias is None:
        raise ValueError(f"period must be one of {sorted(set(PERIOD_ALIASES.values()))}, not {period!r}")
    return alias


def indicator(codes: np.ndarray, width: int) -> sparse.csr_matrix:
    """One code per row (-1 for none) -> a rows x width 0/1 csr matrix with a 1 at each coded cell."""
    rows = np.flatnonzero(codes >= 0)
    return sparse.csr_matrix(
        (np.ones(len(rows), dtype=np.int64), (rows, codes[rows])), shape=(len(codes), width)
    )


def facet_codes(values: pd.Series) -> tuple[np.ndarray, list[str], np.ndarray]:
    """A documents column (category, type, domain...) -> (each row's label code; the labels, most rows
    first, ties alphabetical; rows per label). A missing or blank value is labelled "(none)".

    Works on the distinct values only (a categorical's categories), so it costs nothing per row.
    """
    codes, distinct = codes_and_values(values)
    text = pd.Series(distinct.astype("str"), dtype="str").str.strip()
    text = text.where(text.notna() & (text != ""), NONE_LABEL).tolist()
    label_of_value, labels = pd.factorize(pd.Series([*text, NONE_LABEL], dtype="str"))
    # The appended "(none)" sits at index len(text): missing rows (code -1) point there.
    label_codes = np.asarray(label_of_value, dtype=np.int64)[np.where(codes >= 0, codes, len(text))]
    counts = np.bincount(label_codes, minlength=len(labels))
    used = np.flatnonzero(counts)
    order = used[np.lexsort((np.asarray(labels)[used], -counts[used]))]
    new_code = np.full(len(labels), -1, dtype=np.int64)
    new_code[order] = np.arange(len(order))
    return new_code[label_codes], [str(labels[i]) for i in order], counts[order].astype(np.int64)


# ---------------------------------------------------------------------------------------------
# The encoding of one corpus
# ---------------------------------------------------------------------------------------------
class EncodedCorpus:
    """Integer encodings of one Corpus's frames, each computed on first use (see module docstring).

    Attributes hold what their names say; "doc" arrays are positions in `documents` (-1: unknown).
    """

    def __init__(self, corpus: Corpus) -> None:
        # The frames, not the corpus: the cache is keyed weakly on the corpus and must not keep it alive.
        self.documents_frame = corpus.document_facts  # no long text (see Corpus.document_facts)
        self.items_frame = corpus.item_facts  # no text: a filtered corpus's text is taken only when read
        self.themes_frame = corpus.themes
        self.keywords_frame = corpus.keywords
        self._periods: dict[str, tuple[pd.DatetimeIndex, np.ndarray]] = {}

    def is_for(self, corpus: Corpus) -> bool:
        """True when this encoding was made from exactly these frames."""
        return (
            self.documents_frame is corpus.document_facts
            and self.items_frame is corpus.item_facts
            and self.themes_frame is corpus.themes
            and self.keywords_frame is corpus.keywords
        )

    # Documents -----------------------------------------------------------------------------
    @cached_property
    def documents(self) -> pd.DataFrame:
        """The documents frame with one row per doc_id (the first), so position = document number."""
        documents = self.documents_frame
        if "doc_id" not in documents.columns:
            return pd.DataFrame({"doc_id": pd.Series(dtype="str")})
        if documents["doc_id"].is_unique:
            return documents
        return documents.drop_duplicates("doc_id").reset_index(drop=True)

    @cached_property
    def document_ids(self) -> pd.Index:
        """doc_id of every document, as str, by position."""
        return pd.Index(self.documents["doc_id"].astype("str"), dtype="str")

    @property
    def document_count(self) -> int:
        """How many documents the corpus has."""
        return len(self.documents)

    def doc_positions(self, doc_ids: pd.Series) -> np.ndarray:
        """A doc_id column -> each row's document position (-1 when not a document)."""
        if not len(doc_ids):
            return np.empty(0, dtype=np.int64)
        if isinstance(doc_ids.dtype, pd.CategoricalDtype) and len(doc_ids.dtype.categories) > self.document_count:
            # The loader's row frames share one Index of every document's id as categories, and a
            # filtered corpus keeps it: look this corpus's documents up in it (its hash table is
            # built once and kept on that Index) rather than hashing all of its ids against them
            # on every filter change (0.1 s a frame at 100,000 documents).
            categories = doc_ids.dtype.categories
            code_of_position = categories.get_indexer(self.document_ids)
            found = code_of_position >= 0
            position_of_code = np.full(len(categories), -1, dtype=np.int64)
            position_of_code[code_of_position[found]] = np.flatnonzero(found)
            return lookup(position_of_code, np.asarray(doc_ids.cat.codes, dtype=np.int64))
        codes, values = codes_and_values(doc_ids)
        position_of_value = self.document_ids.get_indexer(values.astype("str")) if len(values) else []
        return lookup(position_of_value, codes)

    def periods(self, period: str) -> tuple[pd.DatetimeIndex, np.ndarray]:
        """Period name -> (start of every period from the first to the last dated document, gaps
        included; each document's period position, -1 when undated)."""
        alias = period_alias(period)
        if alias not in self._periods:
            documents = self.documents
            undated = np.full(len(documents), -1, dtype=np.int64)
            dates = (
                pd.to_datetime(documents["date"], errors="coerce")
                if "date" in documents.columns
                else pd.Series(pd.NaT, index=documents.index)
            )
            if not dates.notna().any():
                self._periods[alias] = (pd.DatetimeIndex([]), undated)
            else:
                periods = dates.dt.to_period(alias)
                span = pd.period_range(periods.min(), periods.max(), freq=alias)
                self._periods[alias] = (
                    span.start_time,
                    np.asarray(span.get_indexer(periods), dtype=np.int64),
                )
        return self._periods[alias]

    # Items ---------------------------------------------------------------------------------
    # The three per-row arrays below are kept with every filtered view (each session's views: memory
    # per session, issue 15), so they are as narrow as their values allow: int32 positions, int16
    # section codes, float32 relevancy (whole numbers 1-5: exact). At a theme's 170,000 rows of
    # 100,000 documents that is 1.7 MB a view instead of 4.1 MB. Widen before multiplying.
    @cached_property
    def item_docs(self) -> np.ndarray:
        """Each item row's document position (int32)."""
        return (
            self.doc_positions(self.items_frame["doc_id"]).astype(np.int32) if len(self.items_frame)
            else np.empty(0, np.int32)
        )

    @cached_property
    def item_sections(self) -> tuple[np.ndarray, list[str]]:
        """(each item row's section code, -1 when missing; the observed sections in section order)."""
        items = self.items_frame
        if not len(items) or "section" not in items.columns:
            return np.full(len(items), -1, dtype=np.int16), []
        codes, values = codes_and_values(items["section"])
        observed = np.flatnonzero(np.bincount(codes[codes >= 0], minlength=len(values)))
        sections = section_order(values[observed].astype("str"))
        return lookup(pd.Index(sections).get_indexer(values.astype("str")), codes).astype(np.int16), sections

    @cached_property
    def item_relevancy(self) -> np.ndarray:
        """Each item row's relevancy as float32 (NaN when it has none)."""
        items = self.items_frame
        if schema.RELEVANCY not in items.columns:
            return np.full(len(items), np.nan, dtype=np.float32)
        return pd.to_numeric(items[schema.RELEVANCY], errors="coerce").to_numpy(
            dtype="float32", na_value=np.nan
        )

    @cached_property
    def rated_by_doc_section(self) -> tuple[list[str], np.ndarray, np.ndarray]:
        """(sections with a rated row, in order; rated rows; relevancy sums), each documents x sections."""
        section_codes, sections = self.item_sections
        relevancy, docs = self.item_relevancy, self.item_docs
        keep = ~np.isnan(relevancy) & (docs >= 0) & (section_codes >= 0)
        if not keep.any():
            empty = np.zeros((self.document_count, 0))
            return [], empty.astype(np.int64), empty
        rated_sections = np.flatnonzero(np.bincount(section_codes[keep], minlength=len(sections)))
        column_of_section = np.full(len(sections), -1, dtype=np.int64)
        column_of_section[rated_sections] = np.arange(len(rated_sections))
        width = len(rated_sections)
        cell = docs[keep].astype(np.int64) * width + column_of_section[section_codes[keep]]
        size = self.document_count * width
        rows = np.bincount(cell, minlength=size).reshape(self.document_count, width)
        sums = np.bincount(cell, weights=relevancy[keep], minlength=size).reshape(self.document_count, width)
        return [sections[i] for i in rated_sections], rows.astype(np.int64), sums

    # Themes --------------------------------------------------------------------------------
    @cached_property
    def theme_docs(self) -> np.ndarray:
        """Each theme row's document position."""
        return (
            self.doc_positions(self.themes_frame["doc_id"])
            if len(self.themes_frame)
            else np.empty(0, np.int64)
        )

    @cached_property
    def theme_keys(self) -> tuple[np.ndarray, pd.Index]:
        """(each theme row's key code, -1 when missing; the key values, as str)."""
        themes = self.themes_frame
        if not len(themes):
            return np.empty(0, dtype=np.int64), pd.Index([], dtype="str")
        codes, values = codes_and_values(themes["theme_key"])
        return codes, pd.Index(values.astype("str"), dtype="str")

    @property
    def theme_ranking(self) -> pd.DataFrame:
        """DataFrame[theme_key, theme, documents]: every theme on at least one document, most documents
        first, ties by key. theme is the key's display spelling (its first spelling in the frame; the
        loader already makes every key's spelling its most common one)."""
        return self._ranked_themes[0]

    @cached_property
    def _ranked_themes(self) -> tuple[pd.DataFrame, np.ndarray]:
        """(theme_ranking; the theme_keys code of each of its rows)."""
        key_codes, keys = self.theme_keys
        docs = self.theme_docs
        valid = (key_codes >= 0) & (docs >= 0)
        if not valid.any():
            empty = pd.DataFrame(
                {
                    "theme_key": pd.Series(dtype="str"),
                    "theme": pd.Series(dtype="str"),
                    "documents": pd.Series(dtype="int64"),
                }
            )
            return empty, np.empty(0, dtype=np.int64)
        pairs = distinct_sorted(docs[valid] * len(keys) + key_codes[valid])
        documents = np.bincount(pairs % len(keys), minlength=len(keys))
        observed = np.flatnonzero(documents)
        # First spelling of each observed key: dedupe on integer codes, then read only those rows.
        valid_rows = np.flatnonzero(valid)
        first_rows = valid_rows[~pd.Series(key_codes[valid_rows]).duplicated().to_numpy()]
        spelling = pd.Series(
            self.themes_frame["theme"].iloc[first_rows].astype("str").to_numpy(),
            index=key_codes[first_rows],
        )
        ranking = pd.DataFrame(
            {
                "theme_key": pd.Series(keys[observed], dtype="str"),
                "theme": pd.Series(spelling.reindex(observed).to_numpy(), dtype="str"),
                "documents": documents[observed].astype("int64"),
                "code": observed,
            }
        )
        ranking["theme"] = ranking["theme"].fillna(ranking["theme_key"])
        ranking = ranking.sort_values(["documents", "theme_key"], ascending=[False, True], ignore_index=True)
        codes = ranking.pop("code").to_numpy()
        return ranking, codes

    def top_theme_incidence(self, top_n: int) -> tuple[pd.DataFrame, sparse.csr_matrix]:
        """top_n -> (the top_n rows of theme_ranking; their binary incidence, themes x documents)."""
        ranking = self.theme_ranking.head(max(top_n, 0))
        shape = (len(ranking), self.document_count)
        if not len(ranking):
            return ranking, sparse.csr_matrix(shape, dtype=np.int64)
        key_codes, keys = self.theme_keys
        rank_of_code = np.full(len(keys), -1, dtype=np.int64)
        rank_of_code[self._ranked_themes[1][: len(ranking)]] = np.arange(len(ranking))
        ranks = lookup(rank_of_code, key_codes)
        keep = (ranks >= 0) & (self.theme_docs >= 0)
        matrix = sparse.csr_matrix(
            (np.ones(int(keep.sum()), dtype=np.int64), (ranks[keep], self.theme_docs[keep])), shape=shape
        )
        matrix.data[:] = 1  # a (document, theme) pair listed twice counts once
        return ranking, matrix

    # Keywords ------------------------------------------------------------------------------
    @cached_property
    def keyword_counts(self) -> pd.DataFrame:
        """DataFrame[key, documents, keyword]: distinct documents per case-insensitive keyword key and
        its most used spelling (ties: alphabetical first); unsorted."""
        empty = pd.DataFrame(
            {
                "key": pd.Series(dtype="str"),
                "documents": pd.Series(dtype="int64"),
                "keyword": pd.Series(dtype="str"),
            }
        )
        keywords = self.keywords_frame
        if not len(keywords):
            return empty
        spelling_codes, spellings = codes_and_values(keywords["keyword"])
        docs = self.doc_positions(keywords["doc_id"])
        valid = (spelling_codes >= 0) & (docs >= 0)
        if not valid.any():
            return empty
        uses = np.bincount(spelling_codes[valid], minlength=len(spellings))
        used = np.flatnonzero(uses)
        # Normalise only the spellings in use (a filtered corpus keeps every category of the full one).
        key_of_used, key_values = pd.factorize(normalized_text_key(spellings[used]))
        key_of_spelling = np.full(len(spellings), -1, dtype=np.int64)
        key_of_spelling[used] = key_of_used
        key_codes = key_of_spelling[spelling_codes[valid]]
        pairs = distinct_sorted(docs[valid] * len(key_values) + key_codes)
        documents = np.bincount(pairs % len(key_values), minlength=len(key_values))
        preferred = (
            pd.DataFrame({"key": key_of_used, "keyword": spellings[used].astype("str"), "uses": uses[used]})
            .sort_values(["key", "uses", "keyword"], ascending=[True, False, True])
            .drop_duplicates("key")
            .set_index("key")["keyword"]
        )
        return pd.DataFrame(
            {
                "key": pd.Series(np.asarray(key_values), dtype="str"),
                "documents": documents.astype("int64"),
                "keyword": pd.Series(preferred.reindex(np.arange(len(key_values))).to_numpy(), dtype="str"),
            }
        )


_ENCODINGS: weakref.WeakKeyDictionary[Corpus, EncodedCorpus] = weakref.WeakKeyDictionary()
_ENCODINGS_LOCK = threading.Lock()


def encode(corpus: Corpus) -> EncodedCorpus:
    """A Corpus -> its encoding, made on the first call and reused while the corpus lives."""
    with _ENCODINGS_LOCK:
        encoded = _ENCODINGS.get(corpus)
        if encoded is None or not encoded.is_for(corpus):
            encoded = EncodedCorpus(corpus)
            _ENCODINGS[corpus] = encoded
    return encoded
