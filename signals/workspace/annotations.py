"""Annotations: what the analyst thinks of a document or a table row, kept in the workspace.

An annotation holds a star, a triage status (`new` by default, `watch`, `escalate`, `dismissed`),
the analyst's own ratings (impact and likelihood 1-5, time to impact `<1y` / `1-3y` / `3-10y` /
`>10y`), free tags and a plain-text note, with who changed it last and when. Every change is one
workspace change (signals.workspace.store): its before and after are in the history, and
`undo_last` reverts it.

What is annotated is a `Target`: a document (keyed by its id) or a table row (keyed by content,
signals.workspace.keys, so the annotation follows the row through pipeline re-runs). An
annotation whose target is no longer in the corpus is an orphan: kept, listed by `orphans`.

Reading is for frames: `read(store)` gives one row per annotation (`refresh` re-reads only what
changed since); `for_rows` / `for_documents` align them with the loader's frames (what exports add
beside each row); `join_rows` / `join_documents` make the arrays the annotation facets filter with
(`Joined.mask(Criteria)`, under a millisecond per rerun), and `row_mask` / `filter_rows` /
`document_mask` / `filter_documents` do both at once. Pure pandas and numpy: the join is one Arrow
hash lookup of the items' keys.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from typing import Any

import numpy as np
import pandas as pd

from signals import schema
from signals.workspace import keys
from signals.workspace.store import TABLES, Row, Store, Transaction, default_author

TABLE = "annotations"

STATUSES = ("new", "watch", "escalate", "dismissed")
DEFAULT_STATUS = STATUSES[0]
HORIZONS = ("<1y", "1-3y", "3-10y", ">10y")
RATING_MIN, RATING_MAX = 1, 5
#: What an annotation is on.
TARGET_DOCUMENT, TARGET_ROW = "document", "row"
#: The annotation's values, in the order frames and exports show them.
FIELDS = schema.ANNOTATION_COLUMNS
#: How tags are joined into one text (frames, CSV): a tag may not contain it.
TAG_SEPARATOR = "; "
TAG_MAX_LENGTH = 80
#: The edits `annotate` takes besides FIELDS: tags added to / removed from those present.
TAG_EDITS = ("add_tags", "remove_tags")


class AnnotationError(ValueError):
    """An annotation that cannot be made (a value out of range, an unknown status), in words for the analyst."""


# ---------------------------------------------------------------------------------------------
# Values
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Annotation:
    """The analyst's values on one target. The defaults mean "nothing said" (no row is stored for them)."""

    starred: bool = False
    status: str = DEFAULT_STATUS
    impact: int | None = None
    likelihood: int | None = None
    horizon: str | None = None
    tags: tuple[str, ...] = ()
    note: str = ""

    @property
    def is_empty(self) -> bool:
        """True when every value is its default: nothing to keep."""
        return self == Annotation()

    @property
    def is_rated(self) -> bool:
        """True when impact or likelihood is set."""
        return self.impact is not None or self.likelihood is not None

    def describe(self) -> str:
        """The values in words, for summaries and terminals: `starred, watch, impact 4, tags: ai; grid`."""
        parts = ["starred"] if self.starred else []
        if self.status != DEFAULT_STATUS:
            parts.append(self.status)
        parts += [f"{name} {value}" for name, value in
                  (("impact", self.impact), ("likelihood", self.likelihood), ("horizon", self.horizon))
                  if value is not None]
        if self.tags:
            parts.append("tags: " + TAG_SEPARATOR.join(self.tags))
        if self.note.strip():
            lines = self.note.strip().splitlines()
            cut = len(lines) > 1 or len(lines[0]) > 60
            parts.append(f"note “{lines[0][:60]}{'…' if cut else ''}”")
        return ", ".join(parts) or "nothing (defaults)"


def check_status(value: object) -> str:
    """A status as typed (`Watch `) -> its canonical form; AnnotationError if it is none of STATUSES."""
    text = str(value).strip().casefold()
    if text not in STATUSES:
        raise AnnotationError(f"status must be one of {', '.join(STATUSES)}, not {value!r}")
    return text


def check_rating(name: str, value: object) -> int | None:
    """An impact or likelihood (`4`, `"4"`, `4.0`; None, "" or "none" to clear) -> 1-5 or None."""
    if value is None or (isinstance(value, str) and value.strip().casefold() in ("", "none")):
        return None
    if isinstance(value, bool):
        raise AnnotationError(f"{name} must be a whole number {RATING_MIN}-{RATING_MAX}, not {value!r}")
    try:
        number = float(str(value).strip()) if isinstance(value, str) else float(value)
    except (TypeError, ValueError):
        raise AnnotationError(f"{name} must be a whole number {RATING_MIN}-{RATING_MAX}, not {value!r}") from None
    if number != int(number) or not RATING_MIN <= number <= RATING_MAX:
        raise AnnotationError(f"{name} must be a whole number {RATING_MIN}-{RATING_MAX}, not {value!r}")
    return int(number)


def check_horizon(value: object) -> str | None:
    """A time to impact as typed (`1-3y`, `1–3 years`, `> 10y`; None or "" to clear) -> one of HORIZONS."""
    if value is None or (isinstance(value, str) and value.strip().casefold() in ("", "none")):
        return None
    text = "".join(str(value).casefold().split()).replace("–", "-").replace("—", "-")
    for word in ("years", "year", "yrs", "yr"):
        if text.endswith(word):
            text = text[: -len(word)] + "y"
            break
    if not text.endswith("y"):
        text += "y"
    if text not in HORIZONS:
        raise AnnotationError(f"horizon must be one of {', '.join(HORIZONS)}, not {value!r}")
    return text


def check_tag(value: object) -> str:
    """A tag as typed -> trimmed, inner spaces collapsed; AnnotationError when empty, too long, or
    holding `;` (the separator of tag lists in CSV) or a line break."""
    text = " ".join(str(value).split())
    if not text:
        raise AnnotationError("a tag cannot be empty")
    if ";" in text:
        raise AnnotationError(f"a tag cannot contain ';' (it separates tags in CSV files): {value!r}")
    if len(text) > TAG_MAX_LENGTH:
        raise AnnotationError(f"a tag is at most {TAG_MAX_LENGTH} characters: {text[:40]!r}…")
    return text


