"""Site antenna patterns: sectors, several sectors per site, MSI files, loss towards targets."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from coverage import synthetic
from coverage.errors import InputError
from coverage.radio.antenna import (
    f1336_omni,
    f1336_omni_beamwidth_deg,
    f1336_omni_vertical_db,
    omni,
    pattern_loss_db,
    pattern_loss_grid,
    read_msi_pattern,
    sector,
)


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


def test_f1336_omni_pattern():
    """ITU-R F.1336-5: an 11 dBi omni has an 8.5 deg beam; 3 dB down half a beamwidth off
    its tilt, side lobes 12.7-16.5 dB down (k = 0.7), the same in every azimuth."""
    assert f1336_omni_beamwidth_deg(15.0) == pytest.approx(3.40, abs=0.01)
    t3 = f1336_omni_beamwidth_deg(11.0)
    assert t3 == pytest.approx(8.54, abs=0.01)
    ant = f1336_omni(11.0, downtilt_deg=4.0)
    assert ant.gain_towards_dbi(0.0, -4.0) == pytest.approx(11.0)
    for az in (0.0, 137.0, 290.0):
        for el in (-4.0 + t3 / 2, -4.0 - t3 / 2):
            assert ant.gain_towards_dbi(az, el) == pytest.approx(8.0, abs=0.05)
    angles = np.arange(-90.0, 90.5, 0.5)
    loss = 11.0 - ant.gain_towards_dbi(0.0, angles)
    assert loss.min() == pytest.approx(0.0) and loss.max() <= 16.55
    off = np.abs(angles + 4.0) >= t3 + 1.0  # beyond the main lobe (1 deg of interpolation)
    assert np.all(loss[off] >= 12.7 - 1e-6)
    raw = f1336_omni_vertical_db(np.array([0.0, t3, 90.0]), 11.0)
    np.testing.assert_allclose(
        raw, [0.0, 15 - 10 * np.log10(1.7), 15 - 10 * np.log10((90 / t3) ** -1.5 + 0.7)]
    )
    assert not ant.is_omni and ant.sectors == 1
