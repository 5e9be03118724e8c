"""Other rasters on the terrain grid: one read onto it, or one written from it.

:func:`raster_on_grid` resamples band 1 of a GeoTIFF in any CRS onto a
:class:`~coverage.inputs.terrain.Terrain`'s grid (a population or land-cover raster);
:func:`write_grid` writes one value per terrain cell as a GeoTIFF on that exact grid (a
viewshed, a path-loss grid).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import rasterio
import rasterio.errors
import rasterio.warp
from numpy.typing import NDArray
from rasterio.enums import Resampling

from coverage.errors import InputError
from coverage.inputs.dem import _damaged
from coverage.inputs.terrain import Terrain

__all__ = ["raster_on_grid", "write_grid"]


def raster_on_grid(
    path: str | os.PathLike[str],
    terrain: Terrain,
    *,
    what: str,
    crs_hint: str,
    content: str,
    dtype: type[np.generic],
    resampling: Resampling,
) -> NDArray[Any]:
    """Band 1 of a GeoTIFF in any CRS, reprojected onto the terrain's grid.

    Parameters
    ----------
    path
        The raster file (a GeoTIFF, or any raster GDAL reads), with a CRS.
    terrain
        The grid to resample onto.
    what
        The layer's name in messages, e.g. ``"population raster"``.
    crs_hint
        Which CRS such data usually has, for the message when the file has none, e.g.
        ``"ESA WorldCover is EPSG:4326"``.
    content
        What the file should hold, for the message when it cannot be read, e.g.
        ``"people per cell"``.
    dtype
        The result's type, e.g. ``np.float64`` or ``np.int32``.
    resampling
        How source cells combine, e.g. ``Resampling.sum`` to keep the total of a count,
        ``Resampling.nearest`` for class codes.

    Returns
    -------
    NDArray[Any]
        The values on the terrain's grid, its shape; 0 where the raster does not reach and
        where it has nodata.

    Raises
    ------
    InputError
        The file cannot be read, it is damaged or truncated, or it has no CRS.
    """
    p = Path(path)
    out = np.zeros(terrain.shape, dtype=dtype)
    try:
        with rasterio.open(p) as src:
            if src.crs is None:
                msg = f"{what} {p}: no CRS; {crs_hint}, set it."
                raise InputError(msg)
            try:
                rasterio.warp.reproject(
                    source=rasterio.band(src, 1),
                    destination=out,
                    src_nodata=src.nodata,
                    dst_transform=terrain.transform,
                    dst_crs=terrain.crs,
                    dst_nodata=0,
                    resampling=resampling,
                )
            except rasterio.errors.RasterioError as err:
                msg = _damaged(what, p, err)
                raise InputError(msg) from err
    except rasterio.errors.RasterioIOError as err:
        msg = f"{what} {p}: cannot be read ({err}). Give a GeoTIFF of {content}."
        raise InputError(msg) from err
    return out


def write_grid(
    terrain: Terrain,
    path: str | os.PathLike[str],
    values: NDArray[np.generic],
    *,
    nodata: float | None = None,
    tags: dict[str, str] | None = None,
) -> Path:
    """Write one band on the terrain's exact grid as a GeoTIFF, atomically.

    The file is written to a temporary name in the same folder, then renamed, so a failed
    write never leaves a half-written file.

    Parameters
    ----------
    terrain
        The grid (transform and CRS) the values lie on.
    path
        The GeoTIFF to write (deflate-compressed); its folder must exist.
    values
        One value per cell, the terrain's shape; the dtype is kept (e.g. uint8 0/1 for a
        viewshed, float32 dB for path loss).
    nodata
        The band's nodata value, or None for none.
    tags
        Dataset metadata written into the file, e.g. ``{"units": "dB"}``.

    Returns
    -------
    Path
        The file written.

    Raises
    ------
    InputError
        ``values`` does not have the terrain's shape.
    """
    out = Path(path)
    if values.shape != terrain.shape:
        msg = (
            f"write_grid: values of shape {values.shape} do not match the terrain {terrain.shape}."
        )
        raise InputError(msg)
    rows, cols = terrain.shape
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tif", dir=out.parent)
    os.close(fd)
    Path(tmp).unlink()  # the driver creates it anew: the umask's mode, not mkstemp's 0600
    try:
        with rasterio.open(
            tmp, "w", driver="GTiff", width=cols, height=rows, count=1, dtype=values.dtype,
            crs=terrain.crs, transform=terrain.transform, nodata=nodata, compress="deflate",
        ) as dst:  # fmt: skip
            dst.write(values, 1)
            if tags:
                dst.update_tags(**tags)
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return out
