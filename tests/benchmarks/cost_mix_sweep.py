"""Terrestrial-only against mixed (satellite) plans and the price cases on the default
Palmitas scenario, reusing one coverage matrix; and the 3-year rollout of the mixed plan.

Run: ``COVERAGE_DATA_MIRROR=../shared/data/palmitas .venv/bin/python
tests/benchmarks/cost_mix_sweep.py`` (prints one row per case; docs/benchmarks.md records
them). Not a test: it measures.
"""

import logging
import time

from coverage import pipeline
from coverage.outputs import rollout as ro
from coverage.outputs.report import summarize
from coverage.scenario import load_scenario

logging.basicConfig(level=logging.WARNING)
s = load_scenario()
run = pipeline.resolve(s)
inputs = pipeline.existing_service(run, pipeline.prepare_inputs(run))
cands = pipeline.build_candidates(run, inputs)
rx, _ = pipeline.coverage_matrix(run, inputs, cands)
rows = []
cases = [(b, sat, "central") for b in (1_000_000.0, 2_000_000.0) for sat in (False, True)]
cases += [(1_000_000.0, True, "low"), (1_000_000.0, True, "high")]
for b, sat, case in cases:
    r = pipeline.resolve(
        s.replace(placement={"budget_usd": b, "satellite": sat}, costs={"case": case})
    )
    t0 = time.perf_counter()
    pl = pipeline.choose_sites(r, inputs, cands, rx)
    plan = pipeline.assemble_plan(r, inputs, cands, rx, pl)
    sec = time.perf_counter() - t0
    sm = summarize(plan)
    t = sm["totals"]
    c = sm["cost"]
    rows.append(
        {
            "budget": b,
            "satellite": sat,
            "case": case,
            "s": round(sec, 1),
            "hh_existing": round(t["households_served_existing"], 1),
            "hh_new": round(t["households_served_new"], 1),
            "hh_sat": round(t["households_served_satellite"], 1),
            "hh_unserved": round(t["households_unserved"], 1),
            "terminals": c.get("satellite_terminals"),
            "tco": round(c["total_usd"]),
            "capex": round(c["capex_usd"]),
            "opex": round(c["opex_usd_per_year"]),
            "per_hh": round(c["per_household_connected_usd"] or 0),
            "gap": round(plan.metrics["gap"], 4),
            "status": plan.metrics["status"],
            "access": sm["sites"]["access"],
            "relay": sm["sites"]["relay"],
        }
    )
    if b == 1_000_000.0 and sat and case == "central":
        rr = ro.rollout(plan, b / 3, 3)
        rows[-1]["rollout"] = (
            rr.years[["year", "spend_usd", "people_connected", "share_of_one_shot"]]
            .round(3)
            .to_dict("records")
        )
    print(rows[-1], flush=True)
