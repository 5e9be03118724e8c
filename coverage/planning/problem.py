"""The placement problems and the solve settings, as frozen value objects.

* :class:`CoverageProblem`: which options (a candidate at one mast height) serve which
  demand points, and what each option costs; solved by
  :func:`~coverage.planning.placement.maximize_coverage` (within a budget) and
  :func:`~coverage.planning.placement.minimize_cost` (for a target share);
* :class:`PlacementProblem`: the same with the candidate link graph, relays, backhaul links
  and a point of presence, and its objective (a budget or a target share); solved by
  :func:`~coverage.planning.backhaul.milp.plan_network`;
* :class:`SiteTraffic`: the busy-hour load model of an access site (Mbps);
* :class:`SolveSettings`: the method, time limit and gap of a solve.

Each object checks its values once, when it is made, and raises
:class:`~coverage.errors.InputError` naming the field, the bad value and the fix. Arrays
are stored in the dtype the solvers use (a boolean CSR matrix, float64 weights and costs),
so a problem made once can be solved many times.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field

import networkx as nx
import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import sparse

from coverage.errors import InputError
from coverage.planning.channels import LinkWidths
from coverage.planning.covering import Matrix
from coverage.planning.hotspot import HotspotOption

__all__ = [
    "DEFAULT_SOLVE",
    "CoverageProblem",
    "PlacementProblem",
    "SiteTraffic",
    "SolveSettings",
]

#: The solve methods every placement function knows.
_METHODS = ("milp", "greedy")


def _check_k_coverage(k_coverage: int) -> None:
    if int(k_coverage) != k_coverage or k_coverage < 1:
        msg = f"k_coverage (sites per covered point) must be a positive integer, got {k_coverage}."
        raise InputError(msg)


@dataclass(frozen=True)
class SolveSettings:
    """How a placement problem is solved.

    Attributes
    ----------
    method
        "milp" (exact, HiGHS, warm-started from the greedy plan) or "greedy" (the greedy
        plan alone, with the LP relaxation's bound where the function computes one).
    time_limit_s
        Overall wall-clock limit (s), a safety net: the best plan found is returned with
        its gap, and a plan cut by it is flagged (it may differ on another machine).
    mip_rel_gap
        Relative gap at which the solver stops (0.005 = 0.5 %).
    max_nodes
        The work budget: most branch-and-bound nodes per solve. A solve that stops here
        stops at the same node on every machine; its plan is flagged when the gap is
        above ``mip_rel_gap``.

    Raises
    ------
    InputError
        An unknown method, a time limit that is not positive, a negative gap or a node
        budget below 1.
    """

    method: str = "milp"
    time_limit_s: float = 60.0
    mip_rel_gap: float = 0.005
    max_nodes: int = 20_000

    def __post_init__(self) -> None:
        """Refuse an unknown method, a time limit not > 0 s or a negative gap."""
        if self.method not in _METHODS:
            msg = f"method must be 'milp' or 'greedy', got {self.method!r}."
            raise InputError(msg)
        if not self.time_limit_s > 0:
            msg = f"time_limit_s must be positive, got {self.time_limit_s}; give seconds > 0."
            raise InputError(msg)
        if not self.mip_rel_gap >= 0:
            msg = f"mip_rel_gap must not be negative, got {self.mip_rel_gap}; 0 asks for proof."
            raise InputError(msg)
        if int(self.max_nodes) != self.max_nodes or self.max_nodes < 1:
            msg = f"max_nodes must be a positive integer, got {self.max_nodes}."
            raise InputError(msg)


#: The settings :func:`~coverage.planning.backhaul.milp.plan_network` uses unless told:
#: exact MILP, relative gap 0.5 %, 20,000 nodes per solve, 60 s safety limit.
DEFAULT_SOLVE = SolveSettings()


@dataclass(frozen=True, eq=False)
class CoverageProblem:
    """Which options serve which demand points, and what each option costs (no backhaul).

    An option is a candidate site at one mast height (see
    :func:`coverage.planning.candidates.option_index`: option ``o`` is candidate
    ``o // n_heights`` at height ``o % n_heights``).

    Attributes
    ----------
    covers
        Sparse boolean matrix, options (rows) x demand points (columns): option ``o``
        serves point ``d``. Stored as a CSR array without explicit zeros.
    weights
        People (or any weight) at each demand point; stored as float64.
    costs_usd
        Cost (USD, or any unit the budget shares) of each option; stored as float64.
    option_candidate
        Candidate index of each option; at most one option per candidate is chosen (one
        mast height per site). None: every option is its own candidate.
    option_height_m
        Mast height (m) of each option, for the result (None: NaN heights).
    k_coverage
        Distinct candidates that must see a point for it to count as covered.
    must_cover
        Per demand point: must be covered (e.g. schools); used by
        :func:`~coverage.planning.placement.minimize_cost`. None: no point must.
    demand_names
        Names of the demand points for messages (None: "point 0", "point 1", ...).
    candidate_of
        Derived: the candidate of each option (``option_candidate`` or ``0..n-1``).
    must
        Derived: ``must_cover`` as a boolean array (all False when None).
    names
        Derived: ``demand_names`` as a list, or the default names.

    Raises
    ------
    InputError
        A shape that does not match (one weight per column, one cost per row, one candidate
        per option), a negative or non-finite weight or cost, or ``k_coverage`` below 1.
    """

    covers: sparse.csr_array
    weights: NDArray[np.float64]
    costs_usd: NDArray[np.float64]
    option_candidate: ArrayLike | None = None
    option_height_m: ArrayLike | None = None
    k_coverage: int = 1
    must_cover: ArrayLike | None = None
    demand_names: Sequence[str] | None = None
    candidate_of: NDArray[np.int64] = field(init=False, repr=False)
    must: NDArray[np.bool_] = field(init=False, repr=False)
    names: list[str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        """Check the shapes and values; store the arrays in the solvers' dtypes and derive
        ``candidate_of``, ``must`` and ``names``."""
        A = sparse.csr_array(self.covers, dtype=bool)
        A.eliminate_zeros()
        n, m = A.shape
        w = np.asarray(self.weights, dtype=np.float64).ravel()
        c = np.asarray(self.costs_usd, dtype=np.float64).ravel()
        if w.size != m or c.size != n:
            msg = (
                f"covers is {n} options x {m} demand points but got {w.size} weights and "
                f"{c.size} costs; give one weight per column and one cost per row."
            )
            raise InputError(msg)
        if (w < 0).any() or (c < 0).any() or not (np.isfinite(w).all() and np.isfinite(c).all()):
            msg = "weights and costs must be finite and non-negative."
            raise InputError(msg)
        grp = (
            np.arange(n)
            if self.option_candidate is None
            else np.asarray(self.option_candidate, np.int64)
        )
        if grp.size != n:
            msg = f"option_candidate has {grp.size} entries for {n} options."
            raise InputError(msg)
        _check_k_coverage(self.k_coverage)
        must = np.zeros(m, bool) if self.must_cover is None else np.asarray(self.must_cover, bool)
        names = (
            list(self.demand_names)
            if self.demand_names is not None
            else [f"point {j}" for j in range(m)]
        )
        for name, value in (("covers", A), ("weights", w), ("costs_usd", c)):
            object.__setattr__(self, name, value)
        for name, value in (("candidate_of", grp), ("must", must), ("names", names)):
            object.__setattr__(self, name, value)

    @property
    def heights_m(self) -> NDArray[np.float64] | None:
        """Mast height (m) of each option as float64, or None when not given.

        Returns
        -------
        numpy.ndarray or None
            ``option_height_m`` (m), one value per option.
        """
        if self.option_height_m is None:
            return None
        return np.asarray(self.option_height_m, np.float64)


@dataclass(frozen=True)
class SiteTraffic:
    """The busy-hour traffic (Mbps) an access site injects into the backhaul.

    ``mbps_per_weight`` times the weight (people) the option can serve, clipped to
    ``[min_site_mbps, max_site_mbps]``. The defaults are an ILLUSTRATIVE, conservative load
    model: 20 kbps per person at the busy hour (about a 1 Mbps plan per household at 20:1
    contention), at most what one 20 MHz LTE small cell delivers (about 100 Mbps).

    Attributes
    ----------
    mbps_per_weight
        Busy-hour traffic per person (Mbps).
    min_site_mbps
        Least traffic of an access site (Mbps).
    max_site_mbps
        Most traffic of an access site (Mbps).

    Raises
    ------
    InputError
        A negative rate, or a minimum above the maximum.
    """

    mbps_per_weight: float = 0.02
    min_site_mbps: float = 1.0
    max_site_mbps: float = 100.0

    def __post_init__(self) -> None:
        """Refuse a negative rate, or a minimum below 0 or above the maximum."""
        if not self.mbps_per_weight >= 0:
            msg = (
                f"mbps_per_weight must not be negative, got {self.mbps_per_weight}; give 0 or more."
            )
            raise InputError(msg)
        if not 0 <= self.min_site_mbps <= self.max_site_mbps:
            msg = (
                f"min_site_mbps ({self.min_site_mbps}) and max_site_mbps "
                f"({self.max_site_mbps}) must satisfy 0 <= min <= max; swap or fix them."
            )
            raise InputError(msg)

    def option_mbps(self, covers: Matrix, weights: NDArray[np.float64]) -> NDArray[np.float64]:
        """Traffic (Mbps) of each option built as an access site.

        Parameters
        ----------
        covers
            Options x demand points, boolean.
        weights
            People at each demand point.

        Returns
        -------
        numpy.ndarray
            One value per option (Mbps).
        """
        served = sparse.csr_array(covers).astype(float) @ weights
        return np.asarray(
            np.clip(self.mbps_per_weight * served, self.min_site_mbps, self.max_site_mbps)
        )


@dataclass(frozen=True, eq=False)
class PlacementProblem:
    """Access sites, mast heights, relays and backhaul links to a point of presence.

    Attributes
    ----------
    covers
        Sparse boolean matrix, options x demand points; option ``o`` is candidate
        ``o // len(heights_m)`` at mast ``heights_m[o % len(heights_m)]``
        (:func:`coverage.planning.candidates.option_index`). Stored as a CSR array.
    weights
        People at each demand point; stored as float64.
    graph
        Candidate link graph (:func:`coverage.planning.linkgraph.candidate_link_graph`):
        nodes keyed by ``candidate_ids`` plus the PoP(s); edges with ``min_height_m`` and
        ``capacity_mbps``.
    candidate_ids
        Node key of each candidate, in option order; stored as a tuple.
    heights_m
        Mast height options (m).
    access_cost_usd
        Cost (USD) of each option built as an access site
        (:func:`coverage.planning.costs.option_costs_usd`).
    relay_cost_usd
        Cost (USD) of each option built as a relay only.
    link_cost_usd
        Cost (USD) of one backhaul link.
    pop
        Point(s) of presence: one node key of ``graph``, or a list, tuple or set of them.
    budget_usd
        Maximise the covered weight within this total cost (sites, relays and links).
    target_share
        Instead, minimise the cost of covering this share (0-1) of ``target_weights`` and
        every ``must_cover`` point. Give exactly one of the two.
    must_cover
        Per demand point: must be covered (schools). None: no point must.
    target_weights
        What ``target_share`` is a share of, per demand point: people, with 0 for the
        schools (each school is its own ``must_cover`` constraint, not a share of
        people). None: ``weights``.
    demand_names
        Names of the demand points for messages (None: "demand point 0", ...).
    k_coverage
        Distinct access sites that must see a point for it to count as covered.
    hop_limit
        Most links from any access site to the PoP (None: no limit).
    two_paths
        Require two edge-disjoint paths from every access site to the PoP.
    traffic
        The load model of an access site (:class:`SiteTraffic`).
    traffic_mbps
        Busy-hour traffic (Mbps) of each option built as an access site, instead of
        ``traffic``'s model (None: the model).
    max_links_per_site
        Keep only this many candidate links per site (those towards nodes fewest hops from
        the PoP first, then lowest mast, then shortest; every PoP link is kept). Dense
        mountain-top graphs otherwise make the model too large; the optimum and bound are
        then those of the pruned graph. None keeps all.
    max_links_at_site
        Most backhaul links built at one site or PoP: the channels its band offers at the
        narrowest width, so that links sharing a site never share a channel (5 in the
        5725-5850 MHz band at 20 MHz, :mod:`coverage.planning.channels`). None: no limit.
    link_widths
        The channel width each built link gets is a choice of the MILP
        (:class:`~coverage.planning.channels.LinkWidths`): a link's capacity is that of its
        width (edge attribute ``capacity_by_width_mbps``, one value per width) and the
        widths at one site or PoP sum to at most ``site_mhz``, the exact spectrum model of
        :mod:`coverage.planning.channels`. None (default): every link carries
        ``capacity_mbps`` and only ``max_links_at_site`` limits a site.
    satellite_usd_per_person
        The satellite option (coverage objective only): what connecting one person by a
        satellite terminal costs (USD: a terminal's cost over the plan's life divided by
        the people per terminal). The budget left by the sites, relays and links then buys
        terminals for people no built site covers (``satellite_weights``), and the
        objective counts them; None (default): no satellite option.
    satellite_weights
        People per demand point who may get a terminal (0 for schools and for points an
        existing cell serves); None: ``target_weights``.
    hotspots
        The hotspot option (coverage objective only,
        :class:`~coverage.planning.hotspot.HotspotOption`): public Wi-Fi hotspots fed by a
        covered host point, reaching the households within a walk at a reduced weight;
        None (default): no hotspot option.
    share_weights
        Derived: ``target_weights`` (or ``weights``) as float64.
    pop_ids
        Derived: ``pop`` as a tuple of node keys.
    must
        Derived: ``must_cover`` as a boolean array (all False when None).
    names
        Derived: ``demand_names`` as strings, or the default names.

    Raises
    ------
    InputError
        ``k_coverage`` below 1; a shape that does not match (one row and one cost per
        candidate x height option, one weight per column); not exactly one of
        ``budget_usd`` and ``target_share``; a PoP that is not a node of ``graph``; a hop
        limit or a link limit per site below 1; a satellite cost that is not > 0 or comes
        without a budget; hotspots without a budget or with a reach of the wrong width.
    """

    covers: sparse.csr_array
    weights: NDArray[np.float64]
    graph: nx.Graph
    candidate_ids: Sequence[Hashable]
    heights_m: NDArray[np.float64]
    access_cost_usd: NDArray[np.float64]
    relay_cost_usd: NDArray[np.float64]
    link_cost_usd: float
    pop: Hashable | Sequence[Hashable]
    budget_usd: float | None = None
    target_share: float | None = None
    must_cover: ArrayLike | None = None
    target_weights: ArrayLike | None = None
    demand_names: Sequence[str] | None = None
    k_coverage: int = 1
    hop_limit: int | None = None
    two_paths: bool = False
    traffic: SiteTraffic = SiteTraffic()
    traffic_mbps: ArrayLike | None = None
    max_links_per_site: int | None = 8
    max_links_at_site: int | None = None
    link_widths: LinkWidths | None = None
    satellite_usd_per_person: float | None = None
    satellite_weights: ArrayLike | None = None
    hotspots: HotspotOption | None = None
    share_weights: NDArray[np.float64] = field(init=False, repr=False)
    pop_ids: tuple[Hashable, ...] = field(init=False, repr=False)
    must: NDArray[np.bool_] = field(init=False, repr=False)
    names: list[str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        """Check the values and shapes; store the arrays in the solvers' dtypes and derive
        ``pop_ids``, ``must`` and ``names``."""
        _check_k_coverage(self.k_coverage)
        self._normalise_arrays()
        self._check_shapes()
        if (self.budget_usd is None) == (self.target_share is None):
            msg = "Give exactly one of budget_usd (maximise coverage) or target_share."
            raise InputError(msg)
        pops = tuple(self.pop) if isinstance(self.pop, list | tuple | set) else (self.pop,)
        missing = [q for q in pops if q not in self.graph]
        if missing:
            msg = f"point of presence {missing} is not a node of the candidate link graph."
            raise InputError(msg)
        if self.max_links_at_site is not None and self.max_links_at_site < 1:
            msg = f"max_links_at_site must be at least 1, got {self.max_links_at_site}."
            raise InputError(msg)
        if self.link_widths is not None:
            k = len(self.link_widths.widths_mhz)
            bad = [
                (a, b) for a, b, c in self.graph.edges(data="capacity_by_width_mbps")
                if c is None or len(c) != k
            ]  # fmt: skip
            if bad:
                msg = (
                    f"link_widths needs capacity_by_width_mbps ({k} values) on every link; "
                    f"{len(bad)} links lack it, e.g. {bad[:3]}."
                )
                raise InputError(msg)
        sat = self.satellite_usd_per_person
        if sat is not None and (self.budget_usd is None or not sat > 0 or not np.isfinite(sat)):
            msg = (
                f"satellite_usd_per_person must be a cost > 0 USD under a budget (the coverage "
                f"objective), got {sat} with budget_usd={self.budget_usd}."
            )
            raise InputError(msg)
        hot = self.hotspots
        if hot is not None and (self.budget_usd is None or hot.reach.shape[1] != self.weights.size):
            msg = (
                "hotspots need a budget (the coverage objective) and one reach column per "
                f"demand point; got budget_usd={self.budget_usd} and "
                f"{hot.reach.shape[1]} columns for {self.weights.size} points."
            )
            raise InputError(msg)
        if self.hop_limit is not None and self.hop_limit < 1:
            msg = f"hop_limit must be at least 1, got {self.hop_limit}."
            raise InputError(msg)
        m = self.weights.size
        must = np.zeros(m, bool) if self.must_cover is None else np.asarray(self.must_cover, bool)
        names = [str(s) for s in self.demand_names] if self.demand_names is not None else []
        names = names or [f"demand point {j}" for j in range(m)]
        object.__setattr__(self, "pop_ids", pops)
        object.__setattr__(self, "must", must)
        object.__setattr__(self, "names", names)

    def _normalise_arrays(self) -> None:
        values = {
            "covers": sparse.csr_array(self.covers, dtype=bool),
            "weights": np.asarray(self.weights, dtype=np.float64),
            "candidate_ids": tuple(self.candidate_ids),
            "heights_m": np.asarray(self.heights_m, dtype=np.float64),
            "access_cost_usd": np.asarray(self.access_cost_usd, dtype=np.float64),
            "relay_cost_usd": np.asarray(self.relay_cost_usd, dtype=np.float64),
            "link_cost_usd": float(self.link_cost_usd),
        }
        for name, value in values.items():
            object.__setattr__(self, name, value)
        share = self.weights if self.target_weights is None else self.target_weights
        object.__setattr__(self, "share_weights", np.asarray(share, dtype=np.float64).ravel())

    def _check_shapes(self) -> None:
        A, w = self.covers, self.weights
        sw = self.share_weights
        if sw.size != w.size or not (np.isfinite(sw).all() and (sw >= 0).all()):
            msg = (
                f"target_weights has {sw.size} values for {w.size} demand points or a "
                "negative or non-finite value; give people (>= 0) per demand point."
            )
            raise InputError(msg)
        n, nh = len(self.candidate_ids), self.heights_m.size
        acc, rel = self.access_cost_usd, self.relay_cost_usd
        if A.shape != (n * nh, w.size) or acc.size != n * nh or rel.size != n * nh:
            msg = (
                f"covers is {A.shape} but {n} candidates x {nh} heights = {n * nh} options "
                f"and {w.size} weights were given, with {acc.size} access and {rel.size} "
                "relay costs; give one row and one cost per candidate x height option."
            )
            raise InputError(msg)

    @property
    def n_heights(self) -> int:
        """Number of mast height options.

        Returns
        -------
        int
            ``len(heights_m)``.
        """
        return int(self.heights_m.size)

    def option_traffic_mbps(self) -> NDArray[np.float64]:
        """Busy-hour traffic (Mbps) of each option as an access site.

        Returns
        -------
        numpy.ndarray
            ``traffic_mbps`` when given, else ``traffic``'s model over ``covers``.
        """
        if self.traffic_mbps is None:
            return self.traffic.option_mbps(self.covers, self.weights)
        return np.asarray(self.traffic_mbps, dtype=np.float64)
