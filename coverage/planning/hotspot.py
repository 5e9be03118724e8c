"""Public Wi-Fi hotspots at schools and plazas fed by the network: which households one
reaches, what it costs, and the option the placement weighs.

A hotspot is an outdoor access point at a school of the schools layer or at a public place
of the optional plazas layer (:mod:`coverage.inputs.plazas`). It is fed through a host
demand point that the plan's terrestrial network serves, so it exists only when a built
access site covers the host: a school feeds its own hotspot from its CPE; a plaza's hotspot
is fed from the CPE of the nearest addressed building within ``feed_radius_m`` (ASSUMPTION,
100 m by default: a cable run or a short 5 GHz hop across a village square), and a plaza
with no building that near is no candidate. It gives *shared public access*, not household
broadband: the people of the households within a walking radius of the host may walk to
it. Walking radius: ASSUMPTION, 250 m by default (a few minutes on foot on rural paths).
The Wi-Fi zone itself is smaller: MinTIC's rural Centros Digitales put an outdoor zone of
up to 7,800 m² (about 50 m of radius) at rural schools for the community (ATN Televisión,
"Internet gratuito para las zonas rurales de Colombia", 2021), and the 2019 rural access
contract (KienyKe, 2019: contrato de aporte 618 de 2019, INRED) asked for 9 Mbps and 10
simultaneous users per zone; a household is reached when it can walk there.

The placement counts a reached person at ``weight`` (default 0.5, ASSUMPTION: shared
public access within a walk is worth half a connection at home), so that a planner does
not buy hotspots where a site would connect homes at the same price. A household counts
once: a point a built site covers is terrestrial, not hotspot, and a hotspot's people are
not given a satellite terminal.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from scipy import sparse
from scipy.spatial import cKDTree

from coverage.errors import InputError
from coverage.planning.satellite import satellite_eligible

__all__ = [
    "DEFAULT_FEED_RADIUS_M",
    "DEFAULT_HOTSPOT_WEIGHT",
    "DEFAULT_WALK_RADIUS_M",
    "ZONE_MBPS",
    "ZONE_USERS",
    "HotspotOption",
    "combined",
    "hotspot_eligible",
    "hotspot_reach",
    "plaza_hotspots",
    "school_hotspots",
]

#: Walking radius (m) within which a household reaches a hotspot. ASSUMPTION (module text).
DEFAULT_WALK_RADIUS_M = 250.0
#: Weight of a person a hotspot reaches against one connected at home. ASSUMPTION.
DEFAULT_HOTSPOT_WEIGHT = 0.5
#: What one hotspot zone is sized for: 9 Mbps and 10 users at once (the 2019 rural access
#: contract, KienyKe 2019; module text). Its load is checked against these, not optimised.
ZONE_MBPS = 9.0
ZONE_USERS = 10
#: Largest distance (m) from a plaza to the addressed building whose CPE feeds its hotspot.
#: ASSUMPTION (module text).
DEFAULT_FEED_RADIUS_M = 100.0


@dataclass(frozen=True, eq=False)
class HotspotOption:
    """Hotspot candidates for the placement: host point, reach and price of each.

    Attributes
    ----------
    host
        Per candidate: the demand point (index) whose service feeds it; the hotspot may be
        built only when a built access site covers that point.
    reach
        Sparse boolean matrix, candidates x demand points: the households it reaches
        (eligible points within the walking radius). Stored as a CSR array.
    cost_usd
        Per candidate: its cost over the plan's life (USD, the budget's unit).
    weight
        What one person reached counts in the objective against one connected at home
        (0-1].
    names
        Per candidate: a name for the outputs (None: "hotspot 0", ...).
    kinds
        Per candidate: where it stands, "school" or "plaza" (None: all "school").
    at_xy
        Per candidate: where the access point stands (m, working CRS), shape (n, 2); None:
        at its host (a school). A plaza's stands at the plaza, not at the building feeding it.
    labels
        Derived: ``names`` as a list, or the default names.

    Raises
    ------
    InputError
        Shapes that do not match, a negative or non-finite cost, or a weight outside (0, 1].
    """

    host: NDArray[np.int64]
    reach: sparse.csr_array
    cost_usd: NDArray[np.float64]
    weight: float = DEFAULT_HOTSPOT_WEIGHT
    names: tuple[str, ...] | None = None
    kinds: tuple[str, ...] | None = None
    at_xy: NDArray[np.float64] | None = None
    labels: list[str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        """Store the arrays in the solvers' dtypes and check them."""
        host = np.asarray(self.host, dtype=np.int64).ravel()
        reach = sparse.csr_array(self.reach, dtype=bool)
        reach.eliminate_zeros()
        cost = np.asarray(self.cost_usd, dtype=np.float64).ravel()
        if reach.shape[0] != host.size or cost.size != host.size:
            msg = (
                f"hotspots: {host.size} hosts, {reach.shape[0]} reach rows and {cost.size} "
                "costs; give one of each per hotspot candidate."
            )
            raise InputError(msg)
        if not (np.isfinite(cost).all() and (cost >= 0).all()):
            msg = "hotspots: cost_usd must be finite and non-negative (USD per hotspot)."
            raise InputError(msg)
        if not 0.0 < self.weight <= 1.0:
            msg = f"hotspot weight must be in (0, 1], got {self.weight}; 0.5 is the default."
            raise InputError(msg)
        if host.size and (host.min() < 0 or host.max() >= reach.shape[1]):
            msg = f"hotspots: a host index is outside the {reach.shape[1]} demand points."
            raise InputError(msg)
        kinds = tuple(self.kinds) if self.kinds is not None else ("school",) * host.size
        if len(kinds) != host.size or not set(kinds) <= {"school", "plaza"}:
            msg = f"hotspots: give one kind per candidate, 'school' or 'plaza'; got {kinds}."
            raise InputError(msg)
        object.__setattr__(self, "kinds", kinds)
        if self.at_xy is not None:
            at = np.asarray(self.at_xy, dtype=np.float64).reshape(-1, 2)
            if at.shape[0] != host.size:
                msg = f"hotspots: {at.shape[0]} positions for {host.size} candidates."
                raise InputError(msg)
            object.__setattr__(self, "at_xy", at)
        labels = list(self.names) if self.names else [f"hotspot {j}" for j in range(host.size)]
        for name, value in (("host", host), ("reach", reach), ("cost_usd", cost)):
            object.__setattr__(self, name, value)
        object.__setattr__(self, "labels", labels)

    @property
    def n(self) -> int:
        """Number of hotspot candidates.

        Returns
        -------
        int
            Candidates.
        """
        return int(self.host.size)

    def reached(self, built: ArrayLike, covered: ArrayLike) -> NDArray[np.bool_]:
        """Per demand point: reached by a built hotspot whose host is covered, and not
        itself covered by a site (a household counts once).

        Parameters
        ----------
        built
            Indices of the hotspots built.
        covered
            Per demand point: covered by the plan's access sites.

        Returns
        -------
        numpy.ndarray
            Boolean per demand point.
        """
        cov = np.asarray(covered, dtype=bool)
        idx = np.asarray(built, dtype=np.int64)
        idx = idx[cov[self.host[idx]]] if idx.size else idx
        hit = np.asarray(self.reach[idx].sum(axis=0)).ravel() > 0
        return hit & ~cov


