"""The default Palmitas plan's costs, satellite terminals and rollout, end to end (slow)."""

from __future__ import annotations

import pytest

from coverage import pipeline
from coverage.outputs import costs as cost_outputs
from coverage.outputs import rollout as rollout_outputs
from coverage.outputs.report import summarize
from coverage.planning.costbook import DEFAULT_ITEMS
from coverage.scenario import load_scenario


@pytest.mark.slow
def test_default_plan_costs_are_traceable_and_its_rollout_reaches_the_one_shot_plan(mirror):
    s = load_scenario()
    plan = pipeline.plan_coverage(s, mirror=mirror)
    lines = plan.costs
    assert lines is not None and len(lines)
    assert set(lines["item"]) <= set(DEFAULT_ITEMS)  # every cost is an item of the cost book
    assert (
        lines.loc[lines["kind"] == "plan", "item"]
        .isin(["pop_equipment", "core_network", "ip_transit"])
        .all()
    )
    summary = summarize(plan)
    cost = summary["cost"]
    assert cost["total_usd"] == pytest.approx(float(lines["tco_usd"].sum()))
    assert cost["total_usd"] <= s.placement.budget_usd + 1e-6
    assert cost["years"] == 10 and cost["assumption_share"] > 0.5  # most prices are assumed
    per_vereda = sum(v["cost_usd"] for v in summary["subdivisions"])
    assert per_vereda == pytest.approx(cost["total_usd"], rel=1e-9)
    kits = int(lines.loc[lines["item"] == "satellite_kit", "quantity"].sum())
    assert kits == int(plan.demand["satellite_terminals"].sum())
    assert (
        plan.demand.loc[plan.demand["satellite_terminals"] > 0, "service"] == "served_satellite"
    ).all()
    assert "Satellite option" in " ".join(plan.assumptions)
    assert "operator partner" in " ".join(plan.assumptions).lower()
    # three years at a third of the budget end at the one-shot plan's coverage
    r = rollout_outputs.rollout(plan, s.placement.budget_usd / 3, 3)
    new = plan.demand["service"].isin(["served_new", "served_satellite"])
    assert r.years["people_connected"].iloc[-1] == pytest.approx(
        float(plan.demand.loc[new, "population"].sum())
    )
    assert r.unbuilt == []
    assert (r.years["cumulative_spend_usd"] <= r.years["budget_cumulative_usd"] + 1e-6).all()
    assert cost_outputs.costs_csv(plan).startswith("element,kind,item")
