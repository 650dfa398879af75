"""Time what annotations add to a rerun: reading them, joining them to the rows, filtering by them.

    signals synth --docs 10000 --out /tmp/synth10k --seed 1
    python benchmarks/bench_annotations.py --corpus /tmp/synth10k --annotations 5000

Writes the annotations into a fresh workspace file (in bulk changes, spread over rows and
documents with varied values), then times, each as the median and minimum of --repeat runs after
one warm-up:

- once per load: `keys.with_row_keys(items)` (the `row_key` column);
- after an edit (the app keeps these between reruns, keyed on `store.revision()`): reading the
  changed annotations (`annotations.refresh`; `read` reads all of them) and `join_rows` (the
  annotations joined to the rows, as arrays);
- per rerun: `Joined.mask` for the annotation facets (one criterion at a time and all at once);
- for downloads and pages: `for_rows` (the columns exports add), `document_mask`, `orphans`;
- and the join without a `row_key` column (keys computed for the annotated documents' rows).

The target (issue 12): the annotation facets cost at most 20 ms of a rerun at 10,000 documents
with 5,000 annotations.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from signals import load_corpus
from signals.workspace import annotations, keys
from signals.workspace.store import Store


def _time(function, repeat: int) -> tuple[float, float, object]:
    result = function()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000, min(times) * 1000, result


def _fill(store: Store, corpus, count: int, seed: int) -> None:
    """`count` annotations: nine in ten on rows, the rest on documents, values drawn per batch."""
    rng = np.random.default_rng(seed)
    on_documents = count // 10
    rows = rng.choice(len(corpus.items), count - on_documents, replace=False)
    targets = annotations.row_targets(corpus.items, corpus.items.index[np.sort(rows)])
    targets += [annotations.document_target(d) for d in
                rng.choice(corpus.documents["doc_id"].astype(str).to_numpy(), on_documents, replace=False)]
    rng.shuffle(targets)
    tags = ["energy", "policy", "ai", "supply chain", "watchlist", "client", "europe", "asia"]
    for batch in range(0, len(targets), 100):
        edits = {
            "starred": bool(rng.random() < 0.2),
            "status": str(rng.choice(annotations.STATUSES)),
            "impact": int(rng.integers(1, 6)) if rng.random() < 0.7 else None,
            "likelihood": int(rng.integers(1, 6)) if rng.random() < 0.6 else None,
            "horizon": str(rng.choice(annotations.HORIZONS)) if rng.random() < 0.5 else None,
            "tags": list(rng.choice(tags, int(rng.integers(0, 3)), replace=False)),
            "note": "checked against the source" if rng.random() < 0.3 else "",
        }
        annotations.annotate(store, targets[batch:batch + 100], edits, by="bench")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", required=True)
    parser.add_argument("--annotations", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    corpus = load_corpus(args.corpus)
    store = Store.open(Path(tempfile.mkdtemp(prefix="bench-annotations-")) / "workspace.sqlite")
    start = time.perf_counter()
    _fill(store, corpus, args.annotations, args.seed)
    stored = annotations.read(store)
    print(f"{len(corpus.documents):,} documents, {len(corpus.items):,} rows, {len(stored):,} annotations "
          f"({int((stored['target'] == 'row').sum()):,} on rows; written in {time.perf_counter() - start:.1f} s)")

    median, fastest, items = _time(lambda: keys.with_row_keys(corpus.items), args.repeat)
    print(f"{'row keys (once per load)':44} median {median:7.1f} ms  min {fastest:7.1f} ms")
    median, fastest, _ = _time(lambda: annotations.read(store), args.repeat)
    print(f"{'read the workspace (after an edit)':44} median {median:7.1f} ms  min {fastest:7.1f} ms")
    median, fastest, values = _time(lambda: annotations.for_rows(items, stored), args.repeat)
    print(f"{'join to rows (export columns)':44} median {median:7.1f} ms  min {fastest:7.1f} ms  "
          f"-> {int((values['status'] != 'new').sum() + values['starred'].sum()):,} marked")
    median, fastest, _ = _time(lambda: annotations.for_rows(corpus.items, stored), max(3, args.repeat // 5))
    print(f"{'join to rows, no row_key column':44} median {median:7.1f} ms  min {fastest:7.1f} ms")

    stored, revision = annotations.read_with_revision(store)
    annotations.annotate(store, annotations.row_targets(corpus.items, corpus.items.index[:1]),
                         {"status": "escalate", "add_tags": ["edited"]}, by="bench")
    median, fastest, (stored, _) = _time(lambda: annotations.refresh(store, stored, revision), args.repeat)
    print(f"{'read the one edited annotation (refresh)':44} median {median:7.1f} ms  min {fastest:7.1f} ms")
    median, fastest, _ = _time(lambda: store.revision(), args.repeat)
    print(f"{'has anything changed? (store.revision)':44} median {median:7.1f} ms  min {fastest:7.1f} ms")
    median, fastest, joined = _time(lambda: annotations.join_rows(items, stored), args.repeat)
    print(f"{'join for the row facets (after an edit)':44} median {median:7.1f} ms  min {fastest:7.1f} ms  "
          f"-> {len(joined.rows):,} rows with an annotation or a document's")
    cases = {
        "starred": {"starred": True},
        "status watch or escalate": {"status": ["watch", "escalate"]},
        "tag ai": {"tag": ["ai"]},
        "has note": {"has_note": True},
        "impact >= 4": {"min_impact": 4},
        "likelihood 2-4": {"min_likelihood": 2, "max_likelihood": 4},
        "horizon <1y or 1-3y": {"horizon": ["<1y", "1-3y"]},
        "rated": {"rated": True},
        "all of them": {"starred": True, "status": ["watch", "escalate"], "tag": ["ai", "energy"],
                        "min_impact": 2, "horizon": ["<1y", "1-3y", "3-10y"], "rated": True},
    }
    for label, given in cases.items():
        chosen = annotations.criteria(**given)
        median, fastest, mask = _time(lambda chosen=chosen: joined.mask(chosen), args.repeat)
        assert (mask == annotations.row_mask(items, stored, chosen)).all()
        print(f"{'rows: ' + label:44} median {median:7.1f} ms  min {fastest:7.1f} ms  -> {int(mask.sum()):,} rows")
    chosen = annotations.criteria(status=["watch", "escalate"], min_impact=3)
    median, fastest, mask = _time(lambda: annotations.document_mask(corpus.documents, stored, chosen), args.repeat)
    print(f"{'documents: watch/escalate, impact >= 3':44} median {median:7.1f} ms  min {fastest:7.1f} ms  "
          f"-> {int(mask.sum()):,} documents")
    median, fastest, found = _time(lambda: annotations.orphans(items, corpus.documents, stored), args.repeat)
    print(f"{'orphans (Data health)':44} median {median:7.1f} ms  min {fastest:7.1f} ms  -> {len(found):,}")


if __name__ == "__main__":
    main()
