"""Tests of coverage.outputs.qgisstyle: the .qml beside each raster, the GeoPackage's
layer_styles table, and QGIS itself opening and drawing them with those styles."""

from __future__ import annotations

import dataclasses
import json
import sqlite3
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest

from coverage.outputs import export, qgisstyle, styles
from coverage.outputs.labels import label
from coverage.outputs.service import SERVICE_CLASSES
from coverage.plan import Plan

#: The system Python with Debian's python3-qgis (Makefile APT_PACKAGES).
QGIS_PYTHON = "/usr/bin/python3"


@pytest.fixture
def plan(tiny_plan) -> Plan:
    """The tiny plan with the LTE band 28 preset's service threshold."""
    return dataclasses.replace(tiny_plan, threshold_dbm=-94.0)


def _renderer(qml: str) -> ET.Element:
    root = ET.fromstring(qml.split("\n", 1)[1])  # after the DOCTYPE line
    assert root.tag == "qgis"
    ren = root.find("pipe/rasterrenderer")
    assert ren is not None
    return ren


def test_class_raster_style_is_paletted_with_class_names(plan):
    ren = _renderer(qgisstyle.rx_class_qml(plan, "es"))
    assert ren.get("type") == "paletted"
    entries = ren.findall("colorPalette/paletteEntry")
    assert [int(e.get("value", "")) for e in entries] == [1, 2, 3, 4, 5]
    assert [e.get("label") for e in entries] == [
        "< -104 dBm",
        "-104 … -94 dBm",
        "-94 … -84 dBm (umbral de servicio -94 dBm)",
        "-84 … -74 dBm",
        "≥ -74 dBm",
    ]
    want = ["#{:02x}{:02x}{:02x}".format(*c) for c in styles.RX_CLASS_COLORS[1:]]
    assert [e.get("color") for e in entries] == want


def test_best_server_style_names_every_site_in_its_own_colour(plan):
    ren = _renderer(qgisstyle.best_server_qml(plan))
    assert ren.get("type") == "paletted"
    entries = ren.findall("colorPalette/paletteEntry")
    ids = list(plan.access_sites["site_id"].astype(str))
    assert [int(e.get("value", "")) for e in entries] == list(range(len(ids)))
    assert [str(e.get("label")).split(" ")[0] for e in entries] == ids
    assert len({e.get("color") for e in entries}) == len(ids)


def test_rx_dbm_style_breaks_at_the_service_threshold(plan):
    ren = _renderer(qgisstyle.rx_dbm_qml(plan, "en"))
    assert ren.get("type") == "singlebandpseudocolor"
    shader = ren.find("rastershader/colorrampshader")
    assert shader is not None and shader.get("colorRampType") == "DISCRETE"
    values = [float(str(i.get("value"))) for i in shader.findall("item")]
    assert values[:4] == pytest.approx([-104, -94, -84, -74], abs=1e-4) and values[4] == np.inf
    # QGIS puts a value equal to a break in the lower class: each break lies just below
    # its edge, so a float32 cell of exactly -94 dBm is drawn at or above the threshold
    assert all(np.float32(v) < e for v, e in zip(values, (-104, -94, -84, -74), strict=False))
    assert all(
        np.nextafter(np.float32(v), np.float32(0)) == e
        for v, e in zip(values, (-104, -94, -84, -74), strict=False)
    )
    assert "service threshold -94 dBm" in str(shader.findall("item")[2].get("label"))


def test_rasters_get_their_qml_beside_them_and_in_the_manifest(plan, tmp_path):
    written = export.write_outputs(plan, tmp_path, formats=["geotiff", "manifest"])
    for stem in ("coverage_rx_dbm", "coverage_rx_class", "coverage_best_server"):
        tif, qml = tmp_path / f"{stem}.tif", tmp_path / f"{stem}.qml"
        assert tif.is_file() and qml.is_file()
        assert _renderer(qml.read_text(encoding="utf-8")) is not None
    manifest = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))
    assert {"rx_dbm_qml", "rx_class_qml", "best_server_qml"} <= set(manifest["outputs"])
    assert written["rx_class_qml"] == tmp_path / "coverage_rx_class.qml"


