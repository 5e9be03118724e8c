"""The Longley-Rice Irregular Terrain Model (ITM), point-to-point and area modes, compiled.

This is this project's own implementation, written with numba, of the ITS Irregular Terrain
Model version 1.2.2 as published by NTIA/ITS:

* G. A. Hufford, "The ITS Irregular Terrain Model, version 1.2.2: The Algorithm", NTIA/ITS
  (1995), and the NTIA/ITS reference code (ITM 1.2.2 FORTRAN ``qkpfl``/``qkarea``; ITM 1.3/1.4,
  https://github.com/NTIA/itm, which NTIA states is functionally identical to 1.2.2).
* A. G. Longley and P. L. Rice, "Prediction of tropospheric radio transmission loss over
  irregular terrain: a computer method", ESSA Tech. Rep. ERL 79-ITS 67 (1968).
* G. A. Hufford, A. G. Longley, W. A. Kissick, "A guide to the use of the ITS Irregular Terrain
  Model in the area prediction mode", NTIA Report 82-100 (1982).

It is tested against NTIA's published examples (``qkpflanx.txt``: Crystal Palace to Mursley at
41.5 and 573.3 MHz; the ITM 1.4 ``cmd_examples`` in point-to-point and area modes) to 0.1 dB.

Out-of-range flags
------------------
ITM raises warning flags rather than errors when a path is outside the range its authors
validated. They are returned as a bit mask (:data:`WARNINGS` names each bit, with NTIA's bit
values) and as words in :class:`ItmResult`; the grid functions of :mod:`coverage.radio.prediction`
keep one mask per cell. Nothing is dropped or hidden. ITM computes the surface refractivity
as ``N_s = N_0 exp(-h_sys / 9460 m)`` with ``h_sys`` the mean profile elevation (NTIA ITM 1.3);
with the temperate default ``N_0 = 301`` every path above about 1,750 m mean elevation gets
``N_s < 250`` and the "surface refractivity" flag. For the Colombian Andes this package uses
:data:`N0_ANDES` (see there), after ITU-R P.453, which keeps ``N_s`` above 250 up to 3,400 m.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from coverage.errors import InputError
from coverage.radio._kernels import numba
from coverage.radio.itm.attenuation import _longley_rice
from coverage.radio.itm.profile import (  # noqa: F401 (re-exported)
    _GAMMA_A,
    _N_BINS,
    WORK_SIZE,
    _ground_impedance,
    _input_warnings,
    _order_statistics,
    itm_p2p_core,
    itm_p2p_heights,
    profile_sums,
    radial_tables,
    reciprocals,
)
from coverage.radio.itm.variability import _variability, deviates, frequency_terms

__all__ = [
    "CLIMATES",
    "MDVAR",
    "MODES",
    "N0_ANDES",
    "PATHS",
    "WARNINGS",
    "ItmResult",
    "itm_area",
    "itm_point_to_point",
    "warning_words",
]

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


@numba.njit(cache=True)
def itm_area_core(
    d: float,
    dh: float,
    h0: float,
    h1: float,
    site0: int,
    site1: int,
    f_mhz: float,
    pol: int,
    eps: float,
    sigma: float,
    n_0: float,
    climate: int,
    mdvar: int,
    time: float,
    location: float,
    situation: float,
) -> tuple[float, float, float, float, int, int, int]:
    """Compiled ITM area mode (no profile: Δh and siting criteria); same outputs as p2p."""
    warn = _input_warnings(h0, h1, f_mhz)
    n_s = n_0
    gamma_e = _GAMMA_A * (1.0 - 0.04665 * math.exp(n_s / 179.3))
    zg = _ground_impedance(f_mhz, pol, eps, sigma)
    he = np.empty(2)
    dl = np.empty(2)
    th = np.empty(2)
    hs = (h0, h1)
    crit = (site0, site1)
    for i in range(2):
        if crit[i] == 0:
            he[i] = hs[i]
        else:
            b = 4.0 if crit[i] == 1 else 9.0
            if hs[i] < 5.0:
                b = b * math.sin(0.1 * math.pi * hs[i])
            he[i] = hs[i] + (1.0 + b) * math.exp(-min(20.0, 2.0 * hs[i] / max(1e-3, dh)))
        d_ls = math.sqrt(2.0 * he[i] / gamma_e)
        dl[i] = d_ls * math.exp(-0.07 * math.sqrt(dh / max(he[i], 5.0)))
        th[i] = (0.65 * dh * (d_ls / dl[i] - 1.0) - 2.0 * he[i]) / d_ls
    ft = frequency_terms(f_mhz)
    a_ref, mode, w2, err = _longley_rice(
        th[0], th[1], ft, zg, dl[0], dl[1], he[0], he[1], gamma_e, n_s, dh, h0, h1, d, False
    )
    warn |= w2
    a_fs = 32.45 + ft[3] + 20.0 * math.log10(d / 1000.0)
    if err != 0:
        return np.nan, a_fs, np.nan, np.nan, 0, warn, err
    z_t, z_l, z_s = deviates(time, location, situation)
    var, v_med, w3 = _variability(z_t, z_l, z_s, he[0], he[1], dh, ft, d, a_ref, climate, mdvar)
    return a_fs + var, a_fs, a_ref, v_med, mode, warn | w3, 0


# ---------------------------------------------------------------------------------------------
# Python entry points
# ---------------------------------------------------------------------------------------------
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


def itm_point_to_point(
    elevation_m: ArrayLike,
    spacing_m: float,
    *,
    tx_height_m: float,
    rx_height_m: float,
    f_mhz: float,
    polarization: str | int = "vertical",
    permittivity: float = 15.0,
    conductivity_s_m: float = 0.005,
    n0: float = N0_ANDES,
    climate: int = 1,
    time_pct: float = 50.0,
    location_pct: float = 50.0,
    situation_pct: float = 50.0,
    mdvar: int = 1,
    system_elevation_m: float | None = None,
) -> ItmResult:
    """ITM point-to-point basic transmission loss over a terrain profile.

    Parameters
    ----------
    elevation_m
        Terrain elevations (m) at evenly spaced points, transmitter at index 0.
    spacing_m
        Distance between profile points (m).
    tx_height_m, rx_height_m
        Antenna heights above ground (m).
    f_mhz
        Frequency (MHz), 20-20,000.
    polarization
        "horizontal" or "vertical" (or 0/1).
    permittivity, conductivity_s_m
        Ground relative permittivity and conductivity (S/m); 15 and 0.005 are ITM's
        "average ground".
    n0
        Sea-level surface refractivity (N-units); default :data:`N0_ANDES` (ITU-R P.453).
    climate
        Radio climate 1-7 (:data:`CLIMATES`); 1 (equatorial) suits Palmitas.
    time_pct, location_pct, situation_pct
        Quantiles (%) of time, location and situation (confidence); ITM's confidence /
        reliability convention is time = reliability, location = 50, situation = confidence.
    mdvar
        Mode of variability (:data:`MDVAR`; +10 removes location variability, as NTIA's
        ``qkpfl`` does with 12).
    system_elevation_m
        Elevation (m) for the refractivity scaling ``N_s = n0 exp(-h / 9460)``. ``None``
        (default) uses ITM 1.3's mean of the profile without its first and last 10 %; 0
        keeps ``N_s = n0`` (ITM 1.2.2's ``qkpfl`` with ``zsys = 0``).

    Returns
    -------
    ItmResult
        Loss, free-space loss, A_ref, mode and warnings (never dropped).

    Raises
    ------
    InputError
        Inputs outside ITM's hard limits, or ITM's own errors (e.g. N_s outside 150-400).
    """
    pol = _check_common(
        tx_height_m=tx_height_m,
        rx_height_m=rx_height_m,
        f_mhz=f_mhz,
        polarization=polarization,
        permittivity=permittivity,
        conductivity_s_m=conductivity_s_m,
        n0=n0,
        climate=climate,
        mdvar=mdvar,
        percentages=(time_pct, location_pct, situation_pct),
    )
    z = np.ascontiguousarray(elevation_m, dtype=np.float64)
    if z.ndim != 1 or z.size < 3 or not np.isfinite(z).all() or not spacing_m > 0:
        msg = (
            f"ITM needs a 1-D profile of at least 3 finite elevations and a positive spacing; "
            f"got {z.size} points, spacing {spacing_m} m."
        )
        raise InputError(msg)
    h_sys = math.nan if system_elevation_m is None else float(system_elevation_m)
    return _result(
        itm_p2p_core(
            z,
            float(spacing_m),
            float(tx_height_m),
            float(rx_height_m),
            float(f_mhz),
            pol,
            float(permittivity),
            float(conductivity_s_m),
            float(n0),
            h_sys,
            int(climate),
            int(mdvar),
            float(time_pct),
            float(location_pct),
            float(situation_pct),
        ),
        area=False,
    )


def itm_area(
    distance_m: float,
    *,
    delta_h_m: float,
    tx_height_m: float,
    rx_height_m: float,
    f_mhz: float,
    tx_siting: int = 0,
    rx_siting: int = 0,
    polarization: str | int = "vertical",
    permittivity: float = 15.0,
    conductivity_s_m: float = 0.005,
    n0: float = N0_ANDES,
    climate: int = 1,
    time_pct: float = 50.0,
    location_pct: float = 50.0,
    situation_pct: float = 50.0,
    mdvar: int = 1,
) -> ItmResult:
    """ITM area mode: loss at a distance over terrain described only by Δh.

    Parameters
    ----------
    distance_m
        Path length (m), > 0.
    delta_h_m
        Terrain irregularity parameter Δh (m): 0 flat, 90 hills, 200 mountains, 500 rugged.
    tx_siting, rx_siting
        Siting criteria: 0 random, 1 careful, 2 very careful.
    Other parameters
        As :func:`itm_point_to_point`.

    Returns
    -------
    ItmResult
    """
    pol = _check_common(
        tx_height_m=tx_height_m,
        rx_height_m=rx_height_m,
        f_mhz=f_mhz,
        polarization=polarization,
        permittivity=permittivity,
        conductivity_s_m=conductivity_s_m,
        n0=n0,
        climate=climate,
        mdvar=mdvar,
        percentages=(time_pct, location_pct, situation_pct),
    )
    if (
        not distance_m > 0
        or delta_h_m < 0
        or tx_siting not in (0, 1, 2)
        or rx_siting
        not in (
            0,
            1,
            2,
        )
    ):
        msg = (
            f"ITM area mode needs distance_m > 0 (got {distance_m}), delta_h_m >= 0 (got "
            f"{delta_h_m}) and siting criteria 0, 1 or 2 (got {tx_siting}, {rx_siting})."
        )
        raise InputError(msg)
    return _result(
        itm_area_core(
            float(distance_m),
            float(delta_h_m),
            float(tx_height_m),
            float(rx_height_m),
            int(tx_siting),
            int(rx_siting),
            float(f_mhz),
            pol,
            float(permittivity),
            float(conductivity_s_m),
            float(n0),
            int(climate),
            int(mdvar),
            float(time_pct),
            float(location_pct),
            float(situation_pct),
        ),
        area=True,
    )
