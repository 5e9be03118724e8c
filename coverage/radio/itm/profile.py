"""ITM point-to-point over a terrain profile: horizons, Δh, effective heights, compiled.

Part of this project's ITM 1.2.2 (see :mod:`coverage.radio.itm`, which re-exports the public
names, for the model, its references and its tests): G. A. Hufford, "The ITS Irregular
Terrain Model, version 1.2.2: The Algorithm", NTIA/ITS (1995), section 3 (the profile
parameters: horizons, terrain irregularity Δh, effective heights) and the NTIA ``qkpfl``
driver, with ITM 1.3's system elevation for the refractivity.

Speed: nothing here allocates per path except :func:`itm_p2p_core` (scratch arrays), so
the per-path functions are compiled without numba's reference counting
(:data:`NO_REFCOUNT`). :func:`itm_p2p_heights` runs several transmitter heights on one
profile, computing the refractivity, the receiver horizon and (when its fit interval is
the same) Δh once. The least-squares fits and the system elevation come from prefix sums
(:func:`profile_sums`) in O(1), so the paths along one radial (its samples 0..j for every
j) share one pass.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from coverage.radio._kernels import NO_REFCOUNT, numba
from coverage.radio.itm.attenuation import _longley_rice
from coverage.radio.itm.variability import _variability, deviates, frequency_terms

_GAMMA_A = 157e-9  # actual earth curvature (1/m)
#: Bins of the Δh decile search; a power of two (the bin index is masked with _N_BINS - 1).
_N_BINS = 64
#: Scratch length (floats) the core needs beside the profile: Δh resamples to <= 245 points.
WORK_SIZE = 4 * 245 + 2 * _N_BINS


# ---------------------------------------------------------------------------------------------
# compiled core
# ---------------------------------------------------------------------------------------------
@numba.njit(cache=True, error_model="numpy")
def profile_sums(z: NDArray[np.float64], n: int, xi: float, sums: NDArray[np.float64]) -> None:
    """Prefix sums of a profile for O(1) least-squares fits: fills ``sums[:3, :n + 1]``.

    ``sums[0, k]`` is the sum of ``z[i]`` and ``sums[1, k]`` that of ``i * z[i]`` over
    ``i < k``; ``sums[2, k]`` is the distance of sample ``k`` as NTIA's ``hzns`` gets it,
    ``xi`` added ``k`` times (its rounding decides ties in the fit intervals). Sums of a
    profile are also those of every profile it starts (a radial's samples 0..j), which is
    what lets one radial serve all the paths along it.
    """
    a = 0.0
    b = 0.0
    d = 0.0
    sums[0, 0] = 0.0
    sums[1, 0] = 0.0
    sums[2, 0] = 0.0
    for i in range(n):
        a += z[i]
        b += i * z[i]
        d += xi
        sums[0, i + 1] = a
        sums[1, i + 1] = b
        sums[2, i + 1] = d


@numba.njit(cache=True, error_model="numpy")
def reciprocals(n: int) -> NDArray[np.float64]:
    """``1 / m`` for m = 0 .. n - 1 (0 at m = 0): the horizon scans multiply, not divide."""
    out = np.zeros(n)
    for m in range(1, n):
        out[m] = 1.0 / m
    return out


@numba.njit(cache=True, error_model="numpy")
def exact_steps(xi: float, np_: int) -> bool:
    """Whether ``k * xi`` is exact in float64 for every k <= np_ (xi a multiple of 2**-30 with
    few enough bits, e.g. 30.0): then NTIA's distances accumulated step by step are ``k * xi``.
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
    zmax: NDArray[np.float64],
    records: NDArray[np.int64],
    n_records: NDArray[np.int64],
) -> None:
    """What the horizon scans of all paths along one radial z[0..n) share.

    ``zmax[i]`` is the highest of z[1..i] (bounds the rx horizon scan, see
    :func:`_rx_horizon`). ``records[h, :n_records[h]]`` are the samples i >= 1, ascending,
    whose flat-earth elevation angle from the tx at height ``h0s[h]``,
    ``(z[i] - z[0] - h0) / (i xi)``, beats that of every nearer sample: a sample that does
    not can never be the tx horizon of any path along the radial, whatever the earth
    curvature (its angle is no higher and its curvature drop no smaller), so the scans of
    :func:`_tx_horizon` visit only these.
    """
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


