"""Covering models shared by the placement solvers: the result type, demand merging, the
greedy heuristics and the coverage rows of the MILPs.

Option x demand matrices are sparse and boolean: option ``o`` (a candidate at one mast
height) serves demand point ``d``. See :mod:`coverage.planning.placement` for the public API.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeAlias

import networkx as nx
import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import sparse

__all__ = ["Matrix", "PlacementResult", "aggregate_demand", "covered_mask", "group_sums"]

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
        Weight (people) covered: points seen by at least ``k_coverage`` chosen sites.
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
        Per demand point: covered by at least ``k_coverage`` chosen sites.
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
    warnings
        What the solver cannot stand behind, one sentence each (stopped before its target
        gap by a limit, a fallback plan returned); empty for a plan proven within the gap.
        Every output shows them and the CLI exits with a distinct code.
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
    warnings: tuple[str, ...] = ()


# --- demand aggregation ------------------------------------------------------------------
def group_sums(
    values: NDArray[np.float64], group: NDArray[np.int64], n_groups: int
) -> NDArray[np.float64]:
    """Per merged demand group (:func:`aggregate_demand`), the sum of ``values`` over its
    points.

    Parameters
    ----------
    values
        One value per demand point.
    group
        Group of each point (-1: seen by no option, left out).
    n_groups
        Number of groups.

    Returns
    -------
    numpy.ndarray
        One sum per group.
    """
    seen = group >= 0
    return np.bincount(group[seen], weights=values[seen], minlength=n_groups).astype(np.float64)


def aggregate_demand(
    covers: Matrix, weights: ArrayLike
) -> tuple[sparse.csc_array, NDArray[np.float64], NDArray[np.int64]]:
    """Merge demand points that are served by exactly the same options.

    Parameters
    ----------
    covers
        Options x demand points, boolean (sparse).
    weights
        People at each demand point.

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


def covered_mask(covers: Matrix, options: ArrayLike, k_coverage: int = 1) -> NDArray[np.bool_]:
    """Demand points seen by at least ``k_coverage`` of the given options.

    Parameters
    ----------
    covers
        Options x demand points, boolean.
    options
        Indices of the chosen options (rows of ``covers``).
    k_coverage
        Options that must see a point for it to count as covered.

    Returns
    -------
    numpy.ndarray
        Per demand point: covered.
    """
    A = sparse.csr_array(covers, dtype=bool)
    sel = np.zeros(A.shape[0])
    sel[np.asarray(options, dtype=np.int64)] = 1.0
    counts = A.T.astype(np.float64) @ sel
    return np.asarray(counts >= k_coverage - 1e-9)


# --- the greedy baseline ----------------------------------------------------------------
def greedy_select(
    A: sparse.csr_array,
    w: NDArray[np.float64],
    c: NDArray[np.float64],
    grp: NDArray[np.int64],
    budget_usd: float,
    k_coverage: int,
    start: Sequence[int] = (),
) -> NDArray[np.int64]:
    """Cost-effectiveness greedy (Khuller et al. 1999) plus the best affordable single option.

    Parameters
    ----------
    A
        Options x demand points, boolean CSR.
    w
        People at each demand point.
    c
        Cost (USD) of each option (1e30 bars an option).
    grp
        Candidate of each option: one option per candidate at most.
    budget_usd
        Most that may be spent (USD).
    k_coverage
        Options that must see a point for it to count as covered.
    start
        Options chosen before the greedy steps (then no single-option safeguard).

    Returns
    -------
    numpy.ndarray
        The chosen option indices, ascending.
    """
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
        need = w * (counts < k_coverage)
        gain = Af @ need / k_coverage
        ok = (spent + c <= budget_usd + 1e-9) & (gain > 1e-12)
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
    if not start and k_coverage == 1 and n:
        single = np.where(c <= budget_usd + 1e-9, Af @ w, -np.inf)
        best1 = int(np.argmax(single))
        if np.isfinite(single[best1]) and single[best1] > w[covered_mask(A, sel, k_coverage)].sum():
            sel = np.array([best1], dtype=np.int64)
    return sel


def coverage_rows(
    A: sparse.csc_array,
    grp: NDArray[np.int64],
    k_coverage: int,
) -> tuple[sparse.csr_array, list[float], list[float], NDArray[np.int64]]:
    """Rows shared by the coverage models over columns [x (options) | z (merged demand)].

    Parameters
    ----------
    A
        Options x merged demand groups (:func:`aggregate_demand`).
    grp
        Candidate of each option.
    k_coverage
        Options that must see a group for it to count as covered.

    Returns
    -------
    matrix, row_lower, row_upper, integrality
        Coverage rows ``k_coverage z_g - sum_o a_og x_o <= 0``, then one row per candidate
        with several options ``sum x <= 1``; their bounds; 1 for the integer columns (the
        options, and the groups when ``k_coverage > 1``).
    """
    n, g = A.shape
    cov_rows = sparse.hstack([-A.T.astype(np.float64), k_coverage * sparse.eye_array(g)])
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
    integrality = np.r_[np.ones(n, np.int64), np.full(g, 1 if k_coverage > 1 else 0, np.int64)]
    return sparse.csr_array(sparse.vstack(blocks)), lo, hi, integrality


