"""Visibility: viewsheds, point-to-point link clearance and many-site visibility tables.

Geometry (shared by every function here)
----------------------------------------
The Earth is a sphere of radius :data:`EARTH_RADIUS_M` = 6,371,000 m whose curvature is
flattened by refraction with the effective-radius factor ``k`` (default 4/3, the standard
atmosphere of ITU-R P.834-9 and P.453): seen from an observer, a point at horizontal distance
``d`` is lowered by ``d**2 / (2 k R)``. Equivalently, along a link of length ``d1 + d2``
the ground is raised by the Earth bulge ``d1 d2 / (2 k R)`` (ITU-R P.530-18 / P.526-15).

Viewshed semantics (the same as GDAL ``gdal_viewshed -cc 1-1/k`` and GRASS
``r.viewshed -c -r``): the observer stands at the centre of the cell that contains
``(x_m, y_m)``, the eye at that cell's elevation plus ``observer_height_m``; a cell is
visible when the straight line from the eye to its centre, raised by ``target_height_m``,
passes above the terrain. Terrain between cell centres is linearly interpolated along the
row and column lines through cell centres, where the line of sight crosses them (the
exact "R3" model of Franklin & Ray, 1994, *Higher isn't necessarily better: visibility
algorithms and experiments*, 6th SDH). The observer's cell is visible; cells whose centre
lies farther than ``max_distance_m`` are not.

:func:`viewshed_reference` computes that model exactly (one ray to every cell centre,
O(n^1.5)); :func:`viewshed` approximates it with an R2-style sweep (Franklin & Ray 1994): a
fan of rays from the observer to the grid edge, at most one cell apart there, each carrying
the exact R3 horizon along itself; a cell is judged at its own centre elevation against the
horizons of the two rays on either side of it, interpolated to its position. It costs about
two ray steps per cell (see :data:`RAY_DENSITY`), is compiled with numba and runs on all
cores; ``tests/benchmarks`` measures its IoU against the reference (>= 0.99) and against GRASS
and GDAL, and its speed against ``gdal_viewshed``.

Link clearance uses profiles sampled at sub-cell spacing with bilinear terrain and the
first Fresnel zone radius of ITU-R P.526-15, eq. (2).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike, NDArray

from coverage.errors import InputError
from coverage.inputs.terrain import Terrain
from coverage.radio._kernels import viewshed as _k
from coverage.radio._kernels.viewshed import (
    EARTH_RADIUS_M,
    SPEED_OF_LIGHT_M_S,
    _count_sites,
    _link_arrays,
    _Observer,
    _observer,
    _points,
    _site_heights,
)

if TYPE_CHECKING:  # pandas is imported where it is used: it slows down the viewshed CLI
    import pandas as pd

__all__ = [
    "EARTH_RADIUS_M",
    "SPEED_OF_LIGHT_M_S",
    "LinkClearance",
    "cumulative_viewshed",
    "earth_bulge_m",
    "fresnel_radius_m",
    "link_clearance",
    "link_clearances",
    "viewshed",
    "viewshed_reference",
    "visibility_table",
]

log = logging.getLogger(__name__)

RAY_DENSITY = 0.7
"""Rays of the R2 sweep per cell of each sector's radius: neighbouring rays are at most
``1 / RAY_DENSITY`` cells apart where they leave the grid, and each cell takes the horizon of
the two rays around it, interpolated to its centre. Measured IoU against the exact reference
(observer 30 m, target 2 m, k = 4/3, five observers each; ``tests/benchmarks``): with 0.7,
min 0.9904 on the Palmitas DEM, 0.9925 on steep 300 x 300 and 0.9971 on 1000 x 1000
synthetic Andes terrain, and 0.9785 against GRASS ``r.viewshed`` (0.75: 0.9906, 0.9927,
0.9971, 0.9785); with 1.0, 0.9918, 0.9953 and 0.9983 for about 30 % more time; with 0.65,
0.9847 on Palmitas; with 0.5, 0.977 and 0.986. Fans are rounded up to whole half-blocks of
rays, so 0.7 and 0.75 often give the same fan; over the 500 random sites of the benchmark
0.7 walks 6.5 % fewer ray steps. 0.7 keeps every terrain above 0.99 and makes 500
viewsheds on 1000 x 1000 about 1.4 times faster than 1.0 (about 11 ns per cell on one core
of the 2-core AMD EPYC development machine, 28 ns before the kernel was tightened). A fan whose rays thin out towards the observer (the rays added on the way
out starting from the horizon interpolated between their neighbours) does fewer ray steps
but measured 0.976 on the Andes terrain, so it is not used."""
#: Columns of :func:`link_clearances` and the per-pair columns of :func:`visibility_table`.
LINK_COLUMNS = ("distance_m", "los", "clearance_ratio", "worst_distance_m", "min_clearance_m")


# --- closed-form geometry -------------------------------------------------------------------
def earth_bulge_m(
    d1_m: ArrayLike, d2_m: ArrayLike, k_factor: float = 4.0 / 3.0
) -> NDArray[np.float64]:
    """Height (m) of the effective Earth's bulge above the chord of a path.

    ``h = d1 d2 / (2 k R)``, with ``R`` = :data:`EARTH_RADIUS_M`; e.g. 1.47 m at the middle of
    a 10 km path for k = 4/3 (ITU-R P.530-18 section 2.2.2 writes it ``d1 d2 / (12.74 k)``
    with distances in km).

    Parameters
    ----------
    d1_m, d2_m
        Distances (m) from the point to the two ends of the path.
    k_factor
        Effective Earth-radius factor (4/3 for the standard atmosphere; ``inf`` for none).
    """
    d1 = np.asarray(d1_m, dtype=np.float64)
    d2 = np.asarray(d2_m, dtype=np.float64)
    return np.asarray(d1 * d2 / (2.0 * k_factor * EARTH_RADIUS_M))


def fresnel_radius_m(d1_m: ArrayLike, d2_m: ArrayLike, f_mhz: ArrayLike) -> NDArray[np.float64]:
    """Radius (m) of the first Fresnel zone at distances ``d1``, ``d2`` (m) from the ends.

    ``r1 = sqrt(lambda d1 d2 / (d1 + d2))`` with ``lambda = c / f``; ITU-R P.526-15 eq. (2)
    writes it ``550 sqrt(d1 d2 / ((d1 + d2) f))`` with d in km and f in MHz (17.7 m at the
    middle of a 10 km path at 2.4 GHz). Zero at the ends.
    """
    d1 = np.asarray(d1_m, dtype=np.float64)
    d2 = np.asarray(d2_m, dtype=np.float64)
    f = np.asarray(f_mhz, dtype=np.float64)
    total = d1 + d2
    wavelength = SPEED_OF_LIGHT_M_S / (f * 1e6)
    safe = np.where(total > 0, total, 1.0)
    return np.asarray(np.where(total > 0, np.sqrt(wavelength * d1 * d2 / safe), 0.0))


# --- viewsheds ------------------------------------------------------------------------------
def _sweep(
    terrain: Terrain, obs: _Observer, target_height_m: float, out: NDArray[np.uint8]
) -> None:
    """Add 1 to ``out`` at each cell visible from ``obs`` (R2 sweep), the observer included."""
    _k.r2_viewshed(
        terrain.elevation_m,
        obs.row,
        obs.col,
        obs.eye_m,
        float(target_height_m),
        RAY_DENSITY,
        obs.max_steps,
        obs.max_d2_cells,
        obs.curv,
        out,
    )
    out[obs.row, obs.col] += 1


def viewshed(
    terrain: Terrain,
    x_m: float,
    y_m: float,
    *,
    observer_height_m: float,
    target_height_m: float = 0.0,
    max_distance_m: float | None = None,
    k_factor: float = 4.0 / 3.0,
) -> NDArray[np.bool_]:
    """Cells of ``terrain`` visible from an observer: fast R2 sweep (see module docstring).

    Parameters
    ----------
    terrain
        Elevation grid in a projected CRS.
    x_m, y_m
        Observer position in the terrain's CRS (m); the observer stands at the centre of the
        cell containing it.
    observer_height_m
        Eye height above the ground of the observer's cell (m).
    target_height_m
        Height above ground (m) added at the target cell only.
    max_distance_m
        Cells whose centre lies farther than this (m) are not visible; None for no limit.
    k_factor
        Effective Earth-radius factor; each cell is lowered by ``d**2 / (2 k R)``.

    Returns
    -------
    numpy.ndarray
        Boolean grid of ``terrain.shape``, True where visible.

    Raises
    ------
    InputError
        Observer outside the grid, non-finite heights, ``max_distance_m <= 0``, ``k <= 0``.
    """
    obs = _observer(terrain, x_m, y_m, observer_height_m, target_height_m, max_distance_m, k_factor)
    out = np.zeros(terrain.shape, dtype=np.uint8)
    _sweep(terrain, obs, target_height_m, out)
    return out.view(np.bool_)


def viewshed_margin(
    terrain: Terrain,
    x_m: float,
    y_m: float,
    *,
    observer_height_m: float,
    target_height_m: float = 0.0,
    max_distance_m: float | None = None,
    k_factor: float = 4.0 / 3.0,
) -> NDArray[np.float64]:
    """Exact R3 visibility margin of every cell (reference; slow, O(cells x distance)).

    Returns, per cell, the slope of the sight line to the (raised) cell centre minus the
    steepest slope to any crossing before it, in metres per cell: >= 0 means visible,
    +inf at the observer, -inf beyond ``max_distance_m``. Same parameters as :func:`viewshed`.
    """
    obs = _observer(terrain, x_m, y_m, observer_height_m, target_height_m, max_distance_m, k_factor)
    out = np.empty(terrain.shape, dtype=np.float64)
    _k.r3_margin(
        terrain.elevation_m,
        obs.row,
        obs.col,
        obs.eye_m,
        float(target_height_m),
        obs.max_d2_cells,
        obs.curv,
        out,
    )
    return out


def viewshed_reference(
    terrain: Terrain,
    x_m: float,
    y_m: float,
    *,
    observer_height_m: float,
    target_height_m: float = 0.0,
    max_distance_m: float | None = None,
    k_factor: float = 4.0 / 3.0,
) -> NDArray[np.bool_]:
    """Exact viewshed: one ray to every cell centre (R3). Same parameters as :func:`viewshed`.

    Meant for tests and benchmarks: it costs a ray walk per cell.
    """
    margin = viewshed_margin(
        terrain,
        x_m,
        y_m,
        observer_height_m=observer_height_m,
        target_height_m=target_height_m,
        max_distance_m=max_distance_m,
        k_factor=k_factor,
    )
    return np.asarray(margin >= 0.0)


def _progress(items: range, enabled: bool, desc: str) -> Iterator[int]:
    if not enabled:
        return iter(items)
    from tqdm.auto import tqdm

    return iter(tqdm(items, desc=desc, unit="site"))


def cumulative_viewshed(
    terrain: Terrain,
    sites_xy: ArrayLike,
    site_heights_m: ArrayLike,
    *,
    target_height_m: float = 0.0,
    max_distance_m: float | None = None,
    k_factor: float = 4.0 / 3.0,
    progress: bool = False,
) -> NDArray[np.uint16]:
    """How many of ``N`` sites see each cell (the sum of their :func:`viewshed` grids).

    Sites are swept in parallel, each whole by one thread into that thread's own uint16
    count grid (summed at the end), so memory is about ``2 (threads + 1)`` bytes per cell
    whatever ``N`` is; the result equals the sum of the per-site :func:`viewshed` grids.

    Parameters
    ----------
    terrain
        Elevation grid in a projected CRS.
    sites_xy
        (N, 2) site positions (m) in the terrain's CRS; N <= 65,535.
    site_heights_m
        Antenna heights above ground (m), one per site or one for all.
    target_height_m, max_distance_m, k_factor
        As for :func:`viewshed`.
    progress
        Show a tqdm progress bar over sites.

    Returns
    -------
    numpy.ndarray
        uint16 grid of ``terrain.shape``.
    """
    xy = _points(sites_xy, "sites_xy")
    n = xy.shape[0]
    if n > np.iinfo(np.uint16).max:
        msg = f"cumulative_viewshed counts up to 65,535 sites in uint16; got {n}. Split the sites."
        raise InputError(msg)
    heights = _site_heights(site_heights_m, n, "site_heights_m")
    obs = [
        _observer(
            terrain, xy[i, 0], xy[i, 1], heights[i], target_height_m, max_distance_m, k_factor
        )
        for i in range(n)
    ]
    count = _count_sites(terrain, obs, float(target_height_m), RAY_DENSITY, progress)
    log.debug("cumulative viewshed of %d sites on %s cells", n, terrain.shape)
    return count


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
        """Whether at least 60 % of the first Fresnel zone is free everywhere."""
        return self.clearance_ratio >= 0.6


def link_clearance(
    terrain: Terrain,
    xa_m: float,
    ya_m: float,
    ha_m: float,
    xb_m: float,
    yb_m: float,
    hb_m: float,
    *,
    f_mhz: float,
    k_factor: float = 4.0 / 3.0,
    spacing_m: float | None = None,
) -> LinkClearance:
    """Line of sight and first-Fresnel-zone clearance of one link A-B.

    The terrain profile is sampled every ``spacing_m`` (default half a cell) with bilinear
    interpolation; antennas stand ``ha_m`` / ``hb_m`` above the bilinear ground at the exact
    end points. The ground is raised by the Earth bulge :func:`earth_bulge_m`.

    Parameters
    ----------
    terrain
        Elevation grid in a projected CRS.
    xa_m, ya_m, xb_m, yb_m
        End points (m) in the terrain's CRS.
    ha_m, hb_m
        Antenna heights above ground (m).
    f_mhz
        Frequency (MHz) for the Fresnel radius.
    k_factor
        Effective Earth-radius factor.
    spacing_m
        Profile sample spacing (m).

    Returns
    -------
    LinkClearance
    """
    cols = _link_arrays(
        terrain,
        np.array([[xa_m, ya_m]], dtype=np.float64),
        _site_heights(ha_m, 1, "ha_m"),
        np.array([[xb_m, yb_m]], dtype=np.float64),
        _site_heights(hb_m, 1, "hb_m"),
        f_mhz,
        k_factor,
        spacing_m,
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
    f_mhz: float,
    k_factor: float = 4.0 / 3.0,
    spacing_m: float | None = None,
) -> pd.DataFrame:
    """:func:`link_clearance` for N pairs at once (compiled, parallel).

    Parameters
    ----------
    a_xy, b_xy
        (N, 2) end points (m) in the terrain's CRS.
    ha_m, hb_m
        (N,) antenna heights above ground (m), or one value for all.
    f_mhz, k_factor, spacing_m
        As for :func:`link_clearance`.

    Returns
    -------
    pandas.DataFrame
        One row per pair, in input order, with columns ``distance_m``, ``los``,
        ``clearance_ratio``, ``worst_distance_m``, ``min_clearance_m``.
    """
    import pandas as pd

    a = _points(a_xy, "a_xy")
    b = _points(b_xy, "b_xy")
    if a.shape != b.shape:
        msg = f"a_xy and b_xy must have the same shape, got {a.shape} and {b.shape}."
        raise InputError(msg)
    n = a.shape[0]
    cols = _link_arrays(
        terrain,
        a,
        _site_heights(ha_m, n, "ha_m"),
        b,
        _site_heights(hb_m, n, "hb_m"),
        f_mhz,
        k_factor,
        spacing_m,
    )
    return pd.DataFrame(cols, columns=list(LINK_COLUMNS))


# --- many sites x many demand points --------------------------------------------------------
#: Column names of :func:`visibility_table`.
TABLE_COLUMNS = ("site", "target", "distance_m", "elevation_angle_deg", "clearance_ratio", "los")
_PAIRS_PER_BATCH = 1 << 20


def visibility_table(
    terrain: Terrain,
    sites_xy: ArrayLike,
    site_heights_m: ArrayLike,
    targets_xy: ArrayLike,
    *,
    target_height_m: float,
    max_distance_m: float,
    f_mhz: float,
    k_factor: float = 4.0 / 3.0,
    progress: bool = False,
) -> pd.DataFrame:
    """Which demand points each candidate site sees: a sparse site x target table.

    Every (site, target) pair whose horizontal distance is at most ``max_distance_m`` gets
    one row, computed with the link-profile kernel of :func:`link_clearances` (sites at
    ``site_heights_m`` and targets at ``target_height_m`` above the bilinear ground, profile
    every half cell). Sites are streamed in batches, so memory grows with the table only.

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
    f_mhz
        Frequency (MHz) for the first Fresnel zone.
    k_factor
        Effective Earth-radius factor.
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
    """
    import pandas as pd
    from scipy.spatial import cKDTree

    sites = _points(sites_xy, "sites_xy")
    targets = _points(targets_xy, "targets_xy")
    n = sites.shape[0]
    heights = _site_heights(site_heights_m, n, "site_heights_m")
    th = float(target_height_m)
    if not math.isfinite(th):
        msg = f"target_height_m must be finite metres, got {target_height_m}."
        raise InputError(msg)
    if not max_distance_m > 0:
        msg = f"max_distance_m must be > 0 metres, got {max_distance_m}."
        raise InputError(msg)
    tree = cKDTree(targets) if targets.shape[0] else None
    site_ground = terrain.sample(sites[:, 0], sites[:, 1]) if n else np.empty(0)
    parts: list[pd.DataFrame] = []
    pend_s: list[NDArray[np.int64]] = []
    pend_t: list[NDArray[np.int64]] = []
    pending = 0

    def flush() -> None:
        nonlocal pending
        if not pending:
            return
        s_idx = np.concatenate(pend_s)
        t_idx = np.concatenate(pend_t)
        pend_s.clear()
        pend_t.clear()
        pending = 0
        cols = _link_arrays(
            terrain,
            sites[s_idx],
            heights[s_idx],
            targets[t_idx],
            np.full(t_idx.size, th),
            f_mhz,
            k_factor,
            None,
        )
        d = cols["distance_m"]
        target_ground = terrain.sample(targets[t_idx, 0], targets[t_idx, 1])
        rise = (target_ground + th - d**2 / (2.0 * k_factor * EARTH_RADIUS_M)) - (
            site_ground[s_idx] + heights[s_idx]
        )
        angle = np.degrees(np.arctan2(rise, d))
        parts.append(
            pd.DataFrame(
                {
                    "site": s_idx,
                    "target": t_idx,
                    "distance_m": d,
                    "elevation_angle_deg": angle,
                    "clearance_ratio": cols["clearance_ratio"],
                    "los": cols["los"],
                },
                columns=list(TABLE_COLUMNS),
            )
        )

    for i in _progress(range(n), progress, "visibility"):
        if tree is None:
            break
        near = np.sort(
            np.asarray(tree.query_ball_point(sites[i], r=max_distance_m), dtype=np.int64)
        )
        if near.size == 0:
            continue
        pend_s.append(np.full(near.size, i, dtype=np.int64))
        pend_t.append(near)
        pending += near.size
        if pending >= _PAIRS_PER_BATCH:
            flush()
    flush()
    if not parts:
        empty = {c: pd.Series(dtype=t) for c, t in zip(TABLE_COLUMNS, _TABLE_DTYPES, strict=True)}
        return pd.DataFrame(empty)
    table = pd.concat(parts, ignore_index=True)
    log.debug(
        "visibility table: %d sites x %d targets -> %d pairs", n, targets.shape[0], len(table)
    )
    return table


_TABLE_DTYPES = ("int64", "int64", "float64", "float64", "float64", "bool")
