"""The analyst's annotations in the app: the workspace store, this session's annotations frame,
the annotations joined to the corpus (what the Assessment facets filter with), and who is editing.

Per run, the frame calls `with_row_keys` (once per corpus: the items' content keys, shared by every
session like the loaded corpus; above KEYED_UP_TO_ROWS rows, not at all) and then `prepare`, which:

- takes the store the theme merges opened (signals.app.theme_merges: one checked opener for the
  folder's workspace; a damaged or foreign file is no store, a newer one is read-only);
- keeps this session's `(annotations frame, revision)` with `annotations.refresh`, which reads only
  what changed since the last run (one connection; ~1 ms when nothing did), so another session's
  or the CLI's edit shows on the next interaction;
- joins them to the full, unfiltered items and documents (`join_rows` / `join_documents`), cached
  across sessions on (corpus key, workspace file, revision): 12 ms at 10k documents and 5,000
  annotations, paid once per edit, not per rerun.

Pages read `current_store()`, `annotations_frame()`, `joined_rows()`, `joined_documents()`,
`analyst_name()` and `read_only_reason()`; the grid page and the editor (annotation_editor) too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import streamlit as st

from signals import facets, schema
from signals.app import theme_merges
from signals.corpus_type import Corpus
from signals.filters import Filters
from signals.workspace import WorkspaceError, annotations, keys
from signals.workspace.store import Store, default_author

#: Session key of this run's AnnotationState (set by the frame, read by pages).
STATE_KEY = "_annotation_state"
#: Session keys of this session's annotations frame and the revision it was read at.
_FRAME_KEY, _REVISION_KEY, _STORE_PATH_KEY = "_annotations_frame", "_annotations_revision", "_annotations_store"
#: Session key of the analyst's display name (the sidebar's input; shared with the Themes page).
NAME_KEY = theme_merges.AUTHOR_KEY
#: Session key of the last message an annotation action left for the next run (kind, text).
MESSAGE_KEY = "_annotation_message"


@dataclass(frozen=True)
class AnnotationState:
    """What this run knows about the analyst's annotations."""

    store: Store | None
    #: Why annotating is off (no usable workspace, a read-only one), in words; None when it is on.
    problem: str | None
    frame: pd.DataFrame
    revision: int
    rows: annotations.Joined
    documents: annotations.Joined
    #: The Assessment facets' option counts over the whole corpus (rows per value).
    counts: dict[str, pd.Series]
    #: Part of the cache key of anything computed from the annotations.
    key: str


#: Most rows keyed up front. Keying every row took 4.3 s of the app's first run at 100,000 documents
#: (2.1 million rows: Arrow's regex over every name, a sort, the joined strings); without the
#: column, a join keys the rows of annotated documents only (5,000 annotated documents of 100,000:
#: about 5% of the rows), once per edit.
KEYED_UP_TO_ROWS = 500_000


@st.cache_resource(max_entries=4, show_spinner=False)
def _keyed_shared(corpus_key: str, _corpus: Corpus) -> Corpus:
    return _keyed(_corpus)


def _keyed(corpus: Corpus) -> Corpus:
    if schema.ROW_KEY in corpus.items.columns or len(corpus.item_facts) > KEYED_UP_TO_ROWS:
        return corpus
    return corpus.with_frames(items=keys.with_row_keys(corpus.items))


def with_row_keys(corpus: Corpus, corpus_key: str) -> Corpus:
    """The corpus with its items' `row_key` column (keys.with_row_keys: 0.3 s at 214k rows), made
    once per corpus key and shared by sessions (a corpus with uploads, which has no shared key,
    is keyed every run). Above KEYED_UP_TO_ROWS rows the corpus is left as it is: the joins then
    key only the rows of annotated documents (annotations.row_positions)."""
    return _keyed_shared(corpus_key, corpus) if corpus_key else _keyed(corpus)


