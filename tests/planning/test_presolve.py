"""The MILP's presolve of dominated access options: it never changes the optimum, and it
finds the options the rules name (coverage.planning.backhaul.presolve)."""

from __future__ import annotations

from unittest import mock

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import sparse

from coverage.planning.backhaul.model import BackhaulModel
from coverage.planning.backhaul.presolve import RELAY, Dominance
from coverage.planning.placement import plan_network
from coverage.planning.problem import PlacementProblem, SolveSettings
from tests.helpers import GRID_HEIGHTS_M, grid_placement_problem

EXACT = SolveSettings(mip_rel_gap=0.0, time_limit_s=30.0)


def _no_dominance(m: BackhaulModel) -> Dominance:
    return Dominance(np.full(m.A.shape[0], -1, dtype=np.int64))


def _mixed(seed: int, budget: float, tied: bool, hop: int | None) -> PlacementProblem:
    """A grid problem whose heights cover random sets (not nested), with random costs and
    traffic on links of 50 Mbps, so that every rule has something to find."""
    land = grid_placement_problem(
        seed, side=3, n_demand=12, capacity_mbps=50.0, budget_usd=budget, hop_limit=hop
    )
    rng = np.random.default_rng(seed + 1)
    n, nh = len(land.candidate_ids), len(GRID_HEIGHTS_M)
    covers = land.covers.toarray()
    for i in range(n):  # the shorter mast sees a random part of the taller one, or nothing
        taller = covers[i * nh + nh - 1] | (rng.random(covers.shape[1]) < 0.3)
        covers[i * nh + nh - 1] = taller
        covers[i * nh] = taller & (rng.random(taller.size) < rng.choice([0.0, 0.5, 1.0]))
        if rng.random() < 0.3:  # or a set of its own
            covers[i * nh] = rng.random(taller.size) < 0.3
    access = rng.choice([1000.0, 1500.0, 3000.0], size=n * nh)
    if tied:
        access[:] = 1000.0
    traffic = rng.choice([5.0, 25.0, 45.0], size=n * nh)
    return PlacementProblem(
        sparse.csr_array(covers),
        land.weights,
        graph=land.graph,
        candidate_ids=land.candidate_ids,
        heights_m=land.heights_m,
        access_cost_usd=access,
        relay_cost_usd=access - 500.0,
        link_cost_usd=land.link_cost_usd,
        pop=land.pop,
        budget_usd=budget,
        hop_limit=hop,
        traffic_mbps=traffic,
    )


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 10_000),
    budget=st.sampled_from([3_000.0, 6_000.0, 9_000.0]),
    tied=st.booleans(),
    hop=st.sampled_from([None, 2]),
)
def test_dominated_options_never_change_the_optimum(seed, budget, tied, hop):
    problem = _mixed(seed, budget, tied, hop)
    with_dom = plan_network(problem, EXACT, kicks=0)
    with mock.patch("coverage.planning.backhaul.model.dominance", _no_dominance):
        without = plan_network(problem, EXACT, kicks=0)
    assert with_dom.status == without.status == "optimal"
    assert with_dom.covered_weight == pytest.approx(without.covered_weight, abs=1e-6)
    assert with_dom.cost_usd <= budget + 1e-6


def test_the_rules_find_subsets_empty_rows_and_keep_the_link_heights():
    land = grid_placement_problem(0, side=2, n_demand=6, budget_usd=5_000.0)
    nh = len(GRID_HEIGHTS_M)
    covers = np.zeros((len(land.candidate_ids) * nh, 6), dtype=bool)
    covers[0 * nh + 0, [0, 1]] = True  # N00: the short mast sees more than the tall one
    covers[0 * nh + 1, [0]] = True
    covers[1 * nh + 1, [2]] = True  # N01: the short mast sees nothing
    covers[2 * nh + 0, [3]] = covers[2 * nh + 1, [3, 4]] = True  # N10: nested, taller more
    graph = land.graph.copy()
    for e in graph.edges:
        graph.edges[e]["min_height_m"] = GRID_HEIGHTS_M[0]  # every link clear at 6 m
    problem = PlacementProblem(
        sparse.csr_array(covers),
        land.weights[:6],
        graph=graph,
        candidate_ids=land.candidate_ids,
        heights_m=land.heights_m,
        access_cost_usd=land.access_cost_usd,
        relay_cost_usd=land.relay_cost_usd,
        link_cost_usd=land.link_cost_usd,
        pop=land.pop,
        budget_usd=5_000.0,
        traffic_mbps=np.full(covers.shape[0], 1.0),
    )
    by = BackhaulModel.build(problem).dom.access_by
    assert by[0 * nh + 1] == 0  # N00 at 18 m: the 6 m mast covers more for less
    assert by[0 * nh + 0] == -1
    assert by[1 * nh + 0] == RELAY  # N01 at 6 m covers nothing: a relay does as much
    assert by[1 * nh + 1] == -1  # at 18 m it covers a point the 6 m mast does not
    assert by[2 * nh + 0] == -1 and by[2 * nh + 1] == -1  # the taller sees more
    # a link that needs the taller mast keeps it
    graph.edges["POP", "N00"]["min_height_m"] = GRID_HEIGHTS_M[1]
    assert BackhaulModel.build(problem).dom.access_by[0 * nh + 1] == -1
