"""School and plaza hotspots from the scenario to the plan: the option the placement weighs,
the hotspots it built, the households each serves, and the sentences the outputs show.

:func:`hotspot_option` turns ``[hotspots]`` into the placement's
:class:`~coverage.planning.hotspot.HotspotOption` (one candidate per school, and per place
of the area's optional ``plazas`` layer with a building to feed it, that reaches an
eligible household within the walking radius, priced at the TCO of the ``hotspot_*`` cost
items). After the placement, :func:`built_hotspots` keeps the hotspots whose host school the
plan's evaluated network serves (the placement decides on its own service covers; a host the
evaluation finds unserved has no feed, so its hotspot is dropped and a warning says so), and
gives each reached household, not served by a site or an existing cell, the nearest built
hotspot that reaches it. Those households are ``served_hotspot``
(:func:`~coverage.pipeline.existing.with_service`) and get no satellite terminal.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
from numpy.typing import NDArray

from coverage.inputs.existing import targeted
from coverage.inputs.plazas import PLAZA_LAYER, load_plazas
from coverage.pipeline.resolve import ResolvedScenario
from coverage.planning.busyhour import BusyHour
from coverage.planning.costs import hotspot_usd
from coverage.planning.hotspot import (
    ZONE_MBPS,
    ZONE_USERS,
    HotspotOption,
    combined,
    plaza_hotspots,
    school_hotspots,
)

__all__ = [
    "HOTSPOT_COLUMNS",
    "BuiltHotspots",
    "built_hotspots",
    "hotspot_assumptions",
    "hotspot_option",
    "hotspots_apply",
    "with_busy_hour_load",
]

log = logging.getLogger(__name__)

#: The columns of a plan's ``hotspots`` table (before pricing adds capex, opex and TCO).
HOTSPOT_COLUMNS = (
    "hotspot_id",
    "kind",  # school or plaza
    "host_id",
    "name",
    "vereda",
    "households_reached",
    "people_reached",
)


def hotspots_apply(resolved: ResolvedScenario) -> bool:
    """Whether the placement weighs hotspots: asked for, under a budget in USD.

    Parameters
    ----------
    resolved
        The resolved scenario (``[hotspots] enabled`` and ``[placement]``).

    Returns
    -------
    bool
        ``enabled`` with objective "coverage" and ``budget_usd`` (not a site budget).
    """
    s = resolved.scenario
    p = s.placement
    return s.hotspots.enabled and p.objective == "coverage" and p.budget_sites == 0


def hotspot_option(
    resolved: ResolvedScenario, demand: gpd.GeoDataFrame, plazas: Path | None = None
) -> HotspotOption | None:
    """The hotspot candidates of the placement, or None when the option does not apply.

    Parameters
    ----------
    resolved
        The resolved scenario (``[hotspots]``, ``[placement]``, ``[existing] target``, the
        cost table, the area's ``plazas`` layer spec).
    demand
        The demand points in the working CRS (m), in the placement's column order.
    plazas
        The area's plaza layer file (:mod:`coverage.inputs.plazas`), or None for none.

    Returns
    -------
    HotspotOption or None
        One candidate per school, then per plaza (with ``[hotspots] plazas``), reaching an
        eligible household, each at the TCO (USD) of one hotspot; None when
        :func:`hotspots_apply` is False.
    """
    if not hotspots_apply(resolved):
        return None
    h = resolved.scenario.hotspots
    aim = targeted(demand, resolved.scenario.existing.target)
    usd = hotspot_usd(resolved.costs)
    option = school_hotspots(
        demand, aim, usd_per_hotspot=usd, walk_radius_m=h.walk_radius_m, weight=h.weight
    )
    n_school = option.n
    if plazas is not None and h.plazas:
        spec = resolved.scenario.area.layers[PLAZA_LAYER]
        table = load_plazas(plazas, demand.crs, name_field=spec.name_field, id_field=spec.id_field)
        at_plazas = plaza_hotspots(
            demand,
            aim,
            table,
            usd_per_hotspot=usd,
            walk_radius_m=h.walk_radius_m,
            weight=h.weight,
            feed_radius_m=h.feed_radius_m,
        )
        log.info(
            "hotspots: %d of %d plazas have a building within %.0f m to feed them and reach "
            "an eligible household",
            at_plazas.n,
            len(table),
            h.feed_radius_m,
        )
        option = combined(option, at_plazas)
    log.info(
        "hotspots: %d school and %d plaza candidates within %.0f m of an eligible household, "
        "%.0f USD each",
        n_school,
        option.n - n_school,
        h.walk_radius_m,
        usd,
    )
    return option


@dataclass(frozen=True)
class BuiltHotspots:
    """The hotspots a plan builds and whom they serve.

    Attributes
    ----------
    table
        One row per built hotspot (:data:`HOTSPOT_COLUMNS`, Point geometry where it stands:
        the school, or the plaza, working CRS); ``hotspot_id`` is
        ``"hotspot <host demand_id>"`` (a plaza's host is the building feeding it).
    point_hotspot
        Per demand point: the ``hotspot_id`` that serves it, "" for none.
    warnings
        One sentence per hotspot the placement chose whose host the plan does not serve.
    overloads
        One sentence per built hotspot whose busy-hour load exceeds a zone's size
        (:func:`with_busy_hour_load`): plan warnings, not assumptions.
    """

    table: gpd.GeoDataFrame
    point_hotspot: NDArray[np.object_]
    warnings: tuple[str, ...] = ()
    overloads: tuple[str, ...] = ()


def built_hotspots(
    option: HotspotOption | None, chosen: tuple[int, ...], demand: gpd.GeoDataFrame
) -> BuiltHotspots:
    """The placement's hotspots whose host the plan serves, and the households they serve.

    Parameters
    ----------
    option
        The placement's hotspot candidates (None: no option).
    chosen
        Indices of the candidates the placement built.
    demand
        The plan's demand points (working CRS, m): ``demand_id``, ``name``, ``vereda``,
        ``population`` (people), ``households``, ``covered``; ``served_existing``.

    Returns
    -------
    BuiltHotspots
        The hotspots, each served point's hotspot (the nearest built one reaching it), and
        the warnings for dropped ones.
    """
    n = len(demand)
    none = np.full(n, "", dtype=object)
    empty = gpd.GeoDataFrame({c: [] for c in HOTSPOT_COLUMNS}, geometry=[], crs=demand.crs)
    if option is None or not chosen:
        return BuiltHotspots(empty, none)
    covered = demand["covered"].to_numpy(dtype=bool)
    existing = demand["served_existing"].fillna(False).to_numpy(dtype=bool)
    ids = demand["demand_id"].astype(str).to_numpy()
    idx = np.asarray(sorted(chosen), dtype=np.int64)
    fed = covered[option.host[idx]]
    warnings = tuple(
        f"The placement chose a hotspot at {option.labels[j]} ({ids[option.host[j]]}), but the "
        "plan's evaluated network does not serve that school (the placement's service test is "
        "simpler): without a feed it is not built, costed or counted."
        for j in idx[~fed]
    )
    for w in warnings:
        log.warning(w)
    idx = idx[fed]
    xy = np.column_stack([demand.geometry.x, demand.geometry.y]).astype(np.float64)
    host_xy = xy[option.host[idx]] if option.at_xy is None else option.at_xy[idx]
    reach = option.reach[idx].toarray() & ~covered[None, :] & ~existing[None, :]
    dist = np.linalg.norm(xy[None, :, :] - host_xy[:, None, :], axis=2)
    dist = np.where(reach, dist, np.inf)
    best = np.argmin(dist, axis=0) if idx.size else np.zeros(n, np.int64)
    served = reach.any(axis=0) if idx.size else np.zeros(n, bool)
    hid = np.array([f"hotspot {ids[option.host[j]]}" for j in idx], dtype=object)
    point = none.copy()
    point[served] = hid[best[served]]
    hh = demand["households"].to_numpy(dtype=np.float64)
    people = demand["population"].to_numpy(dtype=np.float64)
    hosts = option.host[idx]
    table = gpd.GeoDataFrame(
        {
            "hotspot_id": hid.astype(str),
            "kind": [(option.kinds or ())[j] for j in idx],
            "host_id": ids[hosts],
            "name": [option.labels[j] for j in idx],
            "vereda": demand["vereda"].astype(str).to_numpy()[hosts],
            "households_reached": [float(hh[point == h].sum()) for h in hid],
            "people_reached": [float(people[point == h].sum()) for h in hid],
        },
        geometry=gpd.points_from_xy(host_xy[:, 0], host_xy[:, 1]),
        crs=demand.crs,
    )
    return BuiltHotspots(table, point, warnings)


def with_busy_hour_load(built: BuiltHotspots, busy: BusyHour) -> BuiltHotspots:
    """The hotspots with their busy-hour load, and a warning for each one over its zone's size.

    A hotspot's households are taken to use it as they would a home connection: ``households
    x take-up x busy-hour share`` users at once at the per-household downlink rate (the
    plan's busy-hour rule, :class:`~coverage.planning.busyhour.BusyHour`). That load is set
    against what one zone is sized for (:data:`~coverage.planning.hotspot.ZONE_MBPS`,
    :data:`~coverage.planning.hotspot.ZONE_USERS`); the placement does not limit it, so an
    overloaded hotspot is announced, not hidden.

    Parameters
    ----------
    built
        The plan's hotspots (:func:`built_hotspots`).
    busy
        The scenario's busy-hour rule.

    Returns
    -------
    BuiltHotspots
        ``table`` with ``busy_hour_users`` and ``busy_hour_mbps`` (downlink, Mbps); one more
        ``overloads`` sentence per hotspot above 9 Mbps or 10 users at once.
    """
    t = built.table
    users = t["households_reached"].to_numpy(dtype=np.float64) * (
        busy.take_up_share * busy.busy_hour_share
    )
    mbps = users * busy.household_downlink_mbps
    table = t.assign(busy_hour_users=users, busy_hour_mbps=mbps)
    over = (mbps > ZONE_MBPS) | (users > ZONE_USERS)
    warnings = tuple(
        f"Hotspot {h} ({name}) would carry {u:.1f} users and {r:.1f} Mbps at the busy hour, "
        f"above the {ZONE_USERS} users and {ZONE_MBPS:g} Mbps one Wi-Fi zone is sized for (2019 "
        "rural access contract): its households would get less than the per-household rate; "
        "the placement does not check hotspot capacity."
        for h, name, u, r in zip(
            t["hotspot_id"][over], t["name"][over], users[over], mbps[over], strict=True
        )
    )
    for w in warnings:
        log.warning(w)
    return BuiltHotspots(table, built.point_hotspot, built.warnings, warnings)


def hotspot_assumptions(resolved: ResolvedScenario, built: BuiltHotspots) -> list[str]:
    """The sentences the outputs show about the hotspot option.

    Parameters
    ----------
    resolved
        The resolved scenario.
    built
        The plan's hotspots.

    Returns
    -------
    list of str
        The option as applied, with what it built, or why it was not applied; empty when
        not asked for.
    """
    h = resolved.scenario.hotspots
    if not h.enabled:
        return []
    if not hotspots_apply(resolved):
        return [
            "Hotspot option asked for but not applied: it needs objective coverage with "
            "budget_usd (not a site budget)."
        ]
    t = built.table
    if PLAZA_LAYER not in resolved.scenario.area.layers:
        where = (
            "each school a built site serves (the area has no plazas layer: no plaza is a "
            "candidate)"
        )
    elif not h.plazas:
        where = "each school a built site serves (plazas = false: the plazas layer is not used)"
    else:
        where = (
            "each school a built site serves and each place of the plazas layer whose nearest "
            f"addressed building within {h.feed_radius_m:g} m (ASSUMPTION) a built site serves"
        )
    n_plaza = int((t["kind"] == "plaza").sum()) if len(t) else 0
    return [
        "Hotspot option (simplified model): the placement weighs a public Wi-Fi hotspot at "
        f"{where} ({hotspot_usd(resolved.costs):,.0f} USD over the "
        f"plan's life), reaching the households within {h.walk_radius_m:g} m in a straight "
        f"line (ASSUMPTION), each person counted at {h.weight:g} of a home connection "
        "(ASSUMPTION); it gives shared public access within a walk, not a home connection, "
        f"and its capacity ({ZONE_MBPS:g} Mbps and {ZONE_USERS} users at once per zone) is "
        "not a constraint of the placement: each built hotspot's busy-hour load is checked "
        f"after it, and one above that is a warning. Hotspots built: {len(t)} ({n_plaza} at "
        "plazas), serving "
        f"{float(t['households_reached'].sum()):,.1f} households no site or existing cell "
        "serves (service class served_hotspot; they get no satellite terminal)."
    ]
