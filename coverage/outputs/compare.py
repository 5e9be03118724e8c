"""Comparing plans and sweeping a parameter: tables, a difference map, a cost-coverage curve.

For the planner in a notebook: :func:`compare` puts two plans' figures side by side,
:func:`compare_veredas` does it per vereda, :func:`coverage_change` and
:func:`difference_figure` show where coverage was gained or lost, and :func:`sweep` runs a
function that makes a plan for each value of a parameter (budget in sites, technology,
mast height, k-factor, DEM error...) and tabulates cost against coverage, which
:func:`cost_coverage_figure` plots. :func:`sweep_cost_band` plans each budget under the low,
central and high prices of the cost items, and :func:`cost_band_figure` draws the central
cost-coverage curve inside the band the prices span. The figures are built under
:data:`~coverage.outputs.text.MATPLOTLIB_TEXT_RC`, so a ``$`` in a plan's name is printed.
"""

from __future__ import annotations

import logging
import textwrap
import time
from collections.abc import Callable, Iterable
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter
from numpy.typing import NDArray

from coverage.errors import InputError
from coverage.outputs.labels import fmt_share, label
from coverage.outputs.report import summarize
from coverage.outputs.styles import hillshade
from coverage.outputs.text import MATPLOTLIB_TEXT_RC, safe_text
from coverage.plan import Plan

__all__ = [
    "compare",
    "compare_veredas",
    "cost_band_figure",
    "cost_coverage_figure",
    "coverage_change",
    "difference_figure",
    "plan_figures",
    "sweep",
    "sweep_cost_band",
]

log = logging.getLogger(__name__)

#: The price cases of the cost items (:mod:`coverage.planning.costbook`), cheapest first.
PRICE_CASES = ("low", "central", "high")

#: Codes of :func:`coverage_change`.
CHANGE_NONE, CHANGE_LOST, CHANGE_GAINED, CHANGE_BOTH = 0, 1, 2, 3
_CHANGE_COLORS = {
    CHANGE_LOST: ("#d73027", "lost"),
    CHANGE_GAINED: ("#1a9850", "gained"),
    CHANGE_BOTH: ("#9ecae1", "both"),
}


def _num(x: Any) -> float:
    """``x`` as a float, None as NaN."""
    return float("nan") if x is None else float(x)


def plan_figures(plan: Plan) -> dict[str, float]:
    """The headline figures of one plan, as a flat mapping of metric -> number.

    Keys: ``people_covered``, ``people_total``, ``share_people_covered`` (by the plan's
    sites), ``share_people_served`` (with any service: existing cells, the plan's sites or a
    satellite terminal; 1 minus the unserved share), ``people_served_satellite``,
    ``households_covered``, ``households_served`` (with any service),
    ``households_served_satellite``, ``satellite_terminals`` (one a household connected by
    satellite), ``people_served_hotspot``, ``households_served_hotspot`` (within a walk of a
    built public Wi-Fi hotspot), ``hotspots``, ``schools_covered``, ``schools_total``, ``cost_usd`` (total cost of
    ownership), ``cost_capex_usd``,
    ``cost_opex_usd_per_year``, ``cost_assumption_share`` (share of the cost whose price is
    an ASSUMPTION), ``cost_per_person_usd`` (NaN when nobody is covered), ``sites_access``,
    ``sites_relay``, ``links``, ``min_link_margin_db``, ``covered_area_km2`` (the cells
    where the best server reaches the service threshold, :meth:`Plan.signal_cells
    <coverage.plan.Plan.signal_cells>`).

    Parameters
    ----------
    plan
        The plan to measure.

    Returns
    -------
    dict
        Metric name -> value (people, households, schools as counts, the shares in 0-1,
        costs in USD, opex in USD a year, the margin in dB, the area in km²); NaN where
        :func:`summarize` has None or lacks the figure (a plan without cost items has no
        capex, opex or assumption share).
    """
    s = summarize(plan)
    t, cost = s["totals"], s["cost"]
    cell_km2 = plan.terrain.cell_size_m**2 / 1e6
    total = _num(t["people_total"])
    unserved = _num(t.get("people_unserved"))
    return {
        "people_covered": _num(t["people_covered"]),
        "people_total": total,
        "share_people_covered": _num(t["share_people_covered"]),
        "share_people_served": 1.0 - unserved / total if total > 0 else float("nan"),
        "people_served_satellite": _num(t.get("people_served_satellite")),
        "households_covered": _num(t["households_covered"]),
        "households_served": _num(t["households_total"]) - _num(t.get("households_unserved")),
        "households_served_satellite": _num(t.get("households_served_satellite")),
        "satellite_terminals": _num(cost.get("satellite_terminals")),
        "people_served_hotspot": _num(t.get("people_served_hotspot")),
        "households_served_hotspot": _num(t.get("households_served_hotspot")),
        "hotspots": _num(cost.get("hotspots")),
        "schools_covered": _num(t["schools_covered"]),
        "schools_total": _num(t["schools_total"]),
        "cost_usd": _num(cost["total_usd"]),
        "cost_capex_usd": _num(cost.get("capex_usd")),
        "cost_opex_usd_per_year": _num(cost.get("opex_usd_per_year")),
        "cost_assumption_share": _num(cost.get("assumption_share")),
        "cost_per_person_usd": _num(cost["per_person_covered_usd"]),
        "sites_access": _num(s["sites"]["access"]),
        "sites_relay": _num(s["sites"]["relay"]),
        "links": _num(s["backhaul"]["links"]),
        "min_link_margin_db": _num(s["backhaul"]["min_margin_db"]),
        "covered_area_km2": float(_signal_cells(plan).sum()) * cell_km2,
    }


