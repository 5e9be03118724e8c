"""Tests of coverage.inputs.subdivisions: every vereda with its own id and name, so that the
per-vereda tables of a plan add up to its totals."""

from __future__ import annotations

import dataclasses
import logging
from functools import cache
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
from hypothesis import given, reject
from hypothesis import strategies as st
from shapely.geometry import Point, box

from coverage.errors import InputError
from coverage.inputs.dem import load_terrain
from coverage.inputs.settlements import demand_points, load_settlements
from coverage.inputs.subdivisions import vereda_table
from coverage.outputs.report import summarize
from coverage.plan import Plan
from coverage.scenario import PopulationFacts
from tests.helpers import build_tiny_plan

#: Figures of a summary row that must add up to the totals.
SUMMED = ("people_total", "people_covered", "households_total", "households_covered")


def _layer(names: list[object], ids: list[object] | None = None) -> gpd.GeoDataFrame:
    """One 1 km square vereda per name, side by side, in EPSG:9377."""
    fields: dict[str, list[object]] = {"nombre": names}
    if ids is not None:
        fields["codigo"] = ids
    squares = [
        box(4_700_000 + 1000 * i, 2_250_000, 4_701_000 + 1000 * i, 2_251_000)
        for i in range(len(names))
    ]
    return gpd.GeoDataFrame(fields, geometry=squares, crs="EPSG:9377")


def _table(layer: gpd.GeoDataFrame, id_field: str = "codigo") -> gpd.GeoDataFrame:
    return vereda_table(layer, "v.geojson", "EPSG:9377", name_field="nombre", id_field=id_field)


def test_repeated_names_become_name_and_id_with_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="coverage.inputs.subdivisions"):
        v = _table(_layer(["La Suiza", "La Suiza", "Urquita"], ["5001", "5002", "5003"]))
    assert v["name"].tolist() == ["La Suiza (5001)", "La Suiza (5002)", "Urquita"]
    assert v["vereda_id"].tolist() == ["5001", "5002", "5003"]
    assert "'La Suiza' repeat" in caplog.text and "La Suiza (5002)" in caplog.text
    rows = _table(_layer(["A", "A"]), id_field="")
    assert rows["name"].tolist() == ["A (0)", "A (1)"]  # without an id field, the row number


def test_a_vereda_without_a_name_takes_its_id_or_is_refused_without_one(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING, logger="coverage.inputs.subdivisions"):
        v = _table(_layer(["Alta", None, "  "], ["1", "2", "3"]))
    assert v["name"].tolist() == ["Alta", "2", "3"]
    assert "2 vereda(s) without a name in field 'nombre' are named by their 'codigo': 2, 3" in (
        caplog.text
    )
    with pytest.raises(InputError) as err:
        _table(_layer(["Alta", None, ""]), id_field="")
    (problem,) = err.value.problems
    assert problem.startswith("veredas layer v.geojson: 2 vereda(s) without a name in field")
    assert "(rows 1, 2)" in problem and "set id_field" in problem


def test_missing_and_repeated_ids_are_refused_naming_rows_and_field() -> None:
    with pytest.raises(InputError) as err:
        _table(_layer(["A", "B", "C", "D"], ["7", None, "7", "9"]))
    missing, repeated = err.value.problems
    assert "1 feature(s) without an id in field 'codigo' (rows 1)" in missing
    assert "id field 'codigo' repeats '7' (rows 0, 2)" in repeated
    assert all(p.startswith("veredas layer v.geojson: ") for p in err.value.problems)


def test_names_that_repeat_even_with_their_id_are_refused() -> None:
    with pytest.raises(InputError, match=r"names 'A \(1\)' repeat even with their ids added"):
        _table(_layer(["A", "A", "A (1)"], ["1", "2", "3"]))


@cache
def _base_plan() -> Plan:
    return build_tiny_plan()


#: Vereda names that break grouping by name: repeats, empty, blank, missing, one with an id.
NAMES = st.sampled_from(["Alta", "Baja", "", " ", None, "Alta (1)", "nan"])


