"""Busy-hour capacity: each site's load and capacity, and cover sets that fit.

The demand per point is that of :mod:`coverage.planning.busyhour` (households x take-up x
busy-hour share x per-household rate, schools at their own rate).

A site serves its points with a rate-fair scheduler: point ``j`` needs the share
``demand_j / link_rate_j`` of the site's resources in each direction, where the link rate is
the point's rate with the whole carrier (from its SINR by the attenuated Shannon bound of
3GPP TR 36.942 Annex A.2, :func:`coverage.radio.linkbudget.throughput_mbps`). A site whose
shares sum to at most 1 carries its load; the rate it delivers is the harmonic-mean cell
throughput of its mix (``carried / share``), the cell capacity under fair time-sharing of
Bonald and Proutière, "Wireless downlink data channels: user performance and cell
dimensioning", ACM MobiCom 2003. This is a mean-load (fluid) model, simplified: no queueing,
no Erlang blocking, no burstiness beyond the busy-hour share, and no gain from resources a
capped user leaves unused.

* :func:`site_loads`: each site's load and capacity, who is admitted and at what rate;
* :func:`capacity_limited_covers`: for the placement MILP, each option's cover set cut to
  what it can carry (an inner, conservative approximation);
* :func:`option_traffic_mbps`: the busy-hour traffic each option injects into the backhaul.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from scipy import sparse

from coverage.errors import InputError
from coverage.planning.busyhour import BusyHourDemand
from coverage.planning.covering import Matrix

__all__ = [
    "REASONS",
    "SiteLoads",
    "capacity_limited_covers",
    "option_traffic_mbps",
    "site_loads",
]

log = logging.getLogger(__name__)

#: Why a point is or is not served by :func:`site_loads`: "served"; "over_capacity" (its
#: site is full); "low_sinr" (a zero link rate in a direction it has demand in: SINR below
#: the technology's minimum); "no_server" (no site serves it).
REASONS = ("served", "over_capacity", "low_sinr", "no_server")

#: Rounding allowed when resource shares are summed against 1.
_SHARE_TOL = 1e-9

_F = NDArray[np.float64]
_I = NDArray[np.int64]
_B = NDArray[np.bool_]


@dataclass(frozen=True, eq=False)
class SiteLoads:
    """Busy-hour loads of the sites and the service of each point (see :func:`site_loads`).

    Attributes
    ----------
    served
        Per point: admitted by its site.
    reason
        Per point: one of :data:`REASONS`.
    downlink_rate_mbps
        Per point: the busy-hour downlink rate (Mbps) each active user of the point gets
        (an active household, or the school): its target over its site's admitted share,
        capped at its link rate; 0 where not served.
    uplink_rate_mbps
        The same, uplink (Mbps).
    sites
        One row per site (index: site): ``offered_downlink_mbps``, ``offered_uplink_mbps``
        (every point the site serves), ``offered_downlink_share``, ``offered_uplink_share``
        (those with a link rate), ``carried_downlink_mbps``, ``carried_uplink_mbps``,
        ``downlink_share``, ``uplink_share`` (used by the admitted points, at most 1),
        ``downlink_capacity_mbps``, ``uplink_capacity_mbps`` (carried / share: the
        harmonic-mean cell throughput of the admitted mix; NaN when nothing is carried),
        ``points``, ``points_over_capacity``, ``households_over_capacity``.
    """

    served: NDArray[np.bool_]
    reason: NDArray[np.str_]
    downlink_rate_mbps: NDArray[np.float64]
    uplink_rate_mbps: NDArray[np.float64]
    sites: pd.DataFrame


def _per_point(values: ArrayLike, n: int, name: str) -> _F:
    """One finite non-negative value per point."""
    v = np.asarray(values, dtype=np.float64).ravel()
    if v.size != n or not (np.isfinite(v).all() and (v >= 0).all()):
        msg = f"{name} must give one finite value >= 0 per point ({n}), got {v.size} values."
        raise InputError(msg)
    return v


def _share(demand: _F, rate: _F) -> _F:
    """Resource share ``demand / rate``: 0 without demand, inf with demand and no rate."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(demand > 0, demand / rate, 0.0)


def _admission_order(idx: _I, demand: BusyHourDemand, big: _F) -> _I:
    """The points ``idx`` of one site in admission order: schools first (least resource
    first), then most households per resource share (the best link rate for equal
    households), then the lowest index."""
    school = demand.is_school[idx]
    b = big[idx]
    per_share = np.divide(demand.households[idx], b, out=np.full(b.shape, np.inf), where=b > 0)
    key = np.where(school, b, -per_share)
    return idx[np.lexsort((idx, key, ~school))]


