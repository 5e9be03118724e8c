"""Stage 1b: the data of a run found, checked and loaded, in the working CRS.

:func:`prepare_inputs` resolves the area's layers (local, mirror, cache or download),
validates every layer and the DEM *before any computation* (all problems in one
:class:`~coverage.errors.InputError`), loads the terrain in the working CRS and builds the
demand points. It takes a :class:`~coverage.pipeline.resolve.ResolvedScenario`, so the
scenario's own mistakes have been reported before any file is read.
"""

from __future__ import annotations

import dataclasses
import logging
import os
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyproj
from numpy.typing import NDArray
from shapely.geometry.base import BaseGeometry

from coverage.errors import InputError, ScenarioError
from coverage.inputs.dem import check_dem, load_terrain
from coverage.inputs.dwellings import area_demand, check_dwellings
from coverage.inputs.existing import EXISTING_LAYER, check_existing_sites
from coverage.inputs.extents import dem_bounds, schools_off_terrain
from coverage.inputs.plazas import PLAZA_LAYER, check_plazas
from coverage.inputs.settlements import Settlements, load_settlements
from coverage.inputs.sources import resolve_layers
from coverage.inputs.terrain import Terrain
from coverage.pipeline.resolve import ResolvedScenario, scenario_file
from coverage.radio.linkbudget import clutter_grid_db
from coverage.scenario import Scenario
from coverage.sections import Point

log = logging.getLogger(__name__)

#: Seconds numba takes to compile the radio kernels on a first run (2-core machine, measured
#: for issue 19: about 50 s); later runs load them from the cache in ``__pycache__``.
FIRST_COMPILE_S = 50.0
#: Folders of the compiled radio modules whose numba cache index (``*.nbi``) tells a first run.
_KERNEL_DIRS = (
    Path(__file__).resolve().parents[1] / "radio" / "_kernels",
    Path(__file__).resolve().parents[1] / "radio" / "itm",
)

__all__ = ["Inputs", "prepare_inputs"]

_POPULATION_RASTER = "[demand] population_raster"
_BUILDINGS = "[demand] buildings"
_LAND_COVER = "[propagation] land_cover"


@dataclass(frozen=True, eq=False)
class Inputs:
    """The validated data of one run, in the working CRS.

    Attributes
    ----------
    paths
        The file of each area layer (``dem``, ``veredas``, ``schools``, ...).
    terrain
        The DEM clipped to the area plus its margin and resampled to the scenario's
        ``[propagation] resolution_m`` (elevations in m).
    settlements
        The boundary, vereda and school layers.
    demand
        The demand points (people, households; schools as priority points).
    assumptions
        Sentences describing the demand model, the population total, the terrain and the
        clutter, for the outputs.
    clutter_db
        Terminal clutter loss (dB) per terrain cell from ``[propagation] land_cover``, or
        None when no land-cover raster is given.
    demand_model
        One line naming the demand model and its inputs (``plan.models["demand"]``).
    existing_sites
        The existing mobile sites (:func:`coverage.pipeline.existing.existing_service` sets
        them from the area's ``existing_sites`` layer), or None.
    """

    paths: dict[str, Path]
    terrain: Terrain
    settlements: Settlements
    demand: gpd.GeoDataFrame
    assumptions: list[str]
    clutter_db: NDArray[np.float32] | None = None
    demand_model: str = ""
    existing_sites: gpd.GeoDataFrame | None = None

    @property
    def area(self) -> BaseGeometry:
        """The planning area (one polygon, working CRS).

        Returns
        -------
        BaseGeometry
            The geometry of ``settlements.boundary``.
        """
        return self.settlements.boundary.geometry.iloc[0]


def prepare_inputs(
    resolved: ResolvedScenario, *, mirror: str | os.PathLike[str] | None = None
) -> Inputs:
    """Resolve, validate and load the data of a scenario.

    Parameters
    ----------
    resolved
        The scenario, resolved by :func:`coverage.pipeline.resolve.resolve`.
    mirror
        Mirror folder of the input data (default ``$COVERAGE_DATA_MIRROR``).

    Returns
    -------
    Inputs
        The terrain, settlements, demand points and clutter grid, in the working CRS.

    Raises
    ------
    DataSourceError
        A layer cannot be found or downloaded, or its checksum differs.
    InputError
        Every problem of every layer, of the DEM and of the files the scenario names, in one
        message.
    """
    scenario = resolved.scenario
    area = scenario.area
    paths = resolve_layers(area, mirror=mirror)
    settlements, files = _checked_layers(scenario, paths)
    boundary = settlements.boundary.geometry.iloc[0]
    terrain = load_terrain(
        paths["dem"],
        boundary,
        area.crs,
        margin_m=area.margin_m,
        resolution_m=scenario.propagation.resolution_m,
        max_void_share=area.max_void_share,
    )
    off = schools_off_terrain(
        settlements.schools, terrain, paths["schools"], outside_field=area.school_outside_field
    )
    if off:
        raise InputError(off[0], off)
    _check_pop(scenario, terrain)
    _announce_compile()
    raster = files.get(_POPULATION_RASTER)
    buildings = files.get(_BUILDINGS)
    params = dataclasses.replace(
        scenario.demand,
        population_raster=str(raster) if raster else "",
        buildings=str(buildings) if buildings else "",
    )
    demand = area_demand(terrain, settlements, area, paths, params)
    assumptions = [
        *demand.assumptions,
        f"Terrain: {terrain.source} resampled bilinearly to {terrain.cell_size_m:g} m in "
        f"{area.crs}; SRTM is a surface model (forest canopy and roofs read as ground) with "
        "about 16 m vertical error (90 %).",
    ]
    clutter = None
    land_cover = files.get(_LAND_COVER)
    if land_cover is not None:
        clutter, sentence = _clutter(scenario, land_cover, terrain)
        assumptions.append(sentence)
    return Inputs(paths, terrain, settlements, demand.points, assumptions, clutter, demand.model)


