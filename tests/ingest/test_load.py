"""signals.ingest.load.load_corpus: the frames a user sees, checked against the documents themselves.

Three sources of truth: the seed document (every value written out below, by hand), the shared
corpus (rows and relevancy counted by an independent reader of the markdown, `count_tables`), and
small folders written by the tests (duplicates, future dates, unreadable files, variants).
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from signals.corpus_type import Corpus
from signals.ingest.load import discover, load_corpus

ROOT = Path(__file__).resolve().parents[2]
SEED_FILE = ROOT / "seeds" / "000_19f67a480975dbd3.txt"  # as in conftest.py (not imported: tests/*/conftest.py)

TODAY = dt.date(2025, 6, 1)
SEED_ID = SEED_FILE.stem


def another_article(text: str, tag: str) -> str:
    """The seed's text linking to another article: copies of one article link are flagged (the same
    article twice), and these tests' copies stand for different articles."""
    return text.replace("south-korea-vows-action", f"{tag}-story")


def load(path: Path | str, today: dt.date = TODAY) -> Corpus:
    return load_corpus(path, use_cache=False, today=today)


# ---------------------------------------------------------------------------------------------
# The seed document, value by value
# ---------------------------------------------------------------------------------------------
SEED_SIGNALS = [
    ("Potential South Korean Arms Supply to Ukraine",
     "South Korea considers supplying arms to Ukraine amid North Korea's military support for Russia.",
     "Shift from nonlethal aid to potential provision of lethal weapons for Ukraine.",
     "In 10 years, South Korea could be a key arms supplier to Ukraine and other allies.",
     "Increased military threats from North Korea and pressure from Western allies to support Ukraine.", 4),
    ("North Korea's Military Alliance with Russia",
     "North Korea's increasing military cooperation with Russia raises regional security concerns.",
     "Transition from a historically allied position to active military collaboration against Ukraine.",
     "In a decade, this alliance could lead to greater regional instability and military conflicts.",
     "Desire to counter perceived threats from the West, leading to tighter military partnerships.", 5),
    ("International Pressure on South Korea",
     "Growing international pressure on South Korea to support Ukraine militarily.",
     "Shift from passive support to active military involvement in international conflicts.",
     "South Korea may redefine its military role in global conflicts and alliances.",
     "Global geopolitical shifts and alliances necessitating a stronger military stance from South Korea.", 4),
    ("Military Training of North Korean Troops",
     "Allegations of North Korean troops training in Russia for deployment to Ukraine.",
     "Potential escalation of North Korean involvement in foreign conflicts.",
     "In 10 years, North Korea could be more actively engaged in international military operations.",
     "North Korea's ambition to project military power beyond its borders.", 3),
    ("Seoul's Diplomatic Measures",
     "South Korea is preparing diplomatic, economic, and military responses to North Korean actions.",
     "Transition from diplomatic negotiations to potential military engagements.",
     "South Korea may adopt a more aggressive military posture in response to threats.",
     "Increased threats from North Korea prompting a reevaluation of defense strategies.", 4),
]
SEED_NAMES = {
    "concerns": ["Military Escalation in Ukraine", "Arms Supply Controversies", "International Security Threats",
                 "False Information and Propaganda", "Defense vs. Offense Dilemma",
                 "Heightened Tensions in East Asia"],
    "behaviors": ["Arms Supply Reevaluation", "Increased Military Cooperation Monitoring",
                  "Diplomatic Pressure Response", "Phased Countermeasures Strategy", "Shift in Defense Policy",
                  "International Security Threat Perception", "Denial of Military Cooperation"],
    "technologies": ["Military Cooperation Technologies", "Arms Supply Mechanisms", "Non-lethal Defense Technologies",
                     "Special Forces Training Programs"],
    "issues": ["Military Cooperation between North Korea and Russia", "Arms Supply to Ukraine",
               "International Security Concerns", "Pressure on South Korea's Defense Policy",
               "Rumors and Disinformation in Military Contexts"],
}
SEED_RELEVANCY = {
    "signals": [4, 5, 4, 3, 4],
    "concerns": [5, 4, 5, 3, 4, 5],
    "behaviors": [5, 4, 4, 5, 5, 5, 3],
    "technologies": [4, 4, 3, 4],
    "issues": [5, 4, 4, 3, 3],
}
SEED_DESCRIPTIONS = {  # (section, row) -> description, a few in full
    ("concerns", 0): "The potential increase of military involvement from North Korea and Russia in the Ukraine "
                     "conflict pose heightened risks for regional security and global stability.",
    ("behaviors", 6): "North Korea continues to deny allegations of military cooperation with Russia, framing "
                      "them as baseless rumors.",
    ("technologies", 2): "Technologies focused on providing non-lethal support, such as demining equipment, in "
                         "military operations.",
    ("issues", 4): "The role of rumors and disinformation, particularly from North Korea regarding military "
                   "cooperation, could impact international relations.",
}


