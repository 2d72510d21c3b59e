"""Calibration by ABC: fit uncertain parameters so simulated targets match observed.

Two methods: rejection on a reference table (`sim.analysis.reference_table`) and
ABC-SMC (pyabc), which the rest of this note is about.

One pyabc model evaluation is one replicate of the scenario at the particle's parameter
values, seeded from the particle itself (`point_seed`), so a parameter point always
gives the same simulation. The tolerance schedule is pyabc's quantile rule; the
distance is `sim.analysis.targets.target_distance`. Each generation is one `run` from
the stored history, with numpy's global generator (which pyabc draws from) reseeded
from the calibration seed and the generation: a run interrupted and resumed gives
the same posterior as one never stopped (single worker; with several workers the
accepted particles depend on timing). See docs/calibration.md for the reasoning.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml
from tqdm import tqdm

from sim.analysis.calibration_checks import effective_sample_size
from sim.analysis.calibration_folder import OBSERVATION_POSTERIOR, fit_identity
from sim.analysis.observation import OBSERVATION_STREAM, with_fitted
from sim.analysis.reference_table import distances, nearest, reference_table
from sim.analysis.targets import target_distance, target_values
from sim.inputs.calibration import CALIBRATED_HEADER, CalibrationPlan, Prior, Target
from sim.inputs.problems import refuse
from sim.inputs.scenario import override
from sim.inputs.schema import Scenario
from sim.rules import new_world
from sim.runs.batch import value_groups
from sim.runs.output import results_folder, write_csv, write_json, write_text
from sim.runs.posterior import PosteriorDraws, with_values, write_posterior
from sim.runs.store import StoreError

TAILS = (0.05, 0.5, 0.95)  # the reported 90% interval and the median
METHODS = {
    "abc": "ABC-SMC (pyabc), uniform kernel on the scaled target distance",
    "rejection": "rejection ABC on a reference table, the nearest by the scaled target distance",
}


@dataclass(frozen=True)
class Fit:
    """What a calibration produced: weighted posterior draws and what they cost."""

    keys: list[str]
    values: np.ndarray  # (draws, keys)
    weights: np.ndarray  # (draws,), summing to 1
    generations: pd.DataFrame  # t, epsilon, samples (simulations), acceptance, ess
    simulations: int  # all of them, the prior sample that sets the first tolerance included
    seconds: float


def horizon(scenario: Scenario, steps: int) -> Scenario:
    """`scenario` cut to `steps` months, dropping events that would start later."""
    events = [e.model_dump() for e in scenario.events if e.month <= steps]
    return override(scenario, {"steps": steps, "events": events})


def point_seed(seed: int, point: Sequence[float]) -> np.random.SeedSequence:
    """A seed made of the calibration seed and the exact bits of the parameter values."""
    words = np.asarray(point, np.float64).view(np.uint64).tolist()
    return np.random.SeedSequence([seed, *words])


def observation_seed(seed: np.random.SeedSequence) -> np.random.SeedSequence:
    """The seed of a simulation's observation draws, apart from its model streams."""
    return np.random.SeedSequence(seed.entropy, spawn_key=(*seed.spawn_key, OBSERVATION_STREAM))


def simulate_targets(
    scenario: Scenario,
    targets: Sequence[Target],
    gens: Sequence[np.random.Generator],
    observing: tuple[dict[str, np.ndarray], np.random.Generator],
) -> np.ndarray:
    """Target statistics (replicates, targets) of one batch of `scenario`, one row per generator.

    `observing` holds each replicate's observation parameters and the generator of the
    observation models' draws.
    """
    recorder = new_world(scenario, gens).run()
    return target_values(recorder.values, recorder.actors, targets, *observing)


def split_point(
    priors: Sequence[Prior], point: dict[str, float]
) -> tuple[dict[str, float], dict[str, float]]:
    """A parameter point as the scenario's values and the observation models' (by name)."""
    scenario = {p.key: point[p.key] for p in priors if not p.observed}
    observation = {p.name: point[p.key] for p in priors if p.observed}
    return scenario, observation


def simulate_point(
    plan: CalibrationPlan, point: dict[str, float], seed: np.random.SeedSequence | None = None
) -> np.ndarray:
    """One replicate's target statistics at a parameter point, seeded from the point.

    Observation parameters the calibration does not fit are drawn from their priors. A
    `seed` given replaces the point's own (common random numbers across points).
    """
    values, fitted = split_point(plan.priors, point)
    scenario = with_values(plan.short_scenario, values)
    if seed is None:
        seed = point_seed(plan.calibration.seed, [point[p.key] for p in plan.priors])
    gen = np.random.default_rng(observation_seed(seed))
    observing = (with_fitted(fitted, 1, gen), gen)
    return simulate_targets(
        scenario, plan.calibration.targets, [np.random.default_rng(seed)], observing
    )[0]


