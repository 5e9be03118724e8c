"""Tests of coverage.inputs.terrain: the Terrain value object, sampling, profiles, loading and checks."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
from affine import Affine
from hypothesis import given, settings
from hypothesis import strategies as st
from rasterio.crs import CRS
from shapely.geometry import box
from shapely.geometry.base import BaseGeometry

from coverage import synthetic
from coverage.errors import CRSError, InputError
from coverage.inputs.dem import check_dem, load_terrain, read_dem
from coverage.inputs.terrain import Terrain
from coverage.inputs.voids import void_warning
from tests.helpers import write_geotiff


def test_grid_geometry_and_sampling_at_cell_centres() -> None:
    t = synthetic.from_array([[0, 10], [20, 30]], cell_size_m=10, x0_m=0, y0_m=20)
    assert t.bounds == (0.0, 0.0, 20.0, 20.0)
    xs, ys = t.cell_centers()
    np.testing.assert_allclose(t.sample(xs[[0, 1, 0, 1]], ys[[0, 0, 1, 1]]), [0, 10, 20, 30])
    # halfway between the four centres: the mean
    assert t.sample(10.0, 10.0) == pytest.approx(15.0)
    assert np.isnan(t.sample(-1.0, 10.0))


@settings(max_examples=30, deadline=None)
@given(st.floats(0, 1), st.floats(0, 1))
def test_bilinear_sample_is_exact_on_a_plane(fx: float, fy: float) -> None:
    yy, xx = np.mgrid[0:6, 0:7]
    plane = 2.0 * xx - 3.0 * yy + 100.0
    t = synthetic.from_array(plane, cell_size_m=10, x0_m=0, y0_m=60)
    x = 5 + fx * 60  # between the outer centres
    y = 55 - fy * 50
    col = (x - 5) / 10
    row = (55 - y) / 10
    assert t.sample(x, y) == pytest.approx(2 * col - 3 * row + 100, abs=1e-6)


def test_profile_includes_end_points_at_sub_cell_spacing(ridge_terrain: Terrain) -> None:
    xmin, ymin, xmax, ymax = ridge_terrain.bounds
    y = (ymin + ymax) / 2
    d, z = ridge_terrain.profile(xmin + 15, y, xmax - 15, y)
    assert d[0] == 0 and d[-1] == pytest.approx(xmax - xmin - 30)
    assert np.diff(d).max() <= ridge_terrain.cell_size_m / 2 + 1e-9
    assert z.max() == pytest.approx(1800, abs=2)  # the ridge crest


def test_terrain_refuses_geographic_crs_and_says_how_to_fix() -> None:
    with pytest.raises(CRSError, match="gdalwarp -t_srs"):
        Terrain(
            np.zeros((3, 3), np.float32),
            Affine(0.001, 0, -75, 0, -0.001, 6),
            CRS.from_epsg(4326),
        )


def test_terrain_refuses_non_square_cells() -> None:
    with pytest.raises(InputError, match="square"):
        Terrain(np.zeros((3, 3), np.float32), Affine(30, 0, 0, 0, -20, 0), CRS.from_epsg(9377))


def test_read_dem_fills_voids_and_reprojects_a_geographic_dem(tmp_path: Path) -> None:
    data = np.full((10, 10), 100, dtype=np.int16)
    data[4, 4] = -32768
    tf = Affine(30, 0, 4_700_000, 0, -30, 2_260_000)
    t = read_dem(
        write_geotiff(tmp_path / "a.tif", data, crs="EPSG:9377", transform=tf, nodata=-32768)
    )
    assert t.filled_voids == 1 and t.elevation_m[4, 4] == 100
    geo = write_geotiff(
        tmp_path / "g.tif",
        data,
        crs="EPSG:4326",
        transform=Affine(1e-3, 0, -75, 0, -1e-3, 6),
        nodata=-32768,
    )
    utm = read_dem(geo)  # its centre (-74.995, 5.995) lies in UTM zone 18N
    assert utm.crs.to_epsg() == 32618 and utm.filled_voids <= 1
    assert 100 <= utm.cell_size_m <= 115  # 0.001 deg is about 110 m there
    assert np.allclose(utm.elevation_m, 100.0)  # the void is no -32768 m pit
    with pytest.raises(CRSError, match="geographic"):
        read_dem(geo, crs="EPSG:4326")


def test_all_nodata_and_missing_crs_are_reported(tmp_path: Path) -> None:
    tf = Affine(30, 0, 4_700_000, 0, -30, 2_260_000)
    empty = write_geotiff(
        tmp_path / "e.tif",
        np.full((8, 8), -9999, np.int16),
        crs="EPSG:9377",
        transform=tf,
        nodata=-9999,
    )
    nocrs = write_geotiff(tmp_path / "n.tif", np.ones((8, 8), np.int16), crs=None, transform=tf)
    problems = check_dem([empty, nocrs, tmp_path / "missing.tif"], None, "EPSG:9377")
    assert len(problems) == 3
    assert any("every cell is nodata" in p for p in problems)
    assert any("no CRS" in p for p in problems)
    assert any("file not found" in p for p in problems)
    with pytest.raises(InputError, match="every cell over the area is nodata"):
        load_terrain(
            empty, box(4_700_030, 2_259_800, 4_700_100, 2_259_900), "EPSG:9377", margin_m=0
        )


def test_load_palmitas_clips_reprojects_and_checks_cover(mirror: Path) -> None:
    area = gpd.read_file(mirror / "palmitas_corregimiento.geojson").to_crs(9377).union_all()
    dem = mirror / "dem" / "medellin_dem_srtm1.tif"
    t = load_terrain(dem, area, "EPSG:9377", margin_m=3000, resolution_m=30)
    assert t.cell_size_m == 30 and t.crs.to_epsg() == 9377
    assert t.filled_voids == 0
    # Palmitas spans about 1,200-3,100 m (PROVENANCE.md: 1,193-3,133 m inside the boundary)
    assert 800 < t.elevation_m.min() < 1200 and 3050 < t.elevation_m.max() < 3150
    # The cabecera school sits at 1,980 m (PROVENANCE.md); its 30 m neighbourhood spans 1,966-1,999 m
    x, y = (
        gpd.GeoSeries(gpd.points_from_xy([-75.6883], [6.3434]), crs=4326)
        .to_crs(9377)
        .iloc[0]
        .coords[0]
    )
    assert 1940 < float(t.sample(x, y)) < 2020
    assert check_dem(dem, area, "EPSG:9377", margin_m=3000) == []
    small = mirror / "dem" / "palmitas_dem_srtm1.tif"
    assert "does not cover" in check_dem(small, area, "EPSG:9377", margin_m=3000)[0]
    with pytest.raises(InputError, match="does not cover"):
        load_terrain(small, area, "EPSG:9377", margin_m=3000)


def _truncated_dem(tmp_path: Path) -> Path:
    """A 200 x 200 float32 GeoTIFF cut to half its bytes: its header opens, its cells do not."""
    t = synthetic.andes_like(200, 200, seed=1)
    path = write_geotiff(
        tmp_path / "cut.tif", t.elevation_m, crs=t.crs.to_string(), transform=t.transform
    )
    with path.open("r+b") as fh:
        fh.truncate(path.stat().st_size // 2)
    return path


def test_truncated_dem_is_named_damaged_by_every_reader(tmp_path: Path) -> None:
    path = _truncated_dem(tmp_path)
    area = box(*synthetic.andes_like(200, 200, seed=1).bounds).buffer(-1000)
    for read in (
        lambda: read_dem(path),
        lambda: load_terrain(path, area, "EPSG:9377", margin_m=0),
    ):
        with pytest.raises(InputError, match="damaged or truncated") as err:
            read()
        assert str(path) in str(err.value) and "sha256" in str(err.value)
    (problem,) = check_dem(path, area, "EPSG:9377")
    assert "cut.tif: the file is damaged or truncated" in problem


#: Upper-left corner of the void tests' DEMs, on multiples of 30 m so that the grid of
#: load_terrain is the files' own grid, cell for cell.
X0, Y0 = 4_699_980.0, 2_259_990.0


def _dem_with_voids(path: Path, voids: tuple[slice, slice], *, x0: float = X0) -> Path:
    """A 20 x 20 flat DEM of 30 m cells (EPSG:9377) with the cells ``voids`` as nodata."""
    data = np.full((20, 20), 100, dtype=np.int16)
    data[voids] = -32768
    tf = Affine(30, 0, x0, 0, -30, Y0)
    return write_geotiff(path, data, crs="EPSG:9377", transform=tf, nodata=-32768)


def _over(x0: float, x1: float) -> BaseGeometry:
    """The box from x0 to x1 (m) over the void tests' rows, as the area of interest."""
    return box(x0, Y0 - 600, x1, Y0)


