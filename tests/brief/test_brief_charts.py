"""The brief's charts: made from the brief's own figures, rendered to PNG without a browser."""

from __future__ import annotations

import struct

from signals.brief.charts import brief_charts, chart_specs
from signals.brief.content import Brief, Headline, ThemeCount


def _brief(themes: list[tuple[str, int]], months: list[tuple[str, int]]) -> Brief:
    return Brief(title="t", made_on="2024-07-01", filters=(), selection="", headline=Headline(3, 5, None, None, 1),
                 top_themes=tuple(ThemeCount(t, n) for t, n in themes), themes_note="", emerging=(),
                 emerging_note="", groups=(), sources=(), candidates=0, documents_by_month=tuple(months))


def test_each_chart_holds_the_brief_figures_and_renders_to_a_png() -> None:
    brief = _brief([("energy", 2), ("health <b>", 1)], [("2024-05", 2), ("2024-06", 1)])
    specs = chart_specs(brief)
    assert list(specs) == ["themes", "months"]
    _title, alt, spec = specs["themes"]
    assert [(r["label"], r["value"]) for r in spec["data"]["values"]] == [("energy", 2), ("health <b>", 1)]
    assert alt == "Bar chart of documents per theme: energy 2, health <b> 1"
    # Small counts: a tick at each whole number, none at halves.
    assert spec["encoding"]["x"]["axis"]["values"] == [0, 1, 2]
    images = brief_charts(brief)
    for image in images.values():
        assert image.png[:8] == b"\x89PNG\r\n\x1a\n"
        width, height = struct.unpack(">II", image.png[16:24])
        assert width > 500 and height > 100


def test_no_data_no_chart() -> None:
    assert chart_specs(_brief([], [])) == {}
    assert list(chart_specs(_brief([], [("2024-05", 0)]))) == []