def hotspot_eligible(demand: pd.DataFrame, aim: ArrayLike) -> NDArray[np.bool_]:
    """Demand points a hotspot may count: the points a satellite terminal may serve.

    Targeted, with people, not a school, and not served by an existing cell
    (:func:`coverage.planning.satellite.satellite_eligible`, the same rule).

    Parameters
    ----------
    demand
        Demand points (``kind``, ``population``; ``served_existing`` when known).
    aim
        Per point: targeted by the placement (``[existing] target``).

    Returns
    -------
    numpy.ndarray
        Boolean per point.
    """
    return satellite_eligible(demand, aim)


def hotspot_reach(
    host_xy: ArrayLike, point_xy: ArrayLike, radius_m: float, eligible: ArrayLike
) -> sparse.csr_array:
    """The eligible demand points within a walking radius of each host.

    Parameters
    ----------
    host_xy
        Host coordinates (m, working CRS), shape (n, 2).
    point_xy
        Demand point coordinates (m, same CRS), shape (m, 2).
    radius_m
        Walking radius (m), straight line. ASSUMPTION: no path network is modelled.
    eligible
        Per demand point: may be counted.

    Returns
    -------
    scipy.sparse.csr_array
        Boolean, hosts x demand points.

    Raises
    ------
    InputError
        A radius that is not positive and finite.
    """
    if not (np.isfinite(radius_m) and radius_m > 0):
        msg = f"hotspot walk_radius_m must be a positive distance (m), got {radius_m}."
        raise InputError(msg)
    hosts = np.asarray(host_xy, dtype=np.float64).reshape(-1, 2)
    pts = np.asarray(point_xy, dtype=np.float64).reshape(-1, 2)
    ok = np.asarray(eligible, dtype=bool)
    if hosts.shape[0] == 0 or pts.shape[0] == 0:
        return sparse.csr_array((hosts.shape[0], pts.shape[0]), dtype=bool)
    near = cKDTree(pts).query_ball_point(hosts, r=radius_m)
    rows = [np.full(len(js), i) for i, js in enumerate(near)]
    cols = [np.asarray(js, dtype=np.int64) for js in near]
    r = np.concatenate(rows).astype(np.int64) if rows else np.zeros(0, np.int64)
    c = np.concatenate(cols).astype(np.int64) if cols else np.zeros(0, np.int64)
    keep = ok[c]
    data = np.ones(int(keep.sum()), dtype=bool)
    return sparse.csr_array((data, (r[keep], c[keep])), shape=(hosts.shape[0], pts.shape[0]))


