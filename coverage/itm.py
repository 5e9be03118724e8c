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
values) and as words in :class:`ItmResult`; the grid functions of :mod:`coverage.prediction`
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
from numpy.typing import ArrayLike, NDArray

from coverage.errors import InputError
from coverage.itm_attenuation import _longley_rice
from coverage.itm_variability import _variability, numba

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


_GAMMA_A = 157e-9  # actual earth curvature (1/m)
#: Scratch length (floats) the core needs beside the profile: Δh resamples to <= 245 points.
WORK_SIZE = 640
_N_BINS = 64  # bins of the Δh decile search


# ---------------------------------------------------------------------------------------------
# compiled core
# ---------------------------------------------------------------------------------------------
@numba.njit(cache=True)
def _lls(
    z: NDArray[np.float64], np_: int, xi: float, d_start: float, d_end: float
) -> tuple[float, float]:
    """Least-squares line over z[0..np_] between two distances; values at both path ends."""
    i_start = int(max(d_start / xi, 0.0))
    i_end = np_ - int(max(np_ - d_end / xi, 0.0))
    if i_end <= i_start:
        i_start = int(max(i_start - 1.0, 0.0))
        i_end = np_ - int(max(np_ - (i_end + 1.0), 0.0))
    x_length = float(i_end - i_start)
    mid = -0.5 * x_length
    mid_end = i_end + mid
    sum_y = 0.5 * (z[i_start] + z[i_end])
    scaled = 0.5 * (z[i_start] - z[i_end]) * mid
    k = i_start
    for _ in range(2, int(x_length) + 1):
        k += 1
        mid += 1.0
        sum_y += z[k]
        scaled += z[k] * mid
    sum_y = sum_y / x_length
    scaled = scaled * 12.0 / ((x_length * x_length + 2.0) * x_length)
    return sum_y - scaled * mid_end, sum_y + scaled * (np_ - mid_end)


