"""Uploads: limits, zip bombs, paths that climb out, non-text files -- each a clear message, and
nothing written outside the upload's temporary folder.

`signals.uploads.save_uploads` is what the app's file uploader hands its (name, bytes) pairs to; a
name is whatever the browser (or a hand-made request) sends. Every test runs with the temporary
directory moved into tmp_path, so "nothing outside" is checked on a folder no one else writes to.
"""

from __future__ import annotations

import io
import os
import stat
import struct
import tempfile
import zipfile
from pathlib import Path

import mutate
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from signals import uploads
from signals.ingest.load import combine, load_corpus
from signals.uploads import save_uploads

ROOT = Path(__file__).resolve().parents[1]
SEED_FILE = ROOT / "seeds" / "000_19f67a480975dbd3.txt"  # as in conftest.py (not imported: tests/*/conftest.py)
SEED = SEED_FILE.read_bytes()


@pytest.fixture
def temp_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """tempfile's folder moved into tmp_path; a sibling 'outside' folder that must stay empty."""
    root = tmp_path / "tmp"
    root.mkdir()
    (tmp_path / "outside").mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(root))
    return root


def files_under(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file() or p.is_symlink()}


def assert_contained(result: uploads.UploadResult, temp_root: Path) -> None:
    """Everything written lies inside the upload's own folder, which lies inside the temp folder."""
    folder = result.folder.resolve()
    assert folder.parent == temp_root.resolve()
    assert files_under(temp_root.parent / "outside") == set()
    for path in temp_root.parent.rglob("*"):
        if path.is_file() or path.is_symlink():
            assert path.resolve().is_relative_to(folder), f"{path} written outside {folder}"
    for path in folder.rglob("*"):
        assert not path.is_symlink(), f"{path} is a link"
    assert files_under(folder) == set(result.accepted)


