"""Passing assessments around: annotations to a notes file (CSV or JSON) and back, merged.

A notes file names each annotation's target by its parts (document id; for a row its section,
whether it was keyed on its name or description, that text, and its occurrence), never by the
workspace's internal key, so it reads well and survives changes to how keys are spelled. The
format is in docs/format.md ("Notes files"). Text cells are formula-escaped as in every export
(a leading `'` before `= + - @`, tab or CR), and also before a leading `'`, so reading a file
back removes exactly one `'` and gives the text that was written.

Importing merges: for each annotation, the newest change wins (its `updated_at` against the
workspace's own, or against the time the workspace cleared it). Where both sides hold different
values, the import reports a conflict and which side was kept. The whole import is one workspace
change: one undo reverts it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from signals.workspace import annotations as notes
from signals.workspace import keys
from signals.workspace.store import Store, default_author, now_text

#: What a notes JSON file says it is.
FORMAT_NAME, FORMAT_VERSION = "signals-explorer-notes", 1
#: The columns of a notes CSV (and the keys of each JSON record), in order. `document_title` is
#: there for people and ignored on import.
COLUMNS = ("target", "doc_id", "document_title", "section", "row", "anchor_kind", "anchor", "occurrence",
           *notes.FIELDS, "updated_by", "updated_at")
#: A text cell starting with one of these is escaped (a `'` put in front); see the module docstring.
_ESCAPED_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "'")


def escape(text: str) -> str:
    """Text -> what a notes file holds: a `'` in front when a spreadsheet would run it as a formula
    (or when it already starts with `'`, so `unescape` is exact)."""
    return "'" + text if text.startswith(_ESCAPED_PREFIXES) else text


def unescape(text: str) -> str:
    """What a notes file holds -> the text written (`escape`'s inverse)."""
    return text[1:] if text.startswith("'") and text[1:].startswith(_ESCAPED_PREFIXES) else text


# ---------------------------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------------------------
def _records(store: Store, titles: Mapping[str, str] | None) -> list[dict[str, Any]]:
    found = sorted(notes.stored(store).values(),
                   key=lambda s: (s.target.doc_id, s.target.section, s.target.row or 0, s.key))
    records = []
    for entry in found:
        target, values = entry.target, entry.annotation
        is_row = target.kind == notes.TARGET_ROW
        records.append({
            "target": target.kind,
            "doc_id": target.doc_id,
            "document_title": (titles or {}).get(target.doc_id),
            "section": target.section if is_row else None,
            "row": target.row if is_row else None,
            "anchor_kind": target.anchor_kind if is_row else None,
            "anchor": target.anchor if is_row else None,
            "occurrence": target.occurrence if is_row else None,
            "starred": values.starred,
            "status": values.status,
            "impact": values.impact,
            "likelihood": values.likelihood,
            "horizon": values.horizon,
            "tags": list(values.tags),
            "note": values.note,
            "updated_by": entry.updated_by,
            "updated_at": entry.updated_at,
        })
    return records


def _escaped(value: Any) -> Any:
    if isinstance(value, str):
        return escape(value)
    if isinstance(value, list):
        return [_escaped(item) for item in value]
    return value


def to_csv(store: Store, titles: Mapping[str, str] | None = None) -> bytes:
    """Every annotation of the workspace -> a notes CSV (UTF-8, `\\r\\n`, COLUMNS; tags joined by `; `,
    starred `true`/`false`, missing values empty). `titles`: doc_id -> title, for the reader."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for record in _records(store, titles):
        cells = []
        for column in COLUMNS:
            value = record[column]
            if column == "tags":
                value = notes.TAG_SEPARATOR.join(value)
            elif column == "starred":
                value = "true" if value else "false"
            cells.append("" if value is None else _escaped(str(value)))
        writer.writerow(cells)
    return buffer.getvalue().encode("utf-8")


def to_json(store: Store, titles: Mapping[str, str] | None = None) -> bytes:
    """Every annotation of the workspace -> a notes JSON document: `{"format", "version",
    "exported_at", "annotations": [record, ...]}`, one record per annotation with COLUMNS as keys
    (tags a list, starred a boolean, ratings numbers, missing values null)."""
    document = {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "exported_at": now_text(),
        "annotations": [{column: _escaped(record[column]) for column in COLUMNS}
                        for record in _records(store, titles)],
    }
    return json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8")


def export_notes(store: Store, fmt: str, titles: Mapping[str, str] | None = None) -> bytes:
    """`fmt` "csv" or "json" -> the notes file's bytes (see `to_csv`, `to_json`)."""
    if fmt == "csv":
        return to_csv(store, titles)
    if fmt == "json":
        return to_json(store, titles)
    raise ValueError(f"a notes file is .csv or .json, not {fmt!r}")


# ---------------------------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------------------------
def parse_time(text: str) -> dt.datetime:
    """An ISO 8601 time (`Z` or an offset; none means UTC) -> an aware datetime. ValueError if it is none."""
    moment = dt.datetime.fromisoformat(str(text).strip())  # 3.11 reads a trailing Z itself
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _cell(record: Mapping[str, Any], column: str) -> Any:
    value = record.get(column)
    if isinstance(value, str):
        value = unescape(value)
        return value if value.strip() or column == "note" else None
    if isinstance(value, list):
        return [unescape(v) if isinstance(v, str) else v for v in value]
    return value


def _entry(record: Mapping[str, Any]) -> notes.StoredAnnotation:
    """One record of a notes file -> a StoredAnnotation (AnnotationError saying what is wrong)."""
    doc_id = _cell(record, "doc_id")
    if not doc_id:
        raise notes.AnnotationError("doc_id is empty")
    section = _cell(record, "section")
    target_kind = _cell(record, "target") or (notes.TARGET_ROW if section else notes.TARGET_DOCUMENT)
    if target_kind == notes.TARGET_DOCUMENT:
        target = notes.document_target(str(doc_id))
    elif target_kind == notes.TARGET_ROW:
        kind = _cell(record, "anchor_kind") or keys.ANCHOR_NAME
        if kind not in keys.ANCHOR_KINDS:
            raise notes.AnnotationError(f"anchor_kind must be {' or '.join(keys.ANCHOR_KINDS)}, not {kind!r}")
        occurrence = _whole(_cell(record, "occurrence"), "occurrence") or 1
        anchor = _cell(record, "anchor") or ""
        if not keys.normalize(anchor):
            raise notes.AnnotationError("anchor (the row's name or description) is empty")
        target = notes.Target(str(doc_id), str(section or ""), kind, " ".join(str(anchor).split()), occurrence,
                              _whole(_cell(record, "row"), "row"))
        if not target.section:
            raise notes.AnnotationError("a row needs its section")
    else:
        raise notes.AnnotationError(f"target must be document or row, not {target_kind!r}")
    values: dict[str, Any] = {}
    for name in notes.FIELDS:
        if name in record and _cell(record, name) is not None:
            value = _cell(record, name)
            if name == "tags" and isinstance(value, str):
                value = [tag for tag in value.split(";") if tag.strip()]
            values[name] = value
    annotation = notes.checked(values)
    updated_at = _cell(record, "updated_at")
    if not updated_at:
        raise notes.AnnotationError("updated_at is empty (the newest change wins, so each needs its time)")
    try:
        moment = parse_time(updated_at)
    except ValueError:
        raise notes.AnnotationError(f"updated_at is not an ISO 8601 time: {updated_at!r}") from None
    by = _cell(record, "updated_by") or "unknown"
    return notes.StoredAnnotation(target, annotation, str(by),
                                  moment.astimezone(dt.UTC).isoformat(timespec="milliseconds"))


def _whole(value: Any, name: str) -> int | None:
    if value is None or value == "":
        return None
    try:
        number = int(str(value).strip())
    except ValueError:
        raise notes.AnnotationError(f"{name} must be a whole number, not {value!r}") from None
    if number < 1:
        raise notes.AnnotationError(f"{name} counts from 1, not {number}")
    return number


def read_notes(data: bytes, fmt: str) -> list[notes.StoredAnnotation]:
    """A notes file's bytes (`fmt` "csv" or "json") -> its annotations.

    Checks everything first: raises AnnotationError listing every bad record (by line for CSV, by
    position for JSON; at most 20 shown), so a file is imported whole or not at all.
    """
    records: list[tuple[str, Mapping[str, Any]]]
    if fmt == "csv":
        text = data.decode("utf-8-sig")
        reader = csv.DictReader(io.StringIO(text, newline=""))
        missing = {"doc_id", "updated_at"} - set(reader.fieldnames or ())
        if missing:
            raise notes.AnnotationError(f"not a notes CSV: no {', '.join(sorted(missing))} column "
                                        f"(columns: {', '.join(COLUMNS)})")
        records = [(f"line {reader.line_num}", record) for record in reader]
    elif fmt == "json":
        try:
            document = json.loads(data.decode("utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise notes.AnnotationError(f"not a notes JSON file: {error}") from None
        if not isinstance(document, dict) or document.get("format") != FORMAT_NAME:
            raise notes.AnnotationError(f'not a notes JSON file (it should say "format": "{FORMAT_NAME}")')
        if document.get("version") != FORMAT_VERSION:
            raise notes.AnnotationError(f"notes JSON version {document.get('version')!r}: this Signals Explorer "
                                        f"reads version {FORMAT_VERSION}")
        listed = document.get("annotations")
        if not isinstance(listed, list) or not all(isinstance(r, dict) for r in listed):
            raise notes.AnnotationError('a notes JSON file holds a list of records under "annotations"')
        records = [(f"annotation {n}", record) for n, record in enumerate(listed, start=1)]
    else:
        raise ValueError(f"a notes file is .csv or .json, not {fmt!r}")
    found, errors = [], []
    for where, record in records:
        try:
            found.append(_entry(record))
        except notes.AnnotationError as error:
            errors.append(f"{where}: {error}")
    if errors:
        shown = "\n  ".join(errors[:20]) + (f"\n  ... and {len(errors) - 20} more" if len(errors) > 20 else "")
        raise notes.AnnotationError(f"{len(errors)} of {len(records)} records cannot be imported; nothing was "
                                    f"imported:\n  {shown}")
    return found


# ---------------------------------------------------------------------------------------------
# Merging
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Conflict:
    """An annotation both sides hold, with different values: which side was kept and why."""

    target: notes.Target
    local: notes.StoredAnnotation | None  # None: cleared in this workspace (`cleared_at`)
    incoming: notes.StoredAnnotation
    kept: str  # "local" or "incoming"
    reason: str
    cleared_at: str | None = None


@dataclass
class ImportReport:
    """What an import did: counts and the conflicts; `summary` in words."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    kept_local: int = 0
    conflicts: list[Conflict] = field(default_factory=list)
    written: bool = False

    @property
    def summary(self) -> str:
        """`3 added, 1 updated, 2 unchanged, 1 kept (newer here); 2 conflicts`."""
        parts = [f"{self.added:,} added", f"{self.updated:,} updated", f"{self.unchanged:,} unchanged",
                 f"{self.kept_local:,} kept (newer here)"]
        return ", ".join(parts) + f"; {len(self.conflicts):,} conflict{'s' if len(self.conflicts) != 1 else ''}"

    def conflicts_frame(self) -> pd.DataFrame:
        """The conflicts as a table: where, who changed each side when, what each said, which was kept."""
        rows = []
        for conflict in self.conflicts:
            local = conflict.local
            rows.append({
                "target": conflict.target.describe(),
                "kept": conflict.kept,
                "reason": conflict.reason,
                "here_by": local.updated_by if local else None,
                "here_at": local.updated_at if local else conflict.cleared_at,
                "here": local.annotation.describe() if local else "(cleared)",
                "file_by": conflict.incoming.updated_by,
                "file_at": conflict.incoming.updated_at,
                "file": conflict.incoming.annotation.describe(),
            })
        return pd.DataFrame(rows, columns=["target", "kept", "reason", "here_by", "here_at", "here",
                                           "file_by", "file_at", "file"])


def _newest_per_key(incoming: Iterable[notes.StoredAnnotation]) -> dict[str, notes.StoredAnnotation]:
    """A file naming one target twice: its newest record counts."""
    newest: dict[str, notes.StoredAnnotation] = {}
    for entry in incoming:
        held = newest.get(entry.key)
        if held is None or parse_time(entry.updated_at) >= parse_time(held.updated_at):
            newest[entry.key] = entry
    return newest


def _cleared_at(store: Store) -> dict[str, str]:
    """Key -> when this workspace last removed its annotation (for keys whose last edit is a removal)."""
    latest: dict[str, str] = {}
    for edit in store.history(notes.TABLE):  # newest first: the first seen per key is its last edit
        if edit.key not in latest:
            latest[edit.key] = edit.at if edit.after is None else ""
    return {key: at for key, at in latest.items() if at}


def merge(store: Store, incoming: Iterable[notes.StoredAnnotation], by: str | None = None,
          source: str = "a notes file", dry_run: bool = False) -> ImportReport:
    """Merge annotations into the workspace, the newest change winning, as one change.

    For each incoming annotation: none here -> added (unless this workspace cleared it after the
    file's change: kept cleared, a conflict); the same values -> unchanged; different values ->
    a conflict, won by the newer `updated_at` (a tie keeps this workspace's). The incoming side's
    `updated_by` and `updated_at` are kept as they are; the change itself is recorded as `by`'s.
    `dry_run`: report what would happen, write nothing.
    """
    report = ImportReport()
    wanted = _newest_per_key(incoming)
    if not wanted:
        return report
    with store.change("import", by or default_author()) if not dry_run else _no_change() as transaction:
        cleared = _cleared_at(store)
        for key, entry in wanted.items():
            row = transaction.get(notes.TABLE, key) if transaction is not None else store.row(notes.TABLE, key)
            local = None if row is None else notes.from_row(row)
            incoming_at = parse_time(entry.updated_at)
            if local is None:
                if key in cleared and parse_time(cleared[key]) > incoming_at:
                    report.kept_local += 1
                    report.conflicts.append(Conflict(entry.target, None, entry, "local", "cleared here after the "
                                                     "file's change", cleared[key]))
                    continue
                report.added += 1
                if transaction is not None and not entry.annotation.is_empty:
                    notes.put(transaction, entry)
                continue
            if local.annotation == entry.annotation:
                report.unchanged += 1
                continue
            local_at = parse_time(local.updated_at)
            if incoming_at > local_at:
                report.updated += 1
                report.conflicts.append(Conflict(entry.target, local, entry, "incoming", "the file's change is newer"))
                if transaction is not None:
                    notes.put(transaction, notes.StoredAnnotation(
                        notes.merged_target(local.target, entry.target), entry.annotation,
                        entry.updated_by, entry.updated_at))
            else:
                report.kept_local += 1
                reason = "changed here at the same time" if incoming_at == local_at else "changed here later"
                report.conflicts.append(Conflict(entry.target, local, entry, "local", reason))
        if transaction is not None:
            transaction.summary = f"imported {source}: {report.summary}"
            report.written = bool(transaction.edits)
    return report


class _no_change:
    """A stand-in for `store.change()` on a dry run: no transaction."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None
