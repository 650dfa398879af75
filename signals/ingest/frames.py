"""Raw tables (one set for the whole corpus) -> the typed pandas frames a Corpus holds.

Raw tables hold only what parsing each file yields, so that they can be cached per file (see
`raw`, `cache`). What depends on the whole corpus or on today -- dates in the future, duplicates,
each theme's most common spelling, the row frames' doc_id as a categorical over the documents'
ids -- is derived here by `finalize`, on every load, with the cheap per-column derivations (dates
from page ids, article domains, dtypes). Arrow kernels where they measured faster than pandas.
"""

from __future__ import annotations

import datetime as dt
import re
from concurrent.futures import Future, ThreadPoolExecutor

import numpy as np
import pandas as pd
import pyarrow as pa

from signals import schema
from signals.dates import in_the_future
from signals.ingest.raw import SECTION_COLUMNS

_HOST = r"^[A-Za-z][A-Za-z0-9+.\-]*://(?:[^@/?#]*@)?(?:\[([^\]/?#]*)\]|([^:/?#\[\]]*))"


def _domain(urls: pd.Series) -> pd.Series:
    """Article URLs -> their host, lowercased, without `www.` (what urlsplit().hostname gives).

    One vectorized regex rather than urlsplit per URL: 10k URLs took 150 ms with urlsplit, a few
    ms this way; and a malformed URL (`http://[oops`) yields no host instead of an exception.
    All on Arrow (RE2 and string kernels), then one categorical.
    """
    import pyarrow.compute as pc

    struct = pc.extract_regex(_arrow_text(urls), _named_groups(_HOST))
    bracketed, plain = struct.field("g0"), struct.field("g1")
    # RE2 gives "" for a group that took no part; a non-matching URL is a null struct.
    host = pc.if_else(pc.not_equal(bracketed, ""), bracketed, plain)
    host = pc.replace_substring_regex(pc.utf8_lower(host), "^www\\.", "")
    host = pc.if_else(pc.and_(struct.is_valid(), pc.not_equal(host, "")), host, None)
    return _category(host.to_pandas().astype("str").set_axis(urls.index))


#: Query parameters that say where a reader came from, not which article it is (an email's
#: `?utm_source=substack&utm_medium=email`): left out when two articles' links are compared.
_TRACKING = (r"(?:utm_[a-z0-9_]*|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|igshid|ref|ref_src|cmpid|smid|share"
             r"|_bhlid|_hsenc|_hsmi|mkt_tok|vero_id|oly_enc_id|oly_anon_id|ck_subscriber_id|sref|trk)")


