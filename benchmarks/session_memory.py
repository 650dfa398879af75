"""Memory per extra session in one process: AppTest sessions walking load_sessions.py's ten steps.

    python benchmarks/session_memory.py --corpus DIR [--sessions 5] [--keep-filters]

Opens a first session on the folder (set SIGNALS_CACHE_DIR to a warm cache to skip the parse),
walks the steps (a theme, Heatmaps, Tables, the signals table, a category, Co-occurrence, Reset
filters, Overview), waits 20 s for the corpus's background preparation, then opens --sessions more,
each kept open with its own theme and category. Prints the process's resident memory after each
session (Python's cyclic garbage collected and the C allocator trimmed first, so what is printed is
what is held), the mean per extra session, and what the store of filtered views keeps and gives
back without its recent views. --keep-filters: the sessions end on their theme and category
instead of resetting. No browser, no concurrent reruns: the figure without the allocator's noise
that benchmarks/load_sessions.py also measures.
"""

from __future__ import annotations

import argparse
import ctypes
import gc
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def resident_mb() -> float:
    """This process's resident memory after a collection and a trim, in MB."""
    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def walk(number: int, keep_filters: bool):
    """One session's steps (as load_sessions.steps, by AppTest); returns the open session."""
    from streamlit.testing.v1 import AppTest

    app = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=600)
    app.run()
    themes = app.sidebar.multiselect(key="theme")
    themes.select(themes.options[number % 7]).run()
    app.switch_page("signals/app/pages/heatmaps.py").run()
    app.switch_page("signals/app/pages/tables.py").run()
    app.session_state["table_choice"] = "signals"
    app.run()
    categories = app.sidebar.multiselect(key="category")
    categories.select(categories.options[number % 3]).run()
    app.switch_page("signals/app/pages/cooccurrence.py").run()
    if not keep_filters:
        app.sidebar.button(key="reset").click().run()
    app.switch_page("signals/app/pages/overview.py").run()
    if app.exception:
        raise SystemExit(f"session {number}: {app.exception[0].value}")
    return app


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", required=True, help="the corpus folder")
    parser.add_argument("--sessions", type=int, default=5)
    parser.add_argument("--keep-filters", action="store_true", help="end on the theme and category")
    args = parser.parse_args(argv)
    os.environ["SIGNALS_DATA"] = str(Path(args.corpus).resolve())
    from signals.app import data

    kept = [walk(0, args.keep_filters)]
    time.sleep(20)  # the corpus's background preparation (signals.app.data.prepare_in_background)
    first = before = resident_mb()
    print(f"one session: {first:,.0f} MB", flush=True)
    for number in range(1, args.sessions + 1):
        kept.append(walk(number, args.keep_filters))
        now = resident_mb()
        print(f"session {number + 1}: {now:,.0f} MB ({now - before:+.1f} MB)", flush=True)
        before = now
    print(f"per extra session: {(before - first) / max(args.sessions, 1):.1f} MB (target < 30 MB)")
    store = data.shared_views()
    print(f"views kept: {len(store)} ({len(store.recent)} of them for being recent)")
    store.recent.clear()
    print(f"without the recent views: {resident_mb() - before:+.1f} MB, {len(store)} views kept")
    return 0


if __name__ == "__main__":
    sys.exit(main())
