"""The heuristic plans of :func:`coverage.planning.backhaul.milp.plan_network`: the greedy
baseline and the local searches that make its warm start.

Greedy-then-connect (:func:`greedy_then_connect`: greedy coverage or greedy cover, then
:func:`coverage.planning.backhaul.connect.connect_to_pop`) is the baseline;
:func:`swap_then_connect` improves its access sites by single swaps and
:func:`lighter_starts` gives greedy plans with less access spend. Greedy-then-connect
builds dedicated relays, and HiGHS, started from it, rarely finds the cheap moves that a
plan with relays offers. :func:`improve_plan` is a first-improvement local search over
three moves, each kept only when the plan stays within budget, hop limit, link heights and
link capacities (:func:`~coverage.planning.backhaul.routing.route_plan`: the traffic
routed over the plan's own links as the MILP's flow rows ask):

* a relay becomes an access site (a relay costs little less than an access site at the
  same mast, and already has its links);
* an access site or relay changes mast height (never below what its links need);
* a new access site joins the plan by one link to a built node or the PoP.

The moves are those of the add/swap neighbourhoods for facility location (Kuehn & Hamburger
1963, "A heuristic program for locating warehouses", Management Science 9:643-666), on the
plan with its backhaul; relays a move leaves at the end of a line go
(:func:`prune_relay_leaves`). :mod:`coverage.planning.backhaul.kicks` wraps the search in
an iterated local search. Heuristics: they give no bound, the MILP does.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Sequence
from dataclasses import dataclass

import networkx as nx
import numpy as np
from numpy.typing import NDArray
from scipy import sparse

from coverage.planning.backhaul.connect import TreeLimits, connect_to_pop
from coverage.planning.backhaul.model import BackhaulModel, BackhaulPlan
from coverage.planning.backhaul.routing import link_degrees, route_plan
from coverage.planning.covering import greedy_cover, greedy_select, improve_by_swaps
from coverage.planning.deadline import Deadline

__all__ = [
    "GreedyStart",
    "connect",
    "copy_plan",
    "fits_network",
    "greedy_then_connect",
    "improve_plan",
    "lighter_starts",
    "prune_relay_leaves",
    "swap_then_connect",
]

log = logging.getLogger(__name__)

#: No deadline: every phase runs its whole work budget.
NO_DEADLINE = Deadline()


# --- greedy then connect ----------------------------------------------------------------------
@dataclass(frozen=True)
class GreedyStart:
    """The greedy-then-connect plan and the access spend it was built with.

    Attributes
    ----------
    plan
        The plan (empty when nothing fits the budget).
    access_spend_usd
        The budget (USD) the greedy coverage was given for access sites, before the
        backhaul was added (0 for the cost objective).
    """

    plan: BackhaulPlan
    access_spend_usd: float


def greedy_then_connect(model: BackhaulModel, deadline: Deadline = NO_DEADLINE) -> GreedyStart:
    """Greedy coverage (or greedy cover), then the cheapest hop-limited connection.

    Under a budget, the share of it given to access sites is bisected (16 steps) for the
    plan with the most coverage whose total cost, backhaul included, fits.

    Parameters
    ----------
    model
        The problem.
    deadline
        After it, no new bisection step starts (the first always runs).

    Returns
    -------
    GreedyStart
        The plan and its access spend (USD).
    """
    m = model
    nh = m.n_heights
    grp = np.arange(m.A.shape[0]) // nh
    opt_ok = np.repeat(m.access_ok, nh)
    if m.need_weight is not None:
        sel = greedy_cover(
            m.A,
            m.share_w,
            m.access_cost_usd,
            grp,
            m.need_weight,
            m.must,
            m.k_coverage,
            allowed=opt_ok,
        )
        return GreedyStart(connect(m, sel), 0.0)
    budget = m.budget_usd
    assert budget is not None
    costs = np.where(opt_ok, m.access_cost_usd, 1e30)
    best = BackhaulPlan({}, {}, [])
    best_w = -1.0
    spend = 0.0
    lo, hi = 0.0, budget
    for step in range(16):
        if step and deadline.passed("greedy bisection"):
            break
        mid = hi if step == 0 else (lo + hi) / 2
        plan = connect(m, greedy_select(m.A, m.w, costs, grp, mid, m.k_coverage))
        if plan.cost <= budget + 1e-6:
            cw = m.covered_weight(plan)
            if cw > best_w:
                best, best_w, spend = plan, cw, mid
            lo = mid
            if mid == budget:
                break
        else:
            hi = mid
        if hi - lo < 1.0:
            break
    return GreedyStart(best, spend)


def swap_then_connect(
    model: BackhaulModel, greedy: GreedyStart, deadline: Deadline = NO_DEADLINE
) -> BackhaulPlan:
    """A better warm start (coverage objective, ``k_coverage`` 1): the greedy plan's access
    sites improved by best single swaps within the access spend greedy used, then connected.

    Parameters
    ----------
    model
        The problem.
    greedy
        The greedy-then-connect plan and its access spend.
    deadline
        After it, no new swap round starts (none at all once it has passed).

    Returns
    -------
    BackhaulPlan
        The swapped plan, or the greedy plan when that does not fit the budget or covers
        less.
    """
    m, plan0 = model, greedy.plan
    if m.budget_usd is None or m.k_coverage != 1 or not plan0.access:
        return plan0
    if deadline.passed("swaps"):
        return plan0
    nh = m.n_heights
    grp = np.arange(m.A.shape[0]) // nh
    costs = np.where(np.repeat(m.access_ok, nh), m.access_cost_usd, 1e30)
    start = [i * nh + h for i, h in plan0.access.items()]
    spend = max(greedy.access_spend_usd, float(costs[start].sum()))
    stop = functools.partial(deadline.passed, "swaps")
    sel = improve_by_swaps(m.A, m.w, costs, grp, spend, start, stop=stop)
    plan = connect(m, sel)
    if plan.cost <= m.budget_usd + 1e-6 and m.better(plan, plan0):
        log.info(
            "plan_network: swaps lift the warm start from %.1f to %.1f",
            m.covered_weight(plan0),
            m.covered_weight(plan),
        )
        return plan
    return plan0


def lighter_starts(
    model: BackhaulModel,
    greedy: GreedyStart,
    shares: Sequence[float] = (0.9, 0.8, 0.7),
    deadline: Deadline = NO_DEADLINE,
) -> list[BackhaulPlan]:
    """Greedy-then-connect plans with less access spend: budget left for the local search
    to turn relays into access sites (coverage objective, ``k_coverage`` 1).

    Parameters
    ----------
    model
        The problem.
    greedy
        The greedy-then-connect plan and its access spend (USD).
    shares
        Shares of that spend to give the greedy coverage.
    deadline
        After it, no new plan is built.

    Returns
    -------
    list of BackhaulPlan
        The plans that have an access site and fit the budget.
    """
    m = model
    if m.budget_usd is None or m.k_coverage != 1:
        return []
    nh = m.n_heights
    grp = np.arange(m.A.shape[0]) // nh
    costs = np.where(np.repeat(m.access_ok, nh), m.access_cost_usd, 1e30)
    plans = []
    for share in shares:
        if deadline.passed("lighter starts"):
            break
        spend = share * greedy.access_spend_usd
        sel = greedy_select(m.A, m.w, costs, grp, spend, m.k_coverage)
        plan = connect(m, sel) if sel.size else None
        if plan is not None and plan.access and plan.cost <= m.budget_usd + 1e-6:
            plans.append(plan)
    return plans


def connect(model: BackhaulModel, sel: NDArray[np.int64]) -> BackhaulPlan:
    """The access options ``sel`` joined to the PoP by
    :func:`~coverage.planning.backhaul.connect.connect_to_pop` over the reduced graph.

    Parameters
    ----------
    model
        The problem.
    sel
        Option indices of the access sites.

    Returns
    -------
    BackhaulPlan
        The priced plan; sites that cannot be joined, within the hop limit and the link
        capacities, are left out.
    """
    m = model
    nh, n = m.n_heights, m.net.n
    H = nx.Graph()
    for e, (a, b) in enumerate(m.net.edges):
        H.add_edge(
            int(a),
            int(b),
            min_height_m=float(m.net.req_h[e]),
            capacity_mbps=float(m.net.cap[e]),
            e=e,
        )
    for o in sel:  # links may raise the mast: the most traffic of its height or taller
        i, h = int(o // nh), int(o % nh)
        H.add_node(i, traffic_mbps=float(m.traffic_mbps[i * nh + h : (i + 1) * nh].max()))
    hs = [float(h) for h in m.heights_m]
    table = {i: {hs[h]: float(m.relay_cost_usd[i * nh + h]) for h in range(nh)} for i in range(n)}
    site_table = {
        i: {hs[h]: float(m.access_cost_usd[i * nh + h]) for h in range(nh)} for i in range(n)
    }
    want = {int(o // nh): hs[int(o % nh)] for o in sel}
    heights, relays, links = connect_to_pop(
        H,
        list(want),
        n,
        site_height_m=want,
        relay_cost_usd=table,
        site_cost_usd=site_table,
        link_cost_usd=m.link_cost_usd,
        limits=TreeLimits(m.hop_limit, m.problem.max_links_at_site),
    )
    access = {i: hs.index(heights[i]) for i in want if i in heights and i not in relays}
    rel = {i: hs.index(heights[i]) for i in relays}
    edges = [int(H.edges[a, b]["e"]) for a, b in links]
    plan = BackhaulPlan(access, rel, edges)
    plan.cost = m.plan_cost(plan)
    return plan


# --- local search -----------------------------------------------------------------------------
def improve_plan(
    model: BackhaulModel,
    plan: BackhaulPlan,
    *,
    max_moves: int = 200,
    deadline: Deadline = NO_DEADLINE,
) -> BackhaulPlan:
    """Improve a feasible plan's covered weight (coverage objective) by local moves.

    Parameters
    ----------
    model
        The problem (its ``budget_usd`` must be set: coverage objective).
    plan
        A feasible plan (e.g. greedy-then-connect), or the empty plan: the search then grows
        a network from the PoP one linked access site at a time.
    max_moves
        Most improving moves made.
    deadline
        After it, no new move is examined: the plan is the last one reached (each move
        examined costs a routing check, so a search can take minutes on a large area).

    Returns
    -------
    BackhaulPlan
        A plan covering at least as much, within the budget; ``plan`` itself when no move
        improves it, the objective is cost or the deadline has passed.
    """
    if model.budget_usd is None or model.k_coverage != 1:
        return plan
    A = sparse.csr_array(model.A, dtype=bool)
    w = model.w
    nh = model.n_heights
    counts = np.zeros(A.shape[1], np.int64)
    for i, h in plan.access.items():
        counts[_row(A, i * nh + h)] += 1
    Af = sparse.csr_array(A, dtype=np.float64)
    cur = copy_plan(plan)
    value = float(w[counts > 0].sum())
    moves = 0
    while moves < max_moves and not deadline.passed("local search"):
        best = _first_feasible(model, _scored_moves(model, cur, A, Af, counts), deadline)
        if best is None:
            break
        gain, nxt = best
        for i, h in cur.access.items():
            counts[_row(A, i * nh + h)] -= 1
        for i, h in nxt.access.items():
            counts[_row(A, i * nh + h)] += 1
        value += gain
        cur = nxt
        moves += 1
    if moves:  # one line per search at DEBUG: the kicks run it dozens of times
        log.debug(
            "plan_network: %d local moves lift the warm start to %.1f (%.0f USD)",
            moves,
            value,
            cur.cost,
        )
    return cur


def _scored_moves(
    model: BackhaulModel,
    cur: BackhaulPlan,
    A: sparse.csr_array,
    Af: sparse.csr_array,
    counts: NDArray[np.int64],
) -> list[tuple[float, _Move]]:
    """Every move from ``cur`` with its gain in covered weight (people)."""
    w = model.w
    nh, n = model.n_heights, model.net.n
    # gain of each option joining as a new access site: one sparse product
    add_gain = Af @ (w * (counts == 0))
    scored: list[tuple[float, _Move]] = []
    for cand, o in _neighbours(model, cur, n, nh):
        gain = add_gain[o] if o >= 0 else _gain(A, w, counts, cur, _make(cand), nh)
        scored.append((float(gain), cand))
    for i, h in cur.access.items():  # swaps: a leaf access site out, a new one in
        swaps = _swaps(model, cur, i, n, nh)
        if not swaps:
            continue
        row = _row(A, i * nh + h)
        only = row[counts[row] == 1]
        unc = counts == 0
        unc[only] = True
        after = Af @ (w * unc)
        loss = float(w[only].sum())
        scored.extend((float(after[o]) - loss, cand) for cand, o in swaps)
    return scored


def _first_feasible(
    model: BackhaulModel, scored: list[tuple[float, _Move]], deadline: Deadline
) -> tuple[float, BackhaulPlan] | None:
    """The move of most gain that fits the budget and the network, or None (also when the
    deadline passes before one is found)."""
    budget = model.budget_usd
    assert budget is not None
    order = sorted(range(len(scored)), key=lambda k: -scored[k][0])
    for k in order:
        gain, move = scored[k]
        if gain <= 1e-9 or deadline.passed("local search"):
            break
        cand = prune_relay_leaves(model, _make(move))  # a swap may strand a relay
        cand.cost = model.plan_cost(cand)
        if cand.cost <= budget + 1e-6 and fits_network(model, cand):
            return gain, cand
    return None


def prune_relay_leaves(model: BackhaulModel, p: BackhaulPlan) -> BackhaulPlan:
    """Drop relays left with one link or none, with their links, until none is left.

    A relay at the end of a line serves nobody (and the MILP's valid inequality, that a
    relay has two links, refuses it).

    Parameters
    ----------
    model
        The problem (its reduced graph).
    p
        The plan; changed in place.

    Returns
    -------
    BackhaulPlan
        ``p``, not re-priced.
    """
    while True:
        deg = link_degrees(model, p)
        leaves = [i for i in p.relays if deg.get(i, 0) <= 1]
        if not leaves:
            return p
        for i in leaves:
            del p.relays[i]
            p.edges = [e for e in p.edges if i not in model.net.edges[e]]


def copy_plan(p: BackhaulPlan) -> BackhaulPlan:
    """A copy of a plan that shares nothing with it.

    Parameters
    ----------
    p
        The plan.

    Returns
    -------
    BackhaulPlan
        New dictionaries and list, the same cost.
    """
    return BackhaulPlan(dict(p.access), dict(p.relays), list(p.edges), p.cost, p.hotspots)


def _row(A: sparse.csr_array, o: int) -> NDArray[np.int32]:
    return A.indices[A.indptr[o] : A.indptr[o + 1]]


def _gain(
    A: sparse.csr_array,
    w: NDArray[np.float64],
    counts: NDArray[np.int64],
    old: BackhaulPlan,
    new: BackhaulPlan,
    nh: int,
) -> float:
    """Covered weight of ``new`` minus that of ``old``, from the cover counts of ``old``."""
    delta: dict[int, int] = {}
    for i, h in old.access.items():
        if new.access.get(i) != h:
            delta[i * nh + h] = delta.get(i * nh + h, 0) - 1
    for i, h in new.access.items():
        if old.access.get(i) != h:
            delta[i * nh + h] = delta.get(i * nh + h, 0) + 1
    if not delta:
        return 0.0
    pts = np.unique(np.concatenate([_row(A, o) for o in delta]))
    c = counts[pts].copy()
    for o, dv in delta.items():
        c[np.searchsorted(pts, _row(A, o))] += dv
    return float(w[pts][c > 0].sum() - w[pts][counts[pts] > 0].sum())


#: A plan one move away: built, or (base plan, new access candidate, its height index, its
#: link), built only when examined (most are scored and never examined).
_Move = BackhaulPlan | tuple[BackhaulPlan, int, int, int]


def _make(m: _Move) -> BackhaulPlan:
    if isinstance(m, BackhaulPlan):
        return m
    base, x, h, e = m
    q = copy_plan(base)
    q.access[x] = h
    q.edges.append(e)
    return q


def _neighbours(
    model: BackhaulModel, p: BackhaulPlan, n: int, nh: int, *, adds_only: bool = False
) -> list[tuple[_Move, int]]:
    """Plans one move away, with the option that joins as a new access site (-1: none)."""
    net = model.net
    built = {**p.access, **p.relays}
    need = _needed_height(model, p)
    out: list[tuple[_Move, int]] = []
    for i, h in (
        {} if adds_only else p.relays.items()
    ):  # relay -> access site, at its height or taller
        if not model.access_ok[i]:
            continue
        for h2 in range(h, nh):
            q = copy_plan(p)
            del q.relays[i]
            q.access[i] = h2
            out.append((q, -1))
    for i, h in {} if adds_only else built.items():  # another mast height
        for h2 in range(nh):
            if h2 == h or model.heights_m[h2] < need.get(i, 0.0) - 1e-9:
                continue
            q = copy_plan(p)
            (q.access if i in p.access else q.relays)[i] = h2
            out.append((q, -1))
    # a new access site x by one link e to a built node or the PoP y (order: e, then the
    # direction, then the height: vectorised over all candidate links)
    ends = np.asarray(net.edges, dtype=np.int64).reshape(-1, 2)
    xs = np.stack([ends[:, 0], ends[:, 1]], axis=1)  # (E, 2): x per direction
    ys = np.stack([ends[:, 1], ends[:, 0]], axis=1)
    top = np.full(n + 1, -np.inf)  # mast of each built node, PoP as tall as any link
    for i, h in built.items():
        top[i] = model.heights_m[h]
    top[n] = np.inf
    ok_x = np.append(model.access_ok, False) & ~np.isfinite(top)
    req = np.asarray(net.req_h, dtype=np.float64)[:, None]
    ok = ok_x[xs] & (top[ys] >= req - 1e-9)  # (E, 2)
    tall = model.heights_m[None, None, :] >= req[:, :, None] - 1e-9  # (E, 1, nh)
    for e, d, h2 in zip(*np.nonzero(ok[:, :, None] & tall), strict=True):
        x = int(xs[e, d])
        out.append(((p, x, int(h2), int(e)), x * nh + int(h2)))
    return out


def _swaps(
    model: BackhaulModel, p: BackhaulPlan, i: int, n: int, nh: int
) -> list[tuple[_Move, int]]:
    """Access site ``i``, when a leaf (one link, relaying nothing), leaves with its link, and
    a new access site joins by one link: the plans and the joining options."""
    net = model.net
    mine = [e for e in p.edges if i in net.edges[e]]
    if len(mine) != 1:
        return []
    q = copy_plan(p)
    del q.access[i]
    q.edges = [e for e in p.edges if e != mine[0]]
    adds = _neighbours(model, q, n, nh, adds_only=True)
    return [(r, o) for r, o in adds if o >= 0 and o // nh != i]


def _needed_height(model: BackhaulModel, p: BackhaulPlan) -> dict[int, float]:
    need: dict[int, float] = {}
    for e in p.edges:
        for v in model.net.edges[e]:
            need[int(v)] = max(need.get(int(v), 0.0), float(model.net.req_h[e]))
    return need


def fits_network(model: BackhaulModel, p: BackhaulPlan) -> bool:
    """Whether a plan's links are tall enough at both ends and carry its traffic to the PoP
    within the link capacities and the hop limit
    (:func:`~coverage.planning.backhaul.routing.route_plan`).

    Parameters
    ----------
    model
        The problem.
    p
        The plan.

    Returns
    -------
    bool
        True when it does, with at most ``max_links_at_site`` links at any node (budget and
        relay degrees are not checked here).
    """
    net = model.net
    limit = model.problem.max_links_at_site
    if limit is not None and p.edges:
        ends = np.asarray([net.edges[e] for e in p.edges], dtype=np.int64).ravel()
        if np.bincount(ends).max() > limit:
            return False
    built = {**p.access, **p.relays}
    for e in p.edges:
        for v in (int(x) for x in net.edges[e]):
            if v != net.n and (v not in built or model.heights_m[built[v]] < net.req_h[e] - 1e-9):
                return False
    return route_plan(model, p) is not None
