"""Many documents' texts -> raw Arrow tables at once, and the documents it declines. Pure: no I/O.

`lineparse.parse_document` + `raw.Batch.add` cost a few hundred microseconds per document, nearly
all of it in creating Python objects per line and per cell. Here a whole batch is cut into lines
and cells by pyarrow kernels and indexed with numpy, so a document costs a few Python operations,
not hundreds.

Only *regular* documents are read here: the shape the pipeline writes, where every rule of the
line parser reduces to a simple one. A title line (`# ...`, line 1), then headings each after a
blank line, naming known sections (at most once each); bullet lists in Keywords, Themes, Other
(`Key: value`, distinct keys) and Closest; a Summary of text lines; and each table section exactly
one GFM table -- with outer pipes on every line, or on none (then rows start with a letter) --
with a valid delimiter row, equal cell counts and relevancy cells 1-5; `\\|` in its cells is an
escaped pipe. Any doubt -- control characters (tab, CR, NUL ...), a BOM inside the text,
whitespace other than space and newline (see lineparse.MD_TRIM), an indented line, a pipe outside
a table, a ragged row, an unknown or repeated section, a column named like a key column -- and the
document is *declined*: handed back, for the line parser. Regular documents get exactly the values
the line parser and `raw.Batch` would give them (tests/ingest/test_batchparse.py: every real
document, synthetic corpora, generated near-regular ones). Where a rule cannot be reduced to
kernels, the line parser's own public rule is applied to the few values concerned.

The work is a sequence of named stages over one *round* of texts (at most 256 MB of them):

    _cut_lines   texts -> lines, each with its document and first bytes; declines control bytes,
                 exotic whitespace, indented lines, headings without a blank line before them
    _sections    the section each line is in; declines unknown and repeated sections, documents
                 without one, pipes outside tables
    _tables      one table per table section: cells, column layouts, relevancy; declines broken,
                 ragged, indented or oddly delimited tables and relevancy other than 1-5
    _bullets     Keywords, Themes, Other and Closest bullets; declines other lines there, thematic
                 breaks, Other lines that are not `Key: value` or repeat a key
    _titles      title, page id and page URL; declines title lines that are not level-1 headings
    then, over the documents kept: _article_urls, _summaries, _lists, _attributes, _items, _shapes.

Each stage marks the documents it declines in one boolean array; later stages skip the documents
already declined. Imports pyarrow and numpy, not pandas: it runs in the parser worker processes.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from signals import schema
from signals.ingest import lineparse, raw
from signals.ingest.raw import Shape

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
#: Table columns raw.Batch would write into its own key columns: not in a regular document.
_RESERVED_COLUMNS = frozenset((*schema.ITEM_KEY_COLUMNS, raw.SECTION_COLUMNS))
#: A bullet line that is a thematic break to the parser (`* * *`, `- - -`), not a bullet.
_THEMATIC_BREAK = r"^(?:(?:-[ \t]*){3,}|(?:\*[ \t]*){3,})$"
#: A delimiter row with both outer pipes or neither (no tab reaches here). Without outer pipes it
#: needs two columns (one is a thematic break) and may not start `- ` (a list item): both checked
#: apart, as is the match of its form with its table's header.
_DELIMITER = r"^(?:\|(?: *:?-+:? *\|)+|:?-+:? *(?:\| *:?-+:? *)+)$"
#: Stands in for an escaped pipe (`\\|`) while table lines are cut at pipes: a control character,
#: which no regular document holds (every C0 control makes a document irregular).
_ESCAPED_PIPE = "\x01"
#: lineparse's external-link rule in RE2, used on ASCII lines only (where IGNORECASE and \s mean
#: the same as in Python's re).
_EXTERNAL = r"(?i)\[\s*external link\s*\]\(\s*<?(?P<url>(?:[^()\s>]|\([^()\s>]*\))*)"
#: The external link line the pipeline writes, whose URL _EXTERNAL reads as the text between
#: `(` and `)__` (no parenthesis, blank or `<>` in it).
_USUAL_EXTERNAL = r"^__\[External link\]\([^()\s<>]*\)__$"
#: The title line the pipeline writes. For it, lineparse.title_parts's search for the last `from`
#: followed by a link ends at `(from page [id](url).)`: the title is what precedes it, without
#: trailing blanks and commas. Other title lines go through lineparse.title_parts.
_TITLE = (r"^# (?P<title>[^ ].*?), \(from page \[(?P<id>[0-9A-Za-z_.\-]*)\]"
          r"\((?P<url>[^()\s<>\"\[\]]*)\)\.\)$")
#: UTF-8 of the non-ASCII characters Python or CommonMark count as whitespace, and of the BOM.
_EXOTIC_SEQUENCES = (
    b"\xc2\x85", b"\xc2\xa0", b"\xe1\x9a\x80", *(b"\xe2\x80" + bytes([c]) for c in range(0x80, 0x8b)),
    b"\xe2\x80\xa8", b"\xe2\x80\xa9", b"\xe2\x80\xaf", b"\xe2\x81\x9f", b"\xe3\x80\x80", b"\xef\xbb\xbf",
)
#: Most bytes of text given to one round of kernels (Arrow string offsets are 32-bit).
_MAX_ROUND_BYTES = 1 << 28


@dataclass
class Parsed:
    """What `parse_batch` gives. Unpacks as `tables, declined = parse_batch(texts)`.

    tables      raw tables of the regular documents (documents, keywords, themes, links, items)
                with a `doc_index` column (position in the texts given) in place of doc_id, path,
                digest; no problems (a regular document has none)
    declined    positions of the other documents, for the line parser
    shapes, shape_of_doc    the distinct table layouts (raw.Shape) and each regular document's
                (one per row of tables["documents"])
    key_lists, keys_of_doc  the same for the documents' Other keys, in order
    """

    tables: dict[str, pa.Table]
    declined: list[int]
    shapes: list[Shape] = field(default_factory=list)
    shape_of_doc: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    key_lists: list[tuple[str, ...]] = field(default_factory=list)
    keys_of_doc: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))

    def __iter__(self):
        return iter((self.tables, self.declined))


def parse_batch(texts: Sequence[str | bytes]) -> Parsed:
    """Documents' texts (str, or UTF-8 bytes as files.batch_text gives them) -> Parsed: raw
    tables of the regular ones, the positions of the others. See the module docstring."""
    sizes = [len(t) for t in texts]
    if sum(sizes) <= _MAX_ROUND_BYTES // 4:  # characters: at most 4 bytes each
        return _parse_round(texts)
    rounds: list[tuple[int, Parsed]] = []
    start = 0
    while start < len(texts):
        end, total = start + 1, sizes[start]
        while end < len(texts) and total + sizes[end] <= _MAX_ROUND_BYTES // 4:
            total += sizes[end]
            end += 1
        rounds.append((start, _parse_round(texts[start:end])))
        start = end
    return _concat_rounds(rounds)


def _concat_rounds(rounds: list[tuple[int, Parsed]]) -> Parsed:
    tables: dict[str, list[pa.Table]] = {}
    result = Parsed({}, [])
    shape_ids, key_ids = [], []
    for start, part in rounds:
        for name, table in part.tables.items():
            shifted = pc.add(table["doc_index"], pa.scalar(start, pa.int32()))
            tables.setdefault(name, []).append(table.set_column(0, "doc_index", shifted))
        result.declined.extend(start + k for k in part.declined)
        shape_ids.append(part.shape_of_doc + len(result.shapes))
        key_ids.append(part.keys_of_doc + len(result.key_lists))
        result.shapes.extend(part.shapes)
        result.key_lists.extend(part.key_lists)
    result.tables = {name: pa.concat_tables(parts, promote_options="default") for name, parts in tables.items()}
    result.shape_of_doc = np.concatenate(shape_ids)
    result.keys_of_doc = np.concatenate(key_ids)
    return result


def _parse_round(texts: Sequence[str | bytes]) -> Parsed:
    """parse_batch on texts small enough for 32-bit offsets: the stages, in order."""
    lines = _cut_lines(texts)
    if lines is None:
        return Parsed({}, [])
    sections = _sections(lines)
    tables = _tables(lines, sections)
    bullets = _bullets(lines, sections)
    titles, page_ids, page_urls = _titles(lines)
    kept = _Kept.of(lines.declined)
    lists = _lists(lines, bullets, kept)
    attr_columns, keys_of_doc, key_lists = _attributes(bullets, kept)
    shapes, shape_of_doc = _shapes(lines, sections, tables, kept)
    documents = {
        "doc_index": pa.array(kept.index.astype(np.int32)),
        "title": titles,
        "page_id": page_ids,
        "page_url": page_urls,
        "article_url": _article_urls(lines, sections, kept),
        "summary": _summaries(lines, sections, kept),
        raw.SECTION_COLUMNS: _take(pa.array([json.dumps({s: list(c) for s, c, _ in shape}) for shape in shapes],
                                            _STRING), shape_of_doc),
        **attr_columns,
    }
    result = {
        "documents": pa.table(documents),
        **lists,
        "items": _items(lines, sections, tables, kept),
    }
    return Parsed(result, np.flatnonzero(lines.declined).tolist(), shapes, shape_of_doc, key_lists, keys_of_doc)


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


# ---------------------------------------------------------------------------------------------
# Stage 1: lines
# ---------------------------------------------------------------------------------------------
@dataclass
class _Lines:
    """A round's texts cut into lines: per line its document, its place in it and its first
    bytes; and `declined`, the documents declined so far (every stage adds to it)."""

    n: int  # documents
    declined: np.ndarray  # bool per document
    backslash_doc: np.ndarray  # bool per document: has a backslash (may escape a pipe)
    lines: pa.Array
    line_doc: np.ndarray
    line_in_doc: np.ndarray
    line_index: np.ndarray
    title_at: np.ndarray  # each document's first line
    first: np.ndarray  # first, second and last byte of each line (0 where none)
    second: np.ndarray
    last: np.ndarray
    blank: np.ndarray
    is_heading: np.ndarray

    def decline_lines(self, mask_or_positions: np.ndarray) -> None:
        """Decline the documents of these lines (a mask over lines, or line positions)."""
        self.declined[self.line_doc[mask_or_positions]] = True


def _cut_lines(texts: Sequence[str | bytes]) -> _Lines | None:
    """Texts -> their lines (None when there are no texts). Declines texts that are not UTF-8 or
    do not start with `#`, and those holding a control character (but LF), a non-ASCII blank or a
    BOM, a line starting with a space, or a heading with no blank line before it."""
    array, declined = _as_string_array(texts)
    # Documents with a backslash (a few in a hundred), found per text with memchr: only their
    # table lines are searched for escaped pipes.
    backslash_doc = np.fromiter(((b"\\" if isinstance(t, bytes) else "\\") in t for t in texts), bool, len(texts))
    n = len(array)
    if not n:
        return None
    doc_offsets = _offsets(array)
    data = _data(array)
    doc_sizes = np.diff(doc_offsets)
    declined |= _byte_at(data, doc_offsets[:-1], doc_sizes > 0) != ord("#")

    def doc_of_byte(positions: np.ndarray) -> np.ndarray:
        return np.searchsorted(doc_offsets, positions, side="right") - 1

    lines, line_offsets = _values(pc.split_pattern(array, "\n"))
    total_lines = len(lines)
    line_doc = np.repeat(np.arange(n), np.diff(line_offsets))
    line_index = np.arange(total_lines)

    # Bytes that make a document irregular wherever they are: C0 controls but the line breaks
    # (every `\n` became a line break above), and the UTF-8 of exotic blanks and the BOM.
    if int(np.count_nonzero(data < 32)) != total_lines - n:
        declined[doc_of_byte(np.flatnonzero((data < 32) & (data != 10)))] = True
    leads = np.flatnonzero(data >= 0xC2)
    if len(leads):
        leads = leads[np.isin(data[leads], (0xC2, 0xE1, 0xE2, 0xE3, 0xEF))]
        for sequence in _EXOTIC_SEQUENCES:
            at = leads[data[leads] == sequence[0]]
            for k in range(1, len(sequence)):
                at = at[_byte_at(data, at + k, at + k < len(data)) == sequence[k]]
            declined[doc_of_byte(at)] = True

    l_offsets = _offsets(lines)
    l_data = _data(lines)
    l_len = np.diff(l_offsets)
    starts = l_offsets[:-1]
    first = _byte_at(l_data, starts, l_len > 0)
    cut = _Lines(
        n=n, declined=declined, backslash_doc=backslash_doc, lines=lines, line_doc=line_doc,
        line_in_doc=line_index - line_offsets[line_doc], line_index=line_index,
        title_at=line_offsets[:-1],  # every document has a first line; regular ones, a title there
        first=first, second=_byte_at(l_data, starts + 1, l_len > 1), last=_byte_at(l_data, l_offsets[1:] - 1, l_len > 0),
        blank=l_len == 0, is_heading=first == ord("#"),
    )
    cut.decline_lines(first == ord(" "))
    previous_blank = np.ones(total_lines, bool)
    previous_blank[1:] = cut.blank[:-1]
    cut.decline_lines(cut.is_heading & (cut.line_in_doc > 0) & ~previous_blank)
    return cut


# ---------------------------------------------------------------------------------------------
# Stage 2: sections
# ---------------------------------------------------------------------------------------------
@dataclass
class _Sections:
    """The section of every line: a code into `names`, and that section's kind."""

    names: list[str]
    section_at: np.ndarray  # the section headings' lines
    governing: np.ndarray  # per line: the line of the heading it is under (0: the title or none)
    line_code: np.ndarray
    line_kind: np.ndarray
    body: np.ndarray  # not a heading
    table_line: np.ndarray  # a non-blank line of a table section


