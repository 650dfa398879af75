"""Load benchmark: cold and warm loads of a 10k-document synthetic corpus, against a markdown-it-py
reference loader measured in the same run.

    python benchmarks/bench_load.py [--docs 10000] [--corpus DIR] [--repeat 3] [--reference-sample N]

Prints, for this machine: the corpus size; cold load wall time (no cache; a fresh process; median
of --repeat runs); warm load (cache present, nothing changed); the reference loader's time for the
same corpus (markdown-it-py tokenizing every file, walking tokens into the same frames, with the
same number of worker processes); the ratio; peak RSS and the frames' own memory.

The reference runs on the whole corpus by default (about 17 s for 10k documents here).
--reference-sample N times it on N documents (every k-th file) and scales linearly: quicker, but its
fixed costs (worker start, finalize) are scaled too, so small samples overstate it (a 500-document
sample gave 24-30 s for a corpus the whole run takes 17 s on).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

_CHILD = r"""
import json, os, resource, sys, time
t0 = time.perf_counter()
from signals.ingest.load import LoadStats, load_corpus
t1 = time.perf_counter()
stats = LoadStats()
corpus = load_corpus(sys.argv[1], use_cache=sys.argv[2] == "1", stats=stats)
t2 = time.perf_counter()
frames_bytes = sum(int(f.memory_usage(deep=True).sum()) for f in (corpus.documents, corpus.keywords,
                   corpus.themes, corpus.items, corpus.links, corpus.problems))
print(json.dumps({
    "import_s": t1 - t0, "load_s": t2 - t1, "documents": len(corpus.documents), "rows": len(corpus.items),
    "problems": len(corpus.problems), "parsed": stats.parsed, "steps": stats.seconds,
    "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "frames_mb": frames_bytes / 2**20,
}))
"""

_REFERENCE = r"""
import json, sys, time
sys.path.insert(0, sys.argv[3])
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from signals.ingest.files import discover
from signals.ingest.frames import finalize
from signals.ingest.raw import batch_to_raw, merge_raw
from reference_loader import read_files_reference

files = [(a, b, c) for a, b, c, _, _ in discover(Path(sys.argv[1]))]
step = max(1, len(files) // int(sys.argv[2]))
sample = files[::step]
t0 = time.perf_counter()
workers = 2
chunks = [sample[i::workers] for i in range(workers)]
with ProcessPoolExecutor(workers) as pool:
    parts = [batch_to_raw(b) for b in pool.map(read_files_reference, chunks)]
frames = finalize(merge_raw(parts))
t1 = time.perf_counter()
print(json.dumps({"sample": len(sample), "total": len(files), "seconds": t1 - t0, "rows": len(frames["items"])}))
"""


def _run(code: str, *args: str) -> dict:
    env = dict(os.environ)
    result = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, env=env, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--corpus", type=Path, help="an existing corpus folder (default: synthesize one)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--reference-sample", type=int, default=0, help="0: the whole corpus")
    args = parser.parse_args()

    scratch = Path(tempfile.mkdtemp(prefix="signals-bench-"))
    corpus = args.corpus
    if corpus is None:
        from signals.synth import write_corpus

        corpus = scratch / "corpus"
        started = time.perf_counter()
        summary = write_corpus(corpus, args.docs, seed=1)
        print(f"synthesized {summary['docs']:,} documents, {summary['bytes'] / 1e6:.1f} MB "
              f"in {time.perf_counter() - started:.1f} s")
    size = sum(p.stat().st_size for p in corpus.rglob("*") if p.is_file())
    print(f"corpus: {corpus} ({size / 1e6:.1f} MB); machine: {os.cpu_count()} cores")

    cold, warm = [], []
    for attempt in range(args.repeat):
        os.environ["SIGNALS_CACHE_DIR"] = str(scratch / f"cache-{attempt}")
        cold.append(_run(_CHILD, str(corpus), "1"))  # no cache yet: parses everything, writes the cache
        warm.append(_run(_CHILD, str(corpus), "1"))
    no_cache = [_run(_CHILD, str(corpus), "0") for _ in range(args.repeat)]

    def median(runs: list[dict], key: str = "load_s") -> float:
        return statistics.median(r[key] for r in runs)

    sample = args.reference_sample or 10**9  # more than any corpus: every file
    reference = _run(_REFERENCE, str(corpus), str(sample), str(Path(__file__).parent))
    reference_full = reference["seconds"] * reference["total"] / reference["sample"]
    cold_s = median(no_cache)
    print(f"documents {cold[0]['documents']:,}, table rows {cold[0]['rows']:,}, problems {cold[0]['problems']:,}")
    print(f"cold load, no cache (median of {args.repeat}): {cold_s:.3f} s   steps: "
          + ", ".join(f"{k} {v:.3f}" for k, v in no_cache[0]["steps"].items()))
    print(f"cold load, writing the cache:       {median(cold):.3f} s")
    print(f"warm load (nothing changed):        {median(warm):.3f} s   steps: "
          + ", ".join(f"{k} {v:.3f}" for k, v in warm[0]["steps"].items()))
    print(f"import of the package:              {median(cold, 'import_s'):.3f} s (not in the load times)")
    print(f"reference (markdown-it-py, 2 workers) on {reference['sample']:,} of {reference['total']:,} documents: "
          f"{reference['seconds']:.2f} s -> {reference_full:.2f} s for all")
    print(f"speed-up, cold load vs reference:   {reference_full / cold_s:.1f}x")
    print(f"peak RSS of the loading process:    {median(no_cache, 'peak_rss_mb'):.0f} MB (cold), "
          f"{median(warm, 'peak_rss_mb'):.0f} MB (warm)")
    print(f"memory of the loaded frames:        {median(warm, 'frames_mb'):.0f} MB")
    targets = {"cold <= 1.0 s": cold_s <= 1.0, "warm <= 0.3 s": median(warm) <= 0.3,
               ">= 20x reference": reference_full / cold_s >= 20}
    print("targets: " + ", ".join(f"{name}: {'met' if ok else 'MISSED'}" for name, ok in targets.items()))


if __name__ == "__main__":
    main()
