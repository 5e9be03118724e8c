"""ITM variability: time, location and situation quantiles of the loss, compiled.

Part of this project's ITM 1.2.2 (see :mod:`coverage.radio.itm` for the model and its tests):
G. A. Hufford, "The ITS Irregular Terrain Model, version 1.2.2: The Algorithm", NTIA/ITS
(1995), section 5 ("Variability"), with the climate curves of NBS Technical Note 101
(Rice et al., 1967, Fig. 10.13) and the inverse normal of Abramowitz & Stegun 26.2.23.
Given the reference attenuation A_ref, :func:`_variability` returns the attenuation at the
requested quantiles and the median time adjustment V_med.
"""

from __future__ import annotations

import math

import numpy as np

from coverage.radio._kernels import numba

_A_9000_M = 9000e3  # effective radius used by the variability (ITM a_9000)


@numba.njit(cache=True, error_model="numpy")
def _terrain_roughness(d: float, dh: float) -> float:
    """Δh(d): the terrain irregularity seen over a path of length d (m) [Algorithm eq. 3.9]."""
    return dh * (1.0 - 0.8 * math.exp(-d / 50e3))


@numba.njit(cache=True, error_model="numpy")
def deviates(time: float, location: float, situation: float) -> tuple[float, float, float]:
    """Standard normal deviates of the time, location and situation percentages (%).

    What :func:`_variability` takes; compute them once per prediction, not per path.

    Parameters
    ----------
    time, location, situation
        The quantiles (%, strictly between 0 and 100).

    Returns
    -------
    z_time, z_location, z_situation
        The deviates ``z`` whose complementary normal probability ``Q(z)`` is the
        percentage / 100 (Abramowitz & Stegun 26.2.23): 0 at 50 %, negative above.
    """
    return _qerfi(time / 100.0), _qerfi(location / 100.0), _qerfi(situation / 100.0)


@numba.njit(cache=True, error_model="numpy")
def frequency_terms(f_mhz: float) -> tuple[float, float, float, float, float, float]:
    """What every path at one frequency shares, computed once as NTIA's ``qlrps`` does.

    The attenuation and variability take this tuple.

    Parameters
    ----------
    f_mhz
        Frequency (MHz).

    Returns
    -------
    tuple of float
        (f, f^(1/3), ln f, 20 log10 f, (575.7e12 / k)^(1/3), ln(0.133 k)) for f in MHz and
        k = f / 47.7 the wave number (1/m): the diffraction's frequency factor, the bound on
        the troposcatter distance d_x, the free-space loss, the variability's extra
        distance term and its frequency factor.
    """
    wn = f_mhz / 47.7
    return (
        f_mhz,
        f_mhz ** (1.0 / 3.0),
        math.log(f_mhz),
        20.0 * math.log10(f_mhz),
        (575.7e12 / wn) ** (1.0 / 3.0),
        math.log(0.133 * wn),
    )


@numba.njit(cache=True, error_model="numpy")
def _qerfi(q: float) -> float:
    """Inverse complementary normal CDF, Abramowitz & Stegun 26.2.23."""
    x = q
    if q > 0.5:
        x = 1.0 - x
    t = math.sqrt(-2.0 * math.log(x))
    zeta = ((0.010328 * t + 0.802853) * t + 2.515516) / (
        ((0.001308 * t + 0.189269) * t + 1.432788) * t + 1.0
    )
    out = t - zeta
    if q > 0.5:
        out = -out
    return out


@numba.njit(cache=True, error_model="numpy")
def _curve(c1: float, c2: float, x1: float, x2: float, x3: float, de: float) -> float:
    return (c1 + c2 / (1.0 + ((de - x2) / x3) ** 2)) * (de / x1) ** 2 / (1.0 + (de / x1) ** 2)


# Climate tables of the variability, [Algorithm §5, Table 5.1] / TN101 Fig. 10.13
_ALL_YEAR = np.array(
    [
        [-9.67, -0.62, 1.26, -9.21, -0.62, -0.39, 3.15],
        [12.7, 9.19, 15.5, 9.05, 9.19, 2.86, 857.9],
        [144.9e3, 228.9e3, 262.6e3, 84.1e3, 228.9e3, 141.7e3, 2222.0e3],
        [190.3e3, 205.2e3, 185.2e3, 101.1e3, 205.2e3, 315.9e3, 164.8e3],
        [133.8e3, 143.6e3, 99.8e3, 98.6e3, 143.6e3, 167.4e3, 116.3e3],
    ]
)
_BSM = np.array(
    [
        [2.13, 2.66, 6.11, 1.98, 2.68, 6.86, 8.51],
        [159.5, 7.67, 6.65, 13.11, 7.16, 10.38, 169.8],
        [762.2e3, 100.4e3, 138.2e3, 139.1e3, 93.7e3, 187.8e3, 609.8e3],
        [123.6e3, 172.5e3, 242.2e3, 132.7e3, 186.8e3, 169.6e3, 119.9e3],
        [94.5e3, 136.4e3, 178.6e3, 193.5e3, 133.5e3, 108.9e3, 106.6e3],
    ]
)
_BSP = np.array(
    [
        [2.11, 6.87, 10.08, 3.68, 4.75, 8.58, 8.43],
        [102.3, 15.53, 9.60, 159.3, 8.12, 13.97, 8.19],
        [636.9e3, 138.7e3, 165.3e3, 464.4e3, 93.2e3, 216.0e3, 136.2e3],
        [134.8e3, 143.7e3, 225.7e3, 93.1e3, 135.9e3, 152.0e3, 188.5e3],
        [95.6e3, 98.6e3, 129.7e3, 94.2e3, 113.4e3, 122.7e3, 122.9e3],
    ]
)
_CD = np.array([1.224, 0.801, 1.380, 1.000, 1.224, 1.518, 1.518])
_ZD = np.array([1.282, 2.161, 1.282, 20.0, 1.282, 1.282, 1.282])
_BFM = np.array(
    [
        [1.0, 1.0, 1.0, 1.0, 0.92, 1.0, 1.0],
        [0.0, 0.0, 0.0, 0.0, 0.25, 0.0, 0.0],
        [0.0, 0.0, 0.0, 0.0, 1.77, 0.0, 0.0],
    ]
)
_BFP = np.array(
    [
        [1.0, 0.93, 1.0, 0.93, 0.93, 1.0, 1.0],
        [0.0, 0.31, 0.0, 0.19, 0.31, 0.0, 0.0],
        [0.0, 2.00, 0.0, 1.79, 2.00, 0.0, 0.0],
    ]
)


