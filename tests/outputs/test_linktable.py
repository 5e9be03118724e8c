"""The installers' link table: azimuths, elevation angles, radio levels and the worst
clearance against hand computations on a flat synthetic plan."""

from __future__ import annotations

import dataclasses
import json
import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import LineString, Point

from coverage import synthetic
from coverage.outputs import export
from coverage.outputs.linktable import LINK_TABLE_COLUMNS, link_layer, link_table
from tests.helpers import TINY_CRS, build_tiny_plan

#: WGS84 (a, e^2).
A_M, E2 = 6_378_137.0, 0.00669437999014
GROUND_M = 1500.0


def _flat_plan():
    """Two sites 1 km apart (600 m east, 800 m north) on a flat plain at 1,500 m, masts
    10 m and 40 m, one link between them."""
    plan = build_tiny_plan()
    terrain = synthetic.flat(60, 60, elevation_m=GROUND_M)
    xmin, ymin, _, _ = terrain.bounds
    a, b = Point(xmin + 300.0, ymin + 300.0), Point(xmin + 900.0, ymin + 1100.0)
    sites = gpd.GeoDataFrame(
        {
            "site_id": ["A", "B"],
            "role": ["pop", "relay"],
            "name": ["Fibra", "Cerro"],
            "mast_height_m": [10.0, 40.0],
            "ground_elevation_m": [GROUND_M, GROUND_M],
        },
        geometry=[a, b],
        crs=TINY_CRS,
    )
    links = gpd.GeoDataFrame(
        {
            "site_a": ["A"], "site_b": ["B"], "length_m": [1000.0], "clearance_ratio": [1.0],
            "margin_db": [30.0], "capacity_mbps": [500.0], "channel": [2],
            "centre_mhz": [5785.0], "bandwidth_mhz": [40.0], "fade_margin_db": [27.5],
        },
        geometry=[LineString([a, b])],
        crs=TINY_CRS,
    )  # fmt: skip
    return dataclasses.replace(plan, terrain=terrain, sites=sites, links=links)


def _hand_azimuth_deg(lon1, lat1, lon2, lat2):
    """Azimuth over a short ellipsoidal path: atan2(N cos(phi) dlon, M dphi) at mid-latitude."""
    phi = math.radians((lat1 + lat2) / 2.0)
    w = 1.0 - E2 * math.sin(phi) ** 2
    n, m = A_M / math.sqrt(w), A_M * (1.0 - E2) / w**1.5
    dlon, dlat = math.radians(lon2 - lon1), math.radians(lat2 - lat1)
    return math.degrees(math.atan2(n * math.cos(phi) * dlon, m * dlat)) % 360.0


def test_link_table_matches_hand_computation():
    plan = _flat_plan()
    row = link_table(plan).iloc[0]
    assert row["distance_m"] == pytest.approx(1000.0)
    # azimuth: the short-path ellipsoid formula; within the meridian convergence of the grid's
    # atan2(600, 800) = 36.87 degrees
    hand = _hand_azimuth_deg(row["lon_a_deg"], row["lat_a_deg"], row["lon_b_deg"], row["lat_b_deg"])
    assert row["azimuth_a_to_b_true_deg"] == pytest.approx(hand, abs=0.01)
    assert row["azimuth_b_to_a_true_deg"] == pytest.approx((hand + 180.0) % 360.0, abs=0.01)
    assert abs(row["azimuth_a_to_b_true_deg"] - math.degrees(math.atan2(600, 800))) < 1.0
    # elevation: 30 m up over 1 km, less d / (2 k R) with k = 4/3, R = 6371 km
    drop = 1000.0 / (2.0 * (4.0 / 3.0) * 6_371_000.0)  # 5.886e-5 rad
    assert row["elevation_angle_a_to_b_deg"] == pytest.approx(1.7151, abs=1e-3)
    assert row["elevation_angle_a_to_b_deg"] == pytest.approx(
        math.degrees(math.atan(0.03 - drop)), abs=1e-3
    )
    assert row["elevation_angle_b_to_a_deg"] == pytest.approx(-1.7218, abs=1e-3)
    # ptp-5ghz: 25 dBm + 29 dBi - 1 dB cable = 53 dBm EIRP; free space at 5785 MHz, 1 km
    fspl = 20 * math.log10(4 * math.pi * 1000.0 * 5785e6 / 299_792_458.0)  # 107.70 dB
    assert row["eirp_dbm"] == pytest.approx(53.0)
    assert row["rx_level_dbm"] == pytest.approx(53.0 - fspl + 29.0 - 1.0, abs=0.02)
    assert (row["f_mhz"], row["channel"], row["bandwidth_mhz"]) == (5785.0, 2, 40.0)
    assert row["fade_margin_db"] == 27.5
    assert (row["ground_elevation_a_m"], row["mast_height_b_m"]) == (GROUND_M, 40.0)


