"""Compare: what changed between two periods of the (filtered) corpus, or between this folder and an
earlier run of the pipeline — the biggest movers, the table, a download, and the documents behind
each mover."""

from __future__ import annotations

import datetime as dt
import functools

import pandas as pd
import streamlit as st

from signals import aliases, export, vegalite
from signals.analysis import compare
from signals.analysis.parameters import Z_SIGNIFICANT
from signals.app import data, theme_merges
from signals.app.components import cached_chart, date_text, display_frame, empty_state, link_columns, plain
from signals.app.context import current_view, open_document
from signals.filters import apply
from signals.ingest.load import load_corpus
from signals.wording import counted

#: The point selection on the movers chart: a click hands back the item.
PICK = "pick"
CHART_KEY = "compare-movers"
TABLE_KEY = "compare-table"
ITEM_KEY = "compare_item"
#: Movers drawn on the chart (the table lists them all).
MOVERS = 15
MODES = {"periods": "Two periods", "runs": "Two runs (folders)"}
BY_NAMES = {"theme": "Themes", "keyword": "Keywords", "category": "Categories"}
PLURAL = {"theme": "themes", "keyword": "keywords", "category": "categories"}


def _rule_caption(min_documents: int) -> str:
    return (f"Shares are of each period's documents, so a bigger period does not make everything rise. "
            f"**new** / **gone**: absent from one side (whatever came before the first period), in at least "
            f"{min_documents} documents of the other; "
            f"**rising** / **falling**: share {compare.DEFAULT_RATIO:g}× higher / lower and a two-proportion "
            f"test beyond z = {Z_SIGNIFICANT} (5%); **steady**: the rest. Items in fewer than {min_documents} "
            "documents of the two together get no label (*few*).")


def _month_label(month: pd.Timestamp) -> str:
    return f"{month:%Y-%m}"


def _picked_from_chart() -> None:
    event = st.session_state.get(CHART_KEY) or {}
    points = (event.get("selection") or {}).get(PICK) or []
    for point in points if isinstance(points, list) else [points]:
        if isinstance(point, dict) and point.get(vegalite.ITEM):
            st.session_state[ITEM_KEY] = str(point[vegalite.ITEM])
            return


def _picked_from_table(names: list[str]) -> None:
    event = st.session_state.get(TABLE_KEY)
    rows = event.selection.rows if event else []
    if rows and rows[0] < len(names):
        st.session_state[ITEM_KEY] = names[rows[0]]


def _periods(corpus) -> tuple[compare.Period, compare.Period] | None:
    """The two period sliders (months of the corpus's dense span; defaults: the last two equal windows)."""
    months = compare.months_offered(corpus)
    defaults = compare.default_periods(corpus)
    if defaults is None:
        return None
    labels = [_month_label(m) for m in months]
    before_default, after_default = defaults
    left, right = st.columns(2)
    before = left.select_slider(
        "Before", labels, value=(_month_label(before_default.start), _month_label(before_default.end)),
        key="compare_before", help="The earlier period, whole months. Stray dates years away are not offered.")
    after = right.select_slider(
        "After", labels, value=(_month_label(after_default.start), _month_label(after_default.end)),
        key="compare_after", help="The later period, whole months.")
    return (compare.month_period(pd.Timestamp(before[0]), pd.Timestamp(before[1])),
            compare.month_period(pd.Timestamp(after[0]), pd.Timestamp(after[1])))


@st.cache_resource(max_entries=4, show_spinner="Loading the earlier run…")
def _earlier_run(folder: str, fingerprint: str):
    return load_corpus(folder)


