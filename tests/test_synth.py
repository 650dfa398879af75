"""signals.synth: deterministic synthetic corpora that parse cleanly and carry what they promise."""

from __future__ import annotations

import collections
import datetime as dt
import itertools
import json
import re
from pathlib import Path

import pytest

from signals import synth
from signals.ingest.files import decode
from signals.ingest.lineparse import parse_document

BOM = b"\xef\xbb\xbf"
FILE_NAME = re.compile(r"^(\d{4})/(\d{5})_([0-9a-f]{8})\.md$")
TITLE_LINE = re.compile(r"^# __(.*)__, ")
STOPWORDS = frozenset({
    "a", "an", "the", "of", "in", "on", "for", "to", "and", "or", "as", "at", "by", "with", "into", "is", "are",
    "more", "who", "can",
})


def _parsed(root: Path, summary: dict) -> dict[str, dict]:
    """doc_id -> parsed record, decoding bytes as the loader does (signals.ingest.files.decode strips the BOM)."""
    records = {}
    for relative in summary["files"]:
        text, problem = decode((root / relative).read_bytes())
        assert problem is None, relative
        records[relative[: -len(".md")]] = parse_document(text)
    return records


def _rows(record: dict, section: str) -> list[dict]:
    """A parsed record's rows of one section, as {column: cell} dicts (relevancy included)."""
    out = []
    for table_section, columns, _lines, rows, relevancy in record["tables"]:
        if table_section == section:
            out.extend({**dict(zip(columns, row)), "relevancy": value} for row, value in zip(rows, relevancy))
    return out


def _content_words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9]+", text.lower()) if w not in STOPWORDS}


@pytest.fixture(scope="module")
def planted_corpus(tmp_path_factory) -> tuple[Path, dict, dict[str, dict]]:
    root = tmp_path_factory.mktemp("planted")
    summary = synth.write_corpus(root, 300, seed=11, planted=True)
    return root, summary, _parsed(root, summary)


# ---------------------------------------------------------------------------------------------
# Determinism
# ---------------------------------------------------------------------------------------------
def _snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_same_seed_writes_identical_bytes(tmp_path):
    first = synth.write_corpus(tmp_path / "a", 40, seed=7, planted=True)
    second = synth.write_corpus(tmp_path / "b", 40, seed=7, planted=True)
    assert first == second
    assert _snapshot(tmp_path / "a") == _snapshot(tmp_path / "b")


def test_different_seed_writes_different_documents(tmp_path):
    synth.write_corpus(tmp_path / "a", 40, seed=7)
    synth.write_corpus(tmp_path / "b", 40, seed=8)
    a, b = _snapshot(tmp_path / "a"), _snapshot(tmp_path / "b")
    assert not set(a.values()) & set(b.values())


def test_planting_only_adds_to_the_plain_corpus(tmp_path):
    plain = synth.write_corpus(tmp_path / "plain", 80, seed=5)
    planted = synth.write_corpus(tmp_path / "planted", 80, seed=5, planted=True)
    assert plain["files"] == planted["files"]
    truth = json.loads((tmp_path / "planted" / synth.GROUND_TRUTH_FILE).read_text())
    touched = {m["doc_id"] for group in truth["signal_groups"] for m in group}
    for relative in plain["files"]:
        old = (tmp_path / "plain" / relative).read_bytes()
        new = (tmp_path / "planted" / relative).read_bytes()
        if relative[:-3] in touched:
            assert old != new
        elif old != new:  # only emerging themes were added: one more bullet per theme
            extra = set(new.decode("utf-8-sig").splitlines()) - set(old.decode("utf-8-sig").splitlines())
            assert {line[2:] for line in extra} <= set(truth["emerging_themes"]), relative
    assert not (tmp_path / "plain" / synth.GROUND_TRUTH_FILE).exists()


# ---------------------------------------------------------------------------------------------
# Every document is clean and counts match
# ---------------------------------------------------------------------------------------------
def test_every_document_parses_without_problems(planted_corpus):
    _root, _summary, records = planted_corpus
    for doc_id, record in records.items():
        assert record["is_document"], doc_id
        assert record["problems"] == [], doc_id
        assert record["title"] and record["page_id"] and record["article_url"], doc_id
        assert set(record["attrs"]) == {"category", "type"}, doc_id
        assert record["summary"], doc_id


