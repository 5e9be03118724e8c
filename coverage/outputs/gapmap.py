"""The gap report's map: where the households still unserved are, per sub-district, and why.

:func:`gap_map_figure` draws one A4 portrait page: the sub-districts' outlines, each
labelled with its name and its unserved households; every demand point still unserved
(:data:`coverage.outputs.service.SERVICE_CLASSES` ``unserved``: no existing cell, no new
site, no hotspot or satellite terminal) as a dot whose area grows with its households and
whose colour is the reason it is not served (:data:`coverage.plan.REASONS`), schools as
stars; a legend of the reasons with their households, a scale bar and the counts.
:func:`gap_map_png` is the same figure as PNG bytes for the HTML report, which embeds it.

Every name passes :func:`~coverage.outputs.text.safe_text` (``"matplotlib"``) and the figure
is built under :data:`~coverage.outputs.text.MATPLOTLIB_TEXT_RC`; the PNG has fixed
metadata, so the same plan gives the same bytes.
"""

from __future__ import annotations

import math
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from coverage.outputs.files import figure_png
from coverage.outputs.labels import fmt_number, labels, reason_label
from coverage.outputs.service import SERVICE_CLASSES, service_classes, whole_parts
from coverage.outputs.text import MATPLOTLIB_TEXT_RC, safe_text
from coverage.outputs.words import plan_words
from coverage.plan import REASONS, Plan

__all__ = [
    "GAP_MAP_DPI",
    "REASON_COLORS",
    "gap_map_figure",
    "gap_map_png",
    "shown_unserved",
    "unserved_points",
]

#: Colour of each reason a point is not served: Paul Tol's colour-blind-safe "vibrant"
#: scheme (Tol, P., "Colour Schemes", SRON/EPS/TN/09-002, 2021) without its teal, which
#: nears the signal classes' green, and black for the last; a point still marked
#: "covered" (served by nothing the plan builds) is grey.
REASON_COLORS = {
    "covered": "#bbbbbb",
    "blocked_by_terrain": "#ee7733",
    "out_of_range": "#0077bb",
    "weak_signal": "#33bbee",
    "weak_uplink": "#ee3377",
    "low_sinr": "#cc3311",
    "over_capacity": "#aa3377",
    "no_backhaul": "#000000",
}
#: Resolution (dots per inch) of the PNG the HTML report embeds.
GAP_MAP_DPI = 110
#: Area (points²) of the dot of the largest unserved group; the others scale by households.
_MAX_DOT_PT2 = 160.0
_MIN_DOT_PT2 = 6.0


def unserved_points(plan: Plan) -> Any:
    """The demand points still unserved, with their reason and households.

    Parameters
    ----------
    plan
        The plan.

    Returns
    -------
    geopandas.GeoDataFrame
        The rows of ``plan.demand`` whose service class is ``unserved``.
    """
    return plan.demand[service_classes(plan.demand) == "unserved"]


def shown_unserved(demand: Any) -> int:
    """The whole unserved households the summary shows for ``demand``: the unserved part of
    its households by service class, rounded so the classes add up
    (:func:`~coverage.outputs.service.whole_parts`), as ``summary.md`` and the report do.

    Parameters
    ----------
    demand
        Demand rows (a plan's, or one sub-district's).

    Returns
    -------
    int
        Households, whole.
    """
    classes = service_classes(demand)
    sums = [
        float(demand.loc[(classes == c).to_numpy(), "households"].sum()) for c in SERVICE_CLASSES
    ]
    return whole_parts(sums)[SERVICE_CLASSES.index("unserved")]


def gap_map_figure(plan: Plan, *, language: str = "es") -> Figure:
    """The map of the unserved households per sub-district, coloured by reason.

    Parameters
    ----------
    plan
        The plan (working CRS).
    language
        "es" or "en".

    Returns
    -------
    matplotlib.figure.Figure
        8.27 x 11.69 inches (A4 portrait); the caller saves and closes it.
    """
    L = labels(language, plan_words(plan, language))
    gap = unserved_points(plan)
    with plt.rc_context(MATPLOTLIB_TEXT_RC):  # each text keeps it when saved later
        fig = plt.figure(figsize=(8.27, 11.69))
        fig.text(0.5, 0.965, safe_text(L["gap_map"], "matplotlib"), ha="center", fontsize=14)
        fig.text(0.5, 0.945, safe_text(plan.heading, "matplotlib"), ha="center", fontsize=9)
        ax = fig.add_axes((0.04, 0.25, 0.92, 0.68))
        _draw_subdivisions(ax, plan, gap, L["households"].lower())
        _draw_points(ax, gap)
        _frame(ax, plan)
        _legend(fig, plan.demand, gap, L, language)
    return fig


def gap_map_png(plan: Plan, *, language: str = "es") -> bytes:
    """:func:`gap_map_figure` as PNG bytes (fixed metadata: the same plan, the same bytes).

    Parameters
    ----------
    plan
        The plan.
    language
        "es" or "en".

    Returns
    -------
    bytes
        The PNG, :data:`GAP_MAP_DPI` dots per inch.
    """
    return figure_png(gap_map_figure(plan, language=language), "gap map", dpi=GAP_MAP_DPI)


