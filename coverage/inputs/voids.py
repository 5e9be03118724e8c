"""DEM voids: nodata cells filled from their nearest valid neighbour, and counted.

SRTM v1/v2 and other raw surface models have voids (nodata) over steep slopes, water and
radar shadow. The planner needs an elevation in every cell, so :func:`fill_voids` gives each
void the elevation of the nearest valid cell and reports how many it filled; the
:class:`~coverage.inputs.terrain.Terrain` carries that count.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from coverage.errors import InputError
from coverage.sections import MAX_VOID_SHARE

if TYPE_CHECKING:
    from coverage.inputs.terrain import Terrain

__all__ = ["MAX_VOID_SHARE", "fill_voids", "void_warning"]

log = logging.getLogger(__name__)


def _percent(share: float) -> str:
    """A share as a percentage that never rounds a few voids down to 0."""
    pct = 100.0 * share
    return f"{pct:.1f} %" if pct >= 0.1 else f"{pct:.2g} %"


def fill_voids(
    elev: NDArray[np.float32],
    what: str,
    *,
    max_share: float = 1.0,
    raise_with: str = "max_void_share in the area file",
) -> tuple[NDArray[np.float32], int]:
    """Fill NaN cells from their nearest valid neighbour.

    Parameters
    ----------
    elev
        Elevations (m), NaN (or infinite) in the voids.
    what
        The DEM file(s), for the messages.
    max_share
        The largest share of void cells (0-1) accepted; 1 (default) accepts any but an
        all-void grid.
    raise_with
        What the user raises to accept more voids, for the message.

    Returns
    -------
    filled, n_voids
        The elevations (m, float32) with every void filled, and how many cells were voids.

    Raises
    ------
    InputError
        Every cell is a void, or more than ``max_share`` of them.
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
    if n_bad > max_share * elev.size:
        msg = (
            f"DEM {what}: {n_bad:,} of {elev.size:,} cells ({_percent(n_bad / elev.size)}) of "
            f"the grid are voids (nodata), more than the {_percent(max_share)} "
            "allowed; filled from their neighbours, the terrain there would be invented. Use a "
            f"void-filled DEM (NASA SRTM v3, SRTMGL1.003, or Copernicus GLO-30), or raise "
            f"{raise_with}."
        )
        raise InputError(msg)
    from scipy import ndimage  # only when there are voids (keeps command start-up light)

    idx = ndimage.distance_transform_edt(bad, return_distances=False, return_indices=True)
    filled = elev[tuple(idx)]
    log.warning("DEM %s: filled %d void cells from their nearest valid neighbour", what, n_bad)
    return filled.astype(np.float32), n_bad


def void_warning(terrain: Terrain) -> str | None:
    """The plan warning for a terrain grid with filled voids.

    Parameters
    ----------
    terrain
        The run's terrain grid.

    Returns
    -------
    str or None
        One sentence naming the DEM file(s), the count and the share of filled cells; None
        when no cell was filled.
    """
    n = terrain.filled_voids
    if n == 0:
        return None
    cells = terrain.elevation_m.size
    return (
        f"DEM {terrain.source}: {n:,} of {cells:,} cells ({_percent(n / cells)}) were voids "
        "filled from their nearest valid neighbour; elevations there are invented."
    )