def zip_of(entries: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        for name, data in entries.items():
            archive.writestr(zipfile.ZipInfo(name), data, compress_type=compression)
    return buffer.getvalue()


def only_message(result: uploads.UploadResult) -> str:
    [message] = result.refused
    return message


# ---------------------------------------------------------------------------------------------
# What is accepted
# ---------------------------------------------------------------------------------------------
def test_documents_and_a_zip_of_them_are_accepted_and_load(temp_root: Path) -> None:
    result = save_uploads([
        ("one.md", SEED),
        ("notes.txt", SEED.replace(b"South Korea", b"Notes")),
        ("batch.zip", zip_of({"a.md": SEED, "sub/b.markdown": SEED, ".DS_Store": b"\x00\x01", "__MACOSX/._a.md": b"x"})),
    ])
    assert result.refused == []
    assert sorted(result.accepted) == ["batch/a.md", "batch/sub/b.markdown", "notes.txt", "one.md"]
    assert_contained(result, temp_root)
    corpus = load_corpus(result.folder, use_cache=False)
    assert sorted(corpus.documents["doc_id"]) == ["batch/a", "batch/sub/b", "notes", "one"]
    assert len(corpus.items) == 4 * 27


# ---------------------------------------------------------------------------------------------
# Limits
# ---------------------------------------------------------------------------------------------
def test_a_document_over_the_size_limit_is_refused(temp_root: Path) -> None:
    big = SEED + b"x" * (uploads.MAX_FILE_BYTES - len(SEED) + 1)
    result = save_uploads([("big.md", big), ("ok.md", SEED)])
    assert only_message(result) == f"big.md: {len(big) / 1e6:.1f} MB is over the 50 MB limit"
    assert result.accepted == ["ok.md"]
    assert_contained(result, temp_root)


def test_uploads_over_the_total_limit_stop_there(temp_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(uploads, "MAX_EXPANDED_BYTES", 2 * len(SEED) + 10)
    result = save_uploads([(f"d{k}.md", SEED) for k in range(4)])
    assert result.accepted == ["d0.md", "d1.md"]
    assert result.refused == [f"d{k}.md: uploads exceed 0 MB in all" for k in (2, 3)]
    assert_contained(result, temp_root)


def test_a_zip_that_declares_more_than_the_limit_is_refused_before_extraction(
    temp_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(uploads, "MAX_EXPANDED_BYTES", 10 * 2**20)
    bomb = zip_of({f"part{k}.md": b"\n" * (3 * 2**20) for k in range(4)})  # 12 MB from ~50 kB
    assert len(bomb) < 100_000
    result = save_uploads([("bomb.zip", bomb)])
    assert only_message(result) == "bomb.zip: would expand to 13 MB, over the 10 MB limit"
    assert result.accepted == []
    assert_contained(result, temp_root)


def test_an_entry_that_expands_too_far_is_refused(temp_root: Path) -> None:
    bomb = zip_of({"zeros.md": b"\x20" * (5 * 2**20), "fine.md": SEED})
    result = save_uploads([("ratio.zip", bomb)])
    assert only_message(result) == "ratio.zip: entry 'zeros.md' expands 200x+ (zip bomb?); skipped"
    assert result.accepted == ["ratio/fine.md"]
    assert_contained(result, temp_root)


def _lie_about_size(archive: bytes, name: bytes, declared: int) -> bytes:
    """Rewrite the central directory's uncompressed size of entry `name` (a header that lies)."""
    central = archive.index(b"PK\x01\x02")
    while archive[central + 46:central + 46 + len(name)] != name:
        central = archive.index(b"PK\x01\x02", central + 4)
    return archive[:central + 24] + struct.pack("<I", declared) + archive[central + 28:]


def test_an_entry_larger_than_its_header_says_is_refused(temp_root: Path) -> None:
    archive = _lie_about_size(zip_of({"liar.md": SEED, "fine.md": SEED}), b"liar.md", 100)
    result = save_uploads([("liar.zip", archive)])
    assert result.accepted == ["liar/fine.md"]
    message = only_message(result)
    assert message.startswith("liar.zip: entry 'liar.md' ") and message.endswith("; skipped")
    assert_contained(result, temp_root)


def test_too_many_entries(temp_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(uploads, "MAX_FILES", 5)
    result = save_uploads([("many.zip", zip_of({f"{k}.md": SEED for k in range(6)}))])
    assert only_message(result) == "many.zip: 6 entries is over the 5 limit"
    assert_contained(result, temp_root)


# ---------------------------------------------------------------------------------------------
# Paths
# ---------------------------------------------------------------------------------------------
CLIMBING = ["../evil.md", "../../outside/evil.md", "/etc/evil.md", "a/../../evil.md", "..\\evil.md",
            "C:\\evil.md", "C:evil.md", "\\\\server\\share\\evil.md"]


@pytest.mark.parametrize("entry", CLIMBING)
def test_zip_entries_that_climb_out_are_refused(temp_root: Path, entry: str) -> None:
    result = save_uploads([("climb.zip", zip_of({entry: SEED, "fine.md": SEED}))])
    assert only_message(result) == f"climb.zip: entry {entry!r} has an absolute or '..' path; skipped"
    assert result.accepted == ["climb/fine.md"]
    assert_contained(result, temp_root)


@pytest.mark.parametrize("name", CLIMBING)
def test_file_names_that_climb_out_are_refused(temp_root: Path, name: str) -> None:
    result = save_uploads([(name, SEED)])
    assert only_message(result) == f"{name}: not a .md, .markdown or .txt document"
    assert_contained(result, temp_root)


@pytest.mark.parametrize("archive_name", ["...zip", "../...zip", "/tmp/...zip", "..zip", ".zip", "a/../.. .zip"])
def test_an_archive_name_never_becomes_a_path(temp_root: Path, archive_name: str) -> None:
    # `Path("...zip").stem` is ".." -- the entries once landed beside the upload folder.
    result = save_uploads([(archive_name, zip_of({"doc.md": SEED}))])
    assert result.refused == []
    [accepted] = result.accepted
    assert ".." not in Path(accepted).parts
    assert_contained(result, temp_root)


def test_a_symlink_entry_is_written_as_a_plain_file(temp_root: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        info = zipfile.ZipInfo("link.md")
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(info, "/etc/passwd")
    result = save_uploads([("links.zip", buffer.getvalue())])
    assert result.accepted == ["links/link.md"]
    written = result.folder / "links" / "link.md"
    assert not written.is_symlink() and written.read_text() == "/etc/passwd"
    assert_contained(result, temp_root)
    corpus = load_corpus(result.folder, use_cache=False)
    assert corpus.documents.empty and "not a signal document" in corpus.problems["message"][0]


# ---------------------------------------------------------------------------------------------
# Not text, not savable
# ---------------------------------------------------------------------------------------------
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))


def test_non_text_files_each_get_a_message(temp_root: Path) -> None:
    result = save_uploads([
        ("photo.png", PNG),
        ("disguised.md", PNG),
        ("report.pdf", b"%PDF-1.7\n"),
        ("mixed.zip", zip_of({"photo.png": PNG, "disguised.md": PNG, "inner.zip": zip_of({"a.md": SEED}),
                              "ok.md": SEED})),
        ("broken.zip", b"PK\x03\x04 not really a zip"),
    ])
    assert result.refused == [
        "photo.png: not a .md, .markdown or .txt document",
        "disguised.md: binary content, not a text document",
        "report.pdf: not a .md, .markdown or .txt document",
        "mixed.zip: entry 'photo.png' is not a .md, .markdown or .txt document; skipped",
        "mixed.zip: entry 'disguised.md' has binary content, not a text document; skipped",
        "mixed.zip: entry 'inner.zip' is not a .md, .markdown or .txt document; skipped",
        "broken.zip: not a readable zip archive (File is not a zip file)",
    ]
    assert result.accepted == ["mixed/ok.md"]
    assert_contained(result, temp_root)


def test_names_the_file_system_refuses_are_messages(temp_root: Path) -> None:
    result = save_uploads([
        ("a" * 300 + ".md", SEED),
        ("nul\x00.md", SEED),
        ("clash.zip", zip_of({"x.md": SEED, "x.md/y.md": SEED})),
        ("after.md", SEED),
    ])
    assert [m.split(": cannot be saved")[0] for m in result.refused] == [
        "a" * 300 + ".md", "nul\x00.md", "clash.zip: entry 'x.md/y.md'"]
    assert result.accepted == ["clash/x.md", "after.md"]
    assert_contained(result, temp_root)


# ---------------------------------------------------------------------------------------------
# Anything at all: no exception, nothing outside, and the upload joins a corpus
# ---------------------------------------------------------------------------------------------
names = st.one_of(
    st.text(max_size=40),
    st.lists(st.sampled_from(["..", ".", "", "a", "/", "\\", "C:", "x.md", "y.zip", "\x00", "é", " "]),
             max_size=6).map("".join),
)
contents = st.one_of(st.binary(max_size=300), st.sampled_from([SEED, PNG, b""]))
entries = st.dictionaries(names, contents, max_size=5)
damaged_zips = st.tuples(entries.map(zip_of), st.lists(st.sampled_from(sorted(mutate.MUTATIONS)), max_size=2),
                         st.randoms(use_true_random=False)).map(lambda z: mutate.mutate(*z))
uploads_strategy = st.lists(
    st.one_of(st.tuples(names, contents), st.tuples(names.map(lambda n: n + ".zip"), damaged_zips)),
    max_size=4,
)


@settings(max_examples=120, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(files=uploads_strategy)
def test_any_upload_is_contained_and_never_raises(files: list[tuple[str, bytes]]) -> None:
    with tempfile.TemporaryDirectory() as sandbox:
        root = Path(sandbox) / "tmp"
        root.mkdir()
        (Path(sandbox) / "outside").mkdir()
        previous, tempfile.tempdir = tempfile.tempdir, str(root)
        try:
            result = save_uploads(files)
        finally:
            tempfile.tempdir = previous
        assert_contained(result, root)
        assert len(result.accepted) + len(result.refused) >= sum(1 for n, _ in files if not n.endswith(".zip"))
        if result.accepted:
            load_corpus(result.folder, use_cache=False)


def test_a_hostile_upload_joins_the_session_corpus(temp_root: Path) -> None:
    base = load_corpus(SEED_FILE, use_cache=False)
    result = save_uploads([("evil.zip", zip_of({"../x.md": SEED, "=cmd.md": SEED, "bin.md": PNG, "ok.md": SEED}))])
    uploaded = load_corpus(result.folder, use_cache=False)
    joined = combine(base, uploaded, "upload")
    assert sorted(joined.documents["doc_id"].astype("str")) == sorted(
        [SEED_FILE.stem, "upload/evil/=cmd", "upload/evil/ok"])
    assert len(joined.items) == 3 * 27
    assert os.listdir(temp_root) == [result.folder.name]
