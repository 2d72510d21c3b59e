"""End to end: `sim viz` serves its page, and headless Chromium moves levers and steps it.

The tab is titled with the scenario; each slider shows its value on its thumb; a moved
slider's value (a policy lever, and a purge labelled with the scenario's name of the
group) reaches the model.

Run alone with `pytest -m browser tests/test_viz.py`. Skipped where Debian's chromium,
Playwright or the viz extra is missing.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parents[1]
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOOPBACK = ("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:")
START_SECONDS = 90
STEPS = 3
RESET_TRIES = 4
STEP_SECONDS = 30  # generous: a loaded machine renders the eleven panels slowly

if not (os.access(CHROMIUM, os.X_OK) or shutil.which("chromium")):
    pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)", allow_module_level=True)
pytest.importorskip("solara", reason="the viz extra is not installed (pip install -e '.[viz]')")
sync_api = pytest.importorskip(
    "playwright.sync_api", reason="Playwright is not installed (pip install -e '.[viz-test]')"
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_serving(url: str, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"sim viz exited with {server.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.5)
    pytest.fail(f"sim viz did not answer at {url} within {START_SECONDS} s:\n{log.read_text()}")


@pytest.fixture
def page_url(tmp_path):
    port = _free_port()
    log = tmp_path / "server.log"
    command = [sys.executable, "-m", "sim.cli", "viz", "scenarios/baseline.yaml"]
    command += ["--port", str(port), "--band", "20"]
    with log.open("w") as out:
        server = subprocess.Popen(command, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
    try:
        url = f"http://127.0.0.1:{port}/"
        _wait_until_serving(url, server, log)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:  # a websocket still open holds uvicorn's shutdown
            server.kill()
            server.wait(timeout=10)


@pytest.fixture
def browser_page(tmp_path):
    with sync_api.sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "chromium-profile"),
            executable_path=CHROMIUM if os.access(CHROMIUM, os.X_OK) else shutil.which("chromium"),
            args=FLAGS,
            headless=True,
            viewport={"width": 1600, "height": 2600},
        )
        page = context.new_page()
        refused: list[str] = []

        def loopback_only(route):
            if route.request.url.startswith(LOOPBACK):
                route.continue_()
            else:
                refused.append(route.request.url)
                route.abort()

        page.route("**/*", loopback_only)
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        yield page
        context.close()
        assert not refused, f"the page asked for addresses off this machine: {refused}"
        assert not errors, f"script errors on the page: {errors}"


def _panel_images(page) -> list[str]:
    return page.locator("img").evaluate_all("images => images.map(i => i.src)")


def _move_until_the_model_has_it(page, label: str, start: float) -> float:
    """Click along the slider `label` until the page's model has the value; return it.

    The slider shows its value on its thumb before and after the move. A value reaches
    the server asynchronously: Reset (a new model from the levers) is pressed until the
    model's list of moved levers names the value, with a new value each try.
    """
    lever = page.locator(".v-input", has_text=label)
    slider = lever.locator("[role=slider]")
    shown = lever.locator(".v-slider__thumb-label")
    assert float(slider.get_attribute("aria-valuenow")) == pytest.approx(start)
    sync_api.expect(shown).to_be_visible()
    sync_api.expect(shown).to_have_text(f"{start:g}")
    track = lever.locator(".v-slider")
    levers = page.locator(".sim-levers")
    for attempt in range(RESET_TRIES):
        box = track.bounding_box()
        share = 0.8 if attempt % 2 == 0 else 0.6  # a new value each time, so the slider sends
        track.click(position={"x": share * box["width"], "y": box["height"] / 2})
        sync_api.expect(slider).to_have_attribute("aria-valuenow", f"{share:g}")
        sync_api.expect(shown).to_have_text(f"{share:g}")
        page.wait_for_timeout(1000)
        page.get_by_role("button", name="Reset").click()
        try:
            sync_api.expect(levers).to_contain_text(f"{label} = {share:g}", timeout=5_000)
            return share
        except AssertionError:
            continue
    pytest.fail(f"the model never got the value of {label} after {RESET_TRIES} tries")


def test_levers_and_steps_change_the_page(page_url, browser_page, tmp_path):
    page = browser_page
    page.goto(page_url)
    status = page.locator(".sim-month")
    sync_api.expect(status).to_have_text("baseline: month 0 of 60 (2021-10)", timeout=60_000)
    sync_api.expect(page.locator(".sim-levers")).to_have_text("levers moved: none")
    taliban = page.locator(".sim-figure", has_text="Taliban fighters")
    sync_api.expect(taliban).to_have_text("Taliban fighters: 75,000")
    for title in ("Who holds the fighters", "ISIS-K attacks per month", "Taliban revenue"):
        assert page.get_by_text(title).count() == 0  # titles are drawn in the images
    assert len(_panel_images(page)) >= 10

    assert page.title() == "sim viz: baseline"
    crackdown = _move_until_the_model_has_it(page, "Crackdown intensity", 0.3)
    levers = page.locator(".sim-levers")
    sync_api.expect(levers).to_have_text(f"levers moved: Crackdown intensity = {crackdown:g}")
    purge = _move_until_the_model_has_it(page, "Purge of TTP", 0.0)  # the scenario's name of ttp
    sync_api.expect(levers).to_have_text(
        f"levers moved: Crackdown intensity = {crackdown:g}, Purge of TTP = {purge:g}"
    )

    images = _panel_images(page)
    step = page.get_by_role("button", name="Step")
    for month in range(1, STEPS + 1):
        step.click()
        sync_api.expect(status).to_contain_text(f"month {month} of 60", timeout=STEP_SECONDS * 1000)
    sync_api.expect(status).to_contain_text(f"month {STEPS} of 60 (2022-01)")
    sync_api.expect(page.get_by_text(f"Time: {STEPS}.0")).to_be_visible()
    sync_api.expect(taliban).not_to_have_text("Taliban fighters: 75,000")
    attacks = page.locator(".sim-figure", has_text="attacks so far")
    sync_api.expect(attacks).not_to_have_text("ISIS-K attacks so far: 0")
    assert _panel_images(page) != images
    page.screenshot(path=tmp_path / "sim-viz.png", full_page=True)
