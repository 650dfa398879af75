"""Exports read back the way a user would open them: csv module, openpyxl, zipfile, json, pandas.

Expected values are computed here from the originals, not by calling the escaping code.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from datetime import date, datetime

import numpy as np
import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from signals.export import (
    FORMULA_PREFIXES,
    escape_formula,
    escape_frame,
    export_file,
    file_name,
    to_csv_bytes,
    to_json_bytes,
    to_parquet_bytes,
    to_xlsx_bytes,
    to_zip_bytes,
    write_directory,
)

# Written out again rather than imported: the test states what a spreadsheet runs as a formula.
RISKY_STARTS = ("=", "+", "-", "@", "\t", "\r")
RISKY = ['=HYPERLINK("http://evil.example","click")', "+1+1", "-5", "@SUM(A1:A9)", "\tcmd", "\rcmd"]
UNICODE = "Café “smart” ‘quotes’ — 東京 signal"
NAMES = [*RISKY, UNICODE, "plain", "a=b stays", None]
RELEVANCY = [1, 2, None, 4, 5, 3, 2, 1, None, 5]
DATES = ["2026-01-02", "2026-02-03", None, "2026-03-04", "2026-04-05"] * 2
TEXT_COLUMNS = ("doc_id", "section", "name", "description")


def expected_text(value: str) -> str:
    """What an exported text cell should read: one apostrophe before risky text, else unchanged."""
    return "'" + value if value.startswith(RISKY_STARTS) else value


def assert_safe(cell: object) -> None:
    if isinstance(cell, str):
        assert not cell.startswith(RISKY_STARTS), repr(cell)


@pytest.fixture
def items() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "doc_id": pd.Series([f"doc-{i}" for i in range(10)], dtype="str"),
            "section": pd.Categorical(["signals", "=cat", "issues", None, "signals"] * 2),
            "name": pd.Series(NAMES, dtype="str"),
            "description": pd.Series([UNICODE, "-dash start", *(["ok"] * 8)], dtype=object),
            "relevancy": pd.Series(RELEVANCY, dtype="Int8"),
            "score": [0.5, np.nan, -1.25, 2.0, 3.0, 0.1, 0.2, 0.3, 0.4, 0.6],
            "date": pd.to_datetime(DATES),
            "flag": [True, False] * 5,
        }
    )


@pytest.fixture
def documents() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "doc_id": pd.Series(["doc-0", "doc-1", "doc-2"], dtype="str"),
            "title": pd.Series(["=1+2", "Énergie 2030", "中文标题"], dtype="str"),
            "updated": pd.to_datetime(["2026-01-02 03:04:05"] * 3).tz_localize("Europe/Paris"),
        }
    )


# ---------------------------------------------------------------------------------------------
# escape_formula / escape_frame
# ---------------------------------------------------------------------------------------------
def test_formula_prefixes_are_the_spreadsheet_ones() -> None:
    assert set(FORMULA_PREFIXES) == set(RISKY_STARTS)


@pytest.mark.parametrize("text", RISKY)
def test_escape_formula_prepends_one_apostrophe(text: str) -> None:
    assert escape_formula(text) == "'" + text
    assert escape_formula(escape_formula(text)) == "'" + text  # idempotent


@pytest.mark.parametrize("value", [-5, -1.5, 0, None, np.nan, pd.NA, True, "plain", "a=b", "'=quoted", ""])
def test_escape_formula_leaves_everything_else(value: object) -> None:
    assert escape_formula(value) is value


def test_escape_frame_escapes_text_columns_only(items: pd.DataFrame) -> None:
    original = items.copy()
    escaped = escape_frame(items)

    pd.testing.assert_frame_equal(items, original)  # input untouched
    assert list(map(str, escaped.dtypes)) == list(map(str, items.dtypes))  # "category" stays
    for column in ("relevancy", "score", "date", "flag"):
        pd.testing.assert_series_equal(escaped[column], items[column])
    assert escaped["name"].tolist()[:-1] == [expected_text(name) for name in NAMES[:-1]]
    assert pd.isna(escaped["name"].iloc[-1])
    assert escaped["description"].iloc[1] == "'-dash start"
    # Categories are escaped in place: same codes, same row count per value.
    assert list(escaped["section"].cat.categories) == ["'=cat", "issues", "signals"]
    assert (escaped["section"].cat.codes == items["section"].cat.codes).all()


def test_escape_frame_keeps_numbers_in_mixed_object_columns() -> None:
    mixed = pd.DataFrame({"value": pd.Series([-5, "-5", 2.5, None, date(2026, 1, 2)], dtype=object)})
    escaped = escape_frame(mixed)["value"].tolist()
    assert escaped[0] == -5 and isinstance(escaped[0], int)
    assert escaped[1:4] == ["'-5", 2.5, None]
    assert escaped[4] == date(2026, 1, 2)


def test_escape_frame_merges_categories_that_collide() -> None:
    frame = pd.DataFrame({"c": pd.Categorical(["=a", "'=a", None, "b"])})
    assert escape_frame(frame)["c"].tolist()[:2] == ["'=a", "'=a"]


def test_escape_frame_escapes_risky_headers() -> None:
    assert list(escape_frame(pd.DataFrame({"=cmd": [1], "name": [2]})).columns) == ["'=cmd", "name"]


# ---------------------------------------------------------------------------------------------
# CSV
# ---------------------------------------------------------------------------------------------
def read_csv_rows(payload: bytes) -> list[list[str]]:
    assert not payload.startswith(b"\xef\xbb\xbf")  # plain UTF-8, no BOM
    return list(csv.reader(io.StringIO(payload.decode("utf-8"), newline="")))


def test_csv_round_trip(items: pd.DataFrame) -> None:
    header, *rows = read_csv_rows(to_csv_bytes(items))

    assert header == list(items.columns)
    assert len(rows) == len(items)
    by_column = dict(zip(header, zip(*rows, strict=True), strict=True))
    # In CSV every field is text; only the text columns' must be safe ("-1.25" is a number).
    for column in TEXT_COLUMNS:
        for cell in by_column[column]:
            assert_safe(cell)
    assert list(by_column["name"]) == [expected_text(n) if n is not None else "" for n in NAMES]
    assert list(by_column["relevancy"]) == [str(r) if r is not None else "" for r in RELEVANCY]
    assert list(by_column["date"]) == [d or "" for d in DATES]
    assert by_column["description"][0] == UNICODE
    assert set(by_column["section"]) == {"signals", "'=cat", "issues", ""}

    back = pd.read_csv(io.BytesIO(to_csv_bytes(items)))
    assert back["relevancy"].dropna().tolist() == [r for r in RELEVANCY if r is not None]
    assert back["score"].iloc[2] == -1.25  # negative numbers are numbers, not escaped text


def test_csv_line_breaks_inside_text_stay_in_their_row() -> None:
    texts = ["a\rb", "c\nd", "e\r\nf", "\r", "\n"]
    payload = to_csv_bytes(pd.DataFrame({"text": texts, "n": range(5)}))
    assert payload.startswith(b"text,n\r\n")
    _, *rows = read_csv_rows(payload)
    assert rows == [[expected_text(text), str(i)] for i, text in enumerate(texts)]
    assert pd.read_csv(io.BytesIO(payload))["text"].tolist() == [expected_text(text) for text in texts]


@settings(max_examples=150, deadline=None)
@given(cells=st.lists(st.text(), min_size=1, max_size=20), dtype=st.sampled_from(["str", "object"]))
def test_csv_never_yields_a_formula_cell(cells: list[str], dtype: str) -> None:
    frame = pd.DataFrame({"text": pd.Series(cells, dtype=dtype), "n": range(len(cells))})
    header, *rows = read_csv_rows(to_csv_bytes(frame))

    assert header == ["text", "n"]
    # No cell split or merged rows (line breaks inside text are quoted).
    assert [number for _, number in rows] == [str(i) for i in range(len(cells))]
    for (read, _), original in zip(rows, cells, strict=True):
        assert_safe(read)
        added = original.startswith(RISKY_STARTS)
        assert read == ("'" + original if added else original)
        assert (read[1:] if added else read) == original  # unescaping gives the original back


# ---------------------------------------------------------------------------------------------
# JSON
# ---------------------------------------------------------------------------------------------
def test_json_round_trip(items: pd.DataFrame, documents: pd.DataFrame) -> None:
    payload = to_json_bytes({"items": items, "documents": documents})
    assert "東京".encode() in payload  # ensure_ascii off: no \u escapes
    data = json.loads(payload)

    assert list(data) == ["items", "documents"]
    assert len(data["items"]) == len(items) and len(data["documents"]) == len(documents)
    records = data["items"]
    for record in records:
        for value in record.values():
            assert_safe(value)
    assert [r["name"] for r in records] == [expected_text(n) if n is not None else None for n in NAMES]
    assert [r["relevancy"] for r in records] == RELEVANCY
    assert all(type(r["relevancy"]) is int for r in records if r["relevancy"] is not None)
    assert [r["date"] for r in records] == DATES
    assert records[1]["score"] is None and records[2]["score"] == -1.25
    assert records[0]["flag"] is True
    assert records[1]["section"] == "'=cat" and records[3]["section"] is None
    assert records[0]["description"] == UNICODE
    assert data["documents"][0]["title"] == "'=1+2"
    assert data["documents"][2]["title"] == "中文标题"
    # tz-aware timestamps are ISO in UTC: 03:04:05 in Paris (winter) is 02:04:05Z.
    assert datetime.fromisoformat(data["documents"][0]["updated"]) == datetime.fromisoformat(
        "2026-01-02T02:04:05+00:00"
    )


# ---------------------------------------------------------------------------------------------
# Parquet
# ---------------------------------------------------------------------------------------------
def test_parquet_keeps_values_and_dtypes_unescaped(items: pd.DataFrame) -> None:
    back = pd.read_parquet(io.BytesIO(to_parquet_bytes(items)))
    # Arrow has no "object": an object column of text comes back as pandas' text dtype.
    pd.testing.assert_frame_equal(back, items.astype({"description": "str"}), check_dtype=True)
    assert back["name"].iloc[0] == RISKY[0]  # not escaped


# ---------------------------------------------------------------------------------------------
# XLSX
# ---------------------------------------------------------------------------------------------
_XML_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def xlsx_text(value: object) -> object:
    """openpyxl returns Excel's `_xHHHH_` escapes (control characters, literal `_x`) as they are."""
    if isinstance(value, str):
        return _XML_ESCAPE.sub(lambda match: chr(int(match.group(1), 16)), value)
    return value


