"""The planning pipeline: a scenario in, a :class:`~coverage.plan.Plan` and its files out.

Stages, each a function a notebook can call on its own (see
``notebooks/01_palmitas_quickstart.ipynb``):

1. :func:`~coverage.pipeline.prepare.prepare_inputs` (in :mod:`coverage.pipeline.prepare`, re-exported here):
   resolve the area's layers, validate every layer and the DEM *before any computation*, load
   the terrain in the working CRS and build the demand points.
2. :func:`build_candidates`: terrain high points, schools and user sites.
3. :func:`coverage_matrix`: received power from every candidate at every mast height to every
   demand point, with the scenario's propagation model and the technology's link budget.
4. :func:`choose_sites`: the placement (HiGHS MILP or greedy) with backhaul to the point of
   presence over the candidate link graph.
5. :func:`assemble_plan`: per-demand status (covered, or why not), the coverage raster from
   the chosen sites, the sites/links tables and the backhaul graph.

:func:`plan_coverage` runs 1-5; :func:`run_scenario` also writes the outputs.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import rasterio.features
from numpy.typing import NDArray
from scipy import sparse

from coverage.errors import ScenarioError
from coverage.inputs.terrain import Terrain
from coverage.pipeline.prepare import (
    Inputs,
    access_antenna,
    access_technology,
    cost_table,
    prepare_inputs,
    propagation_model,
)
from coverage.plan import Plan
from coverage.planning.candidates import (
    combine_candidates,
    point_candidates,
    terrain_candidates,
)
from coverage.planning.costs import CostTable, option_costs_usd
from coverage.planning.covering import PlacementResult
from coverage.radio.composite import received_power_dbm, serve_sites
from coverage.radio.linkbudget import pattern_loss_db
from coverage.radio.prediction import path_loss_options
from coverage.radio.technology import Technology
from coverage.radio.visibility import visibility_table
from coverage.scenario import Scenario, load_scenario

__all__ = [
    "Inputs",
    "access_technology",
    "assemble_plan",
    "build_candidates",
    "choose_sites",
    "coverage_matrix",
    "plan_coverage",
    "prepare_inputs",
    "propagation_model",
    "run_scenario",
]

log = logging.getLogger(__name__)

#: Width (m) of the band around the area in which the coverage raster is computed.
COVERAGE_BAND_M = 1000.0


@contextmanager
def _stage(name: str, timings: dict[str, float]) -> Iterator[None]:
    t0 = time.perf_counter()
    yield
    timings[name] = round(time.perf_counter() - t0, 3)
    log.info("stage %s: %.1f s", name, timings[name])


# --- 2. candidates --------------------------------------------------------------------------
def build_candidates(inputs: Inputs) -> gpd.GeoDataFrame:
    """Candidate sites: terrain high points, schools (if asked) and the user's extra sites."""
    c = inputs.scenario.candidates
    terrain = inputs.terrain
    frames = [
        terrain_candidates(
            terrain,
            inputs.area,
            min_spacing_m=c.min_spacing_m,
            tpi_radius_m=c.tpi_radius_m,
            max_candidates=c.max_candidates,
            buffer_m=c.outside_margin_m,
        )
    ]
    if c.include_schools:
        frames.append(
            point_candidates(inputs.settlements.schools, source="school", terrain=terrain)
        )
    if c.extra:
        pts = gpd.GeoDataFrame(
            {"name": [p.name for p in c.extra]},
            geometry=gpd.points_from_xy([p.lon_deg for p in c.extra], [p.lat_deg for p in c.extra]),
            crs="EPSG:4326",
        ).to_crs(terrain.crs)
        outside = ~terrain.contains(pts.geometry.x.to_numpy(), pts.geometry.y.to_numpy())
        if outside.any():
            names = ", ".join(pts.loc[outside, "name"])
            msg = (
                f"[candidates] extra site(s) {names} lie outside the terrain (area plus "
                f"{inputs.scenario.area.margin_m:.0f} m); move them or raise margin_m."
            )
            raise ScenarioError(msg)
        frames.append(point_candidates(pts, source="user", terrain=terrain))
    cands = combine_candidates(*frames).reset_index(drop=True)
    log.info("candidates: %d (%s)", len(cands), cands["source"].value_counts().to_dict())
    return cands


