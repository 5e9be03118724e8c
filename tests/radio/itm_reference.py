"""Frozen pure-Python copy of the ITM point-to-point core as it was before the speed work.

This is ``coverage/radio/itm/__init__.py`` (ITM 1.2.2, Hufford 1995; see there for the references) and the
profile sampling of ``coverage/radio/prediction.py`` at commit 43977d8, without numba, kept as the
slow reference that the regression tests of the compiled core compare against (to 0.01 dB)
on real and synthetic paths. Do not edit: it documents the results before the change.
The benchmarks compile it with numba to time the old core against the new one.
"""

# ruff: noqa
# mypy: ignore-errors
from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

_A_0_M = 6370e3  # Vogler's 4/3-earth reference radius basis (ITM a_0)
_A_9000_M = 9000e3  # effective radius used by the variability (ITM a_9000)
_GAMMA_A = 157e-9  # actual earth curvature (1/m)
_SQRT2 = math.sqrt(2.0)


# ---------------------------------------------------------------------------------------------
# compiled core
# ---------------------------------------------------------------------------------------------
def _lls(z: NDArray[np.float64], xi: float, d_start: float, d_end: float) -> tuple[float, float]:
    """Least-squares line over z between two distances; values at both path ends."""
    np_ = len(z) - 1
    i_start = int(max(d_start / xi, 0.0))
    i_end = np_ - int(max(np_ - d_end / xi, 0.0))
    if i_end <= i_start:
        i_start = int(max(i_start - 1.0, 0.0))
        i_end = np_ - int(max(np_ - (i_end + 1.0), 0.0))
    x_length = float(i_end - i_start)
    mid = -0.5 * x_length
    mid_end = i_end + mid
    sum_y = 0.5 * (z[i_start] + z[i_end])
    scaled = 0.5 * (z[i_start] - z[i_end]) * mid
    k = i_start
    for _ in range(2, int(x_length) + 1):
        k += 1
        mid += 1.0
        sum_y += z[k]
        scaled += z[k] * mid
    sum_y = sum_y / x_length
    scaled = scaled * 12.0 / ((x_length * x_length + 2.0) * x_length)
    return sum_y - scaled * mid_end, sum_y + scaled * (np_ - mid_end)


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


def _delta_h(z: NDArray[np.float64], xi: float, d_start: float, d_end: float) -> float:
    """Terrain irregularity Δh: interdecile range of the detrended profile [Algorithm §3]."""
    np_ = len(z) - 1
    x_start = d_start / xi
    x_end = d_end / xi
    if x_end - x_start < 2.0:
        return 0.0
    p10 = int(0.1 * (x_end - x_start + 8.0))
    p10 = min(max(4, p10), 25)
    n = 10 * p10 - 5
    np_s = float(n - 1)
    s = np.empty(n)
    step = (x_end - x_start) / np_s
    i = int(x_start)
    x_start -= float(i + 1.0)
    for j in range(n):
        while x_start > 0.0 and (i + 1) < np_:
            x_start -= 1.0
            i += 1
        s[j] = z[i + 1] + (z[i + 1] - z[i]) * x_start
        x_start += step
    fit1, fit2 = _lls(s, 1.0, 0.0, np_s)
    slope = (fit2 - fit1) / np_s
    for j in range(n):
        s[j] = s[j] - fit1
        fit1 += slope
    # q10 is the p10-th largest value, q90 the (p90+1)-th largest (NTIA's nth_element)
    q10 = _kth_smallest(s, n - p10)
    q90 = _kth_smallest(s, p10 - 1)
    dhd = q10 - q90
    return dhd / (1.0 - 0.8 * math.exp(-(d_end - d_start) / 50e3))


def _fresnel_integral(v2: float) -> float:
    if v2 < 5.76:
        return 6.02 + 9.11 * math.sqrt(v2) - 1.27 * v2
    return 12.953 + 10.0 * math.log10(v2)


def _height_function(x_km: float, k: float) -> float:
    if x_km < 200.0:
        w = -math.log(k)
        if k < 1e-5 or x_km * w**3 > 5495.0:
            result = -117.0
            if x_km > 1.0:
                result = 17.372 * math.log(x_km) + result
        else:
            result = 2.5e-5 * x_km * x_km / k - 8.686 * w - 15.0
    else:
        result = 0.05751 * x_km - 4.343 * math.log(x_km)
        if x_km < 2000.0:
            w = 0.0134 * x_km * math.exp(-0.005 * x_km)
            result = (1.0 - w) * result + w * (17.372 * math.log(x_km) - 117.0)
    return result


