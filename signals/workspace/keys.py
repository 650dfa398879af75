"""Keys that find a row again after the pipeline rewrites its document.

Analysts re-run the pipeline: files are rewritten, rows reordered, rows added and removed. An
annotation must follow its row by what the row says, not by where it is, so a row's key is made of

    the document's id, the row's section, its normalized name (or, where it has no name, its
    normalized description), and its occurrence among the rows of that document and section that
    share that text (1 for the first, in document order; duplicates get 2, 3, ...)

joined by `SEPARATOR`. A document's key is its id. `normalize` folds case, spacing and
punctuation but keeps accents (`Énergie  solaire!` and `énergie solaire` are one row; `energie
solaire` is another), so a re-run that only re-spaces or re-cases a name keeps the key.

What a key cannot follow: a row whose name (or, for nameless rows, description) is rewritten,
and, among duplicates, which one was removed (the last occurrence's key goes). Those annotations
become orphans (signals.workspace.annotations.orphans), kept and listed, never dropped.

Pure functions over the loader's frames: `row_keys(items)` is vectorized (normalization runs once
per distinct text, the occurrence count on integer codes), so it can be added to the items frame
after every load, wherever the loader lives.
"""

from __future__ import annotations

import itertools
import os
import re
import unicodedata
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from signals import schema

#: Joins the parts of a row key. ASCII's unit separator: it never survives `normalize`, sections
#: are slugs, and file names (which doc ids come from) do not contain it, so a key splits back
#: into its parts unambiguously (`split_row_key`).
SEPARATOR = "\x1f"
#: What a row is keyed on: its name, or its description where it has no name.
ANCHOR_NAME, ANCHOR_DESCRIPTION = "name", "description"
ANCHOR_KINDS = (ANCHOR_NAME, ANCHOR_DESCRIPTION)
#: The items frame's key column.
ROW_KEY = schema.ROW_KEY

_NOT_WORD = re.compile(r"[\W_]+")


def normalize(text: object) -> str:
    """A name or description -> the form keys compare: Unicode NFKC, case-folded, every run of
    spaces and punctuation one space, trimmed; accents kept. Missing -> ""."""
    if text is None or text is pd.NA or (isinstance(text, float) and np.isnan(text)):
        return ""
    folded = unicodedata.normalize("NFKC", str(text)).casefold()
    return _NOT_WORD.sub(" ", folded).strip()


@dataclass(frozen=True)
class RowAnchor:
    """The parts of a row key: where the row is and what it says (normalized), and which
    occurrence of that text it is."""

    doc_id: str
    section: str
    anchor_kind: str  # ANCHOR_NAME or ANCHOR_DESCRIPTION
    anchor: str  # normalized text
    occurrence: int = 1

    @property
    def key(self) -> str:
        """The row key these parts make (as `row_keys` computes it for the row)."""
        return row_key(self.doc_id, self.section, self.anchor_kind, self.anchor, self.occurrence)


def row_key(doc_id: str, section: str, anchor_kind: str, anchor_text: str, occurrence: int = 1) -> str:
    """One row's key from its parts; `anchor_text` is normalized here (raw text is fine).

    Raises ValueError for an unknown anchor kind or an occurrence below 1.
    """
    if anchor_kind not in ANCHOR_KINDS:
        raise ValueError(f"a row is keyed on its {' or '.join(ANCHOR_KINDS)}, not {anchor_kind!r}")
    if occurrence < 1:
        raise ValueError(f"occurrence counts from 1, not {occurrence}")
    return SEPARATOR.join((str(doc_id), str(section), f"{anchor_kind}:{normalize(anchor_text)}", str(occurrence)))


def split_row_key(key: str) -> RowAnchor:
    """A row key -> its parts (the inverse of `row_key`). Raises ValueError for a text that is no row key."""
    parts = key.rsplit(SEPARATOR, 3)
    if len(parts) != 4 or ":" not in parts[2] or not parts[3].isdigit():
        raise ValueError(f"not a row key: {key!r}")
    kind, anchor = parts[2].split(":", 1)
    if kind not in ANCHOR_KINDS:
        raise ValueError(f"not a row key: {key!r}")
    return RowAnchor(parts[0], parts[1], kind, anchor, int(parts[3]))


def is_row_key(key: str) -> bool:
    """True for a row's key, False for a document's (a document id)."""
    try:
        split_row_key(key)
    except ValueError:
        return False
    return True


