"""Growth benchmark (issue 13): Same signal on a corpus, then on the corpus a few documents larger.

    python benchmarks/bench_growth.py --corpus DIR [--new 1000] [--pool distinct|pipeline|newsroom] [--seed 1]

DIR is a corpus folder (e.g. `python -m signals.cli synth --docs 100000 --out /tmp/synth100k --seed 1`).
Plants ten paraphrase groups among its signals rows (signals.planted_paraphrases), then:
  1. earlier: the corpus without `--new` documents (one member of each planted group and the latest
     documents by date), clustered with the neighbour lists searched afresh (no stored lists);
  2. grown: the whole corpus, as after the new documents arrived: the new rows' embeddings are
     computed (they are removed from the store first), the stored lists carried over
     (signals.semantic.growing), the clusters made;
  3. afresh: the whole corpus again with every row searched (the stored lists removed);
and prints the times, the rows searched, the planted groups recovered by each, how many clustered
rows the grown and afresh answers put together alike, and each stage's peak memory (each runs in a
process of its own, which loads the corpus and plants the groups as `signals clusters` would load it).
Figures go to docs/performance.md by hand; this script is never run as a unit test.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from signals import load_corpus
from signals.analysis.clusters import find_clusters
from signals.planted_paraphrases import POOLS, plant, recovered
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


def corpora(args) -> tuple:
    """(the whole corpus with the planted groups, the truth, the earlier corpus, the new documents'
    signals rows): the same in every stage's process (planting is seeded)."""
    whole = load_corpus(args.corpus)
    whole, truth = plant(whole, seed=args.seed, groups=10,
                         pool=POOLS[args.pool])
    documents = whole.documents
    new = {group[0]["doc_id"] for group in truth}
    for doc_id in documents.sort_values("date", kind="stable")["doc_id"].astype("str").tolist()[::-1]:
        if len(new) >= args.new:
            break
        new.add(doc_id)
    doc_of_row = whole.items["doc_id"].astype("str")
    earlier = whole.with_frames(items=whole.items[~doc_of_row.isin(new)],
                                documents=documents[~documents["doc_id"].astype("str").isin(new)])
    signals = (whole.items["section"].astype("str") == "signals").to_numpy()
    return whole, truth, earlier, whole.items[signals & doc_of_row.isin(new).to_numpy()], len(new)


def stage(args) -> None:
    """One stage in this process: its corpus clustered; prints one JSON line; members to --members."""
    whole, truth, earlier, _, _ = corpora(args)
    corpus = earlier if args.stage == "earlier" else whole
    if args.stage == "earlier":
        del whole
    else:
        del earlier
    started = time.perf_counter()
    found = find_clusters(corpus, ("signals",))
    seconds = time.perf_counter() - started
    found.members[["doc_id", "row", "cluster_id"]].to_parquet(args.members)
    report = recovered(found.members, truth)
    print(json.dumps({"seconds": seconds, "clusters": len(found.summary), "peak": peak_gb(),
                      "recovered": sum(r["recovered"] for r in report)}))


def run(label: str, args, name: str, folder: Path) -> tuple[pd.DataFrame, float]:
    """A stage in a process of its own (its peak memory is its own), reported."""
    members = folder / f"{name}.parquet"
    command = [sys.executable, __file__, "--corpus", args.corpus, "--new", str(args.new), "--pool", args.pool,
               "--seed", str(args.seed), "--stage", name, "--members", str(members)]
    answer = json.loads(subprocess.run(command, check=True, capture_output=True, text=True).stdout.splitlines()[-1])
    print(f"{label}: {answer['seconds']:.1f} s, {answer['clusters']:,} clusters, planted groups recovered "
          f"{answer['recovered']} of 10 (peak of its process {answer['peak']:.2f} GB)", flush=True)
    return pd.read_parquet(members), answer["seconds"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", required=True)
    parser.add_argument("--new", type=int, default=1000, help="documents that arrive (default 1,000)")
    parser.add_argument("--pool", choices=tuple(POOLS), default="distinct")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--stage", choices=("earlier", "grown", "afresh"), help=argparse.SUPPRESS)
    parser.add_argument("--members", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.stage:
        stage(args)
        return

    whole, _, earlier, new_rows, new = corpora(args)
    print(f"{len(whole.documents):,} documents, {int((whole.items['section'] == 'signals').sum()):,} signals "
          f"rows; {new:,} new documents with {len(new_rows):,} signals rows (one member of each planted group "
          "among them)", flush=True)
    cache_dir = store.corpus_cache_dir(whole.root)
    model = for_corpus(whole)
    new_texts = store.row_texts(new_rows).tolist()
    del whole, earlier, new_rows
    with tempfile.TemporaryDirectory() as folder:
        forget_answers(cache_dir, model, lists=True)
        run("earlier, every row searched", args, "earlier", Path(folder))
        forget_vectors(cache_dir, model, new_texts)
        forget_answers(cache_dir, model, lists=False)
        grown_members, grown_seconds = run("grown, lists carried over (new rows embedded)", args, "grown",
                                           Path(folder))
        lists = store.stored_arrays(cache_dir, NEIGHBOURS, model)
        print(f"  rows added or removed since the lists were searched: {int(lists['changed']):,} "
              f"(of {int(lists['base']):,} searched then)")
        forget_answers(cache_dir, model, lists=True)
        afresh_members, afresh_seconds = run("afresh, every row searched", args, "afresh", Path(folder))
    print(f"grown / afresh: {grown_seconds / afresh_seconds:.2f}; pairs of clustered rows put together by both "
          f"answers: {together(grown_members, afresh_members):.3f} of those put together by either")


if __name__ == "__main__":
    main()
