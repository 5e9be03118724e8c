"""The ``[costs]`` section: which prices, which case, over what life.

Every price comes from a cost item (:mod:`coverage.planning.costbook`: low, central and high
values with a source or the word ASSUMPTION); ``[costs.items.<key>]`` replaces an item's
values with local ones (a quote, a tender), and ``case`` picks the low, central or high value
of every item. Operating costs count over ``years`` at ``discount_rate``
(:class:`coverage.planning.costs.CostTable`); the placement's budget is a budget of total
cost of ownership over that life.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from coverage._toml import Checks, Range

__all__ = ["CostOverride", "CostParams"]

_USD = Range(0.0, 1e10, "USD", "plausibility range: a price is not negative")
_YEARS = Range(1, 50, "years", "a network's life: a mast lasts decades, radios about 10 years")
_RATE = Range(0.0, 0.5, "", "a yearly discount rate")
_SUN_H = Range(0.5, 8.0, "h", "mean daily peak sun hours on Earth lie within 1-7 h")
_DAYS = Range(0.1, 10.0, "days", "plausibility range: battery autonomy of an off-grid site")


@dataclass(frozen=True)
class CostOverride:
    """Local values for one cost item.

    ``capex_usd`` and ``opex_usd_per_year`` take one value (the same in every case) or three
    (low, central, high); an empty list keeps the item's own values. ``source`` says where
    the new values come from (required when any is given: a quote, a tender, or
    "ASSUMPTION: why"). A new key adds an item (``mast_24m``, ``radio_<preset>``), which then
    needs ``label`` and ``unit`` too.
    """

    capex_usd: tuple[float, ...] = ()
    opex_usd_per_year: tuple[float, ...] = ()
    source: str = ""
    label: str = ""
    unit: str = ""

    def __post_init__(self) -> None:
        """Raise :class:`~coverage.errors.ScenarioError` for a bad count or value, or no source."""
        c = Checks(self)
        for key in ("capex_usd", "opex_usd_per_year"):
            c.within(key, _USD)
            c.that(
                len(getattr(self, key)) in (0, 1, 3), "give 1 value or 3 (low, central, high)", key
            )
        given = bool(self.capex_usd or self.opex_usd_per_year)
        c.that(
            not given or bool(self.source.strip()),
            "new prices need a source (or 'ASSUMPTION: why')",
            "source",
        )
        c.done()


@dataclass(frozen=True)
class CostParams:
    """Prices, case and life of the plan's costs.

    Attributes
    ----------
    case
        ``low``, ``central`` (default) or ``high``: which value of every item is used.
    years
        Life (years) over which operating costs count (default 10).
    discount_rate
        Yearly discount rate (default 0.09, ASSUMPTION: the order of DNP's social rate).
    peak_sun_hours
        Mean daily peak sun hours for off-grid solar sizing (h; default 4.0, ASSUMPTION).
    autonomy_days
        Days a solar site's battery runs without sun (default 2, ASSUMPTION).
    items
        Local values by item key (:class:`CostOverride`).
    """

    case: str = "central"
    years: int = 10
    discount_rate: float = 0.09
    peak_sun_hours: float = 4.0
    autonomy_days: float = 2.0
    items: dict[str, CostOverride] = field(default_factory=dict)

    REMOVED_KEYS: ClassVar[dict[str, str]] = {
        key: f"prices are cost items now: set [costs.items.{item}] capex_usd = ..."
        for key, item in {
            "mast_usd_by_height_m": "mast_18m",
            "radio_usd": "radio_lte-b28-small-cell",
            "backhaul_radio_usd": "ptp_radio_end",
            "grid_power_usd": "grid_connection",
            "solar_power_usd": "solar_pv",
            "installation_usd": "installation",
        }.items()
    }

    def __post_init__(self) -> None:
        """Raise :class:`~coverage.errors.ScenarioError` for a bad case, life or rate."""
        c = Checks(self)
        c.that(self.case in ("low", "central", "high"), "must be low, central or high", "case")
        c.within("years", _YEARS)
        c.within("discount_rate", _RATE)
        c.within("peak_sun_hours", _SUN_H)
        c.within("autonomy_days", _DAYS)
        c.done()
