"""Region files: several areas planned with one scenario, each with its own overrides.

A *region* file (``docs/region.toml`` is the commented example) names a base scenario and
the areas to plan with it::

    name = "Medellín rural"
    scenario = "../data/palmitas/scenario.toml"   # relative to this file
    out_dir = "maps/medellin-rural"                # default: maps/<slug of name>
    # scheduler = "tcp://10.0.0.5:8786"            # an existing dask cluster (default: a local one)
    workers = 2                                    # workers of the local cluster
    block_candidates = 64                          # candidates per coverage-matrix task

    [[areas]]
    name = "Palmitas"
    area = "../data/palmitas"                      # an area folder, or its area.toml

    [[areas]]
    name = "San Cristóbal"
    area = "../areas/san_cristobal"
    overrides = { placement = { budget_usd = 2.8498e7 }, backhaul = { pop = { name = "PoP", lon_deg = -75.637, lat_deg = 6.292, source = "assumed" } } }

    [[areas]]
    name = "Altavista"
    scenario = "../areas/altavista/scenario.toml"  # the area's own scenario (new-area's)

Each area's scenario is the base scenario with the area replaced, its ``out_dir`` set to
``<out_dir>/<slug of the area's name>``, its name ``<base name>-<slug>`` (unless the
overrides name it) and its ``overrides`` merged over the base's sections by
:meth:`coverage.scenario.Scenario.replace`, which checks them as a scenario file is
checked. An area other than the base scenario's own must give its fibre point of presence
(``overrides.backhaul.pop``, a whole point: name, lon_deg, lat_deg, source): no point of
presence is right for every territory; repeat the base's to share it.

An area may instead give its own ``scenario`` file (the ``scenario.toml`` that
``coverage-plan new-area`` writes into an area folder, with the budget, candidates and time
limit scaled to the area and the request's point of presence): that scenario is planned in
place of the base, with its own area (``area`` may be left out; given, it replaces the
scenario's area, and the point of presence must then be given as above), its own name, the
output folder ``<out_dir>/<slug>`` and the overrides merged over it. The base scenario is
still loaded and checked: it plans every area without a scenario of its own. A chosen
design: an explicit key per area, never a region-wide switch that would pick up whatever
scenario.toml lies in a folder.

:func:`load_region` reads and checks the file into a frozen :class:`Region`;
:func:`territory_scenarios` loads the base scenario and each area into the
:class:`~coverage.scenario.Scenario` of each territory. Every mistake is a
:class:`~coverage.errors.RegionError` naming the file and the key; each of them lists every
problem found at once.

An area may also be a ``coverage-plan new-area`` request (``request = "altavista.toml"``,
docs/territory.md; ``docs/region_requests.toml`` is the example): the territory's feature of
a multi-territory layer (a corregimiento by its ``codigo``), its sub-districts and schools
selected by ``where``. :func:`coverage.pipeline.regionareas.build_request_areas` builds it
into ``<out_dir>/<slug>/area/`` before planning, and its scenario.toml is then the area's own
scenario, as above (``area`` and ``scenario`` are not given with ``request``).
"""

from __future__ import annotations

import difflib
import os
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from coverage._toml import build, read_toml
from coverage.errors import RegionError, ScenarioError
from coverage.scenario import Scenario, load_area, load_scenario
from coverage.sections import Point

__all__ = ["Region", "RegionArea", "load_region", "slug", "territory_scenarios"]

#: The keys of a region file, and of each of its ``[[areas]]``.
_KEYS = ("name", "scenario", "out_dir", "scheduler", "workers", "block_candidates", "areas")
_AREA_KEYS = ("name", "area", "scenario", "request", "overrides")
#: Sections an area's overrides may not set: the region sets them.
_NOT_OVERRIDDEN = {"area": "the area is the entry's `area` key", "out_dir": "the region's out_dir"}
#: Workers of a local cluster. ASSUMPTION: more than 64 local processes is a typo.
_WORKERS = (1, 64)
#: Candidates per coverage-matrix task. ASSUMPTION: below 4 the task overhead dominates;
#: above 4,096 one task holds more than a whole large territory's matrix.
_BLOCK = (4, 4096)


