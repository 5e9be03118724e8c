"""The backhaul MILP in matrix form: the column layout and one function per constraint family.

:func:`build_milp` writes the current model of a
:class:`~coverage.planning.backhaul.model.BackhaulModel` as COO triplets (solved by
:func:`coverage.planning.solver.solve_milp`), family by family, in a fixed row order:
one role per candidate, coverage of the active demand groups, links need both ends built,
the links at a site within the band's channels, flow balance, capacity (or, with a hop limit, arc use, capacity and the depth labels),
the link widths (one per link, capacity by width, the spectrum at a site),
the valid inequalities, the two-path cuts found so far, and last the budget or target
row. :class:`Columns` says where each block of variables sits; :func:`start_vector`
writes a plan in that layout (its flows from
:func:`~coverage.planning.backhaul.routing.route_plan`) and :func:`violated_cuts` finds
the two-path cuts a plan violates. See :mod:`coverage.planning.backhaul.milp` for the model in words and its
references.
"""

from __future__ import annotations

import itertools
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import networkx as nx
import numpy as np
from numpy.typing import NDArray
from scipy import sparse

from coverage.planning.backhaul.hotspots import hotspot_reached
from coverage.planning.backhaul.network import ReducedGraph
from coverage.planning.backhaul.routing import route_plan
from coverage.planning.backhaul.satellites import satellite_people
from coverage.planning.backhaul.widths import start_widths, width_bounds, width_rows
from coverage.planning.solver import MilpModel

if TYPE_CHECKING:
    from coverage.planning.backhaul.model import BackhaulModel, BackhaulPlan

__all__ = [
    "Columns",
    "Cut",
    "Rows",
    "build_milp",
    "cost_vector",
    "start_vector",
    "violated_cuts",
]

#: A two-path cut-set row: the links leaving a site set, and the access candidate inside it.
Cut = tuple[list[int], int]


@dataclass
class Rows:
    """Sparse constraint rows accumulated as COO triplets.

    Attributes
    ----------
    r, c, v
        Row, column and value of each nonzero.
    lo, hi
        Bounds of each row.
    """

    r: list[int] = field(default_factory=list)
    c: list[int] = field(default_factory=list)
    v: list[float] = field(default_factory=list)
    lo: list[float] = field(default_factory=list)
    hi: list[float] = field(default_factory=list)

    def add(self, cols: Sequence[int], vals: Sequence[float], lo: float, hi: float) -> None:
        """Append the row ``lo <= sum vals x[cols] <= hi``.

        Parameters
        ----------
        cols, vals
            Columns and their coefficients.
        lo, hi
            Row bounds (``-np.inf`` / ``np.inf`` for none).
        """
        i = len(self.lo)
        self.r.extend([i] * len(cols))
        self.c.extend(int(c) for c in cols)
        self.v.extend(float(v) for v in vals)
        self.lo.append(lo)
        self.hi.append(hi)

    def matrix(self, n_cols: int) -> sparse.csr_array:
        """The rows as a sparse matrix.

        Parameters
        ----------
        n_cols
            Number of columns.

        Returns
        -------
        scipy.sparse.csr_array
            Rows x ``n_cols``.
        """
        return sparse.csr_array((self.v, (self.r, self.c)), shape=(len(self.lo), n_cols))


