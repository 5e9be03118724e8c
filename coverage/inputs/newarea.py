"""A new area folder built from public layers: ``coverage-plan new-area``.

:func:`new_area` takes a territory's layers as a statistics office or a cadastre publishes
them (a boundary file, possibly holding many territories, one chosen by ``field=value``; a
sub-district layer; schools; one or several DEM tiles; optionally dwelling points and the
household and population projection tables), checks them together and writes a folder that
:func:`coverage.scenario.load_scenario` loads with no edits:

* ``boundary.geojson``, ``subdivisions.geojson``, ``schools.geojson`` and, when given,
  ``dwellings.geojson`` (EPSG:4326, the chosen features only);
* ``dem/dem.tif``: the DEM tiles mosaicked (``rasterio.merge``) and clipped to the boundary
  plus ``margin_m`` (and two cells);
* ``households.csv`` (the rows of the area's sub-districts) and ``population.csv`` (one row
  per vintage: the rows a vintage has for the territory, urban and rural, summed);
* ``area.toml`` and a commented ``scenario.toml`` (:mod:`coverage.inputs.areafiles`).

The checks: each layer is a usable vector layer (:func:`check_vector_layer`: CRS, geometry
types, fields, coordinates that fit the CRS); the sub-districts cover the boundary
(:func:`coverage.inputs.subdivisions.check_cover`); the schools and dwellings lie inside it
(outside ones are left out, and a layer with none inside is an error); the DEM tiles cover
the boundary plus the margin (:func:`coverage.inputs.dem.check_dem`); the point of presence
lies inside the terrain. Every problem is an :class:`~coverage.errors.InputError` naming the
file, the layer or field, what is wrong and how to fix it. The files are derived from the
inputs: keep the folder out of a repository that must not hold them.
"""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd
import rasterio
import rasterio.merge
import rasterio.warp
from shapely.geometry import Point as ShapelyPoint
from shapely.geometry.base import BaseGeometry

from coverage.errors import InputError
from coverage.inputs.areafiles import AreaFigures, area_toml, scenario_toml
from coverage.inputs.dem import check_dem
from coverage.inputs.settlements import check_vector_layer
from coverage.inputs.subdivisions import MAX_UNCOVERED_SHARE, check_cover
from coverage.scenario import load_scenario
from coverage.sections import Point

__all__ = ["LayerInput", "NewArea", "NewAreaRequest", "TableInput", "new_area", "parse_pairs"]

log = logging.getLogger(__name__)

_POLYGONS = ("Polygon", "MultiPolygon")
_POINTS = ("Point", "MultiPoint")
#: Extra DEM cells kept beyond the margin, so that resampling at the edge has neighbours.
_EDGE_CELLS = 2


@dataclass(frozen=True)
class LayerInput:
    """One vector layer given to :func:`new_area`.

    Attributes
    ----------
    path
        The file (any format GDAL reads; any CRS).
    where
        ``{field: value}``: keep only the features whose field has this value (compared as
        text); empty: every feature.
    name_field
        The field with each feature's name.
    id_field
        The field with each feature's id ("" : none; sub-districts with a households table
        need one).
    source
        The layer's public source, for the area file ("" : the file's name, to complete).
    """

    path: Path
    where: dict[str, str] = field(default_factory=dict)
    name_field: str = "nombre"
    id_field: str = ""
    source: str = ""


@dataclass(frozen=True)
class TableInput:
    """A projection table (CSV, one column per year) given to :func:`new_area`.

    Attributes
    ----------
    path
        The CSV file.
    rows
        ``{column: value}``: keep only these rows (the indicator and area type, the
        territory's code).
    key_field
        The households table's column of sub-district ids, or the population table's column
        naming each vintage (edition).
    source
        The table's source, for the area file.
    """

    path: Path
    rows: dict[str, str] = field(default_factory=dict)
    key_field: str = ""
    source: str = ""


