""":func:`plan_network`: sites, mast heights, relays and backhaul links chosen together in
one MILP (HiGHS), warm-started by the heuristics of :mod:`coverage.planning.backhaul.search`.

This module holds the solve (warm starts, the rounds of lazy demand rows and two-path
cuts) and the result; :mod:`coverage.planning.backhaul.model` prepares the problem and
:mod:`coverage.planning.backhaul.formulation` writes the matrix form. The model extends the
maximum-coverage / partial-set-cover models of :mod:`coverage.planning.placement` with a
backhaul network design, as a single-commodity flow on the candidate link graph (Magnanti &
Wong 1984, "Network design and transportation planning: models and algorithms",
Transportation Science 18:1-55):

* per candidate ``i`` and mast height ``h``: binaries ``u_ih`` (access site: serves demand
  and injects its traffic) and ``r_ih`` (relay only), at most one of them per candidate;
* per demand group ``g`` (identical cover sets merged): ``z_g`` covered (binary when
  ``k_coverage`` > 1);
* per candidate link ``e``: binary ``l_e`` (built: two backhaul radios), usable only when
  both ends are built at least at the link's ``min_height_m``;
* per arc (both directions of a candidate-candidate link, and candidate -> PoP): flow
  ``f_a`` >= 0 in Mbps. Each access site injects its traffic ``D_ih`` (Mbps, conservative:
  all the weight it can serve times ``mbps_per_weight``), relays conserve flow, the PoP
  absorbs it. ``f_ab + f_ba <= capacity_e l_e`` (half-duplex links share their capacity);
* hop limit ``H`` (optional): arc binaries ``o_a`` (``f_a <= capacity o_a``,
  ``o_ab + o_ba <= l_e``) and continuous depth labels ``0 <= d_i <= H`` with
  ``d_i >= d_j + 1 - (H + 1)(1 - o_ij)`` (Miller-Tucker-Zemlin style, Miller, Tucker &
  Zemlin 1960, J. ACM 7:326-329): every arc carrying flow steps one level closer to the
  PoP, so every site's traffic reaches it within ``H`` links;
* link widths (with ``link_widths``, :mod:`coverage.planning.backhaul.widths`): per link a
  binary per channel width above the narrowest, the link's flow within its width's
  capacity, and the widths at each site within the band's 80 MHz block (exact for one site
  and for trees, :mod:`coverage.planning.channels`);
* dominated access options fixed to 0 (:mod:`coverage.planning.backhaul.presolve`: never
  changes the optimum);
* two edge-disjoint paths (optional): cut-set rows ``sum_{e in delta(S)} l_e >= 2 u_s`` for
  every site set ``S`` holding access site ``s`` but not the PoP, added lazily (row
  generation: solve, find bridges of the built network with networkx, add the violated
  cuts, solve again). The backup path is not held to the hop limit or to capacity.

Objective: maximise people covered within a budget (a tiny cost penalty breaks ties toward
cheaper plans), or minimise cost so that a target share and every must-cover point are
covered. The greedy-then-connect plan (greedy coverage, then
:func:`coverage.planning.backhaul.connect.connect_to_pop`, which keeps within the link
capacities) is the baseline; improved by single swaps and by the whole-plan local search
of :mod:`coverage.planning.backhaul.search` (also from greedy plans with less access
spend), then by its seeded iterated local search (kicks), the best of them that meets every
row of the model (:func:`coverage.planning.backhaul.routing.route_plan` routes its
traffic) is the warm start, and the result is never worse than it: every round's plan that
meets every constraint competes with it, and the best is returned.
Given the service model as a function of the options (``served``), the returned plan is
then repaired towards it (:func:`coverage.planning.capture.repair_capture`: an open site
that is the best server of points it cannot carry becomes a relay, is dropped or changes
mast), and the bound and gap are those of the repaired plan in the model's own covers.

Deterministic: the search is budgeted by work (moves, kicks, HiGHS nodes per solve, one
HiGHS thread), not by seconds. HiGHS stops at an absolute gap equal to the target relative
gap of the best plan's whole coverage (its own relative gap is of the modelled rows only).
The wall-clock limit is a safety net over every phase: one
:class:`~coverage.planning.deadline.Deadline` made from ``time_limit_s`` is passed down;
the heuristics stop at 75 % of what is left once the model is built, the solve rounds at
all of it, so the call ends within about ``time_limit_s`` plus HiGHS's overrun of the time
it is given (setup and decoding: about 2 s on San Cristóbal, docs/benchmarks.md); a limit
shorter than the model build, one greedy step and a first solve of at least 0.5 s is
overrun by those. A plan it cuts (the log names each phase cut), or one not proven within the
target gap, carries warnings that every output shows.

Size control, all exact except the last: demand points with identical cover sets are
merged; under a budget, demand rows are generated lazily (the groups seen by the fewest
options first, then any group a plan leaves uncovered, until none is; the bound counts
unmodelled groups as covered, so it stays valid); nodes beyond the hop limit are dropped.
SIMPLIFICATION: :attr:`~coverage.planning.problem.PlacementProblem.max_links_per_site`
(default 8) keeps only each site's most useful candidate links, so optimality and bound
are relative to that pruned graph.
"""

