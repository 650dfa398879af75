"""Every name that crosses a module boundary: tables, columns, sections, aliases, page query keys.

One place, so the parser, the cache, the filters, the exports and the app agree on spelling.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# ---------------------------------------------------------------------------------------------
# Files
# ---------------------------------------------------------------------------------------------
DOCUMENT_SUFFIXES = (".md", ".markdown", ".txt")

# ---------------------------------------------------------------------------------------------
# Sections
# ---------------------------------------------------------------------------------------------
#: The five table sections the pipeline writes, in the order the documents list them.
TABLE_SECTIONS = ("signals", "concerns", "behaviors", "technologies", "issues")

#: Sections that are not tables: their slugs.
KEYWORDS, THEMES, OTHER, SUMMARY, CLOSEST = "keywords", "themes", "other", "summary", "closest"

#: Rows found before the first section heading land in this section.
PREAMBLE = "preamble"

#: Heading text (already slugged) -> canonical section slug.
SECTION_ALIASES = {
    "signal": "signals",
    "signals": "signals",
    "weak_signals": "signals",
    "concern": "concerns",
    "concerns": "concerns",
    "behavior": "behaviors",
    "behaviors": "behaviors",
    "behaviour": "behaviors",
    "behaviours": "behaviors",
    "technology": "technologies",
    "technologies": "technologies",
    "tech": "technologies",
    "issue": "issues",
    "issues": "issues",
    "keyword": KEYWORDS,
    "keywords": KEYWORDS,
    "tags": KEYWORDS,
    "theme": THEMES,
    "themes": THEMES,
    "other": OTHER,
    "others": OTHER,
    "metadata": OTHER,
    "summary": SUMMARY,
    "abstract": SUMMARY,
    "closest": CLOSEST,
    "closest_documents": CLOSEST,
    "related": CLOSEST,
}

# ---------------------------------------------------------------------------------------------
# Columns
# ---------------------------------------------------------------------------------------------
NAME, DESCRIPTION, RELEVANCY = "name", "description", "relevancy"

#: Header text (already slugged) -> canonical column name.
COLUMN_ALIASES = {
    "name": NAME,
    "title": NAME,
    "signal": NAME,
    "concern": NAME,
    "behavior": NAME,
    "behaviour": NAME,
    "technology": NAME,
    "issue": NAME,
    "description": DESCRIPTION,
    "desc": DESCRIPTION,
    "relevancy": RELEVANCY,
    "relevance": RELEVANCY,
    "10_year": "ten_year",
    "10y": "ten_year",
    "10y_horizon": "ten_year",
    "10_year_horizon": "ten_year",
    "ten_year": "ten_year",
    "horizon": "ten_year",
    "driving_force": "driving_force",
    "driving_forces": "driving_force",
    "driver": "driving_force",
    "change": "change",
    "src": "src",
    "source": "src",
}

#: The columns of the items frame that every row has, whatever its section.
ITEM_KEY_COLUMNS = ("doc_id", "section", "row", "line")
ITEM_COLUMNS = (*ITEM_KEY_COLUMNS, NAME, DESCRIPTION, RELEVANCY, "label")
#: Well-known text columns, in display order, after the ones above.
KNOWN_TEXT_COLUMNS = ("change", "ten_year", "driving_force", "src")

DOCUMENT_COLUMNS = (
    "doc_id",
    "title",
    "date",
    "page_id",
    "page_url",
    "article_url",
    "domain",
    "category",
    "type",
    "summary",
    "path",
    "duplicate_of",
)
KEYWORD_COLUMNS = ("doc_id", "keyword")
THEME_COLUMNS = ("doc_id", "theme", "theme_key")
LINK_COLUMNS = ("doc_id", "target_id", "title")
PROBLEM_COLUMNS = ("path", "line", "section", "severity", "message")
#: Exports: document column -> the column it becomes beside each row of a table with a doc_id
#: (prefixed: a section may have its own `date` column, and links have their target's `title`).
DOCUMENT_CONTEXT_COLUMNS = {"title": "document_title", "date": "document_date", "domain": "document_domain"}

#: The analyst's annotation of a row or document (signals.workspace.annotations), as the columns
#: exports add beside each row; a table that has a column of that name already gets `annotation_<name>`.
ANNOTATION_COLUMNS = ("starred", "status", "impact", "likelihood", "horizon", "tags", "note")

#: The items frame's content key of each row (signals.workspace.keys.with_row_keys adds it after a
#: load): what annotations are kept under. Internal: exports leave it out.
ROW_KEY = "row_key"

#: Frame names of a Corpus, in export order (section tables follow as their own names).
FRAME_NAMES = ("documents", "keywords", "themes", "items", "links", "problems")

SEVERITIES = ("error", "warning", "info")

RELEVANCY_MIN, RELEVANCY_MAX = 1, 5

# ---------------------------------------------------------------------------------------------
# URL query-parameter keys. The filters' own (`?theme=`, `?rmin=`...) are declared with their
# facets, in signals.facets; these are the app's other parameters.
# ---------------------------------------------------------------------------------------------
#: The Document page's query parameter (not a filter).
DOCUMENT_QUERY_KEY = "doc"
#: The Tables page's chosen table (`?table=signals`), so a link or a trip to a document keeps the tab.
TABLE_QUERY_KEY = "table"

_NON_WORD = re.compile(r"[^0-9a-z]+")


@lru_cache(maxsize=65536)
def slug(text: str) -> str:
    """A heading or header text -> lowercase words joined by underscores (`10-Year` -> `10_year`)."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    return _NON_WORD.sub("_", folded).strip("_")


@lru_cache(maxsize=65536)
def section_slug(heading: str) -> str:
    """A section heading's text -> its canonical section slug (`  Weak Signals ` -> `signals`)."""
    key = slug(heading)
    return SECTION_ALIASES.get(key, key or "untitled")


@lru_cache(maxsize=65536)
def column_name(header: str) -> str:
    """A table header cell -> its canonical column name (`Driving force` -> `driving_force`)."""
    key = slug(header)
    return COLUMN_ALIASES.get(key, key or "column")


@lru_cache(maxsize=65536)
def theme_key(theme: str) -> str:
    """Canonical form of a theme for counting: Unicode NFKC, case-folded, inner spaces collapsed."""
    return " ".join(unicodedata.normalize("NFKC", theme).casefold().split())


def fold_plural(word: str) -> str:
    """An English word -> a crude singular: `batteries` -> `battery`, `pumps` -> `pump`, `glass` stays."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith(("sses", "shes", "ches", "xes")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word
