"""Tests of coverage.inputs.existing: the existing-sites layer, its errors and its defaults."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from coverage.errors import InputError, ScenarioError
from coverage.inputs.existing import (
    EXISTING_COLUMNS,
    check_existing_sites,
    load_existing_sites,
    targeted,
    with_existing_columns,
)
from coverage.scenario import ExistingParams


def _point(lon: float, lat: float, **props: object) -> dict:
    return {
        "type": "Feature",
        "properties": props,
        "geometry": {"type": "Point", "coordinates": [lon, lat]},
    }


def _layer(path: Path, *features: dict) -> Path:
    path.write_text(json.dumps({"type": "FeatureCollection", "features": list(features)}), "utf-8")
    return path


OPENCELLID = {"operador": "Claro", "celdas": 2, "muestras": 36, "actualizado": "2026-03-23"}


def test_opencellid_fields_load_with_stated_defaults(tmp_path: Path) -> None:
    path = _layer(
        tmp_path / "cells.geojson",
        _point(-75.69, 6.33, tecnologia="LTE", **OPENCELLID),
        _point(-75.62, 6.28, tecnologia="umts ", **OPENCELLID | {"operador": "Tigo"}),
    )
    params = ExistingParams()
    sites = load_existing_sites(path, "EPSG:9377", params)
    assert sites.crs == "EPSG:9377"
    assert sites["site_id"].tolist() == ["X01", "X02"]
    assert sites["operator"].tolist() == ["Claro", "Tigo"]
    assert sites["technology"].tolist() == ["LTE", "UMTS"]  # stripped, upper case
    assert sites["height_m"].tolist() == [25.0, 25.0]
    assert sites["tx_power_dbm"].tolist() == [46.0, 43.0]
    assert sites["antenna_gain_dbi"].tolist() == [15.0, 15.0]
    assert sites["f_mhz"].tolist() == [780.5, 881.5]
    assert sites["estimated"].all()
    assert set(sites.geometry.geom_type) == {"Point"}


def test_height_power_and_id_fields_override_the_defaults(tmp_path: Path) -> None:
    path = _layer(
        tmp_path / "sites.geojson",
        _point(-75.69, 6.33, op="A", tech="GSM", h=40.0, p=None, code="s1"),
        _point(-75.68, 6.33, op="B", tech="LTE", h=None, p=40.0, code="s2"),
    )
    params = ExistingParams(
        operator_field="op",
        technology_field="tech",
        height_field="h",
        power_field="p",
        positions_estimated=False,
    )
    sites = load_existing_sites(path, "EPSG:9377", params, id_field="code")
    assert sites["site_id"].tolist() == ["s1", "s2"]
    assert sites["height_m"].tolist() == [40.0, 25.0]  # empty: the default
    assert sites["tx_power_dbm"].tolist() == [43.0, 40.0]
    assert not sites["estimated"].any()


def test_every_problem_names_file_feature_and_field(tmp_path: Path) -> None:
    path = _layer(
        tmp_path / "bad.geojson",
        _point(-75.69, 6.33, operador="Claro", tecnologia="LTE", altura=500.0, code="a"),
        _point(-75.68, 6.33, operador="Claro", tecnologia="5G", altura=-3.0, code="a"),
        _point(-75.67, 6.33, operador="Claro", tecnologia=None, altura=30.0, code=""),
    )
    params = ExistingParams(height_field="altura")
    problems = check_existing_sites(path, params, id_field="code")
    text = "\n".join(problems)
    assert all("bad.geojson" in p for p in problems)
    assert "feature 0 field 'altura' is 500.0, not a number in (0, 200] m" in text
    assert "feature 1 field 'altura' is -3.0" in text
    assert "feature 1 field 'tecnologia' is '5G'" in text and "add 5G to them" in text
    assert "feature 2 has no 'tecnologia'" in text
    assert "feature 2 has an empty 'code'" in text
    assert "repeats the ids ['a']" in text
    with pytest.raises(InputError) as info:
        load_existing_sites(path, "EPSG:9377", params, id_field="code")
    assert info.value.problems == problems


def test_missing_fields_and_wrong_geometry_are_named(tmp_path: Path) -> None:
    path = tmp_path / "lines.geojson"
    line = {"type": "LineString", "coordinates": [[-75.69, 6.33], [-75.68, 6.34]]}
    path.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [{"type": "Feature", "properties": {"x": 1}, "geometry": line}],
            }
        ),
        "utf-8",
    )
    problems = check_existing_sites(path, ExistingParams(power_field="dbm"))
    text = "\n".join(problems)
    assert "expected Point geometries" in text
    assert "no field 'operador' ([existing] operator_field)" in text
    assert "no field 'tecnologia' ([existing] technology_field)" in text
    assert "no field 'dbm' ([existing] power_field)" in text and 'or to ""' in text
    unreadable = tmp_path / "garbage.geojson"
    unreadable.write_text("not json", "utf-8")
    assert (
        "cannot be read as a vector layer" in check_existing_sites(unreadable, ExistingParams())[0]
    )


def test_existing_section_refuses_bad_values_all_at_once() -> None:
    with pytest.raises(ScenarioError) as info:
        ExistingParams(
            target="some",
            height_m=0.0,
            tx_power_dbm={"LTE": 120.0},
            f_mhz={"lte": 780.0},
            operator_field="",
        )
    text = str(info.value)
    for key in ("target", "height_m", "tx_power_dbm", "f_mhz", "operator_field"):
        assert f"{key}:" in text
    assert "upper case" in text


def test_blank_columns_and_the_target() -> None:
    import geopandas as gpd
    from shapely.geometry import Point

    demand = gpd.GeoDataFrame(
        {"population": [1.0, 2.0]}, geometry=[Point(0, 0), Point(1, 1)], crs="EPSG:9377"
    )
    blank = with_existing_columns(demand)
    assert set(EXISTING_COLUMNS) <= set(blank.columns)
    assert blank["existing_dbm"].isna().all() and not blank["served_existing"].any()
    assert (blank["existing_site"] == "").all() and (blank["existing_operator"] == "").all()
    assert "served_existing" not in demand.columns  # a copy, not the input changed
    assert targeted(demand, "everyone").all()
    with pytest.raises(InputError, match="existing_service"):
        targeted(demand, "unserved")
    blank.loc[0, "served_existing"] = True
    np.testing.assert_array_equal(targeted(blank, "unserved"), [False, True])
