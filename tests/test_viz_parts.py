"""The parts of the `sim viz` page without a browser: levers, panels, band, network."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.figure import Figure

from sim.inputs.actors import actor_styles
from sim.inputs.scenario import load_scenario
from sim.model import AfghanistanModel
from sim.plots.style import actor_colours
from sim.viz import panels
from sim.viz.band import Band
from sim.viz.levers import lever_value, levers, model_params
from sim.viz.network import draw_holdings, holdings_graph

BASELINE = "scenarios/baseline.yaml"


@pytest.fixture(scope="module")
def scenario():
    return load_scenario(BASELINE)


@pytest.fixture(scope="module")
def stepped(scenario):
    model = AfghanistanModel(scenario, replicate=1, policy__purge__ttp=0.9)
    for _ in range(12):
        model.step()
    return model


def test_every_lever_is_a_key_of_the_scenario_and_a_model_override(scenario):
    keys = [lever.key for lever in levers(scenario)]
    assert {"policy.crackdown", "policy.joint_with_us", "economy.unfrozen"} <= set(keys)
    assert {f"policy.purge.{g}" for g in scenario.policy.purge} <= set(keys)
    params = model_params(scenario)
    assert params["spec"] is scenario
    for lever in levers(scenario):
        value = lever_value(scenario, lever.key)
        widget = params[lever.parameter]
        assert widget["type"] == ("Checkbox" if isinstance(value, bool) else "SliderFloat")
        assert widget["value"] == value
    moved = {lever.parameter: True for lever in levers(scenario) if lever.key.endswith("unfrozen")}
    moved["policy__purge__ttp"] = 0.65
    model = AfghanistanModel(scenario, **moved)
    assert model.spec.economy.unfrozen is True
    assert model.spec.policy.purge["ttp"] == 0.65


def test_lever_value_names_a_missing_key(scenario):
    with pytest.raises(KeyError, match=r"policy\.nothing"):
        lever_value(scenario, "policy.nothing")


def test_actor_colours_are_the_ensemble_plots(scenario):
    styles = actor_styles(scenario)
    colours = actor_colours(["taliban", *scenario.foreign_groups], styles)
    assert colours["taliban"] == styles["taliban"].colour == "black"
    assert colours["ttp"] == styles["ttp"].colour
    assert len(set(colours.values())) == len(colours)
    assert actor_colours(["new_group"]) == {"new_group": "tab:olive"}  # the palette's first


@pytest.mark.parametrize("draw", list(panels.PANELS.values()))
def test_panels_plot_the_months_recorded(stepped, draw):
    ax = Figure().subplots()
    draw(ax, stepped.recorder, stepped.spec.steps)
    assert ax.get_xlim() == (0, stepped.spec.steps)
    assert ax.lines or ax.patches


def test_strength_draws_the_run_over_its_band(scenario, stepped):
    band = Band(stepped.spec, 4)
    low, median, high = band.fighters("isisk")
    assert len(median) == scenario.steps + 1
    assert np.all(low <= median) and np.all(median <= high)
    ax = Figure().subplots()
    styles = actor_styles(scenario)
    panels.draw_strength(ax, stepped.recorder, scenario.steps, ("isisk",), band, styles)
    run = [line for line in ax.lines if line.get_label() == "ISIS-K"]
    assert len(run) == 1
    np.testing.assert_array_equal(run[0].get_ydata(), stepped.recorder.series("isisk", "fighters"))


def test_the_band_is_made_of_the_runs_the_page_shows(stepped):
    band = Band(stepped.spec, 1)
    run = AfghanistanModel(stepped.spec, replicate=0).run()
    for actor in ("taliban", "isisk", "ttp"):
        for quantile in band.fighters(actor):
            np.testing.assert_array_equal(quantile, run.series(actor, "fighters"))


def test_holdings_graph_shows_every_fighter_and_the_months_defections(stepped):
    graph = holdings_graph(stepped)
    kinds = dict(graph.nodes(data="kind"))
    fighters = dict(graph.nodes(data="fighters"))
    for faction in stepped.factions:
        units = [n for n in graph.successors(faction.name) if kinds[n] == "unit"]
        assert sum(fighters[u] for u in units) == faction.fighters
    cells = [n for n in graph.successors("isisk") if kinds[n] == "cell"]
    assert sum(fighters[c] for c in cells) == stepped.isisk.fighters
    for group in stepped.groups:
        holders = [a for a, _, k in graph.in_edges(group.name, data="kind") if k == "holds"]
        assert holders == ([group.patron] if group.patron != "independent" else [])
    moved = {a: f for a, _, f in graph.in_edges("isisk", data="fighters") if f is not None}
    recorded = {
        a: stepped.recorder.series(a, "defected_out")[-1]
        for a in [*stepped.world.faction_names, *stepped.world.group_names]
    }
    assert moved == {a: f for a, f in recorded.items() if f > 0}
    draw_holdings(Figure().subplots(), stepped)


def test_purge_levers_carry_the_scenarios_names_of_the_groups(scenario):
    labels = {lever.key: lever.label for lever in levers(scenario)}
    assert labels["policy.purge.ttp"] == "Purge of TTP"
    assert labels["policy.purge.etim_tip"] == "Purge of ETIM/TIP"
    assert labels["policy.purge.imu"] == "Purge of IMU"


def test_the_page_names_its_tab_and_shows_slider_values(scenario):
    """The tab's title is the scenario's; the style that keeps slider values shown is on the page.

    Whether the browser then shows the values is for the browser test (tests/test_viz.py).
    """
    solara = pytest.importorskip("solara")
    import ipyvuetify
    from solara.components.title import TitleWidget

    from sim.viz.app import SLIDER_VALUES, Head

    _, rendered = solara.render(Head(scenario), handle_error=False)
    assert rendered.find(TitleWidget).widget.title == "sim viz: baseline"
    found = rendered.find(ipyvuetify.VuetifyTemplate).widgets
    templates = [str(getattr(w.template, "template", w.template)) for w in found]
    assert any(".v-slider__thumb-label-container" in t and SLIDER_VALUES in t for t in templates)
    rendered.close()
