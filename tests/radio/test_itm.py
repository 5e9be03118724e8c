"""ITM against NTIA's published examples, to 0.1 dB, plus its invariants.

Published values:

* ``qkpflanx.txt`` of NTIA/ITS ITM 1.2.2 (the FORTRAN ``qkpfl`` driver): QKPFL tests 1 and 2,
  Crystal Palace to Mursley, England (also quoted in the Wireless Innovation Forum SAS
  reference ``itm_test.py``).
* NTIA/ITS ITM 1.4 ``cmd_examples`` (https://github.com/NTIA/itm): ``o_p2pcr.txt``,
  ``o_p2pcr_tbl.txt`` (point-to-point over ``pfl.txt``), ``o_areatls.txt``, ``o_areacr.txt``
  and ``o_areacr_tbl.txt`` (area mode).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from coverage.errors import InputError
from coverage.radio.itm import N0_ANDES, ItmSettings, itm_area, itm_point_to_point, warning_words

#: QKPFL path: 156 intervals over 77.8 km (NTIA qkpfldat.txt).
CRYSTAL_PALACE = [
    96, 84, 65, 46, 46, 46, 61, 41, 33, 27, 23, 19, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15,
    15, 17, 19, 21, 23, 25, 27, 29, 35, 46, 41, 35, 30, 33, 35, 37, 40, 35, 30, 51, 62, 76, 46,
    46, 46, 46, 46, 46, 50, 56, 67, 106, 83, 95, 112, 137, 137, 76, 103, 122, 122, 83, 71, 61,
    64, 67, 71, 74, 77, 79, 86, 91, 83, 76, 68, 63, 76, 107, 107, 107, 119, 127, 133, 135, 137,
    142, 148, 152, 152, 107, 137, 104, 91, 99, 120, 152, 152, 137, 168, 168, 122, 137, 137, 170,
    183, 183, 187, 194, 201, 192, 152, 152, 166, 177, 198, 156, 127, 116, 107, 104, 101, 98, 95,
    103, 91, 97, 102, 107, 107, 107, 103, 98, 94, 91, 105, 122, 122, 122, 122, 122, 137, 137,
    137, 137, 137, 137, 137, 137, 140, 144, 147, 150, 152, 159,
]  # fmt: skip

#: Rows: reliability 1, 10, 50, 90, 99 %; columns: confidence 50, 90, 10 %.
QKPFL_1 = [
    [128.6, 137.6, 119.6], [132.2, 140.8, 123.5], [135.8, 144.3, 127.2],
    [138.0, 146.5, 129.4], [139.7, 148.4, 131.0],
]  # fmt: skip
QKPFL_2 = [
    [144.3, 154.1, 134.4], [150.9, 159.5, 142.3], [157.6, 165.7, 149.4],
    [161.6, 169.9, 153.3], [164.9, 173.6, 156.2],
]  # fmt: skip

#: NTIA ITM 1.4 cmd_examples/pfl.txt: 142 intervals of 25.6 m.
PFL = [1692, 1692] + [1693] * 6 + [1694] * 9 + [1695] * 8 + [1696] * 6 + [1697] * 10 + [
    1698] * 10 + [1699] * 6 + [1700] * 7 + [1701] * 6 + [1702] * 8 + [1703] * 9 + [1704] * 8 + [
    1705] * 10 + [1706] * 9 + [1707] * 7 + [1708] * 8 + [1709] * 5 + [1710] * 8 + [1709]  # fmt: skip


@pytest.mark.parametrize(
    ("f_mhz", "hg", "table", "he_published"),
    [(41.5, (143.9, 8.5), QKPFL_1, (240.5, 18.4)), (573.3, (194.0, 9.1), QKPFL_2, (292.5, 19.0))],
)
def test_qkpfl_crystal_palace_to_mursley(f_mhz, hg, table, he_published):
    """NTIA qkpflanx.txt, QKPFL tests 1 and 2: every quantile within 0.1 dB."""
    for reliability, row in zip((1, 10, 50, 90, 99), table, strict=True):
        for confidence, want in zip((50, 90, 10), row, strict=True):
            r = itm_point_to_point(
                CRYSTAL_PALACE,
                77_800 / 156,
                tx_height_m=hg[0],
                rx_height_m=hg[1],
                f_mhz=f_mhz,
                settings=ItmSettings(
                    polarization="horizontal",
                    permittivity=15,
                    conductivity_s_m=0.005,
                    n0=314,
                    climate=5,
                    time_pct=reliability,
                    location_pct=50,
                    situation_pct=confidence,
                    mdvar=12,
                    system_elevation_m=0,
                ),
            )
            assert abs(r.loss_db - want) <= 0.1, (reliability, confidence, r.loss_db, want)
    assert r.path == "double horizon"  # "A DOUBLE-HORIZON PATH"
    assert abs(r.free_space_db - (102.6 if f_mhz < 100 else 125.4)) <= 0.1
    assert r.warnings == ()


def test_p2p_ntia_cmd_example():
    """NTIA ITM 1.4 o_p2pcr.txt / o_p2ptls.txt: 114.5 dB, N_s = 251.5 from the profile mean."""
    r = itm_point_to_point(
        PFL,
        25.6,
        tx_height_m=15,
        rx_height_m=3,
        f_mhz=3500,
        settings=ItmSettings(polarization="vertical", n0=301, climate=5, mdvar=1),
    )
    assert len(PFL) == 143
    assert abs(r.loss_db - 114.5) <= 0.1
    assert abs(r.free_space_db - 114.5) <= 0.1
    assert r.mode == "line of sight" and r.warning_flags == 0


@pytest.mark.parametrize(
    ("reliability", "row"),
    [(10, (110.9, 117.2, 129.1)), (65, (110.9, 117.4, 129.2)), (90, (110.9, 117.5, 129.3))],
)
def test_p2p_ntia_confidence_reliability_table(reliability, row):
    """NTIA ITM 1.4 o_p2pcr_tbl.txt (confidence 10/60/90 %)."""
    for confidence, want in zip((10, 60, 90), row, strict=True):
        r = itm_point_to_point(
            PFL,
            25.6,
            tx_height_m=15,
            rx_height_m=3,
            f_mhz=3500,
            settings=ItmSettings(
                n0=301,
                climate=5,
                mdvar=1,
                time_pct=reliability,
                location_pct=50,
                situation_pct=confidence,
            ),
        )
        assert abs(r.loss_db - want) <= 0.1


def test_area_ntia_examples():
    """NTIA ITM 1.4 o_areatls.txt (134.5 dB) and o_areacr.txt (118.3 dB)."""
    r = itm_area(
        10e3,
        delta_h_m=20,
        tx_height_m=15,
        rx_height_m=3,
        f_mhz=3500,
        settings=ItmSettings(n0=301, climate=5, mdvar=1),
    )
    assert abs(r.loss_db - 134.5) <= 0.1 and abs(r.reference_attenuation_db - 11.2) <= 0.1
    r = itm_area(
        1e3,
        delta_h_m=0,
        tx_height_m=3,
        rx_height_m=3,
        f_mhz=10_000,
        settings=ItmSettings(
            n0=301, climate=5, mdvar=3, time_pct=90, location_pct=50, situation_pct=77
        ),
    )
    assert abs(r.loss_db - 118.3) <= 0.1


AREA_TABLE = """\
10 132.4 147.0 151.7 155.9
20 138.5 174.9 179.2 183.1
30 142.0 198.7 202.9 206.7
40 144.5 213.0 217.3 221.0
50 146.4 215.8 220.0 223.8
60 148.0 218.1 222.4 226.1
70 149.4 220.1 224.4 228.1
80 150.5 221.9 226.1 229.9
90 151.5 223.4 227.7 231.4
100 152.4 224.8 229.0 232.7
200 158.5 234.6 238.5 241.9
300 162.0 243.6 247.2 250.4
400 164.5 252.0 255.6 258.7
500 166.4 260.0 263.5 266.6
600 168.0 267.5 271.0 274.1
700 169.4 274.8 278.3 281.4
800 170.5 281.9 285.3 288.4
900 171.5 288.8 292.3 295.4
1000 172.4 295.6 299.1 302.2"""


def test_area_ntia_table():
    """NTIA ITM 1.4 o_areacr_tbl.txt: 10-1000 km, confidence 50/75/90 %, reliability 90 %."""
    for line in AREA_TABLE.splitlines():
        d_km, fs, *row = (float(v) for v in line.split())
        for confidence, want in zip((50, 75, 90), row, strict=True):
            r = itm_area(
                d_km * 1e3,
                delta_h_m=0,
                tx_height_m=3,
                rx_height_m=3,
                f_mhz=10_000,
                settings=ItmSettings(
                    n0=301,
                    climate=5,
                    mdvar=3,
                    time_pct=90,
                    location_pct=50,
                    situation_pct=confidence,
                ),
            )
            assert abs(r.loss_db - want) <= 0.1, (d_km, confidence, r.loss_db)
            assert abs(r.free_space_db - fs) <= 0.1


def test_refractivity_flag_in_the_andes():
    """N0 = 301 flags high paths (N_s < 250); the Andes default N0 does not; flags are kept."""
    high = np.full(101, 2500.0)
    r = itm_point_to_point(
        high, 50.0, tx_height_m=20, rx_height_m=2, f_mhz=700, settings=ItmSettings(n0=301)
    )
    assert r.warning_flags & 0x4000
    assert "surface refractivity N_s below 250 N-units" in r.warnings
    r = itm_point_to_point(high, 50.0, tx_height_m=20, rx_height_m=2, f_mhz=700)
    assert ItmSettings().n0 == N0_ANDES
    assert not r.warning_flags & 0x4000
    assert warning_words(0x4001)[0].startswith("tx terminal height")


def test_inputs_out_of_range_raise():
    with pytest.raises(InputError, match="f_mhz"):
        itm_point_to_point(CRYSTAL_PALACE, 500, tx_height_m=10, rx_height_m=2, f_mhz=5)
    with pytest.raises(InputError, match="n0=200"):
        ItmSettings(n0=200)
    with pytest.raises(InputError, match="profile"):
        itm_point_to_point([1, 2], 500, tx_height_m=10, rx_height_m=2, f_mhz=700)
    with pytest.raises(InputError, match="siting"):
        itm_area(1e3, delta_h_m=10, tx_height_m=10, rx_height_m=2, f_mhz=700, tx_siting=5)


def test_settings_check_themselves():
    """ItmSettings names every field out of range, its value and the fix, in one InputError."""
    with pytest.raises(InputError) as err:
        ItmSettings(
            polarization="circular",
            permittivity=0.5,
            conductivity_s_m=0.0,
            n0=200,
            climate=8,
            mdvar=4,
            time_pct=0,
            location_pct=100,
            situation_pct=150,
        )
    text = str(err.value)
    assert text.startswith("ITM inputs out of range: polarization 'circular': use 'horizontal'")
    for part in (
        "climate=8: use 1-7",
        "n0=200: ITM needs a sea-level refractivity of 250-400 N-units",
        "permittivity=0.5: must be >= 1",
        "conductivity_s_m=0.0: must be > 0",
        "mdvar=4: use 0-3, plus 10 and/or 20",
        "time_pct=0: must lie strictly between 0 and 100",
        "location_pct=100: must lie",
        "situation_pct=150: must lie",
    ):
        assert part in text
    assert len(err.value.problems) == 9


def test_settings_are_a_value_with_the_kernel_vector():
    """Frozen, numbers held as float/int, and the parameter vector of the compiled cores."""
    import dataclasses

    s = ItmSettings(polarization="H", n0=301, climate=5, mdvar=12, system_elevation_m=0)
    assert (s.n0, s.climate, s.mdvar, s.system_elevation_m) == (301.0, 5, 12, 0.0)
    assert isinstance(s.n0, float) and isinstance(s.mdvar, int)
    assert s.polarization_code == 0 and ItmSettings(polarization=1).polarization_code == 1
    assert s == ItmSettings(polarization="H", n0=301.0, climate=5, mdvar=12, system_elevation_m=0)
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.n0 = 360.0  # type: ignore[misc]
    np.testing.assert_array_equal(
        s.kernel_params(), [0, 15.0, 0.005, 301.0, 0.0, 5, 12, 50.0, 50.0, 50.0]
    )
    assert math.isnan(ItmSettings().kernel_params()[4])  # None: the profile's mean
    assert dataclasses.replace(s, climate=1).climate == 1
    with pytest.raises(InputError, match="climate=0"):
        dataclasses.replace(s, climate=0)


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    n=st.integers(3, 300),
    spacing=st.floats(10, 200),
    h_tx=st.floats(1, 100),
    f=st.floats(50, 6000),
)
def test_itm_reference_attenuation_never_negative(seed, n, spacing, h_tx, f):
    """A_ref >= 0, so the median loss is never below free space by more than ITM's V_med.

    ITM subtracts the climate's median time variability V_med from A_ref (Algorithm §5), so
    on a clear path its median can sit V_med (a fraction of a dB at these ranges) below
    free space; that is the model, not an error, and it is bounded here.
    """
    rng = np.random.default_rng(seed)
    z = 1500 + np.cumsum(rng.normal(0, 15, n))
    r = itm_point_to_point(z, spacing, tx_height_m=h_tx, rx_height_m=2, f_mhz=f)
    assert r.reference_attenuation_db >= 0
    # 1e-3 dB: ITM's Abramowitz-Stegun inverse normal gives z(50 %) ~ 1e-6, not exactly 0
    assert r.loss_db >= r.free_space_db - max(r.median_variability_db, 0) - 1e-3
    assert math.isfinite(r.loss_db)


# --- regression: the compiled core against the frozen pre-speed-up core ----------------------
def _reference_rows(terrain, sites, heights, targets, **kw):
    """Loss per (site, height) row from the frozen pure-Python core of tests/itm_reference.py."""
    from coverage.radio.prediction import grid_coords
    from tests.radio import itm_reference

    params = ItmSettings().kernel_params()  # what get_model("itm") gives the kernels
    cf, rf = grid_coords(terrain, targets[:, 0], targets[:, 1])
    rows = []
    for x, y in sites:
        tx_cf, tx_rf = grid_coords(terrain, x, y)
        for h in heights:
            loss, _st, _w = itm_reference.targets_reference(
                terrain.elevation_m, terrain.cell_size_m, float(tx_cf), float(tx_rf), cf, rf,
                terrain.cell_size_m, h, kw["rx_height_m"], kw["f_mhz"], params,
                kw["max_distance_m"],
            )  # fmt: skip
            rows.append(loss)
    return np.array(rows)


def _random_paths(terrain, n_sites, n_targets, seed):
    rng = np.random.default_rng(seed)
    xmin, ymin, xmax, ymax = terrain.bounds
    pad = 2 * terrain.cell_size_m
    sites = np.column_stack(
        [rng.uniform(xmin + pad, xmax - pad, n_sites), rng.uniform(ymin + pad, ymax - pad, n_sites)]
    )
    targets = np.column_stack(
        [
            rng.uniform(xmin + pad, xmax - pad, n_targets),
            rng.uniform(ymin + pad, ymax - pad, n_targets),
        ]
    )
    return sites, targets


def _check_against_reference(terrain, sites, targets, heights):
    from coverage.radio.prediction import PredictionSettings, path_loss_options

    kw = {"rx_height_m": 1.5, "f_mhz": 780.5, "max_distance_m": 15_000.0}
    want = _reference_rows(terrain, sites, heights, targets, **kw)
    got = path_loss_options(
        terrain,
        sites,
        heights,
        targets,
        max_distance_m=kw["max_distance_m"],
        settings=PredictionSettings(f_mhz=kw["f_mhz"], rx_height_m=kw["rx_height_m"]),
    )
    assert got.shape == want.shape
    np.testing.assert_array_equal(np.isnan(got), np.isnan(want))
    finite = np.isfinite(want)
    assert finite.sum() >= 0.9 * want.size
    assert np.abs(got[finite] - want[finite]).max() <= 0.01


def test_compiled_core_matches_frozen_core_on_real_paths(mirror):
    """300 random Palmitas paths x 3 mast heights: new core within 0.01 dB of the old one."""
    import geopandas as gpd

    from coverage.inputs.dem import load_terrain

    area = gpd.read_file(mirror / "palmitas_corregimiento.geojson").to_crs("EPSG:9377")
    terrain = load_terrain(
        mirror / "dem" / "medellin_dem_srtm1.tif",
        area.geometry.union_all(),
        "EPSG:9377",
        margin_m=3000,
    )
    sites, targets = _random_paths(terrain, 3, 100, seed=4)
    _check_against_reference(terrain, sites, targets, [12.0, 18.0, 30.0])


def test_compiled_core_matches_frozen_core_on_synthetic_andes(andes_terrain):
    """200 paths over the synthetic Andes (no real data needed), two heights, to 0.01 dB."""
    sites, targets = _random_paths(andes_terrain, 2, 100, seed=5)
    _check_against_reference(andes_terrain, sites, targets, [10.0, 25.0])


@settings(max_examples=60, deadline=None)
@given(
    values=st.lists(st.integers(-5, 5), min_size=35, max_size=245),
    k_frac=st.floats(0.0, 1.0),
    spread=st.floats(0.01, 1000.0),
)
def test_order_statistics_equal_sorting(values, k_frac, spread):
    """The bucketed selection behind Δh returns exactly the sorted k-th values (ties too)."""
    from coverage.radio.itm.profile import N_BINS, order_statistics

    assert N_BINS & (N_BINS - 1) == 0  # the bin index is masked with N_BINS - 1

    s = np.array(values, dtype=np.float64) * spread
    n = len(s)
    k_a = min(int(k_frac * n), n - 1)
    k_b = n - 1 - k_a
    lo, hi = s.min(), s.max()
    assume(hi > lo)
    pools = np.empty(2 * n)
    got = order_statistics(
        s.copy(), n, k_a, k_b, lo, hi, np.empty(2 * N_BINS + n, dtype=np.int64),
        pools[:n], pools[n:],
    )  # fmt: skip
    assert got == (np.sort(s)[k_a], np.sort(s)[k_b])


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    n=st.integers(3, 160),
    rough_m=st.sampled_from([0.0, 1.0, 8.0, 40.0]),
    step_m=st.sampled_from([30.0, 23.7, 90.0]),
)
def test_radial_tables_change_nothing(seed, n, rough_m, step_m):
    """Horizon scans pruned by :func:`radial_tables` give the full scans' results bit for bit,
    for every path along a radial: integer terrain (equal angles, ties), flat ground,
    several heights, and a spacing (23.7 m) whose distances are not exact (full rx scan)."""
    from coverage.radio.itm.horizons import no_radial_tables, radial_table_buffers, radial_tables
    from coverage.radio.itm.point_to_point import itm_p2p_heights
    from coverage.radio.itm.profile import WORK_SIZE, profile_sums, reciprocals
    from coverage.radio.itm.terms import path_terms

    rng = np.random.default_rng(seed)
    z = np.round(1500 + np.cumsum(rng.normal(0, rough_m, n)))
    heights = np.array([2.0, 10.0, 35.0])
    recip = reciprocals(n + 1)
    sums = np.empty((3, n + 1))
    profile_sums(z, n, step_m, sums)
    pruning = radial_table_buffers(n, len(heights))
    radial_tables(z, n, step_m, recip, heights, pruning)
    terms = path_terms(700.0, ItmSettings(n0=301.0, climate=5).kernel_params())
    out = {}
    for pruned in (False, True):
        tables = pruning if pruned else no_radial_tables()
        rows = []
        for np_ in range(2, n):
            loss, mode, warn = np.empty(3), np.empty(3, np.int64), np.empty(3, np.int64)
            itm_p2p_heights(
                z, sums, recip, np_, step_m, heights, 1.5, terms, np.empty(WORK_SIZE + 3), tables,
                loss, mode, warn,
            )  # fmt: skip
            rows.append(np.concatenate([loss, mode, warn]))
        out[pruned] = np.array(rows)
    assert np.array_equal(out[False], out[True], equal_nan=True)


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    n=st.integers(3, 300),
    rough_m=st.sampled_from([0.5, 5.0, 25.0, 80.0]),
    h_tx=st.sampled_from([2.0, 12.0, 40.0]),
)
def test_horizons_match_full_scans(seed, n, rough_m, h_tx):
    """The compiled core scans for an rx horizon only on a path the tx horizon blocks, and
    only from the tx horizon's sample on (the two horizons never cross); the frozen core
    scans every sample from both ends. Same loss (0.01 dB), mode and warnings on rough,
    hilly and flat profiles, line of sight or not."""
    from coverage.radio.itm.point_to_point import itm_p2p_core
    from tests.radio import itm_reference

    rng = np.random.default_rng(seed)
    z = 1500 + np.cumsum(rng.normal(0, rough_m, n))
    settings = ItmSettings(n0=301.0, climate=5, time_pct=0.5, location_pct=0.5, situation_pct=0.5)
    params = settings.kernel_params()
    args = (z, 30.0, h_tx, 2.0, 700.0, 1, 15.0, 0.005, 301.0, math.nan, 5, 1, 0.5, 0.5, 0.5)
    got, want = itm_p2p_core(*args[:5], params), itm_reference.itm_p2p_core(*args)
    assert np.array_equal(params, args[5:], equal_nan=True)
    assert abs(got[0] - want[0]) <= 0.01
    assert got[4:] == want[4:]