@dataclass(frozen=True)
class Columns:
    """Where each block of MILP variables sits: one slice of columns per block, in order.

    Attributes
    ----------
    u
        Access site binaries, one per option (candidate ``i`` at height ``h``: ``i nh + h``).
    r
        Relay binaries, one per option.
    z
        Covered, one per merged demand group (binary when ``k_coverage > 1``).
    l
        Link built, one per link of the reduced graph.
    f
        Flow (Mbps), one per arc.
    o
        Arc used, one per arc (empty without a hop limit).
    d
        Depth label (links to the PoP), one per candidate (empty without a hop limit).
    s
        Satellite terminals: the USD spent on them and the people they connect (empty
        without the satellite option).
    h
        Hotspots: one binary per candidate, then one reached share per reachable demand
        point (:mod:`~coverage.planning.backhaul.hotspots`; empty without hotspots).
    w
        Link widths: per link, one binary per channel width above the narrowest (the link
        takes that width; none set: the narrowest), link by link (empty without
        ``link_widths``).
    """

    u: slice
    r: slice
    z: slice
    l: slice  # noqa: E741 (the model's name for the link columns)
    f: slice
    o: slice
    d: slice
    s: slice = field(default_factory=lambda: slice(0, 0))
    h: slice = field(default_factory=lambda: slice(0, 0))
    w: slice = field(default_factory=lambda: slice(0, 0))

    @property
    def n(self) -> int:
        """Number of columns.

        Returns
        -------
        int
            The end of the last block.
        """
        return int(max(self.d.stop, self.s.stop, self.h.stop, self.w.stop))

    @classmethod
    def layout(
        cls,
        n_options: int,
        n_groups: int,
        net: ReducedGraph,
        hop: bool,
        satellite: bool = False,
        hotspots: int = 0,
        wider: int = 0,
    ) -> Columns:
        """The blocks u, r, z, l, f, o, d, s, h, w one after the other.

        Parameters
        ----------
        n_options
            Candidates x mast heights.
        n_groups
            Merged demand groups.
        net
            The reduced graph (its links, arcs and candidates).
        hop
            Whether the hop-limit blocks ``o`` and ``d`` are present.
        satellite
            Whether the satellite block ``s`` (2 columns) is present.
        hotspots
            Columns of the hotspot block ``h`` (0: none).
        wider
            Channel widths above the narrowest, per link (block ``w``; 0: none).

        Returns
        -------
        Columns
            The slices.
        """
        sizes = [
            n_options,
            n_options,
            n_groups,
            len(net.edges),
            len(net.arcs),
            len(net.arcs) if hop else 0,
            net.n if hop else 0,
            2 if satellite else 0,
            hotspots,
            wider * len(net.edges),
        ]
        ends = np.cumsum([0, *sizes]).tolist()
        return cls(*(slice(a, b) for a, b in itertools.pairwise(ends)))


def build_milp(m: BackhaulModel, cuts: Sequence[Cut] = ()) -> MilpModel:
    """The current model: objective, rows, column bounds, integrality and sense.

    Parameters
    ----------
    m
        The backhaul model (its graph, layout, active demand groups, costs and limits).
    cuts
        Two-path cut-set rows found so far (:func:`violated_cuts`).

    Returns
    -------
    MilpModel
        Columns as ``m.cols`` lays them out.
    """
    rows = Rows()
    _one_role_rows(m, rows)
    _coverage_rows(m, rows)
    _link_end_rows(m, rows)
    _links_at_site_rows(m, rows)
    _flow_balance_rows(m, rows)
    if m.hop_limit is not None:
        _hop_limit_rows(m, rows)
    else:
        _capacity_rows(m, rows)
    width_rows(m, rows)
    _valid_inequality_rows(m, rows)
    _two_path_rows(m, rows, cuts)
    _satellite_rows(m, rows)
    _hotspot_rows(m, rows)
    cost = cost_vector(m)
    col_lo, col_hi, integ = _column_bounds(
        m,
    )
    obj, maximize = _objective(m, rows, cost, col_lo)
    return MilpModel(obj, rows.matrix(m.cols.n), rows.lo, rows.hi, col_lo, col_hi, integ, maximize)


def _u(m: BackhaulModel, i: int, h: int) -> int:
    return m.cols.u.start + i * m.n_heights + h


def _r(m: BackhaulModel, i: int, h: int) -> int:
    return m.cols.r.start + i * m.n_heights + h