def _terrain_roughness(d: float, dh: float) -> float:
    return dh * (1.0 - 0.8 * math.exp(-d / 50e3))


def _sigma_h(dh: float) -> float:
    return 0.78 * dh * math.exp(-0.5 * dh**0.25)


def _diffraction_loss(
    d: float,
    dl0: float,
    dl1: float,
    he0: float,
    he1: float,
    zg: complex,
    a_e: float,
    dh: float,
    h0: float,
    h1: float,
    p2p: bool,
    theta_los: float,
    d_sml: float,
    f_mhz: float,
) -> float:
    """Diffraction attenuation: knife-edge and Vogler smooth-earth blend [Algorithm §4.2]."""
    d_ml = dl0 + dl1
    theta_nlos = d / a_e - theta_los
    d_nlos = d - d_ml
    wn = f_mhz / 47.7
    v1 = 0.0795775 * wn * theta_nlos**2 * dl0 * d_nlos / (d_nlos + dl0)
    v2 = 0.0795775 * wn * theta_nlos**2 * dl1 * d_nlos / (d_nlos + dl1)
    a_k = _fresnel_integral(v1) + _fresnel_integral(v2)

    # smooth earth, Vogler 3-radii
    a0 = (d - d_ml) / (d / a_e - theta_los)
    a1 = 0.5 * dl0 * dl0 / he0
    a2 = 0.5 * dl1 * dl1 / he1
    dk0 = a0 * theta_nlos / 1000.0
    dk1 = dl0 / 1000.0
    dk2 = dl1 / 1000.0
    f3 = f_mhz ** (1.0 / 3.0)
    azg = abs(zg)
    c0 = ((4.0 / 3.0) * _A_0_M / a0) ** (1.0 / 3.0)
    c1 = ((4.0 / 3.0) * _A_0_M / a1) ** (1.0 / 3.0)
    c2 = ((4.0 / 3.0) * _A_0_M / a2) ** (1.0 / 3.0)
    k0 = 0.017778 * c0 / f3 / azg
    k1 = 0.017778 * c1 / f3 / azg
    k2 = 0.017778 * c2 / f3 / azg
    x1 = (1.607 - k1) * c1 * c1 * f3 * dk1
    x2 = (1.607 - k2) * c2 * c2 * f3 * dk2
    x0 = (1.607 - k0) * c0 * c0 * f3 * dk0 + x1 + x2
    g_x = 0.05751 * x0 - 10.0 * math.log10(x0)
    a_se = g_x - _height_function(x1, k1) - _height_function(x2, k2) - 20.0

    sigma_hd = _sigma_h(_terrain_roughness(d_sml, dh))
    a_fo = min(15.0, 5.0 * math.log10(1.0 + 1e-5 * h0 * h1 * f_mhz * sigma_hd))
    dhd = _terrain_roughness(d, dh)
    q = h0 * h1
    qk = he0 * he1 - q
    if p2p:
        q += 10.0
    term1 = math.sqrt(1.0 + qk / q)
    q = (term1 + (-theta_los * a_e + d_ml) / d) * min(dhd * wn, 6283.2)
    w = 25.1 / (25.1 + math.sqrt(q))
    return w * a_se + (1.0 - w) * a_k + a_fo


def _los_loss(
    d: float,
    he0: float,
    he1: float,
    zg: complex,
    dh: float,
    m_d: float,
    a_d0: float,
    d_sml: float,
    f_mhz: float,
) -> float:
    """Line-of-sight attenuation: two-ray with rough-ground reflection [Algorithm §4.3]."""
    sigma_hd = _sigma_h(_terrain_roughness(d, dh))
    wn = f_mhz / 47.7
    sin_psi = (he0 + he1) / math.sqrt(d * d + (he0 + he1) ** 2)
    r_e = (sin_psi - zg) / (sin_psi + zg) * math.exp(-min(10.0, wn * sigma_hd * sin_psi))
    q = r_e.real**2 + r_e.imag**2
    if q < 0.25 or q < sin_psi:
        r_e = r_e * math.sqrt(sin_psi / q)
    delta_phi = wn * 2.0 * he0 * he1 / d
    if delta_phi > math.pi / 2.0:
        delta_phi = math.pi - (math.pi / 2.0) ** 2 / delta_phi
    rr = complex(math.cos(delta_phi), -math.sin(delta_phi)) + r_e
    a_t = -10.0 * math.log10(rr.real**2 + rr.imag**2)
    a_d = m_d * d + a_d0
    w = 1.0 / (1.0 + f_mhz * dh / max(10e3, d_sml))
    return w * a_t + (1.0 - w) * a_d