def test_parsed_rows_match_rows_written(planted_corpus):
    _root, summary, records = planted_corpus
    for relative, written in summary["rows"].items():
        record = records[relative[:-3]]
        parsed = {section: len(_rows(record, section)) for section in synth.SECTIONS}
        assert parsed == written, relative
        # One table per section written (none for a missing Concerns), no stray bullet tables.
        sections = [table[0] for table in record["tables"]]
        assert sorted(sections) == sorted(s for s, n in written.items() if n), relative


def test_relevancy_is_whole_and_skewed_high(planted_corpus):
    _root, _summary, records = planted_corpus
    counts = collections.Counter(
        row["relevancy"] for record in records.values() for s in synth.SECTIONS for row in _rows(record, s)
    )
    old_format_rows = sum(counts[v] for v in counts if v is None)
    assert set(counts) <= {1, 2, 3, 4, 5, None}
    rated = sum(counts.values()) - old_format_rows
    assert (counts[3] + counts[4] + counts[5]) / rated > 0.85
    assert counts[4] > counts[2] and counts[5] > counts[1]


def test_titles_parse_back_exactly(planted_corpus):
    root, summary, records = planted_corpus
    with_from = 0
    for relative in summary["files"]:
        first_line = (root / relative).read_bytes().decode("utf-8-sig").splitlines()[0]
        written = TITLE_LINE.match(first_line).group(1)
        assert records[relative[:-3]]["title"] == written, relative
        # Titles saying "from" are real (13 of the 160 real documents) and must not be cut there.
        with_from += bool(re.search(r"\bfrom\b", written, re.IGNORECASE))
    assert with_from >= 5


def test_loader_reads_the_corpus_without_problems(tmp_path):
    from signals.ingest.load import load_corpus

    summary = synth.write_corpus(tmp_path / "corpus", 60, seed=2, planted=True)
    corpus = load_corpus(tmp_path / "corpus", use_cache=False, workers=1, today=dt.date(2026, 1, 1))
    assert corpus.problems.empty
    assert len(corpus.documents) == 60
    assert corpus.documents["date"].notna().all()
    assert len(corpus.items) == sum(sum(rows.values()) for rows in summary["rows"].values())


# ---------------------------------------------------------------------------------------------
# Shape of the corpus
# ---------------------------------------------------------------------------------------------
def test_files_dates_and_sizes(tmp_path):
    seen = []
    summary = synth.write_corpus(tmp_path, 200, seed=3, progress=lambda done, total: seen.append((done, total)))
    assert summary["docs"] == 200 and len(summary["files"]) == 200
    assert seen[-1] == (200, 200)
    on_disk = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*.md"))
    assert on_disk == sorted(summary["files"])
    assert summary["bytes"] == sum((tmp_path / f).stat().st_size for f in summary["files"])
    # ~8 kB a document, so that 10,000 documents make 70-90 MB.
    assert 7_000 <= summary["bytes"] / 200 <= 9_000
    years = collections.Counter()
    for relative in summary["files"]:
        year, _index, _hex = FILE_NAME.match(relative).groups()
        first_line = (tmp_path / relative).read_bytes().decode("utf-8-sig").splitlines()[0]
        page_id = re.search(r"\[(\d{8})\]", first_line).group(1)
        date = dt.datetime.strptime(page_id, "%Y%m%d").date()
        assert synth.FIRST_DATE <= date <= synth.LAST_DATE
        assert str(date.year) == year
        years[year] += 1
    assert len(years) >= 4


