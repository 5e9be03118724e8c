"""The access sites' received power at the demand points, with a downtilt fitted per site.

:func:`peak_rx_dbm` is the power from every option (candidate x mast height) at the peak gain
of the site antenna, terminal clutter included. :func:`fit_downtilts` subtracts the
antenna's attenuation towards each point and, where the antenna comes in several downtilts
(:attr:`~coverage.pipeline.resolve.ResolvedScenario.downtilts_deg`), gives each option the
one that serves the most there, as a radio planner tilts each site towards its own
villages rather than one tilt for the whole network: the tilt whose service covers
(:func:`~coverage.pipeline.broadband.service_covers`: signal, both link rates, capacity)
weigh the most, the smallest on a tie. The option is judged alone, before any plan exists,
like the covers the placement uses. :func:`site_downtilts_deg` gives the chosen sites the
same tilts again for the maps and tables.
"""

from __future__ import annotations

import dataclasses

import numpy as np
from numpy.typing import NDArray

from coverage.pipeline.broadband import service_covers
from coverage.pipeline.prepare import Inputs
from coverage.pipeline.resolve import ResolvedScenario
from coverage.radio.antenna import AntennaPattern, elevation_angles_deg
from coverage.radio.composite import received_power_dbm
from coverage.radio.prediction import path_loss_options

__all__ = ["fit_downtilts", "peak_rx_dbm", "site_downtilts_deg"]

#: Options judged at once: bounds the memory of the angles and powers to this many rows.
_BLOCK_OPTIONS = 256


def peak_rx_dbm(
    resolved: ResolvedScenario,
    inputs: Inputs,
    sites_xy: NDArray[np.float64],
    *,
    progress: bool = False,
) -> NDArray[np.float32]:
    """Received power (dBm) from every option at every demand point, at the peak gain.

    Option ``i * H + h`` is site ``i`` at the scenario's mast height ``h``; the power
    includes the terminal clutter loss, not the antenna pattern.

    Parameters
    ----------
    resolved
        The resolved scenario: technology, propagation, mast heights.
    inputs
        The run's data (terrain, demand points, clutter).
    sites_xy
        (N, 2) site positions (m, working CRS).
    progress
        Show a progress bar.

    Returns
    -------
    NDArray[np.float32]
        (N * H, points) received power (dBm), NaN beyond the technology's range.
    """
    technology = resolved.technology
    targets = _targets(inputs)
    loss = path_loss_options(
        inputs.terrain,
        sites_xy,
        np.asarray(resolved.scenario.placement.mast_heights_m, dtype=np.float64),
        targets,
        max_distance_m=technology.max_range_m,
        settings=resolved.prediction,
        progress=progress,
    )
    rx = received_power_dbm(
        technology.eirp_dbm, loss, rx_antenna_gain_dbi=resolved.terminal_gain_dbi
    ).astype(np.float32)
    if inputs.clutter_db is not None:  # terminal clutter loss at each demand point's cell
        r, c = inputs.terrain.rowcol(targets[:, 0], targets[:, 1])
        rx -= inputs.clutter_db[r, c][None, :]
    return rx


def fit_downtilts(
    resolved: ResolvedScenario,
    inputs: Inputs,
    sites_xy: NDArray[np.float64],
    rx_peak_dbm: NDArray[np.float32],
    weights: NDArray[np.float64],
) -> tuple[NDArray[np.float32], NDArray[np.float64]]:
    """The power with the antenna pattern, each option at its best downtilt.

    Parameters
    ----------
    resolved
        The resolved scenario: antenna, its downtilts, ``[service]``, mast heights.
    inputs
        The run's data (terrain, demand points).
    sites_xy
        (N, 2) site positions (m, working CRS).
    rx_peak_dbm
        (N * H, points) power at the peak gain (:func:`peak_rx_dbm`), dBm.
    weights
        Placement weight of each demand point (people; schools at their weight).

    Returns
    -------
    rx_dbm, downtilt_deg
        (N * H, points) received power (dBm, float32) with the antenna's attenuation at the
        chosen tilt, and each option's downtilt (degrees; 0 without a directional antenna).
    """
    antenna = resolved.sector_antenna
    n_opt = rx_peak_dbm.shape[0]
    if antenna is None:
        return rx_peak_dbm, np.zeros(n_opt)
    tilts = resolved.downtilts_deg
    rx = np.empty_like(rx_peak_dbm)
    chosen = np.empty(n_opt)
    for start in range(0, n_opt, _BLOCK_OPTIONS):
        rows = np.arange(start, min(start + _BLOCK_OPTIONS, n_opt))
        az, el = _angles(resolved, inputs, sites_xy, rows)
        best = np.full(len(rows), -np.inf)
        for tilt in tilts:
            tilted = dataclasses.replace(antenna, downtilt_deg=tilt)
            rx_t = rx_peak_dbm[rows] - _loss(tilted, az, el)
            score = _served_weight(resolved, inputs, rx_t, weights) if len(tilts) > 1 else 0.0
            better = score > best  # strictly: a tie keeps the smaller (earlier) tilt
            rx[rows[better]] = rx_t[better]
            chosen[rows[better]] = tilt
            best = np.where(better, score, best)
    return rx, chosen


