"""The ``[rollout]`` section: the plan built over several years with a yearly budget.

With ``years`` > 0 the outputs schedule the one-shot plan (:mod:`coverage.planning.rollout`):
each year's budget (``yearly_budget_usd``, or ``[placement] budget_usd / years`` when 0)
builds the access sites with their path to the point of presence, and the satellite
terminals, that connect the most people per USD first; unspent money carries over
(ASSUMPTION), and a site built once is never removed.
"""

from __future__ import annotations

from dataclasses import dataclass

from coverage._toml import Checks, Range

__all__ = ["RolloutParams"]

_YEARS = Range(0, 30, "years", "0: no rollout; a programme of up to 30 years")
_USD = Range(0.0, 1e10, "USD", "plausibility range: a budget is not negative")


@dataclass(frozen=True)
class RolloutParams:
    """A phased rollout of the plan.

    Attributes
    ----------
    years
        Years of the rollout (0, default: none).
    yearly_budget_usd
        Budget of each year (USD, total cost of ownership as ``[placement] budget_usd``);
        0 (default): ``budget_usd / years``.
    """

    years: int = 0
    yearly_budget_usd: float = 0.0

    def __post_init__(self) -> None:
        """Raise :class:`~coverage.errors.ScenarioError` for a bad number of years or budget."""
        c = Checks(self)
        c.within("years", _YEARS)
        c.within("yearly_budget_usd", _USD)
        c.done()
