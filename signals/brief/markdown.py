"""Brief -> Markdown: headings, lists and tables; every text escaped (signals.brief.text.markdown),
links only http(s), written as `<url>` so the address is what the reader sees. No images: the
charts' figures are the tables above them."""

from __future__ import annotations

from signals.brief import text
from signals.brief.content import (
    Brief,
    Signal,
    assessment_words,
    group_caption,
    headline_figures,
    signal_facts,
)


def _table(header: list[str], rows: list[list[str]], right: set[int] = frozenset()) -> list[str]:
    """A GFM table; cells are escaped already (their `|` too)."""
    rule = ["---:" if i in right else "---" for i in range(len(header))]
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join(rule) + " |"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return [*lines, ""]


def _refs(numbers: tuple[int, ...]) -> str:
    return " ".join(f"\\[{number}\\]" for number in numbers)


def _signal(signal: Signal) -> list[str]:
    lines = [f"- **{text.markdown(signal.heading)}**: {text.markdown(signal_facts(signal))} {_refs(signal.sources)}"]
    if signal.shows_description:
        lines.append(f"  {text.markdown(signal.description)}")
    ratings, note = assessment_words(signal.assessment)
    if ratings:
        lines.append(f"  *Analyst:* {text.markdown(ratings)}")
    if note:
        lines.append(f"  *Note:* {text.markdown(note)}")
    # Two spaces end each line inside the item: a hard break, so the parts stay on their own lines.
    return ["  \n".join(lines)]


def render(brief: Brief) -> str:
    """The brief as one Markdown document."""
    out = [f"# {text.markdown(brief.title)}", "",
           f"Made on {brief.made_on}. Filters: {text.markdown(brief.filters_text)}", ""]
    out += [f"> {text.markdown(note)}" for note in brief.notes] + ([""] if brief.notes else [])
    out += ["## At a glance", ""]
    out += [f"- **{text.markdown(value)}** {text.markdown(label)}" for value, label in headline_figures(brief.headline)]
    out += [f"- Signals: {text.markdown(brief.selection)}", ""]

    out += ["## Top themes", "", text.markdown(brief.themes_note), ""]
    if brief.top_themes:
        out += _table(["Theme", "Documents"], [[text.markdown(t.theme), f"{t.documents:,}"] for t in brief.top_themes],
                      right={1})
    out += ["## What is emerging", "", text.markdown(brief.emerging_note), ""]
    if brief.emerging:
        out += _table(["Theme", "", "Documents in the recent window", "In the window before"],
                      [[text.markdown(e.theme), e.label, f"{e.recent:,}", f"{e.before:,}"] for e in brief.emerging],
                      right={2, 3})
    if brief.apart is not None:
        out += ["## What sets this view apart", "", text.markdown(brief.apart.rule), ""]
        out += _table([text.markdown(c) for c in brief.apart.columns],
                      [[text.markdown(cell) for cell in row] for row in brief.apart.rows])

    out += ["## Signals", ""]
    if not brief.groups:
        out += ["No signal was chosen.", ""]
    for group in brief.groups:
        out += [f"### {text.markdown(group.title)}", "",
                group_caption(group), ""]
        for signal in group.signals:
            out += _signal(signal)
        out.append("")

    out += ["## Sources", ""]
    for source in brief.sources:
        facts = ", ".join(text.markdown(part) for part in (source.domain, source.date) if part)
        url = text.link_url(source.url)
        link = f" <{url}>" if url else " (no web link)"
        out.append(f"{source.number}. {text.markdown(source.title)}" + (f" ({facts})" if facts else "") + link)
    return "\n".join(out).rstrip() + "\n"