# --- 3. coverage matrix ---------------------------------------------------------------------
def _xy(gdf: gpd.GeoDataFrame) -> NDArray[np.float64]:
    return np.column_stack([gdf.geometry.x.to_numpy(), gdf.geometry.y.to_numpy()])


def coverage_matrix(
    inputs: Inputs,
    candidates: gpd.GeoDataFrame,
    technology: Technology,
    *,
    progress: bool = False,
) -> tuple[NDArray[np.float32], NDArray[np.float64]]:
    """Received power (dBm) from every candidate option to every demand point.

    Options follow :func:`coverage.planning.candidates.option_index`: option ``i * H + h`` is
    candidate ``i`` at mast height ``heights[h]``.

    Returns
    -------
    rx_dbm, option_height_m
        (options, demand points) float32, NaN beyond the technology's range; and the mast
        height of each option (m).
    """
    s = inputs.scenario
    heights = s.placement.mast_heights_m
    xy = _xy(candidates)
    targets = _xy(inputs.demand)
    loss = path_loss_options(
        inputs.terrain,
        xy,
        np.asarray(heights, dtype=np.float64),
        targets,
        rx_height_m=technology.terminal_height_m,
        f_mhz=technology.f_mhz,
        max_distance_m=technology.max_range_m,
        model=propagation_model(s),
        progress=progress,
    )
    rx = received_power_dbm(
        technology.eirp_dbm, loss, rx_antenna_gain_dbi=technology.rx_antenna_gain_dbi
    ).astype(np.float32)
    if inputs.clutter_db is not None:  # terminal clutter loss at each demand point's cell
        r, c = inputs.terrain.rowcol(targets[:, 0], targets[:, 1])
        rx -= inputs.clutter_db[r, c][None, :]
    antenna = access_antenna(s)
    if antenna is not None and not antenna.is_omni:  # gain below the peak, per direction
        for i, j in np.ndindex(len(xy), len(heights)):
            rx[i * len(heights) + j] -= pattern_loss_db(
                antenna, inputs.terrain, xy[i], heights[j], targets, technology.terminal_height_m,
                k_factor=s.propagation.k_factor,
            ).astype(np.float32)  # fmt: skip
    return rx, np.tile(np.asarray(heights, dtype=np.float64), len(candidates))


def _threshold_dbm(technology: Technology) -> float:
    return technology.rx_sensitivity_dbm + technology.fade_margin_db


# --- 4. placement with backhaul -------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class Placement:
    """What :func:`choose_sites` decided, with what it needs to explain it."""

    result: PlacementResult
    link_graph: nx.Graph
    pop_id: str
    costs: CostTable


def _pop_row(scenario: Scenario, terrain: Terrain) -> gpd.GeoDataFrame:
    b = scenario.backhaul
    pop = gpd.GeoDataFrame(
        {"candidate_id": ["PoP"], "name": [b.pop.name], "role": ["pop"]},
        geometry=gpd.points_from_xy([b.pop.lon_deg], [b.pop.lat_deg]),
        crs="EPSG:4326",
    ).to_crs(terrain.crs)
    x, y = pop.geometry.x.iloc[0], pop.geometry.y.iloc[0]
    if not terrain.contains(x, y):
        msg = (
            f"[backhaul] pop {b.pop.name!r} ({b.pop.lon_deg}, {b.pop.lat_deg}) lies outside the "
            f"terrain (the area plus {scenario.area.margin_m:.0f} m); move it or raise margin_m."
        )
        raise ScenarioError(msg)
    pop["mast_height_m"] = b.pop_mast_height_m
    pop["ground_elevation_m"] = float(terrain.sample(x, y))
    return pop


def demand_weights(inputs: Inputs) -> NDArray[np.float64]:
    """Placement weight of each demand point: its people, plus the school weight for schools."""
    d = inputs.demand
    school = (d["kind"] == "school").to_numpy()
    return d["population"].to_numpy(dtype=np.float64) + np.where(
        school, inputs.scenario.placement.school_weight_people, 0.0
    )


