"""Parsed batches -> raw Arrow tables (what the cache stores) -> the Corpus's typed pandas frames.

Raw tables hold only what parsing a file yields, so they can be cached per file. Everything that
depends on the whole corpus or on today (dates in the future, duplicates, theme spellings) is derived
in `finalize`, on every load.
"""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pandas as pd
import pyarrow as pa

from signals import schema
from signals.reader import SECTION_COLUMNS

_HOST = r"^[A-Za-z][A-Za-z0-9+.\-]*://(?:[^@/?#]*@)?(?:\[([^\]/?#]*)\]|([^:/?#\[\]]*))"


def _domain(urls: pd.Series) -> pd.Series:
    """Article URLs -> their host, lowercased, without `www.` (what urlsplit().hostname gives).

    One vectorized regex rather than urlsplit per URL: 10k URLs took 150 ms with urlsplit, a few
    ms this way; and a malformed URL (`http://[oops`) yields no host instead of an exception.
    """
    parts = _extract(urls, _HOST)
    bracketed = parts[0].where(parts[0] != "", None)  # RE2 gives "" for a group that took no part
    host = bracketed.fillna(parts[1]).str.lower().str.removeprefix("www.")
    return host.where(host.notna() & (host != ""), None).astype("category")


def _extract(values: pd.Series, pattern: str) -> pd.DataFrame:
    """Regex groups of each value (columns 0, 1, ...; missing where no match), with pyarrow's RE2:
    pandas' str.extract runs Python's re per value (measured 10x slower on 10k page ids)."""
    import pyarrow.compute as pc

    groups = re.compile(pattern).groups
    array = _arrow_text(values)
    struct = pc.extract_regex(array, _named_groups(pattern))
    matched = struct.is_valid()  # a non-matching value is a null struct whose fields are not null
    # to_pandas keeps Arrow's buffers (pandas' str dtype); to_pylist made a Python string per value.
    return pd.DataFrame({
        index: pc.if_else(matched, struct.field(f"g{index}"), None).to_pandas().astype("str").set_axis(values.index)
        for index in range(groups)
    }, index=values.index)


def _named_groups(pattern: str) -> str:
    """`(a)(b)` -> `(?P<g0>a)(?P<g1>b)`: RE2's extract_regex needs every group named."""
    out, index, i = [], 0, 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            out.append(pattern[i:i + 2])
            i += 2
            continue
        if ch == "(" and not pattern.startswith("(?", i):
            out.append(f"(?P<g{index}>")
            index += 1
        else:
            out.append(ch)
        i += 1
    return "".join(out)


def _dates(documents: pd.DataFrame, today: dt.date) -> tuple[pd.Series, list[dict]]:
    """Page ids -> dates (missing when not a valid YYYYMMDD) and a problem for each doubtful one.

    Vectorized; the messages are those of parse.page_date (tested against it).
    """
    parts = _extract(documents["page_id"].astype("str").str.strip(), r"^(\d{8})(\D.*)?$")
    dates = pd.to_datetime(parts[0], format="%Y%m%d", errors="coerce")
    missing = documents["page_id"].isna()
    not_form = ~missing & parts[0].isna()
    invalid = parts[0].notna() & dates.isna()
    suffix = dates.notna() & parts[1].notna() & (parts[1] != "")
    future = dates > pd.Timestamp(today)
    problems: list[dict] = []

    def report(mask: pd.Series, severity: str, message) -> None:
        if not mask.any():
            return
        rows = documents.loc[mask, ["doc_id", "path", "page_id"]].assign(date=dates[mask])
        for doc_id, path, pid, date in rows.itertuples(index=False):
            problems.append(_problem(doc_id, path, 1, None, severity, message(pid, date)))

    report(missing, "warning", lambda pid, date: "no page id in the title line; date missing")
    report(not_form, "warning", lambda pid, date: f"page id {pid!r} is not a YYYYMMDD date; date missing")
    report(invalid, "warning", lambda pid, date: f"page id {pid!r} is not a valid date; date missing")
    report(suffix, "info", lambda pid, date: f"page id {pid!r} has a suffix after its date; date taken from it")
    # `20290911b` has a suffix *and* lies in the future; both are worth a row.
    report(future, "warning",
           lambda pid, date: f"date {date.date().isoformat()} is in the future (page id {pid!r}); kept")
    return dates, problems


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
    documents["date"], date_problems = _dates(documents, today)
    extra_problems.extend(date_problems)
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
    # theme_key of each distinct spelling only (a few hundred), not of every row (45k calls).
    codes, spellings = pd.factorize(themes["theme"])
    keys = np.array([schema.theme_key(str(spelling)) for spelling in spellings], dtype=object)
    themes["theme_key"] = pd.Series(keys[codes] if len(codes) else [], index=themes.index, dtype="str")
    if len(themes):
        spelling = _theme_spelling(themes)
        themes["theme"] = themes["theme_key"].map(spelling)
    themes = themes.drop_duplicates(["doc_id", "theme_key"]).reset_index(drop=True)
    keywords = keywords.drop_duplicates(["doc_id", "keyword"]).reset_index(drop=True)
    themes["theme"] = _category(themes["theme"])
    themes["theme_key"] = _category(themes["theme_key"])
    keywords["keyword"] = _category(keywords["keyword"])

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
    doc_ids = pd.CategoricalDtype(pd.Index(documents["doc_id"].astype("str")).rename(None))
    return {
        "documents": documents,
        "keywords": _with_doc_codes(keywords[list(schema.KEYWORD_COLUMNS)], doc_ids),
        "themes": _with_doc_codes(themes[list(schema.THEME_COLUMNS)], doc_ids),
        "items": _with_doc_codes(items, doc_ids),
        "links": _with_doc_codes(links, doc_ids),
        "problems": problems[["doc_id", *schema.PROBLEM_COLUMNS]],
    }


