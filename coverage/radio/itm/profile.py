"""The statistics of a terrain profile that ITM needs: prefix sums, fits and Δh, compiled.

Part of this project's ITM 1.2.2 (see :mod:`coverage.radio.itm` for the model, its
references and its tests): G. A. Hufford, "The ITS Irregular Terrain Model, version 1.2.2:
The Algorithm", NTIA/ITS (1995), section 3, the least-squares lines (NTIA ``zlsq1``) and
the terrain irregularity Δh (NTIA ``dlthx``).

Speed: the least-squares fits (and the system elevation of :mod:`~coverage.radio.itm.terms`)
come from prefix sums (:func:`profile_sums`) in O(1), so the paths along one radial (its
samples 0..j for every j) share one pass; Δh finds its deciles by counting into bins
(:func:`order_statistics`), not by sorting. Nothing here allocates, so the per-path
functions are compiled without numba's reference counting
(:data:`coverage.radio._kernels.NO_REFCOUNT`).
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from coverage.radio._kernels import NO_REFCOUNT, numba

#: Bins of the Δh decile search; a power of two (the bin index is masked with N_BINS - 1).
N_BINS = 64
#: Scratch length (floats) the core needs beside the profile: Δh resamples to <= 245 points.
WORK_SIZE = 4 * 245 + 2 * N_BINS


@numba.njit(cache=True, error_model="numpy")
def profile_sums(z: NDArray[np.float64], n: int, xi: float, sums: NDArray[np.float64]) -> None:
    """Prefix sums of a profile for O(1) least-squares fits: fills ``sums[:3, :n + 1]``.

    ``sums[0, k]`` is the sum of ``z[i]`` and ``sums[1, k]`` that of ``i * z[i]`` over
    ``i < k``; ``sums[2, k]`` is the distance of sample ``k`` as NTIA's ``hzns`` gets it,
    ``xi`` added ``k`` times (its rounding decides ties in the fit intervals). Sums of a
    profile are also those of every profile it starts (a radial's samples 0..j), which is
    what lets one radial serve all the paths along it.

    Parameters
    ----------
    z
        Ground elevations (m), transmitter at index 0.
    n
        How many samples of ``z`` to sum.
    xi
        Distance between samples (m).
    sums
        Float64 array of shape ``(3, >= n + 1)``; rows 0 and 1 get the sums (m), row 2
        the distances (m), in place.
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
    """``1 / m`` for m = 0 .. n - 1 (0 at m = 0): the horizon scans multiply, not divide.

    Parameters
    ----------
    n
        Length of the table (at least the samples of the longest profile).

    Returns
    -------
    numpy.ndarray
        The ``n`` reciprocals.
    """
    out = np.zeros(n)
    for m in range(1, n):
        out[m] = 1.0 / m
    return out


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
def order_statistics(
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

    Values go to :data:`N_BINS` equal bins, ``(N_BINS - 0.5) / (hi - lo)`` per unit, so that
    the bin index stays below N_BINS without a clamp, and non-negative: indexing needs no
    bounds fix-up. The bin index is monotone in the value, so the k-th value lies in the
    bin where the running count passes k, and a quickselect over that bin's few values
    finds it. The counting pass also chains each bin's values (``head`` and ``after``), so
    gathering a bin walks only its own values.

    Parameters
    ----------
    s
        The values (here detrended elevations, m); s[0..n) is read, not changed.
    n
        How many values.
    k_a, k_b
        The ranks wanted (0-based, below n).
    lo, hi
        The values' minimum and maximum, lo < hi.
    scratch
        At least ``n + 2 N_BINS`` integers of scratch.
    pool_a, pool_b
        At least ``n`` floats of scratch each.

    Returns
    -------
    tuple[float, float]
        The k_a-th and the k_b-th smallest value.
    """
    top = N_BINS - 1
    scale = (N_BINS - 0.5) / (hi - lo)
    counts = scratch[:N_BINS]
    head = scratch[N_BINS : 2 * N_BINS]
    after = scratch[2 * N_BINS : 2 * N_BINS + n]
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
    order statistics as NTIA's nth_element, found by :func:`order_statistics`.

    NTIA's ``dlthx`` walks to each resampling point by adding the step to a running
    fraction, one sample at a time; here each point's position is x_start + j step
    directly, which frees the loop from that chain of additions (:func:`_resample`). The
    interpolated value is continuous in the position (a point on a sample gets that sample
    whichever pair it is taken from), so only rounding differs.
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
    scratch = work[3 * n : 4 * n + 2 * N_BINS].view(np.int64)
    q10, q90 = order_statistics(s, n, n - p10, p10 - 1, lo, hi, scratch, pool_a, pool_b)
    dhd = q10 - q90
    return dhd / (1.0 - 0.8 * math.exp(-(d_end - d_start) / 50e3))
