"""Stage 5: a placement turned into a :class:`~coverage.plan.Plan`.

:func:`assemble_plan` builds, in this order: the status of every demand point (covered, by
which site, or why not; its ``service``: served by an existing site, by the plan, or not),
the coverage raster of the chosen access sites, the links and sites
tables with costs and the people each site serves, and the plan's assumptions, models and
metrics.
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import rasterio.features
from numpy.typing import NDArray

from coverage.inputs.voids import void_warning
from coverage.pipeline.access import site_downtilts_deg
from coverage.pipeline.broadband import (
    Broadband,
    evaluate_broadband,
    point_columns,
    site_columns,
)
from coverage.pipeline.costing import cost_assumptions, plan_costs
from coverage.pipeline.existing import (
    SERVICE_CLASSES,
    existing_model,
    existing_sites_table,
    target_assumption,
    with_service,
)
from coverage.pipeline.hotspots import built_hotspots, hotspot_assumptions, with_busy_hour_load
from coverage.pipeline.linkradio import link_radios
from coverage.pipeline.optionrows import OptionLevels
from coverage.pipeline.prepare import Inputs
from coverage.pipeline.resolve import ResolvedScenario
from coverage.pipeline.sparsecov import SparseCoverage
from coverage.pipeline.stages import Placement, _xy, demand_weights
from coverage.plan import Plan
from coverage.planning.covering import PlacementResult
from coverage.radio.antenna import f1336_omni_beamwidth_deg
from coverage.radio.clearance import visibility_table
from coverage.radio.composite import AccessBudget, Composite, serve_sites
from coverage.radio.regulation import regulation_assumptions

__all__ = ["COVERAGE_BAND_M", "assemble_plan", "itm_warning_lines"]

#: Width (m) of the band around the area in which the coverage raster is computed.
COVERAGE_BAND_M = 1000.0


def assemble_plan(
    resolved: ResolvedScenario,
    inputs: Inputs,
    candidates: gpd.GeoDataFrame,
    rx_dbm: NDArray[np.float32] | SparseCoverage,
    placement: Placement,
    *,
    timings: dict[str, float] | None = None,
) -> Plan:
    """Turn a placement into a :class:`~coverage.plan.Plan`: demand status, rasters, tables.

    Parameters
    ----------
    resolved
        The resolved scenario of the run.
    inputs
        The run's data.
    candidates
        Candidate sites (:func:`~coverage.pipeline.stages.build_candidates`).
    rx_dbm
        Received power (dBm) of every option at every demand point
        (:func:`~coverage.pipeline.stages.coverage_matrix`), or its sparse pairs
        (:func:`~coverage.pipeline.stages.sparse_coverage`): the chosen options' levels
        below its floor are then computed again (the plan's SINR needs them all).
    placement
        The placement (:func:`~coverage.pipeline.stages.choose_sites`).
    timings
        Seconds per stage, recorded in the plan's metrics.

    Returns
    -------
    Plan
        The plan: demand status, sites and links with costs (USD), the coverage raster
        (dBm) and best-server raster, models, assumptions and metrics.
    """
    from coverage.planning.linkgraph import graph_to_gdfs, hops_to_pop

    s = resolved.scenario
    res = placement.result
    G: nx.Graph = res.graph if res.graph is not None else nx.Graph()
    G.graph["crs"] = inputs.terrain.crs.to_string()
    hops = hops_to_pop(G, placement.pop_id) if placement.pop_id in G else {}
    chosen = np.asarray(res.chosen, dtype=np.int64)
    ids = candidates["candidate_id"].astype(str).to_numpy()[chosen]
    site_xy = _xy(candidates.iloc[chosen]) if chosen.size else np.zeros((0, 2))
    reach = np.array([i in hops for i in ids], dtype=bool)  # access sites reaching the PoP
    rx_chosen = OptionLevels(resolved, inputs, candidates, rx_dbm)[res.options]
    status, bb = _demand_status(resolved, inputs, rx_chosen, res, ids, reach, site_xy)
    demand = with_service(status)
    tilts = site_downtilts_deg(
        resolved, inputs, site_xy, np.asarray(res.heights_m), demand_weights(resolved, inputs)
    )
    composite = _coverage_raster(resolved, inputs, site_xy, res.heights_m, tilts)
    rx_grid, server, warnings = composite.rx_dbm, composite.server, composite.warnings
    sites, links = graph_to_gdfs(G, inputs.terrain.crs.to_string())
    sites = _sites_table(resolved, candidates, demand, sites, links, ids)
    sites = _with_loads(sites, site_columns(bb, demand["population"]), ids[reach])
    if resolved.sector_antenna is not None:  # each access antenna's fitted downtilt
        sites["downtilt_deg"] = sites["site_id"].map(dict(zip(ids, tilts, strict=True)))
    links, link_warnings = _with_link_radios(resolved, placement, G, sites, links)
    hot = built_hotspots(placement.hotspots, tuple(res.details.get("hotspots", ())), demand)
    hot = with_busy_hour_load(hot, resolved.busy_hour)
    if placement.hotspots is not None:  # the option applied: who each hotspot serves
        demand = demand.assign(hotspot=hot.point_hotspot)
    priced = plan_costs(
        resolved, candidates, demand, sites, links, hot.table if "hotspot" in demand else None
    )
    sites, links = priced.sites, priced.links
    demand = with_service(demand.assign(satellite_terminals=priced.terminals))
    assumptions = [
        *_plan_assumptions(resolved, inputs),
        *itm_warning_lines(warnings, int(rx_grid.size)),
        target_assumption(resolved),
        *cost_assumptions(resolved),
        *hotspot_assumptions(resolved, hot),
        *hot.warnings,
        *_repair_lines(res),
    ]
    models = {
        **_plan_models(resolved, res),
        "demand": inputs.demand_model,
        "existing_service": existing_model(resolved, inputs),
        "service": _service_model(resolved),
    }
    metrics = _plan_metrics(res, inputs, candidates, demand, priced.lines, timings)
    metrics["people_by_service"] = {
        c: float(demand.loc[demand["service"] == c, "population"].sum()) for c in SERVICE_CLASSES
    }
    if priced.hotspots is not None:
        metrics["hotspots_built"] = len(priced.hotspots)
    if "placement_repair" in res.details:
        metrics["placement_repair"] = res.details["placement_repair"]
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
        scenario=s,
        metrics=metrics,
        warnings=(*_plan_warnings(inputs, res), *link_warnings, *hot.overloads),
        existing_sites=existing_sites_table(inputs, demand),
        costs=priced.lines,
        threshold_dbm=resolved.threshold_dbm,
        hotspots=priced.hotspots,
        footprints=composite.footprints,
    )


# --- demand status ------------------------------------------------------------------------------
def _demand_status(
    resolved: ResolvedScenario,
    inputs: Inputs,
    rx_chosen_dbm: NDArray[np.float32],
    res: PlacementResult,
    ids: NDArray[np.str_],
    reach: NDArray[np.bool_],
    site_xy: NDArray[np.float64],
) -> tuple[gpd.GeoDataFrame, Broadband]:
    """The demand points with their service columns, and the broadband test behind them.

    ``covered``: served under the service definition by a chosen site whose backhaul
    reaches the PoP (:func:`~coverage.pipeline.broadband.evaluate_broadband`); ``best_site``
    (its server by SINR), ``signal_covered`` (the signal-only test: received power at the
    threshold from such a site), the SINR, uplink SNR and busy-hour rates
    (:func:`~coverage.pipeline.broadband.point_columns`), ``rx_dbm`` (strongest received
    power from any chosen site, dBm), ``n_servers`` and ``reason``
    (:data:`coverage.plan.REASONS`).
    """
    thr = resolved.threshold_dbm
    options = np.asarray(res.options, dtype=np.int64)
    rx = (
        rx_chosen_dbm.astype(np.float64)
        if options.size
        else np.full((0, len(inputs.demand)), np.nan)
    )
    serves = np.nan_to_num(rx, nan=-np.inf) >= thr
    signal = serves[reach].any(axis=0) if options.size else np.zeros(len(inputs.demand), bool)
    bb = evaluate_broadband(
        rx[reach], inputs.demand, resolved.technology, resolved.broadband, min_rx_dbm=thr
    )
    demand = inputs.demand.copy()
    for name, values in point_columns(bb, ids[reach]).items():
        demand[name] = values
    demand["signal_covered"] = signal
    strongest = np.where(np.isfinite(rx), rx, -np.inf).max(axis=0, initial=-np.inf)
    demand["rx_dbm"] = np.where(np.isfinite(strongest), strongest, np.nan)
    demand["n_servers"] = (serves & reach[:, None]).sum(axis=0) if options.size else 0
    reason = _uncovered_reasons(
        resolved,
        inputs,
        site_xy,
        np.asarray(res.heights_m, dtype=np.float64),
        signal,
        serves.any(axis=0) & ~signal if options.size else np.zeros(len(demand), bool),
    )
    verdict = np.asarray(bb.reason, dtype=object)
    reason[signal] = np.where(verdict[signal] != "", verdict[signal], "weak_signal")
    demand["reason"] = reason
    return demand, bb


def _uncovered_reasons(
    resolved: ResolvedScenario,
    inputs: Inputs,
    site_xy: NDArray[np.float64],
    site_h: NDArray[np.float64],
    served: NDArray[np.bool_],
    served_without_backhaul: NDArray[np.bool_],
) -> NDArray[np.object_]:
    """Why each demand point is or is not covered (:data:`coverage.plan.REASONS`).

    ``site_xy`` (m) and ``site_h`` (m) are the chosen access sites and their mast heights.
    """
    technology = resolved.technology
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
        settings=resolved.clearance,
    )
    in_range = np.zeros(rest.size, dtype=bool)
    seen = np.zeros(rest.size, dtype=bool)
    in_range[vis["target"].to_numpy()] = True
    seen[vis.loc[vis["los"], "target"].to_numpy()] = True
    reason[rest[in_range & ~seen]] = "blocked_by_terrain"
    reason[rest[in_range & seen]] = "weak_signal"
    return reason


# --- the coverage raster ------------------------------------------------------------------------
def _coverage_raster(
    resolved: ResolvedScenario,
    inputs: Inputs,
    site_xy: NDArray[np.float64],
    heights_m: NDArray[np.float64],
    downtilts_deg: NDArray[np.float64],
) -> Composite:
    """Received power (dBm) and best server of the chosen access sites on the terrain grid.

    Computed over the area and a band of :data:`COVERAGE_BAND_M` around it (the map's
    extent), not the whole margin; each site's antenna at its downtilt (degrees).
    """
    technology = resolved.technology
    near = rasterio.features.geometry_mask(
        [inputs.area.buffer(COVERAGE_BAND_M)],
        out_shape=inputs.terrain.shape,
        transform=inputs.terrain.transform,
        invert=True,
    )
    budget = AccessBudget(
        eirp_dbm=technology.eirp_dbm,
        rx_antenna_gain_dbi=resolved.terminal_gain_dbi,
        threshold_dbm=resolved.threshold_dbm,
        antenna=resolved.antenna,
        clutter_db=inputs.clutter_db,
        k_factor=resolved.scenario.propagation.geometry_k_factor,
        downtilts_deg=downtilts_deg,
    )
    composite = serve_sites(
        inputs.terrain,
        site_xy,
        heights_m,
        settings=resolved.prediction,
        budget=budget,
        radius_m=technology.max_range_m,
        mask=near,
    )
    return composite


# --- the sites and links tables -----------------------------------------------------------------
def _sites_table(
    resolved: ResolvedScenario,
    candidates: gpd.GeoDataFrame,
    demand: gpd.GeoDataFrame,
    sites: gpd.GeoDataFrame,
    links: gpd.GeoDataFrame,
    ids: NDArray[np.str_],
) -> gpd.GeoDataFrame:
    """The network's sites with people and schools served, names, equipment and sector
    azimuths (degrees); access sites first, in the best-server raster's order (``ids``).

    ``sites`` and ``links`` are the tables of the built network graph; their costs are
    :func:`~coverage.pipeline.costing.plan_costs`'.
    """
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
    names = dict(
        zip(candidates["candidate_id"].astype(str), candidates["name"].astype(str), strict=True)
    )
    sites["name"] = sites["site_id"].map(names).fillna(sites["name"])
    sites = _with_equipment(resolved, sites, links)
    return _in_server_order(sites, ids)


def _with_link_radios(
    resolved: ResolvedScenario,
    placement: Placement,
    G: nx.Graph,
    sites: gpd.GeoDataFrame,
    links: gpd.GeoDataFrame,
) -> tuple[gpd.GeoDataFrame, list[str]]:
    """The links with their busy-hour traffic, channel, capacity and rain availability."""
    access = sites[sites["role"] == "access"]
    carried = access.get("carried_downlink_mbps", 0.0) + access.get("carried_uplink_mbps", 0.0)
    site_mbps = dict(zip(access["site_id"].astype(str), np.nan_to_num(carried), strict=True))
    if resolved.channel_band is None:  # no channel plan outside 5725-5850 MHz
        return links, []
    planned = [  # the width the placement chose for each link
        G.edges[a, b].get("bandwidth_mhz", np.nan) if G.has_edge(a, b) else np.nan
        for a, b in zip(links["site_a"], links["site_b"], strict=True)
    ]
    return link_radios(
        links, G, placement.pop_id, site_mbps, resolved.link_budget,
        resolved.scenario.backhaul.rain_r001_mm_h, band=resolved.channel_band,
        planned_mhz=np.asarray(planned, dtype=np.float64),
    )  # fmt: skip


def _with_loads(
    sites: gpd.GeoDataFrame, loads: pd.DataFrame, reaching_ids: NDArray[np.str_]
) -> gpd.GeoDataFrame:
    """The sites table with each reaching access site's carrier, load and capacity."""
    loads = loads.set_axis(pd.Index(reaching_ids, name="site_id"))
    return sites.join(loads, on="site_id")


def _in_server_order(sites: gpd.GeoDataFrame, ids: NDArray[np.str_]) -> gpd.GeoDataFrame:
    """Access sites first, ordered as the best-server raster indexes them, then relays, PoP."""
    order = {cid: i for i, cid in enumerate(ids)}
    sites = sites.assign(
        _o=sites["site_id"].map(order).fillna(len(order) + sites.index.to_series())
    )
    sites = sites.assign(_r=sites["role"].map({"access": 0, "relay": 1, "pop": 2})).sort_values(
        ["_r", "_o"]
    )
    return sites.drop(columns=["_o", "_r"]).reset_index(drop=True)


def _with_equipment(
    resolved: ResolvedScenario, sites: gpd.GeoDataFrame, links: gpd.GeoDataFrame
) -> gpd.GeoDataFrame:
    """The sites with their equipment in words and their sector azimuths (degrees)."""
    antenna = resolved.antenna
    access = f"{resolved.technology.name} ({antenna.name if antenna else 'omni'})"
    f_mhz = resolved.scenario.backhaul.f_mhz
    n_links = links.groupby("site_a").size().add(links.groupby("site_b").size(), fill_value=0)
    equipment = []
    for r in sites.itertuples():
        if r.role == "pop":
            equipment.append("fibre point of presence")
        else:
            radio = access if r.role == "access" else "relay"
            n = int(n_links.get(r.site_id, 0))
            equipment.append(f"{radio} + {n} x {f_mhz:g} MHz point-to-point")
    sites["equipment"] = equipment
    sites["azimuths_deg"] = np.where(sites["role"] == "access", _azimuths(resolved), "omni")
    return sites


def _azimuths(resolved: ResolvedScenario) -> str:
    """The access sectors' azimuths (degrees) as ``"90;210;330"``, or ``"omni"``."""
    sector = resolved.sector_antenna
    if sector is None or not sector.horizontal_db.any():  # the same in every azimuth
        return "omni"
    return ";".join(f"{a:g}" for a in sector.azimuths_deg)


# --- assumptions, models, metrics ---------------------------------------------------------------
def _plan_assumptions(resolved: ResolvedScenario, inputs: Inputs) -> list[str]:
    """The inputs' assumptions plus the coverage criterion, PoP, the bands' regulation (and
    the operator partner a licensed band needs), raster method and antennas."""
    s = resolved.scenario
    technology = resolved.technology
    thr = resolved.threshold_dbm
    sector = resolved.sector_antenna
    assumptions = list(inputs.assumptions)
    assumptions.append(
        f"Signal reaches a point (signal_covered) when the received power is >= {thr:g} dBm "
        f"(sensitivity {technology.rx_sensitivity_dbm:g} dBm + {resolved.reliability.margin_db:.1f} dB "
        f"reliability margin beyond the model) at {technology.terminal_height_m:g} m above ground, "
        f"after the terminal's {resolved.terminal.loss_db(technology.f_mhz):.1f} dB body and "
        f"building-entry loss, within {technology.max_range_m / 1000:g} km, from a site whose "
        "backhaul reaches the PoP; served (covered) adds the rates, SINR and capacity of the "
        "service model."
    )
    assumptions.append(f"Point of presence: {s.backhaul.pop.name} - {s.backhaul.pop.source}")
    assumptions += regulation_assumptions(  # the bands' rules; a licensed one needs a partner
        s.technology.preset,
        s.backhaul.preset,
        access_f_mhz=technology.f_mhz,
        backhaul_f_mhz=s.backhaul.f_mhz,
    )
    assumptions.append(
        "Coverage raster: path loss along radial profiles from each site (as SPLAT! does); a "
        "cell takes the path to the radial sample nearest its centre (at most half a cell "
        "off). Coverage counts of people use each demand point's own profile."
    )
    tilts = resolved.downtilts_deg
    if sector and len(tilts) > 1:
        assumptions.append(
            f"Access antennas: omni, {sector.gain_dbi:g} dBi peak, the ITU-R F.1336-5 vertical "
            f"pattern ({f1336_omni_beamwidth_deg(sector.gain_dbi):.1f} deg beam) in every "
            f"azimuth; each site's electrical downtilt (one of {len(tilts)} from "
            f"{min(tilts):g} to {max(tilts):g} deg, sites table) is the one whose service, "
            "judged for the site at its mast alone, holds the most placement weight (people, "
            "schools at their weight; the smaller tilt on a tie)."
        )
    elif sector:
        azimuths = _azimuths(resolved)
        assumptions.append(
            f"Access antennas: {sector.name}, {sector.gain_dbi:g} dBi peak, {sector.sectors} "
            f"sector(s) per site at {azimuths.replace(';', ', ')} deg, downtilt "
            f"{sector.downtilt_deg:g} deg; a terminal takes the best sector, each sector "
            "radiating the full EIRP."
        )
    return assumptions


def itm_warning_lines(warnings: dict[str, int], grid_cells: int) -> list[str]:
    """The ITM range warnings of the coverage grid in plain words, one sentence.

    Parameters
    ----------
    warnings
        Cells flagged per warning's words (:attr:`coverage.radio.composite.Composite.warnings`:
        each cell counted once, however many sites flagged it).
    grid_cells
        Cells of the coverage grid.

    Returns
    -------
    list of str
        No line without warnings; else one sentence giving, per warning, how many of the
        grid's cells it concerns and their share (a count never above ``grid_cells``).
    """
    if not warnings:
        return []
    total = max(int(grid_cells), 1)
    parts = []
    for words, n in sorted(warnings.items()):
        cells = int(n)
        share = 100.0 * cells / total
        share_text = "under 0.1 %" if 0 < share < 0.1 else f"{share:.1f} %"
        parts.append(f"{cells:,} of the {total:,} grid cells ({share_text}): {words}")
    return [
        "Outside the range the ITM (Longley-Rice) model was validated for, its predictions "
        "are kept, not dropped; the cells it warned on: " + "; ".join(parts) + "."
    ]


def _repair_lines(res: PlacementResult) -> list[str]:
    """The capture repair's moves in words (:mod:`coverage.planning.capture`), if it ran."""
    r = res.details.get("placement_repair")
    if r is None:
        return []
    return [
        f"Placement repair (best-server capture, after the MILP): moves "
        f"{'; '.join(r['moves']) or 'none'}; weight served under the service model "
        f"{r['served_before']:,.0f} -> {r['served_after']:,.0f} (people; schools at the "
        "placement's school weight)."
    ]


def _plan_warnings(inputs: Inputs, res: PlacementResult) -> tuple[str, ...]:
    """What the run cannot stand behind: filled DEM voids, then the placement's warnings."""
    voids = void_warning(inputs.terrain)
    return (*([voids] if voids else []), *res.warnings)


def _plan_models(resolved: ResolvedScenario, res: PlacementResult) -> dict[str, str]:
    """One line per stage's model: propagation, technology, visibility, placement, backhaul."""
    s = resolved.scenario
    technology = resolved.technology
    return {
        "propagation": resolved.model.describe(),
        "technology": f"{technology.name}: {technology.f_mhz:g} MHz, EIRP {technology.eirp_dbm:g} dBm ({technology.reference})",
        "visibility": "line of sight over bilinear SRTM profiles with earth bulge d1*d2/(2kR), "
        f"k = {s.propagation.geometry_k_factor:.3g}; first Fresnel zone clearance (ITU-R P.530)",
        "placement": f"{res.method} ({'HiGHS MILP' if res.method == 'milp' else 'greedy'}), status {res.status}",
        "backhaul": f"{s.backhaul.f_mhz:g} MHz point-to-point links with >= {s.backhaul.min_clearance_ratio:g} "
        f"first-Fresnel clearance, at most {s.backhaul.max_hops} hops to the PoP",
    }


def _service_model(resolved: ResolvedScenario) -> str:
    """The service definition in words: rates, busy hour, terminal, reliability, SINR, capacity."""
    v = resolved.scenario.service
    t = resolved.technology
    return (
        f"the downlink carries {v.household_downlink_mbps:g} Mbps per active household "
        f"({v.school_downlink_mbps:g} per school) and the uplink {v.household_uplink_mbps:g} "
        f"Mbps ({v.school_uplink_mbps:g}) from the best server by SINR ({v.carriers} carrier(s) "
        f"of {t.bandwidth_mhz:g} MHz, assigned by colouring the interference graph of the "
        f"sites; interferers at {v.interference_load:.0%} load"
        f"{'; existing cells share the band' if v.existing_share_band else ''}; uplink "
        f"interference margin {v.interference_margin_db:g} dB), and that site carries its "
        f"busy-hour load (take-up {v.take_up_share:.1%} x busy-hour share "
        f"{v.busy_hour_share:.1%}; rate-fair scheduling, Bonald and Proutiere 2003; the excess "
        "of a full site moves to a runner-up with room). Rates by the attenuated Shannon bound "
        f"of 3GPP TR 36.942 A.2. Terminal: {resolved.terminal.describe(t.f_mhz)}. Reliability: "
        f"{resolved.reliability.describe()}. Simplified: mean busy-hour load (no queueing), "
        "uplink over the whole carrier, interferers at the reliability of the server. The "
        "placement optimises this definition on the SNR less the interference margin, within "
        "each site capacity (an inner approximation); signal_covered is the signal-only test."
    )


def _plan_metrics(
    res: PlacementResult,
    inputs: Inputs,
    candidates: gpd.GeoDataFrame,
    demand: gpd.GeoDataFrame,
    costs: pd.DataFrame,
    timings: dict[str, float] | None,
) -> dict[str, Any]:
    """The placement's figures, the plan's cost (USD, TCO of every cost line), sizes, timings
    (s) and input files."""
    return {
        "objective": res.objective,
        "covered_weight": res.covered_weight,
        "upper_bound": res.upper_bound,
        "gap": res.gap,
        "status": res.status,
        "method": res.method,
        "solve_time_s": res.solve_time_s,
        "plan_cost_usd": float(costs["tco_usd"].sum()),
        "candidates": len(candidates),
        "demand_points": len(demand),
        "message": res.message,
        "details": res.details,
        "timings_s": dict(timings or {}),
        "inputs": {name: str(path) for name, path in inputs.paths.items()},
    }
