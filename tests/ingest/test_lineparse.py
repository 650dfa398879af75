"""signals.ingest.lineparse: every spelling of the document format, with the values and problems it yields.

Each variant is a small document written out below. Line numbers in the expectations come from
`line_of` (the 1-based line of the first line holding a piece of text), so they are independent of
the parser. Both parser paths -- the chunked fast path and the line walk -- must give the same
record on every fixture, on the seed and on every shared-corpus document.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from signals.ingest import lineparse
from signals.ingest.lineparse import page_date, parse_document, parse_relevancy, split_cells

ROOT = Path(__file__).resolve().parents[2]
SEED_FILE = ROOT / "seeds" / "000_19f67a480975dbd3.txt"  # as in conftest.py (not imported: tests/*/conftest.py)


def line_of(text: str, needle: str, start: int = 1) -> int:
    """1-based number of the first line at or after `start` that contains `needle`."""
    for number, line in enumerate(text.splitlines(), start=1):
        if number >= start and needle in line:
            return number
    raise AssertionError(f"{needle!r} not in text")


def line_walk(text: str) -> dict:
    """The record the general line-by-line path gives (what parse_document falls back to)."""
    state = lineparse._State()
    lineparse._parse_lines(lineparse.normalize_newlines(text.removeprefix("\ufeff")), 0, state)
    return state.finish()


def takes_fast_path(text: str) -> bool:
    """Whether parse_document reads this text with the chunked fast path."""
    return lineparse._parse_chunked("\n".join(lineparse.normalize_newlines(text.removeprefix("\ufeff"))), lineparse._State())


def tables_by_section(record: dict) -> dict[str, list[tuple]]:
    """section -> [(columns, lines, rows, relevancy)] in document order."""
    found: dict[str, list[tuple]] = {}
    for section, columns, lines, rows, relevancy in record["tables"]:
        found.setdefault(section, []).append((columns, lines, rows, relevancy))
    return found


# ---------------------------------------------------------------------------------------------
# Fixtures: one small document per variant
# ---------------------------------------------------------------------------------------------
CURRENT = """\
# __Cities Name Heat Waves__, (from page [20240615](https://example.substack.com/p/20240615).)