def _first_fit(order: _I, s_dl: _F, s_ul: _F) -> _I:
    """Admit points in ``order`` while both shares stay within 1; a point that does not fit
    is skipped and the next one tried (first fit)."""
    used_dl = used_ul = 0.0
    admitted = []
    for j in order.tolist():
        if used_dl + s_dl[j] <= 1 + _SHARE_TOL and used_ul + s_ul[j] <= 1 + _SHARE_TOL:
            used_dl += s_dl[j]
            used_ul += s_ul[j]
            admitted.append(j)
    return np.asarray(admitted, dtype=np.int64)


def _admit(
    site: _I, candidate: _B, n_sites: int, demand: BusyHourDemand, shares: tuple[_F, _F]
) -> _B:
    """Per point: admitted. Every candidate of a site whose shares fit; first fit in the
    admission order at a full site."""
    s_dl, s_ul = shares
    sites = site[candidate]
    off_dl = np.bincount(sites, s_dl[candidate], n_sites)
    off_ul = np.bincount(sites, s_ul[candidate], n_sites)
    admitted = candidate.copy()
    big = np.maximum(s_dl, s_ul)
    for k in np.flatnonzero((off_dl > 1 + _SHARE_TOL) | (off_ul > 1 + _SHARE_TOL)):
        idx = np.flatnonzero(candidate & (site == k))
        admitted[idx] = False
        admitted[_first_fit(_admission_order(idx, demand, big), s_dl, s_ul)] = True
    return admitted


def _site_table(
    site: _I,
    n_sites: int,
    demand: BusyHourDemand,
    shares: tuple[_F, _F],
    admitted: _B,
    has_rate: _B,
) -> pd.DataFrame:
    """The per-site table of :class:`SiteLoads`."""
    s_dl, s_ul = shares
    on = site >= 0
    offered = on & has_rate
    over = offered & ~admitted

    def total(values: ArrayLike, mask: _B) -> _F:
        return np.bincount(site[mask], np.asarray(values, dtype=np.float64)[mask], n_sites).astype(
            np.float64
        )

    t = pd.DataFrame(index=pd.RangeIndex(n_sites, name="site"))
    t["offered_downlink_mbps"] = total(demand.downlink_mbps, on)
    t["offered_uplink_mbps"] = total(demand.uplink_mbps, on)
    t["offered_downlink_share"] = total(s_dl, offered)
    t["offered_uplink_share"] = total(s_ul, offered)
    t["carried_downlink_mbps"] = total(demand.downlink_mbps, admitted)
    t["carried_uplink_mbps"] = total(demand.uplink_mbps, admitted)
    t["downlink_share"] = total(s_dl, admitted)
    t["uplink_share"] = total(s_ul, admitted)
    for d in ("downlink", "uplink"):
        carried, used = t[f"carried_{d}_mbps"].to_numpy(), t[f"{d}_share"].to_numpy()
        cap = np.divide(carried, used, out=np.full(n_sites, np.nan), where=used > 0)
        t[f"{d}_capacity_mbps"] = cap
    t["points"] = np.bincount(site[on], minlength=n_sites)
    t["points_over_capacity"] = np.bincount(site[over], minlength=n_sites)
    t["households_over_capacity"] = total(demand.households, over)
    return t


def _delivered(site: _I, target: _F, link: _F, used: _F, admitted: _B) -> _F:
    """Rate per active user: target / the site's used share, capped at the link rate."""
    if used.size == 0:  # no sites: nobody is served
        return np.zeros(site.shape)
    u = used[np.maximum(site, 0)]
    boosted = np.divide(target, u, out=np.full(u.shape, np.inf), where=u > 0)
    return np.where(admitted, np.minimum(boosted, link), 0.0)


def _check_sites(serving_site: ArrayLike, n_sites: int, n_points: int) -> NDArray[np.int64]:
    site = np.asarray(serving_site, dtype=np.int64).ravel()
    if int(n_sites) != n_sites or n_sites < 0:
        msg = f"n_sites must be a whole number >= 0, got {n_sites}."
        raise InputError(msg)
    if site.size != n_points or (site < -1).any() or (site >= n_sites).any():
        msg = (
            f"serving_site must give per point ({n_points}) a site in 0..{n_sites - 1} or -1 "
            f"(none), got {site.size} values in {site.min(initial=0)}..{site.max(initial=0)}."
        )
        raise InputError(msg)
    return site


