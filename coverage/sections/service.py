"""The ``[service]`` section: what "served" means, for whom, at what reliability.

A demand point is served when, from its best server by SINR, the downlink and the uplink
both carry the rates below at the stated location and time reliability, and its site has
room for its busy-hour traffic (:mod:`coverage.pipeline.broadband`).
"""

from __future__ import annotations

from dataclasses import dataclass

from coverage._toml import Checks, Range

__all__ = ["ServiceParams"]

_RATE_MBPS = Range(
    0.0, 10_000.0, "Mbps", "a rate per user: not negative, below a 10 Gbps fibre", low_open=True
)
_SHARE = Range(0.0, 1.0, "", "a share of households", low_open=True)
_RELIABILITY_PCT = Range(
    1.0, 99.9, "%", "ITM's quantiles lie strictly between 0 and 100 % (NTIA TR 82-100)"
)
_LOAD = Range(0.0, 1.0, "", "the activity of an interfering site: 0 idle, 1 full load")
_MARGIN_DB = Range(0.0, 30.0, "dB", "plausibility range, assumption: an interference margin")
_NOISE_FIGURE_DB = Range(
    0.0, 20.0, "dB", "plausibility range, assumption: a receiver's noise figure"
)


@dataclass(frozen=True)
class ServiceParams:
    """What counts as served: rates, busy hour, terminal, reliability and frequency plan.

    Defaults and their sources:

    - ``terminal`` "": the technology preset's own terminal
      (:attr:`coverage.radio.technology.Technology.terminals`); name another of them, e.g.
      "handset-indoor" or "rooftop-cpe".
    - ``location_pct`` 90, ``time_pct`` 50: the stated reliability. ITM gives the loss at
      these quantiles (NTIA TR 82-100, broadcast mode of variability); other models add
      ``z(location) x sigma`` of a sourced shadowing sigma. ASSUMPTION: 90 % of locations is
      the usual planning edge-of-coverage reliability.
    - ``household_downlink_mbps`` 5, ``household_uplink_mbps`` 1: ASSUMPTION, the rate one
      active household is to get at the busy hour (one HD video stream down, one video call
      up); raise them to plan for more.
    - ``school_downlink_mbps`` 20: the issue's "common school target" of 20 Mbps per
      school, ASSUMPTION; ``school_uplink_mbps`` 5: ASSUMPTION, a quarter of it.
    - ``take_up_share`` 0.636: the share of Palmitas families with a stable fixed connection
      (El Colombiano, 14 November 2025, as the data's PROVENANCE cites), ASSUMPTION that as
      many take up the new service.
    - ``busy_hour_share`` 0.05: ASSUMPTION, one subscriber in 20 active at once at the busy
      hour (a 20:1 contention ratio).
    - ``carriers`` 1: one 10 MHz carrier reused by every site (reuse 1); 3 is a reuse-3 plan
      (:func:`coverage.radio.interference.assign_carriers`).
    - ``interference_load`` 1.0: interferers at full load (the worst case).
    - ``existing_share_band`` false: the existing cells run on other carriers.
    - ``interference_margin_db`` 3: ASSUMPTION, the interference allowance (noise rise) of the
      uplink, and of the downlink in the placement's link test before the plan's own SINR is
      known.
    - ``site_noise_figure_db`` 5: the base station noise figure of 3GPP TR 36.942 Table
      4.4 (macro eNodeB, 5 dB).
    """

    terminal: str = ""
    location_pct: float = 90.0
    time_pct: float = 50.0
    household_downlink_mbps: float = 5.0
    household_uplink_mbps: float = 1.0
    school_downlink_mbps: float = 20.0
    school_uplink_mbps: float = 5.0
    take_up_share: float = 0.636
    busy_hour_share: float = 0.05
    carriers: int = 1
    interference_load: float = 1.0
    existing_share_band: bool = False
    interference_margin_db: float = 3.0
    site_noise_figure_db: float = 5.0

    def __post_init__(self) -> None:
        """Raise :class:`~coverage.errors.ScenarioError` for a bad rate, share or reliability."""
        c = Checks(self)
        for key in (
            "household_downlink_mbps",
            "household_uplink_mbps",
            "school_downlink_mbps",
            "school_uplink_mbps",
        ):
            c.within(key, _RATE_MBPS)
        c.within("take_up_share", _SHARE)
        c.within("busy_hour_share", _SHARE)
        c.within("location_pct", _RELIABILITY_PCT)
        c.within("time_pct", _RELIABILITY_PCT)
        c.within("interference_load", _LOAD)
        c.within("interference_margin_db", _MARGIN_DB)
        c.within("site_noise_figure_db", _NOISE_FIGURE_DB)
        if c.valid("carriers"):
            c.that(1 <= self.carriers <= 12, "carriers must be 1-12 (reuse 1 to 12)", "carriers")
        c.done()
