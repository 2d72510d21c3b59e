"""The interactive page of one run (`sim viz`): Mesa's SolaraViz over `AfghanistanModel`.

Needs the `viz` extra (`pip install -e ".[viz]"`); nothing below `sim.viz` imports it.
"""
