"""Visibility: the Earth's bulge, the Fresnel zone, viewsheds and cumulative viewsheds.

Notes
-----
Geometry shared by every function here: the Earth is a sphere of radius :data:`EARTH_RADIUS_M` = 6,371,000 m whose curvature is
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

Point-to-point links (line of sight and Fresnel clearance) and site x target visibility tables
are in :mod:`coverage.radio.clearance`, on the same geometry.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from coverage.errors import InputError
from coverage.inputs.terrain import Terrain
from coverage.radio._checks import as_heights_m, as_points_xy, check_k_factor
from coverage.radio._kernels import numba  # only its thread controls here
from coverage.radio._kernels import viewshed as _k
from coverage.radio._kernels.viewshed import EARTH_RADIUS_M, SPEED_OF_LIGHT_M_S

__all__ = [
    "EARTH_RADIUS_M",
    "SPEED_OF_LIGHT_M_S",
    "cumulative_viewshed",
    "earth_bulge_m",
    "fresnel_radius_m",
    "viewshed",
    "viewshed_margin",
    "viewshed_reference",
]

log = logging.getLogger(__name__)

RAY_DENSITY = 0.7
"""Rays of the R2 sweep per cell of each sector's radius: neighbouring rays are at most
``1 / RAY_DENSITY`` cells apart where they leave the grid, and each cell takes the horizon of
the two rays around it, interpolated to its centre. 0.7 is the smallest density tried that
keeps the IoU against the exact reference at or above 0.99 on every terrain of
``tests/benchmarks/test_viewshed_bench.py``; fewer rays cost accuracy, more cost time."""


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

    Returns
    -------
    numpy.ndarray
        Bulge height (m), of the broadcast shape of ``d1_m`` and ``d2_m``.
    """
    d1 = np.asarray(d1_m, dtype=np.float64)
    d2 = np.asarray(d2_m, dtype=np.float64)
    return np.asarray(d1 * d2 / (2.0 * k_factor * EARTH_RADIUS_M))


def fresnel_radius_m(d1_m: ArrayLike, d2_m: ArrayLike, f_mhz: ArrayLike) -> NDArray[np.float64]:
    """Radius (m) of the first Fresnel zone at distances ``d1``, ``d2`` (m) from the ends.

    ``r1 = sqrt(lambda d1 d2 / (d1 + d2))`` with ``lambda = c / f``; ITU-R P.526-15 eq. (2)
    writes it ``550 sqrt(d1 d2 / ((d1 + d2) f))`` with d in km and f in MHz (17.7 m at the
    middle of a 10 km path at 2.4 GHz). Zero at the ends.

    Parameters
    ----------
    d1_m, d2_m
        Distances (m) from the point to the two ends of the path.
    f_mhz
        Frequency (MHz).

    Returns
    -------
    numpy.ndarray
        First Fresnel zone radius (m), of the broadcast shape of the inputs; 0 where
        ``d1_m + d2_m`` is 0.
    """
    d1 = np.asarray(d1_m, dtype=np.float64)
    d2 = np.asarray(d2_m, dtype=np.float64)
    f = np.asarray(f_mhz, dtype=np.float64)
    total = d1 + d2
    wavelength = SPEED_OF_LIGHT_M_S / (f * 1e6)
    safe = np.where(total > 0, total, 1.0)
    return np.asarray(np.where(total > 0, np.sqrt(wavelength * d1 * d2 / safe), 0.0))


# --- viewsheds ------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Observer:
    """An observer in grid units: its cell, eye elevation (m), reach and curvature drop.

    ``max_steps`` bounds the sweep's ray steps, ``max_d2_cells`` the squared reach in cells
    (``inf`` for none), ``curv`` the curvature drop (m) per squared cell.
    """

    row: int
    col: int
    eye_m: float
    max_steps: int
    max_d2_cells: float
    curv: float


