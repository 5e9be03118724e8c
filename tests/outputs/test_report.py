"""Tests of coverage.outputs.report: summary figures, per-vereda sums, CSV/Markdown/HTML/PDF pages."""

from __future__ import annotations

import csv
import dataclasses
import html
import io
import json
import re
import shutil
import subprocess
from html.parser import HTMLParser

import matplotlib.pyplot as plt
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coverage.outputs import labels, report, report_pages, service, summarytable
from coverage.plan import REASONS
from coverage.scenario import LayerSpec
from tests.helpers import WARNING

XSS = "<script>alert(1)</script>"
NUMERIC = (
    "people_total",
    "people_covered",
    "people_uncovered",
    "households_total",
    "households_covered",
    "households_uncovered",
    "schools_total",
    "schools_covered",
    "schools_uncovered",
    "demand_points",
)


def test_summary_reference_figures(tiny_plan):
    """Figures of the hand-built plan, counted by hand from conftest.build_tiny_plan."""
    s = report.summarize(tiny_plan)
    t = s["totals"]
    assert (t["people_total"], t["people_covered"], t["people_uncovered"]) == (330, 190, 140)
    assert (t["households_total"], t["households_covered"]) == (83, 48)
    assert (t["schools_total"], t["schools_covered"], t["schools_uncovered"]) == (2, 1, 1)
    assert t["share_people_covered"] == pytest.approx(190 / 330)
    assert t["uncovered_by_reason"]["blocked_by_terrain"]["people"] == 30
    assert t["uncovered_by_reason"]["out_of_range"]["people"] == 60
    assert t["uncovered_by_reason"]["weak_signal"]["people"] == 50
    assert t["uncovered_by_reason"]["no_backhaul"]["schools"] == 1
    assert s["cost"]["total_usd"] == 33_000
    # per person newly connected: 150 people served_new (40 of the 190 covered had service)
    assert s["cost"]["per_person_covered_usd"] == pytest.approx(33_000 / 150)
    assert s["cost"]["per_household_connected_usd"] == pytest.approx(33_000 / 38)
    assert s["sites"] == {"pop": 1, "access": 2, "relay": 1}
    assert s["backhaul"]["links"] == 4
    assert s["backhaul"]["min_margin_db"] == 4.0
    assert [v["vereda"] for v in s["subdivisions"]] == ["La Suiza", "Potrera Miserenga"]
    assert s["models"] == tiny_plan.models
    assert s["assumptions"] == tiny_plan.assumptions
    json.dumps(s, allow_nan=False)  # strictly JSON: no NaN


def _check_sums(s):
    t = s["totals"]
    for key in NUMERIC:
        assert sum(v[key] for v in s["subdivisions"]) == pytest.approx(t[key]), key
    uncovered = sum(v["people"] for v in t["uncovered_by_reason"].values())
    assert uncovered == pytest.approx(t["people_uncovered"])
    assert t["people_covered"] + t["people_uncovered"] == pytest.approx(t["people_total"])


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.floats(0, 1e4, allow_nan=False),
            st.sampled_from(REASONS),
            st.sampled_from(["La Suiza", "Potrera Miserenga", "Otra"]),
            st.booleans(),
        ),
        min_size=8,
        max_size=8,
    )
)
def test_totals_equal_sum_over_veredas(rows):
    """Property: whatever the demand, totals = sum over veredas; uncovered = sum by reason."""
    from tests.helpers import build_tiny_plan

    plan = build_tiny_plan()
    d = plan.demand.copy()
    d["population"] = [r[0] for r in rows]
    d["reason"] = [r[1] for r in rows]
    d["covered"] = [r[1] == "covered" for r in rows]
    d["vereda"] = [r[2] for r in rows]
    d["kind"] = ["school" if r[3] else "population" for r in rows]
    s = report.summarize(dataclasses.replace(plan, demand=d))
    _check_sums(s)
    assert {v["vereda"] for v in s["subdivisions"]} >= {"La Suiza", "Potrera Miserenga"}


