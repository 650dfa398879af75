"""Compare, distinctive terms and change markers on a synthetic corpus (10,000 documents by default).

    python benchmarks/bench_compare.py [--corpus DIR | --docs 10000 --seed 1] [--repeat 3]

Loads the corpus once, then prints for this machine the median wall time of --repeat runs of:
  - compare_periods by theme, keyword and category over the default periods (the Compare page's);
  - run_changes and compare_runs against a copy of the corpus with 1% of its documents dropped and
    every 50th row's relevancy changed (made in memory, not on disk);
  - distinctive_terms for a one-category view (themes, keywords, words) and for themes only;
  - change_markers on the theme x month heatmap's 20 themes, and on the Emerging page's 5 lines;
with, as a reference measured in the same run, `load_corpus` from the cache and `emerging()`.
Timings on a shared machine are noisy: compare the ratios to the reference, and the load average
printed at the start. Never run as a unit test.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np

from signals.analysis import change_markers, compare, distinctive
from signals.analysis.emerging import emerging, timeline
from signals.analysis.heatmaps import themes_by_period
from signals.filters import Filters, apply
from signals.ingest.load import load_corpus
from signals.synth import write_corpus


def _timed(function, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def _older_run(corpus):
    """The corpus as an earlier run might have had it: 1% fewer documents, every 50th rating moved."""
    documents = corpus.documents.iloc[: int(len(corpus.documents) * 0.99)]
    kept = set(documents["doc_id"].astype("str"))
    items = corpus.items[corpus.items["doc_id"].astype("str").isin(kept)].copy()
    relevancy = items["relevancy"].to_numpy(dtype="float64", na_value=np.nan).copy()
    relevancy[::50] = np.where(relevancy[::50] >= 3, relevancy[::50] - 1, relevancy[::50] + 1)
    items["relevancy"] = np.where(np.isnan(relevancy), None, relevancy).astype("float64")
    items["relevancy"] = items["relevancy"].astype("Int8")
    themes = corpus.themes[corpus.themes["doc_id"].astype("str").isin(kept)]
    keywords = corpus.keywords[corpus.keywords["doc_id"].astype("str").isin(kept)]
    return corpus.with_frames(documents=documents, items=items, themes=themes, keywords=keywords)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path)
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}")
    folder = args.corpus
    if folder is None:
        folder = Path(tempfile.mkdtemp(prefix="bench-compare-"))
        write_corpus(folder, args.docs, seed=args.seed, planted=True)
    load_corpus(folder)  # fills the cache
    reference, corpus = _timed(lambda: load_corpus(folder), args.repeat)
    print(f"{len(corpus.documents):,} documents, {len(corpus.items):,} rows in {folder}")
    emerging_time, _ = _timed(lambda: emerging(corpus), args.repeat)
    print(f"reference: load_corpus (cached) {reference:.2f} s; emerging() {emerging_time:.2f} s")

    before, after = compare.default_periods(corpus)
    for by in compare.BY:
        seconds, result = _timed(lambda by=by: compare.compare_periods(corpus, before, after, by), args.repeat)
        print(f"compare_periods by {by:8} {seconds:.3f} s ({seconds / reference:.2f}x load): "
              f"{len(compare.supported(result.terms)):,} labelled of {len(result.terms):,}")
    older = _older_run(corpus)
    seconds, changes = _timed(lambda: compare.run_changes(older, corpus), args.repeat)
    print(f"run_changes {seconds:.3f} s ({seconds / reference:.2f}x load): {len(changes.documents):,} documents "
          f"changed/added/removed, {len(changes.rows):,} rows moved")
    seconds, _ = _timed(lambda: compare.compare_runs(older, corpus), args.repeat)
    print(f"compare_runs by theme {seconds:.3f} s ({seconds / reference:.2f}x load)")

    category = str(corpus.documents["category"].value_counts().index[1])
    view = apply(corpus, Filters(categories=(category,)))
    seconds, terms = _timed(lambda: distinctive.distinctive_terms(view, corpus), args.repeat)
    print(f"distinctive_terms, category {category!r} ({len(view.documents):,} documents), all kinds "
          f"{seconds:.3f} s ({seconds / reference:.2f}x load): {len(terms):,} terms")
    seconds, _ = _timed(lambda: distinctive.distinctive_terms(view, corpus, ("theme", "keyword")), args.repeat)
    print(f"distinctive_terms, themes and keywords only {seconds:.3f} s ({seconds / reference:.2f}x load)")

    totals = change_markers.documents_per_period(corpus.documents)
    grid = themes_by_period(corpus, top_n=20)
    seconds, markers = _timed(lambda: change_markers.change_markers(grid[["theme", "period", "documents"]], totals),
                              args.repeat)
    print(f"change_markers on the 20-theme heatmap {seconds:.3f} s: {markers['marker'].value_counts().to_dict()}")
    lines = timeline(corpus, emerging(corpus)["theme"].head(5).tolist(), "theme")
    seconds, markers = _timed(lambda: change_markers.change_markers(lines, totals), args.repeat)
    print(f"change_markers on 5 Emerging lines {seconds:.3f} s: {markers['marker'].value_counts().to_dict()}")


if __name__ == "__main__":
    main()
