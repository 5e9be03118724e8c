"""Busy-hour demand: who is active at the busy hour, at what rate, at each point.

The dimensioning rule (issue 17): at the busy hour a point offers ``households x take-up x
busy-hour share`` active households, each at the per-household rate, plus its school, if it
has one, at the school's own rate (schools are taken as active at the busy hour), in each
direction. It is a mean-load (fluid) model, simplified: no queueing, no Erlang blocking and
no burstiness beyond the busy-hour share. :mod:`coverage.planning.capacity` sets this demand
against each site's capacity.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields

import numpy as np
from numpy.typing import ArrayLike, NDArray

from coverage.errors import InputError

__all__ = ["BusyHour", "BusyHourDemand", "busy_hour_demand_mbps"]

_SHARES = ("take_up_share", "busy_hour_share")


@dataclass(frozen=True)
class BusyHour:
    """The busy-hour dimensioning of the service: who is active, at what rate.

    A point with ``h`` households offers ``h x take_up_share x busy_hour_share`` active
    households at ``household_*_mbps`` each; a school is active at the busy hour at
    ``school_*_mbps``. A mean-load (fluid) model, simplified: no queueing or Erlang blocking.

    Attributes
    ----------
    take_up_share
        Share of households that subscribe (0-1].
    busy_hour_share
        Share of subscribers active at the busy hour (0-1].
    household_downlink_mbps
        Rate an active household is to get, downlink (Mbps).
    household_uplink_mbps
        Rate an active household is to get, uplink (Mbps).
    school_downlink_mbps
        Rate a school is to get at the busy hour, downlink (Mbps).
    school_uplink_mbps
        Rate a school is to get at the busy hour, uplink (Mbps).

    Raises
    ------
    InputError
        A share outside (0, 1] or a rate that is negative or not finite, every one named.
    """

    take_up_share: float
    busy_hour_share: float
    household_downlink_mbps: float
    household_uplink_mbps: float
    school_downlink_mbps: float
    school_uplink_mbps: float

    def __post_init__(self) -> None:
        """Refuse the values listed under Raises, all in one ``InputError``."""
        problems = []
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name in _SHARES and not (math.isfinite(value) and 0 < value <= 1):
                problems.append(f"{f.name} must lie in (0, 1], got {value}; give a share")
            elif f.name not in _SHARES and not (math.isfinite(value) and value >= 0):
                problems.append(f"{f.name} must be a rate >= 0 (Mbps), got {value}")
        if problems:
            msg = "Busy hour: " + "; ".join(problems) + "."
            raise InputError(msg, problems)

    @property
    def active_share(self) -> float:
        """Active households at the busy hour per household.

        Returns
        -------
        float
            ``take_up_share x busy_hour_share``.
        """
        return self.take_up_share * self.busy_hour_share


@dataclass(frozen=True, eq=False)
class BusyHourDemand:
    """The busy-hour demand of each point (see :func:`busy_hour_demand_mbps`).

    Attributes
    ----------
    downlink_mbps
        Offered downlink load (Mbps) per point.
    uplink_mbps
        Offered uplink load (Mbps) per point.
    target_downlink_mbps
        Downlink rate (Mbps) one active user of the point is to get: the school's at a
        school, else a household's.
    target_uplink_mbps
        The same, uplink (Mbps).
    households
        Households per point.
    is_school
        Whether the point is a school.
    """

    downlink_mbps: NDArray[np.float64]
    uplink_mbps: NDArray[np.float64]
    target_downlink_mbps: NDArray[np.float64]
    target_uplink_mbps: NDArray[np.float64]
    households: NDArray[np.float64]
    is_school: NDArray[np.bool_]


def busy_hour_demand_mbps(
    households: ArrayLike, is_school: ArrayLike, busy_hour: BusyHour
) -> BusyHourDemand:
    """Busy-hour demand (Mbps) per point: households x take-up x busy-hour share x rate,
    plus a school at its own rate.

    Parameters
    ----------
    households
        Households at each point (>= 0; may be fractional, a share of a vereda's).
    is_school
        Whether each point is a school.
    busy_hour
        Take-up, busy-hour share and the target rates.

    Returns
    -------
    BusyHourDemand
        Downlink and uplink demand (Mbps) per point, with the targets behind them.

    Raises
    ------
    InputError
        Households negative or not finite, or not one school flag per point.
    """
    h = np.asarray(households, dtype=np.float64).ravel()
    school = np.asarray(is_school, dtype=bool).ravel()
    if school.size != h.size or not (np.isfinite(h).all() and (h >= 0).all()):
        msg = (
            f"busy_hour_demand_mbps: {h.size} household counts (each finite, >= 0) need as "
            f"many school flags, got {school.size}; fix the bad values."
        )
        raise InputError(msg)
    active = h * busy_hour.active_share
    bh = busy_hour
    return BusyHourDemand(
        downlink_mbps=active * bh.household_downlink_mbps + school * bh.school_downlink_mbps,
        uplink_mbps=active * bh.household_uplink_mbps + school * bh.school_uplink_mbps,
        target_downlink_mbps=np.where(school, bh.school_downlink_mbps, bh.household_downlink_mbps),
        target_uplink_mbps=np.where(school, bh.school_uplink_mbps, bh.household_uplink_mbps),
        households=h,
        is_school=school,
    )
