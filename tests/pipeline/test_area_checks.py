"""Checks a new area needs (issue 19): the PoP inside the terrain before any computation, and\ndemand in no sub-district reported in a named row."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point

from coverage.errors import ScenarioError
from coverage.outputs.markdown import summary_markdown
from coverage.outputs.report import gap_report_html, summarize
from coverage.outputs.summarytable import summary_csv
from coverage.pipeline import plan_coverage, prepare_inputs, resolve
from coverage.scenario import load_scenario
from tests.territory import write_territory


def test_a_pop_outside_the_terrain_is_refused_before_the_coverage_matrix(tmp_path: Path) -> None:
    path = write_territory(tmp_path)
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"lon_deg = [-\d.]+", "lon_deg = -70.0", text), encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"\[backhaul\] pop 'PoP' .* lies outside the terrain"):
        prepare_inputs(resolve(load_scenario(path)))


def test_a_pop_inside_the_terrain_passes(tmp_path: Path) -> None:
    inputs = prepare_inputs(resolve(load_scenario(write_territory(tmp_path))))
    assert len(inputs.demand) > 0


def test_a_school_in_no_sub_district_gets_a_named_row_never_an_empty_one(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = write_territory(tmp_path)
    schools = gpd.read_file(tmp_path / "schools.geojson").to_crs("EPSG:9377")
    veredas = gpd.read_file(tmp_path / "veredas.geojson").to_crs("EPSG:9377")
    xmin, ymin, _, ymax = veredas.total_bounds
    lost = Point(xmin - 300.0, (ymin + ymax) / 2)  # in the terrain, west of every vereda
    assert not veredas.contains(lost).any()
    extra = gpd.GeoDataFrame({"nombre": ["Escuela Perdida"]}, geometry=[lost], crs=schools.crs)
    pd.concat([schools, extra], ignore_index=True).to_crs(4326).to_file(
        tmp_path / "schools.geojson", driver="GeoJSON"
    )
    with caplog.at_level(logging.WARNING, logger="coverage.inputs.settlements"):
        plan = plan_coverage(path)
    assert "schools: 1 lie in no sub-district" in caplog.text and "Escuela Perdida" in caplog.text
    summary = summarize(plan)
    names = [str(r["vereda"]) for r in summary["subdivisions"]]
    assert all(n.strip() for n in names)
    (row,) = [r for r in summary["subdivisions"] if r.get("outside")]
    assert row["vereda"] == "Sin vereda" and row["schools_total"] == 1
    assert sorted(names) == ["Alta", "Baja", "Sin vereda"]
    (lost_row,) = [r for r in summary["schools"] if r["name"] == "Escuela Perdida"]
    assert lost_row["vereda"] == "Sin vereda"
    (lost_rates,) = [r for r in summary["broadband"]["schools"] if r["name"] == "Escuela Perdida"]
    assert lost_rates["vereda"] == "Sin vereda"
    assert "\n,Outside any vereda," in summary_csv(summary, language="en")
    assert "\n,Sin vereda," in summary_csv(summary, language="es")
    for language, shown in (("en", "Outside any vereda"), ("es", "Sin vereda")):
        assert f"| {shown} |" in summary_markdown(summary, language=language)
        assert f"<td>{shown}</td>" in gap_report_html(summary, language=language)
