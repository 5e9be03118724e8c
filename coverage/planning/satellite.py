"""Satellite terminals for the households no built site serves: how many a point needs, what a
person costs, and which points get the terminals a budget buys.

A demand point (an address) gets one terminal per household, rounded up: an address with
0.6 modelled households still needs one dish. The placement prices the option per person
(:func:`usd_per_person`, the mean over the points it may equip) and
:func:`allocate_terminals` then equips whole points, the most people per terminal first
(ties by order), within the terminals the budget left by the network buys. A simplified
model: a terminal serves its household whatever the terrain (Starlink's map covers all of
Colombia, Xataka Colombia), with no capacity limit per terminal.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from coverage.errors import InputError

__all__ = ["allocate_terminals", "satellite_eligible", "terminals_per_point", "usd_per_person"]


def satellite_eligible(demand: pd.DataFrame, aim: ArrayLike) -> NDArray[np.bool_]:
    """Demand points that may get a terminal: targeted, people not a school, and not served
    by an existing cell (a terminal there would duplicate the service).

    Parameters
    ----------
    demand
        Demand points (``kind``, ``population``; ``served_existing`` when known).
    aim
        Per point: targeted by the placement (``[existing] target``).

    Returns
    -------
    numpy.ndarray
        Boolean per point.
    """
    ok = np.asarray(aim, dtype=bool) & (demand["kind"] != "school").to_numpy()
    ok &= demand["population"].to_numpy(dtype=np.float64) > 0
    if "served_existing" in demand.columns:
        ok &= ~demand["served_existing"].fillna(False).to_numpy(dtype=bool)
    return ok


def terminals_per_point(households: ArrayLike, population: ArrayLike) -> NDArray[np.int64]:
    """Terminals each demand point needs: its households rounded up, none where nobody lives.

    Parameters
    ----------
    households
        Households per point (may be fractional: a modelled spread).
    population
        People per point.

    Returns
    -------
    numpy.ndarray
        Terminals (int) per point.
    """
    hh = np.asarray(households, dtype=np.float64)
    people = np.asarray(population, dtype=np.float64)
    kits = np.maximum(np.ceil(hh - 1e-9), 1.0)
    return np.where(people > 0, kits, 0.0).astype(np.int64)


def usd_per_person(
    usd_per_terminal: float, households: ArrayLike, population: ArrayLike, eligible: ArrayLike
) -> float:
    """Mean cost (USD) of connecting one person by satellite over the eligible points.

    Parameters
    ----------
    usd_per_terminal
        A terminal's cost over the plan's life (USD).
    households, population
        Per point.
    eligible
        Per point: may get a terminal (targeted people, schools excluded).

    Returns
    -------
    float
        USD per person.

    Raises
    ------
    InputError
        No eligible point has people.
    """
    ok = np.asarray(eligible, dtype=bool)
    kits = terminals_per_point(households, population)[ok]
    people = float(np.asarray(population, dtype=np.float64)[ok].sum())
    if people <= 0 or kits.sum() == 0:
        msg = "The satellite option has nobody to equip: no targeted demand point has people."
        raise InputError(msg)
    return usd_per_terminal * float(kits.sum()) / people


def allocate_terminals(
    terminals_affordable: int, households: ArrayLike, population: ArrayLike, eligible: ArrayLike
) -> NDArray[np.int64]:
    """Terminals given to each point: whole points, the most people per terminal first.

    Parameters
    ----------
    terminals_affordable
        Terminals the budget buys.
    households, population
        Per point.
    eligible
        Per point: may get terminals (targeted, not served by the network, not a school).

    Returns
    -------
    numpy.ndarray
        Terminals (int) per point; a point gets all it needs or none.
    """
    kits = terminals_per_point(households, population)
    people = np.asarray(population, dtype=np.float64)
    ok = np.asarray(eligible, dtype=bool) & (kits > 0)
    idx = np.nonzero(ok)[0]
    order = idx[np.lexsort((idx, -people[idx] / kits[idx]))]  # stable: ties by position
    need = np.cumsum(kits[order])
    out = np.zeros(kits.size, np.int64)
    take = order[need <= max(int(terminals_affordable), 0)]
    out[take] = kits[take]
    return out
