"""One document's text -> a parsed record. Pure Python: no pandas, no I/O.

Hand-written rather than built on markdown-it-py because a markdown-it-py loader measured about
30x slower on the 10k benchmark corpus (see docs/performance.md); the GFM table rules below mirror
markdown-it-py's `rules_block/table.py` and are tested differentially against it
(tests/ingest/test_lineparse_differential.py).

The rules a line follows are public functions, so that the vectorized parser (batchparse), which
reads the usual documents many at a time, applies the same ones where it cannot reduce them to
kernels: `heading_parts`, `heading_level`, `title_parts`, `strip_emphasis`, `attribute`, `external_link`,
`closest_link`, `column_names`, `split_cells`, `parse_relevancy`, `page_date`, and `MD_TRIM` and
`MAX_COLUMNS`. Everything with a leading underscore is this parser's own.

A parsed record is a plain dict (cheap to pickle between processes):

    title, page_id, page_url, article_url, summary: str | None
    attrs: {slug: value} from the Other list
    keywords, themes: [str]
    links: [(target_id, title)] from the Closest list
    tables: [(section, columns, lines, rows, relevancy)] -- one entry per GFM table;
        columns are canonical names (relevancy excluded), rows lists of cells aligned to columns,
        relevancy a list of int | None, lines the 1-based line of each row
    problems: [(line, section, severity, message)]
    is_document: False when the text has neither a page id nor a section the format names
"""

from __future__ import annotations

import re
from functools import lru_cache
from itertools import repeat

from signals import schema

#: What markdown-it-py 4's mdTrim strips from table lines and cells: JavaScript's trim() set minus
#: U+FEFF -- NBSP, U+1680, U+2000-U+200A, U+2028/9, U+202F, U+205F and U+3000 included. str.strip()
#: would differ the other way: it also eats U+001C-U+001F and U+0085, which mdTrim keeps.
MD_TRIM = (
    " \t\n\v\f\r\u00a0\u1680" + "".join(map(chr, range(0x2000, 0x200B))) + "\u2028\u2029\u202f\u205f\u3000"
)

# Lenient on purpose about the space after the hashes (`##Signals`), but never 7+ hashes: not a heading.
# No lazy group before optional trailing blanks and hashes: on a long heading that backtracking is
# quadratic (a 200 kB heading of spaces took minutes); `_heading_text` strips the closing sequence.
_HEADING = re.compile(r"^ {0,3}(#{1,6})(?!#)[ \t]*(.*)$")
# A bullet item, but not a thematic break (`* * *`, `- - -`) that looks like one. The item's text
# is group 1 with trailing blanks removed (`_bullet_text`: a lazy `(.*?)\s*$` is quadratic).
_BULLET = re.compile(r"^\s{0,3}(?!(?:-[ \t]*){3,}$|(?:\*[ \t]*){3,}$)[-*+][ \t]+(.*)$")
# A link destination may hold balanced parentheses (`wiki/Echopraxia_(novel)`), one level deep.
_DESTINATION = r"((?:[^()\s>]|\([^()\s>]*\))*)"
# Link text holds no bracket (as in CommonMark, `[a [b](u)` links `b`): a text that could run
# across `[`s made every `[` of a line scan to its end (quadratic on `[[[[...`).
_LINK = re.compile(r"\[([^\[\]]*)\]\(\s*<?" + _DESTINATION + r">?(?:\s+\"[^\"]*\")?\s*\)")
# The `from` of a title line; the blanks, commas and `(` before it are found by `_from_start` (a
# pattern starting `[,\s]*` backtracks cubically on a title of many spaces).
_FROM = re.compile(r"from\b", re.IGNORECASE)
_EXTERNAL = re.compile(r"\[\s*external link\s*\]\(\s*<?" + _DESTINATION, re.IGNORECASE)
_ATTR = re.compile(r"^([^:]{1,60}):\s*(.*)$")
_EMPHASIS = re.compile(r"^(\*\*|__|\*|_)(.+)\1$")
_UNESCAPED_PIPE = re.compile(r"(?<!\\)\|")
_PY_ONLY_SPACE = "\x1c\x1d\x1e\x1f\x85"  # str.isspace() but not CommonMark whitespace
_DELIMITER_ROW = re.compile(r"\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*")
_DATE_ID = re.compile(r"^(\d{4})(\d{2})(\d{2})(\D.*)?$")

