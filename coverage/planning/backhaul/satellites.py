"""The satellite option's value in the backhaul model: the people the budget left after a plan
connects by satellite, a plan's objective with them, and the most the objective can reach.

With ``satellite_usd_per_person`` set (:class:`~coverage.planning.problem.PlacementProblem`),
the coverage objective is the people the plan's sites cover plus
``min(left USD / USD per person, people who may get a terminal and are not covered)``; the
MILP models the same with two columns (:func:`coverage.planning.backhaul.formulation`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from coverage.planning.backhaul.hotspots import hotspot_people, hotspot_reached

if TYPE_CHECKING:
    from coverage.planning.backhaul.model import BackhaulModel, BackhaulPlan

__all__ = ["most_weight", "plan_value", "satellite_people"]


def satellite_people(m: BackhaulModel, plan: BackhaulPlan, *, room: float | None = None) -> float:
    """People the budget left after ``plan`` connects by satellite (0 without the option).

    Parameters
    ----------
    m
        The model.
    plan
        A priced plan.
    room
        People that satellites may connect (None: those of ``m.sat_w`` the plan does not
        cover).

    Returns
    -------
    float
        People, ``min(left USD / USD per person, room)``.
    """
    c = m.satellite_usd_per_person
    if c is None or m.budget_usd is None:
        return 0.0
    if room is None:
        room = float(m.sat_w[~m.covered(plan) & ~hotspot_reached(m, plan)].sum())
    return max(min((m.budget_usd - plan.cost) / c, room), 0.0)


def plan_value(m: BackhaulModel, plan: BackhaulPlan) -> float:
    """The coverage objective of a plan: people covered, plus those satellites connect and
    those its hotspots reach at the hotspot weight.

    Parameters
    ----------
    m
        The model.
    plan
        A priced plan.

    Returns
    -------
    float
        Weight (people).
    """
    hot = m.hot.option.weight * hotspot_people(m, plan) if m.hot is not None else 0.0
    return m.covered_weight(plan) + satellite_people(m, plan) + hot


def most_weight(m: BackhaulModel) -> float:
    """The most the coverage objective can reach: every group covered, and with the
    satellite and hotspot options the people no option sees as well.

    Parameters
    ----------
    m
        The model.

    Returns
    -------
    float
        Weight (people).
    """
    most = float(m.wg.sum())
    if m.satellite_usd_per_person is not None:
        most += float(m.sat_w[m.group < 0].sum())
    if m.hot is not None:
        pts = m.hot.points[m.group[m.hot.points] < 0]
        most += m.hot.option.weight * float(m.w[pts].sum())
    return most
