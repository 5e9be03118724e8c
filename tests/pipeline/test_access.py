"""The access antenna by default: an F.1336-5 omni whose downtilt is fitted per option."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from coverage import pipeline
from coverage.pipeline.access import fit_downtilts, peak_rx_dbm, site_downtilts_deg
from coverage.pipeline.broadband import service_covers
from coverage.radio.technology import PRESETS
from coverage.scenario import load_scenario
from tests.territory import write_territory


@pytest.fixture(scope="module")
def territory(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_territory(tmp_path_factory.mktemp("territory"))


@pytest.fixture(scope="module")
def inputs(territory: Path) -> pipeline.Inputs:
    return pipeline.prepare_inputs(pipeline.resolve(load_scenario(territory)))


def test_the_default_preset_has_a_vertical_pattern_and_tilts() -> None:
    preset = PRESETS["lte-b28-small-cell"]
    assert preset.vertical_pattern and len(preset.downtilts_deg) > 1
    run = pipeline.resolve(load_scenario())
    assert run.sector_antenna is not None and "F.1336" in run.sector_antenna.name
    assert run.antenna is not None and run.antenna.gain_dbi == preset.tx_antenna_gain_dbi
    assert run.downtilts_deg == preset.downtilts_deg


def test_a_scenario_downtilt_fixes_every_site(territory: Path, inputs: pipeline.Inputs) -> None:
    base = load_scenario(territory)
    fixed = pipeline.resolve(base.replace(technology={"antenna_downtilt_deg": 4.0}))
    assert fixed.downtilts_deg == (4.0,)
    assert fixed.antenna is not None and fixed.antenna.downtilt_deg == 4.0
    cands = pipeline.build_candidates(fixed, inputs).iloc[:4]
    xy = np.column_stack([cands.geometry.x, cands.geometry.y])
    weights = pipeline.demand_weights(fixed, inputs)
    _, tilts = fit_downtilts(fixed, inputs, xy, peak_rx_dbm(fixed, inputs, xy), weights)
    assert np.all(tilts == 4.0)
    # a gain override narrows the beam (F.1336-5: 107.6 x 10^(-G/10) degrees)
    wide = pipeline.resolve(base.replace(technology={"tx_antenna_gain_dbi": 6.0}))
    assert wide.antenna is not None and "27.0 deg" in wide.antenna.name


def test_each_option_takes_the_tilt_that_serves_the_most(
    territory: Path, inputs: pipeline.Inputs
) -> None:
    """On the synthetic hills: the fitted tilt's service weight is at least every fixed
    tilt's, option by option; the power is the peak power less the pattern at that tilt;
    several tilts are used; and the chosen sites get the same tilts again."""
    run = pipeline.resolve(load_scenario(territory))
    cands = pipeline.build_candidates(run, inputs).iloc[:12]
    xy = np.column_stack([cands.geometry.x, cands.geometry.y])
    weights = pipeline.demand_weights(run, inputs)
    peak = peak_rx_dbm(run, inputs, xy)
    rx, tilts = fit_downtilts(run, inputs, xy, peak, weights)
    assert set(tilts) <= set(run.downtilts_deg)
    ok = np.isfinite(peak)
    assert np.all(rx[ok] <= peak[ok] + 1e-4)  # the pattern never adds gain

    def served(r: np.ndarray) -> np.ndarray:
        c = service_covers(
            r, inputs.demand, run.technology, run.broadband, min_rx_dbm=run.threshold_dbm
        ).covers
        return np.asarray(c.astype(np.float64) @ weights).ravel()

    best = served(rx)
    for t in run.downtilts_deg:
        one = pipeline.resolve(run.scenario.replace(technology={"antenna_downtilt_deg": t}))
        assert one.downtilts_deg == (t,)
        rx_t, _ = fit_downtilts(one, inputs, xy, peak, weights)
        assert np.all(best >= served(rx_t) - 1e-9)
        same = tilts == t
        np.testing.assert_allclose(rx[same], rx_t[same], atol=1e-4)
    masts = run.scenario.placement.mast_heights_m
    pick, mast = np.array([1, 5, 10]), np.array([len(masts) - 1, 0, len(masts) - 1])
    again = site_downtilts_deg(run, inputs, xy[pick], np.asarray(masts)[mast], weights)
    np.testing.assert_array_equal(again, tilts[pick * len(masts) + mast])
    assert len(set(tilts)) > 1
    rx_matrix, _ = pipeline.coverage_matrix(run, inputs, cands)
    np.testing.assert_array_equal(rx_matrix, rx)


def test_the_plan_reports_each_sites_downtilt(territory: Path) -> None:
    """The sites table and CSV carry each access site's fitted tilt, which the coverage
    raster used; the assumptions name the antenna and the rule."""
    from coverage.outputs.export import sites_table

    plan = pipeline.plan_coverage(load_scenario(territory))
    run = pipeline.resolve(plan.scenario)
    access = plan.sites[plan.sites["role"] == "access"]
    assert len(access) > 0
    assert set(access["downtilt_deg"]) <= set(run.downtilts_deg)
    assert sites_table(plan)["downtilt_deg"].notna().sum() == len(access)
    assert any("F.1336-5" in a and "downtilt" in a for a in plan.assumptions)
