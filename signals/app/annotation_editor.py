"""The one annotation editor every list of rows shares (Tables, Document, Same signal, the rows
behind a heatmap cell), and the annotation columns shown beside rows.

Select rows in a table, and `row_editor` opens below it: for one row (or a document,
`document_editor`) star, status, impact, likelihood, time to impact, tags and note, filled with
what is kept; for several, what makes sense in bulk: star or unstar, a status, tags to add or
remove. Saving is one workspace change (`annotations.annotate`, by the sidebar's name), made in the
button's callback so the run it causes already shows it; only the fields the analyst changed are
written, so two analysts editing different fields of one row both keep theirs. A read-only
workspace says why and the editor is disabled. An undo button reverts the last annotation change.

Notes and tags are the analyst's text: shown in inputs and dataframe cells (never as markdown).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

import pandas as pd
import streamlit as st

from signals.app import annotation_state
from signals.app.components import plain
from signals.wording import counted
from signals.workspace import WorkspaceError, annotations
from signals.workspace.annotations import Annotation, AnnotationError, Target

#: What the bulk controls offer besides a value: leave the rows as they are.
LEAVE = "(leave as is)"
#: The annotation columns as tables show them: export column -> header.
SHOWN_COLUMNS = {"starred": "★", "status": "status", "impact": "impact", "likelihood": "likelihood",
                 "horizon": "horizon", "tags": "tags", "note": "note"}


# ---------------------------------------------------------------------------------------------
# Columns beside rows
# ---------------------------------------------------------------------------------------------
def with_annotation_columns(shown: pd.DataFrame, values: pd.DataFrame, after: Sequence[str] = ()) -> pd.DataFrame:
    """A table as shown, with the annotation of each row (`values`: schema.ANNOTATION_COLUMNS,
    same index) in its columns: ★ first, the rest after the last of `after` present (else last).
    A header the table has already becomes "your <header>"."""
    columns = {}
    for name, header in SHOWN_COLUMNS.items():
        column = values[name]
        if name == "starred":
            column = column.map({True: "★", False: ""})
        elif name in ("impact", "likelihood"):
            column = column.astype("Int8")
        elif name in ("status", "horizon"):
            column = column.astype("string")
        columns[header if header not in shown.columns else f"your {header}"] = column.reindex(shown.index)
    star, *rest = columns
    present = [c for c in after if c in shown.columns]
    at = list(shown.columns).index(present[-1]) + 1 if present else len(shown.columns)
    ordered = [star, *shown.columns[:at], *rest, *shown.columns[at:]]
    return pd.concat([shown, pd.DataFrame(columns, index=shown.index)], axis=1)[ordered]


def annotation_column_config() -> dict[str, Any]:
    """column_config for the annotation columns (narrow star, ratings as numbers, status as text)."""
    return {
        "★": st.column_config.TextColumn("★", width=30, help="Starred by you (or a colleague)"),
        "impact": st.column_config.NumberColumn("impact", format="%d", help="Your impact rating, 1-5"),
        "likelihood": st.column_config.NumberColumn("likelihood", format="%d", help="Your likelihood rating, 1-5"),
        "horizon": st.column_config.TextColumn("horizon", help="Your time to impact"),
        "note": st.column_config.TextColumn("note", help="Your note (plain text)"),
    }


# ---------------------------------------------------------------------------------------------
# Saving (callbacks)
# ---------------------------------------------------------------------------------------------
def _changed_fields(before: Annotation, key: str) -> dict[str, Any]:
    """The single-target form's values (session state under `key`-prefixed widget keys) -> the
    fields that differ from `before`."""
    state = st.session_state
    after = {
        "starred": bool(state.get(f"{key}-starred")),
        "status": state.get(f"{key}-status") or annotations.DEFAULT_STATUS,
        "impact": state.get(f"{key}-impact"),
        "likelihood": state.get(f"{key}-likelihood"),
        "horizon": state.get(f"{key}-horizon"),
        "tags": tuple(state.get(f"{key}-tags") or ()),
        "note": state.get(f"{key}-note") or "",
    }
    return {name: value for name, value in after.items() if value != getattr(before, name)}


def _bulk_fields(key: str) -> dict[str, Any]:
    """The bulk form's values -> the edits it asks for (LEAVE and empty choices left out)."""
    state, edits = st.session_state, {}
    star = state.get(f"{key}-star")
    if star in ("star", "unstar"):
        edits["starred"] = star == "star"
    status = state.get(f"{key}-status")
    if status and status != LEAVE:
        edits["status"] = status
    if state.get(f"{key}-add"):
        edits["add_tags"] = list(state[f"{key}-add"])
    if state.get(f"{key}-remove"):
        edits["remove_tags"] = list(state[f"{key}-remove"])
    return edits


