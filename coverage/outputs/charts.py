"""Static matplotlib charts of a plan: the printable map and the backhaul link profiles.

:func:`static_map_figure` draws the map for officials (title, legend, scale bar, north
arrow, vereda names, attribution of the data sources) in the working CRS, whose metres make
the scale bar exact. :func:`link_profile_figure` draws one backhaul link: the terrain raised
by the earth bulge, the line of sight between the antennas, the first Fresnel zone and its
60 % clearance line. The geometry follows ITU-R P.530-18 (§2.2.2, Fresnel ellipsoid) and
ITU-R P.526-16 (§4, effective earth radius k R).

Every figure is built under :data:`~coverage.outputs.text.MATPLOTLIB_TEXT_RC` and every name
from an input file passes :func:`~coverage.outputs.text.safe_text` (``"matplotlib"``), so a
``$`` in a vereda's name is printed, never read as mathtext. Nothing here writes files;
:mod:`coverage.outputs.export` saves the figures.
"""

from __future__ import annotations

import logging
import math
import textwrap
from dataclasses import dataclass
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from numpy.typing import NDArray

from coverage.errors import InputError
from coverage.outputs.labels import label
from coverage.outputs.styles import (
    COVERED_COLOR,
    MARGIN_COLORS,
    MARGIN_DASHES,
    MAX_DEMAND_MARKERS,
    ROLE_COLORS,
    RX_CLASS_COLORS,
    UNCOVERED_COLOR,
    hillshade,
    margin_class,
    plan_rx_edges,
    rx_classes,
    rx_legend,
)
from coverage.outputs.text import MATPLOTLIB_TEXT_RC, safe_text
from coverage.outputs.words import Subdivision, plan_words
from coverage.plan import Plan
from coverage.radio.visibility import EARTH_RADIUS_M, earth_bulge_m, fresnel_radius_m

__all__ = [
    "EARTH_RADIUS_M",
    "earth_bulge_m",
    "fresnel_radius_m",
    "link_profile_figure",
    "static_map_figure",
]

log = logging.getLogger(__name__)


def _site(plan: Plan, site_id: str) -> Any:
    rows = plan.sites[plan.sites["site_id"].astype(str) == site_id]
    if rows.empty:
        known = ", ".join(plan.sites["site_id"].astype(str))
        msg = (
            f"Site {site_id!r} is not in plan.sites (its sites: {known}); give one of those "
            "ids, or a links table that names only sites of plan.sites."
        )
        raise InputError(msg)
    return rows.iloc[0]


@dataclass(frozen=True)
class _Profile:
    """The geometry of one link's profile chart, sampled along the path.

    Attributes
    ----------
    dist_m
        Distance from site A (m) of each sample.
    ground_m
        Terrain elevation (m).
    terrain_eff_m
        Terrain raised by the earth bulge for ``k`` (m), so that the line of sight is straight.
    los_m
        Line of sight between the antenna tops (m).
    fresnel_m
        First Fresnel zone radius (m).
    antenna_m
        Elevations (m) of the antenna tops at A and B (ground + mast).
    worst_clearance
        Smallest clearance over the inner samples, as a fraction of the zone radius.
    worst_at_m
        Distance from site A (m) of the sample with the smallest clearance (NaN for none).
    """

    dist_m: NDArray[np.float64]
    ground_m: NDArray[np.float64]
    terrain_eff_m: NDArray[np.float64]
    los_m: NDArray[np.float64]
    fresnel_m: NDArray[np.float64]
    antenna_m: tuple[float, float]
    worst_clearance: float
    worst_at_m: float