def _gpkg_styles(path: Path) -> tuple[list[str], dict[str, tuple[str, str, int]], set[str]]:
    with sqlite3.connect(path) as db:
        cols = [r[1] for r in db.execute("PRAGMA table_info(layer_styles)")]
        rows = db.execute(
            "SELECT f_table_name, f_geometry_column, styleQML, useAsDefault FROM layer_styles"
        ).fetchall()
        layers = {r[0] for r in db.execute("SELECT table_name FROM gpkg_geometry_columns")}
    db.close()
    names = [r[0] for r in rows]
    assert len(names) == len(set(names)), "one style per layer"
    return cols, {r[0]: (r[1], r[2], r[3]) for r in rows}, layers


def test_geopackage_holds_one_default_style_per_layer(plan, tmp_path):
    path = export.write_geopackage(plan, tmp_path / "plan.gpkg", language="en")
    cols, rows, layers = _gpkg_styles(path)
    assert [c for c in cols if c != "fid"] == list(qgisstyle.LAYER_STYLES_COLUMNS)
    assert set(rows) == layers  # every layer with a geometry, and only those
    for name, (geom_col, qml, default) in rows.items():
        assert default == 1 and geom_col == "geom", name
        assert ET.fromstring(qml.split("\n", 1)[1]).find("renderer-v2") is not None, name


def _renderer_v2(qml: str) -> ET.Element:
    ren = ET.fromstring(qml.split("\n", 1)[1]).find("renderer-v2")
    assert ren is not None
    return ren


def test_layer_styles_show_service_roles_margins_and_open_veredas(plan, tmp_path):
    path = export.write_geopackage(plan, tmp_path / "plan.gpkg", language="es")
    _, rows, _ = _gpkg_styles(path)
    demand = _renderer_v2(rows["demand"][1])
    assert demand.get("type") == "categorizedSymbol" and demand.get("attr") == "service"
    cats = demand.findall("categories/category")
    assert [c.get("value") for c in cats] == list(SERVICE_CLASSES)
    assert [c.get("label") for c in cats] == [label(c, "es") for c in SERVICE_CLASSES]
    sites = _renderer_v2(rows["sites"][1])
    assert sites.get("attr") == "role"
    assert [c.get("value") for c in sites.findall("categories/category")] == list(
        styles.ROLE_COLORS
    )
    links = _renderer_v2(rows["links"][1])
    assert links.get("type") == "RuleRenderer"
    assert [r.get("filter") for r in links.findall("rules/rule")][-1] == "ELSE"
    veredas = _renderer_v2(rows["veredas"][1])
    fill = {o.get("name"): o.get("value") for o in veredas.iter("Option") if o.get("name")}
    assert fill["style"] == "no" and fill["outline_style"] == "solid"  # outlines only


def test_same_plan_same_styles(plan, tmp_path):
    a = export.write_geopackage(plan, tmp_path / "a.gpkg")
    b = export.write_geopackage(plan, tmp_path / "b.gpkg")
    assert _gpkg_styles(a)[1] == _gpkg_styles(b)[1]
    assert qgisstyle.raster_styles(plan) == qgisstyle.raster_styles(plan)