def school_hotspots(
    demand: gpd.GeoDataFrame,
    aim: ArrayLike,
    *,
    usd_per_hotspot: float,
    walk_radius_m: float = DEFAULT_WALK_RADIUS_M,
    weight: float = DEFAULT_HOTSPOT_WEIGHT,
) -> HotspotOption:
    """One hotspot candidate per school demand point that reaches somebody.

    Parameters
    ----------
    demand
        Demand points (GeoDataFrame in the working CRS: Point geometry, ``kind``,
        ``population``, ``name``; ``served_existing`` when known), in the placement's column
        order.
    aim
        Per point: targeted by the placement.
    usd_per_hotspot
        A hotspot's cost over the plan's life (USD).
    walk_radius_m
        Walking radius (m).
    weight
        Objective weight of a person reached (0-1].

    Returns
    -------
    HotspotOption
        The candidates (none when no school reaches an eligible household).
    """
    school = np.nonzero((demand["kind"] == "school").to_numpy())[0]
    xy = _xy(demand)
    reach = hotspot_reach(xy[school], xy, walk_radius_m, hotspot_eligible(demand, aim))
    keep = np.asarray(reach.sum(axis=1)).ravel() > 0
    names = tuple(str(demand["name"].iloc[j]) for j in school[keep])
    return HotspotOption(
        host=school[keep],
        reach=reach[np.nonzero(keep)[0]],
        cost_usd=np.full(int(keep.sum()), float(usd_per_hotspot)),
        weight=weight,
        names=names,
        kinds=("school",) * len(names),
        at_xy=xy[school[keep]],
    )


