"""Stage 5b: the built backhaul links' traffic, channels, capacity and rain availability.

Once the placement has chosen the links, this stage, in order:

1. routes each access site's carried busy-hour traffic (downlink plus uplink: the links
   are time-division duplex) along its fewest-hop path to the point of presence;
2. gives each link a channel of the 5725-5850 MHz band so that links sharing a site never
   share one: of the width the placement chose
   (:func:`coverage.planning.channels.assign_planned_channels`), or else the widest the
   site's link count allows (:func:`coverage.planning.channels.assign_link_channels`);
3. computes each link's net capacity on that width
   (:func:`coverage.planning.channels.link_capacity_mbps`, the link budget's SNR);
4. computes the fade margin above the lowest rate and the rain availability it buys (ITU-R
   P.530 section 2.4.1 with P.838-3, :func:`coverage.radio.rain.rain_availability_pct`).

The placement chooses each link's width (20, 40 or 80 MHz) with its capacity, the widths at
a site within the 80 MHz of channel 155 (:mod:`coverage.planning.channels`), and step 2
gives each link a channel of that width; a link that still carries more than its channel's
capacity (the carried traffic here is the sites' dimensioned load, the placement's is an
upper bound of it), or gets no channel (a plan that is not a tree), is a warning of the
plan. Simplified: no multipath
fading (P.530 section 2.3), no interference between links on the same channel at
different sites.
"""

from __future__ import annotations

import itertools
from collections.abc import Hashable, Mapping

import geopandas as gpd
import networkx as nx
import numpy as np
from numpy.typing import NDArray

from coverage.planning.channels import (
    BAND_5_8GHZ,
    ChannelPlan,
    assign_link_channels,
    assign_planned_channels,
    link_capacity_mbps,
    scaled_rate_table,
)
from coverage.planning.linkgraph import LinkBudget
from coverage.radio.rain import rain_availability_pct

__all__ = ["LINK_RADIO_COLUMNS", "link_radios"]

#: The columns :func:`link_radios` adds to the links table.
LINK_RADIO_COLUMNS = (
    "traffic_mbps",
    "channel",
    "centre_mhz",
    "bandwidth_mhz",
    "channel_capacity_mbps",
    "fade_margin_db",
    "rain_availability_pct",
)


def _link_traffic_mbps(
    links: gpd.GeoDataFrame, graph: nx.Graph, pop: Hashable, site_mbps: Mapping[str, float]
) -> np.ndarray:
    """Traffic (Mbps) on each link: every access site's along its fewest-hop path to the PoP."""
    on: dict[frozenset[Hashable], float] = {}
    if pop in graph:
        for site, mbps in sorted(site_mbps.items()):
            if site in graph and nx.has_path(graph, site, pop):
                path = nx.shortest_path(graph, site, pop)
                for a, b in itertools.pairwise(path):
                    key = frozenset((a, b))
                    on[key] = on.get(key, 0.0) + float(mbps)
    return np.array(
        [
            on.get(frozenset((a, b)), 0.0)
            for a, b in zip(links["site_a"], links["site_b"], strict=True)
        ]
    )


def link_radios(
    links: gpd.GeoDataFrame,
    graph: nx.Graph,
    pop: Hashable,
    site_mbps: Mapping[str, float],
    budget: LinkBudget,
    r001_mm_h: float,
    *,
    band: ChannelPlan = BAND_5_8GHZ,
    planned_mhz: NDArray[np.float64] | None = None,
) -> tuple[gpd.GeoDataFrame, list[str]]:
    """The plan's links with their traffic, channel, capacity and rain availability.

    Parameters
    ----------
    links
        The built links: ``site_a``, ``site_b``, ``length_m`` (m).
    graph
        The built network (sites and links), for the routes to the PoP.
    pop
        The PoP's node id.
    site_mbps
        Busy-hour traffic (Mbps, both directions) each access site carries, by site id.
    budget
        The link radios (power, dishes, noise figure, rate table at its bandwidth).
    r001_mm_h
        Rain rate exceeded 0.01 % of the year (mm/h), ITU-R P.837.
    band
        The band of the channel plan.
    planned_mhz
        The channel width (MHz) the placement chose for each link
        (:func:`coverage.planning.channels.assign_planned_channels` then gives each link a
        channel of that width); None, or a NaN for any link: the widths by the sites' link
        counts (:func:`coverage.planning.channels.assign_link_channels`).

    Returns
    -------
    links, warnings
        The links with :data:`LINK_RADIO_COLUMNS` (Mbps, MHz, dB, %), and one warning per
        link over its channel's capacity or without a channel.
    """
    out = links.copy()
    out["traffic_mbps"] = _link_traffic_mbps(links, graph, pop, site_mbps)
    if len(out) == 0:
        for c in LINK_RADIO_COLUMNS[1:]:
            out[c] = np.zeros(0)
        return out, []
    table = out[["site_a", "site_b", "traffic_mbps"]]
    if planned_mhz is not None and np.isfinite(planned_mhz).all():
        channels = assign_planned_channels(table.assign(width_mhz=planned_mhz), plan=band)
    else:
        channels = assign_link_channels(table, plan=band)
    for c in ("channel", "centre_mhz", "bandwidth_mhz"):
        out[c] = channels[c].to_numpy()
    length_m = out["length_m"].to_numpy(dtype=np.float64)
    snr = budget.snr_db(length_m)  # over the budget's (table's) bandwidth
    width = out["bandwidth_mhz"].to_numpy(dtype=np.float64)
    out["channel_capacity_mbps"] = link_capacity_mbps(
        snr, width, rate_table=budget.rate_table, table_bandwidth_mhz=budget.bandwidth_mhz,
        mac_efficiency=budget.mac_efficiency,
    )  # fmt: skip
    floor = np.array([_lowest_threshold_db(w, budget) for w in width])
    margin = snr - floor
    out["fade_margin_db"] = margin
    out["rain_availability_pct"] = np.where(
        np.isfinite(margin) & (margin >= 0),
        rain_availability_pct(
            budget.f_mhz / 1000.0, np.maximum(length_m, 1.0) / 1000.0, r001_mm_h,
            np.where(np.isfinite(margin), np.maximum(margin, 0.0), 0.0),
        ),
        np.nan,
    )  # fmt: skip
    return out, _warnings(out, channels["conflict"].to_numpy(dtype=bool))


def _lowest_threshold_db(width_mhz: float, budget: LinkBudget) -> float:
    """SNR (dB, over the budget's bandwidth) of the lowest rate on a channel of this width."""
    if not np.isfinite(width_mhz):
        return float("nan")
    table = scaled_rate_table(
        float(width_mhz), budget.rate_table, table_bandwidth_mhz=budget.bandwidth_mhz
    )
    return float(min(t for t, _ in table))


def _warnings(links: gpd.GeoDataFrame, conflict: np.ndarray) -> list[str]:
    """One line per link without a channel or carrying more than its channel's capacity."""
    out = []
    for r, bad in zip(links.itertuples(), conflict, strict=True):
        name = f"{r.site_a}-{r.site_b}"
        if bad:
            out.append(
                f"Backhaul link {name} has no free channel in the band: its sites carry more "
                "links than the band has channels; reroute or add a band."
            )
        elif r.traffic_mbps > r.channel_capacity_mbps + 1e-9:
            out.append(
                f"Backhaul link {name} carries {r.traffic_mbps:.1f} Mbps at the busy hour but "
                f"its {r.bandwidth_mhz:g} MHz channel gives {r.channel_capacity_mbps:.1f} Mbps: "
                "add a link or a band there."
            )
    return out
