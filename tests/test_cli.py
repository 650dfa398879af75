"""The `signals` command: `check` (exit codes, text and JSON reports) and `export` (every format,
with filters; the exported rows are the filtered frames)."""

from __future__ import annotations

import csv
import datetime as dt
import json
import shutil
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from signals.cli import main
from signals.corpus_type import Corpus
from signals.filters import Filters, apply
from signals.ingest.load import load_corpus

ROOT = Path(__file__).resolve().parents[1]
SEED_FILE = ROOT / "seeds" / "000_19f67a480975dbd3.txt"  # as in conftest.py (not imported: tests/*/conftest.py)

# The first Signals row of the seed and its relevancy cell, as written.
SEED_ROW = "| Potential South Korean Arms Supply to Ukraine |"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# ---------------------------------------------------------------------------------------------
# check
# ---------------------------------------------------------------------------------------------
def test_check_on_the_seed_finds_no_problems(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "check", str(SEED_FILE))
    assert code == 0
    assert out.startswith("1 documents loaded from ")
    assert "no problems" in out
    assert "  signals                 5 rows" in out
    code, out, _ = run(capsys, "check", str(SEED_FILE), "--format", "json")
    assert code == 0
    assert json.loads(out) == {
        "documents": 1, "problems": [],
        "rows": {"signals": 5, "concerns": 6, "behaviors": 7, "technologies": 4, "issues": 5},
    }


@pytest.fixture
def bad_relevancy(tmp_path: Path) -> tuple[Path, int]:
    """A folder with the seed and a copy whose first signal's relevancy reads `high`."""
    folder = tmp_path / "docs"
    (folder / "nested").mkdir(parents=True)
    shutil.copy(SEED_FILE, folder / "seed.md")
    # Another article's link: a copy with the seed's own would also be flagged as the same article.
    lines = SEED_FILE.read_text(encoding="utf-8").replace("south-korea-vows-action", "another-story").split("\n")
    number = next(k for k, line in enumerate(lines) if line.startswith(SEED_ROW))
    lines[number] = lines[number].rsplit("|", 2)[0] + "|        high |"
    (folder / "nested" / "bad.md").write_text("\n".join(lines), encoding="utf-8")
    return folder, number + 1


def test_check_reports_a_bad_relevancy_with_path_line_section_severity(
    capsys: pytest.CaptureFixture[str], bad_relevancy: tuple[Path, int]
) -> None:
    folder, line = bad_relevancy
    code, out, _ = run(capsys, "check", str(folder), "--format", "json", "--no-cache")
    assert code == 1
    report = json.loads(out)
    assert report["documents"] == 2
    assert report["rows"]["signals"] == 10
    assert report["problems"] == [{
        "path": "nested/bad.md", "line": line, "section": "signals", "severity": "warning",
        "message": "relevancy 'high' is not a number; row kept without relevancy",
    }]
    code, out, _ = run(capsys, "check", str(folder))
    assert code == 1
    assert "1 problems (1 warning):" in out
    assert f"  nested/bad.md:{line}: warning [signals]: relevancy 'high' is not a number" in out


def test_check_on_a_missing_path_is_a_usage_error(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, err = run(capsys, "check", str(tmp_path / "nowhere"))
    assert code == 2
    assert out == ""
    assert "no such folder or file" in err


def test_bad_arguments_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (["check"], ["export", str(SEED_FILE)], ["export", str(SEED_FILE), "--out", "x.xlsx",
                                                        "--min-relevancy", "9"]):
        with pytest.raises(SystemExit) as exit_:
            main(argv)
        assert exit_.value.code == 2
    capsys.readouterr()


# ---------------------------------------------------------------------------------------------
# export
# ---------------------------------------------------------------------------------------------
DOC = """\
# __{title}__, (from page [{page_id}](https://x.test/p/{page_id}).)

__[External link](https://{domain}/a)__

## Keywords

* {keyword}

## Themes

{themes}

## Other

* Category: {category}
* Type: news

## Summary

About {title}.

## Signals

| name | description | relevancy |
|---|---|---|
| {title} one | first | {r1} |
| {title} two | second | {r2} |

## Technologies

| description | relevancy | src |
|---|---|---|
| {title} tech | {r2} | abc |
"""

EXPORT_DOCS = [
    # name, date, category, themes, relevancy of the two signals
    ("alpha", "20240105", "science", ["Climate", "Energy"], (5, 2)),
    ("beta", "20240610", "Science", ["climate"], (3, 4)),
    ("gamma", "20250120", "politics", ["Climate"], (5, 5)),
    ("delta", "20240901", "science", ["AI"], (4, 1)),
    ("epsilon", "20230315", "science", ["CLIMATE"], (5, 5)),
]
FILTER_ARGS = ["--theme", "climate", "--category", "science", "--min-relevancy", "4", "--since", "2024-01-01"]
FILTERS = Filters(themes=("climate",), categories=("science",), min_relevancy=4, since=dt.date(2024, 1, 1))


def _beside_its_document(frame: pd.DataFrame, documents: pd.DataFrame) -> pd.DataFrame:
    """A filtered table as an export should hold it: its document's title, date and domain after doc_id
    (joined here with a merge, independently of signals.export)."""
    context = documents[["doc_id", "title", "date", "domain"]].astype({"doc_id": "str", "domain": "str"}).rename(
        columns={"title": "document_title", "date": "document_date", "domain": "document_domain"})
    merged = frame.astype({"doc_id": "str"}).merge(context, on="doc_id", how="left")
    leading = ["doc_id", "document_title", "document_date", "document_domain"]
    return merged[leading + [c for c in frame.columns if c != "doc_id"]]


@pytest.fixture(scope="module")
def export_corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, pd.DataFrame]]:
    """A folder of five documents and the tables an export with FILTERS should hold (load + apply,
    then each row's document beside it)."""
    folder = tmp_path_factory.mktemp("export-corpus")
    for name, page_id, category, themes, (r1, r2) in EXPORT_DOCS:
        (folder / f"{name}.md").write_text(DOC.format(
            title=name.title(), page_id=page_id, domain=f"{name}.example.com", keyword=name, category=category,
            themes="\n".join(f"* {t}" for t in themes), r1=r1, r2=r2), encoding="utf-8")
    corpus: Corpus = load_corpus(folder, use_cache=False)
    filtered = apply(corpus, FILTERS)
    tables = {name: frame if name in ("documents", "problems") else _beside_its_document(frame, filtered.documents)
              for name, frame in filtered.frames().items()}
    # Nothing annotated: documents, items and the section tables end with the annotation columns at
    # their defaults (not starred, status new, the rest empty).
    for name in ("documents", "items", *filtered.tables):
        tables[name] = tables[name].assign(starred=False, status="new", impact=None, likelihood=None, horizon=None,
                                           tags=None, note=None)
    return folder, tables


