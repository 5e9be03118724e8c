"""ITM reference attenuation A_ref: line of sight, diffraction and troposcatter, compiled.

Part of this project's ITM 1.2.2 (see :mod:`coverage.radio.itm` for the model and its tests):
G. A. Hufford, "The ITS Irregular Terrain Model, version 1.2.2: The Algorithm", NTIA/ITS
(1995), section 4: the two-ray line-of-sight formula with rough-ground reflection (§4.3),
the blend of knife-edge and Vogler's three-radii smooth-earth diffraction (§4.2) and the
troposcatter formula with the frequency-gain function H_0 (§4.4). :func:`_longley_rice`
joins them into A_ref over the path distance.

The two diffraction distances d3 and d4 that fix the diffraction line share every term that
does not depend on the distance (the horizon radii, Vogler's height-gain terms, the
clutter term); :func:`_diffraction_pair` computes those once.
"""

from __future__ import annotations

import math

from coverage.radio._kernels import numba
from coverage.radio.itm.variability import _terrain_roughness

_A_0_M = 6370e3  # Vogler's 4/3-earth reference radius basis (ITM a_0)
_SQRT2 = math.sqrt(2.0)


@numba.njit(cache=True, error_model="numpy")
def _fresnel_integral(v2: float) -> float:
    if v2 < 5.76:
        return 6.02 + 9.11 * math.sqrt(v2) - 1.27 * v2
    return 12.953 + 10.0 * math.log10(v2)


@numba.njit(cache=True, error_model="numpy")
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


@numba.njit(cache=True, error_model="numpy")
def _sigma_h(dh: float) -> float:
    return 0.78 * dh * math.exp(-0.5 * math.sqrt(math.sqrt(dh)))  # dh ** 0.25, cheaper than a power


@numba.njit(cache=True, error_model="numpy")
def _diffraction_at(
    d: float,
    dl0: float,
    dl1: float,
    a_e: float,
    theta_los: float,
    f_mhz: float,
    f3: float,
    azg: float,
    x12: float,
    g12: float,
    term1: float,
    d_ml: float,
    dh: float,
    a_fo: float,
) -> float:
    """Diffraction attenuation at distance d (m) from the distance-free terms [Algorithm §4.2]."""
    theta_nlos = d / a_e - theta_los
    d_nlos = d - d_ml
    wn = f_mhz / 47.7
    v1 = 0.0795775 * wn * theta_nlos**2 * dl0 * d_nlos / (d_nlos + dl0)
    v2 = 0.0795775 * wn * theta_nlos**2 * dl1 * d_nlos / (d_nlos + dl1)
    a_k = _fresnel_integral(v1) + _fresnel_integral(v2)
    a0 = (d - d_ml) / (d / a_e - theta_los)
    dk0 = a0 * theta_nlos / 1000.0
    c0 = ((4.0 / 3.0) * _A_0_M / a0) ** (1.0 / 3.0)
    k0 = 0.017778 * c0 / f3 / azg
    x0 = (1.607 - k0) * c0 * c0 * f3 * dk0 + x12
    g_x = 0.05751 * x0 - 10.0 * math.log10(x0)
    a_se = g_x - g12 - 20.0
    dhd = _terrain_roughness(d, dh)
    q = (term1 + (-theta_los * a_e + d_ml) / d) * min(dhd * wn, 6283.2)
    w = 25.1 / (25.1 + math.sqrt(q))
    return w * a_se + (1.0 - w) * a_k + a_fo


@numba.njit(cache=True, error_model="numpy")
def _diffraction_pair(
    d3: float,
    d4: float,
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
    f3: float,
) -> tuple[float, float]:
    """Diffraction attenuation (dB) at d3 and d4: knife-edge and Vogler smooth-earth blend.

    [Algorithm §4.2]; the terms that do not depend on the distance are computed once
    (``f3`` is f_mhz^(1/3)).
    """
    d_ml = dl0 + dl1
    # smooth earth, Vogler 3-radii: the two horizon radii
    a1 = 0.5 * dl0 * dl0 / he0
    a2 = 0.5 * dl1 * dl1 / he1
    dk1 = dl0 / 1000.0
    dk2 = dl1 / 1000.0
    azg = abs(zg)
    c1 = ((4.0 / 3.0) * _A_0_M / a1) ** (1.0 / 3.0)
    c2 = ((4.0 / 3.0) * _A_0_M / a2) ** (1.0 / 3.0)
    k1 = 0.017778 * c1 / f3 / azg
    k2 = 0.017778 * c2 / f3 / azg
    x1 = (1.607 - k1) * c1 * c1 * f3 * dk1
    x2 = (1.607 - k2) * c2 * c2 * f3 * dk2
    x12 = x1 + x2
    g12 = _height_function(x1, k1) + _height_function(x2, k2)

    sigma_hd = _sigma_h(_terrain_roughness(d_sml, dh))
    a_fo = min(15.0, 5.0 * math.log10(1.0 + 1e-5 * h0 * h1 * f_mhz * sigma_hd))
    q = h0 * h1
    qk = he0 * he1 - q
    if p2p:
        q += 10.0
    term1 = math.sqrt(1.0 + qk / q)
    a3 = _diffraction_at(
        d3, dl0, dl1, a_e, theta_los, f_mhz, f3, azg, x12, g12, term1, d_ml, dh, a_fo
    )
    a4 = _diffraction_at(
        d4, dl0, dl1, a_e, theta_los, f_mhz, f3, azg, x12, g12, term1, d_ml, dh, a_fo
    )
    return a3, a4


@numba.njit(cache=True, error_model="numpy")
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


@numba.njit(cache=True, error_model="numpy")
def _h0_curve(j: int, r: float) -> float:
    a = (25.0, 80.0, 177.0, 395.0, 705.0)
    b = (24.0, 45.0, 68.0, 80.0, 105.0)
    return 10.0 * math.log10(1.0 + a[j] * r**-4 + b[j] * r**-2)


@numba.njit(cache=True, error_model="numpy")
def _h0_function(r: float, eta_s: float) -> float:
    eta_s = min(max(eta_s, 1.0), 5.0)
    i = int(eta_s)
    q = eta_s - i
    result = _h0_curve(i - 1, r)
    if q != 0.0:
        result = (1.0 - q) * result + q * _h0_curve(i, r)
    return result


@numba.njit(cache=True, error_model="numpy")
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


@numba.njit(cache=True, error_model="numpy")
def _longley_rice(
    th0: float,
    th1: float,
    ft: tuple[float, float, float, float, float, float],
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
    """Reference attenuation A_ref (dB), mode, warning bits, error code [Algorithm §4].

    ``ft`` are :func:`coverage.radio.itm.variability.frequency_terms` of the frequency.
    """
    f_mhz = ft[0]
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
    a3, a4 = _diffraction_pair(
        d3, d4, dl0, dl1, he0, he1, zg, a_e, dh, h0, h1, p2p, theta_los, d_sml, f_mhz, ft[1]
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
    elif d <= min(max(d_sml, d_ml + 1.088 * scale * ft[2]), 10e6):
        # d_x, where troposcatter takes over, is never below this bound (see below), so the
        # path is in diffraction whatever the troposcatter terms are: skip computing them
        a_ref = m_d * d + a_d0
        mode = 2
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
                max(d_sml, d_ml + 1.088 * scale * ft[2]),
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
