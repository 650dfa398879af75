"""Data health: every problem the loader reported, with file and line."""

from __future__ import annotations

import streamlit as st

from signals.app.components import downloads
from signals.app.context import current_view


def render() -> None:
    view = current_view()
    problems = view.corpus.problems
    st.header("Data health")
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


if __name__ == "__main__":
    render()
