"""Issue 15's figures: loading and the app at 100,000 documents, beside 10,000, with the growth.

    python benchmarks/bench_scale.py --docs 100000 [--corpus DIR] [--small-docs 10000]
                                     [--small-corpus DIR] [--skip-app] [--skip-pages]

Writes each synthetic corpus (`signals synth --docs N --seed 1`) under --scratch when no folder is
given. Every figure comes from a fresh Python process with a private, empty cache folder, so one
measurement never warms the next (the operating system's file cache is shared: every size is
read once before its timings):

- first load of a folder: `load_corpus(folder)` as the dashboard calls it (`background_write=True`),
  timed until it returns the corpus; beside it, until the cache is on disk;
- cold load without a cache (`use_cache=False`), and warm load (listing + cache read);
- peak memory (whole process: `ru_maxrss` of the loading process, which holds everything but the
  parser workers) for cold and warm;
- CPU time of each load (the process and its workers), which other work on the machine moves less
  than wall time;
- the app (AppTest on dashboard.py, cache warm): first run; a theme filter change (6 reruns, each a
  different theme: median and max); then every page opened in turn, with its script time and any
  exception.

Prints every figure against the issue's target, and the ratio 100k / 10k (how cost grows with size:
10 means "as the data"). Keep a run under about 5 minutes: --skip-pages or --skip-app shorten it.
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
sys.path.insert(0, str(ROOT))  # this checkout's signals, for writing the corpora

#: figure -> (target at the large size, target at the small size); None: reported only.
TARGETS: dict[str, tuple[float | None, float | None]] = {
    "first_load_s": (10.0, 0.8),
    "cold_s": (None, None),
    "warm_s": (1.5, None),
    "cold_peak_mb": (None, None),
    "warm_peak_mb": (1200.0, None),
    "app_first_run_s": (4.0, None),
    "filter_median_ms": (400.0, None),
    "filter_max_ms": (800.0, None),
    "slowest_page_s": (2.0, 2.0),
}
LABELS = {
    "first_load_s": "first load of the folder (returns; cache written behind)",
    "first_load_cache_done_s": "  ... until the cache is on disk",
    "cold_s": "cold load, no cache",
    "cold_cpu_s": "  ... CPU time (process + workers)",
    "warm_s": "warm load (listing + cache read)",
    "warm_listing_s": "  ... listing",
    "warm_cache_read_s": "  ... cache read",
    "cold_peak_mb": "peak memory, cold (MB, whole process)",
    "warm_peak_mb": "peak memory, warm (MB, whole process)",
    "app_first_run_s": "app first run (AppTest, warm cache)",
    "filter_median_ms": "theme filter change, median of 6 (ms)",
    "filter_max_ms": "theme filter change, max of 6 (ms)",
    "slowest_page_s": "slowest page (script time, s)",
}

_LOAD_CHILD = r"""
import json, resource, sys, time
from signals.ingest.load import LoadStats, load_corpus
mode = sys.argv[2]
stats = LoadStats()
started = time.perf_counter()
corpus = load_corpus(sys.argv[1], use_cache=mode != "nocache", stats=stats, background_write=mode == "first")
returned = time.perf_counter() - started
written = stats.cache_written if mode == "first" else None
done = time.perf_counter() - started
own, workers = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({
    "seconds": returned, "cache_done_s": done, "cache_written": written, "steps": stats.seconds,
    "documents": len(corpus.documents), "rows": len(corpus.items),
    "cpu_s": own.ru_utime + own.ru_stime + workers.ru_utime + workers.ru_stime,
    "peak_mb": own.ru_maxrss / 1024,
}))
"""

_APP_CHILD = r"""
import json, statistics, sys, time
from pathlib import Path
from streamlit.testing.v1 import AppTest
root, walk = Path(sys.argv[1]), sys.argv[2] == "1"
app = AppTest.from_file(str(root / "dashboard.py"), default_timeout=600)
started = time.perf_counter()
app.run()
first = time.perf_counter() - started
errors = [str(e.value) for e in app.exception]
app.run()
themes = app.multiselect(key="theme").options
changes = []
for theme in themes[:6]:
    started = time.perf_counter()
    app.multiselect(key="theme").set_value([theme]).run()
    changes.append(time.perf_counter() - started)
    errors += [str(e.value) for e in app.exception]
pages = {}
if walk:
    app.multiselect(key="theme").set_value([]).run()
    for page in sorted((root / "signals/app/pages").glob("[!_]*.py")):
        started = time.perf_counter()
        app.switch_page(f"signals/app/pages/{page.name}").run()
        pages[page.stem] = {"seconds": time.perf_counter() - started,
                            "exceptions": [str(e.value)[:200] for e in app.exception]}
# Background work the pages started (the corpus's preparation, embedding jobs) ends before the
# process does: a thread still inside Arrow or faiss when the interpreter finalizes aborted it
# once ("terminate called without an active exception").
import threading
for thread in threading.enumerate():
    if thread is not threading.current_thread() and thread.daemon and thread.name.startswith(("prepare", "embed")):
        thread.join(timeout=300)
