"""Plan a region, several territories with one scenario, as tasks on a dask cluster.

Each territory runs the single-territory pipeline (:func:`coverage.pipeline.plan_coverage`'s
stages, in its order) as three kinds of task:

1. :func:`prepare_territory`: resolve the scenario, load and check the data, the existing
   service, the candidates (stage 1 and 2 of :mod:`coverage.pipeline`);
2. :func:`rx_block`: the coverage matrix of one block of ``block_candidates`` candidates
   (:func:`coverage.pipeline.stages.sparse_coverage` on those candidates: each candidate's
   rows depend on that candidate only, so the blocks put together are the whole matrix,
   bit for bit, at every level from the service threshold), sent back sparse: only the
   pairs at or above the threshold (:mod:`coverage.pipeline.sparsecov`);
3. :func:`finish_territory`: the placement, the plan, its outputs written into
   ``<out_dir>/<slug>/`` (by the worker: on a cluster of several machines the output
   folder must be on a filesystem they share), and the small
   :class:`~coverage.outputs.regionsummary.TerritoryOutcome` sent back.

:func:`plan_region` submits them on a :class:`distributed.Client` (the blocks of a
territory as soon as its candidates are known, so that territories and blocks of all
territories share the workers), logs each task as it completes, and returns the outcomes in
the region's order whatever the order of completion; without a client it runs the same
functions one after the other in this process (the serial run, which gives the same plans).
Before the tasks, an area given as a new-area request is built into ``<out_dir>/<slug>/area``
(:func:`coverage.pipeline.regionareas.build_request_areas`); after them, the border pass
(:func:`coverage.pipeline.regionborder.neighbour_reach`: one task per territory pair with
access sites in range of the other's demand) counts the points a neighbour's site reaches
that a territory's own network leaves without signal, each once, without changing the plans.
:func:`write_region` writes the region's summary (tables, report, map).

What is not distributed: each territory's placement is one task (one HiGHS solve) on one
worker, which holds the territory's sparse coverage (about 8 bytes per pair at or above the
threshold, a fifth of the pairs on Palmitas) and the placement's covers built from it; the
chosen sites' full rows are computed again there for the plan's SINR. A worker computing a
block holds that block's dense levels and their temporaries (a few times one block's
float32 matrix). Each task holds its territory's whole terrain grid (the area plus margin);
the DEM file is read through the warper and its footprint checked by window
(:func:`coverage.inputs.dem.dem_footprint`), not loaded whole.
"""

from __future__ import annotations

import json
import logging
import os
import resource
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from coverage.outputs.regionneighbour import NEIGHBOUR_LIMITS
from coverage.outputs.regionsummary import (
    TerritoryOutcome,
    border_sites,
    region_markdown,
    subdivision_table,
    territory_outcome,
    territory_table,
)
from coverage.pipeline import _stage, write_plan
from coverage.pipeline.assemble import assemble_plan
from coverage.pipeline.existing import existing_service
from coverage.pipeline.prepare import Inputs, prepare_inputs
from coverage.pipeline.regionareas import build_request_areas
from coverage.pipeline.regionborder import extra_load, neighbour_reach, overload_warnings
from coverage.pipeline.regionfile import Region, territory_scenarios
from coverage.pipeline.resolve import ResolvedScenario, resolve
from coverage.pipeline.sparsecov import SparseCoverage
from coverage.pipeline.stages import build_candidates, choose_sites, sparse_coverage
from coverage.scenario import Scenario, load_scenario

__all__ = [
    "Prepared",
    "RegionResult",
    "RxBlock",
    "finish_territory",
    "plan_region",
    "prepare_territory",
    "rx_block",
    "write_region",
]

log = logging.getLogger(__name__)


@dataclass(frozen=True, eq=False)
class Prepared:
    """One territory after its first task: the resolved scenario, data and candidates.

    Attributes
    ----------
    index
        The territory's place in the region.
    name, slug
        The region entry's name and folder.
    resolved
        The resolved scenario.
    inputs
        The loaded data, with the existing service.
    candidates
        The candidate sites.
    timings
        Seconds of each stage so far.
    """

    index: int
    name: str
    slug: str
    resolved: ResolvedScenario
    inputs: Inputs
    candidates: gpd.GeoDataFrame
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def n_candidates(self) -> int:
        """Candidate sites.

        Returns
        -------
        int
            Rows of :attr:`candidates`.
        """
        return len(self.candidates)


