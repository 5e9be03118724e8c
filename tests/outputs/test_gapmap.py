"""Tests of the gap report's map of the unserved households per sub-district and reason.

The tiny plan (tests/helpers.py) leaves 20 households unserved: Filo Alto in La Suiza (12,
weak signal), Cañada in Potrera Miserenga (8, blocked by terrain), and the school Sede
Miserenga (no backhaul).
"""

from __future__ import annotations

import base64
import dataclasses
import html
import io
import re
import shutil
import subprocess

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.colors import to_hex
from PIL import Image

from coverage.outputs import export, gapmap


def _pdf_text(path) -> str:
    tool = shutil.which("pdftotext")
    if tool is None:
        pytest.fail("pdftotext not found: apt-get install poppler-utils (make test does)")
    done = subprocess.run([tool, str(path), "-"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_each_unserved_point_is_drawn_in_its_reason_colour(tiny_plan):
    gap = gapmap.unserved_points(tiny_plan)
    assert sorted(gap["name"]) == ["Cañada", "Filo Alto", "Sede Miserenga"]
    fig = gapmap.gap_map_figure(tiny_plan, language="en")
    try:
        ax = fig.axes[0]
        drawn: dict[str, list[tuple[float, ...]]] = {}
        for coll in ax.collections:
            offsets = np.asarray(coll.get_offsets())
            faces = np.asarray(coll.get_facecolor())
            if len(offsets) and len(faces):
                colour = to_hex(tuple(faces[0]), keep_alpha=False)
                drawn.setdefault(colour, []).extend(tuple(map(float, o)) for o in offsets)
        texts = [t.get_text() for t in ax.texts]
        legend = [t.get_text() for t in fig.legends[0].get_texts()]
    finally:
        plt.close(fig)
    for r in gap.itertuples():
        assert (r.geometry.x, r.geometry.y) in drawn[gapmap.REASON_COLORS[r.reason]], r.name
    assert "La Suiza\n12 households" in texts and "Potrera Miserenga\n8 households" in texts
    assert legend == [
        "blocked by terrain: 8 households",
        "weak signal: 12 households",
        "no backhaul: 0 households · schools: 1",
    ]


def test_the_html_report_embeds_the_gap_map(tiny_plan, tmp_path):
    paths = export.write_outputs(tiny_plan, tmp_path, language="es", formats=["gap_report"])
    page = paths["gap_report_html"].read_text(encoding="utf-8")
    found = re.search(r'<img id="gap-map" src="data:image/png;base64,([^"]+)" alt="([^"]+)"', page)
    assert found is not None
    assert html.unescape(found.group(2)) == "Hogares aún sin servicio por vereda y motivo"
    png = base64.b64decode(found.group(1))
    assert png == gapmap.gap_map_png(tiny_plan, language="es")
    assert Image.open(io.BytesIO(png)).size == (int(8.27 * 110), int(11.69 * 110))  # A4
    # it follows the table of sub-districts
    assert page.index('id="subdivisions"') < page.index('id="gap-map"')


def test_the_pdf_report_has_the_gap_map_page(tiny_plan, tmp_path):
    paths = export.write_outputs(tiny_plan, tmp_path, language="es", formats=["gap_report"])
    text = _pdf_text(paths["gap_report_pdf"])
    assert "Hogares aún sin servicio por vereda y motivo" in text
    for line in ("señal débil: 12 hogares", "bloqueado por el terreno: 8 hogares", "12 hogares"):
        assert line in text, line
    assert "Aún sin servicio: 20 hogares · escuelas: 1" in text


def _whole(pattern: str, text: str) -> int:
    """The whole number the first group of ``pattern`` finds in ``text``."""
    found = re.search(pattern, text)
    assert found is not None, (pattern, text)
    return int(found[1])


def test_the_gap_maps_figures_are_the_summarys(tiny_plan):
    """Households are fractional: the map's total is the figure summary.md shows (its
    service classes rounded to add up), and the reasons add up to it."""
    from coverage.outputs.markdown import summary_markdown
    from coverage.outputs.report import summarize

    demand = tiny_plan.demand.copy()
    demand["households"] = demand["households"] + 0.4  # fractions that plain rounding splits
    plan = dataclasses.replace(tiny_plan, demand=demand)
    md = summary_markdown(summarize(plan), language="en")
    shown = _whole(r"Still unserved (\d+)", md)
    assert gapmap.shown_unserved(plan.demand) == shown
    fig = gapmap.gap_map_figure(plan, language="en")
    try:
        legend = [t.get_text() for t in fig.legends[0].get_texts()]
        footer = [t.get_text() for t in fig.texts if t.get_text().startswith("Still unserved")]
    finally:
        plt.close(fig)
    assert sum(_whole(r": (\d+) households", line) for line in legend) == shown
    assert footer and footer[0].startswith(f"Still unserved: {shown} households"), footer
