"""Exports cannot attack: every file the app and the CLI write, read back, holds no live formula.

The corpus is tests/hostile_corpus.py: titles, cells, keywords, themes, categories, summaries, file
names (so doc_id and path) that start with `=`, `+`, `-`, `@`, tab or CR. Each file is read back as
a user's tools read it -- csv, openpyxl, zipfile, json -- and every text cell is checked: none starts
with a character a spreadsheet runs (an escaped one starts with `'`), and the text behind the
apostrophe is what the document said. Numbers stay numbers: relevancy, row and line are numeric
cells in XLSX and JSON and digits in CSV.

Three writers: the export functions on the filtered frames; the app's own download buttons (AppTest
with Streamlit's download_button wrapped, so the bytes are exactly what a click would serve); and
the `signals export` command.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import re
import zipfile
from pathlib import Path

import hostile_corpus
import openpyxl
import pandas as pd
import pytest
import streamlit
from streamlit.elements.widgets.button import ButtonMixin
from streamlit.testing.v1 import AppTest

from signals import export
from signals.cli import main as cli_main
from signals.corpus_type import Corpus
from signals.filters import Filters, apply
from signals.ingest.load import load_corpus

ROOT = Path(__file__).resolve().parents[1]
DASHBOARD = str(ROOT / "dashboard.py")

# Written out here, not imported: the test states what a spreadsheet runs.
RISKY_STARTS = ("=", "+", "-", "@", "\t", "\r")
NUMERIC_COLUMNS = ("relevancy", "row", "line")


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Corpus]:
    folder = hostile_corpus.write_hostile_corpus(tmp_path_factory.mktemp("hostile") / "corpus")
    # File names that start with tab and CR (Linux allows them), and a problem whose path is a formula.
    (folder / "\t=tab.md").write_text((folder / "plain-5.md").read_text(encoding="utf-8"), encoding="utf-8")
    (folder / "\r=cr.md").write_text((folder / "plain-11.md").read_text(encoding="utf-8"), encoding="utf-8")
    (folder / "=broken.md").write_text(
        "# =broken, (from page [20240101](https://x.test/p).)\n\n## Signals\n\n| name | relevancy |\n|---|---|\n"
        "| =1+1 | =2+2 |\n| -3 | 4 | =extra |\n", encoding="utf-8")
    return folder, load_corpus(folder, use_cache=False)


# ---------------------------------------------------------------------------------------------
# Reading back
# ---------------------------------------------------------------------------------------------
def check_cell(value: object, where: str) -> None:
    if isinstance(value, str):
        assert not value.startswith(RISKY_STARTS), f"{where}: live formula {value[:60]!r}"


def check_csv(payload: bytes, where: str) -> list[dict[str, str]]:
    """A CSV's rows (dicts); every header and cell checked, numeric columns digits only."""
    text = payload.decode("utf-8")
    reader = csv.reader(io.StringIO(text, newline=""))
    header, *rows = list(reader)
    for name in header:
        check_cell(name, f"{where} header")
    for number, row in enumerate(rows, start=2):
        assert len(row) == len(header), f"{where}:{number}: {len(row)} cells, header {len(header)}"
        for name, cell in zip(header, row, strict=True):
            check_cell(cell, f"{where}:{number}:{name}")
            if name in NUMERIC_COLUMNS and cell:
                assert cell.isdigit(), f"{where}:{number}:{name} = {cell!r} is not a number"
    return [dict(zip(header, row, strict=True)) for row in rows]


def _as_excel_shows(value: object) -> object:
    """OOXML writes control characters as `_x000D_`; Excel shows the character (openpyxl does not)."""
    if isinstance(value, str) and "_x" in value:
        return re.sub(r"_x([0-9A-Fa-f]{4})_", lambda m: chr(int(m.group(1), 16)), value)
    return value


