"""The exception tree of the coverage planner.

Every error the package raises on purpose derives from :class:`CoverageError`, and each
subclass also inherits the builtin it resembles, so ``except ValueError`` keeps working for
callers who do not know this package. Causes are chained with ``raise ... from err``.

A propagation model used outside its validated range is not an error nor a Python warning:
ITM's out-of-range flags travel with the results (:mod:`coverage.radio.itm`) and every plan
states them in its assumptions.
"""

from __future__ import annotations

__all__ = [
    "CRSError",
    "ClusterError",
    "CoverageError",
    "DataSourceError",
    "InfeasibleError",
    "InputError",
    "OutputError",
    "RegionError",
    "ScenarioError",
]


class CoverageError(Exception):
    """Root of every error raised on purpose by the coverage planner."""


class InputError(CoverageError, ValueError):
    """An input layer (DEM, boundaries, schools, population) is unusable.

    The message names the file or field, what is wrong and how to fix it. When several
    problems are found at once, ``problems`` lists each of them.

    Parameters
    ----------
    message
        The whole message, every problem in it.
    problems
        Each problem as its own sentence, when several were found at once; None (default)
        or empty: the message is the one problem.

    Attributes
    ----------
    problems
        The problems, one sentence each: ``problems`` as given, or ``[message]``.
    """

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.problems: list[str] = list(problems) if problems else [message]


class CRSError(InputError):
    """A layer has a missing, geographic or mismatched coordinate reference system."""


class ScenarioError(CoverageError, ValueError):
    """A scenario or area file has an unknown key, a wrong type or a value out of range."""


class RegionError(ScenarioError):
    """A region file (several areas, one scenario) has a missing, unknown or bad key.

    The message names the region file and the key (``areas[2].overrides``), what is wrong
    and how to fix it; every problem of the file is listed at once.
    """


class DataSourceError(CoverageError, OSError):
    """An input could not be found locally, in the mirror, or downloaded and verified."""


class OutputError(CoverageError, OSError):
    """An output folder cannot take an output set: a file, not writable, or too little space.

    The previous output set in the folder is left as it was; the message names the folder,
    what is wrong and how to fix it.
    """


class ClusterError(CoverageError, ConnectionError):
    """The dask scheduler a region names cannot be reached; the message names its address."""


class InfeasibleError(CoverageError, RuntimeError):
    """A placement problem has no solution; the message explains why in words."""
