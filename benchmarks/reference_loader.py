"""The reference loader: signal documents parsed by walking markdown-it-py tokens.

It produces the same record shape as `signals.ingest.lineparse.parse_document` (see that module's docstring),
but the block structure -- which lines are headings, list items, paragraphs and GFM table rows, and
what each table cell holds -- comes from markdown-it-py instead of the hand-written line scanner.
What a line *means* once its block is known (section slugs, the title's page link, `Key: value`
attributes, keywords, Closest links, column names, relevancy) is left to lineparse.py's own helpers, so
where the two loaders disagree the cause is block structure and nothing else.

Two uses:
  * the speed benchmark's baseline: `python benchmarks/reference_loader.py [folder]` prints the
    per-document time of both loaders (default folder: ../shared/corpus/futures);
  * an oracle for tests/ingest/test_lineparse_differential.py.

Known differences by design, all of them markdown-it being right about markdown: text inside fenced
code, HTML blocks or block quotes is not read as headings, items or tables; a setext heading (a line
underlined with `---`) is read as the paragraph lineparse.py sees, not as a section; ragged table rows
are padded or cut without a problem being reported (markdown-it does not say it did so); Summary
blocks are separated by one blank line however many the text has.
"""

from __future__ import annotations

import sys
import timeit
from collections.abc import Iterable
from pathlib import Path

from markdown_it import MarkdownIt
from markdown_it.token import Token

from signals import schema
from signals.ingest import lineparse

# "commonmark" plus the GFM table rule: the rules lineparse.py mirrors. ("gfm-like" would add linkify and
# strikethrough: inline rules only, which cost time and change no block.)
_MARKDOWN = MarkdownIt("commonmark").enable("table")


def _read_table(tokens: list[Token], start: int, section: str, record: dict) -> int:
    """tokens[start] is a table_open: append the table to record; return the index after table_close."""
    headers: list[str] = []
    rows: list[list[str]] = []
    row_lines: list[int] = []
    row: list[str] = []
    in_body = False
    i = start + 1
    while tokens[i].type != "table_close":
        token = tokens[i]
        kind = token.type
        if kind == "inline":
            row.append(token.content)  # the raw cell: escapedSplit already made `\|` a `|`
        elif kind == "tr_open":
            row = []
            if in_body:
                rows.append(row)
                row_lines.append(token.map[0] + 1)
            else:
                headers = row
        elif kind == "tbody_open":
            in_body = True
        i += 1

    columns = list(lineparse.column_names(tuple(headers)))
    relevancy: list[int | None] = []
    if schema.RELEVANCY in columns:
        at = columns.index(schema.RELEVANCY)
        columns = [c for c in columns if c != schema.RELEVANCY]
        for line, cells in zip(row_lines, rows, strict=True):
            value, message = lineparse.parse_relevancy(cells.pop(at))
            if message:
                problem = message + "; row kept without relevancy"
                record["problems"].append((line, section, "warning", problem))
            relevancy.append(value)
    else:
        relevancy = [None] * len(rows)
    record["tables"].append((section, columns, row_lines, rows, relevancy))
    return i + 1


def parse_document_markdown_it(text: str) -> dict:
    """A document's text -> its parsed record, with markdown-it-py deciding the block structure."""
    if text[:1] == "\ufeff":  # as parse_document: a decoded byte-order mark is not text
        text = text[1:]
    tokens = _MARKDOWN.parse(text)
    state = lineparse._State()
    record = state.record
    marker = ""  # the list marker of the item whose first line comes next (`- `, `1. `)
    n = len(tokens)
    i = 0
    while i < n:
        token = tokens[i]
        kind = token.type
        if kind == "table_open":
            i = _read_table(tokens, i, state.section, record)
            continue
        if kind == "heading_open" and token.markup.startswith("#"):
            # Sections are ATX headings, as the format writes them. A setext heading falls through:
            # its inline is read as the paragraph it is to lineparse.py.
            line = token.map[0] + 1
            state.heading("#" * int(token.tag[1]) + " " + tokens[i + 1].content, line)
            i += 3  # heading_open, inline, heading_close
            continue
        if kind == "list_item_open":
            marker = (token.info + token.markup if token.info else token.markup) + " "
        elif kind == "list_item_close":
            marker = ""
        elif kind == "inline":
            # Each source line of a paragraph or list item, as lineparse.py would meet it outside tables:
            # the item's marker before its first line, so bullets are bullets to lineparse.py too.
            if state.section == schema.SUMMARY and state.summary_lines:
                state.summary_lines.append("")
            first = token.map[0] + 1
            for offset, line in enumerate(token.content.split("\n")):
                raw = marker + line if offset == 0 else line
                stripped = raw.strip(lineparse.MD_TRIM)
                if stripped:
                    lineparse._text_line(state, raw, stripped, first + offset)
            marker = ""
        i += 1
    return state.finish()


def load_reference(paths: Iterable[str | Path]) -> list[dict]:
    """Files -> their reference records, read and parsed one after another (no processes, no cache)."""
    return [
        parse_document_markdown_it(Path(path).read_text(encoding="utf-8", errors="replace"))
        for path in paths
    ]


def main(argv: list[str] | None = None) -> None:
    """Print the per-document time of lineparse.parse_document and of the reference loader on a folder."""
    args = sys.argv[1:] if argv is None else argv
    root = Path(__file__).resolve().parents[1]
    folder = Path(args[0]) if args else root / ".." / "shared" / "corpus" / "futures"
    paths = sorted(p for p in folder.iterdir() if p.suffix.lower() in schema.DOCUMENT_SUFFIXES)
    texts = [p.read_text(encoding="utf-8", errors="replace") for p in paths]
    if not texts:
        raise SystemExit(f"no documents in {folder}")
    average = sum(map(len, texts)) / len(texts)
    print(f"{len(texts)} documents in {folder.resolve()}, {average:,.0f} characters each on average")
    timings = {}
    loaders = (("lineparse.parse_document", lineparse.parse_document),
               ("reference (markdown-it-py)", parse_document_markdown_it))
    for name, loader in loaders:
        timer = timeit.Timer(lambda loader=loader: [loader(text) for text in texts])
        number, _ = timer.autorange()
        best = min(timer.repeat(repeat=5, number=number)) / number
        timings[name] = best / len(texts)
        print(f"{name:28s} {timings[name] * 1e6:9.1f} µs per document (best of 5 x {number} passes)")
    fast, slow = timings.values()
    print(f"reference / parse_document: {slow / fast:.1f}x")


if __name__ == "__main__":
    main()


def read_files_reference(files: list[tuple[str, str, str]]):
    """The loader's file reading with the markdown-it-py parser swapped in (the benchmark's reference)."""
    from signals.ingest.workers import parse_one_by_one

    return parse_one_by_one(files, parse=parse_document_markdown_it)
