"""Broken and hostile documents: the loader never raises, loses no table row, and loads the rest.

A catalogue of broken documents (every variant the loader must take, plus the hostile ones: a table
with only its header, a 200 kB cell, binary bytes named `.md`, a file that vanishes or becomes
unreadable mid-load, directory symlink loops, a FIFO, a 50 MB document, a table thousands of columns
wide, lines built to make regular expressions backtrack). Each is loaded in a folder beside two good
documents. For each: no exception escapes; every table row -- counted by `tests/rowcount.py`, which
does not use the parser -- is an item at its own line or a problem with file and line (or its file
is reported skipped as a whole); and the good documents load exactly as they do alone.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pandas as pd
import pytest
import rowcount

from signals.corpus_type import Corpus
from signals.ingest import files, load
from signals.ingest.load import LoadStats, load_corpus

ROOT = Path(__file__).resolve().parents[2]
SEED_FILE = ROOT / "seeds" / "000_19f67a480975dbd3.txt"  # as in conftest.py (not imported: tests/*/conftest.py)
SEED_ROWS = 27

GOOD = {
    "good-one.md": SEED_FILE.read_text(encoding="utf-8").replace("South Korea Considers", "Good One:"),
    # Another article: the same link would make it a flagged copy of good-one (its own warning).
    "good-two.md": SEED_FILE.read_text(encoding="utf-8").replace("South Korea Considers", "Good Two:")
    .replace("south-korea-vows-action", "another-story"),
}

HEAD = "# __{title}__, (from page [{page_id}](https://example.substack.com/p/{page_id}).)\n\n"
TABLE = "| name | description | relevancy |\n|---|---|---|\n"


def _doc(body: str, title: str = "Broken", page_id: str = "20240101") -> str:
    return HEAD.format(title=title, page_id=page_id) + body


# ---------------------------------------------------------------------------------------------
# The catalogue: file name -> bytes
# ---------------------------------------------------------------------------------------------
VARIANTS: dict[str, bytes] = {
    "sections_missing_and_repeated.md": _doc(
        "## Signals\n\n" + TABLE + "| a | one | 1 |\n\n## Signals\n\n" + TABLE + "| b | two | 2 |\n| c | three | 3 |\n"
    ).encode(),
    "unknown_sections.md": _doc(
        "## Opportunities\n\n| name | owner | relevancy |\n|---|---|---|\n| market | cities | 4 |\n\n"
        "## Open questions\n\nprose | with a pipe\n\n* who pays?\n* who decides?\n"
    ).encode(),
    "columns_missing_extra_renamed.md": _doc(
        "## Technologies\n\n| description | relevancy | src |\n|---|---|---|\n| heat maps | 4 | abc |\n\n"
        "## Signals\n\n| Signal | Change | 10y horizon | Driving force |\n| --- | --- | --- | --- |\n"
        "| old signal | c | t | d |\n"
    ).encode(),
    "old_format.md": (
        b"# __Old Format__, from ([20221016](https://example.substack.com/p/20221016))\n\n"
        b"## Summary\n\nSummary first.\n\n## Keywords\n\n- old\n\n## Themes\n\n+ History\n\n"
        b"## Signals\n\n| Signal | Change | 10y horizon | Driving force |\n| --- | --- | --- | --- |\n"
        b"| old one | c1 | t1 | d1 |\n\n## Closest\n\n* [A neighbour](20221001)\n* 20221003\n"
    ),
    "headings_and_bullets.md": _doc(
        "##  keywords\n\n+ plus\n-   dash\n*\tstar\n\n## SIGNALS ##\n\n" + TABLE + "| closed | a | 1 |\n\n"
        "##Issues\n\n" + TABLE + "| no space | b | 2 |\n\n### Technologies\n\n" + TABLE + "| level three | c | 3 |\n"
    ).encode(),
    "crlf_bom.md": ("\ufeff" + _doc("## Signals\r\n\r\n" + TABLE + "| crlf | a | 4 |\r\n")).replace("\n", "\r\n")
    .replace("\r\r\n", "\r\n").encode("utf-8"),
    "bare_cr.md": _doc("## Signals\n\n" + TABLE + "| cr | a | 4 |\n").replace("\n", "\r").encode(),
    "escaped_pipes_no_outer.md": _doc(
        "## Issues\n\nname | description | relevancy\n--- | :---: | ---:\nWho pays \\| who decides | costs | 4\n"
        "Plain | row | 5\n\n## Concerns\n\n" + TABLE + "| A \\| B | x \\|\\| y | 2 |\n"
    ).encode(),
    "ragged_rows.md": _doc(
        "## Behaviors\n\n" + TABLE + "| short | only two |\n| long | desc | 5 | surplus | more |\n| fine | ok | 2 |\n"
    ).encode(),
    "relevancy_spellings.md": _doc(
        "## Signals\n\n" + TABLE + "| float | a | 4.0 |\n| spaced | b |  5  |\n| empty | c | |\n| word | d | high |\n"
        "| zero | e | 0 |\n| six | f | 6 |\n| fraction | g | 4.5 |\n"
    ).encode(),
    "page_id_not_a_date.md": _doc("## Signals\n\n" + TABLE + "| x | y | 3 |\n", page_id="20241340").encode(),
    "page_id_in_the_future.md": _doc("## Signals\n\n" + TABLE + "| x | y | 3 |\n", page_id="20990911").encode(),
    "cp1252.md": _doc("## Other\n\n* Note: caf\xe9\n\n## Signals\n\n" + TABLE + "| caf\xe9 | cr\xe8me | 3 |\n")
    .encode("cp1252"),
    "utf16.md": b"\xff\xfe" + _doc("## Signals\n\n" + TABLE + "| utf16 | row | 2 |\n").encode("utf-16-le"),
    "utf16_broken.md": b"\xff\xfe" + b"\x00\xd8" * 3 + "| a | b | 1 |\n".encode("utf-16-le"),
    "empty.md": b"",
    "blank_lines_only.md": b"\n \n\t\n",
    "readme_not_a_document.md": b"# A project\n\n## Usage\n\n| command | what |\n|---|---|\n| run | runs |\n",
}

HOSTILE: dict[str, bytes] = {
    "header_only.md": _doc("## Signals\n\n| name | description | relevancy |\n\n## Concerns\n\n" + TABLE).encode(),
    "header_and_delimiter_only_then_rows_apart.md": _doc(
        "## Signals\n\n" + TABLE + "\n| orphan | row | 4 |\n| another | orphan | 2 |\n"
    ).encode(),
    "delimiter_mismatch.md": _doc(
        "## Signals\n\n| name | description | relevancy |\n|---|---|\n| not | read | 4 |\n| also | not read | 2 |\n"
    ).encode(),
    "stray_rows_everywhere.md": _doc(
        "| above | every | heading |\n\n## Opportunities\n\nprose\n\n| stray | in an unnamed section |\n\n"
        "## Signals\n\n| stray | in signals | 3 |\n"
    ).encode(),
    "cell_200kb.md": _doc("## Signals\n\n" + TABLE + "| huge | " + "x" * 200_000 + " | 3 |\n| after | ok | 4 |\n")
    .encode(),
    "binary_png.md": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 40,
    "binary_no_nul.md": bytes(range(1, 256)) * 200,
    "nul_after_64k.md": _doc("## Summary\n\n" + "s" * 70_000 + "\x00\n\n## Signals\n\n" + TABLE + "| late | nul | 4 |\n")
    .encode(),
    "wide_table.md": _doc(
        "## Signals\n\n|" + "|".join(f"c{k}" for k in range(3000)) + "| relevancy |\n|" + "---|" * 3001 + "\n|"
        + "|".join(f"v{k}" for k in range(3000)) + "| 4 |\n"
    ).encode(),
    "many_columns_ragged.md": _doc("## Signals\n\n" + TABLE + "|" + " x |" * 20_000 + "\n").encode(),
    "deep_nesting.md": _doc("## Summary\n\n" + "> " * 5000 + "deep\n\n## Signals\n\n" + TABLE + "| n | d | 1 |\n")
    .encode(),
}

# Lines shaped to make a backtracking pattern take quadratic (or worse) time, 200 kB each.
BACKTRACKING = {
    "title_of_spaces": "# a" + " " * 200_000 + "b\n\n## Signals\n\n" + TABLE + "| r | d | 1 |\n",
    "title_of_from_brackets": "# " + "from [" * 33_000 + "\n\n## Signals\n\n" + TABLE + "| r | d | 1 |\n",
    "title_of_commas": "# a" + ", " * 100_000 + "b\n\n## Signals\n\n" + TABLE + "| r | d | 1 |\n",
    "heading_of_spaces": _doc("## a" + " " * 200_000 + "b\n\n" + TABLE + "| r | d | 1 |\n"),
    "bullet_of_spaces": _doc("## Keywords\n\n* " + " " * 200_000 + "a\n\n## Signals\n\n" + TABLE + "| r | d | 1 |\n"),
    "closest_of_brackets": _doc("## Closest\n\n* " + "[" * 200_000 + "\n\n## Signals\n\n" + TABLE + "| r | d | 1 |\n"),
    "link_destination": _doc("## Closest\n\n* [a](" + "(b" * 100_000 + "\n\n## Signals\n\n" + TABLE + "| r | d | 1 |\n"),
    "pipes": _doc("## Signals\n\n" + TABLE + "|" * 200_000 + "\n"),
    "escaped_pipes": _doc("## Signals\n\n" + TABLE + "|" + "\\|" * 100_000 + "|\n"),
    "delimiter_row": _doc("## Signals\n\n| a |\n|" + "-" * 200_000 + "|\n| r |\n"),
    "emphasis": _doc("## Keywords\n\n* " + "*_" * 100_000 + "\n\n## Signals\n\n" + TABLE + "| r | d | 1 |\n"),
    "html": _doc("## Signals\n\n" + TABLE + "| r | d | 1 |\n<a" + " b='" * 50_000 + "\n"),
}


# ---------------------------------------------------------------------------------------------
# Checks
# ---------------------------------------------------------------------------------------------
def _document_files(folder: Path) -> list[Path]:
    """Document files under folder, walked without following links (rowcount's own listing)."""
    found = []
    for directory, subdirectories, names in os.walk(folder):
        subdirectories[:] = [d for d in subdirectories if not d.startswith(".")]
        for name in names:
            path = Path(directory) / name
            if name.lower().endswith((".md", ".markdown", ".txt")) and path.is_file() and not path.is_symlink():
                found.append(path)
    return found


def assert_nothing_lost(folder: Path, loaded: Corpus) -> None:
    """Every row of every file is an item at its line, a problem at its line, or its file is skipped
    with an error; every item's cells are on the line it names; every problem names file and line."""
    problems = loaded.problems
    assert problems["path"].notna().all() and problems["line"].notna().all()
    assert not problems["message"].str.startswith("parser failed").any(), problems["message"].tolist()
    documents = loaded.documents.assign(doc_id=loaded.documents["doc_id"].astype("str"))
    doc_of_path = dict(zip(documents["path"], documents["doc_id"]))
    items = loaded.items.assign(doc_id=loaded.items["doc_id"].astype("str"))
    for path in _document_files(folder):
        relative = path.relative_to(folder).as_posix()
        own_problems = problems[problems["path"] == relative]
        text = rowcount.text_of(path.read_bytes())
        if relative not in doc_of_path:
            assert (own_problems["severity"] == "error").any(), f"{relative} neither loaded nor reported"
            continue
        own_items = items[items["doc_id"] == doc_of_path[relative]]
        lost = rowcount.unaccounted(text, set(own_items["line"]), set(own_problems["line"]))
        assert not lost, f"{relative}: rows at lines {lost[:10]} are neither items nor problems"
        lines = rowcount.lines_of(text)
        for row in own_items.itertuples(index=False):
            line = lines[row.line - 1].replace("\\|", "|")
            for column in loaded.section_columns.get(row.section, []):
                value = getattr(row, column, None) if column.isidentifier() else None
                if isinstance(value, str) and value:
                    assert value in line, f"{relative}:{row.line}: {column}={value[:40]!r} not on its line"


def assert_good_documents_load(loaded: Corpus) -> None:
    documents = loaded.documents.set_index(loaded.documents["doc_id"].astype("str"))
    for name in GOOD:
        doc_id = name.removesuffix(".md")
        assert doc_id in documents.index, f"{doc_id} missing"
        assert (loaded.items["doc_id"].astype("str") == doc_id).sum() == SEED_ROWS
        assert not (loaded.problems["path"] == name).any(), loaded.problems[loaded.problems["path"] == name]


def _folder_with(tmp_path: Path, files: dict[str, bytes]) -> Path:
    folder = tmp_path / "data"
    folder.mkdir(exist_ok=True)
    for name, text in GOOD.items():
        (folder / name).write_text(text, encoding="utf-8")
    for name, data in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    return folder


def _load(folder: Path, cache_root: Path | None = None, stats: LoadStats | None = None) -> Corpus:
    return load_corpus(folder, use_cache=cache_root is not None, cache_root=cache_root, stats=stats)


def _same_problems_and_items(left: Corpus, right: Corpus) -> None:
    for name in ("items", "problems", "documents"):
        pd.testing.assert_frame_equal(getattr(left, name), getattr(right, name), obj=name)


# ---------------------------------------------------------------------------------------------
# Tests
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(VARIANTS) + sorted(HOSTILE))
def test_each_broken_document_loses_nothing(tmp_path: Path, name: str) -> None:
    data = {**VARIANTS, **HOSTILE}[name]
    folder = _folder_with(tmp_path, {name: data})
    cold = _load(folder, tmp_path / "cache")
    assert_nothing_lost(folder, cold)
    assert_good_documents_load(cold)
    # The cached load says the same: problems are data, kept with the rows.
    warm_stats = LoadStats()
    warm = _load(folder, tmp_path / "cache", warm_stats)
    assert warm_stats.parsed == 0
    _same_problems_and_items(cold, warm)


