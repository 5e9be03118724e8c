"""Stage 5a: whether each demand point gets usable broadband from the chosen sites.

A point is **served** when, from the site that serves it best by SINR (the plan's frequency
plan, :func:`coverage.radio.interference.assign_carriers`; interferers at the scenario's
load, existing cells too where they share the band), the downlink with the whole carrier
meets the point's downlink rate, the terminal's uplink meets its uplink rate, and its site
has room for its busy-hour traffic (:func:`coverage.planning.capacity.site_loads`). Rates
follow from SINR by the attenuated Shannon bound of 3GPP TR 36.942 Annex A.2
(:func:`coverage.radio.linkbudget.throughput_mbps`). The received powers are those of the
coverage matrix, at the scenario's reliability, with the terminal's losses. A point whose
best server is full moves to its runner-up where that one passes the link test (one pass,
kept when it serves more schools, then more people: a simple load balancing).

The uplink's received power follows from the downlink's by reciprocity (the same path,
antennas and cable): ``rx_ul = rx_dl - P_site + P_terminal``, against the site's noise
figure over the whole carrier.

Simplifications, stated in the plan's models: the uplink sees the interference margin of the
service, not a computed uplink interference, and a terminal sends over the whole carrier
(no power concentration on fewer resource blocks, which would favour the cell edge);
interference from existing cells on the band is that of the strongest existing cell at each
point (a lower bound); interferers are predicted at the same reliability as the server; the
reliability margin beyond the model's loss lowers the wanted signal only; traffic is a mean
busy-hour load (no queueing).

:func:`link_rates_mbps` is also the placement's link test (:mod:`coverage.pipeline.stages`),
there on the SNR less the interference margin, before the plan's own SINR is known.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from scipy import sparse

from coverage.errors import InputError
from coverage.outputs.broadband import weighted_quantile
from coverage.planning.busyhour import BusyHour, BusyHourDemand, busy_hour_demand_mbps
from coverage.planning.capacity import (
    SiteLoads,
    capacity_limited_covers,
    option_traffic_mbps,
    site_loads,
)
from coverage.radio.interference import FrequencyPlan, ServerSinr, assign_carriers, best_server_sinr
from coverage.radio.linkbudget import throughput_mbps
from coverage.radio.technology import Technology

__all__ = [
    "Broadband",
    "BroadbandSettings",
    "ServiceCovers",
    "evaluate_broadband",
    "link_rates_mbps",
    "point_columns",
    "service_covers",
    "site_columns",
    "uplink_snr_db",
]

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
    interference_margin_db
        Interference allowance (dB): of the uplink always, and of the downlink in the
        placement's link test, before the plan's SINR is known.
    existing_share_band
        Existing cells transmit on the plan's carrier and interfere with it.
    reliability_margin_db
        Margin (dB) of the stated reliability beyond the propagation model's loss, taken
        off the wanted signal.

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
    interference_margin_db: float
    existing_share_band: bool = False
    reliability_margin_db: float = 0.0

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
        Best server by SINR of each point, its SINR (dB, at the median), and the runner-up.
    site
        The site serving each point: its best server, or the runner-up where the best is
        full and the runner-up passes the link test and has room (-1: none).
    sinr_db
        Downlink SINR (dB) of each point at its site at the stated reliability (less the
        reliability margin; NaN: no server).
    uplink_snr_db
        Uplink SNR (dB) of each point at its site, after the interference and reliability
        margins (NaN: none).
    link_downlink_mbps, link_uplink_mbps
        Rates (Mbps) of each point with the whole carrier of its site.
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
    site: NDArray[np.int64]
    sinr_db: _F
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
    rx = np.asarray(rx_dbm, dtype=np.float64).reshape(-1, len(demand))
    weights = demand["population"].to_numpy(dtype=np.float64)
    if rx.shape[0] == 0:  # no site reaches the PoP: nobody is served
        plan = FrequencyPlan(np.zeros(0, np.int64), settings.n_carriers, "single")
        none = np.full(rx.shape[1], -1, dtype=np.int64)
        nan = np.full(rx.shape[1], np.nan)
        server = ServerSinr(none, nan, none.copy(), nan.copy())
    else:
        plan = assign_carriers(rx, settings.n_carriers, weights)
        server = best_server_sinr(
            rx, plan.carrier, technology.noise_floor_dbm, load=settings.interference_load,
            external_mw=_existing_interference_mw(demand, settings), min_rx_dbm=min_rx_dbm,
        )  # fmt: skip
    school = (demand["kind"] == "school").to_numpy()
    need = busy_hour_demand_mbps(
        demand["households"].to_numpy(np.float64), school, settings.busy_hour
    )
    best = _links(rx, server.server, server.sinr_db, technology, settings, need)
    loads = site_loads(np.where(best.ok, server.server, -1), best.dl, best.ul, need, rx.shape[0])
    site, link = server.server, best
    runner = _links(rx, server.second, server.second_sinr_db, technology, settings, need)
    moved = best.ok & ~loads.served & runner.ok  # a full best server: try the runner-up
    if moved.any():
        site2 = np.where(moved, server.second, server.server)
        link2 = _Links(*(np.where(moved, b, a) for a, b in zip(best, runner, strict=True)))
        loads2 = site_loads(np.where(link2.ok, site2, -1), link2.dl, link2.ul, need, rx.shape[0])
        if _score(loads2.served, school, weights) > _score(loads.served, school, weights):
            site, link, loads = site2, link2, loads2
    reason = _reasons(site, link, loads, technology, settings, need)
    sinr = np.where(site >= 0, link.sinr_db, np.nan)
    return Broadband(
        plan, server, np.where(link.ok, site, server.server), sinr, link.ul_snr_db,
        link.dl, link.ul, link.ok, need, loads, reason,
    )  # fmt: skip


def _score(served: NDArray[np.bool_], school: NDArray[np.bool_], people: _F) -> tuple[int, float]:
    """What an assignment serves: schools first (as sites admit them), then people."""
    return int((served & school).sum()), round(float(people[served].sum()), 9)


class _Links(NamedTuple):
    """Per point at one server: its received power (dBm), SINR and uplink SNR (dB) at the
    reliability, link rates (Mbps) and whether both meet the point's targets."""

    rx_dbm: _F
    sinr_db: _F
    ul_snr_db: _F
    dl: _F
    ul: _F
    ok: NDArray[np.bool_]


