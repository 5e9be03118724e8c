"""ITM's settings and results, in Python: :class:`ItmSettings`, :class:`ItmResult`, the codes.

Part of this project's ITM 1.2.2 (see :mod:`coverage.radio.itm` for the model, its
references and its tests). The radio climates (:data:`CLIMATES`), modes of variability
(:data:`MDVAR`), propagation modes and path types, NTIA's warning bits (:data:`WARNINGS`)
and the Andes refractivity :data:`N0_ANDES`; :class:`ItmSettings`, the settings that
point-to-point, area mode and the propagation model share (checked when built, and
turned into the compiled cores' parameter vector); the check of the antenna heights and
frequency; :class:`ItmResult`, which the entry points return, and :func:`warning_words`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from coverage.errors import InputError

#: ITM version implemented here.
ITM_VERSION = "ITM 1.2.2 (NTIA/ITS)"


#: Radio climates of ITM, by code.
CLIMATES = {
    1: "equatorial",
    2: "continental subtropical",
    3: "maritime subtropical",
    4: "desert",
    5: "continental temperate",
    6: "maritime temperate over land",
    7: "maritime temperate over sea",
}


#: Modes of variability (add 10 for point-to-point: no location variability; add 20 to
#: eliminate direct situation variability, for interference).
MDVAR = {"single": 0, "accidental": 1, "mobile": 2, "broadcast": 3}


#: Propagation modes returned by ITM.
MODES = {0: "not set", 1: "line of sight", 2: "diffraction", 3: "troposcatter"}


#: Path geometry of a point-to-point profile, as NTIA's qkpfl reports it.
PATHS = {0: "line of sight", 1: "single horizon", 2: "double horizon"}


#: Warning bits, with NTIA ITM 1.4's values (``Warnings.h``).
WARNINGS = {
    0x0001: "tx terminal height near its limits (1-1000 m)",
    0x0002: "rx terminal height near its limits (1-1000 m)",
    0x0004: "frequency near its limits (40-10,000 MHz)",
    0x0008: "path distance near its upper limit (> 1000 km)",
    0x0010: "path distance large (> 2000 km)",
    0x0020: "path distance below |he1 - he2| / 0.2 (steep path)",
    0x0040: "path distance below 1 km",
    0x0080: "tx horizon angle above 200 mrad (small-angle approximation)",
    0x0100: "rx horizon angle above 200 mrad (small-angle approximation)",
    0x0200: "tx horizon distance below 1/10 of the smooth-earth horizon",
    0x0400: "rx horizon distance below 1/10 of the smooth-earth horizon",
    0x0800: "tx horizon distance above 3 times the smooth-earth horizon",
    0x1000: "rx horizon distance above 3 times the smooth-earth horizon",
    0x2000: "extreme variability quantile (|z| > 3.1)",
    0x4000: "surface refractivity N_s below 250 N-units",
}


#: Sea-level surface refractivity (N-units) used for Palmitas: ITU-R P.453-14 maps of the
#: annual mean sea-level refractivity N0 put the inland tropical Andes of Colombia at about
#: 350-370 N-units; 360 is read from those maps (not computed from the digital map files).
N0_ANDES = 360.0


def refractivity_for_k(k_factor: float) -> float:
    """The surface refractivity (N-units) at which ITM's earth has effective radius factor k.

    ITM's effective curvature is ``gamma_e = gamma_a (1 - 0.04665 exp(N_s / 179.3))``
    (Hufford, "The ITS Irregular Terrain Model, version 1.2.2: the algorithm", section 3),
    so ``k = gamma_a / gamma_e`` gives ``N_s = 179.3 ln((1 - 1/k) / 0.04665)``; k = 4/3 is
    about 301 N-units.

    Parameters
    ----------
    k_factor
        Effective earth-radius factor (> 1: ITM has no earth flatter than that).

    Returns
    -------
    float
        N_s (N-units).

    Raises
    ------
    InputError
        k not above 1, or an N_s outside ITM's 250-400 N-units (k about 1.23-1.77).
    """
    if not k_factor > 1.0:
        msg = f"ITM's refractivity has no earth with k_factor {k_factor} (k must be > 1)."
        raise InputError(msg)
    n_s = 179.3 * math.log((1.0 - 1.0 / k_factor) / 0.04665)
    if not 250.0 <= n_s <= 400.0:
        msg = (
            f"k_factor {k_factor:g} needs N_s = {n_s:.0f} N-units, outside ITM's 250-400 "
            "(k about 1.23-1.77)."
        )
        raise InputError(msg)
    return n_s


#: Error codes of the compiled core (0 is success).
_ERRORS = {
    1: "surface refractivity N_s below 150 N-units",
    2: "surface refractivity N_s above 400 N-units",
    3: "effective earth radius outside 4,000-13,333 km",
    4: "ground impedance: real part not above the imaginary part",
    5: "profile too short (needs at least 2 intervals) or non-positive spacing",
}


@dataclass(frozen=True)
class ItmResult:
    """One ITM prediction.

    Attributes
    ----------
    loss_db
        Basic transmission loss (dB) at the requested time/location/situation quantiles.
    free_space_db
        Free-space basic transmission loss over the path's ground distance (dB).
    reference_attenuation_db
        ITM's A_ref, the median attenuation relative to free space (dB, >= 0).
    median_variability_db
        V_med, the climate's median time-variability adjustment (dB) that ITM subtracts
        from A_ref; it is why ITM's median loss can be slightly below free space.
    mode
        ITM's propagation mode: "line of sight", "diffraction" or "troposcatter". ITM picks
        its line-of-sight formula whenever the path is shorter than the smooth-earth horizon
        distance of the *effective* heights, which can hold on a terrain-obstructed path.
    path
        The terrain geometry, as NTIA's ``qkpfl`` reports it: "line of sight",
        "single horizon" or "double horizon" ("" in area mode).
    warning_flags
        ITM's warning bit mask (NTIA bit values, see :data:`WARNINGS`).
    warnings
        The words of each set bit.
    """

    loss_db: float
    free_space_db: float
    reference_attenuation_db: float
    median_variability_db: float
    mode: str
    path: str
    warning_flags: int
    warnings: tuple[str, ...]


def warning_words(flags: int) -> tuple[str, ...]:
    """Return the words of each ITM warning bit set in ``flags``.

    Parameters
    ----------
    flags
        ITM's warning bit mask (NTIA bit values, :data:`WARNINGS`).

    Returns
    -------
    tuple of str
        The words of each set bit, in :data:`WARNINGS` order; bits it does not name are
        left out.
    """
    return tuple(text for bit, text in WARNINGS.items() if int(flags) & bit)


_POLARISATIONS = {"horizontal": 0, "vertical": 1, "h": 0, "v": 1}


@dataclass(frozen=True)
class ItmSettings:
    """ITM's settings of a prediction: ground, atmosphere, climate and quantiles.

    One value object serves :func:`~coverage.radio.itm.itm_point_to_point`,
    :func:`~coverage.radio.itm.itm_area` and :class:`coverage.radio.propagation.ItmModel`;
    it checks itself against ITM's hard limits when built and holds its numbers as float
    and int (so that equal settings print alike).

    Attributes
    ----------
    polarization
        "horizontal" or "vertical" ("h" or "v", any case), or 0 (horizontal) or 1 (vertical).
    permittivity
        Relative permittivity of the ground (dimensionless, >= 1); 15 with 0.005 S/m is
        ITM's "average ground".
    conductivity_s_m
        Ground conductivity (S/m, > 0).
    n0
        Sea-level surface refractivity (N-units, 250-400); default :data:`N0_ANDES`
        (ITU-R P.453).
    climate
        Radio climate 1-7 (:data:`CLIMATES`); 1 (equatorial) suits Palmitas.
    mdvar
        Mode of variability (:data:`MDVAR`, 0-3); +10 removes location variability (as
        NTIA's ``qkpfl`` does with 12), +20 direct situation variability.
    time_pct, location_pct, situation_pct
        Quantiles (%, strictly between 0 and 100) of time, location and situation
        (confidence); ITM's confidence / reliability convention is time = reliability,
        location = 50, situation = confidence.
    system_elevation_m
        Elevation (m) for the refractivity scaling ``N_s = n0 exp(-h / 9460 m)`` of a
        point-to-point path. ``None`` (default) uses ITM 1.3's mean of the profile without
        its first and last 10 %; 0 keeps ``N_s = n0`` (ITM 1.2.2's ``qkpfl`` with
        ``zsys = 0``). Area mode always takes ``N_s = n0``.

    Raises
    ------
    InputError
        A setting outside ITM's limits; the message names each such field, its value and
        the values ITM takes.
    """

    polarization: str | int = "vertical"
    permittivity: float = 15.0
    conductivity_s_m: float = 0.005
    n0: float = N0_ANDES
    climate: int = 1
    mdvar: int = 1
    time_pct: float = 50.0
    location_pct: float = 50.0
    situation_pct: float = 50.0
    system_elevation_m: float | None = None

    def __post_init__(self) -> None:
        """Refuse every setting outside ITM's limits, all in one ``InputError``; store the
        numbers as float and int."""
        problems = self._problems()
        if problems:
            msg = "ITM inputs out of range: " + "; ".join(problems) + "."
            raise InputError(msg, problems)
        numbers = {
            "permittivity": float(self.permittivity),
            "conductivity_s_m": float(self.conductivity_s_m),
            "n0": float(self.n0),
            "climate": int(self.climate),
            "mdvar": int(self.mdvar),
            "time_pct": float(self.time_pct),
            "location_pct": float(self.location_pct),
            "situation_pct": float(self.situation_pct),
        }
        if self.system_elevation_m is not None:
            numbers["system_elevation_m"] = float(self.system_elevation_m)
        for name, value in numbers.items():
            object.__setattr__(self, name, value)

    def _problems(self) -> list[str]:
        problems = []
        if self.polarization_code not in (0, 1):
            problems.append(
                f"polarization {self.polarization!r}: use 'horizontal' or 'vertical' (0 or 1)"
            )
        if self.climate not in CLIMATES:
            problems.append(f"climate={self.climate}: use 1-7 ({CLIMATES})")
        if not 250.0 <= self.n0 <= 400.0:
            problems.append(f"n0={self.n0}: ITM needs a sea-level refractivity of 250-400 N-units")
        if self.permittivity < 1.0:
            problems.append(f"permittivity={self.permittivity}: must be >= 1")
        if self.conductivity_s_m <= 0.0:
            problems.append(f"conductivity_s_m={self.conductivity_s_m}: must be > 0")
        md = self.mdvar
        if not (0 <= md <= 3 or 10 <= md <= 13 or 20 <= md <= 23 or 30 <= md <= 33):
            problems.append(f"mdvar={md}: use 0-3, plus 10 and/or 20")
        for name in ("time_pct", "location_pct", "situation_pct"):
            p = getattr(self, name)
            if not 0.0 < p < 100.0:
                problems.append(f"{name}={p}: must lie strictly between 0 and 100")
        return problems

    @property
    def polarization_code(self) -> int:
        """ITM's polarization code: 0 horizontal, 1 vertical (-1 for a word it does not know).

        Returns
        -------
        int
            The code of :attr:`polarization` (an integer given is returned as it is).
        """
        if isinstance(self.polarization, str):
            return _POLARISATIONS.get(self.polarization.lower(), -1)
        return int(self.polarization)

    def kernel_params(self) -> NDArray[np.float64]:
        """The settings as the compiled cores take them.

        Returns
        -------
        NDArray[np.float64]
            10 floats, in this order: polarization code, permittivity, conductivity
            (S/m), n0 (N-units), system elevation (m; NaN for ``None``), climate, mdvar,
            and the time, location and situation quantiles (%).
        """
        h_sys = math.nan if self.system_elevation_m is None else self.system_elevation_m
        return np.array(
            [
                self.polarization_code,
                self.permittivity,
                self.conductivity_s_m,
                self.n0,
                h_sys,
                self.climate,
                self.mdvar,
                self.time_pct,
                self.location_pct,
                self.situation_pct,
            ],
            dtype=np.float64,
        )


def _check_terminals(tx_height_m: float, rx_height_m: float, f_mhz: float) -> None:
    """Raise :class:`InputError` for antenna heights or a frequency outside ITM's limits."""
    problems = []
    for name, h in (("tx_height_m", tx_height_m), ("rx_height_m", rx_height_m)):
        if not 0.5 <= h <= 3000.0:
            problems.append(f"{name}={h}: ITM needs terminal heights of 0.5-3000 m")
    if not 20.0 <= f_mhz <= 20000.0:
        problems.append(f"f_mhz={f_mhz}: ITM covers 20-20,000 MHz")
    if problems:
        msg = "ITM inputs out of range: " + "; ".join(problems) + "."
        raise InputError(msg, problems)


def _result(out: tuple[float, float, float, float, int, int, int], *, area: bool) -> ItmResult:
    loss, fs, aref, vmed, mode, warn, err = out
    if err != 0:
        msg = f"ITM could not compute this path: {_ERRORS.get(err, err)}. Check n0 and the inputs."
        raise InputError(msg)
    geometry = -1 if area else int(mode) // 10
    return ItmResult(
        float(loss),
        float(fs),
        float(aref),
        float(vmed),
        MODES[int(mode) % 10],
        PATHS.get(geometry, ""),
        int(warn),
        warning_words(int(warn)),
    )