def _sections(cut: _Lines) -> _Sections:
    """A line belongs to the last heading at or above it. Declines documents with a heading the
    format does not name (or holding a pipe), a section named twice, no section at all, a pipe
    outside a table section, or a table line ending in a space."""
    declined, line_doc, is_heading = cut.declined, cut.line_doc, cut.is_heading
    governing = np.maximum.accumulate(np.where(is_heading, cut.line_index, 0))
    is_title = np.zeros(len(cut.lines), bool)
    is_title[cut.title_at] = True
    section_at = np.flatnonzero(is_heading & ~is_title)
    names: list[str] = [schema.PREAMBLE, ""]
    kinds: list[int] = [_PREAMBLE, _BAD]
    code_of_line = np.zeros(len(cut.lines), np.int64)
    if len(section_at):
        encoded = _take(cut.lines, section_at).dictionary_encode()
        code_of_section = {schema.PREAMBLE: 0, "": 1}
        codes = []
        for heading in encoded.dictionary.to_pylist():
            level, text = lineparse.heading_parts(heading)
            section = schema.section_slug(text) if level and "|" not in heading else ""
            if _KIND_OF_SECTION.get(section, _BAD) == _BAD:
                section = ""  # one code for every heading that makes a document irregular
            if section not in code_of_section:
                code_of_section[section] = len(names)
                names.append(section)
                kinds.append(_KIND_OF_SECTION[section])
            codes.append(code_of_section[section])
        section_codes = np.asarray(codes, np.int64)[_bool(encoded.indices)]
        code_of_line[section_at] = section_codes
        declined[line_doc[section_at[section_codes == 1]]] = True
        # A section named twice in one document (its rows appended, an `info` problem): irregular.
        pair = np.sort(line_doc[section_at] * len(names) + section_codes)
        declined[pair[1:][pair[1:] == pair[:-1]] // len(names)] = True
    # Without a section, a title line makes a signal document only with a page id: not regular.
    has_section = np.zeros(cut.n, bool)
    has_section[line_doc[section_at]] = True
    declined |= ~has_section
    line_code = code_of_line[governing]
    line_kind = np.asarray(kinds)[line_code]
    body = ~is_heading
    in_table = body & (line_kind == _TABLE)
    # A pipe outside a table (looked for in those lines only: a sixth of the text).
    outside_at = np.flatnonzero(~in_table)
    cut.decline_lines(outside_at[_bool(pc.match_substring(_take(cut.lines, outside_at), "|"))])
    table_line = in_table & ~cut.blank
    # A table line ends in a pipe or in text; not in a space (`a | b | ` holds an empty last cell
    # that the line parser trims away with the line's blanks).
    cut.decline_lines(table_line & (cut.last == ord(" ")))
    return _Sections(names, section_at, governing, line_code, line_kind, body, table_line)


# ---------------------------------------------------------------------------------------------
# Stage 3: tables
# ---------------------------------------------------------------------------------------------
@dataclass
class _Tables:
    """The table lines of the documents not declined before this stage, one table per section.

    t_at: those lines; per table: its header's position in t_at (group_first), its size, its
    header's line, its column layout; per line: its table (group_of) and its position in it (0
    header, 1 delimiter, 2... rows); per inner cell: its line (in t_at), column and text (trimmed);
    the body cells that are relevancy, and their first byte."""

    t_at: np.ndarray
    group_first: np.ndarray
    group_of: np.ndarray
    group_size: np.ndarray
    group_line: np.ndarray
    position: np.ndarray
    trimmed: pa.Array
    inner_line: np.ndarray
    inner_column: np.ndarray
    layouts: list[tuple[str, ...]] = field(default_factory=list)  # per distinct header: its columns, relevancy out
    relevancy_column: list[int] = field(default_factory=list)  # per layout: where relevancy was (-1: none)
    table_layout: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    body_at: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))  # inner cells not in a header
    is_relevancy: np.ndarray = field(default_factory=lambda: np.zeros(0, bool))  # per body cell
    relevancy_at: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    relevancy_byte: np.ndarray = field(default_factory=lambda: np.zeros(0, np.uint8))


