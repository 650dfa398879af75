"""Theme merges kept in the workspace: spellings an analyst decided mean one theme.

Stored flat in the `theme_merges` table, one row per alias (its key, the spelling it was merged
as, the theme it now counts as, who and when): no alias is ever another alias's theme, so the
mapping needs no chain resolution and `aliases.apply_aliases` takes it as it is. Merging into a
theme that has aliases of its own re-points them; merging a theme into one of its own aliases
turns the pair around.

An aliases file (`--aliases FILE`, or the app's upload) is applied together with these merges, the
file winning: where both name the same alias the file's theme is used, and a workspace merge that
would loop with the file's entries is left out (`combine` says which).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from signals import schema
from signals.workspace.store import Store, Transaction, default_author, now_text

TABLE = "theme_merges"


class MergeError(ValueError):
    """A merge, unmerge or split that cannot be done, in words for the analyst."""


@dataclass(frozen=True)
class ThemeMerge:
    """One stored merge: the alias (its key and the spelling merged), the theme it counts as, who, when."""

    alias_key: str
    alias: str
    theme: str
    created_by: str
    created_at: str


def theme_merges(store: Store) -> list[ThemeMerge]:
    """Every stored merge, grouped by theme (alphabetical by key), aliases alphabetical within."""
    rows = [ThemeMerge(key, **row) for key, row in store.rows(TABLE).items()]
    return sorted(rows, key=lambda m: (schema.theme_key(m.theme), m.alias_key))


def mapping(store: Store) -> dict[str, str]:
    """The stored merges as aliases.apply_aliases wants them: {alias key: theme spelling}."""
    return store.column(TABLE, "theme")


def _quoted(texts: Iterable[str]) -> str:
    return ", ".join(f"“{t}”" for t in texts)


def _clean(text: str) -> str:
    return " ".join(str(text).split())


def _merge_in(transaction: Transaction, spellings: dict[str, str], into: str, by: str, at: str) -> None:
    """Inside a change: every key of `spellings` becomes an alias of `into`; aliases of a merged theme
    (or of `into` under another spelling) are re-pointed, so the table stays flat."""
    into_key = schema.theme_key(into)
    current = transaction.all(TABLE)
    if into_key in current and schema.theme_key(current[into_key]["theme"]) not in spellings:
        raise MergeError(f"“{into}” is itself merged into “{current[into_key]['theme']}”: merge into that "
                         "theme, or split it first")
    for key, spelling in spellings.items():
        transaction.put(TABLE, key, {"alias": spelling, "theme": into, "created_by": by, "created_at": at})
    for key, row in current.items():
        if key in spellings:
            continue
        target_key = schema.theme_key(row["theme"])
        if key == into_key:  # the new theme was an alias of a merged theme: the pair turns around
            transaction.delete(TABLE, key)
        elif target_key in spellings or target_key == into_key:
            transaction.put(TABLE, key, {**row, "theme": into})


def merge_themes(store: Store, themes: Iterable[str], into: str, by: str | None = None) -> str:
    """Count every theme in `themes` as `into` from now on (one change). Returns its summary.

    `into` may be one of `themes` (the usual case: the most frequent spelling) or a new name.
    Raises MergeError when nothing would change or `into` is itself an alias of another theme.
    """
    into = _clean(into)
    if not into:
        raise MergeError("name the merged theme")
    into_key = schema.theme_key(into)
    spellings: dict[str, str] = {}
    for theme in themes:
        key = schema.theme_key(str(theme))
        if key and key != into_key:
            spellings.setdefault(key, _clean(theme))
    if not spellings:
        raise MergeError(f"nothing to merge: pick themes other than “{into}”")
    by = by or default_author()
    with store.change("merge", by) as transaction:
        _merge_in(transaction, spellings, into, by, now_text())
        transaction.summary = f"merged {_quoted(spellings.values())} into “{into}”"
        summary = transaction.summary
    return summary


def unmerge(store: Store, aliases: Iterable[str], by: str | None = None) -> str:
    """Each alias counts as itself again (one change). Returns the summary; MergeError if none was merged."""
    wanted = [schema.theme_key(str(a)) for a in aliases]
    with store.change("unmerge", by) as transaction:
        current = transaction.all(TABLE)
        found = [key for key in dict.fromkeys(wanted) if key in current]
        if not found:
            raise MergeError(f"not merged: {_quoted(str(a) for a in aliases)}")
        for key in found:
            transaction.delete(TABLE, key)
        parts = [f"“{current[k]['alias']}” from “{current[k]['theme']}”" for k in found]
        transaction.summary = "unmerged " + ", ".join(parts)
        summary = transaction.summary
    return summary


def split(store: Store, theme: str, by: str | None = None) -> str:
    """Every alias of `theme` counts as itself again (one change). Returns the summary."""
    target_key = schema.theme_key(theme)
    with store.change("split", by) as transaction:
        members = [(k, row) for k, row in transaction.all(TABLE).items()
                   if schema.theme_key(row["theme"]) == target_key]
        if not members:
            raise MergeError(f"“{_clean(theme)}” has no merged spellings")
        for key, _ in members:
            transaction.delete(TABLE, key)
        transaction.summary = f"split “{members[0][1]['theme']}” back into itself and {_quoted(r['alias'] for _, r in members)}"
        summary = transaction.summary
    return summary


def import_aliases(store: Store, aliases: dict[str, str], by: str | None = None) -> str:
    """An aliases file's mapping ({alias key: theme}, aliases.read_aliases) -> stored merges, as one change."""
    by_theme: dict[str, tuple[str, dict[str, str]]] = {}
    for alias_key, theme in aliases.items():
        into = _clean(theme)
        key = schema.theme_key(into)
        if key and alias_key != key:
            by_theme.setdefault(key, (into, {}))[1][alias_key] = alias_key
    if not by_theme:
        raise MergeError("the aliases file merges nothing")
    by = by or default_author()
    at = now_text()
    with store.change("import", by) as transaction:
        for into, spellings in by_theme.values():
            _merge_in(transaction, spellings, into, by, at)
        transaction.summary = f"imported {len(aliases):,} aliases into {len(by_theme):,} themes"
        summary = transaction.summary
    return summary


def combine(file_aliases: dict[str, str], workspace_aliases: dict[str, str]) -> tuple[dict[str, str], list[str]]:
    """An aliases file's mapping and the workspace's -> (one mapping, workspace aliases left out).

    The file wins: its entry replaces the workspace's for the same alias, and a workspace alias
    whose merge would loop through the file's entries is left out (and listed). Chains across
    the two (workspace `ai -> artificial intelligence`, file `artificial intelligence -> AI`)
    resolve to the end (`ai -> AI`).
    """
    combined = {**workspace_aliases, **file_aliases}
    left_out: list[str] = []
    while True:
        resolved: dict[str, str] = {}
        loop: list[str] | None = None
        for alias, target in combined.items():
            seen = [alias]
            theme = target
            while schema.theme_key(theme) in combined:
                key = schema.theme_key(theme)
                if key in seen:
                    loop = seen[seen.index(key):]
                    break
                seen.append(key)
                theme = combined[key]
            if loop:
                break
            if schema.theme_key(theme) != alias:
                resolved[alias] = theme
        if loop is None:
            return resolved, left_out
        dropped = next((key for key in loop if key not in file_aliases), loop[0])
        del combined[dropped]
        left_out.append(dropped)
