"""Who holds which fighters: a graph of the run's armed actors and their units or cells.

Nodes are the Taliban leadership, its factions with their units, ISIS-K with its cells,
and the foreign groups under their patron; edges are "holds" links and the month's
defections (fighters each faction or group handed to ISIS-K, from the record).
"""

from __future__ import annotations

import networkx as nx
import numpy as np
from matplotlib.axes import Axes

from sim.inputs.actors import actor_styles
from sim.plots.style import actor_colours, actor_name

HUB_RADIUS = 3.0
ISISK_AT = (6.5, 0.0)
GROUPS_X = 3.6
GROUPS_HEIGHT = 3.0
LABEL_LIFT = 0.3
GOLDEN_ANGLE = np.pi * (3 - np.sqrt(5))
NODE_AREA = {"leadership": 500, "faction": 300, "isisk": 400, "group": 150, "unit": 4, "cell": 6}


def holdings_graph(model) -> nx.DiGraph:
    """This month's holdings of `model` (an `AfghanistanModel`) as a directed graph.

    Each node has `kind`, `fighters`, `colour` and `label`; each edge a `kind` ("holds"
    or "defection") and, for defections, the `fighters` moved this month.
    """
    world, recorder = model.world, model.recorder
    styles = actor_styles(model.spec)
    graph = nx.DiGraph()
    factions = actor_colours(["taliban", *world.faction_names], styles)
    graph.add_node(
        "taliban",
        kind="leadership",
        fighters=_last(recorder, "taliban"),
        colour=factions["taliban"],
        label="Taliban",
    )
    units = world.units
    for faction in model.factions:
        colour = factions[faction.name]
        graph.add_node(
            faction.name,
            kind="faction",
            fighters=faction.fighters,
            colour=colour,
            label=actor_name(faction.name, styles),
        )
        graph.add_edge("taliban", faction.name, kind="holds")
        mine = np.flatnonzero(units.faction[0, : units.n[0]] == faction.index)
        for u in mine:
            node = f"unit {u}"
            graph.add_node(
                node, kind="unit", fighters=int(units.fighters[0, u]), colour=colour, label=""
            )
            graph.add_edge(faction.name, node, kind="holds")
    isisk_colour = actor_colours(["isisk"], styles)["isisk"]
    graph.add_node(
        "isisk", kind="isisk", fighters=model.isisk.fighters, colour=isisk_colour, label="ISIS-K"
    )
    cells = world.cells
    for c in range(int(cells.n[0])):
        graph.add_node(
            f"cell {c}",
            kind="cell",
            fighters=int(cells.fighters[0, c]),
            colour=isisk_colour,
            label="",
        )
        graph.add_edge("isisk", f"cell {c}", kind="holds")
    groups = actor_colours(world.group_names, styles)
    for group in model.groups:
        graph.add_node(
            group.name,
            kind="group",
            fighters=group.fighters,
            colour=groups[group.name],
            label=actor_name(group.name, styles),
        )
        if group.patron in ("taliban", "isisk"):
            graph.add_edge(group.patron, group.name, kind="holds")
    for actor in [*world.faction_names, *world.group_names]:
        moved = _last(recorder, actor, "defected_out")
        if moved > 0:
            graph.add_edge(actor, "isisk", kind="defection", fighters=moved)
    return graph


def _last(recorder, actor: str, column: str = "fighters") -> float:
    """This month's value of one recorded column of one actor."""
    value = recorder.series(actor, column)[-1]
    return 0.0 if np.isnan(value) else float(value)


