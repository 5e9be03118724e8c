"""The optional plazas layer: read into the working CRS, and every problem named."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import LineString, Point

from coverage.errors import InputError
from coverage.inputs.plazas import check_plazas, load_plazas


def _write(path: Path, names: list[object], ids: list[object] | None = None, geoms=None) -> Path:
    data: dict[str, list[object]] = {"nombre": names}
    if ids is not None:
        data["codigo"] = ids
    geoms = geoms or [Point(-75.70 + 0.01 * i, 6.30) for i in range(len(names))]
    gpd.GeoDataFrame(data, geometry=geoms, crs=4326).to_file(path, driver="GeoJSON")
    return path


def test_plazas_are_read_in_the_working_crs_with_default_ids(tmp_path: Path) -> None:
    path = _write(tmp_path / "plazas.geojson", ["Parque principal", " Cancha "])
    assert check_plazas(path) == []
    table = load_plazas(path, "EPSG:9377")
    assert table["plaza_id"].tolist() == ["P01", "P02"]
    assert table["name"].tolist() == ["Parque principal", "Cancha"]
    assert table.crs.to_epsg() == 9377
    assert 4_000_000 < table.geometry.x.iloc[0] < 5_500_000  # metres, not degrees


def test_plaza_ids_come_from_the_id_field(tmp_path: Path) -> None:
    path = _write(tmp_path / "plazas.geojson", ["A", "B"], ids=["p-7", "p-9"])
    table = load_plazas(path, "EPSG:9377", id_field="codigo")
    assert table["plaza_id"].tolist() == ["p-7", "p-9"]


def test_every_problem_is_named(tmp_path: Path) -> None:
    path = _write(tmp_path / "bad.geojson", ["A", "", "C"], ids=["1", "1", None])
    problems = check_plazas(path, id_field="codigo")
    assert any("feature 1 has no 'nombre'" in p for p in problems)
    assert any("feature 2 has no 'codigo'" in p for p in problems)
    assert any("repeats ['1']" in p for p in problems)
    assert all(str(path) in p for p in problems)
    with pytest.raises(InputError, match=r"plazas layer .*bad.geojson is not usable"):
        load_plazas(path, "EPSG:9377", id_field="codigo")


def test_a_missing_name_field_and_lines_are_refused(tmp_path: Path) -> None:
    path = _write(tmp_path / "p.geojson", ["A"])
    assert any("missing field(s) ['name']" in p for p in check_plazas(path, name_field="name"))
    line = _write(
        tmp_path / "line.geojson", ["A"], geoms=[LineString([(-75.7, 6.3), (-75.69, 6.3)])]
    )
    assert any("expected Point geometries, found ['LineString']" in p for p in check_plazas(line))
