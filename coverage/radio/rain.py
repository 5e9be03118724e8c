"""Rain fade of point-to-point backhaul links: specific attenuation, path attenuation, availability.

* :func:`rain_coefficients`: the power-law coefficients k and alpha of Recommendation
  ITU-R P.838-3 (03/2005), equations (2)-(5) with the regression coefficients of its
  Tables 1-4;
* :func:`specific_attenuation_db_km`: ``gamma_R = k R^alpha`` (P.838-3 eq. (1));
* :func:`rain_attenuation_db`: the attenuation exceeded for ``p`` % of an average year on a
  terrestrial link, Recommendation ITU-R P.530-18 (09/2021) section 2.4.1, steps 1-5;
* :func:`rain_availability_pct`: the inverse, the share of the year in which the rain
  attenuation stays below a given fade margin.

Everything is vectorised: array arguments broadcast against each other.

ASSUMPTION: the links lie at latitudes below 30 degrees (Colombia: Medellín is at 6.2 N),
where P.530's conversion of ``A0.01`` to other percentages applies as coded here (step 5,
see :func:`rain_attenuation_db`).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from coverage.errors import InputError

__all__ = [
    "DEFAULT_R001_MM_H",
    "POLARIZATION_TILT_DEG",
    "rain_attenuation_db",
    "rain_availability_pct",
    "rain_coefficients",
    "specific_attenuation_db_km",
]

#: Rain rate exceeded for 0.01 % of an average year (mm/h, 1-min integration) used when no
#: local value is given, for the Medellín / Aburrá Valley area. ASSUMPTION: the digital maps
#: of ITU-R P.837-7 (06/2017), which give the proper value for a site, are not available
#: offline and no published P.837-7 value for Medellín was found. 95 mm/h is the R0.01 of
#: rain climatic zone N in the superseded ITU-R PN.837-1 (1994), Table 1, the zone its
#: Figure 1 map gives to the Colombian Andes interior (reading of the map not re-verified
#: here). The P.837-7 map value of tropical South America lies in the same 90-120 mm/h
#: range; replace this with the P.837-7 value at the site (or local 1-min gauge data, e.g.
#: the Aburrá Valley network studied by Emiliani and Luini) before relying on availability.
DEFAULT_R001_MM_H = 95.0

#: Polarization tilt angle tau relative to the horizontal (degrees), P.838-3 eqs. (4)-(5):
#: 45 degrees for circular polarization.
POLARIZATION_TILT_DEG = {"horizontal": 0.0, "vertical": 90.0, "circular": 45.0}

#: P.838-3 validity range of the frequency (GHz).
_F_MIN_GHZ, _F_MAX_GHZ = 1.0, 1000.0
#: P.530-18 section 2.4.1 step 5: range of percentages of time (%) the conversion covers.
_P_MIN_PCT, _P_MAX_PCT = 0.001, 1.0
#: P.530-18 section 2.4.1 step 3: the largest distance factor r recommended.
_R_MAX = 2.5

# P.838-3 Tables 1-4: (a_j, b_j, c_j) per Gaussian term, then (m, c) of the linear term.
_KH_ABC = (
    (-5.33980, -0.10008, 1.13098),
    (-0.35351, 1.26970, 0.45400),
    (-0.23789, 0.86036, 0.15354),
    (-0.94158, 0.64552, 0.16817),
)
_KH_MC = (-0.18961, 0.71147)
_KV_ABC = (
    (-3.80595, 0.56934, 0.81061),
    (-3.44965, -0.22911, 0.51059),
    (-0.39902, 0.73042, 0.11899),
    (0.50167, 1.07319, 0.27195),
)
_KV_MC = (-0.16398, 0.63297)
_AH_ABC = (
    (-0.14318, 1.82442, -0.55187),
    (0.29591, 0.77564, 0.19822),
    (0.32177, 0.63773, 0.13164),
    (-5.37610, -0.96230, 1.47828),
    (16.1721, -3.29980, 3.43990),
)
_AH_MC = (0.67849, -1.95537)
_AV_ABC = (
    (-0.07771, 2.33840, -0.76284),
    (0.56727, 0.95545, 0.54039),
    (-0.20238, 1.14520, 0.26809),
    (-48.2991, 0.791669, 0.116226),
    (48.5833, 0.791459, 0.116479),
)
_AV_MC = (-0.053739, 0.83433)

_F = NDArray[np.float64]


def _regression(
    log_f: _F, terms: tuple[tuple[float, float, float], ...], mc: tuple[float, float]
) -> _F:
    """P.838-3 eqs. (2)/(3): sum of Gaussians in log10 f plus a linear term."""
    out = mc[0] * log_f + mc[1]
    for a, b, c in terms:
        out = out + a * np.exp(-(((log_f - b) / c) ** 2))
    return np.asarray(out)


def _checked(value: ArrayLike, name: str, lo: float, hi: float, fix: str) -> _F:
    """``value`` as a float array, refused unless finite and within ``[lo, hi]``."""
    arr = np.asarray(value, dtype=np.float64)
    bad = ~(np.isfinite(arr) & (arr >= lo) & (arr <= hi))
    if bad.any():
        shown = np.unique(arr[bad])[:3].tolist()
        msg = f"{name} must lie in [{lo:g}, {hi:g}], got {shown}; {fix}."
        raise InputError(msg)
    return arr


def _tilt_deg(polarization: str) -> float:
    """The tilt angle tau (degrees) of a polarization name, refusing unknown names."""
    try:
        return POLARIZATION_TILT_DEG[polarization]
    except KeyError:
        msg = (
            f"polarization must be one of {sorted(POLARIZATION_TILT_DEG)}, got "
            f"{polarization!r}; give the link's polarization by name."
        )
        raise InputError(msg) from None


def rain_coefficients(
    f_ghz: ArrayLike, *, polarization: str = "vertical", path_elevation_deg: float = 0.0
) -> tuple[_F, _F]:
    """Coefficients k and alpha of the rain power law, ITU-R P.838-3 eqs. (2)-(5).

    ``log10 k_H``, ``log10 k_V`` (eq. (2)) and ``alpha_H``, ``alpha_V`` (eq. (3)) from the
    regression coefficients of Tables 1-4; then for path elevation theta and polarization
    tilt tau ``k = [k_H + k_V + (k_H - k_V) cos^2(theta) cos(2 tau)] / 2`` (eq. (4)) and
    ``alpha = [k_H a_H + k_V a_V + (k_H a_H - k_V a_V) cos^2(theta) cos(2 tau)] / (2 k)``
    (eq. (5)). At the frequencies of its Table 5 the result matches that table within its
    rounding.

    Parameters
    ----------
    f_ghz
        Frequency (GHz), 1-1000 (the recommendation's range).
    polarization
        "horizontal" (tau 0), "vertical" (tau 90 degrees) or "circular" (tau 45 degrees).
    path_elevation_deg
        Path elevation angle theta (degrees), -90 to 90; 0 for a terrestrial link.

    Returns
    -------
    k, alpha
        The coefficients, k in (dB/km)/(mm/h)^alpha, the broadcast shape of the inputs.

    Raises
    ------
    InputError
        A frequency outside 1-1000 GHz, an elevation outside -90..90 degrees or an unknown
        polarization.
    """
    f = _checked(f_ghz, "f_ghz", _F_MIN_GHZ, _F_MAX_GHZ, "P.838-3 covers 1-1000 GHz only")
    theta = _checked(path_elevation_deg, "path_elevation_deg", -90.0, 90.0, "give degrees")
    tau_rad = np.radians(_tilt_deg(polarization))
    log_f = np.log10(f)
    k_h = 10.0 ** _regression(log_f, _KH_ABC, _KH_MC)
    k_v = 10.0 ** _regression(log_f, _KV_ABC, _KV_MC)
    a_h = _regression(log_f, _AH_ABC, _AH_MC)
    a_v = _regression(log_f, _AV_ABC, _AV_MC)
    mix = np.cos(np.radians(theta)) ** 2 * np.cos(2.0 * tau_rad)
    k = (k_h + k_v + (k_h - k_v) * mix) / 2.0
    alpha = (k_h * a_h + k_v * a_v + (k_h * a_h - k_v * a_v) * mix) / (2.0 * k)
    return np.asarray(k), np.asarray(alpha)


def specific_attenuation_db_km(
    f_ghz: ArrayLike,
    rain_rate_mm_h: ArrayLike,
    *,
    polarization: str = "vertical",
    path_elevation_deg: float = 0.0,
) -> _F:
    """Specific attenuation due to rain ``gamma_R = k R^alpha`` (dB/km), ITU-R P.838-3 eq. (1).

    Parameters
    ----------
    f_ghz
        Frequency (GHz), 1-1000.
    rain_rate_mm_h
        Rain rate R (mm/h), >= 0; broadcasts with ``f_ghz``.
    polarization
        "horizontal", "vertical" or "circular" (see :func:`rain_coefficients`).
    path_elevation_deg
        Path elevation angle (degrees); 0 for a terrestrial link.

    Returns
    -------
    numpy.ndarray
        Specific attenuation gamma_R (dB/km), the broadcast shape of the inputs.

    Raises
    ------
    InputError
        A frequency outside 1-1000 GHz, a negative or non-finite rain rate, an elevation
        outside -90..90 degrees or an unknown polarization.
    """
    rate = _checked(rain_rate_mm_h, "rain_rate_mm_h", 0.0, np.inf, "give a rate >= 0 mm/h")
    k, alpha = rain_coefficients(
        f_ghz, polarization=polarization, path_elevation_deg=path_elevation_deg
    )
    return np.asarray(k * rate**alpha)


def _conversion_c(f: _F) -> tuple[_F, _F, _F]:
    """C1, C2, C3 of P.530-18 section 2.4.1 step 5 from C0 (a function of frequency)."""
    # C0 read as 0.12 + 0.4 log10((f/10)^0.8); below 10 GHz (the 5.8 GHz band) it is 0.12.
    c0 = np.where(f >= 10.0, 0.12 + 0.4 * np.log10(np.maximum(f / 10.0, 1.0) ** 0.8), 0.12)
    c1 = 0.07**c0 * 0.12 ** (1.0 - c0)
    c2 = 0.855 * c0 + 0.546 * (1.0 - c0)
    c3 = 0.139 * c0 + 0.043 * (1.0 - c0)
    return c1, c2, c3


def _step5(log_p: _F, c2: _F, c3: _F) -> _F:
    """``p^-(C2 + C3 log10 p)`` of P.530-18 section 2.4.1 step 5, from ``log10 p``."""
    return np.asarray(10.0 ** (-(c2 + c3 * log_p) * log_p))


def _a001_db(f: _F, d_km: _F, r001: _F, polarization: str, elevation_deg: float) -> tuple[_F, _F]:
    """A0.01 (dB), P.530-18 section 2.4.1 steps 2-4, and the frequencies broadcast."""
    k, alpha = rain_coefficients(f, polarization=polarization, path_elevation_deg=elevation_deg)
    gamma = k * r001**alpha
    den = 0.477 * d_km**0.633 * r001 ** (0.073 * alpha) * f**0.123 - 10.579 * (
        1.0 - np.exp(-0.024 * d_km)
    )
    # ASSUMPTION: where the fitted denominator is not positive (long paths in light rain,
    # beyond the fit's data) the distance factor takes its recommended maximum, 2.5.
    r = np.where(den > 0.0, np.minimum(1.0 / np.where(den > 0.0, den, 1.0), _R_MAX), _R_MAX)
    a001 = gamma * d_km * r
    return np.asarray(a001), np.asarray(np.broadcast_to(f, a001.shape))


def _link_inputs(
    f_ghz: ArrayLike, distance_km: ArrayLike, r001_mm_h: ArrayLike
) -> tuple[_F, _F, _F]:
    """Frequency, length and R0.01 as checked float arrays."""
    f = _checked(f_ghz, "f_ghz", _F_MIN_GHZ, _F_MAX_GHZ, "P.838-3 covers 1-1000 GHz only")
    d = _checked(distance_km, "distance_km", 0.0, np.inf, "give a path length > 0 km")
    if (d <= 0).any():
        msg = "distance_km must be > 0, got 0; give the path length in km."
        raise InputError(msg)
    r001 = _checked(r001_mm_h, "r001_mm_h", 0.0, np.inf, "give the 0.01 % rain rate in mm/h")
    if (r001 <= 0).any():
        msg = (
            "r001_mm_h must be > 0 mm/h, got 0; give the P.837 rain rate exceeded for "
            f"0.01 % of the year (e.g. DEFAULT_R001_MM_H = {DEFAULT_R001_MM_H})."
        )
        raise InputError(msg)
    return f, d, r001


def rain_attenuation_db(
    f_ghz: ArrayLike,
    distance_km: ArrayLike,
    r001_mm_h: ArrayLike,
    p_pct: ArrayLike,
    *,
    polarization: str = "vertical",
    elevation_deg: float = 0.0,
) -> _F:
    """Rain attenuation (dB) exceeded for ``p_pct`` % of an average year on a terrestrial link.

    ITU-R P.530-18 section 2.4.1: step 2, ``gamma_R`` from P.838-3 at the rain rate
    ``R0.01``; step 3, the distance factor (eq. (32))
    ``r = 1 / (0.477 d^0.633 R0.01^(0.073 alpha) f^0.123 - 10.579 (1 - exp(-0.024 d)))``,
    at most 2.5; step 4, ``A0.01 = gamma_R d r`` (eq. (33)); step 5, for ``p`` in
    0.001-1 % (eqs. (34)-(35)) ``A_p / A0.01 = C1 p^-(C2 + C3 log10 p)`` with
    ``C1 = 0.07^C0 0.12^(1 - C0)``, ``C2 = 0.855 C0 + 0.546 (1 - C0)``,
    ``C3 = 0.139 C0 + 0.043 (1 - C0)``, and ``C0 = 0.12 + 0.4 log10((f/10)^0.8)`` for
    f >= 10 GHz, 0.12 below. ASSUMPTION: the link is at a latitude below 30 degrees (see
    the module docstring); the C0 expression is read with the exponent on f/10 (some
    implementations put it on the logarithm; the two agree below 10 GHz, where the
    5.8 GHz backhaul is). Equation numbers are those of P.530-17 (32)-(35), the same
    steps in P.530-18.

    Up to about 25 km (every backhaul hop this planner builds) ``A_p`` grows with the rain
    rate, the length and (5-40 GHz, rain rates of 1 mm/h and more) the frequency. On
    longer paths the fitted factor makes ``d r`` level off, and ``A_p`` can fall slightly
    as ``d`` or a light ``R0.01`` grows: the published fit, kept as it is.

    Parameters
    ----------
    f_ghz
        Frequency (GHz), 1-1000.
    distance_km
        Path length d (km), > 0.
    r001_mm_h
        Rain rate exceeded for 0.01 % of an average year (mm/h, 1-min integration), > 0,
        from ITU-R P.837 (e.g. :data:`DEFAULT_R001_MM_H`).
    p_pct
        Percentage of the average year p (%), 0.001-1.
    polarization
        "horizontal", "vertical" or "circular".
    elevation_deg
        Path elevation angle (degrees), for P.838-3; 0 for a level link.

    Returns
    -------
    numpy.ndarray
        A_p (dB), the broadcast shape of the inputs.

    Raises
    ------
    InputError
        A frequency outside 1-1000 GHz, a length or rain rate that is not > 0, a
        percentage outside 0.001-1 %, or an unknown polarization.
    """
    f, d, r001 = _link_inputs(f_ghz, distance_km, r001_mm_h)
    p = _checked(p_pct, "p_pct", _P_MIN_PCT, _P_MAX_PCT, "P.530 step 5 covers 0.001-1 %")
    a001, f_b = _a001_db(f, d, r001, polarization, elevation_deg)
    c1, c2, c3 = _conversion_c(f_b)
    return np.asarray(a001 * c1 * _step5(np.log10(p), c2, c3))


def rain_availability_pct(
    f_ghz: ArrayLike,
    distance_km: ArrayLike,
    r001_mm_h: ArrayLike,
    fade_margin_db: ArrayLike,
    *,
    polarization: str = "vertical",
    elevation_deg: float = 0.0,
) -> _F:
    """Share of an average year (%) in which rain attenuation stays within the fade margin.

    The availability ``100 - p`` where ``p`` is the percentage of the year for which
    :func:`rain_attenuation_db` equals ``fade_margin_db``, found by bisection on ``log10 p``
    within the 0.001-1 % that P.530-18 section 2.4.1 step 5 covers (``A_p`` falls as ``p``
    grows there). Outside that range the answer is a bound, not a value: a margin at least
    ``A_0.001`` returns 99.999 (availability at least 99.999 %), and a margin at most
    ``A_1`` returns 99.0 (availability at most 99 %). Rain only: multipath fading
    (P.530-18 section 2.3) and equipment outages are not counted.

    Parameters
    ----------
    f_ghz
        Frequency (GHz), 1-1000.
    distance_km
        Path length (km), > 0.
    r001_mm_h
        Rain rate exceeded for 0.01 % of the year (mm/h), > 0.
    fade_margin_db
        Fade margin of the link (dB), >= 0: received power in clear air above the
        receiver's threshold.
    polarization
        "horizontal", "vertical" or "circular".
    elevation_deg
        Path elevation angle (degrees); 0 for a level link.

    Returns
    -------
    numpy.ndarray
        Availability (%), 99.0-99.999, the broadcast shape of the inputs.

    Raises
    ------
    InputError
        The arguments refused by :func:`rain_attenuation_db`, or a negative or non-finite
        fade margin.
    """
    f, d, r001 = _link_inputs(f_ghz, distance_km, r001_mm_h)
    margin = _checked(fade_margin_db, "fade_margin_db", 0.0, np.inf, "give a margin >= 0 dB")
    a001, f_b = _a001_db(f, d, r001, polarization, elevation_deg)
    a001, f_b, margin = np.broadcast_arrays(a001, f_b, margin)
    c1, c2, c3 = _conversion_c(f_b)
    lo = np.full(margin.shape, np.log10(_P_MIN_PCT))  # where the attenuation is the largest
    hi = np.full(margin.shape, np.log10(_P_MAX_PCT))
    a_lo, a_hi = a001 * c1 * _step5(lo, c2, c3), a001 * c1 * _step5(hi, c2, c3)
    for _ in range(60):  # 60 halvings of 3 decades: far below float rounding
        mid = 0.5 * (lo + hi)
        above = a001 * c1 * _step5(mid, c2, c3) > margin
        lo = np.where(above, mid, lo)
        hi = np.where(above, hi, mid)
    p = 10.0 ** (0.5 * (lo + hi))
    p = np.where(margin >= a_lo, _P_MIN_PCT, np.where(margin <= a_hi, _P_MAX_PCT, p))
    return np.asarray(100.0 - p)