from __future__ import annotations

import dataclasses
import logging
import math
import time
from dataclasses import dataclass, field

import networkx as nx
import numpy as np
from numpy.typing import NDArray

from coverage.errors import InfeasibleError
from coverage.planning.backhaul.checks import explain_infeasible
from coverage.planning.backhaul.formulation import Cut, start_vector, violated_cuts
from coverage.planning.backhaul.hotspots import hotspot_people
from coverage.planning.backhaul.kicks import perturb_search
from coverage.planning.backhaul.model import FIRST_ROWS_NNZ, BackhaulModel, BackhaulPlan
from coverage.planning.backhaul.presolve import undominated
from coverage.planning.backhaul.satellites import most_weight, plan_value, satellite_people
from coverage.planning.backhaul.search import (
    GreedyStart,
    greedy_then_connect,
    improve_plan,
    lighter_starts,
    swap_then_connect,
)
from coverage.planning.backhaul.trim import trim_to_fit
from coverage.planning.backhaul.widths import plan_widths
from coverage.planning.capture import ServedPeople, repair_capture
from coverage.planning.covering import PlacementResult
from coverage.planning.deadline import Deadline
from coverage.planning.problem import DEFAULT_SOLVE, PlacementProblem, SolveSettings
from coverage.planning.solver import relative_gap

__all__ = ["plan_network"]

log = logging.getLogger(__name__)

#: Least time (s) a HiGHS solve is given, even once the deadline has passed: the first
#: round always runs (it gives the bound), so the stage may end this much past the limit.
_MIN_SOLVE_S = 0.5

#: Share of ``time_limit_s`` (what is left of it once the model is built) after which the
#: heuristics (greedy bisection, swaps, local searches, kicks) stop, leaving the rest to
#: HiGHS (a safety net: they are budgeted by work, and a cut is flagged).
_SEARCH_SHARE = 0.75

#: Least time (s) the capture repair is given after the solve rounds, even once the
#: deadline has passed (ASSUMPTION: a few passes of single-site moves on a plan of tens of
#: sites take well under this; the repair is budgeted by work, this is a safety net).
_MIN_REPAIR_S = 10.0


