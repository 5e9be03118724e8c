"""ITM's radio horizons of a terrain profile, compiled: the scans and the radial tables.

Part of this project's ITM 1.2.2 (see :mod:`coverage.radio.itm` for the model, its
references and its tests): G. A. Hufford, "The ITS Irregular Terrain Model, version 1.2.2:
The Algorithm", NTIA/ITS (1995), section 3, and NTIA's ``hzns``: the horizon angles and
distances at both ends of a path.

Speed: the scans visit only the samples that can be a horizon. :func:`radial_tables` lists,
once per radial, the samples whose flat-earth angle from the transmitter beats every nearer
one (the only tx horizon candidates of every path along it) and the running maximum that
bounds the rx scan; :func:`_horizon_scans` runs the tx scans of several transmitter heights
and then one rx scan. Results are those of the full scans, bit for bit.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

from coverage.radio._kernels import NO_REFCOUNT, numba


class RadialTables(NamedTuple):
    """:func:`radial_tables` of one radial: what the horizon scans of its paths share.

    A named tuple of arrays, which numba compiles as a struct. Empty arrays
    (:func:`no_radial_tables`) stand for none: the scans then visit every sample.

    Attributes
    ----------
    zmax
        ``zmax[i]``: the highest elevation (m) of samples 1..i.
    records
        ``records[h, :n_records[h]]``: the samples that may be the tx horizon of a path
        along the radial from the transmitter at height ``h0s[h]``, ascending.
    n_records
        How many samples each row of ``records`` holds.
    """

    zmax: NDArray[np.float64]
    records: NDArray[np.int64]
    n_records: NDArray[np.int64]


@numba.njit(cache=True)
def radial_table_buffers(n: int, n_heights: int) -> RadialTables:
    """Room for the :func:`radial_tables` of a radial.

    Parameters
    ----------
    n
        The most samples of a radial.
    n_heights
        How many transmitter heights.

    Returns
    -------
    RadialTables
        Uninitialised arrays of the sizes :func:`radial_tables` fills.
    """
    return RadialTables(
        np.empty(n), np.empty((n_heights, n), dtype=np.int64), np.empty(n_heights, dtype=np.int64)
    )


@numba.njit(cache=True)
def no_radial_tables() -> RadialTables:
    """Empty tables, for a profile that is no radial's: the horizon scans visit every sample.

    Returns
    -------
    RadialTables
        Arrays of size 0, of the types :func:`radial_table_buffers` gives.
    """
    return RadialTables(np.empty(0), np.empty((0, 0), dtype=np.int64), np.empty(0, dtype=np.int64))


@numba.njit(cache=True, error_model="numpy")
def exact_steps(xi: float, np_: int) -> bool:
    """Whether ``k * xi`` is exact in float64 for every k <= np_ (xi a multiple of 2**-30 with
    few enough bits, e.g. 30.0): then NTIA's distances accumulated step by step are ``k * xi``.

    Parameters
    ----------
    xi
        Distance between profile samples (m).
    np_
        Intervals of the path (the rx is sample ``np_``; path length ``np_ * xi``).

    Returns
    -------
    bool
        True when every multiple up to ``np_ * xi`` is exact.
    """
    m = xi * 1073741824.0
    return m == math.floor(m) and m * np_ < 9007199254740992.0


@numba.njit(cache=True, error_model="numpy")
def radial_tables(
    z: NDArray[np.float64],
    n: int,
    xi: float,
    recip: NDArray[np.float64],
    h0s: NDArray[np.float64],
    tables: RadialTables,
) -> None:
    """Fill ``tables`` with what the horizon scans of all paths along one radial share.

    ``zmax[i]`` is the highest of z[1..i] (bounds the rx horizon scan, see
    :func:`_rx_horizon`). ``records[h, :n_records[h]]`` are the samples i >= 1, ascending,
    whose flat-earth elevation angle from the tx at height ``h0s[h]``,
    ``(z[i] - z[0] - h0) / (i xi)``, beats that of every nearer sample: a sample that does
    not can never be the tx horizon of any path along the radial, whatever the earth
    curvature (its angle is no higher and its curvature drop no smaller), so the scans of
    :func:`_tx_horizon` visit only these.

    Parameters
    ----------
    z
        The radial's ground elevations (m), transmitter at index 0.
    n
        How many samples of ``z`` the radial has.
    xi
        Distance between samples (m).
    recip
        :func:`~coverage.radio.itm.profile.reciprocals` of at least ``n``.
    h0s
        Transmitter heights above ground (m).
    tables
        :func:`radial_table_buffers` of at least ``n`` samples and ``len(h0s)`` heights;
        filled in place.
    """
    zmax, records, n_records = tables
    top = -math.inf
    zmax[0] = -math.inf
    for i in range(1, n):
        top = max(top, z[i])
        zmax[i] = top
    inv_xi = 1.0 / xi
    for h in range(len(h0s)):
        z_tx = z[0] + h0s[h]
        best = -math.inf
        count = 0
        for i in range(1, n):
            a = (z[i] - z_tx) * recip[i] * inv_xi
            if a > best:
                best = a
                records[h, count] = i
                count += 1
        n_records[h] = count


@numba.njit(**NO_REFCOUNT)
def _rx_horizon(
    z: NDArray[np.float64],
    recip: NDArray[np.float64],
    np_: int,
    xi: float,
    z_rx: float,
    drop: float,
    zmax: NDArray[np.float64],
    first: int,
    floor: float,
) -> tuple[float, float]:
    """The highest elevation angle from the rx over z[first..np_ - 1], if above ``floor``,
    and its distance; (``floor``, path length) when none rises above it.

    The angle of sample i is ``(z[i] - z_rx) / d - d / (2 a_e)`` at d = (np_ - i) xi
    (``drop`` = xi / (2 a_e)); the first (tx-most) of equal maxima wins, as in NTIA's
    ``hzns``, which also accumulates the distance by subtracting xi step by step.

    ``hzns`` looks for an rx horizon only on a path whose direct ray a sample blocks, and
    only among samples above that ray, so callers pass the ray's angle at the rx as
    ``floor`` and the tx horizon's sample as ``first``: with the earth's bulge added to
    the heights, both horizons are tangents to the profile's upper hull, and the rx
    horizon is never nearer the tx than the tx horizon on a blocked path. With
    :func:`radial_tables`' ``zmax`` (and distances that are exact multiples of xi) the scan
    runs from the rx outwards in blocks and stops once no farther sample can reach the
    best angle: none is higher than zmax, and each lies farther and drops more. Same
    result, bit for bit; otherwise the scan is NTIA's.
    """
    inv_xi = 1.0 / xi
    d = np_ * xi
    best = floor
    if len(zmax) == 0 or drop < 0.0 or not exact_steps(xi, np_):
        best_d = d
        d_rx = d  # accumulated as NTIA's hzns does: the fit intervals hang on it
        for i in range(1, np_):
            d_rx -= xi
            if i < first:
                continue
            m = np_ - i  # d_rx = m xi, 1 / d_rx = recip[m] / xi
            t_rx = (z[i] - z_rx) * recip[m] * inv_xi - m * drop
            if t_rx > best:
                best = t_rx
                best_d = d_rx
        return best, best_d
    best_i = 0
    top = np_ - 1
    while top >= first:
        m = np_ - top  # the nearest of samples 1..top; each of them is <= zmax[top]
        if max(zmax[top] - z_rx, 0.0) * recip[m] * inv_xi - m * drop < best:
            break
        for i in range(top, max(top - 8, first - 1), -1):
            m = np_ - i
            t_rx = (z[i] - z_rx) * recip[m] * inv_xi - m * drop
            if t_rx >= best:  # >=: the nearer-to-tx of equal angles wins, as forwards
                best = t_rx
                best_i = i
        top -= 8
    return best, (np_ - best_i) * xi if best > floor else d


@numba.njit(**NO_REFCOUNT)
def _tx_horizon(
    z: NDArray[np.float64],
    recip: NDArray[np.float64],
    np_: int,
    xi: float,
    z_tx: float,
    drop: float,
    th0: float,
    records: NDArray[np.int64],
    row: int,
    n_records: int,
) -> tuple[float, int]:
    """The tx horizon: (angle, sample) of the first sample in z[1..np_ - 1] that rises
    above ``th0`` (the direct ray) highest, or (th0, 0) if none does.

    NTIA's ``hzns`` scans every sample; given :func:`radial_tables`' ``records[row]`` (the
    first ``n_records`` of them, those below np_; pass -1 without) only those can win, and
    scanning them backwards stops once a record's flat angle less the smallest drop cannot
    reach the best: the angles of records fall going back. Same result, bit for bit.
    """
    inv_xi = 1.0 / xi
    best_i = 0
    if n_records < 0 or drop < 0.0:
        for i in range(1, np_):
            t_tx = (z[i] - z_tx) * recip[i] * inv_xi - i * drop
            if t_tx > th0:
                th0 = t_tx
                best_i = i
        return th0, best_i
    best = -math.inf
    for r in range(n_records - 1, -1, -1):
        i = records[row, r]
        a = (z[i] - z_tx) * recip[i] * inv_xi
        if a - drop < best:  # every earlier record: angle <= a, drop >= 1 * drop
            break
        t_tx = a - i * drop
        if t_tx >= best:
            best = t_tx
            best_i = i
    if best_i > 0 and best > th0:
        return best, best_i
    return th0, 0


@numba.njit(**NO_REFCOUNT)
def _direct_ray(
    z: NDArray[np.float64], np_: int, xi: float, h0: float, h1: float, a_e: float
) -> tuple[float, float]:
    """Elevation angles (rad) of the direct ray at the tx and at the rx, earth curvature
    included: where NTIA's ``hzns`` starts its horizon angles."""
    d = np_ * xi
    z_tx = z[0] + h0
    z_rx = z[np_] + h1
    return (z_rx - z_tx) / d - d / (2 * a_e), -(z_rx - z_tx) / d - d / (2 * a_e)