def _save(targets: list[Target], before: Annotation | None, key: str) -> None:
    """Callback of the Save button: write what changed, as one change, by the sidebar's name."""
    store = annotation_state.current_store()
    if store is None or not annotation_state.can_annotate():
        return
    edits = _changed_fields(before, key) if before is not None else _bulk_fields(key)
    if not edits:
        annotation_state.leave_message("info", "Nothing changed.")
        return
    try:
        annotations.annotate(store, targets, edits, by=annotation_state.analyst_name())
    except (AnnotationError, WorkspaceError) as error:
        annotation_state.leave_message("error", str(error))
        return
    change = store.last_undoable(annotations.TABLE)
    annotation_state.leave_message("success", f"Saved: {change.summary if change else 'done'}.")


def _undo() -> None:
    """Callback of the Undo button: revert the newest annotation change not yet undone."""
    store = annotation_state.current_store()
    if store is None or not annotation_state.can_annotate():
        return
    try:
        undone = annotations.undo_last(store, by=annotation_state.analyst_name())
    except WorkspaceError as error:
        annotation_state.leave_message("error", str(error))
        return
    annotation_state.leave_message("success" if undone else "info",
                                   f"Undone: {undone.summary}." if undone else "Nothing to undo.")


# ---------------------------------------------------------------------------------------------
# Drawing
# ---------------------------------------------------------------------------------------------
def _known_tags() -> list[str]:
    """Every tag used in the workspace (first spelling), for the tag pickers."""
    tags = annotation_state.annotations_frame()["tags"].dropna()
    found: dict[str, str] = {}
    for listed in tags:
        for tag in str(listed).split(annotations.TAG_SEPARATOR):
            if tag:
                found.setdefault(tag.casefold(), tag)
    return sorted(found.values(), key=str.casefold)


def _widget_key(base: str, targets: list[Target]) -> str:
    """Widget keys per selection and revision, so the form shows the kept values of what is selected now."""
    digest = hashlib.blake2b("\n".join(t.key for t in targets).encode(), digest_size=6).hexdigest()
    return f"{base}-{digest}-{annotation_state.current().revision}"


def _message() -> None:
    shown = annotation_state.message()
    if shown:
        kind, text = shown
        {"success": st.success, "error": st.error}.get(kind, st.info)(plain(text))


def _single_form(target: Target, before: Annotation, key: str, disabled: bool, stored_by: str = "") -> None:
    with st.form(key, border=False, enter_to_submit=False):
        top = st.columns([1, 3, 2, 2])
        top[0].toggle("★ Star", value=before.starred, key=f"{key}-starred", disabled=disabled)
        top[1].segmented_control("Status", list(annotations.STATUSES), default=before.status, key=f"{key}-status",
                                 disabled=disabled, required=True)
        top[2].segmented_control("Impact", list(range(annotations.RATING_MIN, annotations.RATING_MAX + 1)),
                                 default=before.impact, key=f"{key}-impact", disabled=disabled,
                                 help="1 (minor) to 5 (transformative); click the chosen one again to clear")
        top[3].segmented_control("Likelihood", list(range(annotations.RATING_MIN, annotations.RATING_MAX + 1)),
                                 default=before.likelihood, key=f"{key}-likelihood", disabled=disabled,
                                 help="1 (unlikely) to 5 (almost certain); click the chosen one again to clear")
        middle = st.columns([2, 3])
        middle[0].segmented_control("Time to impact", list(annotations.HORIZONS), default=before.horizon,
                                    key=f"{key}-horizon", disabled=disabled)
        middle[1].multiselect("Tags", sorted({*_known_tags(), *before.tags}, key=str.casefold),
                              default=list(before.tags), key=f"{key}-tags", accept_new_options=True,
                              disabled=disabled, placeholder="Type a tag and press Enter")
        st.text_area("Note (plain text)", value=before.note, key=f"{key}-note", disabled=disabled, height=90)
        st.form_submit_button("Save", type="primary", icon=":material/save:", disabled=disabled,
                              on_click=_save, args=([target], before, key))
    if stored_by:
        st.caption(plain(stored_by))