# Block starts that end a GFM table body in markdown-it-py (its "blockquote" terminator rules).
_TERMINATORS = re.compile(
    r"""^(?:
        \#{1,6}(?:[ \t]|$)            # ATX heading
      | >                              # blockquote
      | (?:`{3,}[^`]*|~{3,}.*)$        # code fence
      | (?:([-*_])[ \t]*(?:\1[ \t]*){2,})$   # thematic break
      | [-*+](?:[ \t]|$)               # bullet list item
      | [0-9]{1,9}[.)](?:[ \t]|$)       # ordered list item (ASCII digits only, not `\d`)
    )""",
    re.VERBOSE,
)
# markdown-it-py's html_block openers (common/html_blocks + html_re), condensed.
_HTML_BLOCK = re.compile(
    r"^<(?:script|pre|style|textarea)(?:\s|>|$)|^<!--|^<\?|^<![A-Za-z]|^<!\[CDATA\[",
    re.IGNORECASE,
)
_HTML_BLOCK_TAG = re.compile(r"^</?([A-Za-z][A-Za-z0-9-]*)(?:\s|/?>|$)")
_HTML_OPEN_CLOSE = re.compile(
    r"^(?:<[A-Za-z][A-Za-z0-9\-]*(?:\s+[a-zA-Z_:][a-zA-Z0-9:._-]*"
    r"(?:\s*=\s*(?:[^\"'=<>`\x00-\x20]+|'[^']*'|\"[^\"]*\"))?)*\s*/?>|</[A-Za-z][A-Za-z0-9\-]*\s*>)\s*$"
)
_HTML_BLOCK_NAMES = frozenset(
    ["address", "article", "aside", "base", "basefont", "blockquote", "body", "caption", "center", "col", "colgroup", "dd", "details", "dialog", "dir", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "frame", "frameset", "h1", "h2", "h3", "h4", "h5", "h6", "head", "header", "hr", "html", "iframe", "legend", "li", "link", "main", "menu", "menuitem", "nav", "noframes", "ol", "optgroup", "option", "p", "param", "search", "section", "summary", "table", "tbody", "td", "tfoot", "th", "thead", "title", "tr", "track", "ul"]
)