def _draw_subdivisions(ax: Any, plan: Plan, gap: Any, homes: str) -> None:
    """Outlines, and at a point inside each its name and unserved ``homes`` (households)."""
    v = plan.veredas
    if not len(v):
        return
    v.boundary.plot(ax=ax, color="#444444", lw=0.9, zorder=2)
    names = plan.demand["vereda"].astype(str)
    for r in v.itertuples():
        pt = r.geometry.representative_point()
        n = shown_unserved(plan.demand[(names == str(r.name)).to_numpy()])
        text = f"{safe_text(r.name, 'matplotlib')}\n{fmt_number(n)} {homes}"
        ax.text(
            pt.x, pt.y, text, fontsize=7.5, ha="center", va="center", color="#111111",
            zorder=9, bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "none", "alpha": 0.75},
        )  # fmt: skip


def _draw_points(ax: Any, gap: Any) -> None:
    """Unserved groups as dots (area by households), schools as stars, coloured by reason."""
    if not len(gap):
        return
    homes = gap["households"].to_numpy(dtype=np.float64)
    top = max(float(homes.max()), 1.0)
    school = (gap["kind"] == "school").to_numpy()
    reasons = gap["reason"].astype(str).to_numpy()
    xs, ys = gap.geometry.x.to_numpy(), gap.geometry.y.to_numpy()
    for reason in REASONS:
        mine = reasons == reason
        if not mine.any():
            continue
        color = REASON_COLORS[reason]
        dots = mine & ~school
        size = np.maximum(_MAX_DOT_PT2 * homes[dots] / top, _MIN_DOT_PT2)
        ax.scatter(xs[dots], ys[dots], s=size, c=color, alpha=0.8, lw=0.3, ec="white", zorder=5)
        stars = mine & school
        ax.scatter(xs[stars], ys[stars], s=90, c=color, marker="*", lw=0.5, ec="black", zorder=6)


def _frame(ax: Any, plan: Plan) -> None:
    """The sub-districts' extent (else the terrain's) with a margin, equal axes, no ticks."""
    if len(plan.veredas):
        xmin, ymin, xmax, ymax = (float(b) for b in plan.veredas.total_bounds)
    else:
        xmin, ymin, xmax, ymax = (float(b) for b in plan.terrain.bounds)
    pad = 0.03 * max(xmax - xmin, ymax - ymin, 1.0)
    ax.set_xlim(xmin - pad, xmax + pad)
    ax.set_ylim(ymin - pad, ymax + pad)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("")
    ax.set_ylabel("")
    quarter = max((xmax - xmin) / 4, 1.0)
    step = 10 ** math.floor(math.log10(quarter))
    bar = max(m * step for m in (1, 2, 5) if m * step <= quarter)  # 1, 2 or 5 x 10^k metres
    x0, y0 = xmin, ymin - pad / 2
    ax.plot([x0, x0 + bar], [y0, y0], color="black", lw=3, solid_capstyle="butt", zorder=7)
    text = f"{bar / 1000:g} km" if bar >= 1000 else f"{bar:g} m"
    ax.text(x0 + bar / 2, y0 + pad / 4, text, ha="center", fontsize=7, zorder=8)


def _legend(fig: Figure, plan_demand: Any, gap: Any, L: dict[str, str], language: str) -> None:
    """The reasons with their unserved households, the total and how to read the dots."""
    homes, schools_word = L["households"].lower(), L["schools"].lower()
    reasons = gap["reason"].astype(str)
    by_reason = gap.groupby(reasons)["households"].sum()
    schools_by = gap[(gap["kind"] == "school").to_numpy()].groupby(reasons)["households"].size()
    total = shown_unserved(plan_demand)  # the summary's figure; the reasons add up to it
    shown = dict(zip(by_reason.index, whole_parts(by_reason.to_list(), total), strict=True))

    def text(r: str) -> str:
        n = int(schools_by.get(r, 0))
        extra = f" · {schools_word}: {n}" if n else ""
        return f"{reason_label(r, language)}: {fmt_number(shown[r])} {homes}{extra}"

    handles = [
        Line2D([], [], marker="o", ls="", color=REASON_COLORS[r], markersize=8, label=text(r))
        for r in REASONS
        if r in by_reason.index
    ]
    if handles:
        fig.legend(
            handles=handles, loc="upper left", bbox_to_anchor=(0.06, 0.235), fontsize=8.5,
            title=safe_text(L["reason"], "matplotlib"), frameon=False, ncols=2,
        )  # fmt: skip
    schools = int((gap["kind"] == "school").sum())
    counts = f"{L['unserved']}: {fmt_number(total)} {homes} · {schools_word}: {schools}"
    fig.text(0.06, 0.075, safe_text(counts, "matplotlib"), fontsize=9)
    fig.text(0.06, 0.055, safe_text(L["gap_map_note"], "matplotlib"), fontsize=8, color="#444444")