def _tables(cut: _Lines, sections: _Sections) -> _Tables:
    """The table sections' tables: cells, then column layouts, then relevancy."""
    tables = _table_cells(cut, sections)
    _column_layouts(cut, tables)
    _relevancy(cut, tables)
    return tables


def _table_cells(cut: _Lines, sections: _Sections) -> _Tables:
    """Cut table lines into cells (`\\|` cuts none). Declines tables that are not one contiguous
    block of a header, a delimiter row and rows with equal cell counts and the same outer pipes;
    rows without outer pipes that do not start with a letter; bad delimiter rows."""
    declined, line_doc, lines = cut.declined, cut.line_doc, cut.lines
    t_at = np.flatnonzero(sections.table_line & ~declined[line_doc])
    t_group = sections.governing[t_at]
    new_group = np.ones(len(t_at), bool)
    new_group[1:] = t_group[1:] != t_group[:-1]
    group_first = np.flatnonzero(new_group)  # per table: its header's position in t_at
    group_of = np.cumsum(new_group) - 1
    group_size = np.diff(np.append(group_first, len(t_at)))
    group_line = t_at[group_first]  # per table: its header's line
    broken = (t_at[group_first + group_size - 1] - group_line + 1 != group_size) | (group_size < 2)
    declined[line_doc[group_line[broken]]] = True
    position = t_at - group_line[group_of]  # 0 header, 1 delimiter, 2... body rows
    table_lines = _take(lines, t_at)
    # `\|` is an escaped pipe: it does not cut the line, and reads as `|`. Held as _ESCAPED_PIPE
    # while cutting, in the few lines that have one.
    escaped_line = np.zeros(len(t_at), bool)
    backslash_line = np.flatnonzero(cut.backslash_doc[line_doc[t_at]])
    if len(backslash_line):
        escaped_line[backslash_line[_bool(pc.match_substring(_take(table_lines, backslash_line), "\\|"))]] = True
    if escaped_line.any():
        mask = pa.array(escaped_line)
        table_lines = pc.replace_with_mask(table_lines, mask, pc.replace_substring(
            table_lines.filter(mask), "\\|", _ESCAPED_PIPE))
    cells, cell_offsets = _values(pc.split_pattern(table_lines, "|"))
    cell_count = np.diff(cell_offsets)
    # Outer pipes: a line has both (its first and last cells empty) or neither, as its header has.
    c_len = np.diff(_offsets(cells))
    lead = c_len[cell_offsets[:-1]] == 0
    declined[line_doc[t_at[lead != (c_len[cell_offsets[1:] - 1] == 0)]]] = True
    ragged = (cell_count != cell_count[group_first][group_of]) | (lead != lead[group_first][group_of])
    declined[line_doc[t_at[ragged]]] = True
    inner_count = cell_count - 2 * lead
    declined[line_doc[group_line[(inner_count[group_first] < 1) | (cell_count[group_first] < 2)]]] = True
    # Without outer pipes, a line starting with `-`, `*`, `+`, `>`, a digit ... might open a list,
    # a quote or a fence that ends the table: only rows that start with a letter are regular.
    first = cut.first
    letter = ((first | 0x20) >= ord("a")) & ((first | 0x20) <= ord("z"))
    declined[line_doc[t_at[~lead & (position != 1) & ~letter[t_at]]]] = True
    delimiter_rows = group_first[group_size >= 2] + 1
    valid = _bool(pc.match_substring_regex(_take(table_lines, delimiter_rows), _DELIMITER))
    declined[line_doc[t_at[delimiter_rows[~valid]]]] = True
    list_item = (first == ord("-")) & (cut.second == ord(" "))
    declined[line_doc[t_at[delimiter_rows[list_item[t_at[delimiter_rows]]]]]] = True
    cell_line = np.repeat(np.arange(len(t_at)), cell_count)
    cell_position = np.arange(len(cells)) - cell_offsets[cell_line]
    inner_column = cell_position - lead[cell_line]
    inner = (inner_column >= 0) & (inner_column < inner_count[cell_line]) & (position[cell_line] != 1)
    inner_at = np.flatnonzero(inner)
    trimmed = pc.ascii_trim(cells.filter(pa.array(inner)), " ")
    inner_line = cell_line[inner_at]
    if escaped_line.any():
        mask = pa.array(escaped_line[inner_line])
        trimmed = pc.replace_with_mask(trimmed, mask, pc.replace_substring(
            trimmed.filter(mask), _ESCAPED_PIPE, "|"))
    return _Tables(t_at, group_first, group_of, group_size, group_line, position, trimmed, inner_line,
                   inner_column[inner_at])