def normalize_newlines(text: str) -> list[str]:
    """Text -> its lines, splitting on LF, CRLF and CR only (as CommonMark does; not str.splitlines)."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\x00" in text:
        text = text.replace("\x00", "\ufffd")
    return text.split("\n")


def _indent(line: str) -> int:
    """Columns of leading whitespace, tabs to the next multiple of 4 (CommonMark)."""
    width = 0
    for ch in line:
        if ch == " ":
            width += 1
        elif ch == "\t":
            width += 4 - width % 4
        else:
            break
    return width


def split_cells(line: str) -> list[str]:
    """One table line (already trimmed) -> its cells, as markdown-it-py's escapedSplit + outer-pipe pop.

    `\\|` is an escaped pipe: it does not split, and its backslash is dropped.
    """
    if "\\|" in line:
        parts = [p.replace("\\|", "|") for p in _UNESCAPED_PIPE.split(line)]
    else:
        parts = line.split("|")
    if parts and parts[0] == "":
        parts.pop(0)
    if parts and parts[-1] == "":
        parts.pop()
    return parts


def _delimiter_columns(line: str) -> int:
    """A candidate delimiter row -> its column count, or 0 when it is not one (markdown-it-py rules)."""
    if _indent(line) >= 4:
        return 0
    text = line.lstrip(" \t")
    if len(text) < 2 or text[0] not in "|-:":
        return 0
    second = text[1]
    if second not in "|-: \t" or (text[0] == "-" and second in " \t"):
        return 0
    # One regex instead of markdown-it-py's per-cell loop (same language: cells `:?-+:?` between
    # pipes, empty cells only at the ends): 5x faster on the long padded rows the pipeline writes.
    if not _DELIMITER_ROW.fullmatch(text):
        return 0
    return text.strip(" \t|").count("|") + 1


def _ends_table(raw: str) -> bool:
    """Whether a line after a table's header ends its body (blank, code-indented or a block start)."""
    indent = _indent(raw)
    if indent >= 4:
        return True
    text = raw.strip(MD_TRIM)
    if not text:
        return True
    first = text[0]
    if first == "|":
        return False
    if (first in "#>`~-*_+" or first.isdigit()) and _TERMINATORS.match(raw.lstrip(" ")):
        return True
    if first == "<":
        stripped = raw.lstrip(" ")
        if _HTML_BLOCK.match(stripped):
            return True
        tag = _HTML_BLOCK_TAG.match(stripped)
        if tag and tag.group(1).lower() in _HTML_BLOCK_NAMES:
            return True
    return False


def _starts_table(lines: list[str], i: int) -> bool:
    """Whether a GFM table starts at lines[i]: its next line is a delimiter row with as many cells."""
    if i + 1 >= len(lines) or "|" not in lines[i] or _indent(lines[i]) >= 4 or "-" not in lines[i + 1]:
        return False
    count = _delimiter_columns(lines[i + 1])
    return bool(count) and len(split_cells(lines[i].strip(MD_TRIM))) == count


def attribute(text: str) -> tuple[str | None, str | None]:
    """An Other bullet's text (emphasis already stripped) -> (key slug, value), or (None, None)
    when it is not `Key: value`."""
    attr = _ATTR.match(text)
    if not attr:
        return None, None
    key_text, value_text = attr.group(1), attr.group(2)
    # `**Category:** politics`: the key's closing emphasis follows the colon.
    for marker in ("**", "__", "*", "_"):
        if key_text.startswith(marker) and value_text.startswith(marker):
            value_text = value_text[len(marker):]
            break
    return schema.slug(key_text) or "attribute", strip_emphasis(value_text)


def strip_emphasis(text: str) -> str:
    text = text.strip()
    if text[:1] not in ("*", "_") or not text:
        return text  # the usual case, without the regex
    while True:
        match = _EMPHASIS.match(text)
        # `*a* and *b*` starts and ends with `*` but is two spans, not one to unwrap.
        if not match or match.group(1) in match.group(2):
            return text
        text = match.group(2).strip()


def parse_relevancy(cell: str) -> tuple[int | None, str | None]:
    """A relevancy cell -> (value 1-5 or None, a problem message or None). `4.0` and ` 5 ` are fine."""
    text = cell.strip()
    if not text:
        return None, "relevancy is empty"
    try:
        value = int(text)
    except ValueError:
        try:
            number = float(text.replace(",", "."))
        except ValueError:
            return None, f"relevancy {text!r} is not a number"
        if not number.is_integer():
            return None, f"relevancy {text!r} is not a whole number"
        value = int(number)
    if schema.RELEVANCY_MIN <= value <= schema.RELEVANCY_MAX:
        return value, None
    return None, f"relevancy {text!r} is outside {schema.RELEVANCY_MIN}-{schema.RELEVANCY_MAX}"


