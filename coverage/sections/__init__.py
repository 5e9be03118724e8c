"""The sections of a scenario file as validated, frozen dataclasses, and the ranges of their numbers.

Each section (``[technology]``, ``[propagation]``, ``[demand]``, ``[candidates]``,
``[placement]``, ``[backhaul]``, ``[existing]``, ``[costs]`` in :mod:`coverage.sections.costs`,
``[service]`` in :mod:`coverage.sections.service`) is one dataclass whose ``__post_init__`` refuses
a number that is not finite (NaN and inf included, for objects built in code as for files)
or lies outside its physical range, every problem at once, each under its key. The ranges
are module constants (:class:`~coverage._toml.Range`: interval, unit and why), shared with
the area file (:mod:`coverage.scenario`), the technology presets
(:mod:`coverage.radio.technology`) and the command-line options (:mod:`coverage.cli`), so a
quantity has one range wherever it is typed. A range's "why" cites its source, or says it is
a plausibility range (an assumption): wide enough for any real rural network, narrow enough
to catch a slipped digit or a wrong unit.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import ClassVar

from coverage._toml import Checks, Range

__all__ = [
    "ANTENNA_GAIN_DBI",
    "AZIMUTH_DEG",
    "DISTANCE_M",
    "ELEVATION_M",
    "EXISTING_TECHNOLOGIES",
    "F_MHZ",
    "K_FACTOR",
    "MAST_HEIGHT_M",
    "MAX_VOID_SHARE",
    "RANGE_M",
    "RX_SENSITIVITY_DBM",
    "TERMINAL_HEIGHT_M",
    "TX_POWER_DBM",
    "USD",
    "VOID_SHARE",
    "BackhaulParams",
    "CandidateParams",
    "CostOverride",
    "CostParams",
    "DemandParams",
    "ExistingParams",
    "PlacementParams",
    "Point",
    "PropagationParams",
    "RolloutParams",
    "ServiceParams",
    "TechnologyParams",
]

# --- ranges -------------------------------------------------------------------------------------
#: Largest share of a DEM's cells that may be voids filled from their neighbours (0-1): the area
#: file's ``max_void_share`` default and the raster commands' ``--max-void-share``. ASSUMPTION: a
#: few scattered voids change little; SRTM v3 and Copernicus GLO-30 have none.
MAX_VOID_SHARE = 0.05
#: A share of a DEM's cells.
VOID_SHARE = Range(0.0, 1.0, "", "a share of the DEM's cells")
#: Conducted transmit power at the antenna port.
TX_POWER_DBM = Range(
    -10.0,
    80.0,
    "dBm",
    "plausibility range, assumption: 0.1 mW to 100 kW; 3GPP TS 36.104 wide-area base stations "
    "rarely exceed 49 dBm and the largest broadcast transmitters reach about 80 dBm",
)
#: Peak gain of a site or terminal antenna.
ANTENNA_GAIN_DBI = Range(
    -10.0,
    45.0,
    "dBi",
    "plausibility range, assumption: from a lossy embedded antenna to a 1.2 m dish at 60 GHz "
    "(about 45 dBi)",
)
#: Receiver sensitivity at the lowest usable rate.
RX_SENSITIVITY_DBM = Range(
    -160.0,
    -40.0,
    "dBm",
    "plausibility range, assumption: thermal noise is -174 dBm/Hz and LoRa SF12 at 125 kHz "
    "reaches about -137 dBm; a sensitivity above -40 dBm is a received power, not a limit",
)
#: Carrier frequency.
F_MHZ = Range(
    30.0,
    100_000.0,
    "MHz",
    "VHF to W band: the free-space, diffraction and gaseous-loss models used here; ITM itself "
    "is validated for 20 MHz-20 GHz",
)
#: Height of a mast or antenna above ground (access sites, relays, the PoP).
MAST_HEIGHT_M = Range(
    0.0,
    200.0,
    "m",
    "plausibility range, assumption: the tallest guyed telecom masts in rural use are about "
    "200 m; a height must be above ground",
    low_open=True,
)
#: Height of a user terminal above ground.
TERMINAL_HEIGHT_M = Range(
    0.0, 30.0, "m", "a handset at 1.5 m up to a CPE on a 30 m mast", low_open=True
)
#: Largest distance at which a site serves a point or a backhaul link is considered.
RANGE_M = Range(
    100.0,
    100_000.0,
    "m",
    "plausibility range, assumption: beyond 100 km a terrestrial link is no longer rural "
    "access or backhaul",
)
#: A distance on the terrain (margins, spacings, radii): positive, and no longer than any
#: distance the planner models (:data:`RANGE_M`).
DISTANCE_M = Range(
    0.0, 100_000.0, "m", "positive, and no longer than any link the planner models", low_open=True
)
#: Ground elevation above sea level.
ELEVATION_M = Range(-500.0, 9000.0, "m", "the Dead Sea shore (-430 m) to Everest (8,849 m)")
#: Effective Earth-radius factor.
K_FACTOR = Range(
    0.5,
    10.0,
    "",
    "ITU-R P.453/P.530: about 4/3 in a standard atmosphere, 0.5-1 in sub-refraction, larger "
    "in super-refraction (ducting is not modelled)",
)
#: An antenna azimuth, clockwise from north.
AZIMUTH_DEG = Range(0.0, 360.0, "deg", "a bearing, clockwise from north", high_open=True)
#: A price or budget.
USD = Range(
    0.0,
    1e10,
    "USD",
    "not negative; above USD 10 billion a figure is a slipped digit, not a rural network",
)
#: Time the solver may run.
TIME_LIMIT_S = Range(0.0, 86_400.0, "s", "positive, at most one day", low_open=True)
#: Weight of a school in the coverage objective, in people.
SCHOOL_WEIGHT_PEOPLE = Range(
    0.0, 1e6, "people", "plausibility range, assumption: not negative, below a city"
)


# --- small value objects ----------------------------------------------------------------------
_LON_DEG = Range(-180.0, 180.0, "deg", "WGS84 longitude")
_LAT_DEG = Range(-90.0, 90.0, "deg", "WGS84 latitude")


@dataclass(frozen=True)
class Point:
    """A named point in WGS84 degrees (as typed in by people), with its source."""

    name: str
    lon_deg: float
    lat_deg: float
    source: str = ""

    def __post_init__(self) -> None:
        """Raise :class:`~coverage.errors.ScenarioError` for a coordinate off the globe (deg)."""
        c = Checks(self)
        c.within("lon_deg", _LON_DEG)
        c.within("lat_deg", _LAT_DEG)
        c.done()


# --- scenario sections --------------------------------------------------------------------------
@dataclass(frozen=True)
class TechnologyParams:
    """Access radio: a preset by name, with any field overridden (units in the names).

    ``antenna_downtilt_deg`` unset: the preset's downtilt (or 0 with an antenna file).
    """

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
    antenna_downtilt_deg: float | None = None
    antenna_sectors: int = 1

    def __post_init__(self) -> None:
        """Raise :class:`~coverage.errors.ScenarioError` for every bad override or antenna setting."""
        c = Checks(self)
        c.that(
            not (self.antenna_pattern and self.tx_antenna_gain_dbi is not None),
            "set tx_antenna_gain_dbi or antenna_pattern (whose GAIN line gives the peak), not both",
        )
        c.within("f_mhz", F_MHZ)
        c.within("tx_power_dbm", TX_POWER_DBM)
        c.within("tx_antenna_gain_dbi", ANTENNA_GAIN_DBI)
        c.within("rx_antenna_gain_dbi", ANTENNA_GAIN_DBI)
        c.within("rx_sensitivity_dbm", RX_SENSITIVITY_DBM)
        c.within("terminal_height_m", TERMINAL_HEIGHT_M)
        c.within("max_range_m", RANGE_M)
        c.within("antenna_azimuth_deg", AZIMUTH_DEG)
        c.within("antenna_downtilt_deg", _DOWNTILT_DEG)
        if c.valid("antenna_sectors"):
            c.that(1 <= self.antenna_sectors <= 12, "antenna_sectors must be 1-12")
            c.that(
                self.antenna_sectors == 1 or bool(self.antenna_pattern),
                "antenna_sectors needs an antenna_pattern (the sectors' pattern)",
            )
        c.done()


_DOWNTILT_DEG = Range(-90.0, 90.0, "deg", "positive down, from horizontal")


@dataclass(frozen=True)
class PropagationParams:
    """Which propagation model and grid the coverage computation uses.

    ``k_factor`` (effective earth-radius factor): unset (None), line of sight, Fresnel
    clearance and the diffraction models take the standard atmosphere's 4/3 (ITU-R P.453)
    and ITM its own surface refractivity (:data:`coverage.radio.itm.N0_ANDES` scaled by each
    path's elevation). Set, every model takes it: ITM through the surface refractivity
    ``N_s`` of the same earth curvature (:func:`coverage.radio.itm.refractivity_for_k`),
    which ITM admits only for k of about 1.23-1.77 (N_s 250-400 N-units).
    """

    model: str = "itm"
    k_factor: float | None = None
    resolution_m: float = 30.0
    climate: str = "equatorial"
    land_cover: str = ""
    clutter_loss_db: dict[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        """Raise :class:`~coverage.errors.ScenarioError` for a bad k-factor, clutter loss or cell."""
        c = Checks(self)
        c.within("k_factor", K_FACTOR)
        if self.model == "itm" and self.k_factor is not None and c.valid("k_factor"):
            lo, hi = _ITM_K_RANGE
            c.that(
                lo <= self.k_factor <= hi,
                f"ITM takes k_factor {lo:.3g}-{hi:.3g} only (surface refractivity 250-400 "
                f"N-units), got {self.k_factor:g}: leave it unset for ITM's own refractivity, "
                "or use a diffraction model (deygout) for sub-refraction such as k = 1",
                "k_factor",
            )
        c.within("resolution_m", _GRID_M)
        c.within("clutter_loss_db", _CLUTTER_DB)
        bad = [k for k in self.clutter_loss_db if not k.isdigit()]
        c.that(not bad, f"classes {bad} need integer codes (ESA WorldCover)", "clutter_loss_db")
        c.done()

    @property
    def geometry_k_factor(self) -> float:
        """The k of line of sight, Fresnel clearance and the diffraction models.

        Returns
        -------
        float
            ``k_factor``, or 4/3 (the standard atmosphere) when unset.
        """
        return 4.0 / 3.0 if self.k_factor is None else float(self.k_factor)


_GRID_M = Range(5.0, 500.0, "m", "the propagation grid: finer than 5 m is slower than any DEM")
#: The k of ITM's own earth curvature at N_s = 250 and 400 N-units, its limits:
#: k = 1 / (1 - 0.04665 exp(N_s / 179.3)) (the ITM algorithm's gamma_e / gamma_a).
_ITM_K_RANGE = tuple(1.0 / (1.0 - 0.04665 * math.exp(n / 179.3)) for n in (250.0, 400.0))
_CLUTTER_DB = Range(0.0, 60.0, "dB", "ITU-R P.2108-1 terminal clutter losses lie well inside")
_DEMAND_GRID_M = Range(10.0, 1000.0, "m", "the demand grid")
_SLOPE_DEG = Range(0.0, 90.0, "deg", "a slope", low_open=True)
_YEAR = Range(1900, 2100, "", "a census or projection year")
_DISAGREEMENT = Range(0.0, 1.0, "", "a share of the figure used")


@dataclass(frozen=True)
class DemandParams:
    """How population is spread over the territory (see :mod:`coverage.inputs.settlements`).

    With the area's ``households`` and ``population`` tables (:mod:`coverage.inputs.dwellings`),
    ``year`` picks the projection year (0: the current calendar year, stated in the outputs),
    ``vintage`` the population projection's edition ("": the newest the area file dates), and
    ``max_disagreement_share`` how far (a share of the figure used) another vintage or the
    area's typed ``[population]`` figures may differ before the outputs say so.
    """

    resolution_m: float = 90.0
    max_slope_deg: float = 40.0
    min_elevation_m: float = 0.0
    max_elevation_m: float = 3200.0
    population_raster: str = ""
    buildings: str = ""
    year: int = 0
    vintage: str = ""
    max_disagreement_share: float = 0.10

    def __post_init__(self) -> None:
        """Raise :class:`~coverage.errors.ScenarioError` for a bad cell size or habitability limit."""
        c = Checks(self)
        c.within("resolution_m", _DEMAND_GRID_M)
        c.within("max_slope_deg", _SLOPE_DEG)
        c.within("min_elevation_m", ELEVATION_M)
        c.within("max_elevation_m", ELEVATION_M)
        c.within("max_disagreement_share", _DISAGREEMENT)
        c.that(
            self.year == 0 or self.year in _YEAR,
            f"year {self.year} is outside {_YEAR}; give 0 (the current year) or a projection year",
            "year",
        )
        if c.valid("min_elevation_m", "max_elevation_m"):
            c.that(
                self.min_elevation_m < self.max_elevation_m, "min_elevation_m >= max_elevation_m"
            )
        c.done()


@dataclass(frozen=True)
class CandidateParams:
    """Where towers may go: terrain high points, schools, and sites the user gives.

    ``outside_margin_m`` must also fit inside the area's ``margin_m`` (the terrain ends
    there): :class:`~coverage.scenario.Scenario` checks that.
    """

    min_spacing_m: float = 400.0
    max_candidates: int = 300
    tpi_radius_m: float = 300.0
    include_schools: bool = True
    outside_margin_m: float = 2000.0
    extra: tuple[Point, ...] = ()

    def __post_init__(self) -> None:
        """Raise :class:`~coverage.errors.ScenarioError` for a bad spacing, radius or count."""
        c = Checks(self)
        c.within("min_spacing_m", DISTANCE_M)
        c.within("tpi_radius_m", DISTANCE_M)
        c.within("outside_margin_m", _MARGIN_M)
        c.within("max_candidates", _CANDIDATES)
        c.done()


_CANDIDATES = Range(1, 5000, "", "the coverage matrix grows with candidates x mast heights")
#: A buffer around the area: none (0) up to the longest modelled distance.
_MARGIN_M = Range(0.0, 100_000.0, "m", "0 (none) up to the longest link the planner models")


@dataclass(frozen=True)
class PlacementParams:
    """How sites are chosen (see :mod:`coverage.planning.placement` and :mod:`coverage.planning.backhaul.milp`).

    ``satellite``: the placement may also spend the budget on satellite terminals for the
    households no built site serves (:mod:`coverage.planning.satellite`); it applies under
    objective coverage with ``budget_usd`` only (:attr:`satellite_applies`).

    ``capture_repair``: after the MILP, the best-server capture repair
    (:mod:`coverage.planning.capture`) turns, drops or re-heights access sites while the
    service model (best server, capacity) serves more; off, the plan is the MILP's own
    (to compare the two, or to study the placement's covers alone).
    """

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
    satellite: bool = False
    capture_repair: bool = True

    def __post_init__(self) -> None:
        """Raise :class:`~coverage.errors.ScenarioError` for every bad method, budget or limit."""
        c = Checks(self)
        c.that(self.method in ("milp", "greedy"), f"method {self.method!r} is not milp or greedy")
        c.that(
            self.objective in ("coverage", "cost"),
            f"objective {self.objective!r} is not coverage (most people within a budget) or "
            "cost (cheapest plan covering target_share and every school)",
        )
        c.within("budget_usd", USD)
        c.within("budget_sites", _BUDGET_SITES)
        if self.objective == "coverage" and c.valid("budget_usd", "budget_sites"):
            c.that(
                (self.budget_usd > 0) != (self.budget_sites > 0),
                "objective 'coverage' needs exactly one of budget_usd > 0 or budget_sites > 0",
            )
        c.within("target_share", _SHARE)
        c.that(len(self.mast_heights_m) >= 1, "mast_heights_m is empty", "mast_heights_m")
        c.within("mast_heights_m", MAST_HEIGHT_M)
        c.within("time_limit_s", TIME_LIMIT_S)
        c.within("mip_gap", _MIP_GAP)
        c.within("max_nodes", _MAX_NODES)
        c.within("k_coverage", _K_COVERAGE)
        c.within("school_weight_people", SCHOOL_WEIGHT_PEOPLE)
        c.done()

    @property
    def satellite_applies(self) -> bool:
        """Whether satellite terminals are weighed: asked for, under a budget in USD.

        Returns
        -------
        bool
            ``satellite`` with objective "coverage" and ``budget_usd`` (not a site budget);
            the plan's assumptions say when the option was asked for but did not apply.
        """
        return self.satellite and self.objective == "coverage" and self.budget_sites == 0


_BUDGET_SITES = Range(0, 5000, "sites", "0: unused; at most max_candidates can be chosen")
_SHARE = Range(0.0, 1.0, "", "a share of the people", low_open=True)
_MIP_GAP = Range(0.0, 1.0, "", "a relative optimality gap", high_open=True)
_MAX_NODES = Range(1, 1e9, "nodes", "a branch-and-bound work budget")
_K_COVERAGE = Range(1, 3, "sites", "each demand point seen by 1, 2 or 3 sites")


@dataclass(frozen=True)
class BackhaulParams:
    """Point-to-point backhaul from the chosen sites to a fibre point of presence.

    The link radios are the ``preset`` (:data:`coverage.radio.technology.PRESETS`, a
    backhaul technology: its power, dish gain, noise figure and cable loss) on channels of
    the 5725-5850 MHz band; ``rain_r001_mm_h`` is the rain rate exceeded 0.01 % of the year
    (ITU-R P.837), default :data:`coverage.radio.rain.DEFAULT_R001_MM_H` (ASSUMPTION: no
    P.837-7 map value is encoded here). ``placement_channel_mhz`` is the widest channel the
    placement may give a link (20, 40 or 80 MHz): the MILP chooses each link's width with
    that width's capacity, the widths at a site within the 80 MHz of channel 155
    (:mod:`coverage.planning.channels`), and the channel plan gives each link its width.
    """

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
    preset: str = "ptp-5ghz"
    rain_r001_mm_h: float = 95.0
    placement_channel_mhz: float = 80.0

    #: Keys of earlier versions, with what to do instead.
    REMOVED_KEYS: ClassVar[dict[str, str]] = {
        "relay_mast_height_m": "relays take their mast from [placement] mast_heights_m, "
        "chosen by the optimiser with the links they carry; delete the key.",
    }

    def __post_init__(self) -> None:
        """Raise :class:`~coverage.errors.ScenarioError` for a bad height, frequency or limit."""
        c = Checks(self)
        c.within("pop_mast_height_m", MAST_HEIGHT_M)
        c.within("f_mhz", F_MHZ)
        c.within("max_hops", _HOPS)
        c.within("min_clearance_ratio", _CLEARANCE)
        c.within("max_link_m", RANGE_M)
        c.within("rain_r001_mm_h", _RAIN_MM_H)
        c.that(
            self.placement_channel_mhz in (20.0, 40.0, 80.0),
            f"{self.placement_channel_mhz:g} MHz is not a channel width of the band: give "
            "20, 40 or 80",
            "placement_channel_mhz",
        )
        c.done()


_RAIN_MM_H = Range(
    0.0,
    300.0,
    "mm/h",
    "ITU-R P.837 rates exceeded 0.01 % of the year stay below 300 mm/h",
    low_open=True,
)
_HOPS = Range(1, 10, "hops", "links from a site to the PoP; the MILP grows with hops")
_CLEARANCE = Range(0.0, 1.5, "", "share of the first Fresnel zone kept clear (0.6 usual)")


#: Access-network technologies an existing site may report (OpenCelliD's radio names).
EXISTING_TECHNOLOGIES = ("GSM", "UMTS", "LTE", "NR", "CDMA")
_CABLE_LOSS_DB = Range(
    0.0, 20.0, "dB", "plausibility range, assumption: feeder and connector losses of a mast"
)


@dataclass(frozen=True)
class ExistingParams:
    """The mobile sites people already have (area layer ``existing_sites``), and what to plan for.

    The layer gives each site's operator, technology and position; what it does not give
    takes the defaults below (see :mod:`coverage.inputs.existing` and
    :mod:`coverage.pipeline.existing`). Per-technology values are keyed by the technology's
    name as the layer writes it (upper case: ``"LTE"``, ``"UMTS"``, ``"GSM"``).

    ``target``: "everyone" (default) plans for every demand point as if no one had service;
    "unserved" counts, in the placement's objective, target share and must-cover schools,
    only the points no existing site serves.

    Defaults and their sources:

    - ``height_m`` 25 m: ASSUMPTION, a typical rural macro mast (heights are unknown).
    - ``tx_power_dbm`` per technology: LTE 46 dBm (40 W per port, ASSUMPTION: a common
      wide-area configuration; 3GPP TS 36.104 section 6.2 sets no upper limit for a wide-area
      BS), UMTS 43 dBm (20 W, ASSUMPTION; 3GPP TS 25.104 section 6.2.1, wide-area BS without
      an upper limit), GSM 43 dBm (3GPP TS 45.005 section 4.1.2, GSM 850 BTS TRX power class
      5, 20 W).
    - ``antenna_gain_dbi`` 15 dBi for each: ASSUMPTION, a 65 deg macro panel (15-18 dBi),
      taken at its peak in every direction (as if three sectors covered the site).
    - ``cable_loss_db`` 2 dB: ASSUMPTION, as the access presets.
    - ``f_mhz`` per technology: LTE 780.5 MHz, band 28 (3GPP TS 36.101 Table 5.5-1, downlink
      758-803 MHz): ASSUMPTION that the rural cells run in the 700 MHz band auctioned under
      Resolución MinTIC 3078 de 2019, where Claro won 20 MHz (Portafolio, January 2020); an
      optimistic choice, since Claro's LTE also runs at 1900 (band 2), AWS (band 4) and
      2600 MHz (band 7), which reach less far. UMTS and GSM 881.5 MHz, the 850 MHz band
      (3GPP TS 25.104 band V and TS 45.005 GSM 850, downlink 869-894 MHz): ASSUMPTION,
      Colombia's 2G/3G run at 850 and 1900 MHz.
    - ``operator_field`` "operador", ``technology_field`` "tecnologia": the fields of the
      OpenCelliD-derived Palmitas layer; ``height_field`` and ``power_field`` "" (the layer
      has none): a site's own height (m) or conducted power (dBm) when the layer has them.
    - ``positions_estimated`` True: the positions are estimates (OpenCelliD averages where
      phones measured each cell, pulling the estimate toward where people are), not
      surveyed masts; every output says so.
    """

    target: str = "everyone"
    height_m: float = 25.0
    tx_power_dbm: dict[str, float] = field(
        default_factory=lambda: {"LTE": 46.0, "UMTS": 43.0, "GSM": 43.0}
    )
    antenna_gain_dbi: dict[str, float] = field(
        default_factory=lambda: {"LTE": 15.0, "UMTS": 15.0, "GSM": 15.0}
    )
    f_mhz: dict[str, float] = field(
        default_factory=lambda: {"LTE": 780.5, "UMTS": 881.5, "GSM": 881.5}
    )
    cable_loss_db: float = 2.0
    operator_field: str = "operador"
    technology_field: str = "tecnologia"
    height_field: str = ""
    power_field: str = ""
    positions_estimated: bool = True

    def __post_init__(self) -> None:
        """Raise :class:`~coverage.errors.ScenarioError` for a bad target, height, power or band."""
        c = Checks(self)
        c.that(
            self.target in ("everyone", "unserved"),
            f"target {self.target!r} is not everyone (plan for every demand point) or "
            "unserved (only the points no existing site serves)",
            "target",
        )
        c.within("height_m", MAST_HEIGHT_M)
        c.within("tx_power_dbm", TX_POWER_DBM)
        c.within("antenna_gain_dbi", ANTENNA_GAIN_DBI)
        c.within("f_mhz", F_MHZ)
        c.within("cable_loss_db", _CABLE_LOSS_DB)
        for key in ("tx_power_dbm", "antenna_gain_dbi", "f_mhz"):
            bad = [t for t in getattr(self, key) if t not in EXISTING_TECHNOLOGIES]
            c.that(
                not bad,
                f"technologies {bad} are not among {list(EXISTING_TECHNOLOGIES)} (upper case, "
                "as OpenCelliD names them)",
                key,
            )
        c.that(bool(self.operator_field), "give the layer's operator field", "operator_field")
        c.that(bool(self.technology_field), "give the layer's technology field", "technology_field")
        c.done()


from coverage.sections.costs import CostOverride, CostParams  # noqa: E402  (own module)
from coverage.sections.rollout import RolloutParams  # noqa: E402  (own module)
from coverage.sections.service import ServiceParams  # noqa: E402  (its own module, same API)