def _column_layouts(cut: _Lines, tables: _Tables) -> None:
    """Per distinct header: its canonical columns (lineparse.column_names), relevancy's place.
    Declines headers without a column, with more than lineparse.MAX_COLUMNS or naming a key column."""
    tables_count = len(tables.group_first)
    header_at = np.flatnonzero(tables.position[tables.inner_line] == 0)
    tables.table_layout = np.zeros(tables_count, np.int64)
    if not tables_count:
        return
    headers = pc.binary_join(pa.ListArray.from_arrays(
        _list_offsets(tables.group_of[tables.inner_line[header_at]], tables_count), _take(tables.trimmed, header_at)),
        _ESCAPED_PIPE)
    encoded = headers.dictionary_encode()
    tables.table_layout = _bool(encoded.indices).astype(np.int64)
    layout_ok = []
    for joined in encoded.dictionary.to_pylist():
        columns = lineparse.column_names(tuple(joined.split(_ESCAPED_PIPE)))
        at = columns.index(schema.RELEVANCY) if schema.RELEVANCY in columns else -1
        kept = tuple(c for c in columns if c != schema.RELEVANCY) if at >= 0 else columns
        tables.layouts.append(kept)
        tables.relevancy_column.append(at)
        layout_ok.append(0 < len(kept) <= lineparse.MAX_COLUMNS and not _RESERVED_COLUMNS.intersection(kept))
    cut.declined[cut.line_doc[tables.group_line[~np.asarray(layout_ok, bool)[tables.table_layout]]]] = True


