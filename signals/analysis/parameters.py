"""The settings of the analyses that users choose (`signals` flags, the app's controls): their
choices and defaults.

Light on purpose (no pandas, no scikit-learn): the `signals` parser offers them in `--help`
without importing the analyses themselves. Each analysis module takes its own from here under the
names it always had (`clusters.METHODS`, `emerging.BY`, `radar.QUADRANT_BY`...).
"""

from __future__ import annotations

# signals.analysis.clusters
CLUSTER_METHODS = ("meaning", "tfidf", "rapidfuzz")
#: The similarity two rows need to link, per method (meaning: centred cosine of embeddings, chosen on
#: planted paraphrase groups, docs/insights.md; tfidf, rapidfuzz: word overlap).
CLUSTER_THRESHOLDS = {"meaning": 0.35, "tfidf": 0.5, "rapidfuzz": 0.5}
CLUSTER_THRESHOLD = CLUSTER_THRESHOLDS[CLUSTER_METHODS[0]]
#: By meaning, how far the threshold a pair needs may move with how crowded its rows' neighbourhood
#: is (signals.analysis.clusters.DENSITY_WEIGHT): at most this much lower, and this much higher, at
#: the default threshold (in proportion to another one: at 0.7, 0.20 and 0.30).
CLUSTER_NEEDED_BELOW = 0.10
CLUSTER_NEEDED_ABOVE = 0.15
#: Most rows of a section the app groups on opening the Same signal page. Clustering grows faster
#: than the rows: 43,901 signal rows (10,000 documents) take 2.5 s, 440,000 (100,000 documents) took
#: 63 s and 8.3 GB (issue 15), which a page must not start unasked; above it the page asks for filters.
CLUSTER_MAX_ROWS_IN_APP = 60_000
#: Environment variable that sets another limit (a server with more cores and memory; tests).
CLUSTER_MAX_ROWS_IN_APP_ENV = "SIGNALS_CLUSTER_ROWS_IN_APP"


def cluster_max_rows_in_app() -> int:
    """CLUSTER_MAX_ROWS_IN_APP, or the whole number in CLUSTER_MAX_ROWS_IN_APP_ENV when one is set."""
    import os

    value = os.environ.get(CLUSTER_MAX_ROWS_IN_APP_ENV, "").strip()
    return int(value) if value.isdigit() else CLUSTER_MAX_ROWS_IN_APP

# signals.analysis.emerging
EMERGING_BY = ("theme", "keyword")
#: Documents in the two windows a term needs to be ranked by `emerging` (the page's slider default).
EMERGING_MIN_DOCUMENTS = 2

# signals.radar
RADAR_SOURCES = ("signals", "clusters")
RADAR_RING_BY = ("relevancy", "strength")
RADAR_QUADRANT_BY = ("category", "type", "domain", "theme", "section")
RADAR_TOP = 100

# signals.analysis.significance
#: |z| at or above this is "significant": a two-sided 5% test (compare, distinctive, change markers).
Z_SIGNIFICANT = 1.96

# signals.analysis.compare
COMPARE_BY = ("theme", "keyword", "category")
#: Documents in the two periods together an item needs before it gets a label other than "few".
COMPARE_MIN_DOCUMENTS = 3
#: Share ratio (after / before) an item must reach (or its inverse fall to) to be rising (falling).
COMPARE_RATIO = 1.5

# signals.analysis.distinctive
DISTINCTIVE_KINDS = ("theme", "keyword", "word")
#: Documents in the view a term needs to be listed as distinctive.
DISTINCTIVE_MIN_DOCUMENTS = 3
#: Above this many documents the comparison waits to be asked for: its first run on a corpus reads
#: every document's words once (1.8 s at 10,000 documents in benchmarks/bench_app.py, 16 s at
#: 100,000 in benchmarks/bench_scale.py; later filter changes 0.02-0.3 s), which the first filter
#: change must not pay unasked. The 3,000-document demo corpus shows it at once.
DISTINCTIVE_ASKED_ABOVE = 5_000
