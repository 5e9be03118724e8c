"""Tests of coverage.radio.visibility: published reference values, exact-vs-fast agreement,
hypothesis properties of line of sight, cumulative viewsheds and the CLI."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
import rasterio
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coverage import synthetic
from coverage.cli import main
from coverage.errors import InputError
from coverage.inputs.terrain import Terrain
from coverage.radio.visibility import (
    EARTH_RADIUS_M,
    cumulative_viewshed,
    earth_bulge_m,
    fresnel_radius_m,
    viewshed,
    viewshed_margin,
    viewshed_reference,
)
from tests.helpers import write_terrain

SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _xy(t: Terrain, row: int, col: int) -> tuple[float, float]:
    xs, ys = t.cell_centers()
    return float(xs[col]), float(ys[row])


def _iou(a: np.ndarray, b: np.ndarray) -> float:
    return float((a & b).sum() / max(1, (a | b).sum()))


# --- published values -----------------------------------------------------------------------
def test_earth_bulge_matches_itu_p530_formula() -> None:
    # ITU-R P.530-18 2.2.2: h = d1 d2 / (12.74 k) (m, km): 10 km path, k = 4/3 -> 1.4717 m.
    assert earth_bulge_m(5000.0, 5000.0) == pytest.approx(25.0 / (12.74 * 4 / 3), rel=1e-3)
    assert earth_bulge_m(5000.0, 5000.0, k_factor=1.0) == pytest.approx(25.0 / 12.742, rel=1e-4)
    np.testing.assert_allclose(earth_bulge_m([0.0, 1000.0], [1000.0, 0.0]), [0.0, 0.0])


def test_fresnel_radius_matches_itu_p526_formula() -> None:
    # ITU-R P.526-15 eq. (2): r1 = 550 sqrt(d1 d2 / ((d1 + d2) f)), d in km, f in MHz.
    expected = 550.0 * math.sqrt(5.0 * 5.0 / (10.0 * 2400.0))  # 17.75 m
    assert fresnel_radius_m(5000.0, 5000.0, 2400.0) == pytest.approx(expected, rel=5e-3)
    # 5.8 GHz, 2 km from one end of a 12 km hop: 550 sqrt(2 * 10 / (12 * 5800)) = 9.32 m
    assert fresnel_radius_m(2000.0, 10000.0, 5800.0) == pytest.approx(9.32, rel=5e-3)
    assert fresnel_radius_m(0.0, 0.0, 900.0) == 0.0


# --- viewshed basics ------------------------------------------------------------------------
def test_flat_terrain_is_all_visible_and_observer_cell_is_visible(flat_terrain: Terrain) -> None:
    x, y = _xy(flat_terrain, 25, 25)
    vis = viewshed(flat_terrain, x, y, observer_height_m=10.0)
    assert vis.dtype == np.bool_ and vis.shape == flat_terrain.shape
    assert vis.all()
    low = viewshed(flat_terrain, x, y, observer_height_m=0.0)
    assert low[25, 25]
    # Eye on the ground of a curved Earth: only the 8 neighbours (no crossing before them).
    assert low.sum() == 9


def test_ridge_hides_the_far_side(ridge_terrain: Terrain) -> None:
    x, y = _xy(ridge_terrain, 30, 2)
    vis = viewshed(ridge_terrain, x, y, observer_height_m=2.0)
    ref = viewshed_reference(ridge_terrain, x, y, observer_height_m=2.0)
    assert ref[:, :12].all()
    assert not vis[:, 31:].any()
    assert _iou(vis, ref) > 0.98  # grazing cells (R3 margin < 0.1 m) may differ


def test_max_distance_keeps_cells_whose_centre_is_within(flat_terrain: Terrain) -> None:
    x, y = _xy(flat_terrain, 20, 20)
    vis = viewshed(flat_terrain, x, y, observer_height_m=10.0, max_distance_m=300.0)
    rows, cols = np.indices(flat_terrain.shape)
    inside = np.hypot(rows - 20, cols - 20) * 30.0 <= 300.0
    np.testing.assert_array_equal(vis, inside)
    ref = viewshed_reference(flat_terrain, x, y, observer_height_m=10.0, max_distance_m=300.0)
    np.testing.assert_array_equal(ref, inside)


def test_observer_snaps_to_its_cell(andes_terrain: Terrain) -> None:
    x, y = _xy(andes_terrain, 40, 60)
    a = viewshed(andes_terrain, x, y, observer_height_m=5.0)
    b = viewshed(andes_terrain, x + 14.0, y - 14.0, observer_height_m=5.0)
    np.testing.assert_array_equal(a, b)


def test_bad_inputs_raise_input_error(flat_terrain: Terrain) -> None:
    x, y = _xy(flat_terrain, 1, 1)
    with pytest.raises(InputError, match="outside the terrain"):
        viewshed(flat_terrain, x - 1e5, y, observer_height_m=2.0)
    with pytest.raises(InputError, match="k_factor"):
        viewshed(flat_terrain, x, y, observer_height_m=2.0, k_factor=0.0)
    with pytest.raises(InputError, match="max_distance_m"):
        viewshed(flat_terrain, x, y, observer_height_m=2.0, max_distance_m=-5.0)
    with pytest.raises(InputError, match="finite"):
        viewshed(flat_terrain, x, y, observer_height_m=math.nan)


def test_fast_matches_exact_reference_on_andes_terrain(andes_terrain: Terrain) -> None:
    ious = []
    for row, col in [(100, 100), (10, 190), (150, 30), (199, 0)]:
        x, y = _xy(andes_terrain, row, col)
        kw = {"observer_height_m": 30.0, "target_height_m": 2.0}
        fast = viewshed(andes_terrain, x, y, **kw)
        ref = viewshed_reference(andes_terrain, x, y, **kw)
        ious.append(_iou(fast, ref))
    assert min(ious) >= 0.98, ious


def test_fast_is_deterministic(andes_terrain: Terrain) -> None:
    x, y = _xy(andes_terrain, 77, 123)
    a = viewshed(andes_terrain, x, y, observer_height_m=12.0, target_height_m=1.0)
    b = viewshed(andes_terrain, x, y, observer_height_m=12.0, target_height_m=1.0)
    np.testing.assert_array_equal(a, b)


# --- hypothesis properties ------------------------------------------------------------------
def _rough(seed: int, rows: int = 24, cols: int = 28) -> Terrain:
    rng = np.random.default_rng(seed)
    z = 1500.0 + np.cumsum(rng.normal(0.0, 8.0, (rows, cols)), axis=1)
    return synthetic.from_array(z + rng.normal(0.0, 3.0, (rows, cols)))


@SETTINGS
@given(
    seed=st.integers(0, 10_000),
    a=st.tuples(st.integers(0, 23), st.integers(0, 27)),
    b=st.tuples(st.integers(0, 23), st.integers(0, 27)),
    h=st.floats(0.0, 40.0),
)
def test_exact_los_is_symmetric_for_equal_heights(
    seed: int, a: tuple[int, int], b: tuple[int, int], h: float
) -> None:
    t = _rough(seed)
    kw = {"observer_height_m": h, "target_height_m": h}
    mab = viewshed_margin(t, *_xy(t, *a), **kw)[b]
    mba = viewshed_margin(t, *_xy(t, *b), **kw)[a]
    if min(abs(mab), abs(mba)) > 1e-9:
        assert (mab >= 0) == (mba >= 0)


@SETTINGS
@given(
    seed=st.integers(0, 10_000),
    obs=st.tuples(st.integers(0, 23), st.integers(0, 27)),
    h1=st.floats(0.0, 50.0),
    dh=st.floats(0.01, 50.0),
    k=st.sampled_from([1.0, 4.0 / 3.0, 4.0, math.inf]),
)
def test_taller_observer_never_sees_fewer_cells(
    seed: int, obs: tuple[int, int], h1: float, dh: float, k: float
) -> None:
    t = _rough(seed)
    x, y = _xy(t, *obs)
    for fn in (viewshed, viewshed_reference):
        low = fn(t, x, y, observer_height_m=h1, target_height_m=1.0, k_factor=k)
        high = fn(t, x, y, observer_height_m=h1 + dh, target_height_m=1.0, k_factor=k)
        assert high.sum() >= low.sum()
        assert not (low & ~high).any()


@SETTINGS
@given(
    h=st.floats(2.0, 60.0),
    k=st.sampled_from([0.5, 1.0, 4.0 / 3.0, 2.0]),
    cell=st.sampled_from([50.0, 100.0, 150.0]),
)
def test_flat_earth_horizon_is_sqrt_2_k_r_h(h: float, k: float, cell: float) -> None:
    horizon_m = math.sqrt(2.0 * k * EARTH_RADIUS_M * h)
    cols = int(horizon_m / cell) + 20
    t = synthetic.from_array(np.full((3, cols), 1500.0), cell_size_m=cell)
    x, y = _xy(t, 1, 0)
    for fn in (viewshed, viewshed_reference):
        vis = fn(t, x, y, observer_height_m=h, k_factor=k)
        farthest_m = np.flatnonzero(vis[1])[-1] * cell
        assert abs(farthest_m - horizon_m) <= cell


@SETTINGS
@given(
    wall_col=st.integers(5, 25),
    wall_h=st.floats(1.0, 300.0),
    obs=st.tuples(st.integers(0, 39), st.integers(0, 4)),
    h=st.floats(0.0, 100.0),
    th=st.floats(0.0, 30.0),
    k=st.sampled_from([1.0, 4.0 / 3.0, math.inf]),
)
def test_cell_behind_a_wall_above_the_sight_line_is_hidden(
    wall_col: int, wall_h: float, obs: tuple[int, int], h: float, th: float, k: float
) -> None:
    t = synthetic.wall(40, 40, wall_col=wall_col, wall_height_m=wall_h)
    x, y = _xy(t, *obs)
    curv = t.cell_size_m**2 / (2.0 * k * EARTH_RADIUS_M)
    rows, cols = np.indices(t.shape)
    dr = rows - obs[0]
    dc = cols - obs[1]
    frac = (wall_col - obs[1]) / np.maximum(dc, 1)
    eye = 1500.0 + h
    target = 1500.0 + th - curv * (dr**2 + dc**2)
    line_at_wall = eye + frac * (target - eye)
    wall_top = 1500.0 + wall_h - curv * ((frac * dr) ** 2 + (wall_col - obs[1]) ** 2)
    hidden = (cols > wall_col) & (wall_top > line_at_wall + 0.05)
    ref = viewshed_reference(t, x, y, observer_height_m=h, target_height_m=th, k_factor=k)
    assert not (ref & hidden).any()
    fast = viewshed(t, x, y, observer_height_m=h, target_height_m=th, k_factor=k)
    east_sector = np.abs(dr) <= dc  # where the sweep crosses the wall line exactly
    assert not (fast & hidden & east_sector).any()


# --- many sites -----------------------------------------------------------------------------
def test_cumulative_viewshed_is_the_sum_of_viewsheds(andes_terrain: Terrain) -> None:
    sites = np.array([_xy(andes_terrain, r, c) for r, c in [(20, 20), (100, 150), (180, 60)]])
    heights = np.array([10.0, 30.0, 20.0])
    count = cumulative_viewshed(
        andes_terrain, sites, heights, target_height_m=2.0, max_distance_m=4000.0
    )
    assert count.dtype == np.uint16
    expected = sum(
        viewshed(
            andes_terrain, *s, observer_height_m=h, target_height_m=2.0, max_distance_m=4000.0
        ).astype(np.uint16)
        for s, h in zip(sites, heights, strict=True)
    )
    np.testing.assert_array_equal(count, expected)


def test_cumulative_viewshed_across_threads_and_chunks(ridge_terrain: Terrain) -> None:
    # More sites than threads and than one progress chunk (32): the per-thread count grids
    # and the chunked calls must add up to the per-site viewsheds exactly.
    rows, cols = ridge_terrain.shape
    rc = [(r % rows, (r * 7) % cols) for r in range(0, 5 * 40, 5)]
    sites = np.array([_xy(ridge_terrain, r, c) for r, c in rc])
    heights = np.linspace(2.0, 40.0, len(sites))
    expected = sum(
        viewshed(ridge_terrain, *s, observer_height_m=h, target_height_m=1.0).astype(np.uint16)
        for s, h in zip(sites, heights, strict=True)
    )
    for progress in (False, True):
        count = cumulative_viewshed(
            ridge_terrain, sites, heights, target_height_m=1.0, progress=progress
        )
        np.testing.assert_array_equal(count, expected)


def test_progress_bar_writes_to_stderr(
    andes_terrain: Terrain, capsys: pytest.CaptureFixture[str]
) -> None:
    sites = np.array([_xy(andes_terrain, 20, 20), _xy(andes_terrain, 150, 150)])
    cumulative_viewshed(andes_terrain, sites, 10.0, max_distance_m=1000.0, progress=True)
    err = capsys.readouterr().err
    assert "viewsheds" in err and "2/2" in err


# --- CLI ------------------------------------------------------------------------------------


def test_cli_viewshed_writes_a_0_1_geotiff_on_the_dem_grid(
    tmp_path: Path, andes_terrain: Terrain
) -> None:
    dem = tmp_path / "dem.tif"
    write_terrain(dem, andes_terrain)
    x, y = _xy(andes_terrain, 50, 70)
    out = tmp_path / "vs.tif"
    argv = ["-q", "viewshed", str(dem), str(out), "--x", str(x), "--y", str(y)]
    argv += ["--observer-height", "20", "--target-height", "2", "--max-distance", "4000"]
    assert main(argv) == 0
    with rasterio.open(out) as src:
        assert src.dtypes[0] == "uint8"
        assert src.transform == andes_terrain.transform
        assert src.crs == andes_terrain.crs
        data = src.read(1)
    expected = viewshed(
        andes_terrain, x, y, observer_height_m=20, target_height_m=2, max_distance_m=4000
    )
    np.testing.assert_array_equal(data, expected.astype(np.uint8))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dem.tif", "vs.tif"]


def test_cli_viewshed_reprojects_a_geographic_dem(
    tmp_path: Path, mirror: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """SRTM ships in EPSG:4326: the command reprojects it, and says degrees go in --lon/--lat."""
    dem = mirror / "dem" / "palmitas_dem_srtm1.tif"
    out = tmp_path / "vs.tif"
    assert main(["viewshed", str(dem), str(out), "--x", "-75.7", "--y", "6.3"]) == 2
    assert "give degrees as --lon/--lat" in capsys.readouterr().err
    assert not out.exists()
    assert main(["-q", "viewshed", str(dem), str(out), "--lon", "-75.7", "--lat", "6.3"]) == 0
    with rasterio.open(out) as src:
        assert src.crs.to_epsg() == 32618  # WGS 84 / UTM zone 18N
        assert 0 < src.read(1).mean() < 1


# --- real Palmitas data ---------------------------------------------------------------------
@pytest.mark.slow
def test_palmitas_fast_matches_exact(mirror: Path) -> None:
    import geopandas as gpd

    from coverage.inputs.dem import load_terrain

    area = gpd.read_file(mirror / "palmitas_corregimiento.geojson").to_crs("EPSG:9377")
    terrain = load_terrain(
        mirror / "dem" / "medellin_dem_srtm1.tif", area.union_all(), "EPSG:9377", margin_m=3000
    )
    rows, cols = terrain.shape
    ious = []
    for fr, fc in [(0.5, 0.5), (0.2, 0.7)]:
        x, y = _xy(terrain, int(fr * rows), int(fc * cols))
        kw = {"observer_height_m": 30.0, "target_height_m": 2.0}
        fast = viewshed(terrain, x, y, **kw)
        ref = viewshed_reference(terrain, x, y, **kw)
        assert 0.01 < ref.mean() < 0.99
        ious.append(_iou(fast, ref))
    assert min(ious) >= 0.98, ious