def _observer(
    terrain: Terrain,
    x_m: float,
    y_m: float,
    observer_height_m: float,
    target_height_m: float,
    max_distance_m: float | None,
    k_factor: float,
) -> _Observer:
    """Check one observer's inputs and put it in grid units (see :func:`viewshed`)."""
    check_k_factor(k_factor)
    if not (math.isfinite(observer_height_m) and math.isfinite(target_height_m)):
        msg = (
            f"observer_height_m and target_height_m must be finite metres, got "
            f"{observer_height_m} and {target_height_m}."
        )
        raise InputError(msg)
    if max_distance_m is not None and not max_distance_m > 0:
        msg = f"max_distance_m must be > 0 metres or None, got {max_distance_m}."
        raise InputError(msg)
    if not bool(terrain.contains(x_m, y_m)):
        xmin, ymin, xmax, ymax = terrain.bounds
        msg = (
            f"Observer ({x_m:.1f}, {y_m:.1f}) lies outside the terrain grid "
            f"({xmin:.0f}, {ymin:.0f}, {xmax:.0f}, {ymax:.0f}) in {terrain.crs.to_string()}; "
            "give coordinates in the terrain's CRS, inside its extent."
        )
        raise InputError(msg)
    rows, cols = terrain.shape
    r, c = terrain.rowcol(x_m, y_m)
    row = int(min(int(r), rows - 1))
    col = int(min(int(c), cols - 1))
    cs = terrain.cell_size_m
    eye = float(terrain.elevation_m[row, col]) + float(observer_height_m)
    if max_distance_m is None:
        max_steps = max(rows, cols)
        max_d2 = math.inf
    else:
        max_steps = math.floor(max_distance_m / cs)
        max_d2 = (max_distance_m / cs) ** 2
    curv = cs * cs / (2.0 * k_factor * EARTH_RADIUS_M)
    return _Observer(row, col, eye, max_steps, max_d2, curv)


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

    Parameters
    ----------
    terrain, x_m, y_m, observer_height_m, target_height_m, max_distance_m, k_factor
        As for :func:`viewshed`.

    Returns
    -------
    numpy.ndarray
        Float grid of ``terrain.shape``: per cell, the slope of the sight line to the
        (raised) cell centre minus the steepest slope to any crossing before it, in metres
        per cell; >= 0 means visible, +inf at the observer, -inf beyond ``max_distance_m``.

    Raises
    ------
    InputError
        As for :func:`viewshed`.
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
    """Exact viewshed: one ray to every cell centre (R3), ``viewshed_margin(...) >= 0``.

    Meant for tests and benchmarks: it costs a ray walk per cell.

    Parameters
    ----------
    terrain, x_m, y_m, observer_height_m, target_height_m, max_distance_m, k_factor
        As for :func:`viewshed`.

    Returns
    -------
    numpy.ndarray
        Boolean grid of ``terrain.shape``, True where visible.

    Raises
    ------
    InputError
        As for :func:`viewshed`.
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
        Grid of ``terrain.shape`` (uint16): how many sites see each cell.

    Raises
    ------
    InputError
        ``sites_xy`` is not (N, 2) or has non-finite coordinates, a height is non-finite,
        N > 65,535, or a site fails the checks of :func:`viewshed`.
    """
    xy = as_points_xy(sites_xy, "sites_xy")
    n = xy.shape[0]
    if n > np.iinfo(np.uint16).max:
        msg = f"cumulative_viewshed counts up to 65,535 sites in uint16; got {n}. Split the sites."
        raise InputError(msg)
    heights = as_heights_m(site_heights_m, n, "site_heights_m")
    obs = [
        _observer(
            terrain, xy[i, 0], xy[i, 1], heights[i], target_height_m, max_distance_m, k_factor
        )
        for i in range(n)
    ]
    count = _count_sites(terrain, obs, float(target_height_m), RAY_DENSITY, progress)
    log.debug("cumulative viewshed of %d sites on %s cells", n, terrain.shape)
    return count


#: Sites per call of :func:`coverage.radio._kernels.viewshed.r2_count_sites` with a progress bar.
_SITES_PER_CHUNK = 32


def _count_sites(
    terrain: Terrain, obs: list[_Observer], target_m: float, density: float, progress: bool
) -> NDArray[np.uint16]:
    """Sum of the R2 viewsheds (observer cells included) of ``obs``, parallel across sites.

    One uint16 grid per thread (at most one per site) is filled by
    :func:`~coverage.radio._kernels.viewshed.r2_count_sites` and the grids are summed; sites
    are handed to threads one at a time (chunk size 1), so threads slowed by other work on
    the machine take fewer sites.
    """
    n = len(obs)
    count = np.zeros(terrain.shape, dtype=np.uint16)
    if n == 0:
        return count
    threads = min(numba.get_num_threads(), n)
    grids = np.zeros((threads, *terrain.shape), dtype=np.uint16)
    rows_ = np.array([o.row for o in obs], dtype=np.int64)
    cols_ = np.array([o.col for o in obs], dtype=np.int64)
    eyes = np.array([o.eye_m for o in obs], dtype=np.float64)
    steps = np.array([o.max_steps for o in obs], dtype=np.int64)
    d2 = np.array([o.max_d2_cells for o in obs], dtype=np.float64)
    step = _SITES_PER_CHUNK if progress else n
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=n, desc="viewsheds", unit="site")
    old_threads = numba.get_num_threads()
    numba.set_num_threads(threads)
    try:
        with numba.parallel_chunksize(1):
            for a in range(0, n, step):
                part = slice(a, min(a + step, n))
                _k.r2_count_sites(
                    terrain.elevation_m, rows_[part], cols_[part], eyes[part], target_m,
                    density, steps[part], d2[part], obs[0].curv, grids,
                )  # fmt: skip
                if bar is not None:
                    bar.update(part.stop - part.start)
    finally:
        numba.set_num_threads(old_threads)
        if bar is not None:
            bar.close()
    grids.sum(axis=0, dtype=np.uint16, out=count)
    return count
