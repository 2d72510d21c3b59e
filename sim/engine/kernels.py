"""Loading the engine's compiled loops before a run, and saying so when they must be compiled.

The loops (`sim.engine.draws`, `sim.engine.packing`, `sim.engine.sums`, and the rules'
loops that `sim.rules.load_kernels` adds: `compiled_units`, `compiled_cells`,
`compiled_command`, `compiled_economy`, `compiled_factions`, `compiled_groups`,
`compiled_recruitment`, `compiled_states` and `compiled_surrender`) compile at import,
for their declared signatures, or load from numba's cache in the `__pycache__` folder
beside their module when an earlier process compiled them. Loading them before an
ensemble starts keeps the compile out of the first replicates' time, so a progress bar's
rate counts simulation only.
"""

from __future__ import annotations

from collections.abc import Callable

COMPILE_SECONDS = 6  # every loop, empty cache: about 5 s of CPU, 4-8 s as the machine is busy
COMPILING = f"compiling the model's kernels (first run only, ~{COMPILE_SECONDS} s)..."


def load_kernels(
    announce: Callable[[str], None] | None = None, more: Callable[[], object] | None = None
) -> None:
    """Load the compiled loops into this process, calling `announce(COMPILING)` if any compiles.

    `more` imports the loops of higher layers (`sim.rules.load_kernels` passes the rules').
    Loops found in numba's cache load in a fraction of a second and announce nothing.
    """
    from numba.core import event

    class FirstCompile(event.Listener):
        """Announces at the start of the first compile (numba broadcasts none on a cache hit)."""

        heard = False

        def on_start(self, _: event.Event) -> None:
            if announce is not None and not self.heard:
                self.heard = True
                announce(COMPILING)

        def on_end(self, _: event.Event) -> None:
            pass

    with event.install_listener("numba:compile", FirstCompile()):
        from sim.engine import draws, packing, sums  # noqa: F401  (importing compiles or loads them)

        if more is not None:
            more()
