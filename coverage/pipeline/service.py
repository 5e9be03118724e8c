"""The plan's service model as a cheap function of the chosen access options.

:func:`network_served` is the verdict the outputs give (the demand table's ``covered``
column, :func:`coverage.pipeline.assemble.assemble_plan`): the rows of the coverage matrix
of the chosen options, in candidate order, through
:func:`~coverage.pipeline.broadband.evaluate_broadband` (best server by SINR, link rates,
busy-hour capacity per site, the excess unserved). No raster is drawn. :class:`ServiceScore`
wraps it as the :data:`~coverage.planning.capture.ServedPeople` function the placement's
capture repair (:mod:`coverage.planning.capture`) asks for.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from coverage.pipeline.broadband import BroadbandSettings, evaluate_broadband
from coverage.radio.technology import Technology

__all__ = ["LevelRows", "ServiceScore", "network_served"]


class LevelRows(Protocol):
    """Rows of received power (dBm) by option index: a dense matrix, or
    :class:`~coverage.pipeline.optionrows.OptionLevels` over a sparse one."""

    def __getitem__(self, options: NDArray[np.int64], /) -> ArrayLike:
        """The (len(options), points) levels (dBm) of ``options``.

        Parameters
        ----------
        options
            Option indices (rows of the matrix).

        Returns
        -------
        ArrayLike
            Their levels (dBm), NaN beyond range.
        """


def network_served(
    rx_dbm: LevelRows,
    options: ArrayLike,
    demand: pd.DataFrame,
    technology: Technology,
    settings: BroadbandSettings,
    *,
    min_rx_dbm: float,
) -> NDArray[np.bool_]:
    """Per demand point: served by the access options under the service definition.

    Parameters
    ----------
    rx_dbm
        (options, points) received power (dBm) of every option, every finite level (not a
        sparse structure's pairs at the threshold: the SINR needs the weaker ones); NaN where
        it does not reach.
    options
        The chosen access options (rows of ``rx_dbm``), each reaching the PoP; taken in
        ascending order, the order of the plan's sites.
    demand
        The demand points (``population``, ``households``, ``kind``; ``existing_dbm`` when
        existing cells share the band).
    technology
        The access technology.
    settings
        The service's busy hour, carriers, load and uplink figures.
    min_rx_dbm
        The signal test's threshold (dBm).

    Returns
    -------
    numpy.ndarray
        Booleans, one per point: the outputs' ``covered``.
    """
    rows = np.sort(np.asarray(options, dtype=np.int64).ravel())
    rx = np.asarray(rx_dbm[rows], dtype=np.float64).reshape(rows.size, len(demand))
    bb = evaluate_broadband(rx, demand, technology, settings, min_rx_dbm=min_rx_dbm)
    return bb.served


@dataclass(frozen=True, eq=False)
class ServiceScore:
    """Weight served (people) by a set of access options, under the service definition.

    Attributes
    ----------
    rx_dbm
        (options, points) received power (dBm).
    demand
        The demand points.
    technology
        The access technology.
    settings
        The service settings.
    min_rx_dbm
        The signal test's threshold (dBm).
    weights
        What a served point counts (people; e.g. the placement's weights, schools heavier).
    """

    rx_dbm: LevelRows
    demand: pd.DataFrame
    technology: Technology
    settings: BroadbandSettings
    min_rx_dbm: float
    weights: NDArray[np.float64]

    def __call__(self, options: NDArray[np.int64]) -> float:
        """The weight of the points the options serve.

        Parameters
        ----------
        options
            Access options (rows of ``rx_dbm``).

        Returns
        -------
        float
            Sum of ``weights`` over the served points.
        """
        served = network_served(
            self.rx_dbm, options, self.demand, self.technology, self.settings,
            min_rx_dbm=self.min_rx_dbm,
        )  # fmt: skip
        return float(self.weights[served].sum())
