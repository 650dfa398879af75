"""Brief (+ its chart images) -> one self-contained HTML file: styles inline, charts as data: URIs,
the system's fonts (none fetched), no script. A Content-Security-Policy in the page forbids any
request anyway (`default-src 'none'`), so a file opened offline asks no other host for anything.

Printable to PDF from a browser: `@media print` drops the screen's margins and colours, keeps every
signal block on one page (`break-inside: avoid`) and a heading with what follows it.
Every text is escaped (signals.brief.text.html_text); links are http(s) only, and the sources list
shows each address.
"""

from __future__ import annotations

import base64

from signals.brief import text
from signals.brief.charts import ChartImage
from signals.brief.content import (
    Brief,
    Signal,
    Source,
    assessment_words,
    group_caption,
    headline_figures,
    signal_facts,
)

_CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"

_STYLE = """
:root { --ink: #1d2433; --muted: #5b6477; --line: #d9dde5; --accent: #2b6cb0; --paper: #ffffff; }
* { box-sizing: border-box; }
body { margin: 0; background: #f4f5f7; color: var(--ink);
       font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 60rem; margin: 2rem auto; background: var(--paper); padding: 2.5rem 3rem;
       border: 1px solid var(--line); border-radius: 6px; }
h1 { font-size: 2rem; margin: 0 0 .25rem; }
h2 { font-size: 1.35rem; margin: 2.2rem 0 .6rem; padding-bottom: .2rem; border-bottom: 2px solid var(--line); }
h3 { font-size: 1.1rem; margin: 1.6rem 0 .2rem; }
.meta, .caption { color: var(--muted); font-size: .9rem; margin: .2rem 0 .8rem; }
.figures { display: grid; grid-template-columns: repeat(4, 1fr); gap: .8rem; margin: 1rem 0; }
.figure { border: 1px solid var(--line); border-radius: 6px; padding: .7rem .9rem; }
.figure b { display: block; font-size: 1.3rem; }
.figure span { color: var(--muted); font-size: .85rem; }
.charts { display: grid; grid-template-columns: 1fr 1fr; gap: 1rem; align-items: start; }
.charts img { width: 100%; height: auto; border: 1px solid var(--line); border-radius: 4px; }
table { border-collapse: collapse; margin: .5rem 0 1rem; font-size: .92rem; }
th, td { text-align: left; padding: .25rem .8rem .25rem 0; border-bottom: 1px solid var(--line); vertical-align: top; }
td.n, th.n { text-align: right; }
.signal { border-left: 4px solid var(--accent); padding: .4rem .9rem; margin: .7rem 0; background: #f8fafc; }
.signal h4 { margin: 0; font-size: 1rem; }
.signal p { margin: .2rem 0; }
.facts { color: var(--muted); font-size: .88rem; }
.analyst { font-size: .9rem; background: #fff7e0; padding: .2rem .5rem; border-radius: 4px; }
.cites { margin: .3rem 0 0; padding-left: 1.2rem; font-size: .85rem; color: var(--muted); }
.sources li { margin: .3rem 0; }
.url { word-break: break-all; font-size: .85rem; color: var(--muted); }
a { color: var(--accent); }
.note { background: #fff7e0; padding: .5rem .8rem; border-radius: 4px; }
@media print {
  @page { margin: 16mm 14mm; }
  body { background: none; font-size: 11pt; }
  main { max-width: none; margin: 0; padding: 0; border: none; }
  h2, h3 { break-after: avoid; page-break-after: avoid; }
  .signal, .figure, table, .charts img, .sources li { break-inside: avoid; page-break-inside: avoid; }
  .charts { grid-template-columns: 1fr 1fr; }
  .signal { background: none; }
  a { color: inherit; }
}
"""


def _source_line(source: Source, numbered: bool = True) -> str:
    facts = ", ".join(text.html_text(part) for part in (source.domain, source.date) if part)
    url = text.link_url(source.url)
    title = text.html_text(source.title)
    linked = f'<a href="{text.html_text(url)}" rel="noopener noreferrer">{title}</a>' if url else title
    return (f"[{source.number}] " if numbered else "") + linked + (f" ({facts})" if facts else "")


