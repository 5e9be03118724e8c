"""A plan states its bands' regulation; one on a licensed access band, its operator partner."""

from __future__ import annotations

import pytest

from coverage import pipeline
from coverage.outputs.report import summarize
from coverage.plan import Plan
from coverage.scenario import Scenario, load_scenario
from tests.territory import write_territory


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    # a budget that buys nothing: the plan is assembled, no placement to solve
    base = load_scenario(write_territory(tmp_path_factory.mktemp("territory")))
    return base.replace(placement={"budget_sites": 0, "budget_usd": 1.0})


@pytest.fixture(scope="module")
def inputs(scenario: Scenario) -> pipeline.Inputs:
    return pipeline.prepare_inputs(pipeline.resolve(scenario))


def _plan(s: Scenario, inputs: pipeline.Inputs) -> Plan:
    run = pipeline.resolve(s)
    cands = pipeline.build_candidates(run, inputs)
    rx, _ = pipeline.coverage_matrix(run, inputs, cands)
    return pipeline.assemble_plan(
        run, inputs, cands, rx, pipeline.choose_sites(run, inputs, cands, rx)
    )


def test_a_plan_on_band_28_says_it_needs_an_operator_partner(
    scenario: Scenario, inputs: pipeline.Inputs
) -> None:
    assert scenario.technology.preset == "lte-b28-small-cell"
    plan = _plan(scenario, inputs)
    lines = [a for a in plan.assumptions if "regulation (Colombia)" in a]
    assert len(lines) == 2
    assert (
        lines[0].startswith("Access regulation (Colombia): lte-b28-small-cell")
        and "licensed;" in lines[0]
    )
    assert (
        lines[1].startswith("Backhaul regulation (Colombia): ptp-5ghz") and "uso libre" in lines[1]
    )
    partner = [a for a in plan.assumptions if a.startswith("Needs an operator partner")]
    assert len(partner) == 1 and "Claro" in partner[0]
    summary = summarize(plan)
    assert summary["regulation"]["needs_operator_partner"] is True
    assert summary["regulation"]["access"]["preset"] == "lte-b28-small-cell"
    assert partner[0] in summary["assumptions"]


def test_a_plan_on_a_free_use_band_needs_no_partner(
    scenario: Scenario, inputs: pipeline.Inputs
) -> None:
    plan = _plan(scenario.replace(technology={"preset": "wifi-5ghz-ptmp"}), inputs)
    access = [a for a in plan.assumptions if a.startswith("Access regulation (Colombia)")]
    assert len(access) == 1 and "wifi-5ghz-ptmp" in access[0] and "ANE Resolución 105" in access[0]
    assert not any("operator partner" in a for a in plan.assumptions)
    assert summarize(plan)["regulation"]["needs_operator_partner"] is False
