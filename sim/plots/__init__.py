"""Plots: pure functions of result tables that draw and return matplotlib figures."""
