"""Where to put the sites: exact coverage optimisation (MILP, HiGHS) and the greedy baseline.

The models take plain data: a sparse boolean *option x demand* matrix ``covers`` (option
``o`` serves demand point ``d``), demand ``weights`` (people) and option ``costs`` (USD). An
option is a candidate site at one mast height (see :func:`coverage.candidates.option_index`:
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
  point of presence (see :mod:`coverage.backhaul_milp`).

Identical demand columns are merged (their weights summed) before solving, which shrinks
dense raster demand by orders of magnitude without changing the optimum.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, TypeAlias

import networkx as nx
import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import sparse

from coverage.errors import InfeasibleError, InputError
from coverage.solver import relative_gap, solve_milp

__all__ = [
    "PlacementResult",
    "aggregate_demand",
    "covered_mask",
    "greedy_coverage",
    "maximize_coverage",
    "minimize_cost",
]

log = logging.getLogger(__name__)

Matrix: TypeAlias = sparse.spmatrix | sparse.sparray


@dataclass(frozen=True, eq=False)
class PlacementResult:
    """A placement: which options were chosen, what they cover and how good that is.

    Attributes
    ----------
    chosen
        Candidate indices of the access (serving) sites, ascending.
    heights_m
        Mast height (m) of each chosen site (NaN when the options carry no height).
    options
        Option indices (rows of ``covers``) of the chosen sites, aligned with ``chosen``.
    covered_weight
        Weight (people) covered: points seen by at least ``k`` chosen sites.
    upper_bound
        Proven upper bound on the coverable weight (coverage objective) or proven lower
        bound on the cost (cost objective).
    gap
        Relative optimality gap of the plan against that bound (0 when proven optimal).
    status
        "optimal", "time_limit", "heuristic" (greedy) or "infeasible".
    method
        "milp", "greedy" or "greedy+connect".
    solve_time_s
        Wall time (s).
    cost_usd
        Total cost of sites and links (USD).
    covered
        Per demand point: covered by at least ``k`` chosen sites.
    objective
        "coverage" (maximise weight within budget) or "cost" (minimise cost for a target).
    relays
        Candidate indices of relay-only sites (backhaul models).
    relay_heights_m
        Mast heights (m) of the relays.
    links
        Backhaul links built, as (node_a, node_b) pairs of graph node keys.
    graph
        The built network (sites, relays, point of presence, links with attributes), or None.
    message
        Notes in words (why a time limit stopped, what was simplified).
    details
        Solver figures (model size, bound, objective value in its own units).
    """

    chosen: NDArray[np.int64]
    heights_m: NDArray[np.float64]
    options: NDArray[np.int64]
    covered_weight: float
    upper_bound: float
    gap: float
    status: str
    method: str
    solve_time_s: float
    cost_usd: float
    covered: NDArray[np.bool_]
    objective: str = "coverage"
    relays: NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    relay_heights_m: NDArray[np.float64] = field(default_factory=lambda: np.zeros(0))
    links: tuple[tuple[Any, Any], ...] = ()
    graph: nx.Graph | None = None
    message: str = ""
    details: dict[str, Any] = field(default_factory=dict)


# --- input checks and demand aggregation ----------------------------------------------------
def _check(
    covers: Matrix, weights: ArrayLike, costs: ArrayLike, option_candidate: ArrayLike | None
) -> tuple[sparse.csr_array, NDArray[np.float64], NDArray[np.float64], NDArray[np.int64]]:
    A = sparse.csr_array(covers, dtype=bool)
    A.eliminate_zeros()
    n, m = A.shape
    w = np.asarray(weights, dtype=np.float64).ravel()
    c = np.asarray(costs, dtype=np.float64).ravel()
    if w.size != m or c.size != n:
        msg = (
            f"covers is {n} options x {m} demand points but got {w.size} weights and "
            f"{c.size} costs; give one weight per column and one cost per row."
        )
        raise InputError(msg)
    if (w < 0).any() or (c < 0).any() or not (np.isfinite(w).all() and np.isfinite(c).all()):
        msg = "weights and costs must be finite and non-negative."
        raise InputError(msg)
    grp = np.arange(n) if option_candidate is None else np.asarray(option_candidate, np.int64)
    if grp.size != n:
        msg = f"option_candidate has {grp.size} entries for {n} options."
        raise InputError(msg)
    return A, w, c, grp


def aggregate_demand(
    covers: Matrix, weights: ArrayLike
) -> tuple[sparse.csc_array, NDArray[np.float64], NDArray[np.int64]]:
    """Merge demand points that are served by exactly the same options.

    Returns
    -------
    covers_agg, weights_agg, group
        The matrix over merged columns (points served by nobody are dropped), their summed
        weights, and for each original point its merged column (-1 when nobody serves it).
    """
    A = sparse.csc_array(covers, dtype=bool)
    A.sort_indices()
    w = np.asarray(weights, dtype=np.float64)
    m = A.shape[1]
    group = np.full(m, -1, dtype=np.int64)
    keys: dict[bytes, int] = {}
    ind, ptr = A.indices, A.indptr
    for j in range(m):
        if ptr[j] == ptr[j + 1]:
            continue
        key = ind[ptr[j] : ptr[j + 1]].tobytes()
        group[j] = keys.setdefault(key, len(keys))
    g = len(keys)
    served = group >= 0
    w_agg = np.bincount(group[served], weights=w[served], minlength=g)
    rows = sparse.csc_array(
        (np.ones(int(served.sum())), (np.nonzero(served)[0], group[served])), shape=(m, g)
    )
    agg = (A.astype(np.float64) @ rows) > 0
    return sparse.csc_array(agg), np.asarray(w_agg, dtype=np.float64), group


def covered_mask(covers: Matrix, options: ArrayLike, k: int = 1) -> NDArray[np.bool_]:
    """Demand points seen by at least ``k`` of the given options."""
    A = sparse.csr_array(covers, dtype=bool)
    sel = np.zeros(A.shape[0])
    sel[np.asarray(options, dtype=np.int64)] = 1.0
    counts = A.T.astype(np.float64) @ sel
    return np.asarray(counts >= k - 1e-9)


def _result(
    method: str,
    status: str,
    options: NDArray[np.int64],
    A: sparse.csr_array,
    w: NDArray[np.float64],
    c: NDArray[np.float64],
    grp: NDArray[np.int64],
    k: int,
    heights: NDArray[np.float64] | None,
    bound: float,
    t0: float,
    objective: str,
    **extra: Any,
) -> PlacementResult:
    options = np.sort(np.asarray(options, dtype=np.int64))
    cov = covered_mask(A, options, k)
    weight = float(w[cov].sum())
    cost = float(c[options].sum())
    value = weight if objective == "coverage" else cost
    return PlacementResult(
        chosen=grp[options],
        heights_m=heights[options] if heights is not None else np.full(options.size, np.nan),
        options=options,
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


# --- the greedy baseline ----------------------------------------------------------------
def _greedy_select(
    A: sparse.csr_array,
    w: NDArray[np.float64],
    c: NDArray[np.float64],
    grp: NDArray[np.int64],
    budget: float,
    k: int,
    start: Sequence[int] = (),
) -> NDArray[np.int64]:
    """Cost-effectiveness greedy (Khuller et al. 1999) plus the best affordable single option."""
    n = A.shape[0]
    Af = A.astype(np.float64)
    counts = np.zeros(A.shape[1])
    chosen: list[int] = []
    spent = 0.0
    used_groups: set[int] = set()
    for o in start:
        chosen.append(int(o))
        spent += c[o]
        used_groups.add(int(grp[o]))
        counts += Af[[o], :].toarray().ravel()
    while True:
        need = w * (counts < k)
        gain = Af @ need / k
        ok = (spent + c <= budget + 1e-9) & (gain > 1e-12)
        if used_groups:
            ok &= ~np.isin(grp, list(used_groups))
        if chosen:
            ok[chosen] = False
        if not ok.any():
            break
        ratio = np.where(ok, gain / np.maximum(c, 1e-12), -np.inf)
        best = int(np.argmax(ratio))  # lowest index among ties: deterministic
        chosen.append(best)
        spent += c[best]
        used_groups.add(int(grp[best]))
        counts += Af[[best], :].toarray().ravel()
    sel = np.array(sorted(chosen), dtype=np.int64)
    if not start and k == 1 and n:
        single = np.where(c <= budget + 1e-9, Af @ w, -np.inf)
        best1 = int(np.argmax(single))
        if np.isfinite(single[best1]) and single[best1] > w[covered_mask(A, sel, k)].sum():
            sel = np.array([best1], dtype=np.int64)
    return sel


def _coverage_model(
    A: sparse.csc_array,
    w: NDArray[np.float64],
    c: NDArray[np.float64],
    grp: NDArray[np.int64],
    k: int,
) -> tuple[sparse.csr_array, list[float], list[float], NDArray[np.int64]]:
    """Rows shared by the coverage models over columns [x (options) | z (merged demand)].

    Returns the constraint matrix (coverage rows ``k z_g - sum_o a_og x_o <= 0``, then one
    row per candidate with several options ``sum x <= 1``), row bounds, and integrality.
    """
    n, g = A.shape
    cov_rows = sparse.hstack([-A.T.astype(np.float64), k * sparse.eye_array(g)])
    blocks = [cov_rows]
    lo: list[float] = [-np.inf] * g
    hi: list[float] = [0.0] * g
    _, inv, cnt = np.unique(grp, return_inverse=True, return_counts=True)
    multi = cnt[inv] > 1
    if multi.any():
        rows_of = np.unique(inv[multi], return_inverse=True)[1]
        G = sparse.csr_array(
            (np.ones(int(multi.sum())), (rows_of, np.nonzero(multi)[0])),
            shape=(int(rows_of.max()) + 1, n + g),
        )
        blocks.append(G)
        lo += [-np.inf] * G.shape[0]
        hi += [1.0] * G.shape[0]
    integrality = np.r_[np.ones(n, np.int64), np.full(g, 1 if k > 1 else 0, np.int64)]
    return sparse.csr_array(sparse.vstack(blocks)), lo, hi, integrality


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
    A, w, c, grp = _check(covers, weights, costs, option_candidate)
    _check_k(k)
    sel = _greedy_select(A, w, c, grp, budget, k)
    ub = math.nan
    if bound:
        ub = _lp_bound(A, w, c, grp, budget, k)
    h = None if option_height_m is None else np.asarray(option_height_m, np.float64)
    return _result("greedy", "heuristic", sel, A, w, c, grp, k, h, ub, t0, "coverage")


def _check_k(k: int) -> None:
    if int(k) != k or k < 1:
        msg = f"k (sites per covered point) must be a positive integer, got {k}."
        raise InputError(msg)


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
    M, lo, hi, _ = _coverage_model(Ag, wg, c, grp, k)
    n, g = Ag.shape
    budget_row = sparse.csr_array(np.r_[c, np.zeros(g)][None, :])
    sol = solve_milp(
        np.r_[np.zeros(n), wg],
        sparse.vstack([M, budget_row]),
        [*lo, -np.inf],
        [*hi, budget],
        np.zeros(n + g),
        np.ones(n + g),
        np.zeros(n + g, np.int64),
        maximize=True,
        time_limit_s=30.0,
    )
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
    A, w, c, grp = _check(covers, weights, costs, option_candidate)
    _check_k(k)
    h = None if option_height_m is None else np.asarray(option_height_m, np.float64)
    Ag, wg, _ = aggregate_demand(A, w)
    n, g = Ag.shape
    greedy = _greedy_select(A, w, c, grp, budget, k)
    if g == 0:
        return _result(
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
    M, lo, hi, integ = _coverage_model(Ag, wg, c, grp, k)
    budget_row = sparse.csr_array(np.r_[c, np.zeros(g)][None, :])
    start = np.zeros(n + g)
    start[greedy] = 1.0
    counts = Ag.T.astype(np.float64) @ start[:n]
    start[n:] = (counts >= k).astype(np.float64)
    sol = solve_milp(
        np.r_[np.zeros(n), wg],
        sparse.vstack([M, budget_row]),
        [*lo, -np.inf],
        [*hi, budget],
        np.zeros(n + g),
        np.ones(n + g),
        integ,
        maximize=True,
        time_limit_s=time_limit_s,
        mip_rel_gap=mip_rel_gap,
        start=start,
    )
    sel = greedy if sol.x is None else np.nonzero(sol.x[:n] > 0.5)[0]
    status = sol.status if sol.x is not None else f"{sol.status} (greedy plan returned)"
    res = _result(
        "milp",
        status,
        sel,
        A,
        w,
        c,
        grp,
        k,
        h,
        sol.bound,
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
    time_limit_s: float = 30.0,
    mip_rel_gap: float = 1e-4,
) -> PlacementResult:
    """Cheapest options that cover ``target_share`` of the weight and every must-cover point.

    Raises
    ------
    InfeasibleError
        A must-cover point (e.g. a school) is served by no option, or the target share
        exceeds what all options together can cover; the message names them.
    """
    t0 = time.perf_counter()
    A, w, c, grp = _check(covers, weights, costs, option_candidate)
    _check_k(k)
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
    Ag, wg, group = aggregate_demand(A, w)
    n, g = Ag.shape
    must_g = np.unique(group[must & (group >= 0)])
    M, lo, hi, integ = _coverage_model(Ag, wg, c, grp, k)
    target_row = sparse.csr_array(np.r_[np.zeros(n), wg][None, :])
    col_lo = np.zeros(n + g)
    col_lo[n + must_g] = 1.0
    sol = solve_milp(
        np.r_[c, np.zeros(g)],
        sparse.vstack([M, target_row]),
        [*lo, need - 1e-9],
        [*hi, np.inf],
        col_lo,
        np.ones(n + g),
        integ,
        time_limit_s=time_limit_s,
        mip_rel_gap=mip_rel_gap,
    )
    if sol.x is None:
        msg = (
            f"No plan covering {target_share:.1%} of the people and every must-cover point "
            f"was found within {time_limit_s:.0f} s (solver status {sol.status})."
        )
        raise InfeasibleError(msg)
    sel = np.nonzero(sol.x[:n] > 0.5)[0]
    return _result(
        "milp",
        sol.status,
        sel,
        A,
        w,
        c,
        grp,
        k,
        h,
        sol.bound,
        t0,
        "cost",
        details={"columns": n + g, "merged_demand": g},
    )
