"""Summaries and the coverage-gap report of a :class:`~coverage.plan.Plan`.

Everything here turns a plan into numbers and text: :func:`summarize` gives one
JSON-ready dictionary (the plan's warnings, totals, one row per vereda, the schools, the cost,
the models and the assumptions of the run); :func:`gap_report_html` and the per-vereda CSV
(:mod:`coverage.outputs.summarytable`)
format it (:func:`coverage.outputs.markdown.summary_markdown`, also importable from here,
writes it as Markdown, and :func:`coverage.outputs.report_pages.gap_report_figures` lays it
out as PDF pages). Nothing here writes files: :mod:`coverage.outputs.export` does, atomically.

A plan's warnings (what the run cannot stand behind, :attr:`~coverage.plan.Plan.warnings`)
come first in every document, before the figures, under their own heading; a plan without
warnings shows no such heading. Every name that comes from an input file (vereda, school,
site), and every warning, goes through :func:`coverage.outputs.text.safe_text` for its sink
(the summary loses control characters; HTML, Markdown and CSV are escaped), so a name such
as ``<script>alert(1)</script>`` or ``=1+2`` stays inert text.
"""

from __future__ import annotations

import base64
import functools
import logging
import math
from typing import Any

import numpy as np

from coverage.outputs.broadband import (
    broadband_figures,
    broadband_html,
    broadband_summary,
    has_broadband,
)
from coverage.outputs.costs import cost_items_html, cost_lead, cost_summary, vereda_costs
from coverage.outputs.labels import (
    LABELS,
    check_language,
    fmt_number,
    fmt_share,
    label,
    labels,
    layer_label,
    reason_label,
)
from coverage.outputs.markdown import summary_markdown
from coverage.outputs.regulatory import regulation_html, regulation_summary
from coverage.outputs.service import (
    SERVICE_CSS,
    existing_service_summary,
    service_chart_html,
    service_counts,
    service_notes,
    service_table_html,
    service_totals_text,
)
from coverage.outputs.text import safe_text
from coverage.outputs.warningtext import warning_texts
from coverage.outputs.words import blank_name, plan_words, shown_rows, subdivision_names
from coverage.plan import REASONS, Plan

