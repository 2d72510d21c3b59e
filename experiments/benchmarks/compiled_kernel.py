"""The compiled limit: the whole month of one replicate as per-agent loops compiled by numba.

What the machine can do with the engine's work: each rule of `sim.rules.SCHEDULE` as a
loop over one replicate's units and cells (the loops a Mesa user's `step` would be,
compiled), replicates as the outer loop (`prange`, so threads share them). A month
pays units (hardship, revenue, pay per faction, grievance), cracks down (a binomial of
removals per cell), lets each unit defect, desert or stay (one uniform per unit;
defectors found cells or join them, one uniform per newcomer), lets the leadership
choose its effort (softmax with three normal draws), draws Poisson attacks per cell and
each attack's (target, success) and severity, kills Taliban fighters (a binomial per
unit), recruits (Poisson pools, births of units and cells with Beta traits, splits and
folds), draws attrition (binomials per unit, cell and group), compacts dead slots, moves
the pressure of each state and its engagement step, and draws each faction's hazard of
breaking away. Its rates are the scenario's; the point is a fair cost per slot, not the
engine's numbers: its draws come from numba's own generator (`np.random` in compiled
code, seeded per replicate: numba's binomial, Poisson, normal and Beta samplers;
categorical draws by one uniform per item against cumulative weights, as the engine's).

Units and cells are rows of a float table each (column 0 their fighters), grown by
doubling and compacted as they die (`kernel_tables`); the state of the few (factions,
states, country) is small arrays with named columns (`kernel_inputs`).
"""

from __future__ import annotations

import math
import time
from concurrent.futures import ThreadPoolExecutor

import numba
import numpy as np
from kernel_inputs import (
    ABROAD,
    AID,
    ANGER,
    ARRIVALS,
    ATTACK_SENSITIVITY,
    BASELINE,
    BROKEN,
    CAPABILITY,
    CASUALTIES,
    COHESION,
    COHESION0,
    CONDITIONALITY,
    CONDUCT_SENSITIVITY,
    CONSOLIDATE,
    CREDIBILITY,
    DECAY,
    DEFECTED,
    DEMAND,
    DESERTED,
    ENGAGE_BELOW,
    EX_ANSF,
    EXPOSURE,
    FACTION,
    FIGHTERS,
    FORCE,
    FROZEN,
    GRIEVANCE,
    HARDSHIP,
    HOME,
    IDEOLOGY,
    LOSSES,
    MOMENTUM,
    MONTH,
    ON_FOREIGNERS,
    PAY,
    PRESSURE,
    RECOGNIZE_BELOW,
    RESPONSIVENESS,
    SATISFIED,
    SECTARIAN,
    SECTARIAN_SENSITIVITY,
    SHARE,
    SKILL,
    STEP,
    STEP_AFTER,
    STEP_RATE,
    SUCCESS_FOREIGN,
    SUCCESS_SECTARIAN,
    SUCCESS_TALIBAN,
    TIES,
    UNFROZEN,
    Rates,
    inputs,
)
from kernel_tables import by_faction, keep_alive, logistic, logit, new_unit, room, split_above

from sim.inputs.schema import Scenario


@numba.njit(cache=True)
def abandonment(r: Rates) -> float:
    """Perceived abandonment of jihad: the crackdown's and the concessions' parts."""
    return r.abandonment_crackdown * r.crackdown + r.abandonment_concessions * r.concessions


@numba.njit(cache=True)
def join_cells(cells: np.ndarray, nc: int, newcomers: int, r: Rates) -> tuple[np.ndarray, int]:
    """Spread newcomers over the cells in proportion to size + 1, one uniform each."""
    if newcomers <= 0:
        return cells, nc
    if nc == 0:
        return found_cell(cells, nc, newcomers, r)
    cumulative = np.cumsum(cells[:nc, FIGHTERS] + 1.0)
    for _ in range(newcomers):
        cells[np.searchsorted(cumulative, np.random.random() * cumulative[-1]), FIGHTERS] += 1
    return cells, nc


@numba.njit(cache=True)
def found_cell(cells: np.ndarray, nc: int, fighters: float, r: Rates) -> tuple[np.ndarray, int]:
    """A new cell of `fighters` at the founding (degraded) capability, which is its skill."""
    cells = room(cells, nc, 1)
    skill = min(r.max_capability, max(r.min_capability, r.founding_capability))
    cells[nc, FIGHTERS], cells[nc, CAPABILITY], cells[nc, SKILL] = fighters, skill, skill
    cells[nc, EXPOSURE] = r.exposure
    return cells, nc + 1


