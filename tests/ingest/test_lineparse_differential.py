"""Differential tests: signals.ingest.lineparse's GFM tables against markdown-it-py's (commonmark + table).

lineparse.py reads tables by hand for speed but means to follow markdown-it-py's `rules_block/table.py`
exactly. Hypothesis writes small signal documents full of table edge cases (`documents`: any pipe
style, escapes, unicode and odd whitespace, ragged rows, broken delimiters, every kind of line that
ends a table; `regular_documents`: the pipeline's own layout with small faults, which is what
lineparse.py's fast paths read). markdown-it-py tokenizes the same text, and the tables it finds --
section, header, per-row source lines, cells, relevancy -- must be the ones parse_document returns.
The low-level pieces (`split_cells`, `_delimiter_columns`, `_ends_table`) are checked on the lines
markdown-it used, and on their own one line at a time. Last, the reference loader
(benchmarks/reference_loader.py) must agree with parse_document on every real document.

Whitespace: markdown-it-py 4 trims cells with mdTrim, JavaScript's trim() set, so NBSP and U+3000
*are* trimmed while U+200B and U+0085 are not; lineparse.py follows that.

What the generator keeps away from, because lineparse.py deliberately does not model it (it is not a
table rule and its effect on tables is nil in the signal format):
  * setext headings (`text` underlined by `---`): lineparse.py's sections are ATX headings only, so the
    markdown-it side ignores setext headings for sections too;
  * containers left open across a table: a table right after a list item or a `>` line with no
    blank line is, for markdown-it, a lazy continuation of that container; every list, quote,
    fence and HTML block the generator writes is closed (blank line or closing fence) before the
    next table;
  * `#word` lines and NBSP-indented bullets (`\u00a0- x`) outside tables: lineparse.py takes them for
    a heading (`##Signals`) and a bullet on purpose, markdown-it does not; inside a table body both
    read them as rows, which is tested;
  * markdown-it-py's MAX_AUTOCOMPLETED_CELLS (65,536 padded cells per table): a pathological limit
    that the generated tables, at most a few rows of a few cells, never come near.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import markdown_it
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from markdown_it.common import utils as markdown_it_utils
from markdown_it.rules_block.table import escapedSplit

from signals import schema
from signals.ingest import lineparse

pytestmark = pytest.mark.skipif(
    int(markdown_it.__version__.split(".")[0]) < 4,
    reason="lineparse.py mirrors markdown-it-py 4's table rules (its mdTrim)",
)

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / ".." / "shared" / "corpus" / "futures"

_MD = MarkdownIt("commonmark").enable("table")

# Sized for a few seconds per test; the generators were also run at 10,000 examples each, clean.
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _load_reference_loader():
    path = ROOT / "benchmarks" / "reference_loader.py"
    spec = importlib.util.spec_from_file_location("reference_loader", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


reference_loader = _load_reference_loader()


# ---------------------------------------------------------------------------------------------
# markdown-it-py's view of a document
# ---------------------------------------------------------------------------------------------
def _lines(text: str) -> list[str]:
    """CommonMark's lines: LF, CRLF and lone CR all end a line."""
    return re.split(r"\r\n|\r|\n", text)