@numba.njit(cache=True, error_model="numpy")
def _lls_span(np_: int, xi: float, d_start: float, d_end: float) -> tuple[int, int]:
    """The sample indices that bound ITM's least-squares fit between two distances."""
    i_start = int(max(d_start / xi, 0.0))
    i_end = np_ - int(max(np_ - d_end / xi, 0.0))
    if i_end <= i_start:
        i_start = int(max(i_start - 1.0, 0.0))
        i_end = np_ - int(max(np_ - (i_end + 1.0), 0.0))
    return i_start, i_end


@numba.njit(cache=True, error_model="numpy")
def _lls_line(
    z_start: float,
    z_end: float,
    inner: float,
    inner_i: float,
    i_start: int,
    i_end: int,
    np_: int,
) -> tuple[float, float]:
    """NTIA's least-squares line (``zlsq1``) over samples i_start..i_end, from sums.

    The end samples count half; ``inner`` and ``inner_i`` are the sums of ``z[k]`` and of
    ``k z[k]`` over the samples strictly between them. Returns the line's values at the
    path ends, samples 0 and ``np_``.
    """
    x_length = float(i_end - i_start)
    mid = -0.5 * x_length
    mid_end = i_end + mid
    sum_y = (0.5 * (z_start + z_end) + inner) / x_length
    scaled = 0.5 * (z_start - z_end) * mid + (mid - i_start) * inner + inner_i
    scaled = scaled * 12.0 / ((x_length * x_length + 2.0) * x_length)
    return sum_y - scaled * mid_end, sum_y + scaled * (np_ - mid_end)


@numba.njit(**NO_REFCOUNT)
def _lls_sums(
    z: NDArray[np.float64],
    sums: NDArray[np.float64],
    np_: int,
    xi: float,
    d_start: float,
    d_end: float,
) -> tuple[float, float]:
    """Least-squares line over z[0..np_] between two distances, from :func:`profile_sums`
    in O(1); its values at both path ends."""
    i_start, i_end = _lls_span(np_, xi, d_start, d_end)
    inner = sums[0, i_end] - sums[0, i_start + 1]  # z[i_start + 1 .. i_end - 1]
    inner_i = sums[1, i_end] - sums[1, i_start + 1]
    return _lls_line(z[i_start], z[i_end], inner, inner_i, i_start, i_end, np_)


@numba.njit(**NO_REFCOUNT)
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


@numba.njit(**NO_REFCOUNT)
def _order_statistics(
    s: NDArray[np.float64],
    n: int,
    k_a: int,
    k_b: int,
    lo: float,
    hi: float,
    scratch: NDArray[np.int64],
    pool_a: NDArray[np.float64],
    pool_b: NDArray[np.float64],
) -> tuple[float, float]:
    """The k_a-th and k_b-th smallest (0-based) of s[0..n), exactly, without sorting.

    ``lo`` < ``hi`` are the values' minimum and maximum. Values go to :data:`_N_BINS` equal
    bins, ``(_N_BINS - 0.5) / (hi - lo)`` per unit, so that the bin index stays below
    _N_BINS without a clamp, and non-negative: indexing needs no bounds fix-up. The bin
    index is monotone in the value, so the k-th value lies in the bin where the running
    count passes k, and a quickselect over that bin's few values finds it. The counting pass also chains each bin's values (``head`` and
    ``after``), so gathering a bin walks only its own values. ``scratch`` (``n + 2 _N_BINS``
    integers), ``pool_a`` and ``pool_b`` are scratch.
    """
    top = _N_BINS - 1
    scale = (_N_BINS - 0.5) / (hi - lo)
    counts = scratch[:_N_BINS]
    head = scratch[_N_BINS : 2 * _N_BINS]
    after = scratch[2 * _N_BINS : 2 * _N_BINS + n]
    counts[:] = 0
    head[:] = -1
    for j in range(n):
        b = int((s[j] - lo) * scale) & top  # in 0..top already (the mask only proves it)
        after[j] = head[b]
        head[b] = j
        counts[b] += 1
    below_a = 0
    bin_a = 0
    while below_a + counts[bin_a] <= k_a:
        below_a += counts[bin_a]
        bin_a += 1
    below_b = 0
    bin_b = 0
    while below_b + counts[bin_b] <= k_b:
        below_b += counts[bin_b]
        bin_b += 1
    m_a = 0
    j = head[bin_a]
    while j >= 0:
        pool_a[m_a] = s[j]
        m_a += 1
        j = after[j]
    m_b = 0
    j = head[bin_b]
    while j >= 0:
        pool_b[m_b] = s[j]
        m_b += 1
        j = after[j]
    return _kth_smallest(pool_a[:m_a], k_a - below_a), _kth_smallest(pool_b[:m_b], k_b - below_b)