@pytest.fixture(scope="module")
def seed() -> Corpus:
    return load(SEED_FILE)


def test_seed_document_row(seed: Corpus) -> None:
    [doc] = seed.documents.to_dict("records")
    assert doc["doc_id"] == SEED_ID
    assert doc["title"] == "South Korea Considers Arms Supply to Ukraine Amid North Korea-Russia Military Cooperation"
    assert doc["date"] == pd.Timestamp("2024-11-10")
    assert doc["page_id"] == "20241110"
    assert doc["page_url"] == "https://kghosh.substack.com/p/20241110"
    assert doc["article_url"] == (
        "https://www.aljazeera.com/news/2024/10/22/south-korea-vows-action-as-north-denies-troops-involvement-in-"
        "ukraine-war?utm_medium=newsletter&_bhlid=254ecc39381e872d0d7064aa1891fd04d8d08e56"
    )
    assert doc["domain"] == "aljazeera.com"
    assert doc["category"] == "politics"
    assert doc["type"] == "news"
    assert doc["path"] == SEED_FILE.name
    assert pd.isna(doc["duplicate_of"])
    assert doc["summary"].startswith("South Korea is considering supplying arms to Ukraine in response to")
    assert doc["summary"].endswith("do not threaten South Korea's security.")
    assert "\n" not in doc["summary"]


def test_seed_keywords_and_themes_in_order(seed: Corpus) -> None:
    assert seed.keywords["doc_id"].tolist() == [SEED_ID] * 6
    assert seed.keywords["keyword"].tolist() == [
        "South Korea", "North Korea", "arms", "Ukraine", "Russia", "military cooperation"]
    assert seed.themes["theme"].tolist() == [
        "South Korea", "North Korea", "arms supply", "military cooperation", "Ukraine conflict"]
    assert seed.themes["theme_key"].tolist() == [
        "south korea", "north korea", "arms supply", "military cooperation", "ukraine conflict"]


def test_seed_every_table_row(seed: Corpus) -> None:
    items = seed.items
    assert items["section"].tolist() == [s for s, n in SEED_RELEVANCY.items() for _ in n]
    for section, relevancy in SEED_RELEVANCY.items():
        rows = items[items["section"] == section]
        assert rows["relevancy"].tolist() == relevancy, section
        assert rows["row"].tolist() == list(range(len(relevancy)))
        assert (rows["doc_id"] == SEED_ID).all()
    signals = items[items["section"] == "signals"]
    written = signals[["name", "description", "change", "ten_year", "driving_force", "relevancy"]]
    assert [tuple(row) for row in written.itertuples(index=False)] == SEED_SIGNALS
    for section, names in SEED_NAMES.items():
        assert items.loc[items["section"] == section, "name"].tolist() == names
    for (section, row), description in SEED_DESCRIPTIONS.items():
        [found] = items.loc[(items["section"] == section) & (items["row"] == row), "description"]
        assert found == description
    assert items["label"].tolist() == items["name"].tolist()
    # Line numbers point at the rows in the file.
    lines = SEED_FILE.read_text(encoding="utf-8").split("\n")
    for name, line in zip(items["name"], items["line"], strict=True):
        assert lines[line - 1].startswith(f"| {name} ")


