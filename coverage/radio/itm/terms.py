"""What every path of one ITM prediction shares or checks first, compiled.

Part of this project's ITM 1.2.2 (see :mod:`coverage.radio.itm` for the model and its tests):
G. A. Hufford, "The ITS Irregular Terrain Model, version 1.2.2: The Algorithm", NTIA/ITS
(1995), and NTIA's set-up (``qlrps``, the first part of ``avar``): :class:`PathTerms`, the
terms that depend only on the frequency and the :class:`~coverage.radio.itm.ItmSettings`
(:func:`path_terms` computes them once per prediction), with the ground's transfer
impedance (:func:`ground_impedance`); the surface refractivity and effective earth
curvature of a path (``_refractivity``, with ITM 1.3's system elevation); the warning bits
of the terminal heights and frequency.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

from coverage.radio._kernels import NO_REFCOUNT, numba
from coverage.radio.itm.variability import deviates, frequency_terms

_GAMMA_A = 157e-9  # actual earth curvature (1/m)


class PathTerms(NamedTuple):
    """What every path of one prediction shares (a named tuple numba compiles as a struct).

    Attributes
    ----------
    z_t, z_l, z_s
        Standard normal deviates of the time, location and situation quantiles
        (:func:`~coverage.radio.itm.variability.deviates`; dimensionless).
    ft
        :func:`~coverage.radio.itm.variability.frequency_terms` of the frequency.
    zg
        Ground transfer impedance (dimensionless, complex; :func:`ground_impedance`).
    n_0
        Sea-level surface refractivity (N-units).
    h_sys
        System elevation (m) for the refractivity scaling; NaN: the profile's mean.
    climate
        Radio climate code 1-7.
    mdvar
        Mode of variability.
    """

    z_t: float
    z_l: float
    z_s: float
    ft: tuple[float, float, float, float, float, float]
    zg: complex
    n_0: float
    h_sys: float
    climate: int
    mdvar: int


@numba.njit(cache=True, error_model="numpy")
def path_terms(f_mhz: float, params: NDArray[np.float64]) -> PathTerms:
    """The terms every path at one frequency and settings shares, as NTIA's set-up has them.

    Parameters
    ----------
    f_mhz
        Frequency (MHz).
    params
        :meth:`~coverage.radio.itm.ItmSettings.kernel_params` of the settings.

    Returns
    -------
    PathTerms
        The quantile deviates, frequency terms, ground impedance and the settings the
        compiled point-to-point and area cores read.
    """
    z_t, z_l, z_s = deviates(params[7], params[8], params[9])
    zg = ground_impedance(f_mhz, int(params[0]), params[1], params[2])
    ft = frequency_terms(f_mhz)
    return PathTerms(z_t, z_l, z_s, ft, zg, params[3], params[4], int(params[5]), int(params[6]))


@numba.njit(cache=True, error_model="numpy")
def ground_impedance(f_mhz: float, pol: int, eps: float, sigma: float) -> complex:
    """The ground's transfer impedance Z_g, as NTIA's ``qlrps`` computes it.

    Parameters
    ----------
    f_mhz
        Frequency (MHz).
    pol
        Polarization: 0 horizontal, 1 vertical.
    eps
        Relative permittivity of the ground (dimensionless).
    sigma
        Ground conductivity (S/m).

    Returns
    -------
    complex
        Z_g (dimensionless).
    """
    ep_r = complex(eps, 18000.0 * sigma / f_mhz)
    zg = np.sqrt(ep_r - 1.0)
    if pol == 1:
        zg = zg / ep_r
    return zg


@numba.njit(cache=True, error_model="numpy")
def _input_warnings(h0: float, h1: float, f_mhz: float) -> int:
    warn = 0
    if h0 < 1.0 or h0 > 1000.0:
        warn |= 0x0001
    if h1 < 1.0 or h1 > 1000.0:
        warn |= 0x0002
    if f_mhz < 40.0 or f_mhz > 10000.0:
        warn |= 0x0004
    return warn


@numba.njit(**NO_REFCOUNT)
def _refractivity(
    sums: NDArray[np.float64], np_: int, n_0: float, h_sys: float
) -> tuple[float, float, float]:
    """N_s, gamma_e and a_e of the path (the same for every tx height); ``h_sys`` NaN: ITM
    1.3's mean of the profile without its first and last 10 %, from the prefix sums."""
    if math.isnan(h_sys):
        p10 = int(0.1 * np_)
        h_sys = (sums[0, np_ - p10 + 1] - sums[0, p10]) / (np_ - 2 * p10 + 1)
    n_s = n_0 if h_sys == 0.0 else n_0 * math.exp(-h_sys / 9460.0)
    gamma_e = _GAMMA_A * (1.0 - 0.04665 * math.exp(n_s / 179.3))
    return n_s, gamma_e, 1.0 / gamma_e