def _old_run(view) -> tuple[object, str] | None:
    """The folder input for the earlier run -> (its corpus, merges and filters applied; its name)."""
    configured = data.configured_folder()
    typed = st.text_input("Earlier run's folder", key="compare_old_folder",
                          placeholder="/path/to/the/previous/run",
                          help="The folder the pipeline wrote last time: compared with the folder loaded now "
                               "(the newer run), with the same theme merges and filters.")
    if not typed:
        st.info("Type the folder of an earlier run of the pipeline to compare it with this one.",
                icon=":material/compare_arrows:")
        return None
    roots = data.allowed_roots(configured)
    folder, error = data.check_folder(typed, roots)
    if error:
        st.error(error)
        return None
    old = _earlier_run(str(folder), data.fingerprint(folder, roots))
    old = aliases.apply_aliases(old, theme_merges.current().applied)
    return apply(old, view.filters), folder.name or str(folder)


def render() -> None:
    view = current_view()
    corpus = view.filtered
    st.header("Compare")
    st.caption("What changed between two periods of the documents that match the filters, or between this "
               "folder and an earlier run of the pipeline. Click a mover (or select a table row) to see its "
               "documents on each side.")
    if corpus.documents.empty:
        empty_state()
        return
    controls = st.columns([1.6, 2, 1.6])
    mode = controls[0].segmented_control("Compare", list(MODES), default="periods", key="compare_mode",
                                         format_func=MODES.get) or "periods"
    by = controls[1].segmented_control("By", list(compare.BY), default="theme", key="compare_by",
                                       format_func=BY_NAMES.get) or "theme"
    min_documents = controls[2].slider(
        "Documents for a label, at least", 1, 10, compare.DEFAULT_MIN_DOCUMENTS, key="compare_min_docs",
        help="In the two sides together. Below it an item is listed as 'few' and never called new or rising: "
             "one document is not a trend.")

    changes = None
    if mode == "periods":
        periods = _periods(corpus)
        if periods is None:
            st.info("Fewer than two months of dated documents: there are no two periods to compare.",
                    icon=":material/calendar_month:")
            return
        before, after = periods
        comparison = cached_chart(view, f"compare|{by}|{before}|{after}|{min_documents}", lambda: compare.compare_periods(
            corpus, before, after, by, min_documents=min_documents))
        sides = (before, after)
        before_words = f"{date_text(before.start)} to {date_text(before.end)}"
        after_words = f"{date_text(after.start)} to {date_text(after.end)}"
        if before.end >= after.start:
            st.warning("The two periods overlap: documents in both are counted on both sides.")
    else:
        old = _old_run(view)
        if old is None:
            return
        old_corpus, old_name = old
        comparison = compare.compare_runs(old_corpus, corpus, by, min_documents=min_documents,
                                          old_name=old_name, new_name="this folder")
        changes = compare.run_changes(old_corpus, corpus)
        sides = (old_corpus, corpus)
        before_words, after_words = f"the earlier run ({plain(old_name)})", "this folder"

    st.markdown(f"**Before:** {before_words}, {counted(comparison.before_documents, 'document')} · "
                f"**After:** {after_words}, {counted(comparison.after_documents, 'document')}")
    st.caption(_rule_caption(min_documents))
    terms = comparison.terms
    labelled = compare.supported(terms)
    counts = terms["label"].value_counts()
    columns = st.columns(6)
    for column, label in zip(columns, compare.LABELS):
        column.metric(label.capitalize(), f"{int(counts.get(label, 0)):,}",
                      help=f"{PLURAL[by].capitalize()} labelled {label}" if label != "few"
                      else f"{PLURAL[by].capitalize()} in fewer than {min_documents} documents: no label")
    if labelled.empty:
        st.info(f"No {by} has {min_documents} or more documents in the two {'periods' if mode == 'periods' else 'runs'}. "
                "Lower *Documents for a label*, or widen the periods.", icon=":material/filter_alt_off:")
    else:
        movers = labelled.head(MOVERS)
        spec = dict(vegalite.dumbbell(
            movers, by, title=f"The {len(movers)} biggest movers (most certain change first): share before → after",
            before_name="before", after_name="after", select=PICK))
        st.vega_lite_chart(spec, key=CHART_KEY, on_select=_picked_from_chart, selection_mode=PICK)
        st.caption("Hollow ring: share before; filled dot: share after, coloured by its label; written: documents "
                   "before → after. Hover a row for its counts and shares.")

    show_few = st.toggle(f"Also list the {counted(int(counts.get('few', 0)), by, PLURAL[by])} with too few documents",
                         value=False, key="compare_show_few")
    table = (terms if show_few else labelled)[[by, "before", "after", "before_share", "after_share", "change", "z",
                                               "label"]]
    names = table[by].tolist()
    st.dataframe(
        table, hide_index=True, on_select=functools.partial(_picked_from_table, names), selection_mode="single-row",
        key=TABLE_KEY,
        column_config={
            "before": st.column_config.NumberColumn("docs before"),
            "after": st.column_config.NumberColumn("docs after"),
            "before_share": st.column_config.NumberColumn("share before", format="percent"),
            "after_share": st.column_config.NumberColumn("share after", format="percent"),
            "change": st.column_config.NumberColumn("change", format="%+.3f",
                                                    help="Share after − share before (0.05 = 5 points)"),
            "z": st.column_config.NumberColumn("z", format="%.2f", help="Two-proportion test: beyond ±1.96 at 5%"),
        },
    )
    st.download_button(
        f"CSV of this table ({counted(len(table), 'row')})", data=functools.partial(export.to_csv_bytes, table),
        file_name=export.file_name(f"compare-{by}", "csv", dt.date.today()), mime="text/csv",
        key="compare-csv", icon=":material/download:", on_click="ignore")

    chosen = st.session_state.get(ITEM_KEY)
    if chosen and chosen in set(terms[by]):
        _documents_behind(chosen, by, mode, sides)
    if changes is not None:
        _run_changes(changes)


