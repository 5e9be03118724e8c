"""Tests of coverage.outputs.service: already served, newly served and still unserved, per
vereda, in the summary (JSON, CSV, Markdown) and the gap report (HTML, PDF); the existing
sites in the KMZ and the GeoPackage (the map's layers are in test_webmap); a plan without
existing service still writing every output."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import logging
import math
import pickle
import xml.etree.ElementTree as ET
import zipfile
from html.parser import HTMLParser

import geopandas as gpd
import matplotlib.pyplot as plt
import pyogrio
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coverage.outputs import export, kml, report, report_pages, service, summarytable
from tests.helpers import build_tiny_plan, without_existing_service

# the tiny plan gives no satellite terminal and builds no hotspot: its tables show the three
# other classes
CLASSES = tuple(
    c for c in service.SERVICE_CLASSES if c not in ("served_satellite", "served_hotspot")
)
NS = {"k": kml.KML_NS}


def test_tiny_plan_figures_by_service(tiny_plan):
    """The figures of build_tiny_plan's docstring, counted by hand."""
    s = report.summarize(tiny_plan)
    t = s["totals"]
    assert [t[f"households_{c}"] for c in CLASSES] == [25, 38, 20]
    assert [t[f"people_{c}"] for c in CLASSES] == [100, 150, 80]
    assert (t["households_covered"], t["people_covered"]) == (48, 190)  # covered by the plan
    by_name = {v["vereda"]: v for v in s["subdivisions"]}
    assert [by_name["La Suiza"][f"households_{c}"] for c in CLASSES] == [10, 20, 12]
    assert [by_name["Potrera Miserenga"][f"households_{c}"] for c in CLASSES] == [15, 18, 8]
    assert [v["vereda_id"] for v in s["subdivisions"]] == ["5001", "5002"]
    assert s["existing_service"] == {
        "present": True, "sites": 2, "estimated_sites": 1, "predicted_sites": 1,
        "operators": ["Claro", "Tigo"], "technologies": ["3G", "4G"],
    }  # fmt: skip


class _Table(HTMLParser):
    """The header and body cells (text) of the table of one id."""

    def __init__(self, table_id: str):
        super().__init__()
        self.id, self.inside = table_id, False
        self.cell: str | None = None
        self.head: list[str] = []
        self.rows: list[list[str]] = []

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.inside = ("id", self.id) in attrs
        elif self.inside and tag == "tr":
            self.rows.append([])
        elif self.inside and tag in ("td", "th"):
            self.cell = ""

    def handle_endtag(self, tag):
        if tag == "table":
            self.inside = False
        elif self.inside and tag in ("td", "th") and self.cell is not None:
            (self.rows[-1] if tag == "td" else self.head).append(self.cell)
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell += data


def _service_table(page: str) -> tuple[list[str], list[list[str]]]:
    parser = _Table("service")
    parser.feed(page)
    return parser.head, [r for r in parser.rows if r]


def _num(text: str) -> float:
    return float(text.replace(",", ""))


def test_three_classes_add_up_to_households_in_json_csv_and_gap_report(tiny_plan, tmp_path):
    paths = export.write_outputs(
        tiny_plan, tmp_path, language="en", formats=["summary", "gap_report"]
    )
    s = json.loads(paths["summary_json"].read_text(encoding="utf-8"))
    for figures in [*s["subdivisions"], s["totals"]]:
        for unit in ("households", "people"):
            parts = [figures[f"{unit}_{c}"] for c in CLASSES]
            assert math.fsum(parts) == figures[f"{unit}_total"]
    with paths["summary_csv"].open(encoding="utf-8") as f:
        table = list(csv.DictReader(f))
    assert [r["vereda_id"] for r in table] == ["5001", "5002"]
    for line in table:
        parts = [float(line[f"households_{c}"]) for c in CLASSES]
        assert sum(parts) == float(line["households_total"])
    head, body = _service_table(paths["gap_report_html"].read_text(encoding="utf-8"))
    assert head[:5] == [
        "Vereda", "Households", "Households: already served", "Households: newly served",
        "Households: still unserved",
    ]  # fmt: skip
    assert [r[0] for r in body] == ["La Suiza", "Potrera Miserenga", "Total"]
    for r in body:
        assert _num(r[1]) == _num(r[2]) + _num(r[3]) + _num(r[4])  # households
        assert _num(r[5]) == _num(r[6]) + _num(r[7]) + _num(r[8])  # people
    assert [_num(c) for c in body[-1][1:5]] == [83, 25, 38, 20]
    assert [_num(body[0][i]) + _num(body[1][i]) for i in range(1, 9)] == [
        _num(c) for c in body[-1][1:]
    ]