def _joined(items: pd.DataFrame, documents: pd.DataFrame, frame: pd.DataFrame
            ) -> tuple[annotations.Joined, annotations.Joined, dict[str, pd.Series]]:
    rows = annotations.join_rows(items, frame)
    # The sidebar's counts with them: 8 ms at 10k documents and 5,000 annotations, per edit, not per rerun.
    return rows, annotations.join_documents(documents, frame), rows.option_counts()


@st.cache_resource(max_entries=8, show_spinner=False)
def _joined_shared(corpus_key: str, store_path: str, revision: int, _items: pd.DataFrame,
                   _documents: pd.DataFrame, _frame: pd.DataFrame
                   ) -> tuple[annotations.Joined, annotations.Joined, dict[str, pd.Series]]:
    return _joined(_items, _documents, _frame)


def _session_frame(store: Store | None) -> tuple[pd.DataFrame, int, str | None]:
    """(this session's annotations frame, its revision, a problem) refreshed from the store."""
    state = st.session_state
    if store is None:
        return annotations.empty_frame(), 0, None
    previous = state.get(_FRAME_KEY) if state.get(_STORE_PATH_KEY) == str(store.path) else None
    try:
        frame, revision = annotations.refresh(store, previous, state.get(_REVISION_KEY, 0))
    except WorkspaceError as error:
        return annotations.empty_frame(), 0, f"{error}. Annotations are not shown and cannot be changed."
    state[_FRAME_KEY], state[_REVISION_KEY], state[_STORE_PATH_KEY] = frame, revision, str(store.path)
    return frame, revision, None


def prepare(corpus: Corpus, corpus_key: str) -> AnnotationState:
    """Called by the frame every run, after the theme merges opened the workspace: refresh this
    session's annotations and join them to the whole corpus (cached on the revision)."""
    merge_state = theme_merges.current()
    store = merge_state.store
    frame, revision, problem = _session_frame(store)
    if store is None:
        # The merges' problem is the WorkspaceError (file, what is wrong) and what it means for merges.
        error = (merge_state.problem or "").split(". Theme merges")[0]
        problem = f"The workspace file cannot be used, so annotations are off (shown as none, not changed): {error}."
    elif problem is None and store.read_only:
        problem = f"The workspace file {store.path} {store.problem or 'is read-only'}: annotations are shown, not changed."
    path = "" if store is None else str(store.path)
    if corpus_key:
        rows, documents, counts = _joined_shared(corpus_key, path, revision, corpus.items, corpus.documents, frame)
    else:
        rows, documents, counts = _joined(corpus.items, corpus.documents, frame)
    found = AnnotationState(store, problem, frame, revision, rows, documents, counts, f"{path}@{revision}")
    st.session_state[STATE_KEY] = found
    return found


def current() -> AnnotationState:
    """This run's annotation state (set by the frame before the page runs)."""
    return st.session_state[STATE_KEY]


def current_store() -> Store | None:
    """The folder's workspace, or None when its file cannot be used."""
    return current().store


def can_annotate() -> bool:
    """Whether this session may change annotations (a usable, writable workspace)."""
    found = current()
    return found.store is not None and not found.store.read_only and found.problem is None


def read_only_reason() -> str | None:
    """Why annotations cannot be changed, in words; None when they can."""
    return None if can_annotate() else current().problem or "The workspace is read-only."


def annotations_frame() -> pd.DataFrame:
    """Every annotation of the workspace (annotations.read's frame), as of this run."""
    return current().frame


def joined_rows() -> annotations.Joined:
    """The annotations joined to the whole corpus's items (each row with its document's values
    filling in what it does not say): what the row facets and the grid read."""
    return current().rows


def joined_documents() -> annotations.Joined:
    """The annotations joined to the whole corpus's documents (their own annotations)."""
    return current().documents


def analyst_name() -> str:
    """Who the history records for this session's changes: the sidebar's name, else the OS user."""
    return (st.session_state.get(NAME_KEY) or "").strip() or default_author()