def test_the_whole_catalogue_at_once(tmp_path: Path) -> None:
    folder = _folder_with(tmp_path, {**VARIANTS, **HOSTILE})
    loaded = _load(folder)
    assert_nothing_lost(folder, loaded)
    assert_good_documents_load(loaded)
    # What each hostile file became, in words a user reads on the Data health page.
    messages = loaded.problems.groupby("path")["message"].apply(" / ".join)
    assert "binary file" in messages["binary_png.md"]
    assert "not a signal document" in messages["binary_no_nul.md"]
    assert "empty file" in messages["empty.md"] and "empty file" in messages["blank_lines_only.md"]
    assert "not a signal document" in messages["readme_not_a_document.md"]
    assert "byte-order mark" in messages["utf16_broken.md"]
    assert "only the first 64 loaded" in messages["wide_table.md"]
    assert "not in a table" in messages["header_only.md"]
    assert "table not read" in messages["delimiter_mismatch.md"]
    huge = loaded.items[loaded.items["name"] == "huge"]
    assert huge["description"].str.len().tolist() == [200_000]
    wide = loaded.items[loaded.items["doc_id"].astype("str") == "wide_table"]
    assert len(wide) == 1 and wide["relevancy"].tolist() == [4]
    assert len(loaded.items.columns) < 100, "a hostile header must not widen every row of the corpus"