def markdown_it_tables(text: str) -> tuple[list[tuple], list[tuple]]:
    """Text -> (raw tables, record tables) as markdown-it-py tokenizes it.

    A raw table is (map, header cells, row lines, row cells) with every cell's inline `.content`;
    a record table is what parse_document should return for it: (section, columns, lines, rows,
    relevancy), including the one-row `name` tables lineparse.py makes of bullet items in sections
    the format does not name.
    """
    tokens = _MD.parse(text)
    section, title_seen, bullet_depth = schema.PREAMBLE, False, 0
    plain_sections = {*schema.TABLE_SECTIONS, schema.PREAMBLE, schema.SUMMARY,
                      schema.KEYWORDS, schema.THEMES, schema.OTHER, schema.CLOSEST}
    raw_tables: list[tuple] = []
    record_tables: list[tuple] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token.type == "heading_open" and token.markup.startswith("#"):
            if token.tag == "h1" and not title_seen and section == schema.PREAMBLE:
                title_seen = True
            else:
                section = schema.section_slug(tokens[i + 1].content)
        elif token.type == "bullet_list_open":
            bullet_depth += 1
        elif token.type == "bullet_list_close":
            bullet_depth -= 1
        elif token.type == "inline" and bullet_depth and section not in plain_sections:
            record_tables.append((section, [schema.NAME], [token.map[0] + 1], [[token.content]], [None]))
        elif token.type == "table_open":
            header: list[str] = []
            lines: list[int] = []
            rows: list[list[str]] = []
            cells: list[str] = []
            in_body = False
            i += 1
            while tokens[i].type != "table_close":
                inner = tokens[i]
                if inner.type == "tbody_open":
                    in_body = True
                elif inner.type == "tr_open":
                    cells = []
                    if in_body:
                        rows.append(cells)
                        lines.append(inner.map[0] + 1)
                    else:
                        header = cells
                elif inner.type == "inline":
                    cells.append(inner.content)
                i += 1
            raw_tables.append((token.map, header, lines, rows))
            record_tables.append(_as_record_table(section, header, lines, rows))
        i += 1
    return raw_tables, record_tables


def _as_record_table(section: str, header: list[str], lines: list[int], rows: list[list[str]]) -> tuple:
    """markdown-it's raw table -> lineparse.py's record shape (canonical columns, relevancy moved out)."""
    columns = list(lineparse.column_names(tuple(header)))
    if schema.RELEVANCY not in columns:
        return section, columns, lines, [list(row) for row in rows], [None] * len(rows)
    at = columns.index(schema.RELEVANCY)
    kept_rows = [row[:at] + row[at + 1:] for row in rows]
    relevancy = [lineparse.parse_relevancy(row[at])[0] for row in rows]
    return section, [c for c in columns if c != schema.RELEVANCY], lines, kept_rows, relevancy


def check_against_markdown_it(text: str) -> None:
    """Assert parse_document, lineparse.py's pieces and the reference loader agree with markdown-it."""
    raw_tables, expected = markdown_it_tables(text)
    got = lineparse.parse_document(text)["tables"]
    assert got == expected

    # The pieces, line by line, on the source lines markdown-it used (token.map).
    lines = _lines(text)
    for (start, end), header, row_lines, rows in raw_tables:
        assert lineparse._indent(lines[start]) < 4
        assert lineparse._delimiter_columns(lines[start + 1]) == len(header)
        header_cells = lineparse.split_cells(lines[start].strip(lineparse.MD_TRIM))
        assert [c.strip(lineparse.MD_TRIM) for c in header_cells] == header
        assert row_lines == list(range(start + 3, end + 1))
        for line_no, cells in zip(row_lines, rows, strict=True):
            raw = lines[line_no - 1]
            assert not lineparse._ends_table(raw), raw
            split = [c.strip(lineparse.MD_TRIM) for c in lineparse.split_cells(raw.strip(lineparse.MD_TRIM))]
            assert (split + [""] * len(header))[: len(header)] == cells
        if end < len(lines) and not (end == len(lines) - 1 and not lines[end]):
            assert lineparse._ends_table(lines[end]), lines[end]

    assert reference_loader.parse_document_markdown_it(text)["tables"] == expected


