"""Write the planner notebooks 02-06 from plain Python cells (outputs stripped by construction).

Run ``python notebooks/make_planner_notebooks.py`` after editing the cells below; the test
suite (tests/test_notebooks.py) executes every notebook in this folder. Each plans a light
version of the Palmitas scenario (90 m terrain, 360 m demand cells, 20 candidates, greedy
placement, a budget of 500,000 USD total cost of ownership, which buys three access sites at
central prices) so that it runs in seconds; drop the ``light`` overrides for a real run.
"""

from __future__ import annotations

from pathlib import Path

import nbformat

HERE = Path(__file__).parent

SETUP = """%matplotlib inline
import dataclasses as dc
import os
from pathlib import Path

import matplotlib.pyplot as plt

from coverage import pipeline
from coverage.outputs import charts, compare, export
from coverage.scenario import load_scenario

OUT = Path(os.environ.get("COVERAGE_NOTEBOOK_OUT", "maps/notebooks"))
scenario = load_scenario()  # data/palmitas/scenario.toml
# A light version that runs in seconds: coarser grids, fewer candidates, greedy placement.
light = scenario.replace(
    propagation={"resolution_m": 90.0},
    candidates={"max_candidates": 20, "min_spacing_m": 1000.0},
    demand={"resolution_m": 360.0},
    placement={"method": "greedy", "mast_heights_m": (18.0,), "budget_usd": 500000.0},
)"""

TECHNOLOGIES = [
    (
        "md",
        """# 02 · Comparing access technologies

The same area, candidates and budget planned with two access technologies (presets of
`coverage.radio.technology`: LTE band 28 small cells and TV white space). `compare.compare` puts
the two plans' figures side by side, `compare.compare_veredas` does it per vereda, and
`compare.difference_figure` maps where coverage is gained or lost.""",
    ),
    ("code", SETUP),
    (
        "code",
        """from coverage.radio.technology import PRESETS

print(", ".join(PRESETS))
lte = pipeline.plan_coverage(light.replace(name="lte-700"))
tvws = pipeline.plan_coverage(
    light.replace(name="tvws", technology={"preset": "tvws"})
)
compare.compare(lte, tvws).round(2)""",
    ),
    ("code", "compare.compare_veredas(lte, tvws)"),
    (
        "code",
        """fig = compare.difference_figure(lte, tvws, language="en")
OUT.mkdir(parents=True, exist_ok=True)
fig.savefig(OUT / "lte_vs_tvws.png")
display(fig)
plt.close(fig)
change, delta_db = compare.coverage_change(lte, tvws)
print({name: int((change == code).sum()) for name, code in
       (("lost", compare.CHANGE_LOST), ("gained", compare.CHANGE_GAINED),
        ("both", compare.CHANGE_BOTH))})""",
    ),
    ("md", "Each plan states the models that made it, which every output repeats:"),
    ("code", "tvws.models"),
]

BACKHAUL = [
    (
        "md",
        """# 03 · Designing the mesh backhaul

Every access site must reach the fibre point of presence through point-to-point links whose
first Fresnel zone is clear (ITU-R P.530). This notebook lists the chosen links with their
clearance and margin, the hops of each site to the PoP, and draws the profile of each link:
terrain plus earth bulge (k-factor), line of sight and first Fresnel zone.""",
    ),
    ("code", SETUP),
    (
        "code",
        """plan = pipeline.plan_coverage(light)
plan.links.drop(columns="geometry").round(2)""",
    ),
    (
        "code",
        """plan.sites[["site_id", "role", "mast_height_m", "reaches_pop", "hops_to_pop"]]""",
    ),
    (
        "code",
        """import networkx as nx

print(nx.shortest_path_length(plan.backhaul, source=plan.sites.loc[
    plan.sites["role"] == "pop", "site_id"].iloc[0]))
link = plan.links.iloc[0]
fig = charts.link_profile_figure(plan, link["site_a"], link["site_b"], language="en")
display(fig)
plt.close(fig)""",
    ),
    (
        "md",
        "The operator's files: a profile PNG per link, the KMZ for Google Earth, the site list.",
    ),
    (
        "code",
        """written = export.write_outputs(plan, OUT / "backhaul", formats=["profiles", "kmz", "sites_csv"])
sorted(written)""",
    ),
]

