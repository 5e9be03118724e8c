"""The hotspot option: eligibility and reach, and in the placement MILP adding it never
lowers the optimal value (exact small solves, like the satellite property)."""

from __future__ import annotations

import dataclasses

import geopandas as gpd
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import sparse
from shapely.geometry import Point

from coverage.errors import InputError
from coverage.planning.hotspot import (
    HotspotOption,
    combined,
    hotspot_eligible,
    hotspot_reach,
    plaza_hotspots,
    school_hotspots,
)
from coverage.planning.placement import plan_network
from coverage.planning.problem import SolveSettings
from tests.helpers import grid_placement_problem

EXACT = SolveSettings(mip_rel_gap=0.0, time_limit_s=30.0)


def _demand() -> gpd.GeoDataFrame:
    rows = [
        ("school", "Escuela A", 0.0, 0.0, 0.0, False),
        ("population", "h1", 100.0, 0.0, 4.0, False),
        ("population", "h2", 249.0, 0.0, 3.0, False),
        ("population", "h3", 260.0, 0.0, 5.0, False),  # beyond 250 m
        ("population", "h4", 0.0, 50.0, 2.0, True),  # an existing cell serves it
        ("population", "h5", 0.0, -30.0, 0.0, False),  # nobody lives there
        ("school", "Escuela B", 5_000.0, 0.0, 0.0, False),  # reaches nobody
    ]
    kind, name, x, y, pop, ex = zip(*rows, strict=True)
    return gpd.GeoDataFrame(
        {"kind": kind, "name": name, "population": pop, "served_existing": ex},
        geometry=[Point(a, b) for a, b in zip(x, y, strict=True)],
        crs="EPSG:9377",
    )


def test_eligible_households_are_targeted_people_without_service():
    d = _demand()
    ok = hotspot_eligible(d, np.ones(len(d), bool))
    assert ok.tolist() == [False, True, True, True, False, False, False]
    assert not hotspot_eligible(d, np.zeros(len(d), bool)).any()


def test_reach_is_the_eligible_points_within_the_walk():
    d = _demand()
    xy = np.column_stack([d.geometry.x, d.geometry.y])
    ok = hotspot_eligible(d, np.ones(len(d), bool))
    reach = hotspot_reach(xy[[0]], xy, 250.0, ok)
    assert np.nonzero(reach.toarray()[0])[0].tolist() == [1, 2]
    wide = hotspot_reach(xy[[0]], xy, 300.0, ok)
    assert np.nonzero(wide.toarray()[0])[0].tolist() == [1, 2, 3]
    with pytest.raises(InputError, match="walk_radius_m"):
        hotspot_reach(xy[[0]], xy, 0.0, ok)


def test_school_hotspots_skip_schools_that_reach_nobody():
    d = _demand()
    opt = school_hotspots(d, np.ones(len(d), bool), usd_per_hotspot=5_000.0)
    assert opt.host.tolist() == [0]
    assert opt.labels == ["Escuela A"]
    assert opt.cost_usd.tolist() == [5_000.0]


def test_reached_needs_a_covered_host_and_counts_once():
    d = _demand()
    opt = school_hotspots(d, np.ones(len(d), bool), usd_per_hotspot=1.0)
    covered = np.zeros(len(d), bool)
    assert not opt.reached([0], covered).any()  # host not served: no feed
    covered[[0, 1]] = True  # the school and h1 covered by a site
    assert np.nonzero(opt.reached([0], covered))[0].tolist() == [2]  # h1 is terrestrial


def test_weight_and_shapes_are_checked():
    reach = sparse.csr_array(np.ones((1, 3), bool))
    with pytest.raises(InputError, match="weight"):
        HotspotOption(host=np.array([0]), reach=reach, cost_usd=np.array([1.0]), weight=0.0)
    with pytest.raises(InputError, match="one of each"):
        HotspotOption(host=np.array([0, 1]), reach=reach, cost_usd=np.array([1.0]))


def _hotspots(land, rng, usd, weight):
    """Random hotspots: each hosted by a random point, reaching up to 4 others."""
    m = land.weights.size
    n = 3
    host = rng.choice(m, size=n, replace=False)
    reach = np.zeros((n, m), bool)
    for j in range(n):
        reach[j, rng.choice(m, size=4, replace=False)] = True
        reach[j, host[j]] = False
    return HotspotOption(host, sparse.csr_array(reach), np.full(n, usd), weight)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 10_000),
    budget=st.sampled_from([2_000.0, 6_000.0, 12_000.0]),
    usd=st.sampled_from([50.0, 500.0, 3_000.0]),
    weight=st.sampled_from([0.25, 0.5, 1.0]),
    satellite=st.booleans(),
)
def test_adding_hotspots_never_lowers_the_optimum(seed, budget, usd, weight, satellite):
    land = grid_placement_problem(seed, side=2, n_demand=12, budget_usd=budget)
    if satellite:
        land = dataclasses.replace(land, satellite_usd_per_person=400.0)
    hot = _hotspots(land, np.random.default_rng(seed), usd, weight)
    mixed = dataclasses.replace(land, hotspots=hot)
    a = plan_network(land, EXACT, kicks=0)
    b = plan_network(mixed, EXACT, kicks=0)
    assert b.covered_weight >= a.covered_weight - 1e-6
    built = list(b.details["hotspots"])
    sat = b.details["satellite_people"] * (land.satellite_usd_per_person or 0.0)
    assert b.cost_usd + sat <= budget + 1e-6  # sites, links, hotspots, terminals
    reached = hot.reached(built, b.covered)
    assert not (reached & b.covered).any()  # counted once
    assert b.details["hotspot_people"] == pytest.approx(float(land.weights[reached].sum()))
    assert all(b.covered[hot.host[j]] for j in built)  # fed only by a covered host
    want = float(land.weights[b.covered].sum()) + weight * b.details["hotspot_people"]
    assert b.covered_weight == pytest.approx(want + b.details["satellite_people"])