def _checked_layers(
    scenario: Scenario, paths: dict[str, Path]
) -> tuple[Settlements, dict[str, Path]]:
    """The settlement layers and the scenario's own files, after checking everything.

    Raises one :class:`InputError` listing every problem of the layers, the DEM and the
    files the scenario names (population raster, buildings, land cover).
    """
    area = scenario.area
    problems: list[str] = []
    settlements: Settlements | None = None
    dem_files = [paths["dem"]] if isinstance(paths["dem"], str | os.PathLike) else paths["dem"]
    dem = dem_bounds(dem_files, area.crs)
    try:
        settlements = load_settlements(
            paths,
            area.crs,
            name_field=area.layers["veredas"].name_field,
            id_field=area.layers["veredas"].id_field,
            school_name_field=area.layers["schools"].name_field,
            school_inside_field=area.school_outside_field,
            dem=(", ".join(Path(p).name for p in dem_files), dem) if dem else None,
        )
    except InputError as err:
        problems.extend(err.problems)
    boundary = settlements.boundary.geometry.iloc[0] if settlements is not None else None
    problems += check_dem(paths["dem"], boundary, area.crs, margin_m=area.margin_m)
    problems += check_dwellings(paths, area, scenario.demand)
    if EXISTING_LAYER in paths:
        id_field = area.layers[EXISTING_LAYER].id_field
        problems += check_existing_sites(
            paths[EXISTING_LAYER], scenario.existing, id_field=id_field
        )
    if PLAZA_LAYER in paths:
        spec = area.layers[PLAZA_LAYER]
        problems += check_plazas(
            paths[PLAZA_LAYER], name_field=spec.name_field, id_field=spec.id_field
        )
    files = {
        key: scenario_file(scenario, name)
        for key, name in (
            (_POPULATION_RASTER, scenario.demand.population_raster),
            (_BUILDINGS, scenario.demand.buildings),
            (_LAND_COVER, scenario.propagation.land_cover),
        )
        if name
    }
    problems += [
        f"{key} {path}: file not found." for key, path in files.items() if not path.is_file()
    ]
    if problems or settlements is None:
        msg = f"Inputs of scenario {scenario.name!r} are not usable:\n  - " + "\n  - ".join(
            problems
        )
        raise InputError(msg, problems)
    return settlements, files


def _clutter(
    scenario: Scenario, land_cover: Path, terrain: Terrain
) -> tuple[NDArray[np.float32], str]:
    """Clutter loss (dB) per terrain cell from the land-cover raster, and its assumption."""
    table = {int(k): v for k, v in scenario.propagation.clutter_loss_db.items()} or None
    clutter = clutter_grid_db(land_cover, terrain, table)
    source = "scenario table" if table else "WorldCover planning table, coverage.radio.linkbudget"
    sentence = (
        f"Clutter: terminal losses by land-cover class from {land_cover.name} ({source}) "
        "are subtracted from received power."
    )
    return clutter, sentence


def _check_pop(scenario: Scenario, terrain: Terrain) -> None:
    """Refuse a ``[backhaul] pop`` outside the terrain before any coverage is computed."""
    pop: Point | None = scenario.backhaul.pop
    if pop is None:
        return
    x, y = pyproj.Transformer.from_crs("EPSG:4326", terrain.crs.to_wkt(), always_xy=True).transform(
        pop.lon_deg, pop.lat_deg
    )
    if not bool(terrain.contains(x, y)):
        msg = (
            f"[backhaul] pop {pop.name!r} (lon {pop.lon_deg}, lat {pop.lat_deg}) lies outside "
            f"the terrain (the area plus its margin_m {scenario.area.margin_m:,.0f} m): move it "
            "to the fibre point of presence near this area, or raise margin_m in the area file."
        )
        raise ScenarioError(msg)


def _announce_compile() -> None:
    """Say, before the first coverage matrix, that numba compiles the radio kernels once."""
    cached = any(any(d.glob("__pycache__/*.nbi")) for d in _KERNEL_DIRS if d.is_dir())
    if not cached:
        log.info(
            "first run on this machine: numba compiles the radio kernels now (about %.0f s); "
            "they are cached for later runs",
            FIRST_COMPILE_S,
        )