def test_the_filters_select_a_proper_subset(export_corpus: tuple[Path, dict[str, pd.DataFrame]]) -> None:
    _, frames = export_corpus
    # Science, climate, since 2024 and a row of relevancy >= 4: alpha and beta (gamma is politics,
    # delta not climate, epsilon from 2023); only their rows of relevancy >= 4.
    assert frames["documents"]["doc_id"].tolist() == ["alpha", "beta"]
    assert frames["items"][["doc_id", "section", "label"]].values.tolist() == [
        ["alpha", "signals", "Alpha one"], ["beta", "signals", "Beta two"], ["beta", "technologies", "Beta tech"]]
    assert frames["items"]["relevancy"].tolist() == [5, 4, 4]


def _assert_rows_equal(name: str, exported: pd.DataFrame, expected: pd.DataFrame) -> None:
    """Exported rows (read back from a file) equal the filtered frame's, compared as text."""
    assert list(exported.columns) == list(expected.columns), name
    assert len(exported) == len(expected), name

    def as_text(frame: pd.DataFrame) -> list[list[str]]:
        def cell(value: object) -> str:
            if value is None or (not isinstance(value, str) and pd.isna(value)):
                return ""
            if isinstance(value, (pd.Timestamp, dt.datetime)):
                return value.strftime("%Y-%m-%d")
            if isinstance(value, float) and value.is_integer():
                return str(int(value))
            # A date cell of the xlsx sheet reads back as `2024-01-05 00:00:00`.
            return str(value).removesuffix(" 00:00:00")

        return [[cell(v) for v in row] for row in frame.astype(object).itertuples(index=False)]

    assert as_text(exported) == as_text(expected), name


def _check_tables(read: dict[str, pd.DataFrame], frames: dict[str, pd.DataFrame]) -> None:
    assert set(read) >= {"documents", "items", "keywords", "themes", "signals", "technologies"}
    for name, expected in frames.items():
        if name in read:
            _assert_rows_equal(name, read[name], expected)
    assert len(read["documents"]) == 2


def test_export_json(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                     export_corpus: tuple[Path, dict[str, pd.DataFrame]]) -> None:
    folder, frames = export_corpus
    out = tmp_path / "out.json"
    code, _, err = run(capsys, "export", str(folder), "--out", str(out), *FILTER_ARGS)
    assert code == 0
    assert "2 documents, 3 rows" in err
    data = json.loads(out.read_text(encoding="utf-8"))
    read = {name: pd.DataFrame(records, columns=list(frames[name].columns)) for name, records in data.items()}
    assert set(read) == set(frames)
    _check_tables(read, frames)


def test_export_zip(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                    export_corpus: tuple[Path, dict[str, pd.DataFrame]]) -> None:
    folder, frames = export_corpus
    out = tmp_path / "out.zip"
    assert run(capsys, "export", str(folder), "--out", str(out), *FILTER_ARGS)[0] == 0
    with zipfile.ZipFile(out) as archive:
        names = archive.namelist()
        read = {name.removesuffix(".csv"): pd.read_csv(archive.open(name), dtype=str, keep_default_na=False)
                for name in names if name.endswith(".csv")}
        recorded = json.loads(archive.read("filters.json"))["filters"]
    assert recorded == FILTERS.describe()
    assert set(read) == set(frames)
    _check_tables(read, frames)


