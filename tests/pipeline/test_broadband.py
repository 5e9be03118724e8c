"""The broadband test of a plan: link rates both ways, SINR with the frequency plan, capacity."""

from __future__ import annotations

import dataclasses

import geopandas as gpd
import numpy as np
import pytest
import shapely

from coverage.pipeline.broadband import BroadbandSettings, evaluate_broadband
from coverage.planning.busyhour import BusyHour
from coverage.radio.technology import get_technology

LTE = get_technology("lte-b28-small-cell")
BUSY = BusyHour(
    take_up_share=1.0,
    busy_hour_share=0.1,
    household_downlink_mbps=5.0,
    household_uplink_mbps=1.0,
    school_downlink_mbps=20.0,
    school_uplink_mbps=5.0,
)


def _settings(**kw: object) -> BroadbandSettings:
    base = {
        "busy_hour": BUSY,
        "n_carriers": 1,
        "interference_load": 1.0,
        "terminal_tx_power_dbm": 23.0,
        "uplink_noise_floor_dbm": -174.0 + 70.0 + 5.0,  # 10 MHz, 5 dB site noise figure
        "uplink_margin_db": 0.0,
    }
    base.update(kw)
    return BroadbandSettings(**base)  # type: ignore[arg-type]


def _demand(n: int, households: float = 1.0) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "kind": ["population"] * n,
            "households": [households] * n,
            "population": [3.0 * households] * n,
        },
        geometry=[shapely.Point(i, 0) for i in range(n)],
    )


def test_a_far_point_fails_on_the_uplink_before_the_downlink() -> None:
    # one site, received power falling with distance: the 23 dBm handset against the 37 dBm
    # site leaves the uplink 14 dB weaker less the 4 dB better site noise figure
    rx = np.array([np.linspace(-70.0, -110.0, 41)])
    bb = evaluate_broadband(rx, _demand(41), LTE, _settings(), min_rx_dbm=-120.0)
    reasons = list(bb.reason)
    first_fail = next(r for r in reasons if r != "covered")
    assert first_fail == "weak_uplink"
    assert "low_sinr" not in reasons  # one site: no interference
    assert reasons.index("weak_uplink") < reasons.index("weak_signal")


def test_a_co_channel_site_turns_its_overlap_to_low_sinr_and_two_carriers_restore_it() -> None:
    x = np.linspace(0.0, 1.0, 21)
    rx = np.vstack([-60.0 - 40.0 * x, -100.0 + 40.0 * x])  # two sites facing each other
    # 10 Mbps needs about 3 dB with a 10 MHz carrier: equal co-channel powers give 0 dB
    busy = dataclasses.replace(BUSY, household_downlink_mbps=10.0)
    one = evaluate_broadband(rx, _demand(21), LTE, _settings(busy_hour=busy), min_rx_dbm=-120.0)
    two = evaluate_broadband(
        rx, _demand(21), LTE, _settings(busy_hour=busy, n_carriers=2), min_rx_dbm=-120.0
    )
    mid = 10
    assert one.reason[mid] == "low_sinr"
    assert two.reason[mid] == "covered"
    assert two.server.sinr_db[mid] > one.server.sinr_db[mid] + 14.0  # SNR 15 dB against 0 dB


def test_a_full_site_counts_its_excess_over_capacity() -> None:
    rx = np.full((1, 10), -70.0)
    light = evaluate_broadband(rx, _demand(10, 1.0), LTE, _settings(), min_rx_dbm=-120.0)
    # 10 points x 10 households x 0.1 active x 5 Mbps = 50 Mbps against a 44 Mbps carrier
    heavy = evaluate_broadband(rx, _demand(10, 10.0), LTE, _settings(), min_rx_dbm=-120.0)
    assert light.served.all()
    assert 0 < heavy.served.sum() < 10
    assert set(heavy.reason[~heavy.served]) == {"over_capacity"}


def test_settings_refuse_no_carrier_and_a_load_above_one() -> None:
    with pytest.raises(ValueError, match="n_carriers"):
        _settings(n_carriers=0)
    with pytest.raises(ValueError, match="interference_load"):
        _settings(interference_load=1.5)