def test_gap_report_says_existing_positions_are_estimates(tiny_plan):
    s = report.summarize(tiny_plan)
    page = report.gap_report_html(s, language="en")
    assert "are estimates (OpenCelliD)" in page
    assert "sites: 2; operators: Claro, Tigo" in page
    assert 'id="service-chart"' in page and page.count('class="bar"') == 2
    es = report.gap_report_html(s, language="es")
    assert "son estimaciones (OpenCelliD)" in es and "Ya con servicio" in es
    sites = tiny_plan.existing_sites.assign(estimated=False)
    reported = report.summarize(dataclasses.replace(tiny_plan, existing_sites=sites))
    assert "OpenCelliD" not in report.gap_report_html(reported, language="en")
    assert "Already served" in report.gap_report_html(reported, language="en")


def test_a_plan_without_existing_service_shows_no_existing_column(tiny_plan):
    plan = without_existing_service(tiny_plan)
    s = report.summarize(plan)
    assert s["existing_service"]["present"] is False
    t = s["totals"]
    assert [t[f"households_{c}"] for c in CLASSES] == [0, 48, 35]  # newly = covered by the plan
    page = report.gap_report_html(s, language="en")
    head, body = _service_table(page)
    assert head == [
        "Vereda", "Households", "Households: newly served", "Households: still unserved",
        "People", "People: newly served", "People: still unserved",
    ]  # fmt: skip
    assert [_num(c) for c in body[-1][1:]] == [83, 48, 35, 330, 190, 140]
    assert "already served" not in page.lower() and "OpenCelliD" not in page
    assert "carries no data on existing mobile service" in page
    md = report.summary_markdown(s, language="en")
    assert "| Vereda | Households | Newly served | Still unserved |" in md
    assert "Already served" not in md


def test_a_plan_without_existing_service_writes_every_output(tiny_plan, tmp_path):
    """An old plan (no existing_sites, no service columns) still writes the whole set."""
    paths = export.write_outputs(without_existing_service(tiny_plan), tmp_path, language="en")
    assert {"map", "gpkg", "kmz", "gap_report_pdf", "summary_csv", "manifest"} <= set(paths)
    page = paths["map"].read_text(encoding="utf-8")
    assert '"Existing mobile sites"' not in page and '"Demand: Already served"' not in page
    assert '"Demand: Newly served"' in page and '"Demand: Still unserved"' in page
    assert "existing_sites" not in pyogrio.list_layers(paths["gpkg"])[:, 0]
    with zipfile.ZipFile(paths["kmz"]) as z:
        root = ET.fromstring(z.read("doc.kml"))
    assert "Existing mobile sites" not in _folder_names(root)
    summary = json.loads(paths["summary_json"].read_text(encoding="utf-8"))
    assert summary["existing_service"]["present"] is False


def _folder_names(root: ET.Element) -> list[str]:
    return [f.findtext("k:name", namespaces=NS) or "" for f in root.iter(f"{{{kml.KML_NS}}}Folder")]


def test_kmz_has_a_folder_of_existing_sites(tiny_plan):
    with zipfile.ZipFile(io.BytesIO(kml.kmz_bytes(tiny_plan, language="en"))) as z:
        root = ET.fromstring(z.read("doc.kml"))  # parses: well-formed
    assert "Existing mobile sites" in _folder_names(root)
    folder = next(
        f for f in root.iter(f"{{{kml.KML_NS}}}Folder")
        if f.findtext("k:name", namespaces=NS) == "Existing mobile sites"
    )  # fmt: skip
    marks = folder.findall("k:Placemark", NS)
    assert [m.findtext("k:name", namespaces=NS) for m in marks] == ["EX1", "EX2"]
    ex1 = marks[0]
    data = {
        d.get("name"): d.findtext("k:value", namespaces=NS)
        for d in ex1.iter(f"{{{kml.KML_NS}}}Data")
    }
    assert data["operator"] == "Claro" and data["technology"] == "4G"
    assert data["estimated"] == "True" and data["predicted"] == "True"
    assert "estimated (OpenCelliD)" in (ex1.findtext("k:description", namespaces=NS) or "")
    lon, lat, h = (ex1.findtext("k:Point/k:coordinates", namespaces=NS) or "").split(",")
    assert float(h) == 30.0 and -76 < float(lon) < -75 and 6 < float(lat) < 7
    demand = root.findall(".//k:Placemark", NS)
    services = [
        d.findtext("k:value", namespaces=NS)
        for m in demand
        for d in m.iter(f"{{{kml.KML_NS}}}Data")
        if d.get("name") == "service"
    ]
    assert services.count("served_existing") == 2 and len(services) == 8


