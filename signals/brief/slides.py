"""Brief (+ its chart images) -> a PowerPoint deck (python-pptx): a title slide, a summary slide
(headline figures, the charts, what is emerging), a slide for what sets the view apart when the
brief has it, one slide per group (a theme or a cluster; continued on more slides past
SIGNALS_PER_SLIDE signals), and the sources (SOURCES_PER_SLIDE a slide).

Text goes into runs as plain text (python-pptx writes it as XML text, never markup); control
characters are dropped first (XML refuses them). Links are http(s) only, as hyperlinks on the
source's number and title, and each address is written out on the sources slides.
"""

from __future__ import annotations

import io
import struct

from signals.brief import text
from signals.brief.charts import ChartImage
from signals.brief.content import (
    Brief,
    Group,
    Signal,
    Source,
    assessment_words,
    group_caption,
    headline_figures,
    signal_facts,
)

SIGNALS_PER_SLIDE = 5
SOURCES_PER_SLIDE = 12
#: Longest description written on a slide (characters); the HTML and Markdown briefs have it whole.
DESCRIPTION_CHARACTERS = 220
_BLANK_LAYOUT = 6
_WIDTH_IN, _HEIGHT_IN = 13.333, 7.5
_MARGIN_IN = 0.5
_INK, _MUTED, _ACCENT = (0x1D, 0x24, 0x33), (0x5B, 0x64, 0x77), (0x2B, 0x6C, 0xB0)


def _png_size(png: bytes) -> tuple[int, int]:
    """Width and height of a PNG, from its header (IHDR: bytes 16-24)."""
    return struct.unpack(">II", png[16:24])


class _Deck:
    """A 16:9 deck of blank slides with text boxes: what every slide here is made of."""

    def __init__(self) -> None:
        from pptx import Presentation
        from pptx.util import Inches

        self.inches = Inches
        self.presentation = Presentation()
        self.presentation.slide_width = Inches(_WIDTH_IN)
        self.presentation.slide_height = Inches(_HEIGHT_IN)

    def slide(self, title: str | None = None, caption: str | None = None):
        slide = self.presentation.slides.add_slide(self.presentation.slide_layouts[_BLANK_LAYOUT])
        if title is not None:
            frame = self.box(slide, _MARGIN_IN, 0.35, _WIDTH_IN - 2 * _MARGIN_IN, 0.8)
            self.run(frame.paragraphs[0], title, size=28, bold=True)
            if caption:
                self.run(frame.add_paragraph(), caption, size=13, colour=_MUTED)
        return slide

    def box(self, slide, left: float, top: float, width: float, height: float):
        from pptx.enum.text import MSO_AUTO_SIZE

        shape = slide.shapes.add_textbox(*(self.inches(v) for v in (left, top, width, height)))
        frame = shape.text_frame
        frame.word_wrap = True
        # Shrink on overflow, when the deck is opened (PowerPoint, LibreOffice): long descriptions.
        frame.auto_size = MSO_AUTO_SIZE.TEXT_TO_FIT_SHAPE
        return frame

    def run(self, paragraph, value: object, *, size: int, bold: bool = False, italic: bool = False,
            colour: tuple[int, int, int] = _INK, link: str | None = None):
        from pptx.dml.color import RGBColor
        from pptx.util import Pt

        run = paragraph.add_run()
        run.text = text.clean(value)
        run.font.size = Pt(size)
        if bold:
            run.font.bold = True
        if italic:
            run.font.italic = True
        if link or colour != _INK:  # the default ink is the theme's: no XML for it (a third of the deck's time)
            run.font.color.rgb = RGBColor(*(_ACCENT if link else colour))
        if link:
            run.hyperlink.address = link
        return run

    def picture(self, slide, png: bytes, left: float, top: float, width: float, height: float) -> None:
        """An image fitted inside the box (aspect kept), centred horizontally."""
        pixels_wide, pixels_high = _png_size(png)
        scale = min(width / pixels_wide, height / pixels_high)
        shown_width, shown_height = pixels_wide * scale, pixels_high * scale
        slide.shapes.add_picture(io.BytesIO(png), self.inches(left + (width - shown_width) / 2), self.inches(top),
                                 self.inches(shown_width), self.inches(shown_height))

    def bytes(self) -> bytes:
        out = io.BytesIO()
        self.presentation.save(out)
        return out.getvalue()


def _title_slide(deck: _Deck, brief: Brief) -> None:
    slide = deck.slide()
    frame = deck.box(slide, 0.9, 2.3, _WIDTH_IN - 1.8, 3.2)
    deck.run(frame.paragraphs[0], brief.title, size=40, bold=True)
    deck.run(frame.add_paragraph(), f"Made on {brief.made_on}", size=18, colour=_MUTED)
    deck.run(frame.add_paragraph(), f"Filters: {brief.filters_text}", size=16, colour=_MUTED)
    deck.run(frame.add_paragraph(), f"Signals: {brief.selection}", size=14, colour=_MUTED)


