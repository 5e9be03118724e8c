"""The summary of a region: one table per territory and one per sub-district, border sites.

A region (:mod:`coverage.pipeline.region`) plans each territory on its own and keeps, of each
plan, a :class:`TerritoryOutcome`: small, picklable figures built by
:func:`territory_outcome` where the plan was made (a dask worker), sent back to the client.
From the outcomes, in the region's order:

- :func:`territory_table`: households, people, people served by the new network and by any
  service (existing cells, the network, hotspots, satellite), sites, total cost of
  ownership, warnings and the exit status of each territory, and the region's total;
- :func:`subdivision_table`: the same figures for each sub-district of each territory;
- :func:`border_sites`: pairs of sites of two territories within :data:`BORDER_M` of each
  other (a site near a border that could serve both sides, counted once in the region's
  count of sites);
- :func:`region_markdown`: the report, which states what the region models and what not.

Each territory's plan is its own: in a territory's own figures a site serves only that
territory's demand, backhaul is not relayed across borders, budgets are not shared. The
border pairs are reported, not re-planned. The demand a neighbour's site reaches
(:mod:`coverage.pipeline.regionborder`) is added by
:func:`coverage.outputs.regionneighbour.add_neighbour` in columns of its own.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from coverage.outputs.regionneighbour import (
    NEIGHBOUR_LIMITS,
    add_neighbour,
    neighbour_markdown,
    overload_warnings,
)
from coverage.outputs.regionwords import column_label, limits, region_word, region_words
from coverage.outputs.report import summarize
from coverage.outputs.text import safe_text
from coverage.plan import Plan

__all__ = [
    "BORDER_M",
    "LIMITS",
    "SIGNAL_REASONS",
    "TerritoryOutcome",
    "border_sites",
    "region_markdown",
    "subdivision_table",
    "territory_outcome",
    "territory_table",
    "unserved_points",
]

#: Sites of two territories this close (m) could be one site serving both sides.
#: ASSUMPTION: about a tenth of a small cell's rural range; an order of magnitude.
BORDER_M = 500.0

#: The reasons (:data:`coverage.plan.REASONS`) a point is unserved for want of signal only:
#: another territory's site may serve it.
SIGNAL_REASONS = ("blocked_by_terrain", "out_of_range", "weak_signal")

#: What a region plan models and what not, said in its report.
LIMITS = (
    "Each territory is planned on its own, with the base scenario and its overrides: the "
    "same plan `coverage-plan run` makes of that territory's scenario.",
    "In each territory's own figures a site serves only its own territory's demand; the "
    "region's tables add, in their `*_region` and `*_from_neighbour` columns, the demand "
    "reached from a neighbouring territory's site (its own section), each point once.",
    "Backhaul is not relayed across borders, and each territory has its own point of "
    "presence and budget.",
    f"Sites of two territories within {BORDER_M:,.0f} m of each other (ASSUMPTION) are "
    "listed as border pairs: one site could serve both sides; the region's count of sites "
    "counts each pair once. The pair is not re-planned as one site.",
)


@dataclass(frozen=True, eq=False)
class TerritoryOutcome:
    """What the region keeps of one territory's plan (small and picklable).

    Attributes
    ----------
    name
        The region entry's name.
    slug
        The territory's folder under the region's output folder.
    territory
        The area file's name.
    scenario
        The territory's scenario name.
    crs
        The working CRS of ``sites`` and ``subdivisions``.
    out_dir
        Folder of the territory's outputs.
    outputs
        Output kind -> path, as written.
    warnings
        The plan's warnings, one sentence each.
    totals
        The plan's totals (:func:`coverage.outputs.report.summarize`'s ``totals``).
    cost_usd
        Total cost of ownership of the plan (USD).
    sites
        The plan's sites (working CRS).
    subdivisions
        One row per sub-district: ``subdivision_id``, ``subdivision``, people, households,
        served counts, geometry (working CRS).
    subdivision_word
        What the territory's sub-districts are called (vereda, barrio ...).
    metrics
        Seconds per stage and what the task measured (``peak_rss_mb``, ``worker``).
    unserved
        The demand points the plan's own network does not serve (:func:`unserved_points`;
        working CRS): what a neighbouring territory's site may still reach.
    access_range_m
        The access technology's largest range (m): a site farther than this from another
        territory's demand reaches none of it.
    """

    name: str
    slug: str
    territory: str
    scenario: str
    crs: str
    out_dir: str
    outputs: dict[str, str]
    warnings: tuple[str, ...]
    totals: dict[str, Any]
    cost_usd: float
    sites: gpd.GeoDataFrame
    subdivisions: gpd.GeoDataFrame
    subdivision_word: str = "vereda"
    metrics: dict[str, Any] = field(default_factory=dict)
    unserved: gpd.GeoDataFrame | None = None
    access_range_m: float = float("nan")

    @property
    def exit_status(self) -> int:
        """What ``coverage-plan run`` would return: 0 without warnings, 3 with.

        Returns
        -------
        int
            0 or 3.
        """
        return 3 if self.warnings else 0


def _served_any(figures: dict[str, Any], unit: str) -> float:
    return float(figures[f"{unit}_total"]) - float(figures.get(f"{unit}_unserved", 0.0))


def unserved_points(plan: Plan, subdivisions: pd.DataFrame) -> gpd.GeoDataFrame:
    """The points a plan's network leaves unserved for want of signal, with their sub-district.

    Only the points whose reason (:data:`coverage.plan.REASONS`) is the signal, that is
    ``blocked_by_terrain``, ``out_of_range`` or ``weak_signal`` (:data:`SIGNAL_REASONS`):
    a point the network's signal reaches but leaves unserved for its uplink, interference,
    capacity or backhaul would not be served by one more site's downlink signal alone.

    Parameters
    ----------
    plan
        The territory's plan.
    subdivisions
        Its sub-district rows (``subdivision_id``, ``subdivision``), as
        :func:`territory_outcome` builds them from :func:`coverage.outputs.report.summarize`.

    Returns
    -------
    geopandas.GeoDataFrame
        ``demand_id``, ``reason``, ``people``, ``households``, ``served_any`` (another service, an
        existing cell, a hotspot or satellite, serves the point), ``subdivision_id`` (as in
        ``subdivisions``: by ``vereda_id`` when the demand has it, else by name), geometry.
    """
    d = plan.demand[~plan.demand["covered"].astype(bool)]
    if "reason" in d.columns:
        d = d[d["reason"].isin(SIGNAL_REASONS)]
    by_id = "vereda_id" in d.columns
    keys = d["vereda_id" if by_id else "vereda"].map(str)
    if by_id:
        ids = keys
    else:  # the first sub-district of that name, as summarize groups them
        pairs = (
            zip(
                subdivisions["subdivision"][::-1], subdivisions["subdivision_id"][::-1], strict=True
            )
            if len(subdivisions)
            else ()
        )
        first = dict(pairs)
        ids = keys.map(lambda k: first.get(k, ""))
    service = d["service"] if "service" in d.columns else pd.Series("unserved", index=d.index)
    return gpd.GeoDataFrame(
        {
            "demand_id": d["demand_id"].map(str).to_numpy(),
            "reason": d["reason"].map(str).to_numpy() if "reason" in d.columns else "",
            "people": d["population"].astype(float).to_numpy(),
            "households": d["households"].astype(float).to_numpy(),
            "served_any": service.ne("unserved").to_numpy(),
            "subdivision_id": ids.to_numpy(),
        },
        geometry=d.geometry.to_numpy(),
        crs=plan.crs,
    )


def territory_outcome(
    plan: Plan,
    *,
    name: str,
    slug: str,
    outputs: dict[str, Any],
    metrics: dict[str, Any],
    access_range_m: float = float("nan"),
) -> TerritoryOutcome:
    """The figures a region keeps of one plan.

    Parameters
    ----------
    plan
        The territory's plan.
    name
        The region entry's name.
    slug
        The territory's folder name.
    outputs
        Output kind -> path written.
    metrics
        Extra figures of the task (peak memory, worker), merged over the plan's timings.
    access_range_m
        The access technology's largest range (m; NaN: unknown, no border pass).

    Returns
    -------
    TerritoryOutcome
        The outcome; its tables are copies, not views of the plan.
    """
    summary = summarize(plan)
    rows = [
        {
            "subdivision_id": str(v["vereda_id"]),
            "subdivision": str(v["vereda"]),
            "households": float(v["households_total"]),
            "people": float(v["people_total"]),
            "people_served_network": float(v["people_covered"]),
            "people_served_any": _served_any(v, "people"),
            "households_served_any": _served_any(v, "households"),
        }
        for v in summary["subdivisions"]  # demand in no sub-district: its own named row
    ]
    table = pd.DataFrame(rows)
    shapes = plan.veredas.set_index(plan.veredas["vereda_id"].map(str)).geometry
    geometry = [shapes.get(i) for i in table["subdivision_id"]] if len(table) else []
    subdivisions = gpd.GeoDataFrame(table, geometry=geometry, crs=plan.crs)
    return TerritoryOutcome(
        name=name,
        slug=slug,
        territory=plan.territory,
        scenario=plan.name,
        crs=plan.crs,
        out_dir=str(plan.scenario.out_dir),
        outputs={str(k): str(v) for k, v in outputs.items()},
        warnings=tuple(str(w) for w in plan.warnings),
        totals=summary["totals"],
        cost_usd=plan.total_cost_usd(),
        sites=plan.sites.copy(),
        subdivisions=subdivisions,
        subdivision_word=plan.subdivision,
        metrics={"timings_s": dict(plan.metrics.get("timings_s", {})), **metrics},
        unserved=unserved_points(plan, table),
        access_range_m=float(access_range_m),
    )


def territory_table(
    outcomes: Sequence[TerritoryOutcome],
    border: pd.DataFrame,
    neighbour: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One row per territory, then the region's total.

    Parameters
    ----------
    outcomes
        The territories, in the region's order.
    border
        The border pairs (:func:`border_sites`); the total counts each pair's sites once.
    neighbour
        The points served from a neighbouring territory's site
        (:func:`coverage.pipeline.regionborder.neighbour_reach`): their columns are added
        (:func:`coverage.outputs.regionneighbour.add_neighbour`); None adds none.

    Returns
    -------
    pandas.DataFrame
        ``territory``, ``households``, ``people``, ``people_served_network``,
        ``share_served_network``, ``people_served_any``, ``share_served_any``,
        ``access_sites``, ``relays``, ``tco_usd``, ``warnings`` (count), ``exit_status``
        (0 or 3), ``border_pairs`` and ``sites_counted_once``; the last row, ``territory``
        "region", sums them, its status the worst, its sites counted once (each group of
        access sites and relays linked by border pairs as one site).
    """
    rows = []
    for o in outcomes:
        t, roles = o.totals, o.sites["role"].astype(str)
        rows.append(
            {
                "territory": o.name,
                "households": float(t["households_total"]),
                "people": float(t["people_total"]),
                "people_served_network": float(t["people_covered"]),
                "people_served_any": _served_any(t, "people"),
                "access_sites": int((roles == "access").sum()),
                "relays": int((roles == "relay").sum()),
                "tco_usd": float(o.cost_usd),
                "warnings": len(o.warnings),
                "exit_status": o.exit_status,
            }
        )
    df = pd.DataFrame(rows)
    total: dict[str, Any] = {"territory": "region"}
    for col in ("households", "people", "people_served_network", "people_served_any", "tco_usd"):
        total[col] = float(df[col].sum()) if len(df) else 0.0
    pairs = (
        border[border["role_a"].ne("pop") & border["role_b"].ne("pop")] if len(border) else border
    )
    total["access_sites"] = int(df["access_sites"].sum()) if len(df) else 0
    total["relays"] = int(df["relays"].sum()) if len(df) else 0
    total["border_pairs"] = len(pairs)
    total["sites_counted_once"] = total["access_sites"] + total["relays"] - _merged(pairs)
    total["warnings"] = int(df["warnings"].sum()) if len(df) else 0
    total["exit_status"] = int(df["exit_status"].max()) if len(df) else 0
    df = pd.concat([df, pd.DataFrame([total])], ignore_index=True)
    for unit in ("network", "any"):
        people = df["people"].where(df["people"] > 0)
        at = list(df.columns).index(f"people_served_{unit}") + 1
        df.insert(at, f"share_served_{unit}", df[f"people_served_{unit}"] / people)
    df["border_pairs"] = df["border_pairs"].fillna(0).astype(int)
    once = df["access_sites"] + df["relays"]
    df["sites_counted_once"] = df["sites_counted_once"].fillna(once).astype(int)
    return df if neighbour is None else add_neighbour(df, neighbour, ["territory"])