def _h0_curve(j: int, r: float) -> float:
    a = (25.0, 80.0, 177.0, 395.0, 705.0)
    b = (24.0, 45.0, 68.0, 80.0, 105.0)
    return 10.0 * math.log10(1.0 + a[j] * r**-4 + b[j] * r**-2)


def _h0_function(r: float, eta_s: float) -> float:
    eta_s = min(max(eta_s, 1.0), 5.0)
    i = int(eta_s)
    q = eta_s - i
    result = _h0_curve(i - 1, r)
    if q != 0.0:
        result = (1.0 - q) * result + q * _h0_curve(i, r)
    return result


def _troposcatter_loss(
    d: float,
    th0: float,
    th1: float,
    dl0: float,
    dl1: float,
    he0: float,
    he1: float,
    a_e: float,
    n_s: float,
    f_mhz: float,
    theta_los: float,
    h0_prev: float,
) -> tuple[float, float]:
    """Troposcatter attenuation [Algorithm §4.4]; returns (loss, H_0) to reuse H_0."""
    wn = f_mhz / 47.7
    if h0_prev > 15.0:
        h_0 = h0_prev
    else:
        ad = dl0 - dl1
        rr = he1 / he0
        if ad < 0.0:
            ad = -ad
            rr = 1.0 / rr
        theta = th0 + th1 + d / a_e
        r1 = 2.0 * wn * theta * he0
        r2 = 2.0 * wn * theta * he1
        if r1 < 0.2 and r2 < 0.2:
            return 1001.0, h0_prev
        s = (d - ad) / (d + ad)
        q = min(max(0.1, rr / s), 10.0)
        s = max(0.1, s)
        h0m = (d - ad) * (d + ad) * theta * 0.25 / d
        eta_s = (h0m / 1.7556e3) * (
            1.0
            + (0.031 - n_s * 2.32e-3 + n_s * n_s * 5.67e-6)
            * math.exp(-(min(1.7, h0m / 8.0e3) ** 6))
        )
        h00 = (_h0_function(r1, eta_s) + _h0_function(r2, eta_s)) / 2.0
        dh0 = min(h00, 6.0 * (0.6 - math.log10(max(eta_s, 1.0))) * math.log10(s) * math.log10(q))
        h_0 = max(h00 + dh0, 0.0)
        if eta_s < 1.0:
            h_0 = eta_s * h_0 + (1.0 - eta_s) * 10.0 * math.log10(
                ((1.0 + _SQRT2 / r1) * (1.0 + _SQRT2 / r2)) ** 2
                * (r1 + r2)
                / (r1 + r2 + 2 * _SQRT2)
            )
        if h_0 > 15.0 and h0_prev >= 0.0:
            h_0 = h0_prev
    th = d / a_e - theta_los
    td = th * d
    if td <= 10e3:
        f0 = 133.4 + 0.332e-3 * td - 10.0 * math.log10(td)
    elif td <= 70e3:
        f0 = 104.6 + 0.212e-3 * td - 2.5 * math.log10(td)
    else:
        f0 = 71.8 + 0.157e-3 * td + 5.0 * math.log10(td)
    loss = f0 + 10.0 * math.log10(wn * 47.7 * th**4) - 0.1 * (n_s - 301.0) * math.exp(-td / 40e3)
    return loss + h_0, h_0


