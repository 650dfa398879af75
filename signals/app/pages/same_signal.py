"""Clusters: the same signal seen across articles — near-duplicate rows of a section, grouped across
documents, strongest first; each opens its members. Also the Build Your Own Radar download."""

from __future__ import annotations

import datetime as dt
import functools
import time
import uuid

import pandas as pd
import streamlit as st

from signals import export, radar, schema
from signals.analysis import cluster_jobs
from signals.analysis.clusters import (
    DEFAULT_THRESHOLD,
    Clusters,
    find_clusters,
    stored_clusters,
    stored_clusters_file,
)
from signals.analysis.parameters import CLUSTER_NEEDED_ABOVE as NEEDED_ABOVE
from signals.analysis.parameters import CLUSTER_NEEDED_BELOW as NEEDED_BELOW
from signals.analysis.parameters import cluster_max_rows_in_app
from signals.app import annotation_editor, meaning
from signals.app.components import empty_state, plain
from signals.app.context import current_view
from signals.wording import counted

#: Clusters listed at most (it is a selection table: sent whole to the browser).
SHOWN = 500
#: Members table: row height that fits about four wrapped lines (Streamlit wraps text only in rows
#: taller than 4rem), and the most rows shown before it scrolls.
MEMBER_ROW_HEIGHT = 90
MEMBER_ROWS_SHOWN = 8
#: Rows' header plus borders, in pixels, when sizing a table to its rows.
TABLE_CHROME = 38
QUADRANT_NAMES = {"category": "Category", "type": "Type", "domain": "Source domain", "theme": "Main theme",
                  "section": "Section"}


@st.cache_resource(max_entries=16, show_spinner="Grouping similar rows…")
def _clusters_shared(view_key: str, section: str, threshold: float, _corpus) -> tuple[Clusters, float]:
    return _timed(_corpus, section, threshold)


def _timed(corpus, section: str, threshold: float) -> tuple[Clusters, float]:
    started = time.perf_counter()
    found = find_clusters(corpus, (section,), threshold)
    return found, time.perf_counter() - started


@st.cache_resource(max_entries=16, show_spinner="Reading the stored clusters…")
def _stored_shared(view_key: str, section: str, threshold: float, stamp: int, _corpus) -> tuple[Clusters | None, float]:
    started = time.perf_counter()
    return stored_clusters(_corpus, (section,), threshold), time.perf_counter() - started


def stored_for(view, section: str, threshold: float) -> tuple[Clusters | None, float]:
    """(the clusters stored for exactly this view's rows and threshold, None if never computed; seconds
    to read them). Keyed by the stored file's time too: an answer `signals clusters` writes later is seen."""
    path = stored_clusters_file(view.filtered, (section,))
    try:
        stamp = path.stat().st_mtime_ns if path is not None else 0
    except OSError:
        return None, 0.0
    if view.key.startswith("|"):
        started = time.perf_counter()
        return stored_clusters(view.filtered, (section,), threshold), time.perf_counter() - started
    return _stored_shared(view.key, section, threshold, stamp, view.filtered)


def clusters_for(view, section: str, threshold: float) -> tuple[Clusters, float]:
    """(find_clusters for the view, seconds it took), shared across sessions when the view has a stable key."""
    if view.key.startswith("|"):
        return _timed(view.filtered, section, threshold)
    return _clusters_shared(view.key, section, threshold, view.filtered)


def member_rows(members: pd.DataFrame, documents: pd.DataFrame) -> pd.DataFrame:
    """A cluster's member rows -> what the analyst compares, in reading order: name, description,
    then the document's title, date and source domain, relevancy and similarity. A row without a name
    of its own (its label is its description, as most real Technologies rows) gets no name rather
    than its description twice."""
    domain_of = (documents.astype({"doc_id": "str"}).drop_duplicates("doc_id").set_index("doc_id")["domain"]
                 if "domain" in documents.columns else pd.Series(dtype="str"))
    label = members["label"].astype("string").fillna("")
    description = members["description"].astype("string").fillna("")
    return pd.DataFrame({
        "name": label.where((label != description) & (label != ""), None),
        "description": description,
        "title": members["title"],
        "date": members["date"],
        "domain": members["doc_id"].astype("str").map(domain_of),
        "relevancy": members["relevancy"],
        "similarity": members["similarity"],
    }).reset_index(drop=True)


