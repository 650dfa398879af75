"""Document: one article — its metadata, links, keywords, themes, summary, tables, related documents,
and the analyst's assessment of it and of each of its rows (the shared annotation editor)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from signals import schema
from signals.analysis.document import document_view
from signals.analysis.related import SHARED_THEMES_SEPARATOR
from signals.app import annotation_editor, annotation_state, meaning
from signals.app.components import date_text, display_frame, link_columns, plain, safe_url
from signals.app.context import (
    DOCUMENT_CHOICE,
    OPENED_FROM,
    back_to_opener,
    current_view,
    open_document,
    page,
)
from signals.dates import in_the_future
from signals.semantic.related import rows_like

DOC_KEY = schema.DOCUMENT_QUERY_KEY
#: Most documents offered in the choice list.
MAX_LISTED = 2_000


def _choose(view) -> str | None:
    """The document to show: the URL's `doc`, else a pick among the filtered documents."""
    corpus_documents = view.corpus.documents
    known_ids = corpus_documents["doc_id"].astype("str")
    wanted = st.session_state.get(DOCUMENT_CHOICE) or st.query_params.get(DOC_KEY)
    if wanted and not (known_ids == wanted).any():
        st.warning(f"No document {plain(wanted)} in this corpus.")
        wanted = None
    listed = view.filtered.documents if len(view.filtered.documents) else corpus_documents
    total = len(listed)
    # A choice list of 100,000 documents took 1.7 s a run and was sent whole to the browser: the
    # first MAX_LISTED are offered, and the caption says how to reach the others.
    listed = listed.head(MAX_LISTED)
    filtered = listed["doc_id"].astype("str").tolist()
    options = ([wanted] if wanted and wanted not in filtered else []) + filtered
    if not options:
        return None
    st.session_state[DOCUMENT_CHOICE] = wanted or _first_not_in_the_future(listed) or options[0]
    titles = dict(zip(filtered, listed["title"].tolist()))
    if wanted and wanted not in titles:
        titles[wanted] = corpus_documents.loc[(known_ids == wanted).to_numpy(), "title"].iloc[0]
    chosen = st.selectbox(
        "Document", options, key=DOCUMENT_CHOICE,
        format_func=lambda d: f"{titles.get(d) or '(untitled)'} — {d}",
        help="The filtered documents; a document opened from elsewhere is listed first.",
    )
    if total > MAX_LISTED:
        st.caption(f"The first {MAX_LISTED:,} of {total:,} documents in view are listed: narrow the filters, "
                   "or open a document from the Tables page.")
    if chosen and st.query_params.get(DOC_KEY) != chosen:
        st.query_params[DOC_KEY] = chosen
    return chosen


def _first_not_in_the_future(listed) -> str | None:
    """The first listed document not dated after today: a document dated in the future (a wrong
    page id, flagged in Data health) is not the one to open by default."""
    if "date" not in listed.columns:
        return None
    fine = listed["doc_id"].astype("str")[~in_the_future(listed["date"])]
    return str(fine.iloc[0]) if len(fine) else None


def _link(label: str, url: object) -> None:
    safe = safe_url(url)
    if safe:
        st.link_button(label, safe, icon=":material/open_in_new:")
    elif isinstance(url, str) and url:
        st.caption(f"{label}: {plain(url)} (not an http(s) link, not opened)")