def calibrate(plan: CalibrationPlan, out: Path, workers: int = 1, progress: bool = True) -> Fit:
    """Fit by the file's method into `out` (resumable either way); return the posterior."""
    if plan.calibration.rejection is not None:
        return rejection(plan, out, workers, progress)
    return smc(plan, out, workers, progress)


def rejection(plan: CalibrationPlan, out: Path, workers: int = 1, progress: bool = True) -> Fit:
    """Rejection ABC: the reference table's rows (stored under `out`) nearest the targets."""
    settings, targets = plan.calibration.rejection, plan.calibration.targets
    started = time.perf_counter()
    table = reference_table(plan, out, settings.simulations, workers, progress)
    kept = nearest(table.statistics, targets, settings.accept)
    generations = pd.DataFrame(
        {
            "t": [0],
            "epsilon": [distances(table.statistics[kept[-1:]], targets)[0]],
            "samples": [settings.simulations],
            "particles": [settings.accept],
            "acceptance": [settings.accept / settings.simulations],
            "ess": [float(settings.accept)],
        }
    )
    return Fit(
        [p.key for p in plan.priors],
        table.points[kept],
        np.full(settings.accept, 1.0 / settings.accept),
        generations,
        settings.simulations,
        time.perf_counter() - started,
    )


def smc(plan: CalibrationPlan, out: Path, workers: int = 1, progress: bool = True) -> Fit:
    """Run ABC-SMC into `out` (its history `abc.db` makes it resumable); return the posterior."""
    import pyabc  # heavy: only the calibration needs it
    from sqlalchemy.exc import SQLAlchemyError

    logging.getLogger("ABC").setLevel(logging.WARNING)
    settings, targets = plan.calibration.abc, plan.calibration.targets
    names = {p.key: p.key.replace(".", "__") for p in plan.priors}
    prior = pyabc.Distribution(
        **{names[p.key]: pyabc.RV("uniform", p.low, p.high - p.low) for p in plan.priors}
    )

    def model(parameter: dict) -> dict:
        point = {key: float(parameter[name]) for key, name in names.items()}
        return {"targets": simulate_point(plan, point)}

    def distance(x: dict, _observed: dict) -> float:
        return target_distance(x["targets"], targets)

    def new_abc() -> Any:
        return pyabc.ABCSMC(
            model,
            prior,
            distance,
            population_size=settings.population_size,
            sampler=_sampler(pyabc, workers),
            eps=pyabc.QuantileEpsilon(alpha=settings.quantile),
        )

    results_folder(out)
    database = out / "abc.db"
    started = time.perf_counter()
    try:
        history = _run_generations(plan, new_abc, database, progress)
        frame, weights = history.get_distribution(m=0, t=history.max_t)
        generations = _generations(history)
        simulations = int(history.total_nr_simulations)
    except SQLAlchemyError as exc:
        raise StoreError(
            f"{database}: the stored history cannot be used ({_first_line(exc)}); if it is "
            "damaged, delete that folder (or choose another --out) to start again"
        ) from None
    keys = [p.key for p in plan.priors]
    values = frame[[names[k] for k in keys]].to_numpy(float)
    return Fit(
        keys,
        values,
        np.asarray(weights, float) / np.sum(weights),
        generations,
        simulations,
        time.perf_counter() - started,
    )


def _run_generations(
    plan: CalibrationPlan, new_abc: Callable[[], Any], database: Path, progress: bool
) -> Any:
    """Run the generations the stored history lacks, one `run` each; return the history.

    A history that already met its stopping rule is left as it is, so running the same
    command again gives the same posterior.
    """
    settings, targets = plan.calibration.abc, plan.calibration.targets
    with tqdm(total=settings.generations, desc="ABC-SMC generations", disable=not progress) as bar:
        for t in range(settings.generations):
            abc = new_abc()
            history = _open(abc, database, targets)
            if history.max_t >= t:
                bar.update(1)
                if history.max_t == t and _converged(
                    _generations(history), settings.minimum_epsilon
                ):
                    break
                continue
            np.random.seed(
                np.random.SeedSequence(plan.calibration.seed, spawn_key=(t,)).generate_state(1)
            )
            abc.run(max_nr_populations=1, min_acceptance_rate=settings.min_acceptance_rate)
            bar.update(1)
            if history.max_t < t:  # the acceptance rate fell below its minimum
                break
            generations = _generations(history)
            bar.set_postfix(
                eps=f"{generations['epsilon'].iloc[-1]:.3g}", sims=int(generations["samples"].sum())
            )
            if _converged(generations, settings.minimum_epsilon):
                break
    if history.max_t < 0:
        raise refuse(
            plan.file,
            "abc.min_acceptance_rate",
            f"the first generation accepted fewer than {settings.min_acceptance_rate:g} of its "
            "proposals, so there is no posterior: lower it (and use another --out)",
        )
    return history


