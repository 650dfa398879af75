"""Filters <-> sidebar widgets <-> URL query parameters, generated from the facets (signals.facets).

Each facet kind has its widget here (a multiselect, a date range, a slider, a search box), drawn
in the order of `facets.FACETS` (the search box first) and keyed by the facet's widget keys, so a
new facet shows up in the sidebar, the URL, the kept values and Reset without a line here.

The URL carries the filters in canonical form (`Filters.to_params`: `?theme=AI&rmin=4`), so a copied
link opens the same view. On a session's first run `load_url()` puts the URL's filters into the
widgets; after the widgets are drawn `write_url()` writes the current filters back.

Not Streamlit's `bind="query-params"`: with a `format_func` (our `energy (42)` counts) it writes the
formatted label into the URL, so links would break whenever a count changed (checked on 1.67).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import streamlit as st

from signals import facets, schema
from signals.corpus_type import Corpus
from signals.facets import (
    MATCH_MODES,
    TEXT_SCOPES,
    AnnotationChoiceFacet,
    AnnotationFacet,
    AnnotationFlagFacet,
    AnnotationRangeFacet,
    ChoiceFacet,
    DateFacet,
    Facet,
    RangeFacet,
    SearchFacet,
    TextFacet,
)
from signals.filters import Filters

#: Widget keys (in session state): Filters field -> its widget's key; a date or range facet's key
#: -> its one widget's key (`KEYS["themes"] == "theme"`, `KEYS["relevancy"] == "relevancy"`).
KEYS = {field: key for facet in facets.FACETS for field, key in facet.widget_keys().items()}
_URL_LOADED = "_url_loaded"
#: Page settings whose values survive a trip to another page (the table tab, heatmap settings...).
#: Pages declare nothing else: every key here is restored by `restore_kept` like the filters.
TABLE_CHOICE = "table_choice"
#: The analyst's display name (the sidebar's input) is kept the same way.
ANALYST_NAME = "analyst_name"
PAGE_SETTING_KEYS = (
    TABLE_CHOICE, ANALYST_NAME, "heatmap_tab", "heatmap_top_n", "heatmap_fit", "heat_measure", "heat_period",
    "heat_every_period",
    "heat_markers", "compare_mode", "compare_by", "compare_min_docs", "compare_before", "compare_after",
    "compare_show_few", "compare_old_folder",
    "assessment_mode", "assessment_colour", "overview_distinctive",
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


def _matching_options(wanted: tuple[str, ...], options: list[str], match_key) -> list[str]:
    """URL values -> the options they name (matched as the filters match: case, spacing, aliases)."""
    by_key = {match_key(str(o)): o for o in options}
    chosen = []
    for value in wanted:
        option = by_key.get(match_key(value))
        if option is not None and option not in chosen:
            chosen.append(option)
    return chosen


class _ChoiceWidget:
    """A multiselect of the options with their counts (and a facet's any/all switch below it)."""

    def __init__(self, facet: ChoiceFacet) -> None:
        self.facet = facet

    def draw(self, corpus: Corpus, counts: dict[str, pd.Series]) -> None:
        facet = self.facet
        options = counts[facet.key]
        st.multiselect(facet.label, facet.ordered_options(options.index), key=facet.key,
                       format_func=_counted(options), help=facet.help or None, placeholder="All")
        if facet.mode:
            st.session_state.setdefault(facet.mode.key, "any")
            st.segmented_control(f"Match {facet.plural}", list(MATCH_MODES), key=facet.mode.key,
                                 help=facet.mode.help, label_visibility="collapsed")

    def read(self, corpus: Corpus) -> dict[str, Any]:
        state, facet = st.session_state, self.facet
        values: dict[str, Any] = {facet.field: tuple(state.get(facet.key) or ())}
        if facet.mode:
            values[facet.mode.field] = state.get(facet.mode.key) or "any"
        return values

    def load(self, filters: Filters, corpus: Corpus, counts: dict[str, pd.Series]) -> None:
        state, facet = st.session_state, self.facet
        state[facet.key] = _matching_options(facet.chosen(filters), list(counts[facet.key].index), facet.match_key)
        if facet.mode:
            state[facet.mode.key] = getattr(filters, facet.mode.field)

    def reset(self) -> None:
        st.session_state[self.facet.key] = []
        if self.facet.mode:
            st.session_state[self.facet.mode.key] = "any"


class _TextWidget:
    """A search box and, beside it, where to search."""

    def __init__(self, facet: TextFacet) -> None:
        self.facet = facet

    def draw(self, corpus: Corpus, counts: dict[str, pd.Series]) -> None:
        facet = self.facet
        st.text_input(facet.label, key=facet.key, placeholder="words to find")
        st.session_state.setdefault(facet.scope_key, TEXT_SCOPES[0])
        st.segmented_control(
            "Search in", list(TEXT_SCOPES), key=facet.scope_key, required=True,
            format_func=lambda scope: f"in {scope}", label_visibility="collapsed", help=facet.scope_help,
        )

    def read(self, corpus: Corpus) -> dict[str, Any]:
        state, facet = st.session_state, self.facet
        return {facet.field: (state.get(facet.key) or "").strip(),
                facet.scope_field: state.get(facet.scope_key) or TEXT_SCOPES[0]}

    def load(self, filters: Filters, corpus: Corpus, counts: dict[str, pd.Series]) -> None:
        st.session_state[self.facet.key] = self.facet.text(filters)
        st.session_state[self.facet.scope_key] = self.facet.scope(filters)

    def reset(self) -> None:
        st.session_state[self.facet.key] = ""
        st.session_state[self.facet.scope_key] = TEXT_SCOPES[0]


class _SearchWidget:
    """The ranked search's query: its box is on the Search page (the same session-state key); the
    sidebar shows the query while one is set, with a button clearing it, since it narrows every
    page. The query is read, loaded from the URL and reset like the others."""

    def __init__(self, facet: SearchFacet) -> None:
        self.facet = facet

    def draw(self, corpus: Corpus, counts: dict[str, pd.Series]) -> None:
        from signals.safe_text import plain

        query = (st.session_state.get(self.facet.key) or "").strip()
        if not query:
            return
        with st.container(border=True, key="sidebar-search"):
            st.markdown(f"**Search** “{plain(query)}”")
            st.caption(f"Every page shows only the documents it finds (at most {self.facet.top}; the Search page "
                       "lists them).")
            st.button("Clear the search", key="clear-search", on_click=self.reset, icon=":material/close:")

    def read(self, corpus: Corpus) -> dict[str, Any]:
        return {self.facet.field: (st.session_state.get(self.facet.key) or "").strip()}

    def load(self, filters: Filters, corpus: Corpus, counts: dict[str, pd.Series]) -> None:
        st.session_state[self.facet.key] = self.facet.query(filters)

    def reset(self) -> None:
        st.session_state[self.facet.key] = ""


def date_bounds(corpus: Corpus, facet: DateFacet) -> tuple[dt.date, dt.date] | None:
    """First and last date of a date facet's column, or None when no row has a date."""
    dates = getattr(corpus, facet.source.table)[facet.source.column].dropna()
    if dates.empty:
        return None
    return dates.min().date(), dates.max().date()


class _DateWidget:
    """A date range, spanning the corpus's dates; a bound left at the corpus's edge is no bound."""

    def __init__(self, facet: DateFacet) -> None:
        self.facet = facet

    def draw(self, corpus: Corpus, counts: dict[str, pd.Series]) -> None:
        facet = self.facet
        bounds = date_bounds(corpus, facet)
        if bounds:
            st.session_state.setdefault(facet.key, bounds)
            st.date_input(facet.label, min_value=bounds[0], max_value=bounds[1], key=facet.key, help=facet.help)

    def read(self, corpus: Corpus) -> dict[str, Any]:
        facet = self.facet
        days = st.session_state.get(facet.key)
        bounds = date_bounds(corpus, facet)
        if not (bounds and isinstance(days, (tuple, list)) and days):
            return {}
        since = days[0]
        until = days[1] if len(days) > 1 else None  # a range picked halfway: its first day only
        first, last = facet.field_names
        return {first: since if since and since > bounds[0] else None,
                last: until if until and until < bounds[1] else None}

    def load(self, filters: Filters, corpus: Corpus, counts: dict[str, pd.Series]) -> None:
        bounds = date_bounds(corpus, self.facet)
        if bounds:
            first, last = self.facet.days(filters)
            since, until = max(first or bounds[0], bounds[0]), min(last or bounds[1], bounds[1])
            st.session_state[self.facet.key] = (since, until) if since <= until else bounds

    def reset(self) -> None:
        st.session_state.pop(self.facet.key, None)  # drawn again at the corpus's full span


class _RangeWidget:
    """A slider over the facet's bounds; an end left at its bound is no bound."""

    def __init__(self, facet: RangeFacet) -> None:
        self.facet = facet

    def draw(self, corpus: Corpus, counts: dict[str, pd.Series]) -> None:
        facet = self.facet
        st.session_state.setdefault(facet.key, facet.bounds)
        st.slider(facet.label, *facet.bounds, key=facet.key, help=facet.help)

    def read(self, corpus: Corpus) -> dict[str, Any]:
        facet = self.facet
        low, high = st.session_state.get(facet.key) or facet.bounds
        first, last = facet.field_names
        return {first: low if low > facet.bounds[0] else None, last: high if high < facet.bounds[1] else None}

    def load(self, filters: Filters, corpus: Corpus, counts: dict[str, pd.Series]) -> None:
        low, high = self.facet.limits(filters)
        st.session_state[self.facet.key] = (self.facet.bounds[0] if low is None else low,
                                            self.facet.bounds[1] if high is None else high)

    def reset(self) -> None:
        st.session_state[self.facet.key] = self.facet.bounds


class _FlagWidget:
    """Two buttons, yes and no, with their rows; neither pressed: either (no filter)."""

    def __init__(self, facet: AnnotationFlagFacet) -> None:
        self.facet = facet

    def draw(self, corpus: Corpus, counts: dict[str, pd.Series]) -> None:
        facet = self.facet
        tally = counts.get(facet.key, pd.Series(dtype="int64"))
        words = dict(zip((True, False), facet.words))
        st.segmented_control(facet.label, [True, False], key=facet.key, help=facet.help,
                             format_func=lambda value: f"{words[value]} ({int(tally.get(value, 0)):,})")

    def read(self, corpus: Corpus) -> dict[str, Any]:
        value = st.session_state.get(self.facet.key)
        return {self.facet.field: value if value in (True, False) else None}

    def load(self, filters: Filters, corpus: Corpus, counts: dict[str, pd.Series]) -> None:
        st.session_state[self.facet.key] = self.facet.value(filters)

    def reset(self) -> None:
        st.session_state[self.facet.key] = None


#: Facet kind -> its widget.
_WIDGETS = {ChoiceFacet: _ChoiceWidget, TextFacet: _TextWidget, DateFacet: _DateWidget, RangeFacet: _RangeWidget,
            AnnotationChoiceFacet: _ChoiceWidget, AnnotationRangeFacet: _RangeWidget, AnnotationFlagFacet: _FlagWidget,
            SearchFacet: _SearchWidget}
#: The title of the sidebar's group of annotation facets.
ASSESSMENT_GROUP = "Assessment"


def _widgets() -> list:
    """One widget per facet, in sidebar order: the search box leads, the rest as FACETS lists them."""
    ordered: list[Facet] = sorted(facets.FACETS, key=lambda facet: not isinstance(facet, TextFacet))
    return [_WIDGETS[type(facet)](facet) for facet in ordered]


def filter_widgets(corpus: Corpus, counts: dict[str, pd.Series]) -> None:
    """Draw the filter widgets (in the current container), one per facet; `counts` as
    signals.filters.facet_counts gives them. The annotation facets go in an "Assessment" group,
    open when one of them is set."""
    widgets = _widgets()
    # An active search first: it narrows every page, and the sidebar's own boxes come after it.
    for widget in sorted(widgets, key=lambda widget: not isinstance(widget.facet, SearchFacet)):
        if not isinstance(widget.facet, AnnotationFacet):
            widget.draw(corpus, counts)
    assessment = [widget for widget in widgets if isinstance(widget.facet, AnnotationFacet)]
    if assessment:
        chosen = current_filters(corpus)
        opened = any(widget.facet.is_set(chosen) for widget in assessment)
        with st.expander(ASSESSMENT_GROUP, expanded=opened, icon=":material/star:"):
            st.caption("Your own triage and ratings, on table rows (a document's annotation counts for its rows). "
                       "Counts are rows.")
            for widget in assessment:
                widget.draw(corpus, counts)


def current_filters(corpus: Corpus) -> Filters:
    """The Filters the widgets hold now (defaults where a widget has not been drawn yet)."""
    values: dict[str, Any] = {}
    for widget in _widgets():
        values |= widget.read(corpus)
    return Filters(**values)


def _kept_keys() -> list[str]:
    return [*(key for facet in facets.FACETS for key in facet.widget_keys().values()), *PAGE_SETTING_KEYS]


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
    for widget in _widgets():
        widget.reset()
    # A widget reset by removing its value (the dates: drawn again at the corpus's whole span) loses
    # its kept copy too, or restore_kept would put the old range back; another corpus (the demo)
    # has another span.
    state, kept = st.session_state, st.session_state.get(_KEPT) or {}
    for key in [key for facet in facets.FACETS for key in facet.widget_keys().values()]:
        if key not in state:
            kept.pop(key, None)


def add_theme(theme: str) -> None:
    """Callback helper: add a theme to the theme filter (a click on a chart)."""
    key = KEYS["themes"]
    chosen = list(st.session_state.get(key) or [])
    if theme not in chosen:
        chosen.append(theme)
    st.session_state[key] = chosen


def load_url(corpus: Corpus, counts: dict[str, pd.Series], theme_aliases: dict[str, str] | None = None) -> None:
    """On a session's first run: the URL's filters -> widget state (unknown values dropped).

    `theme_aliases` (alias key -> theme, the merges in force) makes a link saved before a merge
    (`?theme=AI`) open on the theme it was merged into."""
    state = st.session_state
    if state.get(_URL_LOADED):
        return
    state[_URL_LOADED] = True
    filters = Filters.from_params({key: st.query_params.get_all(key) for key in st.query_params})
    if theme_aliases:
        filters = filters.with_(themes=tuple(theme_aliases.get(schema.theme_key(t), t) for t in filters.themes))
    load_filters(filters, corpus, counts)
    table = st.query_params.get(schema.TABLE_QUERY_KEY)
    if table:
        state[TABLE_CHOICE] = table  # checked against the tables there are on the Tables page


def load_filters(filters: Filters, corpus: Corpus, counts: dict[str, pd.Series]) -> None:
    """Put `filters` into the widgets (before they are drawn: at a session's first run, or in a
    callback, as reopening a saved view does); values the corpus does not have are dropped."""
    for widget in _widgets():
        widget.load(filters, corpus, counts)


def write_url(filters: Filters) -> None:
    """The current filters -> the URL (only what is set; other parameters, like `doc`, kept)."""
    wanted = filters.to_params()
    for key in facets.url_keys():
        current = st.query_params.get_all(key)
        if key in wanted:
            if current != wanted[key]:
                st.query_params[key] = wanted[key]
        elif current:
            del st.query_params[key]
