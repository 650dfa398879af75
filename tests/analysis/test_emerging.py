"""signals.analysis.emerging: windows, counts, growth, score and labels worked out by hand; the support
minimum and the ranking of few-document themes; the planted corpus's emerging themes ranked on top;
the real corpus's ranking rests on several documents; timelines and the documents behind a theme."""

from __future__ import annotations

import datetime as dt
import json
import math

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from signals import schema
from signals.analysis import emerging as em
from signals.corpus_type import Corpus
from signals.filters import Filters, apply
from signals.ingest.load import load_corpus
from signals.synth import GROUND_TRUTH_FILE, write_corpus

TODAY = dt.date(2025, 1, 1)


def make_corpus(documents: list[tuple[str, str | None]], themes: list[tuple[str, str]],
                keywords: list[tuple[str, str]] = ()) -> Corpus:
    """A corpus from (doc_id, ISO date or None) and (doc_id, theme) / (doc_id, keyword) pairs."""
    docs = pd.DataFrame(documents, columns=["doc_id", "date"])
    docs["date"] = pd.to_datetime(docs["date"])
    docs["title"] = "Title " + docs["doc_id"]
    docs["category"] = pd.Categorical(["tech"] * len(docs))
    docs["type"] = pd.Categorical(["news"] * len(docs))
    theme_frame = pd.DataFrame(list(themes), columns=["doc_id", "theme"])
    theme_frame["theme_key"] = theme_frame["theme"].map(schema.theme_key).astype("category")
    theme_frame["theme"] = theme_frame["theme"].astype("category")
    keyword_frame = pd.DataFrame(list(keywords), columns=["doc_id", "keyword"]).astype({"keyword": "category"})
    items = pd.DataFrame({c: pd.Series(dtype="str") for c in ("doc_id", "section", "name", "description", "label")})
    items["row"] = pd.Series(dtype="int32")
    items["line"] = pd.Series(dtype="int32")
    items["relevancy"] = pd.Series(dtype="Int8")
    return Corpus(documents=docs, keywords=keyword_frame, themes=theme_frame, items=items,
                  links=pd.DataFrame(columns=list(schema.LINK_COLUMNS)),
                  problems=pd.DataFrame(columns=["doc_id", *schema.PROBLEM_COLUMNS]))


# Window = 2 months up to as_of 2024-06-20: recent May-Jun 2024 (a3, a4, a5), before Mar-Apr (a1, a2).
HAND = make_corpus(
    [("a1", "2024-03-05"), ("a2", "2024-04-10"), ("a3", "2024-05-02"), ("a4", "2024-06-01"),
     ("a5", "2024-06-20"), ("a6", "2023-01-01"), ("a7", "2030-01-01"), ("a8", None)],
    [("a1", "Old"), ("a2", "Old"), ("a1", "Steady"), ("a2", "Steady"), ("a3", "Steady"), ("a5", "Steady"),
     ("a2", "Grow"), ("a3", "Grow"), ("a4", "Grow"), ("a5", "Grow"), ("a8", "Grow"),
     ("a4", "Fresh"), ("a5", "fresh"), ("a7", "Fresh"), ("a6", "Gone")],
    [("a1", "AI"), ("a4", "ai "), ("a5", "Ai")],
)


def _row(table: pd.DataFrame, name: str) -> pd.Series:
    return table.set_index(table.columns[0]).loc[name]


def _score(recent: int, before: int, share: float) -> float:
    """The module's score, written out: binomial z of the recent count with 2 pseudo-documents."""
    support = recent + before
    return (recent - support * share) / math.sqrt((support + 2) * share * (1 - share))


