"""The manifest of a run: scenario, input checksums, software versions, timings, outputs.

:func:`build_manifest` gathers what is needed to reproduce a plan and to check its files:
the plan's warnings, the scenario as run, every input file with its SHA-256 (and whether it
matches the checksum the scenario declares), a digest of the terrain grid, the models and
assumptions, the Python, GDAL and package versions, the timings of the pipeline's stages and
of each output, and each output's size and SHA-256. It reads files to hash them and writes
nothing; :func:`coverage.outputs.export.write_manifest` writes it atomically.
"""

from __future__ import annotations

import hashlib
import os
import platform
import sys
from collections.abc import Mapping
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import numpy as np
import rasterio

from coverage.outputs.report import jsonable
from coverage.plan import Plan

__all__ = ["build_manifest", "sha256_file"]


def sha256_file(path: str | os.PathLike[str]) -> str:
    """SHA-256 hex digest of a file, read in 1 MiB chunks.

    Parameters
    ----------
    path
        The file to hash.

    Returns
    -------
    str
        The digest, 64 lower-case hex digits.
    """
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


_PACKAGES = (
    "coverage-planner",
    "numpy",
    "scipy",
    "numba",
    "geopandas",
    "shapely",
    "pyproj",
    "pyogrio",
    "rasterio",
    "networkx",
    "folium",
    "branca",
    "xstatic-leaflet",
    "matplotlib",
)


def _versions() -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for name in _PACKAGES:
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = None
    return out


def _declared_layers(plan: Plan) -> dict[str, Any]:
    """Input files named by the scenario's ``area.layers`` tables, found and hashed.

    Each layer's ``file`` is looked for beside the area file (``area.path``) and in
    ``$COVERAGE_DATA_MIRROR``; the entry records where it was found, its SHA-256 and whether
    that matches one of the layer's declared ``sha256`` values.
    """
    area = plan.scenario.area
    roots = []
    if area.path is not None:  # an area built in code, not loaded from a file, has no path
        roots.append(area.path.parent)
    if os.environ.get("COVERAGE_DATA_MIRROR"):
        roots.append(Path(os.environ["COVERAGE_DATA_MIRROR"]))
    found: dict[str, Any] = {}
    for name, spec in area.layers.items():
        declared = list(spec.sha256)
        entry: dict[str, Any] = {"file": spec.file, "declared_sha256": declared}
        for root in roots:
            p = root / spec.file
            if p.is_file():
                digest = sha256_file(p)
                entry.update(
                    path=str(p),
                    sha256=digest,
                    bytes=p.stat().st_size,
                    matches_declared=digest in declared if declared else None,
                )
                break
        else:
            entry["sha256"] = None
        found[str(name)] = entry
    return found


def _inputs(plan: Plan, extra: Mapping[str, Any] | None) -> dict[str, Any]:
    """Input files and their checksums.

    From the scenario's ``area.layers`` (see :func:`_declared_layers`), then
    ``plan.metrics["inputs"]`` and ``extra`` (name -> path, hashed here when the file
    exists, or a mapping that already carries ``sha256``), later ones overriding.
    """
    found: dict[str, Any] = _declared_layers(plan)
    sources = {**dict(plan.metrics.get("inputs", {}) or {}), **dict(extra or {})}
    for name, value in sources.items():
        if isinstance(value, Mapping):
            found[str(name)] = jsonable(dict(value))
            continue
        p = Path(str(value))
        entry: dict[str, Any] = {"path": str(value)}
        if p.is_file():
            entry.update(sha256=sha256_file(p), bytes=p.stat().st_size)
        else:
            entry["sha256"] = None
        found[str(name)] = entry
    return found


def build_manifest(
    plan: Plan,
    path: str | os.PathLike[str],
    *,
    outputs: Mapping[str, Path] | None = None,
    timings_s: Mapping[str, float] | None = None,
    inputs: Mapping[str, Any] | None = None,
    details: Mapping[str, Mapping[str, Any]] | None = None,
) -> dict[str, Any]:
    """The manifest of a run: what is needed to reproduce and check it.

    Parameters
    ----------
    plan
        The plan; its warnings, scenario, terrain, models, assumptions and metrics are
        recorded.
    path
        Where the manifest will be written; output paths are given relative to its folder.
    outputs
        Output name -> path of the files written, each recorded with its size (bytes) and
        SHA-256.
    timings_s
        Output name -> seconds spent writing it.
    inputs
        Extra input files (name -> path, or a mapping that already carries ``sha256``).
    details
        Output name -> more facts about that output, added to its record (e.g. the map's
        ``kind``: ``"offline"`` or ``"cdn"``, from :func:`coverage.outputs.webmap.map_kind`).

    Returns
    -------
    dict
        JSON-ready: the plan's name, its ``warnings`` (a list, empty when the run stands
        behind the plan), the creation time (UTC), the scenario
        (``plan.scenario.to_dict()``), the input files with their SHA-256 (the scenario's
        area layers, ``plan.metrics["inputs"]`` and ``inputs``), a digest of the terrain
        grid, the models and assumptions, the Python, GDAL and package versions, the
        pipeline's timings (``plan.metrics``) and the writing time of each output, and each
        output's size and SHA-256 (and its ``details``). Every text has lost its control characters
        (:func:`coverage.outputs.report.jsonable`).
    """
    manifest = {
        "plan": plan.name,
        "warnings": list(plan.warnings),
        "created_utc": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "scenario": jsonable(plan.scenario.to_dict()),
        "inputs": _inputs(plan, inputs),
        "terrain": _terrain_record(plan),
        "models": dict(plan.models),
        "assumptions": list(plan.assumptions),
        "software": {
            "python": sys.version.split()[0],
            "platform": platform.platform(),
            "gdal": rasterio.__gdal_version__,
            "packages": _versions(),
        },
        "timings_s": {
            "pipeline": jsonable(plan.metrics.get("timings_s", plan.metrics.get("seconds", {}))),
            "outputs": {k: round(v, 4) for k, v in (timings_s or {}).items()},
        },
        "outputs": _output_records(outputs or {}, Path(path).parent.resolve(), details or {}),
    }
    return jsonable(manifest)


def _terrain_record(plan: Plan) -> dict[str, Any]:
    """The terrain grid: source, CRS, shape, cell, bounds, voids filled, elevation digest."""
    elev = np.ascontiguousarray(plan.terrain.elevation_m)
    return {
        "source": plan.terrain.source,
        "crs": plan.crs,
        "shape": list(plan.terrain.shape),
        "cell_size_m": plan.terrain.cell_size_m,
        "bounds_m": list(plan.terrain.bounds),
        "filled_voids": plan.terrain.filled_voids,
        "elevation_sha256": hashlib.sha256(elev.tobytes()).hexdigest(),
    }


def _output_records(
    outputs: Mapping[str, Path], folder: Path, details: Mapping[str, Mapping[str, Any]]
) -> dict[str, Any]:
    """Each output file: its path (relative to ``folder`` when inside it), size and SHA-256,
    then the ``details`` given for it."""
    return {
        name: {
            "path": p.relative_to(folder).as_posix()
            if p.resolve().is_relative_to(folder)
            else str(p),
            "bytes": p.stat().st_size,
            "sha256": sha256_file(p),
            **dict(details.get(name, {})),
        }
        for name, p in outputs.items()
        if p.is_file()
    }
