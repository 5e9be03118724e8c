"""Tests of coverage.outputs.webmap: the layers, legend, escaping and offline page of the map."""

from __future__ import annotations

import dataclasses
import html
import re

import numpy as np
import pandas as pd
import pytest

from coverage.outputs import styles, webmap
from tests.helpers import WARNING


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


def test_map_shows_the_warnings_in_a_box_under_the_title(tiny_plan):
    plan = dataclasses.replace(tiny_plan, warnings=(WARNING, "Second warning."))
    page = webmap.map_html(webmap.coverage_map(plan, language="es"))
    box = re.search(r'<div id="coverage-warnings" role="alert"[^>]*>(.*?)</ul></div>', page)
    assert box is not None
    assert box.group(1).startswith("<b>⚠ Advertencias</b>")
    assert f"<li>{html.escape(WARNING)}</li><li>Second warning.</li>" in box.group(1)
    assert WARNING not in page  # escaped: the browser shows the markup as text
    assert page.index('id="coverage-title"') < box.start() < page.index('id="coverage-legend"')
    plain = webmap.map_html(webmap.coverage_map(tiny_plan, language="es"))
    assert "coverage-warnings" not in plain and "Advertencias" not in plain


def test_thousands_of_demand_points_become_images(tiny_plan):
    """A 90 m demand grid (as the pipeline makes) is drawn as images, schools stay markers."""
    import geopandas as gpd

    xmin, ymin, xmax, ymax = tiny_plan.terrain.bounds
    xs, ys = np.meshgrid(np.arange(xmin + 15, xmax, 45.0), np.arange(ymin + 15, ymax, 45.0))
    n = xs.size
    assert n > styles.MAX_DEMAND_MARKERS
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
    every = webmap.demand_cells(plan, pop)
    assert every.mean() > 0.95  # 45 m spacing on 30 m cells: widened into a continuous area
    some = webmap.demand_cells(plan, pop & plan.demand["covered"].to_numpy())
    assert 0.5 < some.mean() < every.mean()
