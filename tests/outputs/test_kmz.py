"""Tests of the KMZ as Google Earth reads it: legend overlay, first view, demand folders.

The archive is parsed as it is (zipfile, ElementTree); the legend image is decoded with
Pillow and its pixels compared with the palette of :mod:`coverage.outputs.styles`.
"""

from __future__ import annotations

import dataclasses
import io
import math
import xml.etree.ElementTree as ET
import zipfile

import numpy as np
import pytest
from PIL import Image
from pyproj import Transformer

from coverage.outputs import kml, kmlview
from coverage.outputs.styles import RX_CLASS_COLORS, SERVICE_COLORS, hex_rgb, plan_rx_edges
from tests.helpers import build_tiny_plan

NS = {"k": kml.KML_NS}


@pytest.fixture(scope="module")
def plan():
    # a service threshold, so the legend marks it (the hand-built plan states none)
    return dataclasses.replace(build_tiny_plan(), threshold_dbm=-94.0)


@pytest.fixture(scope="module")
def kmz(plan):
    data = kml.kmz_bytes(plan, language="es")
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {name: z.read(name) for name in z.namelist()}


def _doc(kmz) -> ET.Element:
    root = ET.fromstring(kmz["doc.kml"])
    doc = root.find("k:Document", NS)
    assert doc is not None
    return doc


def test_the_legend_is_a_screen_overlay_of_an_image_in_the_archive(kmz):
    overlay = _doc(kmz).find("k:ScreenOverlay", NS)
    assert overlay is not None
    assert overlay.findtext("k:name", namespaces=NS) == "Leyenda"
    href = overlay.findtext("k:Icon/k:href", namespaces=NS)
    assert href == kml.LEGEND_HREF and href in kmz
    xy = overlay.find("k:screenXY", NS)
    assert xy is not None and xy.get("xunits") == "fraction" and float(xy.get("x", "1")) < 0.1
    image = Image.open(io.BytesIO(kmz[href]))
    assert image.format == "PNG" and image.width > 100 and image.height > 100


def test_the_legend_has_every_signal_and_service_colour_and_marks_the_threshold(plan, kmz):
    pixels = np.asarray(Image.open(io.BytesIO(kmz[kml.LEGEND_HREF])).convert("RGB")).reshape(-1, 3)
    colours = {tuple(int(v) for v in p) for p in np.unique(pixels, axis=0)}
    for rgb in RX_CLASS_COLORS[1:]:
        assert rgb in colours, rgb
    for hex_colour in (SERVICE_COLORS["served_existing"], SERVICE_COLORS["unserved"]):
        assert hex_rgb(hex_colour) in colours, hex_colour
    rows = kmlview.legend_rows(plan, "es")
    marks = [t for kind, _c, t in rows if kind == "threshold"]
    assert marks == ["umbral de servicio -94 dBm"]
    kinds = [kind for kind, _c, _t in rows]
    # the mark sits between the last class below the threshold and the first at or above it
    i = kinds.index("threshold")
    edges = plan_rx_edges(plan)
    assert edges[1] == -94.0 and kinds[1:i] == ["swatch", "swatch"]
    assert rows[i + 1][2].startswith("-94 … ")


def test_the_legend_image_is_the_same_for_the_same_plan(plan):
    assert kmlview.legend_png(plan, "en") == kmlview.legend_png(plan, "en")
    assert kmlview.legend_png(plan, "en") != kmlview.legend_png(plan, "es")


