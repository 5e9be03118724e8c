"""Write the quickstart notebook from plain Python cells (outputs stripped by construction).

Run ``python notebooks/make_notebooks.py`` after editing the cells below; the test suite
executes the notebook it writes.
"""

from __future__ import annotations

from pathlib import Path

import nbformat

HERE = Path(__file__).parent

QUICKSTART = [
    (
        "md",
        """# San Sebastián de Palmitas: a first coverage plan, step by step

This notebook runs the same stages as `coverage-plan run` through the Python API, on the real
Palmitas data (SRTM terrain, vereda boundaries, schools, 2,112 address points as dwellings, the
city's 2026 households per vereda and its 2025 population update).
The input files are found in the mirror folder named by `COVERAGE_DATA_MIRROR`.

To keep it quick, it plans a **lighter** version of the default scenario (fewer candidate
sites, one mast height; the demand is the same 2,112 dwelling points). Run `coverage-plan run`
for the full plan.""",
    ),
    (
        "code",
        """%matplotlib inline
import os
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from coverage import pipeline
from coverage.scenario import load_scenario

scenario = load_scenario()  # data/palmitas/scenario.toml
light = scenario.replace(
    candidates={"max_candidates": 40, "min_spacing_m": 800.0},
    demand={"resolution_m": 360.0},
    placement={"mast_heights_m": (18.0,), "time_limit_s": 20.0, "budget_usd": 500000.0},
)
print(light.name, light.area.crs, light.technology.preset, light.propagation.model)""",
    ),
    (
        "md",
        """## 1. The scenario resolved, then the inputs validated and loaded into the working CRS (EPSG:9377)

`pipeline.resolve` builds the technology, antenna, propagation model and cost table once (and
reports any scenario mistake before data is read); every later stage takes it.""",
    ),
    (
        "code",
        """run = pipeline.resolve(light)
print(run.technology.name, f"{run.threshold_dbm:g} dBm;", run.model.describe())
inputs = pipeline.prepare_inputs(run)
t = inputs.terrain
print(f"terrain {t.shape[1]} x {t.shape[0]} cells of {t.cell_size_m:g} m, "
      f"{t.elevation_m.min():.0f}-{t.elevation_m.max():.0f} m")
print(len(inputs.settlements.veredas), "veredas,", len(inputs.settlements.schools), "schools")
print(inputs.assumptions[0])
inputs.demand.groupby("vereda")[["households", "population"]].sum().round()""",
    ),
    ("md", "## 2. Candidate sites: terrain high points (topographic position) and schools"),
    (
        "code",
        """candidates = pipeline.build_candidates(run, inputs)
candidates[["candidate_id", "source", "name", "ground_elevation_m", "tpi_m"]].head()""",
    ),
    ("md", "## 3. Received power from every candidate to every demand point"),
    (
        "code",
        """rx_dbm, option_height_m = pipeline.coverage_matrix(run, inputs, candidates)
threshold = run.threshold_dbm
print(f"{rx_dbm.shape[0]} options x {rx_dbm.shape[1]} demand points; "
      f"{np.mean(rx_dbm >= threshold):.0%} of pairs above {threshold:g} dBm")""",
    ),
    ("md", "## 4. Sites, relays and backhaul chosen together (HiGHS MILP)"),
    (
        "code",
        """placement = pipeline.choose_sites(run, inputs, candidates, rx_dbm)
r = placement.result
print(f"{len(r.chosen)} access sites, {len(r.relays)} relays, {len(r.links)} links; "
      f"status {r.status}, gap {r.gap:.2%}, cost {r.cost_usd:,.0f} USD")""",
    ),
    ("md", "## 5. The plan: who is covered, who is not and why"),
    (
        "code",
        """plan = pipeline.assemble_plan(run, inputs, candidates, rx_dbm, placement)
print(f"{plan.people_covered:,.0f} of {plan.people_total:,.0f} people covered")
plan.demand.groupby("reason")["population"].sum().round()""",
    ),
    (
        "code",
        """plan.sites[["site_id", "role", "name", "mast_height_m", "people_covered", "hops_to_pop"]]""",
    ),
    (
        "md",
        "The printable map: coverage classes, sites and links, veredas, scale bar and north arrow.",
    ),
    (
        "code",
        """from coverage.outputs import charts

fig = charts.static_map_figure(plan, language="en")
display(fig)
plt.close(fig)""",
    ),
    ("md", "## 6. Outputs: map, GeoTIFF, GeoPackage, summaries"),
    (
        "code",
        """from coverage.outputs.export import write_outputs

out = Path(os.environ.get("COVERAGE_NOTEBOOK_OUT", "maps/quickstart"))
written = write_outputs(plan, out, formats=["map", "summary", "geotiff", "gpkg"])
sorted(p.name for p in written.values())""",
    ),
]


def build(cells: list[tuple[str, str]]) -> nbformat.NotebookNode:
    """A notebook with the given (kind, source) cells and no outputs."""
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
    nbformat.write(build(QUICKSTART), HERE / "01_palmitas_quickstart.ipynb")
