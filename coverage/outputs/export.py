"""Files for operators, officials and planners, written from a :class:`~coverage.plan.Plan`.

:func:`write_outputs` writes everything into one output folder: the interactive map (HTML,
offline), Cloud-Optimised GeoTIFFs of received power, signal class and best server (nodata,
colour tables, overviews; a QGIS `.qml` style beside each), a GeoPackage (sites, links, demand, sub-districts, coverage and
best-server polygons, per-site footprints, existing mobile sites when the plan has them, a run-info table;
:mod:`coverage.outputs.geopackage`), a KMZ
for Google Earth, a CSV site list, the installers' link table (CSV; :mod:`coverage.outputs.linktable`), one profile chart per backhaul link, a static map (PNG and
PDF), the summary (JSON, CSV, Markdown), the coverage-gap report (HTML and PDF, with the map of
:mod:`coverage.outputs.gapmap`) and a manifest (scenario, input checksums, package
versions, timings, output checksums). The plan's warnings are in the map, the summaries,
the gap report, the GeoTIFFs' tags, the GeoPackage's run-info table, the KMZ's description
and the manifest.

Every file is written atomically and inside the output folder (:mod:`coverage.outputs.files`).
Every text from the plan passes :func:`coverage.outputs.text.safe_text` for its sink: no
output holds a control character, CSV cells are guarded against formulas, and file names
made from site ids hold only ``A-Za-z0-9_.-``. Web and KML outputs are reprojected to
EPSG:4326 here and in :mod:`coverage.outputs.webmap` only.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from coverage.errors import InputError
from coverage.outputs import (
    charts,
    costs,
    gapmap,
    kml,
    report,
    report_pages,
    summarytable,
    webmap,
)
from coverage.outputs import rollout as rollout_outputs
from coverage.outputs.broadband import SITE_FIGURES
from coverage.outputs.files import (
    safe_path,
    save_figure,
    save_pdf,
    write_bytes,
    write_text,
)
from coverage.outputs.geopackage import SUBDIVISION_FIELDS, subdivision_layer, write_geopackage
from coverage.outputs.geotiff import write_rasters
from coverage.outputs.labels import azimuths_text, check_language
from coverage.outputs.linktable import LINK_TABLE_UNITS, link_table
from coverage.outputs.manifest import build_manifest
from coverage.outputs.outputset import staged_output_set
from coverage.outputs.qgisstyle import write_raster_styles
from coverage.outputs.text import csv_table, safe_text
from coverage.outputs.words import plan_words
from coverage.plan import Plan

__all__ = [
    "FORMATS",
    "SET_BYTES_FIXED",
    "SET_BYTES_PER_CELL",
    "SET_BYTES_PER_LINK",
    "estimate_set_bytes",
    "generic_fields",
    "sites_table",
    "subdivision_layer",
    "write_geopackage",
    "write_manifest",
    "write_outputs",
]

log = logging.getLogger(__name__)

#: Output groups that :func:`write_outputs` knows, in the order it writes them.
FORMATS = (
    "map",
    "summary",
    "geotiff",
    "gpkg",
    "kmz",
    "sites_csv",
    "links_csv",
    "costs_csv",
    "profiles",
    "static_map",
    "gap_report",
    "rollout",
    "manifest",
)


# --- site list ------------------------------------------------------------------------------
def sites_table(plan: Plan) -> pd.DataFrame:
    """The site list: coordinates in WGS84 and the working CRS, heights, equipment, azimuths.

    Columns: ``site_id, name, role, lon_deg, lat_deg, easting_m, northing_m, crs,
    ground_elevation_m, mast_height_m, antenna_elevation_m, equipment, azimuths_deg,
    cost_usd, people_covered, schools_covered, hops_to_pop``, then the access sites'
    busy-hour figures (:data:`coverage.outputs.broadband.SITE_FIGURES`: carrier, load,
    capacity, shares, median SINR; empty for relays) when the plan has them. ``equipment`` and
    ``azimuths_deg`` come from the sites' columns of those names when the plan has them,
    else from the scenario's technology preset and "omni". Azimuths are degrees clockwise
    from grid north, separated by ";".

    Parameters
    ----------
    plan
        The plan.

    Returns
    -------
    pandas.DataFrame
        One row per site of ``plan.sites``, in its order.
    """
    s = plan.sites
    ll = s.to_crs("EPSG:4326")
    # equipment and azimuths_deg are optional columns of Plan.sites (the pipeline writes them)
    tech = plan.scenario.technology.preset
    equipment = s["equipment"].astype(str) if "equipment" in s.columns else [tech] * len(s)
    az = (
        [azimuths_text(v) for v in s["azimuths_deg"]]
        if "azimuths_deg" in s.columns
        else ["omni"] * len(s)
    )
    table = pd.DataFrame(
        {
            "site_id": s["site_id"].astype(str).to_numpy(),
            "name": s["name"].astype(str).to_numpy(),
            "role": s["role"].astype(str).to_numpy(),
            "lon_deg": np.round(ll.geometry.x.to_numpy(), 7),
            "lat_deg": np.round(ll.geometry.y.to_numpy(), 7),
            "easting_m": np.round(s.geometry.x.to_numpy(), 2),
            "northing_m": np.round(s.geometry.y.to_numpy(), 2),
            "crs": plan.crs,
            "ground_elevation_m": np.round(s["ground_elevation_m"].to_numpy(dtype=float), 1),
            "mast_height_m": s["mast_height_m"].to_numpy(dtype=float),
            "antenna_elevation_m": np.round(
                (s["ground_elevation_m"] + s["mast_height_m"]).to_numpy(dtype=float), 1
            ),
            "equipment": list(equipment),
            "azimuths_deg": az,
            "cost_usd": s["cost_usd"].to_numpy(dtype=float),
            "people_covered": s["people_covered"].to_numpy(dtype=float),
            "schools_covered": s["schools_covered"].to_numpy(dtype=int),
            "hops_to_pop": s["hops_to_pop"].to_numpy(dtype=int),
        }
    )
    if "downtilt_deg" in s.columns:  # the access antenna's fitted downtilt (degrees)
        at = list(table.columns).index("azimuths_deg") + 1
        table.insert(at, "downtilt_deg", s["downtilt_deg"].to_numpy(dtype=float))
    for col in SITE_FIGURES:  # the busy-hour load, when the pipeline wrote it
        if col in s.columns:
            table[col] = np.round(s[col].to_numpy(dtype=float), 3)
    return table


# --- manifest -------------------------------------------------------------------------------
def write_manifest(
    plan: Plan,
    path: str | os.PathLike[str],
    *,
    outputs: Mapping[str, Path] | None = None,
    timings_s: Mapping[str, float] | None = None,
    inputs: Mapping[str, Any] | None = None,
    details: Mapping[str, Mapping[str, Any]] | None = None,
) -> Path:
    """Write ``manifest.json`` atomically.

    Parameters
    ----------
    plan, path, outputs, timings_s, inputs, details
        As for :func:`coverage.outputs.manifest.build_manifest`.

    Returns
    -------
    Path
        ``path``.
    """
    data = build_manifest(
        plan, path, outputs=outputs, timings_s=timings_s, inputs=inputs, details=details
    )
    return write_text(path, json.dumps(data, indent=2, ensure_ascii=False) + "\n")


# --- everything -----------------------------------------------------------------------------
#: Space per grid cell, per link and for the rest of an output set (bytes), for
#: :func:`estimate_set_bytes`: about twice what the default Palmitas set takes
#: (7.1 MiB for 280,795 cells and 10 links, ``docs/benchmarks.md``).
SET_BYTES_PER_CELL = 32
SET_BYTES_PER_LINK = 200_000
SET_BYTES_FIXED = 4 * 2**20


def write_outputs(
    plan: Plan,
    out_dir: str | os.PathLike[str],
    *,
    language: str = "es",
    formats: Iterable[str] | None = None,
    inputs: Mapping[str, Any] | None = None,
) -> dict[str, Path]:
    """Write the outputs of a plan into ``out_dir`` (created if missing), as one set.

    The set is staged and moved in whole (:func:`coverage.outputs.outputset.staged_output_set`):
    after a failure or an interrupt the previous set is as it was, and files of the previous
    set that this one does not write are removed.

    Parameters
    ----------
    plan
        The plan to write.
    out_dir
        Output folder; every file lands inside it.
    language
        "es" or "en" for the map, reports and charts.
    formats
        Names from :data:`FORMATS` (default: all). ``manifest`` is always written last and
        lists every other output with its checksum.
    inputs
        Extra input files (name -> path) to checksum in the manifest.

    Returns
    -------
    dict
        Output name -> path, e.g. ``map``, ``summary_json``, ``summary_csv``,
        ``summary_md``, ``rx_dbm_tif``, ``rx_class_tif``, ``best_server_tif`` (with ``rx_dbm_qml``,
        ``rx_class_qml``, ``best_server_qml``: their QGIS styles), ``gpkg``,
        ``kmz``, ``sites_csv``, ``links_csv``, ``profile_<a>_<b>``, ``static_map_png``,
        ``static_map_pdf``, ``gap_report_html``, ``gap_report_pdf``, ``manifest``.

    Raises
    ------
    InputError
        An unknown format (also a ``ValueError``).
    OutputError
        An output folder that is a file, lies under a file, cannot be written or has too
        little free space (:func:`estimate_set_bytes`), or a write that failed; the previous
        set is as it was (also an ``OSError``).
    ScenarioError
        An unknown language (also a ``ValueError``).
    """
    wanted = _wanted_formats(language, formats)
    with staged_output_set(out_dir, estimate_set_bytes(plan)) as stage:
        steps = _writers(plan, stage, language)
        written: dict[str, Path] = {}
        timings: dict[str, float] = {}
        for fmt in FORMATS:
            if fmt not in wanted or fmt == "manifest":
                continue
            t0 = time.perf_counter()
            written.update(steps[fmt]())
            timings[fmt] = time.perf_counter() - t0
            log.info("wrote %s in %.2f s", fmt, timings[fmt])
        if "manifest" in wanted:
            path = safe_path(stage, "manifest.json")
            written["manifest"] = write_manifest(
                plan,
                path,
                outputs=written,
                timings_s=timings,
                inputs=inputs,
                details=_output_details(written),
            )
        final = {k: Path(out_dir).resolve() / v.relative_to(stage) for k, v in written.items()}
    return final


def _output_details(written: Mapping[str, Path]) -> dict[str, dict[str, Any]]:
    """Facts the manifest records about some outputs: the map's kind (offline or CDN), the
    link table's units."""
    out: dict[str, dict[str, Any]] = {}
    if "map" in written:
        out["map"] = webmap.map_kind(written["map"].read_text(encoding="utf-8"))
    if "links_csv" in written:
        out["links_csv"] = {"units": dict(LINK_TABLE_UNITS)}
    return out