@st.composite
def _plans(draw: st.DrawFn, *, through_load: bool) -> Plan:
    """A plan whose demand points lie in random veredas (or none) with awkward names."""
    n = draw(st.integers(1, 5))
    names: list[object] = draw(st.lists(NAMES, min_size=n, max_size=n))
    veredas = _layer(names, [str(i + 1) for i in range(n)])
    if through_load:
        try:
            veredas = _table(veredas)
        except InputError:
            reject()  # names that repeat even with their ids ("A", "A", "A (1)") are refused
    else:
        veredas = veredas.rename(columns={"nombre": "name", "codigo": "vereda_id"})
    k = draw(st.integers(1, 12))
    where = draw(st.lists(st.integers(-1, n - 1), min_size=k, max_size=k))  # -1: in none
    people = draw(st.lists(st.floats(0, 5000), min_size=k, max_size=k))
    covered = draw(st.lists(st.booleans(), min_size=k, max_size=k))
    school = draw(st.lists(st.booleans(), min_size=k, max_size=k))
    names_col = veredas["name"].to_numpy()
    demand = gpd.GeoDataFrame(
        {
            "demand_id": [f"D{i}" for i in range(k)],
            "kind": ["school" if s else "population" for s in school],
            "name": "",
            "vereda": [names_col[w] if w >= 0 else "" for w in where],
            "population": [0.0 if s else p for s, p in zip(school, people, strict=True)],
            "households": [0.0 if s else p / 2.3 for s, p in zip(school, people, strict=True)],
            "covered": covered,
            "best_site": ["S1" if c else "" for c in covered],
            "rx_dbm": [-70.0 if c else -110.0 for c in covered],
            "n_servers": [int(c) for c in covered],
            "reason": ["covered" if c else "out_of_range" for c in covered],
        },
        geometry=[Point(4_700_500, 2_250_500)] * k,
        crs="EPSG:9377",
    )
    return dataclasses.replace(_base_plan(), veredas=veredas, demand=demand)


def _assert_rows_add_up(plan: Plan) -> dict:
    summary = summarize(plan)
    for key in SUMMED:
        rows = sum(r[key] for r in summary["subdivisions"])
        assert rows == pytest.approx(summary["totals"][key], rel=1e-12, abs=1e-9), key
    assert (
        sum(r["schools_total"] for r in summary["subdivisions"])
        == summary["totals"]["schools_total"]
    )
    return summary


@given(_plans(through_load=False))
def test_vereda_rows_add_up_to_the_totals_whatever_the_names(plan: Plan) -> None:
    _assert_rows_add_up(plan)


@given(_plans(through_load=True))
def test_loaded_veredas_each_get_their_own_row(plan: Plan) -> None:
    summary = _assert_rows_add_up(plan)
    names = [r["vereda"] for r in summary["subdivisions"]]
    assert names[: len(plan.veredas)] == plan.veredas["name"].tolist()
    assert len(set(names)) == len(names) and all(n.strip() for n in names[: len(plan.veredas)])


def test_palmitas_with_a_repeated_and_a_missing_name_keeps_every_person(
    mirror: Path, tmp_path: Path
) -> None:
    """The issue's case: rows summed to 8,264 people for 6,481, or lost 1,485 to a null name."""
    v = gpd.read_file(mirror / "palmitas_veredas.geojson")
    v.loc[1, "nombre"] = v.loc[0, "nombre"]  # two "La Suiza"
    v.loc[2, "nombre"] = None
    v.to_file(tmp_path / "veredas.geojson", driver="GeoJSON")
    paths = {
        "veredas": tmp_path / "veredas.geojson",
        "schools": mirror / "palmitas_schools.geojson",
        "boundary": mirror / "palmitas_corregimiento.geojson",
    }
    st_ = load_settlements(paths, "EPSG:9377", school_inside_field="dentro_corregimiento_50")
    assert st_.veredas["name"].tolist()[:3] == ["La Suiza (5001)", "La Suiza (5002)", "5003"]
    area = st_.boundary.geometry.iloc[0]
    terrain = load_terrain(mirror / "dem" / "medellin_dem_srtm1.tif", area, "EPSG:9377", margin_m=0)
    demand, _ = demand_points(terrain, st_, PopulationFacts(total_people=6481, households=2868))
    demand = demand.assign(
        covered=True, best_site="S1", rx_dbm=-70.0, n_servers=1, reason="covered"
    )
    plan = dataclasses.replace(_base_plan(), veredas=st_.veredas, demand=demand)
    summary = _assert_rows_add_up(plan)
    assert summary["totals"]["people_total"] == pytest.approx(6481)
    assert np.all([r["people_total"] > 0 for r in summary["subdivisions"][:8]])