__all__ = [
    "GAP_REASONS",
    "gap_report_html",
    "jsonable",
    "summarize",
    "summary_markdown",
    "technical_record_note",
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
    """People, households and schools covered / not covered, and by service, in a demand subset."""
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
        **service_counts(demand),
        **(broadband_figures(demand) if has_broadband(demand) else {}),
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
        run stands behind the plan), ``totals`` (people, households and schools covered / not
        covered by the plan, share of people covered, ``uncovered_by_reason``, and
        ``people_<class>`` and ``households_<class>`` of each service class,
        ``served_existing``, ``served_new`` and ``unserved``, which add up to the people and
        households), ``existing_service`` (see
        :func:`~coverage.outputs.service.existing_service_summary`), ``subdivisions`` (the
        same figures, the ``vereda`` name and ``vereda_id`` of each sub-district of
        ``plan.veredas``, in order, then of any named only by demand points, then the row
        of the demand in none; a generic key: the area's word for its sub-districts is
        ``subdivision``, its forms per language ``subdivision_words``), ``schools`` (one row per school),
        ``sites`` (count per role), ``backhaul``
        (link count, weakest margin in dB, smallest Fresnel clearance ratio, sites that do
        not reach the point of presence), ``cost`` (total USD and USD per person covered),
        ``models``, ``assumptions``, ``sources`` (the scenario's input layers: file, source,
        licence), ``scenario`` and ``metrics``. The totals equal the sum of the vereda rows.
        Every text has lost its control characters (see :func:`jsonable`).
    """
    totals = _group_counts(plan.demand)
    sites = plan.sites
    summary = {
        "name": plan.name,
        "territory": plan.territory,
        "subdivision": plan.subdivision,
        "subdivision_words": _subdivision_words(plan),
        "heading": plan.heading,
        "crs": plan.crs,
        "warnings": [str(w) for w in plan.warnings],
        "totals": totals,
        "existing_service": existing_service_summary(plan),
        "broadband": broadband_summary(plan),
        "regulation": regulation_summary(plan),
        "subdivisions": _vereda_rows(plan),
        "schools": _school_rows(
            plan.demand, label("outside_subdivision", "es", plan_words(plan, "es"))
        ),
        "sites": {role: int((sites["role"] == role).sum()) for role in ("pop", "access", "relay")},
        "backhaul": _backhaul_figures(plan),
        "cost": cost_summary(plan),
        "models": {str(k): str(v) for k, v in plan.models.items()},
        "assumptions": [str(a) for a in plan.assumptions],
        "sources": _sources(plan),
        "scenario": jsonable(plan.scenario.to_dict()),
        "metrics": jsonable(plan.metrics),
    }
    return jsonable(summary)  # one cleaning of every text, however deep


def _subdivision_words(plan: Plan) -> dict[str, dict[str, str]]:
    """What the sub-districts are called in each language (the area file's words)."""
    words = {language: plan_words(plan, language) for language in LABELS}
    return {k: {"singular": w.singular, "plural": w.plural} for k, w in words.items()}


def _vereda_rows(plan: Plan) -> list[dict[str, Any]]:
    """The figures of each vereda of ``plan.veredas``, then of any named only by demand.

    Points belong to a vereda by ``vereda_id`` when the demand has it (names may repeat),
    else by name; each id (or name) is one row, so that every point is counted once. Points
    in no sub-district (a school in an urban centre the sub-districts leave out) make one
    row named "Sin {sub}" (the area's word), with ``outside`` true, never an empty name.
    """
    demand, veredas = plan.demand, plan.veredas
    by_id = "vereda_id" in demand.columns
    # str() on both sides, never astype(str): pandas keeps a missing value missing there, and
    # a NaN key matches no row.
    keys = demand["vereda_id" if by_id else "vereda"].map(str)
    groups: dict[str, tuple[str, str]] = {}  # key -> (vereda_id, name), the first of a key
    if len(veredas):
        ids, names = veredas["vereda_id"].map(str), veredas["name"].map(str)
        for k, i, n in zip(ids if by_id else names, ids, names, strict=True):
            groups.setdefault(k, (i, n))
    named = dict(zip(keys, demand["vereda"].map(str), strict=True))
    blank = demand["vereda"].map(blank_name).to_numpy(dtype=bool)
    outside = set(keys[blank]) - set(groups)  # demand in no sub-district of the table
    groups.update({k: (k if by_id else "", named[k]) for k in sorted(set(keys) - set(groups))})
    costs = vereda_costs(plan, keys)
    rows = []
    for key, (vid, name) in groups.items():
        row: dict[str, Any] = {"vereda": name, "vereda_id": vid}
        if key in outside:  # a named row, never an empty name
            row.update(vereda=label("outside_subdivision", "es", plan_words(plan, "es")))
            row["outside"] = True
        row.update(_group_counts(demand[keys == key]))
        row.update(costs.get(key, _NO_COST))
        rows.append(row)
    return rows


#: The cost figures of a vereda without demand points.
_NO_COST = {
    "cost_usd": 0.0,
    "satellite_usd": 0.0,
    "households_connected": 0.0,
    "per_household_connected_usd": None,
}


def _school_rows(demand: Any, outside: str) -> list[dict[str, Any]]:
    """One row per school: where it is (``outside``, the outside row's name, for a school in
    no sub-district), whether it is covered, by which site, and why."""
    return [
        {
            "demand_id": str(r.demand_id),
            "name": str(r.name),
            "vereda": outside if blank_name(r.vereda) else str(r.vereda),
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


def _sources(plan: Plan) -> list[dict[str, str]]:
    """The input layers named by the scenario (``area.layers``): file, source, licence."""
    return [
        {"layer": str(name), "file": spec.file, "source": spec.source, "licence": spec.licence}
        for name, spec in plan.scenario.area.layers.items()
    ]


def jsonable(obj: Any) -> Any:
    """Recursively turn numpy scalars, tuples and paths into JSON-ready values, texts cleaned.

    Parameters
    ----------
    obj
        Any value: dicts, lists, tuples, sets and arrays are walked.

    Returns
    -------
    Any
        Plain dicts (string keys), lists, str, bool, int, float or None: NaN and infinity
        become None, any other object its ``str``; every text, keys too, without control
        characters (:func:`coverage.outputs.text.safe_text`, ``"plain"``), so that the JSON
        says what the other outputs show.
    """
    if isinstance(obj, dict):
        return {safe_text(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple | set):
        return [jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return [jsonable(v) for v in obj.tolist()]
    if obj is None:
        return obj
    if isinstance(obj, bool | int | float | np.generic) and not isinstance(obj, np.str_):
        return _num(obj.item() if isinstance(obj, np.generic) else obj)
    return safe_text(obj)


_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;margin:1em 0}th,td{border:1px solid #bbb;padding:4px 8px}
th{background:#eee}td.n{text-align:right}tr.total{font-weight:bold;background:#f6f6f6}
.gap{color:#b00}.ok{color:#070}
.warnings{border:3px solid #b00;background:#fff4e5;padding:.2em 1em;margin:1em 0}
.warnings h2{color:#b00;margin:.4em 0}
"""


def gap_report_html(
    summary: dict[str, Any], *, language: str = "es", gap_map_png: bytes | None = None
) -> str:
    """The coverage-gap report as a self-contained HTML page (no scripts, no external links).

    First, when the plan has warnings, a box of them (``<div id="warnings">``) under the
    title; then per vereda: people, households and schools covered and not covered, and the
    people not covered by reason; then the service per vereda (already served, newly served,
    still unserved: notes, a chart and ``<table id="service">``, of
    :mod:`coverage.outputs.service`); then the schools not covered with their reason, the
    cost of the plan and per person connected, the spectrum regulation (with the operator
    partner a licensed access band needs, :mod:`coverage.outputs.regulatory`), and the models
    and assumptions of the run. Every
    name and warning is escaped with :func:`coverage.outputs.text.safe_text` (``"html"``).
    The map of the unserved households (``<img id="gap-map">``, a data URI) follows the
    vereda table when ``gap_map_png`` is given.

    Parameters
    ----------
    summary
        A summary from :func:`summarize`.
    language
        "es" or "en" (also the page's ``lang``).
    gap_map_png
        The map of :func:`coverage.outputs.gapmap.gap_map_png`, embedded as it is; None:
        no map.

    Returns
    -------
    str
        The HTML page.

    Raises
    ------
    ScenarioError
        Unknown language.
    """
    L = labels(language, subdivision_names(summary, language))
    e = functools.partial(safe_text, sink="html")
    t = summary["totals"]
    head, body = _html_vereda_table(summary, L, language)
    school_rows = _html_school_rows(summary, L, language)
    models, assumptions, sources = _html_notes(summary, L)
    record = technical_record_note(summary, language=language)
    if record is not None:  # one language per report: no English model text in Spanish
        technical = f'<h2>{e(L["models"])}</h2><p id="technical-record">{e(record)}</p>'
    else:
        technical = (
            f"<h2>{e(L['models'])}</h2><ul>{models}</ul>"
            f"<h2>{e(L['assumptions'])}</h2><ul>{assumptions}</ul>"
        )
    notes = "".join(
        f'<p class="note">{e(n)}</p>' for n in service_notes(summary, language=language)
    )
    lang = e(language)
    return f"""<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8">
<title>{e(L["gap_title"])}: {e(summary["heading"])}</title><style>{_CSS}{SERVICE_CSS}</style></head>
<body>
<h1>{e(L["gap_title"])}: {e(summary["heading"])}</h1>
{_html_warnings(summary, L, language)}<p>{e(L["people"])}: <b>{e(fmt_number(t["people_covered"]))}</b> / {e(fmt_number(t["people_total"]))}
({e(fmt_share(t["share_people_covered"]))}) &middot; {e(L["households"])}:
{e(fmt_number(t["households_covered"]))} / {e(fmt_number(t["households_total"]))} &middot;
{e(L["schools"])}: {t["schools_covered"]} / {t["schools_total"]}</p>
<p id="service-totals">{e(service_totals_text(summary, language=language))}</p>
<p id="cost-lead">{e(cost_lead(summary, L))}</p>
<h2>{e(L["veredas"])}</h2>
<table id="subdivisions"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>
{_html_gap_map(gap_map_png, L)}<h2>{e(L["service_per_vereda"])}</h2>
{notes}{service_chart_html(summary, language=language)}
{service_table_html(summary, language=language)}
{broadband_html(summary, language=language)}<h2>{e(L["costs"])}</h2>
{cost_items_html(summary, L)}
<h2>{e(L["uncovered_schools"])}</h2>
<table id="schools"><thead><tr><th>{e(L["school"])}</th><th>{e(L["vereda"])}</th>
<th>{e(L["reason"])}</th><th>{e(L["rx_dbm"])}</th></tr></thead><tbody>{school_rows}</tbody></table>
{regulation_html(summary, language=language)}{technical}
<h2>{e(L["data_sources"])}</h2><ul>{sources}</ul>
</body></html>
"""


def _html_gap_map(png: bytes | None, L: dict[str, str]) -> str:
    """The gap map as an embedded image under its heading; "" without one."""
    if png is None:
        return ""
    e = functools.partial(safe_text, sink="html")
    uri = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
    return (
        f'<h2>{e(L["gap_map"])}</h2><p><img id="gap-map" src="{uri}" '
        f'alt="{e(L["gap_map"])}" style="max-width:100%"></p><p class="note">{e(L["gap_map_note"])}</p>\n'
    )


def technical_record_note(summary: dict[str, Any], *, language: str = "es") -> str | None:
    """What a report in another language than the run's record says in place of its models.

    The models and assumptions of a run are written in English (the program's language);
    a report in Spanish does not mix them in but says where they are.

    Parameters
    ----------
    summary
        The output of :func:`summarize` (its ``models`` and ``assumptions`` are counted).
    language
        "es" or "en".

    Returns
    -------
    str or None
        For "es", one Spanish sentence naming how many models and assumptions the run
        recorded and the files that hold them; None for "en" (the report lists them).

    Raises
    ------
    ScenarioError
        Unknown language.
    """
    if check_language(language) == "en":
        return None
    n_models, n_assumptions = len(summary["models"]), len(summary["assumptions"])
    return (
        f"El registro técnico de esta corrida ({n_models} modelos y {n_assumptions} "
        "supuestos, con sus fuentes) está escrito en inglés, el idioma del programa, y este "
        "informe no lo mezcla con el español: se encuentra en summary.json y manifest.json, "
        'y en el informe en inglés (language = "en" en el escenario).'
    )


def _html_warnings(summary: dict[str, Any], L: dict[str, str], language: str) -> str:
    """The box of the plan's warnings, one list item each; "" when it has none."""
    e = functools.partial(safe_text, sink="html")
    warnings = warning_texts(summary.get("warnings", []), language)
    items = "".join(f"<li>{e(w)}</li>" for w in warnings)
    if not items:
        return ""
    return (
        f'<div id="warnings" class="warnings" role="alert"><h2>⚠ {e(L["warnings_heading"])}</h2>'
        f"<ul>{items}</ul></div>\n"
    )


def _html_vereda_table(
    summary: dict[str, Any], L: dict[str, str], language: str
) -> tuple[str, str]:
    """The header cells and the body rows (veredas, then the total) of the vereda table."""
    e = functools.partial(safe_text, sink="html")
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

    body = [row(r, r["vereda"]) for r in shown_rows(summary, L)]
    body.append(row(summary["totals"], L["total"], "total"))
    return head, "".join(body)


def _html_school_rows(summary: dict[str, Any], L: dict[str, str], language: str) -> str:
    """Rows of the schools not covered (name, vereda, reason, signal), or one "none" row."""
    e = functools.partial(safe_text, sink="html")
    gaps = [s for s in summary["schools"] if not s["covered"]]
    return (
        "".join(
            f"<tr><td>{e(s['name'])}</td><td>{e(s['vereda'])}</td>"
            f"<td>{e(reason_label(s['reason'], language))}</td>"
            f'<td class="n">{e(fmt_number(s["rx_dbm"], 1))}</td></tr>'
            for s in gaps
        )
        or f'<tr><td colspan="4">{e(L["no_school_gaps"])}</td></tr>'
    )


def _html_notes(summary: dict[str, Any], L: dict[str, str]) -> tuple[str, str, str]:
    """The list items of the models, the assumptions and the data sources (the sub-district
    layer by the territory's word)."""
    e = functools.partial(safe_text, sink="html")
    models = "".join(f"<li><b>{e(k)}</b>: {e(v)}</li>" for k, v in summary["models"].items())
    assumptions = "".join(f"<li>{e(a)}</li>" for a in summary["assumptions"])
    sources = "".join(
        f"<li><b>{e(layer_label(x['layer'], L))}</b> ({e(x['file'])}): {e(x['source'])}"
        + (f" — {e(x['licence'])}" if x["licence"] else "")
        + "</li>"
        for x in summary.get("sources", [])
    )
    return models, assumptions, sources
