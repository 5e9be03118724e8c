"""Tests of the full placement + backhaul model (coverage.planning.backhaul.milp via placement)."""

from __future__ import annotations

import dataclasses
import itertools

import networkx as nx
import numpy as np
import pytest
from scipy import sparse

from coverage.errors import InfeasibleError, InputError
from coverage.planning.backhaul.connect import TreeLimits, connect_to_pop
from coverage.planning.backhaul.kicks import kick, perturb_search
from coverage.planning.backhaul.model import BackhaulModel, BackhaulPlan
from coverage.planning.backhaul.network import reduce_graph
from coverage.planning.backhaul.search import greedy_then_connect, improve_plan
from coverage.planning.covering import covered_mask
from coverage.planning.deadline import Deadline
from coverage.planning.placement import plan_network
from coverage.planning.problem import PlacementProblem, SiteTraffic, SolveSettings
from tests.helpers import GRID_HEIGHTS_M as HEIGHTS
from tests.helpers import chain_placement_problem, grid_placement_problem


def _run(problem: PlacementProblem, **settings):
    """plan_network with SolveSettings from ``settings`` (``kicks`` passed on)."""
    kicks = settings.pop("kicks", 40)
    return plan_network(problem, SolveSettings(**settings), kicks=kicks)


def _brute_force(problem: PlacementProblem, budget, hop_limit):
    """Best covered weight over every role/height per candidate and every link subset."""
    p = problem
    G, ids, covers, w = p.graph, p.candidate_ids, p.covers, p.weights
    acc, rel, link = p.access_cost_usd, p.relay_cost_usd, p.link_cost_usd
    nh = len(HEIGHTS)
    edges = [(a, b, d["min_height_m"]) for a, b, d in G.edges(data=True)]
    best = 0.0
    for states in itertools.product(range(2 * nh + 1), repeat=len(ids)):
        h_of = {}
        cost = 0.0
        opts = []
        access = []
        for i, s in enumerate(states):
            if s == 0:
                continue
            h = (s - 1) % nh
            h_of[ids[i]] = HEIGHTS[h]
            if s <= nh:
                cost += acc[i * nh + h]
                opts.append(i * nh + h)
                access.append(ids[i])
            else:
                cost += rel[i * nh + h]
        if cost > budget:
            continue
        val = w[covered_mask(covers, opts)].sum()
        if val <= best:
            continue
        usable = [
            (a, b)
            for a, b, req in edges
            if all(v == "POP" or h_of.get(v, 0.0) >= req for v in (a, b))
        ]
        # cheapest link set: grow by size, stop at the first that connects every access site
        ok = not access
        for r in range(len(usable) + 1):
            if ok or cost + link * r > budget:
                break
            for sub in itertools.combinations(usable, r):
                B = nx.Graph(sub)
                B.add_node("POP")
                dist = nx.single_source_shortest_path_length(B, "POP")
                if all(a in dist and dist[a] <= hop_limit for a in access):
                    ok = True
                    break
        if ok:
            best = val
    return best


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_full_model_equals_brute_force_on_tiny_instances(seed):
    budget, hops = 7000.0, 2
    p = grid_placement_problem(seed, side=2, n_demand=12, budget_usd=budget, hop_limit=hops)
    res = _run(p, mip_rel_gap=0.0)
    greedy = _run(p, method="greedy")
    assert res.covered_weight == pytest.approx(_brute_force(p, budget, hops))
    assert res.covered_weight >= greedy.covered_weight
    assert res.cost_usd <= budget + 1e-6
    assert res.status == "optimal"


def _check_backhaul(res, hop_limit=None, two_paths=False):
    B = res.graph
    access = [v for v, d in B.nodes(data=True) if d["role"] == "access"]
    assert access
    for a in access:
        assert nx.has_path(B, a, "POP")
        if hop_limit is not None:
            assert nx.shortest_path_length(B, a, "POP") <= hop_limit
    # every built link's ends are built at least at its minimum height
    for a, b, d in B.edges(data=True):
        for v in (a, b):
            if B.nodes[v]["role"] != "pop":
                assert B.nodes[v]["mast_height_m"] >= d["min_height_m"]
    if two_paths:
        for e in list(B.edges):
            C = B.copy()
            C.remove_edge(*e)
            for a in access:
                assert nx.has_path(C, a, "POP"), f"link {e} is a single point of failure for {a}"


