"""Raw tables: what parsing files yields, per file, before any corpus-wide step; what the cache stores.

This module owns their columns, the attribute names a document may not take as they are, and the
one merge of per-section column lists that every step uses (a batch, parts of a load, cached and
fresh tables, two corpora). pyarrow and numpy only, so that parser worker processes stay light.

    documents  doc_id, path, title, page_id, page_url, article_url, summary, digest, section_columns,
               then one column per `Other` attribute key (attribute_column)
    keywords   doc_id, keyword          themes  doc_id, theme
    links      doc_id, target_id, title
    items      doc_id, section, row, line, relevancy, then every table column met; the schema's
               metadata holds the section columns ({section: [columns]}, see section_columns_of)
    problems   doc_id, path, line, section, severity, message
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import chain

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from signals import schema

RAW_TABLES = ("documents", "keywords", "themes", "links", "items", "problems")

#: Raw documents column: each document's own {section: [columns]} as JSON, so that the corpus-wide
#: section columns can be rebuilt exactly when cached documents are dropped or re-parsed.
SECTION_COLUMNS = "section_columns"

#: The raw documents' own columns, in order (attribute columns follow).
DOCUMENT_COLUMNS = ("doc_id", "path", "title", "page_id", "page_url", "article_url", "summary", "digest",
                    SECTION_COLUMNS)
#: The raw items' own columns, in order (table columns follow).
ITEM_COLUMNS = (*schema.ITEM_KEY_COLUMNS, schema.RELEVANCY)
KEYWORD_COLUMNS = ("doc_id", "keyword")
THEME_COLUMNS = ("doc_id", "theme")
LINK_COLUMNS = ("doc_id", "target_id", "title")
PROBLEM_COLUMNS = ("doc_id", *schema.PROBLEM_COLUMNS)
_FIXED_COLUMNS = {"keywords": KEYWORD_COLUMNS, "themes": THEME_COLUMNS, "links": LINK_COLUMNS,
                  "problems": PROBLEM_COLUMNS}

#: `Other` keys that would take the name of a documents column, raw or derived (`Date: ...`):
#: such an attribute is kept as `other_<key>` (attribute_column).
RESERVED_ATTRIBUTES = frozenset(DOCUMENT_COLUMNS) | {"date", "domain", "duplicate_of", "theme", "keyword"}

_STRING = pa.string()

#: A table layout in one document: ((section, columns, has rows), ...) in the order of its tables.
Shape = tuple[tuple[str, tuple[str, ...], bool], ...]


def attribute_column(key: str) -> str:
    """An `Other` attribute's key -> its documents column."""
    return f"other_{key}" if key in RESERVED_ATTRIBUTES else key


# ---------------------------------------------------------------------------------------------
# Section columns: the one merge
# ---------------------------------------------------------------------------------------------
def merge_section_columns(tables: Iterable[tuple[str, Iterable[str]]]) -> dict[str, list[str]]:
    """(section, columns) of tables, in order -> {section: its columns in order of first appearance}.

    Sections in order of first appearance too. The columns a section shows are every column any of
    its tables has (a table without rows included): in a batch, a load, cached plus fresh
    documents, two corpora put together.
    """
    merged: dict[str, list[str]] = {}
    seen: dict[str, set[str]] = {}
    for section, columns in tables:
        known = merged.setdefault(section, [])
        known_set = seen.setdefault(section, set())
        for column in columns:
            if column not in known_set:
                known_set.add(column)
                known.append(column)
    return merged


def section_columns_of(items: pa.Table) -> dict[str, list[str]]:
    """The per-section column lists recorded in a raw items table's metadata."""
    recorded = (items.schema.metadata or {}).get(b"section_columns")
    return json.loads(recorded) if recorded else {}


def with_section_columns(items: pa.Table, section_columns: dict[str, list[str]]) -> pa.Table:
    """A raw items table carrying these section columns (and no other metadata)."""
    return items.replace_schema_metadata({"section_columns": json.dumps(section_columns, sort_keys=True)})


