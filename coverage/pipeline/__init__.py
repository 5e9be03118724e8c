"""The planning pipeline: a scenario in, a :class:`~coverage.plan.Plan` and its files out.

Stages, each a function a notebook can call on its own (see
``notebooks/01_palmitas_quickstart.ipynb``), all re-exported here:

1. Stage one, in two steps:

   a. :func:`~coverage.pipeline.resolve.resolve` (:mod:`~coverage.pipeline.resolve`): the
      scenario's technology, antenna pattern, propagation model and cost table, built once
      into a :class:`~coverage.pipeline.resolve.ResolvedScenario`; every mistake the
      scenario alone can cause is raised here, before any data is read.
   b. :func:`~coverage.pipeline.prepare.prepare_inputs` (:mod:`~coverage.pipeline.prepare`):
      resolve the area's layers, validate every layer and the DEM *before any computation*,
      load the terrain in the working CRS and build the demand points, into
      :class:`~coverage.pipeline.prepare.Inputs`.
   c. :func:`~coverage.pipeline.existing.existing_service` (:mod:`~coverage.pipeline.existing`):
      the service people already have, from the area's optional ``existing_sites`` layer,
      predicted as the candidates are, on every demand point (``served_existing``); with
      ``[existing] target = "unserved"`` the placement plans for the rest only.

2. :func:`~coverage.pipeline.stages.build_candidates`: terrain high points, schools and user
   sites.
3. :func:`~coverage.pipeline.stages.coverage_matrix`: received power from every candidate
   at every mast height to every demand point, computed by block of candidates;
   :func:`plan_coverage` keeps it sparse (:func:`~coverage.pipeline.stages.sparse_coverage`:
   only the pairs at or above the service threshold, the placement's covers' pairs).
4. :func:`~coverage.pipeline.stages.choose_sites`: the placement (HiGHS MILP or greedy)
   with backhaul to the point of presence over the candidate link graph; the problem it
   solves is :func:`~coverage.pipeline.stages.placement_problem`'s.
5. :func:`~coverage.pipeline.assemble.assemble_plan`: per-demand status (covered, or why
   not), the coverage raster from the chosen sites, the sites and links tables, the
   assumptions, models and metrics.

Every stage after :func:`resolve` takes the resolved scenario first and, from
:func:`prepare_inputs` on, the :class:`Inputs`. The two stay separate objects: the resolved
scenario is cheap and reads no data, so ``coverage-plan validate`` and :func:`plan_coverage`
report scenario mistakes before touching the layers, and a notebook can resolve a changed
scenario (another budget, antenna or objective) and run the later stages again on the same
loaded data and coverage matrix. Pair them with care: :class:`Inputs` hold what the
scenario's area, ``[demand]`` and ``[propagation]`` grid and land cover produced, and a
resolved scenario that changes those sections needs :func:`prepare_inputs` again.

:func:`plan_coverage` runs 1-5; :func:`write_plan` writes a plan's outputs into its
scenario's folder, in its language; :func:`run_scenario` does both.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from coverage.pipeline.assemble import assemble_plan
from coverage.pipeline.existing import existing_service
from coverage.pipeline.prepare import Inputs, prepare_inputs
from coverage.pipeline.resolve import ResolvedScenario, resolve
from coverage.pipeline.sparsecov import SparseCoverage
from coverage.pipeline.stages import (
    Placement,
    build_candidates,
    choose_sites,
    coverage_matrix,
    demand_weights,
    placement_problem,
    pop_node,
    sparse_coverage,
)
from coverage.plan import Plan
from coverage.scenario import Scenario, load_scenario

__all__ = [
    "Inputs",
    "Placement",
    "ResolvedScenario",
    "SparseCoverage",
    "assemble_plan",
    "build_candidates",
    "choose_sites",
    "coverage_matrix",
    "demand_weights",
    "existing_service",
    "placement_problem",
    "plan_coverage",
    "pop_node",
    "prepare_inputs",
    "resolve",
    "run_scenario",
    "sparse_coverage",
    "write_plan",
]

log = logging.getLogger(__name__)


@contextmanager
def _stage(name: str, timings: dict[str, float]) -> Iterator[None]:
    t0 = time.perf_counter()
    yield
    timings[name] = round(time.perf_counter() - t0, 3)
    log.info("stage %s: %.1f s", name, timings[name])


def plan_coverage(
    scenario: Scenario | str | os.PathLike[str] | None = None,
    *,
    mirror: str | os.PathLike[str] | None = None,
    progress: bool = False,
) -> Plan:
    """Run every stage of a scenario and return the :class:`~coverage.plan.Plan`.

    Parameters
    ----------
    scenario
        A :class:`~coverage.scenario.Scenario`, a scenario TOML path, or ``None`` for the
        bundled Palmitas scenario.
    mirror
        Mirror folder of the input data (default ``$COVERAGE_DATA_MIRROR``).
    progress
        Show progress bars for the long stages.

    Returns
    -------
    Plan
        The plan; its metrics hold the seconds each stage took (``timings_s``).

    Raises
    ------
    ScenarioError
        The scenario is invalid (raised before any data is read) or places a point outside
        the terrain.
    InputError, DataSourceError
        The input data is missing or unusable.
    InfeasibleError
        The placement has no solution.
    """
    s = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    timings: dict[str, float] = {}
    with _stage("inputs", timings):
        resolved = resolve(s)
        inputs = prepare_inputs(resolved, mirror=mirror)
    with _stage("existing_service", timings):
        inputs = existing_service(resolved, inputs)
    with _stage("candidates", timings):
        candidates = build_candidates(resolved, inputs)
    with _stage("coverage_matrix", timings):
        rx = sparse_coverage(resolved, inputs, candidates, progress=progress)
    with _stage("placement", timings):
        placement = choose_sites(resolved, inputs, candidates, rx)
    with _stage("plan", timings):
        plan = assemble_plan(resolved, inputs, candidates, rx, placement, timings=timings)
    return plan


def run_scenario(
    scenario: Scenario | str | os.PathLike[str] | None = None,
    *,
    out_dir: str | os.PathLike[str] | None = None,
    mirror: str | os.PathLike[str] | None = None,
    progress: bool = False,
    formats: list[str] | None = None,
) -> dict[str, Path]:
    """Plan a scenario and write its outputs.

    Parameters
    ----------
    scenario
        As for :func:`plan_coverage`.
    out_dir
        Output folder (default: the scenario's ``out_dir``).
    mirror
        Mirror folder of the input data (default ``$COVERAGE_DATA_MIRROR``).
    progress
        Show progress bars for the long stages.
    formats
        Output kinds to write (default: all), as :func:`coverage.outputs.export.write_outputs`
        takes them.

    Returns
    -------
    dict[str, Path]
        Output name -> path of the file written.

    See Also
    --------
    write_plan : Writes a plan already made; the plan's warnings are then at hand.
    """
    s = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    t0 = time.perf_counter()
    plan = plan_coverage(s, mirror=mirror, progress=progress)
    outputs = write_plan(plan, out_dir=out_dir, formats=formats)
    log.info("plan %s made and written in %.1f s", s.name, time.perf_counter() - t0)
    return outputs


def write_plan(
    plan: Plan,
    *,
    out_dir: str | os.PathLike[str] | None = None,
    formats: list[str] | None = None,
) -> dict[str, Path]:
    """Write a plan's outputs in the language of its scenario.

    Parameters
    ----------
    plan
        The plan, e.g. from :func:`plan_coverage`; the outputs show its
        :attr:`~coverage.plan.Plan.warnings` first.
    out_dir
        Output folder (default: the ``out_dir`` of the plan's scenario).
    formats
        Output kinds to write (default: all), as :func:`coverage.outputs.export.write_outputs`
        takes them.

    Returns
    -------
    dict[str, Path]
        Output name -> path of the file written.
    """
    from coverage.outputs.export import write_outputs

    s = plan.scenario
    folder = Path(out_dir if out_dir is not None else s.out_dir)
    outputs = write_outputs(plan, folder, language=s.language, formats=formats)
    log.info("plan %s written to %s", s.name, folder)
    return outputs
