"""Filters <-> sidebar widgets <-> URL query parameters.

The URL carries the filters in canonical form (`Filters.to_params`: `?theme=AI&rmin=4`), so a copied
link opens the same view. On a session's first run `load_url()` puts the URL's filters into the
widgets; after the widgets are drawn `write_url()` writes the current filters back.

Not Streamlit's `bind="query-params"`: with a `format_func` (our `energy (42)` counts) it writes the
formatted label into the URL, so links would break whenever a count changed (checked on 1.67).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from signals import schema
from signals.corpus_type import Corpus
from signals.filters import Filters

#: Widget keys (in session state), one per filter field.
KEYS = {
    "themes": "theme", "theme_mode": "theme_mode", "categories": "category", "types": "type",
    "keywords": "keyword", "domains": "domain", "sections": "section", "text": "q",
    "text_scope": "q_in",
}
DATES_KEY = "dates"
RELEVANCY_KEY = "relevancy"
FULL_RELEVANCY = (schema.RELEVANCY_MIN, schema.RELEVANCY_MAX)
_MULTI = {"themes": "theme", "categories": "category", "types": "type", "keywords": "keyword",
          "domains": "domain", "sections": "section"}
_URL_LOADED = "_url_loaded"
#: Page settings whose values survive a trip to another page (the table tab, heatmap settings...).
#: Pages declare nothing else: every key here is restored by `restore_kept` like the filters.
TABLE_CHOICE = "table_choice"
PAGE_SETTING_KEYS = (
    TABLE_CHOICE, "heatmap_tab", "heatmap_top_n", "heatmap_fit", "heat_measure", "heat_period",
)
_KEPT = "_kept_values"


def _counted(counts: pd.Series):
    # A dict, not Series.get: Streamlit calls this for every option on every rerun (about 900
    # calls on the 10k corpus, 15-20 ms a rerun through pandas' indexing).
    table = dict(zip(counts.index, counts.to_numpy().tolist()))

    def label(value: str) -> str:
        count = table.get(value)
        return f"{value} ({int(count):,})" if count is not None else str(value)

    return label


def facet_counts(corpus: Corpus) -> dict[str, pd.Series]:
    """Option -> documents (rows, for sections) in the whole corpus, most frequent first."""
    documents = corpus.documents
    themes = corpus.themes.drop_duplicates(["doc_id", "theme_key"])
    return {
        "themes": themes["theme"].astype("str").value_counts(),
        "categories": documents["category"].astype("str").value_counts(dropna=True),
        "types": documents["type"].astype("str").value_counts(dropna=True),
        "keywords": corpus.keywords["keyword"].astype("str").value_counts(),
        "domains": documents["domain"].astype("str").value_counts(dropna=True),
        "sections": corpus.items["section"].astype("str").value_counts(),
    }


def date_bounds(corpus: Corpus) -> tuple[dt.date, dt.date] | None:
    """First and last document date, or None when no document has a date."""
    dates = corpus.documents["date"].dropna()
    if dates.empty:
        return None
    return dates.min().date(), dates.max().date()


def filter_widgets(corpus: Corpus, counts: dict[str, pd.Series]) -> None:
    """Draw the filter widgets (in the current container), each bound to its query parameter."""
    labels = {
        "themes": ("Themes", "Documents with any (or all) of these themes"),
        "categories": ("Category", None),
        "types": ("Type", None),
        "keywords": ("Keywords", None),
        "domains": ("Source domain", "The article's web site"),
        "sections": ("Sections", "Which tables' rows to keep"),
    }
    st.text_input("Search text", key=KEYS["text"], placeholder="words to find")
    st.session_state.setdefault(KEYS["text_scope"], "rows")
    st.segmented_control(
        "Search in", ["rows", "documents"], key=KEYS["text_scope"], required=True,
        format_func={"rows": "in rows", "documents": "in documents"}.get, label_visibility="collapsed",
        help="in rows: each table row's own text (name, description, other columns); "
             "in documents: a document's title, summary, keywords and themes, keeping all its rows",
    )
    for field, (label, help_text) in labels.items():
        options = list(counts[field].index)
        if field == "sections":
            options = [s for s in schema.TABLE_SECTIONS if s in options] + [
                s for s in options if s not in schema.TABLE_SECTIONS
            ]
        st.multiselect(
            label,
            options,
            key=KEYS[field],
            format_func=_counted(counts[field]),
            help=help_text,
            placeholder="All",
        )
        if field == "themes":
            st.session_state.setdefault(KEYS["theme_mode"], "any")
            st.segmented_control(
                "Match themes",
                ["any", "all"],
                key=KEYS["theme_mode"],
                help="any: documents with at least one chosen theme; all: with every chosen theme",
                label_visibility="collapsed",
            )
    bounds = date_bounds(corpus)
    if bounds:
        st.session_state.setdefault(DATES_KEY, bounds)
        st.date_input(
            "Dates", min_value=bounds[0], max_value=bounds[1], key=DATES_KEY,
            help="Date of the source page; documents without a valid date are left out when narrowed",
        )
    st.session_state.setdefault(RELEVANCY_KEY, FULL_RELEVANCY)
    st.slider("Relevancy", *FULL_RELEVANCY, key=RELEVANCY_KEY,
              help="Keep table rows whose relevancy lies in this range")


def current_filters(corpus: Corpus) -> Filters:
    """The Filters the widgets hold now (defaults where a widget has not been drawn yet)."""
    state = st.session_state
    values: dict = {field: tuple(state.get(key) or ()) for field, key in _MULTI.items()}
    values["theme_mode"] = state.get(KEYS["theme_mode"]) or "any"
    values["text"] = (state.get(KEYS["text"]) or "").strip()
    values["text_scope"] = state.get(KEYS["text_scope"]) or "rows"
    dates = state.get(DATES_KEY)
    bounds = date_bounds(corpus)
    if bounds and isinstance(dates, (tuple, list)) and dates:
        since = dates[0]
        until = dates[1] if len(dates) > 1 else None
        values["since"] = since if since and since > bounds[0] else None
        values["until"] = until if until and until < bounds[1] else None
    low, high = state.get(RELEVANCY_KEY) or FULL_RELEVANCY
    values["min_relevancy"] = low if low > schema.RELEVANCY_MIN else None
    values["max_relevancy"] = high if high < schema.RELEVANCY_MAX else None
    return Filters(**values)


def _kept_keys() -> list[str]:
    return [*KEYS.values(), DATES_KEY, RELEVANCY_KEY, *PAGE_SETTING_KEYS]


def restore_kept() -> None:
    """Before any widget is drawn: put back the filter and page-setting values Streamlit dropped.

    Streamlit forgets every widget's value when st.switch_page opens another page (seen on 1.67:
    the run after a table row opened its document started with no `relevancy`, `q` or `theme` in
    session state), and a page's own widgets when another page is shown. The frontend re-sends
    some (a text input) but not others (the relevancy slider fell back to 1-5), so the values are
    kept under a plain key, which Streamlit leaves alone, and restored here.
    """
    state = st.session_state
    for key, value in (state.get(_KEPT) or {}).items():
        if key not in state:
            state[key] = value


def remember_kept() -> None:
    """After the page has run (or switched away): keep the current filter and page-setting values."""
    state = st.session_state
    kept = dict(state.get(_KEPT) or {})
    for key in _kept_keys():
        if key in state:
            kept[key] = state[key]
    state[_KEPT] = kept


def reset() -> None:
    """Callback: every filter widget back to its default (which also clears it from the URL)."""
    state = st.session_state
    for key in _MULTI.values():
        state[key] = []
    state[KEYS["text"]] = ""
    state[KEYS["text_scope"]] = "rows"
    state[KEYS["theme_mode"]] = "any"
    state[RELEVANCY_KEY] = FULL_RELEVANCY
    if DATES_KEY in state:
        del state[DATES_KEY]


def add_theme(theme: str) -> None:
    """Callback helper: add a theme to the theme filter (a click on a chart)."""
    key = KEYS["themes"]
    chosen = list(st.session_state.get(key) or [])
    if theme not in chosen:
        chosen.append(theme)
    st.session_state[key] = chosen


def _matching_options(wanted: tuple[str, ...], options: list[str]) -> list[str]:
    """URL values -> the options they name (case- and spacing-insensitive, as the filters match)."""
    by_key = {schema.theme_key(str(o)): o for o in options}
    chosen = []
    for value in wanted:
        option = by_key.get(schema.theme_key(value))
        if option is not None and option not in chosen:
            chosen.append(option)
    return chosen


def load_url(corpus: Corpus, counts: dict[str, pd.Series]) -> None:
    """On a session's first run: the URL's filters -> widget state (unknown values dropped)."""
    state = st.session_state
    if state.get(_URL_LOADED):
        return
    state[_URL_LOADED] = True
    params = {key: st.query_params.get_all(key) for key in st.query_params}
    filters = Filters.from_params(params)
    for field, key in _MULTI.items():
        state[key] = _matching_options(getattr(filters, field), list(counts[field].index))
    state[KEYS["theme_mode"]] = filters.theme_mode
    state[KEYS["text"]] = filters.text
    state[KEYS["text_scope"]] = filters.text_scope
    bounds = date_bounds(corpus)
    if bounds:
        since = max(filters.since or bounds[0], bounds[0])
        until = min(filters.until or bounds[1], bounds[1])
        state[DATES_KEY] = (since, until) if since <= until else bounds
    state[RELEVANCY_KEY] = (filters.min_relevancy or schema.RELEVANCY_MIN,
                            filters.max_relevancy or schema.RELEVANCY_MAX)
    table = st.query_params.get(schema.TABLE_QUERY_KEY)
    if table:
        state[TABLE_CHOICE] = table  # checked against the tables there are on the Tables page


def write_url(filters: Filters) -> None:
    """The current filters -> the URL (only what is set; other parameters, like `doc`, kept)."""
    wanted = filters.to_params()
    for key in schema.QUERY_KEYS.values():
        current = st.query_params.get_all(key)
        if key in wanted:
            if current != wanted[key]:
                st.query_params[key] = wanted[key]
        elif current:
            del st.query_params[key]
