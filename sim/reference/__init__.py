"""The plain-Mesa reference: one agent per unit and cell, the readable specification of the rules.

Used by the equivalence test (same outcome distributions as the engine) and the benchmark.
"""