def test_windows_and_counts_by_hand():
    table = em.emerging(HAND, period="M", window=2, today=TODAY)
    # The future-dated a7 is left out: as_of is a5's date.
    assert em.as_of_date(HAND.documents, TODAY) == pd.Timestamp("2024-06-20")
    share = 3 / 5  # documents in the recent window / in both windows
    steady = _row(table, "Steady")
    assert (steady["recent"], steady["before"], steady["documents"]) == (2, 2, 4)
    assert steady["growth"] == 0.0
    assert steady["expected"] == pytest.approx(4 * share)
    assert steady["score"] == pytest.approx((2 - 2.4) / math.sqrt(6 * 0.6 * 0.4))
    assert steady["label"] == "steady"
    grow = _row(table, "Grow")
    assert (grow["recent"], grow["before"], grow["documents"]) == (3, 1, 5)  # a8 (undated) counts in documents only
    assert grow["growth"] == pytest.approx(2.0)
    assert grow["score"] == pytest.approx((3 - 2.4) / math.sqrt(6 * 0.6 * 0.4))
    assert grow["first_seen"] == pd.Timestamp("2024-04-10") and grow["last_seen"] == pd.Timestamp("2024-06-20")


def test_labels_by_hand():
    table = em.emerging(HAND, period="M", window=2, today=TODAY, min_documents=0).set_index("theme")
    fresh = table.loc["Fresh"]  # both spellings, one key; the 2030 document is not "last seen"
    assert (fresh["recent"], fresh["before"], fresh["label"]) == (2, 0, "new")
    assert math.isnan(fresh["growth"])
    assert fresh["last_seen"] == pd.Timestamp("2024-06-20")
    assert fresh["score"] == pytest.approx(_score(2, 0, 0.6))
    assert table.loc["Old", "label"] == "fading"  # seen in the window before, not in the recent one
    # Seen only before both windows: nothing to compare, so not fading; and below the default support.
    assert table.loc["Gone", "label"] == "steady"
    assert "Gone" not in set(em.emerging(HAND, period="M", window=2, today=TODAY)["theme"])
    assert table.loc["Steady", "label"] == "steady"
    assert list(table.index[:2]) == ["Fresh", "Grow"]  # ranked by score


def test_back_after_a_gap_is_returning_not_steady():
    """A theme of 2022, absent from the window before (Mar-Apr 2024), in three recent documents:
    its score (1.3) is below "growing", but 0 -> 3 is not "steady". One seen in the window before too
    (1 -> 2) reads "steady"; one first seen in the recent window, "new"."""
    documents = [("old", "2022-02-01"), ("b1", "2024-03-05"), ("b2", "2024-04-10"),
                 ("r1", "2024-05-02"), ("r2", "2024-06-01"), ("r3", "2024-06-20")]
    themes = [("old", "Back"), ("r1", "Back"), ("r2", "Back"), ("r3", "Back"),
              ("b1", "Kept"), ("r1", "Kept"), ("r2", "Kept"), ("r1", "Fresh"), ("r2", "Fresh"), ("r3", "Fresh")]
    table = em.emerging(make_corpus(documents, themes), period="M", window=2, today=TODAY,
                        min_documents=0).set_index("theme")
    assert (table.loc["Back", "recent"], table.loc["Back", "before"]) == (3, 0)
    assert table.loc["Back", "score"] == pytest.approx(_score(3, 0, 3 / 5))
    assert table.loc["Back", "score"] < em.GROWING_SCORE
    assert table.loc["Back", "label"] == "returning"
    assert table.loc["Kept", "label"] == "steady"
    assert table.loc["Fresh", "label"] == "new"


def test_returning_needs_documents_in_the_window_before_and_yields_to_growing():
    """No document at all in the window before: a theme's absence there says nothing, so no theme is
    "returning". Twenty documents in each window and a theme of 2021 in 12 recent / 0 before: score
    above GROWING_SCORE, so "growing" (its growth from 0 is what "growing" means too)."""
    gap = [("old", "2022-02-01"), ("r1", "2024-05-02"), ("r2", "2024-06-01"), ("r3", "2024-06-20")]
    themes = [("old", "Back"), ("r1", "Back"), ("r2", "Back")]
    table = em.emerging(make_corpus(gap, themes), period="M", window=2, today=TODAY,
                        min_documents=0).set_index("theme")
    assert (table.loc["Back", "recent"], table.loc["Back", "before"]) == (2, 0)
    assert table.loc["Back", "label"] == "steady"
    documents = ([("early", "2021-01-01")] + [(f"r{i}", f"2024-06-{i + 1:02d}") for i in range(20)]
                 + [(f"b{i}", f"2024-04-{i + 1:02d}") for i in range(20)])
    themes = [("early", "Surge")] + [(f"r{i}", "Surge") for i in range(12)] + [("b0", "Other")]
    table = em.emerging(make_corpus(documents, themes), period="M", window=2, today=TODAY,
                        min_documents=0).set_index("theme")
    assert (table.loc["Surge", "recent"], table.loc["Surge", "before"]) == (12, 0)
    assert table.loc["Surge", "score"] >= em.GROWING_SCORE
    assert table.loc["Surge", "label"] == "growing"


