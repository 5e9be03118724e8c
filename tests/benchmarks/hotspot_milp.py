"""The hotspot option's cost in the placement MILP on the default Palmitas scenario: the
same placement problem (same budget, satellites on) solved without and with a hotspot
candidate at every school, 250 m walk, weight 0.5, priced from the cost items at TCO.

Run: ``COVERAGE_DATA_MIRROR=../shared/data/palmitas .venv/bin/python
tests/benchmarks/hotspot_milp.py`` (prints one row per case; docs/benchmarks.md records
them). Not a test: it measures the placement alone (``[hotspots]`` off in the first case,
whatever the scenario says).
"""

import dataclasses
import logging
import time

import numpy as np

from coverage import pipeline
from coverage.inputs.existing import targeted
from coverage.planning.costs import hotspot_usd
from coverage.planning.hotspot import school_hotspots
from coverage.planning.placement import plan_network
from coverage.planning.problem import SolveSettings
from coverage.scenario import load_scenario

logging.basicConfig(level=logging.WARNING)
s = load_scenario()
run = pipeline.resolve(s)
inputs = pipeline.existing_service(run, pipeline.prepare_inputs(run))
cands = pipeline.build_candidates(run, inputs)
rx, _ = pipeline.coverage_matrix(run, inputs, cands)
land = dataclasses.replace(pipeline.placement_problem(run, inputs, cands, rx), hotspots=None)
aim = targeted(inputs.demand, s.existing.target)
usd = hotspot_usd(run.costs)
hot = school_hotspots(inputs.demand, aim, usd_per_hotspot=usd)
p = s.placement
settings = SolveSettings(p.method, p.time_limit_s, p.mip_gap, p.max_nodes)
hh = inputs.demand["households"].to_numpy(dtype=np.float64)
print(
    f"hotspot TCO {usd:,.0f} USD; {hot.n} school candidates reach "
    f"{hh[np.asarray(hot.reach.sum(axis=0)).ravel() > 0].sum():.1f} households"
)
for name, prob in (
    ("terrestrial+satellite", land),
    ("+hotspots", dataclasses.replace(land, hotspots=hot)),
):
    t0 = time.perf_counter()
    r = plan_network(prob, settings)
    sec = time.perf_counter() - t0
    reached = hot.reached(list(r.details.get("hotspots", ())), r.covered)
    print(
        f"{name}: value {r.covered_weight:.1f}, gap {r.gap:.4f} ({r.status}), {sec:.1f} s, "
        f"cost {r.cost_usd:,.0f} USD, sites {len(r.chosen)}, relays {len(r.relays)}, "
        f"households terrestrial {hh[r.covered & aim].sum():.1f}, "
        f"hotspots {len(r.details.get('hotspots', ()))} reaching {hh[reached].sum():.1f} "
        f"households, satellite people {r.details['satellite_people']:.1f}"
    )
    every = hot.reached(list(range(hot.n)), r.covered)
    fed = int(r.covered[hot.host].sum())
    print(
        f"  every hotspot built: {fed} of {hot.n} hosts served, {hh[every].sum():.1f} households reached"
    )