def _links(
    rx: _F,
    site: NDArray[np.int64],
    sinr_db: _F,
    technology: Technology,
    settings: BroadbandSettings,
    need: BusyHourDemand,
) -> _Links:
    """The link test of each point at server ``site`` (-1: none) whose SINR is ``sinr_db``."""
    has = site >= 0
    margin = settings.reliability_margin_db
    rx_at = _rx_at(rx, site)
    sinr = np.where(has, sinr_db - margin, np.nan)
    ul_snr = uplink_snr_db(rx_at - margin, technology, settings)
    dl, ul = link_rates_mbps(sinr, ul_snr, technology, has)
    ok = has & (dl >= need.target_downlink_mbps - 1e-9) & (ul >= need.target_uplink_mbps - 1e-9)
    return _Links(rx_at, sinr, ul_snr, dl, ul, ok)


def _rx_at(rx: _F, site: NDArray[np.int64]) -> _F:
    """Each point's received power (dBm) from its site (NaN where it has none)."""
    if rx.shape[0] == 0:
        return np.full(rx.shape[1], np.nan)
    return np.where(site >= 0, rx[np.maximum(site, 0), np.arange(rx.shape[1])], np.nan)


def _reasons(
    site: NDArray[np.int64],
    link: _Links,
    loads: SiteLoads,
    technology: Technology,
    settings: BroadbandSettings,
    need: BusyHourDemand,
) -> NDArray[np.object_]:
    """Why each point is or is not served (see :attr:`Broadband.reason`)."""
    has = site >= 0
    reason = np.full(site.size, "", dtype=object)
    dl_ok = link.dl >= need.target_downlink_mbps - 1e-9
    snr = link.rx_dbm - settings.reliability_margin_db - technology.noise_floor_dbm
    alone = np.where(has, throughput_mbps(snr, technology), 0.0)
    weak = has & ~dl_ok
    # the signal alone would carry the rate: interference takes it
    reason[weak] = np.where(
        alone[weak] >= need.target_downlink_mbps[weak] - 1e-9, "low_sinr", "weak_signal"
    )
    reason[has & dl_ok & ~link.ok] = "weak_uplink"
    reason[link.ok] = np.where(loads.served[link.ok], "covered", "over_capacity")
    return reason


