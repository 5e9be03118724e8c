"""Tests of coverage.inputs.dwellings: households shared over dwelling points, and its checks."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from shapely.geometry import Point, box

from coverage import pipeline, synthetic
from coverage.inputs.dwellings import area_demand, dwelling_demand
from coverage.inputs.settlements import Settlements
from coverage.inputs.terrain import Terrain
from coverage.scenario import DemandParams, LayerSpec, load_scenario

TERRAIN = synthetic.flat()  # 50 x 50 cells of 30 m
XMIN, YMIN, XMAX, YMAX = TERRAIN.bounds
MID = (XMIN + XMAX) / 2
PPH = 2.5
COLUMNS = ["demand_id", "kind", "name", "vereda", "population", "households", "geometry"]


def _settlements(terrain: Terrain = TERRAIN, *, gap_m: float = 0.0) -> Settlements:
    """Veredas West (id 1) and East (id 2), ``gap_m`` apart, in a boundary over both."""
    crs = terrain.crs
    veredas = gpd.GeoDataFrame(
        {"vereda_id": ["1", "2"], "name": ["West", "East"]},
        geometry=[box(XMIN, YMIN, MID - gap_m, YMAX), box(MID + gap_m, YMIN, XMAX, YMAX)],
        crs=crs,
    )
    boundary = gpd.GeoDataFrame({"name": ["area"]}, geometry=[box(XMIN, YMIN, XMAX, YMAX)], crs=crs)
    schools = gpd.GeoDataFrame(
        {"school_id": ["school-0"], "name": ["Escuela"], "vereda": ["East"]},
        geometry=[Point(MID + 300, YMIN + 300)],
        crs=crs,
    )
    return Settlements(boundary=boundary, veredas=veredas, schools=schools)


def _points(xy: list[tuple[float, float]], **fields: list[str]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(fields, geometry=[Point(x, y) for x, y in xy], crs=TERRAIN.crs).to_crs(
        4326
    )


def _per_vereda(demand: gpd.GeoDataFrame, column: str = "households") -> dict[str, float]:
    people = demand[demand["kind"] == "population"]
    return {str(k): float(v) for k, v in people.groupby("vereda_id")[column].sum().items()}


def test_each_vereda_shares_its_households_equally_over_its_points() -> None:
    west = [(XMIN + 100 + 50 * i, YMIN + 200) for i in range(3)]
    east = [(MID + 100, YMIN + 400), (MID + 300, YMIN + 500)]
    layer = _points(west + east, direccion=["a", "b", "c", "d", "e"])
    demand, sentences = dwelling_demand(
        TERRAIN,
        _settlements(),
        {"1": 30.0, "2": 10.0},
        people_per_household=PPH,
        dwellings=layer,
        name_field="direccion",
        layer="d.geojson",
    )
    assert set(COLUMNS) <= set(demand.columns)
    people = demand[demand["kind"] == "population"]
    assert list(people["demand_id"]) == [f"dwelling-{i}" for i in range(5)]
    assert list(people["name"]) == ["a", "b", "c", "d", "e"]
    assert list(people["vereda"]) == ["West"] * 3 + ["East"] * 2
    np.testing.assert_allclose(people["households"], [10, 10, 10, 5, 5])
    np.testing.assert_allclose(people["population"], people["households"] * PPH)
    school = demand[demand["kind"] == "school"]
    assert list(school["population"]) == [0.0] and list(school["vereda_id"]) == ["2"]
    assert sentences[0].startswith("Demand from 5 dwelling points (d.geojson), one demand point")
    assert "2.50 people per household" in sentences[0]
    assert demand.crs == TERRAIN.crs


def test_points_outside_the_area_are_left_out_and_gap_points_join_the_nearest(
    caplog: pytest.LogCaptureFixture,
) -> None:
    inside = (XMIN + 100, YMIN + 100)
    gap = (MID + 10, YMIN + 100)  # in the 40 m strip between the veredas, nearer East
    outside = (XMAX + 500, YMIN + 100)
    demand, sentences = dwelling_demand(
        TERRAIN,
        _settlements(gap_m=20.0),
        {"1": 4.0, "2": 6.0},
        people_per_household=PPH,
        dwellings=_points([inside, gap, outside]),
    )
    assert _per_vereda(demand) == {"1": 4.0, "2": 6.0}
    assert list(demand.loc[demand["kind"] == "population", "demand_id"]) == [
        "dwelling-0",
        "dwelling-1",
    ]
    told = " ".join(sentences)
    assert (
        "1 of 3 dwelling point(s) of the dwellings layer lie outside the area and are left out"
        in told
    )
    assert (
        "1 dwelling point(s) of the dwellings layer lie inside the area but outside every vereda polygon"
        in told
    )
    assert "at most 10 m away" in told
    # each problem once in the log
    assert sum("outside the area" in r.message for r in caplog.records) == 1


def test_vereda_with_households_but_no_points_is_spread_over_its_habitable_cells() -> None:
    demand, sentences = dwelling_demand(
        TERRAIN,
        _settlements(),
        {"1": 12.0, "2": 30.0},
        people_per_household=PPH,
        dwellings=_points([(XMIN + 100, YMIN + 100)]),
        params=DemandParams(resolution_m=150.0),
    )
    assert _per_vereda(demand) == pytest.approx({"1": 12.0, "2": 30.0})
    spread = demand[demand["demand_id"].str.startswith("sub-1-cell-")]
    assert len(spread) == 50  # 25 x 50 cells of 30 m in 150 m blocks: 5 x 10
    assert (spread["vereda"] == "East").all()
    assert "ASSUMPTION: sub-districts ['East'] have 30 households in the table but no dwelling" in (
        " ".join(sentences)
    )


def test_vereda_with_points_but_no_households_leaves_them_out() -> None:
    demand, sentences = dwelling_demand(
        TERRAIN,
        _settlements(),
        {"1": 12.0, "9": 5.0},
        people_per_household=PPH,
        dwellings=_points([(XMIN + 100, YMIN + 100), (MID + 100, YMIN + 100)]),
    )
    assert _per_vereda(demand) == {"1": 12.0}
    told = " ".join(sentences)
    assert "Veredas ['East'] have 1 dwelling point(s) but no households in the table" in told
    assert "lists vereda ids ['9'] that the veredas layer lacks; their 5 households" in told


def test_without_a_table_one_total_is_shared_over_every_point() -> None:
    xy = [(XMIN + 100, YMIN + 100), (MID + 100, YMIN + 100), (MID + 200, YMIN + 100)]
    demand, sentences = dwelling_demand(
        TERRAIN, _settlements(), 9.0, people_per_household=2.0, dwellings=_points(xy)
    )
    assert _per_vereda(demand) == {"1": 3.0, "2": 6.0}
    assert "No households table" in " ".join(sentences)


def test_without_dwellings_every_vereda_is_spread_and_it_says_so() -> None:
    demand, sentences = dwelling_demand(
        TERRAIN, _settlements(), {"1": 7.0, "2": 11.0}, people_per_household=3.0
    )
    assert _per_vereda(demand) == pytest.approx({"1": 7.0, "2": 11.0})
    assert _per_vereda(demand, "population") == pytest.approx({"1": 21.0, "2": 33.0})
    assert any(
        s.startswith("No dwellings layer (area layer `dwellings`): ASSUMPTION") for s in sentences
    )


@given(
    xy=st.lists(
        st.tuples(st.floats(XMIN - 300, XMAX + 300), st.floats(YMIN - 300, YMAX + 300)),
        max_size=30,
    ),
    west=st.integers(0, 500),
    east=st.integers(0, 500),
)
def test_demand_households_per_vereda_equal_the_table(
    xy: list[tuple[float, float]], west: int, east: int
) -> None:
    table = {"1": float(west), "2": float(east)}
    demand, _ = dwelling_demand(
        TERRAIN,
        _settlements(),
        table,
        people_per_household=PPH,
        dwellings=_points(xy) if xy else None,
    )
    got = _per_vereda(demand)
    assert got == pytest.approx({k: v for k, v in table.items() if v > 0})
    people = demand["population"].sum()
    assert people == pytest.approx((west + east) * PPH)
    assert (demand.loc[demand["kind"] == "population", "households"] > 0).all()


def test_without_dwellings_or_tables_the_uniform_spread_says_it_is_an_assumption(
    tmp_path: Path,
) -> None:
    from tests.territory import write_territory

    s = load_scenario(write_territory(tmp_path))
    demand = area_demand(TERRAIN, _settlements(), s.area, {}, DemandParams())
    assert demand.assumptions[0].startswith(
        "No dwellings layer (area layer `dwellings`): ASSUMPTION: no per-vereda counts"
    )
    assert demand.points["population"].sum() == pytest.approx(1000.0)
    assert "uniform spread" in demand.model and "ASSUMPTION" in demand.model
    assert "Population total: 1,000 people" in " ".join(demand.assumptions)


@pytest.mark.parametrize(
    ("households", "expected"),
    [(400.0, "No households table"), (0.0, "one household per dwelling point")],
)
def test_dwellings_without_tables_share_the_typed_total(
    tmp_path: Path, households: float, expected: str
) -> None:
    from tests.territory import write_territory

    s = load_scenario(write_territory(tmp_path))
    xy = [
        (XMIN + 100, YMIN + 100),
        (MID + 100, YMIN + 100),
        (MID + 200, YMIN + 100),
        (XMAX + 90, YMIN),
    ]
    _points(xy).to_file(tmp_path / "d.geojson", driver="GeoJSON")
    area = dataclasses.replace(
        s.area,
        layers={**s.area.layers, "dwellings": LayerSpec(file="d.geojson")},
        population=dataclasses.replace(s.area.population, households=households),
    )
    demand = area_demand(
        TERRAIN, _settlements(), area, {"dwellings": tmp_path / "d.geojson"}, DemandParams()
    )
    assert demand.points["population"].sum() == pytest.approx(1000.0)
    assert (demand.points["kind"] == "population").sum() == 3
    assert expected in " ".join(demand.assumptions)
    assert demand.model.startswith("dwellings: households per sub-district (none")


def test_palmitas_demand_is_its_dwellings_and_the_2026_households(mirror: Path) -> None:
    """The default scenario: 2,112 address points, the DAP table's 1,296 households, 3,508 people."""
    s = load_scenario()
    assert s.demand.year == 2026
    inputs = pipeline.prepare_inputs(pipeline.resolve(s), mirror=mirror)
    d = inputs.demand
    people = d[d["kind"] == "population"]
    assert len(people) == 2112 and people["demand_id"].str.startswith("dwelling-").all()
    table = pd.read_csv(mirror / "palmitas_households_by_vereda_2018_2030.csv", dtype=str)
    rows = table[(table["indicador"] == "hogares") & (table["area_geografica"] == "Total")]
    expected = dict(zip(rows["codigo"], rows["2026"].astype(float), strict=True))
    assert _per_vereda(d) == pytest.approx(expected)
    assert people["households"].sum() == pytest.approx(1296.0)
    assert people["population"].sum() == pytest.approx(3508.0)
    assert (d["kind"] == "school").sum() == 9
    told = " ".join(inputs.assumptions)
    assert "vintage actualizacion_2025" in told and "2.71 people per household" in told
    assert "4 of 2,116 dwelling point(s)" in told
    assert "vintage post_covid_19 gives 5,947 people" in told
    assert "6,481 people, 85% more than the 3,508 used" in told
    assert "dwellings" in inputs.demand_model
