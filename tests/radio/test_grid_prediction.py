"""Area predictions on tiny synthetic terrain (radial and per-cell), and the pathloss CLI."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
import rasterio

from coverage.cli import main
from coverage.radio.grid_prediction import RADIAL_EXACT_STEPS, path_loss_grid, predict_grid
from coverage.radio.prediction import PredictionSettings
from coverage.radio.propagation import free_space_loss_db, get_model
from tests.helpers import PREDICTION_KW, prediction_settings


def test_grid_free_space_equals_formula(flat_terrain):
    xs, ys = flat_terrain.cell_centers()
    x, y = xs[25], ys[25]
    grid = path_loss_grid(
        flat_terrain,
        x,
        y,
        tx_height_m=30.0,
        radius_m=600.0,
        settings=prediction_settings("fspl", "cell"),
    )
    assert grid.dtype == np.float32 and grid.shape == flat_terrain.shape
    dist = np.hypot(xs[None, :] - x, ys[:, None] - y)
    inside = (dist <= 600.0) & (dist > 0)
    want = free_space_loss_db(dist[inside], 700.0)
    np.testing.assert_allclose(grid[inside], want, atol=1e-3)
    assert np.isnan(grid[dist > 600.0]).all()


def test_radial_grid_free_space_within_half_a_step(flat_terrain):
    """Radial mode: each far cell takes the sample nearest its centre, at most half a step
    off in distance, so free-space loss is within 20 log10(1 + 0.5 / 15.5) dB of the
    formula; near cells (own profiles) and the axes (cell centres are samples) are exact."""
    xs, ys = flat_terrain.cell_centers()
    x, y = xs[25], ys[25]
    grid = path_loss_grid(
        flat_terrain, x, y, tx_height_m=30.0, radius_m=1400.0, settings=prediction_settings("fspl")
    )
    dist = np.hypot(xs[None, :] - x, ys[:, None] - y)
    inside = (dist <= 1400.0) & (dist > 0)
    want = free_space_loss_db(np.maximum(dist, 1.0), 700.0)
    err = np.abs(grid - want)[inside]
    assert err.max() <= 20.0 * math.log10(1.0 + 0.5 / 15.5) + 1e-4
    near = dist[inside] < RADIAL_EXACT_STEPS * flat_terrain.cell_size_m
    assert err[near].max() < 1e-3
    np.testing.assert_allclose(grid[25, 26:], want[25, 26:], atol=1e-3)
    np.testing.assert_allclose(grid[:25, 25], want[:25, 25], atol=1e-3)
    assert np.isnan(grid[dist > 1400.0]).all()


def test_radial_grid_equals_cell_grid_on_the_axes_and_close_elsewhere(andes_terrain):
    """On the four axes radial samples are cell centres: same loss as per-cell profiles.
    Elsewhere the two differ by where the path ends (half a cell at most): for ITM the
    median difference over the steep synthetic Andes stays under 1 dB (knife-edge models,
    which hinge on the exact obstruction geometry, differ more: about 2.3 dB here)."""
    xs, ys = andes_terrain.cell_centers()
    r0, c0 = 40, 45
    kw: dict[str, Any] = {"tx_height_m": 30.0, "radius_m": 2000.0}
    for name in ("itm", "deygout"):
        radial = path_loss_grid(
            andes_terrain, xs[c0], ys[r0], settings=prediction_settings(name), **kw
        )
        cell = path_loss_grid(
            andes_terrain, xs[c0], ys[r0], settings=prediction_settings(name, "cell"), **kw
        )
        assert np.array_equal(np.isfinite(radial), np.isfinite(cell))
        for line in (radial[r0, :] - cell[r0, :], radial[:, c0] - cell[:, c0]):
            ok = np.isfinite(line)
            np.testing.assert_allclose(line[ok], 0.0, atol=1e-3)
        diff = np.abs(radial - cell)[np.isfinite(cell)]
        assert np.median(diff) < (1.0 if name == "itm" else 3.0), (name, np.median(diff))


def test_grid_matches_profile_model(ridge_terrain):
    """Each cell's value is the model evaluated on Terrain.profile to its centre."""
    xs, ys = ridge_terrain.cell_centers()
    x, y = xs[10], ys[30]
    for name in ("itm", "deygout", "los"):
        grid = path_loss_grid(
            ridge_terrain,
            x,
            y,
            tx_height_m=30.0,
            radius_m=2000.0,
            settings=prediction_settings(name, "cell"),
        )
        model = get_model(name)
        for r, c in ((30, 50), (5, 40), (44, 22)):
            d, z = ridge_terrain.profile(x, y, xs[c], ys[r], spacing_m=None)
            n = max(2, math.ceil(d[-1] / ridge_terrain.cell_size_m) + 1)
            d, z = ridge_terrain.profile(x, y, xs[c], ys[r], spacing_m=d[-1] / (n - 1))
            want = model.loss_db(d, z, **PREDICTION_KW)
            assert grid[r, c] == pytest.approx(want, rel=1e-5), (name, r, c)


def test_ridge_shadow_costs_more_than_free_space(ridge_terrain):
    xs, ys = ridge_terrain.cell_centers()
    kw: dict[str, Any] = {"tx_height_m": 30.0, "radius_m": 5000.0}
    grid = path_loss_grid(ridge_terrain, xs[5], ys[30], settings=prediction_settings("itm"), **kw)
    fs = path_loss_grid(ridge_terrain, xs[5], ys[30], settings=prediction_settings("fspl"), **kw)
    behind = grid[30, 55] - fs[30, 55]
    front = grid[30, 15] - fs[30, 15]
    assert behind > 20.0 > front