def _longley_rice(
    th0: float,
    th1: float,
    f_mhz: float,
    zg: complex,
    dl0: float,
    dl1: float,
    he0: float,
    he1: float,
    gamma_e: float,
    n_s: float,
    dh: float,
    h0: float,
    h1: float,
    d: float,
    p2p: bool,
) -> tuple[float, int, int, int]:
    """Reference attenuation A_ref (dB), mode, warning bits, error code [Algorithm §4]."""
    warn = 0
    a_e = 1.0 / gamma_e
    dls0 = math.sqrt(2.0 * he0 * a_e)
    dls1 = math.sqrt(2.0 * he1 * a_e)
    d_sml = dls0 + dls1
    d_ml = dl0 + dl1
    theta_los = -max(th0 + th1, -d_ml / a_e)
    if abs(th0) > 200e-3:
        warn |= 0x0080
    if abs(th1) > 200e-3:
        warn |= 0x0100
    if dl0 < 0.1 * dls0:
        warn |= 0x0200
    if dl1 < 0.1 * dls1:
        warn |= 0x0400
    if dl0 > 3.0 * dls0:
        warn |= 0x0800
    if dl1 > 3.0 * dls1:
        warn |= 0x1000
    if n_s < 150.0:
        return 0.0, 0, warn, 1
    if n_s > 400.0:
        return 0.0, 0, warn, 2
    if n_s < 250.0:
        warn |= 0x4000
    if a_e < 4000000.0 or a_e > 13333333.0:
        return 0.0, 0, warn, 3
    if zg.real <= abs(zg.imag):
        return 0.0, 0, warn, 4

    scale = (a_e * a_e / f_mhz) ** (1.0 / 3.0)
    d3 = max(d_sml, d_ml + 5.0 * scale)
    d4 = d3 + 10.0 * scale
    a3 = _diffraction_loss(
        d3, dl0, dl1, he0, he1, zg, a_e, dh, h0, h1, p2p, theta_los, d_sml, f_mhz
    )
    a4 = _diffraction_loss(
        d4, dl0, dl1, he0, he1, zg, a_e, dh, h0, h1, p2p, theta_los, d_sml, f_mhz
    )
    m_d = (a4 - a3) / (d4 - d3)
    a_d0 = a3 - m_d * d3

    if d < abs(he0 - he1) / 200e-3:
        warn |= 0x0020
    if d < 1e3:
        warn |= 0x0040
    if d > 1000e3:
        warn |= 0x0008
    if d > 2000e3:
        warn |= 0x0010

    if d < d_sml:
        a_sml = d_sml * m_d + a_d0
        d0 = 0.04 * f_mhz * he0 * he1
        if a_d0 >= 0.0:
            d0 = min(d0, 0.5 * d_ml)
            d1 = d0 + 0.25 * (d_ml - d0)
        else:
            d1 = max(-a_d0 / m_d, 0.25 * d_ml)
        a1 = _los_loss(d1, he0, he1, zg, dh, m_d, a_d0, d_sml, f_mhz)
        flag = False
        k1 = 0.0
        k2 = 0.0
        if d0 < d1:
            a0 = _los_loss(d0, he0, he1, zg, dh, m_d, a_d0, d_sml, f_mhz)
            q = math.log(d_sml / d0)
            k2 = max(
                0.0,
                ((d_sml - d0) * (a1 - a0) - (d1 - d0) * (a_sml - a0))
                / ((d_sml - d0) * math.log(d1 / d0) - (d1 - d0) * q),
            )
            flag = a_d0 > 0.0 or k2 > 0.0
            if flag:
                k1 = (a_sml - a0 - k2 * q) / (d_sml - d0)
                if k1 < 0.0:
                    k1 = 0.0
                    k2 = max(a_sml - a0, 0.0) / q
                    if k2 == 0.0:
                        k1 = m_d
        if not flag:
            k1 = max(a_sml - a1, 0.0) / (d_sml - d1)
            k2 = 0.0
            if k1 == 0.0:
                k1 = m_d
        a_o = a_sml - k1 * d_sml - k2 * math.log(d_sml)
        a_ref = a_o + k1 * d + k2 * math.log(d)
        mode = 1
    else:
        d5 = d_ml + 200e3
        d6 = d_ml + 400e3
        a6, h0s = _troposcatter_loss(
            d6, th0, th1, dl0, dl1, he0, he1, a_e, n_s, f_mhz, theta_los, -1.0
        )
        a5, h0s = _troposcatter_loss(
            d5, th0, th1, dl0, dl1, he0, he1, a_e, n_s, f_mhz, theta_los, h0s
        )
        if a5 < 1000.0:
            m_s = (a6 - a5) / 200e3
            d_x = max(
                max(d_sml, d_ml + 1.088 * scale * math.log(f_mhz)),
                (a5 - a_d0 - m_s * d5) / (m_d - m_s),
            )
            a_s0 = (m_d - m_s) * d_x + a_d0
        else:
            m_s = m_d
            a_s0 = a_d0
            d_x = 10e6
        if d > d_x:
            a_ref = m_s * d + a_s0
            mode = 3
        else:
            a_ref = m_d * d + a_d0
            mode = 2
    return max(a_ref, 0.0), mode, warn, 0


