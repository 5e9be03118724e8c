"""A plan's phased rollout: its schedule, the year-by-year tables and one static map per year.

:func:`rollout` schedules a :class:`~coverage.plan.Plan` with
:func:`coverage.planning.rollout.schedule_rollout`; :func:`rollout_map_figure` draws what is
built and who is connected by the end of one year, in the style of the printable map of
:mod:`coverage.outputs.charts` (hillshade, veredas, scale bar, north arrow), and
:func:`write_rollout` writes ``rollout.csv`` (the years), ``rollout_<plural>.csv`` (households
connected per sub-district and year; ``rollout_veredas.csv`` for Palmitas), ``rollout.md`` (the notes and the years) and
``rollout_year_<N>.png``. Every name from an input passes
:func:`~coverage.outputs.text.safe_text` for its sink.

Nothing here is yet part of :func:`coverage.outputs.export.write_outputs`; the scenario has no
rollout section yet, so the budget and the years are given by the caller.
"""

from __future__ import annotations

import functools
import os
import textwrap
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.colors import to_hex
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from coverage.errors import InputError
from coverage.outputs.charts import (
    _ROLE_MARKERS,
    _draw_scale_bar_and_north,
    _draw_veredas,
    _extent,
    _frame,
)
from coverage.outputs.files import safe_path, save_figure, write_text
from coverage.outputs.labels import check_language, fmt_number, fmt_share, label
from coverage.outputs.styles import MAX_DEMAND_MARKERS, SERVICE_COLORS, hillshade
from coverage.outputs.text import MATPLOTLIB_TEXT_RC, csv_table, safe_text
from coverage.outputs.words import plan_words
from coverage.plan import Plan
from coverage.planning.rollout import LastMile, Rollout, schedule_rollout

__all__ = ["rollout", "rollout_map_figure", "satellite_table", "write_rollout", "year_colors"]

#: What is drawn grey: not built, or not connected, by the year of the map.
NOT_YET_COLOR = "#9e9e9e"

#: The words of the rollout's maps and Markdown, in Spanish and English.
_WORDS = {
    "es": {
        "title": "Despliegue por fases, año {year} de {years}",
        "year": "Año {year}",
        "not_built": "Sitio aún no construido",
        "link_not_built": "Enlace aún no construido",
        "not_connected": "Aún sin conexión nueva",
        "existing": "Ya servido por sitios existentes",
        "unserved": "Sin servicio tampoco en el plan completo",
        "figures": "Gasto del año: {spend} USD; acumulado: {cumulative} de {budget} USD. "
        "Personas conectadas: {people} ({share} del plan completo).",
        "heading": "Despliegue por fases",
        "columns": "| Año | Construido | Gasto (USD) | Acumulado (USD) | Personas conectadas "
        "| Del plan completo |",
        "notes": "Notas",
    },
    "en": {
        "title": "Phased rollout, year {year} of {years}",
        "year": "Year {year}",
        "not_built": "Site not built yet",
        "link_not_built": "Link not built yet",
        "not_connected": "Not newly connected yet",
        "existing": "Already served by existing sites",
        "unserved": "Not served by the one-shot plan either",
        "figures": "Spend this year: {spend} USD; so far: {cumulative} of {budget} USD. "
        "People connected: {people} ({share} of the one-shot plan).",
        "heading": "Phased rollout",
        "columns": "| Year | Built | Spend (USD) | So far (USD) | People connected "
        "| Of the one-shot plan |",
        "notes": "Notes",
    },
}