@dataclass(frozen=True)
class NewAreaRequest:
    """Everything :func:`new_area` needs.

    Attributes
    ----------
    name
        The territory's name ("San Cristóbal"); the outputs' titles show it.
    boundary, subdivisions, schools
        The layers; ``boundary.where`` picks the territory in a file of many (the chosen
        features are dissolved into one outline).
    dems
        One DEM file or several tiles (mosaicked), any CRS, covering the boundary plus
        ``margin_m``.
    pop
        The fibre point of presence (WGS84 degrees, with its source or "assumed").
    subdivision_word
        What the sub-districts are called (vereda, barrio, sector ...).
    dwellings
        Dwelling or address points, or None (households are then spread over habitable cells).
    households, population
        The projection tables, or None; ``population`` needs ``households``.
    vintages
        Publication year of each vintage of the population table, by name (needed when it
        has several, so that the newest is known).
    people, household_count
        Typed totals for an area without tables (people, households); with tables they are
        computed for ``year``.
    year
        The projection year the typed totals are for.
    crs
        The working CRS: projected, in metres.
    margin_m
        Terrain and candidate buffer around the boundary (m).
    """

    name: str
    boundary: LayerInput
    subdivisions: LayerInput
    schools: LayerInput
    dems: tuple[Path, ...]
    pop: Point
    subdivision_word: str = "vereda"
    dwellings: LayerInput | None = None
    households: TableInput | None = None
    population: TableInput | None = None
    vintages: dict[str, int] = field(default_factory=dict)
    people: float = 0.0
    household_count: float = 0.0
    year: int = 2026
    crs: str = "EPSG:9377"
    margin_m: float = 3000.0


@dataclass(frozen=True)
class NewArea:
    """What :func:`new_area` wrote.

    Attributes
    ----------
    scenario, area
        The scenario and area files written.
    figures
        The figures derived and written into them (area km2, people, budget ...).
    notes
        What was left out or assumed, one sentence each (also logged).
    """

    scenario: Path
    area: Path
    figures: AreaFigures
    notes: tuple[str, ...] = ()


def parse_pairs(text: str, what: str) -> dict[str, str]:
    """``"field=value,field2=value2"`` as a dict (empty text: empty dict).

    Parameters
    ----------
    text
        The pairs, comma-separated.
    what
        The option, for the message.

    Returns
    -------
    dict of str to str
        Field to value.

    Raises
    ------
    InputError
        A pair without ``=`` or with an empty side.
    """
    pairs: dict[str, str] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        key, sep, value = part.partition("=")
        if not sep or not key.strip() or not value.strip():
            msg = f"{what} {text!r}: {part!r} is not FIELD=VALUE (e.g. codigo=60)."
            raise InputError(msg)
        pairs[key.strip()] = value.strip()
    return pairs


def _read_layer(layer: LayerInput, what: str, geom_types: tuple[str, ...]) -> gpd.GeoDataFrame:
    """The layer's chosen features, checked, or an InputError naming every problem."""
    try:
        gdf = gpd.read_file(layer.path)
    except Exception as err:
        msg = f"{what} {layer.path}: cannot be read as a vector layer ({err}). Give a GeoJSON, GeoPackage or shapefile."
        raise InputError(msg) from err
    fields = tuple(f for f in (layer.name_field, layer.id_field, *layer.where) if f)
    problems = check_vector_layer(
        gdf, layer.path, what, geom_types=geom_types, required_fields=fields
    )
    if problems:
        raise InputError(" ".join(problems), problems)
    for key, value in layer.where.items():
        kept = gdf[gdf[key].astype(str) == value]
        if kept.empty:
            values = sorted({str(v) for v in gdf[key]})[:12]
            msg = (
                f"{what} {layer.path}: no feature has {key} = {value!r}; its values: {values}. "
                "Fix the selection (FIELD=VALUE)."
            )
            raise InputError(msg)
        gdf = kept
    return gdf


