"""The three formats, opened back as a reader's program would: the HTML parsed, the Markdown rendered
by markdown-it-py, the deck opened by python-pptx. What they must hold (every signal, every source
link) and must not (a request to another host, a script, a link that is not http(s), markup made
out of document text)."""

from __future__ import annotations

import datetime as dt
import io
import math
from html.parser import HTMLParser
from pathlib import Path

import pytest

from signals.brief import html, markdown, slides
from signals.brief.charts import brief_charts
from signals.brief.content import build_brief
from signals.brief.files import brief_bytes
from signals.brief.options import BriefOptions
from signals.cli import main
from signals.filters import Filters
from signals.ingest.load import load_corpus
from signals.workspace import annotations, open_store
from tests.brief.brief_corpus import DOCUMENTS, SOURCE_URLS, write_brief_corpus
from tests.hostile_corpus import MARKUP, write_hostile_corpus

TODAY = dt.date(2024, 7, 1)
HOSTILE_TITLE = "<script>window.__pwned=1</script> [click](javascript:alert(1)) **bold**"
HOSTILE_NOTE = "<img src=https://evil.test/pixel.png onerror=alert(1)> see https://evil.test/x and <b>this</b>"


class _Page(HTMLParser):
    """Every element with its attributes, and the text, of an HTML page."""

    def __init__(self) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)

    def tags(self, name: str) -> list[dict[str, str]]:
        return [attrs for tag, attrs in self.elements if tag == name]


def _parsed(page: str) -> _Page:
    parser = _Page()
    parser.feed(page)
    return parser


@pytest.fixture(scope="module")
def corpus_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_brief_corpus(tmp_path_factory.mktemp("brief-formats"))


@pytest.fixture(scope="module")
def brief(corpus_dir: Path, tmp_path_factory: pytest.TempPathFactory):
    corpus = load_corpus(corpus_dir, use_cache=False)
    store = open_store(corpus_dir, tmp_path_factory.mktemp("ws") / "workspace.sqlite")
    annotations.annotate(store, annotations.row_target("grid", "signals", "Heat pumps"),
                         {"impact": 4, "note": HOSTILE_NOTE})
    return build_brief(corpus, corpus, Filters(), annotations.read(store),
                       BriefOptions(select="top", title=HOSTILE_TITLE), today=TODAY)


@pytest.fixture(scope="module")
def charts(brief):
    return brief_charts(brief)


@pytest.fixture(scope="module")
def hostile_brief(tmp_path_factory: pytest.TempPathFactory):
    corpus = load_corpus(write_hostile_corpus(tmp_path_factory.mktemp("hostile-brief")), use_cache=False)
    return build_brief(corpus, corpus, Filters(), None, BriefOptions(select="view", max_signals=200), today=TODAY)


# ---------------------------------------------------------------------------------------------
# HTML
# ---------------------------------------------------------------------------------------------
def _resource_urls(page: _Page) -> list[str]:
    """Every URL the page would load by itself: src of anything, href of link elements, srcset, and
    url(...) / @import in style."""
    urls = [attrs[key] for tag, attrs in page.elements for key in ("src", "srcset", "data", "poster") if key in attrs]
    urls += [attrs.get("href", "") for attrs in page.tags("link")]
    return urls


def test_html_requests_nothing_and_links_only_to_the_sources(brief, charts) -> None:
    text = html.render(brief, charts)
    page = _parsed(text)
    assert page.tags("script") == [] and page.tags("link") == [] and page.tags("iframe") == []
    resources = _resource_urls(page)
    assert len(resources) == len(charts) == 2
    assert all(url.startswith("data:image/png;base64,") for url in resources)
    style = "".join(page.text[i] for i in range(len(page.text)))
    assert "@import" not in style and "url(" not in style
    links = [attrs["href"] for attrs in page.tags("a")]
    # Each source is linked under every signal citing it and once in the list of sources.
    assert set(links) == {url for url in SOURCE_URLS.values()}
    csp = [attrs for attrs in page.tags("meta") if attrs.get("http-equiv") == "Content-Security-Policy"]
    assert csp and "default-src 'none'" in csp[0]["content"]


def test_html_shows_every_signal_and_source_with_its_address(brief, charts) -> None:
    page = _parsed(html.render(brief, charts))
    shown = " ".join(page.text)
    for spec in DOCUMENTS.values():
        assert spec["title"] in shown
        for rows in spec["rows"].values():
            for name, _, _ in rows:  # "home  BATTERIES" is shown as "Home batteries", the same signal
                assert " ".join(name.split()).lower() in shown.lower()
    for url in SOURCE_URLS.values():
        assert url in shown  # written out, not only in the href