def test_free_hotspots_are_built_where_their_host_is_served():
    land = grid_placement_problem(3, side=2, n_demand=12, budget_usd=6_000.0)
    a = plan_network(land, EXACT, kicks=0)
    host = int(np.nonzero(a.covered)[0][0])
    others = np.nonzero(~a.covered)[0][:3]
    reach = np.zeros((1, land.weights.size), bool)
    reach[0, others] = True
    hot = HotspotOption(np.array([host]), sparse.csr_array(reach), np.array([0.0]), 1.0)
    b = plan_network(dataclasses.replace(land, hotspots=hot), EXACT, kicks=0)
    assert b.covered_weight >= a.covered_weight + float(land.weights[others].sum()) - 1e-6
    assert b.details["hotspots"] == (0,)


def test_hotspots_need_a_budget():
    target = grid_placement_problem(1, side=2, n_demand=5, target_share=0.5)
    hot = HotspotOption(np.array([0]), sparse.csr_array(np.ones((1, 5), bool)), np.array([1.0]))
    with pytest.raises(InputError, match="hotspots need a budget"):
        dataclasses.replace(target, hotspots=hot)


def test_a_hotspot_is_priced_from_its_items_at_tco():
    from coverage.planning.costs import CostTable, hotspot_lines, hotspot_usd

    table = CostTable()
    lines = hotspot_lines(table, 2.0)
    assert {ln.item.key for ln in lines} >= {"hotspot_ap", "hotspot_internet", "hotspot_power"}
    capex = sum(ln.capex_usd for ln in lines) / 2
    opex = sum(ln.opex_usd_per_year for ln in lines) / 2
    assert capex == pytest.approx(1_300.0)  # central: AP 600, feed 200, installation 500
    assert opex == pytest.approx(480.0)  # power 60, maintenance 120, internet 300
    assert hotspot_usd(table) == pytest.approx(capex + opex * table.pv_factor)


def _plazas(*xy: tuple[float, float]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "plaza_id": [f"P{i}" for i in range(len(xy))],
            "name": [f"Plaza {i}" for i in range(len(xy))],
        },
        geometry=[Point(x, y) for x, y in xy],
        crs="EPSG:9377",
    )


def test_a_plaza_is_fed_by_its_nearest_building_and_reaches_from_where_it_stands():
    d = _demand()
    aim = np.ones(len(d), bool)
    # P0 stands 60 m from h1 (its feed) and reaches h1..h3 within 250 m of (160, 0);
    # P1 shares that feed and is dropped; P2 has no building within 100 m
    plazas = _plazas((160.0, 0.0), (150.0, 20.0), (2_500.0, 0.0))
    opt = plaza_hotspots(d, aim, plazas, usd_per_hotspot=700.0)
    assert opt.host.tolist() == [1]  # h1, 60 m away (h2 is 89 m)
    assert opt.kinds == ("plaza",)
    assert opt.labels == ["Plaza 0"]
    assert opt.at_xy is not None and opt.at_xy.tolist() == [[160.0, 0.0]]
    assert np.nonzero(opt.reach.toarray()[0])[0].tolist() == [1, 2, 3]
    assert opt.cost_usd.tolist() == [700.0]
    near = plaza_hotspots(d, aim, plazas, usd_per_hotspot=1.0, feed_radius_m=50.0)
    assert near.n == 0  # h1 is 60 m from P0 and 54 m from P1
    with pytest.raises(InputError, match="feed_radius_m"):
        plaza_hotspots(d, aim, plazas, usd_per_hotspot=1.0, feed_radius_m=0.0)


def test_schools_never_feed_a_plaza_and_options_combine_in_order():
    d = _demand()
    aim = np.ones(len(d), bool)
    schools = school_hotspots(d, aim, usd_per_hotspot=5.0)
    at_school = plaza_hotspots(d, aim, _plazas((0.0, 0.0)), usd_per_hotspot=5.0)
    assert d["kind"].iloc[at_school.host].ne("school").all()
    both = combined(schools, at_school)
    assert both.kinds == ("school", "plaza")
    assert both.labels == ["Escuela A", "Plaza 0"]
    assert both.n == 2 and both.reach.shape == (2, len(d))
    with pytest.raises(InputError, match="share a host"):
        combined(schools, schools)
