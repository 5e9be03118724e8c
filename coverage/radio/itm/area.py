"""ITM area mode: loss at a distance over terrain described by Δh alone, compiled core and
its Python entry point.

Part of this project's ITM 1.2.2 (see :mod:`coverage.radio.itm` for the model, its
references and its tests): G. A. Hufford, A. G. Longley, W. A. Kissick, "A guide to the use
of the ITS Irregular Terrain Model in the area prediction mode", NTIA Report 82-100 (1982),
and the NTIA ``qkarea`` driver: effective heights from the siting criteria, horizons from
the smooth-earth distances.
"""

from __future__ import annotations

import math

import numpy as np

from coverage.errors import InputError
from coverage.radio._kernels import numba
from coverage.radio.itm.attenuation import _longley_rice
from coverage.radio.itm.settings import N0_ANDES, ItmResult, _check_common, _result
from coverage.radio.itm.terms import _GAMMA_A, _input_warnings, ground_impedance
from coverage.radio.itm.variability import _variability, deviates, frequency_terms


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
    zg = ground_impedance(f_mhz, pol, eps, sigma)
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
