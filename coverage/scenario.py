"""Scenarios and area descriptions: TOML files loaded into validated, frozen dataclasses.

A *scenario* (``data/palmitas/scenario.toml`` is the commented template) says what to plan:
the technology, propagation model, candidate sites, budget, backhaul and outputs. It points at
an *area* description (``data/palmitas/area.toml``) that says where: the working CRS, the
input layers with their public sources and checksums, and the facts typed in by hand with
their citations.

The bundled Palmitas files live in ``data/palmitas/`` at the top of the repository and, for
an installed package, in ``coverage/data/palmitas/`` (an identical copy):
:func:`default_scenario_path` finds either.

Loading rejects unknown keys as probable typos (suggesting the nearest known key), checks
types, finite numbers and physical ranges, and reports every problem at once in one
:class:`ScenarioError`, each under its dotted key; :meth:`Scenario.replace` checks the same
way. The sections' classes and the ranges live in :mod:`coverage.sections` (re-exported here).
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyproj

from coverage._toml import Checks, ProblemError, Range, build, raise_problems, read_toml, update
from coverage.errors import ScenarioError
from coverage.sections import (
    DISTANCE_M,
    MAX_VOID_SHARE,
    VOID_SHARE,
    BackhaulParams,
    CandidateParams,
    CostParams,
    DemandParams,
    ExistingParams,
    PlacementParams,
    Point,
    PropagationParams,
    RolloutParams,
    ServiceParams,
    TechnologyParams,
)
from coverage.sections.hotspots import HotspotParams

__all__ = [
    "AreaSpec",
    "BackhaulParams",
    "CandidateParams",
    "CostParams",
    "DemandParams",
    "ExistingParams",
    "HotspotParams",
    "LayerSpec",
    "PlacementParams",
    "Point",
    "PopulationFacts",
    "PopulationVintage",
    "PropagationParams",
    "RolloutParams",
    "Scenario",
    "ServiceParams",
    "TechnologyParams",
    "default_scenario_path",
    "load_area",
    "load_scenario",
]

#: Folder of the bundled areas and scenarios in a clone: ``data/`` at the top of the repository.
DATA_DIR = Path(__file__).resolve().parents[1] / "data"
#: The same areas and scenarios as package data (``coverage/data/``), for an installed wheel;
#: ``tests/test_scenario.py`` checks that they equal the files in :data:`DATA_DIR`.
PACKAGE_DATA_DIR = Path(__file__).resolve().parent / "data"


# --- small value objects ----------------------------------------------------------------------
@dataclass(frozen=True)
class LayerSpec:
    """One input layer: the file name in a mirror or cache, its public source and checksums.

    ``sha256`` lists the accepted checksums of the file: the version the project is tested
    with and, where the public source serves a differently encoded copy of the same data,
    that copy's checksum too.

    A table layer (CSV: the ``households`` and ``population`` projections) keeps only the
    rows whose fields have the values in ``rows`` (text, as the CSV writes them, e.g.
    ``{ indicador = "hogares", area_geografica = "Total" }``); ``vintage_field`` names the
    column of a population table that says which edition of the projection a row is.
    """

    file: str
    url: str = ""
    sha256: tuple[str, ...] = ()
    source: str = ""
    licence: str = ""
    name_field: str = "nombre"
    id_field: str = ""
    rows: dict[str, str] = field(default_factory=dict)
    vintage_field: str = ""

    def __post_init__(self) -> None:
        """Raise :class:`ScenarioError` for a bad file name, sha256 digest or row filter."""
        c = Checks(self)
        c.that(
            bool(self.file)
            and not Path(self.file).is_absolute()
            and ".." not in Path(self.file).parts,
            f"{self.file!r} must be a relative path inside the data folder",
            "file",
        )
        for digest in self.sha256:
            c.that(
                len(digest) == 64 and all(ch in "0123456789abcdef" for ch in digest),
                f"{digest!r} is not 64 lower-case hex digits",
                "sha256",
            )
        blank = [k for k, v in self.rows.items() if not k or not v]
        c.that(not blank, f"fields {blank} need a column name and a value to keep", "rows")
        c.done()


@dataclass(frozen=True)
class PopulationVintage:
    """One edition of a population projection: the year it was published, and its source."""

    published: int
    source: str = ""

    def __post_init__(self) -> None:
        """Raise :class:`ScenarioError` for a publication year outside 1900-2100."""
        c = Checks(self)
        c.that(
            not c.valid("published") or 1900 <= self.published <= 2100,
            "must be a year in 1900-2100",
            "published",
        )
        c.done()


@dataclass(frozen=True)
class PopulationFacts:
    """Population totals typed in by hand, with their citation.

    ``vintages`` dates the editions of the area's ``population`` table by name (the values
    of its ``vintage_field``), so that the newest is known; with the tables, these typed
    totals only check them.
    """

    total_people: float
    households: float = 0.0
    year: int = 0
    source: str = ""
    vintages: dict[str, PopulationVintage] = field(default_factory=dict)

    def __post_init__(self) -> None:
        """Raise :class:`ScenarioError` for a negative or implausible count, or more households than people."""
        c = Checks(self)
        for key in ("total_people", "households"):
            value = getattr(self, key)
            if c.valid(key) and value < 0:
                c.that(False, f"{key} {value:g} is negative; give the count from the source")
            else:
                c.within(key, _PEOPLE)
        if c.valid("total_people", "households"):
            c.that(
                self.households <= self.total_people,
                f"{self.households:,g} households for {self.total_people:,g} people: a "
                "household has at least one person; check both figures against the source",
                "households",
            )
        c.that(
            self.year == 0 or 1900 <= self.year <= 2100,
            "year must be 0 (unknown) or 1900-2100",
            "year",
        )
        c.done()


_PEOPLE = Range(0.0, 1e8, "people", "plausibility range, assumption: more than any rural area")
#: Share of DEM cells that may be voids filled from their neighbours.


@dataclass(frozen=True)
class AreaSpec:
    """Where to plan: the area, its working CRS, input layers and typed-in facts.

    ``crs`` must be a projected CRS in metres (pyproj reads it: ``"EPSG:9377"``, WKT, a PROJ
    string). ``margin_m`` is the buffer (m) around the area in which the terrain is read and
    candidates and relays may lie. ``max_void_share`` is the largest share of DEM cells that
    may be voids filled from neighbours; above it the DEM is refused.
    ``school_outside_field`` names a boolean field of the schools layer that is false for a
    school outside the area ("": every school of the layer is the area's); a field the layer
    lacks is an error. ``name`` is the territory's name and ``subdivision`` what its
    sub-districts are called (vereda, barrio, sector ...): the outputs' titles show the
    name, and every label, heading, column header, file, layer and KML folder name says the
    word. ``subdivision_plural`` is its plural ("": the regular Spanish rule, barrio ->
    barrios, sector -> sectores); ``subdivision_en`` and ``subdivision_en_plural`` the words
    of the English outputs ("": the local word and its plural, as a proper noun)
    (:func:`coverage.outputs.words.subdivision_words`).
    """

    name: str
    crs: str
    layers: dict[str, LayerSpec]
    population: PopulationFacts
    subdivision: str = "vereda"
    subdivision_plural: str = ""
    subdivision_en: str = ""
    subdivision_en_plural: str = ""
    margin_m: float = 3000.0
    school_outside_field: str = ""
    max_void_share: float = MAX_VOID_SHARE
    path: Path | None = None

    def __post_init__(self) -> None:
        """Raise :class:`ScenarioError` for a bad CRS, margin or void share, or a missing layer."""
        c = Checks(self)
        c.that(*_metric_crs(self.crs), "crs")
        c.within("margin_m", DISTANCE_M)
        c.that(bool(self.name.strip()), "must name the territory", "name")
        c.that(
            bool(self.subdivision.strip()),
            'must say what the sub-districts are called, e.g. "vereda"',
            "subdivision",
        )
        c.within("max_void_share", VOID_SHARE)
        missing = {"dem", "veredas", "schools"} - set(self.layers)
        c.that(
            not missing,
            f"lacks {sorted(missing)} (dem, veredas and schools are needed)",
            "layers",
        )
        tables = self.layers.get("households"), self.layers.get("population")
        c.that(
            tables[1] is None or tables[0] is not None,
            "layers.population needs a households table (layers.households) to share it out",
        )
        c.that(
            tables[0] is None or bool(tables[0].id_field),
            "layers.households needs id_field, the column of the veredas' ids",
        )
        c.that(
            tables[1] is None or bool(tables[1].vintage_field),
            "layers.population needs vintage_field, the column naming each projection",
        )
        c.done()


def _metric_crs(crs: str) -> tuple[bool, str]:
    """Whether ``crs`` is a projected CRS in metres, and what is wrong with it if not."""
    fix = "use a projected CRS in metres, e.g. EPSG:9377 (Colombia, Origen-Nacional) or EPSG:3116"
    try:
        parsed = pyproj.CRS.from_user_input(crs)
    except pyproj.exceptions.CRSError as err:
        return False, f"{crs!r} is not a CRS pyproj knows ({err}); {fix}"
    if not parsed.is_projected:
        return False, f"{crs!r} ({parsed.name}) is not projected (it is in degrees); {fix}"
    if parsed.axis_info[0].unit_conversion_factor != 1.0:
        unit = parsed.axis_info[0].unit_name
        return False, f"{crs!r} ({parsed.name}) is in {unit}, not metres; {fix}"
    return True, ""


# --- the scenario ------------------------------------------------------------------------------
@dataclass(frozen=True, kw_only=True)
class _ScenarioKeys:
    """The keys of a scenario file itself (its area is loaded from its own file)."""

    name: str
    technology: TechnologyParams = TechnologyParams()
    propagation: PropagationParams = PropagationParams()
    demand: DemandParams = DemandParams()
    candidates: CandidateParams = CandidateParams()
    placement: PlacementParams = PlacementParams(budget_usd=120_000.0)
    backhaul: BackhaulParams = BackhaulParams()
    costs: CostParams = CostParams()
    existing: ExistingParams = ExistingParams()
    service: ServiceParams = ServiceParams()
    rollout: RolloutParams = RolloutParams()
    hotspots: HotspotParams = HotspotParams()
    out_dir: str = "maps/area"
    language: str = "es"


@dataclass(frozen=True, kw_only=True)
class Scenario(_ScenarioKeys):
    """A complete, validated planning scenario: the file's keys plus its loaded area."""

    area: AreaSpec
    path: Path | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        """Raise :class:`ScenarioError` for another language or candidates outside the
        terrain the area reads (an unpriced mast height is refused at resolve time)."""
        c = Checks(self)
        c.that(self.language in ("es", "en"), f"{self.language!r} is not es or en", "language")
        c.that(
            self.candidates.outside_margin_m <= self.area.margin_m,
            f"[candidates] outside_margin_m {self.candidates.outside_margin_m:,g} m is more than "
            f"the area's margin_m {self.area.margin_m:,g} m, where the terrain ends: lower it "
            "or raise margin_m in the area file",
        )
        c.done()

    def to_dict(self) -> dict[str, Any]:
        """The scenario as plain data (for manifests and summaries).

        Returns
        -------
        dict
            Every field, sections as nested dicts; ``path`` and ``area.path`` as text ("" if none).
        """
        raw = dataclasses.asdict(self)
        raw["path"] = str(self.path) if self.path else ""
        raw["area"]["path"] = str(self.area.path) if self.area.path else ""
        return raw

    def replace(self, **sections: Any) -> Scenario:
        """Return a copy with whole sections or fields replaced, checked as a file is.

        Parameters
        ----------
        **sections
            New values by field name: a section (``placement``, ``area``, ...) as an object, or
            as a dict of the fields to change in it; ``name``, ``out_dir``, ``language`` as values.
            Values are converted and checked as the loader checks a file's (a list or tuple for
            a tuple; ``"120000"`` is not a number).

        Returns
        -------
        Scenario
            The copy.

        Raises
        ------
        ScenarioError
            Every unknown key (with the nearest known one), wrong type or out-of-range value,
            each with its dotted key path (``placement.budget_sites``), in one message.

        Examples
        --------
        ``scenario.replace(placement={"budget_sites": 4, "budget_usd": 0.0})`` changes two
        fields of a section.
        """
        problems: list[str] = []
        copy = update(self, sections, "", problems)
        if problems or copy is None:
            lines = "\n  - ".join(problems)
            msg = f"Scenario.replace of {self.name!r} has {len(problems)} problem(s):\n  - {lines}"
            raise ScenarioError(msg)
        return copy


# --- loading --------------------------------------------------------------------------------------
def load_area(path: str | os.PathLike[str]) -> AreaSpec:
    """Load and validate an area description (TOML).

    Parameters
    ----------
    path
        The area TOML file; the layers' files are looked for beside it first.

    Returns
    -------
    AreaSpec
        The validated area; its ``path`` is the file's absolute path.

    Raises
    ------
    ScenarioError
        The file is missing or not TOML; or every unknown key, wrong type or out-of-range
        value, listed with its dotted path.
    """
    p = Path(path)
    raw = read_toml(p, "area file")
    problems: list[str] = []
    area = build(AreaSpec, raw, p.name, problems)
    raise_problems(p, "area file", problems)
    return dataclasses.replace(area, path=p.resolve())


def load_scenario(path: str | os.PathLike[str] | None = None) -> Scenario:
    """Load and validate a scenario (TOML) and the area file it names.

    Parameters
    ----------
    path
        The scenario TOML file, whose ``area`` key is the path of an area TOML relative to
        it; None (default): the bundled Palmitas scenario (:func:`default_scenario_path`).

    Returns
    -------
    Scenario
        The validated scenario with its area; its ``path`` is the file's absolute path.

    Raises
    ------
    ScenarioError
        A file is missing or not TOML, ``area`` is not a path, the area file has problems
        (:func:`load_area`); or every problem of the scenario's keys, each with its dotted path.
    """
    p = Path(path) if path is not None else default_scenario_path()
    raw = read_toml(p, "scenario")
    problems: list[str] = []
    area_ref = raw.pop("area", None)
    if not isinstance(area_ref, str):
        problems.append(f"{p.name}: 'area' must be the path of an area TOML file")
        raise_problems(p, "scenario", problems)
    area = load_area((p.parent / str(area_ref)).resolve())
    _area_defaults(raw, area, p.name, problems)
    scenario = build(_ScenarioKeys, raw, p.name, problems)
    raise_problems(p, "scenario", problems)
    fields = {f.name: getattr(scenario, f.name) for f in dataclasses.fields(_ScenarioKeys)}
    try:
        return Scenario(area=area, path=p.resolve(), **fields)
    except ProblemError as err:
        raise_problems(
            p,
            "scenario",
            [f"{p.name}.{k}: {t}" if k else f"{p.name}: {t}" for k, t in err.problems],
        )
        raise  # unreachable: raise_problems raised


def _area_defaults(raw: dict[str, Any], area: AreaSpec, name: str, problems: list[str]) -> None:
    """Fill what a scenario file leaves to its area, and refuse what no area can supply.

    ``out_dir`` defaults to ``maps/<area folder>``; a missing ``[backhaul] pop`` is a
    problem (no point of presence is right for every area).
    """
    if "out_dir" not in raw:
        folder = area.path.parent.name if area.path is not None else "area"
        raw["out_dir"] = f"maps/{folder}"
    backhaul = raw.get("backhaul", {})
    if not isinstance(backhaul, dict) or "pop" not in backhaul:
        problems.append(
            f"{name}: [backhaul] pop is not set: give the fibre point of presence, "
            'pop = { name = "...", lon_deg = ..., lat_deg = ..., source = "..." } (an '
            "operator's record, or a stated assumption); `coverage-plan new-area` writes one"
        )


def default_scenario_path() -> Path:
    """Path of the bundled Palmitas scenario.

    Returns
    -------
    Path
        ``data/palmitas/scenario.toml`` at the top of the repository when run from a clone
        (:data:`DATA_DIR`), else the copy installed with the package
        (:data:`PACKAGE_DATA_DIR`, ``coverage/data/palmitas/scenario.toml``).

    Raises
    ------
    ScenarioError
        Neither file exists.
    """
    name = Path("palmitas", "scenario.toml")
    for folder in (DATA_DIR, PACKAGE_DATA_DIR):
        if (folder / name).is_file():
            return folder / name
    msg = (
        f"The default scenario {name} is in neither {DATA_DIR} nor {PACKAGE_DATA_DIR}: "
        "reinstall the package or run from a clone of the repository, or pass a scenario "
        "file (coverage-plan run SCENARIO)."
    )
    raise ScenarioError(msg)