def test_growing_and_fading_by_score():
    """20 documents in each window: Hot in 12 recent / 2 before (score 2.5), Cold in 1 / 12 (score -2.8)."""
    documents = [(f"r{i}", f"2024-06-{i + 1:02d}") for i in range(20)] + [(f"b{i}", f"2024-04-{i + 1:02d}") for i in range(20)]
    themes = ([(f"r{i}", "Hot") for i in range(12)] + [(f"b{i}", "Hot") for i in range(2)]
              + [("r0", "Cold")] + [(f"b{i}", "Cold") for i in range(12)])
    table = em.emerging(make_corpus(documents, themes), period="M", window=2, today=TODAY).set_index("theme")
    assert table.loc["Hot", "score"] == pytest.approx((12 - 7) / math.sqrt(16 * 0.25))
    assert table.loc["Hot", "label"] == "growing"
    assert table.loc["Cold", "score"] == pytest.approx((1 - 6.5) / math.sqrt(15 * 0.25))
    assert table.loc["Cold", "label"] == "fading"


def test_quarters_and_default_windows():
    assert em.default_window("M") == 6 and em.default_window("Q") == 2
    before_start, recent_start, _ = em.windows(pd.Timestamp("2024-06-20"), "Q", 2)
    assert (before_start, recent_start) == (pd.Timestamp("2023-07-01"), pd.Timestamp("2024-01-01"))
    table = em.emerging(HAND, period="Q", today=TODAY).set_index("theme")
    # Recent = 2024Q1-Q2 (a1..a5), before = 2023Q3-Q4 (none).
    assert table.loc["Steady", "recent"] == 4 and table.loc["Steady", "before"] == 0
    with pytest.raises(ValueError):
        em.emerging(HAND, period="fortnight")


def test_keywords_case_insensitive():
    table = em.emerging(HAND, "keyword", period="M", window=2, today=TODAY)
    assert list(table.columns[:2]) == ["keyword", "key"]
    row = table.iloc[0]
    assert (row["key"], row["documents"], row["recent"], row["before"]) == ("ai", 3, 2, 1)


def test_empty_and_undated():
    assert em.emerging(apply(HAND, Filters(themes=("nothing",)))).empty
    undated = make_corpus([("u1", None), ("u2", None)], [("u1", "X"), ("u2", "X")])
    assert em.emerging(undated, today=TODAY).empty  # no document in either window: nothing is ranked
    table = em.emerging(undated, today=TODAY, min_documents=0)
    assert table.loc[0, "documents"] == 2 and table.loc[0, "label"] == "steady" and table.loc[0, "score"] == 0


# Recent window (June 2024): 12 documents; the window before (April-May): 4. The corpus triples.
GROWING_CORPUS = make_corpus(
    [(f"r{i}", f"2024-06-{i + 1:02d}") for i in range(12)] + [(f"b{i}", f"2024-05-{i + 1:02d}") for i in range(4)]
    + [("o1", "2023-01-05"), ("o2", "2023-02-05")],
    [("r0", "Aardvark")]  # one document, new
    + [(f"r{i}", "Rising") for i in range(1, 6)] + [("b0", "Rising")]  # six documents, 5 recent / 1 before
    + [("r6", "Alpha"), ("r7", "Alpha"), ("r8", "Beta"), ("r9", "Beta")]  # two recent each, new
    + [("r10", "Zulu"), ("r11", "Zulu"), ("o1", "Zulu"), ("o2", "Zulu")],  # two recent, two long before
)


