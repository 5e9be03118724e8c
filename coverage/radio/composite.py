"""Coverage from many sites: received power, best server, overlap count, composite.

:func:`received_power_dbm` turns path loss into received power with the link budget;
:func:`best_server` composes several sites' grids already in memory; :func:`serve_sites`
predicts and composes N sites one after the other (memory for a few grids, not N), with the
site antennas' patterns and terminal clutter applied and a progress bar. Its link budget
(EIRP, terminal gain, antenna, clutter, threshold) is one :class:`AccessBudget`; the
prediction's side is a :class:`coverage.radio.prediction.PredictionSettings`.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
from numpy.typing import ArrayLike, NDArray

from coverage.errors import InputError
from coverage.inputs.terrain import Terrain
from coverage.radio import itm
from coverage.radio.antenna import AntennaPattern, pattern_loss_grid
from coverage.radio.grid_prediction import predict_grid
from coverage.radio.prediction import PredictionSettings

__all__ = ["AccessBudget", "Composite", "best_server", "received_power_dbm", "serve_sites"]

log = logging.getLogger(__name__)


def received_power_dbm(
    eirp_dbm: float | ArrayLike,
    path_loss_db: ArrayLike,
    *,
    rx_antenna_gain_dbi: float | ArrayLike = 0.0,
    rx_cable_loss_db: float = 0.0,
    clutter_loss_db: float | ArrayLike = 0.0,
) -> NDArray[np.float64]:
    """Received power (dBm) = EIRP - path loss + rx gain - rx cable loss - clutter loss.

    NaN path losses (outside range) stay NaN; infinite losses ("no signal") give -inf.

    Parameters
    ----------
    eirp_dbm
        EIRP of the transmitter towards each point (dBm), one value or one per point.
    path_loss_db
        Path loss (dB) per point, e.g. a grid of
        :func:`coverage.radio.grid_prediction.predict_grid`.
    rx_antenna_gain_dbi
        Receive antenna gain (dBi), one value or one per point.
    rx_cable_loss_db
        Receive cable and connector loss (dB).
    clutter_loss_db
        Clutter loss at the receiver (dB), one value or one per point.

    Returns
    -------
    numpy.ndarray
        Received power (dBm), of the broadcast shape of the inputs.
    """
    pl = np.asarray(path_loss_db, dtype=np.float64)
    return np.asarray(
        np.asarray(eirp_dbm, dtype=np.float64)
        - pl
        + np.asarray(rx_antenna_gain_dbi)
        - rx_cable_loss_db
        - np.asarray(clutter_loss_db)
    )


def best_server(
    rx_dbm: ArrayLike | Sequence[ArrayLike], *, threshold_dbm: float | None = None
) -> tuple[NDArray[np.float32], NDArray[np.int16], NDArray[np.int16]]:
    """Best server over several sites' received-power grids.

    Parameters
    ----------
    rx_dbm
        (N, rows, cols) received power per site (dBm), or a sequence of N grids; NaN where a
        site does not reach.
    threshold_dbm
        Power (dBm) a site must reach to serve and to count in the overlap; default: any
        finite value.

    Returns
    -------
    best_rx_dbm
        Strongest received power per cell (float32; NaN where no site serves).
    server
        Index of that site (int16; -1 where none serves). Ties go to the lowest index.
    overlap
        How many sites serve each cell (int16).

    Raises
    ------
    InputError
        The grids are not (N, rows, cols) with N >= 1, or N > 32,767.
    """
    stack = np.asarray(rx_dbm, dtype=np.float64)
    if stack.ndim == 2:
        stack = stack[None]
    if stack.ndim != 3 or stack.shape[0] == 0:
        msg = f"best_server needs (N, rows, cols) grids with N >= 1, got shape {stack.shape}."
        raise InputError(msg)
    if stack.shape[0] > np.iinfo(np.int16).max:
        msg = "best_server: too many sites for an int16 server index."
        raise InputError(msg)
    serves = np.isfinite(stack) if threshold_dbm is None else (stack >= threshold_dbm)
    serves &= ~np.isnan(stack)
    masked = np.where(serves, stack, -np.inf)
    idx = np.argmax(masked, axis=0)
    any_serves = serves.any(axis=0)
    best = np.take_along_axis(masked, idx[None], axis=0)[0]
    best_rx = np.where(any_serves, best, np.nan).astype(np.float32)
    server = np.where(any_serves, idx, -1).astype(np.int16)
    overlap = serves.sum(axis=0).astype(np.int16)
    return best_rx, server, overlap


@dataclass(frozen=True)
class Composite:
    """Many sites' coverage on one grid (see :func:`serve_sites`).

    Attributes
    ----------
    rx_dbm
        Strongest received power from any site (dBm, float32; NaN where none reaches).
    server
        Index of the strongest site that reaches the threshold (int16; -1 where none does;
        ties go to the lowest index).
    overlap
        How many sites reach the threshold (int16).
    warnings
        ITM warnings: how many cells of the grid one site's prediction or more flagged, by
        the warning's words (each cell counted once, so never more than the grid's cells).
    footprints
        Where each site on its own reaches the threshold, bit-packed along the sites
        (uint8, shape ``(ceil(N / 8), rows, cols)``, :func:`numpy.packbits` order on axis 0:
        ``numpy.unpackbits(footprints, axis=0, count=N)[i]`` is site ``i``'s footprint);
        footprints overlap where ``overlap > 1``. None when not computed.
    """

    rx_dbm: NDArray[np.float32]
    server: NDArray[np.int16]
    overlap: NDArray[np.int16]
    warnings: dict[str, int] = field(default_factory=dict)
    footprints: NDArray[np.uint8] | None = None


@dataclass(frozen=True, kw_only=True, eq=False)
class AccessBudget:
    """The link budget from access sites to terminals that :func:`serve_sites` applies.

    Received power per cell is ``eirp_dbm - loss + rx_antenna_gain_dbi``, minus the site
    antenna's attenuation below its peak towards the cell (when ``antenna`` is given) and
    the terminal clutter loss of the cell (when ``clutter_db`` is given). Build it once,
    e.g. ``AccessBudget(eirp_dbm=tech.eirp_dbm, threshold_dbm=tech.required_rx_dbm)`` for a
    :class:`~coverage.radio.technology.Technology` ``tech``. It holds a grid, so it compares
    by identity.

    Attributes
    ----------
    eirp_dbm
        Peak EIRP of each site (dBm).
    rx_antenna_gain_dbi
        Terminal antenna gain (dBi).
    threshold_dbm
        Received power (dBm) a site must reach to serve a cell and to count in its overlap;
        None (default): any finite power.
    antenna
        Site antenna pattern (its azimuth, downtilt and sectors apply to every site); None
        (default): omni at the peak EIRP.
    clutter_db
        Terminal clutter loss (dB) per terrain cell, e.g. from
        :func:`coverage.radio.linkbudget.clutter_grid_db`; None: no clutter loss.
    k_factor
        Effective Earth-radius factor of the elevation angle towards each cell, for the
        antenna pattern (4/3 for the standard atmosphere); > 0.
    downtilts_deg
        Downtilt (degrees, positive down) of the antenna at each site :func:`serve_sites`
        is given, replacing the antenna's own; None (default): the antenna's own.

    Raises
    ------
    InputError
        A non-finite power, gain or threshold, a clutter grid that is not 2-D, or
        ``k_factor <= 0``.
    """

    eirp_dbm: float
    rx_antenna_gain_dbi: float = 0.0
    threshold_dbm: float | None = None
    antenna: AntennaPattern | None = None
    clutter_db: NDArray[np.float32] | None = None
    k_factor: float = 4.0 / 3.0
    downtilts_deg: ArrayLike | None = None

    def __post_init__(self) -> None:
        """Refuse every bad value the class lists under Raises, all in one ``InputError``."""
        problems = [
            f"{name} must be finite, got {value}"
            for name, value in (
                ("eirp_dbm", self.eirp_dbm),
                ("rx_antenna_gain_dbi", self.rx_antenna_gain_dbi),
                ("threshold_dbm", 0.0 if self.threshold_dbm is None else self.threshold_dbm),
            )
            if not math.isfinite(value)
        ]
        if self.clutter_db is not None and np.ndim(self.clutter_db) != 2:
            problems.append(
                f"clutter_db must be a grid of the terrain's shape, got {np.ndim(self.clutter_db)}-D"
            )
        if not self.k_factor > 0:
            problems.append(
                f"k_factor must be > 0 (4/3 for the standard atmosphere), got {self.k_factor}"
            )
        if problems:
            msg = "Access budget: " + "; ".join(problems) + "."
            raise InputError(msg, problems)


class _Composer:
    """The running composite of :func:`serve_sites`: strongest power, best server, overlap."""

    def __init__(self, shape: tuple[int, int], threshold_dbm: float | None, n_sites: int) -> None:
        self.threshold_dbm = threshold_dbm
        self.footprints = np.zeros(((n_sites + 7) // 8, *shape), dtype=np.uint8)
        self.strongest = np.full(shape, -np.inf)
        self.best = np.full(shape, -np.inf)
        self.server = np.full(shape, -1, dtype=np.int16)
        self.overlap = np.zeros(shape, dtype=np.int16)
        self.flags = np.zeros(shape, dtype=np.int32)

    def add(self, i: int, rx: NDArray[np.float64], flags: NDArray[np.int32]) -> None:
        """Fold in site ``i``'s received power (dBm; NaN where it does not reach) and the ITM
        warning bits of its cells."""
        np.bitwise_or(self.flags, flags, out=self.flags)
        reach = ~np.isnan(rx)
        np.fmax(self.strongest, rx, out=self.strongest)
        thr = self.threshold_dbm
        serves = reach & (np.isfinite(rx) if thr is None else rx >= thr)
        self.overlap += serves
        self.footprints[i // 8] |= serves.astype(np.uint8) << np.uint8(7 - i % 8)
        better = serves & (rx > self.best)
        self.best[better] = rx[better]
        self.server[better] = i

    def result(self) -> Composite:
        """The composite of the sites added so far."""
        rx_dbm = np.where(np.isneginf(self.strongest), np.nan, self.strongest)
        warnings = {}
        for bit, words in itm.WARNINGS.items():
            cells = int(np.count_nonzero(self.flags & bit))
            if cells:
                warnings[words] = cells
        return Composite(
            rx_dbm.astype(np.float32), self.server, self.overlap, warnings, self.footprints
        )


def _site_rx_dbm(
    terrain: Terrain,
    site: tuple[float, float, float],
    settings: PredictionSettings,
    budget: AccessBudget,
    radius_m: float,
    mask: NDArray[np.bool_] | None,
) -> tuple[NDArray[np.float64], NDArray[np.int32]]:
    """Received power (dBm) from one site ``(x, y, antenna height)`` over the grid, and the
    ITM warning bits of its prediction per cell (0 where its loss is not finite)."""
    x, y, h = site
    pred = predict_grid(
        terrain, x, y, tx_height_m=h, radius_m=radius_m, settings=settings, mask=mask
    )
    rx = received_power_dbm(
        budget.eirp_dbm, pred.loss_db, rx_antenna_gain_dbi=budget.rx_antenna_gain_dbi
    )
    if budget.clutter_db is not None:
        rx -= budget.clutter_db
    antenna = budget.antenna
    if antenna is not None and not antenna.is_omni:
        rx -= pattern_loss_grid(
            antenna, terrain, x, y, h, settings.rx_height_m, k_factor=budget.k_factor
        )
    flags = np.where(np.isfinite(pred.loss_db), pred.warning_flags, 0).astype(np.int32)
    return rx, flags


def _progress(n: int, progress: bool) -> Iterable[int]:
    if not progress:
        return range(n)
    from tqdm.auto import tqdm

    return tqdm(range(n), desc="coverage", unit="site")


def serve_sites(
    terrain: Terrain,
    sites_xy: ArrayLike,
    heights_m: ArrayLike,
    *,
    settings: PredictionSettings,
    budget: AccessBudget,
    radius_m: float,
    mask: NDArray[np.bool_] | None = None,
    progress: bool = False,
) -> Composite:
    """Predict N sites over the terrain grid and compose them as they come.

    Each site's path loss is :func:`coverage.radio.grid_prediction.predict_grid`; received power
    follows ``budget`` (:class:`AccessBudget`: peak EIRP, terminal gain, the site antenna's
    attenuation below its peak towards each cell by
    :func:`coverage.radio.antenna.pattern_loss_grid`, terminal clutter). Only the running
    composite is kept, so memory grows with N by one bit per cell and site only (the
    footprints).

    Parameters
    ----------
    terrain
        The terrain grid (projected, metres).
    sites_xy
        (N, 2) site positions (m) in the terrain's CRS.
    heights_m
        Antenna height above ground per site (m), or one for all.
    settings
        Receiver height (m), frequency (MHz), model, profile step (m) and grid method.
    budget
        EIRP (dBm), terminal gain (dBi), threshold (dBm), antenna pattern and clutter (dB).
    radius_m
        Prediction radius (m) around each site.
    mask
        Optional boolean grid: only cells where it is True are computed.
    progress
        Show a tqdm bar over the sites.

    Returns
    -------
    Composite
        Strongest power, best server and overlap per cell, each site's footprint, and the
        ITM warnings.

    Raises
    ------
    InputError
        More than 32,767 sites, a clutter grid not of the terrain's shape, or what
        :func:`~coverage.radio.grid_prediction.predict_grid` refuses.
    """
    xy = np.asarray(sites_xy, dtype=np.float64).reshape(-1, 2)
    n = len(xy)
    heights = np.broadcast_to(np.asarray(heights_m, dtype=np.float64), (n,))
    if n > np.iinfo(np.int16).max:
        msg = f"serve_sites indexes sites in int16: at most 32,767 sites, got {n}."
        raise InputError(msg)
    clutter = budget.clutter_db
    if clutter is not None and np.shape(clutter) != terrain.shape:
        msg = f"clutter_db has shape {np.shape(clutter)}, the terrain {terrain.shape}."
        raise InputError(msg)
    composer = _Composer(terrain.shape, budget.threshold_dbm, n)
    tilts = budget.downtilts_deg
    tilts = None if tilts is None else np.broadcast_to(np.asarray(tilts, dtype=np.float64), (n,))
    for i in _progress(n, progress):
        site = (float(xy[i, 0]), float(xy[i, 1]), float(heights[i]))
        b = budget
        if tilts is not None and budget.antenna is not None:
            b = replace(budget, antenna=replace(budget.antenna, downtilt_deg=float(tilts[i])))
        rx, warnings = _site_rx_dbm(terrain, site, settings, b, radius_m, mask)
        composer.add(i, rx, warnings)
    log.debug("composed %d sites on %s cells", n, terrain.shape)
    return composer.result()