def estimate_set_bytes(plan: Plan) -> int:
    """A generous estimate of the bytes a plan's full output set takes on disk.

    Parameters
    ----------
    plan
        The plan to write.

    Returns
    -------
    int
        :data:`SET_BYTES_PER_CELL` per propagation-grid cell (the rasters uncompressed, the
        coverage polygons and map overlays), :data:`SET_BYTES_PER_LINK` per backhaul link
        (its profile chart) and :data:`SET_BYTES_FIXED` for the reports (bytes).
    """
    cells = int(plan.coverage_dbm.size)
    return cells * SET_BYTES_PER_CELL + len(plan.links) * SET_BYTES_PER_LINK + SET_BYTES_FIXED


def _wanted_formats(language: str, formats: Iterable[str] | None) -> list[str]:
    """The formats asked for, once each; checks them and the language before any work."""
    check_language(language)
    wanted = list(FORMATS) if formats is None else list(dict.fromkeys(formats))
    unknown = [f for f in wanted if f not in FORMATS]
    if unknown:
        msg = f"Unknown output format(s) {unknown}; choose from {list(FORMATS)}."
        raise InputError(msg)
    return wanted


def _writers(plan: Plan, root: Path, language: str) -> dict[str, Callable[[], dict[str, Path]]]:
    """One function per format of :data:`FORMATS` but the manifest: writes it, returns paths."""
    summary = report.summarize(plan)
    p = functools.partial(safe_path, root)
    return {
        "map": lambda: _write_map(plan, root, language),
        "summary": lambda: _write_summary(plan, summary, root, language),
        "geotiff": lambda: {
            **write_rasters(plan, root),
            **write_raster_styles(plan, root, language),
        },
        "gpkg": lambda: {"gpkg": write_geopackage(plan, p("plan.gpkg"), language=language)},
        "kmz": lambda: {"kmz": write_bytes(p("plan.kmz"), kml.kmz_bytes(plan, language=language))},
        "sites_csv": lambda: {
            "sites_csv": write_text(p("sites.csv"), csv_table(sites_table(plan))),
            **_hotspots_csv(plan, p),
        },
        "links_csv": lambda: {"links_csv": write_text(p("links.csv"), csv_table(link_table(plan)))},
        "costs_csv": lambda: {"costs_csv": write_text(p("costs.csv"), costs.costs_csv(plan))},
        "profiles": lambda: _write_profiles(plan, root, language),
        "static_map": lambda: _write_static_map(plan, root, language),
        "gap_report": lambda: _write_gap_report(plan, summary, root, language),
        "rollout": lambda: _write_rollout(plan, root, language),
    }