@dataclass(frozen=True, eq=False)
class RxBlock:
    """The coverage-matrix rows of candidates ``start`` to ``stop`` (excluded).

    Attributes
    ----------
    start, stop
        The candidates (rows of :attr:`Prepared.candidates`).
    coverage
        (options, points) received power (dBm) of those candidates at or above the
        service threshold (:class:`~coverage.pipeline.sparsecov.SparseCoverage`).
    seconds
        Time the block took (s).
    pairs
        Option-to-point pairs computed (candidates x heights x points).
    peak_rss_mb
        The process's peak resident memory so far (MB).
    worker
        The worker's address ("local" in a serial run).
    """

    start: int
    stop: int
    coverage: SparseCoverage
    seconds: float
    pairs: int
    peak_rss_mb: float
    worker: str


@dataclass(frozen=True, eq=False)
class RegionResult:
    """What a region plan made.

    Attributes
    ----------
    name
        The region's name.
    outcomes
        One per territory, in the region's order.
    border
        Border site pairs (:func:`~coverage.outputs.regionsummary.border_sites`).
    metrics
        ``wall_s``, ``workers``, ``scheduler``, and per-block figures (``blocks``).
    neighbour
        Demand points served from a neighbouring territory's site, each once
        (:func:`coverage.pipeline.regionborder.neighbour_reach`).
    neighbour_notes
        What the border pass did not predict, one sentence each.
    language
        The region report's language: the base scenario's.
    neighbour_load
        The extra busy-hour load on each site serving a neighbour's points, and whether it
        would overload the site (:func:`coverage.pipeline.regionborder.extra_load`).
    """

    name: str
    outcomes: tuple[TerritoryOutcome, ...]
    border: pd.DataFrame
    metrics: dict[str, Any] = field(default_factory=dict)
    neighbour: pd.DataFrame = field(default_factory=pd.DataFrame)
    neighbour_notes: tuple[str, ...] = ()
    language: str = "en"
    neighbour_load: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def warnings(self) -> tuple[str, ...]:
        """Every territory's warnings, each prefixed with the territory's name.

        Returns
        -------
        tuple of str
            Empty when no plan has warnings; a site a neighbour's points would overload is
            one too (the region's figures count those points as served).
        """
        own = tuple(f"{o.name}: {w}" for o in self.outcomes for w in o.warnings)
        return own + overload_warnings(self.neighbour_load)


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # kB on Linux


def _worker() -> str:
    try:
        from distributed import get_worker

        return str(get_worker().address)
    except (ImportError, ValueError):
        return "local"


def prepare_territory(
    index: int, name: str, slug: str, scenario: Scenario, mirror: str | None
) -> Prepared:
    """Stage 1 and 2 of one territory: resolve, load and check, existing service, candidates.

    Parameters
    ----------
    index
        The territory's place in the region.
    name
        The region entry's name.
    slug
        Its folder name.
    scenario
        The territory's scenario.
    mirror
        Mirror folder of the input data (None: ``$COVERAGE_DATA_MIRROR``).

    Returns
    -------
    Prepared
        What the coverage blocks and the placement need.
    """
    timings: dict[str, float] = {}
    with _stage("inputs", timings):
        resolved = resolve(scenario)
        inputs = prepare_inputs(resolved, mirror=mirror)
    with _stage("existing_service", timings):
        inputs = existing_service(resolved, inputs)
    with _stage("candidates", timings):
        candidates = build_candidates(resolved, inputs)
    return Prepared(index, name, slug, resolved, inputs, candidates, timings)


