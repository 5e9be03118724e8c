"""Tests of coverage.planning.placement: MILP against brute force, greedy, and model invariants."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import sparse

from coverage.errors import InfeasibleError, InputError
from coverage.planning.covering import greedy_select, improve_by_swaps
from coverage.planning.placement import (
    CoverageProblem,
    SolveSettings,
    aggregate_demand,
    covered_mask,
    greedy_coverage,
    maximize_coverage,
    minimize_cost,
)
from tests.helpers import random_coverage_problem


def _brute_force(covers, weights, costs, budget, k=1, groups=None):
    n = covers.shape[0]
    groups = np.arange(n) if groups is None else np.asarray(groups)
    best = 0.0
    for r in range(n + 1):
        for sel in itertools.combinations(range(n), r):
            if costs[list(sel)].sum() > budget + 1e-9:
                continue
            if len(set(groups[list(sel)])) < len(sel):
                continue
            val = weights[covered_mask(covers, sel, k)].sum()
            best = max(best, val)
    return best


@pytest.mark.parametrize("seed", range(12))
def test_milp_equals_brute_force_and_beats_greedy(seed):
    p = random_coverage_problem(seed, n=8 + seed % 5, k_coverage=1 + seed % 2)
    budget = float(p.costs_usd.sum() * 0.35)
    exact = _brute_force(p.covers, p.weights, p.costs_usd, budget, p.k_coverage)
    res = maximize_coverage(p, budget)
    greedy = greedy_coverage(p, budget)
    assert res.covered_weight == pytest.approx(exact)
    assert res.covered_weight >= greedy.covered_weight - 1e-9
    assert res.cost_usd <= budget + 1e-9
    assert res.status == "optimal"
    assert res.gap <= 1e-4
    # the LP bound of greedy is a valid upper bound on the optimum
    assert greedy.upper_bound >= exact - 1e-6


def test_one_height_per_candidate():
    # 4 candidates x 3 heights; a taller mast covers a superset and costs more
    rng = np.random.default_rng(3)
    n_c, n_h, m = 4, 3, 20
    base = rng.random((n_c, m))
    rows = [base[i] < 0.15 + 0.2 * h for i in range(n_c) for h in range(n_h)]
    groups = np.repeat(np.arange(n_c), n_h)
    p = CoverageProblem(
        sparse.csr_array(np.array(rows)),
        rng.integers(1, 20, m).astype(float),
        np.array([2.0 + 3 * h for _ in range(n_c) for h in range(n_h)]),
        option_candidate=groups,
        option_height_m=np.tile([6.0, 12.0, 18.0], n_c),
    )
    for budget in (4.0, 9.0, 15.0):
        res = maximize_coverage(p, budget)
        assert len(set(res.chosen)) == len(res.chosen)
        assert res.covered_weight == pytest.approx(
            _brute_force(p.covers, p.weights, p.costs_usd, budget, groups=groups)
        )
        assert set(res.heights_m) <= {6.0, 12.0, 18.0}


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), b1=st.floats(0, 30), b2=st.floats(0, 30))
def test_more_budget_never_covers_fewer(seed, b1, b2):
    p = random_coverage_problem(seed, n=9, m=20)
    lo, hi = sorted((b1, b2))
    a = maximize_coverage(p, lo)
    b = maximize_coverage(p, hi)
    assert b.covered_weight >= a.covered_weight - 1e-9


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), budget=st.floats(0, 40))
def test_k2_never_covers_more_than_k1(seed, budget):
    one = random_coverage_problem(seed, n=9, m=20, density=0.4)
    two = random_coverage_problem(seed, n=9, m=20, density=0.4, k_coverage=2)
    res1 = maximize_coverage(one, budget)
    res2 = maximize_coverage(two, budget)
    assert res2.covered_weight <= res1.covered_weight + 1e-9
    assert (covered_mask(two.covers, res2.options, 2) == res2.covered).all()


def test_aggregate_demand_merges_identical_columns():
    covers = sparse.csr_array(np.array([[1, 1, 0, 0], [0, 0, 1, 0]], bool))
    agg, w, group = aggregate_demand(covers, [1.0, 2.0, 3.0, 4.0])
    assert agg.shape == (2, 2)
    assert sorted(w) == [3.0, 3.0]
    assert group[3] == -1 and group[0] == group[1] != group[2]


def test_minimize_cost_meets_target_and_schools():
    base = random_coverage_problem(5, n=10, m=30, density=0.3)
    must = np.zeros(30, bool)
    must[[0, 7]] = covered_mask(base.covers, range(10))[[0, 7]]
    p = random_coverage_problem(5, n=10, m=30, density=0.3, must_cover=must)
    res = minimize_cost(p, 0.6)
    weights = p.weights
    assert res.covered[must].all()
    assert weights[res.covered].sum() >= 0.6 * weights.sum() - 1e-9
    # brute-force cheapest
    best = np.inf
    for r in range(11):
        for sel in itertools.combinations(range(10), r):
            cov = covered_mask(p.covers, sel)
            if cov[must].all() and weights[cov].sum() >= 0.6 * weights.sum() - 1e-9:
                best = min(best, p.costs_usd[list(sel)].sum())
    assert res.cost_usd == pytest.approx(best)


def test_unseen_school_is_explained_in_words():
    covers = sparse.csr_array(np.array([[1, 0, 1], [1, 0, 0]], bool))
    p = CoverageProblem(
        covers,
        np.ones(3),
        np.ones(2),
        must_cover=np.array([False, True, False]),
        demand_names=["a", "Escuela Alta", "c"],
    )
    with pytest.raises(InfeasibleError, match="Escuela Alta cannot be seen by any candidate"):
        minimize_cost(p, 0.5)
    with pytest.raises(InfeasibleError, match=r"At most 66\.7%"):
        minimize_cost(CoverageProblem(covers, np.ones(3), np.ones(2)), 0.9)


def test_time_limit_still_returns_a_plan():
    p = random_coverage_problem(9, n=60, m=400, density=0.08)
    res = maximize_coverage(p, 40.0, SolveSettings(time_limit_s=0.01, mip_rel_gap=1e-4))
    assert res.chosen.size > 0
    assert res.covered_weight > 0
    assert np.isfinite(res.upper_bound) and res.upper_bound >= res.covered_weight - 1e-6
    assert res.gap >= 0


def test_bad_inputs_raise_input_error():
    covers = sparse.csr_array(np.eye(3, dtype=bool))
    with pytest.raises(InputError, match="one weight per column"):
        CoverageProblem(covers, np.array([1.0, 2.0]), np.ones(3))
    with pytest.raises(InputError, match="finite and non-negative"):
        CoverageProblem(covers, np.array([1.0, -2.0, 3.0]), np.ones(3))
    with pytest.raises(InputError, match="option_candidate has 2 entries"):
        CoverageProblem(covers, np.ones(3), np.ones(3), option_candidate=np.array([0, 1]))
    with pytest.raises(InputError, match="k_coverage"):
        CoverageProblem(covers, np.ones(3), np.ones(3), k_coverage=0)
    with pytest.raises(InputError, match="method"):
        SolveSettings(method="magic")
    with pytest.raises(InputError, match="time_limit_s"):
        SolveSettings(time_limit_s=0.0)


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 10_000), budget=st.floats(3, 30))
def test_swaps_never_lose_coverage_or_break_the_budget(seed, budget):
    p = random_coverage_problem(seed, n=9, m=30, density=0.2)
    A, weights, costs = p.covers, p.weights, p.costs_usd
    grp = np.arange(9)
    start = greedy_select(A, weights, costs, grp, budget, 1)
    better = improve_by_swaps(A, weights, costs, grp, budget, start)
    assert costs[better].sum() <= max(budget, costs[start].sum()) + 1e-9
    assert len(set(better)) == len(better)
    w_start = weights[covered_mask(A, start)].sum()
    w_better = weights[covered_mask(A, better)].sum()
    assert w_better >= w_start - 1e-9
    assert w_better <= _brute_force(A, weights, costs, max(budget, costs[start].sum())) + 1e-9


def test_milp_model_checks_its_columns():
    from coverage.planning.solver import MilpModel

    with pytest.raises(InputError, match="matrix has 2 columns but cost has 3"):
        MilpModel(
            np.ones(3),
            sparse.csr_array(np.ones((1, 2))),
            [0.0],
            [1.0],
            np.zeros(3),
            np.ones(3),
            np.zeros(3),
        )
