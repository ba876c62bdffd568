"""End to end in a real browser: `aisim dashboard` serves the page, Debian's chromium (driven by
Playwright through executable_path: Playwright's own browsers cannot be downloaded here)
loads it, a slider is moved, the model stepped, and the plots change. Every request stays on
127.0.0.1. The screenshot is saved to tests/artifacts/dashboard.png."""

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest

sync_api = pytest.importorskip("playwright.sync_api")

pytestmark = pytest.mark.slow
ARTIFACTS = Path(__file__).parent / "artifacts"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update"]
LOCAL = {"127.0.0.1", "localhost"}


def chromium() -> str:
    path = shutil.which("chromium")
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("Debian's chromium is missing: .ci/run installs it (apt-get)")
        pytest.skip("Debian's chromium is not installed (apt-get install -y chromium)")
    return path


@pytest.fixture
def server(tmp_path):
    """`aisim dashboard` on a free port of 127.0.0.1; stopped after the test."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = (tmp_path / "server.log").open("w")
    proc = subprocess.Popen([sys.executable, "-m", "sim", "dashboard", "--port", str(port),
                             "--no-open"], stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 120
        while True:
            assert proc.poll() is None, (tmp_path / "server.log").read_text()
            try:
                with urllib.request.urlopen(url, timeout=2) as response:
                    assert response.status == 200
                break
            except OSError:
                assert time.monotonic() < deadline, "the dashboard did not start in 120 s"
                time.sleep(0.5)
        yield url, tmp_path / "server.log"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def step_to(page, n: int) -> None:
    page.get_by_role("button", name="Step").click()
    page.get_by_text(f"Step: {n}", exact=True).wait_for()


def pictures(page) -> list[str]:
    """SHA-256 of each plot's PNG as the browser holds it, once the images stop changing
    (the step counter and the images arrive in separate updates)."""
    srcs, deadline = None, time.monotonic() + 30
    while time.monotonic() < deadline:
        page.wait_for_timeout(300)
        now = page.eval_on_selector_all(".vue-grid-item img", "els => els.map(img => img.src)")
        if now == srcs:
            break
        srcs = now
    return page.evaluate("""srcs => Promise.all(srcs.map(async src => {
        const digest = await crypto.subtle.digest("SHA-256", await (await fetch(src)).arrayBuffer());
        return Array.from(new Uint8Array(digest), b => b.toString(16).padStart(2, "0")).join("");
    }))""", srcs)


def status(page) -> str:
    return page.get_by_text(re.compile(r"frontier leader|before the first month")).inner_text()


def test_dashboard_in_a_real_browser(server):
    ARTIFACTS.mkdir(exist_ok=True)
    requests, errors = [], []
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium(), args=FLAGS)
        try:
            page = browser.new_page(viewport={"width": 1500, "height": 1560})
            page.on("request", lambda r: requests.append(r.url))
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.goto(server[0])
            page.get_by_role("button", name="Step").wait_for(timeout=60_000)
            page.locator(".vue-grid-item img").nth(4).wait_for(timeout=30_000)
            assert page.locator(".vue-grid-item img").count() == 5
            empty = pictures(page)

            step_to(page, 1), step_to(page, 2), step_to(page, 3)
            default = pictures(page)
            default_status = status(page)
            assert "2024-03" in default_status
            assert all(a != b for a, b in zip(default, empty)), "stepping draws the plots"

            # Move the Customers slider from 10,000 by five steps of 1,000, with the keyboard.
            field = page.locator(".v-input", has_text="Customers")
            thumb = field.get_by_role("slider")
            thumb.focus()
            for _ in range(5):
                thumb.press("ArrowRight")
            assert thumb.get_attribute("aria-valuenow") == "15000"
            page.get_by_role("button", name="Reset").click()
            page.get_by_text("Step: 0", exact=True).wait_for()
            step_to(page, 1), step_to(page, 2), step_to(page, 3)
            changed = pictures(page)
            # Another population of customers chooses otherwise: shares and HHI move.
            assert changed[1] != default[1] and changed[3] != default[3]
            assert status(page) != default_status

            # Run a few years for the screenshot, then pause.
            page.get_by_role("button", name="▶").click()
            page.wait_for_function(
                "() => +(document.body.innerText.match(/Step: (\\d+)/) || [0, 0])[1] >= 48",
                timeout=120_000)
            page.get_by_role("button", name="❚❚").click()
            page.get_by_role("button", name="▶").wait_for()
            page.wait_for_timeout(1000)  # the last month's plots, and no button ripple
            assert page.locator(".v-alert.error").count() == 0, "an error box is shown"
            assert not page.get_by_text("Loading app").is_visible()
            page.screenshot(path=str(ARTIFACTS / "dashboard.png"), full_page=True)
        finally:
            browser.close()
    assert not errors, errors
    # Offline: the page, its scripts, styles and fonts all came from the local server.
    hosts = {urlsplit(u.removeprefix("blob:")).hostname for u in requests
             if not u.startswith("data:")}
    assert hosts <= LOCAL, hosts
    # ... and the server asked nothing of the internet (solara fetches assets it lacks).
    assert "Could not load URL" not in server[1].read_text()
