"""Who has mobile service: already (an existing cell), newly (the plan's sites), or not yet.

Each demand point of a plan is in one service class of :data:`SERVICE_CLASSES`:
``served_existing`` (an existing mobile cell already gives it the service threshold),
``served_new`` (not served before, covered by the plan's sites), ``served_hotspot`` (not
covered, within a walk of a school or plaza Wi-Fi hotspot the plan builds), ``served_satellite`` (given
a satellite terminal) or ``unserved``. The pipeline
writes the class in ``plan.demand["service"]`` and the existing cells in
``plan.existing_sites``; a plan made before either existed (an old pickle, a hand-built plan)
has no existing service: its points are ``served_new`` where ``covered`` and ``unserved``
elsewhere. :func:`service_counts` gives the people and households of each class, which
:func:`coverage.outputs.report.summarize` records per vereda and in total; the rest formats
those figures for the gap report and the Markdown summary: a table per vereda, a chart of
stacked bars (HTML and CSS only, no script) and the notes that say how far the existing
service can be trusted. The PDF page is :mod:`coverage.outputs.report_pages`'s.

Every shown number of a table is whole, and a row's parts add up to its shown total
(:func:`whole_parts`): households are fractional (people divided by the persons per
household), and an official adding the columns must find the total. Every vereda name passes
:func:`~coverage.outputs.text.safe_text` for its sink.
"""

from __future__ import annotations

import functools
import logging
import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from coverage.outputs.labels import fmt_number, labels
from coverage.outputs.styles import SERVICE_COLORS
from coverage.outputs.text import safe_text
from coverage.outputs.words import subdivision_names
from coverage.plan import Plan

__all__ = [
    "SERVICE_CLASSES",
    "SERVICE_CSS",
    "existing_service_summary",
    "existing_sites",
    "service_chart_html",
    "service_classes",
    "service_counts",
    "service_markdown",
    "service_notes",
    "service_table_html",
    "service_totals_text",
    "shown_classes",
    "shown_counts",
    "visible_classes",
    "whole_parts",
]

log = logging.getLogger(__name__)

#: The service classes of a demand point, in the order every output lists them.
SERVICE_CLASSES = (
    "served_existing",
    "served_new",
    "served_hotspot",
    "served_satellite",
    "unserved",
)

#: Styles of the service table's chart, for the gap report's stylesheet.
SERVICE_CSS = """
table.bars td,table.bars th{border:none;padding:2px 6px}
.bar{display:flex;width:24em;height:14px;background:#f3f3f3}.bar span{display:block;height:100%}
.key span{display:inline-block;width:12px;height:12px;margin:0 4px 0 12px;vertical-align:middle}
"""


def service_classes(demand: pd.DataFrame) -> pd.Series:
    """The service class of each demand point, one of :data:`SERVICE_CLASSES`.

    Parameters
    ----------
    demand
        A plan's demand table; ``covered`` is required, ``service`` and ``served_existing``
        are read when present.

    Returns
    -------
    pandas.Series of str
        Aligned to ``demand``'s index: ``service`` where it holds a known class; elsewhere
        (no such column, a missing value, or an unknown one, which is logged as a warning)
        the class derived from ``served_existing`` (False when absent), ``covered``,
        ``hotspot`` and ``satellite_terminals`` (none when absent).
    """
    covered = demand["covered"].astype(bool).to_numpy()
    if "served_existing" in demand.columns:
        flags = demand["served_existing"]
        existing = (flags.notna() & flags.astype(bool)).to_numpy()  # NaN is not served
    else:
        existing = np.zeros(len(demand), dtype=bool)
    if "satellite_terminals" in demand.columns:
        satellite = (demand["satellite_terminals"].fillna(0).to_numpy() > 0) & ~covered
    else:
        satellite = np.zeros(len(demand), dtype=bool)
    if "hotspot" in demand.columns:
        hotspot = (demand["hotspot"].fillna("").astype(str).to_numpy() != "") & ~covered
    else:
        hotspot = np.zeros(len(demand), dtype=bool)
    derived = pd.Series(
        np.select(
            [existing, covered, hotspot, satellite], list(SERVICE_CLASSES[:4]), SERVICE_CLASSES[4]
        ),
        index=demand.index,
        dtype=object,
    )
    if "service" not in demand.columns:
        return derived
    given = demand["service"]
    known = given.isin(SERVICE_CLASSES)
    unknown = int((~known & given.notna()).sum())
    if unknown:
        log.warning(
            "%d demand points have an unknown service class (not one of %s); derived from "
            "served_existing and covered.",
            unknown,
            ", ".join(SERVICE_CLASSES),
        )
    return given.astype(object).where(known, derived)


