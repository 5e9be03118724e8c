"""Tests of coverage.outputs.webmap: hillshade against GDAL, classes, web reprojection, the map."""

from __future__ import annotations

import dataclasses
import re
import shutil
import subprocess

import numpy as np
import pandas as pd
import pytest
import rasterio
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import Transformer

from coverage import synthetic
from coverage.outputs import webmap


def test_hillshade_matches_gdaldem(tmp_path):
    """Horn (1981) hillshade equals GDAL's ``gdaldem hillshade`` (a peer implementation)."""
    gdaldem = shutil.which("gdaldem")
    if gdaldem is None:
        pytest.fail("gdaldem not found: apt-get install gdal-bin")
    t = synthetic.andes_like(48, 40, seed=3)
    src, dst = tmp_path / "dem.tif", tmp_path / "hs.tif"
    with rasterio.open(
        src, "w", driver="GTiff", width=40, height=48, count=1, dtype="float32",
        crs=t.crs, transform=t.transform,
    ) as ds:  # fmt: skip
        ds.write(t.elevation_m, 1)
    subprocess.run(
        [gdaldem, "hillshade", "-q", "-az", "315", "-alt", "45", str(src), str(dst)], check=True
    )
    with rasterio.open(dst) as ds:
        ref = ds.read(1).astype(float)[1:-1, 1:-1]  # GDAL leaves the edge as nodata
    ours = webmap.hillshade(t.elevation_m, t.cell_size_m).astype(float)[1:-1, 1:-1]
    # GDAL scales to 1..255 (0 is its nodata): 1 + 254 * cos(angle); ours is 255 * cos(angle).
    assert np.abs(1.0 + ours * 254.0 / 255.0 - ref).max() <= 1.5


def test_hillshade_flat_and_facing():
    flat = webmap.hillshade(np.full((5, 5), 1000.0), 30.0)
    assert (flat == int(255 * np.cos(np.radians(45)))).all()  # sun 45 deg above the horizon
    x = np.arange(20) * 30.0
    east_up = np.tile(x * 0.5, (20, 1))  # rises eastward: faces west, lit from the north-west
    west_up = east_up[:, ::-1]
    assert webmap.hillshade(east_up, 30.0).mean() > webmap.hillshade(west_up, 30.0).mean()


def test_rx_classes_edges():
    rx = np.array([np.nan, -120.0, -105.0, -95.1, -85.0, -75.0, -30.0])
    assert webmap.rx_classes(rx).tolist() == [0, 1, 2, 2, 4, 5, 5]
    assert len(webmap.rx_class_labels()) == 5


@settings(max_examples=30, deadline=None)
@given(st.lists(st.floats(-200, 0) | st.just(float("nan")), min_size=1, max_size=50))
def test_rx_classes_monotone(values):
    rx = np.array(values)
    cls = webmap.rx_classes(rx)
    assert ((cls == 0) == np.isnan(rx)).all()
    order = np.argsort(np.nan_to_num(rx, nan=-1e9))
    assert (np.diff(cls[order].astype(int)) >= 0).all()


def test_web_mercator_bounds_hold_the_terrain(tiny_plan):
    t = tiny_plan.terrain
    grid, (w, s, e, n) = webmap.to_web_mercator(t.elevation_m, t, nodata=-1.0)
    to_ll = Transformer.from_crs(t.crs, "EPSG:4326", always_xy=True)
    xmin, ymin, xmax, ymax = t.bounds
    lon, lat = to_ll.transform([xmin, xmax, xmin, xmax], [ymin, ymin, ymax, ymax])
    assert w <= min(lon) and e >= max(lon) and s <= min(lat) and n >= max(lat)
    inside = grid[grid != -1.0]
    assert inside.size > 0.8 * grid.size
    assert inside.min() >= t.elevation_m.min() - 1 and inside.max() <= t.elevation_m.max() + 1