def site_loads(
    serving_site: ArrayLike,
    link_dl_mbps: ArrayLike,
    link_ul_mbps: ArrayLike,
    demand: BusyHourDemand,
    n_sites: int,
) -> SiteLoads:
    """Each site's busy-hour load and capacity, and who it can serve at what rate.

    Point ``j`` needs ``demand_j / link_j`` of its site's resources in each direction (a
    rate-fair scheduler, mean load; see the module). A site whose shares sum to at most 1
    in both directions serves all its points; a full one admits them in this order, each
    that still fits in both directions (first fit): schools first (the one needing the least
    resource first), then most households per resource share (for households at the same
    rate: the best link rate), then the lowest index. The rest are "over_capacity". An
    admitted user gets its target rate divided by its site's used share, capped at its link
    rate: doubling the households of a site that is not full halves it; at a full site the
    admitted keep at least their target.

    Parameters
    ----------
    serving_site
        Site serving each point (e.g. :attr:`coverage.radio.interference.ServerSinr.server`);
        -1: none.
    link_dl_mbps
        Downlink rate (Mbps) of each point with the whole carrier of its site.
    link_ul_mbps
        Uplink rate (Mbps) of each point with the whole carrier.
    demand
        Busy-hour demand per point (:func:`busy_hour_demand_mbps`).
    n_sites
        Number of sites (the rows of the per-site table).

    Returns
    -------
    SiteLoads
        Per point: served, reason and rates; per site: offered and carried load, shares,
        capacity and what is over capacity.

    Raises
    ------
    InputError
        A server outside ``-1 .. n_sites - 1``, or a rate per point missing, negative or not
        finite.
    """
    m = demand.downlink_mbps.size
    site = _check_sites(serving_site, n_sites, m)
    r_dl = _per_point(link_dl_mbps, m, "link_dl_mbps")
    r_ul = _per_point(link_ul_mbps, m, "link_ul_mbps")
    s_dl, s_ul = _share(demand.downlink_mbps, r_dl), _share(demand.uplink_mbps, r_ul)
    has_rate = np.isfinite(s_dl) & np.isfinite(s_ul)
    candidate = (site >= 0) & has_rate
    admitted = _admit(site, candidate, n_sites, demand, (s_dl, s_ul))
    table = _site_table(site, n_sites, demand, (s_dl, s_ul), admitted, has_rate)
    reason = np.full(m, "served", dtype="<U13")
    reason[candidate & ~admitted] = "over_capacity"
    reason[(site >= 0) & ~has_rate] = "low_sinr"
    reason[site < 0] = "no_server"
    used_dl, used_ul = table["downlink_share"].to_numpy(), table["uplink_share"].to_numpy()
    log.debug("%d of %d points over capacity", int((reason == "over_capacity").sum()), m)
    return SiteLoads(
        served=admitted,
        reason=reason,
        downlink_rate_mbps=_delivered(site, demand.target_downlink_mbps, r_dl, used_dl, admitted),
        uplink_rate_mbps=_delivered(site, demand.target_uplink_mbps, r_ul, used_ul, admitted),
        sites=table,
    )


def _at_covers(link: ArrayLike | Matrix, A: sparse.csr_array, rows: _I, cols: _I) -> _F:
    """The rate (Mbps) of each stored entry of ``A``: from an (options, points) matrix,
    dense or sparse, or one rate per point."""
    arr = None if sparse.issparse(link) else np.asarray(link, dtype=np.float64)
    if arr is None:
        values = np.asarray(sparse.csr_array(link)[rows, cols], dtype=np.float64).ravel()
    elif arr.shape == A.shape:
        values = arr[rows, cols]
    elif arr.ndim == 1 and arr.size == A.shape[1]:
        values = arr[cols]
    else:
        msg = f"link rates must be {A.shape} (options, points) or one per point, got {arr.shape}."
        raise InputError(msg)
    if not (np.isfinite(values).all() and (values >= 0).all()):
        msg = "link rates must be finite and >= 0 (Mbps); fix the bad values."
        raise InputError(msg)
    return values


def _segment_cumsum(values: _F, starts: _I, counts: _I) -> _F:
    """Cumulative sum of ``values`` restarting at each segment's start."""
    c = np.cumsum(values)
    before = np.repeat(c[starts] - values[starts], counts)
    return c - before