def choose_sites(
    inputs: Inputs,
    candidates: gpd.GeoDataFrame,
    rx_dbm: NDArray[np.float32],
    technology: Technology,
) -> Placement:
    """Choose access sites, mast heights, relays and backhaul links (one MILP, or greedy).

    Raises
    ------
    InfeasibleError
        Explained in words (a school no candidate sees, no relay chain to the PoP).
    """
    from coverage.planning.backhaul.milp import plan_network
    from coverage.planning.linkgraph import LinkSettings, candidate_link_graph
    from coverage.planning.problem import PlacementProblem, SolveSettings

    s = inputs.scenario
    p, b = s.placement, s.backhaul
    costs = cost_table(s)
    heights = p.mast_heights_m
    covers = sparse.csr_array(np.nan_to_num(rx_dbm, nan=-np.inf) >= _threshold_dbm(technology))
    pop = _pop_row(s, inputs.terrain)
    nodes = pd.concat([candidates.assign(role="candidate"), pop], ignore_index=True).pipe(
        gpd.GeoDataFrame, geometry="geometry", crs=candidates.crs
    )
    graph = candidate_link_graph(
        inputs.terrain,
        nodes,
        heights,
        LinkSettings(
            f_mhz=b.f_mhz,
            max_link_m=b.max_link_m,
            min_clearance_ratio=b.min_clearance_ratio,
            k_factor=s.propagation.k_factor,
            pop_height_m=b.pop_mast_height_m,
        ),
    )
    access = option_costs_usd(candidates, costs, heights, access=True)
    relay = option_costs_usd(candidates, costs, heights, access=False)
    link = costs.link_cost_usd()
    budget: float | None = None
    if p.objective == "coverage" and p.budget_sites > 0:
        # a budget of sites: each access site costs 1, relays and links are free
        access, relay, link, budget = (
            np.ones_like(access),
            np.zeros_like(relay),
            0.0,
            p.budget_sites,
        )
    elif p.objective == "coverage":
        budget = p.budget_usd
    schools = (inputs.demand["kind"] == "school").to_numpy()
    names = inputs.demand["name"].where(schools, inputs.demand["demand_id"]).astype(str).tolist()
    problem = PlacementProblem(
        covers,
        demand_weights(inputs),
        graph=graph,
        candidate_ids=candidates["candidate_id"].astype(str).tolist(),
        heights_m=np.asarray(heights, dtype=np.float64),
        access_cost_usd=access,
        relay_cost_usd=relay,
        link_cost_usd=link,
        pop="PoP",
        budget_usd=budget,
        target_share=p.target_share if p.objective == "cost" else None,
        must_cover=schools if p.objective == "cost" else None,
        demand_names=names,
        k_coverage=p.k_coverage,
        hop_limit=b.max_hops,
        two_paths=b.two_paths,
    )
    settings = SolveSettings(method=p.method, time_limit_s=p.time_limit_s, mip_rel_gap=p.mip_gap)
    result = plan_network(problem, settings)
    log.info(
        "placement: %d access sites, %d relays, %d links; %s, gap %.3f%%",
        len(result.chosen),
        len(result.relays),
        len(result.links),
        result.status,
        100 * result.gap,
    )
    return Placement(result, graph, "PoP", costs)


