"""Point predictions (points, matrices, options), their settings and the work-sharing counter."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from coverage.errors import InputError
from coverage.radio.grid_prediction import path_loss_grid
from coverage.radio.prediction import (
    PredictionSettings,
    grid_coords,
    path_loss_matrix,
    path_loss_options,
    path_loss_to_points,
)
from coverage.radio.propagation import get_model
from tests.helpers import prediction_settings


def test_points_and_matrix_agree_with_grid(andes_terrain):
    xs, ys = andes_terrain.cell_centers()
    site = (xs[60], ys[70])
    grid = path_loss_grid(
        andes_terrain,
        *site,
        tx_height_m=30.0,
        radius_m=3000.0,
        settings=prediction_settings("itm", "cell"),
    )
    cells = [(70, 90), (120, 60), (40, 40), (199, 199)]
    targets = np.array([(xs[c], ys[r]) for r, c in cells])
    settings = PredictionSettings(f_mhz=700.0, rx_height_m=1.5)
    pts = path_loss_to_points(
        andes_terrain,
        *site,
        tx_height_m=30.0,
        targets_xy=targets,
        max_distance_m=3000.0,
        settings=settings,
    )
    for (r, c), v in zip(cells, pts, strict=True):
        if np.isnan(grid[r, c]):
            assert np.isnan(v)
        else:
            assert v == pytest.approx(grid[r, c], rel=1e-5)
    mat = path_loss_matrix(
        andes_terrain,
        [site, (xs[150], ys[150])],
        [30.0, 10.0],
        targets,
        max_distance_m=3000.0,
        settings=settings,
    )
    assert mat.shape == (2, 4)
    np.testing.assert_allclose(mat[0], pts, equal_nan=True)
    with pytest.raises(InputError, match="outside the terrain"):
        path_loss_to_points(
            andes_terrain,
            *site,
            tx_height_m=30.0,
            targets_xy=[(0.0, 0.0)],
            max_distance_m=3000.0,
            settings=settings,
        )


def test_site_outside_grid_raises(flat_terrain):
    with pytest.raises(InputError, match="outside the terrain grid"):
        path_loss_grid(
            flat_terrain, 0.0, 0.0, tx_height_m=30.0, radius_m=100.0, settings=prediction_settings()
        )


@pytest.mark.parametrize("model", ["itm", "fspl", "deygout"])
def test_path_loss_options_equals_matrix_per_height(andes_terrain, model):
    """Row i*H + h of path_loss_options is path_loss_matrix of site i at heights[h]."""
    rng = np.random.default_rng(2)
    xmin, ymin, xmax, ymax = andes_terrain.bounds
    sites = np.column_stack(
        [rng.uniform(xmin + 60, xmax - 60, 4), rng.uniform(ymin + 60, ymax - 60, 4)]
    )
    targets = np.column_stack(
        [rng.uniform(xmin + 60, xmax - 60, 150), rng.uniform(ymin + 60, ymax - 60, 150)]
    )
    heights = [12.0, 18.0, 30.0]
    settings = PredictionSettings(f_mhz=780.5, rx_height_m=1.5, model=get_model(model))
    kw: dict[str, Any] = {"max_distance_m": 4000.0, "settings": settings}
    got = path_loss_options(andes_terrain, sites, heights, targets, **kw)
    assert got.shape == (12, 150) and got.dtype == np.float32
    for h_idx, h in enumerate(heights):
        want = path_loss_matrix(andes_terrain, sites, h, targets, **kw)
        np.testing.assert_allclose(got[h_idx::3], want, rtol=1e-6, atol=1e-4)
    far = np.hypot(*(sites[:, None, :] - targets[None, :, :]).transpose(2, 0, 1)) > 4000.0
    assert far.any() and np.isnan(got[::3][far]).all()
    assert np.isfinite(got[::3][~far]).all()


def test_path_loss_options_needs_heights_and_grid_points(andes_terrain):
    x, y = andes_terrain.cell_centers()[0][5], andes_terrain.cell_centers()[1][5]
    kw: dict[str, Any] = {
        "max_distance_m": 4000.0,
        "settings": PredictionSettings(f_mhz=780.5, rx_height_m=1.5),
    }
    with pytest.raises(InputError, match="mast height"):
        path_loss_options(andes_terrain, [[x, y]], [], [[x, y]], **kw)
    with pytest.raises(InputError, match="outside the terrain"):
        path_loss_options(andes_terrain, [[x, y]], [10.0], [[x + 1e7, y]], **kw)


def test_take_next_hands_out_every_index_once():
    """The kernels' shared counter: workers on both threads taking indices until none is
    left get each index exactly once (each index is written by its one taker)."""
    import numba

    from coverage.radio._kernels.prediction import take_next

    @numba.njit(parallel=True)
    def take_all(n, workers):
        taken = np.zeros(1, dtype=np.int64)
        seen = np.zeros(n, dtype=np.int64)
        for _worker in numba.prange(workers):
            while True:
                c = take_next(taken)
                if c >= n:
                    break
                seen[c] += 1
        return seen, taken

    for workers in (1, 2, 7):
        seen, taken = take_all(100_000, workers)
        assert (seen == 1).all()
        assert taken[0] == 100_000 + workers  # every worker's last take is past the end


def test_settings_refuse_bad_values_all_at_once(flat_terrain):
    """PredictionSettings names every bad field with its value; the default model is ITM."""
    assert "ITM" in PredictionSettings(f_mhz=700.0, rx_height_m=0.0).model.describe()
    with pytest.raises(InputError) as err:
        PredictionSettings(
            f_mhz=0.0,
            rx_height_m=-1.0,
            model="itm",  # type: ignore[arg-type]
            profile_step_m=0.0,
            grid_method="ray",
        )
    text = str(err.value)
    for words in (
        "f_mhz must be > 0, got 0.0",
        "rx_height_m must be >= 0 m above ground, got -1.0",
        "get_model('itm')",
        "profile_step_m must be > 0 m (or None for one cell), got 0.0",
        "grid_method must be one of ('radial', 'cell'), got 'ray'",
    ):
        assert words in text
    xs, ys = flat_terrain.cell_centers()
    with pytest.raises(InputError, match=r"tx_height_m=-2\.0"):
        path_loss_grid(
            flat_terrain,
            xs[25],
            ys[25],
            tx_height_m=-2.0,
            radius_m=100.0,
            settings=prediction_settings(),
        )


def test_grid_coords_put_cell_centres_on_integers(flat_terrain):
    xs, ys = flat_terrain.cell_centers()
    cf, rf = grid_coords(flat_terrain, xs[[0, 7]], ys[[3, 0]])
    np.testing.assert_allclose(cf, [0.0, 7.0], atol=1e-9)
    np.testing.assert_allclose(rf, [3.0, 0.0], atol=1e-9)
    half = flat_terrain.cell_size_m / 2
    c, r = grid_coords(flat_terrain, xs[0] - half, ys[0] + half)
    assert float(c) == pytest.approx(-0.5) and float(r) == pytest.approx(-0.5)
