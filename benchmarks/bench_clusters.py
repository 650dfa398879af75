"""Insights benchmark: clusters (and emerging, network) on a planted synthetic corpus of 10,000 documents.

    python benchmarks/bench_clusters.py [--docs 10000] [--seed 1] [--corpus DIR] [--repeat 3]
                                        [--thresholds 0.4,0.45,0.5,0.55,0.6] [--rapidfuzz]

Writes the planted corpus (signals.synth, planted=True) unless --corpus names one that has a
ground_truth.json, loads it once, then prints for this machine:
  - find_clusters on the signals: wall time (median of --repeat runs) at each threshold, with the
    clusters found, the largest, and pairwise precision / recall against the planted groups
    (signals.analysis.clusters.pairwise_scores: precision over clusters holding a planted row, and
    over all clusters);
  - with --rapidfuzz, the same for method="rapidfuzz";
  - emerging(): time and the recall of the planted themes among its top 5 and top 10;
  - typed_network() with the app's defaults: time, nodes, links.
Figures go to docs/insights.md by hand; this script is never run as a unit test.
"""

from __future__ import annotations

import argparse
import functools
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from signals import schema
from signals.analysis.clusters import find_clusters, pairwise_scores
from signals.analysis.emerging import emerging
from signals.analysis.network import typed_network
from signals.ingest.load import load_corpus
from signals.synth import GROUND_TRUTH_FILE, write_corpus


def _timed(function, repeat: int):
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - started)
    return result, statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--corpus", help="a planted corpus folder to reuse (written there if missing)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--thresholds", default="0.4,0.45,0.5,0.55,0.6")
    parser.add_argument("--rapidfuzz", action="store_true", help="also measure method='rapidfuzz'")
    args = parser.parse_args()

    folder = Path(args.corpus) if args.corpus else Path(tempfile.mkdtemp(prefix="bench-clusters-"))
    if not (folder / GROUND_TRUTH_FILE).exists():
        print(f"writing {args.docs:,} planted documents (seed {args.seed}) to {folder} ...", flush=True)
        write_corpus(folder, args.docs, seed=args.seed, planted=True)
    truth = json.loads((folder / GROUND_TRUTH_FILE).read_text())
    started = time.perf_counter()
    corpus = load_corpus(folder)
    signals = int((corpus.items["section"].astype("str") == "signals").sum())
    print(f"{len(corpus.documents):,} documents, {signals:,} signal rows "
          f"(loaded in {time.perf_counter() - started:.1f} s); {len(truth['signal_groups'])} planted groups, "
          f"{sum(map(len, truth['signal_groups']))} planted rows")

    methods = ["tfidf"] + (["rapidfuzz"] if args.rapidfuzz else [])
    print("\nclusters (signals)")
    print(f"{'method':<10} {'threshold':>9} {'seconds':>8} {'clusters':>9} {'largest':>8} "
          f"{'precision':>10} {'recall':>7} {'precision_all':>14}")
    for method in methods:
        for threshold in (float(t) for t in args.thresholds.split(",")):
            found, seconds = _timed(functools.partial(find_clusters, corpus, ("signals",), threshold,
                                                      method=method), args.repeat)
            scores = pairwise_scores(found, truth["signal_groups"])
            largest = int(found.summary["size"].max()) if len(found.summary) else 0
            print(f"{method:<10} {threshold:>9.2f} {seconds:>8.2f} {len(found.summary):>9,} {largest:>8} "
                  f"{scores['precision']:>10.3f} {scores['recall']:>7.3f} {scores['precision_all']:>14.3f}",
                  flush=True)

    table, seconds = _timed(lambda: emerging(corpus), args.repeat)
    planted = {schema.theme_key(t) for t in truth["emerging_themes"]}
    recall_5 = len(planted & set(table["key"].head(5))) / len(planted)
    recall_10 = len(planted & set(table["key"].head(10))) / len(planted)
    print(f"\nemerging: {seconds:.2f} s; planted themes in the top 5: {recall_5:.2f}, in the top 10: {recall_10:.2f}")

    graph, seconds = _timed(lambda: typed_network(corpus, ("themes", "signals", "technologies"), top_per_type=15,
                                                  min_weight=1.0), args.repeat)
    print(f"typed_network (app defaults): {seconds:.2f} s; {graph.number_of_nodes()} nodes, "
          f"{graph.number_of_edges()} links")


if __name__ == "__main__":
    main()