@numba.njit(cache=True, fastmath=True, error_model="numpy")
def _resample(
    z: NDArray[np.float64], top: int, x_start: float, step: float, n: int, s: NDArray[np.float64]
) -> tuple[float, float]:
    """s[j] = z linearly interpolated at sample position x_start + j step, for j < n;
    returns the sums of s[j] and of j s[j] (for the least-squares line).

    Position x takes samples floor(x) and floor(x) + 1 (the last pair beyond the profile's
    end), the same line as NTIA's ceil(x) - 1 and ceil(x). fastmath lets LLVM reorder the
    sums (profiles are finite); the loop stays scalar (its loads are gathers).
    """
    sum_all = 0.0
    sum_w = 0.0
    t = 0.0  # = j exactly, counted in floats: no integer conversion per point
    for j in range(n):
        x = x_start + t * step
        i = min(max(int(x), 0), top)
        v = z[i] + (z[i + 1] - z[i]) * (x - i)
        s[j] = v
        sum_all += v
        sum_w += t * v
        t += 1.0
    return sum_all, sum_w


@numba.njit(cache=True, fastmath=True, error_model="numpy")
def _detrend(s: NDArray[np.float64], n: int, fit1: float, slope: float) -> tuple[float, float]:
    """s[j] -= fit1 + j slope for j < n, in place; returns the new minimum and maximum.

    fastmath lets LLVM fuse the line into a multiply-add (no NaN reaches it: profiles are
    finite); the loop stays scalar, as numba 0.68's LLVM does not vectorise min/max
    reductions.
    """
    lo = math.inf
    hi = -math.inf
    t = 0.0  # = j exactly, counted in floats: no integer conversion per point
    for j in range(n):
        v = s[j] - (fit1 + t * slope)
        s[j] = v
        lo = min(lo, v)
        hi = max(hi, v)
        t += 1.0
    return lo, hi


