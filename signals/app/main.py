"""The app's frame: page config, data source, sidebar (what is loaded, filters), navigation."""

from __future__ import annotations

import shutil
from pathlib import Path

import streamlit as st

from signals import aliases, demo, memory
from signals.app import annotation_state, context, data, saved_views, state, theme_merges
from signals.app.components import date_text, plain
from signals.corpus_type import Corpus
from signals.dates import span as date_span
from signals.filters import facet_counts
from signals.ingest.load import load_corpus
from signals.uploads import save_uploads
from signals.wording import counted

FOLDER_KEY = data.FOLDER_KEY
ALIASES_KEY = "_aliases"

_PAGE_DIR = "signals/app/pages"  # relative to dashboard.py, as st.Page wants file paths

def build_pages() -> dict[str, st.Page]:
    """The app's pages, made afresh for each script run.

    Not module-level objects: st.navigation marks the page it is about to run on the st.Page object
    itself, so objects shared by every session made a concurrent session's run fail with "This page
    cannot be called directly" (seen with 12 sessions in benchmarks/load_sessions.py).

    Titles without icons, and short: the top bar folds what does not fit into "N more", and with
    icons Themes and Data health were folded away at 1500 px; without them all ten fit at 1366 px.
    """
    return {
    # Served at the app's root; its own url_path is reserved but never served (see overview_address).
    "overview": st.Page(f"{_PAGE_DIR}/overview.py", title="Overview",
                        url_path="home", default=True),
    "search": st.Page(f"{_PAGE_DIR}/search.py", title="Search", url_path="search"),
    "heatmaps": st.Page(f"{_PAGE_DIR}/heatmaps.py", title="Heatmaps", url_path="heatmaps"),
    "cooccurrence": st.Page(f"{_PAGE_DIR}/cooccurrence.py", title="Co-occurrence",
                            url_path="cooccurrence"),
    "emerging": st.Page(f"{_PAGE_DIR}/emerging.py", title="Emerging",
                        url_path="timeline"),
    "compare": st.Page(f"{_PAGE_DIR}/compare.py", title="Compare", url_path="compare"),
    "same_signal": st.Page(f"{_PAGE_DIR}/same_signal.py", title="Same signal", url_path="clusters"),
    "network": st.Page(f"{_PAGE_DIR}/network.py", title="Network", url_path="network"),
    "tables": st.Page(f"{_PAGE_DIR}/tables.py", title="Tables", url_path="tables"),
    "document": st.Page(f"{_PAGE_DIR}/document.py", title="Document", url_path="document"),
    "themes": st.Page(f"{_PAGE_DIR}/themes.py", title="Themes", url_path="themes"),
    "assessment": st.Page(f"{_PAGE_DIR}/assessment.py", title="Assessment", url_path="assessment"),
    "brief": st.Page(f"{_PAGE_DIR}/brief.py", title="Brief", url_path="brief"),
    "data_health": st.Page(f"{_PAGE_DIR}/data_health.py", title="Data health",
                      url_path="health"),
    }


#: Where each page sits in the top bar: the pages an analyst works in all day first, in the bar
#: itself (the "" section); the others in menus by the step of the work they serve. Fourteen
#: titles in one row did not fit at 1366 px (the bar folded the last ones into "N more").
NAV_SECTIONS: dict[str, tuple[str, ...]] = {
    "": ("overview", "search", "tables", "document", "assessment"),
    "Explore": ("heatmaps", "cooccurrence", "emerging", "same_signal", "network"),
    "Report": ("compare", "brief"),
    "Corpus": ("themes", "data_health"),
}


def overview_address() -> st.Page:
    """The Overview at /overview as well as at the root, hidden from the top bar.

    Streamlit serves the default page at the root only and answers "Page not found" at its
    url_path, so a typed or shared /overview?theme=… link lost its filters to that dialog."""
    return st.Page(f"{_PAGE_DIR}/overview.py", title="Overview", url_path="overview", visibility="hidden")


def navigation_sections(pages: dict[str, st.Page]) -> dict[str, list[st.Page]]:
    """The pages grouped as NAV_SECTIONS says; a page it does not name goes into the bar itself,
    so a new page is never left out of the navigation."""
    placed = {name for names in NAV_SECTIONS.values() for name in names}
    sections = {label: [pages[name] for name in names if name in pages] for label, names in NAV_SECTIONS.items()}
    sections[""] += [page for name, page in pages.items() if name not in placed]
    return {label: listed for label, listed in sections.items() if listed}