def page_date(page_id: str) -> tuple[str | None, str | None]:
    """A page id -> (ISO date or None, a note or None). `20250309d` -> 2025-03-09 with a note."""
    import datetime as _dt

    match = _DATE_ID.match(page_id.strip())
    if not match:
        return None, f"page id {page_id!r} is not a YYYYMMDD date"
    year, month, day, suffix = match.groups()
    try:
        date = _dt.date(int(year), int(month), int(day))
    except ValueError:
        return None, f"page id {page_id!r} is not a valid date"
    note = f"page id {page_id!r} has a suffix after its date" if suffix else None
    return date.isoformat(), note


def title_parts(line: str) -> tuple[str | None, str | None, str | None]:
    """A title line (`# Title, (from page [ID](URL).)`) -> (title, page id, page URL), None where absent."""
    page_id = page_url = None
    body = line.lstrip()[1:].strip()
    # The *last* `from` followed by a link: titles say "from" too (`A Timeline from 2011 to 2035`).
    # Right to left, each `from` looks for a link only up to where the later one looked from: the
    # windows never overlap, so a hostile title of thousands of `from [` costs linear time.
    limit = len(body)
    for match in reversed(list(_FROM.finditer(body))):
        link = _link_between(body, match.end(), limit)
        if link:
            page_id = link.group(1).strip()
            page_url = link.group(2).strip() or None
            body = body[: _from_start(body, match.start())]
            break
        limit = match.end()
    return strip_emphasis(body.rstrip(" ,")) or None, page_id, page_url


def _link_between(text: str, start: int, limit: int) -> re.Match | None:
    """The leftmost link starting in text[start:limit] (it may end beyond `limit`), or None."""
    at = text.find("[", start, limit)
    while at >= 0:
        link = _LINK.match(text, at)
        if link:
            return link
        at = text.find("[", at + 1, limit)
    return None


def _from_start(text: str, at: int) -> int:
    """Where the `from` at `at` begins with what leads it: blanks, then one `(`, then blanks and
    commas (what the pattern `[,\\s]*\\(?\\s*from` would have matched)."""
    while at and text[at - 1].isspace():
        at -= 1
    if at and text[at - 1] == "(":
        at -= 1
    while at and (text[at - 1] == "," or text[at - 1].isspace()):
        at -= 1
    return at


def _heading_text(text: str) -> str:
    """A heading's text after its hashes -> without trailing blanks and closing hashes (`Signals ##`)."""
    text = text.rstrip(" \t")
    if text.endswith("#"):
        text = text.rstrip("#").rstrip(" \t")
    return text


def _bullet_text(bullet: re.Match) -> str:
    return bullet.group(1).rstrip()


@lru_cache(maxsize=4096)
def column_names(headers: tuple[str, ...]) -> tuple[str, ...]:
    """Header cells -> canonical column names, duplicates numbered (`name`, `name_2`)."""
    seen: dict[str, int] = {}
    names = []
    for header in headers:
        name = schema.column_name(header)
        if name in seen:
            seen[name] += 1
            name = f"{name}_{seen[name]}"
        else:
            seen[name] = 1
        names.append(name)
    return tuple(names)


#: Sections the document format names (any alias of them): seeing one marks a signal document.
_FORMAT_SECTIONS = frozenset(schema.SECTION_ALIASES.values())


def heading_level(raw: str) -> int:
    """A line -> its heading level (1-6), 0 when it is not a heading."""
    heading = _HEADING.match(raw)
    return len(heading.group(1)) if heading else 0


@lru_cache(maxsize=1024)
def heading_parts(raw: str) -> tuple[int, str]:
    """A heading line -> (level, text), (0, "") when it is not one. Cached: documents repeat the
    same few section headings."""
    heading = _HEADING.match(raw)
    return (len(heading.group(1)), _heading_text(heading.group(2))) if heading else (0, "")


