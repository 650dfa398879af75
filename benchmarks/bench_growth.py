"""Growth benchmark (issue 13): Same signal on a corpus, then on the corpus a few documents larger.

    python benchmarks/bench_growth.py --corpus DIR [--new 1000] [--pool distinct|pipeline] [--seed 1]

DIR is a corpus folder (e.g. `python -m signals.cli synth --docs 100000 --out /tmp/synth100k --seed 1`).
Plants ten paraphrase groups among its signals rows (signals.planted_paraphrases), then:
  1. earlier: the corpus without `--new` documents (one member of each planted group and the latest
     documents by date), clustered with the neighbour lists searched afresh (no stored lists);
  2. grown: the whole corpus, as after the new documents arrived: the new rows' embeddings are
     computed (they are removed from the store first), the stored lists carried over
     (signals.semantic.growing), the clusters made;
  3. afresh: the whole corpus again with every row searched (the stored lists removed);
and prints the times, the rows searched, the planted groups recovered by each, how many clustered
rows the grown and afresh answers put together alike, and the process's peak memory.
Figures go to docs/performance.md by hand; this script is never run as a unit test.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from signals import load_corpus
from signals.analysis.clusters import find_clusters
from signals.planted_paraphrases import DISTINCT, PIPELINE_GROUPS, plant, recovered
from signals.semantic import store
from signals.semantic.model import for_corpus

NEIGHBOURS = "rows.signals.neighbours"


def peak_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6


def forget_answers(cache_dir: Path, model: str, lists: bool) -> None:
    """Remove the stored answers and groups (and the neighbour lists when `lists`)."""
    folder = cache_dir / store.SUBFOLDER / model
    for stored in [*folder.glob("clusters.*.parquet"), *folder.glob("*.groups.npz")]:
        stored.unlink()
    if lists:
        store.store_path(cache_dir, NEIGHBOURS, model).unlink(missing_ok=True)


def forget_vectors(cache_dir: Path, model: str, texts: list[str]) -> None:
    """Remove these texts' vectors from the signals rows' store (as if never embedded)."""
    path = store.store_path(cache_dir, "rows.signals", model)
    keys, vectors = store._read(path)
    keep = ~np.isin(keys, store.digests(texts))
    store._write(path, keys[keep], vectors[keep])


def together(first: pd.DataFrame, second: pd.DataFrame) -> float:
    """Share of the pairs of rows clustered together by either answer that both put together,
    counted from the two answers' contingency table (no pair is listed: a cluster of 2,000 rows
    holds two million)."""
    def pairs(counts: pd.Series) -> int:
        return int((counts * (counts - 1) // 2).sum())

    a = first.assign(key=first["doc_id"].astype("str") + "#" + first["row"].astype("str"))
    b = second.assign(key=second["doc_id"].astype("str") + "#" + second["row"].astype("str"))
    both = a[["key", "cluster_id"]].merge(b[["key", "cluster_id"]], on="key")
    shared = pairs(both.groupby(["cluster_id_x", "cluster_id_y"]).size())
    return shared / max(pairs(a.groupby("cluster_id").size()) + pairs(b.groupby("cluster_id").size()) - shared, 1)


def run(label: str, corpus, truth) -> tuple[pd.DataFrame, float]:
    started = time.perf_counter()
    found = find_clusters(corpus, ("signals",))
    seconds = time.perf_counter() - started
    report = recovered(found.members, truth)
    print(f"{label}: {seconds:.1f} s, {len(found.summary):,} clusters, planted groups recovered "
          f"{sum(r['recovered'] for r in report)} of {len(report)} (peak {peak_gb():.2f} GB)", flush=True)
    return found.members, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", required=True)
    parser.add_argument("--new", type=int, default=1000, help="documents that arrive (default 1,000)")
    parser.add_argument("--pool", choices=("distinct", "pipeline"), default="distinct")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    whole = load_corpus(args.corpus)
    whole, truth = plant(whole, seed=args.seed, groups=10,
                         pool=PIPELINE_GROUPS if args.pool == "pipeline" else DISTINCT)
    documents = whole.documents
    first_members = {group[0]["doc_id"] for group in truth}
    latest = documents.sort_values("date", kind="stable")["doc_id"].astype("str").tolist()[::-1]
    new = set(first_members)
    for doc_id in latest:
        if len(new) >= args.new:
            break
        new.add(doc_id)
    doc_of_row = whole.items["doc_id"].astype("str")
    earlier = whole.with_frames(items=whole.items[~doc_of_row.isin(new)],
                                documents=documents[~documents["doc_id"].astype("str").isin(new)])
    signals = (whole.items["section"].astype("str") == "signals").to_numpy()
    new_rows = whole.items[signals & doc_of_row.isin(new).to_numpy()]
    print(f"{len(documents):,} documents, {int(signals.sum()):,} signals rows; {len(new):,} new documents "
          f"with {len(new_rows):,} signals rows (one member of each planted group among them)", flush=True)

    cache_dir = store.corpus_cache_dir(whole.root)
    model = for_corpus(whole)
    forget_answers(cache_dir, model, lists=True)
    run("earlier, every row searched", earlier, truth)
    forget_vectors(cache_dir, model, store.row_texts(new_rows).tolist())
    forget_answers(cache_dir, model, lists=False)
    grown_members, grown_seconds = run("grown, lists carried over (new rows embedded)", whole, truth)
    lists = store.stored_arrays(cache_dir, NEIGHBOURS, model)
    print(f"  rows added since the lists were searched: {int(lists['added']):,} "
          f"(of {int(lists['base']):,} searched then)")
    forget_answers(cache_dir, model, lists=True)
    afresh_members, afresh_seconds = run("afresh, every row searched", whole, truth)
    print(f"grown / afresh: {grown_seconds / afresh_seconds:.2f}; pairs of clustered rows put together by both "
          f"answers: {together(grown_members, afresh_members):.3f} of those put together by either")
    print(f"peak resident memory of this process: {peak_gb():.2f} GB")


if __name__ == "__main__":
    main()