def test_export_csv_folder(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                           export_corpus: tuple[Path, dict[str, pd.DataFrame]]) -> None:
    folder, frames = export_corpus
    out = tmp_path / "tables"
    assert run(capsys, "export", str(folder), "--out", str(out), "--format", "csv", *FILTER_ARGS)[0] == 0
    read = {path.stem: pd.read_csv(path, dtype=str, keep_default_na=False) for path in out.glob("*.csv")}
    assert set(read) == set(frames)
    _check_tables(read, frames)


def test_export_xlsx(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                     export_corpus: tuple[Path, dict[str, pd.DataFrame]]) -> None:
    pytest.importorskip("openpyxl")
    folder, frames = export_corpus
    out = tmp_path / "out.xlsx"
    assert run(capsys, "export", str(folder), "--out", str(out), *FILTER_ARGS)[0] == 0
    sheets = pd.read_excel(out, sheet_name=None, dtype=str, keep_default_na=False)
    recorded = dict(zip(sheets["filters"]["filter"], sheets["filters"]["value"], strict=True))
    assert {k: v for k, v in recorded.items() if k != "exported_at"} == FILTERS.describe()
    read = {name: sheet for name, sheet in sheets.items() if name != "filters"}
    assert set(read) == set(frames)
    _check_tables(read, frames)


def test_export_without_filters_writes_everything(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                                  export_corpus: tuple[Path, dict[str, pd.DataFrame]]) -> None:
    folder, _ = export_corpus
    out = tmp_path / "all.json"
    assert run(capsys, "export", str(folder), "--out", str(out))[0] == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    assert [d["doc_id"] for d in data["documents"]] == sorted(name for name, *_ in EXPORT_DOCS)
    assert len(data["items"]) == 3 * len(EXPORT_DOCS)


def test_export_usage_errors(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                             export_corpus: tuple[Path, dict[str, pd.DataFrame]]) -> None:
    folder, _ = export_corpus
    assert run(capsys, "export", str(tmp_path / "missing"), "--out", str(tmp_path / "x.json"))[0] == 2
    code, _, err = run(capsys, "export", str(folder), "--out", str(tmp_path / "tables"))
    assert code == 2
    assert "--format" in err or "format" in err
    assert not (tmp_path / "tables").exists()


def test_export_names_each_rows_document(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                         export_corpus: tuple[Path, dict[str, pd.DataFrame]]) -> None:
    folder, _ = export_corpus
    out = tmp_path / "tables"
    assert run(capsys, "export", str(folder), "--out", str(out), "--format", "csv", *FILTER_ARGS)[0] == 0
    with (out / "signals.csv").open(encoding="utf-8", newline="") as handle:
        signals = [row[:5] for row in csv.reader(handle)]
    # As written in EXPORT_DOCS: the page id is the date, the external link's host the domain.
    assert signals == [
        ["doc_id", "document_title", "document_date", "document_domain", "row"],
        ["alpha", "Alpha", "2024-01-05", "alpha.example.com", "0"],
        ["beta", "Beta", "2024-06-10", "beta.example.com", "1"],
    ]
    parquet = tmp_path / "parquet"
    assert run(capsys, "export", str(folder), "--out", str(parquet), "--format", "parquet", *FILTER_ARGS)[0] == 0
    technologies = pd.read_parquet(parquet / "technologies")  # a Hive-partitioned dataset folder
    assert technologies[["document_title", "document_domain"]].astype(str).values.tolist() == [
        ["Beta", "beta.example.com"]]
    assert technologies["document_date"].tolist() == [pd.Timestamp("2024-06-10")]


def test_export_text_scope(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                           export_corpus: tuple[Path, dict[str, pd.DataFrame]]) -> None:
    folder, _ = export_corpus
    # "About <title>." is every document's summary and no row's text.
    code, _, err = run(capsys, "export", str(folder), "--out", str(tmp_path / "rows.json"), "--text", "about")
    assert code == 0
    assert "(0 documents, 0 rows)" in err
    code, _, err = run(capsys, "export", str(folder), "--out", str(tmp_path / "docs.json"), "--text", "about",
                       "--text-scope", "documents")
    assert code == 0
    assert "(5 documents, 15 rows)" in err
    # "one" is in one signal's name per document: rows scope keeps those five rows only.
    code, _, err = run(capsys, "export", str(folder), "--out", str(tmp_path / "one.xlsx"), "--text", "ONE")
    assert "(5 documents, 5 rows)" in err
    sheets = pd.read_excel(tmp_path / "one.xlsx", sheet_name=None, dtype=str, keep_default_na=False)
    assert sheets["signals"]["name"].tolist() == ["Alpha one", "Beta one", "Delta one", "Epsilon one", "Gamma one"]
    recorded = dict(zip(sheets["filters"]["filter"], sheets["filters"]["value"], strict=True))
    assert recorded["text"] == "“ONE” in rows"