def _source_panel(configured: Path) -> tuple[Path, bool]:
    """The data-source panel: folder, uploads, reload. Returns (folder, reload pressed).

    A popover, not an expander: the browser builds a popover's contents only when it is opened,
    while a collapsed expander's three file uploaders were built on every first page (part of
    the 3 s budget, benchmarks/bench_app.py). The widgets still run here on every rerun, so
    uploads and the folder stay in the session while it is closed.
    """
    folder = data.session_folder(configured)
    with st.sidebar.popover("Data source", icon=":material/folder_open:", width="stretch"):
        if data.showing_demo():
            st.caption("Reading the **synthetic demo corpus**")
            st.button("Back to the seed document", key="close_demo", on_click=_close_demo,
                      icon=":material/undo:")
        else:
            st.caption(f"Reading **{folder.name or folder}**")
        if data.demo_offered():
            st.button(f"Open the demo corpus ({counted(demo.DEMO_DOCUMENTS, 'synthetic document')})",
                      key="source_open_demo", on_click=data.request_demo, icon=":material/science:",
                      help="Made by `signals synth` on this machine (once, into the cache folder): "
                           "not real analysis, a way to see what every page does.")
        typed = st.text_input("Folder on this server", value=str(folder), key="folder_input")
        if st.button("Open folder", key="open_folder") and typed != str(folder):
            chosen, error = data.check_folder(typed, data.allowed_roots(configured))
            if error:
                st.error(error)
            else:
                st.session_state[FOLDER_KEY] = str(chosen)
                folder = chosen
        uploads = st.file_uploader(
            "Add documents (this session only)",
            type=["md", "markdown", "txt", "zip"],
            accept_multiple_files=True,
            key="uploads",
            help="Markdown files or a .zip of them; they join this session's corpus only.",
        )
        folder_upload = st.file_uploader(
            "…or a whole folder (this session only)",
            type=["md", "markdown", "txt"],
            accept_multiple_files="directory",
            key="folder_upload",
            help="Every .md, .markdown and .txt file in a folder on your computer and its subfolders.",
        )
        _take_uploads([*(uploads or []), *(folder_upload or [])])
        _take_aliases(st.file_uploader(
            "Theme aliases (CSV: alias,theme)", type=["csv"], key="aliases_file",
            help="Merge theme spellings everywhere, for this session only: each alias is counted as its "
                 "theme. Merges kept with the folder are made on the Merge themes page; where both name a "
                 "spelling, this file wins. `signals themes PATH --suggest --format csv` writes a starting file.",
        ))
        reload_pressed = st.button("Reload from disk", icon=":material/refresh:", key="reload",
                                   help="Pick up files added, changed or deleted since the folder was loaded")
    return folder, reload_pressed


def _close_demo() -> None:
    st.session_state.pop(FOLDER_KEY, None)
    state.reset()  # the demo's filter values mean nothing on the seed


def _take_uploads(uploads: list) -> None:
    signature = tuple((u.name, u.size) for u in uploads)
    if signature == st.session_state.get("_upload_signature"):
        return
    st.session_state["_upload_signature"] = signature
    if not uploads:
        st.session_state.pop("_uploaded_corpus", None)
        return
    result = save_uploads([(u.name, u.getvalue()) for u in uploads])
    try:
        for message in result.refused:
            st.sidebar.warning(plain(message))  # names are the uploader's text, not markup
        if result.accepted:
            uploaded: Corpus = load_corpus(result.folder, use_cache=False)
            st.session_state["_uploaded_corpus"] = uploaded
            st.sidebar.success(f"Added {len(uploaded.documents):,} uploaded documents to this session.")
        else:
            st.session_state.pop("_uploaded_corpus", None)
    finally:
        # The corpus is in memory now: a team server would otherwise keep every upload on disk.
        shutil.rmtree(result.folder, ignore_errors=True)


def _take_aliases(upload) -> None:
    """The aliases file -> st.session_state[ALIASES_KEY] (alias key -> theme); logic in signals.aliases."""
    if upload is None:
        st.session_state.pop(ALIASES_KEY, None)
        return
    try:
        st.session_state[ALIASES_KEY] = aliases.parse_aliases(upload.getvalue().decode("utf-8-sig"))
        st.caption(f"{len(st.session_state[ALIASES_KEY]):,} theme aliases in use.")
    except (aliases.AliasError, UnicodeDecodeError) as error:
        st.session_state.pop(ALIASES_KEY, None)
        st.error(f"Aliases file not used: {error}")


def _loaded_summary(corpus: Corpus, pages: dict[str, st.Page]) -> None:
    documents = corpus.documents
    # Dates after today are wrong page ids (flagged in Data health): said apart, not spanned.
    first, last, future = date_span(documents["date"])
    span = f"{date_text(first)} to {date_text(last)}" if first is not None else "no dates"
    if 0 < future < documents["date"].notna().sum():  # (when every date is, they are the span)
        span += f" (and {counted(future, 'document')} dated in the future)"
    rows = corpus.row_counts()
    st.sidebar.markdown(
        f"**{counted(len(documents), 'document')}** · {counted(sum(rows.values()), 'table row')}  \n{span}"
    )
    per_section = " · ".join(f"{section} {count:,}" for section, count in rows.items())
    st.sidebar.caption(per_section)
    problems = corpus.problems
    if len(problems):
        errors = int((problems["severity"] == "error").sum())
        st.sidebar.page_link(
            pages["data_health"],
            label=counted(len(problems), "loader problem") + (f", {counted(errors, 'error')}" if errors else ""),
            icon=":material/warning:" if errors else ":material/info:",
            help="Open Data health: every problem with file and line",
        )
    else:
        st.sidebar.caption("No loader problems.")