def greedy_cover(
    A: sparse.csr_array,
    w: NDArray[np.float64],
    c: NDArray[np.float64],
    grp: NDArray[np.int64],
    need_weight: float,
    must: NDArray[np.bool_],
    k_coverage: int = 1,
    allowed: NDArray[np.bool_] | None = None,
) -> NDArray[np.int64]:
    """Greedy partial set cover (Chvátal 1979, "A greedy heuristic for the set-covering
    problem", Math. Oper. Res. 4:233-235): cheapest gain per dollar until every must-cover
    point is seen by ``k_coverage`` options and the covered weight reaches ``need_weight``.

    Must-cover points come first: while some are short, only options serving one of them
    are eligible.

    Parameters
    ----------
    A
        Options x demand points, boolean CSR.
    w
        People at each demand point.
    c
        Cost (USD) of each option.
    grp
        Candidate of each option: one option per candidate at most.
    need_weight
        People to cover.
    must
        Per demand point: must be covered.
    k_coverage
        Options that must see a point for it to count as covered.
    allowed
        Per option: may be chosen (None: all).

    Returns
    -------
    numpy.ndarray
        The chosen option indices, ascending (possibly short of the target when the options
        cannot reach it).
    """
    Af = A.astype(np.float64)
    ok_opt = np.ones(A.shape[0], bool) if allowed is None else allowed.copy()
    counts = np.zeros(A.shape[1])
    chosen: list[int] = []
    while True:
        short_must = must & (counts < k_coverage)
        covered_w = float(w[counts >= k_coverage].sum())
        if not short_must.any() and covered_w >= need_weight - 1e-9:
            break
        if short_must.any():
            gain = Af @ short_must.astype(np.float64)
            gain = np.where(
                gain > 0, gain * (w.sum() + 1.0) + Af @ (w * (counts < k_coverage)), 0.0
            )
        else:
            gain = Af @ (w * (counts < k_coverage))
        eligible = ok_opt & (gain > 1e-12)
        if not eligible.any():
            break
        ratio = np.where(eligible, gain / np.maximum(c, 1e-12), -np.inf)
        best = int(np.argmax(ratio))
        chosen.append(best)
        ok_opt &= grp != grp[best]
        counts += Af[[best], :].toarray().ravel()
    return np.array(sorted(chosen), dtype=np.int64)


def improve_by_swaps(
    A: sparse.csr_array,
    w: NDArray[np.float64],
    c: NDArray[np.float64],
    grp: NDArray[np.int64],
    budget_usd: float,
    sel: Sequence[int] | NDArray[np.int64],
    *,
    max_rounds: int = 20,
    stop: Callable[[], bool] | None = None,
) -> NDArray[np.int64]:
    """Local search for budgeted maximum coverage (k_coverage = 1): best single swap of a chosen
    option for an unchosen one (any candidate not already used, within the budget), repeated
    while the covered weight grows. A 1-swap neighbourhood in the sense of Resende 1998
    ("Computing approximate solutions of the maximum covering problem with GRASP", J. of
    Heuristics 4:161-177).

    Parameters
    ----------
    A
        Options x demand points, boolean CSR.
    w
        People at each demand point.
    c
        Cost (USD) of each option.
    grp
        Candidate of each option: one option per candidate at most.
    budget_usd
        Most that may be spent (USD).
    sel
        The options chosen to start from (e.g. :func:`greedy_select`'s), within the budget.
    max_rounds
        At most this many swaps.
    stop
        Asked before each round after the first; True ends the search (a deadline).

    Returns
    -------
    numpy.ndarray
        The chosen option indices, ascending.
    """
    Af = A.astype(np.float64)
    AT = sparse.csr_array(Af.T)
    cur = [int(o) for o in sel]
    counts = AT @ np.bincount(cur, minlength=A.shape[0]).astype(np.float64)
    for r in range(max_rounds):
        if r and stop is not None and stop():
            break
        best = (0.0, -1, -1)
        spent = float(c[cur].sum())
        used = set(grp[cur].tolist())
        for o in cur:
            row = Af[[o], :].toarray().ravel()
            left = counts - row
            loss = float(w[(left <= 0) & (counts > 0)].sum())
            gain = Af @ (w * (left <= 0))  # weight each option would add back
            ok = spent - c[o] + c <= budget_usd + 1e-9
            ok &= ~np.isin(grp, list(used - {int(grp[o])}))
            ok[cur] = False
            delta = np.where(ok, gain - loss, -np.inf)
            j = int(np.argmax(delta))
            if delta[j] > best[0] + 1e-9:
                best = (float(delta[j]), o, j)
        if best[1] < 0:
            break
        _, o, j = best
        cur.remove(o)
        cur.append(j)
        counts += Af[[j], :].toarray().ravel() - Af[[o], :].toarray().ravel()
    return np.array(sorted(cur), dtype=np.int64)