def test_seed_tables_and_dtypes(seed: Corpus) -> None:
    assert list(seed.tables) == ["signals", "concerns", "behaviors", "technologies", "issues"]
    assert list(seed.tables["signals"].columns) == [
        "doc_id", "row", "line", "name", "description", "change", "ten_year", "driving_force", "relevancy"]
    assert list(seed.tables["concerns"].columns) == ["doc_id", "row", "line", "name", "description", "relevancy"]
    assert seed.row_counts() == {s: len(r) for s, r in SEED_RELEVANCY.items()}
    assert seed.items["relevancy"].dtype == "Int8"
    assert pd.api.types.is_datetime64_dtype(seed.documents["date"])
    for frame, column in [(seed.items, "section"), (seed.documents, "category"), (seed.documents, "type")]:
        assert isinstance(frame[column].dtype, pd.CategoricalDtype), column
    assert seed.problems.empty


# ---------------------------------------------------------------------------------------------
# The shared corpus, against an independent count of its markdown
# ---------------------------------------------------------------------------------------------
def count_tables(text: str) -> dict[str, list[str]]:
    """Relevancy cells per `## ` section, read without the parser: table lines are those starting
    with '|'; the first two lines of each run of them are the header and the delimiter row."""
    cells: dict[str, list[str]] = {}
    section, header, previous_was_table = None, None, False
    rows_left_to_skip = 0
    for line in text.split("\n"):
        if line.startswith("## "):
            section = line[3:].strip().lower()
        is_table = line.startswith("|")
        if is_table and not previous_was_table:
            header = [c.strip() for c in line.strip().strip("|").split("|")]
            rows_left_to_skip = 2
        if is_table:
            if rows_left_to_skip:
                rows_left_to_skip -= 1
            else:
                row = [c.strip() for c in line.strip().strip("|").split("|")]
                cells.setdefault(section, []).append(row[header.index("relevancy")])
        previous_was_table = is_table
    return cells


@pytest.fixture(scope="module")
def futures(futures_dir: Path) -> Corpus:
    return load(futures_dir)


def test_shared_corpus_rows_and_relevancy_match_the_markdown(futures: Corpus, futures_dir: Path) -> None:
    paths = sorted(futures_dir.glob("*.md"))
    assert len(futures.documents) == len(paths) > 100
    items = futures.items
    by_doc = {key: rows for key, rows in items.groupby(["doc_id", "section"], observed=True)}
    expected_keys = set()
    for path in paths:
        for section, cells in count_tables(path.read_text(encoding="utf-8")).items():
            expected_keys.add((path.stem, section))
            rows = by_doc[(path.stem, section)]
            assert len(rows) == len(cells), (path.name, section)
            assert rows["relevancy"].tolist() == [int(c) for c in cells], (path.name, section)
            assert rows["row"].tolist() == list(range(len(cells)))
    assert set(by_doc) == expected_keys


def test_shared_corpus_titles_and_dates_match_the_title_lines(futures: Corpus, futures_dir: Path) -> None:
    title_line = re.compile(r"^# __(.+)__, \(from page \[([^\]]+)\]\((\S+)\)\.\)$")
    documents = futures.documents.set_index("doc_id")
    for path in sorted(futures_dir.glob("*.md")):
        title, page_id, url = title_line.match(path.read_text(encoding="utf-8").split("\n")[0]).groups()
        doc = documents.loc[path.stem]
        assert (doc["title"], doc["page_id"], doc["page_url"]) == (title, page_id, url)
        if re.fullmatch(r"\d{8}", page_id):
            assert doc["date"] == pd.Timestamp(dt.datetime.strptime(page_id, "%Y%m%d"))


