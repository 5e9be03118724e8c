"""The satellite option in the placement MILP: adding an option never connects fewer people."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coverage.errors import InputError
from coverage.planning.placement import plan_network
from coverage.planning.problem import SolveSettings
from tests.helpers import grid_placement_problem

EXACT = SolveSettings(mip_rel_gap=0.0, time_limit_s=30.0)


def _solve(problem):
    return plan_network(problem, EXACT, kicks=0)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 10_000),
    budget=st.sampled_from([2_000.0, 6_000.0, 12_000.0]),
    usd_per_person=st.sampled_from([50.0, 200.0, 800.0, 5_000.0]),
)
def test_adding_satellites_never_connects_fewer(seed, budget, usd_per_person):
    land = grid_placement_problem(seed, side=2, n_demand=12, budget_usd=budget)
    mixed = dataclasses.replace(land, satellite_usd_per_person=usd_per_person)
    a, b = _solve(land), _solve(mixed)
    assert b.covered_weight >= a.covered_weight - 1e-6
    assert b.cost_usd <= budget + 1e-6
    people = b.details["satellite_people"]
    spent = people * usd_per_person
    assert b.cost_usd + spent <= budget + 1e-6  # sites, links and terminals within budget
    assert b.covered_weight == pytest.approx(float(land.weights[b.covered].sum()) + people)


def test_cheap_satellites_connect_everyone_the_budget_allows():
    land = grid_placement_problem(3, side=2, n_demand=12, budget_usd=6_000.0)
    people = float(land.weights.sum())
    cheap = dataclasses.replace(land, satellite_usd_per_person=6_000.0 / people / 2)
    res = _solve(cheap)
    assert res.covered_weight == pytest.approx(people)
    assert res.gap <= 1e-6


def test_dear_satellites_change_nothing():
    land = grid_placement_problem(5, side=2, n_demand=12, budget_usd=6_000.0)
    dear = dataclasses.replace(land, satellite_usd_per_person=1e9)
    a, b = _solve(land), _solve(dear)
    assert b.covered_weight == pytest.approx(a.covered_weight, abs=1e-3)
    assert b.details["satellite_people"] < 1e-3


def test_satellites_need_a_budget_and_a_price():
    land = grid_placement_problem(1, side=2, n_demand=5, budget_usd=1_000.0)
    with pytest.raises(InputError, match="satellite_usd_per_person"):
        dataclasses.replace(land, satellite_usd_per_person=0.0)
    target = grid_placement_problem(1, side=2, n_demand=5, target_share=0.5)
    with pytest.raises(InputError, match="under a budget"):
        dataclasses.replace(target, satellite_usd_per_person=100.0)
