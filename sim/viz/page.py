"""The module `solara run` serves for `sim viz`."""

from sim.viz.app import Page

__all__ = ["Page"]