def test_shared_corpus_has_only_its_page_id_and_same_article_problems(futures: Corpus, futures_dir: Path) -> None:
    from urllib.parse import parse_qsl, urlencode, urlsplit

    expected, first_with_link = set(), {}
    for path in sorted(futures_dir.glob("*.md")):
        text = path.read_text(encoding="utf-8")
        page_id = re.search(r"from page \[([^\]]+)\]", text.split("\n")[0]).group(1)
        if re.fullmatch(r"\d{8}", page_id):
            if dt.datetime.strptime(page_id, "%Y%m%d").date() > TODAY:
                expected.add((path.name, 1, "warning", "in the future"))
        elif re.fullmatch(r"\d{8}\D.*", page_id):
            expected.add((path.name, 1, "info", "has a suffix"))
        else:
            expected.add((path.name, 1, "warning", "is not a YYYYMMDD date"))
        # The article's link, its utm_ parameters aside: a second document with it is flagged.
        link = re.search(r"\[External link\]\((\S+?)\)", text)
        if link:
            parts = urlsplit(link[1].lower())
            query = urlencode([(k, v) for k, v in parse_qsl(parts.query) if not k.startswith("utm_")])
            article = (parts.netloc.removeprefix("www."), parts.path.rstrip("/"), query)
            if article in first_with_link:
                expected.add((path.name, 1, "warning", "the same article"))
            first_with_link.setdefault(article, path.name)
    problems = futures.problems
    found = {
        (p.path, p.line, p.severity, next(k for k in ("in the future", "has a suffix", "is not a YYYYMMDD date",
                                                      "the same article") if k in p.message))
        for p in problems.itertuples()
    }
    assert len(problems) == len(expected) > 0
    assert found == expected
    assert any(k == "the same article" for *_, k in expected)  # the Gates Notes essay, twice
    assert problems["section"].isna().all()


def test_future_dates_are_kept_and_flagged(futures: Corpus) -> None:
    documents = futures.documents
    future = documents[documents["date"] > pd.Timestamp(TODAY)]
    assert len(future) >= 1
    assert set(future["page_id"]) <= {"20290911", "20290830"}
    flagged = futures.problems.loc[futures.problems["message"].str.contains("in the future"), "path"]
    assert sorted(flagged) == sorted(future["path"])
    # The same folder seen from 2030: nothing is in the future any more.
    later = load(futures.root, today=dt.date(2030, 1, 1))
    assert not later.problems["message"].str.contains("in the future").any()


def test_technologies_table_has_its_own_columns(futures: Corpus) -> None:
    assert list(futures.tables["technologies"].columns) == ["doc_id", "row", "line", "description", "src", "relevancy"]
    assert list(futures.tables["issues"].columns) == ["doc_id", "row", "line", "name", "description", "relevancy"]
    technologies = futures.items[futures.items["section"] == "technologies"]
    assert technologies["name"].isna().all()
    assert technologies["label"].tolist() == technologies["description"].tolist()
    assert technologies["src"].notna().all()


# ---------------------------------------------------------------------------------------------
# Small folders written by the tests
# ---------------------------------------------------------------------------------------------
def test_a_document_under_two_names_is_kept_twice_and_flagged(tmp_path: Path) -> None:
    shutil.copy(SEED_FILE, tmp_path / "a.md")
    shutil.copy(SEED_FILE, tmp_path / "b.md")
    corpus = load(tmp_path)
    assert corpus.documents["doc_id"].tolist() == ["a", "b"]
    assert corpus.documents["duplicate_of"].tolist()[1] == "a"
    assert pd.isna(corpus.documents["duplicate_of"].tolist()[0])
    assert len(corpus.items) == 2 * sum(map(len, SEED_RELEVANCY.values()))
    [problem] = corpus.problems.to_dict("records")
    assert (problem["path"], problem["line"], problem["severity"]) == ("b.md", 1, "warning")
    assert problem["message"] == "duplicate of 'a' (same bytes); both kept"


