"""One wall-clock deadline shared by every phase of a placement search.

:func:`coverage.planning.backhaul.milp.plan_network` runs several phases (greedy, swaps,
local searches, iterated local search, HiGHS rounds). Each is budgeted by work (moves,
kicks, nodes) so that its plan depends only on the inputs; the time limit is a safety net
above them. A :class:`Deadline` is that net: made once from ``time_limit_s``, passed down,
asked between units of work, and it records every phase it cut, so the caller can say so in
the log and in the plan's warnings (a plan cut by the clock may differ on another machine).
"""

from __future__ import annotations

import dataclasses
import logging
import math
import time
from dataclasses import dataclass, field

__all__ = ["Deadline"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Deadline:
    """A ``time.perf_counter()`` instant after which the phases asking it stop.

    Attributes
    ----------
    end_s
        The instant (``time.perf_counter()`` seconds); ``math.inf``: never.
    limit_s
        The limit it was made from (s), for messages; ``math.inf``: none.
    cut
        The phases it cut, in order, each once (shared by the deadlines :meth:`part`
        derives from this one).
    """

    end_s: float = math.inf
    limit_s: float = math.inf
    cut: list[str] = field(default_factory=list, compare=False)

    @classmethod
    def after(cls, limit_s: float, *, start_s: float | None = None) -> Deadline:
        """The deadline ``limit_s`` seconds after ``start_s``.

        Parameters
        ----------
        limit_s
            Seconds allowed (``math.inf``: none).
        start_s
            ``time.perf_counter()`` instant it counts from (None: now).

        Returns
        -------
        Deadline
            A deadline with an empty record of cut phases.
        """
        t0 = time.perf_counter() if start_s is None else start_s
        return cls(t0 + limit_s, limit_s)

    def part(self, share: float) -> Deadline:
        """An earlier deadline, at ``share`` of the time left now, sharing the record.

        Parameters
        ----------
        share
            Share (0-1) of the seconds left now.

        Returns
        -------
        Deadline
            The earlier deadline; the phases it cuts are recorded here too.
        """
        if not math.isfinite(self.end_s):
            return self
        end = time.perf_counter() + share * self.left_s()
        return dataclasses.replace(self, end_s=end, cut=self.cut)

    def left_s(self) -> float:
        """Seconds left (0 once passed; ``math.inf`` without a limit).

        Returns
        -------
        float
            Seconds left.
        """
        return max(self.end_s - time.perf_counter(), 0.0)

    def passed(self, phase: str) -> bool:
        """Whether the deadline has passed; if so, ``phase`` is recorded (and logged) as cut.

        Parameters
        ----------
        phase
            What the caller would do next, in words ("local search", "kicks").

        Returns
        -------
        bool
            True when the caller must stop.
        """
        if time.perf_counter() <= self.end_s:
            return False
        if phase not in self.cut:
            self.cut.append(phase)
            log.warning(
                "plan_network: the time limit (%g s) cut the %s short; the plan depends on "
                "this machine's speed",
                self.limit_s,
                phase,
            )
        return True
