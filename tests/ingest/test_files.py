"""signals.ingest.files: reading a file once (bytes and fingerprint), decoding it (and its problems);
and what the per-file path (workers.parse_one_by_one) makes of every kind of failure."""

from __future__ import annotations

from pathlib import Path

import pytest

from signals.ingest.files import NO_STAMP, batch_text, changed_ns, decode, read
from signals.ingest.lineparse import parse_document
from signals.ingest.workers import parse_one_by_one

ROOT = Path(__file__).resolve().parents[2]
SEED_FILE = ROOT / "seeds" / "000_19f67a480975dbd3.txt"  # as in conftest.py (not imported: tests/*/conftest.py)

DOC = "# __Café Signals__, (from page [20240101](https://x.test/p/20240101).)\n\n## Keywords\n\n* naïve\n* 東京\n"


def test_plain_utf8() -> None:
    assert decode(DOC.encode("utf-8")) == (DOC, None)


def test_utf8_byte_order_mark_is_dropped() -> None:
    assert decode(b"\xef\xbb\xbf" + DOC.encode("utf-8")) == (DOC, None)


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_with_a_byte_order_mark(encoding: str) -> None:
    data = DOC.encode(encoding)
    if encoding != "utf-16":  # the bare codecs write no BOM: add the one they would have
        data = ("\ufeff").encode(encoding) + data
    assert decode(data) == (DOC, None)


def test_utf16_bom_with_broken_content_is_refused() -> None:
    text, problem = decode(b"\xff\xfe" + "ab".encode("utf-16-le") + b"\x00\xd8")  # a lone surrogate
    assert text is None
    assert problem[:2] == (1, "error")
    assert "utf-16-le" in problem[2]


def test_cp1252_fallback_names_the_line_of_the_first_bad_byte() -> None:
    data = b"# Title\n\nfine line\n\x93Smart quotes\x94 and caf\xe9\n"
    text, problem = decode(data)
    assert text == "# Title\n\nfine line\n\u201cSmart quotes\u201d and café\n"
    assert problem == (4, "warning", "not valid UTF-8 (first bad byte at line 4); decoded as cp1252")


def test_utf8_bom_with_a_stray_bad_byte_falls_back_too() -> None:
    text, problem = decode(b"\xef\xbb\xbf# Title\r\n\r\ncaf\xe9\r\n")
    assert text == "# Title\r\n\r\ncafé\r\n"
    assert problem == (3, "warning", "not valid UTF-8 (first bad byte at line 3); decoded as cp1252")


def test_bytes_that_are_not_cp1252_fall_back_to_latin1() -> None:
    text, problem = decode(b"ok\n\x81\x8d\n")  # undefined in cp1252
    assert text == "ok\n\x81\x8d\n"
    assert problem == (2, "warning", "not valid UTF-8 (first bad byte at line 2); decoded as latin-1")


def test_binary_is_refused() -> None:
    text, problem = decode(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    assert text is None
    assert problem == (1, "error", "binary file (contains NUL bytes), not a text document; skipped")


def _write(folder: Path, name: str, data: bytes) -> tuple[str, str, str]:
    path = folder / name
    path.write_bytes(data)
    return str(path), name.rsplit(".", 1)[0], name


def test_one_by_one_turns_every_failure_into_a_problem_and_loads_the_rest(tmp_path: Path) -> None:
    seed = SEED_FILE.read_bytes()
    files = [
        _write(tmp_path, "good.md", seed),
        _write(tmp_path, "empty.md", b""),
        _write(tmp_path, "blank.md", b"  \n\n\t\n"),
        _write(tmp_path, "binary.md", b"\x00\x01\x02 not text"),
        _write(tmp_path, "notes.txt", b"shopping list\n- milk\n"),
        _write(tmp_path, "latin.md", seed.replace(b"Ukraine Amid", b"Ukra\xefne Amid")),
        (str(tmp_path / "missing.md"), "missing", "missing.md"),
    ]
    batch = parse_one_by_one(files)
    assert batch.documents["doc_id"] == ["good", "latin"]
    problems = list(zip(*(batch.problems[c] for c in ("path", "line", "severity", "message")), strict=True))
    assert [p[:3] for p in problems] == [
        ("empty.md", 0, "error"),
        ("blank.md", 0, "error"),
        ("binary.md", 1, "error"),
        ("notes.txt", 1, "error"),
        ("latin.md", 1, "warning"),
        ("missing.md", 0, "error"),
    ]
    messages = {p[0]: p[3] for p in problems}
    assert messages["empty.md"] == messages["blank.md"] == "empty file; skipped"
    assert messages["binary.md"].startswith("binary file")
    assert messages["notes.txt"].startswith("not a signal document")
    assert messages["latin.md"] == "not valid UTF-8 (first bad byte at line 1); decoded as cp1252"
    assert messages["missing.md"].startswith("cannot read file")
    assert batch.documents["title"][1] == "South Korea Considers Arms Supply to Ukra\u00efne Amid North Korea-Russia Military Cooperation"


def test_one_by_one_bom_and_crlf_give_the_same_rows(tmp_path: Path) -> None:
    text = SEED_FILE.read_text(encoding="utf-8")
    plain = parse_one_by_one([_write(tmp_path, "plain.md", text.encode())])
    windows = parse_one_by_one([_write(tmp_path, "windows.md", b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode())])
    utf16 = parse_one_by_one([_write(tmp_path, "utf16.md", text.encode("utf-16"))])
    for batch in (windows, utf16):
        assert batch.problems["message"] == []
        for column in ("title", "page_id", "summary"):
            assert batch.documents[column] == plain.documents[column]
        assert batch.items == {**plain.items, "doc_id": batch.items["doc_id"]}
        assert batch.keywords["keyword"] == plain.keywords["keyword"]
    assert parse_document(text)["tables"]  # the seed has tables: the comparison above is not empty
    assert len(plain.items["row"]) == 5 + 6 + 7 + 4 + 5


def test_read_gives_the_bytes_and_the_fingerprint_of_the_open_file(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    path.write_bytes(b"# x\n" * 1000)
    data, stamp, error = read(str(path))
    status = path.stat()
    assert (data, stamp, error) == (b"# x\n" * 1000, (status.st_size, changed_ns(status)), None)


def test_read_never_raises(tmp_path: Path) -> None:
    assert read(str(tmp_path / "missing.md")) == (None, NO_STAMP, "No such file or directory")
    assert read(str(tmp_path)).data is None  # a folder


def test_batch_text_is_what_decode_and_the_line_parser_read() -> None:
    text = "# t\r\n\r\n## Keywords\r* a\n"
    assert batch_text(b"\xef\xbb\xbf" + text.encode()) == b"# t\n\n## Keywords\n* a\n"
    assert batch_text(b"no title\n") is None
    assert batch_text(b"") is None
