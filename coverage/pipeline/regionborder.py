"""Border sites serve both sides: a region pass after the territory plans.

A chosen access site of territory A near territory B may reach demand points that B's own
plan leaves unserved by its network. After every territory is planned
(:mod:`coverage.pipeline.region`), this pass

1. pairs each territory A with each other territory B where an access site of A lies within
   A's access technology range (``max_range_m``) of a demand point B's network does not
   serve (:func:`border_tasks`);
2. for each pair, predicts the received power of those sites of A at those points of B with
   B's own propagation model, terrain (as B's plan loaded it: B's area plus its
   ``margin_m``), clutter, terminal and service threshold
   (:attr:`~coverage.pipeline.resolve.ResolvedScenario.threshold_dbm`), by the pipeline's
   own :func:`~coverage.pipeline.stages.coverage_matrix` on a frame of those sites, each at
   the height of B's ``mast_heights_m`` nearest its own mast (:func:`reach_neighbour`: one
   dask task per pair);
3. keeps each point of B reached at or above the threshold once, by its strongest site of
   any neighbour (:func:`neighbour_reach`).

Each task loads B's data again (:func:`~coverage.pipeline.prepare.prepare_inputs`, as B's
plan loaded them: the same demand points and ids), a cost of the pass rather than holding
every territory's data until all plans are done.

The per-territory plans are not changed: the region's tables add the people and households
"served from a neighbouring territory's site" to each territory, sub-district and the
region's total, each point counted once.

The extra busy-hour downlink load on each neighbour site is added to its own offered load
and compared with its capacity (:func:`extra_load`; ASSUMPTION: at the capacity its own
users' link rates give it); only the points its spare capacity carries are counted
(:func:`within_capacity`), and a site they would overload is a warning of the region (exit
status 3). What this does not model: interference and the SINR part of the service
definition (the signal threshold only), the neighbour site's own sector azimuths and tilt
(B's model fits a tilt to B's points; exact for an omni antenna), and the backhaul of the
extra traffic. A site outside B's terrain is not predicted (it is listed: raise B's
``margin_m`` to include it), nor is a pair whose two territories use different access
technologies (``[technology]``, its antenna included).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from coverage.outputs.regionneighbour import overload_warnings
from coverage.outputs.regionsummary import TerritoryOutcome
from coverage.pipeline.prepare import prepare_inputs
from coverage.pipeline.resolve import resolve
from coverage.pipeline.stages import coverage_matrix
from coverage.planning.busyhour import busy_hour_demand_mbps
from coverage.scenario import Scenario

__all__ = [
    "LOAD_COLUMNS",
    "NEIGHBOUR_COLUMNS",
    "BorderTask",
    "Reach",
    "border_tasks",
    "extra_load",
    "neighbour_reach",
    "overload_warnings",
    "reach_neighbour",
    "within_capacity",
]

log = logging.getLogger(__name__)

#: The columns of the points served from a neighbouring territory's site.
NEIGHBOUR_COLUMNS = [
    "territory",
    "demand_id",
    "subdivision_id",
    "people",
    "households",
    "served_any_before",
    "from_territory",
    "site_id",
    "rx_dbm",
    "downlink_mbps",
    "counted",
]

#: The columns of the neighbour sites' extra load (:func:`extra_load`).
LOAD_COLUMNS = [
    "territory",
    "site_id",
    "points",
    "households",
    "extra_downlink_mbps",
    "offered_downlink_mbps",
    "capacity_downlink_mbps",
    "points_counted",
    "households_counted",
    "overloaded",
]


@dataclass(frozen=True, eq=False)
class BorderTask:
    """Access sites of territory ``source`` to predict at unserved points of ``target``.

    Attributes
    ----------
    source, target
        The two territories' places in the region.
    sites
        The source's access sites within range (``site_id``, ``mast_height_m``, geometry).
    points
        The target's points its network does not serve (``demand_id`` first).
    """

    source: int
    target: int
    sites: gpd.GeoDataFrame
    points: gpd.GeoDataFrame


@dataclass(frozen=True, eq=False)
class Reach:
    """What one border task found.

    Attributes
    ----------
    source, target
        The two territories' places in the region.
    reached
        ``demand_id``, ``site_id`` and ``rx_dbm`` of each point of the target reached at or
        above its service threshold, by its strongest site of the source, and
        ``downlink_mbps``, the point's busy-hour downlink demand under the target's
        ``[service]`` (:func:`coverage.planning.busyhour.busy_hour_demand_mbps`).
    outside_terrain
        Sites not predicted: outside the target's terrain.
    heights_m
        The height (m) each predicted site was computed at (site id -> m).
    """

    source: int
    target: int
    reached: pd.DataFrame
    outside_terrain: tuple[str, ...]
    heights_m: dict[str, float]


def border_tasks(
    outcomes: Sequence[TerritoryOutcome], scenarios: Sequence[Scenario]
) -> tuple[list[BorderTask], list[str]]:
    """The territory pairs with an access site within range of the other's unserved points.

    Parameters
    ----------
    outcomes
        The territories' plans, in the region's order.
    scenarios
        Their scenarios, in the same order.

    Returns
    -------
    tasks, notes
        One task per ordered pair (source, target) that has such sites; and a sentence for
        each pair left out because the two use different access technologies (``[technology]``, its antenna included).
    """
    tasks: list[BorderTask] = []
    notes: list[str] = []
    for b, target in enumerate(outcomes):
        points = target.unserved
        if points is None or not len(points):
            continue
        for a, source in enumerate(outcomes):
            range_m = source.access_range_m
            access = source.sites[source.sites["role"].astype(str) == "access"]
            if a == b or not len(access) or not np.isfinite(range_m):
                continue
            near = _within(access.to_crs(points.crs), points, range_m)
            if not near.any():
                continue
            if scenarios[a].technology != scenarios[b].technology:
                notes.append(
                    f"{source.name} -> {target.name}: not predicted, the two territories use "
                    "different access technologies"
                )
                continue
            sites = access.loc[near, ["site_id", "mast_height_m", "geometry"]]
            tasks.append(BorderTask(a, b, sites.reset_index(drop=True), points))
    return tasks, notes


def _within(sites: gpd.GeoDataFrame, points: gpd.GeoDataFrame, range_m: float) -> Any:
    xy = np.column_stack([points.geometry.x, points.geometry.y])
    dist, _ = cKDTree(xy).query(np.column_stack([sites.geometry.x, sites.geometry.y]))
    return np.asarray(dist <= range_m)


def reach_neighbour(task: BorderTask, scenario: Scenario, mirror: str | None) -> Reach:
    """Predict a task's sites at its target's unserved points with the target's own model.

    Parameters
    ----------
    task
        The pair (:func:`border_tasks`).
    scenario
        The target territory's scenario: its data are loaded again as its plan loaded them.
    mirror
        Mirror folder of the input data (None: ``$COVERAGE_DATA_MIRROR``).

    Returns
    -------
    Reach
        The points reached at or above the target's service threshold, each by its
        strongest site of the source.
    """
    resolved = resolve(scenario)
    inputs = prepare_inputs(resolved, mirror=mirror)
    wanted = set(task.points["demand_id"].map(str))
    keep = inputs.demand["demand_id"].map(str).isin(wanted).to_numpy()
    part = replace(inputs, demand=inputs.demand[keep].reset_index(drop=True))
    sites = task.sites.to_crs(inputs.terrain.crs)
    inside = np.asarray(inputs.terrain.contains(sites.geometry.x, sites.geometry.y), dtype=bool)
    outside = tuple(sites.loc[~inside, "site_id"].map(str))
    sites = sites[inside].reset_index(drop=True)
    empty = pd.DataFrame({"demand_id": [], "site_id": [], "rx_dbm": [], "downlink_mbps": []})
    if not len(sites) or not len(part.demand):
        return Reach(task.source, task.target, empty, outside, {})
    rx, _ = coverage_matrix(resolved, part, sites)
    heights = np.asarray(resolved.scenario.placement.mast_heights_m, dtype=np.float64)
    pick = [int(np.argmin(np.abs(heights - float(h)))) for h in sites["mast_height_m"]]
    rows = np.array([i * len(heights) + h for i, h in enumerate(pick)], dtype=np.int64)
    chosen = np.where(np.isnan(rx[rows]), -np.inf, rx[rows])  # (sites, points)
    best = chosen.argmax(axis=0)
    best_dbm = chosen[best, np.arange(chosen.shape[1])]
    hit = best_dbm >= resolved.threshold_dbm
    need = busy_hour_demand_mbps(
        part.demand["households"].to_numpy(np.float64),
        (part.demand["kind"] == "school").to_numpy(),
        resolved.busy_hour,
    )
    reached = pd.DataFrame(
        {
            "demand_id": part.demand["demand_id"].map(str).to_numpy()[hit],
            "site_id": sites["site_id"].map(str).to_numpy()[best[hit]],
            "rx_dbm": best_dbm[hit].astype(np.float64),
            "downlink_mbps": need.downlink_mbps[hit],
        }
    )
    used = {str(s): float(heights[h]) for s, h in zip(sites["site_id"], pick, strict=True)}
    return Reach(task.source, task.target, reached, outside, used)


def _combine(outcomes: Sequence[TerritoryOutcome], reaches: Sequence[Reach]) -> pd.DataFrame:
    """Each reached point once, by its strongest site of any neighbour (ties: region order)."""
    frames = []
    for r in reaches:
        if len(r.reached):
            df = r.reached.assign(source=r.source, target=r.target)
            frames.append(df)
    if not frames:
        return pd.DataFrame(columns=NEIGHBOUR_COLUMNS[:-1])
    hits = pd.concat(frames, ignore_index=True)
    hits = hits.sort_values(
        ["target", "demand_id", "rx_dbm", "source", "site_id"],
        ascending=[True, True, False, True, True],
        kind="stable",
    ).drop_duplicates(["target", "demand_id"])
    rows = []
    for b in sorted(int(t) for t in hits["target"].unique()):
        group, o = hits[hits["target"] == b], outcomes[b]
        if o.unserved is None:  # never: a task's target has unserved points
            continue
        info = pd.DataFrame(o.unserved.drop(columns="geometry")).set_index("demand_id")
        got = info.loc[group["demand_id"]]
        rows.append(
            pd.DataFrame(
                {
                    "territory": o.name,
                    "demand_id": group["demand_id"].to_numpy(),
                    "subdivision_id": got["subdivision_id"].to_numpy(),
                    "people": got["people"].to_numpy(),
                    "households": got["households"].to_numpy(),
                    "served_any_before": got["served_any"].to_numpy(dtype=bool),
                    "from_territory": [outcomes[int(a)].name for a in group["source"]],
                    "site_id": group["site_id"].to_numpy(),
                    "rx_dbm": group["rx_dbm"].to_numpy(),
                    "downlink_mbps": group["downlink_mbps"].to_numpy(),
                }
            )
        )
    return pd.concat(rows, ignore_index=True)[NEIGHBOUR_COLUMNS[:-1]]


def neighbour_reach(
    outcomes: Sequence[TerritoryOutcome],
    scenarios: Sequence[Scenario],
    mirror: str | None,
    client: Any = None,
) -> tuple[pd.DataFrame, list[str]]:
    """The demand points served from a neighbouring territory's site, each once.

    Parameters
    ----------
    outcomes
        The territories' plans, in the region's order.
    scenarios
        Their scenarios.
    mirror
        Mirror folder of the input data (absolute, or None).
    client
        A :class:`distributed.Client`: one task per pair; None: the same, one by one here.

    Returns
    -------
    points, notes
        :data:`NEIGHBOUR_COLUMNS`, one row per point, territories in the region's order;
        and sentences on what was not predicted (sites outside the terrain, pairs of
        different technologies), for the report.
    """
    tasks, notes = border_tasks(outcomes, scenarios)
    if client is None:
        reaches = [reach_neighbour(t, scenarios[t.target], mirror) for t in tasks]
    else:
        futures = [
            client.submit(reach_neighbour, t, scenarios[t.target], mirror, pure=False)
            for t in tasks
        ]
        reaches = client.gather(futures)
    for r in reaches:
        name_a, name_b = outcomes[r.source].name, outcomes[r.target].name
        log.info("region: %d points of %s reached from %s's sites", len(r.reached), name_b, name_a)
        if r.outside_terrain:
            notes.append(
                f"{name_a} -> {name_b}: sites {', '.join(r.outside_terrain)} not predicted, "
                f"outside {name_b}'s terrain (its area plus margin_m)"
            )
        off = {s: h for s, h in r.heights_m.items() if not _same_height(outcomes, r, s, h)}
        if off:
            notes.append(
                f"{name_a} -> {name_b}: sites {', '.join(off)} predicted at {name_b}'s nearest "
                "mast height, not their own"
            )
    return within_capacity(outcomes, _combine(outcomes, reaches)), notes


def within_capacity(outcomes: Sequence[TerritoryOutcome], points: pd.DataFrame) -> pd.DataFrame:
    """The points with ``counted``: whether their serving site's spare busy-hour capacity
    carries them.

    A site's spare capacity is its ``capacity_downlink_mbps`` less its own
    ``offered_downlink_mbps`` (none when its own users fill it); its neighbour's points are
    counted strongest first (ties: demand id) while their busy-hour downlink load fits. The
    territory plans count the excess of a full site as unserved; so does the region.

    Parameters
    ----------
    outcomes
        The territories' plans (their sites' offered load and capacity).
    points
        The points served from a neighbour's site, without ``counted``.

    Returns
    -------
    pandas.DataFrame
        :data:`NEIGHBOUR_COLUMNS`: ``points`` with ``counted``; a site without a capacity
        figure (a plan without the capacity check) counts every point it reaches.
    """
    out = points.assign(counted=False)
    by_name = {o.name: o for o in outcomes}
    for (name, site), group in points.groupby(["from_territory", "site_id"], sort=False):
        offered, capacity = _site_load(by_name[str(name)], str(site))
        spare = max(capacity - offered, 0.0) if np.isfinite(capacity) else np.inf
        order = group.sort_values(["rx_dbm", "demand_id"], ascending=[False, True], kind="stable")
        fits = order["downlink_mbps"].astype(float).cumsum().to_numpy() <= spare + 1e-9
        out.loc[order.index[fits], "counted"] = True
    return out[NEIGHBOUR_COLUMNS]


def _site_load(outcome: TerritoryOutcome, site: str) -> tuple[float, float]:
    """A site's own offered busy-hour downlink load and its capacity (Mbps; NaN: unknown)."""
    row = outcome.sites[outcome.sites["site_id"].astype(str) == site]
    return _column(row, "offered_downlink_mbps"), _column(row, "capacity_downlink_mbps")