@pytest.mark.parametrize("hop_limit", [None, 3])
def test_every_access_site_reaches_the_pop_within_the_hop_limit(hop_limit):
    p = grid_placement_problem(4, budget_usd=15000.0, hop_limit=hop_limit)
    res = _run(p)
    greedy = _run(p, method="greedy")
    _check_backhaul(res, hop_limit)
    assert res.cost_usd <= 15000.0 + 1e-6
    assert res.covered_weight >= greedy.covered_weight
    assert res.upper_bound >= res.covered_weight - 1e-6
    cost = sum(d["cost_usd"] for _, d in res.graph.nodes(data=True))
    cost += sum(d["cost_usd"] for *_, d in res.graph.edges(data=True))
    assert cost == pytest.approx(res.cost_usd)


def test_two_disjoint_paths_survive_any_single_link_cut():
    p = grid_placement_problem(5, target_share=0.4, two_paths=True)
    res = _run(p, time_limit_s=60.0)
    assert res.status == "optimal"
    _check_backhaul(res, two_paths=True)
    assert res.covered_weight >= 0.4 * p.weights.sum() - 1e-6


def test_min_cost_beats_greedy_then_connect_and_covers_schools():
    must = np.isin(np.arange(30), [2, 5])
    p = grid_placement_problem(6, target_share=0.5, must_cover=must, hop_limit=4)
    res = _run(p)
    greedy = _run(p, method="greedy")
    assert res.covered[must].all() and greedy.covered[must].all()
    assert res.cost_usd <= greedy.cost_usd + 1e-6
    assert res.details["greedy_cost_usd"] == pytest.approx(greedy.cost_usd)
    assert res.covered_weight >= 0.5 * p.weights.sum() - 1e-6
    assert res.upper_bound <= res.cost_usd + 1e-6
    _check_backhaul(res, 4)


def test_capacity_limits_what_one_link_carries():
    # PoP links carry 10 Mbps; each site injects 1 Mbps per 20 people: at most 200 people
    # behind each PoP link (N00 and N10)
    traffic = SiteTraffic(mbps_per_weight=0.05, min_site_mbps=0.0)
    p = grid_placement_problem(7, capacity_mbps=10.0, budget_usd=40000.0, traffic=traffic)
    res = _run(p)
    D = nx.DiGraph()
    for a, b, d in res.graph.edges(data=True):
        D.add_edge(a, b, capacity=d["capacity_mbps"])
        D.add_edge(b, a, capacity=d["capacity_mbps"])
    # the model's traffic of a site: 0.05 Mbps per person it can serve
    traffic_of = {}
    for v, d in res.graph.nodes(data=True):
        if d["role"] == "access":
            o = p.candidate_ids.index(v) * 2 + HEIGHTS.index(d["mast_height_m"])
            traffic_of[v] = 0.05 * float(p.covers[[o], :].toarray().ravel() @ p.weights)
            D.add_edge("SRC", v, capacity=traffic_of[v])
    flow = nx.maximum_flow_value(D, "SRC", "POP")
    assert flow == pytest.approx(sum(traffic_of.values()), rel=1e-6)
    assert sum(traffic_of.values()) <= 20.0 + 1e-6
    # without the capacity limit the same budget serves more
    free = _run(grid_placement_problem(7, budget_usd=40000.0, traffic=traffic))
    assert free.covered_weight > res.covered_weight


def test_unreachable_inputs_are_explained_in_words():
    p = grid_placement_problem(8, target_share=0.1)
    # demand point 0 seen by nobody; point 1 seen only by the far corner N22
    cov = p.covers.toarray()
    cov[:, 0] = False
    cov[:, 1] = False
    cov[p.candidate_ids.index("N22") * 2 + 1, 1] = True
    names = [f"school {j}" for j in range(p.weights.size)]
    hidden = dataclasses.replace(p, covers=sparse.csr_array(cov), demand_names=names)
    must = np.eye(p.weights.size, dtype=bool)
    with pytest.raises(InfeasibleError, match="school 0 cannot be seen by any candidate"):
        _run(dataclasses.replace(hidden, must_cover=must[0]))
    with pytest.raises(
        InfeasibleError,
        match=r"school 1 is seen only by candidates without a relay chain to the point of "
        r"presence within 2 hops \(N22\)",
    ):
        _run(dataclasses.replace(hidden, must_cover=must[1], hop_limit=2))
    G2 = p.graph.copy()
    G2.remove_edges_from([("POP", "N00"), ("POP", "N10")])
    with pytest.raises(InfeasibleError, match="No relay chain reaches the point of presence"):
        _run(dataclasses.replace(p, graph=G2))
    with pytest.raises(InfeasibleError, match=r"At most .* within 1 hops"):
        _run(dataclasses.replace(p, target_share=0.99, hop_limit=1))


