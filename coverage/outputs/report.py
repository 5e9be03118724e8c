"""Summaries and the coverage-gap report of a :class:`~coverage.plan.Plan`.

Everything here turns a plan into numbers and text: :func:`summarize` gives one
JSON-ready dictionary (the plan's warnings, totals, one row per vereda, the schools, the cost,
the models and the assumptions of the run); :func:`summary_csv`, :func:`summary_markdown` and
:func:`gap_report_html` format it (:func:`coverage.outputs.report_pages.gap_report_figures`
lays it out as PDF pages). Nothing here writes files: :mod:`coverage.outputs.export` does, atomically.

A plan's warnings (what the run cannot stand behind, :attr:`~coverage.plan.Plan.warnings`)
come first in every document, before the figures, under their own heading; a plan without
warnings shows no such heading. Every name that comes from an input file (vereda, school,
site), and every warning, is escaped in the HTML and Markdown outputs, so a name such as
``<script>alert(1)</script>`` stays inert text.
"""

from __future__ import annotations

import csv
import html
import io
import logging
import math
import re
from typing import Any

import numpy as np

from coverage.outputs.labels import LABELS, check_language, fmt_number, fmt_share, reason_label
from coverage.plan import REASONS, Plan

__all__ = [
    "GAP_REASONS",
    "gap_report_html",
    "jsonable",
    "summarize",
    "summary_csv",
    "summary_markdown",
]

log = logging.getLogger(__name__)

#: The reasons an uncovered group is not covered (every reason but "covered").
GAP_REASONS = tuple(r for r in REASONS if r != "covered")


def _num(x: Any) -> Any:
    """A JSON-ready number: Python float/int, None for NaN or infinity."""
    if isinstance(x, bool | np.bool_):
        return bool(x)
    if isinstance(x, int | np.integer):
        return int(x)
    if isinstance(x, float | np.floating):
        f = float(x)
        return f if math.isfinite(f) else None
    return x


def _group_counts(demand: Any) -> dict[str, Any]:
    """People, households and schools covered / not covered in a demand subset."""
    cov = demand["covered"].astype(bool)
    pop = demand["population"].astype(float)
    hh = demand["households"].astype(float)
    school = demand["kind"] == "school"
    people_total = float(pop.sum())
    people_covered = float(pop[cov].sum())
    out: dict[str, Any] = {
        "people_total": people_total,
        "people_covered": people_covered,
        "people_uncovered": people_total - people_covered,
        "households_total": float(hh.sum()),
        "households_covered": float(hh[cov].sum()),
        "households_uncovered": float(hh[~cov].sum()),
        "schools_total": int(school.sum()),
        "schools_covered": int((school & cov).sum()),
        "schools_uncovered": int((school & ~cov).sum()),
        "demand_points": len(demand),
        "share_people_covered": people_covered / people_total if people_total > 0 else None,
    }
    by_reason: dict[str, dict[str, float | int]] = {}
    for reason in GAP_REASONS:
        sel = demand["reason"] == reason
        by_reason[reason] = {
            "people": float(pop[sel].sum()),
            "households": float(hh[sel].sum()),
            "schools": int((school & sel).sum()),
            "points": int(sel.sum()),
        }
    out["uncovered_by_reason"] = by_reason
    return out