@numba.njit(**NO_REFCOUNT)
def _horizon_pair(
    sums: NDArray[np.float64],
    d: float,
    th0: float,
    best_i: int,
    th1: float,
    rx_best: float,
    rx_best_d: float,
) -> tuple[float, float, float, float]:
    """ITM's horizons (th0, dl0, th1, dl1) [Algorithm §3, NTIA ``hzns``] from the scans:
    :func:`_tx_horizon`'s (th0, best_i) and :func:`_rx_horizon`'s (rx_best, rx_best_d),
    ``th1`` the direct ray's angle at the rx. As in ``hzns``, the rx horizon counts only on
    a path the tx horizon blocks, and the distances are its step-by-step sums."""
    dl0 = d
    dl1 = d
    if best_i > 0:
        dl0 = sums[2, best_i]
        if rx_best > th1:
            th1 = rx_best
            dl1 = rx_best_d
    return th0, dl0, th1, dl1


@numba.njit(**NO_REFCOUNT)
def _count_below(records: NDArray[np.int64], row: int, n: int, value: int) -> int:
    """How many of the ascending records[row, :n] are below ``value``: a binary search,
    cheaper here than numba's ``np.searchsorted``."""
    lo = 0
    hi = n
    while lo < hi:
        mid = (lo + hi) >> 1
        if records[row, mid] < value:
            lo = mid + 1
        else:
            hi = mid
    return lo


