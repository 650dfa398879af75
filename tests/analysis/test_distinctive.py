"""signals.analysis.distinctive on a planted corpus (tests/planted.py): the over-represented theme
and word of a category are recovered, with counts computed here from the plan."""

from __future__ import annotations

import math

import planted
import pytest

from signals import load_corpus
from signals.analysis.distinctive import distinctive_terms
from signals.filters import Filters, apply


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return load_corpus(planted.write(tmp_path_factory.mktemp("distinctive"), planted.distinctive_docs()))


@pytest.fixture(scope="module")
def energy(corpus):
    return distinctive_terms(apply(corpus, Filters(categories=("energy",))), corpus)


def _plan_counts(theme: str) -> tuple[int, int]:
    docs = planted.distinctive_docs()
    in_view = sum(theme in d.themes for d in docs if d.category == "energy")
    return in_view, sum(theme in d.themes for d in docs if d.category != "energy")


def test_the_planted_theme_is_the_most_distinctive_theme(energy):
    themes = energy[energy["kind"] == "theme"]
    assert themes.iloc[0]["term"] == planted.DISTINCT_THEME
    assert (themes.iloc[0]["in_view"], themes.iloc[0]["in_rest"]) == _plan_counts(planted.DISTINCT_THEME) == (16, 4)
    assert themes.iloc[0]["view_share"] == pytest.approx(16 / 20)
    assert themes.iloc[0]["rest_share"] == pytest.approx(4 / 80)


def test_the_score_is_monroe_log_odds_with_the_corpus_as_prior(energy):
    # Theme assignments: the view has 20 "common ground" + 16 heat pumps; the rest 80 + 4 + 1 lonely.
    y_v, y_r, n_v, n_r = 16, 4, 36, 85
    alpha, alpha_0 = y_v + y_r, n_v + n_r
    delta = math.log((y_v + alpha) / (n_v + alpha_0 - y_v - alpha)) - math.log(
        (y_r + alpha) / (n_r + alpha_0 - y_r - alpha))
    expected = delta / math.sqrt(1 / (y_v + alpha) + 1 / (y_r + alpha))
    row = energy[(energy["kind"] == "theme") & (energy["term"] == planted.DISTINCT_THEME)].iloc[0]
    assert row["z"] == pytest.approx(expected)


def test_the_planted_word_is_listed_and_stop_words_are_not(energy):
    words = energy[energy["kind"] == "word"]
    assert planted.DISTINCT_WORD in set(words["term"])
    listed = set(words["term"])
    assert not listed & {"the", "and", "les", "des", "news", "gens", "villes"}  # stop words, or everywhere


def test_a_theme_common_to_both_sides_or_seen_once_is_not_listed(energy):
    assert not set(energy["term"]) & {"common ground", "lonely theme"}


def test_nothing_sets_the_whole_corpus_apart(corpus):
    assert distinctive_terms(corpus, corpus).empty


def test_a_tiny_view_lists_nothing(corpus):
    # One energy document: its theme is in 1 document of the view, under the support minimum.
    one = apply(corpus, Filters(text="thermostats", text_scope="documents", categories=("energy",)))
    few = corpus.with_frames(documents=one.documents.head(1))
    assert distinctive_terms(few, corpus).empty


def test_on_the_real_documents_every_listed_term_has_three_documents_in_view(futures_dir):
    corpus = load_corpus(futures_dir)
    view = apply(corpus, Filters(categories=("technology",)))
    terms = distinctive_terms(view, corpus)
    in_view = set(view.documents["doc_id"].astype("str"))
    themes = corpus.themes.astype({"doc_id": "str", "theme_key": "str"}).drop_duplicates(["doc_id", "theme_key"])
    counted = themes[themes["doc_id"].isin(in_view)].groupby("theme_key")["doc_id"].nunique()
    listed = terms[terms["kind"] == "theme"]
    assert (counted.reindex(listed["term"].str.casefold()).to_numpy() == listed["in_view"].to_numpy()).all()
    assert (terms["in_view"] >= 3).all() and (terms["z"] >= 1.96).all()