def test_csv_total_file_is_the_sum_of_whole_rows(tiny_plan):
    s = report.summarize(tiny_plan)
    rows = list(csv.DictReader(io.StringIO(summarytable.summary_csv(s, language="en"))))
    (total,) = csv.DictReader(io.StringIO(summarytable.total_csv(s, language="en")))
    assert [r["vereda"] for r in rows] == ["La Suiza", "Potrera Miserenga"]  # no TOTAL row
    assert [r["vereda_id"] for r in rows] == ["5001", "5002"]
    assert total["vereda"] == "Total" and total["vereda_id"] == ""
    for key in ("people_covered", "people_uncovered", "schools_uncovered", "households_total"):
        assert int(total[key]) == sum(int(r[key]) for r in rows)
    assert int(total["people_covered"]) == s["totals"]["people_covered"]


def test_csv_shows_whole_people_and_households_that_add_up(tiny_plan):
    d = tiny_plan.demand.copy()
    d["population"] = d["population"] * 1.0137  # fractions, as dwelling points give
    d["households"] = d["households"] * 0.9871
    s = report.summarize(dataclasses.replace(tiny_plan, demand=d))
    rows = list(csv.DictReader(io.StringIO(summarytable.summary_csv(s, language="en"))))
    for r, v in zip(rows, s["subdivisions"], strict=True):
        for unit in ("people", "households"):
            parts = [r[f"{unit}_covered"], r[f"{unit}_uncovered"], r[f"{unit}_total"]]
            assert all(p.isdigit() for p in parts), parts  # whole numbers, no decimals
            assert int(parts[0]) + int(parts[1]) == int(parts[2])
            assert abs(int(parts[2]) - v[f"{unit}_total"]) < 1
            classes = [int(r[f"{unit}_{c}"]) for c in service.SERVICE_CLASSES]
            assert sum(classes) == int(parts[2])
        reasons = [int(r[f"uncovered_{g}_people"]) for g in report.GAP_REASONS]
        assert sum(reasons) == int(r["people_uncovered"])
    # the unrounded figures stay in the summary (summary.json)
    assert s["totals"]["people_total"] != round(s["totals"]["people_total"])


def test_csv_headers_are_in_the_report_language(tiny_plan):
    s = report.summarize(tiny_plan)
    es = next(csv.reader(io.StringIO(summarytable.summary_csv(s, language="es"))))
    en = next(csv.reader(io.StringIO(summarytable.summary_csv(s, language="en"))))
    assert en == list(summarytable.summary_columns()) and len(es) == len(en)
    assert es[:5] == [
        "id_vereda",
        "vereda",
        "personas_total",
        "personas_cubiertas",
        "personas_no_cubiertas",
    ]
    assert "hogares_aun_sin_servicio" in es and "personas_no_cubiertas_senal_debil" in es
    assert all(h.isascii() and h == h.lower() and " " not in h for h in es)
    assert len(set(es)) == len(es)
    (total,) = csv.DictReader(io.StringIO(summarytable.total_csv(s, language="es")))
    assert total["vereda"] == "Total"


def test_summary_markdown_shows_plain_text_as_it_is(tiny_plan):
    text = "BS <= 38 dBm, each path's elevation"
    plan = dataclasses.replace(tiny_plan, assumptions=[text])
    md = report.summary_markdown(report.summarize(plan), language="en")
    assert f"- {text}" in md
    assert "&lt;" not in md and "&#x27;" not in md and "&\\#" not in md


class _Cells(HTMLParser):
    """Collect the text of the cells of the table with id="subdivisions"."""

    def __init__(self):
        super().__init__()
        self.rows, self._in, self._cell = [], False, None

    def handle_starttag(self, tag, attrs):
        if tag == "table" and ("id", "subdivisions") in attrs:
            self._in = True
        elif self._in and tag == "tr":
            self.rows.append([])
        elif self._in and tag == "td":
            self._cell = ""

    def handle_endtag(self, tag):
        if tag == "table":
            self._in = False
        elif tag == "td" and self._cell is not None:
            self.rows[-1].append(self._cell)
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell += data