def sheet_rows(sheet) -> list[tuple]:
    return [tuple(xlsx_text(value) for value in row) for row in sheet.iter_rows(values_only=True)]


def test_xlsx_round_trip(items: pd.DataFrame, documents: pd.DataFrame) -> None:
    filters = {"theme": ["AI", "Énergie"], "q": "=HYPERLINK(1)", "since": "2026-01-01"}
    book = openpyxl.load_workbook(
        io.BytesIO(to_xlsx_bytes({"items": items, "documents": documents}, filters))
    )

    assert book.sheetnames == ["items", "documents", "filters"]
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", cell.coordinate  # never a formula
                assert_safe(xlsx_text(cell.value))

    sheet = book["items"]
    assert sheet.freeze_panes == "A2"
    header, *rows = sheet_rows(sheet)
    assert list(header) == list(items.columns)
    assert len(rows) == len(items)
    column = {name: [row[i] for row in rows] for i, name in enumerate(header)}
    assert column["name"] == [expected_text(n) if n is not None else None for n in NAMES]
    assert column["relevancy"] == RELEVANCY
    assert all(type(value) is int for value in column["relevancy"] if value is not None)
    assert column["score"][:3] == [0.5, None, -1.25]
    assert column["date"] == [datetime.fromisoformat(d) if d else None for d in DATES]
    assert column["flag"][:2] == [True, False]
    assert column["section"][:4] == ["signals", "'=cat", "issues", None]
    assert column["description"][0] == UNICODE
    assert 8 <= sheet.column_dimensions["D"].width <= 62  # description: sized, but capped

    _, *document_rows = sheet_rows(book["documents"])
    assert [row[1] for row in document_rows] == ["'=1+2", "Énergie 2030", "中文标题"]
    # Excel has no time zones: the wall-clock time is kept, tz dropped.
    assert document_rows[0][2] == datetime(2026, 1, 2, 3, 4, 5)

    filter_header, *filter_rows = sheet_rows(book["filters"])
    assert filter_header == ("filter", "value")
    recorded = dict(filter_rows)
    assert recorded["theme"] == "AI, Énergie"
    assert recorded["q"] == "'=HYPERLINK(1)"
    assert recorded["since"] == "2026-01-01"
    assert datetime.fromisoformat(recorded["exported_at"]).tzinfo is not None


