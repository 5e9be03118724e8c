"""Tests of coverage.radio.clearance: link clearance against closed forms, a hypothesis
property of line of sight, batches against single links, and site x target tables."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coverage import synthetic
from coverage.errors import InputError
from coverage.inputs.terrain import Terrain
from coverage.radio.clearance import (
    ClearanceSettings,
    link_clearance,
    link_clearances,
    visibility_table,
)
from coverage.radio.visibility import EARTH_RADIUS_M, earth_bulge_m, fresnel_radius_m

SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
AT_2400 = ClearanceSettings(f_mhz=2400.0)
AT_5800 = ClearanceSettings(f_mhz=5800.0)
AT_900 = ClearanceSettings(f_mhz=900.0)


def _xy(t: Terrain, row: int, col: int) -> tuple[float, float]:
    xs, ys = t.cell_centers()
    return float(xs[col]), float(ys[row])


def _rough(seed: int, rows: int = 24, cols: int = 28) -> Terrain:
    rng = np.random.default_rng(seed)
    z = 1500.0 + np.cumsum(rng.normal(0.0, 8.0, (rows, cols)), axis=1)
    return synthetic.from_array(z + rng.normal(0.0, 3.0, (rows, cols)))


def test_settings_refuse_bad_values() -> None:
    with pytest.raises(InputError, match="f_mhz must be a positive frequency in MHz, got 0"):
        ClearanceSettings(f_mhz=0.0)
    with pytest.raises(InputError, match="k_factor must be > 0"):
        ClearanceSettings(f_mhz=900.0, k_factor=-1.0)
    with pytest.raises(InputError, match="spacing_m must be > 0 metres"):
        ClearanceSettings(f_mhz=900.0, spacing_m=0.0)
    assert ClearanceSettings(f_mhz=900.0, k_factor=math.inf).spacing_m is None


# --- links ----------------------------------------------------------------------------------
def test_link_clearance_on_flat_terrain_matches_bulge_and_fresnel() -> None:
    t = synthetic.flat(3, 400, cell_size_m=30.0)
    (xa, ya), (xb, yb) = _xy(t, 1, 0), _xy(t, 1, 334)  # 10,020 m
    link = link_clearance(
        t, (xa, ya), 20.0, (xb, yb), 20.0, settings=ClearanceSettings(f_mhz=5800.0, spacing_m=15.0)
    )
    d = 334 * 30.0
    assert link.distance_m == pytest.approx(d)
    assert link.los
    mid_clear = 20.0 - float(earth_bulge_m(d / 2, d / 2))
    assert link.min_clearance_m == pytest.approx(mid_clear, abs=1e-6)
    # On a flat Earth the ratio (h - d1 d2 c) / sqrt(lambda d1 d2 / d) is smallest mid-path.
    assert link.worst_distance_m == pytest.approx(d / 2, abs=15.0)
    expected_ratio = mid_clear / float(fresnel_radius_m(d / 2, d / 2, 5800.0))
    assert link.clearance_ratio == pytest.approx(expected_ratio, rel=1e-6)


def test_link_blocked_by_ridge(ridge_terrain: Terrain) -> None:
    (xa, ya), (xb, yb) = _xy(ridge_terrain, 30, 2), _xy(ridge_terrain, 30, 57)
    link = link_clearance(ridge_terrain, (xa, ya), 10.0, (xb, yb), 10.0, settings=AT_2400)
    assert not link.los
    assert link.clearance_ratio < 0
    z = ridge_terrain.elevation_m[30]
    d = 55 * 30.0
    expected = z[2] + 10.0 - z.max() - float(earth_bulge_m(27.5 * 30.0, 27.5 * 30.0))
    assert link.min_clearance_m == pytest.approx(expected, abs=1.0)
    assert link.distance_m == pytest.approx(d)
    assert link.worst_distance_m == pytest.approx(27.5 * 30.0, abs=30.0)


def test_link_clearances_batch_equals_single(andes_terrain: Terrain) -> None:
    rng = np.random.default_rng(3)
    xmin, ymin, xmax, ymax = andes_terrain.bounds
    a = rng.uniform([xmin, ymin], [xmax, ymax], (20, 2))
    b = rng.uniform([xmin, ymin], [xmax, ymax], (20, 2))
    ha = rng.uniform(5, 40, 20)
    df = link_clearances(andes_terrain, a, ha, b, 15.0, settings=AT_5800)
    assert list(df.columns) == [
        "distance_m",
        "los",
        "clearance_ratio",
        "worst_distance_m",
        "min_clearance_m",
    ]
    assert len(df) == 20 and df["los"].dtype == bool
    for i in (0, 7, 19):
        one = link_clearance(andes_terrain, a[i], ha[i], b[i], 15.0, settings=AT_5800)
        row = df.iloc[i]
        assert one.los == row["los"]
        assert one.clearance_ratio == pytest.approx(row["clearance_ratio"])
        assert one.min_clearance_m == pytest.approx(row["min_clearance_m"])
    with pytest.raises(InputError, match="outside the terrain"):
        link_clearances(andes_terrain, a + 1e6, ha, b, 15.0, settings=AT_5800)


@SETTINGS
@given(
    seed=st.integers(0, 10_000),
    a=st.tuples(st.floats(0.05, 0.95), st.floats(0.05, 0.95)),
    b=st.tuples(st.floats(0.05, 0.95), st.floats(0.05, 0.95)),
    h=st.floats(0.0, 40.0),
)
def test_link_los_is_symmetric(
    seed: int, a: tuple[float, float], b: tuple[float, float], h: float
) -> None:
    t = _rough(seed)
    xmin, ymin, xmax, ymax = t.bounds
    pa = (xmin + a[0] * (xmax - xmin), ymin + a[1] * (ymax - ymin))
    pb = (xmin + b[0] * (xmax - xmin), ymin + b[1] * (ymax - ymin))
    ab = link_clearance(t, pa, h, pb, h, settings=AT_2400)
    ba = link_clearance(t, pb, h, pa, h, settings=AT_2400)
    assert ab.distance_m == pytest.approx(ba.distance_m)
    if abs(ab.min_clearance_m) > 1e-6:
        assert ab.los == ba.los
        assert ab.min_clearance_m == pytest.approx(ba.min_clearance_m, abs=1e-6)


# --- many sites x many demand points -------------------------------------------------------
def test_visibility_table_progress_bar_writes_to_stderr(
    andes_terrain: Terrain, capsys: pytest.CaptureFixture[str]
) -> None:
    sites = np.array([_xy(andes_terrain, 20, 20), _xy(andes_terrain, 150, 150)])
    visibility_table(
        andes_terrain,
        sites,
        10.0,
        sites,
        target_height_m=2.0,
        max_distance_m=1000.0,
        settings=AT_900,
        progress=True,
    )
    err = capsys.readouterr().err
    assert "visibility" in err and "2/2" in err


def test_visibility_table_rows_and_columns(andes_terrain: Terrain) -> None:
    rng = np.random.default_rng(5)
    xmin, ymin, xmax, ymax = andes_terrain.bounds
    sites = rng.uniform([xmin, ymin], [xmax, ymax], (6, 2))
    targets = rng.uniform([xmin, ymin], [xmax, ymax], (40, 2))
    table = visibility_table(
        andes_terrain,
        sites,
        25.0,
        targets,
        target_height_m=2.0,
        max_distance_m=3000.0,
        settings=AT_2400,
    )
    assert list(table.columns) == [
        "site",
        "target",
        "distance_m",
        "elevation_angle_deg",
        "clearance_ratio",
        "los",
    ]
    d = np.hypot(*(sites[:, None, :] - targets[None, :, :]).transpose(2, 0, 1))
    assert len(table) == int((d <= 3000.0).sum())
    assert (table["distance_m"] <= 3000.0).all()
    assert table[["site", "target"]].apply(tuple, axis=1).is_monotonic_increasing
    row = table.iloc[len(table) // 2]
    s, tg = int(row["site"]), int(row["target"])
    (xs_m, ys_m), (xt_m, yt_m) = sites[s], targets[tg]
    one = link_clearance(andes_terrain, (xs_m, ys_m), 25.0, (xt_m, yt_m), 2.0, settings=AT_2400)
    assert one.los == row["los"]
    assert one.clearance_ratio == pytest.approx(row["clearance_ratio"])


def test_visibility_table_elevation_angle_on_flat_terrain() -> None:
    t = synthetic.flat(3, 200)
    site = np.array([_xy(t, 1, 0)])
    target = np.array([_xy(t, 1, 100)])  # 3 km
    table = visibility_table(
        t, site, 40.0, target, target_height_m=2.0, max_distance_m=5000.0, settings=AT_900
    )
    d = 3000.0
    drop = d**2 / (2 * 4 / 3 * EARTH_RADIUS_M)
    expected = math.degrees(math.atan2(2.0 - drop - 40.0, d))
    assert table["elevation_angle_deg"].iloc[0] == pytest.approx(expected, abs=1e-9)
    assert bool(table["los"].iloc[0])


def test_visibility_table_empty_when_nothing_in_range(flat_terrain: Terrain) -> None:
    site = np.array([_xy(flat_terrain, 0, 0)])
    target = np.array([_xy(flat_terrain, 49, 49)])
    table = visibility_table(
        flat_terrain, site, 10.0, target, target_height_m=2.0, max_distance_m=100.0, settings=AT_900
    )
    assert len(table) == 0
    assert table["los"].dtype == bool
