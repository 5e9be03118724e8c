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
types and ranges, and reports every problem at once in one :class:`ScenarioError`.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from coverage._toml import ProblemError, build, check, raise_problems, read_toml
from coverage.errors import ScenarioError

__all__ = [
    "AreaSpec",
    "BackhaulParams",
    "CandidateParams",
    "CostParams",
    "DemandParams",
    "LayerSpec",
    "PlacementParams",
    "Point",
    "PopulationFacts",
    "PropagationParams",
    "Scenario",
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
class Point:
    """A named point in WGS84 degrees (as typed in by people), with its source."""

    name: str
    lon_deg: float
    lat_deg: float
    source: str = ""

    def __post_init__(self) -> None:
        """Raise :class:`ScenarioError` for a coordinate off the globe (deg)."""
        check(-180 <= self.lon_deg <= 180, f"lon_deg {self.lon_deg} is not in [-180, 180]")
        check(-90 <= self.lat_deg <= 90, f"lat_deg {self.lat_deg} is not in [-90, 90]")


@dataclass(frozen=True)
class LayerSpec:
    """One input layer: the file name in a mirror or cache, its public source and checksums.

    ``sha256`` lists the accepted checksums of the file: the version the project is tested
    with and, where the public source serves a differently encoded copy of the same data,
    that copy's checksum too.
    """

    file: str
    url: str = ""
    sha256: tuple[str, ...] = ()
    source: str = ""
    licence: str = ""
    name_field: str = "nombre"
    id_field: str = ""

    def __post_init__(self) -> None:
        """Raise :class:`ScenarioError` for a bad file name or sha256 digest."""
        check(
            bool(self.file)
            and not Path(self.file).is_absolute()
            and ".." not in Path(self.file).parts,
            f"file {self.file!r} must be a relative path inside the data folder",
        )
        for digest in self.sha256:
            check(
                len(digest) == 64 and all(c in "0123456789abcdef" for c in digest),
                f"sha256 {digest!r} is not 64 lower-case hex digits",
            )


@dataclass(frozen=True)
class PopulationFacts:
    """Population totals typed in by hand, with their citation."""

    total_people: float
    households: float = 0.0
    year: int = 0
    source: str = ""

    def __post_init__(self) -> None:
        """Raise :class:`ScenarioError` for a negative total."""
        check(self.total_people >= 0, f"total_people {self.total_people} is negative")
        check(self.households >= 0, f"households {self.households} is negative")


@dataclass(frozen=True)
class AreaSpec:
    """Where to plan: the area, its working CRS, input layers and typed-in facts."""

    name: str
    crs: str
    layers: dict[str, LayerSpec]
    population: PopulationFacts
    margin_m: float = 3000.0
    max_void_share: float = 0.05
    school_outside_field: str = "dentro_corregimiento_50"
    path: Path | None = None

    def __post_init__(self) -> None:
        """Raise :class:`ScenarioError` for a negative margin or a missing layer."""
        check(self.margin_m >= 0, f"margin_m {self.margin_m} is negative")
        check(0 <= self.max_void_share <= 1, "max_void_share must be in [0, 1]")
        missing = {"dem", "veredas", "schools"} - set(self.layers)
        check(not missing, f"layers lacks {sorted(missing)} (dem, veredas and schools are needed)")


# --- scenario sections --------------------------------------------------------------------------
@dataclass(frozen=True)
class TechnologyParams:
    """Access radio: a preset by name, with any field overridden (units in the names)."""

    preset: str = "lte-b28-small-cell"
    f_mhz: float | None = None
    tx_power_dbm: float | None = None
    tx_antenna_gain_dbi: float | None = None
    rx_antenna_gain_dbi: float | None = None
    rx_sensitivity_dbm: float | None = None
    terminal_height_m: float | None = None
    max_range_m: float | None = None
    antenna_pattern: str = ""
    antenna_azimuth_deg: float = 0.0
    antenna_downtilt_deg: float = 0.0
    antenna_sectors: int = 1

    def __post_init__(self) -> None:
        """Raise :class:`ScenarioError` at the first bad override or antenna setting."""
        check(
            not (self.antenna_pattern and self.tx_antenna_gain_dbi is not None),
            "set tx_antenna_gain_dbi or antenna_pattern (whose GAIN line gives the peak), not both",
        )
        check(-90 <= self.antenna_downtilt_deg <= 90, "antenna_downtilt_deg must be in [-90, 90]")
        check(1 <= self.antenna_sectors <= 12, "antenna_sectors must be 1-12")
        check(
            self.antenna_sectors == 1 or bool(self.antenna_pattern),
            "antenna_sectors needs an antenna_pattern (the sectors' pattern)",
        )
        if self.f_mhz is not None:
            check(30 <= self.f_mhz <= 100_000, f"f_mhz {self.f_mhz} is outside 30-100,000 MHz")
        if self.terminal_height_m is not None:
            check(0 < self.terminal_height_m <= 30, "terminal_height_m must be in (0, 30] m")
        if self.max_range_m is not None:
            check(100 <= self.max_range_m <= 100_000, "max_range_m must be in [100, 100,000] m")


@dataclass(frozen=True)
class PropagationParams:
    """Which propagation model and grid the coverage computation uses."""

    model: str = "itm"
    k_factor: float = 4.0 / 3.0
    resolution_m: float = 30.0
    climate: str = "equatorial"
    land_cover: str = ""
    clutter_loss_db: dict[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        """Raise :class:`ScenarioError` for a bad k-factor, clutter loss or resolution."""
        check(0.5 <= self.k_factor <= 10, f"k_factor {self.k_factor} is outside [0.5, 10]")
        bad = [k for k, v in self.clutter_loss_db.items() if not k.isdigit() or not 0 <= v <= 60]
        check(not bad, f"clutter_loss_db: classes {bad} need integer codes and 0-60 dB losses")
        check(5 <= self.resolution_m <= 500, "resolution_m must be in [5, 500] m")


@dataclass(frozen=True)
class DemandParams:
    """How population is spread over the territory (see :mod:`coverage.inputs.settlements`)."""

    resolution_m: float = 90.0
    max_slope_deg: float = 40.0
    min_elevation_m: float = 0.0
    max_elevation_m: float = 3200.0
    population_raster: str = ""
    buildings: str = ""

    def __post_init__(self) -> None:
        """Raise :class:`ScenarioError` for a bad cell size or habitability limit."""
        check(10 <= self.resolution_m <= 1000, "resolution_m must be in [10, 1000] m")
        check(0 < self.max_slope_deg <= 90, "max_slope_deg must be in (0, 90]")
        check(self.min_elevation_m < self.max_elevation_m, "min_elevation_m >= max_elevation_m")


@dataclass(frozen=True)
class CandidateParams:
    """Where towers may go: terrain high points, schools, and sites the user gives."""

    min_spacing_m: float = 400.0
    max_candidates: int = 300
    tpi_radius_m: float = 300.0
    include_schools: bool = True
    outside_margin_m: float = 2000.0
    extra: tuple[Point, ...] = ()

    def __post_init__(self) -> None:
        """Raise :class:`ScenarioError` for a negative spacing or a bad candidate count."""
        check(self.min_spacing_m >= 0, "min_spacing_m is negative")
        check(1 <= self.max_candidates <= 5000, "max_candidates must be in [1, 5000]")


@dataclass(frozen=True)
class PlacementParams:
    """How sites are chosen (see :mod:`coverage.planning.placement` and :mod:`coverage.planning.backhaul.milp`)."""

    method: str = "milp"
    objective: str = "coverage"
    budget_usd: float = 0.0
    budget_sites: int = 0
    target_share: float = 0.95
    mast_heights_m: tuple[float, ...] = (12.0, 18.0, 30.0)
    time_limit_s: float = 60.0
    mip_gap: float = 0.005
    max_nodes: int = 20_000
    k_coverage: int = 1
    school_weight_people: float = 300.0

    def __post_init__(self) -> None:
        """Raise :class:`ScenarioError` at the first bad method, objective, budget or limit."""
        check(self.method in ("milp", "greedy"), f"method {self.method!r} is not milp or greedy")
        check(
            self.objective in ("coverage", "cost"),
            f"objective {self.objective!r} is not coverage (most people within a budget) or "
            "cost (cheapest plan covering target_share and every school)",
        )
        if self.objective == "coverage":
            check(
                (self.budget_usd > 0) != (self.budget_sites > 0),
                "objective 'coverage' needs exactly one of budget_usd > 0 or budget_sites > 0",
            )
        check(0 < self.target_share <= 1, "target_share must be in (0, 1]")
        check(self.budget_usd >= 0 and self.budget_sites >= 0, "budgets must not be negative")
        check(len(self.mast_heights_m) >= 1, "mast_heights_m is empty")
        check(all(0 < h <= 100 for h in self.mast_heights_m), "mast heights must be in (0, 100] m")
        check(self.time_limit_s > 0, "time_limit_s must be positive")
        check(0 <= self.mip_gap < 1, "mip_gap must be in [0, 1)")
        check(self.max_nodes >= 1, "max_nodes must be at least 1")
        check(self.k_coverage in (1, 2, 3), "k_coverage must be 1, 2 or 3")
        check(self.school_weight_people >= 0, "school_weight_people must not be negative")


@dataclass(frozen=True)
class CostParams:
    """Prices (USD) overriding :class:`coverage.planning.costs.CostTable`'s illustrative defaults.

    ``mast_usd_by_height_m`` maps a mast height in metres (a TOML key such as ``"18"``) to its
    cost and must price every height of ``[placement] mast_heights_m``; omitted fields keep
    the defaults.
    """

    mast_usd_by_height_m: dict[str, float] = field(default_factory=dict)
    radio_usd: float | None = None
    backhaul_radio_usd: float | None = None
    grid_power_usd: float | None = None
    solar_power_usd: float | None = None
    installation_usd: float | None = None

    def __post_init__(self) -> None:
        """Raise :class:`ScenarioError` for a bad mast height or a negative price."""
        for key, usd in self.mast_usd_by_height_m.items():
            try:
                height = float(key)
            except ValueError:
                height = -1.0
            check(height > 0, f"mast_usd_by_height_m key {key!r} is not a height in metres")
            check(usd >= 0, f"mast cost {usd} for {key} m is negative")


@dataclass(frozen=True)
class BackhaulParams:
    """Point-to-point backhaul from the chosen sites to a fibre point of presence."""

    pop: Point = Point(
        name="San Cristóbal fibre PoP (assumed)",
        lon_deg=-75.6360,
        lat_deg=6.2820,
        source="Assumed: operator fibre at the east portal of the Túnel de Occidente "
        "(Medellín side). Replace with the real point of presence.",
    )
    pop_mast_height_m: float = 30.0
    f_mhz: float = 5800.0
    max_link_m: float = 15000.0
    max_hops: int = 4
    min_clearance_ratio: float = 0.6
    two_paths: bool = False

    #: Keys of earlier versions, with what to do instead.
    REMOVED_KEYS: ClassVar[dict[str, str]] = {
        "relay_mast_height_m": "relays take their mast from [placement] mast_heights_m, "
        "chosen by the optimiser with the links they carry; delete the key.",
    }

    def __post_init__(self) -> None:
        """Raise :class:`ScenarioError` for a bad hop limit, clearance ratio or link length."""
        check(1 <= self.max_hops <= 10, "max_hops must be in [1, 10]")
        check(0 <= self.min_clearance_ratio <= 1.5, "min_clearance_ratio must be in [0, 1.5]")
        check(100 <= self.max_link_m <= 100_000, "max_link_m must be in [100, 100,000] m")


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
    out_dir: str = "maps/palmitas"
    language: str = "es"


@dataclass(frozen=True, kw_only=True)
class Scenario(_ScenarioKeys):
    """A complete, validated planning scenario: the file's keys plus its loaded area."""

    area: AreaSpec
    path: Path | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        """Raise :class:`ScenarioError` for another language or an unpriced mast height."""
        check(self.language in ("es", "en"), f"language {self.language!r} is not es or en")
        heights = {float(h) for h in self.costs.mast_usd_by_height_m}
        missing = [h for h in self.placement.mast_heights_m if heights and h not in heights]
        check(
            not missing, f"[costs] mast_usd_by_height_m does not price the mast heights {missing}"
        )

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
        """Return a copy with whole sections or fields replaced.

        Parameters
        ----------
        **sections
            New values by field name: a section (``placement``, ``area``, ...) as an object, or
            as a dict of the fields to change in it; ``name``, ``out_dir``, ``language`` as values.

        Returns
        -------
        Scenario
            The copy, validated as a new one is (a bad value raises :class:`ScenarioError`).

        Examples
        --------
        ``scenario.replace(placement={"budget_sites": 4})`` changes one field of a section.
        """
        changes: dict[str, Any] = {}
        for key, value in sections.items():
            current = getattr(self, key)
            if isinstance(value, dict) and dataclasses.is_dataclass(current):
                changes[key] = dataclasses.replace(current, **value)  # type: ignore[type-var]
            else:
                changes[key] = value
        return dataclasses.replace(self, **changes)


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
    scenario = build(_ScenarioKeys, raw, p.name, problems)
    raise_problems(p, "scenario", problems)
    fields = {f.name: getattr(scenario, f.name) for f in dataclasses.fields(_ScenarioKeys)}
    try:
        return Scenario(area=area, path=p.resolve(), **fields)
    except ProblemError as err:
        raise_problems(p, "scenario", [f"{p.name}: {err}"])
        raise  # unreachable: raise_problems raised


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