@numba.njit(cache=True)
def pay_units(units, n, factions, states, country, r: Rates) -> None:
    """Hardship and its shock, revenue, pay per faction from the budget, grievance per unit."""
    if country[UNFROZEN] > 0:
        country[FROZEN] -= country[FROZEN] * r.unfreeze_rate
    aid = 0.0
    for j in range(states.shape[0]):
        aid += states[j, AID] * (1.0 - states[j, CONDITIONALITY] * states[j, PRESSURE])
    target = r.hardship_floor + r.frozen_hardship * country[FROZEN] / r.frozen_total
    target = min(1.0, max(0.0, target - r.aid_relief * aid / 100.0))
    shock = r.hardship_noise * np.random.standard_normal()
    hardship = country[HARDSHIP] + r.hardship_adjust * (target - country[HARDSHIP]) + shock
    country[HARDSHIP] = min(1.0, max(0.0, hardship))
    noise = math.exp(r.revenue_noise * np.random.standard_normal() - r.revenue_noise**2 / 2)
    sanctions = 1.0 - r.sanction_damage * states[:, PRESSURE].mean()
    revenue = r.revenue * (1.0 - r.revenue_loss * country[HARDSHIP]) * sanctions * noise
    costs = r.crackdown * (r.crackdown_cost + r.accuracy_cost * r.accuracy)
    budget = max(0.0, r.military_share * revenue + r.aid_fungible * aid - costs)
    fighters = by_faction(units, n, FIGHTERS, factions.shape[0])
    for k in range(factions.shape[0]):
        need = max(fighters[k], 1.0) * r.wage / 1e6
        paid = min(1.0, budget * factions[k, SHARE] / need)
        factions[k, PAY] = r.breakaway_pay if factions[k, BROKEN] > 0 else paid
    for i in range(n):
        pay, g = factions[int(units[i, FACTION]), PAY], units[i, GRIEVANCE]
        g += r.grievance_rate * (1.0 - pay) - r.grievance_relief * pay * g
        units[i, GRIEVANCE] = min(1.0, max(0.0, g))


@numba.njit(cache=True)
def crack_down(cells, nc, units, n, country, r: Rates) -> None:
    """Force blunted by the security faction's ties; a binomial of removals per cell."""
    ties = weight = 0.0
    for i in range(n):
        if units[i, FACTION] == r.security_faction:
            ties += units[i, FIGHTERS] * units[i, TIES]
            weight += units[i, FIGHTERS]
    force = (
        r.crackdown
        * (1.0 - r.leak * ties / max(weight, 1.0))
        * (1.0 - r.accuracy_tempo * r.accuracy)
    )
    country[FORCE], country[ANGER] = force, r.crackdown * (1.0 - r.accuracy)
    precision = r.accuracy_floor + (1.0 - r.accuracy_floor) * r.accuracy
    removed_total = 0.0
    for c in range(nc):
        exposure = cells[c, EXPOSURE]
        p = min(1.0, r.removal_rate * force * precision * exposure)
        removed = np.random.binomial(int(cells[c, FIGHTERS]), p)
        share = removed / max(cells[c, FIGHTERS], 1.0)
        cells[c, FIGHTERS] -= removed
        loss = min(1.0, r.leader_hit * force * r.accuracy * exposure)
        cells[c, CAPABILITY] *= 1.0 - loss
        cells[c, SKILL] *= 1.0 - r.skill_loss * loss
        gained = r.intelligence_gain * force * r.accuracy * (1.0 - exposure)
        cells[c, EXPOSURE] = min(1.0, exposure + gained + r.leads * share)
        removed_total += removed
    country[LOSSES] = removed_total


