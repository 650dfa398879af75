"""Named settings of a folder's analysis, kept in the workspace: text keys to text values (the
Assessment page's zone names, `assessment.zone.act_now` -> "Act now").

Every write is one workspace change (history kept, `Store.undo_last` reverts it); a value set back
to its default is removed, so a workspace holds only what the analyst changed.
"""

from __future__ import annotations

from collections.abc import Mapping

from signals.workspace.store import Store, default_author, now_text

TABLE = "settings"
#: Longest value kept (a zone name is a few words; a pasted paragraph is a mistake).
VALUE_MAX_LENGTH = 80


class SettingError(ValueError):
    """A setting that cannot be kept (empty or too long), in words for the analyst."""


def read(store: Store, prefix: str = "") -> dict[str, str]:
    """The settings whose key starts with `prefix`: key -> value ({} before the first write)."""
    return {key: row["value"] for key, row in store.rows(TABLE).items() if key.startswith(prefix)}


def check_value(value: object) -> str:
    """A value as typed -> trimmed, inner spaces collapsed; SettingError when empty or too long."""
    text = " ".join(str(value).split())
    if not text:
        raise SettingError("a name cannot be empty")
    if len(text) > VALUE_MAX_LENGTH:
        raise SettingError(f"a name is at most {VALUE_MAX_LENGTH} characters: {text[:40]!r}…")
    return text


def write(store: Store, values: Mapping[str, object], defaults: Mapping[str, str], by: str | None = None,
          summary: str = "settings") -> int:
    """Keep `values` (key -> value), as one change; a value equal to its default in `defaults` removes
    the key. Every value is checked before anything is written (SettingError). Returns how many keys
    changed (0: nothing recorded)."""
    checked = {key: check_value(value) for key, value in values.items()}
    by = (by or "").strip() or default_author()
    at = now_text()
    with store.change("settings", by) as transaction:
        for key, value in checked.items():
            if value == defaults.get(key):
                transaction.delete(TABLE, key)
            elif (transaction.get(TABLE, key) or {}).get("value") != value:
                transaction.put(TABLE, key, {"value": value, "updated_by": by, "updated_at": at})
        transaction.summary = summary
        changed = len(transaction.edits)
    return changed
