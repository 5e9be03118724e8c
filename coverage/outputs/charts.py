"""Static matplotlib charts of a plan: the printable map and the backhaul link profiles.

:func:`static_map_figure` draws the map for officials (title, legend, scale bar, north
arrow, vereda names, attribution of the data sources) in the working CRS, whose metres make
the scale bar exact. :func:`link_profile_figure` draws one backhaul link: the terrain raised
by the earth bulge, the line of sight between the antennas, the first Fresnel zone and its
60 % clearance line. The geometry follows ITU-R P.530-18 (§2.2.2, Fresnel ellipsoid) and
ITU-R P.526-16 (§4, effective earth radius k R).

:func:`gap_report_figures` lays the coverage-gap report out as A4 pages for a PDF.
Nothing here writes files; :mod:`coverage.outputs.export` saves the figures.
"""

from __future__ import annotations

import logging
import math
import textwrap
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from coverage.outputs.labels import (
    LABELS,
    check_language,
    fmt_number,
    fmt_share,
    label,
    reason_label,
)
from coverage.outputs.styles import RX_CLASS_COLORS, hillshade, rx_class_labels, rx_classes
from coverage.plan import Plan
from coverage.radio.visibility import EARTH_RADIUS_M, earth_bulge_m, fresnel_radius_m

__all__ = [
    "EARTH_RADIUS_M",
    "earth_bulge_m",
    "fresnel_radius_m",
    "gap_report_figures",
    "link_profile_figure",
    "static_map_figure",
]

log = logging.getLogger(__name__)

#: Backhaul frequency used when neither the links nor the scenario give one (MHz).
DEFAULT_BACKHAUL_MHZ = 5800.0


def _site(plan: Plan, site_id: str) -> Any:
    rows = plan.sites[plan.sites["site_id"].astype(str) == site_id]
    if rows.empty:
        msg = f"Site {site_id!r} is not in plan.sites; the links table and sites disagree."
        raise KeyError(msg)
    return rows.iloc[0]


def _link_frequency_mhz(plan: Plan, site_a: str, site_b: str) -> float:
    links = plan.links
    if "frequency_mhz" in links.columns:
        sel = links[
            ((links["site_a"] == site_a) & (links["site_b"] == site_b))
            | ((links["site_a"] == site_b) & (links["site_b"] == site_a))
        ]
        if len(sel) and np.isfinite(sel["frequency_mhz"].iloc[0]):
            return float(sel["frequency_mhz"].iloc[0])
    nested = plan.scenario.get("backhaul")
    if isinstance(nested, dict) and nested.get("f_mhz"):
        return float(nested["f_mhz"])
    return float(plan.scenario.get("backhaul_frequency_mhz", DEFAULT_BACKHAUL_MHZ))


def scenario_k_factor(plan: Plan) -> float:
    """The k-factor of a plan's scenario (``propagation.k_factor`` or ``k_factor``), or 4/3."""
    nested = plan.scenario.get("propagation")
    if isinstance(nested, dict) and nested.get("k_factor"):
        return float(nested["k_factor"])
    return float(plan.scenario.get("k_factor", 4.0 / 3.0))


