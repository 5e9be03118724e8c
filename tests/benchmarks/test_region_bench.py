"""Medellín's three rural corregimientos planned as one region on a dask cluster (issue 20).

Run on demand, on an otherwise idle machine (not part of the default run: ``tests/benchmarks``
is ignored by pytest's ``addopts``)::

    COVERAGE_DATA_MIRROR=../shared/data/palmitas \\
        .venv/bin/pytest tests/benchmarks/test_region_bench.py -s -p no:cacheprovider

The region: San Sebastián de Palmitas (the bundled ``data/palmitas`` area, its layers from
the mirror), San Cristóbal and Altavista (area folders written at run time from
``../shared/data/medellin_rural/`` by :func:`tests.benchmarks.territories.build_area`, never
committed), with the bundled scenario and, for each of the two, the budget new-area's rule
scales (by area or households, the larger) and an ASSUMED point of presence: a point inside
its boundary (no fibre routes are known for 60 and 70, PROVENANCE.md).

- :func:`test_region_plans_within_15_minutes_and_4_gb_with_gaps_per_territory`: the whole
  region on a local cluster of 2 workers (one thread each); the wall time, each worker's
  peak memory (the peak resident set of the worker process, read inside each task), each
  territory's served shares and gaps. Done-when: within 15 minutes and under 4 GB peak
  (the workers' peaks and this process's, summed).
- :func:`test_coverage_stage_speed_up_and_department_extrapolation`: the coverage stage alone
  (every territory prepared first and each worker's compiled kernels loaded by a one-candidate
  block, then only the coverage-matrix blocks timed) on 1 and on 2 workers: the speed-up, the measured cost per option-to-point pair (candidate x mast
  height x demand point) and per candidate-to-point pair, extrapolated to the department
  of Antioquia (63,612 km², 125 municipalities, as es.wikipedia.org "Antioquia" gives them
  with its sources; other sources give 62,150 km²) at the three corregimientos' density of candidates and
  demand points per km².

``REGION_BENCH_CODES`` (default ``50,60,70``) chooses the corregimientos and
``REGION_BENCH_CANDIDATES`` (default: each scenario's own) overrides ``max_candidates``, for
a quick check of the code path (e.g. ``REGION_BENCH_CODES=50 REGION_BENCH_CANDIDATES=20``);
the figures of the issue are those of the defaults.
"""

from __future__ import annotations

import json
import os
import resource
import time
from pathlib import Path
from typing import Any

import geopandas as gpd
import pytest

from coverage.pipeline.cluster import region_client
from coverage.pipeline.region import plan_region, prepare_territory, rx_block, write_region
from coverage.pipeline.regionfile import Region, load_region, territory_scenarios
from coverage.scenario import DATA_DIR
from tests.benchmarks.build_problems import default_shared
from tests.benchmarks.territories import CODES, build_area

pytestmark = pytest.mark.benchmark

#: Antioquia's area (km2) and municipalities, from es.wikipedia.org "Antioquia" (infobox and
#: its cited sources; retrieved 2026-12-04); other sources give 62,150 km2, 2 % less.
ANTIOQUIA_KM2 = 63_612.0
ANTIOQUIA_MUNICIPALITIES = 125
#: The Done-when of issue 20.
LIMIT_S = 15 * 60.0
LIMIT_MB = 4096.0
#: Palmitas's area (km2, EPSG:9377), as coverage.inputs.areafiles states it.
PALMITAS_KM2 = 57.8


def _codes() -> list[str]:
    return [c.strip() for c in os.environ.get("REGION_BENCH_CODES", "50,60,70").split(",") if c]


