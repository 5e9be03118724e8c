"""Tests of coverage.outputs.webmap: the layers, legend, escaping and offline page of the map."""

from __future__ import annotations

import dataclasses
import html
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd

from coverage.outputs import styles, webmap
from tests.helpers import WARNING, without_existing_service


def test_map_has_every_layer_in_each_language(tiny_plan):
    for language, names in (
        ("es", ["Terreno (sombreado)", "Cobertura: mejor servidor (dBm)", "Mejor servidor",
                "Cobertura del sitio S1", "Veredas", "Enlaces de backhaul", "Sitios",
                "Sitios móviles existentes", "Demanda: Ya con servicio",
                "Demanda: Con servicio nuevo", "Demanda: Aún sin servicio"]),
        ("en", ["Terrain (hillshade)", "Coverage: best server (dBm)", "Best server",
                "Coverage of site S2", "Veredas", "Backhaul links", "Sites",
                "Existing mobile sites", "Demand: Already served", "Demand: Newly served",
                "Demand: Still unserved"]),
    ):  # fmt: skip
        page = webmap.map_html(webmap.coverage_map(tiny_plan, language=language))
        for name in names:
            assert json.dumps(name) in page, (language, name)  # folium escapes "ó" as \u00f3
        assert 'id="coverage-legend"' in page
        assert "log-distance toy model" in page  # the legend names the models


def test_map_is_offline_and_needs_no_jquery(tiny_plan):
    page = webmap.map_html(webmap.coverage_map(tiny_plan))
    assert re.findall(r"<script[^>]+src=", page) == []
    assert re.findall(r"<link[^>]+href=\"http", page) == []
    assert "cdn.jsdelivr" not in page and "https://unpkg" not in page
    assert "$(`" not in page  # folium's jQuery popups are replaced by plain Leaflet binds
    assert "L.map(" in page and "L.imageOverlay(" in page


def test_map_inlines_the_leaflet_of_the_wheel_not_a_system_copy(tiny_plan):
    import xstatic.pkg.leaflet

    folder = webmap.leaflet_assets()
    assert folder == Path(xstatic.pkg.leaflet.BASE_DIR)
    assert "/usr/share" not in str(folder)
    assert webmap.LEAFLET_VERSION == xstatic.pkg.leaflet.VERSION
    page = webmap.map_html(webmap.coverage_map(tiny_plan))
    banner = (folder / "leaflet.js").read_text(encoding="utf-8")[:200]
    assert f"Leaflet {webmap.LEAFLET_VERSION}, a JS library" in banner
    assert banner.strip() in page  # the wheel's own file, inlined as it is
    assert "url(images/" not in page  # the stylesheet's images are data URIs
    assert webmap.map_kind(page) == {
        "kind": "offline",
        "leaflet_version": webmap.LEAFLET_VERSION,
        "leaflet_source": "xstatic-leaflet",
    }
    # no module of the package looks for a system copy of Leaflet any more
    sources = Path(webmap.__file__).parents[1].rglob("*.py")
    assert not [p for p in sources if "/usr/share/javascript" in p.read_text(encoding="utf-8")]


def test_map_kind_of_a_cdn_page(tiny_plan):
    page = webmap.map_html(webmap.coverage_map(tiny_plan), offline=False)
    kind = webmap.map_kind(page)
    assert kind["kind"] == "cdn"
    assert kind["leaflet_version"] == webmap.LEAFLET_VERSION
    assert kind["leaflet_source"] == webmap.LEAFLET_URLS["leaflet"]


def test_map_page_has_a_title_and_a_viewport(tiny_plan):
    plan = dataclasses.replace(tiny_plan, name="Plan <b>x</b>")
    page = webmap.map_html(webmap.coverage_map(plan, language="en"))
    title = re.search(r"<title>(.*?)</title>", page)
    assert title is not None
    # the territory's name first, then the scenario's (issue 19)
    assert title.group(1).endswith(f"{plan.territory} (Plan &lt;b&gt;x&lt;/b&gt;)")
    assert re.search(r'<meta name="viewport" content="width=device-width', page)
    assert "@media (max-width: 600px)" in page  # the layer list folds on a phone


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
    # no Spanish template has these sentences: each says it is in English
    mark = "(en inglés)"
    assert f"<li>{mark} {html.escape(WARNING)}</li><li>{mark} Second warning.</li>" in box.group(1)
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
    existing = len(tiny_plan.existing_sites)
    assert page.count("L.circleMarker(") == len(plan.sites) + existing + len(schools)
    # terrain, best, server, 2 sites + 2 demand (the cells, without a service, are newly
    # served or unserved; no image for the empty "already served")
    assert page.count("L.imageOverlay(") == 5 + 2
    assert len(page) < 1_500_000
    pop = (plan.demand["kind"] != "school").to_numpy()
    every = webmap.demand_cells(plan, pop)
    assert every.mean() > 0.95  # 45 m spacing on 30 m cells: widened into a continuous area
    some = webmap.demand_cells(plan, pop & plan.demand["covered"].to_numpy())
    assert 0.5 < some.mean() < every.mean()