def plan_network(
    problem: PlacementProblem,
    settings: SolveSettings = DEFAULT_SOLVE,
    *,
    kicks: int = 40,
    seed: int = 0,
    first_rows_nnz: int = FIRST_ROWS_NNZ,
    served: ServedPeople | None = None,
) -> PlacementResult:
    """Choose access sites, mast heights, relays and backhaul links to the PoP together.

    Parameters
    ----------
    problem
        Coverage matrix, weights, link graph, candidates, mast heights (m), costs (USD),
        PoP, budget (USD) or target share, must-cover points, ``k_coverage``, hop limit,
        two paths, the traffic model (Mbps) and the link pruning.
    settings
        "milp" (exact, warm-started from greedy-then-connect) or "greedy" (greedy coverage
        then cheapest hop-limited connection; bound from the LP relaxation); the relative
        gap, the node budget per solve and the wall-clock safety limit (s).
    kicks
        Kicks of the iterated local search on the warm start
        (:func:`coverage.planning.backhaul.kicks.perturb_search`; 0 turns it off): a work
        budget. The heuristics stop after 75 % of ``settings.time_limit_s`` (safety net).
    seed
        Seed of the generator that picks the kicks.
    first_rows_nnz
        Coverage nonzeros of the demand rows in the first model (coverage objective); the
        other groups enter when a plan leaves them uncovered.
    served
        The service model's people served for a set of access options: when given, the
        solved plan is repaired towards it (:func:`coverage.planning.capture.repair_capture`)
        and ``details["placement_repair"]`` records the moves; None: no repair.

    Returns
    -------
    PlacementResult
        The best plan found that meets every constraint (never worse than the heuristic
        plans it started from), with ``chosen`` (access candidates), ``relays``, ``links``
        and ``graph`` filled in, the proven bound and gap of that plan, and ``warnings``
        when the plan is not proven within ``settings.mip_rel_gap`` or a wall-clock limit
        cut the search; ``details`` also holds the greedy-then-connect plan's cost and
        coverage.

    Raises
    ------
    InfeasibleError
        In words: a must-cover point no candidate sees, or only candidates without a relay
        chain to the PoP within the hop limit see; no candidate reaches the PoP; a target
        above what reachable candidates can cover; no plan meets every constraint.
    """
    t0 = time.perf_counter()
    deadline = Deadline.after(settings.time_limit_s, start_s=t0)
    model = BackhaulModel.build(problem, first_rows_nnz=first_rows_nnz)
    search = deadline.part(_SEARCH_SHARE)
    greedy = greedy_then_connect(model, search)
    if settings.method == "greedy":
        left_s = max(deadline.left_s(), _MIN_SOLVE_S)
        _, bound = model.solve(left_s, settings.mip_rel_gap, start=None, relax=True)
        res = _result(model, greedy.plan, "greedy+connect", "heuristic", bound, t0, "")
        warnings = _gap_warning(res, settings, "greedy") + _time_warning(settings, deadline)
        return dataclasses.replace(res, warnings=warnings)
    start = _warm_start(model, greedy, search, kicks=kicks, seed=seed)
    start = dataclasses.replace(start, plan=undominated(model, start.plan))
    model.activate_missing(greedy.plan)  # what the warm starts miss is where the plans differ
    model.activate_missing(start.plan)
    rounds = _Rounds(model, settings, start, deadline)
    rounds.run()
    plan = rounds.best
    if plan is None:
        msg = (
            "The solver found no plan that meets the target and every must-cover point "
            f"within its limits ({settings.max_nodes:,} nodes per solve, "
            f"{settings.time_limit_s:g} s), and no heuristic plan does; raise max_nodes or "
            "time_limit_s, or lower the target."
        )
        raise InfeasibleError(msg)
    repair = None
    if served is not None:
        floor = time.perf_counter() + _MIN_REPAIR_S
        late = dataclasses.replace(deadline, end_s=max(deadline.end_s, floor), cut=deadline.cut)
        plan, repair = repair_capture(model, plan, served, late)
    msg = f"{rounds.rounds} solve(s), {rounds.nodes} branch-and-bound node(s)"
    if model.two_paths:
        msg += f", {len(rounds.cuts)} two-path cut(s)"
    if repair is not None and repair.moves:
        msg += (
            f"; capture repair: {len(repair.moves)} move(s), weight served under the service "
            f"model {repair.served_before:.1f} -> {repair.served_after:.1f} (the bound and gap "
            "are of the placement's own covers, for the repaired plan)"
        )
    res = _result(model, plan, "milp", rounds.status(), rounds.bound, t0, msg)
    res = dataclasses.replace(res, warnings=_warnings(res, settings, rounds, deadline))
    log.info(
        "plan_network: %s; plan %.1f, bound %.1f, proven gap %.3f%% of the whole plan "
        "(HiGHS's own gap is of the modelled rows only)",
        res.status,
        res.covered_weight if model.budget_usd is not None else res.cost_usd,
        res.upper_bound,
        100 * res.gap,
    )
    for w in res.warnings:
        log.warning("plan_network: %s", w)
    res.details.update(
        greedy_cost_usd=greedy.plan.cost,
        greedy_covered_weight=model.covered_weight(greedy.plan),
        warm_start_covered_weight=model.covered_weight(start.plan),
        warm_start=start.source,
        rounds=rounds.rounds,
        nodes=rounds.nodes,
        kicks=start.kicks_made,
        time_cut_phases=tuple(deadline.cut),
        modelled_demand_groups=int(model.active.sum()),
    )
    if repair is not None:
        res.details["placement_repair"] = repair.as_dict()
    return res