@dataclass(frozen=True)
class RegionArea:
    """One territory of a region.

    Attributes
    ----------
    name
        The entry's name (the region's tables and map say it).
    slug
        ASCII file-name form of ``name``: the folder of the territory's outputs.
    area_path
        The area TOML file (absolute); None: the area of the entry's own ``scenario``.
    overrides
        The scenario sections to change for this area, as TOML tables
        (``{"placement": {"budget_usd": 2e6}}``).
    scenario_path
        The entry's own scenario file (absolute), planned instead of the region's base
        scenario; None: the base scenario.
    request_path
        A ``coverage-plan new-area`` request (absolute) that
        :func:`coverage.pipeline.regionareas.build_request_areas` builds into
        ``<out_dir>/<slug>/area/``, whose scenario then is the entry's own; None: none.
    """

    name: str
    slug: str
    area_path: Path | None
    overrides: dict[str, Any] = field(default_factory=dict)
    scenario_path: Path | None = None
    request_path: Path | None = None


@dataclass(frozen=True)
class Region:
    """A validated region file.

    Attributes
    ----------
    name
        The region's name.
    path
        The region file (absolute).
    scenario_path
        The base scenario file (absolute).
    areas
        The territories, in the file's order (the order of every table).
    out_dir
        Output folder of the region (each territory in ``<out_dir>/<slug>``).
    scheduler
        Address of an existing dask scheduler ("" for a local cluster).
    workers
        Worker processes of a local cluster.
    block_candidates
        Candidates per coverage-matrix task.
    """

    name: str
    path: Path
    scenario_path: Path
    areas: tuple[RegionArea, ...]
    out_dir: str
    scheduler: str = ""
    workers: int = 2
    block_candidates: int = 64


def slug(name: str) -> str:
    """An ASCII file-name form of a name: lower case, accents dropped, dashes between words.

    Parameters
    ----------
    name
        Any name ("San Cristóbal").

    Returns
    -------
    str
        E.g. ``"san-cristobal"``; ``"area"`` when nothing is left.
    """
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-") or "area"


def _unknown(keys: Any, known: tuple[str, ...], where: str, problems: list[str]) -> None:
    for key in keys:
        if key not in known:
            near = difflib.get_close_matches(key, known, n=1)
            hint = f" (did you mean {near[0]!r}?)" if near else ""
            problems.append(f"{where}: unknown key {key!r}{hint}; known keys: {', '.join(known)}")


def _text(raw: dict[str, Any], key: str, where: str, problems: list[str]) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not value.strip():
        problems.append(f"{where}.{key}: must be a non-empty string, got {value!r}")
        return ""
    return value


def _integer(raw: dict[str, Any], key: str, bounds: tuple[int, int], problems: list[str]) -> int:
    value = raw.get(key, {"workers": 2, "block_candidates": 64}[key])
    ok = isinstance(value, int) and not isinstance(value, bool)
    if not ok or not bounds[0] <= value <= bounds[1]:
        problems.append(f"{key}: must be an integer in {bounds[0]}-{bounds[1]}, got {value!r}")
        return bounds[0]
    return int(value)


def _area_file(base: Path, ref: str, where: str, problems: list[str]) -> Path:
    """The area TOML an entry names: the file itself, or ``area.toml`` in the folder."""
    p = (base / ref).resolve()
    if p.is_dir():
        if (p / "area.toml").is_file():
            return p / "area.toml"
        problems.append(f"{where}: the folder {p} holds no area.toml; give an area folder or file")
    elif not p.is_file():
        problems.append(f"{where}: {p} does not exist; give an area folder or its area.toml")
    return p


