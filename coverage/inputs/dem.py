"""DEM files read into a :class:`~coverage.inputs.terrain.Terrain`: checked, clipped, reprojected.

:func:`check_dem` lists every problem of a DEM before any computation (missing or damaged
file, no or geographic CRS, no overlap with the area, all nodata); :func:`load_terrain`
clips one or several DEM files to the area plus its margin and resamples them bilinearly
onto a north-up grid in the working CRS, refusing a grid with more voids than
``max_void_share`` (:mod:`coverage.inputs.voids` fills the rest); :func:`read_dem` reads a
DEM on its own grid, or a geographic one reprojected to metres (:func:`utm_crs`), for the
command-line tools.
"""

from __future__ import annotations

import logging
import math
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import rasterio
import rasterio.errors
import rasterio.io
import rasterio.warp
import rasterio.windows
from affine import Affine
from numpy.typing import NDArray
from pyproj import Transformer
from pyproj.aoi import AreaOfInterest
from pyproj.database import query_utm_crs_info
from rasterio.crs import CRS
from rasterio.enums import Resampling
from shapely.geometry import box
from shapely.geometry.base import BaseGeometry

from coverage.errors import CRSError, InputError
from coverage.inputs.terrain import Terrain, _require_projected
from coverage.inputs.voids import MAX_VOID_SHARE, fill_voids

__all__ = ["MAX_CELLS", "check_dem", "dem_footprint", "load_terrain", "read_dem", "utm_crs"]

log = logging.getLogger(__name__)

#: Rows x columns above which the DEM is refused, to keep memory bounded (about 1.6 GB of float32).
MAX_CELLS = 400_000_000


def _damaged(what: str, path: str | os.PathLike[str], err: Exception) -> str:
    """The message for a raster that opens but whose cells GDAL cannot read (cut short, corrupt)."""
    detail = err.__cause__ or err  # GDAL's own words (which block failed) are in the cause
    return (
        f"{what} {path}: the file is damaged or truncated; GDAL could not read its cells "
        f"({detail}). Download it again and check its sha256 (`sha256sum FILE`) against the "
        "area file's `sha256` list, or export it again (`gdal_translate IN OUT`)."
    )


def _open(path: str | os.PathLike[str]) -> rasterio.io.DatasetReader:
    p = Path(path)
    if not p.is_file():
        msg = f"DEM {p}: file not found. Check the path, or the mirror folder (--mirror)."
        raise InputError(msg)
    try:
        return rasterio.open(p)
    except rasterio.errors.RasterioIOError as err:
        msg = (
            f"DEM {p}: not a raster GDAL can read, or a damaged one ({err}). Use a GeoTIFF or an "
            "SRTM .hgt file; if it is one, download it again and check its sha256."
        )
        raise InputError(msg) from err


