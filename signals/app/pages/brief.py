"""Brief: the current view written up for someone who will never open the dashboard. The analyst
picks which signals and how they are grouped, reads a preview, and downloads it as Markdown, one
self-contained HTML file (printable to PDF) or PowerPoint. The content is signals.brief's, the
same as `signals brief`."""

from __future__ import annotations

import time

import pandas as pd
import streamlit as st

from signals.analysis.overview import top_themes
from signals.app.components import empty_state, plain
from signals.app.context import current_view
from signals.brief.charts import ChartImage, brief_charts
from signals.brief.content import Brief, build_brief, distinctive_terms_of
from signals.brief.files import brief_bytes
from signals.brief.markdown import render as markdown_text
from signals.brief.options import DEFAULT_MAX_SIGNALS, FORMATS, GROUPINGS, SELECTIONS, BriefOptions
from signals.wording import counted

SELECTION_LABELS = {
    "top": "Top: highest relevancy × documents",
    "view": "Every row of the view, most relevant first",
    "starred": "Starred by the analyst",
    "escalated": "Escalated by the analyst",
}
GROUPING_LABELS = {"theme": "By theme", "cluster": "By same-signal cluster"}
#: Themes offered in the picker (the view's, most documents first).
THEMES_OFFERED = 300
MOST_SIGNALS = 500
#: Where the files made for a view and options are kept in the session, with their timings.
FILES_KEY = "_brief_files"


def _annotations(view) -> tuple[pd.DataFrame | None, str]:
    """The analyst's annotations of the view's folder (None when there is no folder or the
    workspace cannot be read), and what to tell the analyst about them."""
    if not view.corpus.root:
        return None, "Uploaded documents have no workspace: no ratings or notes."
    from signals.workspace import WorkspaceError, annotations, open_store

    try:
        notes = annotations.read(open_store(view.corpus.root))
    except WorkspaceError as error:
        return None, f"The workspace could not be read ({error}): no ratings or notes."
    return notes, f"{counted(len(notes), 'annotation')} in this folder's workspace."


@st.cache_resource(max_entries=16, show_spinner="Writing the brief…")
def _brief_shared(view_key: str, options: BriefOptions, notes_key: str, _view, _notes) -> tuple[Brief, float]:
    return _timed_brief(_view, _notes, options)


def _timed_brief(view, notes, options: BriefOptions) -> tuple[Brief, float]:
    started = time.perf_counter()
    apart, apart_rule = distinctive_terms_of(view.filters)
    brief = build_brief(view.filtered, view.corpus, view.filters, notes, options,
                        what_sets_apart=apart, apart_rule=apart_rule)
    return brief, time.perf_counter() - started


def brief_for(view, notes: pd.DataFrame | None, options: BriefOptions) -> tuple[Brief, float]:
    """(The brief of the view, seconds it took), shared across sessions for a view with a stable key,
    the same options and the same annotations (their count and newest change)."""
    if view.key.startswith("|"):
        return _timed_brief(view, notes, options)
    return _brief_shared(view.key, options, _notes_key(notes), view, notes)


def _notes_key(notes: pd.DataFrame | None) -> str:
    """A small key for the annotations a brief was made with: their count and newest change."""
    return "" if notes is None else f"{len(notes)}|{notes['updated_at'].max() if len(notes) else ''}"


def _options(view, has_notes: bool, has_starred: bool) -> BriefOptions:
    left, middle, right = st.columns([2, 1.3, 1])
    offered = list(SELECTIONS) if has_notes else ["top", "view"]
    # Starred rows are what the analyst picked for a brief: the default once there are some.
    select = left.selectbox("Signals", offered, index=offered.index("starred") if has_starred else 0,
                            format_func=SELECTION_LABELS.get, key="brief_select",
                            help="Top: rows of one section saying the same thing are one signal, ranked by their "
                                 "highest relevancy × the documents reporting it. Starred and escalated need "
                                 "annotations in the folder's workspace.")
    group = middle.radio("Grouped", GROUPINGS, format_func=GROUPING_LABELS.get, key="brief_group", horizontal=True)
    max_signals = right.number_input("At most", min_value=1, max_value=MOST_SIGNALS, value=DEFAULT_MAX_SIGNALS,
                                     step=10, key="brief_max", help="signals in the brief")
    themes_left, title_right = st.columns([2, 1.3])
    offered_themes = top_themes(view.filtered, THEMES_OFFERED)["theme"].tolist()
    themes = themes_left.multiselect("Themes (optional)", offered_themes, key="brief_themes",
                                     placeholder="The view's themes, most common first",
                                     help="Only signals of documents with these themes, a section each, in this order.")
    title = title_right.text_input("Title", value="Signals brief", key="brief_title", max_chars=200)
    return BriefOptions(select=select, group=group, max_signals=int(max_signals), themes=tuple(themes),
                        title=title.strip() or None)


