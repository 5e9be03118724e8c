"""Tests of coverage.inputs.settlements: layer validation and the demand model."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import Point, Polygon, box

from coverage import synthetic
from coverage.errors import InputError, ScenarioError
from coverage.inputs.settlements import Settlements, demand_points, load_settlements, slope_deg
from coverage.scenario import DemandParams, PopulationFacts


def _feature(geom: dict, **props: object) -> dict:
    return {"type": "Feature", "properties": props, "geometry": geom}


SQUARE = {
    "type": "Polygon",
    "coordinates": [
        [[-75.70, 6.30], [-75.69, 6.30], [-75.69, 6.31], [-75.70, 6.31], [-75.70, 6.30]]
    ],
}
BOWTIE = {
    "type": "Polygon",
    "coordinates": [
        [[-75.70, 6.30], [-75.69, 6.31], [-75.69, 6.30], [-75.70, 6.31], [-75.70, 6.30]]
    ],
}


def test_every_layer_problem_is_reported_at_once(tmp_path: Path) -> None:
    veredas = tmp_path / "veredas.geojson"
    veredas.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    _feature(SQUARE, nombre="A", codigo="1"),
                    _feature(BOWTIE, nombre="B", codigo="2"),
                ],
            }
        ),
        encoding="utf-8",
    )
    schools = tmp_path / "schools.geojson"
    schools.write_text(json.dumps({"type": "FeatureCollection", "features": []}), encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_settlements({"veredas": veredas, "schools": schools}, "EPSG:9377")
    problems = info.value.problems
    assert any("invalid geometr" in p and "Fix geometries" in p for p in problems)
    assert any("schools.geojson: the layer is empty" in p for p in problems)


def test_gdals_complaint_about_a_point_without_coordinates_is_logged_not_raised(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """GDAL warns from inside its error handler (an unraisable warning under -W error)."""
    veredas = tmp_path / "veredas.geojson"
    layer = {"type": "FeatureCollection", "features": [_feature(SQUARE, nombre="A", codigo="1")]}
    veredas.write_text(json.dumps(layer), encoding="utf-8")
    schools = tmp_path / "schools.geojson"
    empty_point = _feature({"type": "Point", "coordinates": []}, nombre="Escuela")
    schools.write_text(
        json.dumps({"type": "FeatureCollection", "features": [empty_point]}), encoding="utf-8"
    )
    with caplog.at_level("INFO"), pytest.raises(InputError, match="without geometry"):
        load_settlements({"veredas": veredas, "schools": schools}, "EPSG:9377")
    assert "schools.geojson: GDAL: OGRGeoJSONReadRawPoint" in caplog.text


def test_missing_field_and_missing_crs_are_named(tmp_path: Path) -> None:
    shp = tmp_path / "v.gpkg"
    with pytest.warns(UserWarning, match="crs"):
        gpd.GeoDataFrame({"name": ["A"]}, geometry=[box(0, 0, 1, 1)], crs=None).to_file(shp)
    schools = tmp_path / "s.geojson"
    gpd.GeoDataFrame({"nombre": ["S"]}, geometry=[Point(-75.695, 6.305)], crs=4326).to_file(schools)
    with pytest.raises(InputError) as info:
        load_settlements({"veredas": shp, "schools": schools}, "EPSG:9377")
    text = str(info.value)
    assert "v.gpkg: no CRS" in text
    assert "missing field(s) ['nombre', 'codigo']" in text


def _tiny_settlements(terrain) -> Settlements:
    xmin, ymin, xmax, ymax = terrain.bounds
    mid = (xmin + xmax) / 2
    crs = terrain.crs
    v = gpd.GeoDataFrame(
        {"vereda_id": ["1", "2"], "name": ["West", "East"]},
        geometry=[box(xmin, ymin, mid, ymax), box(mid, ymin, xmax, ymax)],
        crs=crs,
    )
    s = gpd.GeoDataFrame(
        {"school_id": ["school-0"], "name": ["Escuela"], "vereda": ["West"]},
        geometry=[Point(xmin + 100, ymin + 100)],
        crs=crs,
    )
    b = gpd.GeoDataFrame({"name": ["area"]}, geometry=[v.union_all()], crs=crs)
    return Settlements(boundary=b, veredas=v, schools=s)


def test_demand_conserves_population_and_excludes_steep_cells() -> None:
    t = synthetic.ridge(60, 60, height_m=900, width_m=150)
    st = _tiny_settlements(t)
    demand, assumptions = demand_points(
        t,
        st,
        PopulationFacts(total_people=1000, households=400),
        DemandParams(resolution_m=90, max_slope_deg=30),
    )
    cells = demand[demand["kind"] == "population"]
    assert cells["population"].sum() == pytest.approx(1000)
    assert cells["households"].sum() == pytest.approx(400)
    assert (demand["kind"] == "school").sum() == 1
    assert "ASSUMPTION" in assumptions[0]
    # no demand point sits on a cell steeper than the limit
    steep = slope_deg(t) > 30
    rows, cols = t.rowcol(cells.geometry.x.to_numpy(), cells.geometry.y.to_numpy())
    # the centroid of habitable cells may fall between them, but most points avoid the steep flanks
    assert steep[rows, cols].mean() < 0.2
    # the two veredas get population in proportion to their habitable area (symmetric ridge)
    per = cells.groupby("vereda")["population"].sum()
    assert per["West"] == pytest.approx(per["East"], rel=0.05)


def test_demand_is_deterministic_and_refuses_negative_population() -> None:
    t = synthetic.andes_like(60, 60)
    st = _tiny_settlements(t)
    a, _ = demand_points(t, st, PopulationFacts(total_people=500))
    b, _ = demand_points(t, st, PopulationFacts(total_people=500))
    assert a.equals(b)
    with pytest.raises(ScenarioError, match="total_people -5 is negative"):
        PopulationFacts(total_people=-5)


def test_population_raster_replaces_uniform_spread(tmp_path: Path) -> None:
    import rasterio

    t = synthetic.flat(30, 30)
    st = _tiny_settlements(t)
    pop = np.zeros(t.shape, np.float32)
    pop[5, 5] = 10.0  # everyone in one western cell
    path = tmp_path / "pop.tif"
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        height=30,
        width=30,
        count=1,
        dtype="float32",
        crs=t.crs,
        transform=t.transform,
    ) as dst:
        dst.write(pop, 1)
    demand, assumptions = demand_points(
        t, st, PopulationFacts(total_people=200), DemandParams(population_raster=str(path))
    )
    cells = demand[demand["kind"] == "population"]
    assert len(cells) == 1 and cells["population"].iloc[0] == pytest.approx(200)
    assert cells["vereda"].iloc[0] == "West"
    assert "pop.tif" in assumptions[0]


def test_palmitas_layers_and_demand(mirror: Path) -> None:
    paths = {k: mirror / f"palmitas_{k}.geojson" for k in ("veredas", "schools")}
    paths["boundary"] = mirror / "palmitas_corregimiento.geojson"
    st = load_settlements(paths, "EPSG:9377", school_inside_field="dentro_corregimiento_50")
    assert len(st.veredas) == 8 and len(st.schools) == 9
    assert set(st.schools["vereda"]) == set(st.veredas["name"])  # one school per vereda at least
    area_km2 = st.boundary.area.iloc[0] / 1e6
    assert area_km2 == pytest.approx(57.79, rel=0.01)  # 57.79 km2, GeoMedellín Shape_Area
    assert all(isinstance(g, Polygon) for g in st.veredas.geometry)


def test_building_footprints_replace_uniform_spread(tmp_path: Path) -> None:
    t = synthetic.flat(30, 30)
    st = _tiny_settlements(t)
    xmin, ymin, xmax, _ = t.bounds
    houses = gpd.GeoDataFrame(
        {"kind": ["big", "small", "point"]},
        geometry=[
            box(xmin + 100, ymin + 100, xmin + 130, ymin + 130),  # 900 m2, West
            box(xmax - 130, ymin + 100, xmax - 115, ymin + 115),  # 225 m2, East
            Point(xmax - 300, ymin + 400),  # a point counts 50 m2, East
        ],
        crs=t.crs,
    ).to_crs(4326)
    path = tmp_path / "buildings.geojson"
    houses.to_file(path, driver="GeoJSON")
    demand, assumptions = demand_points(
        t, st, PopulationFacts(total_people=1175), DemandParams(buildings=str(path))
    )
    per = demand[demand["kind"] == "population"].groupby("vereda")["population"].sum()
    assert per["West"] == pytest.approx(900, rel=1e-3)
    assert per["East"] == pytest.approx(275, rel=1e-3)
    assert "3 building footprints" in assumptions[0]
    bad = gpd.GeoDataFrame(geometry=[box(0, 0, 1, 1).boundary], crs=t.crs)
    with pytest.raises(InputError, match="expected Polygon/MultiPolygon/Point"):
        demand_points(t, st, PopulationFacts(total_people=10), buildings=bad)


def test_a_named_school_field_the_layer_lacks_is_an_error(mirror: Path) -> None:
    paths = {k: mirror / f"palmitas_{k}.geojson" for k in ("veredas", "schools")}
    with pytest.raises(InputError, match=r"no field 'dentro_area', which the area file's"):
        load_settlements(paths, "EPSG:9377", school_inside_field="dentro_area")
    every = load_settlements(paths, "EPSG:9377")  # "": every school of the layer counts
    assert len(every.schools) == 11


def test_veredas_that_leave_the_boundary_uncovered_are_an_error(
    mirror: Path, tmp_path: Path
) -> None:
    veredas = gpd.read_file(mirror / "palmitas_veredas.geojson")
    veredas[veredas["codigo"] != "5004"].to_file(tmp_path / "v.geojson", driver="GeoJSON")
    paths = {
        "veredas": tmp_path / "v.geojson",
        "schools": mirror / "palmitas_schools.geojson",
        "boundary": mirror / "palmitas_corregimiento.geojson",
    }
    with pytest.raises(InputError, match=r"km2 \(\d+\.\d%\) of the boundary lie in no vereda"):
        load_settlements(paths, "EPSG:9377")
    paths["veredas"] = mirror / "palmitas_veredas.geojson"  # 0.3 % slivers: a warning only
    assert len(load_settlements(paths, "EPSG:9377").veredas) == 8


def test_a_boundary_whose_geojson_crs_member_is_wrong_gets_a_crs_hint(
    mirror: Path, tmp_path: Path
) -> None:
    """The public comunas file declares EPSG:9377 over lon/lat: say so, not "DEM does not
    cover the area"."""
    raw = json.loads((mirror / "palmitas_corregimiento.geojson").read_text(encoding="utf-8"))
    raw["crs"] = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::9377"}}
    (tmp_path / "b.geojson").write_text(json.dumps(raw), encoding="utf-8")
    paths = {k: mirror / f"palmitas_{k}.geojson" for k in ("veredas", "schools")}
    paths["boundary"] = tmp_path / "b.geojson"
    with pytest.raises(InputError, match=r"look like longitude/latitude in degrees, but the layer"):
        load_settlements(paths, "EPSG:9377")
