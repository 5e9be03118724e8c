"""A thin wrapper over the HiGHS mixed-integer solver (Huangfu & Hall 2018, "Parallelizing
the dual revised simplex method", Math. Prog. Comp. 10:119-142; https://highs.dev).

Placement models are built as plain sparse matrices and solved here, so that the model code
never touches solver objects. The wrapper sets a time limit and a relative gap, passes a
warm-start incumbent (usually the greedy plan), and always reports the incumbent, the
solver's dual bound and the relative gap, also when the time limit stops the search.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass

import highspy
import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import sparse

__all__ = ["MilpSolution", "relative_gap", "solve_milp"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class MilpSolution:
    """What HiGHS returned for one model, in the model's own sense (min or max).

    Attributes
    ----------
    x
        Values of the columns of the best solution found; None when none was found.
    objective
        Objective of ``x`` (NaN when none).
    bound
        The solver's proven bound on the optimum (dual bound).
    gap
        Relative gap ``|bound - objective| / max(|objective|, 1e-9)``; 0 when proven optimal.
    status
        "optimal", "time_limit", "infeasible" or another HiGHS model status in words.
    solve_time_s
        Wall time of the solve (s).
    """

    x: NDArray[np.float64] | None
    objective: float
    bound: float
    gap: float
    status: str
    solve_time_s: float


def relative_gap(objective: float, bound: float) -> float:
    """Relative optimality gap ``|bound - objective| / max(|objective|, 1e-9)``."""
    if not (math.isfinite(objective) and math.isfinite(bound)):
        return math.inf
    return abs(bound - objective) / max(abs(objective), 1e-9)


def solve_milp(
    c: ArrayLike,
    A: sparse.spmatrix | sparse.sparray,
    row_lower: ArrayLike,
    row_upper: ArrayLike,
    col_lower: ArrayLike,
    col_upper: ArrayLike,
    integrality: ArrayLike,
    *,
    maximize: bool = False,
    time_limit_s: float = 30.0,
    mip_rel_gap: float = 1e-4,
    start: ArrayLike | None = None,
    threads: int | None = None,
    verbose: bool = False,
    options: dict[str, bool | int | float | str] | None = None,
) -> MilpSolution:
    """Solve ``min/max c.x`` s.t. ``row_lower <= A x <= row_upper``, column bounds, integrality.

    Parameters
    ----------
    c, A, row_lower, row_upper, col_lower, col_upper
        The model; infinite bounds are ``np.inf``.
    integrality
        1 for integer columns, 0 for continuous ones.
    maximize
        Maximise instead of minimise.
    time_limit_s
        Wall-clock limit (s); the best solution found so far is returned with its gap.
    mip_rel_gap
        Stop when the relative gap is at most this.
    start
        A feasible solution to start from (warm start), full length.
    threads
        Solver threads (default: HiGHS's choice).
    verbose
        Print HiGHS's own log (for debugging models; the library otherwise only logs).
    options
        Further HiGHS options by name (e.g. ``{"mip_allow_restart": False}``).
    """
    t0 = time.perf_counter()
    cost = np.asarray(c, dtype=np.float64)
    n = cost.size
    mat = sparse.csc_array(A, dtype=np.float64)
    if mat.shape[1] != n:
        msg = f"solve_milp: A has {mat.shape[1]} columns but c has {n}."
        raise ValueError(msg)
    mat.sort_indices()
    inf = highspy.kHighsInf
    lp = highspy.HighsLp()
    lp.num_col_ = n
    lp.num_row_ = mat.shape[0]
    lp.col_cost_ = cost
    lp.col_lower_ = np.nan_to_num(np.asarray(col_lower, dtype=np.float64), posinf=inf, neginf=-inf)
    lp.col_upper_ = np.nan_to_num(np.asarray(col_upper, dtype=np.float64), posinf=inf, neginf=-inf)
    lp.row_lower_ = np.nan_to_num(np.asarray(row_lower, dtype=np.float64), posinf=inf, neginf=-inf)
    lp.row_upper_ = np.nan_to_num(np.asarray(row_upper, dtype=np.float64), posinf=inf, neginf=-inf)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.num_col_ = n
    lp.a_matrix_.num_row_ = mat.shape[0]
    lp.a_matrix_.start_ = mat.indptr.astype(np.int32)
    lp.a_matrix_.index_ = mat.indices.astype(np.int32)
    lp.a_matrix_.value_ = mat.data
    integ = np.asarray(integrality, dtype=np.int64)
    lp.integrality_ = [
        highspy.HighsVarType.kInteger if v else highspy.HighsVarType.kContinuous for v in integ
    ]
    lp.sense_ = highspy.ObjSense.kMaximize if maximize else highspy.ObjSense.kMinimize

    h = highspy.Highs()
    h.setOptionValue("output_flag", bool(verbose))
    h.setOptionValue("time_limit", float(max(time_limit_s, 0.01)))
    h.setOptionValue("mip_rel_gap", float(mip_rel_gap))
    h.setOptionValue("random_seed", 0)
    if threads is not None:
        h.setOptionValue("threads", int(threads))
    for name, value in (options or {}).items():
        h.setOptionValue(name, value)
    h.passModel(lp)
    if start is not None:
        s = np.asarray(start, dtype=np.float64)
        h.setSolution(n, np.arange(n, dtype=np.int32), s)
    h.run()
    status_enum = h.getModelStatus()
    status = h.modelStatusToString(status_enum).lower().replace(" ", "_")
    if status_enum == highspy.HighsModelStatus.kOptimal:
        status = "optimal"
    elif status_enum == highspy.HighsModelStatus.kTimeLimit:
        status = "time_limit"
    elif status_enum == highspy.HighsModelStatus.kInfeasible:
        status = "infeasible"
    info = h.getInfo()
    has_x = info.primal_solution_status >= 2  # kSolutionStatusFeasible
    x = np.asarray(h.getSolution().col_value, dtype=np.float64) if has_x else None
    objective = float(info.objective_function_value) if has_x else math.nan
    bound = float(info.mip_dual_bound) if integ.any() else objective
    if not math.isfinite(bound):
        bound = math.inf if maximize else -math.inf
    gap = relative_gap(objective, bound) if has_x else math.inf
    if status == "optimal" and gap > mip_rel_gap * 1.0001 + 1e-9:
        gap = min(gap, float(info.mip_gap))
    elapsed = time.perf_counter() - t0
    log.info(
        "HiGHS: %s, objective %.6g, bound %.6g, gap %.4g%%, %.2f s, %d cols, %d rows",
        status,
        objective,
        bound,
        100 * gap,
        elapsed,
        n,
        mat.shape[0],
    )
    return MilpSolution(x, objective, bound, gap, status, elapsed)