def test_predict_grid_keeps_itm_warnings(andes_terrain):
    xs, ys = andes_terrain.cell_centers()
    pred = predict_grid(
        andes_terrain,
        xs[100],
        ys[100],
        tx_height_m=30.0,
        radius_m=1500.0,
        settings=prediction_settings("itm", n0=301),
    )
    summary = pred.warning_summary()
    assert summary["path distance below 1 km"] > 0
    assert "ITM" in pred.model
    finite = np.isfinite(pred.loss_db)
    modes = pred.status[finite] % 10
    assert set(np.unique(modes)) <= {0, 1, 2, 3}
    assert np.count_nonzero(modes == 0) <= 9  # cells within one step of the site: free space


def test_pathloss_cli_writes_float32_geotiff(tmp_path, ridge_terrain):
    dem = tmp_path / "dem.tif"
    rows, cols = ridge_terrain.shape
    with rasterio.open(
        dem,
        "w",
        driver="GTiff",
        width=cols,
        height=rows,
        count=1,
        dtype="float32",
        crs=ridge_terrain.crs,
        transform=ridge_terrain.transform,
    ) as dst:
        dst.write(ridge_terrain.elevation_m, 1)
    xs, ys = ridge_terrain.cell_centers()
    out = tmp_path / "loss.tif"
    args = [
        "pathloss",
        str(dem),
        str(out),
        "--x",
        str(xs[5]),
        "--y",
        str(ys[30]),
        "--tx-height",
        "30",
        "--rx-height",
        "1.5",
        "--f-mhz",
        "700",
        "--radius",
        "1200",
    ]
    assert main(["-q", *args]) == 0
    with rasterio.open(out) as src:
        assert src.dtypes[0] == "float32" and src.transform == ridge_terrain.transform
        data = src.read(1, masked=True)
        assert "ITM" in src.tags()["model"]
    want = path_loss_grid(
        ridge_terrain,
        xs[5],
        ys[30],
        tx_height_m=30.0,
        radius_m=1200.0,
        settings=prediction_settings(),
    )
    np.testing.assert_allclose(data.filled(np.nan), want, equal_nan=True)
    assert main(["-q", *args[:-2], "--radius", "1200", "--model", "fspl"]) == 0
    assert main(["-q", *args[:3], "--x", "0", "--y", "0", *args[7:]]) == 2


@pytest.mark.slow
def test_palmitas_itm_refractivity_flags(mirror):
    """Real Palmitas SRTM: N0 = 301 flags paths (N_s < 250) that the P.453 Andes N0 does not."""
    from pyproj import Transformer
    from shapely.geometry import Point

    from coverage.inputs.dem import load_terrain

    # the cabecera school (PROVENANCE.md): 6.3434 N, 75.6883 W
    x, y = Transformer.from_crs("EPSG:4326", "EPSG:9377", always_xy=True).transform(
        -75.6883, 6.3434
    )
    terrain = load_terrain(
        mirror / "dem" / "palmitas_dem_srtm1.tif",
        Point(x, y).buffer(2500),
        "EPSG:9377",
        margin_m=100,
    )
    kw: dict[str, Any] = {"tx_height_m": 20.0, "radius_m": 2500.0}
    lte: dict[str, Any] = {"f_mhz": 780.5, "rx_height_m": 1.5}
    andes = predict_grid(terrain, x, y, settings=PredictionSettings(**lte), **kw)
    temperate = predict_grid(
        terrain, x, y, settings=PredictionSettings(**lte, model=get_model("itm", n0=301)), **kw
    )
    finite = np.isfinite(andes.loss_db)
    assert finite.sum() > 15_000
    assert not (andes.warning_flags[finite] & 0x4000).any()
    flagged = (temperate.warning_flags[finite] & 0x4000) != 0
    assert flagged.mean() > 0.5  # the cabecera sits near 1,800 m; its paths lie higher
    dist = np.hypot(*np.meshgrid(terrain.cell_centers()[0] - x, terrain.cell_centers()[1] - y))
    fs = free_space_loss_db(np.maximum(dist[finite], 1.0), 780.5)
    excess = andes.loss_db[finite] - fs
    assert np.median(excess) > 0 and excess.min() > -1.0


@pytest.mark.parametrize("method", ["radial", "cell"])
def test_grid_does_not_depend_on_the_workers(andes_terrain, monkeypatch, method):
    """Which worker computes a path changes nothing: ITM grids with 1, 2 and 5 workers (more
    workers than threads) are identical, loss, status and warnings."""
    from coverage.radio._kernels import prediction as _prediction_kernels

    xs, ys = andes_terrain.cell_centers()
    grids = []
    for workers in (1, 2, 5):
        monkeypatch.setattr(_prediction_kernels, "workers", lambda w=workers: w)
        pred = predict_grid(
            andes_terrain,
            xs[100],
            ys[90],
            tx_height_m=30.0,
            radius_m=2500.0,
            settings=prediction_settings("itm", method),
        )
        grids.append(pred)
    for other in grids[1:]:
        assert np.array_equal(other.loss_db, grids[0].loss_db, equal_nan=True)
        assert np.array_equal(other.status, grids[0].status)
        assert np.array_equal(other.warning_flags, grids[0].warning_flags)