def test_voids_above_max_void_share_are_refused_with_the_share_and_the_fix(
    tmp_path: Path,
) -> None:
    dem = _dem_with_voids(tmp_path / "holes.tif", (slice(0, 4), slice(0, 10)))  # 40 of 400
    with pytest.raises(InputError) as err:
        load_terrain(dem, _over(X0, X0 + 600), "EPSG:9377", margin_m=0, max_void_share=0.05)
    msg = str(err.value)
    assert (
        "holes.tif: 40 of 400 cells (10.0 %)" in msg
        and "more than the 5.0 % allowed" in msg
        and "max_void_share in the area file" in msg
    )
    assert "SRTM v3" in msg and "Copernicus GLO-30" in msg
    t = load_terrain(dem, _over(X0, X0 + 600), "EPSG:9377", margin_m=0, max_void_share=0.2)
    assert t.filled_voids == 40
    assert void_warning(t) == (
        "DEM holes.tif: 40 of 400 cells (10.0 %) were voids filled from their nearest valid "
        "neighbour; elevations there are invented."
    )


def test_void_share_of_merged_dems_counts_only_cells_no_file_fills(tmp_path: Path) -> None:
    # west covers columns 0-19 of the area, east 10-29
    east = _dem_with_voids(tmp_path / "east.tif", (slice(0, 0), slice(0, 0)), x0=X0 + 300)
    west = _dem_with_voids(tmp_path / "west.tif", (slice(0, 10), slice(0, 8)))  # 80, east has none
    area = _over(X0, X0 + 900)  # 20 x 30 cells
    with pytest.raises(InputError, match=r"DEM west\.tif, east\.tif: 80 of 600 cells \(13\.3 %\)"):
        load_terrain([west, east], area, "EPSG:9377", margin_m=0)
    few = load_terrain([west, east], area, "EPSG:9377", margin_m=0, max_void_share=0.2)
    assert few.filled_voids == 80 and "west.tif, east.tif: 80 of 600" in str(void_warning(few))
    patched = _dem_with_voids(tmp_path / "patched.tif", (slice(0, 10), slice(12, 20)))
    t = load_terrain([patched, east], area, "EPSG:9377", margin_m=0)  # east fills all 80
    assert t.filled_voids == 0 and void_warning(t) is None


