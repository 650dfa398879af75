"""Corpora for the analysis tests: a tiny hand-built one whose answers are worked out by hand in the
tests, the same with a categorical doc_id, an empty one, the shared real corpus (for tests about
real documents' quirks; skipped where absent), and a realistic one (the real corpus where present,
else a synthetic one: for invariants that hold on any corpus).

The tiny corpus (N = 4 documents):

  doc  date        category  domain  themes (display / key)        items: section relevancy
  d1   2024-01-10  tech      a.com   AI/ai, Climate/climate        signals 5, signals 3, concerns 4
  d2   2024-01-20  tech      b.com   AI/ai, Energy/energy          signals 2, issues (unrated)
  d3   2024-03-05  science   a.com   AI/ai, Climate, Energy        signals 4, concerns 1, technologies 5
  d4   (no date)   (none)    (none)  Energy                        issues 3

  keywords: d1 "AI", "Solar"; d2 "ai", "Wind"; d3 "AI ", "solar"; d4 "ai", "Wind"
"""

from __future__ import annotations

import pandas as pd
import pytest

from signals import schema
from signals.corpus_type import Corpus
from signals.filters import Filters, apply
from signals.ingest.load import load_corpus

DOCUMENTS = [
    ("d1", "One", "2024-01-10", "tech", "news", "a.com"),
    ("d2", "Two", "2024-01-20", "tech", "blog post", "b.com"),
    ("d3", "Three", "2024-03-05", "science", "news", "a.com"),
    ("d4", "Four", None, None, None, None),
]
THEMES = [
    ("d1", "AI"),
    ("d1", "Climate"),
    ("d2", "AI"),
    ("d2", "Energy"),
    ("d3", "AI"),
    ("d3", "Climate"),
    ("d3", "Energy"),
    ("d4", "Energy"),
]
KEYWORDS = [
    ("d1", "AI"),
    ("d1", "Solar"),
    ("d2", "ai"),
    ("d2", "Wind"),
    ("d3", "AI "),
    ("d3", "solar"),
    ("d4", "ai"),
    ("d4", "Wind"),
]
# doc_id, section, row, name, description, relevancy
ITEMS = [
    ("d1", "signals", 0, "Robot tutors", "Tutoring by machines", 5),
    ("d1", "signals", 1, "Heat pumps", "Cheaper heat", 3),
    ("d1", "concerns", 0, "Job loss", "Fewer tutors", 4),
    ("d2", "signals", 0, "Wind farms", "More wind", 2),
    ("d2", "issues", 0, "Grid", "Grid limits", None),
    ("d3", "signals", 0, "Solar glass", "Windows as panels", 4),
    ("d3", "concerns", 0, "Glare", "Bright facades", 1),
    ("d3", "technologies", 0, None, "Perovskite cells", 5),
    ("d4", "issues", 0, "Storage", "Seasonal storage", 3),
]


def build_corpus(categorical_doc_id: bool = False) -> Corpus:
    """The tiny corpus above, with the loader's dtypes (doc_id str, or categorical if asked)."""
    documents = pd.DataFrame(DOCUMENTS, columns=["doc_id", "title", "date", "category", "type", "domain"])
    documents["date"] = pd.to_datetime(documents["date"])
    for column in ("category", "type", "domain"):
        documents[column] = documents[column].astype("category")
    documents["summary"] = "A summary of " + documents["title"]
    themes = pd.DataFrame(THEMES, columns=["doc_id", "theme"])
    themes["theme_key"] = themes["theme"].map(schema.theme_key).astype("category")
    themes["theme"] = themes["theme"].astype("category")
    keywords = pd.DataFrame(KEYWORDS, columns=["doc_id", "keyword"]).astype({"keyword": "category"})
    items = pd.DataFrame(ITEMS, columns=["doc_id", "section", "row", "name", "description", "relevancy"])
    items["section"] = items["section"].astype("category")
    items["relevancy"] = items["relevancy"].astype("Int8")
    items["line"] = (items.index + 10).astype("int32")
    items["label"] = items["name"].fillna(items["description"])
    items = items[["doc_id", "section", "row", "line", "name", "description", "relevancy", "label"]]
    frames = {"documents": documents, "themes": themes, "keywords": keywords, "items": items}
    if categorical_doc_id:
        frames = {
            name: frame.assign(doc_id=frame["doc_id"].astype("category")) for name, frame in frames.items()
        }
    return Corpus(
        **frames,
        links=pd.DataFrame(columns=list(schema.LINK_COLUMNS)),
        problems=pd.DataFrame(columns=["doc_id", *schema.PROBLEM_COLUMNS]),
    )


@pytest.fixture(params=[False, True], ids=["str-doc-id", "categorical-doc-id"])
def tiny(request: pytest.FixtureRequest) -> Corpus:
    """The tiny corpus, once with str and once with categorical doc_ids."""
    return build_corpus(categorical_doc_id=request.param)


@pytest.fixture(params=["no-rows", "filtered-to-nothing"])
def empty(request: pytest.FixtureRequest) -> Corpus:
    """An empty corpus: frames with their columns and no rows, or the tiny one filtered to nothing."""
    corpus = build_corpus()
    if request.param == "filtered-to-nothing":
        return apply(corpus, Filters(themes=("no such theme",)))
    return corpus.with_frames(
        **{name: getattr(corpus, name).iloc[0:0] for name in ("documents", "themes", "keywords", "items")}
    )


@pytest.fixture(scope="session")
def futures(futures_dir, tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    """The shared real corpus, loaded once (skips where it is absent)."""
    return load_corpus(futures_dir, cache_root=tmp_path_factory.mktemp("futures-cache"))


@pytest.fixture(scope="session")
def realistic(realistic_dir, tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    """The shared real corpus where present, else a synthetic one (tests/sample_documents.py), loaded once."""
    return load_corpus(realistic_dir, cache_root=tmp_path_factory.mktemp("realistic-cache"))