def check_xlsx(payload: bytes, where: str) -> dict[str, list[dict]]:
    book = openpyxl.load_workbook(io.BytesIO(payload))
    sheets = {}
    for sheet in book.worksheets:
        rows = list(sheet.iter_rows())
        header = [_as_excel_shows(cell.value) for cell in rows[0]] if rows else []
        for row in rows:
            for cell in row:
                assert cell.data_type != "f", f"{where}!{sheet.title}!{cell.coordinate} is a formula"
                assert cell.hyperlink is None, f"{where}!{sheet.title}!{cell.coordinate} is a link"
                check_cell(_as_excel_shows(cell.value), f"{where}!{sheet.title}!{cell.coordinate}")
        records = [dict(zip(header, (_as_excel_shows(cell.value) for cell in row), strict=False)) for row in rows[1:]]
        for record in records:
            for name in NUMERIC_COLUMNS:
                if record.get(name) is not None:
                    assert isinstance(record[name], int | float), f"{where}!{sheet.title}: {name}={record[name]!r}"
        sheets[sheet.title] = records
    return sheets


def check_json_value(value: object, where: str) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            check_cell(key, f"{where} key")
            if key in NUMERIC_COLUMNS and item is not None:
                assert isinstance(item, int), f"{where}.{key} = {item!r}"
            check_json_value(item, f"{where}.{key}")
    elif isinstance(value, list):
        for k, item in enumerate(value):
            check_json_value(item, f"{where}[{k}]")
    else:
        check_cell(value, where)


def check_json(payload: bytes, where: str) -> dict:
    record = json.loads(payload.decode("utf-8"))
    check_json_value(record, where)
    return record


def check_zip(payload: bytes, where: str) -> dict[str, list[dict[str, str]]]:
    tables = {}
    with zipfile.ZipFile(io.BytesIO(payload)) as archive:
        for name in archive.namelist():
            assert "/" not in name and "\\" not in name and not name.startswith("."), f"{where}: entry {name!r}"
            if name.endswith(".csv"):
                tables[name.removesuffix(".csv")] = check_csv(archive.read(name), f"{where}/{name}")
            elif name.endswith(".json"):
                check_json(archive.read(name), f"{where}/{name}")
            else:
                raise AssertionError(f"{where}: unexpected entry {name!r}")
    return tables


def check_download(file_name: str, payload: bytes) -> object:
    """Dispatch on the download's file name, as a browser's "open with" would."""
    suffix = Path(file_name).suffix
    if suffix == ".csv":
        return check_csv(payload, file_name)
    if suffix == ".xlsx":
        return check_xlsx(payload, file_name)
    if suffix == ".zip":
        return check_zip(payload, file_name)
    if suffix == ".json":
        return check_json(payload, file_name)
    assert suffix == ".parquet", file_name  # Parquet keeps data as is: no spreadsheet runs it
    return None


def _unescape(text: str) -> str:
    return text[1:] if text.startswith("'") and text[1:].startswith(RISKY_STARTS) else text


# ---------------------------------------------------------------------------------------------
# The export functions
# ---------------------------------------------------------------------------------------------
def test_the_corpus_is_hostile(hostile: tuple[Path, Corpus]) -> None:
    _, corpus = hostile
    titles = corpus.documents["title"].dropna()
    assert titles.str.startswith(RISKY_STARTS).sum() >= 5
    assert corpus.documents["doc_id"].astype("str").str.startswith(RISKY_STARTS).sum() >= 6
    assert corpus.items["name"].dropna().str.startswith(RISKY_STARTS).sum() >= 10
    assert corpus.themes["theme"].astype("str").str.startswith(RISKY_STARTS).any()
    assert corpus.documents["category"].astype("str").str.startswith(RISKY_STARTS).any()
    assert corpus.problems["path"].str.startswith(RISKY_STARTS).any()


@pytest.mark.parametrize("filters", [Filters(), Filters(themes=("=1+1",)), Filters(text="cmd")],
                         ids=["everything", "formula-theme", "text"])
def test_every_export_format_reads_back_without_a_formula(hostile: tuple[Path, Corpus], filters: Filters) -> None:
    _, corpus = hostile
    # As downloads hold them: hostile titles and domains beside every row too.
    frames = export.tables_for_export(apply(corpus, filters), corpus)
    assert "document_title" in frames["items"].columns
    assert len(frames["documents"])
    described = filters.describe()
    for name, frame in frames.items():
        rows = check_csv(export.to_csv_bytes(frame), f"{name}.csv")
        assert len(rows) == len(frame)
    sheets = check_xlsx(export.to_xlsx_bytes(frames, described), "all.xlsx")
    tables = check_zip(export.to_zip_bytes(frames, described), "all.zip")
    record = check_json(export.to_json_bytes(frames), "all.json")
    documents = frames["documents"]
    for read in (sheets["documents"], tables["documents"], record["documents"]):
        assert len(read) == len(documents)
        # What the user sees behind the apostrophe is exactly what the document said.
        assert [_unescape(r["title"]) for r in read] == documents["title"].tolist()
        assert [_unescape(r["doc_id"]) for r in read] == documents["doc_id"].astype("str").tolist()
    items = frames["items"]
    assert [r["relevancy"] for r in record["items"]] == [None if pd.isna(v) else int(v) for v in items["relevancy"]]


