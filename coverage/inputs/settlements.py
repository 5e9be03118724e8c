"""Settlements: administrative units, schools and population turned into weighted demand points.

An area with a dwellings layer or a households table gets its demand from
:mod:`coverage.inputs.dwellings`. Without them, the *demand model* here is an assumption,
stated in every output: the area's total population is spread uniformly over its
*habitable* terrain cells (slope and elevation limits) inside the veredas. A population raster (WorldPop or HRSL GeoTIFF, people per cell)
replaces the uniform spread when given, and so do building footprints (people in proportion
to floor area). Schools are separate, priority demand points carrying
no population of their own (their pupils live in the grid already).

Vector layers (boundary, veredas, schools, building footprints) are read here; rasters
through :func:`coverage.inputs.terrain.raster_on_grid`.
"""

from __future__ import annotations

import logging
import os
import warnings
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import rasterio
import rasterio.features
from numpy.typing import NDArray
from pyproj import CRS
from rasterio.enums import Resampling

from coverage.errors import CRSError, InputError
from coverage.inputs.extents import Bounds, degrees_problem, no_crs_hint, overlap_problems
from coverage.inputs.rasters import raster_on_grid
from coverage.inputs.subdivisions import MAX_UNCOVERED_SHARE, check_cover, vereda_table
from coverage.inputs.terrain import Terrain
from coverage.scenario import DemandParams, PopulationFacts

__all__ = [
    "Settlements",
    "check_vector_layer",
    "demand_points",
    "load_settlements",
    "slope_deg",
]

log = logging.getLogger(__name__)

#: Floor area (m2) given to a building known only as a point (a typical rural house).
POINT_BUILDING_M2 = 50.0
#: Demand settings when none are given: the scenario's ``[demand]`` defaults.
DEFAULT_DEMAND = DemandParams()


@dataclass(frozen=True, eq=False)
class Settlements:
    """Validated settlement layers in the working CRS.

    Attributes
    ----------
    boundary
        One polygon: the planning area (the union of the veredas if no boundary layer).
    veredas
        Columns ``vereda_id``, ``name``, polygon geometry.
    schools
        Columns ``school_id``, ``name``, ``vereda``, point geometry; only schools inside the area.
    """

    boundary: gpd.GeoDataFrame
    veredas: gpd.GeoDataFrame
    schools: gpd.GeoDataFrame