print(json.dumps({"first_run_s": first, "changes_s": changes, "pages": pages, "errors": errors}))
"""


def _child(code: str, args: list[str], cache: Path, timeout: float = 600) -> dict:
    env = {**os.environ, "SIGNALS_CACHE_DIR": str(cache), "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, "-c", code, *args], check=False, capture_output=True, text=True,
                            env=env, cwd=ROOT, timeout=timeout)
    if result.returncode:
        raise RuntimeError(result.stderr[-3000:])
    return json.loads(result.stdout.strip().splitlines()[-1])


def _corpus(folder: Path | None, docs: int, scratch: Path) -> Path:
    if folder is not None:
        return folder
    folder = scratch / f"synth-{docs}"
    if not (folder / ".complete").exists():
        from signals.synth import write_corpus

        print(f"writing {docs:,} synthetic documents to {folder} ...", flush=True)
        write_corpus(folder, docs, seed=1)
        (folder / ".complete").write_text("")
    return folder


def measure(folder: Path, scratch: Path, app: bool, walk: bool) -> dict[str, float | dict]:
    """Every figure for one corpus folder (see the module docstring)."""
    for path in folder.rglob("*.md"):  # the file cache warm for every size alike
        path.read_bytes()
    caches = Path(tempfile.mkdtemp(prefix="cache-", dir=scratch))
    figures: dict = {}
    first = _child(_LOAD_CHILD, [str(folder), "first"], caches / "first")
    figures |= {"documents": first["documents"], "rows": first["rows"], "first_load_s": first["seconds"],
                "first_load_cache_done_s": first["cache_done_s"]}
    nocache = _child(_LOAD_CHILD, [str(folder), "nocache"], caches / "none")
    figures |= {"cold_s": nocache["seconds"], "cold_cpu_s": nocache["cpu_s"], "cold_peak_mb": nocache["peak_mb"]}
    warm = _child(_LOAD_CHILD, [str(folder), "warm"], caches / "first")
    figures |= {"warm_s": warm["seconds"], "warm_listing_s": warm["steps"].get("discover", 0.0),
                "warm_cache_read_s": warm["steps"].get("cache_read", 0.0), "warm_peak_mb": warm["peak_mb"]}
    if app:
        os.environ["SIGNALS_DATA"] = str(folder)
        run = _child(_APP_CHILD, [str(ROOT), "1" if walk else "0"], caches / "first")
        changes = run["changes_s"]
        figures |= {"app_first_run_s": run["first_run_s"], "filter_median_ms": statistics.median(changes) * 1000,
                    "filter_max_ms": max(changes) * 1000, "filter_changes_ms": [round(c * 1000) for c in changes],
                    "pages": run["pages"], "app_errors": run["errors"]}
        if run["pages"]:
            figures["slowest_page_s"] = max(page["seconds"] for page in run["pages"].values())
    return figures


def _verdict(value: float, target: float | None) -> str:
    if target is None:
        return ""
    return f"<= {target:g}: {'met' if value <= target else 'MISSED'}"


def report(large: dict, small: dict, large_docs: int, small_docs: int) -> None:
    """Print every figure, large beside small, their ratio and the targets."""
    print(f"\n{'figure':<58} {large_docs:>10,} {small_docs:>10,} {'ratio':>7}  target ({large_docs:,} / {small_docs:,})")
    for key, label in LABELS.items():
        if key not in large:
            continue
        big, little = large[key], small.get(key)
        ratio = f"{big / little:7.1f}" if little else "      -"
        targets = TARGETS.get(key, (None, None))
        verdicts = " / ".join(v for v in (_verdict(big, targets[0]), _verdict(little, targets[1]) if little is not None
                                          else "") if v)
        print(f"{label:<58} {big:>10.2f} {little if little is not None else float('nan'):>10.2f} {ratio}  {verdicts}")
    for name, figures in ((large_docs, large), (small_docs, small)):
        if "filter_changes_ms" in figures:
            print(f"{name:,} documents: theme changes (ms) {figures['filter_changes_ms']}")
        for page, result in figures.get("pages", {}).items():
            status = "ok" if not result["exceptions"] else "EXCEPTION " + "; ".join(result["exceptions"])
            print(f"{name:,} documents: page {page:<14} {result['seconds']:6.2f} s  "
                  f"{_verdict(result['seconds'], 2.0)}  {status}")
        if figures.get("app_errors"):
            print(f"{name:,} documents: exceptions during the filter changes: {figures['app_errors']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--corpus", type=Path, help="an existing folder of --docs documents")
    parser.add_argument("--small-docs", type=int, default=10_000)
    parser.add_argument("--small-corpus", type=Path, help="an existing folder of --small-docs documents")
    parser.add_argument("--scratch", type=Path, default=Path(tempfile.gettempdir()) / "signals-bench-scale")
    parser.add_argument("--skip-app", action="store_true", help="loading figures only")
    parser.add_argument("--skip-pages", action="store_true", help="no walk through every page")
    parser.add_argument("--json", type=Path, help="also write every figure to this file")
    args = parser.parse_args()
    args.scratch.mkdir(parents=True, exist_ok=True)
    print(f"load average: {' '.join(f'{v:.2f}' for v in os.getloadavg())}; {os.cpu_count()} cores")
    started = time.perf_counter()
    small = measure(_corpus(args.small_corpus, args.small_docs, args.scratch), args.scratch,
                    not args.skip_app, not args.skip_pages)
    large = measure(_corpus(args.corpus, args.docs, args.scratch), args.scratch, not args.skip_app,
                    not args.skip_pages)
    print(f"{large['documents']:,} documents, {large['rows']:,} rows; {small['documents']:,} documents, "
          f"{small['rows']:,} rows; measured in {time.perf_counter() - started:.0f} s")
    report(large, small, args.docs, args.small_docs)
    print(f"load average after: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    if args.json:
        args.json.write_text(json.dumps({"large": large, "small": small}, indent=1))


if __name__ == "__main__":
    main()