class _State:
    """What the parser knows while it walks a document: the record so far and where it is."""

    __slots__ = ("record", "section", "seen_sections", "summary_lines", "title_seen")

    def __init__(self) -> None:
        self.record: dict = {
            "title": None,
            "page_id": None,
            "page_url": None,
            "article_url": None,
            "summary": None,
            "attrs": {},
            "keywords": [],
            "themes": [],
            "links": [],
            "tables": [],
            "problems": [],
            "is_document": False,
        }
        self.section = schema.PREAMBLE
        self.seen_sections: set[str] = set()
        self.summary_lines: list[str] = []
        self.title_seen = False

    def heading(self, raw: str, line_no: int) -> bool:
        """Take a heading line; False when the line is not a heading after all."""
        level, text = heading_parts(raw)
        if not level:
            return False
        if level == 1 and not self.title_seen and self.section == schema.PREAMBLE:
            self.title_seen = True
            record = self.record
            record["title"], record["page_id"], record["page_url"] = title_parts(raw)
            return True
        section = self.section = schema.section_slug(text)
        if section in self.seen_sections:
            self.record["problems"].append((line_no, section, "info", f"section {section!r} repeated; rows appended"))
        self.seen_sections.add(section)
        return True

    def finish(self) -> dict:
        record = self.record
        if self.summary_lines:
            record["summary"] = "\n".join(self.summary_lines).strip() or None
        # A title line alone is any markdown file (a README): a signal document has a page id or
        # at least one section the format names.
        record["is_document"] = bool(record["page_id"] or not self.seen_sections.isdisjoint(_FORMAT_SECTIONS))
        return record


# A line that may be a heading (after a newline). Not `^...` with re.MULTILINE: that tries every
# position and measured 7x slower than this pattern's literal-prefix scan.
_HEADING_START = re.compile(r"\n {0,3}#[^\n]*")
_FIRST_HEADING = re.compile(r" {0,3}#[^\n]*")


def parse_document(text: str) -> dict:
    """A document's text -> its parsed record (see the module docstring for the shape).

    Usual documents are cut at their headings and each section's table read in one piece
    (`_parse_chunked`); anything unusual goes line by line (`_parse_lines`). Both give the same
    record; tests/ingest/test_lineparse.py checks that on every variant.
    """
    if text[:1] == "\ufeff":
        # A byte-order mark decoded as text (`read_text(encoding="utf-8")`) would hide the title.
        text = text[1:]
    if "\r" in text or "\x00" in text:
        text = "\n".join(normalize_newlines(text))
    state = _State()
    if not _parse_chunked(text, state):
        state = _State()
        _parse_lines(normalize_newlines(text), 0, state)
    return state.finish()


def _parse_chunked(text: str, state: _State) -> bool:
    """The fast path: False (having done nothing lasting) when the document needs the line walk."""
    starts = [m.start() + 1 for m in _HEADING_START.finditer(text)]
    for begin in starts:
        if text[begin - 2:begin] != "\n\n" and begin != 1:
            return False
    first = _FIRST_HEADING.match(text)
    if first:
        starts.insert(0, 0)
    if any("|" in text[b:text.find("\n", b) if text.find("\n", b) >= 0 else len(text)] for b in starts):
        return False
    bounds = [0, *starts, len(text)]
    line_no = 1
    for k in range(len(bounds) - 1):
        chunk = text[bounds[k]:bounds[k + 1]]
        lines = chunk.split("\n")
        if k > 0:
            if not state.heading(lines[0], line_no):
                return False
            first_line, body_index = line_no + 1, 1
        else:
            first_line, body_index = line_no, 0
        # A chunk that stops at the next heading ends with the newline before it: its last split
        # element is that newline's empty remainder, not a blank line of the document.
        body = lines[body_index:-1] if k < len(bounds) - 2 else lines[body_index:]
        if not (_read_whole_table(body, first_line, state) if "|" in chunk and k > 0 else False):
            _parse_lines(body, first_line - 1, state, headings_allowed=False)
        line_no += len(lines) - 1
    return True


