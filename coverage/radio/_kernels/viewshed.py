"""Compiled (numba) kernels of :mod:`coverage.radio.visibility` and ``clearance``; private.

Every kernel works in grid units: offsets are counted in cells from the observer's cell,
elevations in metres. ``curv`` is the Earth-curvature drop per squared cell,
``cell_size_m**2 / (2 k R)``, so a cell ``i`` columns and ``j`` rows from the observer is
lowered by ``curv * (i*i + j*j)`` metres. Those two modules check the inputs and turn metres
and map coordinates into these grid units.
"""

from __future__ import annotations

import math

import numpy as np

from coverage.radio._kernels import FAST_MATH, numba

#: Mean Earth radius (m) used for the curvature drop, as in ITU-R P.834 and GDAL/GRASS.
EARTH_RADIUS_M = 6_371_000.0
#: Speed of light in vacuum (m/s), for wavelengths.
SPEED_OF_LIGHT_M_S = 299_792_458.0

njit = numba.njit
prange = numba.prange

#: Rays walked together by one task of the sweep (their horizons are interpolated between).
#: A compile-time constant (numba then sizes the loops); fans are rounded up to half a block.
#: 128 reads longer runs of cells per line than 64; 256 rounds small fans up too far.
RAYS_PER_BLOCK = 128
#: Horizon before any crossing: a finite stand-in for -inf, so interpolation stays finite.
_LOW = -1e30
# Rows of the per-ray scratch array of _r2_block: slope, |slope|, 1/|slope|, curvature
# factors of the minor and major crossings, horizons, then the current line's crossings.
_SL, _ASL, _IAS, _C2, _CB, _HZ, _PRE, _FY, _FX, _PEN, _Q, _DM, _ZA, _ZB, _ZC, _ZD = range(16)
_ROWS = 16


