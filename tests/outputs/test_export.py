"""Tests of coverage.outputs.export (and kml, charts): every file opens in the tool its user has.

GDAL's command-line tools (gdalinfo, ogrinfo; Debian gdal-bin) and poppler's pdftoppm
(Debian poppler-utils) read the outputs; a missing tool fails the test, never skips it.
"""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import html
import json
import shutil
import sqlite3
import subprocess
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import geopandas as gpd
import matplotlib.pyplot as plt
import networkx as nx
import numpy as np
import pyogrio
import pytest
import rasterio
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import Transformer
from shapely.geometry import LineString

from coverage.errors import InputError, ScenarioError
from coverage.inputs.dem import load_terrain
from coverage.outputs import charts, export, files, geopackage, kml, report, webmap
from coverage.plan import Plan
from coverage.scenario import LayerSpec, load_scenario
from tests.helpers import WARNING

XSS = "<script>alert(1)</script>"


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} not found: apt-get install gdal-bin poppler-utils (see Makefile)")
    return path


def _run(*args: str) -> str:
    done = subprocess.run([_tool(args[0]), *args[1:]], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    from tests.helpers import build_tiny_plan

    plan = build_tiny_plan()
    out = tmp_path_factory.mktemp("out")
    return plan, out, export.write_outputs(plan, out, language="en")


@pytest.fixture(scope="module")
def warned(tmp_path_factory):
    """Every output of the tiny plan with two warnings, the first :data:`WARNING`, in English."""
    from tests.helpers import build_tiny_plan

    plan = dataclasses.replace(build_tiny_plan(), warnings=(WARNING, "Second warning."))
    out = tmp_path_factory.mktemp("warned")
    return plan, out, export.write_outputs(plan, out, language="en")


def _text(element: ET.Element | None, path: str, ns: dict[str, str] | None = None) -> str:
    """The text at ``path`` under ``element``; the test fails when either is missing."""
    assert element is not None
    text = element.findtext(path, namespaces=ns)
    assert text is not None, path
    return text


def test_write_outputs_writes_every_format(written):
    _plan, out, paths = written
    expected = {
        "map", "summary_json", "summary_csv", "summary_total_csv", "summary_md", "rx_dbm_tif", "rx_class_tif",
        "best_server_tif", "rx_dbm_qml", "rx_class_qml", "best_server_qml", "gpkg", "kmz", "sites_csv", "links_csv", "costs_csv", "static_map_png",
        "static_map_pdf", "gap_report_html", "gap_report_pdf", "manifest",
        "profile_POP_S1", "profile_POP_R1", "profile_R1_S2", "profile_S1_R1",
    }  # fmt: skip
    assert set(paths) == expected
    for p in paths.values():
        assert p.is_file() and p.stat().st_size > 0
        assert p.resolve().is_relative_to(out.resolve())
    leftovers = [p.name for p in out.rglob(".*")]
    assert leftovers == [], "temporary files left behind"


def test_cogs_open_in_gdalinfo_with_overviews_nodata_and_colours(written):
    plan, _out, paths = written
    for key in ("rx_dbm_tif", "rx_class_tif", "best_server_tif"):
        info = _run("gdalinfo", str(paths[key]))
        assert "LAYOUT=COG" in info, key
        assert "Overviews:" in info, key
        assert "NoData Value=" in info, key
        assert 'EPSG","9377' in info.replace(" ", "") or "9377" in info
        if key != "rx_dbm_tif":
            assert "Color Table" in info, key
    with rasterio.open(paths["rx_dbm_tif"]) as ds:
        assert ds.dtypes[0] == "float32"
        assert ds.overviews(1)
        rx = ds.read(1, masked=True)
        assert ds.transform == plan.terrain.transform
        assert "MODELS" in ds.tags()
    finite = np.isfinite(plan.coverage_dbm)
    assert np.array_equal(~rx.mask, finite)
    assert np.allclose(rx.data[finite], plan.coverage_dbm[finite])
    with rasterio.open(paths["best_server_tif"]) as ds:
        server = ds.read(1)
        assert json.loads(ds.tags()["SITES"]) == {"0": "S1", "1": "S2"}
    assert np.array_equal(np.where(server == 255, -1, server.astype(np.int16)), plan.best_server)


def test_geopackage_opens_in_ogrinfo_with_every_layer(written):
    plan, _out, paths = written
    info = _run("ogrinfo", "-ro", "-q", str(paths["gpkg"]))
    layers = ("sites", "links", "link_table", "demand", "veredas", "coverage", "best_server")
    for layer in (*layers, "run_info"):
        assert layer in info
    table = gpd.read_file(paths["gpkg"], layer="link_table")
    assert len(table) == len(plan.links) and table.crs.to_epsg() == 9377
    assert table["azimuth_a_to_b_true_deg"].between(0, 360).all()
    demand = gpd.read_file(paths["gpkg"], layer="demand")
    assert demand["population"].sum() == plan.people_total
    assert demand.crs.to_epsg() == 9377
    cov = gpd.read_file(paths["gpkg"], layer="coverage")
    assert set(cov["rx_class"]) <= {1, 2, 3, 4, 5}
    cell_km2 = plan.terrain.cell_size_m**2 / 1e6
    assert cov["area_km2"].sum() == pytest.approx(np.isfinite(plan.coverage_dbm).sum() * cell_km2)


def test_kmz_opens_in_ogrinfo_and_holds_sites_links_overlay(written):
    plan, _out, paths = written
    info = _run("ogrinfo", "-ro", "-q", str(paths["kmz"]))
    assert "Sites" in info and "Backhaul links" in info
    with zipfile.ZipFile(paths["kmz"]) as z:
        assert z.namelist()[0] == "doc.kml"
        assert kml.OVERLAY_HREF in z.namelist()
        root = ET.fromstring(z.read("doc.kml"))
    ns = {"k": kml.KML_NS}
    marks = root.findall(".//k:Folder/k:Placemark", ns)
    names = [m.findtext("k:name", namespaces=ns) for m in marks]
    assert {"POP", "S1", "S2", "R1", "S1 – R1"} <= set(names)
    s1 = next(m for m in marks if m.findtext("k:name", namespaces=ns) == "S1")
    data = {d.get("name"): _text(d, "k:value", ns) for d in s1.iter(f"{{{kml.KML_NS}}}Data")}
    assert float(data["mast_height_m"]) == 18.0 and data["azimuths_deg"] == "omni"
    box = root.find(".//k:GroundOverlay/k:LatLonBox", ns)
    w, e = (
        float(_text(box, "k:west", ns)),
        float(_text(box, "k:east", ns)),
    )
    s, n = (
        float(_text(box, "k:south", ns)),
        float(_text(box, "k:north", ns)),
    )
    ll = plan.sites.to_crs("EPSG:4326")
    assert (ll.geometry.x > w).all() and (ll.geometry.x < e).all()
    assert (ll.geometry.y > s).all() and (ll.geometry.y < n).all()


def test_site_csv_coordinates_in_both_crs(written):
    plan, _out, paths = written
    with paths["sites_csv"].open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert [r["site_id"] for r in rows] == list(plan.sites["site_id"])
    fwd = Transformer.from_crs("EPSG:4326", "EPSG:9377", always_xy=True)
    for r in rows:
        x, y = fwd.transform(float(r["lon_deg"]), float(r["lat_deg"]))
        assert x == pytest.approx(float(r["easting_m"]), abs=0.05)
        assert y == pytest.approx(float(r["northing_m"]), abs=0.05)
        assert float(r["antenna_elevation_m"]) == pytest.approx(
            float(r["ground_elevation_m"]) + float(r["mast_height_m"]), abs=0.11
        )
        assert r["equipment"] == plan.scenario.technology.preset and r["crs"] == "EPSG:9377"


def test_pdfs_render_every_page_with_pdftoppm(written, tmp_path):
    _plan, _out, paths = written
    for key, pages in (("gap_report_pdf", 5), ("static_map_pdf", 1)):
        _run("pdftoppm", "-r", "30", "-png", str(paths[key]), str(tmp_path / key))
        rendered = sorted(tmp_path.glob(f"{key}*.png"))
        assert len(rendered) == pages, key
        assert all(p.stat().st_size > 1000 for p in rendered)


def test_gap_report_pdf_prints_a_dollar_sign_as_it_is(tiny_plan, tmp_path):
    """No mathtext: a name "La $x$ Suiza" is printed so, not as "La x Suiza" in italics."""
    v = tiny_plan.veredas.copy()
    v.loc[0, "name"] = "La $x$ Suiza"
    d = tiny_plan.demand.copy()
    d.loc[d["vereda"] == "La Suiza", "vereda"] = "La $x$ Suiza"
    plan = dataclasses.replace(tiny_plan, veredas=v, demand=d)
    paths = export.write_outputs(plan, tmp_path, language="en", formats=["gap_report"])
    text = _run("pdftotext", "-f", "1", "-l", "2", str(paths["gap_report_pdf"]), "-")
    assert "La $x$ Suiza" in text


def test_gap_report_pdf_title_shows_the_whole_heading(tiny_plan, tmp_path):
    """A long territory and scenario name is printed whole, not cut at the page's edge."""
    area = dataclasses.replace(tiny_plan.scenario.area, name="San Sebastián de Palmitas")
    scenario = dataclasses.replace(tiny_plan.scenario, area=area)
    plan = dataclasses.replace(tiny_plan, scenario=scenario, name="palmitas-lte700")
    paths = export.write_outputs(plan, tmp_path, language="es", formats=["gap_report"])
    text = _run("pdftotext", "-f", "1", "-l", "1", str(paths["gap_report_pdf"]), "-")
    assert "San Sebastián de Palmitas (palmitas-lte700)" in " ".join(text.split())


def test_gap_report_pdf_shows_the_warnings_under_the_title(warned, written):
    page1 = _run("pdftotext", "-f", "1", "-l", "1", str(warned[2]["gap_report_pdf"]), "-")
    order = ["Coverage gap report", "⚠ Warnings:", f"• {WARNING}", "• Second warning.", "People:"]
    at = [page1.find(t) for t in order]
    assert min(at) >= 0 and at == sorted(at), page1  # in this order, "$x$" printed as it is
    plain = _run("pdftotext", "-f", "1", "-l", "1", str(written[2]["gap_report_pdf"]), "-")
    assert "Warnings" not in plain and "People:" in plain


def test_summary_map_and_gap_report_files_show_the_warnings_escaped(warned, written):
    paths, plain = warned[2], written[2]
    for key in ("summary_json", "manifest"):
        assert json.loads(paths[key].read_text(encoding="utf-8"))["warnings"] == [
            WARNING, "Second warning."
        ], key  # fmt: skip
        assert json.loads(plain[key].read_text(encoding="utf-8"))["warnings"] == [], key
    escaped = html.escape(WARNING)  # <b>&amp; -> &lt;b&gt;&amp;amp;
    md = paths["summary_md"].read_text(encoding="utf-8")
    # CommonMark escapes: \<b>\&amp; (a tag and a character reference), and no math on
    # GitHub: \$x\$
    md_escaped = WARNING.replace("$", "\\$").replace("<", "\\<").replace("&amp;", "\\&amp;")
    assert md.index("## ⚠ Warnings") < md.index(f"- **{md_escaped}**") < md.index("- People:")
    for key, box in (("gap_report_html", 'id="warnings"'), ("map", 'id="coverage-warnings"')):
        page = paths[key].read_text(encoding="utf-8")
        assert box in page and f"<li>{escaped}</li>" in page and WARNING not in page, key
        assert box not in plain[key].read_text(encoding="utf-8"), key
    for key in ("summary_md", "gap_report_html", "map"):
        assert "Warnings" not in plain[key].read_text(encoding="utf-8"), key


def test_geopackage_run_info_and_cog_tags_hold_the_warnings(warned, written):
    for (_plan, _out, paths), expected in ((warned, [WARNING, "Second warning."]), (written, [])):
        info = gpd.read_file(paths["gpkg"], layer="run_info")
        assert list(info["kind"][: 1 + len(expected)]) == ["plan"] + ["warning"] * len(expected)
        rows = info[info["kind"] == "warning"]
        assert list(rows["value"]) == expected and list(rows["key"]) == ["0", "1"][: len(expected)]
        for key in ("rx_dbm_tif", "rx_class_tif", "best_server_tif"):
            with rasterio.open(paths[key]) as ds:
                assert json.loads(ds.tags()["WARNINGS"]) == expected, key
    assert "Second warning." in _run("gdalinfo", str(warned[2]["rx_class_tif"]))


def test_kmz_description_shows_the_warnings_as_text(warned, written):
    ns = {"k": kml.KML_NS}
    descriptions = []
    for _plan, _out, paths in (warned, written):
        with zipfile.ZipFile(paths["kmz"]) as z:
            descriptions.append(
                _text(ET.fromstring(z.read("doc.kml")), "k:Document/k:description", ns)
            )
    warned_text, plain_text = descriptions
    models = "propagation: log-distance toy model (test fixture, not physical); placement: "
    # KML's HTML: our list markup, the warning's own markup escaped, so shown as text
    assert warned_text.startswith(
        f"<b>⚠ Warnings</b><ul><li>{html.escape(WARNING, quote=False)}</li>"
        "<li>Second warning.</li></ul>" + models
    )
    assert plain_text.startswith(models) and "Warnings" not in plain_text


def test_manifest_lists_outputs_with_checksums_and_versions(written):
    plan, out, paths = written
    m = json.loads(paths["manifest"].read_text(encoding="utf-8"))
    assert m["scenario"] == report.jsonable(plan.scenario.to_dict())
    assert m["models"] == plan.models
    assert m["software"]["packages"]["numpy"] == np.__version__
    assert m["software"]["gdal"]
    assert set(m["outputs"]) == set(paths) - {"manifest"}
    for name, entry in m["outputs"].items():
        data = (out / entry["path"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"], name
    assert set(m["timings_s"]["outputs"]) >= {"map", "geotiff", "gpkg"}
    assert len(m["terrain"]["elevation_sha256"]) == 64
    # the map's record says it is the offline kind, with the wheel's Leaflet inlined
    assert m["outputs"]["map"]["kind"] == "offline"
    assert m["outputs"]["map"]["leaflet_version"] == webmap.LEAFLET_VERSION
    assert m["outputs"]["map"]["leaflet_source"] == "xstatic-leaflet"
    assert m["software"]["packages"]["xstatic-leaflet"]


def test_manifest_checksums_inputs(tiny_plan, tmp_path):
    src = tmp_path / "dem.tif"
    src.write_bytes(b"abc")
    path = export.write_manifest(tiny_plan, tmp_path / "manifest.json", inputs={"dem": src})
    m = json.loads(path.read_text())
    assert m["inputs"]["dem"]["sha256"] == hashlib.sha256(b"abc").hexdigest()


def test_summary_json_matches_the_plan(written):
    plan, _out, paths = written
    s = json.loads(paths["summary_json"].read_text(encoding="utf-8"))
    assert s["totals"]["people_covered"] == plan.people_covered
    assert s["models"] == plan.models and s["assumptions"] == plan.assumptions


def test_outputs_are_deterministic(tiny_plan, tmp_path):
    # every output but the manifest (its created_utc and timings are the run's own)
    fmts = [f for f in export.FORMATS if f != "manifest"]
    a = export.write_outputs(tiny_plan, tmp_path / "a", formats=fmts)
    b = export.write_outputs(tiny_plan, tmp_path / "b", formats=fmts)
    assert "gpkg" in a and "kmz" in a and "gap_report_pdf" in a
    assert sorted(a) == sorted(b)
    for key in a:
        assert a[key].read_bytes() == b[key].read_bytes(), key


def test_geopackage_dates_are_fixed_and_the_option_restored(tiny_plan, tmp_path):
    path = export.write_geopackage(tiny_plan, tmp_path / "plan.gpkg")
    with sqlite3.connect(path) as db:
        stamps = dict(db.execute("SELECT table_name, last_change FROM gpkg_contents"))
    db.close()
    assert {"sites", "demand", "best_server", "layer_styles", "run_info"} <= set(stamps)
    assert set(stamps.values()) == {geopackage.GPKG_TIMESTAMP}
    assert pyogrio.get_gdal_config_option("OGR_CURRENT_DATE") is None  # not left set


@pytest.mark.parametrize("name", ["../x.txt", "/tmp/x.txt", "a/../../x", "", "."])
def test_safe_path_refuses_names_outside(tmp_path, name):
    with pytest.raises(InputError, match="output"):
        files.safe_path(tmp_path, name)


def test_safe_path_refuses_a_link_out(tmp_path):
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "link").symlink_to(tmp_path)
    with pytest.raises(InputError, match="outside"):
        files.safe_path(tmp_path / "out", "link/x.txt")
    assert files.safe_path(tmp_path / "out", "sub/x.txt") == (tmp_path / "out/sub/x.txt").resolve()


def test_atomic_write_keeps_old_file_on_failure(tmp_path):
    target = tmp_path / "f.txt"
    files.write_text(target, "old")
    with pytest.raises(RuntimeError), files.atomic_path(target) as tmp:
        tmp.write_text("half")
        raise RuntimeError("disk full")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["f.txt"]


def test_unknown_format_and_language_are_refused(tiny_plan, tmp_path):
    with pytest.raises(InputError, match=r"Unknown output format\(s\) \['shapefile'\]"):
        export.write_outputs(tiny_plan, tmp_path, formats=["shapefile"])
    with pytest.raises(ScenarioError, match="Unknown language 'de'"):
        export.write_outputs(tiny_plan, tmp_path, language="de")
    assert list(tmp_path.iterdir()) == []  # refused before any work


def test_profile_of_an_unknown_site_names_the_sites(tiny_plan):
    with pytest.raises(InputError, match=r"'S9' is not in plan\.sites.*POP, S1, S2, R1"):
        charts.link_profile_figure(tiny_plan, "POP", "S9")


def test_hostile_names_are_inert_in_every_text_output(tiny_plan, tmp_path):
    v = tiny_plan.veredas.copy()
    v["name"] = [XSS, "`${alert(3)}`"]
    d = tiny_plan.demand.copy()
    d["name"] = XSS
    d["vereda"] = [XSS if x == "La Suiza" else x for x in d["vereda"]]
    s = tiny_plan.sites.copy()
    s["name"] = '"><img src=x onerror=alert(2)>'
    s.loc[s["site_id"] == "S2", "site_id"] = "../../S2<script>"
    links = tiny_plan.links.copy()
    links.loc[links["site_b"] == "S2", "site_b"] = "../../S2<script>"
    plan = dataclasses.replace(tiny_plan, veredas=v, demand=d, sites=s, links=links)
    fmts = ["map", "summary", "kmz", "gap_report", "profiles", "sites_csv"]
    paths = export.write_outputs(plan, tmp_path / "out", formats=fmts)
    for p in paths.values():
        assert p.resolve().is_relative_to((tmp_path / "out").resolve())
    for key in ("map", "summary_md", "gap_report_html"):
        text = paths[key].read_text(encoding="utf-8")
        assert XSS not in text and "<img src=x" not in text, key
    # in the map, a backtick payload only ever sits inside a JSON string (tojson), never in
    # a JavaScript template literal; the browser test checks that nothing runs.
    assert '"`${alert(3)}`"' in paths["map"].read_text(encoding="utf-8")
    with zipfile.ZipFile(paths["kmz"]) as z:
        doc = z.read("doc.kml").decode()
    assert XSS not in doc and "&lt;script&gt;" in doc
    ET.fromstring(doc)  # still well-formed XML


def test_reference_fresnel_radius_and_earth_bulge():
    # ITU-R P.530-18 eq. (2): F1 = 17.3 sqrt(d1 d2 / (f d)), km and GHz -> 12.23 m.
    assert charts.fresnel_radius_m(5000.0, 5000.0, 5000.0) == pytest.approx(12.24, abs=0.02)
    assert charts.fresnel_radius_m(5000.0, 5000.0, 5000.0) == pytest.approx(
        17.3 * np.sqrt(5 * 5 / (5 * 10)), rel=2e-3
    )
    # Earth bulge d1 d2 / (2 k R): 10 km + 10 km, k = 4/3 -> 5.89 m (= d1 d2 / (12.74 k), km).
    assert charts.earth_bulge_m(10_000.0, 10_000.0) == pytest.approx(5.886, abs=0.005)
    assert charts.earth_bulge_m(0.0, 20_000.0) == 0.0


@settings(max_examples=50, deadline=None)
@given(st.floats(10, 50_000), st.floats(0.01, 0.99), st.floats(400, 80_000))
def test_fresnel_radius_is_largest_mid_path(total_m, frac, f_mhz):
    mid = charts.fresnel_radius_m(total_m / 2, total_m / 2, f_mhz)
    here = charts.fresnel_radius_m(total_m * frac, total_m * (1 - frac), f_mhz)
    assert here <= mid * (1 + 1e-12)
    assert charts.earth_bulge_m(total_m * frac, total_m * (1 - frac)) == pytest.approx(
        charts.earth_bulge_m(total_m * (1 - frac), total_m * frac)
    )


def test_profile_chart_of_each_link_is_a_png(written):
    _plan, _out, paths = written
    png = paths["profile_S1_R1"].read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"


def test_write_outputs_into_new_nested_folder(tiny_plan, tmp_path):
    paths = export.write_outputs(tiny_plan, tmp_path / "a" / "b", formats=["summary"])
    assert Path(paths["summary_md"]).parent == tmp_path / "a" / "b"
    assert "manifest" not in paths


def _real_plan(mirror):
    """A Plan on the real Palmitas layers (DEM at 60 m, 8 veredas, schools) and the bundled
    scenario, with hand-placed sites and a toy distance-only coverage: it exercises the
    writers on real extents, names and reprojections, not the models."""
    ver, terrain, sch = _real_layers(mirror)
    sites = _real_sites(terrain, ver, sch)
    coverage, server = _real_coverage(terrain, sites)
    return Plan(
        name="Palmitas (toy coverage)",
        crs="EPSG:9377",
        terrain=terrain,
        veredas=ver,
        demand=_real_demand(terrain, (ver, sch), coverage),
        sites=sites,
        links=_real_links(sites),
        backhaul=nx.Graph(crs="EPSG:9377"),
        coverage_dbm=coverage,
        best_server=server,
        scenario=load_scenario(),
        models={"propagation": "toy distance law (test only)"},
        assumptions=["6,481 people (DAP 2026 projection) split evenly over the 8 veredas."],
    )


def _real_layers(mirror):
    """The veredas, the DEM around them at 60 m, and the schools inside the corregimiento."""
    ver = gpd.read_file(mirror / "palmitas_veredas.geojson").to_crs("EPSG:9377")
    ver = ver.rename(columns={"codigo": "vereda_id", "nombre": "name"})[
        ["vereda_id", "name", "geometry"]
    ]
    terrain = load_terrain(
        mirror / "dem" / "palmitas_dem_srtm1.tif",
        ver.union_all(),
        "EPSG:9377",
        margin_m=500,
        resolution_m=60,
    )
    sch = gpd.read_file(mirror / "palmitas_schools.geojson").to_crs("EPSG:9377")
    sch = sch[sch["dentro_corregimiento_50"].astype(bool)].reset_index(drop=True)
    return ver, terrain, sch


def _real_sites(terrain, ver, sch):
    """A point of presence at the first school, and an access site at the highest cell of
    each of three veredas."""
    xs, ys = terrain.cell_centers()
    gx, gy = np.meshgrid(xs, ys)
    pts = []
    for geom in ver.geometry[:3]:  # the highest cell of three veredas
        inside = gpd.GeoSeries(gpd.points_from_xy(gx.ravel(), gy.ravel()), crs=ver.crs).within(geom)
        z = np.where(inside.to_numpy(), terrain.elevation_m.ravel(), -np.inf)
        k = int(np.argmax(z))
        pts.append((gx.ravel()[k], gy.ravel()[k]))
    geoms = [sch.geometry.iloc[0], *gpd.points_from_xy([p[0] for p in pts], [p[1] for p in pts])]
    return gpd.GeoDataFrame(
        {
            "site_id": ["POP", "A1", "A2", "A3"], "role": ["pop", "access", "access", "access"],
            "name": ["Cabecera", *ver["name"][:3]], "mast_height_m": [15.0, 30.0, 30.0, 30.0],
            "ground_elevation_m": terrain.sample([g.x for g in geoms], [g.y for g in geoms]),
            "cost_usd": [0.0, 40e3, 40e3, 40e3], "people_covered": 0.0, "schools_covered": 0,
            "reaches_pop": True, "hops_to_pop": [0, 1, 1, 1],
        },
        geometry=geoms, crs="EPSG:9377",
    )  # fmt: skip


def _real_coverage(terrain, sites):
    """A toy received power (dBm, 30 dB/decade, cut at 4 km) and best server per cell."""
    xs, ys = terrain.cell_centers()
    gx, gy = np.meshgrid(xs, ys)
    rx = []
    for g in sites[sites["role"] == "access"].geometry:
        d_km = np.maximum(np.hypot(gx - g.x, gy - g.y), 30.0) / 1000.0
        rx.append(np.where(d_km < 4.0, -60.0 - 30.0 * np.log10(d_km) - 20.0, -np.inf))
    stack = np.stack(rx)
    best = stack.max(axis=0)
    coverage = np.where(np.isfinite(best), best, np.nan).astype(np.float32)
    server = np.where(np.isfinite(best), stack.argmax(axis=0), -1).astype(np.int16)
    return coverage, server


def _real_demand(terrain, layers, coverage):
    """6,481 people split over one point per vereda, and the schools; covered above -95 dBm."""
    ver, sch = layers
    demand_geom = [*ver.geometry.representative_point(), *sch.geometry]
    rx_pts = coverage[terrain.rowcol([p.x for p in demand_geom], [p.y for p in demand_geom])]
    n_v = len(ver)
    covered = np.isfinite(rx_pts) & (rx_pts > -95.0)
    return gpd.GeoDataFrame(
        {
            "demand_id": [f"D{i}" for i in range(len(demand_geom))],
            "kind": ["population"] * n_v + ["school"] * len(sch),
            "name": [*ver["name"], *sch["nombre"]],
            "vereda": [*ver["name"], *sch["vereda_nombre"]],
            "population": [6481.0 / n_v] * n_v + [0.0] * len(sch),
            "households": [2868.0 / n_v] * n_v + [0.0] * len(sch),
            "covered": covered, "best_site": np.where(covered, "A1", ""),
            "rx_dbm": rx_pts, "n_servers": covered.astype(int),
            "reason": np.where(covered, "covered", "out_of_range"),
        },
        geometry=demand_geom, crs="EPSG:9377",
    )  # fmt: skip


def _real_links(sites):
    """A link from the point of presence to each access site."""
    pop, *access = list(sites.geometry)
    return gpd.GeoDataFrame(
        {
            "site_a": ["POP"] * 3, "site_b": list(sites["site_id"][1:]),
            "length_m": [pop.distance(g) for g in access], "clearance_ratio": 0.8,
            "margin_db": 15.0, "capacity_mbps": 200.0,
        },
        geometry=[LineString([pop, g]) for g in access], crs="EPSG:9377",
    )  # fmt: skip


def test_outputs_on_real_palmitas_layers(mirror, tmp_path):
    plan = _real_plan(mirror)
    paths = export.write_outputs(
        plan, tmp_path, formats=["summary", "geotiff", "gpkg", "kmz", "map", "sites_csv"]
    )
    s = json.loads(paths["summary_json"].read_text(encoding="utf-8"))
    assert s["totals"]["people_total"] == pytest.approx(6481.0)
    assert len(s["subdivisions"]) == 8
    for key in ("people_covered", "schools_covered", "schools_total"):
        assert sum(v[key] for v in s["subdivisions"]) == pytest.approx(s["totals"][key])
    assert s["totals"]["schools_total"] == 9
    info = _run("gdalinfo", str(paths["rx_dbm_tif"]))
    assert "LAYOUT=COG" in info and "Overviews:" in info
    assert "veredas" in _run("ogrinfo", "-ro", "-q", str(paths["gpkg"]))
    assert "Veredas" in _run("ogrinfo", "-ro", "-q", str(paths["kmz"]))
    page = paths["map"].read_text(encoding="utf-8")
    for name in plan.veredas["name"]:
        assert name in page
    with zipfile.ZipFile(paths["kmz"]) as z:
        root = ET.fromstring(z.read("doc.kml"))
    box = root.find(f".//{{{kml.KML_NS}}}LatLonBox")
    assert -75.80 < float(_text(box, f"{{{kml.KML_NS}}}west")) < -75.70  # Palmitas
    assert 6.2 < float(_text(box, f"{{{kml.KML_NS}}}south")) < 6.3


def test_writers_read_the_scenario_of_the_plan(tiny_plan):
    """The profile's frequency and k-factor, the static map's sources and the equipment of
    the site list and KML come from the plan's scenario."""
    s = tiny_plan.scenario
    layers = dict(s.area.layers)
    layers["dem"] = dataclasses.replace(layers["dem"], source="NASA SRTMGL1 v3")
    scenario = s.replace(
        technology={"preset": "tvws"},
        propagation={"model": "deygout", "k_factor": 1.0},
        backhaul={"f_mhz": 5000.0},
        area={"layers": layers},
    )
    plan = dataclasses.replace(tiny_plan, scenario=scenario)
    fig = charts.link_profile_figure(plan, "POP", "S1", language="en")
    try:
        ax = fig.axes[0]
        assert "5000 MHz" in ax.get_title()
        legend = ax.get_legend()
        assert legend is not None
        assert "k=1.00" in " ".join(t.get_text() for t in legend.get_texts())
    finally:
        plt.close(fig)
    fig = charts.static_map_figure(plan, language="en")
    try:
        assert any("Sources: dem: NASA SRTMGL1 v3" in t.get_text() for t in fig.texts)
    finally:
        plt.close(fig)
    assert set(export.sites_table(plan)["equipment"]) == {"tvws"}
    doc = ET.tostring(kml.kml_document(plan, overlay_bounds=(0, 0, 1, 1)), encoding="unicode")
    assert "<value>tvws</value>" in doc.replace("ns0:", "")


def test_static_map_without_cited_sources_names_the_dem(tiny_plan):
    fig = charts.static_map_figure(tiny_plan, language="en")
    try:
        assert any("Sources: DEM: synthetic; EPSG:9377" in t.get_text() for t in fig.texts)
    finally:
        plt.close(fig)


def test_kml_colours_are_the_shared_colours():
    assert kml.kml_color("#1a9850") == "ff50981a"
    assert kml.kml_color("#7b3fa0", alpha=0) == "00a03f7b"


def test_manifest_hashes_the_scenario_layers_from_the_mirror(tiny_plan, tmp_path, mirror):
    """Layers named by the scenario are found in the mirror and checked against their sha256."""
    vfile = mirror / "palmitas_veredas.geojson"
    digest = hashlib.sha256(vfile.read_bytes()).hexdigest()
    layers = {
        "dem": LayerSpec(file="nowhere.tif"),
        "veredas": LayerSpec(file="palmitas_veredas.geojson", sha256=(digest,)),
        "schools": LayerSpec(file="palmitas_schools.geojson", sha256=("0" * 64,)),
    }
    area = dataclasses.replace(tiny_plan.scenario.area, layers=layers, path=mirror / "area.toml")
    plan = dataclasses.replace(tiny_plan, scenario=tiny_plan.scenario.replace(area=area))
    m = json.loads(export.write_manifest(plan, tmp_path / "manifest.json").read_text())
    assert m["inputs"]["veredas"]["sha256"] == digest
    assert m["inputs"]["veredas"]["matches_declared"] is True
    assert m["inputs"]["schools"]["matches_declared"] is False
    assert m["inputs"]["dem"]["sha256"] is None and m["inputs"]["dem"]["declared_sha256"] == []


def test_kml_draws_sector_azimuths(tiny_plan):
    s = tiny_plan.sites.copy()
    s["azimuths_deg"] = [[], [0.0, 120.0, 240.0], "90;270", "omni"]
    plan = dataclasses.replace(tiny_plan, sites=s)
    root = ET.fromstring(
        ET.tostring(kml.kml_document(plan, language="en", overlay_bounds=(0, 0, 1, 1)))
    )
    ns = {"k": kml.KML_NS}
    names = [
        pm.findtext("k:name", "", namespaces=ns) for pm in root.iter(f"{{{kml.KML_NS}}}Placemark")
    ]
    assert {"S1 0°", "S1 120°", "S1 240°", "S2 90°", "S2 270°"} <= set(names)
    assert not [n for n in names if n.startswith(("POP ", "R1 ")) and n.endswith("°")]
    north = next(
        pm for pm in root.iter(f"{{{kml.KML_NS}}}Placemark")
        if pm.findtext("k:name", namespaces=ns) == "S1 0°"
    )  # fmt: skip
    (lon0, lat0, _), (lon1, lat1, _) = (
        tuple(map(float, p.split(","))) for p in _text(north, ".//k:coordinates", ns).split()
    )
    assert lat1 > lat0 and abs(lon1 - lon0) < 1e-4  # grid north is near true north here
    assert export.sites_table(plan)["azimuths_deg"].tolist() == [
        "omni",
        "0;120;240",
        "90;270",
        "omni",
    ]