def test_one_document_ranks_below_a_rising_theme():
    """A one-document new theme is not ranked by default and, when allowed, ranks below a six-document
    rising theme. (The former burst score gave both 1.0 and ordered them by name.)"""
    table = em.emerging(GROWING_CORPUS, period="M", window=1, today=TODAY)
    assert "Aardvark" not in set(table["theme"])
    assert (table["recent"] + table["before"]).min() >= 2
    everything = em.emerging(GROWING_CORPUS, period="M", window=1, today=TODAY, min_documents=1)
    order = everything["theme"].tolist()
    assert order.index("Rising") < order.index("Aardvark")
    share = 12 / 16
    assert _row(everything, "Aardvark")["score"] == pytest.approx(0.25 / math.sqrt(3 * share * (1 - share)))
    assert _row(everything, "Rising")["score"] == pytest.approx((5 - 6 * share) / math.sqrt(8 * share * (1 - share)))
    assert _row(everything, "Aardvark")["label"] == "new"


def test_ties_broken_by_documents_then_name():
    table = em.emerging(GROWING_CORPUS, period="M", window=1, today=TODAY)
    tied = table[table["theme"].isin(["Alpha", "Beta", "Zulu"])]
    assert tied["score"].nunique() == 1  # two recent documents, none before, each
    assert tied["theme"].tolist() == ["Zulu", "Alpha", "Beta"]  # Zulu has 4 documents in all
    assert tied.set_index("theme")["documents"].to_dict() == {"Zulu": 4, "Alpha": 2, "Beta": 2}


def test_supported_keeps_order():
    everything = em.emerging(GROWING_CORPUS, period="M", window=1, today=TODAY, min_documents=0)
    for minimum in (1, 2, 3, 6):
        kept = em.supported(everything, minimum)
        support = everything["recent"] + everything["before"]
        assert kept["theme"].tolist() == everything.loc[support >= minimum, "theme"].tolist()
    assert em.supported(everything, 6)["theme"].tolist() == ["Rising"]
    assert em.emerging(GROWING_CORPUS, period="M", window=1, today=TODAY, min_documents=6)["theme"].tolist() == ["Rising"]


def test_timeline_keeps_empty_periods_and_order():
    lines = em.timeline(HAND, ["Grow", "old", "no such theme"], period="M")
    assert list(lines.columns) == ["period", "theme", "documents"]
    # Every month from the first dated document (2023-01) to the last (2030-01), for each known theme.
    months = len(pd.period_range("2023-01", "2030-01", freq="M"))
    assert len(lines) == 2 * months
    assert lines["theme"].unique().tolist() == ["Grow", "Old"]
    grow = lines[lines["theme"] == "Grow"].set_index("period")["documents"]
    assert grow[pd.Timestamp("2024-06-01")] == 2 and grow[pd.Timestamp("2024-01-01")] == 0
    assert grow.sum() == 4  # the undated a8 has no period


def test_timeline_narrowed_to_the_span_around_the_windows():
    # The 2030 stray date would stretch the chart over seven years; the span keeps the months that matter.
    as_of = pd.Timestamp("2024-06-20")
    since, until = em.chart_span(as_of, "M", 2)
    assert until == as_of
    assert since == pd.Timestamp("2023-03-01")  # the two 2-month windows start 2024-03; 12 months before
    lines = em.timeline(HAND, ["Grow", "Old"], period="M", since=since, until=until)
    months = pd.period_range("2023-03", "2024-06", freq="M").start_time
    assert sorted(lines["period"].unique()) == list(months)
    grow = lines[lines["theme"] == "Grow"].set_index("period")["documents"]
    assert grow.sum() == 4 and grow[pd.Timestamp("2024-06-01")] == 2
    assert em.timeline(HAND, ["Grow"], since=pd.Timestamp("2031-01-01")).empty


def test_documents_behind_a_theme():
    documents = em.documents_with(HAND, "GROW")
    assert documents["doc_id"].tolist() == ["a5", "a4", "a3", "a2", "a8"]  # newest first, undated last


# ---------------------------------------------------------------------------------------------
# The planted corpus: synth's emerging themes must rank on top
# ---------------------------------------------------------------------------------------------
@pytest.fixture(scope="module", params=[1, 2], ids=["seed1", "seed2"])
def planted(request, tmp_path_factory):
    folder = tmp_path_factory.mktemp(f"planted-emerging-{request.param}")
    write_corpus(folder, 300, seed=request.param, planted=True)
    truth = json.loads((folder / GROUND_TRUTH_FILE).read_text())
    return load_corpus(folder, use_cache=False), truth


