"""The exception tree and warning classes of the coverage planner.

Every error the package raises on purpose derives from :class:`CoverageError`, and each
subclass also inherits the builtin it resembles, so ``except ValueError`` keeps working for
callers who do not know this package. Causes are chained with ``raise ... from err``.
"""

from __future__ import annotations

__all__ = [
    "CRSError",
    "CoverageError",
    "DataSourceError",
    "InfeasibleError",
    "InputError",
    "ModelRangeWarning",
    "ScenarioError",
]


class CoverageError(Exception):
    """Root of every error raised on purpose by the coverage planner."""


class InputError(CoverageError, ValueError):
    """An input layer (DEM, boundaries, schools, population) is unusable.

    The message names the file or field, what is wrong and how to fix it. When several
    problems are found at once, ``problems`` lists each of them.
    """

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.problems: list[str] = list(problems) if problems else [message]


class CRSError(InputError):
    """A layer has a missing, geographic or mismatched coordinate reference system."""


class ScenarioError(CoverageError, ValueError):
    """A scenario or area file has an unknown key, a wrong type or a value out of range."""


class DataSourceError(CoverageError, OSError):
    """An input could not be found locally, in the mirror, or downloaded and verified."""


class InfeasibleError(CoverageError, RuntimeError):
    """A placement problem has no solution; the message explains why in words."""


class ModelRangeWarning(UserWarning):
    """A propagation model was used outside the range its reference validates."""