def test_xlsx_sheet_names_are_valid_and_unique(items: pd.DataFrame) -> None:
    tables = {
        "signals": items.head(1),
        "a" * 40: items.head(2),
        "A" * 40 + "b": items.head(3),  # truncates to the same name, case aside
        "x/y:z?*[1]\\": items.head(4),
        "Filters": items.head(5),  # our last sheet owns that name
        "'quoted'": items.head(6),
        "": items.head(7),
        "東京 signals — a long unicode name here": items.head(8),
    }
    book = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes(tables)))
    names = book.sheetnames

    assert len(names) == len(tables) + 1 and names[-1] == "filters"
    assert len({name.casefold() for name in names}) == len(names)
    for name in names:
        assert 0 < len(name) <= 31
        assert not re.search(r"[\[\]:*?/\\]", name)
        assert not name.startswith("'") and not name.endswith("'")
    assert names[0] == "signals"
    for sheet, frame in zip(book.worksheets, tables.values(), strict=False):
        assert sheet.max_row == len(frame) + 1


def test_xlsx_filters_sheet_without_filters(items: pd.DataFrame) -> None:
    book = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes({"items": items})))
    rows = sheet_rows(book["filters"])
    assert rows[0] == ("filter", "value") and [row[0] for row in rows[1:]] == ["exported_at"]


