"""Parsed batches -> raw Arrow tables: what the cache stores, per file, before any corpus-wide step.

Imports pyarrow but not pandas, so parser worker processes stay light.
"""

from __future__ import annotations

import json
import os
import tempfile
import uuid
from collections.abc import Callable

import pyarrow as pa
import pyarrow.compute as pc

from signals import schema
from signals.ingest.batchparse import read_to_raw
from signals.ingest.files import SECTION_COLUMNS, Batch

RAW_TABLES = ("documents", "keywords", "themes", "links", "items", "problems")

_STRING = pa.string()


def _text_table(columns: dict[str, list], types: dict[str, pa.DataType] | None = None) -> pa.Table:
    types = types or {}
    return pa.table({name: pa.array(values, type=types.get(name, _STRING)) for name, values in columns.items()})


def batch_to_raw(batch: Batch) -> dict[str, pa.Table]:
    """One parsed Batch -> raw Arrow tables keyed by RAW_TABLES names."""
    documents = dict(batch.documents)
    attr_names: list[str] = []
    for attrs in batch.attrs:
        for key in attrs:
            if key not in attr_names:
                attr_names.append(key)
    reserved = set(documents) | {"date", "domain", "duplicate_of", "theme", "keyword"}
    for key in attr_names:
        column = key if key not in reserved else f"other_{key}"
        documents[column] = [attrs.get(key) for attrs in batch.attrs]
    item_types = {"row": pa.int32(), "line": pa.int32(), schema.RELEVANCY: pa.int8()}
    raw = {
        "documents": _text_table(documents),
        "keywords": _text_table(batch.keywords),
        "themes": _text_table(batch.themes),
        "links": _text_table(batch.links),
        "items": _text_table(batch.items, item_types),
        "problems": _text_table(batch.problems, {"line": pa.int32()}),
    }
    meta = {section: list(columns) for section, columns in batch.section_columns.items()}
    raw["items"] = raw["items"].replace_schema_metadata({"section_columns": _encode_meta(meta)})
    return raw


def _encode_meta(meta: dict[str, list[str]]) -> str:
    return json.dumps(meta, sort_keys=True)


def section_columns_of(items: pa.Table) -> dict[str, list[str]]:
    """The per-section column lists recorded in a raw items table's metadata."""
    raw = (items.schema.metadata or {}).get(b"section_columns")
    return json.loads(raw) if raw else {}


def merge_raw(parts: list[dict[str, pa.Table]]) -> dict[str, pa.Table]:
    """Concatenate raw tables of several batches (columns unified; missing ones null)."""
    merged: dict[str, pa.Table] = {}
    meta: dict[str, list[str]] = {}
    for part in parts:
        for section, columns in section_columns_of(part["items"]).items():
            known = meta.setdefault(section, [])
            known.extend(c for c in columns if c not in known)
    for name in RAW_TABLES:
        tables = [part[name].replace_schema_metadata(None) for part in parts if name in part]
        merged[name] = pa.concat_tables(tables, promote_options="permissive") if tables else pa.table({})
    merged["items"] = merged["items"].replace_schema_metadata({"section_columns": _encode_meta(meta)})
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


_FIXED_COLUMNS = {
    "documents": frozenset(Batch().documents),
    "items": frozenset((*schema.ITEM_KEY_COLUMNS, schema.RELEVANCY)),
}


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
        fixed = _FIXED_COLUMNS.get(name)
        if fixed is not None:
            empty = [c for c in table.column_names if c not in fixed and table[c].null_count == table.num_rows]
            table = table.drop_columns(empty)
        fresh[name] = table
    meta: dict[str, list[str]] = {}
    # Most documents share one layout: each distinct one once, in order of first appearance.
    for own in dict.fromkeys(fresh["documents"][SECTION_COLUMNS].to_pylist()):
        for section, columns in json.loads(own or "{}").items():
            known = meta.setdefault(section, [])
            known.extend(c for c in columns if c not in known)
    fresh["items"] = fresh["items"].replace_schema_metadata({"section_columns": _encode_meta(meta)})
    return fresh


def parse_to_raw(files: list[tuple[str, str, str]], stamps: list[tuple[int, int]] | None = None
                 ) -> dict[str, pa.Table]:
    """[(absolute path, doc_id, display path)] -> raw tables. The unit of work of a parser process.

    Regular documents are parsed a batch at a time (signals.ingest.batchparse); the others, and every file
    that cannot be read or decoded, as `batch_to_raw(read_files(files))` would (same tables).
    `stamps`, when given, gets each file's (size, changed_ns) as it was read (see read_to_raw).
    """
    return _large_strings(read_to_raw(files, batch_to_raw, stamps))


