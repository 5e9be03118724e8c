"""The validated inputs of a run: scenario choices resolved, data found, checked and loaded.

:func:`prepare_inputs` is stage 1 of :mod:`coverage.pipeline`: it resolves the area's layers
(local, mirror, cache or download), validates every layer and the DEM *before any
computation* (all problems in one :class:`~coverage.errors.InputError`), loads the terrain in
the working CRS and builds the demand points. The other functions turn scenario sections into
the objects later stages use (technology, propagation model, cost table), so that a scenario
mistake is reported before any data is read.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
from numpy.typing import NDArray
from shapely.geometry.base import BaseGeometry

from coverage.errors import InputError, ScenarioError
from coverage.inputs.settlements import Settlements, demand_points, load_settlements
from coverage.inputs.sources import resolve_layers
from coverage.inputs.terrain import Terrain, check_dem, load_terrain
from coverage.planning.costs import CostTable
from coverage.radio import itm
from coverage.radio.linkbudget import AntennaPattern, clutter_grid_db, read_msi_pattern
from coverage.radio.propagation import PropagationModel, get_model
from coverage.radio.technology import Technology, get_technology
from coverage.scenario import Scenario

__all__ = [
    "Inputs",
    "access_antenna",
    "access_technology",
    "cost_table",
    "prepare_inputs",
    "propagation_model",
    "scenario_file",
]


@dataclass(frozen=True, eq=False)
class Inputs:
    """Validated inputs of one run, in the working CRS."""

    scenario: Scenario
    paths: dict[str, Path]
    terrain: Terrain
    settlements: Settlements
    demand: gpd.GeoDataFrame
    assumptions: list[str]
    clutter_db: NDArray[np.float32] | None = None
    """Clutter loss (dB) per terrain cell from ``[propagation] land_cover``, if given."""

    @property
    def area(self) -> BaseGeometry:
        """The planning area (one polygon, working CRS)."""
        return self.settlements.boundary.geometry.iloc[0]


def scenario_file(scenario: Scenario, name: str) -> Path:
    """A file named in the scenario: absolute, or relative to the scenario file's folder."""
    path = Path(name)
    if not path.is_absolute() and scenario.path is not None:
        path = scenario.path.parent / path
    return path


def prepare_inputs(scenario: Scenario, *, mirror: str | os.PathLike[str] | None = None) -> Inputs:
    """Resolve, validate and load the inputs of a scenario.

    Raises
    ------
    DataSourceError
        A layer cannot be found or downloaded, or its checksum differs.
    InputError
        Every problem of every layer and of the DEM, in one message.
    """
    area = scenario.area
    paths = resolve_layers(area, mirror=mirror)
    problems: list[str] = []
    settlements: Settlements | None = None
    try:
        settlements = load_settlements(
            paths,
            area.crs,
            name_field=area.layers["veredas"].name_field,
            id_field=area.layers["veredas"].id_field,
            school_name_field=area.layers["schools"].name_field,
            school_inside_field=area.school_outside_field,
        )
    except InputError as err:
        problems.extend(err.problems)
    boundary = settlements.boundary.geometry.iloc[0] if settlements is not None else None
    problems += check_dem(paths["dem"], boundary, area.crs, margin_m=area.margin_m)
    files = {
        key: scenario_file(scenario, name)
        for key, name in (
            ("[demand] population_raster", scenario.demand.population_raster),
            ("[demand] buildings", scenario.demand.buildings),
            ("[propagation] land_cover", scenario.propagation.land_cover),
        )
        if name
    }
    problems += [
        f"{key} {path}: file not found." for key, path in files.items() if not path.is_file()
    ]
    raster = files.get("[demand] population_raster")
    buildings = files.get("[demand] buildings")
    if problems or settlements is None or boundary is None:
        msg = f"Inputs of scenario {scenario.name!r} are not usable:\n  - " + "\n  - ".join(
            problems
        )
        raise InputError(msg, problems)
    terrain = load_terrain(
        paths["dem"],
        boundary,
        area.crs,
        margin_m=area.margin_m,
        resolution_m=scenario.propagation.resolution_m,
    )
    params = dataclasses.replace(
        scenario.demand,
        population_raster=str(raster) if raster else "",
        buildings=str(buildings) if buildings else "",
    )
    demand, assumptions = demand_points(terrain, settlements, area.population, params)
    assumptions = [
        *assumptions,
        f"Population total: {area.population.total_people:,.0f} people, "
        f"{area.population.households:,.0f} households ({area.population.source}).",
        f"Terrain: {terrain.source} resampled bilinearly to {terrain.cell_size_m:g} m in "
        f"{area.crs}; SRTM is a surface model (forest canopy and roofs read as ground) with "
        "about 16 m vertical error (90 %).",
    ]
    clutter = None
    land_cover = files.get("[propagation] land_cover")
    if land_cover is not None:
        table = {int(k): v for k, v in scenario.propagation.clutter_loss_db.items()} or None
        clutter = clutter_grid_db(land_cover, terrain, table)
        assumptions.append(
            f"Clutter: terminal losses by land-cover class from {land_cover.name} "
            + (
                "(scenario table)"
                if table
                else "(WorldCover planning table, coverage.radio.linkbudget)"
            )
            + " are subtracted from received power."
        )
    return Inputs(scenario, paths, terrain, settlements, demand, assumptions, clutter)