def test_the_same_article_linked_with_tracking_parameters_is_kept_twice_and_flagged(tmp_path: Path) -> None:
    """Two write-ups of one article (a newsletter's link carries its own tracking parameters): both
    kept and counted, the later flagged with the link, so the analyst sees it in Data health."""
    seed = SEED_FILE.read_text(encoding="utf-8")
    link = re.search(r"\(External link\]\((\S+?)\)", seed.replace("[External link](", "(External link]("))[1]
    bare = link.split("?")[0]
    (tmp_path / "a.md").write_text(seed.replace(link, bare), encoding="utf-8")
    (tmp_path / "b.md").write_text(seed.replace(link, "http://" + bare.removeprefix("https://www.") + "/?utm_source=x"
                                                "&fbclid=1#comments").replace("South Korea Considers", "Seoul Weighs"),
                                   encoding="utf-8")
    (tmp_path / "c.md").write_text(seed.replace(link, bare + "?page=2").replace("South Korea", "Korea"), encoding="utf-8")
    corpus = load(tmp_path)
    assert corpus.documents["duplicate_of"].tolist()[1] == "a"
    assert corpus.documents["duplicate_of"].isna().tolist() == [True, False, True]  # ?page=2 names another page
    assert len(corpus.items) == 3 * sum(map(len, SEED_RELEVANCY.values()))
    [problem] = corpus.problems.to_dict("records")
    assert (problem["path"], problem["line"], problem["severity"]) == ("b.md", 1, "warning")
    assert problem["message"].startswith("the same article as 'a' (its link, tracking parameters aside: http://")


def test_files_are_found_recursively_by_suffix(tmp_path: Path) -> None:
    seed = SEED_FILE.read_text(encoding="utf-8")
    for relative in ["top.md", "2024/nov/deep.markdown", "2024/notes.TXT", "other/x.txt"]:
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_text(another_article(seed.replace("South Korea Considers", relative),
                                                         relative.replace("/", "-")), encoding="utf-8")
    for ignored in ["data.json", "table.csv", "doc.md.bak", ".hidden/secret.md"]:
        (tmp_path / ignored).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / ignored).write_text(seed, encoding="utf-8")
    corpus = load(tmp_path)
    assert corpus.documents["doc_id"].tolist() == ["2024/notes", "2024/nov/deep", "other/x", "top"]
    assert corpus.documents["path"].tolist() == ["2024/notes.TXT", "2024/nov/deep.markdown", "other/x.txt", "top.md"]
    assert corpus.documents["title"].str.startswith(tuple(corpus.documents["path"])).all()
    assert corpus.problems.empty


def test_same_name_with_two_suffixes_stays_two_documents(tmp_path: Path) -> None:
    shutil.copy(SEED_FILE, tmp_path / "a.md")
    (tmp_path / "a.txt").write_text(SEED_FILE.read_text(encoding="utf-8").replace("| 4 |", "| 2 |"))
    corpus = load(tmp_path)
    assert corpus.documents["doc_id"].tolist() == ["a.md", "a.txt"]
    per_doc = corpus.items.groupby("doc_id").size()
    assert per_doc.tolist() == [27, 27]
    assert [fp[1] for fp in discover(tmp_path)] == ["a.md", "a.txt"]


def test_bad_files_are_skipped_and_the_others_load(tmp_path: Path) -> None:
    shutil.copy(SEED_FILE, tmp_path / "good.md")
    (tmp_path / "empty.md").write_bytes(b"")
    (tmp_path / "binary.md").write_bytes(b"\x00\x01binary")
    (tmp_path / "README.md").write_text("# A project\n\nHow to install it.\n\n## Usage\n\nRun it.\n")
    (tmp_path / "cp1252.md").write_bytes(another_article(SEED_FILE.read_text(encoding="utf-8"), "cp1252").encode()
                                         .replace(b"## Other", b"## Other\n\n* Note: caf\xe9"))
    corpus = load(tmp_path)
    bad_line = SEED_FILE.read_text(encoding="utf-8").split("\n").index("## Other") + 3
    assert corpus.documents["doc_id"].tolist() == ["cp1252", "good"]
    assert corpus.documents.set_index("doc_id").loc["cp1252", "note"] == "café"
    problems = {(p.path, p.line, p.severity, p.message.split(" (")[0].split(";")[0])
                for p in corpus.problems.itertuples()}
    assert problems == {
        ("README.md", 1, "error", "not a signal document"),
        ("binary.md", 1, "error", "binary file"),
        ("cp1252.md", bad_line, "warning", "not valid UTF-8"),
        ("empty.md", 0, "error", "empty file"),
    }