def service_counts(demand: pd.DataFrame) -> dict[str, float]:
    """People and households of each service class in a demand table (or a part of one).

    Parameters
    ----------
    demand
        Demand points with ``population`` (people), ``households`` and ``covered``; see
        :func:`service_classes` for the rest.

    Returns
    -------
    dict
        ``people_<class>`` (people) and ``households_<class>`` (households) for each class
        of :data:`SERVICE_CLASSES`; the classes of each unit add up to the table's total.
    """
    cls = service_classes(demand)
    out: dict[str, float] = {}
    for unit, column in (("people", "population"), ("households", "households")):
        values = demand[column].astype(float)
        for c in SERVICE_CLASSES:
            out[f"{unit}_{c}"] = float(values[cls == c].sum())
    return out


def existing_sites(plan: Plan) -> Any:
    """The existing mobile sites of a plan, or None when it has none.

    Parameters
    ----------
    plan
        The plan; a plan made before ``existing_sites`` existed has none.

    Returns
    -------
    geopandas.GeoDataFrame or None
        ``plan.existing_sites`` (columns ``site_id``, ``operator``, ``technology``,
        ``height_m``, ``tx_power_dbm``, ``f_mhz``, ``estimated``, ``predicted``; working
        CRS) when it has a row; None otherwise.
    """
    sites = getattr(plan, "existing_sites", None)
    return sites if sites is not None and len(sites) else None


def existing_service_summary(plan: Plan) -> dict[str, Any]:
    """What the plan knows of existing mobile service, for the summary.

    Parameters
    ----------
    plan
        The plan.

    Returns
    -------
    dict
        ``present`` (True when the plan has existing sites or a demand point served by
        one: then the outputs show the "already served" figures), ``sites`` (count),
        ``estimated_sites`` (how many positions are OpenCelliD estimates),
        ``predicted_sites`` (how many lie inside the terrain and were predicted),
        ``operators`` and ``technologies`` (sorted, distinct).
    """
    sites = existing_sites(plan)
    served = bool((service_classes(plan.demand) == "served_existing").any())
    if sites is None:
        return {
            "present": served,
            "sites": 0,
            "estimated_sites": 0,
            "predicted_sites": 0,
            "operators": [],
            "technologies": [],
        }

    return {
        "present": True,
        "sites": len(sites),
        "estimated_sites": _count_true(sites, "estimated"),
        "predicted_sites": _count_true(sites, "predicted"),
        "operators": _distinct(sites, "operator"),
        "technologies": _distinct(sites, "technology"),
    }


def _count_true(table: pd.DataFrame, column: str) -> int:
    """How many rows of ``table`` are True in ``column`` (0 without it; NaN is False)."""
    if column not in table.columns:
        return 0
    flags = table[column]
    return int((flags.notna() & flags.astype(bool)).sum())


def _distinct(table: pd.DataFrame, column: str) -> list[str]:
    """The distinct texts of ``column``, sorted ([] without it)."""
    return sorted({str(v) for v in table[column].dropna()}) if column in table.columns else []


def whole_parts(values: Sequence[float], total: int | None = None) -> list[int]:
    """Round parts to whole numbers that add up to their rounded sum (largest remainder).

    Parameters
    ----------
    values
        Non-negative parts (NaN counts as 0).
    total
        The whole sum to reach instead of ``round(sum(values))``: a figure another table
        already shows for the same parts (within one of their sum per part).

    Returns
    -------
    list of int
        One whole number per part: each the part rounded down or up, their sum
        ``round(sum(values))`` (or ``total``); the parts with the largest fractions are
        rounded up.

    Examples
    --------
    >>> whole_parts([0.5, 0.5, 0.5])
    [1, 1, 0]
    >>> whole_parts([10.0, 20.0, 12.0])
    [10, 20, 12]
    """
    parts = [v if math.isfinite(v) else 0.0 for v in (float(x) for x in values)]
    floors = [math.floor(v) for v in parts]
    short = (round(math.fsum(parts)) if total is None else total) - sum(floors)
    order = sorted(range(len(parts)), key=lambda i: (floors[i] - parts[i], i))
    for i in order[: max(short, 0)]:
        floors[i] += 1
    return floors


