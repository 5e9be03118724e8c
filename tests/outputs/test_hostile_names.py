"""End to end: a plan whose every name is hostile text, written with the project's export.

The names are those of the user test of issue 15: mathtext that does not parse, dollars that
mathtext would eat, HTML that would run, control characters that XML forbids, and a formula.
Every output must be written, and show each name as the text it is (less its control
characters).
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import shutil
import subprocess
import xml.etree.ElementTree as ET
import zipfile

import matplotlib.pyplot as plt
import pytest
from markdown_it import MarkdownIt
from matplotlib.text import Text

from coverage.outputs import charts, export, kml, report
from coverage.plan import Plan
from tests.helpers import build_tiny_plan, visible

HOSTILE = (
    "$\\frac{1}{$ x",
    "US$ 5 y US$ 10",
    "<script>alert(1)</script>",
    "<img src=x onload=alert(1)>",
    "a\x0bb\x01c",
    "\t=1+2",
)
#: The hostile names as every output shows them.
SHOWN = tuple(n.replace("\x0b", "").replace("\x01", "") for n in HOSTILE)
#: Site S2's hostile id (it names a profile file and labels the static map).
SITE_ID = "US$ 5 y US$ 10"
PLAN_NAME = "Plan a\x0bb\x01c US$ 5"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@pytest.fixture(scope="module")
def plan() -> Plan:
    """The tiny plan with hostile names for its veredas, schools, sites, S2's id, the existing
    sites' operators, technologies and EX1's id, and itself."""
    tiny = build_tiny_plan()
    cycle = [HOSTILE[i % len(HOSTILE)] for i in range(len(tiny.demand))]
    veredas = tiny.veredas.copy()
    veredas["name"] = HOSTILE[:2]
    demand = tiny.demand.copy()
    demand["name"] = cycle
    demand["vereda"] = cycle  # veredas named only by demand points too
    demand["best_site"] = demand["best_site"].replace("S2", SITE_ID)
    sites = tiny.sites.copy()
    sites["name"] = list(HOSTILE[2:])
    sites["site_id"] = sites["site_id"].replace("S2", SITE_ID)
    links = tiny.links.copy()
    for end in ("site_a", "site_b"):
        links[end] = links[end].replace("S2", SITE_ID)
    assert tiny.existing_sites is not None
    existing = tiny.existing_sites.copy()  # OpenCelliD text: operators, technologies, ids
    existing["operator"] = list(HOSTILE[2:4])
    existing["technology"] = list(HOSTILE[4:6])
    existing["site_id"] = [HOSTILE[0], "EX2"]
    demand["existing_site"] = demand["existing_site"].replace("EX1", HOSTILE[0])
    demand["existing_operator"] = demand["existing_operator"].replace("Claro", HOSTILE[2])
    return dataclasses.replace(
        tiny,
        name=PLAN_NAME,
        veredas=veredas,
        demand=demand,
        sites=sites,
        links=links,
        warnings=(HOSTILE[3],),
        existing_sites=existing,
    )


def _assert_no_controls(text: str, where: str) -> None:
    assert "\x0b" not in text and "\x01" not in text, where


def test_every_output_is_written_without_control_characters(plan, tmp_path):
    paths = export.write_outputs(plan, tmp_path, language="en")
    assert {"kmz", "static_map_png", "gap_report_pdf", "manifest"} <= set(paths)
    assert "profile_POP_R1" in paths and "profile_R1_US_5_y_US_10" in paths
    for key, path in paths.items():
        if path.suffix in (".html", ".md", ".csv", ".json"):
            _assert_no_controls(path.read_text(encoding="utf-8"), key)
    with zipfile.ZipFile(paths["kmz"]) as z:
        _assert_no_controls(z.read("doc.kml").decode(), "doc.kml")
    summary = json.loads(paths["summary_json"].read_text(encoding="utf-8"))
    manifest = json.loads(paths["manifest"].read_text(encoding="utf-8"))
    assert summary["name"] == manifest["plan"] == "Plan abc US$ 5"
    assert [v["subdivision"] for v in summary["subdivisions"]][:2] == list(SHOWN[:2])


def test_kml_is_well_formed_and_its_descriptions_show_text_only(plan, tmp_path):
    paths = export.write_outputs(plan, tmp_path, language="en", formats=["kmz"])
    with zipfile.ZipFile(paths["kmz"]) as z:
        root = ET.fromstring(z.read("doc.kml"))  # well-formed
    ns = {"k": kml.KML_NS}
    descriptions = [d.text or "" for d in root.iter(f"{{{kml.KML_NS}}}description")]
    # the document's, the sites' and existing sites' and one per demand sub-district folder
    folders = plan.demand["vereda"].nunique()
    assert len(descriptions) == 1 + len(plan.sites) + len(plan.existing_sites) + folders
    assert any("&lt;script&gt;alert(1)&lt;/script&gt; · abc · Position" in d for d in descriptions)
    for text in descriptions:
        tags = visible(text).tags
        assert {t for t, _ in tags} <= {"b", "ul", "li"}, text  # our own list markup only
        assert all(attrs == [] for _, attrs in tags), text
    names = {n.text for n in root.iterfind(".//k:Placemark/k:name", ns)}
    assert set(SHOWN) <= names


def test_static_map_prints_each_name_as_it_is(plan, tmp_path):
    fig = charts.static_map_figure(plan, language="en")
    try:
        fig.canvas.draw()
        texts = [t for t in fig.findobj(Text) if t.get_text()]
    finally:
        plt.close(fig)
    shown = {t.get_text() for t in texts}
    assert set(SHOWN[:2]) <= shown and SITE_ID in shown
    assert all(not t.get_parse_math() and not t.get_usetex() for t in texts if "$" in t.get_text())
    pdftotext = shutil.which("pdftotext")
    assert pdftotext, "pdftotext not found: apt-get install poppler-utils"
    pdf = export.write_outputs(plan, tmp_path, language="en", formats=["static_map"])
    done = subprocess.run(
        [pdftotext, str(pdf["static_map_pdf"]), "-"], capture_output=True, text=True, timeout=60
    )
    assert "US$ 5 y US$ 10" in done.stdout and "Plan abc US$ 5" in done.stdout


def test_csv_text_cells_never_start_a_formula(plan, tmp_path):
    formats = ["summary", "sites_csv", "links_csv"]
    paths = export.write_outputs(plan, tmp_path, language="en", formats=formats)
    for key, columns in (
        ("summary_csv", ("vereda",)),
        ("sites_csv", ("site_id", "name", "role", "crs", "equipment", "azimuths_deg")),
        ("links_csv", ("link", "site_a", "name_a", "site_b", "name_b", "crs")),
    ):
        rows = list(csv.DictReader(io.StringIO(paths[key].read_text(encoding="utf-8"))))
        cells = [r[c] for r in rows for c in columns]
        assert "'\t=1+2" in cells, key
        assert not [c for c in cells if c.startswith(FORMULA_START)], key


def test_html_and_markdown_hold_no_injected_markup(plan, tmp_path):
    paths = export.write_outputs(plan, tmp_path, language="en", formats=["map", "summary"])
    md = MarkdownIt("commonmark").enable("table").render(paths["summary_md"].read_text("utf-8"))
    pages = {
        "map": paths["map"].read_text(encoding="utf-8"),
        "gap_report_html": report.gap_report_html(report.summarize(plan), language="en"),
        "summary_md": md,
    }
    for key, page in pages.items():
        _assert_no_controls(page, key)
        tags = visible(page).tags
        assert "img" not in {t for t, _ in tags}, key
        assert not [a for _, attrs in tags for a, _v in attrs if a.startswith("on")], key
        if key != "map":  # the map's only scripts are Leaflet's and folium's
            assert "script" not in {t for t, _ in tags}, key
        assert "<script>alert(1)</script>" not in page, key


def test_a_name_the_chart_font_cannot_draw_is_written_with_one_warning(
    tmp_path, caplog: pytest.LogCaptureFixture
) -> None:
    """An emoji or CJK name: matplotlib warns per missing glyph (an error under pytest)."""
    tiny = build_tiny_plan()
    veredas = tiny.veredas.copy()
    veredas["name"] = ["ñandú 🌄", "山"]
    demand = tiny.demand.copy()
    demand["vereda"] = demand["vereda"].map(
        dict(zip(tiny.veredas["name"], veredas["name"], strict=True))
    )
    plan = dataclasses.replace(tiny, veredas=veredas, demand=demand)
    with caplog.at_level("WARNING"):
        paths = export.write_outputs(plan, tmp_path / "out", language="en")
    assert paths["static_map_png"].is_file() and paths["gap_report_pdf"].is_file()
    assert (
        "the chart font has no glyph for" in caplog.text and "SUNRISE OVER MOUNTAINS" in caplog.text
    )
