"""The plan's GeoPackage: vector layers, a run-info table and QGIS styles, the same bytes on rerun.

:func:`write_geopackage` writes the sites, links, the installers' link table, demand,
sub-districts, signal-class polygons, best-server areas, per-site footprints and existing
sites, a ``run_info`` table and the ``layer_styles`` table QGIS reads
(:mod:`coverage.outputs.qgisstyle`).

GDAL stamps each table's ``gpkg_contents.last_change`` with the current time (GeoPackage
1.2, clause 1.1.3.1.1), so two runs of the same plan would differ in those bytes only. GDAL
takes that time from its ``OGR_CURRENT_DATE`` configuration option when set (GDAL's
GeoPackage driver documentation, "Configuration options"); :func:`fixed_gdal_date` sets it
to :data:`GPKG_TIMESTAMP` for the write and restores it afterwards, so the same plan gives
the same file. The date says nothing about when the plan was made: the manifest's
``created_utc`` does.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import rasterio
import rasterio.features
from shapely.geometry import shape

from coverage.outputs import report, service, styles
from coverage.outputs.files import atomic_path
from coverage.outputs.linktable import link_layer
from coverage.outputs.qgisstyle import write_layer_styles
from coverage.outputs.text import safe_text
from coverage.outputs.words import plan_words
from coverage.plan import Plan

__all__ = [
    "GPKG_TIMESTAMP",
    "SUBDIVISION_FIELDS",
    "coverage_polygons",
    "fixed_gdal_date",
    "footprint_polygons",
    "subdivision_layer",
    "write_geopackage",
]

#: The time GDAL writes into ``gpkg_contents.last_change``: a fixed date, the one the KMZ's
#: archive entries carry (:func:`coverage.outputs.kml.kmz_bytes`), not the wall clock, so
#: a rerun gives the same bytes (GeoPackage 1.2 asks for ISO 8601 UTC with milliseconds).
GPKG_TIMESTAMP = "2000-01-01T00:00:00.000Z"


def coverage_polygons(plan: Plan) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Polygons of the received-power classes and of the best-server areas (working CRS).

    Parameters
    ----------
    plan
        The plan whose coverage and best-server grids are polygonised.

    Returns
    -------
    classes, servers
        ``classes`` has ``rx_class`` (1..5), ``rx_range`` (text) and ``area_km2``;
        ``servers`` has ``site_id`` and ``area_km2``. One (multi)polygon per value.
    """
    t = plan.terrain.transform
    edges = styles.plan_rx_edges(plan)
    cls = styles.rx_classes(plan.coverage_dbm, edges)
    labels = styles.rx_class_labels(edges)
    rows = []
    for geom, value in rasterio.features.shapes(cls, mask=cls > 0, transform=t):
        rows.append({"rx_class": int(value), "geometry": shape(geom)})
    classes = _dissolve(rows, "rx_class", plan.crs)
    classes["rx_range"] = [labels[int(c) - 1] for c in classes["rx_class"]]
    access = list(plan.access_sites["site_id"].astype(str))
    server = np.asarray(plan.best_server, dtype=np.int32)
    srows = [
        {"site_id": access[int(v)], "geometry": shape(g)}
        for g, v in rasterio.features.shapes(server, mask=server >= 0, transform=t)
        if 0 <= int(v) < len(access)
    ]
    servers = _dissolve(srows, "site_id", plan.crs)
    for gdf in (classes, servers):
        gdf["area_km2"] = gdf.geometry.area / 1e6
    return classes, servers


def footprint_polygons(plan: Plan) -> gpd.GeoDataFrame | None:
    """Each access site's own footprint as polygons (working CRS); overlaps kept.

    Parameters
    ----------
    plan
        The plan; its :attr:`~coverage.plan.Plan.footprints`.

    Returns
    -------
    geopandas.GeoDataFrame or None
        One (multi)polygon per access site that reaches the threshold somewhere, in the
        access sites' order: ``site_id`` and ``area_km2`` (the footprint's area, which
        contains the site's best-server area). None when the plan has no footprints.
    """
    if plan.footprints is None:
        return None
    t = plan.terrain.transform
    rows = []
    for i, site_id in enumerate(plan.access_sites["site_id"].astype(str)):
        mine = plan.site_footprint(i)
        if mine is None or not mine.any():
            continue
        cells = mine.astype(np.uint8)
        shapes = rasterio.features.shapes(cells, mask=mine, transform=t)
        rows += [{"site_id": site_id, "order": i, "geometry": shape(g)} for g, _v in shapes]
    if not rows:
        return gpd.GeoDataFrame({"site_id": [], "area_km2": []}, geometry=[], crs=plan.crs)
    gdf = gpd.GeoDataFrame(rows, geometry="geometry", crs=plan.crs)
    gdf = gdf.dissolve(by="order", as_index=False).sort_values("order")
    gdf = gdf[["site_id", "geometry"]].reset_index(drop=True)
    gdf["area_km2"] = gdf.geometry.area / 1e6
    return gdf


def _dissolve(rows: list[dict[str, Any]], key: str, crs: str) -> gpd.GeoDataFrame:
    if not rows:
        return gpd.GeoDataFrame({key: []}, geometry=[], crs=crs)
    gdf = gpd.GeoDataFrame(rows, geometry="geometry", crs=crs)
    return gdf.dissolve(by=key, as_index=False).sort_values(key).reset_index(drop=True)


