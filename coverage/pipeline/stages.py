"""Stages 2-4: candidate sites, the coverage matrix, and the placement with backhaul.

Each stage takes the :class:`~coverage.pipeline.resolve.ResolvedScenario` and the
:class:`~coverage.pipeline.prepare.Inputs` of stage 1, plus what the stages before it made.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
from numpy.typing import NDArray
from tqdm import tqdm

from coverage.errors import ScenarioError
from coverage.inputs.existing import targeted
from coverage.inputs.plazas import PLAZA_LAYER
from coverage.inputs.terrain import Terrain
from coverage.pipeline.access import fit_downtilts, peak_rx_dbm
from coverage.pipeline.broadband import service_covers
from coverage.pipeline.hotspots import hotspot_option
from coverage.pipeline.prepare import Inputs
from coverage.pipeline.resolve import ResolvedScenario
from coverage.pipeline.service import ServiceScore
from coverage.pipeline.sparsecov import SparseCoverage, service_covers_sparse
from coverage.planning.candidates import (
    combine_candidates,
    point_candidates,
    terrain_candidates,
)
from coverage.planning.costs import CostTable, option_costs_usd
from coverage.planning.covering import PlacementResult
from coverage.planning.hotspot import HotspotOption
from coverage.planning.problem import PlacementProblem
from coverage.planning.satellite import satellite_eligible, usd_per_person
from coverage.scenario import PlacementParams, Scenario

__all__ = [
    "Placement",
    "build_candidates",
    "choose_sites",
    "coverage_matrix",
    "demand_weights",
    "placement_problem",
    "pop_node",
    "sparse_coverage",
]

log = logging.getLogger(__name__)


def _xy(gdf: gpd.GeoDataFrame) -> NDArray[np.float64]:
    """(n, 2) point coordinates (m, working CRS) of a point GeoDataFrame."""
    return np.column_stack([gdf.geometry.x.to_numpy(), gdf.geometry.y.to_numpy()])


# --- 2. candidates --------------------------------------------------------------------------
def build_candidates(resolved: ResolvedScenario, inputs: Inputs) -> gpd.GeoDataFrame:
    """Candidate sites: terrain high points, schools (if asked) and the user's extra sites.

    Parameters
    ----------
    resolved
        The resolved scenario (its ``[candidates]`` section).
    inputs
        The run's data (terrain, area, schools).

    Returns
    -------
    gpd.GeoDataFrame
        One row per candidate, as :func:`coverage.planning.candidates.combine_candidates`
        returns them (ground elevation in m), indexed from 0.

    Raises
    ------
    ScenarioError
        A user site lies outside the terrain.
    """
    c = resolved.scenario.candidates
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
        pts = _user_sites(resolved.scenario, terrain)
        frames.append(point_candidates(pts, source="user", terrain=terrain))
    cands = combine_candidates(*frames).reset_index(drop=True)
    log.info("candidates: %d (%s)", len(cands), cands["source"].value_counts().to_dict())
    return cands


def _user_sites(scenario: Scenario, terrain: Terrain) -> gpd.GeoDataFrame:
    """The scenario's extra candidate sites in the working CRS; all must lie on the terrain."""
    extra = scenario.candidates.extra
    pts = gpd.GeoDataFrame(
        {"name": [p.name for p in extra]},
        geometry=gpd.points_from_xy([p.lon_deg for p in extra], [p.lat_deg for p in extra]),
        crs="EPSG:4326",
    ).to_crs(terrain.crs)
    outside = ~terrain.contains(pts.geometry.x.to_numpy(), pts.geometry.y.to_numpy())
    if outside.any():
        names = ", ".join(pts.loc[outside, "name"])
        msg = (
            f"[candidates] extra site(s) {names} lie outside the terrain (area plus "
            f"{scenario.area.margin_m:.0f} m); move them or raise margin_m."
        )
        raise ScenarioError(msg)
    return pts


# --- 3. coverage matrix ---------------------------------------------------------------------
#: Candidates computed at once: the temporaries (float64 powers, angles, the tilts' levels)
#: are a few times one block's (block x heights x points) matrix, not the whole matrix's.
BLOCK_CANDIDATES = 16


