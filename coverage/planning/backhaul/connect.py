"""Greedy backhaul: join access sites to the point of presence along cheapest paths.

:func:`connect_to_pop` grows a tree from the PoP over a candidate link graph, one site at a
time, each along its cheapest hop-limited path (links, new relays and mast upgrades
priced together). It is the "connect" of the greedy-then-connect baseline of
:mod:`coverage.planning.backhaul.search`.
"""

from __future__ import annotations

import itertools
import logging
import math
from collections.abc import Hashable, Iterable, Mapping
from typing import Any, NamedTuple

import networkx as nx

__all__ = ["connect_to_pop"]

log = logging.getLogger(__name__)


def connect_to_pop(
    G: nx.Graph,
    sites: Iterable[Hashable],
    pop_node: Hashable,
    *,
    site_height_m: Mapping[Any, float],
    relay_cost_usd: Mapping[Any, Mapping[float, float]],
    site_cost_usd: Mapping[Any, Mapping[float, float]],
    link_cost_usd: float,
    hop_limit: int | None = None,
) -> tuple[dict[Any, float], set[Any], list[tuple[Any, Any]]]:
    """Greedy backhaul: join sites to the PoP one by one along cheapest hop-limited paths.

    A heuristic (shortest-path Steiner tree in the spirit of Takahashi & Matsuyama 1980,
    "An approximate solution for the Steiner problem in graphs"): sites nearest (by cost)
    to the growing tree join first; a path's cost is its links plus new relays (at the
    lowest mast its links allow) plus any mast upgrade the links need at its ends.

    Parameters
    ----------
    G
        Candidate link graph; edges carry ``min_height_m``.
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
    hop_limit
        Most links from a site to the PoP (None: the number of nodes).

    Returns
    -------
    heights, relays, links
        Mast height (m) of every node used (sites and relays), the relay nodes and the
        links. Sites that cannot be connected are left out of ``heights``.
    """
    tree = _Tree(
        G,
        pop_node,
        _TreeCosts(site_height_m, relay_cost_usd, site_cost_usd, link_cost_usd),
        hop_limit if hop_limit is not None else G.number_of_nodes(),
        [s for s in sites if s in G],
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
        tree.attach(*nxt, best)
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

    def cheapest_paths(self) -> _Paths:
        """Bellman-Ford over (node, depth) from the tree, at most ``hop_limit`` hops deep."""
        best: _Paths = dict.fromkeys(self.depth.items(), (0.0, None))
        frontier = dict(best)
        for _ in range(self.hop_limit):
            frontier = self._relax(frontier, best)
            if not frontier:
                break
        return best

    def _relax(self, frontier: _Paths, best: _Paths) -> _Paths:
        """One Bellman-Ford step: the states ``frontier`` reaches more cheaply than before."""
        nxt: _Paths = {}
        for (u, d), (cu, _) in frontier.items():
            if d + 1 > self.hop_limit:
                continue
            for v, e in self.G[u].items():
                if v in self.depth:
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
