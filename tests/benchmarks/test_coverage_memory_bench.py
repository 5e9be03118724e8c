"""Memory and time of the coverage stage, dense by block and sparse (issue 20).

Run on demand (``tests/benchmarks`` is ignored by pytest's ``addopts``)::

    COVERAGE_DATA_MIRROR=../shared/data/palmitas \\
        .venv/bin/pytest tests/benchmarks/test_coverage_memory_bench.py -s -p no:cacheprovider

On the bundled Palmitas scenario: the coverage stage's time and its peak of traced memory
(:mod:`tracemalloc`, which numpy reports its buffers to: the Python-side allocations, not
numba's), for the dense matrix by block and for :func:`coverage.pipeline.sparse_coverage`;
the bytes and density of both structures; the peak of the placement's covers from each;
and checks that the sparse structure densifies back to the matrix at the threshold and gives
the same covers.
"""

from __future__ import annotations

import time
import tracemalloc
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from coverage import pipeline
from coverage.pipeline.broadband import service_covers
from coverage.pipeline.sparsecov import service_covers_sparse
from coverage.scenario import load_scenario

pytestmark = pytest.mark.benchmark


def _traced(f: Callable[[], Any]) -> tuple[Any, float, float]:
    """``f()``, its seconds and its peak of traced memory (MB)."""
    tracemalloc.start()
    t0 = time.perf_counter()
    out = f()
    seconds = time.perf_counter() - t0
    peak = tracemalloc.get_traced_memory()[1] / 1e6
    tracemalloc.stop()
    return out, seconds, peak


def test_palmitas_coverage_dense_by_block_and_sparse(mirror: Any) -> None:
    r = pipeline.resolve(load_scenario(None))
    inputs = pipeline.existing_service(r, pipeline.prepare_inputs(r, mirror=mirror))
    cands = pipeline.build_candidates(r, inputs)
    pipeline.coverage_matrix(r, inputs, cands.iloc[:2])  # compile the kernels first
    (rx, _), t_dense, p_dense = _traced(lambda: pipeline.coverage_matrix(r, inputs, cands))
    sp, t_sparse, p_sparse = _traced(lambda: pipeline.sparse_coverage(r, inputs, cands))
    args = (inputs.demand, r.technology, r.broadband)
    thr = r.threshold_dbm
    dense_cov, _, p_cov_dense = _traced(lambda: service_covers(rx, *args, min_rx_dbm=thr))
    sparse_cov, _, p_cov_sparse = _traced(lambda: service_covers_sparse(sp, *args, min_rx_dbm=thr))
    print(
        f"\nPalmitas: {rx.shape[0]} options x {rx.shape[1]} points; finite share "
        f"{np.isfinite(rx).mean():.3f}\n"
        f"dense by block: {t_dense:.2f} s, traced peak {p_dense:.1f} MB "
        f"({p_dense / (rx.nbytes / 1e6):.2f} x the {rx.nbytes / 1e6:.2f} MB matrix)\n"
        f"sparse: {t_sparse:.2f} s, traced peak {p_sparse:.1f} MB; {sp.nbytes / 1e6:.2f} MB, "
        f"density {sp.density:.4f} ({sp.nnz} pairs at >= {thr} dBm)\n"
        f"service covers: dense peak {p_cov_dense:.1f} MB, sparse peak {p_cov_sparse:.1f} MB"
    )
    above = np.where(np.nan_to_num(rx, nan=-np.inf) >= thr, rx, np.nan)
    assert np.array_equal(sp.to_dense(), above, equal_nan=True)
    for name in ("signal", "link", "covers"):
        assert (getattr(dense_cov, name) != getattr(sparse_cov, name)).nnz == 0, name
    assert sp.nbytes < rx.nbytes
