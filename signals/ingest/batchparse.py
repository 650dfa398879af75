"""Many documents' texts -> raw Arrow tables at once, for documents of the regular shape.

`parse_document` + `Batch.add` cost a few hundred microseconds per document, nearly all of it in
creating Python objects per line and per cell. Here a whole batch is cut into lines and cells by
pyarrow kernels and indexed with numpy, so a document costs a few Python operations, not hundreds.

Only *regular* documents take this path: the shape the pipeline writes, where every rule of the
parser reduces to a simple one. A title line (`# ...`, line 1), then headings each after a blank
line, naming known sections (at most once each); bullet lists in Keywords, Themes, Other (`Key:
value`, distinct keys) and Closest; a Summary of text lines; and each table section exactly one GFM
table -- with outer pipes on every line, or on none (then rows start with a letter) -- with a valid
delimiter row, equal cell counts and relevancy cells 1-5; `\\|` in its cells is an escaped pipe.
Any doubt -- control characters (tab, CR, NUL ...), a BOM inside the text, whitespace other than
space and newline (see parse._MD_TRIM and parse._PY_ONLY_SPACE), an indented line, a pipe outside
a table, a ragged row, an unknown or repeated section, a column named like a key column
-- and the document is handed back in `fallback`, for the line parser (`parse_document`).
Regular documents get exactly the values `parse_document` and `Batch.add` would give them
(tests/test_fastbatch.py: every real document, synthetic corpora, generated near-regular ones).

Imports pyarrow and numpy, not pandas: it runs in the parser worker processes.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from signals import schema
from signals.ingest import lineparse as parse
from signals.ingest.files import SECTION_COLUMNS, Batch, changed_ns, content_digest, read_files

_STRING = pa.string()

# Kinds of section (codes in the per-line arrays).
_BAD, _PREAMBLE, _TABLE, _KEYWORDS, _THEMES, _OTHER, _SUMMARY, _CLOSEST = range(8)
_KIND_OF_SECTION = {
    **dict.fromkeys(schema.TABLE_SECTIONS, _TABLE),
    schema.KEYWORDS: _KEYWORDS,
    schema.THEMES: _THEMES,
    schema.OTHER: _OTHER,
    schema.SUMMARY: _SUMMARY,
    schema.CLOSEST: _CLOSEST,
}
_DOCUMENT_COLUMNS = tuple(Batch().documents)
_ITEM_COLUMNS = tuple(Batch().items)
#: Attribute keys batch_to_raw renames (`other_date`): a regular document may not use them.
_RESERVED_ATTRS = frozenset(_DOCUMENT_COLUMNS) | {"date", "domain", "duplicate_of", "theme", "keyword"}
#: Table columns Batch.add would write into its own key columns: not in a regular document.
_RESERVED_COLUMNS = frozenset((*schema.ITEM_KEY_COLUMNS, SECTION_COLUMNS))
#: A bullet line that is a thematic break to the parser (`* * *`, `- - -`), not a bullet.
_THEMATIC_BREAK = r"^(?:(?:-[ \t]*){3,}|(?:\*[ \t]*){3,})$"
#: A delimiter row with both outer pipes or neither (no tab reaches here). Without outer pipes it
#: needs two columns (one is a thematic break) and may not start `- ` (a list item): both checked
#: apart, as is the match of its form with its table's header.
_DELIMITER = r"^(?:\|(?: *:?-+:? *\|)+|:?-+:? *(?:\| *:?-+:? *)+)$"
#: Stands in for an escaped pipe (`\\|`) while table lines are cut at pipes: a control character,
#: which no regular document holds (every C0 control makes a document irregular).
_ESCAPED_PIPE = "\x01"
#: parse._EXTERNAL in RE2, used on ASCII lines only (where IGNORECASE and \s mean the same).
_EXTERNAL = r"(?i)\[\s*external link\s*\]\(\s*<?(?P<url>(?:[^()\s>]|\([^()\s>]*\))*)"
#: The external link line the pipeline writes, whose URL _EXTERNAL reads as the text between
#: `(` and `)__` (no parenthesis, blank or `<>` in it).
_USUAL_EXTERNAL = r"^__\[External link\]\([^()\s<>]*\)__$"
#: The title line the pipeline writes. For it, parse._parse_title's search for the last `from`
#: followed by a link ends at `(from page [id](url).)`: the title is what precedes it, without
#: trailing blanks and commas. Other title lines go through parse._parse_title.
_TITLE = (r"^# (?P<title>[^ ].*?), \(from page \[(?P<id>[0-9A-Za-z_.\-]*)\]"
          r"\((?P<url>[^()\s<>\"\[\]]*)\)\.\)$")
#: UTF-8 of the non-ASCII characters Python or CommonMark count as whitespace, and of the BOM.
_EXOTIC_SEQUENCES = (
    b"\xc2\x85", b"\xc2\xa0", b"\xe1\x9a\x80", *(b"\xe2\x80" + bytes([c]) for c in range(0x80, 0x8b)),
    b"\xe2\x80\xa8", b"\xe2\x80\xa9", b"\xe2\x80\xaf", b"\xe2\x81\x9f", b"\xe3\x80\x80", b"\xef\xbb\xbf",
)
#: Most bytes of text given to one round of kernels (Arrow string offsets are 32-bit).
_MAX_ROUND_BYTES = 1 << 28

Shape = tuple[tuple[str, tuple[str, ...], bool], ...]


@dataclass
class FastBatch:
    """What `parse_batch` gives. Unpacks as `tables, fallback = parse_batch(texts)`.

    tables      raw tables of the regular documents (documents, keywords, themes, links, items)
                with a `doc_index` column (position in the texts given) in place of doc_id, path,
                digest; no problems (a regular document has none)
    fallback    positions of the other documents, to parse with `parse_document`
    shapes, shape_of_doc    the distinct table layouts -- ((section, columns, has rows), ...) --
                and each regular document's (one per row of tables["documents"])
    key_lists, keys_of_doc  the same for the documents' Other keys, in order
    """

    tables: dict[str, pa.Table]
    fallback: list[int]
    shapes: list[Shape] = field(default_factory=list)
    shape_of_doc: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    key_lists: list[tuple[str, ...]] = field(default_factory=list)
    keys_of_doc: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))

    def __iter__(self):
        return iter((self.tables, self.fallback))


def parse_batch(texts: Sequence[str | bytes]) -> FastBatch:
    """Documents' texts (str, or UTF-8 bytes as read from the files) -> FastBatch: raw tables of the
    regular ones, the positions of the others. See the module docstring."""
    sizes = [len(t) for t in texts]
    if sum(sizes) <= _MAX_ROUND_BYTES // 4:  # characters: at most 4 bytes each
        return _parse_round(texts)
    rounds: list[tuple[int, FastBatch]] = []
    start = 0
    while start < len(texts):
        end, total = start + 1, sizes[start]
        while end < len(texts) and total + sizes[end] <= _MAX_ROUND_BYTES // 4:
            total += sizes[end]
            end += 1
        rounds.append((start, _parse_round(texts[start:end])))
        start = end
    return _concat_rounds(rounds)


def _concat_rounds(rounds: list[tuple[int, FastBatch]]) -> FastBatch:
    tables: dict[str, list[pa.Table]] = {}
    result = FastBatch({}, [])
    shape_ids, key_ids = [], []
    for start, part in rounds:
        for name, table in part.tables.items():
            shifted = pc.add(table["doc_index"], pa.scalar(start, pa.int32()))
            tables.setdefault(name, []).append(table.set_column(0, "doc_index", shifted))
        result.fallback.extend(start + k for k in part.fallback)
        shape_ids.append(part.shape_of_doc + len(result.shapes))
        key_ids.append(part.keys_of_doc + len(result.key_lists))
        result.shapes.extend(part.shapes)
        result.key_lists.extend(part.key_lists)
    result.tables = {name: pa.concat_tables(parts, promote_options="default") for name, parts in tables.items()}
    result.shape_of_doc = np.concatenate(shape_ids)
    result.keys_of_doc = np.concatenate(key_ids)
    return result


# ---------------------------------------------------------------------------------------------
# Arrow buffers as numpy
# ---------------------------------------------------------------------------------------------
def _offsets(array: pa.Array) -> np.ndarray:
    """A string (or list) array's value offsets as int64, respecting a slice offset."""
    offsets = np.frombuffer(array.buffers()[1], dtype=np.int32, count=len(array) + 1 + array.offset)
    return offsets[array.offset:].astype(np.int64)