def _hotspots_csv(plan: Plan, p: Callable[[str], Path]) -> dict[str, Path]:
    """hotspots.csv (one row per school or plaza hotspot built, WGS84 lon/lat) when the plan has any."""
    hot = getattr(plan, "hotspots", None)
    if hot is None or not len(hot):
        return {}
    ll = hot.to_crs("EPSG:4326")
    table = pd.DataFrame(hot.drop(columns="geometry").rename(columns=SUBDIVISION_FIELDS)).assign(
        lon_deg=ll.geometry.x.round(6), lat_deg=ll.geometry.y.round(6)
    )
    return {"hotspots_csv": write_text(p("hotspots.csv"), csv_table(table.round(2)))}


def _write_rollout(plan: Plan, root: Path, language: str) -> dict[str, Path]:
    """The ``[rollout]`` schedule's tables and yearly maps; nothing when ``years`` is 0."""
    r = plan.scenario.rollout
    if r.years == 0:
        return {}
    yearly = r.yearly_budget_usd or plan.scenario.placement.budget_usd / r.years
    result = rollout_outputs.rollout(plan, yearly, r.years)
    return rollout_outputs.write_rollout(plan, result, root, language=language)


def _write_map(plan: Plan, root: Path, language: str) -> dict[str, Path]:
    page = webmap.map_html(webmap.coverage_map(plan, language=language))
    return {"map": write_text(safe_path(root, "map.html"), page)}


