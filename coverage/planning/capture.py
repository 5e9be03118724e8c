"""Capture repair: the MILP's plan moved towards what the network's service model serves.

The placement counts each option's capacity-limited cover set
(:func:`~coverage.planning.capacity.capacity_limited_covers`) and lets any open site that
covers a point take it. In the network a point attaches to its best server and a full site
leaves the excess unserved, so a site the MILP opens for its backhaul role (a hub next to
the PoP, say) can capture points it cannot carry, which other sites would have served: the
closest-assignment problem of location models (Wagner and Falkson 1975, "The optimal nodal
location of public facilities with price-sensitive demand", Geographical Analysis 7(1);
Gerrard and Church 1996, "Closest assignment constraints and location models: properties
and structure", Location Science 4(4)). Writing closest assignment into the MILP would
need a row per point and pair of options; :func:`repair_capture` instead repairs the plan
after the solve with the service model itself, given as a function of the chosen options.

Moves, in a fixed order: access sites by candidate index; for each, (a) turn it into a
relay at its mast when it has two links or more (it carries backhaul for others), (b) drop
it with its links and any relay left at the end of a line, (c) each other mast height of
the candidate, lowest first. A move is feasible when the plan stays within the budget
(the cost objective: costs no more), its links are tall enough, carry every site's traffic
within their capacities, the hop limit and each site's spectrum
(:func:`~coverage.planning.backhaul.search.fits_network`, through
:func:`~coverage.planning.backhaul.routing.route_plan`), and, when asked, every site keeps
two edge-disjoint paths, the plan meets its coverage target and, with hotspots built,
every row of the model (:meth:`~coverage.planning.backhaul.model.BackhaulModel.feasible`:
a hotspot's host stays covered). For each site the feasible
move that serves the most people is taken when it serves more than the plan (ties: the
first in the order); passes repeat until one changes nothing, or the deadline passes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from coverage.planning.backhaul.formulation import violated_cuts
from coverage.planning.backhaul.model import BackhaulModel, BackhaulPlan
from coverage.planning.backhaul.search import copy_plan, fits_network, prune_relay_leaves
from coverage.planning.deadline import Deadline

__all__ = ["CaptureRepair", "ServedPeople", "plan_options", "repair_capture"]

log = logging.getLogger(__name__)

#: People served by the network under the service model for a set of chosen access
#: options (option indices ``candidate * n_heights + height``, ascending).
ServedPeople = Callable[[NDArray[np.int64]], float]

#: People a move must add to count as an improvement (rounding of the weights).
_GAIN_TOL = 1e-6


@dataclass(frozen=True)
class CaptureRepair:
    """What :func:`repair_capture` changed.

    Attributes
    ----------
    served_before
        People served under the service model by the plan as solved.
    served_after
        People served by the repaired plan.
    moves
        The moves made, in order, each in words ("T015: access 12 m -> relay 12 m").
    passes
        Passes over the access sites.
    cut
        The deadline stopped the repair before a pass changed nothing.
    """

    served_before: float
    served_after: float
    moves: tuple[str, ...] = ()
    passes: int = 0
    cut: bool = False

    @property
    def people_gained(self) -> float:
        """People the repair added to those served.

        Returns
        -------
        float
            ``served_after - served_before``.
        """
        return self.served_after - self.served_before

    def as_dict(self) -> dict[str, Any]:
        """The record for the plan's metrics (JSON types only).

        Returns
        -------
        dict
            ``served_before``, ``served_after``, ``people_gained``, ``moves``, ``passes``
            and ``cut``.
        """
        return {
            "served_before": round(self.served_before, 6),
            "served_after": round(self.served_after, 6),
            "people_gained": round(self.people_gained, 6),
            "moves": list(self.moves),
            "passes": self.passes,
            "cut": self.cut,
        }


def plan_options(model: BackhaulModel, plan: BackhaulPlan) -> NDArray[np.int64]:
    """The access options of a plan, ascending (candidate order).

    Parameters
    ----------
    model
        The backhaul model (its number of mast heights).
    plan
        The plan.

    Returns
    -------
    numpy.ndarray
        ``candidate * n_heights + height`` of each access site, ascending.
    """
    nh = model.n_heights
    return np.array(sorted(i * nh + h for i, h in plan.access.items()), dtype=np.int64)


@dataclass
class _Scorer:
    """The service model's served people per set of options, each set evaluated once."""

    model: BackhaulModel
    served: ServedPeople
    seen: dict[tuple[int, ...], float] = field(default_factory=dict)

    def __call__(self, plan: BackhaulPlan) -> float:
        key = tuple(plan_options(self.model, plan).tolist())
        if key not in self.seen:
            self.seen[key] = float(self.served(np.asarray(key, dtype=np.int64)))
        return self.seen[key]


