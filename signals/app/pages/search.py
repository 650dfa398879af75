"""Search: the filtered documents ranked by the query's words and meaning together, with the matched
words in bold; each opens its document. The query is the `search` facet (signals.facets): its box is
here, it lives in the URL (`?search=...`) and every other page is narrowed to what it finds."""

from __future__ import annotations

import streamlit as st

from signals import facets
from signals.app import meaning
from signals.app.components import date_text, empty_state, plain
from signals.app.context import current_view, open_document
from signals.semantic import search
from signals.wording import counted

#: The ranked search's facet; its key is the box's session-state key and the URL parameter.
SEARCH_FACET = next(facet for facet in facets.FACETS if isinstance(facet, facets.SearchFacet))
SEARCH_QUERY_KEY = SEARCH_FACET.key
SHOWN = 20


@st.cache_resource(max_entries=4, show_spinner="Indexing words…")
def _index_shared(corpus_key: str, _corpus) -> search.SearchIndex:
    return search.open_index(_corpus)


def search_index(view) -> search.SearchIndex | None:
    """The whole corpus's SearchIndex, or None while its documents are still being embedded (a
    progress bar is drawn and the page reruns when they are)."""
    corpus = view.corpus
    if not meaning.documents_ready(corpus):
        return None
    corpus_key = view.key.split("|", 1)[0]
    return _index_shared(corpus_key, corpus) if corpus_key else search.open_index(corpus)


def highlighted(snippet: str) -> str:
    """A snippet -> markdown showing its text literally with the matched words in bold."""
    parts = str(snippet).split(search.MARK_START)
    shown = [plain(parts[0])]
    for part in parts[1:]:
        matched, _, rest = part.partition(search.MARK_END)
        shown.append(f"**{plain(matched)}**{plain(rest)}")
    return "".join(shown)


def render() -> None:
    view = current_view()
    st.header("Search")
    st.caption("Documents ranked by your words (titles, summaries and table rows; accents ignored) and by "
               "meaning (what the title and summary are about, in whatever words), within the filters.")
    st.session_state.setdefault(SEARCH_QUERY_KEY, SEARCH_FACET.query(view.filters))
    query = st.text_input("Words or a sentence", key=SEARCH_QUERY_KEY, placeholder="e.g. farmers flying drones over their fields")
    if query.strip():
        st.caption(f"Every page now shows the documents this search finds (the best {SEARCH_FACET.top}), "
                   "within the other filters; clear the box to see them all again.")
    if view.filtered.documents.empty:
        empty_state()
        return
    if not query.strip():
        return
    index = search_index(view)
    if index is None:
        return
    within = None if view.filters.is_empty else set(view.filtered.documents["doc_id"].astype("str"))
    # As many as the search facet keeps, so this list and every page's count agree.
    results = search.search(index, query, top=SEARCH_FACET.top, within=within)
    if results.empty:
        empty_state(f"No document matches {plain(query)} by its words or its meaning.")
        return
    needed = search.words_needed(query)
    st.caption(f"{counted(len(results), 'document')} found, best first: by meaning (embedding rank), by words "
               f"(BM25 rank{f'; at least {needed} of your words' if needed > 1 else ''}) or both."
               + (f" The first {SHOWN} are shown; the rest are below them." if len(results) > SHOWN else ""))
    _listed(results.head(SHOWN))
    if len(results) > SHOWN:
        with st.expander(f"The other {counted(len(results) - SHOWN, 'document')}"):
            _listed(results.iloc[SHOWN:])


def _listed(results) -> None:
    """Search results, each with its rank, how it was found, its snippet and an Open button."""
    for _, result in results.iterrows():
        found_by = [f"words #{result['words_rank']}" if result["words_rank"] is not None
                    and str(result["words_rank"]) != "<NA>" else "",
                    f"meaning #{result['meaning_rank']}" if str(result["meaning_rank"]) != "<NA>" else ""]
        with st.container(border=True):
            columns = st.columns([6, 1])
            columns[0].markdown(f"**{result['rank']}. {plain(result['title'])}** · {date_text(result['date'])} · "
                                f"{' · '.join(f for f in found_by if f)}")
            columns[0].markdown(highlighted(result["snippet"]))
            if columns[1].button("Open", key=f"search-open-{result['doc_id']}", icon=":material/article:"):
                open_document(str(result["doc_id"]))


if __name__ == "__main__":
    render()