def _one_role_rows(m: BackhaulModel, rows: Rows) -> None:
    """At most one role (access or relay) and one mast height per candidate."""
    nh = m.n_heights
    for i in range(m.net.n):
        cols = [_u(m, i, h) for h in range(nh)] + [_r(m, i, h) for h in range(nh)]
        rows.add(cols, [1.0] * (2 * nh), -np.inf, 1.0)


def _coverage_rows(m: BackhaulModel, rows: Rows) -> None:
    """``k_coverage z_g <= sum`` of the access options serving group ``g`` (active ones)."""
    Ag = sparse.csc_array(m.Ag)
    z, u = m.cols.z.start, m.cols.u.start
    for gi in np.nonzero(m.active)[0]:
        opts = Ag.indices[Ag.indptr[gi] : Ag.indptr[gi + 1]]
        vals = [m.k_coverage] + [-1.0] * len(opts)
        rows.add([z + gi, *(u + opts)], vals, -np.inf, 0.0)


def _link_end_rows(m: BackhaulModel, rows: Rows) -> None:
    """A link needs both candidate ends built at its minimum height or taller."""
    net, nh, n = m.net, m.n_heights, m.net.n
    for e, (a, b) in enumerate(net.edges):
        tall = [h for h in range(nh) if m.heights_m[h] >= net.req_h[e] - 1e-9]
        for end in (a, b):
            if end == n:
                continue
            cols = [_u(m, end, h) for h in tall] + [_r(m, end, h) for h in tall]
            rows.add([m.cols.l.start + e, *cols], [1.0] + [-1.0] * len(cols), -np.inf, 0.0)


def _links_at_site_rows(m: BackhaulModel, rows: Rows) -> None:
    """At most ``max_links_at_site`` links built at each candidate and at each PoP."""
    limit = m.problem.max_links_at_site
    if limit is None:
        return
    net, lk = m.net, m.cols.l.start
    at: dict[Hashable, list[int]] = {}
    for e, (a, b) in enumerate(net.edges):
        for end in (int(a), int(b)):
            key: Hashable = net.pop_of_edge[e] if end == net.n else end  # each PoP its own
            at.setdefault(key, []).append(e)
    for edges in at.values():
        if len(edges) > limit:
            rows.add([lk + e for e in edges], [1.0] * len(edges), -np.inf, float(limit))


def _flow_balance_rows(m: BackhaulModel, rows: Rows) -> None:
    """Flow out minus flow in equals the traffic (Mbps) the access option injects."""
    nh, f = m.n_heights, m.cols.f.start
    out_of, into = m.inc.out_of, m.inc.into
    for i in range(m.net.n):
        if i not in m.net.hops:
            continue
        cols = [f + a for a in out_of[i]] + [f + a for a in into[i]]
        vals = [1.0] * len(out_of[i]) + [-1.0] * len(into[i])
        cols += [_u(m, i, h) for h in range(nh)]
        vals += [-float(m.traffic_mbps[i * nh + h]) for h in range(nh)]
        rows.add(cols, vals, 0.0, 0.0)


def _capacity_rows(m: BackhaulModel, rows: Rows) -> None:
    """Without a hop limit: the flows of a link's arcs within its capacity when built."""
    f, lk = m.cols.f.start, m.cols.l.start
    for e in range(len(m.net.edges)):
        ars = m.inc.arcs_of.get(e, [])
        vals = [1.0] * len(ars) + [-m.net.cap[e]]
        rows.add([f + a for a in ars] + [lk + e], vals, -np.inf, 0.0)


