"""Areas of a region given as ``coverage-plan new-area`` requests, built before planning.

A region entry ``request = "altavista.toml"`` names a new-area request
(:mod:`coverage.inputs.arearequest`): one territory's feature of a multi-territory boundary
layer, its sub-districts, schools and tables selected by ``where``. :func:`build_request_areas`
builds each such area with :func:`coverage.inputs.newarea.new_area` into
``<out_dir>/<slug>/area/`` (area.toml, scenario.toml, layers, DEM), as
``coverage-plan new-area REQUEST <out_dir>/<slug>/area`` would, and makes the scenario it
wrote the entry's own scenario (:mod:`coverage.pipeline.regionfile`). The folder is rebuilt
on every run, so that it follows the request and its sources.
"""

from __future__ import annotations

import dataclasses
import logging
import os
from pathlib import Path

from coverage.errors import CoverageError, RegionError
from coverage.inputs.arearequest import read_request
from coverage.inputs.newarea import new_area
from coverage.pipeline.regionfile import Region

__all__ = ["build_request_areas"]

log = logging.getLogger(__name__)


def build_request_areas(region: Region, out_dir: str | os.PathLike[str]) -> Region:
    """Build the area folder of each request entry; the region with their scenarios.

    Parameters
    ----------
    region
        The region (:func:`coverage.pipeline.regionfile.load_region`).
    out_dir
        The region's output folder: a request entry's area goes to ``<out_dir>/<slug>/area``.

    Returns
    -------
    Region
        The same region, each request entry's ``scenario_path`` the built scenario.toml
        (the region itself when it has no request entry).

    Raises
    ------
    RegionError
        A request is malformed or its layers are unusable (the message names the entry and
        carries new-area's own).
    """
    areas = list(region.areas)
    for i, entry in enumerate(areas):
        if entry.request_path is None:
            continue
        folder = Path(out_dir) / entry.slug / "area"
        try:
            built = new_area(read_request(entry.request_path), folder)
        except CoverageError as err:
            msg = f"region file {region.path}: areas[{i}] ({entry.name}).request: {err}"
            raise RegionError(msg) from err
        for note in built.notes:
            log.info("region: %s: %s", entry.name, note)
        log.info("region: %s built from %s into %s", entry.name, entry.request_path, folder)
        areas[i] = dataclasses.replace(entry, scenario_path=built.scenario.resolve())
    return dataclasses.replace(region, areas=tuple(areas))