SWEEPS = [
    (
        "md",
        """# 04 · Budget sweep and sensitivity

A cost-coverage curve from a sweep of the number of access sites, then how the result moves
with the mast height, the k-factor of the atmosphere and an error in the DEM. The budget
sweep reuses one coverage matrix; each sensitivity case is a full (light) run.""",
    ),
    ("code", SETUP),
    (
        "code",
        """run = pipeline.resolve(light)
inputs = pipeline.prepare_inputs(run)
candidates = pipeline.build_candidates(run, inputs)
rx_dbm, _ = pipeline.coverage_matrix(run, inputs, candidates)


def with_sites(n):
    # the same data and coverage matrix, planned with another budget
    sized = pipeline.resolve(light.replace(name=f"{n} sites",
                                           placement={"budget_sites": n, "budget_usd": 0.0}))
    placement = pipeline.choose_sites(sized, inputs, candidates, rx_dbm)
    return pipeline.assemble_plan(sized, inputs, candidates, rx_dbm, placement)


budget = compare.sweep(with_sites, [1, 2, 3], parameter="sites")
fig = compare.cost_coverage_figure(budget, language="en")
display(fig)
plt.close(fig)
budget[["sites", "people_covered", "share_people_covered", "schools_covered", "cost_usd"]]""",
    ),
    (
        "md",
        """Sensitivity, one change at a time against the light plan: a 30 m mast instead of
18 m; k = 1.25 (sub-refractive air, the flattest earth ITM admits: its surface
refractivity must lie in 250-400 N-units) instead of ITM's own refractivity (N0 360 N-units
scaled by each path's elevation, about k = 4/3); and the DEM offset by a smooth random
error of 9 m standard deviation (about the SRTM 1″ absolute error, Rodríguez et al. 2006).""",
    ),
    (
        "code",
        """import numpy as np
from scipy import ndimage


def with_dem_error(sigma_m, seed=0):
    noisy = pipeline.prepare_inputs(run)
    field = ndimage.gaussian_filter(np.random.default_rng(seed).normal(size=noisy.terrain.shape), 3)
    field *= sigma_m / field.std()
    terrain = dc.replace(noisy.terrain, elevation_m=noisy.terrain.elevation_m + field)
    noisy = dc.replace(noisy, terrain=terrain)
    cands = pipeline.build_candidates(run, noisy)
    rx, _ = pipeline.coverage_matrix(run, noisy, cands)
    return pipeline.assemble_plan(run, noisy, cands, rx,
                                  pipeline.choose_sites(run, noisy, cands, rx))


cases = {
    "light": lambda: pipeline.plan_coverage(light),
    "mast 30 m": lambda: pipeline.plan_coverage(light.replace(placement={"mast_heights_m": (30.0,)})),
    "k = 1.25": lambda: pipeline.plan_coverage(light.replace(propagation={"k_factor": 1.25})),
    "DEM error 9 m": lambda: with_dem_error(9.0),
}
sensitivity = compare.sweep(lambda case: cases[case](), list(cases), parameter="case")
sensitivity[["case", "people_covered", "share_people_covered", "schools_covered", "cost_usd"]]""",
    ),
]