def test_gap_report_totals_equal_summary_and_vereda_sum(tiny_plan):
    s = report.summarize(tiny_plan)
    page = report.gap_report_html(s, language="en")
    parser = _Cells()
    parser.feed(page)
    rows = [r for r in parser.rows if r]
    assert [r[0] for r in rows] == ["La Suiza", "Potrera Miserenga", "Total"]

    def num(text):
        return float(text.replace(",", "").replace("%", ""))

    total, veredas = rows[-1], rows[:-1]
    t = s["totals"]
    expected = [
        t["people_covered"],
        t["people_uncovered"],
        t["households_covered"],
        t["households_uncovered"],
        t["schools_covered"],
        t["schools_uncovered"],
    ]
    for col, value in enumerate(expected, start=1):
        assert num(total[col]) == pytest.approx(value)
        assert sum(num(v[col]) for v in veredas) == pytest.approx(value)
    # people not covered, by reason, in the last four columns
    for col, reason in enumerate(report.GAP_REASONS, start=8):
        assert num(total[col]) == t["uncovered_by_reason"][reason]["people"]
    assert "Total cost of ownership" in page and "33,000" in page and "868" in page
    assert "log-distance toy model" in page  # the models of the run are stated
    assert "blocked by terrain" in page


def test_names_are_escaped_in_html_and_markdown(tiny_plan):
    v = tiny_plan.veredas.copy()
    v.loc[0, "name"] = XSS
    d = tiny_plan.demand.copy()
    d.loc[d["vereda"] == "La Suiza", "vereda"] = XSS
    d.loc[7, "name"] = '<img src=x onerror="alert(2)">'
    plan = dataclasses.replace(tiny_plan, veredas=v, demand=d, name="</title><b>x")
    s = report.summarize(plan)
    from markdown_it import MarkdownIt

    rendered = MarkdownIt("commonmark").enable("table").render(report.summary_markdown(s))
    for page in (report.gap_report_html(s), rendered):
        assert "<script>" not in page
        assert "<img" not in page
        assert "</title><b>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in report.gap_report_html(s)
    assert "\\<script>alert(1)\\</script>" in report.summary_markdown(s)  # a CommonMark escape


def test_spanish_and_english_labels(tiny_plan):
    s = report.summarize(tiny_plan)
    assert "Personas" in report.summary_markdown(s, language="es")
    assert "People" in report.summary_markdown(s, language="en")
    assert "señal débil" in report.gap_report_html(s, language="es")
    with pytest.raises(ValueError, match="Unknown language"):
        report.summary_markdown(s, language="fr")


def test_gap_report_figures_are_three_a4_pages(tiny_plan):
    figs = report_pages.gap_report_figures(report.summarize(tiny_plan), language="en")
    try:
        assert len(figs) == 3
        assert all(np.allclose(f.get_size_inches(), (8.27, 11.69)) for f in figs)
    finally:
        for f in figs:
            plt.close(f)


def test_data_sources_of_the_scenario_are_stated(tiny_plan):
    layers = dict(tiny_plan.scenario.area.layers)
    layers["dem"] = LayerSpec(file="dem.tif", source="NASA SRTM <v3>", licence="public domain")
    plan = dataclasses.replace(
        tiny_plan, scenario=tiny_plan.scenario.replace(area={"layers": layers})
    )
    s = report.summarize(plan)
    assert s["sources"][0] == {
        "layer": "dem", "file": "dem.tif", "source": "NASA SRTM <v3>", "licence": "public domain"
    }  # fmt: skip
    assert [x["layer"] for x in s["sources"]] == ["dem", "veredas", "schools"]
    page = report.gap_report_html(s, language="en")
    assert "NASA SRTM &lt;v3&gt; — public domain" in page and "<v3>" not in page
    assert "NASA SRTM \\<v3>" in report.summary_markdown(s)  # a CommonMark escape
    assert report.summarize(tiny_plan)["sources"][0]["file"] == "tiny/dem.tif"


def test_summary_records_the_scenario_as_plain_data(tiny_plan):
    s = report.summarize(tiny_plan)["scenario"]
    assert s == json.loads(json.dumps(report.jsonable(tiny_plan.scenario.to_dict())))
    assert s["placement"]["budget_sites"] == 2 and s["area"]["path"] == ""


