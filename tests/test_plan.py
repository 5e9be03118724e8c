"""The Plan's short descriptions: ``repr`` for a console, ``_repr_html_`` for a notebook."""

from __future__ import annotations

import dataclasses

import pandas as pd

from tests.helpers import build_tiny_plan


def test_repr_is_a_few_lines_with_scenario_sites_served_cost_warnings():
    plan = build_tiny_plan()
    text = repr(plan)
    assert text.splitlines() == [
        "Plan",
        "  scenario: tiny (EPSG:9377)",
        "  sites: 4 (2 access, 1 relay, 1 pop); 4 backhaul links",
        "  served: 190 of 330 people (57.6 %)",
        "  cost: 33,000 USD total cost of ownership, 10 years",
        "  warnings: 0",
    ]
    warned = dataclasses.replace(plan, name="a<b", warnings=("one", "two"))
    assert "warnings: 2 (see .warnings)" in repr(warned)


def test_cost_comes_from_the_cost_lines_when_the_plan_has_them():
    plan = build_tiny_plan()
    lines = pd.DataFrame({"tco_usd": [1000.0, 2500.5]})
    assert dataclasses.replace(plan, costs=lines).total_cost_usd() == 3500.5
    assert plan.total_cost_usd() == 33_000.0  # the sites' cost_usd, no links' column


def test_html_repr_is_a_small_escaped_table():
    plan = dataclasses.replace(build_tiny_plan(), name="<script>x</script>")
    page = plan._repr_html_()
    assert page.startswith("<table>") and page.endswith("</table>")
    assert page.count("<tr>") == 5
    assert "&lt;script&gt;" in page and "<script>" not in page
    assert "190 of 330 people (57.6 %)" in page


def test_outputs_name_the_territory() -> None:
    """Titles show the area's name and the scenario's (issue 19), not the scenario id alone."""
    from coverage.outputs.markdown import summary_markdown
    from coverage.outputs.report import gap_report_html, summarize

    tiny_plan = build_tiny_plan()
    assert tiny_plan.territory == tiny_plan.scenario.area.name
    assert tiny_plan.heading == f"{tiny_plan.territory} ({tiny_plan.name})"
    summary = summarize(tiny_plan)
    assert summary["territory"] == tiny_plan.territory
    assert summary["subdivision"] == tiny_plan.scenario.area.subdivision
    assert summary_markdown(summary).splitlines()[0].endswith(tiny_plan.heading)
    assert f"{tiny_plan.heading}</h1>" in gap_report_html(summary)