def _signal_cells(plan: Plan) -> NDArray[np.bool_]:
    """The cells at or above the plan's service threshold; a plan that states none (hand-built)
    counts every cell with a signal, and the log says so."""
    if plan.threshold_dbm is None:
        log.warning(
            "Plan %r states no service threshold (threshold_dbm): its covered area counts "
            "every cell with a signal, not only those at the threshold.",
            plan.name,
        )
    return plan.signal_cells()


def _names(plan_a: Plan, plan_b: Plan) -> tuple[str, str]:
    a, b = safe_text(plan_a.name), safe_text(plan_b.name)
    return (a, b) if a != b else (f"{a} (A)", f"{b} (B)")


def compare(plan_a: Plan, plan_b: Plan) -> pd.DataFrame:
    """Side-by-side figures of two plans.

    Parameters
    ----------
    plan_a, plan_b
        The plans to compare; a plan's name gets " (A)" / " (B)" when the two names are
        equal.

    Returns
    -------
    pandas.DataFrame
        One row per metric of :func:`plan_figures`; columns the two plans' names and
        ``difference`` (B minus A).
    """
    fa, fb = plan_figures(plan_a), plan_figures(plan_b)
    na, nb = _names(plan_a, plan_b)
    table = pd.DataFrame({na: fa, nb: fb})
    table["difference"] = table[nb] - table[na]
    table.index.name = "metric"
    return table


def compare_veredas(plan_a: Plan, plan_b: Plan) -> pd.DataFrame:
    """People and schools covered per vereda in two plans, and the difference (B - A).

    Parameters
    ----------
    plan_a, plan_b
        As for :func:`compare`.

    Returns
    -------
    pandas.DataFrame
        One row per vereda of either plan (index ``vereda``): columns
        ``people_covered <name>`` and ``schools_covered <name>`` for each plan (0 where a
        plan lacks the vereda), ``people_difference`` and ``schools_difference``.
    """
    na, nb = _names(plan_a, plan_b)
    rows: dict[str, dict[str, float]] = {}
    for name, plan in ((na, plan_a), (nb, plan_b)):
        for v in summarize(plan)["subdivisions"]:
            r = rows.setdefault(v["vereda"], {})
            r[f"people_covered {name}"] = float(v["people_covered"])
            r[f"schools_covered {name}"] = float(v["schools_covered"])
    table = pd.DataFrame.from_dict(rows, orient="index").fillna(0.0)
    table["people_difference"] = table[f"people_covered {nb}"] - table[f"people_covered {na}"]
    table["schools_difference"] = table[f"schools_covered {nb}"] - table[f"schools_covered {na}"]
    table.index.name = "vereda"
    return table


