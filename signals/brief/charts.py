"""The brief's charts as PNG images: Vega-Lite specs (signals.vegalite, the Overview's bars and
colours) rendered by vl-convert, which embeds its own renderer: no browser, nothing downloaded.

Why vl-convert and not plotly's static export: kaleido 1.x drives a Chrome it has to find or
download; here it found Debian's Chromium and took 5.6 s for its first figure, against 0.9 s for
vl-convert's first chart and 0.07 s for the next ones (measured 2026-12-04, docs/performance.md).

Images, not SVG: one PNG goes into the HTML (a data: URI), the slides and anything else alike, and
an image cannot carry a script or fetch a font.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import pandas as pd

from signals import vegalite
from signals.brief.content import Brief

#: Pixels of the charts (before SCALE): wide enough for a slide's half and an A4 page's width.
WIDTH = 520
#: Device pixels per CSS pixel: sharp on screens and in print.
SCALE = 2


@dataclass(frozen=True)
class ChartImage:
    """A rendered chart: its title and a sentence saying what it shows (the alt text), the PNG bytes,
    and how long rendering took (seconds)."""

    name: str
    title: str
    alt: str
    png: bytes
    seconds: float


def chart_specs(brief: Brief) -> dict[str, tuple[str, str, dict]]:
    """Brief -> {name: (title, alt text, Vega-Lite spec)} for the charts it has data for."""
    specs: dict[str, tuple[str, str, dict]] = {}
    if brief.top_themes:
        frame = pd.DataFrame({"theme": [t.theme for t in brief.top_themes],
                              "documents": [t.documents for t in brief.top_themes]})
        title = "Top themes (documents)"
        alt = "Bar chart of documents per theme: " + ", ".join(
            f"{t.theme} {t.documents}" for t in brief.top_themes)
        specs["themes"] = (title, alt, vegalite.bar(frame, "documents", "theme", title=title, x_title="Documents",
                                                    y_title="Theme", horizontal=True))
    if brief.documents_by_month and sum(count for _, count in brief.documents_by_month):
        frame = pd.DataFrame({"month": pd.to_datetime([month for month, _ in brief.documents_by_month]),
                              "documents": [count for _, count in brief.documents_by_month]})
        first, last = brief.documents_by_month[0][0], brief.documents_by_month[-1][0]
        title = "Documents per month"
        alt = f"Bar chart of documents per month from {first} to {last}."
        specs["months"] = (title, alt, vegalite.bar(frame, "month", "documents", title=title, x_title="Month",
                                                    y_title="Documents"))
    for _, _, spec in specs.values():
        spec["width"] = WIDTH
        spec["background"] = "white"
        _whole_ticks(spec)
    return specs


#: Counts up to this get a tick at every whole number.
SMALL_COUNTS = 10


def _whole_ticks(spec: dict) -> None:
    """Ticks at whole numbers on a small count axis. vl-convert (Vega-Lite 6.4 here) ignores the
    specs' `tickMinStep`: a top count of 2 was labelled 0, 1, 1, 2, 2 (ticks at halves, rounded)."""
    for channel in ("x", "y"):
        encoding = spec.get("encoding", {}).get(channel, {})
        if encoding.get("type") != "quantitative":
            continue
        top = max((record[encoding["field"]] for record in spec["data"]["values"]), default=0)
        if top <= SMALL_COUNTS:
            encoding.setdefault("axis", {})["values"] = list(range(int(top) + 1))


def render_png(spec: dict) -> bytes:
    """A Vega-Lite spec -> PNG bytes (SCALE device pixels per pixel)."""
    import vl_convert

    return vl_convert.vegalite_to_png(spec, scale=SCALE)


def brief_charts(brief: Brief) -> dict[str, ChartImage]:
    """Brief -> its charts rendered, by name ("themes", "months"), each timed."""
    images = {}
    for name, (title, alt, spec) in chart_specs(brief).items():
        started = time.perf_counter()
        png = render_png(spec)
        images[name] = ChartImage(name, title, alt, png, time.perf_counter() - started)
    return images
