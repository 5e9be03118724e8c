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


def _hand_grid(plan, cells):
    """``plan`` with a coverage grid that is NaN but for ``cells``: (row, col) -> dBm."""
    cov = np.full(plan.coverage_dbm.shape, np.nan, dtype=np.float32)
    for (row, col), dbm in cells.items():
        cov[row, col] = dbm
    return dataclasses.replace(plan, coverage_dbm=cov, threshold_dbm=-86.0)


def test_covered_area_and_change_count_only_cells_at_the_threshold(tiny_plan):
    # plan A: 4 cells at or above -86 dBm (one exactly on it), 3 with a signal below it
    a = _hand_grid(
        tiny_plan,
        {(0, 0): -60.0, (0, 1): -80.0, (0, 2): -86.0, (5, 5): -70.0,
         (1, 0): -86.01, (1, 1): -100.0, (1, 2): -120.0},
    )  # fmt: skip
    # plan B: (0, 0) and (0, 2) kept, (0, 1) and (5, 5) fall below, (1, 0) and (9, 9) rise
    b = _hand_grid(
        tiny_plan,
        {(0, 0): -61.0, (0, 1): -90.0, (0, 2): -85.0, (5, 5): np.nan,
         (1, 0): -80.0, (9, 9): -50.0, (1, 1): -99.0},
    )  # fmt: skip
    cell_km2 = tiny_plan.terrain.cell_size_m**2 / 1e6  # 30 m cells: 0.0009 km²
    assert compare.plan_figures(a)["covered_area_km2"] == pytest.approx(4 * cell_km2)
    assert compare.plan_figures(b)["covered_area_km2"] == pytest.approx(4 * cell_km2)
    change, delta = compare.coverage_change(a, b)
    assert {tuple(ix) for ix in np.argwhere(change == compare.CHANGE_BOTH)} == {(0, 0), (0, 2)}
    assert {tuple(ix) for ix in np.argwhere(change == compare.CHANGE_LOST)} == {(0, 1), (5, 5)}
    assert {tuple(ix) for ix in np.argwhere(change == compare.CHANGE_GAINED)} == {(1, 0), (9, 9)}
    assert int((change == compare.CHANGE_NONE).sum()) == change.size - 6  # (1, 1) too: weak
    assert delta[0, 0] == pytest.approx(-1.0) and delta[0, 2] == pytest.approx(1.0)
    assert np.isnan(delta[1, 1])  # both below the threshold: no difference drawn
    fig = compare.difference_figure(a, b, language="en")
    legend = fig.axes[0].get_legend()
    assert legend is not None
    labels = [t.get_text() for t in legend.get_texts()]
    assert labels[:3] == [
        "lost: 2 cells, 0.0018 km²",
        "gained: 2 cells, 0.0018 km²",
        "both: 2 cells, 0.0018 km²",
    ]
    plt.close(fig)


def test_covered_area_without_a_threshold_counts_any_signal(tiny_plan):
    assert tiny_plan.threshold_dbm is None  # a hand-built plan
    expected = np.isfinite(tiny_plan.coverage_dbm).sum() * 0.0009
    assert compare.plan_figures(tiny_plan)["covered_area_km2"] == pytest.approx(expected)


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
    assert fig.axes[0].get_xlabel() == "Plan cost (USD, total cost of ownership)"
    plt.close(fig)


def _served(plan, name, *, drop=(), satellite=()):
    """``plan`` with the demand of sites ``drop`` unserved and points ``satellite`` (demand ids)
    given a satellite terminal: a hand-made plan of a band sweep."""
    d = plan.demand.copy()
    lost = d["best_site"].isin(drop) & (d["service"] == "served_new")
    d.loc[lost, ["covered", "reason", "service"]] = [False, "out_of_range", "unserved"]
    sat = d["demand_id"].isin(satellite)
    d["satellite_terminals"] = np.where(sat, 1, 0)
    d.loc[sat, "service"] = "served_satellite"
    s = plan.sites[~plan.sites["site_id"].isin(drop)].copy()
    return dataclasses.replace(plan, name=name, demand=d, sites=s)


#: Share of the 330 people with any service at each level of :func:`_band_run`: the existing
#: cells only (100), without S2 (180), the tiny plan (250), and Filo Alto by satellite (300).
LEVEL_SHARES = (100 / 330, 180 / 330, 250 / 330, 300 / 330)
BUDGETS = (100_000.0, 200_000.0, 300_000.0)