def _bulk_form(targets: list[Target], key: str, disabled: bool) -> None:
    with st.form(key, border=False, enter_to_submit=False):
        top = st.columns([2, 3])
        top[0].segmented_control("Star", [LEAVE, "star", "unstar"], default=LEAVE, key=f"{key}-star",
                                 disabled=disabled, required=True)
        top[1].segmented_control("Status", [LEAVE, *annotations.STATUSES], default=LEAVE, key=f"{key}-status",
                                 disabled=disabled, required=True)
        tags = st.columns(2)
        known = _known_tags()
        tags[0].multiselect("Add tags", known, key=f"{key}-add", accept_new_options=True, disabled=disabled,
                            placeholder="Type a tag and press Enter")
        tags[1].multiselect("Remove tags", known, key=f"{key}-remove", disabled=disabled, placeholder="None")
        what = "row" if targets[0].kind == annotations.TARGET_ROW else "document"
        st.form_submit_button(f"Apply to {counted(len(targets), what)}", type="primary", icon=":material/done_all:",
                              disabled=disabled, on_click=_save, args=(targets, None, key))


def _frame(title: str, targets: list[Target], before: Annotation | None, base: str, stored_by: str = "") -> None:
    """The editor's box: title, message, the form (single or bulk), undo."""
    reason = annotation_state.read_only_reason()
    with st.container(border=True):
        head, undo = st.columns([5, 1], vertical_alignment="center")
        head.markdown(f"**{title}**")
        undo.button("Undo last change", key=f"{base}-undo", icon=":material/undo:", on_click=_undo,
                    disabled=reason is not None, width="stretch",
                    help="Revert the newest annotation change in this workspace (yours or a colleague's)")
        _message()
        if reason:
            st.warning(plain(reason), icon=":material/lock:")
        key = _widget_key(base, targets)
        if before is not None:
            _single_form(targets[0], before, key, reason is not None, stored_by)
        else:
            _bulk_form(targets, key, reason is not None)


def _stored_by(target: Target) -> str:
    frame = annotation_state.annotations_frame()
    found = frame[frame["key"] == target.key]
    if found.empty:
        return "Not assessed yet."
    row = found.iloc[0]
    return f"Last changed by {row['updated_by']} at {str(row['updated_at'])[:16].replace('T', ' ')} UTC."


def row_editor(rows: pd.DataFrame, base: str, section: str | None = None) -> list[Target]:
    """The editor for the selected rows of a shown table (`rows`: those rows, with doc_id, row and
    section, or `section` named for a section's table). Returns their targets."""
    if rows.empty:
        return []
    from signals.app.context import current_view

    items = current_view().corpus.items
    labels = annotation_state.rows_of(rows, section)
    labels = labels[labels >= 0]
    try:
        targets = annotations.row_targets(items, list(labels))
    except AnnotationError as error:
        st.warning(plain(str(error)))
        return []
    if not targets:
        return []
    if len(targets) == 1:
        values = annotations.for_rows(items.loc[list(labels)], annotation_state.annotations_frame()).iloc[0]
        before = _annotation_of(values)
        _frame(f"Assess: {targets[0].describe()}", targets, before, base, _stored_by(targets[0]))
    else:
        _frame(f"Assess {counted(len(targets), 'selected row')} at once", targets, None, base)
    return targets


def document_editor(doc_id: str, base: str) -> None:
    """The editor of a whole document's annotation."""
    target = annotations.document_target(doc_id)
    frame = annotation_state.annotations_frame()
    values = annotations.for_documents(pd.DataFrame({"doc_id": [doc_id]}), frame).iloc[0]
    _frame("Your assessment of this document", [target], _annotation_of(values), base, _stored_by(target))