def write_geopackage(plan: Plan, path: str | os.PathLike[str], *, language: str = "es") -> Path:
    """Write the plan's layers as one GeoPackage, atomically.

    Layers ``sites``, ``links``, ``link_table`` (the installers' table,
    :func:`coverage.outputs.linktable.link_layer`), ``demand`` (every column of ``plan.demand``, the service
    ones too, its ``vereda`` and ``vereda_id`` as ``subdivision`` and ``subdivision_id``), the
    sub-districts (the layer named by the area's plural, ASCII: ``veredas`` for Palmitas,
    ``barrios`` for barrios; fields ``subdivision_id`` and ``name``), ``coverage``
    (signal-class polygons), ``best_server`` (areas per
    access site), ``site_footprints`` (each access site's own footprint, overlapping,
    :func:`footprint_polygons`; when the plan has footprints) and, when the plan has existing mobile sites, ``existing_sites``, all in
    the working CRS, and a
    non-spatial ``run_info`` table of ``kind``, ``key``, ``value`` rows: the plan's name, one
    ``warning`` row per warning (keys 0, 1...), the models and the assumptions; and the
    ``layer_styles`` table QGIS reads, one default style per layer
    (:func:`coverage.outputs.qgisstyle.write_layer_styles`). Every table's
    ``last_change`` is :data:`GPKG_TIMESTAMP`: the same plan gives the same bytes.

    Parameters
    ----------
    plan
        The plan to write.
    path
        The ``.gpkg`` file.
    language
        "es" or "en" for the styles' category names.

    Returns
    -------
    Path
        ``path``.
    """
    classes, servers = coverage_polygons(plan)
    layers = {
        "sites": plan.sites,
        "links": plan.links,
        "link_table": link_layer(plan),
        "demand": plan.demand.rename(columns=SUBDIVISION_FIELDS),
        subdivision_layer(plan): plan.veredas.rename(columns=SUBDIVISION_FIELDS),
        "coverage": classes,
        "best_server": servers,
    }
    footprints = footprint_polygons(plan)
    if footprints is not None:
        layers["site_footprints"] = footprints
    existing = service.existing_sites(plan)
    if existing is not None:
        layers["existing_sites"] = existing
    info = pd.DataFrame(
        [("plan", "name", plan.name)]
        + [("warning", str(i), w) for i, w in enumerate(plan.warnings)]
        + [("model", k, v) for k, v in plan.models.items()]
        + [("assumption", str(i), a) for i, a in enumerate(plan.assumptions)],
        columns=["kind", "key", "value"],
    ).map(safe_text)
    with atomic_path(path) as tmp, fixed_gdal_date():
        for name, gdf in layers.items():
            pyogrio.write_dataframe(
                _plain_columns(gdf),
                tmp,
                layer=name,
                driver="GPKG",
                dataset_options={"VERSION": "1.2"},
            )
        pyogrio.write_dataframe(info, tmp, layer="run_info", driver="GPKG")
        write_layer_styles(plan, tmp, language)
    return Path(path)


#: The sub-district fields of the GeoPackage and of hotspots.csv, by one name for every
#: territory.
SUBDIVISION_FIELDS = {"vereda": "subdivision", "vereda_id": "subdivision_id"}
#: The GeoPackage's other layers: a sub-district plural among them names its layer otherwise.
_LAYERS = (
    "sites",
    "links",
    "link_table",
    "demand",
    "coverage",
    "best_server",
    "site_footprints",
    "existing_sites",
    "run_info",
)


def subdivision_layer(plan: Plan) -> str:
    """The name of the GeoPackage layer of the plan's sub-districts.

    Parameters
    ----------
    plan
        The plan.

    Returns
    -------
    str
        The area's plural for them as ASCII (:attr:`coverage.outputs.words.Subdivision.file_word`:
        ``veredas`` for Palmitas, ``barrios``), or ``subdivisions`` when that is the name of
        another layer.
    """
    word = plan_words(plan, "es").file_word
    return "subdivisions" if word in _LAYERS else word


def _plain_columns(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Columns GDAL can store: lists and dicts become JSON text, texts lose control characters."""
    out = gdf.copy()
    for col in out.columns:
        if col != out.geometry.name and _holds_text(out[col]):
            out[col] = [
                json.dumps(report.jsonable(v), ensure_ascii=False)
                if isinstance(v, list | tuple | dict)
                else (safe_text(v) if isinstance(v, str) else v)
                for v in out[col]
            ]
    return out


def _holds_text(column: pd.Series) -> bool:
    return column.dtype == object or pd.api.types.is_string_dtype(column)


@contextlib.contextmanager
def fixed_gdal_date(timestamp: str = GPKG_TIMESTAMP) -> Iterator[None]:
    """Have pyogrio's GDAL write ``timestamp`` as the current time, within the block only.

    Parameters
    ----------
    timestamp
        ISO 8601 UTC time, e.g. :data:`GPKG_TIMESTAMP`.

    Yields
    ------
    None
        Inside the block GDAL's ``OGR_CURRENT_DATE`` is ``timestamp``; after it, the value
        it had before (unset, usually).
    """
    key = "OGR_CURRENT_DATE"
    before = pyogrio.get_gdal_config_option(key)
    pyogrio.set_gdal_config_options({key: timestamp})
    try:
        yield
    finally:
        pyogrio.set_gdal_config_options({key: before})