def _hop_limit_rows(m: BackhaulModel, rows: Rows) -> None:
    """With a hop limit, per link: one used arc at most, and only when built; per arc:
    flow within capacity when used, and the depth label one below its head's (MTZ)."""
    cols, net = m.cols, m.net
    n, H = net.n, m.hop_limit or 0
    f, lk, o, d = cols.f.start, cols.l.start, cols.o.start, cols.d.start
    for e in range(len(net.edges)):
        ars = m.inc.arcs_of.get(e, [])
        rows.add([o + a for a in ars] + [lk + e], [1.0] * len(ars) + [-1.0], -np.inf, 0.0)
        for a in ars:
            rows.add([f + a, o + a], [1.0, -net.cap[e]], -np.inf, 0.0)
            t, hd = int(net.arcs[a, 0]), int(net.arcs[a, 1])
            if hd == n:
                rows.add([d + t, o + a], [1.0, -(H + 1.0)], -float(H), np.inf)
            else:
                vals = [1.0, -1.0, -(H + 1.0)]
                rows.add([d + t, d + hd, o + a], vals, -float(H), np.inf)


def _valid_inequality_rows(m: BackhaulModel, rows: Rows) -> None:
    """Rows that tighten the LP relaxation: an access site sends its traffic over at
    least one used arc (two links when two paths are asked); a relay in an optimal plan
    has at least two links (one with a single link serves nothing)."""
    nh, n = m.n_heights, m.net.n
    lk, o = m.cols.l.start, m.cols.o.start
    out_of, edges_of = m.inc.out_of, m.inc.edges_of
    need_links = 2.0 if m.two_paths else 1.0
    for i in m.net.hops:
        if i == n:
            continue
        if m.hop_limit is not None and not m.two_paths:
            cols = [o + a for a in out_of[i]] + [_u(m, i, h) for h in range(nh)]
            vals = [1.0] * len(out_of[i]) + [-1.0] * nh
        else:
            cols = [lk + e for e in edges_of[i]] + [_u(m, i, h) for h in range(nh)]
            vals = [1.0] * len(edges_of[i]) + [-need_links] * nh
        rows.add(cols, vals, 0.0, np.inf)
        cols = [lk + e for e in edges_of[i]] + [_r(m, i, h) for h in range(nh)]
        rows.add(cols, [1.0] * len(edges_of[i]) + [-2.0] * nh, 0.0, np.inf)


def _two_path_rows(m: BackhaulModel, rows: Rows, cuts: Sequence[Cut]) -> None:
    """Cut-set rows found so far: two built links leave every site set holding access
    site ``s`` but not the PoP."""
    nh, lk = m.n_heights, m.cols.l.start
    for cut_edges, s in cuts:
        cols = [lk + e for e in cut_edges] + [_u(m, s, h) for h in range(nh)]
        rows.add(cols, [1.0] * len(cut_edges) + [-2.0] * nh, 0.0, np.inf)


def _satellite_rows(m: BackhaulModel, rows: Rows) -> None:
    """Satellite people within what the USD spent buys, and within the people no modelled
    covered group holds: ``sigma <= S / c`` and ``sigma + sum_g people_g z_g <= people``."""
    if m.satellite_usd_per_person is None:
        return
    spend, sigma = m.cols.s.start, m.cols.s.start + 1
    rows.add([sigma, spend], [1.0, -1.0 / m.satellite_usd_per_person], -np.inf, 0.0)
    sat_wg = m.sat_wg
    groups = np.nonzero(sat_wg > 0)[0]
    cols = [sigma, *(m.cols.z.start + groups)]
    if m.hot is not None:  # the people a hotspot reaches get no terminal
        eta = m.cols.h.start + m.hot.option.n + np.arange(m.hot.points.size)
        keep = m.sat_w[m.hot.points] > 0
        cols += list(eta[keep])
        vals = [1.0, *sat_wg[groups], *m.sat_w[m.hot.points][keep]]
    else:
        vals = [1.0, *sat_wg[groups]]
    rows.add(cols, vals, -np.inf, float(m.sat_w.sum()))


