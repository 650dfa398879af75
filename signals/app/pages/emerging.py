"""Timeline: what is emerging now — themes (or keywords) ranked by growth against the window before,
their lines over time, and the documents behind each."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from signals import charts
from signals.analysis import change_markers
from signals.analysis import emerging as emergence
from signals.app import annotation_editor
from signals.app.components import date_text, display_frame, empty_state, link_columns, plain
from signals.app.context import current_view
from signals.wording import counted

#: Rows of the ranked table sent to the browser (it is a selection table: sent whole).
SHOWN = 200
#: Top of the support slider (documents in the two windows).
MOST_DOCUMENTS_ASKED = 10
LABEL_HELP = {
    "new": "first seen in the recent window",
    "returning": "in the recent window, not in the one before, and seen before both (back after a gap)",
    "growing": "well above what the corpus's own growth predicts",
    "steady": "about as expected",
    "fading": "not seen in the recent window although seen in the one before, or well below expectation",
}


@st.cache_resource(max_entries=32, show_spinner=False)
def _emerging_shared(view_key: str, by: str, period: str, window: int, _corpus) -> pd.DataFrame:
    return emergence.emerging(_corpus, by, period=period, window=window, min_documents=0)


def ranked(view, by: str, period: str, window: int) -> pd.DataFrame:
    """emerging() for the view with no support minimum (the slider applies it after, without
    recomputing), shared across sessions when the view has a stable key (not uploads)."""
    if view.key.startswith("|"):
        return emergence.emerging(view.filtered, by, period=period, window=window, min_documents=0)
    return _emerging_shared(view.key, by, period, window, view.filtered)


def _growth_text(table: pd.DataFrame) -> list[str]:
    """growth as an analyst reads it: +150%, -40%, "from 0" (nothing before), "—" (nothing in either)."""
    return [
        "—" if recent == 0 and before == 0 else "from 0" if before == 0 else f"{growth:+.0%}"
        for growth, recent, before in zip(table["growth"], table["recent"], table["before"])
    ]


def _ranking_caption(ranked_count: int, left_out: int, by: str, min_documents: int) -> str:
    """What the ranking holds and what the support minimum left out, in words."""
    plural = "" if ranked_count == 1 else "s"
    text = (f"{ranked_count:,} {by}{plural} with at least {min_documents} document{'s' if min_documents > 1 else ''} "
            "in the two windows, by score, then documents, then name")
    if left_out:
        text += f"; {left_out:,} with fewer not ranked"
    if ranked_count > SHOWN:
        text += f"; the first {SHOWN} shown"
    return text + "."


def _window_caption(corpus, period: str, window: int, by: str) -> str:
    as_of = emergence.as_of_date(corpus.document_facts)
    if as_of is None:
        return "No dated documents: nothing can be compared over time."
    before_start, recent_start, _ = emergence.windows(as_of, period, window)
    unit = "month" if period == "M" else "quarter"
    plural = "s" if window > 1 else ""
    last_before = recent_start - pd.Timedelta(days=1)
    return (f"Recent window: the last {window} {unit}{plural}, {date_text(recent_start)} to {date_text(as_of)}; "
            f"compared with the {window} {unit}{plural} before, {date_text(before_start)} to "
            f"{date_text(last_before)}. Score: how far the share of its documents in the recent window is "
            f"above the corpus's own share, in standard errors, with {emergence.PRIOR_DOCUMENTS:g} pseudo-documents "
            f"at the corpus's share added to every {by}: a {by} with few documents cannot score high.")


def _documents_behind(corpus, name: str, by: str) -> None:
    documents = emergence.documents_with(corpus, name, by)
    st.subheader(f"Documents with the {by} {plain(name)}")
    st.caption(f"{counted(len(documents), 'document')}, newest first. Select documents to assess them; "
               "one, to open it.")
    shown = display_frame(documents[[c for c in ("title", "date", "category", "type", "doc_id") if c in documents]])
    annotation_editor.documents_with_editor(documents, shown, key="timeline-documents",
                                            column_config=link_columns(shown))


def render() -> None:
    view = current_view()
    corpus = view.filtered
    st.header("Emerging themes")
    st.caption("Which themes are new, back after a gap, or growing now, compared with the window before. "
               "Select a row of the table to see the documents behind it.")
    if not corpus.document_count:
        empty_state()
        return
    controls = st.columns([1.3, 1.1, 2, 2])
    by = controls[0].segmented_control("Rank", list(emergence.BY), default="theme", key="timeline_by",
                                       format_func=lambda b: "Themes" if b == "theme" else "Keywords") or "theme"
    period = controls[1].segmented_control("Period", list(emergence.PERIODS), default="M", key="timeline_period",
                                           format_func=lambda p: emergence.PERIODS[p].capitalize()) or "M"
    longest = 12 if period == "M" else 4
    window = controls[2].slider(f"Recent window ({emergence.PERIODS[period]}s)", 1, longest,
                                emergence.default_window(period), key=f"timeline_window_{period}",
                                help="Compared with the same number of periods just before it")
    min_documents = controls[3].slider(
        "Documents, at least", 1, MOST_DOCUMENTS_ASKED, emergence.DEFAULT_MIN_DOCUMENTS, key="timeline_min_docs",
        help=f"Documents in the two windows together a {by} needs to be ranked: one document is not a trend")
    everything = ranked(view, by, period, window)
    if everything.empty:
        empty_state(f"No {by}s in the documents that match.")
        return
    st.caption(_window_caption(corpus, period, window, by))
    table = emergence.supported(everything, min_documents)
    if table.empty:
        st.info(f"No {by} has {min_documents} or more documents in the two windows. Lower *Documents, at "
                "least*, or widen the window.", icon=":material/filter_alt_off:")
        return

    counts = table["label"].value_counts()
    columns = st.columns(len(emergence.LABELS))
    for column, label in zip(columns, emergence.LABELS):
        column.metric(label.capitalize(), f"{int(counts.get(label, 0)):,}", help=f"{by.capitalize()}s {LABEL_HELP[label]}")

    top = table.head(SHOWN)
    default = top[by].head(5).tolist()
    chosen = st.multiselect(f"{by.capitalize()}s on the chart", top[by].tolist(), default=default,
                            key=f"timeline_lines_{by}", help="The five most emerging, unless you pick others")
    unit = emergence.PERIODS[period]
    as_of = emergence.as_of_date(corpus.document_facts)
    before_start, recent_start, _ = emergence.windows(as_of, period, window)
    since, until = emergence.chart_span(as_of, period, window)
    lines = emergence.timeline(corpus, chosen, by, period=period, since=since, until=until)
    marks = change_markers.change_markers(lines, change_markers.documents_per_period(corpus.document_facts, period), by=by)
    spike_rule, trend_rule = change_markers.rule(unit)
    st.plotly_chart(
        charts.line(lines, x="period", y="documents", color=by,
                    title=f"Documents per {unit}, {date_text(since)[:7]} to {date_text(until)[:7]}",
                    x_title=unit.capitalize(), y_title="Documents",
                    bands=[(before_start, recent_start, "window before"), (recent_start, as_of, "recent window")],
                    marks=marks, marks_rule=f"spike: {spike_rule}; growth / decline: {trend_rule}",
                    empty_message=f"Pick a {by} to draw its line."),
        key="timeline-lines",
    )
    st.caption(f"Black symbols mark changes in a {by}'s share of each {unit}'s documents, on the {unit}s shown. "
               f"◆ spike: {spike_rule}. ▲ growth / ▼ decline: {trend_rule}.")

    st.subheader("Emerging now")
    st.caption(_ranking_caption(len(table), len(everything) - len(table), by, min_documents))
    shown = top[[by, "score", "recent", "before", "growth", "label", "documents", "first_seen", "last_seen"]].assign(
        growth=_growth_text(top))
    event = st.dataframe(
        shown, hide_index=True, on_select="rerun", selection_mode="single-row", key=f"timeline-table-{by}",
        column_config={
            "label": st.column_config.TextColumn("label", help="; ".join(f"{k}: {v}" for k, v in LABEL_HELP.items())),
            "recent": st.column_config.NumberColumn("docs in window", help="Documents in the recent window"),
            "before": st.column_config.NumberColumn("docs before", help="Documents in the window before"),
            "growth": st.column_config.TextColumn("growth", help="Recent against the window before; "
                                                  "\"from 0\": not seen in the window before"),
            "score": st.column_config.NumberColumn("score", format="%.2f",
                                                   help="Standard errors above the corpus's share of documents "
                                                        "in the recent window, shrunk for few documents"),
            "documents": st.column_config.NumberColumn("documents", help="All documents with it"),
            "first_seen": st.column_config.DateColumn("first seen", format="YYYY-MM-DD"),
            "last_seen": st.column_config.DateColumn("last seen", format="YYYY-MM-DD"),
        },
    )
    rows = event.selection.rows if event else []
    if rows:
        _documents_behind(corpus, str(shown.iloc[rows[0]][by]), by)


if __name__ == "__main__":
    render()
