"""Tests of coverage.outputs.styles: hillshade against GDAL, classes, colours, web reprojection."""

from __future__ import annotations

import dataclasses
import itertools
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
    # covered and uncovered demand are the served and unserved service classes, not signal
    assert styles.SERVICE_COLORS["served_new"] == styles.COVERED_COLOR
    assert styles.SERVICE_COLORS["unserved"] == styles.UNCOVERED_COLOR


@pytest.mark.parametrize("threshold", [-94.0, -86.0, -100.5, -110.0, -70.0])
def test_service_threshold_is_a_class_edge(threshold):
    """The threshold is the lower edge of class THRESHOLD_CLASS: nothing below it is drawn in
    a served class, nothing at or above it in an unserved one, and the legend says so."""
    edges = styles.rx_class_edges(threshold)
    assert threshold in edges and list(edges) == sorted(edges)
    rx = np.array([threshold - 0.01, threshold, threshold + 0.01, threshold - 25, threshold + 40])
    cls = styles.rx_classes(rx, edges)
    assert cls.tolist() == [2, 3, 3, 1, 5]
    labels = styles.rx_class_labels(edges)
    assert labels[styles.THRESHOLD_CLASS - 1].startswith(f"{threshold:g} … ")
    assert labels[styles.THRESHOLD_CLASS - 2].endswith(f" … {threshold:g} dBm")


def test_legend_marks_the_threshold(tiny_plan):
    plan = dataclasses.replace(tiny_plan, threshold_dbm=-94.0)
    rows = styles.rx_legend(plan, "service threshold")
    assert len(rows) == 6 and rows[2] == (None, "service threshold -94 dBm")
    assert [c for c, _ in rows if c is not None] == list(styles.RX_CLASS_COLORS[1:])
    assert all(c is not None for c, _ in styles.rx_legend(tiny_plan, "x"))  # no threshold


def test_best_server_colours_are_distinct_for_many_sites():
    for n in (1, 9, 10, 30, 254):
        colors = styles.best_server_colors(n)
        assert len(colors) == n and len(set(colors)) == n
        assert all(0 <= v <= 255 for c in colors for v in c)


def _meanings() -> dict[str, str]:
    """Every categorical meaning of the outputs and its colour, signal classes included."""
    out = {f"service:{k}": v for k, v in styles.SERVICE_COLORS.items()}
    out |= {f"role:{k}": v for k, v in styles.ROLE_COLORS.items()}
    out |= {f"link:{k}": v for k, v in styles.MARGIN_COLORS.items()}
    out |= {
        f"signal:{i}": "#{:02x}{:02x}{:02x}".format(*c)
        for i, c in enumerate(styles.RX_CLASS_COLORS[1:], start=1)
    }
    return out


def test_no_two_meanings_share_a_colour():
    colours = [c.lower() for c in _meanings().values()]
    assert len(set(colours)) == len(colours)
    # the aliases are the same meaning under another name
    assert styles.SERVICE_COLORS["served_existing"] == styles.EXISTING_SITE_COLOR


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


@pytest.mark.parametrize("vision", sorted(CVD_MATRICES))
def test_meanings_stay_apart_for_colour_blind_readers(vision):
    """Service, role and link colours differ from each other and from the signal classes by
    at least 14 (CIELAB Delta E 1976) under each simulated colour-vision deficiency; signal
    classes, a sequential ramp, are compared with the others only."""
    m = _meanings()
    for (ka, a), (kb, b) in itertools.combinations(m.items(), 2):
        if ka.startswith("signal:") and kb.startswith("signal:"):
            continue
        d = np.linalg.norm(_lab(a, CVD_MATRICES[vision]) - _lab(b, CVD_MATRICES[vision]))
        assert d >= 14.0, (vision, ka, kb, d)
