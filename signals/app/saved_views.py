"""The sidebar's saved views: name the current filters, reopen a view (its filters come back into
the widgets and the URL), rename or delete it; each says how many documents it holds now and how
many of them are new since it was saved (signals.workspace.views)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from signals.app import annotation_state, data, state
from signals.app.components import plain
from signals.corpus_type import Corpus
from signals.filters import Filters
from signals.wording import counted
from signals.workspace import WorkspaceError, views

NAME_KEY = "saved_view_name"
MESSAGE_KEY = "_saved_view_message"


def _documents_now(corpus: Corpus, corpus_key: str, filters: Filters) -> pd.Series:
    """The doc ids a view's filters select now (the filtered view shared like any other)."""
    tables, tables_key = annotation_state.filter_tables(filters)
    return data.make_view(corpus, corpus_key, filters, tables, tables_key).filtered.document_facts["doc_id"].astype("str")


@st.cache_resource(max_entries=64, show_spinner=False)
def _figures_shared(corpus_key: str, filters_key: str, saved_key: tuple, _count):
    return _count()


def _figures_now(corpus: Corpus, corpus_key: str, view: views.SavedView) -> tuple[int, int]:
    """(documents a saved view selects now, how many of them are new since it was saved).

    Two numbers kept per saved view and corpus (and workspace revision), not its filtered view:
    filtered views are kept only while a session shows them (signals.app.data.shared_views), and
    the panel counts every saved view on every rerun."""
    def count() -> tuple[int, int]:
        now = _documents_now(corpus, corpus_key, view.filters)
        return len(now), view.new_since(now)

    if not corpus_key:  # this session's uploads: nothing to share
        return count()
    _, filters_key = data.applied_filters(corpus, view.filters, annotation_state.filter_tables(view.filters)[1])
    saved_key = (view.saved_at, len(view.doc_ids), hash(view.doc_ids))
    return _figures_shared(corpus_key, filters_key, saved_key, count)


def _act(action, *args) -> None:
    """Run a views action in a callback; its outcome becomes the panel's message."""
    store = annotation_state.current_store()
    if store is None:
        return
    try:
        st.session_state[MESSAGE_KEY] = ("success", action(store, *args))
    except (views.ViewError, WorkspaceError) as error:
        st.session_state[MESSAGE_KEY] = ("error", str(error))


def _save(filters: Filters, documents: pd.DataFrame) -> None:
    """Save the current filters and the documents they select (`documents`: the filtered view's
    documents (Corpus.document_facts), shared by every session on this view; its ids are listed only when clicked)."""
    def save(store, name: str) -> str:
        doc_ids = documents["doc_id"].astype("str").tolist()
        view = views.save(store, name, filters, doc_ids, by=annotation_state.analyst_name())
        st.session_state[NAME_KEY] = ""
        return f"Saved “{view.name}” ({counted(view.documents, 'document')})."

    _act(save, st.session_state.get(NAME_KEY, ""))


def _reopen(view: views.SavedView, corpus: Corpus, counts: dict[str, pd.Series]) -> None:
    state.load_filters(view.filters, corpus, counts)
    st.session_state[MESSAGE_KEY] = ("info", f"Opened “{view.name}”.")


def _rename(name: str, key: str) -> None:
    _act(lambda store: f"Renamed to “{views.rename(store, name, st.session_state.get(key, ''), by=annotation_state.analyst_name()).name}”.")


def _delete(name: str) -> None:
    _act(lambda store: f"Deleted “{views.delete(store, name, by=annotation_state.analyst_name()).name}”.")


def sidebar(corpus: Corpus, corpus_key: str, counts: dict[str, pd.Series], filters: Filters,
            documents_now: pd.DataFrame) -> None:
    """The Saved views panel (in the current container: the sidebar). `documents_now`: the filtered
    view's documents. The Save button's callback gets the frame itself, not its ids: Streamlit keeps
    a callback's arguments with the session, and the 100,000 ids of an unfiltered view as Python
    strings were 7 MB of every session at 100,000 documents."""
    store = annotation_state.current_store()
    try:
        kept = views.saved(store) if store is not None else []
    except WorkspaceError:
        kept = []
    writable = annotation_state.can_annotate()
    with st.expander(f"Saved views ({len(kept)})", icon=":material/bookmarks:", expanded=bool(kept)):
        message = st.session_state.pop(MESSAGE_KEY, None)
        if message:
            kind, text = message
            {"success": st.success, "error": st.error}.get(kind, st.info)(plain(text))
        st.text_input("Name the current filters", key=NAME_KEY, placeholder="e.g. Energy, to watch",
                      disabled=not writable, max_chars=views.NAME_MAX_LENGTH)
        st.button("Save view", key="save_view", icon=":material/bookmark_add:", disabled=not writable,
                  on_click=_save, args=(filters, documents_now), width="stretch",
                  help=f"Keeps these filters ({filters.summary() or 'none'}) and the "
                       f"{counted(len(documents_now), 'document')} they select now, in the workspace")
        if not writable:
            st.caption(plain(annotation_state.read_only_reason() or ""))
        for number, view in enumerate(kept):
            now, new = _figures_now(corpus, corpus_key, view)
            name_column, menu = st.columns([5, 1], vertical_alignment="center")
            name_column.button(view.name, key=f"open_view_{number}", on_click=_reopen, args=(view, corpus, counts),
                               width="stretch", help=f"Open this view: {view.filters.summary() or 'no filters'}")
            with menu.popover("", icon=":material/more_vert:"):
                rename_key = f"rename_view_{number}"
                st.text_input("New name", key=rename_key, value=view.name, disabled=not writable)
                st.button("Rename", key=f"rename_button_{number}", on_click=_rename, args=(view.name, rename_key),
                          disabled=not writable)
                st.button("Delete", key=f"delete_view_{number}", on_click=_delete, args=(view.name,),
                          icon=":material/delete:", disabled=not writable)
            words = plain(view.filters.summary() or "no filters")
            fresh = f"**{new:,} new** since saved" if new else "none new since saved"
            st.caption(f"{words}  \n{counted(now, 'document')} now, {fresh} ({view.saved_at[:10]})")
