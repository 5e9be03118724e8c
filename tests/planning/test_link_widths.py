"""Link widths in the placement MILP: a link's traffic never exceeds the capacity of the
channel the channel plan gives it, at a hub that carries several links (issue 17)."""

from __future__ import annotations

import dataclasses
import itertools

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from scipy import sparse

from coverage.errors import InputError
from coverage.planning.backhaul.model import BackhaulModel, BackhaulPlan
from coverage.planning.backhaul.search import fits_network
from coverage.planning.backhaul.trim import trim_to_fit
from coverage.planning.channels import (
    BAND_5_8GHZ,
    LinkWidths,
    assign_link_channels,
    assign_planned_channels,
    placement_widths,
)
from coverage.planning.deadline import Deadline
from coverage.planning.placement import plan_network
from coverage.planning.problem import PlacementProblem, SolveSettings

EXACT = SolveSettings(mip_rel_gap=0.0, time_limit_s=60.0)
#: Capacity (Mbps) of every link at 20, 40 and 80 MHz (ILLUSTRATIVE: small, so widths bind).
CAPS = (30.0, 60.0, 120.0)
TRAFFIC_MBPS = 25.0


def _hub(widths: LinkWidths | None) -> PlacementProblem:
    """A PoP, a hub H1 on a ridge and six villages V1-V6 that only the hub sees by radio;
    each village site covers its own 10 people; each access site injects 25 Mbps."""
    G = nx.Graph()
    G.add_node("POP", role="pop", x=0.0, y=0.0)
    ids = ["H1", *(f"V{k}" for k in range(1, 7))]
    for v in ids:
        G.add_node(v, role="candidate", x=1.0, y=0.0)
    links = [("POP", "H1"), *(("H1", f"V{k}") for k in range(1, 7))]
    for a, b in links:
        G.add_edge(a, b, min_height_m=6.0, length_m=1000.0, capacity_mbps=CAPS[-1],
                   clearance_ratio=1.0, margin_db=20.0, capacity_by_width_mbps=CAPS)  # fmt: skip
    covers = np.zeros((len(ids), len(ids)), dtype=bool)
    np.fill_diagonal(covers, True)
    return PlacementProblem(
        sparse.csr_array(covers),
        np.array([1.0] + [10.0] * 6),
        graph=G,
        candidate_ids=ids,
        heights_m=np.array([6.0]),
        access_cost_usd=np.full(len(ids), 1000.0),
        relay_cost_usd=np.full(len(ids), 500.0),
        link_cost_usd=100.0,
        pop="POP",
        budget_usd=1e6,
        hop_limit=3,
        traffic_mbps=np.full(len(ids), TRAFFIC_MBPS),
        max_links_at_site=5,
        link_widths=widths,
    )


def _links_after_channel_plan(res, planned: bool) -> pd.DataFrame:
    """The built links with their busy-hour traffic, channel and that channel's capacity."""
    G = res.graph
    load = {frozenset(e): 0.0 for e in G.edges}
    for site in (v for v, d in G.nodes(data=True) if d["role"] == "access"):
        for a, b in itertools.pairwise(nx.shortest_path(G, site, "POP")):
            load[frozenset((a, b))] += TRAFFIC_MBPS
    rows = [
        {"site_a": a, "site_b": b, "traffic_mbps": load[frozenset((a, b))],
         "width_mhz": d.get("bandwidth_mhz", np.nan)}
        for a, b, d in G.edges(data=True)
    ]  # fmt: skip
    links = pd.DataFrame(rows)
    if planned:
        out = assign_planned_channels(links)
    else:
        out = assign_link_channels(links.drop(columns="width_mhz"))
    cap = dict(zip((20.0, 40.0, 80.0), CAPS, strict=True))
    out["capacity_mbps"] = [cap.get(w, 0.0) for w in out["bandwidth_mhz"]]
    return out


def test_no_chosen_link_carries_more_than_its_channel_gives():
    res = plan_network(_hub(placement_widths()), EXACT, kicks=0)
    assert res.status == "optimal"
    links = _links_after_channel_plan(res, planned=True)
    assert not links["conflict"].any()
    assert (links["traffic_mbps"] <= links["capacity_mbps"] + 1e-9).all()
    hub_links = links[(links["site_a"] == "H1") | (links["site_b"] == "H1")]
    assert hub_links["bandwidth_mhz"].sum() <= 80.0  # the hub's links share channel 155
    # the PoP link carries every site's traffic: 3 sites (75 Mbps) need 80 MHz there and
    # leave the hub no room for their links, so the optimum is a relay at the hub and two
    # villages (50 Mbps on 40 MHz, 20 + 20 + 40 = 80 MHz at the hub): 20 people
    assert res.covered_weight == pytest.approx(20.0)
    assert sorted(links["bandwidth_mhz"]) == [20.0, 20.0, 40.0]