def _signal(signal: Signal, sources: dict[int, Source]) -> str:
    parts = [f'<article class="signal"><h4>{text.html_text(signal.heading)}</h4>',
             f'<p class="facts">{text.html_text(signal_facts(signal))}</p>']
    if signal.shows_description:
        parts.append(f"<p>{text.html_text(text.one_line(signal.description))}</p>")
    ratings, note = assessment_words(signal.assessment)
    if ratings or note:
        said = "; ".join(part for part in (ratings, f"note: {note}" if note else "") if part)
        parts.append(f'<p class="analyst"><b>Analyst:</b> {text.html_text(said)}</p>')
    parts.append('<ul class="cites">' + "".join(f"<li>{_source_line(sources[n])}</li>" for n in signal.sources)
                 + "</ul></article>")
    return "\n".join(parts)


def _table(header: list[str], rows: list[list[str]], numeric: set[int] = frozenset()) -> str:
    def cell(tag: str, i: int, value: str) -> str:
        return f'<{tag} class="n">{value}</{tag}>' if i in numeric else f"<{tag}>{value}</{tag}>"

    head = "".join(cell("th", i, text.html_text(h)) for i, h in enumerate(header))
    body = "".join("<tr>" + "".join(cell("td", i, text.html_text(v)) for i, v in enumerate(row)) + "</tr>"
                   for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _image(chart: ChartImage) -> str:
    data = base64.b64encode(chart.png).decode("ascii")
    return f'<img src="data:image/png;base64,{data}" alt="{text.html_text(chart.alt)}">'


def render(brief: Brief, charts: dict[str, ChartImage] | None = None) -> str:
    """The brief as one HTML document (text); `charts` (signals.brief.charts.brief_charts) are
    embedded as images."""
    charts = charts or {}
    sources = {source.number: source for source in brief.sources}
    out = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
           f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           '<meta name="referrer" content="no-referrer">',
           f"<title>{text.html_text(brief.title)}</title><style>{_STYLE}</style></head><body><main>",
           f"<h1>{text.html_text(brief.title)}</h1>",
           f'<p class="meta">Made on {brief.made_on}. Filters: {text.html_text(brief.filters_text)}</p>']
    out += [f'<p class="note">{text.html_text(note)}</p>' for note in brief.notes]
    out.append("<h2>At a glance</h2><div class=\"figures\">")
    out += [f'<div class="figure"><b>{text.html_text(value)}</b><span>{text.html_text(label)}</span></div>'
            for value, label in headline_figures(brief.headline)]
    out.append(f'</div><p class="caption">Signals: {text.html_text(brief.selection)}</p>')
    if charts:
        out.append('<div class="charts">' + "".join(_image(chart) for chart in charts.values()) + "</div>")
    out.append(f'<h2>Top themes</h2><p class="caption">{text.html_text(brief.themes_note)}</p>')
    if brief.top_themes:
        out.append(_table(["Theme", "Documents"], [[t.theme, f"{t.documents:,}"] for t in brief.top_themes], {1}))
    out.append(f'<h2>What is emerging</h2><p class="caption">{text.html_text(brief.emerging_note)}</p>')
    if brief.emerging:
        out.append(_table(["Theme", "", "Documents in the recent window", "In the window before"],
                          [[e.theme, e.label, f"{e.recent:,}", f"{e.before:,}"] for e in brief.emerging], {2, 3}))
    if brief.apart is not None:
        out.append(f'<h2>What sets this view apart</h2><p class="caption">{text.html_text(brief.apart.rule)}</p>')
        out.append(_table(list(brief.apart.columns), [list(row) for row in brief.apart.rows]))
    out.append("<h2>Signals</h2>")
    if not brief.groups:
        out.append("<p>No signal was chosen.</p>")
    for group in brief.groups:
        out.append(f'<section><h3>{text.html_text(group.title)}</h3><p class="caption">'
                   f"{text.html_text(group_caption(group))}</p>")
        out += [_signal(signal, sources) for signal in group.signals]
        out.append("</section>")
    out.append('<h2>Sources</h2><ol class="sources">')
    for source in brief.sources:
        url = text.link_url(source.url)
        shown = f'<br><span class="url">{text.html_text(url)}</span>' if url else " (no web link)"
        out.append(f'<li value="{source.number}">{_source_line(source, numbered=False)}{shown}</li>')
    out.append("</ol></main></body></html>")
    return "\n".join(out) + "\n"