def _data(array: pa.Array) -> np.ndarray:
    buffer = array.buffers()[2]
    return np.frombuffer(buffer, dtype=np.uint8) if buffer is not None else np.zeros(0, np.uint8)


def _values(nested: pa.ListArray) -> tuple[pa.Array, np.ndarray]:
    """A list array's flat values and its offsets into them (from 0)."""
    offsets = _offsets(nested)
    values = nested.values
    if values.offset or offsets[0] or len(values) != offsets[-1]:
        values = nested.flatten()
        offsets = offsets - offsets[0]
    return values, offsets


def _byte_at(data: np.ndarray, positions: np.ndarray, valid: np.ndarray) -> np.ndarray:
    """data[positions] where valid, else 0."""
    if not len(data):
        return np.zeros(len(positions), np.uint8)
    return np.where(valid, data[np.minimum(positions, len(data) - 1)], 0).astype(np.uint8)


def _first_bytes(strings: pa.Array) -> np.ndarray:
    offsets = _offsets(strings)
    return _byte_at(_data(strings), offsets[:-1], np.diff(offsets) > 0)


def _take(array: pa.Array, positions: np.ndarray) -> pa.Array:
    return array.take(pa.array(positions, pa.int64()))


def _nullable_take(array: pa.Array, positions: np.ndarray) -> pa.Array:
    """array[positions], null where a position is negative."""
    return array.take(pa.array(positions, pa.int64(), mask=positions < 0))


def _bool(array: pa.Array) -> np.ndarray:
    return array.to_numpy(zero_copy_only=False)


def _list_offsets(group: np.ndarray, groups: int) -> pa.Array:
    """Sorted group numbers of some values -> list offsets giving each group its values."""
    offsets = np.zeros(groups + 1, np.int32)
    np.cumsum(np.bincount(group, minlength=groups), out=offsets[1:])
    return pa.array(offsets)


def _sequences(group: np.ndarray, tokens: np.ndarray, groups: int) -> tuple[np.ndarray, list[tuple[int, ...]]]:
    """Tokens (ints) of sorted groups -> (each group's sequence id, the distinct sequences)."""
    if not len(tokens):
        return np.zeros(groups, np.int64), [()]
    distinct, inverse = np.unique(tokens, return_inverse=True)
    words = _take(pa.array([str(t) for t in distinct.tolist()], _STRING), inverse.reshape(-1))
    joined = pc.binary_join(pa.ListArray.from_arrays(_list_offsets(group, groups), words), ",")
    encoded = joined.dictionary_encode()
    sequences = [tuple(map(int, s.split(","))) if s else () for s in encoded.dictionary.to_pylist()]
    return _bool(encoded.indices).astype(np.int64), sequences


# ---------------------------------------------------------------------------------------------
# One round
# ---------------------------------------------------------------------------------------------
def _as_string_array(texts: Sequence[str | bytes]) -> tuple[pa.Array, np.ndarray]:
    """Texts -> a string array, and a mask of those that are not valid UTF-8 (when bytes)."""
    invalid = np.zeros(len(texts), bool)
    if not texts or isinstance(texts[0], str):
        return pa.array(texts, _STRING), invalid
    binary = pa.array(texts, pa.binary())
    try:
        return binary.cast(_STRING), invalid
    except pa.ArrowInvalid:
        kept = []
        for k, data in enumerate(texts):
            try:
                bytes(data).decode("utf-8")
                kept.append(data)
            except UnicodeDecodeError:
                invalid[k] = True
                kept.append(b"")
        return pa.array(kept, pa.binary()).cast(_STRING), invalid