def test_the_80_mhz_model_overloads_the_hub_once_channels_are_assigned():
    """What the MILP did before: every link at its 80 MHz capacity and at most five links
    at a site; the channel plan then narrows the hub's links and overloads them."""
    res = plan_network(_hub(None), EXACT, kicks=0)
    links = _links_after_channel_plan(res, planned=False)
    assert (links["traffic_mbps"] > links["capacity_mbps"] + 1e-9).any()


def test_widths_come_back_in_the_plan_and_fit_one_site():
    widths = placement_widths()
    assert widths.widths_mhz == (20.0, 40.0, 80.0) and widths.site_mhz == 80.0
    assert placement_widths(widest_mhz=40.0).widths_mhz == (20.0, 40.0)
    with pytest.raises(InputError, match="powers of two"):
        LinkWidths((20.0, 60.0), 80.0)
    # every multiset of widths summing to at most 80 MHz fits at one site
    for combo in itertools.chain.from_iterable(
        itertools.combinations_with_replacement((20.0, 40.0, 80.0), k) for k in range(1, 5)
    ):
        links = pd.DataFrame(
            {"site_a": ["S"] * len(combo), "site_b": [f"X{k}" for k in range(len(combo))],
             "width_mhz": list(combo)}
        )  # fmt: skip
        out = assign_planned_channels(links)
        assert out["conflict"].any() == (sum(combo) > 80.0), combo


def test_a_tree_of_planned_widths_always_gets_channels():
    rng = np.random.default_rng(7)
    for _ in range(200):  # random trees whose sites' widths sum to at most 80 MHz
        n = int(rng.integers(2, 12))
        parent = [int(rng.integers(0, k)) for k in range(1, n)]
        used = np.zeros(n)
        rows = []
        for child, par in enumerate(parent, start=1):
            room = 80.0 - max(used[child], used[par])
            fits = [w for w in (20.0, 40.0, 80.0) if w <= room]
            if not fits:
                continue
            w = float(rng.choice(fits))
            used[child] += w
            used[par] += w
            rows.append({"site_a": f"S{par}", "site_b": f"S{child}", "width_mhz": w})
        out = assign_planned_channels(pd.DataFrame(rows))
        assert not out["conflict"].any(), rows
        assert (out["bandwidth_mhz"] == out["width_mhz"]).all()


def test_a_problem_with_widths_needs_the_capacities_per_width():
    p = _hub(None)
    for e in p.graph.edges:
        del p.graph.edges[e]["capacity_by_width_mbps"]
    with pytest.raises(InputError, match="capacity_by_width_mbps"):
        dataclasses.replace(p, link_widths=placement_widths())


def test_band_blocks_exclude_channel_165():
    widths = placement_widths(BAND_5_8GHZ)
    links = pd.DataFrame({"site_a": ["A"] * 4, "site_b": list("BCDE"), "width_mhz": [20.0] * 4})
    out = assign_planned_channels(links)
    assert sorted(out["channel"]) == [149, 153, 157, 161]
    assert widths.site_mhz == 80.0


def test_a_plan_whose_links_cannot_carry_it_is_trimmed_to_a_start_that_fits():
    """All six villages through the hub offer 150 Mbps where the hub's links carry far less:
    the plan is trimmed, leaf by leaf, to one that fits, which the MILP can start from."""
    model = BackhaulModel.build(_hub(placement_widths()))
    pos = {v: k for k, v in enumerate(model.ids)}
    hub = pos["H1"]
    edges = [
        e for e, (a, b) in enumerate(model.net.edges)
        if {int(a), int(b)} & {hub} or int(a) == model.net.n or int(b) == model.net.n
    ]  # fmt: skip
    villages = {pos[f"V{k}"]: 0 for k in range(1, 7)}
    full = BackhaulPlan(access=dict(villages), relays={hub: 0}, edges=edges)
    full.cost = model.plan_cost(full)
    assert not fits_network(model, full)
    trimmed = trim_to_fit(model, full, Deadline.after(60.0))
    assert trimmed is not None and fits_network(model, trimmed) and model.feasible(trimmed)
    assert 0 < len(trimmed.access) < len(full.access)
    assert set(trimmed.access) <= set(full.access) and full.access == villages  # a copy
    again = trim_to_fit(model, trimmed, Deadline.after(60.0))
    assert again is not None and again.access == trimmed.access  # a plan that fits stays
    assert trim_to_fit(model, full, Deadline.after(0.0)) is None  # out of time: no start