def _same_height(outcomes: Sequence[TerritoryOutcome], r: Reach, site: str, h: float) -> bool:
    sites = outcomes[r.source].sites
    own = sites.loc[sites["site_id"].astype(str) == site, "mast_height_m"]
    return bool(len(own)) and float(own.iloc[0]) == h


def extra_load(outcomes: Sequence[TerritoryOutcome], points: pd.DataFrame) -> pd.DataFrame:
    """The busy-hour downlink load the neighbour's points add to each site serving them.

    Parameters
    ----------
    outcomes
        The territories' plans (their sites' ``offered_downlink_mbps`` and
        ``capacity_downlink_mbps``, as the plan's capacity check wrote them).
    points
        The points served from a neighbour's site (:func:`neighbour_reach`).

    Returns
    -------
    pandas.DataFrame
        :data:`LOAD_COLUMNS`: one row per site serving a neighbour's points, ``territory``
        the site's own; ``points_counted`` and ``households_counted`` those its spare
        capacity carries (:func:`within_capacity`); ``overloaded`` when its own offered load
        plus the extra exceeds its capacity (then not every point is counted). ASSUMPTION: the site's capacity (Mbps) at its own users' mix of link rates
        holds for the added points (their SINR is not computed); NaN capacity (a plan
        without the capacity check): ``overloaded`` False, the capacity unknown.
    """
    if not len(points):
        return pd.DataFrame(columns=LOAD_COLUMNS)
    by_name = {o.name: o for o in outcomes}
    rows = []
    grouped = points.groupby(["from_territory", "site_id"], sort=False)
    for (name, site), group in grouped:
        offered, capacity = _site_load(by_name[str(name)], str(site))
        extra = float(group["downlink_mbps"].sum())
        counted = (
            group["counted"].astype(bool)
            if "counted" in group.columns
            else pd.Series(True, index=group.index)
        )
        rows.append(
            {
                "territory": str(name),
                "site_id": str(site),
                "points": len(group),
                "households": float(group["households"].sum()),
                "extra_downlink_mbps": extra,
                "offered_downlink_mbps": offered,
                "capacity_downlink_mbps": capacity,
                "points_counted": int(counted.sum()),
                "households_counted": float(group.loc[counted, "households"].sum()),
                "overloaded": bool(np.isfinite(capacity) and offered + extra > capacity),
            }
        )
    order = {o.name: i for i, o in enumerate(outcomes)}
    df = pd.DataFrame(rows, columns=LOAD_COLUMNS)
    df["_o"] = df["territory"].map(order)
    return (
        df.sort_values(["_o", "site_id"], kind="stable").drop(columns="_o").reset_index(drop=True)
    )


def _column(row: pd.DataFrame, column: str) -> float:
    if column not in row.columns or not len(row):
        return float("nan")
    return float(row[column].iloc[0])