def name_input() -> None:
    """The sidebar's "Your name" input (every change this session makes is recorded under it)."""
    st.text_input("Your name", key=NAME_KEY, placeholder=default_author(),
                  help="Kept with every annotation, theme merge and saved view you make, in the workspace's "
                       "history. Empty: your user name on this computer.")


def facet_counts() -> dict[str, pd.Series]:
    """The Assessment facets' option counts over the whole corpus (rows per value)."""
    return current().counts


def filter_tables(filters: Filters) -> tuple[dict[str, Any] | None, str]:
    """What `filters.apply` needs for the annotation facets set in `filters`, and the part of the
    filtered view's cache key that says which annotations it used ("" when none are set)."""
    if not any(facet.is_set(filters) for facet in facets.annotation_facets()):
        return None, ""
    found = current()
    return {facets.ANNOTATIONS: found.rows}, f"|annotations:{found.key}"


def rows_of(frame: pd.DataFrame, section: str | None = None) -> pd.Index:
    """Rows shown somewhere (a filtered table, a cluster's members, the rows behind a cell) -> their
    index labels in the whole corpus's items, found by (doc_id, section, row); -1 where not found.

    `section` for a frame without a section column (a section's table)."""
    from signals.app.context import current_view

    items = current_view().corpus.items
    return locate_rows(items, frame, section)


def locate_rows(items: pd.DataFrame, frame: pd.DataFrame, section: str | None = None) -> pd.Index:
    """See `rows_of`: the same, in the given items frame (pure; no session)."""
    sections = frame["section"].astype("str") if "section" in frame.columns else pd.Series(section, index=frame.index)
    wanted = pd.MultiIndex.from_arrays([frame["doc_id"].astype("str").to_numpy(), sections.to_numpy(dtype=object),
                                        pd.to_numeric(frame["row"]).to_numpy()])
    # Only the rows of the documents shown: a MultiIndex of all 214k rows at 10k documents took 150 ms a rerun.
    candidates = items[items["doc_id"].isin(pd.unique(frame["doc_id"].astype("str")))]
    where = pd.MultiIndex.from_arrays([candidates["doc_id"].astype("str").to_numpy(),
                                       candidates["section"].astype("str").to_numpy(dtype=object),
                                       pd.to_numeric(candidates["row"]).to_numpy()])
    at = where.get_indexer(wanted)
    return pd.Index(np.where(at >= 0, candidates.index.to_numpy()[at.clip(min=0)], -1))


def values_beside(frame: pd.DataFrame, kind: str, section: str | None = None) -> pd.DataFrame:
    """The annotation values (schema.ANNOTATION_COLUMNS) of each row of a shown frame, aligned to its
    index: `kind` "documents" for a frame of documents (their own annotation), "rows" for table
    rows (their own annotation; found in the whole items by doc_id, section and row)."""
    frame_of_annotations = annotations_frame()
    if kind == "documents":
        return annotations.for_documents(frame, frame_of_annotations)
    from signals.app.context import current_view

    items = current_view().corpus.items
    labels = rows_of(frame, section)
    found = np.asarray(labels >= 0)
    values = annotations.for_rows(items.loc[labels[found]], frame_of_annotations)
    values.index = frame.index[found]
    if found.all():
        return values
    # A row not in the corpus (should not happen: shown rows come from it) gets the defaults.
    values = values.reindex(frame.index)
    values["starred"] = values["starred"].fillna(False).astype(bool)
    values["status"] = values["status"].fillna(annotations.DEFAULT_STATUS)
    return values


def message() -> tuple[str, str] | None:
    """The message the last annotation action left (kind, text), once."""
    return st.session_state.pop(MESSAGE_KEY, None)


def leave_message(kind: str, text: str) -> None:
    """For the next run to show (an action runs in a callback, before the page is drawn again)."""
    st.session_state[MESSAGE_KEY] = (kind, text)
