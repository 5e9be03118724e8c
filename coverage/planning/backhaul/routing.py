"""Route a plan's traffic over its own links, as the MILP's flow rows ask.

:func:`route_plan` says whether a plan's links can carry every access site's busy-hour
traffic (Mbps) to the point of presence within the link capacities and the hop limit, and
if so returns the flows: the values that make the plan a solution of the MILP of
:mod:`coverage.planning.backhaul.formulation`. It is the one feasibility test of the
heuristics, the warm starts and the plans :func:`~coverage.planning.backhaul.milp.plan_network`
compares, so a plan the heuristics keep is always a plan the MILP accepts.

Two steps, the exact one only when the cheap one fails:

1. every site's traffic along its shortest path in the plan's links (a tree plan has only
   that path; the paths follow the breadth-first depths from the PoP, so those depths are
   valid depth labels of the hop-limit rows);
2. otherwise the plan's own flow problem, split over several paths where one is too
   small: a linear program (no hop limit) or a small MILP (hop limit: which direction of
   each built link carries flow, and depth labels, as in the full model), solved exactly
   by HiGHS on the plan's few dozen links.
"""

from __future__ import annotations

import functools
import itertools
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

import networkx as nx
import numpy as np
from numpy.typing import NDArray
from scipy import sparse

from coverage.planning.backhaul.widths import fits_spectrum
from coverage.planning.solver import MilpModel, solve_milp

if TYPE_CHECKING:
    from coverage.planning.backhaul.model import BackhaulModel, BackhaulPlan
    from coverage.planning.backhaul.network import ReducedGraph

__all__ = ["Routing", "link_degrees", "route_plan"]

#: Flow (Mbps) above a link's capacity still counted as within it (rounding).
_CAPACITY_TOL_MBPS = 1e-6


@dataclass(frozen=True)
class Routing:
    """The traffic of a plan on each arc of the reduced graph.

    Attributes
    ----------
    flow_mbps
        Flow (Mbps) on each arc of the reduced graph (``net.arcs``); 0 off the plan.
    depth
        Depth label (links to the PoP) of each node of the plan's links; the PoP is 0.
        Every arc carrying flow goes from a depth ``d`` to a depth ``d - 1`` or lower.
    """

    flow_mbps: NDArray[np.float64]
    depth: dict[int, float]

    @property
    def used(self) -> NDArray[np.bool_]:
        """Per arc: carries flow.

        Returns
        -------
        numpy.ndarray
            Boolean, one value per arc.
        """
        return self.flow_mbps > 1e-9


def route_plan(model: BackhaulModel, plan: BackhaulPlan) -> Routing | None:
    """Flows that carry every access site's traffic to the PoP over the plan's links.

    Parameters
    ----------
    model
        The backhaul model (its reduced graph, traffic (Mbps) and hop limit).
    plan
        The plan; its mast heights are not checked here (the link-end rows are).

    Returns
    -------
    Routing or None
        The flows and depth labels; None when an access site has no path to the PoP over
        the plan's links, or no flow fits the capacities and the hop limit, or (with link
        widths) the links' widths do not fit a site's spectrum
        (:func:`~coverage.planning.backhaul.widths.fits_spectrum`).
    """
    T = _plan_graph(model, plan)
    n = model.net.n
    if n not in T or any(i not in T for i in plan.access):
        return None
    routed = _shortest_path_routing(model, plan, T)
    if routed is None:
        routed = _flow_problem_routing(model, plan, T)
    if routed is None or not fits_spectrum(model, routed.flow_mbps, plan.edges):
        return None
    return routed


def _plan_graph(model: BackhaulModel, plan: BackhaulPlan) -> nx.Graph:
    """The plan's links as a graph of reduced-graph nodes, each edge with its link index."""
    T = nx.Graph()
    for e in plan.edges:
        a, b = (int(v) for v in model.net.edges[e])
        T.add_edge(a, b, e=e)
    return T


def _site_traffic(model: BackhaulModel, plan: BackhaulPlan) -> dict[int, float]:
    nh = model.n_heights
    return {i: float(model.traffic_mbps[i * nh + h]) for i, h in plan.access.items()}


def _shortest_path_routing(model: BackhaulModel, plan: BackhaulPlan, T: nx.Graph) -> Routing | None:
    """Each site's traffic along its shortest path; None when a link or the hop limit is
    exceeded."""
    net, n = model.net, model.net.n
    depth = nx.single_source_shortest_path_length(T, n)
    limit = model.hop_limit
    if limit is not None and any(depth[i] > limit for i in plan.access):
        return None
    paths = nx.single_source_shortest_path(T, n)
    arc_index = _arc_index(model)
    flow = np.zeros(len(net.arcs))
    for i, t in _site_traffic(model, plan).items():
        for a, b in itertools.pairwise(reversed(paths[i])):
            flow[arc_index[(a, b)]] += t
    load = np.zeros(len(net.edges))
    np.add.at(load, net.arcs[:, 2], flow)
    if np.any(load > net.cap + _CAPACITY_TOL_MBPS):
        return None
    return Routing(flow, {int(v): float(d) for v, d in depth.items()})


