"""Assessment grid: the analyst's rated rows by impact x likelihood (or, for a corpus nobody rated
yet, themes by mean relevancy x emergence score), in four named zones. Click a point, or drag a box
or a lasso around a zone, to list the rows behind it and open their documents; the table beside the
chart holds the same points for those who prefer reading. The logic is signals.analysis.assessment.
"""

from __future__ import annotations

import datetime as dt
import functools

import pandas as pd
import streamlit as st

from signals import charts, export
from signals.analysis import assessment
from signals.analysis import emerging as emergence
from signals.analysis.heatmaps import rows_behind_cell
from signals.app import annotation_state, theme_merges
from signals.app.components import display_frame, empty_state, link_columns, plain
from signals.app.context import current_view, open_document
from signals.wording import counted
from signals.workspace import WorkspaceError, annotations, settings

MODE_KEY = "assessment_mode"
COLOUR_KEY = "assessment_colour"
ZONE_KEY = "assessment_zone"
MODES = {"rated": "Rated rows: impact × likelihood", "themes": "Themes: relevancy × emergence"}
#: The themes grid's relevancy axis spans at least this much of the 1-5 scale.
RELEVANCY_SPAN = 1.5
COLOUR_NAMES = {"horizon": "Time to impact", "status": "Status"}
NO_RATED_ROWS = "No rated rows yet: rate rows on Tables or Document, or switch to themes."
#: Themes named beside their points up to this many (more would crowd the chart: hover for names).
LABELLED_THEMES = 40
#: The points table's header and borders, and one row, in pixels (Streamlit's default row height).
TABLE_CHROME, TABLE_ROW = 40, 35
#: Rows listed under the chart at most (a selection table is sent whole to the browser).
ROWS_SHOWN = 2_000


def _annotations() -> tuple[pd.DataFrame, int, str, str | None]:
    """This session's annotations (annotation_state keeps them fresh, reading only what changed),
    their revision, the workspace file ("" when there is none), and why it cannot be written."""
    state = annotation_state.current()
    path = str(state.store.path) if state.store is not None else ""
    return state.frame, state.revision, path, state.problem


