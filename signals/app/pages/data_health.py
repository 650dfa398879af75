"""Data health: every problem the loader reported, with file and line; and the analyst's orphaned
annotations (whose row or document is no longer in the corpus), with where they were and what they said."""

from __future__ import annotations

import streamlit as st

from signals.app import annotation_state
from signals.app.components import downloads
from signals.app.context import current_view
from signals.wording import counted
from signals.workspace import annotations


def _problems(view) -> None:
    problems = view.corpus.problems
    documents = len(view.corpus.documents)
    if problems.empty:
        st.success(f"All {documents:,} documents loaded without a problem.", icon=":material/check_circle:")
        return
    counts = problems["severity"].value_counts()
    columns = st.columns(4)
    columns[0].metric("Documents loaded", f"{documents:,}")
    for column, severity in zip(columns[1:], ("error", "warning", "info")):
        column.metric(severity.capitalize() + "s", f"{int(counts.get(severity, 0)):,}")
    st.caption(
        "errors: a file or table that could not be read (skipped); warnings: a value not taken as written "
        "(the row is kept, the value missing or the cells aligned); info: something worth knowing."
    )
    severities = st.pills("Show", ["error", "warning", "info"], selection_mode="multi",
                          default=["error", "warning", "info"], key="health_severity")
    shown = problems[problems["severity"].isin(severities or [])].drop(columns=["doc_id"])
    st.dataframe(shown, hide_index=True, key="health-table")
    downloads({"problems": problems}, view.filters, key="health", single="problems")


def _orphans(view) -> None:
    st.subheader("Orphaned annotations")
    frame = annotation_state.annotations_frame()
    found = annotations.orphans(view.corpus.items, view.corpus.documents, frame)
    if found.empty:
        st.caption(f"None: each of the {counted(len(frame), 'annotation')} in the workspace is on a document "
                   "or row of this corpus.")
        return
    st.caption(f"{counted(len(found), 'annotation')} of {len(frame):,} whose document or row is not in the corpus "
               "any more (a pipeline re-run renamed or removed it). They are kept, never deleted: if the row "
               "comes back, its annotation shows again. `signals notes orphans PATH` lists them too.")
    shown = found.assign(reason=[annotations.orphan_reason(row) for row in found.to_dict("records")])
    # Which row it was and what it said first; the document and who changed it last after.
    shown = shown[["reason", "anchor", "note", "status", "starred", "impact", "likelihood", "horizon", "tags",
                   "doc_id", "section", "row", "updated_by", "updated_at"]]
    shown = shown.rename(columns={"anchor": "was keyed on", "row": "row (then)"})
    st.dataframe(shown, hide_index=True, key="health-orphans", placeholder="—", column_config={
        "starred": st.column_config.CheckboxColumn("★"),
        "impact": st.column_config.NumberColumn("impact", format="%d"),
        "likelihood": st.column_config.NumberColumn("likelihood", format="%d"),
        "row (then)": st.column_config.NumberColumn("row (then)", format="%d",
                                                    help="Its number in the section when it was last annotated"),
    })
    downloads({"orphaned annotations": shown}, view.filters, key="health-orphans", single="orphaned annotations")


def render() -> None:
    view = current_view()
    st.header("Data health")
    _problems(view)
    _orphans(view)


if __name__ == "__main__":
    render()