def rx_block(prepared: Prepared, start: int, stop: int) -> RxBlock:
    """The coverage matrix of candidates ``start`` to ``stop`` of a territory.

    Parameters
    ----------
    prepared
        The territory (:func:`prepare_territory`).
    start, stop
        The candidates' rows (``stop`` excluded).

    Returns
    -------
    RxBlock
        The rows, with the time, pairs and peak memory of the task.
    """
    t0 = time.perf_counter()
    part = prepared.candidates.iloc[start:stop]
    coverage = sparse_coverage(prepared.resolved, prepared.inputs, part)
    heights = len(prepared.resolved.scenario.placement.mast_heights_m)
    pairs = len(part) * heights * len(prepared.inputs.demand)
    seconds = time.perf_counter() - t0
    return RxBlock(start, stop, coverage, seconds, pairs, _peak_rss_mb(), _worker())


def finish_territory(
    prepared: Prepared, blocks: Sequence[RxBlock], formats: list[str] | None = None
) -> TerritoryOutcome:
    """Placement, plan and outputs of one territory from its coverage blocks.

    Parameters
    ----------
    prepared
        The territory (:func:`prepare_territory`).
    blocks
        Its coverage blocks, in any order; together they cover every candidate once.
    formats
        Output kinds to write (default: all).

    Returns
    -------
    TerritoryOutcome
        The figures the region's summary needs.

    Raises
    ------
    ValueError
        The blocks do not cover the candidates exactly once.
    """
    ordered = sorted(blocks, key=lambda b: b.start)
    bounds = [(b.start, b.stop) for b in ordered]
    expected = list(
        zip([0, *[b.stop for b in ordered[:-1]]], [b.stop for b in ordered], strict=True)
    )
    if bounds != expected or (ordered and ordered[-1].stop != prepared.n_candidates):
        msg = f"{prepared.name}: coverage blocks {bounds} do not cover {prepared.n_candidates} candidates"
        raise ValueError(msg)
    r, inputs, candidates = prepared.resolved, prepared.inputs, prepared.candidates
    timings = dict(prepared.timings)
    timings["coverage_matrix"] = round(sum(b.seconds for b in ordered), 3)
    empty = SparseCoverage.from_dense(
        np.zeros((0, len(inputs.demand)), np.float32), r.threshold_dbm
    )
    rx = SparseCoverage.concatenate([empty, *(b.coverage for b in ordered)])
    with _stage("placement", timings):
        placement = choose_sites(r, inputs, candidates, rx)
    with _stage("plan", timings):
        plan = assemble_plan(r, inputs, candidates, rx, placement, timings=timings)
    del rx
    outputs = write_plan(plan, formats=formats)
    metrics = {"peak_rss_mb": _peak_rss_mb(), "worker": _worker()}
    return territory_outcome(
        plan,
        name=prepared.name,
        slug=prepared.slug,
        outputs=outputs,
        metrics=metrics,
        access_range_m=r.technology.max_range_m,
    )


def _blocks(n: int, size: int) -> list[tuple[int, int]]:
    return [(a, min(a + size, n)) for a in range(0, n, size)] or [(0, 0)]


def _serial(
    items: list[tuple[int, str, str, Scenario]],
    mirror: str | None,
    size: int,
    formats: list[str] | None,
) -> tuple[list[TerritoryOutcome], list[dict[str, Any]]]:
    """The same tasks, one after the other in this process."""
    outcomes: list[TerritoryOutcome] = []
    figures: list[dict[str, Any]] = []
    for item in items:
        prepared = prepare_territory(*item, mirror)
        blocks = [rx_block(prepared, a, b) for a, b in _blocks(prepared.n_candidates, size)]
        outcomes.append(finish_territory(prepared, blocks, formats))
        log.info("region: %s planned (%d of %d)", item[1], len(outcomes), len(items))
        figures += [{"territory": item[1], **_figures(b)} for b in blocks]
    return outcomes, figures


