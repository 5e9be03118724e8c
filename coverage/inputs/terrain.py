"""Terrain: a DEM read, checked, clipped and reprojected into the working CRS.

The :class:`Terrain` value object carries the elevation grid together with its affine
transform and CRS, so every later stage (visibility, propagation, candidates) works on one
metric, north-up grid of square cells. Elevations are metres above the DEM's vertical datum
(EGM96 for SRTM), as float32 with no NaN left: voids are filled from their nearest valid
neighbour (:mod:`coverage.inputs.voids`) and counted in :attr:`Terrain.filled_voids`.

DEM files are read into a :class:`Terrain` in :mod:`coverage.inputs.dem` (:func:`read_dem`,
:func:`check_dem`, :func:`load_terrain`); other rasters are resampled onto its grid, and
grids written as GeoTIFFs, in :mod:`coverage.inputs.rasters`. Vector layers are read in :mod:`coverage.inputs.settlements`;
:mod:`coverage.inputs.sources` finds the files.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass

import numpy as np
from affine import Affine
from numpy.typing import ArrayLike, NDArray
from rasterio.crs import CRS

from coverage.errors import CRSError, InputError

__all__ = ["Terrain"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, eq=False)
class Terrain:
    """An elevation grid in a projected, metric CRS with square, north-up cells.

    Attributes
    ----------
    elevation_m
        2-D float32 array of ground elevations in metres, row 0 at the north edge.
    transform
        Affine transform from (col, row) to (x, y) of the cells' upper-left corners.
    crs
        The projected CRS of ``transform``; its linear unit is the metre.
    source
        Where the elevations came from (file names), for provenance in outputs.
    filled_voids
        How many cells were nodata and were filled from their nearest valid neighbour.

    Raises
    ------
    InputError
        The grid is not 2-D with at least 2 x 2 cells, its cells are not square and north-up,
        or an elevation is NaN or infinite.
    CRSError
        The CRS is missing, geographic or not in metres.
    """

    elevation_m: NDArray[np.float32]
    transform: Affine
    crs: CRS
    source: str = ""
    filled_voids: int = 0

    def __post_init__(self) -> None:
        """Validate the grid, transform and CRS; keep the elevations as contiguous float32."""
        elev = np.ascontiguousarray(self.elevation_m, dtype=np.float32)
        if elev.ndim != 2 or min(elev.shape) < 2:
            msg = f"Terrain needs a 2-D grid of at least 2 x 2 cells, got shape {elev.shape}."
            raise InputError(msg)
        t = self.transform
        if t.b != 0 or t.d != 0 or t.e >= 0 or not math.isclose(t.a, -t.e, rel_tol=1e-6):
            msg = (
                f"Terrain needs a north-up grid of square cells; got transform {tuple(t)[:6]}. "
                "Reproject the DEM with coverage.inputs.dem.load_terrain or `gdalwarp -tr 30 30`."
            )
            raise InputError(msg)
        _require_projected(self.crs, self.source or "terrain")
        if not np.isfinite(elev).all():
            msg = (
                f"Terrain {self.source!r} still has NaN or infinite elevations; fill voids first "
                "(load_terrain does this)."
            )
            raise InputError(msg)
        object.__setattr__(self, "elevation_m", elev)

    # --- geometry of the grid -------------------------------------------------------------
    @property
    def cell_size_m(self) -> float:
        """Edge length of one square cell, in metres.

        Returns
        -------
        float
            The transform's cell width (m), equal to its height.
        """
        return float(self.transform.a)

    @property
    def shape(self) -> tuple[int, int]:
        """(rows, columns) of the grid.

        Returns
        -------
        tuple of int
            Rows (north to south) and columns (west to east).
        """
        rows, cols = self.elevation_m.shape
        return int(rows), int(cols)

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """(xmin, ymin, xmax, ymax) of the grid's outer edges, in metres.

        Returns
        -------
        tuple of float
            The outer edges in the terrain's CRS (m).
        """
        rows, cols = self.shape
        x0, y0 = self.transform.c, self.transform.f
        return (x0, y0 - rows * self.cell_size_m, x0 + cols * self.cell_size_m, y0)

    def cell_centers(self) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Return the x coordinates of column centres and y coordinates of row centres (m).

        Returns
        -------
        xs, ys
            The x of each column's centre, west to east, shape (cols,), and the y of each
            row's centre, north to south, shape (rows,), in the terrain's CRS (m).
        """
        rows, cols = self.shape
        xs = self.transform.c + (np.arange(cols) + 0.5) * self.cell_size_m
        ys = self.transform.f - (np.arange(rows) + 0.5) * self.cell_size_m
        return xs.astype(np.float64), ys.astype(np.float64)

    def rowcol(self, x_m: ArrayLike, y_m: ArrayLike) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
        """Return the integer (row, col) of the cells containing points (x_m, y_m).

        Parameters
        ----------
        x_m, y_m
            Points in the terrain's CRS (m), scalars or arrays of one shape.

        Returns
        -------
        row, col
            Cell indices, the points' shape; points outside the grid get indices
            outside ``[0, rows)`` / ``[0, cols)``.
        """
        x = np.asarray(x_m, dtype=np.float64)
        y = np.asarray(y_m, dtype=np.float64)
        col = np.floor((x - self.transform.c) / self.cell_size_m).astype(np.int64)
        row = np.floor((self.transform.f - y) / self.cell_size_m).astype(np.int64)
        return row, col

    def contains(self, x_m: ArrayLike, y_m: ArrayLike) -> NDArray[np.bool_]:
        """Return whether each point lies inside the grid's outer edges.

        Parameters
        ----------
        x_m, y_m
            Points in the terrain's CRS (m), scalars or arrays of one shape.

        Returns
        -------
        NDArray[np.bool_]
            True inside or on the edges, the points' shape.
        """
        x = np.asarray(x_m, dtype=np.float64)
        y = np.asarray(y_m, dtype=np.float64)
        xmin, ymin, xmax, ymax = self.bounds
        return np.asarray((x >= xmin) & (x <= xmax) & (y >= ymin) & (y <= ymax))

    # --- sampling ---------------------------------------------------------------------------
    def sample(self, x_m: ArrayLike, y_m: ArrayLike) -> NDArray[np.float64]:
        """Elevation (m) at points, bilinearly interpolated between cell centres.

        Points between the outermost cell centres and the grid edge take the edge value;
        points outside the grid give NaN.

        Parameters
        ----------
        x_m, y_m
            Points in the terrain's CRS (m), scalars or arrays of one shape.

        Returns
        -------
        NDArray[np.float64]
            Elevations (m), the points' shape.
        """
        x = np.asarray(x_m, dtype=np.float64)
        y = np.asarray(y_m, dtype=np.float64)
        rows, cols = self.shape
        cf = (x - self.transform.c) / self.cell_size_m - 0.5
        rf = (self.transform.f - y) / self.cell_size_m - 0.5
        inside = self.contains(x, y)
        cf = np.clip(cf, 0.0, cols - 1.0)
        rf = np.clip(rf, 0.0, rows - 1.0)
        c0 = np.minimum(np.floor(cf).astype(np.int64), cols - 2)
        r0 = np.minimum(np.floor(rf).astype(np.int64), rows - 2)
        fc = cf - c0
        fr = rf - r0
        z = self.elevation_m
        top = z[r0, c0] * (1.0 - fc) + z[r0, c0 + 1] * fc
        bottom = z[r0 + 1, c0] * (1.0 - fc) + z[r0 + 1, c0 + 1] * fc
        out = top * (1.0 - fr) + bottom * fr
        return np.where(inside, out, np.nan)

    def profile(
        self,
        x0_m: float,
        y0_m: float,
        x1_m: float,
        y1_m: float,
        *,
        spacing_m: float | None = None,
    ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Terrain profile between two points.

        Parameters
        ----------
        x0_m, y0_m, x1_m, y1_m
            End points in the terrain's CRS (m).
        spacing_m
            Distance between samples; defaults to half a cell (sub-cell spacing, so that no
            ridge between cell centres is stepped over).

        Returns
        -------
        distance_m, elevation_m
            Distances from the first point and bilinear elevations, both including the two
            end points, evenly spaced.

        Raises
        ------
        InputError
            ``spacing_m`` is not positive.
        """
        step = spacing_m if spacing_m is not None else self.cell_size_m / 2.0
        if step <= 0:
            msg = f"spacing_m must be positive, got {step}; pass a sample spacing in metres."
            raise InputError(msg)
        length = math.hypot(x1_m - x0_m, y1_m - y0_m)
        n = max(2, math.ceil(length / step) + 1)
        t = np.linspace(0.0, 1.0, n)
        xs = x0_m + t * (x1_m - x0_m)
        ys = y0_m + t * (y1_m - y0_m)
        return t * length, self.sample(xs, ys)


def _require_projected(crs: CRS | None, what: str) -> None:
    """Raise :class:`CRSError` unless ``crs`` is a projected CRS in metres."""
    if crs is None or not crs.to_wkt():
        msg = (
            f"{what}: no coordinate reference system. Assign one, e.g. "
            "`gdal_edit.py -a_srs EPSG:4326 FILE` for SRTM."
        )
        raise CRSError(msg)
    if crs.is_geographic or not crs.is_projected:
        msg = (
            f"{what}: CRS {crs.to_string()} is geographic (degrees); distances and viewsheds need "
            "metres. Reproject first, e.g. `gdalwarp -t_srs EPSG:9377 -tr 30 30 -r bilinear IN OUT`, "
            "or let coverage.inputs.dem.load_terrain do it."
        )
        raise CRSError(msg)
    if crs.linear_units_factor[1] != 1.0:
        msg = f"{what}: CRS {crs.to_string()} is not in metres ({crs.linear_units}); reproject it."
        raise CRSError(msg)
