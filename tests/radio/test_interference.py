"""Frequency plans and SINR on tiny synthetic layouts (a log-distance path-loss law, no
terrain)."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from coverage.errors import InputError
from coverage.radio.interference import (
    FrequencyPlan,
    assign_carriers,
    best_server_sinr,
    interference_graph,
    sinr_db,
)

NOISE_DBM = -100.0  # about a 10 MHz carrier with a 5 dB noise figure (-174 + 70 + 5 dBm)
RANGE_M = 3000.0


def line_rx_dbm(sites_x_m: list[float], points_x_m: np.ndarray) -> np.ndarray:
    """Received power (dBm) of sites on a line: 43 dBm EIRP, 40 dB at 1 m, exponent 3;
    NaN beyond RANGE_M (the prediction radius)."""
    d = np.abs(np.asarray(sites_x_m)[:, None] - points_x_m[None, :])
    rx = 43.0 - 40.0 - 30.0 * np.log10(np.maximum(d, 10.0))
    return np.where(d <= RANGE_M, rx, np.nan)


POINTS_X = np.arange(-2000.0, 9001.0, 50.0)
A_B = [0.0, 7000.0]  # two sites whose ranges never meet
A_B_C = [0.0, 7000.0, 3500.0]  # C between them: overlaps both


def test_alone_sinr_is_snr():
    rx = line_rx_dbm([0.0], POINTS_X)
    s = sinr_db(rx, [0], NOISE_DBM)
    reach = ~np.isnan(rx)
    np.testing.assert_allclose(s[reach], rx[reach] - NOISE_DBM, rtol=0, atol=1e-9)
    assert np.isnan(s[~reach]).all()


def test_two_far_sites_on_one_carrier_are_snr_limited():
    rx = line_rx_dbm(A_B, POINTS_X)
    s = sinr_db(rx, [0, 0], NOISE_DBM)
    reach = ~np.isnan(rx)
    np.testing.assert_allclose(s[reach], (rx - NOISE_DBM)[reach], atol=1e-9)


def test_a_co_channel_site_lowers_sinr_where_coverage_overlaps_and_reuse_3_restores_it():
    rx = line_rx_dbm(A_B_C, POINTS_X)
    snr = rx - NOISE_DBM
    overlap = (~np.isnan(rx)).sum(axis=0) >= 2
    assert overlap.sum() > 20
    one = sinr_db(rx, [0, 0, 0], NOISE_DBM)
    loss = (snr - one)[:, overlap]
    assert (loss[~np.isnan(loss)] > 0.5).all()
    # half-way between A (x=0) and C (x=3500), equal powers S: SINR = S / (N + S)
    mid = np.flatnonzero(POINTS_X == 1750.0)[0]
    assert rx[0, mid] == rx[2, mid]
    want = -10 * math.log10(1 + 10 ** (-snr[0, mid] / 10))
    assert one[0, mid] == pytest.approx(want, abs=1e-9)
    assert -1.1 < want < -1.0  # S/N = 5.7 dB there
    single = ~overlap & (~np.isnan(rx)).any(axis=0)
    np.testing.assert_allclose(one[:, single], snr[:, single], equal_nan=True, atol=1e-9)
    plan = assign_carriers(rx, 3, np.ones(POINTS_X.size))
    assert sorted(plan.carrier) == [0, 1, 2]
    reuse3 = sinr_db(rx, plan.carrier, NOISE_DBM)
    np.testing.assert_allclose(reuse3, snr, equal_nan=True, atol=1e-9)


def test_two_carriers_put_the_sites_that_never_meet_together():
    rx = line_rx_dbm(A_B_C, POINTS_X)
    plan = assign_carriers(rx, 2, np.ones(POINTS_X.size))
    assert plan.carrier[0] == plan.carrier[1] != plan.carrier[2]
    assert plan.co_channel_weight == 0.0
    np.testing.assert_allclose(
        sinr_db(rx, plan.carrier, NOISE_DBM), rx - NOISE_DBM, equal_nan=True, atol=1e-9
    )


def test_one_carrier_puts_every_site_on_carrier_0():
    rx = line_rx_dbm(A_B_C, POINTS_X)
    plan = assign_carriers(rx, 1, np.ones(POINTS_X.size))
    assert plan.method == "single" and plan.carrier.tolist() == [0, 0, 0]
    assert plan.co_channel_weight > 0


def test_the_dsatur_order_finds_the_best_two_carrier_plan_of_a_crowded_line():
    # three sites 500 m apart at one end of the line: taking the sites by index (1500, 3000,
    # 4500 on 0, 1, 0, ...) leaves 6.8 people of co-channel weight; DSATUR places the
    # crowded three first and reaches the optimum, 3.7, found here by trying all 2^5 plans
    rx = line_rx_dbm([1500.0, 3000.0, 4500.0, 5000.0, 5500.0], POINTS_X)
    w = np.ones(POINTS_X.size)
    g = interference_graph(rx, w)
    best = min(
        sum(g[i, j] for i in range(5) for j in range(i + 1, 5) if c[i] == c[j])
        for c in itertools.product(range(2), repeat=5)
    )
    plan = assign_carriers(rx, 2, w)
    assert plan.co_channel_weight == pytest.approx(best, rel=1e-12)
    assert 3.6 < best < 3.8


def test_colouring_is_deterministic_and_gives_each_site_its_own_carrier_when_it_can():
    rng = np.random.default_rng(7)
    rx = rng.uniform(-110, -60, (6, 200))
    rx[rng.random(rx.shape) < 0.3] = np.nan
    w = rng.integers(0, 5, 200).astype(float)
    for n_carriers in (6, 9):
        plan = assign_carriers(rx, n_carriers, w)
        assert len(set(plan.carrier.tolist())) == 6
        assert plan.co_channel_weight == 0.0
    a, b = assign_carriers(rx, 3, w), assign_carriers(rx.copy(), 3, w.copy())
    assert a.carrier.tolist() == b.carrier.tolist()
    assert (
        a.method == "weighted-dsatur"
        and 0 < a.co_channel_weight < interference_graph(rx, w).sum() / 2
    )


def test_interference_graph_by_hand():
    # point 0: 10 people, A -80 dBm strongest, B -90 dBm: 10 x 0.1 = 1
    # point 1: 5 people, B -97 dBm strongest, A -100 dBm: 5 x 10^-0.3 = 2.5059
    rx = np.array([[-80.0, -100.0, np.nan], [-90.0, -97.0, -95.0]])
    g = interference_graph(rx, [10.0, 5.0, 100.0])
    assert g[0, 1] == g[1, 0] == pytest.approx(1.0 + 5 * 10**-0.3, rel=1e-12)
    assert g[0, 0] == g[1, 1] == 0.0


def test_external_interference_lowers_sinr_by_the_hand_computed_amount():
    rx = np.array([[-80.0, -90.0]])
    noise_mw = 10 ** (NOISE_DBM / 10)
    s = sinr_db(rx, [0], NOISE_DBM, external_mw=[noise_mw, 9 * noise_mw])
    # equal to the noise: N + E = 2N, 3.0103 dB less; 9 N more: 10 N, 10 dB less
    assert s[0, 0] == pytest.approx(20.0 - 10 * math.log10(2), abs=1e-9)
    assert s[0, 1] == pytest.approx(10.0 - 10.0, abs=1e-9)


def test_co_channel_interference_and_load_by_hand():
    rx = np.array([[-80.0], [-90.0]])
    full = sinr_db(rx, [0, 0], NOISE_DBM)
    half = sinr_db(rx, [0, 0], NOISE_DBM, load=0.5)
    # -80 - 10 log10(1e-10 + 1e-9) = 9.586 dB; at half load -80 - 10 log10(6e-10) = 12.218 dB
    assert full[0, 0] == pytest.approx(-80 - 10 * math.log10(1.1e-9), abs=1e-9)
    assert half[0, 0] == pytest.approx(-80 - 10 * math.log10(6e-10), abs=1e-9)
    assert full[0, 0] == pytest.approx(9.586, abs=1e-3)
    per_site = sinr_db(rx, [0, 0], NOISE_DBM, load=[1.0, 0.0])
    assert per_site[0, 0] == pytest.approx(20.0, abs=1e-9)  # B silent: the SNR of A


def test_best_server_by_sinr_can_be_the_weaker_site():
    # A -70 dBm on carrier 0 with C -71 dBm co-channel; B -85 dBm alone on carrier 1
    rx = np.array([[-70.0, -70.0], [-85.0, np.nan], [-71.0, -120.0]])
    best = best_server_sinr(rx, [0, 1, 0], NOISE_DBM)
    assert best.server.tolist() == [1, 0]
    assert best.sinr_db[0] == pytest.approx(15.0, abs=1e-9)
    assert best.second.tolist() == [0, 2]
    a_sinr = -70 - 10 * math.log10(10**-10 + 10**-7.1)
    assert best.second_sinr_db[0] == pytest.approx(a_sinr, abs=1e-9)
    strict = best_server_sinr(rx, [0, 1, 0], NOISE_DBM, min_rx_dbm=-80.0)
    assert strict.server.tolist() == [0, 0] and strict.second.tolist() == [2, -1]


def test_best_server_of_one_site_and_of_nobody():
    rx = np.array([[-80.0, np.nan]])
    best = best_server_sinr(rx, [0], NOISE_DBM)
    assert best.server.tolist() == [0, -1] and best.second.tolist() == [-1, -1]
    assert best.sinr_db[0] == pytest.approx(20.0) and np.isnan(best.sinr_db[1])
    assert np.isnan(best.second_sinr_db).all()


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: assign_carriers(np.zeros((2, 3)), 0, np.ones(3)), "n_carriers"),
        (lambda: assign_carriers(np.zeros((2, 3)), 2, np.ones(4)), "one weight per point"),
        (lambda: sinr_db(np.zeros((2, 3)), [0], NOISE_DBM), "carrier has 1"),
        (lambda: sinr_db(np.zeros((2, 3)), [0, 0], NOISE_DBM, load=1.5), "load must lie"),
        (lambda: sinr_db(np.zeros(3), [0], NOISE_DBM), r"\(sites, points\)"),
        (lambda: sinr_db(np.zeros((1, 3)), [0], NOISE_DBM, external_mw=-1.0), "external_mw"),
        (lambda: FrequencyPlan(np.array([0, 3]), 2, "single"), "carrier must lie"),
    ],
)
def test_bad_arguments_are_refused(call, match):
    with pytest.raises(InputError, match=match):
        call()