def _entry(raw: Any, i: int, folder: Path, problems: list[str]) -> RegionArea | None:
    where = f"areas[{i}]"
    if not isinstance(raw, dict):
        problems.append(f"{where}: expected a table ([[areas]]), got {raw!r}")
        return None
    _unknown(raw, _AREA_KEYS, where, problems)
    name = _text(raw, "name", where, problems)
    own = raw.get("scenario")
    own_path: Path | None = None
    if own is not None:
        own_path = (folder / _text(raw, "scenario", where, problems)).resolve()
        if not own_path.is_file():
            problems.append(f"{where}.scenario: {own_path} is not a file; give a scenario TOML")
    request = _request(raw, folder, where, problems)
    ref = (
        _text(raw, "area", where, problems)
        if (own is None and request is None) or "area" in raw
        else ""
    )
    overrides = raw.get("overrides", {})
    if not isinstance(overrides, dict):
        problems.append(
            f"{where}.overrides: expected a table of scenario sections, got {overrides!r}"
        )
        overrides = {}
    for key, why in _NOT_OVERRIDDEN.items():
        if key in overrides:
            problems.append(f"{where}.overrides.{key}: not an override here: {why} sets it")
    if not name or not (ref or own_path or request):
        return None
    path = _area_file(folder, ref, f"{where}.area", problems) if ref else None
    return RegionArea(
        name=name,
        slug=slug(name),
        area_path=path,
        overrides=dict(overrides),
        scenario_path=own_path,
        request_path=request,
    )


def _request(raw: dict[str, Any], folder: Path, where: str, problems: list[str]) -> Path | None:
    """The entry's new-area request file; with it, no ``area`` nor ``scenario``."""
    if "request" not in raw:
        return None
    path = (folder / _text(raw, "request", where, problems)).resolve()
    if not path.is_file():
        problems.append(f"{where}.request: {path} is not a file; give a new-area request TOML")
    problems += [
        f"{where}.{key}: not with `request`: the request builds the area and its scenario"
        for key in ("area", "scenario")
        if key in raw
    ]
    return path


def load_region(path: str | os.PathLike[str]) -> Region:
    """Read and check a region file.

    Parameters
    ----------
    path
        The region TOML; its ``scenario`` and each ``area`` are relative to it.

    Returns
    -------
    Region
        The region, its paths absolute.

    Raises
    ------
    RegionError
        The file is missing or not TOML, or has unknown keys, missing or mistyped values,
        areas that do not exist, no areas, or two areas of the same name; every problem
        listed, each under its key.
    """
    p = Path(path)
    try:
        raw = read_toml(p, "region file")
    except ScenarioError as err:
        raise RegionError(str(err)) from err
    problems: list[str] = []
    _unknown(raw, _KEYS, p.name, problems)
    name = _text(raw, "name", p.name, problems)
    scenario_ref = _text(raw, "scenario", p.name, problems)
    scenario_path = (p.parent / scenario_ref).resolve()
    if scenario_ref and not scenario_path.is_file():
        problems.append(f"scenario: {scenario_path} is not a file; give the base scenario TOML")
    problems += [
        f"{key}: must be a string, got {raw[key]!r}"
        for key in ("out_dir", "scheduler")
        if key in raw and not isinstance(raw[key], str)
    ]
    workers = _integer(raw, "workers", _WORKERS, problems)
    block = _integer(raw, "block_candidates", _BLOCK, problems)
    entries = raw.get("areas", [])
    if not isinstance(entries, list) or not entries:
        problems.append("areas: give at least one [[areas]] table (name, area, overrides)")
        entries = []
    areas = [a for i, e in enumerate(entries) if (a := _entry(e, i, p.parent, problems))]
    slugs = [a.slug for a in areas]
    problems += [
        f"areas: two areas have the name {s!r} (their output folder); rename one"
        for s in sorted({s for s in slugs if slugs.count(s) > 1})
    ]
    _raise(p, problems)
    return Region(
        name=name,
        path=p.resolve(),
        scenario_path=scenario_path,
        areas=tuple(areas),
        out_dir=str(raw.get("out_dir", f"maps/{slug(name)}")),
        scheduler=str(raw.get("scheduler", "")),
        workers=workers,
        block_candidates=block,
    )