def _profile(plan: Plan, ends: tuple[Any, Any], f_mhz: float, k: float) -> _Profile:
    """Sample the link between two rows of ``plan.sites`` over the terrain."""
    a, b = ends
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
    if not np.isfinite(ratio).any():
        return _Profile(dist, ground, terrain_eff, los, r1, (za, zb), math.nan, math.nan)
    at = int(np.nanargmin(ratio))
    worst_at_m = float(dist[inner][at])
    return _Profile(dist, ground, terrain_eff, los, r1, (za, zb), float(ratio[at]), worst_at_m)


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
        Link frequency (MHz); default the scenario's ``backhaul.f_mhz``.
    k_factor
        Effective earth-radius factor; default the scenario's ``propagation.geometry_k_factor``.
    language
        "es" or "en".

    Returns
    -------
    matplotlib.figure.Figure
        The chart, 9 x 4.2 inches; the caller saves and closes it.

    Raises
    ------
    InputError
        A site id that is not in ``plan.sites``.
    """
    ends = _site(plan, site_a), _site(plan, site_b)
    f_mhz = plan.scenario.backhaul.f_mhz if frequency_mhz is None else float(frequency_mhz)
    k = plan.scenario.propagation.geometry_k_factor if k_factor is None else float(k_factor)
    p = _profile(plan, ends, f_mhz, k)
    a, b = safe_text(site_a, "matplotlib"), safe_text(site_b, "matplotlib")
    with plt.rc_context(MATPLOTLIB_TEXT_RC):
        fig, ax = plt.subplots(figsize=(9, 4.2), layout="constrained")
        _draw_profile(ax, p, k, language)
        ax.set_title(
            f"{a} – {b}: {float(p.dist_m[-1]) / 1000:.2f} km, {f_mhz:.0f} MHz, "
            f"{label('clearance', language)} {p.worst_clearance:.2f}",
            fontsize=10,
        )
        ax.legend(loc="lower center", fontsize=8, ncols=2)
        ax.grid(alpha=0.3)
    return fig


def _draw_profile(ax: Any, p: _Profile, k: float, language: str) -> None:
    """Terrain with earth bulge, line of sight, first Fresnel zone and its 60 % line."""
    dist, los, r1 = p.dist_m, p.los_m, p.fresnel_m
    total = float(dist[-1])
    floor = float(np.nanmin(p.ground_m)) - 20.0
    ax.fill_between(
        dist,
        floor,
        p.terrain_eff_m,
        color="#a6761d",
        alpha=0.55,
        label=label("earth_bulge", language).format(k=f"{k:.2f}"),
    )
    ax.plot(dist, p.ground_m, color="#6b4a12", lw=0.8)
    ax.plot(dist, los, color="#d62728", lw=1.5, label=label("los", language))
    ax.plot(dist, los - r1, color="#1f77b4", lw=1.0, ls="--", label=label("fresnel", language))
    ax.plot(dist, los + r1, color="#1f77b4", lw=1.0, ls="--")
    ax.plot(
        dist, los - 0.6 * r1, color="#1f77b4", lw=0.8, ls=":", label=label("fresnel60", language)
    )
    ax.plot([0, total], list(p.antenna_m), "o", color="#d62728")
    ax.set_ylim(bottom=floor)
    ax.set_xlim(0, total)
    ax.set_xlabel(label("distance_m", language))
    ax.set_ylabel(label("elevation_m", language))


def _nice_length_m(span_m: float) -> float:
    """A round scale-bar length near a fifth of ``span_m`` (1, 2 or 5 times a power of 10)."""
    target = max(span_m / 5.0, 1.0)
    power = 10.0 ** math.floor(math.log10(target))
    return max(m * power for m in (1.0, 2.0, 5.0) if m * power <= target)


def _attribution(plan: Plan) -> str:
    """The ``source`` of each input layer of the scenario's area, or the DEM's name."""
    layers = plan.scenario.area.layers
    parts = [f"{name}: {spec.source}" for name, spec in layers.items() if spec.source]
    if parts:
        return "; ".join(parts)
    return f"DEM: {plan.terrain.source or '?'}; {plan.crs}"  # an area may cite no source


#: Marker of each site role on the static map.
_ROLE_MARKERS = {"pop": "s", "access": "^", "relay": "D"}


def static_map_figure(plan: Plan, *, language: str = "es", title: str | None = None) -> Figure:
    """The printable map of a plan, A4 landscape, in the working CRS.

    Hillshade, received-power classes, vereda boundaries and names, backhaul links
    coloured by margin, sites by role, demand covered (green) or not (red); with title,
    legend, scale bar, north arrow (grid north of the working CRS) and the attribution of
    the data sources (the ``source`` of each layer of ``plan.scenario.area.layers``, else
    the DEM's name).

    Parameters
    ----------
    plan
        The plan to draw.
    language
        "es" or "en".
    title
        The title; default "<title label>: <plan name>".

    Returns
    -------
    matplotlib.figure.Figure
        11.69 x 8.27 inches; the caller saves and closes it.
    """
    with plt.rc_context(MATPLOTLIB_TEXT_RC):  # each text keeps it when saved later
        fig = plt.figure(figsize=(11.69, 8.27))
        ax = fig.add_axes((0.03, 0.11, 0.68, 0.81))
        _draw_terrain_and_coverage(ax, plan)
        _draw_veredas(ax, plan)
        _draw_links(ax, plan)
        _draw_demand(ax, plan)
        _draw_sites(ax, plan)
        _frame(ax, plan.terrain.bounds)
        _draw_scale_bar_and_north(ax, plan.terrain.bounds, language)
        legend = _add_legend(fig, plan, language, plan_words(plan, language))
        _add_captions(fig, plan, language, title, below=_bottom(fig, legend))
    return fig


def _extent(bounds: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
    """matplotlib's (left, right, bottom, top) of (xmin, ymin, xmax, ymax) bounds."""
    xmin, ymin, xmax, ymax = bounds
    return (xmin, xmax, ymin, ymax)


def _draw_terrain_and_coverage(ax: Any, plan: Plan) -> None:
    """The hillshade under the received-power classes (55 % opaque)."""
    terrain = plan.terrain
    extent = _extent(terrain.bounds)
    shade = hillshade(terrain.elevation_m, terrain.cell_size_m)
    ax.imshow(shade, cmap="gray", extent=extent, interpolation="nearest", vmin=0, vmax=255)
    cls = rx_classes(plan.coverage_dbm, plan_rx_edges(plan))
    lut = np.zeros((len(RX_CLASS_COLORS), 4))
    lut[:, :3] = np.asarray(RX_CLASS_COLORS) / 255.0
    lut[1:, 3] = 0.55
    ax.imshow(lut[cls], extent=extent, interpolation="nearest")


def _draw_veredas(ax: Any, plan: Plan) -> None:
    """Vereda boundaries, and each name at a point inside it."""
    plan.veredas.boundary.plot(ax=ax, color="#222222", lw=1.0)
    for r in plan.veredas.itertuples():
        pt = r.geometry.representative_point()
        ax.text(
            pt.x,
            pt.y,
            safe_text(r.name, "matplotlib"),
            fontsize=8,
            ha="center",
            va="center",
            color="#111111",
            weight="bold",
            zorder=9,
            bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "none", "alpha": 0.6},
        )


