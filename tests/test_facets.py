"""signals.facets: one entry per facet drives the Filters value, its URL form and words, the CLI
flags, the matching and the option counts. Proved with facets that exist only here, registered by
a fixture and reading a table that is not one of the corpus's frames (as the analyst's annotations
will): a reviewer (choice) and review stars (a range over documents)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from signals import facets
from signals.cli import build_parser
from signals.cli.common import filters_from_args
from signals.corpus_type import Corpus
from signals.facets import ChoiceFacet, RangeFacet, Source
from signals.filters import Filters, apply, facet_counts
from signals.ingest.load import load_corpus
from signals.synth import write_corpus

REVIEWER = ChoiceFacet(key="reviewer", field="reviewers", label="Reviewer", singular="reviewer", plural="reviewers",
                       source=Source("reviews", "reviewer"), cli_flag="--reviewer", help="Who reviewed the document")
STARS = RangeFacet(key="stars", label="Stars", field_names=("min_stars", "max_stars"), url_params=("smin", "smax"),
                   cli_flags=("--min-stars", "--max-stars"), bounds=(1, 5), source=Source("reviews", "stars"),
                   level="documents", help="A review's stars")


@pytest.fixture
def with_reviews(monkeypatch: pytest.MonkeyPatch) -> None:
    """The two test facets registered after the product's own: one entry each, nothing else."""
    monkeypatch.setattr(facets, "FACETS", (*facets.FACETS, REVIEWER, STARS))
    facets.check_declarations(facets.FACETS)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    folder = tmp_path_factory.mktemp("facets-corpus")
    write_corpus(folder, 30, seed=5)
    return load_corpus(folder, use_cache=False)


@pytest.fixture(scope="module")
def reviews(corpus: Corpus) -> pd.DataFrame:
    """Reviews of documents 0, 1 and 2 (document 0 twice, by two spellings of Ann), and one of a
    document the corpus no longer has."""
    first, second, third = corpus.documents["doc_id"].astype(str).tolist()[:3]
    return pd.DataFrame({"doc_id": [first, first, second, third, "gone/00999_deleted"],
                         "reviewer": ["Ann", "ann", "Bo", "Ann", "Ann"],
                         "stars": [4, 2, 5, 1, 3]})


def test_the_product_facets_declare_every_filter_field_once() -> None:
    assert list(facets.field_defaults()) == [
        "themes", "theme_mode", "categories", "types", "keywords", "domains", "sections", "since", "until",
        "min_relevancy", "max_relevancy", "text", "text_scope", "search",
        "starred", "statuses", "tags", "has_note", "min_impact", "max_impact", "min_likelihood", "max_likelihood",
        "horizons", "rated"]
    assert facets.url_keys() == ("theme", "theme_mode", "category", "type", "keyword", "domain", "section",
                                 "since", "until", "rmin", "rmax", "q", "q_in", "search",
                                 "starred", "status", "tag", "has_note", "imin", "imax", "lmin", "lmax",
                                 "horizon", "rated")
    assert Filters().fields() == facets.field_defaults()


def test_a_new_facet_has_its_field_url_and_words(with_reviews: None) -> None:
    filters = Filters(reviewers=("Ann", "Bo"), min_stars=4, themes=("AI",))
    assert filters.reviewers == ("Ann", "Bo")
    assert filters.max_stars is None
    assert filters.to_params() == {"theme": ["AI"], "reviewer": ["Ann", "Bo"], "smin": ["4"]}
    assert Filters.from_params(filters.to_params()) == filters
    assert Filters.from_params({"smin": ["9"], "reviewer": ["", "Ann", "Ann"]}) == Filters(reviewers=("Ann",))
    assert filters.describe() == {"theme": "AI", "reviewers": "Ann, Bo", "stars": "≥ 4"}
    assert not filters.is_empty
    assert not Filters(reviewers=("Ann",)).restricts_rows  # a document facet keeps whole documents
    with pytest.raises(ValueError, match="min_stars must be within 1-5"):
        Filters(min_stars=6)


