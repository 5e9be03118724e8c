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

from coverage.errors import CoverageError  # noqa: E402
from coverage.pipeline import plan_coverage, run_scenario  # noqa: E402
from coverage.plan import Plan  # noqa: E402
from coverage.scenario import Scenario, load_scenario  # noqa: E402

__all__ = [
    "CoverageError",
    "Plan",
    "Scenario",
    "__version__",
    "load_scenario",
    "plan_coverage",
    "run_scenario",
]
