"""Candidate tower sites: terrain peaks and ridges, schools and user sites.

Three sources of candidates are merged into one GeoDataFrame in the working CRS:

* ``terrain``: cells of high topographic position index (TPI; Weiss 2001, "Topographic
  position and landforms analysis", ESRI User Conference poster; Jenness 2006), i.e. cells
  well above the mean elevation of the disc around them: peaks and ridge crests. They are
  taken in decreasing TPI order and thinned so that no two lie closer than a minimum
  spacing.
* ``school`` and ``user``: given points (schools have power and rights of way; users may
  know of existing masts).
* exclusion polygons remove candidates (protected areas, private land).

Columns of a candidate frame: ``candidate_id`` (str, unique), ``source`` ("terrain",
"school" or "user"), ``name`` (str), ``ground_elevation_m`` (float, NaN when unknown),
``tpi_m`` (float, NaN for given points), ``grid_power`` (bool: mains power at the site;
otherwise solar off-grid power is costed) and ``geometry`` (Point).

Mast heights are options of every candidate: option ``o = i * len(heights_m) + h`` is
candidate row ``i`` at height ``heights_m[h]`` (see :func:`option_index`); their costs come
from :mod:`coverage.planning.costs`.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray
from rasterio import features
from scipy.signal import fftconvolve
from shapely.geometry.base import BaseGeometry

from coverage.errors import InputError
from coverage.inputs.terrain import Terrain

__all__ = [
    "CANDIDATE_COLUMNS",
    "SOURCES",
    "combine_candidates",
    "option_index",
    "point_candidates",
    "terrain_candidates",
    "topographic_position_index",
]

log = logging.getLogger(__name__)

#: Columns of every candidate GeoDataFrame, in order.
CANDIDATE_COLUMNS = (
    "candidate_id",
    "source",
    "name",
    "ground_elevation_m",
    "tpi_m",
    "grid_power",
    "geometry",
)
#: Candidate sources, in the priority order used when thinning a combined set.
SOURCES = ("user", "school", "terrain")


def option_index(n_candidates: int, heights_m: Sequence[float]) -> pd.DataFrame:
    """The candidate x mast-height option table.

    Option ``o`` is candidate row ``o // len(heights_m)`` at ``heights_m[o % len(heights_m)]``;
    coverage matrices and cost vectors in :mod:`coverage.planning.placement` are indexed by it.

    Parameters
    ----------
    n_candidates
        Number of candidate sites (rows of the candidate frame).
    heights_m
        Mast height options (m), the same for every candidate.

    Returns
    -------
    DataFrame
        One row per option: ``option``, ``candidate`` (row index), ``height_index``,
        ``height_m`` (m).
    """
    h = np.asarray(heights_m, dtype=np.float64)
    o = np.arange(n_candidates * h.size)
    return pd.DataFrame(
        {
            "option": o,
            "candidate": o // h.size,
            "height_index": o % h.size,
            "height_m": h[o % h.size],
        }
    )


def topographic_position_index(terrain: Terrain, radius_m: float) -> NDArray[np.float64]:
    """Elevation minus the mean elevation of the disc of ``radius_m`` around each cell (m).

    Positive on peaks and ridges, negative in valleys (Weiss 2001). Near the grid edge the
    mean is taken over the part of the disc inside the grid.

    Parameters
    ----------
    terrain
        The terrain grid (projected, metres).
    radius_m
        Radius of the neighbourhood disc (m), rounded to whole cells; at least one cell.

    Returns
    -------
    numpy.ndarray
        TPI (m) of every cell, the shape of ``terrain.elevation_m``.

    Raises
    ------
    InputError
        ``radius_m`` smaller than one cell.
    """
    if radius_m < terrain.cell_size_m:
        msg = f"tpi_radius_m ({radius_m} m) must be at least one cell ({terrain.cell_size_m} m)."
        raise InputError(msg)
    r = round(radius_m / terrain.cell_size_m)
    yy, xx = np.mgrid[-r : r + 1, -r : r + 1]
    disc = (xx**2 + yy**2 <= r * r).astype(np.float64)
    z = terrain.elevation_m.astype(np.float64)
    total = fftconvolve(z, disc, mode="same")
    count = fftconvolve(np.ones_like(z), disc, mode="same")
    return np.asarray(z - total / np.maximum(count, 1.0))


def _thin(xy: NDArray[np.float64], spacing_m: float, limit: int) -> list[int]:
    """Indices of points kept, in order, so that no two kept lie within ``spacing_m``."""
    if spacing_m <= 0:
        return list(range(min(limit, len(xy))))
    buckets: dict[tuple[int, int], list[int]] = {}
    kept: list[int] = []
    s2 = spacing_m * spacing_m
    for i, (x, y) in enumerate(xy):
        bx, by = int(np.floor(x / spacing_m)), int(np.floor(y / spacing_m))
        clash = False
        for dx in (-1, 0, 1):
            for dy in (-1, 0, 1):
                for j in buckets.get((bx + dx, by + dy), ()):
                    if (xy[j, 0] - x) ** 2 + (xy[j, 1] - y) ** 2 < s2:
                        clash = True
                        break
                if clash:
                    break
            if clash:
                break
        if not clash:
            buckets.setdefault((bx, by), []).append(i)
            kept.append(i)
            if len(kept) >= limit:
                break
    return kept


def _frame(data: dict[str, Any], crs: Any) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(data, columns=list(CANDIDATE_COLUMNS), geometry="geometry", crs=crs)


def terrain_candidates(
    terrain: Terrain,
    area: BaseGeometry,
    *,
    min_spacing_m: float = 500.0,
    tpi_radius_m: float = 300.0,
    max_candidates: int = 400,
    buffer_m: float = 1000.0,
    min_tpi_m: float = 0.0,
) -> gpd.GeoDataFrame:
    """Peaks and ridge cells of the terrain as candidate sites, thinned to a minimum spacing.

    Parameters
    ----------
    terrain
        The terrain grid, in the working CRS.
    area
        Area to serve, in the terrain's CRS; candidates lie within ``buffer_m`` of it.
    min_spacing_m
        Least distance between two kept candidates (m).
    tpi_radius_m
        Radius of the TPI neighbourhood disc (m).
    max_candidates
        At most this many candidates, the highest TPI first.
    buffer_m
        Candidates may lie this far outside the area (ridges serving it from outside).
    min_tpi_m
        Only cells whose TPI exceeds this (m) are considered.

    Returns
    -------
    GeoDataFrame
        Candidate columns (see the module docstring); ids ``T000``, ``T001``, ... in
        decreasing TPI order; ``grid_power`` False (solar is assumed off the road network).

    Raises
    ------
    InputError
        A negative ``min_spacing_m``, ``max_candidates`` below 1, or ``tpi_radius_m``
        smaller than one cell.
    """
    if min_spacing_m < 0 or max_candidates < 1:
        msg = (
            "min_spacing_m must be >= 0 and max_candidates >= 1, got "
            f"{min_spacing_m}, {max_candidates}."
        )
        raise InputError(msg)
    tpi = topographic_position_index(terrain, tpi_radius_m)
    zone = area.buffer(buffer_m) if buffer_m > 0 else area
    inside = features.geometry_mask(
        [zone], out_shape=terrain.shape, transform=terrain.transform, invert=True
    )
    rows, cols = np.nonzero(inside & (tpi > min_tpi_m))
    if rows.size == 0:
        log.warning("terrain_candidates: no cell with TPI > %.1f m in the area", min_tpi_m)
        return _frame({c: [] for c in CANDIDATE_COLUMNS}, terrain.crs)
    t = tpi[rows, cols]
    z = terrain.elevation_m[rows, cols].astype(np.float64)
    order = np.lexsort((cols, rows, -z, -t))  # TPI, then elevation, then position: deterministic
    rows, cols, t, z = rows[order], cols[order], t[order], z[order]
    xs, ys = terrain.cell_centers()
    xy = np.column_stack([xs[cols], ys[rows]])
    keep = _thin(xy, min_spacing_m, max_candidates)
    n = len(keep)
    log.info(
        "terrain_candidates: %d candidates (TPI radius %.0f m, spacing %.0f m)",
        n,
        tpi_radius_m,
        min_spacing_m,
    )
    return _frame(
        {
            "candidate_id": [f"T{i:03d}" for i in range(n)],
            "source": ["terrain"] * n,
            "name": [f"Ridge {i}" for i in range(n)],
            "ground_elevation_m": z[keep],
            "tpi_m": t[keep],
            "grid_power": np.zeros(n, dtype=bool),
            "geometry": shapely.points(xy[keep]),
        },
        terrain.crs,
    )


def point_candidates(
    points: gpd.GeoDataFrame,
    *,
    source: str,
    name_column: str = "name",
    terrain: Terrain | None = None,
    grid_power: bool | None = None,
) -> gpd.GeoDataFrame:
    """Given points (schools, public buildings, user sites) as candidates.

    Parameters
    ----------
    points
        Point layer; reprojected to ``terrain``'s CRS when one is given.
    source
        "school" or "user" (ids get the prefix ``S`` or ``U``).
    name_column
        Column holding the site name; when missing, names are "<source> <n>".
    terrain
        When given, ground elevations are sampled from it.
    grid_power
        Whether the sites have mains power; default True for schools, False for users.

    Returns
    -------
    GeoDataFrame
        Candidate columns (see the module docstring), in the order of ``points``; ids
        ``S000``, ``S001``, ... or ``U000``, ...; ``tpi_m`` NaN; ``ground_elevation_m``
        (m) NaN without ``terrain``.

    Raises
    ------
    InputError
        ``source`` not "school" or "user", or a geometry that is not a Point.
    """
    if source not in ("school", "user"):
        msg = f"point_candidates: source must be 'school' or 'user', got {source!r}."
        raise InputError(msg)
    if len(points) and not (points.geom_type == "Point").all():
        msg = f"point_candidates ({source}): every geometry must be a Point."
        raise InputError(msg)
    pts = points
    if terrain is not None and points.crs is not None:
        pts = points.to_crs(terrain.crs)
    n = len(pts)
    names = (
        pts[name_column].astype(str).tolist()
        if name_column in pts.columns
        else [f"{source} {i}" for i in range(n)]
    )
    x = pts.geometry.x.to_numpy(dtype=np.float64) if n else np.zeros(0)
    y = pts.geometry.y.to_numpy(dtype=np.float64) if n else np.zeros(0)
    elev = terrain.sample(x, y) if terrain is not None else np.full(n, np.nan)
    power = (source == "school") if grid_power is None else grid_power
    prefix = "S" if source == "school" else "U"
    return _frame(
        {
            "candidate_id": [f"{prefix}{i:03d}" for i in range(n)],
            "source": [source] * n,
            "name": names,
            "ground_elevation_m": np.asarray(elev, dtype=np.float64),
            "tpi_m": np.full(n, np.nan),
            "grid_power": np.full(n, power, dtype=bool),
            "geometry": shapely.points(np.column_stack([x, y])) if n else [],
        },
        pts.crs,
    )


def combine_candidates(
    *frames: gpd.GeoDataFrame,
    exclusions: gpd.GeoDataFrame | None = None,
    min_spacing_m: float = 0.0,
) -> gpd.GeoDataFrame:
    """Merge candidate frames, drop excluded ones, thin by priority user > school > terrain.

    Parameters
    ----------
    *frames
        Candidate frames in one CRS (from :func:`terrain_candidates`, :func:`point_candidates`).
    exclusions
        Polygons where no site may go; reprojected to the candidates' CRS.
    min_spacing_m
        When positive, a candidate closer than this to one of higher priority is dropped
        (users first, then schools, then terrain in TPI order).

    Returns
    -------
    GeoDataFrame
        The kept candidates in their input order, with a fresh index; an empty candidate
        frame when every frame is empty.

    Raises
    ------
    InputError
        Frames in different CRSs or duplicate ``candidate_id`` values.
    """
    parts = [f for f in frames if len(f)]
    if not parts:
        crs = frames[0].crs if frames else None
        return _frame({c: [] for c in CANDIDATE_COLUMNS}, crs)
    crs = parts[0].crs
    for f in parts[1:]:
        if f.crs != crs:
            msg = f"combine_candidates: frames have different CRSs ({crs} and {f.crs}); reproject."
            raise InputError(msg)
    df = pd.concat([f[list(CANDIDATE_COLUMNS)] for f in parts], ignore_index=True)
    dup = df["candidate_id"][df["candidate_id"].duplicated()].unique()
    if len(dup):
        msg = f"combine_candidates: duplicate candidate_id values {list(dup)[:5]}; rename them."
        raise InputError(msg)
    gdf = gpd.GeoDataFrame(df, geometry="geometry", crs=crs)
    if exclusions is not None and len(exclusions):
        ex = exclusions
        if exclusions.crs is not None and crs is not None:
            ex = exclusions.to_crs(crs)
        banned = shapely.union_all(ex.geometry.to_numpy())
        out = shapely.intersects(gdf.geometry.to_numpy(), banned)
        if out.any():
            log.info(
                "combine_candidates: %d candidates inside exclusion zones dropped", int(out.sum())
            )
        gdf = gdf.loc[~out]
    if min_spacing_m > 0 and len(gdf):
        priority = gdf["source"].map({s: i for i, s in enumerate(SOURCES)}).fillna(len(SOURCES))
        order = np.argsort(priority.to_numpy(), kind="stable")
        xy = np.column_stack([gdf.geometry.x.to_numpy(), gdf.geometry.y.to_numpy()])[order]
        keep = np.sort(order[_thin(xy, min_spacing_m, len(gdf))])
        gdf = gdf.iloc[keep]
    return gdf.reset_index(drop=True)
