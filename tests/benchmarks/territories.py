"""Areas larger than Palmitas for the benchmarks, written at run time from the shared data.

Medellín's three rural corregimientos in ``shared/data/medellin_rural/`` (50 San Sebastián
de Palmitas, 60 San Cristóbal, 70 Altavista; see its PROVENANCE.md) are made into one area
folder of the format of ``data/palmitas/area.toml``, with a scenario based on the default
Palmitas one, by :func:`build_area`. The files are derived from public data that is never
committed: write them into a temporary folder only.

The folder holds ``boundary.geojson`` (the dissolved union of the chosen corregimientos),
``veredas.geojson`` (their sub-districts: veredas, urban centres and expansion areas),
``schools.geojson`` (every school site, with the boolean field :data:`INSIDE_FIELD`),
``dem/medellin_dem_srtm1.tif`` (a symbolic link to the Medellín SRTM tile, which covers all
three), ``area.toml`` and ``scenario.toml``. Files beside an area file are used unchecked
(:func:`coverage.inputs.sources.resolve_layer`), so the area file lists no sha256.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd

from coverage.inputs.areafiles import scaled_defaults
from coverage.inputs.dem import check_dem
from coverage.scenario import default_scenario_path

__all__ = [
    "CODES",
    "INSIDE_FIELD",
    "POPULATION_YEAR",
    "Territory",
    "build_area",
    "population_2026",
]

#: Corregimiento codes of the shared data set and their names.
CODES = {"50": "San Sebastián de Palmitas", "60": "San Cristóbal", "70": "Altavista"}
#: Boolean field written into the schools layer: the school lies in a chosen corregimiento.
INSIDE_FIELD = "dentro_area"
#: Year of the population and household projections used.
POPULATION_YEAR = 2026
#: The population vintage used (the other one, ``post_covid_19``, is higher).
POPULATION_VINTAGE = "actualizacion_2025"

_RURAL = "medellin_rural"
_DEM = Path("palmitas", "dem", "medellin_dem_srtm1.tif")
_WORK_CRS = "EPSG:9377"
_RELAY = "jorgeiv500/medellin-ev-readiness-reproducibility@17c881d data_raw/demographics/medellin/"
_BOUNDARY_SOURCE = (
    "GeoMedellín 'Límite Catastral de Comunas y Corregimientos' (Alcaldía de Medellín), via "
    "GitHub userdayis/geomed@9b936ff data/wgs84_limite_catastral_de_comun.geojson; repaired "
    "in shared/data/medellin_rural (medellin_rural_corregimientos.geojson), dissolved here"
)
_VEREDAS_SOURCE = (
    "Medellín catastral 'Barrio_Vereda' layer, via GitHub kaamayam/Tae-AccidentalidadMed@84a18f6 "
    "barrios_Medellin.rds (shared/data/medellin_rural/medellin_rural_veredas.geojson)"
)
_SCHOOLS_SOURCE = (
    "Alcaldía de Medellín, Secretaría de Educación 'Sedes educativas', via GitHub "
    "jjresher/medellin-modelo-digital@404d161 public/data/geo/capas/educacion_sedes.geojson "
    "(shared/data/medellin_rural/medellin_rural_schools.geojson)"
)
_DEM_SOURCE = (
    "NASA SRTMGL1 v3 (doi:10.5067/MEaSUREs/SRTM/SRTMGL1.003), relayed by GitHub "
    "isvelascor1061/solar-forecast-emergente (shared/data/palmitas/dem/medellin_dem_srtm1.tif)"
)
_LICENCE = "Alcaldía de Medellín open data; terms not restated by the relay"


@dataclass(frozen=True)
class Territory:
    """What :func:`build_area` wrote, with the figures it derived.

    Attributes
    ----------
    scenario
        The scenario file (``area.toml`` lies beside it).
    area_km2
        Area of the dissolved boundary in EPSG:9377 (km2).
    people
        Population of the chosen corregimientos in :data:`POPULATION_YEAR`.
    households
        Households of their sub-districts in :data:`POPULATION_YEAR`.
    budget_usd
        The scenario's budget (USD).
    n_veredas
        Sub-districts written.
    n_schools_inside
        Schools flagged inside the area.
    """

    scenario: Path
    area_km2: float
    people: int
    households: int
    budget_usd: float
    n_veredas: int
    n_schools_inside: int


def population_2026(codes: Sequence[str], shared: Path) -> tuple[int, int, str]:
    """People and households of corregimientos in 2026, with the citation of both figures.

    Parameters
    ----------
    codes
        Corregimiento codes (``"50"``, ``"60"``, ``"70"``).
    shared
        The shared data folder (holding ``medellin_rural/``).

    Returns
    -------
    people, households, source
        People (DAP projections by corregimiento, the 2025 update, every area type) and
        households (DAP projections by sub-district, ``Total`` rows, summed over the
        sub-districts of the chosen corregimientos), and the source sentence for the area
        file.

    Raises
    ------
    ValueError
        A code has no population row.
    """
    folder = shared / _RURAL
    pop = pd.read_csv(
        folder / "medellin_rural_population_2018_2030.csv", dtype={"codigo_corregimiento": str}
    )
    rows = pop[(pop["vintage"] == POPULATION_VINTAGE) & pop["codigo_corregimiento"].isin(codes)]
    missing = set(codes) - set(rows["codigo_corregimiento"])
    if missing:
        msg = f"no {POPULATION_VINTAGE} population rows for corregimientos {sorted(missing)}"
        raise ValueError(msg)
    people = int(rows[str(POPULATION_YEAR)].sum())
    veredas = gpd.read_file(folder / "medellin_rural_veredas.geojson")
    ours = set(veredas.loc[veredas["corregimiento"].isin(codes), "codigo"])
    hh = pd.read_csv(
        folder / "medellin_rural_households_by_vereda_2018_2030.csv", dtype={"codigo": str}
    )
    hh = hh[(hh["indicador"] == "hogares") & (hh["area_geografica"] == "Total")]
    households = int(hh.loc[hh["codigo"].isin(ours), str(POPULATION_YEAR)].sum())
    source = (
        f"Alcaldía de Medellín DAP, 'Proyecciones de población 2018-2030 por comuna y "
        f"corregimiento' (update of 2025), corregimientos {'+'.join(codes)}, {POPULATION_YEAR} "
        f"({people:,} people); households: DAP 'Proyecciones de Hogares y Viviendas a nivel "
        f"Barrios y Veredas 2018-2030' (source DANE, updated 28 Nov 2025), {POPULATION_YEAR} "
        f"({households:,} households); both relayed in {_RELAY}"
    )
    return people, households, source


def _toml_str(value: str) -> str:
    """A TOML basic string (JSON's escapes are TOML's)."""
    return json.dumps(value, ensure_ascii=False)


def _layer(key: str, file: str, source: str, **fields: str) -> str:
    lines = [f"[layers.{key}]", f"file = {_toml_str(file)}", f"source = {_toml_str(source)}"]
    lines.append(f"licence = {_toml_str(fields.pop('licence', _LICENCE))}")
    lines += [f"{k} = {_toml_str(v)}" for k, v in fields.items()]
    return "\n".join(lines) + "\n"


def _area_toml(name: str, margin_m: float, population: tuple[int, int, str]) -> str:
    people, households, source = population
    return "\n".join(
        [
            f"# {name}: written at run time by tests/benchmarks/territories.py from the public",
            "# data in shared/data/ (never commit it). The layers lie beside this file, so they",
            "# are used unchecked and need no sha256.",
            f"name = {_toml_str(name)}",
            f'crs = "{_WORK_CRS}"',
            f"margin_m = {margin_m!r}",
            f'school_outside_field = "{INSIDE_FIELD}"',
            "",
            "[population]",
            f"total_people = {people}",
            f"households = {households}",
            f"year = {POPULATION_YEAR}",
            f"source = {_toml_str(source)}",
            "",
            _layer(
                "dem",
                _DEM.relative_to("palmitas").as_posix(),
                _DEM_SOURCE,
                licence="US Government work (NASA/USGS), distributed by LP DAAC without use "
                "restrictions; cite Farr et al. 2007",
            ),
            _layer("boundary", "boundary.geojson", _BOUNDARY_SOURCE, name_field="nombre"),
            _layer(
                "veredas",
                "veredas.geojson",
                _VEREDAS_SOURCE,
                name_field="nombre",
                id_field="codigo",
            ),
            _layer("schools", "schools.geojson", _SCHOOLS_SOURCE, name_field="nombre"),
        ]
    )


def _scenario_toml(
    name: str, max_candidates: int, budget_usd: float, outside_margin_m: float
) -> str:
    """The default Palmitas scenario's text with the name, budget and candidates changed."""
    text = default_scenario_path().read_text(encoding="utf-8")
    changes = {
        r'^name = "[^"]*"': f"name = {_toml_str(name)}",
        r'^area = "[^"]*"': 'area = "area.toml"',
        r'^out_dir = "[^"]*"': f"out_dir = {_toml_str('maps/' + name)}",
        r"^max_candidates = \d+": f"max_candidates = {max_candidates}",
        r"^budget_usd = [\d.]+": f"budget_usd = {budget_usd!r}",
        r"^outside_margin_m = [\d.]+": f"outside_margin_m = {outside_margin_m!r}",
    }
    for pattern, line in changes.items():
        text, n = re.subn(pattern, line, text, count=1, flags=re.MULTILINE)
        if n != 1:
            msg = f"the default scenario {default_scenario_path()} has no line {pattern!r}"
            raise ValueError(msg)
    return text