def render() -> None:
    view = current_view()
    header, back = st.columns([5, 1], vertical_alignment="bottom")
    header.header("Document")
    opener = st.session_state.get(OPENED_FROM)
    if opener:
        back.button(f"Back to {page(opener).title}", icon=":material/arrow_back:", key="document-back",
                    width="stretch", help="The same page, filters and table as before")
        if st.session_state.get("document-back"):
            back_to_opener()
    doc_id = _choose(view)
    if not doc_id:
        st.info("No documents to show.")
        return
    shown = document_view(view.corpus, doc_id, document_vectors=meaning.document_vectors(view.corpus))
    row = shown.record
    st.subheader(plain(row["title"] or "(untitled)"))
    facts = st.columns(4)
    facts[0].metric("Date", date_text(row["date"]))
    # A metric's value is markdown too (a category `x@y.z` became a mailto: link): shown as typed.
    facts[1].metric("Category", plain(row["category"]) if pd.notna(row["category"]) else "—")
    facts[2].metric("Type", plain(row["type"]) if pd.notna(row["type"]) else "—")
    facts[3].metric("Source", plain(row["domain"]) if pd.notna(row["domain"]) else "—")
    links = st.columns([1, 1, 4])
    with links[0]:
        _link("Source page", row["page_url"])
    with links[1]:
        _link("Article", row["article_url"])
    links[2].caption(f"File: {plain(row['path'])}")

    left, right = st.columns(2)
    left.markdown("**Keywords:** " + (", ".join(plain(k) for k in shown.keywords) or "—"))
    right.markdown("**Themes:** " + (", ".join(plain(t) for t in shown.themes) or "—"))
    st.markdown("**Summary**")
    st.markdown(plain(row["summary"]) or "_No summary._")

    annotation_editor.document_editor(doc_id, base="doc-edit")
    if shown.tables:
        st.caption("Select rows of a table to assess them (several at once: in bulk).")
    for section, rows in shown.tables.items():
        st.markdown(f"**{plain(section.capitalize())}** ({len(rows)})")
        located = pd.DataFrame({"doc_id": doc_id, "section": section, "row": pd.to_numeric(rows["#"]) - 1},
                               index=rows.index)
        values = annotation_state.values_beside(located, "rows")
        table = annotation_editor.with_annotation_columns(display_frame(rows), values, after=("#", "name"))
        event = st.dataframe(table, hide_index=True, key=f"doc-{section}", on_select="rerun",
                             selection_mode="multi-row", placeholder="—",
                             column_config=link_columns(table) | annotation_editor.annotation_column_config())
        selected = located.iloc[annotation_editor.selected_rows(event, len(located))]
        if not selected.empty:
            annotation_editor.row_editor(selected, base=f"doc-edit-{section}")
    if not shown.tables:
        st.caption("This document has no table rows.")
    else:
        _rows_like_this_one(view.corpus, doc_id, shown)

    st.subheader("Related documents")
    left, right, by_meaning = st.columns(3)
    with left:
        st.markdown("**Closest (listed in the document)**")
        if shown.closest.empty:
            st.caption("None listed.")
        for target, title, in_corpus in shown.closest.itertuples(index=False):
            if in_corpus:
                st.button(plain(title or target), key=f"closest-{target}", on_click=open_document, args=(target, False))
            else:
                st.caption(f"{plain(title or target)} (not in this corpus)")
    with right:
        st.markdown("**Sharing most themes**", help="A rare theme counts more than a common one: each shared "
                    "theme weighs log(documents / documents with it).")
        if shown.related.empty:
            st.caption("No other document shares a theme.")
        for other in shown.related.itertuples(index=False):
            # What it rests on under the button: a long title fills the button's width, and what
            # followed it there was cut off.
            themes = str(other.shared_themes).split(SHARED_THEMES_SEPARATOR)
            named = SHARED_THEMES_SEPARATOR.join(themes[:3]) + (f" +{len(themes) - 3}" if len(themes) > 3 else "")
            st.button(plain(other.title or other.doc_id), key=f"related-{other.doc_id}", on_click=open_document,
                      args=(str(other.doc_id), False), help=plain(other.title or other.doc_id))
            st.caption(f"shares {plain(named)} · weight {other.weight:.1f}")
    with by_meaning:
        st.markdown("**Closest in meaning**", help="Cosine similarity (0-1) of the embeddings of the documents' "
                    "titles and summaries, in any language")
        if shown.similar is None:
            st.caption("Filled in once the documents' meaning is read (progress above).")
        elif shown.similar.empty:
            st.caption("No other document is close in meaning.")
        else:
            for other in shown.similar.itertuples(index=False):
                st.button(plain(other.title or other.doc_id), key=f"similar-{other.doc_id}", on_click=open_document,
                          args=(str(other.doc_id), False), help=plain(other.title or other.doc_id))
                st.caption(f"cosine {other.similarity:.2f}")


def _rows_like_this_one(corpus, doc_id: str, shown) -> None:
    """Pick one of the document's rows: the rows of other documents closest to it in meaning."""
    st.markdown("**Rows like this one** (in other documents, by meaning)")
    choices = [(section, position) for section, rows in shown.tables.items() for position in range(len(rows))]

    def label(choice: tuple[str, int]) -> str:
        section, position = choice
        row = shown.tables[section].iloc[position]
        text = row.get("name") if isinstance(row.get("name"), str) and row.get("name") else row.get("description")
        return f"{section} #{position + 1}: {str(text or '')[:90]}"

    chosen = st.selectbox("Row of this document", choices, format_func=label, key="rows-like-choice", index=None,
                          placeholder="Choose a row of this document")
    if chosen is None:
        return
    section, position = chosen
    vectors = meaning.section_vectors(corpus, section)
    if vectors is None:
        return
    rows = corpus.items[corpus.items["section"].astype("str").to_numpy() == section]
    own = np.flatnonzero(rows["doc_id"].astype("str").to_numpy() == doc_id)
    if position >= len(own):
        return
    alike = rows_like(rows, vectors, int(own[position]), n=8)
    if alike.empty:
        st.caption("No row of another document is close in meaning.")
        return
    titles = corpus.documents.astype({"doc_id": "str"}).drop_duplicates("doc_id").set_index("doc_id")["title"]
    table = pd.DataFrame({
        "row": alike["label"].astype("str"),
        "document": alike["doc_id"].astype("str").map(titles),
        "similarity": alike["similarity"],
    })
    event = st.dataframe(table, hide_index=True, on_select="rerun", selection_mode="single-row",
                         key="rows-like-table",
                         column_config={"similarity": st.column_config.NumberColumn(format="%.2f")})
    picked = event.selection.rows if event else []
    if picked:
        open_document(str(alike["doc_id"].iloc[picked[0]]))


if __name__ == "__main__":
    render()