# Streamlit's table toolbar offers a CSV download that does not escape formulas (GUIDE, known
# traps); our own escaped downloads are the ones offered, so that toolbar button is hidden.
# Also: less empty space above each page's title.
_STYLE = """
<style>
[data-testid="stElementToolbarButton"]:has(button[aria-label="Download as CSV"]) { display: none; }
button[aria-label="Download as CSV"] { display: none; }
.block-container, [data-testid="stMainBlockContainer"] { padding-top: 3rem; }
/* Chosen filter values in full: a chip cut to "artificial intelligenc…" hid which theme it was. */
[data-testid="stMultiSelectTagsContainer"] [data-tag] { max-width: 100%; height: auto; }
[data-testid="stMultiSelectTagsContainer"] [data-tag] > span[title] {
  white-space: normal; overflow: visible; text-overflow: clip; overflow-wrap: anywhere; }
</style>
"""


# The badge above each page's title needs the room the top navigation bar would otherwise cover.
_DEMO_STYLE = """
<style>.block-container, [data-testid="stMainBlockContainer"] { padding-top: 4.5rem; }</style>
"""


def run() -> None:
    """Draw the whole app for one script run."""
    memory.use_returning_allocator()
    memory.serve_returning_blocks()  # what a rerun frees leaves the process (signals/memory.py)
    # An emoji, not a Material symbol: Streamlit draws an emoji favicon in the page itself, but has
    # the browser fetch a Material one from Google's font server (a request leaving the machine).
    st.set_page_config(page_title="Signals Explorer", page_icon="📡", layout="wide")
    st.html(_STYLE)
    configured = data.configured_folder()
    st.sidebar.title("Signals Explorer")
    data.open_requested_demo()
    folder, reload_pressed = _source_panel(configured)
    if not folder.exists():
        st.error(f"The data folder {folder} does not exist. Start with `--data DIR` or set {data.DATA_ENV}.")
        st.stop()
    if reload_pressed:
        data.shared_corpora().clear()
    base = data.load_folder(folder, refresh=reload_pressed)
    corpus = data.with_uploads(base)
    uploaded = "_uploaded_corpus" in st.session_state
    corpus_key = "" if uploaded else f"{folder}|{st.session_state['_fingerprints'][str(folder)]}"
    corpus = annotation_state.with_row_keys(corpus, corpus_key)  # the rows' content keys, once per corpus
    # The folder's stored theme merges and this session's aliases file; the key gains their digest.
    corpus, corpus_key = theme_merges.with_theme_merges(folder, corpus, corpus_key, st.session_state.get(ALIASES_KEY))
    annotation_state.prepare(corpus, corpus_key)
    pages = build_pages()
    if data.showing_demo():
        # Above every page's title and in the sidebar: a screenshot of any page says what it shows.
        st.sidebar.warning(demo.DEMO_LABEL, icon=":material/science:")
        st.html(_DEMO_STYLE)
        st.badge(demo.DEMO_LABEL, icon=":material/science:", color="orange")
    _loaded_summary(corpus, pages)
    with st.sidebar:
        annotation_state.name_input()

    st.sidebar.divider()
    st.sidebar.subheader("Filters")
    st.sidebar.button("Reset filters", on_click=state.reset, key="reset", icon=":material/restart_alt:",
                      help="Show everything again", width="stretch")
    # Saved views sit above the filters they restore; drawn last, once the filtered view is known.
    views_slot = st.sidebar.container()
    counts = {**_facet_counts(corpus_key, corpus), **annotation_state.facet_counts()}
    state.load_url(corpus, counts, theme_aliases=theme_merges.current().applied)
    state.restore_kept()
    with st.sidebar:
        state.filter_widgets(corpus, counts)
    filters = state.current_filters(corpus)
    state.write_url(filters)
    tables, tables_key = annotation_state.filter_tables(filters)
    view = data.make_view(corpus, corpus_key, filters, tables, tables_key)
    context.set_view(view)
    with views_slot:
        saved_views.sidebar(corpus, corpus_key, counts, filters, view.filtered.document_facts)
    context.register_pages(pages)

    sections = navigation_sections(pages)
    sections[""].append(overview_address())
    navigation = st.navigation(sections, position="top")
    context.set_current_page(next((name for name, page in pages.items() if page.url_path == navigation.url_path),
                                  "overview"))
    try:
        navigation.run()
        # After the page is drawn: the first page does not share the cores with it.
        data.prepare_in_background(corpus, corpus_key)
    finally:
        # Also when the page switched to another one (st.switch_page raises): that switch is
        # what makes Streamlit drop the widgets' values.
        state.remember_kept()
        memory.give_back_soon()  # what this run freed, back to the system (signals/memory.py)


@st.cache_resource(max_entries=8, show_spinner=False)
def _facet_counts_shared(corpus_key: str, _corpus: Corpus):
    return facet_counts(_corpus)


def _facet_counts(corpus_key: str, corpus: Corpus):
    return _facet_counts_shared(corpus_key, corpus) if corpus_key else facet_counts(corpus)

