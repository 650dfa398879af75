"""What the frame hands to pages for one script run: the current View and the page registry."""

from __future__ import annotations

import streamlit as st

from signals.app.data import View

VIEW_KEY = "_view"
PAGES_KEY = "_pages"


def current_view() -> View:
    """The view the frame prepared for this run."""
    return st.session_state[VIEW_KEY]


def set_view(view: View) -> None:
    """Called by the frame before the page runs."""
    st.session_state[VIEW_KEY] = view


def register_pages(pages: dict) -> None:
    """The frame registers this run's st.Page objects so pages can link to each other.

    Kept in the session, not the module: the objects are per run (see main.build_pages), and a
    module-level registry would hand one session another session's pages."""
    st.session_state[PAGES_KEY] = pages


def page(name: str):
    """A registered st.Page by name (for st.switch_page / st.page_link)."""
    return st.session_state[PAGES_KEY][name]


DOCUMENT_CHOICE = "document_choice"


def open_document(doc_id: str, switch: bool = True) -> None:
    """Show one document on the Document page; switch to that page unless called from a callback."""
    st.session_state[DOCUMENT_CHOICE] = doc_id
    st.query_params["doc"] = doc_id
    if switch:
        st.switch_page(page("document"))