def coverage_matrix(
    resolved: ResolvedScenario,
    inputs: Inputs,
    candidates: gpd.GeoDataFrame,
    *,
    progress: bool = False,
    block_candidates: int = BLOCK_CANDIDATES,
) -> tuple[NDArray[np.float32], NDArray[np.float64]]:
    """Received power (dBm) from every candidate option to every demand point.

    Options follow :func:`coverage.planning.candidates.option_index`: option ``i * H + h`` is
    candidate ``i`` at mast height ``heights[h]``. The power includes the terminal clutter
    loss and, for a directional antenna, the pattern's attenuation towards each point, at the
    downtilt :func:`coverage.pipeline.access.fit_downtilts` fits to each option. Computed
    ``block_candidates`` candidates at a time into one float32 matrix (each option's levels
    depend on that option alone: any block size gives the same matrix, bit for bit).

    Parameters
    ----------
    resolved
        The resolved scenario: technology, antenna, propagation model, mast heights.
    inputs
        The run's data (terrain, demand points, clutter).
    candidates
        Candidate sites (:func:`build_candidates`).
    progress
        Show a progress bar over the blocks.
    block_candidates
        Candidates per block (>= 1).

    Returns
    -------
    rx_dbm, option_height_m
        (options, demand points) float32 received power (dBm), NaN beyond the technology's
        range; and the mast height of each option (m).
    """
    heights = resolved.scenario.placement.mast_heights_m
    rx = np.empty((len(candidates) * len(heights), len(inputs.demand)), dtype=np.float32)
    tilts = np.zeros(rx.shape[0])
    for rows, block, block_tilts in _blocks(
        resolved, inputs, candidates, block_candidates, progress
    ):
        rx[rows], tilts[rows] = block, block_tilts
    _log_tilts(resolved, tilts)
    return rx, np.tile(np.asarray(heights, dtype=np.float64), len(candidates))


def sparse_coverage(
    resolved: ResolvedScenario,
    inputs: Inputs,
    candidates: gpd.GeoDataFrame,
    *,
    floor_dbm: float | None = None,
    progress: bool = False,
    block_candidates: int = BLOCK_CANDIDATES,
) -> SparseCoverage:
    """:func:`coverage_matrix` kept sparse: the levels at or above ``floor_dbm``, by block.

    No dense matrix of all the options is ever held: each block of ``block_candidates``
    candidates is computed densely and cut to its pairs at the floor.

    Parameters
    ----------
    resolved
        The resolved scenario.
    inputs
        The run's data.
    candidates
        Candidate sites (:func:`build_candidates`).
    floor_dbm
        Least level kept (dBm); default the service threshold, all the placement's covers
        need (:mod:`coverage.pipeline.sparsecov` says why).
    progress
        Show a progress bar over the blocks.
    block_candidates
        Candidates per block (>= 1).

    Returns
    -------
    SparseCoverage
        (options, demand points) levels at or above the floor.
    """
    floor = resolved.threshold_dbm if floor_dbm is None else floor_dbm
    heights = resolved.scenario.placement.mast_heights_m
    parts = [SparseCoverage.from_dense(np.zeros((0, len(inputs.demand)), np.float32), floor)]
    tilts = np.zeros(len(candidates) * len(heights))
    for rows, block, block_tilts in _blocks(
        resolved, inputs, candidates, block_candidates, progress
    ):
        parts.append(SparseCoverage.from_dense(block, floor))
        tilts[rows] = block_tilts
    _log_tilts(resolved, tilts)
    return SparseCoverage.concatenate(parts)


def _blocks(
    resolved: ResolvedScenario,
    inputs: Inputs,
    candidates: gpd.GeoDataFrame,
    block_candidates: int,
    progress: bool,
) -> Iterator[tuple[slice, NDArray[np.float32], NDArray[np.float64]]]:
    """Each block's option rows, levels (dBm) and downtilts (degrees)."""
    if block_candidates < 1:
        msg = f"block_candidates must be at least 1, got {block_candidates}."
        raise ScenarioError(msg)
    n_h = len(resolved.scenario.placement.mast_heights_m)
    xy = _xy(candidates)
    weights = demand_weights(resolved, inputs) if resolved.sector_antenna is not None else None
    starts = range(0, len(xy), block_candidates)
    for i0 in tqdm(starts, unit="block", disable=not progress):
        part = xy[i0 : i0 + block_candidates]
        rx = peak_rx_dbm(resolved, inputs, part)
        tilts = np.zeros(rx.shape[0])
        if weights is not None:  # gain below the peak, each option at its tilt
            rx, tilts = fit_downtilts(resolved, inputs, part, rx, weights)
        yield slice(i0 * n_h, (i0 + len(part)) * n_h), rx, tilts