def _arrow_text(values: pd.Series) -> pa.Array:
    """A text column as an Arrow large_string array: pandas' str columns hand over their Arrow
    buffers (no copy), where to_numpy(dtype=object) made 214k Python strings (13 ms)."""
    array = pa.array(values.astype("str") if values.dtype != "str" else values)
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    return array.cast(pa.large_string()) if array.type != pa.large_string() else array


def _category(values: pd.Series) -> pd.Series:
    """A string column as a categorical with sorted categories (what astype("category") gives),
    encoded by Arrow's hash kernel: 3x faster than astype on the 68k keywords."""
    import pyarrow.compute as pc

    if not len(values) or values.isna().all():
        return values.astype("category")
    encoded = pc.dictionary_encode(_arrow_text(values))
    dictionary = encoded.dictionary.to_pandas().astype("str")
    order = np.argsort(dictionary.to_numpy(dtype=object), kind="stable")
    rank = np.empty(len(order), dtype=np.int32)
    rank[order] = np.arange(len(order), dtype=np.int32)
    indices = encoded.indices.to_numpy(zero_copy_only=False)
    codes = np.where(pd.isna(indices), -1, rank[np.nan_to_num(indices, nan=0).astype(np.int64)]) \
        if encoded.indices.null_count else rank[indices]
    dtype = pd.CategoricalDtype(pd.Index(dictionary.to_numpy()[order], dtype="str"))
    return pd.Series(pd.Categorical.from_codes(codes, dtype=dtype), index=values.index, name=values.name)


def _with_doc_codes(frame: pd.DataFrame, doc_ids: pd.CategoricalDtype) -> pd.DataFrame:
    import pyarrow.compute as pc

    frame = frame.copy(deep=False)
    # Arrow's hash lookup of each row's id among the documents' ids: 4x faster than factorizing
    # (and 20x faster than astype(dtype)) on the 214k rows of the items frame.
    ids = _arrow_text(frame["doc_id"])
    positions = pc.index_in(ids, value_set=_arrow_text(pd.Series(doc_ids.categories)))
    codes = positions.fill_null(-1).to_numpy().astype(np.int32, copy=False) if len(ids) else np.empty(0, np.int32)
    frame["doc_id"] = pd.Categorical.from_codes(codes, dtype=doc_ids)
    return frame


def _finalize_items(raw_items: pa.Table) -> pd.DataFrame:
    """Raw items -> the items frame. Columns are added, derived and put in order on the Arrow
    table, then converted once: done in pandas (astype, where, a column selection that copies) it
    was 83 ms of a cold load's 0.3 s finalize on the 10k corpus."""
    import pyarrow.compute as pc

    table = raw_items.replace_schema_metadata(None)
    for column in (schema.NAME, schema.DESCRIPTION):
        if column not in table.column_names:
            table = table.append_column(column, pa.nulls(table.num_rows, pa.string()))
    for column, kind in (("row", pa.int32()), ("line", pa.int32()), (schema.RELEVANCY, pa.int8())):
        if table.schema.field(column).type != kind:
            table = table.set_column(table.schema.get_field_index(column), column, table[column].cast(kind))
    # Rows without a name (real Technologies tables) are labelled by their description.
    name = table[schema.NAME]
    named = pc.and_(pc.is_valid(name), pc.not_equal(name, ""))
    table = table.append_column("label", pc.if_else(pc.fill_null(named, False), name, table[schema.DESCRIPTION]))
    known = [c for c in schema.KNOWN_TEXT_COLUMNS if c in table.column_names]
    rest = [c for c in table.column_names if c not in schema.ITEM_COLUMNS and c not in known]
    table = table.select([*schema.ITEM_COLUMNS, *known, *rest])
    # Relevancy straight into pandas' Int8 (not via float64 and astype: 10x less work on 214k rows).
    items = table.to_pandas(types_mapper={pa.int8(): pd.Int8Dtype()}.get)
    items["section"] = _category(items["section"])
    return items


def _problem(doc_id: str, path: str, line: int, section: str | None, severity: str, message: str) -> dict:
    return {"doc_id": doc_id, "path": path, "line": line, "section": section, "severity": severity, "message": message}
