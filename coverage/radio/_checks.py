"""Input checks shared by :mod:`coverage.radio.visibility` and :mod:`coverage.radio.clearance`.

Private to :mod:`coverage.radio`: each turns user input into the arrays the compiled kernels
take, or raises :class:`~coverage.errors.InputError` with the fix in the message.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from coverage.errors import InputError


def check_k_factor(k_factor: float) -> None:
    """Refuse an effective Earth-radius factor that is not > 0 (``inf``: no curvature).

    Parameters
    ----------
    k_factor
        The factor to check (4/3 for the standard atmosphere).

    Raises
    ------
    InputError
        ``k_factor`` is not > 0 (NaN included).
    """
    if not k_factor > 0:
        msg = (
            f"k_factor must be > 0 (4/3 for the standard atmosphere, inf for none), got {k_factor}."
        )
        raise InputError(msg)


def as_heights_m(heights: ArrayLike, n: int, what: str) -> NDArray[np.float64]:
    """Antenna heights as a new (n,) float array.

    Parameters
    ----------
    heights
        Heights above ground (m), one per site or one for all.
    n
        How many sites.
    what
        The argument's name, for the error message.

    Returns
    -------
    NDArray[np.float64]
        (n,) heights (m), a copy.

    Raises
    ------
    InputError
        A non-finite height.
    """
    h = np.broadcast_to(np.asarray(heights, dtype=np.float64), (n,)).copy()
    if not np.isfinite(h).all():
        msg = f"{what} must be finite metres above ground; got non-finite values."
        raise InputError(msg)
    return h


def as_points_xy(xy: ArrayLike, what: str) -> NDArray[np.float64]:
    """Map points as an (N, 2) float array of finite x, y.

    Parameters
    ----------
    xy
        (N, 2) coordinates (m) in the terrain's CRS.
    what
        The argument's name, for the error message.

    Returns
    -------
    NDArray[np.float64]
        (N, 2) coordinates (m).

    Raises
    ------
    InputError
        Not (N, 2), or a non-finite coordinate.
    """
    arr = np.asarray(xy, dtype=np.float64)
    if arr.ndim != 2 or arr.shape[1] != 2:
        msg = f"{what} must be an (N, 2) array of x, y in metres; got shape {arr.shape}."
        raise InputError(msg)
    if not np.isfinite(arr).all():
        msg = f"{what} has non-finite coordinates; drop or fix those points."
        raise InputError(msg)
    return arr
