"""Where to put the sites: exact coverage optimisation (MILP, HiGHS) and the greedy baseline.

The models take one :class:`~coverage.planning.problem.CoverageProblem`: a sparse boolean
*option x demand* matrix ``covers`` (option ``o`` serves demand point ``d``), demand
``weights`` (people) and option ``costs_usd``. An option is a candidate site at one mast
height (see :func:`coverage.planning.candidates.option_index`: option ``o`` is candidate
``o // n_heights`` at height ``o % n_heights``); give ``option_candidate`` so that at most
one option (one mast height) is chosen per candidate. Without it every option is its own
candidate. :class:`~coverage.planning.problem.SolveSettings` carries the method, time limit
and gap.

* :func:`maximize_coverage`: maximise people covered within a budget (maximum coverage
  location problem, Church & ReVelle 1974, "The maximal covering location problem", Papers
  of the Regional Science Association 32:101-118), optionally requiring ``k_coverage`` distinct
  sites per covered point (k-coverage for resilience).
* :func:`minimize_cost`: the cheapest set of options that covers a target share of the
  weight and every must-cover point (schools): a partial set-covering problem.
* :func:`greedy_coverage`: the cost-effectiveness greedy of Khuller, Moss & Naor 1999 ("The
  budgeted maximum coverage problem", Inf. Proc. Letters 70:39-45), with its best-single-site
  safeguard (a (1 - 1/e)/2 approximation for k = 1); it is the baseline and the MILP's warm
  start. Its bound is the LP relaxation.
* :func:`plan_network`: the full model with mast heights, relays and backhaul links to a
  point of presence, over a :class:`~coverage.planning.problem.PlacementProblem` (see
  :mod:`coverage.planning.backhaul.milp`).

Identical demand columns are merged (their weights summed) before solving, which shrinks
dense raster demand by orders of magnitude without changing the optimum.
"""

from __future__ import annotations

import logging
import math
import time
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import sparse

from coverage.errors import InfeasibleError
from coverage.planning.backhaul.milp import plan_network
from coverage.planning.covering import (
    PlacementResult,
    aggregate_demand,
    coverage_rows,
    covered_mask,
    greedy_cover,
    greedy_select,
)
from coverage.planning.problem import (
    CoverageProblem,
    PlacementProblem,
    SiteTraffic,
    SolveSettings,
)
from coverage.planning.solver import MilpModel, MilpSolution, relative_gap, solve_milp

__all__ = [
    "EXACT",
    "CoverageProblem",
    "PlacementProblem",
    "PlacementResult",
    "SiteTraffic",
    "SolveSettings",
    "aggregate_demand",
    "covered_mask",
    "greedy_coverage",
    "maximize_coverage",
    "minimize_cost",
    "plan_network",
]

log = logging.getLogger(__name__)

#: The default settings of :func:`maximize_coverage` and :func:`minimize_cost`: exact MILP,
#: 30 s, relative gap 1e-4.
EXACT = SolveSettings(method="milp", time_limit_s=30.0, mip_rel_gap=1e-4)


def greedy_coverage(
    problem: CoverageProblem, budget_usd: float, *, bound: bool = True
) -> PlacementResult:
    """Greedy budgeted maximum coverage; the baseline for :func:`maximize_coverage`.

    Parameters
    ----------
    problem
        Options, demand, costs and ``k_coverage``.
    budget_usd
        Most that may be spent (USD, the unit of ``problem.costs_usd``).
    bound
        Also solve the LP relaxation of the MILP to report a proven upper bound and the
        greedy plan's gap (False: the bound is NaN).

    Returns
    -------
    PlacementResult
        Method "greedy", status "heuristic".
    """
    t0 = time.perf_counter()
    p = problem
    sel = greedy_select(p.covers, p.weights, p.costs_usd, p.candidate_of, budget_usd, p.k_coverage)
    ub = _lp_bound(p, budget_usd) if bound else math.nan
    return _result(p, sel, "greedy", "heuristic", ub, t0, objective="coverage")


