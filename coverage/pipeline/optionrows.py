"""Every level (dBm) of a few options, dense, whether the run keeps a dense or a sparse matrix.

The plan's service model (SINR, the strongest level in the demand table) needs every finite
level of the options it judges, not only the pairs at the service threshold that a
:class:`~coverage.pipeline.sparsecov.SparseCoverage` keeps. :class:`OptionLevels` gives
those rows: from a dense matrix, its rows; from a sparse one, the options' candidates
computed again, block by block as :func:`~coverage.pipeline.stages.coverage_matrix` does
(each option's levels depend on its own candidate alone: the same float32 values), once
per candidate and kept. The assembly asks for the chosen sites' rows; the placement's
capture repair (:mod:`coverage.planning.capture`) for the chosen sites and their other
mast heights: a few candidates, not the matrix.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
from numpy.typing import ArrayLike, NDArray

from coverage.pipeline.prepare import Inputs
from coverage.pipeline.resolve import ResolvedScenario
from coverage.pipeline.sparsecov import SparseCoverage
from coverage.pipeline.stages import BLOCK_CANDIDATES, _blocks

__all__ = ["OptionLevels"]


class OptionLevels:
    """Dense rows of received power (dBm, NaN beyond range) of any options, on demand.

    Parameters
    ----------
    resolved
        The resolved scenario the matrix was computed with.
    inputs
        The run's data.
    candidates
        The candidates of the matrix, in its order.
    rx_dbm
        The matrix: dense (options, points) float32, or sparse.
    """

    def __init__(
        self,
        resolved: ResolvedScenario,
        inputs: Inputs,
        candidates: gpd.GeoDataFrame,
        rx_dbm: NDArray[np.float32] | SparseCoverage,
    ) -> None:
        self._resolved = resolved
        self._inputs = inputs
        self._candidates = candidates
        self._rx = rx_dbm
        self._heights = len(resolved.scenario.placement.mast_heights_m)
        self._rows: dict[int, NDArray[np.float32]] = {}  # candidate -> its (heights, points)

    @property
    def shape(self) -> tuple[int, int]:
        """The matrix's shape.

        Returns
        -------
        tuple of int
            (options, demand points).
        """
        return (int(self._rx.shape[0]), int(self._rx.shape[1]))

    def __getitem__(self, options: ArrayLike) -> NDArray[np.float32]:
        """The rows of ``options`` (option indices), in the order given.

        Parameters
        ----------
        options
            Option indices (rows of the matrix).

        Returns
        -------
        numpy.ndarray
            (len(options), points) float32 received power (dBm), NaN beyond range.
        """
        opts = np.asarray(options, dtype=np.int64).ravel()
        if not isinstance(self._rx, SparseCoverage):
            return np.asarray(self._rx[opts], dtype=np.float32)
        if opts.size == 0:
            return np.zeros((0, self.shape[1]), dtype=np.float32)
        sites = opts // self._heights
        self._compute(np.unique(sites))
        heights = opts % self._heights
        return np.stack([self._rows[int(s)][int(h)] for s, h in zip(sites, heights, strict=True)])

    def _compute(self, sites: NDArray[np.int64]) -> None:
        """Compute and keep the rows of the candidates ``sites`` not computed yet."""
        missing = [int(s) for s in sites if int(s) not in self._rows]
        if not missing:
            return
        part = self._candidates.iloc[missing]
        blocks = _blocks(self._resolved, self._inputs, part, BLOCK_CANDIDATES, False)
        rx = np.concatenate([b for _, b, _ in blocks])
        for k, site in enumerate(missing):
            self._rows[site] = rx[k * self._heights : (k + 1) * self._heights]
