"""signals.ingest.batchparse: the vectorized parser gives exactly the raw tables of the
document-by-document path (workers.parse_one_by_one + raw.batch_to_raw, called directly here), and
declines every document it is not sure of.

Equality is checked table by table with Arrow's `equals` (same rows in the same order, same columns
in the same order, same types, same section-columns metadata), which is stricter than comparing
sorted row sets.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from signals.ingest import batchparse, files, raw, workers
from signals.synth import write_corpus

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "seeds"


def files_of(folder: Path) -> list[tuple[str, str, str]]:
    return [(location, doc_id, path) for location, doc_id, path, _, _ in files.discover(folder)]


def batch_texts(chunk: list[tuple[str, str, str]]) -> list[bytes]:
    return [files.batch_text(Path(location).read_bytes()) or b"" for location, _, _ in chunk]


def assert_same_raw(chunk: list[tuple[str, str, str]]) -> None:
    """parse_files (batch parser + line parser for what it declines) == every file through the
    line parser (the reference), text columns as large_string in both."""
    reference = raw.large_strings(raw.batch_to_raw(workers.parse_one_by_one(chunk)))
    fast = workers.parse_files(chunk)
    assert set(fast) == set(reference) == set(raw.RAW_TABLES)
    for name in raw.RAW_TABLES:
        want, got = reference[name], fast[name]
        assert got.column_names == want.column_names, name
        assert got.schema == want.schema, name
        if not got.equals(want, check_metadata=True):
            for column in want.column_names:
                rows = list(zip(want[column].to_pylist(), got[column].to_pylist(), strict=True))
                first = next((k for k, (a, b) in enumerate(rows) if a != b), None)
                assert first is None, (name, column, first, rows[first] if first is not None else None)
            assert got.schema.metadata == want.schema.metadata, name
            pytest.fail(f"{name} differs")


def fast_share(chunk: list[tuple[str, str, str]]) -> float:
    """Share of the files that parse_batch reads itself (it must not raise: parse_files would hide it)."""
    result = batchparse.parse_batch(batch_texts(chunk))
    return 1 - len(result.declined) / len(chunk)


def test_seed() -> None:
    chunk = files_of(SEEDS)
    assert_same_raw(chunk)
    assert fast_share(chunk) == 1.0


def test_every_real_document(futures_dir: Path) -> None:
    chunk = files_of(futures_dir)
    assert_same_raw(chunk)
    assert fast_share(chunk) >= 0.9


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("synthetic")
    write_corpus(folder, 300, seed=3)
    return folder


def test_synthetic_corpus_with_its_variants(synthetic: Path) -> None:
    chunk = files_of(synthetic)
    assert_same_raw(chunk)
    assert fast_share(chunk) >= 0.85


def test_mixed_batches_keep_file_order_and_column_order(synthetic: Path, tmp_path: Path) -> None:
    """Slow documents between fast ones, unreadable and non-document files among them."""
    chunk = files_of(synthetic)[:60]
    (tmp_path / "notes.md").write_text("just some notes\n", encoding="utf-8")
    (tmp_path / "empty.md").write_bytes(b"")
    (tmp_path / "binary.md").write_bytes(b"# x\x00\x00")
    (tmp_path / "latin.md").write_bytes("# Caf\xe9 (from page [20240101](u).)\n\n## Keywords\n\n* a\n".encode("latin-1"))
    extra = files_of(tmp_path)
    missing = (str(tmp_path / "gone.md"), "gone", "gone.md")
    mixed = sorted([*chunk, *extra, missing], key=lambda f: f[1])
    assert_same_raw(mixed)
    assert_same_raw(chunk[::7])
    assert_same_raw([])


def test_batches_of_one_and_str_input(synthetic: Path) -> None:
    for file in files_of(synthetic)[:5]:
        assert_same_raw([file])
    texts = [Path(location).read_text(encoding="utf-8") for location, _, _ in files_of(SEEDS)]
    tables, declined = batchparse.parse_batch(texts)
    assert declined == []
    assert tables["documents"].num_rows == 1


# ---------------------------------------------------------------------------------------------
# Generated near-regular documents: each is read by the fast path exactly, or handed back
# ---------------------------------------------------------------------------------------------
_WORDS = ["signal", "from", "Café", "naïve", "_x_", "*y*", "a-b", "10-year", "Ünïcode", "x", "—", "4", "🙂"]
_HEADERS = ["Name", "Description", "Relevancy", "Change", "10-year", "Driving force", "src", "Relevance",
            "name", "Row", "Notes"]
_SECTIONS = ["Signals", "Concerns", "Behaviors", "Technologies", "Issues"]

text = st.lists(st.sampled_from(_WORDS), min_size=1, max_size=4).map(" ".join)
#: Table cells: words, and now and then an escaped pipe (`a \\| b`), which cuts no cell.
cell_text = st.lists(st.sampled_from([*_WORDS, "\\|", "x\\|y", "\\\\|"]), min_size=1, max_size=4).map(" ".join)


@st.composite
def regular_documents(draw: st.DrawFn) -> str:
    title = draw(text)
    title = draw(st.sampled_from([f"__{title}__", title, f"**{title}**", f"*{title}*"]))
    page = draw(st.sampled_from(["20240101", "20240101b", "x"]))
    lines = [f"# {title}, (from page [{page}](https://example.com/p/{page}).)", "",
             "__[External link](https://example.com/a)__", "", ""]
    for heading, items in (("Keywords", draw(st.lists(text, max_size=3))),
                           ("Themes", draw(st.lists(text, max_size=3)))):
        lines += [f"## {heading}", "", *(f"* {item}" for item in items), ""]
    lines += ["## Other", "", f"* Category: {draw(text)}", "* Type: news", ""]
    lines += ["## Summary", "", *draw(st.lists(st.sampled_from(["One.", "", "Two words."]), max_size=4)), ""]
    for section in draw(st.lists(st.sampled_from(_SECTIONS), min_size=1, max_size=3, unique=True)):
        headers = draw(st.lists(st.sampled_from(_HEADERS[:8]), min_size=1, max_size=4, unique=True))
        if "Relevancy" not in headers and draw(st.booleans()):
            headers.append("Relevancy")
        if set(headers) <= {"Relevancy", "Relevance"}:
            headers.insert(0, "Name")
        # GFM tables with outer pipes, as the pipeline writes them, or without (older documents).
        # (Without them, a one-column table is no table, and a row that starts with `*`, `-`, a
        # digit ... may start something else: the fast path hands those documents back.)
        outer = (len(headers) < 2 or not headers[0][0].isalpha() or headers[0].startswith("Relevan")
                 or draw(st.booleans()))

        def row(cells: list[str], outer: bool = outer) -> str:
            return "| " + " | ".join(cells) + " |" if outer else " | ".join(cells)

        lines += [f"## {section}", "", row(headers),
                  row([draw(st.sampled_from([":--", "---", "--:", "---:" if outer else "----"])) for _ in headers])]
        for _ in range(draw(st.integers(0, 3))):
            cells = [str(draw(st.integers(1, 5))) if h.startswith("Relevan") else draw(cell_text) for h in headers]
            if not outer:
                cells[0] = draw(st.sampled_from(["signal", "Café", "x"])) + " " + cells[0]
            lines.append(row(cells))
        lines.append("")
    if draw(st.booleans()):
        links = st.sampled_from(["[A doc](2023/00001_ab)", "[Café](<2024/x y.md>)", "[](./z.txt#part)",
                                 "[t](a_(b).MD)", "2022/plain", "[x](y \"title\")", "see [x](y) too"])
        lines += ["## Closest", "", *(f"* {link}" for link in draw(st.lists(links, max_size=3))), ""]
    return "\n".join(lines)


_MUTATIONS = ["", " ", "  ", "\t", "\r", "\r\n", "\u00a0", "\u2003", "\x1c", "\\|", "|", "| ", "#", "## Keywords\n",
              "\n", "\n\n", "* * *\n", "6", "4.5", "04", "4.0", "", "_", "**", "\ufeff", "## Closest\n\n* [a](b.md)\n",
              "## Notes\n", "Row", "> ", "    ", "1. ", "<div>", "`", "\\", "- ", ":", "---"]


@st.composite
def near_regular_documents(draw: st.DrawFn) -> str:
    document = draw(regular_documents())
    for _ in range(draw(st.integers(0, 3))):
        at = draw(st.integers(0, len(document)))
        kind = draw(st.sampled_from(["insert", "delete", "replace"]))
        piece = draw(st.sampled_from(_MUTATIONS))
        if kind == "insert":
            document = document[:at] + piece + document[at:]
        elif kind == "delete":
            document = document[:at] + document[at + draw(st.integers(1, 3)):]
        else:
            document = document[:at] + piece + document[at + 1:]
    return document


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(near_regular_documents(), min_size=1, max_size=4), regular_documents())
def test_near_regular_documents(documents: list[str], regular: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        for k, document in enumerate([*documents, regular]):
            (Path(folder) / f"doc{k}.md").write_bytes(document.encode("utf-8"))
        chunk = files_of(Path(folder))
        assert_same_raw(chunk)
        # The unmutated document is read by the fast path (it is the last file).
        texts = batch_texts(files_of(Path(folder)))
        assert len(texts) - 1 not in batchparse.parse_batch(texts).declined


def test_parse_batch_hands_back_what_it_does_not_read() -> None:
    regular = (SEEDS / "000_19f67a480975dbd3.txt").read_text(encoding="utf-8")
    variants = {
        "tab": regular.replace("| ", "|\t", 1),
        "escaped pipe in a heading": regular.replace("## Keywords", "## Key\\|words"),
        "nbsp": regular.replace(" ", "\u00a0", 1),
        "indented line": regular.replace("\n* ", "\n * ", 1),
        "closest line not a bullet": regular + "\n\n## Closest\n\n[x](y.md)\n",
        "repeated section": regular + "\n\n## Keywords\n\n* again\n",
        "no title": regular.split("\n", 1)[1],
    }
    _, declined = batchparse.parse_batch([regular, *variants.values()])
    assert declined == list(range(1, len(variants) + 1))


def test_workers_hand_back_large_strings(synthetic: Path) -> None:
    """parse_files: every text column as large_string (pandas' own), cast once in the worker."""
    for name, table in workers.parse_files(files_of(synthetic)[:40]).items():
        assert pa.string() not in table.schema.types, name


def test_every_file_is_read_once(synthetic: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Declined documents are parsed from the bytes already read, not read again."""
    seed = (SEEDS / "000_19f67a480975dbd3.txt").read_text(encoding="utf-8")
    (tmp_path / "tab.md").write_text(seed.replace("| ", "|\t", 1), encoding="utf-8")
    (tmp_path / "notes.md").write_text("just some notes\n", encoding="utf-8")
    chunk = sorted([*files_of(synthetic)[:20], *files_of(tmp_path)], key=lambda f: f[1])
    assert fast_share(chunk) < 1  # some documents go to the line parser
    opened = []
    real_read = files.read
    monkeypatch.setattr(files, "read", lambda location: opened.append(location) or real_read(location))
    workers.parse_files(chunk)
    assert sorted(opened) == sorted(location for location, _, _ in chunk)


def test_empty_batch() -> None:
    tables, declined = batchparse.parse_batch([])
    assert declined == [] and tables == {}
    assert isinstance(workers.parse_files([])["documents"], pa.Table)
