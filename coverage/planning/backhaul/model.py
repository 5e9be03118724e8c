"""The MILP of :func:`coverage.planning.backhaul.milp.plan_network`: variables, rows, decoding.

See :mod:`coverage.planning.backhaul.milp` for the model in words and its references. This module
holds the matrix form (built as COO triplets and solved by :func:`coverage.planning.solver.solve_milp`),
the reduced candidate graph, the lazy demand rows and the two-path cut separation.
"""

from __future__ import annotations

import dataclasses
import itertools
import logging
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
import numpy as np
from numpy.typing import NDArray
from scipy import sparse

from coverage.planning.covering import aggregate_demand, covered_mask
from coverage.planning.solver import MilpModel, MilpSolution, solve_milp

__all__ = ["BackhaulModel", "BackhaulPlan", "reduce_graph", "two_path_ok"]

log = logging.getLogger(__name__)

#: HiGHS options for the network model: restarts after root fixing cost more than they save
#: on these flow models (measured: 2.6 s -> 0.65 s on a 16-candidate grid instance).
_HIGHS_OPTIONS: dict[str, bool | int | float | str] = {
    "mip_allow_restart": False,
    "mip_heuristic_effort": 0.02,
}
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


def reduce_graph(
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


def two_path_ok(net: _Net) -> NDArray[np.bool_]:
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


@dataclass
class BackhaulPlan:
    """A decoded plan: option per access candidate, height per relay, built edges."""

    access: dict[int, int]  # candidate -> height index
    relays: dict[int, int]  # candidate -> height index
    edges: list[int]  # indices into net.edges
    cost: float = 0.0


@dataclass
class BackhaulModel:
    """The plain data of one placement-with-backhaul problem and its MILP."""

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

    def plan_cost(self, plan: BackhaulPlan) -> float:
        nh = self.heights.size
        return float(
            sum(self.acc_cost[i * nh + h] for i, h in plan.access.items())
            + sum(self.rel_cost[i * nh + h] for i, h in plan.relays.items())
            + self.link_cost * len(plan.edges)
        )

    def covered(self, plan: BackhaulPlan) -> NDArray[np.bool_]:
        nh = self.heights.size
        opts = [i * nh + h for i, h in plan.access.items()]
        return covered_mask(self.A, opts, self.k)

    def covered_weight(self, plan: BackhaulPlan) -> float:
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
        # _ROW_NNZ coverage nonzeros, and every must-cover group. Under a coverage target
        # (cost objective) every group is modelled from the start: counting unmodelled
        # groups as covered lets the solver meet the target on paper with plans far short
        # of it (measured on Palmitas: 88.7 % covered against a 98.3 % target, and the
        # 60 s limit ran out before the rounds that would correct it).
        if self.budget is None:
            self.active = np.ones(g, bool)
            return off
        size = np.diff(Ag.indptr)
        order = np.argsort(size, kind="stable")
        take = order[: int(np.searchsorted(np.cumsum(size[order]), _ROW_NNZ, side="right"))]
        active = np.zeros(g, bool)
        active[take] = True
        active[np.unique(group[self.must & (group >= 0)])] = True
        self.active = active
        return off

    def activate_missing(self, plan: BackhaulPlan) -> int:
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

    def meets_target(self, plan: BackhaulPlan) -> bool:
        """Whether a plan covers the target weight and every must-cover point (cost
        objective; always true under a budget)."""
        if self.need is None:
            return True
        cov = self.covered(plan)
        return bool(cov[self.must].all() and self.w[cov].sum() >= self.need - 1e-6)

    def better(self, a: BackhaulPlan, b: BackhaulPlan) -> bool:
        """Whether plan ``a`` is strictly better than ``b`` for the objective."""
        if self.budget is not None:
            return self.covered_weight(a) > self.covered_weight(b) + 1e-9
        return a.cost < b.cost - 1e-6

    def feasible(self, plan: BackhaulPlan) -> bool:
        """Whether a plan meets every row of the current model (budget, target, capacity,
        hops) when its traffic is routed along shortest paths of its own links."""
        x = self.start_vector(plan)
        if x is None:
            return False
        m = self.model([])
        if self.budget is None:
            cov = self.covered(plan)
            if not cov[self.must].all() or self.w[cov].sum() < (self.need or 0.0) - 1e-6:
                return False
        Mx = m.matrix @ x
        return bool(
            np.all(Mx >= np.asarray(m.row_lower) - 1e-6)
            and np.all(Mx <= np.asarray(m.row_upper) + 1e-6)
            and np.all(x >= np.asarray(m.col_lower) - 1e-9)
            and np.all(x <= np.asarray(m.col_upper) + 1e-9)
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
    ) -> tuple[MilpSolution, float]:
        """Solve the current model; return the solution and a bound valid for the full
        problem (the demand groups not yet in the model count as covered)."""
        m = self.model(cuts)
        if relax:
            m = dataclasses.replace(m, integrality=np.zeros_like(m.integrality))
        sol = solve_milp(
            m,
            time_limit_s=time_limit_s,
            mip_rel_gap=mip_rel_gap,
            start=start,
            options=_HIGHS_OPTIONS,
        )
        L = self._layout()
        if self.budget is None:
            return sol, max(sol.bound, 0.0)
        free = float(L["wg"][~self.active].sum())
        eps_total = self._eps * self.budget
        return sol, min(sol.bound + free + eps_total, float(L["wg"].sum()))

    def model(self, cuts: Sequence[tuple[list[int], int]]) -> MilpModel:
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
        return MilpModel(
            obj, rows.matrix(L["n"]), rows.lo, rows.hi, col_lo, col_hi, integ, maximize
        )

    @property
    def _eps(self) -> float:
        """Cost penalty per USD that breaks ties toward cheaper plans (coverage objective):
        the whole budget weighs 0.01 % of the total weight, so at most that much coverage
        can be traded for cost (the reported bound adds it back)."""
        if self.budget is None:
            return 0.0
        return 1e-4 * float(self.w.sum()) / max(self.budget, 1.0)

    def start_vector(self, plan: BackhaulPlan) -> NDArray[np.float64] | None:
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

    def decode(self, x: NDArray[np.float64]) -> BackhaulPlan:
        L = self._layout()
        nh, n = L["nh"], L["nc"]
        U = x[L["u"] : L["r"]].reshape(n, nh) > 0.5
        R = x[L["r"] : L["z"]].reshape(n, nh) > 0.5
        edges = [int(e) for e in np.nonzero(x[L["l"] : L["f"]] > 0.5)[0]]
        if not self.two_paths:  # a built link that carries no traffic serves nothing
            flow = np.zeros(L["E"])
            np.add.at(flow, self.net.arcs[:, 2], x[L["f"] : L["o"]])
            edges = [e for e in edges if flow[e] > 1e-7]
        access = {int(i): int(h) for i, h in zip(*np.nonzero(U), strict=True)}
        used = {int(v) for e in edges for v in self.net.edges[e]}
        relays = {int(i): int(h) for i, h in zip(*np.nonzero(R), strict=True) if i in used}
        plan = BackhaulPlan(access, relays, edges)
        plan.cost = self.plan_cost(plan)
        return plan

    def violated_cuts(self, plan: BackhaulPlan) -> list[tuple[list[int], int]]:
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