def _inside(
    gdf: gpd.GeoDataFrame, boundary: BaseGeometry, what: str, path: Path, notes: list[str]
) -> gpd.GeoDataFrame:
    """The points of ``gdf`` (working CRS) inside the boundary; none inside is an error."""
    inside = gdf.geometry.representative_point().within(boundary)
    if not inside.any():
        msg = (
            f"{what} {path}: none of its {len(gdf)} features lies inside the boundary. Check "
            "that it is the same territory, and its CRS (a wrong CRS puts it elsewhere)."
        )
        raise InputError(msg)
    if not inside.all():
        notes.append(
            f"{what} {path.name}: {int((~inside).sum())} of {len(gdf)} features lie outside "
            "the boundary and are left out"
        )
    return gdf[inside.to_numpy()]


def _boundary(request: NewAreaRequest) -> BaseGeometry:
    """The chosen boundary features dissolved into one outline, in the working CRS."""
    layer = request.boundary
    gdf = _read_layer(layer, "boundary layer", _POLYGONS).to_crs(request.crs)
    outline = gdf.union_all()
    if outline.is_empty or outline.area <= 0:
        msg = f"boundary layer {layer.path}: the chosen features enclose no area."
        raise InputError(msg)
    return outline


def _subdivisions(
    request: NewAreaRequest, outline: BaseGeometry, notes: list[str]
) -> gpd.GeoDataFrame:
    """The sub-districts whose representative point lies in the boundary, which they must cover."""
    layer = request.subdivisions
    word = request.subdivision_word
    gdf = _read_layer(layer, f"{word} layer", _POLYGONS).to_crs(request.crs)
    gdf = _inside(gdf, outline, f"{word} layer", layer.path, notes)
    check_cover(outline, gdf, layer.path, MAX_UNCOVERED_SHARE)
    if layer.id_field:
        ids = gdf[layer.id_field].astype(str)
        repeated = sorted(set(ids[ids.duplicated()]))
        if repeated:
            msg = (
                f"{word} layer {layer.path}: ids {repeated} of field {layer.id_field!r} repeat "
                "inside the boundary; each sub-district needs its own id (choose another "
                "id field, or narrow the selection)."
            )
            raise InputError(msg)
    return gdf


def _write_dem(request: NewAreaRequest, outline: BaseGeometry, out: Path) -> None:
    """Mosaic and clip the DEM tiles to the boundary plus the margin, as one GeoTIFF."""
    problems = check_dem(list(request.dems), outline, request.crs, margin_m=request.margin_m)
    if problems:
        raise InputError(" ".join(problems), problems)
    sources = [rasterio.open(p) for p in request.dems]
    try:
        crs = {str(s.crs) for s in sources}
        if len(crs) > 1:
            msg = (
                f"DEM tiles {[p.name for p in request.dems]} are in different CRSs {sorted(crs)}; "
                "reproject them to one first (gdalwarp -t_srs ...)."
            )
            raise InputError(msg)
        first = sources[0]
        pad = _EDGE_CELLS * max(abs(first.res[0]), abs(first.res[1]))
        need = outline.buffer(request.margin_m).bounds
        left, bottom, right, top = rasterio.warp.transform_bounds(request.crs, first.crs, *need)
        bounds = (left - pad, bottom - pad, right + pad, top + pad)
        with warnings.catch_warnings():
            # rasterio.merge multiplies affines with `*`, which affine >= 2.4 deprecates
            warnings.simplefilter("ignore", PendingDeprecationWarning)
            mosaic, transform = rasterio.merge.merge(sources, bounds=bounds)
        profile = {
            "driver": "GTiff",
            "height": mosaic.shape[1],
            "width": mosaic.shape[2],
            "count": 1,
            "dtype": mosaic.dtype,
            "crs": first.crs,
            "transform": transform,
            "nodata": first.nodata,
            "compress": "lzw",
        }
    finally:
        for s in sources:
            s.close()
    out.parent.mkdir(parents=True, exist_ok=True)
    with rasterio.open(out, "w", **profile) as dst:
        dst.write(mosaic[:1])