def test_map_has_every_layer_in_each_language(tiny_plan):
    for language, names in (
        ("es", ["Terreno (sombreado)", "Cobertura: mejor servidor (dBm)", "Mejor servidor",
                "Cobertura del sitio S1", "Veredas", "Enlaces de backhaul", "Sitios",
                "Demanda con cobertura", "Demanda sin cobertura"]),
        ("en", ["Terrain (hillshade)", "Coverage: best server (dBm)", "Best server",
                "Coverage of site S2", "Veredas", "Backhaul links", "Sites", "Demand covered",
                "Demand not covered"]),
    ):  # fmt: skip
        page = webmap.map_html(webmap.coverage_map(tiny_plan, language=language))
        for name in names:
            assert f'"{name}"' in page, (language, name)
        assert 'id="coverage-legend"' in page
        assert "log-distance toy model" in page  # the legend names the models


def test_map_is_offline_and_needs_no_jquery(tiny_plan):
    if webmap.leaflet_assets() is None:
        pytest.fail("No local Leaflet copy: apt-get install libjs-leaflet (see Makefile)")
    page = webmap.map_html(webmap.coverage_map(tiny_plan))
    assert re.findall(r"<script[^>]+src=", page) == []
    assert re.findall(r"<link[^>]+href=\"http", page) == []
    assert "$(`" not in page  # folium's jQuery popups are replaced by plain Leaflet binds
    assert "L.map(" in page and "L.imageOverlay(" in page


def test_map_is_deterministic(tiny_plan):
    a = webmap.map_html(webmap.coverage_map(tiny_plan))
    b = webmap.map_html(webmap.coverage_map(tiny_plan))
    assert a == b


def test_map_escapes_names(tiny_plan):
    v = tiny_plan.veredas.copy()
    v["name"] = ["<script>alert(1)</script>", "x"]
    s = tiny_plan.sites.copy()
    s["name"] = "<img src=x onerror=alert(2)>"
    plan = dataclasses.replace(tiny_plan, veredas=v, sites=s, name="<b>plan</b>")
    page = webmap.map_html(webmap.coverage_map(plan))
    assert "<script>alert(1)" not in page and "<img src=x" not in page
    assert "<b>plan</b>" not in page
    assert "&lt;script&gt;" in page or "\\u0026lt;script\\u0026gt;" in page


def test_thousands_of_demand_points_become_images(tiny_plan):
    """A 90 m demand grid (as the pipeline makes) is drawn as images, schools stay markers."""
    import geopandas as gpd

    xmin, ymin, xmax, ymax = tiny_plan.terrain.bounds
    xs, ys = np.meshgrid(np.arange(xmin + 15, xmax, 45.0), np.arange(ymin + 15, ymax, 45.0))
    n = xs.size
    assert n > webmap.MAX_DEMAND_MARKERS
    cells = gpd.GeoDataFrame(
        {
            "demand_id": [f"C{i}" for i in range(n)], "kind": "population", "name": "cell",
            "vereda": "La Suiza", "population": 1.0, "households": 0.25,
            "covered": np.arange(n) % 3 > 0, "best_site": "", "rx_dbm": np.nan,
            "n_servers": 0, "reason": np.where(np.arange(n) % 3 > 0, "covered", "weak_signal"),
        },
        geometry=gpd.points_from_xy(xs.ravel(), ys.ravel()), crs=tiny_plan.crs,
    )  # fmt: skip
    schools = tiny_plan.demand[tiny_plan.demand["kind"] == "school"]
    plan = dataclasses.replace(
        tiny_plan, demand=gpd.GeoDataFrame(
            pd.concat([cells, schools], ignore_index=True), crs=tiny_plan.crs)
    )  # fmt: skip
    page = webmap.map_html(webmap.coverage_map(plan), offline=False)  # no Leaflet source
    assert page.count("L.circleMarker(") == len(plan.sites) + len(schools)
    assert page.count("L.imageOverlay(") == 5 + 2  # terrain, best, server, 2 sites + 2 demand
    assert len(page) < 1_500_000
    pop = (plan.demand["kind"] != "school").to_numpy()
    every = webmap._demand_cells(plan, pop)
    assert every.mean() > 0.95  # 45 m spacing on 30 m cells: widened into a continuous area
    some = webmap._demand_cells(plan, pop & plan.demand["covered"].to_numpy())
    assert 0.5 < some.mean() < every.mean()
