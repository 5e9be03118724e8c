"""Stage 5a: whether each demand point gets usable broadband from the chosen sites.

A point is **served** when, from the site that serves it best by SINR (the plan's frequency
plan, :func:`coverage.radio.interference.assign_carriers`; interferers at the scenario's
load, existing cells too where they share the band), the downlink with the whole carrier
meets the point's downlink rate, the terminal's uplink meets its uplink rate, and its site
has room for its busy-hour traffic (:func:`coverage.planning.capacity.site_loads`). Rates
follow from SINR by the attenuated Shannon bound of 3GPP TR 36.942 Annex A.2
(:func:`coverage.radio.linkbudget.throughput_mbps`). The received powers are those of the
coverage matrix, at the scenario's reliability, with the terminal's losses.

Simplifications, stated in the plan's models: the uplink sees the interference margin of the
service, not a computed uplink interference; interference from existing cells on the band
is that of the strongest existing cell at each point (a lower bound); traffic is a mean
busy-hour load (no queueing).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from coverage.errors import InputError
from coverage.planning.busyhour import BusyHour, BusyHourDemand, busy_hour_demand_mbps
from coverage.planning.capacity import SiteLoads, site_loads
from coverage.radio.interference import FrequencyPlan, ServerSinr, assign_carriers, best_server_sinr
from coverage.radio.linkbudget import throughput_mbps
from coverage.radio.technology import Technology

__all__ = ["Broadband", "BroadbandSettings", "evaluate_broadband"]

_F = NDArray[np.float64]


@dataclass(frozen=True)
class BroadbandSettings:
    """What the broadband test of a plan needs beyond the received powers.

    Attributes
    ----------
    busy_hour
        Take-up, busy-hour share and the target rates (Mbps).
    n_carriers
        Carriers of the access frequency plan (reuse N).
    interference_load
        Activity of the interfering sites (0-1; 1 is full load, the worst case).
    terminal_tx_power_dbm
        The terminal's conducted uplink power (dBm).
    uplink_noise_floor_dbm
        Thermal noise plus the site's noise figure over the uplink carrier (dBm).
    uplink_margin_db
        Interference allowance of the uplink (dB).
    existing_share_band
        Existing cells transmit on the plan's carrier and interfere with it.

    Raises
    ------
    InputError
        Fewer than one carrier, or a load outside [0, 1].
    """

    busy_hour: BusyHour
    n_carriers: int
    interference_load: float
    terminal_tx_power_dbm: float
    uplink_noise_floor_dbm: float
    uplink_margin_db: float
    existing_share_band: bool = False

    def __post_init__(self) -> None:
        """Refuse fewer than one carrier or a load outside [0, 1]."""
        if int(self.n_carriers) != self.n_carriers or self.n_carriers < 1:
            msg = f"n_carriers must be a positive integer, got {self.n_carriers}."
            raise InputError(msg)
        if not 0.0 <= self.interference_load <= 1.0:
            msg = f"interference_load must lie in [0, 1], got {self.interference_load}."
            raise InputError(msg)


@dataclass(frozen=True, eq=False)
class Broadband:
    """The broadband test of a plan's access sites.

    Attributes
    ----------
    frequency_plan
        The carrier of each site.
    server
        Best server by SINR of each point, its SINR (dB), and the runner-up.
    uplink_snr_db
        Uplink SNR (dB) of each point at its server, after the uplink margin (NaN: none).
    link_downlink_mbps, link_uplink_mbps
        Rates (Mbps) of each point with the whole carrier of its server.
    link_ok
        Per point: both link rates meet the point's targets.
    demand
        The busy-hour demand per point.
    loads
        The sites' loads and who they admit (:func:`~coverage.planning.capacity.site_loads`).
    reason
        Per point: "covered", or why not ("weak_uplink", "low_sinr", "over_capacity"), or ""
        where no site reaches it with the power the signal test asks (the caller's reason).
    """

    frequency_plan: FrequencyPlan
    server: ServerSinr
    uplink_snr_db: _F
    link_downlink_mbps: _F
    link_uplink_mbps: _F
    link_ok: NDArray[np.bool_]
    demand: BusyHourDemand
    loads: SiteLoads
    reason: NDArray[np.object_]

    @property
    def served(self) -> NDArray[np.bool_]:
        """Per point: served under the definition (link rates met and admitted by its site).

        Returns
        -------
        numpy.ndarray
            Booleans, one per point.
        """
        return np.asarray(self.reason == "covered")


def evaluate_broadband(
    rx_dbm: _F,
    demand: pd.DataFrame,
    technology: Technology,
    settings: BroadbandSettings,
    *,
    min_rx_dbm: float,
) -> Broadband:
    """Which demand points the access sites serve with usable broadband at the busy hour.

    Parameters
    ----------
    rx_dbm
        (sites, points) downlink received power (dBm) of the plan's access sites that reach
        the PoP; NaN where a site does not reach a point.
    demand
        The demand points: ``households`` and ``kind`` ("school" for schools); and, where
        ``settings.existing_share_band``, ``existing_dbm`` (dBm).
    technology
        The access technology: downlink bandwidth, noise floor, site power, rate cap.
    settings
        Carriers, load, busy hour and the uplink figures.
    min_rx_dbm
        Least downlink power (dBm) a server needs (the signal test's threshold).

    Returns
    -------
    Broadband
        The frequency plan, best servers, link rates, busy-hour loads and the reason of
        each point.
    """
    rx = np.asarray(rx_dbm, dtype=np.float64)
    weights = demand["population"].to_numpy(dtype=np.float64)
    plan = assign_carriers(rx, settings.n_carriers, weights)
    external = _existing_interference_mw(demand, settings)
    server = best_server_sinr(
        rx, plan.carrier, technology.noise_floor_dbm,
        load=settings.interference_load, external_mw=external, min_rx_dbm=min_rx_dbm,
    )  # fmt: skip
    has = server.server >= 0
    rx_best = np.where(has, rx[np.maximum(server.server, 0), np.arange(rx.shape[1])], np.nan)
    ul_snr = (
        rx_best
        - technology.tx_power_dbm
        + settings.terminal_tx_power_dbm
        - settings.uplink_noise_floor_dbm
        - settings.uplink_margin_db
    )
    dl = np.where(has, throughput_mbps(server.sinr_db, technology), 0.0)
    ul = np.where(has, throughput_mbps(ul_snr, technology), 0.0)
    school = (demand["kind"] == "school").to_numpy()
    need = busy_hour_demand_mbps(
        demand["households"].to_numpy(np.float64), school, settings.busy_hour
    )
    dl_ok = dl >= need.target_downlink_mbps - 1e-9
    ul_ok = ul >= need.target_uplink_mbps - 1e-9
    link_ok = has & dl_ok & ul_ok
    loads = site_loads(np.where(link_ok, server.server, -1), dl, ul, need, rx.shape[0])
    reason = np.full(rx.shape[1], "", dtype=object)
    snr_dl = np.where(has, throughput_mbps(rx_best - technology.noise_floor_dbm, technology), 0.0)
    reason[has & ~dl_ok] = np.where(
        snr_dl[has & ~dl_ok] >= need.target_downlink_mbps[has & ~dl_ok] - 1e-9,
        "low_sinr",  # the signal alone would carry the rate: interference takes it
        "weak_signal",
    )
    reason[has & dl_ok & ~ul_ok] = "weak_uplink"
    reason[link_ok] = np.where(loads.served[link_ok], "covered", "over_capacity")
    return Broadband(plan, server, ul_snr, dl, ul, link_ok, need, loads, reason)


def _existing_interference_mw(demand: pd.DataFrame, settings: BroadbandSettings) -> _F | None:
    """Power (mW) of the strongest existing cell at each point, when existing cells share the band."""
    if not settings.existing_share_band or "existing_dbm" not in demand.columns:
        return None
    dbm = demand["existing_dbm"].to_numpy(dtype=np.float64)
    return np.where(np.isfinite(dbm), 10.0 ** (dbm / 10.0), 0.0)
