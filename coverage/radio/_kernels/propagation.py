"""Compiled (numba) per-profile loss functions behind :mod:`coverage.radio.propagation`; private.

:func:`profile_loss` evaluates any of the propagation models on one terrain profile, selected
by an integer code (:data:`FSPL` ... :data:`ITM`) and a parameter vector; the compiled area
predictions of :mod:`coverage.radio.prediction` call it in their parallel loops. The references of
each model are in the docstrings of the model classes in :mod:`coverage.radio.propagation`.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from coverage.radio._kernels import numba
from coverage.radio.itm.point_to_point import itm_p2p_core

#: Mean earth radius (m) used with the k-factor.
EARTH_RADIUS_M = 6_371_000.0
#: Speed of light (m/s).
C_M_S = 299_792_458.0

# kernel codes of profile_loss
FSPL, LOS, KNIFE, DEYGOUT, BULLINGTON, HATA, ITM = range(7)


# ---------------------------------------------------------------------------------------------
# compiled per-profile functions
# ---------------------------------------------------------------------------------------------
@numba.njit(cache=True)
def _fspl(d_m: float, f_mhz: float) -> float:
    """ITU-R P.525-4 eq. (8): 20 log10(4 pi d / lambda), d in m."""
    d = max(d_m, 1.0)
    return 20.0 * math.log10(4.0 * math.pi * d * f_mhz * 1e6 / C_M_S)


@numba.njit(cache=True)
def _j_of_v(v: float) -> float:
    """ITU-R P.526-15 eq. (31): knife-edge loss J(v) in dB, 0 for v <= -0.78."""
    if v <= -0.78:
        return 0.0
    return 6.9 + 20.0 * math.log10(math.sqrt((v - 0.1) ** 2 + 1.0) + v - 0.1)


@numba.njit(cache=True)
def effective_heights(z: NDArray[np.float64], step: float, k_factor: float) -> NDArray[np.float64]:
    """Profile heights raised by the earth bulge ``d1 d2 / (2 k R)``.

    Parameters
    ----------
    z
        Ground elevations (m), evenly spaced, transmitter at index 0.
    step
        Distance between samples (m).
    k_factor
        Effective earth-radius factor k (4/3 for the standard atmosphere).

    Returns
    -------
    NDArray[np.float64]
        The elevations (m) plus the bulge at each sample, 0 at both ends.
    """
    n = len(z)
    total = step * (n - 1)
    out = np.empty(n)
    for i in range(n):
        d = step * i
        out[i] = z[i] + d * (total - d) / (2.0 * k_factor * EARTH_RADIUS_M)
    return out


@numba.njit(cache=True)
def max_fresnel_v(
    ze: NDArray[np.float64], step: float, i0: int, i1: int, h0: float, h1: float, lam: float
) -> tuple[float, int]:
    """The largest Fresnel-Kirchhoff parameter v over the samples strictly between two.

    Parameters
    ----------
    ze
        Profile heights with the earth bulge (m), as :func:`effective_heights` gives them.
    step
        Distance between samples (m).
    i0, i1
        Sample indices of the two ends of the ray.
    h0, h1
        Heights (m, same datum as ``ze``) of the ray at samples ``i0`` and ``i1``.
    lam
        Wavelength (m).

    Returns
    -------
    tuple[float, int]
        v (dimensionless; -1e9 when no sample lies between) and its sample index (-1 then).
    """
    best = -1e9
    arg = -1
    span = (i1 - i0) * step
    for i in range(i0 + 1, i1):
        d1 = (i - i0) * step
        d2 = span - d1
        h = ze[i] - (h0 + (h1 - h0) * d1 / span)
        v = h * math.sqrt(2.0 * span / (lam * d1 * d2))
        if v > best:
            best = v
            arg = i
    return best, arg


@numba.njit(cache=True)
def _diffraction_db(
    z: NDArray[np.float64],
    step: float,
    h_tx: float,
    h_rx: float,
    f_mhz: float,
    k_factor: float,
    method: int,
) -> float:
    """Excess diffraction loss (dB) by ITU-R P.526: 2 knife-edge, 3 Deygout, 4 Bullington."""
    n = len(z)
    if n < 3:
        return 0.0
    lam = C_M_S / (f_mhz * 1e6)
    ze = effective_heights(z, step, k_factor)
    ht = z[0] + h_tx
    hr = z[n - 1] + h_rx
    total = step * (n - 1)
    if method == KNIFE or method == DEYGOUT:  # noqa: SIM109 (numba)
        vp, ip = max_fresnel_v(ze, step, 0, n - 1, ht, hr, lam)
        jp = _j_of_v(vp)
        if method == KNIFE or jp <= 0.0:
            return jp
        # Deygout construction limited to three edges (P.526, "method for a general
        # terrain", C = 10 + 0.04 D with D in km, T = 1 - exp(-J(vp)/6))
        hp = ze[ip]
        jt = 0.0
        jr = 0.0
        if ip > 1:
            vt, _ = max_fresnel_v(ze, step, 0, ip, ht, hp, lam)
            jt = _j_of_v(vt)
        if ip < n - 2:
            vr, _ = max_fresnel_v(ze, step, ip, n - 1, hp, hr, lam)
            jr = _j_of_v(vr)
        t = 1.0 - math.exp(-jp / 6.0)
        c = 10.0 + 0.04 * total / 1000.0
        return jp + t * (jt + jr + c)
    # Bullington construction (P.526-15 section 4.5.1, distances in km, heights in m)
    d_km = total / 1000.0
    ce = 1.0 / (k_factor * EARTH_RADIUS_M / 1000.0)
    s_tim = -1e18
    for i in range(1, n - 1):
        di = step * i / 1000.0
        s = (z[i] + 500.0 * ce * di * (d_km - di) - ht) / di
        s_tim = max(s_tim, s)
    s_tr = (hr - ht) / d_km
    if s_tim < s_tr:
        v_max = -1e18
        for i in range(1, n - 1):
            di = step * i / 1000.0
            h = z[i] + 500.0 * ce * di * (d_km - di) - (ht * (d_km - di) + hr * di) / d_km
            v = h * math.sqrt(0.002 * d_km / (lam * di * (d_km - di)))
            v_max = max(v_max, v)
        luc = _j_of_v(v_max)
    else:
        s_rim = -1e18
        for i in range(1, n - 1):
            di = step * i / 1000.0
            s = (z[i] + 500.0 * ce * di * (d_km - di) - hr) / (d_km - di)
            s_rim = max(s_rim, s)
        d_b = (hr - ht + s_rim * d_km) / (s_tim + s_rim)
        d_b = min(max(d_b, 1e-6), d_km - 1e-6)
        v_b = (ht + s_tim * d_b - (ht * (d_km - d_b) + hr * d_b) / d_km) * math.sqrt(
            0.002 * d_km / (lam * d_b * (d_km - d_b))
        )
        luc = _j_of_v(v_b)
    return luc + (1.0 - math.exp(-luc / 6.0)) * (10.0 + 0.02 * d_km)


@numba.njit(cache=True)
def los_status(
    z: NDArray[np.float64],
    step: float,
    h_tx: float,
    h_rx: float,
    f_mhz: float,
    k_factor: float,
    clear_fraction: float,
) -> int:
    """The line-of-sight status of one profile.

    Parameters
    ----------
    z
        Ground elevations (m), evenly spaced, transmitter at index 0.
    step
        Distance between samples (m).
    h_tx, h_rx
        Antenna heights above ground (m) at both ends.
    f_mhz
        Frequency (MHz).
    k_factor
        Effective earth-radius factor k of the earth bulge.
    clear_fraction
        Fraction of the first Fresnel zone's radius that must stay clear (0.6: 60 %).

    Returns
    -------
    int
        0 the first Fresnel zone is clear to ``clear_fraction``, 1 less clear, 2 the terrain
        blocks the line of sight.
    """
    n = len(z)
    lam = C_M_S / (f_mhz * 1e6)
    ze = effective_heights(z, step, k_factor)
    ht = z[0] + h_tx
    hr = z[n - 1] + h_rx
    total = step * (n - 1)
    status = 0
    for i in range(1, n - 1):
        d1 = step * i
        d2 = total - d1
        clearance = ht + (hr - ht) * d1 / total - ze[i]
        if clearance < 0.0:
            return 2
        if clearance < clear_fraction * math.sqrt(lam * d1 * d2 / total):
            status = 1
    return status


@numba.njit(cache=True)
def _hata(d_m: float, f_mhz: float, hb: float, hm: float, env: int) -> float:
    """Okumura-Hata (150-1500 MHz) / COST-231 Hata (1500-2000 MHz) median loss (dB).

    env: 0 small/medium city, 1 large city, 2 suburban, 3 open (rural).
    """
    d_km = max(d_m / 1000.0, 1e-3)
    lf = math.log10(f_mhz)
    lhb = math.log10(max(hb, 1.0))
    if env == 1:
        if f_mhz <= 300.0:
            a_hm = 8.29 * math.log10(1.54 * hm) ** 2 - 1.1
        else:
            a_hm = 3.2 * math.log10(11.75 * hm) ** 2 - 4.97
    else:
        a_hm = (1.1 * lf - 0.7) * hm - (1.56 * lf - 0.8)
    slope = (44.9 - 6.55 * lhb) * math.log10(d_km)
    if f_mhz <= 1500.0:
        loss = 69.55 + 26.16 * lf - 13.82 * lhb - a_hm + slope
    else:
        cm = 3.0 if env == 1 else 0.0
        loss = 46.3 + 33.9 * lf - 13.82 * lhb - a_hm + slope + cm
    if env == 2:
        loss -= 2.0 * math.log10(f_mhz / 28.0) ** 2 + 5.4
    elif env == 3:
        loss -= 4.78 * lf * lf - 18.33 * lf + 40.94
    return max(loss, _fspl(d_m, f_mhz))


@numba.njit(cache=True)
def profile_loss(
    code: int,
    params: NDArray[np.float64],
    z: NDArray[np.float64],
    step: float,
    h_tx: float,
    h_rx: float,
    f_mhz: float,
) -> tuple[float, int, int]:
    """Basic transmission loss of one model over one profile.

    Parameters
    ----------
    code
        The model: :data:`FSPL`, :data:`LOS`, :data:`KNIFE`, :data:`DEYGOUT`,
        :data:`BULLINGTON`, :data:`HATA` or :data:`ITM`.
    params
        The model's parameter vector, as its ``kernel()`` gives it (for ITM
        :meth:`coverage.radio.itm.ItmSettings.kernel_params`).
    z
        Ground elevations (m), evenly spaced, transmitter at index 0.
    step
        Distance between samples (m).
    h_tx, h_rx
        Antenna heights above ground (m).
    f_mhz
        Frequency (MHz).

    Returns
    -------
    tuple[float, int, int]
        (loss dB, status, ITM warning bits). ``status`` is the ITM mode + 10 x path
        geometry for ITM, the LOS status (0 clear, 1 Fresnel-obstructed, 2 blocked) for
        the line-of-sight model and 0 otherwise. The loss is NaN on an ITM error.
    """
    n = len(z)
    d = step * (n - 1)
    fs = _fspl(d, f_mhz)
    if code == FSPL or n < 3:
        return fs, 0, 0
    if code == LOS:
        st = los_status(z, step, h_tx, h_rx, f_mhz, params[0], params[3])
        if st == 0:
            return fs, 0, 0
        if st == 1:
            return fs + params[1], 1, 0
        return fs + params[2], 2, 0
    if code == KNIFE or code == DEYGOUT or code == BULLINGTON:  # noqa: SIM109 (numba)
        return fs + _diffraction_db(z, step, h_tx, h_rx, f_mhz, params[0], code), 0, 0
    if code == HATA:
        return _hata(d, f_mhz, h_tx, h_rx, int(params[0])), 0, 0
    loss, _fs, _aref, _vmed, mode, warn, err = itm_p2p_core(z, step, h_tx, h_rx, f_mhz, params)
    if err != 0:
        return np.nan, 0, warn
    return loss, mode, warn
