"""UI pieces several pages share: safe text, safe links, empty states, tables, downloads."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping

import pandas as pd
import streamlit as st

from signals import export, schema
from signals.filters import Filters
from signals.safe_text import plain, safe_url  # noqa: F401  (pages import them from here)
from signals.wording import counted

#: Widest table sent whole to the browser; larger ones are paged (the guide: selection tables are sent whole).
PAGE_ROWS = 2_000


def safe_url_column(series: pd.Series) -> pd.Series:
    """A column of URLs with every non-http(s) value blanked (so link columns never carry them)."""
    text = series.astype("str")
    ok = text.str.match(r"(?i)^https?://[^\s\x00]+$", na=False)
    return text.where(ok, None)


def empty_state(message: str = "Nothing matches these filters.") -> None:
    """A friendly note instead of an empty chart or table, with a way back."""
    st.info(f"{message} Widen the filters in the sidebar, or press **Reset filters**.", icon=":material/filter_alt_off:")


def date_text(value: object) -> str:
    """A date for display, or an em dash when unknown."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return "—"
    try:
        return pd.Timestamp(value).date().isoformat()
    except (TypeError, ValueError):
        return "—"


def link_columns(frame: pd.DataFrame) -> dict:
    """column_config for a frame: links as links (http(s) only), relevancy as a sortable number."""
    config: dict = {}
    for column in ("page_url", "article_url"):
        if column in frame.columns:
            config[column] = st.column_config.LinkColumn(column.replace("_", " "), display_text=r"https?://(?:www\.)?([^/]+)")
    if schema.RELEVANCY in frame.columns:
        config[schema.RELEVANCY] = st.column_config.NumberColumn("relevancy", format="%d", help="1 (low) to 5 (high)")
    if "date" in frame.columns:
        config["date"] = st.column_config.DateColumn("date", format="YYYY-MM-DD")
    return config


def display_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A frame made safe to show: URL columns blanked unless http(s)."""
    shown = frame
    for column in ("page_url", "article_url"):
        if column in shown.columns:
            if shown is frame:
                shown = frame.copy()
            shown[column] = safe_url_column(shown[column])
    return shown


def page_range(total: int, key: str) -> tuple[int, int]:
    """(start, stop) of the page of `total` rows to show: PAGE_ROWS at most, with a page picker
    when there are more (for tables whose rows are taken a page at a time)."""
    if total <= PAGE_ROWS:
        return 0, total
    pages = (total - 1) // PAGE_ROWS + 1
    page = st.number_input(
        f"Page (of {pages:,}; {PAGE_ROWS:,} rows each)", min_value=1, max_value=pages, value=1, key=f"page-{key}"
    )
    start = (int(page) - 1) * PAGE_ROWS
    return start, min(start + PAGE_ROWS, total)


def downloads(frames: Mapping[str, pd.DataFrame], filters: Filters, key: str, *, single: str | None = None) -> None:
    """Download buttons for the filtered tables: CSV of `single` (or each), plus XLSX/zip/JSON/Parquet of all.

    The bytes are made only when a button is clicked (a callable with its data passed explicitly:
    the guide's trap about download callables running without session state).
    """
    today = dt.date.today()
    described = filters.describe()
    if single is not None:
        st.download_button(
            f"CSV of {single} ({counted(export.row_count(frames, single), 'row')})",
            data=functools.partial(export.table_bytes, frames, single, export.to_csv_bytes),
            file_name=export.file_name(single, "csv", today),
            mime="text/csv",
            key=f"csv-{key}-{single}",
            icon=":material/download:",
            on_click="ignore",
        )
        if single == "documents" or export.has_relevancy(frames, single):
            st.download_button(
                f"Parquet of {single}",
                data=functools.partial(export.table_bytes, frames, single, export.to_parquet_bytes),
                file_name=export.file_name(single, "parquet", today),
                mime="application/vnd.apache.parquet",
                key=f"parquet-{key}-{single}",
                on_click="ignore",
            )
        return
    columns = st.columns(3)
    columns[0].download_button(
        "Excel workbook (all tables)",
        data=functools.partial(export.to_xlsx_bytes, frames, described),
        file_name=export.file_name("all-tables", "xlsx", today),
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key=f"xlsx-{key}",
        icon=":material/table_view:",
        on_click="ignore",
    )
    columns[1].download_button(
        "Zip of CSVs (all tables)",
        data=functools.partial(export.to_zip_bytes, frames, described),
        file_name=export.file_name("all-tables", "zip", today),
        mime="application/zip",
        key=f"zip-{key}",
        icon=":material/folder_zip:",
        on_click="ignore",
    )
    columns[2].download_button(
        "JSON (all tables)",
        data=functools.partial(export.to_json_bytes, frames),
        file_name=export.file_name("all-tables", "json", today),
        mime="application/json",
        key=f"json-{key}",
        icon=":material/data_object:",
        on_click="ignore",
    )


@st.cache_resource(max_entries=512, show_spinner=False)
def _shared_chart(view_key: str, name: str, _build):
    return _build()


def cached_chart(view, name: str, build):
    """A page's chart (a plotly figure or a Vega-Lite spec, or a tuple holding one with figures
    shown beside it), built once per (filtered view, chart) and shared by reruns and sessions.
    `name` holds the chart's own settings too (`heat-theme|20|True`).

    Each costs its aggregates over the filtered corpus plus the building (milliseconds; with six
    on the Overview, a revisited view redraws in ~40 ms instead of ~110). The view key is small
    (folder fingerprint + filters), never a hash of a frame. Views of uploads (no shared
    key) are built every time. Callers must not change what they get (Streamlit takes the data
    out of a Vega-Lite spec: pass it a shallow copy).
    """
    if not view.key or view.key.startswith("|"):
        return build()
    return _shared_chart(view.key, name, build)
