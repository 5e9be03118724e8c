"""Sites, mast heights, relays and backhaul links chosen together in one MILP (HiGHS).

The model extends the maximum-coverage / partial-set-cover models of
:mod:`coverage.planning.placement` with a backhaul network design, as a single-commodity flow on
the candidate link graph (Magnanti & Wong 1984, "Network design and transportation
planning: models and algorithms", Transportation Science 18:1-55):

* per candidate ``i`` and mast height ``h``: binaries ``u_ih`` (access site: serves demand
  and injects its traffic) and ``r_ih`` (relay only), at most one of them per candidate;
* per demand group ``g`` (identical cover sets merged): ``z_g`` covered (binary when k > 1);
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
:func:`coverage.planning.backhaul.connect.connect_to_pop`) is the baseline; improved by single swaps
and by the whole-plan local search of :mod:`coverage.planning.backhaul.search` (also from greedy plans with
less access spend), then by its seeded iterated local search (kicks), it is the warm start,
and the result is never worse than it. The kicks stop at 75 % of the time limit, so the
plan is deterministic when they all fit (Palmitas: warm starts and 40 kicks take ~13 s on
2 cores, within the scenario's 30 s limit).

Size control, all exact except the last: demand points with identical cover sets are
merged; demand rows are generated lazily (the groups seen by the fewest options first, then
any group a plan leaves uncovered, until none is; the bound counts unmodelled groups as
covered, so it stays valid); nodes beyond the hop limit are dropped. SIMPLIFICATION:
``max_links_per_site`` (default 8) keeps only each site's most useful candidate links, so
optimality and bound are relative to that pruned graph.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Hashable, Sequence

import networkx as nx
import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import sparse

from coverage.errors import InfeasibleError, InputError
from coverage.planning.backhaul.connect import connect_to_pop
from coverage.planning.backhaul.model import (
    BackhaulModel,
    BackhaulPlan,
    reduce_graph,
    two_path_ok,
)
from coverage.planning.backhaul.search import improve_plan, perturb_search
from coverage.planning.covering import (
    Matrix,
    PlacementResult,
    check_k,
    greedy_cover,
    greedy_select,
    improve_by_swaps,
)
from coverage.planning.solver import relative_gap

__all__ = ["plan_network"]

log = logging.getLogger(__name__)

#: Share of ``time_limit_s`` after which the iterated local search starts no new kick (the
#: rest is HiGHS's, for its bound).
_SEARCH_SHARE = 0.75


def plan_network(
    covers: Matrix,
    weights: ArrayLike,
    *,
    graph: nx.Graph,
    candidate_ids: Sequence[Hashable],
    heights_m: Sequence[float],
    access_cost_usd: ArrayLike,
    relay_cost_usd: ArrayLike,
    link_cost_usd: float,
    pop: Hashable | Sequence[Hashable],
    budget_usd: float | None = None,
    target_share: float | None = None,
    must_cover: ArrayLike | None = None,
    demand_names: Sequence[str] | None = None,
    k: int = 1,
    hop_limit: int | None = None,
    two_paths: bool = False,
    traffic_mbps: ArrayLike | None = None,
    mbps_per_weight: float = 0.02,
    min_site_mbps: float = 1.0,
    max_site_mbps: float = 100.0,
    method: str = "milp",
    time_limit_s: float = 60.0,
    mip_rel_gap: float = 0.005,
    max_links_per_site: int | None = 8,
    kicks: int = 40,
    seed: int = 0,
) -> PlacementResult:
    """Choose access sites, mast heights, relays and backhaul links to the PoP together.

    Parameters
    ----------
    covers
        Sparse boolean matrix, options x demand points; option ``o`` is candidate
        ``o // len(heights_m)`` at mast ``heights_m[o % len(heights_m)]``
        (:func:`coverage.planning.candidates.option_index`).
    weights
        People at each demand point.
    graph
        Candidate link graph (:func:`coverage.planning.linkgraph.candidate_link_graph`): nodes keyed by
        ``candidate_ids`` plus the PoP(s); edges with ``min_height_m`` and ``capacity_mbps``.
    candidate_ids
        Node key of each candidate, in option order.
    heights_m
        Mast height options (m).
    access_cost_usd, relay_cost_usd
        Cost (USD) of each option built as an access site / as a relay only
        (:func:`coverage.planning.costs.option_costs_usd`).
    link_cost_usd
        Cost (USD) of one backhaul link.
    pop
        Point(s) of presence: node key(s) of ``graph``.
    budget_usd
        Maximise covered weight within this total cost (sites, relays and links).
    target_share
        Instead, minimise cost to cover this share (0-1) of the weight and every
        ``must_cover`` point.
    must_cover, demand_names
        Points that must be covered (schools) and names of demand points for messages.
    k
        Distinct access sites that must see a point for it to count as covered.
    hop_limit
        Most links from any access site to the PoP (None: no limit).
    two_paths
        Require two edge-disjoint paths from every access site to the PoP.
    traffic_mbps
        Busy-hour traffic (Mbps) each option injects when it is an access site; default
        ``mbps_per_weight * weight it can serve`` clipped to ``[min_site_mbps,
        max_site_mbps]``: an ILLUSTRATIVE, conservative load model (20 kbps per person at
        the busy hour, about a 1 Mbps plan per household at 20:1 contention; at most what
        one 20 MHz LTE small cell delivers, about 100 Mbps).
    method
        "milp" (exact, warm-started from greedy-then-connect) or "greedy" (greedy coverage
        then cheapest hop-limited connection; bound from the LP relaxation).
    time_limit_s
        Overall time limit (s); the best plan found is returned with its gap.
    mip_rel_gap
        Relative gap at which the solver stops (0.005 = 0.5 %).
    max_links_per_site
        Keep only this many candidate links per site (those towards nodes fewest hops from
        the PoP first, then lowest mast, then shortest; every PoP link is kept). Dense
        mountain-top graphs (Palmitas: ~95 clear links per site) otherwise make the model
        too large; the optimum and bound are then those of the pruned graph. None keeps all.
    kicks, seed
        Kicks of the iterated local search on the warm start
        (:func:`coverage.planning.backhaul.search.perturb_search`; 0 turns it off) and the seed that
        picks them. No kick starts after 75 % of ``time_limit_s``.

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
        above what reachable candidates can cover.
    """
    t0 = time.perf_counter()
    p = _Problem.build(
        covers, weights, graph, candidate_ids, heights_m, access_cost_usd, relay_cost_usd,
        link_cost_usd, pop, budget_usd, target_share, must_cover, demand_names, k, hop_limit,
        two_paths, traffic_mbps, mbps_per_weight, min_site_mbps, max_site_mbps,
        max_links_per_site,
    )  # fmt: skip
    greedy = p.greedy_then_connect()
    if method == "greedy":
        _, bound = p.solve(time_limit_s, mip_rel_gap, start=None, relax=True)
        return p.result(greedy, "greedy+connect", "heuristic", bound, t0, "")
    if method != "milp":
        msg = f"method must be 'milp' or 'greedy', got {method!r}."
        raise InputError(msg)
    cuts: list[tuple[list[int], int]] = []
    first = p.swap_then_connect(greedy)
    # the swaps may spend the budget the moves need, and so may greedy: lighter starts too
    for base in (greedy, first, *p.lighter_starts()):
        moved = improve_plan(p, base)
        if moved is not base and p.better(moved, first) and p.feasible(moved):
            first = moved
    # iterated local search on the best of them, within a share of the time limit
    kicked = perturb_search(p, first, kicks=kicks, seed=seed,
                            deadline_s=t0 + _SEARCH_SHARE * time_limit_s)  # fmt: skip
    if kicked is not first and p.feasible(kicked):
        first = kicked
    p.activate_missing(greedy)  # what the warm starts miss is where the plans differ
    p.activate_missing(first)
    start_plan: BackhaulPlan | None = first
    rounds = 0
    while True:
        rounds += 1
        left = max(time_limit_s - (time.perf_counter() - t0), 0.5)
        start = p.start_vector(start_plan) if start_plan is not None else None
        sol, bound = p.solve(left, mip_rel_gap, start=start, cuts=cuts)
        if sol.x is None:
            if sol.status == "infeasible":
                raise InfeasibleError(p.explain_infeasible())
            plan, status = greedy, f"{sol.status} (greedy plan returned)"
            break
        plan, status = p.decode(sol.x), sol.status
        if not cuts and p.better(first, plan) and p.feasible(first):
            plan, status = first, f"{sol.status} (warm start kept)"
        missing = p.activate_missing(plan)
        new = p.violated_cuts(plan) if p.two_paths else []
        if not missing and not new:
            break
        cuts.extend(new)
        start_plan = plan if (p.budget is not None and not cuts) else None
        if start_plan is None and not cuts:
            start_plan = greedy
        if time.perf_counter() - t0 > time_limit_s:
            status = "time_limit (constraint rounds incomplete)"
            break
    if p.budget is None and not p.meets_target(plan):
        # a plan from incomplete constraint rounds must never be returned short of the
        # target or a must-cover point: the greedy cover is feasible
        plan, status = greedy, f"{status} (greedy plan returned: the solver plan misses the target)"
    msg = f"{rounds} solve(s)"
    if p.two_paths:
        msg += f", {len(cuts)} two-path cut(s)"
    res = p.result(plan, "milp", status, bound, t0, msg)
    res.details.update(
        greedy_cost_usd=greedy.cost,
        greedy_covered_weight=p.covered_weight(greedy),
        rounds=rounds,
        modelled_demand_groups=int(p.active.sum()),
    )
    return res


class _Problem(BackhaulModel):
    """Checks, explanations, the greedy baseline and the result of :func:`plan_network`."""

    @classmethod
    def build(cls, covers: Matrix, weights: ArrayLike, graph: nx.Graph,
              candidate_ids: Sequence[Hashable], heights_m: Sequence[float],
              access_cost_usd: ArrayLike, relay_cost_usd: ArrayLike, link_cost_usd: float,
              pop: Hashable | Sequence[Hashable], budget_usd: float | None,
              target_share: float | None, must_cover: ArrayLike | None,
              demand_names: Sequence[str] | None, k: int, hop_limit: int | None,
              two_paths: bool, traffic_mbps: ArrayLike | None, mbps_per_weight: float,
              min_site_mbps: float, max_site_mbps: float, max_links_per_site: int | None) -> _Problem:  # fmt: skip
        check_k(k)
        A = sparse.csr_array(covers, dtype=bool)
        w = np.asarray(weights, dtype=np.float64)
        ids = list(candidate_ids)
        heights = np.asarray(heights_m, dtype=np.float64)
        n, nh = len(ids), heights.size
        acc = np.asarray(access_cost_usd, dtype=np.float64)
        rel = np.asarray(relay_cost_usd, dtype=np.float64)
        if A.shape != (n * nh, w.size) or acc.size != n * nh or rel.size != n * nh:
            msg = (
                f"covers is {A.shape} but {n} candidates x {nh} heights = {n * nh} options "
                f"and {w.size} weights were given, with {acc.size} access and {rel.size} "
                "relay costs; give one row and one cost per candidate x height option."
            )
            raise InputError(msg)
        if (budget_usd is None) == (target_share is None):
            msg = "Give exactly one of budget_usd (maximise coverage) or target_share."
            raise InputError(msg)
        pops = list(pop) if isinstance(pop, list | tuple | set) else [pop]
        missing = [q for q in pops if q not in graph]
        if missing:
            msg = f"point of presence {missing} is not a node of the candidate link graph."
            raise InputError(msg)
        if hop_limit is not None and hop_limit < 1:
            msg = f"hop_limit must be at least 1, got {hop_limit}."
            raise InputError(msg)
        net = reduce_graph(graph, ids, pops, hop_limit, max_links_per_site)
        reach = np.array([i in net.hops for i in range(n)], dtype=bool)
        access_ok = reach & two_path_ok(net) if two_paths else reach
        m = w.size
        must = np.zeros(m, bool) if must_cover is None else np.asarray(must_cover, bool)
        names = [str(s) for s in demand_names] if demand_names is not None else []
        names = names or [f"demand point {j}" for j in range(m)]
        if traffic_mbps is None:
            traffic = np.clip(mbps_per_weight * (A.astype(float) @ w), min_site_mbps, max_site_mbps)
        else:
            traffic = np.asarray(traffic_mbps, dtype=np.float64)
        p = cls(A, w, net, ids, pops, graph, heights, acc, rel, float(link_cost_usd),
                budget_usd, None, must, names, k, hop_limit, two_paths, traffic,
                access_ok)  # fmt: skip
        p._check_reachable(target_share)
        return p

    # --- explanations in words ----------------------------------------------------------
    def _why_not(self) -> str:
        hops = f"within {self.hop_limit} hops" if self.hop_limit is not None else "at all"
        if self.two_paths:
            return f"with two link-disjoint relay chains to the point of presence {hops}"
        return f"with a relay chain to the point of presence {hops}"

    def _check_reachable(self, target_share: float | None) -> None:
        nh = self.heights.size
        if not self.access_ok.any():
            msg = (
                f"No relay chain reaches the point of presence {self.pops} "
                f"{'within ' + str(self.hop_limit) + ' hops' if self.hop_limit else ''}"
                f"{' by two link-disjoint paths' if self.two_paths else ''}: none of the "
                f"{len(self.ids)} candidates qualifies. Check the PoP location, raise the "
                "hop limit or the maximum link length, or add candidates on the ridges."
            )
            raise InfeasibleError(msg)
        opt_ok = np.repeat(self.access_ok, nh)
        A_ok = sparse.csr_array(self.A.multiply(opt_ok[:, None]))
        cand_of = np.arange(self.A.shape[0]) // nh
        any_site = self._distinct_sites(self.A, cand_of)
        ok_site = self._distinct_sites(A_ok, cand_of)
        for j in np.nonzero(self.must)[0]:
            if any_site[j] < self.k:
                msg = (
                    f"{self.names[j]} cannot be seen by "
                    f"{'any candidate' if self.k == 1 else f'{self.k} candidates'} within "
                    "the technology's range; add a candidate site near it or drop it from "
                    "the must-cover list."
                )
                raise InfeasibleError(msg)
            if ok_site[j] < self.k:
                seen = sorted({str(self.ids[c]) for c in cand_of[self.A[:, [j]].nonzero()[0]]})
                msg = (
                    f"{self.names[j]} is seen only by candidates without "
                    f"{self._why_not()[5:]} ({', '.join(seen[:6])})."
                )
                raise InfeasibleError(msg)
        self.A = A_ok
        if target_share is not None:
            reachable = float(self.w[ok_site >= self.k].sum())
            need = float(target_share) * float(self.w.sum())
            if need > reachable + 1e-9:
                msg = (
                    f"At most {reachable / max(self.w.sum(), 1e-12):.1%} of the people can "
                    f"be covered by candidates {self._why_not()}, but {target_share:.1%} was "
                    "asked; lower the target, raise the hop limit or add candidates."
                )
                raise InfeasibleError(msg)
            self.need = need

    @staticmethod
    def _distinct_sites(A: sparse.csr_array, cand_of: NDArray[np.int64]) -> NDArray[np.int64]:
        C = sparse.csr_array(
            (np.ones(A.shape[0]), (cand_of, np.arange(A.shape[0]))),
            shape=(int(cand_of.max()) + 1 if cand_of.size else 0, A.shape[0]),
        )
        return np.asarray(((C @ A.astype(np.float64)) > 0).sum(axis=0)).ravel().astype(np.int64)

    def explain_infeasible(self) -> str:
        parts = [
            "No plan satisfies every constraint together:",
            f"budget {self.budget:,.0f} USD" if self.budget is not None else
            f"coverage of {self.need:,.0f} people and every must-cover point",
            f"hop limit {self.hop_limit}" if self.hop_limit else "",
            "two link-disjoint paths per site" if self.two_paths else "",
            "and link capacity against the traffic each site carries. Relax one of them.",
        ]  # fmt: skip
        return " ".join(s for s in parts if s)

    # --- greedy then connect ------------------------------------------------------------
    def greedy_then_connect(self) -> BackhaulPlan:
        """Greedy coverage (or greedy cover), then the cheapest hop-limited connection.

        Under a budget, the share of it given to access sites is bisected (16 steps) for
        the plan with the most coverage whose total cost, backhaul included, fits.
        """
        nh = self.heights.size
        n_opt = self.A.shape[0]
        grp = np.arange(n_opt) // nh
        opt_ok = np.repeat(self.access_ok, nh)
        if self.need is not None:
            sel = greedy_cover(
                self.A, self.w, self.acc_cost, grp, self.need, self.must, self.k, allowed=opt_ok
            )
            return self._connect(sel)
        assert self.budget is not None
        costs = np.where(opt_ok, self.acc_cost, 1e30)
        best = BackhaulPlan({}, {}, [])
        best_w = -1.0
        self._greedy_spend = 0.0
        lo, hi = 0.0, self.budget
        for step in range(16):
            mid = hi if step == 0 else (lo + hi) / 2
            plan = self._connect(greedy_select(self.A, self.w, costs, grp, mid, self.k))
            if plan.cost <= self.budget + 1e-6:
                cw = self.covered_weight(plan)
                if cw > best_w:
                    best, best_w = plan, cw
                    self._greedy_spend = mid
                lo = mid
                if mid == self.budget:
                    break
            else:
                hi = mid
            if hi - lo < 1.0:
                break
        return best

    def swap_then_connect(self, greedy: BackhaulPlan) -> BackhaulPlan:
        """A better warm start (coverage objective, k = 1): the greedy plan's access sites
        improved by best single swaps within the access spend greedy used, then connected;
        the greedy plan when that does not fit the budget or covers less."""
        if self.budget is None or self.k != 1 or not greedy.access:
            return greedy
        nh = self.heights.size
        grp = np.arange(self.A.shape[0]) // nh
        costs = np.where(np.repeat(self.access_ok, nh), self.acc_cost, 1e30)
        start = [i * nh + h for i, h in greedy.access.items()]
        spend = max(self._greedy_spend, float(costs[start].sum()))
        sel = improve_by_swaps(self.A, self.w, costs, grp, spend, start)
        plan = self._connect(sel)
        if plan.cost <= self.budget + 1e-6 and self.better(plan, greedy):
            log.info("plan_network: swaps lift the warm start from %.1f to %.1f",
                     self.covered_weight(greedy), self.covered_weight(plan))  # fmt: skip
            return plan
        return greedy

    def lighter_starts(self, shares: Sequence[float] = (0.9, 0.8, 0.7)) -> list[BackhaulPlan]:
        """Greedy-then-connect plans with these shares of greedy's access spend: budget
        left for the local search to turn relays into access sites (coverage, k = 1)."""
        if self.budget is None or self.k != 1:
            return []
        nh = self.heights.size
        grp = np.arange(self.A.shape[0]) // nh
        costs = np.where(np.repeat(self.access_ok, nh), self.acc_cost, 1e30)
        plans = []
        for share in shares:
            sel = greedy_select(self.A, self.w, costs, grp, share * self._greedy_spend, self.k)
            plan = self._connect(sel) if sel.size else None
            if plan is not None and plan.access and plan.cost <= self.budget + 1e-6:
                plans.append(plan)
        return plans

    def _connect(self, sel: NDArray[np.int64]) -> BackhaulPlan:
        nh = self.heights.size
        n = len(self.ids)
        H = nx.Graph()
        for e, (a, b) in enumerate(self.net.edges):
            H.add_edge(int(a), int(b), min_height_m=float(self.net.req_h[e]), e=e)
        hs = [float(h) for h in self.heights]
        table = {i: {hs[h]: float(self.rel_cost[i * nh + h]) for h in range(nh)} for i in range(n)}
        site_table = {
            i: {hs[h]: float(self.acc_cost[i * nh + h]) for h in range(nh)} for i in range(n)
        }
        want = {int(o // nh): hs[int(o % nh)] for o in sel}
        heights, relays, links = connect_to_pop(
            H, list(want), n, site_height_m=want, relay_cost_usd=table,
            site_cost_usd=site_table, link_cost_usd=self.link_cost, hop_limit=self.hop_limit,
        )  # fmt: skip
        access = {i: hs.index(heights[i]) for i in want if i in heights and i not in relays}
        rel = {i: hs.index(heights[i]) for i in relays}
        edges = [int(H.edges[a, b]["e"]) for a, b in links]
        plan = BackhaulPlan(access, rel, edges)
        plan.cost = self.plan_cost(plan)
        return plan

    def result(
        self, plan: BackhaulPlan, method: str, status: str, bound: float, t0: float, message: str
    ) -> PlacementResult:
        L = self._layout()
        nh = L["nh"]
        covered = self.covered(plan)
        weight = float(self.w[covered].sum())
        if self.budget is not None:
            ub = min(bound, float(L["wg"].sum()))
            value = weight
        else:
            ub = max(bound, 0.0)
            value = plan.cost
        acc = sorted(plan.access)
        rel = sorted(plan.relays)
        G = self._built_graph(plan, covered)
        links = tuple((u, v) for u, v in G.edges())
        return PlacementResult(
            chosen=np.array(acc, dtype=np.int64),
            heights_m=np.array([self.heights[plan.access[i]] for i in acc]),
            options=np.array([i * nh + plan.access[i] for i in acc], dtype=np.int64),
            covered_weight=weight,
            upper_bound=float(ub),
            gap=relative_gap(value, ub) if math.isfinite(ub) else math.inf,
            status=status,
            method=method,
            solve_time_s=time.perf_counter() - t0,
            cost_usd=plan.cost,
            covered=covered,
            objective="coverage" if self.budget is not None else "cost",
            relays=np.array(rel, dtype=np.int64),
            relay_heights_m=np.array([self.heights[plan.relays[i]] for i in rel]),
            links=links,
            graph=G,
            message=message,
            details={"columns": L["n"], "merged_demand": L["g"], "candidate_links": L["E"]},
        )

    def _built_graph(self, plan: BackhaulPlan, covered: NDArray[np.bool_]) -> nx.Graph:
        nh = self.heights.size
        G = nx.Graph(crs=self.graph.graph.get("crs"))
        Af = self.A.astype(np.float64)
        for role, table, costs in (
            ("access", plan.access, self.acc_cost),
            ("relay", plan.relays, self.rel_cost),
        ):
            for i, h in table.items():
                o = i * nh + h
                key = self.ids[i]
                row = Af[[o], :].toarray().ravel() > 0
                G.add_node(
                    key,
                    **{
                        a: v
                        for a, v in self.graph.nodes[key].items()
                        if a in _NODE_ATTRS and a != "mast_height_m"  # set below
                    },
                    role=role,
                    mast_height_m=float(self.heights[h]),
                    cost_usd=float(costs[o]),
                    people_covered=float(self.w[row & covered].sum()) if role == "access" else 0.0,
                    schools_covered=int((row & covered & self.must).sum()) if role == "access"
                    else 0,
                    candidate_index=i,
                )  # fmt: skip
        for e in plan.edges:
            a, b = (int(v) for v in self.net.edges[e])
            ka = self.ids[a]
            kb = self.net.pop_of_edge[e] if b == len(self.ids) else self.ids[b]
            for key in (ka, kb):
                if key not in G:
                    G.add_node(
                        key,
                        **{x: v for x, v in self.graph.nodes[key].items() if x in _NODE_ATTRS},
                        role="pop",
                        cost_usd=0.0,
                    )  # fmt: skip
            attrs = {x: v for x, v in self.graph.edges[ka, kb].items() if x in _EDGE_ATTRS}
            G.add_edge(ka, kb, **attrs, cost_usd=self.link_cost)
        return G


_NODE_ATTRS = ("x", "y", "name", "ground_elevation_m", "mast_height_m")
_EDGE_ATTRS = ("length_m", "clearance_ratio", "margin_db", "capacity_mbps", "min_height_m")
