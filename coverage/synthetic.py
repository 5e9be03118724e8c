"""Deterministic synthetic terrain for tests, benchmarks, notebooks and documentation.

Every builder returns a :class:`~coverage.inputs.terrain.Terrain` in EPSG:9377 (Colombia's
MAGNA-SIRGAS / Origen-Nacional, metres) placed near Palmitas, so that synthetic and real runs
share one working CRS. The same arguments always give the same grid, byte for byte.
"""

from __future__ import annotations

import numpy as np
from affine import Affine
from numpy.typing import NDArray
from rasterio.crs import CRS

from coverage.inputs.terrain import Terrain

__all__ = ["andes_like", "flat", "from_array", "ridge", "wall"]

#: Working CRS of the synthetic grids, the same as the Palmitas scenario's.
SYNTHETIC_CRS = "EPSG:9377"
#: Upper-left corner (m, EPSG:9377) of synthetic grids: a point near Palmitas.
ORIGIN_X_M = 4_700_000.0
ORIGIN_Y_M = 2_260_000.0


def from_array(
    elevation_m: NDArray[np.floating] | list[list[float]],
    *,
    cell_size_m: float = 30.0,
    x0_m: float = ORIGIN_X_M,
    y0_m: float = ORIGIN_Y_M,
    crs: str = SYNTHETIC_CRS,
) -> Terrain:
    """Wrap a 2-D array of elevations (m, row 0 north) as a Terrain.

    Parameters
    ----------
    elevation_m
        Ground elevations (m), shape (rows, cols), at least 2 x 2; row 0 is the north edge.
    cell_size_m
        Cell edge length (m).
    x0_m, y0_m
        Upper-left (north-west) corner of the grid in ``crs`` (m); default: a point near
        Palmitas in EPSG:9377.
    crs
        A projected CRS in metres, as any string rasterio accepts.

    Returns
    -------
    Terrain
        The grid, elevations as float32, ``source`` "synthetic".

    Raises
    ------
    InputError
        ``elevation_m`` is not 2-D with at least 2 x 2 cells, or holds NaN.
    CRSError
        ``crs`` is not projected in metres.

    Examples
    --------
    >>> t = from_array([[0, 0, 0], [0, 10, 0], [0, 0, 0]], cell_size_m=10)
    >>> t.shape, t.cell_size_m
    ((3, 3), 10.0)
    """
    transform = Affine(cell_size_m, 0.0, x0_m, 0.0, -cell_size_m, y0_m)
    arr = np.asarray(elevation_m, dtype=np.float32)
    return Terrain(arr, transform, CRS.from_user_input(crs), source="synthetic")


def flat(
    rows: int = 50, cols: int = 50, *, elevation_m: float = 1500.0, cell_size_m: float = 30.0
) -> Terrain:
    """A flat plain at one elevation.

    Parameters
    ----------
    rows, cols
        Grid size in cells (default 50 x 50).
    elevation_m
        The elevation of every cell (m).
    cell_size_m
        Cell edge length (m).

    Returns
    -------
    Terrain
        The grid in EPSG:9377, its upper-left corner at (:data:`ORIGIN_X_M`,
        :data:`ORIGIN_Y_M`).
    """
    return from_array(np.full((rows, cols), elevation_m), cell_size_m=cell_size_m)


def ridge(
    rows: int = 60,
    cols: int = 60,
    *,
    base_m: float = 1500.0,
    height_m: float = 300.0,
    width_m: float = 300.0,
    cell_size_m: float = 30.0,
) -> Terrain:
    """A north-south Gaussian ridge above a plain, centred on the grid.

    Parameters
    ----------
    rows, cols
        Grid size in cells (default 60 x 60).
    base_m
        Elevation of the plain (m).
    height_m
        Height of the crest above the plain (m).
    width_m
        Standard deviation of the Gaussian cross-section, east-west (m).
    cell_size_m
        Cell edge length (m).

    Returns
    -------
    Terrain
        The grid in EPSG:9377, its upper-left corner at (:data:`ORIGIN_X_M`,
        :data:`ORIGIN_Y_M`).
    """
    x = (np.arange(cols) - (cols - 1) / 2.0) * cell_size_m
    profile = base_m + height_m * np.exp(-0.5 * (x / width_m) ** 2)
    return from_array(np.tile(profile, (rows, 1)), cell_size_m=cell_size_m)


def wall(
    rows: int = 40,
    cols: int = 40,
    *,
    base_m: float = 1500.0,
    wall_col: int = 20,
    wall_height_m: float = 100.0,
    cell_size_m: float = 30.0,
) -> Terrain:
    """A flat plain crossed by a one-cell-thick north-south wall.

    Parameters
    ----------
    rows, cols
        Grid size in cells (default 40 x 40).
    base_m
        Elevation of the plain (m).
    wall_col
        Column of the wall (0 is the west edge).
    wall_height_m
        Height of the wall above the plain (m).
    cell_size_m
        Cell edge length (m).

    Returns
    -------
    Terrain
        The grid in EPSG:9377, its upper-left corner at (:data:`ORIGIN_X_M`,
        :data:`ORIGIN_Y_M`).
    """
    z = np.full((rows, cols), base_m)
    z[:, wall_col] += wall_height_m
    return from_array(z, cell_size_m=cell_size_m)


def andes_like(
    rows: int = 200,
    cols: int = 200,
    *,
    seed: int = 0,
    base_m: float = 1200.0,
    relief_m: float = 1900.0,
    cell_size_m: float = 30.0,
) -> Terrain:
    """Steep, ridged mountain terrain from seeded spectral noise.

    The surface mixes a power-law (1/f^2.2) random field, which gives realistic slopes, with
    a folded "ridged" transform, which gives sharp crests and deep valleys like the Andean
    cordillera around Palmitas. Elevations span ``base_m`` to ``base_m + relief_m``.

    Parameters
    ----------
    rows, cols
        Grid size in cells (default 200 x 200).
    seed
        Seed of the random phases: the same seed gives the same terrain.
    base_m
        Lowest elevation (m).
    relief_m
        Difference between the highest and the lowest elevation (m).
    cell_size_m
        Cell edge length (m).

    Returns
    -------
    Terrain
        The grid in EPSG:9377, its upper-left corner at (:data:`ORIGIN_X_M`,
        :data:`ORIGIN_Y_M`).
    """
    rng = np.random.default_rng(seed)
    fy = np.fft.fftfreq(rows)[:, None]
    fx = np.fft.rfftfreq(cols)[None, :]
    f = np.hypot(fx, fy)
    f[0, 0] = 1.0
    amplitude = f ** (-2.2 / 2.0 - 1.0)
    amplitude[0, 0] = 0.0
    phase = rng.uniform(0.0, 2.0 * np.pi, size=amplitude.shape)
    field = np.fft.irfft2(amplitude * np.exp(1j * phase), s=(rows, cols))
    field = (field - field.min()) / (np.ptp(field) or 1.0)
    ridged = 1.0 - np.abs(2.0 * field - 1.0)
    z = 0.6 * field + 0.4 * ridged**2
    z = (z - z.min()) / (np.ptp(z) or 1.0)
    return from_array(base_m + relief_m * z, cell_size_m=cell_size_m)
