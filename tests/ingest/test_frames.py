"""signals.ingest.frames: what tells one article's link from another's (`_article_keys`), checked
against links built from their parts."""

from __future__ import annotations

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from signals.ingest.frames import _article_keys

WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-", min_size=1, max_size=8)
TRACKING = st.sampled_from(["utm_source", "utm_medium", "utm_campaign", "fbclid", "gclid", "_bhlid", "mc_cid", "ref"])
KEPT = st.sampled_from(["id", "page", "p", "article", "v"])


ARTICLES = st.tuples(
    st.builds(lambda name, tld: f"{name}.{tld}", WORD, st.sampled_from(["com", "org", "fr"])),
    st.lists(st.text(alphabet="abcABC019-", min_size=1, max_size=6), min_size=1, max_size=3).map("/".join),
    st.lists(st.tuples(KEPT, WORD), max_size=2, unique_by=lambda kv: kv[0]).map(tuple),
)


@st.composite
def links(draw, article=ARTICLES):
    """(the article: host, path, kept parameters; a link to it with everything that does not name it).
    Paths keep their case: two paths differing in case are two articles."""
    host, path, kept = draw(article)
    kept = list(kept)
    tracking = draw(st.lists(st.tuples(TRACKING, WORD), max_size=3))
    parameters = draw(st.permutations(kept + tracking)) if kept or tracking else []
    # The kept parameters stay in their own order (a different order may name another page).
    order = iter(kept)
    parameters = [next(order) if (k, v) in kept else (k, v) for k, v in parameters]
    query = "&".join(f"{k}={v}" for k, v in parameters)
    scheme = draw(st.sampled_from(["https://", "http://", "HTTPS://"]))
    www = draw(st.sampled_from(["", "www.", "WWW."]))
    slash = draw(st.sampled_from(["", "/"]))
    fragment = draw(st.sampled_from(["", "#comments", "#top"]))
    link = f"{scheme}{www}{host.upper() if draw(st.booleans()) else host}/{path}{slash}" + \
        (f"?{query}" if query else "") + fragment
    return (host, path, tuple(kept)), link


@st.composite
def link_sets(draw):
    """Links to a few articles, each article linked once to three times in different ways."""
    articles = draw(st.lists(ARTICLES, min_size=1, max_size=4))
    return [draw(links(st.just(article))) for article in articles for _ in range(draw(st.integers(1, 3)))]


@settings(max_examples=200, deadline=None)
@given(pairs=link_sets())
def test_two_links_share_a_key_exactly_when_they_name_the_same_article(pairs):
    keys = _article_keys(pd.Series([link for _, link in pairs], dtype="str")).tolist()
    for (article_a, _), key_a in zip(pairs, keys):
        for (article_b, _), key_b in zip(pairs, keys):
            assert (key_a == key_b) == (article_a == article_b), (article_a, article_b, key_a, key_b)


def test_links_that_name_no_article_have_no_key():
    keys = _article_keys(pd.Series(["https://example.com", "https://www.example.com/", "not a link", "", None,
                                    "https://example.com/?utm_source=x"], dtype="object"))
    assert keys.isna().all()


def test_a_tracking_parameter_between_two_others_and_the_case_of_a_path():
    keys = _article_keys(pd.Series([
        "https://x.com/a?id=5&ref=tw&b=1", "https://www.x.com/a?id=5&b=1",  # the same article
        "https://www.youtube.com/watch?v=AbC123", "https://youtube.com/watch?v=abc123",  # two videos
        "HTTPS://WWW.Gatesnotes.com/The-Age-of-AI-Has-Begun/?utm_source=substack&utm_medium=email#top",
        "https://www.gatesnotes.com/The-Age-of-AI-Has-Begun",  # the same essay
    ], dtype="str")).tolist()
    assert keys[0] == keys[1] == "x.com/a?id=5&b=1"
    assert keys[2] != keys[3]
    assert keys[4] == keys[5] == "gatesnotes.com/The-Age-of-AI-Has-Begun"