def _read(path: Path, what: str, problems: list[str]) -> gpd.GeoDataFrame | None:
    """The layer at ``path``, or None with the reason in ``problems``.

    GDAL's own complaints (a point without coordinates, say) arrive as Python warnings from
    inside its error handler; they are logged under the file's name instead, and the layer
    checks then say what is wrong in words.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            gdf = gpd.read_file(path)
        except Exception as err:
            problems.append(f"{what} {path}: cannot be read as a vector layer ({err}).")
            return None
    for w in caught:
        log.info("%s %s: GDAL: %s", what, path.name, w.message)
    return gdf


def check_vector_layer(
    gdf: gpd.GeoDataFrame,
    path: Path | str,
    what: str,
    *,
    geom_types: tuple[str, ...],
    required_fields: tuple[str, ...] = (),
) -> list[str]:
    """Return the problems of one vector layer as sentences (empty when it is usable).

    Checks: a CRS is set, the layer is not empty, its coordinates fit its CRS (no metres in
    degrees), geometries are present, valid and of the expected types, and the required
    attribute fields exist.

    Parameters
    ----------
    gdf
        The layer as read.
    path
        Its file (or another name for it), for the messages.
    what
        What the layer is, for the messages, e.g. ``"schools layer"``.
    geom_types
        The accepted geometry types, e.g. ``("Polygon", "MultiPolygon")``.
    required_fields
        Attribute fields the layer must have.

    Returns
    -------
    list of str
        One sentence per problem, each naming the layer; the checks stop at an empty
        layer.
    """
    problems: list[str] = []
    where = f"{what} {path}"
    if gdf.crs is None:
        problems.append(f"{where}: no CRS. {no_crs_hint(gdf)}")
    if len(gdf) == 0:
        problems.append(f"{where}: the layer is empty; it must have at least one feature.")
        return problems
    degrees = degrees_problem(gdf, where)
    if degrees:
        problems.append(degrees)
    missing = [f for f in required_fields if f not in gdf.columns]
    if missing:
        problems.append(
            f"{where}: missing field(s) {missing}; available: {[c for c in gdf.columns if c != 'geometry']}. "
            "Rename the field or set name_field/id_field in the area file."
        )
    geoms = gdf.geometry
    empty = geoms.isna() | geoms.is_empty
    if empty.any():
        rows = list(np.flatnonzero(empty.to_numpy())[:5])
        problems.append(f"{where}: {int(empty.sum())} feature(s) without geometry (rows {rows}).")
    present = geoms[~empty]
    bad_type = ~present.geom_type.isin(geom_types)
    if bad_type.any():
        problems.append(
            f"{where}: expected {'/'.join(geom_types)} geometries, found "
            f"{sorted(set(present.geom_type[bad_type]))}."
        )
    invalid = ~present.is_valid
    if invalid.any():
        rows = list(np.flatnonzero(invalid.to_numpy())[:5])
        problems.append(
            f"{where}: {int(invalid.sum())} invalid geometr(y/ies) (rows {rows}), e.g. "
            "self-intersecting rings. Repair them (QGIS 'Fix geometries', or shapely.make_valid) "
            "and try again."
        )
    return problems


def load_settlements(
    paths: dict[str, Path],
    crs: str,
    *,
    name_field: str = "nombre",
    id_field: str = "codigo",
    school_name_field: str = "nombre",
    school_inside_field: str = "",
    dem: tuple[str, Bounds] | None = None,
    max_uncovered_share: float = MAX_UNCOVERED_SHARE,
) -> Settlements:
    """Read and validate the boundary, vereda and school layers; reproject to ``crs``.

    Parameters
    ----------
    paths
        Files by layer key: ``veredas`` and ``schools`` are required, ``boundary`` optional.
    crs
        The projected working CRS.
    name_field, id_field
        Vereda name and identifier fields; with no ``id_field`` (""), the row number (from 0)
        is the identifier. Names and ids are made exact keys by
        :func:`~coverage.inputs.subdivisions.vereda_table`: a vereda without a name is named
        by its id, repeated names become ``"Name (id)"``.
    school_name_field
        School name field.
    school_inside_field
        Optional boolean field of the schools layer; schools where it is false lie outside the
        area and are left out of the demand (logged). A field the layer lacks is an error.
    dem
        The DEM's file name(s) and bounding box in ``crs`` (m,
        :func:`~coverage.inputs.extents.dem_bounds`): a layer that does not overlap it is an
        error naming the likely cause (a wrong or missing CRS). None skips this check.
    max_uncovered_share
        Largest share of the boundary the veredas may leave uncovered (people are placed
        only inside veredas); above it the uncovered part is an error, below it a warning.

    Returns
    -------
    Settlements
        The boundary (the union of the veredas without a boundary layer), the veredas and the
        schools inside the area, each with the vereda it lies in, in ``crs``.

    Raises
    ------
    InputError
        With every problem of every layer, at once; or layers that miss the DEM or each
        other; veredas that leave more than ``max_uncovered_share`` of the boundary uncovered; or a vereda id missing or repeated, or a vereda without a name and no id
        field to name it by.
    CRSError
        ``crs`` is not a projected CRS.
    """
    work = CRS.from_user_input(crs)
    if not work.is_projected:
        msg = f"working CRS {crs} is not projected; use a metric CRS such as EPSG:9377."
        raise CRSError(msg)
    veredas, schools, boundary = _checked_layers(
        paths,
        vereda_fields=(name_field, id_field) if id_field else (name_field,),
        school_name_field=school_name_field,
        school_inside_field=school_inside_field,
    )
    layers = {
        kind: (paths[kind], gdf)
        for kind, gdf in zip(_KINDS, (veredas, schools, boundary), strict=True)
        if gdf is not None
    }
    problems = overlap_problems(layers, work, dem)
    if problems:
        msg = "Settlement layers are not where the terrain is:\n  - " + "\n  - ".join(problems)
        raise InputError(msg, problems)
    v = vereda_table(veredas, paths["veredas"], work, name_field=name_field, id_field=id_field)
    area = boundary.to_crs(work).union_all() if boundary is not None else v.union_all()
    check_cover(area, v, paths["veredas"], max_uncovered_share)
    b = gpd.GeoDataFrame({"name": ["area"]}, geometry=[area], crs=work)
    s = _schools_in_veredas(schools.to_crs(work), v, school_name_field, school_inside_field)
    log.info("settlements: %d veredas, %d schools in %s", len(v), len(s), work.to_string())
    return Settlements(boundary=b, veredas=v, schools=s)


#: The vector layers of an area, in the order :func:`_checked_layers` returns them.
_KINDS = ("veredas", "schools", "boundary")


def _checked_layers(
    paths: dict[str, Path],
    *,
    vereda_fields: tuple[str, ...],
    school_name_field: str,
    school_inside_field: str = "",
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, gpd.GeoDataFrame | None]:
    """The veredas, schools and (optional) boundary layers as read, after checking them all.

    Raises one :class:`InputError` with every problem of every layer.
    """
    problems: list[str] = []
    veredas = _read(paths["veredas"], "veredas layer", problems)
    schools = _read(paths["schools"], "schools layer", problems)
    boundary = _read(paths["boundary"], "boundary layer", problems) if "boundary" in paths else None
    if veredas is not None:
        problems += check_vector_layer(
            veredas,
            paths["veredas"],
            "veredas layer",
            geom_types=("Polygon", "MultiPolygon"),
            required_fields=vereda_fields,
        )
    if schools is not None:
        problems += check_vector_layer(
            schools,
            paths["schools"],
            "schools layer",
            geom_types=("Point",),
            required_fields=(school_name_field,),
        )
        if school_inside_field and school_inside_field not in schools.columns:
            problems.append(
                f"schools layer {paths['schools']}: no field {school_inside_field!r}, which the "
                "area file's school_outside_field names; available: "
                f"{[c for c in schools.columns if c != 'geometry']}. Set school_outside_field "
                'to the layer\'s boolean "inside the area" field, or to "" to count every school.'
            )
    if boundary is not None:
        problems += check_vector_layer(
            boundary, paths["boundary"], "boundary layer", geom_types=("Polygon", "MultiPolygon")
        )
    if problems or veredas is None or schools is None:
        msg = "Settlement layers are not usable:\n  - " + "\n  - ".join(problems)
        raise InputError(msg, problems)
    return veredas, schools, boundary


def _schools_in_veredas(
    schools: gpd.GeoDataFrame, veredas: gpd.GeoDataFrame, name_field: str, inside_field: str
) -> gpd.GeoDataFrame:
    """The schools inside the area (by ``inside_field``, if any) with the vereda of each.

    ``schools`` and ``veredas`` are in the working CRS; the result has the columns of
    :attr:`Settlements.schools`.
    """
    if inside_field:
        inside = schools[inside_field].astype(bool).to_numpy()
        if (~inside).any():
            log.info(
                "schools: %d outside the area left out of the demand: %s",
                int((~inside).sum()),
                ", ".join(schools.loc[~inside, name_field].astype(str)),
            )
        schools = schools[inside]
    joined = gpd.sjoin(
        schools[[name_field, "geometry"]],
        veredas[["name", "geometry"]],
        how="left",
        predicate="within",
        lsuffix="school",
        rsuffix="vereda",
    )
    joined = joined[~joined.index.duplicated(keep="first")]
    nowhere = joined["name"].isna().to_numpy()
    if nowhere.any():  # inside the area, but in a part the sub-districts leave out
        log.warning(
            "schools: %d lie in no sub-district (reported in a row of their own, never "
            "moved into a sub-district they are not in): %s",
            int(nowhere.sum()),
            ", ".join(joined.loc[nowhere, name_field].astype(str)),
        )
    return gpd.GeoDataFrame(
        {
            "school_id": [f"school-{i}" for i in range(len(joined))],
            "name": joined[name_field].astype(str).to_numpy(),
            "vereda": joined["name"].fillna("").astype(str).to_numpy(),
        },
        geometry=joined.geometry.to_numpy(),
        crs=veredas.crs,
    )


def slope_deg(terrain: Terrain) -> NDArray[np.float32]:
    """Terrain slope per cell, from central differences (one-sided at the edges).

    Parameters
    ----------
    terrain
        The elevation grid (m).

    Returns
    -------
    NDArray[np.float32]
        Slope (deg, 0 flat), the terrain's shape.
    """
    dz_dy, dz_dx = np.gradient(terrain.elevation_m.astype(np.float64), terrain.cell_size_m)
    return np.degrees(np.arctan(np.hypot(dz_dx, dz_dy))).astype(np.float32)


def _population_weights(terrain: Terrain, raster: str | os.PathLike[str]) -> NDArray[np.float64]:
    """People per terrain cell from a population raster (sum-preserving resampling)."""
    path = Path(raster)
    out = raster_on_grid(
        path, terrain, what="population raster", crs_hint="WorldPop and HRSL are EPSG:4326",
        content="people per cell", dtype=np.float64, resampling=Resampling.sum,
    )  # fmt: skip
    if (out < 0).any():
        msg = f"population raster {path}: negative population values; nodata must be set, not < 0."
        raise InputError(msg)
    return out


def _building_weights(
    terrain: Terrain, buildings: gpd.GeoDataFrame, what: str
) -> NDArray[np.float64]:
    """Floor area (m2) of buildings per terrain cell: polygons by area, points count 50 m2."""
    problems = check_vector_layer(
        buildings, what, "buildings layer", geom_types=("Polygon", "MultiPolygon", "Point")
    )
    if problems:
        msg = "Building footprints are not usable:\n  - " + "\n  - ".join(problems)
        raise InputError(msg, problems)
    b = buildings.to_crs(terrain.crs)
    is_point = (b.geom_type == "Point").to_numpy()
    area = np.where(is_point, POINT_BUILDING_M2, b.area.to_numpy())
    centre = b.geometry.centroid
    rows, cols = terrain.rowcol(centre.x.to_numpy(), centre.y.to_numpy())
    h, w = terrain.shape
    inside = (rows >= 0) & (rows < h) & (cols >= 0) & (cols < w)
    out = np.zeros(terrain.shape, dtype=np.float64)
    np.add.at(out, (rows[inside], cols[inside]), area[inside])
    return out


def demand_points(
    terrain: Terrain,
    settlements: Settlements,
    population: PopulationFacts,
    params: DemandParams = DEFAULT_DEMAND,
    *,
    buildings: gpd.GeoDataFrame | None = None,
) -> tuple[gpd.GeoDataFrame, list[str]]:
    """Weighted demand points: population cells per vereda, plus the schools.

    People are spread over the veredas in proportion to building floor area (footprints),
    else to a population raster, else uniformly over the habitable terrain cells; each
    (demand cell, vereda) pair with people becomes a point at the people-weighted centroid of
    its terrain cells.

    Parameters
    ----------
    terrain
        Terrain in the working CRS; its cell size (m) must divide ``params.resolution_m``
        (rounded).
    settlements
        Veredas and schools in the same CRS.
    population
        The totals to distribute: ``total_people`` and ``households``.
    params
        The demand settings: ``resolution_m`` (m), the size of the demand cells;
        ``max_slope_deg`` (degrees), ``min_elevation_m`` and ``max_elevation_m`` (m), the
        habitability limits of the uniform spread; ``population_raster``, a GeoTIFF of people
        per cell whose pattern replaces the uniform spread; ``buildings``, a vector file of
        footprints (polygons, or points counted as 50 m2 each) whose floor area replaces both.
        The two file names are read as given (absolute, or relative to the working
        directory); :func:`coverage.pipeline.prepare_inputs` passes them resolved against the
        scenario file's folder.
    buildings
        Footprints already in memory, used instead of ``params.buildings``.

    Returns
    -------
    demand, assumptions
        The demand GeoDataFrame (columns as in :mod:`coverage.plan`, without the coverage
        columns; ``population`` in people, ``households`` in households) and the sentences
        that describe the demand model for the outputs.

    Raises
    ------
    InputError
        No habitable cell at all, or an unusable population raster or buildings layer.
    """
    veredas = settlements.veredas
    vid = _vereda_grid(terrain, veredas)
    weight, how = _spread_weights(terrain, vid, params, buildings, population.total_people)
    if weight.sum() <= 0:
        msg = (
            "demand: no habitable cell inside the veredas. Loosen max_slope_deg or the elevation "
            "limits in the scenario's [demand] section, or check the population raster."
        )
        raise InputError(msg)
    people = weight * (population.total_people / weight.sum())
    cells = _population_cells(terrain, vid, people, veredas, params.resolution_m, population)
    school_rows = _school_points(settlements.schools, veredas.crs)
    demand = gpd.GeoDataFrame(pd.concat([cells, school_rows], ignore_index=True), crs=veredas.crs)
    assumptions = [
        how,
        "Schools are priority demand points; they carry no population of their own (their pupils "
        "are counted in the population cells).",
    ]
    log.info(
        "demand: %d population cells (%.0f people) and %d schools",
        len(cells),
        float(cells["population"].sum()),
        len(school_rows),
    )
    return demand, assumptions


def _vereda_grid(terrain: Terrain, veredas: gpd.GeoDataFrame) -> NDArray[np.int32]:
    """Vereda of each terrain cell: its row in ``veredas`` plus one, 0 outside them all."""
    shapes = [(geom, i + 1) for i, geom in enumerate(veredas.geometry)]
    return rasterio.features.rasterize(
        shapes, out_shape=terrain.shape, transform=terrain.transform, fill=0, dtype="int32"
    )


def _spread_weights(
    terrain: Terrain,
    vid: NDArray[np.int32],
    params: DemandParams,
    buildings: gpd.GeoDataFrame | None,
    total_people: float,
) -> tuple[NDArray[np.float64], str]:
    """Relative people per terrain cell inside the veredas, and the sentence saying how."""
    if buildings is not None or params.buildings:
        if buildings is not None:
            layer, name = buildings, "buildings"
        else:
            problems: list[str] = []
            read = _read(Path(params.buildings), "buildings layer", problems)
            if read is None:
                raise InputError(problems[0], problems)
            layer, name = read, Path(params.buildings).name
        weight = _building_weights(terrain, layer, name) * (vid > 0)
        how = (
            f"Population distributed in proportion to the floor area of {len(layer):,} building "
            f"footprints ({name}), scaled to the total of {total_people:,.0f} people."
        )
        return weight, how
    if params.population_raster:
        weight = _population_weights(terrain, params.population_raster) * (vid > 0)
        how = (
            f"Population distributed in proportion to the raster "
            f"{Path(params.population_raster).name}, scaled to the total of "
            f"{total_people:,.0f} people."
        )
        return weight, how
    return _uniform_weights(terrain, vid, params, total_people)


def _uniform_weights(
    terrain: Terrain, vid: NDArray[np.int32], params: DemandParams, total_people: float
) -> tuple[NDArray[np.float64], str]:
    """One for each habitable cell inside the veredas (slope and elevation limits), else 0."""
    z = terrain.elevation_m
    habitable = (
        (vid > 0)
        & (slope_deg(terrain) <= params.max_slope_deg)
        & (z >= params.min_elevation_m)
        & (z <= params.max_elevation_m)
    )
    share = habitable.sum() / max(int((vid > 0).sum()), 1)
    how = (
        f"ASSUMPTION: no per-vereda counts, buildings or population raster exist for this area, "
        f"so the total of {total_people:,.0f} people is spread uniformly over habitable terrain "
        f"cells (slope <= {params.max_slope_deg:g} deg, elevation {params.min_elevation_m:g}-"
        f"{params.max_elevation_m:g} m; {share:.0%} of the area) and grouped into "
        f"{params.resolution_m:g} m demand cells. Per-vereda figures are therefore proportional "
        "to habitable area, not counted."
    )
    return habitable.astype(np.float64), how


def _population_cells(
    terrain: Terrain,
    vid: NDArray[np.int32],
    people: NDArray[np.float64],
    veredas: gpd.GeoDataFrame,
    resolution_m: float,
    population: PopulationFacts,
) -> gpd.GeoDataFrame:
    """One demand point per (demand cell, vereda) pair with people, at their centroid."""
    factor = max(1, round(resolution_m / terrain.cell_size_m))
    cols = terrain.shape[1]
    rr, cc = np.nonzero(people > 0)
    xs, ys = terrain.cell_centers()
    frame = pd.DataFrame(
        {
            "block": (rr // factor) * ((cols + factor - 1) // factor) + cc // factor,
            "vereda_idx": vid[rr, cc] - 1,
            "people": people[rr, cc],
            "wx": xs[cc] * people[rr, cc],
            "wy": ys[rr] * people[rr, cc],
        }
    )
    grouped = frame.groupby(["block", "vereda_idx"], sort=True).sum().reset_index()
    px = grouped["wx"] / grouped["people"]
    py = grouped["wy"] / grouped["people"]
    total = population.total_people
    per_person_households = population.households / total if total > 0 else 0.0
    names = veredas["name"].to_numpy()
    return gpd.GeoDataFrame(
        {
            "demand_id": [
                f"cell-{int(b)}-{int(v)}"
                for b, v in zip(grouped["block"], grouped["vereda_idx"], strict=True)
            ],
            "kind": "population",
            "name": "",
            "vereda": names[grouped["vereda_idx"].to_numpy()],
            "population": grouped["people"].to_numpy(),
            "households": grouped["people"].to_numpy() * per_person_households,
        },
        geometry=gpd.points_from_xy(px, py),
        crs=veredas.crs,
    )


def _school_points(schools: gpd.GeoDataFrame, crs: CRS | str) -> gpd.GeoDataFrame:
    """The schools as demand points without population of their own."""
    return gpd.GeoDataFrame(
        {
            "demand_id": schools["school_id"].to_numpy(),
            "kind": "school",
            "name": schools["name"].to_numpy(),
            "vereda": schools["vereda"].to_numpy(),
            "population": 0.0,
            "households": 0.0,
        },
        geometry=schools.geometry.to_numpy(),
        crs=crs,
    )
