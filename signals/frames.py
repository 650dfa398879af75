"""Parsed batches -> raw Arrow tables (what the cache stores) -> the Corpus's typed pandas frames.

Raw tables hold only what parsing a file yields, so they can be cached per file. Everything that
depends on the whole corpus or on today (dates in the future, duplicates, theme spellings) is derived
in `finalize`, on every load.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

import pandas as pd
import pyarrow as pa

from signals import schema
from signals.reader import SECTION_COLUMNS


def _domain(urls: pd.Series) -> pd.Series:
    def host(url: object) -> object:
        if not isinstance(url, str) or not url:
            return None
        try:
            netloc = urlsplit(url).hostname or ""
        except ValueError:  # `http://[oops` (an unclosed IPv6 bracket) must not stop the load
            return None
        return netloc.removeprefix("www.") or None

    # A few thousand distinct URLs at most per 10k docs: mapping unique values keeps this cheap.
    return urls.map(host).astype("category")


def _theme_spelling(themes: pd.DataFrame) -> pd.Series:
    """theme_key -> its most common spelling (ties: alphabetical first)."""
    counts = themes.groupby(["theme_key", "theme"], observed=True).size().reset_index(name="n")
    counts = counts.sort_values(["theme_key", "n", "theme"], ascending=[True, False, True])
    return counts.drop_duplicates("theme_key").set_index("theme_key")["theme"]


def finalize(raw: dict[str, pa.Table], today: dt.date | None = None) -> dict[str, pd.DataFrame]:
    """Raw tables -> the Corpus frames with their dtypes and derived columns (see signals.corpus)."""
    today = today or dt.date.today()
    documents = raw["documents"].to_pandas()
    problems = raw["problems"].to_pandas()
    extra_problems: list[dict] = []

    # Dates from page ids: invalid -> missing (flagged); future -> kept (flagged).
    from signals.parse import page_date

    iso_dates = []
    for doc_id, path, page_id in zip(documents["doc_id"], documents["path"], documents["page_id"]):
        if page_id is None or page_id is pd.NA or (isinstance(page_id, float)):
            iso_dates.append(None)
            extra_problems.append(_problem(doc_id, path, 1, None, "warning", "no page id in the title line; date missing"))
            continue
        iso, note = page_date(page_id)
        iso_dates.append(iso)
        if note:
            extra_problems.append(_problem(doc_id, path, 1, None, "warning" if iso is None else "info",
                                           note + ("; date missing" if iso is None else "; date taken from it")))
        # Not `elif`: `20290911b` has a suffix *and* lies in the future; both are worth a row.
        if iso is not None and iso > today.isoformat():
            extra_problems.append(_problem(doc_id, path, 1, None, "warning",
                                           f"date {iso} is in the future (page id {page_id!r}); kept"))
    documents["date"] = pd.to_datetime(pd.Series(iso_dates, dtype="object"), format="%Y-%m-%d", errors="coerce")
    documents["domain"] = _domain(documents["article_url"])

    # The same bytes under two names: both kept, the later ones flagged.
    documents = documents.sort_values("doc_id", kind="stable").reset_index(drop=True)
    first_of_digest = documents.drop_duplicates("digest").set_index("digest")["doc_id"]
    duplicate_of = documents["digest"].map(first_of_digest)
    is_duplicate = duplicate_of != documents["doc_id"]
    documents["duplicate_of"] = duplicate_of.where(is_duplicate, None)
    for doc_id, path, original in documents.loc[is_duplicate, ["doc_id", "path", "duplicate_of"]].itertuples(index=False):
        extra_problems.append(_problem(doc_id, path, 1, None, "warning", f"duplicate of {original!r} (same bytes); both kept"))

    for column in ("category", "type"):
        if column not in documents.columns:
            documents[column] = None
        documents[column] = documents[column].astype("category")
    ordered = [c for c in schema.DOCUMENT_COLUMNS if c in documents.columns]
    rest = [c for c in documents.columns if c not in ordered and c not in ("digest", SECTION_COLUMNS)]
    documents = documents[ordered + rest]

    keywords = raw["keywords"].to_pandas()
    themes = raw["themes"].to_pandas()
    themes["theme_key"] = themes["theme"].map(schema.theme_key) if len(themes) else pd.Series(dtype="str")
    if len(themes):
        spelling = _theme_spelling(themes)
        themes["theme"] = themes["theme_key"].map(spelling)
    themes = themes.drop_duplicates(["doc_id", "theme_key"]).reset_index(drop=True)
    keywords = keywords.drop_duplicates(["doc_id", "keyword"]).reset_index(drop=True)
    themes["theme"] = themes["theme"].astype("category")
    themes["theme_key"] = themes["theme_key"].astype("category")
    keywords["keyword"] = keywords["keyword"].astype("category")

    items = _finalize_items(raw["items"])

    links = raw["links"].to_pandas()
    if extra_problems:
        problems = pd.concat([problems, pd.DataFrame(extra_problems)], ignore_index=True)
    problems["line"] = problems["line"].astype("Int32")
    problems["severity"] = pd.Categorical(problems["severity"], categories=list(schema.SEVERITIES))
    problems["section"] = problems["section"].astype("category")
    problems = problems.sort_values(["path", "line"], kind="stable").reset_index(drop=True)

    links = links[list(schema.LINK_COLUMNS)] if len(links.columns) else pd.DataFrame(columns=list(schema.LINK_COLUMNS))
    # doc_id in the row frames is categorical over the documents' ids: filters then match integer
    # codes instead of strings (isin on 214k rows: 53 ms as strings, 2 ms as codes; 10k benchmark).
    doc_ids = pd.CategoricalDtype(documents["doc_id"].astype("str"))
    return {
        "documents": documents,
        "keywords": _with_doc_codes(keywords[list(schema.KEYWORD_COLUMNS)], doc_ids),
        "themes": _with_doc_codes(themes[list(schema.THEME_COLUMNS)], doc_ids),
        "items": _with_doc_codes(items, doc_ids),
        "links": _with_doc_codes(links, doc_ids),
        "problems": problems[["doc_id", *schema.PROBLEM_COLUMNS]],
    }


def _with_doc_codes(frame: pd.DataFrame, doc_ids: pd.CategoricalDtype) -> pd.DataFrame:
    frame = frame.copy(deep=False)
    frame["doc_id"] = frame["doc_id"].astype("str").astype(doc_ids)
    return frame


def _finalize_items(raw_items: pa.Table) -> pd.DataFrame:
    items = raw_items.to_pandas()
    for column in (schema.NAME, schema.DESCRIPTION):
        if column not in items.columns:
            items[column] = pd.Series(pd.NA, index=items.index, dtype="str")
    items[schema.RELEVANCY] = items[schema.RELEVANCY].astype("Int8")
    items["section"] = items["section"].astype("category")
    items["row"] = items["row"].astype("int32")
    items["line"] = items["line"].astype("int32")
    # Rows without a name (real Technologies tables) are labelled by their description.
    items["label"] = items[schema.NAME].where(items[schema.NAME].notna() & (items[schema.NAME] != ""),
                                             items[schema.DESCRIPTION])
    known = [c for c in schema.KNOWN_TEXT_COLUMNS if c in items.columns]
    rest = [c for c in items.columns if c not in schema.ITEM_COLUMNS and c not in known]
    return items[[*schema.ITEM_COLUMNS, *known, *rest]]


def _problem(doc_id: str, path: str, line: int, section: str | None, severity: str, message: str) -> dict:
    return {"doc_id": doc_id, "path": path, "line": line, "section": section, "severity": severity, "message": message}
