"""Files -> parsed batches. Runs in worker processes, so it imports only the parser (no pandas).

A *batch* is column-oriented plain Python (lists per column): cheap to pickle back to the parent,
which turns it into Arrow tables (signals.ingest.frames).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable

import xxhash

from signals import schema
from signals.ingest.lineparse import parse_document

#: Raw documents column: each document's own {section: [columns]} as JSON, so that the corpus-wide
#: section columns can be rebuilt exactly when cached documents are dropped or re-parsed.
SECTION_COLUMNS = "section_columns"

#: How a file that could not be opened or read starts its problem message (the cache keys on it).
UNREADABLE = "cannot read file"

_BOMS = ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))


def changed_ns(stat: os.stat_result) -> int:
    """When a file last changed, for the cache key: the later of its mtime and ctime.

    mtime alone can be set back (`touch -r`, `cp -p`, an editor or sync tool that keeps it): a
    same-size edit would then be served from the cache, stale. ctime cannot be set, and moves on
    every write (and on chmod or a new hard link, which cost a re-parse, never a stale row).
    """
    return max(stat.st_mtime_ns, stat.st_ctime_ns)


def content_digest(data: bytes) -> str:
    """A file's bytes -> the digest that tells two files with the same bytes (duplicates).

    xxHash's XXH3, 128 bits: 1.2 us for an 8 KB document where blake2b took 12 us (a tenth of
    the parse cost per document, measured on the 10k corpus). Not a defence against crafted
    collisions, which could at worst flag a document as a duplicate (both are kept).
    """
    return xxhash.xxh3_128_hexdigest(data)


def decode(data: bytes) -> tuple[str | None, tuple[int, str, str] | None]:
    """File bytes -> (text or None, a problem (line, severity, message) or None).

    UTF-8 (with or without a byte-order mark) and UTF-16 with a BOM are read as such; other bytes
    fall back to cp1252, then latin-1, with a warning naming the line of the first bad byte.
    Binary content (NUL bytes in UTF-8/8-bit text) is refused.
    """
    utf8_bom = _BOMS[0][0]
    if data.startswith(utf8_bom):
        # UTF-8 with a BOM and a stray bad byte: the same cp1252 fallback as without the BOM,
        # not a skipped file.
        data = data[len(utf8_bom):]
    else:
        for bom, encoding in _BOMS[1:]:
            if data.startswith(bom):
                try:
                    return data[len(bom):].decode(encoding), None
                except UnicodeDecodeError as error:
                    return None, (1, "error",
                                  f"starts with a {encoding} byte-order mark but is not {encoding}: {error}")
    if b"\x00" in data[:65536]:
        return None, (1, "error", "binary file (contains NUL bytes), not a text document; skipped")
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        for fallback in ("cp1252", "latin-1"):
            try:
                text = data.decode(fallback)
            except UnicodeDecodeError:
                continue
            return text, (line, "warning", f"not valid UTF-8 (first bad byte at line {line}); decoded as {fallback}")
    return None, (1, "error", "undecodable")  # pragma: no cover - latin-1 decodes any bytes


class Batch:
    """Column lists for the documents of one batch of files (see module docstring)."""

    def __init__(self) -> None:
        self.documents: dict[str, list] = {
            "doc_id": [], "path": [], "title": [], "page_id": [], "page_url": [], "article_url": [],
            "summary": [], "digest": [], SECTION_COLUMNS: [],
        }
        self.attrs: list[dict[str, str]] = []
        self.keywords: dict[str, list] = {"doc_id": [], "keyword": []}
        self.themes: dict[str, list] = {"doc_id": [], "theme": []}
        self.links: dict[str, list] = {"doc_id": [], "target_id": [], "title": []}
        self.items: dict[str, list] = {c: [] for c in (*schema.ITEM_KEY_COLUMNS, schema.RELEVANCY)}
        self.item_count = 0
        self.section_columns: dict[str, list[str]] = {}
        self.problems: dict[str, list] = {
            "doc_id": [], "path": [], "line": [], "section": [], "severity": [], "message": [],
        }

    def problem(self, doc_id: str, path: str, line: int, section: str | None, severity: str, message: str) -> None:
        p = self.problems
        p["doc_id"].append(doc_id)
        p["path"].append(path)
        p["line"].append(line)
        p["section"].append(section)
        p["severity"].append(severity)
        p["message"].append(message)

    def add(self, doc_id: str, path: str, record: dict, digest: str) -> None:
        """Append one parsed document's record."""
        d = self.documents
        d["doc_id"].append(doc_id)
        d["path"].append(path)
        d["title"].append(record["title"])
        d["page_id"].append(record["page_id"])
        d["page_url"].append(record["page_url"])
        d["article_url"].append(record["article_url"])
        d["summary"].append(record["summary"])
        d["digest"].append(digest)
        self.attrs.append(record["attrs"])
        if record["keywords"]:
            self.keywords["doc_id"].extend([doc_id] * len(record["keywords"]))
            self.keywords["keyword"].extend(record["keywords"])
        if record["themes"]:
            self.themes["doc_id"].extend([doc_id] * len(record["themes"]))
            self.themes["theme"].extend(record["themes"])
        for target, title in record["links"]:
            self.links["doc_id"].append(doc_id)
            self.links["target_id"].append(target)
            self.links["title"].append(title)
        for line, section, severity, message in record["problems"]:
            self.problem(doc_id, path, line, section, severity, message)
        d[SECTION_COLUMNS].append(json.dumps(self._add_tables(doc_id, record["tables"])))

    def _add_tables(self, doc_id: str, tables: list) -> dict[str, list[str]]:
        """Append a document's table rows; return its own {section: [columns]}."""
        items = self.items
        next_row: dict[str, int] = {}
        own: dict[str, list[str]] = {}
        for section, columns, lines, rows, relevancy in tables:
            count = len(rows)
            known = self.section_columns.setdefault(section, [])
            mine = own.setdefault(section, [])
            for column in columns:
                if column not in known:
                    known.append(column)
                if column not in mine:
                    mine.append(column)
            if not count:
                continue
            start = next_row.get(section, 0)
            next_row[section] = start + count
            items["doc_id"].extend([doc_id] * count)
            items["section"].extend([section] * count)
            items["row"].extend(range(start, start + count))
            items["line"].extend(lines)
            items[schema.RELEVANCY].extend(relevancy)
            by_column = list(zip(*rows)) if columns else []
            for column, values in zip(columns, by_column):
                target = items.get(column)
                if target is None:
                    # A column first seen now: earlier rows of this batch lack it.
                    target = items[column] = [None] * self.item_count
                target.extend(values)
            self.item_count += count
            for column, target in items.items():
                if len(target) < self.item_count:
                    target.extend([None] * (self.item_count - len(target)))
        return own


