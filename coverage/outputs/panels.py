"""The panels fixed over the web map, as HTML: the title, the plan's warnings and the legend.

:mod:`coverage.outputs.webmap` puts them on the page, over the map. They are plain HTML
fragments with inline styles (no folium here, no stylesheet needed), in the words of
:mod:`coverage.outputs.labels` and the colours of :mod:`coverage.outputs.styles`; every
name and every warning passes :func:`~coverage.outputs.text.safe_text` (``"html"``), so it
shows as the text it is.
"""

from __future__ import annotations

import functools

from coverage.outputs.labels import Labeller, labeller
from coverage.outputs.service import SERVICE_CLASSES, existing_service_summary
from coverage.outputs.styles import (
    EXISTING_SITE_COLOR,
    MARGIN_COLORS,
    ROLE_COLORS,
    SERVICE_COLORS,
    best_server_colors,
    rx_legend,
)
from coverage.outputs.text import safe_text
from coverage.outputs.warningtext import warning_texts
from coverage.outputs.words import plan_words
from coverage.plan import Plan

__all__ = ["panels_html"]


def panels_html(plan: Plan, language: str) -> str:
    """The title, warnings and legend panels of a plan's map, as one HTML fragment.

    Parameters
    ----------
    plan
        The plan: its name, warnings and models are shown.
    language
        "es" or "en".

    Returns
    -------
    str
        ``<div id="coverage-title">`` (top left); then, only when the plan has warnings,
        ``<div id="coverage-warnings" role="alert">`` under the title, a red-edged box
        with the heading and one list item per warning; then ``<div id="coverage-legend">``
        (bottom left, with the models).

    Raises
    ------
    ScenarioError
        Unknown language.
    """
    e = functools.partial(safe_text, sink="html")
    L = labeller(language, plan_words(plan, language))
    title = (
        '<div id="coverage-title" style="position:fixed;top:10px;left:60px;z-index:1000;'
        "background:rgba(255,255,255,.9);padding:4px 10px;font:bold 15px sans-serif;"
        f'border-radius:4px">{e(L("title"))}: {e(plan.heading)}</div>'
    )
    return (
        title + _warnings_panel(warning_texts(plan.warnings, language), L) + _legend_panel(plan, L)
    )


def _warnings_panel(warnings: list[str], L: Labeller) -> str:
    """The box of the warnings under the title, one list item each; "" when there are none."""
    if not warnings:
        return ""
    e = functools.partial(safe_text, sink="html")
    items = "".join(f"<li>{e(w)}</li>" for w in warnings)
    return (
        '<div id="coverage-warnings" role="alert" style="position:fixed;top:48px;left:60px;'
        "z-index:1000;max-width:45%;background:#fff4e5;color:#990000;border:2px solid #bb0000;"
        'padding:6px 10px;font:13px sans-serif;border-radius:4px">'
        f"<b>⚠ {e(L('warnings_heading'))}</b>"
        f'<ul style="margin:4px 0 0 18px;padding:0">{items}</ul></div>'
    )


def _legend_panel(plan: Plan, L: Labeller) -> str:
    """The legend: signal classes (the service threshold marked), best-server colours, site
    roles, existing sites (when the plan has them), link margins, demand by service class,
    and the models."""
    e = functools.partial(safe_text, sink="html")
    swatch = (
        '<i style="display:inline-block;width:12px;height:12px;background:{};margin-right:4px"></i>'
    )
    rows = [f"<b>{e(L('rx_dbm'))}</b>"]
    line = '<i style="display:inline-block;width:12px;border-top:2px solid #000;margin:0 4px 3px 0"></i>'
    for rgb, text in rx_legend(plan, L("service_threshold")):
        rows.append(
            (line if rgb is None else swatch.format("rgb({},{},{})".format(*rgb))) + e(text)
        )
    ids = list(plan.access_sites["site_id"].astype(str))
    if ids:  # the best-server layer's colours (hidden at first), one per access site
        rows.append(f"<b>{e(L('best_server'))}</b>")
        rows.append(
            " ".join(
                swatch.format("rgb({},{},{})".format(*c)) + e(i)
                for i, c in zip(ids, best_server_colors(len(ids)), strict=True)
            )
        )
    rows.append(f"<b>{e(L('sites'))}</b>")
    rows += [swatch.format(c) + e(L(role)) for role, c in ROLE_COLORS.items()]
    existing = existing_service_summary(plan)
    if existing["sites"]:
        ring = (
            '<i style="display:inline-block;width:10px;height:10px;border-radius:50%;'
            'border:3px {} {};margin-right:4px"></i>'
        )
        rows.append(ring.format("solid", EXISTING_SITE_COLOR) + e(L("existing_sites")))
        if existing["estimated_sites"]:
            rows.append(ring.format("dashed", EXISTING_SITE_COLOR) + e(L("dashed_estimated")))
    rows.append(f"<b>{e(L('margin_db'))}</b>")
    dash = '<i style="display:inline-block;width:14px;border-top:3px {} {};margin:0 4px 3px 0"></i>'
    rows += [
        dash.format("solid", MARGIN_COLORS["good"]) + "≥ 10",
        dash.format("dashed", MARGIN_COLORS["fair"]) + "0 … 10",
        dash.format("dotted", MARGIN_COLORS["bad"]) + "&lt; 0",
    ]
    rows.append(f"<b>{e(L('demand'))}: {e(L('service').lower())}</b>")
    classes = SERVICE_CLASSES if existing["present"] else SERVICE_CLASSES[1:]
    rows += [swatch.format(SERVICE_COLORS[c]) + e(L(c)) for c in classes]
    if "signal_covered" in plan.demand.columns:
        v = plan.scenario.service
        rows.append(
            '<span style="font-size:11px">'
            + e(
                L("served_means").format(
                    dl=v.household_downlink_mbps, ul=v.household_uplink_mbps,
                    sdl=v.school_downlink_mbps, sul=v.school_uplink_mbps, loc=v.location_pct,
                )
            )
            + "</span>"
        )  # fmt: skip
    models = "; ".join(f"{k}: {v}" for k, v in plan.models.items())
    return (
        '<div id="coverage-legend" style="position:fixed;bottom:50px;left:10px;z-index:1000;'
        "background:rgba(255,255,255,.92);padding:8px 10px;font:12px sans-serif;"
        f'border-radius:4px;max-width:260px;max-height:55vh;overflow-y:auto;line-height:1.5"><b>{e(L("legend"))}</b><br>'
        + "<br>".join(rows)
        + f'<div style="margin-top:4px;font-size:10px;color:#555">{e(L("models"))}: {e(models)}'
        "</div></div>"
    )