def test_html_keeps_hostile_title_and_note_as_text(brief, charts) -> None:
    text = html.render(brief, charts)
    page = _parsed(text)
    shown = "".join(page.text)
    assert HOSTILE_TITLE in shown and HOSTILE_NOTE in shown
    assert page.tags("img") == [attrs for attrs in page.tags("img") if attrs["src"].startswith("data:")]
    assert len(page.tags("b")) == 4 + 1  # the brief's own: the 4 headline figures and "Analyst:"
    assert "javascript:" not in " ".join(attrs.get("href", "") for attrs in page.tags("a"))


def test_html_of_a_hostile_corpus_links_http_only_and_runs_nothing(hostile_brief) -> None:
    page = _parsed(html.render(hostile_brief, {}))
    assert page.tags("script") == [] and page.tags("iframe") == [] and page.tags("svg") == []
    hrefs = [attrs["href"] for attrs in page.tags("a")]
    assert hrefs and all(href.startswith(("https://", "http://")) for href in hrefs)
    assert all(not any(key.startswith("on") for key in attrs) for _, attrs in page.elements)
    shown = "".join(page.text)
    assert sum(markup in shown for markup in MARKUP) >= 5  # the payloads are there, as text


def test_html_prints_signal_blocks_whole() -> None:
    assert "@media print" in html._STYLE and "break-inside: avoid" in html._STYLE


# ---------------------------------------------------------------------------------------------
# Markdown
# ---------------------------------------------------------------------------------------------
def _markdown_as_html(text: str) -> _Page:
    from markdown_it import MarkdownIt

    return _parsed(MarkdownIt("commonmark").enable("table").render(text))


def test_markdown_renders_sections_signals_and_source_links(brief) -> None:
    page = _markdown_as_html(markdown.render(brief))
    headings = ["".join(page.text)]  # the text, to look for what the reader sees
    assert [h for h, _ in page.elements if h in ("h1", "h2")].count("h2") == 5
    links = [attrs["href"] for attrs in page.tags("a")]
    assert set(links) == set(SOURCE_URLS.values())
    shown = headings[0]
    assert "Home batteries" in shown and "relevancy 5, 2 documents" in shown
    assert page.tags("table")  # top themes and emerging


def test_markdown_keeps_hostile_text_inert(brief, hostile_brief) -> None:
    for made in (brief, hostile_brief):
        page = _markdown_as_html(markdown.render(made))
        assert page.tags("script") == [] and page.tags("img") == [] and page.tags("iframe") == []
        assert all(attrs["href"].startswith(("https://", "http://")) for attrs in page.tags("a"))
        assert [tag for tag, _ in page.elements if tag in ("strong", "em")].count("em") <= \
            sum(1 for s in made.signals if s.assessment) * 2  # the brief's own *Analyst:* / *Note:* only
    shown = "".join(_markdown_as_html(markdown.render(brief)).text)
    assert HOSTILE_TITLE in shown.replace("\u2060", "")
    assert HOSTILE_NOTE in shown.replace("\u2060", "")


# ---------------------------------------------------------------------------------------------
# PowerPoint
# ---------------------------------------------------------------------------------------------
def _deck(payload: bytes):
    from pptx import Presentation

    return Presentation(io.BytesIO(payload))


def _runs(slide):
    for shape in slide.shapes:
        if shape.has_text_frame:
            for paragraph in shape.text_frame.paragraphs:
                yield from paragraph.runs


def test_pptx_has_title_summary_a_slide_per_group_and_sources(brief, charts) -> None:
    deck = _deck(slides.render(brief, charts))
    expected = 1 + 1 + len(brief.groups) + math.ceil(len(brief.sources) / slides.SOURCES_PER_SLIDE)
    assert len(deck.slides) == expected == 1 + 1 + 3 + 1
    titles = [next(_runs(slide)).text for slide in deck.slides]
    assert titles[0] == HOSTILE_TITLE  # plain text, as typed
    assert titles[1:] == ["At a glance", "energy", "health", "(no theme)", "Sources"]
    pictures = [shape for shape in deck.slides[1].shapes if shape.shape_type == 13]
    assert len(pictures) == 2


def test_pptx_links_every_source_and_only_http(brief, charts) -> None:
    deck = _deck(slides.render(brief, charts))
    addresses = {run.hyperlink.address for slide in deck.slides for run in _runs(slide) if run.hyperlink.address}
    assert addresses == set(SOURCE_URLS.values())
    sources_text = " ".join(run.text for run in _runs(deck.slides[-1]))
    for url in SOURCE_URLS.values():
        assert url in sources_text