@st.cache_resource(max_entries=16, show_spinner=False)
def _rated_shared(view_key: str, workspace: str, revision: int, _view, _frame: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    return _rated_of(_view, _frame)


def _rated_of(view, frame: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """(the rated rows in view, how many are rated on one axis only): a row's document fills in
    what the row does not say, as every annotation facet does."""
    values = annotations.for_rows(view.filtered.items, frame, inherit=True, whole=view.corpus.items)
    return assessment.rated_rows(view.filtered.items, values), assessment.half_rated(values)


def _rated_in_view(view) -> tuple[pd.DataFrame, int, str | None]:
    """The rated rows in view, the half-rated count, and a workspace problem. Joining the
    annotations to every row costs most of a rerun (`for_rows`: 0.5-0.65 s at 10,000 documents
    and 5,000 annotations on two busy cores, benchmarks/bench_assessment.py), so it is kept per (view, workspace revision):
    a click on a point reruns on the kept rows; any annotation change makes a new revision."""
    frame, revision, workspace, problem = _annotations()
    if view.key.startswith("|") or not workspace:  # uploads: no shared key
        return (*_rated_of(view, frame), problem)
    return (*_rated_shared(view.key, workspace, revision, view, frame), problem)


def _zone_names() -> tuple[dict[str, str], str | None]:
    """Zone key -> its name (the workspace's, else the default), and why names cannot be saved."""
    merge_state = theme_merges.current()
    store = merge_state.store
    if store is None:
        return assessment.zone_names(), merge_state.problem or "no workspace"
    try:
        stored = settings.read(store, assessment.ZONE_SETTING_PREFIX)
    except WorkspaceError as error:
        return assessment.zone_names(), str(error)
    return assessment.zone_names(stored), (store.problem if store.read_only else merge_state.problem)


def _save_zone_names(keys: dict[str, str]) -> None:
    """Form callback: keep the typed zone names in the workspace (one change)."""
    store = theme_merges.current().store
    typed = {assessment.ZONE_SETTING_PREFIX + zone: st.session_state.get(key) or "" for zone, key in keys.items()}
    typed = {key: value for key, value in typed.items() if value.strip()}  # an emptied box keeps its name
    defaults = {assessment.ZONE_SETTING_PREFIX + zone: name for zone, name in assessment.DEFAULT_ZONE_NAMES.items()}
    try:
        changed = settings.write(store, typed, defaults, by=theme_merges.author(), summary="renamed assessment zones")
        st.session_state["_assessment_message"] = ("success", "Zone names saved." if changed else "Nothing changed.")
    except (settings.SettingError, WorkspaceError) as error:
        st.session_state["_assessment_message"] = ("error", str(error))


def _zone_name_editor(names: dict[str, str], locked: str | None) -> None:
    with st.popover("Zone names", icon=":material/edit:"):
        if locked:
            st.caption(f"Names cannot be saved: {plain(locked)}")
        keys = {zone: f"assessment_zone_name_{zone}" for zone in assessment.ZONES}
        with st.form("assessment-zone-names", border=False):
            for zone in assessment.ZONES:
                st.text_input(f"{assessment.DEFAULT_ZONE_NAMES[zone]} ({assessment.ZONE_MEANING[zone]})",
                              value=names[zone], key=keys[zone], max_chars=settings.VALUE_MAX_LENGTH)
            st.form_submit_button("Save names", on_click=_save_zone_names, args=(keys,), disabled=bool(locked),
                                  help="Kept in the folder's workspace for every session; an empty box keeps the old name")
    message = st.session_state.pop("_assessment_message", None)
    if message:
        (st.success if message[0] == "success" else st.error)(plain(message[1]))


def _switch_to_themes() -> None:
    st.session_state[MODE_KEY] = "themes"


def _chosen_points(chart_key: str, table_key: str, points: pd.DataFrame) -> list[str]:
    """The point ids picked on the chart (click, box, lasso) or in the table beside it, in the table's order."""
    chosen: set[str] = set()
    chart_event = st.session_state.get(chart_key) or {}
    for point in (chart_event.get("selection") or {}).get("points") or []:
        data = point.get("customdata") if isinstance(point, dict) else None
        if data:
            chosen.add(str(data[0] if isinstance(data, list) else data))
    table_event = st.session_state.get(table_key) or {}
    for position in (table_event.get("selection") or {}).get("rows") or []:
        if 0 <= position < len(points):
            chosen.add(str(points["point"].iloc[position]))
    return [point for point in points["point"] if point in chosen]


def _rated_tooltips(points: pd.DataFrame, names: dict[str, str]) -> list[str]:
    return [f"{name}\nsection: {sections}\nimpact {i} · likelihood {li}\n{counted(d, 'document')} · {counted(r, 'row')}"
            f"\nstatus: {status}\nhorizon: {horizon}\nzone: {names[zone]}"
            for name, sections, i, li, d, r, status, horizon, zone in zip(
                points["name"], points["sections"], points["y_value"], points["x_value"], points["documents"],
                points["rows"], points["status"], points["horizon"], points["zone"])]


def _theme_tooltips(points: pd.DataFrame, names: dict[str, str], cut: float) -> list[str]:
    return [f"{name}\nmean relevancy {y:.2f} ({counted(r, 'rated row')}; {y - cut:+.2f} from the cut)\nemergence score {x:.2f} "
            f"({recent} in the recent window, {before} before)\n{counted(d, 'document')} · {label}\nzone: {names[zone]}"
            for name, y, r, x, recent, before, d, label, zone in zip(
                points["name"], points["y"], points["rows"], points["x"], points["recent"], points["before"],
                points["documents"], points["colour"], points["zone"])]


def _padded(values: pd.Series, cut: float, least: float, span: float = 0.0) -> tuple[float, float]:
    """An axis range holding the values and the cut, with room around them, at least `span` wide.

    The span keeps small gaps small: the real corpus's themes have mean relevancies of 4.0-4.5,
    and an axis fitted to them drew 4.25 and 4.29 half a chart apart."""
    low, high = min(float(values.min()), cut), max(float(values.max()), cut)
    if high - low < span:
        middle = (low + high) / 2
        low, high = middle - span / 2, middle + span / 2
    pad = max(least, (high - low) * 0.08)
    return low - pad, high + pad


def _rows_table(rows: pd.DataFrame, documents: pd.DataFrame, key: str, title: str) -> None:
    """A list of table rows with their document beside them; selecting one opens its document; a download."""
    st.subheader(title)
    if rows.empty:
        st.caption("No rows here.")
        return
    listed = export.with_document_context(rows.reset_index(drop=True), documents)
    shown = listed.head(ROWS_SHOWN)
    more = f" (the first {ROWS_SHOWN:,} shown; the download has all)" if len(listed) > ROWS_SHOWN else ""
    st.caption(f"{counted(len(listed), 'row')} from {counted(listed['doc_id'].nunique(), 'document')}{more}. "
               "Select a row to open its document.")
    event = st.dataframe(display_frame(shown), hide_index=True, on_select="rerun", selection_mode="single-row",
                         key=key, placeholder="—", column_config={**link_columns(shown),
                                                 "document_date": st.column_config.DateColumn("date", format="YYYY-MM-DD"),
                                                 "document_title": st.column_config.TextColumn("document")})
    st.download_button(f"CSV of these rows ({len(listed):,})", data=functools.partial(export.to_csv_bytes, listed),
                       file_name=export.file_name("assessment-rows", "csv", dt.date.today()), mime="text/csv",
                       key=f"{key}-download", icon=":material/download:", on_click="ignore")
    selected = event.selection.rows if event else []
    if selected:
        open_document(str(shown.iloc[selected[0]]["doc_id"]))


def _grid_and_table(figure, points_table: pd.DataFrame, chart_key: str, table_key: str, column_config: dict) -> None:
    # Half and half: at 1500 px the table's columns fit without scrolling sideways.
    chart_column, table_column = st.columns(2)
    with chart_column:
        st.plotly_chart(figure, key=chart_key, on_select="rerun", selection_mode=("points", "box", "lasso"))
    with table_column:
        # As tall as the chart at most; a short table is no taller than its rows.
        height = min(charts.ASSESSMENT_HEIGHT - 40, TABLE_CHROME + TABLE_ROW * len(points_table))
        st.dataframe(points_table, hide_index=True, on_select="rerun", selection_mode="multi-row", key=table_key,
                     column_config=column_config, height=height)


def _zone_pick(names: dict[str, str], points: pd.DataFrame) -> list[str]:
    """When no point is picked: the points of a zone chosen by name (for those who read rather than click)."""
    # Option labels are markdown; a zone's name is the analyst's text: shown as typed.
    zone = st.segmented_control("Or list a zone", list(assessment.ZONES), key=ZONE_KEY,
                                format_func=lambda key: plain(names[key]))
    return points.loc[points["zone"] == zone, "point"].tolist() if zone else []


def _rated(view, names: dict[str, str], colour_column) -> None:
    rated, half, problem = _rated_in_view(view)
    if problem:
        st.warning(f"The workspace cannot be read, so no rating is shown: {plain(problem)}", icon=":material/lock:")
    if rated.empty:
        narrowed = "" if view.filters.is_empty else " (in the rows these filters keep)"
        st.info(NO_RATED_ROWS.replace("yet:", f"yet{narrowed}:"), icon=":material/grid_view:")
        st.button("Switch to themes", on_click=_switch_to_themes, key="assessment-to-themes",
                  icon=":material/swap_horiz:")
        return
    colour_by = colour_column.segmented_control("Colour by", list(assessment.COLOUR_BY), default="horizon", key=COLOUR_KEY,
                                     format_func=COLOUR_NAMES.get) or "horizon"
    points = assessment.rated_points(rated, colour_by)
    st.caption(
        f"{counted(len(rated), 'rated row')} from {counted(rated['doc_id'].nunique(), 'document')}, as "
        f"{counted(len(points), 'point')}: rows with the same impact, likelihood and "
        f"{COLOUR_NAMES[colour_by].lower()} are one point, sized by its documents; points sharing a cell "
        "are set side by side around it. A row without a rating of its own takes its document's. "
        f"Zones cut at 3.5: 4 and 5 are high."
        + (f" {counted(half, 'row')} rated on one axis only not placed." if half else ""))
    colours = charts.HORIZON_COLOURS if colour_by == "horizon" else charts.STATUS_COLOURS
    figure = charts.assessment_grid(
        points, zone_names=names, x_title="Likelihood (1–5)", y_title="Impact (1–5)",
        x_cut=assessment.RATING_CUT, y_cut=assessment.RATING_CUT, x_range=(0.5, 5.5), y_range=(0.5, 5.5),
        colour_title=COLOUR_NAMES[colour_by], colours={v: colours[v] for v in assessment.COLOUR_VALUES[colour_by]},
        hover=_rated_tooltips(points, names), title="Rated rows by impact and likelihood", whole_ticks=True)
    table = pd.DataFrame({"zone": points["zone"].map(names), "point": points["name"],
                          "impact": points["y_value"].astype("int64"), "likelihood": points["x_value"].astype("int64"),
                          "documents": points["documents"].astype("int64"), "rows": points["rows"].astype("int64"),
                          COLOUR_NAMES[colour_by].lower(): points["colour"]})
    chart_key, table_key = f"assessment-grid-rated-{colour_by}", f"assessment-points-rated-{colour_by}"
    _grid_and_table(figure, table, chart_key, table_key, {
        # Widths (px) that fit the seven columns beside the chart at 1500 px.
        "zone": st.column_config.TextColumn("zone", width=70),
        "point": st.column_config.TextColumn("point", width=140,
                                             help="The row's name, or how many rows and the first names"),
        "impact": st.column_config.NumberColumn("impact", width=55),
        "likelihood": st.column_config.NumberColumn("likelihood", width=65),
        "documents": st.column_config.NumberColumn("docs", width=45, help="Documents behind the point"),
        "rows": st.column_config.NumberColumn("rows", width=45, help="Rated rows behind the point"),
        COLOUR_NAMES[colour_by].lower(): st.column_config.TextColumn(colour_by, width=80)})
    st.download_button(
        f"CSV of every rated row ({len(rated):,})",
        data=functools.partial(export.to_csv_bytes, _rated_export(rated, names, view.filtered.documents)),
        file_name=export.file_name("assessment", "csv", dt.date.today()), mime="text/csv",
        key="assessment-download", icon=":material/download:", on_click="ignore")
    chosen = _chosen_points(chart_key, table_key, points)
    if not chosen:
        chosen = _zone_pick(names, points)
    if chosen:
        rows = assessment.rows_of_points(rated, chosen, colour_by)
        listed = _rated_export(rows, names, view.filtered.documents)
        _rows_table(listed, view.filtered.documents, "assessment-rows", _selection_title(chosen, points, names))


def _rated_export(rated: pd.DataFrame, names: dict[str, str], documents: pd.DataFrame) -> pd.DataFrame:
    """Rated rows as listed and downloaded: the zone's name first, the ratings, the row, its document."""
    frame = rated.assign(zone=rated["zone"].map(names))
    return frame[["zone", "impact", "likelihood", "name", "section", "row", "status", "horizon", "relevancy",
                  "description", "doc_id"]]


def _selection_title(chosen: list[str], points: pd.DataFrame, names: dict[str, str]) -> str:
    picked = points[points["point"].isin(chosen)]
    zones = picked["zone"].unique().tolist()
    if len(picked) == 1:
        return f"Rows of {plain(picked['name'].iloc[0])}" if picked["rows"].iloc[0] == 1 else \
            f"Rows at impact {picked['y_value'].iloc[0]:g}, likelihood {picked['x_value'].iloc[0]:g} ({plain(picked['colour'].iloc[0])})"
    where = f" in {plain(names[zones[0]])}" if len(zones) == 1 else f" across {len(zones)} zones"
    return f"Rows of {counted(len(picked), 'point')}{where}"


@st.cache_resource(max_entries=16, show_spinner=False)
def _theme_grid_shared(view_key: str, _corpus) -> assessment.ThemeGrid:
    return _theme_grid_of(_corpus)


def _theme_grid_of(corpus) -> assessment.ThemeGrid:
    return assessment.theme_points(corpus, emergence.emerging(corpus, "theme", min_documents=0))


def _theme_grid(view) -> assessment.ThemeGrid:
    """The themes placed for the view (the Emerging page's defaults), kept per view: it does not
    depend on the annotations (`emerging` and `theme_points`: 0.5-0.6 s at 10,000 documents on two
    busy cores, benchmarks/bench_assessment.py)."""
    if view.key.startswith("|"):
        return _theme_grid_of(view.filtered)
    return _theme_grid_shared(view.key, view.filtered)


def _themes(view, names: dict[str, str]) -> None:
    corpus = view.filtered
    grid = _theme_grid(view)
    points = grid.points
    left_out = [f"{counted(grid.below_support, 'theme')} with fewer left out"] if grid.below_support else []
    if grid.unrated:
        left_out.append(f"{counted(grid.unrated, 'theme')} without a rated row left out")
    st.caption(
        f"{counted(len(points), 'theme')} with at least {grid.min_documents} documents in the two windows "
        f"(the Emerging page's minimum){'; ' + ', '.join(left_out) if left_out else ''}. Across: the emergence "
        "score (the recent window against the one before, as on Emerging), cut at 0: above it a theme gains "
        "share faster than the corpus. Up: the mean relevancy of the rated rows of its documents, cut at "
        f"{grid.relevancy_cut:.2f}, the mean of every rated row in view. Size: documents.")
    if points.empty:
        st.info("No theme has enough documents in the two windows to be placed. Widen the filters, or rate rows "
                "and switch to rated rows.", icon=":material/grid_view:")
        return
    figure = charts.assessment_grid(
        points, zone_names=names, x_title="Emergence score", y_title="Mean relevancy (1–5)",
        x_cut=assessment.SCORE_CUT, y_cut=grid.relevancy_cut,
        x_range=_padded(points["x"], assessment.SCORE_CUT, 0.3), y_range=_padded(points["y"], grid.relevancy_cut, 0.05, RELEVANCY_SPAN),
        colour_title="On Emerging", colours={label: charts.EMERGING_LABEL_COLOURS[label] for label in emergence.LABELS},
        hover=_theme_tooltips(points, names, grid.relevancy_cut), title="Themes by mean relevancy and emergence",
        label_points=len(points) <= LABELLED_THEMES)
    table = pd.DataFrame({"zone": points["zone"].map(names), "theme": points["name"], "mean relevancy": points["y"],
                          "score": points["x"], "documents": points["documents"], "recent": points["recent"],
                          "before": points["before"], "label": points["colour"]})
    chart_key, table_key = "assessment-grid-themes", "assessment-points-themes"
    _grid_and_table(figure, table, chart_key, table_key, {
        "zone": st.column_config.TextColumn("zone", width=70),
        "theme": st.column_config.TextColumn("theme", width=130),
        "mean relevancy": st.column_config.NumberColumn("relevancy", format="%.2f", width=70,
                                                        help="Mean relevancy of the rated rows of its documents"),
        "score": st.column_config.NumberColumn(format="%.2f", width=55, help="Emergence score, as on Emerging"),
        "documents": st.column_config.NumberColumn("docs", width=45),
        "recent": st.column_config.NumberColumn("recent", width=55, help="Documents in the recent window"),
        "before": st.column_config.NumberColumn("before", width=55, help="Documents in the window before"),
        "label": None})  # the colour and the tooltip say it; the download keeps it
    st.download_button(f"CSV of the themes ({len(table):,})", data=functools.partial(export.to_csv_bytes, table),
                       file_name=export.file_name("assessment-themes", "csv", dt.date.today()), mime="text/csv",
                       key="assessment-themes-download", icon=":material/download:", on_click="ignore")
    chosen = _chosen_points(chart_key, table_key, points)
    if not chosen:
        chosen = _zone_pick(names, points)
    if chosen:
        picked = points[points["point"].isin(chosen)]
        rows = pd.concat([rows_behind_cell(corpus, theme=theme).assign(theme=theme) for theme in picked["name"]],
                         ignore_index=True)
        leading = ["theme", "label", "relevancy", "section", "description", "doc_id"]
        rows = rows[[c for c in leading if c in rows.columns]].rename(columns={"label": "name"})
        title = (f"Rows of the documents with {plain(picked['name'].iloc[0])}" if len(picked) == 1
                 else f"Rows of the documents with {counted(len(picked), 'theme')}")
        _rows_table(rows, corpus.documents, "assessment-theme-rows", title)


def render() -> None:
    view = current_view()
    st.header("Assessment grid")
    st.caption("Where things stand: the analyst's rated rows by impact and likelihood, or themes by relevancy "
               "and emergence, in four named zones. Click a point, or pick box or lasso select in the chart's "
               "toolbar and draw around points, to list their rows; select a row to open its document.")
    if not view.filtered.document_count:
        empty_state()
        return
    names, locked = _zone_names()
    controls = st.columns([2.2, 1.3, 0.8], vertical_alignment="bottom")
    mode = controls[0].segmented_control("Place", list(MODES), default="rated", key=MODE_KEY,
                                         format_func=MODES.get) or "rated"
    with controls[2]:
        _zone_name_editor(names, locked)
    if mode == "rated":
        _rated(view, names, controls[1])
    else:
        _themes(view, names)


if __name__ == "__main__":
    render()