def _log_tilts(resolved: ResolvedScenario, tilts: NDArray[np.float64]) -> None:
    """Log how many options each fitted downtilt got, when there are several to fit."""
    if resolved.sector_antenna is not None and len(resolved.downtilts_deg) > 1:
        values, counts = np.unique(tilts, return_counts=True)
        fitted = ", ".join(f"{v:g} deg: {c}" for v, c in zip(values, counts, strict=True))
        log.info("downtilts fitted (options): %s", fitted)


# --- 4. placement with backhaul -------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class Placement:
    """What :func:`choose_sites` decided, with what it needs to explain it.

    Attributes
    ----------
    result
        The placement: chosen options, mast heights (m), relays, links, costs (USD), status.
    link_graph
        The candidate backhaul link graph the placement chose links from.
    pop_id
        Node id of the point of presence in the graphs.
    costs
        The cost table (USD) the placement priced sites and links with.
    hotspots
        The hotspot candidates it weighed (``result.details["hotspots"]`` indexes them), or
        None without the option.
    """

    result: PlacementResult
    link_graph: nx.Graph
    pop_id: str
    costs: CostTable
    hotspots: HotspotOption | None = None


def pop_node(scenario: Scenario, terrain: Terrain) -> gpd.GeoDataFrame:
    """The point of presence as one link-graph node, in the working CRS.

    Parameters
    ----------
    scenario
        The scenario (its ``[backhaul]`` PoP and mast height, the area's margin).
    terrain
        The run's terrain.

    Returns
    -------
    gpd.GeoDataFrame
        One row: ``candidate_id`` "PoP", ``name``, ``role`` "pop", ``mast_height_m`` (m) and
        ``ground_elevation_m`` (m).

    Raises
    ------
    ScenarioError
        The PoP lies outside the terrain.
    """
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


def demand_weights(resolved: ResolvedScenario, inputs: Inputs) -> NDArray[np.float64]:
    """Placement weight of each demand point: its people, plus the school weight for schools.

    With ``[existing] target = "unserved"`` a point an existing site serves weighs 0.

    Parameters
    ----------
    resolved
        The resolved scenario (``[placement] school_weight_people``).
    inputs
        The run's data (demand points; ``served_existing`` for the target "unserved").

    Returns
    -------
    NDArray[np.float64]
        One weight (people) per demand point.

    Raises
    ------
    InputError
        The target is "unserved" but the demand points lack ``served_existing``.
    """
    d = inputs.demand
    school = (d["kind"] == "school").to_numpy()
    weight = d["population"].to_numpy(dtype=np.float64) + np.where(
        school, resolved.scenario.placement.school_weight_people, 0.0
    )
    return np.where(targeted(d, resolved.scenario.existing.target), weight, 0.0)


