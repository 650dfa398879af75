"""The brief's content model on a corpus worked out by hand (tests/brief/brief_corpus.py): which
signals are chosen, in what order, under which heading, with which sources and assessments."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from signals.brief.content import NO_THEME, SINGLE_SOURCE_GROUP, build_brief
from signals.brief.options import BriefOptions
from signals.filters import Filters, apply
from signals.ingest.load import load_corpus
from signals.workspace import annotations, open_store
from tests.brief.brief_corpus import SOURCE_URLS, write_brief_corpus

TODAY = dt.date(2024, 7, 1)


@pytest.fixture(scope="module")
def corpus_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_brief_corpus(tmp_path_factory.mktemp("brief-corpus"))


@pytest.fixture(scope="module")
def corpus(corpus_dir: Path):
    return load_corpus(corpus_dir, use_cache=False)


def _brief(corpus, options: BriefOptions | None = None, filters: Filters | None = None, notes=None, **kwargs):
    filters = filters or Filters()
    return build_brief(apply(corpus, filters), corpus, filters, notes, options, today=TODAY, **kwargs)


def _headings(brief) -> list[str]:
    return [signal.heading for signal in brief.signals]


def test_top_merges_rows_saying_the_same_across_documents_and_ranks_relevancy_times_documents(corpus) -> None:
    brief = _brief(corpus)
    # 6 signals: the two "home batteries" rows are one (5 x 2 = 10 first); Lonely row is unrated (0).
    assert brief.candidates == 6
    by_heading = {signal.heading: signal for signal in brief.signals}
    assert by_heading["Home batteries"].documents == 2
    assert by_heading["Home batteries"].relevancy == 5
    assert by_heading["Lonely row"].relevancy is None
    energy = next(group for group in brief.groups if group.title == "energy")
    assert [s.heading for s in energy.signals] == ["Home batteries", "Fire risk", "Heat pumps", "Solar roofs"]
    assert energy.documents == 2
    assert [group.title for group in brief.groups] == ["energy", "health", NO_THEME]
    assert "6 signals of 6" in brief.selection and "relevancy × documents" in brief.selection


def test_max_signals_keeps_the_strongest_and_says_how_many_there_were(corpus) -> None:
    brief = _brief(corpus, BriefOptions(max_signals=2))
    assert _headings(brief) == ["Home batteries", "Telecare"]
    assert brief.candidates == 6
    assert brief.selection.startswith("2 signals of 6")


def test_view_lists_every_row_most_relevant_first(corpus) -> None:
    brief = _brief(corpus, BriefOptions(select="view", group="theme"))
    assert brief.candidates == 7  # every row, the two batteries rows apart
    relevancies = sorted((s.relevancy for s in brief.signals if s.relevancy is not None), reverse=True)
    assert relevancies == [5, 5, 4, 4, 3, 2]
    assert all(signal.documents == 1 for signal in brief.signals)


def test_chosen_themes_keep_their_documents_signals_only(corpus) -> None:
    brief = _brief(corpus, BriefOptions(themes=("HEALTH",)))
    assert _headings(brief) == ["Telecare"]
    assert [group.title for group in brief.groups] == ["health"]
    # Choosing themes picks signals; the view's top and emerging themes are the view's still.
    whole = _brief(corpus)
    assert brief.top_themes == whole.top_themes and brief.themes_note == whole.themes_note
    assert brief.emerging == whole.emerging


def test_filters_are_in_words_and_narrow_the_view(corpus) -> None:
    brief = _brief(corpus, filters=Filters(min_relevancy=4))
    assert brief.filters == ("relevancy ≥ 4",)
    assert "Solar roofs" not in _headings(brief)
    assert brief.headline.rows == 4  # Telecare, Home batteries, Fire risk, home BATTERIES


def test_headline_figures(corpus) -> None:
    headline = _brief(corpus).headline
    assert (headline.documents, headline.rows) == (4, 7)
    assert (headline.first_date, headline.last_date) == ("2024-05-01", "2024-06-01")
    assert headline.sources == 3  # a.test, b.test, c.test (care has no article domain)


def test_every_signal_cites_its_documents_with_title_date_domain_and_an_http_link_only(corpus) -> None:
    brief = _brief(corpus)
    sources = {source.number: source for source in brief.sources}
    batteries = next(s for s in brief.signals if s.heading == "Home batteries")
    cited = [sources[n] for n in batteries.sources]
    assert [s.doc_id for s in cited] == ["roofs", "grid"]  # newest first
    assert [(s.title, s.date, s.domain) for s in cited] == [("Roofs that pay", "2024-05-10", "b.test"),
                                                            ("Grid batteries arrive", "2024-05-01", "a.test")]
    assert {source.doc_id: source.url for source in brief.sources} == SOURCE_URLS
    assert sorted(sources) == list(range(1, len(sources) + 1))


def test_top_themes_and_what_is_emerging_with_their_support(corpus) -> None:
    brief = _brief(corpus)
    assert [(t.theme, t.documents) for t in brief.top_themes] == [("energy", 2), ("health", 1), ("storage", 1)]
    assert "one document only" in brief.themes_note
    assert [(e.theme, e.label, e.recent, e.before) for e in brief.emerging] == [("energy", "new", 2, 0)]
    assert "at least 2 documents" in brief.emerging_note


def test_themes_each_on_one_document_are_not_called_a_ranking(tmp_path: Path) -> None:
    one_each = {f"d{k}": {"title": f"Doc {k}", "date": f"2024050{k}", "url": f"https://x.test/{k}", "themes": [f"theme {k}"],
                              "rows": {"Signals": [(f"Row {k}", "text", "3")]}} for k in range(1, 4)}
    corpus = load_corpus(write_brief_corpus(tmp_path / "c", one_each), use_cache=False)
    brief = _brief(corpus)
    assert brief.themes_note.startswith("Every theme of the view is on one document only: this list is not a ranking")
    assert brief.emerging == ()  # no theme has the 2 documents of support


def test_starred_and_escalated_rows_come_with_the_analysts_ratings_and_notes(corpus, corpus_dir: Path,
                                                                             tmp_path: Path) -> None:
    store = open_store(corpus_dir, tmp_path / "workspace.sqlite")
    annotations.annotate(store, annotations.row_target("grid", "signals", "Heat pumps"),
                         {"starred": True, "impact": 4, "horizon": "1-3y", "note": "Ask the <b>utility</b>"})
    annotations.annotate(store, annotations.row_target("care", "signals", "Telecare"), {"status": "escalate"})
    notes = annotations.read(store)

    starred = _brief(corpus, notes=notes)  # starred is the default once something is starred
    assert _headings(starred) == ["Heat pumps"]
    assessment = starred.signals[0].assessment
    assert (assessment.starred, assessment.impact, assessment.horizon, assessment.note) == \
        (True, 4, "1-3y", "Ask the <b>utility</b>")
    assert "the analyst starred" in starred.selection

    escalated = _brief(corpus, BriefOptions(select="escalated"), notes=notes)
    assert _headings(escalated) == ["Telecare"]
    assert escalated.signals[0].assessment.status == "escalate"

    top = _brief(corpus, BriefOptions(select="top"), notes=notes)
    assert next(s for s in top.signals if s.heading == "Heat pumps").assessment.note == "Ask the <b>utility</b>"
    assert next(s for s in top.signals if s.heading == "Solar roofs").assessment is None


def test_starred_without_annotations_is_empty_and_says_why(corpus) -> None:
    brief = _brief(corpus, BriefOptions(select="starred"))
    assert brief.signals == () and brief.groups == ()
    assert brief.notes and "no row is starred" in brief.notes[0]


def test_grouping_by_cluster_puts_the_same_signal_of_two_documents_together(corpus) -> None:
    brief = _brief(corpus, BriefOptions(select="view", group="cluster"))
    titles = [group.title for group in brief.groups]
    assert titles[-1] == SINGLE_SOURCE_GROUP
    batteries = [group for group in brief.groups if group.title != SINGLE_SOURCE_GROUP]
    assert len(batteries) == 1 and batteries[0].documents == 2
    assert sorted(s.heading for s in batteries[0].signals) == ["Home batteries", "home  BATTERIES"]
    assert len(brief.groups[-1].signals) == 5


def test_what_sets_the_view_apart_is_filled_only_when_given(corpus) -> None:
    assert _brief(corpus).apart is None

    def apart(view, whole):
        return pd.DataFrame({"term": ["energy"], "in view": [len(view.documents)], "log-odds": [1.23456]})

    brief = _brief(corpus, what_sets_apart=apart, apart_rule="log-odds with a prior")
    assert brief.apart.rule == "log-odds with a prior"
    assert brief.apart.columns == ("term", "in view", "log-odds")
    assert brief.apart.rows == (("energy", "4", "1.23"),)


def test_options_are_checked() -> None:
    with pytest.raises(ValueError, match="select"):
        BriefOptions(select="best")
    with pytest.raises(ValueError, match="group"):
        BriefOptions(group="section")
    with pytest.raises(ValueError, match="max_signals"):
        BriefOptions(max_signals=0)


def test_a_theme_the_filters_chose_is_not_the_heading_of_everything(corpus) -> None:
    brief = _brief(corpus, filters=Filters(themes=("energy",)))
    # Every document of the view has energy: the signals of grid go under storage, its other theme.
    assert [group.title for group in brief.groups] == ["storage", "energy"]
    assert [s.heading for s in brief.groups[1].signals] == ["Solar roofs"]


def test_a_flagged_copy_of_an_article_adds_no_document_to_a_signal(tmp_path: Path) -> None:
    """The same article loaded twice (its link with tracking parameters the second time): flagged by
    the loader, and its rows do not make each signal "2 documents"; a copy whose original is not in
    the view still counts."""
    from tests.article_twice import COPY_TITLE, write_article_twice

    write_article_twice(tmp_path)
    corpus = load_corpus(tmp_path, cache_root=tmp_path / "cache")
    assert corpus.documents.set_index("doc_id").loc["b", "duplicate_of"] == "a"
    brief = build_brief(corpus, corpus, Filters(), None, BriefOptions(), today=TODAY)
    assert brief.signals and all(signal.documents == 1 for signal in brief.signals)
    only_copy = apply(corpus, Filters(text=COPY_TITLE, text_scope="documents"))
    assert list(only_copy.documents["doc_id"].astype("str")) == ["b"]
    alone = build_brief(only_copy, corpus, Filters(), None, BriefOptions(), today=TODAY)
    assert alone.signals and all(signal.documents == 1 for signal in alone.signals)