def test_geopackage_has_the_existing_sites_and_the_service_columns(tiny_plan, tmp_path):
    path = export.write_geopackage(tiny_plan, tmp_path / "plan.gpkg")
    assert "existing_sites" in pyogrio.list_layers(path)[:, 0]
    sites = gpd.read_file(path, layer="existing_sites")
    assert list(sites["site_id"]) == ["EX1", "EX2"] and sites.crs.to_epsg() == 9377
    assert list(sites["estimated"]) == [True, False] and list(sites["predicted"]) == [True, False]
    demand = gpd.read_file(path, layer="demand")
    for column in ("existing_dbm", "existing_site", "existing_operator", "served_existing"):
        assert column in demand.columns
    assert list(demand["service"]) == list(tiny_plan.demand["service"])


def test_an_old_pickle_without_the_field_still_summarises(tiny_plan):
    """A plan pickled before Plan.existing_sites existed has no such attribute."""
    plan = without_existing_service(tiny_plan)
    state = pickle.loads(pickle.dumps(plan))
    del state.__dict__["existing_sites"]
    assert service.existing_sites(state) is None
    assert report.summarize(state)["existing_service"]["present"] is False


def test_demand_by_vereda_id_when_names_repeat(tiny_plan):
    """Two veredas named alike: with vereda_id on the demand, each is its own row."""
    v = tiny_plan.veredas.assign(name=["La Suiza", "La Suiza"])
    d = tiny_plan.demand.copy()
    d["vereda_id"] = ["5001" if n == "La Suiza" else "5002" for n in d["vereda"]]
    d["vereda"] = "La Suiza"
    s = report.summarize(dataclasses.replace(tiny_plan, veredas=v, demand=d))
    assert [(r["vereda"], r["vereda_id"]) for r in s["subdivisions"]] == [
        ("La Suiza", "5001"), ("La Suiza", "5002")
    ]  # fmt: skip
    assert [r["households_total"] for r in s["subdivisions"]] == [42, 41]
    by_name = report.summarize(dataclasses.replace(tiny_plan, veredas=v))
    assert len(by_name["subdivisions"]) == 2  # La Suiza once, Potrera Miserenga from the demand
    assert sum(r["households_total"] for r in by_name["subdivisions"]) == 83  # nobody twice


def test_missing_or_unknown_service_falls_back_to_covered_unknown_is_logged(tiny_plan, caplog):
    d = tiny_plan.demand.copy()
    d.loc[0, "service"] = None
    d.loc[4, "service"] = "maybe"
    with caplog.at_level(logging.WARNING, logger="coverage.outputs.service"):
        cls = service.service_classes(d)
    assert (cls[0], cls[4]) == ("served_new", "unserved")  # D1 covered, D5 not
    assert "1 demand points have an unknown service class" in caplog.text  # "maybe"


@settings(max_examples=30, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(CLASSES),
            st.floats(0, 1e4, allow_nan=False),
            st.floats(0, 1e4, allow_nan=False),
            st.sampled_from(["La Suiza", "Potrera Miserenga", "Otra"]),
        ),
        min_size=8,
        max_size=8,
    )
)
def test_service_classes_add_up_per_vereda_and_rows_to_totals(rows):
    """Property: whatever the service and households, each vereda's three classes add up to
    its households and people, and the vereda rows add up to the totals (JSON and CSV)."""
    plan = build_tiny_plan()
    d = plan.demand.copy()
    d["service"] = [r[0] for r in rows]
    d["households"] = [r[1] for r in rows]
    d["population"] = [r[2] for r in rows]
    d["vereda"] = [r[3] for r in rows]
    s = report.summarize(dataclasses.replace(plan, demand=d))
    t = s["totals"]
    for unit in ("households", "people"):
        for row in [*s["subdivisions"], t]:
            parts = [row[f"{unit}_{c}"] for c in CLASSES]
            assert math.fsum(parts) == pytest.approx(row[f"{unit}_total"], rel=1e-12, abs=1e-9)
            total, shown = service.shown_counts(row, unit, existing=True)
            assert total == sum(shown) and total == round(math.fsum(parts))
        for c in CLASSES:
            key = f"{unit}_{c}"
            assert math.fsum(v[key] for v in s["subdivisions"]) == pytest.approx(t[key], abs=1e-9)
    table = list(csv.DictReader(io.StringIO(summarytable.summary_csv(s, language="en"))))
    (total_row,) = csv.DictReader(io.StringIO(summarytable.total_csv(s, language="en")))
    for c in CLASSES:
        col = f"households_{c}"
        assert sum(int(r[col]) for r in table) == int(total_row[col])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(0, 1e6, allow_nan=False), max_size=6))
