"""A robust policy search (`sim optimize`): NSGA-II over the levers, scored over the SOWs.

Each generation's candidates run on the same states of the world and replicate seeds
(`sim.runs.population`), in one batch of sweeps on the executor, and are scored by
their robustness per objective (`sim.analysis.robustness`). The scenario's own policy
runs first: it is the regret's reference. Every generation is stored in
`out/generations/NNNN/`, so a rerun replays the stored ones (NSGA-II asks for the same
candidates, given the same scores) and resumes the first unfinished one. The results:
`pareto.csv` (the Pareto set: levers and robustness), `policies.csv` (the Pareto
policies beside the scenario's own and the compared scenarios, on the same SOWs),
`evaluations.csv` (every candidate), `states.csv` and `manifest.json`.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from sim.analysis.robustness import robustness, sow_values, to_minimise
from sim.analysis.search import nsga2
from sim.inputs.robust import SearchPlan
from sim.inputs.scenario import load_with_origin
from sim.inputs.schema import Scenario
from sim.runs.executor import Executor
from sim.runs.output import write_csv, write_json
from sim.runs.population import run_population
from sim.runs.states import draw_states
from sim.runs.store import OutputMismatchError, ResultStore

CLAIM = "search.json"


@dataclass(frozen=True)
class SearchOutput:
    """The tables a search wrote: its Pareto set and the policies compared on the same SOWs."""

    pareto: pd.DataFrame
    policies: pd.DataFrame
    written: list[Path]


def run_search(
    plan: SearchPlan, out: Path, executor: Executor, *, progress: bool = True
) -> SearchOutput:
    """Run (or resume) the search of `plan` into `out` on `executor`; write its tables."""
    started = time.perf_counter()
    with ResultStore(out).lock():
        claim(plan, out)
        search = plan.search
        states = draw_states(
            plan.scenario,
            search.states.count,
            search.states.seed,
            posterior=plan.posterior,
            uncertainties=plan.uncertainties,
        )
        scorer = Scorer(plan, states, out, executor, progress)
        reference = scorer.values(plan.scenario, pd.DataFrame(index=[0]), "policies/own", "own")
        scorer.reference = [row[0] for row in reference]
        low = np.array([lever.low for lever in plan.levers])
        high = np.array([lever.high for lever in plan.levers])
        result = nsga2(
            low,
            high,
            len(search.objectives),
            scorer.generation,
            population=search.algorithm.population,
            generations=search.algorithm.generations,
            seed=search.algorithm.seed,
        )
        evaluations = scorer.table(result.x, np.concatenate(scorer.figures))
        evaluations.insert(0, "generation", result.generation)
        pareto = evaluations.iloc[result.pareto].reset_index(drop=True)
        pareto.insert(0, "policy", [f"pareto-{i}" for i in range(len(pareto))])
        policies = pd.concat([pareto.drop(columns="generation"), scorer.compared()])
        written = _write(out, {"states": states, "evaluations": evaluations, "pareto": pareto,
                               "policies": policies})  # fmt: skip
        write_json(out / "manifest.json", _manifest(plan, states, pareto, started))
    return SearchOutput(pareto, policies.reset_index(drop=True), [*written, out / "manifest.json"])


class Scorer:
    """Runs policies on the search's SOWs and scores them: the evaluator NSGA-II calls."""

    def __init__(
        self, plan: SearchPlan, states: pd.DataFrame, out: Path, executor: Executor, progress: bool
    ) -> None:
        self.plan, self.states, self.out = plan, states, out
        self.executor, self.progress = executor, progress
        self.reference: list[np.ndarray] = []
        self.figures: list[np.ndarray] = []  # each generation's robustness, as reported

    def generation(self, x: np.ndarray, number: int) -> np.ndarray:
        """The robustness (minimised) of a generation's candidates; their figures kept."""
        total = self.plan.search.algorithm.generations
        values = self.values(
            self.plan.scenario,
            self.policies(x),
            f"generations/{number:04d}",
            f"generation {number + 1}/{total}",
        )
        figures = self.robustness(values)
        self.figures.append(figures)
        objectives = self.plan.search.objectives
        return np.column_stack([to_minimise(o, figures[:, j]) for j, o in enumerate(objectives)])

    def values(
        self, scenario: Scenario, policies: pd.DataFrame, folder: str, label: str
    ) -> list[np.ndarray]:
        """Per objective, (policies, SOWs): the policies' mean outcome in each SOW."""
        runs = run_population(
            scenario,
            policies,
            self.states,
            self.out / folder,
            replicates=self.plan.search.replicates,
            executor=self.executor,
            label=label,
            progress=self.progress,
        )
        return [sow_values(runs, o.outcome, scenario.steps) for o in self.plan.search.objectives]

    def robustness(self, values: list[np.ndarray]) -> np.ndarray:
        """(policies, objectives): each policy's robustness figure per objective."""
        objectives = self.plan.search.objectives
        return np.column_stack(
            [
                robustness(o, v, self.reference[j])
                for j, (o, v) in enumerate(zip(objectives, values, strict=True))
            ]
        )

    def policies(self, x: np.ndarray) -> pd.DataFrame:
        """The lever values of each row of coordinates, a column per lever key."""
        return pd.DataFrame(
            {
                lever.key: [lever.value(v) for v in x[:, i]]
                for i, lever in enumerate(self.plan.levers)
            }
        )

    def table(self, x: np.ndarray, figures: np.ndarray) -> pd.DataFrame:
        """Lever values and robustness figures side by side, one row per policy."""
        labels = [o.label for o in self.plan.search.objectives]
        return pd.concat([self.policies(x), pd.DataFrame(figures, columns=labels)], axis=1)

    def compared(self) -> pd.DataFrame:
        """The scenario's own policy and each compared scenario, scored on the same SOWs.

        A compared scenario runs as its file says (events included), with the search's
        seed and steps; its lever columns hold its values at month 0.
        """
        settings = {"seed": self.plan.scenario.seed, "steps": self.plan.scenario.steps}
        rows = []
        for file in (self.plan.file, *self.plan.compare_with):
            own = file == self.plan.file
            scenario = self.plan.scenario if own else load_with_origin(file, settings)[0]
            name = "own" if own else scenario.name
            values = self.values(scenario, pd.DataFrame(index=[0]), f"policies/{name}", name)
            x = np.array([[_coordinate(scenario, lever.key) for lever in self.plan.levers]])
            row = self.table(x, self.robustness(values))
            row.insert(0, "policy", "own policy" if own else scenario.name)
            rows.append(row)
        return pd.concat(rows)


