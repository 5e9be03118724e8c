"""Sites, mast heights, relays and backhaul links chosen together in one MILP (HiGHS).

The model extends the maximum-coverage / partial-set-cover models of
:mod:`coverage.placement` with a backhaul network design, as a single-commodity flow on
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
:func:`coverage.network.connect_to_pop`) is the warm start and the baseline.
"""

from __future__ import annotations

import itertools
import logging
import math
import time
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import sparse

from coverage.covering import (
    Matrix,
    PlacementResult,
    aggregate_demand,
    check_k,
    covered_mask,
    greedy_cover,
    greedy_select,
)
from coverage.errors import InfeasibleError, InputError
from coverage.network import connect_to_pop
from coverage.solver import relative_gap, solve_milp

__all__ = ["plan_network"]

log = logging.getLogger(__name__)

#: HiGHS options for the network model: restarts after root fixing cost more than they save
#: on these flow models (measured: 2.6 s -> 0.65 s on a 16-candidate grid instance).
_HIGHS_OPTIONS: dict[str, bool | int | float | str] = {"mip_allow_restart": False}
#: Coverage nonzeros of the demand rows in the first model; the rest enter when a plan
#: leaves them uncovered (row generation; they count as covered in the bound until then).
_ROW_NNZ = 30_000


@dataclass
class _Rows:
    """Sparse constraint rows accumulated as COO triplets."""

    r: list[int] = field(default_factory=list)
    c: list[int] = field(default_factory=list)
    v: list[float] = field(default_factory=list)
    lo: list[float] = field(default_factory=list)
    hi: list[float] = field(default_factory=list)

    def add(self, cols: Sequence[int], vals: Sequence[float], lo: float, hi: float) -> None:
        i = len(self.lo)
        self.r.extend([i] * len(cols))
        self.c.extend(int(c) for c in cols)
        self.v.extend(float(v) for v in vals)
        self.lo.append(lo)
        self.hi.append(hi)

    def matrix(self, n_cols: int) -> sparse.csr_array:
        return sparse.csr_array((self.v, (self.r, self.c)), shape=(len(self.lo), n_cols))


@dataclass
class _Net:
    """The candidate graph reduced to the model: node 0..n-1 candidates, n the merged PoP."""

    n: int
    edges: NDArray[np.int64]  # (E, 2) node indices, PoP as n
    req_h: NDArray[np.float64]  # min_height_m
    cap: NDArray[np.float64]  # capacity_mbps
    pop_of_edge: list[Hashable]  # original PoP id of a PoP edge, else None
    arcs: NDArray[np.int64]  # (A, 3): tail, head, edge index
    hops: dict[int, int]


def _reduce_graph(
    graph: nx.Graph,
    ids: list[Hashable],
    pops: list[Hashable],
    hop_limit: int | None,
    max_links_per_site: int | None = None,
) -> _Net:
    """Index the candidate graph, merge the PoPs into node ``n``, drop nodes beyond the hop
    limit and, optionally, keep only each site's ``max_links_per_site`` most useful links
    (towards nodes nearest the PoP in hops, then lowest mast, then shortest)."""
    index = {v: i for i, v in enumerate(ids)}
    n = len(ids)
    best: dict[tuple[int, int], tuple[float, float, Hashable, float]] = {}
    for a, b, e in graph.edges(data=True):
        ia = n if a in pops else index.get(a)
        ib = n if b in pops else index.get(b)
        if ia is None or ib is None or ia == ib:
            continue
        key = (min(ia, ib), max(ia, ib))
        pop_id = a if a in pops else (b if b in pops else None)
        cand = (
            float(e["capacity_mbps"]),
            -float(e["min_height_m"]),
            pop_id,
            float(e.get("length_m", 0.0)),
        )
        if key not in best or cand[:2] > best[key][:2]:
            best[key] = cand
    H = nx.Graph()
    H.add_nodes_from(range(n + 1))
    H.add_edges_from(best)
    hops = dict(nx.single_source_shortest_path_length(H, n))
    limit = hop_limit if hop_limit is not None else n + 1
    keep = {v for v, d in hops.items() if d <= limit}
    keys = sorted(k for k in best if k[0] in keep and k[1] in keep)
    if max_links_per_site is not None:
        chosen: set[tuple[int, int]] = {k for k in keys if k[1] == n}  # every PoP link
        for v in keep - {n}:
            inc = [k for k in H.edges(v) if k[0] in keep and k[1] in keep]
            ranked = sorted(
                ((min(k), max(k)) for k in inc),
                key=lambda k: (
                    hops[k[0] if k[1] == v else k[1]],
                    -best[k][1],
                    best[k][3],
                    k,
                ),
            )
            chosen.update(ranked[:max_links_per_site])
        keys = sorted(chosen)
    edges = np.array(keys, dtype=np.int64).reshape(-1, 2)
    req = np.array([-best[k][1] for k in keys], dtype=np.float64)
    cap = np.array([best[k][0] for k in keys], dtype=np.float64)
    arcs = []
    for e, (a, b) in enumerate(keys):
        arcs.append((a, b, e))  # b is the PoP when the edge touches it (keys are sorted)
        if b != n:
            arcs.append((b, a, e))
    return _Net(
        n=n,
        edges=edges,
        req_h=req,
        cap=cap,
        pop_of_edge=[best[k][2] for k in keys],
        arcs=np.array(arcs, dtype=np.int64).reshape(-1, 3),
        hops={v: d for v, d in hops.items() if v in keep},
    )


