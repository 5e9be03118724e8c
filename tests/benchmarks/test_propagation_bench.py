"""Propagation benchmarks against peers (run on demand, not in the default suite).

    .venv/bin/pytest tests/benchmarks/test_propagation_bench.py -s

* ITM accuracy against SPLAT! 1.4.2 (Debian ``splat``, ``splat-hd -olditm``: NTIA ITM 1.2.2 as
  ITMDLL.cpp) on the same terrain profiles (SPLAT!'s own, saved with ``-gpsav``) over the
  real Palmitas SRTM tile: median |difference| <= 1 dB.
* Speed: one-site ITM area prediction over a 10 km radius on 30 m terrain against
  ``splat-hd -olditm -L`` on the same area (ratio measured in the same run, >= 10x), and
  path-loss grids for 300 candidate sites over the Palmitas area in under 2 minutes.

SPLAT! needs a whole 1-degree SRTM tile; the Medellín relay covers lon -75.75..-75.50,
lat 6.0..6.5 of tile N06W076, so the rest of the tile is filled with edge values (only
paths inside the covered part are used). SPLAT! computes ITM on its tx-to-rx profile
without the last two samples (``for (y = 2; y < path.length - 1; y++)`` in PathReport); the
profile it saves (``profile.gp``) runs the other way, so the tx-to-rx samples are rebuilt
from it by linear interpolation at SPLAT!'s spacing.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import numpy as np
import pytest
import rasterio
from shapely.geometry import box

from coverage.itm import itm_point_to_point
from coverage.prediction import path_loss_grid
from coverage.terrain import load_terrain

pytestmark = pytest.mark.benchmark

SPLAT = shutil.which("splat-hd")
LRP = "15.000\n0.005\n301.000\n700.000\n5\n1\n0.50\n0.50\n"


@pytest.fixture(scope="module")
def splat_dir(tmp_path_factory, mirror):
    if SPLAT is None:
        pytest.fail("splat-hd not found: apt-get install -y splat")
    d = tmp_path_factory.mktemp("splat")
    with rasterio.open(mirror / "dem" / "medellin_dem_srtm1.tif") as src:
        a = src.read(1)
    block = np.vstack([a, a[-1:]])  # rows of lat 6.5 .. 6.0 (3600 -> 3601 samples)
    full = np.pad(block, ((1800, 0), (900, 3601 - 1800)), mode="edge")
    full.astype(">i2").tofile(d / "N06W076.hgt")
    subprocess.run(["srtm2sdf-hd", "N06W076.hgt"], cwd=d, check=True, capture_output=True)
    (d / "tx.lrp").write_text(LRP)
    return d


def _qth(path: Path, name: str, lat: float, lon: float, h_m: float) -> None:
    path.write_text(f"{name}\n{lat:.6f}\n{-lon:.6f}\n{h_m} meters\n")


def test_itm_against_splat(splat_dir):
    rng = np.random.default_rng(0)
    ours, theirs, hung = [], [], 0
    for _ in range(40):
        lat1, lon1 = rng.uniform(6.26, 6.37), rng.uniform(-75.72, -75.60)
        ang, dist = rng.uniform(0, 2 * np.pi), rng.uniform(1500, 10_000)
        lat2 = lat1 + dist * np.cos(ang) / 110_600
        lon2 = lon1 + dist * np.sin(ang) / 110_600
        if not (6.02 < lat2 < 6.48 and -75.74 < lon2 < -75.51):
            continue
        _qth(splat_dir / "tx.qth", "tx", lat1, lon1, 30.0)
        _qth(splat_dir / "rx.qth", "rx", lat2, lon2, 2.0)
        for f in ("tx-to-rx.txt", "profile.gp"):
            (splat_dir / f).unlink(missing_ok=True)
        try:
            subprocess.run(
                [SPLAT, "-t", "tx.qth", "-r", "rx.qth", "-olditm", "-metric", "-d", str(splat_dir),
                 "-p", "p.png", "-gpsav"],
                cwd=splat_dir, capture_output=True, timeout=20, check=False,
            )  # fmt: skip
        except subprocess.TimeoutExpired:
            hung += 1  # splat-hd 1.4.2 loops forever on some paths
            continue
        text = (splat_dir / "tx-to-rx.txt").read_text(encoding="latin-1")
        m = re.search(r"Longley-Rice path loss: ([\d.]+) dB", text)
        # profile.gp runs from rx to tx (ReadPath(destination, source)) at SPLAT!'s sample
        # spacing, with an irregular last step; PathReport's ITM profile runs from tx at the
        # same spacing and drops the last two samples. Rebuild that profile from the file.
        prof = np.loadtxt(splat_dir / "profile.gp")
        step = (prof[1, 0] - prof[0, 0]) * 1000.0
        from_tx = (prof[-1, 0] - prof[::-1, 0]) * 1000.0
        z = np.interp(np.arange(len(prof) - 2) * step, from_tx, prof[::-1, 1])
        r = itm_point_to_point(
            z,
            step,
            tx_height_m=30,
            rx_height_m=2,
            f_mhz=700,
            n0=301,
            climate=5,
            mdvar=12,
            polarization="vertical",
        )
        ours.append(r.loss_db)
        theirs.append(float(m.group(1)))
    diff = np.abs(np.array(ours) - np.array(theirs))
    print(
        f"\nITM vs SPLAT! -olditm on {len(diff)} Palmitas paths ({hung} SPLAT! runs hung): "
        f"median |diff| {np.median(diff):.2f} dB, 90th pct {np.percentile(diff, 90):.2f} dB, "
        f"max {diff.max():.2f} dB"
    )
    assert len(diff) >= 15
    assert np.median(diff) <= 1.0


def test_area_speed_against_splat(splat_dir, mirror):
    """One site, 10 km radius, ITM at 30 m: ours vs splat-hd -L (same run, same machine)."""
    lat, lon = 6.25, -75.60  # 10 km box inside the Medellín tile (lon -75.75..-75.50)
    _qth(splat_dir / "site.qth", "site", lat, lon, 30.0)
    shutil.copy(splat_dir / "tx.lrp", splat_dir / "site.lrp")
    t0 = time.perf_counter()
    subprocess.run(
        [SPLAT, "-t", "site.qth", "-olditm", "-metric", "-L", "2.0", "-R", "10",
         "-d", str(splat_dir), "-o", "site_map", "-ngs"],
        cwd=splat_dir, capture_output=True, timeout=3000, check=False,
    )  # fmt: skip
    t_splat = time.perf_counter() - t0

    from pyproj import Transformer

    x, y = Transformer.from_crs("EPSG:4326", "EPSG:9377", always_xy=True).transform(lon, lat)
    terrain = load_terrain(
        mirror / "dem" / "medellin_dem_srtm1.tif",
        box(x - 10_000, y - 10_000, x + 10_000, y + 10_000),
        "EPSG:9377",
        margin_m=100,
    )
    kw = {"tx_height_m": 30.0, "rx_height_m": 2.0, "f_mhz": 700.0, "radius_m": 10_000.0}
    path_loss_grid(terrain, x, y, model="itm", **{**kw, "radius_m": 500.0})  # compile
    t0 = time.perf_counter()
    grid = path_loss_grid(terrain, x, y, model="itm", **kw)
    t_ours = time.perf_counter() - t0
    n = int(np.isfinite(grid).sum())
    print(
        f"\none site, 10 km radius: ours {t_ours:.2f} s for {n} cells of 30 m; splat-hd -L "
        f"(10 km, 1 arc-second) {t_splat:.1f} s; ratio {t_splat / t_ours:.1f}x "
        f"(cores: {os.cpu_count()})"
    )
    assert t_splat / t_ours >= 10.0


def test_300_site_grids_over_palmitas(mirror):
    """300 candidate sites, ITM path-loss grids over the Palmitas area at 30 m, < 2 minutes.

    Each grid covers the cells of the corregimiento within 5 km of the site (the coverage
    map's cells); profiles run over the whole terrain grid (1 km margin).
    """
    import geopandas as gpd
    from rasterio.features import geometry_mask

    area = gpd.read_file(mirror / "palmitas_corregimiento.geojson").to_crs("EPSG:9377")
    poly = area.geometry.union_all()
    terrain = load_terrain(
        mirror / "dem" / "medellin_dem_srtm1.tif", poly, "EPSG:9377", margin_m=1000
    )
    mask = ~geometry_mask([poly], terrain.shape, terrain.transform)
    rng = np.random.default_rng(1)
    xmin, ymin, xmax, ymax = poly.bounds
    sites = np.column_stack([rng.uniform(xmin, xmax, 300), rng.uniform(ymin, ymax, 300)])
    kw = {"tx_height_m": 20.0, "rx_height_m": 1.5, "f_mhz": 780.5, "radius_m": 5000.0}
    path_loss_grid(terrain, *sites[0], model="itm", **{**kw, "radius_m": 300.0})  # compile
    t0, c0 = time.perf_counter(), time.process_time()
    cells = 0
    for x, y in sites:
        grid = path_loss_grid(terrain, x, y, model="itm", mask=mask, **kw)
        cells += int(np.isfinite(grid).sum())
    elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
    print(
        f"\n300 ITM grids (5 km radius, {int(mask.sum())} area cells of 30 m, terrain "
        f"{terrain.shape}): {elapsed:.1f} s wall, {cpu:.1f} s CPU, {cells} cell paths, "
        f"{cells / cpu * 1e-3:.0f} k paths per CPU-second; load average {os.getloadavg()[0]:.1f}"
    )
    assert elapsed < 120.0