def _members(found: Clusters, cluster_id: int, documents: pd.DataFrame, section: str) -> None:
    members = found.members[found.members["cluster_id"] == cluster_id]
    summary = found.summary[found.summary["cluster_id"] == cluster_id].iloc[0]
    st.subheader(f"Cluster {cluster_id}: {plain(summary['label'])}")
    st.caption(f"{counted(len(members), 'row')} from {counted(summary['documents'], 'document')}, most similar to the "
               "representative first. Select rows to assess them; one, to open its document.")
    shown = member_rows(members, documents)
    annotation_editor.rows_with_editor(
        members, shown, key="cluster-members", section=section, after=("name", "description"),
        row_height=MEMBER_ROW_HEIGHT, placeholder="—",
        height=TABLE_CHROME + MEMBER_ROW_HEIGHT * min(len(shown), MEMBER_ROWS_SHOWN),
        column_config={
            # Widths (pixels) that fit the columns in the wide layout at 1500 px.
            "name": st.column_config.TextColumn("name", width=140),
            "description": st.column_config.TextColumn("description", width=310),
            "title": st.column_config.TextColumn("document", width=185),
            "date": st.column_config.DateColumn("date", format="YYYY-MM-DD", width=90),
            "domain": st.column_config.TextColumn("source", width=135),
            "relevancy": st.column_config.NumberColumn("relevancy", format="%d", width=70),
            "similarity": st.column_config.NumberColumn("similarity", format="%.2f", width=70,
                                                        help="To the representative row (first line), 0 to 1"),
        },
    )
    _nearest_cluster(found, summary, documents)


def _nearest_cluster(found: Clusters, summary: pd.Series, documents: pd.DataFrame) -> None:
    """The cluster's nearest other cluster by meaning, its rows in an expander: one development told
    in two registers often comes out as two clusters (signals.analysis.clusters.CLOSE_SIMILARITY)."""
    if pd.isna(summary["close_to"]):
        return
    other_id = int(summary["close_to"])
    other = found.summary[found.summary["cluster_id"] == other_id].iloc[0]
    rows = found.members[found.members["cluster_id"] == other_id]
    with st.expander(f"Nearest other cluster: {other_id}, {plain(other['label'])} "
                     f"({counted(len(rows), 'row')}; mean cosine {summary['close_similarity']:.2f} between their rows)",
                     icon=":material/join:"):
        st.caption("The two stayed apart: their rows are less alike on average than a merge needs. Read both: "
                   "a development told in other words or another language can come out as two clusters.")
        st.dataframe(member_rows(rows, documents), hide_index=True, key=f"cluster-nearest-{other_id}", height="auto",
                     column_config={"similarity": st.column_config.NumberColumn("similarity", format="%.2f")})


def _radar_section(view, section: str, found: Clusters, threshold: float) -> None:
    st.subheader("Export to Build Your Own Radar")
    st.caption("A CSV (name, ring, quadrant, isNew, description) that Thoughtworks' Build Your Own Radar "
               "reads. New = first seen in the last 6 months.")
    controls = st.columns(4)
    source = controls[0].segmented_control(
        "Blips", list(radar.SOURCES), default="clusters", key="radar_source",
        format_func=lambda s: "Clusters" if s == "clusters" else f"Top {section}") or "clusters"
    default_ring = "strength" if source == "clusters" else "relevancy"
    ring_by = controls[1].segmented_control(
        "Rings by", list(radar.RING_BY), default=default_ring, key=f"radar_ring_{source}",
        format_func=str.capitalize) or default_ring
    quadrant_by = controls[2].selectbox("Quadrants by", list(radar.QUADRANT_BY), key="radar_quadrant",
                                        format_func=QUADRANT_NAMES.get)
    top = controls[3].number_input("Blips, at most", 4, 400, radar.DEFAULT_TOP, step=4, key="radar_top")
    blips = radar.build_radar(view.filtered, source, section=section, ring_by=ring_by, quadrant_by=quadrant_by,
                              top=int(top), threshold=threshold, clusters=found)
    if blips.empty:
        st.caption("No blips for these choices.")
        return
    warning = radar.quadrant_warning(blips)
    if warning:
        st.warning(warning, icon=":material/info:")
    # Sized to its rows (a fixed height left empty rows under a short radar); scrolls past ten.
    st.dataframe(blips, hide_index=True, key="radar-preview", height="auto")
    st.download_button(
        f"Radar CSV ({counted(len(blips), 'blip')})",
        data=functools.partial(radar.radar_csv, blips),
        file_name=export.file_name(f"radar-{source}", "csv", dt.date.today()),
        mime="text/csv", key="radar-download", icon=":material/radar:", on_click="ignore",
    )


