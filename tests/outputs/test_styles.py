"""Tests of coverage.outputs.styles: hillshade against GDAL, classes, colours, web reprojection."""

from __future__ import annotations

import shutil
import subprocess

import numpy as np
import pytest
import rasterio
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import Transformer

from coverage import synthetic
from coverage.outputs import styles


def test_hillshade_matches_gdaldem(tmp_path):
    """Horn (1981) hillshade equals GDAL's ``gdaldem hillshade`` (a peer implementation)."""
    gdaldem = shutil.which("gdaldem")
    if gdaldem is None:
        pytest.fail("gdaldem not found: apt-get install gdal-bin")
    t = synthetic.andes_like(48, 40, seed=3)
    src, dst = tmp_path / "dem.tif", tmp_path / "hs.tif"
    with rasterio.open(
        src, "w", driver="GTiff", width=40, height=48, count=1, dtype="float32",
        crs=t.crs, transform=t.transform,
    ) as ds:  # fmt: skip
        ds.write(t.elevation_m, 1)
    subprocess.run(
        [gdaldem, "hillshade", "-q", "-az", "315", "-alt", "45", str(src), str(dst)], check=True
    )
    with rasterio.open(dst) as ds:
        ref = ds.read(1).astype(float)[1:-1, 1:-1]  # GDAL leaves the edge as nodata
    ours = styles.hillshade(t.elevation_m, t.cell_size_m).astype(float)[1:-1, 1:-1]
    # GDAL scales to 1..255 (0 is its nodata): 1 + 254 * cos(angle); ours is 255 * cos(angle).
    assert np.abs(1.0 + ours * 254.0 / 255.0 - ref).max() <= 1.5


def test_hillshade_flat_and_facing():
    flat = styles.hillshade(np.full((5, 5), 1000.0), 30.0)
    assert (flat == int(255 * np.cos(np.radians(45)))).all()  # sun 45 deg above the horizon
    x = np.arange(20) * 30.0
    east_up = np.tile(x * 0.5, (20, 1))  # rises eastward: faces west, lit from the north-west
    west_up = east_up[:, ::-1]
    assert styles.hillshade(east_up, 30.0).mean() > styles.hillshade(west_up, 30.0).mean()


def test_rx_classes_edges():
    rx = np.array([np.nan, -120.0, -105.0, -95.1, -85.0, -75.0, -30.0])
    assert styles.rx_classes(rx).tolist() == [0, 1, 2, 2, 4, 5, 5]
    assert len(styles.rx_class_labels()) == 5


@settings(max_examples=30, deadline=None)
@given(st.lists(st.floats(-200, 0) | st.just(float("nan")), min_size=1, max_size=50))
def test_rx_classes_monotone(values):
    rx = np.array(values)
    cls = styles.rx_classes(rx)
    assert ((cls == 0) == np.isnan(rx)).all()
    order = np.argsort(np.nan_to_num(rx, nan=-1e9))
    assert (np.diff(cls[order].astype(int)) >= 0).all()


def test_web_mercator_bounds_hold_the_terrain(tiny_plan):
    t = tiny_plan.terrain
    grid, (w, s, e, n) = styles.to_web_mercator(t.elevation_m, t, nodata=-1.0)
    to_ll = Transformer.from_crs(t.crs, "EPSG:4326", always_xy=True)
    xmin, ymin, xmax, ymax = t.bounds
    lon, lat = to_ll.transform([xmin, xmax, xmin, xmax], [ymin, ymin, ymax, ymax])
    assert w <= min(lon) and e >= max(lon) and s <= min(lat) and n >= max(lat)
    inside = grid[grid != -1.0]
    assert inside.size > 0.8 * grid.size
    assert inside.min() >= t.elevation_m.min() - 1 and inside.max() <= t.elevation_m.max() + 1


def test_margin_classes_and_colours():
    assert [styles.margin_class(m) for m in (25.0, 10.0, 9.9, 0.0, -0.1, float("nan"))] == [
        "good", "good", "fair", "fair", "bad", "bad",
    ]  # fmt: skip
    assert styles.hex_rgb(styles.COVERED_COLOR) == styles.RX_CLASS_COLORS[5]
    assert styles.hex_rgb(styles.UNCOVERED_COLOR) == styles.RX_CLASS_COLORS[1]