def _article_keys(urls: pd.Series) -> pd.Series:
    """Article URLs -> what tells one article from another: without scheme, `www.`, fragment,
    trailing slash and tracking parameters (_TRACKING), the host in lower case; missing where a URL
    has no path (a site's home page names no article). Vectorized on Arrow (RE2), like `_domain`."""
    import pyarrow.compute as pc

    # Scheme, `www.` and fragment in one pass; the host lower-cased, the rest as written (paths and
    # queries are case-sensitive: youtube.com/watch?v=AbC and ?v=abc are two videos); the query's
    # passes only where there is a query (0.22 s for 100,000 links when every pass ran on every link).
    parts = pc.extract_regex(_arrow_text(urls.fillna("")),
                             "^(?:[A-Za-z][A-Za-z0-9+.\\-]*://)?(?:[Ww][Ww][Ww]\\.)?(?P<host>[^/?#]*)(?P<rest>[^#]*)")
    key = pc.binary_join_element_wise(pc.utf8_lower(parts.field("host")), parts.field("rest"), pa.scalar("", pa.large_string()))
    queried = pc.match_substring(key, "?")
    if pc.any(queried).as_py():
        query = pc.filter(key, queried)
        query = pc.replace_substring_regex(query, "([?&])" + _TRACKING + "=[^&]*", "\\1")
        # What the removals left: "?&" at the start, "&&" inside, "?" or "&" at the end.
        query = pc.replace_substring_regex(query, "\\?&+", "?")
        query = pc.replace_substring_regex(query, "&{2,}", "&")
        query = pc.replace_substring_regex(query, "[?&]+$", "")
        query = pc.replace_substring_regex(query, "/+\\?", "?")
        key = pc.replace_with_mask(key, queried, query)
    key = pc.replace_substring_regex(key, "/+$", "")
    named = pc.match_substring_regex(key, "^[^/?]+/[^?]")
    return pd.Series(pc.if_else(named, key, None).to_pandas(), index=urls.index, dtype="object")


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

    Vectorized; the messages are those of lineparse.page_date (tested against it).
    """
    parts = _extract(documents["page_id"].astype("str").str.strip(), r"^(\d{8})(\D.*)?$")
    dates = pd.to_datetime(parts[0], format="%Y%m%d", errors="coerce")
    missing = documents["page_id"].isna()
    not_form = ~missing & parts[0].isna()
    invalid = parts[0].notna() & dates.isna()
    suffix = dates.notna() & parts[1].notna() & (parts[1] != "")
    future = pd.Series(in_the_future(dates, today), index=dates.index)
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


def finalize(raw: dict[str, pa.Table], today: dt.date | None = None) -> dict[str, pd.DataFrame]:
    """Raw tables -> the Corpus frames with their dtypes and derived columns (see signals.ingest.load).

    Two threads at once, about equally loaded: a second thread derives the items (first the parts
    that need no document ids), then themes and links; this one the document ids, the documents,
    the problems, then the keywords. Both are mostly Arrow kernels and Arrow-to-pandas conversions,
    which release the GIL. On the 10k benchmark corpus (cold process): one thread 0.18 s; documents
    beside all the row frames 0.10-0.13 s; balanced like this, see docs/performance.md.
    """
    today = today or dt.date.today()
    ids_ready: Future = Future()
    with ThreadPoolExecutor(1, thread_name_prefix="signals-finalize") as thread:
        rows = thread.submit(_finalize_rows, raw, ids_ready)
        try:
            doc_ids, id_set = _document_ids(raw["documents"])
        except BaseException as error:
            ids_ready.set_exception(error)
            raise
        ids_ready.set_result((doc_ids, id_set))
        documents, problems = _finalize_documents(raw, today)
        keywords = _finalize_keywords(raw["keywords"], doc_ids, id_set)
        themes, items, links = rows.result()
    return {"documents": documents, "keywords": keywords, "themes": themes, "items": items, "links": links,
            "problems": problems}


def _document_ids(documents: pa.Table) -> tuple[pd.CategoricalDtype, pa.Array]:
    """The documents' ids, sorted (as the documents frame is), as the dtype of the row frames'
    doc_id and as an Arrow array to look rows up in. Categorical doc_id lets filters match integer
    codes instead of strings (isin on 214k rows: 53 ms as strings, 2 ms as codes; 10k benchmark)."""
    import pyarrow.compute as pc

    ids = documents["doc_id"]
    id_set = ids.take(pc.sort_indices(ids)).combine_chunks().cast(pa.large_string())
    return pd.CategoricalDtype(pd.Index(id_set.to_pandas(), dtype="str").rename(None)), id_set


def _finalize_documents(raw: dict[str, pa.Table], today: dt.date) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Raw documents and problems -> the documents frame (sorted by doc_id, with date, domain,
    duplicate_of) and the problems frame (with the problems found on the way)."""
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
    # The same article written up twice (another run of the pipeline, a link with tracking
    # parameters): both kept, the later ones flagged, so corroboration is not counted twice unseen.
    if "article_url" in documents.columns:
        article = _article_keys(documents["article_url"])
        same = article.notna() & ~is_duplicate & article.duplicated(keep=False)
        if same.any():
            first_of_article = documents.loc[same].assign(article=article[same]).drop_duplicates("article")
            first = article[same].map(first_of_article.set_index("article")["doc_id"])
            later = first[(first != documents.loc[same, "doc_id"]).to_numpy()]
            # One assignment, one message per document (a .loc per document took 0.6 s per 5,000).
            documents.loc[later.index, "duplicate_of"] = later.to_numpy()
            # Line 1, as for the same bytes: the link's own line is not kept past parsing, and the
            # message quotes the link itself.
            for doc_id, path, url, original in zip(documents.loc[later.index, "doc_id"],
                                                   documents.loc[later.index, "path"],
                                                   documents.loc[later.index, "article_url"], later):
                extra_problems.append(_problem(
                    doc_id, path, 1, None, "warning", f"the same article as {original!r} (its link, tracking "
                    f"parameters aside: {url}); both kept, both counted"))

    for column in ("category", "type"):
        if column not in documents.columns:
            documents[column] = None
        documents[column] = documents[column].astype("category")
    ordered = [c for c in schema.DOCUMENT_COLUMNS if c in documents.columns]
    rest = [c for c in documents.columns if c not in ordered and c not in ("digest", SECTION_COLUMNS)]
    documents = documents[ordered + rest]

    if extra_problems:
        problems = pd.concat([problems, pd.DataFrame(extra_problems)], ignore_index=True)
    problems["line"] = problems["line"].astype("Int32")
    problems["severity"] = pd.Categorical(problems["severity"], categories=list(schema.SEVERITIES))
    problems["section"] = problems["section"].astype("category")
    problems = problems.sort_values(["path", "line"], kind="stable").reset_index(drop=True)
    return documents, problems[["doc_id", *schema.PROBLEM_COLUMNS]]


