"""Saved views: named filters kept in the workspace, each with the documents it held when saved.

A view is its filters' URL query (`theme=AI&status=watch`, `Filters.to_params`: the same text a
shared link carries, so a view means what its link means), under a name the analyst chose. Saving,
renaming and deleting are workspace changes (one transaction each, in the history, undoable).

"N new documents since saved" is counted against the ids of the documents the view held when it
was saved, kept with it: a count and a date could not tell which documents are new, since the
pipeline adds documents dated in the past and an annotation can bring an old document into a view;
the ids answer exactly "in the view now, not then". They cost about 30 bytes a document (300 KB
for a view of 10,000 documents; views are usually much narrower).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import parse_qs, urlencode

from signals.filters import Filters
from signals.workspace.store import Store, default_author, now_text

TABLE = "saved_views"
NAME_MAX_LENGTH = 80


class ViewError(ValueError):
    """A view that cannot be saved, renamed or found, in words for the analyst."""


@dataclass(frozen=True)
class SavedView:
    """One saved view: its name, its filters' URL query, the documents it held when saved, who and when."""

    name: str
    query: str
    doc_ids: frozenset[str]
    saved_by: str
    saved_at: str

    @property
    def filters(self) -> Filters:
        """The filters the view was saved with (values this version cannot read are left out)."""
        return Filters.from_params(parse_qs(self.query, keep_blank_values=False))

    @property
    def documents(self) -> int:
        """How many documents it held when saved."""
        return len(self.doc_ids)

    def new_since(self, doc_ids_now: Iterable[str]) -> int:
        """How many of the documents the view holds now it did not hold when saved."""
        return len(set(map(str, doc_ids_now)) - self.doc_ids)


def query_of(filters: Filters) -> str:
    """Filters -> the URL query a view keeps (`theme=AI&rmin=4`; "" for no filter)."""
    return urlencode(filters.to_params(), doseq=True)


def check_name(name: object) -> str:
    """A view's name as typed -> trimmed, inner spaces collapsed; ViewError when empty or too long."""
    text = " ".join(str(name or "").split())
    if not text:
        raise ViewError("a saved view needs a name")
    if len(text) > NAME_MAX_LENGTH:
        raise ViewError(f"a view's name is at most {NAME_MAX_LENGTH} characters")
    return text


def _key(name: str) -> str:
    """Names are compared case-insensitively: "Energy watch" and "energy watch" are one view."""
    return check_name(name).casefold()


def _from_row(row: dict[str, str]) -> SavedView:
    return SavedView(row["name"], row["query"], frozenset(json.loads(row["doc_ids"] or "[]")),
                     row["saved_by"], row["saved_at"])


def saved(store: Store) -> list[SavedView]:
    """Every saved view of the workspace, by name (case-insensitive)."""
    return sorted((_from_row(row) for row in store.rows(TABLE).values()), key=lambda v: v.name.casefold())


def get(store: Store, name: str) -> SavedView:
    """The view saved under `name` (case-insensitive); ViewError when there is none."""
    row = store.row(TABLE, _key(name))
    if row is None:
        raise ViewError(f"no saved view named {check_name(name)!r}")
    return _from_row(row)


def save(store: Store, name: str, filters: Filters, doc_ids: Iterable[str], by: str | None = None) -> SavedView:
    """Keep `filters` under `name` with the documents they select now (one change; a view of the
    same name is replaced, its history kept). Returns the view saved."""
    name = check_name(name)
    by = (by or "").strip() or default_author()
    ids = sorted(set(map(str, doc_ids)))
    view = SavedView(name, query_of(filters), frozenset(ids), by, now_text())
    with store.change("save view", by) as transaction:
        replaced = transaction.get(TABLE, _key(name)) is not None
        transaction.put(TABLE, _key(name), {"name": name, "query": view.query, "doc_ids": json.dumps(ids),
                                            "documents": str(len(ids)), "saved_by": by, "saved_at": view.saved_at})
        words = filters.summary() or "no filters"
        transaction.summary = f"{'replaced' if replaced else 'saved'} view “{name}” ({words}; {len(ids):,} documents)"
    return view


def rename(store: Store, name: str, new_name: str, by: str | None = None) -> SavedView:
    """Give a saved view another name (one change). ViewError when there is no such view, or
    another view already has the new name."""
    view = get(store, name)
    new_name = check_name(new_name)
    if _key(new_name) != _key(name) and store.row(TABLE, _key(new_name)) is not None:
        raise ViewError(f"a view named {new_name!r} exists already")
    with store.change("rename view", by) as transaction:
        row = transaction.get(TABLE, _key(name))
        if row is None:
            raise ViewError(f"no saved view named {view.name!r}")
        transaction.delete(TABLE, _key(name))
        transaction.put(TABLE, _key(new_name), row | {"name": new_name})
        transaction.summary = f"renamed view “{view.name}” to “{new_name}”"
    return SavedView(new_name, view.query, view.doc_ids, view.saved_by, view.saved_at)


def delete(store: Store, name: str, by: str | None = None) -> SavedView:
    """Remove a saved view (one change: undo brings it back). ViewError when there is none."""
    view = get(store, name)
    with store.change("delete view", by) as transaction:
        transaction.delete(TABLE, _key(name))
        transaction.summary = f"deleted view “{view.name}”"
    return view
