"""The analyst's workspace: what the analyst decides about a corpus, kept apart from the corpus.

    store.py    the workspace file (SQLite): location, schema, one transaction per change, history, undo
    merges.py   theme merges: spellings counted as one theme

`theme_aliases(corpus_path)` is what every reader of a corpus calls: the merges to apply to it.
"""

# No `from __future__ import annotations` here: it would bind the name `annotations` in this
# package, and `from signals.workspace import annotations` would then get that, not the module.
import os
from dataclasses import dataclass, field

from signals.workspace.store import Store, WorkspaceError, WorkspaceLocationError, workspace_path

__all__ = ["Store", "ThemeAliases", "WorkspaceError", "WorkspaceLocationError", "open_store", "theme_aliases"]


def open_store(corpus_path: str | os.PathLike, explicit: str | os.PathLike | None = None) -> Store:
    """The workspace of a corpus folder (`explicit` file, else $SIGNALS_WORKSPACE, else the default).

    Raises WorkspaceError for a location inside the data folder or a file that is not a usable workspace.
    """
    return Store.open(workspace_path(corpus_path, explicit))


@dataclass(frozen=True)
class ThemeAliases:
    """The theme merges to apply to a corpus, and what the user should be told about them."""

    mapping: dict[str, str]
    #: Sentences for the user: a workspace that could not be read, merges left out.
    notes: list[str] = field(default_factory=list)


def theme_aliases(corpus_path: str | os.PathLike, explicit: str | os.PathLike | None = None,
                  file_aliases: dict[str, str] | None = None) -> ThemeAliases:
    """The folder's stored merges combined with an aliases file's (the file wins, see merges.combine).

    A workspace inside the data folder raises WorkspaceLocationError (a setting to fix); one that cannot be
    read is reported in `notes` and the file's aliases alone are used (reading goes on).
    """
    from signals.workspace import merges

    path = workspace_path(corpus_path, explicit)  # a misplaced workspace is the user's to fix: raised
    notes: list[str] = []
    try:
        stored = merges.mapping(Store.open(path))
    except WorkspaceError as error:
        notes.append(f"{error}; its theme merges are not applied")
        stored = {}
    mapping, left_out = merges.combine(file_aliases or {}, stored)
    if left_out:
        notes.append("theme merges left out (they loop with the aliases file): " + ", ".join(left_out))
    return ThemeAliases(mapping, notes)