def _qgis_report(plan: Plan, tmp_path: Path) -> dict:
    """What QGIS shows of the plan's rasters and GeoPackage (tests/outputs/qgis_render.py)."""
    probe = subprocess.run(
        [QGIS_PYTHON, "-c", "import qgis.core"], capture_output=True, text=True, check=False
    )
    if probe.returncode != 0:
        pytest.fail(
            "PyQGIS not found for /usr/bin/python3: apt-get install python3-qgis "
            f"qgis-providers (make test does, as root). {probe.stderr[-300:]}"
        )
    export.write_outputs(plan, tmp_path, formats=["geotiff", "gpkg"], language="en")
    run = subprocess.run(
        [QGIS_PYTHON, str(Path(__file__).with_name("qgis_render.py")), str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={
            "QT_QPA_PLATFORM": "offscreen",
            "HOME": str(tmp_path),
            "XDG_RUNTIME_DIR": str(tmp_path),
            "PATH": "/usr/bin:/bin",
        },
    )
    out = [ln for ln in run.stdout.splitlines() if ln.startswith("JSON")]
    assert run.returncode == 0 and out, run.stderr[-2000:]
    return dict(json.loads(out[0][4:]))


def test_qgis_draws_the_outputs_with_the_shipped_styles(plan, tmp_path):
    """QGIS 3 (Debian's python3-qgis, offscreen) opens the rasters and the GeoPackage, picks up
    the styles by itself and draws the class raster in exactly the class colours."""
    report = _qgis_report(plan, tmp_path)
    rasters, vectors = report["rasters"], report["vectors"]
    cls = rasters["coverage_rx_class"]
    assert cls["valid"] and cls["renderer"] == "paletted"
    ordered = ["#{:02x}{:02x}{:02x}".format(*c) for c in styles.RX_CLASS_COLORS[1:]]
    assert [c[1] for c in cls["classes"]] == ordered
    assert cls["classes"][2][2] == "-94 … -84 dBm (service threshold -94 dBm)"  # not "3"
    palette = set(ordered)
    drawn = set(cls["colours"]) - {"#ffffff"}  # white: the background around the grid
    assert drawn and drawn <= palette, drawn
    server = rasters["coverage_best_server"]
    ids = list(plan.access_sites["site_id"].astype(str))
    assert server["renderer"] == "paletted"
    assert [c[2].split(" ")[0] for c in server["classes"]] == ids
    assert len(set(server["colours"]) - {"#ffffff"}) == len(ids)
    rx = rasters["coverage_rx_dbm"]
    assert rx["renderer"] == "singlebandpseudocolor" and rx["ramp_type"] == 1  # discrete
    assert [i[0] for i in rx["items"]][1] == pytest.approx(-94.0, abs=1e-4)
    assert set(rx["colours"]) - {"#ffffff"} <= palette
    assert vectors["demand"]["attr"] == "service"
    assert [c[2] for c in vectors["demand"]["categories"]] == [
        styles.SERVICE_COLORS[c] for c in SERVICE_CLASSES
    ]
    assert vectors["sites"]["attr"] == "role" and vectors["sites"]["labels"]
    assert vectors["links"]["renderer"] == "RuleRenderer"
    assert vectors["veredas"]["renderer"] == "singleSymbol"
    assert vectors["veredas"]["brush"] == 0  # Qt.NoBrush: the rasters show through
    assert vectors["coverage"]["attr"] == "rx_class"


def test_qgis_draws_a_cell_at_the_threshold_as_the_other_outputs_do(plan, tmp_path):
    """A cell of exactly -94 dBm is in the first class at or above the threshold, one a hair
    below it in the class under it: in the rx_dbm ramp as in the class raster."""
    rx = np.full(plan.terrain.shape, -94.0, dtype=np.float32)
    rx[:, : rx.shape[1] // 2] = np.nextafter(np.float32(-94.0), np.float32(-np.inf))
    report = _qgis_report(dataclasses.replace(plan, coverage_dbm=rx), tmp_path)
    want = {"#{:02x}{:02x}{:02x}".format(*styles.RX_CLASS_COLORS[c]) for c in (2, 3)}
    for stem in ("coverage_rx_dbm", "coverage_rx_class"):
        assert set(report["rasters"][stem]["colours"]) - {"#ffffff"} == want, stem