def rollout(
    plan: Plan, yearly_budget_usd: float, years: int, *, satellite: pd.DataFrame | None = None
) -> Rollout:
    """Schedule a plan's sites, links, satellite kits and hotspots over ``years`` years.

    Parameters
    ----------
    plan
        The one-shot plan: its sites (``cost_usd``, USD, as total cost of ownership; the
        point of presence also carries the plan-wide cost lines: its equipment, the core,
        IP transit), links
        (``cost_usd`` where the plan has it, else 0), backhaul graph and demand (``service``;
        a plan without it counts ``covered`` points as "served_new").
    yearly_budget_usd
        The budget of each year (USD); unspent money carries over to the next year.
    years
        Years of the rollout, at least 1.
    satellite
        The satellite kits of the plan's "served_satellite" points (``demand_id``,
        ``households``, ``cost_usd``); None (default): :func:`satellite_table`'s.

    Returns
    -------
    Rollout
        See :func:`coverage.planning.rollout.schedule_rollout`.

    Raises
    ------
    InputError
        A plan with sites but no point of presence, or tables the schedule cannot use. A plan
        with no sites at all gives a rollout that builds nothing.
    """
    if satellite is None:
        satellite = satellite_table(plan)
    demand = pd.DataFrame(plan.demand)
    if "service" not in demand.columns:  # a plan made before existing service was modelled
        demand["service"] = np.where(demand["covered"].astype(bool), "served_new", "unserved")
    demand["best_site"] = demand["best_site"].fillna("").astype(str)
    pops = plan.sites.loc[plan.sites["role"] == "pop", "site_id"].astype(str).tolist()
    if not pops and len(plan.sites):
        msg = "plan.sites has no site with role 'pop'; a rollout starts from a point of presence."
        raise InputError(msg)
    sites = plan.sites.copy()
    lines = getattr(plan, "costs", None)
    if lines is not None and len(lines) and pops:  # the PoP, core and transit come with the PoP
        shared = float(lines.loc[lines["element"] == "plan", "tco_usd"].sum())
        at_pop = sites["role"] == "pop"
        sites.loc[at_pop, "cost_usd"] = sites.loc[at_pop, "cost_usd"] + shared / int(at_pop.sum())
    hot = getattr(plan, "hotspots", None)
    hotspots = None if hot is None or not len(hot) else pd.DataFrame(hot)
    return schedule_rollout(
        sites,
        plan.links,
        plan.backhaul,
        pops,
        demand,
        yearly_budget_usd,
        years,
        LastMile(satellite, hotspots),
    )


def satellite_table(plan: Plan) -> pd.DataFrame | None:
    """The plan's satellite terminals from its cost lines: one row per equipped point.

    Parameters
    ----------
    plan
        The plan (its ``costs`` lines of kind "satellite", element ``satellite <id>``).

    Returns
    -------
    pandas.DataFrame or None
        ``demand_id``, ``households`` (terminals) and ``cost_usd`` (their TCO, USD); None
        when the plan has no terminal.
    """
    lines = getattr(plan, "costs", None)
    if lines is None or not len(lines):
        return None
    sat = lines[lines["kind"] == "satellite"]
    if not len(sat):
        return None
    ids = sat["element"].str.slice(len("satellite "))
    kits = sat[sat["item"] == "satellite_kit"].groupby(ids)["quantity"].sum()
    usd = sat.groupby(ids)["tco_usd"].sum()
    return pd.DataFrame(
        {"demand_id": usd.index.astype(str), "households": kits.reindex(usd.index).to_numpy(),
         "cost_usd": usd.to_numpy()}
    )  # fmt: skip


def year_colors(years: int) -> list[str]:
    """One colour per year of a rollout, early years dark, late years light (viridis).

    Parameters
    ----------
    years
        Years of the rollout.

    Returns
    -------
    list of str
        ``years`` hex colours, year 1 first.
    """
    cmap = plt.get_cmap("viridis")
    return [to_hex(cmap(0.9 * i / max(years - 1, 1))) for i in range(years)]


def rollout_map_figure(plan: Plan, result: Rollout, year: int, *, language: str = "es") -> Figure:
    """The map of what is built and who is connected by the end of ``year``, A4 landscape.

    Hillshade, vereda boundaries and names; links and sites built by then coloured by the
    year they were built, the others grey and hollow; demand points coloured by the year
    they are connected (blue: served already by existing sites; grey: not yet); scale bar,
    north arrow, the year's figures and the rollout's notes.

    Parameters
    ----------
    plan
        The one-shot plan the rollout schedules.
    result
        Its rollout (:func:`rollout`).
    year
        The year to draw, 1 to the rollout's last.
    language
        "es" or "en".

    Returns
    -------
    matplotlib.figure.Figure
        11.69 x 8.27 inches; the caller saves and closes it.

    Raises
    ------
    InputError
        A year outside the rollout.
    """
    n = len(result.years)
    if not 1 <= year <= n:
        msg = f"year {year} is not a year of the rollout; give 1 to {n}."
        raise InputError(msg)
    check_language(language)
    colors = year_colors(n)
    with plt.rc_context(MATPLOTLIB_TEXT_RC):
        fig = plt.figure(figsize=(11.69, 8.27))
        ax = fig.add_axes((0.03, 0.08, 0.68, 0.80))
        t = plan.terrain
        shade = hillshade(t.elevation_m, t.cell_size_m)
        ax.imshow(shade, cmap="gray", extent=_extent(t.bounds), vmin=0, vmax=255, alpha=0.8)
        _draw_veredas(ax, plan)
        _draw_links(ax, plan, result, year, colors)
        _draw_demand(ax, plan, result, year, colors)
        _draw_sites(ax, plan, result, year, colors)
        _frame(ax, t.bounds)
        _draw_scale_bar_and_north(ax, t.bounds, language)
        _legend(fig, year, colors, language)
        _captions(fig, plan, result, year, language)
    return fig