def _job_key(view, section: str, threshold: float) -> tuple:
    """What names a background grouping: the view (its key, and this session when the key is not
    shared across sessions: an upload's), the section, the threshold."""
    owner = view.key
    if view.key.startswith("|"):
        owner += "|" + st.session_state.setdefault("_clusters_job_session", uuid.uuid4().hex)
    return owner, section, threshold


def _group_in_background(view, section: str, threshold: float, compared: int, limit: int, key: tuple,
                         job: cluster_jobs.ClusteringJob | None) -> None:
    """A view too large to group on opening: its grouping's progress while it runs in the background,
    else what it would cost, the filters that avoid it, and a button that starts it."""
    if job is not None and not job.ready:
        @st.fragment(run_every=2.0)
        def waiting() -> None:
            if job.ready:
                st.rerun()
            minutes, seconds = divmod(int(job.seconds), 60)
            if job.to_embed and job.embedded < job.to_embed:
                st.progress(job.embedded / job.to_embed,
                            text=f"Reading the meaning of {job.to_embed:,} new {section} texts (once per text): "
                                 f"{job.embedded:,} done · {minutes} min {seconds:02d} s")
            else:
                st.info(f"Grouping {compared:,} {section} rows in the background: {minutes} min {seconds:02d} s "
                        "so far. Other pages work meanwhile; this one fills in when it is done.",
                        icon=":material/hourglass_top:")

        waiting()
        return
    if job is not None and job.error:
        st.error(f"Grouping these rows failed: {job.error}", icon=":material/error:")
    st.info(f"This view has {counted(compared, f'{section} row')}, more than this page groups on opening "
            f"({limit:,}). Group them in the background (other pages keep working, and the answer is kept), or "
            "narrow the filters in the sidebar (a theme, a category, a date range). At 100,000 documents the "
            "first grouping of a section takes about five minutes and 1.7 GB of memory; after a day's new "
            f"documents, under a minute. From a terminal: `signals clusters <folder> --section {section}`.",
            icon=":material/filter_alt:")
    busy = cluster_jobs.running()
    if busy is not None:
        @st.fragment(run_every=2.0)
        def waiting_for_another() -> None:
            if busy.ready:
                st.rerun()  # the button works again
            st.caption(f"Another view is being grouped ({counted(busy.rows, 'row')}, started "
                       f"{int(busy.seconds) // 60} min ago): one at a time. This button works again when it "
                       "is done.")

        waiting_for_another()
    if st.button(f"Group these {compared:,} {section} rows now", key="clusters-start", icon=":material/hub:",
                 disabled=busy is not None):
        cluster_jobs.start(key, view.filtered, section, threshold, compared)
        st.rerun()