# ---------------------------------------------------------------------------------------------
# Records -> raw tables (the line parser's path)
# ---------------------------------------------------------------------------------------------
class Batch:
    """Column lists for the documents of one batch of files: lineparse records in, raw tables out
    (batch_to_raw). Plain Python lists: the path documents take one at a time."""

    def __init__(self) -> None:
        self.documents: dict[str, list] = {column: [] for column in DOCUMENT_COLUMNS}
        self.attrs: list[dict[str, str]] = []
        self.keywords: dict[str, list] = {column: [] for column in KEYWORD_COLUMNS}
        self.themes: dict[str, list] = {column: [] for column in THEME_COLUMNS}
        self.links: dict[str, list] = {column: [] for column in LINK_COLUMNS}
        self.items: dict[str, list] = {column: [] for column in ITEM_COLUMNS}
        self.item_count = 0
        #: (section, columns) of every table added, in order: what merge_section_columns reads.
        self.table_columns: list[tuple[str, list[str]]] = []
        self.problems: dict[str, list] = {column: [] for column in PROBLEM_COLUMNS}

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
        own = [(section, columns) for section, columns, _, _, _ in record["tables"]]
        self.table_columns.extend(own)
        d[SECTION_COLUMNS].append(json.dumps(merge_section_columns(own)))
        self._add_rows(doc_id, record["tables"])

    def _add_rows(self, doc_id: str, tables: list) -> None:
        """Append a document's table rows (row numbers count on within a repeated section)."""
        items = self.items
        next_row: dict[str, int] = {}
        for section, columns, lines, rows, relevancy in tables:
            count = len(rows)
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

def _text_table(columns: dict[str, list], types: dict[str, pa.DataType] | None = None) -> pa.Table:
    types = types or {}
    return pa.table({name: pa.array(values, type=types.get(name, _STRING)) for name, values in columns.items()})


def batch_to_raw(batch: Batch) -> dict[str, pa.Table]:
    """One Batch -> raw tables keyed by RAW_TABLES names."""
    documents = dict(batch.documents)
    attr_names = dict.fromkeys(chain.from_iterable(batch.attrs))
    for key in attr_names:
        documents[attribute_column(key)] = [attrs.get(key) for attrs in batch.attrs]
    item_types = {"row": pa.int32(), "line": pa.int32(), schema.RELEVANCY: pa.int8()}
    raw = {
        "documents": _text_table(documents),
        "keywords": _text_table(batch.keywords),
        "themes": _text_table(batch.themes),
        "links": _text_table(batch.links),
        "items": _text_table(batch.items, item_types),
        "problems": _text_table(batch.problems, {"line": pa.int32()}),
    }
    raw["items"] = with_section_columns(raw["items"], merge_section_columns(batch.table_columns))
    return raw


# ---------------------------------------------------------------------------------------------
# Putting raw tables together
# ---------------------------------------------------------------------------------------------
@dataclass
class Part:
    """Raw tables of some of one chunk's files, and what orders their columns: each document's
    `Other` keys and table layout (Shape), by its position among the chunk's files. Documents whose
    keys or layout repeat an earlier document's of the same part may be left out of the events."""

    tables: dict[str, pa.Table]
    key_events: list[tuple[int, tuple[str, ...]]]
    shape_events: list[tuple[int, Shape]]


def interleave(parts: Sequence[Part], doc_ids: Sequence[str]) -> dict[str, pa.Table]:
    """Parts of one chunk's raw tables (the batch parser's, the line parser's) -> one set of raw
    tables, as one Batch over all the chunk's files would have made it: rows in file order (the
    order of `doc_ids`, which are distinct), attribute and table columns in the order it would
    have met them, section columns merged in file order."""
    key_events = sorted(chain.from_iterable(part.key_events for part in parts), key=lambda e: e[0])
    shape_events = sorted(chain.from_iterable(part.shape_events for part in parts), key=lambda e: e[0])
    attr_columns = dict.fromkeys(attribute_column(key) for _, keys in key_events for key in keys)
    item_columns = dict.fromkeys(ITEM_COLUMNS)
    for _, shape in shape_events:
        for _, columns, has_rows in shape:
            if has_rows:
                item_columns.update(dict.fromkeys(c for c in columns if c not in item_columns))
    section_columns = merge_section_columns(
        (section, columns) for _, shape in shape_events for section, columns, _ in shape)
    order = {"documents": [*DOCUMENT_COLUMNS, *attr_columns], "items": list(item_columns), **_FIXED_COLUMNS}
    value_set = pa.array(doc_ids, _STRING)
    merged = {}
    for name in RAW_TABLES:
        tables = [part.tables[name].replace_schema_metadata(None) for part in parts if name in part.tables]
        table = pa.concat_tables(tables, promote_options="default")
        if sum(1 for t in tables if t.num_rows) > 1:  # each part's rows are in file order already
            position = pc.index_in(table["doc_id"], value_set=value_set).to_numpy()
            table = table.take(pa.array(np.argsort(position, kind="stable")))
        merged[name] = table.select(order[name])
    merged["items"] = with_section_columns(merged["items"], section_columns)
    return merged