def _draw_links(ax: Any, plan: Plan, result: Rollout, year: int, colors: list[str]) -> None:
    """Links built by ``year`` in the colour of their year; the others grey, dashed."""
    for r in plan.links.itertuples():
        built = result.per_link.get((str(r.site_a), str(r.site_b)), -1)
        xs, ys = r.geometry.xy
        if 1 <= built <= year:
            ax.plot(xs, ys, color=colors[built - 1], lw=2.4, zorder=3)
        else:
            ax.plot(xs, ys, color=NOT_YET_COLOR, lw=1.0, ls="--", zorder=2)


def _draw_demand(ax: Any, plan: Plan, result: Rollout, year: int, colors: list[str]) -> None:
    """Demand points by the year they are connected; schools as stars."""
    d = plan.demand
    when = d["demand_id"].astype(str).map(result.per_demand).fillna(-1).to_numpy(dtype=int)
    shown = np.where((when >= 1) & (when <= year), when, np.where(when == 0, 0, -1))
    color = np.array(
        [colors[w - 1] if w >= 1 else SERVICE_COLORS["served_existing"] if w == 0 else NOT_YET_COLOR
         for w in shown]
    )  # fmt: skip
    if "service" in d.columns:  # never served, not even by the one-shot plan
        color[(d["service"] == "unserved").to_numpy()] = SERVICE_COLORS["unserved"]
    school = (d["kind"] == "school").to_numpy() if "kind" in d.columns else np.zeros(len(d), bool)
    many = int((~school).sum()) > MAX_DEMAND_MARKERS
    people = d["population"].to_numpy(dtype=float)
    size = np.full(len(d), 4.0) if many else np.clip(10 + np.sqrt(people) * 3, 10, 120)
    for mask, marker, scale in ((~school, "s" if many else "o", 1.0), (school, "*", 0.0)):
        ax.scatter(
            d.geometry.x[mask],
            d.geometry.y[mask],
            s=size[mask] * scale + 140 * (1 - scale),
            c=color[mask],
            marker=marker,
            edgecolors="none" if many and scale else "black",
            linewidths=0.5,
            zorder=4,
        )


def _draw_sites(ax: Any, plan: Plan, result: Rollout, year: int, colors: list[str]) -> None:
    """Sites built by ``year`` filled with the colour of their year; the others hollow, grey."""
    for r in plan.sites.itertuples():
        built = result.per_site.get(str(r.site_id), -1)
        marker = _ROLE_MARKERS.get(str(r.role), "o")
        done = 1 <= built <= year
        ax.scatter(
            [r.geometry.x],
            [r.geometry.y],
            marker=marker,
            s=90,
            c=[colors[built - 1] if done else "none"],
            edgecolors="black" if done else NOT_YET_COLOR,
            linewidths=1.2,
            zorder=5,
        )
        ax.annotate(
            safe_text(r.site_id, "matplotlib"),
            (r.geometry.x, r.geometry.y),
            xytext=(4, 4),
            textcoords="offset points",
            fontsize=7,
            color="black" if done else "#555555",
            zorder=6,
        )


