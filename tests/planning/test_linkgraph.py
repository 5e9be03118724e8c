"""Tests of coverage.planning.linkgraph: link budget, the candidate link graph, hops, GeoDataFrames."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from coverage import synthetic
from coverage.errors import InputError
from coverage.planning.linkgraph import (
    LINK_COLUMNS,
    SITE_COLUMNS,
    LinkBudget,
    LinkSettings,
    candidate_link_graph,
    capacity_mbps,
    graph_to_gdfs,
    hops_to_pop,
    links_to_graph,
)


def test_free_space_budget_matches_itu_p525():
    # ITU-R P.525-4 eq. (4): L = 32.4 + 20 log f(MHz) + 20 log d(km); 5800 MHz, 1 km: 107.7 dB
    lb = LinkBudget(
        tx_power_dbm=0.0,
        antenna_gain_dbi=0.0,
        misc_loss_db=0.0,
        noise_figure_db=0.0,
        bandwidth_mhz=1.0,
    )
    noise = -174.0 + 60.0
    assert lb.snr_db(1000.0) == pytest.approx(-107.72 - noise, abs=0.01)
    # doubling the distance costs 6.02 dB
    assert lb.snr_db(1000.0) - lb.snr_db(2000.0) == pytest.approx(6.02, abs=0.01)


def test_capacity_steps():
    table = ((5.0, 10.0), (20.0, 100.0))
    assert capacity_mbps([4.9, 5.0, 19.9, 20.0, 40.0], table).tolist() == [0, 10, 10, 100, 100]
    assert capacity_mbps(25.0, table, mac_efficiency=0.5) == 50.0


def _nodes(terrain, cols, *, pop_col=None, row=30):
    xs, ys = terrain.cell_centers()
    ids = [f"C{i}" for i in range(len(cols))]
    pts = [shapely.Point(xs[c], ys[row]) for c in cols]
    roles = ["candidate"] * len(cols)
    if pop_col is not None:
        ids.append("POP")
        pts.append(shapely.Point(xs[pop_col], ys[row]))
        roles.append("pop")
    return gpd.GeoDataFrame({"candidate_id": ids, "role": roles}, geometry=pts, crs=terrain.crs)


def test_wall_blocks_low_masts_only():
    # a 40 m wall between two sites 600 m apart: 6 m masts are blocked, 60 m masts clear it
    t = synthetic.wall(wall_height_m=40.0)
    nodes = _nodes(t, [10, 30], row=20)
    low = candidate_link_graph(t, nodes, [6.0, 12.0], LinkSettings(f_mhz=5800.0))
    assert low.number_of_edges() == 0
    G = candidate_link_graph(t, nodes, [6.0, 60.0], LinkSettings(f_mhz=5800.0))
    e = G.edges["C0", "C1"]
    assert e["min_height_m"] == 60.0
    assert e["clearance_ratio"] >= 0.6
    assert e["length_m"] == pytest.approx(600.0)
    assert e["capacity_mbps"] > 0 and e["margin_db"] > 0


def test_flat_links_use_the_lowest_mast(flat_terrain):
    nodes = _nodes(flat_terrain, [5, 25, 45], pop_col=15, row=25)
    G = candidate_link_graph(flat_terrain, nodes, [6.0, 12.0, 30.0], LinkSettings(max_link_m=700.0))
    assert G.nodes["POP"]["role"] == "pop" and G.nodes["POP"]["mast_height_m"] == 30.0
    assert all(d["min_height_m"] == 6.0 for *_, d in G.edges(data=True))
    # 600 m and 300 m pairs only
    assert {frozenset(e) for e in G.edges} == {
        frozenset(p) for p in [("C0", "C1"), ("C1", "C2"), ("C0", "POP"), ("C1", "POP")]
    }
    assert hops_to_pop(G, "POP") == {"POP": 0, "C0": 1, "C1": 1, "C2": 2}
    with pytest.raises(InputError, match="not a node"):
        hops_to_pop(G, "FIBRE")


def test_link_settings_are_checked():
    with pytest.raises(InputError, match="max_link_m must be positive"):
        LinkSettings(max_link_m=0.0)
    with pytest.raises(InputError, match="min_clearance_ratio must not be negative"):
        LinkSettings(min_clearance_ratio=-0.1)


def test_links_to_graph_and_gdfs():
    nodes = pd.DataFrame(
        {
            "candidate_id": ["A", "B", "P"],
            "x": [0.0, 100.0, 200.0],
            "y": [0.0, 0.0, 0.0],
            "role": ["candidate", "candidate", "pop"],
        }
    )
    links = pd.DataFrame(
        {
            "site_a": ["A", "B"],
            "site_b": ["B", "P"],
            "length_m": [100.0, 100.0],
            "min_height_m": [6.0, 12.0],
            "clearance_ratio": [1.0, 0.8],
            "margin_db": [30.0, 30.0],
            "capacity_mbps": [100.0, 50.0],
        }
    )
    G = links_to_graph(nodes, links, crs="EPSG:9377")
    sites, lk = graph_to_gdfs(G)
    assert list(sites.columns) == [*SITE_COLUMNS, "geometry"]
    assert list(lk.columns) == [*LINK_COLUMNS, "geometry"]
    assert sites.set_index("site_id")["hops_to_pop"].to_dict() == {"A": 2, "B": 1, "P": 0}
    assert lk.geometry.length.tolist() == [100.0, 100.0]
    bad = links.assign(site_b=["B", "Q"])
    with pytest.raises(InputError, match="not in the node table"):
        links_to_graph(nodes, bad)


def test_andes_link_graph_agrees_with_link_clearances(andes_terrain):
    from coverage.radio.clearance import ClearanceSettings, link_clearances

    xs, ys = andes_terrain.cell_centers()
    rng = np.random.default_rng(0)
    r, c = rng.integers(5, 195, 20), rng.integers(5, 195, 20)
    xy = np.column_stack([xs[c], ys[r]])
    nodes = gpd.GeoDataFrame(
        {"candidate_id": [f"C{i}" for i in range(20)]},
        geometry=shapely.points(xy),
        crs=andes_terrain.crs,
    )
    G = candidate_link_graph(andes_terrain, nodes, [6.0, 30.0], LinkSettings(max_link_m=4000.0))
    assert 0 < G.number_of_edges() < 190
    # every pair within range: an edge iff clear at 30 m, min height 6 m iff clear at 6 m
    for i in range(20):
        for j in range(i + 1, 20):
            d = float(np.hypot(*(xy[i] - xy[j])))
            if d > 4000.0:
                assert not G.has_edge(f"C{i}", f"C{j}")
                continue
            res = {
                h: link_clearances(
                    andes_terrain, xy[[i]], h, xy[[j]], h, settings=ClearanceSettings(f_mhz=5800.0)
                ).iloc[0]
                for h in (6.0, 30.0)
            }
            clear = {h: bool(v["los"]) and v["clearance_ratio"] >= 0.6 for h, v in res.items()}
            assert G.has_edge(f"C{i}", f"C{j}") == clear[30.0]
            if clear[30.0]:
                want = 6.0 if clear[6.0] else 30.0
                assert G.edges[f"C{i}", f"C{j}"]["min_height_m"] == want