def summarize(plan: Plan) -> dict[str, Any]:
    """Summarise a plan: warnings, totals, one row per vereda, schools, cost, models, assumptions.

    Parameters
    ----------
    plan
        The plan to summarise.

    Returns
    -------
    dict
        JSON-ready (plain Python types, ``None`` for missing numbers) with keys ``name``,
        ``crs``, ``warnings`` (the plan's warnings, one sentence each; an empty list when the
        run stands behind the plan), ``totals`` (people, households and schools covered / not covered, share of
        people covered, ``uncovered_by_reason``), ``veredas`` (a list of the same figures per
        vereda, in the order of ``plan.veredas``, then any vereda named only by demand
        points), ``schools`` (one row per school), ``sites`` (count per role), ``backhaul``
        (link count, weakest margin in dB, smallest Fresnel clearance ratio, sites that do
        not reach the point of presence), ``cost`` (total USD and USD per person covered),
        ``models``, ``assumptions``, ``sources`` (the scenario's input layers: file, source,
        licence), ``scenario`` and ``metrics``. The totals equal the sum of the vereda rows.
    """
    totals = _group_counts(plan.demand)
    sites = plan.sites
    return {
        "name": plan.name,
        "crs": plan.crs,
        "warnings": [str(w) for w in plan.warnings],
        "totals": totals,
        "veredas": _vereda_rows(plan),
        "schools": _school_rows(plan.demand),
        "sites": {role: int((sites["role"] == role).sum()) for role in ("pop", "access", "relay")},
        "backhaul": _backhaul_figures(plan),
        "cost": _cost_figures(plan, totals["people_covered"]),
        "models": {str(k): str(v) for k, v in plan.models.items()},
        "assumptions": [str(a) for a in plan.assumptions],
        "sources": _sources(plan),
        "scenario": jsonable(plan.scenario.to_dict()),
        "metrics": jsonable(plan.metrics),
    }


def _vereda_rows(plan: Plan) -> list[dict[str, Any]]:
    """The figures of each vereda of ``plan.veredas``, then of any named only by demand."""
    demand = plan.demand
    # One str() for both sides (a missing name matches its row) and each name once, so the
    # rows split the demand exactly: they sum to the totals even if two veredas share a name.
    keys = demand["vereda"].map(str)
    names = list(dict.fromkeys(str(n) for n in plan.veredas["name"])) if len(plan.veredas) else []
    names += sorted(set(keys) - set(names))
    rows = []
    for name in names:
        row = {"vereda": name}
        row.update(_group_counts(demand[keys == name]))
        rows.append(row)
    return rows


def _school_rows(demand: Any) -> list[dict[str, Any]]:
    """One row per school: where it is, whether it is covered, by which site, and why."""
    return [
        {
            "demand_id": str(r.demand_id),
            "name": str(r.name),
            "vereda": str(r.vereda),
            "covered": bool(r.covered),
            "best_site": str(r.best_site),
            "rx_dbm": _num(r.rx_dbm),
            "reason": str(r.reason),
        }
        for r in demand[demand["kind"] == "school"].itertuples()
    ]


def _backhaul_figures(plan: Plan) -> dict[str, Any]:
    """Link count, weakest margin (dB), smallest clearance, sites without a path to the PoP."""
    links, sites = plan.links, plan.sites
    return {
        "links": len(links),
        "min_margin_db": _num(links["margin_db"].min()) if len(links) else None,
        "min_clearance_ratio": _num(links["clearance_ratio"].min()) if len(links) else None,
        "sites_without_backhaul": sorted(
            str(s) for s in sites.loc[~sites["reaches_pop"].astype(bool), "site_id"]
        ),
    }


def _cost_figures(plan: Plan, people_covered: float) -> dict[str, Any]:
    """Total cost of sites and links (USD), and per person covered (None for nobody)."""
    sites = plan.sites
    cost_usd = float(sites["cost_usd"].sum()) if len(sites) else 0.0
    if "cost_usd" in plan.links.columns:  # a hand-built plan may price sites only
        cost_usd += float(plan.links["cost_usd"].sum())
    return {
        "total_usd": cost_usd,
        "per_person_covered_usd": cost_usd / people_covered if people_covered > 0 else None,
    }


def _sources(plan: Plan) -> list[dict[str, str]]:
    """The input layers named by the scenario (``area.layers``): file, source, licence."""
    return [
        {"layer": str(name), "file": spec.file, "source": spec.source, "licence": spec.licence}
        for name, spec in plan.scenario.area.layers.items()
    ]


