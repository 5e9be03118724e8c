"""Where to put the sites: exact coverage optimisation (MILP, HiGHS) and the greedy baseline.

The models take plain data: a sparse boolean *option x demand* matrix ``covers`` (option
``o`` serves demand point ``d``), demand ``weights`` (people) and option ``costs`` (USD). An
option is a candidate site at one mast height (see :func:`coverage.planning.candidates.option_index`:
option ``o`` is candidate ``o // n_heights`` at height ``o % n_heights``); pass
``option_candidate`` so that at most one option (one mast height) is chosen per candidate.
Without it every option is its own candidate.

* :func:`maximize_coverage`: maximise people covered within a budget (maximum coverage
  location problem, Church & ReVelle 1974, "The maximal covering location problem", Papers
  of the Regional Science Association 32:101-118), optionally requiring ``k`` distinct
  sites per covered point (k-coverage for resilience).
* :func:`minimize_cost`: the cheapest set of options that covers a target share of the
  weight and every must-cover point (schools): a partial set-covering problem.
* :func:`greedy_coverage`: the cost-effectiveness greedy of Khuller, Moss & Naor 1999 ("The
  budgeted maximum coverage problem", Inf. Proc. Letters 70:39-45), with its best-single-site
  safeguard (a (1 - 1/e)/2 approximation for k = 1); it is the baseline and the MILP's warm
  start. Its bound is the LP relaxation.
* :func:`plan_network`: the full model with mast heights, relays and backhaul links to a
  point of presence (see :mod:`coverage.planning.backhaul.milp`).

Identical demand columns are merged (their weights summed) before solving, which shrinks
dense raster demand by orders of magnitude without changing the optimum.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import sparse

from coverage.errors import InfeasibleError, InputError
from coverage.planning.backhaul.milp import plan_network
from coverage.planning.covering import (
    Matrix,
    PlacementResult,
    aggregate_demand,
    check_inputs,
    check_k,
    coverage_rows,
    covered_mask,
    greedy_cover,
    greedy_select,
    make_result,
)
from coverage.planning.solver import MilpModel, solve_milp

__all__ = [
    "PlacementResult",
    "aggregate_demand",
    "covered_mask",
    "greedy_coverage",
    "maximize_coverage",
    "minimize_cost",
    "plan_network",
]

log = logging.getLogger(__name__)


def greedy_coverage(
    covers: Matrix,
    weights: ArrayLike,
    costs: ArrayLike,
    budget: float,
    *,
    k: int = 1,
    option_candidate: ArrayLike | None = None,
    option_height_m: ArrayLike | None = None,
    bound: bool = True,
) -> PlacementResult:
    """Greedy budgeted maximum coverage; the baseline for :func:`maximize_coverage`.

    Parameters are those of :func:`maximize_coverage`; ``bound=True`` also solves the LP
    relaxation of the MILP to report a proven upper bound and the greedy plan's gap.
    """
    t0 = time.perf_counter()
    A, w, c, grp = check_inputs(covers, weights, costs, option_candidate)
    check_k(k)
    sel = greedy_select(A, w, c, grp, budget, k)
    ub = math.nan
    if bound:
        ub = _lp_bound(A, w, c, grp, budget, k)
    h = None if option_height_m is None else np.asarray(option_height_m, np.float64)
    return make_result("greedy", "heuristic", sel, A, w, c, grp, k, h, ub, t0, "coverage")


def _lp_bound(
    A: sparse.csr_array,
    w: NDArray[np.float64],
    c: NDArray[np.float64],
    grp: NDArray[np.int64],
    budget: float,
    k: int,
) -> float:
    Ag, wg, _ = aggregate_demand(A, w)
    if Ag.shape[1] == 0:
        return 0.0
    M, lo, hi, _ = coverage_rows(Ag, wg, c, grp, k)
    n, g = Ag.shape
    budget_row = sparse.csr_array(np.r_[c, np.zeros(g)][None, :])
    model = MilpModel(
        np.r_[np.zeros(n), wg],
        sparse.vstack([M, budget_row]),
        [*lo, -np.inf],
        [*hi, budget],
        np.zeros(n + g),
        np.ones(n + g),
        np.zeros(n + g, np.int64),
        maximize=True,
    )
    sol = solve_milp(model, time_limit_s=30.0)
    return float(sol.objective)


# --- exact models -------------------------------------------------------------------------
def maximize_coverage(
    covers: Matrix,
    weights: ArrayLike,
    costs: ArrayLike,
    budget: float,
    *,
    method: str = "milp",
    time_limit_s: float = 30.0,
    k: int = 1,
    option_candidate: ArrayLike | None = None,
    option_height_m: ArrayLike | None = None,
    mip_rel_gap: float = 1e-4,
) -> PlacementResult:
    """Choose sites to maximise the weight (people) covered within a budget.

    Parameters
    ----------
    covers
        Sparse boolean matrix, options (rows) x demand points (columns): option ``o``
        serves point ``d``.
    weights
        People (or any weight) at each demand point.
    costs
        Cost (USD) of each option.
    budget
        Most that may be spent (USD).
    method
        "milp" (exact, HiGHS, warm-started from greedy) or "greedy".
    time_limit_s
        Solver time limit (s); on expiry the best plan found is returned with its gap.
    k
        Sites (distinct candidates) that must see a point for it to count as covered.
    option_candidate
        Candidate index of each option; at most one option per candidate is chosen (one
        mast height per site). Default: every option is its own candidate.
    option_height_m
        Mast height (m) of each option, for the result.
    mip_rel_gap
        Relative gap at which the MILP stops.

    Returns
    -------
    PlacementResult
        ``covered_weight`` with ``upper_bound`` (solver bound; LP bound for greedy) and
        ``gap``.
    """
    if method == "greedy":
        return greedy_coverage(
            covers,
            weights,
            costs,
            budget,
            k=k,
            option_candidate=option_candidate,
            option_height_m=option_height_m,
        )
    if method != "milp":
        msg = f"method must be 'milp' or 'greedy', got {method!r}."
        raise InputError(msg)
    t0 = time.perf_counter()
    A, w, c, grp = check_inputs(covers, weights, costs, option_candidate)
    check_k(k)
    h = None if option_height_m is None else np.asarray(option_height_m, np.float64)
    Ag, wg, _ = aggregate_demand(A, w)
    n, g = Ag.shape
    greedy = greedy_select(A, w, c, grp, budget, k)
    if g == 0:
        return make_result(
            "milp",
            "optimal",
            np.zeros(0, np.int64),
            A,
            w,
            c,
            grp,
            k,
            h,
            0.0,
            t0,
            "coverage",
            message="no option serves any demand point",
        )
    M, lo, hi, integ = coverage_rows(Ag, wg, c, grp, k)
    budget_row = sparse.csr_array(np.r_[c, np.zeros(g)][None, :])
    start = np.zeros(n + g)
    start[greedy] = 1.0
    counts = Ag.T.astype(np.float64) @ start[:n]
    start[n:] = (counts >= k).astype(np.float64)
    model = MilpModel(
        np.r_[np.zeros(n), wg],
        sparse.vstack([M, budget_row]),
        [*lo, -np.inf],
        [*hi, budget],
        np.zeros(n + g),
        np.ones(n + g),
        integ,
        maximize=True,
    )
    sol = solve_milp(model, time_limit_s=time_limit_s, mip_rel_gap=mip_rel_gap, start=start)
    sel = greedy if sol.x is None else np.nonzero(sol.x[:n] > 0.5)[0]
    status = sol.status if sol.x is not None else f"{sol.status} (greedy plan returned)"
    res = make_result(
        "milp",
        status,
        sel,
        A,
        w,
        c,
        grp,
        k,
        h,
        min(sol.bound, float(wg.sum())),  # the total is a bound when the root LP is cut short
        t0,
        "coverage",
        details={
            "columns": n + g,
            "rows": M.shape[0] + 1,
            "merged_demand": g,
            "solver_time_s": sol.solve_time_s,
        },
    )
    return res


def minimize_cost(
    covers: Matrix,
    weights: ArrayLike,
    costs: ArrayLike,
    *,
    target_share: float,
    must_cover: ArrayLike | None = None,
    demand_names: Sequence[str] | None = None,
    k: int = 1,
    option_candidate: ArrayLike | None = None,
    option_height_m: ArrayLike | None = None,
    method: str = "milp",
    time_limit_s: float = 30.0,
    mip_rel_gap: float = 1e-4,
) -> PlacementResult:
    """Cheapest options that cover ``target_share`` of the weight and every must-cover point.

    Parameters are those of :func:`maximize_coverage`, plus ``target_share`` (0-1 of the
    total weight), ``must_cover`` (bool per demand point, e.g. schools) and
    ``demand_names`` (used in messages). ``method="greedy"`` returns the greedy cover
    (Chvátal 1979) that also warm-starts the MILP; its ``upper_bound`` is NaN.

    Raises
    ------
    InfeasibleError
        A must-cover point (e.g. a school) is served by no option, or the target share
        exceeds what all options together can cover; the message names them.
    """
    t0 = time.perf_counter()
    A, w, c, grp = check_inputs(covers, weights, costs, option_candidate)
    check_k(k)
    h = None if option_height_m is None else np.asarray(option_height_m, np.float64)
    m = A.shape[1]
    must = np.zeros(m, bool) if must_cover is None else np.asarray(must_cover, bool)
    names = list(demand_names) if demand_names is not None else [f"point {j}" for j in range(m)]
    n_sites = covered_mask(A, np.arange(A.shape[0]), 1).astype(np.int64)
    distinct = (
        np.asarray([len(set(grp[A[:, [j]].nonzero()[0]])) for j in range(m)]) if k > 1 else n_sites
    )
    lacking = np.nonzero(must & (distinct < k))[0]
    if lacking.size:
        who = ", ".join(names[j] for j in lacking[:5])
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
    if method not in ("milp", "greedy"):
        msg = f"method must be 'milp' or 'greedy', got {method!r}."
        raise InputError(msg)
    greedy = greedy_cover(A, w, c, grp, need, must, k)
    if method == "greedy":
        return make_result("greedy", "heuristic", greedy, A, w, c, grp, k, h, math.nan, t0, "cost")
    Ag, wg, group = aggregate_demand(A, w)
    n, g = Ag.shape
    must_g = np.unique(group[must & (group >= 0)])
    M, lo, hi, integ = coverage_rows(Ag, wg, c, grp, k)
    start = np.zeros(n + g)
    start[greedy] = 1.0
    start[n:] = (Ag.T.astype(np.float64) @ start[:n] >= k).astype(np.float64)
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
    sol = solve_milp(model, time_limit_s=time_limit_s, mip_rel_gap=mip_rel_gap, start=start)
    if sol.x is None:
        msg = (
            f"No plan covering {target_share:.1%} of the people and every must-cover point "
            f"was found within {time_limit_s:.0f} s (solver status {sol.status})."
        )
        raise InfeasibleError(msg)
    sel = np.nonzero(sol.x[:n] > 0.5)[0]
    return make_result(
        "milp",
        sol.status,
        sel,
        A,
        w,
        c,
        grp,
        k,
        h,
        max(sol.bound, 0.0),
        t0,
        "cost",
        details={"columns": n + g, "merged_demand": g},
    )