def _qerfi(q: float) -> float:
    """Inverse complementary normal CDF, Abramowitz & Stegun 26.2.23."""
    x = q
    if q > 0.5:
        x = 1.0 - x
    t = math.sqrt(-2.0 * math.log(x))
    zeta = ((0.010328 * t + 0.802853) * t + 2.515516) / (
        ((0.001308 * t + 0.189269) * t + 1.432788) * t + 1.0
    )
    out = t - zeta
    if q > 0.5:
        out = -out
    return out


def _curve(c1: float, c2: float, x1: float, x2: float, x3: float, de: float) -> float:
    return (c1 + c2 / (1.0 + ((de - x2) / x3) ** 2)) * (de / x1) ** 2 / (1.0 + (de / x1) ** 2)


# Climate tables of the variability, [Algorithm §5, Table 5.1] / TN101 Fig. 10.13
_ALL_YEAR = np.array(
    [
        [-9.67, -0.62, 1.26, -9.21, -0.62, -0.39, 3.15],
        [12.7, 9.19, 15.5, 9.05, 9.19, 2.86, 857.9],
        [144.9e3, 228.9e3, 262.6e3, 84.1e3, 228.9e3, 141.7e3, 2222.0e3],
        [190.3e3, 205.2e3, 185.2e3, 101.1e3, 205.2e3, 315.9e3, 164.8e3],
        [133.8e3, 143.6e3, 99.8e3, 98.6e3, 143.6e3, 167.4e3, 116.3e3],
    ]
)
_BSM = np.array(
    [
        [2.13, 2.66, 6.11, 1.98, 2.68, 6.86, 8.51],
        [159.5, 7.67, 6.65, 13.11, 7.16, 10.38, 169.8],
        [762.2e3, 100.4e3, 138.2e3, 139.1e3, 93.7e3, 187.8e3, 609.8e3],
        [123.6e3, 172.5e3, 242.2e3, 132.7e3, 186.8e3, 169.6e3, 119.9e3],
        [94.5e3, 136.4e3, 178.6e3, 193.5e3, 133.5e3, 108.9e3, 106.6e3],
    ]
)
_BSP = np.array(
    [
        [2.11, 6.87, 10.08, 3.68, 4.75, 8.58, 8.43],
        [102.3, 15.53, 9.60, 159.3, 8.12, 13.97, 8.19],
        [636.9e3, 138.7e3, 165.3e3, 464.4e3, 93.2e3, 216.0e3, 136.2e3],
        [134.8e3, 143.7e3, 225.7e3, 93.1e3, 135.9e3, 152.0e3, 188.5e3],
        [95.6e3, 98.6e3, 129.7e3, 94.2e3, 113.4e3, 122.7e3, 122.9e3],
    ]
)
_CD = np.array([1.224, 0.801, 1.380, 1.000, 1.224, 1.518, 1.518])
_ZD = np.array([1.282, 2.161, 1.282, 20.0, 1.282, 1.282, 1.282])
_BFM = np.array(
    [
        [1.0, 1.0, 1.0, 1.0, 0.92, 1.0, 1.0],
        [0.0, 0.0, 0.0, 0.0, 0.25, 0.0, 0.0],
        [0.0, 0.0, 0.0, 0.0, 1.77, 0.0, 0.0],
    ]
)
_BFP = np.array(
    [
        [1.0, 0.93, 1.0, 0.93, 0.93, 1.0, 1.0],
        [0.0, 0.31, 0.0, 0.19, 0.31, 0.0, 0.0],
        [0.0, 2.00, 0.0, 1.79, 2.00, 0.0, 0.0],
    ]
)