def render() -> None:
    view = current_view()
    corpus = view.filtered
    st.header("Same signal, many articles")
    st.caption("Rows of different documents that describe the same development, in whatever words, grouped "
               "by what their name and description mean (multilingual sentence embeddings: a French report "
               "joins its English counterpart). Strongest clusters "
               "(documents × mean relevancy) first; select one to see its rows.")
    rows_per_section = {section: rows for section, rows in corpus.row_counts().items() if rows}
    if not rows_per_section:
        empty_state()
        return
    present = set(rows_per_section)
    sections = [s for s in schema.TABLE_SECTIONS if s in present] + sorted(present - set(schema.TABLE_SECTIONS))
    controls = st.columns([1, 2])
    section = controls[0].selectbox("Section", sections, key="clusters_section",
                                    index=sections.index("signals") if "signals" in sections else 0)
    threshold = controls[1].slider(
        "Similarity threshold", 0.1, 0.9, DEFAULT_THRESHOLD, step=0.05, key="clusters_threshold",
        help="How alike in meaning two rows must be to link (0-1: cosine of their embeddings once the "
             "corpus's common direction is removed; unrelated rows score about 0, paraphrases 0.35-0.55). "
             "A cluster's rows average at least this with each other, give or take how crowded their "
             f"neighbourhood is: rows with many look-alikes in the corpus need up to {NEEDED_ABOVE:g} more, a "
             f"report with none up to {NEEDED_BELOW:g} less. Higher: fewer, tighter clusters.")
    compared = rows_per_section[section]
    limit = cluster_max_rows_in_app()
    read_back = compared > limit
    if read_back:
        found, seconds = stored_for(view, section, threshold)
        key = _job_key(view, section, threshold)
        job = cluster_jobs.job_for(key)
        if found is None and job is not None and job.found is not None:
            found, seconds, read_back = job.found, job.seconds, False  # could not be stored
        if found is None:
            _group_in_background(view, section, threshold, compared, limit, key, job)
            return
        st.caption(f"{counted(compared, f'{section} row')}: more than this page groups on opening "
                   f"({limit:,}); these clusters were computed earlier (in the background, or by `signals "
                   "clusters`) for exactly these rows and this threshold.")
    else:
        if not meaning.section_ready(view.corpus, section):
            return
        found, seconds = clusters_for(view, section, threshold)
    columns = st.columns(4)
    columns[0].metric("Clusters", f"{len(found.summary):,}")
    columns[1].metric("Rows in clusters", f"{len(found.members):,}")
    columns[2].metric(f"{section.capitalize()} compared", f"{found.rows:,}")
    columns[3].metric("Read back in" if read_back else "Computed in", f"{seconds:.1f} s")
    if found.summary.empty:
        empty_state(f"No two {section} rows from different documents are this similar: try a lower threshold.")
        return
    shown = found.summary.head(SHOWN)[
        ["cluster_id", "label", "documents", "domains", "size", "close_to", "mean_relevancy", "strength",
         "first_seen", "last_seen", "max_relevancy"]]  # what a 1,500-pixel screen shows first
    # A cluster with no near neighbour shows a dash (a number column shows a missing value as "None").
    shown = shown.assign(close_to=shown["close_to"].map(lambda other: "—" if pd.isna(other) else str(int(other))))
    event = st.dataframe(
        shown, hide_index=True, on_select="rerun", selection_mode="single-row", key=f"clusters-table-{section}",
        column_config={
            "cluster_id": st.column_config.NumberColumn("#", format="%d"),
            "label": st.column_config.TextColumn("representative", help="The member most similar to the others"),
            "size": st.column_config.NumberColumn("rows"),
            "domains": st.column_config.NumberColumn("sources", help="Distinct source domains: corroboration"),
            "mean_relevancy": st.column_config.NumberColumn("mean relevancy", format="%.2f"),
            "max_relevancy": st.column_config.NumberColumn("max relevancy", format="%d"),
            "strength": st.column_config.NumberColumn("strength", format="%.1f",
                                                      help="Documents × mean relevancy"),
            "first_seen": st.column_config.DateColumn("first seen", format="YYYY-MM-DD"),
            "last_seen": st.column_config.DateColumn("last seen", format="YYYY-MM-DD"),
            "close_to": st.column_config.TextColumn(
                "nearest #", help="Its nearest other cluster by meaning (select the row to read both): one "
                "development told in other words can come out as two clusters; — when none is close"),
        },
    )
    if len(found.summary) > SHOWN:
        st.caption(f"The {SHOWN} strongest of {len(found.summary):,} clusters; raise the threshold to see fewer.")
    rows = event.selection.rows if event else []
    if rows:
        _members(found, int(shown.iloc[rows[0]]["cluster_id"]), corpus.documents, section)
    st.download_button(
        f"CSV of the clusters ({len(found.summary):,})",
        data=functools.partial(export.to_csv_bytes, found.summary),
        file_name=export.file_name(f"clusters-{section}", "csv", dt.date.today()),
        mime="text/csv", key="clusters-download", icon=":material/download:", on_click="ignore",
    )
    st.divider()
    _radar_section(view, section, found, threshold)


if __name__ == "__main__":
    render()