def _large_strings(raw: dict[str, pa.Table]) -> dict[str, pa.Table]:
    """Text columns as large_string, the type pandas' str columns hold: cast here, in the worker,
    by each chunk, rather than by to_pandas in the parent (items of the 10k corpus: 5.3 ms as
    string, 1.1 ms as large_string; the cast costs a worker 0.2 ms a chunk)."""
    cast = {}
    for name, table in raw.items():
        if any(f.type == _STRING for f in table.schema):
            schema_ = pa.schema([f.with_type(pa.large_string()) if f.type == _STRING else f for f in table.schema],
                                metadata=table.schema.metadata)
            table = table.cast(schema_)
        cast[name] = table
    return cast


# ---------------------------------------------------------------------------------------------
# Worker -> parent: raw tables through RAM-backed files, not a pipe
# ---------------------------------------------------------------------------------------------
#: Where parser processes leave their tables for the parent (tmpfs: memory, never the disk).
SHARED_FOLDER = "/dev/shm"


def shared_folder() -> str | None:
    """SHARED_FOLDER when this machine has it and it is writable, else None (pickle instead)."""
    return SHARED_FOLDER if os.path.isdir(SHARED_FOLDER) and os.access(SHARED_FOLDER, os.W_OK) else None


def parse_to_shared(files: list[tuple[str, str, str]], folder: str | None, prefix: str
                    ) -> tuple[dict[str, pa.Table | str], list[tuple[int, int]]]:
    """parse_to_raw in a worker, each table handed back as the path of an Arrow IPC file in
    `folder` (named `prefix...`), which the parent maps (take_shared); and the files' stamps.

    A pickled result crosses the pipe in 64 kB writes the parent must read and copy: on the 10k
    benchmark corpus each 626-document chunk cost its worker 12-19 ms of waiting, where writing
    the file takes 3 ms and mapping it 2 ms. Where a file cannot be written, the table itself.
    """
    stamps: list[tuple[int, int]] = []
    raw = parse_to_raw(files, stamps)
    if folder is None:
        return raw, stamps
    handed: dict[str, pa.Table | str] = {}
    for name, table in raw.items():
        try:
            handle, path = tempfile.mkstemp(prefix=prefix, suffix=f".{name}.arrow", dir=folder)
            with open(handle, "wb") as file, pa.PythonFile(file, mode="w") as sink, \
                    pa.ipc.new_file(sink, table.schema) as writer:
                writer.write_table(table)
            handed[name] = path
        except OSError:
            handed[name] = table
    return handed, stamps


def take_shared(handed: dict[str, pa.Table | str]) -> dict[str, pa.Table]:
    """parse_to_shared's result -> the raw tables, mapped without a copy; the files are removed
    at once (the mapping lives on while the tables use it)."""
    raw = {}
    for name, value in handed.items():
        if isinstance(value, str):
            try:
                raw[name] = pa.ipc.open_file(pa.memory_map(value)).read_all()
            finally:
                os.unlink(value)
        else:
            raw[name] = value
    return raw


#: How every file parse_to_shared writes is named: SHARED_PREFIX + the loading process's pid + "-".
SHARED_PREFIX = "signals-raw-"


def new_prefix() -> str:
    """The prefix of one load's files: SHARED_PREFIX, this process's pid, a random part."""
    return f"{SHARED_PREFIX}{os.getpid()}-{uuid.uuid4().hex[:12]}-"


def remove_shared(folder: str | None, prefix: str) -> None:
    """Remove what parse_to_shared left under `prefix` that no one took (a load that failed)."""
    _remove(folder, lambda name: name.startswith(prefix))


def remove_orphans(folder: str | None) -> None:
    """Remove files that loads of processes no longer running left behind (a process killed
    while it loaded): in a tmpfs they would hold memory until the machine restarts."""

    def orphaned(name: str) -> bool:
        pid = name[len(SHARED_PREFIX):].split("-", 1)[0]
        return name.startswith(SHARED_PREFIX) and pid.isdigit() and not _running(int(pid))

    _remove(folder, orphaned)


def _remove(folder: str | None, which: Callable[[str], bool]) -> None:
    if folder is None:
        return
    for entry in os.scandir(folder):
        if which(entry.name):
            try:
                os.unlink(entry.path)
            except OSError:
                pass


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's process (PermissionError): running
        return True
    return True