def _variability(
    time: float,
    location: float,
    situation: float,
    he0: float,
    he1: float,
    dh: float,
    f_mhz: float,
    d: float,
    a_ref: float,
    climate: int,
    mdvar: int,
) -> tuple[float, float, int]:
    """Variability adjustment (dB) [Algorithm §5]; returns (A - A_fs, V_med, warning bits)."""
    warn = 0
    z_t = _qerfi(time / 100.0)
    z_l = _qerfi(location / 100.0)
    z_s = _qerfi(situation / 100.0)
    c = climate - 1
    wn = f_mhz / 47.7
    d_ex = (
        math.sqrt(2 * _A_9000_M * he0)
        + math.sqrt(2 * _A_9000_M * he1)
        + (575.7e12 / wn) ** (1.0 / 3.0)
    )
    de = 130e3 * d / d_ex if d < d_ex else 130e3 + d - d_ex
    md = mdvar
    plus20 = md >= 20
    if plus20:
        md -= 20
    sigma_s = 0.0 if plus20 else 5.0 + 3.0 * math.exp(-de / 100e3)
    plus10 = md >= 10
    if plus10:
        md -= 10
    v_med = _curve(
        _ALL_YEAR[0, c], _ALL_YEAR[1, c], _ALL_YEAR[2, c], _ALL_YEAR[3, c], _ALL_YEAR[4, c], de
    )
    if md == 0:
        z_t = z_s
        z_l = z_s
    elif md == 1:
        z_l = z_s
    elif md == 2:
        z_l = z_t
    if abs(z_t) > 3.10 or abs(z_l) > 3.10 or abs(z_s) > 3.10:
        warn |= 0x2000
    if plus10:
        sigma_l = 0.0
    else:
        dhd = _terrain_roughness(d, dh)
        sigma_l = 10.0 * wn * dhd / (wn * dhd + 13.0)
    y_l = sigma_l * z_l
    q = math.log(0.133 * wn)
    g_minus = _BFM[0, c] + _BFM[1, c] / ((_BFM[2, c] * q) ** 2 + 1.0)
    g_plus = _BFP[0, c] + _BFP[1, c] / ((_BFP[2, c] * q) ** 2 + 1.0)
    s_tm = _curve(_BSM[0, c], _BSM[1, c], _BSM[2, c], _BSM[3, c], _BSM[4, c], de) * g_minus
    s_tp = _curve(_BSP[0, c], _BSP[1, c], _BSP[2, c], _BSP[3, c], _BSP[4, c], de) * g_plus
    s_td = _CD[c] * s_tp
    tgtd = (s_tp - s_td) * _ZD[c]
    if z_t < 0.0:
        sigma_t = s_tm
    elif z_t <= _ZD[c]:
        sigma_t = s_tp
    else:
        sigma_t = s_td + tgtd / z_t
    y_t = sigma_t * z_t
    ys_tmp = sigma_s**2 + y_t**2 / (7.8 + z_s**2) + y_l**2 / (24.0 + z_s**2)
    if md == 0:
        y_r = 0.0
        y_s = math.sqrt(sigma_t**2 + sigma_l**2 + ys_tmp) * z_s
    elif md == 1:
        y_r = y_t
        y_s = math.sqrt(sigma_l**2 + ys_tmp) * z_s
    elif md == 2:
        y_r = math.sqrt(sigma_t**2 + sigma_l**2) * z_t
        y_s = math.sqrt(ys_tmp) * z_s
    else:
        y_r = y_t + y_l
        y_s = math.sqrt(ys_tmp) * z_s
    result = a_ref - v_med - y_r - y_s
    if result < 0.0:
        result = result * (29.0 - result) / (29.0 - 10.0 * result)
    return result, v_med, warn


def _ground_impedance(f_mhz: float, pol: int, eps: float, sigma: float) -> complex:
    ep_r = complex(eps, 18000.0 * sigma / f_mhz)
    zg = np.sqrt(ep_r - 1.0)
    if pol == 1:
        zg = zg / ep_r
    return zg