def _merged(pairs: pd.DataFrame) -> int:
    """Sites saved when each group of sites linked by border pairs counts as one."""
    graph = nx.Graph()
    for r in pairs.itertuples():
        graph.add_edge((r.territory_a, r.site_a), (r.territory_b, r.site_b))
    return graph.number_of_nodes() - nx.number_connected_components(graph)


def subdivision_table(
    outcomes: Sequence[TerritoryOutcome], neighbour: pd.DataFrame | None = None
) -> pd.DataFrame:
    """One row per sub-district of every territory, territories in the region's order.

    Parameters
    ----------
    outcomes
        The territories.
    neighbour
        The points served from a neighbouring territory's site: their columns are added
        per sub-district, as :func:`territory_table` adds them; None adds none.

    Returns
    -------
    pandas.DataFrame
        ``territory``, ``subdivision_word`` (vereda, barrio ...), ``subdivision_id``,
        ``subdivision``, ``households``, ``people``, ``people_served_network``,
        ``people_served_any``, ``share_served_any``.
    """
    frames = []
    for o in outcomes:
        df = pd.DataFrame(o.subdivisions.drop(columns="geometry"))
        df.insert(0, "subdivision_word", o.subdivision_word)
        df.insert(0, "territory", o.name)
        frames.append(df)
    if not frames:
        return pd.DataFrame()
    out = pd.concat(frames, ignore_index=True).drop(columns="households_served_any")
    out["share_served_any"] = out["people_served_any"] / out["people"].where(out["people"] > 0)
    return (
        out if neighbour is None else add_neighbour(out, neighbour, ["territory", "subdivision_id"])
    )


