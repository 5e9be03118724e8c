""":func:`plan_network`: sites, mast heights, relays and backhaul links chosen together in
one MILP (HiGHS), warm-started by the heuristics of :mod:`coverage.planning.backhaul.search`.

This module holds the solve (warm starts, the rounds of lazy demand rows and two-path
cuts) and the result; :mod:`coverage.planning.backhaul.model` prepares the problem and
:mod:`coverage.planning.backhaul.formulation` writes the matrix form. The model extends the
maximum-coverage / partial-set-cover models of :mod:`coverage.planning.placement` with a
backhaul network design, as a single-commodity flow on the candidate link graph (Magnanti &
Wong 1984, "Network design and transportation planning: models and algorithms",
Transportation Science 18:1-55):

* per candidate ``i`` and mast height ``h``: binaries ``u_ih`` (access site: serves demand
  and injects its traffic) and ``r_ih`` (relay only), at most one of them per candidate;
* per demand group ``g`` (identical cover sets merged): ``z_g`` covered (binary when
  ``k_coverage`` > 1);
* per candidate link ``e``: binary ``l_e`` (built: two backhaul radios), usable only when
  both ends are built at least at the link's ``min_height_m``;
* per arc (both directions of a candidate-candidate link, and candidate -> PoP): flow
  ``f_a`` >= 0 in Mbps. Each access site injects its traffic ``D_ih`` (Mbps, conservative:
  all the weight it can serve times ``mbps_per_weight``), relays conserve flow, the PoP
  absorbs it. ``f_ab + f_ba <= capacity_e l_e`` (half-duplex links share their capacity);
* hop limit ``H`` (optional): arc binaries ``o_a`` (``f_a <= capacity o_a``,
  ``o_ab + o_ba <= l_e``) and continuous depth labels ``0 <= d_i <= H`` with
  ``d_i >= d_j + 1 - (H + 1)(1 - o_ij)`` (Miller-Tucker-Zemlin style, Miller, Tucker &
  Zemlin 1960, J. ACM 7:326-329): every arc carrying flow steps one level closer to the
  PoP, so every site's traffic reaches it within ``H`` links;
* two edge-disjoint paths (optional): cut-set rows ``sum_{e in delta(S)} l_e >= 2 u_s`` for
  every site set ``S`` holding access site ``s`` but not the PoP, added lazily (row
  generation: solve, find bridges of the built network with networkx, add the violated
  cuts, solve again). The backup path is not held to the hop limit or to capacity.

Objective: maximise people covered within a budget (a tiny cost penalty breaks ties toward
cheaper plans), or minimise cost so that a target share and every must-cover point are
covered. The greedy-then-connect plan (greedy coverage, then
:func:`coverage.planning.backhaul.connect.connect_to_pop`) is the baseline; improved by
single swaps and by the whole-plan local search of :mod:`coverage.planning.backhaul.search` (also
from greedy plans with less access spend), then by its seeded iterated local search
(kicks), it is the warm start, and the result is never worse than it. The kicks stop at
75 % of the time limit, so the plan is deterministic when they all fit.

Size control, all exact except the last: demand points with identical cover sets are
merged; under a budget, demand rows are generated lazily (the groups seen by the fewest
options first, then any group a plan leaves uncovered, until none is; the bound counts
unmodelled groups as covered, so it stays valid); nodes beyond the hop limit are dropped.
SIMPLIFICATION: :attr:`~coverage.planning.problem.PlacementProblem.max_links_per_site`
(default 8) keeps only each site's most useful candidate links, so optimality and bound
are relative to that pruned graph.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass, field

import networkx as nx
import numpy as np
from numpy.typing import NDArray

from coverage.errors import InfeasibleError
from coverage.planning.backhaul.formulation import Cut, start_vector, violated_cuts
from coverage.planning.backhaul.model import FIRST_ROWS_NNZ, BackhaulModel, BackhaulPlan
from coverage.planning.backhaul.search import (
    GreedyStart,
    greedy_then_connect,
    improve_plan,
    lighter_starts,
    perturb_search,
    swap_then_connect,
)
from coverage.planning.covering import PlacementResult
from coverage.planning.problem import DEFAULT_SOLVE, PlacementProblem, SolveSettings
from coverage.planning.solver import relative_gap

__all__ = ["plan_network"]

log = logging.getLogger(__name__)

#: Share of ``time_limit_s`` after which the iterated local search starts no new kick (the
#: rest is HiGHS's, for its bound).
_SEARCH_SHARE = 0.75


def plan_network(
    problem: PlacementProblem,
    settings: SolveSettings = DEFAULT_SOLVE,
    *,
    kicks: int = 40,
    seed: int = 0,
    first_rows_nnz: int = FIRST_ROWS_NNZ,
) -> PlacementResult:
    """Choose access sites, mast heights, relays and backhaul links to the PoP together.

    Parameters
    ----------
    problem
        Coverage matrix, weights, link graph, candidates, mast heights (m), costs (USD),
        PoP, budget (USD) or target share, must-cover points, ``k_coverage``, hop limit,
        two paths, the traffic model (Mbps) and the link pruning.
    settings
        "milp" (exact, warm-started from greedy-then-connect) or "greedy" (greedy coverage
        then cheapest hop-limited connection; bound from the LP relaxation); the overall
        time limit (s; the best plan found is returned with its gap) and the relative gap.
    kicks
        Kicks of the iterated local search on the warm start
        (:func:`coverage.planning.backhaul.search.perturb_search`; 0 turns it off). No kick
        starts after 75 % of ``settings.time_limit_s``.
    seed
        Seed of the generator that picks the kicks.
    first_rows_nnz
        Coverage nonzeros of the demand rows in the first model (coverage objective); the
        other groups enter when a plan leaves them uncovered.

    Returns
    -------
    PlacementResult
        ``chosen`` (access candidates), ``relays``, ``links`` and ``graph`` filled in;
        ``details`` also holds the greedy-then-connect plan's cost and coverage.

    Raises
    ------
    InfeasibleError
        In words: a must-cover point no candidate sees, or only candidates without a relay
        chain to the PoP within the hop limit see; no candidate reaches the PoP; a target
        above what reachable candidates can cover; no plan meets every constraint.
    """
    t0 = time.perf_counter()
    model = BackhaulModel.build(problem, first_rows_nnz=first_rows_nnz)
    greedy = greedy_then_connect(model)
    if settings.method == "greedy":
        _, bound = model.solve(settings.time_limit_s, settings.mip_rel_gap, start=None, relax=True)
        return _result(model, greedy.plan, "greedy+connect", "heuristic", bound, t0, "")
    deadline_s = t0 + _SEARCH_SHARE * settings.time_limit_s
    first = _warm_start(model, greedy, deadline_s, kicks=kicks, seed=seed)
    model.activate_missing(greedy.plan)  # what the warm starts miss is where the plans differ
    model.activate_missing(first)
    rounds = _Rounds(model, greedy.plan, first, settings, t0)
    plan, status = rounds.run()
    if model.budget_usd is None and not model.meets_target(plan):
        # a plan from incomplete constraint rounds must never be returned short of the
        # target or a must-cover point: the greedy cover is feasible
        plan = greedy.plan
        status = f"{status} (greedy plan returned: the solver plan misses the target)"
    msg = f"{rounds.rounds} solve(s)"
    if model.two_paths:
        msg += f", {len(rounds.cuts)} two-path cut(s)"
    res = _result(model, plan, "milp", status, rounds.bound, t0, msg)
    res.details.update(
        greedy_cost_usd=greedy.plan.cost,
        greedy_covered_weight=model.covered_weight(greedy.plan),
        rounds=rounds.rounds,
        modelled_demand_groups=int(model.active.sum()),
    )
    return res


def _warm_start(
    model: BackhaulModel, greedy: GreedyStart, deadline_s: float, *, kicks: int, seed: int
) -> BackhaulPlan:
    """The best of the swapped greedy plan and the local searches from it, from greedy and
    from lighter greedy plans, then improved by the kicks until ``deadline_s``."""
    first = swap_then_connect(model, greedy)
    # the swaps may spend the budget the moves need, and so may greedy: lighter starts too
    for base in (greedy.plan, first, *lighter_starts(model, greedy)):
        moved = improve_plan(model, base)
        if moved is not base and model.better(moved, first) and model.feasible(moved):
            first = moved
    # iterated local search on the best of them, within a share of the time limit
    kicked = perturb_search(model, first, kicks=kicks, seed=seed, deadline_s=deadline_s)
    if kicked is not first and model.feasible(kicked):
        first = kicked
    return first


@dataclass
class _Rounds:
    """The solve rounds of :func:`plan_network`: solve, then add the demand rows and the
    two-path cuts the plan shows missing and solve again, until none is missing."""

    model: BackhaulModel
    greedy: BackhaulPlan
    first: BackhaulPlan
    settings: SolveSettings
    t0: float
    cuts: list[Cut] = field(default_factory=list)
    rounds: int = 0
    bound: float = math.nan

    def run(self) -> tuple[BackhaulPlan, str]:
        """The last round's plan and its status in words."""
        start_plan: BackhaulPlan | None = self.first
        while True:
            plan, status, done = self._round(start_plan)
            if done:
                return plan, status
            start_plan = self._next_start(plan)
            if time.perf_counter() - self.t0 > self.settings.time_limit_s:
                return plan, "time_limit (constraint rounds incomplete)"

    def _round(self, start_plan: BackhaulPlan | None) -> tuple[BackhaulPlan, str, bool]:
        m = self.model
        self.rounds += 1
        left = max(self.settings.time_limit_s - (time.perf_counter() - self.t0), 0.5)
        start = start_vector(m, start_plan) if start_plan is not None else None
        sol, self.bound = m.solve(left, self.settings.mip_rel_gap, start=start, cuts=self.cuts)
        if sol.x is None:
            if sol.status == "infeasible":
                raise InfeasibleError(m.explain_infeasible())
            return self.greedy, f"{sol.status} (greedy plan returned)", True
        plan, status = m.decode(sol.x), sol.status
        if not self.cuts and m.better(self.first, plan) and m.feasible(self.first):
            plan, status = self.first, f"{sol.status} (warm start kept)"
        missing = m.activate_missing(plan)
        new = violated_cuts(m, plan) if m.two_paths else []
        self.cuts.extend(new)
        return plan, status, not missing and not new

    def _next_start(self, plan: BackhaulPlan) -> BackhaulPlan | None:
        if self.model.budget_usd is not None and not self.cuts:
            return plan
        return self.greedy if not self.cuts else None


