"""What a plan costs over its life: the :class:`CostTable` and the price of every option.

Each site, link, satellite household and plan-wide item is a list of
:class:`~coverage.planning.costitem.CostLine` (an item of
:mod:`coverage.planning.costbook` times a quantity, at the low, central or high case); its
total cost of ownership (TCO) is the capital cost plus the operating cost of each year
discounted to today, ``TCO = capex + opex x sum_{t=1..N} (1 + r)^-t`` over ``N`` years at rate
``r`` (the present value of an annuity, as in any textbook of engineering economics). The
placement prices every option at its TCO (:func:`option_costs_usd`), so a budget is a
budget over the plan's life.

Power is sized from each site's load: mains where the candidate has it (schools), otherwise
an off-grid solar array of ``load x 24 h / (peak sun hours x performance ratio)`` and a
battery bank of ``load x 24 h x autonomy / depth of discharge`` (the usual stand-alone PV
sizing, e.g. IEEE Std 1562-2021 and 1013-2019 in their simplest form).

Option ``o`` is candidate row ``o // len(heights)`` at mast height ``heights[o % len(heights)]``
(:func:`coverage.planning.candidates.option_index`).
"""

from __future__ import annotations

import dataclasses
import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from coverage.errors import InputError
from coverage.planning.costbook import DEFAULT_ITEMS
from coverage.planning.costitem import CASES, Case, CostItem, CostLine

__all__ = [
    "CostTable",
    "SolarSizing",
    "hotspot_lines",
    "hotspot_usd",
    "option_costs_usd",
    "total_usd",
]


def _default_loads() -> dict[str, float]:
    # ASSUMPTION: typical draws of each access radio (W), no datasheet encoded
    return {"lte-b28-small-cell": 150.0, "wifi-5ghz-ptmp": 30.0, "tvws": 60.0, "lora-915": 10.0}


@dataclass(frozen=True)
class SolarSizing:
    """How a site's power is sized: loads and the stand-alone PV design figures.

    Attributes
    ----------
    access_load_w
        Draw (W) of each preset's access radio. ASSUMPTION: typical, no datasheet encoded.
    ptp_end_load_w
        Draw (W) of one point-to-point radio. ASSUMPTION.
    links_per_site
        Backhaul radios assumed at each site when its power is sized. ASSUMPTION.
    peak_sun_hours
        Mean daily irradiation on the array (kWh/m2 a day = hours at 1 kW/m2). ASSUMPTION:
        4.0, the lower end of the 4.0-4.5 band the IDEAM-UPME Atlas de Radiación Solar de
        Colombia maps around the Aburrá valley; check the atlas at each site.
    performance_ratio
        Array-to-load efficiency (soiling, temperature, controller, battery). ASSUMPTION.
    autonomy_days
        Days the battery carries the load without sun. ASSUMPTION.
    depth_of_discharge
        Usable share of the battery's capacity (LiFePO4). ASSUMPTION.
    """

    access_load_w: Mapping[str, float] = field(default_factory=_default_loads)
    ptp_end_load_w: float = 25.0
    links_per_site: int = 2
    peak_sun_hours: float = 4.0
    performance_ratio: float = 0.75
    autonomy_days: float = 2.0
    depth_of_discharge: float = 0.8

    def __post_init__(self) -> None:
        """Refuse values that are not positive (shares within (0, 1])."""
        positive = (self.ptp_end_load_w, self.peak_sun_hours, self.autonomy_days)
        shares = (self.performance_ratio, self.depth_of_discharge)
        loads = tuple(self.access_load_w.values())
        if (
            any(not v > 0 for v in (*positive, *loads))
            or any(not 0 < v <= 1 for v in shares)
            or self.links_per_site < 0
        ):
            msg = (
                f"SolarSizing: loads, sun hours and autonomy must be > 0, shares in (0, 1]: {self}."
            )
            raise InputError(msg)

    def load_w(self, preset: str, *, access: bool) -> float:
        """A site's continuous draw (W): its access radio (if any) and its backhaul radios.

        Parameters
        ----------
        preset
            The access technology preset.
        access
            Whether the site serves users.

        Returns
        -------
        float
            Load (W).

        Raises
        ------
        InputError
            No load is known for the preset.
        """
        radios = self.links_per_site * self.ptp_end_load_w
        if not access:
            return radios
        if preset not in self.access_load_w:
            msg = (
                f"No power draw for access preset {preset!r}; known: {sorted(self.access_load_w)}."
            )
            raise InputError(msg)
        return self.access_load_w[preset] + radios