def uplink_snr_db(
    rx_downlink_dbm: ArrayLike, technology: Technology, settings: BroadbandSettings
) -> _F:
    """Uplink SNR (dB) from the downlink's received power, by reciprocity.

    Parameters
    ----------
    rx_downlink_dbm
        Downlink received power (dBm), any shape.
    technology
        The access technology (the site's conducted power, dBm).
    settings
        The terminal's power, the site's noise floor and the interference margin (dB).

    Returns
    -------
    numpy.ndarray
        ``rx_dl - P_site + P_terminal - N_site - margin`` (dB), the shape of the input.
    """
    return np.asarray(
        np.asarray(rx_downlink_dbm, dtype=np.float64)
        - technology.tx_power_dbm
        + settings.terminal_tx_power_dbm
        - settings.uplink_noise_floor_dbm
        - settings.interference_margin_db
    )


def link_rates_mbps(
    downlink_sinr_db: ArrayLike,
    uplink_snr_db: ArrayLike,
    technology: Technology,
    has_server: ArrayLike | None = None,
) -> tuple[_F, _F]:
    """Downlink and uplink rates (Mbps) with the whole carrier, 3GPP TR 36.942 Annex A.2.

    Parameters
    ----------
    downlink_sinr_db, uplink_snr_db
        SINR and SNR (dB), one shape.
    technology
        Bandwidth, minimum SNR and the rate cap (:func:`~coverage.radio.linkbudget.throughput_mbps`).
    has_server
        Where a server exists (None: everywhere); elsewhere both rates are 0.

    Returns
    -------
    downlink_mbps, uplink_mbps
        Rates (Mbps), the shape of the inputs.
    """
    dl = throughput_mbps(downlink_sinr_db, technology)
    ul = throughput_mbps(uplink_snr_db, technology)
    if has_server is None:
        return dl, ul
    has = np.asarray(has_server, dtype=bool)
    return np.where(has, dl, 0.0), np.where(has, ul, 0.0)


def point_columns(bb: Broadband, site_ids: ArrayLike) -> dict[str, NDArray[Any]]:
    """The demand table's broadband columns of a :class:`Broadband` verdict.

    Parameters
    ----------
    bb
        The broadband test of the sites.
    site_ids
        The id of each site (row of the received-power matrix).

    Returns
    -------
    dict
        ``covered`` (served), ``best_site`` (its server by SINR, "" when not served),
        ``sinr_db``, ``uplink_snr_db`` (dB), ``link_downlink_mbps``, ``link_uplink_mbps``
        (Mbps with the whole carrier), ``downlink_busy_hour_mbps`` and
        ``uplink_busy_hour_mbps`` (Mbps an active user gets at the busy hour).
    """
    ids = np.asarray(site_ids, dtype=object)
    served = bb.served
    best = np.full(served.shape, "", dtype=object)
    if ids.size:
        best[served] = ids[bb.site[served]]
    return {
        "covered": served,
        "best_site": best,
        "sinr_db": bb.sinr_db,
        "uplink_snr_db": np.where(bb.site >= 0, bb.uplink_snr_db, np.nan),
        "link_downlink_mbps": bb.link_downlink_mbps,
        "link_uplink_mbps": bb.link_uplink_mbps,
        "downlink_busy_hour_mbps": bb.loads.downlink_rate_mbps,
        "uplink_busy_hour_mbps": bb.loads.uplink_rate_mbps,
    }


def site_columns(bb: Broadband, population: ArrayLike) -> pd.DataFrame:
    """Per site: its carrier, busy-hour load, capacity and the SINR of the points it serves.

    Parameters
    ----------
    bb
        The broadband test of the sites.
    population
        People per demand point (the weights of the median SINR).

    Returns
    -------
    pandas.DataFrame
        One row per site (index: site row): ``carrier``, ``households_served``,
        ``offered_downlink_mbps``, ``carried_downlink_mbps``, ``capacity_downlink_mbps``,
        ``offered_uplink_mbps``, ``carried_uplink_mbps``, ``capacity_uplink_mbps`` (Mbps),
        ``downlink_share``, ``uplink_share`` (of the site's resources used, 0-1),
        ``households_over_capacity`` and ``median_sinr_db`` (people-weighted over its
        served points, dB).
    """
    t = bb.loads.sites.rename(
        columns={
            "downlink_capacity_mbps": "capacity_downlink_mbps",
            "uplink_capacity_mbps": "capacity_uplink_mbps",
        }
    )
    n = len(t)
    served, server = bb.served, bb.site
    t["carrier"] = bb.frequency_plan.carrier[:n]
    t["households_served"] = np.bincount(
        server[served], bb.demand.households[served], minlength=n
    ).astype(np.float64)
    pop = np.asarray(population, dtype=np.float64)
    medians = (
        weighted_quantile(bb.sinr_db[served & (server == k)], pop[served & (server == k)], 0.5)
        for k in range(n)
    )
    t["median_sinr_db"] = [np.nan if m is None else m for m in medians]
    keep = [
        "carrier", "households_served", "offered_downlink_mbps", "carried_downlink_mbps",
        "capacity_downlink_mbps", "offered_uplink_mbps", "carried_uplink_mbps",
        "capacity_uplink_mbps", "downlink_share", "uplink_share", "households_over_capacity",
        "median_sinr_db",
    ]  # fmt: skip
    return t[keep]


