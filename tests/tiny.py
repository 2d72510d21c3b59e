"""A tiny hand-made world for the unit tests of the rules: three factions, two cells.

Each mechanism's file (`tests/test_mechanism_*.py`) runs its rules on it in its
tiny-world part, and tests/test_schedule.py checks the schedule's declarations on it.

`TINY` is a scenario in which no rule does anything: every rate, weight and
sensitivity is zero and every logistic base is -100 (a chance of 0). A test switches
on what it checks with overrides (`tiny_world(**{"rules.defection.base": 100.0})`, a
chance of exactly 1), sets the units and cells by hand (`set_units`, `set_cells`),
opens a month (`begin_month`) and runs one rule through `apply`, which checks what
every rule must keep: the record untouched, fighters conserved by the month's flows.

The blocks start from `scenarios/baseline.yaml` (so keys added to the schema are
there), with every value a rule reads pinned here, so a change of baseline values
does not move these tests: the rules' blocks and the states are quiet (`quiet`: every
number of the block's declaration at zero) but for the values named here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from conftest import scenario, spec_of
from conftest import world as conftest_world

from sim.engine.seeds import replicate_rng
from sim.engine.signals import FLOW
from sim.engine.world import World
from sim.inputs.pars import (
    ATTACKS,
    CRACKDOWN,
    DEFECTION,
    FRAGMENTATION,
    INTERNATIONAL,
    PRESSURE,
    PURGE,
    RECRUITMENT,
    STRATEGY,
    Block,
)
from sim.inputs.scenario import override
from sim.inputs.schema import Scenario

FACTIONS = ("amir", "haqqani", "doha")  # amir is the core; haqqani runs security
GROUPS = ("allied", "sworn")  # a group allied to the Taliban, one allied to ISIS-K
STATES = ("west", "east")  # west holds the frozen funds and conditions its aid
AMIR, HAQQANI, DOHA = range(len(FACTIONS))  # their columns in the world's arrays
ALLIED, SWORN = range(len(GROUPS))
WEST, EAST = range(len(STATES))

FACTION = {
    "amir": dict(cohesion=0.8, revenue_share=0.5, posts=0.5, autonomy=0.2, fighters=300),
    "haqqani": dict(cohesion=0.7, revenue_share=0.3, posts=0.3, autonomy=0.4, fighters=200),
    "doha": dict(cohesion=0.6, revenue_share=0.2, posts=0.2, autonomy=0.6, fighters=200),
}
GROUP = {
    "allied": dict(fighters=100, patron="taliban", loyalty=0.5, arrivals_per_month=0.0),
    "sworn": dict(fighters=40, patron="isisk", loyalty=0.5, arrivals_per_month=0.0),
}
NEVER = -100.0  # a logistic base at which a chance is 0 (4e-44)
ALWAYS = 100.0  # ... and at which it is exactly 1.0 in floating point


def quiet(block: Block, **pinned: Any) -> dict[str, Any]:
    """Every plain number of a declared block at zero (of its type), but for `pinned` values."""
    zeros = {
        par.name: par.kind(0)
        for par in block.pars
        if par.kind in (int, float) and par.keys is None and par.name not in pinned
    }
    return zeros | pinned


QUIET_STATE = quiet(INTERNATIONAL, step_after=10, min_credibility=0.5)
STATE = {
    "west": QUIET_STATE
    | dict(
        cares_about={"isisk": 1.0, "concessions": 1.0},
        demand=0.5,
        pressure=0.4,
        aid_musd=60.0,
        aid_conditionality=0.5,
        holds_frozen_funds=True,
    ),
    "east": QUIET_STATE
    | dict(
        cares_about={"allied": 1.0},
        demand=0.4,
        pressure=0.2,
        aid_musd=40.0,
        aid_conditionality=0.0,
        holds_frozen_funds=False,
    ),
}
POLICY = dict(
    crackdown=0.0,
    joint_with_us=False,
    accuracy=0.5,
    concessions=0.0,
    punishment=0.0,
    purge={"allied": 0.0},
    security_faction="haqqani",
    adaptive_gain=0.0,
    attack_tolerance=10.0,
)
ISISK = dict(
    fighters=60,
    cells=2,
    capability=1.0,
    exposure=0.5,
    momentum=0.5,
    safe_areas=0.0,  # no sanctuary: cells build up the whole of their exposure
    released_prisoners=0,
    release_months=1,
    pay_usd=50_000.0,  # half the tiny wage
    own_funds_musd=3.1,  # pays 60 fighters in full (3.0), 0.1 left for operations
    network_funds_musd=0.0,
)
ECONOMY = dict(
    domestic_revenue_musd=100.0,
    revenue_noise=0.0,
    hardship_noise=0.0,
    hardship=0.5,
    hardship_floor=0.2,
    frozen_hardship=0.4,
    aid_relief=0.5,
    hardship_adjust=0.5,
    hardship_revenue_loss=0.2,
    sanction_damage=0.1,
    recognition_trade_gain=0.5,
    aid_fungible=0.1,
    military_share=0.5,
    wage_usd=100_000.0,  # 0.1 USD million a fighter-month: small budgets, round numbers
    crackdown_cost_musd=2.0,
    accuracy_cost_musd=4.0,
    initial_arrears_months=1.0,
    frozen_funds_musd=1000.0,
    unfrozen=False,
    unfreeze_rate=0.1,
    grievance_rate=0.1,
    grievance_relief=0.5,
    breakaway_pay=0.5,
)
DEFECTION_WEIGHTS = tuple(name for name in DEFECTION.names() if name.startswith("w_"))
RULES = {
    "defection": quiet(
        DEFECTION, base=NEVER, desertion_base=NEVER, surrender_base=NEVER, rejoin_base=NEVER
    ),
    "crackdown": quiet(CRACKDOWN, accuracy_floor=0.2),
    "pressure": quiet(PRESSURE, crime_half=1000.0),
    "purge": quiet(PURGE, switch_base=NEVER),
    "attacks": quiet(
        ATTACKS,
        reference_size=10.0,
        size_exponent=1.0,
        reference_cadre=60.0,
        founding_capability=1.0,
        min_capability=0.1,
        max_capability=5.0,
        target_shares={"taliban": 1.0},
        success=1.0,
        severity_min=1.0,
        severity_exponent=3.0,
        momentum_decay=1.0,
        momentum_saturation=10.0,
    ),
    "strategy": quiet(  # all effort at home
        STRATEGY, abroad_bias=NEVER, consolidate_bias=NEVER, reference_funding_usd=1000.0
    ),
    "recruitment": quiet(RECRUITMENT, cell_split_size=1000, unit_split_factor=100.0),
    "fragmentation": quiet(FRAGMENTATION, isisk_share=1.0, independent_share=1.0, rival_share=1.0),
}


def _tiny() -> Scenario:
    """The tiny scenario, built on the baseline's blocks (see the module docstring)."""
    base = scenario("baseline").model_dump()
    faction = next(iter(base["taliban"]["factions"].values()))
    group = next(iter(base["foreign_groups"].values()))
    state = next(iter(base["international"].values()))
    changes: dict[str, Any] = {
        "name": "tiny",
        "steps": 3,
        "events": [],
        "mechanisms": {m: {"enabled": True, "scale": 1.0} for m in base["mechanisms"]},
        "policy": base["policy"] | POLICY,
        "taliban": base["taliban"]
        | {
            "unit_size": 100.0,
            "core": "amir",
            "rivalries": [["haqqani", "doha"]],
            "factions": {name: faction | values for name, values in FACTION.items()},
        },
        "isisk": base["isisk"] | ISISK,
        "foreign_groups": {name: group | values for name, values in GROUP.items()},
        "international": {name: state | values for name, values in STATE.items()},
        "economy": base["economy"] | ECONOMY,
        "rules": {key: base["rules"][key] | values for key, values in RULES.items()},
    }
    return override(scenario("baseline"), changes)


