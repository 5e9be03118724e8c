"""The broadband figures of a plan in the summary, gap report, Markdown and site list."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from coverage.outputs import broadband, export, report
from coverage.plan import Plan
from tests.helpers import build_tiny_plan


def _with_broadband(plan: Plan) -> Plan:
    """The tiny plan with the pipeline's broadband columns: one covered point has no
    signal-only twin, and the access sites carry a load."""
    d = plan.demand.copy()
    n = len(d)
    d["signal_covered"] = d["covered"] | (d["reason"] == "weak_signal")
    d["sinr_db"] = np.linspace(-2.0, 30.0, n)
    d["uplink_snr_db"] = np.linspace(-5.0, 20.0, n)
    d["downlink_busy_hour_mbps"] = np.where(d["covered"], 6.0, 0.0)
    d["uplink_busy_hour_mbps"] = np.where(d["covered"], 2.0, 0.0)
    s = plan.sites.copy()
    access = s["role"] == "access"
    for col, value in {
        "carrier": 0.0,
        "households_served": 20.0,
        "offered_downlink_mbps": 30.0,
        "carried_downlink_mbps": 25.0,
        "capacity_downlink_mbps": 40.0,
        "downlink_share": 0.62,
        "uplink_share": 0.3,
        "households_over_capacity": 4.0,
        "median_sinr_db": 12.5,
    }.items():
        s[col] = np.where(access, value, np.nan)
    models = {**plan.models, "service": "the downlink carries 5 Mbps per active household"}
    return dataclasses.replace(plan, demand=d, sites=s, models=models)


@pytest.fixture
def plan() -> Plan:
    return _with_broadband(build_tiny_plan())


def test_a_plan_without_the_columns_has_no_broadband_section() -> None:
    tiny = build_tiny_plan()
    assert not broadband.has_broadband(tiny.demand)
    summary = report.summarize(tiny)
    assert summary.get("broadband") is None
    assert broadband.broadband_html(summary) == ""
    assert broadband.broadband_markdown(summary) == []


def test_the_summary_puts_the_signal_only_share_beside_the_served_one(plan: Plan) -> None:
    summary = report.summarize(plan)
    d = plan.demand
    totals = summary["broadband"]["totals"]
    people = d["population"].sum()
    assert totals["people_signal_covered"] == pytest.approx(
        d.loc[d.signal_covered, "population"].sum()
    )
    assert totals["share_people_signal_covered"] == pytest.approx(
        d.loc[d.signal_covered, "population"].sum() / people
    )
    assert totals["share_people_signal_covered"] > summary["totals"]["share_people_covered"]
    assert totals["downlink_busy_hour_mbps"] == pytest.approx(6.0)
    assert len(summary["broadband"]["sites"]) == int((plan.sites["role"] == "access").sum())
    assert {r["name"] for r in summary["broadband"]["schools"]} == set(
        d.loc[d["kind"] == "school", "name"]
    )
    for row in summary["subdivisions"]:  # per vereda too
        assert "share_people_signal_covered" in row and "median_sinr_db" in row


def test_the_gap_report_and_markdown_show_the_definition_sites_and_schools(plan: Plan) -> None:
    summary = report.summarize(plan)
    html = broadband.broadband_html(summary, language="en")
    for table in ('id="broadband"', 'id="site-load"', 'id="school-rates"'):
        assert table in html
    assert "5 Mbps per active household" in html and "40.0" in html
    md = "\n".join(broadband.broadband_markdown(summary, language="es"))
    assert "Escuelas en la hora pico" in md and "Carga y capacidad por sitio" in md


def test_the_site_list_carries_the_load_of_access_sites(plan: Plan) -> None:
    table = export.sites_table(plan)
    for col in broadband.SITE_FIGURES:
        assert col in table.columns
    access = table["role"] == "access"
    assert (table.loc[access, "capacity_downlink_mbps"] == 40.0).all()
    assert table.loc[~access, "capacity_downlink_mbps"].isna().all()
