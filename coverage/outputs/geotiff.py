"""The coverage grids of a plan as Cloud-Optimised GeoTIFFs, for QGIS and GDAL.

:func:`write_rasters` writes received power (float32 dBm), signal class (byte, with a colour
table and class labels; the classes' edges are built on the service threshold) and best server (byte, with the site ids) on the plan's terrain
grid, with nodata, overviews and the plan's warnings as a ``WARNINGS`` tag;
:func:`write_cog` writes one such file.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from rasterio.io import MemoryFile
from rasterio.shutil import copy as rio_copy

from coverage.errors import InputError
from coverage.outputs import report, styles
from coverage.outputs.files import atomic_path, safe_path
from coverage.outputs.text import safe_text
from coverage.plan import Plan

__all__ = ["BYTE_NODATA", "RX_NODATA_DBM", "write_cog", "write_rasters"]

#: Nodata of the received-power GeoTIFF (dBm).
RX_NODATA_DBM = -9999.0
#: Nodata of the byte GeoTIFFs (signal class, best server).
BYTE_NODATA = 255


def write_cog(
    path: str | os.PathLike[str],
    array: NDArray[Any],
    plan: Plan,
    *,
    nodata: float,
    description: str,
    colormap: Mapping[int, tuple[int, int, int, int]] | None = None,
    categorical: bool = False,
    tags: Mapping[str, str] | None = None,
) -> Path:
    """Write a grid on the plan's terrain cells as a Cloud-Optimised GeoTIFF.

    Tiled, DEFLATE-compressed, with internal overviews (nearest for categories, average
    otherwise) down to about 32 cells, ``nodata`` set, an optional colour table (byte
    grids only) and the plan's models, assumptions and warnings as metadata tags. Written
    through GDAL's COG driver, so ``gdalinfo`` reports ``LAYOUT=COG``.

    Parameters
    ----------
    path
        The GeoTIFF to write.
    array
        The grid, of the plan's terrain shape; its dtype is kept.
    plan
        Gives the grid's CRS and transform, and the ``PLAN``, ``MODELS``, ``ASSUMPTIONS``
        and ``WARNINGS`` tags (JSON; ``WARNINGS`` is ``[]`` when the run stands behind the
        plan).
    nodata
        The grid's nodata value.
    description
        The band's description.
    colormap
        Colour table, value -> RGBA (0-255); None for none.
    categorical
        True for class or index grids (nearest-neighbour overviews), False for measures
        (averaged overviews).
    tags
        More metadata tags, e.g. ``{"UNITS": "dBm"}``; they override the plan's.

    Returns
    -------
    Path
        ``path``.
    """
    terrain = plan.terrain
    rows, cols = array.shape
    profile = {
        "driver": "GTiff",
        "width": cols,
        "height": rows,
        "count": 1,
        "dtype": array.dtype.name,
        "crs": terrain.crs,
        "transform": terrain.transform,
        "nodata": nodata,
    }
    n_overviews = (
        max(1, int(np.ceil(np.log2(max(rows, cols) / 32.0)))) if max(rows, cols) > 32 else 0
    )
    block = 256 if max(rows, cols) > 1024 else 128
    all_tags = {
        "PLAN": safe_text(plan.name),
        "MODELS": json.dumps(report.jsonable(plan.models), ensure_ascii=False),
        "ASSUMPTIONS": json.dumps(report.jsonable(plan.assumptions), ensure_ascii=False),
        "WARNINGS": json.dumps(report.jsonable(plan.warnings), ensure_ascii=False),
        **(tags or {}),
    }
    with MemoryFile() as mem:
        with mem.open(**profile) as ds:
            if colormap is not None:  # before the pixels: libtiff fixes the photometric tag
                ds.write_colormap(1, dict(colormap))
            ds.write(array, 1)
            ds.set_band_description(1, description)
            ds.update_tags(**all_tags)
        with mem.open() as src, atomic_path(path) as tmp:
            options: dict[str, Any] = {
                "COMPRESS": "DEFLATE",
                "BLOCKSIZE": block,
                "OVERVIEW_RESAMPLING": "NEAREST" if categorical else "AVERAGE",
            }
            if n_overviews:
                options["OVERVIEW_COUNT"] = n_overviews
            else:
                options["OVERVIEWS"] = "NONE"
            rio_copy(src, tmp, driver="COG", **options)
    return Path(path)


def _rx_array(plan: Plan) -> NDArray[np.float32]:
    rx = np.asarray(plan.coverage_dbm, dtype=np.float32)
    return np.where(np.isfinite(rx), rx, RX_NODATA_DBM).astype(np.float32)


def _class_colormap() -> dict[int, tuple[int, int, int, int]]:
    cmap = {i: (*c, 255) for i, c in enumerate(styles.RX_CLASS_COLORS)}
    cmap[0] = (0, 0, 0, 0)
    cmap[BYTE_NODATA] = (0, 0, 0, 0)
    return cmap


def write_rasters(plan: Plan, out_dir: Path) -> dict[str, Path]:
    """Write the received-power, signal-class and best-server COGs.

    Parameters
    ----------
    plan
        The plan whose coverage grids are written.
    out_dir
        The output folder.

    Returns
    -------
    dict
        ``rx_dbm_tif``, ``rx_class_tif`` and ``best_server_tif`` -> path.

    Raises
    ------
    InputError
        255 access sites or more (the best-server raster is one byte per cell).
    """
    out: dict[str, Path] = {}
    out["rx_dbm_tif"] = write_cog(
        safe_path(out_dir, "coverage_rx_dbm.tif"),
        _rx_array(plan),
        plan,
        nodata=RX_NODATA_DBM,
        description="received power of the best server (dBm)",
        tags={"UNITS": "dBm"},
    )
    edges = styles.plan_rx_edges(plan)
    cls = styles.rx_classes(plan.coverage_dbm, edges)
    labels = styles.rx_class_labels(edges)
    out["rx_class_tif"] = write_cog(
        safe_path(out_dir, "coverage_rx_class.tif"),
        np.where(cls == 0, BYTE_NODATA, cls).astype(np.uint8),
        plan,
        nodata=BYTE_NODATA,
        description="received-power class 1-5 (see CLASSES tag)",
        colormap=_class_colormap(),
        categorical=True,
        tags={"CLASSES": json.dumps(dict(enumerate(labels, start=1)), ensure_ascii=False)},
    )
    access = list(plan.access_sites["site_id"].astype(str))
    server = np.asarray(plan.best_server, dtype=np.int64)
    if len(access) >= BYTE_NODATA:
        msg = f"{len(access)} access sites do not fit a byte best-server raster (max 254)."
        raise InputError(msg)
    cmap = {i: (*c, 255) for i, c in enumerate(styles.best_server_colors(len(access)))}
    cmap[BYTE_NODATA] = (0, 0, 0, 0)
    out["best_server_tif"] = write_cog(
        safe_path(out_dir, "coverage_best_server.tif"),
        np.where(server < 0, BYTE_NODATA, server).astype(np.uint8),
        plan,
        nodata=BYTE_NODATA,
        description="index of the best access site (see SITES tag)",
        colormap=cmap,
        categorical=True,
        tags={"SITES": json.dumps(report.jsonable(dict(enumerate(access))), ensure_ascii=False)},
    )
    return out
