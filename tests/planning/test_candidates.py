"""Tests of coverage.planning.candidates: TPI peaks, point sites, merging, costs."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import Point, box

from coverage import synthetic
from coverage.errors import InputError
from coverage.planning.candidates import (
    CANDIDATE_COLUMNS,
    combine_candidates,
    option_index,
    point_candidates,
    terrain_candidates,
    topographic_position_index,
)
from coverage.planning.costs import CostTable, option_costs_usd

_SMALL_ANDES = synthetic.andes_like(80, 80)


def _area(terrain):
    return box(*terrain.bounds)


def test_tpi_of_a_cone_peak():
    # a cone 10 m high per cell of distance: the disc mean of radius r around the apex of a
    # cone z = -s*d is -s * 2r/3 (mean distance in a disc), so TPI = s * 2r/3
    n, cell = 81, 30.0
    yy, xx = np.mgrid[:n, :n]
    d = np.hypot(xx - 40, yy - 40) * cell
    t = synthetic.from_array(3000.0 - 0.5 * d, cell_size_m=cell)
    tpi = topographic_position_index(t, 300.0)
    assert tpi[40, 40] == pytest.approx(0.5 * 2 * 300.0 / 3, rel=0.05)
    assert tpi[40, 40] == tpi.max()


def test_ridge_candidates_sit_on_the_crest(ridge_terrain):
    cands = terrain_candidates(
        ridge_terrain, _area(ridge_terrain), min_spacing_m=300.0, buffer_m=0.0
    )
    assert list(cands.columns) == list(CANDIDATE_COLUMNS)
    assert len(cands) > 3
    xs, _ = ridge_terrain.cell_centers()
    crest_x = xs[len(xs) // 2 - 1 : len(xs) // 2 + 1]
    off_m = np.abs(cands.geometry.x.to_numpy()[:, None] - crest_x).min(axis=1)
    # the highest-TPI candidates line the crest; the rest lie on its convex shoulders
    # (the Gaussian ridge is convex within one width, 300 m, of the crest)
    assert (off_m[:4] == 0).all()
    assert (off_m <= 300.0).all()
    assert (cands["tpi_m"] > 0).all()
    assert cands["candidate_id"].is_unique
    assert (cands["source"] == "terrain").all()


@settings(max_examples=10, deadline=None)
@given(spacing=st.floats(100, 1500), limit=st.integers(1, 60))
def test_spacing_and_limit_hold(spacing, limit):
    cands = terrain_candidates(
        _SMALL_ANDES, _area(_SMALL_ANDES), min_spacing_m=spacing, max_candidates=limit
    )
    assert 1 <= len(cands) <= limit
    xy = np.column_stack([cands.geometry.x, cands.geometry.y])
    d = np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1))
    np.fill_diagonal(d, np.inf)
    assert d.min() >= spacing - 1e-6
    # TPI order
    assert (np.diff(cands["tpi_m"].to_numpy()) <= 1e-9).all()


def test_terrain_candidates_are_deterministic(andes_terrain):
    a = terrain_candidates(andes_terrain, _area(andes_terrain))
    b = terrain_candidates(andes_terrain, _area(andes_terrain))
    assert a.equals(b)


def test_point_and_combine_with_exclusions(flat_terrain):
    x0, y0, _, _ = flat_terrain.bounds
    schools = gpd.GeoDataFrame(
        {"name": ["Escuela A", "Escuela B"]},
        geometry=[Point(x0 + 300, y0 + 300), Point(x0 + 900, y0 + 900)],
        crs=flat_terrain.crs,
    )
    users = gpd.GeoDataFrame(geometry=[Point(x0 + 320, y0 + 300)], crs=flat_terrain.crs)
    s = point_candidates(schools, source="school", terrain=flat_terrain)
    u = point_candidates(users, source="user")
    assert s["grid_power"].all() and not u["grid_power"].any()
    assert s["ground_elevation_m"].tolist() == [1500.0, 1500.0]
    ex = gpd.GeoDataFrame(
        geometry=[box(x0 + 800, y0 + 800, x0 + 1000, y0 + 1000)], crs=flat_terrain.crs
    )
    both = combine_candidates(s, u, exclusions=ex, min_spacing_m=100.0)
    # school B excluded; school A within 100 m of the user site, which has priority
    assert both["candidate_id"].tolist() == ["U000"]
    with pytest.raises(InputError, match="duplicate"):
        combine_candidates(s, s)
    with pytest.raises(InputError, match="source"):
        point_candidates(schools, source="tower")


def test_option_costs_follow_the_cost_table():
    costs = CostTable()
    cands = gpd.GeoDataFrame(
        {"grid_power": [True, False]}, geometry=shapely.points([[0, 0], [1, 1]])
    )
    oc = option_costs_usd(cands, costs)
    idx = option_index(2, costs.heights_m)
    assert oc.shape == (8,) and len(idx) == 8
    assert oc[5] == costs.site_cost_usd(idx["height_m"][5], grid_power=False)
    assert idx["candidate"][5] == 1
    traffic = np.arange(8.0)
    with_transit = option_costs_usd(cands, costs, traffic_mbps=traffic)
    assert with_transit == pytest.approx(oc + costs.transit_usd_per_mbps() * traffic)


def test_palmitas_terrain_candidates(mirror):
    from coverage.inputs.dem import load_terrain

    area = gpd.read_file(mirror / "palmitas_corregimiento.geojson").to_crs("EPSG:9377")
    poly = area.geometry.iloc[0]
    terrain = load_terrain(
        mirror / "dem" / "medellin_dem_srtm1.tif", poly, "EPSG:9377", margin_m=3000
    )
    cands = terrain_candidates(terrain, poly, min_spacing_m=350.0, max_candidates=400)
    assert len(cands) >= 300
    # ridge sites stand above their surroundings and inside the buffered area
    assert (cands["tpi_m"] > 0).all()
    assert cands.geometry.within(poly.buffer(1000.0 + 1.0)).all()
    assert cands["ground_elevation_m"].between(1200, 3200).all()