def access_antenna(scenario: Scenario) -> AntennaPattern | None:
    """The access sites' antenna pattern from ``[technology] antenna_pattern``, or None (omni).

    The MSI file's path is relative to the scenario file; every access site gets the pattern
    at the scenario's azimuth and mechanical downtilt, ``antenna_sectors`` times, evenly
    spaced clockwise from that azimuth.
    """
    t = scenario.technology
    if not t.antenna_pattern:
        return None
    path = scenario_file(scenario, t.antenna_pattern)
    try:
        return read_msi_pattern(
            path,
            azimuth_deg=t.antenna_azimuth_deg,
            downtilt_deg=t.antenna_downtilt_deg,
            sectors=t.antenna_sectors,
        )
    except InputError as err:
        msg = f"[technology] antenna_pattern: {err}"
        raise ScenarioError(msg) from err


def access_technology(scenario: Scenario) -> Technology:
    """The scenario's access technology: its preset with the scenario's overrides applied.

    With an antenna pattern file, the site antenna's peak gain is the file's.
    """
    t = scenario.technology
    base = get_technology(t.preset)
    overrides = {
        f.name: getattr(t, f.name)
        for f in dataclasses.fields(t)
        if f.name != "preset"
        and not f.name.startswith("antenna_")
        and getattr(t, f.name) is not None
    }
    pattern = access_antenna(scenario)
    if pattern is not None:
        overrides["tx_antenna_gain_dbi"] = pattern.gain_dbi
    return dataclasses.replace(base, **overrides)


def propagation_model(scenario: Scenario) -> PropagationModel:
    """The scenario's propagation model object (ITM takes the radio climate by name)."""
    p = scenario.propagation
    params: dict[str, Any] = {}
    if p.model == "itm":
        codes = {name: code for code, name in itm.CLIMATES.items()}
        if p.climate not in codes:
            msg = f"[propagation] climate {p.climate!r} is not one of {sorted(codes)}."
            raise ScenarioError(msg)
        params["climate"] = codes[p.climate]
    elif p.model in ("los", "knife-edge", "deygout", "bullington"):
        params["k_factor"] = p.k_factor
    try:
        return get_model(p.model, **params)
    except InputError as err:
        msg = f"[propagation] model: {err}"
        raise ScenarioError(msg) from err


def cost_table(scenario: Scenario) -> CostTable:
    """The scenario's :class:`~coverage.planning.costs.CostTable` (defaults where not given)."""
    c = scenario.costs
    fields: dict[str, Any] = {
        f.name: getattr(c, f.name)
        for f in dataclasses.fields(c)
        if f.name != "mast_usd_by_height_m" and getattr(c, f.name) is not None
    }
    if c.mast_usd_by_height_m:
        fields["mast_usd_by_height_m"] = {float(h): v for h, v in c.mast_usd_by_height_m.items()}
    table = CostTable(**fields)
    unpriced = [h for h in scenario.placement.mast_heights_m if h not in table.heights_m]
    if unpriced:
        msg = (
            f"[costs] prices masts of {list(table.heights_m)} m but [placement] mast_heights_m "
            f"asks for {unpriced} m: add them to mast_usd_by_height_m."
        )
        raise ScenarioError(msg)
    return table
