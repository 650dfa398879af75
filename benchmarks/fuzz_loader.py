"""Long fuzz of the loader: 100,000+ damaged real documents, none may crash it or lose a row.

    python benchmarks/fuzz_loader.py [--inputs 100000] [--workers 2] [--seed 1] [--chunk 200]
                                     [--corpus ../shared/corpus/futures] [--budget 900]

Each input is a real document from the corpus with one to three mutations (tests/mutate.py):
truncation, byte flips (any value, or the format's own characters), shuffled lines (all, a window,
or two swapped), doubled separators (pipes, newlines, delimiter rows, hashes), deleted, duplicated
or blanked lines, CRLF/CR line ends. Inputs go through the loader's unit of work exactly as a worker
process runs it -- files written to a scratch folder, `workers.parse_files` on a chunk of them -- and then
`finalize`, which derives the frames a user sees. Each chunk is checked by tests/rowcount.py, which
counts table rows without the parser.

Prints: inputs run, crashes (an exception, or a parser failure the reader caught: must be 0), inputs
that lost a row and rows lost (a row line neither an item nor a problem: must be 0), rows misplaced
(an item whose cells are not on its line: must be 0), files skipped whole (reported with an error),
and the time. Exit status 1 when any must-be-0 figure is not. Deterministic for a given --seed and
--workers; the first few failing inputs are written to --failures for replay.
"""

from __future__ import annotations

import argparse
import multiprocessing
import random
import sys
import tempfile
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import mutate
import rowcount

from signals.ingest.frames import finalize
from signals.ingest.workers import parse_files

KEEP_FAILURES = 20


def _run_chunk(sources: list[bytes], rng: random.Random, size: int, scratch: Path) -> tuple[dict, list]:
    """Mutate `size` inputs, load them as one chunk, audit. -> (counts, failing inputs)."""
    inputs: dict[str, bytes] = {}
    recipes: dict[str, list[str]] = {}
    for k in range(size):
        names = [rng.choice(sorted(mutate.MUTATIONS)) for _ in range(rng.randint(1, 3))]
        doc_id = f"d{k:04d}"
        inputs[doc_id] = mutate.mutate(rng.choice(sources), names, rng)
        recipes[doc_id] = names
        (scratch / f"{doc_id}.md").write_bytes(inputs[doc_id])
    counts = {"inputs": size, "crashes": 0, "lost_inputs": 0, "lost_rows": 0, "misplaced": 0, "skipped": 0,
              "rows": 0}
    failures = []
    files = [(str(scratch / f"{d}.md"), d, f"{d}.md") for d in inputs]
    try:
        raw = parse_files(files)
        frames = finalize(raw)
        if len(frames["items"]) != raw["items"].num_rows:
            raise AssertionError(f"finalize kept {len(frames['items'])} of {raw['items'].num_rows} rows")
    except Exception:  # noqa: BLE001 - find the input that did it, one by one
        for doc_id, path in zip(inputs, files):
            try:
                finalize(parse_files([path]))
            except Exception:  # noqa: BLE001
                counts["crashes"] += 1
                failures.append(("crash", recipes[doc_id], inputs[doc_id], traceback.format_exc(limit=4)))
        return counts, failures
    report = rowcount.audit(inputs, raw)
    counts["rows"] = raw["items"].num_rows
    counts["crashes"] += len(set(report["parser_failed"])) + len(report["unreported"])
    lost_docs = {doc_id for doc_id, _ in report["lost"]}
    counts["lost_inputs"] = len(lost_docs)
    counts["lost_rows"] = len(report["lost"])
    counts["misplaced"] = len(report["misplaced"])
    loaded = set(raw["documents"].column("doc_id").to_pylist())
    counts["skipped"] = len(set(inputs) - loaded)
    for kind in ("parser_failed", "unreported", "lost", "misplaced"):
        for entry in report[kind][:3]:
            doc_id = entry if isinstance(entry, str) else entry[0]
            failures.append((kind, recipes[doc_id], inputs[doc_id], repr(entry)))
    return counts, failures


def _worker(args: tuple[int, int, int, int, str, float]) -> tuple[dict, list]:
    worker, inputs, chunk, seed, corpus, deadline = args
    sources = [p.read_bytes() for p in sorted(Path(corpus).glob("*.md"))]
    rng = random.Random(seed * 1000 + worker)
    totals = {"inputs": 0, "crashes": 0, "lost_inputs": 0, "lost_rows": 0, "misplaced": 0, "skipped": 0, "rows": 0}
    failures: list = []
    with tempfile.TemporaryDirectory(prefix="signals-fuzz-", dir=_scratch_root()) as scratch:
        done = 0
        while done < inputs and time.time() < deadline:
            size = min(chunk, inputs - done)
            counts, found = _run_chunk(sources, rng, size, Path(scratch))
            for key, value in counts.items():
                totals[key] += value
            failures.extend(found[: KEEP_FAILURES - len(failures)])
            done += size
    return totals, failures


def _scratch_root() -> str | None:
    shm = Path("/dev/shm")
    return str(shm) if shm.is_dir() else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--inputs", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--chunk", type=int, default=200)
    parser.add_argument("--corpus", default=str(ROOT.parent / "shared" / "corpus" / "futures"))
    parser.add_argument("--budget", type=float, default=900, help="seconds; stops early (and says so) past it")
    parser.add_argument("--failures", default=str(ROOT / "artifacts" / "fuzz"), help="folder for failing inputs")
    args = parser.parse_args(argv)
    sources = sorted(Path(args.corpus).glob("*.md"))
    if not sources:
        print(f"no documents in {args.corpus}", file=sys.stderr)
        return 2
    started = time.time()
    deadline = started + args.budget
    shares = [args.inputs // args.workers + (k < args.inputs % args.workers) for k in range(args.workers)]
    jobs = [(k, shares[k], args.chunk, args.seed, args.corpus, deadline) for k in range(args.workers)]
    with multiprocessing.get_context("fork").Pool(args.workers) as pool:
        results = pool.map(_worker, jobs)
    elapsed = time.time() - started
    totals = {key: sum(r[0][key] for r in results) for key in results[0][0]}
    failures = [f for r in results for f in r[1]]

    print(f"corpus:          {len(sources)} real documents from {args.corpus}")
    print(f"inputs run:      {totals['inputs']:,} (seed {args.seed}, {args.workers} processes, "
          f"{elapsed:.0f} s, {totals['inputs'] / elapsed:,.0f} inputs/s)")
    print(f"table rows read: {totals['rows']:,}")
    print(f"skipped whole:   {totals['skipped']:,} (reported with an error: not a document, binary, empty)")
    print(f"crashes:         {totals['crashes']:,}")
    print(f"inputs lost row: {totals['lost_inputs']:,}")
    print(f"rows lost:       {totals['lost_rows']:,}")
    print(f"rows misplaced:  {totals['misplaced']:,}")
    if totals["inputs"] < args.inputs:
        print(f"stopped at the {args.budget:.0f} s budget before {args.inputs:,} inputs")
    if failures:
        out = Path(args.failures)
        out.mkdir(parents=True, exist_ok=True)
        for k, (kind, recipe, data, detail) in enumerate(failures):
            (out / f"{k:02d}-{kind}.md").write_bytes(data)
            (out / f"{k:02d}-{kind}.txt").write_text(f"{kind} after {recipe}\n{detail}\n")
        print(f"failing inputs written to {out}")
    bad = totals["crashes"] or totals["lost_rows"] or totals["misplaced"] or totals["inputs"] < args.inputs
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