def border_sites(
    outcomes: Sequence[TerritoryOutcome], *, distance_m: float = BORDER_M
) -> pd.DataFrame:
    """Pairs of sites of two different territories within ``distance_m`` of each other.

    Parameters
    ----------
    outcomes
        The territories; their sites are compared in the first one's CRS.
    distance_m
        Largest distance between the two sites (m).

    Returns
    -------
    pandas.DataFrame
        ``territory_a``, ``site_a``, ``role_a``, ``territory_b``, ``site_b``, ``role_b``,
        ``distance_m``; a before b in the region's order, sorted by territory and site.
    """
    columns = ["territory_a", "site_a", "role_a", "territory_b", "site_b", "role_b", "distance_m"]
    if not outcomes:
        return pd.DataFrame(columns=columns)
    crs = outcomes[0].crs
    parts = [o.sites.to_crs(crs) for o in outcomes]
    xy = np.vstack([np.column_stack([p.geometry.x, p.geometry.y]) for p in parts])
    owner = np.concatenate([np.full(len(p), i) for i, p in enumerate(parts)])
    ids = np.concatenate([p["site_id"].astype(str).to_numpy() for p in parts])
    roles = np.concatenate([p["role"].astype(str).to_numpy() for p in parts])
    rows = []
    if len(xy):
        for a, b in sorted(cKDTree(xy).query_pairs(distance_m)):
            if owner[a] == owner[b]:
                continue
            a, b = (a, b) if owner[a] < owner[b] else (b, a)
            rows.append(
                {
                    "territory_a": outcomes[owner[a]].name,
                    "site_a": ids[a],
                    "role_a": roles[a],
                    "territory_b": outcomes[owner[b]].name,
                    "site_b": ids[b],
                    "role_b": roles[b],
                    "distance_m": float(np.hypot(*(xy[a] - xy[b]))),
                }
            )
    df = pd.DataFrame(rows, columns=columns)
    return df.sort_values(columns[:6], kind="stable").reset_index(drop=True)


