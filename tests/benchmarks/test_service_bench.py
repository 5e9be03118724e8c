"""The placement under the service definition on the real Palmitas data (issue 17).

Run on demand (minutes)::

    .venv/bin/pytest tests/benchmarks/test_service_bench.py -s

The default problem as :func:`coverage.pipeline.placement_problem` builds it (service covers:
signal, both link rates on the SNR less the interference margin, capacity-limited; option
traffic from the busy-hour demand; at most five links per site), solved by ``plan_network``
with each setting in turn, in one process; the figures printed are the benchmark's output
(``docs/benchmarks.md``). The signal-only covers of the same options are the reference.
"""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path

import numpy as np
import pytest
from scipy import sparse

from coverage import pipeline
from coverage.planning.backhaul.milp import plan_network
from coverage.planning.problem import PlacementProblem, SolveSettings
from coverage.scenario import load_scenario

pytestmark = pytest.mark.benchmark


@pytest.fixture(scope="module")
def problem(mirror: Path) -> tuple[PlacementProblem, np.ndarray]:
    run = pipeline.resolve(load_scenario())
    inputs = pipeline.existing_service(run, pipeline.prepare_inputs(run, mirror=mirror))
    cands = pipeline.build_candidates(run, inputs)
    rx, _ = pipeline.coverage_matrix(run, inputs, cands)
    return pipeline.placement_problem(run, inputs, cands, rx), rx


def _solve(p: PlacementProblem, gap: float, limit_s: float, label: str) -> float:
    t0 = time.perf_counter()
    res = plan_network(p, SolveSettings(mip_rel_gap=gap, time_limit_s=limit_s))
    took = time.perf_counter() - t0
    print(
        f"\n{label}: {took:.1f} s, covered weight {res.covered_weight:.1f} / bound "
        f"{res.upper_bound:.1f}, proven gap {100 * res.gap:.2f} %, {res.status}, "
        f"{len(res.chosen)} access sites, {len(res.links)} links"
    )
    return res.gap


def test_service_covers_reach_the_default_gap(problem) -> None:
    p, rx = problem
    signal = sparse.csr_array(np.nan_to_num(rx, nan=-np.inf) >= -94.0)
    print(f"\ncovers: {p.covers.nnz:,} service pairs of {signal.nnz:,} signal pairs")
    assert _solve(p, 0.10, 120.0, "service covers, 80 MHz, <= 5 links per site") <= 0.10
    _solve(dataclasses.replace(p, max_links_at_site=None), 0.10, 120.0, "no link limit")
    _solve(dataclasses.replace(p, covers=signal, traffic_mbps=None), 0.005, 60.0, "signal only")