def _read_whole_table(body: list[str], first_line: int, state: _State) -> bool:
    """A section body that is exactly one GFM table with outer pipes -> read; else False."""
    lead = 0
    while lead < len(body) and not body[lead]:
        lead += 1
    tail = len(body)
    while tail > lead and not body[tail - 1]:
        tail -= 1
    lines = body[lead:tail]
    if len(lines) < 2:
        return False
    joined = "\n".join(lines)
    if joined[0] != "|" or joined.count("\n|") != len(lines) - 1:
        return False
    count = _delimiter_columns(lines[1])
    headers = split_cells(lines[0].strip(MD_TRIM))
    if not count or len(headers) != count:
        return False
    record = state.record
    _read_table(lines, 0, headers, state.section, record["tables"], record["problems"], first_line + lead - 1,
                end=len(lines))
    return True


def _parse_lines(lines: list[str], offset: int, state: _State, headings_allowed: bool = True) -> None:
    """The general path: walk lines[...] (line numbers start after `offset`) one by one."""
    record = state.record
    problems = record["problems"]
    tables = record["tables"]
    n = len(lines)
    i = 0
    while i < n:
        raw = lines[i]
        stripped = raw.strip(MD_TRIM)
        if not stripped:
            if state.section == schema.SUMMARY and state.summary_lines:
                state.summary_lines.append("")
            i += 1
            continue
        section = state.section
        # Tables first, as markdown-it-py tries them first: a GFM table starts here when
        # the next line is a delimiter row with as many columns.
        if "|" in stripped and i + 1 < n and _indent(raw) < 4:
            delimiter_count = _delimiter_columns(lines[i + 1]) if "-" in lines[i + 1] else 0
            if delimiter_count:
                headers = split_cells(stripped)
                if len(headers) == delimiter_count:
                    i = _read_table(lines, i, headers, section, tables, problems, offset)
                    continue
                # A heading with pipes in it (`## Signals | x`) over a delimiter row of another width
                # is a heading, as markdown-it-py reads it once its table rule fails: it falls through
                # to the heading below (its section then holds what follows, and reports stray rows).
                if not (headings_allowed and stripped[0] == "#" and heading_parts(raw)[0]):
                    problems.append((
                        offset + i + 1,
                        section,
                        "error",
                        (f"table header has {len(headers)} cells but its delimiter row has {delimiter_count};"
                         f" table not read: {stripped[:200]!r}"),
                    ))
                    # The lines that follow are a paragraph to markdown-it-py: it ends at a blank line
                    # or a block start, and a table may still start inside it (even at the delimiter row).
                    i += 1
                    if not _starts_table(lines, i):
                        i += 1
                        while (i < n and "|" in lines[i] and not _ends_table(lines[i])
                               and not _starts_table(lines, i)):
                            message = f"row not read: {lines[i].strip()[:200]!r}"
                            problems.append((offset + i + 1, section, "error", message))
                            i += 1
                    continue
        if headings_allowed and stripped[0] == "#" and _indent(raw) < 4 and state.heading(raw, offset + i + 1):
            i += 1
            continue
        _text_line(state, raw, stripped, offset + i + 1)
        i += 1


_TEXT_SECTIONS = frozenset((schema.SUMMARY, schema.KEYWORDS, schema.THEMES, schema.OTHER, schema.CLOSEST))


