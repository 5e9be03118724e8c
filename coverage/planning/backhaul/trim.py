"""Trim a heuristic plan until its backhaul fits: the warm start when the links are the limit.

The greedy and local-search plans choose access sites for their coverage and connect them
afterwards; with the link widths of :mod:`coverage.planning.backhaul.widths` (each site's
5.8 GHz spectrum shared by its links) a large territory's tree can carry less traffic than
those sites offer, so every heuristic plan breaks a capacity or spectrum row and the MILP
starts from nothing (on Altavista: one access site found in 30 s, against 44 in the greedy
plan). :func:`trim_to_fit` keeps such a plan as a start: it drops leaf access sites (one
link or none, so that no other site's route is cut), each time the one whose loss costs the
least covered weight (ties: the lowest candidate index), with the relays left at the end of
a line, until the links carry the rest (:func:`~coverage.planning.backhaul.search.fits_network`).
A greedy repair, not an optimum: the MILP improves on it.
"""

from __future__ import annotations

import logging

from coverage.planning.backhaul.model import BackhaulModel, BackhaulPlan
from coverage.planning.backhaul.routing import link_degrees
from coverage.planning.backhaul.search import copy_plan, fits_network, prune_relay_leaves
from coverage.planning.deadline import Deadline

__all__ = ["trim_to_fit"]

log = logging.getLogger(__name__)


def trim_to_fit(
    model: BackhaulModel, plan: BackhaulPlan, deadline: Deadline
) -> BackhaulPlan | None:
    """The plan with leaf access sites dropped until its backhaul carries the rest.

    Parameters
    ----------
    model
        The backhaul model.
    plan
        A plan whose links may not carry its traffic; not changed.
    deadline
        Stops the trimming (recorded as the phase "trimming").

    Returns
    -------
    BackhaulPlan or None
        A priced plan that :func:`~coverage.planning.backhaul.search.fits_network`, with
        fewer access sites; ``plan`` itself (a copy) when it fits already; None when no
        access site is left, or the deadline passed first.
    """
    p = copy_plan(plan)
    dropped = 0
    while p.access:
        if fits_network(model, p):
            p.cost = model.plan_cost(p)
            if dropped:
                log.debug("plan_network: %d access site(s) trimmed for the backhaul", dropped)
            return p
        if deadline.passed("trimming"):
            return None
        leaves = _leaf_sites(model, p)
        if not leaves:
            return None
        p = min((_without(model, p, i) for i in leaves), key=lambda q: -model.covered_weight(q))
        dropped += 1
    return None


def _leaf_sites(model: BackhaulModel, p: BackhaulPlan) -> list[int]:
    """Access sites with at most one link, in candidate order."""
    degree = link_degrees(model, p)
    return sorted(i for i in p.access if degree.get(i, 0) <= 1)


def _without(model: BackhaulModel, p: BackhaulPlan, i: int) -> BackhaulPlan:
    """The plan without access site ``i``, its link and the relays left at a line's end."""
    q = copy_plan(p)
    del q.access[i]
    q.edges = [e for e in p.edges if i not in model.net.edges[e]]
    return prune_relay_leaves(model, q)