def test_front_matter_counts_and_skewed_distributions(tmp_path):
    summary = synth.write_corpus(tmp_path, 200, seed=4, variants=False)
    records = _parsed(tmp_path, summary)
    theme_docs = collections.Counter()
    categories, types, domains = collections.Counter(), collections.Counter(), collections.Counter()
    for record in records.values():
        assert 3 <= len(record["themes"]) <= 6
        assert 4 <= len(record["keywords"]) <= 8
        theme_docs.update(set(record["themes"]))
        categories[record["attrs"]["category"]] += 1
        types[record["attrs"]["type"]] += 1
        domains[re.match(r"https://([^/]+)/", record["article_url"]).group(1)] += 1
    frequencies = sorted(theme_docs.values(), reverse=True)
    median = frequencies[len(frequencies) // 2]
    assert len(frequencies) >= 100
    assert frequencies[0] >= 8 * median
    assert categories.most_common(1)[0][0] == "technology" and len(categories) >= 6
    assert set(categories) <= {"technology", "politics", "economy", "environment", "society", "health",
                               "science", "others"}
    assert types.most_common(1)[0][1] >= 3 * min(types.values()) and len(types) >= 4
    assert 10 <= len(domains) <= 20
    for record in records.values():
        for section in synth.SECTIONS:
            assert 2 <= len(_rows(record, section)) <= 8


def test_ordinary_signals_rarely_share_more_than_two_words(tmp_path):
    summary = synth.write_corpus(tmp_path, 100, seed=6, variants=False)
    names = [row["name"] for record in _parsed(tmp_path, summary).values() for row in _rows(record, "signals")]
    words = [_content_words(name) for name in names]
    pairs = list(itertools.combinations(words, 2))
    close = sum(1 for a, b in pairs if len(a & b) > 2)
    assert close / len(pairs) < 0.002


# ---------------------------------------------------------------------------------------------
# Variants
# ---------------------------------------------------------------------------------------------
def test_variants_present_and_loadable(tmp_path):
    summary = synth.write_corpus(tmp_path, 120, seed=9)
    used = summary["variants"]
    by_variant = collections.defaultdict(list)
    for relative, names in used.items():
        for name in names:
            by_variant[name].append(relative)
    assert set(by_variant) == {*synth.VARIANTS, synth.TECH_NO_NAME}
    assert 0.15 <= len(by_variant[synth.TECH_NO_NAME]) / 120 <= 0.45
    others = [r for r, names in used.items() if set(names) - {synth.TECH_NO_NAME}]
    assert len(others) <= 0.15 * 120

    records = _parsed(tmp_path, summary)

    def data(relative: str) -> bytes:
        return (tmp_path / relative).read_bytes()

    def record(relative: str) -> dict:
        return records[relative[:-3]]

    def columns(relative: str, section: str) -> list[str]:
        return next(t[1] for t in record(relative)["tables"] if t[0] == section)

    assert all(b"\r\n" in data(r) for r in by_variant["crlf"])
    assert all(data(r).startswith(BOM) for r in by_variant["bom"])
    assert all(b"\r" not in data(r) for r in summary["files"] if "crlf" not in used.get(r, []))
    assert all(columns(r, "technologies") == ["description", "src"] for r in by_variant[synth.TECH_NO_NAME])
    assert all(columns(r, "signals") == ["name", "change", "ten_year", "driving_force"]
               for r in by_variant["old_signals"])
    assert all(summary["rows"][r]["concerns"] == 0 for r in by_variant["no_concerns"])
    assert all("|" in row["description"] for r in by_variant["escaped_pipe"] for row in _rows(record(r), "issues")
               if "who pays" in row["description"])
    for relative in summary["files"]:
        lines = data(relative).decode("utf-8-sig").splitlines()
        headers = [line for line, below in itertools.pairwise(lines) if re.match(r"^\|?:?-{3}", below)]
        assert len(headers) >= 4
        outer = "no_outer_pipes" not in used.get(relative, [])
        assert all(h.startswith("|") == outer for h in headers), relative
    assert all(re.search(rb"\s[1-5]\.0(?: \||\r?$)", data(r), re.MULTILINE) for r in by_variant["relevancy_float"])
    assert all(re.search(rb"\| [1-5] \|", data(r)) for r in by_variant["relevancy_spaced"])
    assert all(data(r).decode("utf-8-sig").splitlines()[0].endswith("))") for r in by_variant["title_from"])
    assert all(record(r)["page_id"] for r in by_variant["title_from"])
    ids = set(records)
    for relative in by_variant["closest"]:
        links = record(relative)["links"]
        assert 3 <= len(links) <= 5
        assert {target for target, _title in links} <= ids - {relative[:-3]}
        for target, title in links:
            written = TITLE_LINE.match(data(f"{target}.md").decode("utf-8-sig").splitlines()[0]).group(1)
            assert title == written
    for relative in by_variant["summary_first"]:
        text = data(relative).decode("utf-8-sig")
        assert text.index("Summary") < text.index("Keywords")


def test_variants_change_spelling_not_content(tmp_path):
    plain = synth.write_corpus(tmp_path / "plain", 150, seed=10, variants=False)
    varied = synth.write_corpus(tmp_path / "varied", 150, seed=10)
    assert plain["files"] == varied["files"]
    plain_records, varied_records = _parsed(tmp_path / "plain", plain), _parsed(tmp_path / "varied", varied)
    content_changing = {synth.TECH_NO_NAME, "old_signals", "no_concerns", "escaped_pipe"}
    compared = 0
    for relative in plain["files"]:
        used = set(varied["variants"].get(relative, []))
        if not used:
            assert (tmp_path / "plain" / relative).read_bytes() == (tmp_path / "varied" / relative).read_bytes()
        elif not used & content_changing:
            a, b = plain_records[relative[:-3]], varied_records[relative[:-3]]
            for key in ("title", "page_id", "page_url", "article_url", "summary", "attrs", "keywords", "themes"):
                assert a[key] == b[key], (relative, key)
            for section in synth.SECTIONS:
                assert _rows(a, section) == _rows(b, section), (relative, section)
            compared += 1
    assert compared >= 3


def test_no_variants_means_the_plain_format(tmp_path):
    summary = synth.write_corpus(tmp_path, 60, seed=9, variants=False)
    assert summary["variants"] == {}
    for relative in summary["files"]:
        data = (tmp_path / relative).read_bytes()
        assert not data.startswith(BOM) and b"\r" not in data and b"\\|" not in data
        text = data.decode("utf-8")
        for heading in ("## Keywords", "## Themes", "## Other", "## Summary", "## Signals", "## Concerns",
                        "## Behaviors", "## Technologies", "## Issues"):
            assert f"\n{heading}\n" in text
        assert "| name " in text.split("## Technologies")[1].splitlines()[2]


# ---------------------------------------------------------------------------------------------
# Planted truth
# ---------------------------------------------------------------------------------------------
def test_ground_truth_is_written_beside_the_documents(planted_corpus):
    root, summary, _records = planted_corpus
    truth = json.loads((root / synth.GROUND_TRUTH_FILE).read_text())
    assert truth == summary["ground_truth"]
    assert set(truth) >= {"emerging_themes", "signal_groups"}
    assert 4 <= len(truth["emerging_themes"]) <= 6


def test_emerging_themes_only_in_the_last_months_and_growing(planted_corpus):
    _root, _summary, records = planted_corpus
    truth = _summary["ground_truth"]
    emerging_from = dt.date.fromisoformat(truth["emerging_from"])
    assert (synth.LAST_DATE - emerging_from).days <= 200
    keys = {t.casefold() for t in synth.THEMES}
    assert not keys & {t.casefold() for t in truth["emerging_themes"]}
    early = late = 0
    midpoint = emerging_from + (synth.LAST_DATE - emerging_from) / 2
    per_theme = collections.Counter()
    for record in records.values():
        date = dt.datetime.strptime(record["page_id"], "%Y%m%d").date()
        for theme in set(record["themes"]) & set(truth["emerging_themes"]):
            assert date >= emerging_from
            per_theme[theme] += 1
            if date < midpoint:
                early += 1
            else:
                late += 1
    assert set(per_theme) == set(truth["emerging_themes"])
    assert late >= 3 * max(early, 1)


def test_signal_groups_point_at_paraphrases_of_one_development(planted_corpus):
    _root, summary, records = planted_corpus
    groups = summary["ground_truth"]["signal_groups"]
    assert len(groups) == 20
    planted_at = set()
    for group in groups:
        assert 3 <= len(group) <= 8
        assert len({m["doc_id"] for m in group}) == len(group)
        rows = []
        for member in group:
            assert member["section"] == "signals"
            signals = _rows(records[member["doc_id"]], "signals")
            assert 0 <= member["row"] < len(signals)
            rows.append(signals[member["row"]])
            planted_at.add((member["doc_id"], member["row"]))
        names = [row["name"] for row in rows]
        assert len(set(names)) == len(names)  # reworded, not copied
        # ... but about the same thing: a distinctive word runs through every member.
        shared = set.intersection(*(_content_words(f"{r['name']} {r['description']}") for r in rows))
        assert shared, names
    # Ordinary signals do not look like a group member: they share at most a word with any of them.
    members = [_content_words(records[d]["tables"][0][3][r][0]) for d, r in planted_at
               if records[d]["tables"][0][0] == "signals"]
    ordinary = [_content_words(row["name"]) for doc_id, record in records.items()
                for i, row in enumerate(_rows(record, "signals")) if (doc_id, i) not in planted_at]
    concept_words = set().union(*members) - set().union(*(_content_words(t) for t in synth.GROUP_NAME_TEMPLATES))
    assert sum(1 for words in ordinary if len(words & concept_words) >= 2) / len(ordinary) < 0.01
