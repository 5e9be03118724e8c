"""What every path of one ITM prediction shares or checks first, compiled.

Part of this project's ITM 1.2.2 (see :mod:`coverage.radio.itm` for the model and its tests):
G. A. Hufford, "The ITS Irregular Terrain Model, version 1.2.2: The Algorithm", NTIA/ITS
(1995), and the NTIA set-up ``qlrps``: the ground's transfer impedance
(:func:`ground_impedance`), the surface refractivity and effective earth curvature of a
path (``_refractivity``, with ITM 1.3's system elevation) and the warning bits of the
terminal heights and frequency.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from coverage.radio._kernels import NO_REFCOUNT, numba

_GAMMA_A = 157e-9  # actual earth curvature (1/m)


@numba.njit(cache=True, error_model="numpy")
def ground_impedance(f_mhz: float, pol: int, eps: float, sigma: float) -> complex:
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
