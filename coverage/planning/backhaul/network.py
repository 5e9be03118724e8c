"""The candidate link graph reduced to what the backhaul model needs, as index arrays.

:func:`reduce_graph` numbers the candidates ``0..n-1`` in option order and merges every
point of presence into node ``n``; it keeps the best link of each pair, drops nodes beyond
the hop limit and, optionally, all but each site's most useful links.
:func:`two_path_ok` finds the candidates with two edge-disjoint routes to the PoP, and
:class:`Incidence` lists the arcs and links at each node for the model's rows.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field

import networkx as nx
import numpy as np
from numpy.typing import NDArray

__all__ = ["Incidence", "ReducedGraph", "reduce_graph", "two_path_ok"]

#: Best link of a node pair: (capacity Mbps, minus its lowest mast m, the PoP it reaches or
#: None, length m, capacity Mbps per channel width or empty).
_Link = tuple[float, float, Hashable, float, tuple[float, ...]]


@dataclass(frozen=True, eq=False)
class ReducedGraph:
    """The candidate graph reduced to the model: nodes ``0..n-1`` candidates, ``n`` the PoP.

    Attributes
    ----------
    n
        Number of candidates (the merged PoP is node ``n``).
    edges
        (E, 2) node indices of each link, the lower first (the PoP is ``n``).
    req_h
        Lowest mast (m) at which each link is clear (``min_height_m``).
    cap
        Capacity (Mbps) of each link (``capacity_mbps``).
    pop_of_edge
        The original PoP key of a link to the PoP, else None.
    arcs
        (A, 3): tail, head and link of each arc (both directions of a candidate link, one
        towards the PoP for a PoP link).
    hops
        Fewest links from each kept node to the PoP (node ``n``: 0).
    cap_w
        (E, W) capacity (Mbps) of each link per channel width (``capacity_by_width_mbps``;
        (E, 0) when the links have none).
    """

    n: int
    edges: NDArray[np.int64]
    req_h: NDArray[np.float64]
    cap: NDArray[np.float64]
    pop_of_edge: list[Hashable]
    arcs: NDArray[np.int64]
    hops: dict[int, int]
    cap_w: NDArray[np.float64] = field(default_factory=lambda: np.zeros((0, 0)))


def _best_links(
    graph: nx.Graph, ids: Sequence[Hashable], pops: Sequence[Hashable]
) -> dict[tuple[int, int], _Link]:
    """Per node pair (PoPs merged into ``n``), its link of most capacity, then lowest mast."""
    index = {v: i for i, v in enumerate(ids)}
    n = len(ids)
    best: dict[tuple[int, int], _Link] = {}
    for a, b, e in graph.edges(data=True):
        ia = n if a in pops else index.get(a)
        ib = n if b in pops else index.get(b)
        if ia is None or ib is None or ia == ib:
            continue
        key = (min(ia, ib), max(ia, ib))
        pop_id = a if a in pops else (b if b in pops else None)
        cand = (
            float(e["capacity_mbps"]),
            -float(e["min_height_m"]),
            pop_id,
            float(e.get("length_m", 0.0)),
            tuple(float(c) for c in e.get("capacity_by_width_mbps", ())),
        )
        if key not in best or cand[:2] > best[key][:2]:
            best[key] = cand
    return best


def _prune_links(
    H: nx.Graph,
    keys: list[tuple[int, int]],
    keep: set[int],
    hops: dict[int, int],
    best: dict[tuple[int, int], _Link],
    max_links_per_site: int,
) -> list[tuple[int, int]]:
    """Every PoP link, and each site's ``max_links_per_site`` most useful links (towards
    nodes nearest the PoP in hops, then lowest mast, then shortest)."""
    n = H.number_of_nodes() - 1
    chosen: set[tuple[int, int]] = {k for k in keys if k[1] == n}  # every PoP link
    for v in keep - {n}:
        inc = [k for k in H.edges(v) if k[0] in keep and k[1] in keep]
        ranked = sorted(
            ((min(k), max(k)) for k in inc),
            key=lambda k: (
                hops[k[0] if k[1] == v else k[1]],
                -best[k][1],
                best[k][3],
                k,
            ),
        )
        chosen.update(ranked[:max_links_per_site])
    return sorted(chosen)


def reduce_graph(
    graph: nx.Graph,
    ids: Sequence[Hashable],
    pops: Sequence[Hashable],
    hop_limit: int | None,
    max_links_per_site: int | None = None,
) -> ReducedGraph:
    """Index the candidate graph, merge the PoPs into node ``n`` and drop what cannot serve.

    Parameters
    ----------
    graph
        Candidate link graph; edges carry ``capacity_mbps``, ``min_height_m`` (m) and
        optionally ``length_m`` (m).
    ids
        Node key of each candidate, in option order.
    pops
        Node keys of the points of presence.
    hop_limit
        Nodes more links than this from the PoP are dropped (None: none).
    max_links_per_site
        Keep only each site's this many most useful links (towards nodes nearest the PoP
        in hops, then lowest mast, then shortest) and every PoP link (None: all).

    Returns
    -------
    ReducedGraph
        The kept links and arcs, as index arrays.
    """
    n = len(ids)
    best = _best_links(graph, ids, pops)
    H = nx.Graph()
    H.add_nodes_from(range(n + 1))
    H.add_edges_from(best)
    hops = dict(nx.single_source_shortest_path_length(H, n))
    limit = hop_limit if hop_limit is not None else n + 1
    keep = {v for v, d in hops.items() if d <= limit}
    keys = sorted(k for k in best if k[0] in keep and k[1] in keep)
    if max_links_per_site is not None:
        keys = _prune_links(H, keys, keep, hops, best, max_links_per_site)
    arcs = []
    for e, (a, b) in enumerate(keys):
        arcs.append((a, b, e))  # b is the PoP when the edge touches it (keys are sorted)
        if b != n:
            arcs.append((b, a, e))
    return ReducedGraph(
        n=n,
        edges=np.array(keys, dtype=np.int64).reshape(-1, 2),
        req_h=np.array([-best[k][1] for k in keys], dtype=np.float64),
        cap=np.array([best[k][0] for k in keys], dtype=np.float64),
        pop_of_edge=[best[k][2] for k in keys],
        arcs=np.array(arcs, dtype=np.int64).reshape(-1, 3),
        hops={v: d for v, d in hops.items() if v in keep},
        cap_w=_width_caps([best[k][4] for k in keys]),
    )


def _width_caps(caps: list[tuple[float, ...]]) -> NDArray[np.float64]:
    """(E, W) capacities per width; (E, 0) unless every link has the same number of them."""
    sizes = {len(c) for c in caps}
    if len(sizes) != 1 or 0 in sizes:
        return np.zeros((len(caps), 0))
    return np.array(caps, dtype=np.float64)


def two_path_ok(net: ReducedGraph) -> NDArray[np.bool_]:
    """Candidates with two edge-disjoint routes to the PoP in the reduced graph.

    Parameters
    ----------
    net
        The reduced graph.

    Returns
    -------
    numpy.ndarray
        Per candidate: in the PoP's 2-edge-connected component.
    """
    H = nx.Graph()
    H.add_nodes_from(range(net.n + 1))
    H.add_edges_from(map(tuple, net.edges))
    ok = np.zeros(net.n, bool)
    comps = nx.k_edge_components(H, 2)
    for comp in comps:
        if net.n in comp:
            ok[[v for v in comp if v < net.n]] = True
    return ok


@dataclass(frozen=True, eq=False)
class Incidence:
    """The arcs and links at each candidate of a :class:`ReducedGraph`, computed once.

    Attributes
    ----------
    out_of
        Per candidate, the arcs leaving it.
    into
        Per candidate, the arcs entering it (none enter the PoP's list: it has none).
    arcs_of
        Per link, its arcs (one or two).
    edges_of
        Per candidate, the links at it.
    """

    out_of: dict[int, list[int]]
    into: dict[int, list[int]]
    arcs_of: dict[int, list[int]]
    edges_of: dict[int, list[int]]

    @classmethod
    def of(cls, net: ReducedGraph) -> Incidence:
        """The incidence lists of ``net``, in arc and link order.

        Parameters
        ----------
        net
            The reduced graph.

        Returns
        -------
        Incidence
            Its lists.
        """
        n = net.n
        out_of: dict[int, list[int]] = {i: [] for i in range(n)}
        into: dict[int, list[int]] = {i: [] for i in range(n)}
        arcs_of: dict[int, list[int]] = {}
        for ai, (t, hd, e) in enumerate(net.arcs):
            out_of[int(t)].append(ai)
            if hd != n:
                into[int(hd)].append(ai)
            arcs_of.setdefault(int(e), []).append(ai)
        edges_of: dict[int, list[int]] = {i: [] for i in range(n)}
        for e, (a, b) in enumerate(net.edges):
            edges_of[int(a)].append(e)
            if b != n:
                edges_of[int(b)].append(e)
        return cls(out_of, into, arcs_of, edges_of)
