"""The dask client a region is planned on: an existing scheduler's, or a local cluster's.

:func:`region_client` gives a :class:`distributed.Client` for the length of a ``with``
block: connected to ``scheduler`` when an address is given (``tcp://host:8786``, a cluster
started with ``dask scheduler`` and ``dask worker``), else to a
:class:`distributed.LocalCluster` of ``workers`` processes of one thread each, closed at the
end of the block.

Each local worker runs its numba kernels on one thread (``NUMBA_NUM_THREADS=1``, set in the
workers' environment only): the workers are the parallelism, and two levels of threads on
the same cores would compete. The variable is never set in this process: numba reads it
once, when first imported, and refuses a later change. Workers of an existing cluster run
as their owner started them (start them with ``NUMBA_NUM_THREADS=1`` and ``--nthreads 1``
for the same behaviour).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from coverage.errors import ClusterError

__all__ = ["WORKER_ENV", "region_client"]

log = logging.getLogger(__name__)

#: Environment of each local worker: one numba thread, and one BLAS thread (the workers
#: are the parallelism).
WORKER_ENV = {
    "NUMBA_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
}


@contextmanager
def region_client(
    scheduler: str = "", *, workers: int = 2, connect_timeout_s: float = 30.0
) -> Iterator[Any]:
    """A dask client: on the scheduler at ``scheduler``, or on a new local cluster.

    Parameters
    ----------
    scheduler
        Address of a running dask scheduler (``tcp://host:8786``); "" starts a local cluster.
    workers
        Worker processes of the local cluster (one thread each); unused with ``scheduler``.
    connect_timeout_s
        How long to wait for the scheduler at ``scheduler`` to answer (s).

    Yields
    ------
    distributed.Client
        The client; closed (with its local cluster) when the block ends.

    Raises
    ------
    ClusterError
        No scheduler answered at ``scheduler``.
    """
    from distributed import Client, LocalCluster

    if scheduler:
        log.info("region: connecting to the dask scheduler at %s", scheduler)
        try:
            client = Client(scheduler, timeout=f"{connect_timeout_s}s")
        except (OSError, TimeoutError) as err:
            msg = (
                f"No dask scheduler answered at {scheduler} within {connect_timeout_s:g} s "
                f"({err}); start one (dask scheduler, then dask worker ADDRESS on each "
                "machine) or give its address, e.g. tcp://host:8786."
            )
            raise ClusterError(msg) from err
        with client:
            yield client
        return
    log.info("region: starting a local dask cluster of %d workers, 1 thread each", workers)
    with (
        LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            silence_logs=logging.WARNING,
            env=WORKER_ENV,
        ) as cluster,
        Client(cluster) as client,
    ):
        yield client