def _result(
    problem: CoverageProblem,
    options: ArrayLike,
    method: str,
    status: str,
    bound: float,
    t0: float,
    *,
    objective: str,
    **extra: Any,
) -> PlacementResult:
    """The result of choosing ``options``: what they cover, their cost and gap."""
    p = problem
    opts = np.sort(np.asarray(options, dtype=np.int64))
    cov = covered_mask(p.covers, opts, p.k_coverage)
    weight = float(p.weights[cov].sum())
    cost = float(p.costs_usd[opts].sum())
    value = weight if objective == "coverage" else cost
    h = p.heights_m
    return PlacementResult(
        chosen=p.candidate_of[opts],
        heights_m=h[opts] if h is not None else np.full(opts.size, np.nan),
        options=opts,
        covered_weight=weight,
        upper_bound=bound,
        gap=relative_gap(value, bound),
        status=status,
        method=method,
        solve_time_s=time.perf_counter() - t0,
        cost_usd=cost,
        covered=cov,
        objective=objective,
        **extra,
    )


#: Demand points merged by cover set: (options x groups, weight of each group, group of each
#: point), as :func:`~coverage.planning.covering.aggregate_demand` returns them.
_Merged = tuple[sparse.csc_array, NDArray[np.float64], NDArray[np.int64]]


def _coverage_model(
    problem: CoverageProblem, budget_usd: float, merged: _Merged, *, relax: bool = False
) -> tuple[MilpModel, int]:
    """Maximum coverage within a budget over columns [x (options) | z (merged demand)], and
    its number of rows."""
    p = problem
    Ag, wg, _ = merged
    n, g = Ag.shape
    M, lo, hi, integ = coverage_rows(Ag, p.candidate_of, p.k_coverage)
    budget_row = sparse.csr_array(np.r_[p.costs_usd, np.zeros(g)][None, :])
    model = MilpModel(
        np.r_[np.zeros(n), wg],
        sparse.vstack([M, budget_row]),
        [*lo, -np.inf],
        [*hi, budget_usd],
        np.zeros(n + g),
        np.ones(n + g),
        np.zeros(n + g, np.int64) if relax else integ,
        maximize=True,
    )
    return model, M.shape[0] + 1


def _lp_bound(problem: CoverageProblem, budget_usd: float) -> float:
    merged = aggregate_demand(problem.covers, problem.weights)
    if merged[0].shape[1] == 0:
        return 0.0
    model, _ = _coverage_model(problem, budget_usd, merged, relax=True)
    sol = solve_milp(model, time_limit_s=30.0)
    return float(sol.objective)


def _start(k_coverage: int, merged: _Merged, sel: NDArray[np.int64]) -> NDArray[np.float64]:
    """The plan ``sel`` as a full solution over [x | z] (z: merged demand covered)."""
    Ag = merged[0]
    n, g = Ag.shape
    start = np.zeros(n + g)
    start[sel] = 1.0
    start[n:] = (Ag.T.astype(np.float64) @ start[:n] >= k_coverage).astype(np.float64)
    return start


# --- exact models -------------------------------------------------------------------------
def maximize_coverage(
    problem: CoverageProblem, budget_usd: float, settings: SolveSettings = EXACT
) -> PlacementResult:
    """Choose sites to maximise the weight (people) covered within a budget.

    Parameters
    ----------
    problem
        Options, demand, costs, the candidate of each option and ``k_coverage``.
    budget_usd
        Most that may be spent (USD, the unit of ``problem.costs_usd``).
    settings
        Method ("milp": exact, HiGHS, warm-started from greedy; "greedy"), time limit (s;
        on expiry the best plan found is returned with its gap) and relative gap
        (default :data:`EXACT`).

    Returns
    -------
    PlacementResult
        ``covered_weight`` with ``upper_bound`` (solver bound; LP bound for greedy) and
        ``gap``.
    """
    if settings.method == "greedy":
        return greedy_coverage(problem, budget_usd)
    t0 = time.perf_counter()
    p = problem
    merged = aggregate_demand(p.covers, p.weights)
    Ag, wg, _ = merged
    n, g = Ag.shape
    greedy = greedy_select(
        p.covers, p.weights, p.costs_usd, p.candidate_of, budget_usd, p.k_coverage
    )
    if g == 0:
        return _result(
            p,
            np.zeros(0, np.int64),
            "milp",
            "optimal",
            0.0,
            t0,
            objective="coverage",
            message="no option serves any demand point",
        )
    model, n_rows = _coverage_model(p, budget_usd, merged)
    sol = _solve(model, settings, _start(p.k_coverage, merged, greedy))
    sel = greedy if sol.x is None else np.nonzero(sol.x[:n] > 0.5)[0]
    status = sol.status if sol.x is not None else f"{sol.status} (greedy plan returned)"
    # the total is a bound when the root LP is cut short
    bound = min(sol.bound, float(wg.sum()))
    details = {
        "columns": n + g,
        "rows": n_rows,
        "merged_demand": g,
        "solver_time_s": sol.solve_time_s,
    }
    return _result(p, sel, "milp", status, bound, t0, objective="coverage", details=details)