def test_stray_rows_are_reported_where_they_are(tmp_path: Path) -> None:
    folder = _folder_with(tmp_path, {"stray.md": HOSTILE["stray_rows_everywhere.md"]})
    loaded = _load(folder)
    text = HOSTILE["stray_rows_everywhere.md"].decode()
    problems = loaded.problems[loaded.problems["path"] == "stray.md"]
    assert sorted(problems["line"]) == rowcount.row_lines(text)
    assert set(problems["section"]) == {"preamble", "opportunities", "signals"}
    assert (problems["severity"] == "error").all()


@pytest.mark.parametrize("name", sorted(BACKTRACKING))
def test_lines_built_to_backtrack_load_in_linear_time(tmp_path: Path, name: str) -> None:
    folder = _folder_with(tmp_path, {f"{name}.md": BACKTRACKING[name].encode()})
    _load(folder)  # once before measuring: the first load of a process also pays for its imports
    # CPU time of this process, not the wall clock: other work on two busy cores stretches the one,
    # not the other. A backtracking pattern takes minutes on a 200 kB line; the parse, 0.1 s.
    started = time.process_time()
    loaded = _load(folder)
    elapsed = time.process_time() - started
    assert elapsed < 3.0, f"{name}: {elapsed:.1f} s of CPU for a 200 kB line"
    assert_nothing_lost(folder, loaded)
    assert_good_documents_load(loaded)


