"""What the plan costs, line by line, and which households the rest of the budget equips with
a satellite terminal.

:func:`plan_costs` prices every built site, link and plan-wide item from the scenario's
:class:`~coverage.planning.costs.CostTable` (capex, opex a year and total cost of ownership
over its life) and, with ``[placement] satellite``, spends what the budget leaves on
satellite terminals for the targeted households the network and its school and plaza hotspots
(:mod:`coverage.pipeline.hotspots`, priced by the ``hotspot_*`` items) do not serve
(:func:`coverage.planning.satellite.allocate_terminals`). Its cost lines, one row per item
of each element, are the plan's ``costs`` table; every output's cost figure is a sum of them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
from numpy.typing import NDArray

from coverage.inputs.existing import targeted
from coverage.pipeline.resolve import ResolvedScenario
from coverage.planning.costitem import CostLine
from coverage.planning.costs import CostTable, hotspot_lines
from coverage.planning.satellite import allocate_terminals, satellite_eligible

__all__ = ["COST_COLUMNS", "PlanCosts", "cost_assumptions", "plan_costs"]

#: The columns of a plan's ``costs`` table.
COST_COLUMNS = (
    "element",  # a site id, "link <a>-<b>", "plan", "hotspot <host id>", "satellite <demand id>"
    "kind",  # access, relay, link, plan, hotspot or satellite
    "item",
    "label",
    "unit",
    "quantity",
    "capex_usd",
    "opex_usd_per_year",
    "tco_usd",
    "source",
    "assumption",  # bool: the item's price is an assumption
)


@dataclass(frozen=True)
class PlanCosts:
    """The priced plan.

    Attributes
    ----------
    sites, links
        The tables with ``capex_usd``, ``opex_usd_per_year`` and ``cost_usd`` (TCO, USD).
    lines
        One row per item of each element (:data:`COST_COLUMNS`).
    terminals
        Satellite terminals given to each demand point (int, in demand order).
    hotspots
        The built hotspots with ``capex_usd``, ``opex_usd_per_year`` and ``cost_usd`` (TCO,
        USD), or None when none was given.
    """

    sites: gpd.GeoDataFrame
    links: gpd.GeoDataFrame
    lines: pd.DataFrame
    terminals: NDArray[np.int64]
    hotspots: gpd.GeoDataFrame | None = None


def plan_costs(
    resolved: ResolvedScenario,
    candidates: gpd.GeoDataFrame,
    demand: gpd.GeoDataFrame,
    sites: gpd.GeoDataFrame,
    links: gpd.GeoDataFrame,
    hotspots: gpd.GeoDataFrame | None = None,
) -> PlanCosts:
    """Price the built plan and give the satellite terminals the remaining budget buys.

    Parameters
    ----------
    resolved
        The resolved scenario (its cost table, ``[placement]`` budget and satellite option,
        ``[existing] target``).
    candidates
        Candidate sites (``candidate_id``, ``grid_power``).
    demand
        The plan's demand points (``covered``, ``kind``, ``population``, ``households``;
        ``hotspot``, the id of the hotspot serving a point, "" for none, when hotspots are
        built: those points get no terminal).
    sites, links
        The built network's tables (sites: ``site_id``, ``role``, ``mast_height_m``, and for
        access sites ``carried_downlink_mbps`` / ``carried_uplink_mbps`` when evaluated).
    hotspots
        The built hotspots (``hotspot_id``; :mod:`coverage.pipeline.hotspots`), or None.

    Returns
    -------
    PlanCosts
        The priced tables, the cost lines and the terminals per demand point.
    """
    costs = resolved.costs
    grid = dict(zip(candidates["candidate_id"].astype(str), candidates["grid_power"], strict=True))
    rows: list[dict[str, object]] = []
    per_site: list[list[CostLine]] = []
    for r in sites.itertuples():
        if r.role == "pop":
            per_site.append([])
            continue
        lines = costs.site_lines(
            r.mast_height_m, grid_power=bool(grid.get(r.site_id, False)), access=r.role == "access"
        )
        per_site.append(lines)
        rows += _rows(costs, str(r.site_id), str(r.role), lines)
    link_lines = costs.link_lines()
    for r in links.itertuples():
        rows += _rows(costs, f"link {r.site_a}-{r.site_b}", "link", link_lines)
    if (sites["role"] != "pop").any():  # nothing built: no PoP equipment, core or transit
        rows += _rows(costs, "plan", "plan", costs.plan_lines(_traffic_mbps(sites)))
    hot_lines = hotspot_lines(costs, 1.0)
    for h in [] if hotspots is None else hotspots["hotspot_id"].astype(str):
        rows += _rows(costs, h, "hotspot", hot_lines)
    spent = float(sum(x["tco_usd"] for x in rows))  # type: ignore[misc]
    terminals = _terminals(resolved, demand, spent)
    for j in np.nonzero(terminals)[0]:
        element = f"satellite {demand['demand_id'].iloc[j]}"
        rows += _rows(costs, element, "satellite", costs.satellite_lines(float(terminals[j])))
    sites = sites.assign(**_totals(costs, per_site))
    link_totals = _totals(costs, [link_lines] * len(links))
    return PlanCosts(
        sites,
        links.assign(**link_totals),
        pd.DataFrame(rows, columns=list(COST_COLUMNS)),
        terminals,
        None
        if hotspots is None
        else hotspots.assign(**_totals(costs, [hot_lines] * len(hotspots))),
    )


def _rows(
    costs: CostTable, element: str, kind: str, lines: list[CostLine]
) -> list[dict[str, object]]:
    """The cost lines of one element as table rows."""
    pv = costs.pv_factor
    return [
        {
            "element": element,
            "kind": kind,
            "item": x.item.key,
            "label": x.item.label,
            "unit": x.item.unit,
            "quantity": x.quantity,
            "capex_usd": x.capex_usd,
            "opex_usd_per_year": x.opex_usd_per_year,
            "tco_usd": x.capex_usd + pv * x.opex_usd_per_year,
            "source": x.item.source,
            "assumption": x.item.is_assumption,
        }
        for x in lines
    ]


def _totals(costs: CostTable, per_element: list[list[CostLine]]) -> dict[str, list[float]]:
    """Capex, opex a year and TCO (USD) of each element's lines."""
    capex = [sum(x.capex_usd for x in lines) for lines in per_element]
    opex = [sum(x.opex_usd_per_year for x in lines) for lines in per_element]
    tco = [c + costs.pv_factor * o for c, o in zip(capex, opex, strict=True)]
    return {"capex_usd": capex, "opex_usd_per_year": opex, "cost_usd": tco}