def _hotspot_rows(m: BackhaulModel, rows: Rows) -> None:
    """A hotspot only where its host's group is covered, ``y_j <= z_g``; a reached point
    only when a built hotspot reaches it and no site covers it, ``eta_d <= sum_j y_j``
    and ``eta_d + z_g(d) <= 1``."""
    if m.hot is None:
        return
    opt, y0, z = m.hot.option, m.cols.h.start, m.cols.z.start
    eta0 = y0 + opt.n
    for j in range(opt.n):
        g = int(m.group[opt.host[j]])
        if g >= 0:  # a host no option sees is switched off in the column bounds
            rows.add([y0 + j, z + g], [1.0, -1.0], -np.inf, 0.0)
    by_point = sparse.csc_array(opt.reach)
    for k, d in enumerate(m.hot.points):
        js = by_point.indices[by_point.indptr[d] : by_point.indptr[d + 1]]
        rows.add([eta0 + k, *(y0 + js)], [1.0] + [-1.0] * len(js), -np.inf, 0.0)
        g = int(m.group[d])
        if g >= 0:
            rows.add([eta0 + k, z + g], [1.0, 1.0], -np.inf, 1.0)


def cost_vector(m: BackhaulModel) -> NDArray[np.float64]:
    """Cost (USD) of each column: options as access sites and relays, links.

    Parameters
    ----------
    m
        The backhaul model.

    Returns
    -------
    numpy.ndarray
        One cost per column (0 for the others).
    """
    c = np.zeros(m.cols.n)
    c[m.cols.u] = m.access_cost_usd
    c[m.cols.r] = m.relay_cost_usd
    c[m.cols.l] = m.link_cost_usd
    if m.satellite_usd_per_person is not None:
        c[m.cols.s.start] = 1.0  # the USD spent on satellite terminals
    if m.hot is not None:
        c[m.cols.h.start : m.cols.h.start + m.hot.option.n] = m.hot.option.cost_usd
    return c


def _column_bounds(
    m: BackhaulModel,
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.int64]]:
    """Column bounds and integrality: binaries but for flows, depth labels and (when
    ``k_coverage`` is 1) the covered columns; options off where they cannot serve or are
    dominated."""
    cols, n, nh = m.cols, m.net.n, m.n_heights
    col_lo = np.zeros(cols.n)
    col_hi = np.ones(cols.n)
    col_hi[cols.f] = np.inf
    if m.hop_limit is not None:
        col_hi[cols.d] = float(m.hop_limit)
    col_hi[cols.u][np.repeat(~m.access_ok, nh)] = 0.0
    if m.dom.access_by.size:  # dominated options (coverage.planning.backhaul.presolve)
        col_hi[cols.u][m.dom.access_off] = 0.0
    unreach = np.repeat(np.array([i not in m.net.hops for i in range(n)]), nh)
    col_hi[cols.r][unreach] = 0.0
    integ = np.ones(cols.n, np.int64)
    integ[cols.z] = 1 if m.k_coverage > 1 else 0
    integ[cols.f] = 0
    integ[cols.d] = 0
    integ[cols.s] = 0
    col_hi[cols.s] = np.inf
    col_hi[cols.z][~m.active] = 0.0
    width_bounds(m, col_hi)
    if m.hot is not None:  # y binary, eta continuous in [0, 1]; hosts no option sees off
        opt = m.hot.option
        integ[cols.h.start + opt.n : cols.h.stop] = 0
        col_hi[cols.h.start + np.nonzero(m.group[opt.host] < 0)[0]] = 0.0
    return col_lo, col_hi, integ


