"""A Brief -> the bytes of a file in one of options.FORMATS (charts rendered when the format shows them)."""

from __future__ import annotations

from signals.brief.charts import ChartImage, brief_charts
from signals.brief.content import Brief
from signals.brief.options import FORMATS


def brief_bytes(brief: Brief, fmt: str, charts: dict[str, ChartImage] | None = None) -> bytes:
    """The brief written as `fmt` ("md", "html", "pptx"). `charts`: images made already (brief_charts);
    None renders them for the formats that show them (HTML, PowerPoint)."""
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    if fmt == "md":
        from signals.brief import markdown

        return markdown.render(brief).encode("utf-8")
    charts = brief_charts(brief) if charts is None else charts
    if fmt == "html":
        from signals.brief import html

        return html.render(brief, charts).encode("utf-8")
    from signals.brief import slides

    return slides.render(brief, charts)