def _arrow_text(values: pd.Series) -> pa.Array:
    """A text column as an Arrow large_string array, missing as "" (pandas' str columns hand over
    their Arrow buffers without a copy)."""
    array = pa.array(values if values.dtype == "str" else values.astype("str"), from_pandas=True)
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    if array.type != pa.large_string():
        array = array.cast(pa.large_string())
    return pc.fill_null(array, "")


def normalize_many(values: pd.Series) -> pa.Array:
    """A text column -> `normalize` of every value, as an Arrow large_string array.

    ASCII texts (most of them) are folded by Arrow's kernels, where `normalize` is exactly
    lowercase, every run of non-alphanumerics one space, trimmed; the others go through
    `normalize` once per distinct text (Python's casefold and Unicode classes have no Arrow twin).
    Per value in Python this took 3 s on the 214k rows of the 10k benchmark corpus.
    """
    array = _arrow_text(values)
    lowered = pc.ascii_lower(array)
    # The regex rewrite only where it changes something (a character other than a-z, 0-9 and single
    # inner spaces): it was 1.4 s of 2 s over the 2.1 million names of 100,000 documents.
    rewrite = pc.match_substring_regex(lowered, "[^a-z0-9 ]|  |^ | $")
    folded = lowered
    if pc.any(rewrite).as_py():
        folded = pc.replace_with_mask(lowered, rewrite, pc.utf8_trim(
            pc.replace_substring_regex(pc.filter(lowered, rewrite), "[^a-z0-9]+", " "), " "))
    is_ascii = pc.string_is_ascii(array)
    if pc.all(is_ascii).as_py() is not False:
        return folded
    others = pc.invert(is_ascii)
    distinct, codes = np.unique(np.asarray(pc.filter(array, others).to_pylist(), dtype=object), return_inverse=True)
    normalized = pa.array([normalize(text) for text in distinct], pa.large_string())
    return pc.replace_with_mask(folded, others, normalized.take(pa.array(codes.ravel())))


def _text(value: str) -> pa.Scalar:
    return pa.scalar(value, pa.large_string())


def _codes(values: pd.Series) -> np.ndarray:
    if isinstance(values.dtype, pd.CategoricalDtype):
        return values.cat.codes.to_numpy().astype(np.int64)
    return pd.factorize(values.astype("str"))[0].astype(np.int64)


def _anchor_texts(items: pd.DataFrame) -> tuple[pa.Array, pa.Array]:
    """Items -> (whether each row has a name, its normalized anchor text: the name, else the
    description)."""
    missing = pd.Series(None, index=items.index, dtype="str")
    names = normalize_many(items[schema.NAME] if schema.NAME in items.columns else missing)
    # A name of only spacing and punctuation is no name: the description keys the row.
    has_name = pc.not_equal(names, "")
    nameless = np.flatnonzero(~has_name.to_numpy(zero_copy_only=False))
    if not len(nameless):
        return has_name, names
    descriptions = items[schema.DESCRIPTION] if schema.DESCRIPTION in items.columns else missing
    return has_name, pc.replace_with_mask(names, pc.invert(has_name), normalize_many(descriptions.iloc[nameless]))


def _anchors(items: pd.DataFrame) -> tuple[pa.Array, pa.Array, np.ndarray]:
    """Items -> (anchor kind of each row, its normalized anchor text, its occurrence), see
    `anchor_columns`."""
    has_name, anchors = _anchor_texts(items)
    kinds = pc.if_else(has_name, _text(ANCHOR_NAME), _text(ANCHOR_DESCRIPTION))

    # Occurrence: rank within (document, section, kind, anchor), in document order (the line, then
    # the row: rows of one table have increasing lines; `row` orders hand-made frames without lines).
    anchor_codes = pc.dictionary_encode(pc.binary_join_element_wise(kinds, anchors, _text(":"))).indices
    anchor_codes = anchor_codes.to_numpy(zero_copy_only=False).astype(np.int64)
    doc_codes, section_codes = _codes(items["doc_id"]), _codes(items["section"])
    order_keys = [items[c].to_numpy() for c in ("row", "line") if c in items.columns]
    order = np.lexsort((*order_keys, anchor_codes, section_codes, doc_codes))
    group = np.stack([doc_codes[order], section_codes[order], anchor_codes[order]])
    starts = np.ones(len(order), dtype=bool)
    starts[1:] = (group[:, 1:] != group[:, :-1]).any(axis=0)
    run_start = np.maximum.accumulate(np.where(starts, np.arange(len(order)), 0))
    occurrence = np.empty(len(order), dtype=np.int32)
    occurrence[order] = np.arange(len(order)) - run_start + 1
    return kinds, anchors, occurrence


