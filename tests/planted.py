"""Small corpora with planted answers, written by hand (no ../shared needed): for the comparison,
distinctive-terms and change-marker tests, which compute what they expect from these plans.

A document is a `Doc`; `write(folder, docs)` writes each as `<doc_id>.md` in the pipeline's format
(the date comes from the page id, YYYYMMDD).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

Row = tuple[str, str, int]  # name, description, relevancy


@dataclass
class Doc:
    doc_id: str
    date: dt.date
    themes: Sequence[str]
    title: str = "A plain report"
    summary: str = "Nothing much happened."
    keywords: Sequence[str] = ()
    category: str = "society"
    signals: Sequence[Row] = field(default_factory=lambda: [("Quiet change", "Something moved a little.", 3)])


def text(doc: Doc) -> str:
    """One document in the pipeline's markdown format."""
    page = f"{doc.date:%Y%m%d}"
    lines = [f"# __{doc.title}__, (from page [{page}](https://example.org/p/{page}).)", "",
             f"__[External link](https://www.example.com/{doc.doc_id})__", ""]
    if doc.keywords:
        lines += ["## Keywords", "", *[f"* {k}" for k in doc.keywords], ""]
    lines += ["## Themes", "", *[f"* {t}" for t in doc.themes], "",
              "## Other", "", f"* Category: {doc.category}", "* Type: news", "",
              "## Summary", "", doc.summary, "",
              "## Signals", "", "| name | description | relevancy |", "|:--|:--|--:|",
              *[f"| {n} | {d} | {r} |" for n, d, r in doc.signals], ""]
    return "\n".join(lines)


def write(folder: Path, docs: Iterable[Doc]) -> Path:
    """Write every document into folder (created); returns folder."""
    folder.mkdir(parents=True, exist_ok=True)
    for doc in docs:
        (folder / f"{doc.doc_id}.md").write_text(text(doc), encoding="utf-8")
    return folder


def _days(start: dt.date, count: int, span_days: int) -> list[dt.date]:
    return [start + dt.timedelta(days=(i * span_days) // count) for i in range(count)]


#: Two half-years: 60 documents in the first, 120 in the second (the corpus doubled).
BEFORE_START, AFTER_START = dt.date(2024, 1, 1), dt.date(2024, 7, 1)
BEFORE_DOCS, AFTER_DOCS = 60, 120
#: theme -> (documents before, documents after), planted on the first documents of each period.
PERIOD_THEMES = {
    "steady theme": (15, 30),   # share 25% both times: counts doubled with the corpus
    "rising theme": (9, 36),    # share 15% -> 30%: doubled
    "new theme": (0, 10),
    "gone theme": (8, 0),
    "one-off theme": (0, 1),    # one document: no claim
}


def period_docs() -> list[Doc]:
    """The two-period corpus: PERIOD_THEMES planted, every document also carrying "filler"."""
    docs = []
    for side, (start, count) in enumerate(((BEFORE_START, BEFORE_DOCS), (AFTER_START, AFTER_DOCS))):
        for i, day in enumerate(_days(start, count, 180)):
            themes = ["filler"] + [t for t, counts in PERIOD_THEMES.items() if i < counts[side]]
            docs.append(Doc(f"p{side}_{i:03d}", day, themes))
    return docs


#: The planted over-represented theme and word of category "energy" (20 documents of 100).
DISTINCT_THEME, DISTINCT_WORD = "heat pumps", "thermostats"


def distinctive_docs() -> list[Doc]:
    """100 documents; the 20 of category "energy" carry DISTINCT_THEME 16 times (the 80 others 4
    times) and DISTINCT_WORD in 15 summaries (others: none); every title says "the" / "les" / "des"."""
    docs = []
    for i in range(100):
        energy = i < 20
        themes = ["common ground"]
        if (energy and i < 16) or (not energy and i >= 96):
            themes.append(DISTINCT_THEME)
        if i == 50:
            themes.append("lonely theme")
        summary = ("Les ménages changent des thermostats and the boilers." if energy and i < 15
                   else "The city and les voisins talk about des choses.")
        docs.append(Doc(f"d{i:03d}", dt.date(2024, 1, 1) + dt.timedelta(days=i), themes,
                        title="The news of les gens and des villes", summary=summary,
                        category="energy" if energy else "society"))
    return docs


#: 20 documents a month over 2023-01..2023-12; SPIKE_THEME in one a month, and 9 in SPIKE_MONTH.
SPIKE_THEME, SPIKE_MONTH = "sudden theme", dt.date(2023, 9, 1)


def spike_docs() -> list[Doc]:
    """A year of months; SPIKE_THEME is in 1 document a month but 9 in SPIKE_MONTH; "background"
    everywhere."""
    docs = []
    for month in range(1, 13):
        start = dt.date(2023, month, 1)
        spiking = start == SPIKE_MONTH
        for i, day in enumerate(_days(start, 20, 28)):
            themes = ["background"] + ([SPIKE_THEME] if i < (9 if spiking else 1) else [])
            docs.append(Doc(f"s{month:02d}_{i:02d}", day, themes))
    return docs
