"""A quiet solver: no HiGHS banner unless asked, and the warm start's search in one INFO line."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from coverage.planning.placement import plan_network
from coverage.planning.problem import SolveSettings
from tests.helpers import grid_placement_problem

ROOT = Path(__file__).resolve().parents[2]

#: Solves a two-column MILP, with HiGHS's log on when the first argument is "1".
SOLVE = """
import sys
import numpy as np
from scipy import sparse
from coverage.planning.solver import MilpModel, solve_milp
m = MilpModel(cost=np.array([1.0, 2.0]), matrix=sparse.csr_array(np.array([[1.0, 1.0]])),
    row_lower=np.array([1.0]), row_upper=np.array([np.inf]), col_lower=np.zeros(2),
    col_upper=np.ones(2), integrality=np.ones(2))
print("objective", solve_milp(m, verbose=sys.argv[1] == "1").objective)
"""


@pytest.mark.parametrize("verbose", ["0", "1"])
def test_the_highs_banner_shows_only_when_verbose(verbose):
    env = {**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    out = subprocess.run(
        [sys.executable, "-c", SOLVE, verbose], capture_output=True, text=True, env=env,
        check=True, timeout=120,
    )  # fmt: skip
    assert "objective 1.0" in out.stdout
    assert ("Running HiGHS" in out.stdout) == (verbose == "1")
    assert "Copyright" not in out.stderr


def test_local_moves_log_at_debug_and_one_summary_at_info(caplog):
    problem = grid_placement_problem(9, side=4, n_demand=80, budget_usd=25_000.0)
    with caplog.at_level(logging.DEBUG, logger="coverage"):
        plan_network(problem, SolveSettings(time_limit_s=20.0), kicks=12)
    moves = [r for r in caplog.records if "local moves lift" in r.getMessage()]
    assert moves and all(r.levelno == logging.DEBUG for r in moves)
    summary = [r for r in caplog.records if "warm start from the" in r.getMessage()]
    assert [r.levelno for r in summary] == [logging.INFO]
    assert "12 kicks" in summary[0].getMessage()
