"""Radio technology presets: frequency, power, antennas and receiver figures, each sourced.

A :class:`Technology` is plain data for the link budget (:mod:`coverage.radio.linkbudget`). The
presets in :data:`PRESETS` carry their sources in ``reference``; the values are typical,
regulation-compliant planning figures, not a particular vendor's datasheet, and a scenario
can override any field with :func:`dataclasses.replace`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from typing import Any

from coverage.errors import InputError
from coverage.radio.terminal import Terminal, handset
from coverage.sections import ANTENNA_GAIN_DBI, F_MHZ, RX_SENSITIVITY_DBM, TX_POWER_DBM

__all__ = ["PRESETS", "Technology", "get_technology", "noise_floor_dbm"]


def noise_floor_dbm(bandwidth_mhz: float, noise_figure_db: float) -> float:
    """Thermal noise (dBm) of a receiver: -174 dBm/Hz + 10 log10(B) + noise figure.

    Parameters
    ----------
    bandwidth_mhz
        Bandwidth (MHz).
    noise_figure_db
        Receiver noise figure (dB).

    Returns
    -------
    float
        Noise floor (dBm).
    """
    return -174.0 + 10.0 * math.log10(bandwidth_mhz * 1e6) + noise_figure_db


@dataclass(frozen=True)
class Technology:
    """One radio technology's link-budget parameters.

    Attributes
    ----------
    name
        Preset key, e.g. ``"lte-b28-small-cell"``.
    f_mhz
        Carrier frequency (MHz) used for path loss.
    bandwidth_mhz
        Channel bandwidth (MHz).
    tx_power_dbm
        Conducted transmit power at the radio port (dBm).
    tx_antenna_gain_dbi, rx_antenna_gain_dbi
        Peak antenna gains (dBi) of the site and of the user terminal (or far end).
    cable_loss_db
        Feeder and connector loss at the site (dB).
    rx_sensitivity_dbm
        Receiver sensitivity at the lowest usable rate (dBm).
    noise_figure_db
        Receiver noise figure (dB), for the SNR.
    fade_margin_db
        Margin kept for fading (dB) by the generic link-budget functions
        (:attr:`required_rx_dbm`) and the backhaul presets. The planner's access links use the
        ``[service]`` reliability and the terminal's losses instead
        (:mod:`coverage.pipeline.resolve`).
    max_range_m
        Largest distance (m) at which a site is considered (protocol or planning limit).
    terminal_height_m
        User terminal (or far-end) antenna height above ground (m): the default terminal's.
    reference
        Where these figures come from.
    min_snr_db
        SNR (dB) at which the lowest rate decodes.
    max_spectral_efficiency
        Highest spectral efficiency (bit/s/Hz) of the air interface, for the throughput cap.
    gaseous_loss_db_per_km
        Atmospheric (oxygen and water vapour) attenuation, ITU-R P.676 (dB/km).
    kind
        "access" (point-to-multipoint to users) or "backhaul" (point-to-point).
    terminals
        The user terminals the technology serves, its default first (:meth:`terminal`).
    max_eirp_dbm
        The EIRP (dBm) its rule allows each end, or None where the band is licensed and the
        preset's power is the operator's; the site's and every terminal's EIRP are checked.
    vertical_pattern
        True: the site antenna is an omni with the ITU-R F.1336-5 vertical pattern of its
        gain (:func:`coverage.radio.antenna.f1336_omni`); False: the peak gain in every
        direction (the point-to-point presets, whose dishes are aimed).
    downtilts_deg
        The electrical downtilts (degrees, positive down) that antenna comes in; with more
        than one, the planner fits each site and mast height with the one that serves the
        most there (:mod:`coverage.pipeline.access`).

    Raises
    ------
    InputError
        A number that is not finite; a frequency, bandwidth, range or terminal height that is
        not > 0; a negative cable loss, fade margin or noise figure; a frequency, transmit
        power, antenna gain or sensitivity outside the scenario's ranges
        (:mod:`coverage.sections`); another ``kind``; or an EIRP above ``max_eirp_dbm``; all
        problems in one message.
    """

    name: str
    f_mhz: float
    bandwidth_mhz: float
    tx_power_dbm: float
    tx_antenna_gain_dbi: float
    rx_antenna_gain_dbi: float
    cable_loss_db: float
    rx_sensitivity_dbm: float
    noise_figure_db: float
    fade_margin_db: float
    max_range_m: float
    terminal_height_m: float
    reference: str
    min_snr_db: float = -5.0
    max_spectral_efficiency: float = 4.4
    gaseous_loss_db_per_km: float = 0.0
    kind: str = "access"
    terminals: tuple[Terminal, ...] = ()
    max_eirp_dbm: float | None = None
    vertical_pattern: bool = False
    downtilts_deg: tuple[float, ...] = (0.0,)

    def __post_init__(self) -> None:
        """Refuse every bad value the class lists under Raises, all in one ``InputError``."""
        numbers = {f.name: getattr(self, f.name) for f in fields(self) if f.type == "float"}
        problems = [f"{k}={v} is not a finite number" for k, v in numbers.items() if not _finite(v)]
        problems += [
            f"{k}={numbers[k]:g} is outside {allowed} ({allowed.why})"
            for k, allowed in _RANGES.items()
            if _finite(numbers[k]) and numbers[k] not in allowed
        ]
        problems += [
            f"{field}={value} must be > 0"
            for field, value in (
                ("f_mhz", self.f_mhz),
                ("bandwidth_mhz", self.bandwidth_mhz),
                ("max_range_m", self.max_range_m),
                ("terminal_height_m", self.terminal_height_m),
            )
            if not value > 0
        ]
        if self.cable_loss_db < 0 or self.fade_margin_db < 0 or self.noise_figure_db < 0:
            problems.append("cable_loss_db, fade_margin_db and noise_figure_db must be >= 0")
        if self.kind not in ("access", "backhaul"):
            problems.append(f"kind={self.kind!r} must be 'access' or 'backhaul'")
        if not self.downtilts_deg or not all(-90 <= t <= 90 for t in self.downtilts_deg):
            problems.append(f"downtilts_deg={self.downtilts_deg} needs values in [-90, 90]")
        problems += self._eirp_problems()
        if problems:
            msg = f"Technology {self.name!r}: " + "; ".join(problems) + "."
            raise InputError(msg, problems)

    def _eirp_problems(self) -> list[str]:
        """The site's and the terminals' EIRP above ``max_eirp_dbm``, if any."""
        limit = self.max_eirp_dbm
        if limit is None or not _finite(self.eirp_dbm):
            return []
        ends = [("site", self.eirp_dbm)] + [
            (t.name, t.tx_power_dbm + t.antenna_gain_dbi) for t in self.terminals
        ]
        return [
            f"{end} EIRP {eirp:g} dBm exceeds the rule's {limit:g} dBm; lower its power"
            for end, eirp in ends
            if eirp > limit + 1e-9
        ]

    def terminal(self, name: str = "") -> Terminal:
        """One of the technology's terminals by name; "" is the default (the first).

        A technology built without terminals has one: a CPE with its own
        ``rx_antenna_gain_dbi`` and ``terminal_height_m`` and, ASSUMPTION, 23 dBm uplink
        power (3GPP power class 3).

        Parameters
        ----------
        name
            A terminal's name, or "" for the default.

        Returns
        -------
        Terminal

        Raises
        ------
        InputError
            No terminal of that name; the message lists the technology's terminals.
        """
        terminals = self.terminals or (
            Terminal(
                name="terminal",
                kind="cpe",
                height_m=self.terminal_height_m,
                antenna_gain_dbi=self.rx_antenna_gain_dbi,
                tx_power_dbm=23.0,
                body_loss_db=0.0,
                indoor=False,
                reference="the technology's own terminal figures; 23 dBm uplink ASSUMPTION",
            ),
        )
        if not name:
            return terminals[0]
        for t in terminals:
            if t.name == name:
                return t
        msg = (
            f"Technology {self.name!r} has no terminal {name!r}; its terminals are: "
            f"{', '.join(t.name for t in terminals)}."
        )
        raise InputError(msg)

    @property
    def eirp_dbm(self) -> float:
        """Effective isotropic radiated power (dBm): power + antenna gain - cable loss.

        Returns
        -------
        float
            ``tx_power_dbm + tx_antenna_gain_dbi - cable_loss_db`` (dBm).
        """
        return self.tx_power_dbm + self.tx_antenna_gain_dbi - self.cable_loss_db

    @property
    def noise_floor_dbm(self) -> float:
        """Thermal noise (dBm) in the channel: -174 dBm/Hz + 10 log10(B) + noise figure.

        Returns
        -------
        float
            Noise floor (dBm) over ``bandwidth_mhz``, noise figure included.
        """
        return noise_floor_dbm(self.bandwidth_mhz, self.noise_figure_db)

    @property
    def required_rx_dbm(self) -> float:
        """Received power (dBm) needed for coverage: sensitivity + fade margin.

        Returns
        -------
        float
            ``rx_sensitivity_dbm + fade_margin_db`` (dBm).
        """
        return self.rx_sensitivity_dbm + self.fade_margin_db


#: The scenario's ranges of the fields a scenario may override (or an antenna file sets).
_RANGES = {
    "f_mhz": F_MHZ,
    "tx_power_dbm": TX_POWER_DBM,
    "tx_antenna_gain_dbi": ANTENNA_GAIN_DBI,
    "rx_antenna_gain_dbi": ANTENNA_GAIN_DBI,
    "rx_sensitivity_dbm": RX_SENSITIVITY_DBM,
}


def _finite(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


#: An outdoor LTE CPE: ASSUMPTION, a 9 dBi panel on a 6 m pole at the house, power class 3.
_LTE_ROOFTOP_CPE = Terminal(
    name="rooftop-cpe",
    kind="cpe",
    height_m=6.0,
    antenna_gain_dbi=9.0,
    tx_power_dbm=23.0,
    body_loss_db=0.0,
    indoor=False,
    reference="3GPP TS 36.101 6.2.2 power class 3 (23 dBm); 9 dBi panel at 6 m ASSUMPTION",
)
#: The Wi-Fi PtMP client: a 23 dBi dish on a 6 m mast at 13 dBm, 36 dBm EIRP (15.407(a)(3)).
_WIFI_CPE = Terminal(
    name="rooftop-cpe",
    kind="cpe",
    height_m=6.0,
    antenna_gain_dbi=23.0,
    tx_power_dbm=13.0,
    body_loss_db=0.0,
    indoor=False,
    reference="47 CFR 15.407(a)(3): 36 dBm EIRP, 13 dBm into a 23 dBi dish at 6 m",
)
#: A fixed TV white-space client: 10 dBi at 5 m, 20 dBm (47 CFR 15.709: <= 36 dBm EIRP).
_TVWS_CPE = Terminal(
    name="rooftop-cpe",
    kind="cpe",
    height_m=5.0,
    antenna_gain_dbi=10.0,
    tx_power_dbm=20.0,
    body_loss_db=0.0,
    indoor=False,
    reference="47 CFR 15.709 fixed device (<= 36 dBm EIRP); 10 dBi Yagi at 5 m ASSUMPTION",
)
#: A LoRaWAN end device: 2 dBi at 1.5 m, 20 dBm (RP002-1.0.3 AU915: <= 30 dBm EIRP).
_LORA_NODE = Terminal(
    name="sensor-node",
    kind="cpe",
    height_m=1.5,
    antenna_gain_dbi=2.0,
    tx_power_dbm=20.0,
    body_loss_db=0.0,
    indoor=False,
    reference="LoRaWAN RP002-1.0.3 AU915-928 end device; 20 dBm, 2 dBi ASSUMPTION",
)

#: Electrical downtilts (degrees) of the LTE omni: ASSUMPTION, the 0-10 degree range of
#: fixed-tilt omni collinears and of remote electrical tilt, in 1 degree steps; the planner
#: fits one to each site and mast height (:mod:`coverage.pipeline.access`).
_OMNI_DOWNTILTS_DEG = tuple(float(t) for t in range(11))

PRESETS: dict[str, Technology] = {
    t.name: t
    for t in (
        Technology(
            name="lte-b28-small-cell",
            f_mhz=780.5,
            bandwidth_mhz=10.0,
            tx_power_dbm=37.0,
            tx_antenna_gain_dbi=8.0,
            rx_antenna_gain_dbi=0.0,
            cable_loss_db=2.0,
            rx_sensitivity_dbm=-94.0,
            noise_figure_db=9.0,
            fade_margin_db=8.0,
            max_range_m=15_000.0,
            terminal_height_m=1.5,
            min_snr_db=-10.0,
            max_spectral_efficiency=4.4,
            terminals=(handset(indoor=False), handset(indoor=True), _LTE_ROOFTOP_CPE),
            vertical_pattern=True,
            downtilts_deg=_OMNI_DOWNTILTS_DEG,
            reference=(
                "3GPP TS 36.101 Table 5.5-1 (band 28 downlink 758-803 MHz) and Table 7.3.1-1 "
                "(UE REFSENS about -94 dBm at 10 MHz), UE noise figure 9 dB; 3GPP TS 36.104 "
                "section 6.2 (medium-range BS <= 38 dBm; 5 W = 37 dBm per port used); 3GPP TR "
                "36.942 Annex A.2 (attenuated Shannon: SNR_min -10 dB, max 4.4 bit/s/Hz); an "
                "8 dBi omni, ASSUMPTION (a 1 m collinear: a 15 dBi omni's 3.4 deg beam leaves "
                "the valleys below a ridge site in its side lobes; 11 dBi and 15 dBi were "
                "measured intractable or marginal, docs/benchmarks.md), with the ITU-R "
                "F.1336-5 recommends 2.2 vertical pattern (17.1 deg beam, side lobes "
                "12.7-16.5 dB down) and an electrical downtilt of 0-10 deg fitted per site, "
                "ASSUMPTION"
            ),
        ),
        Technology(
            name="wifi-5ghz-ptmp",
            f_mhz=5800.0,
            bandwidth_mhz=20.0,
            tx_power_dbm=20.0,
            tx_antenna_gain_dbi=16.0,
            rx_antenna_gain_dbi=23.0,
            cable_loss_db=1.0,
            rx_sensitivity_dbm=-82.0,
            noise_figure_db=7.0,
            fade_margin_db=10.0,
            max_range_m=10_000.0,
            terminal_height_m=6.0,
            min_snr_db=4.0,
            max_spectral_efficiency=3.5,
            gaseous_loss_db_per_km=0.01,
            terminals=(_WIFI_CPE,),
            max_eirp_dbm=36.0,
            reference=(
                "IEEE 802.11-2020 Table 21-25 (VHT MCS0 20 MHz minimum sensitivity -82 dBm); "
                "47 CFR 15.407(a)(3) (5725-5850 MHz point-to-multipoint EIRP 36 dBm at each "
                "end: 20 dBm + 16 dBi - 1 dB sector, 13 dBm + 23 dBi CPE); ASSUMPTION that the "
                "same limit applies in Colombia (no ANE figure is encoded here)"
            ),
        ),
        Technology(
            name="tvws",
            f_mhz=600.0,
            bandwidth_mhz=6.0,
            tx_power_dbm=30.0,
            tx_antenna_gain_dbi=6.0,
            rx_antenna_gain_dbi=10.0,
            cable_loss_db=1.0,
            rx_sensitivity_dbm=-93.0,
            noise_figure_db=7.0,
            fade_margin_db=8.0,
            max_range_m=10_000.0,
            terminal_height_m=5.0,
            min_snr_db=2.0,
            max_spectral_efficiency=3.0,
            terminals=(_TVWS_CPE,),
            max_eirp_dbm=36.0,
            reference=(
                "47 CFR 15.709 (fixed TV white-space device, 470-698 MHz: 30 dBm conducted, "
                "36 dBm EIRP); IEEE 802.11af-2013 (6 MHz channel, BPSK 1/2 sensitivity about "
                "-93 dBm); Colombia ANE Resolución 461 de 2017 (TVWS in 470-698 MHz)"
            ),
        ),
        Technology(
            name="lora-915",
            f_mhz=915.0,
            bandwidth_mhz=0.125,
            tx_power_dbm=27.0,
            tx_antenna_gain_dbi=6.0,
            rx_antenna_gain_dbi=2.0,
            cable_loss_db=1.0,
            rx_sensitivity_dbm=-137.0,
            noise_figure_db=6.0,
            fade_margin_db=10.0,
            max_range_m=15_000.0,
            terminal_height_m=1.5,
            min_snr_db=-20.0,
            max_spectral_efficiency=0.04,
            terminals=(_LORA_NODE,),
            max_eirp_dbm=36.0,
            reference=(
                "Semtech SX1276 datasheet rev. 7 (SF12, 125 kHz: -137 dBm; SNR limit -20 dB); "
                "LoRaWAN Regional Parameters RP002-1.0.3 AU915-928 (used in Colombia), gateway "
                "27 dBm; 47 CFR 15.247 (<= 30 dBm, 6 dBi)"
            ),
        ),
        Technology(
            name="ptp-5ghz",
            f_mhz=5800.0,
            bandwidth_mhz=40.0,
            tx_power_dbm=25.0,
            tx_antenna_gain_dbi=29.0,
            rx_antenna_gain_dbi=29.0,
            cable_loss_db=1.0,
            rx_sensitivity_dbm=-79.0,
            noise_figure_db=7.0,
            fade_margin_db=15.0,
            max_range_m=40_000.0,
            terminal_height_m=15.0,
            min_snr_db=4.0,
            max_spectral_efficiency=5.0,
            gaseous_loss_db_per_km=0.01,
            kind="backhaul",
            reference=(
                "IEEE 802.11-2020 Table 21-25 (VHT MCS0 40 MHz -79 dBm); 47 CFR 15.407(a)(3) "
                "(5725-5850 MHz fixed point-to-point, no EIRP reduction for high-gain "
                "antennas); 0.6 m dish 29 dBi; ITU-R P.530-18 fade margin"
            ),
        ),
        Technology(
            name="ptp-60ghz",
            f_mhz=60_480.0,
            bandwidth_mhz=2160.0,
            tx_power_dbm=10.0,
            tx_antenna_gain_dbi=38.0,
            rx_antenna_gain_dbi=38.0,
            cable_loss_db=0.0,
            rx_sensitivity_dbm=-68.0,
            noise_figure_db=10.0,
            fade_margin_db=15.0,
            max_range_m=1_500.0,
            terminal_height_m=10.0,
            min_snr_db=1.0,
            max_spectral_efficiency=2.0,
            gaseous_loss_db_per_km=15.0,
            kind="backhaul",
            reference=(
                "IEEE 802.11-2020 Table 20-3 (DMG MCS1 sensitivity -68 dBm, 2.16 GHz channel "
                "2 at 60.48 GHz); 47 CFR 15.255 (57-71 GHz); ITU-R P.676-13 (about 15 dB/km "
                "oxygen absorption near 60 GHz at sea level)"
            ),
        ),
    )
}


def get_technology(name: str) -> Technology:
    """Return the preset :class:`Technology` called ``name``.

    Parameters
    ----------
    name
        A key of :data:`PRESETS`, e.g. ``"wifi-5ghz-ptmp"``.

    Returns
    -------
    Technology
        The preset (shared and frozen: change it with :func:`dataclasses.replace`).

    Raises
    ------
    InputError
        Unknown name; the message lists the presets.
    """
    try:
        return PRESETS[name]
    except KeyError:
        msg = f"Unknown technology {name!r}; presets are: {', '.join(sorted(PRESETS))}."
        raise InputError(msg) from None