@dataclass(frozen=True)
class _Start:
    """The warm start: the best feasible heuristic plan, where it came from, and whether a
    wall-clock limit cut the search for it."""

    plan: BackhaulPlan
    source: str
    kicks_made: int
    kicks_cut: bool


def _warm_start(
    model: BackhaulModel, greedy: GreedyStart, deadline: Deadline, *, kicks: int, seed: int
) -> _Start:
    """The best feasible plan of greedy, the swapped greedy plan and the local searches
    from them and from lighter greedy plans, then improved by the kicks; each phase stops
    at ``deadline`` (and a search it cuts keeps the best plan it reached)."""
    m = model
    # its links may carry less than its sites offer: trimmed first, so the searches start
    # from plans whose backhaul fits
    fitted = trim_to_fit(m, greedy.plan, deadline) or greedy.plan
    swapped = swap_then_connect(m, greedy, deadline)
    swapped = trim_to_fit(m, swapped, deadline) or swapped
    plans = [("greedy-then-connect", fitted), ("swaps", swapped)]
    empty = BackhaulPlan({}, {}, [])  # grown from the PoP: low budgets that greedy overspends
    bases = (fitted, swapped, *lighter_starts(m, greedy, deadline=deadline), empty)
    plans.extend(("local search", improve_plan(m, base, deadline=deadline)) for base in bases)
    best: tuple[str, BackhaulPlan] | None = None
    for source, plan in plans:
        if not m.feasible(plan):
            log.debug("plan_network: the %s plan breaks a constraint; not a start", source)
            continue
        if best is None or m.better(plan, best[1]):
            best = (source, plan)
    if best is None:  # no heuristic plan meets every constraint (a target, say)
        return _Start(BackhaulPlan({}, {}, []), "none", 0, kicks_cut=False)
    made, cut = 0, False
    if m.covered_weight(best[1]) < float(m.wg.sum()) - 1e-9:  # else all that can be seen
        kicked, made = perturb_search(m, best[1], kicks=kicks, seed=seed, deadline=deadline)
        if kicked is not best[1] and m.feasible(kicked):
            best = ("kicks", kicked)
        cut = made < kicks
    log.info(
        "plan_network: warm start from the %s plan, covering %.1f (%.0f USD), after local "
        "moves from %d starts and %d kicks (each search's moves at DEBUG)",
        best[0], m.covered_weight(best[1]), best[1].cost, len(bases), made,
    )  # fmt: skip
    return _Start(best[1], best[0], made, kicks_cut=cut)