# ---------------------------------------------------------------------------------------------
# Documents
# ---------------------------------------------------------------------------------------------
# Inline whitespace: markdown-it-py 4's mdTrim strips the JavaScript trim() set from cells -- NBSP,
# U+3000, U+2003 included -- but not U+200B or U+0085, which must survive in a cell.
SPACES = [" ", "  ", "\t", " \t ", "\u00a0", "\u3000", "\u2003", "\u200b", "\u0085"]
# Cell text. No atom starts a block (`#`, `>`, `-`+space, digits+`.`, `<`, fences), so a row never
# ends its table by accident; ends are the explicit ENDERS below.
WORDS = [
    "a", "Name", "name", "Description", "relevancy", "Relevance", "10-Year", "driving force", "x y",
    "Élan", "naïve café", "中文", "東京タワー", "ß", "4", "5", "4.0", "3,0", "0", "6", "x:y",
    "**b**", "`c`", "[l](u)", "é\u00a0è", "`a|b`",
]
ESCAPES = ["\\|", "\\\\|", "\\", "\\\\", "|"]
ALL_WS = "".join(SPACES)

cell_text = st.lists(
    st.one_of(st.sampled_from(WORDS), st.sampled_from(SPACES), st.sampled_from(ESCAPES)), max_size=4
).map("".join)
header_text = st.lists(st.one_of(st.sampled_from(WORDS), st.sampled_from(SPACES)), max_size=3).map("".join)
PIPE_STYLES = ("both", "leading", "trailing", "neither")

DELIMITERS_OK = ["---", "-", ":--", "--:", ":-:", " --- ", "\t:---:\t", "-----------", " :- "]
DELIMITERS_BAD = [":", "-:-", ":-:-", "=", "-x", "", "- -"]

# Lines that end a table body (then a closing line, if the block needs one, and a blank line).
ENDERS = [
    "- x", "* x", "+ x", "-", "  - item", "1. x", "2) x", "123456789. x", "> quote", ">", "   > q",
    "```", "``` py", "~~~", "~~~ `x`", "---", "***", "___", "* * *", "- - -", " ***",
    "<div>", "</div>", "<DIV class='x'>", "<table>", "<!-- c -->", "<pre>x</pre>", "<?php ?>",
    "<!DOCTYPE html>", "<![CDATA[x]]>", "<script>x</script>", "    code", "\tcode", "  \tcode",
    "## Next", "  # Top", "###### Six", "#", "\u00a0", "  ", "",
]
LIST_ITEM = re.compile(r"^ {0,3}(?:[-*+]|\d{1,9}[.)])(?:[ \t]|$)")
CLOSERS = {"```": "```", "``` py": "```", "~~~": "~~~", "~~~ `x`": "~~~"}
# Lines that look like block starts but are not: a table body goes on through them.
NOT_ENDERS = [
    "text", "####### seven", "-x", "*x", "1.x", "1234567890. x", "==", "``", "~~",
    "<span>", "<custom-tag>", "< div>", "\u00a0> x", "٣. x", "--", "**", "=== x",
]
SECTIONS = [
    "Signals", "Concerns", "Behaviours", "Tech", "Issues", "Weak Signals", "Keywords", "Themes",
    "Other", "Summary", "Closest", "Misc notes", "Ünïcode Sëction", "中文", "",
]


def _row(cells: list[str], style: str, indent: int, before: str = "", after: str = "") -> str:
    """Cells -> one table line in the given pipe style, indented 0-3 spaces and never blank.

    `before` and `after` go outside the outer pipes (only whitespace of some kind is sensible).
    """
    body = "|".join(cells)
    if style in ("both", "leading"):
        body = "|" + body
    if style in ("both", "trailing"):
        body += "|"
    body = (before + body + after).lstrip(" \t")
    if not body.strip(ALL_WS):
        body = "x" + body
    return " " * indent + body


outside = st.sampled_from(["", "", "", " ", "\t", "\u00a0", "\u0085", "\u3000", "\u200b"])


