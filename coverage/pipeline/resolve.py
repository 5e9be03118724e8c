"""Stage 1a: a scenario resolved into the objects the later stages use, before any data is read.

:func:`resolve` turns the scenario's sections into the access technology (preset plus
overrides, the antenna file's peak gain), the site antenna pattern, the user terminal with its reliability margin, the propagation
model (ITM at the service's location and time reliability), the busy-hour dimensioning and
the cost table, once per run. It raises every :class:`~coverage.errors.ScenarioError` that
the scenario alone can cause (an unreadable antenna file, an unknown climate or model, a mast
height without a price), so that a mistake is reported before the layers and the DEM are
read. Errors that need the terrain (a user site or the PoP outside it) come from the stages
that place those points.
"""

from __future__ import annotations

import dataclasses
import difflib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from coverage.errors import InputError, ScenarioError
from coverage.pipeline.broadband import BroadbandSettings
from coverage.planning.busyhour import BusyHour
from coverage.planning.channels import (
    BAND_5_8GHZ,
    ChannelPlan,
    LinkWidths,
    placement_widths,
    scaled_rate_table,
)
from coverage.planning.costitem import Case, CostItem
from coverage.planning.costs import CostTable, SolarSizing
from coverage.planning.linkgraph import LinkBudget, LinkSettings
from coverage.planning.problem import SolveSettings
from coverage.radio import itm
from coverage.radio.antenna import AntennaPattern, f1336_omni, read_msi_pattern
from coverage.radio.clearance import ClearanceSettings
from coverage.radio.prediction import PredictionSettings
from coverage.radio.propagation import PropagationModel, get_model
from coverage.radio.regulation import regulation_for
from coverage.radio.reliability import Reliability, reliability
from coverage.radio.technology import Technology, get_technology, noise_floor_dbm
from coverage.radio.terminal import Terminal
from coverage.scenario import Scenario
from coverage.sections import CostOverride

__all__ = ["ResolvedScenario", "resolve", "scenario_file"]