def _feasible(model: BackhaulModel, base: BackhaulPlan, cand: BackhaulPlan) -> bool:
    """Whether ``cand`` (priced) keeps every constraint the plan ``base`` met."""
    budget = model.budget_usd
    if budget is not None and cand.cost > budget + 1e-6:
        return False
    if budget is None and (cand.cost > base.cost + 1e-6 or not model.meets_target(cand)):
        return False
    if not fits_network(model, cand):
        return False
    if model.two_paths and violated_cuts(model, cand):
        return False
    # a built hotspot needs its host covered: the whole model's rows say whether it still is
    return not cand.hotspots or model.feasible(cand)


def _moves(model: BackhaulModel, plan: BackhaulPlan, i: int) -> list[tuple[str, BackhaulPlan]]:
    """The moves of access site ``i``, in order, each with its words."""
    h = plan.access[i]
    name = f"{model.ids[i]}: access {model.heights_m[h]:g} m"
    mine = [e for e in plan.edges if i in model.net.edges[e]]
    out: list[tuple[str, BackhaulPlan]] = []
    if len(mine) >= 2:  # (a) it carries backhaul for others: a relay at its mast
        q = copy_plan(plan)
        del q.access[i]
        q.relays[i] = h
        out.append((f"{name} -> relay {model.heights_m[h]:g} m", q))
    q = copy_plan(plan)  # (b) dropped with its links (fits_network refuses a cut route)
    del q.access[i]
    q.edges = [e for e in plan.edges if e not in mine]
    out.append((f"{name} -> dropped", prune_relay_leaves(model, q)))
    for h2 in range(model.n_heights):  # (c) another mast height
        if h2 != h:
            q = copy_plan(plan)
            q.access[i] = h2
            out.append((f"{name} -> access {model.heights_m[h2]:g} m", q))
    for _, q in out:
        q.cost = model.plan_cost(q)
        q.width_mhz = {}  # the widths follow from the new routing (plan_widths)
    return out


def _best_move(
    model: BackhaulModel, plan: BackhaulPlan, i: int, score: _Scorer, now: float
) -> tuple[str, BackhaulPlan, float] | None:
    """The feasible move of site ``i`` that serves the most people, when more than ``now``."""
    best: tuple[str, BackhaulPlan, float] | None = None
    for words, q in _moves(model, plan, i):
        value = score(q)
        if value > (best[2] if best else now) + _GAIN_TOL and _feasible(model, plan, q):
            best = (words, q, value)
    return best


def repair_capture(
    model: BackhaulModel,
    plan: BackhaulPlan,
    served: ServedPeople,
    deadline: Deadline | None = None,
    *,
    max_passes: int | None = None,
) -> tuple[BackhaulPlan, CaptureRepair]:
    """Improve a plan's people served under the service model by single-site moves.

    Parameters
    ----------
    model
        The backhaul model the plan solves (costs in USD, links, traffic in Mbps).
    plan
        A feasible, priced plan; not changed.
    served
        People served by the network for a set of access options (:data:`ServedPeople`).
    deadline
        A safety net: checked before each site's moves (passes are budgeted by work; None:
        none).
    max_passes
        Most passes over the access sites (None: as many as the plan has access sites).

    Returns
    -------
    plan, repair
        The repaired plan (``plan`` itself when no move serves more) and what changed.
    """
    deadline = Deadline() if deadline is None else deadline
    score = _Scorer(model, served)
    now = before = score(plan)
    cur, moves, passes, cut = plan, [], 0, False
    limit = max(len(plan.access), 1) if max_passes is None else max_passes
    changed = True
    while changed and passes < limit and not cut:
        changed, passes = False, passes + 1
        for i in sorted(cur.access):
            if i not in cur.access:  # dropped by an earlier move of this pass
                continue
            if deadline.passed("capture repair"):
                cut = True
                break
            found = _best_move(model, cur, i, score, now)
            if found is not None:
                log.info("capture repair: %s (%.1f -> %.1f served)", found[0], now, found[2])
                words, cur, now = found
                moves.append(words)
                changed = True
    repair = CaptureRepair(before, now, tuple(moves), passes, cut)
    log.info(
        "capture repair: %d move(s) in %d pass(es), people served %.1f -> %.1f%s",
        len(moves), passes, before, now, " (cut by the time limit)" if cut else "",
    )  # fmt: skip
    return cur, repair