def test_a_new_facet_has_its_cli_flags(with_reviews: None) -> None:
    parser = build_parser()
    args = parser.parse_args(["export", "docs", "--out", "x.json", "--reviewer", "Ann", "--reviewer", "Bo",
                              "--max-stars", "3", "--since", "2024-01-01"])
    assert filters_from_args(args) == Filters(reviewers=("Ann", "Bo"), max_stars=3, since=dt.date(2024, 1, 1))
    assert filters_from_args(parser.parse_args(["themes", "docs"])) == Filters()
    with pytest.raises(SystemExit):
        parser.parse_args(["export", "docs", "--out", "x.json", "--min-stars", "0"])


def test_a_new_facet_counts_and_filters_from_its_own_table(with_reviews: None, corpus: Corpus,
                                                         reviews: pd.DataFrame) -> None:
    first, second, third = corpus.documents["doc_id"].astype(str).tolist()[:3]
    counts = facet_counts(corpus, tables={"reviews": reviews})
    # Documents of the corpus per reviewer, as written (the deleted document's review is not counted).
    assert counts["reviewer"].to_dict() == {"Ann": 2, "ann": 1, "Bo": 1}
    assert counts["category"].sum() == len(corpus.documents)

    by_ann = apply(corpus, Filters(reviewers=("ANN",)), tables={"reviews": reviews})
    assert sorted(by_ann.documents["doc_id"].astype(str)) == sorted([first, third])
    # A document facet keeps all the rows of its documents.
    rows_of = corpus.items["doc_id"].astype(str).isin([first, third])
    assert len(by_ann.items) == int(rows_of.sum())

    starred = apply(corpus, Filters(min_stars=4), tables={"reviews": reviews})
    assert sorted(starred.documents["doc_id"].astype(str)) == sorted([first, second])
    both = apply(corpus, Filters(reviewers=("Bo",), min_stars=4, max_stars=4), tables={"reviews": reviews})
    assert both.documents.empty
    with pytest.raises(ValueError, match="reviews"):
        apply(corpus, Filters(reviewers=("Ann",)))  # the table was not handed in


def test_declarations_that_clash_are_refused() -> None:
    twin = ChoiceFacet(key="domain", field="sites", label="Site", singular="site", plural="sites",
                       source=Source("documents", "domain"), cli_flag="--site")
    with pytest.raises(ValueError, match="URL parameter: domain"):
        facets.check_declarations((*facets.FACETS, twin))
    same_flag = ChoiceFacet(key="site", field="sites", label="Site", singular="site", plural="sites",
                            source=Source("documents", "domain"), cli_flag="--domain")
    with pytest.raises(ValueError, match="flag"):
        facets.check_declarations((*facets.FACETS, same_flag))
    rows_elsewhere = ChoiceFacet(key="site", field="sites", label="Site", singular="site", plural="sites",
                                 source=Source("documents", "domain"), cli_flag="--site", level="rows")
    with pytest.raises(ValueError, match="items"):
        facets.check_declarations((*facets.FACETS, rows_elsewhere))


def test_sections_are_listed_in_document_order_then_by_count() -> None:
    sections = next(f for f in facets.choice_facets() if f.key == "section")
    assert sections.ordered_options(["issues", "preamble", "signals", "odd"]) == ["signals", "issues", "preamble", "odd"]


def test_filters_are_values(tmp_path: Path) -> None:
    import copy
    import pickle

    filters = Filters(themes=("AI",), min_relevancy=4, text_scope="documents")
    assert pickle.loads(pickle.dumps(filters)) == filters
    assert copy.deepcopy(filters) == filters
    assert hash(filters) == hash(Filters(text_scope="documents", min_relevancy=4, themes=("AI",)))
    assert Filters(theme_mode="any") == Filters()
    assert repr(filters) == "Filters(themes=('AI',), min_relevancy=4, text_scope='documents')"
    assert filters.with_(min_relevancy=None) == Filters(themes=("AI",), text_scope="documents")
    with pytest.raises(AttributeError):
        filters.themes = ()
    with pytest.raises(TypeError, match="no field colour"):
        Filters(colour=("red",))