def test_xlsx_refuses_frames_longer_than_a_sheet() -> None:
    with pytest.raises(ValueError, match="do not fit"):
        to_xlsx_bytes({"big": pd.DataFrame({"a": np.zeros(1_048_576, dtype=np.int8)})})


def test_xlsx_writes_a_few_thousand_rows(items: pd.DataFrame) -> None:
    many = pd.concat([items] * 300, ignore_index=True)
    book = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes({"many": many})), read_only=True)
    assert sum(1 for _ in book["many"].iter_rows(values_only=True)) == len(many) + 1


# ---------------------------------------------------------------------------------------------
# Zip, directories, export_file, file_name
# ---------------------------------------------------------------------------------------------
def test_zip_holds_one_csv_per_table_and_the_filters(items: pd.DataFrame, documents: pd.DataFrame) -> None:
    payload = to_zip_bytes(
        {"items": items, "documents": documents, "../evil/name": documents}, {"q": "=x", "theme": ["AI"]}
    )
    with zipfile.ZipFile(io.BytesIO(payload)) as archive:
        names = archive.namelist()
        assert names[:2] == ["items.csv", "documents.csv"]
        assert len(names) == 4 and names[-1] == "filters.json"
        assert all("/" not in name and ".." not in name for name in names)
        header, *rows = read_csv_rows(archive.read("items.csv"))
        assert len(rows) == len(items) and rows[0][header.index("name")] == expected_text(RISKY[0])
        assert len(read_csv_rows(archive.read(names[2]))) == len(documents) + 1
        recorded = json.loads(archive.read("filters.json"))
    assert recorded["filters"] == {"q": "'=x", "theme": ["AI"]}
    assert "exported_at" in recorded

    with zipfile.ZipFile(io.BytesIO(to_zip_bytes({"items": items}))) as archive:
        assert archive.namelist() == ["items.csv"]


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_write_directory(tmp_path, items: pd.DataFrame, documents: pd.DataFrame, fmt: str) -> None:
    paths = write_directory({"items": items, "documents": documents}, tmp_path / "out", fmt)
    assert [path.name for path in paths] == [f"items.{fmt}", f"documents.{fmt}"]
    read = pd.read_csv if fmt == "csv" else pd.read_parquet
    assert len(read(paths[0])) == len(items) and len(read(paths[1])) == len(documents)