def _result(
    model: BackhaulModel,
    plan: BackhaulPlan,
    method: str,
    status: str,
    bound: float,
    t0: float,
    message: str,
) -> PlacementResult:
    """The placement result of a plan, with its gap against ``bound``."""
    m = model
    nh = m.n_heights
    covered = m.covered(plan)
    weight = float(m.w[covered].sum())
    if m.budget_usd is not None:
        ub = min(bound, float(m.wg.sum()))
        value = weight
    else:
        ub = max(bound, 0.0)
        value = plan.cost
    acc = sorted(plan.access)
    rel = sorted(plan.relays)
    G = _built_graph(m, plan, covered)
    links = tuple((u, v) for u, v in G.edges())
    return PlacementResult(
        chosen=np.array(acc, dtype=np.int64),
        heights_m=np.array([m.heights_m[plan.access[i]] for i in acc]),
        options=np.array([i * nh + plan.access[i] for i in acc], dtype=np.int64),
        covered_weight=weight,
        upper_bound=float(ub),
        gap=relative_gap(value, ub) if math.isfinite(ub) else math.inf,
        status=status,
        method=method,
        solve_time_s=time.perf_counter() - t0,
        cost_usd=plan.cost,
        covered=covered,
        objective="coverage" if m.budget_usd is not None else "cost",
        relays=np.array(rel, dtype=np.int64),
        relay_heights_m=np.array([m.heights_m[plan.relays[i]] for i in rel]),
        links=links,
        graph=G,
        message=message,
        details={
            "columns": m.cols.n,
            "merged_demand": int(m.Ag.shape[1]),
            "candidate_links": len(m.net.edges),
        },
    )


