"""The text of the area and scenario files that ``coverage-plan new-area`` writes.

:func:`area_toml` writes the area description of a folder :func:`coverage.inputs.newarea.new_area`
filled (its layers beside it, so unchecked and without sha256); :func:`scenario_toml` writes
the bundled Palmitas scenario (the commented template of every key) with the territory's
name, point of presence, and the budget (scaled by area and by households, the larger),
candidate count and time limit (by area) of :func:`scaled_defaults`, the rule stated in the file as the ASSUMPTION it is.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING

from coverage.errors import ScenarioError
from coverage.scenario import default_scenario_path

if TYPE_CHECKING:
    from coverage.inputs.newarea import LayerInput, NewAreaRequest

__all__ = [
    "PALMITAS_AREA_KM2",
    "PALMITAS_HOUSEHOLDS",
    "AreaFigures",
    "area_toml",
    "scaled_defaults",
    "scenario_toml",
]

#: Area of corregimiento 50, San Sebastián de Palmitas (km2, in EPSG:9377), to which the
#: bundled scenario's budget, candidate count and time limit belong.
PALMITAS_AREA_KM2 = 57.8
#: Households of corregimiento 50 in 2026, the demand of the bundled scenario's budget: the
#: household table of data/palmitas/area.toml (``layers.households``, rows "hogares" /
#: "Total", Alcaldía de Medellín DAP, Proyecciones de Hogares y Viviendas 2018-2030).
PALMITAS_HOUSEHOLDS = 1296.0
#: Bounds of the scaled candidate count and time limit (s). ASSUMPTION: fewer than 50 terrain
#: candidates miss ridges; above 2,000 the coverage matrix outgrows a laptop; the time limit
#: is never below the template's, nor above 10 minutes.
_CANDIDATES = (50, 2000)
_TIME_LIMIT_S = 600.0


@dataclass(frozen=True)
class AreaFigures:
    """The figures of a new area, derived from its layers.

    Attributes
    ----------
    area_km2
        Area of the boundary in the working CRS (km2).
    people
        People in the projection year.
    households
        Households in the projection year.
    n_subdivisions
        Sub-districts written.
    n_schools
        Schools inside the boundary.
    """

    area_km2: float
    people: float
    households: float
    n_subdivisions: int
    n_schools: int


def _s(value: str) -> str:
    """A TOML basic string (JSON's escapes are TOML's)."""
    return json.dumps(value, ensure_ascii=False)


def _template_value(text: str, key: str) -> float:
    found = re.search(rf"^{key} = ([\d.]+)", text, flags=re.MULTILINE)
    if found is None:
        msg = f"the default scenario {default_scenario_path()} has no line `{key} = NUMBER`"
        raise ScenarioError(msg)
    return float(found.group(1))


def scaled_defaults(area_km2: float, households: float = 0.0) -> tuple[float, int, float]:
    """The bundled scenario's budget, candidate count and time limit scaled to an area.

    Parameters
    ----------
    area_km2
        Area of the boundary (km2).
    households
        Households of the territory in the projection year (0 when unknown: the budget is
        then scaled by area alone).

    Returns
    -------
    budget_usd, max_candidates, time_limit_s
        ASSUMPTION. The budget is the template's times the larger of
        ``area_km2 / PALMITAS_AREA_KM2`` (the same cost per km2: towers to reach a sparse
        territory) and ``households / PALMITAS_HOUSEHOLDS`` (the same cost per household:
        the sites, capacity and terminals a dense territory's demand needs), to 1,000 USD;
        the candidates scale by area within 50-2,000; the time limit (s) by area, at least
        the template's and at most 600 s.
    """
    text = default_scenario_path().read_text(encoding="utf-8")
    factor = area_km2 / PALMITAS_AREA_KM2
    demand = max(factor, households / PALMITAS_HOUSEHOLDS)
    budget = max(1000.0, float(round(_template_value(text, "budget_usd") * demand, -3)))
    low, high = _CANDIDATES
    candidates = min(high, max(low, round(_template_value(text, "max_candidates") * factor)))
    base_s = _template_value(text, "time_limit_s")
    time_s = min(_TIME_LIMIT_S, max(base_s, round(base_s * factor)))
    return budget, candidates, time_s


def _layer(key: str, file: str, layer: LayerInput, **keys: str) -> list[str]:
    """The ``[layers.KEY]`` table of a written layer: its file, source and fields."""
    where = ", ".join(f"{k} = {v}" for k, v in layer.where.items())
    given = f"{layer.path.name}{f' ({where})' if where else ''}; state its public source here"
    lines = [f"[layers.{key}]", f"file = {_s(file)}", f"source = {_s(layer.source or given)}"]
    lines += [f"{k} = {_s(v)}" for k, v in keys.items() if v]
    return [*lines, ""]


def area_toml(request: NewAreaRequest, figures: AreaFigures) -> str:
    """The area file of a new area folder.

    Parameters
    ----------
    request
        What :func:`coverage.inputs.newarea.new_area` was given.
    figures
        What it derived.

    Returns
    -------
    str
        The TOML text.
    """
    word = request.subdivision_word
    lines = [
        f"# {request.name}: written by `coverage-plan new-area` from the layers named in each",
        "# [layers.*] source. The files lie beside this one, so they are used unchecked (no",
        "# sha256). They are derived from the inputs: do not commit them where those may not go.",
        f"name = {_s(request.name)}",
        f"subdivision = {_s(word)}            # what the sub-districts are called in the outputs",
        '# subdivision_plural = ""       # "": the regular Spanish plural (sector -> sectores)',
        '# subdivision_en = ""           # "": the word above in English outputs too',
        '# subdivision_en_plural = ""    # "": the regular English plural of subdivision_en',
        f"crs = {_s(request.crs)}",
        f"margin_m = {request.margin_m!r}           # terrain and candidates this far around",
        'school_outside_field = ""      # schools.geojson holds only the schools inside',
        "",
        "[population]",
        f"total_people = {figures.people:.0f}",
        f"households = {figures.households:.0f}",
        f"year = {request.year}",
        f"source = {_s(_population_source(request))}",
        "",
    ]
    if request.vintages:
        lines += ["[population.vintages]"]
        lines += [f"{_s(v)} = {{ published = {y} }}" for v, y in sorted(request.vintages.items())]
        lines += [""]
    names = ", ".join(p.name for p in request.dems)
    lines += [
        "[layers.dem]",
        'file = "dem/dem.tif"',
        f"source = {_s(f'{names}, mosaicked and clipped to the boundary plus margin_m')}",
        "",
    ]
    sub = request.subdivisions
    lines += _layer("boundary", "boundary.geojson", request.boundary, name_field="nombre")
    lines += _layer(
        "veredas", "subdivisions.geojson", sub, name_field=sub.name_field, id_field=sub.id_field
    )
    for key, layer in (("schools", request.schools), ("dwellings", request.dwellings)):
        if layer is not None:
            lines += _layer(key, f"{key}.geojson", layer, name_field=layer.name_field)
    if request.households is not None:
        hh = request.households
        lines += [
            "[layers.households]",
            'file = "households.csv"',
            f"source = {_s(hh.source or hh.path.name + ' (the rows of these sub-districts)')}",
            f"id_field = {_s(hh.key_field)}",
            "",
        ]
    if request.population is not None:
        pop = request.population
        lines += [
            "[layers.population]",
            'file = "population.csv"',
            f"source = {_s(pop.source or pop.path.name + ' (rows per vintage summed)')}",
            f"vintage_field = {_s(pop.key_field)}",
            "",
        ]
    return "\n".join(lines)


def _population_source(request: NewAreaRequest) -> str:
    tables = [t.path.name for t in (request.households, request.population) if t is not None]
    if not tables:
        return f"typed in for coverage-plan new-area ({request.year}); state the source here"
    return f"{' and '.join(tables)}, {request.year}, summed by coverage-plan new-area"


def _slug(name: str) -> str:
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-") or "area"


def scenario_toml(request: NewAreaRequest, figures: AreaFigures) -> str:
    """The bundled scenario's text made the new area's.

    Parameters
    ----------
    request
        What :func:`coverage.inputs.newarea.new_area` was given (name, PoP, margin).
    figures
        What it derived (the area and the households, for :func:`scaled_defaults`).

    Returns
    -------
    str
        The TOML text: the template's comments kept, the name, area, output folder,
        candidates, budget, time limit and point of presence replaced.

    Raises
    ------
    ScenarioError
        The bundled scenario lacks a line this replaces.
    """
    text = default_scenario_path().read_text(encoding="utf-8")
    budget, candidates, time_s = scaled_defaults(figures.area_km2, figures.households)
    by_area = figures.area_km2 / PALMITAS_AREA_KM2
    by_households = figures.households / PALMITAS_HOUSEHOLDS
    rule = (
        "# ASSUMPTION (new-area): budget_usd is the Palmitas default's times the larger of two\n"
        f"# scalings: by area, {figures.area_km2:.1f} km2 / {PALMITAS_AREA_KM2} km2 = "
        f"{by_area:.2f} (the same cost per km2),\n# and by households (the demand), "
        f"{figures.households:,.0f} / {PALMITAS_HOUSEHOLDS:,.0f} = {by_households:.2f} (the "
        "same cost per household);\n# here by "
        f"{'households' if by_households > by_area else 'area'}. max_candidates and "
        "time_limit_s scale by area (candidates within\n# 50-2,000, time limit 30-600 s). "
        "A territory poorer or harder to reach needs its own figures.\n"
    )
    pop = request.pop
    changes = {
        r"\A(#[^\n]*\n)+": (
            f"# Scenario for {request.name}, written by `coverage-plan new-area` from the bundled\n"
            "# Palmitas scenario, the commented template of every key. Units are in the key\n"
            "# names (_m metres, _dbm, _dbi, _mhz, _s seconds, _usd US dollars). Unknown keys\n"
            "# are rejected as typos. Omitted keys take the default shown.\n" + rule
        ),
        r'^name = "[^"]*"': f"name = {_s(_slug(request.name) + '-lte700')}",
        r"^out_dir = [^\n]*": '# out_dir = "maps/<this folder\'s name>" (the default)',
        r"^max_candidates = \d+": f"max_candidates = {candidates}  # ASSUMPTION: scaled by area",
        r"^budget_usd = [\d.]+": f"budget_usd = {budget!r}",
        r"^time_limit_s = [\d.]+": f"time_limit_s = {time_s!r}",
        r"^outside_margin_m = [\d.]+": (f"outside_margin_m = {min(2000.0, request.margin_m)!r}"),
        r"^# Fibre point of presence\.[^\n]*\n(#[^\n]*\n)*pop = [^\n]*": (
            "# Fibre point of presence, as given to new-area (its source says whether it is an\n"
            "# operator's record or an assumption).\n"
            f"pop = {{ name = {_s(pop.name)}, lon_deg = {pop.lon_deg!r}, lat_deg = "
            f"{pop.lat_deg!r}, source = {_s(pop.source or 'assumed (new-area)')} }}"
        ),
    }
    for pattern, line in changes.items():
        text, n = re.subn(pattern, line.replace("\\", "\\\\"), text, count=1, flags=re.MULTILINE)
        if n != 1:
            msg = f"the default scenario {default_scenario_path()} has no line {pattern!r}"
            raise ScenarioError(msg)
    return text