@numba.njit(cache=True)
def defect(units, n, cells, nc, factions, country, r: Rates) -> tuple[np.ndarray, int, int]:
    """Each unit defects, deserts or stays on one uniform; defectors found or join cells.

    Returns the cells table, its length and the units left (dead slots compacted).
    """
    fighters = 0.0
    for c in range(nc):
        fighters += cells[c, FIGHTERS]
    funded = min(1.0, r.isisk_budget / max(fighters * r.isisk_pay / 1e6, 1e-9))
    abandon = abandonment(r)
    joining = 0
    for i in range(n):
        k, ideology = int(units[i, FACTION]), units[i, IDEOLOGY]
        pay = factions[k, PAY]
        g = min(1.0, units[i, GRIEVANCE] + r.punishment_grievance * r.punishment)
        units[i, GRIEVANCE] = g
        gap = max(0.0, funded * r.isisk_pay / r.wage - pay)
        x = (
            r.def_base
            + r.w_abandonment * ideology * abandon
            + (1.0 - ideology) * (r.w_grievance * g + r.w_isisk_pay * gap)
            + r.w_ties * units[i, TIES]
            + r.w_momentum * country[MOMENTUM]
            - r.w_pay * pay
            - r.w_cohesion * factions[k, COHESION]
            - r.w_fear * r.punishment
        )
        p_defect = logistic(x)
        y = r.desertion_base + r.w_desertion_grievance * (1.0 - ideology) * g - r.w_pay * pay
        p_desert = min(1.0 - p_defect, logistic(y))
        u = np.random.random()
        if u < p_defect:
            factions[k, DEFECTED] += units[i, FIGHTERS]
            if np.random.random() < r.found_cell:
                cells, nc = found_cell(cells, nc, units[i, FIGHTERS], r)
            else:
                joining += int(units[i, FIGHTERS])
            units[i, FIGHTERS] = 0.0
        elif u < p_defect + p_desert:
            factions[k, DESERTED] += units[i, FIGHTERS]
            units[i, FIGHTERS] = 0.0
    cells, nc = join_cells(cells, nc, joining, r)
    return cells, nc, keep_alive(units, n)


@numba.njit(cache=True)
def money_factor(cadre: float, r: Rates) -> float:
    """Tempo multiplier of ISIS-K's money per fighter, at most 2 (1 at the reference)."""
    ratio = (1e6 * r.funds / max(cadre, 1.0) / r.reference_funding) ** r.funds_elasticity
    return 2.0 * ratio / (1.0 + ratio)


@numba.njit(cache=True)
def choose_strategy(cells, nc, country, r: Rates) -> None:
    """The leadership's shares of effort: softmax of utilities plus three normal draws."""
    cadre = exposed = capable = skilled = 0.0
    for c in range(nc):
        f = cells[c, FIGHTERS]
        cadre += f
        exposed += f * cells[c, EXPOSURE]
        capable += f * cells[c, CAPABILITY]
        skilled += f * cells[c, SKILL]
    pressure = country[FORCE] * exposed / max(cadre, 1.0)
    losses = country[LOSSES] / max(cadre + country[LOSSES], 1.0)
    losses += max(0.0, 1.0 - capable / max(skilled, 1e-12)) * (cadre > 0)
    money = money_factor(cadre, r)
    pressed = r.pressure_weight * pressure
    values = np.array(
        (
            0.0,
            r.abroad_bias + pressed,
            r.consolidate_bias + pressed + r.losses_weight * losses - math.log(money),
        )
    )
    values += r.choice_noise * np.random.standard_normal(3)
    weights = np.exp(values - values.max())
    country[HOME : CONSOLIDATE + 1] = weights / weights.sum()


