"""`sim report`: one self-contained page for each kind of results folder, escaped, offline.

Small real folders of every kind (an ensemble with posterior draws, a comparison, a
sweep with its scenario discovery, a Sobol' sweep with its indices, a calibration) are
made once; each report is read back as HTML, and one is opened in headless Chromium
(the `browser` marker) with every request routed, so none can leave the machine.
"""

from __future__ import annotations

import json
import os
import shutil
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import ROOT, SCENARIO_DIR
from small_files import calibration_file, sobol_file

from sim.cli import main

HOSTILE = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
SMALL = ["-n", "3", "--steps", "4", "--quiet", "--workers", "1"]


class Page(HTMLParser):
    """What a report holds: its tags, section titles, images and every src/href."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.titles: list[str] = []
        self.images: list[str] = []
        self.links: list[str] = []
        self._in_title = False
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self._in_title = tag == "h2"
        for name, value in attrs:
            if name in ("src", "href"):
                self.links.append(value or "")
            if tag == "img" and name == "src":
                self.images.append(value or "")

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.titles.append(data)
            self._in_title = False


def report(folder: Path, capsys) -> tuple[str, Page]:
    """`sim report FOLDER`: the page it wrote into the folder, as text and parsed."""
    assert main(["report", str(folder)]) == 0
    assert capsys.readouterr().out.strip() == f"wrote {folder / 'report.html'}"
    html = (folder / "report.html").read_text()
    return html, Page(html)


def pngs(*folders: Path) -> int:
    return sum(len(list(folder.glob("*.png"))) for folder in folders)


@pytest.fixture(scope="module")
def ensemble(tmp_path_factory) -> Path:
    """An ensemble with posterior draws, of a scenario whose description is hostile."""
    tmp = tmp_path_factory.mktemp("ensemble")
    scenario = tmp / "hostile.yaml"
    extends = str(SCENARIO_DIR / "calibrated.yaml")
    scenario.write_text(yaml.safe_dump({"extends": extends, "description": HOSTILE}))
    out = tmp / "out"
    posterior = str(SCENARIO_DIR / "calibrated_posterior.csv")
    assert main(["run", str(scenario), *SMALL, "--out", str(out), "--posterior", posterior]) == 0
    manifest = json.loads((out / "manifest.json").read_text())
    manifest["scenario_name"] = HOSTILE  # a name edited by hand in the file
    (out / "manifest.json").write_text(json.dumps(manifest))
    return out


@pytest.fixture(scope="module")
def sweep(tmp_path_factory) -> Path:
    """experiments/sweep_example.yaml made small, with a scenario discovery of its results."""
    tmp = tmp_path_factory.mktemp("sweep")
    spec = yaml.safe_load((ROOT / "experiments" / "sweep_example.yaml").read_text())
    spec |= {"scenario": str(SCENARIO_DIR / "baseline.yaml"), "steps": 6, "replicates": 2}
    (tmp / "sweep.yaml").write_text(yaml.safe_dump(spec))
    out = tmp / "out"
    assert main(["experiment", str(tmp / "sweep.yaml"), "--out", str(out), "-q", "-w", "1"]) == 0
    middle = float(np.median(pd.read_parquet(out / "runs.parquet")["attacks_total"]))
    assert main(["discover", str(out), "--outcome", f"attacks_total > {middle}"]) == 0
    return out


def test_an_ensemble_report_escapes_text_from_files_and_loads_nothing(ensemble, capsys):
    html, page = report(ensemble, capsys)
    assert ESCAPED in html and HOSTILE not in html
    assert "script" not in page.tags and "link" not in page.tags
    assert all(link.startswith(("data:", "#")) for link in page.links), page.links
    assert "http://" not in html and "https://" not in html
    assert page.titles == ["Outcomes", "Posterior used", "Scenario", "Manifest and provenance"]
    assert len(page.images) == pngs(ensemble / "plots") > 0
    assert all(src.startswith("data:image/png;base64,") for src in page.images)
    runs = pd.read_parquet(ensemble / "runs.parquet")
    median = float(np.median(runs["isisk_final"]))
    assert f"<td>{median:.4g} [" in html  # the outcome's median over the replicates
    assert "calibrated_posterior.csv" in html and "rules.attacks.base_rate" in html


def test_a_comparison_report_has_each_scenario_and_the_differences(tmp_path, capsys):
    files = [str(SCENARIO_DIR / f"{name}.yaml") for name in ("baseline", "crackdown")]
    assert main(["compare", *files, *SMALL, "--out", str(tmp_path)]) == 0
    capsys.readouterr()
    html, page = report(tmp_path, capsys)
    assert page.titles == ["Outcomes by scenario", "Differences", "Scenarios and provenance"]
    assert len(page.images) == pngs(tmp_path / "plots") > 0
    assert "<th>baseline</th><th>crackdown</th>" in html
    differences = pd.read_csv(tmp_path / "differences.csv")
    assert html.count("<tr><td>crackdown</td><td>baseline</td>") == len(differences)
    assert html.count("<details>") == 2  # each scenario's text and provenance


def test_a_sweep_report_has_its_design_outcomes_and_discovery(sweep, capsys):
    html, page = report(sweep, capsys)
    titles = ["Design", "Outcomes", "Scenario discovery", "Scenario", "Manifest and provenance"]
    assert page.titles == titles
    assert len(page.images) == pngs(sweep / "discovery") == 3
    summary = json.loads((sweep / "discovery" / "summary.json").read_text())
    assert f"<td>{summary['condition']}</td>" in html.replace("&gt;", ">")
    assert "policy.crackdown" in html and "rules.attacks.base_rate" in html


def test_a_sensitivity_report_has_the_indices_and_their_figure(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["experiment", str(sobol_file(tmp_path, steps=4)), "--out", str(out), "-q"]) == 0
    assert main(["sensitivity", str(out), "--resamples", "20"]) == 0
    capsys.readouterr()
    html, page = report(out, capsys)
    assert "Sensitivity" in page.titles
    assert len(page.images) == pngs(out / "sensitivity") > 0
    indices = pd.read_csv(out / "sensitivity" / "indices.csv")
    assert html.count("<td>rules.crackdown.leak</td>") >= len(indices) // 2


def test_a_calibration_report_has_the_posterior_and_the_calibrated_scenario(tmp_path, capsys):
    path = calibration_file(tmp_path, out=str(tmp_path / "out"))
    assert main(["calibrate", str(path), "--quiet"]) == 0
    capsys.readouterr()
    out = tmp_path / "out"
    html, page = report(out, capsys)
    assert page.titles == ["Posterior", "Calibrated scenario", "Manifest and provenance"]
    assert len(page.images) == pngs(out / "plots") > 0
    assert "<td>rules.attacks.base_rate</td>" in html and "ABC-SMC (pyabc)" in html


def test_the_report_goes_to_out_and_never_through_a_link_in_the_folder(ensemble, tmp_path, capsys):
    target = tmp_path / "elsewhere.html"
    target.write_text("mine")
    folder = tmp_path / "results"
    shutil.copytree(ensemble, folder)
    (folder / "report.html").unlink(missing_ok=True)
    (folder / "report.html").symlink_to(target)
    assert main(["report", str(folder)]) == 2
    assert "symbolic link" in capsys.readouterr().err
    assert target.read_text() == "mine" and (folder / "report.html").is_symlink()
    given = tmp_path / "shared" / "page.html"
    assert main(["report", str(folder), "--out", str(given)]) == 0
    assert ESCAPED in given.read_text()
    assert main(["report", str(tmp_path / "shared")]) == 2
    assert "holds no results" in capsys.readouterr().err


@pytest.mark.browser
def test_chromium_opens_the_report_shows_its_figures_and_fetches_nothing(ensemble, capsys):
    sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")
    if not os.access("/usr/bin/chromium", os.X_OK):
        pytest.skip("no Chromium at /usr/bin/chromium (apt-get install chromium)")
    _, page = report(ensemble, capsys)
    requested: list[str] = []
    dialogs: list[str] = []

    def only_local(route) -> None:
        requested.append(route.request.url)
        if route.request.url.startswith(("file:", "data:")):
            route.continue_()
        else:
            route.abort()

    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            tab = browser.new_page()
            tab.route("**/*", only_local)
            tab.on("request", lambda request: requested.append(request.url))
            tab.on("dialog", lambda dialog: dialogs.append(dialog.message) or dialog.dismiss())
            tab.goto((ensemble / "report.html").as_uri(), wait_until="load")
            widths = tab.evaluate("[...document.images].map(image => image.naturalWidth)")
            title = tab.title()
        finally:
            browser.close()
    assert [url for url in requested if not url.startswith(("file:", "data:"))] == []
    assert len(widths) == len(page.images) > 0 and all(w > 0 for w in widths), widths
    assert dialogs == [] and title == f"Results: {HOSTILE}"
