"""Figures drawn by helper processes: the same files, errors raised in the parent, no orphans."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from sim.inputs.scenario import load_with_origin
from sim.plots import FIGURES
from sim.plots.background import Plotter
from sim.plots.files import write_plots
from sim.runs.ensemble import run_ensemble

BASELINE = Path(__file__).resolve().parents[1] / "scenarios" / "baseline.yaml"


@pytest.fixture(scope="module")
def small_results(tmp_path_factory):
    """A 3-replicate, 6-month baseline ensemble on disk, without figures."""
    out = tmp_path_factory.mktemp("small") / "results"
    scenario, digest = load_with_origin(BASELINE, {"replicates": 3, "steps": 6})
    run_ensemble(scenario, out, scenario_sha256=digest, workers=1, progress=False)
    return out


def test_helper_processes_draw_the_same_figures_as_the_parent(small_results, tmp_path):
    """The Plotter writes each figure once, in `FIGURES` order, with the bytes drawn here."""
    with Plotter() as plotter:
        drawn = plotter.draw(small_results, 6, "2021-10", None)
    assert [p.name for p in drawn] == [f"{n}.{f}" for n in FIGURES for f in ("png", "svg")]
    copy = tmp_path / "copy"
    shutil.copytree(small_results, copy)
    here = write_plots(copy, 6, "2021-10")
    pngs = [(p, q) for p, q in zip(drawn, here, strict=True) if p.suffix == ".png"]
    assert all(p.read_bytes() == q.read_bytes() for p, q in pngs)
    assert not list((small_results / "plots").glob(".*.tmp"))


def test_an_error_in_a_helper_is_raised_in_the_parent(tmp_path):
    """A folder without results: the helper's FileNotFoundError reaches the caller."""
    with Plotter() as plotter, pytest.raises(FileNotFoundError):
        plotter.draw(tmp_path / "nothing-here", 6, "2021-10", None)


def test_helpers_that_draw_nothing_end_at_once(tmp_path):
    """An ensemble that fails leaves no helper waiting, and waits for no import."""
    plotter = Plotter()
    with pytest.raises(ValueError), plotter:
        raise ValueError("the ensemble failed")
    assert not any(helper.is_alive() for helper, _ in plotter._helpers)
