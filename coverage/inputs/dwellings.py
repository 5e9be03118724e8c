"""Dwellings: who lives where, from a point layer of dwellings and the households of each vereda.

The demand model of an area with a ``dwellings`` layer (official address points, building
centroids, any point layer; polygons count by their representative point) and a
``households`` table (:mod:`coverage.inputs.projections`):

1. each dwelling point inside the area joins the vereda whose polygon holds it (never a
   name field of the layer: Palmitas' address points name a newer vereda map); a point
   inside the area but in a gap between vereda polygons joins the nearest vereda; a point
   outside the area is left out;
2. each vereda's households of the chosen year are shared equally over its points, and
   each point's people are its households times the year's people per household;
3. a vereda with households but no dwelling point has them spread uniformly over its
   habitable cells (as :func:`coverage.inputs.settlements.demand_points` spreads a total); a
   vereda with points but no households leaves its points out;
4. schools stay their own demand points without population.

One demand point per dwelling point: the coverage matrix grows with the points, and 2,112
Palmitas dwellings are fewer than the 7,652 cells of the uniform spread they replace.

:func:`area_demand` chooses the model from what the area and the scenario give: building
footprints or a population raster named by the scenario (scaled to the tables' people when
the area has them); else the dwellings and households; else the uniform spread of the typed
``[population]`` total, stated as the assumption it is. Every correction (points left out or
moved, veredas spread or left out, figures that disagree) is logged once and stated in the
plan's assumptions.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import rasterio.features

from coverage.errors import InputError
from coverage.inputs.projections import HOUSEHOLDS, Projection, check_projection, read_projection
from coverage.inputs.settlements import (
    Settlements,
    _read,
    _school_points,
    check_vector_layer,
    demand_points,
    slope_deg,
)
from coverage.inputs.terrain import Terrain
from coverage.scenario import AreaSpec, DemandParams, PopulationFacts

__all__ = ["DWELLINGS", "AreaDemand", "area_demand", "check_dwellings", "dwelling_demand"]

log = logging.getLogger(__name__)

#: Area layer key of the dwellings point layer.
DWELLINGS = "dwellings"
_GEOMS = ("Point", "MultiPoint", "Polygon", "MultiPolygon")


@dataclass(frozen=True, eq=False)
class AreaDemand:
    """The demand points of an area, and what made them.

    Attributes
    ----------
    points
        The demand GeoDataFrame (columns as in :mod:`coverage.plan`, without the coverage
        columns, plus ``vereda_id``).
    assumptions
        The sentences describing the demand model, its inputs and corrections.
    model
        One line naming the model and its inputs, for ``plan.models["demand"]``.
    """

    points: gpd.GeoDataFrame
    assumptions: list[str]
    model: str


def check_dwellings(paths: dict[str, Path], area: AreaSpec, params: DemandParams) -> list[str]:
    """The problems of the area's dwellings layer and projection tables, before any computation.

    Parameters
    ----------
    paths
        The file of each area layer.
    area
        The area description.
    params
        The scenario's demand settings (the year and vintage asked for).

    Returns
    -------
    list of str
        One sentence per problem; empty when the layers are usable or absent.
    """
    problems = check_projection(paths, area, params)
    if DWELLINGS in paths:
        layer = _read(paths[DWELLINGS], "dwellings layer", problems)
        if layer is not None:
            problems += check_vector_layer(
                layer, paths[DWELLINGS], "dwellings layer", geom_types=_GEOMS
            )
    return problems


def area_demand(
    terrain: Terrain,
    settlements: Settlements,
    area: AreaSpec,
    paths: dict[str, Path],
    params: DemandParams,
) -> AreaDemand:
    """The demand points of an area by the model its layers and the scenario allow.

    Parameters
    ----------
    terrain
        Terrain in the working CRS (m).
    settlements
        Veredas, boundary and schools in the same CRS.
    area
        The area description: its layers (``dwellings``, ``households``, ``population``)
        and typed ``[population]`` figures.
    paths
        The file of each area layer.
    params
        The scenario's ``[demand]`` settings, with ``buildings`` and ``population_raster``
        resolved to files.

    Returns
    -------
    AreaDemand
        The points, the sentences for the outputs and the model's one-line description.

    Raises
    ------
    InputError
        An unusable layer or table, a year or vintage the tables lack, or no habitable cell
        for a spread.
    """
    projection = read_projection(paths, area, params) if HOUSEHOLDS in paths else None
    for sentence in projection.disagreements if projection else ():
        log.warning("demand: %s", sentence)
    facts = _facts(area.population, projection)
    told = (
        [*projection.sentences, *projection.disagreements]
        if projection
        else [facts_sentence(facts)]
    )
    if (
        params.buildings
        or params.population_raster
        or (DWELLINGS not in paths and projection is None)
    ):
        points, sentences = demand_points(terrain, settlements, facts, params)
        if params.buildings:
            model = f"building floor area ({Path(params.buildings).name}), scaled to {facts.total_people:,.0f} people"
        elif params.population_raster:
            model = f"population raster ({Path(params.population_raster).name}), scaled to {facts.total_people:,.0f} people"
        else:
            sentences[0] = f"No dwellings layer (area layer `{DWELLINGS}`): {sentences[0]}"
            log.warning("demand: %s", sentences[0])
            model = f"ASSUMPTION uniform spread of {facts.total_people:,.0f} people over habitable cells (no dwellings layer)"
        return AreaDemand(_with_vereda_ids(points, settlements), [*sentences, *told], model)
    dwellings = None
    if DWELLINGS in paths:
        problems: list[str] = []
        dwellings = _read(paths[DWELLINGS], "dwellings layer", problems)
        if dwellings is None:
            raise InputError(problems[0], problems)
    households: dict[str, float] | float
    if projection is not None:
        households, pph = projection.households, projection.people_per_household
    elif facts.households > 0:
        households, pph = facts.households, facts.total_people / facts.households
    else:  # no household figure at all: one household per dwelling point
        households = float(len(dwellings)) if dwellings is not None else 0.0
        pph = facts.total_people / max(households, 1.0)
        told.append(
            "The area gives no households: ASSUMPTION one household per dwelling point, "
            f"sharing its {facts.total_people:,.0f} people."
        )
    points, sentences = dwelling_demand(
        terrain,
        settlements,
        households,
        people_per_household=pph,
        dwellings=dwellings,
        params=params,
        name_field=area.layers[DWELLINGS].name_field if dwellings is not None else "",
        layer=paths[DWELLINGS].name if dwellings is not None else "",
    )
    year = projection.year if projection else facts.year
    model = (
        f"dwellings: households per sub-district ({paths[HOUSEHOLDS].name if projection else 'none'}, {year}) "
        f"shared over {'the points of ' + paths[DWELLINGS].name if dwellings is not None else 'habitable cells'}, "
        f"{pph:.2f} people per household"
        + (f" (vintage {projection.vintage})" if projection and projection.vintage else "")
    )
    return AreaDemand(points, [*sentences, *told], model)


def facts_sentence(facts: PopulationFacts) -> str:
    """The typed population total as a sentence for the outputs.

    Parameters
    ----------
    facts
        The area's ``[population]`` figures.

    Returns
    -------
    str
        People, households and the source.
    """
    return (
        f"Population total: {facts.total_people:,.0f} people, {facts.households:,.0f} households "
        f"({facts.source})."
    )


def _facts(typed: PopulationFacts, projection: Projection | None) -> PopulationFacts:
    """The totals to spread: the projection's, else the area's typed ones."""
    if projection is None:
        return typed
    return replace(
        typed,
        total_people=projection.people,
        households=projection.total_households,
        year=projection.year,
    )


def dwelling_demand(
    terrain: Terrain,
    settlements: Settlements,
    households: dict[str, float] | float,
    *,
    people_per_household: float,
    dwellings: gpd.GeoDataFrame | None = None,
    params: DemandParams | None = None,
    name_field: str = "",
    layer: str = "the dwellings layer",
) -> tuple[gpd.GeoDataFrame, list[str]]:
    """Demand points from dwellings: each vereda's households shared equally over its points.

    Parameters
    ----------
    terrain
        Terrain in the working CRS (m): the grid of the uniform spread of a vereda without
        points.
    settlements
        Veredas (``vereda_id``, ``name``), boundary and schools in the working CRS.
    households
        Households by vereda id (the year's column of the households table), or one total
        shared equally over every dwelling point (no table).
    people_per_household
        People per household (>= 1).
    dwellings
        The dwellings layer (points; polygons by their representative point), any CRS; None:
        every vereda's households are spread over its habitable cells.
    params
        ``resolution_m`` (m), the demand cells of a spread, and the habitability limits
        ``max_slope_deg`` (degrees), ``min_elevation_m`` and ``max_elevation_m`` (m); None:
        the scenario's defaults.
    name_field
        Field of ``dwellings`` naming each point (an address), "" or absent for none.
    layer
        The layer's file name, for the sentences (default "the dwellings layer").

    Returns
    -------
    demand, assumptions
        The demand GeoDataFrame (columns as in :mod:`coverage.plan` without the coverage
        columns, plus ``vereda_id``; ``households`` in households, ``population`` in people)
        and the sentences for the outputs.

    Raises
    ------
    InputError
        A layer without CRS; a vereda with households but neither points nor terrain.
    """
    params = params if params is not None else DemandParams()
    veredas = settlements.veredas.reset_index(drop=True)
    ids = veredas["vereda_id"].astype(str).to_numpy()
    sentences: list[str] = []
    placed = _Placed.none(veredas.crs)
    if dwellings is not None:
        placed = _placed_points(dwellings, settlements, veredas, name_field, layer)
        sentences += placed.sentences
    if isinstance(households, dict):
        sentences += _unknown_ids(households, ids, people_per_household)
        share = np.array([float(households.get(i, 0.0)) for i in ids])
    else:
        counts = np.bincount(placed.vereda, minlength=len(ids))
        share = float(households) * counts / max(len(placed.vereda), 1)
        sentences.append(
            f"No households table: the area's {float(households):,.0f} households are shared "
            "equally over the dwelling points."
        )
    counts = np.bincount(placed.vereda, minlength=len(ids))
    per_point = share[placed.vereda] / np.maximum(counts[placed.vereda], 1)
    empty = [v for v in range(len(ids)) if counts[v] > 0 and share[v] <= 0]
    if empty:
        sentences.append(
            f"Veredas {[str(veredas['name'][v]) for v in empty]} have "
            f"{int(counts[empty].sum())} dwelling point(s) but no households in the table: "
            "those points carry none and are left out of the demand."
        )
        log.warning("demand: %s", sentences[-1])
    keep = per_point > 0
    rows = gpd.GeoDataFrame(
        {
            "demand_id": [f"dwelling-{i}" for i in placed.geometry.index[keep]],
            "kind": "population",
            "name": placed.names[keep],
            "vereda": veredas["name"].to_numpy()[placed.vereda[keep]],
            "vereda_id": ids[placed.vereda[keep]],
            "population": per_point[keep] * people_per_household,
            "households": per_point[keep],
        },
        geometry=placed.geometry.to_numpy()[keep],
        crs=veredas.crs,
    )
    spread = {v: float(share[v]) for v in range(len(ids)) if counts[v] == 0 and share[v] > 0}
    cells = _spread(terrain, veredas, spread, params, people_per_household)
    if spread:
        sentences.append(_spread_sentence(veredas, spread, params, dwellings is None))
        log.warning("demand: %s", sentences[-1])
    schools = _with_vereda_ids(_school_points(settlements.schools, veredas.crs), settlements)
    parts = [part for part in (rows, cells, schools) if len(part)]
    demand = gpd.GeoDataFrame(
        pd.concat(parts or [rows], ignore_index=True), geometry="geometry", crs=veredas.crs
    )
    if dwellings is not None:
        sentences.insert(
            0,
            f"Demand from {int(keep.sum()):,} dwelling points ({layer}), one demand point each: "
            "each sub-district's households are shared equally over the points its polygon holds, "
            f"at {people_per_household:.2f} people per household. Schools are priority demand "
            "points without population of their own.",
        )
    log.info(
        "demand: %d dwelling points, %d spread cells (%.0f households, %.0f people), %d schools",
        int(keep.sum()),
        len(cells),
        float(demand["households"].sum()),
        float(demand["population"].sum()),
        len(schools),
    )
    return demand, sentences


@dataclass(frozen=True, eq=False)
class _Placed:
    """Dwelling points inside the area: vereda row of each, names, geometry (source index)."""

    vereda: np.ndarray
    names: np.ndarray
    geometry: gpd.GeoSeries
    sentences: list[str]

    @classmethod
    def none(cls, crs: object) -> _Placed:
        """No dwelling point at all."""
        empty = gpd.GeoSeries([], crs=crs)
        return cls(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=object), empty, [])


def _placed_points(
    dwellings: gpd.GeoDataFrame,
    settlements: Settlements,
    veredas: gpd.GeoDataFrame,
    name_field: str,
    layer: str,
) -> _Placed:
    """The dwellings inside the area, each joined to the vereda whose polygon holds it.

    A point inside the area but outside every vereda polygon (a gap between them) joins the
    nearest vereda; a point outside the area is left out; a shape counts at a point inside it.
    """
    if dwellings.crs is None:
        msg = (
            f"dwellings layer {layer}: no CRS. GeoJSON is WGS84 (EPSG:4326) by definition; for "
            "other formats set it, e.g. `ogr2ogr -a_srs EPSG:4326 OUT IN`."
        )
        raise InputError(msg)
    pts = dwellings.reset_index(drop=True).to_crs(veredas.crs)
    sentences = []
    shapes = ~pts.geom_type.isin(["Point"])
    geom = pts.geometry.where(~shapes, pts.geometry.representative_point())
    if shapes.any():
        sentences.append(
            f"{int(shapes.sum()):,} dwelling(s) of {layer} are shapes, not points: each counts at "
            "a point inside its shape."
        )
    inside = geom.intersects(settlements.boundary.geometry.iloc[0]).to_numpy()
    if not inside.all():
        sentences.append(
            f"{int((~inside).sum()):,} of {len(pts):,} dwelling point(s) of {layer} lie outside "
            "the area and are left out of the demand."
        )
        log.warning("demand: %s", sentences[-1])
    geom = geom[inside]
    frame = gpd.GeoDataFrame(geometry=geom, crs=veredas.crs)
    hits = gpd.sjoin(frame, veredas[["geometry"]], how="left", predicate="intersects")
    vereda = hits[~hits.index.duplicated(keep="first")]["index_right"].to_numpy(dtype=float).copy()
    gap = np.isnan(vereda)
    if gap.any():
        near = gpd.sjoin_nearest(frame[gap], veredas[["geometry"]], distance_col="dist_m")
        near = near[~near.index.duplicated(keep="first")]
        vereda[gap] = near["index_right"].to_numpy()
        sentences.append(
            f"{int(gap.sum()):,} dwelling point(s) of {layer} lie inside the area but outside "
            f"every vereda polygon (at most {float(near['dist_m'].max()):,.0f} m away: the "
            "vereda layer and the boundary differ there) and join the nearest vereda."
        )
        log.warning("demand: %s", sentences[-1])
    if name_field and name_field in pts.columns:
        names = pts[name_field][inside].fillna("").astype(str).to_numpy()
    else:
        names = np.full(len(geom), "", dtype=object)
    return _Placed(vereda.astype(np.int64), names, geom, sentences)


def _unknown_ids(households: dict[str, float], ids: np.ndarray, pph: float) -> list[str]:
    """A sentence (logged) for households of vereda ids the veredas layer lacks, if any."""
    extra = sorted(set(households) - set(ids))
    if not extra:
        return []
    lost = sum(households[k] for k in extra)
    sentence = (
        f"The households table lists vereda ids {extra} that the veredas layer lacks; their "
        f"{lost:,.0f} households ({lost * pph:,.0f} people) are left out of the demand."
    )
    log.warning("demand: %s", sentence)
    return [sentence]


def _spread(
    terrain: Terrain,
    veredas: gpd.GeoDataFrame,
    spread: dict[int, float],
    params: DemandParams,
    pph: float,
) -> gpd.GeoDataFrame:
    """Households of veredas without dwellings spread uniformly over their habitable cells.

    Cells are grouped into ``params.resolution_m`` demand cells, one point at the centroid
    of each; a vereda without a habitable cell takes all its cells, one without a cell of
    the terrain grid a single point inside it.
    """
    if not spread:
        return gpd.GeoDataFrame(
            {c: [] for c in ("demand_id", "kind", "name", "vereda", "vereda_id")}
            | {"population": np.zeros(0), "households": np.zeros(0)},
            geometry=[],
            crs=veredas.crs,
        )
    shapes = [(geom, i + 1) for i, geom in enumerate(veredas.geometry)]
    vid = rasterio.features.rasterize(
        shapes, out_shape=terrain.shape, transform=terrain.transform, fill=0, dtype="int32"
    )
    z = terrain.elevation_m
    habitable = (
        (slope_deg(terrain) <= params.max_slope_deg)
        & (z >= params.min_elevation_m)
        & (z <= params.max_elevation_m)
    )
    factor = max(1, round(params.resolution_m / terrain.cell_size_m))
    width = (terrain.shape[1] + factor - 1) // factor
    xs, ys = terrain.cell_centers()
    frames = []
    for v, households in spread.items():
        cells = vid == v + 1
        mask = cells & habitable if (cells & habitable).any() else cells
        rr, cc = np.nonzero(mask)
        if len(rr):
            blocks = (
                pd.DataFrame(
                    {"block": (rr // factor) * width + cc // factor, "x": xs[cc], "y": ys[rr]}
                )
                .groupby("block")
                .agg(n=("x", "size"), x=("x", "mean"), y=("y", "mean"))
            )
            where = gpd.points_from_xy(blocks["x"], blocks["y"])
            weight = blocks["n"].to_numpy() / blocks["n"].sum()
            keys = [f"sub-{v}-cell-{int(b)}" for b in blocks.index]
        else:
            where = [veredas.geometry.iloc[v].representative_point()]
            weight, keys = np.ones(1), [f"sub-{v}-point"]
        frames.append(
            gpd.GeoDataFrame(
                {
                    "demand_id": keys,
                    "kind": "population",
                    "name": "",
                    "vereda": veredas["name"].iloc[v],
                    "vereda_id": str(veredas["vereda_id"].iloc[v]),
                    "population": households * weight * pph,
                    "households": households * weight,
                },
                geometry=where,
                crs=veredas.crs,
            )
        )
    return gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=veredas.crs)


def _spread_sentence(
    veredas: gpd.GeoDataFrame, spread: dict[int, float], params: DemandParams, no_layer: bool
) -> str:
    """What the spread of :func:`_spread` assumed, as one sentence."""
    limits = (
        f"habitable cells (slope <= {params.max_slope_deg:g} deg, elevation "
        f"{params.min_elevation_m:g}-{params.max_elevation_m:g} m; all its cells where none is), "
        f"in {params.resolution_m:g} m demand cells"
    )
    total = sum(spread.values())
    if no_layer:
        return (
            f"No dwellings layer (area layer `{DWELLINGS}`): ASSUMPTION the {total:,.0f} "
            f"households of the table are spread uniformly over each sub-district's {limits}."
        )
    names = [str(veredas["name"].iloc[v]) for v in spread]
    return (
        f"ASSUMPTION: sub-districts {names} have {total:,.0f} households in the table but no "
        f"dwelling point; they are spread uniformly over each sub-district's {limits}."
    )


def _with_vereda_ids(points: gpd.GeoDataFrame, settlements: Settlements) -> gpd.GeoDataFrame:
    """``points`` with a ``vereda_id`` column (from the vereda names) if they lack one."""
    if "vereda_id" in points.columns:
        return points
    by_name = dict(
        zip(
            settlements.veredas["name"].astype(str),
            settlements.veredas["vereda_id"].astype(str),
            strict=False,
        )
    )
    out = points.copy()
    out["vereda_id"] = [by_name.get(str(n), "") for n in out["vereda"]]
    return out
