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
from numpy.typing import NDArray

from coverage.errors import InputError
from coverage.radio._kernels import numba
from coverage.radio.itm.attenuation import _longley_rice
from coverage.radio.itm.settings import ItmResult, ItmSettings, _check_terminals, _result
from coverage.radio.itm.terms import _GAMMA_A, _input_warnings, path_terms
from coverage.radio.itm.variability import _variability


@numba.njit(cache=True)
def itm_area_core(
    d: float,
    dh: float,
    h0: float,
    h1: float,
    site0: int,
    site1: int,
    f_mhz: float,
    params: NDArray[np.float64],
) -> tuple[float, float, float, float, int, int, int]:
    """Compiled ITM area mode: no profile, only Δh and the siting criteria.

    Parameters
    ----------
    d
        Path length (m).
    dh
        Terrain irregularity Δh (m).
    h0, h1
        Antenna heights above ground (m) of the transmitter and the receiver.
    site0, site1
        Their siting criteria: 0 random, 1 careful, 2 very careful.
    f_mhz
        Frequency (MHz).
    params
        :meth:`ItmSettings.kernel_params` (the system elevation is not used: N_s = n0).

    Returns
    -------
    tuple[float, float, float, float, int, int, int]
        As :func:`~coverage.radio.itm.point_to_point.itm_p2p_core`, with the mode alone
        (no path geometry).
    """
    terms = path_terms(f_mhz, params)
    warn = _input_warnings(h0, h1, f_mhz)
    n_s = terms.n_0
    gamma_e = _GAMMA_A * (1.0 - 0.04665 * math.exp(n_s / 179.3))
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
    ft = terms.ft
    a_ref, mode, w2, err = _longley_rice(
        th[0], th[1], ft, terms.zg, dl[0], dl[1], he[0], he[1], gamma_e, n_s, dh, h0, h1, d, False
    )
    warn |= w2
    a_fs = 32.45 + ft[3] + 20.0 * math.log10(d / 1000.0)
    if err != 0:
        return np.nan, a_fs, np.nan, np.nan, 0, warn, err
    var, v_med, w3 = _variability(
        terms.z_t, terms.z_l, terms.z_s, he[0], he[1], dh, ft, d, a_ref, terms.climate, terms.mdvar
    )
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
    settings: ItmSettings = ItmSettings(),  # noqa: B008 (frozen, so immutable)
) -> ItmResult:
    """ITM area mode: loss at a distance over terrain described only by Δh.

    Parameters
    ----------
    distance_m
        Path length (m), > 0.
    delta_h_m
        Terrain irregularity parameter Δh (m): 0 flat, 90 hills, 200 mountains, 500 rugged.
    tx_height_m, rx_height_m
        Antenna heights above ground (m), 0.5-3000.
    f_mhz
        Frequency (MHz), 20-20,000.
    tx_siting, rx_siting
        Siting criteria: 0 random, 1 careful, 2 very careful.
    settings
        As :func:`~coverage.radio.itm.itm_point_to_point`; area mode takes the surface
        refractivity as ``n0`` and ignores ``system_elevation_m``.

    Returns
    -------
    ItmResult
        Loss, free-space loss, A_ref, mode and warnings; ``path`` is "".

    Raises
    ------
    InputError
        Heights, frequency, distance, Δh or siting outside ITM's limits, or ITM's own
        errors.
    """
    _check_terminals(tx_height_m, rx_height_m, f_mhz)
    if (
        not distance_m > 0
        or delta_h_m < 0
        or tx_siting not in (0, 1, 2)
        or rx_siting not in (0, 1, 2)
    ):
        msg = (
            f"ITM area mode needs distance_m > 0 (got {distance_m}), delta_h_m >= 0 (got "
            f"{delta_h_m}) and siting criteria 0, 1 or 2 (got {tx_siting}, {rx_siting})."
        )
        raise InputError(msg)
    out = itm_area_core(
        float(distance_m),
        float(delta_h_m),
        float(tx_height_m),
        float(rx_height_m),
        int(tx_siting),
        int(rx_siting),
        float(f_mhz),
        settings.kernel_params(),
    )
    return _result(out, area=True)
