"""Area and point predictions: path loss from sites over the terrain grid, compiled.

Point predictions (demand points, the placement's site x demand matrices) give each target
its own straight terrain profile from the site, sampled bilinearly at ``profile_step_m``
(default one cell) exactly as :meth:`coverage.inputs.terrain.Terrain.sample` interpolates, and
evaluate the propagation model of :mod:`coverage.radio.propagation` on it.

Area predictions (:func:`predict_grid`) default to SPLAT!'s radial profiles: one profile
per radial, shared by every cell along it, each cell taking the path to the radial sample
nearest its centre; ``method="cell"`` gives every cell its own profile instead. Work runs
in parallel on all cores (numba ``prange``, kernels in
:mod:`coverage.radio._kernels.prediction`). Cells closer to the site than two profile steps
have no intermediate terrain sample and get free-space loss.

The coverage map (through :mod:`coverage.radio.composite`: best server, overlap count) and the
placement (a site x demand loss matrix) use these functions.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from coverage.errors import InputError
from coverage.inputs.terrain import Terrain
from coverage.radio import itm
from coverage.radio._kernels import prediction as _pk
from coverage.radio.propagation import PropagationModel, get_model

__all__ = [
    "GridPrediction",
    "path_loss_grid",
    "path_loss_matrix",
    "path_loss_options",
    "path_loss_to_points",
    "predict_grid",
]

log = logging.getLogger(__name__)


def _run_paths(
    terrain: Terrain,
    sites_xy: NDArray[np.float64],
    heights_m: NDArray[np.float64],
    targets_cf: NDArray[np.float64],
    targets_rf: NDArray[np.float64],
    *,
    rx_height_m: float,
    f_mhz: float,
    max_distance_m: float,
    mdl: PropagationModel,
    profile_step_m: float | None,
    detail: bool,
) -> tuple[NDArray[np.float32], NDArray[np.int16], NDArray[np.int32]]:
    """Run :func:`coverage.radio._kernels.prediction.paths_kernel` for sites (N, 2) x heights (H,) x targets; (N*H, M) out."""
    code, params = mdl.kernel()
    step = float(profile_step_m) if profile_step_m else terrain.cell_size_m
    site_cf, site_rf = _grid_coords(terrain, sites_xy[:, 0], sites_xy[:, 1])
    n, h, m = len(sites_xy), len(heights_m), len(targets_cf)
    loss = np.full((n * h, m), np.nan, dtype=np.float32)
    shape = (n * h, m) if detail else (1, 1)
    status = np.zeros(shape, dtype=np.int16)
    warn = np.zeros(shape, dtype=np.int32)
    n_chunks = n * ((m + _pk.BLOCK - 1) // _pk.BLOCK)
    order = np.random.default_rng(0).permutation(n_chunks).astype(np.int64)
    if n and m:
        _pk.paths_kernel(
            terrain.elevation_m, terrain.cell_size_m,
            np.ascontiguousarray(site_cf, dtype=np.float64),
            np.ascontiguousarray(site_rf, dtype=np.float64),
            np.ascontiguousarray(heights_m, dtype=np.float64),
            np.ascontiguousarray(targets_cf, dtype=np.float64),
            np.ascontiguousarray(targets_rf, dtype=np.float64),
            step, float(rx_height_m), float(f_mhz), code, params, float(max_distance_m),
            order, _pk.workers(), loss, status, warn,
        )  # fmt: skip
    return loss, status, warn


#: Cells nearer the site than this many profile steps get their own profile in "radial" mode.
RADIAL_EXACT_STEPS = 16
#: Grid methods of :func:`predict_grid`.
GRID_METHODS = ("radial", "cell")


def _run_radial(
    terrain: Terrain,
    x_m: float,
    y_m: float,
    tx_height_m: float,
    cells_cf: NDArray[np.float64],
    cells_rf: NDArray[np.float64],
    *,
    rx_height_m: float,
    f_mhz: float,
    mdl: PropagationModel,
    profile_step_m: float | None,
) -> tuple[NDArray[np.float32], NDArray[np.int16], NDArray[np.int32], int]:
    """Loss, status and warnings at cell centres by shared radial profiles (SPLAT!'s way).

    Cells nearer than :data:`RADIAL_EXACT_STEPS` steps get their own profile. Each farther
    cell takes the path to the radial sample nearest its centre: radials are spaced so that
    neighbours are at most one cell apart at the farthest cell (so the sample lies within
    half a cell across and half a step along the radial of the centre), and cells sharing a
    sample share its evaluation. Returns the arrays and the number of radials.
    """
    code, params = mdl.kernel()
    cell = terrain.cell_size_m
    step_m = float(profile_step_m) if profile_step_m else cell
    step_cells = step_m / cell
    site_cf, site_rf = (float(v) for v in _grid_coords(terrain, x_m, y_m))
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
            cells_rf[near], rx_height_m=rx_height_m, f_mhz=f_mhz, max_distance_m=math.inf,
            mdl=mdl, profile_step_m=profile_step_m, detail=True,
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
        float(rx_height_m), float(f_mhz), code, params, lo, st, wb,
    )  # fmt: skip
    _pk.scatter(far, inverse, lo[0], st[0], wb[0], loss, status, warn)
    return loss, status, warn, n_radials


#: ``pick`` of :func:`coverage.radio._kernels.prediction.scatter` that takes values in order.
_NO_PICK = np.empty(0, dtype=np.int64)


def _resolve(
    model: str | PropagationModel, k_factor: float, params: dict[str, Any]
) -> PropagationModel:
    if isinstance(model, PropagationModel):
        if params:
            msg = f"Model parameters {sorted(params)} given with a model object; set them on it."
            raise InputError(msg)
        return model
    if model in ("los", "knife-edge", "deygout", "bullington"):
        params = {"k_factor": k_factor, **params}
    return get_model(model, **params)


def _grid_coords(
    terrain: Terrain, x_m: ArrayLike, y_m: ArrayLike
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    x = np.asarray(x_m, dtype=np.float64)
    y = np.asarray(y_m, dtype=np.float64)
    cf = (x - terrain.transform.c) / terrain.cell_size_m - 0.5
    rf = (terrain.transform.f - y) / terrain.cell_size_m - 0.5
    return cf, rf


def _check_site(
    terrain: Terrain, x_m: float, y_m: float, tx_height_m: float, rx_height_m: float, f_mhz: float
) -> None:
    problems = []
    if not bool(terrain.contains(x_m, y_m)):
        xmin, ymin, xmax, ymax = terrain.bounds
        problems.append(
            f"site ({x_m:.0f}, {y_m:.0f}) lies outside the terrain grid "
            f"({xmin:.0f}, {ymin:.0f}, {xmax:.0f}, {ymax:.0f}); load terrain with a larger margin"
        )
    if not (tx_height_m >= 0 and rx_height_m >= 0):
        problems.append(f"antenna heights must be >= 0 m, got {tx_height_m}, {rx_height_m}")
    if not f_mhz > 0:
        problems.append(f"f_mhz must be > 0, got {f_mhz}")
    if problems:
        msg = "Prediction inputs: " + "; ".join(problems) + "."
        raise InputError(msg, problems)


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
        """How many cells carry each ITM warning, by its words."""
        flags = self.warning_flags[np.isfinite(self.loss_db)]
        out = {}
        for bit, words in itm.WARNINGS.items():
            count = int(np.count_nonzero(flags & bit))
            if count:
                out[words] = count
        return out


def predict_grid(
    terrain: Terrain,
    x_m: float,
    y_m: float,
    *,
    tx_height_m: float,
    rx_height_m: float,
    f_mhz: float,
    radius_m: float,
    model: str | PropagationModel = "itm",
    k_factor: float = 4.0 / 3.0,
    profile_step_m: float | None = None,
    mask: NDArray[np.bool_] | None = None,
    method: str = "radial",
    **model_params: Any,
) -> GridPrediction:
    """Path loss, model status and ITM warnings from one site over the terrain grid.

    See :func:`path_loss_grid` for the parameters. ITM warnings are kept per cell and a
    count per warning is logged.
    """
    _check_site(terrain, x_m, y_m, tx_height_m, rx_height_m, f_mhz)
    if not radius_m > 0:
        msg = f"radius_m must be > 0, got {radius_m}."
        raise InputError(msg)
    if method not in GRID_METHODS:
        msg = f"method must be one of {GRID_METHODS}, got {method!r}."
        raise InputError(msg)
    mdl = _resolve(model, k_factor, model_params)
    rows, cols = terrain.shape
    if mask is not None and np.shape(mask) != (rows, cols):
        msg = f"mask has shape {np.shape(mask)}, the terrain {(rows, cols)}."
        raise InputError(msg)
    # only the cells whose centres fall within the radius (and the mask)
    flat, cells_cf, cells_rf = _pk.cells_within(
        *terrain.cell_centers(), float(x_m), float(y_m), float(radius_m),
        np.zeros((0, 0), dtype=bool) if mask is None else np.asarray(mask, dtype=bool),
    )  # fmt: skip
    describe = mdl.describe()
    if method == "radial":
        loss, status, warn, n_radials = _run_radial(
            terrain, x_m, y_m, float(tx_height_m), cells_cf, cells_rf, rx_height_m=rx_height_m, f_mhz=f_mhz, mdl=mdl, profile_step_m=profile_step_m,
        )  # fmt: skip
        describe += (
            f"; radial profiles ({n_radials} radials, each cell from the sample nearest its "
            f"centre; own profiles within {RADIAL_EXACT_STEPS} steps)"
            if n_radials
            else f"; one profile per cell (all within {RADIAL_EXACT_STEPS} steps of the site)"
        )
    else:
        loss2, status2, warn2 = _run_paths(
            terrain, np.array([[x_m, y_m]], dtype=np.float64), np.array([float(tx_height_m)]),
            cells_cf, cells_rf, rx_height_m=rx_height_m,
            f_mhz=f_mhz, max_distance_m=math.inf, mdl=mdl, profile_step_m=profile_step_m,
            detail=True,
        )  # fmt: skip
        loss, status, warn = loss2[0], status2[0], warn2[0]
    out = np.full((rows, cols), np.nan, dtype=np.float32)
    st = np.zeros((rows, cols), dtype=np.int16)
    wf = np.zeros((rows, cols), dtype=np.int32)
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
    rx_height_m: float,
    f_mhz: float,
    radius_m: float,
    model: str | PropagationModel = "itm",
    k_factor: float = 4.0 / 3.0,
    profile_step_m: float | None = None,
    mask: NDArray[np.bool_] | None = None,
    method: str = "radial",
    **model_params: Any,
) -> NDArray[np.float32]:
    """Path loss (dB) from one site to every cell within ``radius_m``, on the terrain grid.

    Parameters
    ----------
    terrain
        The terrain grid (projected, metres).
    x_m, y_m
        Site position in the terrain's CRS (m).
    tx_height_m, rx_height_m
        Site antenna and receiver heights above ground (m).
    f_mhz
        Frequency (MHz).
    radius_m
        Cells whose centres lie farther than this (m) get NaN.
    model
        A model name of :func:`coverage.radio.propagation.get_model` or a model object.
    k_factor
        Effective earth-radius factor for the "los" and diffraction models (ITM derives its
        own from the surface refractivity; free space needs none).
    profile_step_m
        Spacing of profile samples (m); default one cell.
    mask
        Optional boolean grid: only cells where it is True are computed (e.g. the planning
        area), the rest are NaN.
    method
        ``"radial"`` (default, SPLAT!'s way): profiles along radials from the site, sampled
        once and shared by every cell along them; each cell takes the path to the radial
        sample nearest its centre (within half a cell across and half a step along), cells
        within :data:`RADIAL_EXACT_STEPS` steps get their own. ``"cell"``: every cell gets
        its own profile ending exactly at its centre (slower, for reference).
    **model_params
        Passed to :func:`coverage.radio.propagation.get_model` (e.g. ``n0``, ``climate``).

    Returns
    -------
    NDArray[np.float32]
        Loss (dB) per cell; NaN outside the radius. Use :func:`predict_grid` for ITM's
        warnings and modes per cell.
    """
    return predict_grid(
        terrain,
        x_m,
        y_m,
        tx_height_m=tx_height_m,
        rx_height_m=rx_height_m,
        f_mhz=f_mhz,
        radius_m=radius_m,
        model=model,
        k_factor=k_factor,
        profile_step_m=profile_step_m,
        mask=mask,
        method=method,
        **model_params,
    ).loss_db


def path_loss_to_points(
    terrain: Terrain,
    x_m: float,
    y_m: float,
    *,
    tx_height_m: float,
    targets_xy: ArrayLike,
    rx_height_m: float,
    f_mhz: float,
    max_distance_m: float,
    model: str | PropagationModel = "itm",
    k_factor: float = 4.0 / 3.0,
    profile_step_m: float | None = None,
    **model_params: Any,
) -> NDArray[np.float64]:
    """Path loss (dB) from one site to each of M points; NaN beyond ``max_distance_m``.

    ``targets_xy`` is an (M, 2) array of x, y in the terrain's CRS (m); points outside the
    grid raise :class:`~coverage.errors.InputError`. Other parameters as
    :func:`path_loss_grid`.
    """
    _check_site(terrain, x_m, y_m, tx_height_m, rx_height_m, f_mhz)
    pts = _targets(terrain, targets_xy)
    mdl = _resolve(model, k_factor, model_params)
    cf, rf = _grid_coords(terrain, pts[:, 0], pts[:, 1])
    loss, _st, _w = _run_paths(
        terrain, np.array([[x_m, y_m]], dtype=np.float64), np.array([float(tx_height_m)]),
        cf, rf, rx_height_m=rx_height_m, f_mhz=f_mhz, max_distance_m=max_distance_m, mdl=mdl,
        profile_step_m=profile_step_m, detail=False,
    )  # fmt: skip
    return loss[0].astype(np.float64)


def _targets(terrain: Terrain, targets_xy: ArrayLike) -> NDArray[np.float64]:
    pts = np.asarray(targets_xy, dtype=np.float64).reshape(-1, 2)
    if pts.size and not terrain.contains(pts[:, 0], pts[:, 1]).all():
        bad = int((~terrain.contains(pts[:, 0], pts[:, 1])).sum())
        msg = f"{bad} target point(s) lie outside the terrain grid; load a larger terrain."
        raise InputError(msg)
    return pts


def path_loss_matrix(
    terrain: Terrain,
    sites_xy: ArrayLike,
    tx_heights_m: ArrayLike,
    targets_xy: ArrayLike,
    *,
    rx_height_m: float,
    f_mhz: float,
    max_distance_m: float,
    model: str | PropagationModel = "itm",
    k_factor: float = 4.0 / 3.0,
    profile_step_m: float | None = None,
    progress: bool = False,
    **model_params: Any,
) -> NDArray[np.float64]:
    """Path loss (dB) from each of N sites to each of M targets, (N, M); NaN beyond range.

    This is what the placement uses. ``tx_heights_m`` has one mast height per site (or a
    scalar). ``progress`` shows a tqdm bar over the sites.
    """
    sites = np.asarray(sites_xy, dtype=np.float64).reshape(-1, 2)
    heights = np.broadcast_to(np.asarray(tx_heights_m, dtype=np.float64), (len(sites),))
    pts = _targets(terrain, targets_xy)
    mdl = _resolve(model, k_factor, model_params)
    cf, rf = _grid_coords(terrain, pts[:, 0], pts[:, 1])
    out = np.full((len(sites), len(pts)), np.nan)
    for i in _site_iterator(len(sites), progress):
        x, y = sites[i]
        _check_site(terrain, float(x), float(y), float(heights[i]), rx_height_m, f_mhz)
        loss, _st, _w = _run_paths(
            terrain, sites[i : i + 1], heights[i : i + 1], cf, rf, rx_height_m=rx_height_m,
            f_mhz=f_mhz, max_distance_m=max_distance_m, mdl=mdl,
            profile_step_m=profile_step_m, detail=False,
        )  # fmt: skip
        out[i] = loss[0]
    return out


def _site_iterator(n: int, progress: bool) -> Sequence[int] | Any:
    iterator: Sequence[int] | Any = range(n)
    if progress:
        from tqdm import tqdm

        iterator = tqdm(iterator, desc="path loss", unit="site")
    return iterator


def path_loss_options(
    terrain: Terrain,
    sites_xy: ArrayLike,
    heights_m: ArrayLike,
    targets_xy: ArrayLike,
    *,
    rx_height_m: float,
    f_mhz: float,
    max_distance_m: float,
    model: str | PropagationModel = "itm",
    k_factor: float = 4.0 / 3.0,
    profile_step_m: float | None = None,
    progress: bool = False,
    **model_params: Any,
) -> NDArray[np.float32]:
    """Path loss (dB) from N sites, each at H mast heights, to M targets; (N*H, M) float32.

    Row ``i * H + h`` is site ``i`` at mast height ``heights_m[h]``, the order of
    :func:`coverage.planning.candidates.option_index`. Each site-to-target profile is sampled once
    and the model runs on it for every height, in one compiled parallel kernel (ITM shares
    its refractivity, receiver horizon and, where it can, Δh between heights). Results
    equal :func:`path_loss_matrix` per height (to float32 rounding).

    Parameters
    ----------
    terrain
        The terrain grid (projected, metres).
    sites_xy
        (N, 2) site positions in the terrain's CRS (m).
    heights_m
        (H,) mast heights above ground (m), the same for every site.
    targets_xy
        (M, 2) target positions (m); all must lie on the grid.
    rx_height_m, f_mhz, model, k_factor, profile_step_m, **model_params
        As :func:`path_loss_grid`.
    max_distance_m
        Targets farther than this (m) from a site get NaN.
    progress
        Show a tqdm bar over blocks of sites.

    Returns
    -------
    NDArray[np.float32]
        (N*H, M) basic transmission loss (dB); NaN beyond ``max_distance_m`` or where ITM
        refused the path.

    Raises
    ------
    InputError
        A site or target off the grid, or bad heights / frequency / model parameters.
    """
    sites = np.asarray(sites_xy, dtype=np.float64).reshape(-1, 2)
    heights = np.asarray(heights_m, dtype=np.float64).reshape(-1)
    if heights.size == 0:
        msg = "path_loss_options needs at least one mast height in heights_m."
        raise InputError(msg)
    pts = _targets(terrain, targets_xy)
    for x, y in sites:
        for h in heights:
            _check_site(terrain, float(x), float(y), float(h), rx_height_m, f_mhz)
    mdl = _resolve(model, k_factor, model_params)
    cf, rf = _grid_coords(terrain, pts[:, 0], pts[:, 1])
    nh = len(heights)
    out = np.full((len(sites) * nh, len(pts)), np.nan, dtype=np.float32)
    per_call = max(1, min(len(sites), 16)) if progress else max(1, len(sites))
    blocks = range(0, len(sites), per_call)
    iterator: Sequence[int] | Any = blocks
    if progress:
        from tqdm import tqdm

        iterator = tqdm(blocks, desc="path loss", unit="block of 16 sites")
    for i0 in iterator:
        i1 = min(i0 + per_call, len(sites))
        out[i0 * nh : i1 * nh], _st, _w = _run_paths(
            terrain, sites[i0:i1], heights, cf, rf, rx_height_m=rx_height_m, f_mhz=f_mhz,
            max_distance_m=max_distance_m, mdl=mdl, profile_step_m=profile_step_m,
            detail=False,
        )  # fmt: skip
    return out
