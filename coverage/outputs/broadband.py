"""Usable broadband at the busy hour: what the summary, gap report and Markdown say of it.

A plan made by the pipeline states, per demand point, whether the signal alone reaches it
(``signal_covered``: downlink power at the threshold) and whether it is **served** under the
service definition (``covered``: downlink and uplink rates met at the stated reliability,
SINR with the plan's frequency plan, and room at its site at the busy hour; see
:mod:`coverage.pipeline.broadband`), with its SINR, uplink SNR and busy-hour rates; and per
access site, its carrier, load and capacity. This module turns those columns into figures
(:func:`broadband_figures` per group of points, :func:`broadband_summary` for the plan) and
into the gap report's and the Markdown summary's tables. A plan without those columns (a
hand-built plan) has no broadband section.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from coverage.outputs.labels import fmt_number, fmt_share, label, labels
from coverage.outputs.text import safe_text
from coverage.outputs.words import blank_name, plan_words, shown_rows, subdivision_names
from coverage.plan import Plan

__all__ = [
    "SITE_FIGURES",
    "broadband_figures",
    "broadband_html",
    "broadband_markdown",
    "broadband_summary",
    "has_broadband",
    "weighted_quantile",
]

#: The access sites' busy-hour columns the summary carries, in order.
SITE_FIGURES = (
    "carrier",
    "households_served",
    "offered_downlink_mbps",
    "carried_downlink_mbps",
    "capacity_downlink_mbps",
    "downlink_share",
    "uplink_share",
    "households_over_capacity",
    "median_sinr_db",
)


def has_broadband(demand: pd.DataFrame) -> bool:
    """Whether a demand table carries the broadband columns the pipeline writes.

    Parameters
    ----------
    demand
        A plan's demand table.

    Returns
    -------
    bool
        True when ``signal_covered``, ``sinr_db`` and ``downlink_busy_hour_mbps`` are there.
    """
    return {"signal_covered", "sinr_db", "downlink_busy_hour_mbps"} <= set(demand.columns)


def _weighted_mean(values: pd.Series, weights: pd.Series) -> float | None:
    w = weights.to_numpy(dtype=np.float64)
    v = values.to_numpy(dtype=np.float64)
    ok = np.isfinite(v) & (w > 0)
    return float(np.average(v[ok], weights=w[ok])) if ok.any() else None


def weighted_quantile(values: ArrayLike, weights: ArrayLike, q: float) -> float | None:
    """The weighted ``q`` quantile of ``values``: the first value, in ascending order, at
    which the cumulative weight reaches ``q`` of the total.

    Parameters
    ----------
    values
        Values (any unit); NaN and infinite ones are left out.
    weights
        One weight (>= 0) per value; values of weight 0 are left out.
    q
        The quantile, 0-1 (0.5: the median).

    Returns
    -------
    float or None
        The quantile; None when no value is left.
    """
    v = np.asarray(values, dtype=np.float64).ravel()
    w = np.asarray(weights, dtype=np.float64).ravel()
    ok = np.isfinite(v) & (w > 0)
    if not ok.any():
        return None
    order = np.argsort(v[ok], kind="stable")
    cum = np.cumsum(w[ok][order])
    return float(v[ok][order][np.searchsorted(cum, q * cum[-1])])


def _weighted_median(values: pd.Series, weights: pd.Series) -> float | None:
    return weighted_quantile(values.to_numpy(), weights.to_numpy(), 0.5)


def broadband_figures(demand: pd.DataFrame) -> dict[str, Any]:
    """Signal-only against served, SINR and busy-hour rates of a group of demand points.

    Parameters
    ----------
    demand
        Demand points with ``population``, ``households``, ``covered``, ``signal_covered``,
        ``sinr_db`` (dB), ``uplink_snr_db`` (dB, optional), ``downlink_busy_hour_mbps`` and
        ``uplink_busy_hour_mbps`` (Mbps).

    Returns
    -------
    dict
        ``people_signal_covered``, ``households_signal_covered``,
        ``share_people_signal_covered`` (the old, downlink-signal-only count),
        ``median_sinr_db`` and ``median_uplink_snr_db`` (people-weighted, over points some
        site reaches; None when none), ``downlink_busy_hour_mbps`` and
        ``uplink_busy_hour_mbps`` (the mean rate an active household of the served points
        gets at the busy hour, household-weighted; None when none is served).
    """
    pop = demand["population"].astype(float)
    hh = demand["households"].astype(float)
    signal = demand["signal_covered"].astype(bool)
    served = demand["covered"].astype(bool) & (demand["kind"] != "school")
    total = float(pop.sum())
    uplink = demand["uplink_snr_db"] if "uplink_snr_db" in demand else pd.Series(np.nan)
    return {
        "people_signal_covered": float(pop[signal].sum()),
        "households_signal_covered": float(hh[signal].sum()),
        "share_people_signal_covered": float(pop[signal].sum()) / total if total > 0 else None,
        "median_sinr_db": _weighted_median(demand["sinr_db"], pop),
        "median_uplink_snr_db": _weighted_median(uplink, pop)
        if "uplink_snr_db" in demand
        else None,
        "downlink_busy_hour_mbps": _weighted_mean(
            demand.loc[served, "downlink_busy_hour_mbps"], hh[served]
        ),
        "uplink_busy_hour_mbps": _weighted_mean(
            demand.loc[served, "uplink_busy_hour_mbps"], hh[served]
        )
        if "uplink_busy_hour_mbps" in demand
        else None,
    }


def _sinr_spread(demand: pd.DataFrame) -> dict[str, Any]:
    """People-weighted 5th percentile of SINR (dB) and the share of people below 0 dB."""
    pop = demand["population"].to_numpy(dtype=np.float64)
    sinr = demand["sinr_db"].to_numpy(dtype=np.float64)
    ok = np.isfinite(sinr) & (pop > 0)
    if not ok.any():
        return {"p5_sinr_db": None, "share_people_below_0_db": None}
    p5 = weighted_quantile(sinr, pop, 0.05)
    return {
        "p5_sinr_db": p5,
        "share_people_below_0_db": float(pop[ok][sinr[ok] < 0].sum() / pop[ok].sum()),
    }


def _site_rows(plan: Plan) -> list[dict[str, Any]]:
    """One row per access site: its carrier, load and capacity at the busy hour."""
    sites = plan.sites
    access = sites[sites["role"] == "access"]
    cols = [c for c in SITE_FIGURES if c in access.columns]
    rows = []
    for r in access.itertuples():
        row: dict[str, Any] = {"site_id": str(r.site_id), "name": str(r.name)}
        row.update({c: getattr(r, c) for c in cols})
        rows.append(row)
    return rows


def _school_rows(demand: pd.DataFrame, outside: str) -> list[dict[str, Any]]:
    """One row per school: served, its SINR and the rates it gets at the busy hour (its
    sub-district ``outside``, the outside row's name, when it lies in none)."""
    schools = demand[demand["kind"] == "school"]
    return [
        {
            "name": str(r.name),
            "vereda": outside if blank_name(r.vereda) else str(r.vereda),
            "covered": bool(r.covered),
            "signal_covered": bool(r.signal_covered),
            "sinr_db": r.sinr_db,
            "downlink_busy_hour_mbps": r.downlink_busy_hour_mbps,
            "uplink_busy_hour_mbps": getattr(r, "uplink_busy_hour_mbps", None),
        }
        for r in schools.itertuples()
    ]


def broadband_summary(plan: Plan) -> dict[str, Any] | None:
    """The plan's broadband figures: totals, the definition, sites and schools at the busy hour.

    Parameters
    ----------
    plan
        A plan whose demand has the broadband columns (:func:`has_broadband`).

    Returns
    -------
    dict or None
        ``definition`` (the service definition in words, from the plan's models), ``totals``
        (:func:`broadband_figures` of every point, plus ``p5_sinr_db`` and
        ``share_people_below_0_db``), ``sites`` (one row per access site:
        :data:`SITE_FIGURES`) and ``schools``; None for a plan without the columns.
    """
    if not has_broadband(plan.demand):
        return None
    return {
        "definition": str(plan.models.get("service", "")),
        "totals": {**broadband_figures(plan.demand), **_sinr_spread(plan.demand)},
        "sites": _site_rows(plan),
        "schools": _school_rows(
            plan.demand, label("outside_subdivision", "es", plan_words(plan, "es"))
        ),
    }


def _cells(row: Mapping[str, Any]) -> list[str]:
    """A vereda's (or the total's) broadband cells: served and signal-only, SINR, rates."""
    return [
        fmt_share(row.get("share_people_covered")),
        fmt_share(row.get("share_people_signal_covered")),
        fmt_number(row.get("median_sinr_db"), 1),
        fmt_number(row.get("median_uplink_snr_db"), 1),
        fmt_number(row.get("downlink_busy_hour_mbps"), 1),
        fmt_number(row.get("uplink_busy_hour_mbps"), 1),
    ]


def _site_cells(row: Mapping[str, Any]) -> list[str]:
    return [
        str(row.get("site_id", "")),
        fmt_number(row.get("carrier")),
        fmt_number(row.get("households_served")),
        fmt_number(row.get("offered_downlink_mbps"), 1),
        fmt_number(row.get("capacity_downlink_mbps"), 1),
        fmt_share(row.get("downlink_share")),
        fmt_share(row.get("uplink_share")),
        fmt_number(row.get("households_over_capacity")),
        fmt_number(row.get("median_sinr_db"), 1),
    ]


def _school_cells(row: Mapping[str, Any], L: Mapping[str, str]) -> list[str]:
    return [
        str(row.get("name", "")),
        str(row.get("vereda", "")),
        L["yes"] if row.get("covered") else L["no"],
        L["yes"] if row.get("signal_covered") else L["no"],
        fmt_number(row.get("sinr_db"), 1),
        fmt_number(row.get("downlink_busy_hour_mbps"), 1),
        fmt_number(row.get("uplink_busy_hour_mbps"), 1),
    ]


def _school_heads(L: Mapping[str, str]) -> list[str]:
    return [
        L["school"],
        L["vereda"],
        L["bb_served"],
        L["bb_signal"],
        L["bb_sinr_point"],
        L["bb_school_dl"],
        L["bb_school_ul"],
    ]


def _heads(L: Mapping[str, str]) -> tuple[list[str], list[str]]:
    vereda = [
        L["vereda"],
        L["bb_served_share"],
        L["bb_signal_share"],
        L["bb_sinr"],
        L["bb_uplink_snr"],
        L["bb_dl_rate"],
        L["bb_ul_rate"],
    ]
    site = [
        L["site"],
        L["bb_carrier"],
        L["households"],
        L["bb_offered"],
        L["bb_capacity"],
        L["bb_dl_load"],
        L["bb_ul_load"],
        L["bb_over_capacity"],
        L["bb_sinr"],
    ]
    return vereda, site


def broadband_html(summary: Mapping[str, Any], *, language: str = "es") -> str:
    """The gap report's broadband section: definition, table per vereda, table per site.

    Parameters
    ----------
    summary
        A summary from :func:`coverage.outputs.report.summarize`.
    language
        "es" or "en".

    Returns
    -------
    str
        HTML (``<table id="broadband">`` per vereda, ``<table id="site-load">`` per site and
        ``<table id="school-rates">`` per school); "" when the summary has no broadband
        figures.
    """
    bb = summary.get("broadband")
    if not bb:
        return ""
    L = labels(language, subdivision_names(summary, language))
    e = functools.partial(safe_text, sink="html")
    vhead, shead = _heads(L)

    def _tr(cells: list[str], cls: str = "") -> str:
        tds = "".join(f'<td class="n">{e(c)}</td>' for c in cells[1:])
        return f'<tr class="{cls}"><td>{e(cells[0])}</td>{tds}</tr>'

    rows = [_tr([r["vereda"], *_cells(r)]) for r in shown_rows(summary, L)]
    rows.append(_tr([L["total"], *_cells(summary["totals"])], "total"))
    site_rows = [_tr(_site_cells(r)) for r in bb["sites"]]
    school_rows = [_tr(_school_cells(r, L)) for r in bb["schools"]]

    def _th(heads: list[str]) -> str:
        return "".join(f"<th>{e(h)}</th>" for h in heads)

    spread = L["bb_spread"].format(
        p5=fmt_number(bb["totals"].get("p5_sinr_db"), 1),
        below=fmt_share(bb["totals"].get("share_people_below_0_db")),
    )
    return (
        f'<h2>{e(L["bb_title"])}</h2>\n<p class="note">{e(L["bb_definition"])}: '
        f'{e(bb["definition"])}</p>\n<p class="note">{e(spread)}</p>\n'
        f'<table id="broadband"><thead><tr>{_th(vhead)}</tr></thead><tbody>{"".join(rows)}'
        f"</tbody></table>\n<h3>{e(L['bb_sites'])}</h3>\n"
        f'<table id="site-load"><thead><tr>{_th(shead)}</tr></thead><tbody>'
        f"{''.join(site_rows)}</tbody></table>\n<h3>{e(L['bb_schools'])}</h3>\n"
        f'<table id="school-rates"><thead><tr>{_th(_school_heads(L))}</tr></thead><tbody>'
        f"{''.join(school_rows)}</tbody></table>\n"
    )


def broadband_markdown(summary: Mapping[str, Any], *, language: str = "es") -> list[str]:
    """The Markdown summary's broadband section: definition, table per vereda, per site.

    Parameters
    ----------
    summary
        A summary from :func:`coverage.outputs.report.summarize`.
    language
        "es" or "en".

    Returns
    -------
    list of str
        Lines of Markdown; none when the summary has no broadband figures.
    """
    bb = summary.get("broadband")
    if not bb:
        return []
    L = labels(language, subdivision_names(summary, language))
    md = functools.partial(safe_text, sink="markdown")
    vhead, shead = _heads(L)

    def _table(head: list[str], rows: list[list[str]]) -> list[str]:
        out = ["| " + " | ".join(md(h) for h in head) + " |"]
        out.append("|" + "---|" * len(head))
        out += ["| " + " | ".join(md(c) for c in r) + " |" for r in rows]
        return out

    veredas = [[r["vereda"], *_cells(r)] for r in shown_rows(summary, L)]
    veredas.append([L["total"], *_cells(summary["totals"])])
    lines = [f"## {L['bb_title']}", "", f"{L['bb_definition']}: {md(bb['definition'])}", ""]
    lines += [*_table(vhead, veredas), "", f"### {L['bb_sites']}", ""]
    lines += [*_table(shead, [_site_cells(r) for r in bb["sites"]]), ""]
    lines += [f"### {L['bb_schools']}", ""]
    lines += [*_table(_school_heads(L), [_school_cells(r, L) for r in bb["schools"]]), ""]
    return lines