@st.composite
def tables(draw, *, valid: bool) -> list[str]:
    """A GFM table's lines: header, delimiter, body rows (ragged, escaped, padded, unicode)."""
    width = draw(st.integers(1, 5))
    headers = draw(st.lists(header_text, min_size=width, max_size=width))
    if draw(st.booleans()):
        relevancy = draw(st.sampled_from([" relevancy ", "Relevance", "relevancy"]))
        headers[draw(st.integers(0, width - 1))] = relevancy
    style = draw(st.sampled_from(PIPE_STYLES))
    if valid:
        delimiter = draw(st.lists(st.sampled_from(DELIMITERS_OK), min_size=width, max_size=width))
        delimiter_line = _row(delimiter, draw(st.sampled_from(PIPE_STYLES)), draw(st.integers(0, 3)))
        if draw(st.integers(0, 9)) == 0:  # a broken delimiter row: no table
            delimiter[draw(st.integers(0, width - 1))] = draw(st.sampled_from(DELIMITERS_BAD))
            delimiter_line = _row(delimiter, "both", draw(st.integers(0, 4)))
    else:  # header and delimiter disagree on the column count: no table
        other = draw(st.integers(1, 6).filter(lambda n: n != width))
        delimiter = draw(st.lists(st.sampled_from(DELIMITERS_OK), min_size=other, max_size=other))
        delimiter_line = _row(delimiter, "both", draw(st.integers(0, 3)))
    lines = [_row(headers, style, draw(st.integers(0, 3)), draw(outside), draw(outside)), delimiter_line]
    for _ in range(draw(st.integers(0, 4))):
        count = draw(st.sampled_from([width, width, width, max(width - 1, 0), width + 1, 1]))
        cells = draw(st.lists(cell_text, min_size=count, max_size=count))
        if cells and draw(st.booleans()):
            cells[-1] = draw(st.sampled_from([" 4 ", "5", "4.0", "", " x ", "7", "2.5", "\u00a03\u00a0"]))
        lines.append(_row(cells, draw(st.sampled_from(PIPE_STYLES)), draw(st.integers(0, 3)),
                          draw(outside), draw(outside)))
        if draw(st.integers(0, 5)) == 0:
            lines.append(draw(st.sampled_from(NOT_ENDERS)))
    return lines


@st.composite
def documents(draw) -> str:
    """A signal document: a title, then sections of paragraphs and GFM tables, in mixed line endings."""
    lines: list[str] = []
    if draw(st.booleans()):
        lines += ["# " + draw(st.sampled_from(["Title", "__Un titre é__", "中文 | x"])), ""]
    for _ in range(draw(st.integers(1, 4))):
        if draw(st.integers(0, 4)):
            level = draw(st.integers(1, 6))
            closing = draw(st.sampled_from(["", " ##", " #"]))
            indent = " " * draw(st.integers(0, 3))
            lines.append(indent + "#" * level + " " + draw(st.sampled_from(SECTIONS)) + closing)
            if draw(st.booleans()):
                lines.append("")
        if draw(st.integers(0, 3)) == 0:  # a paragraph line right before the table
            lines.append(draw(st.sampled_from(["Some text é.", "Intro: 中文", "A [link](x) here"])))
        lines += draw(tables(valid=draw(st.integers(0, 5)) > 0))
        if draw(st.integers(0, 5)) == 0:
            continue  # the next heading (or the end of the text) ends the table
        ender = draw(st.sampled_from(ENDERS))
        lines.append(ender)
        if ender in CLOSERS:
            lines.append(CLOSERS[ender])
        lines.append("")
        if LIST_ITEM.match(ender):  # an indented line after the blank would still be in the item
            lines += ["Back to the section.", ""]
    eol = draw(st.sampled_from(["\n", "\r\n", "\r", "mixed"]))
    if eol == "mixed":
        count = len(lines)
        breaks = draw(st.lists(st.sampled_from(["\n", "\r\n", "\r"]), min_size=count, max_size=count))
        for k in range(1, len(lines)):  # `\r` + empty line + `\n` would be one CRLF: keep the blank line
            if not lines[k] and breaks[k - 1] == "\r" and breaks[k] == "\n":
                breaks[k] = "\r\n"
        return "".join(line + end for line, end in zip(lines, breaks, strict=True))
    text = eol.join(lines)
    return text + eol if draw(st.booleans()) else text