class _Texts(HTMLParser):
    """Collect the text (entities decoded, as a browser shows it) of each ``li`` inside the
    element of one id."""

    def __init__(self, element_id: str):
        super().__init__()
        self.id, self.depth = element_id, 0
        self.items: list[str] = []

    def handle_starttag(self, tag, attrs):
        if self.depth or ("id", self.id) in attrs:
            self.depth += 1
            if tag == "li":
                self.items.append("")

    def handle_endtag(self, tag):
        if self.depth:
            self.depth -= 1

    def handle_data(self, data):
        if self.depth and self.items:
            self.items[-1] += data


def test_warnings_come_first_in_the_summary_and_the_gap_report(tiny_plan):
    plan = dataclasses.replace(tiny_plan, warnings=(WARNING, "Second warning."))
    s = report.summarize(plan)
    assert s["warnings"] == [WARNING, "Second warning."]
    assert json.loads(json.dumps(s))["warnings"] == s["warnings"]
    md = report.summary_markdown(s, language="en")
    assert "- **Solver stopped at its time limit \\<b>\\&amp; \\$x\\$\\</b>**" in md
    assert "<b>" not in md.replace("\\<b>", "")  # only as escaped text
    assert md.index("# Rural connectivity") < md.index("## ⚠ Warnings") < md.index("- People:")
    page = report.gap_report_html(s, language="es")
    parser = _Texts("warnings")
    parser.feed(page)
    # shown as the text it is, marked as English (no Spanish template has them)
    assert parser.items == [f"(en inglés) {WARNING}", "(en inglés) Second warning."]
    assert WARNING not in page and "<b>&amp;" not in page
    assert page.index("</h1>") < page.index('id="warnings"') < page.index("Personas:")
    assert "⚠ Advertencias" in page


@pytest.mark.parametrize("language", ["es", "en"])
def test_spanish_outputs_say_which_warnings_are_in_english(tiny_plan, language):
    """A warning no Spanish template has (coverage.outputs.warningtext) stays the program's
    English sentence, marked so in summary.md, the gap report (HTML and PDF pages) and the
    map's box, under the plain heading."""
    from coverage.outputs import webmap

    plan = dataclasses.replace(tiny_plan, warnings=(WARNING,))
    s = report.summarize(plan)
    heading = labels.label("warnings_heading", language)
    assert heading == {"es": "Advertencias", "en": "Warnings"}[language]
    md = report.summary_markdown(s, language=language)
    assert ("(en inglés)" in md) == (language == "es")
    assert f"## ⚠ {heading}" in md
    assert f"<h2>⚠ {heading}</h2>" in report.gap_report_html(s, language=language)
    assert f"⚠ {heading}:" in _page_texts(report_pages.gap_report_figures(s, language=language))
    page = webmap.map_html(webmap.coverage_map(plan, language=language))
    assert f"<b>⚠ {heading}</b>" in page


def test_a_plan_without_warnings_shows_no_warnings_heading(tiny_plan):
    s = report.summarize(tiny_plan)
    assert s["warnings"] == []
    for language in ("es", "en"):
        heading = labels.LABELS[language]["warnings"]
        assert heading not in report.summary_markdown(s, language=language)
        page = report.gap_report_html(s, language=language)
        assert heading not in page and 'id="warnings"' not in page


def _page_texts(figures):
    """Every text drawn on the figures (then closes them)."""
    try:
        return "\n".join(t.get_text() for f in figures for t in f.findobj(plt.Text))
    finally:
        for f in figures:
            plt.close(f)


def test_spanish_gap_report_has_no_english_model_text(tiny_plan):
    s = report.summarize(tiny_plan)
    es = report.gap_report_html(s, language="es")
    en = report.gap_report_html(s, language="en")
    english = ["log-distance toy model", "hand-placed", "Demand: hand-made test points"]
    assert all(t in en for t in english)
    assert not any(t in es for t in english)
    assert 'id="technical-record"' in es and "2 modelos y 2 supuestos" in es
    assert "manifest.json" in es
    pdf_es = _page_texts(report_pages.gap_report_figures(s, language="es"))
    assert not any(t in pdf_es for t in english) and "2 modelos y 2 supuestos" in pdf_es
    assert "log-distance toy model" in _page_texts(
        report_pages.gap_report_figures(s, language="en")
    )
    assert report.technical_record_note(s, language="en") is None