__[External link](https://www.example.org/news/heat?utm_medium=newsletter)__



## Keywords

* heat waves
* cities

## Themes

* Climate
* Public health

## Other

* Category: environment
* Type: news
* Source: Example Wire

## Summary

Cities are naming heat waves.
Officials hope it helps.

## Signals

| name | description | change | 10-year | driving-force | relevancy |
|:-----|:------------|:-------|:--------|:--------------|----------:|
| Naming heat waves | Cities name heat waves. | From unnamed to named. | Named like storms. | Awareness. | 4 |
| Heat officers | Cities hire heat officers. | New roles. | Every city has one. | Rising heat. | 5 |

## Concerns

| name | description | relevancy |
|------|-------------|-----------|
| Fatigue | People stop listening. | 3 |

## Technologies

| description | relevancy | src |
|:--|--:|--|
| Heat maps for every street. | 4 | 0123abcd |
"""

OLD_FORMAT = """\
# __Lessons from the Old Format__, from ([20221016](https://example.substack.com/p/20221016))

__[External link](https://old.example.com/a)__

## Summary

An older document: summary first.

## Keywords

- old
- format

## Themes

+ History

## Signals

| Signal | Change | 10y horizon | Driving force |
| --- | --- | --- | --- |
| Old signal | c1 | t1 | d1 |
| Second signal | c2 | t2 | d2 |

## Closest

* [A neighbour](20221001)
* [Another one](<2022/20221002.md>)
* 20221003
"""

HEADINGS = """\
# Headings in other case and spacing, (from page [20240101](https://example.substack.com/p/20240101).)

##  keywords

+ plus bullet
-   dash bullet
*	star bullet after a tab

## THEMES

* upper-case heading

## Signals ##

| name | description | relevancy |
|---|---|---|
| closed heading | a | 1 |

##   Issues   

| name | description | relevancy |
|---|---|---|
| spaced heading | b | 2 |

### Technologies

| name | description | relevancy |
|---|---|---|
| level three | c | 3 |
"""

REPEATED_AND_MISSING = """\
# Only signals, twice, (from page [20240102](https://example.substack.com/p/20240102).)

## Signals

| name | description | relevancy |
|---|---|---|
| first | one | 1 |

## Signals

| name | description | relevancy |
|---|---|---|
| second | two | 2 |
| third | three | 3 |
"""

UNKNOWN_SECTIONS = """\
# Unknown sections, (from page [20240103](https://example.substack.com/p/20240103).)

## Opportunities

| name | description | relevancy | owner |
|---|---|---|---|
| New market | Cooling as a service. | 4 | cities |

## Open questions

Some prose that is not a row.

* Who pays?
* Who decides?
"""

PIPES = """\
# Escaped pipes and bare tables, (from page [20240104](https://example.substack.com/p/20240104).)

## Issues

name | description | relevancy
--- | :---: | ---:
Who pays \\| who decides | Costs \\| benefits | 4
Plain | row | 5

## Concerns

| name | description | relevancy |
|---|---|---|
| A \\| B | x \\|\\| y | 2 |
"""

RAGGED = """\
# Ragged rows, (from page [20240105](https://example.substack.com/p/20240105).)

## Behaviors

| name | description | relevancy |
|---|---|---|
| Short row | only two |
| Long row | desc | 5 | surplus | more |
| Fine | ok | 2 |
"""

RELEVANCY = """\
# Relevancy spellings, (from page [20240106](https://example.substack.com/p/20240106).)

## Signals

| name | description | relevancy |
|---|---|---|
| float | a | 4.0 |
| spaced | b |  5  |
| empty | c | |
| word | d | high |
| zero | e | 0 |
| six | f | 6 |
| fraction | g | 4.5 |
| plain | h | 3 |
"""

OTHER = """\
# Other spellings, (from page [20240107](https://example.substack.com/p/20240107).)

## Keywords

* *a* and *b*
* **bold keyword**

## Other

* **Category:** politics
* __Type__: news
* Region:Asia
* just a note
"""

FIXTURES = {
    "current": CURRENT,
    "old_format": OLD_FORMAT,
    "headings": HEADINGS,
    "repeated_and_missing": REPEATED_AND_MISSING,
    "unknown_sections": UNKNOWN_SECTIONS,
    "pipes": PIPES,
    "ragged": RAGGED,
    "relevancy": RELEVANCY,
    "other": OTHER,
    "crlf_bom": "\ufeff" + CURRENT.replace("\n", "\r\n"),
    "bare_cr": OLD_FORMAT.replace("\n", "\r"),
    "readme": "# My project\n\nInstall it.\n\n## Usage\n\nRun it.\n",
    "empty": "",
    "prose": "just some notes\nwithout | any structure\n",
}


# ---------------------------------------------------------------------------------------------
# The variants
# ---------------------------------------------------------------------------------------------
def test_current_document() -> None:
    record = parse_document(CURRENT)
    assert record["is_document"]
    assert record["title"] == "Cities Name Heat Waves"
    assert record["page_id"] == "20240615"
    assert record["page_url"] == "https://example.substack.com/p/20240615"
    assert record["article_url"] == "https://www.example.org/news/heat?utm_medium=newsletter"
    assert record["keywords"] == ["heat waves", "cities"]
    assert record["themes"] == ["Climate", "Public health"]
    assert record["attrs"] == {"category": "environment", "type": "news", "source": "Example Wire"}
    assert record["summary"] == "Cities are naming heat waves.\nOfficials hope it helps."
    assert record["links"] == []
    assert record["problems"] == []
    assert record["tables"] == [
        (
            "signals",
            ["name", "description", "change", "ten_year", "driving_force"],
            [line_of(CURRENT, "| Naming heat waves"), line_of(CURRENT, "| Heat officers")],
            [
                ["Naming heat waves", "Cities name heat waves.", "From unnamed to named.", "Named like storms.",
                 "Awareness."],
                ["Heat officers", "Cities hire heat officers.", "New roles.", "Every city has one.", "Rising heat."],
            ],
            [4, 5],
        ),
        ("concerns", ["name", "description"], [line_of(CURRENT, "| Fatigue")],
         [["Fatigue", "People stop listening."]], [3]),
        # Technologies without a name column, relevancy before src: columns as written.
        ("technologies", ["description", "src"], [line_of(CURRENT, "| Heat maps")],
         [["Heat maps for every street.", "0123abcd"]], [4]),
    ]
    # Hand-counted, so line_of itself is checked once.
    assert record["tables"][0][2] == [32, 33]


def test_old_format_title_columns_summary_first_and_closest() -> None:
    record = parse_document(OLD_FORMAT)
    # `from ([id](url))` and a title that itself says "from".
    assert record["title"] == "Lessons from the Old Format"
    assert record["page_id"] == "20221016"
    assert record["page_url"] == "https://example.substack.com/p/20221016"
    assert record["article_url"] == "https://old.example.com/a"
    assert record["summary"] == "An older document: summary first."
    assert record["keywords"] == ["old", "format"]
    assert record["themes"] == ["History"]
    assert record["tables"] == [(
        "signals",
        ["name", "change", "ten_year", "driving_force"],
        [line_of(OLD_FORMAT, "| Old signal"), line_of(OLD_FORMAT, "| Second signal")],
        [["Old signal", "c1", "t1", "d1"], ["Second signal", "c2", "t2", "d2"]],
        [None, None],
    )]
    assert record["links"] == [("20221001", "A neighbour"), ("2022/20221002", "Another one"), ("20221003", None)]
    assert record["problems"] == []


@pytest.mark.parametrize(
    ("line", "title", "page_id"),
    [
        ("# __A Timeline from 2011 to 2035__, (from page [20230320](https://x.test/p/20230320).)",
         "A Timeline from 2011 to 2035", "20230320"),
        ("# __From Slide Rules to AI__, (from page [20220917](https://x.test/p/20220917).)",
         "From Slide Rules to AI", "20220917"),
        ("# **Bold title**, from ([20221016](https://x.test/p/20221016))", "Bold title", "20221016"),
        ("# Plain title (from page [20240101](https://x.test/p/20240101).)", "Plain title", "20240101"),
        ("# A title without a page", "A title without a page", None),
    ],
)
def test_title_line_spellings(line: str, title: str, page_id: str | None) -> None:
    record = parse_document(line + "\n\n## Keywords\n\n* k\n")
    assert (record["title"], record["page_id"]) == (title, page_id)


def test_headings_in_other_case_and_spacing_and_bullets() -> None:
    record = parse_document(HEADINGS)
    assert record["keywords"] == ["plus bullet", "dash bullet", "star bullet after a tab"]
    assert record["themes"] == ["upper-case heading"]
    tables = tables_by_section(record)
    assert list(tables) == ["signals", "issues", "technologies"]
    assert tables["signals"][0][2:] == ([["closed heading", "a"]], [1])
    assert tables["issues"][0][2:] == ([["spaced heading", "b"]], [2])
    assert tables["technologies"][0][2:] == ([["level three", "c"]], [3])
    assert record["problems"] == []


def test_missing_sections_and_a_repeated_section() -> None:
    text = REPEATED_AND_MISSING
    record = parse_document(text)
    assert record["is_document"]
    assert (record["keywords"], record["themes"], record["attrs"], record["summary"]) == ([], [], {}, None)
    assert record["tables"] == [
        ("signals", ["name", "description"], [line_of(text, "| first")], [["first", "one"]], [1]),
        ("signals", ["name", "description"], [line_of(text, "| second"), line_of(text, "| third")],
         [["second", "two"], ["third", "three"]], [2, 3]),
    ]
    second_heading = line_of(text, "## Signals", start=line_of(text, "| first"))
    assert record["problems"] == [(second_heading, "signals", "info", "section 'signals' repeated; rows appended")]


def test_unknown_sections_are_their_own_tables() -> None:
    text = UNKNOWN_SECTIONS
    record = parse_document(text)
    assert record["tables"] == [
        ("opportunities", ["name", "description", "owner"], [line_of(text, "| New market")],
         [["New market", "Cooling as a service.", "cities"]], [4]),
        # A bullet list in an unnamed section: one row per bullet; its prose is not a row.
        ("open_questions", ["name"], [line_of(text, "Who pays")], [["Who pays?"]], [None]),
        ("open_questions", ["name"], [line_of(text, "Who decides")], [["Who decides?"]], [None]),
    ]
    assert record["problems"] == []


def test_escaped_pipes_and_tables_without_outer_pipes() -> None:
    text = PIPES
    record = parse_document(text)
    tables = tables_by_section(record)
    assert tables["issues"] == [(
        ["name", "description"],
        [line_of(text, "Who pays"), line_of(text, "Plain |")],
        [["Who pays | who decides", "Costs | benefits"], ["Plain", "row"]],
        [4, 5],
    )]
    assert tables["concerns"][0][2:] == ([["A | B", "x || y"]], [2])
    assert record["problems"] == []


def test_ragged_rows_are_kept_and_aligned() -> None:
    text = RAGGED
    record = parse_document(text)
    short, long = line_of(text, "| Short row"), line_of(text, "| Long row")
    assert record["tables"] == [(
        "behaviors",
        ["name", "description"],
        [short, long, line_of(text, "| Fine")],
        [["Short row", "only two"], ["Long row", "desc"], ["Fine", "ok"]],
        [None, 5, 2],
    )]
    assert record["problems"] == [
        (short, "behaviors", "warning", "row has 2 cells, the header 3; missing cells left empty"),
        (long, "behaviors", "warning", "row has 5 cells, the header 3; extra cells not loaded: 'surplus | more'"),
        (short, "behaviors", "warning", "relevancy is empty; row kept without relevancy"),
    ]


def test_relevancy_spellings() -> None:
    text = RELEVANCY
    record = parse_document(text)
    [(section, columns, lines, rows, relevancy)] = record["tables"]
    assert (section, columns, len(lines)) == ("signals", ["name", "description"], 8)
    assert [row[0] for row in rows] == ["float", "spaced", "empty", "word", "zero", "six", "fraction", "plain"]
    assert relevancy == [4, 5, None, None, None, None, None, 3]
    at = {name: line_of(text, f"| {name} |") for name in ("empty", "word", "zero", "six", "fraction")}
    assert record["problems"] == [
        (at["empty"], "signals", "warning", "relevancy is empty; row kept without relevancy"),
        (at["word"], "signals", "warning", "relevancy 'high' is not a number; row kept without relevancy"),
        (at["zero"], "signals", "warning", "relevancy '0' is outside 1-5; row kept without relevancy"),
        (at["six"], "signals", "warning", "relevancy '6' is outside 1-5; row kept without relevancy"),
        (at["fraction"], "signals", "warning", "relevancy '4.5' is not a whole number; row kept without relevancy"),
    ]
    assert record["problems"][0][0] == 9


def test_other_attributes_and_emphasis() -> None:
    record = parse_document(OTHER)
    assert record["keywords"] == ["*a* and *b*", "bold keyword"]
    assert record["attrs"] == {"category": "politics", "type": "news", "region": "Asia"}
    assert record["problems"] == [
        (line_of(OTHER, "just a note"), "other", "warning", "Other line is not 'Key: value': 'just a note'")]


@pytest.mark.parametrize(
    ("cell", "value", "problem"),
    [
        ("4", 4, None), ("4.0", 4, None), (" 5 ", 5, None), ("1", 1, None), ("5.00", 5, None),
        ("", None, "relevancy is empty"),
        ("high", None, "relevancy 'high' is not a number"),
        ("0", None, "relevancy '0' is outside 1-5"),
        ("-3", None, "relevancy '-3' is outside 1-5"),
        ("6.0", None, "relevancy '6.0' is outside 1-5"),
        ("2.5", None, "relevancy '2.5' is not a whole number"),
    ],
)
def test_parse_relevancy(cell: str, value: int | None, problem: str | None) -> None:
    assert parse_relevancy(cell) == (value, problem)


def test_line_endings_and_byte_order_mark_change_nothing() -> None:
    assert parse_document("\ufeff" + CURRENT.replace("\n", "\r\n")) == parse_document(CURRENT)
    assert parse_document(OLD_FORMAT.replace("\n", "\r")) == parse_document(OLD_FORMAT)
    assert parse_document("\ufeff" + RAGGED.replace("\n", "\r\n")) == parse_document(RAGGED)


@pytest.mark.parametrize("name", ["readme", "empty", "prose"])
def test_files_that_are_not_signal_documents(name: str) -> None:
    assert not parse_document(FIXTURES[name])["is_document"]


def test_what_makes_a_signal_document() -> None:
    assert parse_document("# T, (from page [20240101](https://x.test/p/20240101).)\n")["is_document"]
    assert parse_document("## Signals\n\n| name |\n|---|\n| x |\n")["is_document"]
    assert parse_document("## keywords\n\n* x\n")["is_document"]


@pytest.mark.parametrize(
    ("page_id", "expected"),
    [
        ("20241110", ("2024-11-10", None)),
        ("20290911", ("2029-09-11", None)),  # in the future: kept here, flagged by the corpus
        ("20250309d", ("2025-03-09", "page id '20250309d' has a suffix after its date")),
        ("20241340", (None, "page id '20241340' is not a valid date")),
        ("20230229", (None, "page id '20230229' is not a valid date")),
        ("some-guesses-about-2024", (None, "page id 'some-guesses-about-2024' is not a YYYYMMDD date")),
    ],
)
def test_page_date(page_id: str, expected: tuple) -> None:
    assert page_date(page_id) == expected


@pytest.mark.parametrize(
    ("line", "cells"),
    [
        ("| a | b |", [" a ", " b "]),
        ("a | b", ["a ", " b"]),
        ("| a \\| b | c |", [" a | b ", " c "]),
        ("|a||b|", ["a", "", "b"]),
    ],
)
def test_split_cells(line: str, cells: list[str]) -> None:
    assert split_cells(line) == cells


# ---------------------------------------------------------------------------------------------
# Fast path == line walk
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(FIXTURES))
def test_fast_path_and_line_walk_agree_on_fixtures(name: str) -> None:
    text = FIXTURES[name]
    assert parse_document(text) == line_walk(text)


def test_fast_path_is_taken_on_usual_documents() -> None:
    # Otherwise the agreement above would compare the line walk with itself.
    for name in ("current", "old_format", "relevancy", "ragged", "crlf_bom", "unknown_sections"):
        assert takes_fast_path(FIXTURES[name]), name
    assert takes_fast_path(SEED_FILE.read_text(encoding="utf-8"))


def test_fast_path_and_line_walk_agree_on_the_seed() -> None:
    text = SEED_FILE.read_text(encoding="utf-8")
    assert parse_document(text) == line_walk(text)


def test_fast_path_and_line_walk_agree_on_the_shared_corpus(futures_dir: Path) -> None:
    paths = sorted(futures_dir.glob("*.md"))
    assert paths
    for path in paths:
        text = path.read_text(encoding="utf-8")
        assert takes_fast_path(text), path.name
        assert parse_document(text) == line_walk(text), path.name


# ---------------------------------------------------------------------------------------------
# Property: generated documents load back as written
# ---------------------------------------------------------------------------------------------
_LETTERS = st.characters(categories=("L", "N"))
_WORD = st.one_of(
    st.text(_LETTERS, min_size=1, max_size=8),
    st.sampled_from(["from", "From", "page", "&", "—", "2035", "naïve", "東京", "x-ray", "'quoted'"]),
)
_PHRASE = st.lists(_WORD, min_size=1, max_size=5).map(" ".join)
# Cell text: letters, digits, punctuation (incl. `|` and `\`), symbols, unicode spaces. No line
# breaks; nothing at the ends that a GFM cell loses (markdown-it-py's mdTrim set).
_CELL = st.text(st.characters(categories=("L", "N", "P", "S", "Zs")), max_size=20).map(
    lambda text: text.strip(lineparse.MD_TRIM)
)
_GOOD_RELEVANCY = st.tuples(st.integers(1, 5), st.sampled_from(["{}", "{}.0", " {} "])).map(
    lambda pair: (pair[1].format(pair[0]), pair[0])
)
_BAD_RELEVANCY = st.sampled_from(["", "high", "0", "6", "4.5", "n/a"]).map(lambda cell: (cell, None))
_RELEVANCY_CELL = st.one_of(_GOOD_RELEVANCY, _GOOD_RELEVANCY, _BAD_RELEVANCY)

_TABLE_HEADERS = {
    "signals": (["name", "description", "change", "10-year", "driving-force", "relevancy"],
                ["name", "description", "change", "ten_year", "driving_force"]),
    "named": (["name", "description", "relevancy"], ["name", "description"]),
    "technologies_no_name": (["description", "relevancy", "src"], ["description", "src"]),
}


@st.composite
def _table(draw: st.DrawFn, section: str) -> tuple[str, list[str], list[str], list[list[str]], list[tuple]]:
    if section == "signals":
        kind = "signals"
    elif section == "technologies":
        kind = draw(st.sampled_from(["named", "technologies_no_name"]))
    else:
        kind = "named"
    headers, columns = _TABLE_HEADERS[kind]
    text_columns = len(headers) - 1
    rows = draw(st.lists(st.lists(_CELL, min_size=text_columns, max_size=text_columns), max_size=4))
    relevancy = [draw(_RELEVANCY_CELL) for _ in rows]
    return section, headers, columns, rows, relevancy


@st.composite
def generated_documents(draw: st.DrawFn) -> dict:
    sections = draw(st.permutations(lineparse.schema.TABLE_SECTIONS))[: draw(st.integers(0, 5))]
    return {
        "title": draw(_PHRASE),
        "date": draw(st.dates(dt.date(2000, 1, 1), dt.date(2099, 12, 31))),
        "keywords": draw(st.lists(_PHRASE, max_size=6)),
        "themes": draw(st.lists(_PHRASE, max_size=6)),
        "category": draw(_PHRASE),
        "type": draw(_PHRASE),
        "summary": draw(st.lists(_PHRASE, min_size=1, max_size=3)),
        "tables": [draw(_table(section)) for section in sections],
        "order": draw(st.permutations(["keywords", "themes", "other", "summary", "tables"])),
        "bullet": draw(st.sampled_from("-*+")),
        "case": draw(st.sampled_from([str.title, str.upper, str.lower])),
        "newline": draw(st.sampled_from(["\n", "\r\n"])),
    }


def render(doc: dict) -> tuple[str, list[tuple], list[tuple]]:
    """A generated document -> (markdown, expected tables, expected problems)."""
    page_id = doc["date"].strftime("%Y%m%d")
    lines = [f"# __{doc['title']}__, (from page [{page_id}](https://example.substack.com/p/{page_id}).)",
             "", "__[External link](https://news.example.com/a)__", ""]
    tables: list[tuple] = []
    problems: list[tuple] = []
    bullet, case = doc["bullet"], doc["case"]

    def block(heading: str, body: list[str]) -> None:
        lines.extend([f"## {case(heading)}", "", *body, ""])

    for part in doc["order"]:
        if part in ("keywords", "themes"):
            block(part, [f"{bullet} {value}" for value in doc[part]])
        elif part == "other":
            block("Other", [f"{bullet} Category: {doc['category']}", f"{bullet} Type: {doc['type']}"])
        elif part == "summary":
            block("Summary", doc["summary"])
        else:
            for section, headers, columns, rows, relevancy in doc["tables"]:
                lines.extend([f"## {case(section)}", "", "| " + " | ".join(headers) + " |",
                              "|" + "|".join(["---"] * len(headers)) + "|"])
                row_lines = []
                for cells, (relevancy_cell, value) in zip(rows, relevancy):
                    row_lines.append(len(lines) + 1)
                    written = [cell.replace("|", "\\|") for cell in cells]
                    written.insert(headers.index("relevancy"), relevancy_cell)
                    lines.append("| " + " | ".join(written) + " |")
                    if value is None:
                        problems.append((len(lines), section))
                lines.append("")
                tables.append((section, columns, row_lines, [list(cells) for cells in rows],
                               [value for _, value in relevancy]))
    return doc["newline"].join(lines), tables, problems


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(generated_documents())
def test_generated_documents_load_back_as_written(doc: dict) -> None:
    text, tables, problems = render(doc)
    record = parse_document(text)
    assert record["is_document"]
    assert record["title"] == doc["title"]
    assert record["page_id"] == doc["date"].strftime("%Y%m%d")
    assert record["article_url"] == "https://news.example.com/a"
    assert record["keywords"] == doc["keywords"]
    assert record["themes"] == doc["themes"]
    assert record["attrs"] == {"category": doc["category"], "type": doc["type"]}
    assert record["summary"] == "\n".join(doc["summary"])
    assert record["tables"] == tables
    assert [(line, section) for line, section, _, _ in record["problems"]] == problems
    assert all(severity == "warning" and message.startswith("relevancy") for _, _, severity, message in
               record["problems"])
    assert record == line_walk(text)


_LINE_KINDS = [
    "", "", "", "## Signals", "##  concerns ##", "## Other", "## Keywords", "### Summary", "## Closest",
    "## Odd Section", "# __T__, (from page [20240101](https://x.test/p/20240101).)", "#hashtag", " ## Issues",
    "| name | description | relevancy |", "| description | relevancy | src |", "|---|---|---|", "|:-|-:|", "---|---",
    "| x | y | 4 |", "| x | y |", "| x \\| y | z | 5 | extra |", "a | b", "a | b | 4.0", "| x | y | high |",
    "* item", "- Category: news", "+ [Link](doc1)", "text line", "    indented | code", "> quote", "```", "|",
    "\t| t | u |", "1. first", "***", "<div>",
]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(_LINE_KINDS), max_size=30), st.sampled_from(["\n", "\r\n"]))
def test_fast_path_and_line_walk_agree_on_any_mix_of_lines(lines: list[str], newline: str) -> None:
    text = newline.join(lines)
    assert parse_document(text) == line_walk(text)
