"""The capture repair: a hub that is the best server of points it cannot carry becomes a relay.

Layout: PoP - H, H - A, H - B (each link clear at 6 m; A and B reach the PoP only through
H). A serves points 0-9, B points 10-19 (-75 dBm, 6 households each); H reaches all 22
points at -60 dBm, so on one carrier it is every point's best server, full at 14 points
and drowning A and B: the service model serves 10 points with H open and 20 with H a
relay. The MILP's covers give H points 20-21 only (what it would add alone), so the MILP
opens it as an access site.
"""

from __future__ import annotations

import dataclasses

import geopandas as gpd
import networkx as nx
import numpy as np
import pytest
import shapely
from numpy.typing import NDArray
from scipy import sparse

from coverage.pipeline.broadband import BroadbandSettings
from coverage.pipeline.service import ServiceScore
from coverage.planning.backhaul.milp import plan_network
from coverage.planning.backhaul.model import BackhaulModel, BackhaulPlan
from coverage.planning.busyhour import BusyHour
from coverage.planning.capture import repair_capture
from coverage.planning.problem import PlacementProblem, SolveSettings
from coverage.radio.technology import get_technology

LTE = get_technology("lte-b28-small-cell")
SERVICE = BroadbandSettings(
    busy_hour=BusyHour(1.0, 0.1, 5.0, 1.0, 20.0, 5.0),
    n_carriers=1,
    interference_load=1.0,
    terminal_tx_power_dbm=23.0,
    uplink_noise_floor_dbm=-174.0 + 70.0 + 5.0,
    interference_margin_db=0.0,
)
N_POINTS = 22
DEMAND = gpd.GeoDataFrame(
    {
        "kind": ["population"] * N_POINTS,
        "households": [6.0] * N_POINTS,
        "population": [18.0] * N_POINTS,
    },
    geometry=[shapely.Point(i, 0) for i in range(N_POINTS)],
)


def _rx(hub_reaches_all: bool) -> NDArray[np.float64]:
    """(options, points) dBm: H at 6 and 18 m, A, B (the same power at both masts)."""
    hub = np.full(N_POINTS, np.nan)
    hub[20:] = -60.0
    if hub_reaches_all:
        hub[:] = -60.0
    a = np.full(N_POINTS, np.nan)
    a[:10] = -75.0
    b = np.full(N_POINTS, np.nan)
    b[10:20] = -75.0
    return np.array([hub, hub, a, a, b, b])


def _problem() -> PlacementProblem:
    G = nx.Graph()
    for u, v in (("POP", "H"), ("H", "A"), ("H", "B")):
        G.add_edge(u, v, min_height_m=6.0, capacity_mbps=1000.0, length_m=1000.0)
    covers = np.zeros((6, N_POINTS), bool)
    covers[0:2, 20:] = True  # H's own points
    covers[2:4, :10] = True
    covers[4:6, 10:20] = True
    access = np.array([1000.0, 1200.0] * 3)
    return PlacementProblem(
        sparse.csr_array(covers),
        DEMAND["population"].to_numpy(np.float64),
        graph=G,
        candidate_ids=["H", "A", "B"],
        heights_m=np.array([6.0, 18.0]),
        access_cost_usd=access,
        relay_cost_usd=access - 100.0,
        link_cost_usd=10.0,
        pop="POP",
        budget_usd=4000.0,
        hop_limit=3,
    )


def _score(hub_reaches_all: bool) -> ServiceScore:
    people = DEMAND["population"].to_numpy(np.float64)
    return ServiceScore(_rx(hub_reaches_all), DEMAND, LTE, SERVICE, -100.0, people)


def _solved() -> tuple[BackhaulModel, BackhaulPlan]:
    """The model and the plan the MILP gives (H, A, B open at 6 m, three links)."""
    model = BackhaulModel.build(_problem())
    res = plan_network(_problem(), SolveSettings())
    assert list(res.chosen) == [0, 1, 2]  # the MILP opens the hub
    access = {int(i): int(np.flatnonzero(model.heights_m == h)[0]) for i, h in
              zip(res.chosen, res.heights_m, strict=True)}  # fmt: skip
    edges = list(range(len(model.net.edges)))
    plan = BackhaulPlan(access, {}, edges)
    plan.cost = model.plan_cost(plan)
    return model, plan


def test_a_hub_that_captures_what_it_cannot_carry_becomes_a_relay() -> None:
    model, plan = _solved()
    score = _score(hub_reaches_all=True)
    assert score(np.array([0, 2, 4])) == pytest.approx(10 * 18.0)  # H drowns A and B
    repaired, record = repair_capture(model, plan, score)
    assert repaired.relays == {0: 0}
    assert sorted(repaired.access) == [1, 2]
    assert record.served_before == pytest.approx(10 * 18.0)
    assert record.served_after == pytest.approx(20 * 18.0)
    assert record.people_gained == pytest.approx(10 * 18.0)
    assert record.moves == ("H: access 6 m -> relay 6 m",)
    assert repaired.cost == pytest.approx(model.plan_cost(repaired))
    assert repaired.cost <= 4000.0


def test_plan_network_records_the_repair_and_returns_the_repaired_plan() -> None:
    res = plan_network(_problem(), SolveSettings(), served=_score(hub_reaches_all=True))
    assert list(res.chosen) == [1, 2]
    assert list(res.relays) == [0]
    record = res.details["placement_repair"]
    assert record["moves"] == ["H: access 6 m -> relay 6 m"]
    assert record["people_gained"] == pytest.approx(180.0)
    assert res.graph is not None
    assert res.graph.nodes["H"]["role"] == "relay"


def test_a_plan_without_capture_is_unchanged() -> None:
    # H reaches only its own points: the plan already serves all 22 and no move serves more
    model, plan = _solved()
    score = _score(hub_reaches_all=False)
    repaired, record = repair_capture(model, plan, score)
    assert repaired is plan
    assert record.moves == ()
    assert record.served_after == record.served_before == pytest.approx(22 * 18.0)
    res = plan_network(_problem(), SolveSettings(), served=score)
    assert list(res.chosen) == [0, 1, 2]
    assert res.details["placement_repair"]["moves"] == []


def test_a_relay_beyond_the_budget_is_refused_and_the_drowned_sites_go_instead() -> None:
    # the relay costs more than the budget leaves: H stays open, and dropping A and B (which
    # H drowns) lets H serve the 14 points it carries alone, more than the 10 of the plan
    problem = dataclasses.replace(_problem(), relay_cost_usd=np.full(6, 5000.0))
    model = BackhaulModel.build(problem)
    _, plan = _solved()
    plan.cost = model.plan_cost(plan)
    repaired, record = repair_capture(model, plan, _score(hub_reaches_all=True))
    assert repaired.relays == {}
    assert repaired.access == {0: 0}
    assert record.moves == ("A: access 6 m -> dropped", "B: access 6 m -> dropped")
    assert record.served_after == pytest.approx(14 * 18.0)
    assert repaired.cost <= 4000.0


def test_the_repair_is_deterministic() -> None:
    runs = [
        plan_network(_problem(), SolveSettings(), served=_score(hub_reaches_all=True))
        for _ in range(2)
    ]
    a, b = runs
    assert list(a.chosen) == list(b.chosen)
    assert list(a.relays) == list(b.relays)
    assert sorted(a.links) == sorted(b.links)
    assert a.details["placement_repair"] == b.details["placement_repair"]
