"""Plots: pure functions of result tables that draw and return matplotlib figures."""

FIGURES = ("strength", "outcomes", "events")  # an ensemble's figures, in the order written
