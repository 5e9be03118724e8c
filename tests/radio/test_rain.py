"""Rain fade (coverage.radio.rain): ITU-R P.838-3 coefficients against the recommendation's
Table 5, P.530-18 section 2.4.1 steps 3-5 recomputed by hand, monotonicity and refusals."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from coverage.errors import InputError
from coverage.radio.rain import (
    DEFAULT_R001_MM_H,
    rain_attenuation_db,
    rain_availability_pct,
    rain_coefficients,
    specific_attenuation_db_km,
)

# ITU-R P.838-3 (03/2005), Table 5 "Frequency-dependent coefficients for estimating specific
# attenuation": f (GHz), k_H, alpha_H, k_V, alpha_V, as printed (4-5 significant figures).
P838_TABLE5 = [
    (5.0, 0.0002162, 1.6969, 0.0002428, 1.5317),
    (5.5, 0.0003909, 1.6499, 0.0003115, 1.5882),
    (6.0, 0.0007056, 1.5900, 0.0004878, 1.5728),
    (10.0, 0.01217, 1.2571, 0.01129, 1.2156),
    (20.0, 0.09164, 1.0568, 0.09611, 0.9847),
    (40.0, 0.4431, 0.8673, 0.4274, 0.8421),
]


@pytest.mark.parametrize(("f_ghz", "k_h", "a_h", "k_v", "a_v"), P838_TABLE5)
def test_coefficients_match_p838_table_5(f_ghz, k_h, a_h, k_v, a_v):
    kh, ah = rain_coefficients(f_ghz, polarization="horizontal")
    kv, av = rain_coefficients(f_ghz, polarization="vertical")
    # the table's rounding: half a unit in its last printed digit, as a relative bound
    assert float(kh) == pytest.approx(k_h, rel=5e-4)
    assert float(kv) == pytest.approx(k_v, rel=5e-4)
    assert float(ah) == pytest.approx(a_h, abs=5e-5)
    assert float(av) == pytest.approx(a_v, abs=5e-5)


def test_5_8_ghz_lies_between_the_table_rows_around_it():
    # 5.8 GHz is not a Table 5 row; its k lies between the 5.5 and 6 GHz rows
    kh, _ = rain_coefficients(5.8, polarization="horizontal")
    kv, _ = rain_coefficients(5.8, polarization="vertical")
    assert 0.0003909 < float(kh) < 0.0007056
    assert 0.0003115 < float(kv) < 0.0004878


def test_circular_and_elevation_follow_equations_4_and_5():
    kh, ah = rain_coefficients(20.0, polarization="horizontal")
    kv, av = rain_coefficients(20.0, polarization="vertical")
    kc, ac = rain_coefficients(20.0, polarization="circular")
    # tau = 45 degrees: cos(2 tau) = 0, so k is the mean and alpha the k-weighted mean
    assert float(kc) == pytest.approx((kh + kv) / 2)
    assert float(ac) == pytest.approx((kh * ah + kv * av) / (kh + kv))
    # a vertical path (theta = 90 degrees) sees no polarization difference either
    k90, _ = rain_coefficients(20.0, polarization="horizontal", path_elevation_deg=90.0)
    assert float(k90) == pytest.approx(float(kc))


def test_specific_attenuation_is_k_r_alpha():
    # Table 5, 20 GHz vertical: 0.09611 x 95^0.9847 = 8.33 dB/km
    expected = 0.09611 * 95.0**0.9847
    got = specific_attenuation_db_km(20.0, 95.0)
    assert float(got) == pytest.approx(expected, rel=1e-3)
    assert float(specific_attenuation_db_km(5.8, 0.0)) == 0.0
    out = specific_attenuation_db_km(np.array([5.8, 10.0, 20.0]), np.array([[10.0], [100.0]]))
    assert out.shape == (2, 3)


def hand_p530(f, d, r001, p, k, alpha):
    """P.530-18 section 2.4.1 steps 2-5, written out from the text with Table 5's k, alpha."""
    gamma = k * r001**alpha
    r = 1 / (
        0.477 * d**0.633 * r001 ** (0.073 * alpha) * f**0.123 - 10.579 * (1 - math.exp(-0.024 * d))
    )
    a001 = gamma * d * min(r, 2.5)
    c0 = 0.12 + 0.4 * math.log10((f / 10) ** 0.8) if f >= 10 else 0.12
    c1 = 0.07**c0 * 0.12 ** (1 - c0)
    c2 = 0.855 * c0 + 0.546 * (1 - c0)
    c3 = 0.139 * c0 + 0.043 * (1 - c0)
    return a001 * c1 * p ** -(c2 + c3 * math.log10(p))


@pytest.mark.parametrize(
    ("f", "d", "r001", "p"),
    [
        (20.0, 10.0, 95.0, 0.01),
        (20.0, 10.0, 95.0, 0.001),
        (10.0, 5.0, 60.0, 0.1),
        (40.0, 2.0, 95.0, 1.0),
    ],
)
def test_rain_attenuation_by_hand(f, d, r001, p):
    row = next(r for r in P838_TABLE5 if r[0] == f)
    expected = hand_p530(f, d, r001, p, row[3], row[4])
    got = float(rain_attenuation_db(f, d, r001, p))
    assert got == pytest.approx(expected, rel=2e-3)  # Table 5 rounding of k and alpha