def _documents_behind(name: str, by: str, mode: str, sides) -> None:
    st.subheader(f"Documents with the {by} {plain(name)}")
    left, right = st.columns(2)
    if mode == "periods":
        corpus = current_view().filtered
        before = compare.documents_in(corpus, name, by, sides[0])
        after = compare.documents_in(corpus, name, by, sides[1])
    else:
        before = compare.documents_in(sides[0], name, by)
        after = compare.documents_in(sides[1], name, by)
    with left:
        st.markdown(f"**Before** — {counted(len(before), 'document')}")
        _document_table(before, "compare-docs-before", openable=mode == "periods")
    with right:
        st.markdown(f"**After** — {counted(len(after), 'document')}")
        _document_table(after, "compare-docs-after", openable=True)
    st.caption("Select a document to open it." if mode == "periods" else
               "Select a document of this folder to open it; the earlier run's are listed only.")


def _document_table(documents: pd.DataFrame, key: str, *, openable: bool) -> None:
    shown = display_frame(documents)
    if not openable:
        st.dataframe(shown, hide_index=True, column_config=link_columns(shown), key=key)
        return
    event = st.dataframe(shown, hide_index=True, column_config=link_columns(shown), on_select="rerun",
                         selection_mode="single-row", key=key)
    rows = event.selection.rows if event else []
    if rows:
        open_document(str(shown.iloc[rows[0]]["doc_id"]))


def _run_changes(changes: compare.RunChanges) -> None:
    documents = changes.documents
    counts = documents["change"].value_counts()
    st.subheader("Documents added, removed and changed")
    st.caption(f"{int(counts.get('added', 0)):,} added, {int(counts.get('removed', 0)):,} removed, "
               f"{int(counts.get('changed', 0)):,} changed. Matched by document id and compared by what was "
               "parsed (title, date, summary, themes, keywords, rows), not by file times.")
    st.dataframe(display_frame(documents), hide_index=True, key="compare-run-documents")
    st.subheader("Rows whose relevancy moved")
    st.caption(f"{counted(len(changes.rows), 'row')} of documents in both runs, matched by what the row says "
               f"(section and name); {changes.rows_added:,} rows only in this folder, {changes.rows_removed:,} only "
               "in the earlier run.")
    st.dataframe(changes.rows, hide_index=True, key="compare-run-rows")


if __name__ == "__main__":
    render()
