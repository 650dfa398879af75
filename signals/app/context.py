"""What the frame hands to pages for one script run: the current View and the page registry."""

from __future__ import annotations

import streamlit as st

from signals import schema
from signals.app.data import View
from signals.app.state import TABLE_CHOICE

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
    """Show one document on the Document page; switch to that page unless called from a callback.

    The switch carries the filters in the URL (st.switch_page clears the query string otherwise),
    and the page it came from is remembered for the Document page's "Back" button.
    """
    st.session_state[DOCUMENT_CHOICE] = doc_id
    st.query_params[schema.DOCUMENT_QUERY_KEY] = doc_id
    if switch:
        current = st.session_state.get(CURRENT_PAGE)
        if current and current != "document":
            st.session_state[OPENED_FROM] = current
        st.switch_page(page("document"), query_params={**filter_params(), schema.DOCUMENT_QUERY_KEY: doc_id})


CURRENT_PAGE = "_current_page"
OPENED_FROM = "_opened_from"


def set_current_page(name: str) -> None:
    """Called by the frame: the name (a key of main.build_pages) of the page this run draws."""
    st.session_state[CURRENT_PAGE] = name


def filter_params() -> dict[str, list[str]]:
    """The URL parameters of this run's filters (and the chosen table): what a page switch must carry."""
    params = current_view().filters.to_params()
    table = st.session_state.get(TABLE_CHOICE)
    if table and table != "documents":
        params[schema.TABLE_QUERY_KEY] = [str(table)]
    return params


def back_to_opener() -> None:
    """Return to the page a document was opened from, with the filters (and table tab) it had."""
    st.switch_page(page(st.session_state.get(OPENED_FROM) or "tables"), query_params=filter_params())
