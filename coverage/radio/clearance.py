"""Clearance: line of sight and first-Fresnel-zone clearance of links, and visibility tables.

A link runs straight between two antennas standing above the bilinear ground at its exact
end points. Its terrain profile is sampled every ``spacing_m`` (default half a cell) with
bilinear interpolation and raised by the Earth bulge ``d1 d2 / (2 k R)`` of
:func:`coverage.radio.visibility.earth_bulge_m`; the clearance at each interior sample is
measured against the first Fresnel zone radius of ITU-R P.526-15, eq. (2)
(:func:`coverage.radio.visibility.fresnel_radius_m`). At least 0.6 of that radius free
everywhere is the usual "clear" criterion (ITU-R P.530-18 section 2.2.2).

:func:`link_clearance` computes one link, :func:`link_clearances` many at once (compiled,
parallel), and :func:`visibility_table` every (site, target) pair within a range: the sparse
site x demand-point table that explains uncovered demand. What they share (frequency,
k-factor, profile spacing) travels as one :class:`ClearanceSettings`.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray

from coverage.errors import InputError
from coverage.inputs.terrain import Terrain
from coverage.radio._checks import as_heights_m, as_points_xy, check_k_factor
from coverage.radio._kernels.viewshed import EARTH_RADIUS_M, SPEED_OF_LIGHT_M_S, link_profiles

if TYPE_CHECKING:  # pandas is imported where it is used: it slows down the viewshed CLI
    import pandas as pd

__all__ = [
    "LINK_COLUMNS",
    "TABLE_COLUMNS",
    "ClearanceSettings",
    "LinkClearance",
    "link_clearance",
    "link_clearances",
    "visibility_table",
]

log = logging.getLogger(__name__)

#: Columns of :func:`link_clearances` and the per-pair columns of :func:`visibility_table`.
LINK_COLUMNS = ("distance_m", "los", "clearance_ratio", "worst_distance_m", "min_clearance_m")
#: Column names of :func:`visibility_table`.
TABLE_COLUMNS = ("site", "target", "distance_m", "elevation_angle_deg", "clearance_ratio", "los")
_TABLE_DTYPES = ("int64", "int64", "float64", "float64", "float64", "bool")
#: Pairs computed per call of the link kernel by :func:`visibility_table`.
_PAIRS_PER_BATCH = 1 << 20


@dataclass(frozen=True, kw_only=True)
class ClearanceSettings:
    """What the links of one analysis share: frequency, refraction and profile spacing.

    Build it once, e.g. ``ClearanceSettings(f_mhz=5800.0)`` (k = 4/3, half-cell samples),
    and pass it to :func:`link_clearance`, :func:`link_clearances` or
    :func:`visibility_table`.

    Attributes
    ----------
    f_mhz
        Frequency (MHz) of the first Fresnel zone; > 0.
    k_factor
        Effective Earth-radius factor of the Earth bulge (4/3 for the standard atmosphere,
        ``inf`` for none); > 0.
    spacing_m
        Profile sample spacing (m), > 0; None (default): half a terrain cell.

    Raises
    ------
    InputError
        A frequency, k-factor or spacing out of range.
    """

    f_mhz: float
    k_factor: float = 4.0 / 3.0
    spacing_m: float | None = None

    def __post_init__(self) -> None:
        """Refuse a frequency, k-factor or spacing out of range with an ``InputError``."""
        check_k_factor(self.k_factor)
        if not self.f_mhz > 0:
            msg = f"f_mhz must be a positive frequency in MHz, got {self.f_mhz}."
            raise InputError(msg)
        if self.spacing_m is not None and not self.spacing_m > 0:
            msg = f"spacing_m must be > 0 metres (or None for half a cell), got {self.spacing_m}."
            raise InputError(msg)


# --- point-to-point links -------------------------------------------------------------------
@dataclass(frozen=True)
class LinkClearance:
    """Clearance of one straight link over the terrain.

    Attributes
    ----------
    distance_m
        Horizontal length of the link (m).
    los
        True when the straight line between the antennas passes above the terrain (plus the
        Earth bulge) at every interior profile sample.
    clearance_ratio
        Minimum over interior samples of ``(LOS height - (terrain + bulge)) / r1`` with ``r1``
        the first Fresnel radius; >= 0.6 is the usual "clear" criterion (ITU-R P.530-18
        section 2.2.2). +inf when the link has no interior sample.
    worst_distance_m
        Distance from end A (m) where ``clearance_ratio`` occurs.
    min_clearance_m
        Minimum geometric clearance (m) over interior samples; < 0 means obstructed.
    """

    distance_m: float
    los: bool
    clearance_ratio: float
    worst_distance_m: float
    min_clearance_m: float

    @property
    def clear(self) -> bool:
        """Whether at least 60 % of the first Fresnel zone is free everywhere.

        Returns
        -------
        bool
            True when ``clearance_ratio >= 0.6``.
        """
        return self.clearance_ratio >= 0.6


def _check_ends(terrain: Terrain, a_xy: NDArray[np.float64], b_xy: NDArray[np.float64]) -> None:
    """Raise unless every end point of every pair lies on the terrain grid."""
    for what, pts in (("end A", a_xy), ("end B", b_xy)):
        inside = terrain.contains(pts[:, 0], pts[:, 1])
        if not inside.all():
            bad = int(np.flatnonzero(~inside)[0])
            msg = (
                f"Link {what} at ({pts[bad, 0]:.1f}, {pts[bad, 1]:.1f}) (pair {bad}) lies outside "
                f"the terrain grid {terrain.bounds}; give points in {terrain.crs.to_string()} "
                "inside the terrain, or load terrain with a larger margin."
            )
            raise InputError(msg)


def _link_arrays(
    terrain: Terrain,
    a_xy: NDArray[np.float64],
    ha_m: NDArray[np.float64],
    b_xy: NDArray[np.float64],
    hb_m: NDArray[np.float64],
    settings: ClearanceSettings,
) -> dict[str, NDArray[Any]]:
    """Run the compiled link kernel over pairs; returns the :data:`LINK_COLUMNS` arrays."""
    _check_ends(terrain, a_xy, b_xy)
    cs = terrain.cell_size_m
    step = cs / 2.0 if settings.spacing_m is None else float(settings.spacing_m)
    t = terrain.transform
    ca = (a_xy[:, 0] - t.c) / cs - 0.5
    ra = (t.f - a_xy[:, 1]) / cs - 0.5
    cb = (b_xy[:, 0] - t.c) / cs - 0.5
    rb = (t.f - b_xy[:, 1]) / cs - 0.5
    n = a_xy.shape[0]
    los = np.empty(n, dtype=np.bool_)
    ratio = np.empty(n, dtype=np.float64)
    worst = np.empty(n, dtype=np.float64)
    clear = np.empty(n, dtype=np.float64)
    link_profiles(
        terrain.elevation_m, ca, ra, ha_m, cb, rb, hb_m, cs, step,
        1.0 / (2.0 * settings.k_factor * EARTH_RADIUS_M),
        SPEED_OF_LIGHT_M_S / (settings.f_mhz * 1e6), los, ratio, worst, clear,
    )  # fmt: skip
    dist = np.hypot(b_xy[:, 0] - a_xy[:, 0], b_xy[:, 1] - a_xy[:, 1])
    return {
        "distance_m": dist,
        "los": los,
        "clearance_ratio": ratio,
        "worst_distance_m": worst,
        "min_clearance_m": clear,
    }


def link_clearance(
    terrain: Terrain,
    a_xy: ArrayLike,
    ha_m: float,
    b_xy: ArrayLike,
    hb_m: float,
    *,
    settings: ClearanceSettings,
) -> LinkClearance:
    """Line of sight and first-Fresnel-zone clearance of one link A-B.

    The terrain profile is sampled every ``settings.spacing_m`` (default half a cell) with
    bilinear interpolation; antennas stand ``ha_m`` / ``hb_m`` above the bilinear ground at
    the exact end points. The ground is raised by the Earth bulge
    :func:`coverage.radio.visibility.earth_bulge_m`.

    Parameters
    ----------
    terrain
        Elevation grid in a projected CRS.
    a_xy
        End point A ``(x, y)`` (m) in the terrain's CRS.
    ha_m
        Antenna height above ground at A (m).
    b_xy
        End point B ``(x, y)`` (m) in the terrain's CRS.
    hb_m
        Antenna height above ground at B (m).
    settings
        Frequency (MHz) of the Fresnel radius, k-factor and profile spacing (m).

    Returns
    -------
    LinkClearance
        Length (m), line of sight and clearance of the link.

    Raises
    ------
    InputError
        An end point off the grid or a non-finite height.
    """
    cols = _link_arrays(
        terrain,
        as_points_xy(np.reshape(np.asarray(a_xy, dtype=np.float64), (1, -1)), "a_xy"),
        as_heights_m(ha_m, 1, "ha_m"),
        as_points_xy(np.reshape(np.asarray(b_xy, dtype=np.float64), (1, -1)), "b_xy"),
        as_heights_m(hb_m, 1, "hb_m"),
        settings,
    )
    return LinkClearance(
        distance_m=float(cols["distance_m"][0]),
        los=bool(cols["los"][0]),
        clearance_ratio=float(cols["clearance_ratio"][0]),
        worst_distance_m=float(cols["worst_distance_m"][0]),
        min_clearance_m=float(cols["min_clearance_m"][0]),
    )


def link_clearances(
    terrain: Terrain,
    a_xy: ArrayLike,
    ha_m: ArrayLike,
    b_xy: ArrayLike,
    hb_m: ArrayLike,
    *,
    settings: ClearanceSettings,
) -> pd.DataFrame:
    """:func:`link_clearance` for N pairs at once (compiled, parallel).

    Parameters
    ----------
    terrain
        Elevation grid in a projected CRS.
    a_xy
        (N, 2) end points A (m) in the terrain's CRS.
    ha_m
        (N,) antenna heights above ground at A (m), or one value for all.
    b_xy
        (N, 2) end points B (m) in the terrain's CRS.
    hb_m
        (N,) antenna heights above ground at B (m), or one value for all.
    settings
        As for :func:`link_clearance`.

    Returns
    -------
    pandas.DataFrame
        One row per pair, in input order, with columns ``distance_m``, ``los``,
        ``clearance_ratio``, ``worst_distance_m``, ``min_clearance_m``.

    Raises
    ------
    InputError
        Shapes that differ, an end point off the grid, or non-finite heights.
    """
    import pandas as pd

    a = as_points_xy(a_xy, "a_xy")
    b = as_points_xy(b_xy, "b_xy")
    if a.shape != b.shape:
        msg = f"a_xy and b_xy must have the same shape, got {a.shape} and {b.shape}."
        raise InputError(msg)
    n = a.shape[0]
    cols = _link_arrays(
        terrain, a, as_heights_m(ha_m, n, "ha_m"), b, as_heights_m(hb_m, n, "hb_m"), settings
    )
    return pd.DataFrame(cols, columns=list(LINK_COLUMNS))


# --- many sites x many demand points --------------------------------------------------------
class _TableEnds(NamedTuple):
    """The checked inputs of :func:`visibility_table`, in the arrays its batches index."""

    sites: NDArray[np.float64]
    heights_m: NDArray[np.float64]
    site_top_m: NDArray[np.float64]  # ground + antenna height at each site
    targets: NDArray[np.float64]
    target_height_m: float


def _table_ends(
    terrain: Terrain,
    sites_xy: ArrayLike,
    site_heights_m: ArrayLike,
    targets_xy: ArrayLike,
    target_height_m: float,
    max_distance_m: float,
) -> _TableEnds:
    """Check the inputs of :func:`visibility_table` and find each site antenna's elevation."""
    sites = as_points_xy(sites_xy, "sites_xy")
    targets = as_points_xy(targets_xy, "targets_xy")
    n = sites.shape[0]
    heights = as_heights_m(site_heights_m, n, "site_heights_m")
    th = float(target_height_m)
    if not math.isfinite(th):
        msg = f"target_height_m must be finite metres, got {target_height_m}."
        raise InputError(msg)
    if not max_distance_m > 0:
        msg = f"max_distance_m must be > 0 metres, got {max_distance_m}."
        raise InputError(msg)
    site_ground = terrain.sample(sites[:, 0], sites[:, 1]) if n else np.empty(0)
    return _TableEnds(sites, heights, site_ground + heights, targets, th)