def _summary_slide(deck: _Deck, brief: Brief, charts: dict[str, ChartImage]) -> None:
    slide = deck.slide("At a glance")
    figures = headline_figures(brief.headline)
    width = (_WIDTH_IN - 2 * _MARGIN_IN) / len(figures)
    for index, (value, label) in enumerate(figures):
        frame = deck.box(slide, _MARGIN_IN + index * width, 1.2, width - 0.2, 0.95)
        deck.run(frame.paragraphs[0], value, size=22 if len(value) < 14 else 16, bold=True)
        deck.run(frame.add_paragraph(), label, size=12, colour=_MUTED)
    shown = list(charts.values())[:2]
    chart_width = (_WIDTH_IN - 2 * _MARGIN_IN - 0.3) / 2
    for index, chart in enumerate(shown):
        deck.picture(slide, chart.png, _MARGIN_IN + index * (chart_width + 0.3), 2.3, chart_width, 4.2)
    frame = deck.box(slide, _MARGIN_IN, 6.6, _WIDTH_IN - 2 * _MARGIN_IN, 0.7)
    if brief.emerging:
        deck.run(frame.paragraphs[0], "Emerging: ", size=13, bold=True)
        deck.run(frame.paragraphs[0], "; ".join(f"{e.theme} ({e.label}: {e.recent} documents recently, {e.before} before)"
                                                for e in brief.emerging[:4]), size=13)
    else:
        deck.run(frame.paragraphs[0], brief.emerging_note, size=11, colour=_MUTED)


def _apart_slide(deck: _Deck, brief: Brief) -> None:
    apart = brief.apart
    slide = deck.slide("What sets this view apart", apart.rule)
    frame = deck.box(slide, _MARGIN_IN, 1.5, _WIDTH_IN - 2 * _MARGIN_IN, 5.6)
    deck.run(frame.paragraphs[0], " · ".join(apart.columns), size=13, bold=True)
    for row in apart.rows[:14]:
        deck.run(frame.add_paragraph(), " · ".join(row), size=13)


def _signal_paragraphs(deck: _Deck, frame, signal: Signal, sources: dict[int, Source], first: bool) -> None:
    heading = frame.paragraphs[0] if first else frame.add_paragraph()
    deck.run(heading, signal.heading, size=16, bold=True)
    deck.run(heading, f"   {signal_facts(signal)}", size=12, colour=_MUTED)
    if signal.shows_description:
        description = text.one_line(signal.description)
        if len(description) > DESCRIPTION_CHARACTERS:
            description = description[:DESCRIPTION_CHARACTERS - 1].rstrip() + "…"
        deck.run(frame.add_paragraph(), description, size=12)
    ratings, note = assessment_words(signal.assessment)
    if ratings or note:
        said = "; ".join(part for part in (ratings, f"note: {text.one_line(note)}" if note else "") if part)
        deck.run(frame.add_paragraph(), f"Analyst: {said}", size=12, italic=True)
    cites = frame.add_paragraph()
    deck.run(cites, "Sources: ", size=11, colour=_MUTED)
    for index, number in enumerate(signal.sources):
        source = sources[number]
        label = f"[{number}] {source.domain or source.title[:40]}"
        deck.run(cites, ("  " if index else "") + label, size=11, colour=_MUTED, link=text.link_url(source.url))
    frame.paragraphs[-1].space_after = deck.inches(0.08)


def _group_slides(deck: _Deck, group: Group, sources: dict[int, Source]) -> None:
    chunks = [group.signals[i:i + SIGNALS_PER_SLIDE] for i in range(0, len(group.signals), SIGNALS_PER_SLIDE)]
    for index, chunk in enumerate(chunks):
        title = group.title if index == 0 else f"{group.title} (continued)"
        slide = deck.slide(text.one_line(title), group_caption(group))
        frame = deck.box(slide, _MARGIN_IN, 1.55, _WIDTH_IN - 2 * _MARGIN_IN, 5.7)
        for position, signal in enumerate(chunk):
            _signal_paragraphs(deck, frame, signal, sources, first=position == 0)


def _source_slides(deck: _Deck, brief: Brief) -> None:
    listed = brief.sources or ()
    chunks = [listed[i:i + SOURCES_PER_SLIDE] for i in range(0, len(listed), SOURCES_PER_SLIDE)] or [()]
    for index, chunk in enumerate(chunks):
        slide = deck.slide("Sources" if index == 0 else "Sources (continued)",
                           f"{len(listed)} documents cited, numbered as on the signals' slides.")
        frame = deck.box(slide, _MARGIN_IN, 1.55, _WIDTH_IN - 2 * _MARGIN_IN, 5.7)
        for position, source in enumerate(chunk):
            line = frame.paragraphs[0] if position == 0 else frame.add_paragraph()
            url = text.link_url(source.url)
            deck.run(line, f"[{source.number}] ", size=12, bold=True)
            deck.run(line, text.one_line(source.title), size=12, link=url)
            facts = ", ".join(part for part in (source.domain, source.date) if part)
            if facts:
                deck.run(line, f"  ({facts})", size=11, colour=_MUTED)
            line.add_line_break()
            deck.run(line, url or "(no web link)", size=9, colour=_MUTED)


def render(brief: Brief, charts: dict[str, ChartImage] | None = None) -> bytes:
    """The brief as .pptx bytes (module docstring for the slides)."""
    charts = charts or {}
    sources = {source.number: source for source in brief.sources}
    deck = _Deck()
    _title_slide(deck, brief)
    _summary_slide(deck, brief, charts)
    if brief.apart is not None:
        _apart_slide(deck, brief)
    for group in brief.groups:
        _group_slides(deck, group, sources)
    _source_slides(deck, brief)
    return deck.bytes()