TINY = _tiny()


def tiny(**overrides: Any) -> Scenario:
    """The tiny scenario with dotted overrides (`**{"policy.crackdown": 1.0}`)."""
    return spec_of(TINY, **{k.replace(".", "__"): v for k, v in overrides.items()})


def tiny_world(replicates: int = 1, **overrides: Any) -> World:
    """A world of the tiny scenario at month 0, with `replicates` rows (replicates 0, 1, ...)."""
    return conftest_world(tiny(**overrides), range(replicates))


def world_with_schedule(spec: Scenario, schedule: Sequence) -> World:
    """A one-replicate world of `spec` that steps through `schedule` instead of SCHEDULE."""
    return World(spec, [replicate_rng(spec.seed, 0)], schedule)


def set_units(
    world: World,
    fighters: Sequence[int],
    faction: Sequence[str],
    ideology: float | Sequence[float] = 0.5,
    ties: float | Sequence[float] = 0.0,
    grievance: float | Sequence[float] = 0.0,
    rows: Sequence[int] | None = None,
) -> None:
    """Replace the units of the given replicates (all by default) with these, in this order."""
    units = world.units
    rows = range(world.replicates) if rows is None else rows
    units.keep(~np.isin(np.arange(world.replicates), rows)[:, None])
    n = len(fighters)
    for r in rows:
        units.append(
            r,
            fighters=np.asarray(fighters, dtype=np.int64),
            faction=np.array([world.faction_names.index(f) for f in faction]),
            ideology=np.broadcast_to(np.asarray(ideology, dtype=float), n).copy(),
            ties=np.broadcast_to(np.asarray(ties, dtype=float), n).copy(),
            grievance=np.broadcast_to(np.asarray(grievance, dtype=float), n).copy(),
        )


