"""One document's text -> a parsed record. Pure Python: no pandas, no I/O.

Hand-written rather than built on markdown-it-py because a markdown-it-py loader measured about
30x slower on the 10k benchmark corpus (see docs/performance.md); the GFM table rules below mirror
markdown-it-py's `rules_block/table.py` and are tested differentially against it
(tests/test_parse_differential.py).

A parsed record is a plain dict (cheap to pickle between processes):

    title, page_id, page_url, article_url, summary: str | None
    attrs: {slug: value} from the Other list
    keywords, themes: [str]
    links: [(target_id, title)] from the Closest list
    tables: [(section, columns, lines, rows, relevancy)] -- one entry per GFM table;
        columns are canonical names (relevancy excluded), rows lists of cells aligned to columns,
        relevancy a list of int | None, lines the 1-based line of each row
    problems: [(line, section, severity, message)]
    is_document: False when nothing in the text looks like a signal document
"""

from __future__ import annotations

import re

from signals import schema

# CommonMark's whitespace set, as markdown-it-py's mdTrim uses it (str.strip() would also eat NBSP).
_MD_TRIM = " \t\n\r\v\f"

_HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]*(.*?)[ \t]*(?:#+[ \t]*)?$")
_BULLET = re.compile(r"^\s{0,3}[-*+][ \t]+(.*?)\s*$")
_LINK = re.compile(r"\[([^\]]*)\]\(\s*<?([^)\s>]*)>?(?:\s+\"[^\"]*\")?\s*\)")
_FROM = re.compile(r"[,\s]*\(?\s*from\b", re.IGNORECASE)
_EXTERNAL = re.compile(r"\[\s*external link\s*\]\(\s*<?([^)\s>]*)", re.IGNORECASE)
_ATTR = re.compile(r"^([^:]{1,60}):\s*(.*)$")
_EMPHASIS = re.compile(r"^(\*\*|__|\*|_)(.+)\1$")
_UNESCAPED_PIPE = re.compile(r"(?<!\\)\|")
_DELIM_CELL = re.compile(r"^:?-+:?$")
_DATE_ID = re.compile(r"^(\d{4})(\d{2})(\d{2})(\D.*)?$")

# Block starts that end a GFM table body in markdown-it-py (its "blockquote" terminator rules).
_TERMINATORS = re.compile(
    r"""^(?:
        \#{1,6}(?:[ \t]|$)            # ATX heading
      | >                              # blockquote
      | (?:`{3,}[^`]*|~{3,}.*)$        # code fence
      | (?:([-*_])[ \t]*(?:\1[ \t]*){2,})$   # thematic break
      | [-*+](?:[ \t]|$)               # bullet list item
      | \d{1,9}[.)](?:[ \t]|$)         # ordered list item
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
    if text.strip("|-: \t"):
        return 0
    parts = text.rstrip("\n").split("|")
    count = 0
    last = len(parts) - 1
    for i, part in enumerate(parts):
        cell = part.strip(_MD_TRIM)
        if not cell:
            if i == 0 or i == last:
                continue
            return 0
        if not _DELIM_CELL.match(cell):
            return 0
        count += 1
    return count


def _ends_table(raw: str) -> bool:
    """Whether a line after a table's header ends its body (blank, code-indented or a block start)."""
    indent = _indent(raw)
    if indent >= 4:
        return True
    text = raw.strip(_MD_TRIM)
    if not text:
        return True
    first = text[0]
    if first == "|":
        return False
    if first in "#>`~-*_+" or first.isdigit():
        if _TERMINATORS.match(raw.lstrip(" ")):
            return True
    if first == "<":
        stripped = raw.lstrip(" ")
        if _HTML_BLOCK.match(stripped):
            return True
        tag = _HTML_BLOCK_TAG.match(stripped)
        if tag and tag.group(1).lower() in _HTML_BLOCK_NAMES:
            return True
    return False


def _strip_emphasis(text: str) -> str:
    text = text.strip()
    while True:
        match = _EMPHASIS.match(text)
        if not match:
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


def _parse_title(line: str, record: dict) -> None:
    body = line.lstrip()[1:].strip()
    match = _FROM.search(body)
    if match:
        link = _LINK.search(body, match.end())
        if link:
            record["page_id"] = link.group(1).strip()
            record["page_url"] = link.group(2).strip() or None
            body = body[: match.start()]
    record["title"] = _strip_emphasis(body.rstrip(" ,")) or None


def _unique_columns(headers: list[str]) -> list[str]:
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
    return names


def parse_document(text: str) -> dict:
    """A document's text -> its parsed record (see the module docstring for the shape)."""
    lines = normalize_newlines(text)
    record: dict = {
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
    problems = record["problems"]
    tables = record["tables"]
    section = schema.PREAMBLE
    seen_sections: set[str] = set()
    summary_lines: list[str] = []
    title_seen = False
    n = len(lines)
    i = 0
    while i < n:
        raw = lines[i]
        stripped = raw.strip(_MD_TRIM)
        if not stripped:
            if section == schema.SUMMARY and summary_lines:
                summary_lines.append("")
            i += 1
            continue
        # Tables first, as markdown-it-py tries them first: a GFM table starts here when
        # the next line is a delimiter row with as many columns.
        if "|" in stripped and i + 1 < n and _indent(raw) < 4:
            delimiter_count = _delimiter_columns(lines[i + 1]) if "-" in lines[i + 1] else 0
            if delimiter_count:
                headers = split_cells(stripped)
                if len(headers) == delimiter_count:
                    i = _read_table(lines, i, headers, section, tables, problems)
                    continue
                problems.append((
                    i + 1,
                    section,
                    "error",
                    f"table header has {len(headers)} cells but its delimiter row has {delimiter_count};"
                    f" table not read: {stripped[:200]!r}",
                ))
                i += 2
                while i < n and lines[i].strip(_MD_TRIM) and "|" in lines[i]:
                    problems.append((i + 1, section, "error", f"row not read: {lines[i].strip()[:200]!r}"))
                    i += 1
                continue
        first = stripped[0]
        if first == "#" and _indent(raw) < 4:
            heading = _HEADING.match(raw)
            if heading:
                level = len(heading.group(1))
                if level == 1 and not title_seen and section == schema.PREAMBLE:
                    title_seen = True
                    _parse_title(raw, record)
                    i += 1
                    continue
                section = schema.section_slug(heading.group(2))
                if section in seen_sections:
                    problems.append((i + 1, section, "info", f"section {section!r} repeated; rows appended"))
                seen_sections.add(section)
                i += 1
                continue
        if section == schema.SUMMARY:
            summary_lines.append(stripped)
        elif "[" in stripped and record["article_url"] is None and section == schema.PREAMBLE:
            external = _EXTERNAL.search(stripped)
            if external:
                record["article_url"] = external.group(1) or None
        elif section in (schema.KEYWORDS, schema.THEMES, schema.OTHER, schema.CLOSEST):
            bullet = _BULLET.match(raw)
            value = bullet.group(1) if bullet else stripped
            if section == schema.KEYWORDS:
                record["keywords"].append(_strip_emphasis(value))
            elif section == schema.THEMES:
                record["themes"].append(_strip_emphasis(value))
            elif section == schema.OTHER:
                attr = _ATTR.match(_strip_emphasis(value))
                if attr:
                    key = schema.slug(attr.group(1)) or "attribute"
                    record["attrs"][key] = _strip_emphasis(attr.group(2))
                else:
                    problems.append((i + 1, section, "warning", f"Other line is not 'Key: value': {value!r}"))
            else:
                link = _LINK.search(value)
                if link:
                    target = link.group(2).strip()
                    record["links"].append((_target_id(target), link.group(1).strip() or None))
                else:
                    record["links"].append((_target_id(value), None))
        elif section not in schema.TABLE_SECTIONS and section != schema.PREAMBLE:
            bullet = _BULLET.match(raw)
            if bullet:
                # A bullet list in a section the format does not name: one row per bullet.
                tables.append((section, [schema.NAME], [i + 1], [[bullet.group(1)]], [None]))
        elif stripped.count("|") >= 2 and section in schema.TABLE_SECTIONS:
            problems.append((
                i + 1, section, "error",
                f"line looks like a table row but is not in a table (no header/delimiter row): {stripped[:200]!r}",
            ))
        i += 1

    if summary_lines:
        record["summary"] = "\n".join(summary_lines).strip() or None
    record["is_document"] = bool(title_seen or seen_sections or tables)
    return record


def _target_id(target: str) -> str:
    """A Closest link's href -> the linked document's id (its path without extension)."""
    target = target.strip().split("#", 1)[0]
    target = target.removeprefix("./")
    for suffix in schema.DOCUMENT_SUFFIXES:
        if target.lower().endswith(suffix):
            return target[: -len(suffix)]
    return target


def _read_table(
    lines: list[str], start: int, headers: list[str], section: str, tables: list, problems: list
) -> int:
    """Read the GFM table whose header is lines[start]; append it to tables; return the next line index."""
    columns = _unique_columns([h.strip(_MD_TRIM) for h in headers])
    width = len(columns)
    relevancy_at = columns.index(schema.RELEVANCY) if schema.RELEVANCY in columns else -1
    kept = [c for c in columns if c != schema.RELEVANCY] if relevancy_at >= 0 else columns
    row_lines: list[int] = []
    rows: list[list[str]] = []
    relevancy: list[int | None] = []
    n = len(lines)
    i = start + 2
    while i < n:
        raw = lines[i]
        if _ends_table(raw):
            break
        text = raw.strip(_MD_TRIM)
        cells = [c.strip(_MD_TRIM) for c in split_cells(text)]
        count = len(cells)
        if count != width:
            if count < width:
                problems.append((
                    i + 1, section, "warning",
                    f"row has {count} cells, the header {width}; missing cells left empty",
                ))
                cells.extend([""] * (width - count))
            else:
                extra = " | ".join(cells[width:])
                problems.append((
                    i + 1, section, "warning",
                    f"row has {count} cells, the header {width}; extra cells not loaded: {extra[:300]!r}",
                ))
                del cells[width:]
        if relevancy_at >= 0:
            value, message = parse_relevancy(cells.pop(relevancy_at))
            if message:
                problems.append((i + 1, section, "warning", message + "; row kept without relevancy"))
            relevancy.append(value)
        else:
            relevancy.append(None)
        rows.append(cells)
        row_lines.append(i + 1)
        i += 1
    tables.append((section, kept, row_lines, rows, relevancy))
    return i
