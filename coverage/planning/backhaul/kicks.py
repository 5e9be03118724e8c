"""The iterated local search that improves the warm start of
:func:`coverage.planning.backhaul.milp.plan_network`.

:func:`perturb_search` wraps the local search of :mod:`coverage.planning.backhaul.search`
in an iterated local search (Lourenco, Martin & Stuetzle 2003, "Iterated local search",
Handbook of Metaheuristics, 321-353): a kick (:func:`kick`) takes 1-3 access sites out (a
leaf leaves with its link, a site that relays others becomes a relay; relays left as leaves
go too), the local search refills the budget, and the result is kept when it covers more.
The kicks come from a seeded generator and their number is the work budget, so the same
inputs give the same plan on any machine; a deadline is only a safety net, and the caller
learns how many kicks ran.
"""

from __future__ import annotations

import logging

import numpy as np

from coverage.planning.backhaul.model import BackhaulModel, BackhaulPlan
from coverage.planning.backhaul.search import (
    NO_DEADLINE,
    copy_plan,
    fits_network,
    improve_plan,
    prune_relay_leaves,
)
from coverage.planning.deadline import Deadline

__all__ = ["kick", "perturb_search"]

log = logging.getLogger(__name__)


def perturb_search(
    model: BackhaulModel,
    plan: BackhaulPlan,
    *,
    kicks: int = 40,
    seed: int = 0,
    deadline: Deadline = NO_DEADLINE,
) -> tuple[BackhaulPlan, int]:
    """Iterated local search: kick the best plan, improve it, keep it when it covers more.

    Parameters
    ----------
    model
        The problem (coverage objective, ``k_coverage`` 1; otherwise ``plan`` is returned).
    plan
        A feasible plan, ideally a local optimum of :func:`improve_plan`.
    kicks
        Number of kicks; kick ``r`` takes ``1 + r % 3`` access sites out.
    seed
        Seed of the generator that picks the sites (same seed, same plan).
    deadline
        After it, no new kick starts and the running kick's local search stops (a safety
        net; it records the cut). The kicks are the work budget: the plan is the same on
        any machine when all of them run, and the caller learns when they did not.

    Returns
    -------
    plan, kicks_made
        The best plan seen (``plan`` itself when no kick leads to more coverage), and the
        kicks made (``kicks`` unless the deadline stopped them).
    """
    if model.budget_usd is None or model.k_coverage != 1 or not plan.access:
        return plan, kicks
    rng = np.random.default_rng(seed)
    best, best_w = plan, model.covered_weight(plan)
    for r in range(kicks):
        if deadline.passed("kicks"):
            log.warning("plan_network: the time limit stopped the kicks after %d of %d", r, kicks)
            return best, r
        q = kick(model, best, rng, 1 + r % 3)
        if not q.access or not fits_network(model, q):
            continue
        q = improve_plan(model, q, deadline=deadline)
        qw = model.covered_weight(q)
        if qw > best_w + 1e-9 and q.cost <= model.budget_usd + 1e-6 and fits_network(model, q):
            best, best_w = q, qw
    if best is not plan:
        log.debug("plan_network: kicks lift the warm start to %.1f (%.0f USD)", best_w, best.cost)
    return best, kicks


def kick(
    model: BackhaulModel, p: BackhaulPlan, rng: np.random.Generator, n_out: int
) -> BackhaulPlan:
    """Take ``n_out`` access sites out of a plan, picked by ``rng``.

    A leaf site leaves with its link, a site relaying others becomes a relay; relays left
    as leaves are then dropped with their links, repeatedly.

    Parameters
    ----------
    model
        The problem.
    p
        The plan (not changed).
    rng
        The generator that picks the sites.
    n_out
        Access sites to take out.

    Returns
    -------
    BackhaulPlan
        The kicked plan, priced.
    """
    q = copy_plan(p)
    for _ in range(n_out):
        if not q.access:
            break
        sites = sorted(q.access)
        i = sites[int(rng.integers(len(sites)))]
        if sum(i in model.net.edges[e] for e in q.edges) <= 1:
            del q.access[i]
            q.edges = [e for e in q.edges if i not in model.net.edges[e]]
        else:
            q.relays[i] = q.access.pop(i)
        prune_relay_leaves(model, q)
    q.cost = model.plan_cost(q)
    return q