# --- 5. the plan --------------------------------------------------------------------------------
def _reasons(
    inputs: Inputs,
    technology: Technology,
    site_xy: NDArray[np.float64],
    site_h: NDArray[np.float64],
    served: NDArray[np.bool_],
    served_without_backhaul: NDArray[np.bool_],
) -> NDArray[np.object_]:
    """Why each demand point is or is not covered (:data:`coverage.plan.REASONS`)."""
    d = inputs.demand
    reason = np.full(len(d), "covered", dtype=object)
    todo = np.flatnonzero(~served)
    if todo.size == 0:
        return reason
    reason[todo] = "out_of_range"
    reason[todo[served_without_backhaul[todo]]] = "no_backhaul"
    rest = todo[~served_without_backhaul[todo]]
    if site_xy.shape[0] == 0 or rest.size == 0:
        return reason
    vis = visibility_table(
        inputs.terrain,
        site_xy,
        site_h,
        _xy(d.iloc[rest]),
        target_height_m=technology.terminal_height_m,
        max_distance_m=technology.max_range_m,
        f_mhz=technology.f_mhz,
        k_factor=inputs.scenario.propagation.k_factor,
    )
    in_range = np.zeros(rest.size, dtype=bool)
    seen = np.zeros(rest.size, dtype=bool)
    in_range[vis["target"].to_numpy()] = True
    seen[vis.loc[vis["los"], "target"].to_numpy()] = True
    reason[rest[in_range & ~seen]] = "blocked_by_terrain"
    reason[rest[in_range & seen]] = "weak_signal"
    return reason