def placement_problem(
    resolved: ResolvedScenario,
    inputs: Inputs,
    candidates: gpd.GeoDataFrame,
    rx_dbm: NDArray[np.float32] | SparseCoverage,
) -> PlacementProblem:
    """The placement problem of a run: what :func:`choose_sites` hands to the solver.

    An option covers a demand point where it would serve it under the ``[service]``
    definition (:func:`coverage.pipeline.broadband.service_covers`): the received power
    reaches the threshold, both link rates meet the point's targets on the SNR less the
    interference margin, and the option's capacity carries the point with those it holds
    first; each option's backhaul traffic is the busy-hour demand of its covers. The
    candidate backhaul link graph joins the candidates and the PoP; options and links are
    priced from the cost table, or by the site budget. With ``[hotspots] enabled`` (under
    ``budget_usd``) it carries a hotspot candidate per school
    (:func:`coverage.pipeline.hotspots.hotspot_option`).

    Parameters
    ----------
    resolved
        The resolved scenario: threshold (dBm), costs (USD), ``[placement]`` and
        ``[backhaul]``.
    inputs
        The run's data (terrain, demand points).
    candidates
        Candidate sites (:func:`build_candidates`).
    rx_dbm
        Received power (dBm) of every option at every demand point (:func:`coverage_matrix`),
        or its pairs at or above the threshold (:func:`sparse_coverage`): the same covers.

    Returns
    -------
    PlacementProblem
        Covers, weights (people), link graph (PoP node ``"PoP"``), option and link costs
        (USD), option traffic (Mbps), the budget or the target share with the schools to
        cover, and the hop limit.

    Raises
    ------
    ScenarioError
        The PoP lies outside the terrain.
    InputError
        ``[existing] target`` is "unserved" but the demand points lack ``served_existing``.
    """
    s = resolved.scenario
    p, b = s.placement, s.backhaul
    args = (inputs.demand, resolved.technology, resolved.broadband)
    service = (
        service_covers_sparse(rx_dbm, *args, min_rx_dbm=resolved.threshold_dbm)
        if isinstance(rx_dbm, SparseCoverage)
        else service_covers(rx_dbm, *args, min_rx_dbm=resolved.threshold_dbm)
    )
    log.info(
        "service covers: %d option-point pairs by signal, %d with both link rates, %d within "
        "capacity",
        service.signal.nnz,
        service.link.nnz,
        service.covers.nnz,
    )
    graph = _candidate_links(resolved, inputs.terrain, candidates)
    access, relay, link, budget = _placement_prices(
        p, candidates, resolved.costs, service.traffic_mbps
    )
    schools = (inputs.demand["kind"] == "school").to_numpy()
    names = inputs.demand["name"].where(schools, inputs.demand["demand_id"]).astype(str).tolist()
    aim = targeted(inputs.demand, s.existing.target)  # everyone, or those not served already
    return PlacementProblem(
        service.covers,
        demand_weights(resolved, inputs),
        graph=graph,
        candidate_ids=candidates["candidate_id"].astype(str).tolist(),
        heights_m=np.asarray(p.mast_heights_m, dtype=np.float64),
        access_cost_usd=access,
        relay_cost_usd=relay,
        link_cost_usd=link,
        pop="PoP",
        budget_usd=budget,
        target_share=p.target_share if p.objective == "cost" else None,
        must_cover=schools & aim if p.objective == "cost" else None,
        target_weights=np.where(aim, inputs.demand["population"].to_numpy(dtype=np.float64), 0.0),
        demand_names=names,
        k_coverage=p.k_coverage,
        hop_limit=b.max_hops,
        two_paths=b.two_paths,
        traffic_mbps=service.traffic_mbps,
        max_links_at_site=resolved.max_links_at_site,
        link_widths=resolved.link_widths,
        satellite_usd_per_person=_satellite_price(resolved, inputs.demand, aim),
        satellite_weights=np.where(
            satellite_eligible(inputs.demand, aim), inputs.demand["population"], 0.0
        ),
        hotspots=hotspot_option(resolved, inputs.demand, inputs.paths.get(PLAZA_LAYER)),
    )


def _satellite_price(
    resolved: ResolvedScenario, demand: gpd.GeoDataFrame, aim: NDArray[np.bool_]
) -> float | None:
    """USD per person connected by satellite over the plan's life, or None without the option."""
    if not resolved.scenario.placement.satellite_applies:
        return None
    eligible = satellite_eligible(demand, aim)
    return usd_per_person(
        resolved.costs.satellite_household_usd(),
        demand["households"].to_numpy(dtype=np.float64),
        demand["population"].to_numpy(dtype=np.float64),
        eligible,
    )