def _draw_links(ax: Any, plan: Plan) -> None:
    """Backhaul links coloured by margin."""
    for r in plan.links.itertuples():
        xs, ys = r.geometry.xy
        mc = margin_class(float(r.margin_db))
        ax.plot(xs, ys, color=MARGIN_COLORS[mc], ls=_line_style(mc), lw=2.2)


def _line_style(margin: str) -> Any:
    """The matplotlib line style of a margin class (:data:`styles.MARGIN_DASHES`)."""
    dashes = MARGIN_DASHES[margin]
    return (0, tuple(float(x) / 2 for x in dashes.split())) if dashes else "-"


def _draw_demand(ax: Any, plan: Plan) -> None:
    """Demand covered and not covered: population by size (small squares when many), schools
    as stars."""
    d = plan.demand
    cov = d["covered"].astype(bool).to_numpy()
    school = (d["kind"] == "school").to_numpy()
    many = int((~school).sum()) > MAX_DEMAND_MARKERS
    for mask, color in ((cov, COVERED_COLOR), (~cov, UNCOVERED_COLOR)):
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


def _draw_sites(ax: Any, plan: Plan) -> None:
    """Sites by role, each labelled with its id."""
    for role, marker in _ROLE_MARKERS.items():
        sub = plan.sites[plan.sites["role"] == role]
        ax.scatter(
            sub.geometry.x,
            sub.geometry.y,
            marker=marker,
            s=80,
            c=ROLE_COLORS[role],
            edgecolors="white",
            linewidths=1.2,
            zorder=5,
        )
        for r in sub.itertuples():
            ax.annotate(
                safe_text(r.site_id, "matplotlib"),
                (r.geometry.x, r.geometry.y),
                xytext=(4, 4),
                textcoords="offset points",
                fontsize=7,
                zorder=6,
            )