def _finalize_rows(raw: dict[str, pa.Table], ids_ready: Future
                   ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Raw items, themes and links -> their frames, doc_id categorical over the documents' ids
    (which `ids_ready` gives, once the other thread has them)."""
    items = _finalize_items(raw["items"])
    doc_ids, id_set = ids_ready.result()
    items = _with_doc_codes(items, doc_ids, id_set)
    themes = _finalize_themes(raw["themes"], doc_ids, id_set)
    links = raw["links"].to_pandas()
    links = links[list(schema.LINK_COLUMNS)] if len(links.columns) else pd.DataFrame(columns=list(schema.LINK_COLUMNS))
    return themes, items, _with_doc_codes(links, doc_ids, id_set)


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


def _doc_codes(ids: pa.Array | pa.ChunkedArray, id_set: pa.Array) -> np.ndarray:
    """Each row's position among the documents' ids (-1: none). Arrow's hash lookup: 4x faster
    than factorizing (and 20x faster than astype(dtype)) on the 214k rows of the items frame."""
    import pyarrow.compute as pc

    if not len(ids):
        return np.empty(0, np.int32)
    if ids.type != pa.large_string():
        ids = ids.cast(pa.large_string())
    return pc.index_in(ids, value_set=id_set).fill_null(-1).to_numpy().astype(np.int32, copy=False)


def _with_doc_codes(frame: pd.DataFrame, doc_ids: pd.CategoricalDtype, id_set: pa.Array | None = None) -> pd.DataFrame:
    frame = frame.copy(deep=False)
    id_set = id_set if id_set is not None else _arrow_text(pd.Series(doc_ids.categories))
    frame["doc_id"] = pd.Categorical.from_codes(_doc_codes(_arrow_text(frame["doc_id"]), id_set), dtype=doc_ids)
    return frame


def _sorted_codes(codes: np.ndarray, values: list) -> tuple[np.ndarray, pd.Index]:
    """Codes into `values` -> codes into the sorted values, and those (astype("category")'s order)."""
    order = np.argsort(np.asarray(values, dtype=object), kind="stable") if len(values) else np.empty(0, np.int64)
    rank = np.empty(len(order), dtype=np.int32)
    rank[order] = np.arange(len(order), dtype=np.int32)
    return rank[codes], pd.Index([values[i] for i in order], dtype="str")


def _first_of_pairs(doc_codes: np.ndarray, value_codes: np.ndarray, values: int) -> np.ndarray:
    """Positions of the first row of each (document, value) pair, in row order (drop_duplicates)."""
    pairs = (doc_codes.astype(np.int64) + 1) * (values + 1) + value_codes
    _, first = np.unique(pairs, return_index=True)
    return np.sort(first)


def _finalize_themes(raw: pa.Table, doc_ids: pd.CategoricalDtype, id_set: pa.Array) -> pd.DataFrame:
    """Raw themes -> doc_id, theme (the key's most common spelling; ties: alphabetical first),
    theme_key; one row per (document, key), the first. On codes: the pandas groupby, map and
    drop_duplicates this replaces took 35-45 ms of a cold load on the 10k corpus."""
    import pyarrow.compute as pc

    raw = raw.filter(pc.is_valid(raw["theme"])) if raw.num_rows else raw
    if not raw.num_rows:
        empty = pd.DataFrame({"doc_id": pd.Categorical([], dtype=doc_ids),
                              "theme": pd.Series([], dtype="str").astype("category"),
                              "theme_key": pd.Series([], dtype="str").astype("category")})
        return empty
    encoded = pc.dictionary_encode(raw["theme"].combine_chunks())
    spellings = encoded.dictionary.to_pylist()
    spelling_codes = encoded.indices.to_numpy().astype(np.int64)
    # theme_key of each distinct spelling only (a few hundred), not of every row.
    key_of_spelling, keys = pd.factorize(np.array([schema.theme_key(str(t)) for t in spellings], dtype=object))
    rows_per_spelling = np.bincount(spelling_codes, minlength=len(spellings))
    best: dict[int, int] = {}
    for spelling in sorted(range(len(spellings)),
                           key=lambda i: (key_of_spelling[i], -rows_per_spelling[i], spellings[i])):
        best.setdefault(int(key_of_spelling[spelling]), spelling)
    row_keys = key_of_spelling[spelling_codes]
    doc_codes = _doc_codes(raw["doc_id"].combine_chunks(), id_set)
    keep = _first_of_pairs(doc_codes, row_keys, len(keys))
    key_codes, key_categories = _sorted_codes(row_keys[keep], list(keys))
    chosen = [spellings[best[k]] for k in range(len(keys))]
    theme_codes, theme_categories = _sorted_codes(row_keys[keep], chosen)
    return pd.DataFrame({
        "doc_id": pd.Categorical.from_codes(doc_codes[keep], dtype=doc_ids),
        "theme": pd.Categorical.from_codes(theme_codes, dtype=pd.CategoricalDtype(theme_categories)),
        "theme_key": pd.Categorical.from_codes(key_codes, dtype=pd.CategoricalDtype(key_categories)),
    })


def _finalize_keywords(raw: pa.Table, doc_ids: pd.CategoricalDtype, id_set: pa.Array) -> pd.DataFrame:
    """Raw keywords -> doc_id, keyword; one row per (document, keyword), the first."""
    import pyarrow.compute as pc

    raw = raw.filter(pc.is_valid(raw["keyword"])) if raw.num_rows else raw
    if not raw.num_rows:
        return pd.DataFrame({"doc_id": pd.Categorical([], dtype=doc_ids),
                             "keyword": pd.Series([], dtype="str").astype("category")})
    encoded = pc.dictionary_encode(raw["keyword"].combine_chunks())
    words = encoded.dictionary.to_pylist()
    word_codes = encoded.indices.to_numpy().astype(np.int64)
    doc_codes = _doc_codes(raw["doc_id"].combine_chunks(), id_set)
    keep = _first_of_pairs(doc_codes, word_codes, len(words))
    codes, categories = _sorted_codes(word_codes[keep], words)
    return pd.DataFrame({
        "doc_id": pd.Categorical.from_codes(doc_codes[keep], dtype=doc_ids),
        "keyword": pd.Categorical.from_codes(codes, dtype=pd.CategoricalDtype(categories)),
    })


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
