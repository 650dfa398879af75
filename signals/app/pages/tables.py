"""Tables: every filtered table, sortable, with downloads; selecting a row opens its document."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from signals import export, schema
from signals.app import state
from signals.app.components import display_frame, downloads, empty_state, link_columns, paged
from signals.app.context import current_view, open_document
from signals.corpus_type import Corpus
from signals.filters import Filters, matched_in


def _with_titles(frame: pd.DataFrame, documents: pd.DataFrame) -> pd.DataFrame:
    """Rows with their document's title and date beside them (what an analyst reads first)."""
    if "doc_id" not in frame.columns or "title" in frame.columns:
        return frame
    titles = documents[["doc_id", "title", "date"]].astype({"doc_id": "str"})
    joined = frame.astype({"doc_id": "str"}).merge(titles, on="doc_id", how="left")
    # What an analyst scans first: the row's label, its relevancy, what it says, where it is from.
    leading = [c for c in ("label", "name", "keyword", "theme", schema.RELEVANCY, schema.DESCRIPTION,
                           "title", "date") if c in joined.columns]
    if "label" in leading and "name" in leading:
        leading.remove("name")
    trailing = [c for c in ("doc_id", "row") if c in joined.columns]
    middle = [c for c in joined.columns if c not in leading and c not in trailing and c != "name"]
    return joined[leading + middle + trailing]


def _with_matches(shown: pd.DataFrame, table: str, view: Corpus, filters: Filters) -> pd.DataFrame:
    """Rows with a "matched in" column (where the search text was found) after their label, when
    text is searched and the table has something to say about it."""
    matched = matched_in(table, shown, view, filters)
    if matched is None:
        return shown
    label = next((c for c in ("label", "name", "keyword", "theme", "title") if c in shown.columns), None)
    at = list(shown.columns).index(label) + 1 if label else 0
    with_column = shown.copy()
    with_column.insert(at, "matched in", matched)
    return with_column


def _documents_first(documents: pd.DataFrame) -> pd.DataFrame:
    """The documents table as an analyst scans it: title, date and source first, ids last."""
    leading = [c for c in ("title", "date", "category", "type", "domain") if c in documents.columns]
    trailing = [c for c in ("doc_id", "page_id", "path") if c in documents.columns]
    middle = [c for c in documents.columns if c not in leading and c not in trailing]
    return documents[leading + middle + trailing]


def render() -> None:
    view = current_view()
    corpus = view.filtered
    frames = corpus.frames()
    st.header("Tables")
    names = [n for n in frames if n not in ("items", "problems")] + ["items"]
    labels = {name: f"{name} ({len(frames[name]):,})" for name in names}
    if st.session_state.get(state.TABLE_CHOICE) not in names:
        st.session_state[state.TABLE_CHOICE] = "documents"  # a stale or hand-edited ?table=
    chosen = st.segmented_control("Table", names, key=state.TABLE_CHOICE, format_func=labels.get) or "documents"
    # The tab is part of the view: in the URL, so a shared link or a trip to a document keeps it.
    if chosen == "documents":
        st.query_params.pop(schema.TABLE_QUERY_KEY, None)
    elif st.query_params.get(schema.TABLE_QUERY_KEY) != chosen:
        st.query_params[schema.TABLE_QUERY_KEY] = chosen
    frame = frames[chosen]
    if frame.empty:
        empty_state(f"No rows in {chosen}.")
    else:
        shown = _with_titles(frame, corpus.documents) if chosen != "documents" else _documents_first(frame)
        if chosen in schema.TABLE_SECTIONS or chosen == "items":
            shown = shown.drop(columns=["line"], errors="ignore")
        shown = display_frame(_with_matches(paged(shown, chosen), chosen, corpus, view.filters))
        st.caption("Click a column header to sort. Select a row to open its document.")
        event = st.dataframe(
            shown, hide_index=True, column_config=link_columns(shown), on_select="rerun",
            selection_mode="single-row", key=f"table-{chosen}",
        )
        rows = event.selection.rows if event else []
        if rows and "doc_id" in shown.columns:
            open_document(str(shown.iloc[rows[0]]["doc_id"]))
    st.subheader("Download")
    # Downloads carry each row's document title, date and domain, and only the problems in view.
    exported = export.tables_for_export(corpus, view.corpus)
    downloads(exported, view.filters, key=f"tables-{chosen}", single=chosen)
    st.caption("All filtered tables at once (the workbook has a sheet recording the filters). "
               + export.PROBLEMS_SCOPE)
    downloads(exported, view.filters, key="tables-all")


if __name__ == "__main__":
    render()
