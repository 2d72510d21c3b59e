"""Runs: single runs, ensembles, the results store and the result tables."""
