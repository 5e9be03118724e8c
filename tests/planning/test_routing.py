"""Tests of plan routing (coverage.planning.backhaul.routing), the capacity-aware connect and
the promise of plan_network: every heuristic plan is a solution of the MILP, and the result
is never worse than any of them."""

from __future__ import annotations

import dataclasses

import networkx as nx
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import sparse

from coverage.planning.backhaul.connect import connect_to_pop
from coverage.planning.backhaul.milp import plan_network
from coverage.planning.backhaul.model import BackhaulModel, BackhaulPlan
from coverage.planning.backhaul.routing import route_plan
from coverage.planning.problem import PlacementProblem, SiteTraffic, SolveSettings
from coverage.planning.solver import MilpModel, solve_milp
from tests.helpers import GRID_HEIGHTS_M as HEIGHTS
from tests.helpers import grid_placement_problem, heuristic_plans

EXACT = SolveSettings(mip_rel_gap=0.0, time_limit_s=60.0)


def _diamond(hop_limit: int | None, capacity_mbps: float = 100.0) -> PlacementProblem:
    """S reaches the PoP through A or B (links of ``capacity_mbps``); S serves 150 people at
    1 Mbps each: 150 Mbps, more than one path carries."""
    G = nx.Graph()
    for a, b in (("POP", "A"), ("POP", "B"), ("A", "S"), ("B", "S")):
        G.add_edge(a, b, min_height_m=6.0, capacity_mbps=capacity_mbps)
    covers = np.zeros((6, 1), dtype=bool)
    covers[4:, 0] = True  # S, both heights
    access = np.full(6, 1000.0)
    return PlacementProblem(
        sparse.csr_array(covers),
        np.array([150.0]),
        graph=G,
        candidate_ids=["A", "B", "S"],
        heights_m=np.array(HEIGHTS),
        access_cost_usd=access,
        relay_cost_usd=access - 100.0,
        link_cost_usd=10.0,
        pop="POP",
        budget_usd=10_000.0,
        hop_limit=hop_limit,
        traffic=SiteTraffic(mbps_per_weight=1.0, max_site_mbps=1000.0),
    )


def _diamond_plan(model: BackhaulModel) -> BackhaulPlan:
    """S as an access site, A and B relays, all four links."""
    plan = BackhaulPlan({2: 0}, {0: 0, 1: 0}, list(range(len(model.net.edges))))
    plan.cost = model.plan_cost(plan)
    return plan


@pytest.mark.parametrize("hop_limit", [None, 2])
def test_traffic_too_big_for_one_path_is_split_over_two(hop_limit):
    model = BackhaulModel.build(_diamond(hop_limit))
    plan = _diamond_plan(model)
    routing = route_plan(model, plan)
    assert routing is not None
    load = np.zeros(len(model.net.edges))
    np.add.at(load, model.net.arcs[:, 2], routing.flow_mbps)
    assert load.max() <= 100.0 + 1e-6
    assert load.sum() == pytest.approx(2 * 150.0)  # two links on each of the two paths
    assert model.feasible(plan)  # its start vector meets every row of the MILP
    res = plan_network(model.problem, EXACT)
    assert res.covered_weight == pytest.approx(150.0)


def test_a_plan_whose_links_cannot_carry_its_traffic_is_refused():
    model = BackhaulModel.build(_diamond(None, capacity_mbps=70.0))  # 140 < 150 Mbps
    assert route_plan(model, _diamond_plan(model)) is None
    assert not model.feasible(_diamond_plan(model))
    res = plan_network(model.problem, EXACT)
    assert res.covered_weight == 0.0 and res.chosen.size == 0


def test_hop_limit_refuses_a_path_one_link_too_long():
    model = BackhaulModel.build(_diamond(1))
    assert model.net.hops.get(2) is None  # S is two links away: not in the reduced graph


def _connect_chain(G: nx.Graph) -> tuple:
    """connect_to_pop of sites A, B and C at 6 m, every price 1 USD."""
    table = {v: {6.0: 1.0} for v in "ABC"}
    return connect_to_pop(
        G,
        ["A", "B", "C"],
        "POP",
        site_height_m=dict.fromkeys("ABC", 6.0),
        relay_cost_usd=table,
        site_cost_usd=table,
        link_cost_usd=1.0,
    )


def test_connect_to_pop_leaves_out_a_site_its_links_cannot_carry():
    # PoP - A - B - C in a chain; each site injects 40 Mbps; links carry 100 Mbps: the link
    # PoP-A takes two sites' traffic at most
    G = nx.path_graph(["POP", "A", "B", "C"])
    for e in G.edges:
        G.edges[e].update(min_height_m=6.0, capacity_mbps=100.0)
    for v in "ABC":
        G.nodes[v]["traffic_mbps"] = 40.0
    heights, relays, links = _connect_chain(G)
    assert set(heights) - relays == {"A", "B"}
    assert "C" not in heights and not relays
    assert len(links) == 2
    # with a second, parallel way out, the third site takes it
    G.add_edge("POP", "C", min_height_m=6.0, capacity_mbps=100.0)
    heights, relays, _ = _connect_chain(G)
    assert set(heights) - relays == {"A", "B", "C"}


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 10_000),
    capacity_mbps=st.sampled_from([2.0, 3.0, 5.0, 1e4]),
    hop_limit=st.sampled_from([None, 2, 4]),
    budget_usd=st.sampled_from([3000.0, 9000.0, 20000.0]),
)
def test_every_heuristic_plan_is_a_solution_of_the_milp_and_the_result_beats_them(
    seed, capacity_mbps, hop_limit, budget_usd
):
    p = grid_placement_problem(
        seed,
        capacity_mbps=capacity_mbps,
        budget_usd=budget_usd,
        hop_limit=hop_limit,
        max_links_per_site=None,
    )
    model = BackhaulModel.build(p)
    plans = [q for q in heuristic_plans(model) if q.access]
    for q in plans:
        assert model.feasible(q), q  # routed within capacity, hop limit and budget
        assert q.cost <= budget_usd + 1e-6
    res = plan_network(p, EXACT, kicks=6)
    best = max((model.covered_weight(q) for q in plans), default=0.0)
    assert res.covered_weight >= best - 1e-9
    assert res.status == "optimal" and not res.warnings


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), capacity_mbps=st.sampled_from([3.0, 1e4]))
def test_more_budget_never_covers_fewer_people(seed, capacity_mbps):
    p = grid_placement_problem(seed, capacity_mbps=capacity_mbps, budget_usd=1.0, hop_limit=3)
    covered = [
        plan_network(dataclasses.replace(p, budget_usd=b), EXACT, kicks=4).covered_weight
        for b in (2000.0, 5000.0, 9000.0, 1e9)
    ]
    assert covered == sorted(covered)


def test_switching_highs_threads_between_solves_still_solves():
    # without a scheduler reset, HiGHS returns no solution after a change of thread count
    model = MilpModel(
        cost=[-1.0, -2.0],
        matrix=sparse.csr_array(np.array([[1.0, 1.0]])),
        row_lower=[-np.inf],
        row_upper=[1.0],
        col_lower=[0.0, 0.0],
        col_upper=[1.0, 1.0],
        integrality=[1, 1],
    )
    for threads in (0, 1, 2, 1):
        sol = solve_milp(model, threads=threads)
        assert sol.x is not None and sol.objective == pytest.approx(-2.0)
