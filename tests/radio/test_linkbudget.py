"""Technology presets and the link budget: patterns, clutter, SNR, throughput."""

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
    omni,
    pattern_loss_db,
    pattern_loss_grid,
    read_msi_pattern,
    sector,
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


def test_sector_pattern():
    ant = sector(
        15.0, azimuth_deg=90.0, h_beamwidth_deg=65.0, v_beamwidth_deg=10.0, downtilt_deg=3.0
    )
    assert ant.gain_towards_dbi(90.0, -3.0) == pytest.approx(15.0)
    # half-power points: -3 dB at +-32.5 deg
    assert ant.gain_towards_dbi(90.0 + 32.5, -3.0) == pytest.approx(12.0, abs=0.01)
    assert ant.gain_towards_dbi(270.0, -3.0) == pytest.approx(15.0 - 25.0)
    assert ant.gain_towards_dbi(90.0, -8.0) == pytest.approx(12.0, abs=0.01)
    assert omni(2.0).gain_towards_dbi([0, 123, 359], [0, 10, -30]).tolist() == [2.0] * 3


def test_three_sector_site_takes_the_best_sector():
    """Three 65 deg sectors from 30 deg: full gain on each boresight (30, 150, 270); half-way
    between two (90 deg) the gain of a sector 60 deg off its boresight; the front-to-back
    ratio never reached. A sector set that contains another never has less gain anywhere."""
    one = sector(15.0, azimuth_deg=30.0, h_beamwidth_deg=65.0, v_beamwidth_deg=10.0)
    three = dataclasses.replace(one, sectors=3)
    assert three.azimuths_deg == (30.0, 150.0, 270.0)
    built = sector(15.0, azimuth_deg=30.0, sectors=3)
    assert built.name == "sector" and built.azimuths_deg == three.azimuths_deg
    np.testing.assert_allclose(three.gain_towards_dbi([30.0, 150.0, 270.0], 0.0), 15.0)
    assert three.gain_towards_dbi(90.0, 0.0) == pytest.approx(15.0 - 12.0 * (60 / 65) ** 2)
    assert three.gain_towards_dbi(90.0, 0.0) == pytest.approx(one.gain_towards_dbi(90.0, 0.0))
    az = np.arange(0.0, 360.0, 0.5)
    g1, g3 = one.gain_towards_dbi(az, 0.0), three.gain_towards_dbi(az, 0.0)
    six = dataclasses.replace(one, sectors=6)
    assert np.all(g3 >= g1) and np.all(six.gain_towards_dbi(az, 0.0) >= g3)
    assert g3.min() == pytest.approx(15.0 - 12.0 * (60 / 65) ** 2)  # worst: between sectors
    assert g1.min() == pytest.approx(15.0 - 25.0)
    with pytest.raises(InputError, match="sectors must be 1-12"):
        dataclasses.replace(one, sectors=0)


def test_msi_pattern_roundtrip(tmp_path):
    lines = ["NAME TEST-ANT", "FREQUENCY 700", "GAIN 14.85 dBd", "HORIZONTAL 360"]
    lines += [f"{a} {min(12 * (min(a, 360 - a) / 65) ** 2, 25):.2f}" for a in range(360)]
    lines += ["VERTICAL 360"]
    lines += [f"{a} {min(12 * (min(a, 360 - a) / 10) ** 2, 20):.2f}" for a in range(360)]
    path = tmp_path / "ant.msi"
    path.write_text("\n".join(lines))
    ant = read_msi_pattern(path, azimuth_deg=45.0)
    assert ant.name == "TEST-ANT" and ant.gain_dbi == pytest.approx(17.0)
    assert read_msi_pattern(path, azimuth_deg=45.0, sectors=2).azimuths_deg == (45.0, 225.0)
    assert ant.gain_towards_dbi(45.0, 0.0) == pytest.approx(17.0)
    assert ant.gain_towards_dbi(45.0 + 32.0, 0.0) == pytest.approx(17.0 - 2.91, abs=0.01)
    bad = tmp_path / "bad.msi"
    bad.write_text("NAME X\nHORIZONTAL 360\n0 0\n")
    with pytest.raises(InputError, match="no GAIN line"):
        read_msi_pattern(bad)


def test_clutter_from_worldcover_classes():
    lc = np.array([[10, 30], [50, 255]])
    np.testing.assert_allclose(clutter_loss_db(lc), [[12.0, 0.0], [10.0, 0.0]])
    np.testing.assert_allclose(clutter_loss_db(lc, {10: 5.0}, default_db=1.0), [[5, 1], [1, 1]])
    with pytest.raises(InputError):
        clutter_loss_db(lc, {10: -1.0})


def test_pattern_loss_towards_targets_and_grid():
    """Sector east with 6 deg downtilt on flat ground: full gain east along the tilt, the
    front-to-back ratio west, the vertical cut towards the horizon; omni costs nothing."""
    t = synthetic.flat(100, 100, elevation_m=1000.0)
    xs, ys = t.cell_centers()
    site = (float(xs[50]), float(ys[50]))
    ant = sector(15.0, azimuth_deg=90.0, v_beamwidth_deg=10.0, downtilt_deg=6.0)
    # 30 m mast, 2 m receiver: 28 m below; along the tilt at 28 / tan(6 deg) = 266 m east
    d_tilt = 28.0 / math.tan(math.radians(6.0))
    far = 1400.0
    targets = [(site[0] + d_tilt, site[1]), (site[0] - d_tilt, site[1]), (site[0] + far, site[1])]
    loss = pattern_loss_db(ant, t, site, 30.0, targets, 2.0)
    assert loss[0] == pytest.approx(0.0, abs=0.05)
    assert loss[1] == pytest.approx(25.0)  # capped at the front-to-back ratio
    elevation = math.degrees(math.atan2(-28.0 - far**2 / (2 * 4 / 3 * 6_371_000.0), far))
    assert loss[2] == pytest.approx(12.0 * ((elevation + 6.0) / 10.0) ** 2, abs=0.05)
    grid = pattern_loss_grid(ant, t, *site, 30.0, 2.0)
    assert grid.shape == t.shape and grid.dtype == np.float32
    assert grid[50, 99] == pytest.approx(
        pattern_loss_db(ant, t, site, 30.0, [(xs[99], ys[50])], 2.0)[0], abs=1e-4
    )
    assert grid[50, 0] == pytest.approx(25.0)
    assert grid[50, 50:].argmin() > 0  # the beam lands away from the mast foot
    assert omni(5.0).is_omni and not ant.is_omni
    assert not pattern_loss_grid(omni(5.0), t, *site, 30.0, 2.0).any()


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
