"""Themes: merge spellings that mean one theme (picked, or from the suggestions), see and undo merges.

The merges live in the folder's workspace file (signals.workspace), not in the session: every
page, download and `signals` command on this folder applies them, for every user of the file.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from signals import schema
from signals.app import state, theme_merges
from signals.app.components import plain
from signals.app.context import current_view
from signals.workspace import merges

PICK_KEY = "merge_pick"
NAME_KEY = "merge_name"
SUGGESTION_PAGE_KEY = "merge_suggestion_page"
SUGGESTIONS_PER_PAGE = 10
FILTER_KEY = state.KEYS["themes"]


def _documents(count: int) -> str:
    return f"{count:,} document" + ("" if count == 1 else "s")


def render() -> None:
    view = current_view()
    merge_state = theme_merges.current()
    st.header("Merge themes")
    st.caption(
        "Merge spellings that mean the same theme (“AI” and “artificial intelligence”): from then on they are "
        "counted as one on every page, in every download and in every `signals` command on this folder."
    )
    if merge_state.problem:
        problem = merge_state.problem
        st.warning(plain(problem[:1].upper() + problem[1:]), icon=":material/lock:")
    message = st.session_state.pop(theme_merges.MESSAGE_KEY, None)
    if message:
        kind, text = message
        (st.success if kind == "success" else st.error)(plain(text[:1].upper() + text[1:]))
    disabled = not merge_state.can_merge

    left, right = st.columns([3, 2], gap="large")
    with left:
        _merge_form(view.corpus, disabled)
        _suggestions(view.corpus, merge_state, disabled)
    with right:
        _current_merges(merge_state, disabled)
        st.caption(f"Kept in the history as {plain(theme_merges.author())} (your name is set in the sidebar).")
        if merge_state.store is not None:
            st.caption(f"Kept in {plain(str(merge_state.store.path))} (outside the data folder).")
        if merge_state.uploaded:
            st.caption(f"An uploaded aliases file ({len(merge_state.uploaded):,} aliases) is applied too; "
                       "where it names the same spelling, the file wins.")


def _merge_form(corpus, disabled: bool) -> None:
    st.subheader("Merge themes")
    counts = theme_merges.theme_documents(corpus)
    table = dict(zip(counts.index, counts.to_numpy().tolist()))
    picked = st.multiselect(
        "Themes to merge", list(counts.index), key=PICK_KEY, disabled=disabled,
        format_func=lambda theme: f"{theme} ({table.get(theme, 0):,})",
        placeholder="Pick two or more spellings", help="With the documents carrying each, in the whole corpus",
    )
    # The default name is the most frequent spelling picked (options are in that order).
    default = max(picked, key=lambda theme: table.get(theme, 0)) if picked else ""
    name = st.text_input("Merged name", key=NAME_KEY, placeholder=default or "the most frequent spelling picked",
                         disabled=disabled, help="Blank: the most frequent spelling picked")
    into = " ".join(name.split()) or default
    merging = [t for t in picked if schema.theme_key(t) != schema.theme_key(into)]
    st.button(
        f"Merge {len(picked)} themes" if len(picked) > 1 else "Merge",
        type="primary", icon=":material/merge:", key="merge_button",
        disabled=disabled or not merging,
        on_click=theme_merges.merge, args=(picked, into, FILTER_KEY, (PICK_KEY, NAME_KEY)),
    )
    if merging:
        st.caption(f"Counts {', '.join(f'“{plain(t)}”' for t in merging)} as “{plain(into)}”.")


def _suggestions(corpus, merge_state: theme_merges.MergeState, disabled: bool) -> None:
    st.subheader("Suggested merges")
    found = theme_merges.suggestions(corpus, merge_state.corpus_key)
    if found.empty:
        st.caption("No likely synonyms left among these themes.")
        return
    pages = (len(found) - 1) // SUGGESTIONS_PER_PAGE + 1
    st.caption(f"{len(found):,} pairs that probably mean the same (the same words in the plural, an acronym, a "
               "near-identical spelling, the same words in another order, names close in meaning); surest first, "
               "each with why it is offered. Merging one counts the first as the second.")
    page = 1
    if pages > 1:
        page = int(st.number_input(f"Page (of {pages:,})", min_value=1, max_value=pages, value=1,
                                   key=SUGGESTION_PAGE_KEY))
    start = (page - 1) * SUGGESTIONS_PER_PAGE
    for index, row in enumerate(found.iloc[start:start + SUGGESTIONS_PER_PAGE].itertuples(index=False), start):
        text, button = st.columns([5, 1], vertical_alignment="center")
        text.markdown(
            f"“{plain(row.alias)}” ({_documents(row.alias_documents)}) → “{plain(row.theme)}” "
            f"({_documents(row.theme_documents)}) · {row.reason}  \n:gray[{plain(row.evidence)}]"
        )
        button.button("Merge", key=f"suggestion-{index}", disabled=disabled,
                      help="Count the first spelling as the second",
                      on_click=theme_merges.merge, args=([row.alias, row.theme], row.theme, FILTER_KEY))


def _current_merges(merge_state: theme_merges.MergeState, disabled: bool) -> None:
    st.subheader("Current merges")
    store = merge_state.store
    last = store.last_undoable() if store is not None else None
    st.button("Undo last change", icon=":material/undo:", key="undo_last", disabled=disabled or last is None,
              help=plain(f"Undo: {last.summary} ({last.by}, {last.at})") if last else "Nothing to undo",
              on_click=theme_merges.undo_last, args=(FILTER_KEY,))
    found = merges.theme_merges(store) if store is not None else []
    if not found:
        st.caption("No merges yet: every spelling counts on its own.")
    by_theme: dict[str, list[merges.ThemeMerge]] = {}
    for merge in found:
        by_theme.setdefault(merge.theme, []).append(merge)
    for theme, members in by_theme.items():
        with st.container(border=True):
            title, button = st.columns([3, 2], vertical_alignment="center")
            title.markdown(f"**{plain(theme)}** ← {len(members)} spelling" + ("" if len(members) == 1 else "s"))
            button.button("Split", key=f"split-{schema.theme_key(theme)}", disabled=disabled,
                          help="Every spelling below counts on its own again",
                          on_click=theme_merges.split, args=(theme, FILTER_KEY))
            for merge in members:
                text, button = st.columns([3, 2], vertical_alignment="center")
                text.markdown(f"“{plain(merge.alias)}” · {plain(merge.created_by)}, {merge.created_at[:10]}")
                button.button("Unmerge", key=f"unmerge-{merge.alias_key}", disabled=disabled,
                              help="This spelling counts on its own again",
                              on_click=theme_merges.unmerge, args=(merge.alias, FILTER_KEY))
    if store is not None:
        changes = store.changes(limit=200)
        if changes:
            with st.expander(f"History ({len(changes):,} change{'' if len(changes) == 1 else 's'})"):
                st.dataframe(
                    pd.DataFrame({
                        "when (UTC)": [c.at.replace("T", " ").removesuffix("+00:00") for c in changes],
                        "who": [c.by for c in changes],
                        "what": [c.summary + (" (undone)" if c.undone_by else "") for c in changes],
                    }),
                    hide_index=True, key="merge-history",
                )


if __name__ == "__main__":
    render()