def rows_with_editor(rows: pd.DataFrame, shown: pd.DataFrame, key: str, section: str | None = None,
                     column_config: dict | None = None, after: Sequence[str] = ("name", "label"),
                     **dataframe_options: Any) -> None:
    """A list of table rows with their annotation columns, multi-row selection, and below it the
    editor for the selection (and "Open its document" for one row): what every list of rows draws.

    `rows`: the rows as in the corpus (doc_id, row, and section unless `section` names it),
    `shown`: what the table shows of them (same length and order; any columns)."""
    values = annotation_state.values_beside(rows.reset_index(drop=True), "rows", section)
    table = with_annotation_columns(shown.reset_index(drop=True), values, after=after)
    dataframe_options.setdefault("placeholder", "—")
    event = st.dataframe(table, hide_index=True, on_select="rerun", selection_mode="multi-row", key=key,
                         column_config=(column_config or {}) | annotation_column_config(), **dataframe_options)
    selected = rows.iloc[selected_rows(event, len(rows))]
    if selected.empty:
        return
    if len(selected) == 1:
        from signals.app.context import open_document

        if st.button("Open its document", key=f"{key}-open", icon=":material/article:"):
            open_document(str(selected["doc_id"].iloc[0]))
    row_editor(selected, base=f"{key}-edit", section=section)


def documents_with_editor(documents: pd.DataFrame, shown: pd.DataFrame, key: str,
                          column_config: dict | None = None, after: Sequence[str] = ("title",)) -> None:
    """A list of documents (`documents`: with doc_id; `shown`: what the table shows of them, same
    order) with their own annotation columns, multi-row selection, "Open this document" for one
    and the editor (several: in bulk) below: `rows_with_editor` for documents."""
    documents, shown = documents.reset_index(drop=True), shown.reset_index(drop=True)
    values = annotations.for_documents(documents, annotation_state.annotations_frame())
    table = with_annotation_columns(shown, values, after=after)
    event = st.dataframe(table, hide_index=True, on_select="rerun", selection_mode="multi-row", key=key,
                         placeholder="—", column_config=(column_config or {}) | annotation_column_config())
    selected = documents.iloc[selected_rows(event, len(documents))]
    if selected.empty:
        return
    if len(selected) == 1:
        from signals.app.context import open_document

        if st.button("Open this document", key=f"{key}-open", icon=":material/article:"):
            open_document(str(selected["doc_id"].iloc[0]))
    documents_editor(selected["doc_id"].astype("str").tolist(), base=f"{key}-edit")


def documents_editor(doc_ids: list[str], base: str) -> None:
    """The editor of selected documents: one in full, several in bulk."""
    if len(doc_ids) == 1:
        document_editor(doc_ids[0], base)
        return
    targets = [annotations.document_target(d) for d in dict.fromkeys(doc_ids)]
    _frame(f"Assess {counted(len(targets), 'selected document')} at once", targets, None, base)


def _annotation_of(values: pd.Series) -> Annotation:
    """One row of annotations.for_rows / for_documents -> the Annotation it holds."""
    def number(value: object) -> int | None:
        return None if pd.isna(value) else int(value)

    tags = values["tags"]
    return Annotation(
        starred=bool(values["starred"]),
        status=str(values["status"]),
        impact=number(values["impact"]),
        likelihood=number(values["likelihood"]),
        horizon=None if pd.isna(values["horizon"]) else str(values["horizon"]),
        tags=tuple(t for t in str(tags).split(annotations.TAG_SEPARATOR) if t) if isinstance(tags, str) else (),
        note="" if pd.isna(values["note"]) else str(values["note"]),
    )


def selected_rows(event: object, length: int) -> list[int]:
    """A dataframe's selection event -> the selected row positions below `length` (none when there
    is no event; a selection kept from a longer table, before the filters changed, is dropped)."""
    return [row for row in (event.selection.rows if event else []) if row < length]  # type: ignore[attr-defined]

