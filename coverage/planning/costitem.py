"""One priced item (:class:`CostItem`) and one use of it (:class:`CostLine`).

An item has a capital cost and a yearly operating cost per unit, each as a low, central and
high value, and a source; a line is an item times a quantity, priced at one of the three
cases. :mod:`coverage.planning.costbook` holds the default items and
:class:`coverage.planning.costs.CostTable` combines them into sites, links and plans.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from coverage.errors import InputError

__all__ = ["CASES", "Case", "CostItem", "CostLine"]

#: A price case: the low, central or high value of every item.
Case = Literal["low", "central", "high"]
#: The cases, in the order an item's three values are given.
CASES: tuple[Case, ...] = ("low", "central", "high")


@dataclass(frozen=True)
class CostItem:
    """A priced item: capital and yearly operating cost per unit, low/central/high (USD).

    Attributes
    ----------
    key
        Identifier (``mast_18m``, ``solar_pv``...).
    label
        What it is, for the outputs.
    unit
        What one unit is (``site``, ``W peak``, ``household``...).
    capex_usd
        Capital cost per unit (USD): low, central, high.
    opex_usd_per_year
        Operating cost per unit and year (USD): low, central, high.
    source
        The citation, or text starting with ``ASSUMPTION``.

    Raises
    ------
    InputError
        A value that is not finite and >= 0, low > central or central > high, or no source.
    """

    key: str
    label: str
    unit: str
    capex_usd: tuple[float, float, float] = (0.0, 0.0, 0.0)
    opex_usd_per_year: tuple[float, float, float] = (0.0, 0.0, 0.0)
    source: str = ""

    def __post_init__(self) -> None:
        """Refuse bad values and an item without a source."""
        for name in ("capex_usd", "opex_usd_per_year"):
            values = tuple(float(v) for v in getattr(self, name))
            if len(values) != 3 or any(not math.isfinite(v) or v < 0 for v in values):
                msg = f"cost item {self.key!r}: {name} must be 3 finite values >= 0 USD: {values}."
                raise InputError(msg)
            if not values[0] <= values[1] <= values[2]:
                msg = f"cost item {self.key!r}: {name} must read low <= central <= high: {values}."
                raise InputError(msg)
            object.__setattr__(self, name, values)
        if not self.source.strip():
            msg = f"cost item {self.key!r} has no source: cite one or write 'ASSUMPTION: why'."
            raise InputError(msg)

    @property
    def is_assumption(self) -> bool:
        """Whether the item's price is an assumption rather than a cited figure.

        Returns
        -------
        bool
            True when the source starts with ``ASSUMPTION``.
        """
        return self.source.lstrip().upper().startswith("ASSUMPTION")

    def capex(self, case: Case) -> float:
        """Capital cost per unit (USD) at a case.

        Parameters
        ----------
        case
            ``low``, ``central`` or ``high``.

        Returns
        -------
        float
            USD per unit.
        """
        return self.capex_usd[CASES.index(case)]

    def opex(self, case: Case) -> float:
        """Operating cost per unit and year (USD) at a case.

        Parameters
        ----------
        case
            ``low``, ``central`` or ``high``.

        Returns
        -------
        float
            USD per unit and year.
        """
        return self.opex_usd_per_year[CASES.index(case)]


@dataclass(frozen=True)
class CostLine:
    """An item used ``quantity`` times, priced at ``case``.

    Attributes
    ----------
    item
        The item.
    quantity
        How many units (a count, W peak, kWh, Mbps...).
    case
        The price case.
    """

    item: CostItem
    quantity: float
    case: Case = "central"

    @property
    def capex_usd(self) -> float:
        """Capital cost (USD) of the line.

        Returns
        -------
        float
            ``quantity`` x the item's capex at the case.
        """
        return self.quantity * self.item.capex(self.case)

    @property
    def opex_usd_per_year(self) -> float:
        """Operating cost (USD a year) of the line.

        Returns
        -------
        float
            ``quantity`` x the item's opex at the case.
        """
        return self.quantity * self.item.opex(self.case)