SERVICE = [
    (
        "md",
        """# 05 · What "served" means: terminal, reliability and busy-hour rate

A household counts as **served** when, from its best server by SINR, the downlink and the
uplink both carry the scenario's rates at the busy hour, at the stated location reliability,
and its site has room for its traffic (`[service]` in the scenario; `plan.models["service"]`
states the definition). The signal-only test of earlier versions (`signal_covered`: the
downlink power reaches the threshold) is kept beside it.

This notebook plans the default Palmitas scenario once and evaluates **that plan** under
other definitions: the terminal (a handset outdoors, a handset indoors behind the
building-entry loss of 3GPP TR 38.901, a rooftop CPE at 6 m), the location reliability
(50, 90, 95 %) and the rate an active household is to get at the busy hour. The sites stay
where they are; only what counts as served changes.""",
    ),
    ("code", SETUP),
    (
        "code",
        """import pandas as pd

base = pipeline.resolve(scenario)
raw = pipeline.prepare_inputs(base)
inputs = pipeline.existing_service(base, raw)
candidates = pipeline.build_candidates(base, inputs)
rx, _ = pipeline.coverage_matrix(base, inputs, candidates)
placement = pipeline.choose_sites(base, inputs, candidates, rx)
people = raw.demand["population"].sum()


def evaluate(**service):
    \"\"\"The fixed plan under another service definition: shares of people (0-1).\"\"\"
    run = pipeline.resolve(scenario.replace(service=service))
    case = pipeline.existing_service(run, raw)
    rx_case, _ = pipeline.coverage_matrix(run, case, candidates)
    d = pipeline.assemble_plan(run, case, candidates, rx_case, placement).demand
    share = lambda mask: d.loc[mask, "population"].sum() / people  # noqa: E731
    return {
        "served by the plan": share(d["covered"]),
        "signal only": share(d["signal_covered"]),
        "served already (existing cells)": share(d["served_existing"]),
        "over capacity": share(d["reason"] == "over_capacity"),
    }


print(scenario.service)""",
    ),
    (
        "md",
        """Terminal against reliability. Indoors, a handset loses about 12 dB entering a house
(TR 38.901 low-loss model at 780 MHz) plus 3 dB to its user's body; a rooftop CPE gains
its height and a 9 dBi antenna. A higher reliability asks ITM for the loss at more of the
locations (about z x 10 dB on this terrain).""",
    ),
    (
        "code",
        """rows = [
    {"terminal": t, "reliability %": r, **evaluate(terminal=t, location_pct=r)}
    for t in ("handset-indoor", "handset-outdoor", "rooftop-cpe")
    for r in (50.0, 90.0, 95.0)
]
by_terminal = pd.DataFrame(rows)
fig, axes = plt.subplots(1, 2, figsize=(10, 3.5), sharey=True)
for t, g in by_terminal.groupby("terminal", sort=False):
    axes[0].plot(g["reliability %"], g["signal only"], marker="o", label=t)
    axes[1].plot(g["reliability %"], g["served by the plan"], marker="o", label=t)
axes[0].set(title="Signal only", xlabel="location reliability (%)", ylabel="share of people")
axes[1].set(title="Served (rates, SINR, capacity)", xlabel="location reliability (%)")
axes[1].legend()
by_terminal.round(3)""",
    ),
    (
        "md",
        """The busy-hour rate per active household (uplink a fifth of it), and a reuse-3
frequency plan against one carrier for every site. The sites' capacity, not the signal,
bounds the share served once the rate grows.""",
    ),
    (
        "code",
        """rates = pd.DataFrame(
    [
        {"downlink Mbps": r, "carriers": n,
         **evaluate(household_downlink_mbps=r, household_uplink_mbps=r / 5, carriers=n)}
        for r in (1.0, 2.0, 5.0, 10.0)
        for n in (1, 3)
    ]
)
fig, ax = plt.subplots(figsize=(5, 3.5))
for n, g in rates.groupby("carriers"):
    ax.plot(g["downlink Mbps"], g["served by the plan"], marker="o", label=f"{n} carrier(s)")
ax.set(xscale="log", xlabel="busy-hour downlink per active household (Mbps)",
       ylabel="share of people served")
ax.legend()
rates.round(3)""",
    ),
]


