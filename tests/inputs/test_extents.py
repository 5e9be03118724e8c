"""Tests of coverage.inputs.extents: layers that are not where the terrain is, named early."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
from affine import Affine
from shapely.geometry import Point, box

from coverage.errors import InputError
from coverage.inputs.extents import dem_bounds
from coverage.inputs.settlements import load_settlements
from tests.helpers import write_geotiff

CRS = "EPSG:9377"
#: Two 1 km veredas and the 3 x 3 km DEM around them, in EPSG:9377 (m).
VEREDAS = gpd.GeoDataFrame(
    {"nombre": ["Alta", "Baja"], "codigo": ["1", "2"]},
    geometry=[
        box(4_701_000, 2_251_000, 4_702_000, 2_252_000),
        box(4_702_000, 2_251_000, 4_703_000, 2_252_000),
    ],
    crs=CRS,
)


def _paths(tmp_path: Path, veredas: gpd.GeoDataFrame | Path) -> dict[str, Path]:
    """Veredas (a layer, or a file already written), one school and a boundary, as files."""
    if isinstance(veredas, gpd.GeoDataFrame):
        veredas.to_file(tmp_path / "veredas.geojson", driver="GeoJSON")
        veredas = tmp_path / "veredas.geojson"
    gpd.GeoDataFrame(
        {"nombre": ["Escuela"]}, geometry=[Point(4_701_500, 2_251_500)], crs=CRS
    ).to_crs(4326).to_file(tmp_path / "schools.geojson", driver="GeoJSON")
    gpd.GeoDataFrame(geometry=[VEREDAS.union_all()], crs=CRS).to_crs(4326).to_file(
        tmp_path / "boundary.geojson", driver="GeoJSON"
    )
    return {
        "veredas": veredas,
        "schools": tmp_path / "schools.geojson",
        "boundary": tmp_path / "boundary.geojson",
    }


def _dem(tmp_path: Path) -> tuple[str, tuple[float, float, float, float]]:
    """A flat 3 x 3 km DEM around the veredas, as ``load_settlements`` takes it."""
    path = write_geotiff(
        tmp_path / "dem.tif", np.full((100, 100), 100, np.int16), crs=CRS,
        transform=Affine(30, 0, 4_700_500, 0, -30, 2_253_500),
    )  # fmt: skip
    bounds = dem_bounds(path, CRS)
    assert bounds is not None and bounds == pytest.approx(
        (4_700_500, 2_250_500, 4_703_500, 2_253_500)
    )
    return "dem.tif", bounds


def test_metres_in_a_geojson_without_crs_are_named_before_reprojecting(tmp_path: Path) -> None:
    doc = json.loads(VEREDAS.to_json())
    doc.pop("crs", None)  # GeoJSON without a crs member: read as EPSG:4326
    (tmp_path / "v.geojson").write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_settlements(_paths(tmp_path, tmp_path / "v.geojson"), CRS, dem=_dem(tmp_path))
    (problem,) = err.value.problems
    assert problem.startswith(f"veredas layer {tmp_path / 'v.geojson'}: coordinates (4701000, ")
    assert "look like metres, but the layer declares EPSG:4326" in problem


def test_a_layer_without_crs_in_metres_is_told_to_assign_a_projected_crs(tmp_path: Path) -> None:
    with pytest.warns(UserWarning, match="crs"):
        VEREDAS.set_crs(None, allow_override=True).to_file(tmp_path / "v.gpkg")
    with pytest.raises(InputError, match=r"v\.gpkg: no CRS\. Its coordinates .* look like metres"):
        load_settlements(_paths(tmp_path, tmp_path / "v.gpkg"), CRS)


def test_a_shifted_layer_names_its_bounds_the_dem_bounds_and_the_cause(tmp_path: Path) -> None:
    shifted = VEREDAS.to_crs(4326)
    shifted["geometry"] = shifted.geometry.translate(0.3, 0.0)
    with pytest.raises(InputError) as err:
        load_settlements(_paths(tmp_path, shifted), CRS, dem=_dem(tmp_path))
    (problem,) = err.value.problems
    assert (
        "veredas.geojson: its features (-75." in problem
        and ") in EPSG:4326 do not overlap" in problem
    )
    assert "the DEM dem.tif (4700500, 2250500, 4703500, 2253500) in EPSG:9377" in problem
    assert "degrees (EPSG:4326) but of another place" in problem
    with pytest.raises(InputError, match=r"do not overlap the boundary layer .*boundary\.geojson"):
        load_settlements(_paths(tmp_path, shifted), CRS)  # no DEM known: it misses the boundary


def test_latitude_first_is_recognised(tmp_path: Path) -> None:
    swapped = VEREDAS.to_crs(4326)
    swapped["geometry"] = swapped.geometry.map(
        lambda g: type(g)([(y, x) for x, y in g.exterior.coords])
    )
    with pytest.raises(InputError, match=r"its x and y are swapped \(latitude first\)"):
        load_settlements(_paths(tmp_path, swapped), CRS, dem=_dem(tmp_path))


def test_layers_on_the_dem_load(tmp_path: Path) -> None:
    st = load_settlements(_paths(tmp_path, VEREDAS.to_crs(4326)), CRS, dem=_dem(tmp_path))
    assert st.veredas["name"].tolist() == ["Alta", "Baja"] and len(st.schools) == 1