@njit(cache=True, error_model="numpy", fastmath=FAST_MATH)
def _r2_block(  # type: ignore[no-untyped-def]
    zf, outf, base, smaj, smin, lim, lo, hi, eye_m, target_m, p0, nb, n, max_d2, curv,
    own_diag, last,
):  # fmt: skip
    """Walk rays ``p0 .. p0 + nb`` of one sector together and judge the cells between them.

    The grid is addressed flat: the cell ``i`` steps along the sector's major axis and ``j``
    across it is ``base + i * smaj + j * smin``; ``lo..hi`` bounds ``j``, ``lim`` bounds ``i``.
    Ray ``p`` leaves the observer's cell centre with slope ``p / n`` (minor cells per major
    step). Its horizon (as a slope per major step, proportional to distance along one ray)
    is the steepest line to any crossing of a grid line through cell centres, of both
    families, elevations linearly interpolated between the two cell centres on that line,
    as in the R3 reference. A cell on major line ``i`` whose centre lies between rays ``p``
    and ``p + 1`` is compared, at its own centre elevation, with the horizon of the two rays
    interpolated linearly to its position; a ray more than half a cell outside the grid
    hands its neighbour's horizon to the cells beside it. Cells are split between blocks
    (and sectors) by integer tests, so no two tasks write the same cell. Indices are cast to
    unsigned (``u``), which spares numba's negative-index wrap-around on every access.
    Elevations, slopes and horizons are float32, like the DEM (no conversions): it rounds
    the eye-to-crossing rises of up to a few km by ~1e-4 m, which can flip a grazing cell
    against float64 (ray positions stay float64).
    """
    u = np.uint64
    f = np.float32
    m = nb
    # Per-ray rows of one scratch array: constants, horizons, and each line's crossings.
    t = np.empty((_ROWS, m + 1), dtype=np.float32)
    ti = np.zeros((2, m + 1), dtype=np.int32)  # major cell j0, minor column |jc|
    sgn = np.empty(m + 1, dtype=np.int64)
    for k in range(m + 1):
        p = p0 + k
        s = p / n
        t[_SL, k] = s
        t[_ASL, k] = abs(s)
        t[_IAS, k] = n / abs(p) if p != 0 else 0.0
        t[_C2, k] = curv * (1.0 + (n / p) ** 2) if p != 0 else curv
        t[_CB, k] = curv * (1.0 + s * s)
        t[_HZ, k] = _LOW
        sgn[k] = smin if p >= 0 else -smin
    hz = t[_HZ]  # horizon of each ray up to and including line i
    pre = t[_PRE]  # ... up to line i excluded: what cells on line i face
    ylo = lo - 0.5
    yhi = hi + 0.5
    wmax = max(hi - lo - 1, 0)
    width = hi - lo
    sm1 = smin if width > 0 else 0
    # float32 constants: float32 with a float64 or an integer would make float64.
    zero, one, half, low = f(0.0), f(1.0), f(0.5), f(_LOW)
    flo = f(lo)
    fwidth = f(width)
    eye = f(eye_m)
    rise = f(target_m - eye_m)  # added to a cell elevation: its rise above the eye
    for i in range(1, lim + 1):
        inv_i64 = 1.0 / i
        dy = i / n
        if p0 * dy > yhi or (p0 + nb) * dy < ylo:
            break
        # Rays inside the grid (within half a cell of it): ka .. kb.
        ka = min(max(0, math.ceil(ylo * n * inv_i64 - p0)), m)
        kb = max(min(m, math.floor(yhi * n * inv_i64 - p0)), 0)
        if ka > kb:
            ka, kb = kb, ka
        line = base + i * smaj
        prev = line - smaj
        line_lo = line + lo * smin
        im1 = f(i - 1)
        fi = f(i)
        inv_i = f(inv_i64)
        # Three passes over the rays (faster than one: short loops, few live registers).
        # 1. Where each ray crosses major line i (between cells j0 and j0 + 1, fy of the way,
        #    clamped at the grid edge) and the minor line before it (column jc, fx of the way
        #    from line i - 1; computed whether or not it exists, a missing one gets -1e30).
        for k in range(ka, kb + 1):
            yc = min(max(t[_SL, k] * fi - flo, zero), fwidth)
            j0 = min(np.int32(yc), wmax)
            ti[0, k] = j0
            t[_FY, k] = yc - f(j0)
            a = t[_ASL, k]
            ay = a * fi
            jcf = max(np.ceil(ay) - one, zero)
            t[_PEN, k] = low if jcf <= ay - a else zero
            ti[1, k] = np.int32(jcf)
            t[_FX, k] = min(max(jcf * t[_IAS, k] - im1, zero), one)
            t[_Q, k] = a / max(jcf, half)  # 1 / (distance of the minor crossing)
            t[_DM, k] = t[_C2, k] * jcf * a  # its curvature drop times that
        # 2. The elevations there.
        for k in range(ka, kb + 1):
            ku = u(k)
            idx = line_lo + ti[0, ku] * smin
            t[_ZA, ku] = zf[u(idx)]
            t[_ZB, ku] = zf[u(idx + sm1)]
            off = sgn[ku] * ti[1, ku]
            t[_ZC, ku] = zf[u(prev + off)]
            t[_ZD, ku] = zf[u(line + off)]
        # 3. The horizons.
        for k in range(ka, kb + 1):
            fx = t[_FX, k]
            zl = t[_ZC, k] * (one - fx) + t[_ZD, k] * fx
            h = max(t[_HZ, k], (zl - eye) * t[_Q, k] - t[_DM, k] + t[_PEN, k])
            t[_PRE, k] = h
            fy = t[_FY, k]
            zl = t[_ZA, k] * (one - fy) + t[_ZB, k] * fy
            t[_HZ, k] = max(h, (zl - eye) * inv_i - t[_CB, k] * fi)
        # Rays that have left the grid take the horizon of the nearest ray inside it.
        if ka > 0:
            hz[ka - 1] = hz[ka]
            pre[ka - 1] = pre[ka]
        if kb < m:
            hz[kb + 1] = hz[kb]
            pre[kb + 1] = pre[kb]
        # Cells on line i whose centre lies between rays p0 and p0 + nb.
        jlo = -((-p0 * i) // n)
        top = (p0 + nb) * i
        jhi = top // n
        if not last and jhi * n == top:
            jhi -= 1
        jlo = max(jlo, lo, -i if own_diag else 1 - i)
        jhi = min(jhi, hi, i if own_diag else i - 1)
        if max_d2 < i * i + max(jlo * jlo, jhi * jhi):
            rem = max_d2 - i * i
            if rem < 0:
                continue
            jd = int(math.sqrt(rem))
            while (jd + 1) * (jd + 1) <= rem:
                jd += 1
            while jd * jd > rem:
                jd -= 1
            jlo = max(jlo, -jd)
            jhi = min(jhi, jd)
        ua = n * inv_i64
        ci = f(curv * inv_i64)
        ii = f(i * i)
        jf = float(jlo)  # jr as a float, counted along (no int-to-float conversions)
        for jr in range(jlo, jhi + 1):
            uu = jf * ua - p0  # position between rays, in float64
            k = min(int(uu), m - 1)
            w = f(uu - k)
            ha = pre[u(k)]
            h = ha + (pre[u(k + 1)] - ha) * w
            idx = u(line + jr * smin)
            jf32 = f(jf)
            # rise from the eye first (nearly exact in float32: the two are close), then
            # the slope: z / i + (target - eye) / i would lose the grazing cells' margin
            v = (zf[idx] + rise) * inv_i - ci * (ii + jf32 * jf32)
            outf[idx] += v >= h
            jf += 1.0


@njit(cache=True)
def _r2_tasks(rows, cols, orow, ocol, density, max_steps):  # type: ignore[no-untyped-def]
    """Sector limits, fan sizes and the (sector, block) tasks of one observer's sweep.

    Four sectors (east, west: x-major, owning ``|dr| <= |dc|``; south, north: y-major,
    owning ``|dc| < |dr|``), each a fan of ``2 n + 1`` rays with ``n`` at least ``density``
    times its major extent (so neighbouring rays are at most ``1 / density`` cells apart),
    rounded up to whole blocks of :data:`RAYS_PER_BLOCK`. Tasks come in round-robin order
    over sectors, so that threads sharing one observer share the work evenly.
    """
    half = RAYS_PER_BLOCK // 2
    lims = np.empty(4, dtype=np.int64)
    lims[0] = min(cols - 1 - ocol, max_steps)
    lims[1] = min(ocol, max_steps)
    lims[2] = min(rows - 1 - orow, max_steps)
    lims[3] = min(orow, max_steps)
    fans = np.empty(4, dtype=np.int64)
    nblk = np.empty(4, dtype=np.int64)
    for s in range(4):
        fans[s] = max(1, math.ceil(density * lims[s] / half)) * half
        nblk[s] = (2 * fans[s]) // RAYS_PER_BLOCK if lims[s] > 0 else 0
    total = nblk.sum()
    task_s = np.empty(total, dtype=np.int64)
    task_q = np.empty(total, dtype=np.int64)
    t = 0
    for q in range(nblk.max()):
        for s in range(4):
            if q < nblk[s]:
                task_s[t] = s
                task_q[t] = q
                t += 1
    return lims, fans, nblk, task_s, task_q


@njit(cache=True, error_model="numpy")
def _r2_task(  # type: ignore[no-untyped-def]
    zf, outf, rows, cols, orow, ocol, eye_m, target_m, max_d2, curv, lims, fans, nblk, s, q
):  # fmt: skip
    """Run block ``q`` of sector ``s`` (see :func:`_r2_tasks`) into the flat grid ``outf``."""
    nb = RAYS_PER_BLOCK
    base = orow * cols + ocol
    n = fans[s]
    p0 = -n + q * nb
    last = q == nblk[s] - 1
    if s < 2:
        smaj = 1 if s == 0 else -1
        _r2_block(
            zf, outf, base, smaj, cols, lims[s], -orow, rows - 1 - orow,
            eye_m, target_m, p0, nb, n, max_d2, curv, True, last,
        )  # fmt: skip
    else:
        smaj = cols if s == 2 else -cols
        _r2_block(
            zf, outf, base, smaj, 1, lims[s], -ocol, cols - 1 - ocol,
            eye_m, target_m, p0, nb, n, max_d2, curv, False, last,
        )  # fmt: skip


@njit(cache=True, parallel=True, error_model="numpy")
def r2_viewshed(  # type: ignore[no-untyped-def]
    z, orow, ocol, eye_m, target_m, density, max_steps, max_d2, curv, out
):  # fmt: skip
    """Add 1 to ``out`` at every cell visible from the observer (observer cell excluded).

    The blocks of rays of :func:`_r2_tasks` run in parallel; each cell is written by
    exactly one block (deterministic).
    """
    rows, cols = z.shape
    zf = z.ravel()
    outf = out.ravel()
    lims, fans, nblk, task_s, task_q = _r2_tasks(rows, cols, orow, ocol, density, max_steps)
    for k in prange(task_s.shape[0]):
        _r2_task(
            zf, outf, rows, cols, orow, ocol, eye_m, target_m, max_d2, curv,
            lims, fans, nblk, task_s[k], task_q[k],
        )  # fmt: skip


@njit(cache=True, parallel=True, error_model="numpy")
def r2_count_sites(  # type: ignore[no-untyped-def]
    z, orows, ocols, eyes_m, target_m, density, max_steps, max_d2, curv, counts
):  # fmt: skip
    """Add, for each site ``i``, 1 to ``counts[t]`` at every cell it sees, itself included.

    Parallel ACROSS sites: each site is swept whole (all its blocks, one after the other)
    by one thread ``t`` (``numba.get_thread_id()``) into that thread's own uint16 grid
    ``counts[t]``, so there is no per-site thread start and join and no shared writes; the
    caller sums ``counts`` over threads. Identical, cell for cell, to :func:`r2_viewshed`
    (plus the observer's cell) per site.
    """
    rows, cols = z.shape
    zf = z.ravel()
    for i in prange(orows.shape[0]):
        outf = counts[numba.get_thread_id()].ravel()
        orow = orows[i]
        ocol = ocols[i]
        lims, fans, nblk, task_s, task_q = _r2_tasks(rows, cols, orow, ocol, density, max_steps[i])
        for k in range(task_s.shape[0]):
            _r2_task(
                zf, outf, rows, cols, orow, ocol, eyes_m[i], target_m, max_d2[i], curv,
                lims, fans, nblk, task_s[k], task_q[k],
            )  # fmt: skip
        outf[orow * cols + ocol] += 1


@njit(cache=True, inline="always")
def _low(z, orow, ocol, r, c, curv):  # type: ignore[no-untyped-def]
    dr = r - orow
    dc = c - ocol
    return z[r, c] - curv * (dr * dr + dc * dc)


@njit(cache=True, parallel=True)
def r3_margin(z, orow, ocol, eye_m, target_m, max_d2, curv, out):  # type: ignore[no-untyped-def]
    """Exact R3 reference: a ray to every cell centre.

    Along the straight line from the observer's cell centre to each target cell centre,
    every crossing with a row or column line through cell centres is interpolated linearly
    between the two cell centres on that line (the cells lowered by the curvature drop).
    ``out[r, c]`` receives ``slope_to_target - max_slope_of_crossings`` in metres per cell
    (>= 0 means visible; +inf at the observer, -inf beyond ``max_d2``).
    """
    rows, cols = z.shape
    for r in prange(rows):
        dr = r - orow
        for c in range(cols):
            dc = c - ocol
            d2 = dr * dr + dc * dc
            if d2 == 0:
                out[r, c] = np.inf
                continue
            if d2 > max_d2:
                out[r, c] = -np.inf
                continue
            dist = math.sqrt(d2)
            st = (_low(z, orow, ocol, r, c, curv) + target_m - eye_m) / dist
            hmax = -np.inf
            sc = 1 if dc > 0 else -1
            for a in range(1, abs(dc)):
                t = a / abs(dc)
                y = orow + t * dr
                j0 = math.floor(y)
                fy = y - j0
                zl = _low(z, orow, ocol, j0, ocol + sc * a, curv) * (1.0 - fy)
                if fy > 0.0:
                    zl += _low(z, orow, ocol, j0 + 1, ocol + sc * a, curv) * fy
                hmax = max(hmax, (zl - eye_m) / (t * dist))
            sr = 1 if dr > 0 else -1
            for b in range(1, abs(dr)):
                t = b / abs(dr)
                x = ocol + t * dc
                i0 = math.floor(x)
                fx = x - i0
                zl = _low(z, orow, ocol, orow + sr * b, i0, curv) * (1.0 - fx)
                if fx > 0.0:
                    zl += _low(z, orow, ocol, orow + sr * b, i0 + 1, curv) * fx
                hmax = max(hmax, (zl - eye_m) / (t * dist))
            out[r, c] = st - hmax


@njit(cache=True, inline="always")
def bilinear(z, cf, rf):  # type: ignore[no-untyped-def]
    """Bilinear elevation at fractional (col, row) cell-centre coordinates, edge-clamped."""
    rows, cols = z.shape
    cf = min(max(cf, 0.0), cols - 1.0)
    rf = min(max(rf, 0.0), rows - 1.0)
    c0 = min(math.floor(cf), cols - 2)
    r0 = min(math.floor(rf), rows - 2)
    fc = cf - c0
    fr = rf - r0
    top = z[r0, c0] * (1.0 - fc) + z[r0, c0 + 1] * fc
    bottom = z[r0 + 1, c0] * (1.0 - fc) + z[r0 + 1, c0 + 1] * fc
    return top * (1.0 - fr) + bottom * fr


@njit(cache=True, parallel=True)
def link_profiles(  # type: ignore[no-untyped-def]
    z, ca, ra, ha, cb, rb, hb, cell_size_m, spacing_m, inv_2kr, wavelength_m,
    los, ratio, worst_d, min_clear,
):  # fmt: skip
    """Clearance of straight links between points given in fractional cell coordinates.

    For each link, samples are evenly spaced at no more than ``spacing_m`` (end points
    included) with bilinear terrain. At each interior sample, at ``d1`` from A and ``d2``
    from B, the clearance is ``los_height - (terrain + d1 d2 inv_2kr)`` and the first
    Fresnel radius ``sqrt(wavelength d1 d2 / (d1 + d2))``. Writes, per link: whether every
    clearance is >= 0, the minimum clearance / radius, the distance from A where it occurs,
    and the minimum clearance (m). Links without interior samples get +inf and distance 0.
    """
    for k in prange(ca.shape[0]):
        za = bilinear(z, ca[k], ra[k]) + ha[k]
        zb = bilinear(z, cb[k], rb[k]) + hb[k]
        dc = cb[k] - ca[k]
        dr = rb[k] - ra[k]
        length = math.sqrt(dc * dc + dr * dr) * cell_size_m
        n = max(2, math.ceil(length / spacing_m) + 1)
        best_ratio = np.inf
        best_d = 0.0
        best_clear = np.inf
        for s in range(1, n - 1):
            t = s / (n - 1)
            d1 = t * length
            d2 = length - d1
            ground = bilinear(z, ca[k] + t * dc, ra[k] + t * dr)
            clear = za + (zb - za) * t - (ground + d1 * d2 * inv_2kr)
            radius = math.sqrt(wavelength_m * d1 * d2 / length)
            q = clear / radius
            if q < best_ratio:
                best_ratio = q
                best_d = d1
            best_clear = min(best_clear, clear)
        los[k] = best_clear >= 0.0
        ratio[k] = best_ratio
        worst_d[k] = best_d
        min_clear[k] = best_clear
