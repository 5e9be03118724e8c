"""Options the backhaul MILP may leave out: each one is dominated by another that is never worse.

:func:`dominance` finds them once per model; the MILP fixes their columns to 0
(:func:`~coverage.planning.backhaul.formulation.build_milp`) and :func:`undominated` moves a
plan (the warm start) off them. Two rules, both at one candidate site:

* **Access option dominated by access option.** Option ``(i, h)`` as an access site is
  dominated by ``(i, h2)`` when ``(i, h2)`` costs no more, carries no more busy-hour
  traffic, covers every demand point ``(i, h)`` covers (the reachable covers
  :attr:`~coverage.planning.backhaul.model.BackhaulModel.A`), and every candidate link at
  ``i`` that the mast of ``(i, h)`` is tall enough for, the mast of ``(i, h2)`` is too.
  Swapping ``(i, h)`` for ``(i, h2)`` in any plan keeps every row: one role per site, the
  coverage rows (each sum of options over a group can only grow), the link-end rows, the
  links-at-site rows, the valid inequalities and two-path cuts (they sum over the heights),
  flow balance and capacity (the traffic injected can only fall: lower the flow on one path
  from ``i`` to the PoP by the difference), the hop limit (same arcs), the budget and the
  target (cost can only fall, coverage only grow). The objective is never worse, so an
  optimal plan without dominated options exists. Mutual dominance (the same in every
  respect) keeps the lowest height index.
* **Access option that covers nothing.** An access option with an empty cover row is
  dominated by the relay at the same candidate and height when the relay costs no more:
  the relay keeps every link the access site had, injects no traffic and covers nothing
  less; a relay left with a single link is then a leaf that no flow crosses, removed with
  its link (the rule behind the relay row of
  :func:`~coverage.planning.backhaul.formulation.build_milp`).

The rules are the dominated-column reduction of MIP presolve (Achterberg, Bixby, Gu,
Rothberg & Weninger 2020, "Presolve reductions in mixed integer programming", INFORMS J.
Computing 32(2):473-506, section 5.2), applied with the model's structure that a generic
presolve does not see (the heights of one site and the link heights). Demand points with
the same cover set are already one column each
(:func:`~coverage.planning.covering.aggregate_demand`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray
from scipy import sparse

if TYPE_CHECKING:
    from coverage.planning.backhaul.model import BackhaulModel, BackhaulPlan

__all__ = ["RELAY", "Dominance", "dominance", "undominated"]

#: :attr:`Dominance.access_by` of an access option replaced by the relay at its height.
RELAY = -2


@dataclass(frozen=True)
class Dominance:
    """Which access options the MILP leaves out, and what replaces each.

    Attributes
    ----------
    access_by
        One value per option: -1 when the option is kept, else the height index of the
        access option at the same candidate that dominates it, or :data:`RELAY`.
    """

    access_by: NDArray[np.int64]

    @property
    def access_off(self) -> NDArray[np.bool_]:
        """Per option: dominated as an access site.

        Returns
        -------
        numpy.ndarray
            Boolean, one value per option.
        """
        return np.asarray(self.access_by != -1)


def _link_heights(m: BackhaulModel) -> list[NDArray[np.float64]]:
    """Per candidate, the minimum mast heights (m) of its candidate links."""
    need: list[list[float]] = [[] for _ in range(m.net.n)]
    for e, (a, b) in enumerate(m.net.edges):
        for end in (int(a), int(b)):
            if end != m.net.n:
                need[end].append(float(m.net.req_h[e]))
    return [np.asarray(x, dtype=np.float64) for x in need]


def _dominates(
    m: BackhaulModel, rows: list[frozenset[int]], links: NDArray[np.float64], o: int, o2: int
) -> bool:
    """Whether access option ``o2`` is never worse than ``o`` (same candidate)."""
    nh = m.n_heights
    h, h2 = o % nh, o2 % nh
    tall, tall2 = m.heights_m[h], m.heights_m[h2]
    links_ok = tall2 >= tall or not ((links > tall2 + 1e-9) & (links <= tall + 1e-9)).any()
    return bool(
        links_ok
        and m.access_cost_usd[o2] <= m.access_cost_usd[o]
        and m.traffic_mbps[o2] <= m.traffic_mbps[o]
        and rows[o] <= rows[o2]
    )


def dominance(m: BackhaulModel) -> Dominance:
    """The dominated access options of a model (see the module docstring for the rules).

    Parameters
    ----------
    m
        The backhaul model (its reachable covers, costs, traffic, mast and link heights).

    Returns
    -------
    Dominance
        The replacement of each dominated option.
    """
    nh, n = m.n_heights, m.net.n
    A = sparse.csr_array(m.A)
    rows = [frozenset(A.indices[A.indptr[o] : A.indptr[o + 1]].tolist()) for o in range(n * nh)]
    by = np.full(n * nh, -1, dtype=np.int64)
    for i, links in enumerate(_link_heights(m)):
        opts = [i * nh + h for h in range(nh)]
        dom = {
            o: [o2 for o2 in opts if o2 != o and _dominates(m, rows, links, o, o2)] for o in opts
        }
        # strictly: o2 dominates o and not the other way round, or both and o2 is lower
        strict = {o: [o2 for o2 in d if o not in dom[o2] or o2 < o] for o, d in dom.items()}
        for o in opts:
            if strict[o]:  # the preorder is transitive: some dominator is itself kept
                by[o] = next(o2 for o2 in strict[o] if not strict[o2]) % nh
            elif not rows[o] and m.relay_cost_usd[o] <= m.access_cost_usd[o]:
                by[o] = RELAY
    return Dominance(by)


def undominated(m: BackhaulModel, plan: BackhaulPlan) -> BackhaulPlan:
    """A plan moved off the dominated access options, never worse and as feasible.

    Each dominated access option becomes its dominator; one that covers nothing becomes a
    relay at its height, and relays then left with fewer than two links are removed with
    their links (leaves no flow crosses).

    Parameters
    ----------
    m
        The backhaul model, with :attr:`~coverage.planning.backhaul.model.BackhaulModel.dom`.
    plan
        A plan.

    Returns
    -------
    BackhaulPlan
        The moved plan, priced (``plan`` itself when it uses no dominated option, or when
        the moved plan would break a row, which the rules above rule out).
    """
    from coverage.planning.backhaul.model import BackhaulPlan

    nh, by = m.n_heights, m.dom.access_by
    if all(by[i * nh + h] == -1 for i, h in plan.access.items()):
        return plan
    access, relays = {}, dict(plan.relays)
    for i, h in plan.access.items():
        b = int(by[i * nh + h])
        if b == RELAY:
            relays[i] = h
        else:
            access[i] = h if b == -1 else b
    edges = list(plan.edges)
    while True:
        degree: dict[int, int] = {}
        for e in edges:
            for v in m.net.edges[e]:
                degree[int(v)] = degree.get(int(v), 0) + 1
        leaves = {i for i in relays if degree.get(i, 0) < 2}
        if not leaves:
            break
        for i in leaves:
            del relays[i]
        edges = [e for e in edges if not leaves & {int(v) for v in m.net.edges[e]}]
    moved = BackhaulPlan(access, relays, edges, hotspots=plan.hotspots)
    moved.cost = m.plan_cost(moved)
    return moved if m.feasible(moved) else plan