def capacity_limited_covers(
    covers: Matrix,
    link_dl_mbps: ArrayLike | Matrix,
    link_ul_mbps: ArrayLike | Matrix,
    demand_dl_mbps: ArrayLike,
    demand_ul_mbps: ArrayLike,
    weights: ArrayLike,
    *,
    first: ArrayLike | None = None,
) -> sparse.csr_array:
    """Each option's cover set cut to the prefix of its points that its capacity carries.

    In each row, the points that fit alone (share ``demand / link`` at most 1 in both
    directions) are ordered: the ``first`` points (e.g. schools), then the most weight per
    resource share (the larger of the two directions), then the lowest index; the row keeps
    the longest prefix whose shares sum to at most 1 in both directions.

    Any plan's covered set under these covers can be served within every site's capacity.
    Proof: let ``S`` be the chosen options and ``P_o`` the kept points of option ``o``; a
    covered point ``j`` lies in ``P_o`` for some ``o`` in ``S``: assign it to any such
    ``o``. The points assigned to ``o`` are a subset of ``P_o`` and shares are
    non-negative, so their shares sum to at most that of ``P_o``, at most 1, in each
    direction. It is an inner, conservative approximation: the prefix of each option is cut
    as if the option served every point alone, so a plan whose sites share the load could
    serve more than the covers say. It holds for the link rates given (e.g. the SINR at an
    assumed interference load); the plan's own SINR is checked after with
    :func:`site_loads`. It is written for ``k_coverage = 1``.

    Parameters
    ----------
    covers
        Options x points, boolean (sparse).
    link_dl_mbps
        Downlink rate (Mbps) of each option at each point with the whole carrier: an
        (options, points) matrix (dense or sparse; read at ``covers``' entries) or one rate
        per point.
    link_ul_mbps
        Uplink rate (Mbps), the same shapes.
    demand_dl_mbps
        Busy-hour downlink demand (Mbps) per point.
    demand_ul_mbps
        Busy-hour uplink demand (Mbps) per point.
    weights
        People (or any weight >= 0) per point: the order within each row.
    first
        Per point: taken first in every row (schools); None: none.

    Returns
    -------
    scipy.sparse.csr_array
        Options x points, boolean: a subset of ``covers``.

    Raises
    ------
    InputError
        A rate or demand that is negative or not finite, or shapes that do not match.
    """
    A = sparse.csr_array(covers, dtype=bool)
    A.eliminate_zeros()
    A.sort_indices()
    n, m = A.shape
    counts = np.diff(A.indptr)
    rows, cols = np.repeat(np.arange(n), counts), A.indices.astype(np.int64)
    s_dl = _share(
        _per_point(demand_dl_mbps, m, "demand_dl_mbps")[cols],
        _at_covers(link_dl_mbps, A, rows, cols),
    )
    s_ul = _share(
        _per_point(demand_ul_mbps, m, "demand_ul_mbps")[cols],
        _at_covers(link_ul_mbps, A, rows, cols),
    )
    w = _per_point(weights, m, "weights")[cols]
    pri = np.zeros(m, bool) if first is None else np.asarray(first, dtype=bool).ravel()
    big = np.maximum(s_dl, s_ul)
    fits = big <= 1
    per = np.divide(w, big, out=np.full(w.shape, np.inf), where=big > 0)
    order = np.lexsort((cols, -per, ~pri[cols], ~fits, rows))
    fit_o = fits[order]
    starts = A.indptr[:-1][counts > 0]
    cum_dl = _segment_cumsum(np.where(fit_o, s_dl[order], 0.0), starts, counts[counts > 0])
    cum_ul = _segment_cumsum(np.where(fit_o, s_ul[order], 0.0), starts, counts[counts > 0])
    keep = np.zeros(order.size, bool)
    keep[order] = fit_o & (cum_dl <= 1 + _SHARE_TOL) & (cum_ul <= 1 + _SHARE_TOL)
    out = sparse.csr_array((np.ones(int(keep.sum()), bool), (rows[keep], cols[keep])), shape=(n, m))
    log.debug("capacity-limited covers keep %d of %d entries", out.nnz, A.nnz)
    return out


def option_traffic_mbps(
    limited_covers: Matrix, demand_dl_mbps: ArrayLike, demand_ul_mbps: ArrayLike
) -> NDArray[np.float64]:
    """Busy-hour traffic (Mbps) each option injects into the backhaul.

    The downlink plus uplink demand of the points its (capacity-limited) cover set holds:
    the point-to-point backhaul links are time-division duplex, so one channel carries both
    directions. An upper bound for a plan: a point several chosen options hold counts in
    each of them. Replaces :class:`coverage.planning.problem.SiteTraffic`'s per-person rate
    with the access dimensioning's own demand.

    Parameters
    ----------
    limited_covers
        Options x points, boolean (e.g. :func:`capacity_limited_covers`).
    demand_dl_mbps
        Busy-hour downlink demand (Mbps) per point.
    demand_ul_mbps
        Busy-hour uplink demand (Mbps) per point.

    Returns
    -------
    numpy.ndarray
        One value per option (Mbps).

    Raises
    ------
    InputError
        A demand that is negative, not finite or not one per point.
    """
    A = sparse.csr_array(limited_covers, dtype=bool).astype(np.float64)
    m = A.shape[1]
    total = _per_point(demand_dl_mbps, m, "demand_dl_mbps") + _per_point(
        demand_ul_mbps, m, "demand_ul_mbps"
    )
    return np.asarray(A @ total, dtype=np.float64)