@numba.njit(cache=True)
def _kth_smallest(a: NDArray[np.float64], k: int) -> float:
    """The k-th smallest value (0-based) of ``a`` by quickselect; reorders ``a`` in place."""
    lo = 0
    hi = len(a) - 1
    while lo < hi:
        pivot = a[(lo + hi) // 2]
        i = lo
        j = hi
        while i <= j:
            while a[i] < pivot:
                i += 1
            while a[j] > pivot:
                j -= 1
            if i <= j:
                a[i], a[j] = a[j], a[i]
                i += 1
                j -= 1
        if k <= j:
            hi = j
        elif k >= i:
            lo = i
        else:
            break
    return a[k]


@numba.njit(cache=True)
def _order_statistic(
    s: NDArray[np.float64],
    n: int,
    k: int,
    lo: float,
    scale: float,
    counts: NDArray[np.float64],
    pool: NDArray[np.float64],
) -> float:
    """The k-th smallest (0-based) of s[0..n), exactly, by bucketing then a small select.

    Values go to :data:`_N_BINS` equal bins between their minimum ``lo`` and maximum
    (``scale`` bins per unit); the bin index is monotone in the value, so the k-th value
    lies in the bin where the running count passes k, and a quickselect over that bin's
    few values finds it. ``counts`` and ``pool`` are scratch.
    """
    top = _N_BINS - 1
    for b in range(_N_BINS):
        counts[b] = 0.0
    for j in range(n):
        counts[min(int((s[j] - lo) * scale), top)] += 1.0
    below = 0
    b = 0
    while below + int(counts[b]) <= k:
        below += int(counts[b])
        b += 1
    m = 0
    for j in range(n):
        if min(int((s[j] - lo) * scale), top) == b:
            pool[m] = s[j]
            m += 1
    return _kth_smallest(pool[:m], k - below)


@numba.njit(cache=True)
def _delta_h(
    z: NDArray[np.float64],
    np_: int,
    xi: float,
    d_start: float,
    d_end: float,
    work: NDArray[np.float64],
) -> float:
    """Terrain irregularity Δh: interdecile range of the detrended profile [Algorithm §3].

    The profile is z[0..np_]; ``work`` is scratch of :data:`WORK_SIZE` floats. The deciles
    are the same order statistics as NTIA's nth_element, found by
    :func:`_order_statistic` without sorting.
    """
    x_start = d_start / xi
    x_end = d_end / xi
    if x_end - x_start < 2.0:
        return 0.0
    p10 = int(0.1 * (x_end - x_start + 8.0))
    p10 = min(max(4, p10), 25)
    n = 10 * p10 - 5
    np_s = float(n - 1)
    s = work
    step = (x_end - x_start) / np_s
    i = int(x_start)
    x_start -= float(i + 1.0)
    for j in range(n):
        while x_start > 0.0 and (i + 1) < np_:
            x_start -= 1.0
            i += 1
        s[j] = z[i + 1] + (z[i + 1] - z[i]) * x_start
        x_start += step
    fit1, fit2 = _lls(s, n - 1, 1.0, 0.0, np_s)
    slope = (fit2 - fit1) / np_s
    lo = math.inf
    hi = -math.inf
    for j in range(n):
        v = s[j] - fit1
        fit1 += slope
        s[j] = v
        lo = min(lo, v)
        hi = max(hi, v)
    if not hi > lo:
        return 0.0
    # q10 is the p10-th largest value, q90 the p10-th smallest (NTIA's nth_element)
    counts = work[n : n + _N_BINS]
    pool = work[n + _N_BINS : 2 * n + _N_BINS]
    scale = _N_BINS / (hi - lo)
    q10 = _order_statistic(s, n, n - p10, lo, scale, counts, pool)
    q90 = _order_statistic(s, n, p10 - 1, lo, scale, counts, pool)
    dhd = q10 - q90
    return dhd / (1.0 - 0.8 * math.exp(-(d_end - d_start) / 50e3))


@numba.njit(cache=True)
def _ground_impedance(f_mhz: float, pol: int, eps: float, sigma: float) -> complex:
    ep_r = complex(eps, 18000.0 * sigma / f_mhz)
    zg = np.sqrt(ep_r - 1.0)
    if pol == 1:
        zg = zg / ep_r
    return zg


@numba.njit(cache=True)
def _input_warnings(h0: float, h1: float, f_mhz: float) -> int:
    warn = 0
    if h0 < 1.0 or h0 > 1000.0:
        warn |= 0x0001
    if h1 < 1.0 or h1 > 1000.0:
        warn |= 0x0002
    if f_mhz < 40.0 or f_mhz > 10000.0:
        warn |= 0x0004
    return warn


@numba.njit(cache=True)
def _profile_setup(
    z: NDArray[np.float64], np_: int, xi: float, h1: float, n_0: float, h_sys: float
) -> tuple[float, float, float, float, float]:
    """What does not depend on the tx height: N_s, gamma_e and the rx horizon candidate.

    Returns (N_s, gamma_e, a_e, best rx horizon angle over the profile, its distance); the
    rx horizon is that candidate when it rises above the direct ray to the tx.
    """
    if math.isnan(h_sys):
        p10 = int(0.1 * np_)
        acc = 0.0
        for i in range(p10, np_ - p10 + 1):
            acc += z[i]
        h_sys = acc / (np_ - 2 * p10 + 1)
    n_s = n_0 if h_sys == 0.0 else n_0 * math.exp(-h_sys / 9460.0)
    gamma_e = _GAMMA_A * (1.0 - 0.04665 * math.exp(n_s / 179.3))
    a_e = 1.0 / gamma_e
    d = np_ * xi
    z_rx = z[np_] + h1
    best = -math.inf
    best_d = d
    d_rx = d
    for i in range(1, np_):
        d_rx -= xi
        t_rx = -(z_rx - z[i]) / d_rx - d_rx / (2 * a_e)
        if t_rx > best:
            best = t_rx
            best_d = d_rx
    return n_s, gamma_e, a_e, best, best_d


@numba.njit(cache=True)
def _p2p_height(
    z: NDArray[np.float64],
    np_: int,
    xi: float,
    h0: float,
    h1: float,
    f_mhz: float,
    zg: complex,
    n_s: float,
    gamma_e: float,
    a_e: float,
    rx_best: float,
    rx_best_d: float,
    climate: int,
    mdvar: int,
    time: float,
    location: float,
    situation: float,
    work: NDArray[np.float64],
    dh_key: NDArray[np.float64],
) -> tuple[float, float, float, float, int, int, int]:
    """ITM point-to-point for one tx height, given :func:`_profile_setup`'s results.

    ``dh_key`` (3 floats: d_start, d_end, Δh) caches Δh between heights of one profile;
    set dh_key[0] to NaN before the first height.
    """
    warn = _input_warnings(h0, h1, f_mhz)
    d = np_ * xi

    # horizons [Algorithm §3, FindHorizons]
    z_tx = z[0] + h0
    z_rx = z[np_] + h1
    th0 = (z_rx - z_tx) / d - d / (2 * a_e)
    th1 = -(z_rx - z_tx) / d - d / (2 * a_e)
    dl0 = d
    dl1 = d
    if rx_best > th1:
        th1 = rx_best
        dl1 = rx_best_d
    d_tx = 0.0
    for i in range(1, np_):
        d_tx += xi
        t_tx = (z[i] - z_tx) / d_tx - d_tx / (2 * a_e)
        if t_tx > th0:
            th0 = t_tx
            dl0 = d_tx

    d_start = min(15.0 * h0, 0.1 * dl0)
    d_end = d - min(15.0 * h1, 0.1 * dl1)
    if dh_key[0] == d_start and dh_key[1] == d_end:
        dh = dh_key[2]
    else:
        dh = _delta_h(z, np_, xi, d_start, d_end, work)
        dh_key[0] = d_start
        dh_key[1] = d_end
        dh_key[2] = dh
    if dl0 + dl1 > 1.5 * d:
        fit_tx, fit_rx = _lls(z, np_, xi, d_start, d_end)
        he0 = h0 + max(z[0] - fit_tx, 0.0)
        he1 = h1 + max(z[np_] - fit_rx, 0.0)
        dl0 = math.sqrt(2.0 * he0 * a_e) * math.exp(-0.07 * math.sqrt(dh / max(he0, 5.0)))
        dl1 = math.sqrt(2.0 * he1 * a_e) * math.exp(-0.07 * math.sqrt(dh / max(he1, 5.0)))
        comb = dl0 + dl1
        if comb <= d:
            q = (d / comb) ** 2
            he0 *= q
            he1 *= q
            dl0 = math.sqrt(2.0 * he0 * a_e) * math.exp(-0.07 * math.sqrt(dh / max(he0, 5.0)))
            dl1 = math.sqrt(2.0 * he1 * a_e) * math.exp(-0.07 * math.sqrt(dh / max(he1, 5.0)))
        q = math.sqrt(2.0 * he0 * a_e)
        th0 = (0.65 * dh * (q / dl0 - 1.0) - 2.0 * he0) / q
        q = math.sqrt(2.0 * he1 * a_e)
        th1 = (0.65 * dh * (q / dl1 - 1.0) - 2.0 * he1) / q
    else:
        fit_tx, _dummy = _lls(z, np_, xi, d_start, 0.9 * dl0)
        he0 = h0 + max(z[0] - fit_tx, 0.0)
        _dummy, fit_rx = _lls(z, np_, xi, d - 0.9 * dl1, d_end)
        he1 = h1 + max(z[np_] - fit_rx, 0.0)

    a_ref, mode, w2, err = _longley_rice(
        th0, th1, f_mhz, zg, dl0, dl1, he0, he1, gamma_e, n_s, dh, h0, h1, d, True
    )
    warn |= w2
    # path geometry as NTIA's qkpfl reports it: 0 line of sight, 1 single, 2 double horizon
    q = d - (dl0 + dl1)
    q = max(q - 0.5 * xi, 0.0) - max(-q - 0.5 * xi, 0.0)
    geometry = 0 if q < 0.0 else (1 if q == 0.0 else 2)
    mode = mode + 10 * geometry
    a_fs = 32.45 + 20.0 * math.log10(f_mhz) + 20.0 * math.log10(d / 1000.0)
    if err != 0:
        return np.nan, a_fs, np.nan, np.nan, 0, warn, err
    var, v_med, w3 = _variability(
        time, location, situation, he0, he1, dh, f_mhz, d, a_ref, climate, mdvar
    )
    return a_fs + var, a_fs, a_ref, v_med, mode, warn | w3, 0


@numba.njit(cache=True)
def itm_p2p_heights(
    z: NDArray[np.float64],
    np_: int,
    xi: float,
    h0s: NDArray[np.float64],
    h1: float,
    f_mhz: float,
    pol: int,
    eps: float,
    sigma: float,
    n_0: float,
    h_sys: float,
    climate: int,
    mdvar: int,
    time: float,
    location: float,
    situation: float,
    work: NDArray[np.float64],
    loss: NDArray[np.float64],
    status: NDArray[np.int64],
    warn: NDArray[np.int64],
) -> None:
    """Compiled ITM point-to-point on profile z[0..np_] for several tx heights ``h0s`` (m).

    Writes, per height, the loss (dB; NaN on an ITM error), mode + 10 x geometry and the
    warning bits into ``loss``, ``status`` and ``warn``. The refractivity, the rx horizon
    and (where the end points of its fit coincide) Δh are computed once for all heights.
    ``work`` is scratch of :data:`WORK_SIZE` + 3 floats. Allocates nothing.
    """
    if np_ < 2 or not xi > 0.0:
        for h in range(len(h0s)):
            loss[h] = np.nan
            status[h] = 0
            warn[h] = 0
        return
    zg = _ground_impedance(f_mhz, pol, eps, sigma)
    n_s, gamma_e, a_e, rx_best, rx_best_d = _profile_setup(z, np_, xi, h1, n_0, h_sys)
    dh_key = work[WORK_SIZE : WORK_SIZE + 3]
    dh_key[0] = np.nan
    for h in range(len(h0s)):
        lo, _fs, _aref, _vmed, mode, wb, _err = _p2p_height(
            z, np_, xi, h0s[h], h1, f_mhz, zg, n_s, gamma_e, a_e, rx_best, rx_best_d,
            climate, mdvar, time, location, situation, work, dh_key,
        )  # fmt: skip
        loss[h] = lo
        status[h] = mode
        warn[h] = wb


@numba.njit(cache=True)
def itm_p2p_core(
    z: NDArray[np.float64],
    xi: float,
    h0: float,
    h1: float,
    f_mhz: float,
    pol: int,
    eps: float,
    sigma: float,
    n_0: float,
    h_sys: float,
    climate: int,
    mdvar: int,
    time: float,
    location: float,
    situation: float,
) -> tuple[float, float, float, float, int, int, int]:
    """Compiled ITM point-to-point on one profile.

    ``z`` holds np+1 elevations (m) at spacing ``xi`` (m), tx at index 0. ``h_sys`` is the
    system elevation for the refractivity scaling; pass NaN to use ITM 1.3's mean of the
    profile without its first and last 10 %. Returns (A dB, A_fs dB, A_ref dB, V_med dB,
    mode + 10 * geometry, warning bits, error code); on error A is NaN. ``mode`` is ITM's
    (1 line of sight, 2 diffraction, 3 troposcatter), ``geometry`` NTIA ``qkpfl``'s path
    type (0 line of sight, 1 single horizon, 2 double horizon).
    """
    np_ = len(z) - 1
    if np_ < 2 or not xi > 0.0:
        return np.nan, np.nan, np.nan, np.nan, 0, 0, 5
    zg = _ground_impedance(f_mhz, pol, eps, sigma)
    n_s, gamma_e, a_e, rx_best, rx_best_d = _profile_setup(z, np_, xi, h1, n_0, h_sys)
    work = np.empty(WORK_SIZE + 3)
    dh_key = work[WORK_SIZE : WORK_SIZE + 3]
    dh_key[0] = np.nan
    return _p2p_height(
        z, np_, xi, h0, h1, f_mhz, zg, n_s, gamma_e, a_e, rx_best, rx_best_d,
        climate, mdvar, time, location, situation, work, dh_key,
    )  # fmt: skip


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
    a_ref, mode, w2, err = _longley_rice(
        th[0], th[1], f_mhz, zg, dl[0], dl[1], he[0], he[1], gamma_e, n_s, dh, h0, h1, d, False
    )
    warn |= w2
    a_fs = 32.45 + 20.0 * math.log10(f_mhz) + 20.0 * math.log10(d / 1000.0)
    if err != 0:
        return np.nan, a_fs, np.nan, np.nan, 0, warn, err
    var, v_med, w3 = _variability(
        time, location, situation, he[0], he[1], dh, f_mhz, d, a_ref, climate, mdvar
    )
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