def _rows(table: TableInput, what: str) -> pd.DataFrame:
    """The CSV's rows that ``table.rows`` keeps, every cell as text."""
    try:
        df = pd.read_csv(table.path, dtype=str)
    except (OSError, ValueError) as err:
        msg = f"{what} {table.path}: cannot be read as CSV ({err})."
        raise InputError(msg) from err
    missing = [c for c in (table.key_field, *table.rows) if c and c not in df.columns]
    if missing or not table.key_field:
        msg = (
            f"{what} {table.path}: column(s) {missing or ['(no key column given)']} not in "
            f"{list(df.columns)}. Name the key column and the row filter's columns."
        )
        raise InputError(msg)
    for key, value in table.rows.items():
        df = df[df[key].str.strip() == value]
    if df.empty:
        msg = f"{what} {table.path}: no row has {table.rows}; fix the row filter."
        raise InputError(msg)
    return df


def _year(df: pd.DataFrame, year: int, what: str, path: Path) -> pd.Series:
    """The year's column as numbers."""
    if str(year) not in df.columns:
        years = [c for c in df.columns if c.isdigit()]
        msg = f"{what} {path}: no column for {year}; it has {years}. Give --year one of them."
        raise InputError(msg)
    return pd.to_numeric(df[str(year)], errors="raise")


def _tables(
    request: NewAreaRequest, ids: set[str], folder: Path, notes: list[str]
) -> tuple[float, float]:
    """Write households.csv and population.csv; the people and households of the year."""
    hh, pop, year = request.households, request.population, request.year
    if hh is None:
        if pop is not None:
            msg = "a population table needs a households table (per sub-district) to share it out."
            raise InputError(msg)
        if request.people <= 0:
            msg = (
                "no households table and no typed population: give --households-table (per "
                "sub-district) or --people and --household-count with their source."
            )
            raise InputError(msg)
        return request.people, request.household_count
    rows = _rows(hh, "households table")
    rows = rows[rows[hh.key_field].str.strip().isin(ids)]
    missing = sorted(ids - set(rows[hh.key_field].str.strip()))
    if missing:
        notes.append(
            f"households table {hh.path.name}: no row for sub-district(s) {missing}; no one is "
            "placed there"
        )
    if rows.empty:
        msg = f"households table {hh.path}: no row for any sub-district id {sorted(ids)[:8]}."
        raise InputError(msg)
    rows.to_csv(folder / "households.csv", index=False)
    households = float(_year(rows, year, "households table", hh.path).sum())
    if pop is None:
        if request.people <= 0:
            msg = (
                "a households table without a population table: give --people, the "
                f"territory's people in {year} with its source, or --population-table."
            )
            raise InputError(msg)
        return request.people, households
    prow = _rows(pop, "population table")
    years = [c for c in prow.columns if c.isdigit()]
    for vintage, group in prow.groupby(pop.key_field):
        if len(group) > 1 and group.isin(["Total", "total", "TOTAL"]).any().any():
            msg = (
                f"population table {pop.path}: vintage {vintage!r} has a 'Total' row beside "
                "its parts, so summing its rows would count people twice; narrow the row "
                "filter (e.g. area_geografica=Total)."
            )
            raise InputError(msg)
    numbers = prow[years].apply(pd.to_numeric)
    numbers[pop.key_field] = prow[pop.key_field]
    summed = numbers.groupby(pop.key_field)[years].sum()
    summed.reset_index().to_csv(folder / "population.csv", index=False)
    undated = sorted(set(summed.index) - set(request.vintages))
    if len(summed) > 1 and undated:
        msg = (
            f"population table {pop.path} has the vintages {sorted(summed.index)}: date "
            f"{undated} with --vintage NAME=YEAR (the year each was published), so that the "
            "newest is known."
        )
        raise InputError(msg)
    dated = {v: request.vintages.get(v, 0) for v in summed.index}
    newest = max(dated, key=lambda v: dated[v])
    return float(_year(summed, year, "population table", pop.path)[newest]), households