def _input_warnings(h0: float, h1: float, f_mhz: float) -> int:
    warn = 0
    if h0 < 1.0 or h0 > 1000.0:
        warn |= 0x0001
    if h1 < 1.0 or h1 > 1000.0:
        warn |= 0x0002
    if f_mhz < 40.0 or f_mhz > 10000.0:
        warn |= 0x0004
    return warn


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
    warn = _input_warnings(h0, h1, f_mhz)
    if math.isnan(h_sys):
        p10 = int(0.1 * np_)
        acc = 0.0
        for i in range(p10, np_ - p10 + 1):
            acc += z[i]
        h_sys = acc / (np_ - 2 * p10 + 1)
    n_s = n_0 if h_sys == 0.0 else n_0 * math.exp(-h_sys / 9460.0)
    gamma_e = _GAMMA_A * (1.0 - 0.04665 * math.exp(n_s / 179.3))
    zg = _ground_impedance(f_mhz, pol, eps, sigma)
    a_e = 1.0 / gamma_e
    d = np_ * xi

    # horizons [Algorithm §3, FindHorizons]
    z_tx = z[0] + h0
    z_rx = z[np_] + h1
    th0 = (z_rx - z_tx) / d - d / (2 * a_e)
    th1 = -(z_rx - z_tx) / d - d / (2 * a_e)
    dl0 = d
    dl1 = d
    d_tx = 0.0
    d_rx = d
    for i in range(1, np_):
        d_tx += xi
        d_rx -= xi
        t_tx = (z[i] - z_tx) / d_tx - d_tx / (2 * a_e)
        t_rx = -(z_rx - z[i]) / d_rx - d_rx / (2 * a_e)
        if t_tx > th0:
            th0 = t_tx
            dl0 = d_tx
        if t_rx > th1:
            th1 = t_rx
            dl1 = d_rx

    d_start = min(15.0 * h0, 0.1 * dl0)
    d_end = d - min(15.0 * h1, 0.1 * dl1)
    dh = _delta_h(z, xi, d_start, d_end)
    if dl0 + dl1 > 1.5 * d:
        fit_tx, fit_rx = _lls(z, xi, d_start, d_end)
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
        fit_tx, _dummy = _lls(z, xi, d_start, 0.9 * dl0)
        he0 = h0 + max(z[0] - fit_tx, 0.0)
        _dummy, fit_rx = _lls(z, xi, d - 0.9 * dl1, d_end)
        he1 = h1 + max(z[np_] - fit_rx, 0.0)

    a_ref, mode, w2, err = _longley_rice(
        th0, th1, f_mhz, zg, dl0, dl1, he0, he1, gamma_e, n_s, dh, h0, h1, d, True
    )
    warn |= w2
    # path geometry as NTIA's qkpfl reports it: 0 line of sight, 1 single, 2 double horizon
    q = d - (dl0 + dl1)
    q = max(q - 0.5 * xi, 0.0) - max(-q - 0.5 * xi, 0.0)
    geometry = 0 if q < 0.0 else (1 if q == 0.0 else 2)
    mode = mode + 10 * geometry
    a_fs = 32.45 + 20.0 * math.log10(f_mhz) + 20.0 * math.log10(d / 1000.0)
    if err != 0:
        return np.nan, a_fs, np.nan, np.nan, 0, warn, err
    var, v_med, w3 = _variability(
        time, location, situation, he0, he1, dh, f_mhz, d, a_ref, climate, mdvar
    )
    return a_fs + var, a_fs, a_ref, v_med, mode, warn | w3, 0


def _bilinear(z: NDArray[np.float32], cf: float, rf: float) -> float:
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


def targets_reference(
    z, cell_m, tx_cf, tx_rf, tgt_cf, tgt_rf, step_m, h_tx, h_rx, f_mhz, params, max_dist_m
):
    """Old per-target loop of prediction._targets_kernel for ITM (serial): loss, mode, warnings."""
    m = len(tgt_cf)
    loss = np.full(m, np.nan)
    status = np.zeros(m, dtype=np.int16)
    warn = np.zeros(m, dtype=np.int32)
    for j in range(m):
        dc = tgt_cf[j] - tx_cf
        dr = tgt_rf[j] - tx_rf
        length = math.sqrt(dc * dc + dr * dr) * cell_m
        if length > max_dist_m:
            continue
        n = max(2, math.ceil(length / step_m) + 1)
        prof = np.empty(n)
        for i in range(n):
            t = i / (n - 1)
            prof[i] = _bilinear(z, tx_cf + t * dc, tx_rf + t * dr)
        step = length / (n - 1)
        if n < 3:
            loss[j] = 20.0 * math.log10(
                4.0 * math.pi * max(length, 1.0) * f_mhz * 1e6 / 299_792_458.0
            )
            continue
        out = itm_p2p_core(
            prof,
            step,
            h_tx,
            h_rx,
            f_mhz,
            int(params[0]),
            params[1],
            params[2],
            params[3],
            params[4],
            int(params[5]),
            int(params[6]),
            params[7],
            params[8],
            params[9],
        )
        if out[6] == 0:
            loss[j] = out[0]
            status[j] = out[4]
        warn[j] = out[5]
    return loss, status, warn