def test_export_file_dispatches_on_suffix(tmp_path, items: pd.DataFrame, documents: pd.DataFrame) -> None:
    both = {"items": items, "documents": documents}
    assert (
        openpyxl.load_workbook(export_file(both, tmp_path / "x.xlsx", {"q": "a"})).sheetnames[-1] == "filters"
    )
    assert "filters.json" in zipfile.ZipFile(export_file(both, tmp_path / "x.zip", {"q": "a"})).namelist()
    assert list(json.loads(export_file(both, tmp_path / "x.json").read_bytes())) == ["items", "documents"]
    assert len(pd.read_csv(export_file({"items": items}, tmp_path / "sub" / "x.csv"))) == len(items)
    assert len(pd.read_parquet(export_file({"items": items}, tmp_path / "x.parquet"))) == len(items)
    written = export_file(both, tmp_path / "folder", fmt="parquet")
    assert sorted(path.name for path in written.iterdir()) == ["documents.parquet", "items.parquet"]
    assert not list(tmp_path.rglob("*.part"))

    with pytest.raises(ValueError, match="one table"):
        export_file(both, tmp_path / "two.csv")
    with pytest.raises(ValueError, match="one table"):
        export_file(both, tmp_path / "two.parquet")
    with pytest.raises(ValueError, match="fmt"):
        export_file(both, tmp_path / "folder2")
    with pytest.raises(ValueError, match="disagrees"):
        export_file({"items": items}, tmp_path / "x.csv", fmt="parquet")


def test_file_name() -> None:
    day = date(2026, 11, 26)
    assert file_name("signals", "csv", day) == "signals-explorer_signals_2026-11-26.csv"
    assert (
        file_name("Weak Signals / Café", ".xlsx", day) == "signals-explorer_weak_signals_cafe_2026-11-26.xlsx"
    )
    assert file_name("../../etc", "zip", day) == "signals-explorer_etc_2026-11-26.zip"
    assert file_name("東京", "json", day) == "signals-explorer_table_2026-11-26.json"
    assert file_name("items", "csv").endswith(f"_{date.today().isoformat()}.csv")


# ---------------------------------------------------------------------------------------------
# tables_for_export: each row's document beside it; the problems of the view
# ---------------------------------------------------------------------------------------------
VIEW_DOC = """\
# __{title}__, (from page [{page_id}](https://x.test/p/{page_id}).)

__[External link](https://{domain}/article)__

## Keywords

* {keyword}

## Summary

About {title}.

## Signals

| Name | Description | Relevancy |
|---|---|---|
| {title} first | The first | {relevancy} |
| {title} second | The second | 2 |
"""

# doc_id -> (title, page id = date, domain, relevancy of the first signal)
VIEW_DOCS = {
    "kept": ("=Kept title", "20240105", "kept.example.org", "5"),
    "other": ("Other", "20240301", "other.example.net", "high"),  # a problem, outside the view below
}


@pytest.fixture
def view_and_corpus(tmp_path):
    from signals.filters import Filters, apply
    from signals.ingest.load import load_corpus

    for doc_id, (title, page_id, domain, relevancy) in VIEW_DOCS.items():
        (tmp_path / f"{doc_id}.md").write_text(VIEW_DOC.format(
            title=title, page_id=page_id, domain=domain, keyword=doc_id, relevancy=relevancy), encoding="utf-8")
    (tmp_path / "empty.md").write_text("", encoding="utf-8")  # a problem of no document
    corpus = load_corpus(tmp_path, use_cache=False, today=date(2025, 1, 1))
    view = apply(corpus, Filters(min_relevancy=5))
    return view, corpus


def test_the_view_fixture_has_problems_in_and_out_of_view(view_and_corpus) -> None:
    view, corpus = view_and_corpus
    assert view.documents["doc_id"].tolist() == ["kept"]
    assert sorted(corpus.problems["path"]) == ["empty.md", "other.md"]


