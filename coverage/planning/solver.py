"""A thin wrapper over the HiGHS mixed-integer solver (Huangfu & Hall 2018, "Parallelizing
the dual revised simplex method", Math. Prog. Comp. 10:119-142; https://highs.dev).

Placement models are built as plain sparse matrices and solved here, so that the model code
never touches solver objects. The wrapper sets a gap (relative, and optionally absolute), a
node limit (the work budget: the same model stops at the same node on any machine) and a
time limit (a safety net), passes a warm-start incumbent (usually the greedy plan), and
always reports the incumbent, the solver's dual bound, the relative gap and the nodes
explored, also when a limit stops the search.

HiGHS runs on one thread unless told otherwise: its search then does not depend on the
machine's core count. Changing the thread count between solves needs a reset of HiGHS's
global scheduler (without one, HiGHS returns no solution at all), which
:func:`solve_milp` does.
"""

from __future__ import annotations

import ctypes
import logging
import math
import os
import sys
import time
from dataclasses import dataclass

import highspy
import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import sparse

from coverage.errors import InputError

__all__ = ["MilpModel", "MilpSolution", "relative_gap", "solve_milp"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, eq=False)
class MilpModel:
    """One mixed-integer model: ``min/max cost.x`` s.t. ``row_lower <= matrix x <= row_upper``.

    Infinite bounds are ``np.inf``. The arrays are kept as given; :func:`solve_milp`
    converts them to the solver's types.

    Attributes
    ----------
    cost
        Objective coefficient of each column (the model's own units, e.g. people or USD).
    matrix
        Constraint matrix, rows x columns (sparse).
    row_lower, row_upper
        Bounds of each row.
    col_lower, col_upper
        Bounds of each column.
    integrality
        1 for an integer column, 0 for a continuous one.
    maximize
        Maximise instead of minimise.

    Raises
    ------
    InputError
        When the matrix has another number of columns than ``cost``.
    """

    cost: ArrayLike
    matrix: sparse.spmatrix | sparse.sparray
    row_lower: ArrayLike
    row_upper: ArrayLike
    col_lower: ArrayLike
    col_upper: ArrayLike
    integrality: ArrayLike
    maximize: bool = False

    def __post_init__(self) -> None:
        """Refuse a matrix whose column count differs from ``cost``'s."""
        n = np.asarray(self.cost).size
        if self.matrix.shape[1] != n:
            msg = (
                f"MilpModel: matrix has {self.matrix.shape[1]} columns but cost has {n}; "
                "give one cost per column."
            )
            raise InputError(msg)


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
        "optimal", "time_limit", "node_limit", "infeasible" or another HiGHS model status
        in words.
    solve_time_s
        Wall time of the solve (s).
    nodes
        Branch-and-bound nodes explored (0 for an LP).
    """

    x: NDArray[np.float64] | None
    objective: float
    bound: float
    gap: float
    status: str
    solve_time_s: float
    nodes: int = 0

    @property
    def stopped_by_time(self) -> bool:
        """Whether the wall-clock limit, not the gap or the work budget, ended the solve.

        Returns
        -------
        bool
            True when the status is "time_limit": the result may differ on another machine.
        """
        return self.status == "time_limit"


def relative_gap(objective: float, bound: float) -> float:
    """Relative optimality gap ``|bound - objective| / max(|objective|, 1e-9)``.

    Parameters
    ----------
    objective
        Objective of the incumbent (the model's units).
    bound
        The proven bound on the optimum, in the same units.

    Returns
    -------
    float
        The gap (0.005 = 0.5 %); infinite when either value is not finite.
    """
    if not (math.isfinite(objective) and math.isfinite(bound)):
        return math.inf
    return abs(bound - objective) / max(abs(objective), 1e-9)


def solve_milp(
    model: MilpModel,
    *,
    time_limit_s: float = 30.0,
    mip_rel_gap: float = 1e-4,
    start: ArrayLike | None = None,
    threads: int = 1,
    verbose: bool = False,
    options: dict[str, bool | int | float | str] | None = None,
    log_level: int = logging.INFO,
) -> MilpSolution:
    """Solve one :class:`MilpModel` with HiGHS.

    Parameters
    ----------
    model
        The objective, rows, column bounds, integrality and sense.
    time_limit_s
        Wall-clock limit (s), a safety net; the best solution found so far is returned with
        its gap and the status "time_limit".
    mip_rel_gap
        Stop when the relative gap is at most this (0.005 = 0.5 %).
    start
        A feasible solution to start from (warm start), one value per column.
    threads
        Solver threads (default 1: the same search on every machine; 0: HiGHS's choice).
    verbose
        Print HiGHS's own log (for debugging models; the library otherwise only logs).
    options
        Further HiGHS options by name (e.g. ``{"mip_max_nodes": 5000}``,
        ``{"mip_abs_gap": 40.0}``).
    log_level
        Level of the one-line log of the result (``logging.DEBUG`` for the many small
        solves of a search).

    Returns
    -------
    MilpSolution
        The incumbent (or None), the solver's bound and the relative gap.
    """
    t0 = time.perf_counter()
    lp = _highs_lp(model)
    n = lp.num_col_
    h = _new_highs(bool(verbose))
    h.setOptionValue("output_flag", bool(verbose))
    h.setOptionValue("time_limit", float(max(time_limit_s, 0.01)))
    h.setOptionValue("mip_rel_gap", float(mip_rel_gap))
    h.setOptionValue("random_seed", 0)
    _use_threads(h, int(threads))
    for name, value in (options or {}).items():
        h.setOptionValue(name, value)
    h.passModel(lp)
    if start is not None:
        s = np.asarray(start, dtype=np.float64)
        h.setSolution(n, np.arange(n, dtype=np.int32), s)
    h.run()
    status = _status_words(h)
    info = h.getInfo()
    has_x = info.primal_solution_status >= 2  # kSolutionStatusFeasible
    x = np.asarray(h.getSolution().col_value, dtype=np.float64) if has_x else None
    objective = float(info.objective_function_value) if has_x else math.nan
    integer = bool(np.asarray(model.integrality, dtype=np.int64).any())
    bound = float(info.mip_dual_bound) if integer else objective
    if not math.isfinite(bound):
        bound = math.inf if model.maximize else -math.inf
    gap = relative_gap(objective, bound) if has_x else math.inf
    if status == "optimal" and gap > mip_rel_gap * 1.0001 + 1e-9:
        gap = min(gap, float(info.mip_gap))
    elapsed = time.perf_counter() - t0
    nodes = max(int(info.mip_node_count), 0) if integer else 0
    log.log(
        log_level,
        "HiGHS: %s, objective %.6g, bound %.6g, gap %.4g%% (of this model's objective), "
        "%d nodes, %.2f s, %d cols, %d rows",
        status,
        objective,
        bound,
        100 * gap,
        nodes,
        elapsed,
        n,
        lp.num_row_,
    )
    return MilpSolution(x, objective, bound, gap, status, elapsed, nodes)


#: Whether this process has made its first HiGHS instance (the one that prints the banner).
_highs_made: list[bool] = [False]


def _new_highs(verbose: bool) -> highspy.Highs:
    """A HiGHS instance; the banner HiGHS prints to stdout at the first one of a process
    ("Running HiGHS ... Copyright ...") is silenced unless ``verbose``.

    HiGHS prints it from its constructor, before any option can be set, so the first
    construction runs with the process's standard output (file descriptor 1) sent to the
    null device, and the C library's buffers flushed before it is given back.
    """
    if verbose or _highs_made[0]:
        _highs_made[0] = True
        return highspy.Highs()
    _highs_made[0] = True
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(null, 1)
            return highspy.Highs()
        finally:
            _flush_c_stdout()
            os.dup2(saved, 1)
            os.close(null)
    finally:
        os.close(saved)


def _flush_c_stdout() -> None:
    """Flush the C library's output buffers (``fflush(NULL)``), where the C library is found."""
    try:
        libc = ctypes.CDLL(None)
    except OSError:  # no C library by that name (Windows): HiGHS's banner may then show
        return
    libc.fflush(None)


#: Threads of HiGHS's global scheduler as last set by :func:`_use_threads` (None: not yet).
_scheduler_threads: list[int | None] = [None]


def _use_threads(h: highspy.Highs, threads: int) -> None:
    """Set HiGHS's thread count, resetting its global scheduler when the count changes."""
    if _scheduler_threads[0] not in (None, threads):
        highspy.Highs.resetGlobalScheduler(True)
    h.setOptionValue("threads", threads)
    _scheduler_threads[0] = threads


def _highs_lp(model: MilpModel) -> highspy.HighsLp:
    """The model as HiGHS's column-wise LP with integrality and sense."""
    cost = np.asarray(model.cost, dtype=np.float64)
    n = cost.size
    mat = sparse.csc_array(model.matrix, dtype=np.float64)
    mat.sort_indices()
    inf = highspy.kHighsInf

    def bounds(v: ArrayLike) -> NDArray[np.float64]:
        return np.nan_to_num(np.asarray(v, dtype=np.float64), posinf=inf, neginf=-inf)

    lp = highspy.HighsLp()
    lp.num_col_ = n
    lp.num_row_ = mat.shape[0]
    lp.col_cost_ = cost
    lp.col_lower_ = bounds(model.col_lower)
    lp.col_upper_ = bounds(model.col_upper)
    lp.row_lower_ = bounds(model.row_lower)
    lp.row_upper_ = bounds(model.row_upper)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.num_col_ = n
    lp.a_matrix_.num_row_ = mat.shape[0]
    lp.a_matrix_.start_ = mat.indptr.astype(np.int32)
    lp.a_matrix_.index_ = mat.indices.astype(np.int32)
    lp.a_matrix_.value_ = mat.data
    integ = np.asarray(model.integrality, dtype=np.int64)
    lp.integrality_ = [
        highspy.HighsVarType.kInteger if v else highspy.HighsVarType.kContinuous for v in integ
    ]
    lp.sense_ = highspy.ObjSense.kMaximize if model.maximize else highspy.ObjSense.kMinimize
    return lp


def _status_words(h: highspy.Highs) -> str:
    """HiGHS's model status in words: "optimal", "time_limit", "infeasible" or its own."""
    status_enum = h.getModelStatus()
    if status_enum == highspy.HighsModelStatus.kOptimal:
        return "optimal"
    if status_enum == highspy.HighsModelStatus.kTimeLimit:
        return "time_limit"
    if status_enum == highspy.HighsModelStatus.kSolutionLimit:
        return "node_limit"  # HiGHS reports its node limit as a solution limit
    if status_enum == highspy.HighsModelStatus.kInfeasible:
        return "infeasible"
    return str(h.modelStatusToString(status_enum)).lower().replace(" ", "_")