@dataclass(frozen=True)
class CostTable:
    """The items a plan is priced with, the price case and the life-cycle terms.

    Attributes
    ----------
    items
        Cost items by key (default :data:`coverage.planning.costbook.DEFAULT_ITEMS`).
    case
        Which value of every item is used: ``low``, ``central`` or ``high``.
    years
        Life of the plan (years) over which operating costs count.
    discount_rate
        Yearly discount rate of future operating costs. ASSUMPTION: 0.09, the order of the
        social discount rate Colombia's DNP applies to public projects (check the current one).
    preset
        The access technology preset: its radio item ``radio_<preset>`` and its power draw.
    licensed_band
        Whether the access band is licensed (each access site then pays ``operator_fee``).
    cellular
        Whether the access technology needs a cellular core (``core_network``, once a plan).
    solar
        How power is sized.

    Raises
    ------
    InputError
        A bad case, life, rate, no mast item, or an item missing for the preset.
    """

    items: Mapping[str, CostItem] = field(default_factory=lambda: dict(DEFAULT_ITEMS))
    case: Case = "central"
    years: int = 10
    discount_rate: float = 0.09
    preset: str = "lte-b28-small-cell"
    licensed_band: bool = True
    cellular: bool = True
    solar: SolarSizing = SolarSizing()

    def __post_init__(self) -> None:
        """Refuse a bad case, life or rate; check the items the preset needs exist."""
        if self.case not in CASES:
            msg = f"CostTable: case {self.case!r} must be one of {list(CASES)}."
            raise InputError(msg)
        if not 1 <= self.years <= 50 or not 0 <= self.discount_rate < 1:
            msg = (
                f"CostTable: years must be 1-50 and discount_rate in [0, 1), got {self.years} "
                f"and {self.discount_rate}."
            )
            raise InputError(msg)
        if not self.heights_m:
            msg = "CostTable: no mast item (mast_<h>m): price at least one mast height."
            raise InputError(msg)
        self.item(f"radio_{self.preset}")

    # --- items -------------------------------------------------------------------------
    def item(self, key: str) -> CostItem:
        """The item ``key``.

        Parameters
        ----------
        key
            An item key.

        Returns
        -------
        CostItem
            The item.

        Raises
        ------
        InputError
            No such item (the message suggests the nearest key).
        """
        try:
            return self.items[key]
        except KeyError:
            near = difflib.get_close_matches(key, list(self.items), n=1)
            hint = f" (did you mean {near[0]!r}?)" if near else ""
            msg = f"No cost item {key!r}{hint}; add it to [costs.items] or use one of {list(self.items)}."
            raise InputError(msg) from None

    def with_items(self, items: Mapping[str, CostItem]) -> CostTable:
        """A copy whose items are these (new keys added, same keys replaced).

        Parameters
        ----------
        items
            Items by key.

        Returns
        -------
        CostTable
            The new table.
        """
        return dataclasses.replace(self, items={**self.items, **items})

    @property
    def heights_m(self) -> tuple[float, ...]:
        """Mast heights (m) with a price (``mast_<h>m`` items), ascending.

        Returns
        -------
        tuple of float
            Heights (m).
        """
        heights = []
        for key in self.items:
            if key.startswith("mast_") and key.endswith("m"):
                try:
                    heights.append(float(key[5:-1]))
                except ValueError:
                    continue
        return tuple(sorted(heights))

    @property
    def pv_factor(self) -> float:
        """Present value (years) of 1 USD a year over :attr:`years` at :attr:`discount_rate`.

        Returns
        -------
        float
            ``sum_{t=1..N} (1 + r)^-t``.
        """
        t = np.arange(1, self.years + 1, dtype=np.float64)
        return float(np.sum((1.0 + self.discount_rate) ** -t))

    def line(self, key: str, quantity: float) -> CostLine:
        """Item ``key`` times ``quantity`` at the table's case.

        Parameters
        ----------
        key
            An item key.
        quantity
            Units.

        Returns
        -------
        CostLine
            The line.
        """
        return CostLine(self.item(key), float(quantity), self.case)

    def tco_usd(self, lines: Sequence[CostLine]) -> float:
        """Total cost of ownership (USD) of some lines over the table's life.

        Parameters
        ----------
        lines
            Priced lines.

        Returns
        -------
        float
            Capex plus the present value of the yearly opex (USD).
        """
        capex = sum(x.capex_usd for x in lines)
        opex = sum(x.opex_usd_per_year for x in lines)
        return capex + self.pv_factor * opex

    # --- what things cost --------------------------------------------------------------
    def site_lines(
        self, height_m: float, *, grid_power: bool, access: bool = True
    ) -> list[CostLine]:
        """The items of one site: mast, works, power sized to its load, radio, running costs.

        A relay-only site (``access=False``) has no access radio; its backhaul radios are
        priced per link (:meth:`link_lines`). A site with mains (a school) pays no lease.

        Parameters
        ----------
        height_m
            Mast height above ground (m); one of :attr:`heights_m`.
        grid_power
            Whether the site has mains power (else off-grid solar).
        access
            Whether the site serves users.

        Returns
        -------
        list of CostLine
            The site's lines.

        Raises
        ------
        InputError
            The height has no mast item.
        """
        if float(height_m) not in self.heights_m:
            msg = f"No mast cost for height {height_m} m; the cost table prices {self.heights_m} m."
            raise InputError(msg)
        lines = [self.line(f"mast_{float(height_m):g}m", 1)]
        lines += [
            self.line(k, 1) for k in ("civil_works", "installation", "permits", "maintenance")
        ]
        if not grid_power:
            lines.append(self.line("site_lease", 1))
        lines += self._power_lines(self.solar.load_w(self.preset, access=access), grid_power)
        if access:
            lines.append(self.line(f"radio_{self.preset}", 1))
            if self.licensed_band:
                lines.append(self.line("operator_fee", 1))
        return lines

    def _power_lines(self, load_w: float, grid_power: bool) -> list[CostLine]:
        """Mains connection and energy, or a solar array and battery sized to ``load_w``."""
        if grid_power:
            kwh_year = load_w * 8.766  # W x 8766 h a year / 1000
            return [self.line("grid_connection", 1), self.line("grid_energy", kwh_year)]
        s = self.solar
        wp = load_w * 24.0 / (s.peak_sun_hours * s.performance_ratio)
        kwh = load_w * 24.0 * s.autonomy_days / (1000.0 * s.depth_of_discharge)
        return [self.line("solar_pv", wp), self.line("battery", kwh)]

    def site_cost_usd(self, height_m: float, *, grid_power: bool, access: bool = True) -> float:
        """TCO (USD) of one site (:meth:`site_lines`).

        Parameters
        ----------
        height_m
            Mast height above ground (m).
        grid_power
            Whether the site has mains power.
        access
            Whether the site serves users.

        Returns
        -------
        float
            USD.
        """
        return self.tco_usd(self.site_lines(height_m, grid_power=grid_power, access=access))

    def link_lines(self) -> list[CostLine]:
        """The items of one point-to-point link: a radio at each end and its installation.

        Returns
        -------
        list of CostLine
            The link's lines.
        """
        return [self.line("ptp_radio_end", 2), self.line("link_installation", 1)]

    def link_cost_usd(self) -> float:
        """TCO (USD) of one link (:meth:`link_lines`).

        Returns
        -------
        float
            USD.
        """
        return self.tco_usd(self.link_lines())

    def plan_lines(self, traffic_mbps: float = 0.0) -> list[CostLine]:
        """The plan-wide items: the PoP, the cellular core if any, IP transit of the traffic.

        Parameters
        ----------
        traffic_mbps
            The plan's busy-hour traffic (Mbps) at the PoP.

        Returns
        -------
        list of CostLine
            The lines.
        """
        lines = [self.line("pop_equipment", 1)]
        if self.cellular:
            lines.append(self.line("core_network", 1))
        if traffic_mbps > 0:
            lines.append(self.line("ip_transit", traffic_mbps))
        return lines

    def fixed_cost_usd(self) -> float:
        """TCO (USD) of the items every plan pays whatever it builds (:meth:`plan_lines`).

        Returns
        -------
        float
            USD.
        """
        return self.tco_usd(self.plan_lines())

    def transit_usd_per_mbps(self) -> float:
        """TCO (USD) of carrying 1 busy-hour Mbps to the internet over the plan's life.

        Returns
        -------
        float
            USD per Mbps.
        """
        return self.pv_factor * self.item("ip_transit").opex(self.case)

    def satellite_lines(self, households: float = 1.0) -> list[CostLine]:
        """The items of satellite terminals: kit, installation, service fee.

        Parameters
        ----------
        households
            Households equipped.

        Returns
        -------
        list of CostLine
            The lines.
        """
        keys = ("satellite_kit", "satellite_installation", "satellite_fee")
        return [self.line(k, households) for k in keys]

    def satellite_household_usd(self) -> float:
        """TCO (USD) of one household's satellite terminal (:meth:`satellite_lines`).

        Returns
        -------
        float
            USD.
        """
        return self.tco_usd(self.satellite_lines(1.0))


