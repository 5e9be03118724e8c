"""The coverage matrix by block and kept sparse (issue 20): the same levels and covers."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from coverage import pipeline
from coverage.errors import InputError, ScenarioError
from coverage.pipeline.broadband import service_covers
from coverage.pipeline.optionrows import OptionLevels
from coverage.pipeline.sparsecov import SparseCoverage, service_covers_sparse
from coverage.scenario import load_scenario
from tests.territory import write_territory


@pytest.fixture(scope="module")
def run(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[pipeline.ResolvedScenario, pipeline.Inputs, object]:
    s = load_scenario(write_territory(tmp_path_factory.mktemp("territory")))
    resolved = pipeline.resolve(s)
    inputs = pipeline.prepare_inputs(resolved)
    return resolved, inputs, pipeline.build_candidates(resolved, inputs)


def test_any_block_size_gives_the_same_matrix_bit_for_bit(run: tuple) -> None:
    resolved, inputs, cands = run
    assert resolved.sector_antenna is not None and len(resolved.downtilts_deg) > 1  # tilts fit
    whole, heights = pipeline.coverage_matrix(resolved, inputs, cands, block_candidates=10_000)
    assert (~np.isfinite(whole)).any() and np.isfinite(whole).any()  # some pairs unreached
    for block in (1, 3, 4):
        rx, h = pipeline.coverage_matrix(resolved, inputs, cands, block_candidates=block)
        assert rx.dtype == np.float32
        assert np.array_equal(rx, whole, equal_nan=True), block
        assert np.array_equal(h, heights)
    with pytest.raises(ScenarioError, match="block_candidates"):
        pipeline.coverage_matrix(resolved, inputs, cands, block_candidates=0)


def test_sparse_coverage_densifies_to_the_matrix_above_its_floor(run: tuple) -> None:
    resolved, inputs, cands = run
    whole, _ = pipeline.coverage_matrix(resolved, inputs, cands)
    for floor in (resolved.threshold_dbm, resolved.threshold_dbm - 20.0):
        sp = pipeline.sparse_coverage(resolved, inputs, cands, floor_dbm=floor, block_candidates=3)
        above = np.where(np.nan_to_num(whole, nan=-np.inf) >= floor, whole, np.nan)
        assert sp.shape == whole.shape and sp.floor_dbm == floor
        assert np.array_equal(sp.to_dense(), above, equal_nan=True)
        assert sp.nnz == int(np.isfinite(above).sum())
        assert 0 < sp.density < 1
    default = pipeline.sparse_coverage(resolved, inputs, cands)
    assert default.floor_dbm == resolved.threshold_dbm


def test_option_levels_give_every_finite_level_from_a_sparse_matrix(run: tuple) -> None:
    """The service model's rows (SINR needs the levels below the floor too): the same as
    the dense matrix's, for options in any order, repeated, from one call or several."""
    resolved, inputs, cands = run
    whole, _ = pipeline.coverage_matrix(resolved, inputs, cands)
    sparse = pipeline.sparse_coverage(resolved, inputs, cands)
    levels = OptionLevels(resolved, inputs, cands, sparse)
    n = whole.shape[0]
    for options in ([n - 1, 0, 5], [5, 5, 2], [1], list(range(0, n, 7))):
        rows = levels[np.asarray(options)]
        assert rows.dtype == np.float32
        assert np.array_equal(rows, whole[options], equal_nan=True), options
    assert levels[np.zeros(0, dtype=np.int64)].shape == (0, whole.shape[1])
    dense = OptionLevels(resolved, inputs, cands, whole)
    assert np.array_equal(dense[np.asarray([3, 1])], whole[[3, 1]], equal_nan=True)


def test_a_level_of_zero_dbm_is_kept_and_blocks_concatenate_in_order() -> None:
    rx = np.array([[0.0, np.nan, -90.0], [-120.0, -50.0, np.nan]], dtype=np.float32)
    sp = SparseCoverage.from_dense(rx, -100.0)
    assert sp.nnz == 3 and sp.indices.tolist() == [0, 2, 1]
    joined = SparseCoverage.concatenate(
        [SparseCoverage.from_dense(rx[:1], -100.0), SparseCoverage.from_dense(rx[1:], -100.0)]
    )
    assert np.array_equal(joined.to_dense(), sp.to_dense(), equal_nan=True)
    assert np.array_equal(joined.indptr, sp.indptr)
    with pytest.raises(InputError, match="floor"):
        SparseCoverage.concatenate([sp, SparseCoverage.from_dense(rx, -90.0)])
    with pytest.raises(InputError, match="at least one"):
        SparseCoverage.concatenate([])


def test_the_sparse_covers_are_the_dense_covers(run: tuple) -> None:
    resolved, inputs, cands = run
    whole, _ = pipeline.coverage_matrix(resolved, inputs, cands)
    sp = pipeline.sparse_coverage(resolved, inputs, cands)
    args = (inputs.demand, resolved.technology, resolved.broadband)
    thr = resolved.threshold_dbm
    dense, light = (
        service_covers(whole, *args, min_rx_dbm=thr),
        service_covers_sparse(sp, *args, min_rx_dbm=thr),
    )
    for name in ("signal", "link", "covers"):
        a, b = getattr(dense, name), getattr(light, name)
        assert a.nnz > 0 and (a != b).nnz == 0, name
    assert np.array_equal(dense.traffic_mbps, light.traffic_mbps)
    with pytest.raises(InputError, match="threshold"):
        service_covers_sparse(sp, *args, min_rx_dbm=thr - 1.0)


def test_the_plan_from_the_sparse_coverage_is_the_dense_plan(run: tuple, tmp_path: Path) -> None:
    resolved, inputs, cands = run
    whole, _ = pipeline.coverage_matrix(resolved, inputs, cands)
    dense = pipeline.assemble_plan(
        resolved, inputs, cands, whole, pipeline.choose_sites(resolved, inputs, cands, whole)
    )
    sp = pipeline.sparse_coverage(resolved, inputs, cands)
    light = pipeline.assemble_plan(
        resolved, inputs, cands, sp, pipeline.choose_sites(resolved, inputs, cands, sp)
    )
    assert len(dense.sites) > 0
    assert dense.sites.equals(light.sites)
    assert dense.demand.drop(columns="geometry").equals(light.demand.drop(columns="geometry"))
    assert int(dense.demand["covered"].sum()) == int(light.demand["covered"].sum()) > 0