@pytest.mark.parametrize("margin_m", [0.0, 2_000.0, 30_000.0])
def test_the_dem_footprint_from_a_window_equals_the_whole_file_warp(
    tmp_path: Path, margin_m: float
) -> None:
    import rasterio
    import rasterio.warp
    from rasterio.enums import Resampling

    from coverage.inputs.dem import dem_footprint

    data = np.full((400, 600), 100, dtype=np.int16)  # 0.2 x 0.3 deg
    path = write_geotiff(
        tmp_path / "g.tif", data, crs="EPSG:4326", transform=Affine(5e-4, 0, -75.3, 0, -5e-4, 6.3)
    )
    crs = CRS.from_epsg(32618)
    xmin, ymin, xmax, ymax = (
        gpd.GeoSeries([box(-75.2, 6.2, -75.15, 6.25)], crs="EPSG:4326").to_crs(crs).total_bounds
    )
    transform = Affine(30.0, 0, xmin - margin_m, 0, -30.0, ymax + margin_m)
    shape = (int((ymax - ymin + 2 * margin_m) // 30), int((xmax - xmin + 2 * margin_m) // 30))
    with rasterio.open(path) as src:
        whole = np.zeros(shape, dtype=np.float32)
        rasterio.warp.reproject(
            source=np.ones((src.height, src.width), dtype=np.float32),
            destination=whole, src_transform=src.transform, src_crs=src.crs, src_nodata=0,
            dst_transform=transform, dst_crs=crs, dst_nodata=0, resampling=Resampling.nearest,
        )  # fmt: skip
        window = dem_footprint(src, transform, shape, crs)
    assert np.array_equal(window, whole)
    assert whole.any() and (margin_m < 30_000.0 or not whole.all())  # the widest reaches off it