def _band_run(plan):
    """A ``run(case, budget)`` over hand-made plans: a level per budget, one level more at low
    prices and one less at high prices."""
    levels = (
        _served(plan, "none", drop=("S1", "S2")),
        _served(plan, "sin S2", drop=("S2",)),
        plan,
        _served(plan, "sat", satellite=("D5",)),
    )
    shift = {"low": 1, "central": 0, "high": -1}

    def run(case, budget):
        i = BUDGETS.index(budget) + shift[case]
        return levels[min(max(i, 0), len(levels) - 1)]

    return run


def test_plan_figures_served_and_satellite(tiny_plan):
    f = compare.plan_figures(tiny_plan)
    assert f["share_people_served"] == pytest.approx(250 / 330)
    assert f["share_people_covered"] == pytest.approx(190 / 330)
    assert f["people_served_satellite"] == 0
    assert f["households_served"] == 63  # 25 already served and 38 newly, of 83
    # a hand-built plan has no cost items: no capex, opex or assumption share
    assert np.isnan(f["cost_capex_usd"]) and np.isnan(f["cost_opex_usd_per_year"])
    assert np.isnan(f["cost_assumption_share"])
    sat = compare.plan_figures(_served(tiny_plan, "sat", satellite=("D5",)))
    assert sat["share_people_served"] == pytest.approx(300 / 330)
    assert sat["people_served_satellite"] == 50 and sat["households_served_satellite"] == 12
    assert sat["households_served"] == 63 + 12
    assert sat["people_covered"] == f["people_covered"]  # a terminal is no site coverage


def test_sweep_cost_band_table(tiny_plan):
    table = compare.sweep_cost_band(_band_run(tiny_plan), BUDGETS)
    assert table.shape[0] == 9
    assert list(table.columns[:3]) == ["case", "budget_usd", "plan"]
    assert set(compare.plan_figures(tiny_plan)) <= set(table.columns)
    assert list(table["case"]) == ["low"] * 3 + ["central"] * 3 + ["high"] * 3
    assert list(table["budget_usd"]) == list(BUDGETS) * 3
    share = table.pivot(index="budget_usd", columns="case", values="share_people_served")
    assert share["central"].tolist() == pytest.approx(LEVEL_SHARES[:3])
    for case in compare.PRICE_CASES:
        assert share[case].is_monotonic_increasing, case
    # lower prices buy more service for the same budget
    assert (share["low"] >= share["central"]).all() and (share["central"] >= share["high"]).all()
    assert (share["low"] > share["high"]).all()
    named = compare.sweep_cost_band(_band_run(tiny_plan), BUDGETS[:1], ["central"], parameter="b")
    assert list(named.columns[:2]) == ["case", "b"] and len(named) == 1


def test_cost_band_figure_line_and_band(tiny_plan):
    from matplotlib.collections import PolyCollection

    table = compare.sweep_cost_band(_band_run(tiny_plan), BUDGETS)
    fig = compare.cost_band_figure(table, language="en")
    ax = fig.axes[0]
    assert ax.get_xlabel() == "Budget (USD, total cost of ownership)"
    assert ax.get_ylabel() == "People with any service (%)"
    assert "ASSUMPTION" in ax.get_title()  # hand-made plans: no assumption share known
    (line,) = ax.get_lines()
    assert np.asarray(line.get_xdata()).tolist() == list(BUDGETS)
    assert line.get_ydata() == pytest.approx([100 * s for s in LEVEL_SHARES[:3]])
    (band,) = [c for c in ax.collections if isinstance(c, PolyCollection)]
    ys = np.asarray(band.get_paths()[0].vertices)[:, 1]
    # from the high prices' curve (one level down, the first clipped) to the low prices' one
    assert ys.min() == pytest.approx(100 * LEVEL_SHARES[0])
    assert ys.max() == pytest.approx(100 * LEVEL_SHARES[3])
    plt.close(fig)
    table["cost_assumption_share"] = 0.8
    fig = compare.cost_band_figure(table, language="es")
    assert "80.0 %" in fig.axes[0].get_title() and "SUPUESTOS" in fig.axes[0].get_title()
    assert fig.axes[0].get_xlabel().startswith("Presupuesto")
    plt.close(fig)


def test_cost_band_needs_budgets_cases_and_central_prices(tiny_plan):
    run = _band_run(tiny_plan)
    with pytest.raises(InputError, match="budgets and price cases"):
        compare.sweep_cost_band(run, [])
    with pytest.raises(InputError, match="budgets and price cases"):
        compare.sweep_cost_band(run, BUDGETS, cases=())
    table = compare.sweep_cost_band(run, BUDGETS, cases=("low", "high"))
    with pytest.raises(InputError, match="central prices"):
        compare.cost_band_figure(table)