def test_distance_factor_is_capped_at_2_5():
    # 0.1 km: the fitted r is 4.8, so A0.01 = gamma x 0.1 km x 2.5 (times step 5's factor
    # at p = 0.01 %, which is C1 0.01^-(C2 - 2 C3) = 0.998 for C0 = 0.12, not exactly 1)
    gamma = float(specific_attenuation_db_km(5.8, 95.0))
    c1 = 0.07**0.12 * 0.12**0.88
    c2, c3 = 0.855 * 0.12 + 0.546 * 0.88, 0.139 * 0.12 + 0.043 * 0.88
    step5 = c1 * 0.01 ** -(c2 - 2 * c3)
    assert step5 == pytest.approx(0.998, abs=1e-3)
    a = rain_attenuation_db(5.8, [0.05, 0.1], 95.0, 0.01)
    np.testing.assert_allclose(a, gamma * np.array([0.05, 0.1]) * 2.5 * step5)


def test_a_10_km_5_8_ghz_hop_in_medellin_rain():
    # below 10 GHz C0 = 0.12 and the ratio of two percentages is C1 p^-(C2 + C3 log10 p)'s
    a = rain_attenuation_db(5.8, 10.0, DEFAULT_R001_MM_H, [0.001, 0.01, 0.1, 1.0])
    assert np.all(np.diff(a) < 0)
    assert 2.0 < a[1] < 3.5  # a few dB: 5.8 GHz rain fade is small at this length
    c0 = 0.12
    c1 = 0.07**c0 * 0.12 ** (1 - c0)
    c2, c3 = 0.855 * c0 + 0.546 * (1 - c0), 0.139 * c0 + 0.043 * (1 - c0)
    assert a[2] / a[1] == pytest.approx(c1 * 0.1 ** -(c2 - c3) / (c1 * 0.01 ** -(c2 - 2 * c3)))


def test_default_rain_rate_is_a_tropical_value():
    assert 90.0 <= DEFAULT_R001_MM_H <= 120.0


def test_availability_inverts_the_attenuation():
    p = np.array([0.001, 0.003, 0.01, 0.05, 0.3, 1.0])
    margin = rain_attenuation_db(20.0, 8.0, 95.0, p)
    avail = rain_availability_pct(20.0, 8.0, 95.0, margin)
    np.testing.assert_allclose(avail, 100.0 - p, rtol=0, atol=1e-9)


def test_availability_is_bounded_outside_0_001_to_1_pct():
    a_0001 = float(rain_attenuation_db(5.8, 10.0, 95.0, 0.001))
    a_1 = float(rain_attenuation_db(5.8, 10.0, 95.0, 1.0))
    got = rain_availability_pct(5.8, 10.0, 95.0, [a_0001 + 20.0, a_1 / 2, 0.0])
    np.testing.assert_allclose(got, [99.999, 99.0, 99.0])


@given(
    f=st.floats(5.0, 40.0),
    d=st.floats(0.1, 25.0),
    r001=st.floats(0.1, 300.0),
    p=st.floats(0.001, 1.0),
    scale=st.floats(1.01, 3.0),
    pol=st.sampled_from(["horizontal", "vertical", "circular"]),
)
def test_attenuation_grows_with_rain_distance_and_frequency(f, d, r001, p, scale, pol):
    base = float(rain_attenuation_db(f, d, r001, p, polarization=pol))
    tol = 1e-12 * base  # a clipped argument may equal the base one up to rounding
    assert float(rain_attenuation_db(f, d, r001 * scale, p, polarization=pol)) > base
    more_d = min(d * scale, 25.0)
    assert float(rain_attenuation_db(f, more_d, r001, p, polarization=pol)) >= base - tol
    more_f = min(f * scale, 40.0)
    if r001 >= 1.0:  # below 1 mm/h R^alpha falls as alpha rises with f near 5 GHz
        assert float(rain_attenuation_db(more_f, d, r001, p, polarization=pol)) >= base - tol
    more_p = min(p * scale, 1.0)
    assert float(rain_attenuation_db(f, d, r001, more_p, polarization=pol)) <= base + tol


@given(
    f=st.floats(1.0, 100.0),
    d=st.floats(0.1, 25.0),
    r001=st.floats(1.0, 200.0),
    margin=st.floats(0.0, 60.0),
    extra=st.floats(0.0, 30.0),
)
def test_availability_grows_with_the_margin(f, d, r001, margin, extra):
    low = float(rain_availability_pct(f, d, r001, margin))
    high = float(rain_availability_pct(f, d, r001, margin + extra))
    assert 99.0 <= low <= high <= 99.999


@pytest.mark.parametrize(
    ("kwargs", "word"),
    [
        ({"f_ghz": 0.5}, "f_ghz"),
        ({"f_ghz": 1200.0}, "f_ghz"),
        ({"f_ghz": math.nan}, "f_ghz"),
        ({"distance_km": 0.0}, "distance_km"),
        ({"distance_km": -3.0}, "distance_km"),
        ({"r001_mm_h": 0.0}, "r001_mm_h"),
        ({"p_pct": 0.0005}, "p_pct"),
        ({"p_pct": 2.0}, "p_pct"),
        ({"polarization": "slant"}, "polarization"),
        ({"elevation_deg": 95.0}, "path_elevation_deg"),
    ],
)
def test_rain_attenuation_refuses(kwargs, word):
    args = {"f_ghz": 5.8, "distance_km": 10.0, "r001_mm_h": 95.0, "p_pct": 0.01} | kwargs
    with pytest.raises(InputError, match=word):
        rain_attenuation_db(**args)


def test_other_refusals():
    with pytest.raises(InputError, match="rain_rate_mm_h"):
        specific_attenuation_db_km(5.8, -1.0)
    with pytest.raises(InputError, match="fade_margin_db"):
        rain_availability_pct(5.8, 10.0, 95.0, -1.0)
    with pytest.raises(InputError, match="f_ghz"):
        rain_coefficients([5.8, 2000.0])
    with pytest.raises(ValueError, match="polarization"):  # InputError is a ValueError
        rain_coefficients(5.8, polarization="Vertical")