def _built_graph(model: BackhaulModel, plan: BackhaulPlan, covered: NDArray[np.bool_]) -> nx.Graph:
    """The built network: access sites and relays with their roles, masts, costs and what
    they cover, the PoP(s), and the links with their attributes."""
    m = model
    nh = m.n_heights
    graph = m.problem.graph
    G = nx.Graph(crs=graph.graph.get("crs"))
    Af = m.A.astype(np.float64)
    for role, table, costs in (
        ("access", plan.access, m.access_cost_usd),
        ("relay", plan.relays, m.relay_cost_usd),
    ):
        for i, h in table.items():
            o = i * nh + h
            key = m.ids[i]
            row = Af[[o], :].toarray().ravel() > 0
            access = role == "access"
            attrs = {
                a: v
                for a, v in graph.nodes[key].items()
                if a in _NODE_ATTRS and a != "mast_height_m"  # set below
            }
            G.add_node(
                key,
                **attrs,
                role=role,
                mast_height_m=float(m.heights_m[h]),
                cost_usd=float(costs[o]),
                people_covered=float(m.w[row & covered].sum()) if access else 0.0,
                schools_covered=int((row & covered & m.must).sum()) if access else 0,
                candidate_index=i,
            )
    for e in plan.edges:
        a, b = (int(v) for v in m.net.edges[e])
        ka = m.ids[a]
        kb = m.net.pop_of_edge[e] if b == m.net.n else m.ids[b]
        for key in (ka, kb):
            if key not in G:
                attrs = {x: v for x, v in graph.nodes[key].items() if x in _NODE_ATTRS}
                G.add_node(key, **attrs, role="pop", cost_usd=0.0)
        attrs = {x: v for x, v in graph.edges[ka, kb].items() if x in _EDGE_ATTRS}
        G.add_edge(ka, kb, **attrs, cost_usd=m.link_cost_usd)
    return G


_NODE_ATTRS = ("x", "y", "name", "ground_elevation_m", "mast_height_m")
_EDGE_ATTRS = ("length_m", "clearance_ratio", "margin_db", "capacity_mbps", "min_height_m")