def test_write_directory_csv_files(hostile: tuple[Path, Corpus], tmp_path: Path) -> None:
    _, corpus = hostile
    for path in export.write_directory(corpus.frames(), tmp_path / "out", "csv"):
        assert path.parent == tmp_path / "out"
        check_csv(path.read_bytes(), path.name)


# ---------------------------------------------------------------------------------------------
# The app's download buttons
# ---------------------------------------------------------------------------------------------
@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, object]]:
    """Every (file name, data) a download button of the app is given during the test."""
    offered: list[tuple[str, object]] = []
    original = ButtonMixin.download_button

    def recording(self, label, data=None, *args, **kwargs):
        offered.append((kwargs.get("file_name") or label, data))
        return original(self, label, data, *args, **kwargs)

    monkeypatch.setattr(ButtonMixin, "download_button", recording)
    monkeypatch.setattr(streamlit, "download_button", functools.partial(recording, streamlit._main))
    return offered


def _bytes(data: object) -> bytes:
    payload = data() if callable(data) else data
    return payload.encode("utf-8") if isinstance(payload, str) else bytes(payload)


def test_the_apps_downloads_read_back_without_a_formula(
    hostile: tuple[Path, Corpus], served: list, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder, corpus = hostile
    monkeypatch.setenv("SIGNALS_DATA", str(folder))
    app = AppTest.from_file(DASHBOARD, default_timeout=60).run()
    assert not app.exception, [e.value for e in app.exception]
    app.switch_page("signals/app/pages/tables.py").run()
    choices = list(corpus.frames())
    for table in [c for c in choices if c != "problems"]:
        app.segmented_control(key="table_choice").set_value(table).run()
        assert not app.exception, [e.value for e in app.exception]
    app.switch_page("signals/app/pages/data_health.py").run()
    assert not app.exception, [e.value for e in app.exception]
    names = {name for name, _ in served}
    assert {f for f in names if f.endswith(".csv")} >= {export.file_name(t, "csv") for t in choices}
    assert any(n.endswith(".xlsx") for n in names) and any(n.endswith(".zip") for n in names)
    assert any(n.endswith(".json") for n in names)
    checked = {}
    for name, data in served:
        if name not in checked:
            checked[name] = check_download(name, _bytes(data))
    documents = checked[export.file_name("documents", "csv")]
    assert sorted(_unescape(r["doc_id"]) for r in documents) == sorted(corpus.documents["doc_id"].astype("str"))
    problems = checked[export.file_name("problems", "csv")]
    assert len(problems) == len(corpus.problems) and any(r["path"].startswith("'=") for r in problems)


# ---------------------------------------------------------------------------------------------
# The command line
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("out", ["all.xlsx", "all.zip", "all.json", "tables"])
def test_the_cli_exports_read_back_without_a_formula(
    hostile: tuple[Path, Corpus], tmp_path: Path, capsys: pytest.CaptureFixture[str], out: str
) -> None:
    folder, corpus = hostile
    target = tmp_path / out
    argv = ["export", str(folder), "--out", str(target), "--no-cache", "--theme", "=1+1", "--theme", "Shared theme"]
    assert cli_main(argv + (["--format", "csv"] if out == "tables" else [])) == 0
    capsys.readouterr()
    expected = apply(corpus, Filters(themes=("=1+1", "Shared theme")))
    if out == "tables":
        read = {path.stem: check_csv(path.read_bytes(), path.name) for path in target.iterdir()}
    else:
        read = check_download(out, target.read_bytes())
    documents = read["documents"]
    assert len(documents) == len(expected.documents)
    if out == "all.xlsx":
        recorded = {row["filter"]: row["value"] for row in read["filters"]}
        # In words ("any of ..."), so this value no longer starts like a formula; a lone one would
        # (test_export.py checks the sheet escapes it).
        assert recorded["themes"] == "any of =1+1, Shared theme"
