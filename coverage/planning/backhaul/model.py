"""The backhaul problem prepared for :func:`coverage.planning.backhaul.milp.plan_network`.

See :mod:`coverage.planning.backhaul.milp` for the model in words and its references.
:class:`BackhaulModel` is built once from a :class:`~coverage.planning.problem.PlacementProblem`
(the reduced graph, the checks of :mod:`~coverage.planning.backhaul.checks`, the merged
demand, the traffic, the dominated options and the frozen column layout); it prices and
checks plans (:class:`BackhaulPlan`), solves its current MILP
(:mod:`~coverage.planning.backhaul.formulation`), decodes solutions and adds demand rows.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray
from scipy import sparse

from coverage.planning.backhaul.checks import reachable_covers
from coverage.planning.backhaul.formulation import (
    Columns,
    Cut,
    build_milp,
    start_vector,
    violated_cuts,
)
from coverage.planning.backhaul.hotspots import HotspotBlock, decode_hotspots, hotspot_cost
from coverage.planning.backhaul.network import Incidence, ReducedGraph, reduce_graph, two_path_ok
from coverage.planning.backhaul.presolve import Dominance, dominance
from coverage.planning.backhaul.satellites import most_weight, plan_value
from coverage.planning.backhaul.widths import decode_widths
from coverage.planning.covering import aggregate_demand, covered_mask, group_sums
from coverage.planning.problem import PlacementProblem
from coverage.planning.solver import MilpModel, MilpSolution, solve_milp

__all__ = ["FIRST_ROWS_NNZ", "BackhaulModel", "BackhaulPlan"]

log = logging.getLogger(__name__)

#: HiGHS options for the network model: restarts after root fixing cost more than they save
#: on these flow models.
_HIGHS_OPTIONS: dict[str, bool | int | float | str] = {
    "mip_allow_restart": False,
    "mip_heuristic_effort": 0.02,
}
#: Coverage nonzeros of the demand rows in the first model (coverage objective); the rest
#: enter when a plan leaves them uncovered (they count as covered in the bound until then).
FIRST_ROWS_NNZ = 30_000


@dataclass
class BackhaulPlan:
    """A decoded plan: option per access candidate, height per relay, built edges.

    Attributes
    ----------
    access
        Access candidate -> index of its mast height.
    relays
        Relay candidate -> index of its mast height.
    edges
        Built links, as indices into the reduced graph's ``edges``.
    cost
        Total cost (USD) of sites, relays, links and hotspots, once priced.
    hotspots
        Built hotspots, as indices into the problem's hotspot candidates.
    width_mhz
        Channel width (MHz) of each built link the MILP chose (empty without link widths).
    """

    access: dict[int, int]
    relays: dict[int, int]
    edges: list[int]
    cost: float = 0.0
    hotspots: tuple[int, ...] = ()
    width_mhz: dict[int, float] = field(default_factory=dict)


@dataclass(eq=False)
class BackhaulModel:
    """One placement-with-backhaul problem prepared for the MILP and the local searches.

    Made by :meth:`build`; the demand groups in the model (``active``) grow as plans leave
    others uncovered, everything else stays as built.

    Attributes
    ----------
    problem
        The problem as given.
    A
        Options x demand points, boolean; rows of options without a route to the PoP (or
        without two, when two paths are asked) are empty.
    w
        People at each demand point.
    heights_m
        Mast height options (m).
    access_cost_usd, relay_cost_usd
        Cost (USD) of each option as an access site / as a relay.
    traffic_mbps
        Busy-hour traffic (Mbps) of each option as an access site.
    net
        The reduced candidate graph.
    inc
        Its incidence lists.
    access_ok
        Per candidate: may be an access site (it reaches the PoP, by two paths when asked).
    need_weight
        People to cover (cost objective, in ``share_w``), else None.
    share_w, share_wg
        What the target share counts (people; schools 0), per demand point and per group.
    Ag, wg, group
        Demand merged by cover set: options x groups, people per group, group of each point
        (-1: seen by no option).
    cols
        The column layout.
    active
        Per group: its coverage row is in the model.
    satellite_usd_per_person, sat_w, sat_wg
        The satellite option: USD per person connected (None: no option), and the people
        who may get a terminal per demand point and per group
        (:mod:`coverage.planning.backhaul.satellites`).
    hot
        The hotspot candidates and the points they reach (None: no hotspot option).
    dom
        The access options the MILP leaves out (:mod:`~coverage.planning.backhaul.presolve`).
    """

    problem: PlacementProblem
    A: sparse.csr_array
    w: NDArray[np.float64]
    heights_m: NDArray[np.float64]
    access_cost_usd: NDArray[np.float64]
    relay_cost_usd: NDArray[np.float64]
    traffic_mbps: NDArray[np.float64]
    net: ReducedGraph
    inc: Incidence
    access_ok: NDArray[np.bool_]
    need_weight: float | None
    share_w: NDArray[np.float64]
    share_wg: NDArray[np.float64]
    Ag: sparse.csc_array
    wg: NDArray[np.float64]
    group: NDArray[np.int64]
    cols: Columns
    active: NDArray[np.bool_]
    satellite_usd_per_person: float | None = None
    sat_w: NDArray[np.float64] = field(default_factory=lambda: np.zeros(0))
    sat_wg: NDArray[np.float64] = field(default_factory=lambda: np.zeros(0))
    hot: HotspotBlock | None = None
    dom: Dominance = field(default_factory=lambda: Dominance(np.zeros(0, np.int64)))

    @classmethod
    def build(
        cls, problem: PlacementProblem, *, first_rows_nnz: int = FIRST_ROWS_NNZ
    ) -> BackhaulModel:
        """Reduce the graph, check that the problem can be met and lay out the MILP.

        Parameters
        ----------
        problem
            The placement problem.
        first_rows_nnz
            Coverage nonzeros of the demand rows in the first model (coverage objective:
            the groups seen by the fewest options first, and every must-cover group).

        Returns
        -------
        BackhaulModel
            The model, ready to solve and to search.

        Raises
        ------
        InfeasibleError
            No candidate reaches the PoP; a must-cover point no candidate sees, or only
            candidates without a relay chain to the PoP within the hop limit see; a target
            above what those candidates can cover. The message says which, in words.
        """
        p = problem
        n = len(p.candidate_ids)
        net = reduce_graph(
            p.graph, list(p.candidate_ids), list(p.pop_ids), p.hop_limit, p.max_links_per_site
        )
        reach = np.array([i in net.hops for i in range(n)], dtype=bool)
        access_ok = reach & two_path_ok(net) if p.two_paths else reach
        traffic = p.option_traffic_mbps()
        A, need = reachable_covers(p, access_ok)
        sat = p.share_weights if p.satellite_weights is None else p.satellite_weights
        sat_w = np.asarray(sat, dtype=np.float64)
        Ag, wg, group = aggregate_demand(A, p.weights)
        hop = p.hop_limit is not None
        hot = HotspotBlock.of(p.hotspots)
        wider = len(p.link_widths.widths_mhz) - 1 if p.link_widths is not None else 0
        extra = (p.satellite_usd_per_person is not None, hot.n_columns if hot else 0, wider)
        model = cls(
            problem=p,
            A=A,
            w=p.weights,
            heights_m=p.heights_m,
            access_cost_usd=p.access_cost_usd,
            relay_cost_usd=p.relay_cost_usd,
            traffic_mbps=traffic,
            net=net,
            inc=Incidence.of(net),
            access_ok=access_ok,
            need_weight=need,
            share_w=p.share_weights,
            share_wg=group_sums(p.share_weights, group, Ag.shape[1]),
            Ag=Ag,
            wg=wg,
            group=group,
            cols=Columns.layout(A.shape[0], Ag.shape[1], net, hop, *extra),
            active=np.ones(Ag.shape[1], bool),
            satellite_usd_per_person=p.satellite_usd_per_person,
            sat_w=sat_w,
            sat_wg=group_sums(sat_w, group, Ag.shape[1]),
            hot=hot,
        )
        model.dom = dominance(model)
        if p.budget_usd is not None:
            model.active = model._first_rows(first_rows_nnz)
        return model

    def _first_rows(self, first_rows_nnz: int) -> NDArray[np.bool_]:
        """Demand groups in the first model: the groups seen by the fewest options, up to
        ``first_rows_nnz`` coverage nonzeros, and every must-cover group.

        Under a coverage target (cost objective) every group is modelled from the start:
        counting unmodelled groups as covered would meet the target on paper only.
        """
        size = np.diff(self.Ag.indptr)
        order = np.argsort(size, kind="stable")
        cum = np.cumsum(size[order])
        take = order[: int(np.searchsorted(cum, first_rows_nnz, side="right"))]
        active = np.zeros(self.Ag.shape[1], bool)
        active[take] = True
        active[np.unique(self.group[self.must & (self.group >= 0)])] = True
        if self.hot is not None:  # hosts and reached points: their rows tie y and eta
            active[self.hot.groups(self.group)] = True
        return active

    @property
    def n_heights(self) -> int:
        """Number of mast height options.

        Returns
        -------
        int
            ``len(heights_m)``.
        """
        return int(self.heights_m.size)

    @property
    def ids(self) -> Sequence[Hashable]:
        """Node key of each candidate.

        Returns
        -------
        Sequence
            The problem's ``candidate_ids``, in option order.
        """
        return self.problem.candidate_ids

    @property
    def budget_usd(self) -> float | None:
        """The budget (USD) of the coverage objective, else None.

        Returns
        -------
        float or None
            USD; None under a coverage target (cost objective).
        """
        return self.problem.budget_usd

    @property
    def link_cost_usd(self) -> float:
        """Cost (USD) of one link.

        Returns
        -------
        float
            USD.
        """
        return self.problem.link_cost_usd

    @property
    def k_coverage(self) -> int:
        """Distinct access sites that must see a point for it to count as covered.

        Returns
        -------
        int
            At least 1.
        """
        return self.problem.k_coverage

    @property
    def hop_limit(self) -> int | None:
        """Most links from an access site to the PoP (None: no limit).

        Returns
        -------
        int or None
            Links, or None.
        """
        return self.problem.hop_limit

    @property
    def two_paths(self) -> bool:
        """Whether every access site needs two edge-disjoint paths to the PoP.

        Returns
        -------
        bool
            True when two paths are asked.
        """
        return self.problem.two_paths

    @property
    def must(self) -> NDArray[np.bool_]:
        """Per demand point: must be covered.

        Returns
        -------
        numpy.ndarray
            Boolean, one value per demand point.
        """
        return self.problem.must

    def plan_cost(self, plan: BackhaulPlan) -> float:
        """Cost (USD) of a plan's access sites, relays, links and hotspots.

        Parameters
        ----------
        plan
            The plan.

        Returns
        -------
        float
            Total cost (USD).
        """
        nh = self.n_heights
        return float(
            sum(self.access_cost_usd[i * nh + h] for i, h in plan.access.items())
            + sum(self.relay_cost_usd[i * nh + h] for i, h in plan.relays.items())
            + self.link_cost_usd * len(plan.edges)
            + hotspot_cost(self, plan)
        )

    def covered(self, plan: BackhaulPlan) -> NDArray[np.bool_]:
        """Per demand point: seen by ``k_coverage`` of the plan's access sites.

        Parameters
        ----------
        plan
            The plan.

        Returns
        -------
        numpy.ndarray
            Boolean, one value per demand point.
        """
        nh = self.n_heights
        opts = [i * nh + h for i, h in plan.access.items()]
        return covered_mask(self.A, opts, self.k_coverage)

    def covered_weight(self, plan: BackhaulPlan) -> float:
        """People the plan covers.

        Parameters
        ----------
        plan
            The plan.

        Returns
        -------
        float
            Weight (people) of the covered demand points.
        """
        return float(self.w[self.covered(plan)].sum())

    def meets_target(self, plan: BackhaulPlan) -> bool:
        """Whether a plan covers the target weight and every must-cover point.

        Parameters
        ----------
        plan
            The plan.

        Returns
        -------
        bool
            True when it does, and always under a budget (coverage objective).
        """
        if self.need_weight is None:
            return True
        cov = self.covered(plan)
        return bool(cov[self.must].all() and self.share_w[cov].sum() >= self.need_weight - 1e-6)

    def better(self, a: BackhaulPlan, b: BackhaulPlan) -> bool:
        """Whether plan ``a`` is strictly better than ``b`` for the objective.

        Parameters
        ----------
        a, b
            Two priced plans.

        Returns
        -------
        bool
            ``a`` connects more people (coverage objective, satellites included) or costs
            less (cost objective).
        """
        if self.budget_usd is not None:
            return plan_value(self, a) > plan_value(self, b) + 1e-9
        return a.cost < b.cost - 1e-6

    def feasible(self, plan: BackhaulPlan) -> bool:
        """Whether a plan meets every row of the current model (budget, target, capacity,
        hops, link heights) with its traffic routed by
        :func:`~coverage.planning.backhaul.routing.route_plan`.

        Parameters
        ----------
        plan
            A priced plan.

        Returns
        -------
        bool
            True when its start vector satisfies every row and column bound.
        """
        x = start_vector(self, plan)
        if x is None:
            return False
        if self.two_paths and violated_cuts(self, plan):
            return False
        m = self.milp([])
        if not self.meets_target(plan):
            return False
        Mx = m.matrix @ x
        return bool(
            np.all(Mx >= np.asarray(m.row_lower) - 1e-6)
            and np.all(Mx <= np.asarray(m.row_upper) + 1e-6)
            and np.all(x >= np.asarray(m.col_lower) - 1e-9)
            and np.all(x <= np.asarray(m.col_upper) + 1e-9)
        )

    def activate_missing(self, plan: BackhaulPlan) -> int:
        """Add the demand groups the plan leaves uncovered that the model did not hold.

        Parameters
        ----------
        plan
            The plan.

        Returns
        -------
        int
            How many groups entered the model.
        """
        nh = self.n_heights
        opts = np.array([i * nh + h for i, h in plan.access.items()], dtype=np.int64)
        counts = self.Ag.T.astype(np.float64) @ np.bincount(opts, minlength=self.A.shape[0])
        missing = ~self.active & (counts < self.k_coverage)
        self.active |= missing
        if missing.any():
            log.info("plan_network: %d more demand groups enter the model", int(missing.sum()))
        return int(missing.sum())

    # --- the MILP ------------------------------------------------------------------------
    def milp(self, cuts: Sequence[Cut] = ()) -> MilpModel:
        """The current model (:func:`~coverage.planning.backhaul.formulation.build_milp`).

        Parameters
        ----------
        cuts
            Two-path cut-set rows found so far
            (:func:`~coverage.planning.backhaul.formulation.violated_cuts`).

        Returns
        -------
        MilpModel
            Columns as :attr:`cols` lays them out.
        """
        return build_milp(self, cuts)

    @property
    def tie_penalty_per_usd(self) -> float:
        """Cost penalty per USD that breaks ties toward cheaper plans (coverage objective).

        The whole budget weighs 0.01 % of the total weight, so at most that much coverage
        can be traded for cost (the reported bound adds it back, and a plan within that
        slack of the bound counts as proven optimal).

        Returns
        -------
        float
            People per USD; 0 under a coverage target (cost objective).
        """
        if self.budget_usd is None:
            return 0.0
        return 1e-4 * float(self.w.sum()) / max(self.budget_usd, 1.0)

    def solve(
        self,
        time_limit_s: float,
        mip_rel_gap: float,
        *,
        start: NDArray[np.float64] | None,
        cuts: Sequence[Cut] = (),
        relax: bool = False,
        max_nodes: int | None = None,
        abs_gap: float = 0.0,
    ) -> tuple[MilpSolution, float]:
        """Solve the current model.

        Parameters
        ----------
        time_limit_s
            Time limit (s).
        mip_rel_gap
            Relative gap at which HiGHS stops.
        start
            A start vector (:func:`~coverage.planning.backhaul.formulation.start_vector`),
            or None.
        cuts
            Two-path cut-set rows found so far.
        relax
            Solve the LP relaxation instead.
        max_nodes
            Most branch-and-bound nodes (None: no limit).
        abs_gap
            Absolute gap (people or USD) at which HiGHS stops as well (0: none).

        Returns
        -------
        solution, bound
            HiGHS's solution and a bound valid for the full problem (people for the
            coverage objective, USD for cost; the groups not yet in the model count as
            covered).
        """
        m = self.milp(cuts)
        if relax:
            m = dataclasses.replace(m, integrality=np.zeros_like(m.integrality))
        options = dict(_HIGHS_OPTIONS)
        if max_nodes is not None:
            options["mip_max_nodes"] = int(max_nodes)
        if abs_gap > 0.0:
            options["mip_abs_gap"] = float(abs_gap)
        sol = solve_milp(
            m,
            time_limit_s=time_limit_s,
            mip_rel_gap=mip_rel_gap,
            start=start,
            options=options,
        )
        if self.budget_usd is None:
            return sol, max(sol.bound, 0.0)
        free = float(self.wg[~self.active].sum())
        eps_total = self.tie_penalty_per_usd * self.budget_usd
        bound = min(sol.bound + free + eps_total, most_weight(self))
        positive = self.wg[self.wg > 0]
        if positive.size and bound < positive.min() - 1e-9:
            bound = 0.0  # coverage is a sum of whole groups: below the lightest one, none fits
        return sol, bound

    def decode(self, x: NDArray[np.float64]) -> BackhaulPlan:
        """The plan of a MILP solution.

        Parameters
        ----------
        x
            Column values of a solution.

        Returns
        -------
        BackhaulPlan
            Priced; links without flow are dropped unless two paths are asked, and relays
            on no kept link.
        """
        cols, nh, n = self.cols, self.n_heights, self.net.n
        U = x[cols.u].reshape(n, nh) > 0.5
        R = x[cols.r].reshape(n, nh) > 0.5
        edges = [int(e) for e in np.nonzero(x[cols.l] > 0.5)[0]]
        if not self.two_paths:  # a built link that carries no traffic serves nothing
            flow = np.zeros(len(self.net.edges))
            np.add.at(flow, self.net.arcs[:, 2], x[cols.f])
            edges = [e for e in edges if flow[e] > 1e-7]
        access = {int(i): int(h) for i, h in zip(*np.nonzero(U), strict=True)}
        used = {int(v) for e in edges for v in self.net.edges[e]}
        relays = {int(i): int(h) for i, h in zip(*np.nonzero(R), strict=True) if i in used}
        plan = BackhaulPlan(access, relays, edges, hotspots=decode_hotspots(self, x))
        plan.width_mhz = decode_widths(self, x, edges)
        plan.cost = self.plan_cost(plan)
        return plan
