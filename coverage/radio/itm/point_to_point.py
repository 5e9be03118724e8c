"""ITM point-to-point over a terrain profile: the compiled cores and the Python entry point.

Part of this project's ITM 1.2.2 (see :mod:`coverage.radio.itm` for the model, its
references and its tests): G. A. Hufford, "The ITS Irregular Terrain Model, version 1.2.2:
The Algorithm", NTIA/ITS (1995), section 3 (effective heights from the profile's horizons
and Δh) and the NTIA ``qkpfl`` driver, with ITM 1.3's system elevation for the
refractivity.

:func:`itm_point_to_point` checks its inputs and runs :func:`itm_p2p_core` on one profile;
:func:`itm_p2p_heights` runs several transmitter heights on one profile for the area
kernels of :mod:`coverage.radio._kernels.prediction`, computing the refractivity, the
receiver horizon and (when its fit interval is the same) Δh once. It allocates nothing
(:data:`coverage.radio._kernels.NO_REFCOUNT`); the core allocates its scratch arrays.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike, NDArray

from coverage.errors import InputError
from coverage.radio._kernels import NO_REFCOUNT, numba
from coverage.radio.itm.attenuation import _longley_rice
from coverage.radio.itm.horizons import (
    RadialTables,
    _direct_ray,
    _horizon_pair,
    _horizon_scans,
    no_radial_tables,
)
from coverage.radio.itm.profile import WORK_SIZE, _delta_h, _lls_sums, profile_sums, reciprocals
from coverage.radio.itm.settings import ItmResult, ItmSettings, _check_terminals, _result
from coverage.radio.itm.terms import PathTerms, _input_warnings, _refractivity, path_terms
from coverage.radio.itm.variability import _variability


@numba.njit(**NO_REFCOUNT)
def _effective_heights(
    z: NDArray[np.float64],
    sums: NDArray[np.float64],
    np_: int,
    xi: float,
    h0: float,
    h1: float,
    horizons: tuple[float, float, float, float],
    fit_span: tuple[float, float],
    dh: float,
    a_e: float,
) -> tuple[float, float, float, float, float, float]:
    """Effective heights he0, he1 and the horizons (th0, dl0, th1, dl1) ITM takes for them
    [Algorithm §3, NTIA ``qlrpfl``]: on a line-of-sight path (horizons farther than 1.5 d
    together) the smooth-earth horizons of the heights above the least-squares line over
    ``fit_span`` (d_start, d_end); otherwise the terrain horizons, with the heights above
    the lines fitted out to 0.9 of each horizon distance. Returns (he0, he1, th0, dl0, th1,
    dl1)."""
    d = np_ * xi
    th0, dl0, th1, dl1 = horizons
    d_start, d_end = fit_span
    if dl0 + dl1 > 1.5 * d:
        fit_tx, fit_rx = _lls_sums(z, sums, np_, xi, d_start, d_end)
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
        fit_tx, _dummy = _lls_sums(z, sums, np_, xi, d_start, 0.9 * dl0)
        he0 = h0 + max(z[0] - fit_tx, 0.0)
        _dummy, fit_rx = _lls_sums(z, sums, np_, xi, d - 0.9 * dl1, d_end)
        he1 = h1 + max(z[np_] - fit_rx, 0.0)
    return he0, he1, th0, dl0, th1, dl1


@numba.njit(**NO_REFCOUNT)
def _p2p_height(
    z: NDArray[np.float64],
    sums: NDArray[np.float64],
    np_: int,
    xi: float,
    h0: float,
    h1: float,
    horizons: tuple[float, float, float, float],
    terms: PathTerms,
    refraction: tuple[float, float, float],
    work: NDArray[np.float64],
    dh_key: NDArray[np.float64],
) -> tuple[float, float, float, float, int, int, int]:
    """ITM point-to-point for one tx height, given the path's ``refraction`` (N_s, gamma_e,
    a_e: :func:`_refractivity`) and the ``horizons`` (th0, dl0, th1, dl1) of
    :func:`_horizon_pair`.

    ``dh_key`` (3 floats: d_start, d_end, Δh) caches Δh between heights of one profile;
    set dh_key[0] to NaN before the first height.
    """
    ft = terms.ft
    n_s, gamma_e, a_e = refraction
    warn = _input_warnings(h0, h1, ft[0])
    d = np_ * xi
    dl0, dl1 = horizons[1], horizons[3]
    d_start = min(15.0 * h0, 0.1 * dl0)
    d_end = d - min(15.0 * h1, 0.1 * dl1)
    if dh_key[0] == d_start and dh_key[1] == d_end:
        dh = dh_key[2]
    else:
        dh = _delta_h(z, np_, xi, d_start, d_end, work)
        dh_key[0] = d_start
        dh_key[1] = d_end
        dh_key[2] = dh
    he0, he1, th0, dl0, th1, dl1 = _effective_heights(
        z, sums, np_, xi, h0, h1, horizons, (d_start, d_end), dh, a_e
    )
    a_ref, mode, w2, err = _longley_rice(
        th0, th1, ft, terms.zg, dl0, dl1, he0, he1, gamma_e, n_s, dh, h0, h1, d, True
    )
    warn |= w2
    # path geometry as NTIA's qkpfl reports it: 0 line of sight, 1 single, 2 double horizon
    q = d - (dl0 + dl1)
    q = max(q - 0.5 * xi, 0.0) - max(-q - 0.5 * xi, 0.0)
    geometry = 0 if q < 0.0 else (1 if q == 0.0 else 2)
    mode = mode + 10 * geometry
    a_fs = 32.45 + ft[3] + 20.0 * math.log10(d / 1000.0)
    if err != 0:
        return np.nan, a_fs, np.nan, np.nan, 0, warn, err
    var, v_med, w3 = _variability(
        terms.z_t, terms.z_l, terms.z_s, he0, he1, dh, ft, d, a_ref, terms.climate, terms.mdvar
    )
    return a_fs + var, a_fs, a_ref, v_med, mode, warn | w3, 0


@numba.njit(**NO_REFCOUNT)
def itm_p2p_heights(
    z: NDArray[np.float64],
    sums: NDArray[np.float64],
    recip: NDArray[np.float64],
    np_: int,
    xi: float,
    h0s: NDArray[np.float64],
    h1: float,
    terms: PathTerms,
    work: NDArray[np.float64],
    tables: RadialTables,
    loss: NDArray[np.float64],
    status: NDArray[np.int64],
    warn: NDArray[np.int64],
) -> None:
    """Compiled ITM point-to-point on profile z[0..np_] for several tx heights.

    The refractivity, the rx horizon and (where the end points of its fit coincide) Δh
    are computed once for all heights; the rx horizon only if a tx horizon blocks the
    direct ray at some height, and only over the samples that can be it. Allocates
    nothing.

    Parameters
    ----------
    z
        Ground elevations (m), evenly spaced, transmitter at index 0; samples 0..np_ are
        the path.
    sums
        :func:`~coverage.radio.itm.profile.profile_sums` of ``z`` up to index ``np_ + 1`` at
        least (those of a longer profile that starts with z[0..np_] serve as well).
    recip
        :func:`~coverage.radio.itm.profile.reciprocals` of at least ``np_ + 1``.
    np_
        Index of the receiver's sample (the path has np_ intervals).
    xi
        Distance between samples (m).
    h0s
        Transmitter heights above ground (m).
    h1
        Receiver height above ground (m).
    terms
        :func:`~coverage.radio.itm.terms.path_terms` of the frequency and settings,
        computed once per prediction.
    work
        Scratch of :data:`~coverage.radio.itm.profile.WORK_SIZE` + 3 floats.
    tables
        :func:`~coverage.radio.itm.horizons.radial_tables` of a radial that starts with
        z[0..np_] (they speed up the horizon scans), or
        :func:`~coverage.radio.itm.horizons.no_radial_tables`.
    loss, status, warn
        Written per height: the loss (dB; NaN on an ITM error), mode + 10 x geometry and
        the warning bits.
    """
    if np_ < 2 or not xi > 0.0:
        for h in range(len(h0s)):
            loss[h] = np.nan
            status[h] = 0
            warn[h] = 0
        return
    refraction = _refractivity(sums, np_, terms.n_0, terms.h_sys)
    a_e = refraction[2]
    # until the loop below, loss[h] and status[h] hold each height's tx horizon
    rx_best, rx_best_d = _horizon_scans(z, recip, np_, xi, h0s, h1, a_e, tables, loss, status)
    dh_key = work[WORK_SIZE : WORK_SIZE + 3]
    dh_key[0] = np.nan
    for h in range(len(h0s)):
        _th0, th1 = _direct_ray(z, np_, xi, h0s[h], h1, a_e)
        horizons = _horizon_pair(sums, np_ * xi, loss[h], status[h], th1, rx_best, rx_best_d)
        lo, _fs, _aref, _vmed, mode, wb, _err = _p2p_height(
            z, sums, np_, xi, h0s[h], h1, horizons, terms, refraction, work, dh_key
        )
        loss[h] = lo
        status[h] = mode
        warn[h] = wb


@numba.njit(cache=True, error_model="numpy")
def itm_p2p_core(
    z: NDArray[np.float64],
    xi: float,
    h0: float,
    h1: float,
    f_mhz: float,
    params: NDArray[np.float64],
) -> tuple[float, float, float, float, int, int, int]:
    """Compiled ITM point-to-point on one profile.

    Parameters
    ----------
    z
        np + 1 ground elevations (m), evenly spaced, transmitter at index 0.
    xi
        Distance between samples (m).
    h0, h1
        Antenna heights above ground (m) of the transmitter and the receiver.
    f_mhz
        Frequency (MHz).
    params
        :meth:`ItmSettings.kernel_params` (a NaN system elevation takes ITM 1.3's mean of
        the profile without its first and last 10 %).

    Returns
    -------
    tuple[float, float, float, float, int, int, int]
        (A dB, A_fs dB, A_ref dB, V_med dB, mode + 10 x geometry, warning bits, error code);
        on an error A is NaN. ``mode`` is ITM's (1 line of sight, 2 diffraction,
        3 troposcatter), ``geometry`` NTIA ``qkpfl``'s path type (0 line of sight, 1 single
        horizon, 2 double horizon).
    """
    np_ = len(z) - 1
    if np_ < 2 or not xi > 0.0:
        return np.nan, np.nan, np.nan, np.nan, 0, 0, 5
    terms = path_terms(f_mhz, params)
    sums = np.empty((3, np_ + 2))
    profile_sums(z, np_ + 1, xi, sums)
    recip = reciprocals(np_ + 1)
    refraction = _refractivity(sums, np_, terms.n_0, terms.h_sys)
    a_e = refraction[2]
    th0, best = np.empty(1), np.empty(1, dtype=np.int64)
    rx_best, rx_best_d = _horizon_scans(
        z, recip, np_, xi, np.array([h0]), h1, a_e, no_radial_tables(), th0, best
    )
    th1 = _direct_ray(z, np_, xi, h0, h1, a_e)[1]
    horizons = _horizon_pair(sums, np_ * xi, th0[0], best[0], th1, rx_best, rx_best_d)
    work = np.empty(WORK_SIZE + 3)
    dh_key = work[WORK_SIZE : WORK_SIZE + 3]
    dh_key[0] = np.nan
    return _p2p_height(z, sums, np_, xi, h0, h1, horizons, terms, refraction, work, dh_key)


def itm_point_to_point(
    elevation_m: ArrayLike,
    spacing_m: float,
    *,
    tx_height_m: float,
    rx_height_m: float,
    f_mhz: float,
    settings: ItmSettings = ItmSettings(),  # noqa: B008 (frozen, so immutable)
) -> ItmResult:
    """ITM point-to-point basic transmission loss over a terrain profile.

    Parameters
    ----------
    elevation_m
        Terrain elevations (m) at evenly spaced points, transmitter at index 0.
    spacing_m
        Distance between profile points (m).
    tx_height_m, rx_height_m
        Antenna heights above ground (m), 0.5-3000.
    f_mhz
        Frequency (MHz), 20-20,000.
    settings
        Ground, refractivity, climate, mode of variability and quantiles; the default is
        ITM's average ground (vertical polarization) under :data:`N0_ANDES`, equatorial
        climate, mdvar 1 and medians.

    Returns
    -------
    ItmResult
        Loss, free-space loss, A_ref, mode and warnings (never dropped).

    Raises
    ------
    InputError
        Heights, frequency or profile outside ITM's hard limits, or ITM's own errors (e.g.
        N_s outside 150-400).
    """
    _check_terminals(tx_height_m, rx_height_m, f_mhz)
    z = np.ascontiguousarray(elevation_m, dtype=np.float64)
    if z.ndim != 1 or z.size < 3 or not np.isfinite(z).all() or not spacing_m > 0:
        msg = (
            f"ITM needs a 1-D profile of at least 3 finite elevations and a positive spacing; "
            f"got {z.size} points, spacing {spacing_m} m."
        )
        raise InputError(msg)
    out = itm_p2p_core(
        z,
        float(spacing_m),
        float(tx_height_m),
        float(rx_height_m),
        float(f_mhz),
        settings.kernel_params(),
    )
    return _result(out, area=False)