padded_word = st.tuples(
    st.sampled_from(["", " ", "  "]), st.sampled_from(WORDS), st.sampled_from(["", " ", "   "])
)


@st.composite
def regular_documents(draw) -> str:
    """A document as the pipeline writes it -- blank line before every heading, every table line
    inside outer pipes -- with a few small faults: the shape lineparse.py reads on its fast paths
    (whole-section tables, column-wise splitting), so those paths meet the edge cases too."""
    lines = ["# __A title__, (from page [20240101](https://example.com/p/20240101).)", ""]
    for name in draw(st.lists(st.sampled_from(SECTIONS), min_size=1, max_size=4)):
        lines += ["## " + name, ""]
        width = draw(st.integers(1, 6))
        headers = draw(st.lists(st.sampled_from(["name", "description", "10-year", " relevancy ", "src", ""]),
                                min_size=width, max_size=width))
        lines.append("|" + "|".join(headers) + "|")
        lines.append("|" + "|".join(draw(st.lists(st.sampled_from(DELIMITERS_OK), min_size=width,
                                                  max_size=width))) + "|")
        for _ in range(draw(st.integers(0, 5))):
            fault = draw(st.integers(0, 7))
            count = {0: max(width - 1, 0), 1: width + 1}.get(fault, width)
            if fault == 2:
                cells = draw(st.lists(cell_text, min_size=count, max_size=count))
            else:
                cells = ["".join(w) for w in draw(st.lists(padded_word, min_size=count, max_size=count))]
            after = draw(outside) if fault == 3 else ""
            before = draw(st.sampled_from(["\u0085", "\u00a0", "x"])) if fault == 4 else ""
            lines.append(before + "|" + "|".join(cells) + "|" + after)
        lines.append("")
    eol = draw(st.sampled_from(["\n", "\n", "\r\n"]))
    return eol.join(lines) + draw(st.sampled_from(["", eol, eol + eol]))


# ---------------------------------------------------------------------------------------------
# Tests
# ---------------------------------------------------------------------------------------------
@SETTINGS
@given(documents())
def test_tables_match_markdown_it(text: str) -> None:
    check_against_markdown_it(text)


@SETTINGS
@given(regular_documents())
def test_regular_documents_match_markdown_it(text: str) -> None:
    check_against_markdown_it(text)


@pytest.mark.parametrize(
    "text",
    [
        # NBSP and U+3000 are trimmed from cells by markdown-it-py 4 (mdTrim = JS trim()); U+200B not.
        "| a\u00a0| \u3000b |\n|---|---|\n| \u00a0x\u200b | y\u0085 |\n",
        # A line of NBSP ends the table (mdTrim leaves nothing).
        "| a | b |\n|---|---|\n| 1 | 2 |\n\u00a0\n| 3 | 4 |\n",
        # Escaped pipes; `\\|` is an escaped pipe too (markdown-it looks one character back).
        "| a \\| b | c\\\\|d |\n|---|---|\n| x\\|y | z |\n",
        # Leading-only, trailing-only and no outer pipes; ragged rows.
        "a | b\n--|--\n| 1\n2 |\n1 | 2 | 3\n",
        # CRLF and lone CR line endings.
        "# T\r\n\r\n## Signals\r| name | relevancy |\r\n|:--|--:|\r| x | 4 |\r\n",
        # A table right after a paragraph line, ended by a heading, a list, a quote, a fence, html.
        (
            "Intro\n| a |\n|---|\n| 1 |\n## Concerns\n| b |\n|:-:|\n| 2 |\n- x\n\n| c |\n|-|\n| 3 |\n> q\n\n"
            "| d |\n|-|\n```\n```\n\n| e |\n|-|\n| 5 |\n<div>\n\n| f |\n|-|\n    code\n"
        ),
        # Header and delimiter disagree: no table; a table right after it still counts.
        "## Issues\n| a | b | c |\n|---|---|\n| x | y |\n| a | b |\n|---|---|\n| 1 | 2 |\n",
        # ... and a heading with a pipe right after it is still a heading.
        "## Issues\n| a | b | c |\n|---|---|\n| x | y |\n## Tech | x\n| a |\n|---|\n| 1 |\n",
    ],
)
def test_known_edge_cases_match_markdown_it(text: str) -> None:
    check_against_markdown_it(text)