def test_bad_problems_raise_input_error_naming_the_field():
    with pytest.raises(InputError, match="exactly one of budget_usd"):
        grid_placement_problem(8)
    with pytest.raises(InputError, match="exactly one of budget_usd"):
        grid_placement_problem(8, budget_usd=1e4, target_share=0.5)
    with pytest.raises(InputError, match="hop_limit must be at least 1"):
        grid_placement_problem(8, budget_usd=1e4, hop_limit=0)
    with pytest.raises(InputError, match="k_coverage"):
        grid_placement_problem(8, budget_usd=1e4, k_coverage=0)
    with pytest.raises(InputError, match="is not a node of the candidate link graph"):
        grid_placement_problem(8, budget_usd=1e4, pop="FIBRE")
    with pytest.raises(InputError, match="one row and one cost per candidate x height"):
        grid_placement_problem(8, budget_usd=1e4, link_cost_usd=1.0, heights_m=np.array([6.0]))
    with pytest.raises(InputError, match="method must be 'milp' or 'greedy'"):
        SolveSettings(method="magic")
    with pytest.raises(InputError, match="min_site_mbps"):
        SiteTraffic(min_site_mbps=10.0, max_site_mbps=1.0)


def test_time_limit_returns_the_best_plan_with_its_gap():
    p = grid_placement_problem(9, side=5, n_demand=80, budget_usd=20000.0, hop_limit=4)
    res = _run(p, time_limit_s=0.2, mip_rel_gap=0.0)
    assert res.chosen.size > 0
    assert res.covered_weight > 0
    assert res.gap >= 0 and res.upper_bound >= res.covered_weight - 1e-6
    _check_backhaul(res, 4)


@pytest.mark.parametrize("seed", [10, 11])
def test_full_model_more_budget_never_covers_fewer_and_k2_never_more(seed):
    p = grid_placement_problem(seed, n_demand=25, budget_usd=14000.0)
    covered = [
        _run(dataclasses.replace(p, budget_usd=b, hop_limit=3), mip_rel_gap=0.0).covered_weight
        for b in (4000.0, 8000.0, 14000.0)
    ]
    assert covered == sorted(covered)
    one = _run(p, mip_rel_gap=0.0)
    two = _run(dataclasses.replace(p, k_coverage=2), mip_rel_gap=0.0)
    assert two.covered_weight <= one.covered_weight + 1e-9


def test_link_pruning_keeps_pop_links_and_hop_distances():
    G = nx.complete_graph([f"C{i}" for i in range(12)])
    G.add_node("POP")
    for i in range(3):
        G.add_edge("POP", f"C{i}")
    for i, (a, b) in enumerate(G.edges):
        G.edges[a, b].update(min_height_m=6.0, capacity_mbps=100.0, length_m=float(i))
    ids = [f"C{i}" for i in range(12)]
    full = reduce_graph(G, ids, ["POP"], 4)
    pruned = reduce_graph(G, ids, ["POP"], 4, max_links_per_site=2)
    assert len(pruned.edges) < len(full.edges)
    assert sum(int(b == 12) for _, b in pruned.edges) == 3  # every PoP link kept
    # each site keeps a link one hop nearer the PoP, so hop distances are unchanged
    P = nx.Graph([tuple(map(int, e)) for e in pruned.edges])
    assert dict(nx.single_source_shortest_path_length(P, 12)) == full.hops


def test_min_cost_plan_meets_the_target_when_demand_rows_are_lazy():
    """Regression (Palmitas benchmark): with lazy demand rows and the time limit spent in the
    first round, the cost model returned a plan short of its target."""
    p = grid_placement_problem(9, side=5, n_demand=80, target_share=0.6, hop_limit=4)
    for share in (0.6, 0.9):
        q = dataclasses.replace(p, target_share=share)
        # model only the rarest demand group at first
        res = plan_network(q, SolveSettings(time_limit_s=0.05), first_rows_nnz=1)
        assert res.covered_weight >= share * p.weights.sum() - 1e-6
        assert res.upper_bound <= res.cost_usd + 1e-6
        _check_backhaul(res, 4)