def _progress(items: range, enabled: bool, desc: str) -> Iterator[int]:
    if not enabled:
        return iter(items)
    from tqdm.auto import tqdm

    return iter(tqdm(items, desc=desc, unit="site"))


def _pairs_in_range(
    ends: _TableEnds, max_distance_m: float, progress: bool
) -> Iterator[tuple[NDArray[np.int64], NDArray[np.int64]]]:
    """Batches of (site, target) index pairs at most ``max_distance_m`` apart, in order.

    Sites are taken one after the other (targets sorted within each) and their pairs are
    handed out once a batch holds :data:`_PAIRS_PER_BATCH` pairs or more, then the rest.
    """
    from scipy.spatial import cKDTree

    n = ends.sites.shape[0]
    if ends.targets.shape[0] == 0:
        return
    tree = cKDTree(ends.targets)
    pend_s: list[NDArray[np.int64]] = []
    pend_t: list[NDArray[np.int64]] = []
    pending = 0
    for i in _progress(range(n), progress, "visibility"):
        near = np.sort(
            np.asarray(tree.query_ball_point(ends.sites[i], r=max_distance_m), dtype=np.int64)
        )
        if near.size == 0:
            continue
        pend_s.append(np.full(near.size, i, dtype=np.int64))
        pend_t.append(near)
        pending += near.size
        if pending >= _PAIRS_PER_BATCH:
            yield np.concatenate(pend_s), np.concatenate(pend_t)
            pend_s.clear()
            pend_t.clear()
            pending = 0
    if pending:
        yield np.concatenate(pend_s), np.concatenate(pend_t)