def test_a_file_that_vanishes_mid_load(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = _folder_with(tmp_path, {"vanishing.md": _doc("## Signals\n\n" + TABLE + "| gone | soon | 3 |\n").encode()})
    real_discover = load.discover

    def discover_then_delete(root: Path, *args, **kwargs):
        found = real_discover(root, *args, **kwargs)
        (folder / "vanishing.md").unlink()  # listed, then gone before it is read
        return found

    monkeypatch.setattr(load, "discover", discover_then_delete)
    loaded = _load(folder, tmp_path / "cache")
    [problem] = loaded.problems.to_dict("records")
    assert (problem["path"], problem["line"], problem["severity"]) == ("vanishing.md", 0, "error")
    assert problem["message"].startswith("cannot read file")
    assert_good_documents_load(loaded)
    monkeypatch.undo()
    again = _load(folder, tmp_path / "cache")
    assert again.problems.empty and len(again.documents) == 2


def test_a_file_that_becomes_unreadable_mid_load_is_read_again_later(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Running as root, chmod cannot make a file unreadable: the loader's opening of it fails instead
    # (files.read, the one place that opens the data folder's files, with os.open).
    folder = _folder_with(tmp_path, {"locked.md": _doc("## Signals\n\n" + TABLE + "| locked | row | 3 |\n").encode()})

    def refuse(path) -> None:
        if str(path).endswith("locked.md"):
            raise PermissionError(13, "Permission denied", str(path))

    class RefusingOs:
        def __getattr__(self, name):
            return getattr(os, name)

        @staticmethod
        def open(path, *args, **kwargs):
            refuse(path)
            return os.open(path, *args, **kwargs)

    monkeypatch.setattr(files, "os", RefusingOs())
    loaded = _load(folder, tmp_path / "cache")
    assert loaded.problems["message"].tolist() == ["cannot read file: Permission denied; skipped"]
    assert_good_documents_load(loaded)
    monkeypatch.undo()
    # Readable again with the same size and mtime (chmod changes neither): read, not served stale.
    stats = LoadStats()
    again = _load(folder, tmp_path / "cache", stats)
    assert stats.parsed == 1
    assert again.problems.empty
    assert again.items.loc[again.items["doc_id"].astype("str") == "locked", "name"].tolist() == ["locked"]


def _load_within(folder: Path, seconds: float) -> Corpus:
    """load_corpus in a thread that must finish in time (a loop or a FIFO would hang it)."""
    result: dict = {}

    def run() -> None:
        try:
            result["corpus"] = _load(folder)
        except BaseException as error:  # noqa: BLE001 - reported below
            result["error"] = error

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"load_corpus still running after {seconds} s"
    assert "error" not in result, result.get("error")
    return result["corpus"]


def test_symlink_loops_fifos_and_dangling_links(tmp_path: Path) -> None:
    folder = _folder_with(tmp_path, {"sub/deeper/doc.md": VARIANTS["ragged_rows.md"]})
    (folder / "loop").symlink_to(folder, target_is_directory=True)
    (folder / "sub" / "up").symlink_to(folder / "sub", target_is_directory=True)
    (folder / "sub" / "deeper" / "back").symlink_to(folder, target_is_directory=True)
    (folder / "dangling.md").symlink_to(tmp_path / "nowhere.md")
    (folder / "zero.md").symlink_to("/dev/zero")
    os.mkfifo(folder / "fifo.md")
    loaded = _load_within(folder, 30)
    assert sorted(loaded.documents["path"]) == ["good-one.md", "good-two.md", "sub/deeper/doc.md"]
    assert_nothing_lost(folder, loaded)
    assert_good_documents_load(loaded)


def test_a_50_mb_document(tmp_path: Path) -> None:
    row = "| row {:06d} | " + "d" * 180 + " | {} |\n"
    count = -(-50_000_000 // len(row.format(0, 3)))
    body = "".join(row.format(k, k % 5 + 1) for k in range(count))
    text = _doc("## Signals\n\n" + TABLE + body)
    folder = _folder_with(tmp_path, {"big.md": text.encode()})
    assert (folder / "big.md").stat().st_size >= 50_000_000
    started = time.process_time()  # CPU, not wall time (see the backtracking test): about 1 s
    loaded = _load(folder)
    elapsed = time.process_time() - started
    big = loaded.items[loaded.items["doc_id"].astype("str") == "big"]
    assert len(big) == len(rowcount.row_lines(text)) == count
    assert big["relevancy"].value_counts().sort_index().tolist() == [count // 5 + (k < count % 5) for k in range(5)]
    assert big["name"].iloc[-1] == f"row {count - 1:06d}"
    assert loaded.problems.empty
    assert_good_documents_load(loaded)
    assert elapsed < 20, f"{elapsed:.1f} s of CPU"
