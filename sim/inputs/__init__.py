"""Inputs: the scenario schema, scenario files and experiment files (the lowest layer)."""