def _first_line(exc: Exception) -> str:
    """The first line of a database error: SQLAlchemy's run to several, with the SQL."""
    return str(exc).strip().splitlines()[0][:200]


def _sampler(pyabc: object, workers: int) -> object:
    """A single-core sampler (reproducible), or pyabc's multicore one (faster, not reproducible)."""
    if workers == 1:
        return pyabc.sampler.SingleCoreSampler(check_max_eval=True)
    return pyabc.sampler.MulticoreEvalParallelSampler(n_procs=workers, check_max_eval=True)


def _open(abc: object, database: Path, targets: Sequence[Target]) -> object:
    """Continue the stored history, or start one with the targets' midpoints as observed data."""
    url = f"sqlite:///{database}"
    if database.exists():
        return abc.load(url, 1)
    midpoints = np.array([(t.value[0] + t.value[1]) / 2 for t in targets])
    return abc.new(url, {"targets": midpoints})


def _generations(history: object) -> pd.DataFrame:
    """One row per finished generation: tolerance, simulations, acceptance, effective size.

    The effective sample size of the importance weights, 1 / sum(w ** 2), says how many
    particles the weighted population is worth: far below the population size, a few
    particles carry the posterior and its intervals are too narrow.
    """
    table = history.get_all_populations()
    table = table[table["t"] >= 0][["t", "epsilon", "samples", "particles"]].reset_index(drop=True)
    table["acceptance"] = table["particles"] / table["samples"]
    table["ess"] = [
        effective_sample_size(history.get_distribution(m=0, t=t)[1]) for t in table["t"]
    ]
    return table


def _converged(generations: pd.DataFrame, minimum_epsilon: float) -> bool:
    """Stop once a generation was accepted at or below the final tolerance."""
    return bool(generations["epsilon"].iloc[-1] <= minimum_epsilon)


def weighted_quantile(values: np.ndarray, weights: np.ndarray, q: float) -> float:
    """The `q` quantile of weighted values, each value at the middle of its weight's span."""
    order = np.argsort(values)
    cumulative = np.cumsum(weights[order])
    return float(np.interp(q, cumulative - 0.5 * weights[order], values[order]))


def posterior_summary(fit: Fit, plan: CalibrationPlan) -> pd.DataFrame:
    """Per parameter: prior bounds, weighted posterior median and 90% interval."""
    rows = []
    for j, prior in enumerate(plan.priors):
        p5, median, p95 = (weighted_quantile(fit.values[:, j], fit.weights, q) for q in TAILS)
        rows.append(
            {
                "key": prior.key,
                "prior_low": prior.low,
                "prior_high": prior.high,
                "median": median,
                "p5": p5,
                "p95": p95,
            }
        )
    return pd.DataFrame(rows)


