"""Coverage from many sites: received power, best server, overlap count, composite.

:func:`received_power_dbm` turns path loss into received power with the link budget;
:func:`best_server` composes several sites' grids already in memory; :func:`serve_sites`
predicts and composes N sites one after the other (memory for a few grids, not N), with the
site antennas' patterns and terminal clutter applied and a progress bar.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from coverage.errors import InputError
from coverage.inputs.terrain import Terrain
from coverage.radio.linkbudget import AntennaPattern, pattern_loss_grid
from coverage.radio.prediction import predict_grid
from coverage.radio.propagation import PropagationModel

__all__ = ["Composite", "best_server", "received_power_dbm", "serve_sites"]

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
        ITM warnings: cells flagged, summed over sites, by the warning's words.
    """

    rx_dbm: NDArray[np.float32]
    server: NDArray[np.int16]
    overlap: NDArray[np.int16]
    warnings: dict[str, int] = field(default_factory=dict)


def serve_sites(
    terrain: Terrain,
    sites_xy: ArrayLike,
    heights_m: ArrayLike,
    *,
    eirp_dbm: float,
    rx_height_m: float,
    f_mhz: float,
    radius_m: float,
    threshold_dbm: float | None = None,
    model: str | PropagationModel = "itm",
    k_factor: float = 4.0 / 3.0,
    rx_antenna_gain_dbi: float = 0.0,
    antenna: AntennaPattern | None = None,
    clutter_db: NDArray[np.float32] | None = None,
    mask: NDArray[np.bool_] | None = None,
    method: str = "radial",
    progress: bool = False,
    **model_params: Any,
) -> Composite:
    """Predict N sites over the terrain grid and compose them as they come.

    Each site's path loss is :func:`coverage.radio.prediction.predict_grid`; received power is
    ``eirp_dbm - loss + rx_antenna_gain_dbi`` minus, where given, the site antenna's
    attenuation below its peak towards each cell (:func:`coverage.radio.linkbudget.pattern_loss_grid`,
    ``eirp_dbm`` being the peak EIRP) and the terminal clutter loss per cell. Only the running
    composite is kept, so memory does not grow with N.

    Parameters
    ----------
    terrain
        The terrain grid (projected, metres).
    sites_xy
        (N, 2) site positions (m) in the terrain's CRS.
    heights_m
        Antenna height above ground per site (m), or one for all.
    eirp_dbm, rx_height_m, f_mhz, radius_m
        Peak EIRP (dBm), receiver height (m), frequency (MHz), prediction radius (m).
    threshold_dbm
        Received power (dBm) a site must reach to serve and to count in the overlap;
        default: any finite value.
    model, k_factor, mask, method, **model_params
        As for :func:`coverage.radio.prediction.predict_grid`.
    rx_antenna_gain_dbi
        Terminal antenna gain (dBi).
    antenna
        Site antenna pattern (its azimuth, downtilt and sectors apply to every site); None: omni.
    clutter_db
        Terminal clutter loss (dB) per terrain cell, e.g. from
        :func:`coverage.radio.linkbudget.clutter_grid_db`.
    progress
        Show a tqdm bar over the sites.
    """
    xy = np.asarray(sites_xy, dtype=np.float64).reshape(-1, 2)
    n = len(xy)
    heights = np.broadcast_to(np.asarray(heights_m, dtype=np.float64), (n,))
    if n > np.iinfo(np.int16).max:
        msg = f"serve_sites indexes sites in int16: at most 32,767 sites, got {n}."
        raise InputError(msg)
    if clutter_db is not None and np.shape(clutter_db) != terrain.shape:
        msg = f"clutter_db has shape {np.shape(clutter_db)}, the terrain {terrain.shape}."
        raise InputError(msg)
    strongest = np.full(terrain.shape, -np.inf)
    best = np.full(terrain.shape, -np.inf)
    server = np.full(terrain.shape, -1, dtype=np.int16)
    overlap = np.zeros(terrain.shape, dtype=np.int16)
    warnings: dict[str, int] = {}
    order: Any = range(n)
    if progress:
        from tqdm.auto import tqdm

        order = tqdm(order, desc="coverage", unit="site")
    for i in order:
        pred = predict_grid(
            terrain, float(xy[i, 0]), float(xy[i, 1]), tx_height_m=float(heights[i]),
            rx_height_m=rx_height_m, f_mhz=f_mhz, radius_m=radius_m, model=model,
            k_factor=k_factor, mask=mask, method=method, **model_params,
        )  # fmt: skip
        for words, count in pred.warning_summary().items():
            warnings[words] = warnings.get(words, 0) + count
        rx = received_power_dbm(eirp_dbm, pred.loss_db, rx_antenna_gain_dbi=rx_antenna_gain_dbi)
        if clutter_db is not None:
            rx -= clutter_db
        if antenna is not None and not antenna.is_omni:
            rx -= pattern_loss_grid(
                antenna, terrain, float(xy[i, 0]), float(xy[i, 1]), float(heights[i]),
                rx_height_m, k_factor=k_factor,
            )  # fmt: skip
        reach = ~np.isnan(rx)
        np.fmax(strongest, rx, out=strongest)
        serves = reach & (np.isfinite(rx) if threshold_dbm is None else rx >= threshold_dbm)
        overlap += serves
        better = serves & (rx > best)
        best[better] = rx[better]
        server[better] = i
    rx_dbm = np.where(np.isneginf(strongest), np.nan, strongest).astype(np.float32)
    log.debug("composed %d sites on %s cells", n, terrain.shape)
    return Composite(rx_dbm, server, overlap, warnings)
