"""A small corpus written by hand for the brief tests, whose answers are worked out below by hand.

  doc      date        domain   themes            rows (section: name relevancy)
  grid     2024-05-01  a.test   energy, storage   signals: Home batteries 5, Heat pumps 3; concerns: Fire risk 4
  roofs    2024-05-10  b.test   energy            signals: home  BATTERIES 4 (the same signal), Solar roofs 2
  care     2024-06-01  (none)   health            signals: Telecare 5          (its article link is javascript:)
  stray    (no date)   c.test   (none)            signals: Lonely row (unrated)

`top` ranks relevancy x documents: Home batteries 5 x 2 = 10, Telecare 5, Fire risk 4, Heat pumps 3,
Solar roofs 2, Lonely row 0. Grouped by theme (energy is on 2 documents, storage and health on 1):
energy holds Home batteries, Fire risk, Heat pumps, Solar roofs; health holds Telecare; Lonely row is
under "(no theme)". Every document is in the 6 months up to 2024-06-01, so energy (2 documents, none
before) is `new`; storage and health (1 document) are below the support minimum of 2.
"""

from __future__ import annotations

from pathlib import Path

DOCUMENTS = {
    "grid": {"title": "Grid batteries arrive", "date": "20240501", "url": "https://a.test/grid",
                 "themes": ["energy", "storage"],
                 "rows": {"Signals": [("Home batteries", "Houses store solar power.", "5"),
                                   ("Heat pumps", "Cheaper heat at home.", "3")],
                       "Concerns": [("Fire risk", "Batteries in flats burn.", "4")]}},
    "roofs": {"title": "Roofs that pay", "date": "20240510", "url": "https://b.test/roofs?a=1&b=2",
                  "themes": ["energy"],
                  "rows": {"Signals": [("home  BATTERIES", "Houses store solar power too.", "4"),
                                    ("Solar roofs", "Tiles that make power.", "2")]}},
    "care": {"title": "Care at a distance", "date": "20240601", "url": "javascript:alert(1)",
                 "themes": ["health"], "rows": {"Signals": [("Telecare", "Nurses visit by video.", "5")]}},
    "stray": {"title": "A stray note", "date": None, "url": "https://c.test/stray", "themes": [],
                  "rows": {"Signals": [("Lonely row", "Nobody rated this.", "")]}},
}
SOURCE_URLS = {"grid": "https://a.test/grid", "roofs": "https://b.test/roofs?a=1&b=2",
               "care": "https://pipeline.test/p/20240601",  # the article link is javascript: the page instead
               "stray": "https://c.test/stray"}


def document_text(title: str, date: str | None, url: str, themes: list[str],
                  rows: dict[str, list[tuple[str, str, str]]]) -> str:
    """A document in the pipeline's format (a dated page link only when `date` is given)."""
    page = f", (from page [{date}](https://pipeline.test/p/{date}).)" if date else ""
    lines = [f"# __{title}__{page}", "", f"__[External link]({url})__", ""]
    if themes:
        lines += ["## Themes", "", *[f"* {theme}" for theme in themes], ""]
    lines += ["## Summary", "", f"About {title}.", ""]
    for heading, table in rows.items():
        lines += [f"## {heading}", "", "| name | description | relevancy |", "|:--|:--|--:|"]
        lines += [f"| {name} | {description} | {relevancy} |" for name, description, relevancy in table]
        lines.append("")
    return "\n".join(lines)


def write_brief_corpus(folder: Path, documents: dict | None = None) -> Path:
    """Write DOCUMENTS (or `documents`, same shape) as `<folder>/<doc_id>.md`; returns folder."""
    folder.mkdir(parents=True, exist_ok=True)
    for doc_id, spec in (documents or DOCUMENTS).items():
        (folder / f"{doc_id}.md").write_text(document_text(**spec), encoding="utf-8")
    return folder