def _same_grid(plan_a: Plan, plan_b: Plan) -> None:
    ta, tb = plan_a.terrain, plan_b.terrain
    if ta.shape != tb.shape or ta.transform != tb.transform or ta.crs != tb.crs:
        msg = (
            f"Plans {plan_a.name!r} and {plan_b.name!r} are on different grids "
            f"({ta.shape} vs {tb.shape}, {ta.cell_size_m:g} m vs {tb.cell_size_m:g} m): "
            "run both on the same terrain (same area, margin and resolution) to compare maps."
        )
        raise InputError(msg)


def coverage_change(plan_a: Plan, plan_b: Plan) -> tuple[NDArray[np.uint8], NDArray[np.float32]]:
    """Where coverage changes from plan A to plan B, on their common grid.

    A cell counts as covered by a plan where its best server reaches the plan's service
    threshold (:meth:`Plan.signal_cells <coverage.plan.Plan.signal_cells>`; any signal for
    a hand-built plan without :attr:`~coverage.plan.Plan.threshold_dbm`).

    Parameters
    ----------
    plan_a, plan_b
        The plans before (A) and after (B); on the same terrain grid.

    Returns
    -------
    change, delta_db
        ``change`` per cell: 0 covered by neither, 1 only by A (lost), 2 only by B
        (gained), 3 by both; ``delta_db`` is B's minus A's received power (dB) where both
        cover, NaN elsewhere.

    Raises
    ------
    InputError
        The plans are not on the same terrain grid.
    """
    _same_grid(plan_a, plan_b)
    a = _signal_cells(plan_a)
    b = _signal_cells(plan_b)
    change = (a & ~b) * CHANGE_LOST + (~a & b) * CHANGE_GAINED + (a & b) * CHANGE_BOTH
    with np.errstate(invalid="ignore"):
        delta = np.where(a & b, plan_b.coverage_dbm - plan_a.coverage_dbm, np.nan)
    return change.astype(np.uint8), delta.astype(np.float32)


def difference_figure(plan_a: Plan, plan_b: Plan, *, language: str = "es") -> Figure:
    """Map of the coverage change from plan A to plan B over the hillshade.

    Cells covered by both show the received power gained or lost (dB, B minus A); cells only
    one plan covers are coloured as lost or gained (see :func:`coverage_change`: covered is
    at the service threshold, which the title states); the legend gives each kind's cells
    and area (km²); both plans' access sites are marked.

    Parameters
    ----------
    plan_a, plan_b
        As for :func:`coverage_change`.
    language
        "es" or "en", for the title.

    Returns
    -------
    matplotlib.figure.Figure
        The map.

    Raises
    ------
    InputError
        The plans are not on the same terrain grid.
    ScenarioError
        Unknown language.
    """
    change, delta = coverage_change(plan_a, plan_b)
    t = plan_a.terrain
    cell_km2 = t.cell_size_m**2 / 1e6
    xmin, ymin, xmax, ymax = t.bounds
    extent = (xmin, xmax, ymin, ymax)
    with plt.rc_context(MATPLOTLIB_TEXT_RC):
        fig, ax = plt.subplots(figsize=(8, 7), layout="constrained")
        ax.imshow(hillshade(t.elevation_m, t.cell_size_m), cmap="gray", extent=extent)
        rgba = np.zeros((*change.shape, 4))
        handles = []
        for code, (color, text) in _CHANGE_COLORS.items():
            rgb = tuple(int(color[i : i + 2], 16) / 255.0 for i in (1, 3, 5))
            rgba[change == code] = (*rgb, 0.6)
            n = int((change == code).sum())
            handles.append(Patch(color=color, label=f"{text}: {n} cells, {n * cell_km2:.4g} km²"))
        rgba[change == CHANGE_BOTH] = 0.0  # drawn as the dB difference below
        both = change == CHANGE_BOTH
        if both.any():
            span = float(np.nanpercentile(np.abs(delta[both]), 98)) or 1.0
            im = ax.imshow(
                np.where(both, delta, np.nan),
                extent=extent,
                cmap="RdBu",
                vmin=-span,
                vmax=span,
                alpha=0.75,
                interpolation="nearest",
            )
            fig.colorbar(im, ax=ax, shrink=0.7, label="Δ dB (B − A)")
        ax.imshow(rgba, extent=extent, interpolation="nearest")
        for plan, marker in ((plan_a, "x"), (plan_b, "+")):
            acc = plan.access_sites
            ax.scatter(acc.geometry.x, acc.geometry.y, marker=marker, s=60, c="black")
        na, nb = _names(plan_a, plan_b)
        thresholds = sorted(
            {p.threshold_dbm for p in (plan_a, plan_b) if p.threshold_dbm is not None}
        )
        at = f" (≥ {' / '.join(f'{t:g}' for t in thresholds)} dBm)" if thresholds else ""
        title = safe_text(f"{label('coverage_best', language)}: {na} → {nb}{at}", "matplotlib")
        ax.set_title(title, fontsize=10)
        ax.legend(handles=handles, loc="lower right", fontsize=8)
        ax.set_xticks([])
        ax.set_yticks([])
    return fig