def build_area(
    codes: Sequence[str],
    out_dir: Path,
    shared: Path,
    *,
    max_candidates: int = 300,
    budget_usd: float | None = None,
    margin_m: float = 3000.0,
    outside_margin_m: float = 2000.0,
) -> Territory:
    """Write an area folder and its scenario for some of Medellín's rural corregimientos.

    Parameters
    ----------
    codes
        Corregimiento codes, some of :data:`CODES`; their boundaries are dissolved into one.
    out_dir
        The folder to write (created; existing files of the same names are replaced). Keep
        it out of the repository: the files are derived from public data.
    shared
        The shared data folder, holding ``medellin_rural/`` and ``palmitas/dem/``.
    max_candidates
        The scenario's ``[candidates] max_candidates`` (terrain candidates; schools come on
        top).
    budget_usd
        The scenario's budget (USD); None scales the default Palmitas scenario's budget
        as ``coverage-plan new-area`` does (:func:`coverage.inputs.areafiles.scaled_defaults`:
        by area or by households, the larger, to 1,000 USD).
    margin_m
        The area's ``margin_m`` (m): the terrain extends this far around the boundary.
    outside_margin_m
        The scenario's ``[candidates] outside_margin_m`` (m), at most ``margin_m``.

    Returns
    -------
    Territory
        The scenario file and the figures written into it.

    Raises
    ------
    ValueError
        An unknown code, ``outside_margin_m`` above ``margin_m``, or a DEM tile that does
        not cover the boundary plus ``margin_m``.
    """
    unknown = sorted(set(codes) - set(CODES))
    if unknown or not codes:
        msg = f"corregimiento codes {unknown or list(codes)} are not among {sorted(CODES)}"
        raise ValueError(msg)
    if outside_margin_m > margin_m:
        msg = f"outside_margin_m {outside_margin_m} exceeds the terrain margin_m {margin_m}"
        raise ValueError(msg)
    codes = list(codes)
    folder = shared / _RURAL
    out_dir.mkdir(parents=True, exist_ok=True)
    corr = gpd.read_file(folder / "medellin_rural_corregimientos.geojson")
    corr = corr[corr["codigo"].isin(codes)]
    name = " + ".join(CODES[c] for c in codes)
    boundary = gpd.GeoDataFrame(
        {"codigo": ["+".join(codes)], "nombre": [name]},
        geometry=[corr.union_all()],
        crs=corr.crs,
    )
    boundary.to_file(out_dir / "boundary.geojson", driver="GeoJSON")
    veredas = gpd.read_file(folder / "medellin_rural_veredas.geojson")
    veredas = veredas[veredas["corregimiento"].isin(codes)]
    veredas.to_file(out_dir / "veredas.geojson", driver="GeoJSON")
    schools = gpd.read_file(folder / "medellin_rural_schools.geojson")
    schools[INSIDE_FIELD] = schools["corregimiento"].isin(codes)
    schools.to_file(out_dir / "schools.geojson", driver="GeoJSON")
    dem = out_dir / _DEM.relative_to("palmitas")
    dem.parent.mkdir(parents=True, exist_ok=True)
    dem.unlink(missing_ok=True)
    dem.symlink_to((shared / _DEM).resolve())
    work = boundary.to_crs(_WORK_CRS).geometry.iloc[0]
    problems = check_dem(dem, work, _WORK_CRS, margin_m=margin_m)
    if problems:
        raise ValueError("; ".join(problems))
    area_km2 = float(work.area) / 1e6
    population = population_2026(codes, shared)
    if budget_usd is None:
        budget_usd = scaled_defaults(area_km2, float(population[1]))[0]
    (out_dir / "area.toml").write_text(_area_toml(name, margin_m, population), encoding="utf-8")
    scenario_name = f"medellin-{'-'.join(codes)}-lte700-c{max_candidates}"
    scenario = out_dir / "scenario.toml"
    scenario.write_text(
        _scenario_toml(scenario_name, max_candidates, budget_usd, outside_margin_m),
        encoding="utf-8",
    )
    return Territory(
        scenario=scenario,
        area_km2=area_km2,
        people=population[0],
        households=population[1],
        budget_usd=budget_usd,
        n_veredas=len(veredas),
        n_schools_inside=int(schools[INSIDE_FIELD].sum()),
    )
