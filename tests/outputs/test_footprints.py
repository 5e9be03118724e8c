"""Tests of the per-site footprints, a layer apart from best server in the GeoPackage and map.

A site's footprint is every cell where it alone reaches the service threshold; footprints
overlap, and each contains the site's best-server area (tests/helpers.py's tiny plan: two
access sites whose footprints share 728 cells).
"""

from __future__ import annotations

import base64
import dataclasses
import io
import sqlite3
import xml.etree.ElementTree as ET

import folium
import geopandas as gpd
import numpy as np
import pyogrio
from PIL import Image

from coverage.outputs import export, geopackage, styles, webmap


def test_a_site_footprint_contains_its_best_server_cells_and_they_overlap(tiny_plan):
    own = [tiny_plan.site_footprint(i) for i in range(len(tiny_plan.access_sites))]
    assert all(f is not None for f in own)
    for i, f in enumerate(own):
        best = tiny_plan.best_server == i
        assert f[best].all() and f.sum() > best.sum()  # more than the best-server area
    assert (own[0] & own[1]).sum() == 728  # overlap allowed


def test_the_geopackage_has_footprints_apart_from_best_server(tiny_plan, tmp_path):
    path = export.write_geopackage(tiny_plan, tmp_path / "plan.gpkg")
    layers = set(pyogrio.list_layers(path)[:, 0])
    assert {"best_server", "site_footprints"} <= layers
    feet = gpd.read_file(path, layer="site_footprints")
    servers = gpd.read_file(path, layer="best_server")
    assert list(feet["site_id"]) == list(tiny_plan.access_sites["site_id"])
    cell_km2 = tiny_plan.terrain.cell_size_m**2 / 1e6
    for i, row in feet.iterrows():
        mine = servers[servers["site_id"] == row["site_id"]].geometry.iloc[0]
        assert row.geometry.buffer(1.0).contains(mine)  # the best-server area is inside
        assert row.geometry.area > mine.area
        cells = int(np.count_nonzero(tiny_plan.site_footprint(int(i))))
        assert row["area_km2"] == cells * cell_km2
    overlap = feet.geometry.iloc[0].intersection(feet.geometry.iloc[1]).area
    assert round(overlap / tiny_plan.terrain.cell_size_m**2) == 728
    with sqlite3.connect(path) as db:
        qml = db.execute(
            "SELECT styleQML FROM layer_styles WHERE f_table_name = 'site_footprints'"
        ).fetchone()[0]
    db.close()
    symbols = ET.fromstring(qml).findall(".//symbols/symbol")
    assert len(symbols) == 2
    colours = styles.best_server_colors(2)
    for sym, rgb in zip(symbols, colours, strict=True):
        opts = {o.get("name"): o.get("value") for o in sym.iter("Option") if o.get("name")}
        assert opts["style"] == "no"  # outlines only: the footprints overlap
        assert opts["outline_color"] == "{},{},{},255".format(*rgb)


def test_a_plan_without_footprints_has_no_footprint_layer(tiny_plan, tmp_path):
    plan = dataclasses.replace(tiny_plan, footprints=None)
    assert plan.site_footprint(0) is None and geopackage.footprint_polygons(plan) is None
    path = export.write_geopackage(plan, tmp_path / "plan.gpkg")
    assert "site_footprints" not in set(pyogrio.list_layers(path)[:, 0])
    names = [c.layer_name for c in _overlays(webmap.coverage_map(plan, language="en"))]
    assert "Best server" in names and not any(n.startswith("Coverage of site") for n in names)


def _overlays(m: folium.Map) -> list[folium.raster_layers.ImageOverlay]:
    return [c for c in m._children.values() if isinstance(c, folium.raster_layers.ImageOverlay)]


def _pixels(overlay: folium.raster_layers.ImageOverlay) -> np.ndarray:
    data = base64.b64decode(str(overlay.url).split(",", 1)[1])
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGBA"))


def test_the_map_shows_each_footprint_in_the_site_colour_beside_best_server(tiny_plan):
    layers = {c.layer_name: c for c in _overlays(webmap.coverage_map(tiny_plan, language="en"))}
    best = _pixels(layers["Best server"])
    for i, (sid, rgb) in enumerate(
        zip(tiny_plan.access_sites["site_id"], styles.best_server_colors(2), strict=True)
    ):
        own = _pixels(layers[f"Coverage of site {sid}"])
        shown = own[..., 3] > 0
        assert (own[shown][:, :3] == rgb).all()  # the site's best-server colour
        served_best = (best[..., 3] > 0) & (best[..., :3] == rgb).all(axis=-1)
        assert shown[served_best].all(), i  # the best-server area is inside the footprint
        assert shown.sum() > served_best.sum()
