"""The backhaul graph: which candidate sites can link to each other and to fibre.

Nodes are candidate sites and points of presence (PoP, where fibre is); an edge is a
feasible point-to-point link: line of sight with at least ``min_clearance_ratio`` of the
first Fresnel zone clear (ITU-R P.530-18 section 2.2.2) at some mast height, within
``max_link_m``. Each edge carries

* ``length_m``: horizontal length;
* ``min_height_m``: the lowest mast option (both ends at that height; a PoP at its own
  fixed height) at which the link is clear. Raising either end only raises the line of sight
  above every profile point, so the link stays clear at any taller masts;
* ``clearance_ratio``: worst first-Fresnel clearance / radius at ``min_height_m``;
* ``margin_db``: received SNR above the SNR of the lowest rate of the rate table, from a
  free-space link budget (ITU-R P.525-4) - a clear link has no diffraction loss;
* ``capacity_mbps``: net throughput from an SNR-to-rate table (:data:`RATE_TABLE_5GHZ`).

The graph is plain networkx: ``G.graph["crs"]`` holds the CRS; node attributes ``x``, ``y``,
``role`` ("candidate" or "pop"), ``name``, ``ground_elevation_m``, ``mast_height_m`` (PoPs).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import shapely
from numpy.typing import ArrayLike, NDArray
from scipy.spatial import cKDTree

from coverage.errors import InputError
from coverage.inputs.terrain import Terrain
from coverage.radio.clearance import ClearanceSettings, link_clearances
from coverage.radio.losses import free_space_loss_db
from coverage.radio.technology import noise_floor_dbm

__all__ = [
    "LINK_COLUMNS",
    "RATE_TABLE_5GHZ",
    "SITE_COLUMNS",
    "LinkBudget",
    "LinkSettings",
    "candidate_link_graph",
    "capacity_mbps",
    "graph_to_gdfs",
    "hops_to_pop",
    "links_to_graph",
]

log = logging.getLogger(__name__)

#: Columns of the links GeoDataFrame (as coverage.plan documents them).
LINK_COLUMNS = ("site_a", "site_b", "length_m", "clearance_ratio", "margin_db", "capacity_mbps")
#: Columns of the sites GeoDataFrame (as coverage.plan documents them).
SITE_COLUMNS = (
    "site_id",
    "role",
    "name",
    "mast_height_m",
    "ground_elevation_m",
    "cost_usd",
    "people_covered",
    "schools_covered",
    "reaches_pop",
    "hops_to_pop",
)

#: (minimum SNR dB, PHY rate Mbps) of IEEE 802.11ac VHT MCS 0-9, 80 MHz, 2 spatial streams,
#: 800 ns guard interval (rates: IEEE Std 802.11ac-2013, Table 22-30). The SNR thresholds are
#: ILLUSTRATIVE planning values of the kind vendor data sheets give (receiver sensitivity
#: minus the thermal noise floor); replace them with the chosen radio's table.
RATE_TABLE_5GHZ: tuple[tuple[float, float], ...] = (
    (5.0, 58.5),
    (8.0, 117.0),
    (11.0, 175.5),
    (14.0, 234.0),
    (18.0, 351.0),
    (22.0, 468.0),
    (24.0, 526.5),
    (26.0, 585.0),
    (30.0, 702.0),
    (32.0, 780.0),
)


@dataclass(frozen=True)
class LinkBudget:
    """Point-to-point radio parameters for the backhaul link budget.

    Defaults are ILLUSTRATIVE for a 5.8 GHz dish link (25 dBm conducted power, 25 dBi
    dishes, 80 MHz channel, 6 dB noise figure, 2 dB cable/connector loss per link).
    ``mac_efficiency`` turns PHY rate into net throughput (about 0.6 for 802.11 TDD/CSMA
    point-to-point links; a simplification).

    Attributes
    ----------
    f_mhz
        Link frequency (MHz).
    tx_power_dbm
        Conducted transmit power (dBm).
    antenna_gain_dbi
        Gain of each of the two dishes (dBi).
    bandwidth_mhz
        Channel bandwidth (MHz), for the thermal noise floor.
    noise_figure_db
        Receiver noise figure (dB).
    misc_loss_db
        Cable and connector loss of the whole link (dB).
    mac_efficiency
        Net throughput / PHY rate (0-1).
    rate_table
        (minimum SNR dB, PHY rate Mbps) pairs, e.g. :data:`RATE_TABLE_5GHZ`.
    """

    f_mhz: float = 5800.0
    tx_power_dbm: float = 25.0
    antenna_gain_dbi: float = 25.0
    bandwidth_mhz: float = 80.0
    noise_figure_db: float = 6.0
    misc_loss_db: float = 2.0
    mac_efficiency: float = 0.6
    rate_table: tuple[tuple[float, float], ...] = RATE_TABLE_5GHZ

    def snr_db(self, distance_m: ArrayLike) -> NDArray[np.float64]:
        """SNR (dB) of a clear link: free-space loss (ITU-R P.525-4, eq. 4) and thermal noise
        ``-174 dBm/Hz + 10 log10(B) + NF``.

        Parameters
        ----------
        distance_m
            Link lengths (m), scalar or array; lengths under 1 m count as 1 m.

        Returns
        -------
        numpy.ndarray
            SNR (dB), the shape of ``distance_m``.
        """
        d_m = np.maximum(np.asarray(distance_m, dtype=np.float64), 1.0)
        fspl_db = free_space_loss_db(d_m, self.f_mhz)
        rx_dbm = self.tx_power_dbm + 2.0 * self.antenna_gain_dbi - self.misc_loss_db - fspl_db
        noise_dbm = noise_floor_dbm(self.bandwidth_mhz, self.noise_figure_db)
        return np.asarray(rx_dbm - noise_dbm)


def capacity_mbps(
    snr_db: ArrayLike,
    rate_table: Sequence[tuple[float, float]] = RATE_TABLE_5GHZ,
    *,
    mac_efficiency: float = 1.0,
) -> NDArray[np.float64]:
    """Highest rate (Mbps) of the table whose SNR threshold the SNR meets; 0 below all.

    Parameters
    ----------
    snr_db
        Link SNR (dB), scalar or array.
    rate_table
        (minimum SNR dB, PHY rate Mbps) pairs, in any order.
    mac_efficiency
        Factor on the PHY rate (1: the PHY rate; :attr:`LinkBudget.mac_efficiency` for net
        throughput).

    Returns
    -------
    numpy.ndarray
        Rate (Mbps), the shape of ``snr_db``.
    """
    snr = np.asarray(snr_db, dtype=np.float64)
    table = sorted(rate_table)
    thr = np.array([t for t, _ in table])
    rates = np.r_[0.0, [r for _, r in table]]
    idx = np.searchsorted(thr, snr, side="right")
    return np.asarray(rates[idx] * mac_efficiency)


def links_to_graph(nodes: pd.DataFrame, links: pd.DataFrame, *, crs: Any = None) -> nx.Graph:
    """Build the candidate link graph from a node table and a table of feasible links.

    Parameters
    ----------
    nodes
        One row per node: ``candidate_id`` (the node key); optional ``role`` ("pop" for a
        point of presence, default "candidate"), ``name``, ``ground_elevation_m``,
        ``mast_height_m`` and either a Point ``geometry`` or ``x``/``y`` columns (m).
    links
        One row per feasible link: ``site_a``, ``site_b`` (node keys), ``length_m``,
        ``min_height_m``, ``clearance_ratio``, ``margin_db``, ``capacity_mbps``.
    crs
        Stored as ``G.graph["crs"]`` (default: ``nodes.crs`` when it has one).

    Returns
    -------
    networkx.Graph
        Node and edge attributes as the module docstring lists them; each node also holds
        ``index``, its row in ``nodes``.

    Raises
    ------
    InputError
        A link names a node that is not in ``nodes``.
    """
    G = nx.Graph(crs=crs if crs is not None else getattr(nodes, "crs", None))
    if "geometry" in nodes.columns:
        xs, ys = nodes.geometry.x.to_numpy(), nodes.geometry.y.to_numpy()
    else:
        xs, ys = nodes["x"].to_numpy(), nodes["y"].to_numpy()
    for i, rec in enumerate(
        pd.DataFrame(nodes).drop(columns="geometry", errors="ignore").to_dict("records")
    ):
        key = rec["candidate_id"]
        G.add_node(
            key,
            x=float(xs[i]),
            y=float(ys[i]),
            role=str(rec.get("role", "candidate") or "candidate"),
            name=str(rec.get("name", key)),
            ground_elevation_m=float(rec.get("ground_elevation_m", math.nan)),
            mast_height_m=float(rec.get("mast_height_m", math.nan)),
            index=i,
        )
    missing = (set(links["site_a"]) | set(links["site_b"])) - set(G.nodes) if len(links) else set()
    if missing:
        msg = f"links name nodes {sorted(map(str, missing))[:5]} that are not in the node table."
        raise InputError(msg)
    attrs = ["length_m", "min_height_m", "clearance_ratio", "margin_db", "capacity_mbps"]
    for lk in links[["site_a", "site_b", *attrs]].to_dict("records"):
        G.add_edge(lk["site_a"], lk["site_b"], **{a: float(lk[a]) for a in attrs})
    return G


@dataclass(frozen=True)
class LinkSettings:
    """Which candidate pairs make a feasible backhaul link.

    Attributes
    ----------
    f_mhz
        Backhaul frequency (MHz), for the Fresnel zone and the default link budget.
    max_link_m
        Longest link considered (m).
    min_clearance_ratio
        Required clear fraction of the first Fresnel zone (0.6: ITU-R P.530).
    k_factor
        Effective Earth-radius factor for the bulge (4/3: standard atmosphere).
    pop_height_m
        Antenna height (m) of PoPs without a ``mast_height_m`` value.
    min_capacity_mbps
        Links whose budget gives less (Mbps) are left out.

    Raises
    ------
    InputError
        A frequency, link length or k-factor that is not positive, or a negative clearance
        ratio, PoP height or capacity.
    """

    f_mhz: float = 5800.0
    max_link_m: float = 15_000.0
    min_clearance_ratio: float = 0.6
    k_factor: float = 4.0 / 3.0
    pop_height_m: float = 30.0
    min_capacity_mbps: float = 1.0

    def __post_init__(self) -> None:
        """Refuse the first field out of range, naming it."""
        for name in ("f_mhz", "max_link_m", "k_factor"):
            value = getattr(self, name)
            if not value > 0:
                msg = f"LinkSettings.{name} must be positive, got {value}; give a value above 0."
                raise InputError(msg)
        for name in ("min_clearance_ratio", "pop_height_m", "min_capacity_mbps"):
            value = getattr(self, name)
            if not value >= 0:
                msg = f"LinkSettings.{name} must not be negative, got {value}; give 0 or more."
                raise InputError(msg)


class _Nodes(NamedTuple):
    """The node table of :func:`candidate_link_graph` as arrays, in row order."""

    table: pd.DataFrame  # the nodes, index reset
    ids: NDArray[np.str_]  # candidate_id as strings
    is_pop: NDArray[np.bool_]
    fixed_m: NDArray[np.float64]  # antenna height of a PoP (m), NaN for candidates
    xy: NDArray[np.float64]  # (n, 2) coordinates (m)


def _node_arrays(terrain: Terrain, nodes: gpd.GeoDataFrame, pop_height_m: float) -> _Nodes:
    """Roles, fixed PoP heights and coordinates; every node must lie on the terrain."""
    df = nodes.reset_index(drop=True)
    n = len(df)
    role = (
        (df["role"] if "role" in df.columns else pd.Series(["candidate"] * n))
        .fillna("candidate")
        .astype(str)
    )
    is_pop = (role == "pop").to_numpy()
    fixed = np.full(n, np.nan)
    if "mast_height_m" in df.columns:
        fixed = df["mast_height_m"].to_numpy(dtype=np.float64, na_value=np.nan)
    fixed = np.where(is_pop & ~np.isfinite(fixed), pop_height_m, fixed)
    fixed = np.where(is_pop, fixed, np.nan)
    xy = np.column_stack([df.geometry.x.to_numpy(), df.geometry.y.to_numpy()])
    inside = terrain.contains(xy[:, 0], xy[:, 1])
    if not inside.all():
        bad = df.loc[~inside, "candidate_id"].astype(str).tolist()[:5]
        msg = f"nodes {bad} lie outside the terrain grid; enlarge the terrain margin."
        raise InputError(msg)
    ids = df["candidate_id"].astype(str).to_numpy()
    return _Nodes(df, ids, is_pop, fixed, xy)


def _clear_pairs(
    terrain: Terrain,
    nodes: _Nodes,
    heights: list[float],
    settings: LinkSettings,
    f_mhz: float,
) -> tuple[NDArray[np.int64], NDArray[np.float64], NDArray[np.float64]]:
    """Pairs within range that are clear at some mast height, with that lowest height (m)
    and the clearance ratio there; at least one end of each pair is a candidate."""
    is_pop, fixed, xy = nodes.is_pop, nodes.fixed_m, nodes.xy
    pairs = np.array(sorted(cKDTree(xy).query_pairs(settings.max_link_m)), dtype=np.int64)
    pairs = pairs.reshape(-1, 2)
    pairs = pairs[~(is_pop[pairs[:, 0]] & is_pop[pairs[:, 1]])]
    min_h = np.full(len(pairs), np.nan)
    ratio = np.full(len(pairs), np.nan)
    todo = np.arange(len(pairs))
    for h in reversed(heights):  # tallest first; only pairs clear there are tried lower
        if todo.size == 0:
            break
        a, b = pairs[todo, 0], pairs[todo, 1]
        ha = np.where(is_pop[a], fixed[a], h)
        hb = np.where(is_pop[b], fixed[b], h)
        res = link_clearances(
            terrain,
            xy[a],
            ha,
            xy[b],
            hb,
            settings=ClearanceSettings(f_mhz=f_mhz, k_factor=settings.k_factor),
        )
        clear = res["clearance_ratio"].to_numpy() >= settings.min_clearance_ratio
        ok = res["los"].to_numpy(bool) & clear
        min_h[todo[ok]] = h
        ratio[todo[ok]] = res["clearance_ratio"].to_numpy()[ok]
        todo = todo[ok]
    return pairs, min_h, ratio


def candidate_link_graph(
    terrain: Terrain,
    nodes: gpd.GeoDataFrame,
    heights_m: Sequence[float],
    settings: LinkSettings = LinkSettings(),
    *,
    link_budget: LinkBudget | None = None,
) -> nx.Graph:
    """Feasible backhaul links among candidates and points of presence, from the terrain.

    Parameters
    ----------
    terrain
        Terrain grid in the working CRS.
    nodes
        Candidates plus PoP rows (``candidate_id`` key; ``role`` == "pop" marks a PoP, whose
        ``mast_height_m`` is fixed, default ``settings.pop_height_m``).
    heights_m
        Mast height options of the candidates (m).
    settings
        Frequency (MHz), longest link (m), Fresnel clearance ratio, k-factor, PoP height
        (m) and least capacity (Mbps).
    link_budget
        Radio parameters (default :class:`LinkBudget` at ``settings.f_mhz``); its own
        frequency is used for the Fresnel zone.

    Returns
    -------
    networkx.Graph
        See the module docstring for the attributes.

    Raises
    ------
    InputError
        Mast heights that are not positive, or nodes outside the terrain grid.
    """
    lb = link_budget if link_budget is not None else LinkBudget(f_mhz=settings.f_mhz)
    heights = sorted({float(h) for h in heights_m})
    if not heights or heights[0] <= 0:
        msg = f"heights_m must hold positive mast heights, got {list(heights_m)}."
        raise InputError(msg)
    nd = _node_arrays(terrain, nodes, settings.pop_height_m)
    pairs, min_h, ratio = _clear_pairs(terrain, nd, heights, settings, lb.f_mhz)
    good = np.isfinite(min_h)
    pairs, min_h, ratio = pairs[good], min_h[good], ratio[good]
    length = np.hypot(*(nd.xy[pairs[:, 0]] - nd.xy[pairs[:, 1]]).T)
    snr = lb.snr_db(length)
    cap = capacity_mbps(snr, lb.rate_table, mac_efficiency=lb.mac_efficiency)
    floor = min(t for t, _ in lb.rate_table)
    keep = cap >= settings.min_capacity_mbps
    links = pd.DataFrame(
        {
            "site_a": nd.ids[pairs[keep, 0]],
            "site_b": nd.ids[pairs[keep, 1]],
            "length_m": length[keep],
            "min_height_m": min_h[keep],
            "clearance_ratio": ratio[keep],
            "margin_db": snr[keep] - floor,
            "capacity_mbps": cap[keep],
        }
    )
    node_tab = nd.table.assign(
        role=np.where(nd.is_pop, "pop", "candidate"), mast_height_m=nd.fixed_m, candidate_id=nd.ids
    )
    G = links_to_graph(node_tab, links, crs=nodes.crs)
    G.graph.update(
        f_mhz=lb.f_mhz,
        max_link_m=settings.max_link_m,
        k_factor=settings.k_factor,
        min_clearance_ratio=settings.min_clearance_ratio,
        heights_m=tuple(heights),
    )
    log.info(
        "candidate_link_graph: %d nodes, %d feasible links of %d pairs within %.0f m",
        G.number_of_nodes(),
        G.number_of_edges(),
        len(good),
        settings.max_link_m,
    )
    return G


def hops_to_pop(G: nx.Graph, pop_node: Hashable | Iterable[Hashable]) -> dict[Hashable, int]:
    """Fewest links from each node to the nearest PoP; unreachable nodes are left out.

    Parameters
    ----------
    G
        The link graph (or a built network).
    pop_node
        Node key of the point of presence, or several keys.

    Returns
    -------
    dict
        Node key -> number of links (0 at a PoP).

    Raises
    ------
    InputError
        A PoP key that is not a node of ``G``.
    """
    pops = [pop_node] if pop_node in G else list(pop_node)  # type: ignore[arg-type]
    missing = [p for p in pops if p not in G]
    if missing:
        msg = f"point of presence {missing} is not a node of the graph."
        raise InputError(msg)
    return dict(nx.multi_source_dijkstra_path_length(G, pops, weight=lambda u, v, d: 1))


def graph_to_gdfs(G: nx.Graph, crs: Any = None) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """The sites and links of a (built) network graph as GeoDataFrames.

    Columns follow :mod:`coverage.plan`: sites have :data:`SITE_COLUMNS` (node attributes
    of the same names; missing ones default to NaN/0/"" and ``hops_to_pop`` is computed);
    links have :data:`LINK_COLUMNS` and a LineString geometry.

    Parameters
    ----------
    G
        The network graph; nodes need ``x`` and ``y`` (m).
    crs
        CRS of the frames (default: ``G.graph["crs"]``).

    Returns
    -------
    sites, links
        One row per node (``hops_to_pop`` -1 and ``reaches_pop`` False where no link path
        leads to a PoP) and one per edge (``site_a`` < ``site_b`` as strings).
    """
    crs = crs if crs is not None else G.graph.get("crs")
    pops = [v for v, d in G.nodes(data=True) if d.get("role") == "pop"]
    hops = hops_to_pop(G, pops) if pops else {}
    rows = []
    for v, d in G.nodes(data=True):
        rows.append(
            {
                "site_id": str(v),
                "role": d.get("role", "access"),
                "name": d.get("name", str(v)),
                "mast_height_m": float(d.get("mast_height_m", math.nan)),
                "ground_elevation_m": float(d.get("ground_elevation_m", math.nan)),
                "cost_usd": float(d.get("cost_usd", 0.0)),
                "people_covered": float(d.get("people_covered", 0.0)),
                "schools_covered": int(d.get("schools_covered", 0)),
                "reaches_pop": v in hops,
                "hops_to_pop": int(hops.get(v, -1)),
                "geometry": shapely.Point(d["x"], d["y"]),
            }
        )
    sites = gpd.GeoDataFrame(
        rows, columns=[*SITE_COLUMNS, "geometry"], geometry="geometry", crs=crs
    )
    lrows = []
    for u, v, e in G.edges(data=True):
        a, b = sorted((str(u), str(v)))
        pa, pb = (G.nodes[u], G.nodes[v]) if str(u) == a else (G.nodes[v], G.nodes[u])
        lrows.append(
            {
                "site_a": a,
                "site_b": b,
                "length_m": float(e.get("length_m", math.nan)),
                "clearance_ratio": float(e.get("clearance_ratio", math.nan)),
                "margin_db": float(e.get("margin_db", math.nan)),
                "capacity_mbps": float(e.get("capacity_mbps", math.nan)),
                "geometry": shapely.LineString([(pa["x"], pa["y"]), (pb["x"], pb["y"])]),
            }
        )
    links = gpd.GeoDataFrame(
        lrows, columns=[*LINK_COLUMNS, "geometry"], geometry="geometry", crs=crs
    )
    return sites, links