@numba.njit(cache=True, error_model="numpy")
def _variability(
    z_t: float,
    z_l: float,
    z_s: float,
    he0: float,
    he1: float,
    dh: float,
    ft: tuple[float, float, float, float, float, float],
    d: float,
    a_ref: float,
    climate: int,
    mdvar: int,
) -> tuple[float, float, int]:
    """Variability adjustment (dB) [Algorithm §5]; returns (A - A_fs, V_med, warning bits).

    ``z_t``, ``z_l``, ``z_s`` are the deviates of the time, location and situation
    percentages (:func:`deviates`), ``ft`` the :func:`frequency_terms`.
    """
    warn = 0
    c = climate - 1
    wn = ft[0] / 47.7
    d_ex = math.sqrt(2 * _A_9000_M * he0) + math.sqrt(2 * _A_9000_M * he1) + ft[4]
    de = 130e3 * d / d_ex if d < d_ex else 130e3 + d - d_ex
    md = mdvar
    plus20 = md >= 20
    if plus20:
        md -= 20
    sigma_s = 0.0 if plus20 else 5.0 + 3.0 * math.exp(-de / 100e3)
    plus10 = md >= 10
    if plus10:
        md -= 10
    v_med = _curve(
        _ALL_YEAR[0, c], _ALL_YEAR[1, c], _ALL_YEAR[2, c], _ALL_YEAR[3, c], _ALL_YEAR[4, c], de
    )
    if md == 0:
        z_t = z_s
        z_l = z_s
    elif md == 1:
        z_l = z_s
    elif md == 2:
        z_l = z_t
    if abs(z_t) > 3.10 or abs(z_l) > 3.10 or abs(z_s) > 3.10:
        warn |= 0x2000
    if plus10:
        sigma_l = 0.0
    else:
        dhd = _terrain_roughness(d, dh)
        sigma_l = 10.0 * wn * dhd / (wn * dhd + 13.0)
    y_l = sigma_l * z_l
    q = ft[5]
    g_minus = _BFM[0, c] + _BFM[1, c] / ((_BFM[2, c] * q) ** 2 + 1.0)
    g_plus = _BFP[0, c] + _BFP[1, c] / ((_BFP[2, c] * q) ** 2 + 1.0)
    s_tm = _curve(_BSM[0, c], _BSM[1, c], _BSM[2, c], _BSM[3, c], _BSM[4, c], de) * g_minus
    s_tp = _curve(_BSP[0, c], _BSP[1, c], _BSP[2, c], _BSP[3, c], _BSP[4, c], de) * g_plus
    s_td = _CD[c] * s_tp
    tgtd = (s_tp - s_td) * _ZD[c]
    if z_t < 0.0:
        sigma_t = s_tm
    elif z_t <= _ZD[c]:
        sigma_t = s_tp
    else:
        sigma_t = s_td + tgtd / z_t
    y_t = sigma_t * z_t
    ys_tmp = sigma_s**2 + y_t**2 / (7.8 + z_s**2) + y_l**2 / (24.0 + z_s**2)
    if md == 0:
        y_r = 0.0
        y_s = math.sqrt(sigma_t**2 + sigma_l**2 + ys_tmp) * z_s
    elif md == 1:
        y_r = y_t
        y_s = math.sqrt(sigma_l**2 + ys_tmp) * z_s
    elif md == 2:
        y_r = math.sqrt(sigma_t**2 + sigma_l**2) * z_t
        y_s = math.sqrt(ys_tmp) * z_s
    else:
        y_r = y_t + y_l
        y_s = math.sqrt(ys_tmp) * z_s
    result = a_ref - v_med - y_r - y_s
    if result < 0.0:
        result = result * (29.0 - result) / (29.0 - 10.0 * result)
    return result, v_med, warn