def link_profile_figure(
    plan: Plan,
    site_a: str,
    site_b: str,
    *,
    frequency_mhz: float | None = None,
    k_factor: float | None = None,
    language: str = "es",
) -> Figure:
    """Profile chart of the backhaul link between two sites.

    Draws the terrain plus earth bulge (so that the line of sight is straight), the line of
    sight between the antenna tops (ground + mast), the first Fresnel zone around it and
    the 60 % clearance line, and states the worst clearance found.

    Parameters
    ----------
    plan
        The plan; terrain, sites and links are read from it.
    site_a, site_b
        Site ids of the link's ends.
    frequency_mhz
        Link frequency; default the link's ``frequency_mhz`` column, else
        the scenario's ``backhaul.f_mhz`` (or ``backhaul_frequency_mhz``), else 5,800 MHz.
    k_factor
        Effective earth-radius factor; default the scenario's ``propagation.k_factor`` (or
        ``k_factor``), else 4/3.
    language
        "es" or "en".
    """
    a, b = _site(plan, site_a), _site(plan, site_b)
    f_mhz = (
        frequency_mhz if frequency_mhz is not None else _link_frequency_mhz(plan, site_a, site_b)
    )
    k = float(k_factor) if k_factor is not None else scenario_k_factor(plan)
    dist, ground = plan.terrain.profile(a.geometry.x, a.geometry.y, b.geometry.x, b.geometry.y)
    total = float(dist[-1])
    bulge = earth_bulge_m(dist, total - dist, k)
    za = float(ground[0]) + float(a["mast_height_m"])
    zb = float(ground[-1]) + float(b["mast_height_m"])
    los = za + (zb - za) * dist / max(total, 1e-9)
    r1 = fresnel_radius_m(dist, total - dist, f_mhz)
    terrain_eff = ground + bulge
    inner = slice(1, -1) if len(dist) > 2 else slice(None)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = (los - terrain_eff)[inner] / r1[inner]
    worst = float(np.nanmin(ratio)) if np.isfinite(ratio).any() else math.nan

    fig, ax = plt.subplots(figsize=(9, 4.2), layout="constrained")
    floor = float(np.nanmin(ground)) - 20.0
    ax.fill_between(
        dist,
        floor,
        terrain_eff,
        color="#a6761d",
        alpha=0.55,
        label=label("earth_bulge", language).format(k=f"{k:.2f}"),
    )
    ax.plot(dist, ground, color="#6b4a12", lw=0.8)
    ax.plot(dist, los, color="#d62728", lw=1.5, label=label("los", language))
    ax.plot(dist, los - r1, color="#1f77b4", lw=1.0, ls="--", label=label("fresnel", language))
    ax.plot(dist, los + r1, color="#1f77b4", lw=1.0, ls="--")
    ax.plot(
        dist, los - 0.6 * r1, color="#1f77b4", lw=0.8, ls=":", label=label("fresnel60", language)
    )
    ax.plot([0, total], [za, zb], "o", color="#d62728")
    ax.set_ylim(bottom=floor)
    ax.set_xlim(0, total)
    ax.set_xlabel(label("distance_m", language))
    ax.set_ylabel(label("elevation_m", language))
    ax.set_title(
        f"{site_a} – {site_b}: {total / 1000:.2f} km, {f_mhz:.0f} MHz, "
        f"{label('clearance', language)} {worst:.2f}",
        fontsize=10,
    )
    ax.legend(loc="lower center", fontsize=8, ncols=2)
    ax.grid(alpha=0.3)
    return fig


def _nice_length_m(span_m: float) -> float:
    """A round scale-bar length near a fifth of ``span_m`` (1, 2 or 5 times a power of 10)."""
    target = max(span_m / 5.0, 1.0)
    power = 10.0 ** math.floor(math.log10(target))
    return max(m * power for m in (1.0, 2.0, 5.0) if m * power <= target)


def _attribution(plan: Plan) -> str:
    given = plan.scenario.get("attribution")
    if isinstance(given, list | tuple):
        return "; ".join(str(g) for g in given)
    if given:
        return str(given)
    area = plan.scenario.get("area")
    layers = area.get("layers") if isinstance(area, dict) else None
    if isinstance(layers, dict):
        parts = [
            f"{name}: {spec['source']}"
            for name, spec in layers.items()
            if isinstance(spec, dict) and spec.get("source")
        ]
        if parts:
            return "; ".join(parts)
    return f"DEM: {plan.terrain.source or '?'}; {plan.crs}"


