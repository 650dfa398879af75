"""Time `signals.filters.apply` on a corpus, for the filter sets that search text.

    signals synth --docs 10000 --out /tmp/synth10k --seed 1
    python benchmarks/bench_filters.py --corpus /tmp/synth10k
    git show <commit>:signals/filters.py > /tmp/old_filters.py
    python benchmarks/bench_filters.py --corpus /tmp/synth10k --compare /tmp/old_filters.py

Each filter set: one warm-up, then the median and minimum of --repeat runs. With --compare, the
other implementation (a filters.py from another commit) is timed in turn on the same loaded corpus,
so both see the same machine load. Filter sets its Filters cannot express are skipped for it.
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import sys
import time
from types import ModuleType

from signals.filters import Filters
from signals.ingest.load import load_corpus

CASES = {
    "text privacy": {"text": "privacy"},
    "text privacy, relevancy >= 5": {"text": "privacy", "min_relevancy": 5},
    "text robot": {"text": "robot"},
    "text énergie (no match)": {"text": "énergie"},
    "text privacy, in documents": {"text": "privacy", "text_scope": "documents"},
    "relevancy >= 5 only": {"min_relevancy": 5},
}


def _module(path: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location("compared_filters", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def _time(apply, corpus, filters, repeat: int) -> tuple[float, float, int, int]:
    apply(corpus, filters)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = apply(corpus, filters)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000, min(times) * 1000, len(result.documents), len(result.items)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", required=True)
    parser.add_argument("--compare", help="another filters.py to time beside the current one")
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    corpus = load_corpus(args.corpus)
    print(f"{len(corpus.documents):,} documents, {len(corpus.items):,} rows")
    import signals.filters as current

    implementations = {"current": current}
    if args.compare:
        implementations["compared"] = _module(args.compare)
    for label, values in CASES.items():
        for name, module in implementations.items():
            try:
                filters = module.Filters(**values)
            except TypeError:
                continue
            median, fastest, docs, rows = _time(module.apply, corpus, filters, args.repeat)
            print(f"{label:32} {name:9} median {median:6.1f} ms  min {fastest:6.1f} ms  "
                  f"-> {docs:,} documents, {rows:,} rows")


if __name__ == "__main__":
    assert Filters  # the current implementation imports
    main()