def test_whole_parts_add_up_to_the_rounded_sum(values):
    parts = service.whole_parts(values)
    assert sum(parts) == round(math.fsum(values))
    assert all(math.floor(v) <= p <= math.floor(v) + 1 for v, p in zip(values, parts, strict=True))


def test_gap_report_service_page_has_the_chart(tiny_plan):
    figs = report_pages.gap_report_figures(report.summarize(tiny_plan), language="en")
    try:
        assert len(figs) == 3
        chart = figs[1].axes[-1]
        assert chart.get_title() == "Households by service"
        legend = chart.get_legend()
        assert legend is not None
        assert [t.get_text() for t in legend.get_texts()] == [
            "Already served", "Newly served", "Still unserved",
        ]  # fmt: skip
        widths = sorted(round(p.get_width()) for p in chart.patches)  # type: ignore[attr-defined]
        assert widths == sorted([10, 20, 12, 15, 18, 8])
    finally:
        for f in figs:
            plt.close(f)


def test_satellite_terminals_are_a_class_of_their_own_and_the_parts_still_add_up(tiny_plan):
    """A point given a satellite terminal leaves "unserved" for "served_satellite" in the
    totals, the vereda rows and the gap report's table; the classes still add up."""
    import dataclasses

    d = tiny_plan.demand.copy()
    j = d.index[(d["service"] == "unserved") & (d["kind"] != "school")][0]
    d["satellite_terminals"] = 0
    d.loc[j, "satellite_terminals"] = 1
    d["service"] = service.service_classes(d.drop(columns="service"))
    plan = dataclasses.replace(tiny_plan, demand=d)
    s = report.summarize(plan)
    t = s["totals"]
    hh = float(d.loc[j, "households"])
    assert t["households_served_satellite"] == pytest.approx(hh)
    assert t["households_unserved"] == pytest.approx(20 - hh)
    parts = [t[f"households_{c}"] for c in service.SERVICE_CLASSES]
    assert sum(parts) == pytest.approx(t["households_total"])
    show, classes = service.shown_classes(s)
    assert show == {"existing": True, "satellite": True, "hotspot": False}
    assert "served_satellite" in classes and "served_hotspot" not in classes
    html = report.gap_report_html(s, language="en")
    assert "Satellite terminal" in html


def test_hotspot_households_are_a_class_between_new_and_satellite(tiny_plan):
    """A point a hotspot serves (``hotspot`` set, not covered) is "served_hotspot", ahead of
    a satellite terminal; shown only when some point is; the classes still add up."""
    import dataclasses

    d = tiny_plan.demand.copy()
    j = d.index[(d["service"] == "unserved") & (d["kind"] != "school")][0]
    d["hotspot"] = ""
    d.loc[j, "hotspot"] = "hotspot S1"
    d["satellite_terminals"] = 0
    d.loc[j, "satellite_terminals"] = 1  # a household counts once: the hotspot comes first
    d["service"] = service.service_classes(d.drop(columns="service"))
    assert d.loc[j, "service"] == "served_hotspot"
    s = report.summarize(dataclasses.replace(tiny_plan, demand=d))
    t = s["totals"]
    hh = float(d.loc[j, "households"])
    assert t["households_served_hotspot"] == pytest.approx(hh)
    assert t["households_served_satellite"] == 0
    assert sum(t[f"households_{c}"] for c in service.SERVICE_CLASSES) == pytest.approx(
        t["households_total"]
    )
    show, classes = service.shown_classes(s)
    assert show["hotspot"] and "served_hotspot" in classes
    assert "Public Wi-Fi hotspot" in service.service_totals_text(s, language="en")