def static_map_figure(plan: Plan, *, language: str = "es", title: str | None = None) -> Figure:
    """The printable map of a plan, A4 landscape, in the working CRS.

    Hillshade, received-power classes, vereda boundaries and names, backhaul links
    coloured by margin, sites by role, demand covered (green) or not (red); with title,
    legend, scale bar, north arrow (grid north of the working CRS) and the attribution of
    the data sources (``plan.scenario["attribution"]`` when given, else the ``source`` of
    each layer of ``plan.scenario["area"]["layers"]``, else the DEM's name).
    """
    terrain = plan.terrain
    xmin, ymin, xmax, ymax = terrain.bounds
    extent = (xmin, xmax, ymin, ymax)
    fig = plt.figure(figsize=(11.69, 8.27))
    ax = fig.add_axes((0.03, 0.11, 0.68, 0.81))
    shade = hillshade(terrain.elevation_m, terrain.cell_size_m)
    ax.imshow(shade, cmap="gray", extent=extent, interpolation="nearest", vmin=0, vmax=255)
    cls = rx_classes(plan.coverage_dbm)
    lut = np.zeros((len(RX_CLASS_COLORS), 4))
    lut[:, :3] = np.asarray(RX_CLASS_COLORS) / 255.0
    lut[1:, 3] = 0.55
    ax.imshow(lut[cls], extent=extent, interpolation="nearest")
    plan.veredas.boundary.plot(ax=ax, color="#222222", lw=1.0)
    for r in plan.veredas.itertuples():
        pt = r.geometry.representative_point()
        ax.text(
            pt.x,
            pt.y,
            str(r.name),
            fontsize=8,
            ha="center",
            va="center",
            color="#111111",
            weight="bold",
            zorder=9,
            bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "none", "alpha": 0.6},
        )
    for r in plan.links.itertuples():
        xs, ys = r.geometry.xy
        m = float(r.margin_db)
        color = "#1a9850" if m >= 10 else "#fc8d59" if m >= 0 else "#d73027"
        ax.plot(xs, ys, color=color, lw=2.2)
    d = plan.demand
    cov = d["covered"].astype(bool).to_numpy()
    school = (d["kind"] == "school").to_numpy()
    many = int((~school).sum()) > 400
    for mask, color in ((cov, "#1a9850"), (~cov, "#d73027")):
        sub = d[mask & ~school]
        if many:  # thousands of population cells: small dots, no outline
            sizes: Any = 4.0
        else:
            sizes = np.clip(10 + np.sqrt(sub["population"].to_numpy(dtype=float)) * 3, 10, 120)
        ax.scatter(
            sub.geometry.x,
            sub.geometry.y,
            s=sizes,
            c=color,
            edgecolors="none" if many else "black",
            linewidths=0.5,
            marker="s" if many else "o",
            alpha=0.7 if many else 1.0,
            zorder=4,
        )
        sch = d[mask & school]
        ax.scatter(
            sch.geometry.x,
            sch.geometry.y,
            s=140,
            c=color,
            edgecolors="black",
            linewidths=0.8,
            marker="*",
            zorder=5,
        )
    role_style = {"pop": ("s", "#000000"), "access": ("^", "#1f4e9e"), "relay": ("D", "#7b3fa0")}
    for role, (marker, color) in role_style.items():
        sub = plan.sites[plan.sites["role"] == role]
        ax.scatter(
            sub.geometry.x,
            sub.geometry.y,
            marker=marker,
            s=80,
            c=color,
            edgecolors="white",
            linewidths=1.2,
            zorder=5,
        )
        for r in sub.itertuples():
            ax.annotate(
                str(r.site_id),
                (r.geometry.x, r.geometry.y),
                xytext=(4, 4),
                textcoords="offset points",
                fontsize=7,
                zorder=6,
            )
    ax.set_xlim(xmin, xmax)
    ax.set_ylim(ymin, ymax)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("")
    ax.set_ylabel("")

    # Scale bar (metres of the working CRS) and north arrow.
    span = xmax - xmin
    bar = _nice_length_m(span)
    x0, y0 = xmin + 0.05 * span, ymin + 0.05 * (ymax - ymin)
    ax.plot([x0, x0 + bar], [y0, y0], color="black", lw=4, solid_capstyle="butt", zorder=7)
    ax.plot([x0, x0 + bar / 2], [y0, y0], color="white", lw=2, solid_capstyle="butt", zorder=8)
    text = f"{bar / 1000:g} km" if bar >= 1000 else f"{bar:g} m"
    ax.text(x0 + bar / 2, y0 + 0.015 * (ymax - ymin), text, ha="center", fontsize=8, zorder=8)
    ax.annotate(
        label("north", language),
        xy=(0.94, 0.95),
        xytext=(0.94, 0.84),
        xycoords="axes fraction",
        ha="center",
        fontsize=12,
        weight="bold",
        arrowprops={"arrowstyle": "-|>", "color": "black", "lw": 2},
    )

    handles: list[Any] = [
        Patch(color=(c[0] / 255.0, c[1] / 255.0, c[2] / 255.0), alpha=0.7, label=t)
        for c, t in zip(RX_CLASS_COLORS[1:], rx_class_labels(), strict=True)
    ]
    handles += [
        Line2D([], [], marker=mk, ls="", color=c, label=label(role, language))
        for role, (mk, c) in role_style.items()
    ]
    handles += [
        Line2D([], [], color="#1a9850", lw=2, label=f"{label('links', language)} ≥ 10 dB"),
        Line2D([], [], color="#fc8d59", lw=2, label=f"{label('links', language)} 0–10 dB"),
        Line2D([], [], color="#d73027", lw=2, label=f"{label('links', language)} < 0 dB"),
        Line2D([], [], marker="o", ls="", color="#1a9850", label=label("demand_covered", language)),
        Line2D(
            [], [], marker="o", ls="", color="#d73027", label=label("demand_uncovered", language)
        ),
        Line2D(
            [],
            [],
            marker="*",
            ls="",
            color="#888888",
            mec="black",
            ms=11,
            label=label("schools", language),
        ),
        Line2D([], [], color="#222222", lw=1, label=label("veredas", language)),
    ]
    fig.legend(
        handles=handles,
        loc="upper left",
        bbox_to_anchor=(0.72, 0.92),
        fontsize=8,
        title=f"{label('legend', language)} — {label('rx_dbm', language)}",
        title_fontsize=8,
        frameon=False,
    )
    fig.text(
        0.03, 0.95, title or f"{label('title', language)}: {plan.name}", fontsize=15, weight="bold"
    )
    fig.text(
        0.03,
        0.01,
        textwrap.fill(f"{label('data_sources', language)}: {_attribution(plan)}", 210),
        fontsize=6,
        color="#333333",
        va="bottom",
    )
    models = "; ".join(f"{k}: {v}" for k, v in plan.models.items())
    fig.text(
        0.72,
        0.10,
        f"{label('models', language)}: {models}",
        fontsize=6.5,
        wrap=True,
        va="bottom",
        color="#333333",
    )
    return fig