def _pop_inside(request: NewAreaRequest, outline: BaseGeometry) -> None:
    """The point of presence must lie in the boundary plus the margin (the terrain)."""
    x, y = (
        gpd.GeoSeries([ShapelyPoint(request.pop.lon_deg, request.pop.lat_deg)], crs=4326)
        .to_crs(request.crs)[0]
        .coords[0]
    )
    if not outline.buffer(request.margin_m).contains(ShapelyPoint(x, y)):
        msg = (
            f"the point of presence {request.pop.name!r} (lon {request.pop.lon_deg}, lat "
            f"{request.pop.lat_deg}) lies outside the boundary plus its {request.margin_m:.0f} m "
            "margin, where no terrain is read; give a PoP nearer, or a larger --margin-m."
        )
        raise InputError(msg)


def _write_layer(gdf: gpd.GeoDataFrame, path: Path) -> None:
    gdf.to_crs(4326).to_file(path, driver="GeoJSON")


def new_area(request: NewAreaRequest, out_dir: Path) -> NewArea:
    """Check a territory's layers together and write its area folder.

    Parameters
    ----------
    request
        The layers, the point of presence and the figures (:class:`NewAreaRequest`).
    out_dir
        The folder to write (created; files of the same names are replaced).

    Returns
    -------
    NewArea
        The files written, the figures in them and the notes on what was left out.

    Raises
    ------
    InputError
        A layer or table is unusable, the sub-districts do not cover the boundary, no school
        or dwelling lies inside it, the DEM does not cover it plus the margin, or the point
        of presence lies outside the terrain.
    """
    notes: list[str] = []
    outline = _boundary(request)
    _pop_inside(request, outline)
    subs = _subdivisions(request, outline, notes)
    schools = _inside(
        _read_layer(request.schools, "schools layer", _POINTS).to_crs(request.crs),
        outline,
        "schools layer",
        request.schools.path,
        notes,
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    _write_dem(request, outline, out_dir / "dem" / "dem.tif")
    _write_layer(
        gpd.GeoDataFrame({"nombre": [request.name]}, geometry=[outline], crs=request.crs),
        out_dir / "boundary.geojson",
    )
    _write_layer(subs, out_dir / "subdivisions.geojson")
    _write_layer(schools, out_dir / "schools.geojson")
    if request.dwellings is not None:
        points = _read_layer(request.dwellings, "dwellings layer", _POINTS).to_crs(request.crs)
        _write_layer(
            _inside(points, outline, "dwellings layer", request.dwellings.path, notes),
            out_dir / "dwellings.geojson",
        )
    id_field = request.subdivisions.id_field
    if request.households is not None and not id_field:
        msg = (
            f"{request.subdivision_word} layer {request.subdivisions.path}: a households table "
            "needs the sub-districts' id field (--subdivision-id-field) to join its rows."
        )
        raise InputError(msg)
    ids = set(subs[id_field].astype(str)) if id_field else set()
    people, households = _tables(request, ids, out_dir, notes)
    figures = AreaFigures(
        area_km2=float(outline.area) / 1e6,
        people=people,
        households=households,
        n_subdivisions=len(subs),
        n_schools=len(schools),
    )
    area_path = out_dir / "area.toml"
    area_path.write_text(area_toml(request, figures), encoding="utf-8")
    scenario_path = out_dir / "scenario.toml"
    scenario_path.write_text(scenario_toml(request, figures), encoding="utf-8")
    for note in notes:
        log.warning("new-area: %s.", note)
    load_scenario(scenario_path)  # what was written loads with no edits
    return NewArea(scenario=scenario_path, area=area_path, figures=figures, notes=tuple(notes))