@pytest.mark.parametrize("period", ["M", "Q"])
def test_planted_themes_rank_on_top(planted, period):
    """Recall of the planted themes among the top 10 (twice their number) is at least 0.9."""
    corpus, truth = planted
    table = em.emerging(corpus, period=period)
    wanted = {schema.theme_key(t) for t in truth["emerging_themes"]}
    top = set(table["key"].head(2 * len(wanted)))
    assert len(wanted & top) / len(wanted) >= 0.9
    labels = table.set_index("key").loc[sorted(wanted), "label"]
    assert set(labels) <= {"new", "growing"}


# ---------------------------------------------------------------------------------------------
# The real corpus (sparse themes, most seen once): the ranking rests on several documents
# ---------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def futures(futures_dir):
    return load_corpus(futures_dir)


def _support_by_hand(corpus: Corpus) -> pd.Series:
    """theme_key -> documents in the last 12 months up to the newest non-future date (two 6-month windows)."""
    dates = pd.to_datetime(corpus.documents.set_index("doc_id")["date"])
    as_of = dates[dates <= pd.Timestamp(dt.date.today())].max()
    start = (pd.Period(as_of, "M") - 11).start_time
    in_windows = set(dates[(dates >= start) & (dates <= as_of)].index)
    themes = corpus.themes.astype({"doc_id": "str", "theme_key": "str"}).drop_duplicates(["doc_id", "theme_key"])
    return themes[themes["doc_id"].isin(in_windows)].groupby("theme_key")["doc_id"].nunique()


@pytest.mark.parametrize("minimum", [2, 3])
def test_real_corpus_ranks_only_supported_themes(futures, minimum):
    table = em.emerging(futures, min_documents=minimum)
    support = _support_by_hand(futures)
    assert sorted(table["key"]) == sorted(support[support >= minimum].index)
    assert table.set_index("key")["recent"].add(table.set_index("key")["before"]).to_dict() == \
        support[support >= minimum].to_dict()
    assert len(table) < futures.themes["theme_key"].nunique() / 10  # most themes are seen once


def test_real_corpus_top_is_not_one_document_themes(futures):
    table = em.emerging(futures)
    assert len(table) >= 5
    top = table.head(5)
    assert (top["recent"] >= 2).all(), top
    # No run of "new" one-off themes at 1.0: the best score is earned by the most recent documents.
    assert table["recent"].iloc[0] == table["recent"][table["before"] == 0].max()
    assert table["score"].is_monotonic_decreasing


_SPELLINGS = ["AI", "ai", "A I", "Ai ", "Climate", "climate", "CLIMATE", "Énergie", "énergie", "  ", "x"]


@settings(max_examples=60, deadline=None)
@given(pairs=st.lists(st.tuples(st.sampled_from(["d1", "d2", "d3", "d4"]), st.sampled_from(_SPELLINGS)),
                      max_size=30),
       by=st.sampled_from(["theme", "keyword"]))
def test_memberships_are_each_document_and_key_once_under_the_most_used_spelling(pairs, by):
    """Against a plain-Python reading of the rule: the first row of each (document, key) in the frame's
    order, keys by schema.theme_key (empty ones dropped), the name the key's most used spelling,
    alphabetical first among equals."""
    documents = [(doc, "2024-01-01") for doc in ("d1", "d2", "d3", "d4")]
    corpus = make_corpus(documents, pairs if by == "theme" else [], pairs if by == "keyword" else [])
    uses: dict[str, dict[str, int]] = {}
    for _, spelling in pairs:
        key = schema.theme_key(spelling)
        if key:
            uses.setdefault(key, {}).setdefault(spelling, 0)
            uses[key][spelling] += 1
    name = {key: min(spellings, key=lambda s: (-spellings[s], s)) for key, spellings in uses.items()}
    expected, seen = [], set()
    for doc, spelling in pairs:
        key = schema.theme_key(spelling)
        if key and (doc, key) not in seen:
            seen.add((doc, key))
            expected.append((doc, key, name[key]))
    found = em.memberships(corpus, by)
    assert list(found.columns) == ["doc_id", "key", "name"]
    assert list(found.itertuples(index=False, name=None)) == expected
