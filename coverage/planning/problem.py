"""The placement problems and the solve settings, as frozen value objects.

* :class:`CoverageProblem`: which options (a candidate at one mast height) serve which
  demand points, and what each option costs; solved by
  :func:`~coverage.planning.placement.maximize_coverage` (within a budget) and
  :func:`~coverage.planning.placement.minimize_cost` (for a target share);
* :class:`SolveSettings`: the method, time limit and gap of a solve.

Each object checks its values once, when it is made, and raises
:class:`~coverage.errors.InputError` naming the field, the bad value and the fix. Arrays
are stored in the dtype the solvers use (a boolean CSR matrix, float64 weights and costs),
so a problem made once can be solved many times.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import sparse

from coverage.errors import InputError

__all__ = ["CoverageProblem", "SolveSettings"]

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
        Overall time limit (s); the best plan found is returned with its gap.
    mip_rel_gap
        Relative gap at which the solver stops (0.005 = 0.5 %).

    Raises
    ------
    InputError
        An unknown method, a time limit that is not positive or a negative gap.
    """

    method: str = "milp"
    time_limit_s: float = 60.0
    mip_rel_gap: float = 0.005

    def __post_init__(self) -> None:
        if self.method not in _METHODS:
            msg = f"method must be 'milp' or 'greedy', got {self.method!r}."
            raise InputError(msg)
        if not self.time_limit_s > 0:
            msg = f"time_limit_s must be positive, got {self.time_limit_s}; give seconds > 0."
            raise InputError(msg)
        if not self.mip_rel_gap >= 0:
            msg = f"mip_rel_gap must not be negative, got {self.mip_rel_gap}; 0 asks for proof."
            raise InputError(msg)


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
        """Mast height (m) of each option as float64, or None when not given."""
        if self.option_height_m is None:
            return None
        return np.asarray(self.option_height_m, np.float64)
