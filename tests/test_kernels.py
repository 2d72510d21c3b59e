"""The compiled loops: compiled once per signature, and a first run that says it is compiling."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from pathlib import Path

import numba

from sim.engine.seeds import replicate_rng
from sim.inputs.scenario import load_scenario, override
from sim.rules import new_world

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "baseline.yaml"


def kernels() -> dict[str, numba.core.dispatcher.Dispatcher]:
    """Every numba dispatcher of the engine's and the rules' loop modules, by name."""
    from sim.engine import draws, packing, sums
    from sim.rules import COMPILED

    rules = [importlib.import_module(f"sim.rules.{name}") for name in COMPILED]
    return {
        f"{module.__name__}.{name}": value
        for module in (draws, packing, sums, *rules)
        for name, value in vars(module).items()
        if isinstance(value, numba.core.dispatcher.Dispatcher)
    }


def element_types(signature: tuple) -> tuple:
    """A signature without the arrays' flags (read-only, layout): what the loop computes on."""
    return tuple((arg.dtype, arg.ndim) if hasattr(arg, "ndim") else arg for arg in signature)


def test_each_kernel_is_compiled_once_per_signature():
    scenario = override(load_scenario(BASELINE), {"steps": 24})
    new_world(scenario, [replicate_rng(scenario.seed, r) for r in range(3)]).run()
    found = kernels()
    assert len(found) >= 6, sorted(found)
    for name, kernel in found.items():
        kinds = [element_types(signature) for signature in kernel.signatures]
        assert len(kinds) == len(set(kinds)), f"{name} compiled twice: {kernel.signatures}"
    for name in ("_poisson_rows", "_binomial_rows", "_categorical_all", "_take_all", "buffered"):
        assert len(found[f"sim.engine.draws.{name}"].signatures) == 1, name
    assert len(found["sim.engine.packing.pack_rows"].signatures) == 2  # counts, amounts
    assert len(found["sim.engine.sums.add_by_faction"].signatures) == 3  # flags, counts, amounts
    assert len(found["sim.engine.sums.add_by_row"].signatures) == 1
    assert len(found["sim.engine.sums.add_weighted_by_faction"].signatures) == 1
    units = (
        "choose_fates",
        "draw_founders",
        "lose_fighters",
        "suffer",
        "place_in_units",
        "draw_births",
        "draw_newcomers",
    )
    for name in units:
        assert len(found[f"sim.rules.compiled_units.{name}"].signatures) == 1, name
    for name in (
        "compiled_command.choose_effort",
        "compiled_economy.pay",
        "compiled_factions.weigh_leaving",
        "compiled_groups.purge_groups",
        "compiled_recruitment.draw_recruits",
        "compiled_states.move_states",
        "compiled_surrender.draw_rejoin",
        "compiled_surrender.give_up",
    ):
        assert len(found[f"sim.rules.{name}"].signatures) == 1, name
    for name in (
        "weigh_ties",
        "crack_cells",
        "plan_attacks",
        "learn",
        "reckon",
        "mix_ties",
        "place_in_cells",
    ):
        assert len(found[f"sim.rules.compiled_cells.{name}"].signatures) == 1, name


def run_small_ensemble(cache: Path, out: Path) -> str:
    """Run a 2-replicate ensemble with its progress bar in a fresh process; return its stderr."""
    code = (
        "import sys; from pathlib import Path; "
        "from sim.inputs.scenario import load_with_origin; "
        "from sim.runs.ensemble import run_ensemble; "
        "scenario, digest = load_with_origin(Path(sys.argv[1]), {'replicates': 2, 'steps': 3}); "
        "run_ensemble(scenario, Path(sys.argv[2]), scenario_sha256=digest, progress=True)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(BASELINE), str(out)],
        env=os.environ | {"NUMBA_CACHE_DIR": str(cache)},
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    return done.stderr


def test_a_first_run_says_it_compiles_before_its_bar_and_a_second_does_not(tmp_path):
    from sim.engine.kernels import COMPILING

    first = run_small_ensemble(tmp_path / "cache", tmp_path / "first")
    assert first.startswith(COMPILING + "\n"), first
    assert first.count(COMPILING) == 1
    assert "2/2" in first.split(COMPILING)[1]  # the bar comes after
    second = run_small_ensemble(tmp_path / "cache", tmp_path / "second")
    assert COMPILING not in second and "2/2" in second
