"""Greedy backhaul: join access sites to the point of presence along cheapest paths.

:func:`connect_to_pop` grows a tree from the PoP over a candidate link graph, one site at a
time, each along its cheapest hop-limited path (links, new relays and mast upgrades
priced together) that still has room for the site's traffic: every link of the tree
carries the traffic of the sites beyond it, within its capacity. It is the "connect" of
the greedy-then-connect baseline of :mod:`coverage.planning.backhaul.search`.
"""

from __future__ import annotations

import itertools
import logging
import math
from collections.abc import Hashable, Iterable, Mapping
from typing import Any, NamedTuple

import networkx as nx

__all__ = ["TreeLimits", "connect_to_pop"]

log = logging.getLogger(__name__)


class TreeLimits(NamedTuple):
    """Limits of the tree :func:`connect_to_pop` grows.

    Attributes
    ----------
    hop_limit
        Most links from a site to the PoP (None: the number of nodes).
    max_links_at_site
        Most links at any node, the PoP included (None: no limit): a path never leaves a
        tree node that already has that many (the band's channels, as the MILP's row).
    """

    hop_limit: int | None = None
    max_links_at_site: int | None = None


def connect_to_pop(
    G: nx.Graph,
    sites: Iterable[Hashable],
    pop_node: Hashable,
    *,
    site_height_m: Mapping[Any, float],
    relay_cost_usd: Mapping[Any, Mapping[float, float]],
    site_cost_usd: Mapping[Any, Mapping[float, float]],
    link_cost_usd: float,
    limits: TreeLimits | None = None,
) -> tuple[dict[Any, float], set[Any], list[tuple[Any, Any]]]:
    """Greedy backhaul: join sites to the PoP one by one along cheapest hop-limited paths.

    A heuristic (shortest-path Steiner tree in the spirit of Takahashi & Matsuyama 1980,
    "An approximate solution for the Steiner problem in graphs"): sites nearest (by cost)
    to the growing tree join first; a path's cost is its links plus new relays (at the
    lowest mast its links allow) plus any mast upgrade the links need at its ends.

    Capacity: a site with traffic ``traffic_mbps`` (a node attribute, Mbps) joins only
    along a path whose new links have at least that capacity (edge attribute
    ``capacity_mbps``, Mbps) and whose tree part to the PoP still has that much room; when
    its cheapest path has no room, the cheapest path with room is taken, and a site with no
    such path is left out (a site the tree already passes through then stays a relay).
    Without the attributes, traffic is 0 and capacity unlimited.

    Parameters
    ----------
    G
        Candidate link graph; edges carry ``min_height_m`` and optionally
        ``capacity_mbps``; sites optionally carry ``traffic_mbps``.
    sites
        Access sites to connect (nodes of ``G``; others are ignored).
    pop_node
        The point of presence.
    site_height_m
        Mast height (m) each site asks for (it may be raised for its links).
    relay_cost_usd
        Per node, cost (USD) of a relay by mast height (m).
    site_cost_usd
        Per node, cost (USD) of an access site by mast height (m).
    link_cost_usd
        Cost (USD) of one link.
    limits
        The hop limit and the most links at a node (:class:`TreeLimits`; None: none).

    Returns
    -------
    heights, relays, links
        Mast height (m) of every node used (sites and relays), the relay nodes and the
        links. Sites that cannot be connected are left out of ``heights``, or are relays
        when the tree passes through them.
    """
    lim = limits or TreeLimits()
    tree = _Tree(
        G,
        pop_node,
        _TreeCosts(site_height_m, relay_cost_usd, site_cost_usd, link_cost_usd),
        lim.hop_limit if lim.hop_limit is not None else G.number_of_nodes(),
        [s for s in sites if s in G],
        lim.max_links_at_site,
    )
    while tree.pending:
        best = tree.cheapest_paths()
        nxt = tree.cheapest_site(best)
        if nxt is None:
            log.warning(
                "connect_to_pop: %d sites cannot reach the PoP within %d hops",
                len(tree.pending),
                tree.hop_limit,
            )
            break
        tree.join_within_capacity(nxt[0], best)
    if tree.full:
        log.info("connect_to_pop: %d sites left out, their links full", len(tree.full))
    tree.heights.pop(pop_node, None)
    return tree.heights, tree.relays, tree.links