@numba.njit(**NO_REFCOUNT)
def _delta_h(
    z: NDArray[np.float64],
    np_: int,
    xi: float,
    d_start: float,
    d_end: float,
    work: NDArray[np.float64],
) -> float:
    """Terrain irregularity Δh: interdecile range of the detrended profile [Algorithm §3].

    The profile is z[0..np_]; ``work`` is scratch of :data:`WORK_SIZE` floats. The profile
    between the two distances is resampled to ``n`` points, detrended by its least-squares
    line (the sums for the fit are gathered while resampling) and the deciles are the same
    order statistics as NTIA's nth_element, found by :func:`_order_statistics`.

    NTIA's ``dlthx`` walks to each resampling point by adding the step to a running
    fraction, one sample at a time; here each point's position is x_start + j step
    directly, which frees the loop from that chain of additions (:func:`_resample`; about
    10 % of a radial path's time). The interpolated value is continuous in the position (a
    point on a sample gets that sample whichever pair it is taken from), so only rounding
    differs: at most 2e-11 dB in the loss over 20,352 real radial paths.
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
    top = np_ - 1
    sum_all, sum_w = _resample(z, top, x_start, step, n, s)
    # the least-squares line over the whole resampled profile (its ends at half weight)
    last = s[n - 1]
    fit1, fit2 = _lls_line(s[0], last, sum_all - s[0] - last, sum_w - np_s * last, 0, n - 1, n - 1)
    lo, hi = _detrend(s, n, fit1, (fit2 - fit1) / np_s)
    if not hi > lo:
        return 0.0
    # q10 is the p10-th largest value, q90 the p10-th smallest (NTIA's nth_element)
    pool_a = work[n : 2 * n]
    pool_b = work[2 * n : 3 * n]
    scratch = work[3 * n : 4 * n + 2 * _N_BINS].view(np.int64)
    q10, q90 = _order_statistics(s, n, n - p10, p10 - 1, lo, hi, scratch, pool_a, pool_b)
    dhd = q10 - q90
    return dhd / (1.0 - 0.8 * math.exp(-(d_end - d_start) / 50e3))


@numba.njit(cache=True, error_model="numpy")
def _ground_impedance(f_mhz: float, pol: int, eps: float, sigma: float) -> complex:
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
    """How many of the ascending records[row, :n] are below ``value`` (a binary search;
    numba's ``np.searchsorted`` cost about 4 % of a radial path here)."""
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
    zmax: NDArray[np.float64],
    records: NDArray[np.int64],
    n_records: NDArray[np.int64],
    th0s: NDArray[np.float64],
    best: NDArray[np.int64],
) -> tuple[float, float]:
    """The horizon scans of every tx height [Algorithm §3, NTIA ``hzns``]: the tx horizons
    first, into ``th0s`` (angle) and ``best`` (sample, 0 for none), then the rx horizon
    once, only if a tx horizon blocks the direct ray at some height and only over the
    samples that can be it (:func:`_rx_horizon`). Returns the rx scan's (angle, distance)
    for :func:`_horizon_pair`. ``zmax``, ``records``, ``n_records``: :func:`radial_tables`
    or empty arrays."""
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


