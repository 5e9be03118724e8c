"""Compiled (numba) area-prediction kernels behind :mod:`coverage.radio.prediction`; private.

Two ways to lay terrain profiles over a grid, both parallel over both cores:

* :func:`paths_kernel`: one straight profile per (site, target), ending exactly at the
  target (a demand point or a cell centre);
* :func:`radial_kernel`: SPLAT!'s way (J. A. Magliacane, *SPLAT! RF Signal Propagation, Loss,
  And Terrain analysis tool*, 1.4, ``PlotLRPath``): one profile per radial from the site,
  sampled once, and every path along it (samples 0..j) evaluated on that shared profile. ITM
  takes its least-squares fits and system elevation from prefix sums of the radial
  (:func:`~coverage.radio.itm.profile.profile_sums`) and prunes its horizon scans with
  tables of the radial (:func:`~coverage.radio.itm.horizons.radial_tables`), so a radial
  costs one sampling pass plus, per path, short horizon scans, Δh and the attenuation.

Each worker keeps its buffers in one :class:`Scratch` and what every path shares in one
:class:`Shared` (named tuples, which numba compiles as structs), and hands both to the
per-path functions.

Both share their work out dynamically: each of ``workers`` parallel workers (one per numba
thread) takes the next radial or block of targets from a shared counter
(:func:`take_next`) until none is left. numba's parallel loops split their range between
threads up front, and the two cores of a small VM often run at different speeds for
seconds at a time, so that a static split waits for the slower one. Which worker computes
a path changes nothing in its result.

Coordinates are fractional (column, row) cell-centre indices of the terrain grid.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, NamedTuple, cast

import numpy as np
from numpy.typing import NDArray

from coverage.radio._kernels import NO_REFCOUNT, numba
from coverage.radio._kernels.propagation import ITM, profile_loss
from coverage.radio._kernels.viewshed import bilinear
from coverage.radio.itm.horizons import (
    RadialTables,
    no_radial_tables,
    radial_table_buffers,
    radial_tables,
)
from coverage.radio.itm.point_to_point import itm_p2p_heights
from coverage.radio.itm.profile import WORK_SIZE, profile_sums, reciprocals
from coverage.radio.itm.terms import PathTerms, path_terms

#: Targets per parallel chunk of :func:`paths_kernel`.
BLOCK = 64


def workers() -> int:
    """How many workers the kernels run: numba's thread count (``NUMBA_NUM_THREADS``,
    :func:`numba.set_num_threads`)."""
    return int(numba.get_num_threads())


def _atomic_take(typingctx: Any, counter: Any) -> Any:
    """``counter[0] += 1`` as one atomic operation (LLVM ``atomicrmw add``); returns the
    value before. The workers of a parallel loop share work out through it: numba has no
    atomic operations of its own on the CPU. numba does not see this write, so compiled
    code must read the counter only through it (numba took a later ``counter[0]`` in the
    same function for the 0 it was created with)."""
    if not (isinstance(counter, numba.types.Array) and counter.dtype == numba.types.int64):
        return None

    def codegen(context: Any, builder: Any, signature: Any, args: Any) -> Any:
        array_type = signature.args[0]
        array = context.make_array(array_type)(context, builder, args[0])
        zero = context.get_constant(numba.types.intp, 0)
        ptr = numba.core.cgutils.get_item_pointer(context, builder, array_type, array, [zero])
        return builder.atomic_rmw(
            "add", ptr, context.get_constant(numba.types.int64, 1), "monotonic"
        )

    return numba.types.int64(counter), codegen


#: :func:`_atomic_take` as compiled code calls it: ``c = take_next(counter)``.
take_next = cast("Callable[[NDArray[np.int64]], int]", numba.extending.intrinsic(_atomic_take))


class Shared(NamedTuple):
    """What every path of one kernel call shares (a named tuple, which numba compiles as a
    struct). Each worker builds its own from the arrays the kernel computes once: a
    parallel loop takes arrays from outside, but not tuples.

    Attributes
    ----------
    recip
        :func:`~coverage.radio.itm.profile.reciprocals` up to the longest profile.
    terms
        For ITM, what NTIA's set-up (``qlrps``, ``avar``) computes once: the quantile
        deviates, frequency terms, ground impedance and settings
        (:func:`~coverage.radio.itm.terms.path_terms`); zeros for the other models.
    """

    recip: NDArray[np.float64]
    terms: PathTerms


class Scratch(NamedTuple):
    """One worker's buffers, reused for every path it computes.

    Attributes
    ----------
    profile
        The sampled profile (m), as long as the longest path.
    sums
        Its :func:`~coverage.radio.itm.profile.profile_sums`, (3, samples + 1).
    work
        ITM's scratch (:data:`~coverage.radio.itm.profile.WORK_SIZE` + 3 floats).
    tables
        The :func:`~coverage.radio.itm.horizons.radial_tables` of the current radial
        (empty arrays in :func:`paths_kernel`).
    loss, status, warn
        Per-height results of one path: loss (dB), model status, ITM warning bits.
    """

    profile: NDArray[np.float64]
    sums: NDArray[np.float64]
    work: NDArray[np.float64]
    tables: RadialTables
    loss: NDArray[np.float64]
    status: NDArray[np.int64]
    warn: NDArray[np.int64]


@numba.njit(**NO_REFCOUNT)
def _evaluate_itm(
    shared: Shared,
    scratch: Scratch,
    np_: int,
    step: float,
    heights: NDArray[np.float64],
    h_rx: float,
) -> None:
    """ITM on scratch.profile[0..np_] (np_ >= 2) for every tx height into the scratch's
    loss, status and warn.

    ``scratch.sums`` must hold the profile's sums up to ``np_ + 1`` at least and
    ``shared.recip`` be as long; ``scratch.tables`` are the profile's radial tables or
    empty. Compiled without reference counting (:data:`coverage.radio._kernels.NO_REFCOUNT`):
    it runs once per path.
    """
    s = scratch
    itm_p2p_heights(
        s.profile, s.sums, shared.recip, np_, step, heights, h_rx, shared.terms, s.work,
        s.tables, s.loss, s.status, s.warn,
    )  # fmt: skip


@numba.njit(cache=True)
def _evaluate_other(
    code: int,
    params: NDArray[np.float64],
    scratch: Scratch,
    np_: int,
    step: float,
    heights: NDArray[np.float64],
    h_rx: float,
    f_mhz: float,
) -> None:
    """Model ``code`` on scratch.profile[0..np_] for every tx height (every model but ITM
    on >= 2 steps)."""
    z = scratch.profile[: np_ + 1]
    lo, st, wb = scratch.loss, scratch.status, scratch.warn
    for h in range(len(heights)):
        lo[h], st[h], wb[h] = profile_loss(code, params, z, step, heights[h], h_rx, f_mhz)


@numba.njit(cache=True)
def _shared(
    code: int, params: NDArray[np.float64], recip: NDArray[np.float64], f_mhz: float
) -> Shared:
    """What every path of one call shares: the reciprocals ``recip`` and, for ITM, the
    :func:`~coverage.radio.itm.terms.path_terms` of the frequency and settings."""
    if code == ITM:
        terms = path_terms(f_mhz, params)
    else:  # the other models read none of it
        terms = PathTerms(0.0, 0.0, 0.0, (0.0, 0.0, 0.0, 0.0, 0.0, 0.0), 0j, 0.0, 0.0, 0, 0)
    return Shared(recip, terms)


@numba.njit(cache=True)
def _scratch(n: int, n_h: int, radial: bool) -> Scratch:
    """One worker's buffers for profiles of up to ``n`` samples and ``n_h`` heights, with
    room for radial tables if ``radial``."""
    return Scratch(
        np.empty(n),
        np.empty((3, n + 1)),
        np.empty(WORK_SIZE + 3),
        radial_table_buffers(n, n_h) if radial else no_radial_tables(),
        np.empty(n_h),
        np.empty(n_h, dtype=np.int64),
        np.empty(n_h, dtype=np.int64),
    )


@numba.njit(cache=True, parallel=True)
def paths_kernel(
    z: NDArray[np.float32],
    cell_m: float,
    site_cf: NDArray[np.float64],
    site_rf: NDArray[np.float64],
    heights: NDArray[np.float64],
    tgt_cf: NDArray[np.float64],
    tgt_rf: NDArray[np.float64],
    step_m: float,
    h_rx: float,
    f_mhz: float,
    code: int,
    params: NDArray[np.float64],
    max_dist_m: float,
    order: NDArray[np.int64],
    workers: int,
    loss: NDArray[np.float32],
    status: NDArray[np.int16],
    warn: NDArray[np.int32],
) -> None:
    """Loss from N sites at H heights to M targets (grid coordinates) into ``loss``.

    ``loss`` is (N*H, M), row i*H + h for site i at ``heights[h]``. Each profile is sampled
    once and the model runs on it for every height (ITM shares its height-free work). Work
    is cut into (site, block of targets) chunks, which ``workers`` workers take in the
    shuffled ``order``, each with its own buffers. ``status`` and ``warn`` get the model
    status and ITM warnings when they have the shape of ``loss``.
    """
    n_sites = len(site_cf)
    n_h = len(heights)
    m = len(tgt_cf)
    detail = status.shape[0] == loss.shape[0] and status.shape[1] == m
    longest = 0.0
    for i in range(n_sites):
        for j in range(m):
            dc = tgt_cf[j] - site_cf[i]
            dr = tgt_rf[j] - site_rf[i]
            longest = max(longest, min(math.sqrt(dc * dc + dr * dr) * cell_m, max_dist_m))
    max_n = max(2, math.ceil(longest / step_m) + 1)
    recip = reciprocals(max_n + 1)
    n_blocks = (m + BLOCK - 1) // BLOCK
    taken = np.zeros(1, dtype=np.int64)
    for _worker in numba.prange(workers):
        shared = _shared(code, params, recip, f_mhz)
        scratch = _scratch(max_n, n_h, False)
        buf, lo, st, wb = scratch.profile, scratch.loss, scratch.status, scratch.warn
        while True:
            c = take_next(taken)
            if c >= len(order):
                break
            chunk = order[c]
            i = chunk // n_blocks
            j0 = (chunk % n_blocks) * BLOCK
            for j in range(j0, min(j0 + BLOCK, m)):
                dc = tgt_cf[j] - site_cf[i]
                dr = tgt_rf[j] - site_rf[i]
                length = math.sqrt(dc * dc + dr * dr) * cell_m
                if length > max_dist_m:
                    continue
                n = max(2, math.ceil(length / step_m) + 1)
                for k in range(n):
                    t = k / (n - 1)
                    buf[k] = bilinear(z, site_cf[i] + t * dc, site_rf[i] + t * dr)
                step = length / (n - 1)
                if code == ITM and n >= 3:
                    profile_sums(buf, n, step, scratch.sums)
                    _evaluate_itm(shared, scratch, n - 1, step, heights, h_rx)
                else:
                    _evaluate_other(code, params, scratch, n - 1, step, heights, h_rx, f_mhz)
                for h in range(n_h):
                    loss[i * n_h + h, j] = lo[h]
                    if detail:
                        status[i * n_h + h, j] = st[h]
                        warn[i * n_h + h, j] = wb[h]


@numba.njit(cache=True, parallel=True)
def radial_kernel(
    z: NDArray[np.float32],
    site_cf: float,
    site_rf: float,
    heights: NDArray[np.float64],
    step_cells: float,
    step_m: float,
    dir_c: NDArray[np.float64],
    dir_r: NDArray[np.float64],
    starts: NDArray[np.int64],
    js: NDArray[np.int64],
    order: NDArray[np.int64],
    workers: int,
    h_rx: float,
    f_mhz: float,
    code: int,
    params: NDArray[np.float64],
    loss: NDArray[np.float32],
    status: NDArray[np.int16],
    warn: NDArray[np.int32],
) -> None:
    """Loss along radials from one site, at H heights, into (H, E) arrays.

    Radial ``g`` leaves the site in grid direction (``dir_c[g]``, ``dir_r[g]``) (a unit
    vector in cells); its samples lie ``step_cells`` apart. Its evaluations are
    ``starts[g] .. starts[g + 1]``, each the path from the site to sample ``js[e]``
    (ascending within a radial, >= 2). ``workers`` workers take the radials in the
    shuffled ``order``, each with its own buffers.
    """
    n_h = len(heights)
    longest = js.max() + 1 if len(js) else 1
    recip = reciprocals(longest + 1)
    taken = np.zeros(1, dtype=np.int64)
    for _worker in numba.prange(workers):
        shared = _shared(code, params, recip, f_mhz)
        scratch = _scratch(longest, n_h, True)
        buf, lo, st, wb = scratch.profile, scratch.loss, scratch.status, scratch.warn
        while True:
            c = take_next(taken)
            if c >= len(order):
                break
            g = order[c]
            e0 = starts[g]
            e1 = starts[g + 1]
            if e1 == e0:
                continue
            n = js[e1 - 1] + 1
            for k in range(n):
                t = k * step_cells
                buf[k] = bilinear(z, site_cf + t * dir_c[g], site_rf + t * dir_r[g])
            if code == ITM:
                profile_sums(buf, n, step_m, scratch.sums)
                radial_tables(buf, n, step_m, recip, heights, scratch.tables)
            for e in range(e0, e1):
                if code == ITM:  # js[e] >= 2
                    _evaluate_itm(shared, scratch, js[e], step_m, heights, h_rx)
                else:
                    _evaluate_other(code, params, scratch, js[e], step_m, heights, h_rx, f_mhz)
                for h in range(n_h):
                    loss[h, e] = lo[h]
                    status[h, e] = st[h]
                    warn[h, e] = wb[h]


@numba.njit(cache=True, parallel=True)
def radial_assign(
    dc: NDArray[np.float64],
    dr: NDArray[np.float64],
    step_cells: float,
    n_radials: int,
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]]:
    """Which radial sample serves each cell: (starts, js, inverse) for :func:`radial_kernel`.

    Cell ``c`` lies ``dc[c]``, ``dr[c]`` cells from the site; it goes to the nearest of
    ``n_radials`` evenly spaced radials (radial 0 along +column) and to the nearest sample
    along it, at ``step_cells`` spacing. Radial ``g``'s distinct samples, ascending, are
    ``js[starts[g]:starts[g + 1]]`` and the cell's evaluation is ``inverse[c]`` (fewer than
    2**31 cells: the table numbers them in int32).
    """
    m = len(dc)
    per_angle = n_radials / (2.0 * math.pi)
    sample = np.empty(m, dtype=np.int64)
    for c in numba.prange(m):
        sample[c] = round(math.sqrt(dc[c] * dc[c] + dr[c] * dr[c]) / step_cells)
    span = sample.max() + 1 if m else 1
    # counting sort by key = (radial, sample) over a dense (radial, sample) table: mark the
    # keys in use, count them per radial, then number them radial by radial (in parallel)
    key = np.empty(m, dtype=np.int64)
    for c in numba.prange(m):
        radial = round(math.atan2(dr[c], dc[c]) * per_angle) % n_radials
        key[c] = radial * span + sample[c]
    index = np.zeros(n_radials * span, dtype=np.int32)
    for c in range(m):
        index[key[c]] = 1
    counts = np.zeros(n_radials + 1, dtype=np.int64)
    for g in numba.prange(n_radials):
        k = 0
        for j in range(g * span, (g + 1) * span):
            k += index[j]
        counts[g + 1] = k
    starts = np.cumsum(counts)
    js = np.empty(starts[n_radials], dtype=np.int64)
    for g in numba.prange(n_radials):
        e = starts[g]
        for j in range(span):
            if index[g * span + j]:
                index[g * span + j] = e
                js[e] = j
                e += 1
    inverse = np.empty(m, dtype=np.int64)
    for c in numba.prange(m):
        inverse[c] = index[key[c]]
    return starts, js, inverse


@numba.njit(cache=True, parallel=True)
def cells_within(
    xs: NDArray[np.float64],
    ys: NDArray[np.float64],
    x_m: float,
    y_m: float,
    radius_m: float,
    mask: NDArray[np.bool_],
) -> tuple[NDArray[np.int64], NDArray[np.float64], NDArray[np.float64]]:
    """The cells whose centre (xs[col], ys[row]) lies within ``radius_m`` of (x_m, y_m).

    ``mask`` (rows, cols) keeps only its True cells; pass a (0, 0) array for all. Returns
    their row-major flat indices and their (column, row) indices as floats.
    """
    rows, cols = len(ys), len(xs)
    r2 = radius_m * radius_m
    masked = mask.shape[0] == rows and mask.shape[1] == cols
    inside = np.zeros((rows, cols), dtype=np.bool_)
    per_row = np.zeros(rows + 1, dtype=np.int64)
    for r in numba.prange(rows):
        dy = ys[r] - y_m
        count = 0
        for c in range(cols):
            dx = xs[c] - x_m
            keep = dx * dx + dy * dy <= r2 and (not masked or mask[r, c])
            inside[r, c] = keep
            count += keep
        per_row[r + 1] = count
    first = np.cumsum(per_row)
    m = first[rows]
    flat = np.empty(m, dtype=np.int64)
    cf = np.empty(m)
    rf = np.empty(m)
    for r in numba.prange(rows):
        k = first[r]
        for c in range(cols):
            if inside[r, c]:
                flat[k] = r * cols + c
                cf[k] = c
                rf[k] = r
                k += 1
    return flat, cf, rf


@numba.njit(cache=True)
def radial_split(
    dc: NDArray[np.float64], dr: NDArray[np.float64], step_cells: float, near_steps: float
) -> tuple[NDArray[np.int64], NDArray[np.int64], float]:
    """Cells (offsets ``dc``, ``dr`` from the site, in cells) nearer than ``near_steps``
    profile steps and the rest: (near indices, far indices, farthest far distance in cells).
    """
    m = len(dc)
    near = np.empty(m, dtype=np.int64)
    far = np.empty(m, dtype=np.int64)
    n_near = 0
    n_far = 0
    reach = 0.0
    for c in range(m):
        dist = math.sqrt(dc[c] * dc[c] + dr[c] * dr[c]) / step_cells
        if dist < near_steps:
            near[n_near] = c
            n_near += 1
        else:
            far[n_far] = c
            n_far += 1
            reach = max(reach, dist)
    return near[:n_near].copy(), far[:n_far].copy(), reach * step_cells


@numba.njit(cache=True, parallel=True)
def scatter(
    index: NDArray[np.int64],
    pick: NDArray[np.int64],
    loss: NDArray[np.float32],
    status: NDArray[np.int16],
    warn: NDArray[np.int32],
    loss_out: NDArray[np.float32],
    status_out: NDArray[np.int16],
    warn_out: NDArray[np.int32],
) -> None:
    """``out[index[k]] = values[pick[k]]`` for the three arrays (``pick`` empty: k)."""
    if len(pick) == 0:
        for k in numba.prange(len(index)):
            loss_out[index[k]] = loss[k]
            status_out[index[k]] = status[k]
            warn_out[index[k]] = warn[k]
        return
    for k in numba.prange(len(index)):
        j = pick[k]
        loss_out[index[k]] = loss[j]
        status_out[index[k]] = status[j]
        warn_out[index[k]] = warn[j]