def test_no_uncovered_school_reads_ninguna_in_spanish(tiny_plan):
    s = report.summarize(tiny_plan)
    s["schools"] = [dict(x, covered=True) for x in s["schools"]]
    es = report.gap_report_html(s, language="es")
    assert '<td colspan="4">ninguna</td>' in es and "ninguno" not in es
    assert '<td colspan="4">none</td>' in report.gap_report_html(s, language="en")
    assert "ninguna" in _page_texts(report_pages.gap_report_figures(s, language="es"))


def _pdf_cells(pdf, page: int) -> set[str]:
    """The texts of the table cells on one PDF page, from pdftotext's word boxes.

    Words on one baseline closer than 6 pt form one line of a cell; lines centred on the
    same x, one under the other, form one cell (a header wrapped over lines).
    """
    pdftotext = shutil.which("pdftotext")
    assert pdftotext, "pdftotext not found: apt-get install poppler-utils"
    xml = subprocess.run(
        [pdftotext, "-bbox", "-f", str(page), "-l", str(page), str(pdf), "-"],
        capture_output=True, text=True, check=True, timeout=60,
    ).stdout  # fmt: skip
    words = sorted(
        (float(y1), float(x0), float(x1), html.unescape(w))
        for x0, x1, y1, w in re.findall(
            r'xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', xml
        )
    )
    rows: list[list] = []  # words on one baseline (yMax within 1.5 pt), left to right
    for word in words:
        if rows and word[0] - rows[-1][0][0] < 1.5:
            rows[-1].append(word)
        else:
            rows.append([word])
    lines: list[list] = []  # [y, x0, x1, text]
    for row in rows:
        for _y, x0, x1, w in sorted(row, key=lambda t: t[1]):
            last = lines[-1] if lines else None
            if last is not None and last[0] == row[0][0] and -1.0 < x0 - last[2] < 6.0:
                # no space before a glyph drawn on its own (a ligature such as "fi")
                gap = " " if x0 - last[2] > 1.0 else ""
                last[2], last[3] = x1, f"{last[3]}{gap}{w}"
            else:
                lines.append([row[0][0], x0, x1, w])
    cells: list[list] = []  # [y of the last line, centre x, text]
    for y, x0, x1, text in sorted(lines):
        centre = (x0 + x1) / 2
        above = [c for c in cells if abs(c[1] - centre) < 2.0 and 4.0 < y - c[0] < 14.0]
        if above:
            above[-1][0], above[-1][2] = y, f"{above[-1][2]} {text}"
        else:
            cells.append([y, centre, text])
    return {" ".join(c[2].split()) for c in cells}


@pytest.mark.parametrize("language", ["es", "en"])
def test_gap_report_pdf_has_every_column_of_the_html_vereda_table(tiny_plan, tmp_path, language):
    """Each header of the HTML vereda table is a column of a PDF table: the counts on page 1
    (households covered too), the people not covered by reason on page 2."""
    from coverage.outputs import export

    paths = export.write_outputs(tiny_plan, tmp_path, language=language, formats=["gap_report"])
    page = paths["gap_report_html"].read_text(encoding="utf-8")
    thead = re.search(r'<table id="subdivisions"><thead><tr>(.*?)</tr>', page)
    assert thead is not None
    headers = [html.unescape(h) for h in re.findall(r"<th>(.*?)</th>", thead.group(1))]
    uncovered = labels.label("uncovered", language)
    reasons = [h.split(": ", 1)[1] for h in headers if h.startswith(f"{uncovered}: ")]
    counts = [h for h in headers if not h.startswith(f"{uncovered}: ")]
    assert len(reasons) == len(REASONS) - 1 and len(counts) == 8
    assert (
        f"{labels.label('households', language)} {labels.label('covered', language).lower()}"
        in counts
    )
    page1, page2 = _pdf_cells(paths["gap_report_pdf"], 1), _pdf_cells(paths["gap_report_pdf"], 2)
    assert [h for h in counts if h not in page1] == [], sorted(page1)
    assert [r for r in reasons if r not in page2] == [], sorted(page2)