def _distributed(
    client: Any,
    items: list[tuple[int, str, str, Scenario]],
    mirror: str | None,
    size: int,
    formats: list[str] | None,
) -> tuple[list[TerritoryOutcome], list[dict[str, Any]]]:
    """Submit every territory's tasks; log each as it completes; outcomes by index."""
    from distributed import as_completed

    prep = {
        i: client.submit(prepare_territory, *item, mirror, pure=False)
        for i, item in enumerate(items)
    }
    counts = {client.submit(_count, f, pure=False): i for i, f in prep.items()}
    names = {i: item[1] for i, item in enumerate(items)}
    pending = as_completed(list(counts))
    kinds: dict[str, tuple[str, int]] = {f.key: ("count", i) for f, i in counts.items()}
    outcomes: dict[int, TerritoryOutcome] = {}
    block_figures: list[dict[str, Any]] = []
    n_blocks: dict[int, int] = {}
    for fut in pending:
        kind, i = kinds.pop(fut.key)
        if fut.status == "error":
            log.error("region: %s failed (%s task)", names[i], kind)
            fut.result()  # raises the task's own exception
        if kind == "count":
            n = fut.result()
            spans = _blocks(n, size)
            blocks = [client.submit(rx_block, prep[i], a, b, pure=False) for a, b in spans]
            figures = [client.submit(_figures, b, pure=False, priority=1) for b in blocks]
            n_blocks[i] = len(blocks)
            log.info("region: %s prepared, %d candidates in %d blocks", names[i], n, len(spans))
            finish = client.submit(finish_territory, prep[i], blocks, formats, pure=False)
            kinds[finish.key] = ("finish", i)
            for f in figures:
                kinds[f.key] = ("block", i)
                pending.add(f)
            pending.add(finish)
        elif kind == "block":
            block_figures.append({"territory": names[i], **fut.result()})
            done = sum(1 for b in block_figures if b["territory"] == names[i])
            log.info("region: %s coverage block %d of %d done", names[i], done, n_blocks[i])
        else:
            outcomes[i] = fut.result()
            log.info("region: %s planned (%d of %d)", names[i], len(outcomes), len(items))
            prep.pop(i)  # release the territory's data on the workers
    order = {name: i for i, name in names.items()}
    block_figures.sort(key=lambda b: (order[b["territory"]], b["start"]))  # as the serial run's
    return [outcomes[i] for i in sorted(outcomes)], block_figures


def _count(prepared: Prepared) -> int:
    return prepared.n_candidates


def _figures(block: RxBlock) -> dict[str, Any]:
    return {
        "start": block.start,
        "stop": block.stop,
        "seconds": block.seconds,
        "pairs": block.pairs,
        "peak_rss_mb": block.peak_rss_mb,
        "worker": block.worker,
    }


def plan_region(
    region: Region,
    client: Any = None,
    *,
    out_dir: str | os.PathLike[str] | None = None,
    mirror: str | os.PathLike[str] | None = None,
    formats: list[str] | None = None,
) -> RegionResult:
    """Plan every territory of a region and find the border site pairs.

    Parameters
    ----------
    region
        The region (:func:`coverage.pipeline.regionfile.load_region`).
    client
        A :class:`distributed.Client` (:func:`coverage.pipeline.cluster.region_client`);
        None runs the same tasks one after the other in this process.
    out_dir
        The region's output folder (default: the region's ``out_dir``), made absolute here:
        the workers write each territory's outputs into ``<out_dir>/<slug>``.
    mirror
        Mirror folder of the input data (default ``$COVERAGE_DATA_MIRROR``, read here and
        passed to the workers).
    formats
        Output kinds each territory writes (default: all).

    Returns
    -------
    RegionResult
        The outcomes in the region's order, the border pairs, the run's figures.

    Raises
    ------
    RegionError
        The region's scenario, an area, a new-area request or an override has problems
        (before any task).
    CoverageError
        A territory's planning failed (its data, its placement); raised as the task raised it.
    """
    # absolute: a worker's working directory is not the client's
    folder_out = Path(out_dir if out_dir is not None else region.out_dir).resolve()
    region = build_request_areas(region, folder_out)
    scenarios = territory_scenarios(region, out_dir=folder_out)
    items = [
        (i, a.name, a.slug, s) for i, (a, s) in enumerate(zip(region.areas, scenarios, strict=True))
    ]
    folder = mirror if mirror is not None else os.environ.get("COVERAGE_DATA_MIRROR")
    source = None if folder is None else str(Path(folder).resolve())
    t0 = time.perf_counter()
    if client is None:
        outcomes, blocks = _serial(items, source, region.block_candidates, formats)
        workers: Any = "serial"
    else:
        outcomes, blocks = _distributed(client, items, source, region.block_candidates, formats)
        workers = len(client.scheduler_info().get("workers", {}))
    t1 = time.perf_counter()
    neighbour, notes = neighbour_reach(outcomes, scenarios, source, client)
    metrics = {
        "wall_s": round(time.perf_counter() - t0, 3),
        "border_pass_s": round(time.perf_counter() - t1, 3),
        "workers": workers,
        "block_candidates": region.block_candidates,
        "blocks": blocks,
    }
    border = border_sites(outcomes)
    language = load_scenario(region.scenario_path).language  # checked by territory_scenarios
    load = extra_load(outcomes, neighbour)
    for w in overload_warnings(load):
        log.warning("region: %s", w)
    return RegionResult(
        region.name, tuple(outcomes), border, metrics, neighbour, tuple(notes), language, load
    )