def read_dem(
    path: str | os.PathLike[str],
    *,
    max_void_share: float = MAX_VOID_SHARE,
    crs: CRS | str | None = None,
) -> Terrain:
    """Read a DEM for the command-line tools: on its own grid, or reprojected to metres.

    This is what the ``viewshed`` and ``pathloss`` command-line tools use. A DEM in a
    projected metric CRS (and ``crs`` None or that CRS) is read on its own grid, unchanged,
    so that their outputs lie cell for cell on the input grid. A DEM in a geographic CRS
    (EPSG:4326, as SRTM tiles ship) is reprojected bilinearly to ``crs``, or when that is
    None to the UTM zone of its centre (:func:`utm_crs`), on square cells about as many as
    the file's, over the largest north-up rectangle inside the file's footprint (so no cell
    is invented outside it); the log says so. Voids are filled from the nearest valid cell.
    Use :func:`load_terrain` to clip a DEM to an area.

    Parameters
    ----------
    path
        A GeoTIFF (or any raster GDAL reads, SRTM ``.hgt`` included); band 1 is read.
    max_void_share
        The largest share of void cells (0-1) filled; above it the DEM is refused.
    crs
        The projected metric CRS to work in; None: the DEM's own, or the UTM zone of its
        centre when the DEM's is geographic.

    Returns
    -------
    Terrain
        The grid and CRS, voids filled, ``source`` the file name.

    Raises
    ------
    InputError
        Missing, unreadable or damaged (truncated) file, more voids than
        ``max_void_share``, non-square or rotated cells of a projected DEM.
    CRSError
        The DEM has no CRS, or ``crs`` is not projected in metres.
    """
    dst_crs = None if crs is None else CRS.from_user_input(crs)
    if dst_crs is not None:
        _require_projected(dst_crs, "--crs")
    with _open(path) as src:
        if src.crs is None or not src.crs.to_wkt():
            _require_projected(src.crs, f"DEM {path}")
        if src.width * src.height > MAX_CELLS:
            msg = f"DEM {path}: {src.width} x {src.height} cells is too large; clip it first."
            raise InputError(msg)
        if dst_crs is None and src.crs.is_geographic:
            dst_crs = utm_crs(src.crs, src.bounds)
        if dst_crs is None or dst_crs == src.crs:
            _require_projected(src.crs, f"DEM {path}")
            try:
                data = src.read(1, masked=True).astype(np.float32)
            except rasterio.errors.RasterioError as err:
                msg = _damaged("DEM", path, err)
                raise InputError(msg) from err
            elev, transform, crs_out = np.ma.filled(data, np.nan), src.transform, src.crs
        else:
            elev, transform = _reprojected(src, path, dst_crs)
            crs_out = dst_crs
    elev, filled = fill_voids(
        elev, str(path), max_share=max_void_share, raise_with="--max-void-share"
    )
    return Terrain(elev, transform, crs_out, source=Path(path).name, filled_voids=filled)


def utm_crs(crs: CRS, bounds: tuple[float, float, float, float]) -> CRS:
    """The WGS 84 UTM zone (north or south) of the centre of ``bounds``, as pyproj finds it.

    Parameters
    ----------
    crs
        The CRS of ``bounds`` (any; the centre is taken to longitude and latitude).
    bounds
        (left, bottom, right, top) in ``crs``.

    Returns
    -------
    CRS
        The UTM zone's CRS (EPSG:326zz north, 327zz south).
    """
    left, bottom, right, top = rasterio.warp.transform_bounds(crs, "EPSG:4326", *bounds)
    lon, lat = (left + right) / 2.0, (bottom + top) / 2.0
    found = query_utm_crs_info(
        datum_name="WGS 84", area_of_interest=AreaOfInterest(lon, lat, lon, lat)
    )
    zone = next(z for z in found if z.code.startswith(("326", "327")))
    return CRS.from_epsg(int(zone.code))


def _reprojected(
    src: rasterio.io.DatasetReader, path: str | os.PathLike[str], dst_crs: CRS
) -> tuple[NDArray[np.float32], Affine]:
    """Band 1 of ``src`` bilinearly on square cells of ``dst_crs`` inside its footprint."""
    n = 21  # points along each edge of the footprint
    t = np.linspace(0.0, 1.0, n)
    left, bottom, right, top = src.bounds
    edges = {  # (xs, ys) of each edge in the source CRS
        "west": (np.full(n, left), bottom + t * (top - bottom)),
        "east": (np.full(n, right), bottom + t * (top - bottom)),
        "south": (left + t * (right - left), np.full(n, bottom)),
        "north": (left + t * (right - left), np.full(n, top)),
    }
    to_dst = Transformer.from_crs(src.crs, dst_crs, always_xy=True)
    xy = {k: to_dst.transform(*v) for k, v in edges.items()}
    x0, x1 = float(np.max(xy["west"][0])), float(np.min(xy["east"][0]))
    y0, y1 = float(np.max(xy["south"][1])), float(np.min(xy["north"][1]))
    res = round(math.sqrt((x1 - x0) * (y1 - y0) / (src.width * src.height)), 2)
    # one source cell in from the footprint, where bilinear resampling has every neighbour
    x0, x1, y0, y1 = x0 + res, x1 - res, y0 + res, y1 - res
    cols, rows = math.floor((x1 - x0) / res), math.floor((y1 - y0) / res)
    if rows < 2 or cols < 2:
        msg = f"DEM {path}: too small to reproject to {dst_crs.to_string()} ({src.width} x {src.height} cells)."
        raise InputError(msg)
    transform = Affine(res, 0.0, x0, 0.0, -res, y1)
    out = np.full((rows, cols), np.nan, dtype=np.float32)
    try:
        rasterio.warp.reproject(
            source=rasterio.band(src, 1),
            destination=out,
            src_nodata=src.nodata,
            dst_transform=transform,
            dst_crs=dst_crs,
            dst_nodata=np.nan,
            resampling=Resampling.bilinear,
        )
    except rasterio.errors.RasterioError as err:
        msg = _damaged("DEM", path, err)
        raise InputError(msg) from err
    log.info(
        "DEM %s is in %s: reprojected to %s, %d x %d cells of %.2f m (bilinear)",
        Path(path).name,
        src.crs.to_string(),
        dst_crs.to_string(),
        cols,
        rows,
        res,
    )
    return out, transform