def shown_counts(
    row: Mapping[str, Any],
    unit: str,
    *,
    existing: bool,
    satellite: bool = False,
    hotspot: bool = False,
) -> tuple[int, list[int]]:
    """The whole numbers a table shows for a row: its total and its service parts.

    Parameters
    ----------
    row
        A vereda row or the totals of a summary (:func:`coverage.outputs.report.summarize`).
    unit
        "households" or "people".
    existing
        Whether the plan has existing service; without it the "already served" part (0) is
        left out.
    satellite
        Whether the plan gives satellite terminals; without them that part (0) is left out.
    hotspot
        Whether the plan's hotspots serve someone; without that the part (0) is left out.

    Returns
    -------
    total, parts
        The parts in the order of :data:`SERVICE_CLASSES` (of the classes shown, see
        :func:`shown_classes`), adding up to ``total``.
    """
    parts = dict(
        zip(
            SERVICE_CLASSES,
            whole_parts([row.get(f"{unit}_{c}", 0.0) for c in SERVICE_CLASSES]),
            strict=True,
        )
    )
    return sum(parts.values()), [
        parts[c] for c in visible_classes(existing=existing, satellite=satellite, hotspot=hotspot)
    ]


def visible_classes(*, existing: bool, satellite: bool, hotspot: bool = False) -> tuple[str, ...]:
    """The service classes an output shows, in order: "already served" only with existing
    service, "satellite" only when some point got a terminal, "hotspot" only when a hotspot
    serves some point.

    Parameters
    ----------
    existing
        Whether the plan has existing service.
    satellite
        Whether the plan gives satellite terminals.
    hotspot
        Whether the plan's hotspots serve some point.

    Returns
    -------
    tuple of str
        Classes of :data:`SERVICE_CLASSES`.
    """
    keep = (existing, True, hotspot, satellite, True)
    return tuple(c for c, k in zip(SERVICE_CLASSES, keep, strict=True) if k)


def shown_classes(summary: Mapping[str, Any]) -> tuple[dict[str, bool], tuple[str, ...]]:
    """Which optional classes a summary shows, and the classes its tables show, in order.

    Parameters
    ----------
    summary
        A plan summary.

    Returns
    -------
    flags, classes
        ``{"existing": ..., "satellite": ..., "hotspot": ...}`` (for :func:`shown_counts`)
        and the classes: "already served" only with existing service, "satellite" only when
        some point got a terminal, "hotspot" only when a hotspot serves some point.
    """
    existing = bool(summary.get("existing_service", {}).get("present", False))
    totals = summary.get("totals", {})
    satellite = float(totals.get("households_served_satellite", 0.0) or 0.0) > 0
    hotspot = float(totals.get("households_served_hotspot", 0.0) or 0.0) > 0
    flags = {"existing": existing, "satellite": satellite, "hotspot": hotspot}
    return flags, visible_classes(**flags)


def service_notes(summary: Mapping[str, Any], *, language: str = "es") -> list[str]:
    """The sentences that go with the service figures, as plain text (the caller escapes).

    Parameters
    ----------
    summary
        A summary from :func:`coverage.outputs.report.summarize`.
    language
        "es" or "en".

    Returns
    -------
    list of str
        With existing sites: how many and of which operators, then, when any position is
        an estimate, that the positions are OpenCelliD estimates; without existing service:
        that every household the plan does not cover counts as unserved.

    Raises
    ------
    ScenarioError
        Unknown language.
    """
    L = labels(language, subdivision_names(summary, language))
    ex = summary.get("existing_service", {})
    if not ex.get("present", False):
        return [L["no_existing_note"]]
    notes = []
    if ex.get("sites", 0):
        operators = ", ".join(ex.get("operators", [])) or "–"
        notes.append(L["existing_summary"].format(n=ex["sites"], operators=operators))
    if ex.get("estimated_sites", 0):
        notes.append(L["existing_estimated_note"])
    return notes


def service_totals_text(summary: Mapping[str, Any], *, language: str = "es") -> str:
    """One line of the households of each shown service class, in total; plain text.

    Parameters
    ----------
    summary
        A summary from :func:`coverage.outputs.report.summarize`.
    language
        "es" or "en".

    Returns
    -------
    str
        E.g. ``"Households: Already served 25 · Newly served 38 · Still unserved 20"`` (the
        first part only when the plan has existing service).

    Raises
    ------
    ScenarioError
        Unknown language.
    """
    L = labels(language, subdivision_names(summary, language))
    show, classes = shown_classes(summary)
    _, parts = shown_counts(summary["totals"], "households", **show)
    shown = " · ".join(f"{L[c]} {fmt_number(p)}" for c, p in zip(classes, parts, strict=True))
    return f"{L['households']}: {shown}"


def _rows(summary: Mapping[str, Any], total_label: str) -> list[tuple[str, Mapping[str, Any]]]:
    """(name, figures) of each vereda, then of the totals."""
    return [(str(r["vereda"]), r) for r in summary["subdivisions"]] + [
        (total_label, summary["totals"])
    ]