@pytest.mark.parametrize("seed", [21, 22, 23, 24])
def test_local_search_keeps_plans_feasible_and_never_covers_less(seed):
    for budget in (6000.0, 12000.0):
        p = grid_placement_problem(
            seed, side=4, n_demand=60, budget_usd=budget, hop_limit=3, max_links_per_site=None
        )
        model = BackhaulModel.build(p)
        greedy = greedy_then_connect(model).plan
        if not greedy.access:
            continue
        better = improve_plan(model, greedy)
        assert model.feasible(better)
        assert better.cost <= budget + 1e-6
        assert model.covered_weight(better) >= model.covered_weight(greedy) - 1e-9
        # the MILP (exact on these sizes) is never below the local search
        res = _run(p, mip_rel_gap=0.0)
        assert res.covered_weight >= model.covered_weight(better) - 1e-6


def test_local_search_turns_a_relay_into_an_access_site_when_it_pays():
    # PoP - A - B: B serves point 0, A (a relay) could serve point 1
    model = BackhaulModel.build(chain_placement_problem(budget_usd=2020.0))
    plan = BackhaulPlan({1: 0}, {0: 0}, [0, 1])
    plan.cost = model.plan_cost(plan)
    assert model.feasible(plan) and model.covered_weight(plan) == 5.0
    better = improve_plan(model, plan)
    assert better.access == {0: 0, 1: 0} and not better.relays
    assert model.covered_weight(better) == 8.0 and better.cost == pytest.approx(2020.0)


@pytest.mark.parametrize("seed", [31, 32, 33])
def test_kicked_search_is_feasible_deterministic_and_never_covers_less(seed):
    budget = 9000.0
    p = grid_placement_problem(
        seed, side=4, n_demand=60, budget_usd=budget, hop_limit=3, max_links_per_site=None
    )
    model = BackhaulModel.build(p)
    start = improve_plan(model, greedy_then_connect(model).plan)
    assert start.access
    a, made = perturb_search(model, start, kicks=12, seed=5)
    b, _ = perturb_search(model, start, kicks=12, seed=5)
    assert made == 12
    assert (a.access, a.relays, sorted(a.edges)) == (b.access, b.relays, sorted(b.edges))
    assert model.feasible(a)
    assert a.cost <= budget + 1e-6
    assert model.covered_weight(a) >= model.covered_weight(start) - 1e-9
    res = _run(p, mip_rel_gap=0.0, kicks=0)
    assert res.covered_weight >= model.covered_weight(a) - 1e-6


def test_kick_drops_a_leaf_site_with_its_link_and_the_relays_left_as_leaves():
    # PoP - A (relay) - B (access): taking B out leaves A a leaf relay, which goes too
    model = BackhaulModel.build(chain_placement_problem())
    plan = BackhaulPlan({1: 0}, {0: 0}, [0, 1])
    q = kick(model, plan, np.random.default_rng(0), 1)
    assert q.access == {} and q.relays == {} and q.edges == [] and q.cost == 0.0
    # an access site that relays another becomes a relay
    plan = BackhaulPlan({0: 0, 1: 0}, {}, [0, 1])
    q = kick(model, plan, np.random.default_rng(1), 1)
    assert model.plan_cost(q) == q.cost
    assert len(q.access) == 1 and (q.relays == {0: 0} or q.access == {0: 0})


def _grid_graph():
    # a 4 x 4 grid of candidates, PoP attached to the corner (0, 0)
    G = nx.grid_2d_graph(4, 4)
    G = nx.relabel_nodes(G, {v: f"N{v[0]}{v[1]}" for v in G})
    for v in G:
        G.nodes[v].update(role="candidate", x=float(v[1]), y=float(v[2]))
    G.add_node("POP", role="pop", x=-1.0, y=0.0)
    G.add_edge("POP", "N00")
    for e in G.edges:
        G.edges[e].update(min_height_m=6.0, length_m=1.0, capacity_mbps=100.0)
    return G


def test_connect_to_pop_respects_hop_limit():
    G = _grid_graph()
    table = {v: {6.0: 10.0, 12.0: 20.0} for v in G}
    heights, relays, links = connect_to_pop(
        G,
        ["N33", "N30"],
        "POP",
        site_height_m={"N33": 6.0, "N30": 6.0},
        relay_cost_usd=table,
        site_cost_usd=table,
        link_cost_usd=1.0,
        limits=TreeLimits(hop_limit=7),
    )
    B = nx.Graph(links)
    assert nx.has_path(B, "N33", "POP") and nx.has_path(B, "N30", "POP")
    assert nx.shortest_path_length(B, "N33", "POP") <= 7
    assert set(heights) == {"N33", "N30", *relays}
    assert "N33" not in relays
    # 6 hops cannot reach the far corner (7 links from the PoP)
    heights, _, _ = connect_to_pop(
        G,
        ["N33"],
        "POP",
        site_height_m={"N33": 6.0},
        relay_cost_usd=table,
        site_cost_usd=table,
        link_cost_usd=1.0,
        limits=TreeLimits(hop_limit=6),
    )
    assert "N33" not in heights