@dataclass(frozen=True, eq=False)
class ServiceCovers:
    """What each placement option serves under the service definition (see :func:`service_covers`).

    Attributes
    ----------
    signal
        Options x points: the received power reaches the threshold (the signal-only test).
    link
        Options x points: the signal test, and both link rates meet the point's targets on
        the SNR less the interference margin.
    covers
        Options x points: ``link`` cut to what each option's capacity carries
        (:func:`~coverage.planning.capacity.capacity_limited_covers`).
    traffic_mbps
        Busy-hour traffic (Mbps, both directions) each option injects into the backhaul.
    """

    signal: sparse.csr_array
    link: sparse.csr_array
    covers: sparse.csr_array
    traffic_mbps: _F


def service_covers(
    rx_dbm: ArrayLike,
    demand: pd.DataFrame,
    technology: Technology,
    settings: BroadbandSettings,
    *,
    min_rx_dbm: float,
) -> ServiceCovers:
    """The placement's covers: signal, link rates both ways and capacity, per option.

    Before a plan exists its SINR is unknown: the link test takes each option's SNR less
    ``settings.interference_margin_db`` (an assumed noise rise) in both directions. The
    plan's own SINR, frequency plan and site loads are checked after the placement by
    :func:`evaluate_broadband`, whose verdict is the plan's.

    Parameters
    ----------
    rx_dbm
        (options, points) downlink received power (dBm); NaN where an option does not reach.
    demand
        The demand points: ``households``, ``population`` and ``kind``.
    technology
        The access technology (noise floor, site power, rates).
    settings
        The busy hour, terminal power, uplink noise floor and margins.
    min_rx_dbm
        The signal test's threshold (dBm).

    Returns
    -------
    ServiceCovers
        Signal, link and capacity-limited covers and each option's traffic (Mbps).
    """
    rx = np.nan_to_num(np.asarray(rx_dbm, dtype=np.float64), nan=-np.inf)
    signal = rx >= min_rx_dbm
    wanted = rx - settings.reliability_margin_db
    snr = wanted - technology.noise_floor_dbm - settings.interference_margin_db
    dl, ul = link_rates_mbps(snr, uplink_snr_db(wanted, technology, settings), technology, signal)
    school = (demand["kind"] == "school").to_numpy()
    need = busy_hour_demand_mbps(
        demand["households"].to_numpy(np.float64), school, settings.busy_hour
    )
    link = (
        signal & (dl >= need.target_downlink_mbps - 1e-9) & (ul >= need.target_uplink_mbps - 1e-9)
    )
    link_sparse = sparse.csr_array(link)
    covers = capacity_limited_covers(
        link_sparse, dl, ul, need.downlink_mbps, need.uplink_mbps,
        demand["population"].to_numpy(np.float64), first=school,
    )  # fmt: skip
    traffic = option_traffic_mbps(covers, need.downlink_mbps, need.uplink_mbps)
    return ServiceCovers(sparse.csr_array(signal), link_sparse, covers, traffic)


def _existing_interference_mw(demand: pd.DataFrame, settings: BroadbandSettings) -> _F | None:
    """Power (mW) of the strongest existing cell at each point, when existing cells share the band."""
    if not settings.existing_share_band or "existing_dbm" not in demand.columns:
        return None
    dbm = demand["existing_dbm"].to_numpy(dtype=np.float64)
    return np.where(np.isfinite(dbm), 10.0 ** (dbm / 10.0), 0.0)