def check_tags(values: Iterable[object]) -> tuple[str, ...]:
    """Tags -> checked, each once (compared case-insensitively; the first spelling kept), in order."""
    if isinstance(values, str):
        values = [values]
    kept: dict[str, str] = {}
    for value in values:
        tag = check_tag(value)
        kept.setdefault(tag.casefold(), tag)
    return tuple(kept.values())


def check_note(value: object) -> str:
    """A note -> plain text with `\\n` line ends (any length; shown as text, never as markup)."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise AnnotationError(f"a note is text, not {type(value).__name__}")
    return value.replace("\r\n", "\n").replace("\r", "\n")


def check_starred(value: object) -> bool:
    """A star as given (True/False, or `true`/`1`/`yes` and the like from a file) -> bool."""
    if isinstance(value, bool | np.bool_):
        return bool(value)
    text = str(value).strip().casefold()
    if text in ("true", "1", "yes", "y", "starred", "★"):
        return True
    if text in ("false", "0", "no", "n", ""):
        return False
    raise AnnotationError(f"starred must be true or false, not {value!r}")


def checked(values: Mapping[str, Any]) -> Annotation:
    """Field -> value (as typed or read from a file) -> a checked Annotation (missing fields default).
    Raises AnnotationError naming the field for a value that is not allowed, or an unknown field."""
    unknown = set(values) - set(FIELDS)
    if unknown:
        raise AnnotationError(f"unknown annotation field(s): {', '.join(sorted(unknown))} "
                              f"(fields: {', '.join(FIELDS)})")
    annotation = Annotation()
    return _edited(annotation, values)


def _edited(annotation: Annotation, edits: Mapping[str, Any]) -> Annotation:
    """An annotation with `edits` (FIELDS and TAG_EDITS) applied, each value checked."""
    unknown = set(edits) - set(FIELDS) - set(TAG_EDITS)
    if unknown:
        raise AnnotationError(f"unknown annotation field(s): {', '.join(sorted(unknown))} "
                              f"(fields: {', '.join(FIELDS + TAG_EDITS)})")
    changed: dict[str, Any] = {}
    if "starred" in edits:
        changed["starred"] = check_starred(edits["starred"])
    if "status" in edits:
        changed["status"] = DEFAULT_STATUS if edits["status"] is None else check_status(edits["status"])
    for name in ("impact", "likelihood"):
        if name in edits:
            changed[name] = check_rating(name, edits[name])
    if "horizon" in edits:
        changed["horizon"] = check_horizon(edits["horizon"])
    if "note" in edits:
        changed["note"] = check_note(edits["note"])
    tags = check_tags(edits["tags"] or ()) if "tags" in edits else annotation.tags
    if edits.get("add_tags"):
        tags = check_tags((*tags, *check_tags(edits["add_tags"])))
    if edits.get("remove_tags"):
        removed = {tag.casefold() for tag in check_tags(edits["remove_tags"])}
        tags = tuple(tag for tag in tags if tag.casefold() not in removed)
    if tags != annotation.tags:
        changed["tags"] = tags
    return replace(annotation, **changed)


# ---------------------------------------------------------------------------------------------
# Targets
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Target:
    """What an annotation is on: a document, or one table row of it.

    For a row: its section, what it is keyed on (`anchor_kind`: its name, or its description where
    it has none; `anchor`: that text as the document shows it), which occurrence of that text it
    is among the section's rows (duplicates), and its 1-based place in the section when annotated
    (`row`, context for people: the key does not use it).
    """

    doc_id: str
    section: str = ""
    anchor_kind: str = ""
    anchor: str = ""
    occurrence: int = 1
    row: int | None = None

    @property
    def kind(self) -> str:
        """TARGET_DOCUMENT or TARGET_ROW."""
        return TARGET_ROW if self.section else TARGET_DOCUMENT

    @property
    def key(self) -> str:
        """The workspace key: the document's id, or the row's content key (keys.row_key)."""
        if self.kind == TARGET_DOCUMENT:
            return str(self.doc_id)
        return keys.row_key(self.doc_id, self.section, self.anchor_kind, self.anchor, self.occurrence)

    def describe(self) -> str:
        """Where, in words: `document 2021/a` or `signals row 3 “Heat pumps” of document 2021/a`."""
        if self.kind == TARGET_DOCUMENT:
            return f"document {self.doc_id}"
        place = f" row {self.row}" if self.row else ""
        text = self.anchor if len(self.anchor) <= 60 else self.anchor[:59] + "…"
        duplicate = f" (occurrence {self.occurrence})" if self.occurrence > 1 else ""
        return f"{self.section}{place} “{text}”{duplicate} of document {self.doc_id}"


def document_target(doc_id: str) -> Target:
    """The target of a whole document."""
    if not str(doc_id):
        raise AnnotationError("a document id cannot be empty")
    return Target(str(doc_id))


def row_target(doc_id: str, section: str, name: object = None, description: object = None,
               occurrence: int = 1, row: int | None = None) -> Target:
    """The target of a table row from what it says: keyed on its name, or on its description when
    the name is empty (of spacing and punctuation only). Raises AnnotationError when both are empty
    or the section is missing."""
    if not str(doc_id):
        raise AnnotationError("a document id cannot be empty")
    if not section:
        raise AnnotationError("a table row needs its section (signals, concerns, ...)")
    for kind, text in ((keys.ANCHOR_NAME, name), (keys.ANCHOR_DESCRIPTION, description)):
        if keys.normalize(text):
            return Target(str(doc_id), str(section), kind, " ".join(str(text).split()), int(occurrence), row)
    raise AnnotationError(f"a row of {section} in {doc_id} with neither name nor description cannot be "
                          "annotated (nothing would find it again)")


def row_targets(items: pd.DataFrame, selected: Iterable[Any], whole: pd.DataFrame | None = None) -> list[Target]:
    """The targets of the rows of `items` whose index labels are in `selected` (a selection), in
    that order.

    A row's occurrence is counted among every row of its document and section: `items` must be the
    full items frame (or whole documents of it), or `whole` names the full frame a filtered `items`
    came from (a table's selection), where each selected row is found by (doc_id, line).
    """
    selected = list(selected)
    if not selected:
        return []
    chosen = items.loc[selected]
    if whole is not None and whole is not items:
        where = pd.MultiIndex.from_arrays([whole["doc_id"].astype("str"), whole["line"]])
        at = where.get_indexer(pd.MultiIndex.from_arrays([chosen["doc_id"].astype("str"), chosen["line"]]))
        if (at < 0).any():
            raise AnnotationError("a selected row is not in the corpus it was filtered from")
        items, selected = whole, list(whole.index[at])
    chosen_docs = pd.Index(items.loc[selected, "doc_id"].astype("str").unique())
    documents = items[chosen_docs.get_indexer(items["doc_id"].astype("str")) >= 0]
    anchors = keys.anchor_columns(documents)
    found: list[Target] = []
    for index in selected:
        row = documents.loc[index]
        kind = anchors.at[index, "anchor_kind"]
        text = row.get(schema.NAME) if kind == keys.ANCHOR_NAME else row.get(schema.DESCRIPTION)
        place = int(row["row"]) + 1 if "row" in row.index and pd.notna(row["row"]) else None
        found.append(Target(str(row["doc_id"]), str(row["section"]), kind, " ".join(str(text).split()),
                            int(anchors.at[index, "occurrence"]), place))
    return found


# ---------------------------------------------------------------------------------------------
# Stored form
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class StoredAnnotation:
    """One annotation as kept: its target, its values, who changed it last and when (UTC ISO 8601)."""

    target: Target
    annotation: Annotation = field(default_factory=Annotation)
    updated_by: str = ""
    updated_at: str = ""

    @property
    def key(self) -> str:
        """The workspace key of its target."""
        return self.target.key


def to_row(stored: StoredAnnotation) -> Row:
    """An annotation -> the workspace row that keeps it (every value as text)."""
    target, values = stored.target, stored.annotation
    is_row = target.kind == TARGET_ROW
    return {
        "target": target.kind,
        "doc_id": target.doc_id,
        "section": target.section,
        "anchor_kind": target.anchor_kind if is_row else "",
        "anchor": target.anchor if is_row else "",
        "occurrence": str(target.occurrence) if is_row else "",
        "row": "" if target.row is None else str(target.row),
        "starred": "1" if values.starred else "0",
        "status": values.status,
        "impact": "" if values.impact is None else str(values.impact),
        "likelihood": "" if values.likelihood is None else str(values.likelihood),
        "horizon": values.horizon or "",
        "tags": json.dumps(list(values.tags), ensure_ascii=False),
        "note": values.note,
        "updated_by": stored.updated_by,
        "updated_at": stored.updated_at,
    }


def from_row(row: Mapping[str, str]) -> StoredAnnotation:
    """A workspace row -> the annotation it keeps (`to_row`'s inverse)."""
    is_row = row["target"] == TARGET_ROW
    target = Target(row["doc_id"], row["section"] if is_row else "", row["anchor_kind"] if is_row else "",
                    row["anchor"] if is_row else "", int(row["occurrence"]) if is_row and row["occurrence"] else 1,
                    int(row["row"]) if row["row"] else None)
    values = Annotation(
        starred=row["starred"] == "1",
        status=row["status"] or DEFAULT_STATUS,
        impact=int(row["impact"]) if row["impact"] else None,
        likelihood=int(row["likelihood"]) if row["likelihood"] else None,
        horizon=row["horizon"] or None,
        tags=tuple(json.loads(row["tags"])) if row["tags"] else (),
        note=row["note"],
    )
    return StoredAnnotation(target, values, row["updated_by"], row["updated_at"])


def stored(store: Store) -> dict[str, StoredAnnotation]:
    """Every annotation in the workspace: key -> StoredAnnotation."""
    return {key: from_row(row) for key, row in store.rows(TABLE).items()}


def get(store: Store, target: Target) -> StoredAnnotation | None:
    """The annotation on one target, or None when there is none."""
    row = store.row(TABLE, target.key)
    return None if row is None else from_row(row)


# ---------------------------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------------------------
def put(transaction: Transaction, new: StoredAnnotation) -> None:
    """Inside a change: keep `new` (or remove the row, when its values are all defaults)."""
    if new.annotation.is_empty:
        transaction.delete(TABLE, new.key)
    else:
        transaction.put(TABLE, new.key, to_row(new))


def annotate(store: Store, targets: Target | Sequence[Target], edits: Mapping[str, Any],
             by: str | None = None) -> list[StoredAnnotation]:
    """Apply `edits` to the annotation of each target, as one change (one undo reverts it all).

    `edits` maps fields to new values: `starred` (bool), `status` (STATUSES), `impact` and
    `likelihood` (1-5; None clears), `horizon` (HORIZONS; None clears), `tags` (replaces them),
    `note` (replaces it; "" clears), and `add_tags` / `remove_tags` (lists). Fields left out keep
    their value, so two analysts editing different fields of one row both keep theirs; the same
    field: the later change wins, both are in the history. An annotation set back to all defaults
    is removed (and its history kept).

    Returns the annotations after the change (all-default ones included, as unstored values).
    Raises AnnotationError for a value that is not allowed or an empty edit, before writing anything.
    """
    chosen = [targets] if isinstance(targets, Target) else list(targets)
    if not chosen:
        raise AnnotationError("nothing to annotate: no document or row chosen")
    if not edits:
        raise AnnotationError("nothing to change: give a star, status, rating, horizon, tag or note")
    _edited(Annotation(), edits)  # every value checked before the transaction starts
    by = (by or "").strip() or default_author()
    at = updated_now()
    results: list[StoredAnnotation] = []
    with store.change("annotate", by) as transaction:
        for target in dict.fromkeys(chosen):
            row = transaction.get(TABLE, target.key)
            before = from_row(row) if row is not None else StoredAnnotation(target)
            after_values = _edited(before.annotation, edits)
            # The target as now seen (its row number may have moved), the values as now edited.
            new = StoredAnnotation(merged_target(before.target, target), after_values, by, at)
            if after_values != before.annotation or row is None:
                put(transaction, new)
            results.append(new if after_values != before.annotation else before)
        transaction.summary = _summary(edits, chosen)
    return results


def updated_now() -> str:
    """Now, in UTC, ISO 8601 to the millisecond: an annotation's `updated_at`. Finer than the
    changes' seconds, since an import lets the newer of two changes win and two analysts often
    change a row within the same second."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")


def merged_target(before: Target, now: Target) -> Target:
    """The stored target updated with what the caller knows now (a row number), the rest as stored."""
    return replace(before, row=now.row if now.row is not None else before.row,
                   anchor=now.anchor or before.anchor)


def _summary(edits: Mapping[str, Any], targets: Sequence[Target]) -> str:
    """An edit in words: `starred, status watch, impact 4, tags +ai on signals row 3 “...” of document D`."""
    values = _edited(Annotation(), {k: v for k, v in edits.items() if k not in TAG_EDITS})
    words = []
    for name, value in edits.items():
        if name == "starred":
            words.append("starred" if values.starred else "unstarred")
        elif name in TAG_EDITS:
            if value:
                sign = "+" if name == "add_tags" else "-"
                words.append("tags " + " ".join(f"{sign}{tag}" for tag in check_tags(value)))
        elif name == "note":
            words.append("note" if values.note else "note cleared")
        elif name == "tags":
            words.append("tags " + (TAG_SEPARATOR.join(values.tags) or "cleared"))
        else:
            shown = getattr(values, name)
            words.append(f"{name} {shown if shown is not None else 'cleared'}")
    if len(targets) == 1:
        where = targets[0].describe()
    else:
        rows = sum(target.kind == TARGET_ROW for target in targets)
        counted = [f"{n:,} {word}{'s' if n != 1 else ''}" for n, word in
                   ((rows, "row"), (len(targets) - rows, "document")) if n]
        where = " and ".join(counted)
    return f"{', '.join(words) or 'annotated'} on {where}"


def clear(store: Store, targets: Target | Sequence[Target], by: str | None = None) -> int:
    """Remove the annotations of these targets (one change; their history kept). Returns how many there were."""
    chosen = [targets] if isinstance(targets, Target) else list(targets)
    removed = 0
    with store.change("annotate", by) as transaction:
        for target in dict.fromkeys(chosen):
            if transaction.get(TABLE, target.key) is not None:
                transaction.delete(TABLE, target.key)
                removed += 1
        transaction.summary = f"cleared the annotations of {_summary({}, chosen).split(' on ', 1)[1]}"
    return removed


def undo_last(store: Store, by: str | None = None):
    """Revert the newest annotation change not yet undone (theme merges made since are left alone).
    Returns the Change reverted, or None when there is none."""
    return store.undo_last(by=by, table=TABLE)


@dataclass(frozen=True)
class HistoryEntry:
    """One annotation change: when, who, what (in words), on which target, values before and after
    (None: no annotation), and the undo that reverted it, if any."""

    change_id: int
    at: str
    by: str
    action: str
    summary: str
    target: Target
    before: Annotation | None
    after: Annotation | None
    undone_by: int | None


def history(store: Store, target: Target | None = None, limit: int | None = None) -> list[HistoryEntry]:
    """Every change to annotations (of one target when given), newest first, at most `limit`."""
    entries = []
    for edit in store.history(TABLE, None if target is None else target.key, limit):
        before = None if edit.before is None else from_row(edit.before)
        after = None if edit.after is None else from_row(edit.after)
        where = (after or before).target  # type: ignore[union-attr]
        entries.append(HistoryEntry(edit.change_id, edit.at, edit.by, edit.action, edit.summary, where,
                                    None if before is None else before.annotation,
                                    None if after is None else after.annotation, edit.undone_by))
    return entries


# ---------------------------------------------------------------------------------------------
# Frames
# ---------------------------------------------------------------------------------------------
STATUS_DTYPE = pd.CategoricalDtype(list(STATUSES))
HORIZON_DTYPE = pd.CategoricalDtype(list(HORIZONS), ordered=True)
TABLES_COLUMNS = TABLES[TABLE].columns
#: The frame `read` returns: the target's parts, then FIELDS, then who and when.
FRAME_COLUMNS = ("key", "target", "doc_id", "section", "anchor_kind", "anchor", "occurrence", "row",
                 *FIELDS, "updated_by", "updated_at")


def _typed(columns: Mapping[str, list[str]]) -> pd.DataFrame:
    """The annotations table's text columns (name -> values) -> FRAME_COLUMNS with their dtypes."""
    def text(name: str) -> pd.Series:
        return pd.Series(columns[name], dtype="str")

    def optional_text(name: str) -> pd.Series:
        return pd.Series([value or None for value in columns[name]], dtype="str")

    def whole(name: str, dtype: str) -> pd.Series:
        return pd.Series(pd.array([int(value) if value else None for value in columns[name]], dtype=dtype))

    def category(name: str, dtype: pd.CategoricalDtype, default: str | None) -> pd.Series:
        return pd.Series(pd.Categorical([value or default for value in columns[name]], dtype=dtype))

    # One JSON parse for every tag list: json.loads per row was a third of the read.
    tag_lists = json.loads("[" + ",".join(t or "[]" for t in columns["tags"]) + "]")
    return pd.DataFrame({
        "key": text("target_key"),
        "target": text("target"),
        "doc_id": text("doc_id"),
        "section": text("section"),
        "anchor_kind": text("anchor_kind"),
        "anchor": text("anchor"),
        "occurrence": whole("occurrence", "Int32"),
        "row": whole("row", "Int32"),
        "starred": pd.Series(np.asarray(columns["starred"], dtype=object) == "1", dtype=bool),
        "status": category("status", STATUS_DTYPE, DEFAULT_STATUS),
        "impact": whole("impact", "Int8"),
        "likelihood": whole("likelihood", "Int8"),
        "horizon": category("horizon", HORIZON_DTYPE, None),
        "tags": pd.Series([TAG_SEPARATOR.join(listed) or None for listed in tag_lists], dtype="str"),
        "note": optional_text("note"),
        "updated_by": text("updated_by"),
        "updated_at": text("updated_at"),
    })


def _columns(names: Sequence[str], records: list[tuple[str, ...]]) -> dict[str, list[str]]:
    return dict(zip(names, (list(values) for values in zip(*records)))) if records else {n: [] for n in names}


def read(store: Store) -> pd.DataFrame:
    """Every annotation as a frame, one row each (FRAME_COLUMNS): what the joins, filters, exports
    and orphans take. `starred` bool, `status` categorical over STATUSES, `impact` / `likelihood`
    Int8, `horizon` ordered categorical over HORIZONS, `tags` joined by TAG_SEPARATOR (missing when
    none), `note` text (missing when none). Between reruns, keep it and call `refresh`."""
    return read_with_revision(store)[0]


def read_with_revision(store: Store) -> tuple[pd.DataFrame, int]:
    """`read`, and the revision (Store.revision) it is as of: what `refresh` takes next time."""
    revision, names, records = store.records(TABLE)
    return _typed(_columns(names, records)), revision


#: Above this many changed annotations, `refresh` reads them all again (one query beats many).
REFRESH_LIMIT = 2000


def refresh(store: Store, previous: pd.DataFrame | None, since: int) -> tuple[pd.DataFrame, int]:
    """`read`, reusing a frame read at revision `since` (`read_with_revision`, or this function's
    last answer): only the annotations that changes made after it touched are read again. Returns
    (the frame as of now, its revision); the very frame given when nothing changed.

    What a session keeps between reruns: after its own edit (or another session's) a rerun reads a
    few rows, not all 5,000, in one connection.
    """
    if previous is None:
        return read_with_revision(store)
    revision, changed, names, records = store.changed_since(TABLE, since)
    if revision == since:
        return previous, revision
    if len(changed) > REFRESH_LIMIT:
        return read_with_revision(store)
    kept = previous[~previous["key"].isin(changed)]
    fresh = _typed(_columns(names, records))
    if fresh.empty:
        return kept.reset_index(drop=True), revision
    return pd.concat([kept, fresh], ignore_index=True), revision


def empty_frame() -> pd.DataFrame:
    """An annotations frame with no rows (what `read` gives for a workspace without annotations)."""
    return _typed({name: [] for name in ("target_key", *TABLES_COLUMNS)})


def _annotated_document_flags(doc_ids: pd.Series, wanted: pd.Index) -> np.ndarray:
    """Each row's doc_id -> its position in `wanted` (-1: not there). A categorical doc_id (the
    loader's) is looked up once per category, not once per row."""
    if isinstance(doc_ids.dtype, pd.CategoricalDtype):
        by_category = wanted.get_indexer(doc_ids.cat.categories.astype("str"))
        codes = doc_ids.cat.codes.to_numpy()
        return np.where(codes >= 0, by_category[codes.clip(min=0)], -1) if len(by_category) else \
            np.full(len(doc_ids), -1)
    return wanted.get_indexer(doc_ids.astype("str"))


def row_positions(frame: pd.DataFrame, annotations: pd.DataFrame, section: str | None = None,
                  whole: pd.DataFrame | None = None) -> np.ndarray:
    """Each row of `frame` -> the position (0-based, in `annotations`) of its annotation; -1: none.

    Uses `frame`'s `row_key` column when it has one (keys.with_row_keys, once per load: one Arrow
    hash lookup, ~5 ms at 214k rows). Otherwise keys only the rows of annotated documents (a
    corpus with 50 annotations keys a few hundred rows, not all of them). `section` names the
    section of a section table (`corpus.tables[...]`, which has no section column).

    `whole`: the full items frame `frame` was filtered from. A key's occurrence counts duplicates
    among all rows of a document and section, so keying a filtered frame alone could number a
    duplicate 1 that is 2 in the document: with `whole`, keys are computed there and each row of
    `frame` is found in it by (doc_id, line).
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    is_row = (annotations["target"] == TARGET_ROW).to_numpy(dtype=bool)
    positions = np.full(len(frame), -1, dtype=np.int64)
    if not is_row.any() or frame.empty:
        return positions
    on_rows = np.flatnonzero(is_row)
    value_set = pa.array(annotations["key"].to_numpy(dtype=object)[on_rows], pa.large_string())

    def lookup(row_keys: pd.Series) -> np.ndarray:
        hits = pc.index_in(keys._arrow_text(row_keys), value_set=value_set).fill_null(-1)
        hits = hits.to_numpy(zero_copy_only=False)
        return np.where(hits >= 0, on_rows[hits.clip(min=0)], -1)

    if keys.ROW_KEY in frame.columns:
        return lookup(frame[keys.ROW_KEY])
    annotated_docs = pd.Index(annotations["doc_id"].to_numpy(dtype=object)[on_rows]).unique()
    in_annotated = np.flatnonzero(_annotated_document_flags(frame["doc_id"], annotated_docs) >= 0)
    if not len(in_annotated):
        return positions
    subset = frame.iloc[in_annotated]
    if section is not None:
        subset = subset.assign(section=section)
    if whole is None or whole is frame or "line" not in frame.columns or "line" not in whole.columns:
        positions[in_annotated] = lookup(keys.row_keys(subset))
        return positions
    whole_rows = whole.iloc[np.flatnonzero(_annotated_document_flags(whole["doc_id"], annotated_docs) >= 0)]
    whole_keys = whole_rows[keys.ROW_KEY] if keys.ROW_KEY in whole_rows.columns else keys.row_keys(whole_rows)
    where = pd.MultiIndex.from_arrays([whole_rows["doc_id"].astype("str"), whole_rows["line"]])
    at = where.get_indexer(pd.MultiIndex.from_arrays([subset["doc_id"].astype("str"), subset["line"]]))
    found = whole_keys.to_numpy(dtype=object)[at.clip(min=0)] if len(whole_keys) else np.full(len(at), "")
    subset_keys = pd.Series(np.where(at >= 0, found, ""), dtype="str")
    positions[in_annotated] = lookup(subset_keys)
    return positions


def document_positions(frame: pd.DataFrame, annotations: pd.DataFrame) -> np.ndarray:
    """Each row of a frame with a doc_id (the documents, the items) -> the position (in
    `annotations`) of its document's annotation; -1: none."""
    on_documents = np.flatnonzero((annotations["target"] == TARGET_DOCUMENT).to_numpy(dtype=bool))
    if not len(on_documents) or frame.empty:
        return np.full(len(frame), -1, dtype=np.int64)
    found = _annotated_document_flags(frame["doc_id"], pd.Index(annotations["doc_id"].to_numpy(dtype=object)[on_documents]))
    return np.where(found >= 0, on_documents[np.asarray(found).clip(min=0)], -1)


def _values_at(annotations: pd.DataFrame, positions: np.ndarray, index: pd.Index | None = None) -> pd.DataFrame:
    """FIELDS of `annotations` at `positions` (-1: the defaults: not starred, status new, the rest missing)."""
    taken = pd.DataFrame({name: annotations[name].array.take(positions, allow_fill=True) for name in FIELDS},
                         index=index)
    taken["starred"] = taken["starred"].fillna(False).astype(bool)
    taken["status"] = taken["status"].fillna(DEFAULT_STATUS)
    return taken


def _inherited(own: pd.DataFrame, document: pd.DataFrame) -> pd.DataFrame:
    """A row's own values with its document's filling in, field by field, what the row does not say:
    starred if either is; the row's status unless it is `new`; the row's rating, horizon and note
    where it has one; the tags of both."""
    values = own.copy()
    values["starred"] = own["starred"].to_numpy(dtype=bool) | document["starred"].to_numpy(dtype=bool)
    values["status"] = own["status"].where(own["status"].astype("str") != DEFAULT_STATUS, document["status"])
    for name in ("impact", "likelihood", "horizon", "note"):
        values[name] = own[name].where(own[name].notna(), document[name])
    both = own["tags"].notna() & document["tags"].notna()
    values["tags"] = own["tags"].where(own["tags"].notna(), document["tags"])
    values.loc[both, "tags"] = own["tags"][both] + TAG_SEPARATOR + document["tags"][both]
    return values


def for_rows(frame: pd.DataFrame, annotations: pd.DataFrame, section: str | None = None,
             inherit: bool = False, whole: pd.DataFrame | None = None) -> pd.DataFrame:
    """Rows (the items frame, a section table with its `section` named, or any subset) -> their
    annotations (FIELDS), same index: the defaults (not starred, status new, the rest missing) for
    rows without one. `inherit`: a row's document fills in what the row does not say (see
    `row_mask`). `whole`: the full items frame a filtered `frame` came from (see `row_positions`)."""
    own = _values_at(annotations, row_positions(frame, annotations, section, whole), frame.index)
    if not inherit:
        return own
    return _inherited(own, _values_at(annotations, document_positions(frame, annotations), frame.index))


def for_documents(documents: pd.DataFrame, annotations: pd.DataFrame) -> pd.DataFrame:
    """The documents frame (or any frame with a doc_id) -> each document's own annotation (FIELDS),
    same index; defaults where there is none."""
    return _values_at(annotations, document_positions(documents, annotations), documents.index)


# ---------------------------------------------------------------------------------------------
# Selecting by annotations (what the annotation facets call)
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Criteria:
    """What rows or documents must have to be kept. Unset criteria (None, empty) keep everything;
    set ones must all hold. `statuses`, `tags`, `horizons`: any of the values (tags compared
    case-insensitively); `has_note`: a note that is not blank; `rated`: impact or likelihood set
    (False: neither). Values are checked (AnnotationError)."""

    starred: bool | None = None
    statuses: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    has_note: bool | None = None
    min_impact: int | None = None
    max_impact: int | None = None
    min_likelihood: int | None = None
    max_likelihood: int | None = None
    horizons: tuple[str, ...] = ()
    rated: bool | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "statuses", tuple(dict.fromkeys(check_status(s) for s in _tuple(self.statuses))))
        object.__setattr__(self, "horizons", tuple(dict.fromkeys(check_horizon(h) for h in _tuple(self.horizons))))
        object.__setattr__(self, "tags", check_tags(_tuple(self.tags)))
        for name in ("min_impact", "max_impact", "min_likelihood", "max_likelihood"):
            object.__setattr__(self, name, check_rating(name.replace("_", " "), getattr(self, name)))

    @property
    def is_empty(self) -> bool:
        """True when nothing is restricted."""
        return self == Criteria()

    def test(self, values: Joined) -> np.ndarray:
        """Joined values -> True for each of its annotated rows (`values.rows`) that meets every criterion."""
        keep = np.ones(len(values.rows), dtype=bool)
        if self.starred is not None:
            keep &= values.starred == self.starred
        if self.statuses:
            keep &= np.isin(values.status, [STATUSES.index(s) for s in self.statuses])
        if self.horizons:
            keep &= np.isin(values.horizon, [HORIZONS.index(h) for h in self.horizons])
        if self.has_note is not None:
            keep &= values.noted == self.has_note
        if self.rated is not None:
            keep &= (~np.isnan(values.impact) | ~np.isnan(values.likelihood)) == self.rated
        for ratings, low, high in ((values.impact, self.min_impact, self.max_impact),
                                   (values.likelihood, self.min_likelihood, self.max_likelihood)):
            # NaN (not rated) compares False: an unrated row is outside every range.
            if low is not None:
                keep &= ratings >= low
            if high is not None:
                keep &= ratings <= high
        if self.tags:
            wanted = np.isin(values.tag, [tag.casefold() for tag in self.tags])
            tagged = np.zeros(len(values.rows), dtype=bool)
            tagged[values.tag_row[wanted]] = True
            keep &= tagged
        return keep


def _tuple(values: object) -> tuple:
    if values is None:
        return ()
    if isinstance(values, str):
        return (values,)
    return tuple(values)


def criteria(**given: Any) -> Criteria:
    """Keyword arguments as the command line and URL spell them (`status="watch"`, `tag=["ai"]`,
    `horizon="<1y"`, `min_impact=4`, `starred=True`, `has_note=True`, `rated=False`; the plural
    field names work too) -> Criteria. Raises AnnotationError for a value that is not allowed."""
    aliases = {"status": "statuses", "tag": "tags", "horizon": "horizons"}
    names = {f.name for f in fields(Criteria)}
    values = {}
    for name, value in given.items():
        target = aliases.get(name, name)
        if target not in names:
            raise AnnotationError(f"unknown annotation criterion: {name}")
        values[target] = value
    return Criteria(**values)


@dataclass(frozen=True, eq=False)
class Joined:
    """Annotations joined to the rows of a frame (the items, or the documents), as arrays ready to
    filter: what the annotation facets keep between reruns (cache it on the corpus and
    `store.revision()`), so a rerun pays only `mask`.

    `rows` are the positions (in the frame) of the rows with an annotation; the other arrays hold
    their values, one per entry of `rows`: `status` and `horizon` as codes into STATUSES and
    HORIZONS (-1: none), ratings as floats (NaN: none), and the tags in long form (`tag_row`: an
    index into `rows`; `tag`: the tag, case-folded). Every other row has the default values.
    """

    length: int
    rows: np.ndarray
    starred: np.ndarray
    status: np.ndarray
    impact: np.ndarray
    likelihood: np.ndarray
    horizon: np.ndarray
    noted: np.ndarray
    tag_row: np.ndarray
    tag: np.ndarray

    def option_counts(self, keep: np.ndarray | None = None) -> dict[str, pd.Series]:
        """Rows per value of each annotation facet (among the rows `keep` marks, default all), as
        the sidebar shows next to its options: `status` and `horizon` per value (in their order,
        rows without a horizon left out), `tag` per tag (case-folded, most rows first), and
        `starred`, `rated`, `has_note` as {True: rows, False: rows}."""
        keep = np.ones(self.length, dtype=bool) if keep is None else np.asarray(keep, dtype=bool)
        kept = keep[self.rows]
        unmarked = int(keep.sum()) - int(kept.sum())  # rows with the defaults

        def split(flags: np.ndarray) -> pd.Series:
            yes = int(flags[kept].sum())
            return pd.Series({True: yes, False: int(kept.sum()) - yes + unmarked})

        status = np.bincount(self.status[kept], minlength=len(STATUSES))
        status[0] += unmarked
        horizon = np.bincount(self.horizon[kept][self.horizon[kept] >= 0], minlength=len(HORIZONS))
        tag_rows = pd.DataFrame({"row": self.tag_row, "tag": self.tag})[kept[self.tag_row]].drop_duplicates()
        return {
            "status": pd.Series(status, index=list(STATUSES)),
            "horizon": pd.Series(horizon, index=list(HORIZONS)),
            "tag": tag_rows["tag"].value_counts().rename(None),
            "starred": split(self.starred),
            "rated": split(~np.isnan(self.impact) | ~np.isnan(self.likelihood)),
            "has_note": split(self.noted),
        }

    def mask(self, chosen: Criteria) -> np.ndarray:
        """True for each row of the frame whose values meet `chosen` (a few ms: the rows with an
        annotation are tested, every other row gets the answer for the defaults)."""
        if chosen.is_empty:
            return np.ones(self.length, dtype=bool)
        keep = np.full(self.length, bool(chosen.test(_DEFAULTS)[0]))
        if len(self.rows):
            keep[self.rows] = chosen.test(self)
        return keep


def _arrays(annotations: pd.DataFrame) -> dict[str, np.ndarray]:
    """The annotations' values as arrays, with one more entry at the end holding the defaults, so
    that indexing with -1 (no annotation) gives them."""
    # Tag lists repeat (a team uses a few dozen): case-fold and split each distinct one once.
    codes, distinct = pd.factorize(annotations["tags"], use_na_sentinel=True)
    split = [text.casefold().split(TAG_SEPARATOR) for text in distinct]
    distinct_counts = np.array([len(listed) for listed in split] + [0], dtype=np.int64)
    distinct_tags = np.array([tag for listed in split for tag in listed], dtype=object)
    distinct_start = np.concatenate([[0], np.cumsum(distinct_counts)[:-1]])
    codes = np.append(codes, -1)  # -1: no tags (the defaults' entry too), the last distinct entry
    notes = annotations["note"]
    noted = notes.notna().to_numpy(dtype=bool, copy=True)
    if noted.any():
        noted[noted] = notes[noted].str.strip().ne("").to_numpy(dtype=bool)
    return {
        "starred": np.append(annotations["starred"].to_numpy(dtype=bool), False),
        "status": np.append(annotations["status"].cat.codes.to_numpy().astype(np.int8), 0),
        "impact": np.append(annotations["impact"].to_numpy(dtype=float, na_value=np.nan), np.nan),
        "likelihood": np.append(annotations["likelihood"].to_numpy(dtype=float, na_value=np.nan), np.nan),
        "horizon": np.append(annotations["horizon"].cat.codes.to_numpy().astype(np.int8), -1),
        "noted": np.append(noted, False),
        "tag_count": distinct_counts[codes],
        "tag_start": distinct_start[codes],
        "tag": distinct_tags,
    }


def _tags_of(values: dict[str, np.ndarray], positions: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Annotation positions (-1: none) -> the tags they hold, long form: (index into `positions`, tag)."""
    counts = values["tag_count"][positions]
    entry = np.repeat(np.arange(len(positions)), counts)
    offsets = np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
    return entry, values["tag"][np.repeat(values["tag_start"][positions], counts) + offsets]


def _joined(length: int, rows: np.ndarray, values: dict[str, np.ndarray], own: np.ndarray,
            of_document: np.ndarray | None) -> Joined:
    """The Joined of `rows` whose own annotation is at `own` and (when inheriting) their
    document's at `of_document` (-1: none)."""
    starred, status = values["starred"][own], values["status"][own]
    impact, likelihood = values["impact"][own], values["likelihood"][own]
    horizon, noted = values["horizon"][own], values["noted"][own]
    tag_row, tag = _tags_of(values, own)
    if of_document is not None:
        # What the row does not say, its document does (see row_mask).
        starred = starred | values["starred"][of_document]
        status = np.where(status != 0, status, values["status"][of_document])
        impact = np.where(np.isnan(impact), values["impact"][of_document], impact)
        likelihood = np.where(np.isnan(likelihood), values["likelihood"][of_document], likelihood)
        horizon = np.where(horizon >= 0, horizon, values["horizon"][of_document])
        noted = noted | values["noted"][of_document]
        document_tag_row, document_tag = _tags_of(values, of_document)
        tag_row, tag = np.concatenate([tag_row, document_tag_row]), np.concatenate([tag, document_tag])
    return Joined(length, rows, starred, status, impact, likelihood, horizon, noted, tag_row, tag)


_DEFAULTS = Joined(1, np.zeros(1, np.int64), np.zeros(1, bool), np.zeros(1, np.int8), np.full(1, np.nan),
                   np.full(1, np.nan), np.full(1, -1, np.int8), np.zeros(1, bool), np.empty(0, np.int64),
                   np.empty(0, object))


def join_rows(items: pd.DataFrame, annotations: pd.DataFrame, inherit: bool = True,
              section: str | None = None, whole: pd.DataFrame | None = None) -> Joined:
    """Items (or a section table, `section` named) and the annotations -> the Joined the row facets
    filter with. `inherit`: a row's document fills in what the row does not say (see `row_mask`);
    `whole`: see `row_positions`."""
    own = row_positions(items, annotations, section, whole)
    of_document = document_positions(items, annotations) if inherit else None
    marked = (own >= 0) if of_document is None else (own >= 0) | (of_document >= 0)
    rows = np.flatnonzero(marked)
    return _joined(len(items), rows, _arrays(annotations), own[rows],
                   None if of_document is None else of_document[rows])


def join_documents(documents: pd.DataFrame, annotations: pd.DataFrame) -> Joined:
    """The documents frame and the annotations -> the Joined the document facets filter with
    (each document's own annotation)."""
    positions = document_positions(documents, annotations)
    rows = np.flatnonzero(positions >= 0)
    return _joined(len(documents), rows, _arrays(annotations), positions[rows], None)


def row_mask(items: pd.DataFrame, annotations: pd.DataFrame, chosen: Criteria, inherit: bool = True,
             section: str | None = None, whole: pd.DataFrame | None = None) -> np.ndarray:
    """Items (or a section table, `section` named) -> True for the rows whose annotation meets `chosen`.

    `inherit` (default): a row's values are its own, with its document's annotation filling in what
    the row does not say: starred if either is; the row's status unless it is `new`; the row's
    ratings, horizon and note where it has them; the tags of both. So starring a document keeps
    all its rows under "starred", dismissing it dismisses the rows nobody triaged one by one, and a
    row's own status or rating wins. False: the rows' own annotations only. `whole`: the full
    items frame a filtered `items` came from (see `row_positions`; not needed once items carry
    their `row_key`).

    Joins, then masks: a rerun that filters by the same annotations again should keep the
    `join_rows` result and call its `mask`.
    """
    if chosen.is_empty:
        return np.ones(len(items), dtype=bool)
    return join_rows(items, annotations, inherit, section, whole).mask(chosen)


def filter_rows(items: pd.DataFrame, annotations: pd.DataFrame, inherit: bool = True, **given: Any) -> pd.DataFrame:
    """Items kept by annotation criteria given as keywords (`criteria`): `starred=True`,
    `status=("watch", "escalate")`, `tag="grid"`, `min_impact=4`, `horizon="<1y"`, `has_note=True`,
    `rated=True`... See `row_mask` for `inherit`."""
    return items[row_mask(items, annotations, criteria(**given), inherit)]


def document_mask(documents: pd.DataFrame, annotations: pd.DataFrame, chosen: Criteria) -> np.ndarray:
    """The documents frame -> True for the documents whose own annotation meets `chosen`."""
    if chosen.is_empty:
        return np.ones(len(documents), dtype=bool)
    return join_documents(documents, annotations).mask(chosen)


def filter_documents(documents: pd.DataFrame, annotations: pd.DataFrame, **given: Any) -> pd.DataFrame:
    """Documents kept by annotation criteria given as keywords (see `filter_rows`), on their own annotation."""
    return documents[document_mask(documents, annotations, criteria(**given))]


# ---------------------------------------------------------------------------------------------
# Orphans
# ---------------------------------------------------------------------------------------------
ORPHAN_COLUMNS = ("target", "doc_id", "document_present", "section", "row", "anchor_kind", "anchor",
                  "occurrence", *FIELDS, "updated_by", "updated_at")


def orphans(items: pd.DataFrame, documents: pd.DataFrame, annotations: pd.DataFrame) -> pd.DataFrame:
    """Annotations whose document or row is not in the corpus: where they were (document, whether
    that document is still there, section, the row's place when last annotated, the name or
    description they were keyed on) and what they said (FIELDS, who, when). Never removed: a row
    may come back with the next pipeline run. Sorted by document, section, row."""
    if annotations.empty:
        return annotations.reindex(columns=list(ORPHAN_COLUMNS))
    annotations = annotations.reset_index(drop=True)
    present_docs = pd.Index(documents["doc_id"].astype("str"))
    document_present = present_docs.get_indexer(annotations["doc_id"].astype("str")) >= 0
    on_rows = (annotations["target"] == TARGET_ROW).to_numpy()
    row_found = np.zeros(len(annotations), dtype=bool)
    if on_rows.any():
        positions = row_positions(items, annotations)
        row_found[positions[positions >= 0]] = True
    gone = np.where(on_rows, ~row_found, ~document_present)
    found = annotations[gone].assign(document_present=document_present[gone])
    found = found.sort_values(["doc_id", "section", "row", "occurrence"], kind="stable", na_position="first")
    return found[list(ORPHAN_COLUMNS)].reset_index(drop=True)


def orphan_reason(orphan: Mapping[str, Any]) -> str:
    """One row of `orphans` -> why it is an orphan, in words."""
    if not orphan["document_present"]:
        return "document gone"
    return f"no row of {orphan['section']} has this {orphan['anchor_kind']} any more"