@numba.njit(**NO_REFCOUNT)
def _horizon_scans(
    z: NDArray[np.float64],
    recip: NDArray[np.float64],
    np_: int,
    xi: float,
    h0s: NDArray[np.float64],
    h1: float,
    a_e: float,
    tables: RadialTables,
    th0s: NDArray[np.float64],
    best: NDArray[np.int64],
) -> tuple[float, float]:
    """The horizon scans of every tx height [Algorithm §3, NTIA ``hzns``]: the tx horizons
    first, into ``th0s`` (angle) and ``best`` (sample, 0 for none), then the rx horizon
    once, only if a tx horizon blocks the direct ray at some height and only over the
    samples that can be it (:func:`_rx_horizon`). Returns the rx scan's (angle, distance)
    for :func:`_horizon_pair`. ``tables``: :func:`radial_tables` of a radial that starts with
    z[0..np_], or :func:`no_radial_tables`."""
    zmax, records, n_records = tables
    drop = xi / (2 * a_e)
    first = np_  # the nearest tx horizon sample of the blocked heights
    floor = math.inf  # their lowest direct-ray angle at the rx
    for h in range(len(h0s)):
        th0, th1 = _direct_ray(z, np_, xi, h0s[h], h1, a_e)
        # the records below sample np_ are those the scan over z[1..np_ - 1] may meet
        below = _count_below(records, h, n_records[h], np_) if len(n_records) else -1
        th0, best_i = _tx_horizon(z, recip, np_, xi, z[0] + h0s[h], drop, th0, records, h, below)
        th0s[h] = th0
        best[h] = best_i
        if best_i > 0:
            first = min(first, best_i)
            floor = min(floor, th1)
    if first < np_:
        return _rx_horizon(z, recip, np_, xi, z[np_] + h1, drop, zmax, first, floor)
    return -math.inf, np_ * xi
