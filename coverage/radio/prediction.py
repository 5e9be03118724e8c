"""Point predictions: path loss from sites to given points, compiled; the settings they share.

What the predictions of a run share (receiver height, frequency, the propagation model of
:mod:`coverage.radio.propagation`, profile sampling) is one :class:`PredictionSettings`, e.g.
``PredictionSettings(f_mhz=780.5, rx_height_m=1.5)`` (ITM with its defaults).

Point predictions (demand points, the placement's site x demand matrices) give each target
its own straight terrain profile from the site, sampled bilinearly every
``settings.profile_step_m`` (default one cell) exactly as
:meth:`coverage.inputs.terrain.Terrain.sample` interpolates, and evaluate the model on it.

Area predictions over the whole terrain grid are in :mod:`coverage.radio.grid_prediction`.
Work runs in parallel on all cores (numba ``prange``, kernels in
:mod:`coverage.radio._kernels.prediction`). The placement (a site x demand loss matrix) uses
these functions.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike, NDArray

from coverage.errors import InputError
from coverage.inputs.terrain import Terrain
from coverage.radio._kernels import prediction as _pk
from coverage.radio.propagation import ItmModel, PropagationModel

__all__ = [
    "GRID_METHODS",
    "PredictionSettings",
    "grid_coords",
    "path_loss_matrix",
    "path_loss_options",
    "path_loss_to_points",
]

#: Grid methods of :func:`~coverage.radio.grid_prediction.predict_grid`
#: (:attr:`PredictionSettings.grid_method`).
GRID_METHODS = ("radial", "cell")


@dataclass(frozen=True, kw_only=True)
class PredictionSettings:
    """What the predictions of one run share: receiver, frequency, model, profile sampling.

    Build it once and pass it to every call; the model object is built once too, e.g.
    ``PredictionSettings(f_mhz=780.5, rx_height_m=1.5, model=get_model("deygout",
    k_factor=1.0))`` (:func:`coverage.radio.propagation.get_model`; a model's own settings,
    such as ITM's ``n0`` or a diffraction model's k-factor, are set there).

    Attributes
    ----------
    f_mhz
        Frequency (MHz); > 0.
    rx_height_m
        Receiver (terminal) antenna height above ground (m); >= 0.
    model
        The propagation model (default: ITM with its default settings,
        :class:`~coverage.radio.propagation.ItmModel`).
    profile_step_m
        Spacing of profile samples (m), > 0; None (default): one terrain cell.
    grid_method
        How :func:`~coverage.radio.grid_prediction.predict_grid` samples the area (point
        predictions ignore it): ``"radial"`` (default, SPLAT!'s way): profiles along
        radials from the site, sampled once and shared by every cell along them; each cell
        takes the path to the radial sample nearest its centre (within half a cell across
        and half a step along), cells within
        :data:`~coverage.radio.grid_prediction.RADIAL_EXACT_STEPS` steps get their own.
        ``"cell"``: every cell gets its own profile ending exactly at its centre (slower,
        for reference).

    Raises
    ------
    InputError
        Every field out of range at once, each with the value given.
    """

    f_mhz: float
    rx_height_m: float
    model: PropagationModel = field(default_factory=ItmModel)
    profile_step_m: float | None = None
    grid_method: str = "radial"

    def __post_init__(self) -> None:
        """Refuse every field out of range, all in one ``InputError``."""
        problems = []
        if not self.f_mhz > 0:
            problems.append(f"f_mhz must be > 0, got {self.f_mhz}")
        if not self.rx_height_m >= 0:
            problems.append(f"rx_height_m must be >= 0 m above ground, got {self.rx_height_m}")
        if not isinstance(self.model, PropagationModel):
            name = repr(self.model) if isinstance(self.model, str) else "name"
            problems.append(
                f"model must be a PropagationModel, e.g. get_model({name}) of "
                f"coverage.radio.propagation; got {type(self.model).__name__}"
            )
        if self.profile_step_m is not None and not self.profile_step_m > 0:
            problems.append(
                f"profile_step_m must be > 0 m (or None for one cell), got {self.profile_step_m}"
            )
        if self.grid_method not in GRID_METHODS:
            problems.append(f"grid_method must be one of {GRID_METHODS}, got {self.grid_method!r}")
        if problems:
            msg = "Prediction settings: " + "; ".join(problems) + "."
            raise InputError(msg, problems)


def _step_m(settings: PredictionSettings, terrain: Terrain) -> float:
    """Profile sample spacing (m): ``settings.profile_step_m``, or one cell of ``terrain``."""
    return float(settings.profile_step_m) if settings.profile_step_m else terrain.cell_size_m


def grid_coords(
    terrain: Terrain, x_m: ArrayLike, y_m: ArrayLike
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Fractional column and row of map points on the terrain grid, as the kernels take them.

    Parameters
    ----------
    terrain
        The terrain grid (projected, metres).
    x_m, y_m
        Points in the terrain's CRS (m), scalars or arrays of one shape.

    Returns
    -------
    cf, rf
        Column and row (in cells, float64): integers at cell centres, ``(0, 0)`` the centre
        of the north-west cell.
    """
    x = np.asarray(x_m, dtype=np.float64)
    y = np.asarray(y_m, dtype=np.float64)
    cf = (x - terrain.transform.c) / terrain.cell_size_m - 0.5
    rf = (terrain.transform.f - y) / terrain.cell_size_m - 0.5
    return cf, rf


def _run_paths(
    terrain: Terrain,
    sites_xy: NDArray[np.float64],
    heights_m: NDArray[np.float64],
    targets_cf: NDArray[np.float64],
    targets_rf: NDArray[np.float64],
    *,
    settings: PredictionSettings,
    max_distance_m: float,
    detail: bool,
) -> tuple[NDArray[np.float32], NDArray[np.int16], NDArray[np.int32]]:
    """Run :func:`coverage.radio._kernels.prediction.paths_kernel` for sites (N, 2) x heights (H,) x targets; (N*H, M) out."""
    code, params = settings.model.kernel()
    step = _step_m(settings, terrain)
    site_cf, site_rf = grid_coords(terrain, sites_xy[:, 0], sites_xy[:, 1])
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
            step, float(settings.rx_height_m), float(settings.f_mhz), code, params,
            float(max_distance_m), order, _pk.workers(), loss, status, warn,
        )  # fmt: skip
    return loss, status, warn


