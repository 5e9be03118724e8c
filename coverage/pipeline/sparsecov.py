"""The coverage matrix kept sparse: only the option-to-point levels above a floor.

Most option-to-point pairs of a territory lie within the technology's range but far below
the service threshold (on Palmitas every pair is within range, a fifth reach the threshold):
a dense (options x points) float32 matrix spends most of its bytes on levels that decide
nothing. :class:`SparseCoverage` stores, per option, the points whose level (dBm) is at
least ``floor_dbm`` and those levels, in compressed-row form, built block by block
(:func:`coverage.pipeline.stages.sparse_coverage`).

The floor is what the consumers need, not a tuning knob:

- the placement's covers (:func:`service_covers_sparse`, the same test as
  :func:`coverage.pipeline.broadband.service_covers`) read only the pairs whose level
  reaches the service threshold: signal, link rates and capacity are all computed on those
  pairs, so a floor at the threshold (margin 0 dB) gives the same covers, bit for bit;
- the downtilt fit (:func:`coverage.pipeline.access.fit_downtilts`) needs every level of its
  options at the peak gain: it runs on each block's dense levels before they are made
  sparse;
- the plan's broadband verdict (the SINR sums every chosen site's power as interference,
  down to any level) and the demand table's strongest level need *all* finite levels of the
  chosen options: :func:`coverage.pipeline.assemble.assemble_plan` computes those few rows
  again, densely (each option's levels depend on that option alone), rather than keep every
  level of every option.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import sparse

from coverage.errors import InputError
from coverage.pipeline.broadband import (
    BroadbandSettings,
    ServiceCovers,
    link_rates_mbps,
    uplink_snr_db,
)
from coverage.planning.busyhour import busy_hour_demand_mbps
from coverage.planning.capacity import capacity_limited_covers, option_traffic_mbps
from coverage.radio.technology import Technology

__all__ = ["SparseCoverage", "service_covers_sparse"]


@dataclass(frozen=True, eq=False)
class SparseCoverage:
    """Received power (dBm) of the option-to-point pairs at or above a floor, by option.

    Row ``o`` holds the points ``indices[indptr[o]:indptr[o + 1]]`` (increasing) and their
    levels ``levels_dbm[indptr[o]:indptr[o + 1]]``; every pair not stored is below
    ``floor_dbm`` or beyond range (NaN in the dense matrix). Plain arrays rather than a
    ``scipy.sparse`` matrix, whose operations drop stored zeros (a 0 dBm level is a level).

    Attributes
    ----------
    shape
        (options, demand points) of the dense matrix.
    floor_dbm
        Least level kept (dBm).
    indptr
        (options + 1,) row starts into ``indices`` and ``levels_dbm``.
    indices
        Point index of each stored pair (int32).
    levels_dbm
        Received power of each stored pair (dBm, float32, as the dense matrix holds it).
    """

    shape: tuple[int, int]
    floor_dbm: float
    indptr: NDArray[np.int64]
    indices: NDArray[np.int32]
    levels_dbm: NDArray[np.float32]

    @classmethod
    def from_dense(cls, rx_dbm: NDArray[np.float32], floor_dbm: float) -> SparseCoverage:
        """The pairs of a dense (options, points) matrix at or above ``floor_dbm``.

        Parameters
        ----------
        rx_dbm
            (options, points) float32 received power (dBm), NaN beyond range.
        floor_dbm
            Least level kept (dBm).

        Returns
        -------
        SparseCoverage
            The stored pairs, row by row, points increasing.
        """
        rx = np.asarray(rx_dbm, dtype=np.float32)
        keep = np.nan_to_num(rx, nan=-np.inf) >= floor_dbm
        rows, cols = np.nonzero(keep)
        indptr = np.zeros(rx.shape[0] + 1, dtype=np.int64)
        np.cumsum(keep.sum(axis=1), out=indptr[1:])
        return cls(
            (int(rx.shape[0]), int(rx.shape[1])),
            float(floor_dbm),
            indptr,
            cols.astype(np.int32),
            rx[rows, cols],
        )

    @classmethod
    def concatenate(cls, blocks: Sequence[SparseCoverage]) -> SparseCoverage:
        """The blocks' options one after another (blocks of consecutive options).

        Parameters
        ----------
        blocks
            At least one block; all of the same points and floor.

        Returns
        -------
        SparseCoverage
            Their rows in order.

        Raises
        ------
        InputError
            No block, or blocks of different points or floors.
        """
        if not blocks:
            msg = "SparseCoverage.concatenate needs at least one block."
            raise InputError(msg)
        m, floor = blocks[0].shape[1], blocks[0].floor_dbm
        if any(b.shape[1] != m or b.floor_dbm != floor for b in blocks):
            msg = "SparseCoverage blocks differ in their points or their floor."
            raise InputError(msg)
        offsets = np.cumsum([0] + [b.nnz for b in blocks])
        indptr = np.concatenate(
            [[0]] + [b.indptr[1:] + off for b, off in zip(blocks, offsets, strict=False)]
        ).astype(np.int64)
        return cls(
            (sum(b.shape[0] for b in blocks), m),
            floor,
            indptr,
            np.concatenate([b.indices for b in blocks]).astype(np.int32),
            np.concatenate([b.levels_dbm for b in blocks]).astype(np.float32),
        )

    @property
    def nnz(self) -> int:
        """Number of stored pairs.

        Returns
        -------
        int
            ``indptr[-1]``.
        """
        return int(self.indptr[-1])

    @property
    def density(self) -> float:
        """Stored pairs / all option-to-point pairs.

        Returns
        -------
        float
            Between 0 and 1; 0 for an empty matrix.
        """
        n = self.shape[0] * self.shape[1]
        return self.nnz / n if n else 0.0

    @property
    def nbytes(self) -> int:
        """Bytes of the three arrays.

        Returns
        -------
        int
            ``indptr``, ``indices`` and ``levels_dbm`` together.
        """
        return int(self.indptr.nbytes + self.indices.nbytes + self.levels_dbm.nbytes)

    def option_rows(self) -> NDArray[np.int64]:
        """The option (row) of each stored pair.

        Returns
        -------
        numpy.ndarray
            (nnz,) int64.
        """
        return np.repeat(np.arange(self.shape[0], dtype=np.int64), np.diff(self.indptr))

    def to_dense(self) -> NDArray[np.float32]:
        """The dense (options, points) float32 matrix, NaN where no pair is stored.

        Returns
        -------
        numpy.ndarray
            Equal to the dense matrix at every level at or above the floor.
        """
        out = np.full(self.shape, np.nan, dtype=np.float32)
        out[self.option_rows(), self.indices] = self.levels_dbm
        return out


def service_covers_sparse(
    coverage: SparseCoverage,
    demand: pd.DataFrame,
    technology: Technology,
    settings: BroadbandSettings,
    *,
    min_rx_dbm: float,
) -> ServiceCovers:
    """:func:`~coverage.pipeline.broadband.service_covers` on the stored pairs only.

    The same arithmetic on the same float32 levels, pair by pair, so the same covers and
    traffic; the signal test's pairs are the stored pairs at or above ``min_rx_dbm``.

    Parameters
    ----------
    coverage
        The sparse levels; its floor must not exceed ``min_rx_dbm``.
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

    Raises
    ------
    InputError
        The floor lies above the threshold: pairs the test needs were dropped.
    """
    if coverage.floor_dbm > min_rx_dbm:
        msg = (
            f"the sparse coverage keeps levels from {coverage.floor_dbm} dBm, above the "
            f"signal threshold {min_rx_dbm} dBm: the covers need every level from the threshold."
        )
        raise InputError(msg)
    shape = coverage.shape
    rx = coverage.levels_dbm.astype(np.float64)
    signal = rx >= min_rx_dbm
    rows, cols = coverage.option_rows()[signal], coverage.indices[signal].astype(np.int64)
    wanted = rx[signal] - settings.reliability_margin_db
    snr = wanted - technology.noise_floor_dbm - settings.interference_margin_db
    dl, ul = link_rates_mbps(snr, uplink_snr_db(wanted, technology, settings), technology)
    school = (demand["kind"] == "school").to_numpy()
    need = busy_hour_demand_mbps(
        demand["households"].to_numpy(np.float64), school, settings.busy_hour
    )
    t_dl = np.broadcast_to(np.asarray(need.target_downlink_mbps, np.float64), shape[1:])[cols]
    t_ul = np.broadcast_to(np.asarray(need.target_uplink_mbps, np.float64), shape[1:])[cols]
    link = (dl >= t_dl - 1e-9) & (ul >= t_ul - 1e-9)
    del rx, wanted, snr, t_dl, t_ul  # per-pair temporaries: the capacity cut needs room
    pairs = (rows[link], cols[link])
    link_sparse = sparse.csr_array((np.ones(int(link.sum()), bool), pairs), shape=shape)
    covers = capacity_limited_covers(
        link_sparse,
        sparse.csr_array((dl[link], pairs), shape=shape),
        sparse.csr_array((ul[link], pairs), shape=shape),
        need.downlink_mbps,
        need.uplink_mbps,
        demand["population"].to_numpy(np.float64),
        first=school,
    )
    traffic = option_traffic_mbps(covers, need.downlink_mbps, need.uplink_mbps)
    signal_sparse = sparse.csr_array((np.ones(rows.size, bool), (rows, cols)), shape=shape)
    return ServiceCovers(signal_sparse, link_sparse, covers, traffic)
