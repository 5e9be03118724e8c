"""Tests of coverage.outputs.compare: side-by-side tables, the change map, sweeps and their curve."""

from __future__ import annotations

import dataclasses

import matplotlib.pyplot as plt
import numpy as np
import pytest

from coverage import synthetic
from coverage.errors import InputError
from coverage.outputs import compare


def _worse(plan):
    """The same plan with site S2 dropped: its cells and demand lose coverage."""
    cov = plan.coverage_dbm.copy()
    cov[plan.best_server == 1] = np.nan
    d = plan.demand.copy()
    lost = d["best_site"] == "S2"
    d.loc[lost, "covered"] = False
    d.loc[lost, "reason"] = "out_of_range"
    s = plan.sites[plan.sites["site_id"] != "S2"].copy()
    return dataclasses.replace(plan, name="sin S2", coverage_dbm=cov, demand=d, sites=s)


def test_compare_table(tiny_plan):
    worse = _worse(tiny_plan)
    table = compare.compare(tiny_plan, worse)
    assert list(table.columns) == ["tiny", "sin S2", "difference"]
    assert table.loc["people_covered", "tiny"] == 190
    assert table.loc["people_covered", "difference"] == -70  # Quebrada Honda, served by S2
    assert table.loc["cost_usd", "difference"] == -9000
    assert table.loc["sites_access", "sin S2"] == 1
    same = compare.compare(tiny_plan, tiny_plan)
    assert list(same.columns) == ["tiny (A)", "tiny (B)", "difference"]
    assert (same["difference"].fillna(0) == 0).all()


def test_compare_veredas_sums_to_total(tiny_plan):
    worse = _worse(tiny_plan)
    per = compare.compare_veredas(tiny_plan, worse)
    total = compare.compare(tiny_plan, worse)
    assert per["people_difference"].sum() == total.loc["people_covered", "difference"]
    assert per.loc["Potrera Miserenga", "people_difference"] == -70


def test_coverage_change_codes(tiny_plan):
    worse = _worse(tiny_plan)
    change, delta = compare.coverage_change(tiny_plan, worse)
    assert (change[tiny_plan.best_server == 1] == compare.CHANGE_LOST).all()
    assert (change[tiny_plan.best_server == 0] == compare.CHANGE_BOTH).all()
    assert not (change == compare.CHANGE_GAINED).any()
    assert np.nanmax(np.abs(delta)) == 0.0
    back, _ = compare.coverage_change(worse, tiny_plan)
    assert ((back == compare.CHANGE_GAINED) == (change == compare.CHANGE_LOST)).all()
    fig = compare.difference_figure(tiny_plan, worse, language="en")
    plt.close(fig)


def test_compare_refuses_different_grids(tiny_plan):
    other = dataclasses.replace(tiny_plan, terrain=synthetic.flat(60, 60, cell_size_m=20.0))
    with pytest.raises(InputError, match="same terrain"):
        compare.coverage_change(tiny_plan, other)


def test_sweep_and_cost_coverage_curve(tiny_plan):
    """A budget sweep over hand-made plans: coverage and cost grow with the budget."""
    worse = _worse(tiny_plan)
    table = compare.sweep(lambda n: worse if n == 1 else tiny_plan, [1, 2], parameter="budget")
    assert list(table["budget"]) == [1, 2]
    assert table["people_covered"].is_monotonic_increasing
    assert table["cost_usd"].is_monotonic_increasing
    assert (table["seconds"] >= 0).all()
    fig = compare.cost_coverage_figure(table, language="en")
    assert fig.axes[0].get_xlabel() == "Plan cost (USD)"
    plt.close(fig)