def test_pptx_shapes_stay_on_the_slide(brief, charts) -> None:
    deck = _deck(slides.render(brief, charts))
    for slide in deck.slides:
        for shape in slide.shapes:
            assert shape.left >= 0 and shape.top >= 0
            assert shape.left + shape.width <= deck.slide_width
            assert shape.top + shape.height <= deck.slide_height


def test_pptx_of_a_hostile_corpus_opens_and_links_http_only(hostile_brief) -> None:
    deck = _deck(slides.render(hostile_brief, {}))
    addresses = [run.hyperlink.address for slide in deck.slides for run in _runs(slide) if run.hyperlink.address]
    assert addresses and all(address.startswith(("https://", "http://")) for address in addresses)
    every_text = " ".join(run.text for slide in deck.slides for run in _runs(slide))
    assert sum(markup in every_text for markup in MARKUP) >= 5


def test_a_note_with_control_characters_still_makes_a_deck(brief) -> None:
    from dataclasses import replace

    broken = replace(brief, title="Tab\tbell\x07vertical\x0btab")
    deck = _deck(brief_bytes(broken, "pptx", charts={}))
    assert next(_runs(deck.slides[0])).text == "Tab\tbellverticaltab"


# ---------------------------------------------------------------------------------------------
# The command
# ---------------------------------------------------------------------------------------------
def test_signals_brief_writes_each_format_from_the_suffix(corpus_dir: Path, tmp_path: Path) -> None:
    workspace = str(tmp_path / "ws.sqlite")
    for name in ("brief.md", "brief.html", "brief.pptx"):
        out = tmp_path / name
        assert main(["brief", str(corpus_dir), "--out", str(out), "--workspace", workspace,
                     "--min-relevancy", "4", "--title", "Weekly"]) == 0
        assert out.stat().st_size > 0
    md = (tmp_path / "brief.md").read_text(encoding="utf-8")
    assert md.startswith("# Weekly\n") and "relevancy ≥ 4" in md and "Solar roofs" not in md
    assert (tmp_path / "brief.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert len(_deck((tmp_path / "brief.pptx").read_bytes()).slides) >= 4
    assert main(["brief", str(corpus_dir), "--out", str(tmp_path / "b.txt"), "--format", "md",
                 "--workspace", workspace]) == 0
    assert (tmp_path / "b.txt").read_text(encoding="utf-8").startswith("# Signals brief")


def test_signals_brief_refuses_an_unknown_suffix(corpus_dir: Path, tmp_path: Path, capsys) -> None:
    assert main(["brief", str(corpus_dir), "--out", str(tmp_path / "brief.docx")]) == 2
    assert ".md, .html or .pptx" in capsys.readouterr().err


def test_signals_brief_says_what_sets_the_view_apart(tmp_path: Path) -> None:
    """On planted documents (tests/planted.py): in the 20 "energy" documents the planted theme is in
    16, against 4 of the 80 others; the brief of that view names it with those counts."""
    from tests import planted

    folder = planted.write(tmp_path / "docs", planted.distinctive_docs())
    out = tmp_path / "energy.md"
    assert main(["brief", str(folder), "--out", str(out), "--category", "energy",
                 "--workspace", str(tmp_path / "ws.sqlite")]) == 0
    md = out.read_text(encoding="utf-8")
    assert "What sets this view apart" in md
    section = md.split("What sets this view apart", 1)[1]
    planted_row = next(line for line in section.splitlines() if planted.DISTINCT_THEME in line)
    assert "| 16 |" in planted_row and "| 4 |" in planted_row, planted_row


def test_a_row_without_a_name_gets_a_short_heading_and_its_description_below() -> None:
    """Most real Technologies rows have no name: the brief names them by a short label made from
    the description (signals.analysis.short_labels), and says the whole description under it."""
    from signals.brief.content import Signal

    description = "A technology that enables machines to learn from data and improve over time without programming."
    signal = Signal(section="technologies", name="", description=description, relevancy=5, sources=(1,))
    assert signal.heading and len(signal.heading) < len(description) and signal.shows_description
    lines = markdown._signal(signal)[0].split("  \n")
    assert lines[0].startswith(f"- **{signal.heading}**")
    assert description.rstrip(".") in lines[1]  # escaped for Markdown: "programming\\."
    named = Signal(section="signals", name="Machine learning at work", description=description, relevancy=5,
                   sources=(1,))
    assert named.heading == "Machine learning at work" and named.shows_description
    alone = Signal(section="signals", name="Machine learning at work", description="", relevancy=5, sources=(1,))
    assert not alone.shows_description
