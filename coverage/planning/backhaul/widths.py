"""The channel width of each backhaul link as a choice of the MILP.

With :attr:`~coverage.planning.problem.PlacementProblem.link_widths` the model gets, per
link ``e`` and per width ``k`` above the narrowest, a binary ``y_ek`` (block ``w`` of
:class:`~coverage.planning.backhaul.formulation.Columns`), and the rows:

* ``sum_k y_ek <= l_e``: a built link takes one width (the narrowest when no ``y`` is set);
* ``sum_a f_a <= c_e0 l_e + sum_k (c_ek - c_e0) y_ek``: its flow within the capacity of its
  width (``capacity_by_width_mbps``, from the link budget's SNR and the rate table carried
  to each width, :func:`coverage.planning.channels.link_capacity_mbps`);
* per site and per PoP, ``sum_e (W_0 l_e + sum_k (W_k - W_0) y_ek) <= site_mhz``: the widths
  of its links fit in the band's block (:mod:`coverage.planning.channels` explains why this
  one row is exact for one site and for a tree of links).

A width as wide as a site's whole spectrum leaves no room for another link at either end,
so between two candidates it would cut both off from the PoP: it is allowed on PoP links
only (:func:`width_bounds`; exact, and it spares the model a binary per link).

The channel plan after the placement
(:func:`coverage.planning.channels.assign_planned_channels`) gives each link the width
chosen here, so a link never carries more than its channel's capacity.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

if TYPE_CHECKING:
    from coverage.planning.backhaul.formulation import Rows
    from coverage.planning.backhaul.model import BackhaulModel, BackhaulPlan

__all__ = [
    "decode_widths",
    "fits_spectrum",
    "link_width_index",
    "plan_widths",
    "start_widths",
    "width_bounds",
    "width_rows",
]


def width_rows(m: BackhaulModel, rows: Rows) -> None:
    """With link widths: one width per built link, the link's flow within its width's
    capacity, and the widths at each site and PoP within its spectrum
    (:mod:`coverage.planning.channels`: exact for one site and for a tree of links).

    Parameters
    ----------
    m
        The backhaul model.
    rows
        The rows so far (:func:`~coverage.planning.backhaul.formulation.build_milp`'s).
    """
    lw = m.problem.link_widths
    if lw is None:
        return
    net, lk, f, nw = m.net, m.cols.l.start, m.cols.f.start, len(lw.widths_mhz) - 1
    widths = np.asarray(lw.widths_mhz)
    at: dict[Hashable, list[int]] = {}
    for e, (a, b) in enumerate(net.edges):
        wide = [m.cols.w.start + e * nw + k for k in range(nw)]
        rows.add([*wide, lk + e], [1.0] * nw + [-1.0], -np.inf, 0.0)
        ars = m.inc.arcs_of.get(e, [])
        cap = net.cap_w[e]
        vals = [1.0] * len(ars) + [-cap[0]] + [-(c - cap[0]) for c in cap[1:]]
        rows.add([f + a for a in ars] + [lk + e, *wide], vals, -np.inf, 0.0)
        for end in (int(a), int(b)):
            at.setdefault(net.pop_of_edge[e] if end == net.n else end, []).append(e)
    for edges in at.values():
        if widths[-1] * len(edges) <= lw.site_mhz:
            continue  # every link at its widest fits
        cols = [lk + e for e in edges]
        vals = [widths[0]] * len(edges)
        for e in edges:
            cols += [m.cols.w.start + e * nw + k for k in range(nw)]
            vals += list(widths[1:] - widths[0])
        rows.add(cols, vals, -np.inf, float(lw.site_mhz))


def decode_widths(
    m: BackhaulModel, x: NDArray[np.float64], edges: Sequence[int]
) -> dict[int, float]:
    """The channel width (MHz) of each built link in a solution: the narrowest unless a
    wider one is set.

    Parameters
    ----------
    m
        The backhaul model.
    x
        Column values of a solution.
    edges
        The built links.

    Returns
    -------
    dict
        Link -> width (MHz); empty without ``link_widths``.
    """
    lw = m.problem.link_widths
    if lw is None:
        return {}
    wide = x[m.cols.w].reshape(len(m.net.edges), -1) > 0.5
    return {
        int(e): lw.widths_mhz[1 + int(np.argmax(wide[e]))] if wide[e].any() else lw.widths_mhz[0]
        for e in edges
    }


def link_width_index(
    m: BackhaulModel, flow_mbps: NDArray[np.float64], edges: Sequence[int]
) -> dict[int, int]:
    """Per built link, the index of the narrowest width whose capacity carries its flow.

    Parameters
    ----------
    m
        The backhaul model, with ``link_widths``.
    flow_mbps
        Flow (Mbps) per arc.
    edges
        The built links.

    Returns
    -------
    dict
        Link -> index into ``link_widths.widths_mhz`` (the widest when none carries it).
    """
    load = np.zeros(len(m.net.edges))
    np.add.at(load, m.net.arcs[:, 2], flow_mbps)
    out = {}
    for e in edges:
        fits = np.nonzero(m.net.cap_w[e] >= load[e] - 1e-6)[0]
        out[int(e)] = int(fits[0]) if fits.size else m.net.cap_w.shape[1] - 1
    return out


def start_widths(
    m: BackhaulModel, x: NDArray[np.float64], flow_mbps: NDArray[np.float64], edges: Sequence[int]
) -> None:
    """Set a start vector's width columns: each built link at the narrowest width that
    carries its routed flow.

    Parameters
    ----------
    m
        The backhaul model.
    x
        The start vector, changed in place.
    flow_mbps
        Flow (Mbps) per arc.
    edges
        The built links.
    """
    if m.problem.link_widths is None or not edges:
        return
    nw = len(m.problem.link_widths.widths_mhz) - 1
    for e, k in link_width_index(m, flow_mbps, edges).items():
        if k > 0:
            x[m.cols.w.start + e * nw + k - 1] = 1.0


def plan_widths(m: BackhaulModel, plan: BackhaulPlan) -> dict[int, float]:
    """The channel width (MHz) of each of a plan's links: the MILP's choice when the plan
    is a solution, else the narrowest that carries the plan's routed traffic.

    Parameters
    ----------
    m
        The backhaul model.
    plan
        The plan.

    Returns
    -------
    dict
        Link -> width (MHz); empty without ``link_widths`` or when the plan cannot be routed.
    """
    from coverage.planning.backhaul.routing import route_plan  # routing checks fits_spectrum

    lw = m.problem.link_widths
    if lw is None or plan.width_mhz or not plan.edges:
        return dict(plan.width_mhz)
    routing = route_plan(m, plan)
    if routing is None:
        return {}
    index = link_width_index(m, routing.flow_mbps, plan.edges)
    return {e: lw.widths_mhz[k] for e, k in index.items()}


def fits_spectrum(m: BackhaulModel, flow_mbps: NDArray[np.float64], edges: Sequence[int]) -> bool:
    """Whether routed flows fit the link widths: each built link at the narrowest width that
    carries its flow, and the widths at every site and PoP within its spectrum.

    Parameters
    ----------
    m
        The backhaul model.
    flow_mbps
        Flow (Mbps) per arc.
    edges
        The built links.

    Returns
    -------
    bool
        True without ``link_widths``, else when the rows of :func:`width_rows` hold.
    """
    lw = m.problem.link_widths
    if lw is None or not edges:
        return True
    load = np.zeros(len(m.net.edges))
    np.add.at(load, m.net.arcs[:, 2], flow_mbps)
    if any(load[e] > m.net.cap_w[e, -1] + 1e-6 for e in edges):
        return False
    used: dict[Hashable, float] = {}
    for e, k in link_width_index(m, flow_mbps, edges).items():
        for end in (int(v) for v in m.net.edges[e]):
            key = m.net.pop_of_edge[e] if end == m.net.n else end
            used[key] = used.get(key, 0.0) + lw.widths_mhz[k]
    return max(used.values()) <= lw.site_mhz + 1e-9


def width_bounds(m: BackhaulModel, col_hi: NDArray[np.float64]) -> None:
    """Switch off, in the column upper bounds, the widths that fill a site's whole spectrum
    on links between two candidates (the module docstring says why that is exact).

    Parameters
    ----------
    m
        The backhaul model.
    col_hi
        Column upper bounds, changed in place.
    """
    lw = m.problem.link_widths
    if lw is None:
        return
    nw = len(lw.widths_mhz) - 1
    full = [k for k, w in enumerate(lw.widths_mhz[1:]) if w >= lw.site_mhz - 1e-9]
    inner = np.nonzero(m.net.edges[:, 1] != m.net.n)[0]
    for k in full:
        col_hi[m.cols.w.start + inner * nw + k] = 0.0