def _popups(page: str) -> list[str]:
    """The HTML of every popup of a map page, as Leaflet receives it."""
    return [json.loads(p) for p in re.findall(r'\.bindPopup\(("(?:[^"\\]|\\.)*")', page)]


def test_map_shows_existing_sites_and_demand_by_service(tiny_plan):
    page = webmap.map_html(webmap.coverage_map(tiny_plan, language="en"), offline=False)
    popups = _popups(page)
    ex1 = next(p for p in popups if p.startswith("<b>EX1 · Claro 4G</b>"))
    for row in ("<th>Operator</th><td>Claro</td>", "<th>Technology</th><td>4G</td>",
                "<th>Position</th><td>estimated (OpenCelliD)</td>",
                "<th>Coverage predicted</th><td>yes (inside the terrain)</td>"):  # fmt: skip
        assert row in ex1
    ex2 = next(p for p in popups if p.startswith("<b>EX2 · Tigo 3G</b>"))
    assert (
        "<td>as reported by the source</td>" in ex2 and "<td>no (outside the terrain)</td>" in ex2
    )
    assert page.count('"dashArray": "4 3"') == 1  # only the estimated position is dashed
    cuchilla = next(p for p in popups if p.startswith("<b>People: La Cuchilla</b>"))
    assert "<th>Service</th><td>Already served</td>" in cuchilla
    assert "<th>Existing mobile sites</th><td>EX1 · Claro</td>" in cuchilla
    for c, color in styles.SERVICE_COLORS.items():  # no satellite terminal or hotspot in it
        assert (f'"fillColor": "{color}"' in page) == (
            c not in ("served_satellite", "served_hotspot")
        )
    legend = page[page.index('id="coverage-legend"') :]
    legend = legend[: legend.index("</div></div>")]
    for text in ("Existing mobile sites", "dashed outline: position estimated", "Already served",
                 "Newly served", "Still unserved", "#0072b2", "#56b4e9", "#d55e00"):  # fmt: skip
        assert text in legend


def test_vereda_popups_list_the_households_by_service(tiny_plan):
    popups = _popups(webmap.map_html(webmap.coverage_map(tiny_plan, language="en"), offline=False))
    suiza = next(p for p in popups if p.startswith("<b>Vereda: La Suiza</b>"))
    for row in ("<th>Households</th><td>42</td>", "<th>Households: already served</th><td>10</td>",
                "<th>Households: newly served</th><td>20</td>",
                "<th>Households: still unserved</th><td>12</td>"):  # fmt: skip
        assert row in suiza
    plain = without_existing_service(tiny_plan)
    popups = _popups(webmap.map_html(webmap.coverage_map(plain, language="en"), offline=False))
    suiza = next(p for p in popups if p.startswith("<b>Vereda: La Suiza</b>"))
    assert "already served" not in suiza and "<th>Households: newly served</th><td>30</td>" in suiza


def test_map_without_existing_service_has_no_existing_layer_or_legend(tiny_plan):
    page = webmap.map_html(webmap.coverage_map(without_existing_service(tiny_plan)), offline=False)
    assert json.dumps("Sitios móviles existentes") not in page
    assert json.dumps("Demanda: Ya con servicio") not in page
    assert json.dumps("Demanda: Con servicio nuevo") in page
    assert json.dumps("Demanda: Aún sin servicio") in page
    legend = page[page.index('id="coverage-legend"') :]
    assert "Sitios móviles existentes" not in legend and "Ya con servicio" not in legend


def test_popups_show_whole_people_and_no_people_for_schools(tiny_plan):
    d = tiny_plan.demand.copy()
    d.loc[d["kind"] != "school", "population"] += 0.3  # fractions, as dwelling points give
    plan = dataclasses.replace(tiny_plan, demand=d)
    page = webmap.map_html(webmap.coverage_map(plan, language="es"), offline=False)
    popups = re.findall(r'bindPopup\((".*?"),', page)
    texts = [json.loads(p) for p in popups]
    schools = [t for t in texts if t.startswith("<b>Escuela")]
    assert schools and not [t for t in schools if "Personas" in t or "Hogares" in t]
    people = re.findall(r"<th>Personas</th><td>([^<]*)</td>", "".join(texts))
    assert people and all(re.fullmatch(r"[\d,]+", n) for n in people), people


def test_legend_marks_the_threshold_and_names_the_best_servers(tiny_plan):
    plan = dataclasses.replace(tiny_plan, threshold_dbm=-94.0)
    page = webmap.map_html(webmap.coverage_map(plan, language="en"))
    legend = page[page.index('id="coverage-legend"') :]
    at = [legend.index(t) for t in ("-104 … -94 dBm", "service threshold -94 dBm", "-94 … -84 dBm")]
    assert at == sorted(at)  # the threshold between the last class below it and the first above
    for sid, (r, g, b) in zip(
        plan.access_sites["site_id"].astype(str),
        styles.best_server_colors(len(plan.access_sites)),
        strict=True,
    ):
        assert f"background:rgb({r},{g},{b})" in legend and f"</i>{sid}" in legend
