"""Find texts of a drawn figure that overlap or leave their frame, from the renderer's extents.

`layout_problems` draws the figure with the Agg renderer and compares the window extents
of every visible text (titles, axis labels, drawn tick labels, annotations, legend
entries) with each other and with the figure's box; a text placed in a panel (a label
on the data) must also stay inside that panel, and a legend must hide no text or bar.
Extents are upright boxes, so a rotated label is checked by the box around it.
"""

from __future__ import annotations

from itertools import combinations

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.patches import Rectangle
from matplotlib.text import Text
from matplotlib.transforms import Bbox

SLACK = 1.0  # pixels two extents may share before they count as overlapping


def layout_problems(fig: Figure) -> list[str]:
    """Texts that overlap another, or reach outside the figure; legends over texts or bars."""
    canvas = FigureCanvasAgg(fig) if not isinstance(fig.canvas, FigureCanvasAgg) else fig.canvas
    canvas.draw()
    renderer = canvas.get_renderer()
    texts = [(t, t.get_window_extent(renderer)) for t in _drawn_texts(fig)]
    frame = fig.bbox
    problems = [
        f"{_name(t)} reaches outside the figure ({_box(box)} not within {_box(frame)})"
        for t, box in texts
        if not _within(box, frame)
    ]
    for ax in fig.axes:
        problems += [
            f"{_name(t)} runs out of its panel"
            for t in ax.texts
            if t.get_visible() and not _within(t.get_window_extent(renderer), ax.bbox)
        ]
    for (a, box_a), (b, box_b) in combinations(texts, 2):
        if _overlap(box_a, box_b) and not _same_legend(a, b):
            problems.append(f"{_name(a)} overlaps {_name(b)}")
    for legend in _legends(fig):
        box = legend.get_window_extent(renderer)
        if not _within(box, frame):
            problems.append(f"legend {_entries(legend)} reaches outside the figure")
        own = set(legend.get_texts()) | {legend.get_title()}
        problems += [
            f"legend {_entries(legend)} hides {_name(t)}"
            for t, text_box in texts
            if t not in own and _overlap(box, text_box)
        ]
        problems += [
            f"legend {_entries(legend)} hides a bar of its panel"
            for bar in _bars(legend.axes)
            if _overlap(box, bar.get_window_extent(renderer))
        ]
    return problems


def _drawn_texts(fig: Figure) -> list[Text]:
    texts = list(fig.texts)
    for ax in fig.axes:
        if not ax.get_visible():
            continue
        texts += [ax.title, ax._left_title, ax._right_title, *ax.texts]
        for axis in (ax.xaxis, ax.yaxis):
            texts += [axis.label, axis.get_offset_text()]
            for tick in axis._update_ticks():  # the ticks within the view, which are drawn
                texts += [tick.label1, tick.label2]
    for legend in _legends(fig):
        texts += [*legend.get_texts(), legend.get_title()]
    return [t for t in texts if t.get_visible() and t.get_text().strip()]


def _legends(fig: Figure) -> list[Legend]:
    found = [ax.get_legend() for ax in fig.axes if ax.get_visible()] + list(fig.legends)
    return [legend for legend in found if legend is not None and legend.get_visible()]


def _bars(ax: Axes | None) -> list[Rectangle]:
    if ax is None:
        return []
    return [p for p in ax.patches if isinstance(p, Rectangle) and p.get_height() > 0]


def _same_legend(a: Text, b: Text) -> bool:
    """Entries of one legend are laid out by it; their boxes touch by design."""
    return any({a, b} <= {*legend.get_texts(), legend.get_title()} for legend in _legends(a.figure))


def _overlap(a: Bbox, b: Bbox) -> bool:
    width = min(a.x1, b.x1) - max(a.x0, b.x0)
    height = min(a.y1, b.y1) - max(a.y0, b.y0)
    return width > SLACK and height > SLACK


def _within(box: Bbox, frame: Bbox) -> bool:
    return (
        box.x0 >= frame.x0 - SLACK
        and box.y0 >= frame.y0 - SLACK
        and box.x1 <= frame.x1 + SLACK
        and box.y1 <= frame.y1 + SLACK
    )


def _name(text: Text) -> str:
    return repr(text.get_text()[:40])


def _entries(legend: Legend) -> str:
    return repr([t.get_text() for t in legend.get_texts()][:3])


def _box(box: Bbox) -> str:
    return f"[{box.x0:.0f}, {box.y0:.0f}, {box.x1:.0f}, {box.y1:.0f}]"
