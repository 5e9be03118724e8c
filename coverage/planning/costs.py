"""What sites and links cost: the :class:`CostTable` and the price of every placement option.

Option ``o`` is candidate row ``o // len(heights)`` at mast height ``heights[o % len(heights)]``
(:func:`coverage.planning.candidates.option_index`); :func:`option_costs_usd` prices each.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from coverage.errors import InputError

__all__ = ["CostTable", "option_costs_usd"]


def _default_masts() -> dict[float, float]:
    return {6.0: 800.0, 12.0: 3_000.0, 18.0: 6_000.0, 30.0: 15_000.0}


@dataclass(frozen=True)
class CostTable:
    """Capital cost of a site and a link, in US dollars.

    The default figures are ILLUSTRATIVE order-of-magnitude values for rural fixed-wireless
    builds in Latin America around 2024 (a roof/pole mount for 6 m, a guyed mast for
    12-18 m, a self-supporting lattice tower for 30 m; 5 GHz sector access points and
    point-to-point radios of the class WISPs and community networks deploy; a small
    solar-plus-battery system for an off-grid 100 W load). They are not quotes: replace
    them with local prices in the scenario before drawing budget conclusions.

    Attributes
    ----------
    mast_usd_by_height_m
        Mast or tower cost by height above ground (m -> USD). Heights here are the mast
        options the planner considers.
    radio_usd
        Access radio(s) and antennas of one serving site (USD).
    backhaul_radio_usd
        One end of a point-to-point backhaul link: radio and dish (USD); a link costs two.
    grid_power_usd
        Mains connection, protection and a small battery backup (USD).
    solar_power_usd
        Off-grid solar panels, charge controller and batteries (USD).
    installation_usd
        Labour, transport and permits per site (USD).

    Raises
    ------
    InputError
        No mast height, a height not > 0 m, or a cost not finite and >= 0 USD.
    """

    mast_usd_by_height_m: Mapping[float, float] = field(default_factory=_default_masts)
    radio_usd: float = 1_500.0
    backhaul_radio_usd: float = 600.0
    grid_power_usd: float = 1_000.0
    solar_power_usd: float = 5_000.0
    installation_usd: float = 1_000.0

    def __post_init__(self) -> None:
        """Refuse an empty mast table, bad heights or costs; sort the masts by height."""
        masts = {float(h): float(c) for h, c in dict(self.mast_usd_by_height_m).items()}
        if not masts:
            msg = "CostTable.mast_usd_by_height_m is empty: give at least one mast height."
            raise InputError(msg)
        values = [
            *masts.values(),
            self.radio_usd,
            self.backhaul_radio_usd,
            self.grid_power_usd,
            self.solar_power_usd,
            self.installation_usd,
        ]
        if any(not np.isfinite(v) or v < 0 for v in values) or any(h <= 0 for h in masts):
            msg = f"CostTable: costs must be finite and >= 0 and heights > 0, got {self!r}."
            raise InputError(msg)
        object.__setattr__(self, "mast_usd_by_height_m", dict(sorted(masts.items())))

    @property
    def heights_m(self) -> tuple[float, ...]:
        """Mast heights (m) with a price, ascending.

        Returns
        -------
        tuple of float
            The keys of :attr:`mast_usd_by_height_m` (m).
        """
        return tuple(self.mast_usd_by_height_m)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CostTable:
        """Build a table from a plain mapping (e.g. a scenario's ``[costs]`` section).

        Parameters
        ----------
        data
            Field name -> value (USD; ``mast_usd_by_height_m`` maps m -> USD); missing
            fields keep their defaults.

        Returns
        -------
        CostTable
            The table, validated.

        Raises
        ------
        InputError
            A key that is not a field, or a value the table refuses.
        """
        known = set(cls.__dataclass_fields__)
        unknown = set(data) - known
        if unknown:
            msg = f"Unknown cost keys {sorted(unknown)}; expected some of {sorted(known)}."
            raise InputError(msg)
        return cls(**dict(data))

    def site_cost_usd(self, height_m: float, *, grid_power: bool, access: bool = True) -> float:
        """Cost (USD) of a site: mast, installation, power and, for access sites, radio.

        A relay-only site (``access=False``) carries backhaul radios only; those are costed
        per link with :meth:`link_cost_usd`.

        Parameters
        ----------
        height_m
            Mast height above ground (m); one of :attr:`heights_m`.
        grid_power
            Whether the site has mains power (else off-grid solar is costed).
        access
            Whether the site serves users (adds the access radio); False for a relay.

        Returns
        -------
        float
            Cost (USD).

        Raises
        ------
        InputError
            ``height_m`` has no price in the table.
        """
        try:
            mast = self.mast_usd_by_height_m[float(height_m)]
        except KeyError as err:
            msg = (
                f"No mast cost for height {height_m} m; the cost table prices "
                f"{list(self.heights_m)} m."
            )
            raise InputError(msg) from err
        power = self.grid_power_usd if grid_power else self.solar_power_usd
        return mast + self.installation_usd + power + (self.radio_usd if access else 0.0)

    def link_cost_usd(self) -> float:
        """Cost (USD) of one point-to-point link: a radio at each end.

        Returns
        -------
        float
            Twice :attr:`backhaul_radio_usd` (USD).
        """
        return 2.0 * self.backhaul_radio_usd


def option_costs_usd(
    candidates: pd.DataFrame,
    costs: CostTable,
    heights_m: Sequence[float] | None = None,
    *,
    access: bool = True,
) -> NDArray[np.float64]:
    """Cost (USD) of every candidate x height option, in option order.

    Option ``o`` is candidate row ``o // len(heights_m)`` at ``heights_m[o % len(heights_m)]``
    (:func:`coverage.planning.candidates.option_index`).

    Parameters
    ----------
    candidates
        Candidate frame with a boolean ``grid_power`` column, one row per candidate.
    costs
        The cost table.
    heights_m
        Mast height options (m), each priced in ``costs``; None (default): every height of
        ``costs``.
    access
        Price the options as access sites (True) or as relay-only sites (False).

    Returns
    -------
    numpy.ndarray
        One cost (USD) per option, ``len(candidates) * len(heights_m)`` values.

    Raises
    ------
    InputError
        A height without a price in ``costs``.
    """
    heights = costs.heights_m if heights_m is None else tuple(heights_m)
    grid = candidates["grid_power"].to_numpy(dtype=bool)
    return np.array(
        [costs.site_cost_usd(h, grid_power=bool(g), access=access) for g in grid for h in heights],
        dtype=np.float64,
    )
