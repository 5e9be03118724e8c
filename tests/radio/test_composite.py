"""Coverage from many sites: received power, best server, overlap, streamed composite."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from coverage.errors import InputError
from coverage.radio.antenna import pattern_loss_grid, sector
from coverage.radio.composite import AccessBudget, best_server, received_power_dbm, serve_sites
from coverage.radio.grid_prediction import predict_grid
from coverage.radio.prediction import PredictionSettings

SETTINGS = PredictionSettings(f_mhz=700.0, rx_height_m=1.5)  # ITM
KW: dict[str, Any] = {"settings": SETTINGS, "radius_m": 2500.0}


def test_received_power_and_best_server():
    rx = received_power_dbm(
        50.0, np.array([100.0, np.nan, np.inf]), rx_antenna_gain_dbi=2.0, clutter_loss_db=3.0
    )
    assert rx[0] == pytest.approx(-51.0) and np.isnan(rx[1]) and rx[2] == -np.inf
    a = np.array([[-80.0, np.nan], [-100.0, -70.0]])
    b = np.array([[-90.0, -95.0], [-60.0, -70.0]])
    best, server, overlap = best_server([a, b], threshold_dbm=-92.0)
    np.testing.assert_array_equal(server, [[0, -1], [1, 0]])
    np.testing.assert_allclose(best, [[-80.0, np.nan], [-60.0, -70.0]])
    np.testing.assert_array_equal(overlap, [[2, 0], [1, 2]])
    best, server, overlap = best_server([a, b])
    assert server[0, 1] == 1 and overlap[0, 1] == 1


def test_serve_sites_equals_best_server_of_the_site_grids(andes_terrain):
    """Streaming composition gives exactly what best_server gives on all the grids at once,
    with clutter and a sector pattern folded in; memory holds the composite, not N grids."""
    xs, ys = andes_terrain.cell_centers()
    sites = np.array([(xs[40], ys[40]), (xs[120], ys[60]), (xs[80], ys[150])])
    heights = [20.0, 30.0, 12.0]
    clutter = np.zeros(andes_terrain.shape, dtype=np.float32)
    clutter[:, 100:] = 8.0
    ant = sector(15.0, azimuth_deg=135.0)
    budget = AccessBudget(eirp_dbm=55.0, threshold_dbm=-95.0, antenna=ant, clutter_db=clutter)
    comp = serve_sites(andes_terrain, sites, heights, budget=budget, progress=True, **KW)
    grids = []
    for (x, y), h in zip(sites, heights, strict=True):
        loss = predict_grid(andes_terrain, x, y, tx_height_m=h, **KW).loss_db
        g = received_power_dbm(55.0, loss) - clutter
        grids.append(g - pattern_loss_grid(ant, andes_terrain, x, y, h, SETTINGS.rx_height_m))
    strongest, _, _ = best_server(grids)
    _, server, overlap = best_server(grids, threshold_dbm=-95.0)
    np.testing.assert_allclose(comp.rx_dbm, strongest, rtol=0, atol=1e-4)
    np.testing.assert_array_equal(comp.server, server)
    np.testing.assert_array_equal(comp.overlap, overlap)
    assert (comp.server >= 0).sum() > 1000 and comp.overlap.max() >= 2
    # each site's own footprint: its cells at or above the threshold, overlaps kept
    assert comp.footprints is not None and comp.footprints.shape == (1, *andes_terrain.shape)
    own = np.unpackbits(comp.footprints, axis=0, count=3).astype(bool)
    for i, g in enumerate(grids):
        np.testing.assert_array_equal(own[i], np.nan_to_num(g, nan=-np.inf) >= -95.0)
        assert own[i][comp.server == i].all()  # a site's best-server cells are in its footprint
    np.testing.assert_array_equal(own.sum(axis=0), overlap)
    with pytest.raises(InputError, match="clutter_db has shape"):
        serve_sites(
            andes_terrain,
            sites,
            20.0,
            budget=AccessBudget(eirp_dbm=55.0, clutter_db=clutter[:5]),
            **KW,
        )


def test_access_budget_refuses_bad_values():
    with pytest.raises(InputError) as err:
        AccessBudget(
            eirp_dbm=float("nan"),
            threshold_dbm=float("inf"),
            clutter_db=np.zeros(3, np.float32),
            k_factor=0.0,
        )
    text = str(err.value)
    for words in (
        "eirp_dbm must be finite, got nan",
        "threshold_dbm must be finite, got inf",
        "clutter_db must be a grid of the terrain's shape, got 1-D",
        "k_factor must be > 0",
    ):
        assert words in text


def test_itm_warnings_count_each_cell_once(andes_terrain):
    """Three sites at one place flag the same cells: the composite's counts are those of one
    site, never more than the grid's cells (a sum over sites would triple them)."""
    xs, ys = andes_terrain.cell_centers()
    one = np.array([(xs[100], ys[100])])
    budget = AccessBudget(eirp_dbm=55.0)
    single = serve_sites(andes_terrain, one, 20.0, budget=budget, **KW).warnings
    triple = serve_sites(andes_terrain, np.repeat(one, 3, axis=0), 20.0, budget=budget, **KW)
    assert single, "the test needs ITM warnings (paths under 1 km near the site)"
    assert triple.warnings == single
    assert all(0 < n <= andes_terrain.shape[0] * andes_terrain.shape[1] for n in single.values())
