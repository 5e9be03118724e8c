"""A phased rollout's inputs: the checks of the one-shot plan's tables, and its paths to the PoP.

:func:`check_rollout_inputs` raises one :class:`~coverage.errors.InputError` naming every
column, id, cost and service :func:`coverage.planning.rollout.schedule_rollout` cannot use,
and how to fix it; :data:`ROLLOUT_COLUMNS` lists the columns each table needs.
:func:`paths_to_pop` gives each site the path to the point of presence it is built with.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping
from numbers import Integral

import networkx as nx
import pandas as pd

from coverage.errors import InputError

__all__ = ["ROLLOUT_COLUMNS", "SERVICES", "check_rollout_inputs", "paths_to_pop"]

#: The columns each table of :func:`~coverage.planning.rollout.schedule_rollout` needs.
ROLLOUT_COLUMNS: dict[str, tuple[str, ...]] = {
    "sites": ("site_id", "role", "cost_usd"),
    "links": ("site_a", "site_b"),
    "demand": ("demand_id", "vereda", "population", "households", "best_site", "service"),
    "satellite": ("demand_id", "households", "cost_usd"),
    "hotspots": ("hotspot_id", "host_id", "cost_usd"),
}

#: The service classes of a demand point that a rollout knows.
SERVICES = ("served_existing", "served_new", "served_hotspot", "served_satellite", "unserved")


def check_rollout_inputs(
    tables: Mapping[str, pd.DataFrame | None],
    graph: nx.Graph,
    pops: list[str],
    yearly_budget_usd: float,
    years: int,
) -> None:
    """Raise InputError for anything a rollout of these tables and this budget cannot use.

    Parameters
    ----------
    tables
        The tables of :func:`~coverage.planning.rollout.schedule_rollout` by name: "sites",
        "links", "demand" (DataFrames), "satellite" and "hotspots" (DataFrame or None).
    graph
        As for :func:`~coverage.planning.rollout.schedule_rollout`.
    pops
        The points of presence's site ids.
    yearly_budget_usd, years
        As for :func:`~coverage.planning.rollout.schedule_rollout`.

    Raises
    ------
    InputError
        Fewer than 1 whole year, a budget below 0 USD or not finite; a missing column; a
        repeated id; a cost below 0 or missing; an unknown role or service; a point of
        presence, graph node, graph edge, link end or best site that the tables lack; a
        served_satellite point without a satellite row, or a satellite row for another point;
        a served_hotspot point whose hotspot the hotspots table lacks, or a hotspot whose
        host has no best site.
        ``problems`` lists each problem found.
    """
    if isinstance(years, bool) or not isinstance(years, Integral) or years < 1:
        msg = f"years is {years!r}; give a whole number of years, 1 or more."
        raise InputError(msg)
    if not math.isfinite(float(yearly_budget_usd)) or yearly_budget_usd < 0:
        msg = f"yearly_budget_usd is {yearly_budget_usd!r}; give a finite budget, 0 USD or more."
        raise InputError(msg)
    tables = {name: tables.get(name) for name in ROLLOUT_COLUMNS}
    sites, links, demand = (tables[k] for k in ("sites", "links", "demand"))
    if sites is None or links is None or demand is None:
        msg = "a rollout needs the sites, links and demand tables."
        raise InputError(msg)
    satellite, hotspots = tables["satellite"], tables["hotspots"]
    problems = [
        f"{name} lacks the column(s) {_few(c for c in cols if c not in df.columns)}; add them "
        "(see schedule_rollout)."
        for name, df in tables.items()
        if df is not None and not set(cols := ROLLOUT_COLUMNS[name]) <= set(df.columns)
    ]
    if not problems:
        problems = _table_problems(tables) + _network_problems(sites, links, graph, pops)
        problems += _demand_problems(sites, demand, satellite)
        problems += _hotspot_problems(sites, demand, hotspots)
    if problems:
        raise InputError(" ".join(problems), problems)


def _few(values: Iterable[object]) -> str:
    """At most five values, sorted, for a message."""
    items = sorted(map(str, values))
    return ", ".join(items[:5]) + (f" and {len(items) - 5} more" if len(items) > 5 else "")


def _table_problems(tables: Mapping[str, pd.DataFrame | None]) -> list[str]:
    """Repeated ids, and costs below 0 or missing."""
    problems = []
    keys = (
        ("sites", "site_id"),
        ("demand", "demand_id"),
        ("satellite", "demand_id"),
        ("hotspots", "hotspot_id"),
    )
    for name, key in keys:
        df = tables[name]
        if df is None:
            continue
        ids = df[key].astype(str)
        if dup := set(ids[ids.duplicated()]):
            problems.append(f"{name} repeats the {key} {_few(dup)}; give each row its own.")
    for name in ("sites", "links", "satellite", "hotspots"):
        df = tables[name]
        if df is not None and "cost_usd" in df.columns:
            bad = int((~(pd.to_numeric(df["cost_usd"], errors="coerce") >= 0)).sum())
            if bad:
                problems.append(
                    f"{name}.cost_usd is missing or below 0 in {bad} row(s); give 0 USD or more."
                )
    return problems


def _network_problems(
    sites: pd.DataFrame, links: pd.DataFrame, graph: nx.Graph, pops: list[str]
) -> list[str]:
    """Unknown roles, and points of presence, nodes, edges or link ends the tables lack."""
    problems = []
    ids = set(sites["site_id"].astype(str))
    if roles := set(sites["role"].astype(str)) - {"access", "relay", "pop"}:
        problems.append(f"sites has the role(s) {_few(roles)}; use access, relay or pop.")
    nodes = {str(v) for v in graph.nodes}
    if lost := {p for p in pops if p not in ids or p not in nodes}:
        problems.append(f"The point of presence {_few(lost)} is not both in sites and the graph.")
    if extra := nodes - ids:
        problems.append(f"The graph has the node(s) {_few(extra)}, which sites lacks; add them.")
    ends = zip(links["site_a"].astype(str), links["site_b"].astype(str), strict=True)
    link_ids = {frozenset(e) for e in ends}
    edges = {frozenset((str(u), str(v))) for u, v in graph.edges}
    if stray := ["–".join(sorted(e)) for e in edges - link_ids]:
        problems.append(f"The graph has the edge(s) {_few(stray)}, which links lacks; add them.")
    if odd := {s for e in link_ids for s in e} - ids:
        problems.append(f"links names the site(s) {_few(odd)}, which sites lacks; add them.")
    return problems


def _demand_problems(
    sites: pd.DataFrame, demand: pd.DataFrame, satellite: pd.DataFrame | None
) -> list[str]:
    """Unknown services, best sites the sites lack, and satellite rows that do not match."""
    problems = []
    service = demand["service"].astype(str)
    if unknown := set(service) - set(SERVICES):
        problems.append(f"demand.service has {_few(unknown)}; use one of {', '.join(SERVICES)}.")
    best = set(demand.loc[service == "served_new", "best_site"].astype(str))
    if orphans := best - set(sites["site_id"].astype(str)):
        problems.append(f"served_new points name the best_site(s) {_few(orphans)}, not in sites.")
    wanted = set(demand.loc[service == "served_satellite", "demand_id"].astype(str))
    given = set() if satellite is None else set(satellite["demand_id"].astype(str))
    if wanted - given:
        problems.append(
            f"The served_satellite point(s) {_few(wanted - given)} have no row in satellite; "
            "give their kits' households and cost_usd."
        )
    if given - wanted:
        problems.append(f"satellite lists {_few(given - wanted)}, not served_satellite in demand.")
    return problems


def _hotspot_problems(
    sites: pd.DataFrame, demand: pd.DataFrame, hotspots: pd.DataFrame | None
) -> list[str]:
    """served_hotspot points without their hotspot, and hotspots whose host has no site."""
    hot = demand["service"].astype(str) == "served_hotspot"
    if "hotspot" not in demand.columns:
        if hot.any():
            return ["demand has served_hotspot points but no hotspot column; name their hotspot."]
        return []
    wanted = set(demand.loc[hot, "hotspot"].astype(str))
    given = set() if hotspots is None else set(hotspots["hotspot_id"].astype(str))
    problems = []
    if wanted - given:
        problems.append(
            f"The hotspot(s) {_few(wanted - given)} of served_hotspot points have no row in "
            "hotspots; give their host_id and cost_usd."
        )
    if hotspots is not None and len(hotspots):
        best = demand.set_index(demand["demand_id"].astype(str))["best_site"].astype(str)
        site = hotspots["host_id"].astype(str).map(best).fillna("")
        if lost := set(hotspots.loc[~site.isin(set(sites["site_id"].astype(str))), "hotspot_id"]):
            problems.append(
                f"The hotspot(s) {_few(lost)} have a host with no best_site in sites; a hotspot "
                "is fed by a site the plan builds."
            )
    return problems


def paths_to_pop(
    graph: nx.Graph, pops: list[str], site_ids: list[str]
) -> dict[str, tuple[tuple[str, ...], tuple[frozenset[str], ...]]]:
    """Each site's path to the nearest point of presence, in links.

    Of several paths with the fewest links, each hop goes to the neighbour with the smaller
    id, so the paths form one tree: the path of a site on another's path is a part of it.

    Parameters
    ----------
    graph
        The network: nodes are site ids (compared as text), edges the links.
    pops
        The points of presence's site ids.
    site_ids
        The sites to give a path.

    Returns
    -------
    dict
        Site id -> (the sites from it to its PoP, the links between them as frozensets of
        their ends); a site with no path to a PoP (or not in the graph): itself, no links.
    """
    g = nx.relabel_nodes(graph, {v: str(v) for v in graph.nodes}, copy=True)
    sources = {p for p in pops if p in g}
    hops = (
        dict(nx.multi_source_dijkstra_path_length(g, sources, weight=lambda u, v, d: 1))
        if sources
        else {}
    )
    parent = {
        v: min(u for u in g.neighbors(v) if hops.get(u) == h - 1) for v, h in hops.items() if h
    }
    paths = {}
    for s in site_ids:
        nodes = [s]
        while nodes[-1] in parent:
            nodes.append(parent[nodes[-1]])
        paths[s] = (tuple(nodes), tuple(frozenset(e) for e in itertools.pairwise(nodes)))
    return paths