def sweep(
    run: Callable[[Any], Plan],
    values: Iterable[Any],
    *,
    parameter: str = "value",
) -> pd.DataFrame:
    """Run ``run(value)`` for each value and tabulate each plan's figures.

    Parameters
    ----------
    run
        Makes one plan from one parameter value (e.g. ``lambda n: plan_coverage(scenario
        with budget n)``).
    values
        The values to try, in order.
    parameter
        Name of the swept parameter (the first column).

    Returns
    -------
    pandas.DataFrame
        One row per value: the parameter, the plan's name, the metrics of
        :func:`plan_figures`, and ``seconds`` (wall time of ``run``).
    """
    rows = []
    for value in values:
        t0 = time.perf_counter()
        plan = run(value)
        seconds = time.perf_counter() - t0
        rows.append({parameter: value, "plan": plan.name, **plan_figures(plan), "seconds": seconds})
        log.info(
            "sweep %s=%s: %.0f people covered in %.2f s",
            parameter,
            value,
            rows[-1]["people_covered"],
            seconds,
        )
    return pd.DataFrame(rows)


def cost_coverage_figure(
    table: pd.DataFrame,
    *,
    parameter: str | None = None,
    language: str = "es",
) -> Figure:
    """Cost-coverage curve of a :func:`sweep` table: share of people covered against cost.

    Points are labelled with the swept parameter's value (the table's first column unless
    ``parameter`` is given); a second axis shows schools covered.

    Parameters
    ----------
    table
        A table of :func:`sweep` (columns ``cost_usd``, ``share_people_covered``,
        ``schools_covered`` and the parameter's).
    parameter
        The column that labels the points; None: the first column.
    language
        "es" or "en", for the axis labels.

    Returns
    -------
    matplotlib.figure.Figure
        The curve, cost (USD) on the x axis and share of people covered (%) on the y axis.

    Raises
    ------
    ScenarioError
        Unknown language.
    """
    param = parameter or str(table.columns[0])
    data = table.sort_values("cost_usd")
    with plt.rc_context(MATPLOTLIB_TEXT_RC):
        fig, ax = plt.subplots(figsize=(7, 4.5), layout="constrained")
        share = 100.0 * data["share_people_covered"].to_numpy(dtype=float)
        cost = data["cost_usd"].to_numpy(dtype=float)
        ax.plot(cost, share, "o-", color="#1f4e9e", label=label("people", language))
        for x, y, v in zip(cost, share, data[param], strict=True):
            ax.annotate(
                safe_text(f"{param}={v}", "matplotlib"),
                (x, y),
                xytext=(4, -10),
                textcoords="offset points",
                fontsize=7,
            )
        ax.set_xlabel(label("cost", language))
        ax.set_ylabel(f"{label('share', language)} (%)")
        ax.set_ylim(0, 100)
        ax2 = ax.twinx()
        ax2.plot(
            cost,
            data["schools_covered"].to_numpy(dtype=float),
            "s--",
            color="#1a9850",
            label=label("schools", language),
        )
        ax2.set_ylabel(f"{label('schools', language)} {label('covered', language).lower()}")
        ax2.set_ylim(bottom=0)
        lines = ax.get_legend_handles_labels()[0] + ax2.get_legend_handles_labels()[0]
        ax.legend(lines, [str(h.get_label()) for h in lines], loc="lower right", fontsize=8)
        ax.grid(alpha=0.3)
    return fig


