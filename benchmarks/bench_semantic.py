"""Meaning benchmark (issue 13): planted paraphrase groups, clusters of one section, search, memory.

    python benchmarks/bench_semantic.py --corpus DIR [--groups 10] [--seed 1] [--queries 20] [--pool distinct|pipeline|newsroom]

DIR is a corpus folder (e.g. `python -m signals.cli synth --docs 100000 --out /tmp/synth100k --seed 1`).
Loads it (cached), plants `--groups` paraphrase groups among its signals rows
(signals.planted_paraphrases.DISTINCT: ten developments, five told in English or French,
five in both; --pool pipeline: PIPELINE_GROUPS, written in the pipeline's style; --pool newsroom:
NEWSROOM_GROUPS, groups of 3 to 8 in a third style), then prints for this machine:
  - clusters of the signals section, cold (no stored embeddings, neighbours or groups for these rows)
    and cached (second run), with per-group precision / recall and how many groups are recovered
    (both >= 0.8);
  - the search index: build time, then the median and worst time of `--queries` searches;
  - the process's peak resident memory.
Cold means the semantic cache is emptied first (the parsed corpus stays cached); with
--keep-embeddings only the neighbour lists, groups and stored answers are (embeddings are computed
once per text). Figures go to
docs/insights.md and docs/performance.md by hand; this script is never run as a unit test.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from signals import load_corpus
from signals.analysis.clusters import find_clusters
from signals.planted_paraphrases import POOLS, language_of, plant, recovered
from signals.semantic import search, store

QUERIES = [
    "farmers flying drones over their fields", "robots helping nurses in hospitals", "four-day working week",
    "heat pumps instead of gas boilers", "lab-grown meat", "urban trees against heatwaves",
    "énergie solaire", "battery recycling", "misinformation and elections", "remote work and cities",
    "water scarcity", "quantum computing", "ageing population care", "microplastics in oceans",
    "semiconductor supply chain", "central bank digital currency", "insect protein", "wildfire smoke",
    "AI in schools", "space debris",
]


def peak_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", required=True)
    parser.add_argument("--groups", type=int, default=10)
    parser.add_argument("--pool", choices=tuple(POOLS), default="distinct",
                        help="the planted set: DISTINCT (default), PIPELINE_GROUPS (the pipeline's style) or "
                             "NEWSROOM_GROUPS (groups of 3 to 8, a third style)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--queries", type=int, default=20)
    parser.add_argument("--keep-embeddings", action="store_true",
                        help="cold = neighbours and groups recomputed, the stored embeddings read")
    args = parser.parse_args()

    started = time.perf_counter()
    corpus = load_corpus(args.corpus)
    print(f"{len(corpus.documents):,} documents, {len(corpus.items):,} rows, loaded in "
          f"{time.perf_counter() - started:.1f} s (peak {peak_gb():.2f} GB)", flush=True)
    pool = POOLS[args.pool]
    corpus, truth = plant(corpus, seed=args.seed, groups=args.groups, pool=pool)
    signals = int((corpus.items["section"].astype("str") == "signals").sum())
    semantic_cache = store.corpus_cache_dir(corpus.root) / store.SUBFOLDER
    if args.keep_embeddings:
        for computed in [*semantic_cache.rglob("*.neighbours.npz"), *semantic_cache.rglob("*.groups.npz"),
                         *semantic_cache.rglob("clusters.*.parquet")]:  # and the stored whole answers
            computed.unlink()
    else:
        shutil.rmtree(semantic_cache, ignore_errors=True)

    for run in ("cold", "cached"):
        started = time.perf_counter()
        found = find_clusters(corpus, ("signals",))
        seconds = time.perf_counter() - started
        print(f"clusters of {signals:,} signals rows, {run}: {seconds:.1f} s, {len(found.summary):,} clusters "
              f"(peak {peak_gb():.2f} GB)", flush=True)
    report = recovered(found.members, truth)
    for group, result in zip(pool, report):
        print(f"  {'recovered' if result['recovered'] else 'missed   '} precision {result['precision']:.2f} "
              f"recall {result['recall']:.2f}  {language_of(group):16} {group[0][0]}")
    print(f"  all: {sum(r['recovered'] for r in report)} of {len(report)}")

    started = time.perf_counter()
    index = search.open_index(corpus)
    print(f"search index (FTS5 + document embeddings), cold: {time.perf_counter() - started:.1f} s "
          f"(peak {peak_gb():.2f} GB)", flush=True)
    started = time.perf_counter()
    index = search.open_index(corpus)
    print(f"search index, cached: {time.perf_counter() - started:.1f} s", flush=True)
    times = []
    for query in (QUERIES * 3)[:args.queries]:
        started = time.perf_counter()
        search.search(index, query, top=20)
        times.append(time.perf_counter() - started)
    print(f"search: median {statistics.median(times) * 1000:.0f} ms, worst {max(times) * 1000:.0f} ms over "
          f"{len(times)} queries")
    print(f"peak resident memory of this process: {peak_gb():.2f} GB")


if __name__ == "__main__":
    main()