def merge_raw(parts: list[dict[str, pa.Table]]) -> dict[str, pa.Table]:
    """Concatenate raw tables of several loads' parts: chunks, or cached and fresh tables (columns
    unified, missing ones null; section columns merged in order)."""
    section_columns = merge_section_columns(
        chain.from_iterable(section_columns_of(part["items"]).items() for part in parts))
    merged: dict[str, pa.Table] = {}
    for name in RAW_TABLES:
        tables = [part[name].replace_schema_metadata(None) for part in parts if name in part]
        merged[name] = pa.concat_tables(tables, promote_options="permissive") if tables else pa.table({})
    merged["items"] = with_section_columns(merged["items"], section_columns)
    return merged


def drop_documents(raw: dict[str, pa.Table], doc_ids: set[str]) -> dict[str, pa.Table]:
    """Raw tables without the rows of the given documents (used when files changed or vanished)."""
    if not doc_ids:
        return raw
    value_set = pa.array(sorted(doc_ids), type=_STRING)
    kept = {}
    for name, table in raw.items():
        if "doc_id" in table.column_names and table.num_rows:
            mask = pc.invert(pc.is_in(table["doc_id"], value_set=value_set))
            kept[name] = table.filter(mask)
        else:
            kept[name] = table
    return kept


_OWN_COLUMNS = {"documents": frozenset(DOCUMENT_COLUMNS), "items": frozenset(ITEM_COLUMNS)}


def refresh(raw: dict[str, pa.Table]) -> dict[str, pa.Table]:
    """Cached raw tables after documents were dropped or re-parsed -> what a fresh load would give.

    Rows in doc_id order (stable: each document's rows stay in file order); attribute and table
    columns that only dropped documents had are removed; the section columns are rebuilt from the
    remaining documents' own, so a deleted document leaves no empty section or column behind.
    """
    fresh = {}
    for name, table in raw.items():
        if "doc_id" in table.column_names and table.num_rows > 1:
            table = table.take(pc.sort_indices(table, sort_keys=[("doc_id", "ascending")]))
        own = _OWN_COLUMNS.get(name)
        if own is not None:
            empty = [c for c in table.column_names if c not in own and table[c].null_count == table.num_rows]
            table = table.drop_columns(empty)
        fresh[name] = table
    # Most documents share one layout: each distinct one once, in order of first appearance.
    layouts = dict.fromkeys(fresh["documents"][SECTION_COLUMNS].to_pylist())
    section_columns = merge_section_columns(
        chain.from_iterable(json.loads(own or "{}").items() for own in layouts))
    fresh["items"] = with_section_columns(fresh["items"], section_columns)
    return fresh


def large_strings(raw: dict[str, pa.Table]) -> dict[str, pa.Table]:
    """Text columns as large_string, the type pandas' str columns hold: cast in the worker, by
    each chunk, rather than by to_pandas in the parent (items of the 10k corpus: 5.3 ms as
    string, 1.1 ms as large_string; the cast costs a worker 0.2 ms a chunk)."""
    cast = {}
    for name, table in raw.items():
        if any(f.type == _STRING for f in table.schema):
            schema_ = pa.schema([f.with_type(pa.large_string()) if f.type == _STRING else f for f in table.schema],
                                metadata=table.schema.metadata)
            table = table.cast(schema_)
        cast[name] = table
    return cast