def anchor_texts(items: pd.DataFrame) -> pd.Series:
    """Items -> each row's `anchor` alone (see `anchor_columns`; without the occurrence, which
    sorts every row: 1.4 s at 100,000 documents), a str Series numbered from 0."""
    if items.empty:
        return pd.Series([], dtype="str")
    return pd.Series(_anchor_texts(items)[1].to_pandas(), dtype="str")


def anchor_codes(items: pd.DataFrame) -> np.ndarray:
    """Items -> one int32 per row: rows with the same `anchor` text (see `anchor_texts`) have the
    same code, rows without one (no name, no description) -1. Rows of different sections may share a
    code: pair it with the section where that matters."""
    if items.empty:
        return np.empty(0, dtype=np.int32)
    # Arrow's dictionary encoding: 0.5 s for 2.1 million texts, pandas' factorize 0.9 s.
    encoded = pc.dictionary_encode(_anchor_texts_in_parallel(items))
    codes = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int32)
    empty = np.flatnonzero(pc.equal(encoded.dictionary, "").to_numpy(zero_copy_only=False))
    if len(empty):
        codes[codes == empty[0]] = -1
    return codes


#: Rows per slice when anchor texts are folded on several cores (below it, one slice).
PARALLEL_SLICE_ROWS = 250_000


def _anchor_texts_in_parallel(items: pd.DataFrame) -> pa.Array:
    """`_anchor_texts(items)[1]`, slices folded on the machine's cores at once: Arrow's kernels let
    go of the GIL, so two threads took 0.66 s where one took 1.85 s for 2.1 million rows."""
    slices = min(os.cpu_count() or 1, 4, max(1, len(items) // PARALLEL_SLICE_ROWS))
    if slices <= 1:
        return _anchor_texts(items)[1]
    bounds = np.linspace(0, len(items), slices + 1).astype(int)
    with ThreadPoolExecutor(slices, thread_name_prefix="anchor-texts") as pool:
        parts = list(pool.map(lambda at: _anchor_texts(items.iloc[at[0]:at[1]])[1], itertools.pairwise(bounds)))
    return pa.concat_arrays(parts)


def anchor_columns(items: pd.DataFrame) -> pd.DataFrame:
    """Items -> what each row is keyed on: `anchor_kind` (name, or description where the name is
    empty), `anchor` (that text normalized) and `occurrence` (1-based, among the rows of the same
    document and section with the same anchor, in document order). Same index as `items`."""
    if items.empty:
        return pd.DataFrame({"anchor_kind": pd.Series([], dtype="str"), "anchor": pd.Series([], dtype="str"),
                             "occurrence": pd.Series([], dtype="int32")}, index=items.index)
    kinds, anchors, occurrence = _anchors(items)
    return pd.DataFrame({
        "anchor_kind": pd.Series(kinds.to_pandas(), dtype="str").set_axis(items.index),
        "anchor": pd.Series(anchors.to_pandas(), dtype="str").set_axis(items.index),
        "occurrence": pd.Series(occurrence, index=items.index),
    }, index=items.index)


def row_keys(items: pd.DataFrame) -> pd.Series:
    """The items frame -> each row's key (a str Series, same index). See the module docstring."""
    if items.empty:
        return pd.Series([], index=items.index, dtype="str", name=ROW_KEY)
    kinds, anchors, occurrence = _anchors(items)
    keys = pc.binary_join_element_wise(
        _arrow_text(items["doc_id"].astype("str")), _arrow_text(items["section"].astype("str")),
        pc.binary_join_element_wise(kinds, anchors, _text(":")), pa.array(occurrence).cast(pa.large_string()),
        _text(SEPARATOR))
    return pd.Series(keys.to_pandas(), dtype="str", name=ROW_KEY).set_axis(items.index)


def with_row_keys(items: pd.DataFrame) -> pd.DataFrame:
    """The items frame with its `row_key` column (recomputed if present). Apply after each load."""
    return items.assign(**{ROW_KEY: row_keys(items)})