def _two_path_ok(net: _Net) -> NDArray[np.bool_]:
    """Candidates with two edge-disjoint routes to the PoP in the reduced graph."""
    H = nx.Graph()
    H.add_nodes_from(range(net.n + 1))
    H.add_edges_from(map(tuple, net.edges))
    ok = np.zeros(net.n, bool)
    comps = nx.k_edge_components(H, 2)
    for comp in comps:
        if net.n in comp:
            ok[[v for v in comp if v < net.n]] = True
    return ok


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
) -> PlacementResult:
    """Choose access sites, mast heights, relays and backhaul links to the PoP together.

    Parameters
    ----------
    covers
        Sparse boolean matrix, options x demand points; option ``o`` is candidate
        ``o // len(heights_m)`` at mast ``heights_m[o % len(heights_m)]``
        (:func:`coverage.candidates.option_index`).
    weights
        People at each demand point.
    graph
        Candidate link graph (:func:`coverage.network.candidate_link_graph`): nodes keyed by
        ``candidate_ids`` plus the PoP(s); edges with ``min_height_m`` and ``capacity_mbps``.
    candidate_ids
        Node key of each candidate, in option order.
    heights_m
        Mast height options (m).
    access_cost_usd, relay_cost_usd
        Cost (USD) of each option built as an access site / as a relay only
        (:func:`coverage.candidates.option_costs_usd`).
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
    start_plan: _Plan | None = greedy
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
        if not cuts and p.better(greedy, plan) and p.feasible(greedy):
            plan, status = greedy, f"{sol.status} (warm start kept)"
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


@dataclass
class _Plan:
    """A decoded plan: option per access candidate, height per relay, built edges."""

    access: dict[int, int]  # candidate -> height index
    relays: dict[int, int]  # candidate -> height index
    edges: list[int]  # indices into net.edges
    cost: float = 0.0


@dataclass
class _Problem:
    A: sparse.csr_array
    w: NDArray[np.float64]
    net: _Net
    ids: list[Hashable]
    pops: list[Hashable]
    graph: nx.Graph
    heights: NDArray[np.float64]
    acc_cost: NDArray[np.float64]
    rel_cost: NDArray[np.float64]
    link_cost: float
    budget: float | None
    need: float | None
    must: NDArray[np.bool_]
    names: list[str]
    k: int
    hop_limit: int | None
    two_paths: bool
    traffic: NDArray[np.float64]
    access_ok: NDArray[np.bool_]

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
        net = _reduce_graph(graph, ids, pops, hop_limit, max_links_per_site)
        reach = np.array([i in net.hops for i in range(n)], dtype=bool)
        access_ok = reach & _two_path_ok(net) if two_paths else reach
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
    def greedy_then_connect(self) -> _Plan:
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
        best = _Plan({}, {}, [])
        best_w = -1.0
        lo, hi = 0.0, self.budget
        for step in range(16):
            mid = hi if step == 0 else (lo + hi) / 2
            plan = self._connect(greedy_select(self.A, self.w, costs, grp, mid, self.k))
            if plan.cost <= self.budget + 1e-6:
                cw = self.covered_weight(plan)
                if cw > best_w:
                    best, best_w = plan, cw
                lo = mid
                if mid == self.budget:
                    break
            else:
                hi = mid
            if hi - lo < 1.0:
                break
        return best

    def _connect(self, sel: NDArray[np.int64]) -> _Plan:
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
        plan = _Plan(access, rel, edges)
        plan.cost = self.plan_cost(plan)
        return plan

    def plan_cost(self, plan: _Plan) -> float:
        nh = self.heights.size
        return float(
            sum(self.acc_cost[i * nh + h] for i, h in plan.access.items())
            + sum(self.rel_cost[i * nh + h] for i, h in plan.relays.items())
            + self.link_cost * len(plan.edges)
        )

    def covered(self, plan: _Plan) -> NDArray[np.bool_]:
        nh = self.heights.size
        opts = [i * nh + h for i, h in plan.access.items()]
        return covered_mask(self.A, opts, self.k)

    def covered_weight(self, plan: _Plan) -> float:
        return float(self.w[self.covered(plan)].sum())

    # --- the MILP -----------------------------------------------------------------------
    def _layout(self) -> dict[str, Any]:
        if hasattr(self, "_lay"):
            return self._lay  # type: ignore[has-type]
        nh = self.heights.size
        n = len(self.ids)
        Ag, wg, group = aggregate_demand(self.A, self.w)
        g = Ag.shape[1]
        E = len(self.net.edges)
        nA = len(self.net.arcs)
        hop = self.hop_limit is not None
        off: dict[str, Any] = {"u": 0, "r": n * nh, "z": 2 * n * nh}
        off["l"] = off["z"] + g
        off["f"] = off["l"] + E
        off["o"] = off["f"] + nA
        off["d"] = off["o"] + (nA if hop else 0)
        off["n"] = off["d"] + (n if hop else 0)
        off.update(Ag=Ag, wg=wg, group=group, g=g, E=E, nA=nA, hop=hop, nh=nh, nc=n)
        self._lay = off
        # demand rows generated lazily: first the groups seen by the fewest options, up to
        # _ROW_NNZ coverage nonzeros, and every must-cover group
        size = np.diff(Ag.indptr)
        order = np.argsort(size, kind="stable")
        take = order[: int(np.searchsorted(np.cumsum(size[order]), _ROW_NNZ, side="right"))]
        active = np.zeros(g, bool)
        active[take] = True
        active[np.unique(group[self.must & (group >= 0)])] = True
        self.active = active
        return off

    def activate_missing(self, plan: _Plan) -> int:
        """Add the demand groups the plan leaves uncovered that the model did not hold."""
        L = self._layout()
        nh = L["nh"]
        opts = np.array([i * nh + h for i, h in plan.access.items()], dtype=np.int64)
        counts = L["Ag"].T.astype(np.float64) @ np.bincount(opts, minlength=self.A.shape[0])
        missing = ~self.active & (counts < self.k)
        self.active |= missing
        if missing.any():
            log.info("plan_network: %d more demand groups enter the model", int(missing.sum()))
        return int(missing.sum())

    def better(self, a: _Plan, b: _Plan) -> bool:
        """Whether plan ``a`` is strictly better than ``b`` for the objective."""
        if self.budget is not None:
            return self.covered_weight(a) > self.covered_weight(b) + 1e-9
        return a.cost < b.cost - 1e-6

    def feasible(self, plan: _Plan) -> bool:
        """Whether a plan meets every row of the current model (budget, target, capacity,
        hops) when its traffic is routed along shortest paths of its own links."""
        x = self.start_vector(plan)
        if x is None:
            return False
        _, M, lo, hi, clo, chi, _, _ = self.model([])
        if self.budget is None:
            cov = self.covered(plan)
            if not cov[self.must].all() or self.w[cov].sum() < (self.need or 0.0) - 1e-6:
                return False
        Mx = M @ x
        return bool(
            np.all(Mx >= np.asarray(lo) - 1e-6)
            and np.all(Mx <= np.asarray(hi) + 1e-6)
            and np.all(x >= clo - 1e-9)
            and np.all(x <= chi + 1e-9)
        )

    def _cost_vector(self) -> NDArray[np.float64]:
        L = self._layout()
        c = np.zeros(L["n"])
        c[L["u"] : L["r"]] = self.acc_cost
        c[L["r"] : L["z"]] = self.rel_cost
        c[L["l"] : L["f"]] = self.link_cost
        return c

    def solve(
        self,
        time_limit_s: float,
        mip_rel_gap: float,
        *,
        start: NDArray[np.float64] | None,
        cuts: Sequence[tuple[list[int], int]] = (),
        relax: bool = False,
    ) -> tuple[Any, float]:
        """Solve the current model; return the solution and a bound valid for the full
        problem (the demand groups not yet in the model count as covered)."""
        obj, M, lo, hi, clo, chi, integ, maximize = self.model(cuts)
        if relax:
            integ = np.zeros_like(integ)
        sol = solve_milp(
            obj, M, lo, hi, clo, chi, integ, maximize=maximize, time_limit_s=time_limit_s,
            mip_rel_gap=mip_rel_gap, start=start, options=_HIGHS_OPTIONS,
        )  # fmt: skip
        L = self._layout()
        if self.budget is None:
            return sol, max(sol.bound, 0.0)
        free = float(L["wg"][~self.active].sum())
        eps_total = self._eps * self.budget
        return sol, min(sol.bound + free + eps_total, float(L["wg"].sum()))

    def model(self, cuts: Sequence[tuple[list[int], int]]) -> tuple[Any, ...]:
        """The current model: objective, matrix, row and column bounds, integrality, sense."""
        L = self._layout()
        nh, n, hop = L["nh"], L["nc"], L["hop"]
        net = self.net
        rows = _Rows()
        u = lambda i, h: L["u"] + i * nh + h  # noqa: E731
        r = lambda i, h: L["r"] + i * nh + h  # noqa: E731
        # one role and one height per candidate
        for i in range(n):
            rows.add([u(i, h) for h in range(nh)] + [r(i, h) for h in range(nh)],
                     [1.0] * (2 * nh), -np.inf, 1.0)  # fmt: skip
        # coverage: k z_g <= sum of access options serving g
        Ag = sparse.csc_array(L["Ag"])
        for gi in np.nonzero(self.active)[0]:
            opts = Ag.indices[Ag.indptr[gi] : Ag.indptr[gi + 1]]
            rows.add([L["z"] + gi, *(L["u"] + opts)], [self.k] + [-1.0] * len(opts),
                     -np.inf, 0.0)  # fmt: skip
        # a link needs both candidate ends built at its minimum height or taller
        for e, (a, b) in enumerate(net.edges):
            tall = [h for h in range(nh) if self.heights[h] >= net.req_h[e] - 1e-9]
            for end in (a, b):
                if end == n:
                    continue
                cols = [u(end, h) for h in tall] + [r(end, h) for h in tall]
                rows.add([L["l"] + e, *cols], [1.0] + [-1.0] * len(cols), -np.inf, 0.0)
        # flow balance: out - in = traffic injected by the access option
        out_of: dict[int, list[int]] = {i: [] for i in range(n)}
        into: dict[int, list[int]] = {i: [] for i in range(n)}
        for ai, (t, hd, _) in enumerate(net.arcs):
            out_of[int(t)].append(ai)
            if hd != n:
                into[int(hd)].append(ai)
        for i in range(n):
            if i not in net.hops:
                continue
            cols = [L["f"] + a for a in out_of[i]] + [L["f"] + a for a in into[i]]
            vals = [1.0] * len(out_of[i]) + [-1.0] * len(into[i])
            cols += [u(i, h) for h in range(nh)]
            vals += [-float(self.traffic[i * nh + h]) for h in range(nh)]
            rows.add(cols, vals, 0.0, 0.0)
        # capacity (and arc use, depth labels for the hop limit)
        arcs_of: dict[int, list[int]] = {}
        for ai, (_, _, e) in enumerate(net.arcs):
            arcs_of.setdefault(int(e), []).append(ai)
        H = self.hop_limit or 0
        for e in range(L["E"]):
            ars = arcs_of.get(e, [])
            if not hop:
                rows.add([L["f"] + a for a in ars] + [L["l"] + e],
                         [1.0] * len(ars) + [-net.cap[e]], -np.inf, 0.0)  # fmt: skip
                continue
            rows.add([L["o"] + a for a in ars] + [L["l"] + e], [1.0] * len(ars) + [-1.0],
                     -np.inf, 0.0)  # fmt: skip
            for a in ars:
                rows.add([L["f"] + a, L["o"] + a], [1.0, -net.cap[e]], -np.inf, 0.0)
                t, hd = int(net.arcs[a, 0]), int(net.arcs[a, 1])
                if hd == n:
                    rows.add([L["d"] + t, L["o"] + a], [1.0, -(H + 1.0)], -float(H), np.inf)
                else:
                    rows.add([L["d"] + t, L["d"] + hd, L["o"] + a], [1.0, -1.0, -(H + 1.0)],
                             -float(H), np.inf)  # fmt: skip
        # valid inequalities that tighten the LP relaxation: an access site sends its
        # traffic over at least one used arc (two links when two paths are asked); a relay
        # in an optimal plan has at least two links (one with a single link serves nothing)
        edges_of: dict[int, list[int]] = {i: [] for i in range(n)}
        for e, (a, b) in enumerate(net.edges):
            edges_of[int(a)].append(e)
            if b != n:
                edges_of[int(b)].append(e)
        need_links = 2.0 if self.two_paths else 1.0
        for i in net.hops:
            if i == n:
                continue
            if hop and not self.two_paths:
                cols = [L["o"] + a for a in out_of[i]] + [u(i, h) for h in range(nh)]
                vals = [1.0] * len(out_of[i]) + [-1.0] * nh
            else:
                cols = [L["l"] + e for e in edges_of[i]] + [u(i, h) for h in range(nh)]
                vals = [1.0] * len(edges_of[i]) + [-need_links] * nh
            rows.add(cols, vals, 0.0, np.inf)
            cols = [L["l"] + e for e in edges_of[i]] + [r(i, h) for h in range(nh)]
            rows.add(cols, [1.0] * len(edges_of[i]) + [-2.0] * nh, 0.0, np.inf)
        # two-path cut-set rows found so far
        for cut_edges, s in cuts:
            rows.add([L["l"] + e for e in cut_edges] + [u(s, h) for h in range(nh)],
                     [1.0] * len(cut_edges) + [-2.0] * nh, 0.0, np.inf)  # fmt: skip
        cost = self._cost_vector()
        col_lo = np.zeros(L["n"])
        col_hi = np.ones(L["n"])
        col_hi[L["f"] : L["o"]] = np.inf
        if hop:
            col_hi[L["d"] : L["n"]] = float(H)
        not_ok = np.repeat(~self.access_ok, nh)
        col_hi[L["u"] : L["r"]][not_ok] = 0.0
        unreach = np.repeat(np.array([i not in net.hops for i in range(n)]), nh)
        col_hi[L["r"] : L["z"]][unreach] = 0.0
        integ = np.ones(L["n"], np.int64)
        integ[L["z"] : L["l"]] = 1 if self.k > 1 else 0
        integ[L["f"] : L["o"]] = 0
        integ[L["d"] : L["n"]] = 0
        col_hi[L["z"] : L["l"]][~self.active] = 0.0
        wg = L["wg"]
        if self.budget is not None:
            rows.add(list(range(L["n"])), list(cost), -np.inf, self.budget)
            obj = -self._eps * cost
            obj[L["z"] : L["l"]] = wg
            maximize = True
        else:
            assert self.need is not None
            free = float(wg[~self.active].sum())
            act = np.nonzero(self.active)[0]
            rows.add(list(L["z"] + act), list(wg[act]), self.need - free - 1e-9, np.inf)
            must_g = np.unique(L["group"][self.must & (L["group"] >= 0)])
            col_lo[L["z"] + must_g] = 1.0
            obj = cost
            maximize = False
        return obj, rows.matrix(L["n"]), rows.lo, rows.hi, col_lo, col_hi, integ, maximize

    @property
    def _eps(self) -> float:
        """Cost penalty per USD that breaks ties toward cheaper plans (coverage objective):
        the whole budget weighs 1 % of the lightest demand group."""
        if self.budget is None:
            return 0.0
        wg = self._layout()["wg"]
        lightest = float(wg[wg > 0].min()) if (wg > 0).any() else 1.0
        return 0.01 * lightest / max(self.budget, 1.0)

    def start_vector(self, plan: _Plan) -> NDArray[np.float64] | None:
        """The greedy plan as a full MILP solution (flows along its tree), or None."""
        if not plan.access:
            return None
        L = self._layout()
        nh, n = L["nh"], L["nc"]
        x = np.zeros(L["n"])
        for i, h in plan.access.items():
            x[L["u"] + i * nh + h] = 1.0
        for i, h in plan.relays.items():
            x[L["r"] + i * nh + h] = 1.0
        opts = np.array([i * nh + h for i, h in plan.access.items()], dtype=np.int64)
        counts = L["Ag"].T.astype(np.float64) @ np.bincount(opts, minlength=n * nh)
        x[L["z"] : L["l"]] = ((counts >= self.k) & self.active).astype(np.float64)
        T = nx.Graph()
        for e in plan.edges:
            a, b = (int(v) for v in self.net.edges[e])
            T.add_edge(a, b, e=e)
            x[L["l"] + e] = 1.0
        if n not in T:
            return None
        arc_index = {(int(t), int(hd)): ai for ai, (t, hd, _) in enumerate(self.net.arcs)}
        depth = nx.single_source_shortest_path_length(T, n)
        for i, h in plan.access.items():
            if i not in T:
                return None
            path = nx.shortest_path(T, i, n)
            for a, b in itertools.pairwise(path):
                ai = arc_index[(a, b)]
                x[L["f"] + ai] += self.traffic[i * nh + h]
                if L["hop"]:
                    x[L["o"] + ai] = 1.0
        if L["hop"]:
            for v, d in depth.items():
                if v != n:
                    x[L["d"] + v] = float(d)
        return x

    def decode(self, x: NDArray[np.float64]) -> _Plan:
        L = self._layout()
        nh, n = L["nh"], L["nc"]
        U = x[L["u"] : L["r"]].reshape(n, nh) > 0.5
        R = x[L["r"] : L["z"]].reshape(n, nh) > 0.5
        edges = [int(e) for e in np.nonzero(x[L["l"] : L["f"]] > 0.5)[0]]
        access = {int(i): int(h) for i, h in zip(*np.nonzero(U), strict=True)}
        used = {int(v) for e in edges for v in self.net.edges[e]}
        relays = {int(i): int(h) for i, h in zip(*np.nonzero(R), strict=True) if i in used}
        plan = _Plan(access, relays, edges)
        plan.cost = self.plan_cost(plan)
        return plan

    def violated_cuts(self, plan: _Plan) -> list[tuple[list[int], int]]:
        """Cut-set rows for access sites separated from the PoP by a single built link."""
        n = len(self.ids)
        B = nx.Graph()
        B.add_node(n)
        B.add_edges_from(tuple(int(v) for v in self.net.edges[e]) for e in plan.edges)
        cuts: list[tuple[list[int], int]] = []
        seen: set[tuple[frozenset[int], int]] = set()
        for a, b in nx.bridges(B):
            B.remove_edge(a, b)
            side = nx.node_connected_component(B, a)
            S = side if n not in side else nx.node_connected_component(B, b)
            B.add_edge(a, b)
            for s in (v for v in S if v in plan.access):
                key = (frozenset(S), s)
                if key in seen:
                    continue
                seen.add(key)
                cut = [e for e, (p, q) in enumerate(self.net.edges) if (p in S) != (q in S)]
                cuts.append((cut, s))
        return cuts

    # --- the result -----------------------------------------------------------------------
    def result(
        self, plan: _Plan, method: str, status: str, bound: float, t0: float, message: str
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

    def _built_graph(self, plan: _Plan, covered: NDArray[np.bool_]) -> nx.Graph:
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