def site_downtilts_deg(
    resolved: ResolvedScenario,
    inputs: Inputs,
    sites_xy: NDArray[np.float64],
    heights_m: NDArray[np.float64],
    weights: NDArray[np.float64],
) -> NDArray[np.float64]:
    """The downtilt (degrees) :func:`fit_downtilts` gives each chosen site at its mast.

    Parameters
    ----------
    resolved
        The resolved scenario.
    inputs
        The run's data.
    sites_xy
        (S, 2) positions (m, working CRS) of the chosen sites.
    heights_m
        (S,) their mast heights (m), each one of ``[placement] mast_heights_m``.
    weights
        Placement weight of each demand point (as for :func:`fit_downtilts`).

    Returns
    -------
    NDArray[np.float64]
        (S,) downtilt (degrees, positive down); 0 without a directional antenna.
    """
    n = len(sites_xy)
    if resolved.sector_antenna is None or n == 0:
        return np.zeros(n)
    if len(resolved.downtilts_deg) == 1:
        return np.full(n, resolved.downtilts_deg[0])
    masts = list(resolved.scenario.placement.mast_heights_m)
    rows = np.arange(n) * len(masts) + np.array([masts.index(float(h)) for h in heights_m])
    rx = peak_rx_dbm(resolved, inputs, sites_xy)
    _, tilts = fit_downtilts(resolved, inputs, sites_xy, rx, weights)
    return np.asarray(tilts[rows], dtype=np.float64)


def _targets(inputs: Inputs) -> NDArray[np.float64]:
    d = inputs.demand
    return np.column_stack([d.geometry.x.to_numpy(), d.geometry.y.to_numpy()])


def _angles(
    resolved: ResolvedScenario,
    inputs: Inputs,
    sites_xy: NDArray[np.float64],
    rows: NDArray[np.int64],
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Azimuth and elevation (degrees) from options ``rows`` to every demand point."""
    masts = resolved.scenario.placement.mast_heights_m
    targets = _targets(inputs)
    terminal_m = resolved.technology.terminal_height_m
    k = resolved.scenario.propagation.geometry_k_factor
    pairs = [
        elevation_angles_deg(
            inputs.terrain,
            sites_xy[o // len(masts)],
            masts[o % len(masts)],
            targets,
            terminal_m,
            k_factor=k,
        )
        for o in rows
    ]
    return np.stack([p[0] for p in pairs]), np.stack([p[1] for p in pairs])


def _loss(
    antenna: AntennaPattern, az: NDArray[np.float64], el: NDArray[np.float64]
) -> NDArray[np.float32]:
    """Attenuation (dB) below the peak towards the directions ``az``, ``el`` (degrees)."""
    return np.asarray(antenna.gain_dbi - antenna.gain_towards_dbi(az, el), dtype=np.float32)


def _served_weight(
    resolved: ResolvedScenario,
    inputs: Inputs,
    rx_dbm: NDArray[np.float32],
    weights: NDArray[np.float64],
) -> NDArray[np.float64]:
    """Weight (people) each option's service covers hold, judged alone."""
    covers = service_covers(
        rx_dbm, inputs.demand, resolved.technology, resolved.broadband,
        min_rx_dbm=resolved.threshold_dbm,
    ).covers  # fmt: skip
    return np.asarray(covers.astype(np.float64) @ weights, dtype=np.float64).ravel()
