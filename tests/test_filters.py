"""signals.filters on a small hand-built corpus: each filter, combinations, no match, and a
property test against a plain-Python reading of the same documents."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from signals.corpus_type import Corpus
from signals.filters import Filters, apply, matched_in
from signals.ingest.load import load_corpus

# What the documents say, in plain Python: the oracle the filtered frames are checked against.
DOCS = {
    "d1": {"title": "Solar power spreads", "date": dt.date(2024, 1, 10), "category": "politics", "type": "news",
           "themes": ["Climate", "Energy"], "keywords": ["solar", "grid"], "url": "https://a.com/1",
           "summary": "Panels on every roof.",
           "rows": {"signals": [("Solar boom", "Panels everywhere", 5), ("Grid strain", "Too much load", 3)],
                    "concerns": [("Blackouts", "Grid fails", 4)]}},
    "d2": {"title": "Chips for AI", "date": dt.date(2024, 3, 5), "category": "Technology", "type": "analysis",
           "themes": ["climate", "AI"], "keywords": ["AI", "chips"], "url": "https://www.b.org/2",
           "summary": "Custom silicon everywhere.",
           "rows": {"signals": [("AI chips", "Custom silicon", 4)], "technologies": [("Chip fab", "Fabs", 2)]}},
    "d3": {"title": "Machines at work", "date": dt.date(2024, 6, 30), "category": "technology", "type": "news",
           "themes": ["AI"], "keywords": ["ai"], "url": "https://a.com/3", "summary": "Automation grows.",
           "rows": {"signals": [("Robots", "Warehouse robots", 1)], "issues": [("Jobs", "Job loss", None)]}},
    "d4": {"title": "Heat waves kill", "date": dt.date(2025, 1, 1), "category": "health", "type": "opinion",
           "themes": ["Public health", "CLIMATE"], "keywords": ["heat"], "url": "https://c.net/4",
           "summary": "Cities prepare.", "rows": {"concerns": [("Heat deaths", "More deaths in summer", 5)]}},
    "d5": {"title": "Oil shock ahead", "date": None, "category": "politics", "type": "news",
           "themes": ["Energy"], "keywords": ["oil"], "url": "https://b.org/5", "summary": "Prices spike.",
           "rows": {"signals": [("Oil shock", "Prices spike", 2)]}},
}
ALL = sorted(DOCS)


def render(doc: dict) -> str:
    page_id = doc["date"].strftime("%Y%m%d") if doc["date"] else "undated"
    lines = [f"# __{doc['title']}__, (from page [{page_id}](https://x.test/p/{page_id}).)", "",
             f"__[External link]({doc['url']})__", "", "## Keywords", "", *(f"* {k}" for k in doc["keywords"]), "",
             "## Themes", "", *(f"* {t}" for t in doc["themes"]), "", "## Other", "",
             f"* Category: {doc['category']}", f"* Type: {doc['type']}", "", "## Summary", "", doc["summary"], ""]
    for section, rows in doc["rows"].items():
        lines += [f"## {section.title()}", "", "| name | description | relevancy |", "|---|---|---|"]
        lines += [f"| {name} | {description} | {'high' if r is None else r} |" for name, description, r in rows]
        lines.append("")
    return "\n".join(lines)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    folder = tmp_path_factory.mktemp("filters-corpus")
    for doc_id, doc in DOCS.items():
        (folder / f"{doc_id}.md").write_text(render(doc), encoding="utf-8")
    return load_corpus(folder, use_cache=False, today=dt.date(2025, 6, 1))


def doc_ids(corpus: Corpus) -> list[str]:
    return corpus.documents["doc_id"].tolist()


def rows(corpus: Corpus) -> list[tuple[str, str, str]]:
    return list(corpus.items[["doc_id", "section", "name"]].astype(str).itertuples(index=False, name=None))


def test_the_corpus_loaded_as_written(corpus: Corpus) -> None:
    assert doc_ids(corpus) == ALL
    assert len(corpus.items) == sum(len(r) for d in DOCS.values() for r in d["rows"].values())
    assert corpus.documents["domain"].tolist() == ["a.com", "b.org", "a.com", "c.net", "b.org"]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (Filters(themes=("climate",)), ["d1", "d2", "d4"]),
        (Filters(themes=("Climate", "ai")), ["d1", "d2", "d3", "d4"]),
        (Filters(themes=("climate", "AI"), theme_mode="all"), ["d2"]),
        (Filters(themes=("CLIMATE", "Energy"), theme_mode="all"), ["d1"]),
        (Filters(categories=("technology",)), ["d2", "d3"]),
        (Filters(categories=("Politics", "health")), ["d1", "d4", "d5"]),
        (Filters(types=("news",)), ["d1", "d3", "d5"]),
        (Filters(keywords=("AI",)), ["d2", "d3"]),
        (Filters(domains=("b.org",)), ["d2", "d5"]),
        (Filters(since=dt.date(2024, 3, 5)), ["d2", "d3", "d4"]),
        (Filters(until=dt.date(2024, 6, 30)), ["d1", "d2", "d3"]),
        (Filters(since=dt.date(2024, 3, 5), until=dt.date(2024, 3, 5)), ["d2"]),
        (Filters(sections=("Signals",)), ["d1", "d2", "d3", "d5"]),
        (Filters(min_relevancy=4), ["d1", "d2", "d4"]),
        (Filters(max_relevancy=2), ["d2", "d3", "d5"]),
        (Filters(categories=("technology",), min_relevancy=2), ["d2"]),
        (Filters(themes=("energy",), types=("news",), sections=("signals",)), ["d1", "d5"]),
    ],
)
def test_document_filters(corpus: Corpus, filters: Filters, expected: list[str]) -> None:
    filtered = apply(corpus, filters)
    assert doc_ids(filtered) == expected
    for name in ("keywords", "themes", "items", "links"):
        assert set(getattr(filtered, name)["doc_id"]) <= set(expected), name
    assert set(filtered.keywords["doc_id"]) == set(expected)
    pd.testing.assert_frame_equal(filtered.problems, corpus.problems)


def test_section_and_relevancy_filters_pick_rows(corpus: Corpus) -> None:
    assert rows(apply(corpus, Filters(sections=("concerns",)))) == [
        ("d1", "concerns", "Blackouts"), ("d4", "concerns", "Heat deaths")]
    assert rows(apply(corpus, Filters(min_relevancy=3, max_relevancy=3))) == [("d1", "signals", "Grid strain")]
    high = apply(corpus, Filters(min_relevancy=4))
    assert high.items["relevancy"].min() >= 4
    assert rows(high) == [("d1", "signals", "Solar boom"), ("d1", "concerns", "Blackouts"),
                          ("d2", "signals", "AI chips"), ("d4", "concerns", "Heat deaths")]
    # A row without relevancy never passes a relevancy filter.
    assert "Jobs" not in set(apply(corpus, Filters(max_relevancy=5)).items["name"])
    assert list(apply(corpus, Filters(sections=("technologies",))).tables) == list(corpus.tables)


def test_text_search_in_rows_reads_the_rows_themselves(corpus: Corpus) -> None:
    # A row's name or description, case-insensitively...
    found = apply(corpus, Filters(text="ROBOT"))
    assert doc_ids(found) == ["d3"]
    assert rows(found) == [("d3", "signals", "Robots")]
    # ... but not its document's title: no row of d4 says "heat waves".
    assert doc_ids(apply(corpus, Filters(text="heat waves"))) == []
    # "every": d1's summary ("every roof") and d2's ("everywhere"), yet only one row says it
    # ("Panels everywhere"): one document, one row.
    every = apply(corpus, Filters(text="every"))
    assert doc_ids(every) == ["d1"]
    assert rows(every) == [("d1", "signals", "Solar boom")]
    assert set(every.themes["doc_id"]) == {"d1"}


def test_text_search_in_documents_reads_title_summary_keywords_themes(corpus: Corpus) -> None:
    def search(text: str, **more: object) -> Corpus:
        return apply(corpus, Filters(text=text, text_scope="documents", **more))

    # Title: the document with all its rows.
    assert doc_ids(search("heat waves")) == ["d4"]
    assert rows(search("heat waves")) == [("d4", "concerns", "Heat deaths")]
    # Summary: d1 ("every roof") and d2 ("everywhere"), every row of both.
    assert doc_ids(search("every")) == ["d1", "d2"]
    assert len(search("every").items) == 3 + 2
    # Keyword ("chips" is d2's) and theme ("Public health" is d4's).
    assert doc_ids(search("CHIPS")) == ["d2"]
    assert doc_ids(search("public")) == ["d4"]
    # A row's own text is not read in this scope: only d3's row says "warehouse".
    assert doc_ids(search("warehouse")) == []
    # With a section filter, a matching document keeps only its rows of that section.
    assert rows(search("silicon", sections=("technologies",))) == [("d2", "technologies", "Chip fab")]
    assert doc_ids(search("silicon", sections=("concerns",))) == []


ACCENTED_DOC = """\
# __Loi sur l'énergie solaire__, (from page [20250101](https://x.test/p/20250101).)