def _make_files(brief: Brief) -> dict:
    """The three files, each timed; the charts are rendered once for HTML and PowerPoint."""
    made: dict = {}
    started = time.perf_counter()
    charts: dict[str, ChartImage] = brief_charts(brief)
    made["charts"] = time.perf_counter() - started
    for fmt in FORMATS:
        started = time.perf_counter()
        made[fmt] = (brief_bytes(brief, fmt, charts), time.perf_counter() - started)
    return made


def _keep_files(brief: Brief, files_key: str) -> None:
    """Button callback: make the files before the run the click causes, which then offers them."""
    st.session_state[FILES_KEY] = (files_key, _make_files(brief))


def _demoted(markdown: str) -> str:
    """The brief's Markdown with its headings two levels down, to sit inside the page. Only the
    brief's own headings start a line with `#`: document text has every `#` escaped."""
    return "\n".join("##" + line if line.startswith("#") else line for line in markdown.split("\n"))


def _downloads(brief: Brief, files_key: str) -> None:
    st.subheader("Download")
    kept = st.session_state.get(FILES_KEY)
    if not kept or kept[0] != files_key:
        st.caption("Markdown, a self-contained HTML page (open it offline, print it to PDF from the browser) and a "
                   "PowerPoint deck with the charts as images.")
        st.button("Make the files", key="brief_make", icon=":material/description:", type="primary",
                  on_click=_keep_files, args=(brief, files_key))
        return
    made = kept[1]
    stem = "".join(c if c.isalnum() else "-" for c in brief.title.lower()).strip("-")[:60] or "brief"
    columns = st.columns(3)
    for column, fmt in zip(columns, FORMATS):
        payload, seconds = made[fmt]
        suffix, mime, name = FORMATS[fmt]
        column.download_button(name.split(" (")[0], data=payload, file_name=f"{stem}{suffix}", mime=mime,
                               key=f"brief-download-{fmt}", icon=":material/download:", on_click="ignore")
        charts_note = f" + {made['charts']:.1f} s for the charts" if fmt != "md" else ""
        column.caption(f"{len(payload) / 1024:,.0f} KB, made in {seconds:.2f} s{charts_note}")


def render() -> None:
    view = current_view()
    st.header("Brief")
    st.caption("The current view written up for someone who will never open the dashboard: headline figures, top "
               "and emerging themes, the chosen signals grouped by theme or cluster, the analyst's ratings and "
               "notes, and every source.")
    if not view.filtered.document_count:
        empty_state()
        return
    notes, notes_said = _annotations(view)
    options = _options(view, notes is not None and len(notes) > 0,
                       notes is not None and bool(notes["starred"].any()))
    brief, seconds = brief_for(view, notes, options)
    st.caption(f"Filters: {plain(brief.filters_text)}. {plain(brief.selection)} {notes_said} "
               f"Written in {seconds:.2f} s.")
    for note in brief.notes:
        st.info(plain(note))
    files_key = f"{view.key}|{options!r}|{_notes_key(notes)}"
    _downloads(brief, files_key)
    st.subheader("Preview")
    st.caption("The Markdown brief as it reads; the HTML and PowerPoint files hold the same text, with the charts.")
    with st.container(border=True, key="brief-preview"):
        # Every document text in it is escaped (signals.brief.text), so it shows as typed.
        st.markdown(_demoted(markdown_text(brief)))


if __name__ == "__main__":
    render()