def sweep_cost_band(
    run: Callable[[str, float], Plan],
    budgets: Iterable[float],
    cases: Iterable[str] = PRICE_CASES,
    *,
    parameter: str = "budget_usd",
) -> pd.DataFrame:
    """Plan every budget under every price case: the table of a cost-coverage band.

    Parameters
    ----------
    run
        Makes one plan from a price case and a budget (USD, total cost of ownership), e.g.
        ``lambda case, b: plan_coverage(scenario.replace(costs={"case": case},
        placement={"budget_usd": b}))``.
    budgets
        The budgets to plan (USD, total cost of ownership over ``[costs] years``), in order.
    cases
        The price cases, each a ``[costs] case`` ("low", "central" or "high").
    parameter
        Name of the budget column.

    Returns
    -------
    pandas.DataFrame
        One row per case and budget, the cases in the given order and the budgets within
        each: ``case``, the budget, ``plan`` (its name), the metrics of :func:`plan_figures`
        and ``seconds`` (wall time of ``run``).

    Raises
    ------
    InputError
        No budget or no case to plan.
    """
    budgets, cases = [float(b) for b in budgets], [str(c) for c in cases]
    if not budgets or not cases:
        msg = f"A cost band needs budgets and price cases; got {budgets} and {cases}."
        raise InputError(msg)
    pairs = [(case, b) for case in cases for b in budgets]
    pair = f"(case, {parameter})"
    table = sweep(lambda p: run(*p), pairs, parameter=pair)
    table.insert(0, parameter, [b for _, b in pairs])
    table.insert(0, "case", [c for c, _ in pairs])
    return table.drop(columns=pair)


def cost_band_figure(
    table: pd.DataFrame,
    *,
    parameter: str = "budget_usd",
    metric: str = "share_people_served",
    language: str = "es",
) -> Figure:
    """Cost-coverage band of a :func:`sweep_cost_band` table: coverage against budget.

    The central prices' curve is a line with markers; the shaded band spans, at each budget,
    the lowest to the highest value over all the price cases (low prices usually buy more
    coverage for a budget, so the band's top is the low case's curve). The title says which
    share of the plans' cost rests on ASSUMED prices.

    Parameters
    ----------
    table
        A table of :func:`sweep_cost_band` (columns ``case``, the budget's, the metric's
        and ``cost_assumption_share``); it needs rows of case "central".
    parameter
        The budget column (USD, total cost of ownership).
    metric
        The share (0-1) on the y axis: ``share_people_served`` (people with any service)
        or ``share_people_covered`` (by the plan's sites).
    language
        "es" or "en", for the labels and the title.

    Returns
    -------
    matplotlib.figure.Figure
        The band, the budget (USD) on the x axis and the share of people (%) on the y axis.

    Raises
    ------
    InputError
        The table has no row of the central prices.
    ScenarioError
        Unknown language.
    """
    central = table[table["case"] == "central"].sort_values(parameter)
    if central.empty:
        msg = f"A cost band needs the central prices; the table has cases {sorted(set(table['case']))}."
        raise InputError(msg)
    band = table.groupby(parameter)[metric].agg(["min", "max"]).sort_index()
    assumed = table["cost_assumption_share"].dropna() if "cost_assumption_share" in table else None
    if assumed is not None and len(assumed):
        title = label("prices_assumed", language).format(share=fmt_share(float(assumed.max())))
    else:
        title = label("prices_assumed_items", language)
    ylabel = label("share_served" if metric == "share_people_served" else "share", language)
    with plt.rc_context(MATPLOTLIB_TEXT_RC):
        fig, ax = plt.subplots(figsize=(7, 4.5), layout="constrained")
        ax.fill_between(
            band.index.to_numpy(dtype=float),
            100.0 * band["min"].to_numpy(dtype=float),
            100.0 * band["max"].to_numpy(dtype=float),
            color="#1f4e9e",
            alpha=0.2,
            linewidth=0,
            label=label("prices_band", language),
        )
        ax.plot(
            central[parameter].to_numpy(dtype=float),
            100.0 * central[metric].to_numpy(dtype=float),
            "o-",
            color="#1f4e9e",
            label=label("prices_central", language),
        )
        ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: f"{x:,.0f}"))
        ax.set_xlabel(label("budget_tco", language))
        ax.set_ylabel(ylabel if ylabel.endswith("(%)") else f"{ylabel} (%)")
        ax.set_ylim(0, 100)
        ax.set_xlim(left=0)
        ax.set_title(safe_text(textwrap.fill(title, 95), "matplotlib"), fontsize=8)
        ax.legend(loc="upper left", fontsize=8)
        ax.grid(alpha=0.3)
    return fig
