"""Shared by the browser tests: start the app with the README's command, and Debian's Chromium."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import pytest

T = TypeVar("T")

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
#: Screenshots the browser tests take (kept by CI as test artifacts).
ARTIFACTS = ROOT / "artifacts" / "browser"
#: pytestmark of every module that drives Chromium.
BROWSER_MARKS = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium at /usr/bin/chromium"),
]
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync"]


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def running_app(data: Path | None, cache_dir: Path, env: dict | None = None) -> Iterator[str]:
    """`streamlit run dashboard.py -- --data DATA` on a free port; yields its URL, stops it after.
    With data=None, the README's `streamlit run dashboard.py` as a newcomer runs it: no data configured."""
    port = free_port()
    environment = dict(os.environ, SIGNALS_CACHE_DIR=str(cache_dir), **(env or {}))
    if data is None:
        for name in ("SIGNALS_DATA", "SIGNALS_ALLOWED_ROOTS"):
            environment.pop(name, None)
    command = [sys.executable, "-m", "streamlit", "run", "dashboard.py", "--server.port", str(port),
               "--server.address", "127.0.0.1", "--server.headless", "true"]
    if data is not None:
        command += ["--", "--data", str(data)]
    server = subprocess.Popen(command, cwd=ROOT, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    break
        except OSError:
            time.sleep(0.3)
    else:
        server.kill()
        pytest.fail("the app did not start: " + server.stdout.read().decode(errors="replace")[-2000:])
    try:
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()


@contextlib.contextmanager
def chromium() -> Iterator[object]:
    """Debian's Chromium under Playwright (skips where it is missing; never downloads a browser)."""
    if not Path(CHROMIUM).exists():
        pytest.skip("needs Debian's chromium at /usr/bin/chromium")
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def vega_tooltip(page) -> dict[str, str] | None:
    """Vega's tooltip as {title: value}, or None when none is shown."""
    tip = page.locator("#vg-tooltip-element")
    if not tip.count() or not tip.is_visible():
        return None
    cells = tip.locator("td").all_inner_texts()
    return {cells[i].strip(): cells[i + 1].strip() for i in range(0, len(cells) - 1, 2)}


def scan_tooltips(page, chart, x_fraction: float, *, step: int = 6) -> list[tuple[float, float, dict]]:
    """Hover down a chart at one x: every distinct tooltip met, in screen order, with where it was
    (none when the chart was being redrawn: callers that wait for cells poll with wait_until)."""
    chart.wait_for(state="visible", timeout=60_000)
    box = chart.bounding_box()
    if box is None:  # replaced by a redraw between the two calls
        return []
    x = box["x"] + box["width"] * x_fraction
    found: list[tuple[float, float, dict]] = []
    for dy in range(10, int(box["height"]) - 5, step):
        page.mouse.move(x, box["y"] + dy)
        page.wait_for_timeout(40)
        tip = vega_tooltip(page)
        if tip and (not found or found[-1][2] != tip):
            found.append((x, box["y"] + dy, tip))
    return found


def shot(page, name: str) -> None:
    """A screenshot of the page into ARTIFACTS/<name>.png."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


def wait_idle(page, timeout: float = 90) -> None:
    """Until a page has drawn its title, no script run is going on, and the page has stopped
    changing: three polls 300 ms apart with no running indicator and the same amount of HTML.

    Not "the running indicator is hidden" once: on two busy cores the run a click causes may not
    have started yet when that is first checked, and the test would read the page before it."""
    page.locator("h1").first.wait_for(timeout=timeout * 1000)
    deadline = time.monotonic() + timeout
    sizes: list[int] = []
    while time.monotonic() < deadline:
        page.wait_for_timeout(300)
        running = page.locator('[data-testid="stStatusWidget"]').count() > 0
        sizes = [] if running else [*sizes[-2:], page.evaluate("() => document.body.innerHTML.length")]
        if len(sizes) == 3 and len(set(sizes)) == 1:
            return
    pytest.fail(f"the page was still running or changing after {timeout:.0f} s")


def click_plotly_point(page, point: tuple[float, float]) -> None:
    """Click a plotly point as a user does: the pointer comes to rest on it (its tooltip shows),
    then clicks.

    Plotly reports a click on the point it last hovered. A click straight after a jump of the
    pointer can land before that hover is handled on two busy cores, and then selects nothing (it
    failed CI once)."""
    page.mouse.move(point[0] - 12, point[1] + 12)
    page.mouse.move(*point, steps=4)
    wait_until(page, lambda: page.locator(".hoverlayer .hovertext").count() > 0, "the point's tooltip")
    page.mouse.click(*point)


def wait_until(page, check: Callable[[], T], what: str, timeout: float = 60) -> T:
    """Poll `check()` until it returns something truthy (returned); fail after `timeout` seconds.

    For what a browser draws after the script run has ended (a chart redrawn, a URL rewritten): a
    fixed sleep is too short on two busy cores and needlessly long elsewhere."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"waited {timeout:.0f} s for {what}")
        page.wait_for_timeout(200)


def open_from_navigation(page, title: str) -> None:
    """Go to a page the way a user does: its link in the top bar, or its entry in one of the bar's
    menus (signals.app.main.NAV_SECTIONS) after opening that menu."""
    link = page.get_by_role("link", name=title, exact=True)
    if link.count() and link.first.is_visible():
        link.first.click()
        return
    from signals.app.main import NAV_SECTIONS  # streamlit is imported by the test process anyway

    for section in (label for label in NAV_SECTIONS if label):
        menu = page.get_by_text(section, exact=True)
        if not menu.count():
            continue
        menu.first.click()
        entry = page.get_by_role("menuitem", name=title, exact=True)
        try:
            entry.first.wait_for(state="visible", timeout=1500)
        except Exception:  # noqa: BLE001 - not in this menu: close it and try the next
            page.keyboard.press("Escape")
            continue
        entry.first.click()
        return
    raise AssertionError(f"no page titled {title!r} in the navigation")
