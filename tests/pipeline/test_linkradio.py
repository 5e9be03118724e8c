"""The built links' traffic, channels, capacity and rain availability (pipeline.linkradio)."""

from __future__ import annotations

import geopandas as gpd
import networkx as nx
import numpy as np
import pytest
import shapely

from coverage.pipeline.linkradio import LINK_RADIO_COLUMNS, link_radios
from coverage.planning.linkgraph import LinkBudget


def _links(pairs: list[tuple[str, str]], length_m: float = 3000.0) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"site_a": [a for a, _ in pairs], "site_b": [b for _, b in pairs], "length_m": length_m},
        geometry=[shapely.LineString([(0, 0), (1, 1)])] * len(pairs),
    )


def _graph(pairs: list[tuple[str, str]]) -> nx.Graph:
    G = nx.Graph()
    G.add_edges_from(pairs)
    return G


def test_a_chain_carries_the_sum_of_the_sites_behind_each_link_on_80_mhz() -> None:
    pairs = [("PoP", "A"), ("A", "B")]
    out, warnings = link_radios(
        _links(pairs), _graph(pairs), "PoP", {"A": 10.0, "B": 30.0}, LinkBudget(), 95.0
    )
    assert set(LINK_RADIO_COLUMNS) <= set(out.columns)
    assert out["traffic_mbps"].tolist() == [40.0, 30.0]
    # A has two links: 40 MHz each, on distinct channels
    assert out["bandwidth_mhz"].tolist() == [40.0, 40.0]
    assert out["channel"].nunique() == 2
    assert warnings == []
    assert (out["rain_availability_pct"] >= 99.0).all()


def test_a_hub_narrows_its_channels_and_warns_when_its_uplink_is_too_small() -> None:
    pairs = [("PoP", "H"), ("H", "A"), ("H", "B"), ("H", "C")]
    traffic = {"H": 50.0, "A": 50.0, "B": 50.0, "C": 50.0}
    out, warnings = link_radios(_links(pairs), _graph(pairs), "PoP", traffic, LinkBudget(), 95.0)
    assert (out["bandwidth_mhz"] == 20.0).all()  # four links at H: 20 MHz each
    hub = out.iloc[0]
    assert hub["traffic_mbps"] == pytest.approx(200.0)
    assert hub["channel_capacity_mbps"] < 200.0
    assert len(warnings) == 1 and "PoP-H carries 200.0 Mbps" in warnings[0]


def test_a_site_with_more_links_than_channels_is_a_warning() -> None:
    pairs = [("PoP", "H")] + [("H", f"S{k}") for k in range(5)]
    out, warnings = link_radios(_links(pairs), _graph(pairs), "PoP", {"H": 1.0}, LinkBudget(), 95.0)
    assert (out["channel"] == -1).sum() == 1
    assert any("no free channel" in w for w in warnings)


def test_a_longer_link_has_less_margin_and_no_more_rain_availability() -> None:
    pairs = [("PoP", "A")]
    short, _ = link_radios(_links(pairs, 2000.0), _graph(pairs), "PoP", {}, LinkBudget(), 95.0)
    long, _ = link_radios(_links(pairs, 14000.0), _graph(pairs), "PoP", {}, LinkBudget(), 95.0)
    assert long["fade_margin_db"].iloc[0] < short["fade_margin_db"].iloc[0] - 15.0
    assert long["rain_availability_pct"].iloc[0] <= short["rain_availability_pct"].iloc[0]
    assert np.isfinite(long["rain_availability_pct"]).all()


def test_no_links_gives_an_empty_table_with_the_columns() -> None:
    out, warnings = link_radios(_links([]), nx.Graph(), "PoP", {}, LinkBudget(), 95.0)
    assert len(out) == 0 and set(LINK_RADIO_COLUMNS) <= set(out.columns) and warnings == []
