"""The SolaraViz page of one run: levers and seed in the sidebar, the run's panels beside.

`Page` is what `solara run sim.viz.page` serves; `sim viz` sets the scenario and the
band size through the environment first (`sim.viz.serve`).
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from typing import Any

import matplotlib
import solara
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from mesa.visualization import SolaraViz

from sim.inputs.actors import actor_styles
from sim.inputs.scenario import load_scenario
from sim.inputs.schema import Scenario
from sim.model import AfghanistanModel
from sim.plots.fan import STRENGTH_PANELS
from sim.plots.style import PANEL_TITLE
from sim.viz import panels
from sim.viz.band import Band
from sim.viz.levers import lever_value, levers, model_params
from sim.viz.network import draw_holdings
from sim.viz.serve import BAND_VARIABLE, DEFAULT_BAND, SCENARIO_VARIABLE


class LeverRun(AfghanistanModel):
    """The model as SolaraViz rebuilds it on reset: the scenario as `spec`, levers as keywords.

    SolaraViz passes a Mesa experiment `scenario` on reset; this model's scenario is a
    `sim` scenario, so that argument is accepted and not used.
    """

    def __init__(
        self, spec: Scenario, replicate: int = 0, scenario: object = None, **levers: Any
    ) -> None:
        """Build replicate `replicate` of `spec` with the levers' values as overrides."""
        super().__init__(spec, replicate=replicate, **levers)
        self.unmoved = spec

    def moved_levers(self) -> dict[str, Any]:
        """Label and value of each lever set away from the scenario file's value."""
        return {
            lever.label: now
            for lever in levers(self.unmoved)
            if (now := lever_value(self.spec, lever.key)) != lever_value(self.unmoved, lever.key)
        }


PAGE_STYLE = {"font.size": 8, "legend.fontsize": 7}
FIGURE_SIZE = (6.2, 3.2)  # inches at 90 dpi: one cell of SolaraViz's grid


def _show(title: str, draw: Callable[[Axes], None]) -> None:
    """Draw one panel into a fresh figure (no pyplot: nothing is left open) and show it."""
    with matplotlib.rc_context(PAGE_STYLE):
        fig = Figure(figsize=FIGURE_SIZE, layout="constrained")
        ax = fig.subplots()
        ax.set_title(title, **PANEL_TITLE)
        draw(ax)
    solara.FigureMatplotlib(fig, format="png", dpi=90)


def _shown(value: Any) -> str:
    """A lever's value as the page prints it: yes/no, or a number without float noise."""
    return ("yes" if value else "no") if isinstance(value, bool) else f"{value:g}"


def status(model: LeverRun) -> None:
    """The month reached, its date, the levers moved, and what the run has come to so far."""
    recorder, spec = model.recorder, model.spec
    year, month = divmod(int(spec.start[:4]) * 12 + int(spec.start[5:]) - 1 + model.month, 12)
    attacks = int(recorder.series("isisk", "attacks")[1:].sum())
    defections = int(recorder.series("isisk", "defected_in")[1:].sum())
    rows = {
        "Taliban fighters": f"{recorder.series('taliban', 'fighters')[-1]:,.0f}",
        "ISIS-K fighters": f"{recorder.series('isisk', 'fighters')[-1]:,.0f}",
        "ISIS-K attacks so far": f"{attacks:,}",
        "defections to ISIS-K so far": f"{defections:,}",
    }
    with solara.Column():
        solara.Text(
            f"{spec.name}: month {model.month} of {spec.steps} ({year}-{month + 1:02d})",
            style={"font-size": "1.3em"},
            classes=["sim-month"],
        )
        solara.Text(f"replicate {model.replicate} of scenario seed {spec.seed}")
        moved = ", ".join(f"{k} = {_shown(v)}" for k, v in model.moved_levers().items())
        solara.Text(f"levers moved: {moved or 'none'}", classes=["sim-levers"])
        for label, value in rows.items():
            solara.Text(f"{label}: {value}", classes=["sim-figure"])


def band_size() -> int:
    """Replicates in the ensemble band (0: no band), from the environment."""
    return int(os.environ.get(BAND_VARIABLE, DEFAULT_BAND))


@functools.lru_cache(maxsize=8)
def ensemble_band(scenario_json: str, size: int) -> Band:
    """The band of a scenario (as JSON, to be hashable), kept for the last few settings."""
    return Band(Scenario.model_validate_json(scenario_json), size)


def _strength(title: str, types: tuple[str, ...]):
    """A panel of the strength fan: this run over the band of the same scenario and levers."""

    def strength(model: LeverRun) -> None:
        size = band_size()
        band = ensemble_band(model.spec.model_dump_json(), size) if size else None
        heading = f"{title} (dashed, shaded: median, 90% of {size} runs)" if size else title
        _show(
            heading,
            lambda ax: panels.draw_strength(
                ax, model.recorder, model.spec.steps, types, band, actor_styles(model.spec)
            ),
        )

    return strength


def _panel(title: str, draw: panels.Draw):
    """A panel drawn from the run's record."""

    def show(model: LeverRun) -> None:
        _show(
            title, lambda ax: draw(ax, model.recorder, model.spec.steps, actor_styles(model.spec))
        )

    return show


def _cohesion(model: LeverRun) -> None:
    _show(
        "Cohesion per Taliban faction (x: the month it left)",
        lambda ax: panels.draw_cohesion(
            ax, model.recorder, model.spec.steps, actor_styles(model.spec)
        ),
    )


def _network(model: LeverRun) -> None:
    _show(f"Who holds the fighters, month {model.month}", lambda ax: draw_holdings(ax, model))


COMPONENTS = [
    status,
    _network,
    *(_strength(title, types) for title, types in STRENGTH_PANELS),
    _cohesion,
    *(_panel(title, draw) for title, draw in panels.PANELS.items()),
]


SLIDER_VALUES = """
.v-slider__thumb-label-container { display: block !important; }
.v-input__slider { padding-top: 18px; }
"""  # each slider's value on its thumb at all times, not only while it is dragged


def page_title(spec: Scenario) -> str:
    """The browser tab's title: the package and the scenario."""
    return f"sim viz: {spec.name}"


@solara.component
def Head(spec: Scenario) -> None:
    """The tab's title, and the style that shows every slider's value on its thumb.

    Mesa's sliders show a value only while dragged; the style keeps it shown.
    """
    solara.Title(page_title(spec))
    solara.Style(SLIDER_VALUES)


@solara.component
def Page() -> None:
    """The page of the scenario named by `SCENARIO_VARIABLE`."""
    spec = solara.use_memo(lambda: load_scenario(os.environ[SCENARIO_VARIABLE]), [])
    model = solara.use_memo(lambda: solara.reactive(LeverRun(spec)), [])
    Head(spec)
    SolaraViz(
        model,
        components=[(c, 0) for c in COMPONENTS],
        model_params=model_params(spec),
        name=f"sim: {spec.name}",
    )