def read_files(files: list[tuple[str, str, str]], parse: Callable[[str], dict] = parse_document) -> Batch:
    """[(absolute path, doc_id, display path)] -> one Batch. Unreadable or non-documents become problems.

    The display path (relative to the corpus root) is what documents and problems record. `parse`
    is the document parser (the benchmark swaps in its markdown-it-py reference).
    """
    batch = Batch()
    for location, doc_id, path in files:
        try:
            with open(location, "rb") as handle:
                data = handle.read()
        except OSError as error:
            batch.problem(doc_id, path, 0, None, "error", f"{UNREADABLE}: {error.strerror or error}; skipped")
            continue
        if not data.strip():
            batch.problem(doc_id, path, 0, None, "error", "empty file; skipped")
            continue
        text, decode_problem = decode(data)
        if decode_problem:
            line, severity, message = decode_problem
            batch.problem(doc_id, path, line, None, severity, message)
        if text is None:
            continue
        try:
            record = parse(text)
        except Exception as error:  # noqa: BLE001 - a parser bug must not stop the other files
            batch.problem(doc_id, path, 0, None, "error", f"parser failed: {type(error).__name__}: {error}; skipped")
            continue
        if not record["is_document"]:
            batch.problem(doc_id, path, 1, None, "error", "not a signal document (no page id in a title line, no known section); skipped")
            continue
        batch.add(doc_id, path, record, content_digest(data))
    return batch