def holdings_layout(graph: nx.DiGraph) -> dict[str, tuple[float, float]]:
    """Fixed positions: factions round the leadership, units and cells round their holder.

    Foreign groups stand in a column between the Taliban and ISIS-K, so a group that
    changes patron keeps its place and only its link moves.
    """
    kinds = nx.get_node_attributes(graph, "kind")
    factions = [n for n, k in kinds.items() if k == "faction"]
    groups = [n for n, k in kinds.items() if k == "group"]
    place: dict[str, tuple[float, float]] = {"taliban": (0.0, 0.0), "isisk": ISISK_AT}
    angles = np.linspace(np.radians(100), np.radians(260), len(factions))
    for faction, angle in zip(factions, angles, strict=True):
        place[faction] = (HUB_RADIUS * np.cos(angle), HUB_RADIUS * np.sin(angle))
    heights = np.linspace(GROUPS_HEIGHT, -GROUPS_HEIGHT, len(groups)) if len(groups) > 1 else [0.0]
    for group, y in zip(groups, heights, strict=False):
        place[group] = (GROUPS_X, float(y))
    for holder in [*factions, "isisk"]:
        held = [n for n in graph.successors(holder) if kinds[n] in ("unit", "cell")]
        place |= _disc(place[holder], held, 0.3 + 0.045 * np.sqrt(len(held)))
    return place


def _disc(centre: tuple[float, float], nodes: list[str], radius: float) -> dict:
    """Spread nodes evenly over a disc round `centre` (a sunflower spiral)."""
    count = max(len(nodes), 1)
    k = np.arange(len(nodes))
    r = radius * np.sqrt((k + 0.5) / count)
    x, y = centre[0] + r * np.cos(k * GOLDEN_ANGLE), centre[1] + r * np.sin(k * GOLDEN_ANGLE)
    return {n: (float(a), float(b)) for n, a, b in zip(nodes, x, y, strict=True)}


def draw_holdings(ax: Axes, model) -> None:
    """Draw `holdings_graph(model)`: node area by kind and size, defections as red arrows."""
    graph = holdings_graph(model)
    _draw(ax, graph, holdings_layout(graph))


def _draw(ax: Axes, graph: nx.DiGraph, place: dict) -> None:
    nodes = graph.nodes(data=True)
    holds = [(a, b) for a, b, k in graph.edges(data="kind") if k == "holds"]
    moves = [
        (a, b, f)
        for a, b, d in graph.edges(data=True)
        if d["kind"] == "defection"
        for f in [d["fighters"]]
    ]
    nx.draw_networkx_edges(
        graph, place, edgelist=holds, ax=ax, edge_color="0.8", width=0.4, arrows=False
    )
    sizes = [NODE_AREA[d["kind"]] * _scale(d) for _, d in nodes]
    nx.draw_networkx_nodes(
        graph,
        place,
        ax=ax,
        node_size=sizes,
        node_color=[d["colour"] for _, d in nodes],
        linewidths=0,
    )
    labels = {n: d["label"] for n, d in nodes if d["label"]}
    lifted = {n: (place[n][0], place[n][1] + LABEL_LIFT) for n in labels}
    nx.draw_networkx_labels(
        graph,
        lifted,
        labels,
        ax=ax,
        font_size=7,
        verticalalignment="bottom",
        bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.7, "pad": 1},
    )
    if moves:
        nx.draw_networkx_edges(
            graph,
            place,
            edgelist=[(a, b) for a, b, _ in moves],
            ax=ax,
            edge_color="tab:red",
            width=[1 + np.log1p(f) for *_, f in moves],
            arrows=True,
            arrowsize=12,
            connectionstyle="arc3,rad=0.2",
        )
        nx.draw_networkx_edge_labels(
            graph,
            place,
            {(a, b): f"{f:,.0f}" for a, b, f in moves},
            ax=ax,
            font_size=7,
            font_color="tab:red",
        )
    ax.set_axis_off()


def _scale(node: dict) -> float:
    """Area factor of a node: units and cells by their fighters, others by sqrt of theirs."""
    if node["kind"] in ("unit", "cell"):
        return max(node["fighters"], 1) / 20
    return 0.3 + np.sqrt(max(node["fighters"], 0)) / 100