def choose_sites(
    resolved: ResolvedScenario,
    inputs: Inputs,
    candidates: gpd.GeoDataFrame,
    rx_dbm: NDArray[np.float32] | SparseCoverage,
) -> Placement:
    """Choose access sites, mast heights, relays and backhaul links (one MILP, or greedy).

    Solves :func:`placement_problem` with the scenario's solve settings, then repairs the
    plan towards the service model the outputs use (best server by SINR, each site's
    busy-hour capacity: :class:`~coverage.pipeline.service.ServiceScore`, weighted as the
    placement weighs people and schools; :func:`coverage.planning.capture.repair_capture`;
    method "milp" only).

    Parameters
    ----------
    resolved
        The resolved scenario: threshold (dBm), costs (USD), ``[placement]`` and
        ``[backhaul]``.
    inputs
        The run's data (terrain, demand points).
    candidates
        Candidate sites (:func:`build_candidates`).
    rx_dbm
        Received power (dBm) of every option at every demand point (:func:`coverage_matrix`),
        or its pairs at or above the threshold (:func:`sparse_coverage`): the same covers.

    Returns
    -------
    Placement
        The placement, its candidate link graph and its cost table.

    Raises
    ------
    InfeasibleError
        Explained in words (a school no candidate sees, no relay chain to the PoP).
    ScenarioError
        The PoP lies outside the terrain.
    """
    from coverage.pipeline.optionrows import OptionLevels  # it builds on this module
    from coverage.planning.backhaul.milp import plan_network

    problem = placement_problem(resolved, inputs, candidates, rx_dbm)
    score = ServiceScore(
        OptionLevels(resolved, inputs, candidates, rx_dbm), inputs.demand, resolved.technology, resolved.broadband,
        resolved.threshold_dbm, demand_weights(resolved, inputs),
    )  # fmt: skip
    repair = resolved.scenario.placement.capture_repair
    result = plan_network(problem, resolved.solve, served=score if repair else None)
    log.info(
        "placement: %d access sites, %d relays, %d links; %s, gap %.3f%%",
        len(result.chosen),
        len(result.relays),
        len(result.links),
        result.status,
        100 * result.gap,
    )
    return Placement(result, problem.graph, "PoP", resolved.costs, problem.hotspots)


def _candidate_links(
    resolved: ResolvedScenario, terrain: Terrain, candidates: gpd.GeoDataFrame
) -> nx.Graph:
    """The feasible backhaul links between the candidates and the PoP."""
    from coverage.planning.channels import link_capacity_mbps
    from coverage.planning.linkgraph import candidate_link_graph

    s = resolved.scenario
    heights = s.placement.mast_heights_m
    pop = pop_node(s, terrain)
    nodes = pd.concat([candidates.assign(role="candidate"), pop], ignore_index=True).pipe(
        gpd.GeoDataFrame, geometry="geometry", crs=candidates.crs
    )
    graph = candidate_link_graph(
        terrain, nodes, heights, resolved.links, link_budget=resolved.link_budget
    )
    widths = resolved.link_widths
    if widths is not None:  # each link's capacity at every width the MILP may give it
        lb = resolved.link_budget
        edges = list(graph.edges(data="length_m"))
        snr = lb.snr_db(np.array([d for _, _, d in edges], dtype=np.float64))
        caps = np.column_stack([
            link_capacity_mbps(snr, w, rate_table=lb.rate_table,
                               table_bandwidth_mhz=lb.bandwidth_mhz,
                               mac_efficiency=lb.mac_efficiency)
            for w in widths.widths_mhz
        ]) if edges else np.zeros((0, len(widths.widths_mhz)))  # fmt: skip
        for (a, b, _), row in zip(edges, caps, strict=True):
            graph.edges[a, b]["capacity_by_width_mbps"] = tuple(float(c) for c in row)
    return graph


def _placement_prices(
    p: PlacementParams,
    candidates: gpd.GeoDataFrame,
    costs: CostTable,
    traffic_mbps: NDArray[np.float64],
) -> tuple[NDArray[np.float64], NDArray[np.float64], float, float | None]:
    """Access and relay option costs, link cost and budget (USD) as the objective uses them.

    Options and links cost their total cost of ownership over the table's life, an access
    option with the IP transit of its busy-hour traffic; the budget is what remains of
    ``budget_usd`` after the plan-wide items (the PoP, a cellular core): none when it does
    not cover them, so that nothing is built (and the plan's assumptions say why). With a
    budget of sites, each access site costs 1 and relays and links are free; the cost
    objective has no budget.
    """
    heights = p.mast_heights_m
    access = option_costs_usd(candidates, costs, heights, access=True, traffic_mbps=traffic_mbps)
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
        fixed = costs.fixed_cost_usd()
        if p.budget_usd <= fixed:
            log.warning(
                "budget_usd %.0f USD does not cover the plan-wide items (%.0f USD): nothing "
                "can be built",
                p.budget_usd,
                fixed,
            )
        budget = max(p.budget_usd - fixed, 0.0)
    return access, relay, link, budget