def _toml(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _entry(code: str, tmp: Path, shared: Path, candidates: str) -> tuple[str, float]:
    """The ``[[areas]]`` table of one corregimiento, and its area (km2)."""
    extra = [f"candidates = {{ max_candidates = {int(candidates)} }}"] if candidates else []
    if code == "50":
        lines = [f"name = {_toml(CODES[code])}", f"area = {_toml(str(DATA_DIR / 'palmitas'))}"]
        return "\n".join(
            ["[[areas]]", *lines, f"overrides = {{ {', '.join(extra)} }}", ""]
        ), PALMITAS_KM2
    t = build_area([code], tmp / f"c{code}", shared)
    boundary = gpd.read_file(tmp / f"c{code}" / "boundary.geojson").to_crs(4326)
    p = boundary.geometry.iloc[0].representative_point()
    pop = (
        f"pop = {{ name = {_toml('assumed PoP, ' + CODES[code])}, lon_deg = {p.x!r}, "
        f"lat_deg = {p.y!r}, source = {_toml('ASSUMPTION: a point inside the boundary (benchmark)')} }}"
    )
    overrides = [
        f"placement = {{ budget_usd = {t.budget_usd!r} }}",
        f"backhaul = {{ {pop} }}",
        *extra,
    ]
    lines = [f"name = {_toml(CODES[code])}", f"area = {_toml(str(t.scenario.parent))}"]
    return "\n".join(
        ["[[areas]]", *lines, f"overrides = {{ {', '.join(overrides)} }}", ""]
    ), t.area_km2


@pytest.fixture(scope="module")
def region(tmp_path_factory: pytest.TempPathFactory) -> tuple[Region, float]:
    shared = default_shared()
    if not (shared / "medellin_rural").is_dir() or not (shared / "palmitas").is_dir():
        pytest.fail(f"the benchmark needs {shared}/medellin_rural and {shared}/palmitas")
    os.environ.setdefault("COVERAGE_DATA_MIRROR", str(shared / "palmitas"))
    tmp = tmp_path_factory.mktemp("region")
    candidates = os.environ.get("REGION_BENCH_CANDIDATES", "")
    entries = [_entry(c, tmp, shared, candidates) for c in _codes()]
    head = [
        'name = "Medellín rural"',
        f"scenario = {_toml(str(DATA_DIR / 'palmitas' / 'scenario.toml'))}",
        f"out_dir = {_toml(str(tmp / 'out'))}",
        "workers = 2",
        "",
    ]
    path = tmp / "region.toml"
    path.write_text("\n".join(head + [e for e, _ in entries]), encoding="utf-8")
    return load_region(path), sum(km2 for _, km2 in entries)


def _peaks(result_blocks: list[dict[str, Any]], outcomes: Any) -> dict[str, float]:
    peaks: dict[str, float] = {}
    for b in result_blocks:
        peaks[b["worker"]] = max(peaks.get(b["worker"], 0.0), b["peak_rss_mb"])
    for o in outcomes:
        w = o.metrics["worker"]
        peaks[w] = max(peaks.get(w, 0.0), o.metrics["peak_rss_mb"])
    return peaks


def test_region_plans_within_15_minutes_and_4_gb_with_gaps_per_territory(
    region: tuple[Region, float],
) -> None:
    r, km2 = region
    t0 = time.perf_counter()
    with region_client(workers=2) as client:
        result = plan_region(r, client)
    written = write_region(result, r.out_dir)
    wall = time.perf_counter() - t0
    peaks = _peaks(result.metrics["blocks"], result.outcomes)
    client_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    print(
        f"\nregion {r.name}: {len(r.areas)} territories, {km2:.1f} km2, {wall:.0f} s on 2 workers"
    )
    print(f"peak memory per worker (MB): {peaks}; this process {client_mb:.0f} MB")
    for o in result.outcomes:
        t = o.totals
        gaps = {k: round(v["people"]) for k, v in t["uncovered_by_reason"].items() if v["people"]}
        print(
            f"{o.name}: {t['people_covered']:,.0f} of {t['people_total']:,.0f} people served by the "
            f"network ({t['share_people_covered'] or 0:.1%}), "
            f"{t['people_total'] - t.get('people_unserved', 0.0):,.0f} by any service; gaps "
            f"(people by reason) {gaps}; {o.metrics['timings_s']}; warnings {list(o.warnings)}"
        )
    print(f"border pairs: {len(result.border)}; outputs {written['report']}")
    assert written["report"].is_file()
    assert all(len(o.subdivisions) for o in result.outcomes)
    assert wall <= LIMIT_S
    assert sum(peaks.values()) + client_mb <= LIMIT_MB


def _coverage_stage(r: Region, workers: int) -> dict[str, Any]:
    """Prepare every territory, then time only the coverage blocks, on ``workers`` workers."""
    from distributed import wait

    scenarios = territory_scenarios(r)
    mirror = os.environ.get("COVERAGE_DATA_MIRROR")
    with region_client(workers=workers) as client:
        prep = [
            client.submit(prepare_territory, i, a.name, a.slug, s, mirror, pure=False)
            for i, (a, s) in enumerate(zip(r.areas, scenarios, strict=True))
        ]
        sizes = client.gather([client.submit(_sizes, p, pure=False) for p in prep])
        # each worker loads the compiled kernels once (a second or so) before the clock starts
        warm = [
            client.submit(
                rx_block, prep[0], 0, 1, workers=[w], allow_other_workers=False, pure=False
            )
            for w in client.scheduler_info()["workers"]
        ]
        wait(warm)
        t0 = time.perf_counter()
        blocks = [
            client.submit(rx_block, p, a, min(a + r.block_candidates, n), pure=False)
            for p, (n, _, _) in zip(prep, sizes, strict=True)
            for a in range(0, n, r.block_candidates)
        ]
        wait(blocks)
        wall = time.perf_counter() - t0
        figures = client.gather([client.submit(_block_figures, b, pure=False) for b in blocks])
    seconds = sum(f[0] for f in figures)
    pairs = sum(f[1] for f in figures)
    candidate_pairs = sum(n * points for n, points, _ in sizes)
    return {
        "workers": workers,
        "wall_s": wall,
        "task_s": seconds,
        "option_pairs": pairs,
        "candidate_pairs": candidate_pairs,
        "candidates": sum(n for n, _, _ in sizes),
        "points": sum(p for _, p, _ in sizes),
        "heights": sizes[0][2],
        "peak_mb": max(f[2] for f in figures),
    }


def _sizes(prepared: Any) -> tuple[int, int, int]:
    heights = len(prepared.resolved.scenario.placement.mast_heights_m)
    return prepared.n_candidates, len(prepared.inputs.demand), heights


def _block_figures(block: Any) -> tuple[float, int, float]:
    return block.seconds, block.pairs, block.peak_rss_mb


def test_coverage_stage_speed_up_and_department_extrapolation(region: tuple[Region, float]) -> None:
    r, km2 = region
    one, two = _coverage_stage(r, 1), _coverage_stage(r, 2)
    speed_up = one["wall_s"] / two["wall_s"]
    per_option_pair_us = 1e6 * one["task_s"] / one["option_pairs"]
    per_candidate_pair_us = 1e6 * one["task_s"] / one["candidate_pairs"]
    print(
        f"\ncoverage stage: {one['candidates']} candidates x {one['heights']} heights x "
        f"{one['points']} points; 1 worker {one['wall_s']:.1f} s, 2 workers {two['wall_s']:.1f} s "
        f"(speed-up {speed_up:.2f}); peak per worker {one['peak_mb']:.0f} / {two['peak_mb']:.0f} MB"
    )
    print(
        f"cost: {per_option_pair_us:.2f} us per option-to-point pair, "
        f"{per_candidate_pair_us:.2f} us per candidate-to-point pair (1 worker, 1 thread)"
    )
    # the department at the region's density of candidates and points per km2, planned as
    # its municipalities (each one territory: candidates x points grows with area squared)
    c_km2, p_km2 = one["candidates"] / km2, one["points"] / km2
    mean_km2 = ANTIOQUIA_KM2 / ANTIOQUIA_MUNICIPALITIES
    pairs = ANTIOQUIA_MUNICIPALITIES * (c_km2 * mean_km2) * (p_km2 * mean_km2)
    cpu_h = pairs * per_candidate_pair_us / 1e6 / 3600.0
    matrix_gb = (c_km2 * mean_km2) * one["heights"] * (p_km2 * mean_km2) * 4 / 1e9
    print(
        f"Antioquia ({ANTIOQUIA_KM2:,.0f} km2 as {ANTIOQUIA_MUNICIPALITIES} municipalities of "
        f"{mean_km2:,.0f} km2): {pairs:.3g} candidate-to-point pairs, {cpu_h:,.1f} CPU-hours "
        f"({cpu_h / speed_up:,.1f} h on 2 workers at the measured speed-up), a dense float32 "
        f"matrix of {matrix_gb:,.2f} GB per municipality"
    )
    assert one["option_pairs"] == two["option_pairs"]
    assert speed_up > 1.0