def _arc_index(model: BackhaulModel) -> dict[tuple[int, int], int]:
    return _arcs_by_ends(model.net)


@functools.lru_cache(maxsize=4)
def _arcs_by_ends(net: ReducedGraph) -> dict[tuple[int, int], int]:
    """(tail, head) -> arc of a reduced graph, built once per graph (the local searches route
    thousands of plans on one graph; the graph is frozen and hashed by identity)."""
    return {(int(t), int(hd)): ai for ai, (t, hd, _) in enumerate(net.arcs)}


def _flow_problem_routing(model: BackhaulModel, plan: BackhaulPlan, T: nx.Graph) -> Routing | None:
    """The plan's own flow problem solved exactly (least total flow, so no flow cycles)."""
    net, n, H = model.net, model.net.n, model.hop_limit
    built = set(plan.edges)
    arcs = [ai for ai, (_, _, e) in enumerate(net.arcs) if int(e) in built]
    nodes = sorted(v for v in T.nodes if v != n)
    col = {v: k for k, v in enumerate(nodes)}
    na, nv = len(arcs), len(nodes)
    hop = H is not None
    n_cols = na + (na + nv if hop else 0)  # flows, then arc used and depths
    rows: list[tuple[list[int], list[float], float, float]] = []
    traffic = _site_traffic(model, plan)
    for v in nodes:  # flow out minus flow in = the node's own traffic
        cols = [k for k, ai in enumerate(arcs) if net.arcs[ai, 0] == v]
        cols_in = [k for k, ai in enumerate(arcs) if net.arcs[ai, 1] == v]
        t = traffic.get(v, 0.0)
        rows.append((cols + cols_in, [1.0] * len(cols) + [-1.0] * len(cols_in), t, t))
    for e in plan.edges:
        ks = [k for k, ai in enumerate(arcs) if net.arcs[ai, 2] == e]
        if not hop:
            rows.append((ks, [1.0] * len(ks), -np.inf, float(net.cap[e])))
            continue
        rows.append(([na + k for k in ks], [1.0] * len(ks), -np.inf, 1.0))
        for k in ks:
            rows.append(([k, na + k], [1.0, -float(net.cap[e])], -np.inf, 0.0))
            rows.append(_depth_row(net.arcs[arcs[k]], k, na, col, n, int(H or 0)))
    mat = _matrix(rows, n_cols)
    lo = np.zeros(n_cols)
    hi = np.full(n_cols, np.inf)
    integ = np.zeros(n_cols, np.int64)
    if hop:
        hi[na : 2 * na] = 1.0
        integ[na : 2 * na] = 1
        hi[2 * na :] = float(H or 0)
    cost = np.zeros(n_cols)
    cost[:na] = 1.0
    milp = MilpModel(cost, mat, [r[2] for r in rows], [r[3] for r in rows], lo, hi, integ)
    sol = solve_milp(milp, time_limit_s=10.0, mip_rel_gap=1.0, log_level=logging.DEBUG)
    if sol.x is None:
        return None
    flow = np.zeros(len(net.arcs))
    flow[arcs] = np.maximum(sol.x[:na], 0.0)
    depth: dict[int, float] = {n: 0.0}
    if hop:
        depth.update({v: float(sol.x[2 * na + col[v]]) for v in nodes})
    else:
        depth.update(nx.single_source_shortest_path_length(T, n))
    return Routing(flow, depth)


def _depth_row(
    arc: NDArray[np.int64], k: int, na: int, col: dict[int, int], n: int, H: int
) -> tuple[list[int], list[float], float, float]:
    """``d_tail >= d_head + 1 - (H + 1)(1 - o_arc)`` (Miller-Tucker-Zemlin, as the model)."""
    t, hd = int(arc[0]), int(arc[1])
    d0 = 2 * na
    if hd == n:
        return [d0 + col[t], na + k], [1.0, -(H + 1.0)], -float(H), np.inf
    return [d0 + col[t], d0 + col[hd], na + k], [1.0, -1.0, -(H + 1.0)], -float(H), np.inf


def _matrix(
    rows: list[tuple[list[int], list[float], float, float]], n_cols: int
) -> sparse.csr_array:
    r = [i for i, row in enumerate(rows) for _ in row[0]]
    c = [j for row in rows for j in row[0]]
    v = [x for row in rows for x in row[1]]
    return sparse.csr_array((v, (r, c)), shape=(len(rows), n_cols))


def link_degrees(model: BackhaulModel, p: BackhaulPlan) -> dict[int, int]:
    """How many of the plan's links end at each node (the PoP included).

    Parameters
    ----------
    model
        The problem (its reduced graph).
    p
        The plan.

    Returns
    -------
    dict
        Node -> its built links; a node without one is absent.
    """
    deg: dict[int, int] = {}
    for e in p.edges:
        for v in model.net.edges[e]:
            deg[int(v)] = deg.get(int(v), 0) + 1
    return deg