def gap_report_figures(summary: dict[str, Any], *, language: str = "es") -> list[Figure]:
    """The gap report as A4 portrait matplotlib pages, for a PDF (matplotlib PdfPages).

    Page 1: title, totals, cost, table per vereda and people not covered by reason.
    Page 2: schools not covered, models and assumptions. Text is drawn as text, never
    interpreted, so names from input files need no escaping here.
    """
    L = LABELS[check_language(language)]
    t = summary["totals"]
    figs: list[Figure] = []

    fig = plt.figure(figsize=(8.27, 11.69))
    fig.text(0.07, 0.95, f"{L['gap_title']}: {summary['name']}", fontsize=15, weight="bold")
    lines = [
        f"{L['people']}: {fmt_number(t['people_covered'])} / {fmt_number(t['people_total'])} "
        f"({fmt_share(t['share_people_covered'])})",
        f"{L['households']}: {fmt_number(t['households_covered'])} / {fmt_number(t['households_total'])}",
        f"{L['schools']}: {t['schools_covered']} / {t['schools_total']}",
        f"{L['cost']}: {fmt_number(summary['cost']['total_usd'])}",
        f"{L['cost_per_person']}: {fmt_number(summary['cost']['per_person_covered_usd'], 2)}",
    ]
    fig.text(0.07, 0.80, "\n".join(lines), fontsize=10, va="bottom", linespacing=1.6)
    cols = [
        L["vereda"],
        f"{L['people']}\n{L['covered'].lower()}",
        f"{L['people']}\n{L['uncovered'].lower()}",
        f"{L['households']}\n{L['uncovered'].lower()}",
        f"{L['schools']}\n{L['covered'].lower()}",
        f"{L['schools']}\n{L['uncovered'].lower()}",
        L["share"].replace(" ", "\n", 1),
    ]
    cells = [
        [
            _wrap(r["vereda"], 24),
            fmt_number(r["people_covered"]),
            fmt_number(r["people_uncovered"]),
            fmt_number(r["households_uncovered"]),
            str(r["schools_covered"]),
            str(r["schools_uncovered"]),
            fmt_share(r["share_people_covered"]),
        ]
        for r in [*summary["veredas"], {"vereda": L["total"], **t}]
    ]
    ax = fig.add_axes((0.05, 0.35, 0.9, 0.43))
    ax.axis("off")
    _table(ax, cells, cols, bold_last=True)
    reason_cells = [
        [
            reason_label(k, language),
            fmt_number(v["people"]),
            fmt_number(v["households"]),
            str(v["schools"]),
        ]
        for k, v in t["uncovered_by_reason"].items()
    ]
    fig.text(0.07, 0.31, L["why_uncovered"], fontsize=12, weight="bold")
    ax2 = fig.add_axes((0.05, 0.08, 0.9, 0.22))
    ax2.axis("off")
    _table(ax2, reason_cells, [L["reason"], L["people"], L["households"], L["schools"]])
    figs.append(fig)

    fig2 = plt.figure(figsize=(8.27, 11.69))
    fig2.text(0.07, 0.95, L["uncovered_schools"], fontsize=13, weight="bold")
    gaps = [s for s in summary["schools"] if not s["covered"]]
    ax3 = fig2.add_axes((0.05, 0.62, 0.9, 0.31))
    ax3.axis("off")
    if gaps:
        _table(
            ax3,
            [
                [
                    _wrap(s["name"], 30),
                    _wrap(s["vereda"], 22),
                    reason_label(s["reason"], language),
                    fmt_number(s["rx_dbm"], 1),
                ]
                for s in gaps
            ],
            [L["school"], L["vereda"], L["reason"], L["rx_dbm"]],
        )
    else:
        ax3.text(0.02, 0.9, L["none"], fontsize=10)
    text = [f"{L['models']}:"]
    text += [_wrap(f"• {k}: {v}", 95) for k, v in summary["models"].items()]
    text += ["", f"{L['assumptions']}:"]
    text += [_wrap(f"• {a}", 95) for a in summary["assumptions"]]
    text += ["", f"{L['data_sources']}:"]
    text += [
        _wrap(f"• {x['layer']}: {x['source'] or x['file']}", 95) for x in summary.get("sources", [])
    ]
    fig2.text(0.07, 0.58, "\n".join(text), fontsize=8.5, va="top", linespacing=1.4)
    figs.append(fig2)
    return figs


def _wrap(text: str, width: int) -> str:
    return "\n".join(textwrap.wrap(str(text), width)) or ""


def _table(ax: Any, cells: list[list[str]], cols: list[str], *, bold_last: bool = False) -> None:
    tab = ax.table(cellText=cells, colLabels=cols, loc="upper center", cellLoc="center")
    tab.auto_set_font_size(False)
    tab.set_fontsize(8)
    tab.scale(1.0, 1.6)
    for (r, _c), cell in tab.get_celld().items():
        if r == 0:
            cell.set_facecolor("#e8e8e8")
            cell.set_height(cell.get_height() * 1.6)
        if bold_last and r == len(cells):
            cell.set_text_props(weight="bold")
