"""ITM's settings and results: the codes and words of ITM, :class:`ItmResult` (Python).

Part of this project's ITM 1.2.2 (see :mod:`coverage.radio.itm` for the model, its
references and its tests). The radio climates (:data:`CLIMATES`), modes of variability
(:data:`MDVAR`), propagation modes and path types, NTIA's warning bits (:data:`WARNINGS`),
the Andes refractivity :data:`N0_ANDES`, the checks of the inputs and :class:`ItmResult`,
which the point-to-point and area entry points return.
"""

from __future__ import annotations

from dataclasses import dataclass

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
    """Return the words of each ITM warning bit set in ``flags``."""
    return tuple(text for bit, text in WARNINGS.items() if int(flags) & bit)


_POLARISATIONS = {"horizontal": 0, "vertical": 1, "h": 0, "v": 1}


def _check_common(
    *,
    tx_height_m: float,
    rx_height_m: float,
    f_mhz: float,
    polarization: str | int,
    permittivity: float,
    conductivity_s_m: float,
    n0: float,
    climate: int,
    mdvar: int,
    percentages: tuple[float, float, float],
) -> int:
    problems = []
    if isinstance(polarization, str):
        pol = _POLARISATIONS.get(polarization.lower(), -1)
    else:
        pol = int(polarization)
    if pol not in (0, 1):
        problems.append(f"polarization {polarization!r}: use 'horizontal' or 'vertical' (0 or 1)")
    for name, h in (("tx_height_m", tx_height_m), ("rx_height_m", rx_height_m)):
        if not 0.5 <= h <= 3000.0:
            problems.append(f"{name}={h}: ITM needs terminal heights of 0.5-3000 m")
    if not 20.0 <= f_mhz <= 20000.0:
        problems.append(f"f_mhz={f_mhz}: ITM covers 20-20,000 MHz")
    if climate not in CLIMATES:
        problems.append(f"climate={climate}: use 1-7 ({CLIMATES})")
    if not 250.0 <= n0 <= 400.0:
        problems.append(f"n0={n0}: ITM needs a sea-level refractivity of 250-400 N-units")
    if permittivity < 1.0:
        problems.append(f"permittivity={permittivity}: must be >= 1")
    if conductivity_s_m <= 0.0:
        problems.append(f"conductivity_s_m={conductivity_s_m}: must be > 0")
    if not (0 <= mdvar <= 3 or 10 <= mdvar <= 13 or 20 <= mdvar <= 23 or 30 <= mdvar <= 33):
        problems.append(f"mdvar={mdvar}: use 0-3, plus 10 and/or 20")
    for name, p in zip(("time_pct", "location_pct", "situation_pct"), percentages, strict=True):
        if not 0.0 < p < 100.0:
            problems.append(f"{name}={p}: must lie strictly between 0 and 100")
    if problems:
        msg = "ITM inputs out of range: " + "; ".join(problems) + "."
        raise InputError(msg, problems)
    return pol


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