@pytest.mark.parametrize("limit", [1, 2])
def test_no_site_builds_more_links_than_its_band_has_channels(limit):
    # the 5.8 GHz band has five 20 MHz channels; a limit of 1 or 2 binds on the 3 x 3 grid
    free = _run(grid_placement_problem(3, budget_usd=40000.0))
    p = grid_placement_problem(3, budget_usd=40000.0, max_links_at_site=limit)
    res = _run(p)
    degrees = dict(res.graph.degree())
    assert max(dict(free.graph.degree()).values()) > limit  # the limit binds
    assert max(degrees.values()) <= limit
    assert res.covered_weight <= free.covered_weight + 1e-9
    _check_backhaul(res, None)
    with pytest.raises(InputError, match="max_links_at_site"):
        grid_placement_problem(3, budget_usd=1.0, max_links_at_site=0)


def test_heuristic_plans_keep_the_links_at_a_site_within_its_channels():
    """The warm start must obey max_links_at_site as the MILP's row does: a big budget once
    made every heuristic plan break it, and the plan came back empty."""
    p = grid_placement_problem(9, side=4, n_demand=80, budget_usd=1e6, max_links_at_site=2)
    m = BackhaulModel.build(p)
    greedy = greedy_then_connect(m)
    assert greedy.plan.access and m.feasible(greedy.plan)
    local = improve_plan(m, greedy.plan)
    assert m.feasible(local)
    res = _run(p, time_limit_s=20.0, kicks=5)
    assert len(res.chosen) >= 2
    degrees = nx.Graph(res.links).degree()
    assert max(d for _, d in degrees) <= 2


def _plan_key(res):
    return (res.chosen.tolist(), res.relays.tolist(), sorted(res.links), res.cost_usd)


def test_a_tiny_time_limit_stops_every_search_phase_and_says_so():
    p = grid_placement_problem(
        31, side=4, n_demand=60, budget_usd=9000.0, hop_limit=3, max_links_per_site=None
    )
    res = _run(p, mip_rel_gap=0.0, time_limit_s=1e-6)
    cut = res.details["time_cut_phases"]
    assert "greedy bisection" in cut and "local search" in cut
    assert res.details["kicks"] == 0
    assert res.details["rounds"] == 1  # one solve (for the bound), no second round
    assert any("wall-clock limit" in w and "local search" in w for w in res.warnings)
    assert res.cost_usd <= 9000.0 + 1e-6  # still a plan that meets every constraint


def test_a_generous_time_limit_cuts_nothing_and_keeps_the_plan():
    p = grid_placement_problem(
        31, side=4, n_demand=60, budget_usd=9000.0, hop_limit=3, max_links_per_site=None
    )
    a = _run(p, mip_rel_gap=0.0, time_limit_s=600.0)
    b = _run(p, mip_rel_gap=0.0, time_limit_s=3600.0)
    assert a.details["time_cut_phases"] == () == b.details["time_cut_phases"]
    assert not any("wall-clock" in w for w in a.warnings)
    assert _plan_key(a) == _plan_key(b)
    # the plan main gave before the phases had a deadline (commit 9ec5310)
    assert _plan_key(a) == ([0, 1, 5], [], [("N00", "N01"), ("N00", "POP"), ("N01", "N11")], 8200.0)


def test_the_local_search_under_a_deadline_is_the_search_without_one_until_it_passes():
    p = grid_placement_problem(
        31, side=4, n_demand=60, budget_usd=9000.0, hop_limit=3, max_links_per_site=None
    )
    model = BackhaulModel.build(p)
    empty = BackhaulPlan({}, {}, [])  # the search grows a network from the PoP
    free = improve_plan(model, empty)
    assert model.covered_weight(free) > 0.0
    late = Deadline.after(3600.0)
    assert improve_plan(model, empty, deadline=late).access == free.access
    assert late.cut == []
    passed = Deadline.after(0.0, start_s=0.0)
    assert improve_plan(model, empty, deadline=passed).access == {}
    assert passed.cut == ["local search"]
    kicked, made = perturb_search(model, free, kicks=6, seed=1, deadline=passed)
    assert (kicked, made) == (free, 0) and passed.cut == ["local search", "kicks"]