def claim(plan: SearchPlan, out: Path) -> None:
    """Mark `out` as this search's, or refuse it if it holds another search file's results."""
    path = out / CLAIM
    mine = {"search_file": str(plan.file), "search_sha256": plan.sha256}
    if path.exists():
        theirs = json.loads(path.read_text())
        if theirs.get("search_sha256") != plan.sha256:
            raise OutputMismatchError(
                f"{out} holds the search of {theirs.get('search_file')} (another text: "
                f"sha256 {str(theirs.get('search_sha256'))[:12]}, not {plan.sha256[:12]}); "
                "give another --out, or the same file to resume"
            )
        return
    if any(p.name != ".lock" for p in out.iterdir()):
        raise OutputMismatchError(f"{out} holds other files; give an empty or new --out")
    write_json(path, mine)


def _coordinate(scenario: Scenario, key: str) -> float:
    """A scenario's value at a lever key, as a coordinate (a switch as 0 or 1)."""
    node = scenario.model_dump()
    for part in key.split("."):
        node = node[part]
    return float(node)


def _write(out: Path, tables: dict[str, pd.DataFrame]) -> list[Path]:
    written = []
    for name, table in tables.items():
        path = out / f"{name}.csv"
        write_csv(path, table)
        written.append(path)
    return written


def _manifest(plan: SearchPlan, states: pd.DataFrame, pareto: pd.DataFrame, started: float) -> dict:
    search = plan.search
    return {
        "kind": "optimize",
        "name": search.name,
        "search_file": str(plan.file),
        "search_sha256": plan.sha256,
        "scenario_name": plan.scenario.name,
        "seed": plan.scenario.seed,
        "steps": plan.scenario.steps,
        "replicates_per_state": search.replicates,
        "states": len(states),
        "posterior": str(plan.posterior) if plan.posterior else None,
        "uncertainties": list(plan.uncertainties),
        "levers": [lever.key for lever in plan.levers],
        "objectives": [o.model_dump() | {"label": o.label} for o in search.objectives],
        "algorithm": {"name": "NSGA-II (pymoo)"} | search.algorithm.model_dump(),
        "pareto_policies": len(pareto),
        "finished": datetime.now(UTC).isoformat(timespec="seconds"),
        "seconds_this_session": round(time.perf_counter() - started, 3),
    }