def hotspot_lines(table: CostTable, hotspots: float = 1.0) -> list[CostLine]:
    """The items of public Wi-Fi hotspots: access point, feed, installation, power share,
    maintenance, internet share (:mod:`coverage.planning.hotspot`).

    Parameters
    ----------
    table
        The cost table.
    hotspots
        Hotspots built.

    Returns
    -------
    list of CostLine
        The lines.
    """
    keys = (
        "hotspot_ap",
        "hotspot_backhaul",
        "hotspot_installation",
        "hotspot_power",
        "hotspot_maintenance",
        "hotspot_internet",
    )
    return [table.line(k, hotspots) for k in keys]


def hotspot_usd(table: CostTable) -> float:
    """TCO (USD) of one hotspot (:func:`hotspot_lines`) over the table's life.

    Parameters
    ----------
    table
        The cost table.

    Returns
    -------
    float
        USD.
    """
    return table.tco_usd(hotspot_lines(table, 1.0))


def total_usd(table: CostTable, lines: Sequence[CostLine]) -> dict[str, float]:
    """Capex, yearly opex and TCO (USD) of some lines.

    Parameters
    ----------
    table
        The table (its life and rate).
    lines
        Priced lines.

    Returns
    -------
    dict
        ``capex_usd``, ``opex_usd_per_year``, ``tco_usd``.
    """
    return {
        "capex_usd": float(sum(x.capex_usd for x in lines)),
        "opex_usd_per_year": float(sum(x.opex_usd_per_year for x in lines)),
        "tco_usd": float(table.tco_usd(lines)),
    }


def option_costs_usd(
    candidates: pd.DataFrame,
    costs: CostTable,
    heights_m: Sequence[float] | None = None,
    *,
    access: bool = True,
    traffic_mbps: ArrayLike | None = None,
) -> NDArray[np.float64]:
    """TCO (USD) of every candidate x height option, in option order.

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
    traffic_mbps
        Busy-hour traffic (Mbps) each option carries to the PoP, one per option: its IP
        transit is added (None: none).

    Returns
    -------
    numpy.ndarray
        One TCO (USD) per option, ``len(candidates) * len(heights_m)`` values.

    Raises
    ------
    InputError
        A height without a price in ``costs``.
    """
    heights = costs.heights_m if heights_m is None else tuple(heights_m)
    grid = candidates["grid_power"].to_numpy(dtype=bool)
    by_kind = {
        (g, h): costs.site_cost_usd(h, grid_power=g, access=access)
        for g in (False, True)
        for h in heights
    }
    out = np.array([by_kind[(bool(g), h)] for g in grid for h in heights], dtype=np.float64)
    if traffic_mbps is not None:
        out += costs.transit_usd_per_mbps() * np.asarray(traffic_mbps, dtype=np.float64)
    return out