@SETTINGS
@given(st.text(alphabet="|\\ a\t\u00a0é-", max_size=24))
def test_split_cells_is_escaped_split(line: str) -> None:
    trimmed = markdown_it_utils.mdTrim(line)
    expected = escapedSplit(trimmed)
    if expected and expected[0] == "":
        expected.pop(0)
    if expected and expected[-1] == "":
        expected.pop()
    assert lineparse.split_cells(trimmed) == expected


delimiter_candidates = st.tuples(
    st.sampled_from(["", " ", "   ", "    ", "\t", " \t", "\u00a0"]),
    st.text(alphabet="|-: \t:x\u00a0=", min_size=0, max_size=14),
).map("".join)


@SETTINGS
@given(delimiter_candidates)
def test_delimiter_columns_match_markdown_it(line: str) -> None:
    tables_for = [
        k for k in range(1, line.count("|") + 2)
        if _MD.parse("|" + " a |" * k + "\n" + line + "\n")[0].type == "table_open"
    ]
    assert len(tables_for) <= 1
    assert lineparse._delimiter_columns(line) == (tables_for[0] if tables_for else 0)


BLOCK_PREFIXES = [
    "", "#", "##", "######", "#######", ">", "```", "~~~", "``", "---", "***", "___", "* * *", "- - -",
    "-", "*", "+", "1.", "1)", "123456789.", "1234567890.", "٣.", "<div", "<DIV", "</div", "<span",
    "<!--", "<?", "<!D", "<!d", "<![CDATA[", "<script", "<pre", "<textarea", "<style", "<h1", "<hr/",
    "<p", "<custom", "<lin\u212a", "|", "=", "\u00a0",
]


@SETTINGS
@given(
    st.sampled_from(["", " ", "  ", "   ", "    ", "\t", "  \t", "\u00a0"]),
    st.sampled_from(BLOCK_PREFIXES),
    st.sampled_from(["", " ", "\t", "x", ">", "/>", "\u00a0", "`", " `", "-", "*"]),
    st.text(alphabet="ab |`~-*_", max_size=6),
)
def test_ends_table_matches_markdown_it(indent: str, prefix: str, sep: str, tail: str) -> None:
    line = indent + prefix + sep + tail
    table = _MD.parse("| h |\n|---|\n| r |\n" + line + "\n")[0]
    assert table.type == "table_open"
    assert lineparse._ends_table(line) == (table.map[1] == 3)


# ---------------------------------------------------------------------------------------------
# The reference loader on real documents
# ---------------------------------------------------------------------------------------------
COMPARED_FIELDS = (
    "title", "page_id", "page_url", "article_url", "summary", "attrs", "keywords", "themes", "links",
    "tables", "is_document",
)


@pytest.mark.skipif(not CORPUS.is_dir(), reason="shared corpus ../shared/corpus/futures is absent")
def test_reference_loader_agrees_on_corpus() -> None:
    paths = sorted(p for p in CORPUS.iterdir() if p.suffix.lower() in schema.DOCUMENT_SUFFIXES)
    assert paths
    paths += sorted((ROOT / "seeds").glob("*.txt"))
    records = reference_loader.load_reference(paths)
    disagreements = []
    for path, reference in zip(paths, records, strict=True):
        text = path.read_text(encoding="utf-8", errors="replace")
        record = lineparse.parse_document(text)
        assert record["tables"], path.name
        disagreements += [(path.name, name) for name in COMPARED_FIELDS if record[name] != reference[name]]
        # Every GFM table, to the cell, by markdown-it-py's own token walk too.
        assert record["tables"] == markdown_it_tables(text)[1], path.name
    assert disagreements == []
