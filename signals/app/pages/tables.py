"""Tables: every filtered table, sortable, with the analyst's annotations beside each row and
downloads; selecting rows opens the annotation editor (several: in bulk) and a link to the document."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from signals import export, schema
from signals.app import annotation_editor, annotation_state, state
from signals.app.components import display_frame, downloads, empty_state, link_columns, page_range
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


def _table_with_editor(chosen: str, corpus: Corpus, view) -> None:
    """One table, a page of it at a time (only that page's rows taken), with the annotation columns;
    the editor for its selection."""
    page_rows = corpus.table_rows(chosen, *page_range(corpus.table_length(chosen), chosen))
    sections = corpus.section_names()
    annotated = chosen == "documents" or chosen == "items" or chosen in sections
    if chosen == "documents":
        shown = _documents_first(page_rows)
    elif "doc_id" in page_rows.columns:  # the titles of this page's documents only
        shown = _with_titles(page_rows, corpus.documents_of(page_rows["doc_id"]))
    else:
        shown = page_rows
    shown = shown.drop(columns=["line", schema.ROW_KEY], errors="ignore")
    shown = display_frame(_with_matches(shown, chosen, corpus, view.filters))
    if annotated:
        values = annotation_state.values_beside(page_rows, "documents" if chosen == "documents" else "rows",
                                                section=chosen if chosen in sections else None)
        shown = annotation_editor.with_annotation_columns(
            shown, values.set_axis(shown.index), after=("label", "name", schema.RELEVANCY) if chosen != "documents" else ("title", "date"))
    st.caption("Click a column header to sort. Select rows to assess them (several at once: in bulk)."
               if annotated else "Click a column header to sort. Select a row to open its document.")
    event = st.dataframe(
        shown, hide_index=True, column_config=link_columns(shown) | annotation_editor.annotation_column_config(),
        on_select="rerun", selection_mode="multi-row" if annotated else "single-row", key=f"table-{chosen}",
        placeholder="—",
    )
    selected = page_rows.iloc[annotation_editor.selected_rows(event, len(page_rows))]
    if selected.empty or "doc_id" not in selected.columns:
        return
    if not annotated:
        open_document(str(selected["doc_id"].iloc[0]))
        return
    if len(selected) == 1 and st.button("Open its document", key=f"open-{chosen}", icon=":material/article:"):
        open_document(str(selected["doc_id"].iloc[0]))
    if chosen == "documents":
        annotation_editor.documents_editor(selected["doc_id"].astype("str").tolist(), base=f"edit-{chosen}")
    else:
        annotation_editor.row_editor(selected, base=f"edit-{chosen}", section=chosen if chosen in sections else None)


def render() -> None:
    view = current_view()
    corpus = view.filtered
    st.header("Tables")
    # Only the table shown is made (every section's table was 5.9 s at 100,000 documents): the
    # others are counted from the row counts.
    names = [n for n in corpus.table_names() if n not in ("items", "problems")] + ["items"]
    rows = corpus.row_counts() | {name: corpus.table_length(name) for name in ("documents", "keywords", "themes",
                                                                                "links")}
    labels = {name: f"{name} ({rows.get(name, len(corpus.item_facts)):,})" for name in names}
    if st.session_state.get(state.TABLE_CHOICE) not in names:
        st.session_state[state.TABLE_CHOICE] = "documents"  # a stale or hand-edited ?table=
    chosen = st.segmented_control("Table", names, key=state.TABLE_CHOICE, format_func=labels.get) or "documents"
    # The tab is part of the view: in the URL, so a shared link or a trip to a document keeps it.
    if chosen == "documents":
        st.query_params.pop(schema.TABLE_QUERY_KEY, None)
    elif st.query_params.get(schema.TABLE_QUERY_KEY) != chosen:
        st.query_params[schema.TABLE_QUERY_KEY] = chosen
    if not corpus.table_length(chosen):
        empty_state(f"No rows in {chosen}.")
    else:
        _table_with_editor(chosen, corpus, view)
    st.subheader("Download")
    # Downloads carry each row's document title, date and domain, the analyst's annotations, and
    # only the problems in view; each table is made when a download needs it.
    exported = export.TablesForExport(corpus, view.corpus, annotation_state.annotations_frame())
    downloads(exported, view.filters, key=f"tables-{chosen}", single=chosen)
    st.caption("All filtered tables at once (the workbook has a sheet recording the filters). "
               + export.PROBLEMS_SCOPE)
    downloads(exported, view.filters, key="tables-all")


if __name__ == "__main__":
    render()
