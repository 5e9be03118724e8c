"""Area predictions: path loss from one site over the terrain grid, compiled.

:func:`predict_grid` defaults to SPLAT!'s radial profiles: one profile per radial, shared by
every cell along it, each cell taking the path to the radial sample nearest its centre;
``PredictionSettings(grid_method="cell")`` gives every cell its own profile instead. Work
runs in parallel on all cores (kernels in :mod:`coverage.radio._kernels.prediction`). Cells
closer to the site than two profile steps have no intermediate terrain sample and get
free-space loss. The coverage map (through :mod:`coverage.radio.composite`: best server,
overlap count) uses these functions.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from coverage.errors import InputError
from coverage.inputs.terrain import Terrain
from coverage.radio import itm
from coverage.radio._kernels import prediction as _pk
from coverage.radio.prediction import (
    PredictionSettings,
    _check_site,
    _run_paths,
    _step_m,
    grid_coords,
)

__all__ = ["RADIAL_EXACT_STEPS", "GridPrediction", "path_loss_grid", "predict_grid"]

log = logging.getLogger(__name__)

#: Cells nearer the site than this many profile steps get their own profile in "radial" mode.
RADIAL_EXACT_STEPS = 16
#: ``pick`` of :func:`coverage.radio._kernels.prediction.scatter` that takes values in order.
_NO_PICK = np.empty(0, dtype=np.int64)


def _run_radial(
    terrain: Terrain,
    x_m: float,
    y_m: float,
    tx_height_m: float,
    cells_cf: NDArray[np.float64],
    cells_rf: NDArray[np.float64],
    *,
    settings: PredictionSettings,
) -> tuple[NDArray[np.float32], NDArray[np.int16], NDArray[np.int32], int]:
    """Loss, status and warnings at cell centres by shared radial profiles (SPLAT!'s way).

    Cells nearer than :data:`RADIAL_EXACT_STEPS` steps get their own profile. Each farther
    cell takes the path to the radial sample nearest its centre: radials are spaced so that
    neighbours are at most one cell apart at the farthest cell (so the sample lies within
    half a cell across and half a step along the radial of the centre), and cells sharing a
    sample share its evaluation. Returns the arrays and the number of radials.
    """
    code, params = settings.model.kernel()
    step_m = _step_m(settings, terrain)
    step_cells = step_m / terrain.cell_size_m
    site_cf, site_rf = (float(v) for v in grid_coords(terrain, x_m, y_m))
    dc = cells_cf - site_cf
    dr = cells_rf - site_rf
    near, far, reach_cells = _pk.radial_split(dc, dr, step_cells, float(RADIAL_EXACT_STEPS))
    m = len(cells_cf)
    loss = np.full(m, np.nan, dtype=np.float32)
    status = np.zeros(m, dtype=np.int16)
    warn = np.zeros(m, dtype=np.int32)
    if near.size:
        lo, st, wb = _run_paths(
            terrain, np.array([[x_m, y_m]]), np.array([tx_height_m]), cells_cf[near],
            cells_rf[near], settings=settings, max_distance_m=math.inf, detail=True,
        )  # fmt: skip
        _pk.scatter(near, _NO_PICK, lo[0], st[0], wb[0], loss, status, warn)
    if far.size == 0:
        return loss, status, warn, 0
    n_radials = 8 * math.ceil(2.0 * math.pi * reach_cells / 8.0)  # the 4 axes are radials
    starts, js, inverse = _pk.radial_assign(dc[far], dr[far], step_cells, n_radials)
    theta = np.arange(n_radials) * (2.0 * math.pi / n_radials)
    e = len(js)
    lo = np.full((1, e), np.nan, dtype=np.float32)
    st = np.zeros((1, e), dtype=np.int16)
    wb = np.zeros((1, e), dtype=np.int32)
    order = np.random.default_rng(0).permutation(n_radials).astype(np.int64)
    _pk.radial_kernel(
        terrain.elevation_m, site_cf, site_rf, np.array([float(tx_height_m)]), step_cells,
        step_m, np.cos(theta), np.sin(theta), starts, js, order, _pk.workers(),
        float(settings.rx_height_m), float(settings.f_mhz), code, params, lo, st, wb,
    )  # fmt: skip
    _pk.scatter(far, inverse, lo[0], st[0], wb[0], loss, status, warn)
    return loss, status, warn, n_radials


@dataclass(frozen=True)
class GridPrediction:
    """Path loss from one site over the terrain grid, with what the model said per cell.

    Attributes
    ----------
    loss_db
        Basic transmission loss (dB), float32 on the terrain grid; NaN outside the radius
        (and where ITM refused the path).
    status
        Per cell: for ITM, its mode (1 line of sight, 2 diffraction, 3 troposcatter) plus
        10 x the path geometry (0 LOS, 1 single, 2 double horizon); for the line-of-sight
        model 0 clear / 1 Fresnel-obstructed / 2 blocked; else 0.
    warning_flags
        ITM warning bits per cell (:data:`coverage.radio.itm.WARNINGS`); 0 for other models.
    model
        The model's :meth:`~coverage.radio.propagation.PropagationModel.describe` line.
    """

    loss_db: NDArray[np.float32]
    status: NDArray[np.int16]
    warning_flags: NDArray[np.int32]
    model: str

    def warning_summary(self) -> dict[str, int]:
        """How many cells carry each ITM warning, by its words.

        Returns
        -------
        dict
            Cell count by warning text (:data:`coverage.radio.itm.WARNINGS`), over the cells
            with a finite loss; warnings no cell carries are left out.
        """
        flags = self.warning_flags[np.isfinite(self.loss_db)]
        out = {}
        for bit, words in itm.WARNINGS.items():
            count = int(np.count_nonzero(flags & bit))
            if count:
                out[words] = count
        return out


def _cells_in_radius(
    terrain: Terrain, x_m: float, y_m: float, radius_m: float, mask: NDArray[np.bool_] | None
) -> tuple[NDArray[np.int64], NDArray[np.float64], NDArray[np.float64]]:
    """Flat indices and grid coordinates of the cells whose centres lie within the radius
    (and where ``mask`` is True)."""
    if not radius_m > 0:
        msg = f"radius_m must be > 0, got {radius_m}."
        raise InputError(msg)
    if mask is not None and np.shape(mask) != terrain.shape:
        msg = f"mask has shape {np.shape(mask)}, the terrain {terrain.shape}."
        raise InputError(msg)
    flat, cells_cf, cells_rf = _pk.cells_within(
        *terrain.cell_centers(), float(x_m), float(y_m), float(radius_m),
        np.zeros((0, 0), dtype=bool) if mask is None else np.asarray(mask, dtype=bool),
    )  # fmt: skip
    return flat, cells_cf, cells_rf


def _predict_cells(
    terrain: Terrain,
    x_m: float,
    y_m: float,
    tx_height_m: float,
    cells_cf: NDArray[np.float64],
    cells_rf: NDArray[np.float64],
    settings: PredictionSettings,
) -> tuple[NDArray[np.float32], NDArray[np.int16], NDArray[np.int32], str]:
    """Loss, status and warnings at the cells by ``settings.grid_method``, and the model line."""
    describe = settings.model.describe()
    if settings.grid_method == "cell":
        loss, status, warn = _run_paths(
            terrain, np.array([[x_m, y_m]], dtype=np.float64), np.array([tx_height_m]),
            cells_cf, cells_rf, settings=settings, max_distance_m=math.inf, detail=True,
        )  # fmt: skip
        return loss[0], status[0], warn[0], describe
    loss1, status1, warn1, n_radials = _run_radial(
        terrain, x_m, y_m, tx_height_m, cells_cf, cells_rf, settings=settings
    )
    describe += (
        f"; radial profiles ({n_radials} radials, each cell from the sample nearest its "
        f"centre; own profiles within {RADIAL_EXACT_STEPS} steps)"
        if n_radials
        else f"; one profile per cell (all within {RADIAL_EXACT_STEPS} steps of the site)"
    )
    return loss1, status1, warn1, describe


def predict_grid(
    terrain: Terrain,
    x_m: float,
    y_m: float,
    *,
    tx_height_m: float,
    radius_m: float,
    settings: PredictionSettings,
    mask: NDArray[np.bool_] | None = None,
) -> GridPrediction:
    """Path loss, model status and ITM warnings from one site over the terrain grid.

    ITM warnings are kept per cell and a count per warning is logged.

    Parameters
    ----------
    terrain
        The terrain grid (projected, metres).
    x_m, y_m
        Site position in the terrain's CRS (m).
    tx_height_m
        Site antenna height above ground (m).
    radius_m
        Cells whose centres lie farther than this (m) get NaN.
    settings
        Receiver height (m), frequency (MHz), model, profile step (m) and grid method.
    mask
        Optional boolean grid: only cells where it is True are computed (e.g. the planning
        area), the rest are NaN.

    Returns
    -------
    GridPrediction
        Loss (dB), status and ITM warning flags per cell, and the model's description.

    Raises
    ------
    InputError
        The site off the grid, a negative height, ``radius_m <= 0`` or a mask of the wrong
        shape.
    """
    _check_site(terrain, x_m, y_m, tx_height_m)
    flat, cells_cf, cells_rf = _cells_in_radius(terrain, x_m, y_m, radius_m, mask)
    loss, status, warn, describe = _predict_cells(
        terrain, x_m, y_m, float(tx_height_m), cells_cf, cells_rf, settings
    )
    out = np.full(terrain.shape, np.nan, dtype=np.float32)
    st = np.zeros(terrain.shape, dtype=np.int16)
    wf = np.zeros(terrain.shape, dtype=np.int32)
    _pk.scatter(flat, _NO_PICK, loss, status, warn, out.ravel(), st.ravel(), wf.ravel())
    pred = GridPrediction(out, st, wf, describe)
    if log.isEnabledFor(logging.INFO) and warn.any():
        log.info("ITM warnings over %d cells: %s", len(flat), pred.warning_summary())
    return pred


def path_loss_grid(
    terrain: Terrain,
    x_m: float,
    y_m: float,
    *,
    tx_height_m: float,
    radius_m: float,
    settings: PredictionSettings,
    mask: NDArray[np.bool_] | None = None,
) -> NDArray[np.float32]:
    """Path loss (dB) from one site to every cell within ``radius_m``, on the terrain grid.

    Parameters
    ----------
    terrain, x_m, y_m, tx_height_m, radius_m, settings, mask
        As for :func:`predict_grid`.

    Returns
    -------
    NDArray[np.float32]
        Loss (dB) per cell; NaN outside the radius. Use :func:`predict_grid` for ITM's
        warnings and modes per cell.

    Raises
    ------
    InputError
        As for :func:`predict_grid`.
    """
    return predict_grid(
        terrain,
        x_m,
        y_m,
        tx_height_m=tx_height_m,
        radius_m=radius_m,
        settings=settings,
        mask=mask,
    ).loss_db
