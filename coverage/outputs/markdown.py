"""The summary of a plan as a Markdown document, for reading in a repository or an editor.

:func:`summary_markdown` formats the summary of :func:`coverage.outputs.report.summarize`
(which also gives the CSV and the HTML gap report): the plan's warnings first, under their
own heading (none when it has none), then the totals, the table per vereda, the service
per vereda (already served, newly served, still unserved; :mod:`coverage.outputs.service`),
the reasons for no coverage, the schools, the spectrum regulation (with the operator partner
a licensed band needs), the models, the assumptions and the data sources.
Every name from an input file, and every warning, passes :func:`coverage.outputs.text.safe_text`
(``"markdown"``: Markdown punctuation, then HTML, escaped), so it shows as the text it is.
Nothing here writes files.
"""

from __future__ import annotations

import functools
from typing import Any

from coverage.outputs.broadband import broadband_markdown
from coverage.outputs.costs import cost_markdown
from coverage.outputs.labels import (
    fmt_number,
    fmt_share,
    labels,
    layer_label,
    reason_label,
)
from coverage.outputs.regulatory import regulation_markdown
from coverage.outputs.service import service_markdown, service_totals_text
from coverage.outputs.text import safe_text
from coverage.outputs.warningtext import warning_texts
from coverage.outputs.words import shown_rows, subdivision_names

__all__ = ["summary_markdown"]


def summary_markdown(summary: dict[str, Any], *, language: str = "es") -> str:
    """The summary as a Markdown document: warnings, totals, table per vereda, schools, models.

    Parameters
    ----------
    summary
        A summary from :func:`summarize`.
    language
        "es" or "en".

    Returns
    -------
    str
        The document: the title, then the plan's warnings under their heading (none when
        it has none), then the figures; names from input files and warnings are escaped
        (Markdown punctuation, then HTML entities).

    Raises
    ------
    ScenarioError
        Unknown language.
    """
    L = labels(language, subdivision_names(summary, language))
    md = functools.partial(safe_text, sink="markdown")
    lines = [f"# {L['title']}: {md(summary['heading'])}", ""]
    lines += _md_warnings(summary, L, language)
    lines += _md_totals(summary, L, language)
    lines += _md_veredas(summary, L)
    lines += service_markdown(summary, language=language)
    lines += broadband_markdown(summary, language=language)
    lines += cost_markdown(summary, L)
    lines += _md_reasons(summary, L, language)
    lines += _md_schools(summary, L, language)
    lines += regulation_markdown(summary, language=language)
    lines += _md_notes(summary, L)
    lines.append("")
    return "\n".join(lines)


def _md_warnings(summary: dict[str, Any], L: dict[str, str], language: str) -> list[str]:
    """The warnings of the plan as a bulleted section, in ``language`` where a template has
    them (:mod:`coverage.outputs.warningtext`); no lines when it has none."""
    warnings = warning_texts(summary.get("warnings", []), language)
    if not warnings:
        return []
    md = functools.partial(safe_text, sink="markdown")
    return [f"## ⚠ {L['warnings_heading']}", "", *(f"- **{md(w)}**" for w in warnings), ""]


def _md_totals(summary: dict[str, Any], L: dict[str, str], language: str) -> list[str]:
    """The bullet list of totals, cost, sites and links."""
    t = summary["totals"]
    return [
        f"- {L['people']}: {fmt_number(t['people_covered'])} / {fmt_number(t['people_total'])} "
        f"({fmt_share(t['share_people_covered'])})",
        f"- {L['households']}: {fmt_number(t['households_covered'])} / {fmt_number(t['households_total'])}",
        f"- {L['schools']}: {t['schools_covered']} / {t['schools_total']}",
        f"- {safe_text(service_totals_text(summary, language=language), 'markdown')}",
        f"- {L['cost']}: {fmt_number(summary['cost']['total_usd'])}",
        f"- {L['cost_per_household']}: "
        f"{fmt_number(summary['cost'].get('per_household_connected_usd'))}",
        f"- {L['sites']}: " + ", ".join(f"{L[k]} {v}" for k, v in summary["sites"].items()),
        f"- {L['links']}: {summary['backhaul']['links']}",
        "",
    ]


def _md_veredas(summary: dict[str, Any], L: dict[str, str]) -> list[str]:
    """The table per vereda, with a bold total row."""
    lines = [
        f"| {L['vereda']} | {L['people']} {L['covered'].lower()} | {L['people']} "
        f"{L['uncovered'].lower()} | {L['households']} {L['covered'].lower()} | "
        f"{L['households']} {L['uncovered'].lower()} | {L['schools']} {L['covered'].lower()}"
        f" | {L['schools']} {L['uncovered'].lower()} | {L['share']} |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    rows = [*shown_rows(summary, L), {"vereda": f"**{L['total']}**", **summary["totals"]}]
    md = functools.partial(safe_text, sink="markdown")
    for i, r in enumerate(rows):
        name = r["vereda"] if i == len(rows) - 1 else md(r["vereda"])
        lines.append(
            f"| {name} | {fmt_number(r['people_covered'])} | {fmt_number(r['people_uncovered'])} | "
            f"{fmt_number(r['households_covered'])} | {fmt_number(r['households_uncovered'])} | "
            f"{r['schools_covered']} | {r['schools_uncovered']} | "
            f"{fmt_share(r['share_people_covered'])} |"
        )
    return lines


def _md_reasons(summary: dict[str, Any], L: dict[str, str], language: str) -> list[str]:
    """The table of people, households and schools not covered, by reason."""
    lines = ["", f"## {L['why_uncovered']}", ""]
    lines.append(f"| {L['reason']} | {L['people']} | {L['households']} | {L['schools']} |")
    lines.append("|---|---:|---:|---:|")
    for reason, v in summary["totals"]["uncovered_by_reason"].items():
        lines.append(
            f"| {reason_label(reason, language)} | {fmt_number(v['people'])} | "
            f"{fmt_number(v['households'])} | {v['schools']} |"
        )
    return lines


def _md_schools(summary: dict[str, Any], L: dict[str, str], language: str) -> list[str]:
    """The table of schools: covered or not, by which site, signal and reason."""
    lines = ["", f"## {L['schools']}", ""]
    lines.append(
        f"| {L['school']} | {L['vereda']} | {L['covered']} | {L['site']} | "
        f"{L['rx_dbm']} | {L['reason']} |"
    )
    lines.append("|---|---|---|---|---:|---|")
    md = functools.partial(safe_text, sink="markdown")
    lines += [
        f"| {md(s['name'])} | {md(s['vereda'])} | {'✔' if s['covered'] else '✘'} | "
        f"{md(s['best_site']) or '–'} | {fmt_number(s['rx_dbm'], 1)} | "
        f"{reason_label(s['reason'], language)} |"
        for s in summary["schools"]
    ]
    return lines


def _md_notes(summary: dict[str, Any], L: dict[str, str]) -> list[str]:
    """The models, assumptions and data sources, as bullet lists."""
    md = functools.partial(safe_text, sink="markdown")
    lines = ["", f"## {L['models']}", ""]
    lines += [f"- **{md(k)}**: {md(v)}" for k, v in summary["models"].items()]
    lines += ["", f"## {L['assumptions']}", ""]
    lines += [f"- {md(a)}" for a in summary["assumptions"]]
    lines += ["", f"## {L['data_sources']}", ""]
    lines += [
        f"- **{md(layer_label(x['layer'], L))}** ({md(x['file'])}): {md(x['source'])}"
        + (f" — {md(x['licence'])}" if x["licence"] else "")
        for x in summary.get("sources", [])
    ]
    return lines