@dataclass
class _Rounds:
    """The solve rounds of :func:`plan_network`: solve, then add the demand rows and the
    two-path cuts the plan shows missing and solve again, until none is missing; the best
    plan that meets every constraint is kept throughout."""

    model: BackhaulModel
    settings: SolveSettings
    start: _Start
    deadline: Deadline
    cuts: list[Cut] = field(default_factory=list)
    rounds: int = 0
    nodes: int = 0
    bound: float = math.nan
    best: BackhaulPlan | None = None
    complete: bool = False
    solver_status: str = ""
    time_cut: bool = False
    stalled: bool = False

    def run(self) -> None:
        """Solve rounds until no row or cut is missing, or a limit stops them."""
        m = self.model
        if m.meets_target(self.start.plan):  # under a budget, even the empty plan does
            self.best = self.start.plan
        start_plan: BackhaulPlan | None = self.best
        while not self.complete:
            if self.rounds and self.deadline.passed("solver rounds"):
                self.time_cut = True
                return
            plan = self._round(start_plan)
            if self.stalled:
                return
            if plan is None:
                continue
            if self.best is None or m.better(plan, self.best):
                self.best = plan
            start_plan = self.best  # it meets every cut found so far

    def _round(self, start_plan: BackhaulPlan | None) -> BackhaulPlan | None:
        """One solve; the decoded plan when it meets every constraint, else None."""
        m, st = self.model, self.settings
        self.rounds += 1
        left = max(self.deadline.left_s(), _MIN_SOLVE_S)
        x0 = start_vector(m, start_plan) if start_plan is not None else None
        sol, bound = m.solve(
            left,
            st.mip_rel_gap,
            start=x0,
            cuts=self.cuts,
            max_nodes=st.max_nodes,
            abs_gap=self._abs_gap(),
        )
        self.nodes += sol.nodes
        self.solver_status = sol.status
        self.time_cut = self.time_cut or sol.stopped_by_time
        self._tighten(bound)
        if sol.x is None:  # no new plan, and the same model would give none again
            if sol.status == "infeasible" and self.best is None:
                raise InfeasibleError(explain_infeasible(m.problem, m.need_weight))
            self.stalled = True
            return None
        plan = m.decode(sol.x)
        missing = m.activate_missing(plan)
        if self.best is not None and not missing:
            missing = m.activate_missing(self.best)
        new = violated_cuts(m, plan) if m.two_paths else []
        self.cuts.extend(new)
        self.complete = not missing and not new
        return plan if not new and m.meets_target(plan) else None

    def _abs_gap(self) -> float:
        """Absolute gap (the model's objective units) at which HiGHS may stop: the target
        gap of the best plan's coverage. HiGHS's own relative gap is of the modelled rows
        only, far stricter than the plan's; 0 for the cost objective."""
        m = self.model
        if m.budget_usd is None or self.best is None:
            return 0.0
        eps = m.tie_penalty_per_usd * m.budget_usd
        return max(self.settings.mip_rel_gap * plan_value(m, self.best) - eps, 0.0)

    def _tighten(self, bound: float) -> None:
        """Keep the tightest bound of any round (each is valid for the whole problem)."""
        if not math.isfinite(bound):
            return
        if math.isnan(self.bound):
            self.bound = bound
        elif self.model.budget_usd is not None:
            self.bound = min(self.bound, bound)
        else:
            self.bound = max(self.bound, bound)

    def status(self) -> str:
        """The result's status in words: "optimal" only for a complete, proven solve."""
        if not self.complete:
            return f"{self.solver_status or 'not solved'} (constraint rounds incomplete)"
        return self.solver_status


def _warnings(
    res: PlacementResult, settings: SolveSettings, rounds: _Rounds, deadline: Deadline
) -> tuple[str, ...]:
    """What the result cannot stand behind, one sentence each."""
    why = (
        f"the wall-clock limit of {settings.time_limit_s:g} s"
        if rounds.time_cut
        else f"the node budget of {settings.max_nodes:,} per solve"
    )
    out = list(_gap_warning(res, settings, why))
    if rounds.time_cut and "solver rounds" not in deadline.cut:
        deadline.cut.append("solver rounds")  # HiGHS stopped itself at the time left
    if rounds.start.kicks_cut and "kicks" not in deadline.cut:
        deadline.cut.append("kicks")
    out.extend(_time_warning(settings, deadline))
    if not rounds.complete:
        out.append(
            "The solver's rounds of demand rows or two-path cuts did not finish: the plan "
            "is the best complete plan found, not the solver's last answer."
        )
    return tuple(out)


def _time_warning(settings: SolveSettings, deadline: Deadline) -> tuple[str, ...]:
    """A warning naming the phases the wall-clock limit cut (none: no warning)."""
    if not deadline.cut:
        return ()
    return (
        f"The wall-clock limit ({settings.time_limit_s:g} s) cut the search short (the "
        f"{', '.join(deadline.cut)}), so this plan may differ on a faster or slower "
        "machine; raise time_limit_s for a plan that depends only on the inputs.",
    )


def _gap_warning(res: PlacementResult, settings: SolveSettings, why: str) -> tuple[str, ...]:
    """A warning when the plan's proven gap is above the target gap (``why``: what stopped
    the search: a limit, or "greedy" for the heuristic method)."""
    target = settings.mip_rel_gap
    if res.gap <= target * 1.0001 + 1e-9:
        return ()
    gap = "an unknown gap" if not math.isfinite(res.gap) else f"{res.gap:.2%}"
    head = (
        f"The placement is not proven optimal: it is within {gap} of the best possible "
        f"plan, not within the target gap of {target:.2%}"
    )
    if why == "greedy":
        return (f"{head}; it is the greedy heuristic's plan (method = 'greedy').",)
    return (f"{head}; {why} stopped the solver. Raise max_nodes or time_limit_s, or accept it.",)