def assemble_plan(
    inputs: Inputs,
    candidates: gpd.GeoDataFrame,
    rx_dbm: NDArray[np.float32],
    technology: Technology,
    placement: Placement,
    *,
    timings: dict[str, float] | None = None,
) -> Plan:
    """Turn a placement into a :class:`~coverage.plan.Plan`: demand status, rasters, tables."""
    from coverage.planning.linkgraph import graph_to_gdfs, hops_to_pop

    s = inputs.scenario
    res = placement.result
    costs = placement.costs
    thr = _threshold_dbm(technology)
    G: nx.Graph = res.graph if res.graph is not None else nx.Graph()
    G.graph["crs"] = inputs.terrain.crs.to_string()
    hops = hops_to_pop(G, placement.pop_id) if placement.pop_id in G else {}

    # demand status from the chosen options' received power
    chosen = np.asarray(res.chosen, dtype=np.int64)
    options = np.asarray(res.options, dtype=np.int64)
    ids = candidates["candidate_id"].astype(str).to_numpy()[chosen]
    reach = np.array([i in hops for i in ids], dtype=bool)
    rx = (
        rx_dbm[options].astype(np.float64)
        if options.size
        else np.full((0, len(inputs.demand)), np.nan)
    )
    serves = np.nan_to_num(rx, nan=-np.inf) >= thr
    rx_bh = np.where(serves & reach[:, None], rx, -np.inf)
    best = np.argmax(rx_bh, axis=0) if options.size else np.zeros(len(inputs.demand), int)
    served = serves[reach].any(axis=0) if options.size else np.zeros(len(inputs.demand), bool)
    demand = inputs.demand.copy()
    demand["covered"] = served
    demand["best_site"] = np.where(served, ids[best] if ids.size else "", "")
    strongest = np.where(np.isfinite(rx), rx, -np.inf).max(axis=0, initial=-np.inf)
    demand["rx_dbm"] = np.where(np.isfinite(strongest), strongest, np.nan)
    demand["n_servers"] = (serves & reach[:, None]).sum(axis=0) if options.size else 0
    site_xy = _xy(candidates.iloc[chosen]) if chosen.size else np.zeros((0, 2))
    demand["reason"] = _reasons(
        inputs,
        technology,
        site_xy,
        np.asarray(res.heights_m, dtype=np.float64),
        served,
        serves.any(axis=0) & ~served if options.size else np.zeros(len(demand), bool),
    )

    # coverage raster from the chosen access sites, over the area and a band around it (the
    # map's extent), not the whole margin
    near = rasterio.features.geometry_mask(
        [inputs.area.buffer(COVERAGE_BAND_M)],
        out_shape=inputs.terrain.shape,
        transform=inputs.terrain.transform,
        invert=True,
    )
    antenna = access_antenna(s)
    model = propagation_model(s)
    composite = serve_sites(
        inputs.terrain, site_xy, res.heights_m, eirp_dbm=technology.eirp_dbm,
        rx_height_m=technology.terminal_height_m, f_mhz=technology.f_mhz,
        radius_m=technology.max_range_m, threshold_dbm=thr, model=model,
        k_factor=s.propagation.k_factor, rx_antenna_gain_dbi=technology.rx_antenna_gain_dbi,
        antenna=antenna, clutter_db=inputs.clutter_db, mask=near,
    )  # fmt: skip
    rx_grid, server, warnings = composite.rx_dbm, composite.server, composite.warnings

    # sites and links with real costs and the people each serves
    sites, links = graph_to_gdfs(G, inputs.terrain.crs.to_string())
    grid_power = dict(
        zip(candidates["candidate_id"].astype(str), candidates["grid_power"], strict=True)
    )
    cost = []
    for r in sites.itertuples():
        if r.role == "pop":
            cost.append(0.0)
        else:
            cost.append(
                costs.site_cost_usd(
                    r.mast_height_m, grid_power=bool(grid_power.get(r.site_id, False)),
                    access=r.role == "access",
                )
            )  # fmt: skip
    sites["cost_usd"] = cost
    covered = demand[demand["covered"]]
    sites["people_covered"] = (
        sites["site_id"].map(covered.groupby("best_site")["population"].sum()).fillna(0.0)
    )
    sites["schools_covered"] = (
        sites["site_id"]
        .map(covered[covered["kind"] == "school"].groupby("best_site").size())
        .fillna(0)
        .astype(int)
    )
    sites["name"] = (
        sites["site_id"]
        .map(
            dict(
                zip(
                    candidates["candidate_id"].astype(str),
                    candidates["name"].astype(str),
                    strict=True,
                )
            )
        )
        .fillna(sites["name"])
    )
    links["cost_usd"] = costs.link_cost_usd()
    n_links = links.groupby("site_a").size().add(links.groupby("site_b").size(), fill_value=0)
    sites["equipment"] = [
        "fibre point of presence" if r.role == "pop" else
        (f"{technology.name} ({antenna.name if antenna else 'omni'})"
         if r.role == "access" else "relay")
        + f" + {int(n_links.get(r.site_id, 0))} x {s.backhaul.f_mhz:g} MHz point-to-point"
        for r in sites.itertuples()
    ]  # fmt: skip
    sector = antenna if antenna is not None and not antenna.is_omni else None
    azimuths = ";".join(f"{a:g}" for a in sector.azimuths_deg) if sector else "omni"
    sites["azimuths_deg"] = np.where(sites["role"] == "access", azimuths, "omni")
    # access sites ordered as the best-server raster indexes them
    order = {cid: i for i, cid in enumerate(ids)}
    sites = sites.assign(
        _o=sites["site_id"].map(order).fillna(len(order) + sites.index.to_series())
    )
    sites = sites.assign(_r=sites["role"].map({"access": 0, "relay": 1, "pop": 2})).sort_values(
        ["_r", "_o"]
    )
    sites = sites.drop(columns=["_o", "_r"]).reset_index(drop=True)

    assumptions = list(inputs.assumptions)
    assumptions.append(
        f"Covered means received power >= {thr:g} dBm (sensitivity {technology.rx_sensitivity_dbm:g} dBm "
        f"+ fade margin {technology.fade_margin_db:g} dB) at {technology.terminal_height_m:g} m above "
        f"ground, within {technology.max_range_m / 1000:g} km, from a site whose backhaul reaches the PoP."
    )
    assumptions.append(f"Point of presence: {s.backhaul.pop.name} - {s.backhaul.pop.source}")
    assumptions.append(
        "Coverage raster: path loss along radial profiles from each site (as SPLAT! does); a "
        "cell takes the path to the radial sample nearest its centre (at most half a cell "
        "off). Coverage counts of people use each demand point's own profile."
    )
    if sector:
        assumptions.append(
            f"Access antennas: {sector.name}, {sector.gain_dbi:g} dBi peak, {sector.sectors} "
            f"sector(s) per site at {azimuths.replace(';', ', ')} deg, downtilt "
            f"{sector.downtilt_deg:g} deg; a terminal takes the best sector, each sector "
            "radiating the full EIRP."
        )
    if warnings:
        assumptions.append(
            "ITM flagged cells outside its validated range (kept, not dropped): "
            + "; ".join(f"{w}: {n} cells" for w, n in sorted(warnings.items()))
        )
    models = {
        "propagation": model.describe(),
        "technology": f"{technology.name}: {technology.f_mhz:g} MHz, EIRP {technology.eirp_dbm:g} dBm ({technology.reference})",
        "visibility": "line of sight over bilinear SRTM profiles with earth bulge d1*d2/(2kR), "
        f"k = {s.propagation.k_factor:.3g}; first Fresnel zone clearance (ITU-R P.530)",
        "placement": f"{res.method} ({'HiGHS MILP' if res.method == 'milp' else 'greedy'}), status {res.status}",
        "backhaul": f"{s.backhaul.f_mhz:g} MHz point-to-point links with >= {s.backhaul.min_clearance_ratio:g} "
        f"first-Fresnel clearance, at most {s.backhaul.max_hops} hops to the PoP",
    }
    metrics = {
        "objective": res.objective,
        "covered_weight": res.covered_weight,
        "upper_bound": res.upper_bound,
        "gap": res.gap,
        "status": res.status,
        "method": res.method,
        "solve_time_s": res.solve_time_s,
        "plan_cost_usd": float(sites["cost_usd"].sum() + links["cost_usd"].sum()),
        "candidates": len(candidates),
        "demand_points": len(demand),
        "message": res.message,
        "details": res.details,
        "timings_s": dict(timings or {}),
        "inputs": {name: str(path) for name, path in inputs.paths.items()},
    }
    return Plan(
        name=s.name,
        crs=inputs.terrain.crs.to_string(),
        terrain=inputs.terrain,
        veredas=inputs.settlements.veredas,
        demand=demand,
        sites=sites,
        links=links,
        backhaul=G,
        coverage_dbm=np.asarray(rx_grid, dtype=np.float32),
        best_server=np.asarray(server, dtype=np.int16),
        models=models,
        assumptions=assumptions,
        scenario=s.to_dict(),
        metrics=metrics,
    )