def jsonable(obj: Any) -> Any:
    """Recursively turn numpy scalars, tuples and paths into JSON-ready values.

    Parameters
    ----------
    obj
        Any value: dicts, lists, tuples, sets and arrays are walked.

    Returns
    -------
    Any
        Plain dicts (string keys), lists, str, bool, int, float or None: NaN and infinity
        become None, any other object its ``str``.
    """
    if isinstance(obj, dict):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple | set):
        return [jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return [jsonable(v) for v in obj.tolist()]
    if isinstance(obj, str | type(None)):
        return obj
    if isinstance(obj, bool | int | float | np.generic):
        return _num(obj.item() if isinstance(obj, np.generic) else obj)
    return str(obj)


#: Columns of the per-vereda CSV, in order (the totals row has vereda "TOTAL").
CSV_COLUMNS = (
    "vereda",
    "people_total",
    "people_covered",
    "people_uncovered",
    "households_total",
    "households_covered",
    "households_uncovered",
    "schools_total",
    "schools_covered",
    "schools_uncovered",
    "share_people_covered",
    *(f"uncovered_{r}_people" for r in GAP_REASONS),
)


def _csv_row(name: str, row: dict[str, Any]) -> list[Any]:
    values: list[Any] = [name]
    for col in CSV_COLUMNS[1:]:
        if col.startswith("uncovered_") and col.endswith("_people"):
            values.append(
                row["uncovered_by_reason"][col[len("uncovered_") : -len("_people")]]["people"]
            )
        else:
            values.append(row[col])
    return ["" if v is None else (round(v, 4) if isinstance(v, float) else v) for v in values]


def summary_csv(summary: dict[str, Any]) -> str:
    """The per-vereda table as CSV text (snake_case English headers), with a TOTAL row.

    Names are written as they are (CSV is data, not markup); the ``csv`` module quotes them.
    Cells that a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``,
    ``@``) are prefixed with a single quote.

    Parameters
    ----------
    summary
        A summary from :func:`summarize`.

    Returns
    -------
    str
        The CSV text: a header of :data:`CSV_COLUMNS`, one row per vereda, then ``TOTAL``;
        floats rounded to 4 decimals, missing numbers empty.
    """
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in summary["veredas"]:
        writer.writerow(_csv_row(_csv_safe(row["vereda"]), row))
    writer.writerow(_csv_row("TOTAL", summary["totals"]))
    return buf.getvalue()


def _csv_safe(text: str) -> str:
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


_MD_SPECIAL = re.compile(r"([\\`*_\[\]|#~])")


def _md(text: Any) -> str:
    """Escape text for a Markdown table cell: HTML entities and Markdown punctuation."""
    return _MD_SPECIAL.sub(r"\\\1", html.escape(str(text), quote=True)).replace("\n", " ")


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
        (HTML entities and Markdown punctuation).

    Raises
    ------
    ScenarioError
        Unknown language.
    """
    L = LABELS[check_language(language)]
    lines = [f"# {L['title']}: {_md(summary['name'])}", ""]
    lines += _md_warnings(summary, L)
    lines += _md_totals(summary, L)
    lines += _md_veredas(summary, L)
    lines += _md_reasons(summary, L, language)
    lines += _md_schools(summary, L, language)
    lines += _md_notes(summary, L)
    lines.append("")
    return "\n".join(lines)


def _md_warnings(summary: dict[str, Any], L: dict[str, str]) -> list[str]:
    """The warnings of the plan as a bulleted section; no lines when it has none."""
    warnings = summary.get("warnings", [])
    if not warnings:
        return []
    return [f"## ⚠ {L['warnings']}", "", *(f"- **{_md(w)}**" for w in warnings), ""]


def _md_totals(summary: dict[str, Any], L: dict[str, str]) -> list[str]:
    """The bullet list of totals, cost, sites and links."""
    t = summary["totals"]
    return [
        f"- {L['people']}: {fmt_number(t['people_covered'])} / {fmt_number(t['people_total'])} "
        f"({fmt_share(t['share_people_covered'])})",
        f"- {L['households']}: {fmt_number(t['households_covered'])} / {fmt_number(t['households_total'])}",
        f"- {L['schools']}: {t['schools_covered']} / {t['schools_total']}",
        f"- {L['cost']}: {fmt_number(summary['cost']['total_usd'])}",
        f"- {L['cost_per_person']}: {fmt_number(summary['cost']['per_person_covered_usd'], 2)}",
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
    rows = [*summary["veredas"], {"vereda": f"**{L['total']}**", **summary["totals"]}]
    for i, r in enumerate(rows):
        name = r["vereda"] if i == len(rows) - 1 else _md(r["vereda"])
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
    lines += [
        f"| {_md(s['name'])} | {_md(s['vereda'])} | {'✔' if s['covered'] else '✘'} | "
        f"{_md(s['best_site']) or '–'} | {fmt_number(s['rx_dbm'], 1)} | "
        f"{reason_label(s['reason'], language)} |"
        for s in summary["schools"]
    ]
    return lines


def _md_notes(summary: dict[str, Any], L: dict[str, str]) -> list[str]:
    """The models, assumptions and data sources, as bullet lists."""
    lines = ["", f"## {L['models']}", ""]
    lines += [f"- **{_md(k)}**: {_md(v)}" for k, v in summary["models"].items()]
    lines += ["", f"## {L['assumptions']}", ""]
    lines += [f"- {_md(a)}" for a in summary["assumptions"]]
    lines += ["", f"## {L['data_sources']}", ""]
    lines += [
        f"- **{_md(x['layer'])}** ({_md(x['file'])}): {_md(x['source'])}"
        + (f" — {_md(x['licence'])}" if x["licence"] else "")
        for x in summary.get("sources", [])
    ]
    return lines


_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;margin:1em 0}th,td{border:1px solid #bbb;padding:4px 8px}
th{background:#eee}td.n{text-align:right}tr.total{font-weight:bold;background:#f6f6f6}
.gap{color:#b00}.ok{color:#070}
.warnings{border:3px solid #b00;background:#fff4e5;padding:.2em 1em;margin:1em 0}
.warnings h2{color:#b00;margin:.4em 0}
"""


def gap_report_html(summary: dict[str, Any], *, language: str = "es") -> str:
    """The coverage-gap report as a self-contained HTML page (no scripts, no external links).

    First, when the plan has warnings, a box of them (``<div id="warnings">``) under the
    title; then per vereda: people, households and schools covered and not covered, and the
    people not covered by reason; then the schools not covered with their reason, the cost
    of the plan and per person connected, and the models and assumptions of the run. Every
    name and warning is escaped with :func:`html.escape`.

    Parameters
    ----------
    summary
        A summary from :func:`summarize`.
    language
        "es" or "en" (also the page's ``lang``).

    Returns
    -------
    str
        The HTML page.

    Raises
    ------
    ScenarioError
        Unknown language.
    """
    L = LABELS[check_language(language)]
    e = html.escape
    t = summary["totals"]
    head, body = _html_vereda_table(summary, L, language)
    school_rows = _html_school_rows(summary, L, language)
    cost = summary["cost"]
    models, assumptions, sources = _html_notes(summary)
    lang = e(language)
    return f"""<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8">
<title>{e(L["gap_title"])}: {e(summary["name"])}</title><style>{_CSS}</style></head>
<body>
<h1>{e(L["gap_title"])}: {e(summary["name"])}</h1>
{_html_warnings(summary, L)}<p>{e(L["people"])}: <b>{e(fmt_number(t["people_covered"]))}</b> / {e(fmt_number(t["people_total"]))}
({e(fmt_share(t["share_people_covered"]))}) &middot; {e(L["households"])}:
{e(fmt_number(t["households_covered"]))} / {e(fmt_number(t["households_total"]))} &middot;
{e(L["schools"])}: {t["schools_covered"]} / {t["schools_total"]}</p>
<p>{e(L["cost"])}: <b>{e(fmt_number(cost["total_usd"]))}</b> &middot; {e(L["cost_per_person"])}:
<b>{e(fmt_number(cost["per_person_covered_usd"], 2))}</b></p>
<h2>{e(L["veredas"])}</h2>
<table id="veredas"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>
<h2>{e(L["uncovered_schools"])}</h2>
<table id="schools"><thead><tr><th>{e(L["school"])}</th><th>{e(L["vereda"])}</th>
<th>{e(L["reason"])}</th><th>{e(L["rx_dbm"])}</th></tr></thead><tbody>{school_rows}</tbody></table>
<h2>{e(L["models"])}</h2><ul>{models}</ul>
<h2>{e(L["assumptions"])}</h2><ul>{assumptions}</ul>
<h2>{e(L["data_sources"])}</h2><ul>{sources}</ul>
</body></html>
"""


def _html_warnings(summary: dict[str, Any], L: dict[str, str]) -> str:
    """The box of the plan's warnings, one list item each; "" when it has none."""
    e = html.escape
    items = "".join(f"<li>{e(w)}</li>" for w in summary.get("warnings", []))
    if not items:
        return ""
    return (
        f'<div id="warnings" class="warnings" role="alert"><h2>⚠ {e(L["warnings"])}</h2>'
        f"<ul>{items}</ul></div>\n"
    )


def _html_vereda_table(
    summary: dict[str, Any], L: dict[str, str], language: str
) -> tuple[str, str]:
    """The header cells and the body rows (veredas, then the total) of the vereda table."""
    e = html.escape
    reasons = list(GAP_REASONS)
    head = "".join(
        f"<th>{e(h)}</th>"
        for h in (
            L["vereda"],
            f"{L['people']} {L['covered'].lower()}",
            f"{L['people']} {L['uncovered'].lower()}",
            f"{L['households']} {L['covered'].lower()}",
            f"{L['households']} {L['uncovered'].lower()}",
            f"{L['schools']} {L['covered'].lower()}",
            f"{L['schools']} {L['uncovered'].lower()}",
            L["share"],
            *(f"{L['uncovered']}: {reason_label(r, language)}" for r in reasons),
        )
    )

    def row(r: dict[str, Any], name: str, cls: str = "") -> str:
        cells = [
            fmt_number(r["people_covered"]),
            fmt_number(r["people_uncovered"]),
            fmt_number(r["households_covered"]),
            fmt_number(r["households_uncovered"]),
            str(r["schools_covered"]),
            str(r["schools_uncovered"]),
            fmt_share(r["share_people_covered"]),
            *(fmt_number(r["uncovered_by_reason"][k]["people"]) for k in reasons),
        ]
        tds = "".join(f'<td class="n">{e(c)}</td>' for c in cells)
        return f'<tr class="{cls}"><td>{e(name)}</td>{tds}</tr>'

    body = [row(r, r["vereda"]) for r in summary["veredas"]]
    body.append(row(summary["totals"], L["total"], "total"))
    return head, "".join(body)


def _html_school_rows(summary: dict[str, Any], L: dict[str, str], language: str) -> str:
    """Rows of the schools not covered (name, vereda, reason, signal), or one "none" row."""
    e = html.escape
    gaps = [s for s in summary["schools"] if not s["covered"]]
    return (
        "".join(
            f"<tr><td>{e(s['name'])}</td><td>{e(s['vereda'])}</td>"
            f"<td>{e(reason_label(s['reason'], language))}</td>"
            f'<td class="n">{e(fmt_number(s["rx_dbm"], 1))}</td></tr>'
            for s in gaps
        )
        or f'<tr><td colspan="4">{e(L["none"])}</td></tr>'
    )


def _html_notes(summary: dict[str, Any]) -> tuple[str, str, str]:
    """The list items of the models, the assumptions and the data sources."""
    e = html.escape
    models = "".join(f"<li><b>{e(k)}</b>: {e(v)}</li>" for k, v in summary["models"].items())
    assumptions = "".join(f"<li>{e(a)}</li>" for a in summary["assumptions"])
    sources = "".join(
        f"<li><b>{e(x['layer'])}</b> ({e(x['file'])}): {e(x['source'])}"
        + (f" — {e(x['licence'])}" if x["licence"] else "")
        + "</li>"
        for x in summary.get("sources", [])
    )
    return models, assumptions, sources