def _solve(model: MilpModel, settings: SolveSettings, start: NDArray[np.float64]) -> MilpSolution:
    return solve_milp(
        model,
        time_limit_s=settings.time_limit_s,
        mip_rel_gap=settings.mip_rel_gap,
        start=start,
    )


def _check_coverable(problem: CoverageProblem, target_share: float) -> float:
    """The weight to cover; raises when a must-cover point or the target is out of reach."""
    p = problem
    A, w, grp, k = p.covers, p.weights, p.candidate_of, p.k_coverage
    m = A.shape[1]
    n_sites = covered_mask(A, np.arange(A.shape[0]), 1).astype(np.int64)
    distinct = (
        np.asarray([len(set(grp[A[:, [j]].nonzero()[0]])) for j in range(m)]) if k > 1 else n_sites
    )
    lacking = np.nonzero(p.must & (distinct < k))[0]
    if lacking.size:
        who = ", ".join(p.names[j] for j in lacking[:5])
        msg = (
            f"{who} cannot be seen by {'any candidate' if k == 1 else f'{k} candidates'} "
            "within the technology's range; add a candidate site near it or drop it from "
            "the must-cover list."
        )
        raise InfeasibleError(msg)
    reachable = float(w[distinct >= k].sum())
    need = target_share * float(w.sum())
    if need > reachable + 1e-9:
        msg = (
            f"At most {reachable / max(w.sum(), 1e-12):.1%} of the people can be covered by "
            f"the candidates, but {target_share:.1%} was asked; lower the target or add "
            "candidates."
        )
        raise InfeasibleError(msg)
    return need


def minimize_cost(
    problem: CoverageProblem, target_share: float, settings: SolveSettings = EXACT
) -> PlacementResult:
    """Cheapest options that cover ``target_share`` of the weight and every must-cover point.

    Parameters
    ----------
    problem
        Options, demand, costs, ``must_cover`` (e.g. schools), ``demand_names`` (for
        messages) and ``k_coverage``.
    target_share
        Share (0-1) of the total weight to cover.
    settings
        As for :func:`maximize_coverage`; ``method="greedy"`` returns the greedy cover
        (Chvátal 1979) that also warm-starts the MILP, with a NaN ``upper_bound``.

    Returns
    -------
    PlacementResult
        ``cost_usd`` with ``upper_bound`` (the solver's lower bound on the cost) and ``gap``.

    Raises
    ------
    InfeasibleError
        A must-cover point (e.g. a school) is served by no option, the target share
        exceeds what all options together can cover, or the solver found no plan in time;
        the message names them.
    """
    t0 = time.perf_counter()
    p = problem
    need = _check_coverable(p, target_share)
    A, w, c, grp, k = p.covers, p.weights, p.costs_usd, p.candidate_of, p.k_coverage
    greedy = greedy_cover(A, w, c, grp, need, p.must, k)
    if settings.method == "greedy":
        return _result(p, greedy, "greedy", "heuristic", math.nan, t0, objective="cost")
    merged = aggregate_demand(A, w)
    Ag, wg, group = merged
    n, g = Ag.shape
    must_g = np.unique(group[p.must & (group >= 0)])
    M, lo, hi, integ = coverage_rows(Ag, grp, k)
    target_row = sparse.csr_array(np.r_[np.zeros(n), wg][None, :])
    col_lo = np.zeros(n + g)
    col_lo[n + must_g] = 1.0
    model = MilpModel(
        np.r_[c, np.zeros(g)],
        sparse.vstack([M, target_row]),
        [*lo, need - 1e-9],
        [*hi, np.inf],
        col_lo,
        np.ones(n + g),
        integ,
    )
    sol = _solve(model, settings, _start(k, merged, greedy))
    if sol.x is None:
        msg = (
            f"No plan covering {target_share:.1%} of the people and every must-cover point "
            f"was found within {settings.time_limit_s:.0f} s (solver status {sol.status})."
        )
        raise InfeasibleError(msg)
    sel = np.nonzero(sol.x[:n] > 0.5)[0]
    bound = max(sol.bound, 0.0)
    details = {"columns": n + g, "merged_demand": g}
    return _result(p, sel, "milp", sol.status, bound, t0, objective="cost", details=details)
