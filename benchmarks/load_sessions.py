"""Many users at once: 20 browser sessions on a 10,000-document corpus, each doing what an analyst does.

    python benchmarks/load_sessions.py [--sessions 20] [--docs 10000] [--corpus DIR] [--timeout 60] [--one-at-a-time]

Writes the synthetic corpus (`signals.synth.write_corpus(dir, 10000, seed=1)`) unless --corpus names
one, starts the app on it with the README's command (127.0.0.1 only, a private cache folder), loads
it once in a first session, then opens --sessions headless Chromium contexts at once (Debian's
/usr/bin/chromium, Playwright's async API), each walking the same realistic sequence:

    open the Overview -> pick a theme -> Heatmaps -> the "Category x section" tab -> Tables ->
    the signals table -> pick a category -> Theme co-occurrence -> Reset filters -> Overview

An interaction is timed from the click (or the navigation) until the app is idle again: its script
run is over and the page has stopped changing. A failure is a timeout or an exception box.

Prints: completed interactions, failures (must be 0), median and p95 seconds per interaction (and
per step), the server's RSS (from /proc) with no session, with one session (corpus loaded), at its
peak and after all sessions, and the growth per extra session (target < 30 MB). Bounded: every
interaction has --timeout seconds, the whole run stops after --budget seconds.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its children (the parser workers), in MB, from /proc."""
    total = 0
    pids = [pid]
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        pids += [int(c) for c in children]
    except OSError:
        pass
    for one in pids:
        try:
            for line in Path(f"/proc/{one}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


def own_rss_mb(pid: int) -> float:
    """Resident memory of the server process alone, in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_app(corpus: Path, cache: Path, log: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = dict(os.environ, SIGNALS_CACHE_DIR=str(cache))
    command = [sys.executable, "-m", "streamlit", "run", "dashboard.py", "--server.port", str(port),
               "--server.address", "127.0.0.1", "--", "--data", str(corpus)]
    with open(log, "wb") as out:
        server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return server, url
        except OSError:
            time.sleep(0.3)
    server.kill()
    raise SystemExit("the app did not start")


async def wait_idle(page, timeout: float) -> None:
    """Until the script run is over and the page has stopped changing for two checks."""
    deadline = time.monotonic() + timeout
    sizes, stable = [-1, -2], False
    while time.monotonic() < deadline:
        await page.wait_for_timeout(150)
        running = await page.locator('[data-testid="stStatusWidget"]').count()
        sizes = [sizes[1], await page.evaluate("() => document.body.innerHTML.length")]
        if not running and sizes[0] == sizes[1] and stable:
            return
        stable = not running and sizes[0] == sizes[1]
    raise TimeoutError(f"not idle after {timeout} s")


async def pick_first(page, label: str, skip: int) -> None:
    """Open a sidebar multiselect and choose an option (the skip-th, so sessions choose differently)."""
    box = page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').filter(has_text=label).first
    await box.locator("input").click()
    for _ in range(skip):
        await page.keyboard.press("ArrowDown")
    await page.keyboard.press("Enter")
    await page.keyboard.press("Escape")


async def open_page(page, title: str) -> None:
    """Go to a page as a user does: its link in the top bar, else its entry in one of the bar's menus
    (signals.app.main.NAV_SECTIONS). Clicking a link hidden in a closed menu waited out the whole
    timeout at every step, which is how a run at 100k once printed nothing for 25 minutes."""
    from signals.app.main import NAV_SECTIONS

    link = page.get_by_role("link", name=title, exact=True)
    if await link.count() and await link.first.is_visible():
        await link.first.click()
        return
    for section in (label for label in NAV_SECTIONS if label):
        menu = page.get_by_text(section, exact=True)
        if not await menu.count():
            continue
        await menu.first.click()
        entry = page.get_by_role("menuitem", name=title, exact=True)
        try:
            await entry.first.wait_for(state="visible", timeout=1500)
        except Exception:  # noqa: BLE001 - not in this menu: close it, try the next
            await page.keyboard.press("Escape")
            continue
        await entry.first.click()
        return
    raise RuntimeError(f"no page titled {title!r} in the navigation")


def steps(number: int):
    """The analyst's sequence: (name, coroutine function of the page)."""
    async def open_overview(page, url):
        await page.goto(url)
        await page.locator('[data-testid="stMain"] [data-testid="stHeading"]').first.wait_for(timeout=60_000)

    async def theme(page, url):
        await pick_first(page, "Themes", number % 7)

    async def heatmaps(page, url):
        await open_page(page, "Heatmaps")

    async def category_tab(page, url):
        await page.get_by_role("tab", name="Category × section").click()

    async def tables(page, url):
        await open_page(page, "Tables")

    async def signals_table(page, url):
        await page.locator('[data-testid="stMain"] [data-testid="stButtonGroup"] button').filter(
            has_text="signals").first.click()

    async def category(page, url):
        await pick_first(page, "Category", number % 3)

    async def cooccurrence(page, url):
        await open_page(page, "Co-occurrence")

    async def reset(page, url):
        await page.locator('[data-testid="stSidebar"]').get_by_role("button", name="Reset filters").click()

    async def overview(page, url):
        await open_page(page, "Overview")

    return [("open overview", open_overview), ("pick a theme", theme), ("heatmaps", heatmaps),
            ("category tab", category_tab), ("tables", tables), ("signals table", signals_table),
            ("pick a category", category), ("co-occurrence", cooccurrence), ("reset filters", reset),
            ("overview", overview)]


async def session(browser, url: str, number: int, timeout: float, results: list, failures: list,
                  contexts: list) -> None:
    context = await browser.new_context(viewport={"width": 1500, "height": 1000})
    contexts.append(context)
    page = await context.new_page()
    page.set_default_timeout(timeout * 1000)
    page.set_default_navigation_timeout(timeout * 1000)
    # Only the app: anything else (Streamlit's icon font host) is refused, never fetched.
    await context.route("**/*", lambda route: asyncio.ensure_future(
        route.continue_() if route.request.url.startswith(url) or route.request.url.startswith("ws://127.0.0.1")
        else route.abort()))
    for name, action in steps(number):
        started = time.monotonic()
        try:
            await asyncio.wait_for(action(page, url), timeout)
            await wait_idle(page, timeout)
            if await page.locator('[data-testid="stException"]').count():
                raise RuntimeError("exception shown: " + (await page.locator('[data-testid="stException"]')
                                                          .first.inner_text())[:200])
        except Exception as error:  # noqa: BLE001 - counted and reported
            failures.append((number, name, f"{type(error).__name__}: {error}"[:300]))
            continue
        results.append((name, time.monotonic() - started))
    print(f"  session {number} done: {sum(1 for _ in steps(number))} steps", flush=True)


async def run(url: str, sessions: int, timeout: float, server_pid: int, budget: float,
              one_at_a_time: bool = False) -> dict:
    from playwright.async_api import async_playwright

    figures: dict = {}
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        figures["rss_idle"] = own_rss_mb(server_pid)
        # One session loads the corpus (a cold parse of the folder) and walks the sequence.
        warm_results, warm_failures, warm_contexts = [], [], []
        started = time.monotonic()
        await session(browser, url, 0, 300, warm_results, warm_failures, warm_contexts)
        figures["first_session_s"] = time.monotonic() - started
        figures["first_failures"] = warm_failures
        await asyncio.sleep(2)
        figures["rss_one"] = own_rss_mb(server_pid)
        # As it goes: a run stopped from outside (a slow machine, a large corpus) still says this much.
        print(f"first session: {figures['first_session_s']:.1f} s, failures {len(warm_failures)}; "
              f"server RSS {figures['rss_idle']:.0f} MB idle, {figures['rss_one']:.0f} MB with one session",
              flush=True)

        results: list = []
        failures: list = []
        contexts: list = []
        peak = [figures["rss_one"]]

        async def sample() -> None:
            while True:
                peak[0] = max(peak[0], own_rss_mb(server_pid))
                await asyncio.sleep(0.5)

        sampler = asyncio.ensure_future(sample())
        started = time.monotonic()
        async def all_sessions() -> None:
            if one_at_a_time:  # each stays open; what a session keeps, without concurrent runs' churn
                for k in range(sessions):
                    await session(browser, url, k + 1, timeout, results, failures, contexts)
                    await asyncio.sleep(2)
                    print(f"  server RSS with {k + 2} sessions: {own_rss_mb(server_pid):.0f} MB", flush=True)
            else:
                await asyncio.gather(*(session(browser, url, k + 1, timeout, results, failures, contexts)
                                       for k in range(sessions)))

        try:
            await asyncio.wait_for(all_sessions(), budget)
        except TimeoutError:  # the figures so far are still printed, the run counted as failed
            failures.append((0, "all", f"the sessions ran past the budget of {budget:.0f} s"))
        figures["wall_s"] = time.monotonic() - started
        await asyncio.sleep(2)
        sampler.cancel()
        figures["rss_peak"] = peak[0]
        figures["rss_after"] = own_rss_mb(server_pid)  # all sessions still open
        figures["results"], figures["failures"] = results, failures
        for context in contexts + warm_contexts:
            await context.close()
        await browser.close()
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--corpus", help="an existing corpus folder (default: write the synthetic one)")
    parser.add_argument("--timeout", type=float, default=120, help="seconds per interaction")
    parser.add_argument("--budget", type=float, default=540, help="seconds for all sessions together")
    parser.add_argument("--one-at-a-time", action="store_true",
                        help="run the sessions one after another (each kept open), not at once")
    args = parser.parse_args(argv)
    if not Path(CHROMIUM).exists():
        print(f"needs {CHROMIUM}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="signals-load-") as scratch:
        corpus = Path(args.corpus) if args.corpus else Path(scratch) / "corpus"
        if not args.corpus:
            from signals.synth import write_corpus

            write_corpus(corpus, args.docs, seed=1)
        log = Path(scratch) / "server.log"
        server, url = start_app(corpus, Path(scratch) / "cache", log)
        try:
            figures = asyncio.run(run(url, args.sessions, args.timeout, server.pid, args.budget, args.one_at_a_time))
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
            server_log = log.read_text(errors="replace")
    times = sorted(t for _, t in figures["results"])
    by_step: dict[str, list[float]] = {}
    for name, seconds in figures["results"]:
        by_step.setdefault(name, []).append(seconds)
    expected = args.sessions * len(steps(0))
    print(f"corpus:                 {args.corpus or f'synthetic, {args.docs:,} documents (seed 1)'}")
    print(f"first session:          {figures['first_session_s']:.1f} s for its {len(steps(0))} steps "
          f"(includes the cold load), failures {len(figures['first_failures'])}")
    print(f"sessions {'one at a time' if args.one_at_a_time else 'at once'}: {args.sessions} ({figures['wall_s']:.1f} s wall)")
    print(f"completed interactions: {len(times)} of {expected}")
    print(f"failures:               {len(figures['failures'])}")
    for number, name, error in figures["failures"][:10]:
        print(f"  session {number}, {name}: {error}")
    if "Traceback" in server_log:
        print("server errors (the app's log):")
        print("\n".join(server_log[server_log.index("Traceback"):].splitlines()[:40]))
    if times:
        p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
        print(f"per interaction:        median {statistics.median(times):.2f} s, p95 {p95:.2f} s, max {times[-1]:.2f} s")
        for name, values in by_step.items():
            print(f"  {name:<22}median {statistics.median(values):.2f} s, max {max(values):.2f} s")
    growth = (figures["rss_after"] - figures["rss_one"]) / max(args.sessions, 1)
    print(f"server RSS:             {figures['rss_idle']:.0f} MB idle, {figures['rss_one']:.0f} MB with one session, "
          f"{figures['rss_peak']:.0f} MB peak, {figures['rss_after']:.0f} MB with {args.sessions + 1} sessions")
    print(f"growth per extra session: {growth:.1f} MB (target < 30 MB)")
    ok = not figures["failures"] and not figures["first_failures"] and len(times) == expected and growth < 30
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