def plaza_hotspots(
    demand: gpd.GeoDataFrame,
    aim: ArrayLike,
    plazas: gpd.GeoDataFrame,
    *,
    usd_per_hotspot: float,
    walk_radius_m: float = DEFAULT_WALK_RADIUS_M,
    weight: float = DEFAULT_HOTSPOT_WEIGHT,
    feed_radius_m: float = DEFAULT_FEED_RADIUS_M,
) -> HotspotOption:
    """One hotspot candidate per plaza fed by a nearby building that reaches somebody.

    The host (the point whose service feeds the hotspot) is the nearest demand point that
    is not a school within ``feed_radius_m``; the reach is measured from the plaza itself.
    A plaza whose host another, earlier plaza already uses is dropped (one feed, one
    hotspot), as is one with no host.

    Parameters
    ----------
    demand
        Demand points (GeoDataFrame in the working CRS: Point geometry, ``kind``,
        ``population``; ``served_existing`` when known), in the placement's column order.
    aim
        Per point: targeted by the placement.
    plazas
        The plaza table (:func:`coverage.inputs.plazas.load_plazas`: ``plaza_id``,
        ``name``, Point geometry in the same CRS).
    usd_per_hotspot
        A hotspot's cost over the plan's life (USD).
    walk_radius_m
        Walking radius (m).
    weight
        Objective weight of a person reached (0-1].
    feed_radius_m
        Largest plaza-to-host distance (m); ASSUMPTION (module text).

    Returns
    -------
    HotspotOption
        The candidates, kind "plaza", named after the plaza (none when no plaza qualifies).

    Raises
    ------
    InputError
        A feed radius that is not positive and finite.
    """
    if not (np.isfinite(feed_radius_m) and feed_radius_m > 0):
        msg = f"hotspot feed_radius_m must be a positive distance (m), got {feed_radius_m}."
        raise InputError(msg)
    xy = _xy(demand)
    feeds = np.nonzero((demand["kind"] != "school").to_numpy())[0]
    pxy = _xy(plazas)
    if feeds.size == 0 or pxy.shape[0] == 0:
        return _no_hotspots(len(demand), weight)
    dist, nearest = cKDTree(xy[feeds]).query(pxy, distance_upper_bound=feed_radius_m)
    fed = np.isfinite(dist)
    host = np.where(fed, feeds[np.minimum(nearest, feeds.size - 1)], -1)
    first = np.zeros(host.size, dtype=bool)
    first[np.unique(host, return_index=True)[1]] = True
    reach = hotspot_reach(pxy, xy, walk_radius_m, hotspot_eligible(demand, aim))
    keep = fed & first & (np.asarray(reach.sum(axis=1)).ravel() > 0)
    idx = np.nonzero(keep)[0]
    return HotspotOption(
        host=host[idx],
        reach=reach[idx],
        cost_usd=np.full(idx.size, float(usd_per_hotspot)),
        weight=weight,
        names=tuple(str(plazas["name"].iloc[j]) for j in idx),
        kinds=("plaza",) * idx.size,
        at_xy=pxy[idx],
    )


def _xy(points: gpd.GeoDataFrame) -> NDArray[np.float64]:
    """Point coordinates (m, the layer's CRS), shape (n, 2)."""
    return np.column_stack([points.geometry.x, points.geometry.y]).astype(np.float64)


def _no_hotspots(n_points: int, weight: float) -> HotspotOption:
    """An option with no candidate over ``n_points`` demand points."""
    return HotspotOption(
        host=np.zeros(0, np.int64),
        reach=sparse.csr_array((0, n_points), dtype=bool),
        cost_usd=np.zeros(0),
        weight=weight,
        names=(),
        kinds=(),
    )


def combined(first: HotspotOption, second: HotspotOption) -> HotspotOption:
    """The candidates of two options in one (``first``'s, then ``second``'s).

    Parameters
    ----------
    first, second
        Options over the same demand points at the same weight.

    Returns
    -------
    HotspotOption
        Their candidates, names and kinds, in that order.

    Raises
    ------
    InputError
        Options over different demand points, at different weights, with positions given
        for one only, or whose candidates share a host (one feed, one hotspot).
    """
    if first.reach.shape[1] != second.reach.shape[1] or first.weight != second.weight:
        msg = "hotspots: options to combine must cover the same demand points at one weight."
        raise InputError(msg)
    if (first.at_xy is None) != (second.at_xy is None):
        msg = "hotspots: options to combine must both give at_xy, or neither."
        raise InputError(msg)
    host = np.concatenate([first.host, second.host])
    if np.unique(host).size != host.size:
        msg = "hotspots: two candidates share a host point; keep one hotspot per feed."
        raise InputError(msg)
    return HotspotOption(
        host=host,
        reach=sparse.vstack([first.reach, second.reach], format="csr"),
        cost_usd=np.concatenate([first.cost_usd, second.cost_usd]),
        weight=first.weight,
        names=(*first.labels, *second.labels),
        kinds=(*(first.kinds or ()), *(second.kinds or ())),
        at_xy=None if first.at_xy is None else np.concatenate([first.at_xy, second.at_xy]),
    )