def test_worst_clearance_is_the_analytic_minimum_on_a_flat_plain():
    plan = _flat_plan()
    row = link_table(plan).iloc[0]
    d, k, lam = 1000.0, 4.0 / 3.0, 299_792_458.0 / 5785e6
    x = np.linspace(1.0, d - 1.0, 100_001)
    clear_m = (10.0 + 30.0 * x / d) - x * (d - x) / (2 * k * 6_371_000.0)
    ratio = clear_m / np.sqrt(lam * x * (d - x) / d)
    i = int(np.argmin(ratio))
    assert row["worst_clearance_fresnel_fraction"] == pytest.approx(ratio[i], abs=0.05)
    assert row["worst_clearance_from_a_m"] == pytest.approx(x[i], abs=20.0)
    assert row["worst_clearance_m"] == pytest.approx(clear_m[i], abs=0.5)
    # the point lies on the path, between the ends
    lon, lat = row["worst_clearance_lon_deg"], row["worst_clearance_lat_deg"]
    assert min(row["lon_a_deg"], row["lon_b_deg"]) <= lon <= max(row["lon_a_deg"], row["lon_b_deg"])
    assert min(row["lat_a_deg"], row["lat_b_deg"]) <= lat <= max(row["lat_a_deg"], row["lat_b_deg"])


def test_link_table_of_the_tiny_plan_and_its_layer():
    plan = build_tiny_plan()
    table = link_table(plan)
    assert list(table.columns) == list(LINK_TABLE_COLUMNS)
    assert list(table["link"]) == ["POP-S1", "POP-R1", "R1-S2", "S1-R1"]
    # no channel plan in the hand-built plan: channel -1, the scenario's frequency, margin_db
    assert (table["channel"] == -1).all() and (table["f_mhz"] == 5800.0).all()
    assert list(table["fade_margin_db"]) == list(plan.links["margin_db"])
    back = (table["azimuth_a_to_b_true_deg"] + 180.0) % 360.0
    assert np.allclose(back, table["azimuth_b_to_a_true_deg"], atol=0.05)
    assert np.allclose(
        table["elevation_angle_a_to_b_deg"], -table["elevation_angle_b_to_a_deg"], atol=0.02
    )
    layer = link_layer(plan)
    assert layer.crs == plan.links.crs and len(layer) == 4
    assert layer.geometry.length.round(1).tolist() == table["distance_m"].tolist()


def test_links_csv_is_written_and_described_in_the_manifest(tmp_path):
    plan = build_tiny_plan()
    paths = export.write_outputs(plan, tmp_path, formats=["links_csv", "manifest"])
    csv = pd.read_csv(paths["links_csv"])
    assert list(csv.columns) == list(LINK_TABLE_COLUMNS) and len(csv) == 4
    m = json.loads(paths["manifest"].read_text(encoding="utf-8"))
    record = m["outputs"]["links_csv"]
    assert "first Fresnel zone" in record["units"]["worst_clearance_fresnel_fraction"]
    assert "true north" in record["units"]["azimuth_*_true_deg"]
