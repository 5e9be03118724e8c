"""Write the planner notebooks 02-04 from plain Python cells (outputs stripped by construction).

Run ``python notebooks/make_planner_notebooks.py`` after editing the cells below; the test
suite (tests/test_notebooks.py) executes every notebook in this folder. Each plans a light
version of the Palmitas scenario (90 m terrain, 360 m demand cells, 20 candidates, greedy
placement) so that it runs in seconds; drop the ``light`` overrides for a real run.
"""

from __future__ import annotations

from pathlib import Path

import nbformat

HERE = Path(__file__).parent

SETUP = """import dataclasses as dc
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
    placement={"method": "greedy", "mast_heights_m": (18.0,), "budget_usd": 60000.0},
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
plt.close(fig)
budget[["sites", "people_covered", "share_people_covered", "schools_covered", "cost_usd"]]""",
    ),
    (
        "md",
        """Sensitivity, one change at a time against the light plan: a 30 m mast instead of
18 m; k = 1 (sub-refractive air) instead of 4/3; and the DEM offset by a smooth random
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
    "k = 1": lambda: pipeline.plan_coverage(light.replace(propagation={"k_factor": 1.0})),
    "DEM error 9 m": lambda: with_dem_error(9.0),
}
sensitivity = compare.sweep(lambda case: cases[case](), list(cases), parameter="case")
sensitivity[["case", "people_covered", "share_people_covered", "schools_covered", "cost_usd"]]""",
    ),
]


def build(cells: list[tuple[str, str]]) -> nbformat.NotebookNode:
    """A notebook of markdown and code cells, without outputs."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [
        nbformat.v4.new_markdown_cell(src) if kind == "md" else nbformat.v4.new_code_cell(src)
        for kind, src in cells
    ]
    return nb


if __name__ == "__main__":
    nbformat.write(build(TECHNOLOGIES), HERE / "02_compare_technologies.ipynb")
    nbformat.write(build(BACKHAUL), HERE / "03_mesh_backhaul.ipynb")
    nbformat.write(build(SWEEPS), HERE / "04_budget_sweep_sensitivity.ipynb")