def generic_fields(summary: Mapping[str, Any]) -> dict[str, Any]:
    """The summary as ``summary.json`` holds it: its per-sub-district and school rows with
    the generic field names of every machine-readable output (``subdivision``,
    ``subdivision_id``: :data:`~coverage.outputs.geopackage.SUBDIVISION_FIELDS`), so that a
    script reads a territory of barrios as one of veredas.

    Parameters
    ----------
    summary
        A summary (:func:`coverage.outputs.report.summarize`), whose rows use the planner's
        own keys ``vereda`` and ``vereda_id``.

    Returns
    -------
    dict
        A copy; the other keys unchanged.
    """
    out = dict(summary)
    for key in ("subdivisions", "schools"):
        out[key] = [
            {SUBDIVISION_FIELDS.get(k, k): v for k, v in row.items()} for row in summary[key]
        ]
    return out


def _write_summary(
    plan: Plan, summary: dict[str, Any], root: Path, language: str
) -> dict[str, Path]:
    text = json.dumps(generic_fields(summary), indent=2, ensure_ascii=False) + "\n"
    p = functools.partial(safe_path, root)
    table = f"summary_{plan_words(plan, 'es').file_word}.csv"  # summary_veredas.csv: Palmitas
    return {
        "summary_json": write_text(p("summary.json"), text),
        "summary_csv": write_text(p(table), summarytable.summary_csv(summary, language=language)),
        "summary_total_csv": write_text(
            p("summary_total.csv"), summarytable.total_csv(summary, language=language)
        ),
        "summary_md": write_text(
            p("summary.md"), report.summary_markdown(summary, language=language)
        ),
    }


def _write_gap_report(
    plan: Plan, summary: dict[str, Any], root: Path, language: str
) -> dict[str, Path]:
    gap_png = gapmap.gap_map_png(plan, language=language)
    page = report.gap_report_html(summary, language=language, gap_map_png=gap_png)
    html_path = write_text(safe_path(root, "gap_report.html"), page)
    figures = [
        *report_pages.gap_report_figures(summary, language=language),
        gapmap.gap_map_figure(plan, language=language),
        charts.static_map_figure(plan, language=language),
    ]
    return {
        "gap_report_html": html_path,
        "gap_report_pdf": save_pdf(figures, safe_path(root, "gap_report.pdf")),
    }


def _write_profiles(plan: Plan, root: Path, language: str) -> dict[str, Path]:
    """One profile PNG per link, named by its site ids; a name already taken gets a number."""
    out: dict[str, Path] = {}
    for r in plan.links.itertuples():
        a, b = str(r.site_a), str(r.site_b)
        key = f"profile_{safe_text(a, 'file_name')}_{safe_text(b, 'file_name')}"
        key += f"_{len(out) + 1}" if key in out else ""  # "S 1" and "S_1" read alike
        fig = charts.link_profile_figure(plan, a, b, language=language)
        out[key] = save_figure(fig, safe_path(root, f"profiles/{key}.png"), dpi=110)
    return out


def _write_static_map(plan: Plan, root: Path, language: str) -> dict[str, Path]:
    return {
        f"static_map_{ext}": save_figure(
            charts.static_map_figure(plan, language=language), safe_path(root, f"static_map.{ext}")
        )
        for ext in ("png", "pdf")
    }