def check_dem(
    paths: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
    area: BaseGeometry | None,
    crs: CRS | str,
    *,
    margin_m: float = 0.0,
) -> list[str]:
    """Return the problems of DEM files as sentences, before any computation.

    Checks that each file exists and is a raster with a CRS, that it is not all nodata
    (read decimated to at most about a million cells), and that together the files cover
    the bounding box of ``area`` buffered by ``margin_m``.

    Parameters
    ----------
    paths
        One DEM file or several, in any CRS.
    area
        The area of interest in ``crs``; None skips the coverage check.
    crs
        The working CRS.
    margin_m
        Buffer around ``area`` that the files must also cover (m).

    Returns
    -------
    list of str
        One sentence per problem, each naming the file and the fix; empty when the DEM is
        usable.
    """
    files = [paths] if isinstance(paths, str | os.PathLike) else list(paths)
    problems: list[str] = []
    footprints = []
    for path in files:
        try:
            src = _open(path)
        except InputError as err:
            problems.append(str(err))
            continue
        with src:
            if src.crs is None:
                problems.append(
                    f"DEM {path}: no CRS. Assign one, e.g. `gdal_edit.py -a_srs EPSG:4326 {path}`."
                )
                continue
            step = max(1, math.ceil(math.sqrt(src.width * src.height / 1e6)))
            try:
                band = src.read(
                    1,
                    masked=True,
                    out_shape=(max(1, src.height // step), max(1, src.width // step)),
                )
            except rasterio.errors.RasterioError as err:
                problems.append(_damaged("DEM", path, err))
                continue
            if np.ma.count(band) == 0:
                problems.append(
                    f"DEM {path}: every cell is nodata (nodata = {src.nodata}). Check the file "
                    "(`gdalinfo -stats`) or the nodata value."
                )
            left, bottom, right, top = rasterio.warp.transform_bounds(src.crs, crs, *src.bounds)
            footprints.append((left, bottom, right, top))
    if area is not None and footprints:
        need = area.buffer(margin_m).bounds
        have: BaseGeometry = box(*footprints[0])
        for fp in footprints[1:]:
            have = have.union(box(*fp))
        if not have.buffer(1.0).contains(box(*need)):
            problems.append(
                f"DEM {', '.join(Path(p).name for p in files)} does not cover the area plus its "
                f"{margin_m:.0f} m margin (needs {tuple(round(v) for v in need)}, has "
                f"{tuple(round(v) for v in have.bounds)} in {CRS.from_user_input(crs).to_string()}). "
                "Use a larger DEM tile (or several), or a smaller margin_m in the area file."
            )
    return problems


def load_terrain(
    paths: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
    area: BaseGeometry,
    crs: CRS | str,
    *,
    margin_m: float = 5000.0,
    resolution_m: float = 30.0,
    max_void_share: float = MAX_VOID_SHARE,
) -> Terrain:
    """Read one or more DEM files and resample them over an area, in the working CRS.

    Parameters
    ----------
    paths
        GeoTIFF or SRTM ``.hgt`` files, in any CRS; later files fill only the cells that
        earlier ones left empty (a mosaic).
    area
        The area of interest, in ``crs``.
    crs
        The projected working CRS (e.g. ``"EPSG:9377"``).
    margin_m
        Buffer around the area's bounding box that the grid also covers (m), so that sites
        on ridges outside the boundary can serve it.
    resolution_m
        Cell size of the output grid (m). The grid is aligned to multiples of it, so the same
        inputs always give the same grid.
    max_void_share
        The largest share (0-1) of the grid's cells that may be voids left by every file
        (filled from their nearest valid neighbour, counted in :attr:`Terrain.filled_voids`).

    Returns
    -------
    Terrain
        Bilinearly resampled elevations, voids filled.

    Raises
    ------
    InputError
        A file is missing, unreadable or damaged (truncated), the DEMs do not cover the area
        plus margin (the message gives both extents), or over ``max_void_share`` is voids.
    CRSError
        ``crs`` is geographic, or a DEM has no CRS.
    """
    dst_crs = CRS.from_user_input(crs)
    _require_projected(dst_crs, "working CRS")
    if resolution_m <= 0 or margin_m < 0:
        msg = f"resolution_m must be > 0 and margin_m >= 0, got {resolution_m}, {margin_m}."
        raise InputError(msg)
    files = [paths] if isinstance(paths, str | os.PathLike) else list(paths)
    if not files:
        msg = "load_terrain needs at least one DEM file."
        raise InputError(msg)
    grid = _GridSpec.around(area, margin_m, resolution_m, dst_crs)
    dest = np.full(grid.shape, np.nan, dtype=np.float32)
    covered = np.zeros(grid.shape, dtype=bool)
    for path in files:
        part, footprint = _dem_on_grid(path, grid)
        take = np.isnan(dest) & np.isfinite(part)
        dest[take] = part[take]
        covered |= footprint > 0
    names = ", ".join(Path(p).name for p in files)
    if not covered.all():
        xmin, ymin, xmax, ymax = grid.bounds
        msg = (
            f"DEM {names} does not cover the area of interest plus its {margin_m:.0f} m margin: "
            f"{1.0 - covered.mean():.1%} of the grid ({xmin:.0f}, {ymin:.0f}, {xmax:.0f}, "
            f"{ymax:.0f} in {dst_crs.to_string()}) lies outside it. Use a larger DEM tile (or "
            "several), or a smaller margin."
        )
        raise InputError(msg)
    dest, filled = fill_voids(dest, names, max_share=max_void_share)
    terrain = Terrain(dest, grid.transform, dst_crs, source=names, filled_voids=filled)
    rows, cols = grid.shape
    log.info(
        "terrain: %d x %d cells of %.0f m in %s from %s (%.0f-%.0f m)",
        cols,
        rows,
        resolution_m,
        dst_crs.to_string(),
        names,
        float(dest.min()),
        float(dest.max()),
    )
    return terrain


#: DEM cells warped around the grid's footprint in the file, beyond its bounds: the
#: nearest-cell warp of a window then equals that of the whole file on the grid.
_WINDOW_PAD = 4


@dataclass(frozen=True)
class _GridSpec:
    """The working grid of a run: north-up square cells aligned to multiples of their size.

    Attributes
    ----------
    transform
        Affine transform of the grid (m, working CRS).
    crs
        The working CRS.
    shape
        (rows, columns).
    bounds
        (xmin, ymin, xmax, ymax) of the grid (m).
    """

    transform: Affine
    crs: CRS
    shape: tuple[int, int]
    bounds: tuple[float, float, float, float]

    @classmethod
    def around(
        cls, area: BaseGeometry, margin_m: float, resolution_m: float, crs: CRS
    ) -> _GridSpec:
        """The grid over ``area``'s bounding box plus ``margin_m`` (m), cells of ``resolution_m``.

        Raises :class:`InputError` above :data:`MAX_CELLS` cells.
        """
        xmin, ymin, xmax, ymax = area.bounds
        xmin = math.floor((xmin - margin_m) / resolution_m) * resolution_m
        ymin = math.floor((ymin - margin_m) / resolution_m) * resolution_m
        xmax = math.ceil((xmax + margin_m) / resolution_m) * resolution_m
        ymax = math.ceil((ymax + margin_m) / resolution_m) * resolution_m
        cols = round((xmax - xmin) / resolution_m)
        rows = round((ymax - ymin) / resolution_m)
        if rows * cols > MAX_CELLS:
            msg = f"Area plus margin is {cols} x {rows} cells at {resolution_m} m: too large."
            raise InputError(msg)
        transform = Affine(resolution_m, 0.0, xmin, 0.0, -resolution_m, ymax)
        return cls(transform, crs, (rows, cols), (xmin, ymin, xmax, ymax))


def _dem_on_grid(
    path: str | os.PathLike[str], grid: _GridSpec
) -> tuple[NDArray[np.float32], NDArray[np.float32]]:
    """One DEM file bilinearly resampled onto the grid (NaN where it has no data), and its
    footprint there (1 where the file reaches, its nodata cells included; 0 elsewhere)."""
    with _open(path) as src:
        if src.crs is None:
            msg = f"DEM {path}: no CRS. Assign one, e.g. `gdal_edit.py -a_srs EPSG:4326 {path}`."
            raise CRSError(msg)
        part = np.full(grid.shape, np.nan, dtype=np.float32)
        try:
            rasterio.warp.reproject(
                source=rasterio.band(src, 1),
                destination=part,
                src_nodata=src.nodata,
                dst_transform=grid.transform,
                dst_crs=grid.crs,
                dst_nodata=np.nan,
                resampling=Resampling.bilinear,
            )
        except rasterio.errors.RasterioError as err:
            msg = _damaged("DEM", path, err)
            raise InputError(msg) from err
        # What the file covers at all, including its nodata cells (voids are filled later,
        # but a DEM that stops short of the area is an error).
        footprint = dem_footprint(src, grid.transform, grid.shape, grid.crs)
    return part, footprint


def dem_footprint(
    src: rasterio.io.DatasetReader,
    dst_transform: Affine,
    dst_shape: tuple[int, int],
    dst_crs: CRS,
) -> NDArray[np.float32]:
    """Where an open DEM file reaches on a grid: 1 where its nearest cell lies in the file.

    Only the file's window under the grid (plus :data:`_WINDOW_PAD` cells) is warped, not
    a raster of the whole file: a department's DEM serves a small area with a small array.

    Parameters
    ----------
    src
        The open DEM file (with a CRS).
    dst_transform
        The grid's north-up transform.
    dst_shape
        The grid's (rows, columns).
    dst_crs
        The grid's CRS.

    Returns
    -------
    numpy.ndarray
        (rows, columns) float32: 1 where the file reaches (its nodata cells included), 0
        elsewhere; the nearest-cell warp of the whole file, cell for cell.
    """
    rows, cols = dst_shape
    t = dst_transform  # north-up: the corners are (c, f) and (c + a cols, f + e rows)
    x0, y0, x1, y1 = t.c, t.f, t.c + t.a * cols, t.f + t.e * rows
    footprint = np.zeros(dst_shape, dtype=np.float32)
    left, bottom, right, top = rasterio.warp.transform_bounds(
        dst_crs, src.crs, min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1), densify_pts=21
    )
    window = (
        rasterio.windows.from_bounds(left, bottom, right, top, transform=src.transform)
        .round_offsets(op="floor", pixel_precision=None)
        .round_lengths(op="ceil", pixel_precision=None)
    )
    col0, row0 = (
        max(int(window.col_off) - _WINDOW_PAD, 0),
        max(int(window.row_off) - _WINDOW_PAD, 0),
    )
    col1 = min(int(window.col_off + window.width) + _WINDOW_PAD, src.width)
    row1 = min(int(window.row_off + window.height) + _WINDOW_PAD, src.height)
    if col1 <= col0 or row1 <= row0:  # the file lies wholly off the grid
        return footprint
    t = src.transform  # the window's transform: its origin moved to (col0, row0)
    origin = Affine(
        t.a, t.b, t.c + t.a * col0 + t.b * row0, t.d, t.e, t.f + t.d * col0 + t.e * row0
    )
    rasterio.warp.reproject(
        source=np.ones((row1 - row0, col1 - col0), dtype=np.float32),
        destination=footprint,
        src_transform=origin,
        src_crs=src.crs,
        src_nodata=0,
        dst_transform=dst_transform,
        dst_crs=dst_crs,
        dst_nodata=0,
        resampling=Resampling.nearest,
    )
    return footprint