def _table_rows(
    terrain: Terrain,
    ends: _TableEnds,
    s_idx: NDArray[np.int64],
    t_idx: NDArray[np.int64],
    settings: ClearanceSettings,
) -> pd.DataFrame:
    """The :data:`TABLE_COLUMNS` rows of the pairs ``(s_idx[j], t_idx[j])``."""
    import pandas as pd

    th = ends.target_height_m
    cols = _link_arrays(
        terrain,
        ends.sites[s_idx],
        ends.heights_m[s_idx],
        ends.targets[t_idx],
        np.full(t_idx.size, th),
        settings,
    )
    d = cols["distance_m"]
    target_ground = terrain.sample(ends.targets[t_idx, 0], ends.targets[t_idx, 1])
    drop = d**2 / (2.0 * settings.k_factor * EARTH_RADIUS_M)
    rise = (target_ground + th - drop) - ends.site_top_m[s_idx]
    return pd.DataFrame(
        {
            "site": s_idx,
            "target": t_idx,
            "distance_m": d,
            "elevation_angle_deg": np.degrees(np.arctan2(rise, d)),
            "clearance_ratio": cols["clearance_ratio"],
            "los": cols["los"],
        },
        columns=list(TABLE_COLUMNS),
    )


def visibility_table(
    terrain: Terrain,
    sites_xy: ArrayLike,
    site_heights_m: ArrayLike,
    targets_xy: ArrayLike,
    *,
    target_height_m: float,
    max_distance_m: float,
    settings: ClearanceSettings,
    progress: bool = False,
) -> pd.DataFrame:
    """Which demand points each candidate site sees: a sparse site x target table.

    Every (site, target) pair whose horizontal distance is at most ``max_distance_m`` gets
    one row, computed with the link-profile kernel of :func:`link_clearances` (sites at
    ``site_heights_m`` and targets at ``target_height_m`` above the bilinear ground). Sites
    are streamed in batches, so memory grows with the table only.

    Parameters
    ----------
    terrain
        Elevation grid in a projected CRS.
    sites_xy
        (N, 2) candidate sites (m) in the terrain's CRS.
    site_heights_m
        (N,) antenna heights above ground (m), or one value for all.
    targets_xy
        (M, 2) demand points (m) in the terrain's CRS.
    target_height_m
        Receiver height above ground (m) at every target.
    max_distance_m
        Pairs farther apart than this (m) are left out.
    settings
        Frequency (MHz) of the first Fresnel zone, k-factor (also of the elevation angle's
        curvature drop) and profile spacing (m; default half a cell).
    progress
        Show a tqdm progress bar over sites.

    Returns
    -------
    pandas.DataFrame
        Columns ``site`` and ``target`` (int64 row indices of the inputs), ``distance_m``,
        ``elevation_angle_deg`` (angle of the line from the site antenna to the target
        antenna above the horizontal, with the curvature drop ``d**2 / (2 k R)``),
        ``clearance_ratio`` (worst first-Fresnel clearance / radius) and ``los`` (bool),
        sorted by site then target.

    Raises
    ------
    InputError
        Malformed points, non-finite heights, a site or target of an in-range pair off the
        grid, or ``max_distance_m <= 0``.
    """
    import pandas as pd

    ends = _table_ends(
        terrain, sites_xy, site_heights_m, targets_xy, target_height_m, max_distance_m
    )
    parts = [
        _table_rows(terrain, ends, s_idx, t_idx, settings)
        for s_idx, t_idx in _pairs_in_range(ends, max_distance_m, progress)
    ]
    if not parts:
        empty = {c: pd.Series(dtype=t) for c, t in zip(TABLE_COLUMNS, _TABLE_DTYPES, strict=True)}
        return pd.DataFrame(empty)
    table = pd.concat(parts, ignore_index=True)
    log.debug(
        "visibility table: %d sites x %d targets -> %d pairs",
        ends.sites.shape[0],
        ends.targets.shape[0],
        len(table),
    )
    return table
