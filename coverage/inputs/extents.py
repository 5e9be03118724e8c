"""Extents: do the layers lie where the terrain is?

A layer in the wrong place is nearly always a CRS mistake: a GeoJSON written in metres with
no ``crs`` member (GeoJSON is WGS84 by definition, so its metres are read as degrees), a
shapefile without its ``.prj``, or a layer declared in one projection and written in another.
Read as they are, such layers fail far downstream with messages about something else (no
habitable cell, points off the terrain grid). The checks here run before any computation and
name the layer, its bounds and CRS, the DEM's bounds and the likely cause:

* :func:`degrees_problem`: a layer whose coordinates cannot be degrees yet has a geographic CRS
  (and :func:`no_crs_hint`, the fix for a layer without a CRS by what its coordinates look like);
* :func:`dem_bounds` and :func:`overlap_problems`: layers that miss the DEM or each other;
* :func:`schools_off_terrain`: schools outside the terrain grid, by name.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import rasterio
import rasterio.errors
import rasterio.warp
from pyproj import CRS, Transformer

if TYPE_CHECKING:
    from coverage.inputs.terrain import Terrain

__all__ = [
    "Bounds",
    "degrees_problem",
    "dem_bounds",
    "no_crs_hint",
    "overlap_problems",
    "schools_off_terrain",
]

#: (xmin, ymin, xmax, ymax) in some CRS.
Bounds = tuple[float, float, float, float]

#: How many schools a message names before it says "...".
_SHOWN = 8


def _coords(bounds: Bounds | np.ndarray, digits: int = 0) -> str:
    """Bounds as text: ``(xmin, ymin, xmax, ymax)`` to ``digits`` decimals."""
    return "(" + ", ".join(f"{float(v):.{digits}f}" for v in bounds) + ")"


def _fmt(bounds: Bounds | np.ndarray, crs: CRS | str | None) -> str:
    """Bounds as text, to the metre or to 1e-4 degree, with their CRS."""
    c = CRS.from_user_input(crs) if crs is not None else None
    digits = 4 if c is not None and c.is_geographic else 0
    return f"{_coords(bounds, digits)} in {c.to_string() if c is not None else 'no CRS'}"


def _look_like_metres(bounds: Bounds | np.ndarray) -> bool:
    """True when coordinates cannot be longitudes and latitudes."""
    xmin, ymin, xmax, ymax = (float(v) for v in bounds)
    return (
        min(xmin, xmax) < -180
        or max(xmin, xmax) > 180
        or min(ymin, ymax) < -90
        or max(ymin, ymax) > 90
    )


def degrees_problem(gdf: gpd.GeoDataFrame, where: str) -> str | None:
    """The problem of a layer whose coordinates do not fit its CRS's units.

    Coordinates that look like metres under a CRS in degrees, or like lon/lat degrees under
    a projected CRS in metres (a wrong GeoJSON ``crs`` member), are each a problem.

    Parameters
    ----------
    gdf
        The layer as read, in its own CRS.
    where
        The layer and its file, for the message, e.g. ``"veredas layer v.geojson"``.

    Returns
    -------
    str or None
        One sentence naming the layer, its bounds and CRS, the likely cause and the fix; None
        when the coordinates can be in the layer's CRS's units.
    """
    if gdf.crs is None or gdf.empty:
        return None
    bounds = gdf.total_bounds
    if not np.isfinite(bounds).all():
        return None
    if gdf.crs.is_projected:
        return _projected_degrees_problem(gdf, bounds, where)
    if not gdf.crs.is_geographic or not _look_like_metres(bounds):
        return None
    return (
        f"{where}: coordinates {_coords(bounds)} look like metres, "
        f'but the layer declares {gdf.crs.to_string()} (degrees); a GeoJSON without a "crs" '
        "member is WGS84 by definition. Declare the CRS it was written in, e.g. `ogr2ogr "
        "-s_srs EPSG:9377 -t_srs EPSG:4326 OUT.geojson IN.geojson`."
    )


#: Widest extent (m) of a projected layer whose coordinates all fit in [-180, 180] x
#: [-90, 90] that is still taken for metres: a real area is far wider than 1 km.
_DEGREES_LIKE_M = 1000.0


def _projected_degrees_problem(gdf: gpd.GeoDataFrame, bounds: np.ndarray, where: str) -> str | None:
    """The problem of coordinates that look like lon/lat under a projected CRS (or None)."""
    xmin, ymin, xmax, ymax = (float(b) for b in bounds)
    lonlat = -180 <= xmin <= xmax <= 180 and -90 <= ymin <= ymax <= 90
    if not lonlat or max(xmax - xmin, ymax - ymin) > _DEGREES_LIKE_M:
        return None
    return (
        f"{where}: coordinates {_coords(bounds)} look like longitude/latitude in degrees, but "
        f"the layer declares {gdf.crs.to_string()} (metres), so it would be a speck of "
        f'{max(xmax - xmin, ymax - ymin):.2f} m; a GeoJSON\'s "crs" member is often wrong '
        "(the public Medellín comunas file says EPSG:9377 over lon/lat). Remove the member or "
        "set it to EPSG:4326, e.g. `ogr2ogr -a_srs EPSG:4326 OUT.geojson IN.geojson`."
    )


def no_crs_hint(gdf: gpd.GeoDataFrame) -> str:
    """The fix for a layer without a CRS, by what its coordinates look like.

    Parameters
    ----------
    gdf
        The layer as read.

    Returns
    -------
    str
        A sentence: assign EPSG:4326 to degrees, or the projected CRS the layer was made in to
        metres.
    """
    bounds = gdf.total_bounds if not gdf.empty else np.zeros(4)
    if np.isfinite(bounds).all() and _look_like_metres(bounds):
        return (
            f"Its coordinates {_coords(bounds)} look like metres: "
            "assign the projected CRS it was made in, e.g. `ogr2ogr -a_srs EPSG:9377 OUT IN`."
        )
    return (
        "GeoJSON is WGS84 (EPSG:4326) by definition; for other formats set it, e.g. "
        "`ogr2ogr -a_srs EPSG:4326 OUT IN`."
    )


def dem_bounds(
    paths: str | os.PathLike[str] | Sequence[str | os.PathLike[str]], crs: CRS | str
) -> Bounds | None:
    """The bounding box of the DEM file(s) in the working CRS.

    Parameters
    ----------
    paths
        One DEM file or several, in any CRS.
    crs
        The working CRS.

    Returns
    -------
    Bounds or None
        (xmin, ymin, xmax, ymax) in ``crs`` (m) around every file that opens and has a CRS;
        None when none does (:func:`~coverage.inputs.dem.check_dem` says why).
    """
    files = [paths] if isinstance(paths, str | os.PathLike) else list(paths)
    boxes = []
    for path in files:
        try:
            with rasterio.open(path) as src:
                if src.crs is None:
                    continue
                boxes.append(rasterio.warp.transform_bounds(src.crs, crs, *src.bounds))
        except (rasterio.errors.RasterioError, OSError):
            continue
    if not boxes:
        return None
    arr = np.asarray(boxes, dtype=np.float64)
    return (arr[:, 0].min(), arr[:, 1].min(), arr[:, 2].max(), arr[:, 3].max())


def _overlap(a: Bounds | np.ndarray, b: Bounds | np.ndarray) -> bool:
    return bool(a[0] <= b[2] and b[0] <= a[2] and a[1] <= b[3] and b[1] <= a[3])


def _cause(gdf: gpd.GeoDataFrame, crs: CRS | str, target: Bounds | np.ndarray) -> str:
    """The likely cause of a layer lying off ``target`` (bounds in ``crs``), from its CRS."""
    declared = gdf.crs.to_string() if gdf.crs is not None else "no CRS"
    if gdf.crs is None or not gdf.crs.is_geographic:
        return (
            f"it declares {declared}, which may not be the CRS its coordinates are in (check "
            "its .prj or the export settings of the GIS that wrote it), or it covers another place"
        )
    x0, y0, x1, y1 = gdf.total_bounds
    if max(abs(x0), abs(x1)) <= 90:  # latitude and longitude swapped would still be degrees
        swapped = Transformer.from_crs(gdf.crs, crs, always_xy=True).transform_bounds(
            y0, x0, y1, x1
        )
        if np.isfinite(swapped).all() and _overlap(swapped, target):
            return (
                "its x and y are swapped (latitude first); write longitude first (x) and "
                "latitude second (y), as GeoJSON requires"
            )
    return (
        f"its coordinates are degrees ({declared}) but of another place: the layer is shifted, "
        "covers another area, or was written in a projected CRS other than the one declared; "
        "open it beside the DEM in a GIS to see which"
    )


def overlap_problems(
    layers: Mapping[str, tuple[Path | str, gpd.GeoDataFrame]],
    crs: CRS | str,
    dem: tuple[str, Bounds] | None,
) -> list[str]:
    """The layers that lie off the DEM, and veredas that miss the boundary.

    Parameters
    ----------
    layers
        By kind (``"veredas"``, ``"schools"``, ``"boundary"``): the file and the layer as
        read, in its own CRS (checked: a CRS, valid geometries).
    crs
        The working CRS.
    dem
        The DEM's file name(s) and bounding box in ``crs`` (:func:`dem_bounds`); None skips
        the DEM check.

    Returns
    -------
    list of str
        One sentence per layer that misses, naming its file, its bounds and CRS, what it
        misses (with its bounds) and the likely cause; empty when every layer overlaps.
    """
    problems = []
    work = {kind: gdf.to_crs(crs).total_bounds for kind, (_, gdf) in layers.items()}
    for kind, (path, gdf) in layers.items():
        own = f"{kind} layer {path}: its features {_fmt(gdf.total_bounds, gdf.crs)}"
        if dem is not None and not _overlap(work[kind], dem[1]):
            problems.append(
                f"{own} do not overlap the DEM {dem[0]} {_fmt(dem[1], crs)}. Likely cause: "
                f"{_cause(gdf, crs, dem[1])}."
            )
        elif (
            kind == "veredas"
            and "boundary" in layers
            and not _overlap(work[kind], work["boundary"])
        ):
            problems.append(
                f"{own} do not overlap the boundary layer {layers['boundary'][0]} "
                f"{_fmt(layers['boundary'][1].total_bounds, layers['boundary'][1].crs)}. Likely "
                f"cause: {_cause(gdf, crs, work['boundary'])}."
            )
    return problems


def schools_off_terrain(
    schools: gpd.GeoDataFrame, terrain: Terrain, path: Path | str, *, outside_field: str
) -> list[str]:
    """The schools outside the terrain grid, named, with what to do.

    Parameters
    ----------
    schools
        The schools kept for the demand (:attr:`~coverage.inputs.settlements.Settlements.schools`),
        in the terrain's CRS.
    terrain
        The run's terrain grid (the area plus its margin).
    path
        The schools layer's file, for the message.
    outside_field
        The area file's ``school_outside_field`` ("" when unset), for the fix.

    Returns
    -------
    list of str
        One sentence naming every school off the grid (name and position), the layer file,
        the grid's bounds and the three fixes; empty when every school is on the grid.
    """
    xs, ys = schools.geometry.x.to_numpy(), schools.geometry.y.to_numpy()
    off = ~terrain.contains(xs, ys)
    if not off.any():
        return []
    named = [
        f"{n!r} ({x:.0f}, {y:.0f})"
        for n, x, y in zip(schools["name"][off], xs[off], ys[off], strict=True)
    ]
    more = len(named) - _SHOWN
    listed = ", ".join(named[:_SHOWN]) + (f" and {more} more" if more > 0 else "")
    field = (
        f"make its school_outside_field {outside_field!r} false for them"
        if outside_field
        else "set school_outside_field in the area file to a boolean field of the layer, false for them"
    )
    return [
        f"schools layer {path}: {int(off.sum())} school(s) lie outside the terrain grid (the area "
        f"plus its margin, {_fmt(terrain.bounds, terrain.crs)}), where no coverage can be "
        f"computed: {listed}. Extend the DEM and the area's margin_m to reach them, move or drop "
        f"them in the layer if they are misplaced, or, if they lie outside the area, {field}."
    ]
