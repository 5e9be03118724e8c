"""The hotspot option in the backhaul model: its column block, and what a plan's hotspots
reach and cost.

With ``hotspots`` set (:class:`~coverage.planning.problem.PlacementProblem`), the MILP has
one binary ``y_j`` per hotspot candidate, allowed only when its host's demand group is
covered (``y_j <= z_g(host)``), with its cost in the budget row, and one column
``eta_d`` in [0, 1] per demand point some hotspot reaches: ``eta_d <= sum_j y_j`` over the
hotspots reaching ``d`` and ``eta_d + z_g(d) <= 1`` (a household counts once: covered by a
site is terrestrial). The objective adds ``weight * people_d * eta_d``
(:mod:`coverage.planning.hotspot`), and the satellite room subtracts the people reached.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from coverage.planning.hotspot import HotspotOption

if TYPE_CHECKING:
    from coverage.planning.backhaul.model import BackhaulModel, BackhaulPlan

__all__ = ["HotspotBlock", "decode_hotspots", "hotspot_cost", "hotspot_people", "hotspot_reached"]


@dataclass(frozen=True, eq=False)
class HotspotBlock:
    """The hotspot candidates and the demand points they may reach, for the MILP.

    Attributes
    ----------
    option
        The candidates (hosts, reach, costs, weight).
    points
        Demand points some candidate reaches (indices, sorted): one ``eta`` column each.
    """

    option: HotspotOption
    points: NDArray[np.int64]

    @classmethod
    def of(cls, option: HotspotOption | None) -> HotspotBlock | None:
        """The block of an option (None without hotspots or candidates).

        Parameters
        ----------
        option
            The problem's hotspot option.

        Returns
        -------
        HotspotBlock or None
            The block.
        """
        if option is None or option.n == 0:
            return None
        pts = np.nonzero(np.asarray(option.reach.sum(axis=0)).ravel() > 0)[0]
        return cls(option, pts.astype(np.int64))

    @property
    def n_columns(self) -> int:
        """Columns of the block: one per candidate, then one per reachable point.

        Returns
        -------
        int
            Columns.
        """
        return self.option.n + int(self.points.size)

    def groups(self, group: NDArray[np.int64]) -> NDArray[np.int64]:
        """Demand groups of the hosts and the reached points (their rows must be modelled).

        Parameters
        ----------
        group
            Group of each demand point (-1: seen by no option).

        Returns
        -------
        numpy.ndarray
            Group indices.
        """
        g = group[np.concatenate([self.option.host, self.points])]
        return np.unique(g[g >= 0])


def decode_hotspots(m: BackhaulModel, x: NDArray[np.float64]) -> tuple[int, ...]:
    """The hotspots a MILP solution builds.

    Parameters
    ----------
    m
        The model.
    x
        Column values of a solution.

    Returns
    -------
    tuple of int
        Indices of the hotspot candidates built.
    """
    if m.hot is None:
        return ()
    y = x[m.cols.h.start : m.cols.h.start + m.hot.option.n]
    return tuple(int(j) for j in np.nonzero(y > 0.5)[0])


def hotspot_reached(m: BackhaulModel, plan: BackhaulPlan) -> NDArray[np.bool_]:
    """Per demand point: reached by the plan's hotspots and not covered by its sites.

    Parameters
    ----------
    m
        The model.
    plan
        A plan.

    Returns
    -------
    numpy.ndarray
        Boolean per demand point (all False without hotspots).
    """
    if m.hot is None or not plan.hotspots:
        return np.zeros(m.w.size, bool)
    return m.hot.option.reached(list(plan.hotspots), m.covered(plan))


def hotspot_people(m: BackhaulModel, plan: BackhaulPlan) -> float:
    """People the plan's hotspots reach (unweighted).

    Parameters
    ----------
    m
        The model.
    plan
        A plan.

    Returns
    -------
    float
        People.
    """
    return float(m.w[hotspot_reached(m, plan)].sum())


def hotspot_cost(m: BackhaulModel, plan: BackhaulPlan) -> float:
    """Cost (USD) of the plan's hotspots.

    Parameters
    ----------
    m
        The model.
    plan
        A plan.

    Returns
    -------
    float
        USD.
    """
    if m.hot is None or not plan.hotspots:
        return 0.0
    return float(m.hot.option.cost_usd[list(plan.hotspots)].sum())
