"""Build the placement problems of the larger-area benchmarks and pickle them.

Run (minutes per area: the ITM coverage matrix dominates)::

    python -m tests.benchmarks.build_problems OUT_DIR [--shared DIR] [--only NAME ...]

For the default Palmitas scenario and for the areas of
:func:`tests.benchmarks.territories.build_area` (Palmitas + San Cristóbal with 300 and 600
terrain candidates; the three corregimientos with 400 and 1,000), the pipeline stages run
up to :func:`coverage.pipeline.placement_problem`, the problem
:func:`coverage.pipeline.choose_sites` would solve; each problem is pickled to
``OUT_DIR/<name>.pkl`` and its size figures are printed and written to
``OUT_DIR/summary.json``. The area folders are written into a temporary folder and removed
(they are derived from the shared public data and never committed); keep OUT_DIR out of the
repository for the same reason.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from coverage import pipeline as pipe
from coverage.planning.problem import PlacementProblem
from coverage.scenario import Scenario, load_scenario
from tests.benchmarks.territories import build_area

__all__ = ["PROBLEMS", "ProblemSpec", "build_problem", "default_shared", "main"]


@dataclass(frozen=True)
class ProblemSpec:
    """One benchmark problem: an area of corregimientos and a candidate count.

    Attributes
    ----------
    name
        File stem of the pickle.
    codes
        Corregimiento codes; empty for the default Palmitas scenario as it is.
    max_candidates
        Terrain candidates (``[candidates] max_candidates``); ignored for the default
        scenario, which has its own.
    """

    name: str
    codes: tuple[str, ...] = ()
    max_candidates: int = 300


#: The problems built by default, smallest first.
PROBLEMS = (
    ProblemSpec("palmitas"),
    ProblemSpec("palmitas_sancristobal_c300", ("50", "60"), 300),
    ProblemSpec("palmitas_sancristobal_c600", ("50", "60"), 600),
    ProblemSpec("three_corregimientos_c400", ("50", "60", "70"), 400),
    ProblemSpec("three_corregimientos_c1000", ("50", "60", "70"), 1000),
)


def default_shared() -> Path:
    """The shared data folder: the parent of ``$COVERAGE_DATA_MIRROR``, else beside the checkout.

    Returns
    -------
    Path
        The folder holding ``palmitas/`` and ``medellin_rural/``.
    """
    mirror = os.environ.get("COVERAGE_DATA_MIRROR")
    if mirror:
        return Path(mirror).resolve().parent
    return Path(__file__).resolve().parents[2].parent / "shared" / "data"


def build_problem(scenario: Scenario, mirror: Path | None = None) -> tuple[PlacementProblem, dict]:
    """Run the pipeline stages of a scenario up to its placement problem.

    Parameters
    ----------
    scenario
        The scenario.
    mirror
        Data mirror for layers not beside the area file (None: ``$COVERAGE_DATA_MIRROR``).

    Returns
    -------
    problem, figures
        The placement problem and its size figures: candidates, options, demand points,
        covers nnz, candidate links, and the seconds each stage took.
    """
    times: dict[str, float] = {}
    t0 = time.perf_counter()
    resolved = pipe.resolve(scenario)
    inputs = pipe.prepare_inputs(resolved, mirror=mirror)
    times["inputs_s"] = time.perf_counter() - t0
    t = time.perf_counter()
    candidates = pipe.build_candidates(resolved, inputs)
    times["candidates_s"] = time.perf_counter() - t
    t = time.perf_counter()
    rx, _ = pipe.coverage_matrix(resolved, inputs, candidates)
    times["coverage_s"] = time.perf_counter() - t
    t = time.perf_counter()
    problem = pipe.placement_problem(resolved, inputs, candidates, rx)
    times["problem_s"] = time.perf_counter() - t
    times["total_s"] = time.perf_counter() - t0
    figures = {
        "scenario": scenario.name,
        "area": scenario.area.name,
        "people": float(inputs.demand["population"].sum()),
        "budget_usd": problem.budget_usd,
        "terrain_cells": list(inputs.terrain.shape),
        "candidates": len(candidates),
        "candidates_by_source": {
            str(k): int(v) for k, v in candidates["source"].value_counts().items()
        },
        "options": int(problem.covers.shape[0]),
        "demand_points": int(problem.covers.shape[1]),
        "schools": int((inputs.demand["kind"] == "school").sum()),
        "covers_nnz": int(problem.covers.nnz),
        "candidate_links": int(problem.graph.number_of_edges()),
        **{k: round(v, 1) for k, v in times.items()},
    }
    return problem, figures


def _report(name: str, f: dict) -> str:
    return (
        f"{name}: {f['candidates']} candidates ({f['candidates_by_source']}) x "
        f"{f['options'] // max(f['candidates'], 1)} heights = {f['options']} options, "
        f"{f['demand_points']} demand points ({f['schools']} schools), {f['covers_nnz']:,} covers "
        f"nnz, {f['candidate_links']:,} candidate links, budget {f['budget_usd']:,.0f} USD; "
        f"built in {f['total_s']:.0f} s (inputs {f['inputs_s']:.0f}, candidates "
        f"{f['candidates_s']:.0f}, coverage {f['coverage_s']:.0f}, links and problem "
        f"{f['problem_s']:.0f})"
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Build, pickle and describe the benchmark problems.

    Parameters
    ----------
    argv
        Command-line arguments (None: ``sys.argv[1:]``).

    Returns
    -------
    int
        The exit status, 0.
    """
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out_dir", type=Path, help="folder of the pickles (outside the repo)")
    parser.add_argument("--shared", type=Path, default=None, help="shared data folder")
    parser.add_argument("--only", nargs="*", default=None, help="names of the problems to build")
    args = parser.parse_args(argv)
    shared = args.shared or default_shared()
    specs = [p for p in PROBLEMS if args.only is None or p.name in args.only]
    args.out_dir.mkdir(parents=True, exist_ok=True)
    summary_path = args.out_dir / "summary.json"
    summary = json.loads(summary_path.read_text()) if summary_path.is_file() else {}
    with tempfile.TemporaryDirectory(prefix="coverage-areas-") as tmp:
        for spec in specs:
            if spec.codes:
                territory = build_area(
                    spec.codes, Path(tmp) / spec.name, shared, max_candidates=spec.max_candidates
                )
                scenario = load_scenario(territory.scenario)
            else:
                scenario = load_scenario()
            problem, figures = build_problem(scenario, mirror=shared / "palmitas")
            with (args.out_dir / f"{spec.name}.pkl").open("wb") as fh:
                pickle.dump(problem, fh, protocol=pickle.HIGHEST_PROTOCOL)
            summary[spec.name] = figures
            summary_path.write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n")
            print(_report(spec.name, figures), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
