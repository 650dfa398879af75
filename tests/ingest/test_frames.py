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


@st.composite
def links(draw):
    """(the article: host, path, kept parameters; a link to it with everything that does not name it)."""
    host = f"{draw(WORD)}.{draw(st.sampled_from(['com', 'org', 'fr']))}"
    path = "/".join(draw(st.lists(WORD, min_size=1, max_size=3)))
    kept = draw(st.lists(st.tuples(KEPT, WORD), max_size=2, unique_by=lambda kv: kv[0]))
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


@settings(max_examples=200, deadline=None)
@given(pairs=st.lists(links(), min_size=2, max_size=6))
def test_two_links_share_a_key_exactly_when_they_name_the_same_article(pairs):
    keys = _article_keys(pd.Series([link for _, link in pairs], dtype="str")).tolist()
    for (article_a, _), key_a in zip(pairs, keys):
        for (article_b, _), key_b in zip(pairs, keys):
            assert (key_a == key_b) == (article_a == article_b), (article_a, article_b, key_a, key_b)


def test_links_that_name_no_article_have_no_key():
    keys = _article_keys(pd.Series(["https://example.com", "https://www.example.com/", "not a link", "", None,
                                    "https://example.com/?utm_source=x"], dtype="object"))
    assert keys.isna().all()
