"""Folders inside a results folder are never written through a symbolic link."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import pandas as pd
import pytest
from matplotlib.figure import Figure

from sim.analysis import sensitivity
from sim.cli import main
from sim.plots.saving import save_figure
from sim.runs.output import OutputError, own_folder

BASELINE = Path(__file__).resolve().parents[1] / "scenarios" / "baseline.yaml"


@pytest.fixture
def elsewhere(tmp_path):
    """A folder outside the results folder, which must stay empty."""
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    return folder


def test_a_folder_is_made_when_missing(tmp_path):
    assert own_folder(tmp_path / "out" / "plots").is_dir()


def test_a_link_or_a_file_in_place_of_a_folder_is_refused(tmp_path, elsewhere):
    (tmp_path / "plots").symlink_to(elsewhere, target_is_directory=True)
    (tmp_path / "sensitivity").write_text("")
    with pytest.raises(OutputError, match="symbolic link"):
        own_folder(tmp_path / "plots")
    with pytest.raises(OutputError, match="not a folder"):
        own_folder(tmp_path / "sensitivity")


def test_figures_are_not_written_through_a_link(tmp_path, elsewhere):
    (tmp_path / "plots").symlink_to(elsewhere, target_is_directory=True)
    with pytest.raises(OutputError):
        save_figure(Figure(), tmp_path / "plots" / "strength")
    assert not any(elsewhere.iterdir())


def test_sensitivity_tables_are_not_written_through_a_link(tmp_path, elsewhere):
    (tmp_path / "sensitivity").symlink_to(elsewhere, target_is_directory=True)
    result = sensitivity.Sensitivity(pd.DataFrame({"a": [1.0]}), pd.DataFrame({"a": [1.0]}))
    with pytest.raises(OutputError):
        sensitivity.write_tables(tmp_path / "sensitivity", result)
    assert not any(elsewhere.iterdir())


def test_sim_run_refuses_a_plots_link_with_an_error_line(tmp_path, elsewhere, capsys):
    out = tmp_path / "out"
    out.mkdir()
    (out / "plots").symlink_to(elsewhere, target_is_directory=True)
    code = main(["run", str(BASELINE), "-n", "2", "--steps", "2", "-q", "--out", str(out)])
    err = capsys.readouterr().err
    assert code != 0 and "symbolic link" in err and "Traceback" not in err
    assert not any(elsewhere.iterdir())
