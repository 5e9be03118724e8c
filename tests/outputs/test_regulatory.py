"""Tests of coverage.outputs.regulatory: the regulation in the summary, Markdown, HTML and PDF."""

from __future__ import annotations

import dataclasses

import matplotlib.pyplot as plt
import pytest

from coverage.outputs import report, report_pages
from coverage.outputs.regulatory import (
    regulation_html,
    regulation_lines,
    regulation_markdown,
    regulation_summary,
)
from coverage.plan import Plan
from tests.helpers import visible

PARTNER = {"es": "Necesita un operador socio", "en": "Needs an operator partner"}


def _on(plan: Plan, preset: str) -> Plan:
    """The plan with another access preset in its scenario."""
    return dataclasses.replace(plan, scenario=plan.scenario.replace(technology={"preset": preset}))


def test_the_summary_has_the_notes_of_both_presets(tiny_plan: Plan) -> None:
    reg = report.summarize(tiny_plan)["regulation"]
    assert reg == report.jsonable(regulation_summary(tiny_plan))
    assert reg["access"]["preset"] == "lte-b28-small-cell" and reg["access"]["licensed"]
    assert reg["backhaul"]["preset"] == "ptp-5ghz" and not reg["backhaul"]["licensed"]
    assert reg["needs_operator_partner"] is True
    assert isinstance(reg["access"]["sources"], list)  # JSON-ready
    wifi = report.summarize(_on(tiny_plan, "wifi-5ghz-ptmp"))["regulation"]
    assert wifi["needs_operator_partner"] is False and wifi["access"]["max_eirp_dbm"] == 36.0


@pytest.mark.parametrize("language", ["es", "en"])
def test_a_licensed_band_says_it_needs_an_operator_partner(tiny_plan: Plan, language: str) -> None:
    summary = report.summarize(tiny_plan)
    md = report.summary_markdown(summary, language=language)
    html = report.gap_report_html(summary, language=language)
    assert PARTNER[language] in md and "Claro" in md and "Resolución 3078 de 2019" in md
    page = "".join(visible(html).text)
    assert PARTNER[language] in page and "operator-partner" in html
    assert "lte-b28-small-cell" in page and "ptp-5ghz" in page
    lines = regulation_lines(summary, language=language)
    assert any(PARTNER[language] in line for line in lines)
    figures = report_pages.gap_report_figures(summary, language=language)
    try:
        drawn = " ".join(t.get_text() for t in figures[2].texts).replace("\n", " ")
        assert PARTNER[language].split()[0] in drawn and "lte-b28-small-cell" in drawn
    finally:
        for f in figures:
            plt.close(f)


@pytest.mark.parametrize("language", ["es", "en"])
def test_an_unlicensed_band_has_no_partner_note(tiny_plan: Plan, language: str) -> None:
    summary = report.summarize(_on(tiny_plan, "wifi-5ghz-ptmp"))
    md = report.summary_markdown(summary, language=language)
    html = report.gap_report_html(summary, language=language)
    for text in (md, html, "\n".join(regulation_lines(summary, language=language))):
        assert PARTNER[language] not in text
        assert "wifi-5ghz-ptmp" in text and "ANE" in text
    assert "operator-partner" not in html and "ASSUMPTION" in md


def test_a_summary_without_regulation_shows_no_section() -> None:
    for language in ("es", "en"):
        assert regulation_markdown({}, language=language) == []
        assert regulation_html({}, language=language) == ""
        assert regulation_lines({}, language=language) == []