def _frame(ax: Any, bounds: tuple[float, float, float, float]) -> None:
    """The map's extent, equal axes, no ticks."""
    xmin, ymin, xmax, ymax = bounds
    ax.set_xlim(xmin, xmax)
    ax.set_ylim(ymin, ymax)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("")
    ax.set_ylabel("")


def _draw_scale_bar_and_north(
    ax: Any, bounds: tuple[float, float, float, float], language: str
) -> None:
    """A scale bar in metres of the working CRS (bottom left) and a north arrow."""
    xmin, ymin, xmax, ymax = bounds
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


def _add_legend(fig: Figure, plan: Plan, language: str, words: Subdivision) -> Any:
    """The legend right of the map: signal classes (and the service threshold), roles, link
    margins, demand, sub-districts."""
    links = label("links", language)
    handles: list[Any] = [
        Line2D([], [], color="black", lw=1.5, label=t)
        if c is None
        else Patch(color=(c[0] / 255.0, c[1] / 255.0, c[2] / 255.0), alpha=0.7, label=t)
        for c, t in rx_legend(plan, label("service_threshold", language))
    ]
    handles += [
        Line2D([], [], marker=mk, ls="", color=ROLE_COLORS[role], label=label(role, language))
        for role, mk in _ROLE_MARKERS.items()
    ]
    handles += [
        *(
            Line2D([], [], color=MARGIN_COLORS[m], ls=_line_style(m), lw=2, label=f"{links} {t}")
            for m, t in (("good", "≥ 10 dB"), ("fair", "0–10 dB"), ("bad", "< 0 dB"))
        ),
        Line2D(
            [], [], marker="o", ls="", color=COVERED_COLOR, label=label("demand_covered", language)
        ),
        Line2D(
            [],
            [],
            marker="o",
            ls="",
            color=UNCOVERED_COLOR,
            label=label("demand_uncovered", language),
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
        Line2D([], [], color="#222222", lw=1, label=label("veredas", language, words)),
    ]
    return fig.legend(
        handles=handles,
        loc="upper left",
        bbox_to_anchor=(0.72, 0.92),
        fontsize=8,
        title=f"{label('legend', language)} — {label('rx_dbm', language)}",
        title_fontsize=8,
        frameon=False,
    )


def _bottom(fig: Figure, artist: Any) -> float:
    """The lower edge of a drawn artist (a legend), as a fraction of the figure's height."""
    box = artist.get_window_extent()  # matplotlib lays it out on its own renderer
    return float(fig.transFigure.inverted().transform((0.0, box.y0))[1])


#: Lowest point (figure fraction) of the models text right of the map, above the sources.
_MODELS_FLOOR = 0.09


def _add_captions(
    fig: Figure, plan: Plan, language: str, title: str | None, *, below: float = 0.6
) -> None:
    """The title (top), the data sources (bottom) and the models (under the legend, from
    ``below`` down, in the largest font from 6.5 pt down that fits above the sources)."""
    heading = title or f"{label('title', language)}: {plan.heading}"
    fig.text(0.03, 0.95, safe_text(heading, "matplotlib"), fontsize=15, weight="bold")
    sources = safe_text(f"{label('data_sources', language)}: {_attribution(plan)}", "matplotlib")
    fig.text(
        0.03,
        0.01,
        textwrap.fill(sources, 210),
        fontsize=6,
        color="#333333",
        va="bottom",
    )
    models = "; ".join(f"{k}: {v}" for k, v in plan.models.items())
    text = safe_text(f"{label('models', language)}: {models}", "matplotlib")
    top = below - 0.01
    room_in = max(top - _MODELS_FLOOR, 0.0) * fig.get_figheight()
    width_in = 0.27 * fig.get_figwidth()
    for size_pt in (6.5, 6.0, 5.5, 5.0, 4.5):
        # DejaVu Sans: about 0.55 em per character, lines 1.2 em apart
        wrapped = textwrap.fill(text, max(20, int(width_in / (0.55 * size_pt / 72.0))))
        if (wrapped.count("\n") + 1) * 1.2 * size_pt / 72.0 <= room_in:
            break
    fig.text(0.72, top, wrapped, fontsize=size_pt, va="top", color="#333333")