def _text_line(state: _State, raw: str, stripped: str, line_no: int) -> None:
    """A line that is neither a heading nor part of a table, in the current section."""
    section = state.section
    record = state.record
    if section in _TEXT_SECTIONS and stripped[0] == "|" and stripped.count("|") >= 2:
        # A row that lost its table (a moved line, a broken header) among text: kept as the text it
        # now is, and reported, so that no table row goes unmentioned.
        record["problems"].append((
            line_no, section, "warning",
            f"line looks like a table row but is not in a table; kept as {section} text: {stripped[:200]!r}",
        ))
    if section == schema.SUMMARY:
        state.summary_lines.append(stripped)
    elif section == schema.PREAMBLE:
        if "[" in stripped and record["article_url"] is None:
            record["article_url"] = external_link(stripped)
        if stripped[0] == "|" and stripped.count("|") >= 2:
            # A row above every section heading: reported, never silently dropped.
            _stray_row(record, line_no, section, stripped)
    elif section in (schema.KEYWORDS, schema.THEMES, schema.OTHER, schema.CLOSEST):
        bullet = _BULLET.match(raw)
        value = _bullet_text(bullet) if bullet else stripped
        if section == schema.KEYWORDS:
            record["keywords"].append(strip_emphasis(value))
        elif section == schema.THEMES:
            record["themes"].append(strip_emphasis(value))
        elif section == schema.OTHER:
            key, value_text = attribute(strip_emphasis(value))
            if key is not None:
                record["attrs"][key] = value_text
            else:
                record["problems"].append((line_no, section, "warning", f"Other line is not 'Key: value': {value!r}"))
        else:
            record["links"].append(closest_link(value))
    elif section not in schema.TABLE_SECTIONS:
        bullet = _BULLET.match(raw)
        if bullet:
            # A bullet list in a section the format does not name: one row per bullet.
            record["tables"].append((section, [schema.NAME], [line_no], [[_bullet_text(bullet)]], [None]))
        elif stripped[0] == "|" and stripped.count("|") >= 2:
            # A section the format does not name is read as a table section too (its rows are
            # kept): a stray row there is reported like one in Signals, not dropped.
            _stray_row(record, line_no, section, stripped)
    elif stripped.count("|") >= 2:
        _stray_row(record, line_no, section, stripped)


def _stray_row(record: dict, line_no: int, section: str, stripped: str) -> None:
    record["problems"].append((
        line_no, section, "error",
        f"line looks like a table row but is not in a table (no header/delimiter row): {stripped[:200]!r}",
    ))


def external_link(text: str) -> str | None:
    """A preamble line -> the URL of its `[External link](URL)`, or None (no such link, or no URL)."""
    external = _EXTERNAL.search(text)
    return (external.group(1) or None) if external else None


def closest_link(value: str) -> tuple[str, str | None]:
    """A Closest bullet's text -> (the linked document's id, the link's title or None).

    `[Title](2023/00001_ab.md)` -> ("2023/00001_ab", "Title"); a bare `2022/plain` is an id."""
    link = _LINK.search(value)
    if link:
        return _target_id(link.group(2).strip()), link.group(1).strip() or None
    return _target_id(value), None


def _target_id(target: str) -> str:
    """A Closest link's href -> the linked document's id (its path without extension)."""
    target = target.strip().split("#", 1)[0]
    target = target.removeprefix("./")
    for suffix in schema.DOCUMENT_SUFFIXES:
        if target.lower().endswith(suffix):
            return target[: -len(suffix)]
    return target


_RELEVANCY_VALUES = {str(v): v for v in range(schema.RELEVANCY_MIN, schema.RELEVANCY_MAX + 1)}

#: Most columns read from one table (besides relevancy); the rest are reported, not loaded.
MAX_COLUMNS = 64


def _table_end(lines: list[str], start: int) -> int:
    """Index of the first line after the body of the table whose first body line is lines[start]."""
    n = len(lines)
    i = start
    while i < n:
        line = lines[i]
        if not (line[:1] == "|" or not _ends_table(line)):
            break
        i += 1
    return i


