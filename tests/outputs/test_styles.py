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


#: Machado, Oliveira & Fernandes (2009), "A physiologically-based model for simulation of color
#: vision deficiency", IEEE TVCG 15(6), Table 1 at severity 1.0: linear RGB -> simulated.
CVD_MATRICES = {
    "protanopia": [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216],
                   [-0.003882, -0.048116, 1.051998]],
    "deuteranopia": [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413],
                     [-0.011820, 0.042940, 0.968881]],
    "tritanopia": [[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602],
                   [0.004733, 0.691367, 0.303900]],
    "normal": [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]],
}  # fmt: skip


def _lab(color: str, matrix: list[list[float]]) -> np.ndarray:
    """CIELAB (D65) of a "#rrggbb" colour as seen through a colour-vision matrix."""
    srgb = np.array(styles.hex_rgb(color)) / 255.0
    linear = np.where(srgb <= 0.04045, srgb / 12.92, ((srgb + 0.055) / 1.055) ** 2.4)
    seen = np.clip(np.array(matrix) @ linear, 0.0, 1.0)
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722],
                    [0.0193, 0.1192, 0.9505]]) @ seen / np.array([0.95047, 1.0, 1.08883])  # fmt: skip
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


@pytest.mark.parametrize("vision", sorted(CVD_MATRICES))
def test_service_colours_stay_apart_for_colour_blind_readers(vision):
    """Each pair of service colours differs by at least 20 (CIELAB Delta E 1976; about 2.3 is
    a just-noticeable difference) under each simulated colour-vision deficiency."""
    colors = list(styles.SERVICE_COLORS.values())
    assert len(set(colors)) == len(styles.SERVICE_COLORS) == 5
    for i, a in enumerate(colors):
        for b in colors[i + 1 :]:
            d = np.linalg.norm(_lab(a, CVD_MATRICES[vision]) - _lab(b, CVD_MATRICES[vision]))
            assert d >= 20.0, (vision, a, b, d)