COSTS = [
    (
        "md",
        """# 06 · What the plan costs, and what a budget buys

Every price is a cost item of `coverage.planning.costbook`: a low, a central and a high value,
each with its source, or the word ASSUMPTION where no public price was found (most are: replace
them with local quotes in `[costs.items]`). A plan's cost is its **total cost of ownership**
(TCO): the capital cost plus the operating costs of `[costs] years`, discounted at
`discount_rate`; the budget `[placement] budget_usd` is a TCO budget too, and the plan-wide
items (the point of presence, the cellular core) come out of it first.

This notebook (1) prices the light plan item by item and per vereda, (2) plans four budgets
under the low, central and high prices, reusing one coverage matrix, and draws the
cost-coverage band, and (3) plans the same budgets without satellite terminals, to compare a
terrestrial-only network with the mixed one (sites and satellite terminals).""",
    ),
    ("code", SETUP),
    (
        "code",
        """import functools

import matplotlib as mpl
import numpy as np
import pandas as pd
from IPython.display import display  # noqa: A004 (the notebook's display)

from coverage.outputs.labels import label
from coverage.outputs.report import summarize

run = pipeline.resolve(light)
inputs = pipeline.existing_service(run, pipeline.prepare_inputs(run))
candidates = pipeline.build_candidates(run, inputs)
rx_dbm, _ = pipeline.coverage_matrix(run, inputs, candidates)


@functools.cache
def plan_for(case, budget, satellite=True):
    # the same data and coverage matrix, planned under other prices, budget or mix
    sized = pipeline.resolve(light.replace(
        name=f"{case} prices, {budget:,.0f} USD" + ("" if satellite else ", no satellite"),
        costs={"case": case},
        placement={"budget_usd": budget, "satellite": satellite},
    ))
    placement = pipeline.choose_sites(sized, inputs, candidates, rx_dbm)
    return pipeline.assemble_plan(sized, inputs, candidates, rx_dbm, placement)


c = run.costs
print(f"TCO over {c.years} years at a {c.discount_rate:.0%} discount rate; plan-wide items "
      f"{c.fixed_cost_usd():,.0f} USD; a household by satellite {c.satellite_household_usd():,.0f} USD")""",
    ),
    (
        "md",
        """## 1. The light plan's cost, item by item

Central prices, the light budget. `assumption` marks the items whose price is an
ASSUMPTION (no public quote): the plan's cost is an estimate to compare scenarios, not a
budget to sign.""",
    ),
    (
        "code",
        """plan = plan_for("central", light.placement.budget_usd)
summary = summarize(plan)
cost = summary["cost"]
print(f"{plan.name}: {cost['total_usd']:,.0f} USD TCO = {cost['capex_usd']:,.0f} USD capex + "
      f"{cost['opex_usd_per_year']:,.0f} USD a year; {cost['satellite_terminals']} satellite "
      f"terminals; {cost['assumption_share']:.0%} of the cost rests on ASSUMED prices")
items = pd.DataFrame(cost["items"]).set_index("item")
print("ASSUMPTION:", ", ".join(items.index[items["assumption"]]))
items[["label", "quantity", "unit", "capex_usd", "opex_usd_per_year", "tco_usd", "assumption",
       "source"]].round(0)""",
    ),
    (
        "md",
        """Per vereda: an access site's cost is shared by the households it newly serves in each
vereda, a satellite terminal goes to its own vereda, and the shared rest (relays, links, the
PoP, the core, IP transit) by each vereda's share of the newly connected households.""",
    ),
    (
        "code",
        """veredas = pd.DataFrame(summary["subdivisions"]).set_index("vereda")
veredas[["households_total", "households_connected", "cost_usd", "satellite_usd",
         "per_household_connected_usd"]].round(0)""",
    ),
    (
        "md",
        """## 2. The cost-coverage band

Four budgets under each price case. The line is the central prices; the band spans, at each
budget, the lowest to the highest share over the three cases (low prices buy more sites for
the same budget). The share counts people with any service: existing cells, the plan's sites
or a satellite terminal.""",
    ),
    (
        "code",
        """budgets = [250_000.0, 500_000.0, 750_000.0, 1_000_000.0]
band = compare.sweep_cost_band(plan_for, budgets)
fig = compare.cost_band_figure(band, language="en")
OUT.mkdir(parents=True, exist_ok=True)
fig.savefig(OUT / "cost_band.png")
display(fig)
plt.close(fig)
band.pivot(index="budget_usd", columns="case", values="share_people_served")[
    ["low", "central", "high"]].round(3)""",
    ),
    (
        "code",
        """band[["case", "budget_usd", "sites_access", "sites_relay", "cost_usd", "cost_capex_usd",
      "cost_opex_usd_per_year", "share_people_covered", "share_people_served",
      "satellite_terminals", "schools_covered"]].round(3)""",
    ),
    (
        "md",
        """A curve need not rise with every budget step. The light scenario places sites with the
greedy heuristic, schools weigh `school_weight_people` in its objective, and households attach
to their best server, whose busy-hour capacity can run out: more sites can reach more people
with signal yet serve fewer. The people by reason show where:""",
    ),
    (
        "code",
        """reasons = pd.DataFrame({
    (case, b): plan_for(case, b).demand.groupby("reason")["population"].sum()
    for case in compare.PRICE_CASES for b in budgets
}).fillna(0.0)
reasons.round(0)""",
    ),
    (
        "md",
        """## 3. Terrestrial only against mixed

The same budgets at central prices without the satellite option. With it, the placement
weighs a terminal per household against sites, and what is left of the budget after the
network equips targeted households no site serves, the most people per terminal first. A
terminal counts in `households_served_satellite` only where neither an existing cell nor a
new site serves the household; `satellite_terminals` counts every terminal bought. With
`[existing] target = "everyone"` (the Palmitas scenario) households that existing cells
already serve are targeted too: where the right panel's bars differ, terminals went to such
households and connected no one new (`target = "unserved"` aims them at the unserved only).""",
    ),
    (
        "code",
        """terrestrial = compare.sweep(lambda b: plan_for("central", b, satellite=False), budgets,
                            parameter="budget_usd")
mixed = band[band["case"] == "central"]
columns = ["households_served", "households_served_satellite", "satellite_terminals",
           "sites_access", "share_people_served", "cost_usd"]
mix = pd.concat({"terrestrial": terrestrial.set_index("budget_usd")[columns],
                 "mixed": mixed.set_index("budget_usd")[columns]}, axis=1)
gain = mix["mixed", "households_served"] - mix["terrestrial", "households_served"]
print("mixed serves at least as many households at every budget:", bool((gain >= -1e-6).all()))
fig, (ax, bars) = plt.subplots(1, 2, figsize=(11, 4), layout="constrained")
ax.plot(budgets, mix["terrestrial", "households_served"], "o-", label="terrestrial only")
ax.plot(budgets, mix["mixed", "households_served"], "s--", label="mixed (sites and satellite)")
ax.set(xlabel=label("budget_tco", "en"), ylabel="households with any service", ylim=(0, None),
       xticks=budgets)
ax.legend()
x = np.arange(len(budgets))
bars.bar(x - 0.2, mix["mixed", "satellite_terminals"], 0.4, label="terminals bought")
bars.bar(x + 0.2, mix["mixed", "households_served_satellite"], 0.4,
         label="households they newly connect")
bars.set(xticks=x, xticklabels=[f"{b:,.0f}" for b in budgets], xlabel=label("budget_tco", "en"),
         title="mixed plans, central prices", ylim=(0, 1.4 * mix["mixed", "satellite_terminals"].max() + 1))
bars.legend(loc="upper right")
ax.xaxis.set_major_formatter(mpl.ticker.StrMethodFormatter("{x:,.0f}"))
display(fig)
plt.close(fig)
mix.round(3)""",
    ),
]


def build(cells: list[tuple[str, str]]) -> nbformat.NotebookNode:
    """A notebook of markdown and code cells, without outputs."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.cells = [
        nbformat.v4.new_markdown_cell(src) if kind == "md" else nbformat.v4.new_code_cell(src)
        for kind, src in cells
    ]
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{i:02d}"  # stable ids: the file does not change on rebuild
    return nb


if __name__ == "__main__":
    nbformat.write(build(TECHNOLOGIES), HERE / "02_compare_technologies.ipynb")
    nbformat.write(build(BACKHAUL), HERE / "03_mesh_backhaul.ipynb")
    nbformat.write(build(SWEEPS), HERE / "04_budget_sweep_sensitivity.ipynb")
    nbformat.write(build(SERVICE), HERE / "05_service_sensitivity.ipynb")
    nbformat.write(build(COSTS), HERE / "06_costs_and_mix.ipynb")
