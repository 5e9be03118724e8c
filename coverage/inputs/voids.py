"""DEM voids: nodata cells filled from their nearest valid neighbour, and counted.

SRTM v1/v2 and other raw surface models have voids (nodata) over steep slopes, water and
radar shadow. The planner needs an elevation in every cell, so :func:`fill_voids` gives each
void the elevation of the nearest valid cell and reports how many it filled; the
:class:`~coverage.inputs.terrain.Terrain` carries that count.
"""

from __future__ import annotations

import logging

import numpy as np
from numpy.typing import NDArray

from coverage.errors import InputError

__all__ = ["fill_voids"]

log = logging.getLogger(__name__)


def fill_voids(elev: NDArray[np.float32], what: str) -> tuple[NDArray[np.float32], int]:
    """Fill NaN cells from their nearest valid neighbour.

    Parameters
    ----------
    elev
        Elevations (m), NaN (or infinite) in the voids.
    what
        The DEM file(s), for the messages.

    Returns
    -------
    filled, n_voids
        The elevations (m, float32) with every void filled, and how many cells were voids.

    Raises
    ------
    InputError
        Every cell is a void.
    """
    bad = ~np.isfinite(elev)
    n_bad = int(bad.sum())
    if n_bad == 0:
        return elev, 0
    if n_bad == elev.size:
        msg = (
            f"DEM {what}: every cell over the area is nodata. Check the nodata value "
            "(`gdalinfo -stats`) and that the DEM covers the area of interest."
        )
        raise InputError(msg)
    from scipy import ndimage  # only when there are voids (keeps command start-up light)

    idx = ndimage.distance_transform_edt(bad, return_distances=False, return_indices=True)
    filled = elev[tuple(idx)]
    log.warning("DEM %s: filled %d void cells from their nearest valid neighbour", what, n_bad)
    return filled.astype(np.float32), n_bad