def _raise(path: Path, problems: list[str]) -> None:
    if problems:
        lines = "\n  - ".join(problems)
        msg = f"region file {path} has {len(problems)} problem(s):\n  - {lines}"
        raise RegionError(msg)


def _whole_pop(overrides: dict[str, Any], where: str, problems: list[str]) -> dict[str, Any]:
    """The overrides with ``backhaul.pop`` built whole (a table would keep the base's name)."""
    backhaul = overrides.get("backhaul")
    if not isinstance(backhaul, dict) or not isinstance(backhaul.get("pop"), dict):
        return overrides
    pop = build(Point, backhaul["pop"], f"{where}.backhaul.pop", problems)
    return {**overrides, "backhaul": {**backhaul, "pop": pop}} if pop is not None else overrides


def _has_pop(overrides: dict[str, Any]) -> bool:
    backhaul = overrides.get("backhaul")
    return isinstance(backhaul, dict) and "pop" in backhaul


def territory_scenarios(
    region: Region, *, out_dir: str | os.PathLike[str] | None = None
) -> tuple[Scenario, ...]:
    """The scenario of each territory: the base (or its own), its area set, overrides merged.

    Parameters
    ----------
    region
        The region (:func:`load_region`).
    out_dir
        The region's output folder (default: the region's ``out_dir``); territory ``slug``
        writes into ``<out_dir>/<slug>``.

    Returns
    -------
    tuple of Scenario
        One per area, in the region's order.

    Raises
    ------
    RegionError
        The base scenario, an area's own scenario or an area file has problems, an override
        is unknown, mistyped or out of range, or an area other than its scenario's own gives
        no point of presence;
        every problem listed under its area.
    """
    try:
        base = load_scenario(region.scenario_path)
    except ScenarioError as err:
        msg = f"region file {region.path}: its scenario has problems: {err}"
        raise RegionError(msg) from err
    folder = Path(out_dir if out_dir is not None else region.out_dir)
    problems: list[str] = []
    scenarios: list[Scenario] = []
    for i, entry in enumerate(region.areas):
        where = f"areas[{i}] ({entry.name})"
        own = entry.scenario_path
        if own is None and entry.request_path is not None:
            problems.append(
                f"{where}.request: its area is not built yet "
                "(coverage.pipeline.regionareas.build_request_areas builds it)"
            )
            continue
        try:
            start = base if own is None else load_scenario(own)
        except ScenarioError as err:
            problems.append(f"{where}.scenario: {err}")
            continue
        try:
            area = start.area if entry.area_path is None else load_area(entry.area_path)
        except ScenarioError as err:
            problems.append(f"{where}.area: {err}")
            continue
        if area.path != start.area.path and not _has_pop(entry.overrides):
            problems.append(
                f"{where}.overrides: give this territory's fibre point of presence, "
                "backhaul = { pop = { name = ..., lon_deg = ..., lat_deg = ..., source = ... } }: "
                f"the scenario's ({start.backhaul.pop.name}) is its own area's; repeat it "
                "here to share it"
            )
            continue
        changes = _whole_pop(entry.overrides, f"{where}.overrides", problems)
        name = start.name if own is not None else f"{start.name}-{entry.slug}"
        changes = {"name": name, **changes}
        try:
            scenarios.append(start.replace(area=area, out_dir=str(folder / entry.slug), **changes))
        except ScenarioError as err:
            problems.append(f"{where}.overrides: {err}")
    _raise(region.path, problems)
    return tuple(scenarios)