def _check_site(terrain: Terrain, x_m: float, y_m: float, tx_height_m: float) -> None:
    problems = []
    if not bool(terrain.contains(x_m, y_m)):
        xmin, ymin, xmax, ymax = terrain.bounds
        problems.append(
            f"site ({x_m:.0f}, {y_m:.0f}) lies outside the terrain grid "
            f"({xmin:.0f}, {ymin:.0f}, {xmax:.0f}, {ymax:.0f}); load terrain with a larger margin"
        )
    if not tx_height_m >= 0:
        problems.append(f"antenna heights must be >= 0 m, got tx_height_m={tx_height_m}")
    if problems:
        msg = "Prediction inputs: " + "; ".join(problems) + "."
        raise InputError(msg, problems)


def _targets(terrain: Terrain, targets_xy: ArrayLike) -> NDArray[np.float64]:
    pts = np.asarray(targets_xy, dtype=np.float64).reshape(-1, 2)
    if pts.size and not terrain.contains(pts[:, 0], pts[:, 1]).all():
        bad = int((~terrain.contains(pts[:, 0], pts[:, 1])).sum())
        msg = f"{bad} target point(s) lie outside the terrain grid; load a larger terrain."
        raise InputError(msg)
    return pts


def path_loss_to_points(
    terrain: Terrain,
    x_m: float,
    y_m: float,
    *,
    tx_height_m: float,
    targets_xy: ArrayLike,
    max_distance_m: float,
    settings: PredictionSettings,
) -> NDArray[np.float64]:
    """Path loss (dB) from one site to each of M points; NaN beyond ``max_distance_m``.

    Parameters
    ----------
    terrain
        The terrain grid (projected, metres).
    x_m, y_m
        Site position in the terrain's CRS (m).
    tx_height_m
        Site antenna height above ground (m).
    targets_xy
        (M, 2) points in the terrain's CRS (m); all must lie on the grid.
    max_distance_m
        Points farther than this (m) from the site get NaN.
    settings
        Receiver height (m), frequency (MHz), model and profile step (m).

    Returns
    -------
    NDArray[np.float64]
        (M,) basic transmission loss (dB).

    Raises
    ------
    InputError
        The site or a point off the grid, or a negative height.
    """
    _check_site(terrain, x_m, y_m, tx_height_m)
    pts = _targets(terrain, targets_xy)
    cf, rf = grid_coords(terrain, pts[:, 0], pts[:, 1])
    loss, _st, _w = _run_paths(
        terrain, np.array([[x_m, y_m]], dtype=np.float64), np.array([float(tx_height_m)]),
        cf, rf, settings=settings, max_distance_m=max_distance_m, detail=False,
    )  # fmt: skip
    return loss[0].astype(np.float64)


