"""The broadband test of a plan: link rates both ways, SINR with the frequency plan, capacity."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely

from coverage.pipeline.broadband import BroadbandSettings, evaluate_broadband, service_covers
from coverage.planning.backhaul.milp import plan_network
from coverage.planning.busyhour import BusyHour
from coverage.planning.covering import PlacementResult
from coverage.planning.problem import SolveSettings
from coverage.radio.technology import get_technology
from tests.helpers import chain_placement_problem

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
        "interference_margin_db": 0.0,
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


def test_the_excess_of_a_full_site_moves_to_a_runner_up_with_room() -> None:
    # site 0 is the best server of all 10 points, but carries only some; site 1 is 6 dB
    # weaker on another carrier and empty: the excess moves there
    rx = np.vstack([np.full(10, -70.0), np.full(10, -76.0)])
    alone = evaluate_broadband(rx[:1], _demand(10, 10.0), LTE, _settings(), min_rx_dbm=-120.0)
    both = evaluate_broadband(
        rx, _demand(10, 10.0), LTE, _settings(n_carriers=2), min_rx_dbm=-120.0
    )
    assert 0 < alone.served.sum() < 10
    assert both.served.all()
    assert set(both.site) == {0, 1}
    assert (both.server.server == 0).all()  # best by SINR is still site 0


def test_the_reliability_margin_lowers_the_wanted_signal() -> None:
    rx = np.array([np.linspace(-70.0, -110.0, 41)])
    median = evaluate_broadband(rx, _demand(41), LTE, _settings(), min_rx_dbm=-120.0)
    strict = evaluate_broadband(
        rx, _demand(41), LTE, _settings(reliability_margin_db=10.0), min_rx_dbm=-120.0
    )
    assert strict.served.sum() < median.served.sum()
    assert np.allclose(strict.sinr_db, median.sinr_db - 10.0)


def test_service_covers_keep_the_link_test_and_the_capacity() -> None:
    # three options: one strong, one with a weak uplink, one whose load is too big
    rx = np.array([[-70.0] * 4, [-100.0] * 4, [-70.0] * 4])
    demand = _demand(4, 30.0)  # 4 x 30 households x 0.1 active x 5 Mbps: 60 of 44 Mbps
    cov = service_covers(rx, demand, LTE, _settings(), min_rx_dbm=-120.0)
    assert cov.signal.toarray().all()
    assert not cov.link.toarray()[1].any()  # the uplink fails at -100 dBm for 1 Mbps
    assert cov.covers.toarray()[0].sum() == cov.covers.toarray()[2].sum() < 4  # full
    # each kept point adds its downlink and uplink demand: 30 x 0.1 x (5 + 1) Mbps
    assert cov.traffic_mbps[0] == pytest.approx(18.0 * cov.covers.toarray()[0].sum())


def test_a_backhaul_link_whose_traffic_exceeds_its_capacity_is_never_chosen() -> None:
    # PoP - A - B: B alone serves the big point 0, behind a link A-B of 5 Mbps; B's
    # busy-hour traffic from its service covers (10 households: 6 Mbps) does not fit
    rx = np.array([[np.nan, -70.0], [np.nan, -70.0], [-70.0, np.nan], [-70.0, np.nan]])
    demand = _demand(2, 10.0)
    cov = service_covers(rx, demand, LTE, _settings(), min_rx_dbm=-120.0)
    assert cov.traffic_mbps[2] == pytest.approx(6.0)

    def plan(capacity_mbps: float) -> PlacementResult:
        problem = chain_placement_problem(
            covers=cov.covers, weights=np.array([30.0, 3.0]), traffic_mbps=cov.traffic_mbps
        )
        problem.graph["A"]["B"]["capacity_mbps"] = capacity_mbps
        return plan_network(problem, SolveSettings())

    narrow, wide = plan(5.0), plan(10.0)
    assert ("A", "B") not in {tuple(sorted(e)) for e in narrow.links}
    assert not narrow.covered[0]
    assert ("A", "B") in {tuple(sorted(e)) for e in wide.links}
    assert wide.covered[0]


def test_a_school_over_capacity_moves_to_a_runner_up_though_it_has_no_people() -> None:
    # three schools on site 0 (20 Mbps each against 44 Mbps): the third moves to site 1
    rx = np.vstack([np.full(3, -70.0), np.full(3, -76.0)])
    demand = _demand(3, 0.0)
    demand["kind"] = "school"
    demand["population"] = 0.0
    alone = evaluate_broadband(rx[:1], demand, LTE, _settings(), min_rx_dbm=-120.0)
    both = evaluate_broadband(rx, demand, LTE, _settings(n_carriers=2), min_rx_dbm=-120.0)
    assert alone.served.sum() == 2
    assert both.served.all() and set(both.site) == {0, 1}


def test_no_site_serves_nobody_and_says_nothing_went_wrong() -> None:
    bb = evaluate_broadband(np.zeros((0, 5)), _demand(5), LTE, _settings(), min_rx_dbm=-100.0)
    assert not bb.served.any() and set(bb.reason) == {""}
    assert (bb.site == -1).all() and bb.frequency_plan.carrier.size == 0


def test_network_served_gives_the_outputs_served_counts_on_the_synthetic_territory(
    tmp_path: Path,
) -> None:
    # the evaluator of the capture repair and the plan's demand table agree point by point
    from coverage.pipeline import (
        assemble_plan,
        build_candidates,
        choose_sites,
        coverage_matrix,
        existing_service,
        prepare_inputs,
        resolve,
    )
    from coverage.pipeline.service import ServiceScore, network_served
    from coverage.scenario import load_scenario
    from tests.territory import write_territory

    resolved = resolve(load_scenario(write_territory(tmp_path)))
    inputs = existing_service(resolved, prepare_inputs(resolved))
    candidates = build_candidates(resolved, inputs)
    rx, _ = coverage_matrix(resolved, inputs, candidates)
    placement = choose_sites(resolved, inputs, candidates, rx)
    plan = assemble_plan(resolved, inputs, candidates, rx, placement)
    args = (inputs.demand, resolved.technology, resolved.broadband)
    options = placement.result.options
    assert options.size >= 1
    served = network_served(rx, options, *args, min_rx_dbm=resolved.threshold_dbm)
    covered = plan.demand["covered"].to_numpy(dtype=bool)
    assert np.array_equal(served, covered)
    people = inputs.demand["population"].to_numpy(np.float64)
    score = ServiceScore(rx, *args, resolved.threshold_dbm, people)
    assert score(options[::-1].copy()) == pytest.approx(people[covered].sum(), abs=1e-9)
    assert "placement_repair" in plan.metrics
    record = plan.metrics["placement_repair"]
    assert record["served_after"] >= record["served_before"]