class _TreeCosts(NamedTuple):
    """The prices :func:`connect_to_pop` weighs (USD), and the mast each site asks for (m)."""

    site_height_m: Mapping[Any, float]
    relay_cost_usd: Mapping[Any, Mapping[float, float]]
    site_cost_usd: Mapping[Any, Mapping[float, float]]
    link_cost_usd: float


#: Cheapest known way to reach (node, depth): its cost (USD) and the (node, depth) before it
#: (None at the tree).
_Paths = dict[tuple[Hashable, int], tuple[float, Any]]


class _Tree:
    """The backhaul tree that :func:`connect_to_pop` grows from the PoP, one site at a time."""

    def __init__(
        self,
        G: nx.Graph,
        pop_node: Hashable,
        costs: _TreeCosts,
        hop_limit: int,
        pending: list[Hashable],
        max_degree: int | None = None,
    ) -> None:
        self.G = G
        self.pop_node = pop_node
        self.costs = costs
        self.hop_limit = hop_limit
        self.heights: dict[Hashable, float] = {pop_node: math.nan}
        self.depth: dict[Hashable, int] = {pop_node: 0}
        self.relays: set[Hashable] = set()
        self.links: list[tuple[Hashable, Hashable]] = []
        self.pending = pending
        self.pending_set = set(pending)
        self.parent: dict[Hashable, Hashable] = {}
        self.load_mbps: dict[Hashable, float] = {}  # traffic on the link to each node's parent
        self.full: list[Hashable] = []  # sites left out: no path with room for their traffic
        self.max_degree = max_degree
        self.degree: dict[Hashable, int] = {}

    def traffic(self, v: Hashable) -> float:
        """Busy-hour traffic (Mbps) of site ``v`` (0 when the graph gives none)."""
        return float(self.G.nodes[v].get("traffic_mbps", 0.0))

    def capacity(self, u: Hashable, v: Hashable) -> float:
        """Capacity (Mbps) of link ``u``-``v`` (unlimited when the graph gives none)."""
        return float(self.G[u][v].get("capacity_mbps", math.inf))

    def room(self, v: Hashable) -> float:
        """Traffic (Mbps) that tree node ``v`` can still send to the PoP."""
        free = math.inf
        while v in self.parent:
            u = self.parent[v]
            free = min(free, self.capacity(u, v) - self.load_mbps[v])
            v = u
        return free

    def join_within_capacity(self, s: Hashable, best: _Paths) -> None:
        """Join site ``s`` along its cheapest path with room for its traffic, or leave it
        out (a relay, when the tree already passes through it)."""
        t = self.traffic(s)
        if t > 0.0 and not self._cheapest_fits(s, best, t):
            best = self.cheapest_paths(min_mbps=t)
        depths = [d for d in range(self.hop_limit + 1) if (s, d) in best]
        if s in self.depth and self.room(s) >= t - 1e-9:
            self.attach(s, self.depth[s], best)
        elif s not in self.depth and depths:
            self.attach(s, min(depths, key=lambda d: (best[(s, d)][0], d)), best)
        else:
            self.pending.remove(s)
            self.pending_set.discard(s)
            self.full.append(s)
            if s in self.depth:  # the tree passes through it: it relays, serving nobody
                self.relays.add(s)
            return
        v = s
        while v in self.parent:
            self.load_mbps[v] += t
            v = self.parent[v]

    def _cheapest_fits(self, s: Hashable, best: _Paths, t: float) -> bool:
        """Whether the cheapest path of ``s`` (as :meth:`attach` would take it) has room
        for ``t`` Mbps: new links of that capacity, and room beyond the tree node it joins."""
        if s in self.depth:
            return self.room(s) >= t - 1e-9
        depths = [d for d in range(1, self.hop_limit + 1) if (s, d) in best]
        if not depths:
            return True  # nothing to check: the restricted search finds no path either
        state = (s, min(depths, key=lambda d: (best[(s, d)][0], d)))
        while (prev := best[state][1]) is not None:
            if self.capacity(prev[0], state[0]) < t - 1e-9:
                return False
            state = prev
        return self.room(state[0]) >= t - 1e-9

    def height_cost(self, v: Hashable, h: float) -> float:
        """Extra cost (USD) of node ``v`` carrying a link that needs masts of ``h`` m."""
        c = self.costs
        if v in self.heights:
            cur = self.heights[v]
            if not math.isfinite(cur) or h <= cur:
                return 0.0
            table = c.site_cost_usd[v] if v not in self.relays else c.relay_cost_usd[v]
            up = [x for hh, x in table.items() if hh >= h]
            return (min(up) - table[cur]) if up else math.inf
        if v in self.pending_set:  # an access site still to join: only a mast upgrade
            own = c.site_height_m[v]
            up = [x for hh, x in c.site_cost_usd[v].items() if hh >= max(h, own)]
            return (min(up) - c.site_cost_usd[v][own]) if up else math.inf
        up = [x for hh, x in c.relay_cost_usd.get(v, {}).items() if hh >= h]
        return min(up) if up else math.inf

    def cheapest_paths(self, min_mbps: float = 0.0) -> _Paths:
        """Bellman-Ford over (node, depth) from the tree, at most ``hop_limit`` hops deep;
        with ``min_mbps``, only from tree nodes with that much room and over links of at
        least that capacity (Mbps)."""
        starts = list(self.depth.items())
        if min_mbps > 0.0:
            starts = [(v, d) for v, d in starts if self.room(v) >= min_mbps - 1e-9]
        best: _Paths = dict.fromkeys(starts, (0.0, None))
        frontier = dict(best)
        for _ in range(self.hop_limit):
            frontier = self._relax(frontier, best, min_mbps)
            if not frontier:
                break
        return best

    def _relax(self, frontier: _Paths, best: _Paths, min_mbps: float) -> _Paths:
        """One Bellman-Ford step: the states ``frontier`` reaches more cheaply than before."""
        nxt: _Paths = {}
        for (u, d), (cu, _) in frontier.items():
            if d + 1 > self.hop_limit or not self._has_port(u):
                continue
            for v, e in self.G[u].items():
                if v in self.depth or e.get("capacity_mbps", math.inf) < min_mbps - 1e-9:
                    continue
                req = e["min_height_m"]
                c = (
                    cu
                    + self.costs.link_cost_usd
                    + self.height_cost(v, req)
                    + (self.height_cost(u, req) if u in self.depth else 0.0)
                )
                key = (v, d + 1)
                if c < best.get(key, (math.inf, None))[0] and c < math.inf:
                    best[key] = (c, (u, d))
                    nxt[key] = (c, (u, d))
        return nxt

    def _has_port(self, u: Hashable) -> bool:
        """Whether node ``u`` may take one more link (a node off the tree has none yet, and a
        path through it uses two)."""
        if self.max_degree is None:
            return True
        if u in self.depth:
            return self.degree.get(u, 0) < self.max_degree
        return self.max_degree >= 2

    def cheapest_site(self, best: _Paths) -> tuple[Hashable, int] | None:
        """The pending site cheapest to join (ties: by name) and its depth, or None."""
        costs = []
        for s in self.pending:
            opts = [(best[(s, d)][0], d) for d in range(1, self.hop_limit + 1) if (s, d) in best]
            if opts:
                c, d = min(opts, key=lambda t: (t[0], t[1]))
                costs.append((c, str(s), s, d))
        if not costs:
            return None
        _, _, s, d = min(costs, key=lambda t: (t[0], t[1]))
        return s, d

    def attach(self, s: Hashable, d: int, best: _Paths) -> None:
        """Join site ``s`` at depth ``d`` along its cheapest path, raising masts as needed."""
        self.pending.remove(s)
        self.pending_set.discard(s)
        path = [(s, d)]
        while best[path[-1]][1] is not None:
            path.append(best[path[-1]][1])
        for (v, dv), (u, _) in itertools.pairwise(path):
            req = self.G[u][v]["min_height_m"]
            for node in (u, v):
                if node != self.pop_node:
                    self._raise_mast(node, s, req)
            self.depth[v] = dv
            self.links.append((u, v))
            self.degree[u] = self.degree.get(u, 0) + 1
            self.degree[v] = self.degree.get(v, 0) + 1
            self.parent[v] = u
            self.load_mbps[v] = 0.0
        if s not in self.heights:
            self.heights[s] = self.costs.site_height_m[s]

    def _raise_mast(self, node: Hashable, site: Hashable, req: float) -> None:
        if node not in self.heights:
            if node == site or node in self.pending_set:
                self.heights[node] = max(self.costs.site_height_m[node], req)
            else:
                self.relays.add(node)
                self.heights[node] = req
        else:
            self.heights[node] = max(self.heights[node], req)
