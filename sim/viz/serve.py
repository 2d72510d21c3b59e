"""Serve the page of one scenario on a loopback port with Solara's server."""

from __future__ import annotations

import os
from pathlib import Path

from sim.inputs.scenario import load_scenario

HOST = "127.0.0.1"
DEFAULT_PORT = 8765
DEFAULT_BAND = 100
SCENARIO_VARIABLE = "SIM_VIZ_SCENARIO"  # the scenario file the page shows
BAND_VARIABLE = "SIM_VIZ_BAND"  # replicates in its ensemble band
QUIET_SERVER = {
    "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False",  # no usage reports leave the machine
    "SOLARA_THEME_SHOW_BANNER": "False",
}


def serve(scenario: Path, port: int = DEFAULT_PORT, band: int = DEFAULT_BAND) -> None:
    """Run the page of `scenario` at http://127.0.0.1:PORT until interrupted.

    The scenario is loaded once here so that a bad file fails before the server starts;
    `band` replicates (0 for none) make the ensemble band behind the run.
    """
    load_scenario(scenario)
    os.environ[SCENARIO_VARIABLE] = str(Path(scenario).resolve())
    os.environ[BAND_VARIABLE] = str(band)
    os.environ.update(QUIET_SERVER)
    from solara.__main__ import cli  # after the settings above: Solara reads them on import

    arguments = ["run", "sim.viz.page", "--host", HOST, "--port", str(port)]
    arguments += ["--no-open", "--production", "--no-check-version"]
    cli.main(arguments, prog_name="sim viz", standalone_mode=False)