def _legend(fig: Figure, year: int, colors: list[str], language: str) -> None:
    """The years' colours up to ``year``, what is grey, and the markers of the site roles."""
    W = _WORDS[language]
    handles: list[Any] = [
        Patch(color=colors[y - 1], label=W["year"].format(year=y)) for y in range(1, year + 1)
    ]
    handles += [
        Line2D([], [], marker="o", ls="", mfc="none", mec=NOT_YET_COLOR, label=W["not_built"]),
        Line2D([], [], color=NOT_YET_COLOR, ls="--", label=W["link_not_built"]),
    ]
    handles += [
        Line2D([], [], marker="o", ls="", color=c, label=W[key])
        for key, c in (
            ("not_connected", NOT_YET_COLOR),
            ("existing", SERVICE_COLORS["served_existing"]),
            ("unserved", SERVICE_COLORS["unserved"]),
        )
    ]
    handles += [
        Line2D([], [], marker=mk, ls="", color="#444444", label=label(role, language))
        for role, mk in _ROLE_MARKERS.items()
    ]
    fig.legend(
        handles=handles, loc="upper left", bbox_to_anchor=(0.72, 0.92), fontsize=8,
        title=label("legend", language), title_fontsize=8, frameon=False,
    )  # fmt: skip


def _captions(fig: Figure, plan: Plan, result: Rollout, year: int, language: str) -> None:
    """The title, the year's figures, and the rollout's notes."""
    W = _WORDS[language]
    row = result.years.iloc[year - 1]
    title = f"{W['title'].format(year=year, years=len(result.years))}: {plan.heading}"
    fig.text(0.03, 0.955, safe_text(title, "matplotlib"), fontsize=15, weight="bold")
    figures = W["figures"].format(
        spend=fmt_number(row["spend_usd"]),
        cumulative=fmt_number(row["cumulative_spend_usd"]),
        budget=fmt_number(row["budget_cumulative_usd"]),
        people=fmt_number(row["people_connected"]),
        share=fmt_share(row["share_of_one_shot"]),
    )
    fig.text(0.03, 0.93, safe_text(figures, "matplotlib"), fontsize=9, va="top")
    notes = "\n".join(textwrap.fill(n, 60) for n in result.notes)
    fig.text(0.72, 0.10, safe_text(notes, "matplotlib"), fontsize=6.5, va="bottom", color="#333333")


def write_rollout(
    plan: Plan, result: Rollout, out_dir: str | os.PathLike[str], *, language: str = "es"
) -> dict[str, Path]:
    """Write a rollout's tables and maps into ``out_dir``, each file atomically.

    Parameters
    ----------
    plan
        The one-shot plan the rollout schedules.
    result
        Its rollout (:func:`rollout`).
    out_dir
        The folder; it must exist.
    language
        "es" or "en", for the maps and the Markdown.

    Returns
    -------
    dict
        Output key -> path: ``rollout_csv`` (``rollout.csv``, the years table),
        ``rollout_subdivisions_csv`` (``rollout_<plural>.csv``, e.g. ``rollout_veredas.csv``
        for Palmitas: households newly connected per sub-district, column ``subdivision``,
        by the end of each year, and the one-shot plan's), ``rollout_md``
        (``rollout.md``: the notes, among them the budget assumption, and the years) and
        ``rollout_year_<N>`` (``rollout_year_<N>.png``, one map per year).
    """
    check_language(language)
    root = Path(out_dir)
    per_sub = result.per_vereda_year.reset_index().rename(columns={"vereda": "subdivision"})
    name = f"rollout_{plan_words(plan, 'es').file_word}.csv"
    out = {
        "rollout_csv": write_text(safe_path(root, "rollout.csv"), csv_table(result.years)),
        "rollout_subdivisions_csv": write_text(safe_path(root, name), csv_table(per_sub)),
        "rollout_md": write_text(safe_path(root, "rollout.md"), _markdown(plan, result, language)),
    }
    for year in range(1, len(result.years) + 1):
        fig = rollout_map_figure(plan, result, year, language=language)
        out[f"rollout_year_{year}"] = save_figure(fig, safe_path(root, f"rollout_year_{year}.png"))
    return out


def _markdown(plan: Plan, result: Rollout, language: str) -> str:
    """The rollout's notes, then one line per year: what is built, the money, the people."""
    W = _WORDS[language]
    md = functools.partial(safe_text, sink="markdown")
    lines = [f"# {md(plan.heading)}: {W['heading']}", "", f"## {W['notes']}", ""]
    lines += [f"- {md(n)}" for n in result.notes]
    lines += ["", W["columns"], "|---|---|---|---|---|---|"]
    for r in result.years.itertuples():
        lines.append(
            f"| {r.year} | {md(r.built)} | {fmt_number(r.spend_usd)} | "
            f"{fmt_number(r.cumulative_spend_usd)} | {fmt_number(r.people_connected)} | "
            f"{fmt_share(r.share_of_one_shot)} |"
        )
    return "\n".join(lines) + "\n"
