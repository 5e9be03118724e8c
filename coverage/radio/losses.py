"""Closed-form losses in Python: free space (ITU-R P.525-4) and one knife edge (ITU-R P.526-15).

The propagation models of :mod:`coverage.radio.propagation` (which re-exports both
functions) evaluate the same formulas in compiled code, in :mod:`coverage.radio._kernels`;
these are the reference versions, for link budgets such as
:class:`coverage.planning.linkgraph.LinkBudget` and for tests.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from coverage.errors import InputError
from coverage.radio._kernels.propagation import C_M_S

__all__ = ["free_space_loss_db", "knife_edge_loss_db"]


def free_space_loss_db(distance_m: ArrayLike, f_mhz: float | ArrayLike) -> NDArray[np.float64]:
    """Free-space basic transmission loss (dB), ITU-R P.525-4 eq. (8).

    ``L = 20 log10(4 pi d / lambda)``, i.e. 32.45 + 20 log10 f(MHz) + 20 log10 d(km).

    Parameters
    ----------
    distance_m
        Path length(s) (m), > 0.
    f_mhz
        Frequency (MHz), > 0; a scalar or an array that broadcasts with ``distance_m``.

    Returns
    -------
    numpy.ndarray
        Loss (dB), the broadcast shape of the inputs.

    Raises
    ------
    InputError
        A distance or frequency that is not positive.
    """
    d = np.asarray(distance_m, dtype=np.float64)
    f = np.asarray(f_mhz, dtype=np.float64)
    if np.any(d <= 0) or np.any(f <= 0):
        msg = "free_space_loss_db needs positive distances (m) and frequencies (MHz)."
        raise InputError(msg)
    return np.asarray(20.0 * np.log10(4.0 * np.pi * d * f * 1e6 / C_M_S))


def knife_edge_loss_db(v: ArrayLike) -> NDArray[np.float64]:
    """ITU-R P.526-15 eq. (31) knife-edge diffraction loss J(v) (dB); 0 for v <= -0.78.

    Parameters
    ----------
    v
        Dimensionless Fresnel-Kirchhoff diffraction parameter(s) of the edge.

    Returns
    -------
    numpy.ndarray
        J(v) (dB), >= 0, the shape of ``v``.
    """
    vv = np.asarray(v, dtype=np.float64)
    out = 6.9 + 20.0 * np.log10(np.sqrt((vv - 0.1) ** 2 + 1.0) + vv - 0.1)
    return np.asarray(np.where(vv > -0.78, out, 0.0))
