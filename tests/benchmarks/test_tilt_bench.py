"""The default placement with the access omni's vertical pattern and downtilts (issue 17).

Run on demand (about 40 s per case)::

    .venv/bin/pytest tests/benchmarks/test_tilt_bench.py -s

The default Palmitas problem (:func:`coverage.pipeline.placement_problem`) with the
site antenna of each case: its peak gain (dBi; the ITU-R F.1336-5 beam follows it) and its
downtilts (one for every site, or fitted per option by
:func:`coverage.pipeline.access.fit_downtilts`), solved by ``plan_network`` with the
scenario's settings and the time limit raised to 40 s to see past the default 30 s. The peak
power matrix is computed once; the figures printed are the benchmark's output
(``docs/benchmarks.md``). The default case asserts the scenario's target gap: it held on the
main before issue 18 (8.44 % at the root node) and fails on the main that prices options at
TCO (13-14 % when the limit stops the root; 12.4 % after 300 s), the known limitation
``docs/benchmarks.md`` and README describe.
"""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from coverage import pipeline
from coverage.pipeline.access import fit_downtilts, peak_rx_dbm
from coverage.planning.backhaul.milp import plan_network
from coverage.scenario import load_scenario

pytestmark = pytest.mark.benchmark

BY_1 = tuple(float(t) for t in range(11))
BY_2 = tuple(float(t) for t in range(0, 11, 2))

#: (peak gain dBi or None for the preset's without a pattern, downtilts in degrees)
CASES = [
    (None, (0.0,)),
    (15.0, BY_1),
    (11.0, (3.0,)),
    (11.0, BY_1),
    (11.0, BY_2),
    (10.0, BY_1),
    (9.0, BY_1),
    (8.0, BY_1),
    (8.0, BY_2),
]


@pytest.fixture(scope="module")
def base(mirror: Path) -> dict[str, Any]:
    run = pipeline.resolve(load_scenario())
    inputs = pipeline.existing_service(run, pipeline.prepare_inputs(run, mirror=mirror))
    cands = pipeline.build_candidates(run, inputs)
    xy = np.column_stack([cands.geometry.x, cands.geometry.y])
    peak = peak_rx_dbm(run, inputs, xy)  # at the preset's peak gain
    weights = pipeline.demand_weights(run, inputs)
    return {"run": run, "inputs": inputs, "cands": cands, "xy": xy, "peak": peak, "w": weights}


@pytest.mark.parametrize(("gain_dbi", "tilts_deg"), CASES)
def test_default_placement_with_downtilts(
    base: dict[str, Any], gain_dbi: float | None, tilts_deg: tuple[float, ...]
) -> None:
    run, inputs = base["run"], base["inputs"]
    preset_gain = run.technology.tx_antenna_gain_dbi
    if gain_dbi is None:  # the preset before issue 17: 15 dBi, no vertical pattern
        case = dataclasses.replace(run, antenna=None)
        rx = base["peak"] + np.float32(15.0 - preset_gain)
        label = "15 dBi, no vertical pattern"
    else:
        tech = {"tx_antenna_gain_dbi": gain_dbi}
        if len(tilts_deg) == 1:
            tech["antenna_downtilt_deg"] = tilts_deg[0]
        case = pipeline.resolve(run.scenario.replace(technology=tech))
        case = dataclasses.replace(
            case, technology=dataclasses.replace(case.technology, downtilts_deg=tilts_deg)
        )
        peak = base["peak"] + np.float32(gain_dbi - preset_gain)
        rx, _ = fit_downtilts(case, inputs, base["xy"], peak, base["w"])
        step = f"by {tilts_deg[1] - tilts_deg[0]:g}" if len(tilts_deg) > 1 else "fixed"
        label = f"{gain_dbi:g} dBi F.1336, tilts {min(tilts_deg):g}-{max(tilts_deg):g} {step}"
    problem = pipeline.placement_problem(case, inputs, base["cands"], rx)
    t0 = time.perf_counter()
    res = plan_network(problem, dataclasses.replace(case.solve, time_limit_s=40.0))
    print(
        f"\n{label}: {problem.covers.nnz:,} service pairs, {time.perf_counter() - t0:.1f} s, "
        f"covered weight {res.covered_weight:.1f} / bound {res.upper_bound:.1f}, proven gap "
        f"{100 * res.gap:.2f} %, {res.status}, {res.message}"
    )
    if gain_dbi == preset_gain and tilts_deg == run.downtilts_deg:  # the default
        assert res.gap <= case.solve.mip_rel_gap
