"""An independent count of a document's table rows: the oracle behind "nothing lost".

Shared by tests/ingest/test_hostile_input.py, tests/ingest/test_fuzz.py and benchmarks/fuzz_loader.py. It does
not use signals.ingest.lineparse: it reads the text with a few plain rules and names the lines that hold a
table row, so that a check can ask the loader where each of them went.

A *row line* is a line that, without its leading and trailing spaces and tabs, starts with `|` and
holds at least two pipes; that is not a delimiter row (only `|`, `-`, `:` and blanks); and that is
not a table's header (the next line is a delimiter row). Wherever it stands -- in a table, under a
heading the format does not name, in a Summary, before the first heading -- it is data someone
wrote as a table row, and where it went must be known. The count is a lower bound on purpose: a
body row without outer pipes, or one that looks like a delimiter, is not counted.

`unaccounted(text, item_lines, problem_lines)` gives the row lines that are neither the line of an
item nor the line of a problem; `misplaced(text, tables)` the items whose cells are not on the line
the loader gave them; `audit(inputs, raw)` applies both to the loader's raw tables for many files.
"""

from __future__ import annotations

_DELIMITER_CHARS = frozenset("|-: \t")


def text_of(data: bytes) -> str:
    """File bytes -> text for counting (only line ends matter): BOMs honoured, else UTF-8, cp1252,
    latin-1 -- what a person's editor would show, not the loader's decoder."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    for bom, encoding in ((b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if data.startswith(bom):
            return data[2:].decode(encoding, errors="replace")
    for encoding in ("utf-8", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def lines_of(text: str) -> list[str]:
    """Text -> lines, split on LF, CRLF and CR (CommonMark's line ends), without a leading BOM."""
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")


def _is_delimiter(line: str) -> bool:
    stripped = line.strip(" \t")
    return "-" in stripped and set(stripped) <= _DELIMITER_CHARS


def _looks_like_row(line: str) -> bool:
    stripped = line.strip(" \t")
    return stripped.startswith("|") and stripped.count("|") >= 2 and not _is_delimiter(stripped)


def row_lines(text: str) -> list[int]:
    """The 1-based numbers of the lines that hold a table row (see the module docstring)."""
    lines = lines_of(text)
    found = []
    for index, line in enumerate(lines):
        if not _looks_like_row(line):
            continue
        if index + 1 < len(lines) and _is_delimiter(lines[index + 1]):
            continue  # a header
        found.append(index + 1)
    return found


def unaccounted(text: str, item_lines: set[int], problem_lines: set[int]) -> list[int]:
    """Row lines that are neither an item's line nor a problem's line: rows the loader lost."""
    return [n for n in row_lines(text) if n not in item_lines and n not in problem_lines]


def misplaced(text: str, tables: list) -> list[tuple[int, str]]:
    """Items (from a parsed record's tables) whose cells are not on the line they claim: (line, cell).

    Each non-empty cell of a row must appear on its line (escaped pipes read as pipes).
    """
    lines = lines_of(text)
    wrong = []
    for _section, _columns, numbers, rows, _relevancy in tables:
        for number, cells in zip(numbers, rows, strict=True):
            if not 1 <= number <= len(lines):
                wrong.append((number, "<no such line>"))
                continue
            line = lines[number - 1].replace("\\|", "|").replace("\x00", "\ufffd")
            for cell in cells:
                if cell and cell not in line:
                    wrong.append((number, cell))
                    break
    return wrong


#: Item columns that are not cells of the row's line.
_KEY_COLUMNS = frozenset({"doc_id", "section", "row", "line", "relevancy", "label"})


def audit(inputs: dict[str, bytes], raw: dict) -> dict[str, list]:
    """Files given to the loader ({doc_id: bytes}) and the raw Arrow tables it made of them ->
    what went wrong, as lists (all empty when nothing did):

    parser_failed  doc_ids whose parse raised (the reader turns that into a problem)
    unreported     doc_ids neither loaded nor reported with an error
    lost           (doc_id, line) of row lines that are neither items nor problems
    misplaced      (doc_id, line, cell) of items whose cells are not on their line
    """
    loaded = set(raw["documents"].column("doc_id").to_pylist()) if raw["documents"].num_rows else set()
    problem_lines: dict[str, set[int]] = {}
    errors: set[str] = set()
    parser_failed = []
    for problem in raw["problems"].to_pylist():
        problem_lines.setdefault(problem["doc_id"], set()).add(problem["line"])
        if problem["severity"] == "error":
            errors.add(problem["doc_id"])
        if problem["message"].startswith("parser failed"):
            parser_failed.append(problem["doc_id"])
    items_by_doc: dict[str, list[dict]] = {}
    for item in raw["items"].to_pylist():
        items_by_doc.setdefault(item["doc_id"], []).append(item)
    result: dict[str, list] = {"parser_failed": parser_failed, "unreported": [], "lost": [], "misplaced": []}
    for doc_id, data in inputs.items():
        if doc_id not in loaded:
            if doc_id not in errors:
                result["unreported"].append(doc_id)
            continue  # skipped whole, and said so: its rows are with the file's problem
        text = text_of(data)
        items = items_by_doc.get(doc_id, [])
        lost = unaccounted(text, {item["line"] for item in items}, problem_lines.get(doc_id, set()))
        result["lost"].extend((doc_id, line) for line in lost)
        lines = lines_of(text)
        for item in items:
            number = item["line"]
            line = lines[number - 1].replace("\\|", "|").replace("\x00", "\ufffd") if 1 <= number <= len(lines) else ""
            for column, value in item.items():
                if column not in _KEY_COLUMNS and isinstance(value, str) and value and value not in line:
                    result["misplaced"].append((doc_id, number, value[:60]))
                    break
    return result