def _uniform_columns(body: list[str], width: int) -> list[list[str]] | None:
    """Fast path: the cells of a table body, column by column, when every row is `| c | ... |`
    with exactly `width` cells and no escaped pipes; else None.

    One split of the joined body instead of a split per row: the parser's hot loop (measured 3x
    faster on the benchmark corpus than splitting row by row).
    """
    text = "\n".join(body)
    if "\\|" in text:
        return None
    step = width + 1
    parts = text.split("|")
    if len(parts) != len(body) * step + 1:
        return None
    separators = parts[::step]
    if "".join(separators).strip(MD_TRIM):
        return None
    # Each separator between rows must hold its row break (else an empty cell stands in for one);
    # no other part can hold one, as every line starts with a pipe.
    if "".join(separators[1:-1]).count("\n") != len(body) - 1:
        return None
    # One C-level map over every cell, then slices per column. str.strip() with no argument is 4x
    # faster than with the CommonMark set, and equal to it unless a cell holds one of the five
    # characters Python counts as whitespace and CommonMark does not.
    if any(ch in text for ch in _PY_ONLY_SPACE):
        cells = list(map(str.strip, parts, repeat(MD_TRIM, len(parts))))
    else:
        cells = list(map(str.strip, parts))
    return [cells[column::step] for column in range(1, step)]


def _read_table(
    lines: list[str], start: int, headers: list[str], section: str, tables: list, problems: list, offset: int = 0,
    end: int | None = None,
) -> int:
    """Read the GFM table whose header is lines[start]; append it to tables; return the next line index.

    Line numbers in the record are 1-based and shifted by `offset` (where `lines` starts in the file).
    """
    columns = list(column_names(tuple(h.strip(MD_TRIM) for h in headers)))
    width = len(columns)
    relevancy_at = columns.index(schema.RELEVANCY) if schema.RELEVANCY in columns else -1
    kept = [c for c in columns if c != schema.RELEVANCY] if relevancy_at >= 0 else columns
    if end is None:
        end = _table_end(lines, start + 2)
    body = lines[start + 2:end]
    by_column = _uniform_columns(body, width) if body else [[] for _ in range(width)]
    if by_column is None:
        by_column = _ragged_columns(body, offset + start + 2, width, section, problems)
    row_lines = list(range(offset + start + 3, offset + end + 1))
    if relevancy_at >= 0:
        raw_relevancy = by_column.pop(relevancy_at)
        relevancy = list(map(_RELEVANCY_VALUES.get, raw_relevancy))
        if None in relevancy:
            for k, value in enumerate(raw_relevancy):
                if relevancy[k] is None:
                    relevancy[k], message = parse_relevancy(value)
                    if message:
                        problems.append((row_lines[k], section, "warning", message + "; row kept without relevancy"))
    else:
        relevancy = [None] * len(body)
    if len(kept) > MAX_COLUMNS:
        # Every distinct column becomes a column of the corpus-wide items frame: one hostile header
        # of thousands of cells would multiply the memory of every row of every document.
        problems.append((
            offset + start + 1, section, "warning",
            (f"table has {len(kept)} columns; only the first {MAX_COLUMNS} loaded"
             f" (not loaded: {', '.join(kept[MAX_COLUMNS:MAX_COLUMNS + 5])}, ...)"),
        ))
        kept, by_column = kept[:MAX_COLUMNS], by_column[:MAX_COLUMNS]
    rows = list(map(list, zip(*by_column))) if by_column else [[] for _ in body]
    tables.append((section, kept, row_lines, rows, relevancy))
    return end


def _ragged_columns(body: list[str], first: int, width: int, section: str, problems: list) -> list[list[str]]:
    """The general path: split row by row, padding short rows and reporting long ones."""
    columns: list[list[str]] = [[] for _ in range(width)]
    for offset, raw in enumerate(body):
        cells = [c.strip(MD_TRIM) for c in split_cells(raw.strip(MD_TRIM))]
        count = len(cells)
        if count < width:
            problems.append((
                first + offset + 1, section, "warning",
                f"row has {count} cells, the header {width}; missing cells left empty",
            ))
            cells.extend([""] * (width - count))
        elif count > width:
            extra = " | ".join(cells[width:])
            problems.append((
                first + offset + 1, section, "warning",
                f"row has {count} cells, the header {width}; extra cells not loaded: {extra[:300]!r}",
            ))
        for column, cell in zip(columns, cells):
            column.append(cell)
    return columns