def _result(
    model: BackhaulModel,
    plan: BackhaulPlan,
    method: str,
    status: str,
    bound: float,
    t0: float,
    message: str,
) -> PlacementResult:
    """The placement result of a plan, with its gap against ``bound``."""
    m = model
    nh = m.n_heights
    covered = m.covered(plan)
    weight = plan_value(m, plan)  # with satellites, the people they connect too
    if m.budget_usd is not None:
        ub = min(bound, most_weight(m))
        if ub - weight <= m.tie_penalty_per_usd * m.budget_usd + 1e-9:
            ub = max(weight, 0.0)  # within the tie-break's slack: proven (see tie_penalty_per_usd)
        value = weight
    else:
        ub = max(bound, 0.0)
        value = plan.cost
    acc = sorted(plan.access)
    rel = sorted(plan.relays)
    G = _built_graph(m, plan, covered)
    links = tuple((u, v) for u, v in G.edges())
    return PlacementResult(
        chosen=np.array(acc, dtype=np.int64),
        heights_m=np.array([m.heights_m[plan.access[i]] for i in acc]),
        options=np.array([i * nh + plan.access[i] for i in acc], dtype=np.int64),
        covered_weight=weight,
        upper_bound=float(ub),
        gap=relative_gap(value, ub) if math.isfinite(ub) else math.inf,
        status=status,
        method=method,
        solve_time_s=time.perf_counter() - t0,
        cost_usd=plan.cost,
        covered=covered,
        objective="coverage" if m.budget_usd is not None else "cost",
        relays=np.array(rel, dtype=np.int64),
        relay_heights_m=np.array([m.heights_m[plan.relays[i]] for i in rel]),
        links=links,
        graph=G,
        message=message,
        details={
            "columns": m.cols.n,
            "satellite_people": satellite_people(m, plan),
            "hotspots": tuple(plan.hotspots),
            "hotspot_people": hotspot_people(m, plan),
            "merged_demand": int(m.Ag.shape[1]),
            "candidate_links": len(m.net.edges),
        },
    )


def _built_graph(model: BackhaulModel, plan: BackhaulPlan, covered: NDArray[np.bool_]) -> nx.Graph:
    """The built network: access sites and relays with their roles, masts, costs and what
    they cover, the PoP(s), and the links with their attributes."""
    m = model
    nh = m.n_heights
    graph = m.problem.graph
    G = nx.Graph(crs=graph.graph.get("crs"))
    Af = m.A.astype(np.float64)
    for role, table, costs in (
        ("access", plan.access, m.access_cost_usd),
        ("relay", plan.relays, m.relay_cost_usd),
    ):
        for i, h in table.items():
            o = i * nh + h
            key = m.ids[i]
            row = Af[[o], :].toarray().ravel() > 0
            access = role == "access"
            attrs = {
                a: v
                for a, v in graph.nodes[key].items()
                if a in _NODE_ATTRS and a != "mast_height_m"  # set below
            }
            G.add_node(
                key,
                **attrs,
                role=role,
                mast_height_m=float(m.heights_m[h]),
                cost_usd=float(costs[o]),
                people_covered=float(m.w[row & covered].sum()) if access else 0.0,
                schools_covered=int((row & covered & m.must).sum()) if access else 0,
                candidate_index=i,
            )
    widths = plan_widths(m, plan)  # the channel each link was planned with
    for e in plan.edges:
        a, b = (int(v) for v in m.net.edges[e])
        ka = m.ids[a]
        kb = m.net.pop_of_edge[e] if b == m.net.n else m.ids[b]
        for key in (ka, kb):
            if key not in G:
                attrs = {x: v for x, v in graph.nodes[key].items() if x in _NODE_ATTRS}
                G.add_node(key, **attrs, role="pop", cost_usd=0.0)
        attrs = {x: v for x, v in graph.edges[ka, kb].items() if x in _EDGE_ATTRS}
        if e in widths:
            attrs["bandwidth_mhz"] = widths[e]
        G.add_edge(ka, kb, **attrs, cost_usd=m.link_cost_usd)
    return G


_NODE_ATTRS = ("x", "y", "name", "ground_elevation_m", "mast_height_m")
_EDGE_ATTRS = ("length_m", "clearance_ratio", "margin_db", "capacity_mbps", "min_height_m")