def _objective(
    m: BackhaulModel, rows: Rows, cost: NDArray[np.float64], col_lo: NDArray[np.float64]
) -> tuple[NDArray[np.float64], bool]:
    """The budget row and the coverage objective (with a tie-breaking cost penalty), or
    the target row, the must-cover groups and the cost objective."""
    cols = m.cols
    if m.budget_usd is not None:
        rows.add(list(range(cols.n)), list(cost), -np.inf, m.budget_usd)
        obj = -m.tie_penalty_per_usd * cost
        obj[cols.z] = m.wg
        if m.satellite_usd_per_person is not None:
            obj[cols.s.start + 1] = 1.0  # a person connected by satellite
        if m.hot is not None:  # a person a hotspot reaches, at the hotspot weight
            obj[cols.h.start + m.hot.option.n : cols.h.stop] = (
                m.hot.option.weight * m.w[m.hot.points]
            )
        return obj, True
    assert m.need_weight is not None
    free = float(m.share_wg[~m.active].sum())
    act = np.nonzero(m.active)[0]
    rows.add(list(cols.z.start + act), list(m.share_wg[act]), m.need_weight - free - 1e-9, np.inf)
    must_g = np.unique(m.group[m.must & (m.group >= 0)])
    col_lo[cols.z.start + must_g] = 1.0
    return cost, False


# --- plans in the column layout ---------------------------------------------------------
def start_vector(m: BackhaulModel, plan: BackhaulPlan) -> NDArray[np.float64] | None:
    """A plan as a full MILP solution, its traffic (Mbps) routed by
    :func:`~coverage.planning.backhaul.routing.route_plan`, with the arcs used and depths
    under a hop limit.

    Parameters
    ----------
    m
        The backhaul model (its layout and active demand groups).
    plan
        The plan.

    Returns
    -------
    numpy.ndarray or None
        One value per column; None when the plan has no access site, or its links cannot
        carry its traffic to the PoP within the capacities and the hop limit.
    """
    if not plan.access:
        return None
    routing = route_plan(m, plan)
    if routing is None:
        return None
    cols, nh, n = m.cols, m.n_heights, m.net.n
    x = np.zeros(cols.n)
    for i, h in plan.access.items():
        x[cols.u.start + i * nh + h] = 1.0
    for i, h in plan.relays.items():
        x[cols.r.start + i * nh + h] = 1.0
    opts = np.array([i * nh + h for i, h in plan.access.items()], dtype=np.int64)
    counts = m.Ag.T.astype(np.float64) @ np.bincount(opts, minlength=n * nh)
    x[cols.z] = ((counts >= m.k_coverage) & m.active).astype(np.float64)
    x[cols.l.start + np.asarray(plan.edges, dtype=np.int64)] = 1.0
    x[cols.f] = routing.flow_mbps
    start_widths(m, x, routing.flow_mbps, plan.edges)
    if m.hop_limit is not None:
        x[cols.o] = routing.used.astype(np.float64)
        for v, d in routing.depth.items():
            if v != n:
                x[cols.d.start + v] = d
    if m.hot is not None and plan.hotspots:
        x[cols.h.start + np.asarray(plan.hotspots, dtype=np.int64)] = 1.0
        reached = hotspot_reached(m, plan)
        x[cols.h.start + m.hot.option.n : cols.h.stop] = reached[m.hot.points]
    if m.satellite_usd_per_person is not None:  # the rest of the budget on satellites
        room = float(m.sat_w.sum() - m.sat_wg @ x[cols.z])
        room -= float(m.sat_w[hotspot_reached(m, plan)].sum())
        people = satellite_people(m, plan, room=room)
        x[cols.s.start : cols.s.stop] = (people * m.satellite_usd_per_person, people)
    return x


def violated_cuts(m: BackhaulModel, plan: BackhaulPlan) -> list[Cut]:
    """Cut-set rows for access sites separated from the PoP by a single built link.

    Parameters
    ----------
    m
        The backhaul model (its reduced graph).
    plan
        The plan.

    Returns
    -------
    list of Cut
        For each bridge and each access site on its far side: the links leaving that
        side, and the site.
    """
    n = m.net.n
    B = nx.Graph()
    B.add_node(n)
    B.add_edges_from(tuple(int(v) for v in m.net.edges[e]) for e in plan.edges)
    cuts: list[Cut] = []
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
            cut = [e for e, (p, q) in enumerate(m.net.edges) if (p in S) != (q in S)]
            cuts.append((cut, s))
    return cuts
