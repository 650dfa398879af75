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

# signals.analysis.emerging
EMERGING_BY = ("theme", "keyword")
#: Documents in the two windows a term needs to be ranked by `emerging` (the page's slider default).
EMERGING_MIN_DOCUMENTS = 2

# signals.radar
RADAR_SOURCES = ("signals", "clusters")
RADAR_RING_BY = ("relevancy", "strength")
RADAR_QUADRANT_BY = ("category", "type", "domain", "theme", "section")
RADAR_TOP = 100