def _relevancy(cut: _Lines, tables: _Tables) -> None:
    """Body cells: relevancy apart from the others. Declines relevancy other than 1-5 (or `4.0`)."""
    tables.body_at = body_at = np.flatnonzero(tables.position[tables.inner_line] != 0)
    body_layout = tables.table_layout[tables.group_of[tables.inner_line[body_at]]]
    tables.is_relevancy = tables.inner_column[body_at] == np.asarray([*tables.relevancy_column, -1], np.int64)[
        body_layout]
    tables.relevancy_at = relevancy_at = body_at[tables.is_relevancy]
    t_offsets = _offsets(tables.trimmed)
    t_data = _data(tables.trimmed)
    rel_len = t_offsets[relevancy_at + 1] - t_offsets[relevancy_at]
    tables.relevancy_byte = rel_byte = _byte_at(t_data, t_offsets[relevancy_at], rel_len > 0)
    rel_dot = _byte_at(t_data, t_offsets[relevancy_at] + 1, rel_len == 3) == ord(".")
    rel_zero = _byte_at(t_data, t_offsets[relevancy_at] + 2, rel_len == 3) == ord("0")
    # `4` or `4.0` (lineparse.parse_relevancy reads the latter as 4 without a problem).
    rel_ok = ((rel_len == 1) | (rel_dot & rel_zero)) & (rel_byte >= ord("1")) & (rel_byte <= ord("5"))
    cut.declined[cut.line_doc[tables.t_at[tables.inner_line[relevancy_at[~rel_ok]]]]] = True


# ---------------------------------------------------------------------------------------------
# Stage 4: bullets
# ---------------------------------------------------------------------------------------------
@dataclass
class _Bullets:
    """The bullet lines of list sections: their text (after `* `), value (emphasis stripped) and
    section kind; for Other bullets, their document, key (into attr_names) and value."""

    at: np.ndarray
    texts: pa.Array
    values: pa.Array
    kind: np.ndarray
    other_doc: np.ndarray
    attr_names: list[str]
    attr_key: np.ndarray
    attr_values: pa.Array