def test_every_format_carries_each_rows_document(view_and_corpus) -> None:
    from signals.export import tables_for_export

    view, corpus = view_and_corpus
    tables = tables_for_export(view, corpus)
    # The section's own CSV: doc_id, then its document's title (escaped), date and domain.
    rows = read_csv_rows(to_csv_bytes(tables["signals"]))
    assert rows[0][:5] == ["doc_id", "document_title", "document_date", "document_domain", "row"]
    assert [row[:5] for row in rows[1:]] == [["kept", "'=Kept title", "2024-01-05", "kept.example.org", "0"]]
    assert rows[1][rows[0].index("name")] == "'=Kept title first"

    book = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes(tables, {"relevancy": "≥ 5"})))
    header, *sheet = sheet_rows(book["signals"])
    assert header[:4] == ("doc_id", "document_title", "document_date", "document_domain")
    assert [row[:4] for row in sheet] == [("kept", "'=Kept title", datetime(2024, 1, 5), "kept.example.org")]
    header, *sheet = sheet_rows(book["keywords"])
    assert [dict(zip(header, row, strict=True)) for row in sheet] == [{
        "doc_id": "kept", "document_title": "'=Kept title", "document_date": datetime(2024, 1, 5),
        "document_domain": "kept.example.org", "keyword": "kept"}]

    with zipfile.ZipFile(io.BytesIO(to_zip_bytes(tables))) as archive:
        zipped = read_csv_rows(archive.read("signals.csv"))
    assert zipped == rows

    records = json.loads(to_json_bytes(tables))["signals"]
    assert [(r["document_title"], r["document_date"], r["document_domain"]) for r in records] == [
        ("'=Kept title", "2024-01-05", "kept.example.org")]

    parquet = pd.read_parquet(io.BytesIO(to_parquet_bytes(tables["signals"])))
    assert parquet["document_title"].tolist() == ["=Kept title"]  # Parquet is never escaped
    assert parquet["document_date"].tolist() == [pd.Timestamp("2024-01-05")]
    assert parquet["document_domain"].astype(str).tolist() == ["kept.example.org"]
    # The documents table is the documents themselves: nothing added.
    assert list(tables["documents"].columns) == list(view.documents.columns)


def test_the_problems_sheet_holds_the_views_documents_and_those_of_no_document(view_and_corpus) -> None:
    from signals.export import tables_for_export

    view, corpus = view_and_corpus
    book = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes(tables_for_export(view, corpus))))
    header, *problems = sheet_rows(book["problems"])
    paths = [dict(zip(header, row, strict=True))["path"] for row in problems]
    # other.md's bad relevancy is outside the view (relevancy 5 keeps only "kept"); the empty file
    # belongs to no document and stays.
    assert paths == ["empty.md"]
    # A view of the whole load keeps every problem.
    book = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes(tables_for_export(corpus, corpus))))
    _, *problems = sheet_rows(book["problems"])
    assert len(problems) == 2


def test_the_apps_tables_downloads_name_documents_and_keep_the_views_problems(
    view_and_corpus, tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The Tables page's download buttons (their data called as a click would), read back."""
    import functools
    from pathlib import Path

    import streamlit
    from streamlit.elements.widgets.button import ButtonMixin
    from streamlit.testing.v1 import AppTest

    offered: dict[str, object] = {}
    original = ButtonMixin.download_button

    def recording(self, label, data=None, *args, **kwargs):
        offered.setdefault(kwargs.get("file_name") or label, data)
        return original(self, label, data, *args, **kwargs)

    monkeypatch.setattr(ButtonMixin, "download_button", recording)
    monkeypatch.setattr(streamlit, "download_button", functools.partial(recording, streamlit._main))
    monkeypatch.setenv("SIGNALS_DATA", str(tmp_path))
    monkeypatch.setenv("SIGNALS_CACHE_DIR", str(tmp_path.parent / f"{tmp_path.name}-cache"))  # not in the data
    app = AppTest.from_file(str(Path(__file__).resolve().parents[1] / "dashboard.py"), default_timeout=60)
    app.query_params["rmin"] = "5"
    app.run()
    app.switch_page("signals/app/pages/tables.py").run()
    app.segmented_control(key="table_choice").set_value("signals").run()
    assert not app.exception, [e.value for e in app.exception]

    def payload(table: str, ext: str) -> bytes:
        data = offered[file_name(table, ext)]
        return data() if callable(data) else data

    rows = read_csv_rows(payload("signals", "csv"))
    assert [row[:4] for row in rows] == [["doc_id", "document_title", "document_date", "document_domain"],
                                         ["kept", "'=Kept title", "2024-01-05", "kept.example.org"]]
    book = openpyxl.load_workbook(io.BytesIO(payload("all-tables", "xlsx")))
    header, *problems = sheet_rows(book["problems"])
    assert [dict(zip(header, row, strict=True))["path"] for row in problems] == ["empty.md"]
    assert sheet_rows(book["signals"])[1][:4] == ("kept", "'=Kept title", datetime(2024, 1, 5), "kept.example.org")
    assert any("belong to no document" in caption.value for caption in app.caption)
