"""A view of the corpus -> a Brief: everything a brief says, built once, then written in any format.

What goes in (`build_brief`): the filtered view, the whole corpus it came from, the analyst's
annotations (signals.workspace.annotations.read; optional), the options (signals.brief.options),
and optionally a function saying what sets the view apart (issue 14 item 3, built elsewhere:
`what_sets_apart(view, corpus) -> DataFrame`, shown as the brief's "What sets this view apart").

What comes out (`Brief`): the title and date; the filters in words; headline figures (documents,
rows, date span, sources); the top themes with their documents; the new and growing themes with
the documents each rests on (signals.analysis.emerging, its support minimum kept); the chosen
signals grouped by theme or by same-signal cluster, each with its relevancy, its documents and
the analyst's assessment; and every document cited, numbered (title, date, domain, link).

Which signals (BriefOptions.select):
  top        rows of one section saying the same thing (name, else description, as the workspace
             keys rows: case, spacing and punctuation folded, accents kept: signals.workspace.keys)
             are one signal, reported by its documents; ranked by
             highest relevancy x documents (unrated counts 0), then relevancy, then documents
  view       every row of the view, by relevancy (unrated last), newest document first
  starred    rows starred by the analyst (or in a starred document), by relevancy
  escalated  rows with the status `escalate` (theirs or their document's), by relevancy
The first `max_signals` are kept; `Brief.candidates` says how many there were.

Grouping (BriefOptions.group):
  theme      each signal once, under the first of its documents' themes in the brief's theme order
             (the chosen `themes`, else the view's themes by documents, those the filters chose
             last: every document has them); none: "(no theme)"
  cluster    under its same-signal cluster (signals.analysis.clusters over the view, default
             threshold); signals no other document reports go last, under one heading
Groups are in the order of their strongest signal.

Pure: no Streamlit, no file access.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from signals import schema
from signals.analysis import emerging as emergence
from signals.analysis.copies import copy_ids
from signals.analysis.overview import documents_per_period, headline_counts, top_themes
from signals.brief.options import EMERGING_SHOWN, TOP_THEMES, BriefOptions
from signals.corpus_type import Corpus
from signals.filters import Filters
from signals.safe_text import safe_url
from signals.wording import counted
from signals.workspace.annotations import Annotation

DEFAULT_TITLE = "Signals brief"
NO_THEME = "(no theme)"
SINGLE_SOURCE_GROUP = "Reported by one document only"
#: Months of documents the "documents per month" chart shows, up to the newest dated document.
TIMELINE_MONTHS = 24
#: The brief's name for the optional section another analysis fills (issue 14 item 3).
APART_TITLE = "What sets this view apart"


@dataclass(frozen=True)
class Source:
    """A document cited by the brief: `number` is how the brief refers to it ([1], [2]...)."""

    number: int
    doc_id: str
    title: str
    date: str | None
    domain: str | None
    url: str | None  # http(s) only (the article, else the pipeline's page); None when neither is


@dataclass(frozen=True)
class Signal:
    """One chosen signal: a table row (or rows of several documents saying the same thing)."""

    section: str
    name: str
    description: str
    relevancy: int | None  # the highest of its rows; None when none is rated
    sources: tuple[int, ...]  # Source numbers, newest document first
    assessment: Annotation | None = None  # the analyst's, when they said anything

    @property
    def documents(self) -> int:
        """How many documents report it."""
        return len(self.sources)

    @property
    def heading(self) -> str:
        """What the brief calls it: its name, else a short label made from its description (most
        real Technologies rows have no name, and a whole description made a paragraph-long title)."""
        from signals.analysis.short_labels import short_label

        return self.name.strip() or short_label(self.description.strip()) or self.description.strip()

    @property
    def shows_description(self) -> bool:
        """Whether the description is said under the heading (it is not the heading itself)."""
        return bool(self.description.strip()) and self.description.strip() != self.heading


@dataclass(frozen=True)
class Group:
    """A heading of the brief: a theme or a same-signal cluster, and its signals (strongest first)."""

    title: str
    documents: int  # documents of the view under this theme / in this cluster
    signals: tuple[Signal, ...]


@dataclass(frozen=True)
class ThemeCount:
    theme: str
    documents: int


@dataclass(frozen=True)
class EmergingTheme:
    """A new or growing theme and what that rests on: documents in the recent window and the one before."""

    theme: str
    label: str
    recent: int
    before: int
    score: float


@dataclass(frozen=True)
class Headline:
    documents: int
    rows: int
    first_date: str | None
    last_date: str | None
    sources: int  # distinct article domains


@dataclass(frozen=True)
class ApartSection:
    """What sets the view apart, as another analysis gives it: a rule in words and a table of text."""

    rule: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Brief:
    """Everything a brief says; every format writes this and nothing else (see the module docstring)."""

    title: str
    made_on: str
    filters: tuple[str, ...]  # "label value" each; empty: the whole corpus
    selection: str  # how the signals were chosen and grouped, in words
    headline: Headline
    top_themes: tuple[ThemeCount, ...]
    themes_note: str
    emerging: tuple[EmergingTheme, ...]
    emerging_note: str
    groups: tuple[Group, ...]
    sources: tuple[Source, ...]
    candidates: int  # signals the selection found before max_signals cut them
    documents_by_month: tuple[tuple[str, int], ...] = ()
    apart: ApartSection | None = None  # filled when a what_sets_apart function is given
    notes: tuple[str, ...] = field(default=())  # what the reader should know (a missing workspace...)

    @property
    def signals(self) -> tuple[Signal, ...]:
        """Every chosen signal, group by group."""
        return tuple(signal for group in self.groups for signal in group.signals)

    @property
    def filters_text(self) -> str:
        return "; ".join(self.filters) if self.filters else "none: the whole corpus"


# ---------------------------------------------------------------------------------------------
# Words every format writes the same
# ---------------------------------------------------------------------------------------------
def headline_figures(headline: Headline) -> list[tuple[str, str]]:
    """The headline figures as (value, what it counts) pairs: ("160", "documents"), ("2004-07-14 to
    2029-09-11", "dated")."""
    dates = ((f"{headline.first_date} to {headline.last_date}", "dates") if headline.first_date
             else ("—", "no dated document"))
    return [(f"{headline.documents:,}", "documents"), (f"{headline.rows:,}", "table rows"), dates,
            (f"{headline.sources:,}", "sources (web domains)")]


def assessment_words(annotation: Annotation | None) -> tuple[str, str]:
    """The analyst's assessment -> (its values in words: `starred, watch, impact 4, tags: grid`; the
    note in full). ("", "") when there is none."""
    if annotation is None:
        return "", ""
    values = replace(annotation, note="")
    return ("" if values.is_empty else values.describe()), annotation.note.strip()


def group_caption(group: Group) -> str:
    """`3 signals; the theme is on 28 documents of the view` (or the cluster's documents)."""
    if group.title in (NO_THEME, SINGLE_SOURCE_GROUP):
        return f"{counted(len(group.signals), 'signal')}."
    return f"{counted(len(group.signals), 'signal')}; on {counted(group.documents, 'document')} of the view."


def signal_facts(signal: Signal) -> str:
    """`signal, relevancy 4, 3 documents` (section in the singular, as on the Document page)."""
    section = signal.section[:-3] + "y" if signal.section.endswith("ies") else signal.section.rstrip("s")
    relevancy = f"relevancy {signal.relevancy}" if signal.relevancy is not None else "relevancy not rated"
    return f"{section}, {relevancy}, {counted(signal.documents, 'document')}"


# ---------------------------------------------------------------------------------------------
# Choosing rows
# ---------------------------------------------------------------------------------------------
def _text(value: object) -> str:
    return "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)


def _date_text(value: object) -> str | None:
    if value is None or pd.isna(value):
        return None
    return pd.Timestamp(value).date().isoformat()


def _rows_of(view: Corpus) -> pd.DataFrame:
    """The view's table rows with what choosing and grouping need: doc_id and section (categorical,
    as the loader has them), relevancy as float, the document's date, `at` (the position in
    view.items: annotations are matched there), `source` (the position in the whole items frame the
    view's rows are rows of: names and descriptions are read from there for the chosen rows only),
    `key` and `repeated` (see `_signal_codes`). Rows with neither name nor description are left out."""
    whole, keep = view.item_origin()
    codes, repeated = _signal_codes(whole)
    source = np.arange(len(whole)) if keep is None else keep
    facts = view.item_facts
    doc_id = facts["doc_id"].astype("category").reset_index(drop=True)
    dates = pd.to_datetime(view.document_facts["date"], errors="coerce")
    date_of = pd.Series(dates.to_numpy(), index=view.document_facts["doc_id"].astype("str").to_numpy())
    category_dates = date_of.reindex(doc_id.cat.categories.astype("str")).to_numpy()
    doc_codes = doc_id.cat.codes.to_numpy()
    rows = pd.DataFrame({
        "at": np.arange(len(facts)),
        "source": source,
        "doc_id": doc_id,
        "section": facts["section"].astype("category").reset_index(drop=True),
        "row": facts["row"].to_numpy(),
        "relevancy": facts[schema.RELEVANCY].astype("Float64").to_numpy(dtype="float64", na_value=np.nan),
        "date": np.where(doc_codes >= 0, category_dates[doc_codes.clip(min=0)], np.datetime64("NaT")),
        "key": codes[source],
        "repeated": repeated[source],
    })
    return rows[rows["key"].to_numpy() >= 0].reset_index(drop=True)


def _without_copies(rows: pd.DataFrame, view: Corpus) -> pd.DataFrame:
    """The rows of documents that are not a flagged copy of another in the view (signals.analysis.
    copies). A copy reports nothing its original does not: on the real corpus every signal of the
    Gates Notes essay, loaded twice, read "2 documents"."""
    if rows.empty:
        return rows
    copies = copy_ids(view.document_facts)
    if not copies:
        return rows
    return rows[~rows["doc_id"].astype("str").isin(copies).to_numpy()].reset_index(drop=True)


def _signal_codes(whole: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Every row of a whole items frame -> (`key`: one int32 per (section, anchor text), from 0 up,
    -1 for rows with no name and no description; `repeated`: whether another row of its document
    has its key). The anchor is the text as the workspace keys rows (keys.anchor_codes: the name,
    else the description; case, spacing and punctuation folded).

    Computed once per loaded corpus and sliced for each view (frame_memo; `prepare` does it ahead):
    over the 2.1 million rows of 100,000 documents it takes 2.5 s, most of what the Brief page took."""
    from signals.frame_memo import once_per_frame

    return once_per_frame(whole, "brief_signal_codes", _compute_signal_codes)


def _compute_signal_codes(whole: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    from signals.workspace.keys import anchor_codes

    anchors = anchor_codes(whole).astype(np.int64)
    sections = pd.factorize(whole["section"])[0].astype(np.int64) if len(whole) else anchors
    combined = np.where(anchors >= 0, sections * (int(anchors.max(initial=0)) + 1) + anchors, -1)
    codes, uniques = pd.factorize(combined)
    codes = codes.astype(np.int32)
    nameless = np.flatnonzero(uniques == -1)
    if len(nameless):
        codes[codes == nameless[0]] = -1
        codes[codes > nameless[0]] -= 1  # keys stay 0..n-1 without a gap
    docs = pd.factorize(whole["doc_id"])[0].astype(np.int64) if len(whole) else anchors
    pairs = pd.Series(docs * (int(codes.max(initial=0)) + 1) + codes)
    return codes, pairs.duplicated(keep=False).to_numpy() & (codes >= 0)


def prepare(corpus: Corpus) -> None:
    """Compute ahead what every brief of this corpus's views reuses (`_signal_codes`): the app does
    it in the background once a corpus is loaded."""
    _signal_codes(corpus.item_origin()[0])


def _labels(whole: pd.DataFrame, sources: np.ndarray) -> np.ndarray:
    """The anchor texts (keys.anchor_texts) of some rows of the whole items frame, by position."""
    from signals.workspace.keys import anchor_texts

    return anchor_texts(whole.iloc[sources]).to_numpy(dtype=object)


def _assessments(view: Corpus, corpus: Corpus, annotations: pd.DataFrame | None) -> pd.DataFrame | None:
    """Each row of view.items -> its annotation values (inherited from its document where the row says
    nothing: what the app's annotation filters use), or None without annotations."""
    if annotations is None or annotations.empty:
        return None
    from signals.workspace.annotations import for_rows

    return for_rows(view.items, annotations, inherit=True, whole=corpus.items).reset_index(drop=True)


def _annotation(values: pd.DataFrame, at: int) -> Annotation | None:
    row = values.iloc[at]

    def rating(name: str) -> int | None:
        return None if pd.isna(row[name]) else int(row[name])

    tags = _text(row["tags"])
    annotation = Annotation(
        starred=bool(row["starred"]), status=_text(row["status"]) or "new",
        impact=rating("impact"), likelihood=rating("likelihood"),
        horizon=None if pd.isna(row["horizon"]) else str(row["horizon"]),
        tags=tuple(tag for tag in tags.split("; ") if tag), note=_text(row["note"]),
    )
    return None if annotation.is_empty else annotation


def _resolve_select(options: BriefOptions, values: pd.DataFrame | None) -> str:
    if options.select is not None:
        return options.select
    return "starred" if values is not None and bool(values["starred"].any()) else "top"


def _ranked_entries(rows: pd.DataFrame, select: str) -> dict[str, np.ndarray]:
    """Chosen rows -> one line per signal (unordered: `_best` picks and sorts), as columns {entry,
    relevancy, documents, newest, first} of equal length; `entry` is the signal's `key` for `top` (rows saying the
    same thing are one signal), a row's position in `rows` otherwise (every row its own); `first`
    is the position in `rows` of one of its rows (its text names the signal when ranks tie)."""
    # Columns, not a DataFrame: a frame of the 1.9 million signals of 100,000 documents took 0.29 s
    # to make (fresh memory, copied into blocks), for the 40 `_best` keeps.
    if select != "top":  # every row its own signal: nothing to group (grouping 214k singletons took 1.5 s)
        return {"entry": np.arange(len(rows)), "relevancy": rows["relevancy"].to_numpy(),
                "documents": np.ones(len(rows), dtype=np.int64), "newest": rows["date"].to_numpy(),
                "first": np.arange(len(rows))}
    # Per key by ufunc.at and bincount over the keys' dense codes (numpy 2: ~15 ms each for 2.1
    # million rows; a pandas groupby counting distinct documents took 0.9 s).
    keys = rows["key"].to_numpy()
    size = int(keys.max(initial=-1)) + 1
    relevancy = np.full(size, -np.inf)
    np.fmax.at(relevancy, keys, rows["relevancy"].to_numpy())  # fmax: unrated rows do not count
    newest = np.full(size, np.iinfo(np.int64).min)  # NaT: below every date
    np.maximum.at(newest, keys, rows["date"].to_numpy().astype("datetime64[ns]").view(np.int64))
    first = np.full(size, len(rows))
    np.minimum.at(first, keys, np.arange(len(rows)))
    # Documents: a row whose key no other row of its document has counts one; the few others are
    # counted once per (key, document).
    repeated = rows["repeated"].to_numpy()
    documents = np.bincount(keys[~repeated], minlength=size)
    if repeated.any():
        docs = rows["doc_id"].cat.codes.to_numpy()[repeated].astype(np.int64)
        span = int(docs.max()) + 1
        documents += np.bincount(pd.unique(keys[repeated].astype(np.int64) * span + docs) // span, minlength=size)
    present = np.flatnonzero(first < len(rows))
    return {"entry": present, "relevancy": np.where(np.isinf(relevancy), np.nan, relevancy)[present],
            "documents": documents[present], "newest": newest[present].view("datetime64[ns]"),
            "first": first[present]}


def _sorted(entries: pd.DataFrame, select: str) -> pd.DataFrame:
    """Entries best first (module docstring: the order of each selection); they have their `label`."""
    if select == "top":
        entries = entries.assign(score=entries["relevancy"].fillna(0) * entries["documents"])
        order, ascending = ["score", "relevancy", "documents", "label"], [False, False, False, True]
    else:
        order, ascending = ["relevancy", "newest", "label"], [False, False, True]
    return entries.sort_values(order, ascending=ascending, na_position="last", kind="stable", ignore_index=True)


def _best(entries: dict[str, np.ndarray], select: str, count: int, label_of: Callable[[np.ndarray], np.ndarray]
          ) -> pd.DataFrame:
    """The first `count` entries (`_ranked_entries`' columns) in the selection's order (`_sorted`),
    as a frame, sorting only the entries that can be among them: those at least as good on the
    first sort key as the count-th best (sorting all 200k entries by their text took a second at
    10,000 documents). `label_of` (positions in rows -> their anchor texts) names only those."""
    relevancy = entries["relevancy"]
    first = np.nan_to_num(relevancy, nan=0.0) * entries["documents"] if select == "top" else np.nan_to_num(relevancy, nan=-1.0)
    keep = slice(None)
    if len(first) > count:
        # The count-th best by a full sort: np.partition took 0.16 s on the 1.9 million scores of
        # 100,000 documents (many ties, k near the end), the sort 0.02 s.
        keep = first >= np.sort(first)[len(first) - count]
    chosen = pd.DataFrame({name: column[keep] for name, column in entries.items()})
    chosen["label"] = label_of(chosen["first"].to_numpy())
    return _sorted(chosen, select).head(count)


def _members(rows: pd.DataFrame, select: str, entries: pd.Series) -> list[np.ndarray]:
    """Each chosen entry -> the positions in `rows` of its rows (see _ranked_entries)."""
    if select != "top":
        return [np.array([int(entry)]) for entry in entries]
    keys = rows["key"].to_numpy()
    order = np.argsort(keys, kind="stable")
    ordered = keys[order]
    starts = np.searchsorted(ordered, entries.to_numpy(), side="left")
    ends = np.searchsorted(ordered, entries.to_numpy(), side="right")
    return [order[start:end] for start, end in zip(starts, ends)]


# ---------------------------------------------------------------------------------------------
# Grouping
# ---------------------------------------------------------------------------------------------
def _theme_order(view: Corpus, chosen: tuple[str, ...], filtered_themes: tuple[str, ...] = ()
                 ) -> tuple[list[str], dict[str, str], dict[str, int]]:
    """(theme keys in the brief's order, key -> display spelling, key -> documents of the view)."""
    ranking = top_themes(view, n=len(view.themes) + 1)
    ranking = ranking.assign(key=ranking["theme"].map(schema.theme_key))
    names = dict(zip(ranking["key"], ranking["theme"]))
    documents = dict(zip(ranking["key"], ranking["documents"].astype(int)))
    if chosen:
        order = list(dict.fromkeys(schema.theme_key(theme) for theme in chosen))
        for key, theme in zip(order, dict.fromkeys(chosen)):
            names.setdefault(key, theme)
    else:
        # Themes the filters chose are on every document of the view: headings under them would
        # hold everything. They come last, for signals with no other theme.
        filtered = {schema.theme_key(theme) for theme in filtered_themes}
        order = [key for key in ranking["key"] if key not in filtered] + [k for k in ranking["key"] if k in filtered]
    return order, names, documents


def _themes_by_document(view: Corpus, doc_ids: set[str]) -> dict[str, set[str]]:
    """Some documents of the view -> their theme keys (documents without a theme are left out).
    Only those documents' theme rows are read: a loop over every theme row of 100,000 documents
    took 0.9 s."""
    themes = view.themes
    ids = themes["doc_id"]
    if isinstance(ids.dtype, pd.CategoricalDtype):  # the loader's: codes, not a million strings
        wanted = ids.cat.codes.isin(ids.cat.categories.get_indexer(list(doc_ids)))
    else:
        wanted = ids.astype("str").isin(doc_ids)
    found: dict[str, set[str]] = {}
    for doc_id, key in zip(themes.loc[wanted, "doc_id"].astype("str"), themes.loc[wanted, "theme_key"].astype("str")):
        found.setdefault(doc_id, set()).add(key)
    return found


def _documents_without_theme(view: Corpus) -> int:
    themed = view.themes["doc_id"].astype("str").unique() if len(view.themes) else []
    return int((~view.document_facts["doc_id"].astype("str").isin(themed)).sum())


def _group_by_theme(entries: list[tuple[list[int], Signal]], rows: pd.DataFrame, view: Corpus,
                    options: BriefOptions, filters: Filters) -> list[Group]:
    order, names, documents = _theme_order(view, options.themes, tuple(filters.themes))
    rank = {key: position for position, key in enumerate(order)}
    ids, codes = rows["doc_id"].cat.categories.astype("str").to_numpy(), rows["doc_id"].cat.codes.to_numpy()
    themes_of = _themes_by_document(view, {doc_id for members, _ in entries for doc_id in ids[codes[members]]})
    grouped: dict[str, list[Signal]] = {}
    for members, signal in entries:
        keys = set().union(*(themes_of.get(doc_id, set()) for doc_id in ids[codes[members]]))
        ranked = sorted((rank[key], key) for key in keys if key in rank)
        grouped.setdefault(ranked[0][1] if ranked else NO_THEME, []).append(signal)
    no_theme_documents = _documents_without_theme(view) if NO_THEME in grouped else 0
    return [Group(NO_THEME if key == NO_THEME else names[key],
                  no_theme_documents if key == NO_THEME else documents.get(key, 0), tuple(signals))
            for key, signals in grouped.items()]


def _group_by_cluster(entries: list[tuple[list[int], Signal]], rows: pd.DataFrame, view: Corpus) -> list[Group]:
    from signals.analysis.clusters import find_clusters

    sections = tuple(dict.fromkeys(signal.section for _, signal in entries))
    found = find_clusters(view, sections) if sections else None
    cluster_of: dict[tuple[str, str, int], int] = {}
    if found is not None and len(found.members):
        section_of = dict(zip(found.summary["cluster_id"], found.summary["section"]))
        for cluster_id, doc_id, row in zip(found.members["cluster_id"], found.members["doc_id"], found.members["row"]):
            cluster_of[(section_of[cluster_id], str(doc_id), int(row))] = int(cluster_id)
    summary = found.summary.set_index("cluster_id") if found is not None and len(found.summary) else None
    grouped: dict[int, list[Signal]] = {}
    member_clusters: dict[int, list[int]] = {}
    for members, signal in entries:
        member_rows = rows.iloc[members]
        clusters = [cluster_of.get((section, doc_id, int(row)))
                    for section, doc_id, row in zip(member_rows["section"], member_rows["doc_id"], member_rows["row"])]
        known = [cluster for cluster in clusters if cluster is not None]
        member_clusters[id(members)] = known
        grouped.setdefault(known[0] if known else 0, []).append(signal)
    groups = []
    for cluster, signals in grouped.items():
        if cluster == 0:
            continue
        # The cluster's documents and the signals' own (rows with the same text the cluster's guard
        # kept apart still count as reporting it).
        doc_ids = set(str(summary.at[cluster, "doc_ids"]).split()) | {
            doc_id for members, _ in entries if cluster in member_clusters.get(id(members), ())
            for doc_id in rows["doc_id"].iloc[members]}
        groups.append(Group(str(summary.at[cluster, "label"]), len(doc_ids), tuple(signals)))
    if 0 in grouped:
        single = {number for signal in grouped[0] for number in signal.sources}
        groups.append(Group(SINGLE_SOURCE_GROUP, len(single), tuple(grouped[0])))
    return groups


# ---------------------------------------------------------------------------------------------
# The overview parts
# ---------------------------------------------------------------------------------------------
def _headline(view: Corpus) -> Headline:
    counts = headline_counts(view)
    return Headline(counts["documents"], counts["rows"], _date_text(counts["first_date"]),
                    _date_text(counts["last_date"]), counts["sources"])


def _top_themes(view: Corpus) -> tuple[tuple[ThemeCount, ...], str]:
    top = top_themes(view, TOP_THEMES)
    themes = tuple(ThemeCount(str(t), int(d)) for t, d in zip(top["theme"], top["documents"]))
    if not themes:
        return themes, "No document of the view names a theme."
    note = f"The {len(themes)} themes on most documents of the view, with how many documents name each."
    if themes[0].documents <= 1:
        note = ("Every theme of the view is on one document only: this list is not a ranking, only the "
                "first themes by name.")
    elif any(theme.documents == 1 for theme in themes):
        note += " Themes on one document only are listed by name, not ranked."
    return themes, note


def _emerging(view: Corpus, today: dt.date | None) -> tuple[tuple[EmergingTheme, ...], str]:
    table = emergence.emerging(view, "theme", today=today)
    as_of = emergence.as_of_date(view.document_facts, today)
    if as_of is None:
        return (), "No dated document: nothing can be compared over time."
    before_start, recent_start, _ = emergence.windows(as_of, "M", emergence.default_window("M"))
    rising = table[table["label"].isin(["new", "returning", "growing"])].head(EMERGING_SHOWN)
    found = tuple(EmergingTheme(str(theme), str(label), int(recent), int(before), float(score))
                  for theme, label, recent, before, score in
                  zip(rising["theme"], rising["label"], rising["recent"], rising["before"], rising["score"]))
    window = emergence.default_window("M")
    note = (f"Documents from {_date_text(recent_start)} to {_date_text(as_of)} (the last {window} months) "
            f"against the {window} months before, from {_date_text(before_start)}; only themes on at least "
            f"{emergence.DEFAULT_MIN_DOCUMENTS} documents in the two windows are compared. New: first seen in "
            f"the recent window; returning: back in it after a gap (none in the window before); growing: a "
            f"burst score of at least {emergence.GROWING_SCORE:g} (docs/insights.md).")
    if not found:
        note = "No theme is new, returning or growing. " + note
    return found, note


def _by_month(view: Corpus, today: dt.date | None) -> tuple[tuple[str, int], ...]:
    per_month = documents_per_period(view, "M")
    as_of = emergence.as_of_date(view.document_facts, today)
    if per_month.empty or as_of is None:
        return ()
    start = (pd.Period(as_of, freq="M") - (TIMELINE_MONTHS - 1)).start_time
    shown = per_month[(per_month["period"] >= start) & (per_month["period"] <= as_of)]
    return tuple((period.strftime("%Y-%m"), int(documents)) for period, documents in
                 zip(shown["period"], shown["documents"]))


def apart_section(frame: pd.DataFrame, rule: str) -> ApartSection:
    """What another analysis says sets the view apart (any frame) -> the brief's section: every cell as
    text (numbers to 3 significant digits), the columns as named there."""
    def cell(value: object) -> str:
        if isinstance(value, float | np.floating):
            return "" if np.isnan(value) else f"{value:.3g}"
        return _text(value)

    return ApartSection(rule, tuple(str(c) for c in frame.columns),
                        tuple(tuple(cell(v) for v in record) for record in frame.itertuples(index=False)))


def distinctive_terms_of(filters: Filters, top: int = 8
                         ) -> tuple[Callable[[Corpus, Corpus], pd.DataFrame] | None, str]:
    """The Overview's "What sets this view apart" for a brief: (what_sets_apart, its rule in words),
    to pass to build_brief. What the view was selected on (its themes, keywords) is left out. With
    no filter the view is the whole corpus and there is nothing to set apart: (None, "")."""
    if filters.is_empty:
        return None, ""
    from signals.analysis import distinctive
    from signals.analysis.parameters import DISTINCTIVE_MIN_DOCUMENTS
    from signals.analysis.significance import Z_SIGNIFICANT

    excluded = distinctive.excluded_by_filters(filters)

    def terms(view: Corpus, corpus: Corpus) -> pd.DataFrame:
        return distinctive.distinctive_terms(view, corpus, top=top, exclude=excluded)

    rule = (f"Themes, keywords and words over-represented in this view against the rest of the corpus: weighted "
            f"log-odds with an informative Dirichlet prior (Monroe et al.), z ≥ {Z_SIGNIFICANT}, in at least "
            f"{DISTINCTIVE_MIN_DOCUMENTS} documents of the view; at most {top} of each kind. in_view / in_rest "
            "are documents.")
    return terms, rule


# ---------------------------------------------------------------------------------------------
# The brief
# ---------------------------------------------------------------------------------------------
def _selection_words(select: str, options: BriefOptions, kept: int, candidates: int) -> str:
    how = {
        "top": "the signals reported with the highest relevancy by the most documents (relevancy × documents; "
               "rows of one section with the same text are one signal)",
        "view": "every row of the view, most relevant first",
        "starred": "the rows the analyst starred (or whose document they starred), most relevant first",
        "escalated": "the rows the analyst escalated (or whose document they escalated), most relevant first",
    }[select]
    grouping = "by same-signal cluster" if options.group == "cluster" else "by theme"
    text = f"{counted(kept, 'signal')} of {candidates:,}: {how}; grouped {grouping}"
    if options.themes:
        text += f", themes {', '.join(options.themes)} only"
    return text + "."


def build_brief(
    view: Corpus,
    corpus: Corpus,
    filters: Filters,
    annotations: pd.DataFrame | None = None,
    options: BriefOptions | None = None,
    *,
    what_sets_apart: Callable[[Corpus, Corpus], pd.DataFrame] | None = None,
    apart_rule: str = "",
    today: dt.date | None = None,
) -> Brief:
    """The filtered `view` of `corpus` (with `filters`, for their words), the analyst's `annotations`
    (annotations.read; None: none) and the options -> a Brief (module docstring). `what_sets_apart`
    (view, corpus) -> a frame fills the optional section, described by `apart_rule`. `today` fixes
    the date (tests)."""
    options = options or BriefOptions()
    today = today or dt.date.today()
    # The themes first: the rows wait for the corpus's row keys when the app's background preparation
    # has not finished them (`prepare`), and the themes are worked out meanwhile (0.3 s at 100,000
    # documents) on the other core.
    themes, themes_note = _top_themes(view)
    rising, emerging_note = _emerging(view, today)
    rows = _without_copies(_rows_of(view), view)
    values = _assessments(view, corpus, annotations)
    select = _resolve_select(options, values)
    if select in ("starred", "escalated") and values is None:
        rows = rows.iloc[0:0]
    elif select == "starred":
        rows = rows[values["starred"].to_numpy(dtype=bool)[rows["at"]]].reset_index(drop=True)
    elif select == "escalated":
        rows = rows[(values["status"].astype("str").to_numpy() == "escalate")[rows["at"]]].reset_index(drop=True)
    if options.themes:
        wanted = {schema.theme_key(theme) for theme in options.themes}
        theme_rows = view.themes
        docs = set(theme_rows.loc[theme_rows["theme_key"].astype("str").isin(wanted), "doc_id"].astype("str"))
        rows = rows[rows["doc_id"].isin(docs)].reset_index(drop=True)
    ranked = _ranked_entries(rows, select)
    candidates = len(ranked["entry"])
    whole, _ = view.item_origin()
    kept = _best(ranked, select, options.max_signals,
                 lambda firsts: _labels(whole, rows["source"].to_numpy()[firsts]))

    numbers: dict[str, int] = {}
    entries: list[tuple[list[int], Signal]] = []
    relevancy = rows["relevancy"].to_numpy()
    dates = rows["date"].to_numpy()

    def text_of(column: str, source: int) -> str:
        """A row's text, from the whole frame by position: a filtered view's text columns are never taken."""
        return _text(whole[column].iat[source]) if column in whole.columns else ""

    for members in _members(rows, select, kept["entry"]):
        # Nanoseconds since 1970 per member, undated rows oldest of all: for "newest first" (for
        # the chosen signals' rows only: over every row of 100,000 documents it took 0.1 s).
        stamps = dates[members].astype("datetime64[ns]").view(np.int64)
        age = dict(zip(members.tolist(), np.where(np.isnat(dates[members]), np.iinfo(np.int64).min + 1, stamps).tolist()))
        members = [int(m) for m in members]
        # The most relevant row (then the newest) speaks for the signal; documents newest first.
        by_relevancy = sorted(members, key=lambda m: (-np.nan_to_num(relevancy[m], nan=-1.0), -age[m]))
        first = rows.iloc[by_relevancy[0]]
        by_date = sorted(members, key=lambda m: -age[m])
        doc_ids = list(dict.fromkeys(rows["doc_id"].iat[m] for m in by_date))
        for doc_id in doc_ids:
            numbers.setdefault(doc_id, len(numbers) + 1)
        best = np.nanmax(relevancy[members]) if not np.isnan(relevancy[members]).all() else np.nan
        assessment = None
        if values is not None:
            found = [_annotation(values, int(rows["at"].iat[m])) for m in by_relevancy]
            assessment = next((a for a in found if a is not None), None)
        signal = Signal(str(first["section"]), text_of(schema.NAME, int(first["source"])),
                        text_of(schema.DESCRIPTION, int(first["source"])),
                        None if np.isnan(best) else int(best), tuple(numbers[d] for d in doc_ids), assessment)
        entries.append((members, signal))
    groups = (_group_by_cluster(entries, rows, view) if options.group == "cluster"
              else _group_by_theme(entries, rows, view, options, filters))

    sources = []
    # Only the cited documents' lines (indexing all 100,000 documents by id took 0.05 s).
    cited = pd.Index(view.documents["doc_id"].astype("str")).get_indexer(list(numbers))
    for (doc_id, number), position in zip(numbers.items(), cited):
        document = view.documents.iloc[position]
        url = safe_url(document.get("article_url")) or safe_url(document.get("page_url"))
        sources.append(Source(number, doc_id, _text(document.get("title")) or doc_id,
                              _date_text(document.get("date")), _text(document.get("domain")) or None, url))
    apart = None
    if what_sets_apart is not None:
        apart = apart_section(what_sets_apart(view, corpus), apart_rule)
    notes = ()
    if select in ("starred", "escalated") and values is None:
        notes = (f"No annotation was given (none in the workspace): no row is {select}.",)
    return Brief(
        title=options.title or DEFAULT_TITLE,
        made_on=today.isoformat(),
        filters=tuple(f"{label} {value}" for label, value in filters.describe().items()),
        selection=_selection_words(select, options, len(kept), candidates),
        headline=_headline(view),
        top_themes=themes,
        themes_note=themes_note,
        emerging=rising,
        emerging_note=emerging_note,
        groups=tuple(groups),
        sources=tuple(sources),
        candidates=candidates,
        documents_by_month=_by_month(view, today),
        apart=apart,
        notes=notes,
    )