def service_table_html(summary: Mapping[str, Any], *, language: str = "es") -> str:
    """The table of households and people by service class, per vereda and in total.

    Parameters
    ----------
    summary
        A summary from :func:`coverage.outputs.report.summarize`.
    language
        "es" or "en".

    Returns
    -------
    str
        ``<table id="service">``: vereda, households, households in each shown class, people,
        people in each shown class (the "already served" columns only when the plan has
        existing service); the last row, of class ``total``, the totals. Each row's parts add
        up to its total (:func:`shown_counts`).

    Raises
    ------
    ScenarioError
        Unknown language.
    """
    L = labels(language, subdivision_names(summary, language))
    e = functools.partial(safe_text, sink="html")
    show, classes = shown_classes(summary)
    heads = [L["vereda"]]
    for unit in ("households", "people"):
        heads += [L[unit], *(f"{L[unit]}: {L[c].lower()}" for c in classes)]
    head = "".join(f"<th>{e(h)}</th>" for h in heads)
    body = []
    rows = _rows(summary, L["total"])
    for i, (name, r) in enumerate(rows):
        cells = []
        for unit in ("households", "people"):
            total, parts = shown_counts(r, unit, **show)
            cells += [fmt_number(total), *(fmt_number(p) for p in parts)]
        tds = "".join(f'<td class="n">{e(c)}</td>' for c in cells)
        cls = ' class="total"' if i == len(rows) - 1 else ""
        body.append(f"<tr{cls}><td>{e(name)}</td>{tds}</tr>")
    return (
        f'<table id="service"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'
    )


def service_chart_html(summary: Mapping[str, Any], *, language: str = "es") -> str:
    """A chart of stacked bars, one per vereda: its households by service class.

    Plain HTML and CSS (:data:`SERVICE_CSS`), no script or image: a bar's length is the
    vereda's households over the largest vereda's, each part coloured as
    :data:`~coverage.outputs.styles.SERVICE_COLORS` and titled with its count.

    Parameters
    ----------
    summary
        A summary from :func:`coverage.outputs.report.summarize`.
    language
        "es" or "en".

    Returns
    -------
    str
        ``<figure id="service-chart">`` with a caption, a key of the shown classes and a
        table of one row per vereda (name, bar, households).

    Raises
    ------
    ScenarioError
        Unknown language.
    """
    L = labels(language, subdivision_names(summary, language))
    e = functools.partial(safe_text, sink="html")
    show, classes = shown_classes(summary)
    largest = max((float(r["households_total"]) for r in summary["subdivisions"]), default=0.0)
    key = "".join(f'<span style="background:{SERVICE_COLORS[c]}"></span>{e(L[c])}' for c in classes)
    rows = []
    for name, r in _rows(summary, L["total"])[:-1]:
        total, parts = shown_counts(r, "households", **show)
        spans = "".join(
            f'<span style="width:{100.0 * float(r[f"households_{c}"]) / largest:.2f}%;'
            f'background:{SERVICE_COLORS[c]}" title="{e(L[c])}: {e(fmt_number(p))}"></span>'
            for c, p in zip(classes, parts, strict=True)
            if largest > 0
        )
        rows.append(
            f'<tr><th>{e(name)}</th><td><div class="bar">{spans}</div></td>'
            f'<td class="n">{e(fmt_number(total))}</td></tr>'
        )
    return (
        f'<figure id="service-chart"><figcaption>{e(L["households_by_service"])}</figcaption>'
        f'<div class="key">{key}</div><table class="bars">{"".join(rows)}</table></figure>'
    )


def service_markdown(summary: Mapping[str, Any], *, language: str = "es") -> list[str]:
    """The service section of the Markdown summary: its heading, notes and table.

    Parameters
    ----------
    summary
        A summary from :func:`coverage.outputs.report.summarize`.
    language
        "es" or "en".

    Returns
    -------
    list of str
        Lines: the heading, the notes (:func:`service_notes`), then a table of households
        per vereda by shown class and the bold total row; names escaped for Markdown.

    Raises
    ------
    ScenarioError
        Unknown language.
    """
    L = labels(language, subdivision_names(summary, language))
    md = functools.partial(safe_text, sink="markdown")
    show, classes = shown_classes(summary)
    lines = ["", f"## {L['service_per_vereda']}", ""]
    lines += [md(n) for n in service_notes(summary, language=language)]
    heads = [L["vereda"], L["households"], *(L[c] for c in classes)]
    lines += ["", "| " + " | ".join(md(h) for h in heads) + " |"]
    lines.append("|---" + "|---:" * (len(heads) - 1) + "|")
    rows = _rows(summary, L["total"])
    for i, (name, r) in enumerate(rows):
        total, parts = shown_counts(r, "households", **show)
        shown = f"**{md(name)}**" if i == len(rows) - 1 else md(name)
        lines.append(f"| {shown} | " + " | ".join(fmt_number(v) for v in (total, *parts)) + " |")
    return lines