__[External link](https://lemonde.fr/a)__

## Summary

Les parkings se couvrent de panneaux.

## Signals

| Name | Description | Change | 10-year horizon | Driving force | Relevancy |
|---|---|---|---|---|---|
| Ombrières | Des panneaux sur les parkings | Plus d'ÉNERGIE locale | Réseaux régionaux | Loi climat | 4 |
| Sobriété | Moins de lumière la nuit | | | Coût de l'électricité | 3 |

## Technologies

| Description | Relevancy | Src |
|---|---|---|
| Onduleurs | 2 | energie-interne |
"""


@pytest.fixture(scope="module")
def accented(tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    folder = tmp_path_factory.mktemp("accented")
    (folder / "fr.md").write_text(ACCENTED_DOC, encoding="utf-8")
    return load_corpus(folder, use_cache=False, today=dt.date(2025, 6, 1))


def test_text_in_rows_reads_every_text_column_with_accents_and_any_case(accented: Corpus) -> None:
    # "énergie" is only in the Change column; the title says it too, but rows scope reads rows.
    assert rows(apply(accented, Filters(text="énergie"))) == [("fr", "signals", "Ombrières")]
    assert rows(apply(accented, Filters(text="RÉSEAUX"))) == [("fr", "signals", "Ombrières")]
    assert rows(apply(accented, Filters(text="électricité"))) == [("fr", "signals", "Sobriété")]
    # Accents count (no folding): "energie" is not "énergie", and src (a reference) is not read.
    assert rows(apply(accented, Filters(text="energie"))) == []
    # In documents scope the title finds it, with all three rows.
    assert len(apply(accented, Filters(text="énergie", text_scope="documents")).items) == 3


def test_matched_in_says_where_the_text_was_found(corpus: Corpus, accented: Corpus) -> None:
    view = apply(accented, Filters(text="énergie"))
    matched = matched_in("signals", view.tables["signals"], view, Filters(text="énergie"))
    assert matched.tolist() == ["change"]
    view = apply(corpus, Filters(text="grid"))
    # d1: "Grid strain" (name) and "Blackouts" / "Grid fails" (description).
    assert matched_in("items", view.items, view, Filters(text="grid")).tolist() == ["name", "description"]
    assert matched_in("documents", view.documents, view, Filters(text="grid")).tolist() == [
        "signals (1), concerns (1)"]
    # Documents scope: the document fields, beside every row of the document.
    in_documents = Filters(text="every", text_scope="documents")
    view = apply(corpus, in_documents)
    assert matched_in("documents", view.documents, view, in_documents).tolist() == ["summary", "summary"]
    assert matched_in("themes", view.themes, view, in_documents).tolist() == ["summary"] * len(view.themes)
    in_documents = Filters(text="ai", text_scope="documents")
    view = apply(corpus, in_documents)
    assert dict(zip(view.documents["doc_id"], matched_in("documents", view.documents, view, in_documents),
                    strict=True)) == {"d2": "title, keywords, themes", "d3": "keywords, themes"}
    # Nothing to say without text, or for a table the text is not searched in.
    assert matched_in("items", corpus.items, corpus, Filters()) is None
    assert matched_in("keywords", view.keywords, view, Filters(text="grid")) is None


def test_describe_speaks_words() -> None:
    assert Filters(min_relevancy=5, text="privacy").summary() == "relevancy ≥ 5; text “privacy” in rows"
    assert Filters(text="privacy", text_scope="documents").describe() == {"text": "“privacy” in documents"}
    described = Filters(themes=("AI", "energy"), theme_mode="all", categories=("science",), domains=("a.com",),
                        since=dt.date(2024, 1, 1), min_relevancy=2, max_relevancy=4).describe()
    assert described == {"themes": "all of AI, energy", "category": "science", "source domain": "a.com",
                         "dates": "from 2024-01-01", "relevancy": "2 to 4"}
    assert Filters(until=dt.date(2024, 2, 1), max_relevancy=3).summary() == "dates until 2024-02-01; relevancy ≤ 3"
    assert Filters(since=dt.date(2024, 1, 1), until=dt.date(2024, 2, 1), min_relevancy=3,
                   max_relevancy=3).summary() == "dates 2024-01-01 to 2024-02-01; relevancy = 3"
    # A scope without text restricts nothing and says nothing.
    assert Filters(text_scope="documents").summary() == ""
    assert Filters(text_scope="documents").is_empty


def test_no_match_gives_empty_frames_not_an_error(corpus: Corpus) -> None:
    for filters in [Filters(themes=("no such theme",)), Filters(categories=("x",), min_relevancy=5),
                    Filters(since=dt.date(2030, 1, 1)), Filters(text="zzz"), Filters(sections=("nothing",))]:
        filtered = apply(corpus, filters)
        for name in ("documents", "keywords", "themes", "items", "links"):
            frame = getattr(filtered, name)
            assert frame.empty, (filters, name)
            assert list(frame.columns) == list(getattr(corpus, name).columns)
        assert all(table.empty for table in filtered.tables.values())


def test_is_empty(corpus: Corpus) -> None:
    assert Filters().is_empty
    assert Filters(theme_mode="all").is_empty
    for changed in [Filters(text="x"), Filters(themes=("a",)), Filters(min_relevancy=1), Filters(since=dt.date.today())]:
        assert not changed.is_empty
    assert apply(corpus, Filters()) is corpus
    with pytest.raises(ValueError):
        Filters(min_relevancy=0)
    with pytest.raises(ValueError):
        Filters(theme_mode="some")
    with pytest.raises(ValueError):
        Filters(text_scope="everywhere")


# ---------------------------------------------------------------------------------------------
# Property: random filters against the plain-Python oracle
# ---------------------------------------------------------------------------------------------
def _domain(url: str) -> str:
    return url.split("/")[2].removeprefix("www.")


def expected_rows(filters: Filters) -> tuple[list[str], list[tuple[str, str, str]]]:
    """(doc_ids, (doc_id, section, name) rows) the filters should keep, computed from DOCS."""
    fold = str.casefold
    kept_docs, kept_rows = [], []
    for doc_id, doc in sorted(DOCS.items()):
        themes = {fold(t) for t in doc["themes"]}
        wanted_themes = {fold(t) for t in filters.themes}
        if filters.themes and not (wanted_themes <= themes if filters.theme_mode == "all" else wanted_themes & themes):
            continue
        if filters.categories and fold(doc["category"]) not in {fold(c) for c in filters.categories}:
            continue
        if filters.types and fold(doc["type"]) not in {fold(t) for t in filters.types}:
            continue
        if filters.keywords and not {fold(k) for k in doc["keywords"]} & {fold(k) for k in filters.keywords}:
            continue
        if filters.domains and _domain(doc["url"]) not in {fold(d) for d in filters.domains}:
            continue
        if (filters.since or filters.until) and doc["date"] is None:
            continue
        if filters.since and doc["date"] < filters.since or filters.until and doc["date"] > filters.until:
            continue
        text = fold(filters.text)
        in_documents = filters.text_scope == "documents"
        document_text = [doc["title"], doc["summary"], *doc["keywords"], *doc["themes"]]
        if text and in_documents and not any(text in fold(value) for value in document_text):
            continue
        doc_rows = []
        for section, section_rows in doc["rows"].items():
            for name, description, relevancy in section_rows:
                if filters.sections and section not in filters.sections:
                    continue
                if filters.min_relevancy is not None and (relevancy is None or relevancy < filters.min_relevancy):
                    continue
                if filters.max_relevancy is not None and (relevancy is None or relevancy > filters.max_relevancy):
                    continue
                if text and not in_documents and not (text in fold(name) or text in fold(description)):
                    continue
                doc_rows.append((doc_id, section, name))
        restricts_rows = bool(filters.sections or filters.min_relevancy is not None
                              or filters.max_relevancy is not None or (text and not in_documents))
        if restricts_rows and not doc_rows:
            continue
        kept_docs.append(doc_id)
        kept_rows += doc_rows
    return kept_docs, kept_rows


def _values(key: str) -> list[str]:
    return sorted({value for doc in DOCS.values() for value in doc[key]})


@st.composite
def random_filters(draw: st.DrawFn) -> Filters:
    def some(values: list[str]) -> tuple[str, ...]:
        return tuple(draw(st.lists(st.sampled_from(values), max_size=2, unique=True))) if draw(st.booleans()) else ()

    low = draw(st.none() | st.integers(1, 5))
    high = draw(st.none() | st.integers(low or 1, 5))
    since = draw(st.none() | st.dates(dt.date(2023, 12, 1), dt.date(2025, 2, 1)))
    until = draw(st.none() | st.dates(since or dt.date(2023, 12, 1), dt.date(2025, 2, 1)))
    return Filters(
        themes=some(_values("themes") + ["ai", "ENERGY"]),
        theme_mode=draw(st.sampled_from(["any", "all"])),
        categories=some(["politics", "technology", "Health", "none"]),
        types=some(["news", "analysis", "opinion"]),
        keywords=some(_values("keywords")),
        domains=some(["a.com", "b.org", "c.net"]),
        sections=some(["signals", "concerns", "technologies", "issues"]),
        since=since,
        until=until,
        min_relevancy=low,
        max_relevancy=high,
        text=draw(st.sampled_from(["", "", "", "grid", "AI", "heat", "every", "o", "silicon", "roof", "public"])),
        text_scope=draw(st.sampled_from(["rows", "documents"])),
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(filters=random_filters())
def test_random_filters_match_the_oracle(corpus: Corpus, filters: Filters) -> None:
    kept_docs, kept_rows = expected_rows(filters)
    filtered = apply(corpus, filters)
    assert doc_ids(filtered) == kept_docs
    assert rows(filtered) == kept_rows
    assert set(filtered.themes["doc_id"]) == set(kept_docs)
    assert sorted(filtered.items.index) == list(range(len(filtered.items)))


_VALUES = st.lists(st.text(min_size=1, max_size=12), max_size=3, unique=True).map(tuple)


@st.composite
def any_filters(draw: st.DrawFn) -> Filters:
    """Filters with arbitrary text values (unicode, commas, `&`, `=`...), as a URL could carry."""
    low = draw(st.none() | st.integers(1, 5))
    since = draw(st.none() | st.dates())
    return Filters(
        themes=draw(_VALUES), theme_mode=draw(st.sampled_from(["any", "all"])), categories=draw(_VALUES),
        types=draw(_VALUES), keywords=draw(_VALUES), domains=draw(_VALUES), sections=draw(_VALUES),
        since=since, until=draw(st.none() | st.dates(min_value=since or dt.date.min)),
        min_relevancy=low, max_relevancy=draw(st.none() | st.integers(low or 1, 5)), text=draw(st.text(max_size=20)),
        text_scope=draw(st.sampled_from(["rows", "documents"])),
    )


@settings(max_examples=150, deadline=None)
@given(filters=st.one_of(any_filters(), random_filters()))
def test_query_parameters_round_trip(filters: Filters) -> None:
    params = filters.to_params()
    assert all(isinstance(v, str) for values in params.values() for v in values)
    assert Filters.from_params(params) == filters
    assert (params == {}) == (filters == Filters())


def test_from_params_ignores_what_it_cannot_read() -> None:
    params = {"rmin": ["9"], "since": ["not a date"], "theme_mode": ["some"], "unknown": ["x"], "theme": ["a", "a", ""],
              "q_in": ["everywhere"]}
    assert Filters.from_params(params) == Filters(themes=("a",))