def _bullets(cut: _Lines, sections: _Sections) -> _Bullets:
    """Read the list sections. Declines documents with a line there that is not a `* `, `- ` or
    `+ ` bullet, a thematic break, or an Other line that is not `Key: value`, names a reserved
    key (raw.RESERVED_ATTRIBUTES, `other_...`) or repeats a key."""
    declined, line_doc = cut.declined, cut.line_doc
    first = cut.first
    listed = (sections.body & ~cut.blank & np.isin(sections.line_kind, (_KEYWORDS, _THEMES, _OTHER, _CLOSEST))
              & ~declined[line_doc])
    not_bullet = listed & ~(np.isin(first, (ord("*"), ord("-"), ord("+"))) & (cut.second == ord(" ")))
    declined[line_doc[not_bullet]] = True
    bullet_at = np.flatnonzero(listed & ~not_bullet)
    bullet_lines = _take(cut.lines, bullet_at)
    declined[line_doc[bullet_at[_bool(pc.match_substring_regex(bullet_lines, _THEMATIC_BREAK))]]] = True
    texts = pc.ascii_trim(pc.utf8_slice_codeunits(bullet_lines, 2), " ")
    values = _strip_emphasis_where_needed(texts)
    kind = sections.line_kind[bullet_at]
    # Other: `Key: value` per distinct line; a line that is not one is a problem: irregular.
    other_at = np.flatnonzero(kind == _OTHER)
    other_doc = line_doc[bullet_at[other_at]]
    attr_names: list[str] = []
    attr_key = np.zeros(0, np.int64)
    attr_values = pa.array([], _STRING)
    if len(other_at):
        encoded = _take(values, other_at).dictionary_encode()
        key_index: dict[str, int] = {}
        keys, texts_of = [], []
        for value in encoded.dictionary.to_pylist():
            key, text = _attribute(value)
            keys.append(-1 if key is None else key_index.setdefault(key, len(key_index)))
            texts_of.append(text)
        attr_names = list(key_index)
        attr_key = np.asarray(keys, np.int64)[_bool(encoded.indices)]
        attr_values = pa.array(texts_of, _STRING).take(encoded.indices)
        declined[other_doc[attr_key < 0]] = True
        width = max(len(attr_names), 1)
        pair = np.sort(other_doc * width + np.maximum(attr_key, 0))
        declined[pair[1:][pair[1:] == pair[:-1]] // width] = True
    return _Bullets(bullet_at, texts, values, kind, other_doc, attr_names, attr_key, attr_values)


def _attribute(value: str) -> tuple[str | None, str | None]:
    """An Other bullet's value (emphasis already stripped) -> (key, value) as lineparse reads it;
    (None, None) when the line is not `Key: value` or its key is one a regular document may not
    use: a reserved one (its column is `other_<key>`), or `other_...` (it could meet that column)."""
    key, value_text = lineparse.attribute(value)
    if key is None or key in raw.RESERVED_ATTRIBUTES or key.startswith("other_"):
        return None, None
    return key, value_text


def _strip_emphasis_where_needed(values: pa.Array) -> pa.Array:
    """lineparse.strip_emphasis on the values that start with `*` or `_` (the others are unchanged)."""
    heads = _first_bytes(values)
    needed = (heads == ord("*")) | (heads == ord("_"))
    if not needed.any():
        return values
    replaced = [lineparse.strip_emphasis(v) for v in _take(values, np.flatnonzero(needed)).to_pylist()]
    return pc.replace_with_mask(values, pa.array(needed), pa.array(replaced, _STRING))


# ---------------------------------------------------------------------------------------------
# Stage 5: titles -- the last stage that declines documents
# ---------------------------------------------------------------------------------------------
def _titles(cut: _Lines) -> tuple[pa.Array, pa.Array, pa.Array]:
    """The title, page id and page URL of every document kept (after this stage, which declines
    a document whose first line is not a level-1 heading)."""
    declined, line_doc = cut.declined, cut.line_doc
    good_title_at = cut.title_at[~declined]
    title_lines = _take(cut.lines, good_title_at)
    usual = _bool(pc.match_substring_regex(title_lines, _TITLE))
    titles, page_ids, page_urls = _title_parts(title_lines, usual)
    titles, plain = _strip_one_emphasis(pc.ascii_rtrim(titles, " ,"))
    unusual = ~usual | ~plain
    titles = pc.if_else(pc.equal(titles, ""), pa.scalar(None, _STRING), titles)
    page_urls = pc.if_else(pc.equal(page_urls, ""), pa.scalar(None, _STRING), page_urls)
    if unusual.any():
        at = np.flatnonzero(unusual)
        replaced: dict[str, list] = {"title": [], "page_id": [], "page_url": []}
        for k, line in zip(at.tolist(), _take(title_lines, at).to_pylist()):
            if lineparse.heading_level(line) != 1:
                declined[line_doc[good_title_at[k]]] = True
            for values, value in zip(replaced.values(), lineparse.title_parts(line)):
                values.append(value)
        mask = pa.array(unusual)
        titles = pc.replace_with_mask(titles, mask, pa.array(replaced["title"], _STRING))
        page_ids = pc.replace_with_mask(page_ids, mask, pa.array(replaced["page_id"], _STRING))
        page_urls = pc.replace_with_mask(page_urls, mask, pa.array(replaced["page_url"], _STRING))
    kept_titles = ~declined[line_doc[good_title_at]]
    if not kept_titles.all():  # a few title lines turned out not to be level-1 headings
        keep = pa.array(kept_titles)
        titles, page_ids, page_urls = titles.filter(keep), page_ids.filter(keep), page_urls.filter(keep)
    return titles, page_ids, page_urls


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


def _strip_one_emphasis(values: pa.Array) -> tuple[pa.Array, np.ndarray]:
    """lineparse.strip_emphasis where it is simple: `__text__` or `**text**` (no marker inside)
    whose text does not start with `*` or `_` -> the text stripped; values not starting with either
    marker unchanged. Also a mask of where that holds (elsewhere, lineparse.title_parts decides)."""
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


# ---------------------------------------------------------------------------------------------
# The documents kept, and what is read from them
# ---------------------------------------------------------------------------------------------
@dataclass
class _Kept:
    """The documents no stage declined: a mask, their positions, each one's row among them."""

    good: np.ndarray
    index: np.ndarray
    row_of_doc: np.ndarray  # -1 for a declined document

    @property
    def count(self) -> int:
        return len(self.index)

    @classmethod
    def of(cls, declined: np.ndarray) -> _Kept:
        good = ~declined
        index = np.flatnonzero(good)
        row_of_doc = np.full(len(declined), -1, np.int64)
        row_of_doc[index] = np.arange(len(index))
        return cls(good, index, row_of_doc)


def _article_urls(cut: _Lines, sections: _Sections, kept: _Kept) -> pa.Array:
    """Each document's article URL: that of the first preamble line where lineparse.external_link
    finds one (null where none does)."""
    line_doc = cut.line_doc
    urls_of_docs = pa.nulls(kept.count, _STRING)
    preamble_at = np.flatnonzero(sections.body & (sections.line_kind == _PREAMBLE) & ~cut.blank
                                 & kept.good[line_doc])
    if not len(preamble_at):
        return urls_of_docs
    preamble_lines = _take(cut.lines, preamble_at)
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
        exact = [lineparse.external_link(line.strip(lineparse.MD_TRIM))
                 for line in _take(candidates, at).to_pylist()]
        urls = pc.replace_with_mask(urls, pa.array(~ascii_line), pa.array(exact, _STRING))
    hit = np.flatnonzero(_bool(pc.fill_null(pc.not_equal(urls, ""), False)))
    if len(hit):
        docs, first_hit = np.unique(line_doc[link_at[hit]], return_index=True)
        choice = np.full(kept.count, -1, np.int64)
        choice[kept.row_of_doc[docs]] = hit[first_hit]
        urls_of_docs = _nullable_take(urls, choice)
    return urls_of_docs


def _summaries(cut: _Lines, sections: _Sections, kept: _Kept) -> pa.Array:
    """Each document's Summary: its lines from the first to the last non-blank one, joined."""
    summaries = pa.nulls(kept.count, _STRING)
    summary_at = np.flatnonzero(sections.body & (sections.line_kind == _SUMMARY) & kept.good[cut.line_doc])
    if not len(summary_at):
        return summaries
    summary_lines = pc.ascii_trim(_take(cut.lines, summary_at), " ")
    s_doc = cut.line_doc[summary_at]
    nonblank = np.flatnonzero(np.diff(_offsets(summary_lines)) > 0)
    if not len(nonblank):
        return summaries
    first_nb = np.full(cut.n, len(summary_at), np.int64)
    last_nb = np.full(cut.n, -1, np.int64)
    docs, at = np.unique(s_doc[nonblank], return_index=True)
    first_nb[docs] = nonblank[at]
    docs, at = np.unique(s_doc[nonblank][::-1], return_index=True)
    last_nb[docs] = nonblank[::-1][at]
    local = np.arange(len(summary_at))
    kept_at = np.flatnonzero((local >= first_nb[s_doc]) & (local <= last_nb[s_doc]))
    kept_doc = kept.row_of_doc[s_doc[kept_at]]
    joined = pc.binary_join(pa.ListArray.from_arrays(
        _list_offsets(kept_doc, kept.count), _take(summary_lines, kept_at)), "\n")
    has = np.zeros(kept.count, bool)
    has[kept_doc] = True
    return pc.if_else(pa.array(has), joined, pa.scalar(None, _STRING))


def _lists(cut: _Lines, bullets: _Bullets, kept: _Kept) -> dict[str, pa.Table]:
    """The keywords, themes and links tables (doc_index first)."""
    bullet_doc = cut.line_doc[bullets.at]
    bullet_good = kept.good[bullet_doc]
    lists = {}
    for name, kind in (("keywords", _KEYWORDS), ("themes", _THEMES)):
        chosen = np.flatnonzero((bullets.kind == kind) & bullet_good)
        lists[name] = pa.table({
            "doc_index": pa.array(bullet_doc[chosen].astype(np.int32)),
            name[:-1]: _take(bullets.values, chosen),
        })
    # Closest: each bullet a link to another document, by lineparse.closest_link (in Python: a
    # few lines per document that has the list, and few have it).
    chosen = np.flatnonzero((bullets.kind == _CLOSEST) & bullet_good)
    links = [lineparse.closest_link(value) for value in _take(bullets.texts, chosen).to_pylist()]
    lists["links"] = pa.table({
        "doc_index": pa.array(bullet_doc[chosen].astype(np.int32)),
        "target_id": pa.array([target for target, _ in links], _STRING),
        "title": pa.array([title for _, title in links], _STRING),
    })
    return lists


def _attributes(bullets: _Bullets, kept: _Kept) -> tuple[dict[str, pa.Array], np.ndarray, list[tuple[str, ...]]]:
    """The Other attributes as documents columns (one per key), and each document's keys in order
    (as an id into the distinct key lists)."""
    other_doc, attr_key = bullets.other_doc, bullets.attr_key
    columns: dict[str, pa.Array] = {}
    chosen = np.flatnonzero(kept.good[other_doc]) if len(other_doc) else np.zeros(0, np.int64)
    for key_id, key in enumerate(bullets.attr_names):
        picks = chosen[attr_key[chosen] == key_id]
        if len(picks):
            take = np.full(kept.count, -1, np.int64)
            take[kept.row_of_doc[other_doc[picks]]] = picks
            columns[key] = _nullable_take(bullets.attr_values, take)
    keys_of_doc, key_sequences = _sequences(
        kept.row_of_doc[other_doc[chosen]], attr_key[chosen] if len(chosen) else chosen, kept.count)
    key_lists = [tuple(bullets.attr_names[k] for k in sequence) for sequence in key_sequences]
    return columns, keys_of_doc, key_lists


def _items(cut: _Lines, sections: _Sections, tables: _Tables, kept: _Kept) -> pa.Table:
    """The items table: one row per table body row (doc_index, section, row, line, relevancy),
    then one column per distinct table column."""
    line_doc, t_at, position, inner_line = cut.line_doc, tables.t_at, tables.position, tables.inner_line
    row_lines = np.flatnonzero((position >= 2) & kept.good[line_doc[t_at]])
    row_of_line = np.full(len(t_at), -1, np.int64)
    row_of_line[row_lines] = np.arange(len(row_lines))
    columns: dict[str, pa.Array] = {
        "doc_index": pa.array(line_doc[t_at[row_lines]].astype(np.int32)),
        "section": _take(pa.array(sections.names, _STRING), sections.line_code[t_at[row_lines]]),
        "row": pa.array((position[row_lines] - 2).astype(np.int32)),
        "line": pa.array((cut.line_in_doc[t_at[row_lines]] + 1).astype(np.int32)),
    }
    relevancy = np.full(len(row_lines), -1, np.int8)
    rel_rows = row_of_line[inner_line[tables.relevancy_at]]
    rel_keep = rel_rows >= 0
    relevancy[rel_rows[rel_keep]] = (tables.relevancy_byte[rel_keep].astype(np.int16) - ord("0")).astype(np.int8)
    columns[schema.RELEVANCY] = pa.array(relevancy, mask=relevancy < 0, type=pa.int8())
    value_at = tables.body_at[~tables.is_relevancy]
    value_rows = row_of_line[inner_line[value_at]]
    value_at, value_rows = value_at[value_rows >= 0], value_rows[value_rows >= 0]
    # A global column number per (layout, place in its header).
    layouts = tables.layouts
    column_ids: dict[str, int] = {}
    column_of = np.full((max(len(layouts), 1), max((len(k) + 1 for k in layouts), default=1)), -1, np.int64)
    for k, kept_columns in enumerate(layouts):
        names = list(kept_columns)
        if tables.relevancy_column[k] >= 0:
            names.insert(tables.relevancy_column[k], schema.RELEVANCY)
        for j, name in enumerate(names):
            if name != schema.RELEVANCY:
                column_of[k, j] = column_ids.setdefault(name, len(column_ids))
    value_column = column_of[tables.table_layout[tables.group_of[inner_line[value_at]]], tables.inner_column[value_at]]
    for column_id, name in enumerate(column_ids):
        picks = value_column == column_id
        if picks.any():
            take = np.full(len(row_lines), -1, np.int64)
            take[value_rows[picks]] = value_at[picks]
            columns[name] = _nullable_take(tables.trimmed, take)
    return pa.table(columns)


def _shapes(cut: _Lines, sections: _Sections, tables: _Tables, kept: _Kept) -> tuple[list[Shape], np.ndarray]:
    """Each kept document's tables, as (section, columns, has rows) in order: the distinct shapes,
    and each document's (an id into them)."""
    layouts_count = max(len(tables.layouts), 1)
    group_line = tables.group_line
    good_tables = np.flatnonzero(kept.good[cut.line_doc[group_line]])
    tokens = (sections.line_code[group_line[good_tables]] * layouts_count + tables.table_layout[good_tables]) * 2 + (
        tables.group_size[good_tables] > 2)
    shape_of_doc, token_sequences = _sequences(kept.row_of_doc[cut.line_doc[group_line[good_tables]]], tokens,
                                               kept.count)
    shapes = [
        tuple((sections.names[t // 2 // layouts_count], tables.layouts[t // 2 % layouts_count], bool(t % 2))
              for t in sequence)
        for sequence in token_sequences
    ]
    return shapes, shape_of_doc