# --- the whole run --------------------------------------------------------------------------
def plan_coverage(
    scenario: Scenario | str | os.PathLike[str] | None = None,
    *,
    mirror: str | os.PathLike[str] | None = None,
    progress: bool = False,
) -> Plan:
    """Run every stage of a scenario and return the :class:`~coverage.plan.Plan`.

    Parameters
    ----------
    scenario
        A :class:`~coverage.scenario.Scenario`, a scenario TOML path, or ``None`` for the
        bundled Palmitas scenario.
    mirror
        Mirror folder of the input data (default ``$COVERAGE_DATA_MIRROR``).
    progress
        Show progress bars for the long stages.
    """
    s = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    timings: dict[str, float] = {}
    with _stage("inputs", timings):
        technology = access_technology(s)  # scenario errors before any data is read
        cost_table(s)
        propagation_model(s)
        inputs = prepare_inputs(s, mirror=mirror)
    with _stage("candidates", timings):
        candidates = build_candidates(inputs)
    with _stage("coverage_matrix", timings):
        rx, _ = coverage_matrix(inputs, candidates, technology, progress=progress)
    with _stage("placement", timings):
        placement = choose_sites(inputs, candidates, rx, technology)
    with _stage("plan", timings):
        plan = assemble_plan(inputs, candidates, rx, technology, placement, timings=timings)
    return plan


def run_scenario(
    scenario: Scenario | str | os.PathLike[str] | None = None,
    *,
    out_dir: str | os.PathLike[str] | None = None,
    mirror: str | os.PathLike[str] | None = None,
    progress: bool = False,
    formats: list[str] | None = None,
) -> dict[str, Path]:
    """Plan a scenario and write its outputs; returns output name -> path."""
    from coverage.outputs.export import write_outputs

    s = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    t0 = time.perf_counter()
    plan = plan_coverage(s, mirror=mirror, progress=progress)
    folder = Path(out_dir if out_dir is not None else s.out_dir)
    outputs = write_outputs(plan, folder, language=s.language, formats=formats)
    log.info("plan %s written to %s in %.1f s", s.name, folder, time.perf_counter() - t0)
    return outputs