def _parse_round(texts: Sequence[str | bytes]) -> FastBatch:
    """parse_batch on texts small enough for 32-bit offsets: one pass of kernels, in steps."""
    array, bad = _as_string_array(texts)
    # Documents with a backslash (a few in a hundred), found per text with memchr: only their
    # table lines are searched for escaped pipes.
    backslash_doc = np.fromiter(((b"\\" if isinstance(t, bytes) else "\\") in t for t in texts), bool, len(texts))
    n = len(array)
    if not n:
        return FastBatch({}, [])
    doc_offsets = _offsets(array)
    data = _data(array)
    doc_sizes = np.diff(doc_offsets)
    bad |= _byte_at(data, doc_offsets[:-1], doc_sizes > 0) != ord("#")

    def doc_of_byte(positions: np.ndarray) -> np.ndarray:
        return np.searchsorted(doc_offsets, positions, side="right") - 1

    # --- Lines ----------------------------------------------------------------------------------
    lines, line_offsets = _values(pc.split_pattern(array, "\n"))
    total_lines = len(lines)
    lines_per_doc = np.diff(line_offsets)
    line_doc = np.repeat(np.arange(n), lines_per_doc)
    line_index = np.arange(total_lines)
    line_in_doc = line_index - line_offsets[line_doc]

    # --- Bytes that make a document irregular wherever they are ---------------------------------
    # C0 controls but the line breaks (every `\n` became a line break above).
    if int(np.count_nonzero(data < 32)) != total_lines - n:
        bad[doc_of_byte(np.flatnonzero((data < 32) & (data != 10)))] = True
    leads = np.flatnonzero(data >= 0xC2)
    if len(leads):
        leads = leads[np.isin(data[leads], (0xC2, 0xE1, 0xE2, 0xE3, 0xEF))]
        for sequence in _EXOTIC_SEQUENCES:
            at = leads[data[leads] == sequence[0]]
            for k in range(1, len(sequence)):
                at = at[_byte_at(data, at + k, at + k < len(data)) == sequence[k]]
            bad[doc_of_byte(at)] = True

    l_offsets = _offsets(lines)
    l_data = _data(lines)
    l_len = np.diff(l_offsets)
    starts = l_offsets[:-1]
    first = _byte_at(l_data, starts, l_len > 0)
    second = _byte_at(l_data, starts + 1, l_len > 1)
    last = _byte_at(l_data, l_offsets[1:] - 1, l_len > 0)
    blank = l_len == 0
    is_heading = first == ord("#")
    bad[line_doc[first == ord(" ")]] = True
    previous_blank = np.ones(total_lines, bool)
    previous_blank[1:] = blank[:-1]
    bad[line_doc[is_heading & (line_in_doc > 0) & ~previous_blank]] = True

    # --- Sections: a line belongs to the last heading at or above it ----------------------------
    governing = np.maximum.accumulate(np.where(is_heading, line_index, 0))
    title_at = line_offsets[:-1]  # every document has a first line; regular ones, a title there
    is_title = np.zeros(total_lines, bool)
    is_title[title_at] = True
    section_at = np.flatnonzero(is_heading & ~is_title)
    section_names: list[str] = [schema.PREAMBLE, ""]
    section_kinds: list[int] = [_PREAMBLE, _BAD]
    code_of_line = np.zeros(total_lines, np.int64)
    if len(section_at):
        encoded = _take(lines, section_at).dictionary_encode()
        code_of_section = {schema.PREAMBLE: 0, "": 1}
        codes = []
        for raw in encoded.dictionary.to_pylist():
            level, text = parse._heading_parts(raw)
            section = schema.section_slug(text) if level and "|" not in raw else ""
            if _KIND_OF_SECTION.get(section, _BAD) == _BAD:
                section = ""  # one code for every heading that makes a document irregular
            if section not in code_of_section:
                code_of_section[section] = len(section_names)
                section_names.append(section)
                section_kinds.append(_KIND_OF_SECTION[section])
            codes.append(code_of_section[section])
        section_codes = np.asarray(codes, np.int64)[_bool(encoded.indices)]
        code_of_line[section_at] = section_codes
        bad[line_doc[section_at[section_codes == 1]]] = True
        # A section named twice in one document (its rows appended, an `info` problem): irregular.
        pair = np.sort(line_doc[section_at] * len(section_names) + section_codes)
        bad[pair[1:][pair[1:] == pair[:-1]] // len(section_names)] = True
    # Without a section, a title line makes a signal document only with a page id: not regular.
    has_section = np.zeros(n, bool)
    has_section[line_doc[section_at]] = True
    bad |= ~has_section
    line_code = code_of_line[governing]
    line_kind = np.asarray(section_kinds)[line_code]
    body = ~is_heading
    in_table = body & (line_kind == _TABLE)
    # A pipe outside a table (looked for in those lines only: a sixth of the text).
    outside_at = np.flatnonzero(~in_table)
    bad[line_doc[outside_at[_bool(pc.match_substring(_take(lines, outside_at), "|"))]]] = True
    table_line = in_table & ~blank
    # A table line ends in a pipe or in text; not in a space (`a | b | ` holds an empty last cell
    # that the line parser trims away with the line's blanks).
    bad[line_doc[table_line & (last == ord(" "))]] = True

    # --- Tables: one per table section, its lines contiguous -------------------------------------
    t_at = np.flatnonzero(table_line & ~bad[line_doc])
    t_group = governing[t_at]
    new_group = np.ones(len(t_at), bool)
    new_group[1:] = t_group[1:] != t_group[:-1]
    group_first = np.flatnonzero(new_group)  # per table: its header's position in t_at
    tables_count = len(group_first)
    group_of = np.cumsum(new_group) - 1
    group_size = np.diff(np.append(group_first, len(t_at)))
    group_line = t_at[group_first]  # per table: its header's line
    broken = (t_at[group_first + group_size - 1] - group_line + 1 != group_size) | (group_size < 2)
    bad[line_doc[group_line[broken]]] = True
    position = t_at - group_line[group_of]  # 0 header, 1 delimiter, 2... body rows
    table_lines = _take(lines, t_at)
    # `\|` is an escaped pipe: it does not cut the line, and reads as `|`. Held as _ESCAPED_PIPE
    # while cutting, in the few lines that have one.
    escaped_line = np.zeros(len(t_at), bool)
    backslash_line = np.flatnonzero(backslash_doc[line_doc[t_at]])
    if len(backslash_line):
        escaped_line[backslash_line[_bool(pc.match_substring(_take(table_lines, backslash_line), "\\|"))]] = True
    if escaped_line.any():
        mask = pa.array(escaped_line)
        table_lines = pc.replace_with_mask(table_lines, mask, pc.replace_substring(
            table_lines.filter(mask), "\\|", _ESCAPED_PIPE))
    cells, cell_offsets = _values(pc.split_pattern(table_lines, "|"))
    cell_count = np.diff(cell_offsets)
    # Outer pipes: a line has both (its first and last cells empty) or neither, as its header has.
    c_offsets = _offsets(cells)
    c_len = np.diff(c_offsets)
    lead = c_len[cell_offsets[:-1]] == 0
    bad[line_doc[t_at[lead != (c_len[cell_offsets[1:] - 1] == 0)]]] = True
    ragged = (cell_count != cell_count[group_first][group_of]) | (lead != lead[group_first][group_of])
    bad[line_doc[t_at[ragged]]] = True
    inner_count = cell_count - 2 * lead
    bad[line_doc[group_line[(inner_count[group_first] < 1) | (cell_count[group_first] < 2)]]] = True
    # Without outer pipes, a line starting with `-`, `*`, `+`, `>`, a digit ... might open a list,
    # a quote or a fence that ends the table: only rows that start with a letter are regular.
    letter = ((first | 0x20) >= ord("a")) & ((first | 0x20) <= ord("z"))
    bad[line_doc[t_at[~lead & (position != 1) & ~letter[t_at]]]] = True
    delimiter_rows = group_first[group_size >= 2] + 1
    valid = _bool(pc.match_substring_regex(_take(table_lines, delimiter_rows), _DELIMITER))
    bad[line_doc[t_at[delimiter_rows[~valid]]]] = True
    list_item = (first == ord("-")) & (second == ord(" "))
    bad[line_doc[t_at[delimiter_rows[list_item[t_at[delimiter_rows]]]]]] = True
    cell_line = np.repeat(np.arange(len(t_at)), cell_count)
    cell_position = np.arange(len(cells)) - cell_offsets[cell_line]
    inner_column = cell_position - lead[cell_line]
    inner = (inner_column >= 0) & (inner_column < inner_count[cell_line]) & (position[cell_line] != 1)
    inner_at = np.flatnonzero(inner)
    trimmed = pc.ascii_trim(cells.filter(pa.array(inner)), " ")
    inner_line = cell_line[inner_at]
    inner_column = inner_column[inner_at]
    if escaped_line.any():
        mask = pa.array(escaped_line[inner_line])
        trimmed = pc.replace_with_mask(trimmed, mask, pc.replace_substring(
            trimmed.filter(mask), _ESCAPED_PIPE, "|"))
    is_header_cell = position[inner_line] == 0
    # Column layouts: per distinct header, canonical names (parse._unique_columns), relevancy's place.
    header_at = np.flatnonzero(is_header_cell)
    table_layout = np.zeros(tables_count, np.int64)
    layouts: list[tuple[str, ...]] = []
    relevancy_column: list[int] = []
    if tables_count:
        headers = pc.binary_join(pa.ListArray.from_arrays(
            _list_offsets(group_of[inner_line[header_at]], tables_count), _take(trimmed, header_at)), _ESCAPED_PIPE)
        encoded = headers.dictionary_encode()
        table_layout = _bool(encoded.indices).astype(np.int64)
        layout_ok = []
        for joined in encoded.dictionary.to_pylist():
            columns = parse._unique_columns_cached(tuple(joined.split(_ESCAPED_PIPE)))
            at = columns.index(schema.RELEVANCY) if schema.RELEVANCY in columns else -1
            kept = tuple(c for c in columns if c != schema.RELEVANCY) if at >= 0 else columns
            layouts.append(kept)
            relevancy_column.append(at)
            layout_ok.append(0 < len(kept) <= parse.MAX_COLUMNS and not _RESERVED_COLUMNS.intersection(kept))
        bad[line_doc[group_line[~np.asarray(layout_ok, bool)[table_layout]]]] = True
    # Body cells: relevancy (1-5 exactly, else irregular) apart from the others.
    body_at = np.flatnonzero(~is_header_cell)
    body_table = group_of[inner_line[body_at]]
    body_layout = table_layout[body_table]
    is_relevancy = inner_column[body_at] == np.asarray([*relevancy_column, -1], np.int64)[body_layout]
    relevancy_at = body_at[is_relevancy]
    t_offsets = _offsets(trimmed)
    rel_len = t_offsets[relevancy_at + 1] - t_offsets[relevancy_at]
    rel_byte = _byte_at(_data(trimmed), t_offsets[relevancy_at], rel_len > 0)
    t_data = _data(trimmed)
    rel_dot = _byte_at(t_data, t_offsets[relevancy_at] + 1, rel_len == 3) == ord(".")
    rel_zero = _byte_at(t_data, t_offsets[relevancy_at] + 2, rel_len == 3) == ord("0")
    # `4` or `4.0` (parse_relevancy reads the latter as 4 without a problem).
    rel_ok = ((rel_len == 1) | (rel_dot & rel_zero)) & (
        rel_byte >= ord("1")) & (rel_byte <= ord("5"))
    bad[line_doc[t_at[inner_line[relevancy_at[~rel_ok]]]]] = True

    # --- Bullet lists ---------------------------------------------------------------------------
    listed = body & ~blank & np.isin(line_kind, (_KEYWORDS, _THEMES, _OTHER, _CLOSEST)) & ~bad[line_doc]
    not_bullet = listed & ~(np.isin(first, (ord("*"), ord("-"), ord("+"))) & (second == ord(" ")))
    bad[line_doc[not_bullet]] = True
    bullet_at = np.flatnonzero(listed & ~not_bullet)
    bullet_lines = _take(lines, bullet_at)
    bad[line_doc[bullet_at[_bool(pc.match_substring_regex(bullet_lines, _THEMATIC_BREAK))]]] = True
    bullet_texts = pc.ascii_trim(pc.utf8_slice_codeunits(bullet_lines, 2), " ")
    bullet_values = _strip_emphasis_where_needed(bullet_texts)
    bullet_kind = line_kind[bullet_at]
    # Other: `Key: value` per distinct line; a line that is not one is a problem: irregular.
    other_at = np.flatnonzero(bullet_kind == _OTHER)
    other_doc = line_doc[bullet_at[other_at]]
    attr_names: list[str] = []
    attr_key = np.zeros(0, np.int64)
    attr_values = pa.array([], _STRING)
    if len(other_at):
        encoded = _take(bullet_values, other_at).dictionary_encode()
        key_index: dict[str, int] = {}
        keys, texts_of = [], []
        for value in encoded.dictionary.to_pylist():
            key, text = _attribute(value)
            keys.append(-1 if key is None else key_index.setdefault(key, len(key_index)))
            texts_of.append(text)
        attr_names = list(key_index)
        attr_key = np.asarray(keys, np.int64)[_bool(encoded.indices)]
        attr_values = pa.array(texts_of, _STRING).take(encoded.indices)
        bad[other_doc[attr_key < 0]] = True
        width = max(len(attr_names), 1)
        pair = np.sort(other_doc * width + np.maximum(attr_key, 0))
        bad[pair[1:][pair[1:] == pair[:-1]] // width] = True

    # --- Titles -------------------------------------------------------------------------------
    good_title_at = title_at[~bad]
    title_lines = _take(lines, good_title_at)
    usual = _bool(pc.match_substring_regex(title_lines, _TITLE))
    titles, page_ids, page_urls = _title_parts(title_lines, usual)
    titles, plain = _strip_one_emphasis(pc.ascii_rtrim(titles, " ,"))
    unusual = ~usual | ~plain
    titles = pc.if_else(pc.equal(titles, ""), pa.scalar(None, _STRING), titles)
    page_urls = pc.if_else(pc.equal(page_urls, ""), pa.scalar(None, _STRING), page_urls)
    if unusual.any():
        at = np.flatnonzero(unusual)
        replaced: dict[str, list] = {"title": [], "page_id": [], "page_url": []}
        for k, raw in zip(at.tolist(), _take(title_lines, at).to_pylist()):
            heading = parse._HEADING.match(raw)
            if heading is None or len(heading.group(1)) != 1:
                bad[line_doc[good_title_at[k]]] = True
            record = {"page_id": None, "page_url": None}
            parse._parse_title(raw, record)
            for name, values in replaced.items():
                values.append(record[name])
        mask = pa.array(unusual)
        titles = pc.replace_with_mask(titles, mask, pa.array(replaced["title"], _STRING))
        page_ids = pc.replace_with_mask(page_ids, mask, pa.array(replaced["page_id"], _STRING))
        page_urls = pc.replace_with_mask(page_urls, mask, pa.array(replaced["page_url"], _STRING))
    good = ~bad
    kept_titles = good[line_doc[good_title_at]]
    if not kept_titles.all():  # a few title lines turned out not to be level-1 headings
        keep = pa.array(kept_titles)
        titles, page_ids, page_urls = titles.filter(keep), page_ids.filter(keep), page_urls.filter(keep)
    good_index = np.flatnonzero(good)
    good_count = len(good_index)
    position_of_doc = np.full(n, -1, np.int64)
    position_of_doc[good_index] = np.arange(good_count)

    # --- The preamble's external link: the first line where parse._EXTERNAL finds one ----------
    article_urls = pa.nulls(good_count, _STRING)
    preamble_at = np.flatnonzero(body & (line_kind == _PREAMBLE) & ~blank & good[line_doc])
    if len(preamble_at):
        preamble_lines = _take(lines, preamble_at)
        with_link = _bool(pc.match_substring(preamble_lines, "["))
        link_at = preamble_at[with_link]
        candidates = pc.ascii_rtrim(preamble_lines.filter(pa.array(with_link)), " ")
        ascii_line = _bool(pc.string_is_ascii(candidates))
        # The pipeline's own line, `__[External link](URL)__`: its URL by slicing. Matching it
        # (RE2, no groups) and slicing took 0.6 ms of a 626-document chunk, extract_regex 3.1 ms.
        usual = _bool(pc.match_substring_regex(candidates, _USUAL_EXTERNAL)) & ascii_line
        urls = pc.utf8_slice_codeunits(candidates, len("__[External link]("), -len(")__"))
        if not usual.all():
            others = pa.array(~usual)
            found = pc.extract_regex(candidates.filter(others), _EXTERNAL)
            urls = pc.replace_with_mask(urls, others, pc.if_else(
                found.is_valid(), found.field("url"), pa.scalar(None, _STRING)))
        if not ascii_line.all():
            at = np.flatnonzero(~ascii_line)
            exact = []
            for raw in _take(candidates, at).to_pylist():
                external = parse._EXTERNAL.search(raw.strip(parse._MD_TRIM))
                exact.append(external.group(1) if external else None)
            urls = pc.replace_with_mask(urls, pa.array(~ascii_line), pa.array(exact, _STRING))
        hit = np.flatnonzero(_bool(pc.fill_null(pc.not_equal(urls, ""), False)))
        if len(hit):
            docs, first_hit = np.unique(line_doc[link_at[hit]], return_index=True)
            choice = np.full(good_count, -1, np.int64)
            choice[position_of_doc[docs]] = hit[first_hit]
            article_urls = _nullable_take(urls, choice)

    # --- Summary: its lines from the first to the last non-blank one, joined ---------------------
    summaries = pa.nulls(good_count, _STRING)
    summary_at = np.flatnonzero(body & (line_kind == _SUMMARY) & good[line_doc])
    if len(summary_at):
        summary_lines = pc.ascii_trim(_take(lines, summary_at), " ")
        s_doc = line_doc[summary_at]
        nonblank = np.flatnonzero(np.diff(_offsets(summary_lines)) > 0)
        if len(nonblank):
            first_nb = np.full(n, len(summary_at), np.int64)
            last_nb = np.full(n, -1, np.int64)
            docs, at = np.unique(s_doc[nonblank], return_index=True)
            first_nb[docs] = nonblank[at]
            docs, at = np.unique(s_doc[nonblank][::-1], return_index=True)
            last_nb[docs] = nonblank[::-1][at]
            local = np.arange(len(summary_at))
            kept_at = np.flatnonzero((local >= first_nb[s_doc]) & (local <= last_nb[s_doc]))
            kept_doc = position_of_doc[s_doc[kept_at]]
            joined = pc.binary_join(pa.ListArray.from_arrays(
                _list_offsets(kept_doc, good_count), _take(summary_lines, kept_at)), "\n")
            has = np.zeros(good_count, bool)
            has[kept_doc] = True
            summaries = pc.if_else(pa.array(has), joined, pa.scalar(None, _STRING))

    # --- Keywords, themes, attributes -----------------------------------------------------------
    bullet_good = good[line_doc[bullet_at]]
    lists = {}
    for name, kind in (("keywords", _KEYWORDS), ("themes", _THEMES)):
        chosen = np.flatnonzero((bullet_kind == kind) & bullet_good)
        lists[name] = pa.table({
            "doc_index": pa.array(line_doc[bullet_at[chosen]].astype(np.int32)),
            name[:-1]: _take(bullet_values, chosen),
        })
    # Closest: each bullet a link to another document, read as parse._text_line reads it (in
    # Python: a few lines per document that has the list, and few have it).
    chosen = np.flatnonzero((bullet_kind == _CLOSEST) & bullet_good)
    targets, link_titles = [], []
    for value in _take(bullet_texts, chosen).to_pylist():
        link = parse._LINK.search(value)
        targets.append(parse._target_id(link.group(2).strip() if link else value))
        link_titles.append((link.group(1).strip() or None) if link else None)
    lists["links"] = pa.table({
        "doc_index": pa.array(line_doc[bullet_at[chosen]].astype(np.int32)),
        "target_id": pa.array(targets, _STRING),
        "title": pa.array(link_titles, _STRING),
    })
    attr_columns: dict[str, pa.Array] = {}
    chosen = np.flatnonzero(good[other_doc]) if len(other_at) else np.zeros(0, np.int64)
    for key_id, key in enumerate(attr_names):
        picks = chosen[attr_key[chosen] == key_id]
        if len(picks):
            take = np.full(good_count, -1, np.int64)
            take[position_of_doc[other_doc[picks]]] = picks
            attr_columns[key] = _nullable_take(attr_values, take)
    keys_of_doc, key_sequences = _sequences(
        position_of_doc[other_doc[chosen]], attr_key[chosen] if len(chosen) else chosen, good_count)
    key_lists = [tuple(attr_names[k] for k in sequence) for sequence in key_sequences]

    # --- Items ----------------------------------------------------------------------------------
    row_lines = np.flatnonzero((position >= 2) & good[line_doc[t_at]])
    row_of_line = np.full(len(t_at), -1, np.int64)
    row_of_line[row_lines] = np.arange(len(row_lines))
    item_columns: dict[str, pa.Array] = {
        "doc_index": pa.array(line_doc[t_at[row_lines]].astype(np.int32)),
        "section": _take(pa.array(section_names, _STRING), line_code[t_at[row_lines]]),
        "row": pa.array((position[row_lines] - 2).astype(np.int32)),
        "line": pa.array((line_in_doc[t_at[row_lines]] + 1).astype(np.int32)),
    }
    relevancy = np.full(len(row_lines), -1, np.int8)
    rel_rows = row_of_line[inner_line[relevancy_at]]
    rel_keep = rel_rows >= 0
    relevancy[rel_rows[rel_keep]] = (rel_byte[rel_keep].astype(np.int16) - ord("0")).astype(np.int8)
    item_columns[schema.RELEVANCY] = pa.array(relevancy, mask=relevancy < 0, type=pa.int8())
    value_at = body_at[~is_relevancy]
    value_rows = row_of_line[inner_line[value_at]]
    value_at, value_rows = value_at[value_rows >= 0], value_rows[value_rows >= 0]
    # A global column number per (layout, place in its header).
    column_ids: dict[str, int] = {}
    column_of = np.full((max(len(layouts), 1), max((len(k) + 1 for k in layouts), default=1)), -1, np.int64)
    for k, kept in enumerate(layouts):
        names = list(kept)
        if relevancy_column[k] >= 0:
            names.insert(relevancy_column[k], schema.RELEVANCY)
        for j, name in enumerate(names):
            if name != schema.RELEVANCY:
                column_of[k, j] = column_ids.setdefault(name, len(column_ids))
    value_column = column_of[table_layout[group_of[inner_line[value_at]]], inner_column[value_at]]
    for column_id, name in enumerate(column_ids):
        picks = value_column == column_id
        if picks.any():
            take = np.full(len(row_lines), -1, np.int64)
            take[value_rows[picks]] = value_at[picks]
            item_columns[name] = _nullable_take(trimmed, take)

    # Each regular document's tables, as (section, columns, has rows) in order.
    good_tables = np.flatnonzero(good[line_doc[group_line]])
    tokens = (line_code[group_line[good_tables]] * max(len(layouts), 1) + table_layout[good_tables]) * 2 + (
        group_size[good_tables] > 2)
    shape_of_doc, token_sequences = _sequences(position_of_doc[line_doc[group_line[good_tables]]], tokens, good_count)
    shapes = [
        tuple((section_names[t // 2 // max(len(layouts), 1)], layouts[t // 2 % max(len(layouts), 1)], bool(t % 2))
              for t in sequence)
        for sequence in token_sequences
    ]
    own_columns = pa.array([json.dumps({s: list(c) for s, c, _ in shape}) for shape in shapes], _STRING)

    documents = {
        "doc_index": pa.array(good_index.astype(np.int32)),
        "title": titles,
        "page_id": page_ids,
        "page_url": page_urls,
        "article_url": article_urls,
        "summary": summaries,
        SECTION_COLUMNS: _take(own_columns, shape_of_doc),
        **attr_columns,
    }
    tables = {
        "documents": pa.table(documents),
        "keywords": lists["keywords"],
        "themes": lists["themes"],
        "links": lists["links"],
        "items": pa.table(item_columns),
    }
    return FastBatch(tables, np.flatnonzero(bad).tolist(), shapes, shape_of_doc, key_lists, keys_of_doc)


def _title_parts(title_lines: pa.Array, usual: np.ndarray) -> tuple[pa.Array, pa.Array, pa.Array]:
    """The title, page id and page URL of each title line that _TITLE matches ("" for the others).

    In such a line the title ends at the *last* `, (from page [` (what follows it may hold no
    other), the id at the `](` after it, the URL before the closing `).)`: str.rpartition and
    partition per line, which took 0.5 ms for a 626-document chunk where RE2's extract_regex
    with its three groups took 2.8 ms (matching alone, 0.4 ms).
    """
    titles, ids, urls = [], [], []
    for line, matched in zip(title_lines.to_pylist(), usual.tolist()):
        if matched:
            head, _, tail = line.rpartition(", (from page [")
            page_id, _, rest = tail.partition("](")
            titles.append(head[2:])
            ids.append(page_id)
            urls.append(rest[:-3])
        else:
            titles.append("")
            ids.append("")
            urls.append("")
    return pa.array(titles, _STRING), pa.array(ids, _STRING), pa.array(urls, _STRING)


def _strip_emphasis_where_needed(values: pa.Array) -> pa.Array:
    """parse._strip_emphasis on the values that start with `*` or `_` (the others are unchanged)."""
    heads = _first_bytes(values)
    needed = (heads == ord("*")) | (heads == ord("_"))
    if not needed.any():
        return values
    replaced = [parse._strip_emphasis(v) for v in _take(values, np.flatnonzero(needed)).to_pylist()]
    return pc.replace_with_mask(values, pa.array(needed), pa.array(replaced, _STRING))


def _strip_one_emphasis(values: pa.Array) -> tuple[pa.Array, np.ndarray]:
    """parse._strip_emphasis where it is simple: `__text__` or `**text**` (no marker inside) whose
    text does not start with `*` or `_` -> the text stripped; values not starting with either marker
    unchanged. Also a mask of where that holds (elsewhere, call parse._strip_emphasis)."""
    heads = _first_bytes(values)
    plain = (heads != ord("*")) & (heads != ord("_"))
    if plain.all():
        return values, plain
    lengths = _bool(pc.binary_length(values)).astype(np.int64)
    inner = pc.utf8_slice_codeunits(values, 2, -2)
    stripped = pc.ascii_trim(inner, " ")
    inner_heads = _first_bytes(stripped)
    wrapped = np.zeros(len(values), bool)
    for marker in ("__", "**"):
        wrapped |= (_bool(pc.fill_null(pc.starts_with(values, marker), False))
                    & _bool(pc.fill_null(pc.ends_with(values, marker), False))
                    & ~_bool(pc.fill_null(pc.match_substring(inner, marker), True)))
    # utf8_slice_codeunits counts characters, `lengths` bytes: the markers are ASCII, so
    # `len >= 5` in characters is `len >= 5` in bytes once the value starts and ends with them.
    wrapped &= (lengths >= 5) & (inner_heads != ord("*")) & (inner_heads != ord("_"))
    return pc.if_else(pa.array(wrapped), stripped, values), plain | wrapped


def _attribute(value: str) -> tuple[str | None, str | None]:
    """An Other bullet's value (emphasis already stripped) -> (key, value) as `_text_line` reads it;
    (None, None) when the line is not `Key: value` or its key is one a regular document may not use."""
    key, value_text = parse.attribute(value)
    if key is None or key in _RESERVED_ATTRS or key.startswith("other_"):
        return None, None
    return key, value_text




# ---------------------------------------------------------------------------------------------
# Files -> raw tables: the regular documents through parse_batch, the others as before
# ---------------------------------------------------------------------------------------------
_UTF8_BOM = b"\xef\xbb\xbf"


def _read(location: str) -> tuple[bytes, tuple[int, int]]:
    """A file's bytes (os-level calls: a third cheaper than open().read() on small files), and its
    (size, changed_ns) as it was opened: the cache's key for what was read."""
    handle = os.open(location, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    try:
        status = os.fstat(handle)
        size = status.st_size
        data = os.read(handle, size + 1)
        if len(data) != size:  # short read, or the file changed size: read to the end
            chunks = [data]
            while chunk := os.read(handle, 1 << 20):
                chunks.append(chunk)
            data = b"".join(chunks)
        return data, (size, changed_ns(status))
    finally:
        os.close(handle)


def _stamp(location: str) -> tuple[int, int]:
    """A file's (size, changed_ns), or (-1, -1) when it cannot be stat'ed."""
    try:
        status = os.stat(location)
    except OSError:
        return -1, -1
    return status.st_size, changed_ns(status)


def _fast_text(data: bytes) -> bytes | None:
    """A file's bytes -> the UTF-8 text parse_document would read (BOM dropped, line breaks as LF),
    when it may be a regular document (it starts with its title line); else None."""
    if data[:3] == _UTF8_BOM:
        data = data[3:]  # reader.decode drops it
    if b"\r" in data:
        data = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")  # parse.normalize_newlines
    return data if data[:1] == b"#" else None


def read_to_raw(files: list[tuple[str, str, str]], batch_to_raw: Callable[[Batch], dict[str, pa.Table]],
                stamps: list[tuple[int, int]] | None = None) -> dict[str, pa.Table]:
    """[(absolute path, doc_id, display path)] -> the raw tables `batch_to_raw(read_files(files))`
    gives -- the same rows in the same order, the same columns in the same order -- with the
    regular documents parsed by `parse_batch` and only the others by `read_files` (which reads
    them again: they are few). `stamps`, when given, gets each file's (size, changed_ns) as it was
    read, (-1, -1) for one that could not be.
    """
    doc_ids = [doc_id for _, doc_id, _ in files]
    if len(set(doc_ids)) != len(doc_ids):  # rows could not be put back in file order by doc_id
        if stamps is not None:
            stamps.extend(_stamp(location) for location, _, _ in files)
        return batch_to_raw(read_files(files))
    datas: list[bytes] = []
    texts: list[bytes] = []
    where: list[int] = []
    for k, (location, _, _) in enumerate(files):
        try:
            data, stamp = _read(location)
        except OSError:
            if stamps is not None:
                stamps.append((-1, -1))
            continue  # read_files reports it
        if stamps is not None:
            stamps.append(stamp)
        text = _fast_text(data)
        if text is not None:
            datas.append(data)
            texts.append(text)
            where.append(k)
    try:
        fast = parse_batch(texts) if texts else FastBatch({}, [])
    except Exception:  # noqa: BLE001 - a bug here must cost speed, never documents
        fast = FastBatch({}, list(range(len(texts))))
    regular = np.ones(len(texts), bool)
    regular[fast.fallback] = False
    regular_at = np.flatnonzero(regular)
    fast_files = np.asarray(where, np.int64)[regular_at] if len(regular_at) else np.zeros(0, np.int64)
    slow = np.ones(len(files), bool)
    slow[fast_files] = False
    slow_files = [files[k] for k in np.flatnonzero(slow).tolist()]

    records: list[dict] = []

    def parse_and_keep(text: str) -> dict:
        record = parse.parse_document(text)
        records.append(record)
        return record

    batch = read_files(slow_files, parse=parse_and_keep)
    slow_raw = batch_to_raw(batch)
    if not len(fast_files):
        return slow_raw
    return _merge(files, doc_ids, fast, fast_files, [datas[k] for k in regular_at.tolist()], batch,
                  [r for r in records if r["is_document"]], slow_raw)


def _merge(files: list[tuple[str, str, str]], doc_ids: list[str], fast: FastBatch, fast_files: np.ndarray,
           fast_datas: list[bytes], batch: Batch, slow_records: list[dict], slow_raw: dict[str, pa.Table],
           ) -> dict[str, pa.Table]:
    """The regular documents' tables and the others' as one set of raw tables, in file order, with
    columns in the order Batch would have met them."""
    file_of_doc = {doc_id: k for k, doc_id in enumerate(doc_ids)}
    # (file, what it brings) in file order: each distinct layout of the regular documents once, at
    # its first document; every other document.
    key_events: list[tuple[int, tuple[str, ...]]] = []
    shape_events: list[tuple[int, Shape]] = []
    for ids, lists, events in ((fast.keys_of_doc, fast.key_lists, key_events),
                               (fast.shape_of_doc, fast.shapes, shape_events)):
        distinct, first = np.unique(ids, return_index=True)
        events.extend((int(fast_files[f]), lists[i]) for i, f in zip(distinct.tolist(), first.tolist()))
    for doc_id, attrs, record in zip(batch.documents["doc_id"], batch.attrs, slow_records):
        k = file_of_doc[doc_id]
        key_events.append((k, tuple(attrs)))
        shape_events.append((k, tuple((s, tuple(c), bool(rows)) for s, c, _, rows, _ in record["tables"])))
    attr_columns: dict[str, None] = {}
    for _, keys in sorted(key_events, key=lambda e: e[0]):
        for key in keys:
            attr_columns.setdefault(key if key not in _RESERVED_ATTRS else f"other_{key}")
    item_columns: dict[str, None] = dict.fromkeys(_ITEM_COLUMNS)
    meta: dict[str, list[str]] = {}
    for _, shape in sorted(shape_events, key=lambda e: e[0]):
        for section, columns, has_rows in shape:
            known = meta.setdefault(section, [])
            known.extend(c for c in columns if c not in known)
            if has_rows:
                for column in columns:
                    item_columns.setdefault(column)

    fast_doc_ids = pa.array([doc_ids[k] for k in fast_files.tolist()], _STRING)
    row_of_doc = np.full(int(fast.tables["documents"]["doc_index"].to_numpy().max()) + 1, -1, np.int64)
    row_of_doc[fast.tables["documents"]["doc_index"].to_numpy()] = np.arange(len(fast_files))
    value_set = pa.array(doc_ids, _STRING)
    merged = {}
    for name, slow_table in slow_raw.items():
        fast_table = fast.tables.get(name)
        if fast_table is None:
            merged[name] = slow_table
            continue
        fast_table = fast_table.set_column(0, "doc_id", _take(fast_doc_ids, row_of_doc[fast_table["doc_index"].to_numpy()]))
        if name == "documents":
            fast_table = fast_table.add_column(1, "path", pa.array([files[k][2] for k in fast_files.tolist()], _STRING))
            digests = [content_digest(data) for data in fast_datas]
            fast_table = fast_table.append_column("digest", pa.array(digests, _STRING))
        slow_table = slow_table.replace_schema_metadata(None)
        table = pa.concat_tables([fast_table, slow_table], promote_options="default")
        if slow_table.num_rows:
            order = pc.index_in(table["doc_id"], value_set=value_set).to_numpy()
            table = table.take(pa.array(np.argsort(order, kind="stable")))
        if name == "documents":
            columns = [*_DOCUMENT_COLUMNS, *attr_columns]
        elif name == "items":
            columns = list(item_columns)
        else:
            columns = slow_table.column_names
        merged[name] = table.select(columns)
    merged["items"] = merged["items"].replace_schema_metadata({"section_columns": json.dumps(meta, sort_keys=True)})
    return merged