VARIANT_DOC = """\
# __Heat {n}__, from ([{page_id}](https://example.substack.com/p/{page_id}))

__[External link](https://www.news.example.com/{n})__

## Summary

Summary {n}.

## Keywords

- heat
- cities

## Themes

- {theme}
- Public health

## Other

- Category: Environment
- Type: news
- Source: Wire {n}

## Signals

| Signal | Change | 10y horizon | Driving force |
|---|---|---|---|
| Old signal {n} | c | t | d |

## Technologies

| description | relevancy | src |
|---|---|---|
| Tech {n} | {relevancy} | abc |

## Closest

- [Other](doc1)
"""


def test_variants_load_into_the_frames(tmp_path: Path) -> None:
    spellings = {1: ("Climate", "4"), 2: ("climate ", "4.0"), 3: ("CLIMATE", "high"), 4: ("Climate", " 2 ")}
    for n, (theme, relevancy) in spellings.items():
        text = VARIANT_DOC.format(n=n, page_id="2024010" + str(n), theme=theme, relevancy=relevancy)
        if n == 2:
            text = "\ufeff" + text.replace("\n", "\r\n")
        (tmp_path / f"doc{n}.md").write_text(text, encoding="utf-8", newline="")
    (tmp_path / "doc5.md").write_text(VARIANT_DOC.format(n=5, page_id="20241340", theme="x", relevancy="5"))
    corpus = load(tmp_path)
    documents = corpus.documents.set_index("doc_id")
    assert documents["title"].tolist() == [f"Heat {n}" for n in range(1, 6)]
    assert documents["source"].tolist() == [f"Wire {n}" for n in range(1, 6)]
    assert documents["category"].tolist() == ["Environment"] * 5
    assert documents["domain"].tolist() == ["news.example.com"] * 5
    assert documents["date"].tolist()[:4] == [pd.Timestamp(f"2024-01-0{n}") for n in range(1, 5)]
    assert pd.isna(documents.loc["doc5", "date"])
    # `Climate`, `climate ` and `CLIMATE` are one theme, shown in its most common spelling.
    climate = corpus.themes[corpus.themes["theme_key"] == "climate"]
    assert climate["doc_id"].tolist() == ["doc1", "doc2", "doc3", "doc4"]
    assert set(climate["theme"]) == {"Climate"}
    technologies = corpus.tables["technologies"]
    assert technologies["relevancy"].tolist() == [4, 4, pd.NA, 2, 5]
    assert list(technologies.columns) == ["doc_id", "row", "line", "description", "src", "relevancy"]
    signals = corpus.tables["signals"]
    assert list(signals.columns) == ["doc_id", "row", "line", "name", "change", "ten_year", "driving_force"]
    assert corpus.links.to_dict("list") == {
        "doc_id": [f"doc{n}" for n in range(1, 6)], "target_id": ["doc1"] * 5, "title": ["Other"] * 5}
    problems = corpus.problems[["path", "line", "section", "severity"]].astype(object)
    tech_row_line = VARIANT_DOC.split("\n").index("| Tech {n} | {relevancy} | abc |") + 1
    assert problems.fillna({"section": "-"}).to_dict("list") == {
        "path": ["doc3.md", "doc5.md"], "line": [tech_row_line, 1], "section": ["technologies", "-"],
        "severity": ["warning", "warning"],
    }
    assert "'high' is not a number" in corpus.problems["message"][0]
    assert "not a valid date" in corpus.problems["message"][1]


