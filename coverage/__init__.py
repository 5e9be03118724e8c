"""coverage: a rural connectivity planner.

Terrain rasters and settlement layers go in; line of sight, radio propagation and
network-graph models choose tower sites and their backhaul; coverage maps and gap reports
come out. Modules are named by domain word and data flows one way down this list:
``scenario`` -> ``terrain`` + ``settlements`` -> ``candidates`` -> ``visibility`` ->
``propagation`` -> ``network`` -> ``placement`` -> ``pipeline`` (a :class:`Plan`) ->
``render`` / ``report`` / ``export``.
"""

from __future__ import annotations

import logging
from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("coverage-planner")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"

logging.getLogger(__name__).addHandler(logging.NullHandler())

__all__ = ["__version__"]