def set_cells(
    world: World,
    fighters: Sequence[int],
    capability: float | Sequence[float] = 1.0,
    exposure: float | Sequence[float] = 0.5,
    rows: Sequence[int] | None = None,
    skill: float | Sequence[float] | None = None,
) -> None:
    """Replace the ISIS-K cells of the given replicates (all by default) with these.

    Skill (what capability recovers to) is the capability unless given.
    """
    cells = world.cells
    rows = range(world.replicates) if rows is None else rows
    cells.keep(~np.isin(np.arange(world.replicates), rows)[:, None])
    n = len(fighters)
    for r in rows:
        cells.append(
            r,
            fighters=np.asarray(fighters, dtype=np.int64),
            capability=np.broadcast_to(np.asarray(capability, dtype=float), n).copy(),
            exposure=np.broadcast_to(np.asarray(exposure, dtype=float), n).copy(),
            skill=np.broadcast_to(
                np.asarray(capability if skill is None else skill, dtype=float), n
            ).copy(),
        )


def begin_month(world: World, month: int = 1) -> None:
    """Open `month` as `World.step` does before the rules: the month's signals zeroed."""
    world.month = month
    world.signals.start_month()


def headcount(world: World) -> np.ndarray:
    """Fighters of the Taliban, ISIS-K and the foreign groups per replicate, (replicates, 3)."""
    return np.stack(
        [
            world.units.fighters.sum(axis=1),
            world.cells.fighters.sum(axis=1),
            world.group_fighters.sum(axis=1),
        ],
        axis=1,
    )


def net_inflow(world: World) -> np.ndarray:
    """This month's flows so far, netted like `headcount`: what each side gained minus lost.

    Deserters are part of losses; fighters handed over are `defected_out` of the giver
    and `defected_in` of ISIS-K.
    """
    s = world.signals

    def net(flows: np.ndarray) -> np.ndarray:
        return (
            flows[..., FLOW["recruits"]]
            + flows[..., FLOW["defected_in"]]
            - flows[..., FLOW["losses"]]
            - flows[..., FLOW["defected_out"]]
        )

    return np.stack([net(s.factions).sum(axis=1), net(s.isisk), net(s.groups).sum(axis=1)], axis=1)


def flow(world: World, actor: str, name: str) -> np.ndarray:
    """One flow of this month: per faction or group (`factions`, `groups`) or of `isisk`."""
    return getattr(world.signals, actor)[..., FLOW[name]]


def apply(world: World, rule: Callable[[World, float], None], scale: float = 1.0) -> None:
    """Run one rule and check what every rule keeps: the record, and fighters against flows.

    Also checks that no table holds negative fighters and that padding stays zero.
    """
    record, month = world.recorder.values.copy(), world.recorder.month
    counts, inflow = headcount(world), net_inflow(world)
    rule(world, scale)
    assert world.recorder.month == month
    assert np.array_equal(world.recorder.values, record, equal_nan=True), "a rule wrote the record"
    np.testing.assert_array_equal(
        headcount(world) - counts,
        net_inflow(world) - inflow,
        err_msg="fighters (Taliban, ISIS-K, groups) changed by other than the month's flows",
    )
    for table in (world.units, world.cells):
        assert (table.fighters >= 0).all()
        assert not table.fighters[~table.live].any()
    assert (world.group_fighters >= 0).all()


def units_of(world: World, row: int = 0) -> dict[str, np.ndarray]:
    """The live units of one replicate, column by column."""
    n = world.units.n[row]
    return {c: getattr(world.units, c)[row, :n].copy() for c in world.units.columns}


def cells_of(world: World, row: int = 0) -> dict[str, np.ndarray]:
    """The live cells of one replicate, column by column."""
    n = world.cells.n[row]
    return {c: getattr(world.cells, c)[row, :n].copy() for c in world.cells.columns}


__all__ = [
    "ALLIED",
    "ALWAYS",
    "AMIR",
    "DOHA",
    "EAST",
    "FACTIONS",
    "GROUPS",
    "HAQQANI",
    "NEVER",
    "STATES",
    "SWORN",
    "TINY",
    "WEST",
    "apply",
    "begin_month",
    "cells_of",
    "flow",
    "headcount",
    "set_cells",
    "set_units",
    "tiny",
    "tiny_world",
    "units_of",
    "world_with_schedule",
]