def test_future_and_odd_page_ids_in_a_small_folder(tmp_path: Path) -> None:
    seed = SEED_FILE.read_text(encoding="utf-8")
    for name, page_id in [("future", "20290911"), ("future_suffix", "20290911b"), ("bad", "20241340"),
                          ("words", "some-guesses")]:
        (tmp_path / f"{name}.md").write_text(another_article(seed.replace("[20241110]", f"[{page_id}]"), name),
                                             encoding="utf-8")
    corpus = load(tmp_path)
    dates = corpus.documents.set_index("doc_id")["date"]
    assert dates["future"] == dates["future_suffix"] == pd.Timestamp("2029-09-11")
    assert pd.isna(dates["bad"]) and pd.isna(dates["words"])
    problems = sorted(zip(corpus.problems["path"], corpus.problems["severity"], corpus.problems["message"],
                          strict=True))
    assert problems == [
        ("bad.md", "warning", "page id '20241340' is not a valid date; date missing"),
        ("future.md", "warning", "date 2029-09-11 is in the future (page id '20290911'); kept"),
        ("future_suffix.md", "info", "page id '20290911b' has a suffix after its date; date taken from it"),
        ("future_suffix.md", "warning", "date 2029-09-11 is in the future (page id '20290911b'); kept"),
        ("words.md", "warning", "page id 'some-guesses' is not a YYYYMMDD date; date missing"),
    ]
    # Documents without any date problem: none listed. Items all kept.
    assert len(corpus.items) == 4 * sum(map(len, SEED_RELEVANCY.values()))


def test_an_empty_folder_gives_empty_frames(tmp_path: Path) -> None:
    corpus = load(tmp_path)
    for name, frame in corpus.frames().items():
        assert frame.empty, name
    assert "doc_id" in corpus.documents.columns and "relevancy" in corpus.items.columns


def test_a_missing_path_raises(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        load(tmp_path / "nope")


def test_categorical_helpers_agree_with_pandas_on_chunked_and_missing_values():
    """frames._category / _with_doc_codes (Arrow kernels) give what astype would, on chunked input."""
    import pyarrow as pa

    from signals.ingest import frames

    values = pd.concat([pd.Series(["b", "a", None], dtype="str"), pd.Series(["c", "a"], dtype="str")],
                       ignore_index=True)
    assert isinstance(pa.array(values), pa.ChunkedArray)  # the case that broke: Arrow data in two chunks
    expected = values.astype("category")
    got = frames._category(values)
    assert list(got.cat.categories) == list(expected.cat.categories) == ["a", "b", "c"]
    assert got.isna().tolist() == expected.isna().tolist() and got.astype("str").tolist() == expected.astype("str").tolist()
    dtype = pd.CategoricalDtype(pd.Index(["a", "c"], dtype="str"))
    coded = frames._with_doc_codes(pd.DataFrame({"doc_id": values}), dtype)["doc_id"]
    assert coded.isna().tolist() == [True, False, True, False, False]
    assert coded.cat.codes.tolist() == [-1, 0, -1, 1, 0]


def test_a_load_gives_freed_memory_back_to_the_system(synthetic_dir, tmp_path):
    """load_corpus makes Arrow allocate from the system allocator (signals/memory.py), which hands
    large freed blocks back at once: the CLI, the app and the benchmarks peak lower with it."""
    import pyarrow as pa

    from signals import memory

    previous = pa.default_memory_pool()
    pa.set_memory_pool(pa.mimalloc_memory_pool())  # as a fresh process starts (an app test may have run here)
    memory._done.clear()
    try:
        load_corpus(synthetic_dir, cache_root=tmp_path)
        assert pa.default_memory_pool().backend_name == "system"
    finally:
        pa.set_memory_pool(previous)
        memory._done.set() if previous.backend_name == "system" else memory._done.clear()