def _traffic_mbps(sites: gpd.GeoDataFrame) -> float:
    """Busy-hour traffic (Mbps) the access sites carry to the PoP, down and up."""
    access = sites[sites["role"] == "access"]
    total = 0.0
    for column in ("carried_downlink_mbps", "carried_uplink_mbps"):
        if column in access.columns:
            total += float(np.nan_to_num(access[column].to_numpy(dtype=np.float64)).sum())
    return total


def _terminals(
    resolved: ResolvedScenario, demand: gpd.GeoDataFrame, spent_usd: float
) -> NDArray[np.int64]:
    """Satellite terminals per demand point: what the budget left after the network buys,
    for targeted households (not schools) the network and its hotspots do not serve."""
    p = resolved.scenario.placement
    none = np.zeros(len(demand), np.int64)
    if not p.satellite_applies:
        return none
    left = p.budget_usd - spent_usd
    each = resolved.costs.satellite_household_usd()
    affordable = math.floor(max(left, 0.0) / each + 1e-9)
    aim = targeted(demand, resolved.scenario.existing.target)
    eligible = satellite_eligible(demand, aim) & ~demand["covered"].to_numpy(dtype=bool)
    if "hotspot" in demand.columns:  # a household counts once: a hotspot's get no terminal
        eligible &= demand["hotspot"].fillna("").astype(str).to_numpy() == ""
    return allocate_terminals(
        affordable,
        demand["households"].to_numpy(dtype=np.float64),
        demand["population"].to_numpy(dtype=np.float64),
        eligible,
    )


def cost_assumptions(resolved: ResolvedScenario) -> list[str]:
    """The sentences the outputs must show about costs and the satellite option.

    Parameters
    ----------
    resolved
        The resolved scenario.

    Returns
    -------
    list of str
        The cost basis; the satellite option as applied, or why it was not.
    """
    c, p = resolved.costs, resolved.scenario.placement
    fixed = c.fixed_cost_usd()
    short = p.objective == "coverage" and p.budget_sites == 0 and p.budget_usd <= fixed
    out = (
        [
            f"The budget ({p.budget_usd:,.0f} USD) does not cover the plan-wide items (the PoP "
            f"and any cellular core, {fixed:,.0f} USD over {c.years} years): nothing is built."
        ]
        if short
        else []
    )
    out += [
        f"Costs: total cost of ownership over {c.years} years at a {100 * c.discount_rate:g} % "
        f"discount rate, {c.case} prices of the cost items (costs.csv lists every item used, "
        "its source, and ASSUMPTION where no public price was found); the budget covers "
        "sites, links, the PoP, the core network, IP transit, school and plaza hotspots and satellite "
        "terminals."
    ]
    if p.satellite_applies:
        out.append(
            "Satellite option (simplified model): the placement weighs one LEO terminal per "
            f"household at {c.satellite_household_usd():,.0f} USD over the plan's life against "
            "sites; the budget left after the network equips targeted households the network "
            "does not serve, the most people per terminal first; terminals have no capacity "
            "limit and the programme is assumed to pay their fee."
        )
    elif p.satellite:
        out.append(
            "Satellite option asked for but not applied: it needs objective coverage with "
            "budget_usd (not a site budget)."
        )
    return out