def _md(value: Any) -> str:
    if isinstance(value, float):
        return "–" if not np.isfinite(value) else f"{value:,.0f}"
    return safe_text(value, "markdown")


def _share(value: Any) -> str:
    return "–" if value is None or not np.isfinite(value) else f"{100.0 * float(value):.1f} %"


def _table(df: pd.DataFrame, shares: Sequence[str] = (), language: str = "en") -> list[str]:
    if not len(df):
        return [region_word("none", language)]
    header = [column_label(str(c), language) for c in df.columns]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(df.columns)]
    for row in df.itertuples(index=False):
        cells = [_share(v) if c in shares else _md(v) for c, v in zip(df.columns, row, strict=True)]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


#: The keys of :data:`LIMITS` in :data:`coverage.outputs.regionwords.REGION_WORDS`.
_LIMIT_KEYS = ("limit_own", "limit_sites", "limit_backhaul", "limit_pairs")


def region_markdown(
    name: str,
    outcomes: Sequence[TerritoryOutcome],
    border: pd.DataFrame,
    metrics: dict[str, Any],
    neighbour: pd.DataFrame | None = None,
    notes: Sequence[str] = (),
    language: str = "en",
    load: pd.DataFrame | None = None,
) -> str:
    """The region's report: territories, sub-districts, border sites, warnings, limits.

    Parameters
    ----------
    name
        The region's name.
    outcomes
        The territories, in the region's order.
    border
        The border pairs (:func:`border_sites`).
    metrics
        Region figures to state (``wall_s``, ``workers``, ``scheduler``).
    neighbour
        The points served from a neighbouring territory's site (None: no border pass, no
        section).
    notes
        What the border pass did not predict (English).
    language
        The report's language, "es" or "en" (the base scenario's): headings, column names
        and what the region models; the territories' warnings are in their own language.
    load
        The extra busy-hour load on each site serving a neighbour's points, or None.

    Returns
    -------
    str
        A Markdown document (each territory's own outputs are in its scenario's language).
    """
    w = region_words(language)
    m = f"{BORDER_M:,.0f}"
    table = functools.partial(_table, language=language)

    shares = ("share_served_network", "share_served_any", "share_served_region")
    lines = [f"# {w['title'].replace('{name}', _md(name))}", ""]
    warned = [o for o in outcomes if o.warnings]
    overloads = overload_warnings(load) if load is not None else ()
    if warned or overloads:
        lines += [f"## {w['warnings']}", ""]
        for o in warned:
            lines += [f"- **{_md(o.name)}**: {_md(wn)}" for wn in o.warnings]
        lines += [f"- {_md(wn)}" for wn in overloads]
        lines.append("")
    territories = territory_table(outcomes, border, neighbour)
    lines += [f"## {w['territories']}", "", *table(territories, shares), ""]
    lines += [w["explain"], ""]
    subs = subdivision_table(outcomes, neighbour)
    for o in outcomes:
        part = subs[subs["territory"] == o.name].drop(columns=["territory", "subdivision_word"])
        lines += [f"## {_md(o.name)}: {_md(o.subdivision_word)}", ""]
        lines += [f"{w['outputs']}: `{o.out_dir}`", ""]
        lines += [*table(part, ("share_served_any", "share_served_region")), ""]
    lines += [f"## {w['border'].replace('{m}', m)}", "", *table(border), ""]
    if neighbour is not None:
        said = limits(NEIGHBOUR_LIMITS, ("neighbour_does", "neighbour_not"), language)
        lines += neighbour_markdown(neighbour, notes, table, w["neighbour"], said, load)
    stated = [t.replace("{m}", m) for t in limits(LIMITS, _LIMIT_KEYS, language)]
    lines += [f"## {w['models']}", "", *[f"- {t}" for t in stated], ""]
    if metrics:
        lines += [
            f"## {w['run']}",
            "",
            *[f"- {k}: {safe_text(v, 'markdown')}" for k, v in metrics.items()],
            "",
        ]
    return "\n".join(lines)