@numba.njit(**NO_REFCOUNT)
def _p2p_height(
    z: NDArray[np.float64],
    sums: NDArray[np.float64],
    np_: int,
    xi: float,
    h0: float,
    h1: float,
    horizons: tuple[float, float, float, float],
    ft: tuple[float, float, float, float, float, float],
    zg: complex,
    n_s: float,
    gamma_e: float,
    a_e: float,
    climate: int,
    mdvar: int,
    z_t: float,
    z_l: float,
    z_s: float,
    work: NDArray[np.float64],
    dh_key: NDArray[np.float64],
) -> tuple[float, float, float, float, int, int, int]:
    """ITM point-to-point for one tx height, given :func:`_refractivity`'s results and the
    ``horizons`` (th0, dl0, th1, dl1) of :func:`_horizon_pair`.

    ``dh_key`` (3 floats: d_start, d_end, Δh) caches Δh between heights of one profile;
    set dh_key[0] to NaN before the first height.
    """
    f_mhz = ft[0]
    warn = _input_warnings(h0, h1, f_mhz)
    d = np_ * xi
    th0, dl0, th1, dl1 = horizons

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

    a_ref, mode, w2, err = _longley_rice(
        th0, th1, ft, zg, dl0, dl1, he0, he1, gamma_e, n_s, dh, h0, h1, d, True
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
    var, v_med, w3 = _variability(z_t, z_l, z_s, he0, he1, dh, ft, d, a_ref, climate, mdvar)
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
    ft: tuple[float, float, float, float, float, float],
    zg: complex,
    n_0: float,
    h_sys: float,
    climate: int,
    mdvar: int,
    z_t: float,
    z_l: float,
    z_s: float,
    work: NDArray[np.float64],
    zmax: NDArray[np.float64],
    records: NDArray[np.int64],
    n_records: NDArray[np.int64],
    loss: NDArray[np.float64],
    status: NDArray[np.int64],
    warn: NDArray[np.int64],
) -> None:
    """Compiled ITM point-to-point on profile z[0..np_] for several tx heights ``h0s`` (m).

    ``sums`` holds the profile's :func:`profile_sums` up to index ``np_ + 1`` at least (those
    of a longer profile that starts with z[0..np_] serve as well), ``recip`` the
    :func:`reciprocals` of at least ``np_ + 1``; ``z_t``, ``z_l``, ``z_s`` the deviates of
    the time, location and situation percentages (:func:`coverage.radio.itm.deviates`); ``ft``
    the :func:`frequency_terms` of the frequency and ``zg`` the ground impedance
    (:func:`_ground_impedance`), both computed once per prediction. Writes,
    per height, the loss (dB; NaN on an ITM error), mode + 10 x geometry and the warning
    bits into ``loss``, ``status`` and ``warn``. The refractivity, the rx horizon
    and (where the end points of its fit coincide) Δh are computed once for all heights;
    the rx horizon only if a tx horizon blocks the direct ray at some height, and only
    over the samples that can be it (:func:`_rx_horizon`). ``work`` is scratch of
    :data:`WORK_SIZE` + 3 floats. Allocates nothing. ``zmax``, ``records`` and
    ``n_records`` are :func:`radial_tables` of a radial that starts with z[0..np_] (they
    speed up the horizon scans); pass empty arrays without.
    """
    if np_ < 2 or not xi > 0.0:
        for h in range(len(h0s)):
            loss[h] = np.nan
            status[h] = 0
            warn[h] = 0
        return
    n_s, gamma_e, a_e = _refractivity(sums, np_, n_0, h_sys)
    # until the loop below, loss[h] and status[h] hold each height's tx horizon
    rx_best, rx_best_d = _horizon_scans(
        z, recip, np_, xi, h0s, h1, a_e, zmax, records, n_records, loss, status
    )
    dh_key = work[WORK_SIZE : WORK_SIZE + 3]
    dh_key[0] = np.nan
    for h in range(len(h0s)):
        _th0, th1 = _direct_ray(z, np_, xi, h0s[h], h1, a_e)
        horizons = _horizon_pair(sums, np_ * xi, loss[h], status[h], th1, rx_best, rx_best_d)
        lo, _fs, _aref, _vmed, mode, wb, _err = _p2p_height(
            z, sums, np_, xi, h0s[h], h1, horizons, ft, zg, n_s, gamma_e, a_e, climate, mdvar,
            z_t, z_l, z_s, work, dh_key,
        )  # fmt: skip
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
    sums = np.empty((3, np_ + 2))
    profile_sums(z, np_ + 1, xi, sums)
    recip = reciprocals(np_ + 1)
    n_s, gamma_e, a_e = _refractivity(sums, np_, n_0, h_sys)
    th0, best = np.empty(1), np.empty(1, dtype=np.int64)
    rx_best, rx_best_d = _horizon_scans(
        z, recip, np_, xi, np.array([h0]), h1, a_e, np.empty(0),
        np.empty((0, 0), dtype=np.int64), np.empty(0, dtype=np.int64), th0, best,
    )  # fmt: skip
    th1 = _direct_ray(z, np_, xi, h0, h1, a_e)[1]
    horizons = _horizon_pair(sums, np_ * xi, th0[0], best[0], th1, rx_best, rx_best_d)
    work = np.empty(WORK_SIZE + 3)
    dh_key = work[WORK_SIZE : WORK_SIZE + 3]
    dh_key[0] = np.nan
    z_t, z_l, z_s = deviates(time, location, situation)
    return _p2p_height(
        z, sums, np_, xi, h0, h1, horizons, frequency_terms(f_mhz), zg, n_s, gamma_e, a_e,
        climate, mdvar, z_t, z_l, z_s, work, dh_key,
    )  # fmt: skip