def test_the_first_view_frames_the_territory(plan, kmz):
    la = _doc(kmz).find("k:LookAt", NS)
    assert la is not None
    lon = float(la.findtext("k:longitude", namespaces=NS) or "nan")
    lat = float(la.findtext("k:latitude", namespaces=NS) or "nan")
    rng = float(la.findtext("k:range", namespaces=NS) or "nan")
    xmin, ymin, xmax, ymax = plan.veredas.total_bounds
    to_ll = Transformer.from_crs(plan.crs, "EPSG:4326", always_xy=True)
    (w, e), (s, n) = to_ll.transform([xmin, xmax], [ymin, ymax])
    assert w < lon < e and s < lat < n
    assert lon == pytest.approx((w + e) / 2, abs=1e-4) and lat == pytest.approx(
        (s + n) / 2, abs=1e-4
    )
    # seen from ``rng`` with a 60° field of view, the screen is wider than the territory
    seen_m = 2 * rng * math.tan(math.radians(kmlview.VIEW_FOV_DEG / 2))
    extent_m = max(xmax - xmin, ymax - ymin)
    assert extent_m < seen_m < 2 * extent_m
    # the LookAt comes before the styles and features, as the KML schema orders them
    tags = [c.tag.split("}")[1] for c in _doc(kmz)]
    assert tags.index("LookAt") < tags.index("Style") < tags.index("Folder")


def _demand_top(kmz) -> ET.Element:
    folders = _doc(kmz).findall("k:Folder", NS)
    return next(f for f in folders if f.findtext("k:name", namespaces=NS) == "Demanda: servicio")


def test_demand_is_grouped_per_subdivision_with_names_and_service_styles(plan, kmz):
    top = _demand_top(kmz)
    subs = top.findall("k:Folder", NS)
    assert [f.findtext("k:name", namespaces=NS) for f in subs] == [
        "Vereda La Suiza",
        "Vereda Potrera Miserenga",
    ]
    assert top.findall("k:Placemark", NS) == []  # every point is in its sub-district's folder
    for folder in subs:
        vereda = (folder.findtext("k:name", namespaces=NS) or "").removeprefix("Vereda ")
        expected = plan.demand[plan.demand["vereda"] == vereda]
        marks = folder.findall("k:Placemark", NS)
        assert [m.findtext("k:name", namespaces=NS) for m in marks] == list(expected["name"])
        styles = [m.findtext("k:styleUrl", namespaces=NS) for m in marks]
        assert styles == [f"#demand_{s}" for s in expected["service"]]
        unserved = expected.loc[expected["service"] == "unserved", "households"].sum()
        total = expected["households"].sum()
        text = folder.findtext("k:description", namespaces=NS)
        assert text == f"Aún sin servicio: {unserved:,.0f} / {total:,.0f} hogares"
    defined = {s.get("id") for s in _doc(kmz).findall("k:Style", NS)}
    assert {"demand_served_existing", "demand_served_new", "demand_unserved"} <= defined
    unserved_style = next(
        s for s in _doc(kmz).findall("k:Style", NS) if s.get("id") == "demand_unserved"
    )
    assert unserved_style.findtext("k:IconStyle/k:color", namespaces=NS) == kml.kml_color(
        SERVICE_COLORS["unserved"]
    )


def test_a_point_without_a_name_is_named_by_its_service_and_households(plan):
    d = plan.demand.copy()
    d.loc[d.index[0], "name"] = ""
    d.loc[d.index[5], "vereda"] = ""  # in no sub-district: its own folder, last
    p = dataclasses.replace(plan, demand=d)
    with zipfile.ZipFile(io.BytesIO(kml.kmz_bytes(p, language="en"))) as z:
        root = ET.fromstring(z.read("doc.kml"))
    top = next(
        f for f in root.iter(f"{{{kml.KML_NS}}}Folder")
        if f.findtext("k:name", namespaces=NS) == "Demand: service"
    )  # fmt: skip
    names = [f.findtext("k:name", namespaces=NS) for f in top.findall("k:Folder", NS)]
    assert names == ["Vereda La Suiza", "Vereda Potrera Miserenga", "Outside any vereda"]
    marks = [m.findtext("k:name", namespaces=NS) for m in top.iter(f"{{{kml.KML_NS}}}Placemark")]
    assert "Newly served · 20 households" in marks
    last = top.findall("k:Folder", NS)[-1].findall("k:Placemark", NS)
    assert [m.findtext("k:name", namespaces=NS) for m in last] == ["Cañada"]
