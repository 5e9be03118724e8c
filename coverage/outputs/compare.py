"""Comparing plans and sweeping a parameter: tables, a difference map, a cost-coverage curve.

For the planner in a notebook: :func:`compare` puts two plans' figures side by side,
:func:`compare_veredas` does it per vereda, :func:`coverage_change` and
:func:`difference_figure` show where coverage was gained or lost, and :func:`sweep` runs a
function that makes a plan for each value of a parameter (budget in sites, technology,
mast height, k-factor, DEM error...) and tabulates cost against coverage, which
:func:`cost_coverage_figure` plots. The figures are built under
:data:`~coverage.outputs.text.MATPLOTLIB_TEXT_RC`, so a ``$`` in a plan's name is printed.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from numpy.typing import NDArray

from coverage.errors import InputError
from coverage.outputs.labels import label
from coverage.outputs.report import summarize
from coverage.outputs.styles import hillshade
from coverage.outputs.text import MATPLOTLIB_TEXT_RC, safe_text
from coverage.plan import Plan

__all__ = [
    "compare",
    "compare_veredas",
    "cost_coverage_figure",
    "coverage_change",
    "difference_figure",
    "plan_figures",
    "sweep",
]

log = logging.getLogger(__name__)

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

    Keys: ``people_covered``, ``people_total``, ``share_people_covered``,
    ``households_covered``, ``schools_covered``, ``schools_total``, ``cost_usd``,
    ``cost_per_person_usd`` (NaN when nobody is covered), ``sites_access``, ``sites_relay``,
    ``links``, ``min_link_margin_db``, ``covered_area_km2`` (cells with a signal).

    Parameters
    ----------
    plan
        The plan to measure.

    Returns
    -------
    dict
        Metric name -> value (people, households, schools as counts, the share in 0-1, costs
        in USD, the margin in dB, the area in km²); NaN where :func:`summarize` has None.
    """
    s = summarize(plan)
    t = s["totals"]
    cell_km2 = plan.terrain.cell_size_m**2 / 1e6
    return {
        "people_covered": _num(t["people_covered"]),
        "people_total": _num(t["people_total"]),
        "share_people_covered": _num(t["share_people_covered"]),
        "households_covered": _num(t["households_covered"]),
        "schools_covered": _num(t["schools_covered"]),
        "schools_total": _num(t["schools_total"]),
        "cost_usd": _num(s["cost"]["total_usd"]),
        "cost_per_person_usd": _num(s["cost"]["per_person_covered_usd"]),
        "sites_access": _num(s["sites"]["access"]),
        "sites_relay": _num(s["sites"]["relay"]),
        "links": _num(s["backhaul"]["links"]),
        "min_link_margin_db": _num(s["backhaul"]["min_margin_db"]),
        "covered_area_km2": float(np.isfinite(plan.coverage_dbm).sum()) * cell_km2,
    }


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
        for v in summarize(plan)["veredas"]:
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

    A cell counts as covered by a plan where it has any signal (a finite ``coverage_dbm``).

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
    a = np.isfinite(plan_a.coverage_dbm)
    b = np.isfinite(plan_b.coverage_dbm)
    change = (a & ~b) * CHANGE_LOST + (~a & b) * CHANGE_GAINED + (a & b) * CHANGE_BOTH
    with np.errstate(invalid="ignore"):
        delta = np.where(a & b, plan_b.coverage_dbm - plan_a.coverage_dbm, np.nan)
    return change.astype(np.uint8), delta.astype(np.float32)


def difference_figure(plan_a: Plan, plan_b: Plan, *, language: str = "es") -> Figure:
    """Map of the coverage change from plan A to plan B over the hillshade.

    Cells covered by both show the received power gained or lost (dB, B minus A); cells only
    one plan covers are coloured as lost or gained (see :func:`coverage_change`); both
    plans' access sites are marked.

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
            handles.append(Patch(color=color, label=f"{text} ({(change == code).sum()} cells)"))
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
        title = safe_text(f"{label('coverage_best', language)}: {na} → {nb}", "matplotlib")
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
