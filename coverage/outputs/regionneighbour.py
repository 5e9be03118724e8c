"""The region's figures of demand served from a neighbouring territory's site.

:func:`coverage.pipeline.regionborder.neighbour_reach` finds the demand points of each
territory that its own network leaves unserved for want of signal and that an access site of
another territory reaches at the territory's own service threshold, each point once. These
functions add them to the region's tables (:func:`add_neighbour`) and say in the report
what they model (:data:`NEIGHBOUR_LIMITS`, :func:`neighbour_markdown`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["NEIGHBOUR_LIMITS", "add_neighbour", "neighbour_markdown", "overload_warnings"]

#: What the border pass models and what not, said in the report and in region.json.
NEIGHBOUR_LIMITS = (
    "After the territory plans, each chosen access site of a territory within its "
    "technology's range of another territory's demand is predicted at that territory's "
    "points its own network leaves unserved for want of signal (blocked by terrain, out of "
    "range, weak signal), with that territory's propagation model, terrain (its area plus "
    "margin_m), clutter, terminal and service threshold. A point reached at or above the "
    "threshold is counted once, by its strongest site of any neighbour, as served from a "
    "neighbouring territory's site. The territory plans are not changed.",
    "The extra busy-hour downlink load of those points is added to the serving site's own "
    "and compared with its capacity, at the rate its own users' links give it (ASSUMPTION: "
    "the added points' SINR is not computed): only the points its spare capacity carries "
    "are counted, strongest first, and a site they would overload is a warning (exit "
    "status 3). Not modelled: the uplink load, interference "
    "and the SINR part of the service "
    "definition (the signal threshold only), the site's own sector azimuths and tilt (the "
    "territory's model fits a tilt; exact for an omni antenna), the backhaul of the extra "
    "traffic, and points unserved for their uplink, interference, capacity or backhaul.",
)

#: The columns :func:`add_neighbour` adds.
_ADDED = (
    "people_from_neighbour",
    "households_from_neighbour",
    "people_served_region",
    "share_served_region",
    "people_served_any_region",
)


def add_neighbour(table: pd.DataFrame, neighbour: pd.DataFrame, by: Sequence[str]) -> pd.DataFrame:
    """A region table with the people and households served from a neighbour's site.

    Parameters
    ----------
    table
        :func:`~coverage.outputs.regionsummary.territory_table` (``by`` = territory; its
        "region" row gets the sums) or
        :func:`~coverage.outputs.regionsummary.subdivision_table` (``by`` = territory,
        subdivision_id).
    neighbour
        The points (:data:`coverage.pipeline.regionborder.NEIGHBOUR_COLUMNS`); those not
        ``counted`` (beyond their site's spare capacity) add nothing.
    by
        The key columns shared by both.

    Returns
    -------
    pandas.DataFrame
        ``table`` with ``people_from_neighbour``, ``households_from_neighbour``,
        ``people_served_region`` (by the territory's network or a neighbour's site, each
        point once), ``share_served_region`` and ``people_served_any_region`` (by any
        service, or a neighbour's site where no service reached the point before).
    """
    out = table.copy()
    keys = list(by)
    if not len(out):
        return out
    n = neighbour.copy()
    if "people" not in n.columns:  # no border pass
        n = pd.DataFrame(columns=[*keys, "people", "households", "served_any_before"])
    if "counted" in n.columns:  # only what the serving site's spare capacity carries
        n = n[n["counted"].astype(bool)]
    n["newly_any"] = n["people"].where(~n["served_any_before"].astype(bool), 0.0)
    sums = n.groupby(keys)[["people", "households", "newly_any"]].sum().reset_index()
    if "subdivision_id" in keys:
        sums["subdivision_id"] = sums["subdivision_id"].map(str)
        out["subdivision_id"] = out["subdivision_id"].map(str)
    merged = (
        out[keys]
        .merge(sums, on=keys, how="left")
        .fillna({"people": 0.0, "households": 0.0, "newly_any": 0.0})
    )
    people = np.array(merged["people"], dtype=float)  # copies, written below
    households = np.array(merged["households"], dtype=float)
    newly = np.array(merged["newly_any"], dtype=float)
    if "territory" in out.columns and not {"subdivision_id"} & set(keys):
        total = out["territory"].eq("region").to_numpy()
        people[total], households[total] = people[~total].sum(), households[~total].sum()
        newly[total] = newly[~total].sum()
    out["people_from_neighbour"] = people
    out["households_from_neighbour"] = households
    out["people_served_region"] = out["people_served_network"] + people
    out["share_served_region"] = out["people_served_region"] / out["people"].where(
        out["people"] > 0
    )
    out["people_served_any_region"] = out["people_served_any"] + newly
    return out


def neighbour_markdown(
    neighbour: pd.DataFrame,
    notes: Sequence[str],
    table: Callable[[pd.DataFrame], list[str]],
    heading: str = "Served from a neighbouring territory's site",
    statements: Sequence[str] = NEIGHBOUR_LIMITS,
    load: pd.DataFrame | None = None,
) -> list[str]:
    """The report's section on the points served from a neighbour's site.

    Parameters
    ----------
    neighbour
        The points (:data:`coverage.pipeline.regionborder.NEIGHBOUR_COLUMNS`).
    notes
        What the border pass did not predict.
    table
        The report's Markdown table writer.
    heading
        The section's heading.
    statements
        What the pass models and what not (default :data:`NEIGHBOUR_LIMITS`, English).
    load
        The extra load on each serving site
        (:func:`coverage.pipeline.regionborder.extra_load`), or None.

    Returns
    -------
    list of str
        Markdown lines.
    """
    lines: list[str] = [f"## {heading}", "", *[f"- {t}" for t in statements], ""]
    shown: Any = neighbour.drop(columns=["served_any_before"], errors="ignore")
    lines += [*table(shown), ""]
    if load is not None and len(load):
        lines += [*table(load), ""]
    if notes:
        lines += [*[f"- {n}" for n in notes], ""]
    return lines


def overload_warnings(load: pd.DataFrame) -> tuple[str, ...]:
    """One sentence per site a neighbour's points would overload.

    Parameters
    ----------
    load
        :func:`coverage.pipeline.regionborder.extra_load`'s table (an empty frame: none).

    Returns
    -------
    tuple of str
        Empty when no site is overloaded.
    """
    if "overloaded" not in load.columns:
        return ()
    rows = load[load["overloaded"].astype(bool)].to_dict("records")
    out = []
    for r in rows:
        extra, offered = float(r["extra_downlink_mbps"]), float(r["offered_downlink_mbps"])
        counted = int(r["points_counted"]) if "points_counted" in r else 0
        out.append(
            f"{r['territory']}'s site {r['site_id']} would carry {extra:,.1f} Mbps more at the "
            f"busy hour for {int(r['points'])} point(s) of a neighbouring territory: "
            f"{offered + extra:,.1f} Mbps offered, over its "
            f"{float(r['capacity_downlink_mbps']):,.1f} Mbps capacity; only the "
            f"{counted} its spare capacity carries are counted as served from it"
        )
    return tuple(out)
