"""Named DataFrames -> download bytes and files: CSV, JSON, Parquet, XLSX, zip, directories.

Every format a spreadsheet may open (CSV, XLSX, the CSVs in a zip, and JSON, which people paste
into sheets) is escaped against formula injection: a text cell starting with one of
`FORMULA_PREFIXES` gets a leading apostrophe, so `=HYPERLINK(...)` arrives as the text
`'=HYPERLINK(...)`. Parquet keeps the data exactly as it is: no spreadsheet reads it as formulas.

Pure module: no Streamlit. The app and the CLI both call it, so their downloads are identical.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from signals import schema
from signals.schema import slug

if TYPE_CHECKING:
    from signals.corpus_type import Corpus

__all__ = [
    "APP_SLUG",
    "FORMULA_PREFIXES",
    "TablesForExport",
    "escape_formula",
    "escape_frame",
    "export_file",
    "file_name",
    "problems_in_view",
    "tables_for_export",
    "to_csv_bytes",
    "to_json_bytes",
    "to_parquet_bytes",
    "to_xlsx_bytes",
    "to_zip_bytes",
    "with_annotations",
    "with_document_context",
    "write_directory",
]

#: A text cell starting with one of these is run as a formula by Excel, LibreOffice or Sheets.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

#: First part of every download's file name.
APP_SLUG = "signals-explorer"

#: Name of the last XLSX sheet, which records the filters behind the export.
FILTERS_SHEET = "filters"

DirectoryFormat = Literal["csv", "parquet"]

# Excel's own limits: more rows would be dropped silently by xlsxwriter, so refuse instead.
_XLSX_MAX_ROWS = 1_048_576
_XLSX_MAX_COLS = 16_384
_SHEET_NAME_MAX = 31  # UTF-16 code units, as Excel counts them
_SHEET_NAME_BAD_CHARS = re.compile(r"[\[\]:*?/\\\x00-\x1f]")
# Excel keeps "History" for its change-tracking sheet.
_SHEET_NAMES_RESERVED = ("history",)
_SAFE_STEM = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
_XLSX_BLOCK_ROWS = 50_000
_WIDTH_SAMPLE_ROWS = 1_000
_MIN_WIDTH, _MAX_WIDTH = 6, 60
_DATE_FORMAT, _DATETIME_FORMAT = "yyyy-mm-dd", "yyyy-mm-dd hh:mm:ss"

_FILE_FORMATS = (".xlsx", ".zip", ".json", ".csv", ".parquet")

#: Said wherever the exported problems table is offered.
PROBLEMS_SCOPE = (
    "The problems table lists the problems of the documents in view, and those of the load that "
    "belong to no document (files that could not be read or held no document)."
)


# ---------------------------------------------------------------------------------------------
# What a download holds
# ---------------------------------------------------------------------------------------------
def _document_positions(doc_ids: pd.Series, document_index: pd.Index) -> np.ndarray:
    """Each row's doc_id -> its document's position in `document_index` (-1 where there is none).

    A categorical doc_id is looked up once per category, not once per row.
    """
    if isinstance(doc_ids.dtype, pd.CategoricalDtype):
        by_category = document_index.get_indexer(doc_ids.cat.categories.astype("str"))
        codes = doc_ids.cat.codes.to_numpy()
        return np.where(codes >= 0, by_category[codes.clip(min=0)], -1)
    return document_index.get_indexer(doc_ids.astype("str"))


def with_document_context(
    frame: pd.DataFrame, documents: pd.DataFrame, document_index: pd.Index | None = None
) -> pd.DataFrame:
    """A table of rows with a doc_id -> the same rows with their document's title, date and domain
    right after doc_id (named as in schema.DOCUMENT_CONTEXT_COLUMNS; empty for an unknown document).

    Dtypes are the documents' own (the date a datetime, the domain a category), so Parquet keeps
    them. `document_index` is `documents["doc_id"]` as a str Index, for callers enriching several
    tables (building its hash table is most of the cost).
    """
    if "doc_id" not in frame.columns:
        return frame
    if document_index is None:
        document_index = pd.Index(documents["doc_id"].astype("str"))
    positions = _document_positions(frame["doc_id"], document_index)
    enriched = frame.copy(deep=False)
    at = list(frame.columns).index("doc_id") + 1
    for source, column in schema.DOCUMENT_CONTEXT_COLUMNS.items():
        if source not in documents.columns or column in enriched.columns:
            continue
        values = documents[source].array.take(positions, allow_fill=True)
        enriched.insert(at, column, pd.Series(values, index=frame.index))
        at += 1
    return enriched


def with_annotations(frame: pd.DataFrame, values: pd.DataFrame) -> pd.DataFrame:
    """A table and its rows' annotations (signals.workspace.annotations.for_rows / for_documents:
    schema.ANNOTATION_COLUMNS, same index) -> the table with those columns after its own; a name
    the table already has becomes `annotation_<name>`. Dtypes kept (starred bool, ratings Int8), so
    Parquet holds them as they are; the text is escaped with the rest by every spreadsheet format."""
    enriched = frame.copy(deep=False)
    for column in schema.ANNOTATION_COLUMNS:
        name = column if column not in enriched.columns else f"annotation_{column}"
        enriched[name] = pd.Series(values[column].array, index=frame.index)
    return enriched


def problems_in_view(problems: pd.DataFrame, view_documents: pd.DataFrame,
                     loaded_documents: pd.DataFrame | None) -> pd.DataFrame:
    """The problems worth exporting with a view: those of its documents, and those that belong to no
    loaded document (unreadable files, files without a document: no filter can select them).

    `loaded_documents` None means the view is the whole load: every problem stays.
    """
    if loaded_documents is None or "doc_id" not in problems.columns or problems.empty:
        return problems
    # Problems name few documents: look those up in the (long) document lists, not the reverse.
    codes, named = pd.factorize(problems["doc_id"].astype("str"))
    in_view = pd.Index(view_documents["doc_id"].astype("str")).get_indexer(named) >= 0
    loaded = pd.Index(loaded_documents["doc_id"].astype("str")).get_indexer(named) >= 0
    keep_named = in_view | ~loaded
    # factorize gives -1 to a missing doc_id: a problem of no document, kept.
    keep = np.where(codes >= 0, keep_named[codes.clip(min=0)], True)
    return problems[keep].reset_index(drop=True)


def tables_for_export(view: Corpus, loaded: Corpus | None = None,
                      annotations: pd.DataFrame | None = None) -> dict[str, pd.DataFrame]:
    """A (filtered) corpus -> its tables as every download holds them, by name (`Corpus.frames` order).

    - Every table whose rows belong to a document (items, each section's table, keywords, themes,
      links) carries the document's title, date and domain beside each row (`with_document_context`).
    - `problems` holds the problems of the documents in `view` plus those of the load that belong to
      no document (`problems_in_view`); `loaded` is the corpus `view` was filtered from (None when
      `view` is the whole load). See PROBLEMS_SCOPE.
    - With `annotations` (signals.workspace.annotations.read of the folder's workspace), the items
      and every section table carry each row's own annotation after its columns, and `documents`
      each document's (schema.ANNOTATION_COLUMNS; `with_annotations`): not starred, status `new` and
      empty cells where the analyst said nothing.
    """
    return dict(TablesForExport(view, loaded, annotations))


class TablesForExport(Mapping[str, pd.DataFrame]):
    """`tables_for_export(view, loaded)` as a mapping whose tables are made when first read: a page
    drawing download buttons makes the one table it counts, and the rest only when a button that
    needs them is clicked (making every table was 2.4 s of the Tables page at 100,000 documents)."""

    def __init__(self, view: Corpus, loaded: Corpus | None = None, annotations: pd.DataFrame | None = None) -> None:
        self.view, self.loaded, self.annotations = view, loaded, annotations
        self.names = view.table_names()
        self.made: dict[str, pd.DataFrame] = {}

    def __getitem__(self, name: str) -> pd.DataFrame:
        if name not in self.names:
            raise KeyError(name)
        if name not in self.made:
            frame = self.view.frame(name)
            if schema.ROW_KEY in frame.columns:
                frame = frame.drop(columns=[schema.ROW_KEY])
            documents = self.view.documents
            if name == "documents":
                self.made[name] = frame
            elif name == "problems":
                self.made[name] = problems_in_view(frame, documents, None if self.loaded is None
                                                   else self.loaded.documents)
            else:
                self.made[name] = with_document_context(frame, documents, self._document_index())
            if self.annotations is not None:
                self.made[name] = _annotated(name, self.view.frame(name), self.made[name], self.annotations,
                                             (self.loaded or self.view).items)
        return self.made[name]

    def _document_index(self) -> pd.Index:
        # One hash table of the documents' ids for every table (building it is most of the cost).
        if "index" not in self.__dict__:
            self.index = pd.Index(self.view.documents["doc_id"].astype("str"))
        return self.index

    def __iter__(self):
        return iter(self.names)

    def __len__(self) -> int:
        return len(self.names)

    def row_count(self, name: str) -> int:
        """Rows of table `name`, without making it (problems, which are filtered here, are made)."""
        if name == "problems":
            return len(self[name])
        return self.view.table_length(name)


def has_relevancy(frames: Mapping[str, pd.DataFrame], name: str) -> bool:
    """Whether frames[name] has a relevancy column, without making the table when `frames` makes
    tables on demand."""
    if isinstance(frames, TablesForExport):
        rows_table = name == "items" or name not in schema.FRAME_NAMES  # the items or a section
        return rows_table and frames.view.is_rated(name)
    return schema.RELEVANCY in frames[name].columns


def row_count(frames: Mapping[str, pd.DataFrame], name: str) -> int:
    """Rows of frames[name], without making the table when `frames` makes tables on demand."""
    return frames.row_count(name) if isinstance(frames, TablesForExport) else len(frames[name])


def table_bytes(frames: Mapping[str, pd.DataFrame], name: str, write: Callable[[pd.DataFrame], bytes]) -> bytes:
    """frames[name] written by `write` (to_csv_bytes, say): a download's data, the table made only
    when the button is clicked. A download button keeps its data with the session until the next
    rerun, so a table made for its label stayed in memory per session (a view's whole signals
    table with titles and annotations at 100,000 documents)."""
    return write(frames[name])


def _annotated(name: str, frame: pd.DataFrame, table: pd.DataFrame, annotations: pd.DataFrame,
               whole_items: pd.DataFrame) -> pd.DataFrame:
    """One export table with its annotation columns: documents get theirs, rows theirs, others none."""
    from signals.workspace import annotations as notes

    if name == "documents":
        return with_annotations(table, notes.for_documents(frame, annotations))
    if name == "items":
        return with_annotations(table, notes.for_rows(frame, annotations, whole=whole_items))
    if name in schema.FRAME_NAMES or "doc_id" not in frame.columns:
        return table  # keywords, themes, links, problems: not annotated
    return with_annotations(table, notes.for_rows(frame, annotations, section=name, whole=whole_items))


# ---------------------------------------------------------------------------------------------
# Escaping
# ---------------------------------------------------------------------------------------------
def escape_formula(value: Any) -> Any:
    """One cell value -> the same value, with `'` prepended if it is text a spreadsheet would run.

    Only `str` values change, and only those starting with `FORMULA_PREFIXES`: `"-5"` becomes
    `"'-5"` (it is text, and text is what the user exported), while the number `-5` stays `-5`.
    """
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _is_text_dtype(dtype: Any) -> bool:
    if dtype == object or isinstance(dtype, pd.StringDtype):
        return True
    if isinstance(dtype, pd.ArrowDtype):
        import pyarrow as pa

        return pa.types.is_string(dtype.pyarrow_dtype) or pa.types.is_large_string(dtype.pyarrow_dtype)
    return False


def _escape_text(values: pd.Series) -> pd.Series:
    """A text (or object) Series -> a copy with formula-like strings escaped, vectorized."""
    if values.dtype == object and pd.api.types.infer_dtype(values, skipna=True) not in ("string", "empty"):
        # A mixed object column (numbers or dates beside text): `.str` refuses it, so find its
        # strings first, one element at a time. Rare, and only in object columns.
        is_text = np.fromiter((isinstance(value, str) for value in values), dtype=bool, count=len(values))
        risky = np.zeros(len(values), dtype=bool)
        if is_text.any():
            risky[is_text] = values[is_text].str.startswith(FORMULA_PREFIXES).to_numpy(dtype=bool)
    else:
        risky = values.str.startswith(FORMULA_PREFIXES, na=False).to_numpy(dtype=bool)
    escaped = values.copy()
    if risky.any():
        escaped.iloc[risky] = "'" + values.iloc[risky]
    return escaped


def _escape_categories(values: pd.Series) -> pd.Series:
    """A categorical Series -> the same codes over escaped categories.

    Escaping can make two categories equal (`=a` and `'=a`); factorizing merges them instead of
    failing the way `rename_categories` would.
    """
    categories = values.cat.categories
    if not _is_text_dtype(categories.dtype):
        return values.copy()
    escaped = _escape_text(pd.Series(categories, dtype=categories.dtype))
    if not escaped.ne(pd.Series(categories, dtype=categories.dtype)).any():
        return values.copy()
    new_codes_of_old, merged = pd.factorize(escaped, sort=False)
    codes = values.cat.codes.to_numpy()
    remapped = np.where(codes >= 0, new_codes_of_old[codes.clip(min=0)], -1)
    categorical = pd.Categorical.from_codes(remapped, categories=merged, ordered=values.cat.ordered)
    return pd.Series(categorical, index=values.index, name=values.name)


def escape_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A DataFrame -> an escaped copy: text cells (and text column labels) that start with a formula
    prefix get a leading `'`.

    Object, string and categorical columns are escaped with vectorized `.str` methods (categories
    are escaped, not every row); numeric, boolean and datetime columns are returned unchanged.
    """
    # pandas 3 is copy-on-write: a shallow copy shares the untouched columns' memory, yet writing
    # to either frame never shows in the other.
    escaped = df.copy(deep=False)
    for position in range(df.shape[1]):
        values = df.iloc[:, position]
        if isinstance(values.dtype, pd.CategoricalDtype):
            escaped.isetitem(position, _escape_categories(values))
        elif _is_text_dtype(values.dtype):
            escaped.isetitem(position, _escape_text(values))
    # A header is a cell too. Slugged column names never start with a prefix; foreign ones might.
    labels = [escape_formula(column) for column in df.columns]
    if not isinstance(df.columns, pd.MultiIndex) and labels != list(df.columns):
        escaped.columns = labels
    return escaped


# ---------------------------------------------------------------------------------------------
# CSV, JSON, Parquet
# ---------------------------------------------------------------------------------------------
def to_csv_bytes(df: pd.DataFrame) -> bytes:
    """A DataFrame -> escaped CSV as plain UTF-8 bytes (no BOM, no index, `\\r\\n` line ends).

    Missing values are empty fields; a datetime column holding only midnights is written as dates.
    """
    # `\r\n` (RFC 4180) is not only what Excel expects: Python's csv writer quotes a field only
    # for the line-end characters it writes, so with `\n` a text holding a lone `\r` goes out
    # unquoted and splits its row in every reader.
    return escape_frame(df).to_csv(index=False, lineterminator="\r\n").encode("utf-8")


def _is_datetime(values: pd.Series) -> bool:
    return pd.api.types.is_datetime64_any_dtype(values.dtype)


def _only_dates(values: pd.Series) -> bool:
    """True when every non-missing timestamp of a datetime Series is at midnight."""
    present = values.dropna()
    return bool((present == present.dt.normalize()).all())


def _dense(categorical: pd.Series) -> pd.Series:
    """A categorical Series -> the same values in its categories' dtype, missing as NA.

    (`astype` would fail on integer categories with missing values, and `to_json` writes them as
    floats.)"""
    categories = categorical.cat.categories
    if pd.api.types.is_integer_dtype(categories.dtype) or pd.api.types.is_bool_dtype(categories.dtype):
        array = pd.array(categories.to_numpy())  # nullable Int64 / boolean: room for NA
    else:
        array = categories.array
    values = array.take(categorical.cat.codes.to_numpy(), allow_fill=True)
    return pd.Series(values, index=categorical.index, name=categorical.name)


def _frame_to_json(df: pd.DataFrame) -> str:
    records = escape_frame(df)
    for position in range(records.shape[1]):
        values = records.iloc[:, position]
        if isinstance(values.dtype, pd.CategoricalDtype):
            values = _dense(values)
            records.isetitem(position, values)
        # `to_json` would write `2026-01-02T00:00:00.000`; a plain date reads better.
        if _is_datetime(values) and values.dt.tz is None and _only_dates(values):
            records.isetitem(position, values.dt.strftime("%Y-%m-%d"))
    # double_precision=15 is the most to_json allows (its default, 10, rounds means visibly).
    return records.to_json(
        orient="records", date_format="iso", force_ascii=False, double_precision=15, index=False
    )


def to_json_bytes(frames: Mapping[str, pd.DataFrame]) -> bytes:
    """Named DataFrames -> one UTF-8 JSON object `{"table": [{column: value, ...}, ...], ...}`.

    Text is escaped like CSV; missing values are `null`; dates are ISO strings (`2026-01-02` for
    naive date-only columns, `2026-01-02T03:04:05.000` otherwise, in UTC with `Z` when tz-aware);
    non-ASCII text is written as is, not as `\\u` escapes.
    """
    parts = [
        f"{json.dumps(str(name), ensure_ascii=False)}:{_frame_to_json(df)}" for name, df in frames.items()
    ]
    return ("{" + ",".join(parts) + "}").encode("utf-8")


def to_parquet_bytes(df: pd.DataFrame) -> bytes:
    """A DataFrame -> Parquet bytes, unescaped and with its dtypes (str, Int8, category, datetime)."""
    buffer = io.BytesIO()
    df.to_parquet(buffer, index=False)
    return buffer.getvalue()


# ---------------------------------------------------------------------------------------------
# XLSX
# ---------------------------------------------------------------------------------------------
def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _truncate_utf16(text: str, limit: int) -> str:
    while _utf16_len(text) > limit:
        text = text[:-1]
    return text


def _sheet_names(tables: Iterable[str], reserved: Iterable[str] = ()) -> list[str]:
    """Table names -> valid, unique Excel sheet names, in the same order.

    Excel wants at most 31 UTF-16 units, none of `[]:*?/\\`, no apostrophe at either end, and names
    unique regardless of case; `reserved` names (compared the same way) are avoided too.
    """
    taken = {name.casefold() for name in reserved} | set(_SHEET_NAMES_RESERVED)
    names = []
    for table in tables:
        base = _SHEET_NAME_BAD_CHARS.sub("_", str(table)).strip().strip("'").strip() or "sheet"
        base = _truncate_utf16(base, _SHEET_NAME_MAX).rstrip("'")
        name, counter = base, 1
        while name.casefold() in taken:
            counter += 1
            suffix = f" ({counter})"
            name = _truncate_utf16(base, _SHEET_NAME_MAX - len(suffix)).rstrip("'") + suffix
        taken.add(name.casefold())
        names.append(name)
    return names


def _column_kind(values: pd.Series) -> str:
    """A column -> how its cells are written: date, datetime, boolean, number, string or any."""
    dtype = values.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        return _column_kind(pd.Series(values.cat.categories))  # the cells are categories
    if _is_datetime(values):
        return "date" if _only_dates(values) else "datetime"
    if pd.api.types.is_bool_dtype(dtype):
        return "boolean"
    if pd.api.types.is_numeric_dtype(dtype):
        return "number"
    if _is_text_dtype(dtype) and dtype != object:
        return "string"
    return "any"  # object columns may mix types; timedeltas, periods and the like become text


def _cells(values: pd.Series, kind: str) -> list[Any]:
    """Part of a column -> its cells as Python values, None where missing (an empty cell)."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        values = _dense(values)  # categories are already escaped
    if kind in ("date", "datetime"):
        if values.dt.tz is not None:
            # Excel has no time zones: keep the wall-clock time the user saw.
            values = values.dt.tz_localize(None)
        cells = np.array(values.dt.to_pydatetime(), dtype=object)
        cells[values.isna().to_numpy()] = None
        return cells.tolist()
    if kind == "any" and values.dtype != object:
        cells = np.array(values.astype(str), dtype=object)
        cells[values.isna().to_numpy()] = None
        return cells.tolist()
    # na_value=None turns NaN, NA and NaT into empty cells (never Excel's #NUM!).
    return values.to_numpy(dtype=object, na_value=None).tolist()


def _column_width(header: str, cells: list[Any], kind: str) -> float:
    if kind == "date":
        longest = len("2026-01-02")
    elif kind == "datetime":
        longest = len("2026-01-02 00:00:00")
    else:
        sample = (cell for cell in cells[:_WIDTH_SAMPLE_ROWS] if cell is not None)
        longest = max((len(str(cell)) for cell in sample), default=0)
    return float(min(max(len(header), longest, _MIN_WIDTH) + 2, _MAX_WIDTH))


def _write_frame(worksheet: Any, df: pd.DataFrame, formats: Mapping[str, Any]) -> None:
    """Write one (already escaped) frame: header row, then cells row by row, in row blocks.

    Row by row is what constant_memory mode needs (each finished row is flushed to disk); blocks
    keep only `_XLSX_BLOCK_ROWS` rows of Python objects alive at a time.
    """
    n_rows, n_cols = df.shape
    if n_rows + 1 > _XLSX_MAX_ROWS or n_cols > _XLSX_MAX_COLS:
        raise ValueError(
            f"{n_rows} rows x {n_cols} columns do not fit an Excel sheet "
            f"({_XLSX_MAX_ROWS - 1} x {_XLSX_MAX_COLS}); export CSV or Parquet instead"
        )
    kinds = [_column_kind(df.iloc[:, position]) for position in range(n_cols)]
    plan = [
        (position, _cell_writer(worksheet, kind, formats), formats.get(kind))
        for position, kind in enumerate(kinds)
    ]
    for first in range(0, max(n_rows, 1), _XLSX_BLOCK_ROWS):
        block = df.iloc[first : first + _XLSX_BLOCK_ROWS]
        columns = [_cells(block.iloc[:, position], kind) for position, kind in enumerate(kinds)]
        if first == 0:  # header and widths before the first data row
            for position, (kind, cells) in enumerate(zip(kinds, columns, strict=True)):
                header = str(escape_formula(str(df.columns[position])))
                worksheet.write_string(0, position, header, formats["header"])
                worksheet.set_column(position, position, _column_width(header, cells, kind))
        for row_number, row in enumerate(zip(*columns, strict=True), start=first + 1):
            for (position, write, cell_format), cell in zip(plan, row, strict=True):
                if cell is not None:
                    write(row_number, position, cell, cell_format)
    worksheet.freeze_panes(1, 0)
    if n_cols:
        worksheet.autofilter(0, 0, max(n_rows, 1), n_cols - 1)


def _cell_writer(worksheet: Any, kind: str, formats: Mapping[str, Any]) -> Callable[..., Any]:
    """A column kind -> the xlsxwriter method for its cells (never `write`, which guesses)."""
    if kind == "string":
        return worksheet.write_string
    if kind == "number":
        return worksheet.write_number
    if kind == "boolean":
        return worksheet.write_boolean
    if kind in ("date", "datetime"):
        return worksheet.write_datetime

    def write_any(row: int, col: int, cell: Any, _format: Any) -> None:
        # A mixed object column: decide per cell.
        if isinstance(cell, str):
            worksheet.write_string(row, col, escape_formula(cell))
        elif isinstance(cell, bool | np.bool_):
            worksheet.write_boolean(row, col, bool(cell))
        elif isinstance(cell, int | float | np.integer | np.floating):
            if np.isfinite(cell):
                worksheet.write_number(row, col, cell)
            # NaN (pandas' missing) or inf in an object column: left empty.
        elif isinstance(cell, datetime):
            naive = cell.replace(tzinfo=None)
            kind = "date" if naive.time() == time(0) else "datetime"
            worksheet.write_datetime(row, col, naive, formats[kind])
        elif isinstance(cell, date):
            worksheet.write_datetime(row, col, cell, formats["date"])
        else:
            worksheet.write_string(row, col, escape_formula(str(cell)))

    return write_any


def _filter_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple | set | frozenset):
        return ", ".join(str(item) for item in value)
    return str(value)


def _exported_at() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def to_xlsx_bytes(frames: Mapping[str, pd.DataFrame], filters: Mapping[str, Any] | None = None) -> bytes:
    """Named DataFrames -> an XLSX workbook: one sheet per table, then a `filters` sheet.

    Sheet names are made valid for Excel (<= 31 chars, none of `[]:*?/\\`, unique; a table called
    `filters` yields `filters (2)`). Text is escaped and written as strings, never as formulas or
    links; numbers stay numbers, datetimes become Excel dates (tz-aware ones keep their wall-clock
    time), missing values are empty cells. The header row is bold, frozen and filterable.
    The `filters` sheet has columns `filter` / `value`, one row per filter (lists joined by
    `, `), then `exported_at` with the UTC export time. Raises ValueError for a frame that does not
    fit a sheet (1,048,575 rows, 16,384 columns).
    """
    import xlsxwriter

    buffer = io.BytesIO()
    # constant_memory streams each sheet row by row through a temporary file, so memory stays flat
    # however long the frame (in_memory would silently switch it off). Time is xlsxwriter's
    # pure-Python XML: about 7 us a cell, ~15 s for 250k rows x 8 text columns.
    options = {
        "constant_memory": True,
        "strings_to_formulas": False,
        "strings_to_urls": False,
        "strings_to_numbers": False,
        "nan_inf_to_errors": True,
    }
    workbook = xlsxwriter.Workbook(buffer, options)
    try:
        formats = {
            "header": workbook.add_format({"bold": True}),
            "date": workbook.add_format({"num_format": _DATE_FORMAT}),
            "datetime": workbook.add_format({"num_format": _DATETIME_FORMAT}),
        }
        names = _sheet_names(frames.keys(), reserved=[FILTERS_SHEET])
        for sheet_name, df in zip(names, frames.values(), strict=True):
            worksheet = workbook.add_worksheet(sheet_name)
            _write_frame(worksheet, escape_frame(df), formats)

        filter_rows = [(str(key), _filter_text(value)) for key, value in (filters or {}).items()]
        filter_rows.append(("exported_at", _exported_at()))
        worksheet = workbook.add_worksheet(FILTERS_SHEET)
        worksheet.write_string(0, 0, "filter", formats["header"])
        worksheet.write_string(0, 1, "value", formats["header"])
        for row_number, (key, value) in enumerate(filter_rows, start=1):
            worksheet.write_string(row_number, 0, escape_formula(key))
            worksheet.write_string(row_number, 1, escape_formula(value))
        worksheet.set_column(0, 0, max(len(key) for key, _ in filter_rows) + 2)
        worksheet.set_column(1, 1, min(max(len(value) for _, value in filter_rows) + 2, _MAX_WIDTH))
        worksheet.freeze_panes(1, 0)
    finally:
        workbook.close()
    return buffer.getvalue()


# ---------------------------------------------------------------------------------------------
# Zip, directories, files
# ---------------------------------------------------------------------------------------------
def _file_stems(tables: Iterable[str]) -> list[str]:
    """Table names -> unique file-name stems: safe names unchanged, others slugged."""
    stems, taken = [], set()
    for table in tables:
        text = str(table)
        stem = text if _SAFE_STEM.fullmatch(text) else (slug(text) or "table")
        candidate, counter = stem, 1
        while candidate.casefold() in taken:
            counter += 1
            candidate = f"{stem}_{counter}"
        taken.add(candidate.casefold())
        stems.append(candidate)
    return stems


def _filters_json(filters: Mapping[str, Any]) -> bytes:
    # Filter values come from the documents (a theme named `=HYPERLINK(...)`): escaped like every
    # other text in the archive, as the workbook's filters sheet escapes them.
    escaped = {
        escape_formula(str(key)): [escape_formula(str(v)) for v in value]
        if isinstance(value, list | tuple | set | frozenset) else escape_formula(value)
        for key, value in filters.items()
    }
    record = {"exported_at": _exported_at(), "filters": escaped}
    return json.dumps(record, ensure_ascii=False, indent=2, default=str).encode("utf-8")


def to_zip_bytes(frames: Mapping[str, pd.DataFrame], filters: Mapping[str, Any] | None = None) -> bytes:
    """Named DataFrames -> a zip of escaped CSVs, `<table>.csv` each, plus `filters.json` if given.

    Table names that are not plain file names (`a/b`, `../x`, spaces, accents) are slugged, so the
    archive never writes outside the folder it is unpacked into. `filters.json` holds
    `{"exported_at": ..., "filters": {...}}`, its text escaped like the CSVs'.
    """
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for stem, df in zip(_file_stems(frames.keys()), frames.values(), strict=True):
            archive.writestr(f"{stem}.csv", to_csv_bytes(df))
        if filters is not None:
            archive.writestr("filters.json", _filters_json(filters))
    return buffer.getvalue()


def write_directory(
    frames: Mapping[str, pd.DataFrame], out_dir: str | Path, fmt: DirectoryFormat = "csv"
) -> list[Path]:
    """Named DataFrames -> `out_dir` (created if needed): one `<table>.csv` each (escaped), or for
    "parquet" a Hive-partitioned Parquet dataset, a folder per table (unescaped; signals.dataset,
    docs/scale.md). Returns the paths written, in table order."""
    if fmt not in ("csv", "parquet"):
        raise ValueError(f"directory format must be 'csv' or 'parquet', not {fmt!r}")
    if fmt == "parquet":
        from signals.dataset import write_dataset

        return write_dataset(dict(zip(_file_stems(frames.keys()), frames.values(), strict=True)), out_dir)
    directory = Path(out_dir)
    directory.mkdir(parents=True, exist_ok=True)
    encode = to_csv_bytes if fmt == "csv" else to_parquet_bytes
    paths = []
    for stem, df in zip(_file_stems(frames.keys()), frames.values(), strict=True):
        path = directory / f"{stem}.{fmt}"
        _write_bytes(path, encode(df))
        paths.append(path)
    return paths


def _write_bytes(path: Path, payload: bytes) -> None:
    # Write beside the target and rename, so a failed export never leaves half a file behind.
    partial = path.with_name(path.name + ".part")
    partial.write_bytes(payload)
    partial.replace(path)


def _single_frame(frames: Mapping[str, pd.DataFrame], suffix: str) -> pd.DataFrame:
    if len(frames) != 1:
        raise ValueError(
            f"a {suffix} file holds one table, got {len(frames)} ({', '.join(map(str, frames))}); "
            "use .xlsx, .zip, .json or a directory"
        )
    return next(iter(frames.values()))


def export_file(
    frames: Mapping[str, pd.DataFrame],
    out_path: str | Path,
    filters: Mapping[str, Any] | None = None,
    fmt: DirectoryFormat | None = None,
) -> Path:
    """Write named DataFrames to `out_path`, choosing the format from its suffix; returns the path.

    `.xlsx` (with the filters sheet), `.zip` (CSVs + `filters.json`), `.json`, `.csv` and
    `.parquet` (these two for exactly one table). A path with another or no suffix is a directory,
    which needs `fmt` "csv" or "parquet" (one file per table). `fmt` given with a file suffix must
    agree with it. Filters are recorded by `.xlsx` and `.zip` only. Raises ValueError otherwise.
    """
    path = Path(out_path)
    suffix = path.suffix.lower()
    if suffix not in _FILE_FORMATS or path.is_dir():
        if fmt is None:
            raise ValueError(
                f"cannot tell the format of {path}: use a suffix among {', '.join(_FILE_FORMATS)} "
                "or pass fmt='csv' or 'parquet' to write a directory"
            )
        write_directory(frames, path, fmt)
        return path
    if fmt is not None and f".{fmt}" != suffix:
        raise ValueError(f"fmt={fmt!r} disagrees with the suffix of {path}")
    if suffix == ".xlsx":
        payload = to_xlsx_bytes(frames, filters)
    elif suffix == ".zip":
        payload = to_zip_bytes(frames, filters)
    elif suffix == ".json":
        payload = to_json_bytes(frames)
    elif suffix == ".csv":
        payload = to_csv_bytes(_single_frame(frames, suffix))
    else:
        payload = to_parquet_bytes(_single_frame(frames, suffix))
    path.parent.mkdir(parents=True, exist_ok=True)
    _write_bytes(path, payload)
    return path


def file_name(table: str, ext: str, today: date | None = None) -> str:
    """A table name and extension -> the download's file name, e.g.
    `file_name("signals", "csv")` -> `signals-explorer_signals_2026-11-26.csv` (today's date).

    The table name is slugged (`Weak Signals / 2026` -> `weak_signals_2026`; `table` if nothing is
    left); `ext` may carry its dot.
    """
    extension = slug(ext.lstrip(".")) or "dat"
    day = (today or date.today()).isoformat()
    return f"{APP_SLUG}_{slug(str(table)) or 'table'}_{day}.{extension}"