def predictive(
    scenario: Scenario,
    draws: PosteriorDraws,
    targets: Sequence[Target],
    replicates: int,
    seed: int,
    observed: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Posterior predictive: replicate r runs draw k(r) of the posterior; its target statistics.

    `observed` holds the observation parameters fitted with the draws (a row per draw,
    a column per name); any other observation parameter is drawn from its prior.
    """
    steps = max(t.months[1] for t in targets) + 1
    short = override(horizon(scenario, steps), {"seed": seed})
    chosen = draws.chosen(seed, list(range(replicates)))
    names = [t.name for t in targets]
    parts = []
    for scenario_k, group in value_groups(short, replicates, draws.values_of(short, chosen)):
        gens = [np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(r,))) for r in group]
        watch = np.random.default_rng(
            np.random.SeedSequence(seed, spawn_key=(group[0], OBSERVATION_STREAM))
        )
        pars = with_fitted({}, len(group), watch)
        if observed is not None:
            rows = observed.iloc[[chosen[r] for r in group]]
            pars |= {name: rows[name].to_numpy(float) for name in observed.columns}
        part = pd.DataFrame(
            simulate_targets(scenario_k, targets, gens, (pars, watch)), columns=names
        )
        part.insert(0, "draw", [chosen[r] for r in group])
        part.insert(0, "replicate", group)
        parts.append(part)
    return pd.concat(parts).sort_values("replicate").reset_index(drop=True)


def write_outputs(plan: CalibrationPlan, fit: Fit, out: Path, workers: int) -> dict[str, Path]:
    """Write the posterior, the calibrated scenario and the tables into `out`; return them."""
    written = {
        "posterior": out / "posterior.csv",
        "calibrated": out / "calibrated.yaml",
        "observation": out / OBSERVATION_POSTERIOR,
        "summary": out / "posterior_summary.csv",
        "generations": out / "generations.csv",
        "manifest": out / "manifest.json",
    }
    write_posterior(written["posterior"], *model_columns(fit, plan))
    write_csv(written["observation"], observation_columns(fit, plan), float_format="%.6g")
    summary = posterior_summary(fit, plan)
    write_csv(written["summary"], summary, float_format="%.6g")
    write_csv(written["generations"], fit.generations, float_format="%.6g")
    write_text(
        written["calibrated"],
        calibrated_yaml(plan, summary, written["calibrated"], written["posterior"]),
    )
    manifest = fit_identity(plan) | {
        "seed": plan.calibration.seed,
        "method": METHODS["abc" if plan.calibration.abc is not None else "rejection"],
        "workers": workers,
        "simulations": fit.simulations,
        "generations": len(fit.generations),
        "final_epsilon": float(fit.generations["epsilon"].iloc[-1]),
        "final_effective_sample_size": round(float(fit.generations["ess"].iloc[-1]), 1),
        "seconds_this_session": round(fit.seconds, 1),
        "cpu_count": os.cpu_count(),
        "versions": {p: metadata.version(p) for p in ("sim", "pyabc", "numpy", "scipy")},
        "finished": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    write_json(written["manifest"], manifest)
    return written


def install_files(plan: CalibrationPlan, fit: Fit) -> list[Path]:
    """Write the posterior and the calibrated scenario to the files the calibration names.

    Only on request (`sim calibrate --install`): the loader has checked that neither is
    an input of the calibration nor a file `sim calibrate` did not write.
    """
    calibrated, posterior = plan.install_files()
    write_posterior(posterior, *model_columns(fit, plan))
    write_text(
        calibrated, calibrated_yaml(plan, posterior_summary(fit, plan), calibrated, posterior)
    )
    return [posterior, calibrated]


def calibrated_yaml(plan: CalibrationPlan, summary: pd.DataFrame, at: Path, posterior: Path) -> str:
    """A scenario file, to be written `at`, extending the calibrated scenario with the medians."""
    tree: dict = {}
    lines = []
    for prior, row in zip(plan.priors, summary.itertuples(), strict=True):
        if prior.observed:
            lines.append(
                f"#   {prior.key}: {row.median:.4g} [{row.p5:.4g}, {row.p95:.4g}] (not set here)"
            )
            continue
        value = round(row.median) if prior.integer else float(f"{row.median:.4g}")
        *parents, leaf = prior.key.split(".")
        node = tree
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = value
        lines.append(
            f"#   {prior.key}: {row.median:.4g} [{row.p5:.4g}, {row.p95:.4g}] "
            f"(prior {prior.low:g}..{prior.high:g})"
        )
    folder = at.resolve().parent
    parent = os.path.relpath(plan.scenario_file.resolve(), folder)
    header = [
        f"{CALIBRATED_HEADER} {plan.scenario.name} with the parameters fitted by ABC to",
        "# data/observed.yaml, at their posterior medians. Written by `sim calibrate` from",
        f"# {plan.file.name}; do not edit by hand (docs/calibration.md explains the fit).",
        "# Posterior median [90% interval] of each fitted parameter:",
        *lines,
        "# For parameter uncertainty as well, run with "
        f"`--posterior {os.path.relpath(posterior.resolve(), folder)}`.",
    ]
    body = {
        "extends": parent,
        "name": "calibrated",
        "description": (
            f"{plan.scenario.name} with {len([p for p in plan.priors if not p.observed])} "
            "parameters at their posterior medians (pattern-oriented ABC to every "
            "series of data/observed.yaml to June 2022; the header lists them)."
        ),
        **tree,
    }
    return "\n".join(header) + "\n" + yaml.safe_dump(body, sort_keys=False, width=88)


def model_columns(fit: Fit, plan: CalibrationPlan) -> tuple[list[str], np.ndarray, np.ndarray]:
    """The posterior's scenario parameters: keys, values (draws, keys) and weights."""
    chosen = [j for j, p in enumerate(plan.priors) if not p.observed]
    return [fit.keys[j] for j in chosen], fit.values[:, chosen], fit.weights


def observation_columns(fit: Fit, plan: CalibrationPlan) -> pd.DataFrame:
    """The posterior's observation parameters, a row per draw (as in posterior.csv), by name."""
    return pd.DataFrame(
        {p.name: fit.values[:, j] for j, p in enumerate(plan.priors) if p.observed},
        index=pd.RangeIndex(len(fit.weights), name="draw"),
    )