def _progress(items: range, progress: bool, unit: str) -> Iterable[int]:
    if not progress:
        return items
    from tqdm import tqdm

    return tqdm(items, desc="path loss", unit=unit)


def path_loss_matrix(
    terrain: Terrain,
    sites_xy: ArrayLike,
    tx_heights_m: ArrayLike,
    targets_xy: ArrayLike,
    *,
    max_distance_m: float,
    settings: PredictionSettings,
    progress: bool = False,
) -> NDArray[np.float64]:
    """Path loss (dB) from each of N sites to each of M targets, (N, M); NaN beyond range.

    Parameters
    ----------
    terrain, sites_xy
        As for :func:`path_loss_options`.
    tx_heights_m
        Mast height above ground (m) per site, or one for all.
    targets_xy, max_distance_m, settings
        As for :func:`path_loss_options`.
    progress
        Show a tqdm bar over the sites.

    Returns
    -------
    NDArray[np.float64]
        (N, M) basic transmission loss (dB).

    Raises
    ------
    InputError
        A site or target off the grid, or a negative height.
    """
    sites = np.asarray(sites_xy, dtype=np.float64).reshape(-1, 2)
    heights = np.broadcast_to(np.asarray(tx_heights_m, dtype=np.float64), (len(sites),))
    pts = _targets(terrain, targets_xy)
    cf, rf = grid_coords(terrain, pts[:, 0], pts[:, 1])
    out = np.full((len(sites), len(pts)), np.nan)
    for i in _progress(range(len(sites)), progress, "site"):
        x, y = sites[i]
        _check_site(terrain, float(x), float(y), float(heights[i]))
        loss, _st, _w = _run_paths(
            terrain, sites[i : i + 1], heights[i : i + 1], cf, rf, settings=settings,
            max_distance_m=max_distance_m, detail=False,
        )  # fmt: skip
        out[i] = loss[0]
    return out


def path_loss_options(
    terrain: Terrain,
    sites_xy: ArrayLike,
    heights_m: ArrayLike,
    targets_xy: ArrayLike,
    *,
    max_distance_m: float,
    settings: PredictionSettings,
    progress: bool = False,
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
    max_distance_m
        Targets farther than this (m) from a site get NaN.
    settings
        Receiver height (m), frequency (MHz), model and profile step (m).
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
        No height, a site or target off the grid, or a negative height.
    """
    sites = np.asarray(sites_xy, dtype=np.float64).reshape(-1, 2)
    heights = np.asarray(heights_m, dtype=np.float64).reshape(-1)
    if heights.size == 0:
        msg = "path_loss_options needs at least one mast height in heights_m."
        raise InputError(msg)
    pts = _targets(terrain, targets_xy)
    for x, y in sites:
        for h in heights:
            _check_site(terrain, float(x), float(y), float(h))
    cf, rf = grid_coords(terrain, pts[:, 0], pts[:, 1])
    nh = len(heights)
    out = np.full((len(sites) * nh, len(pts)), np.nan, dtype=np.float32)
    per_call = max(1, min(len(sites), 16)) if progress else max(1, len(sites))
    for i0 in _progress(range(0, len(sites), per_call), progress, "block of 16 sites"):
        i1 = min(i0 + per_call, len(sites))
        out[i0 * nh : i1 * nh], _st, _w = _run_paths(
            terrain, sites[i0:i1], heights, cf, rf, settings=settings,
            max_distance_m=max_distance_m, detail=False,
        )  # fmt: skip
    return out
