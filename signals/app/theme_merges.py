"""The folder's theme merges in the app: read from the workspace on every run, applied with the
session's uploaded aliases file (which wins, see signals.workspace.merges.combine), and the
actions the Themes page offers (callbacks, so the rerun that follows already sees the change).

Reading the merges costs about 0.3 ms a run (one SELECT on a fresh read-only connection; the
file's integrity check runs once per process), so another session's or the CLI's merge shows on
the next interaction without any invalidation. The merged
corpus is cached on (folder fingerprint, merges digest), like every shared result here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import streamlit as st

from signals import aliases, schema
from signals.corpus_type import Corpus
from signals.workspace import WorkspaceError, merges
from signals.workspace.store import Store, default_author, workspace_path

#: Session key of this run's MergeState (set by the frame, read by the Themes page).
STATE_KEY = "_theme_merges"
#: Session key of the analyst's name, kept in the workspace history.
AUTHOR_KEY = "analyst_name"
#: Session key of the message the last action left for the page (kind, text).
MESSAGE_KEY = "_theme_merge_message"


@dataclass(frozen=True)
class MergeState:
    """What this run knows about the folder's merges."""

    store: Store | None
    #: Why merging is off (a damaged, foreign, newer or misplaced workspace), in words; else None.
    problem: str | None
    #: The workspace's merges: alias key -> theme.
    stored: dict[str, str] = field(default_factory=dict)
    #: The uploaded aliases file's (session only): alias key -> theme.
    uploaded: dict[str, str] = field(default_factory=dict)
    #: Cache key of the merged corpus ("" when not shareable, as with uploads).
    corpus_key: str = ""
    #: What is applied: both combined, alias key -> theme.
    applied: dict[str, str] = field(default_factory=dict)

    @property
    def can_merge(self) -> bool:
        return self.store is not None and not self.store.read_only and self.problem is None


@st.cache_resource(max_entries=16, show_spinner=False)
def _opened(path: str) -> Store:
    """A workspace file checked once per server process (the check reads the whole file: about 1 ms
    at 100 merges, growing with it); a failed check raises, so it is not kept and runs again."""
    return Store.open(path)


def _read(folder: Path) -> tuple[Store | None, dict[str, str], str | None]:
    try:
        store = _opened(str(workspace_path(folder)))
        return store, merges.mapping(store), store.problem
    except WorkspaceError as error:
        return None, {}, f"{error}. Theme merges are not applied and merging is off until it is fixed."


@st.cache_resource(max_entries=8, show_spinner=False)
def _merged_shared(corpus_key: str, digest: str, _corpus: Corpus, _mapping: dict) -> Corpus:
    return aliases.apply_aliases(_corpus, _mapping)


def with_theme_merges(folder: Path, corpus: Corpus, corpus_key: str, uploaded: dict[str, str] | None) -> tuple[Corpus, str]:
    """The corpus with the folder's merges (and the uploaded aliases) applied -> (corpus, its cache key).

    The key gains the merges' digest, so facet counts, filtered views and charts cached on it
    never mix merged and unmerged numbers. A workspace that cannot be used is shown as a warning
    in the sidebar and left untouched.
    """
    store, stored, problem = _read(folder)
    mapping, left_out = merges.combine(uploaded or {}, stored)
    if mapping:
        digest = aliases.fingerprint(mapping)
        corpus = _merged_shared(corpus_key, digest, corpus, mapping) if corpus_key else aliases.apply_aliases(corpus, mapping)
        corpus_key = corpus_key and f"{corpus_key}|aliases:{digest}"
    if problem:
        # The details (file, what is wrong) are on the Merge themes page; the sidebar only says so.
        st.sidebar.warning("Theme merges are off: the workspace file cannot be used (see Merge themes).",
                           icon=":material/lock:")
    if left_out:
        st.sidebar.caption(f"{len(left_out)} theme merges left out: they loop with the uploaded aliases file.")
    st.session_state[STATE_KEY] = MergeState(store, problem, stored, dict(uploaded or {}), corpus_key, mapping)
    return corpus, corpus_key


def current() -> MergeState:
    """This run's merge state (set by the frame before the page runs)."""
    return st.session_state[STATE_KEY]


def author() -> str:
    """Who the history records: the name typed on the Themes page, else the OS user."""
    return (st.session_state.get(AUTHOR_KEY) or "").strip() or default_author()


def _after_change(store: Store, message: str, filter_key: str) -> None:
    """Tell the page what happened and keep the sidebar's theme filter on the merged names."""
    st.session_state[MESSAGE_KEY] = ("success", message)
    mapping, _ = merges.combine(current().uploaded, merges.mapping(store))
    chosen = list(st.session_state.get(filter_key) or [])
    if chosen:
        renamed = [mapping.get(schema.theme_key(t), t) for t in chosen]
        st.session_state[filter_key] = list(dict.fromkeys(renamed))


def _act(action, filter_key: str, *args) -> None:
    """Run a store action (a callback); its summary or its error becomes the page's message."""
    store = current().store
    if store is None:
        return
    try:
        _after_change(store, action(store, *args, by=author()), filter_key)
    except (merges.MergeError, WorkspaceError) as error:
        st.session_state[MESSAGE_KEY] = ("error", str(error))


def merge(themes: list[str], into: str, filter_key: str, clear: tuple[str, ...] = ()) -> None:
    """Callback: merge `themes` into `into`; `clear` names the input widgets to empty afterwards."""
    _act(merges.merge_themes, filter_key, list(themes), into)
    if st.session_state.get(MESSAGE_KEY, ("",))[0] == "success":
        for key in clear:
            st.session_state[key] = [] if isinstance(st.session_state.get(key), list) else ""


def unmerge(alias: str, filter_key: str) -> None:
    """Callback: one alias counts as itself again."""
    _act(merges.unmerge, filter_key, [alias])


def split(theme: str, filter_key: str) -> None:
    """Callback: every alias of `theme` counts as itself again."""
    _act(merges.split, filter_key, theme)


def undo_last(filter_key: str) -> None:
    """Callback: revert the newest change not yet undone."""
    def undo(store: Store, by: str) -> str:
        undone = store.undo_last(by=by)
        if undone is None:
            raise merges.MergeError("nothing to undo")
        return f"Undone: {undone.summary}"

    _act(undo, filter_key)


@st.cache_resource(max_entries=8, show_spinner=False)
def _suggestions_shared(corpus_key: str, _corpus: Corpus) -> pd.DataFrame:
    return aliases.suggest_synonyms(_corpus, limit=None)


def suggestions(corpus: Corpus, corpus_key: str) -> pd.DataFrame:
    """Likely synonyms among the (merged) corpus's themes, computed once per corpus and merges."""
    return _suggestions_shared(corpus_key, corpus) if corpus_key else aliases.suggest_synonyms(corpus, limit=None)


def theme_documents(corpus: Corpus) -> pd.Series:
    """Theme spelling -> documents, most first, then alphabetical (what the picker lists)."""
    themes = corpus.themes.drop_duplicates(["doc_id", "theme_key"])
    counts = themes["theme"].astype("str").value_counts()
    return counts.sort_index(kind="stable").sort_values(ascending=False, kind="stable")