@dataclass(frozen=True, eq=False)
class ResolvedScenario:
    """A scenario with its sections resolved into the objects the stages use.

    Built by :func:`resolve`; every stage of :mod:`coverage.pipeline` takes it instead of
    deriving these objects again.

    Attributes
    ----------
    scenario
        The validated scenario the objects come from.
    technology
        The access technology: the preset with the scenario's overrides; with an antenna
        pattern file, its peak gain (dBi) is the site antenna gain.
    antenna
        The access sites' antenna pattern from ``[technology] antenna_pattern`` (gains in
        dBi, azimuth and downtilt in degrees), else the preset's omni with its vertical
        pattern and downtilt, or None for a preset without one.
    model
        The propagation model of ``[propagation]`` (path loss in dB).
    costs
        The cost table (USD) with the scenario's prices over the defaults.
    terminal
        The user terminal of ``[service] terminal`` (the preset's default when ""); the
        technology's ``terminal_height_m`` and ``rx_antenna_gain_dbi`` are its own unless
        ``[technology]`` sets them.
    reliability
        The location and time reliability of the service and the margin (dB) it needs
        beyond what the propagation model's loss holds.
    """

    scenario: Scenario
    technology: Technology
    antenna: AntennaPattern | None
    model: PropagationModel
    costs: CostTable
    terminal: Terminal
    reliability: Reliability

    @property
    def threshold_dbm(self) -> float:
        """Received power (dBm) at which a terminal decodes at the stated reliability.

        Returns
        -------
        float
            The technology's ``rx_sensitivity_dbm`` plus the reliability margin not in the
            model's loss (dBm).
        """
        return self.technology.rx_sensitivity_dbm + self.reliability.margin_db

    @property
    def terminal_gain_dbi(self) -> float:
        """The terminal's antenna gain less its body and building-entry loss (dB).

        Returns
        -------
        float
            ``rx_antenna_gain_dbi`` minus :meth:`~coverage.radio.terminal.Terminal.loss_db`
            at the technology's frequency (dBi).
        """
        return self.technology.rx_antenna_gain_dbi - self.terminal.loss_db(self.technology.f_mhz)

    @property
    def busy_hour(self) -> BusyHour:
        """The busy-hour dimensioning of ``[service]``: take-up, busy-hour share, rates (Mbps).

        Returns
        -------
        BusyHour
        """
        v = self.scenario.service
        return BusyHour(
            take_up_share=v.take_up_share,
            busy_hour_share=v.busy_hour_share,
            household_downlink_mbps=v.household_downlink_mbps,
            household_uplink_mbps=v.household_uplink_mbps,
            school_downlink_mbps=v.school_downlink_mbps,
            school_uplink_mbps=v.school_uplink_mbps,
        )

    @property
    def broadband(self) -> BroadbandSettings:
        """What the broadband test of ``[service]`` needs beyond the received powers.

        Returns
        -------
        BroadbandSettings
            The busy hour, carriers, interference load and margin, the terminal's uplink
            power, the site's uplink noise floor (thermal noise over the carrier plus
            ``site_noise_figure_db``) and the reliability margin (dB).
        """
        v = self.scenario.service
        noise_dbm = noise_floor_dbm(self.technology.bandwidth_mhz, v.site_noise_figure_db)
        return BroadbandSettings(
            busy_hour=self.busy_hour,
            n_carriers=v.carriers,
            interference_load=v.interference_load,
            terminal_tx_power_dbm=self.terminal.tx_power_dbm,
            uplink_noise_floor_dbm=noise_dbm,
            interference_margin_db=v.interference_margin_db,
            existing_share_band=v.existing_share_band,
            reliability_margin_db=self.reliability.margin_db,
        )

    @property
    def prediction(self) -> PredictionSettings:
        """Path-loss settings of the access link: frequency (MHz), terminal height (m), model.

        Returns
        -------
        PredictionSettings
            The technology's frequency and terminal height with :attr:`model`, built anew at
            each access.
        """
        return PredictionSettings(
            f_mhz=self.technology.f_mhz,
            rx_height_m=self.technology.terminal_height_m,
            model=self.model,
        )

    @property
    def clearance(self) -> ClearanceSettings:
        """Line-of-sight settings of the access link: frequency (MHz) and k-factor.

        Returns
        -------
        ClearanceSettings
            The technology's frequency and ``[propagation] k_factor``.
        """
        return ClearanceSettings(
            f_mhz=self.technology.f_mhz, k_factor=self.scenario.propagation.geometry_k_factor
        )

    @property
    def links(self) -> LinkSettings:
        """Backhaul link settings of ``[backhaul]``: frequency (MHz), longest link (m), clearance.

        Returns
        -------
        LinkSettings
            Frequency (MHz), longest link (m), first-Fresnel clearance ratio, k-factor and
            the PoP's mast height (m), for :func:`coverage.planning.linkgraph.candidate_link_graph`.
        """
        b = self.scenario.backhaul
        return LinkSettings(
            f_mhz=b.f_mhz,
            max_link_m=b.max_link_m,
            min_clearance_ratio=b.min_clearance_ratio,
            k_factor=self.scenario.propagation.geometry_k_factor,
            pop_height_m=b.pop_mast_height_m,
        )

    @property
    def link_budget(self) -> LinkBudget:
        """The backhaul radios of ``[backhaul] preset``, on the placement's channel width.

        Returns
        -------
        LinkBudget
            The preset's conducted power (dBm), dish gain (dBi), noise figure (dB) and a
            cable loss at each end (dB), over ``[backhaul] placement_channel_mhz`` (the rate
            table carried to that width, :func:`coverage.planning.channels.scaled_rate_table`);
            the channel plan after the placement gives each link its own width.
        """
        b = self.scenario.backhaul
        ptp = get_technology(b.preset)
        return LinkBudget(
            f_mhz=b.f_mhz,
            tx_power_dbm=ptp.tx_power_dbm,
            antenna_gain_dbi=ptp.tx_antenna_gain_dbi,
            bandwidth_mhz=b.placement_channel_mhz,
            noise_figure_db=ptp.noise_figure_db,
            misc_loss_db=2.0 * ptp.cable_loss_db,
            rate_table=scaled_rate_table(b.placement_channel_mhz),
        )

    @property
    def channel_band(self) -> ChannelPlan | None:
        """The band whose channel plan the backhaul links get, or None outside it.

        Returns
        -------
        ChannelPlan or None
            :data:`coverage.planning.channels.BAND_5_8GHZ` when ``[backhaul] f_mhz`` lies in
            5725-5850 MHz, else None (no channel plan: links keep the candidate capacity).
        """
        band = BAND_5_8GHZ
        return band if band.low_mhz <= self.scenario.backhaul.f_mhz <= band.high_mhz else None

    @property
    def link_widths(self) -> LinkWidths | None:
        """The channel widths the placement chooses per link, and a site's spectrum.

        Returns
        -------
        LinkWidths or None
            :func:`coverage.planning.channels.placement_widths` of the band up to
            ``[backhaul] placement_channel_mhz`` (20, 40 and 80 MHz inside channel 155,
            80 MHz per site, in 5725-5850 MHz); None without a channel plan.
        """
        band = self.channel_band
        if band is None:
            return None
        return placement_widths(band, self.scenario.backhaul.placement_channel_mhz)

    @property
    def max_links_at_site(self) -> int | None:
        """Most backhaul links at one site: as many of the narrowest width as a site's
        spectrum holds.

        Returns
        -------
        int or None
            4 in 5725-5850 MHz (four 20 MHz channels in channel 155); None without a
            channel plan.
        """
        widths = self.link_widths
        return int(widths.site_mhz // widths.widths_mhz[0]) if widths is not None else None

    @property
    def solve(self) -> SolveSettings:
        """How the placement is solved, from ``[placement]``.

        Returns
        -------
        SolveSettings
            Method ("milp" or "greedy"), time limit (s) and relative MIP gap.
        """
        p = self.scenario.placement
        return SolveSettings(
            method=p.method,
            time_limit_s=p.time_limit_s,
            mip_rel_gap=p.mip_gap,
            max_nodes=p.max_nodes,
        )

    @property
    def sector_antenna(self) -> AntennaPattern | None:
        """The antenna pattern when it is directional (its gain varies), else None.

        Returns
        -------
        AntennaPattern or None
            :attr:`antenna` unless it is None or omnidirectional.
        """
        antenna = self.antenna
        return antenna if antenna is not None and not antenna.is_omni else None

    @property
    def downtilts_deg(self) -> tuple[float, ...]:
        """The downtilts (degrees, positive down) the access antenna may take at each site.

        Returns
        -------
        tuple of float
            The preset's electrical tilts for its F.1336-5 omni
            (:attr:`~coverage.radio.technology.Technology.downtilts_deg`), of which the
            planner fits one per site and mast height (:mod:`coverage.pipeline.access`);
            one tilt, the antenna's own, when ``[technology]`` sets
            ``antenna_downtilt_deg`` or an ``antenna_pattern`` file, or the antenna has no
            pattern.
        """
        t = self.scenario.technology
        antenna = self.sector_antenna
        if antenna is None:
            return (0.0,)
        if t.antenna_pattern or t.antenna_downtilt_deg is not None:
            return (antenna.downtilt_deg,)
        return self.technology.downtilts_deg


def resolve(scenario: Scenario) -> ResolvedScenario:
    """Resolve a scenario's technology, antenna, propagation model and costs, once.

    Parameters
    ----------
    scenario
        A validated scenario (:func:`coverage.scenario.load_scenario`).

    Returns
    -------
    ResolvedScenario
        The objects every later stage uses; only the antenna pattern file (if any) is read.

    Raises
    ------
    ScenarioError
        The antenna pattern file is missing or unreadable or its gain is out of range, the
        preset is a backhaul technology or lacks the ``[service]`` terminal, the ITM
        climate or the model name is unknown, or a mast height of ``[placement]`` has no
        price in ``[costs]``.
    """
    antenna = _access_antenna(scenario)
    terminal = _terminal(scenario)
    _check_backhaul_preset(scenario)
    technology = _access_technology(scenario, antenna, terminal)
    costs = _cost_table(scenario)
    model = _propagation_model(scenario)
    v = scenario.service
    margin = reliability(
        v.location_pct, v.time_pct, model_varies=scenario.propagation.model == "itm",
        terminal_sigma_db=terminal.loss_sigma_db,
    )  # fmt: skip
    return ResolvedScenario(scenario, technology, antenna, model, costs, terminal, margin)


def scenario_file(scenario: Scenario, name: str) -> Path:
    """A file named in the scenario, as a path.

    Parameters
    ----------
    scenario
        The scenario that names the file.
    name
        The file name as written: absolute, or relative to the scenario file's folder (to the
        working directory for a scenario built in code, without a file).

    Returns
    -------
    Path
        The file's path (not checked for existence).
    """
    path = Path(name)
    if not path.is_absolute() and scenario.path is not None:
        path = scenario.path.parent / path
    return path


def _access_antenna(scenario: Scenario) -> AntennaPattern | None:
    """The access sites' antenna pattern: the ``[technology] antenna_pattern`` file, else
    the preset's omni with its vertical pattern and downtilt, or None (no pattern).

    The MSI file's path is relative to the scenario file; every access site gets the pattern
    at the scenario's azimuth and mechanical downtilt, ``antenna_sectors`` times, evenly
    spaced clockwise from that azimuth. The preset's omni takes the scenario's peak gain
    override and downtilt when set.
    """
    t = scenario.technology
    if not t.antenna_pattern:
        return _preset_antenna(scenario)
    path = scenario_file(scenario, t.antenna_pattern)
    try:
        return read_msi_pattern(
            path,
            azimuth_deg=t.antenna_azimuth_deg,
            downtilt_deg=t.antenna_downtilt_deg or 0.0,
            sectors=t.antenna_sectors,
        )
    except InputError as err:
        msg = f"[technology] antenna_pattern: {err}"
        raise ScenarioError(msg) from err


def _preset_antenna(scenario: Scenario) -> AntennaPattern | None:
    """The preset's F.1336-5 omni (None: the preset has no vertical pattern).

    Its gain is the scenario's ``tx_antenna_gain_dbi`` when set (the beamwidth follows it);
    its downtilt the scenario's ``antenna_downtilt_deg`` when set, else the preset's first
    (the planner fits one of :attr:`ResolvedScenario.downtilts_deg` per site).
    """
    t = scenario.technology
    try:
        preset = get_technology(t.preset)
    except InputError:
        return None  # an unknown preset is reported by _terminal
    if not preset.vertical_pattern:
        return None
    gain = (
        t.tx_antenna_gain_dbi if t.tx_antenna_gain_dbi is not None else preset.tx_antenna_gain_dbi
    )
    tilt = t.antenna_downtilt_deg if t.antenna_downtilt_deg is not None else preset.downtilts_deg[0]
    return f1336_omni(gain, downtilt_deg=tilt)


def _terminal(scenario: Scenario) -> Terminal:
    """The ``[service]`` terminal of the access preset; a backhaul preset is refused."""
    t = scenario.technology
    try:
        base = get_technology(t.preset)
        if base.kind != "access":
            msg = (
                f"preset {t.preset!r} is a {base.kind} technology (point-to-point), not an "
                "access one: choose an access preset and give backhaul in [backhaul]"
            )
            raise InputError(msg)
        return base.terminal(scenario.service.terminal)
    except InputError as err:
        msg = f"[technology] / [service] terminal: {err}"
        raise ScenarioError(msg) from err


def _check_backhaul_preset(scenario: Scenario) -> None:
    """``[backhaul] preset`` must name a backhaul (point-to-point) technology."""
    name = scenario.backhaul.preset
    try:
        kind = get_technology(name).kind
    except InputError as err:
        msg = f"[backhaul] preset: {err}"
        raise ScenarioError(msg) from err
    if kind != "backhaul":
        msg = f"[backhaul] preset {name!r} is an access technology: name a point-to-point one."
        raise ScenarioError(msg)


def _access_technology(
    scenario: Scenario, pattern: AntennaPattern | None, terminal: Terminal
) -> Technology:
    """The scenario's access technology: its preset with the terminal's height and gain and
    the scenario's overrides applied (an override wins over the terminal).

    With an antenna pattern, the site antenna's peak gain is the pattern's.
    """
    t = scenario.technology
    base = dataclasses.replace(
        get_technology(t.preset),
        terminal_height_m=terminal.height_m,
        rx_antenna_gain_dbi=terminal.antenna_gain_dbi,
    )
    overrides = {
        f.name: getattr(t, f.name)
        for f in dataclasses.fields(t)
        if f.name != "preset"
        and not f.name.startswith("antenna_")
        and getattr(t, f.name) is not None
    }
    if pattern is not None:
        overrides["tx_antenna_gain_dbi"] = pattern.gain_dbi
    try:  # the overrides were checked in [technology]; an antenna file's gain was not
        return dataclasses.replace(base, **overrides)
    except InputError as err:
        source = f" (antenna_pattern {t.antenna_pattern})" if t.antenna_pattern else ""
        msg = f"[technology]{source}: {err}"
        raise ScenarioError(msg) from err


def _propagation_model(scenario: Scenario) -> PropagationModel:
    """The scenario's propagation model object (ITM takes the radio climate by name)."""
    p = scenario.propagation
    params: dict[str, Any] = {}
    if p.model == "itm":
        codes = {name: code for code, name in itm.CLIMATES.items()}
        if p.climate not in codes:
            msg = f"[propagation] climate {p.climate!r} is not one of {sorted(codes)}."
            raise ScenarioError(msg)
        params["climate"] = codes[p.climate]
        # broadcast variability: the loss at the service's own time and location quantiles
        params["mdvar"] = itm.MDVAR["broadcast"]
        params["time_pct"] = scenario.service.time_pct
        params["location_pct"] = scenario.service.location_pct
        if p.k_factor is not None:  # the scenario's atmosphere, as ITM's own N_s
            params["n0"] = itm.refractivity_for_k(p.k_factor)
            params["system_elevation_m"] = 0.0
    elif p.model in ("los", "knife-edge", "deygout", "bullington"):
        params["k_factor"] = p.geometry_k_factor
    try:
        return get_model(p.model, **params)
    except InputError as err:
        msg = f"[propagation] model: {err}"
        raise ScenarioError(msg) from err


def _cost_table(scenario: Scenario) -> CostTable:
    """The scenario's cost table: the default items with ``[costs.items]`` over them, its
    case, life, rate and solar terms, priced for the access preset; every mast height priced."""
    c = scenario.costs
    preset = scenario.technology.preset
    try:
        table = CostTable(
            case=cast(Case, c.case),  # checked by CostParams
            years=c.years,
            discount_rate=c.discount_rate,
            preset=preset,
            licensed_band=_needs_operator(preset),
            cellular=preset in _CELLULAR_PRESETS,
            solar=SolarSizing(peak_sun_hours=c.peak_sun_hours, autonomy_days=c.autonomy_days),
        )
        table = table.with_items({k: _cost_item(table, k, o) for k, o in c.items.items()})
    except InputError as err:
        msg = f"[costs]: {err}"
        raise ScenarioError(msg) from err
    unpriced = [h for h in scenario.placement.mast_heights_m if h not in table.heights_m]
    if unpriced:
        msg = (
            f"[costs] prices masts of {list(table.heights_m)} m but [placement] mast_heights_m "
            f"asks for {unpriced} m: add [costs.items.mast_{unpriced[0]:g}m] with label, unit, "
            "capex_usd and source."
        )
        raise ScenarioError(msg)
    return table


def _needs_operator(preset: str) -> bool:
    """Whether the preset's band is licensed to operators (:mod:`coverage.radio.regulation`):
    each access site then pays the licensee; an unknown preset is reported elsewhere."""
    try:
        return regulation_for(preset).needs_operator_partner
    except InputError:
        return False


#: Access presets that need a cellular core network.
_CELLULAR_PRESETS = frozenset({"lte-b28-small-cell"})


def _cost_item(table: CostTable, key: str, o: CostOverride) -> CostItem:
    """Item ``key`` with the scenario's values over the default's (or a new item)."""

    def three(
        values: tuple[float, ...], old: tuple[float, float, float]
    ) -> tuple[float, float, float]:
        if not values:
            return old
        return (values[0],) * 3 if len(values) == 1 else (values[0], values[1], values[2])

    base = table.items.get(key)
    if base is None and not (o.label and o.unit):
        near = difflib.get_close_matches(key, list(table.items), n=1)
        hint = f"did you mean {near[0]!r}? " if near else ""
        msg = f"items.{key} is not a default item ({hint}a new item needs label and unit)"
        raise InputError(msg)
    zero = (0.0, 0.0, 0.0)
    return CostItem(
        key=key,
        label=o.label or (base.label if base else key),
        unit=o.unit or (base.unit if base else ""),
        capex_usd=three(o.capex_usd, base.capex_usd if base else zero),
        opex_usd_per_year=three(o.opex_usd_per_year, base.opex_usd_per_year if base else zero),
        source=o.source or (base.source if base else ""),
    )
