"""The ``[hotspots]`` section: public Wi-Fi hotspots at schools and plazas, fed by the network.

With ``enabled``, the placement may also build an outdoor Wi-Fi access point at a school
that a built access site serves, or at a public place of the area's optional ``plazas``
layer whose nearest addressed building a site serves, for the households within a walk of it
(:mod:`coverage.planning.hotspot`); each is priced from the ``hotspot_*`` items of the cost
table. It applies under objective "coverage" with ``[placement] budget_usd`` only (the
hotspots are weighed against sites in USD), as the satellite option does.
"""

from __future__ import annotations

from dataclasses import dataclass

from coverage._toml import Checks, Range

__all__ = ["HotspotParams"]

_WALK_M = Range(
    0.0,
    5000.0,
    "m",
    "plausibility range, ASSUMPTION: a walk of up to about an hour to a public hotspot",
    low_open=True,
)
_FEED_M = Range(
    0.0,
    1000.0,
    "m",
    "plausibility range, ASSUMPTION: a cable or a short 5 GHz hop from a building to a square",
    low_open=True,
)
_WEIGHT = Range(
    0.0,
    1.0,
    "",
    "a person a hotspot reaches counts at most as one connected at home",
    low_open=True,
)


@dataclass(frozen=True)
class HotspotParams:
    """School hotspots as an option of the placement.

    Attributes
    ----------
    enabled
        Whether the placement weighs hotspots (False, default: it does not).
    walk_radius_m
        Straight-line walking radius (m) within which a household reaches a hotspot;
        ASSUMPTION, 250 m (:data:`coverage.planning.hotspot.DEFAULT_WALK_RADIUS_M`).
    weight
        What a person a hotspot reaches counts in the objective against one connected at
        home, (0, 1]; ASSUMPTION, 0.5 (:data:`coverage.planning.hotspot.DEFAULT_HOTSPOT_WEIGHT`).
    plazas
        Whether the places of the area's ``plazas`` layer are candidates too (True; without
        the layer only schools are, and the outputs say so).
    feed_radius_m
        Largest distance (m) from a plaza to the addressed building whose CPE feeds its
        hotspot; ASSUMPTION, 100 m (:data:`coverage.planning.hotspot.DEFAULT_FEED_RADIUS_M`).
    """

    enabled: bool = False
    walk_radius_m: float = 250.0
    weight: float = 0.5
    plazas: bool = True
    feed_radius_m: float = 100.0

    def __post_init__(self) -> None:
        """Raise :class:`~coverage.errors.ScenarioError` for a bad radius or weight."""
        c = Checks(self)
        c.within("walk_radius_m", _WALK_M)
        c.within("weight", _WEIGHT)
        c.within("feed_radius_m", _FEED_M)
        c.done()
