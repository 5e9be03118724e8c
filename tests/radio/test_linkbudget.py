"""Technology presets and the link budget: clutter, SNR, throughput, margins."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from coverage import synthetic
from coverage.errors import InputError
from coverage.radio.linkbudget import (
    clutter_loss_db,
    free_space_range_m,
    link_margin_db,
    snr_db,
    throughput_class,
    throughput_mbps,
)
from coverage.radio.technology import PRESETS, get_technology


def test_presets_are_complete_and_sourced():
    want = {"lte-b28-small-cell", "wifi-5ghz-ptmp", "tvws", "lora-915", "ptp-5ghz", "ptp-60ghz"}
    assert want <= set(PRESETS)
    for tech in PRESETS.values():
        assert len(tech.reference) > 40
        assert tech.eirp_dbm == pytest.approx(
            tech.tx_power_dbm + tech.tx_antenna_gain_dbi - tech.cable_loss_db
        )
    assert 703 <= get_technology("lte-b28-small-cell").f_mhz <= 803
    assert 470 <= get_technology("tvws").f_mhz <= 698
    assert 5150 <= get_technology("ptp-5ghz").f_mhz <= 5925
    assert 57_000 <= get_technology("ptp-60ghz").f_mhz <= 71_000
    # FCC 15.407(a)(3) PtMP EIRP 36 dBm; FCC 15.709 TVWS fixed EIRP 36 dBm
    assert get_technology("wifi-5ghz-ptmp").eirp_dbm <= 36.0
    assert get_technology("tvws").eirp_dbm <= 36.0
    with pytest.raises(InputError, match="presets are: "):
        get_technology("5g-mmwave")
    with pytest.raises(InputError, match="f_mhz"):
        dataclasses.replace(get_technology("tvws"), f_mhz=0.0)


def test_noise_floor_snr_and_throughput():
    lte = get_technology("lte-b28-small-cell")
    # -174 dBm/Hz + 70 dB (10 MHz) + 9 dB NF = -95 dBm
    assert lte.noise_floor_dbm == pytest.approx(-95.0)
    snr = snr_db([-75.0, -100.0, np.nan], lte)
    np.testing.assert_allclose(snr[:2], [20.0, -5.0])
    thr = throughput_mbps(snr, lte)
    # TR 36.942 A.2: 0.6 B log2(1 + SNR), 20 dB -> 0.6 x 10 x 6.658 = 39.9, below the 44 cap
    assert thr[0] == pytest.approx(0.6 * 10 * math.log2(101.0))
    assert thr[1] == pytest.approx(0.6 * 10 * math.log2(1 + 10**-0.5))
    assert thr[2] == 0.0
    assert throughput_mbps([60.0], lte)[0] == pytest.approx(44.0)
    assert throughput_mbps([-20.0], lte)[0] == 0.0
    assert list(throughput_class([0.0, 1.0, 5.0, 12.0, 40.0])) == [
        "none",
        "low",
        "basic",
        "broadband",
        "high",
    ]
    assert list(throughput_class([40.0], covered=[False])) == ["none"]
    assert link_margin_db(-80.0, lte)[()] == pytest.approx(-80.0 - (-94.0 + 8.0))
    assert 10_000 < free_space_range_m(lte) < 1e6


def test_clutter_from_worldcover_classes():
    lc = np.array([[10, 30], [50, 255]])
    np.testing.assert_allclose(clutter_loss_db(lc), [[12.0, 0.0], [10.0, 0.0]])
    np.testing.assert_allclose(clutter_loss_db(lc, {10: 5.0}, default_db=1.0), [[5, 1], [1, 1]])
    with pytest.raises(InputError):
        clutter_loss_db(lc, {10: -1.0})


def test_clutter_grid_from_a_land_cover_raster_in_another_crs(tmp_path):
    """A WorldCover-like GeoTIFF in EPSG:4326 over part of the grid: each cell gets its
    class's loss (nearest class), cells outside the raster none; bad files are explained."""
    import rasterio
    from affine import Affine
    from pyproj import Transformer

    from coverage.radio.linkbudget import clutter_grid_db

    t = synthetic.flat(40, 40)
    xmin, ymin, xmax, ymax = t.bounds
    to_geo = Transformer.from_crs(t.crs, "EPSG:4326", always_xy=True)
    lon0, lat0 = to_geo.transform(xmin - 100, ymin - 100)
    lon1, lat1 = to_geo.transform((xmin + xmax) / 2, ymax + 100)  # west half only
    codes = np.full((50, 50), 10, dtype=np.uint8)
    codes[:, 25:] = 50  # east part of the raster: built-up
    path = tmp_path / "lc.tif"
    with rasterio.open(
        path, "w", driver="GTiff", width=50, height=50, count=1, dtype="uint8",
        crs="EPSG:4326", transform=Affine((lon1 - lon0) / 50, 0, lon0, 0, -(lat1 - lat0) / 50, lat1),
        nodata=0,
    ) as dst:  # fmt: skip
        dst.write(codes, 1)
    grid = clutter_grid_db(path, t)
    assert grid.shape == t.shape and grid.dtype == np.float32
    assert grid[20, 2] == pytest.approx(12.0)  # tree cover
    assert grid[20, 17] == pytest.approx(10.0)  # built-up
    assert grid[20, 35] == 0.0  # outside the raster
    assert clutter_grid_db(path, t, {10: 3.0})[20, 2] == pytest.approx(3.0)
    with pytest.raises(InputError, match="cannot be read"):
        clutter_grid_db(tmp_path / "missing.tif", t)