@numba.njit(cache=True)
def attack(cells, nc, units, n, country, odds, r: Rates) -> None:
    """Poisson attacks per cell; each attack's (target, success); severities; Taliban killed."""
    cadre = 0.0
    for c in range(nc):
        cadre += cells[c, FIGHTERS]
    scale = (max(cadre, 1.0) / r.reference_cadre) ** (r.size_exponent - 1.0)
    multiplier = scale * money_factor(cadre, r)
    rebuilding = r.rebuild * country[CONSOLIDATE]
    total = 0
    for c in range(nc):
        full = r.base_rate * cells[c, FIGHTERS] / r.reference_size * cells[c, CAPABILITY]
        held = 1.0 - math.exp(-r.lie_low * country[FORCE] * cells[c, EXPOSURE])
        rate = full * multiplier * (country[HOME] * (1.0 - held) + country[ABROAD])
        attacks = np.random.poisson(rate)
        total += attacks
        rate_up = r.recovery + rebuilding
        capability = cells[c, CAPABILITY] + rate_up * (cells[c, SKILL] - cells[c, CAPABILITY])
        capability += r.learning * attacks
        cells[c, CAPABILITY] = min(r.max_capability, max(r.min_capability, capability))
        skill = cells[c, SKILL] + r.learning * attacks
        cells[c, SKILL] = min(r.max_capability, max(r.min_capability, skill))
        exposure = cells[c, EXPOSURE] * (1.0 - r.exposure_decay) + r.exposure_per_attack * attacks
        cells[c, EXPOSURE] = min(1.0, max(0.0, exposure))
    outcomes = np.zeros(odds.shape[0], dtype=np.int64)
    for _ in range(total):
        outcomes[np.searchsorted(odds, np.random.random() * odds[-1])] += 1
    succeeded = outcomes[: len(odds) // 2].sum()
    casualties = 0.0
    for _ in range(succeeded):
        tail = (1.0 - np.random.random()) ** (-1.0 / (r.severity_exponent - 1.0))
        casualties += r.severity_min * tail
    taliban = 0.0
    for i in range(n):
        taliban += units[i, FIGHTERS]
    kill_p = min(1.0, r.killed_per_attack * outcomes[SUCCESS_TALIBAN] / max(taliban, 1.0))
    if kill_p > 0:
        for i in range(n):
            units[i, FIGHTERS] -= np.random.binomial(int(units[i, FIGHTERS]), kill_p)
    recent = min(1.0, succeeded / r.momentum_saturation)
    country[MOMENTUM] = r.momentum_decay * country[MOMENTUM] + (1 - r.momentum_decay) * recent
    credibility = country[CREDIBILITY] + r.credibility_recovery * (1.0 - country[CREDIBILITY])
    credibility -= r.credibility_loss * outcomes[SUCCESS_SECTARIAN]
    country[CREDIBILITY] = min(1.0, max(0.0, credibility))
    failed = len(odds) // 2  # failures follow the successes, target by target
    country[SECTARIAN] = outcomes[SUCCESS_SECTARIAN] + outcomes[failed + SUCCESS_SECTARIAN]
    country[ON_FOREIGNERS] = outcomes[SUCCESS_FOREIGN] + outcomes[failed + SUCCESS_FOREIGN]
    country[CASUALTIES] = casualties


@numba.njit(cache=True)
def recruit(units, n, cells, nc, factions, groups, country, r: Rates):
    """ISIS-K's pools join cells; groups' arrivals; units born per faction; splits and folds.

    Returns the units table, its length, the cells table and its length.
    """
    deserted = factions[:, DESERTED].sum()
    pull = (1.0 + r.momentum_boost * country[MOMENTUM]) * (
        1.0 + r.hardship_boost * country[HARDSHIP]
    )
    rate = r.local_per_month * pull + r.anger_recruits * country[ANGER]
    local = np.random.poisson(rate + r.deserter_share * deserted)
    if country[MONTH] <= r.release_months:
        local += int(r.prisoners // r.release_months)
    pulled = (1.0 + r.ex_ansf_hardship * country[HARDSHIP]) * (
        1.0 + r.ex_ansf_reprisal * country[ANGER]
    )
    chance = min(1.0, r.ex_ansf_rate * pulled)
    joined = np.random.binomial(int(country[EX_ANSF]), chance)
    left = np.random.binomial(int(country[EX_ANSF]) - joined, r.ex_ansf_decay)
    country[EX_ANSF] -= joined + left
    local += joined + np.random.poisson(
        r.central_asian * (1.0 + r.momentum_boost * country[MOMENTUM])
    )
    cells, nc = join_cells(cells, nc, local, r)
    for j in range(groups.shape[0]):
        groups[j, FIGHTERS] += np.random.poisson(groups[j, ARRIVALS])
    counts = np.zeros(factions.shape[0])
    for i in range(n):
        counts[int(units[i, FACTION])] += 1.0
    for k in range(factions.shape[0]):
        if factions[k, BROKEN] > 0:
            continue
        born = np.random.poisson(r.birth_rate * counts[k] * factions[k, PAY])
        units = room(units, n, born)
        for _ in range(born):
            units[n, FIGHTERS] = max(1, np.random.poisson(r.unit_size))
            new_unit(units, n, k, factions)
            n += 1
    cells, nc = reshape_cells(cells, nc, r)
    units, n = split_above(units, n, r.unit_split * r.unit_size)
    return units, n, cells, nc


@numba.njit(cache=True)
def reshape_cells(cells, nc, r: Rates) -> tuple[np.ndarray, int]:
    """Split cells above the split size; fold cells below the floor into the largest."""
    cells, nc = split_above(cells, nc, r.cell_split)
    if nc == 0:
        return cells, nc
    largest = np.argmax(cells[:nc, FIGHTERS])
    folded, small = 0.0, 0
    for c in range(nc):
        if cells[c, FIGHTERS] < r.cell_floor:
            small += 1
    if 0 < small < nc:
        for c in range(nc):
            if cells[c, FIGHTERS] < r.cell_floor:
                folded += cells[c, FIGHTERS]
                cells[c, FIGHTERS] = 0.0
        cells[largest, FIGHTERS] += folded
    return cells, keep_alive(cells, nc)


@numba.njit(cache=True)
def suffer_attrition(units, n, cells, nc, groups, r: Rates) -> tuple[int, int]:
    """A binomial of losses per unit, cell and group; the dead slots compacted."""
    for i in range(n):
        units[i, FIGHTERS] -= np.random.binomial(int(units[i, FIGHTERS]), r.taliban_attrition)
    for c in range(nc):
        cells[c, FIGHTERS] -= np.random.binomial(int(cells[c, FIGHTERS]), r.isisk_attrition)
    for j in range(groups.shape[0]):
        groups[j, FIGHTERS] -= np.random.binomial(int(groups[j, FIGHTERS]), r.foreign_attrition)
    return keep_alive(units, n), keep_alive(cells, nc)


@numba.njit(cache=True)
def update_pressure(states, country, r: Rates) -> None:
    """Each state's latent pressure moves with a normal shock; it may climb a step; release."""
    conduct = country[ANGER] + r.punishment_conduct * r.punishment
    complied_all = 0.0
    for j in range(states.shape[0]):
        s = states[j]
        complied = (r.crackdown + r.concessions) / 2.0
        complied_all += complied / states.shape[0]
        change = (
            s[RESPONSIVENESS] * (s[DEMAND] - complied)
            + s[SECTARIAN_SENSITIVITY] * country[SECTARIAN]
            + s[ATTACK_SENSITIVITY] * country[ON_FOREIGNERS]
            + s[CONDUCT_SENSITIVITY] * conduct
        )
        latent = logit(s[PRESSURE])
        drift = s[DECAY] * (logit(s[BASELINE]) - latent)
        shock = r.pressure_noise * np.random.standard_normal()
        s[PRESSURE] = logistic(latent + drift + change + shock)
        share = min(s[STEP], 3.0) / 3.0
        threshold = s[ENGAGE_BELOW] + (s[RECOGNIZE_BELOW] - s[ENGAGE_BELOW]) * share
        s[SATISFIED] = s[SATISFIED] + 1.0 if s[PRESSURE] <= threshold else 0.0
        ready = s[STEP] < 4 and s[SATISFIED] >= s[STEP_AFTER]
        if np.random.random() < s[STEP_RATE] and ready:
            s[STEP] += 1.0
            s[SATISFIED] = 0.0
    good = complied_all * max(0.0, 1.0 - conduct)
    if np.random.random() < min(1.0, r.release_rate * good):
        country[UNFROZEN] = 1.0


@numba.njit(cache=True)
def fragment(factions, units, n, country, r: Rates) -> None:
    """Cohesion erodes under strain; each faction's hazard of leaving, one uniform each."""
    fighters = by_faction(units, n, FIGHTERS, factions.shape[0])
    ideology = by_faction(units, n, IDEOLOGY, factions.shape[0])
    ties = by_faction(units, n, TIES, factions.shape[0])
    grievance = by_faction(units, n, GRIEVANCE, factions.shape[0])
    rate = -math.log1p(-r.hazard) / 12.0
    for k in range(1, factions.shape[0]):  # the first faction is the leadership's core
        f = factions[k]
        weight = max(fighters[k], 1.0)
        loss = (
            r.crackdown_strain * r.crackdown * ideology[k] / weight
            + r.defection_strain * f[DEFECTED] / max(fighters[k] + f[DEFECTED], 1.0)
            + r.desertion_strain * f[DESERTED] / max(fighters[k] + f[DESERTED], 1.0)
            + r.pay_strain * (1.0 - f[PAY])
        )
        cohesion = f[COHESION] + r.fragment_recovery * (f[COHESION0] - f[COHESION]) - loss
        f[COHESION] = min(1.0, max(0.0, cohesion))
        stay = r.w_stay_cohesion * (f[COHESION] - 1.0)
        to_isisk = r.w_isisk_ideology * ideology[k] / weight * abandonment(r)
        to_isisk += r.w_isisk_ties * ties[k] / weight + r.w_isisk_pull * country[MOMENTUM]
        rival = r.w_rival_grievance * grievance[k] / weight
        ways = r.isisk_share * math.exp(to_isisk) + r.independent_share
        ways += r.rival_share * math.exp(rival)
        chance = -math.expm1(-rate * ways * math.exp(-stay))
        if np.random.random() < chance and f[BROKEN] == 0:
            f[BROKEN] = 1.0
        f[DEFECTED] = f[DESERTED] = 0.0


@numba.njit(cache=True)
def month(units, n, cells, nc, factions, states, groups, country, odds, r: Rates):
    """One month of one replicate, the rules in the schedule's order.

    Returns the units table, its length, the cells table and its length.
    """
    country[MONTH] += 1.0
    pay_units(units, n, factions, states, country, r)
    crack_down(cells, nc, units, n, country, r)
    cells, nc, n = defect(units, n, cells, nc, factions, country, r)
    choose_strategy(cells, nc, country, r)
    attack(cells, nc, units, n, country, odds, r)
    units, n, cells, nc = recruit(units, n, cells, nc, factions, groups, country, r)
    n, nc = suffer_attrition(units, n, cells, nc, groups, r)
    update_pressure(states, country, r)
    fragment(factions, units, n, country, r)
    return units, n, cells, nc


@numba.njit(cache=True)
def run_replicate(seed, units_start, cells_start, steps, factions, states, groups, start, odds, r):
    """`steps` months of one replicate from `units_start` units and `cells_start` cells.

    Seeds this thread's generator with `seed` first, so a replicate's draws do not depend
    on the thread that runs it. Returns its agent-months (units + cells at the start of
    each month) and the fighters left (so that no work can be skipped).
    """
    np.random.seed(seed)
    factions, states, groups, country = factions.copy(), states.copy(), groups.copy(), start.copy()
    units = np.zeros((2 * units_start + 16, GRIEVANCE + 1))
    weights = np.cumsum(factions[:, SHARE])
    for i in range(units_start):
        k = min(np.searchsorted(weights, (i + 0.5) / units_start * weights[-1]), len(weights) - 1)
        units[i, FIGHTERS] = max(1, np.random.poisson(r.unit_size))
        new_unit(units, i, k, factions)
    cells = np.zeros((2 * cells_start + 16, SKILL + 1))
    for c in range(cells_start):
        cells[c, FIGHTERS] = max(1, np.random.poisson(r.cell_size))
        cells[c, CAPABILITY] = cells[c, SKILL] = 1.0
        cells[c, EXPOSURE] = r.exposure
    n, nc, agent_months = units_start, cells_start, 0
    for _ in range(steps):
        agent_months += n + nc
        units, n, cells, nc = month(units, n, cells, nc, factions, states, groups, country, odds, r)
    return agent_months, units[:n, FIGHTERS].sum() + cells[:nc, FIGHTERS].sum()


@numba.njit(cache=True, nogil=True)
def run_batch(seeds, units_start, cells_start, steps, factions, states, groups, start, odds, r):
    """`run_replicate` for each seed in turn; the agent-months of the batch.

    It releases the GIL, so threads can each run a share of the replicates.
    """
    done = 0
    for seed in seeds:
        agent_months, _ = run_replicate(
            seed, units_start, cells_start, steps, factions, states, groups, start, odds, r
        )
        done += agent_months
    return done


def kernel_seconds(
    s: Scenario, units: int, cells: int, steps: int, replicates: int, threads: int = 1
) -> tuple[float, int]:
    """Median wall time of three runs of the replicates on `threads` threads, and agent-months.

    Each thread runs every `threads`-th replicate (`run_batch`); one warm-up run first
    (it compiles, or loads the cached compiled code).
    """
    tables = inputs(s)
    seeds = np.random.SeedSequence(s.seed).generate_state(replicates).astype(np.int64)
    shares = [seeds[t::threads] for t in range(threads)]
    with ThreadPoolExecutor(threads) as pool:

        def batch() -> int:
            return sum(pool.map(lambda b: run_batch(b, units, cells, steps, *tables), shares))

        agent_months = batch()
        times = []
        for _ in range(3):
            start = time.perf_counter()
            batch()
            times.append(time.perf_counter() - start)
    return sorted(times)[1], agent_months