def write_region(result: RegionResult, out_dir: str | os.PathLike[str]) -> dict[str, Path]:
    """Write the region's summary: tables, border pairs, report, map, JSON.

    Parameters
    ----------
    result
        The region plan (:func:`plan_region`).
    out_dir
        The region's output folder (each territory's outputs are in its sub-folder).

    Returns
    -------
    dict[str, Path]
        Output name -> path: ``territories`` (region_territories.csv), ``subdivisions``
        (region_subdivisions.csv), ``border`` (region_border_sites.csv), ``neighbour``
        (region_served_from_neighbour.csv: points served from a neighbour's site),
        ``neighbour_sites`` (region_neighbour_site_load.csv: the extra load on those sites),
        ``report``
        (region.md), ``map`` (region_map.html), ``json`` (region.json).
    """
    from coverage.outputs.files import safe_path, write_text
    from coverage.outputs.regionmap import region_map
    from coverage.outputs.text import csv_table
    from coverage.outputs.webmap import map_html

    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    outcomes, border, neighbour = result.outcomes, result.border, result.neighbour
    table = territory_table(outcomes, border, neighbour)
    shown = {k: v for k, v in result.metrics.items() if k != "blocks"}
    texts = {
        "territories": ("region_territories.csv", csv_table(table)),
        "subdivisions": (
            "region_subdivisions.csv",
            csv_table(subdivision_table(outcomes, neighbour)),
        ),
        "border": ("region_border_sites.csv", csv_table(border)),
        "neighbour": ("region_served_from_neighbour.csv", csv_table(neighbour)),
        "neighbour_sites": ("region_neighbour_site_load.csv", csv_table(result.neighbour_load)),
        "report": (
            "region.md",
            region_markdown(
                result.name,
                outcomes,
                border,
                shown,
                neighbour,
                result.neighbour_notes,
                result.language,
                result.neighbour_load,
            ),
        ),
        "map": ("region_map.html", map_html(region_map(result.name, outcomes, border))),
    }
    record = {
        "name": result.name,
        "territories": json.loads(table.to_json(orient="records")),
        "outputs": {o.name: o.outputs for o in outcomes},
        "warnings": {o.name: list(o.warnings) for o in outcomes},
        "served_from_neighbour": {
            "models": list(NEIGHBOUR_LIMITS),
            "not_predicted": list(result.neighbour_notes),
            "points": json.loads(neighbour.to_json(orient="records")),
            "site_load": json.loads(result.neighbour_load.to_json(orient="records")),
            "overloaded": list(overload_warnings(result.neighbour_load)),
        },
        "metrics": {**result.metrics, "territories": {o.name: o.metrics for o in outcomes}},
    }
    texts["json"] = ("region.json", json.dumps(record, indent=2, ensure_ascii=False, default=str))
    written = {k: write_text(safe_path(folder, name), text) for k, (name, text) in texts.items()}
    log.info("region %s written to %s", result.name, folder)
    return written
